"""The Piper voice's own process: renders the phrase cache and speaks uncached sentences on request.

The network and its working memory (about 90 MB loaded, 50-90 MB more while a sentence renders)
live here, never in the assistant's process, and are returned to the system when this process ends.
Two jobs share the one loaded voice:

- the build (asked for with ``build_request``): every content sentence not yet cached, in a thread
  of low priority (Linux gives each thread its own niceness), so the scheduler favours listening
  and requests; it ends with ``{"report": ...}``;
- requests: one JSON line ``{"say": "<sentence>"}`` on standard input is rendered at once (between
  two sentences of the build), stored in the cache, and answered with ``{"said": ..., "ok": ...}``.

Standard input closing means the assistant has gone: the build stops where it is (each sentence
file appears whole or not at all). With nothing left to build and no request for the spec's
``idle_seconds`` the process ends by itself; the assistant starts it again when a sentence needs it.

``python -m voicecare.speech.cache_worker SPEC`` where SPEC is the JSON from ``build_spec``; once the
voice is loaded it says ``{"ready": true}``; a voice that will not load is reported as
``{"failed": ...}`` and the process ends.
"""

from __future__ import annotations

import json
import logging
import os
import queue
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any, Mapping

from voicecare.errors import VoicecareError
from voicecare.speech.parts import cache_items
from voicecare.speech.phrase_cache import CacheKey, PhraseCache
from voicecare.speech.piper_backend import PiperSettings, PiperSynth, PiperUnavailable
from voicecare.speech.voices import PiperVoiceFiles

log = logging.getLogger(__name__)
NICENESS = 10


def build_spec(synth: Any, cache: PhraseCache, idle_seconds: float) -> str:
    """The voice and the cache, as the worker's one JSON argument."""
    files = synth.files
    return json.dumps({
        "voice": {"name": files.name, "model": str(files.model), "config": str(files.config), "source": files.source},
        "rate_wpm": synth.settings.rate_wpm, "volume": synth.settings.volume,
        "data_dir": str(cache.root.parent), "key": asdict(cache.key), "idle_seconds": idle_seconds,
    })


def build_request(content_dir: Path, fixed: Mapping[str, str]) -> str:
    """The request line that starts the build of every sentence of ``content_dir``."""
    return json.dumps({"build": {"content_dir": str(content_dir), "fixed": dict(fixed)}})


def _reply(message: Mapping[str, Any]) -> None:
    sys.stdout.write(json.dumps(message) + "\n")
    sys.stdout.flush()


class Worker:
    """One loaded voice, its cache, and the build thread."""

    def __init__(self, spec: Mapping[str, Any]) -> None:
        voice = spec["voice"]
        self.synth = PiperSynth(PiperVoiceFiles(voice["name"], Path(voice["model"]), Path(voice["config"]), voice["source"]),
                                PiperSettings(rate_wpm=int(spec["rate_wpm"]), volume=float(spec["volume"])))
        self.cache = PhraseCache(Path(spec["data_dir"]), CacheKey(**spec["key"]))
        self.stop = threading.Event()
        self.waited_for = threading.Event()
        """Set while a requested sentence renders: the build gives way between its clauses."""
        self._builder: threading.Thread | None = None

    def start_build(self, content_dir: Path, fixed: Mapping[str, str]) -> None:
        if not self.building:
            self._builder = threading.Thread(target=self._build, args=(content_dir, dict(fixed)),
                                             name="phrase-cache-build", daemon=True)
            self._builder.start()

    @property
    def building(self) -> bool:
        return self._builder is not None and self._builder.is_alive()

    def _build(self, content_dir: Path, fixed: Mapping[str, str]) -> None:
        try:
            os.nice(NICENESS)  # this thread only, on Linux
        except OSError:
            pass
        report = self.cache.build(cache_items(content_dir, fixed),
                                  lambda text: self.synth.render(text, give_way=self.waited_for), self.stop)
        _reply({"report": asdict(report)})

    def say(self, text: str) -> None:
        """Render one requested sentence into the cache and answer."""
        self.waited_for.set()
        try:
            self.cache.put(text, self.synth.render(text))
        except VoicecareError as exc:
            _reply({"said": text, "ok": False, "why": exc.what})
        else:
            _reply({"said": text, "ok": True})
        finally:
            self.waited_for.clear()

    def finish(self) -> None:
        self.stop.set()
        if self._builder is not None:
            self._builder.join()


def serve(spec: Mapping[str, Any], requests: Any = sys.stdin) -> int:
    """Build and answer requests until standard input closes, or the build is done and all is quiet."""
    try:
        worker = Worker(spec)
    except PiperUnavailable as exc:
        _reply({"failed": str(exc)})
        return 3
    _reply({"ready": True})  # the voice is loaded: a sentence asked for now renders at once
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_read_lines, args=(requests, lines), name="requests", daemon=True).start()
    try:
        while True:
            try:
                line = lines.get(timeout=float(spec["idle_seconds"]))
            except queue.Empty:
                if worker.building:
                    continue
                break
            if not line:
                break
            try:
                request = json.loads(line)
                if "build" in request:
                    worker.start_build(Path(request["build"]["content_dir"]), request["build"]["fixed"])
                    continue
                text = str(request["say"])
            except (ValueError, KeyError, TypeError):
                _reply({"said": "", "ok": False, "why": f"not a request: {line[:60]!r}"})
                continue
            worker.say(text)
    finally:
        worker.finish()
    return 0


def _read_lines(source: Any, lines: "queue.Queue[str]") -> None:
    """Every line of ``source``, then an empty string for its end."""
    for line in source:
        lines.put(line)
    lines.put("")


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, format="voicecare phrase cache: %(message)s")
    return serve(json.loads(args[0]))


if __name__ == "__main__":
    sys.exit(main())
