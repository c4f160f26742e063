"""Requests said to the assistant ("hey care, <request>"): is the wake phrase found, the request
understood, a red flag acted on? Each request goes through the loop's own hearing path: endpointer,
recognizer, keyword search, understanding, and a fresh conversational core that decides."""

from __future__ import annotations

import csv
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from voicecare.testing import voices as tv
from voicecare.audio.endpoint import Endpointer
from voicecare.core.actions import CheckRedFlag, Escalate
from voicecare.messages import RED_FLAG_SEVERITY
from voicecare.listening.pipeline import ListeningPipeline

DATA = Path(__file__).parent / "data" / "addressed.tsv"
MONDAY_10AM = datetime(2026, 3, 2, 10, 0, tzinfo=timezone.utc)


@dataclass(frozen=True, slots=True)
class Request:
    text: str
    intent: str


def read_requests(path: Path = DATA) -> list[Request]:
    with path.open(newline="", encoding="utf-8") as handle:
        rows = [r for r in csv.DictReader(handle, delimiter="\t")]
    return [Request(r["text"].strip(), r["intent"].strip()) for r in rows if r.get("text")]


@dataclass
class AddressedTally:
    """Counts for one condition."""

    total: int = 0
    found: int = 0
    intent_right: int = 0
    red_total: int = 0
    red_acted: int = 0
    red_severity_right: int = 0
    seconds: float = 0.0
    misses: list[str] = field(default_factory=list)


def hear_request(request: Request, audio: Any, recognizer: Any, listener: ListeningPipeline, brain_factory: Any,
                 make_endpointer: Any = Endpointer) -> tuple[bool, str, list[Any]]:
    """(wake phrase found, intent understood for the request, the core's actions) for one spoken request."""
    assistant = brain_factory()
    endpointer = make_endpointer()
    utterances = endpointer.feed(audio) + endpointer.flush()
    found, intent, actions = False, "unknown", []
    for utterance in utterances:
        hearing = listener.hear(utterance, endpointer.noise_floor_dbfs, recognizer.transcribe)
        found = found or hearing.heard.addressed
        if hearing.heard.understanding.text.strip() and (hearing.heard.addressed or found):
            intent = hearing.heard.understanding.intent
        actions += assistant.handle(hearing.heard, utterance.end, MONDAY_10AM)
    return found, intent, actions


def measure(requests: list[Request], voices: list[str], snr: float | None, recognizer: Any, listener: ListeningPipeline,
            brain_factory: Any, wake: str, joiner: str = ", ", make_endpointer: Any = Endpointer) -> AddressedTally:
    tally = AddressedTally()
    noise = tv.babble(30.0, talkers=5, seed=7) if snr is not None else None
    for voice in voices:
        for request in requests:
            speech = tv.speak(f"{wake}{joiner}{request.text}", voice)
            audio = tv.conversation([0.5, speech, 1.0])
            if noise is not None:
                audio = _mix_over(audio, speech, noise, snr)
            began = time.perf_counter()
            found, intent, actions = hear_request(request, audio, recognizer, listener, brain_factory, make_endpointer)
            tally.seconds += time.perf_counter() - began
            tally.total += 1
            tally.found += found
            tally.intent_right += intent == request.intent
            if request.intent in RED_FLAG_SEVERITY:
                tally.red_total += 1
                escalated = [a for a in actions if isinstance(a, Escalate)]
                checked = [a for a in actions if isinstance(a, CheckRedFlag) and a.state == "asked"]
                acted = bool(escalated or checked)
                tally.red_acted += acted
                severity = escalated[0].severity if escalated else (
                    RED_FLAG_SEVERITY[checked[0].flag] if checked else None)
                tally.red_severity_right += severity == RED_FLAG_SEVERITY[request.intent]
                if not acted:
                    tally.misses.append(f"{voice}: {request.text!r} -> {intent}{'' if found else ' (no wake)'}")
            elif not found:
                tally.misses.append(f"{voice}: no wake in {request.text!r}")
    return tally


def _mix_over(audio: Any, speech: Any, noise: Any, snr: float) -> Any:
    """Babble under the whole clip, at the SNR of the speech's own active level."""
    import numpy as np

    from voicecare.audio.chunk import AudioChunk
    from voicecare.audio.convert import float_to_int16

    x = audio.array().astype(np.float64) / 32768.0
    n = np.resize(noise.array().astype(np.float64) / 32768.0, len(x))
    n_level = float(np.sqrt(np.mean(n**2))) or 1.0
    n = n * (tv.active_level(speech) / n_level) * 10 ** (-snr / 20)
    return AudioChunk.from_array(float_to_int16(x + n))
