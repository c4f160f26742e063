"""Announcements on a Home Assistant satellite (``assist_satellite.announce`` over its REST API), or a
persistent notification (``persistent_notification.create``) when no satellite is known or the satellite
refuses.

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
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from voicecare.errors import ConfigError

log = logging.getLogger(__name__)

ANNOUNCE_PATH = "/api/services/assist_satellite/announce"
NOTIFY_PATH = "/api/services/persistent_notification/create"
NOTIFICATION_TITLE = "voicecare"
STATES_PATH = "/api/states/"
KNOWN_SECONDS = 60.0
"""How long a satellite found present (or missing) is taken as such before asking Home Assistant again."""
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
    """One thing to say on one satellite (None: as a notification)."""

    satellite: str | None
    text: str
    severity: str | None = None

    def announce_body(self) -> dict[str, object]:
        """``assist_satellite.announce``'s data: the satellite, the message, the chime before an emergency."""
        return {"entity_id": self.satellite, "message": self.text, "preannounce": self.severity == "emergency"}

    def notification_body(self) -> dict[str, object]:
        """``persistent_notification.create``'s data; one notification for cues, one for alarms, each
        replaced by the next so they never pile up."""
        return {"title": NOTIFICATION_TITLE, "message": self.text,
                "notification_id": "voicecare_alarm" if self.severity else "voicecare"}


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
        self._known: dict[str, tuple[float, bool]] = {}
        self.sent = 0
        self.notified = 0
        self.failed = 0

    def __repr__(self) -> str:
        return f"HomeAssistantAnnouncer({self.url!r})"

    def __call__(self, satellite: str | None, text: str, severity: str | None = None) -> None:
        """Queue ``text`` for ``satellite`` (or the default one, else a notification); returns at once."""
        target = satellite or self.default_satellite
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
        """Announce one item now, or notify when there is no satellite or it is refused; True when Home
        Assistant accepted one of them."""
        if item.satellite is not None and not self._exists(item.satellite):
            log.debug("Home Assistant has no %s; sending a notification instead", item.satellite)
        elif item.satellite is not None:
            status = self._post(ANNOUNCE_PATH, item.announce_body(), item.satellite)
            if status == 200:
                log.debug("announced on %s: %s", item.satellite, item.text)
                return True
            if status not in (400, 404):
                return False
            log.warning("%s cannot announce; sending a notification instead", item.satellite)
        if self._post(NOTIFY_PATH, item.notification_body(), "notification") == 200:
            self.notified += 1
            log.debug("notified: %s", item.text)
            return True
        return False

    def _exists(self, entity: str) -> bool:
        """Whether Home Assistant has this satellite entity (it accepts an announcement to a missing one
        and says nothing); asked once a minute per entity, and taken as present when it cannot answer."""
        now = time.monotonic()
        known = self._known.get(entity)
        if known is not None and now - known[0] < KNOWN_SECONDS:
            return known[1]
        request = urllib.request.Request(self.url + STATES_PATH + urllib.parse.quote(entity), method="GET",
                                         headers={"Authorization": f"Bearer {self.__token}"})
        try:
            with self._opener.open(request, timeout=self.timeout_seconds) as response:
                response.read(64 * 1024)
                present = True
        except urllib.error.HTTPError as exc:
            present = exc.code != 404
        except (urllib.error.URLError, OSError, TimeoutError):
            present = True  # the announcement will say what is wrong
        if not present and (known is None or known[1]):
            log.warning("Home Assistant has no %s: what voicecare says on its own goes to a notification "
                        "(check [homeassistant] satellite)", entity)
        if len(self._known) >= 64:
            self._known.clear()
        self._known[entity] = (now, present)
        return present

    def _post(self, path: str, data: dict[str, object], what: str) -> int:
        """POST one service call; the HTTP status (0 when Home Assistant could not be reached)."""
        request = urllib.request.Request(self.url + path, data=json.dumps(data).encode("utf-8"), method="POST",
                                         headers={"Authorization": f"Bearer {self.__token}",
                                                  "Content-Type": "application/json"})
        try:
            with self._opener.open(request, timeout=self.timeout_seconds) as response:
                response.read(64 * 1024)
                return int(response.status)
        except urllib.error.HTTPError as exc:
            hint = (" (check the token)" if exc.code == 401 else
                    " (check the satellite's entity id)" if exc.code in (400, 404) else "")
            log.error("Home Assistant refused %s for %s: HTTP %d%s", ".".join(path.split("/")[-2:]), what,
                      exc.code, hint)
            return exc.code
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            reason = getattr(exc, "reason", exc)
            log.error("Home Assistant at %s unreachable for %s (%s)", self.url, what, reason)
            return 0

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
