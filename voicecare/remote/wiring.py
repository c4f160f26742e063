"""From the configuration to remote parts: which services are used, and the ``voicecare wyoming`` service."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from voicecare import __version__
from voicecare.config import Config
from voicecare.errors import ConfigError
from voicecare.remote.client import RemoteSettings, parse_uri

log = logging.getLogger(__name__)

PROJECT_URL = ""
"""No public address to point to: the attribution names voicecare only."""


@dataclass(frozen=True, slots=True)
class RemoteService:
    """One service outside this machine that audio or words may go to."""

    role: str
    """speech recognition, voice or announcements."""
    address: str
    sends: str
    """What goes there: audio, text."""


def local_engine(engine: str) -> str:
    """The local recognizer behind a remote one: ``wyoming`` keeps ``auto`` listening locally."""
    return "auto" if engine == "wyoming" else engine


def remote_settings(config: Config) -> RemoteSettings:
    w = config.wyoming
    return RemoteSettings(connect_timeout_seconds=w.connect_timeout_seconds, timeout_seconds=w.timeout_seconds,
                          retry_max_seconds=w.retry_max_seconds)


def remote_services(config: Config, engine: str | None = None) -> list[RemoteService]:
    """Every remote service the configuration sends audio or words to; empty by default."""
    check(config, engine)
    found: list[RemoteService] = []
    if (engine or config.speech.engine) == "wyoming":
        found.append(RemoteService("speech recognition", config.wyoming.asr_uri, "the audio of each utterance"))
    if config.speech.tts == "wyoming":
        found.append(RemoteService("voice", config.wyoming.tts_uri, "the text of each sentence"))
    if config.homeassistant.url:
        found.append(RemoteService("announcements", config.homeassistant.url,
                                   "the text of what is said on its own"))
    return found


def check(config: Config, engine: str | None = None) -> None:
    """A remote choice without its address fails at start-up, clearly."""
    if (engine or config.speech.engine) == "wyoming":
        if not config.wyoming.asr_uri:
            raise ConfigError('[speech] engine = "wyoming" but [wyoming] asr_uri is not set',
                              'add asr_uri = "tcp://HOST:10300" under [wyoming]')
        parse_uri(config.wyoming.asr_uri)
    if config.speech.tts == "wyoming":
        if not config.wyoming.tts_uri:
            raise ConfigError('[speech] tts = "wyoming" but [wyoming] tts_uri is not set',
                              'add tts_uri = "tcp://HOST:10200" under [wyoming]')
        parse_uri(config.wyoming.tts_uri)


def with_remote(config: Config, recognizer: Any, voice: Any, engine: str | None = None) -> tuple[Any, Any]:
    """The recognizer and voice, each behind its remote service when the configuration names one."""
    check(config, engine)
    settings = remote_settings(config)
    if (engine or config.speech.engine) == "wyoming":
        from voicecare.remote.stt import RemoteRecognizer

        recognizer = RemoteRecognizer(config.wyoming.asr_uri, recognizer, settings)
        log.info("speech recognition: %s, the local recognizer listening too", config.wyoming.asr_uri)
    if config.speech.tts == "wyoming":
        from voicecare.remote.tts import RemoteVoice

        voice = RemoteVoice(config.wyoming.tts_uri, voice, config.wyoming.tts_voice, settings)
        log.info("voice: %s, the local voice as fallback", config.wyoming.tts_uri)
    return recognizer, voice


def service_info(recognizer_name: str | None, handle: bool = True) -> Any:
    """What ``describe`` answers: the handle program, and the asr program when voicecare recognizes."""
    from wyoming.info import AsrModel, AsrProgram, Attribution, HandleModel, HandleProgram, Info

    attribution = Attribution(name="voicecare", url=PROJECT_URL)
    handles = [HandleProgram(
        name="voicecare", attribution=attribution, installed=True, version=__version__,
        description="Hip spasm relief: stretches with timed holds, red flags escalated",
        models=[HandleModel(name="voicecare", attribution=attribution, installed=True, version=__version__,
                            description="voicecare's hip spasm conversation", languages=["en"])],
    )] if handle else []
    asr = [AsrProgram(
        name="voicecare-asr", attribution=attribution, installed=True, version=__version__,
        description="voicecare's domain-tuned recognizer", supports_transcript_streaming=False,
        models=[AsrModel(name=recognizer_name, attribution=attribution, installed=True, version=__version__,
                         description="domain language for hip spasm care", languages=["en"])],
    )] if recognizer_name else []
    return Info(handle=handles, asr=asr)


def token_path(config: Config) -> Path | None:
    return Path(config.homeassistant.token_file) if config.homeassistant.token_file else None
