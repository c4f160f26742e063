"""The configuration's sections as frozen dataclasses with their built-in defaults, and the table
that names each section's keys and the check for each.

``voicecare.config.reading`` reads the files into them; ``voicecare.config.checks`` holds the checks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from voicecare.config.checks import (
    Parser,
    _boolean,
    _choice,
    _command,
    _days,
    _device,
    _emergency_number,
    _hold_table,
    _http_url,
    _number,
    _path,
    _phrase,
    _required_path,
    _tcp_uri,
    _text,
    _time_of_day,
)
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.core.reminders import ReminderSettings
from voicecare.nlu import DEFAULT_THRESHOLD

EMERGENCY_NUMBERS: Mapping[str, str] = MappingProxyType({"GB": "999", "IE": "999", "US": "911", "CA": "911"})
"""Emergency numbers by locale country; every other country gets 112."""
FALLBACK_EMERGENCY_NUMBER = "112"


@dataclass(frozen=True, slots=True)
class AudioConfig:
    """Sound devices and output level."""

    input_device: str | int | None = None
    """Microphone: a device index or part of its name; None is the system default."""
    output_device: str | int | None = None
    """Speaker: a device index or part of its name; None is the system default."""
    volume: float = 1.0
    """Speech volume, 0.0 (silent) to 1.0 (full)."""
    barge_in: bool = True
    """Listen for "stop" and "pause" while the assistant is speaking."""
    neural_vad: bool = True
    """Silero VAD (the ``listen`` extra) helps tell where speech ends; without the package, energy alone."""
    noise_suppression: int = 0
    """webrtc noise suppression before the endpointer (the ``listen`` extra): 0 (off) to 4."""
    auto_gain_dbfs: int = 0
    """webrtc automatic gain towards this many dB below full scale: 0 (off) to 31."""


@dataclass(frozen=True, slots=True)
class SpeechConfig:
    """Recognition and speech synthesis."""

    engine: str = "auto"
    """auto (Vosk if a model is installed, else PocketSphinx), vosk or pocketsphinx; wyoming sends each
    utterance to ``[wyoming] asr_uri`` as well, the local recognizer (auto) still listening."""
    model_dir: Path | None = None
    """Where Vosk models live; None is models/ (or $VOICECARE_MODELS_DIR)."""
    voice_rate_wpm: int = 150
    """Speaking rate in words per minute."""
    voice: str = ""
    """Speech synthesis voice: a Piper voice (en_US-joe-medium) or an espeak-ng one (en-gb); empty is
    en_US-joe-medium with Piper, English with espeak-ng."""
    tts: str = "auto"
    """auto (Piper if its voice is installed, else pyttsx3/espeak-ng), piper, pyttsx3, or wyoming
    (``[wyoming] tts_uri``, falling back to the local voice that auto would choose)."""
    nlu_threshold: float = DEFAULT_THRESHOLD
    """Match score (0.0-1.0) below which an utterance is not understood (the value the
    understanding was measured at; red flags ignore it)."""


@dataclass(frozen=True, slots=True)
class WakeConfig:
    """The wake phrase that starts listening."""

    phrase: str = "hey care"
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class HoldsConfig:
    """Personal hold times, kept within each exercise's range from the guide by the coach."""

    preferred_seconds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    """Preferred hold in seconds, by exercise id (e.g. kneeling_hip_flexor = 30)."""
    longer_step_seconds: float = 10.0
    """Seconds added when the person says "longer"."""


@dataclass(frozen=True, slots=True)
class SafetyConfig:
    """What happens on a red flag."""

    emergency_number: str = FALLBACK_EMERGENCY_NUMBER
    """The number spoken for an emergency; by default from the locale's country."""
    on_emergency: str = ""
    """A command run on an emergency (e.g. to message a carer); empty runs nothing."""
    on_emergency_timeout_seconds: float = 10.0
    """How long that command may run before it is stopped."""


@dataclass(frozen=True, slots=True)
class PathsConfig:
    """Where data and content live."""

    data_dir: Path
    """Journal and reminder state; by default the platform's user data folder."""
    content_dir: Path = DEFAULT_CONTENT_DIR
    """The TOML content (what the assistant says and understands)."""


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """Logging; transcripts are only logged with debug on."""

    debug: bool = False


