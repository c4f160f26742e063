"""Movement reminders on a virtual clock: interval, quiet hours, snooze, deferral, restarts, clock jumps."""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.content.reminder_texts import load_reminder_texts
from voicecare.core.actions import Heard, Record, ReminderChanged, Say, Tick, Tone
from voicecare.core.reminders import (
    ANSWER_WINDOW_SECONDS,
    RECHECK_SECONDS,
    ReminderSettings,
    Reminders,
    ReminderState,
    StartRoutine,
    spoken_minutes,
)
from voicecare.errors import ContentError
from voicecare.messages import Understanding

LONDON = ZoneInfo("Europe/London")
HOUR = 3600.0


class Clock:
    """A virtual monotonic clock and a wall clock that can be set apart from it."""

    def __init__(self, start: datetime, mono: float = 1000.0, fixed_offsets: bool = False) -> None:
        self.mono = mono
        self.utc = start.astimezone(timezone.utc)
        self.zone = start.tzinfo
        self.fixed_offsets = fixed_offsets

    def wall(self) -> datetime:
        local = self.utc.astimezone(self.zone)
        # What datetime.now().astimezone() gives: a fixed UTC offset, not a named zone.
        return local.astimezone(timezone(local.utcoffset())) if self.fixed_offsets else local

    def advance(self, seconds: float) -> None:
        self.mono += seconds
        self.utc += timedelta(seconds=seconds)

    def jump(self, seconds: float) -> None:
        """The wall clock is set (NTP, by hand); real time does not move."""
        self.utc += timedelta(seconds=seconds)


class Driver:
    """Runs a Reminders instance the way the runtime loop does, logging what it does."""

    def __init__(self, reminders: Reminders, clock: Clock) -> None:
        self.rem = reminders
        self.clock = clock
        self.log: list[tuple[float, datetime, object]] = []
        self.busy = False

    def run_for(self, seconds: float) -> None:
        end = self.clock.mono + seconds
        for _ in range(100_000):
            deadline = self.rem.next_deadline(self.clock.mono, self.clock.wall())
            if deadline is None or deadline > end:
                self.clock.advance(end - self.clock.mono)
                return
            self.clock.advance(max(0.0, deadline - self.clock.mono))
            self._record(self.rem.handle(Tick(), self.clock.mono, self.clock.wall(), self.busy))
        raise AssertionError("the reminder loop did not settle")

    def say(self, intent: str, text: str = "words") -> list | None:
        actions = self.rem.handle(Heard(Understanding(text, intent, 0.9)), self.clock.mono, self.clock.wall(), self.busy)
        self._record(actions or [])
        return actions

    def _record(self, actions: list) -> None:
        self.log += [(self.clock.mono, self.clock.wall(), a) for a in actions]

    def spoken(self, kind: str = "movement") -> list[tuple[float, datetime]]:
        return [(t, w) for t, w, a in self.log if a == ReminderChanged("spoken", kind)]

    def states(self) -> list[str]:
        return [a.state for _, _, a in self.log if isinstance(a, ReminderChanged)]


@pytest.fixture(scope="module")
def texts():
    return load_reminder_texts()


def make(texts, start: datetime, state: ReminderState | None = None, fixed_offsets: bool = False, **settings) -> Driver:
    return Driver(Reminders(ReminderSettings(**settings), texts, state), Clock(start, fixed_offsets=fixed_offsets))


def local_times(entries) -> list[str]:
    return [w.astimezone(LONDON).strftime("%a %H:%M") for _, w in entries]


def test_reminds_every_interval_with_a_chime_and_the_offer(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))  # a Monday
    d.run_for(3 * HOUR + 60)
    assert local_times(d.spoken()) == ["Mon 10:00", "Mon 11:00", "Mon 12:00"]
    first = [a for t, _, a in d.log if t == d.spoken()[0][0]]
    assert [type(a).__name__ for a in first[:4]] == ["ReminderChanged", "Tone", "Say", "ReminderChanged"]
    assert first[1] == Tone("chime")
    say = first[2]
    assert say.text.startswith(texts.movement[0]) and say.text.endswith(texts.offer)
    assert ReminderChanged("spoken").event() == {"type": "reminder", "state": "spoken", "kind": "movement"}


