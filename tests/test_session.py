"""The session runner on a virtual clock: timing, screening, controls, pain, sides, reps, red flags."""

from __future__ import annotations

import pytest

from voicecare.content.exercises import load_exercises
from voicecare.core.actions import (Action, Cue, Escalate, Heard, Hold, Record, Say, SessionChanged, SpeechDone,
                                    StopSpeaking, Tick)
from voicecare.core.session import CueSettings, SessionRunner, SessionState
from voicecare.messages import Understanding

PROGRAMME = load_exercises()
PHRASES = PROGRAMME.phrases


def heard(intent: str, text: str = "") -> Heard:
    return Heard(Understanding(text or intent, intent, 1.0))


class Drive:
    """A virtual clock and a fake voice that takes ``word_seconds`` per word."""

    def __init__(self, name: str, *, word_seconds: float = 0.4, **kwargs: object) -> None:
        self.runner = SessionRunner(PROGRAMME.routines[name], PROGRAMME, **kwargs)  # type: ignore[arg-type]
        self.word_seconds = word_seconds
        self.now = 0.0
        self.log: list[tuple[float, Action]] = []
        self.voice_free = 0.0
        self.speaking = False
        self.voice_on = True

    def take(self, actions: list[Action] | None) -> list[Action] | None:
        for action in actions or []:
            self.log.append((self.now, action))
            if isinstance(action, Say):
                self.voice_free = max(self.now, self.voice_free) + self.word_seconds * len(action.text.split())
                self.speaking = True
            elif isinstance(action, StopSpeaking):
                self.voice_free = self.now
        return actions

    def start(self) -> "Drive":
        self.take(self.runner.start(self.now))
        return self

    def hear(self, intent: str, text: str = "") -> list[Action] | None:
        return self.take(self.runner.handle(heard(intent, text), self.now))

    def step(self) -> None:
        deadline = self.runner.next_deadline()
        if self.voice_on and self.speaking and (deadline is None or self.voice_free <= deadline):
            self.now = max(self.now, self.voice_free)
            self.speaking = False
            self.take(self.runner.handle(SpeechDone(), self.now))
        elif deadline is not None:
            self.now = max(self.now, deadline)
            self.take(self.runner.handle(Tick(), self.now))
        else:
            raise AssertionError(f"stalled in {self.runner.state} at {self.now}")

    def until(self, predicate, limit: int = 20_000) -> "Drive":
        for _ in range(limit):
            if predicate():
                return self
            self.step()
        raise AssertionError("condition never reached")

    def until_state(self, state: SessionState) -> "Drive":
        return self.until(lambda: self.runner.state is state)

    def wait(self, seconds: float) -> None:
        """Let ``seconds`` of virtual time pass, firing every deadline on the way."""
        end = self.now + seconds
        while True:
            deadline = self.runner.next_deadline()
            if self.voice_on and self.speaking and self.voice_free <= end and (deadline is None or self.voice_free <= deadline):
                self.step()
            elif deadline is not None and deadline <= end:
                self.step()
            else:
                break
        self.now = end

    def finish(self) -> "Drive":
        """Run to the end, answering every question "no"."""
        if self.runner.state is SessionState.IDLE:
            self.start()
        for _ in range(50_000):
            if self.runner.finished:
                return self
            if self.runner.awaiting_answer and not self.speaking:
                self.hear("control.no")
            else:
                self.step()
        raise AssertionError("never finished")

    def of(self, kind: type, since: float = -1.0) -> list:
        return [a for t, a in self.log if isinstance(a, kind) and t >= since]

    def times(self, predicate) -> list[float]:
        return [t for t, a in self.log if predicate(a)]

    def said(self, since: float = -1.0) -> list[str]:
        return [a.text for a in self.of(Say, since)]


def cue_times(d: Drive, kind: str) -> list[float]:
    return d.times(lambda a: isinstance(a, Cue) and a.kind == kind)


# --- timing -------------------------------------------------------------------------------


def test_instructions_are_spoken_before_the_hold_clock_starts() -> None:
    d = Drive("relief_glute", side="left").start().until_state(SessionState.HOLD)
    (hold,) = d.of(Hold)
    assert (hold.seconds, hold.exercise, hold.side) == (25, "figure_four", "left")
    (t_batch,) = d.times(lambda a: isinstance(a, Say) and a.text == "Get ready.")
    batch = [a.text for t, a in d.log if isinstance(a, Say) and t == t_batch]
    assert "Place your left ankle on your right knee." in batch and batch[-1] == "Get ready."
    spoken_end = t_batch + d.word_seconds * sum(len(line.split()) for line in batch)
    (t_hold,) = d.times(lambda a: isinstance(a, Hold))
    assert t_hold == pytest.approx(spoken_end + CueSettings().get_ready_seconds)


