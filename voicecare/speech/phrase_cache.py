"""Speech rendered ahead, on disk: a neural voice answers as fast as a recording plays.

One folder per (voice, rate, volume, content version) under ``<data_dir>/phrase-cache/``; one
file per sentence, named by a digest of its text, holding raw 16 kHz 16-bit mono PCM. Files are
written whole (temporary name, then rename), so a reader never sees half a sentence, and folders
of an older voice, rate or content are removed when a new one is made.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from voicecare.audio.chunk import RATE, AudioChunk
from voicecare.errors import VoicecareError

log = logging.getLogger(__name__)

CACHE_SUBDIR = "phrase-cache"
COMPLETE_MARK = "complete.txt"
"""Written when a build has rendered every item; the voice itself then loads only when needed."""


@dataclass(frozen=True, slots=True)
class CacheKey:
    """What the audio depends on; any change makes a different cache."""

    voice: str
    rate_wpm: int
    volume: float
    content_version: str

    def folder_name(self) -> str:
        return f"{self.voice}-{self.rate_wpm}wpm-vol{round(self.volume * 100)}-{self.content_version}"


@dataclass(frozen=True, slots=True)
class BuildReport:
    """What one build of the cache did."""

    sentences: int
    rendered: int
    """Sentences synthesised by this build (the rest were already there)."""
    seconds: float
    """Wall-clock time the build took."""
    audio_seconds: float
    """Length of the speech rendered by this build."""
    bytes: int
    """Size of the whole cache folder afterwards."""
    stopped: bool = False


class PhraseCache:
    """Sentences as audio, looked up by their exact text."""

    def __init__(self, data_dir: Path, key: CacheKey) -> None:
        self.key = key
        self.root = Path(data_dir) / CACHE_SUBDIR
        self.folder = self.root / key.folder_name()

    def _path(self, text: str) -> Path:
        return self.folder / (hashlib.sha256(text.encode("utf-8")).hexdigest()[:32] + ".pcm")

    def get(self, text: str) -> AudioChunk | None:
        """The cached sentence, or None (a missing or unreadable file is just a miss)."""
        try:
            data = self._path(text).read_bytes()
        except OSError:
            return None
        if not data or len(data) % 2:
            return None
        return AudioChunk(rate=RATE, width=2, channels=1, audio=data)

    def __contains__(self, text: str) -> bool:
        return self._path(text).is_file()

    def put(self, text: str, chunk: AudioChunk) -> None:
        """Store a sentence (internal format); a full or read-only disk only costs the cache."""
        if not chunk.is_internal:
            raise ValueError("the phrase cache holds 16 kHz 16-bit mono audio only")
        path = self._path(text)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.{threading.get_ident()}")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            tmp.write_bytes(chunk.audio)
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            log.warning("could not store speech in the phrase cache %s (%s)", self.folder, exc.strerror)

    def prune(self) -> list[Path]:
        """Remove caches of other voices, rates or content versions; returns what was removed."""
        removed = []
        if not self.root.is_dir():
            return removed
        for folder in self.root.iterdir():
            if folder.is_dir() and folder != self.folder:
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        if removed:
            log.info("removed %d old phrase cache folder(s)", len(removed))
        return removed

    def size(self) -> tuple[int, int]:
        """(sentences, bytes) held now."""
        if not self.folder.is_dir():
            return 0, 0
        files = [p for p in self.folder.iterdir() if p.suffix == ".pcm"]
        return len(files), sum(p.stat().st_size for p in files)

    def complete(self) -> bool:
        """True once a build has rendered everything content needs (for this voice, rate and content)."""
        return (self.folder / COMPLETE_MARK).is_file()

    def build(self, sentences: Iterable[str | tuple[str, str]], render: Callable[[str], AudioChunk],
              stop: threading.Event | None = None) -> BuildReport:
        """Render every sentence not yet cached, one at a time; stops early when ``stop`` is set.

        An item is a sentence, or (key, text) for a part stored under a key of its own.
        """
        began = time.perf_counter()
        wanted = list(dict.fromkeys(item if isinstance(item, tuple) else (item, item) for item in sentences))
        rendered, audio_seconds, stopped, skipped = 0, 0.0, False, 0
        self.prune()
        for stale in self.folder.glob(".*") if self.folder.is_dir() else ():
            if time.time() - stale.stat().st_mtime > 60:
                stale.unlink(missing_ok=True)  # left by a build that was stopped mid-write
        for key, text in wanted:
            if stop is not None and stop.is_set():
                stopped = True
                break
            if key in self:
                continue
            try:
                chunk = render(text)
            except VoicecareError as exc:
                log.warning("phrase cache: skipped %r (%s)", text[:40], exc.what)
                skipped += 1
                continue
            self.put(key, chunk)
            rendered += 1
            audio_seconds += chunk.seconds
        if not stopped and not skipped and self.folder.is_dir():
            (self.folder / COMPLETE_MARK).write_text(f"{len(wanted)}\n", encoding="utf-8")
        report = BuildReport(len(wanted), rendered, time.perf_counter() - began, audio_seconds, self.size()[1], stopped)
        log.info("phrase cache %s: %d sentences, %d rendered in %.1f s, %.1f MB", self.folder.name,
                 report.sentences, report.rendered, report.seconds, report.bytes / 1e6)
        return report
