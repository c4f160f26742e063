"""Understanding: intents, red flags first, negation, slots, normalisation, guarding, the CLI."""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path

import pytest

from voicecare import cli
from voicecare.messages import INTENTS, RED_FLAG_SEVERITY, Severity
from voicecare.nlu import EXTRA_INTENTS, Understander
from voicecare.content.intents import load_intent_content
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.errors import ContentError
from voicecare.nlu import DEFAULT_THRESHOLD
from voicecare.nlu.lexicon import load_lexicon
from voicecare.nlu.matcher import Matcher
from voicecare.nlu.neighbours import NeighbourIndex
from voicecare.nlu.normalize import normalize, tokens

DEV = Path(__file__).parent / "data" / "nlu_dev.tsv"


@pytest.fixture(scope="module")
def nlu() -> Understander:
    return Understander.load()


def intent(nlu: Understander, text: str) -> str:
    return nlu.understand(text).intent


# ---------------------------------------------------------------- every intent, unseen phrasings
UNSEEN = {
    "relief.general": ["my hip has gone into a horrible spasm", "hip cramp help", "the muscles by my hip are all seized"],
    "relief.hip_flexor": ["the front of my hip is knotted up", "my psoas feels locked", "hip flexors cramping"],
    "relief.glute": ["my arse has cramped up", "spasm in the right bum cheek", "the back of my hip keeps seizing"],
    "relief.adductor": ["my groin has cramped", "inner thigh spasm", "cramping up the inside of my thigh"],
    "relief.heat": ["can I use my wheat bag", "is a hot bath ok for this", "would warmth help"],
    "relief.cold": ["can I ice my hip", "is a cold pack any good", "should I grab the frozen peas"],
    "relief.hydration": ["am I drinking enough water", "would electrolytes help", "should I rehydrate"],
    "relief.medication": ["can I take naproxen", "what's the dose for ibuprofen", "is a painkiller ok"],
    "routine.daily_stretch": ["let's do the stretching", "stretch time", "take me through the stretches"],
    "routine.strength": ["let's do the strengthening", "I want to do clamshells", "start my strength work"],
    "routine.breathing": ["I need to calm myself down", "let's breathe together", "I'm really anxious"],
    "routine.desk_break": ["I've been sat down all day", "quick movement break please", "I've been at my desk for hours"],
    "control.pause": ["hang on a sec", "pause for a minute", "wait please"],
    "control.resume": ["ok continue", "let's keep going", "carry on then"],
    "control.stop": ["stop please", "that's enough now", "cancel it"],
    "control.skip": ["skip that", "next one", "let's move on"],
    "control.repeat": ["can you say that again", "sorry I missed that", "pardon me"],
    "control.help": ["what can I ask", "what are my options then", "help please"],
    "control.yes": ["yeah", "yes I do", "sure thing"],
    "control.no": ["nope", "not really no", "no thanks"],
    "control.longer": ["can I hold it for longer", "a little longer please", "longer hold"],
    "control.shorter": ["make it a bit shorter", "that hold is too long", "shorter please"],
    "control.slower": ["slow down a bit", "that's too fast", "speak more slowly"],
    "info.week": ["so how was my week then", "tell me how my week went", "how have I been getting on this week"],
    "control.hurts": ["ouch", "ow that hurts", "that's too much"],
    "control.start": ["ready", "let's go", "okay begin"],
    "reminder.start": ["remind me to move each hour", "turn on the movement reminders", "start the hourly nudges"],
    "reminder.stop": ["turn the reminders off", "no more reminders please", "stop reminding me to move"],
    "reminder.snooze": ["later please", "remind me in ten minutes", "not right now I'm busy"],
    "reminder.done": ["done it", "I've got up and walked around", "I moved about"],
    "info.causes": ["why does my hip keep cramping up", "what's the cause of these spasms", "what triggers it"],
    "info.prevention": ["how can I prevent this", "how do I stop it happening again", "how do I avoid spasms"],
    "info.professional": ["should I see my GP", "is it worth seeing a physio", "do I need a doctor"],
    "info.ergonomics": ["how should my chair be set up", "what's good posture", "how do I lift boxes safely"],
    "info.sleep": ["how should I sleep", "my hip keeps me up at night", "best sleeping position"],
    "info.nutrition": ["what should I be eating", "are bananas good for cramps", "should I take magnesium"],
    "redflag.emergency": ["I've wet myself", "I can't control my bowels", "my groin has gone numb"],
    "redflag.numbness": ["my foot has gone numb", "pins and needles in my toes", "I can't feel my leg"],
    "redflag.weakness": ["my leg keeps buckling", "my leg feels weak", "I can't lift my foot"],
    "redflag.fever": ["I've got a temperature", "I feel shivery", "I've got a fever"],
    "redflag.trauma": ["I fell down", "I had an accident", "I slipped on the stairs"],
    "redflag.persistent": ["it's not getting better", "the cramps keep coming back", "it's been three days now"],
    "redflag.function": ["I can't climb the stairs", "I can't tie my shoelaces", "I can hardly walk"],
}


def test_every_intent_has_unseen_cases() -> None:
    assert set(UNSEEN) == (set(INTENTS) | set(EXTRA_INTENTS)) - {"unknown"}


@pytest.mark.parametrize("expected,text", [(i, t) for i, ts in UNSEEN.items() for t in ts])
def test_unseen_phrasings(nlu: Understander, expected: str, text: str) -> None:
    assert intent(nlu, text) == expected


def test_dev_split_accuracy(nlu: Understander) -> None:
    with DEV.open(newline="") as handle:
        rows = list(csv.DictReader(handle, delimiter="\t"))
    assert len(rows) >= 250
    wrong = [r["text"] for r in rows if intent(nlu, r["text"]) != r["intent"]]
    assert len(wrong) / len(rows) <= 0.03, wrong


