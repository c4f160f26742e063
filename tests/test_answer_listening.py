"""Per-state grammars: content/listening.toml, the JSGF and Vosk grammars built from it, combining
two decodings, and Vosk's N-best output (against its documented API, with no model)."""

from __future__ import annotations

import json
import shutil
import sys
import types
from pathlib import Path

import pytest

from voicecare.asr.lm import words_of
from voicecare.asr.grammar import GrammarSettings, combine, state_grammar, vosk_grammar
from voicecare.asr.vosk_engine import UNKNOWN, parse_results
from voicecare.content.intents import load_intent_content
from voicecare.content.listening import load_listening
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.core.expectation import Expect
from voicecare.errors import ContentError
from voicecare.messages import RED_FLAG_SEVERITY, Transcript


@pytest.fixture(scope="module")
def listening():
    return load_listening()


def test_every_waiting_state_listens_for_its_answers_and_every_red_flag(listening) -> None:
    examples = load_intent_content(DEFAULT_CONTENT_DIR).examples
    for expect in Expect:
        phrases = set(listening.for_state(expect))
        if expect is Expect.IDLE:
            assert not phrases, "idle keeps the open domain model"
            continue
        assert set(listening.always) <= phrases, expect
        for flag in RED_FLAG_SEVERITY:
            assert {" ".join(words_of(e)) for e in examples[flag]} <= phrases, (expect, flag)
        assert {"stop", "help"} <= phrases, expect
    assert {"seven", "about a six", "eight out of ten", "ten", "zero"} <= set(listening.for_state(Expect.PAIN))
    assert {"the left one", "on the right side", "both sides"} <= set(listening.for_state(Expect.SIDE))
    assert {"yes", "nope", "not really"} <= set(listening.for_state(Expect.YES_NO))
    assert {"pause", "repeat that", "that hurts"} <= set(listening.for_state(Expect.SESSION))
    assert "seven" not in listening.for_state(Expect.SESSION)


def _copy_content(tmp_path: Path) -> Path:
    folder = tmp_path / "content"
    shutil.copytree(DEFAULT_CONTENT_DIR, folder)
    return folder


def test_a_misspelled_state_or_intent_names_the_file_and_the_fix(tmp_path: Path) -> None:
    folder = _copy_content(tmp_path)
    path = folder / "listening.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[listen.side]", "[listen.sides]"), encoding="utf-8")
    with pytest.raises(ContentError) as err:
        load_listening(folder)
    assert "listening.toml" in err.value.line() and "sides" in err.value.line() and "side" in err.value.fix
    path.write_text(text.replace('"control.skip", "control.no"]', '"control.skipp", "control.no"]', 1),
                    encoding="utf-8")
    with pytest.raises(ContentError, match="control.skipp"):
        load_listening(folder)


def test_the_grammar_keeps_pronounceable_answers_and_an_other_path_without_answer_words() -> None:
    known = {"seven", "about", "a", "six", "stop", "the", "weather", "today", "is", "my"}.__contains__
    grammar = state_grammar("pain", ["seven", "about a six", "stop", "zzyzx seven"],
                            ["the", "seven", "weather", "today", "qqq"], GrammarSettings(other_words=2), known)
    assert grammar.phrases == ("seven", "about a six", "stop")
    assert grammar.other == ("the", "weather"), "answer words never sit on the other path"
    text = grammar.jsgf(0.01)
    assert text.startswith("#JSGF V1.0;") and "/0.01/ <other>+" in text and "<answer> = seven | about a six | stop;" in text
    assert grammar.accepts("about a six") and not grammar.accepts("the weather") and not grammar.accepts("")


def test_vosk_grammar_ends_with_unk_and_has_no_repeats() -> None:
    grammar = vosk_grammar(["seven", "stop", "seven", ""])
    assert grammar == ["seven", "stop", UNKNOWN]
    json.dumps(grammar)


def test_an_accepted_answer_wins_and_keeps_the_open_readings_as_alternatives() -> None:
    openly = Transcript("can", 0.2, "pocketsphinx", alternatives=("ten", "tend"))
    answer = Transcript("ten", 0.15, "pocketsphinx", alternatives=("a ten",), search="pain")
    both = combine(openly, answer, accepted=True)
    assert (both.text, both.search, both.open_text) == ("ten", "pain", "can")
    assert both.alternatives == ("can", "tend", "a ten")
    assert combine(openly, answer, accepted=False) is openly
    assert combine(openly, None, accepted=True) is openly


