"""Other ways the same words could be heard: a red flag among them is checked, never dropped."""

from __future__ import annotations

from typing import Callable, Iterable

from voicecare.core.wake import WakePhrase
from voicecare.messages import Understanding


def understand_alternatives(texts: Iterable[str], understand: Callable[[str], Understanding],
                            wake: WakePhrase | None = None) -> tuple[Understanding, ...]:
    """Each alternative reading understood, in order, with the wake phrase left out."""
    found = []
    for text in texts:
        _addressed, rest = wake.split(text) if wake else (True, text)
        found.append(understand(rest))
    return tuple(found)


def possible_red_flag(texts: Iterable[str], understand: Callable[[str], Understanding],
                      wake: WakePhrase | None = None) -> Understanding | None:
    """The first alternative reading that is a red flag, or None."""
    return next((u for u in understand_alternatives(texts, understand, wake) if u.is_red_flag), None)
