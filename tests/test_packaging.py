"""The package metadata in its current form: installing prints no deprecation warning."""

from __future__ import annotations

import importlib.metadata
import re
import tomllib
from pathlib import Path

PYPROJECT = Path(__file__).resolve().parents[1] / "pyproject.toml"


def test_license_is_an_spdx_expression_that_the_build_backend_accepts():
    project = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"  # a string, not the deprecated { text = ... } table
    requirement = next(r for r in project["build-system"]["requires"] if r.startswith("setuptools"))
    minimum = re.fullmatch(r"setuptools>=(\d+)(?:\.\d+)*", requirement)
    assert minimum and int(minimum[1]) >= 77  # the first setuptools that reads SPDX license strings


def test_the_installed_metadata_carries_the_license_expression():
    metadata = importlib.metadata.metadata("voicecare")
    assert metadata["License-Expression"] == "MIT"
    assert not any(c.startswith("License ::") for c in metadata.get_all("Classifier") or [])
