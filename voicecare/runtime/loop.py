"""The assistant's one loop: microphone → endpointer → recognizer → understanding → core → voice.

The same loop runs on devices (real clock) and on files (the input's own stream clock, or the
real clock with ``realtime``), so whole spoken conversations are tested on real audio.
"""

from __future__ import annotations

import logging
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from voicecare.audio.chunk import AudioChunk
from voicecare.core.actions import Action, SpeechDone, Tick
from voicecare.asr.keyword import KeywordSpotter
from voicecare.core.expectation import Expect
from voicecare.core.wake import WakePhrase
from voicecare.errors import AudioError, VoicecareError
from voicecare.messages import Transcript, Understanding
from voicecare.runtime.acting import ActingMixin
from voicecare.runtime.eventlog import EventLog
from voicecare.runtime.hooks import EmergencyHook
from voicecare.listening.room_stage import RoomSettings
from voicecare.listening.pipeline import ListeningPipeline, build_pipeline
from voicecare.runtime.echo import RecentSpeech
from voicecare.runtime.output import Output

log = logging.getLogger(__name__)

BARGE_IN_INTENTS = frozenset({"control.stop", "control.pause"})
"""While the voice speaks, only these short commands are taken from the microphone."""


@dataclass(frozen=True, slots=True)
class LoopSettings:
    """Timing of the loop itself."""

    self_hearing_tail_seconds: float = 0.4
    """After the voice stops, microphone audio is still ignored this long (room echo)."""
    barge_in: bool = True
    """Accept a short "stop"/"pause" while the voice is speaking."""
    min_confidence: float = 0.0
    """Transcripts below this recognizer confidence count as noise."""
    drain_seconds: float = 900.0
    """After file input ends, keep running (holds, repeats) at most this long."""
    block_seconds: float = 0.03
    speculate_after_seconds: float = 0.09
    """Quiet this long inside an utterance starts recognizing it before its end is confirmed."""
    noisy_floor_dbfs: float = -35.0
    """A noise floor above this at the microphone is a loud room (a television, a fan close by)."""
    noisy_snr_db: float = 20.0
    """Speech rising less than this above the noise floor was heard in noise: answers are read back."""
    agreed_confidence: float = 0.9
    """An answer the waiting state's grammar and the open model both heard, with the same meaning,
    counts as heard clearly (at least this confident), however short it was."""


@dataclass(slots=True)
class LoopParts:
    """Everything the loop drives; built once at start-up (``voicecare.runtime.build``)."""

    assistant: Any
    microphone: Any
    output: Output
    voice: Any
    recognizer: Any
    understander: Any
    endpointer: Any
    tones: Callable[[str], AudioChunk]
    events: EventLog
    journal: Any = None
    wake: WakePhrase | None = None
    spotter: KeywordSpotter | None = None
    """Confirms the wake phrase in the audio (PocketSphinx); None decides by the transcript alone."""
    pipeline: ListeningPipeline | None = None
    """The listening stages; None builds them from ``wake`` and ``spotter`` (nobody enrolled)."""
    hook: EmergencyHook | None = None
    notifier: Any = None
    save_state: Callable[[Any], None] | None = None
    journal_watch: Any = None
    """Says once, aloud, that the journal cannot keep records (``runtime.journal_watch``)."""
    offer: Any = None
    """The first-run offer to learn the person's voice (``runtime.enroll_offer``): what is heard goes to it
    while it runs."""


def listening_pipeline(parts: LoopParts, settings: LoopSettings) -> ListeningPipeline:
    """The listening stages for an assistant nobody has enrolled with (the loop's settings for the room)."""
    return build_pipeline(parts.understander, parts.wake, parts.spotter,
                          front=RoomSettings(settings.noisy_floor_dbfs, settings.noisy_snr_db),
                          agreed_confidence=settings.agreed_confidence)


@dataclass(frozen=True, slots=True)
class _Early:
    """A recognition started at a pause, before the utterance's end was confirmed."""

    start: float
    end: float
    future: Future
    expect: Expect = Expect.IDLE


