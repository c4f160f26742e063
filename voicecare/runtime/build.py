"""Building the assistant once at start-up from the configuration: fail fast, once, clearly."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from voicecare.config import Config
from voicecare.content.exercises import load_exercises
from voicecare.content.reminder_texts import load_reminder_texts
from voicecare.content.texts import load_texts
from voicecare.core.assistant import Assistant, DialogSettings
from voicecare.core.reminders import Reminders, ReminderState
from voicecare.core.wake import WakePhrase
from voicecare.journal import Journal
from voicecare.nlu import Understander
from voicecare.report.spoken import WeekRecap

log = logging.getLogger(__name__)

REMINDER_STATE_KEY = "reminders"
JOURNAL_FILE = "journal.sqlite3"


@dataclass(slots=True)
class Brain:
    """The language side of the assistant: content, understanding and the core."""

    assistant: Assistant
    understander: Understander
    wake: WakePhrase | None
    texts: Any
    programme: Any


def journal_path(config: Config) -> Path:
    return Path(config.paths.data_dir) / JOURNAL_FILE


def open_journal(config: Config, *, in_memory: bool = False) -> Journal:
    """The journal in the data directory (it never raises: problems go to ``health()``)."""
    if in_memory:
        return Journal.memory()
    journal = Journal.open(journal_path(config))
    problem = journal.health()
    if problem:
        log.warning("journal: %s", problem)
    return journal


def build_brain(config: Config, journal: Journal | None = None, *, wake_phrase: str | None = None) -> Brain:
    """Load and validate all content, and build the core with saved preferences and state."""
    content_dir = Path(config.paths.content_dir)
    texts = load_texts(content_dir)
    programme = load_exercises(content_dir)
    understander = Understander.load(content_dir, threshold=config.speech.nlu_threshold)
    reminders = _reminders(config, content_dir, journal)
    phrase = config.wake.phrase if wake_phrase is None else wake_phrase
    wake_on = config.wake.enabled and phrase.strip().lower() != "off"
    settings = DialogSettings(wake_enabled=wake_on, emergency_number=config.safety.emergency_number)
    prefs = {**config.holds.preferred_seconds, **(journal.preferences() if journal else {})}
    recap = WeekRecap(journal, texts, programme) if journal is not None else None
    assistant = Assistant(texts, programme, reminders, settings, prefs=prefs, recap=recap)
    wake = WakePhrase(phrase) if wake_on else None
    return Brain(assistant, understander, wake, texts, programme)


def _reminders(config: Config, content_dir: Path, journal: Journal | None) -> Reminders:
    state = None
    saved = journal.get_state(REMINDER_STATE_KEY) if journal else None
    if saved:
        try:
            state = ReminderState.from_dict(saved)
        except ValueError as exc:
            log.warning("saved reminder state ignored (%s); starting the schedule afresh", exc)
    return Reminders(config.reminders, load_reminder_texts(content_dir), state)


class StateSaver:
    """Saves the reminders' state to the journal whenever it changes."""

    def __init__(self, journal: Journal) -> None:
        self._journal = journal
        self._last: dict[str, Any] | None = None

    def __call__(self, assistant: Assistant) -> None:
        if assistant.reminders is None:
            return
        state = assistant.reminders.state.to_dict()
        if state != self._last:
            self._journal.set_state(REMINDER_STATE_KEY, state, datetime.now().astimezone())
            self._last = state
