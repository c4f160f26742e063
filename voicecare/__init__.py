"""voicecare: an offline voice assistant for hip muscle spasms."""

__version__ = "0.1.0"
