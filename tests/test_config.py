"""Configuration layers, sources, validation messages, and ``voicecare config``."""

from __future__ import annotations

import json
import re
import tomllib
from datetime import time
from pathlib import Path

import pytest

from voicecare.config import reading as config_module
from voicecare.cli import main
from voicecare.commands.config import as_toml
from voicecare.config import ConfigErrors, default_emergency_number, load_config
from voicecare.errors import ConfigError

ENV = {"LANG": "en_GB.UTF-8"}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text)
    return path


def load(tmp_path: Path, explicit: str | None = None, system: str | None = None, user: str | None = None, env=ENV):
    """Load with every layer inside tmp_path, so the machine's own files never leak in."""
    paths = {}
    for name, text in (("system.toml", system), ("user.toml", user), ("explicit.toml", explicit)):
        paths[name] = write(tmp_path, name, text) if text is not None else tmp_path / f"absent-{name}"
    return load_config(paths["explicit.toml"] if explicit is not None else None,
                       system=paths["system.toml"], user=paths["user.toml"], env=env)


def test_defaults_when_no_file_exists(tmp_path):
    config = load(tmp_path)
    assert config.reminders.interval_minutes == 60
    assert (config.reminders.quiet_start, config.reminders.quiet_end) == (time(22), time(8))
    assert config.wake.phrase == "hey care" and config.speech.engine == "auto"
    assert config.safety.emergency_number == "999"
    assert config.source("safety.emergency_number") == "default (LANG=en_GB.UTF-8)"
    assert config.source("audio.volume") == "default"
    assert config.paths.content_dir.is_dir()


@pytest.mark.parametrize(("env", "number"), [
    ({"LANG": "en_GB.UTF-8"}, "999"), ({"LANG": "en_IE.UTF-8"}, "999"), ({"LANG": "en_US.UTF-8"}, "911"),
    ({"LANG": "fr_CA.UTF-8"}, "911"), ({"LANG": "de_DE.UTF-8"}, "112"), ({"LANG": "C.UTF-8"}, "112"),
    ({}, "112"), ({"LANG": "de_DE.UTF-8", "LC_ALL": "en_US.UTF-8"}, "911"),
    ({"LANG": "en_US.UTF-8", "LC_TELEPHONE": "en_GB.UTF-8"}, "999"), ({"LANG": "en_GB@euro"}, "999"),
])
def test_emergency_number_follows_the_locale(env, number):
    assert default_emergency_number(env)[0] == number


def test_layers_override_in_order_and_remember_their_source(tmp_path):
    config = load(
        tmp_path,
        system='[audio]\nvolume = 0.5\ninput_device = 2\n[speech]\nengine = "vosk"\n[holds.preferred_seconds]\nbutterfly = 25\n',
        user='[audio]\nvolume = 0.7\n[holds.preferred_seconds]\nfigure_four = 30\n',
        explicit='[speech]\nengine = "pocketsphinx"\n[safety]\nemergency_number = "911"\n',
    )
    assert config.audio.volume == 0.7 and config.source("audio.volume") == str(tmp_path / "user.toml")
    assert config.audio.input_device == 2 and config.source("audio.input_device") == str(tmp_path / "system.toml")
    assert config.speech.engine == "pocketsphinx" and config.source("speech.engine") == str(tmp_path / "explicit.toml")
    assert config.safety.emergency_number == "911"
    assert dict(config.holds.preferred_seconds) == {"butterfly": 25, "figure_four": 30}
    assert config.audio.output_device is None and config.source("audio.output_device") == "default"


def test_reminder_settings_are_parsed(tmp_path):
    config = load(tmp_path, explicit=(
        '[reminders]\ninterval_minutes = 50\nquiet_start = "21:30"\nquiet_end = 07:15:00\n'
        'days_off = ["Sat", "sunday", "sat"]\nhydration = true\n'))
    reminders = config.reminders
    assert reminders.interval_minutes == 50
    assert (reminders.quiet_start, reminders.quiet_end) == (time(21, 30), time(7, 15))
    assert reminders.days_off == ("saturday", "sunday")
    assert reminders.hydration