@pytest.mark.parametrize("word_seconds", [0.1, 0.4, 1.5])
def test_cues_are_at_absolute_offsets_whatever_speech_costs(word_seconds: float) -> None:
    d = Drive("relief_glute", side="right", word_seconds=word_seconds).start()
    d.until(lambda: bool(cue_times(d, "release")))
    (t0,) = d.times(lambda a: isinstance(a, Hold))
    assert cue_times(d, "halfway") == [pytest.approx(t0 + 12.5)]
    assert cue_times(d, "countdown") == [pytest.approx(t0 + 22), pytest.approx(t0 + 23), pytest.approx(t0 + 24)]
    assert cue_times(d, "release") == [pytest.approx(t0 + 25)]
    counted = [a.text for a in d.of(Say, t0 + 21)][:3]
    assert counted == ["Three.", "Two.", "One."]


def test_hold_starts_only_after_speech_done_or_the_safety_deadline() -> None:
    d = Drive("relief_adductor")
    d.voice_on = False  # SpeechDone never arrives
    d.start().until_state(SessionState.HOLD)
    (t0,) = d.times(lambda a: isinstance(a, Hold))
    instruction_time = max(t for t, a in d.log if isinstance(a, Say) and a.text == "Get ready.")
    assert t0 > instruction_time + CueSettings().get_ready_seconds
    words = sum(len(a.text.split()) for t, a in d.log if isinstance(a, Say) and t == instruction_time)
    assert t0 >= instruction_time + words / CueSettings().words_per_second


def test_long_hold_has_ten_seconds_left_cue() -> None:
    d = Drive("daily_stretch", screening=False).start()
    d.until(lambda: bool(cue_times(d, "release")))
    (t0,) = d.times(lambda a: isinstance(a, Hold))
    assert cue_times(d, "remaining") == [pytest.approx(t0 + 20)]
    assert "Ten seconds left." in d.said(t0)


# --- screening ----------------------------------------------------------------------------


def test_screening_yes_escalates_instead_of_starting() -> None:
    d = Drive("daily_stretch").start()
    assert d.runner.state is SessionState.QUESTION and d.runner.awaiting_answer
    assert PHRASES.screening in d.said()
    actions = d.hear("control.yes")
    assert Escalate("urgent", "redflag.numbness") in actions
    assert SessionChanged("stopped", "daily_stretch", 1) in actions
    assert d.runner.finished and not d.of(Hold)


def test_screening_red_flag_escalates_at_its_own_severity() -> None:
    d = Drive("strength").start()
    actions = d.hear("redflag.emergency", "I can't control my bladder")
    assert Escalate("emergency", "redflag.emergency") in actions and d.runner.finished


def test_screening_no_starts_the_session() -> None:
    d = Drive("daily_stretch").start()
    d.until(lambda: not d.speaking)
    d.hear("control.no")
    assert d.runner.state is SessionState.INSTRUCTION
    assert PHRASES.screening_ok in d.said()
    d.until_state(SessionState.HOLD)


def test_screening_no_answer_asks_once_more_then_starts_with_a_reminder() -> None:
    d = Drive("daily_stretch").start()
    d.until(lambda: PHRASES.screening_again in d.said())
    assert d.runner.state is SessionState.QUESTION
    d.until(lambda: d.runner.state is not SessionState.QUESTION)
    said = d.said()
    assert said.count(PHRASES.screening_again) == 1 and PHRASES.screening_reminder in said
    d.until_state(SessionState.HOLD)


def test_relief_flows_do_not_screen_but_programmes_do() -> None:
    for name in ("relief_general", "relief_glute", "breathing"):
        assert Drive(name).start().runner.state is not SessionState.QUESTION
    for name in ("daily_stretch", "strength"):
        assert Drive(name).start().runner.state is SessionState.QUESTION


# --- controls -------------------------------------------------------------------------------


