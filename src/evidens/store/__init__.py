"""The review store: SQLAlchemy models, Alembic migrations and queries (SQLite by default,
PostgreSQL for teams).
"""
