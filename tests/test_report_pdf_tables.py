"""The PDF report's tables: every header and cell stays inside its cell on an A4 page, measured as
matplotlib draws the text, for four lived weeks and for a year that runs over several pages."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

pytest.importorskip("matplotlib")

from voicecare.journal import Journal  # noqa: E402
from voicecare.report import pdf_table  # noqa: E402
from voicecare.report.load import make_report  # noqa: E402
from voicecare.report.pdf import MARGIN, write_pdf  # noqa: E402

TODAY = date.today()
START = TODAY - timedelta(days=TODAY.weekday()) - timedelta(weeks=5)


def drawn_tables(journal_file: Path, first: date, last: date, out: Path) -> list[tuple[object, object]]:
    drawn: list[tuple[object, object]] = []
    with Journal.open_read_only(journal_file) as journal:
        report = make_report(journal, first, last)
    write_pdf(report, out, drawn)
    return drawn


def test_four_weeks_every_table_text_stays_inside_its_cell(lived_weeks, tmp_path: Path):
    drawn = drawn_tables(lived_weeks[0], START, START + timedelta(days=27), tmp_path / "report.pdf")
    assert len(drawn) == 5  # week by week, sides, relief flows, exercises, red flags
    for fig, table in drawn:
        assert pdf_table.overflowing(fig, table) == []
    weekly = drawn[0][1].get_celld()
    headers = [weekly[0, col].get_text().get_text() for col in range(9)]
    assert headers[6].replace("\n", " ") == "Reminders answered / snoozed / missed"  # wrapped, not cut
    assert headers[6].count("\n") >= 1 and headers[2].replace("\n", " ") == "Sessions done of started"


def test_a_year_of_tables_continues_on_more_pages_and_stays_inside_its_cells(tmp_path: Path):
    db = tmp_path / "journal.sqlite3"
    first = TODAY - timedelta(days=364)
    with Journal.open(db) as journal:
        for n in range(0, 365, 3):
            day = datetime.combine(first + timedelta(days=n), datetime.min.time()).astimezone() + timedelta(hours=10)
            journal.record("episode", {"muscle": "hip_flexor", "side": "right"}, day)
            journal.record("pain", {"when": "start", "rating": 6}, day)
            journal.record("pain", {"when": "end", "rating": 2}, day + timedelta(minutes=8))
    drawn = drawn_tables(db, first, TODAY, tmp_path / "year.pdf")
    pages = {id(fig) for fig, _ in drawn}
    assert len(drawn) > 3 and len(pages) >= 3  # the long tables go on over pages
    for fig, table in drawn:
        assert pdf_table.overflowing(fig, table) == []
        bottom = table.axes.get_position().y0
        assert bottom >= MARGIN - 1e-6  # inside the page's margin


def test_the_check_sees_a_header_wider_than_its_cell(tmp_path: Path):
    from matplotlib.figure import Figure

    header = ("Week of", "Reminders answered / snoozed / missed")
    rows = (("Mon 2 Nov", "49 / 42 / 42"),)
    fig = Figure(figsize=(3, 1))
    unwrapped = pdf_table.Layout((0.5, 0.5), header, rows)  # as the header was: one line, a narrow column
    table = pdf_table.draw(fig.add_axes((0, 0, 1, 1)), unwrapped, rows)
    assert [line for line in pdf_table.overflowing(fig, table) if "Reminders" in line]
    fig = Figure(figsize=(3, 1))
    laid = pdf_table.layout(header, rows, 3 * 72)
    assert pdf_table.overflowing(fig, pdf_table.draw(fig.add_axes((0, 0, 1, 1)), laid, laid.rows)) == []


def test_wrapping_measures_the_text_and_keeps_words_whole():
    narrow = pdf_table.wrap("Reminders answered / snoozed / missed", 50, bold=True)
    assert narrow.replace("\n", " ") == "Reminders answered / snoozed / missed"
    assert all(pdf_table.text_width(line, bold=True) <= 50 or " " not in line for line in narrow.split("\n"))
    assert pdf_table.text_width("WWWW") > pdf_table.text_width("iiii")  # by shape, not by count
