"""Installing Piper voices: from Piper's official voice repository, checked, atomic, resumable.

The repository's ``voices.json`` lists each voice's files with their size and MD5 digest. Each file
is downloaded beside its destination as ``.NAME.part`` (resumed with HTTP Range after a break),
checked against both, and renamed into place; the ``.onnx`` goes last, so a voice is only ever
found complete. The SHA-256 of the network is recorded beside it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from rapidfuzz import fuzz, process

from voicecare.errors import BadInputError, ModelError
from voicecare.speech.voices import DEFAULT_VOICE, PiperVoiceFiles, is_piper_name, voices_dir

log = logging.getLogger(__name__)

BASE_URL = "https://huggingface.co/rhasspy/piper-voices/resolve/main/"
"""Piper's official voice repository (what ``python -m piper.download_voices`` uses)."""
BASE_URL_ENV = "VOICECARE_VOICE_BASE_URL"
CATALOG = "voices.json"
_BLOCK = 1 << 16
_TIMEOUT_SECONDS = 30.0
Progress = Callable[[str, int, int | None], None]


@dataclass(frozen=True, slots=True)
class RemoteFile:
    """One file of a voice as the catalog describes it."""

    path: str
    """Path under the base URL, e.g. ``en/en_US/joe/medium/en_US-joe-medium.onnx``."""
    size_bytes: int
    md5: str

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]


def _again(name: str) -> str:
    return f"run `voicecare voice install {name}` again"


