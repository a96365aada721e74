"""The audit hash chain: canonical form, hashing, verification (pure)."""
