"""Reporting: PRISMA counts and figures, exports, every output written from the store, and
the report."""
