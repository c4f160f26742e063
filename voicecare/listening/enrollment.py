"""The enrollment store: each enrolled person's wake-phrase templates and voice print, in the data directory.

Only embeddings are kept (numbers that describe the sounds and the voice), never audio. One file,
``enrollment.npz``: a JSON header (format name, version, who is enrolled and for which wake phrase) and one
array per template and voice print, read with pickling off. It is written whole to a temporary file and
renamed, so a power cut leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import json
import logging
import os
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from voicecare.errors import VoicecareError

log = logging.getLogger(__name__)

FILE_NAME = "enrollment.npz"
FORMAT = "voicecare-enrollment"
VERSION = 1
HEADER = "header"
DEFAULT_PERSON = "person"


class EnrollmentError(VoicecareError):
    """The enrollment file cannot be read or written."""


@dataclass(frozen=True, slots=True)
class Enrolled:
    """One person: their wake phrase's templates ((n, 96) speech embeddings each) and their voice print."""

    name: str
    phrase: str
    templates: tuple[np.ndarray, ...] = ()
    voice: np.ndarray | None = None
    """Their voice print: (k, 256) speaker embeddings, the first ``voice_enrolled`` from set-up, the rest
    from utterances they surely made since; None when only the wake phrase is enrolled."""
    voice_enrolled: int = 0
    runon: int = 0
    """How many of the last templates were cut from the enrollment sentence (the phrase run on into words)."""

    def describe(self) -> str:
        """What is kept about them, in one sentence."""
        voice = (f", and a voice print of {len(self.voice)} speaker embeddings" if self.voice is not None else "")
        runon = f" ({self.runon} of them run on into the sentence)" if self.runon else ""
        return f"{self.name}: {len(self.templates)} templates of '{self.phrase}'{runon}{voice}"


@dataclass(frozen=True, slots=True)
class Enrollment:
    """Everyone enrolled, by name, in the order they enrolled."""

    people: tuple[Enrolled, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.people)

    def names(self) -> list[str]:
        return [p.name for p in self.people]

    def get(self, name: str) -> Enrolled | None:
        return next((p for p in self.people if p.name == name), None)

    def with_person(self, person: Enrolled) -> "Enrollment":
        """This enrollment with ``person`` added, or replacing whoever had their name."""
        if self.get(person.name) is None:
            return Enrollment((*self.people, person))
        return Enrollment(tuple(person if p.name == person.name else p for p in self.people))

    def without(self, name: str | None) -> "Enrollment":
        """Everyone but ``name`` (None: nobody left)."""
        if name is None:
            return Enrollment()
        return Enrollment(tuple(p for p in self.people if p.name != name))

    def for_phrase(self, phrase: str) -> tuple["Enrollment", list[str]]:
        """Those enrolled for this wake phrase, and the names of those enrolled for another one."""
        wanted = _norm(phrase)
        same = tuple(p for p in self.people if _norm(p.phrase) == wanted)
        return Enrollment(same), [p.name for p in self.people if _norm(p.phrase) != wanted]


def _norm(phrase: str) -> str:
    return " ".join(phrase.lower().split())


