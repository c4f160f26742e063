"""Installing Vosk models: download from the official site, verify, unpack atomically, resume."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import socket
import tempfile
import urllib.error
import urllib.parse
import urllib.request
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping

from voicecare.asr.vosk_engine import model_is_complete
from voicecare.errors import BadInputError, ModelError

log = logging.getLogger(__name__)

DEFAULT_MODEL = "vosk-model-small-en-us-0.15"
BASE_URL = "https://alphacephei.com/vosk/models/"
BASE_URL_ENV = "VOICECARE_MODEL_BASE_URL"
MODELS_DIR_ENV = "VOICECARE_MODELS_DIR"
CHECKSUM_FILE = "archive.sha256"
_BLOCK = 1 << 16
_TIMEOUT_SECONDS = 30.0

KNOWN_SHA256: Mapping[str, str] = {}
"""Pinned archive digests, where known; the Vosk site publishes none, so by default the archive is
checked against the server's announced size and every member's CRC, and its digest is recorded."""


@dataclass(frozen=True, slots=True)
class InstalledModel:
    """A model folder under the models directory."""

    name: str
    path: Path
    complete: bool
    sha256: str | None


def default_models_dir() -> Path:
    """``models/`` in the working directory, unless ``VOICECARE_MODELS_DIR`` says otherwise."""
    return Path(os.environ.get(MODELS_DIR_ENV, "models"))


def installed_models(models_dir: Path) -> list[InstalledModel]:
    """Every model folder, complete or not, sorted by name."""
    if not models_dir.is_dir():
        return []
    found = []
    for path in sorted(p for p in models_dir.iterdir() if p.is_dir() and not p.name.startswith(".")):
        digest_file = path / CHECKSUM_FILE
        digest = digest_file.read_text(encoding="utf-8").strip() if digest_file.is_file() else None
        found.append(InstalledModel(path.name, path, model_is_complete(path), digest))
    return found


def find_model(models_dir: Path) -> Path | None:
    """The model ``auto`` should use: the default one if installed, else any complete one."""
    preferred = models_dir / DEFAULT_MODEL
    if model_is_complete(preferred):
        return preferred
    for model in installed_models(models_dir):
        if model.complete:
            return model.path
    return None


def _check_name(name: str) -> None:
    """Model names go into a URL and a folder name: no paths, no surprises."""
    if not name or "/" in name or "\\" in name or name.startswith(".") or name.endswith(".zip"):
        raise BadInputError(f"bad model name {name!r}",
                            f"give a name from the Vosk model list without .zip, e.g. {DEFAULT_MODEL}")


def install_model(name: str = DEFAULT_MODEL, models_dir: Path | None = None, base_url: str | None = None,
                  sha256: str | None = None, progress: Callable[[int, int | None], None] | None = None) -> Path:
    """Download ``<name>.zip`` and unpack it as ``models_dir/<name>``; returns the model folder.

    An interrupted download is resumed next time (HTTP Range); a download that fails
    verification is deleted; the model folder only appears once it is complete.
    """
    _check_name(name)
    models_dir = models_dir or default_models_dir()
    target = models_dir / name
    if model_is_complete(target):
        log.info("model %s is already installed in %s", name, target)
        return target
    models_dir.mkdir(parents=True, exist_ok=True)
    url = (base_url or os.environ.get(BASE_URL_ENV) or BASE_URL).rstrip("/") + f"/{name}.zip"
    part = models_dir / f".{name}.zip.part"
    _download(url, part, name, progress)
    try:
        digest = _verify(part, name, sha256 or KNOWN_SHA256.get(name))
        _unpack(part, name, target, digest)
    except ModelError:
        part.unlink(missing_ok=True)
        raise
    part.unlink(missing_ok=True)
    log.info("installed %s in %s", name, target)
    return target


def _download(url: str, part: Path, name: str, progress: Callable[[int, int | None], None] | None) -> None:
    """Fetch into ``part``, resuming from its current size when the server allows it."""
    have = part.stat().st_size if part.exists() else 0
    request = urllib.request.Request(url, headers={"User-Agent": "voicecare-model-install"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            log.info("partial download %s is already complete", part)
            return
        if exc.code == 404:
            part.unlink(missing_ok=True)
            raise BadInputError(f"no model named {name!r} at {url}",
                                "check the name against https://alphacephei.com/vosk/models") from exc
        raise ModelError(f"the model server answered {exc.code} {exc.reason} for {url}",
                         "try `voicecare model install` again later") from exc
    except (urllib.error.URLError, socket.timeout, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"cannot reach {urllib.parse.urlsplit(url).netloc} ({reason}); this device seems to be offline",
                         "connect to the internet and run `voicecare model install` again, "
                         "or copy an unpacked model folder into models/") from exc
    with response:
        resumed = response.status == 206
        if have and not resumed:
            log.info("server does not resume; starting %s again", part.name)
            have = 0
        length = response.headers.get("Content-Length")
        total = have + int(length) if length is not None else None
        got = have
        try:
            with open(part, "ab" if resumed else "wb") as out:
                while block := response.read(_BLOCK):
                    out.write(block)
                    got += len(block)
                    if progress:
                        progress(got, total)
        except (OSError, socket.timeout, ConnectionError) as exc:
            raise ModelError(f"the download of {url} broke off after {got} bytes ({exc})",
                             "run `voicecare model install` again to resume it") from exc
    if total is not None and got != total:
        raise ModelError(f"the download of {url} stopped at {got} of {total} bytes",
                         "run `voicecare model install` again to resume it")


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            digest.update(block)
    return digest.hexdigest()


def _verify(archive: Path, name: str, expected_sha256: str | None) -> str:
    """Checksum (when pinned), zip integrity (every member's CRC) and a safe, single-folder layout."""
    digest = _sha256(archive)
    if expected_sha256 and digest != expected_sha256.lower():
        raise ModelError(f"the downloaded {name}.zip has checksum {digest[:12]}…, expected {expected_sha256[:12]}…",
                         "run `voicecare model install` again; the damaged file was deleted")
    try:
        with zipfile.ZipFile(archive) as zf:
            bad = zf.testzip()
            members = zf.namelist()
    except (zipfile.BadZipFile, OSError) as exc:
        raise ModelError(f"the downloaded {name}.zip is not a valid zip archive ({exc})",
                         "run `voicecare model install` again; the damaged file was deleted") from exc
    if bad is not None:
        raise ModelError(f"the downloaded {name}.zip is damaged (bad CRC in {bad})",
                         "run `voicecare model install` again; the damaged file was deleted")
    for member in members:
        parts = Path(member).parts
        if not parts or parts[0] != name or ".." in parts or Path(member).is_absolute():
            raise ModelError(f"{name}.zip holds an unexpected path {member!r}",
                             "check the model name; only official Vosk model archives are supported")
    return digest


def _unpack(archive: Path, name: str, target: Path, digest: str) -> None:
    """Extract beside the target, check the model, then rename into place in one step."""
    staging = Path(tempfile.mkdtemp(prefix=f".{name}.", dir=target.parent))
    try:
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(staging)
        unpacked = staging / name
        if not model_is_complete(unpacked):
            raise ModelError(f"{name}.zip does not contain a Vosk model (no am/final.mdl or conf/)",
                             "check the model name against https://alphacephei.com/vosk/models")
        (unpacked / CHECKSUM_FILE).write_text(digest + "\n", encoding="utf-8")
        if target.exists():
            shutil.rmtree(target)  # an incomplete earlier install
        os.replace(unpacked, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
