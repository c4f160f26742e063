"""What the journal accepts: each ``Record`` kind checked and turned into one table row.

Only the listed fields are ever stored; anything else in the data (a transcript, say)
is dropped here, so the journal cannot keep speech it was not meant to keep.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping

from voicecare.messages import RED_FLAG_SEVERITY, Severity

MUSCLES = frozenset({"glute", "hip_flexor", "adductor", "general"})
SIDES = frozenset({"left", "right"})
PAIN_PHASES = frozenset({"start", "end"})
REMINDER_STATES = frozenset({
    "due", "spoken", "snoozed", "acknowledged", "deferred",  # the event-log states (CONTRACT.md)
    "unanswered", "skipped", "enabled", "disabled",  # what the reminders also note for the record
})
REMINDER_KINDS = frozenset({"movement", "hydration"})
RULES = frozenset({"recurring", "persistent"})
MAX_HOLD_SECONDS = 600.0
"""A held stretch preference beyond ten minutes is a mistake, not a preference."""


class BadRecord(ValueError):
    """A record whose kind or data the journal does not accept."""


@dataclass(frozen=True, slots=True)
class Row:
    """One write: an INSERT (or an upsert when ``key`` names the primary key)."""

    table: str
    values: tuple[tuple[str, Any], ...]
    key: str | None = None

    def sql(self) -> str:
        """The statement for this row; upserts replace the earlier value of the same key."""
        columns = ", ".join(name for name, _ in self.values)
        marks = ", ".join("?" for _ in self.values)
        verb = "INSERT OR REPLACE" if self.key else "INSERT"
        return f"{verb} INTO {self.table} ({columns}) VALUES ({marks})"

    def params(self) -> tuple[Any, ...]:
        return tuple(value for _, value in self.values)

    def get(self, name: str) -> Any:
        """The value of one column (None if the row has no such column)."""
        return dict(self.values).get(name)


def local_day(when: datetime) -> str:
    """The person's calendar date for ``when`` (naive times are already local)."""
    local = when if when.tzinfo is None else when.astimezone()
    return local.date().isoformat()


def stamp(when: datetime) -> tuple[tuple[str, Any], ...]:
    """The common time columns of a fact row."""
    return (("ts", when.timestamp()), ("at", when.isoformat()), ("day", local_day(when)))


def to_row(kind: str, data: Mapping[str, Any], when: datetime) -> Row:
    """Check one record and build its row; raise ``BadRecord`` saying what is wrong."""
    if not isinstance(data, Mapping):
        raise BadRecord(f"{kind}: data must be a mapping, not {type(data).__name__}")
    build = _BUILDERS.get(kind)
    if build is None:
        raise BadRecord(f"unknown record kind {kind!r}")
    return build(data, when)


def _episode(data: Mapping[str, Any], when: datetime) -> Row:
    muscle = _choice(data, "muscle", MUSCLES)
    side = _choice(data, "side", SIDES, optional=True)
    return Row("episodes", stamp(when) + (("muscle", muscle), ("side", side)))


def _pain(data: Mapping[str, Any], when: datetime) -> Row:
    if "when" not in data and "routine" in data:
        return _hurt(data, when)
    phase = _choice(data, "when", PAIN_PHASES)
    rating = _number(data, "rating", 0.0, 10.0)
    muscle = _choice(data, "muscle", MUSCLES, optional=True)
    return Row("pain", stamp(when) + (("phase", phase), ("rating", rating), ("muscle", muscle)))


def _hurt(data: Mapping[str, Any], when: datetime) -> Row:
    """"That hurts" during a session: the session's pain record, which carries no rating."""
    routine = _text(data, "routine")
    step = _count(data, "step", optional=True)
    exercise = _text(data, "exercise", optional=True)
    side = _choice(data, "side", SIDES, optional=True)
    return Row("hurts", stamp(when) + (("routine", routine), ("step", step), ("exercise", exercise), ("side", side)))


def _skipped(data: Mapping[str, Any]) -> str | None:
    """Skipped step numbers (1-based) as "2,5", or None when none were skipped."""
    steps = data.get("skipped")
    if steps is None:
        return None
    if not isinstance(steps, (list, tuple)) or any(isinstance(n, bool) or not isinstance(n, int) or n < 1 for n in steps):
        raise BadRecord(f"session: 'skipped' must be a list of step numbers, not {steps!r}")
    return ",".join(str(n) for n in steps) or None


