"""Shared fixtures: real synthetic speech for tests, and a scratch cache directory."""

from __future__ import annotations

import shutil
from types import ModuleType

import pytest


@pytest.fixture(scope="session")
def voices() -> ModuleType:
    """The test-speaker module (speak, mix, noise, babble, conversation, VOICES)."""
    missing = [exe for exe in ("flite", "espeak-ng") if shutil.which(exe) is None]
    if missing:
        pytest.skip(f"speech synthesis needs {', '.join(missing)} (apt-get install flite espeak-ng)")
    from voicecare import testvoices

    return testvoices


@pytest.fixture
def cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """An empty directory for a test's caches."""
    return tmp_path_factory.mktemp("cache")
