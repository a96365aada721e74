"""Media analysis: perceptual hashes, near-duplicate groups, video and audio metadata, and
the interface analysis engines (OCR, sexual-content scoring) plug into (DESIGN.md §10)."""
