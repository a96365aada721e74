"""Evidence bundle writers and verification."""
