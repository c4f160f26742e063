"""Other ways the same words could be heard: a red flag among them is checked, never dropped."""

from __future__ import annotations

from typing import Callable, Iterable

from voicecare.core.wake import WakePhrase
from voicecare.messages import Transcript, Understanding


def understand_alternatives(texts: Iterable[str], understand: Callable[[str], Understanding],
                            wake: WakePhrase | None = None) -> tuple[Understanding, ...]:
    """Each alternative reading understood, in order, with the wake phrase left out.

    Pass ``Understander.understand_alternative``: a less likely reading of the words raises no red flag
    on the learned model's word alone.
    """
    found = []
    for text in texts:
        _addressed, rest = wake.split(text) if wake else (True, text)
        found.append(understand(rest))
    return tuple(found)


def possible_red_flag(texts: Iterable[str], understand: Callable[[str], Understanding],
                      wake: WakePhrase | None = None) -> Understanding | None:
    """The first alternative reading that is a red flag, or None."""
    return next((u for u in understand_alternatives(texts, understand, wake) if u.is_red_flag), None)


def clarity(transcript: Transcript, understanding: Understanding, understand: Callable[[str], Understanding],
            wake: WakePhrase | None = None, agreed: float = 0.9) -> float:
    """How sure the answer is: the recognizer's confidence, raised to ``agreed`` when a grammar's answer
    means the same as what the open model heard (two decodings agreeing is a clear answer)."""
    if transcript.open_text is None or not understanding.slots and understanding.intent == "unknown":
        return transcript.confidence
    _addressed, rest = wake.split(transcript.open_text) if wake else (True, transcript.open_text)
    openly = understand(rest)
    if openly.intent == understanding.intent and dict(openly.slots) == dict(understanding.slots):
        return max(transcript.confidence, agreed)
    return transcript.confidence
