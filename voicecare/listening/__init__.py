"""Listening: who spoke and whether it was said to us, from the audio of an utterance."""
