"""The command line; calls services only."""
