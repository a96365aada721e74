"""Use cases, one per module; each owns its transaction and audit entry."""