# ---------------------------------------------------------------- red flags
@pytest.mark.parametrize("text,flag", [
    ("my leg is numb and my hip is cramping", "redflag.numbness"),
    ("my glute is in spasm and my foot is tingling", "redflag.numbness"),
    ("I slipped on the ice", "redflag.trauma"),
    ("should I use ice, I fell on my hip", "redflag.trauma"),
    ("I want to stretch but my leg keeps giving way", "redflag.weakness"),
    ("can I take ibuprofen, I've got chills", "redflag.fever"),
    ("stop, I've wet myself", "redflag.emergency"),
    ("my groin is cramping and it's been a week", "redflag.persistent"),
    ("my hip cramp means I can't climb the stairs", "redflag.function"),
])
def test_red_flag_wins_over_other_intents(nlu: Understander, text: str, flag: str) -> None:
    assert intent(nlu, text) == flag


@pytest.mark.parametrize("flag,severity", [
    ("redflag.emergency", Severity.EMERGENCY), ("redflag.numbness", Severity.URGENT),
    ("redflag.weakness", Severity.URGENT), ("redflag.fever", Severity.URGENT),
    ("redflag.trauma", Severity.URGENT), ("redflag.persistent", Severity.ROUTINE),
    ("redflag.function", Severity.ROUTINE),
])
def test_severity_of_each_red_flag(nlu: Understander, flag: str, severity: Severity) -> None:
    for text in UNSEEN[flag]:
        result = nlu.understand(text)
        assert result.intent == flag and result.severity is severity
        assert result.to_json()["severity"] == severity.value


def test_emergency_outranks_urgent_in_one_utterance(nlu: Understander) -> None:
    assert intent(nlu, "my leg is numb and I can't control my bladder") == "redflag.emergency"


def test_red_flags_ignore_the_threshold() -> None:
    strict, usual = Understander.load(threshold=0.99), Understander.load()
    assert strict.understand("my foot is tingling").intent == "redflag.numbness"
    texts = ["my hip is cramping", "the hip's a bit off today", "can we do that thing again", "is it the stretch now"]
    for text in texts:
        got = strict.understand(text)
        assert got.is_red_flag or got.intent == "unknown" or got.score >= 0.99
    assert any(strict.understand(t).intent == "unknown" != usual.understand(t).intent for t in texts)


# ---------------------------------------------------------------- negation
@pytest.mark.parametrize("text", ["no numbness", "I don't have any tingling", "no numbness or tingling",
                                  "I haven't got a fever", "my leg isn't numb", "no weakness at all"])
def test_clear_denial_is_not_a_red_flag(nlu: Understander, text: str) -> None:
    result = nlu.understand(text)
    assert not result.is_red_flag
    assert result.intent == "control.no"


def test_denied_symptom_leaves_the_real_complaint(nlu: Understander) -> None:
    assert intent(nlu, "no tingling or numbness, just a cramp in my hip") == "relief.general"


@pytest.mark.parametrize("text,flag", [
    ("no, my leg is numb", "redflag.numbness"),
    ("I'm not sure if my leg is numb", "redflag.numbness"),
    ("I don't think it's numb", "redflag.numbness"),
    ("no numbness but my foot is tingling", "redflag.numbness"),
    ("I don't have a fever but I feel shivery", "redflag.fever"),
    ("not numb exactly, maybe a bit tingly", "redflag.numbness"),
    ("I can't feel my toes", "redflag.numbness"),
    ("I can't sit down", "redflag.function"),
])
def test_doubt_or_unrelated_negation_keeps_the_red_flag(nlu: Understander, text: str, flag: str) -> None:
    assert intent(nlu, text) == flag


# ---------------------------------------------------------------- off topic and guarding
@pytest.mark.parametrize("text", ["play some music", "what's the weather", "set an alarm", "tell me a joke",
                                  "what time is it", "turn on the lights", "stop the music", "pause the radio",
                                  "order me a taxi", "what's your name", "good morning"])
def test_off_topic_is_unknown(nlu: Understander, text: str) -> None:
    assert intent(nlu, text) == "unknown"


@pytest.mark.parametrize("text,expected", [
    ("my leg is fine", "unknown"), ("my hip feels fine now", "unknown"), ("my left foot is okay", "unknown"),
    ("my leg's alright thanks", "unknown"), ("mum's leg is fine now", "unknown"), ("my legs feel normal", "unknown")])
def test_an_all_clear_is_no_red_flag(nlu: Understander, text: str, expected: str) -> None:
    assert intent(nlu, text) == expected


def test_short_commands_only_match_short_utterances(nlu: Understander) -> None:
    assert intent(nlu, "stop") == "control.stop"
    assert intent(nlu, "stop the reminders") == "reminder.stop"
    assert intent(nlu, "next") == "control.skip"
    assert intent(nlu, "what") == "control.repeat"
    assert intent(nlu, "what causes hip spasms") == "info.causes"
    assert intent(nlu, "yes") == "control.yes"
    assert intent(nlu, "yes my hip is cramping again") == "relief.general"
    assert intent(nlu, "how do I stop getting spasms") == "info.prevention"


def test_pain_exclamation_versus_named_spasm(nlu: Understander) -> None:
    assert intent(nlu, "ouch") == "control.hurts"
    assert intent(nlu, "it hurts when I lean forward") == "control.hurts"
    assert intent(nlu, "ouch my hip is cramping") == "relief.general"
    assert intent(nlu, "ouch my glute is cramping") == "relief.glute"


