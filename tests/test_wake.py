"""The wake phrase is found at the start of a transcript, as a recognizer really writes it."""

from __future__ import annotations

import pytest

from voicecare.core.wake import WakePhrase

WAKE = WakePhrase("hey care")


@pytest.mark.parametrize("heard, rest", [
    ("hey care my hip is cramping", "my hip is cramping"),
    ("a care my hip is cramping", "my hip is cramping"),
    ("hay care should i use ice", "should i use ice"),
    ("um hey care stop", "stop"),
    ("hey care help", "help"),
    ("hey care", ""),
])
def test_the_wake_phrase_and_its_usual_mishearings_are_found(heard: str, rest: str) -> None:
    assert WAKE.split(heard) == (True, rest)


@pytest.mark.parametrize("heard", [
    "my hip is cramping",
    "a car is parked outside",
    "take care of yourself",
    "the care home called",
    "",
])
def test_other_speech_is_not_addressed(heard: str) -> None:
    addressed, rest = WAKE.split(heard)
    assert not addressed and rest == heard


def test_another_phrase_works_too() -> None:
    assert WakePhrase("hello voicecare").split("hello voicecare stop") == (True, "stop")
    assert WakePhrase("hello voicecare").split("hello there") == (False, "hello there")
