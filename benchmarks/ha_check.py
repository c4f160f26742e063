"""Home Assistant, for real: the newest Home Assistant core that installs here, in a virtualenv of its own
(cached), started on 127.0.0.1 with a minimal configuration, onboarded through its REST API, with the
Wyoming integration added by its config flow for ``voicecare wyoming`` (and wyoming-piper for speech out).
Scripted conversations go through ``/api/conversation/process`` and an Assist pipeline over the websocket
API with voicecare's speech-to-text, from WAVs synthesized here. Prints one table row per turn.

``python -m benchmarks.ha_check [--python PY] [--refresh] [--speed N] [--one-turns N]`` (``make ha-check``).
The cache is ``~/.cache/voicecare-ha`` (``VOICECARE_HA_CACHE``); ``--refresh`` installs afresh. Needs a
Python that Home Assistant accepts (3.13 or later) and, for speech out, ffmpeg.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from benchmarks.ha_turns import Turn, expectations, table
from tests.wyoming_peers import free_port, start_cli_service, stop
from voicecare.errors import BadInputError, VoicecareError

CLIENT = Path(__file__).with_name("ha_client.py")
PASSWORD = "voicecare-check-1"


@dataclass(frozen=True, slots=True)
class Core:
    """An installed Home Assistant core."""

    python: Path
    version: str
    install_seconds: float | None
    """None when it came from the cache."""
    disk_mb: float


def find_python(given: str | None) -> Path:
    """A Python Home Assistant installs on: the one given, else the newest 3.13+ of pyenv or the PATH."""
    if given:
        return Path(given)
    found: list[tuple[tuple[int, ...], Path]] = []
    pyenv = Path(os.environ.get("PYENV_ROOT", "~/.pyenv")).expanduser() / "versions"
    for folder in pyenv.glob("3.1[3-9]*") if pyenv.is_dir() else []:
        if re.fullmatch(r"3\.\d+\.\d+", folder.name) and (folder / "bin/python").exists():
            found.append((tuple(int(p) for p in folder.name.split(".")), folder / "bin/python"))
    for minor in (14, 13):
        if where := shutil.which(f"python3.{minor}"):
            found.append(((3, minor, 0), Path(where)))
    if not found:
        raise BadInputError("no Python 3.13 or later to install Home Assistant with",
                            "install one (pyenv install 3.13) or pass --python PATH")
    return max(found)[1]


def _disk_mb(folder: Path) -> float:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink()) / 1e6


def ensure_core(python: Path, cache: Path, refresh: bool) -> Core:
    """Home Assistant in ``cache/venv``: reused when there, else the newest release pip accepts for this
    Python, installed with Home Assistant's own pinned constraints (as its docs install it)."""
    venv, marker = cache / "venv", cache / "venv" / ".voicecare-ha-version"
    if marker.exists() and not refresh:
        return Core(venv / "bin/python", marker.read_text().strip(), None, _disk_mb(venv))
    started = time.monotonic()
    shutil.rmtree(venv, ignore_errors=True)
    wheels = cache / "wheels"
    wheels.mkdir(parents=True, exist_ok=True)
    _run([str(python), "-m", "venv", str(venv)])
    pip = [str(venv / "bin/python"), "-m", "pip", "-q", "--disable-pip-version-check"]
    _run(pip + ["download", "--no-deps", "homeassistant", "-d", str(wheels)])
    wheel = max(wheels.glob("homeassistant-*.whl"), key=lambda p: tuple(int(n) for n in re.findall(r"\d+", p.name)[:3]))
    version = wheel.name.split("-")[1]
    constraints = cache / f"constraints-{version}.txt"
    with zipfile.ZipFile(wheel) as archive:
        constraints.write_bytes(archive.read("homeassistant/package_constraints.txt"))
    uv = next((line.strip() for line in constraints.read_text().splitlines() if line.startswith("uv==")), "uv")
    _run(pip + ["install", uv])
    env = {**os.environ, "UV_NATIVE_TLS": "1"}
    _run([str(venv / "bin/uv"), "pip", "install", "--quiet", "--python", str(venv / "bin/python"),
          f"homeassistant=={version}", "-c", str(constraints)], env=env)
    marker.write_text(version)
    return Core(venv / "bin/python", version, time.monotonic() - started, _disk_mb(venv))


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        raise VoicecareError(f"{' '.join(command[:4])} ... failed: {' / '.join(tail)}",
                             "check the network to PyPI, or pass --python another Python")


