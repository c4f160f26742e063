"""Vosk model install against a local HTTP server: download, verify, resume, clean up, offline."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from pathlib import Path

import pytest

from voicecare.asr.models import CHECKSUM_FILE, find_model, install_model, installed_models
from voicecare.cli import main
from voicecare.errors import BadInputError, ModelError

NAME = "vosk-model-tiny-test-0.1"


def model_zip(name: str = NAME, *, complete: bool = True, extra: str | None = None) -> bytes:
    """A small archive laid out like an official Vosk model."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        if complete:
            zf.writestr(f"{name}/am/final.mdl", b"\x00acoustic model" * 2000)
        zf.writestr(f"{name}/conf/model.conf", "--sample-frequency=16000\n")
        zf.writestr(f"{name}/README", "test model\n")
        if extra:
            zf.writestr(extra, "x")
    return buf.getvalue()


class Server:
    """Serves ``files`` on 127.0.0.1 with Range support; ``cut_after`` drops the connection mid-body once."""

    def __init__(self, files: dict[str, bytes]) -> None:
        self.files = files
        self.cut_after: int | None = None
        self.ranges: list[str | None] = []
        outer = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output quiet
                pass

            def do_GET(self) -> None:
                body = outer.files.get(self.path.lstrip("/"))
                outer.ranges.append(self.headers.get("Range"))
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                if self.headers.get("Range"):
                    start = int(self.headers["Range"].split("=")[1].split("-")[0])
                    if start >= len(body):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                payload = body[start:]
                if outer.cut_after is not None:
                    payload, outer.cut_after = payload[: outer.cut_after], None
                    self.wfile.write(payload)
                    self.wfile.flush()
                    self.close_connection = True
                    return
                self.wfile.write(payload)

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "Server":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(timeout=5)


def test_install_unpacks_verifies_and_records_checksum(tmp_path: Path) -> None:
    blob = model_zip()
    with Server({f"{NAME}.zip": blob}) as server:
        path = install_model(NAME, tmp_path, base_url=server.url, sha256=hashlib.sha256(blob).hexdigest())
    assert path == tmp_path / NAME
    assert (path / "am" / "final.mdl").is_file()
    assert (path / CHECKSUM_FILE).read_text().strip() == hashlib.sha256(blob).hexdigest()
    assert [p.name for p in tmp_path.iterdir()] == [NAME]  # no partial file or staging folder left
    assert find_model(tmp_path) == path
    [listed] = installed_models(tmp_path)
    assert listed.complete and listed.name == NAME


def test_second_install_does_not_download_again(tmp_path: Path) -> None:
    with Server({f"{NAME}.zip": model_zip()}) as server:
        install_model(NAME, tmp_path, base_url=server.url)
        install_model(NAME, tmp_path, base_url=server.url)
    assert len(server.ranges) == 1


def test_interrupted_download_resumes_with_range(tmp_path: Path) -> None:
    blob = model_zip()
    with Server({f"{NAME}.zip": blob}) as server:
        server.cut_after = len(blob) // 3
        with pytest.raises(ModelError, match="again to resume"):
            install_model(NAME, tmp_path, base_url=server.url)
        part = tmp_path / f".{NAME}.zip.part"
        assert part.stat().st_size == len(blob) // 3
        assert not (tmp_path / NAME).exists()
        install_model(NAME, tmp_path, base_url=server.url)
    assert server.ranges == [None, f"bytes={len(blob) // 3}-"]
    assert not part.exists()
    assert find_model(tmp_path) == tmp_path / NAME


def test_checksum_mismatch_deletes_download(tmp_path: Path) -> None:
    with Server({f"{NAME}.zip": model_zip()}) as server:
        with pytest.raises(ModelError, match="checksum"):
            install_model(NAME, tmp_path, base_url=server.url, sha256="0" * 64)
    assert list(tmp_path.iterdir()) == []


def test_corrupt_archive_is_rejected_and_cleaned_up(tmp_path: Path) -> None:
    blob = bytearray(model_zip())
    blob[200:260] = b"\xff" * 60  # inside the first member's compressed data
    with Server({f"{NAME}.zip": bytes(blob)}) as server:
        with pytest.raises(ModelError, match="damaged|not a valid zip"):
            install_model(NAME, tmp_path, base_url=server.url)
    assert list(tmp_path.iterdir()) == []


def test_archive_without_model_or_with_stray_paths_is_refused(tmp_path: Path) -> None:
    with Server({f"{NAME}.zip": model_zip(complete=False), "other.zip": model_zip("other", extra="../evil")}) as server:
        with pytest.raises(ModelError, match="does not contain a Vosk model"):
            install_model(NAME, tmp_path, base_url=server.url)
        with pytest.raises(ModelError, match="unexpected path"):
            install_model("other", tmp_path, base_url=server.url)
    assert not (tmp_path / NAME).exists() and not (tmp_path.parent / "evil").exists()
    assert [p for p in tmp_path.iterdir()] == []


def test_unknown_model_name_is_bad_input(tmp_path: Path) -> None:
    with Server({}) as server:
        with pytest.raises(BadInputError, match="no model named"):
            install_model("vosk-model-nope", tmp_path, base_url=server.url)
    with pytest.raises(BadInputError):
        install_model("../escape", tmp_path, base_url="http://127.0.0.1:9/")


def test_offline_says_so_through_the_cli(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # Port 9 (discard) on loopback is closed: the same refusal a device without a network sees.
    code = main(["model", "install", "--dir", str(tmp_path), "--base-url", "http://127.0.0.1:9/"])
    err = capsys.readouterr().err
    assert code == 1
    assert "offline" in err and "voicecare model install" in err and err.startswith("Error: ")


def test_cli_install_and_list(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Server({f"{NAME}.zip": model_zip()}) as server:
        assert main(["model", "install", NAME, "--dir", str(tmp_path), "--base-url", server.url]) == 0
    assert main(["model", "list", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert f"{NAME}  ok" in out