def test_pause_in_a_hold_keeps_the_remaining_time() -> None:
    d = Drive("relief_glute", side="left").start().until_state(SessionState.HOLD)
    t0 = d.now
    d.wait(10)
    actions = d.hear("control.pause")
    assert StopSpeaking() in actions and SessionChanged("paused", "relief_glute", 2) in actions
    assert d.runner.next_deadline() is None
    d.wait(300)
    assert not cue_times(d, "release")
    resumed_at = d.now
    d.hear("control.resume")
    d.until(lambda: bool(cue_times(d, "release")))
    assert cue_times(d, "release") == [pytest.approx(resumed_at + 15)]
    assert cue_times(d, "halfway") == [pytest.approx(resumed_at + 2.5)]
    assert t0 < resumed_at


def test_pause_during_instructions_repeats_them_on_resume() -> None:
    d = Drive("relief_hip_flexor", side="right").start()
    d.until(lambda: d.runner.part.exercise is not None)
    d.hear("control.pause")
    assert d.runner.state is SessionState.PAUSED
    mark = d.now
    d.hear("control.resume")
    assert "Kneel on your right knee." in d.said(mark)


def test_skip_in_a_hold_moves_to_the_next_step() -> None:
    d = Drive("daily_stretch", screening=False).start().until_state(SessionState.HOLD)
    actions = d.hear("control.skip")
    assert SessionChanged("skipped", "daily_stretch", 1) in actions
    d.until_state(SessionState.HOLD)
    assert [h.exercise for h in d.of(Hold)] == ["lunge_stretch", "couch_stretch"]
    d.finish()
    (record,) = [r for r in d.of(Record) if r.kind == "session"]
    assert record.data["skipped"] == [1] and record.data["completed"] is True


def test_repeat_restarts_the_current_step_from_its_instructions() -> None:
    d = Drive("relief_adductor").start().until_state(SessionState.HOLD)
    d.wait(8)
    mark = d.now
    d.hear("control.repeat")
    assert d.runner.state is SessionState.INSTRUCTION
    assert "Sit upright on the floor." in d.said(mark)
    d.until_state(SessionState.HOLD)
    assert len(d.of(Hold)) == 2


def test_stop_ends_the_session_and_records_it() -> None:
    d = Drive("relief_glute").start().until_state(SessionState.HOLD)
    actions = d.hear("control.stop")
    assert actions[0] == StopSpeaking() and d.runner.finished and d.runner.state is SessionState.STOPPED
    (record,) = [r for r in d.of(Record) if r.kind == "session"]
    assert record.data["completed"] is False and record.data["routine"] == "relief_glute"
    assert d.runner.next_deadline() is None


def test_longer_and_shorter_stay_within_the_guide_range_and_are_remembered() -> None:
    d = Drive("relief_glute", side="left").start().until_state(SessionState.HOLD)
    t0 = d.now
    actions = d.hear("control.longer")
    assert Record("preference", {"exercise": "figure_four", "hold_seconds": 30}) in actions
    assert d.runner.prefs == {"figure_four": 30}
    d.hear("control.longer")
    assert PHRASES.at_longest in d.said(d.now)
    d.until(lambda: bool(cue_times(d, "release")))
    assert cue_times(d, "release") == [pytest.approx(t0 + 30)]
    again = Drive("relief_glute", side="left", prefs=d.runner.prefs).start().until_state(SessionState.HOLD)
    assert again.of(Hold)[0].seconds == 30
    low = Drive("relief_glute", prefs={"figure_four": 5}).start().until_state(SessionState.HOLD)
    assert low.of(Hold)[0].seconds == 20  # a remembered value outside the guide's range is clamped
    low.hear("control.shorter")
    assert PHRASES.at_shortest in low.said(low.now)


def test_slower_slows_the_count_for_the_next_set() -> None:
    d = Drive("strength", screening=False).start().until_state(SessionState.REPS)
    reps = lambda: [t for t, a in d.log if isinstance(a, Cue) and a.kind == "rep"]  # noqa: E731
    d.hear("control.slower")
    assert PHRASES.slower in d.said(d.now)
    d.until(lambda: len(reps()) >= 13)
    first, second = reps()[0:10], reps()[10:13]
    assert first[1] - first[0] == pytest.approx(4.0)
    assert second[1] - second[0] == pytest.approx(5.0)


def test_help_lists_the_commands_without_changing_state() -> None:
    d = Drive("relief_glute").start().until_state(SessionState.HOLD)
    before = d.runner.next_deadline()
    d.hear("control.help")
    assert PHRASES.help in d.said(d.now) and d.runner.state is SessionState.HOLD
    assert d.runner.next_deadline() == before


