"""What a doctor check reports: how it went, one line saying what was found, and how to fix it;
and what one check hands on to the next (the content the recognizer check listens with)."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Mapping

from voicecare.errors import VoicecareError


class Status(str, Enum):
    """How a check went; only FAIL makes ``voicecare doctor`` exit non-zero."""

    OK = "ok"
    WARN = "warn"
    FAIL = "fail"


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One line of the report: what was checked, how it went, and how to fix it."""

    name: str
    status: Status
    detail: str
    fix: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    """Measured figures (levels, seconds, bytes) for ``--json``."""

    @property
    def ok(self) -> bool:
        return self.status is not Status.FAIL

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "status": self.status.value, "detail": self.detail, "fix": self.fix,
                "values": dict(self.values)}


def _ok(name: str, detail: str, **values: Any) -> CheckResult:
    return CheckResult(name, Status.OK, detail, "", values)


def _warn(name: str, detail: str, fix: str, **values: Any) -> CheckResult:
    return CheckResult(name, Status.WARN, detail, fix, values)


def _fail(name: str, detail: str, fix: str, **values: Any) -> CheckResult:
    return CheckResult(name, Status.FAIL, detail, fix, values)


def _from_error(name: str, exc: VoicecareError, **values: Any) -> CheckResult:
    return _fail(name, exc.what, exc.fix, **values)


@dataclass(slots=True)
class _Content:
    """What the content check loaded, reused by the recognizer check."""

    understander: Any = None
