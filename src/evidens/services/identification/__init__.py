"""Identification (PRISMA): sources and searches, logged translations, imports of export
files, de-duplication."""