@pytest.mark.parametrize("text", ["", "   ", "!!!", "\n\t", "???", "\x00", "a" * 5000, "🙂"])
def test_never_raises_and_empty_is_unknown(nlu: Understander, text: str) -> None:
    result = nlu.understand(text)
    assert result.intent == "unknown"
    if not text.strip():
        assert result.score == 0.0


def test_scores_are_between_zero_and_one(nlu: Understander) -> None:
    for texts in UNSEEN.values():
        for text in texts:
            assert 0.0 <= nlu.understand(text).score <= 1.0


# ---------------------------------------------------------------- slots
@pytest.mark.parametrize("text,side", [
    ("my left glute is cramping", "left"), ("cramp in my hip on the right side", "right"),
    ("RIGHT hip flexor spasm", "right"), ("my left leg is numb", "left"),
    ("both hips are cramping", None), ("either side is fine", None),
    ("what's the right dose of ibuprofen", None), ("all right carry on", None),
    ("how long is left", None), ("stop right now", None),
])
def test_side_slot(nlu: Understander, text: str, side: str | None) -> None:
    assert nlu.understand(text).slots.get("side") == side


@pytest.mark.parametrize("text,number", [
    ("seven", "7"), ("about a six", "6"), ("8 out of 10", "8"), ("it's a 7", "7"), ("ten", "10"),
    ("eight out of ten", "8"), ("my pain is about a 5", "5"), ("zero", "0"),
    ("it's been cramping for three days", None), ("remind me in 10 minutes", None),
    ("skip this one", None), ("can I take 2 tablets", None),
])
def test_number_slot_for_pain_ratings(nlu: Understander, text: str, number: str | None) -> None:
    assert nlu.understand(text).slots.get("number") == number


@pytest.mark.parametrize("text", ["I can't put weight on my leg", "I can't stand up", "I cannot bear weight on it"])
def test_weight_slot(nlu: Understander, text: str) -> None:
    result = nlu.understand(text)
    assert result.slots.get("weight") == "no"
    assert result.is_red_flag


def test_no_weight_slot_when_they_can_stand(nlu: Understander) -> None:
    assert "weight" not in nlu.understand("my hip is cramping").slots


# ---------------------------------------------------------------- normalisation and noisy text
def test_normalize_folds_case_punctuation_contractions_and_numbers() -> None:
    assert normalize("I CAN'T feel my Foot!!") == "i can not feel my foot"
    assert normalize("It’s about a SEVEN.") == "it is about a 7"
    assert normalize("I've got pins-and-needles") == "i have got pins and needles"
    assert normalize("dont wont cant") == "do not will not can not"
    assert normalize("8/10") == "8 out of 10"
    assert tokens("") == [] and tokens("...") == []


@pytest.mark.parametrize("text,expected", [
    ("my left glued is cramping", "relief.glute"),
    ("hip flexer spasm", "relief.hip_flexor"),
    ("my hip is cramppping", "relief.general"),
    ("can i take iboprofen", "relief.medication"),
    ("pins and needels in my foot", "redflag.numbness"),
    ("my leg feels numbb", "redflag.numbness"),
    ("turn off the remiders", "reminder.stop"),
])
def test_misspellings_and_misrecognitions(nlu: Understander, text: str, expected: str) -> None:
    assert intent(nlu, text) == expected


@pytest.mark.parametrize("text,expected", [
    ("i cant feel my left foot", "redflag.numbness"),
    ("whats causing my hip spasms", "info.causes"),
    ("im on the floor and my glute has locked up", "relief.glute"),
    ("i dont have any numbness", "control.no"),
    ("hold it longer", "control.longer"),
])
def test_recognizer_style_text(nlu: Understander, text: str, expected: str) -> None:
    assert intent(nlu, text) == expected


def test_vocabulary_covers_lexicon_and_examples(nlu: Understander) -> None:
    vocab = nlu.vocabulary()
    for word in ("glute", "ibuprofen", "tingling", "spasm", "reminders", "seven", "stop"):
        assert word in vocab
    assert all(w == w.lower() and not w.isdigit() for w in vocab)


# ---------------------------------------------------------------- command line
def test_cli_json_shape(capsys: pytest.CaptureFixture[str]) -> None:
    code = cli.main(["understand", "--json", "--text", "my left glute is cramping", "--text", "I fell over"])
    assert code == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["input"] for line in lines] == ["my left glute is cramping", "I fell over"]
    assert set(lines[0]) == {"input", "text", "intent", "score", "slots", "severity"}
    assert lines[0]["intent"] == "relief.glute" and lines[0]["slots"] == {"side": "left"}
    assert lines[0]["severity"] is None
    assert lines[1]["intent"] == "redflag.trauma" and lines[1]["severity"] == "urgent"


def test_cli_readable_line(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["understand", "--text", "stop"]) == 0
    assert "control.stop" in capsys.readouterr().out


def test_cli_without_input_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["understand", "--json"]) == 2
    assert capsys.readouterr().err.startswith("Error: ")


def test_cli_missing_wav_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    assert cli.main(["understand", "--json", "--text", "stop", "--wav", str(tmp_path / "nope.wav")]) == 2
    assert "nope.wav" in capsys.readouterr().err


def test_cli_keeps_text_and_wav_in_order(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
                                          tmp_path: Path) -> None:
    from voicecare.asr import transcribe
    from voicecare.messages import Transcript

    wav = tmp_path / "a.wav"
    wav.write_bytes(b"")
    monkeypatch.setattr(transcribe, "transcribe_files",
                        lambda paths, args: [Transcript("my groin is cramping", 0.9, "fake") for _ in paths])
    assert cli.main(["understand", "--json", "--text", "stop", "--wav", str(wav), "--text", "yes"]) == 0
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [line["intent"] for line in lines] == ["control.stop", "relief.adductor", "control.yes"]
    assert lines[1]["input"] == str(wav) and lines[1]["text"] == "my groin is cramping"


