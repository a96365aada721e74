"""WhatsApp "Export chat" text exports (Android and iOS)."""
