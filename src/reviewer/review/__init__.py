"""Taxonomy, tagging rules, review states, lexicon screening, search queries."""
