"""Data extraction forms declared as data, validation, dual extraction discrepancies and consensus."""
