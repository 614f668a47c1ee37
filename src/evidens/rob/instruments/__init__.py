"""Packaged instrument definitions (TOML); see README.md for the format."""
