"""Synthesis and certainty: meta-analyses defined in the store, GRADE with its numbers derived."""
