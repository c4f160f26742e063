"""The report as an A4 PDF, with matplotlib's PdfPages: a summary page, a page of charts, then the tables.

The text and tables are those of the HTML report (``voicecare.report.tables``), laid out top
to bottom and continued on a new page when a page is full.
"""

from __future__ import annotations

import logging
import textwrap
from pathlib import Path
from typing import Any

from voicecare.errors import VoicecareError
from voicecare.report import charts, pdf_table, tables
from voicecare.report.model import Report

log = logging.getLogger(__name__)

A4_INCHES = (8.27, 11.69)
MARGIN = 0.06
"""Page margin, as a fraction of the page."""
LINE = 0.0165
"""Height of one line of body text, as a fraction of the page height."""
ROW = 0.0185
"""Height of one table row."""
WRAP = 100
"""Characters per line of body text."""
KEEP_TOGETHER_LINES = 12
"""A table of at most this many lines starts on a new page rather than being split."""


def write_pdf(report: Report, path: Path, drawn: list[tuple[Any, Any]] | None = None) -> int:
    """Write the PDF to ``path``; return its number of pages. ``drawn`` collects each table with its page."""
    if not charts.available():
        raise VoicecareError("a PDF report needs matplotlib, which is not installed",
                             f"install it with {charts.INSTALL_HINT}, or leave out --pdf for an HTML report")
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path, metadata={"Title": f"Hip spasm report, {tables.period_label(report)}",
                                  "Creator": "voicecare"}) as pdf:
        flow = _Flow(pdf, drawn)
        _summary(flow, report)
        flow.finish()
        _charts_page(pdf, report)
        flow = _Flow(pdf, drawn)
        for table in tables.all_tables(report)[1:]:  # the weekly table is on the first page
            flow.table(table)
        flow.text(tables.PRIVACY, size=8, colour="#555555")
        flow.finish()
        return pdf.get_pagecount()


def _summary(flow: _Flow, report: Report) -> None:
    flow.text("Hip spasm report", size=18, bold=True)
    flow.text(tables.period_label(report), size=12)
    flow.text(f"Made {tables.time_label(report.made)}. {tables.DISCLAIMER}", size=8, colour="#555555")
    flow.space()
    for note in report.notes:
        flow.text(note, colour="#9a3412")
    if report.is_empty:
        flow.text("Nothing was recorded in these days.", colour="#9a3412")
    signs = tables.signs(report)
    flow.text(signs.title if not signs.rows else "Signs to discuss with a GP or physiotherapist", size=13, bold=True)
    if not signs.rows:
        flow.text(signs.empty)
    for title, days, detail in signs.rows:
        flow.text(f"\u2022 {title}: seen on {days}. {detail}", colour="#9a3412")
    flow.space()
    flow.text("In short", size=13, bold=True)
    for label, value in tables.key_figures(report):
        flow.text(f"{label}: {value}")
    flow.space()
    flow.table(tables.weekly(report))


def _charts_page(pdf: Any, report: Report) -> None:
    fig = charts.figure(*A4_INCHES)
    fig.get_layout_engine().set(rect=(MARGIN, MARGIN, 1 - 2 * MARGIN, 1 - 2 * MARGIN))
    axes = fig.subplots(len(charts.CHARTS), 1)
    for ax, (_, _, draw) in zip(axes, charts.CHARTS):
        draw(ax, report)
    pdf.savefig(fig)


class _Flow:
    """Lays text and tables down A4 pages, starting a new page when the current one is full."""

    def __init__(self, pdf: Any, drawn: list[tuple[Any, Any]] | None = None) -> None:
        self.pdf = pdf
        self.drawn = drawn
        """Each table drawn, with its page, when the caller wants to look at them."""
        self.fig: Any = None
        self.y = 0.0

    def _room(self, height: float) -> None:
        if self.fig is None or self.y - height < MARGIN:
            self.finish()
            self.fig = charts.figure(*A4_INCHES)
            self.fig.set_layout_engine("none")
            self.y = 1 - MARGIN

    def finish(self) -> None:
        if self.fig is not None:
            self.pdf.savefig(self.fig)
            self.fig = None

    def space(self) -> None:
        self.y -= LINE * 0.6

    def text(self, text: str, *, size: float = 9.5, bold: bool = False, colour: str = "#1d232a") -> None:
        scale = size / 9.5
        for line in textwrap.wrap(text, int(WRAP / scale)) or [""]:
            self._room(LINE * scale)
            self.y -= LINE * scale
            self.fig.text(MARGIN, self.y, line, fontsize=size, fontweight="bold" if bold else "normal",
                          color=colour, va="bottom")

    def table(self, table: tables.Table) -> None:
        if not table.rows:
            self._room(LINE * 3)
            self.text(table.title, size=12, bold=True)
            self.text(table.empty)
            self.space()
            return
        laid = pdf_table.layout(table.header, table.rows, (1 - 2 * MARGIN) * A4_INCHES[0] * 72)
        head = _row_height(laid.header)
        whole = head + sum(_row_height(row) for row in laid.rows)
        if whole <= ROW * KEEP_TOGETHER_LINES and self.y - whole - LINE * 3 < MARGIN:
            self.finish()  # a short table is not split across pages
        self._room(LINE * 3 + head + ROW)
        self.text(table.title, size=12, bold=True)
        start = 0
        while start < len(laid.rows):
            self._room(head + ROW * 2)
            chunk, height = [], head
            for row in laid.rows[start:]:
                if chunk and self.y - height - _row_height(row) < MARGIN:
                    break
                chunk.append(row)
                height += _row_height(row)
            ax = self.fig.add_axes((MARGIN, self.y - height, 1 - 2 * MARGIN, height))
            ax.axis("off")
            drawn = pdf_table.draw(ax, laid, chunk)
            if self.drawn is not None:
                self.drawn.append((self.fig, drawn))
            self.y -= height + LINE * 0.6
            start += len(chunk)
            if start < len(laid.rows):
                self.finish()


def _row_height(row: tuple[str, ...]) -> float:
    """A table row's height, as a fraction of the page's."""
    return pdf_table.height_points(pdf_table.Layout.lines(row)) / (A4_INCHES[1] * 72)
