"""The labelled rows the classifier learns from, each tagged with where it came from.

Sources: the phrases in content/intents.toml, the tuning sets in tests/data and benchmarks/data,
the generated corpora (``corpus``, and ``sense`` with its sense labels), and the independently
written corpus in ``training/data``. Sets that must stay unseen (any set newer than the last one
named in ``TUNING_SETS``) are never read here.
"""

from __future__ import annotations

import csv
import functools
from dataclasses import dataclass
from pathlib import Path

from voicecare.content.intents import load_intent_content
from voicecare.content.loader import DEFAULT_CONTENT_DIR
from voicecare.nlu.extra import ALL_INTENTS
from voicecare.nlu.normalize import normalize
from voicecare.nlu.training.corpus import generate
from voicecare.nlu.training.sense import generate_sense, with_sense

ROOT = Path(__file__).resolve().parents[3]
DATA_DIR = Path(__file__).resolve().parent / "data"
TUNING_SETS = ("tests/data/nlu_dev.tsv", "benchmarks/data/heldout_text.tsv", "benchmarks/data/heldout_v2.tsv",
               "benchmarks/data/heldout_v3.tsv", "benchmarks/data/heldout_v4.tsv", "benchmarks/data/heldout_v5.tsv",
               "benchmarks/data/heldout_v6.tsv", "benchmarks/data/heldout_v7.tsv", "benchmarks/data/heldout_v8.tsv",
               "benchmarks/data/heldout_v9.tsv", "benchmarks/data/heldout_v10.tsv", "benchmarks/data/heldout_v11.tsv",
               "benchmarks/data/heldout_v12.tsv", "benchmarks/data/heldout_v13.tsv", "benchmarks/data/heldout_v14.tsv",
               "benchmarks/data/heldout_v15.tsv")
"""Sets already used to tune the rules, or measured once and then learned from: fair to learn from.
The guards are chosen by leaving groups of them out in turn (``select.FOLDS``)."""
WRITTEN_CORPUS = "train_corpus.tsv"
"""The independently written training corpus (text, intent, side), in ``DATA_DIR``."""


@dataclass(frozen=True, slots=True)
class Example:
    """One labelled utterance and the source it came from."""

    text: str
    intent: str
    side: str
    source: str
    who: str = ""
    """Sense labels (``voicecare.nlu.model.WHO``, ``WHEN``, ``no``/``yes``); empty where unlabelled."""
    when: str = ""
    denied: str = ""


def read_tsv(path: Path, source: str) -> list[Example]:
    """Rows of a text<TAB>intent[<TAB>side] file with a header; unknown intent ids are a ValueError."""
    rows: list[Example] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for n, fields in enumerate(csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)):
            if not fields or not fields[0].strip() or fields[0].startswith("#"):
                continue
            if n == 0 and fields[0].strip().lower() == "text":
                continue
            if len(fields) < 2:
                raise ValueError(f"{path}:{n + 1}: expected text<TAB>intent")
            intent = fields[1].strip()
            if intent not in ALL_INTENTS:
                raise ValueError(f"{path}:{n + 1}: unknown intent {intent!r}")
            side = fields[2].strip() if len(fields) > 2 else ""
            rows.append(Example(fields[0].strip(), intent, side, source))
    return rows


def content_rows(content_dir: Path = DEFAULT_CONTENT_DIR) -> list[Example]:
    """Every phrase of content/intents.toml (examples and heard utterances)."""
    return [Example(text, intent, "", "content")
            for intent, phrases in load_intent_content(content_dir).combined().items() for text in phrases]


