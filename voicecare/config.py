"""The configuration: one TOML file per layer, checked at start-up, built once into frozen values.

Layers, later ones winning: built-in defaults < ``/etc/voicecare/config.toml`` <
``~/.config/voicecare/config.toml`` < ``--config FILE``. Every value remembers where it came
from (``voicecare config show``). Every mistake in every layer is reported, one line each.
"""

from __future__ import annotations

import logging
import os
import re
import shlex
import tomllib
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from types import MappingProxyType
from typing import Any, Callable, Iterator, Mapping

from platformdirs import user_data_dir
from rapidfuzz import fuzz, process

from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.core.reminders import WEEKDAYS, ReminderSettings
from voicecare.errors import ConfigError
from voicecare.nlu import DEFAULT_THRESHOLD
from voicecare.textfiles import NotUtf8, decode_utf8

log = logging.getLogger(__name__)

SYSTEM_CONFIG = Path("/etc/voicecare/config.toml")
USER_CONFIG = Path("~/.config/voicecare/config.toml")
DEFAULT = "default"

EMERGENCY_NUMBERS: Mapping[str, str] = MappingProxyType({"GB": "999", "IE": "999", "US": "911", "CA": "911"})
"""Emergency numbers by locale country; every other country gets 112."""
FALLBACK_EMERGENCY_NUMBER = "112"


@dataclass(frozen=True, slots=True)
class AudioConfig:
    """Sound devices and output level."""

    input_device: str | int | None = None
    """Microphone: a device index or part of its name; None is the system default."""
    output_device: str | int | None = None
    """Speaker: a device index or part of its name; None is the system default."""
    volume: float = 1.0
    """Speech volume, 0.0 (silent) to 1.0 (full)."""
    barge_in: bool = True
    """Listen for "stop" and "pause" while the assistant is speaking."""


@dataclass(frozen=True, slots=True)
class SpeechConfig:
    """Recognition and speech synthesis."""

    engine: str = "auto"
    """auto (Vosk if a model is installed, else PocketSphinx), vosk or pocketsphinx; wyoming sends each
    utterance to ``[wyoming] asr_uri`` as well, the local recognizer (auto) still listening."""
    model_dir: Path | None = None
    """Where Vosk models live; None is models/ (or $VOICECARE_MODELS_DIR)."""
    voice_rate_wpm: int = 150
    """Speaking rate in words per minute."""
    voice: str = ""
    """Speech synthesis voice: a Piper voice (en_US-joe-medium) or an espeak-ng one (en-gb); empty is
    en_US-joe-medium with Piper, English with espeak-ng."""
    tts: str = "auto"
    """auto (Piper if its voice is installed, else pyttsx3/espeak-ng), piper, pyttsx3, or wyoming
    (``[wyoming] tts_uri``, falling back to the local voice that auto would choose)."""
    nlu_threshold: float = DEFAULT_THRESHOLD
    """Match score (0.0-1.0) below which an utterance is not understood (the value the
    understanding was measured at; red flags ignore it)."""


@dataclass(frozen=True, slots=True)
class WakeConfig:
    """The wake phrase that starts listening."""

    phrase: str = "hey care"
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class HoldsConfig:
    """Personal hold times, kept within each exercise's range from the guide by the coach."""

    preferred_seconds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}))
    """Preferred hold in seconds, by exercise id (e.g. kneeling_hip_flexor = 30)."""
    longer_step_seconds: float = 10.0
    """Seconds added when the person says "longer"."""


@dataclass(frozen=True, slots=True)
class SafetyConfig:
    """What happens on a red flag."""

    emergency_number: str = FALLBACK_EMERGENCY_NUMBER
    """The number spoken for an emergency; by default from the locale's country."""
    on_emergency: str = ""
    """A command run on an emergency (e.g. to message a carer); empty runs nothing."""
    on_emergency_timeout_seconds: float = 10.0
    """How long that command may run before it is stopped."""


@dataclass(frozen=True, slots=True)
class PathsConfig:
    """Where data and content live."""

    data_dir: Path
    """Journal and reminder state; by default the platform's user data folder."""
    content_dir: Path = DEFAULT_CONTENT_DIR
    """The TOML content (what the assistant says and understands)."""


