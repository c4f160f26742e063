"""The assistant's spoken texts (answers, red flags, professionals, dialog prompts), validated on load."""

from __future__ import annotations

import logging
import string
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

from voicecare.content.loader import DEFAULT_CONTENT_DIR, Entry, read_toml
from voicecare.errors import ContentError
from voicecare.messages import RED_FLAG_SEVERITY, Severity

log = logging.getLogger(__name__)

ANSWERS_FILE = "answers.toml"
REDFLAGS_FILE = "redflags.toml"
PROFESSIONALS_FILE = "professionals.toml"
DIALOG_FILE = "dialog.toml"

REQUIRED_ANSWERS: tuple[str, ...] = (
    "relief.general", "relief.heat", "relief.cold", "relief.hydration", "relief.medication",
    "info.causes", "info.prevention", "info.professional", "info.ergonomics", "info.sleep",
    "info.nutrition", "info.stress", "info.lifting", "info.posture",
    "checklist.daily", "checklist.weekly", "control.help", "unknown",
)
"""Answer keys the dialog relies on; more may be added freely."""

REQUIRED_PROFESSIONALS: tuple[str, ...] = (
    "gp", "physiotherapist", "osteopath_chiropractor", "sports_medicine", "massage_therapist",
)

PROMPT_PLACEHOLDERS: Mapping[str, frozenset[str]] = MappingProxyType({
    "greeting": frozenset({"wake"}),
    "listening": frozenset(),
    "didnt_catch": frozenset(),
    "ask_again": frozenset(),
    "offer_help_after_retry": frozenset(),
    "ask_side": frozenset(),
    "ask_side_again": frozenset(),
    "pain_rating_start": frozenset(),
    "pain_rating_end": frozenset(),
    "pain_better": frozenset({"before", "after"}),
    "pain_same": frozenset({"before", "after"}),
    "pain_worse": frozenset({"before", "after"}),
    "pain_not_number": frozenset(),
    "offer_stretch": frozenset(),
    "session_offer_skip": frozenset(),
    "goodbye": frozenset(),
    "stopped": frozenset(),
    "paused": frozenset(),
    "resumed": frozenset(),
    "nothing_to_pause": frozenset(),
    "nothing_to_resume": frozenset(),
    "nothing_to_repeat": frozenset(),
    "emergency_not_resumed": frozenset({"number"}),
    "pattern_see_gp": frozenset({"days"}),
    "reminders_on": frozenset({"minutes"}),
    "reminders_off": frozenset(),
    "reminder_snoozed": frozenset({"minutes"}),
    "wake_prompt": frozenset({"wake"}),
    "screening": frozenset(),
    "no_more": frozenset(),
    "severe_pain": frozenset(),
    "relief_start": frozenset(),
    "pattern_persistent": frozenset(),
    "check_yes_no": frozenset(),
    "check_cleared": frozenset(),
    "journal_unwritable": frozenset(),
    "week_nothing": frozenset(),
    "week_unavailable": frozenset(),
    "week_spasms": frozenset({"spasms", "days"}),
    "week_no_spasms": frozenset(),
    "week_pain": frozenset({"before", "after"}),
    "week_stretches": frozenset({"days"}),
    "week_see_gp": frozenset(),
    "week_pain_rising": frozenset(),
    "week_hurt_twice": frozenset(),
    "week_no_sessions": frozenset(),
    "confirm_pain": frozenset({"value"}),
    "confirm_side": frozenset({"side"}),
    "noisy_room": frozenset(),
    "heard_call": frozenset(),
    "need_help": frozenset(),
    "help_confirmed": frozenset({"number"}),
    "check_plainly": frozenset(),
    "enroll_offer": frozenset({"wake"}),
    "enroll_say": frozenset({"wake"}),
    "enroll_again": frozenset({"wake"}),
    "enroll_sentence_words": frozenset({"wake"}),
    "enroll_sentence": frozenset({"sentence"}),
    "enroll_sentence_again": frozenset({"sentence"}),
    "enroll_sentence_skipped": frozenset(),
    "enroll_done": frozenset(),
    "enroll_declined": frozenset(),
    "enroll_failed": frozenset(),
    "enroll_stale": frozenset({"wake"}),
})
"""Every dialog prompt key (all required) and the placeholders its variants may use."""

REDFLAG_PLACEHOLDERS = frozenset({"number"})
"""Placeholders allowed in a red flag's say/repeat/acknowledge (``why`` takes none)."""

NO_PLACEHOLDERS: frozenset[str] = frozenset()


