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
from voicecare.report import charts, tables
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
TABLE_CHARS = 105
"""Characters of table text across the page, at the table's font size."""
KEEP_TOGETHER_LINES = 12
"""A table of at most this many lines starts on a new page rather than being split."""


def write_pdf(report: Report, path: Path) -> int:
    """Write the PDF to ``path``; return its number of pages."""
    if not charts.available():
        raise VoicecareError("a PDF report needs matplotlib, which is not installed",
                             f"install it with {charts.INSTALL_HINT}, or leave out --pdf for an HTML report")
    from matplotlib.backends.backend_pdf import PdfPages

    with PdfPages(path, metadata={"Title": f"Hip spasm report, {tables.period_label(report)}",
                                  "Creator": "voicecare"}) as pdf:
        flow = _Flow(pdf)
        _summary(flow, report)
        flow.finish()
        _charts_page(pdf, report)
        flow = _Flow(pdf)
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

    def __init__(self, pdf: Any) -> None:
        self.pdf = pdf
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
        widths = _widths(table)
        rows = [tuple(_wrap(cell, w) for cell, w in zip(row, widths)) for row in table.rows]
        lines = sum(max(cell.count("\n") + 1 for cell in row) for row in rows)
        if lines <= KEEP_TOGETHER_LINES and self.y - ROW * (lines + 3) < MARGIN:
            self.finish()  # a short table is not split across pages
        self._room(LINE * 3 + ROW * 2)
        self.text(table.title, size=12, bold=True)
        start = 0
        while start < len(rows):
            self._room(ROW * 3)
            fits = max(1, int((self.y - MARGIN) / ROW) - 2)
            chunk, taken = [], 0
            for row in rows[start:]:
                lines = max(cell.count("\n") + 1 for cell in row)
                if chunk and taken + lines > fits:
                    break
                chunk.append(row)
                taken += lines
            header = tuple(_wrap(cell, w) for cell, w in zip(table.header, widths))
            head_lines = max(cell.count("\n") + 1 for cell in header)
            height = ROW * (taken + head_lines)
            ax = self.fig.add_axes((MARGIN, self.y - height, 1 - 2 * MARGIN, height))
            ax.axis("off")
            drawn = ax.table(cellText=[list(r) for r in chunk], colLabels=list(header), loc="upper left",
                             cellLoc="left", colLoc="left", colWidths=[(w + 3) / sum(x + 3 for x in widths) for w in widths],
                             bbox=(0, 0, 1, 1))
            drawn.auto_set_font_size(False)
            drawn.set_fontsize(7.5)
            for (row, _), cell in drawn.get_celld().items():
                cell.set_edgecolor("#d9dee3")
                if row == 0:
                    cell.set_facecolor("#eef1f4")
                    cell.set_text_props(fontweight="bold")
            self.y -= height + LINE * 0.6
            start += len(chunk)
            if start < len(rows):
                self.finish()


def _widths(table: tables.Table) -> list[int]:
    """Characters per column: the longest cell (capped), narrowed from the widest until the row fits the page."""
    columns = range(len(table.header))
    words = [max(len(word) for cell in [table.header[i], *(row[i] for row in table.rows)] for word in (cell.split() or [""]))
             for i in columns]
    widths = [max(words[i], min(40, max(len(row[i]) for row in table.rows))) for i in columns]
    while sum(widths) > TABLE_CHARS:
        widest = max(columns, key=lambda i: widths[i] - words[i])
        if widths[widest] <= words[widest]:
            break
        widths[widest] -= 1
    return widths


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width)) or text