@dataclass(frozen=True, slots=True)
class LoggingConfig:
    """Logging; transcripts are only logged with debug on."""

    debug: bool = False


@dataclass(frozen=True, slots=True)
class WyomingConfig:
    """Wyoming services elsewhere in the home (off unless named); the local engine and voice stay ready."""

    asr_uri: str = ""
    """Speech to text, e.g. tcp://192.168.1.20:10300; used when [speech] engine = "wyoming"."""
    tts_uri: str = ""
    """Text to speech, e.g. tcp://192.168.1.20:10200; used when [speech] tts = "wyoming"."""
    tts_voice: str = ""
    """The remote voice's name; empty is the service's default voice."""
    connect_timeout_seconds: float = 1.0
    """How long to wait for a remote service to accept the connection."""
    timeout_seconds: float = 5.0
    """How long a remote answer may take before the local engine or voice is used instead."""
    retry_max_seconds: float = 60.0
    """After failures, the remote is tried again after 1, 2, 4 ... seconds, at most this long."""


@dataclass(frozen=True, slots=True)
class HomeAssistantConfig:
    """Home Assistant, for things said on their own (holds, alarms, reminders) on a satellite."""

    url: str = ""
    """Home Assistant's address, e.g. http://homeassistant.local:8123; empty turns announcements off."""
    token_file: Path | None = None
    """A file holding a long-lived access token, readable only by the service's user."""
    satellite: str = ""
    """The assist_satellite entity to use until a satellite has spoken (e.g. assist_satellite.bedroom)."""
    timeout_seconds: float = 5.0
    """How long one announcement request may take."""


@dataclass(frozen=True, slots=True)
class Config:
    """The effective configuration, with the source of every value."""

    audio: AudioConfig
    speech: SpeechConfig
    wake: WakeConfig
    holds: HoldsConfig
    reminders: ReminderSettings
    safety: SafetyConfig
    paths: PathsConfig
    logging: LoggingConfig
    wyoming: WyomingConfig = WyomingConfig()
    homeassistant: HomeAssistantConfig = HomeAssistantConfig()
    sources: Mapping[str, str] = field(default_factory=dict, compare=False)
    """``"section.key"`` -> ``"default"``, ``"default (LANG=...)"`` or a file path."""

    def source(self, key: str) -> str:
        """Where the value of ``"section.key"`` came from."""
        return self.sources.get(key, DEFAULT)

    def items(self) -> Iterator[tuple[str, str, Any, str]]:
        """Every setting as (section, key, value, source), in documentation order."""
        for section in SECTIONS:
            values = getattr(self, section)
            for key in SECTIONS[section][1]:
                yield section, key, getattr(values, key), self.source(f"{section}.{key}")


class ConfigErrors(ConfigError):
    """Several configuration mistakes, reported together, one line each."""

    def __init__(self, problems: list[ConfigError]) -> None:
        super().__init__(f"{len(problems)} configuration mistakes", "fix each line above")
        self.problems = tuple(problems)

    def line(self) -> str:
        return "\n".join(problem.line() for problem in self.problems)


# --- value checks ------------------------------------------------------------------------


