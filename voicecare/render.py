"""A whole guided session rendered to audio on a virtual clock, with its event timeline.

The session runner is driven exactly as on the device: each spoken line takes as long as its
synthesized audio, ``SpeechDone`` arrives when the voice falls quiet, deadlines fire as
virtual time passes, and yes/no questions are answered "no" automatically (logged as such).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.audio.convert import to_internal
from voicecare.content.exercises import Programme
from voicecare.core.actions import Action, Heard, Say, SpeechDone, StopSpeaking, Tick, Tone
from voicecare.core.session import CueSettings, SessionRunner
from voicecare.errors import VoicecareError
from voicecare.messages import Understanding

log = logging.getLogger(__name__)

Synthesize = Callable[[str], AudioChunk]
AUTO_ANSWER_DELAY_SECONDS = 0.5
"""Virtual seconds between the end of a question and the automatic "no"."""
_MAX_STEPS = 200_000


@dataclass(slots=True)
class _Track:
    """Audio placed on the virtual timeline, one sound after another as the speaker plays them.

    Speech and tones share the one queue (as ``Output.play`` does on the device), so the start
    tone sounds before "And hold.", never on top of it. Only ``StopSpeaking`` cuts speech short.
    """

    pieces: list[tuple[int, np.ndarray, bool]] = field(default_factory=list)
    voice_free_at: float = 0.0

    def place(self, at: float, chunk: AudioChunk, speech: bool) -> tuple[float, float]:
        """Put ``chunk`` at ``at`` seconds, after whatever is still sounding: its start and end."""
        chunk = to_internal(chunk)
        start = max(at, self.voice_free_at)
        self.pieces.append((int(round(start * RATE)), chunk.array().astype(np.int32), speech))
        end = start + chunk.seconds
        self.voice_free_at = end
        return start, end

    def silence_speech(self, at: float) -> None:
        """StopSpeaking: cut queued and playing speech at ``at``."""
        cut = int(round(at * RATE))
        kept = []
        for start, samples, speech in self.pieces:
            if speech and start + len(samples) > cut:
                samples = samples[: max(0, cut - start)]
            if len(samples):
                kept.append((start, samples, speech))
        self.pieces = kept
        self.voice_free_at = min(self.voice_free_at, at)

    def mix(self, seconds: float) -> AudioChunk:
        total = max([int(round(seconds * RATE))] + [s + len(a) for s, a, _ in self.pieces])
        out = np.zeros(total, dtype=np.int32)
        for start, samples, _ in self.pieces:
            out[start:start + len(samples)] += samples
        return AudioChunk.from_array(np.clip(out, -32768, 32767).astype(np.int16))


def render_routine(name: str, programme: Programme, synthesize: Synthesize, tones: Synthesize, *,
                   side: str | None = None, prefs: Mapping[str, float] | None = None,
                   cues: CueSettings = CueSettings()) -> tuple[AudioChunk, list[dict[str, Any]]]:
    """The whole session ``name`` as one chunk of audio, and its events (each with ``t``)."""
    runner = SessionRunner(programme.routine(name), programme, side=side, prefs=prefs, cues=cues)
    track = _Track()
    events: list[dict[str, Any]] = []
    speaking = False

    def execute(actions: list[Action] | None, now: float) -> None:
        nonlocal speaking
        for action in actions or []:
            record = action.event()
            at = now
            if isinstance(action, Say):
                at = track.place(now, synthesize(action.text), speech=True)[0]
                speaking = True
            elif isinstance(action, Tone):
                track.place(now, tones(action.name), speech=False)
                speaking = True  # the voice's next line waits for the tone, as on the speaker
            elif isinstance(action, StopSpeaking):
                track.silence_speech(now)
            if record is not None:
                events.append({"t": round(at, 3), **record})

    now = 0.0
    execute(runner.start(now), now)
    for _ in range(_MAX_STEPS):
        if runner.finished:
            break
        deadline = runner.next_deadline()
        if speaking and (deadline is None or track.voice_free_at <= deadline):
            now = max(now, track.voice_free_at)
            speaking = False
            execute(runner.handle(SpeechDone(), now), now)
        elif runner.awaiting_answer and not speaking and (
                deadline is None or now + AUTO_ANSWER_DELAY_SECONDS < deadline):
            now += AUTO_ANSWER_DELAY_SECONDS
            events.append({"t": round(now, 3), "type": "heard", "text": "no", "confidence": 1.0, "auto": True})
            execute(runner.handle(Heard(Understanding("no", "control.no", 1.0)), now), now)
        elif deadline is not None:
            now = max(now, deadline)
            execute(runner.handle(Tick(), now), now)
        else:
            raise VoicecareError(f"the routine {name!r} stalled at {now:.1f} s", "report this with the routine's content")
    else:
        raise VoicecareError(f"the routine {name!r} did not finish", "check its content for a loop")
    end = max(now, track.voice_free_at)
    log.info("rendered %s: %.1f s, %d events", name, end, len(events))
    events.sort(key=lambda event: event["t"])  # a line is logged when it is heard, not when queued
    return track.mix(end), events
