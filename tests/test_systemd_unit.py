"""The systemd unit: the directives the Pi relies on, and ``systemd-analyze verify`` when present."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

UNIT = Path(__file__).resolve().parents[1] / "systemd" / "voicecare.service"
EXEC = "/opt/voicecare/.venv/bin/voicecare"


class _MultiDict(dict):
    """Keeps repeated keys (Environment=, DeviceAllow=): their lines end up joined by newlines."""

    def __setitem__(self, key, value):
        if key in self and isinstance(value, list) and isinstance(self[key], list):
            self[key].extend(value)
        else:
            super().__setitem__(key, value)


@pytest.fixture(scope="module")
def unit() -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, dict_type=_MultiDict, empty_lines_in_values=False,
                                          interpolation=None)
    parser.optionxform = str  # directive names are case-sensitive
    parser.read(UNIT)
    return parser


def values(unit: configparser.RawConfigParser, section: str, key: str) -> list[str]:
    raw = unit._sections[section].get(key)  # type: ignore[attr-defined]
    assert raw is not None, f"[{section}] {key}= is missing"
    return [line.strip() for line in str(raw).splitlines() if line.strip()]


@pytest.mark.parametrize(("section", "key", "expected"), [
    ("Unit", "After", "sound.target"),
    ("Service", "Type", "notify"),
    ("Service", "NotifyAccess", "main"),
    ("Service", "WatchdogSec", "30"),
    ("Service", "Restart", "on-failure"),
    ("Service", "RestartSec", "5"),
    ("Service", "RestartPreventExitStatus", "2"),
    ("Service", "ExecStart", f"{EXEC} run"),
    ("Service", "User", "voicecare"),
    ("Service", "Group", "voicecare"),
    ("Service", "SupplementaryGroups", "audio"),
    ("Service", "StateDirectory", "voicecare"),
    ("Service", "Environment", "PYTHONUNBUFFERED=1"),
    ("Service", "Environment", "XDG_DATA_HOME=/var/lib"),
    ("Service", "NoNewPrivileges", "yes"),
    ("Service", "ProtectSystem", "strict"),
    ("Service", "ProtectHome", "yes"),
    ("Service", "PrivateTmp", "yes"),
    ("Service", "ReadWritePaths", "/var/lib/voicecare"),
    ("Service", "PrivateNetwork", "yes"),
    ("Service", "RestrictAddressFamilies", "AF_UNIX"),
    ("Service", "DeviceAllow", "char-alsa rw"),
    ("Service", "ProtectKernelTunables", "yes"),
    ("Service", "ProtectKernelModules", "yes"),
    ("Service", "LockPersonality", "yes"),
    ("Install", "WantedBy", "multi-user.target"),
])
def test_required_directive(unit, section, key, expected):
    assert expected in values(unit, section, key)


def test_memory_is_capped_but_generous(unit):
    limit = values(unit, "Service", "MemoryMax")[-1]
    assert limit.endswith(("M", "G"))
    megabytes = float(limit[:-1]) * (1024 if limit.endswith("G") else 1)
    assert 512 <= megabytes <= 4096


def test_no_private_devices_that_would_hide_the_sound_card(unit):
    assert "yes" not in str(unit._sections["Service"].get("PrivateDevices", ""))  # type: ignore[attr-defined]


def test_the_watchdog_has_time_for_two_pings(unit):
    watchdog = float(values(unit, "Service", "WatchdogSec")[-1])
    restart = float(values(unit, "Service", "RestartSec")[-1])
    assert watchdog >= 10 and restart < watchdog


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed (apt-get install systemd)")
def test_systemd_analyze_verify_passes(tmp_path):
    # verify checks that ExecStart exists: point it at this checkout's console script instead.
    here = Path(sys.executable).parent / "voicecare"
    executable = here if here.exists() else Path(sys.executable)
    text = UNIT.read_text()
    assert EXEC in text
    copy = tmp_path / "voicecare.service"
    copy.write_text(text.replace(EXEC, str(executable)))
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "voicecare.service" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr
