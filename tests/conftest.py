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
    from voicecare.testing import voices as testvoices

    return testvoices


@pytest.fixture
def cache_dir(tmp_path_factory: pytest.TempPathFactory):
    """An empty directory for a test's caches."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="session")
def lived_weeks(tmp_path_factory: pytest.TempPathFactory):
    """(journal file, person): four weeks of use played through the real core on a virtual clock
    (``voicecare.report.simulate.four_weeks``), starting on the Monday five weeks ago."""
    from datetime import date, timedelta

    from voicecare.config import load_config
    from voicecare.journal import Journal
    from voicecare.report.simulate import Person, four_weeks
    from voicecare.runtime.build import build_brain

    today = date.today()
    path = tmp_path_factory.mktemp("journal") / "journal.sqlite3"
    journal = Journal.open(path)
    brain = build_brain(load_config(None), journal, wake_phrase="off")
    person = Person.build(brain, journal, today - timedelta(days=today.weekday()) - timedelta(weeks=5))
    person.live(four_weeks())
    journal.close()
    return path, person