CONFIGURATION = """homeassistant:
  name: voicecare check
  latitude: 51.5
  longitude: 0.0
  elevation: 0
  unit_system: metric
  time_zone: UTC
  country: GB
http:
  server_host: 127.0.0.1
  server_port: {port}
api:
config:
onboarding:
conversation:
assist_pipeline:
assist_satellite:
persistent_notification:
websocket_api:
logger:
  default: warning
"""


def start_core(core: Core, folder: Path, port: int) -> tuple[subprocess.Popen, float]:
    """Home Assistant on 127.0.0.1:``port``; returns once onboarding answers, with the seconds it took."""
    config = folder / "ha-config"
    config.mkdir()
    (config / "configuration.yaml").write_text(CONFIGURATION.format(port=port))
    log = (folder / "ha-stdout.log").open("w")
    started = time.monotonic()
    process = subprocess.Popen([str(core.python.parent / "hass"), "-c", str(config), "--log-file",
                                str(folder / "home-assistant.log")], stdout=log, stderr=subprocess.STDOUT)
    log.close()
    import urllib.request

    while time.monotonic() - started < 600:
        if process.poll() is not None:
            raise VoicecareError(f"Home Assistant exited with {process.returncode}",
                                 f"see {folder / 'home-assistant.log'}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/onboarding", timeout=2) as answer:
                if answer.status == 200:
                    return process, time.monotonic() - started
        except OSError:
            time.sleep(0.5)
    raise VoicecareError("Home Assistant did not answer within 10 minutes", f"see {folder / 'home-assistant.log'}")


class Client:
    """``ha_client.py`` in Home Assistant's own virtualenv, one command at a time."""

    def __init__(self, core: Core, url: str) -> None:
        self.core, self.url = core, url
        self.token: str | None = None

    def __call__(self, command: str, **args: Any) -> list[dict[str, Any]]:
        if self.token and "token" not in args:
            args["token"] = self.token
        done = subprocess.run([str(self.core.python), str(CLIENT), self.url, command, json.dumps(args)],
                              capture_output=True, text=True, timeout=900)
        rows = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
        if done.returncode != 0 or any("error" in r and len(r) == 1 for r in rows):
            detail = next((r["error"] for r in rows if "error" in r), done.stderr.strip()[-300:])
            raise VoicecareError(f"Home Assistant {command} failed: {detail}", "see the Home Assistant log")
        return rows


def synthesize(folder: Path, texts: list[str], voice: str = "slt") -> dict[str, Path]:
    """Each text spoken by a synthetic voice, as 16 kHz 16-bit mono WAV (what a satellite streams)."""
    from voicecare.testing import voices as testvoices
    from voicecare.audio.wav import write_wav

    paths = {}
    for n, text in enumerate(texts):
        paths[text] = folder / f"utterance-{n}.wav"
        write_wav(paths[text], testvoices.speak(text, voice))
    return paths


