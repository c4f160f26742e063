"""One content folder for every command: ``[paths] content_dir``, checked by ``config check`` too."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from voicecare.config import reading as config_module
from voicecare.cli import main
from voicecare.content.loader import DEFAULT_CONTENT_DIR

@pytest.fixture
def content(tmp_path, monkeypatch) -> Path:
    """A person's own copy of the content, named by the user configuration file."""
    folder = tmp_path / "my-content"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    user = tmp_path / "user.toml"
    user.write_text(f'[paths]\ncontent_dir = "{folder}"\ndata_dir = "{tmp_path / "data"}"\n')
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", user)
    return folder


def _break(folder: Path) -> None:
    """A slip while editing: a line that is not TOML, in the files every command reads."""
    for name in ("routines.toml", "intents.toml"):
        with (folder / name).open("a", encoding="utf-8") as handle:
            handle.write("\nthe stretch I added myself\n")


@pytest.mark.parametrize("argv", [
    ["routine", "relief_general", "--json"],
    ["understand", "--text", "my hip is cramping"],
    ["config", "check"],
    ["chat", "--script", "/dev/null"],
])
def test_broken_content_in_the_configured_folder_stops_every_command(content, capsys, argv):
    _break(content)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(("Error: routines.toml: not valid TOML", "Error: intents.toml: not valid TOML"))
    assert err.count("\n") == 1


def test_understand_uses_the_configured_content(content, capsys):
    intents = content / "intents.toml"
    text = intents.read_text(encoding="utf-8")
    intents.write_text(text.replace('examples = ["should I use heat", ',
                                    'examples = ["should I use heat", "is the wheaty owl ready", ', 1), encoding="utf-8")
    assert main(["understand", "--json", "--text", "is the wheaty owl ready"]) == 0
    assert json.loads(capsys.readouterr().out)["intent"] == "relief.heat"


def test_config_check_reports_the_content_it_checked(content, capsys):
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert f"content OK ({content}: " in out and " routines" in out