def training_rows(include_written: bool = True) -> list[Example]:
    """All training rows, deduplicated on normalised text (the first label of a text wins)."""
    rows = content_rows()
    for relative in TUNING_SETS:
        rows += read_tsv(ROOT / relative, Path(relative).stem)
    rows += [Example(t, i, s, "generated") for t, i, s in generate()]
    rows += [Example(r.text, r.intent, "", "sense", r.who, r.when, r.denied) for r in generate_sense()]
    written = DATA_DIR / WRITTEN_CORPUS
    if include_written and written.is_file():
        rows += read_tsv(written, "written")
    return [with_sense(r) for r in dedupe(rows)]


def dedupe(rows: list[Example]) -> list[Example]:
    """First occurrence of each normalised text."""
    seen: set[str] = set()
    out: list[Example] = []
    for row in rows:
        key = normalize(row.text)
        if key and key not in seen:
            seen.add(key)
            out.append(row)
    return out


def blind_set(name: str) -> list[Example]:
    """The rows of one blind set of ``TUNING_SETS`` by its file's stem (``heldout_v9``), labelled with sense."""
    path = next(ROOT / p for p in TUNING_SETS if Path(p).stem == name)
    return [with_sense(r) for r in read_tsv(path, name)]


__all__ = ["ANY_RED_FLAG", "DATA_DIR", "Example", "ROOT", "TUNING_SETS", "blind_set", "content_rows", "dedupe", "read_tsv",
           "regression_forbidden", "regression_rows", "training_rows"]


REGRESSION_TESTS = "tests/test_understanding.py"
"""The rules' own behaviour tests: the combination is chosen so as to keep what they ask for."""


ANY_RED_FLAG = "redflag.*"
"""The intent a "no red flag" case forbids: every red flag."""


def regression_rows() -> list[Example]:
    """(text, intent) pairs from the parametrised cases of the rules' tests, collected by pytest itself."""
    return [with_sense(r) for r in dedupe([row for row in _regression_cases() if row.source == "regression"])]


def regression_forbidden() -> list[Example]:
    """The cases of the rules' tests that say what a text must not be; ``intent`` is the forbidden one.

    ``not_expected`` cases forbid that intent; a case with only a text, in a test that asserts no
    red flag, forbids ``ANY_RED_FLAG``.
    """
    return [row for row in _regression_cases() if row.source == "forbidden"]


@functools.lru_cache(maxsize=1)
def _regression_cases() -> tuple[Example, ...]:
    """Every case of the rules' tests, labelled or forbidding, collected once by pytest itself."""
    import pytest

    class Collector:
        items: list = []

        def pytest_collection_modifyitems(self, items: list) -> None:
            self.items = list(items)

    import contextlib
    import io

    collector = Collector()
    with contextlib.redirect_stdout(io.StringIO()):
        pytest.main(["--collect-only", "-qq", "-p", "no:cacheprovider", str(ROOT / REGRESSION_TESTS)],
                    plugins=[collector])
    rows: list[Example] = []
    for item in collector.items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            continue
        intent = params.get("expected", params.get("flag"))
        if intent in ALL_INTENTS:
            rows.append(Example(text, intent, "", "regression"))
        elif params.get("not_expected") in ALL_INTENTS:
            rows.append(Example(text, params["not_expected"], "", "forbidden"))
        elif set(params) == {"text"} and (asserted := _asserted_intent(item.function)) in ALL_INTENTS:
            rows.append(Example(text, asserted, "", "regression"))
        elif set(params) == {"text"} and _asserts_no_red_flag(item.function):
            rows.append(Example(text, ANY_RED_FLAG, "", "forbidden"))
    return tuple(rows)


def _asserted_intent(function: object) -> str | None:
    """The one intent a test's body asserts for every text (``intent == "control.no"``), if any."""
    import inspect
    import re

    named = set(re.findall(r'\.intent == "([a-z_.]+)"', inspect.getsource(function)))
    return named.pop() if len(named) == 1 else None


def _asserts_no_red_flag(function: object) -> bool:
    """True when a test's body asserts that its text is no red flag."""
    import inspect

    source = inspect.getsource(function)
    return "assert not" in source and ".is_red_flag" in source
