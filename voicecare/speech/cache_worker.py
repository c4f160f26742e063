"""Renders the phrase cache in a process of its own, at low priority, while the assistant runs.

A separate process keeps the network's working memory for long sentences out of the assistant's
own (it is returned to the system when the build ends), lets the scheduler favour listening, and
can be stopped at any moment: each sentence file appears whole or not at all.

``python -m voicecare.speech.cache_worker SPEC`` where SPEC is the JSON from ``build_spec``.
"""

from __future__ import annotations

import json
import logging
import os
import sys
from dataclasses import asdict
from pathlib import Path
from typing import Any, Mapping

from voicecare.speech.parts import cache_items
from voicecare.speech.phrase_cache import BuildReport, CacheKey, PhraseCache
from voicecare.speech.piper_backend import PiperSettings, PiperSynth
from voicecare.speech.voices import PiperVoiceFiles

log = logging.getLogger(__name__)
NICENESS = 10


def build_spec(synth: PiperSynth, cache: PhraseCache, content_dir: Path, fixed: Mapping[str, str]) -> str:
    """Everything the worker needs, as one JSON argument."""
    files = synth.files
    return json.dumps({
        "voice": {"name": files.name, "model": str(files.model), "config": str(files.config), "source": files.source},
        "rate_wpm": synth.settings.rate_wpm, "volume": synth.settings.volume,
        "data_dir": str(cache.root.parent), "key": asdict(cache.key),
        "content_dir": str(content_dir), "fixed": dict(fixed),
    })


def run(spec: Mapping[str, Any]) -> BuildReport:
    """Load the voice and render every content sentence not yet cached."""
    synth = PiperSynth(PiperVoiceFiles(spec["voice"]["name"], Path(spec["voice"]["model"]),
                                       Path(spec["voice"]["config"]), spec["voice"]["source"]),
                       PiperSettings(rate_wpm=int(spec["rate_wpm"]), volume=float(spec["volume"])))
    cache = PhraseCache(Path(spec["data_dir"]), CacheKey(**spec["key"]))
    return cache.build(cache_items(Path(spec["content_dir"]), spec["fixed"]), synth.render)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    logging.basicConfig(level=logging.WARNING, format="voicecare phrase cache: %(message)s")
    try:
        os.nice(NICENESS)
    except OSError:
        pass
    report = run(json.loads(args[0]))
    print(json.dumps(asdict(report)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
