"""Configuration and content saved in the wrong encoding: one clear line, exit 2, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voicecare.config import reading as config_module
from voicecare.cli import main
from voicecare.config import load_config
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.content.texts import load_texts
from voicecare.errors import ConfigError, ContentError

SETTINGS = '[wake]\nphrase = "hello helper"\n# réglages de la maison\n'


@pytest.fixture
def no_machine_config(tmp_path, monkeypatch):
    """Keep the machine's own /etc and ~/.config files out of the command-line tests."""
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")


def _load(path: Path, **layers: Path):
    nowhere = path.parent / "absent.toml"
    return load_config(layers.get("explicit"), system=layers.get("system", nowhere),
                       user=layers.get("user", nowhere), env={"LANG": "en_GB.UTF-8"})


def test_a_utf8_byte_order_mark_is_accepted(tmp_path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + SETTINGS.encode("utf-8"))
    assert _load(path, explicit=path).wake.phrase == "hello helper"


@pytest.mark.parametrize(("encoding", "named"), [
    ("utf-16", "saved as UTF-16"), ("utf-16-le", "saved as UTF-16"), ("utf-32", "saved as UTF-32"),
    ("latin-1", "line 3 has the byte 0xE9"),
])
def test_other_encodings_are_one_line_that_says_how_to_resave(tmp_path, encoding, named):
    path = tmp_path / "config.toml"
    path.write_bytes(SETTINGS.encode(encoding))
    with pytest.raises(ConfigError) as caught:
        _load(path, explicit=path)
    line = caught.value.line()
    assert "\n" not in line and named in line and "not UTF-8" in line
    assert "save it as UTF-8" in line and f"iconv -f " in line and str(path) in line


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_the_command_line_exits_2_with_one_line(tmp_path, capsys, no_machine_config, encoding):
    path = tmp_path / "config.toml"
    path.write_bytes(SETTINGS.encode(encoding))
    assert main(["--config", str(path), "config", "check"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"Error: {path} ") and "Traceback" not in err


def test_the_system_file_read_at_boot_is_checked_the_same_way(tmp_path, capsys, monkeypatch):
    system = tmp_path / "etc-config.toml"
    system.write_bytes(SETTINGS.encode("utf-16"))
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", system)
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")
    assert main(["run"]) == 2  # the service's own command: it stops before opening any device
    err = capsys.readouterr().err
    assert err.startswith(f"Error: {system} is saved as UTF-16, not UTF-8 — ") and err.count("\n") == 1


def test_content_in_another_encoding_names_the_file(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, content)
    answers = content / "answers.toml"
    answers.write_bytes(answers.read_text(encoding="utf-8").encode("utf-16"))
    with pytest.raises(ContentError, match=r"answers.toml is saved as UTF-16, not UTF-8 — save it as UTF-8"):
        load_texts(content)
    bom = content / "dialog.toml"
    bom.write_bytes(b"\xef\xbb\xbf" + bom.read_bytes())
    answers.write_bytes(answers.read_text(encoding="utf-16").encode("utf-8"))
    assert load_texts(content).dialog  # a byte-order mark before UTF-8 content is fine


def test_a_chat_script_in_utf16_is_refused_clearly(tmp_path, capsys, no_machine_config):
    script = tmp_path / "script.txt"
    script.write_bytes("hello\n".encode("utf-16"))
    assert main(["chat", "--script", str(script)]) == 2
    assert capsys.readouterr().err.startswith(f"Error: script {script} is saved as UTF-16")