def run_check(args: argparse.Namespace, folder: Path) -> tuple[Core, float, list[Turn], list[str]]:
    cache = Path(os.environ.get("VOICECARE_HA_CACHE", "~/.cache/voicecare-ha")).expanduser()
    core = ensure_core(find_python(args.python), cache, args.refresh)
    port = free_port()
    ha, start_seconds = start_core(core, folder, port)
    processes: list[subprocess.Popen] = [ha]
    notes: list[str] = []
    try:
        client = Client(core, f"http://127.0.0.1:{port}")
        onboarded = client("onboard", password=PASSWORD)[0]
        client.token = onboarded["token"]
        token_file = folder / "homeassistant.token"
        token_file.write_text(client.token + "\n")
        token_file.chmod(0o600)
        base = f'[homeassistant]\nurl = "http://127.0.0.1:{port}"\ntoken_file = "{token_file}"\n'
        extra = base + (f'satellite = "{args.satellite}"\n' if args.satellite else "")
        # voicecare services: one whose conversations run --speed times faster (a relief flow with its
        # 15-minute cold pack in a minute), one in real time with the speech-to-text, so answers spoken
        # through a pipeline (seconds of speech-to-text and text-to-speech each) meet real answer windows.
        fast = _voicecare(folder / "fast", client, extra, "--no-asr", "--speed", str(args.speed))
        processes.append(fast[0])
        real = _voicecare(folder / "real", client, extra)
        processes.append(real[0])
        # And one with no satellite at all: its conversations must fall quiet when the person does.
        alone = _voicecare(folder / "alone", client, base, "--no-asr", "--speed", str(args.speed))
        processes.append(alone[0])
        tts = _start_speech_out(folder, client, processes, notes)
        agent = client("entities", entry=fast[1], domains=["conversation"])[0]["conversation"][0]
        found = client("entities", entry=real[1], domains=["conversation", "stt"])[0]
        speech_out = client("entities", entry=tts, domains=["tts"])[0]["tts"][0] if tts else None
        pipeline = client("pipeline", conversation=found["conversation"][0], stt=found["stt"][0],
                          tts=speech_out)[0]["pipeline"]
        agents = {"fast": agent, "real": found["conversation"][0],
                  "alone": client("entities", entry=alone[1], domains=["conversation"])[0]["conversation"][0]}
        turns = expectations(client, agents, pipeline, folder, args, synthesize)
        venv = core.python.parent.parent  # measured again: the first start installs the integrations' needs
        return replace(core, disk_mb=_disk_mb(venv)), start_seconds, turns, notes
    finally:
        for process in reversed(processes):
            stop(process)


def _voicecare(folder: Path, client: Client, extra: str, *options: str) -> tuple[subprocess.Popen, str]:
    """``voicecare wyoming`` on a free port, added to Home Assistant by the Wyoming config flow."""
    folder.mkdir()
    port = free_port()
    process = start_cli_service(folder, port, *options, extra=extra)
    try:
        return process, client("add-wyoming", host="127.0.0.1", port=port)[0]["entry"]
    except VoicecareError:
        stop(process)
        raise


def _start_speech_out(folder: Path, client: Client, processes: list, notes: list[str]) -> str | None:
    """wyoming-piper with the bundled voice, added by the same config flow: its entry, or None (and why)."""
    if shutil.which("ffmpeg") is None:
        notes.append("speech out skipped: Home Assistant needs ffmpeg to convert it (apt-get install ffmpeg)")
        return None
    try:
        from tests.wyoming_peers import start_piper

        port = free_port()
        processes.append(start_piper(folder, port))
    except (ImportError, RuntimeError, TimeoutError) as exc:
        notes.append(f"speech out skipped: wyoming-piper did not start ({exc})")
        return None
    return client("add-wyoming", host="127.0.0.1", port=port)[0]["entry"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--python", help="the Python to install Home Assistant with (default: newest 3.13+)")
    parser.add_argument("--refresh", action="store_true", help="install Home Assistant afresh")
    parser.add_argument("--speed", type=float, default=20.0, help="conversation time speed-up (default 20)")
    parser.add_argument("--one-turns", type=int, default=100, help="one-turn conversations in a row (default 100)")
    parser.add_argument("--satellite", default="assist_satellite.voicecare_check",
                        help="voicecare's [homeassistant] satellite (the core has none: notifications show it)")
    parser.add_argument("--voice", default="slt", help="the synthetic voice of the WAVs (voicecare.testing.voices)")
    args = parser.parse_args(argv)
    try:
        with tempfile.TemporaryDirectory(prefix="voicecare-ha-check-") as folder:
            core, start_seconds, turns, notes = run_check(args, Path(folder))
    except VoicecareError as exc:
        print(exc.line(), file=sys.stderr)
        return exc.exit_code
    print(table(core, start_seconds, turns, notes))
    return 0 if all(t.ok for t in turns) else 1


if __name__ == "__main__":
    raise SystemExit(main())
