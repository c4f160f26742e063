"""Piper voice install against a local HTTP server laid out like Piper's voice repository."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from test_model_install import Server

from voicecare.cli import main
from voicecare.errors import BadInputError, ModelError
from voicecare.speech.voice_install import install_voice
from voicecare.speech.voices import find_voice

NAME = "en_US-test-medium"
FOLDER = "en/en_US/test/medium"


def voice_settings() -> bytes:
    """A settings file shaped like a Piper voice's (the installer checks its shape)."""
    return json.dumps({"audio": {"sample_rate": 22050}, "phoneme_id_map": {"_": [0]},
                       "inference": {"length_scale": 1}}).encode()


def repository(name: str = NAME, model: bytes = b"\x08onnx network" * 5000, settings: bytes | None = None,
               *, lie_md5: bool = False) -> dict[str, bytes]:
    """voices.json and the two files of one voice, with their true sizes and digests."""
    settings = voice_settings() if settings is None else settings
    files = {f"{FOLDER}/{name}.onnx": model, f"{FOLDER}/{name}.onnx.json": settings,
             f"{FOLDER}/MODEL_CARD": b"card"}
    catalog = {name: {"key": name, "files": {
        path: {"size_bytes": len(body), "md5_digest": "0" * 32 if lie_md5 else hashlib.md5(body).hexdigest()}
        for path, body in files.items()}}}
    return {"voices.json": json.dumps(catalog).encode(), **files}


def test_install_verifies_and_places_both_files(tmp_path: Path) -> None:
    files = repository()
    with Server(files) as server:
        voice = install_voice(NAME, tmp_path, base_url=server.url)
    folder = tmp_path / "voices"
    assert voice.model == folder / f"{NAME}.onnx" and voice.model.read_bytes() == files[f"{FOLDER}/{NAME}.onnx"]
    assert sorted(p.name for p in folder.iterdir()) == [f"{NAME}.onnx", f"{NAME}.onnx.json", f"{NAME}.onnx.sha256"]
    assert (folder / f"{NAME}.onnx.sha256").read_text().strip() == hashlib.sha256(voice.model.read_bytes()).hexdigest()
    found = find_voice(NAME, tmp_path)
    assert found is not None and found.source == "data directory"
    assert len(server.ranges) == 3  # the catalog and the two files; the model card is not fetched


def test_second_install_downloads_nothing(tmp_path: Path) -> None:
    with Server(repository()) as server:
        install_voice(NAME, tmp_path, base_url=server.url)
        requests = len(server.ranges)
        install_voice(NAME, tmp_path, base_url=server.url)
    assert requests == 3 and len(server.ranges) == 3  # catalog + two files, once


class CutOnNetwork(dict):
    """Served files; asking for the .onnx drops the connection ``cut`` bytes in, once."""

    def __init__(self, files: dict[str, bytes], server: Server, cut: int) -> None:
        super().__init__(files)
        self.server, self.cut = server, cut

    def get(self, key: str, default: bytes | None = None) -> bytes | None:
        if key.endswith(".onnx") and self.cut:
            self.server.cut_after, self.cut = self.cut, 0
        return super().get(key, default)


def test_broken_download_resumes_with_range_and_voice_appears_only_when_whole(tmp_path: Path) -> None:
    files = repository()
    cut = len(files[f"{FOLDER}/{NAME}.onnx"]) // 3
    with Server(files) as server:
        server.files = CutOnNetwork(files, server, cut)
        with pytest.raises(ModelError, match="resume"):
            install_voice(NAME, tmp_path, base_url=server.url)
        assert find_voice(NAME, tmp_path) is None
        assert (tmp_path / "voices" / f".{NAME}.onnx.part").stat().st_size == cut
        install_voice(NAME, tmp_path, base_url=server.url)
    assert server.ranges[-1] == f"bytes={cut}-"
    assert find_voice(NAME, tmp_path) is not None
    assert not list((tmp_path / "voices").glob(".*.part"))


def test_checksum_mismatch_deletes_the_download(tmp_path: Path) -> None:
    with Server(repository(lie_md5=True)) as server:
        with pytest.raises(ModelError, match="checksum"):
            install_voice(NAME, tmp_path, base_url=server.url)
    assert find_voice(NAME, tmp_path) is None
    assert list((tmp_path / "voices").iterdir()) == []


def test_pinned_sha256_must_match(tmp_path: Path) -> None:
    with Server(repository()) as server:
        with pytest.raises(ModelError, match="checksum"):
            install_voice(NAME, tmp_path, base_url=server.url, sha256="f" * 64)
    assert find_voice(NAME, tmp_path) is None


def test_settings_that_are_not_pipers_are_refused(tmp_path: Path) -> None:
    with Server(repository(settings=b'{"hello": 1}')) as server:
        with pytest.raises(ModelError, match="not a Piper voice"):
            install_voice(NAME, tmp_path, base_url=server.url)
    assert list((tmp_path / "voices").iterdir()) == []


def test_unknown_or_malformed_names_are_bad_input(tmp_path: Path) -> None:
    with Server(repository()) as server:
        with pytest.raises(BadInputError, match="did you mean en_US-test-medium"):
            install_voice("en_US-tset-medium", tmp_path, base_url=server.url)
    with pytest.raises(BadInputError, match="bad voice name"):
        install_voice("../../etc/passwd", tmp_path, base_url="http://127.0.0.1:9/")


def test_cli_offline_error_and_install(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "config.toml"
    config.write_text(f'[paths]\ndata_dir = "{tmp_path / "data"}"\n')
    # Port 9 (discard) on loopback is closed: the refusal a device without a network sees.
    code = main(["--config", str(config), "voice", "install", NAME, "--base-url", "http://127.0.0.1:9/"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("Error: ") and "offline" in err
    assert f"voicecare voice install {NAME}" in err and str(tmp_path / "data" / "voices") in err
    with Server(repository()) as server:
        assert main(["--config", str(config), "voice", "install", NAME, "--base-url", server.url]) == 0
    assert f"{NAME} is installed in {tmp_path / 'data' / 'voices'}" in capsys.readouterr().out
    assert main(["--config", str(config), "voice", "install", "nonsense"]) == 2
