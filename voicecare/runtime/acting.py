"""Carrying out the core's actions: speech sentence by sentence, tones, stopping the voice, the
emergency hook and journal records. Part of ``AudioLoop`` (``voicecare.runtime.loop``)."""

from __future__ import annotations

import logging
from typing import Iterator

from voicecare.audio.chunk import AudioChunk
from voicecare.core.actions import (
    Action,
    AdaptVoice,
    CheckRedFlag,
    Escalate,
    NotTheirVoice,
    PatternFound,
    Record,
    Say,
    StopSpeaking,
    Tone,
)
from voicecare.errors import VoicecareError

log = logging.getLogger(__name__)


class ActingMixin:
    """Doing what the core decided (parts, clock and speaking state live on ``AudioLoop``)."""

    # --- doing -----------------------------------------------------------------------

    def _execute(self, actions: list[Action]) -> None:
        for action in actions:
            try:
                self._do(action)
            except VoicecareError as exc:
                log.error("could not %s: %s", type(action).__name__, exc.line())
        if self.p.save_state is not None:
            self.p.save_state(self.p.assistant)
        if self.p.journal_watch is not None:
            notice = self.p.journal_watch.notice(self.p.assistant.busy or self._speaking)
            if notice:
                self._execute(notice)

    def _do(self, action: Action) -> None:
        t = self.now
        if isinstance(action, Say):
            if action.interrupt:
                self.p.output.stop(self.now)
            pieces = self._pieces(action.text)
            audio = next(pieces)
            self._catch_up()
            t = self.p.output.play(audio, self.now)
            end = t + audio.seconds
            for more in pieces:  # the next sentences are made while the first one sounds
                self._catch_up()  # made too slowly, a sentence starts late, and the line ends later
                end = self.p.output.play(more, self.now) + more.seconds
            seconds = end - t
            self._said.add(action.text, t, end)
            self._speaking = True
            self.p.events.write(t, {**(action.event() or {}), "seconds": round(seconds, 3)})
            return
        elif isinstance(action, Tone):
            t = self.p.output.play(self.p.tones(action.name), self.now)
            self._speaking = True
        elif isinstance(action, StopSpeaking):
            self.p.output.stop(self.now)
        elif isinstance(action, Escalate):
            if action.severity == "emergency" and self.p.hook is not None:
                self.p.hook.fire(action.flag)
        elif isinstance(action, Record):
            self._record(action)
        elif isinstance(action, AdaptVoice) and self._last_hearing is not None:
            self._pipeline.voice.adapt(self._last_hearing.voice)
        elif isinstance(action, CheckRedFlag) and action.state == "asked":
            self._checked_hearing = self._last_hearing  # the words asked about, and the voice that said them
        elif isinstance(action, NotTheirVoice) and self._checked_hearing is not None:
            self._pipeline.voice.not_theirs(self._checked_hearing.voice)
        self.p.events.action(t, action)

    def _synthesize(self, text: str) -> AudioChunk:
        try:
            return self.p.voice.synthesize(text)
        except VoicecareError as exc:
            log.warning("speech synthesis failed once (%s); retrying", exc.what)
            return self.p.voice.synthesize(text)

    def _pieces(self, text: str) -> Iterator[AudioChunk]:
        """The line sentence by sentence when the voice can (the first sounds sooner), else whole."""
        pieces = getattr(self.p.voice, "pieces", None)
        if pieces is None:
            yield self._synthesize(text)
            return
        try:
            parts = pieces(text)
            first = next(parts)
        except VoicecareError as exc:
            log.warning("speech synthesis failed once (%s); retrying", exc.what)
            parts = pieces(text)
            first = next(parts)
        yield first
        try:
            yield from parts
        except VoicecareError as exc:
            log.error("could not say the rest of %r: %s", text[:40], exc.line())

    def _record(self, action: Record) -> None:
        journal = self.p.journal
        if journal is None:
            return
        journal.record(action.kind, action.data, self.wall)
        if action.kind in ("episode", "red_flag"):
            rule = journal.pattern_due(self.wall)
            if rule is not None:
                days = len({episode.day for episode in journal.recent_episodes(self.wall, 5)})
                self._execute(self._handle(PatternFound(rule, days)))
