"""Spoken answers through the real loop: the recognizer listens for what the question expects, and
speech that runs to the end of an input file is still acted on."""

from __future__ import annotations

from pathlib import Path

import pytest

from test_run_spoken import Conversation, Turn, after_say, at, speak  # noqa: F401 (fixture)

pytestmark = pytest.mark.speech


def test_a_lone_ten_is_heard_with_the_pain_grammar_and_journaled_once_sure(tmp_path: Path, speak) -> None:  # noqa: ANN001
    # The open domain model hears slt's lone "ten" as "can"; the pain question's grammar hears "ten".
    talk = Conversation(tmp_path, speak)
    turns = [Turn("hey care my groin is cramping", at(1.0)), Turn("ten", after_say("0 to 10"))]
    talk.run(turns, tail=3.0)
    if "is that right" in talk.spoken():  # heard unsure (the two decodings disagreed): answer the read-back
        try:
            talk.run([*turns, Turn("yes", after_say("is that right"), voice="slt")], tail=3.0)
        except AssertionError:  # the reply can start a few milliseconds apart from run to run: heard sure this time
            talk.run(turns, tail=3.0)
    answer = talk.of("heard")[1]
    assert answer["search"] == "pain" and answer["text"] == "ten", answer
    pains = talk.of("pain")
    assert [(p["value"], p["when"]) for p in pains] == [(10, "start")], pains
    read_back = "10, is that right?" in talk.spoken()
    assert pains[0]["confirmed"] is read_back, "confirmed exactly when it was read back and agreed to"
    assert talk.of("session")[0]["state"] == "started"


def test_speech_running_to_the_last_sample_of_the_input_is_acted_on(tmp_path: Path, speak) -> None:  # noqa: ANN001
    talk = Conversation(tmp_path, speak, wake="off")
    talk.run([Turn("my leg has gone numb", at(1.0), voice="awb")], tail=0.0)
    assert [e["text"] for e in talk.of("heard")] == ["my leg has gone numb"]
    assert [(e["severity"], e["flag"]) for e in talk.of("escalate")] == [("urgent", "redflag.numbness")]
