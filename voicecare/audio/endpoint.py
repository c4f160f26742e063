"""Finds where utterances start and end in a continuous 16 kHz stream (pocketsphinx's VAD endpointer,
behind an energy gate and, when installed and enabled, the front end of ``voicecare.audio.frontend``)."""

from __future__ import annotations

import math

import logging
from collections import deque
from dataclasses import dataclass
from typing import Any

import numpy as np
import pocketsphinx

from voicecare.audio.chunk import RATE, WIDTH, AudioChunk

log = logging.getLogger(__name__)

_FRAME_SECONDS = 0.03


@dataclass(frozen=True, slots=True)
class Utterance:
    """One stretch of speech; ``start`` and ``end`` are stream seconds of the speech itself.

    ``audio`` also holds a little of what came just before and after (``pad_seconds``), because a
    recognizer needs some quiet around the words; its own timestamp says where it begins.
    """

    audio: AudioChunk
    start: float
    end: float
    lead: AudioChunk | None = None
    """The audio just before ``audio`` that no earlier utterance held (``lead_seconds`` at most): a quiet,
    far wake phrase the gate and the voice-activity detector let pass may lie in it."""

    @property
    def seconds(self) -> float:
        return self.end - self.start


@dataclass(frozen=True, slots=True)
class EndpointSettings:
    """How eagerly speech is detected and how long an utterance may run."""

    max_utterance_seconds: float = 12.0
    """Speech longer than this is cut into pieces of at most this length."""
    min_utterance_seconds: float = 0.35
    """Shorter detections (coughs, knocks) are ignored."""
    min_voiced_seconds: float = 0.15
    """With the neural detector, a shorter detection in which it heard a voice is kept all the same
    (one-word answers: "no", "two") if it also rose ``voiced_above_floor_db`` above the room's noise
    floor (a television's voices are heard as voices too); otherwise ``min_utterance_seconds`` holds."""
    voiced_above_floor_db: float = 20.0
    """How far above the noise floor a short voiced detection must rise to be kept."""
    window_seconds: float = 0.3
    """Decision window of the endpointer: longer waits out short pauses."""
    ratio: float = 0.9
    """Fraction of the window that must agree before speech starts or ends."""
    vad_mode: int = 1
    """Aggressiveness of the voice activity detector, 0 (loose) to 3 (strict)."""
    gate_db: float = 9.0
    """A frame must be this many dB above the running noise floor to count as possible speech."""
    floor_seconds: float = 3.0
    """How much recent audio the noise floor is estimated from."""
    gate_hold_seconds: float = 0.3
    """After a loud frame the gate stays open this long, so quiet consonants and short gaps pass."""
    silence_dbfs: float = -60.0
    """Frames quieter than this are never speech."""
    end_quiet_seconds: float | None = 0.25
    """Quiet (below the noise gate) this long ends an utterance at once, without waiting for the
    voice-activity window and the gate's hold to run out (together about 0.55 s after the voice
    stops). None leaves the end to the voice-activity detector alone."""
    end_below_peak_db: float | None = 35.0
    """Inside an utterance, a frame this far below its loudest frame also counts as quiet for
    ``end_quiet_seconds`` (a voice's fading tail in a quiet room), while it still reaches the
    voice-activity detector. None counts only frames below the noise gate."""
    end_sure_seconds: float | None = None
    """With the neural detector, quiet this long ends an utterance when the detector is also sure
    the voice has stopped (``FrontEndSettings.sure_quiet_below``). None waits ``end_quiet_seconds``."""
    sure_after_seconds: float = 1.0
    """The sooner end is taken only once the utterance has run this long: a wake phrase said before a
    pause ("hey care, ...") is not cut off from what follows it."""
    lead_seconds: float = 2.0
    """Audio kept before each utterance, beyond its padding, as its ``lead``: a wake phrase said from
    across a room, 15 dB down with a reverberant tail, rises above the noise gate but is not taken
    for speech by the voice-activity detector, so the utterance begins with the words after it."""
    pad_seconds: float = 0.15
    """Audio kept either side of the speech for the recognizer. Cut flush at the speech, utterances
    of the spoken dev set were understood 3 points less often than whole recordings; with 0.15 s
    (or 0.3 s) around them, 1 point less."""


