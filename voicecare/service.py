"""Talking to systemd (sd_notify): ready, watchdog pings, stopping, status.

A few lines over ``$NOTIFY_SOCKET`` with the standard library, so the service needs no
extra dependency; outside systemd every call is a no-op.
"""

from __future__ import annotations

import logging
import os
import socket
from typing import Mapping

log = logging.getLogger(__name__)


class Notifier:
    """Sends sd_notify messages to systemd; does nothing when ``NOTIFY_SOCKET`` is unset."""

    def __init__(self, env: Mapping[str, str] | None = None) -> None:
        env = os.environ if env is None else env
        self.address = _address(env.get("NOTIFY_SOCKET", ""))
        self._socket: socket.socket | None = None

    @property
    def enabled(self) -> bool:
        return self.address is not None

    def ready(self, status: str = "") -> bool:
        """Start-up is complete: models loaded, devices open."""
        return self.send("READY=1", f"STATUS={status}" if status else "")

    def watchdog(self) -> bool:
        """Still alive: call at least every ``watchdog_interval()`` seconds."""
        return self.send("WATCHDOG=1")

    def stopping(self) -> bool:
        """Shutting down on purpose, so a slow exit is not mistaken for a hang."""
        return self.send("STOPPING=1")

    def status(self, text: str) -> bool:
        """A one-line status shown by ``systemctl status voicecare``."""
        return self.send(f"STATUS={text}")

    def send(self, *lines: str) -> bool:
        """Send one notification; True if it was delivered, False if off or it failed."""
        if self.address is None:
            return False
        message = "\n".join(line.replace("\n", " ") for line in lines if line).encode()
        try:
            if self._socket is None:
                self._socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC)
            self._socket.sendto(message, self.address)
        except OSError as exc:
            log.warning("could not notify systemd at %s: %s", self.address, exc)
            return False
        return True

    def close(self) -> None:
        if self._socket is not None:
            self._socket.close()
            self._socket = None

    def __enter__(self) -> "Notifier":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def watchdog_interval(env: Mapping[str, str] | None = None) -> float | None:
    """Seconds between watchdog pings (half of ``WATCHDOG_USEC``), or None if no watchdog."""
    env = os.environ if env is None else env
    pid = env.get("WATCHDOG_PID", "")
    if pid and pid != str(os.getpid()):
        return None  # the watchdog belongs to another process (we were started by it)
    try:
        usec = int(env.get("WATCHDOG_USEC", ""))
    except ValueError:
        return None
    return usec / 2 / 1_000_000 if usec > 0 else None


def _address(value: str) -> str | bytes | None:
    """The socket address: a path, or an abstract-namespace name when it starts with '@'."""
    if not value:
        return None
    if value.startswith("@"):
        return b"\0" + value[1:].encode()
    if value.startswith("/"):
        return value
    log.warning("ignoring NOTIFY_SOCKET=%r: not a socket path", value)
    return None
