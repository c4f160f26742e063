"""Errors a user can act on: what is wrong, and how to fix it."""

from __future__ import annotations

EXIT_OK = 0
EXIT_RUNTIME = 1
EXIT_USAGE = 2


class VoicecareError(Exception):
    """A failure with a one-line explanation and a fix.

    ``exit_code`` is 2 for usage errors and bad input, 1 for runtime failures
    (CONTRACT.md).
    """

    exit_code = EXIT_RUNTIME

    def __init__(self, what: str, fix: str = "") -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix

    def line(self) -> str:
        """The single line printed on stderr: ``Error: <what> — <how to fix>``."""
        return f"Error: {self.what} — {self.fix}" if self.fix else f"Error: {self.what}"

    def __str__(self) -> str:
        return self.line()


class BadInputError(VoicecareError):
    """Bad input from the user: a file, an argument, content or config (exit 2)."""

    exit_code = EXIT_USAGE


class ContentError(BadInputError):
    """A content file is wrong; the message names file, entry and fix."""


class ConfigError(BadInputError):
    """The configuration is wrong; the message names the key and the fix."""


class AudioError(VoicecareError):
    """An audio device or audio file problem."""


class ModelError(VoicecareError):
    """A speech model is missing or unusable."""
