"""Search strategies: one query language, translations to each database's syntax, and connectors to
the databases' APIs.
"""