@pytest.mark.parametrize(("text", "pattern"), [
    ('[reminders]\nquiet_start = "25:00"\n', r'\[reminders\] quiet_start is "25:00", not a time of day — write quiet_start = "HH:MM"'),
    ('[reminders]\nquiet_strat = "22:00"\n', r"\[reminders\] unknown key 'quiet_strat' — did you mean quiet_start\?"),
    ('[reminder]\nenabled = true\n', r"unknown section \[reminder\] — did you mean \[reminders\]\?"),
    ('[audio]\nvolume = "loud"\n', r'\[audio\] volume is "loud", not a number'),
    ('[audio]\nvolume = 3\n', r"\[audio\] volume is 3, outside 0 to 1"),
    ('[audio]\nbarge_in = "yes"\n', r'barge_in is "yes", not true or false'),
    ('[speech]\nengine = "whisper"\n', r"engine is \"whisper\", not one of auto, vosk, pocketsphinx"),
    ('[speech]\nvoice_rate_wpm = 150.5\n', r"voice_rate_wpm is 150.5, not a whole number"),
    ('[safety]\nemergency_number = "call help"\n', r"emergency_number is \"call help\", not a phone number"),
    ('[safety]\nemergency_number = 999\n', r'emergency_number is the number 999, not text — write it in quotes'),
    ('[safety]\non_emergency = "notify \'carer"\n', r"on_emergency is not a valid command"),
    ('[reminders]\ndays_off = ["funday"]\n', r'days_off has "funday", not a weekday — use sunday'),
    ('[reminders]\ndays_off = ["mon","tue","wed","thu","fri","sat","sun"]\n', r"days_off lists every day of the week"),
    ('[wake]\nphrase = "hey, care!"\n', r"phrase is .* not one to five plain words"),
    ('[paths]\ncontent_dir = "/nonexistent/content"\n', r"content_dir /nonexistent/content is not a folder"),
    ('[audio\nvolume = 1\n', r"not valid TOML"),
    ('audio = 3\n', r"audio must be a \[audio\] table"),
])
def test_one_clear_line_per_mistake(tmp_path, text, pattern):
    with pytest.raises(ConfigError) as caught:
        load(tmp_path, explicit=text)
    line = caught.value.line()
    assert "\n" not in line
    assert line.startswith(f"Error: {tmp_path / 'explicit.toml'}")
    assert caught.value.exit_code == 2
    assert re.search(pattern, line), line


def test_every_mistake_in_every_layer_is_reported(tmp_path):
    with pytest.raises(ConfigErrors) as caught:
        load(tmp_path,
             system='[audio]\nvolume = 2\n',
             explicit='[reminders]\nquiet_end = "8am"\nsnooze_minutes = 0\n[wake]\nenabeld = true\n')
    lines = caught.value.line().splitlines()
    assert len(lines) == 4
    assert all(line.startswith("Error: ") and " — " in line for line in lines)
    assert "system.toml: [audio] volume" in lines[0]
    assert [line.split("] ")[1].split()[0] for line in lines[1:]] == ["quiet_end", "snooze_minutes", "unknown"]


def test_a_missing_explicit_file_is_an_error(tmp_path):
    with pytest.raises(ConfigError, match="not found — check the path given to --config"):
        load_config(tmp_path / "nope.toml", system=tmp_path / "a", user=tmp_path / "b", env=ENV)


def test_show_output_is_toml_that_loads_back_to_the_same_settings(tmp_path):
    config = load(tmp_path, explicit=(
        '[audio]\noutput_device = "USB"\nvolume = 0.8\n[reminders]\ndays_off = ["saturday"]\nquiet_start = "21:00"\n'
        '[holds.preferred_seconds]\nbutterfly = 25\n[safety]\non_emergency = "/usr/local/bin/notify-carer --now"\n'))
    shown = as_toml(config)
    assert f'volume = 0.8  # {tmp_path / "explicit.toml"}' in shown
    tomllib.loads(shown)
    again = load_config(write(tmp_path, "shown.toml", shown), system=tmp_path / "a", user=tmp_path / "b", env={})
    assert again == config


def test_config_command_show_check_and_errors(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(config_module, "SYSTEM_CONFIG", tmp_path / "absent-system.toml")
    monkeypatch.setattr(config_module, "USER_CONFIG", tmp_path / "absent-user.toml")
    good = write(tmp_path, "good.toml", '[wake]\nphrase = "hello helper"\n')
    assert main(["--config", str(good), "config", "show", "--json"]) == 0
    shown = json.loads(capsys.readouterr().out)
    assert shown["wake"]["phrase"] == {"value": "hello helper", "source": str(good)}
    assert shown["reminders"]["quiet_start"] == {"value": "22:00", "source": "default"}
    assert main(["--config", str(good), "config", "check"]) == 0
    assert str(good) in capsys.readouterr().out
    bad = write(tmp_path, "bad.toml", '[reminders]\nquiet_start = "25:00"\ninterval_minutes = "hourly"\n')
    assert main(["--config", str(bad), "config", "check"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 2 and all(line.startswith(f"Error: {bad}: [reminders] ") for line in err)