def test_red_flag_table_matches_contract() -> None:
    assert set(RED_FLAG_SEVERITY) <= set(INTENTS)


# ---------------------------------------------------------------- classes of wording (phrasings not in any data set)
CLASSES = {
    "real English words are not corrected into symptoms": [
        ("is there anything good on the telly", "unknown"),
        ("I'm rubbing my belly", "unknown"),
        ("my kids love jelly", "unknown"),
    ],
    "saddle, bladder and bowel wording is an emergency": [
        ("my back passage feels numb", "redflag.emergency"),
        ("no sensation down below since this morning", "redflag.emergency"),
        ("I had an accident and wet myself", "redflag.emergency"),
        ("I can't tell when I need a wee", "redflag.emergency"),
        ("couldn't feel anything when I wiped", "redflag.emergency"),
    ],
    "foot drop and weakness wording": [
        ("my right foot is slapping down when I walk", "redflag.weakness"),
        ("I keep tripping over my feet", "redflag.weakness"),
        ("I can't get up onto my toes", "redflag.weakness"),
        ("my leg gave way on the stairs", "redflag.weakness"),
        ("my foot has gone dead", "redflag.numbness"),
    ],
    "vehicles, falls and knocks are trauma, even with a spasm": [
        ("a bus clipped me and now my hip is cramping", "redflag.trauma"),
        ("I came off a horse", "redflag.trauma"),
        ("I lost my balance and landed on my side", "redflag.trauma"),
    ],
    "persistent despite self-care": [
        ("nothing has changed in four days", "redflag.persistent"),
        ("I stretch and drink water and I still get them", "redflag.persistent"),
        ("the ibuprofen isn't helping", "redflag.persistent"),
        ("the cramps won't settle", "redflag.persistent"),
    ],
    "daily life given up": [
        ("I've had to stop playing golf because of my hip", "redflag.function"),
        ("the spasms stop me doing the cooking", "redflag.function"),
        ("I can't go to work with this hip", "redflag.function"),
    ],
    "questions are not complaints": [
        ("what's causing my hip to cramp", "info.causes"),
        ("how come I keep getting them", "info.causes"),
        ("what actually is a cramp", "info.causes"),
        ("how do I look after my hips long term", "info.prevention"),
        ("who do I see about hip spasms", "info.professional"),
        ("is my office chair causing it", "info.ergonomics"),
        ("does going to bed late matter", "info.sleep"),
        ("is my diet behind this", "info.nutrition"),
    ],
    "other body parts and chit-chat are unknown": [
        ("my wrist hurts", "unknown"),
        ("my jaw aches", "unknown"),
        ("what are you called", "unknown"),
    ],
    "muscle groups by position": [
        ("cramp at the back of my left hip", "relief.glute"),
        ("my right hip at the front is tight", "relief.hip_flexor"),
        ("it's cramping just under my waistband", "relief.hip_flexor"),
        ("pulled groin cramping again", "relief.adductor"),
        ("inner thigh muscles are in spasm", "relief.adductor"),
    ],
    "controls and answers in natural phrasing": [
        ("hang on, someone's at the door", "control.pause"),
        ("hold that thought please", "control.pause"),
        ("right I'm ready again", "control.resume"),
        ("stop the stretching", "control.stop"),
        ("can we skip this exercise", "control.skip"),
        ("yeah go on then", "control.yes"),
        ("yep let's do it", "control.yes"),
        ("no, not now thanks", "control.no"),
        ("I'm driving, ask me later", "reminder.snooze"),
    ],
}


@pytest.mark.parametrize("text,expected", [pair for pairs in CLASSES.values() for pair in pairs])
def test_classes_of_wording(nlu: Understander, text: str, expected: str) -> None:
    assert intent(nlu, text) == expected


@pytest.mark.parametrize("text", ["I've been sweating at the gym", "I'm sweating, it's so hot outside"])
def test_sweating_after_exertion_is_not_fever(nlu: Understander, text: str) -> None:
    assert not nlu.understand(text).is_red_flag


def test_sweating_alone_errs_towards_fever(nlu: Understander) -> None:
    assert intent(nlu, "I've been sweating a lot") == "redflag.fever"


def test_real_words_are_kept_but_misspellings_are_fixed(nlu: Understander) -> None:
    analysed = nlu._matcher.analyse("telly belly numbbness spasmming")
    assert analysed.words[:2] == ("telly", "belly")
    assert analysed.words[2:] == ("numbness", "spasming")


@pytest.mark.parametrize("text", ["my laptop crashed", "I'm leaking oil", "I'm falling behind at work",
                                  "the telly is broken", "my kids love jelly"])
def test_everyday_words_raise_no_red_flag(nlu: Understander, text: str) -> None:
    assert not nlu.understand(text).is_red_flag


# ---------------------------------------------------------------- red flags composed from their pieces
# Each list pairs a symptom class with body areas it was not written against: the rule is the
# combination (feeling loss + leg/foot part, feeling loss + saddle area, continence word + loss of
# control, failure verb + leg/foot part, impact + hip/leg), not a list of sentences.
COMPOSED = {
    "redflag.numbness": ["my instep has gone fizzy", "there's a buzzing in both calves", "no sensation in my big toe",
                         "my kneecap feels dead", "pinsandneedles all up my shins", "loss of feeling in my heel"],
    "redflag.emergency": ["it's gone numb where I sit on the chair", "tingly between my legs", "I can't feel my bum cheeks",
                          "I couldn't tell I was weeing", "my bowels went without me noticing", "lost control of my wee",
                          "I've had an accident on the way to the bathroom and my hip's in spasm"],
    "redflag.weakness": ["my left ankle won't come up", "my foot won't take my weight", "my knee folds when I step down",
                         "my toes keep snagging on the rug", "no power in my calf at all"],
    "redflag.trauma": ["I smashed my hip on the worktop", "a kid on a bike ran into me", "landed on my bum on the ice rink",
                       "got tackled hard in the match and my hip's sore"],
    "redflag.persistent": ["why won't this cramp shift it's been a week", "it's still there after three days of stretching"],
    "redflag.function": ["I have to crawl to the bathroom", "I'm hopping everywhere because of my hip"],
}


