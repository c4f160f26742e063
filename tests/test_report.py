"""The report: four weeks lived through the real core into a real journal, and what the report makes of them."""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest

from voicecare.cli import main
from voicecare.commands.report import period
from voicecare.config import load_config
from voicecare.errors import BadInputError
from voicecare.journal import Journal
from voicecare.report.load import make_report
from voicecare.report.simulate import DayPlan, Person, Said, Session, Spasm, four_weeks
from voicecare.runtime.build import build_brain

TODAY = date.today()
START = TODAY - timedelta(days=TODAY.weekday()) - timedelta(weeks=5)
"""The Monday five weeks ago: the four simulated weeks are over before today."""
END = START + timedelta(days=27)
WEEKS = [START + timedelta(weeks=n) for n in range(4)]


@pytest.fixture(scope="module")
def lived(lived_weeks: tuple[Path, Person]) -> tuple[Path, Person]:
    """A journal file filled by four weeks of use, played through the real assistant on a virtual clock."""
    path, person = lived_weeks
    assert person.start == START
    return lived_weeks


@pytest.fixture(scope="module")
def brain_parts() -> tuple[object, object]:
    brain = build_brain(load_config(None), None, wake_phrase="off")
    return brain.programme, brain.texts


def report_of(path: Path, first: date = START, last: date = END, parts: tuple[object, object] | None = None):
    programme, texts = parts or (None, None)
    with Journal.open_read_only(path) as journal:
        return make_report(journal, first, last, programme=programme, texts=texts)


def count(path: Path, sql: str, *params: object) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute(sql, params).fetchone()[0])


# ------------------------------------------------------------------ numbers against the journal


def test_each_week_counts_what_the_journal_holds(lived: tuple[Path, Person]) -> None:
    path, _ = lived
    report = report_of(path)
    assert [w.start for w in report.weeks] == WEEKS
    for week in report.weeks:
        span = (week.first.isoformat(), week.last.isoformat())
        assert week.episode_count == count(path, "SELECT COUNT(*) FROM episodes WHERE day BETWEEN ? AND ?", *span)
        assert week.sessions_completed == count(
            path, "SELECT COUNT(*) FROM sessions WHERE completed = 1 AND day BETWEEN ? AND ?", *span)
        assert week.reminders_snoozed == count(
            path, "SELECT COUNT(*) FROM reminders WHERE state = 'snoozed' AND day BETWEEN ? AND ?", *span)
        assert week.reminders_missed == count(
            path, "SELECT COUNT(*) FROM reminders WHERE state = 'unanswered' AND day BETWEEN ? AND ?", *span)
    # The story the four weeks were written to tell.
    assert [w.episode_count for w in report.weeks] == [2, 3, 0, 2]
    assert [w.stretch_days for w in report.weeks] == [7, 7, 3, 7]
    assert [w.strength_sessions for w in report.weeks] == [3, 3, 0, 3]
    assert [sum(w.red_flags.values()) for w in report.weeks] == [0, 1, 0, 1]
    assert report.weeks[1].episodes == {"glute": 3} and report.weeks[1].sides == {"left": 3}
    assert report.weeks[0].pain_start_average == pytest.approx(5.5)
    assert report.weeks[0].pain_end_average == pytest.approx(2.5)
    assert len(report.flows) == count(path, "SELECT COUNT(*) FROM pain WHERE phase = 'start'") == 7
    assert [(f.before, f.after) for f in report.flows][:2] == [(6, 3), (5, 2)]
    per_day = sum(d.reminders.get("answered", 0) for d in report.days)
    assert per_day == count(path, "SELECT COUNT(*) FROM reminders WHERE state = 'acknowledged'") > 0


def test_skipped_and_hurting_exercises_come_from_the_sessions(lived: tuple[Path, Person], brain_parts) -> None:
    path, _ = lived
    report = report_of(path, parts=brain_parts)
    assert count(path, "SELECT COUNT(*) FROM hurts WHERE exercise = 'lunge_stretch'") == 2
    (trouble,) = report.troubles
    assert (trouble.exercise, trouble.routine, trouble.skipped, trouble.hurt) == ("the lunge stretch", "daily stretches", 2, 2)
    assert [d.hurts for d in report.days if d.hurts] == [1, 1]


