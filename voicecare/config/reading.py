"""The configuration: one TOML file per layer, checked at start-up, built once into frozen values.

Layers, later ones winning: built-in defaults < ``/etc/voicecare/config.toml`` <
``~/.config/voicecare/config.toml`` < ``--config FILE``. Every value remembers where it came
from (``voicecare config show``). Every mistake in every layer is reported, one line each.

The sections and their defaults are in ``voicecare.config.sections``, the check of each value
in ``voicecare.config.checks``.
"""

from __future__ import annotations

import logging
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Any, Iterator, Mapping

from platformdirs import user_data_dir

from voicecare.config.checks import DEFAULT, Parser, _Bad, _hold_table, _suggest
from voicecare.config.sections import (
    EMERGENCY_NUMBERS,
    FALLBACK_EMERGENCY_NUMBER,
    SECTIONS,
    AudioConfig,
    HoldsConfig,
    HomeAssistantConfig,
    LoggingConfig,
    PathsConfig,
    SafetyConfig,
    SpeechConfig,
    WakeConfig,
    WyomingConfig,
)
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.core.reminders import ReminderSettings
from voicecare.errors import ConfigError
from voicecare.textfiles import NotUtf8, decode_utf8

log = logging.getLogger(__name__)

SYSTEM_CONFIG = Path("/etc/voicecare/config.toml")
USER_CONFIG = Path("~/.config/voicecare/config.toml")


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
