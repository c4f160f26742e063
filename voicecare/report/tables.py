"""The report's words and tables as plain strings, shared by the HTML and the PDF so they say the same."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from voicecare.report import flags as clinic
from voicecare.report.model import MUSCLE_NAMES, MUSCLES, Report, Week

PRIVACY = ("From the voicecare journal on this device. It holds only what the assistant recorded "
           "(times, ratings, sessions, reminders, red flags): no audio and no transcripts of speech.")
DISCLAIMER = "Self-care records, not a diagnosis. Please discuss them with your GP or physiotherapist."


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table: a header row and body rows, all strings."""

    title: str
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    empty: str = "Nothing recorded."


def day_label(day: date, year: bool = False) -> str:
    return f"{day:%a} {day.day} {day:%b}" + (f" {day.year}" if year else "")


def time_label(at: datetime) -> str:
    return f"{day_label(at.date())}, {at:%H:%M}"


def period_label(report: Report) -> str:
    days = (report.last - report.first).days + 1
    return f"{day_label(report.first, True)} to {day_label(report.last, True)} ({days} day{'s' if days != 1 else ''})"


def rating(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}".rstrip("0").rstrip(".")


def key_figures(report: Report) -> list[tuple[str, str]]:
    """The handful of numbers a reader looks at first."""
    days = len(report.days)
    episodes = report.episode_count
    by_muscle = ", ".join(f"{MUSCLE_NAMES[m]} {n}" for m in MUSCLES
                          if (n := sum(d.episodes.get(m, 0) for d in report.days)))
    episode_days = sum(1 for d in report.days if d.episode_count)
    rated = [f for f in report.flows if f.before is not None and f.after is not None]
    stretch_days = sum(1 for d in report.days if d.stretch_done or d.stretch_cut)
    strength = sum(d.strength_done + d.strength_cut for d in report.days)
    weeks = max(1.0, days / 7)
    answered = sum(d.reminders.get("answered", 0) for d in report.days)
    snoozed = sum(d.reminders.get("snoozed", 0) for d in report.days)
    missed = sum(d.reminders.get("missed", 0) for d in report.days)
    figures = [
        ("Spasms", f"{episodes} on {episode_days} of {days} days" + (f" ({by_muscle})" if by_muscle else "")),
        ("Pain with relief", (f"{rating(_mean(f.before for f in rated))} before → {rating(_mean(f.after for f in rated))} "
                              f"after, average of {len(rated)} relief flow{'s' if len(rated) != 1 else ''}")
         if rated else "no ratings before and after relief"),
        ("Daily stretches", f"on {stretch_days} of {days} days (plan: every day)"),
        ("Strengthening", f"{strength} session{'s' if strength != 1 else ''}, {strength / weeks:.1f} a week "
                          "(plan: 2-3 a week)"),
        ("Movement reminders", f"{answered} answered, {snoozed} snoozed, {missed} missed"),
        ("Red flags", f"{len(report.escalations)}" + (
            " (" + ", ".join(f"{n} {s}" for s in ("emergency", "urgent", "routine")
                             if (n := sum(1 for e in report.escalations if e.severity == s))) + ")"
            if report.escalations else "")),
    ]
    if report.has_hydration:
        water = [sum(d.hydration.get(k, 0) for d in report.days) for k in ("answered", "snoozed", "missed")]
        figures.insert(5, ("Water reminders", f"{water[0]} answered, {water[1]} snoozed, {water[2]} missed"))
    return figures


def signs(report: Report) -> Table:
    """The clinician signs that fired, with the days they fired on."""
    rows = tuple((hit.rule.title, ", ".join(day_label(d) for d in hit.days), f"{hit.detail} {hit.rule.why}")
                 for hit in report.hits)
    checked = "; ".join(rule.title for rule in clinic.RULES)
    return Table("Signs to discuss", ("Sign", "Seen on", "Detail"), rows,
                 empty=f"None of these signs were seen: {checked}.")


def weekly(report: Report) -> Table:
    """One row per week, counted as ``voicecare history`` counts it."""
    return Table("Week by week", ("Week of", "Spasms", "Sessions done of started", "Stretch days", "Strength",
                                  "Pain before → after", "Reminders answered / snoozed / missed", "Red flags", "Signs"),
                 tuple(_week_row(w) for w in report.weeks))


def _week_row(week: Week) -> tuple[str, ...]:
    spasms = f"{week.episode_count}" + (
        " (" + ", ".join(f"{MUSCLE_NAMES[m]} {week.episodes[m]}" for m in MUSCLES if week.episodes.get(m)) + ")"
        if week.episode_count else "")
    flags = ", ".join(f"{week.red_flags[s]} {s}" for s in ("emergency", "urgent", "routine") if week.red_flags.get(s))
    label = day_label(week.start) + ("" if week.first == week.start else f" (from {day_label(week.first)})")
    return (
        label,
        spasms,
        f"{week.sessions_completed} of {week.sessions_started}",
        f"{week.stretch_days} of {(week.last - week.first).days + 1}",
        str(week.strength_sessions),
        "–" if week.pain_start_average is None and week.pain_end_average is None
        else f"{rating(week.pain_start_average)} → {rating(week.pain_end_average)}",
        f"{week.reminders_acknowledged} / {week.reminders_snoozed} / {week.reminders_missed}",
        flags or "–",
        ", ".join(clinic.RULE_BY_ID[rule].title for rule in week.flags) or "–",
    )


def sides(report: Report) -> Table:
    """Spasms by muscle group and side."""
    rows = []
    for muscle in MUSCLES:
        found = [side for d in report.days for m, side in d.spasms if m == muscle]
        if found:
            rows.append((MUSCLE_NAMES[muscle], str(found.count("left")), str(found.count("right")),
                         str(found.count(None)), str(len(found))))
    return Table("Spasms by muscle and side", ("Muscle group", "Left", "Right", "Side not said", "All"), tuple(rows),
                 empty="No spasms recorded.")


def escalations(report: Report) -> Table:
    return Table("Red flags and escalations", ("When", "What was said", "Severity", "What the assistant advised"),
                 tuple((time_label(e.at), e.name, e.severity, e.advised or "–") for e in report.escalations),
                 empty="No red flags were raised.")


def troubles(report: Report) -> Table:
    rows = [(t.exercise, t.routine, str(t.skipped), str(t.hurt)) for t in report.troubles]
    rows += [("(session ended early)", routine, str(n), "") for routine, n in sorted(report.sessions_cut.items())]
    return Table("Exercises skipped, cut short or stopped by pain",
                 ("Exercise", "Session", "Skipped or ended early", "\u201cThat hurts\u201d"), tuple(rows),
                 empty="No exercise was skipped, and none was stopped by pain.")


def flows(report: Report) -> Table:
    return Table("Relief flows", ("When", "Muscle", "Pain before", "Pain after"),
                 tuple((time_label(f.at), MUSCLE_NAMES.get(f.muscle or "general", "–"), rating(f.before),
                        rating(f.after)) for f in report.flows),
                 empty="No pain ratings recorded.")


def all_tables(report: Report) -> Sequence[Table]:
    """The tables after the charts, in order."""
    return (weekly(report), sides(report), flows(report), troubles(report), escalations(report))


def _mean(values: object) -> float | None:
    found = list(values)  # type: ignore[call-overload]
    return sum(found) / len(found) if found else None
