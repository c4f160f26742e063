"""A table of the PDF report laid out by the width of its text as drawn, so no word leaves its cell.

Counting characters misjudges bold headers and wide letters ("Sessions completed" ran into the next
column); here every cell is wrapped to its column by the width matplotlib measures for it, and each
row is as tall as its tallest cell.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Sequence

FONT_SIZE = 7.5
PAD = 0.1
"""matplotlib's cell padding: text starts this fraction of the cell's width from its left edge."""
MAX_LINE_POINTS = 150.0
"""The widest a column grows for a long cell before it wraps."""
LINE_HEIGHT = 1.35
"""Height of one line of table text, in font sizes (cells add a little above and below)."""


@lru_cache(maxsize=4096)
def text_width(text: str, size: float = FONT_SIZE, bold: bool = False) -> float:
    """Width of ``text`` drawn in the table's font, in points (the widest of its lines)."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    prop = FontProperties(size=size, weight="bold" if bold else "normal")
    measure = TextToPath()
    return max((measure.get_text_width_height_descent(line, prop, ismath=False)[0] for line in text.split("\n")),
               default=0.0)


def wrap(text: str, points: float, size: float = FONT_SIZE, bold: bool = False) -> str:
    """``text`` broken between words so each line is at most ``points`` wide (a longer word stays whole)."""
    lines: list[str] = []
    for word in text.split():
        if lines and text_width(f"{lines[-1]} {word}", size, bold) <= points:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return "\n".join(lines) or text


@dataclass(frozen=True, slots=True)
class Layout:
    """Column widths (fractions of the table's width) and the wrapped header and rows."""

    columns: tuple[float, ...]
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]

    @staticmethod
    def lines(row: Sequence[str]) -> int:
        return max(cell.count("\n") + 1 for cell in row)


def layout(header: Sequence[str], rows: Sequence[Sequence[str]], width_points: float,
           size: float = FONT_SIZE) -> Layout:
    """Columns as wide as their longest word at least and their longest cell at most, the widest
    narrowed a point at a time until they fit ``width_points``; every cell wrapped to its column."""
    count = len(header)
    text_share = 1 - 2 * PAD
    least = [max([text_width(w, size, True) for w in header[i].split()]
                 + [text_width(w, size) for row in rows for w in row[i].split()] + [1.0]) for i in range(count)]
    most = [min(MAX_LINE_POINTS, max([text_width(row[i], size) for row in rows] + [least[i]])) for i in range(count)]
    want = [max(a, b) for a, b in zip(least, most)]
    room = width_points * text_share
    while sum(want) > room:
        can_narrow = [i for i in range(count) if want[i] > least[i]]
        if not can_narrow:
            break  # the longest words alone are wider than the page: let them be as narrow as they go
        widest = max(can_narrow, key=lambda i: want[i])
        want[widest] -= min(want[widest] - least[widest], 1.0)
    total = sum(want)
    extra = max(0.0, room - total) / count
    text_points = [w + extra for w in want]
    wrapped_header = tuple(wrap(h, text_points[i], size, True) for i, h in enumerate(header))
    wrapped_rows = tuple(tuple(wrap(cell, text_points[i], size) for i, cell in enumerate(row)) for row in rows)
    scale = sum(text_points)
    return Layout(tuple(p / scale for p in text_points), wrapped_header, wrapped_rows)


def height_points(lines: int, size: float = FONT_SIZE) -> float:
    """Height of a row of ``lines`` lines."""
    return (lines * LINE_HEIGHT + 0.9) * size


def draw(ax: Any, table: Layout, rows: Sequence[Sequence[str]], size: float = FONT_SIZE) -> Any:
    """The header and ``rows`` (some of ``table.rows``) in ``ax``, each row as tall as its text."""
    drawn = ax.table(cellText=[list(r) for r in rows], colLabels=list(table.header), loc="upper left",
                     cellLoc="left", colLoc="left", colWidths=list(table.columns), bbox=(0, 0, 1, 1))
    drawn.auto_set_font_size(False)
    drawn.set_fontsize(size)
    heights = [height_points(Layout.lines(table.header), size)] + [height_points(Layout.lines(r), size) for r in rows]
    for (row, _), cell in drawn.get_celld().items():
        cell.set_height(heights[row])  # relative: the bounding box scales them all to fit
        cell.set_edgecolor("#d9dee3")
        cell.PAD = PAD
        if row == 0:
            cell.set_facecolor("#eef1f4")
            cell.set_text_props(fontweight="bold")
    return drawn


def overflowing(fig: Any, drawn: Any) -> list[str]:
    """The texts of ``drawn`` that reach outside their cell, drawn as the PDF draws them (empty when none)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    out = []
    for (row, col), cell in drawn.get_celld().items():
        box = cell.get_window_extent(renderer)
        text = cell.get_text()
        if not text.get_text():
            continue
        ink = text.get_window_extent(renderer)
        if ink.x0 < box.x0 - 0.5 or ink.x1 > box.x1 + 0.5 or ink.y0 < box.y0 - 0.5 or ink.y1 > box.y1 + 0.5:
            out.append(f"row {row} column {col}: {text.get_text()!r}")
    return out
