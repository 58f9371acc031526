"""Core: models, errors, settings, ids and text utilities. No I/O beyond reading settings."""
