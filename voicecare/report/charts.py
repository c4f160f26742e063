"""The report's charts, drawn with matplotlib (an optional extra: ``pip install 'voicecare[report]'``).

Each chart draws onto an ``Axes`` it is given, so the HTML (one PNG per chart) and the PDF
(all charts on one A4 page) show the same pictures. matplotlib is imported only when a chart
is drawn, with its non-interactive Agg backend: no display is needed.
"""

from __future__ import annotations

import io
import logging
from datetime import date, datetime, time, timedelta
from typing import Any, Callable

from voicecare.report.model import MUSCLE_NAMES, MUSCLES, Report

log = logging.getLogger(__name__)

INSTALL_HINT = "pip install 'voicecare[report]'"
"""How to get the charts when matplotlib is missing."""
# Okabe-Ito: distinguishable with the common kinds of colour blindness, and in greyscale print.
MUSCLE_COLOURS = {"hip_flexor": "#0072B2", "glute": "#E69F00", "adductor": "#009E73", "general": "#999999"}
BEFORE, AFTER, TREND = "#D55E00", "#009E73", "#555555"
STRETCH_DONE, STRETCH_CUT, STRENGTH_DONE, OTHER = "#0072B2", "#56B4E9", "#CC79A7", "#BBBBBB"
ANSWERED, SNOOZED, MISSED, HYDRATION = "#009E73", "#E69F00", "#D55E00", "#56B4E9"
PNG_DPI = 144
WIDE = (8.0, 2.9)
"""Inches of a chart on a wide screen or on paper."""
NARROW = (4.4, 3.3)
"""Inches of a chart on a phone: fewer days per inch, so the same fonts read larger."""


def available() -> bool:
    """True when matplotlib can be imported."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        return False
    return True


def figure(width_inches: float, height_inches: float) -> Any:
    """A matplotlib Figure not tied to any window or global pyplot state."""
    from matplotlib.figure import Figure

    return Figure(figsize=(width_inches, height_inches), layout="constrained")


def png(draw: Callable[[Any, Report], None], report: Report, size: tuple[float, float] = WIDE) -> bytes:
    """One chart as PNG bytes."""
    fig = figure(*size)
    draw(fig.add_subplot(), report)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=PNG_DPI, facecolor="white")
    return buffer.getvalue()


def spasms(ax: Any, report: Report) -> None:
    """Spasm episodes per day, stacked by muscle group, with the side(s) written above each bar."""
    days = [_noon(d.day) for d in report.days]
    bottom = [0] * len(days)
    for muscle in MUSCLES:
        counts = [d.episodes.get(muscle, 0) for d in report.days]
        if any(counts):
            _bars(ax, report, days, counts, bottom, color=MUSCLE_COLOURS[muscle], label=MUSCLE_NAMES[muscle])
            bottom = [b + c for b, c in zip(bottom, counts)]
    if len(report.days) <= 62:
        for x, d, height in zip(days, report.days, bottom):
            if d.spasms:
                label = " ".join({"left": "L", "right": "R"}.get(side or "", "?") for _, side in d.spasms)
                ax.annotate(label, (x, height), xytext=(0, 2), textcoords="offset points", ha="center", fontsize=7)
    _frame(ax, report, "Spasms per day (L/R: side)", "spasms", integer=True, top=max(bottom, default=0) + 1)
    if any(bottom):
        _legend(ax, 4)
    else:
        _nothing(ax, "No spasms recorded")


def pain(ax: Any, report: Report) -> None:
    """Pain before and after each relief flow, joined by a line, and each week's average before."""
    for flow in report.flows:
        if flow.before is not None and flow.after is not None:
            ax.plot([_wall(flow.at)] * 2, [flow.before, flow.after], color="#BBBBBB", linewidth=1.5, zorder=1)
    befores = [(_wall(f.at), f.before) for f in report.flows if f.before is not None]
    afters = [(_wall(f.at), f.after) for f in report.flows if f.after is not None]
    if befores:
        ax.scatter(*zip(*befores), color=BEFORE, s=22, label="before relief", zorder=2)
    if afters:
        ax.scatter(*zip(*afters), color=AFTER, s=22, marker="v", label="after relief", zorder=2)
    weekly = [w for w in report.weeks if w.pain_start_average is not None]
    for n, week in enumerate(weekly):
        ax.hlines(week.pain_start_average, _noon(week.first) - timedelta(hours=12), _noon(week.last) + timedelta(hours=12),
                  color=TREND, linestyle="--", linewidth=1, label="weekly average before" if n == 0 else None)
    _frame(ax, report, "Pain before and after relief (0-10)", "pain", integer=True, top=10.5)
    if befores or afters:
        _legend(ax, 3)
    else:
        _nothing(ax, "No pain ratings recorded")


def sessions(ax: Any, report: Report) -> None:
    """Sessions per day: daily stretches completed or cut short, strengthening, others; the plan as a line."""
    days = [_noon(d.day) for d in report.days]
    series = (
        ("daily stretches", STRETCH_DONE, [d.stretch_done for d in report.days], None),
        ("stretches cut short", STRETCH_CUT, [d.stretch_cut for d in report.days], "//"),
        ("strengthening", STRENGTH_DONE, [d.strength_done for d in report.days], None),
        ("strengthening cut short", STRENGTH_DONE, [d.strength_cut for d in report.days], "//"),
        ("breathing, breaks", OTHER, [d.other_sessions for d in report.days], None),
    )
    bottom = [0] * len(days)
    for label, colour, counts, hatch in series:
        if any(counts):
            _bars(ax, report, days, counts, bottom, color=colour, hatch=hatch, edgecolor="white" if hatch else None,
                  label=label)
            bottom = [b + c for b, c in zip(bottom, counts)]
    ax.axhline(1, color=TREND, linestyle=":", linewidth=1, label="plan: stretches every day")
    title = "Sessions per day (plan: stretch daily)" if _narrow(ax) else \
        "Sessions per day (plan: stretch daily; strengthen 2-3 times a week)"
    _frame(ax, report, title, "sessions",
           integer=True, top=max(max(bottom, default=0), 1) + 1)
    _legend(ax, 3)


def reminders(ax: Any, report: Report) -> None:
    """Movement reminders per day: answered, snoozed, missed (and hydration reminders if they were on)."""
    days = [_noon(d.day) for d in report.days]
    bottom = [0] * len(days)
    for label, key, colour in (("answered", "answered", ANSWERED), ("snoozed", "snoozed", SNOOZED),
                               ("missed", "missed", MISSED)):
        counts = [d.reminders.get(key, 0) for d in report.days]
        if any(counts):
            _bars(ax, report, days, counts, bottom, color=colour, label=label)
            bottom = [b + c for b, c in zip(bottom, counts)]
    if report.has_hydration:
        water = [sum(d.hydration.get(k, 0) for k in ("answered", "snoozed", "missed")) for d in report.days]
        ax.plot(days, water, color=HYDRATION, marker="o", markersize=3, linewidth=1, label="water reminders")
    _frame(ax, report, "Movement reminders per day", "reminders", integer=True, top=max(bottom, default=0) + 2)
    if any(bottom):
        _legend(ax, 4)
    else:
        _nothing(ax, "No reminders recorded")


CHARTS: tuple[tuple[str, str, Callable[[Any, Report], None]], ...] = (
    ("spasms", "Spasm episodes per day, by muscle group; the letters above each bar give the side.", spasms),
    ("pain", "Pain from 0 to 10 when relief began (red) and when it ended (green); dashed: each week's average "
             "before relief.", pain),
    ("sessions", "Guided sessions per day. Hatched: ended before the last step. Dotted line: the plan of "
                 "stretching every day.", sessions),
    ("reminders", "Hourly movement reminders per day: answered, snoozed, or let go without an answer.", reminders),
)
"""Each chart: a short id, the caption under it, and the function that draws it."""


def _frame(ax: Any, report: Report, title: str, unit: str, *, integer: bool, top: float) -> None:
    from matplotlib import dates as mdates
    from matplotlib.ticker import MaxNLocator

    ax.set_title(title, loc="left", fontsize=10, fontweight="bold")
    ax.set_ylabel(unit, fontsize=8)
    ax.set_ylim(0, top)
    ax.set_xlim(_noon(report.first) - timedelta(hours=14), _noon(report.last) + timedelta(hours=14))
    if integer:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=5))
    span = (report.last - report.first).days + 1
    if span <= 35:
        ax.xaxis.set_major_locator(mdates.WeekdayLocator(byweekday=mdates.MO))
        ax.xaxis.set_minor_locator(mdates.DayLocator())
        ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b" if _narrow(ax) else "%a %d %b"))
    else:
        locator = mdates.AutoDateLocator(maxticks=10)
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))
    for week in report.weeks[1:]:
        ax.axvline(datetime.combine(week.start, time(0, 0)), color="#DDDDDD", linewidth=0.8, zorder=0)
    ax.tick_params(labelsize=7)
    ax.spines[["top", "right"]].set_visible(False)
    ax.grid(axis="y", color="#EEEEEE", linewidth=0.6)
    ax.set_axisbelow(True)


def _narrow(ax: Any) -> bool:
    return bool(ax.figure.get_figwidth() < 6)


def _legend(ax: Any, columns: int) -> None:
    ax.legend(loc="upper left", fontsize=7, ncols=2 if _narrow(ax) else columns, frameon=False)


def _nothing(ax: Any, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=9, color="#777777")


def _wall(at: datetime) -> datetime:
    """The time as the person's clock showed it (the axis has no time zone)."""
    return at.replace(tzinfo=None)


def _noon(day: date) -> datetime:
    return datetime.combine(day, time(12, 0))


def _bars(ax: Any, report: Report, days: list[datetime], counts: list[int], bottom: list[int], **style: Any) -> None:
    """Stacked bars for the days with a count (a year of empty days would be hundreds of invisible patches)."""
    shown = [n for n, count in enumerate(counts) if count]
    ax.bar([days[n] for n in shown], [counts[n] for n in shown], bottom=[bottom[n] for n in shown],
           width=_bar_width(report), **style)


def _bar_width(report: Report) -> float:
    return 0.7 if (report.last - report.first).days < 120 else 1.0
