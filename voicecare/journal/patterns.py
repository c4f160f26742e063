"""When the journal's history is worth a "see your GP" (the guide's persistent-spasm red flag).

The guide: spasms that are frequent, or that do not improve with self-care after a few
days (3-5), are a reason to see a doctor. Two rules put that into numbers:

- ``recurring``: spasm episodes on 3 or more distinct local days among the last 5
  (today included).
- ``persistent``: the person reported spasms that are not getting better
  (``redflag.persistent``) within the last ``QUIET_DAYS`` days.

Said once, not every time: once either rule has been announced (a ``pattern`` record),
no rule is due again for ``QUIET_DAYS`` days, and only evidence newer than that
announcement counts. Because the quiet spell is longer than the 5-day window, a
``recurring`` announcement needs a whole new run of episode days to come round again.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Iterable

WINDOW_DAYS = 5
"""The recurring rule looks at this many days, today included."""
MIN_EPISODE_DAYS = 3
"""Episodes on at least this many of those days make the recurring rule fire."""
QUIET_DAYS = 7
"""After an announcement, no rule is due again for this many days."""


@dataclass(frozen=True, slots=True)
class Evidence:
    """What the rules look at, as local dates and UTC seconds from the journal."""

    episodes: tuple[tuple[date, float], ...]
    """(local day, UTC seconds) of each spasm episode."""
    persistent_reports: tuple[tuple[date, float], ...]
    """(local day, UTC seconds) of each ``redflag.persistent`` report."""
    announcements: tuple[tuple[date, float], ...]
    """(local day, UTC seconds) of each pattern announcement, any rule."""


def window_start(today: date) -> date:
    """The first day the recurring rule counts."""
    return today - timedelta(days=WINDOW_DAYS - 1)


def lookback_start(today: date) -> date:
    """The earliest day any evidence can come from."""
    return today - timedelta(days=max(WINDOW_DAYS, QUIET_DAYS) - 1)


def due_rule(evidence: Evidence, today: date) -> str | None:
    """``"persistent"``, ``"recurring"`` or None: the rule to announce now, if any."""
    last = max(evidence.announcements, default=None)
    if last is not None and today < last[0] + timedelta(days=QUIET_DAYS):
        return None
    after = last[1] if last is not None else float("-inf")
    quiet_start = today - timedelta(days=QUIET_DAYS - 1)
    if any(day >= quiet_start and day <= today and ts > after for day, ts in evidence.persistent_reports):
        return "persistent"
    if _distinct_days(evidence.episodes, window_start(today), today, after) >= MIN_EPISODE_DAYS:
        return "recurring"
    return None


def _distinct_days(stamps: Iterable[tuple[date, float]], first: date, today: date, after: float) -> int:
    return len({day for day, ts in stamps if first <= day <= today and ts > after})
