"""Opening the journal for a report: a read-only snapshot, or what can be rescued from a damaged file.

A report is for a GP or a physiotherapist: a damaged or missing journal should still give a
clear page saying so, not a traceback. The person's file is never changed here.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from voicecare.errors import VoicecareError
from voicecare.journal.extract import extract
from voicecare.journal.store import Journal
from voicecare.report import flags as clinic
from voicecare.report.model import Report, build

log = logging.getLogger(__name__)

LOOKBACK_DAYS = max(clinic.RECURRING_WINDOW_DAYS, clinic.NO_IMPROVEMENT_WINDOW_DAYS, clinic.RISE_WINDOW_DAYS,
                    clinic.HURT_WINDOW_DAYS, clinic.NO_SESSION_DAYS) - 1
"""Days before the report's first day that the signs look back on."""


def open_for_report(path: Path) -> tuple[Journal, list[str]]:
    """The journal at ``path`` for reading, and notes for the reader (missing file, damage)."""
    if not path.exists():
        return Journal.memory(), [f"There is no journal yet at {path}: nothing has been recorded."]
    try:
        return Journal.open_read_only(path), []
    except VoicecareError as exc:
        if "damaged" not in exc.what:
            raise
        log.warning("report: %s; reading what can be rescued", exc.what)
        journal, rescued = Journal.salvaged(path)
        return journal, [
            f"The journal file is damaged. This report shows the {rescued} records that could still be read. "
            "The assistant moves the file aside and starts a new journal on its next run."
        ]


def make_report(journal: Journal, first: date, last: date, *, programme: Any = None, texts: Any = None,
                emergency_number: str = "999", now: datetime | None = None, notes: list[str] | None = None) -> Report:
    """The report of local days ``first`` to ``last`` (both included)."""
    made = now or datetime.now().astimezone()
    rows = extract(journal, first - timedelta(days=LOOKBACK_DAYS), last)
    return build(rows, first, last, made, programme=programme, texts=texts, emergency_number=emergency_number,
                 today=made.date(), notes=notes or ())
