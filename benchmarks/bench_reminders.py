"""Reminder and configuration cost: a year of reminders on a virtual clock, one tick, config loading."""

from __future__ import annotations

import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from voicecare.config import load_config
from voicecare.content.reminder_texts import load_reminder_texts
from voicecare.core.actions import Heard, ReminderChanged, Tick
from voicecare.core.reminders import ReminderSettings, Reminders, ReminderState
from voicecare.messages import Understanding

ZONE = ZoneInfo("Europe/London")
DAYS = 365


def simulate_year() -> tuple[float, int, int]:
    """Drive a year of hourly reminders (answered "done" half the time); seconds, ticks, reminders."""
    reminders = Reminders(ReminderSettings(hydration=True, days_off=("sunday",)), load_reminder_texts())
    mono = 0.0
    start = datetime(2025, 1, 6, 7, 0, tzinfo=ZONE).astimezone(timezone.utc)
    end = DAYS * 86400.0
    ticks = spoken = 0
    began = time.perf_counter()
    while mono < end:
        wall = (start + timedelta(seconds=mono)).astimezone(ZONE)
        deadline = reminders.next_deadline(mono, wall)
        mono = end if deadline is None else max(mono, deadline)
        wall = (start + timedelta(seconds=mono)).astimezone(ZONE)
        actions = reminders.handle(Tick(), mono, wall, busy=False) or []
        ticks += 1
        if ReminderChanged("spoken") in actions:
            spoken += 1
            if spoken % 2:
                reminders.handle(Heard(Understanding("done", "reminder.done", 1.0)), mono + 5, wall + timedelta(seconds=5))
    return time.perf_counter() - began, ticks, spoken


def time_call(call, repeat: int) -> float:
    """Median microseconds of ``call()``."""
    samples = []
    for _ in range(repeat):
        began = time.perf_counter()
        call()
        samples.append((time.perf_counter() - began) * 1e6)
    return statistics.median(samples)


def main() -> None:
    seconds, ticks, spoken = simulate_year()
    reminders = Reminders(ReminderSettings(), load_reminder_texts(),
                          ReminderState(enabled=True, next_due="2030-01-01T09:00:00+00:00"))
    wall = datetime(2025, 6, 2, 12, 0, tzinfo=ZONE)
    tick_us = time_call(lambda: reminders.handle(Tick(), 100.0, wall, busy=False), 2000)
    deadline_us = time_call(lambda: reminders.next_deadline(100.0, wall), 2000)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "config.toml"
        path.write_text('[audio]\nvolume = 0.8\n[reminders]\nquiet_start = "21:30"\ndays_off = ["sunday"]\n')
        absent = Path(folder) / "absent.toml"
        config_us = time_call(lambda: load_config(path, system=absent, user=absent, env={"LANG": "en_GB.UTF-8"}), 200)
    rows = [
        ("year of reminders, virtual clock", f"{seconds:.2f} s", f"{ticks} ticks, {spoken} spoken"),
        ("handle(Tick) with nothing due", f"{tick_us:.1f} us", "median of 2000"),
        ("next_deadline()", f"{deadline_us:.1f} us", "median of 2000"),
        ("load_config (one file)", f"{config_us / 1000:.2f} ms", "median of 200"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  {'value':>10}  notes")
    for name, value, note in rows:
        print(f"{name:<{width}}  {value:>10}  {note}")


if __name__ == "__main__":
    main()
