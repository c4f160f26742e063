"""Noticing that the journal has stopped keeping records: said once, aloud, and reported at the end.

The journal never raises (a failing disk must not stop the assistant), so without this a run
could end with exit status 0 having lost every record. The first failed write is logged at
once; the person hears one calm sentence when the assistant is next free (never over an
escalation or in the middle of a session); the command exits 1 at the end, naming what was lost.
"""

from __future__ import annotations

import logging
from typing import Any

from voicecare.core.actions import Say
from voicecare.errors import VoicecareError

log = logging.getLogger(__name__)

PROMPT = "journal_unwritable"
"""The dialog prompt (``content/dialog.toml``) said when the journal cannot be written."""


class JournalWatch:
    """Watches one journal; ``notice(busy)`` gives the spoken line once, when the assistant is free."""

    def __init__(self, journal: Any, sentence: str) -> None:
        self.journal = journal
        self.sentence = sentence
        self.noticed = False
        """The failure has been logged."""
        self.told = False
        """The person has been told aloud."""

    def notice(self, busy: bool) -> list[Say]:
        """Check after each write: log the first failure, and say it once the assistant is free."""
        if self.told or self.journal is None or not self.journal.failing:
            return []
        if not self.noticed:
            self.noticed = True
            log.error("the journal cannot keep records: %s", self.journal.health() or "see the log above")
        if busy:
            return []
        self.told = True
        return [Say(self.sentence)]

    def outcome(self) -> VoicecareError | None:
        """After the journal is closed: an error naming the records that were not kept, or None."""
        if self.journal is None:
            return None
        lost = self.journal.unwritten
        if not lost:
            return None
        problem = self.journal.health() or "the journal could not be written — run with --debug and check the log"
        what, _, fix = problem.partition(" — ")
        records = f"{lost} record{'s' if lost != 1 else ''}"
        return VoicecareError(f"{records} could not be kept: {what}", fix)
