"""The optional ``on_emergency`` command (e.g. notify a carer): once, in the background."""

from __future__ import annotations

import logging
import os
import shlex
import subprocess
import threading

log = logging.getLogger(__name__)


class EmergencyHook:
    """Runs a configured command on an emergency without ever delaying the spoken escalation."""

    def __init__(self, command: str, timeout_seconds: float = 30.0) -> None:
        self.command = command
        self.timeout_seconds = timeout_seconds
        self.threads: list[threading.Thread] = []

    def fire(self, flag: str) -> threading.Thread | None:
        """Start the command in a background thread; its outcome is only logged."""
        if not self.command.strip():
            return None
        thread = threading.Thread(target=self._run, args=(flag,), name="on-emergency", daemon=True)
        thread.start()
        self.threads.append(thread)
        return thread

    def _run(self, flag: str) -> None:
        env = {**os.environ, "VOICECARE_FLAG": flag}
        try:
            result = subprocess.run(shlex.split(self.command), env=env, timeout=self.timeout_seconds,
                                    stdin=subprocess.DEVNULL, capture_output=True, check=False)
        except subprocess.TimeoutExpired:
            log.error("on_emergency command timed out after %.0f s: %s", self.timeout_seconds, self.command)
            return
        except (OSError, ValueError) as exc:
            log.error("on_emergency command could not run (%s): %s", exc, self.command)
            return
        if result.returncode != 0:
            log.error("on_emergency command failed with exit status %d: %s", result.returncode, self.command)
        else:
            log.info("on_emergency command ran")