def test_other_talk_is_left_to_the_dialog() -> None:
    d = Drive("relief_glute").start().until_state(SessionState.HOLD)
    assert d.hear("info.causes", "what causes spasms") is None
    assert d.hear("control.yes") is None  # no question is open
    assert d.hear("redflag.numbness") is None  # the dialog escalates and calls abort()


# --- pain ---------------------------------------------------------------------------------


def test_ouch_mid_stretch_releases_at_once_and_offers_to_skip() -> None:
    d = Drive("relief_glute", side="left").start().until_state(SessionState.HOLD)
    d.wait(6)
    actions = d.hear("control.hurts", "ouch that hurts")
    assert actions[0] == StopSpeaking() and Cue("release") in actions
    assert PHRASES.ease_off in d.said(d.now) and PHRASES.offer_skip in d.said(d.now)
    assert d.runner.awaiting_answer and any(r.kind == "pain" for r in d.of(Record))
    d.until(lambda: not d.speaking)
    d.hear("control.yes")
    assert d.runner.part.exercise is not None and d.runner.part.exercise.id == "cold_pack"


def test_ouch_then_no_retries_gently() -> None:
    d = Drive("relief_adductor").start().until_state(SessionState.HOLD)
    d.hear("control.hurts")
    d.until(lambda: not d.speaking)
    mark = d.now
    d.hear("control.no")
    assert d.said(mark)[0] == PHRASES.pain_continue
    d.until_state(SessionState.HOLD)
    assert [h.exercise for h in d.of(Hold)] == ["butterfly", "butterfly"]


def test_ouch_with_no_answer_skips_rather_than_forcing() -> None:
    d = Drive("relief_adductor").start().until_state(SessionState.HOLD)
    d.hear("control.hurts")
    d.until(lambda: not d.runner.awaiting_answer)
    assert PHRASES.skipped in d.said() and len(d.of(Hold)) == 1


# --- sides, reps, sets, breathing, timers --------------------------------------------------------


def test_both_sides_with_a_switch_cue() -> None:
    d = Drive("daily_stretch", screening=False).start()
    d.until(lambda: len(d.of(Hold)) == 2)
    assert [(h.exercise, h.side) for h in d.of(Hold)] == [("lunge_stretch", "left"), ("lunge_stretch", "right")]
    assert len(cue_times(d, "switch_sides")) == 1 and PHRASES.other_side in d.said()
    assert "Keep your right knee on the ground." in d.said()
    named = Drive("daily_stretch", screening=False, side="right").start()
    named.until(lambda: len(named.of(Hold)) == 1)
    assert named.of(Hold)[0].side == "right"


def test_affected_side_only_in_relief_and_generic_words_without_a_side() -> None:
    d = Drive("relief_hip_flexor", side="right").finish()
    assert [h.side for h in d.of(Hold) if h.exercise == "kneeling_hip_flexor"] == ["right"]
    assert "Kneel on your right knee." in d.said() and "Put your left foot flat on the floor in front of you." in d.said()
    g = Drive("relief_hip_flexor").finish()
    assert "Kneel on the knee of the sore side." in g.said()


def test_reps_counted_at_a_steady_cadence_and_sets_with_rest() -> None:
    d = Drive("strength", screening=False).start()
    d.until(lambda: any(h.exercise == "clamshell" for h in d.of(Hold)) or
            (d.runner.part.exercise is not None and d.runner.part.exercise.id == "clamshell"))
    bridge = [(t, a) for t, a in d.log if isinstance(a, Cue) and a.kind in ("rep", "rest")]
    rests = [(t, a.value) for t, a in bridge if a.kind == "rest"]
    assert [v for _, v in rests] == [30, 30]  # three sets of glute bridges: two rests
    (t_rest, _) = rests[0]
    reps_after = [t for t, a in bridge if a.kind == "rep" and t > t_rest]
    assert reps_after[0] >= t_rest + 30
    assert "Next: set two of three, glute bridges." in d.said()
    counts = [a.value for t, a in bridge if a.kind == "rep" and t < rests[0][0]]
    assert counts[-10:] == list(range(1, 11))
    times = [t for t, a in bridge if a.kind == "rep" and t < rests[0][0]][-10:]
    gaps = {round(b - a, 6) for a, b in zip(times, times[1:])}
    assert gaps == {3.0}


def test_skip_during_rest_ends_the_rest_only() -> None:
    d = Drive("strength", screening=False).start().until_state(SessionState.REST)
    d.hear("control.skip")
    assert d.runner.state is SessionState.INSTRUCTION
    assert d.runner.part.exercise is not None and d.runner.part.exercise.id == "glute_bridge"
    assert d.runner.part.set_no == 2


