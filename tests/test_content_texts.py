"""The spoken texts load, say what the guide says, and bad content fails with one clear line."""

from __future__ import annotations

import csv
import re
import shutil
from collections import Counter
from pathlib import Path

import pytest

from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.content.texts import (
    PROMPT_PLACEHOLDERS,
    REQUIRED_ANSWERS,
    REQUIRED_PROFESSIONALS,
    Texts,
    load_texts,
)
from voicecare.errors import ContentError
from voicecare.messages import INTENTS, RED_FLAG_SEVERITY, Severity

TEXT_FILES = ("answers.toml", "redflags.toml", "professionals.toml", "dialog.toml")


@pytest.fixture(scope="module")
def texts() -> Texts:
    return load_texts()


def joined(lines: tuple[str, ...]) -> str:
    return " ".join(lines)


def numbers_in(text: str) -> set[str]:
    return set(re.findall(r"\d+", text))


# --- the real content -------------------------------------------------------------------------

def test_every_required_answer_is_present_and_non_empty(texts: Texts) -> None:
    for key in REQUIRED_ANSWERS:
        assert texts.answer(key), key
        assert all(line.strip() for line in texts.answer(key))


def test_every_red_flag_has_its_contract_severity(texts: Texts) -> None:
    assert set(texts.red_flags) == set(RED_FLAG_SEVERITY)
    for flag, severity in RED_FLAG_SEVERITY.items():
        assert texts.red_flags[flag].severity is severity
        assert texts.red_flags[flag].flag == flag
        assert texts.red_flags[flag].why


def test_emergency_gives_the_number_first_and_repeats_it(texts: Texts) -> None:
    emergency = texts.red_flags["redflag.emergency"]
    assert "{number}" in emergency.say[0]
    assert "{number}" in emergency.repeat
    assert emergency.acknowledge
    assert "112" in emergency.lines("112")[0]
    assert emergency.repeat_line("911") and "911" in emergency.repeat_line("911")
    assert not any("{" in line for line in emergency.lines("999"))


def test_red_flag_first_sentence_carries_the_action_for_its_severity(texts: Texts) -> None:
    for flag in texts.red_flags.values():
        first = flag.say[0].lower()
        if flag.severity is Severity.EMERGENCY:
            assert "call" in first and "emergency" in first
        elif flag.severity is Severity.URGENT:
            assert "stop exercising" in first and "medical help today" in first
        else:
            assert "book" in first and "gp" in first and "physiotherapist" in first


def test_red_flag_reasons_follow_the_guide(texts: Texts) -> None:
    assert "infection" in texts.red_flags["redflag.fever"].why
    assert "nerve" in texts.red_flags["redflag.weakness"].why
    assert {"3", "5"} <= numbers_in(texts.red_flags["redflag.persistent"].why)
    assert "stairs" in texts.red_flags["redflag.function"].why
    assert "fall" in texts.red_flags["redflag.trauma"].why
    assert "bladder" in texts.red_flags["redflag.emergency"].why


def test_heat_and_cold_times_match_the_guide(texts: Texts) -> None:
    heat = joined(texts.answer("relief.heat")).lower()
    cold = joined(texts.answer("relief.cold")).lower()
    assert {"15", "20"} <= numbers_in(heat)
    assert "30" in numbers_in(joined(texts.more("relief.heat")))
    assert "after" in heat and "too hot" in heat
    assert {"15", "20", "2", "3"} <= numbers_in(cold)
    assert "thin towel" in cold
    assert "never" in cold and "directly" in cold


def test_medication_doses_and_caveats_match_the_guide(texts: Texts) -> None:
    medication = joined(texts.answer("relief.medication")).lower()
    assert {"400", "600", "220", "440"} <= numbers_in(medication)
    assert "ibuprofen" in medication and "naproxen" in medication
    assert "package" in medication
    assert "maximum daily dose" in medication
    assert "stomach ulcers" in medication and "kidney" in medication