class AudioLoop(ActingMixin):
    """Runs until stopped, or (for file input) until the input has ended and all is quiet."""

    def __init__(self, parts: LoopParts, settings: LoopSettings = LoopSettings(), *,
                 stream_clock: bool = False, finite: bool = False, wall_start: datetime | None = None) -> None:
        self.p = parts
        self.settings = settings
        self._stream_clock = stream_clock
        self._finite = finite
        """The input is a file: the loop ends after it does (and all is quiet)."""
        self._t0 = time.monotonic()
        self._first_block = True
        self._wall0 = wall_start or datetime.now().astimezone()
        self.now = 0.0
        self._stream_time = 0.0
        self._speaking = False
        self._stopping = False
        self._last_watchdog = float("-inf")
        self._said = RecentSpeech()
        self._recognizer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="recognizer")
        """The one thread that uses the recognizer, so early and final recognitions never overlap."""
        self._early: _Early | None = None
        self._pipeline = parts.pipeline or listening_pipeline(parts, settings)
        self._last_hearing: Any = None
        """The utterance the core is handling (a voice print adapts from it when the core says so)."""
        self._checked_hearing: Any = None
        """The utterance the last red-flag check asked about (a "no" to it says whose voice it was not)."""

    # --- clock --------------------------------------------------------------------

    @property
    def wall(self) -> datetime:
        return self._wall0 + timedelta(seconds=self.now)

    def _clock(self) -> float:
        return self._stream_time if self._stream_clock else time.monotonic() - self._t0

    def stop(self) -> None:
        """Ask the loop to end (from a signal handler): it finishes the current step."""
        self._stopping = True

    def say_now(self, actions: list[Action]) -> None:
        """Carry out actions outside any event (a greeting at start-up)."""
        self._execute(actions)

    # --- main loop ----------------------------------------------------------------

    def run(self, *, until_idle: bool = False) -> None:
        """Loop until stopped; with ``until_idle``, also once the assistant has nothing left to do."""
        if self.p.notifier is not None:
            self.p.notifier.ready()
        try:
            while not self._stopping:
                if until_idle and not self._speaking and not self.p.assistant.busy:
                    break
                block = self._read()
                if block is None and self._finite:
                    self._end_of_input()
                    break
                if block is not None:
                    start = block.timestamp if block.timestamp is not None else self._stream_time
                    if self._first_block and self._finite and not self._stream_clock:
                        self._t0 = time.monotonic() - (start + block.seconds)  # t counts from the first sample
                    self._first_block = False
                    self.advance_to(start if self._stream_clock else self._clock())
                    self._stream_time = start + block.seconds
                    self.advance_to(self._clock())
                    self._listen(block)
                else:
                    self.advance_to(self._clock())
                self._ping()
            if not self._stopping:
                self._drain()
        finally:
            self._shutdown()

    def _end_of_input(self) -> None:
        """The input file has ended: speech that ran to its last sample is an utterance too."""
        for utterance in self.p.endpointer.flush():
            quiet_after = self.p.output.busy_until(self.now) + self.settings.self_hearing_tail_seconds
            self._utterance(utterance, during_speech=utterance.start < quiet_after)

    def _expecting(self) -> Expect:
        """What the conversation waits to hear (the recognizer decodes that state's grammar too)."""
        if self.p.offer is not None and self.p.offer.active:
            return Expect.YES_NO if self.p.offer.stage.value == "asked" else Expect.IDLE
        expecting = getattr(self.p.assistant, "expecting", None)
        return expecting() if expecting is not None else Expect.IDLE

    def _read(self) -> AudioChunk | None:
        deadline = self.p.assistant.next_deadline(self.now, self.wall)
        timeout = self.settings.block_seconds * 4
        if deadline is not None and not self._stream_clock:
            timeout = max(0.0, min(timeout, deadline - self._clock()))
        while not self._stopping:
            try:
                return self.p.microphone.read(timeout)
            except AudioError as exc:
                self._microphone_failed(exc)
        return None

    def _microphone_failed(self, exc: AudioError) -> None:
        """A device fault mid-run: log it, keep the core running, and reopen with back-off."""
        log.error("%s; retrying", exc.line())
        microphone = self.p.microphone
        delay = 0.5
        while not self._stopping:
            wake_at = time.monotonic() + delay
            while not self._stopping and time.monotonic() < wake_at:
                self.advance_to(self._clock())  # holds, repeats and reminders go on meanwhile
                self._ping()
                time.sleep(0.05)
            delay = min(delay * 2, 30.0)
            try:
                microphone.close()
                microphone.open()
            except AudioError as again:
                log.debug("microphone still unavailable: %s", again.what)
                continue
            log.info("microphone is back")
            self.p.endpointer.reset()
            return

    def _drain(self) -> None:
        """File input has ended: let holds, questions and repeats play out (bounded)."""
        end = self.now + self.settings.drain_seconds
        while not self._stopping and self.now < end:
            speech_end = self.p.output.busy_until(self.now) if self._speaking else None
            deadline = self.p.assistant.next_deadline(self.now, self.wall)
            if speech_end is None and (deadline is None or not self.p.assistant.busy):
                return
            upcoming = min(d for d in (speech_end, deadline) if d is not None)
            if self._stream_clock:
                self._stream_time = max(self._stream_time, min(upcoming, end))
            else:
                time.sleep(max(0.0, min(upcoming, end) - self._clock()))
            self.advance_to(self._clock())

    def _ping(self) -> None:
        notifier = self.p.notifier
        if notifier is None:
            return
        interval = notifier.watchdog_interval()
        if interval is not None and time.monotonic() - self._last_watchdog >= interval:
            notifier.watchdog()
            self._last_watchdog = time.monotonic()

    def _shutdown(self) -> None:
        self._recognizer.shutdown(wait=True, cancel_futures=True)
        if self.p.notifier is not None:
            self.p.notifier.stopping()
        pad = getattr(self.p.output, "pad_to", None)
        if pad is not None:
            pad(max(self._stream_time, self.now))
        for close in (getattr(self.p.microphone, "close", None), self.p.output.close,
                      getattr(self.p.journal, "close", None), getattr(self.p.voice, "close", None)):
            if close is None:
                continue
            try:
                close()
            except (OSError, VoicecareError) as exc:
                log.error("while shutting down: %s", exc)

    # --- time passing ------------------------------------------------------------------

    def advance_to(self, t: float) -> None:
        """Fire the end of speech and every core deadline up to ``t``, each at its own time."""
        while True:
            speech_end = self.p.output.busy_until(self.now) if self._speaking else None
            deadline = self.p.assistant.next_deadline(self.now, self.wall)
            upcoming = [d for d in (speech_end, deadline) if d is not None]
            if not upcoming or min(upcoming) > t:
                break
            self.now = max(self.now, min(upcoming))
            if speech_end is not None and speech_end <= self.now:
                self._speaking = False
                self._execute(self._handle(SpeechDone()))
            else:
                self._execute(self._handle(Tick()))
        self.now = max(self.now, t)

    def _catch_up(self) -> None:
        """On the real clock, move ``now`` past time spent computing (on files it is virtual)."""
        if not self._stream_clock:
            self.now = max(self.now, self._clock())

    def _handle(self, event: Any) -> list[Action]:
        return self.p.assistant.handle(event, self.now, self.wall)

    # --- hearing -----------------------------------------------------------------------

    def _listen(self, block: AudioChunk) -> None:
        quiet_after = self.p.output.busy_until(self.now) + self.settings.self_hearing_tail_seconds
        speaking = self._speaking or self.now < quiet_after
        if speaking and not self.settings.barge_in:
            block = AudioChunk.silence(block.seconds)
        for utterance in self.p.endpointer.feed(block):
            self._utterance(utterance, during_speech=utterance.start < quiet_after)
        if self.p.offer is not None:
            self._execute(self.p.offer.expired(self.now, quiet_after, self.p.endpointer.in_speech))
        self._speculate()

    def _speculate(self) -> None:
        """At the first pause, start recognizing what was said so far, on the recognizer's thread.

        The endpointer needs a few hundred milliseconds of quiet to be sure an utterance has ended;
        recognizing during that wait means the answer can start as soon as it is sure.
        """
        endpointer = self.p.endpointer
        if not endpointer.in_speech or endpointer.quiet_seconds < self.settings.speculate_after_seconds:
            self._early = None  # no utterance, or they carried on talking: the early guess is stale
            return
        if self._early is None:
            partial = endpointer.partial()
            if partial is not None:
                expect = self._expecting()
                job = self._recognizer.submit(self.p.recognizer.transcribe, partial.audio, expect)
                self._early = _Early(partial.start, partial.end, job, expect)

    def _transcribe(self, utterance: Any) -> Transcript:
        """The transcript of a finished utterance: the early one when nothing was said after it."""
        early, self._early = self._early, None
        expect = self._expecting()
        if early is not None and early.start == utterance.start and early.expect is expect:
            return early.future.result()  # quiet since it began: it holds all of the speech
        return self._recognizer.submit(self.p.recognizer.transcribe, utterance.audio, expect).result()

    def _utterance(self, utterance: Any, *, during_speech: bool) -> None:
        """One utterance through the listening pipeline, then (unless it is only an echo) to the core."""
        floor = getattr(self.p.endpointer, "noise_floor_dbfs", None)
        quiet_after = self.p.output.busy_until(self.now) + self.settings.self_hearing_tail_seconds
        hearing = self._pipeline.hear(utterance, floor, self._transcriber(utterance),
                                      min_confidence=self.settings.min_confidence, not_before=quiet_after)
        event = hearing.heard
        understanding, possible = event.understanding, event.possible
        self._catch_up()  # recognition took real time: the answer cannot come before now
        if self.p.offer is not None and self.p.offer.active:
            if not during_speech:
                self.p.events.write(self.now, hearing.event(True))
                self._execute(self.p.offer.heard(hearing, self.now))
            return
        if during_speech and not self._may_interrupt(understanding, utterance, possible):
            log.debug("ignored while speaking: %r", hearing.transcript.text)
            return
        self.p.events.write(self.now, hearing.event(event.addressed or self.p.assistant.expects_speech(self.now)))
        self.p.events.understood(self.now, understanding)
        log.debug("heard %r → %s%s", hearing.transcript.text, understanding.intent,
                  f" (or {possible.intent} in {possible.text!r})" if possible else "")
        self._last_hearing = hearing
        self._execute(self._handle(event))

    def _transcriber(self, utterance: Any) -> Callable[[AudioChunk], Transcript]:
        """The recognizer stage for this utterance: its early transcript for the whole of it, else a
        decoding on the recognizer's thread in the waiting state's grammar."""
        def transcribe(audio: AudioChunk) -> Transcript:
            if audio is utterance.audio:
                return self._transcribe(utterance)
            return self._recognizer.submit(self.p.recognizer.transcribe, audio, self._expecting()).result()
        return transcribe

    def _may_interrupt(self, understanding: Understanding, utterance: Any,
                       possible: Understanding | None = None) -> bool:
        """While the voice speaks, only a red flag (or a possible one) or a short stop/pause gets
        through, and never the assistant's own words picked up by the microphone."""
        if possible is not None and not self._said.echoes(possible.text, utterance.start, utterance.end):
            return True
        if understanding.is_red_flag:
            wanted = True
        elif understanding.intent in BARGE_IN_INTENTS:
            wanted = self.settings.barge_in and len(understanding.text.split()) <= 4
        else:
            wanted = False
        return wanted and not self._said.echoes(understanding.text, utterance.start, utterance.end)
