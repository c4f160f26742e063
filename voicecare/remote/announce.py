"""Announcements on a Home Assistant satellite (``assist_satellite.announce`` over its REST API).

What the assistant says on its own cannot travel back through ``handle``, which only answers. The
long-lived access token is read from a file only the service's user may read; it goes into the
Authorization header and nowhere else (never into the log, an error or a repr).
"""

from __future__ import annotations

import json
import logging
import os
import queue
import stat
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from voicecare.errors import ConfigError

log = logging.getLogger(__name__)

ANNOUNCE_PATH = "/api/services/assist_satellite/announce"
QUEUE_LIMIT = 64
"""Announcements waiting at most; older ones are dropped first when Home Assistant is unreachable."""


def read_token(path: Path) -> str:
    """The token from ``path``, refusing a file that others could read."""
    try:
        info = path.stat()
    except FileNotFoundError:
        raise ConfigError(f"the Home Assistant token file {path} does not exist",
                          "create it with the long-lived access token from your Home Assistant profile") from None
    except OSError as exc:
        raise ConfigError(f"the Home Assistant token file {path} cannot be read ({exc.strerror})",
                          "check its permissions") from None
    if not stat.S_ISREG(info.st_mode):
        raise ConfigError(f"the Home Assistant token file {path} is not a file", "point token_file at the file")
    if info.st_mode & 0o077:
        raise ConfigError(f"the Home Assistant token file {path} can be read by others (mode {info.st_mode & 0o777:04o})",
                          f"run: chmod 600 {path}")
    try:
        token = path.read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"the Home Assistant token file {path} cannot be read ({exc})",
                          "check that the service's user owns it") from None
    if not token or any(c.isspace() for c in token):
        raise ConfigError(f"the Home Assistant token file {path} does not hold one token",
                          "put only the long-lived access token in it, on one line")
    return token


@dataclass(frozen=True, slots=True)
class Announcement:
    """One thing to say on one satellite."""

    satellite: str
    text: str
    severity: str | None = None


class HomeAssistantAnnouncer:
    """Sends announcements from its own thread, so the conversations' timers never wait on the network."""

    def __init__(self, url: str, token: str, default_satellite: str | None = None,
                 timeout_seconds: float = 5.0) -> None:
        self.url = url.rstrip("/")
        self.__token = token
        self.default_satellite = default_satellite or None
        self.timeout_seconds = timeout_seconds
        self._queue: queue.Queue[Announcement | None] = queue.Queue()
        self._opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # never via a proxy
        self._thread: threading.Thread | None = None
        self.sent = 0
        self.failed = 0

    def __repr__(self) -> str:
        return f"HomeAssistantAnnouncer({self.url!r})"

    def __call__(self, satellite: str | None, text: str, severity: str | None = None) -> None:
        """Queue ``text`` for ``satellite`` (or the default one); returns at once."""
        target = satellite or self.default_satellite
        if not target:
            log.warning("not announced, no satellite known yet (set [homeassistant] satellite): %s", text)
            return
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name="announcer", daemon=True)
            self._thread.start()
        while self._queue.qsize() >= QUEUE_LIMIT:
            try:
                self._queue.get_nowait()
            except queue.Empty:
                break
        self._queue.put(Announcement(target, text, severity))

    def send(self, item: Announcement) -> bool:
        """POST one announcement now; True when Home Assistant accepted it."""
        body = json.dumps({"entity_id": item.satellite, "message": item.text,
                           "preannounce": item.severity == "emergency"}).encode("utf-8")
        request = urllib.request.Request(self.url + ANNOUNCE_PATH, data=body, method="POST", headers={
            "Authorization": f"Bearer {self.__token}", "Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=self.timeout_seconds) as response:
                response.read(64 * 1024)
        except urllib.error.HTTPError as exc:
            hint = " (check the token)" if exc.code == 401 else " (check the satellite's entity id)" if exc.code in (400, 404) else ""
            log.error("Home Assistant refused an announcement on %s: HTTP %d%s", item.satellite, exc.code, hint)
            return False
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            log.error("Home Assistant at %s unreachable for an announcement (%s)", self.url, reason)
            return False
        log.debug("announced on %s: %s", item.satellite, item.text)
        return True

    def close(self, timeout: float = 2.0) -> None:
        """Send what is queued (within ``timeout``), then stop the thread."""
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if self.send(item):
                self.sent += 1
            else:
                self.failed += 1


class NoAnnouncer:
    """Home Assistant is not configured: what would be announced is only logged."""

    def __call__(self, satellite: str | None, text: str, severity: str | None = None) -> None:
        log.info("not announced (Home Assistant not configured): %s", text)

    def close(self, timeout: float = 2.0) -> None:
        """Nothing to send."""


def announcer_from(url: str, token_file: Path | None, satellite: str = "",
                   timeout_seconds: float = 5.0) -> HomeAssistantAnnouncer | NoAnnouncer:
    """The announcer the configuration asks for; a URL without a usable token file fails here, clearly."""
    if not url:
        return NoAnnouncer()
    if token_file is None:
        raise ConfigError("[homeassistant] url is set but token_file is not",
                          'add token_file = "/etc/voicecare/homeassistant.token" (mode 600)')
    return HomeAssistantAnnouncer(url, read_token(Path(os.path.expandvars(str(token_file)))), satellite,
                                  timeout_seconds)