def test_hydration_and_daily_habits_match_the_guide(texts: Texts) -> None:
    hydration = joined(texts.answer("relief.hydration") + texts.more("relief.hydration")).lower()
    assert "large glass of water" in hydration
    assert "coconut water" in hydration and "rehydration solution" in hydration
    assert "half a teaspoon of salt" in hydration and "sparingly" in hydration
    assert {"8", "10"} <= numbers_in(hydration)
    assert {"7", "9"} <= numbers_in(joined(texts.answer("info.sleep")))
    ergonomics = joined(texts.answer("info.ergonomics"))
    assert {"5", "10", "50", "90"} <= numbers_in(ergonomics)


def test_relief_general_says_stop_and_not_to_walk_it_off(texts: Texts) -> None:
    general = joined(texts.answer("relief.general")).lower()
    assert general.startswith("stop")
    assert "walk it off" in general
    assert "sit or lie down" in general


def test_help_names_the_control_words(texts: Texts) -> None:
    help_text = joined(texts.answer("control.help")).lower()
    for word in ("stop", "pause", "repeat", "resume", "skip"):
        assert word in help_text


def test_unknown_is_one_sentence_offering_help(texts: Texts) -> None:
    (line,) = texts.answer("unknown")
    assert line.startswith("I can help with")


def test_professionals_are_all_present(texts: Texts) -> None:
    assert set(REQUIRED_PROFESSIONALS) <= set(texts.professionals)
    assert "first" in joined(texts.professionals["gp"].say)
    assert "exercise" in joined(texts.professionals["physiotherapist"].say)


def test_every_prompt_is_present_and_formats_with_its_placeholders(texts: Texts) -> None:
    values = {"before": 7, "after": 3, "number": "999", "days": 4, "minutes": 10, "wake": "hey care",
              "spasms": "3 spasms", "value": 7, "side": "left", "sentence": "hey care, I am here."}
    for key, allowed in PROMPT_PLACEHOLDERS.items():
        for variant in range(len(texts.prompts(key))):
            said = texts.prompt(key, variant, **{k: values[k] for k in allowed})
            assert "{" not in said and said.strip(), key


def test_prompt_fills_values_and_uses_the_first_variant(texts: Texts) -> None:
    assert texts.prompt("pain_better", before=8, after=3).startswith("8 down to 3")
    assert "15" in texts.prompt("reminder_snoozed", minutes=15)
    assert texts.prompt("ask_side") == texts.prompts("ask_side")[0] == "Which side, left or right?"
    assert "0 to 10" in texts.prompt("pain_rating_start")


def test_prompt_without_a_needed_value_names_it(texts: Texts) -> None:
    with pytest.raises(KeyError, match="minutes"):
        texts.prompt("reminder_snoozed")


def test_unknown_keys_are_key_errors(texts: Texts) -> None:
    with pytest.raises(KeyError):
        texts.answer("relief.nonexistent")
    with pytest.raises(KeyError):
        texts.prompt("no_such_prompt")


def test_spoken_sentences_are_short(texts: Texts) -> None:
    """Made for the ear: almost every sentence is 12 words or fewer, none is over 20."""
    lines = [line for a in texts.answers.values() for line in a.say + a.more]
    lines += [line for f in texts.red_flags.values() for line in f.say]
    counts = [len(line.split()) for line in lines]
    assert max(counts) <= 20
    assert sum(c <= 12 for c in counts) / len(counts) >= 0.85


# --- bad content ------------------------------------------------------------------------------

@pytest.fixture()
def content(tmp_path: Path) -> Path:
    for name in TEXT_FILES:
        shutil.copy(DEFAULT_CONTENT_DIR / name, tmp_path / name)
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def failure(content: Path) -> str:
    with pytest.raises(ContentError) as caught:
        load_texts(content)
    line = caught.value.line()
    assert "\n" not in line and line.startswith("Error: ") and " — " in line
    return line


