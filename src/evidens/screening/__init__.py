"""Title/abstract and full-text screening: blinding rules, conflicts, agreement statistics,
prioritisation and stopping rules.
"""
