"""Plain types shared by every layer: records, errors, progress and cancel."""
