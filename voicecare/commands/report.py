"""``voicecare report``: a self-contained HTML (or PDF) report for the person and their physiotherapist."""

from __future__ import annotations

import argparse
import logging
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from voicecare.commands.history import default_journal_path
from voicecare.errors import BadInputError, ContentError
from voicecare.journal.summary import week_start
from voicecare.report import charts
from voicecare.report.files import write_private
from voicecare.report.load import make_report, open_for_report

log = logging.getLogger(__name__)

NAME = "report"
DEFAULT_WEEKS = 4
"""Without --week or --from, the report covers this many weeks (Monday first), as ``history`` does."""


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="a report with charts for the person and their physiotherapist (HTML or PDF)")
    span = p.add_mutually_exclusive_group()
    span.add_argument("--week", action="store_true", help="the last 7 days, today included")
    span.add_argument("--from", dest="first", type=_date, metavar="DATE", help="first day, like 2026-11-02")
    p.add_argument("--to", dest="last", type=_date, metavar="DATE", help="last day (default: today)")
    p.add_argument("--pdf", action="store_true", help="write a PDF (A4) instead of HTML (also when --out ends in .pdf)")
    p.add_argument("--out", required=True, metavar="FILE", help="the file to write (readable by its owner only)")
    p.add_argument("--db", metavar="PATH", help="journal file (default: the data directory)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    first, last = period(args.week, args.first, args.last, date.today())
    explicit = args.db is not None
    path = Path(args.db) if explicit else default_journal_path(getattr(args, "config", None))
    if explicit and not path.exists():
        raise BadInputError(f"there is no journal at {path}", "check the --db path")
    programme, texts, number = _content(args)
    journal, notes = open_for_report(path)
    with journal:
        report = make_report(journal, first, last, programme=programme, texts=texts, emergency_number=number,
                             notes=notes)
    out = Path(args.out)
    if args.pdf or out.suffix.lower() == ".pdf":
        from voicecare.report.pdf import write_pdf

        pages = write_private(out, lambda target: write_pdf(report, target))
        detail = f"{pages} pages"
    else:
        from voicecare.report.html import render

        text = render(report)
        write_private(out, lambda target: target.write_text(text, encoding="utf-8"))
        detail = "with charts" if charts.available() else f"without charts: {charts.INSTALL_HINT}"
    days = (last - first).days + 1
    print(f"Report of {days} day{'s' if days != 1 else ''} ({first} to {last}, {detail}) written to {out}")
    return 0


def period(week: bool, first: date | None, last: date | None, today: date) -> tuple[date, date]:
    """The report's first and last day from the options; a clear error for an impossible span."""
    if week:
        if last is not None:
            raise BadInputError("--week cannot be combined with --to", "use --from and --to for other days")
        return today - timedelta(days=6), today
    end = last or today
    start = first or week_start(end) - timedelta(weeks=DEFAULT_WEEKS - 1)
    if start > end:
        raise BadInputError(f"--from {start} is after --to {end}", "give the earlier day first")
    if (end - start).days > 3 * 366:
        raise BadInputError(f"{start} to {end} is more than three years", "choose a shorter span")
    return start, end


def _content(args: argparse.Namespace) -> tuple[Any, Any, str]:
    """Exercise and routine names, the advice given for each red flag, and the emergency number."""
    try:
        from voicecare.commands._common import config_from
        from voicecare.content.exercises import load_exercises
        from voicecare.content.texts import load_texts

        config = config_from(args)
        folder = Path(config.paths.content_dir)
        return load_exercises(folder), load_texts(folder), config.safety.emergency_number
    except ContentError as exc:
        log.warning("report: content could not be loaded (%s); names and advice are left out", exc)
        return None, None, "999"


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date; write it like 2026-11-02") from None
