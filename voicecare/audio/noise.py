"""The room's noise level at the microphone, and what it means for hearing the person."""

from __future__ import annotations

import math

import numpy as np

FRAME_SECONDS = 0.03
FLOOR_PERCENTILE = 10.0
"""The noise floor is the level the quietest tenth of the frames reach: the room between words."""
LOUD_ROOM_DBFS = -35.0
"""Above this the room is loud (a television, a fan close by): answers are often misheard."""
BUSY_ROOM_DBFS = -55.0
"""Above this the room is audible but speech at a normal level still rises well above it."""


def noise_floor_dbfs(samples: np.ndarray, rate: int = 16000) -> float:
    """The noise floor of int16 samples in dB below full scale (-inf for digital silence)."""
    frame = int(rate * FRAME_SECONDS)
    count = len(samples) // frame
    if count == 0:
        return -math.inf
    x = samples[: count * frame].astype(np.float64).reshape(count, frame) / 32768.0
    power = np.mean(x * x, axis=1)
    floor = float(np.percentile(power, FLOOR_PERCENTILE))
    return 10.0 * math.log10(floor) if floor > 0 else -math.inf


def describe_room(floor_dbfs: float) -> tuple[str, bool]:
    """What a noise floor means, in a few words, and whether it is too loud to hear answers well."""
    if floor_dbfs > LOUD_ROOM_DBFS:
        return "loud: answers will often be misheard or asked again", True
    if floor_dbfs > BUSY_ROOM_DBFS:
        return "some background noise: fine at a normal speaking level", False
    return "quiet", False


def speech_level_dbfs(samples: np.ndarray, rate: int = 16000) -> float:
    """How loud the speech in an utterance is: the level its loudest tenth of frames reach."""
    frame = int(rate * FRAME_SECONDS)
    count = len(samples) // frame
    if count == 0:
        return -math.inf
    x = samples[: count * frame].astype(np.float64).reshape(count, frame) / 32768.0
    power = float(np.percentile(np.mean(x * x, axis=1), 90.0))
    return 10.0 * math.log10(power) if power > 0 else -math.inf


def is_noisy(samples: np.ndarray, floor_dbfs: float | None, *, loud_dbfs: float = LOUD_ROOM_DBFS,
             min_snr_db: float = 20.0) -> bool:
    """True when the room is loud, or the speech rose less than ``min_snr_db`` above the noise floor."""
    if floor_dbfs is None or floor_dbfs == -math.inf:
        return False
    return floor_dbfs > loud_dbfs or speech_level_dbfs(samples) - floor_dbfs < min_snr_db
