"""Finding duplicate records across sources: normalisation, blocking, pairwise scoring and
clustering.
"""
