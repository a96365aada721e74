"""Detect export formats and parse them into core records; never touch the database."""
