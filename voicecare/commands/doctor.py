"""``voicecare doctor``: one line per check, how to fix each failure, exit 1 when a needed part is broken."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from voicecare.doctor import CHECKS, CheckResult, DoctorOptions, Status, all_ok, run_checks
from voicecare.errors import EXIT_OK, EXIT_RUNTIME, BadInputError

NAME = "doctor"
_MARKS = {Status.OK: "✓", Status.WARN: "!", Status.FAIL: "✗"}
_WORDS = {Status.OK: "OK", Status.WARN: "WARN", Status.FAIL: "FAIL"}


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="check microphone, speaker, voice, recognizer, content, config, journal, disk "
                                  "and optional parts")
    p.add_argument("--json", action="store_true", help="print the results as one JSON object")
    p.add_argument("--play", action="store_true", help="play a short, quiet chime on the speaker")
    p.add_argument("--only", metavar="NAMES", help=f"comma-separated checks to run ({', '.join(CHECKS)})")
    p.add_argument("--seconds", type=float, default=1.0, metavar="S", help="how long to record (default 1)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    only = _only(args.only)
    if not 0.1 <= args.seconds <= 30:
        raise BadInputError(f"--seconds {args.seconds} is out of range", "use 0.1 to 30")
    explicit = Path(args.config) if getattr(args, "config", None) else None
    results = run_checks(explicit, DoctorOptions(play=args.play, record_seconds=args.seconds), only)
    healthy = all_ok(results)
    if args.json:
        print(json.dumps({"ok": healthy, "checks": [r.to_json() for r in results]}, ensure_ascii=False))
    else:
        print(render(results, symbols=_can_print("✓✗")))
    return EXIT_OK if healthy else EXIT_RUNTIME


def _only(value: str | None) -> list[str] | None:
    if not value:
        return None
    names = [name.strip() for name in value.split(",") if name.strip()]
    unknown = [name for name in names if name not in CHECKS]
    if unknown:
        raise BadInputError(f"unknown check {unknown[0]!r}", f"use one or more of: {', '.join(CHECKS)}")
    return names


def render(results: list[CheckResult], *, symbols: bool = True) -> str:
    """The human report: one line per check, then a one-line verdict."""
    width = max(len(r.name) for r in results)
    lines = []
    for r in results:
        mark = _MARKS[r.status] if symbols else f"{_WORDS[r.status]:<4}"
        fix = f" — {r.fix}" if r.fix and r.status is not Status.OK else ""
        lines.append(f"{mark} {r.name:<{width}}  {r.detail}{fix}")
    broken = [r.name for r in results if r.status is Status.FAIL]
    warned = [r.name for r in results if r.status is Status.WARN]
    if broken:
        lines.append(f"Not ready: fix {', '.join(dict.fromkeys(broken))}.")
    elif warned:
        lines.append(f"Ready, with warnings about {', '.join(dict.fromkeys(warned))}.")
    else:
        lines.append("Ready: everything the assistant needs works.")
    return "\n".join(lines)


def _can_print(text: str) -> bool:
    """Tick marks only where the terminal's encoding can show them."""
    try:
        text.encode(sys.stdout.encoding or "ascii")
    except (UnicodeEncodeError, LookupError):
        return False
    return True
