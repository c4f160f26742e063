"""Reading content TOML strictly: every mistake names file, entry and fix."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Iterable, Mapping

from voicecare.errors import ContentError
from voicecare.textfiles import NotUtf8, decode_utf8

DEFAULT_CONTENT_DIR = Path(__file__).resolve().parents[2] / "content"
"""The ``content/`` folder of the project (overridable by config)."""


def read_toml(path: Path) -> dict[str, Any]:
    """Parse one TOML file, turning I/O and syntax errors into ``ContentError``."""
    try:
        return tomllib.loads(decode_utf8(path.read_bytes(), path))
    except NotUtf8 as exc:
        raise ContentError(exc.what, exc.fix) from None
    except FileNotFoundError:
        raise ContentError(f"content file {path} is missing", "restore it from the voicecare repository") from None
    except tomllib.TOMLDecodeError as exc:
        raise ContentError(f"{path.name}: not valid TOML ({exc})", "fix the syntax at that line") from None
    except OSError as exc:
        raise ContentError(f"{path}: cannot be read ({exc.strerror})", "check the file's permissions") from None


class Entry:
    """A strict view of one TOML table: typed getters, and unknown keys are errors.

    ``where`` is the human name used in messages, e.g. ``exercises.toml [exercises.plank]``.
    """

    def __init__(self, table: Any, where: str) -> None:
        if not isinstance(table, Mapping):
            raise ContentError(f"{where}: expected a table, found {_kind(table)}", "make it a [table] of keys")
        self._table = table
        self.where = where
        self._used: set[str] = set()

    def error(self, what: str, fix: str) -> ContentError:
        return ContentError(f"{self.where}: {what}", fix)

    def has(self, key: str) -> bool:
        return key in self._table

    def _get(self, key: str, default: Any, required: bool) -> Any:
        self._used.add(key)
        if key not in self._table:
            if required:
                raise self.error(f"missing '{key}'", f"add {key} = ... to this entry")
            return default
        return self._table[key]

    def str(self, key: str, default: str | None = None, *, required: bool = True, choices: Iterable[str] | None = None) -> str:
        value = self._get(key, default, required and default is None)
        if value is None:
            return value
        if not isinstance(value, str) or not value.strip():
            raise self.error(f"'{key}' must be non-empty text, found {_kind(value)}", f'write {key} = "..."')
        if choices is not None:
            options = tuple(choices)
            if value not in options:
                raise self.error(f"'{key}' is {value!r}", f"use one of: {', '.join(options)}")
        return value

    def bool(self, key: str, default: bool | None = None) -> bool:
        value = self._get(key, default, default is None)
        if not isinstance(value, bool):
            raise self.error(f"'{key}' must be true or false, found {_kind(value)}", f"write {key} = true or false")
        return value

    def number(self, key: str, default: float | None = None, *, minimum: float | None = None,
               maximum: float | None = None, integer: bool = False) -> float:
        value = self._get(key, default, default is None)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (integer and not isinstance(value, int)):
            kind = "a whole number" if integer else "a number"
            raise self.error(f"'{key}' must be {kind}, found {_kind(value)}", f"write {key} = 30")
        if minimum is not None and value < minimum:
            raise self.error(f"'{key}' is {value}, below the smallest allowed {minimum}", f"use a value of at least {minimum}")
        if maximum is not None and value > maximum:
            raise self.error(f"'{key}' is {value}, above the largest allowed {maximum}", f"use a value of at most {maximum}")
        return value

    def lines(self, key: str, *, required: bool = True, minimum: int = 1) -> tuple[str, ...]:
        """A list of non-empty strings (spoken sentences, example phrases)."""
        value = self._get(key, None if required else [], required)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            raise self.error(f"'{key}' must be a list of non-empty text", f'write {key} = ["...", "..."]')
        if len(value) < minimum:
            raise self.error(f"'{key}' has {len(value)} item(s), needs at least {minimum}", f"add more to {key}")
        return tuple(v.strip() for v in value)

    def table(self, key: str, *, required: bool = True) -> "Entry | None":
        value = self._get(key, None, required)
        if value is None:
            return None
        return Entry(value, f"{self.where}.{key}")

    def tables(self, key: str, *, required: bool = True) -> list["Entry"]:
        """An array of tables (``[[x.steps]]`` or ``steps = [{...}]``)."""
        value = self._get(key, None if required else [], required)
        if not isinstance(value, list):
            raise self.error(f"'{key}' must be a list of tables, found {_kind(value)}", f"write [[...{key}]] entries")
        return [Entry(item, f"{self.where}.{key}[{i}]") for i, item in enumerate(value)]

    def raw(self, key: str, default: Any = None) -> Any:
        return self._get(key, default, False)

    def children(self) -> dict[str, "Entry"]:
        """Every key of this table as an entry (for tables keyed by ID)."""
        self._used.update(self._table)
        return {k: Entry(v, f"{self.where}.{k}" if self.where else k) for k, v in self._table.items()}

    def done(self) -> None:
        """Raise if the table holds a key nobody read: a misspelling or an unsupported field."""
        unknown = sorted(set(self._table) - self._used)
        if unknown:
            raise self.error(f"unknown key '{unknown[0]}'", "remove it or check its spelling")


def file_entry(path: Path) -> Entry:
    """The whole file as an ``Entry`` whose messages start with the file name."""
    return Entry(read_toml(path), path.name)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return f"the text {value!r}" if value.strip() else "empty text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a table"
    return type(value).__name__
