"""Screening and eligibility: decisions, the blinding and locking rules, pilot rounds,
prioritisation, full texts, studies."""
