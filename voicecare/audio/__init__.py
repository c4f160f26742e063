"""Audio values, files, devices and the conversion border."""
