"""Writing a report file that only its owner can read: it holds health records."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterator

from voicecare.errors import BadInputError, VoicecareError

PRIVATE_MODE = 0o600
"""Read and write for the owner only; nobody else on the machine."""


def write_private(path: Path, write: Callable[[Path], object]) -> object:
    """Call ``write(temporary_path)``, then move the result to ``path`` with mode 0600; return what ``write`` gave.

    The file never exists with wider permissions, and a failed write leaves no partial file
    (an older report at ``path`` stays as it was).
    """
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise BadInputError(f"the folder {folder} for --out does not exist", "create it, or choose another --out")
    if path.is_dir():
        raise BadInputError(f"--out {path} is a folder", "give a file name, such as report.html")
    with _temporary(folder, path.name) as temporary:
        result = write(temporary)
        os.chmod(temporary, PRIVATE_MODE)
        try:
            os.replace(temporary, path)
        except OSError as exc:
            raise VoicecareError(f"the report cannot be written to {path} ({exc.strerror})",
                                 "check that the folder is writable") from None
    return result


@contextlib.contextmanager
def _temporary(folder: Path, name: str) -> Iterator[Path]:
    try:
        handle, temporary = tempfile.mkstemp(prefix=f".{name}.", suffix=".part", dir=folder)  # created 0600
    except OSError as exc:
        raise VoicecareError(f"the report cannot be written in {folder} ({exc.strerror})",
                             "check that the folder is writable") from None
    os.close(handle)
    try:
        yield Path(temporary)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
