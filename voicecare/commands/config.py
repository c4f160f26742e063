"""``voicecare config show [--json]`` and ``voicecare config check``: the effective settings."""

from __future__ import annotations

import argparse
import json
from datetime import time
from pathlib import Path
from typing import Any, Mapping

from voicecare.config import DEFAULT, Config, load_config

NAME = "config"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="show or check the configuration")
    actions = p.add_subparsers(dest="config_action", metavar="ACTION", required=True)
    show = actions.add_parser("show", help="print every setting with where its value came from")
    show.add_argument("--json", action="store_true", help="print one JSON object instead of TOML")
    show.set_defaults(func=run)
    check = actions.add_parser("check", help="check the configuration files and the content they point to; "
                                             "exit 2 with one line per mistake")
    check.set_defaults(func=run)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(Path(args.config) if getattr(args, "config", None) else None)
    if args.config_action == "check":
        files = sorted({source for source in config.sources.values() if not source.startswith(DEFAULT)})
        print(f"configuration OK ({', '.join(files) if files else 'built-in defaults only'})")
        print(f"content OK ({check_content(Path(config.paths.content_dir))})")
    elif args.json:
        print(json.dumps(as_json(config), indent=2))
    else:
        print(as_toml(config), end="")
    return 0


def as_toml(config: Config) -> str:
    """The effective settings as TOML a person could copy into a file, sources as comments."""
    lines = ["# voicecare effective configuration (value  # where it came from)"]
    current = ""
    for section, key, value, source in config.items():
        if section != current:
            lines += ["", f"[{section}]"]
            current = section
        lines.append(f"{key} = {_toml(value)}  # {source}")
    return "\n".join(lines) + "\n"


def as_json(config: Config) -> dict[str, dict[str, dict[str, Any]]]:
    """``{section: {key: {"value": ..., "source": ...}}}``."""
    result: dict[str, dict[str, dict[str, Any]]] = {}
    for section, key, value, source in config.items():
        result.setdefault(section, {})[key] = {"value": _plain(value), "source": source}
    return result


def _plain(value: Any) -> Any:
    if isinstance(value, Path):
        return str(value)
    if isinstance(value, time):
        return value.strftime("%H:%M")
    if isinstance(value, (tuple, list)):
        return [_plain(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


def _toml(value: Any) -> str:
    value = _plain(value)
    if value is None:
        return '""'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    return json.dumps(str(value), ensure_ascii=False)


def check_content(folder: Path) -> str:
    """Load every content file from ``folder`` as the assistant would; a mistake raises ``ContentError``."""
    from voicecare.content.exercises import load_exercises
    from voicecare.content.intents import load_intents
    from voicecare.content.reminder_texts import load_reminder_texts
    from voicecare.content.texts import load_texts
    from voicecare.nlu import Understander

    texts = load_texts(folder)
    programme = load_exercises(folder)
    intents = load_intents(folder)
    load_reminder_texts(folder)
    Understander.load(folder)
    return (f"{folder}: {len(intents)} intents, {len(programme.exercises)} exercises, "
            f"{len(programme.routines)} routines, {len(texts.answers)} answers")