def test_red_flags_have_their_time_and_the_advice_given(lived: tuple[Path, Person], brain_parts) -> None:
    path, _ = lived
    report = report_of(path, parts=brain_parts)
    persistent, numb = report.escalations
    assert (persistent.flag, persistent.severity, persistent.at.date()) == ("redflag.persistent", "routine", WEEKS[1] + timedelta(days=4))
    assert (numb.flag, numb.severity, numb.at.time().replace(second=0, microsecond=0)) == ("redflag.numbness", "urgent", time(12, 0))
    _, texts = brain_parts
    assert numb.advised == texts.red_flags["redflag.numbness"].lines("999")[0]
    assert "get medical help today" in numb.advised


# ------------------------------------------------------------------ clinician signs


def test_signs_fire_on_the_weeks_they_should_and_no_others(lived: tuple[Path, Person]) -> None:
    path, _ = lived
    report = report_of(path)
    assert [set(w.flags) for w in report.weeks] == [
        set(),
        {"recurring", "no_improvement"},
        {"hurt_twice", "no_sessions"},
        {"pain_rising"},
    ]
    days = {hit.rule.id: hit.days for hit in report.hits}
    friday2 = WEEKS[1] + timedelta(days=4)
    assert days["recurring"] == (friday2,) and days["no_improvement"] == (friday2,)
    assert days["hurt_twice"] == (WEEKS[2] + timedelta(days=1),)
    # Wednesday to Saturday without a session: the third quiet day is Friday, and Saturday makes four.
    assert days["no_sessions"] == (WEEKS[2] + timedelta(days=4), WEEKS[2] + timedelta(days=5))
    assert days["pain_rising"] == (WEEKS[3] + timedelta(days=6),)


def test_a_report_of_one_week_still_sees_signs_that_began_before_it(lived: tuple[Path, Person]) -> None:
    path, _ = lived
    # Friday of week 2 needs the Monday and Wednesday before it, which lie outside a Thursday-to-Sunday report.
    report = report_of(path, WEEKS[1] + timedelta(days=3), WEEKS[1] + timedelta(days=6))
    assert {hit.rule.id for hit in report.hits} == {"recurring", "no_improvement"}
    assert report.episode_count == 1


# ------------------------------------------------------------------ history and the report agree