def test_copied_content_loads(content: Path) -> None:
    assert load_texts(content).answer("relief.cold") == load_texts().answer("relief.cold")


def test_unknown_key_names_file_and_entry(content: Path) -> None:
    edit(content / "answers.toml", '[answers."relief.cold"]\n', '[answers."relief.cold"]\nsya = ["typo"]\n')
    line = failure(content)
    assert "answers.toml" in line and "relief.cold" in line and "sya" in line


def test_missing_field_names_file_and_entry(content: Path) -> None:
    edit(content / "redflags.toml", 'why = "A fever with muscle pain can be a sign of infection."\n', "")
    line = failure(content)
    assert "redflags.toml" in line and "redflag.fever" in line and "why" in line


def test_wrong_type_names_file_and_entry(content: Path) -> None:
    edit(content / "professionals.toml", 'name = "GP"', "name = 3")
    line = failure(content)
    assert "professionals.toml" in line and "gp" in line and "name" in line


def test_wrong_severity_names_the_right_one(content: Path) -> None:
    edit(content / "redflags.toml", '[redflags."redflag.trauma"]\nseverity = "urgent"',
         '[redflags."redflag.trauma"]\nseverity = "routine"')
    line = failure(content)
    assert "redflags.toml" in line and "redflag.trauma" in line and 'severity = "urgent"' in line


def test_unknown_severity_word_is_rejected(content: Path) -> None:
    edit(content / "redflags.toml", 'severity = "routine"', 'severity = "later"')
    line = failure(content)
    assert "redflag.persistent" in line and "later" in line


def test_unknown_placeholder_in_a_prompt(content: Path) -> None:
    edit(content / "dialog.toml", "in {minutes} minutes", "in {mins} minutes")
    line = failure(content)
    assert "dialog.toml" in line and "reminder_snoozed" in line and "{mins}" in line and "{minutes}" in line


def test_placeholder_in_an_answer_is_rejected(content: Path) -> None:
    edit(content / "answers.toml", "for 15 to 20 minutes.", "for {minutes} minutes.")
    line = failure(content)
    assert "answers.toml" in line and "{minutes}" in line


def test_unbalanced_brace_is_rejected(content: Path) -> None:
    edit(content / "redflags.toml", 'repeat = "Please call {number} now."', 'repeat = "Please call {number now."')
    line = failure(content)
    assert "redflags.toml" in line and "redflag.emergency" in line and "repeat" in line


def test_emergency_without_the_number_is_rejected(content: Path) -> None:
    edit(content / "redflags.toml", "Call emergency services now, on {number}.", "Call emergency services now.")
    line = failure(content)
    assert "redflag.emergency" in line and "{number}" in line


def test_emergency_without_repeat_is_rejected(content: Path) -> None:
    edit(content / "redflags.toml", 'repeat = "Please call {number} now."\n', "")
    line = failure(content)
    assert "redflag.emergency" in line and "repeat" in line


def test_red_flag_check_must_be_a_question(content: Path) -> None:
    edit(content / "redflags.toml", 'check = "Did you say you have a fever or chills?"',
         'check = "You have a fever or chills."')
    line = failure(content)
    assert "redflag.fever" in line and "check" in line and "?" in line


def test_red_flag_without_a_check_question_is_rejected(content: Path) -> None:
    edit(content / "redflags.toml", 'check = "Did you say your leg or foot has gone weak?"\n', "")
    line = failure(content)
    assert "redflag.weakness" in line and "check" in line


def test_every_red_flag_check_asks_about_its_own_symptom(texts: Texts) -> None:
    words = {
        "redflag.emergency": "bladder", "redflag.numbness": "numb", "redflag.weakness": "weak",
        "redflag.fever": "fever", "redflag.trauma": "fall", "redflag.persistent": "better",
        "redflag.function": "everyday",
    }
    for flag, word in words.items():
        check = texts.red_flags[flag].check
        assert check.startswith("Did you say") and check.endswith("?") and word in check