def test_interval_is_configurable(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON), interval_minutes=45)
    d.run_for(2 * HOUR)
    assert local_times(d.spoken()) == ["Mon 09:45", "Mon 10:30"]


@pytest.mark.parametrize(("moment", "quiet"), [
    (time(21, 59), False), (time(22, 0), True), (time(23, 59), True), (time(0, 0), True),
    (time(7, 59), True), (time(8, 0), False), (time(13, 0), False),
])
def test_quiet_hours_cross_midnight(moment, quiet):
    assert ReminderSettings().in_quiet_hours(moment) is quiet


def test_quiet_hours_within_a_day_and_none():
    nap = ReminderSettings(quiet_start=time(13, 0), quiet_end=time(14, 30))
    assert [nap.in_quiet_hours(t) for t in (time(12, 59), time(13, 0), time(14, 29), time(14, 30), time(23, 0))] == [
        False, True, True, False, False]
    always_on = ReminderSettings(quiet_start=time(0, 0), quiet_end=time(0, 0))
    assert not any(always_on.in_quiet_hours(time(h)) for h in range(24))


def test_nothing_during_quiet_hours_then_one_at_their_end(texts):
    d = make(texts, datetime(2024, 6, 3, 20, 30, tzinfo=LONDON))
    d.run_for(13 * HOUR)  # until Tuesday 09:30
    assert local_times(d.spoken()) == ["Mon 21:30", "Tue 08:00", "Tue 09:00"]


def test_days_off_are_skipped(texts):
    d = make(texts, datetime(2024, 6, 7, 21, 0, tzinfo=LONDON), days_off=("saturday",))  # a Friday
    d.run_for(37 * HOUR + 60)  # until Sunday 10:01
    assert local_times(d.spoken()) == ["Sun 08:00", "Sun 09:00", "Sun 10:00"]


