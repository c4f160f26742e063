"""``voicecare history``: what the journal holds, week by week."""

from __future__ import annotations

import argparse
import json
import logging
from datetime import datetime
from pathlib import Path
from typing import Sequence

import platformdirs

from voicecare.errors import BadInputError
from voicecare.journal import Journal, WeekSummary

log = logging.getLogger(__name__)

NAME = "history"
JOURNAL_FILE = "journal.sqlite3"
MUSCLE_NAMES = {"glute": "glute", "hip_flexor": "hip flexor", "adductor": "adductor", "general": "general"}
SEVERITY_ORDER = ("emergency", "urgent", "routine")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="what the journal holds: episodes, sessions, red flags, reminders per week")
    p.add_argument("--weeks", type=_positive, default=4, metavar="N", help="how many weeks back (default 4)")
    p.add_argument("--json", action="store_true", help="one JSON object instead of a table")
    p.add_argument("--db", metavar="PATH", help="journal file (default: the data directory)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    explicit = args.db is not None
    path = Path(args.db) if explicit else default_journal_path(getattr(args, "config", None))
    if not path.exists():
        if explicit:
            raise BadInputError(f"there is no journal at {path}", "check the --db path")
        _print_empty(args, path, args.weeks)
        return 0
    with Journal.open_read_only(path) as journal:
        weeks = journal.history(datetime.now(), args.weeks)
    if args.json:
        print(json.dumps({"journal": str(path), "weeks": [week.to_json() for week in weeks]}, indent=2))
    elif all(week.is_empty for week in weeks):
        _print_empty(args, path, args.weeks)
    else:
        print(format_table(weeks))
    return 0


def default_journal_path(config_file: str | None = None) -> Path:
    """The journal in the configured data directory, or the platform's user data directory."""
    try:
        from voicecare.config import load_config  # optional: a bare install has only the platform default
    except ModuleNotFoundError as exc:
        if exc.name != "voicecare.config":
            raise
        return Path(platformdirs.user_data_dir("voicecare")) / JOURNAL_FILE
    return Path(load_config(Path(config_file) if config_file else None).paths.data_dir) / JOURNAL_FILE


def format_table(weeks: Sequence[WeekSummary]) -> str:
    """A plain-text table, one line per week, newest last."""
    header = ("Week of", "Episodes", "Sessions", "Red flags", "Reminders", "Pain start → end")
    rows = [header] + [_cells(week) for week in weeks]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = ["  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows]
    lines.insert(1, "  ".join("-" * width for width in widths))
    return "\n".join(lines)


def _cells(week: WeekSummary) -> tuple[str, ...]:
    if week.episode_count:
        parts = ", ".join(f"{MUSCLE_NAMES.get(m, m)} {n}" for m, n in sorted(week.episodes.items()))
        episodes = f"{week.episode_count} ({parts})"
    else:
        episodes = "-"
    sessions = f"{week.sessions_completed} of {week.sessions_started} done" if week.sessions_started else "-"
    flags = ", ".join(f"{week.red_flags[s]} {s}" for s in SEVERITY_ORDER if week.red_flags.get(s)) or "-"
    if week.reminders_spoken or week.reminders_acknowledged:
        reminders = f"{week.reminders_spoken} spoken, {week.reminders_acknowledged} acknowledged"
    else:
        reminders = "-"
    if week.pain_start_average is None and week.pain_end_average is None:
        pain = "-"
    else:
        pain = f"{_rating(week.pain_start_average)} → {_rating(week.pain_end_average)}"
    return (week.week_start.isoformat(), episodes, sessions, flags, reminders, pain)


def _rating(value: float | None) -> str:
    return "?" if value is None else f"{value:.1f}"


def _print_empty(args: argparse.Namespace, path: Path, weeks: int) -> None:
    if args.json:
        print(json.dumps({"journal": str(path), "weeks": []}, indent=2))
    else:
        print(f"Nothing recorded yet in the last {weeks} week{'s' if weeks != 1 else ''}.")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("it must be 1 or more")
    return value
