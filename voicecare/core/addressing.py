"""Who the conversation is with: what counts as said to the assistant, who the follow-up window is for,
a call that was heard but not understood, and what an enrolled person's voice changes. Part of ``Assistant``.

Unenrolled, ``Heard.voice`` is None and only the wake phrase, the conversation and how the words sounded
(``background``) decide, as before voices were known.
"""

from __future__ import annotations

import logging

from voicecare.core.actions import Action, AdaptVoice, Heard, Say
from voicecare.core.dialog import HELP_CHECK, SESSION_CONTROLS, Mode, PendingCheck
from voicecare.core.session_state import SessionState
from voicecare.messages import RED_FLAG_SEVERITY, Understanding

log = logging.getLogger(__name__)


class AddressingMixin:
    """State lives on ``Assistant``: ``_window_for_person``, ``_window_tentative``, ``_calling``."""

    def _in_window_only(self, now: float) -> bool:
        """Only the short follow-up window after the voice spoke makes this a conversation."""
        return (self.settings.wake_enabled and self.mode is Mode.IDLE and self._check is None
                and not self._speaking and now <= self._listen_until)

    def _for_me(self, event: Heard, now: float) -> bool:
        """Said to the assistant: the wake phrase, or words in a conversation; in the follow-up window,
        not in a voice the check heard as another's."""
        if event.addressed:
            return True
        if not self.expects_speech(now):
            return False
        return not (event.voice == "other" and self._in_window_only(now))

    def _note_speaker(self, event: Heard, now: float) -> None:
        """Before replying: does the reply open the follow-up window, and is that window tentative?

        Unenrolled, a reply opens it unless the words sounded like background talk. Once anyone is enrolled, it
        opens for the person's voice, and for words after the wake phrase in a voice that is not another's (the
        answer to "I'm here. What's wrong?" must be heard); a reply to words in a voice the check is unsure of,
        said in the window without the phrase, does not hold it open: a television whose line was answered once
        would otherwise keep the conversation going line by line."""
        if event.voice is None:
            person = not (event.background and not event.addressed)
        else:
            person = event.voice == "person" or (event.addressed and event.voice != "other"
                                                 and not (event.background and not event.wake_confirmed))
        in_window = not event.addressed and self._in_window_only(now)
        self._window_for_person = person
        if event.addressed and event.wake_stage is not None:
            self._window_tentative = not event.wake_confirmed
        elif not in_window:
            self._window_tentative = False

    def _red_flag_heard(self, event: Heard, now: float) -> list[Action]:
        """A red flag: acted on at once, unless who said it is in doubt; then asked about first."""
        u = event.understanding
        if self.mode is Mode.EMERGENCY and self._alarm is not None and self._doubt(event, now):
            log.info("a red flag in a voice that may not be the person's during the emergency: the alarm goes on")
            return self._alarm.repeat(now)  # no second escalation (nor a second call) from an actor's line
        if self.mode is not Mode.EMERGENCY and self._doubt(event, now):
            if self._asking_already(event):
                log.info("a red flag in another voice while one as severe is being asked about: not asked again")
                return []
            log.info("a red flag in %s: checked first", "another voice" if event.voice else "a tentative window")
            return self._ask_check(event, now, flag=u.intent, voice=event.voice,
                                   instead=Understanding(text="", intent="unknown", score=0.0))
        return self._escalate(u.intent, now)

    def _asking_already(self, event: Heard) -> bool:
        """A doubted red flag while a check waits for its answer: the same flag is not asked about twice, and
        another voice's flag no severer than the one asked about asks nothing new (an actor's scene of
        symptoms would otherwise ask about each line). Another flag in a voice that may be the person's
        is always asked about anew: a "no" to the old question must not lose it."""
        pending = self._check
        if pending is None or pending.flag == HELP_CHECK:
            return False
        if pending.flag == event.understanding.intent:
            return True  # the same question already waits: its yes or its no answers this too
        return (event.voice == "other"
                and RED_FLAG_SEVERITY[event.understanding.intent].rank >= RED_FLAG_SEVERITY[pending.flag].rank)

    def _doubt(self, event: Heard, now: float) -> bool:
        """Another voice, one the check is unsure of (unless the wake phrase, confirmed, opened the words: the
        person's own phrase is evidence of their voice too), or a wake phrase only the first stage heard."""
        confirmed_wake = event.addressed and event.wake_stage is not None and event.wake_confirmed
        if event.voice == "other" or (event.voice == "unsure" and not confirmed_wake):
            return True
        if event.addressed and event.wake_stage is not None and not event.wake_confirmed:
            return True
        return not event.addressed and self._window_tentative and self._in_window_only(now)

    def _not_theirs(self, event: Heard) -> bool:
        """A session control in a voice that is not the enrolled person's, without the wake phrase (a word
        too short to tell a voice by may still halt the session: see ``_brief_halt``)."""
        return (event.voice is not None and event.voice != "person" and not event.addressed
                and event.understanding.intent in SESSION_CONTROLS and self._brief_halt(event) is None)

    def _brief_halt(self, event: Heard) -> Understanding | None:
        """A one-word "stop" or "pause" too short for the voice check, in a session: it may be the person in pain,
        so it pauses (the safe, undoable half of stopping); said again while paused, it stops. None otherwise."""
        u = event.understanding
        if not (event.voice == "unsure" and event.voice_brief and u.intent in ("control.stop", "control.pause")):
            return None
        paused = self.runner is not None and self.runner.state is SessionState.PAUSED
        return Understanding(text=u.text, intent="control.stop" if paused else "control.pause", score=u.score)

    def _call_heard(self, event: Heard, now: float) -> list[Action] | None:
        """The wake phrase and words not understood: "I'm here. What's wrong?"; an answer still not made out
        in a loud room, or after a call so faint the endpointer missed its wake phrase (from across the
        room, from the floor): "Do you need help?". None when this is not such a moment."""
        u = event.understanding
        calling, self._calling = self._calling, None
        if self.mode is not Mode.IDLE or u.intent != "unknown" or u.slots:
            return None
        if event.addressed and event.wake_stage is not None and u.text.strip():
            self._calling = "faint" if event.faint else "heard"
            return self._say_prompt("heard_call")
        if calling is not None and (event.noisy or calling == "faint"):
            return self._ask_help(event, now)
        return None

    def _ask_help(self, event: Heard, now: float) -> list[Action]:
        self._check = PendingCheck(HELP_CHECK, event.understanding, event.addressed, resume=False,
                                   deadline=self._unspoken_deadline(now))
        return [*self._check_asked(HELP_CHECK), Say(self._check_text(HELP_CHECK), interrupt=True)]

    def _check_drowned(self, now: float) -> list[Action]:
        """Background talk (or another voice) where the answer should be: ask once more, plainly; after
        that only the person's answer or the deadline counts."""
        assert self._check is not None
        check = self._check
        if check.plainly:
            return []
        check.plainly = True
        check.deadline = self._unspoken_deadline(now)
        return [*self._say_prompt("check_plainly"), Say(self._check_text(check.flag))]

    def _adapt(self, event: Heard) -> list[Action]:
        """The request after the person's own wake phrase, confirmed, in a voice not another's: theirs."""
        if (event.voice in ("person", "unsure") and event.addressed and event.wake_confirmed
                and event.wake_stage == "template"):
            return [AdaptVoice()]
        return []
