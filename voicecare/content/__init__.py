"""The spoken content, loaded from ``content/`` TOML files and validated once."""
