"""Readers and writers for database and register exports (RIS, MEDLINE, PubMed XML, WoS, Scopus,
CSVs, EndNote XML, BibTeX, trial registers).
"""
