"""Where generated language models and dictionaries are kept between runs."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import platformdirs


def cache_dir() -> Path:
    """The per-user cache (``VOICECARE_CACHE_DIR`` overrides it, e.g. for tests)."""
    override = os.environ.get("VOICECARE_CACHE_DIR")
    return Path(override) if override else Path(platformdirs.user_cache_dir("voicecare")) / "asr"


def write_atomic(path: Path, text: str) -> None:
    """Write via a temporary file and rename, so a crash never leaves half a model behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
