"""The on_emergency command: run once, in the background, bounded, its failure only logged."""

from __future__ import annotations

import logging
import sys
import time
from pathlib import Path

import pytest

from voicecare.runtime.hooks import EmergencyHook


def test_the_command_runs_in_the_background_with_the_flag(tmp_path: Path) -> None:
    marker = tmp_path / "called"
    script = f"import os, time; time.sleep(0.5); open({str(marker)!r}, 'w').write(os.environ['VOICECARE_FLAG'])"
    hook = EmergencyHook(f'{sys.executable} -c "{script}"', timeout_seconds=10)
    started = time.monotonic()
    thread = hook.fire("redflag.emergency")
    assert thread is not None
    assert time.monotonic() - started < 0.4, "fire() waited for the command"
    thread.join(10)
    assert marker.read_text() == "redflag.emergency"


def test_a_failing_command_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    hook = EmergencyHook(f'{sys.executable} -c "raise SystemExit(3)"')
    with caplog.at_level(logging.ERROR):
        hook.fire("redflag.emergency").join(10)
    assert "exit status 3" in caplog.text


def test_a_missing_program_is_logged_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    hook = EmergencyHook("/nonexistent/notify-carer --now")
    with caplog.at_level(logging.ERROR):
        hook.fire("redflag.emergency").join(10)
    assert "could not run" in caplog.text


def test_a_hanging_command_is_stopped_at_its_timeout(caplog: pytest.LogCaptureFixture) -> None:
    hook = EmergencyHook(f'{sys.executable} -c "import time; time.sleep(30)"', timeout_seconds=0.5)
    with caplog.at_level(logging.ERROR):
        thread = hook.fire("redflag.emergency")
        thread.join(10)
    assert not thread.is_alive()
    assert "timed out" in caplog.text


def test_no_command_configured_does_nothing() -> None:
    assert EmergencyHook("").fire("redflag.emergency") is None