class Endpointer:
    """Feeds audio blocks in, gets whole utterances out; keeps its own stream clock."""

    def __init__(self, max_utterance_seconds: float = 12.0, settings: EndpointSettings | None = None,
                 front_end: Any = None) -> None:
        """``settings``, when given, wins over ``max_utterance_seconds``; ``front_end`` (a
        ``voicecare.audio.frontend.FrontEnd``) processes the
        audio before the decisions (utterances carry the raw or the processed audio, as it says)."""
        self.settings = settings or EndpointSettings(max_utterance_seconds=max_utterance_seconds)
        self._front = front_end if front_end is not None and front_end.active else None
        self._suppressor = self._front.suppressor if self._front is not None else None
        self._speech = self._front.speech if self._front is not None else None
        if self.settings.max_utterance_seconds <= self.settings.window_seconds:
            raise ValueError("max_utterance_seconds must be longer than the endpointer window")
        self._position = 0.0
        self._started = False
        self._energies: deque[float] = deque(maxlen=max(1, int(self.settings.floor_seconds / _FRAME_SECONDS)))
        """Recent frame levels (dBFS) for the noise floor; kept across resets, the room does not change."""
        self._new_endpointer()

    def _new_endpointer(self) -> None:
        s = self.settings
        self._ep = pocketsphinx.Endpointer(window=s.window_seconds, ratio=s.ratio, vad_mode=s.vad_mode,
                                           sample_rate=RATE, frame_length=_FRAME_SECONDS)
        self._frame_bytes: int = self._ep.frame_bytes
        self._origin = self._position
        """Stream seconds at which this pocketsphinx endpointer's own clock reads zero."""
        self._pending = b""
        self._pending_heard = b""
        """The processed copy of ``_pending`` (when a suppressor runs)."""
        self._ep_offset = 0
        """Frames this process had seen when the pocketsphinx endpointer was last replaced (its clock's zero)."""
        self._frames_in = 0
        """Frames given to this pocketsphinx endpointer so far."""
        keep = int((s.max_utterance_seconds + s.window_seconds) / _FRAME_SECONDS) + 4
        self._history: deque[bytes] = deque(maxlen=keep)
        """The latest original frames: utterances carry the real audio, not the gated copy the VAD saw."""
        self._gate_open = 0
        """Frames the noise gate stays open for."""
        self._voice = 1.0
        """The neural detector's latest speech probability (1.0 without one)."""
        self._voiced = False
        """The neural detector has heard a voice in the utterance in progress."""
        self._speech_running = False
        """The neural detector is following the stream (it rests while the gate is shut)."""
        self._heard_voice = False
        """The neural detector heard a voice since the gate opened (or the last utterance ended)."""
        self._heard_peak = -math.inf
        """The loudest frame (dBFS) over the same stretch."""
        self._quiet = 0
        """Consecutive quiet frames (below the gate, or far below the utterance's peak): the speaker may have finished."""
        self._peak = -math.inf
        """The loudest frame (dBFS) of the utterance in progress since its start was found."""
        self._start_index: int | None = None
        """Frame index where the utterance in progress began, or None."""
        self._cut_until = 0
        """Frame index where the audio of the last utterance given out ended: a lead never reaches before it."""

    @property
    def position(self) -> float:
        """Stream seconds of audio received so far (fed or discarded)."""
        held = len(self._pending) + (self._suppressor.pending_bytes if self._suppressor is not None else 0)
        return self._position + held / (RATE * WIDTH)

    @property
    def in_speech(self) -> bool:
        """True while an utterance is in progress."""
        return self._start_index is not None

    @property
    def noise_floor_dbfs(self) -> float | None:
        """The room's noise level at the microphone (the quietest tenth of the last few seconds), or
        None before any audio: what the speech has to rise above."""
        if not self._energies:
            return None
        return float(np.percentile(self._energies, 10))

    @property
    def quiet_seconds(self) -> float:
        """How long the input has been quiet: a pause, or the end of an utterance not yet confirmed."""
        return self._quiet * _FRAME_SECONDS

    def partial(self) -> Utterance | None:
        """The utterance in progress so far (for recognizing it early, while its end is confirmed)."""
        if self._start_index is None:
            return None
        return self._cut(self._start_index, self._frames_in, pad_after=False)

    def reset(self, position: float | None = None) -> None:
        """Forget any utterance in progress; optionally move the stream clock."""
        self._position = self.position if position is None else position
        if self._speech is not None:
            self._speech.reset()
        self._new_endpointer()

    def discard(self, chunk: AudioChunk) -> None:
        """Let time pass without listening (the assistant is speaking): drops any utterance in progress."""
        self._align(chunk)
        if self.in_speech:
            log.debug("dropping utterance in progress at %.2f s", self.position)
        self.reset(self.position + chunk.seconds)

    def _align(self, chunk: AudioChunk) -> None:
        if not chunk.is_internal:
            raise ValueError("the endpointer needs 16 kHz 16-bit mono audio; convert at the border first")
        if not self._started:
            self._started = True
            if chunk.timestamp is not None:
                self._position = chunk.timestamp
                self._origin = chunk.timestamp

    def feed(self, chunk: AudioChunk) -> list[Utterance]:
        """Process a block of any length; returns the utterances it completed."""
        self._align(chunk)
        audio, processed = chunk.audio, None
        if self._suppressor is not None:
            audio, processed = self._suppressor.process(audio)
        data = self._pending + audio
        heard = self._pending_heard + processed if processed is not None else data
        out: list[Utterance] = []
        n = self._frame_bytes
        whole = len(data) - len(data) % n
        for i in range(0, whole, n):
            out.extend(self._frame(data[i : i + n], heard[i : i + n]))
        self._pending = data[whole:]
        self._pending_heard = heard[whole:] if processed is not None else b""
        return out

    def _gate(self, frame: bytes) -> bytes:
        """Silence for frames near the noise floor, so steady noise never looks like speech."""
        x = np.frombuffer(frame, dtype="<i2").astype(np.float64)
        level = 10.0 * np.log10(float(np.mean(x * x)) / (32768.0 * 32768.0) + 1e-12)
        self._energies.append(level)
        floor = float(np.percentile(self._energies, 10))
        loud = level >= self.settings.silence_dbfs and level >= floor + self.settings.gate_db
        voiceless = self._voiceless(frame, loud or self._gate_open > 0 or self._start_index is not None)
        if self._speech_running:
            self._heard_peak = max(self._heard_peak, level)
        if loud:
            self._gate_open = int(self.settings.gate_hold_seconds / _FRAME_SECONDS)
            below = self.settings.end_below_peak_db
            if self._start_index is not None:
                self._peak = max(self._peak, level)
            fading = self._start_index is not None and below is not None and level < self._peak - below
            if fading or voiceless:
                self._quiet += 1  # the voice's fading tail, or no voice in it: heard, but the end clock runs
            else:
                self._quiet = 0
            return frame
        self._quiet += 1
        if self._gate_open > 0:  # weak sounds inside a word stay part of it
            self._gate_open -= 1
            return frame
        return bytes(len(frame))

    def _voiceless(self, frame: bytes, listening: bool) -> bool:
        """The neural detector hears no voice, after it heard one in this utterance (it lags at onsets,
        so it only ever helps to end an utterance, never to start or drop one). It runs only while
        the energy gate is open or an utterance is in progress: a quiet room costs nothing."""
        if self._speech is None or self._front is None:
            return False
        if not listening:
            if self._speech_running:
                self._speech.reset()
                self._speech_running = False
                self._heard_voice, self._heard_peak = False, -math.inf
            return False
        self._speech_running = True
        self._voice = self._speech(frame)
        self._heard_voice = self._heard_voice or self._voice >= 0.5
        if self._start_index is not None and self._voice >= 0.5:
            self._voiced = True
        return self._voiced and self._voice < self._front.settings.quiet_below

    def _frame(self, frame: bytes, heard: bytes) -> list[Utterance]:
        """``frame`` as received and ``heard`` as processed by the front end (the same when none runs)."""
        keep_processed = self._front is not None and self._front.settings.recognizer_hears_processed
        self._history.append(heard if keep_processed else frame)
        self._frames_in += 1
        self._position += len(frame) / (RATE * WIDTH)
        speech = self._ep.process(self._gate(heard))
        if self._start_index is not None and self._ended():
            return self._end_early()
        if speech is None:
            return []
        if self._start_index is None:
            self._start_index = round(self._ep.speech_start / _FRAME_SECONDS) + self._ep_offset
        if not self._ep.in_speech:
            return self._finish(round(self._ep.speech_end / _FRAME_SECONDS) + self._ep_offset)
        if (self._frames_in + 1 - self._start_index) * _FRAME_SECONDS > self.settings.max_utterance_seconds:
            done = self._finish(self._frames_in)
            self._start_index = self._frames_in  # speech goes on: the next piece starts here
            return done
        return []

    def _ended(self) -> bool:
        """Quiet long enough (and, with the neural detector, sure enough) to end the utterance now."""
        quiet, s = self._quiet * _FRAME_SECONDS, self.settings
        if s.end_quiet_seconds is not None and quiet >= s.end_quiet_seconds:
            return True
        sure = self._voiced and self._front is not None and self._voice < self._front.settings.sure_quiet_below
        if s.end_sure_seconds is None or not sure or self._speech is None or quiet < s.end_sure_seconds:
            return False
        start = self._start_index if self._start_index is not None else self._frames_in
        return (self._frames_in - self._quiet - start) * _FRAME_SECONDS >= s.sure_after_seconds

    def _end_early(self) -> list[Utterance]:
        """The speaker has been quiet ``end_quiet_seconds``: the utterance ends where the quiet began."""
        done = self._finish(self._frames_in - self._quiet)
        self._ep = pocketsphinx.Endpointer(window=self.settings.window_seconds, ratio=self.settings.ratio,
                                           vad_mode=self.settings.vad_mode, sample_rate=RATE,
                                           frame_length=_FRAME_SECONDS)
        self._ep_offset = self._frames_in
        return done

    def _finish(self, end_index: int) -> list[Utterance]:
        """The utterance from the start frame up to (not including) ``end_index``."""
        start_index = self._start_index if self._start_index is not None else end_index
        self._start_index = None
        self._peak = -math.inf
        self._voiced = False
        utterance = self._cut(start_index, end_index, lead=True)
        voiced, loudest, self._heard_voice, self._heard_peak = self._heard_voice, self._heard_peak, False, -math.inf
        floor = self.noise_floor_dbfs
        voiced = voiced and floor is not None and loudest >= floor + self.settings.voiced_above_floor_db
        shortest = self.settings.min_voiced_seconds if voiced else self.settings.min_utterance_seconds
        if utterance.seconds < shortest:
            log.debug("ignoring %.2f s blip at %.2f s", utterance.seconds, utterance.start)
            return []
        log.debug("utterance %.2f-%.2f s", utterance.start, utterance.end)
        pad = round(self.settings.pad_seconds / _FRAME_SECONDS)
        self._cut_until = min(max(end_index, start_index) + pad, self._frames_in)
        return [utterance]

    def _cut(self, start_index: int, end_index: int, *, pad_after: bool = True, lead: bool = False) -> Utterance:
        """Frames ``start_index`` up to ``end_index`` as an utterance, its audio padded from the history;
        with ``lead``, the audio before it since the last utterance given out, too."""
        first = self._frames_in - len(self._history)
        frames = list(self._history)
        lo, hi = max(start_index, first) - first, max(min(end_index, self._frames_in), first) - first
        pad = round(self.settings.pad_seconds / _FRAME_SECONDS)
        audio_lo, audio_hi = max(0, lo - pad), min(len(frames), hi + pad) if pad_after else hi
        audio = b"".join(frames[audio_lo:audio_hi])
        start = self._origin + (first + lo) * _FRAME_SECONDS
        chunk = AudioChunk(rate=RATE, width=WIDTH, channels=1, audio=audio,
                           timestamp=self._origin + (first + audio_lo) * _FRAME_SECONDS)
        before = None
        if lead:
            lead_lo = max(0, audio_lo - round(self.settings.lead_seconds / _FRAME_SECONDS), self._cut_until - first)
            if lead_lo < audio_lo:
                before = AudioChunk(rate=RATE, width=WIDTH, channels=1, audio=b"".join(frames[lead_lo:audio_lo]),
                                    timestamp=self._origin + (first + lead_lo) * _FRAME_SECONDS)
        return Utterance(audio=chunk, start=start, end=start + (hi - lo) * _FRAME_SECONDS, lead=before)

    def flush(self) -> list[Utterance]:
        """End of stream: returns the utterance still in progress, if any, and starts afresh."""
        out: list[Utterance] = []
        if self.in_speech:
            if self._pending:
                processed = self._front is not None and self._front.settings.recognizer_hears_processed
                self._history.append(self._pending_heard if processed and self._pending_heard else self._pending)
            out = self._finish(self._frames_in + (1 if self._pending else 0))
        self.reset()
        return out
