"""reviewer: offline review of chat exports as evidence of misconduct."""

__version__ = "0.1.0"
