"""A small client for headless Chromium over the DevTools protocol on a pipe (no network, no extra packages).

Chromium started with ``--remote-debugging-pipe`` reads JSON commands, each ended by a NUL
byte, from file descriptor 3 and writes replies and events to file descriptor 4.
"""

from __future__ import annotations

import base64
import fcntl
import json
import os
import selectors
import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

TIMEOUT_SECONDS = 60.0


def chromium_binary() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")


class Browser:
    """One headless Chromium with one page; every wait has a timeout."""

    def __init__(self, profile: Path) -> None:
        binary = chromium_binary()
        assert binary, "chromium is not installed (scripts/install-system-deps.sh --test installs it)"
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        self.process = self._spawn(binary, profile, to_browser_r, from_browser_w)
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log"):
            self.call(f"{domain}.enable", session=True)

    @staticmethod
    def _spawn(binary: str, profile: Path, command_read: int, reply_write: int) -> subprocess.Popen[bytes]:
        def wire() -> None:
            # Move both ends out of the way first, so neither is overwritten when it already sits on 3 or 4.
            high_read = fcntl.fcntl(command_read, fcntl.F_DUPFD, 10)
            high_write = fcntl.fcntl(reply_write, fcntl.F_DUPFD, 10)
            os.dup2(high_read, 3)
            os.dup2(high_write, 4)

        return subprocess.Popen(
            [binary, "--headless=new", "--no-sandbox", "--disable-gpu", "--remote-debugging-pipe",
             "--no-first-run", "--no-default-browser-check", "--hide-scrollbars", "--mute-audio",
             f"--user-data-dir={profile}", "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=wire, pass_fds=(3, 4, command_read, reply_write),
        )

    def call(self, method: str, params: dict[str, Any] | None = None, *, session: bool = False) -> dict[str, Any]:
        """Send one command and wait for its reply; events that arrive meanwhile are kept in ``events``."""
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        reply = self._wait(lambda m: m.get("id") == self._next_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str) -> dict[str, Any]:
        for event in self.events:
            if event.get("method") == method:
                return event
        return self._wait(lambda m: m.get("method") == method)

    def open(self, url: str, width: int, height: int, *, mobile: bool = False) -> None:
        """Load ``url`` at a viewport of ``width`` x ``height`` CSS pixels and wait for it to finish."""
        self.call("Emulation.setDeviceMetricsOverride",
                  {"width": width, "height": height, "deviceScaleFactor": 2 if mobile else 1, "mobile": mobile},
                  session=True)
        self.events.clear()
        self.call("Page.navigate", {"url": url}, session=True)
        self.wait_event("Page.loadEventFired")

    def evaluate(self, expression: str) -> Any:
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=True)
        return result["result"].get("value")

    def screenshot(self) -> bytes:
        """The whole page as PNG bytes."""
        data = self.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True}, session=True)
        return base64.b64decode(data["data"])

    def print_pdf(self) -> bytes:
        """The page printed on A4, as the browser's print dialog would."""
        data = self.call("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69, "preferCSSPageSize": True},
                         session=True)
        return base64.b64decode(data["data"])

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions and browser log errors (blocked or failed loads) so far."""
        found = []
        for event in self.events:
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(json.dumps(params.get("exceptionDetails", {}))[:300])
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
                found.append(json.dumps(params.get("args", []))[:300])
            elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
                found.append(params["entry"].get("text", ""))
        return found

    def close(self) -> None:
        try:
            os.write(self._to_browser, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)
        os.close(self._to_browser)
        os.close(self._from_browser)

    def _wait(self, wanted: Any) -> dict[str, Any]:
        deadline = time.monotonic() + TIMEOUT_SECONDS
        with selectors.DefaultSelector() as selector:
            selector.register(self._from_browser, selectors.EVENT_READ)
            while True:
                while b"\0" in self._buffer:
                    raw, self._buffer = self._buffer.split(b"\0", 1)
                    message = json.loads(raw)
                    if "method" in message:
                        self.events.append(message)
                    if wanted(message):
                        return message
                left = deadline - time.monotonic()
                if left <= 0 or self.process.poll() is not None:
                    raise TimeoutError("chromium did not answer in time")
                if selector.select(timeout=left):
                    chunk = os.read(self._from_browser, 1 << 20)
                    if not chunk:
                        raise TimeoutError("chromium closed its pipe")
                    self._buffer += chunk