@dataclass(frozen=True, slots=True)
class WyomingConfig:
    """Wyoming services elsewhere in the home (off unless named); the local engine and voice stay ready."""

    asr_uri: str = ""
    """Speech to text, e.g. tcp://192.168.1.20:10300; used when [speech] engine = "wyoming"."""
    tts_uri: str = ""
    """Text to speech, e.g. tcp://192.168.1.20:10200; used when [speech] tts = "wyoming"."""
    tts_voice: str = ""
    """The remote voice's name; empty is the service's default voice."""
    connect_timeout_seconds: float = 1.0
    """How long to wait for a remote service to accept the connection."""
    timeout_seconds: float = 5.0
    """How long a remote answer may take before the local engine or voice is used instead."""
    retry_max_seconds: float = 60.0
    """After failures, the remote is tried again after 1, 2, 4 ... seconds, at most this long."""


@dataclass(frozen=True, slots=True)
class HomeAssistantConfig:
    """Home Assistant, for things said on their own (holds, alarms, reminders) on a satellite."""

    url: str = ""
    """Home Assistant's address, e.g. http://homeassistant.local:8123; empty turns announcements off."""
    token_file: Path | None = None
    """A file holding a long-lived access token, readable only by the service's user."""
    satellite: str = ""
    """The assist_satellite entity to use until a satellite has spoken (e.g. assist_satellite.bedroom)."""
    timeout_seconds: float = 5.0
    """How long one announcement request may take."""


SECTIONS: Mapping[str, tuple[type, Mapping[str, Parser]]] = MappingProxyType({
    "audio": (AudioConfig, {
        "input_device": _device, "output_device": _device,
        "volume": _number(0.0, 1.0), "barge_in": _boolean, "neural_vad": _boolean,
        "noise_suppression": _number(0, 4, integer=True), "auto_gain_dbfs": _number(0, 31, integer=True)}),
    "speech": (SpeechConfig, {
        "engine": _choice("auto", "vosk", "pocketsphinx", "wyoming"), "model_dir": _path,
        "voice_rate_wpm": _number(80, 300, integer=True, unit=" words per minute"), "voice": _text,
        "nlu_threshold": _number(0.0, 1.0),
        "tts": _choice("auto", "piper", "pyttsx3", "wyoming")}),
    "wake": (WakeConfig, {"phrase": _phrase, "enabled": _boolean}),
    "holds": (HoldsConfig, {"preferred_seconds": _hold_table, "longer_step_seconds": _number(1, 60, unit=" seconds")}),
    "reminders": (ReminderSettings, {
        "enabled": _boolean, "interval_minutes": _number(10, 480, unit=" minutes"),
        "snooze_minutes": _number(1, 120, unit=" minutes"), "quiet_start": _time_of_day,
        "quiet_end": _time_of_day, "days_off": _days, "hydration": _boolean,
        "hydration_interval_minutes": _number(15, 480, unit=" minutes")}),
    "safety": (SafetyConfig, {
        "emergency_number": _emergency_number, "on_emergency": _command,
        "on_emergency_timeout_seconds": _number(1, 300, unit=" seconds")}),
    "paths": (PathsConfig, {"data_dir": _required_path, "content_dir": _required_path}),
    "logging": (LoggingConfig, {"debug": _boolean}),
    "wyoming": (WyomingConfig, {
        "asr_uri": _tcp_uri, "tts_uri": _tcp_uri, "tts_voice": _text,
        "connect_timeout_seconds": _number(0.1, 30, unit=" seconds"),
        "timeout_seconds": _number(0.5, 120, unit=" seconds"),
        "retry_max_seconds": _number(1, 3600, unit=" seconds")}),
    "homeassistant": (HomeAssistantConfig, {
        "url": _http_url, "token_file": _path, "satellite": _text,
        "timeout_seconds": _number(0.5, 60, unit=" seconds")}),
})
"""Every section, its dataclass and a check for each key (named as the dataclass fields)."""