def test_snooze_postpones_by_the_snooze_time(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.run_for(HOUR + 5)
    snoozed_at = d.clock.mono
    actions = d.say("reminder.snooze", "remind me later")
    assert actions is not None
    assert Say(texts.snoozed.format(minutes="10 minutes")) in actions
    assert ReminderChanged("snoozed") in actions
    assert d.rem.state.snoozed
    d.run_for(HOUR)
    assert d.spoken()[1][0] - snoozed_at == pytest.approx(600.0)
    assert not d.rem.state.snoozed


def test_done_acknowledges_and_waits_a_full_interval(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.run_for(HOUR + 5)
    actions = d.say("reminder.done", "done")
    assert ReminderChanged("acknowledged") in actions
    assert Say(texts.acknowledged.format(interval="an hour")) in actions
    assert d.say("reminder.done", "done") is None  # nothing open any more
    d.run_for(HOUR)
    assert local_times(d.spoken()) == ["Mon 10:00", "Mon 11:00"]


def test_start_accepts_the_offer_of_a_desk_break(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.run_for(HOUR + 5)
    actions = d.say("control.start", "start")
    assert StartRoutine("desk_break") in actions
    assert Say(texts.accepted) in actions
    assert StartRoutine("desk_break").event() is None
    assert d.say("control.start", "start") is None  # the offer is used up


def test_an_unanswered_reminder_is_not_repeated(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.run_for(HOUR + ANSWER_WINDOW_SECONDS + 60)
    assert len(d.spoken()) == 1
    assert any(isinstance(a, Record) and a.data.get("state") == "unanswered" for _, _, a in d.log)
    d.run_for(HOUR - ANSWER_WINDOW_SECONDS)
    assert local_times(d.spoken()) == ["Mon 10:00", "Mon 11:00"]


def test_other_speech_is_not_a_reminder_matter(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    assert d.say("relief.glute", "my buttock hurts") is None
    d.run_for(HOUR + 5)
    assert d.say("unknown", "") is None  # noise leaves the reminder open
    assert d.rem.phase.value == "open"
    assert d.say("relief.glute", "my buttock hurts") is None  # they moved on: closed, not nagged
    assert d.say("reminder.done", "done") is None


def test_a_reminder_waits_behind_a_session_and_is_deferred_once(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.run_for(HOUR - 300)
    d.busy = True
    d.run_for(20 * 60)
    assert d.spoken() == []
    assert d.rem.pending
    assert d.states() == ["due", "deferred"]
    d.busy = False
    freed_at = d.clock.mono
    d.run_for(60)
    (spoken_at, wall), = d.spoken()
    assert freed_at <= spoken_at <= freed_at + RECHECK_SECONDS
    assert not d.rem.pending
    d.run_for(HOUR)
    assert len(d.spoken()) == 2 and d.spoken()[1][0] - spoken_at == pytest.approx(HOUR)


def test_snooze_while_deferred_postpones_it(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.busy = True
    d.run_for(HOUR + 30)
    assert d.rem.pending
    d.say("reminder.snooze", "remind me later")
    d.busy = False
    d.run_for(9 * 60)
    assert d.spoken() == []
    d.run_for(120)
    assert len(d.spoken()) == 1


def test_a_deferral_into_quiet_hours_is_dropped_until_morning(texts):
    d = make(texts, datetime(2024, 6, 3, 20, 30, tzinfo=LONDON))
    d.busy = True
    d.run_for(2 * HOUR)  # due 21:30, busy until 22:30
    d.busy = False
    d.run_for(10 * HOUR)
    assert local_times(d.spoken()) == ["Tue 08:00"]


def test_stop_and_start_by_voice(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    off = d.say("reminder.stop", "stop the reminders")
    assert Say(texts.disabled) in off and not d.rem.state.enabled
    assert d.rem.next_deadline(d.clock.mono, d.clock.wall()) is None
    d.run_for(5 * HOUR)
    assert d.spoken() == []
    assert d.say("reminder.snooze", "remind me later") == [Say(texts.already_off)]
    on = d.say("reminder.start", "remind me every hour")
    assert Say(texts.enabled.format(interval="an hour")) in on and d.rem.state.enabled
    d.run_for(HOUR + 5)
    assert local_times(d.spoken()) == ["Mon 15:00"]


def test_settings_can_start_with_reminders_off(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON), enabled=False)
    d.run_for(3 * HOUR)
    assert d.spoken() == []


def test_hydration_reminders_share_one_chime(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON), hydration=True, hydration_interval_minutes=120)
    d.run_for(2 * HOUR + 5)
    assert local_times(d.spoken("hydration")) == ["Mon 11:00"]
    at_eleven = [a for t, _, a in d.log if t == d.spoken("hydration")[0][0]]
    assert at_eleven.count(Tone("chime")) == 1
    (say,) = [a for a in at_eleven if isinstance(a, Say)]
    assert any(line in say.text for line in texts.hydration) and texts.offer in say.text
    assert d.rem.state.hydration_due is not None


def test_state_survives_a_restart(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON), interval_minutes=30)
    d.run_for(HOUR + 10 * 60)  # spoken 09:30 and 10:00; next 10:30
    saved = json.loads(json.dumps(d.rem.state.to_dict()))
    assert datetime.fromisoformat(saved["next_due"]) == datetime(2024, 6, 3, 10, 30, tzinfo=LONDON)
    # Restart two minutes later: a new process, a new monotonic origin.
    clock = Clock(d.clock.utc.astimezone(LONDON) + timedelta(minutes=2), mono=5.0)
    again = Driver(Reminders(ReminderSettings(interval_minutes=30), texts, ReminderState.from_dict(saved)), clock)
    again.run_for(HOUR)
    assert local_times(again.spoken()) == ["Mon 10:30", "Mon 11:00"]


def test_voice_off_survives_a_restart(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.say("reminder.stop", "stop the reminders")
    state = ReminderState.from_dict(d.rem.state.to_dict())
    again = make(texts, datetime(2024, 6, 3, 9, 5, tzinfo=LONDON), state=state)
    again.run_for(4 * HOUR)
    assert again.spoken() == []


def test_boot_after_days_off_plays_one_reminder_not_a_backlog(texts):
    stale = ReminderState(enabled=True, next_due="2024-05-31T10:00:00+01:00")
    d = make(texts, datetime(2024, 6, 3, 14, 0, tzinfo=LONDON), state=stale)
    d.run_for(5)
    assert len(d.spoken()) == 1
    d.run_for(HOUR)
    assert local_times(d.spoken()) == ["Mon 14:00", "Mon 15:00"]


def test_boot_in_quiet_hours_waits_for_the_morning(texts):
    stale = ReminderState(enabled=True, next_due="2024-06-02T18:00:00+01:00")
    d = make(texts, datetime(2024, 6, 3, 3, 0, tzinfo=LONDON), state=stale)
    d.run_for(5 * HOUR + 60)
    assert local_times(d.spoken()) == ["Mon 08:00"]


def test_a_forward_clock_jump_plays_no_burst(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.run_for(HOUR + 30 * 60)  # spoken 10:00, it is 10:30
    d.clock.jump(3 * HOUR)  # NTP: it is really 13:30
    d.run_for(60)
    assert len(d.spoken()) == 1
    d.run_for(3 * HOUR)
    times = [t for t, _ in d.spoken()]
    assert len(times) == 4
    assert [b - a for a, b in zip(times, times[1:])] == pytest.approx([HOUR] * 3)


def test_a_backward_clock_jump_skips_nothing(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.run_for(HOUR + 30 * 60)
    d.clock.jump(-HOUR)
    d.run_for(3 * HOUR)
    times = [t for t, _ in d.spoken()]
    assert len(times) == 4
    assert [b - a for a, b in zip(times, times[1:])] == pytest.approx([HOUR] * 3)


def test_a_clock_jump_does_not_delay_a_reminder_already_waiting(texts):
    d = make(texts, datetime(2024, 6, 3, 9, 0, tzinfo=LONDON))
    d.busy = True
    d.run_for(HOUR + 60)
    assert d.rem.pending
    d.clock.jump(-2 * HOUR)  # the wall clock now says 08:01, before the due time
    d.busy = False
    d.run_for(RECHECK_SECONDS + 1)
    assert len(d.spoken()) == 1


def test_a_forward_jump_into_quiet_hours_waits_for_the_morning(texts):
    d = make(texts, datetime(2024, 6, 3, 19, 0, tzinfo=LONDON))
    d.run_for(HOUR + 30 * 60)  # spoken 20:00; it is 20:30
    d.clock.jump(3 * HOUR)  # 23:30
    d.run_for(9 * HOUR)  # until 08:30
    assert local_times(d.spoken()) == ["Mon 20:00", "Tue 08:00"]


def test_a_jump_past_the_morning_gives_one_reminder_not_a_day_off(texts):
    d = make(texts, datetime(2024, 6, 3, 23, 0, tzinfo=LONDON))  # next due Tue 08:00
    d.run_for(HOUR)
    d.clock.jump(8 * HOUR)  # 00:00 -> 08:00 was passed in a leap: 08:00 already
    d.clock.jump(30 * 60)
    d.run_for(5)
    assert local_times(d.spoken()) == ["Tue 08:30"]
    d.run_for(HOUR)
    assert local_times(d.spoken()) == ["Tue 08:30", "Tue 09:30"]


@pytest.mark.parametrize("fixed_offsets", [False, True])
def test_daylight_saving_change_neither_spams_nor_skips(texts, fixed_offsets):
    # Clocks go forward at 01:00 GMT on Sunday 31 March 2024 in London.
    d = make(texts, datetime(2024, 3, 30, 20, 30, tzinfo=LONDON), fixed_offsets=fixed_offsets)
    d.run_for(14 * HOUR)  # until 11:30 BST on Sunday
    assert local_times(d.spoken()) == ["Sat 21:30", "Sun 08:00", "Sun 09:00", "Sun 10:00", "Sun 11:00"]


@pytest.mark.parametrize("fixed_offsets", [False, True])
def test_autumn_change_keeps_the_morning_time(texts, fixed_offsets):
    # Clocks go back at 01:00 GMT on Sunday 27 October 2024.
    d = make(texts, datetime(2024, 10, 26, 20, 30, tzinfo=LONDON), fixed_offsets=fixed_offsets)
    d.run_for(15 * HOUR)  # until 10:30 GMT on Sunday
    assert local_times(d.spoken()) == ["Sat 21:30", "Sun 08:00", "Sun 09:00", "Sun 10:00"]


def test_hourly_through_the_night_without_quiet_hours_across_dst(texts):
    d = make(texts, datetime(2024, 3, 30, 22, 0, tzinfo=LONDON), quiet_start=time(0), quiet_end=time(0))
    d.run_for(6 * HOUR + 60)
    times = [t for t, _ in d.spoken()]
    assert len(times) == 6
    assert [b - a for a, b in zip(times, times[1:])] == pytest.approx([HOUR] * 5)


def test_naive_wall_time_is_refused(texts):
    rem = Reminders(ReminderSettings(), texts)
    with pytest.raises(ValueError, match="timezone-aware"):
        rem.handle(Tick(), 0.0, datetime(2024, 6, 3, 9, 0))


@pytest.mark.parametrize("record", [
    {"next_due": "2024-06-03T10:00:00+01:00"},
    {"enabled": "yes"},
    {"enabled": True, "next_due": "tomorrow"},
    {"enabled": True, "next_due": "2024-06-03T10:00:00"},
])
def test_a_damaged_state_record_is_refused(record):
    with pytest.raises(ValueError):
        ReminderState.from_dict(record)


def test_settings_refuse_nonsense():
    with pytest.raises(ValueError):
        ReminderSettings(interval_minutes=0)
    with pytest.raises(ValueError):
        ReminderSettings(days_off=("funday",))


@pytest.mark.parametrize(("minutes", "words"), [(60, "an hour"), (120, "2 hours"), (10, "10 minutes"), (90, "90 minutes")])
def test_spoken_minutes(minutes, words):
    assert spoken_minutes(minutes) == words


def _content_copy(tmp_path: Path, **changes: str) -> Path:
    text = (DEFAULT_CONTENT_DIR / "reminders.toml").read_text()
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    (tmp_path / "reminders.toml").write_text(text)
    return tmp_path


def test_reminder_texts_reject_an_unknown_placeholder(tmp_path):
    folder = _content_copy(tmp_path, **{"{minutes}.": "{mins}."})
    with pytest.raises(ContentError, match=r"reminders\.toml.*snoozed.*\{mins\}"):
        load_reminder_texts(folder)


def test_reminder_texts_reject_an_unknown_key(tmp_path):
    folder = _content_copy(tmp_path, **{"offer =": 'ofer = "x"\noffer ='})
    with pytest.raises(ContentError, match="unknown key 'ofer'"):
        load_reminder_texts(folder)


def test_reminder_lines_stay_short_and_keep_the_guide_figures(texts):
    every = [*texts.movement, *texts.hydration, texts.offer, texts.accepted, texts.snoozed, texts.acknowledged,
             texts.declined, texts.enabled, texts.disabled, texts.already_off]
    for line in every:
        for sentence in line.split(". "):
            assert len(sentence.split()) <= 14, sentence
    assert any("5 to 10 minutes" in line for line in texts.movement)
    assert any("8 to 10 glasses" in line for line in texts.hydration)
