"""The review report and its figures, built from every other domain package's results."""