@dataclass(frozen=True, slots=True)
class Answer:
    """What to say about one topic, and optionally more on request."""

    key: str
    say: tuple[str, ...]
    more: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class RedFlagText:
    """What to say for one red flag; ``{number}`` is the configured emergency number."""

    flag: str
    severity: Severity
    say: tuple[str, ...]
    why: str
    check: str
    """A yes-or-no question for when this flag was only one way of hearing unclear words."""
    repeat: str | None = None
    acknowledge: str | None = None

    def lines(self, number: str) -> tuple[str, ...]:
        """The ``say`` sentences with the emergency number filled in."""
        return tuple(line.format(number=number) for line in self.say)

    def repeat_line(self, number: str) -> str | None:
        """The reminder repeated until acknowledged, number filled in (emergency only)."""
        return self.repeat.format(number=number) if self.repeat else None

    def acknowledge_line(self, number: str) -> str | None:
        """Said once the person confirms (emergency only)."""
        return self.acknowledge.format(number=number) if self.acknowledge else None


@dataclass(frozen=True, slots=True)
class ProfessionalText:
    """Who can help, and with what."""

    id: str
    name: str
    say: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Texts:
    """Every spoken text the assistant uses; built once by ``load_texts`` and passed down."""

    answers: Mapping[str, Answer]
    red_flags: Mapping[str, RedFlagText]
    professionals: Mapping[str, ProfessionalText]
    dialog: Mapping[str, tuple[str, ...]]

    def has_answer(self, key: str) -> bool:
        return key in self.answers

    def answer(self, key: str) -> tuple[str, ...]:
        """The sentences answering ``key`` (an intent id such as ``relief.heat``)."""
        try:
            return self.answers[key].say
        except KeyError:
            raise KeyError(f"no answer {key!r} in {ANSWERS_FILE}") from None

    def more(self, key: str) -> tuple[str, ...]:
        """The longer follow-up for ``key``; empty when there is none."""
        try:
            return self.answers[key].more
        except KeyError:
            raise KeyError(f"no answer {key!r} in {ANSWERS_FILE}") from None

    def prompts(self, key: str) -> tuple[str, ...]:
        """Every variant of a dialog prompt, unformatted."""
        try:
            return self.dialog[key]
        except KeyError:
            raise KeyError(f"no dialog prompt {key!r} in {DIALOG_FILE}") from None

    def prompt(self, key: str, variant: int = 0, **values: Any) -> str:
        """One variant of a prompt (the first by default; wraps around), placeholders filled in."""
        variants = self.prompts(key)
        text = variants[variant % len(variants)]
        missing = _placeholders(text) - values.keys()
        if missing:
            raise KeyError(f"prompt {key!r} needs {', '.join(sorted(missing))}")
        return text.format(**values)


def load_texts(content_dir: Path = DEFAULT_CONTENT_DIR) -> Texts:
    """Load and validate the four text files; the first problem raises one ``ContentError``."""
    content_dir = Path(content_dir)
    texts = Texts(
        answers=MappingProxyType(_load_answers(content_dir / ANSWERS_FILE)),
        red_flags=MappingProxyType(_load_red_flags(content_dir / REDFLAGS_FILE)),
        professionals=MappingProxyType(_load_professionals(content_dir / PROFESSIONALS_FILE)),
        dialog=MappingProxyType(_load_dialog(content_dir / DIALOG_FILE)),
    )
    log.debug("loaded %d answers, %d red flags, %d professionals, %d prompts from %s",
              len(texts.answers), len(texts.red_flags), len(texts.professionals), len(texts.dialog), content_dir)
    return texts


def _section(path: Path, name: str) -> dict[str, Any]:
    """The one top-level table ``[name]`` of a file, rejecting anything else at the top."""
    root = Entry(read_toml(path), path.name)
    table = root.raw(name)
    root.done()
    if table is None:
        raise ContentError(f"{path.name}: no [{name}] table", f"add [{name}.<key>] entries")
    if not isinstance(table, Mapping):
        raise ContentError(f"{path.name}: '{name}' must be a table", f"write [{name}.<key>] entries")
    return dict(table)


def _where(path: Path, section: str, key: str) -> str:
    label = f'"{key}"' if "." in key else key
    return f"{path.name} [{section}.{label}]"


def _require(path: Path, section: str, found: Mapping[str, Any], required: tuple[str, ...]) -> None:
    for key in required:
        if key not in found:
            raise ContentError(f"{_where(path, section, key)} is missing", f"add a [{section}.\"{key}\"] entry")


