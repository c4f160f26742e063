"""Understanding accuracy, red-flag recall, unknown precision/recall and latency per data set.

Run: ``.venv/bin/python -m benchmarks.bench_understanding [--sets dev,tune]``. Evaluates every
``*.tsv`` in tests/data/ and benchmarks/data/ whose header names the columns text and intent (side
optional). tests/data/nlu_dev.tsv is "dev"; benchmarks/data/heldout_text.tsv is "tune" and
heldout_v2.tsv is "tune2", heldout_v3.tsv "tune3", heldout_v4.tsv "tune4", heldout_v5.tsv "tune5", heldout_v6.tsv "tune6" and heldout_v7.tsv "tune7" (the matcher has been tuned against them, and their
rows are in content/intents.toml as heard utterances); any other set is named after its file.

Then the comparison table of the issue on the newest held-out set (``--table NAME`` for another,
``--file PATH`` for a set outside the repository): voicecare (the learned model deciding, the rules
guarding), the rules alone, the model alone, and a peer trained on voicecare's own phrases; the
sense heads (whose body, when, denied) on the same set's red flags and on the hand-labelled sense
check; with latency per utterance, load time, peak memory and the Raspberry Pi 4 estimate.
``--quick`` prints only the tables.
"""

from __future__ import annotations

import argparse
import csv
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from voicecare.messages import RED_FLAG_SEVERITY
from voicecare.nlu import Understander

from benchmarks.understanding_table import peer, print_resources, print_table, score

ROOT = Path(__file__).resolve().parents[1]
DATA_DIRS = (ROOT / "tests" / "data", ROOT / "benchmarks" / "data")
NAMES = {"nlu_dev": "dev", "heldout_text": "tune", "heldout_v2": "tune2", "heldout_v3": "tune3", "heldout_v4": "tune4", "heldout_v5": "tune5", "heldout_v6": "tune6", "heldout_v7": "tune7"}
"""Set names for files whose stem says little about their role."""


def discover(wanted: frozenset[str] | None = None) -> dict[str, Path]:
    """Every labelled text set: name -> path, for TSV files with a text/intent header.

    With ``wanted``, files of other names are not opened at all (an evaluation set stays unseen).
    """
    found: dict[str, Path] = {}
    for folder in DATA_DIRS:
        for path in sorted(folder.glob("*.tsv")):
            if wanted is not None and NAMES.get(path.stem, path.stem) not in wanted:
                continue
            with path.open(encoding="utf-8") as handle:
                header = handle.readline().rstrip("\n").lower().split("\t")
            if header[:2] == ["text", "intent"]:
                found[NAMES.get(path.stem, path.stem)] = path
    return found


@dataclass(frozen=True, slots=True)
class Row:
    text: str
    intent: str
    side: str


def read_rows(path: Path) -> list[Row]:
    """Rows of a text<TAB>intent[<TAB>side] file; a header line starting with "text" is skipped."""
    rows: list[Row] = []
    with path.open(newline="", encoding="utf-8") as handle:
        for fields in csv.reader(handle, delimiter="\t"):
            if not fields or fields[0].startswith("#") or fields[0].strip().lower() == "text":
                continue
            if len(fields) < 2:
                continue
            side = fields[2].strip() if len(fields) > 2 else ""
            rows.append(Row(fields[0], fields[1].strip(), side))
    return rows


def evaluate(nlu: Understander, name: str, rows: list[Row]) -> list[str]:
    """Print one block of figures for one data set; return the misses."""
    latencies: list[float] = []
    hits = red_total = red_hit = false_red = non_red = 0
    unk_tp = unk_pred = unk_true = side_total = side_hit = 0
    misses: list[str] = []
    for row in rows:
        start = time.perf_counter()
        got = nlu.understand(row.text)
        latencies.append((time.perf_counter() - start) * 1000.0)
        ok = got.intent == row.intent
        hits += ok
        if row.intent in RED_FLAG_SEVERITY:
            red_total += 1
            red_hit += got.severity is RED_FLAG_SEVERITY[row.intent]
        else:
            non_red += 1
            false_red += got.is_red_flag
        unk_true += row.intent == "unknown"
        unk_pred += got.intent == "unknown"
        unk_tp += row.intent == "unknown" and got.intent == "unknown"
        if row.side:
            side_total += 1
            side_hit += got.slots.get("side") == row.side
        if not ok:
            misses.append(f"  {row.text!r}: expected {row.intent}, got {got.intent} ({got.score:.2f})")
    n = len(rows)
    lat = sorted(latencies)
    p95 = lat[min(n - 1, int(0.95 * n))] if n else 0.0

    def pct(a: int, b: int) -> str:
        return f"{100.0 * a / b:6.1f}%" if b else "    n/a"

    print(f"{name} ({n} utterances)")
    print(f"  {'intent accuracy':34} {pct(hits, n)}")
    print(f"  {'red-flag recall, right severity':34} {pct(red_hit, red_total)}  ({red_hit}/{red_total})")
    print(f"  {'false red flags on other rows':34} {pct(false_red, non_red)}  ({false_red}/{non_red})")
    print(f"  {'unknown precision':34} {pct(unk_tp, unk_pred)}  ({unk_tp}/{unk_pred})")
    print(f"  {'unknown recall':34} {pct(unk_tp, unk_true)}  ({unk_tp}/{unk_true})")
    print(f"  {'side slot accuracy':34} {pct(side_hit, side_total)}  ({side_hit}/{side_total})")
    print(f"  {'latency median / p95 (ms)':34} {statistics.median(latencies) if n else 0:7.3f} / {p95:.3f}")
    return misses


