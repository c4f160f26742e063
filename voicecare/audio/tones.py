"""Short, soft earcons made with numpy: they tell the listener what happens without words."""

from __future__ import annotations

import functools
import logging
from dataclasses import dataclass

import numpy as np

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.errors import BadInputError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Note:
    """One soft bell-like note: ``hz`` Hertz, ``seconds`` long, starting ``at`` seconds in."""

    hz: float
    seconds: float
    at: float = 0.0
    level: float = 0.4


_TONES: dict[str, tuple[Note, ...]] = {
    "listening": (Note(660.0, 0.12), Note(880.0, 0.16, at=0.09)),  # rising: "I'm listening"
    "chime": (Note(784.0, 0.35), Note(1175.0, 0.45, at=0.14, level=0.3)),  # a gentle hourly reminder
    "start": (Note(523.0, 0.14), Note(659.0, 0.14, at=0.12), Note(784.0, 0.25, at=0.24)),  # hold begins
    "tick": (Note(1000.0, 0.05, level=0.25),),  # countdown second
    "release": (Note(784.0, 0.16), Note(523.0, 0.35, at=0.13)),  # falling: let go, relax
    "alert": (Note(880.0, 0.18, level=0.45), Note(880.0, 0.18, at=0.28, level=0.45)),  # calm but distinct
}
TONES: tuple[str, ...] = tuple(_TONES)


def _render(notes: tuple[Note, ...]) -> np.ndarray:
    total = max(n.at + n.seconds for n in notes)
    out = np.zeros(int(round(total * RATE)) + 1)
    for n in notes:
        count = int(round(n.seconds * RATE))
        t = np.arange(count) / RATE
        attack = np.minimum(1.0, t / 0.008)  # 8 ms fade-in: no click
        envelope = attack * np.exp(-t * 4.0 / n.seconds) * np.sin(np.pi * np.arange(count) / count) ** 0.2
        wave = np.sin(2 * np.pi * n.hz * t) + 0.25 * np.sin(2 * np.pi * 2 * n.hz * t)
        start = int(round(n.at * RATE))
        out[start : start + count] += n.level * envelope * wave / 1.25
    return out


@functools.cache
def tone(name: str) -> AudioChunk:
    """The named earcon (one of ``TONES``) in the internal format."""
    notes = _TONES.get(name)
    if notes is None:
        raise BadInputError(f"unknown tone {name!r}", f"use one of {', '.join(TONES)}")
    return AudioChunk.from_array(_render(notes))
