"""Helpers shared by the subcommands: configuration, and clear errors for bad files."""

from __future__ import annotations

import argparse
from datetime import datetime
from pathlib import Path

from voicecare.config import Config, load_config
from voicecare.errors import BadInputError
from voicecare.textfiles import NotUtf8, decode_utf8


def config_from(args: argparse.Namespace) -> Config:
    """The effective configuration (system < user < --config), validated once."""
    explicit = getattr(args, "config", None)
    return load_config(Path(explicit) if explicit else None)


def parse_start(value: str | None) -> datetime:
    """``--start``: the wall-clock time the virtual clock starts at (default: now)."""
    if not value:
        return datetime.now().astimezone()
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise BadInputError(f"--start {value!r} is not a date and time",
                            "write it like 2026-11-25T09:30") from None
    return moment if moment.tzinfo else moment.astimezone()


def read_text_file(path: str, what: str) -> list[str]:
    """Lines of a text file given on the command line, or a clear error."""
    try:
        return decode_utf8(Path(path).read_bytes(), path).splitlines()
    except FileNotFoundError:
        raise BadInputError(f"{what} {path} does not exist", "check the path") from None
    except NotUtf8 as exc:
        raise BadInputError(f"{what} {exc.what}", exc.fix) from None
    except OSError as exc:
        raise BadInputError(f"{what} {path} cannot be read ({exc.strerror})", "check its permissions") from None
