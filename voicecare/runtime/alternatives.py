"""Other ways the same words could be heard: a red flag among them is checked, never dropped."""

from __future__ import annotations

from typing import Callable, Iterable

from voicecare.core.wake import WakePhrase
from voicecare.messages import Understanding


def possible_red_flag(alternatives: Iterable[str], understand: Callable[[str], Understanding],
                      wake: WakePhrase | None = None) -> Understanding | None:
    """The first alternative reading that is a red flag (wake phrase left out), or None."""
    for text in alternatives:
        _addressed, rest = wake.split(text) if wake else (True, text)
        understanding = understand(rest)
        if understanding.is_red_flag:
            return understanding
    return None
