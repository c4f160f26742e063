"""The doctor's checks of what the assistant reads and writes: the configuration, the content,
the journal and the free disk space."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

from voicecare.config import Config, ConfigErrors, load_config
from voicecare.doctor.results import CheckResult, _Content, _fail, _from_error, _ok, _warn
from voicecare.errors import ConfigError, VoicecareError

DISK_WARN_BYTES = 100 * 1024 * 1024
DISK_FAIL_BYTES = 5 * 1024 * 1024
_NOWHERE = Path("/nonexistent/voicecare/config.toml")


# --- configuration and content -----------------------------------------------------------


def check_config(explicit: Path | None) -> tuple[list[CheckResult], Config]:
    """Load the layered configuration; on mistakes, report each and go on with the built-in defaults."""
    try:
        config = load_config(explicit)
    except ConfigErrors as errors:
        results = [_from_error("config", problem) for problem in errors.problems]
    except ConfigError as exc:
        results = [_from_error("config", exc)]
    else:
        files = sorted({source for source in config.sources.values() if not source.startswith("default")})
        detail = f"loaded from {', '.join(files)}" if files else "built-in defaults (no config file found)"
        return [_ok("config", detail, files=files)], config
    return results, load_config(None, system=_NOWHERE, user=_NOWHERE)


def check_content(config: Config, loaded: _Content) -> CheckResult:
    """Every content file loads and validates (texts, exercises, intents, reminders, lexicon)."""
    from voicecare.content.exercises import load_exercises
    from voicecare.content.intents import load_intents
    from voicecare.content.reminder_texts import load_reminder_texts
    from voicecare.content.texts import load_texts
    from voicecare.nlu import Understander

    folder = Path(config.paths.content_dir)
    try:
        texts = load_texts(folder)
        programme = load_exercises(folder)
        examples = load_intents(folder)
        load_reminder_texts(folder)
        understander = Understander.load(folder, threshold=config.speech.nlu_threshold)
    except VoicecareError as exc:
        return _from_error("content", exc)
    loaded.understander = understander
    return _ok("content", f"{folder}: {len(examples)} intents, {len(programme.exercises)} exercises, "
                          f"{len(programme.routines)} routines, {len(texts.answers)} answers",
               intents=len(examples), exercises=len(programme.exercises), routines=len(programme.routines))


# --- storage -------------------------------------------------------------------------------


def check_journal(config: Config) -> CheckResult:
    """The journal opens and can be written; a damaged one that was moved aside is only a warning."""
    from voicecare.journal import Journal
    from voicecare.runtime.build import journal_path

    path = journal_path(config)
    journal = Journal.open(path)
    try:
        problem = journal.health()
    finally:
        journal.close()
    if problem is None:
        return _ok("journal", f"{path} is healthy", path=str(path))
    what, _, fix = problem.partition(" — ")
    # The journal says "nothing to do" when it already recovered by itself.
    if fix.startswith("nothing to do"):
        return _warn("journal", what, fix, path=str(path))
    return _fail("journal", what, fix or "see the log for details", path=str(path))


def _existing(path: Path) -> Path:
    """The nearest folder that exists: the data folder may not have been created yet."""
    path = path.expanduser().absolute()
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def check_disk(config: Config, usage: Callable[[Path], Any] = shutil.disk_usage) -> CheckResult:
    """Free space where the journal lives (warn under 100 MB, fail under 5 MB)."""
    folder = Path(config.paths.data_dir)
    try:
        free = int(usage(_existing(folder)).free)
    except OSError as exc:
        return _fail("disk", f"cannot read the free space of {folder} ({exc.strerror})",
                     "check that the data folder's disk is mounted")
    text = f"{free / 1024 / 1024:.0f} MB free for {folder}"
    fix = "delete old files or move [paths] data_dir to a bigger disk"
    if free < DISK_FAIL_BYTES:
        return _fail("disk", f"only {text}", fix, free_bytes=free)
    if free < DISK_WARN_BYTES:
        return _warn("disk", f"only {text}", fix, free_bytes=free)
    return _ok("disk", text, free_bytes=free)