def test_vosk_nbest_results_give_text_alternatives_and_confidence() -> None:
    documented = {"alternatives": [{"text": "one two three four five", "confidence": 0.97},
                                   {"text": "one two three for five", "confidence": 0.03}]}
    heard = parse_results([documented])
    assert heard.text == "one two three four five"
    assert heard.alternatives == ("one two three for five",)
    assert heard.confidence == pytest.approx(0.97)
    lattice = {"alternatives": [{"text": "my leg is fine", "confidence": 210.0},
                                {"text": "my leg is numb", "confidence": 209.0},
                                {"text": "[unk] leg is fine", "confidence": 200.0}]}
    heard = parse_results([lattice, {"alternatives": [{"text": "", "confidence": 0.0}]}])
    assert heard.text == "my leg is fine" and heard.alternatives == ("my leg is numb", "leg is fine")
    assert 0.6 < heard.confidence < 0.8
    words = {"alternatives": [{"text": "seven", "confidence": 5.0,
                               "result": [{"word": "seven", "conf": 0.42, "start": 0.1, "end": 0.5}]}]}
    assert parse_results([words]).confidence == pytest.approx(0.42), "per-word confidences when Vosk gives them"


class _FakeKaldi:
    """Vosk's documented KaldiRecognizer surface; answers from ``script`` by grammar."""

    made: list["_FakeKaldi"] = []
    script: dict[str | None, dict] = {}

    def __init__(self, model, rate, grammar=None) -> None:
        self.grammar = grammar
        self.calls: list[tuple] = []
        _FakeKaldi.made.append(self)

    def SetWords(self, on):  # noqa: N802 (Vosk's names)
        self.calls.append(("SetWords", on))

    def SetMaxAlternatives(self, n):  # noqa: N802
        self.calls.append(("SetMaxAlternatives", n))

    def AcceptWaveform(self, data):  # noqa: N802
        return False

    def Result(self):  # noqa: N802
        return "{}"

    def FinalResult(self):  # noqa: N802
        grammar = json.loads(self.grammar) if self.grammar else None
        key = "state" if grammar and "seven" in grammar else "open"
        return json.dumps(self.script[key])


def test_vosk_decodes_the_state_grammar_beside_the_domain_grammar(tmp_path: Path, listening,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    from voicecare.asr.vosk_engine import VoskRecognizer
    from voicecare.audio.chunk import AudioChunk

    fake = types.ModuleType("vosk")
    fake.SetLogLevel = lambda level: None
    fake.Model = lambda path: object()
    fake.KaldiRecognizer = _FakeKaldi
    monkeypatch.setitem(sys.modules, "vosk", fake)
    (tmp_path / "am").mkdir()
    (tmp_path / "am" / "final.mdl").write_bytes(b"x")
    (tmp_path / "conf").mkdir()
    recognizer = VoskRecognizer(tmp_path, ["my hip is cramping"], ["hip"], listening=listening)
    assert set(recognizer.grammar_states) == set(Expect) - {Expect.IDLE}
    _FakeKaldi.made.clear()
    _FakeKaldi.script = {
        "open": {"alternatives": [{"text": "heaven", "confidence": 0.6}, {"text": "my leg is numb", "confidence": 0.4}]},
        "state": {"alternatives": [{"text": "seven", "confidence": 0.9}, {"text": "eleven", "confidence": 0.1}]},
    }
    heard = recognizer.transcribe(AudioChunk.silence(1.0), Expect.PAIN)
    assert (heard.text, heard.search, heard.open_text) == ("seven", "pain", "heaven")
    assert "my leg is numb" in heard.alternatives, "the open model's red flag reading still reaches the check"
    grammars = [json.loads(k.grammar) for k in _FakeKaldi.made]
    assert len(grammars) == 2 and grammars[1][-1] == UNKNOWN and "my leg has gone numb" in grammars[1]
    assert all(("SetMaxAlternatives", 3) in k.calls and ("SetWords", True) in k.calls for k in _FakeKaldi.made)
    _FakeKaldi.made.clear()
    idle = recognizer.transcribe(AudioChunk.silence(1.0))
    assert idle.text == "heaven" and idle.alternatives == ("my leg is numb",) and len(_FakeKaldi.made) == 1
