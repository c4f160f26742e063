"""``voicecare wyoming`` put together: content, journal, conversations, recognizer, announcer and the
service, built once at start-up (a bad setting fails here), then served until a signal stops it."""

from __future__ import annotations

import asyncio
import logging
import signal
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from voicecare.config import Config
from voicecare.core.assistant import Assistant, DialogSettings
from voicecare.errors import VoicecareError
from voicecare.remote.announce import announcer_from
from voicecare.remote.client import parse_uri
from voicecare.remote.conversations import Conversations
from voicecare.remote.discovery import advertise, withdraw
from voicecare.remote.protocol import Limits
from voicecare.remote.server import WyomingService
from voicecare.remote.wiring import local_engine, service_info, token_path

log = logging.getLogger(__name__)

HOUSEKEEPING_SECONDS = 5.0
"""How often the watchdog is pinged and the reminders' state saved."""


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Command-line choices for ``voicecare wyoming``."""

    uri: str = "tcp://0.0.0.0:10600"
    asr: bool = True
    """Also serve voicecare's own recognizer (the ``asr`` role)."""
    zeroconf: bool = True
    name: str = "voicecare"
    """The name advertised over zeroconf."""
    in_memory_journal: bool = False
    limits: Limits = field(default_factory=Limits)
    speed: float = 1.0
    """How fast the conversations' time passes (1 on a device; tests and benchmarks run holds faster)."""


@dataclass(slots=True)
class Built:
    """The service and what must be closed with it."""

    service: WyomingService
    journal: Any
    announcer: Any
    save_state: Callable[[], None]


def build(config: Config, options: ServeOptions) -> Built:
    """Load everything once; content, model, token or address problems are raised here."""
    from voicecare.runtime.build import StateSaver, build_brain, open_journal
    from voicecare.runtime.hooks import EmergencyHook

    parse_uri(options.uri)
    announcer = announcer_from(config.homeassistant.url, token_path(config), config.homeassistant.satellite,
                               config.homeassistant.timeout_seconds)
    journal = open_journal(config, in_memory=options.in_memory_journal)
    brain = build_brain(config, journal, wake_phrase="off")
    shared_reminders = brain.assistant.reminders
    settings = DialogSettings(wake_enabled=False, emergency_number=config.safety.emergency_number)
    prefs = dict(brain.assistant.prefs)

    def make_assistant() -> Assistant:
        return Assistant(brain.texts, brain.programme, shared_reminders, settings, prefs=prefs)

    conversations = Conversations(
        make_assistant, brain.understander.understand, journal=journal,
        hook=EmergencyHook(config.safety.on_emergency, config.safety.on_emergency_timeout_seconds),
        words_per_minute=config.speech.voice_rate_wpm, default_satellite=config.homeassistant.satellite or None)
    recognizer = _recognizer(config, brain) if options.asr else None
    info = service_info(recognizer.name if recognizer is not None else None)
    service = WyomingService(info, conversations, recognizer, announce=announcer, limits=options.limits,
                             speed=options.speed)
    if config.homeassistant.satellite:
        conversations.open(config.homeassistant.satellite, 0.0, config.homeassistant.satellite)
    saver = StateSaver(journal)
    return Built(service, journal, announcer, lambda: saver(brain.assistant))


def _recognizer(config: Config, brain: Any) -> Any:
    from voicecare.asr.select import create_recognizer
    from voicecare.asr.transcribe import domain_language

    phrases, vocabulary = domain_language(Path(config.paths.content_dir), vocabulary=brain.understander.vocabulary())
    return create_recognizer(local_engine(config.speech.engine), model_dir=config.speech.model_dir,
                             phrases=phrases, vocabulary=vocabulary)


async def serve(built: Built, options: ServeOptions, notifier: Any = None) -> None:
    """Listen, advertise, and run until SIGINT or SIGTERM; then close cleanly."""
    host, port = parse_uri(options.uri)
    try:
        bound_host, bound_port = await built.service.start(host, port)
    except OSError as exc:
        raise VoicecareError(f"cannot listen on {options.uri} ({exc.strerror or exc})",
                             "choose another port with --uri, or stop the service using it") from None
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    advert = await advertise(options.name, bound_host, bound_port) if options.zeroconf else None
    if notifier is not None:
        notifier.ready(f"serving Wyoming on {bound_host}:{bound_port}")
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), HOUSEKEEPING_SECONDS)
            except asyncio.TimeoutError:
                pass
            if notifier is not None:
                notifier.watchdog()
            built.save_state()
    finally:
        log.info("stopping")
        if notifier is not None:
            notifier.stopping()
        await withdraw(advert)
        await built.service.close()
        built.save_state()
        built.announcer.close()
        built.journal.close()
