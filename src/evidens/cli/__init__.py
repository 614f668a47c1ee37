"""Command-line interface (thin: parses arguments, calls services, prints)."""

from evidens.cli.app import app, main

__all__ = ["app", "main"]