def _open(url: str, name: str, have: int = 0, folder: Path | None = None) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "voicecare-voice-install"})
    if have:
        request.add_header("Range", f"bytes={have}-")
    try:
        return urllib.request.urlopen(request, timeout=_TIMEOUT_SECONDS)
    except urllib.error.HTTPError:
        raise
    except (urllib.error.URLError, socket.timeout, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise ModelError(f"cannot reach {urllib.parse.urlsplit(url).netloc} ({reason}); this device seems to be offline",
                         f"connect to the internet and {_again(name)}, or copy {name}.onnx and {name}.onnx.json "
                         f"into {folder or 'the voices folder'}") from exc


def voice_files(name: str, base_url: str, folder: Path | None = None) -> list[RemoteFile]:
    """The ``.onnx`` and ``.onnx.json`` of ``name`` from the catalog; BadInputError for an unknown voice."""
    url = base_url + CATALOG
    try:
        with _open(url, name, folder=folder) as response:
            catalog = json.load(response)
    except urllib.error.HTTPError as exc:
        raise ModelError(f"the voice server answered {exc.code} {exc.reason} for {url}", f"{_again(name)} later") from exc
    except (ValueError, OSError) as exc:
        raise ModelError(f"the voice list {url} is unreadable ({exc})", f"{_again(name)} later") from exc
    entry = catalog.get(name) if isinstance(catalog, dict) else None
    if not isinstance(entry, dict):
        known = list(catalog) if isinstance(catalog, dict) else []
        close = process.extractOne(name, known, scorer=fuzz.ratio, score_cutoff=70) if known else None
        hint = f"did you mean {close[0]}?" if close else f"pick a name from {url}, e.g. {DEFAULT_VOICE}"
        raise BadInputError(f"no Piper voice named {name!r}", hint)
    files = []
    for path, info in (entry.get("files") or {}).items():
        if path.endswith((".onnx", ".onnx.json")):
            try:
                files.append(RemoteFile(path, int(info["size_bytes"]), str(info["md5_digest"]).lower()))
            except (KeyError, TypeError, ValueError) as exc:
                raise ModelError(f"the voice list has no size or digest for {path}", f"{_again(name)} later") from exc
    if sorted(f.name for f in files) != sorted([f"{name}.onnx", f"{name}.onnx.json"]):
        raise ModelError(f"the voice list does not give both files of {name}", f"{_again(name)} later")
    return sorted(files, key=lambda f: f.name.endswith(".onnx"))  # settings first, the network last


def _download(url: str, part: Path, name: str, expected: int, progress: Progress | None) -> None:
    """Fetch into ``part``, resuming from its current size when the server allows it."""
    have = part.stat().st_size if part.exists() else 0
    if have > expected:
        part.unlink()
        have = 0
    if have == expected:
        return
    try:
        response = _open(url, name, have, part.parent)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and have:
            return
        raise ModelError(f"the voice server answered {exc.code} {exc.reason} for {url}", f"{_again(name)} later") from exc
    with response:
        resumed = response.status == 206
        got = have if resumed else 0
        try:
            with open(part, "ab" if resumed else "wb") as out:
                while block := response.read(_BLOCK):
                    out.write(block)
                    got += len(block)
                    if progress:
                        progress(part.name, got, expected)
        except (OSError, socket.timeout, ConnectionError) as exc:
            raise ModelError(f"the download of {url} broke off after {got} bytes ({exc})", f"{_again(name)} to resume it") from exc


def _digests(path: Path) -> tuple[str, str]:
    md5, sha = hashlib.md5(usedforsecurity=False), hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(_BLOCK):
            md5.update(block)
            sha.update(block)
    return md5.hexdigest(), sha.hexdigest()


def _verify(part: Path, remote: RemoteFile, name: str, sha256: str | None) -> str:
    """Size and MD5 from the catalog (and a pinned SHA-256, if given); a bad file is deleted."""
    size = part.stat().st_size
    if size != remote.size_bytes:
        if size < remote.size_bytes:
            raise ModelError(f"the download of {remote.name} stopped at {size} of {remote.size_bytes} bytes",
                             f"{_again(name)} to resume it")
        part.unlink(missing_ok=True)
        raise ModelError(f"the downloaded {remote.name} is {size} bytes, expected {remote.size_bytes}",
                         f"{_again(name)}; the damaged file was deleted")
    md5, sha = _digests(part)
    if md5 != remote.md5 or (sha256 and sha != sha256.lower()):
        part.unlink(missing_ok=True)
        got, want = (md5, remote.md5) if md5 != remote.md5 else (sha, sha256 or "")
        raise ModelError(f"the downloaded {remote.name} has checksum {got[:12]}…, expected {want[:12]}…",
                         f"{_again(name)}; the damaged file was deleted")
    return sha


def install_voice(name: str = DEFAULT_VOICE, data_dir: Path | None = None, *, base_url: str | None = None,
                  sha256: str | None = None, progress: Progress | None = None) -> PiperVoiceFiles:
    """Download and verify ``name`` into ``<data_dir>/voices``; returns the installed voice."""
    from voicecare.speech.piper_backend import check_voice_files

    if not is_piper_name(name):
        raise BadInputError(f"bad voice name {name!r}", f"give a Piper voice name such as {DEFAULT_VOICE}")
    if data_dir is None:
        raise BadInputError("no data directory for voices", "set [paths] data_dir in the config")
    folder = voices_dir(data_dir)
    model, config = folder / f"{name}.onnx", folder / f"{name}.onnx.json"
    if model.is_file() and config.is_file():
        log.info("voice %s is already installed in %s", name, folder)
        return PiperVoiceFiles(name, model, config, "data directory")
    base = (base_url or os.environ.get(BASE_URL_ENV) or BASE_URL).rstrip("/") + "/"
    remote = voice_files(name, base, folder)
    folder.mkdir(parents=True, exist_ok=True)
    parts = {r.name: folder / f".{r.name}.part" for r in remote}
    digests = {}
    for r in remote:
        _download(base + r.path, parts[r.name], name, r.size_bytes, progress)
        digests[r.name] = _verify(parts[r.name], r, name, sha256 if r.name.endswith(".onnx") else None)
    try:
        check_voice_files(PiperVoiceFiles(name, parts[model.name], parts[config.name], "download"))
    except ModelError:
        for part in parts.values():
            part.unlink(missing_ok=True)
        raise
    os.replace(parts[config.name], config)
    (folder / f"{name}.onnx.sha256").write_text(digests[model.name] + "\n", encoding="utf-8")
    os.replace(parts[model.name], model)  # last: the voice is only found once both files are there
    log.info("installed Piper voice %s in %s", name, folder)
    return PiperVoiceFiles(name, model, config, "data directory")

