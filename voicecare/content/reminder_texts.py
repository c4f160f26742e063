"""The spoken lines of movement and water reminders, read from content/reminders.toml."""

from __future__ import annotations

import string
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

from voicecare.content.loader import DEFAULT_CONTENT_DIR, Entry, file_entry

REMINDERS_FILE = "reminders.toml"

PLACEHOLDERS: Mapping[str, frozenset[str]] = MappingProxyType({
    "movement": frozenset(),
    "hydration": frozenset(),
    "offer": frozenset(),
    "accepted": frozenset(),
    "snoozed": frozenset({"minutes"}),
    "acknowledged": frozenset({"interval"}),
    "declined": frozenset({"interval"}),
    "enabled": frozenset({"interval"}),
    "disabled": frozenset(),
    "already_off": frozenset(),
})
"""Every key of reminders.toml and the placeholders each may use."""


@dataclass(frozen=True, slots=True)
class ReminderTexts:
    """What a reminder says; ``{minutes}`` / ``{interval}`` are spoken durations ("an hour")."""

    movement: tuple[str, ...]
    hydration: tuple[str, ...]
    offer: str
    accepted: str
    snoozed: str
    acknowledged: str
    declined: str
    enabled: str
    disabled: str
    already_off: str


def load_reminder_texts(content_dir: Path = DEFAULT_CONTENT_DIR) -> ReminderTexts:
    """Read and check reminders.toml once per content folder."""
    return _load(Path(content_dir).resolve())


@lru_cache(maxsize=4)
def _load(content_dir: Path) -> ReminderTexts:
    entry = file_entry(content_dir / REMINDERS_FILE)
    values: dict[str, str | tuple[str, ...]] = {}
    for key, allowed in PLACEHOLDERS.items():
        if key in ("movement", "hydration"):
            lines = entry.lines(key)
        else:
            lines = (entry.str(key).strip(),)
        for line in lines:
            _check_placeholders(entry, key, line, allowed)
        values[key] = lines if key in ("movement", "hydration") else lines[0]
    entry.done()
    return ReminderTexts(**values)  # type: ignore[arg-type]


def _check_placeholders(entry: Entry, key: str, line: str, allowed: frozenset[str]) -> None:
    """Reject unknown ``{names}`` and unpaired braces before anything is spoken."""
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(line) if name is not None}
    except ValueError:
        raise entry.error(f"'{key}' has an unpaired {{ or }}", "write placeholders as {name}") from None
    unknown = sorted(names - allowed)
    if unknown:
        hint = f"use only {', '.join('{' + a + '}' for a in sorted(allowed))}" if allowed else "remove it: this line takes no placeholders"
        raise entry.error(f"'{key}' uses the unknown placeholder {{{unknown[0]}}}", hint)