@dataclass(slots=True)
class EnrollmentStore:
    """Reads and writes ``enrollment.npz`` in the data directory."""

    path: Path
    _cache: Enrollment | None = field(default=None, repr=False)

    @classmethod
    def in_data_dir(cls, data_dir: Path | str) -> "EnrollmentStore":
        return cls(Path(data_dir) / FILE_NAME)

    def exists(self) -> bool:
        return self.path.exists()

    def load(self) -> Enrollment:
        """Everyone enrolled (empty when the file is absent); a damaged file raises one clear line."""
        if not self.path.exists():
            return Enrollment()
        try:
            with np.load(self.path, allow_pickle=False) as data:
                header = json.loads(str(data[HEADER][()]))
                return _from_header(header, {name: data[name] for name in data.files if name != HEADER})
        except (OSError, ValueError, KeyError, TypeError, zipfile.BadZipFile, json.JSONDecodeError) as exc:
            raise EnrollmentError(f"the enrollment file {self.path} cannot be read ({_reason(exc)})",
                                  "run `voicecare enroll --clear`, then `voicecare enroll` again") from None

    def load_or_empty(self) -> Enrollment:
        """For the running assistant: a damaged file is logged once and it listens as if nobody were enrolled."""
        try:
            return self.load()
        except EnrollmentError as exc:
            log.error("%s; listening as if nobody were enrolled", exc.line())
            return Enrollment()

    def save(self, enrollment: Enrollment) -> None:
        """Write the whole enrollment (an empty one removes the file)."""
        if not enrollment:
            self.clear()
            return
        arrays: dict[str, np.ndarray] = {}
        people = []
        for n, person in enumerate(enrollment.people):
            for i, frames in enumerate(person.templates):
                arrays[f"t{n}_{i}"] = np.asarray(frames, dtype=np.float32)
            if person.voice is not None:
                arrays[f"v{n}"] = np.asarray(person.voice, dtype=np.float32).reshape(-1, np.shape(person.voice)[-1])
            people.append({"name": person.name, "phrase": person.phrase, "templates": len(person.templates),
                           "voice": person.voice is not None, "voice_enrolled": person.voice_enrolled,
                           "runon": person.runon})
        header = {"format": FORMAT, "version": VERSION, "people": people,
                  "kept": "speech embeddings and voice prints only; no audio"}
        arrays[HEADER] = np.array(json.dumps(header))
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary = self.path.with_suffix(".tmp.npz")
            with open(temporary, "wb") as handle:
                np.savez(handle, **arrays)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self.path)
        except OSError as exc:
            raise EnrollmentError(f"cannot write the enrollment file {self.path} ({exc.strerror})",
                                  "check that the data directory is writable") from None

    def clear(self) -> bool:
        """Remove the file; True when there was one."""
        try:
            self.path.unlink()
        except FileNotFoundError:
            return False
        except OSError as exc:
            raise EnrollmentError(f"cannot remove the enrollment file {self.path} ({exc.strerror})",
                                  "check the data directory's permissions") from None
        return True

    def update_voices(self, voices: dict[str, tuple[np.ndarray, int]]) -> None:
        """Save adapted voice prints (name → (embeddings, rows from set-up)); the departed are skipped."""
        enrollment = self.load_or_empty()
        for name, (rows, enrolled) in voices.items():
            person = enrollment.get(name)
            if person is not None:
                enrollment = enrollment.with_person(
                    replace(person, voice=np.asarray(rows, np.float32), voice_enrolled=int(enrolled)))
        self.save(enrollment)


def _from_header(header: Any, arrays: dict[str, np.ndarray]) -> Enrollment:
    if not isinstance(header, dict) or header.get("format") != FORMAT:
        raise ValueError("not a voicecare enrollment file")
    version = header.get("version")
    if version != VERSION:
        raise ValueError(f"format version {version!r}; this voicecare reads version {VERSION}")
    people = []
    for n, entry in enumerate(header["people"]):
        templates = tuple(_matrix(arrays[f"t{n}_{i}"]) for i in range(int(entry["templates"])))
        voice = _matrix(arrays[f"v{n}"]) if entry.get("voice") else None
        people.append(Enrolled(str(entry["name"]), str(entry["phrase"]), templates, voice,
                               int(entry.get("voice_enrolled", 0)), int(entry.get("runon", 0))))
    return Enrollment(tuple(people))


def _matrix(array: np.ndarray) -> np.ndarray:
    if array.ndim != 2 or not np.all(np.isfinite(array)):
        raise ValueError("an embedding is not a finite matrix")
    return array.astype(np.float32)


def _reason(exc: Exception) -> str:
    if isinstance(exc, KeyError):
        return f"{exc.args[0]} is missing"
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