def _session(data: Mapping[str, Any], when: datetime) -> Row:
    routine = _text(data, "routine")
    done = _count(data, "steps_done")
    total = _count(data, "steps_total", optional=True)
    completed = data.get("completed")
    if not isinstance(completed, bool):
        raise BadRecord(f"session: 'completed' must be true or false, not {completed!r}")
    state = _text(data, "state", optional=True)
    return Row(
        "sessions",
        stamp(when)
        + (("routine", routine), ("steps_done", done), ("steps_total", total), ("completed", int(completed)), ("state", state))
        + (("skipped", _skipped(data)),),
    )


ESCALATED_WITHOUT_A_FLAG: Mapping[str, Severity] = {"help": Severity.URGENT, "pain.severe": Severity.URGENT}
"""Escalations that are not a red-flag intent: a "yes" to "Do you need help?", and severe pain in a
session. The person was told to get help, so the journal (and the GP's report) must hold them too."""


def _red_flag(data: Mapping[str, Any], when: datetime) -> Row:
    known = {**RED_FLAG_SEVERITY, **ESCALATED_WITHOUT_A_FLAG}
    flag = _choice(data, "flag", frozenset(known))
    given = data.get("severity")
    if given is None:
        severity = known[flag].value
    else:
        severity = _choice(data, "severity", frozenset(s.value for s in Severity))
    return Row("red_flags", stamp(when) + (("flag", flag), ("severity", severity)))


def _reminder(data: Mapping[str, Any], when: datetime) -> Row:
    state = _choice(data, "state", REMINDER_STATES)
    kinds = data.get("kinds")
    if "kind" not in data and isinstance(kinds, (list, tuple)) and kinds:
        # One spoken reminder may cover movement and water at once: it is one reminder.
        data = {**data, "kind": "movement" if "movement" in kinds else kinds[0]}
    kind = _choice(data, "kind", REMINDER_KINDS, optional=True) or "movement"
    return Row("reminders", stamp(when) + (("state", state), ("kind", kind)))


def _preference(data: Mapping[str, Any], when: datetime) -> Row:
    exercise = _text(data, "exercise")
    seconds = _number(data, "hold_seconds", 0.0, MAX_HOLD_SECONDS)
    if seconds <= 0:
        raise BadRecord("preference: 'hold_seconds' must be more than 0")
    return Row("preferences", (("exercise", exercise), ("hold_seconds", seconds), ("ts", when.timestamp())), key="exercise")


def _pattern(data: Mapping[str, Any], when: datetime) -> Row:
    return Row("patterns", stamp(when) + (("rule", _choice(data, "rule", RULES)),))


def state_row(key: str, value: Mapping[str, Any], when: datetime) -> Row:
    """The upsert for one key of the small key/value ``state`` table."""
    if not isinstance(key, str) or not key:
        raise BadRecord("state: the key must be a non-empty string")
    if not isinstance(value, Mapping):
        raise BadRecord(f"state {key!r}: the value must be a mapping, not {type(value).__name__}")
    try:
        text = json.dumps(dict(value), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        raise BadRecord(f"state {key!r}: the value cannot be stored as JSON ({exc})") from None
    return Row("state", (("key", key), ("value", text), ("ts", when.timestamp())), key="key")


_BUILDERS = {
    "episode": _episode,
    "pain": _pain,
    "session": _session,
    "red_flag": _red_flag,
    "reminder": _reminder,
    "preference": _preference,
    "pattern": _pattern,
}
KINDS = frozenset(_BUILDERS)
"""Every record kind the journal accepts."""


def _choice(data: Mapping[str, Any], name: str, allowed: frozenset[str], optional: bool = False) -> str | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if value not in allowed:
        raise BadRecord(f"{name!r} must be one of {', '.join(sorted(allowed))}, not {value!r}")
    return value


def _text(data: Mapping[str, Any], name: str, optional: bool = False) -> str | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip():
        raise BadRecord(f"{name!r} must be a non-empty string, not {value!r}")
    return value


def _number(data: Mapping[str, Any], name: str, low: float, high: float) -> float:
    value = data.get(name)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low <= value <= high:
        raise BadRecord(f"{name!r} must be a number from {low:g} to {high:g}, not {value!r}")
    return float(value)


def _count(data: Mapping[str, Any], name: str, optional: bool = False) -> int | None:
    value = data.get(name)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise BadRecord(f"{name!r} must be a whole number of 0 or more, not {value!r}")
    return value
