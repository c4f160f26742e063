"""Time and peak memory to build ``voicecare report`` for a year of use (``--quick``: 13 weeks).

The year is lived through the real assistant core on a virtual clock (the four-week story of
``voicecare.report.simulate.four_weeks`` over and over), into a journal file. Then the report
is built in this process, phase by phase (CPU time), and by
the real command in a child process (wall time and peak resident memory, matplotlib included).
"""

from __future__ import annotations

import argparse
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable

from voicecare.config import load_config
from voicecare.journal import Journal
from voicecare.journal.extract import extract
from voicecare.report import flags
from voicecare.report.html import render
from voicecare.report.load import LOOKBACK_DAYS, make_report
from voicecare.report.pdf import write_pdf
from voicecare.report.simulate import Person, four_weeks
from voicecare.runtime.build import build_brain

TABLES = ("episodes", "pain", "sessions", "hurts", "reminders", "red_flags")


def fill(path: Path, weeks: int, first: date) -> tuple[int, float]:
    """Live ``weeks`` weeks from ``first`` into a journal file; return the rows written and the seconds taken."""
    started = time.perf_counter()
    memory = Journal.memory()
    brain = build_brain(load_config(None), memory, wake_phrase="off")
    story = four_weeks()
    Person.build(brain, memory, first).live([story[n % len(story)] for n in range(weeks * 7)])
    Journal.open(path).close()  # the schema, as the assistant creates it
    rows = 0
    with sqlite3.connect(path) as conn:  # one transaction: the file journal commits each record on its own
        for table in TABLES:
            found = memory.select(f"SELECT * FROM {table}")
            if found:
                marks = ", ".join("?" for _ in found[0])
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", found)
                rows += len(found)
    with sqlite3.connect(path) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # so the file's size is the journal's size
    return rows, time.perf_counter() - started


def measured(action: Callable[[], Any]) -> tuple[Any, float]:
    """(result, CPU seconds) of one run of ``action``: the machine may be shared, so wall time would vary."""
    started = time.process_time()
    result = action()
    return result, time.process_time() - started


def command(args: list[str]) -> tuple[float, float, float]:
    """(wall seconds, CPU seconds, peak resident MiB) of ``voicecare`` run in a child process, start-up included."""
    # VmHWM is this process's own peak; ru_maxrss would carry over the (larger) benchmark process's peak from fork.
    code = ("import resource, sys, time; t = time.perf_counter(); from voicecare.cli import main; rc = main(sys.argv[1:]);"
            " u = resource.getrusage(resource.RUSAGE_SELF);"
            " peak = next(l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM:'));"
            " print(time.perf_counter() - t, u.ru_utime + u.ru_stime, peak); sys.exit(rc)")
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=600)
    if done.returncode != 0:
        raise RuntimeError(done.stderr.strip())
    seconds, cpu, peak_kib = done.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(cpu), int(peak_kib) / 1024


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="13 weeks instead of 52")
    options = parser.parse_args(argv)
    weeks = 13 if options.quick else 52
    today = date.today()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks + 1)
    last = first + timedelta(weeks=weeks) - timedelta(days=1)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        path = folder / "journal.sqlite3"
        count, seconds = fill(path, weeks, first)
        rows.append((f"journal: {weeks} weeks lived through the core", f"{count} rows, {path.stat().st_size / 2**20:.1f} MiB"
                     f" (made in {seconds:.0f} s)"))
        brain = build_brain(load_config(None), None, wake_phrase="off")
        content = {"programme": brain.programme, "texts": brain.texts}

        journal, seconds = measured(lambda: Journal.open_read_only(path))
        rows.append(("open a read-only snapshot", f"{seconds * 1000:.0f} ms"))
        _, seconds = measured(lambda: extract(journal, first - timedelta(days=LOOKBACK_DAYS), last))
        rows.append(("read the rows", f"{seconds * 1000:.0f} ms"))
        report, seconds = measured(lambda: make_report(journal, first, last, **content))
        rows.append((f"numbers and signs ({len(flags.RULES)} signs, {len(report.days)} days)", f"{seconds * 1000:.0f} ms"))
        html, seconds = measured(lambda: render(report))
        rows.append(("HTML with 4 charts", f"{seconds:.2f} s, {len(html) / 1024:.0f} KiB"))
        pages, seconds = measured(lambda: write_pdf(report, folder / "inline.pdf"))
        rows.append(("PDF", f"{seconds:.2f} s, {pages} pages"))
        journal.close()

        span = ["--from", first.isoformat(), "--to", last.isoformat(), "--db", str(path)]
        seconds, cpu, peak = command(["history", "--db", str(path), "--weeks", "52"])
        rows.append(("for comparison: voicecare history --weeks 52", f"{seconds:.2f} s ({cpu:.2f} s CPU), peak RSS {peak:.0f} MiB"))
        for label, extra in (("voicecare report (HTML), whole command", ["--out", str(folder / "report.html")]),
                             ("voicecare report --pdf, whole command", ["--pdf", "--out", str(folder / "report.pdf")])):
            seconds, cpu, peak = command(["report", *span, *extra])
            rows.append((label, f"{seconds:.2f} s ({cpu:.2f} s CPU), peak RSS {peak:.0f} MiB"))
        seconds, cpu, peak = command(["report", "--week", "--db", str(path), "--out", str(folder / "week.html")])
        rows.append(("voicecare report --week (HTML)", f"{seconds:.2f} s ({cpu:.2f} s CPU), peak RSS {peak:.0f} MiB"))

    width = max(len(name) for name, _ in rows)
    print(f"{'report benchmark'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 40}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
