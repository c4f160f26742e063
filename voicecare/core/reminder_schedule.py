"""The reminder schedule as configured (interval, snooze, quiet hours, days off, water) and
the part of it that survives a restart (on/off and the next due times)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import datetime, time, timedelta
from typing import Any, Mapping

WEEKDAYS: tuple[str, ...] = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""Weekday names as ``days_off`` spells them, Monday first (``datetime.weekday()`` order)."""

MOVEMENT = "movement"
HYDRATION = "hydration"


@dataclass(frozen=True, slots=True)
class ReminderSettings:
    """The reminder schedule from the configuration (minutes, local times of day)."""

    enabled: bool = True
    interval_minutes: float = 60.0
    """Minutes between movement reminders (the guide: move for 5-10 minutes every hour)."""
    snooze_minutes: float = 10.0
    """Minutes that "remind me later" postpones a reminder by."""
    quiet_start: time = time(22, 0)
    """Local time when quiet hours begin (no reminders until ``quiet_end``)."""
    quiet_end: time = time(8, 0)
    """Local time when quiet hours end; equal to ``quiet_start`` means no quiet hours."""
    days_off: tuple[str, ...] = ()
    """Lower-case weekday names with no reminders at all."""
    hydration: bool = False
    """Also remind the person to drink water."""
    hydration_interval_minutes: float = 60.0
    """Minutes between water reminders."""

    def __post_init__(self) -> None:
        if self.interval_minutes <= 0 or self.snooze_minutes <= 0 or self.hydration_interval_minutes <= 0:
            raise ValueError("reminder intervals must be positive minutes")
        unknown = [d for d in self.days_off if d not in WEEKDAYS]
        if unknown:
            raise ValueError(f"unknown weekday {unknown[0]!r} in days_off")

    def interval(self, kind: str) -> timedelta:
        """The time between two reminders of ``kind``."""
        minutes = self.hydration_interval_minutes if kind == HYDRATION else self.interval_minutes
        return timedelta(minutes=minutes)

    def kinds(self) -> tuple[str, ...]:
        """The kinds of reminder this schedule plays."""
        return (MOVEMENT, HYDRATION) if self.hydration else (MOVEMENT,)

    def in_quiet_hours(self, moment: time) -> bool:
        """Whether a local time of day falls in quiet hours (which may cross midnight)."""
        start, end = self.quiet_start, self.quiet_end
        if start == end:
            return False
        if start < end:
            return start <= moment < end
        return moment >= start or moment < end


@dataclass(frozen=True, slots=True)
class ReminderState:
    """What must survive a restart: on/off and the next due times (wall-clock ISO 8601)."""

    enabled: bool
    next_due: str | None = None
    snoozed: bool = False
    last_spoken: str | None = None
    hydration_due: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict for the state file or journal."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ReminderState":
        """Rebuild from ``to_dict()`` output; raises ValueError on a damaged record."""
        if not isinstance(data.get("enabled"), bool):
            raise ValueError("reminder state: 'enabled' must be true or false")
        values: dict[str, Any] = {"enabled": data["enabled"], "snoozed": bool(data.get("snoozed", False))}
        for name in ("next_due", "last_spoken", "hydration_due"):
            value = data.get(name)
            if value is not None:
                _parse_wall(value, name)
            values[name] = value
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in values.items() if k in known})


def _parse_wall(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValueError(f"reminder state: {name!r} must be an ISO 8601 timestamp")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"reminder state: {name!r} is {value!r}, not an ISO 8601 timestamp") from None
    if parsed.tzinfo is None:
        raise ValueError(f"reminder state: {name!r} has no UTC offset")
    return parsed