@pytest.mark.parametrize("text,expected", [(t, i) for i, texts in COMPOSED.items() for t in texts])
def test_red_flags_are_recognized_by_their_pieces(nlu: Understander, text: str, expected: str) -> None:
    got = nlu.understand(text)
    assert got.intent == expected
    assert got.severity is RED_FLAG_SEVERITY[expected]


@pytest.mark.parametrize("text", ["my wrist has pins and needles", "my phone keeps buzzing", "I banged my elbow",
                                  "I'm dead keen to get going", "I can't feel the stretch much", "the toilet's blocked"])
def test_feeling_and_impact_words_without_our_body_are_not_red_flags(nlu: Understander, text: str) -> None:
    assert not nlu.understand(text).is_red_flag


def test_emergency_wins_over_numbness_function_and_trauma(nlu: Understander) -> None:
    assert intent(nlu, "my leg is numb and so is my backside") == "redflag.emergency"
    assert intent(nlu, "I slipped and now I can't hold my wee") == "redflag.emergency"
    assert intent(nlu, "I can't walk and I've wet myself") == "redflag.emergency"


def test_a_spasm_that_is_still_going_is_relief_not_persistent(nlu: Understander) -> None:
    assert intent(nlu, "my hip cramped up a minute ago and it still won't let go") == "relief.general"
    assert intent(nlu, "the cramp's still not letting go and it's been four days") == "redflag.persistent"


def test_a_near_fall_is_not_trauma(nlu: Understander) -> None:
    assert intent(nlu, "my leg went weak and I almost fell over") == "redflag.weakness"


@pytest.mark.parametrize("text,expected", [
    ("this stretch is too sore", "control.hurts"), ("that pose hurts", "control.hurts"),
    ("can this wait", "reminder.snooze"), ("ask me again after my call", "reminder.snooze"),
    ("done my walk", "reminder.done"), ("I did my stretches like you said", "reminder.done"),
    ("is lucozade ok for cramps", "relief.hydration"), ("what should I eat to stop the cramps coming back", "info.nutrition"),
    ("how often should I stand up from my chair", "info.ergonomics"), ("get me up and moving", "routine.desk_break"),
    ("the inside top of my leg is cramping", "relief.adductor"), ("right hip the front bit it's tight", "relief.hip_flexor"),
    ("my thumb is cramping", "unknown"), ("previously on the show", "unknown"), ("remind me to post the letter", "unknown"),
])
def test_everyday_classes_of_wording(nlu: Understander, text: str, expected: str) -> None:
    assert intent(nlu, text) == expected


# ---------------------------------------------------------------- carers, consequences, numbers, shared words
@pytest.mark.parametrize("text,expected", [
    ("my gran took a tumble in the kitchen", "redflag.trauma"), ("her husband slipped on the drive", "redflag.trauma"),
    ("I went down on the frosty path", "redflag.trauma"), ("my brother's leg keeps going from under him", "redflag.weakness"),
    ("all the strength went out of my foot", "redflag.weakness"), ("dad's been wetting himself without knowing", "redflag.emergency"),
    ("the spasm is so bad I can't sit down properly", "redflag.function"),
    ("I keep having to stop every few paces with this cramp", "redflag.function"),
])
def test_carers_and_consequences_are_red_flags(nlu: Understander, text: str, expected: str) -> None:
    got = nlu.understand(text)
    assert got.intent == expected
    assert got.severity is RED_FLAG_SEVERITY[expected]


@pytest.mark.parametrize("text", ["the cat fell off the windowsill", "my mug fell off the table", "the kids' books fell over",
                                  "I fell asleep in front of the telly"])
def test_an_animal_or_object_falling_is_not_trauma(nlu: Understander, text: str) -> None:
    assert not nlu.understand(text).is_red_flag


@pytest.mark.parametrize("text,expected", [
    ("my dad's hip has gone into a spasm", "relief.general"),
    ("I was hoping you could tell me what to do, my hip's gone into a cramp", "relief.general"),
    ("glut keeps seizing", "relief.glute"), ("cramp in the inner thy on the left", "relief.adductor"),
    ("hip flex her keeps tightening", "relief.hip_flexor"), ("would an eyes pack help", "relief.cold"),
    ("can I take brufen", "relief.medication"), ("let's go for ninety seconds", "control.longer"),
    ("fifteen seconds is plenty", "control.shorter"), ("I've been for my stroll", "reminder.done"),
    ("is it chilly out", "unknown"), ("how long do I microwave frozen chips", "unknown"),
    ("the radiators are cold, ring the plumber", "unknown"), ("remind me to feed the cat", "unknown"),
    ("put the bins out", "unknown"),
])
def test_new_classes_of_wording(nlu: Understander, text: str, expected: str) -> None:
    assert intent(nlu, text) == expected


def test_spoken_compound_numbers_and_without_are_normalized() -> None:
    assert tokens("hold for forty five seconds w/o stopping") == ["hold", "for", "45", "seconds", "without", "stopping"]


# ---------------------------------------------------------------- nearest labelled utterances
def test_nearest_examples_compare_concepts_not_letters(nlu: Understander) -> None:
    matcher = nlu._matcher
    near = matcher.nearest(matcher.analyse("my bum cheek has knotted up"))
    assert near and near[0].similarity > 0.3
    assert near[0].intent == "relief.glute"