def newest_heldout() -> str | None:
    """The name of the newest ``heldout_vN`` set in benchmarks/data."""
    numbered = [(int(p.stem.removeprefix("heldout_v")), p.stem) for p in (ROOT / "benchmarks" / "data").glob("heldout_v*.tsv")
                if p.stem.removeprefix("heldout_v").isdigit()]
    return NAMES.get(max(numbered)[1], max(numbered)[1]) if numbered else None


def table(nlu: Understander, name: str, rows: list[Row]) -> None:
    """The issue's comparison table on one set, then resources."""
    from voicecare.content.intents import load_intents

    pairs = [(r.text, r.intent) for r in rows]
    systems = {"voicecare": score(lambda t: nlu.understand(t).intent, pairs)}
    if nlu.learned:
        systems["rules alone"] = score(lambda t: nlu.explain(t).rules.intent, pairs)
        systems["model alone"] = score(lambda t: nlu.explain(t).opinion.intent, pairs)
    phrases = load_intents()
    other = peer(dict(phrases))
    label = f"TF-IDF char n-grams + logistic regression, voicecare's own {sum(map(len, phrases.values()))} phrases"
    if other is not None:
        systems[label] = score(other, pairs)
    else:
        print("(peer left out: it needs scikit-learn — pip install -e '.[train]')")
    print()
    print_table(name, systems)
    if nlu.learned:
        print()
        print_heads(nlu, name, rows)
    print()
    print_resources(systems["voicecare"])


SENSE_CHECK = ROOT / "voicecare" / "nlu" / "training" / "data" / "sense_check.tsv"
"""Hand-labelled rows (text, intent, who, when, denied) no training source reads."""


def print_heads(nlu: Understander, name: str, rows: list[Row]) -> None:
    """Each sense head: on the set's red flags (by their label: a body we look after, now, not denied), on the
    set's other rows the model called a red flag, and per label on the hand-labelled sense check."""
    from voicecare.nlu.model import CURRENT, OUR_BODIES

    def opinion(text: str):
        return nlu.explain(text).opinion

    red = [opinion(r.text) for r in rows if r.intent in RED_FLAG_SEVERITY]
    print(f"| sense heads | {name}: red flags ({len(red)}) | hand-labelled sense check |")
    print("|---|---|---|")
    checked = list(csv.reader(SENSE_CHECK.open(encoding="utf-8"), delimiter="\t"))[1:]
    checked = [c for c in checked if c and not c[0].startswith("#")]
    ops = [opinion(c[0]) for c in checked]

    def pct(a: int, b: int) -> str:
        return f"{100.0 * a / b:.1f}% ({a}/{b})" if b else "n/a"

    who_red = sum(o.head("who") in OUR_BODIES for o in red)
    when_red = sum(o.head("when") in CURRENT for o in red)
    denied_red = sum(o.denied < 0.5 for o in red)
    print(f"| who: a body we look after | {pct(who_red, len(red))} | {pct(sum(o.head('who') == c[2] for o, c in zip(ops, checked)), len(checked))} exact label |")
    print(f"| when: now or lately | {pct(when_red, len(red))} | {pct(sum(o.head('when') == c[3] for o, c in zip(ops, checked)), len(checked))} exact label |")
    print(f"| denied: not denied | {pct(denied_red, len(red))} | {pct(sum((o.denied >= 0.5) == (c[4] == 'yes') for o, c in zip(ops, checked)), len(checked))} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", help="comma-separated set names to evaluate (default: every set found)")
    parser.add_argument("--table", help="set to print the comparison table for (default: the newest held-out set)")
    parser.add_argument("--file", type=Path, help="a text/intent TSV elsewhere to print the comparison table for")
    parser.add_argument("--quick", action="store_true", help="print only the comparison table")
    args = parser.parse_args(argv)
    wanted = [name.strip() for name in args.sets.split(",") if name.strip()] if args.sets else []
    table_name = args.table or (None if args.file else newest_heldout())
    if args.quick:
        wanted = [table_name] if table_name else ["none"]
        if args.file:
            wanted = []
    sets = discover(frozenset(wanted) if wanted or args.quick else None)
    if wanted:
        missing = [name for name in wanted if name not in sets]
        if missing:
            parser.error(f"no set named {', '.join(missing)}; found: {', '.join(sets)}")
        sets = {name: sets[name] for name in wanted}
    if args.file is not None and not args.file.is_file():
        print(f"Error: no file {args.file} — give a text<TAB>intent TSV", file=sys.stderr)
        raise SystemExit(2)
    start = time.perf_counter()
    nlu = Understander.load()
    print(f"load: {(time.perf_counter() - start) * 1000.0:.0f} ms ({'rules and learned model' if nlu.learned else 'rules alone'})")
    for text in ("warm up", "my hip is cramping"):  # first calls fill caches
        nlu.understand(text)
    if not args.quick:
        for name, path in sets.items():
            misses = evaluate(nlu, name, read_rows(path))
            print(f"  misses ({len(misses)}):")
            for line in misses:
                print(line)
    if args.file is not None:
        table(nlu, args.file.stem, read_rows(args.file))
    elif table_name:
        path = sets.get(table_name) or discover(frozenset({table_name})).get(table_name)
        if path is None:
            parser.error(f"no set named {table_name}")
        table(nlu, table_name, read_rows(path))


if __name__ == "__main__":
    main()