def test_history_and_the_report_agree(lived: tuple[Path, Person], capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = lived
    this_monday = TODAY - timedelta(days=TODAY.weekday())
    assert main(["history", "--json", "--weeks", "6", "--db", str(path)]) == 0
    history = {w["week_start"]: w for w in json.loads(capsys.readouterr().out)["weeks"]}
    report = report_of(path, START, this_monday + timedelta(days=6))
    assert len(report.weeks) == 6
    for week in report.weeks:
        theirs = history[week.start.isoformat()]
        assert theirs["episodes"] == dict(week.episodes)
        assert theirs["sessions"] == {"started": week.sessions_started, "completed": week.sessions_completed}
        assert theirs["red_flags"] == dict(week.red_flags)
        assert theirs["reminders"] == {"spoken": week.reminders_spoken, "acknowledged": week.reminders_acknowledged}
        ours = [None if v is None else round(v, 1) for v in (week.pain_start_average, week.pain_end_average)]
        assert [theirs["pain"]["start_average"], theirs["pain"]["end_average"]] == ours
    assert sum(w.sessions_started for w in report.weeks) == count(path, "SELECT COUNT(*) FROM sessions") > 0


# ------------------------------------------------------------------ the command


def test_report_command_writes_a_private_self_contained_file(lived: tuple[Path, Person], tmp_path: Path,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = lived
    out = tmp_path / "report.html"
    out.write_text("an older report, readable by anyone")
    os.chmod(out, 0o644)
    assert main(["report", "--from", START.isoformat(), "--to", END.isoformat(), "--db", str(path),
                 "--out", str(out)]) == 0
    assert "28 days" in capsys.readouterr().out
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    html = out.read_text(encoding="utf-8")
    assert html.count('<img src="data:image/png;base64,') == 4
    assert "http://" not in html and "https://" not in html and "<script" not in html
    assert "Spasms on 3 of the last 5 days" in html and "No sessions for 3 days" in html
    assert "the lunge stretch" in html and "Numbness or tingling in leg or foot" in html
    assert not list(tmp_path.glob(".*.part"))


def test_the_report_holds_nothing_that_was_said(lived: tuple[Path, Person], tmp_path: Path) -> None:
    path, person = lived
    out = tmp_path / "report.html"
    assert main(["report", "--from", START.isoformat(), "--to", END.isoformat(), "--db", str(path),
                 "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8").lower()
    heard = {e["text"].lower() for e in person.events if e["type"] == "heard" and len(e["text"].split()) >= 3}
    assert "my leg has gone numb" in heard and "these spasms are not getting better after days of stretching" in heard
    assert not [text for text in heard if text in html]


def test_an_out_file_ending_in_pdf_gets_a_pdf(tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    Journal.open(db).close()
    out = tmp_path / "for-my-physio.PDF"
    assert main(["report", "--week", "--db", str(db), "--out", str(out)]) == 0
    assert out.read_bytes().startswith(b"%PDF") and stat.S_IMODE(out.stat().st_mode) == 0o600


def test_week_option_is_the_last_seven_days() -> None:
    assert period(True, None, None, TODAY) == (TODAY - timedelta(days=6), TODAY)
    monday = TODAY - timedelta(days=TODAY.weekday())
    assert period(False, None, None, TODAY) == (monday - timedelta(weeks=3), TODAY)
    assert period(False, date(2026, 3, 2), date(2026, 3, 8), TODAY) == (date(2026, 3, 2), date(2026, 3, 8))
    with pytest.raises(BadInputError):
        period(False, date(2026, 3, 9), date(2026, 3, 8), TODAY)


@pytest.mark.parametrize("args,expected", [
    (["--from", "2026-03-09", "--to", "2026-03-08"], "is after --to"),
    (["--week", "--to", "2026-03-08"], "--week cannot be combined"),
    (["--db", "/nonexistent/journal.sqlite3"], "there is no journal"),
    (["--out", "/nonexistent-folder/report.html"], "does not exist"),
])
def test_bad_input_is_one_line_and_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str],
                                          expected: str) -> None:
    db = tmp_path / "journal.sqlite3"
    Journal.open(db).close()
    full = ["report", "--db", str(db), "--out", str(tmp_path / "r.html"), *args]
    assert main(full) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("Error: ") and " — " in err and expected in err and "\n" not in err


def test_a_date_that_is_not_a_date_is_a_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stop:
        main(["report", "--from", "last tuesday", "--out", str(tmp_path / "r.html")])
    assert stop.value.code == 2 and "write it like 2026-11-02" in capsys.readouterr().err


# ------------------------------------------------------------------ empty, damaged, one entry


def test_an_empty_journal_gives_a_clear_report(tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    Journal.open(db).close()
    out = tmp_path / "report.html"
    assert main(["report", "--week", "--db", str(db), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "Nothing was recorded in these days" in html
    assert "None of these signs were seen" in html  # no "no sessions" sign for a journal never used


def test_a_damaged_journal_gives_a_report_of_what_could_be_read(lived: tuple[Path, Person], tmp_path: Path) -> None:
    path, _ = lived
    damaged = tmp_path / "journal.sqlite3"
    data = bytearray(path.read_bytes())
    page = 4096
    data[len(data) // 2: len(data) // 2 + 3 * page] = b"\xff" * (3 * page)  # wipe some pages in the middle
    damaged.write_bytes(bytes(data))
    out = tmp_path / "report.pdf"
    assert main(["report", "--from", START.isoformat(), "--to", END.isoformat(), "--db", str(damaged),
                 "--out", str(out), "--pdf"]) == 0
    assert out.read_bytes().startswith(b"%PDF")
    html_out = tmp_path / "report.html"
    assert main(["report", "--from", START.isoformat(), "--to", END.isoformat(), "--db", str(damaged),
                 "--out", str(html_out)]) == 0
    html = html_out.read_text(encoding="utf-8")
    assert "The journal file is damaged" in html and "records that could still be read" in html
    assert damaged.read_bytes() == bytes(data)  # the person's file is left exactly as it was


def test_a_file_that_is_not_a_journal_gives_a_report_saying_so(tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    db.write_bytes(b"this is not a database" * 100)
    out = tmp_path / "report.html"
    assert main(["report", "--week", "--db", str(db), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "The journal file is damaged. This report shows the 0 records" in html


def test_a_week_with_one_entry(tmp_path: Path, brain_parts) -> None:
    db = tmp_path / "journal.sqlite3"
    with Journal.open(db) as journal:
        journal.record("episode", {"muscle": "adductor", "side": "right"}, datetime.now().astimezone() - timedelta(hours=1))
    out = tmp_path / "report.html"
    assert main(["report", "--week", "--db", str(db), "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "1 on 1 of 7 days (groin 1)" in html
    assert "no ratings before and after relief" in html
    assert html.count('<img src="data:image/png;base64,') == 4 and html.count("<source media=") == 4


def test_without_matplotlib_the_report_has_tables_and_says_how_to_get_charts(lived: tuple[Path, Person],
                                                                             tmp_path: Path) -> None:
    path, _ = lived
    out = tmp_path / "report.html"
    blocked = "import sys; sys.modules['matplotlib'] = None; from voicecare.cli import main; sys.exit(main(sys.argv[1:]))"
    base = [sys.executable, "-c", blocked, "report", "--from", START.isoformat(), "--to", END.isoformat(),
            "--db", str(path)]
    done = subprocess.run([*base, "--out", str(out)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    html = out.read_text(encoding="utf-8")
    assert "<img" not in html and "pip install &#x27;voicecare[report]&#x27;" in html
    assert "Week by week" in html and "Spasms on 3 of the last 5 days" in html
    pdf = subprocess.run([*base, "--pdf", "--out", str(tmp_path / "r.pdf")], capture_output=True, text=True, timeout=120)
    assert pdf.returncode == 1 and pdf.stderr.startswith("Error: a PDF report needs matplotlib")
    assert not (tmp_path / "r.pdf").exists()


# ------------------------------------------------------------------ "how was my week?"


def said_after(person: Person, words: str) -> list[str]:
    seen = len(person.events)
    person.chat.type_line(words)
    person.chat.run_until_quiet()
    return [e["text"] for e in person.events[seen:] if e["type"] == "say"]


def fresh_person(start: date) -> tuple[Person, Journal]:
    journal = Journal.memory()
    brain = build_brain(load_config(None), journal, wake_phrase="off")
    return Person.build(brain, journal, start), journal


def test_how_was_my_week_after_a_week_of_recurring_spasms() -> None:
    person, journal = fresh_person(START)
    person.live(four_weeks()[:14])
    lines = said_after(person, "how was my week")
    assert lines == [
        "In the last 7 days you had 3 spasms, on 3 days.",
        "With relief, your pain went from 6 to 5, on average.",
        "The spasms keep coming back, or are not easing. Please see your GP.",
    ]
    week = make_report(journal, WEEKS[1], WEEKS[1] + timedelta(days=6))
    assert week.episode_count == 3 and {h.rule.id for h in week.hits} >= {"recurring"}


def test_how_was_my_week_after_a_good_week() -> None:
    person, _ = fresh_person(START)
    person.live(four_weeks()[:7])
    assert said_after(person, "so how was my week then") == [
        "In the last 7 days you had 2 spasms, on 2 days.",
        "With relief, your pain went from 6 to 3, on average.",
        "You did your stretches on 7 of the 7 days.",
    ]


def test_how_was_my_week_with_nothing_recorded_and_with_gaps() -> None:
    person, _ = fresh_person(TODAY - timedelta(days=3))
    assert said_after(person, "how was my week") == ["I have nothing recorded for the last 7 days."]
    person.day(TODAY - timedelta(days=3), DayPlan((Session(time(9, 0)),), reminder_answers=("done",)))
    person.day(TODAY - timedelta(days=2), DayPlan(reminder_answers=("done",)))
    person.day(TODAY - timedelta(days=1), DayPlan(reminder_answers=("done",)))
    person.day(TODAY, DayPlan((Said(time(9, 0), "how was my week"),), reminder_answers=("done",)))
    asked = max(n for n, e in enumerate(person.events) if e["type"] == "heard" and e["text"] == "how was my week")
    lines = [e["text"] for e in person.events[asked:] if e["type"] == "say"][:3]
    assert lines == [
        "You had no spasms in the last 7 days.",
        "You did your stretches on 1 of the 7 days.",
        "You went 3 days without stretching. Gentle stretching every day helps.",
    ]


def test_a_red_flag_still_wins_over_the_week_summary() -> None:
    person, _ = fresh_person(START)
    person.day(START, DayPlan((Spasm(time(9, 0), "my left glute is cramping", 5, 2),)))
    lines = said_after(person, "how was my week, and my leg has gone numb")
    assert lines[0] == person.chat.assistant.texts.red_flags["redflag.numbness"].lines("999")[0]


def test_no_journal_yet_gives_a_report_saying_so(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n')
    out = tmp_path / "report.html"
    assert main(["--config", str(config), "report", "--out", str(out)]) == 0
    html = out.read_text(encoding="utf-8")
    assert "There is no journal yet" in html and "Nothing was recorded in these days" in html
    assert not (tmp_path / "data" / "journal.sqlite3").exists()  # a report never creates the journal
