""""How was my week?": two or three spoken sentences from the same numbers as the report.

The last 7 days, today included: spasms, then pain with relief (or the stretching days), then
the most pressing sign a clinician would look for. Sentences come from content/dialog.toml.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from voicecare.report.load import make_report
from voicecare.report.model import Report

log = logging.getLogger(__name__)

SIGN_PROMPTS = (
    ("recurring", "week_see_gp"),
    ("no_improvement", "week_see_gp"),
    ("pain_rising", "week_pain_rising"),
    ("hurt_twice", "week_hurt_twice"),
    ("no_sessions", "week_no_sessions"),
)
"""Which sign is spoken when several fired: the first in this list."""
MAX_SENTENCES = 3


def week_lines(report: Report, texts: Any) -> tuple[str, ...]:
    """The spoken summary of a report of the last 7 days."""
    if report.is_empty:
        return (texts.prompt("week_nothing"),)
    lines: list[str] = []
    spasm_days = sum(1 for d in report.days if d.episode_count)
    if report.episode_count:
        lines.append(texts.prompt("week_spasms", spasms=_count(report.episode_count, "spasm"),
                                  days=_count(spasm_days, "day")))
    else:
        lines.append(texts.prompt("week_no_spasms"))
    rated = [f for f in report.flows if f.before is not None and f.after is not None]
    stretches = texts.prompt("week_stretches", days=sum(1 for d in report.days if d.stretch_done or d.stretch_cut))
    if rated:
        before = _whole(sum(f.before for f in rated) / len(rated))  # type: ignore[misc]
        after = _whole(sum(f.after for f in rated) / len(rated))  # type: ignore[misc]
        lines.append(texts.prompt("week_pain", before=before, after=after))
    else:
        lines.append(stretches)
    fired = {hit.rule.id for hit in report.hits}
    sign = next((key for rule, key in SIGN_PROMPTS if rule in fired), None)
    if sign is not None:
        lines.append(texts.prompt(sign))
    elif stretches not in lines:
        lines.append(stretches)
    return tuple(lines[:MAX_SENTENCES])


class WeekRecap:
    """Reads the journal when the person asks about their week; never raises into the conversation."""

    def __init__(self, journal: Any, texts: Any, programme: Any = None) -> None:
        self.journal = journal
        self.texts = texts
        self.programme = programme

    def __call__(self, wall: datetime) -> tuple[str, ...]:
        try:
            today = (wall.astimezone() if wall.tzinfo else wall).date()
            report = make_report(self.journal, today - timedelta(days=6), today, programme=self.programme,
                                 texts=self.texts, now=wall)
            return week_lines(report, self.texts)
        except Exception:  # the person asked a question: a broken journal must not end the conversation
            log.exception("the week's summary could not be made")
            return (self.texts.prompt("week_unavailable"),)


def _whole(value: float) -> int:
    """A rating rounded as people round it (2.5 is 3), to be spoken."""
    return int(value + 0.5)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"
