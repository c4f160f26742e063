"""Listening: from audio to whether the person spoke to the assistant, and who spoke, stage by stage."""