def test_neighbour_index_ranks_by_shared_rare_features() -> None:
    index = NeighbourIndex([("a", ["@glute", "@spasm"], []), ("b", ["@heat", "@question"], []),
                            ("c", ["@glute", "@question"], [])])
    near = index.nearest(["@glute", "@spasm"])
    assert [n.intent for n in near][:2] == ["a", "c"]
    assert near[0].similarity == pytest.approx(1.0)
    assert index.nearest(["unrelated"]) == []


def test_neighbours_never_create_a_red_flag() -> None:
    content = load_intent_content()
    pool = dict(content.combined())
    pool["redflag.trauma"] = (*pool["redflag.trauma"], "the blue kettle whistles loudly")
    matcher = Matcher(load_lexicon(), content.examples, DEFAULT_THRESHOLD, pool=pool)
    analysis = matcher.analyse("the blue kettle whistles loudly")
    assert matcher.nearest(analysis)[0].intent == "redflag.trauma"
    assert not matcher.understand("the blue kettle whistles loudly").is_red_flag


def test_a_confident_concept_match_is_not_overridden_by_a_neighbour(nlu: Understander) -> None:
    assert intent(nlu, "should I put a heat pad on my glute") == "relief.heat"
    assert intent(nlu, "stop") == "control.stop"
    assert intent(nlu, "stop the music") == "unknown"


@pytest.mark.parametrize("text,expected", [
    ('the thermometer read 39 point 2 this morning', 'redflag.fever'),
    ('my temp is thirty eight', 'redflag.fever'),
    ('it says 101 degrees fahrenheit on the thermometer', 'redflag.fever'),
    ("she's been running a temperature since lunch", 'redflag.fever'),
    ("I'm burning up and my hip is killing me", 'redflag.fever'),
    ('keep going hot and cold all evening', 'redflag.fever'),
    ("I've got the shivers and feel shivery", 'redflag.fever'),
    ('waking up drenched, sweats at night', 'redflag.fever'),
    ('I feel feverish today', 'redflag.fever'),
    ('I walked right into the kitchen counter, hit my hip', 'redflag.trauma'),
    ('caught my hip on the door frame', 'redflag.trauma'),
    ('I smacked my thigh on the edge of the bed', 'redflag.trauma'),
    ('he got tackled at rugby and now his hip hurts', 'redflag.trauma'),
    ('we were in a crash on the motorway', 'redflag.trauma'),
    ('my dad fell on the patio', 'redflag.trauma'),
    ('landed on my side off the step', 'redflag.trauma'),
    ("I can't get up the stairs with this cramp in my hip", 'redflag.function'),
    ("grandad can't get upstairs because of his spasms", 'redflag.function'),
    ('I cannae get up the stairs the noo wi this spasm', 'redflag.function'),
    ("my hip's in spasm right now", 'relief.general'),
    ("I can't feel the bottom of my left foot", 'redflag.numbness'),
    ('the sole of my foot is numb', 'redflag.numbness'),
    ("cramp in my groin and my leg's gone tingly", 'redflag.numbness'),
    ('my groin has gone numb', 'redflag.emergency'),
    ('no loss of bowel control or anything, just the spasm', 'relief.general'),
    ('how long should I heat up the soup for', 'unknown'),
    ('chuck some ice in the cocktails', 'unknown'),
    ('is it going to be cold this weekend', 'unknown'),
    ('turn up the heating', 'unknown'),
    ('can we stretch the budget for a new sofa', 'unknown'),
    ('I need to water the tomatoes', 'unknown'),
    ("how's the strength of the wifi in here", 'unknown'),
    ("I've got an ice pack on it, what now", 'relief.cold'),
    ('should I use heat on my hip', 'relief.heat'),
    ('is a bag of frozen peas ok on my bum', 'relief.cold'),
    ('why does my glute keep cramping like this', 'info.causes'),
    ('ice, not heat, is that right', 'relief.cold'),
    ("I'd rather use a heat pack, not ice", 'relief.heat'),
    ('can I put a heat pad on my inner thigh', 'relief.heat'),
    ("let's do the strengthening for my glutes", 'routine.strength'),
    ("it's hurting my hip holding this one", 'control.hurts'),
    ('kindly repeat that', 'control.repeat'),
    ('how can I make sure it never happens again', 'info.prevention'),
])
def test_fifth_round_classes(nlu: Understander, text: str, expected: str) -> None:
    """Fever readings, impacts, spasms stopping an activity, severity both ways, our words in other senses."""
    assert nlu.understand(text).intent == expected


@pytest.mark.parametrize("text", ["ice or heat?", "heat or ice", "what about ice or heat for it"])
def test_a_bare_treatment_choice_stays_ours(nlu: Understander, text: str) -> None:
    assert nlu.understand(text).intent in {"relief.heat", "relief.cold"}


@pytest.mark.parametrize("text", ["it's 39 degrees outside today", "the oven is at 200 degrees", "set the thermostat to 20 degrees"])
def test_a_hot_day_or_oven_is_not_a_fever(nlu: Understander, text: str) -> None:
    assert not nlu.understand(text).is_red_flag


def test_leg_tingling_near_the_leg_is_urgent_but_groin_numbness_is_an_emergency(nlu: Understander) -> None:
    assert nlu.understand("my groin keeps cramping and my foot is tingling").intent == "redflag.numbness"
    assert nlu.understand("my groin is tingling and my hip is cramping").intent == "redflag.emergency"


def test_a_denied_treatment_inside_a_choice_is_not_chosen(nlu: Understander) -> None:
    assert nlu.understand("heat please, no ice").intent == "relief.heat"
    assert nlu.understand("ice please, no heat").intent == "relief.cold"