def test_bad_toml_syntax_names_the_file(content: Path) -> None:
    edit(content / "dialog.toml", "goodbye = [", "goodbye = [[")
    line = failure(content)
    assert "dialog.toml" in line and "TOML" in line


def test_empty_say_list_is_rejected(content: Path) -> None:
    path = content / "answers.toml"
    text = path.read_text(encoding="utf-8")
    start = text.index('[answers."checklist.weekly"]')
    end = text.index("[answers.", start + 1)
    path.write_text(text[:start] + '[answers."checklist.weekly"]\nsay = []\n\n' + text[end:], encoding="utf-8")
    line = failure(content)
    assert "answers.toml" in line and "checklist.weekly" in line and "say" in line


def test_missing_required_answer(content: Path) -> None:
    path = content / "answers.toml"
    path.write_text(path.read_text(encoding="utf-8").replace('[answers."info.sleep"]', '[answers."info.slumber"]'),
                    encoding="utf-8")
    line = failure(content)
    assert "answers.toml" in line and "info.sleep" in line


def test_missing_red_flag(content: Path) -> None:
    edit(content / "redflags.toml", '[redflags."redflag.function"]', '[redflags."redflag.functional"]')
    line = failure(content)
    assert "redflags.toml" in line and "redflag.functional" in line


def test_missing_prompt_and_misspelled_prompt(content: Path) -> None:
    edit(content / "dialog.toml", "goodbye = ", "good_bye = ")
    line = failure(content)
    assert "dialog.toml" in line and "goodbye" in line


def test_extra_prompt_key_is_rejected(content: Path) -> None:
    edit(content / "dialog.toml", "[dialog]\n", '[dialog]\nfarewell = ["Bye."]\n')
    line = failure(content)
    assert "dialog.toml" in line and "farewell" in line


def test_missing_file_is_named(content: Path) -> None:
    (content / "professionals.toml").unlink()
    assert "professionals.toml" in failure(content)


# --- evaluation sets --------------------------------------------------------------------------

DATA_DIR = Path(__file__).resolve().parents[1] / "benchmarks" / "data"


def read_set(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert rows and list(rows[0]) == ["text", "intent", "side"]
    return rows


@pytest.mark.parametrize("name", ["heldout_text.tsv", "spoken.tsv"])
def test_evaluation_set_rows_are_well_formed(name: str) -> None:
    rows = read_set(name)
    texts_seen = [row["text"].strip().lower() for row in rows]
    assert len(set(texts_seen)) == len(texts_seen), "duplicate utterances"
    for row in rows:
        assert row["text"].strip() and row["intent"] in INTENTS and row["side"] in ("", "left", "right"), row
        if row["side"]:
            assert row["side"] in row["text"].lower(), row


def test_heldout_set_covers_every_intent() -> None:
    rows = read_set("heldout_text.tsv")
    counts = Counter(row["intent"] for row in rows)
    assert len(rows) >= 450
    assert all(counts[intent] >= 8 for intent in INTENTS), counts
    assert all(counts[i] >= 20 for i in INTENTS if i.startswith(("relief.", "redflag."))), counts
    assert counts["unknown"] >= 40


def test_spoken_set_is_plain_distinct_and_covers_the_red_flags() -> None:
    rows = read_set("spoken.tsv")
    heldout = {row["text"].lower() for row in read_set("heldout_text.tsv")}
    counts = Counter(row["intent"] for row in rows)
    assert len(rows) == 120
    assert not heldout & {row["text"].lower() for row in rows}
    assert all(3 <= len(row["text"].split()) <= 14 for row in rows)
    assert all(re.fullmatch(r"[A-Za-z ,.'?]+", row["text"]) for row in rows)
    assert all(counts[flag] >= 4 for flag in RED_FLAG_SEVERITY)
    assert counts["unknown"] >= 15
    assert all(counts[i] for i in INTENTS if i.startswith(("relief.", "routine.", "control.", "reminder.", "info.")))
