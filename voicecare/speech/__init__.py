"""Speech output: the synthesizer voice."""

from voicecare.speech.tts import Voice, VoiceSettings

__all__ = ["Voice", "VoiceSettings"]