class _Bad(Exception):
    """One value is wrong: what is wrong with it, and how to write it instead."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix


Parser = Callable[[str, Any], Any]


def _show(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, (dict, list)):
        return "a table" if isinstance(value, dict) else "a list"
    return str(value)


def _boolean(key: str, value: Any) -> bool:
    if isinstance(value, bool):
        return value
    raise _Bad(f"is {_show(value)}, not true or false", f"write {key} = true or {key} = false")


def _number(minimum: float, maximum: float, *, integer: bool = False, unit: str = "") -> Parser:
    def parse(key: str, value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            kind = "a whole number" if integer else "a number"
            raise _Bad(f"is {_show(value)}, not {kind}", f"write a number without quotes, e.g. {key} = {_fmt(maximum if minimum <= 0 else minimum)}")
        if not minimum <= value <= maximum:
            raise _Bad(f"is {_fmt(value)}, outside {_fmt(minimum)} to {_fmt(maximum)}{unit}",
                       f"use a value from {_fmt(minimum)} to {_fmt(maximum)}")
        return value
    return parse


def _fmt(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)


def _choice(*options: str) -> Parser:
    def parse(key: str, value: Any) -> str:
        if isinstance(value, str) and value in options:
            return value
        raise _Bad(f"is {_show(value)}, not one of {', '.join(options)}", f'write {key} = "{options[0]}"')
    return parse


def _text(key: str, value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    raise _Bad(f"is {_show(value)}, not text", f'write {key} = "..." in quotes')


def _phrase(key: str, value: Any) -> str:
    text = _text(key, value).lower()
    if not re.fullmatch(r"[a-z']+( [a-z']+){0,4}", text):
        raise _Bad(f"is {_show(value)}, not one to five plain words", f'write {key} = "hey care"')
    return text


def _device(key: str, value: Any) -> str | int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    if isinstance(value, str):
        name = value.strip()
        return None if name in ("", DEFAULT) else name
    raise _Bad(f"is {_show(value)}, not a device", f'write {key} = "default", a device number or part of its name (see voicecare devices)')


def _time_of_day(key: str, value: Any) -> time:
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
        if match and int(match[1]) < 24 and int(match[2]) < 60:
            return time(int(match[1]), int(match[2]))
    raise _Bad(f"is {_show(value)}, not a time of day", f'write {key} = "HH:MM" from "00:00" to "23:59", e.g. "22:00"')


def _days(key: str, value: Any) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _Bad(f"is {_show(value)}, not a list of weekdays", f'write {key} = ["saturday", "sunday"]')
    days: list[str] = []
    for item in value:
        name = item.strip().lower()
        full = next((d for d in WEEKDAYS if len(name) >= 3 and d.startswith(name)), None)
        if full is None:
            raise _Bad(f'has "{item}", not a weekday', f'use {_suggest(name, WEEKDAYS) or "monday ... sunday"}')
        if full not in days:
            days.append(full)
    if len(days) == len(WEEKDAYS):
        raise _Bad("lists every day of the week", "remove a day, or turn reminders off with enabled = false")
    return tuple(days)


def _path(key: str, value: Any) -> Path | None:
    text = _text(key, value)
    return Path(text).expanduser() if text else None


def _required_path(key: str, value: Any) -> Path:
    path = _path(key, value)
    if path is None:
        raise _Bad("is empty", f'write {key} = "/path/to/folder"')
    return path


def _emergency_number(key: str, value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        raise _Bad(f"is the number {value}, not text", f'write it in quotes so leading zeros are kept: {key} = "{value}"')
    text = _text(key, value)
    digits = re.sub(r"[ -]", "", text)
    if not re.fullmatch(r"\+?[0-9]{2,15}", digits):
        raise _Bad(f"is {_show(value)}, not a phone number", f'write the digits to call, e.g. {key} = "112"')
    return text


def _command(key: str, value: Any) -> str:
    text = _text(key, value)
    try:
        shlex.split(text)
    except ValueError as exc:
        raise _Bad(f"is not a valid command ({exc})", "check its quotes") from None
    return text


def _tcp_uri(key: str, value: Any) -> str:
    text = _text(key, value)
    if text and not re.fullmatch(r"tcp://[^\s/:]+:\d{1,5}", text):
        raise _Bad(f"is {_show(value)}, not tcp://HOST:PORT", f'write {key} = "tcp://192.168.1.20:10300"')
    return text


def _http_url(key: str, value: Any) -> str:
    text = _text(key, value).rstrip("/")
    if text and not re.fullmatch(r"https?://[^\s/]+", text):
        raise _Bad(f"is {_show(value)}, not http(s)://HOST[:PORT]", f'write {key} = "http://homeassistant.local:8123"')
    return text


def _hold_table(key: str, value: Any) -> dict[str, float]:
    if not isinstance(value, dict):
        raise _Bad(f"is {_show(value)}, not a table", f"write [holds.{key}] with lines like kneeling_hip_flexor = 30")
    seconds = _number(5, 600, unit=" seconds")
    return {str(name): seconds(f"{key}.{name}", v) for name, v in value.items()}


SECTIONS: Mapping[str, tuple[type, Mapping[str, Parser]]] = MappingProxyType({
    "audio": (AudioConfig, {
        "input_device": _device, "output_device": _device,
        "volume": _number(0.0, 1.0), "barge_in": _boolean}),
    "speech": (SpeechConfig, {
        "engine": _choice("auto", "vosk", "pocketsphinx", "wyoming"), "model_dir": _path,
        "voice_rate_wpm": _number(80, 300, integer=True, unit=" words per minute"), "voice": _text,
        "nlu_threshold": _number(0.0, 1.0),
        "tts": _choice("auto", "piper", "pyttsx3", "wyoming")}),
    "wake": (WakeConfig, {"phrase": _phrase, "enabled": _boolean}),
    "holds": (HoldsConfig, {"preferred_seconds": _hold_table, "longer_step_seconds": _number(1, 60, unit=" seconds")}),
    "reminders": (ReminderSettings, {
        "enabled": _boolean, "interval_minutes": _number(10, 480, unit=" minutes"),
        "snooze_minutes": _number(1, 120, unit=" minutes"), "quiet_start": _time_of_day,
        "quiet_end": _time_of_day, "days_off": _days, "hydration": _boolean,
        "hydration_interval_minutes": _number(15, 480, unit=" minutes")}),
    "safety": (SafetyConfig, {
        "emergency_number": _emergency_number, "on_emergency": _command,
        "on_emergency_timeout_seconds": _number(1, 300, unit=" seconds")}),
    "paths": (PathsConfig, {"data_dir": _required_path, "content_dir": _required_path}),
    "logging": (LoggingConfig, {"debug": _boolean}),
    "wyoming": (WyomingConfig, {
        "asr_uri": _tcp_uri, "tts_uri": _tcp_uri, "tts_voice": _text,
        "connect_timeout_seconds": _number(0.1, 30, unit=" seconds"),
        "timeout_seconds": _number(0.5, 120, unit=" seconds"),
        "retry_max_seconds": _number(1, 3600, unit=" seconds")}),
    "homeassistant": (HomeAssistantConfig, {
        "url": _http_url, "token_file": _path, "satellite": _text,
        "timeout_seconds": _number(0.5, 60, unit=" seconds")}),
})
"""Every section, its dataclass and a check for each key (named as the dataclass fields)."""


def _suggest(word: str, choices: Any) -> str | None:
    """The closest known name, for "did you mean" hints."""
    best = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=60)
    return best[0] if best else None


# --- layers ------------------------------------------------------------------------------


def _read_layer(path: Path, problems: list[ConfigError]) -> dict[str, Any]:
    """One file's settings as ``{"section.key": value}``; mistakes go to ``problems``."""
    try:
        data = tomllib.loads(decode_utf8(path.read_bytes(), path))
    except NotUtf8 as exc:
        problems.append(ConfigError(exc.what, exc.fix))
        return {}
    except tomllib.TOMLDecodeError as exc:
        problems.append(ConfigError(f"{path}: not valid TOML ({exc})", "fix the syntax at that line"))
        return {}
    except IsADirectoryError:
        problems.append(ConfigError(f"{path} is a folder, not a file", "point to the config.toml file"))
        return {}
    except OSError as exc:
        problems.append(ConfigError(f"{path} cannot be read ({exc.strerror})", "check the file's permissions"))
        return {}
    values: dict[str, Any] = {}
    for section, table in data.items():
        if section not in SECTIONS:
            hint = _suggest(section, SECTIONS)
            fix = f"did you mean [{hint}]?" if hint else f"known sections: {', '.join(SECTIONS)}"
            problems.append(ConfigError(f"{path}: unknown section [{section}]", fix))
            continue
        if not isinstance(table, dict):
            problems.append(ConfigError(f"{path}: {section} must be a [{section}] table", f"write [{section}] on its own line, then key = value lines"))
            continue
        parsers = SECTIONS[section][1]
        for key, value in table.items():
            parser = parsers.get(key)
            if parser is None:
                hint = _suggest(key, parsers)
                fix = f"did you mean {hint}?" if hint else f"known keys: {', '.join(parsers)}"
                problems.append(ConfigError(f"{path}: [{section}] unknown key '{key}'", fix))
                continue
            try:
                parsed = parser(key, value)
            except _Bad as bad:
                problems.append(ConfigError(f"{path}: [{section}] {key} {bad.what}", bad.fix))
                continue
            if parser is _hold_table:
                values.update({f"{section}.{key}.{name}": seconds for name, seconds in parsed.items()})
            else:
                values[f"{section}.{key}"] = parsed
    return values