# ---------------------------------------------------------------- sixth round
@pytest.mark.parametrize("text,expected", [
    ("when I walk my right foot slaps down on the floor", "redflag.weakness"),
    ("I keep tripping because my toes catch the step", "redflag.weakness"),
    ("my foot won't lift up at the ankle", "redflag.weakness"),
    ("my mum's foot just dangles when she lifts her leg", "redflag.weakness"),
    ("it feels like my leg is made of cotton wool", "redflag.numbness"),
    ("my calf feels like it belongs to someone else", "redflag.numbness"),
    ("I can hardly feel my slippers on my left foot", "redflag.numbness"),
    ("my adductor has been cramping since last Thursday", "redflag.persistent"),
    ("the glute spasm has been there for five days now", "redflag.persistent"),
    ("my hip flexor's been in spasm for a week and the stretches haven't done anything", "redflag.persistent"),
    ("I can't stand at the cooker long enough to make tea because of the spasms", "redflag.function"),
    ("my hip won't let me get in the car", "redflag.function"),
    ("the cramps stop me walking the dog", "redflag.function"),
])
def test_red_flags_by_effect_simile_start_date_and_stopped_activity(nlu: Understander, text: str, expected: str) -> None:
    """Foot drop by its effect, numbness by simile or degree, a start date over a named muscle, an activity stopped."""
    got = nlu.understand(text)
    assert got.intent == expected
    assert got.severity is RED_FLAG_SEVERITY[expected]


@pytest.mark.parametrize("text", ["the remote battery is weak", "my broadband keeps dropping", "the tea is too weak",
                                  "my torch is getting weak", "the kettle isn't working", "my dad's phone signal is weak",
                                  "the hot water has gone off again"])
def test_weak_or_failing_things_are_not_red_flags(nlu: Understander, text: str) -> None:
    got = nlu.understand(text)
    assert not got.is_red_flag
    assert got.intent == "unknown"


