"""``voicecare voice install [NAME]``, ``voice list`` and ``voice cache``: the assistant's Piper voices."""

from __future__ import annotations

import argparse
import sys

from voicecare.commands._common import config_from
from voicecare.speech.voices import DEFAULT_VOICE

NAME = "voice"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(NAME, help="install or list Piper voices, or render the phrase cache")
    actions = p.add_subparsers(dest="voice_action", metavar="ACTION", required=True)
    install = actions.add_parser("install", help=f"download and verify a Piper voice (default {DEFAULT_VOICE})")
    install.add_argument("name", nargs="?", default=None, help="a Piper voice name (default: [speech] voice, "
                         f"else {DEFAULT_VOICE})")
    install.add_argument("--sha256", default=None, help="expected SHA-256 of the .onnx file, to pin a known download")
    install.add_argument("--no-cache", action="store_true", help="do not render the phrase cache after installing")
    install.add_argument("--base-url", default=None, help=argparse.SUPPRESS)
    actions.add_parser("list", help="installed Piper voices, and which voice speaks")
    actions.add_parser("cache", help="render every content sentence with the configured voice now")
    p.set_defaults(func=run)


def _progress(file: str, done: int, total: int | None) -> None:
    """One progress line on stderr, only when someone is watching."""
    if sys.stderr.isatty():
        shown = f"{done / 1e6:.1f} MB" + (f" of {total / 1e6:.1f} MB" if total else "")
        print(f"\rdownloading {file.strip('.').removesuffix('.part')}: {shown}", end="", file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    config = config_from(args)
    if args.voice_action == "install":
        from voicecare.speech.voice_install import install_voice

        name = args.name or config.speech.voice or DEFAULT_VOICE
        voice = install_voice(name, config.paths.data_dir, base_url=args.base_url, sha256=args.sha256,
                              progress=_progress)
        if sys.stderr.isatty():
            print(file=sys.stderr)
        print(f"{name} is installed in {voice.model.parent}")
        if not args.no_cache and (config.speech.voice or DEFAULT_VOICE) == name:
            _cache(config)
        return 0
    if args.voice_action == "cache":
        return _cache(config)
    from voicecare.speech.select import voice_from_config
    from voicecare.speech.voices import installed_voices

    voices = installed_voices(config.paths.data_dir)
    for v in voices:
        print(f"{v.name}  {v.size_bytes / 1e6:.0f} MB  {v.source}  {v.model}")
    if not voices:
        print(f"no Piper voices installed (run `voicecare voice install {DEFAULT_VOICE}`)")
    print(f"speaking: {voice_from_config(config, store_new=False).choice.describe()}")
    return 0


def _cache(config) -> int:
    """Render the phrase cache in the foreground and say how big it is and how long it took."""
    from voicecare.speech.parts import cache_items
    from voicecare.speech.select import voice_from_config

    voice = voice_from_config(config)
    if voice.cache is None or voice.choice.kind != "piper":
        print(f"no phrase cache needed: {voice.choice.describe()} speaks as fast as it is asked")
        return 0
    fixed = {"number": config.safety.emergency_number, "wake": config.wake.phrase}
    from voicecare.errors import AudioError
    from voicecare.speech.piper_backend import PiperSynth, PiperUnavailable

    try:
        synth = PiperSynth(voice.synth.files, voice.synth.settings)  # the foreground build renders here
    except PiperUnavailable as exc:
        raise AudioError(str(exc), f"run `voicecare voice install {voice.synth.name}` again") from exc
    report = voice.cache.build(cache_items(config.paths.content_dir, fixed), synth.render)
    print(f"phrase cache {voice.cache.folder}: {report.sentences} sentences and parts, {report.rendered} rendered now "
          f"({report.audio_seconds / 60:.1f} min of speech) in {report.seconds:.1f} s, {report.bytes / 1e6:.1f} MB")
    return 0
