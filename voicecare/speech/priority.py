"""Which sentences are needed first: the order the phrase cache is built in, and the lines that may
not wait for the neural voice.

On a first start with Piper a Raspberry Pi 4 takes 12-24 minutes to render every content sentence.
Someone may be lying on the floor in pain during those minutes, so the red-flag answers and the
emergency lines are rendered first, then everything the relief flow says, then the rest; and a line
of the first two kinds that is not cached yet is spoken by espeak-ng at once rather than waiting for
Piper (``AssistantVoice``).
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Iterable, Mapping

from voicecare.speech.lines import NOT_SPOKEN_FILES, content_strings, expand, split_sentences

RED_FLAG, SAFETY, RELIEF, OTHER = 0, 1, 2, 3
"""Tiers, most needed first: red-flag answers; other emergency lines; the relief flow; everything else."""
SAFETY_DIALOG = frozenset({"severe_pain", "emergency_not_resumed", "screening"})
"""Prompts of ``dialog.toml`` that belong with the red flags."""
RELIEF_DIALOG = frozenset({
    "greeting", "relief_start", "listening", "didnt_catch", "ask_again", "ask_side", "ask_side_again",
    "pain_rating_start", "pain_rating_end", "pain_not_number", "pain_better", "pain_same", "pain_worse",
    "offer_stretch", "check_yes_no", "check_cleared", "confirm_pain", "confirm_side", "stopped", "paused",
    "resumed", "goodbye",
})
"""Prompts of ``dialog.toml`` that a relief conversation says."""
RELIEF_PREFIX = "relief"
"""Answers (``relief.heat``) and routines (``relief_glute``) whose key starts with this are the relief flow."""


def _load(content_dir: Path, name: str) -> dict[str, Any]:
    path = Path(content_dir) / name
    if not path.is_file() or name in NOT_SPOKEN_FILES:
        return {}
    with path.open("rb") as handle:
        return tomllib.load(handle)


def _sentences(values: Iterable[Any], fixed: Mapping[str, str]) -> set[str]:
    out: set[str] = set()
    for value in values:
        for text in content_strings(value):
            for sentence in split_sentences(text):
                out.update(expand(sentence, fixed))
    return out


def red_flag_sentences(content_dir: Path, fixed: Mapping[str, str] | None = None) -> frozenset[str]:
    """Every sentence of ``redflags.toml``: the answers, checks and repeats of each red flag."""
    return frozenset(_sentences([_load(content_dir, "redflags.toml")], dict(fixed or {})))


def tiers(content_dir: Path, fixed: Mapping[str, str] | None = None) -> tuple[frozenset[str], frozenset[str]]:
    """(safety sentences, relief sentences) as the assistant says them, placeholders known at start filled."""
    fixed = dict(fixed or {})
    dialog = _load(content_dir, "dialog.toml").get("dialog", {})
    safety = set(red_flag_sentences(content_dir, fixed))
    safety |= _sentences([dialog[key] for key in SAFETY_DIALOG if key in dialog], fixed)
    routines = _load(content_dir, "routines.toml")
    relief_routines = {k: v for k, v in routines.get("routines", {}).items() if k.startswith(RELIEF_PREFIX)}
    used = {step.get("exercise") for routine in relief_routines.values() for step in routine.get("steps", [])}
    exercises = _load(content_dir, "exercises.toml").get("exercises", {})
    answers = _load(content_dir, "answers.toml").get("answers", {})
    relief = _sentences([
        *relief_routines.values(),
        routines.get("phrases", {}),
        *(exercises[name] for name in used if name in exercises),
        *(value for key, value in answers.items() if key.startswith(RELIEF_PREFIX)),
        *(dialog[key] for key in RELIEF_DIALOG if key in dialog),
    ], fixed)
    return frozenset(safety), frozenset(relief - safety)


def urgent_sentences(content_dir: Path, fixed: Mapping[str, str] | None = None) -> frozenset[str]:
    """Sentences that must sound at once: red flags, emergencies and the relief flow."""
    safety, relief = tiers(content_dir, fixed)
    return safety | relief


def by_need(items: list[str | tuple[str, str]], content_dir: Path,
            fixed: Mapping[str, str] | None = None) -> list[str | tuple[str, str]]:
    """The cache's items, red flags first, then the relief flow, then the rest; the parts numbers
    are joined from go with the relief flow (its holds and counts); each tier keeps content order."""
    red_flags = red_flag_sentences(content_dir, fixed)
    safety, relief = tiers(content_dir, fixed)

    def tier(item: str | tuple[str, str]) -> int:
        if isinstance(item, tuple):
            return RELIEF
        if item in red_flags:
            return RED_FLAG
        return SAFETY if item in safety else RELIEF if item in relief else OTHER

    return sorted(items, key=tier)
