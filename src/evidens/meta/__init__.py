"""Meta-analysis: effect sizes, fixed and random-effects models, heterogeneity, small-study tests;
validated against R metafor.
"""
