"""GRADE certainty of evidence and the Summary of Findings table."""
