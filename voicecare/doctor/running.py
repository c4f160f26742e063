"""``voicecare doctor``: check every part the assistant needs, and say how to fix what is broken.

Each check returns a frozen ``CheckResult``. A ``FAIL`` means the assistant cannot work as it
should (the command exits 1); a ``WARN`` is worth fixing but does not stop it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from voicecare.config import Config
from voicecare.doctor.data import check_config, check_content, check_disk, check_journal
from voicecare.doctor.extras import check_extras
from voicecare.doctor.results import CheckResult, Status, _Content, _fail, _from_error
from voicecare.doctor.sound import check_microphone, check_recognizer, check_speaker, check_tts
from voicecare.errors import VoicecareError

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DoctorOptions:
    """What the checks may do beyond looking."""

    play: bool = False
    """Play a short, quiet chime on the speaker."""
    record_seconds: float = 1.0
    """How long to listen to the microphone."""


# --- all together --------------------------------------------------------------------------

CHECKS: tuple[str, ...] = ("config", "content", "journal", "disk", "tts", "recognizer", "microphone", "speaker",
                           "remote", "extras")


def run_checks(explicit_config: Path | None = None, options: DoctorOptions = DoctorOptions(),
               only: Iterable[str] | None = None) -> list[CheckResult]:
    """Run the checks in order (config always, to know what to check); one result per check."""
    wanted = set(CHECKS if only is None else only)
    unknown = wanted - set(CHECKS)
    if unknown:
        raise ValueError(f"unknown checks: {', '.join(sorted(unknown))}")
    results, config = check_config(explicit_config)
    loaded = _Content()
    steps: list[tuple[str, Callable[[], CheckResult]]] = [
        ("content", lambda: check_content(config, loaded)),
        ("journal", lambda: check_journal(config)),
        ("disk", lambda: check_disk(config)),
        ("tts", lambda: check_tts(config)),
        ("recognizer", lambda: check_recognizer(config, loaded)),
        ("microphone", lambda: check_microphone(config, options.record_seconds)),
        ("speaker", lambda: check_speaker(config, options.play)),
        ("remote", lambda: _check_remote(config)),
        ("extras", check_extras),
    ]
    if "recognizer" in wanted and "content" not in wanted:
        check_content(config, loaded)  # the recognizer's grammar comes from the content
    for name, step in steps:
        if name in wanted:
            results.append(_guarded(name, step))
    return results


def _check_remote(config: Config) -> CheckResult:
    """Every service outside this device that audio or words go to (voicecare.remote.health)."""
    from voicecare.remote.health import check_remote

    health = check_remote(config)
    return CheckResult(health.name, Status(health.status), health.detail, health.fix, health.values)


def _guarded(name: str, step: Callable[[], CheckResult]) -> CheckResult:
    """A check that crashes is itself a failure to report, not a reason to stop checking."""
    try:
        return step()
    except VoicecareError as exc:
        return _from_error(name, exc)
    except Exception as exc:  # noqa: BLE001 - any library failure becomes one report line
        log.debug("check %s crashed", name, exc_info=True)
        return _fail(name, f"the check crashed ({type(exc).__name__}: {exc})", "run with --debug and report the log")


def all_ok(results: Iterable[CheckResult]) -> bool:
    """True when nothing the assistant needs is broken."""
    return all(result.ok for result in results)
