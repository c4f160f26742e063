"""Offline speech recognition constrained to the assistant's domain (PocketSphinx or Vosk)."""

from voicecare.asr.base import Engine, Recognizer
from voicecare.asr.select import create_recognizer

__all__ = ["Engine", "Recognizer", "create_recognizer"]
