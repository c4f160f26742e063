"""Red flags in the conversation: asking about one that may have been said, escalating at its
severity, and the emergency until it is acknowledged. Part of ``Assistant``."""

from __future__ import annotations

from datetime import datetime

from voicecare.core.actions import (
    Action,
    CheckRedFlag,
    Escalate,
    Heard,
    NotTheirVoice,
    Record,
    Say,
    StopSpeaking,
)
from voicecare.core.dialog import ACKNOWLEDGE_EMERGENCY, HELP_CHECK, Mode, PendingCheck, says_yes
from voicecare.core.escalation import EmergencyAlarm, escalation_lines
from voicecare.messages import Severity, Understanding


class RedFlagMixin:
    """Checks, escalation and the emergency (state lives on ``Assistant``)."""

    def _ask_check(self, event: Heard, now: float, flag: str | None = None,
                   instead: Understanding | None = None, voice: str | None = None) -> list[Action]:
        """Another reading of the words holds a red flag (or who said it is in doubt): stop, and ask
        about it before anything else."""
        if flag is None:
            assert event.possible is not None
            flag = event.possible.intent
        actions: list[Action] = [StopSpeaking(), *self._check_asked(flag)]
        paused = self.runner.interrupt(now) if self.runner is not None else []
        actions += paused
        self._check = PendingCheck(flag, event.understanding if instead is None else instead, event.addressed,
                                   resume=bool(paused), deadline=self._unspoken_deadline(now),
                                   voice=voice)
        return actions + [Say(self._check_text(flag), interrupt=True)]

    def _check_asked(self, flag: str) -> list[Action]:
        return [CheckRedFlag(flag, "asked")]

    def _check_text(self, flag: str) -> str:
        """The yes-or-no question for a flag ("Did you say your leg is numb?")."""
        if flag == HELP_CHECK:
            return self.texts.prompt("need_help")
        return self.texts.red_flags[flag].check

    def _check_reply(self, event: Heard, now: float, wall: datetime) -> list[Action]:
        """Yes escalates, and so does a yes in another reading of unclear words (erring to safety);
        only a no that was heard best clears the check."""
        assert self._check is not None
        check = self._check
        u = event.understanding
        if event.voice == "other":
            return self._check_drowned(now)
        if says_yes(event):
            return [CheckRedFlag(check.flag, "confirmed"), *self._escalate(check.flag, now)]
        if u.intent in ("control.no", "control.stop"):
            if check.voice_doubted and u.intent == "control.no":
                return [NotTheirVoice(), *self._check_cleared(now, wall)]  # "I didn't say that": not their voice
            return self._check_cleared(now, wall)
        if u.intent == "control.repeat":
            check.deadline = self._unspoken_deadline(now)
            return [Say(self._check_text(check.flag))]
        if (event.background and not event.addressed) or (event.noisy and u.intent == "unknown"):
            return self._check_drowned(now)
        if event.voice == "unsure" and not event.addressed:
            return self._check_drowned(now)  # talk that may be another's is no answer: the deadline decides
        return self._check_unanswered(now)

    def _check_unanswered(self, now: float) -> list[Action]:
        """Not a yes or a no: ask once more; then act on the red flag, since they may be unable to answer."""
        assert self._check is not None
        check = self._check
        if check.asked >= 2 and check.other_voice:
            return self._check_cleared(now, None, state="lapsed")
        if check.asked >= 2:
            return [CheckRedFlag(check.flag, "unanswered"), *self._escalate(check.flag, now)]
        check.asked += 1
        check.deadline = self._unspoken_deadline(now)
        return [*self._say_prompt("check_yes_no"), Say(self._check_text(check.flag))]

    def _check_cleared(self, now: float, wall: datetime | None, state: str = "cleared") -> list[Action]:
        """They said no (or, for another voice's words, nobody answered: "lapsed"): carry on with whatever
        was interrupted, or act on the words as first heard."""
        assert self._check is not None
        check, self._check = self._check, None
        actions: list[Action] = [CheckRedFlag(check.flag, state)]
        if state == "cleared":
            actions += self._say_prompt("check_cleared")
        if check.resume and self.runner is not None:
            return actions + self._from_runner(self.runner.carry_on(now), now)
        if self.mode is Mode.ASKING and self._open is not None:
            return actions + self._ask(self._open.question, now, self._open.asked)
        if self.mode is Mode.IDLE and check.instead.intent != "unknown" and wall is not None:
            return actions + self._heard(Heard(check.instead, addressed=check.addressed), now, wall)
        return actions

    def _unspoken_deadline(self, now: float) -> float:
        """A question's deadline until the voice has finished asking it (then ``answer_timeout_seconds``)."""
        return now + 2 * self.settings.answer_timeout_seconds + 20

    # --- escalation ----------------------------------------------------------------

    def _escalate(self, flag: str, now: float) -> list[Action]:
        """A red flag: stop everything and answer it at its severity."""
        self._check = None
        if flag == HELP_CHECK:
            return self._escalate_help(now)
        severity = Severity(self.texts.red_flags[flag].severity)
        if self.mode is Mode.EMERGENCY and severity is not Severity.EMERGENCY:
            assert self._alarm is not None
            return [Record("red_flag", {"flag": flag, "severity": severity.value}), *self._alarm.repeat(now)]
        actions = self._stop_everything(now)
        actions += [Escalate(severity.value, flag), Record("red_flag", {"flag": flag, "severity": severity.value})]
        return actions + self._escalation_speech(flag, now)

    def _stop_everything(self, now: float) -> list[Action]:
        """Silence the voice, stop a running session, and drop any open question or relief flow."""
        actions: list[Action] = [StopSpeaking()]
        if self.runner is not None:
            actions += self.runner.abort(now, "stopped")
            self.runner = None
        self._open = None
        self.flow = None
        return actions

    def _escalation_speech(self, flag: str, now: float) -> list[Action]:
        text = self.texts.red_flags[flag]
        lines = escalation_lines(text, self.settings.emergency_number)
        if Severity(text.severity) is Severity.EMERGENCY:
            self.mode = Mode.EMERGENCY
            self._alarm = EmergencyAlarm(text, self.settings.emergency_number,
                                         self.settings.emergency_repeat_seconds, now)
        else:
            self.mode = Mode.IDLE
        return [Say(lines[0], interrupt=True), *(Say(line) for line in lines[1:])]

    def _escalate_help(self, now: float) -> list[Action]:
        """They said yes to "Do you need help?": stop everything and tell them to get help now (urgent)."""
        actions = self._stop_everything(now)
        if self.mode is not Mode.EMERGENCY:
            self.mode = Mode.IDLE
        return actions + [Escalate(Severity.URGENT.value, HELP_CHECK),
                          Record("red_flag", {"flag": HELP_CHECK, "severity": Severity.URGENT.value}),
                          Say(self.texts.prompt("help_confirmed", number=self.settings.emergency_number),
                              interrupt=True)]

    def _escalate_severe_pain(self, now: float) -> list[Action]:
        self.flow = None
        self._open = None
        actions: list[Action] = [Escalate(Severity.URGENT.value, "pain.severe"),
                                 Record("red_flag", {"flag": "pain.severe", "severity": "urgent"})]
        self.mode = Mode.IDLE
        lines = self.texts.prompts("severe_pain")
        return actions + [Say(lines[0], interrupt=True), *(Say(line) for line in lines[1:])]

    def _emergency_reply(self, u: Understanding, now: float) -> list[Action]:
        assert self._alarm is not None
        if u.intent in ACKNOWLEDGE_EMERGENCY:
            alarm, self._alarm = self._alarm, None
            self.mode = Mode.IDLE
            return [Say(line) for line in alarm.acknowledgement()]
        if u.intent in ("control.resume", "control.start") or u.intent.startswith("routine."):
            return self._say_prompt("emergency_not_resumed", number=self.settings.emergency_number)
        return self._alarm.repeat(now)

    # --- reminders -------------------------------------------------------------------