def _load_answers(path: Path) -> dict[str, Answer]:
    answers: dict[str, Answer] = {}
    for key, raw in _section(path, "answers").items():
        entry = Entry(raw, _where(path, "answers", key))
        say = _checked_lines(entry, "say", NO_PLACEHOLDERS)
        more = _checked_lines(entry, "more", NO_PLACEHOLDERS, required=False)
        entry.done()
        answers[key] = Answer(key, say, more)
    _require(path, "answers", answers, REQUIRED_ANSWERS)
    return answers


def _load_red_flags(path: Path) -> dict[str, RedFlagText]:
    flags: dict[str, RedFlagText] = {}
    for flag, raw in _section(path, "redflags").items():
        entry = Entry(raw, _where(path, "redflags", flag))
        expected = RED_FLAG_SEVERITY.get(flag)
        if expected is None:
            raise entry.error("is not a red-flag intent", f"use one of: {', '.join(RED_FLAG_SEVERITY)}")
        severity = Severity(entry.str("severity", choices=[s.value for s in Severity]))
        if severity is not expected:
            raise entry.error(f"severity is {severity.value!r} but {flag} is {expected.value!r}",
                              f'write severity = "{expected.value}"')
        say = _checked_lines(entry, "say", REDFLAG_PLACEHOLDERS)
        why = _checked_text(entry, "why", NO_PLACEHOLDERS)
        check = _checked_text(entry, "check", NO_PLACEHOLDERS)
        if not check.rstrip().endswith("?"):
            raise entry.error(f"'check' is not a question: {check!r}", "write it as a yes-or-no question ending in ?")
        emergency = severity is Severity.EMERGENCY
        repeat = _checked_text(entry, "repeat", REDFLAG_PLACEHOLDERS, required=emergency)
        acknowledge = _checked_text(entry, "acknowledge", REDFLAG_PLACEHOLDERS, required=emergency)
        entry.done()
        if emergency:
            for key, text in (("say", say[0]), ("repeat", repeat)):
                if "number" not in _placeholders(text):
                    raise entry.error(f"the first line of '{key}' does not give the emergency number",
                                      "include {number} in it")
        flags[flag] = RedFlagText(flag, severity, say, why, check, repeat, acknowledge)
    _require(path, "redflags", flags, tuple(RED_FLAG_SEVERITY))
    return flags


def _load_professionals(path: Path) -> dict[str, ProfessionalText]:
    found: dict[str, ProfessionalText] = {}
    for pid, raw in _section(path, "professionals").items():
        entry = Entry(raw, _where(path, "professionals", pid))
        name = _checked_text(entry, "name", NO_PLACEHOLDERS)
        say = _checked_lines(entry, "say", NO_PLACEHOLDERS)
        entry.done()
        found[pid] = ProfessionalText(pid, name, say)
    _require(path, "professionals", found, REQUIRED_PROFESSIONALS)
    return found


def _load_dialog(path: Path) -> dict[str, tuple[str, ...]]:
    dialog = Entry(_section(path, "dialog"), f"{path.name} [dialog]")
    prompts: dict[str, tuple[str, ...]] = {}
    for key, allowed in PROMPT_PLACEHOLDERS.items():
        prompts[key] = _checked_lines(dialog, key, allowed)
    try:
        dialog.done()
    except ContentError as exc:
        raise ContentError(exc.what, f"remove it, or check its spelling against: {', '.join(PROMPT_PLACEHOLDERS)}") from None
    return prompts


def _checked_lines(entry: Entry, key: str, allowed: frozenset[str], *, required: bool = True) -> tuple[str, ...]:
    lines = entry.lines(key, required=required, minimum=1 if required else 0)
    for line in lines:
        _check_placeholders(entry, key, line, allowed)
    return lines


def _checked_text(entry: Entry, key: str, allowed: frozenset[str], *, required: bool = True) -> str | None:
    text = entry.str(key, required=required)
    if text is not None:
        _check_placeholders(entry, key, text, allowed)
    return text


def _check_placeholders(entry: Entry, key: str, text: str, allowed: frozenset[str]) -> None:
    """Reject braces that are unbalanced, positional, formatted or not allowed for this text."""
    try:
        fields = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise entry.error(f"'{key}' has a broken placeholder in {text!r} ({exc})",
                          "write placeholders as {name}, and double a literal brace: {{ }}") from None
    for _literal, name, spec, conversion in fields:
        if name is None:
            continue
        if spec or conversion or name not in allowed:
            hint = f"use only {', '.join('{' + a + '}' for a in sorted(allowed))}" if allowed else "remove it: this text takes no placeholders"
            raise entry.error(f"'{key}' has unknown placeholder {{{name}}} in {text!r}", hint)


def _placeholders(text: str) -> set[str]:
    return {name for _lit, name, _spec, _conv in string.Formatter().parse(text) if name is not None}