@pytest.mark.parametrize("text,expected", [
    ("my legs feel weak and the tv is broken", "redflag.weakness"),
    ("she's too weak to hold her cup of tea", "redflag.weakness"),
    ("I feel very weak today", "redflag.weakness"),
    ("my laptop is weak but my leg is weaker", "redflag.weakness"),
    ("the tv is on and my leg is tingling", "redflag.numbness"),
    ("I've got a fever and the heating is broken", "redflag.fever"),
    ("the wifi is down and I've wet myself", "redflag.emergency"),
    ("I can't feel my foot on the pedal in the car", "redflag.numbness"),
    ("caught my hip on the door frame", "redflag.trauma"),
    ("the hot water bottle isn't helping my hip at all", "redflag.persistent"),
])
def test_a_thing_nearby_never_cancels_a_red_flag_about_a_person(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


def test_the_subject_of_a_red_flag_word_decides(nlu: Understander) -> None:
    assert nlu.understand("my leg is weak").intent == "redflag.weakness"
    assert nlu.understand("my phone battery is weak").intent == "unknown"
    assert nlu.understand("mum is weak").intent == "redflag.weakness"
    assert nlu.understand("mum's battery is weak").intent == "unknown"


@pytest.mark.parametrize("text", [
    "is that restaurant hip", "apparently it's hip to wear bucket hats", "is the high street still hip",
    "the new coffee shop is very hip", "do you like hip hop", "stretch the pastry over the pie dish",
    "I need to stretch my money till payday", "how do I stretch my jumper back into shape", "water the roses",
    "do my herbs need watering", "a gin with ice and a slice please", "will it be cold at the weekend",
    "is it going to be freezing overnight", "I dozed off in front of the telly", "my wife fell asleep on the settee",
    "we're having leg of lamb on Sunday", "the bottom of the garden is flooded",
])
def test_our_words_in_other_senses_are_unknown(nlu: Understander, text: str) -> None:
    assert nlu.understand(text).intent == "unknown"


@pytest.mark.parametrize("text,expected", [
    ("my hip is trendy and sore", "relief.general"),
    ("I fell asleep and now my leg is dead", "redflag.numbness"),
    ("mum fell in the kitchen", "redflag.trauma"),
    ("can I stretch in my trainers", "routine.daily_stretch"),
    ("can I put ice on my hip", "relief.cold"),
    ("I can't fall asleep because of my hip", "info.sleep"),
    ("my foot is at the bottom of the bed and it's numb", "redflag.numbness"),
])
def test_other_senses_leave_ours_alone(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


@pytest.mark.parametrize("text,expected", [
    ("nudge me every hour so I get up off the settee", "reminder.start"),
    ("skip on to the next stretch", "control.skip"),
    ("go to the next exercise please", "control.skip"),
    ("how can I stop my inner thigh spasming in future", "info.prevention"),
    ("ways to stop groin cramps coming back", "info.prevention"),
    ("this one is hurting my groin", "control.hurts"),
    ("the stretch is really hurting my bum", "control.hurts"),
    ("how much dick lofenac can I use", "relief.medication"),
    ("can I take co coda mol", "relief.medication"),
    ("did two laps of the kitchen", "reminder.done"),
    ("I've had a wander round the house", "reminder.done"),
])
def test_sixth_round_classes(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


def test_split_words_are_joined_only_into_long_lexicon_words(nlu: Understander) -> None:
    matcher = nlu._matcher
    assert matcher.analyse("nap roxen").words == ("naproxen",)
    assert matcher.analyse("my leg is tin gling").words[-1] == "tingling"
    assert matcher.analyse("i get cramps every day").words[-2:] == ("every", "day")


def test_end_of_utterance_marker_only_ends_a_lexicon_pattern(tmp_path: Path) -> None:
    for name in ("intents.toml", "lexicon.toml"):
        shutil.copy(DEFAULT_CONTENT_DIR / name, tmp_path / name)
    lexicon = tmp_path / "lexicon.toml"
    lexicon.write_text(lexicon.read_text().replace('body_sense = [', 'body_sense = ["hip $ now", ', 1))
    with pytest.raises(ContentError, match=r"\$"):
        load_lexicon(tmp_path)


@pytest.mark.parametrize("text,expected", [
    ("the thermometer showed 39 and my hip keeps cramping", "redflag.fever"),
    ("I'm on 102 by the thermometer", "redflag.fever"),
    ("a lorry drove into the back of our car and now my hip hurts", "redflag.trauma"),
    ("somebody reversed into my car this morning and my hip is sore", "redflag.trauma"),
    ("a shelf came loose and fell onto my leg", "redflag.trauma"),
    ("a big suitcase dropped on my foot", "redflag.trauma"),
    ("recurrent cramps and I've no idea what triggers them", "redflag.persistent"),
    ("I can't get to the shops any more because of my hip", "redflag.function"),
    ("I was stretching my backside and now there's pins and needles down my leg", "redflag.numbness"),
    ("my foot feels mum", "redflag.numbness"),
    ("my toes have gone mum", "redflag.numbness"),
    ("my legs feel week", "redflag.weakness"),
    ("my knee's gone week", "redflag.weakness"),
])
def test_seventh_round_red_flags(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


@pytest.mark.parametrize("text,expected", [
    ("what temperature do I set the oven to for a roast", "unknown"),
    ("the book fell off the shelf", "unknown"),
    ("the pound fell against the dollar", "unknown"),
    ("add ice cubes to the shopping list", "unknown"),
    ("how much water should a puppy drink", "unknown"),
    ("the cat's flea tablet, what dose", "unknown"),
    ("fits of laughter at the telly", "unknown"),
    ("will it freeze overnight", "unknown"),
    ("warm the car up for me", "unknown"),
    ("how do I make the tea stronger", "unknown"),
    ("is this coat hip", "unknown"),
    ("what triggers hip cramps", "info.causes"),
    ("my backside is tingling", "redflag.emergency"),
    ("my hip has been cramping in the shop", "relief.general"),
    ("my temperature is 39", "redflag.fever"),
    ("can I numb it with ice", "relief.cold"),
])
def test_seventh_round_other_senses_both_ways(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


@pytest.mark.parametrize("text,not_expected", [
    ("my mum's foot hurts", "redflag.numbness"),
    ("my leg hurts, can you call my mum", "redflag.numbness"),
    ("I saw my mum last week", "redflag.weakness"),
    ("my hip cramped last week but it's fine now", "redflag.weakness"),
])
def test_misheard_words_need_a_body_part_and_a_linking_verb(nlu: Understander, text: str, not_expected: str) -> None:
    assert nlu.understand(text).intent != not_expected


@pytest.mark.parametrize("text,expected", [
    ("it's not tingling, just a cramp in my inner thigh", "relief.adductor"),
    ("could I use a gel pack out of the freezer", "relief.cold"),
    ("would electrolyte sachets help", "relief.hydration"),
    ("I walked to the end of the road and back", "reminder.done"),
    ("make the holds half the time", "control.shorter"),
    ("this stretch is making my hip worse", "control.hurts"),
])
def test_seventh_round_classes(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


@pytest.mark.parametrize("text,expected", [
    ("she's shaking with cold and her hip is sore", "redflag.fever"),
    ("my teeth won't stop chattering", "redflag.fever"),
    ("I feel boiling hot and shivery", "redflag.fever"),
    ("his forehead is burning", "redflag.fever"),
    ("I'm shivering under the blankets", "redflag.fever"),
    ("my toes feel furry", "redflag.numbness"),
    ("my calf feels all woolly", "redflag.numbness"),
    ("the pony bucked me off", "redflag.trauma"),
    ("the bull threw me to the ground", "redflag.trauma"),
    ("I got knocked down by a cyclist", "redflag.trauma"),
    ("my husband came off his bike", "redflag.trauma"),
    ("I hurt my hip in the fall", "redflag.trauma"),
    ("the lectures are mind-numbing but my leg is numb too", "redflag.numbness"),
])
def test_eighth_round_red_flags(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


@pytest.mark.parametrize("text,expected", [
    ("is that a spine-chilling book", "unknown"),
    ("the whole day was mind numbingly dull", "unknown"),
    ("we're going to Canada in the fall", "unknown"),
    ("the water flow from the tap is weak", "unknown"),
    ("I've got cabin fever", "unknown"),
    ("my tea's gone cold", "unknown"),
    ("the turkey is still frozen in the centre", "unknown"),
    ("my cardigan has stretched in the wash", "unknown"),
    ("my top shrank in the tumble dryer", "unknown"),
    ("what's the best ice pack for a cold compress", "relief.cold"),
    ("I put frozen peas on my hip", "relief.cold"),
    ("the water pressure in the shower is weak, and my leg feels weak too", "redflag.weakness"),
])
def test_eighth_round_other_senses_both_ways(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected


@pytest.mark.parametrize("text,expected", [
    ("oh it's cramping again", "relief.general"),
    ("my hip flexor locks up when I lift my leg", "relief.hip_flexor"),
    ("set reminders for me to get up and walk about", "reminder.start"),
    ("where should my feet go when I sit at my desk", "info.ergonomics"),
    ("can I stay in it a bit more", "control.longer"),
    ("this stretch is making it worse", "control.hurts"),
    ("let's start", "control.start"),
])
def test_eighth_round_classes(nlu: Understander, text: str, expected: str) -> None:
    assert nlu.understand(text).intent == expected
