"""The Wyoming service's unit: the hardening of voicecare.service, with only the home network let in."""

from __future__ import annotations

import configparser
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_systemd_unit import _MultiDict, values

ROOT = Path(__file__).resolve().parents[1]
UNIT = ROOT / "systemd" / "voicecare-wyoming.service"
MAIN = ROOT / "systemd" / "voicecare.service"
EXEC = "/opt/voicecare/.venv/bin/voicecare"
NETWORK = {"PrivateNetwork", "IPAddressDeny", "IPAddressAllow", "RestrictAddressFamilies", "DeviceAllow",
           "DevicePolicy", "SupplementaryGroups", "ExecStart", "Description", "Documentation", "Wants", "After",
           "RestrictRealtime", "PrivateDevices", "LoadCredential"}
"""Directives that differ on purpose: the network, and no sound devices."""


def _parse(path: Path) -> configparser.RawConfigParser:
    parser = configparser.RawConfigParser(strict=False, dict_type=_MultiDict, empty_lines_in_values=False,
                                          interpolation=None)
    parser.optionxform = str
    parser.read(path)
    return parser


@pytest.fixture(scope="module")
def unit() -> configparser.RawConfigParser:
    return _parse(UNIT)


def test_every_hardening_directive_of_the_main_unit_is_kept(unit):
    main = _parse(MAIN)
    for section in ("Unit", "Service", "Install"):
        for key in main._sections[section]:  # type: ignore[attr-defined]
            if key in NETWORK:
                continue
            assert values(unit, section, key) == values(main, section, key), f"[{section}] {key}"


def test_it_serves_wyoming_and_reaches_only_the_home_network(unit):
    assert values(unit, "Service", "ExecStart") == [f"{EXEC} wyoming --uri tcp://0.0.0.0:10600"]
    assert values(unit, "Service", "IPAddressDeny") == ["any"]
    allowed = values(unit, "Service", "IPAddressAllow")[0].split()
    assert "localhost" in allowed and "192.168.0.0/16" in allowed and "any" not in allowed
    assert "0.0.0.0/0" not in allowed
    families = values(unit, "Service", "RestrictAddressFamilies")[0].split()
    assert set(families) <= {"AF_UNIX", "AF_INET", "AF_INET6", "AF_NETLINK"}
    assert values(unit, "Service", "PrivateDevices") == ["yes"]  # no sound card needed here
    assert "homeassistant-token:" in values(unit, "Service", "LoadCredential")[0]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not installed (apt-get install systemd)")
def test_systemd_analyze_verify_passes(tmp_path):
    here = Path(sys.executable).parent / "voicecare"
    executable = here if here.exists() else Path(sys.executable)
    copy = tmp_path / "voicecare-wyoming.service"
    copy.write_text(UNIT.read_text().replace(EXEC, str(executable)))
    result = subprocess.run(["systemd-analyze", "verify", str(copy)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (result.stdout + result.stderr).splitlines() if "voicecare-wyoming.service" in line]
    assert result.returncode == 0 and not problems, result.stdout + result.stderr
