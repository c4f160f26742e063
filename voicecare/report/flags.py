"""Signs a clinician would look for in the journal, day by day.

From the guide ("if spasms are frequent or don't improve after 3-5 days of self-care, see your
GP"; stretching every day, strengthening 2-3 times a week) and common practice in physiotherapy
follow-up. Each rule is checked on every day of the report and "fires" on the days it holds, so
a reader sees when a pattern began and whether it is still there. Pain here is the rating given
when relief began (how bad the spasm was), averaged per day.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable, Mapping, Sequence

RECURRING_WINDOW_DAYS = 5
RECURRING_MIN_DAYS = 3
"""Spasms on this many of the last ``RECURRING_WINDOW_DAYS`` days (that day included)."""
NO_IMPROVEMENT_WINDOW_DAYS = 5
NO_IMPROVEMENT_MIN_DAYS = 3
"""Pain rated on at least this many days within the window, and no lower at the end than at the start."""
RISE_WINDOW_DAYS = 7
RISE_POINTS = 2.0
"""Pain up by this many points (0-10) or more against an earlier day within a week."""
NO_SESSION_DAYS = 3
"""This many days in a row without an exercise session."""
HURT_WINDOW_DAYS = 7
HURT_REPEATS = 2
""""That hurts" in the same exercise this many times within a week."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One sign: a short title, and why it matters, in the guide's terms."""

    id: str
    title: str
    why: str


RULES: tuple[Rule, ...] = (
    Rule("recurring", "Spasms on 3 of the last 5 days",
         "Frequent spasms are a reason to see a GP."),
    Rule("no_improvement", "No improvement over 3-5 days",
         "Pain was no lower after 3 to 5 days of self-care. The guide says to see a GP then."),
    Rule("pain_rising", "Pain rising by 2 or more across a week",
         "Spasms that do not improve with self-care are a reason to see a doctor."),
    Rule("no_sessions", "No sessions for 3 days",
         "The guide's plan: 10-15 minutes of stretching daily, and strengthening 2-3 times a week."),
    Rule("hurt_twice", "\u201cThat hurts\u201d in the same exercise twice",
         "A physiotherapist can tailor the exercises."),
)
RULE_BY_ID: Mapping[str, Rule] = {rule.id: rule for rule in RULES}


@dataclass(frozen=True, slots=True)
class Daily:
    """What the rules look at, per local day."""

    episode_days: frozenset[date]
    pain: Mapping[date, float]
    """Mean pain rating at the start of relief, on days with a rating."""
    session_days: frozenset[date]
    """Days with at least one exercise session (relief flows do not count)."""
    hurts: tuple[tuple[date, str], ...]
    """(day, exercise) of each "that hurts"."""


@dataclass(frozen=True, slots=True)
class Hit:
    """A rule and the days it fired on, with a line of detail for the last of them."""

    rule: Rule
    days: tuple[date, ...]
    detail: str

    def days_in(self, first: date, last: date) -> tuple[date, ...]:
        return tuple(day for day in self.days if first <= day <= last)


def evaluate(daily: Daily, days: Sequence[date], since: date | None) -> list[Hit]:
    """Every rule that fired on any of ``days``; ``since`` is the first day the journal was in use."""
    hits: dict[str, tuple[list[date], str]] = {}

    def fire(rule: str, day: date, detail: str) -> None:
        found = hits.setdefault(rule, ([], ""))
        found[0].append(day)
        hits[rule] = (found[0], detail)

    for day in days:
        if since is None or day < since:
            continue
        recent = _within(daily.episode_days, day, RECURRING_WINDOW_DAYS)
        if day in daily.episode_days and len(recent) >= RECURRING_MIN_DAYS:
            fire("recurring", day, f"Spasms on {', '.join(_short(d) for d in sorted(recent))}.")
        if day in daily.pain:
            rated = sorted(_within(daily.pain, day, NO_IMPROVEMENT_WINDOW_DAYS))
            if len(rated) >= NO_IMPROVEMENT_MIN_DAYS and daily.pain[day] >= daily.pain[rated[0]]:
                fire("no_improvement", day,
                     f"Pain {_num(daily.pain[rated[0]])} on {_short(rated[0])}, {_num(daily.pain[day])} on {_short(day)}.")
            earlier = [d for d in _within(daily.pain, day, RISE_WINDOW_DAYS) if d < day]
            lowest = min(earlier, key=lambda d: daily.pain[d], default=None)
            if lowest is not None and daily.pain[day] - daily.pain[lowest] >= RISE_POINTS:
                fire("pain_rising", day,
                     f"Pain {_num(daily.pain[lowest])} on {_short(lowest)}, {_num(daily.pain[day])} on {_short(day)}.")
        quiet = [day - timedelta(days=back) for back in range(NO_SESSION_DAYS)]
        if quiet[-1] >= since and not any(d in daily.session_days for d in quiet):
            fire("no_sessions", day, f"No exercise session from {_short(quiet[-1])} to {_short(day)}.")
        for exercise in {ex for d, ex in daily.hurts if d == day}:
            times = sum(1 for d, ex in daily.hurts if ex == exercise and day - timedelta(days=HURT_WINDOW_DAYS - 1) <= d <= day)
            if times >= HURT_REPEATS:
                fire("hurt_twice", day, f"{times} times in {exercise} in the week to {_short(day)}.")
    return [Hit(RULE_BY_ID[rule.id], tuple(hits[rule.id][0]), hits[rule.id][1]) for rule in RULES if rule.id in hits]


def _within(days: Iterable[date], day: date, window: int) -> list[date]:
    start = day - timedelta(days=window - 1)
    return [d for d in days if start <= d <= day]


def _short(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def _num(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")
