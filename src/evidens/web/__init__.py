"""The web app (FastAPI + Jinja2): accounts, blinded dual screening, conflicts, dashboard."""
