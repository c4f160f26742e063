"""The check of each setting's value: it turns what is written in a file into the value used, or
says what is wrong with it and how to write it instead."""

from __future__ import annotations

import re
import shlex
from datetime import time
from pathlib import Path
from typing import Any, Callable

from rapidfuzz import fuzz, process

from voicecare.core.reminders import WEEKDAYS

DEFAULT = "default"


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


def _suggest(word: str, choices: Any) -> str | None:
    """The closest known name, for "did you mean" hints."""
    best = process.extractOne(word, list(choices), scorer=fuzz.ratio, score_cutoff=60)
    return best[0] if best else None
