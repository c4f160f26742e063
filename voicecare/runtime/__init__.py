"""The shell around the core: building the assistant, and the loops that drive it."""
