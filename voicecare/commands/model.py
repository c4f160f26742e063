"""``voicecare model install [NAME]`` and ``voicecare model list``: manage Vosk models."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from voicecare.asr.models import DEFAULT_MODEL, default_models_dir, install_model, installed_models

NAME = "model"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="install or list Vosk speech models")
    actions = p.add_subparsers(dest="model_action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help=f"download and verify a Vosk model (default {DEFAULT_MODEL})")
    install.add_argument("name", nargs="?", default=DEFAULT_MODEL, help="model name from alphacephei.com/vosk/models")
    install.add_argument("--dir", type=Path, default=None, help="models folder (default: models/)")
    install.add_argument("--sha256", default=None, help="expected SHA-256 of the archive, to pin a known download")
    install.add_argument("--base-url", default=None, help=argparse.SUPPRESS)
    install.set_defaults(func=run)
    listing = actions.add_parser("list", help="list installed models")
    listing.add_argument("--dir", type=Path, default=None, help="models folder (default: models/)")
    listing.set_defaults(func=run)
    p.set_defaults(func=run)


def _progress(done: int, total: int | None) -> None:
    """A one-line progress report on stderr, only when someone is watching."""
    if not sys.stderr.isatty():
        return
    shown = f"{done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")
    print(f"\rdownloading: {shown}", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    models_dir = args.dir or default_models_dir()
    if args.model_action == "install":
        path = install_model(args.name, models_dir, base_url=args.base_url, sha256=args.sha256, progress=_progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"{args.name} is installed in {path}")
        return 0
    models = installed_models(models_dir)
    if not models:
        print(f"no models in {models_dir} (run `voicecare model install`)")
        return 0
    for model in models:
        state = "ok" if model.complete else "incomplete"
        digest = f"  sha256 {model.sha256[:16]}…" if model.sha256 else ""
        print(f"{model.name}  {state}  {model.path}{digest}")
    return 0
