"""``--config`` and ``-v/--debug`` work before the subcommand or after it."""

from __future__ import annotations

import json
import logging

import pytest

from voicecare.config import reading as config_module
from voicecare.cli import build_parser, main


@pytest.fixture
def settings(tmp_path, monkeypatch):
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")
    path = tmp_path / "mine.toml"
    path.write_text('[wake]\nphrase = "hello helper"\n')
    return path


@pytest.mark.parametrize("where", ["before", "after"])
def test_config_check_takes_config_on_either_side(settings, capsys, where):
    argv = ["--config", str(settings), "config", "check"] if where == "before" else ["config", "check", "--config", str(settings)]
    assert main(argv) == 0
    assert str(settings) in capsys.readouterr().out


def test_config_after_a_nested_subcommand_is_used(settings, capsys):
    assert main(["config", "show", "--json", "--config", str(settings)]) == 0
    assert json.loads(capsys.readouterr().out)["wake"]["phrase"]["source"] == str(settings)


def test_an_option_before_is_kept_when_absent_after(settings):
    args = build_parser().parse_args(["-v", "--config", str(settings), "config", "check"])
    assert args.debug is True and args.config == str(settings)
    args = build_parser().parse_args(["config", "check"])
    assert args.debug is False and args.config is None


def test_debug_after_the_subcommand_turns_on_debug_logging(settings, monkeypatch):
    seen = {}
    monkeypatch.setattr(logging, "basicConfig", lambda **kwargs: seen.update(kwargs))
    assert main(["config", "check", "-v"]) == 0
    assert seen["level"] == logging.DEBUG


def test_every_subcommand_accepts_them():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    for name, subparser in sub.choices.items():
        options = {o for action in subparser._actions for o in action.option_strings}
        assert {"--config", "-v", "--debug"} <= options, name


@pytest.mark.parametrize(("argv", "what", "command"), [
    (["history", "--weeks", "0"], "argument --weeks: it must be 1 or more", "voicecare history"),
    (["routine"], "the following arguments are required: NAME", "voicecare routine"),
    (["nosuch"], "argument COMMAND: invalid choice: 'nosuch'", "voicecare"),
    (["devices", "--bogus"], "unrecognized arguments: --bogus", "voicecare"),
])
def test_usage_mistakes_are_one_line_exit_2(capsys, argv, what, command):
    with pytest.raises(SystemExit) as stopped:
        main(argv)
    assert stopped.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"Error: {what}") and err.endswith(f" — see `{command} --help`\n")