def test_breathing_exhales_longer_than_inhales() -> None:
    d = Drive("breathing").finish()
    ins = cue_times(d, "inhale")
    outs = cue_times(d, "exhale")
    assert len(ins) == len(outs) == PROGRAMME.exercises["diaphragmatic_breathing"].breaths
    for i, o, nxt in zip(ins, outs, ins[1:]):
        assert nxt - o > o - i


def test_cold_timer_when_accepted() -> None:
    d = Drive("relief_glute").start()
    d.until(lambda: d.runner.awaiting_answer and not d.speaking)
    d.hear("control.yes")
    d.until_state(SessionState.TIMER)
    (t0,) = d.times(lambda a: isinstance(a, Hold) and a.exercise == "cold_pack")
    assert "Never put ice directly on your skin." in d.said()
    d.until(lambda: "Time to remove the ice." in d.said())
    assert d.times(lambda a: isinstance(a, Say) and a.text == "Time to remove the ice.") == [pytest.approx(t0 + 900)]
    assert any("two to three hours" in s for s in d.said())


def test_cold_timer_declined_moves_on_to_water() -> None:
    d = Drive("relief_glute").finish()
    assert not any(h.exercise == "cold_pack" for h in d.of(Hold))
    assert "Now drink a large glass of water." in d.said() and d.runner.state is SessionState.COMPLETED


def test_every_routine_completes_and_records_it() -> None:
    for name in PROGRAMME.routines:
        d = Drive(name, word_seconds=0.05).finish()
        assert d.runner.state is SessionState.COMPLETED, name
        (record,) = [r for r in d.of(Record) if r.kind == "session"]
        assert record.data["completed"] and record.data["steps_done"] == len(PROGRAMME.routines[name].steps)


# --- red flag mid-hold ------------------------------------------------------------------------


def test_red_flag_mid_hold_abort_silences_and_ends() -> None:
    d = Drive("daily_stretch", screening=False).start().until_state(SessionState.HOLD)
    d.wait(12)
    actions = d.runner.abort(d.now)
    assert actions[0] == StopSpeaking()
    assert SessionChanged("stopped", "daily_stretch", 1) in actions
    assert d.runner.finished and d.runner.next_deadline() is None
    assert d.runner.handle(Tick(), d.now + 100) == [] and d.runner.abort(d.now) == []


# --- every command in every state -------------------------------------------------------------

COMMANDS = ["control.pause", "control.resume", "control.stop", "control.skip", "control.repeat",
            "control.help", "control.yes", "control.no", "control.longer", "control.shorter",
            "control.slower", "control.hurts", "control.start"]


def _reach(state: str) -> Drive:
    if state == "idle":
        return Drive("relief_glute")
    if state == "question":
        return Drive("daily_stretch").start()
    if state == "paused":
        d = Drive("relief_glute").start().until_state(SessionState.HOLD)
        d.hear("control.pause")
        return d
    routine = {"rest": "strength", "reps": "strength", "timer": "cold"}.get(state, "relief_glute")
    d = Drive(routine, screening=False).start()
    return d.until_state(SessionState(state))


@pytest.mark.parametrize("state", ["idle", "question", "instruction", "ready", "hold", "reps", "rest", "timer", "paused"])
@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_in_every_state_keeps_the_session_sound(state: str, command: str) -> None:
    d = _reach(state)
    before = d.runner.state
    assert before.value == state
    result = d.hear(command)
    if state == "idle":
        assert result is None and d.runner.state is SessionState.IDLE
        return
    if command in ("control.yes", "control.no") and state != "question":
        assert result is None
    elif command == "control.start" and state != "paused":
        assert result is None
    else:
        assert isinstance(result, list) and result, f"{command} in {state} did nothing"
    if command == "control.stop":
        assert d.runner.state is SessionState.STOPPED
    elif command == "control.pause":
        assert d.runner.state is SessionState.PAUSED
    elif command == "control.yes" and state == "question":
        assert d.runner.state is SessionState.STOPPED  # screening "yes" escalates
    elif command == "control.resume" and state == "paused":
        assert d.runner.state is SessionState.HOLD
    if command == "control.hurts":
        assert d.runner.state is SessionState.QUESTION
    if d.runner.state is SessionState.PAUSED:
        d.hear("control.resume")
    d.finish()
    assert d.runner.finished
