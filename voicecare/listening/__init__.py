"""Listening: from audio to whether the person spoke to the assistant, stage by stage."""
