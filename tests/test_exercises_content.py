"""Exercise and routine content: the guide's facts kept exactly, and bad content rejected clearly."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from voicecare.content.exercises import ExerciseKind, Sides, StepKind, load_exercises
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.errors import ContentError

PROGRAMME = load_exercises()
EX = PROGRAMME.exercises

# The guide's numbers: (default, min, max) for holds in seconds.
HOLDS = {
    "kneeling_hip_flexor": (20, 30), "figure_four": (20, 30), "butterfly": (20, 30),
    "lunge_stretch": (30, 30), "couch_stretch": (30, 60), "pigeon": (30, 60), "seated_glute": (30, 60),
    "wide_forward_fold": (30, 60), "frog": (30, 60), "plank": (30, 60),
    "cold_pack": (900, 1200), "heat_pack": (900, 1200),
}
# (reps_min, reps_max, sets_min, sets_max)
REPS = {
    "bird_dog": (10, 15, 1, 1), "glute_bridge": (10, 15, 3, 3), "clamshell": (10, 15, 3, 3),
    "side_leg_lift": (10, 15, 3, 3), "band_walk": (10, 15, 2, 3),
}


@pytest.mark.parametrize("exercise", sorted(HOLDS))
def test_hold_ranges_match_the_guide(exercise: str) -> None:
    e = EX[exercise]
    assert (e.hold_min, e.hold_max) == HOLDS[exercise]
    assert e.hold_min <= e.hold_seconds <= e.hold_max


def test_plank_starts_at_thirty_seconds() -> None:
    assert EX["plank"].hold_seconds == 30


@pytest.mark.parametrize("exercise", sorted(REPS))
def test_reps_and_sets_match_the_guide(exercise: str) -> None:
    e = EX[exercise]
    reps_min, reps_max, sets_min, sets_max = REPS[exercise]
    assert (e.reps_min, e.reps_max) == (reps_min, reps_max)
    assert sets_min <= e.sets <= sets_max


def test_per_side_exercises_are_sided() -> None:
    sided = {k for k, e in EX.items() if e.sided}
    assert {"lunge_stretch", "couch_stretch", "pigeon", "seated_glute", "bird_dog", "clamshell",
            "side_leg_lift", "kneeling_hip_flexor", "figure_four"} <= sided
    assert not EX["butterfly"].sided and not EX["wide_forward_fold"].sided and not EX["frog"].sided


def test_side_aware_relief_follows_the_guide_examples() -> None:
    assert "Kneel on your right knee." in EX["kneeling_hip_flexor"].lines_for("right")
    assert "Put your left foot flat on the floor in front of you." in EX["kneeling_hip_flexor"].lines_for("right")
    assert "Place your left ankle on your right knee." in EX["figure_four"].lines_for("left")
    assert any("pull your right thigh" in line for line in EX["figure_four"].lines_for("left"))
    assert all("{" not in line for line in EX["figure_four"].lines_for(None))


def test_cautions_from_the_guide() -> None:
    assert "just hold the position" in EX["butterfly"].caution and "Don't press down" in EX["butterfly"].caution
    assert "intense" in EX["frog"].caution.lower()
    cold = " ".join(EX["cold_pack"].instructions).lower()
    assert "thin towel" in cold and "never put ice directly on your skin" in cold
    assert "remove the ice" in " ".join(EX["cold_pack"].done_lines).lower()
    assert "two to three hours" in " ".join(EX["cold_pack"].done_lines)


def test_breathing_exhales_longer() -> None:
    b = EX["diaphragmatic_breathing"]
    assert b.kind is ExerciseKind.BREATHING and b.exhale_seconds > b.inhale_seconds
    text = " ".join(b.instructions).lower()
    assert "chest" in text and "belly" in text and "nose" in text and "mouth" in text


def test_every_contract_routine_exists() -> None:
    for name in ("relief_general", "relief_hip_flexor", "relief_glute", "relief_adductor",
                 "daily_stretch", "strength", "breathing", "desk_break"):
        assert name in PROGRAMME.routines


@pytest.mark.parametrize(("routine", "stretch"), [("relief_hip_flexor", "kneeling_hip_flexor"),
                                                  ("relief_glute", "figure_four"), ("relief_adductor", "butterfly")])
def test_relief_flow_shape(routine: str, stretch: str) -> None:
    steps = PROGRAMME.routines[routine].steps
    assert [s.kind for s in steps] == [StepKind.SAY, StepKind.EXERCISE, StepKind.TIMER, StepKind.SAY]
    assert any("stop what you are doing" in line.lower() for line in steps[0].lines)
    assert steps[1].exercise == stretch and (steps[1].sides is Sides.AFFECTED or not EX[stretch].sided)
    assert steps[2].exercise == "cold_pack" and steps[2].ask
    assert any("water" in line for line in steps[3].lines)
    assert not PROGRAMME.routines[routine].screening


def test_relief_general_asks_nothing_muscle_specific() -> None:
    steps = PROGRAMME.routines["relief_general"].steps
    stretches = [s.exercise for s in steps if s.kind is StepKind.EXERCISE]
    assert all(EX[e].kind is not ExerciseKind.STRETCH for e in stretches)


def test_programmes_hold_every_exercise_of_the_guide() -> None:
    daily = [s.exercise for s in PROGRAMME.routines["daily_stretch"].steps]
    assert daily == ["lunge_stretch", "couch_stretch", "pigeon", "seated_glute", "wide_forward_fold", "frog"]
    assert all(s.sides is Sides.BOTH for s in PROGRAMME.routines["daily_stretch"].steps)
    strength = [s.exercise for s in PROGRAMME.routines["strength"].steps]
    assert strength == ["plank", "bird_dog", "glute_bridge", "clamshell", "side_leg_lift", "band_walk"]
    assert PROGRAMME.routines["daily_stretch"].screening and PROGRAMME.routines["strength"].screening
    desk = sum(EX[s.exercise].hold_seconds for s in PROGRAMME.routines["desk_break"].steps)
    assert 5 * 60 <= desk <= 10 * 60  # the guide's 5-10 minute break


def test_cue_phrases_live_in_content() -> None:
    p = PROGRAMME.phrases
    assert p.say("get_ready") == "Get ready." and p.say("halfway") == "Halfway."
    assert p.say("remaining", count=p.number(10)) == "Ten seconds left."
    assert p.say("release") == "And release." and p.say("other_side") == "Now the other side."


# --- bad content -----------------------------------------------------------------------------


@pytest.fixture
def content(tmp_path: Path) -> Path:
    for name in ("exercises.toml", "routines.toml"):
        shutil.copy(DEFAULT_CONTENT_DIR / name, tmp_path / name)
    return tmp_path


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, old
    path.write_text(text.replace(old, new, 1))


BAD = [
    ("exercises.toml", 'name = "the pigeon pose"\n', 'name = "the pigeon pose"\nhold_secs = 30\n',
     ["exercises.toml", "exercises.pigeon", "unknown key 'hold_secs'"]),
    ("exercises.toml", 'name = "the frog stretch"\n', '',
     ["exercises.toml", "exercises.frog", "missing 'name'", "add name"]),
    ("exercises.toml", "hold_seconds = 25\nhold_min = 20", "hold_seconds = -5\nhold_min = 20",
     ["exercises.kneeling_hip_flexor", "'hold_seconds' is -5", "at least"]),
    ("exercises.toml", "hold_seconds = 30\nhold_min = 30\nhold_max = 30", "hold_seconds = 30\nhold_min = 40\nhold_max = 30",
     ["exercises.lunge_stretch", "'hold_min' (40) is larger than 'hold_max' (30)", "make hold_min <= hold_max"]),
    ("routines.toml", 'exercise = "figure_four"', 'exercise = "figure_five"',
     ["routines.toml", "routines.relief_glute.steps[1]", "'figure_five'", "define [exercises.figure_five]"]),
    ("routines.toml", 'kind = "exercise"\nexercise = "frog"', 'kind = "stretch"\nexercise = "frog"',
     ["routines.daily_stretch.steps[5]", "'kind' is 'stretch'", "use one of: say, exercise, timer"]),
    ("routines.toml", "[routines.breathing]", "[routines.desk_break]",
     ["routines.toml", "desk_break", "twice"]),
    ("routines.toml", 'halfway = "Halfway."', 'halfway = "Halfway, {who}."',
     ["routines.toml", "phrases", "unknown placeholder {who}"]),
    ("exercises.toml", "inhale_seconds = 4\nexhale_seconds = 6", "inhale_seconds = 6\nexhale_seconds = 4",
     ["exercises.diaphragmatic_breathing", "exhale_seconds must be longer"]),
    ("routines.toml", 'kind = "timer"\nexercise = "cold_pack"\nask = true', 'kind = "exercise"\nexercise = "cold_pack"\nask = true',
     ["routines.relief_general.steps[2]", "use kind = \"timer\""]),
]


@pytest.mark.parametrize(("file", "old", "new", "expected"), BAD, ids=[b[3][-1][:30] for b in BAD])
def test_bad_content_gives_one_clear_error(content: Path, file: str, old: str, new: str, expected: list[str]) -> None:
    _edit(content / file, old, new)
    with pytest.raises(ContentError) as info:
        load_exercises(content)
    line = info.value.line()
    assert line.startswith("Error: ") and " — " in line
    for part in expected:
        assert part in line, (part, line)


def test_missing_file_is_named(content: Path) -> None:
    (content / "routines.toml").unlink()
    with pytest.raises(ContentError, match="routines.toml is missing"):
        load_exercises(content)