def default_emergency_number(env: Mapping[str, str]) -> tuple[str, str]:
    """The emergency number for the locale's country, and the variable it was read from."""
    for variable in ("LC_ALL", "LC_TELEPHONE", "LANG"):
        locale = env.get(variable, "")
        if locale:
            match = re.match(r"[A-Za-z]+_([A-Za-z]{2})\b", locale)
            country = match[1].upper() if match else ""
            return EMERGENCY_NUMBERS.get(country, FALLBACK_EMERGENCY_NUMBER), f"{variable}={locale}"
    return FALLBACK_EMERGENCY_NUMBER, "no locale set"


def load_config(
    explicit: Path | None = None,
    *,
    system: Path | None = None,
    user: Path | None = None,
    env: Mapping[str, str] | None = None,
) -> Config:
    """Merge defaults, the system file, the user file and ``explicit`` (``--config``), checked.

    ``system`` and ``user`` default to /etc/voicecare/config.toml and
    ~/.config/voicecare/config.toml; either may be absent.
    """
    env = os.environ if env is None else env
    system = SYSTEM_CONFIG if system is None else system
    user = USER_CONFIG.expanduser() if user is None else user
    problems: list[ConfigError] = []
    merged: dict[str, Any] = {}
    sources: dict[str, str] = {}
    layers = [path for path in (system, user) if path.exists()]
    if explicit is not None:
        explicit = Path(explicit).expanduser()
        if not explicit.exists():
            raise ConfigError(f"config file {explicit} not found", "check the path given to --config")
        layers.append(explicit)
    for path in layers:
        for key, value in _read_layer(path, problems).items():
            merged[key] = value
            sources[key] = str(path)
    if "safety.emergency_number" not in merged:
        number, why = default_emergency_number(env)
        merged["safety.emergency_number"] = number
        sources["safety.emergency_number"] = f"{DEFAULT} ({why})"
    if "paths.data_dir" not in merged:
        merged["paths.data_dir"] = Path(user_data_dir("voicecare"))
    content_dir = merged.get("paths.content_dir", DEFAULT_CONTENT_DIR)
    if not content_dir.is_dir():
        problems.append(ConfigError(f"{sources.get('paths.content_dir', DEFAULT)}: [paths] content_dir {content_dir} is not a folder",
                                    "point it to the voicecare content/ folder"))
    if problems:
        raise problems[0] if len(problems) == 1 else ConfigErrors(problems)
    return _build(merged, sources)


def _build(merged: Mapping[str, Any], sources: dict[str, str]) -> Config:
    sections: dict[str, Any] = {}
    for section, (cls, parsers) in SECTIONS.items():
        kwargs = {key: merged[f"{section}.{key}"] for key in parsers if f"{section}.{key}" in merged}
        if section == "holds":
            prefix = "holds.preferred_seconds."
            chosen = {key[len(prefix):]: value for key, value in merged.items() if key.startswith(prefix)}
            kwargs["preferred_seconds"] = MappingProxyType(chosen)
            origins = sorted({sources[k] for k in merged if k.startswith(prefix)})
            if origins:
                sources["holds.preferred_seconds"] = ", ".join(origins)
        sections[section] = cls(**kwargs)
    return Config(**sections, sources=MappingProxyType(dict(sources)))
