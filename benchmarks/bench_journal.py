"""Journal cost on this machine: write latency, a year of typical use on disk, and query times."""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Callable

from voicecare.journal import Journal

WRITES = 300
"""Single records timed one by one (each is its own committed transaction)."""
YEAR_START = datetime(2025, 1, 6, 7, 0)


def typical_day(day: datetime, rng: random.Random) -> list[tuple[str, dict[str, Any], datetime]]:
    """About what one day of use records: reminders through the waking hours, a spasm or two, a session."""
    records: list[tuple[str, dict[str, Any], datetime]] = []
    for hour in range(9, 21):
        at = day.replace(hour=hour)
        records.append(("reminder", {"state": "due", "kind": "movement"}, at))
        records.append(("reminder", {"state": "spoken", "kind": "movement"}, at))
        state = rng.choice(["acknowledged", "snoozed", "acknowledged", "deferred"])
        records.append(("reminder", {"state": state, "kind": "movement"}, at + timedelta(minutes=1)))
    for _ in range(rng.choice([0, 1, 1, 2])):
        at = day.replace(hour=rng.randrange(8, 22), minute=rng.randrange(60))
        muscle = rng.choice(["glute", "hip_flexor", "adductor", "general"])
        records.append(("episode", {"muscle": muscle, "side": rng.choice(["left", "right", None])}, at))
        records.append(("pain", {"when": "start", "rating": rng.randrange(4, 9), "muscle": muscle}, at))
        records.append(("pain", {"when": "end", "rating": rng.randrange(0, 5), "muscle": muscle}, at + timedelta(minutes=8)))
    at = day.replace(hour=18)
    records.append(("session", {"routine": "daily_stretch", "steps_done": 0, "steps_total": 8, "completed": False, "state": "started"}, at))
    records.append(("session", {"routine": "daily_stretch", "steps_done": 8, "steps_total": 8, "completed": True, "state": "completed"}, at + timedelta(minutes=18)))
    if rng.random() < 0.02:
        records.append(("red_flag", {"flag": "redflag.persistent", "severity": "routine"}, at))
    return records


def timed(action: Callable[[], Any], repeat: int = 5) -> float:
    """Median seconds of ``repeat`` runs."""
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    rng = random.Random(1)
    rows: list[tuple[str, str]] = []
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / "journal.sqlite3"

        with Journal.open(path) as journal:
            latencies = []
            for n in range(WRITES):
                start = time.perf_counter()
                journal.record("reminder", {"state": "spoken", "kind": "movement"}, YEAR_START + timedelta(seconds=n))
                latencies.append(time.perf_counter() - start)
        latencies.sort()
        rows.append(("write one record (median)", f"{statistics.median(latencies) * 1000:.2f} ms"))
        rows.append(("write one record (95th percentile)", f"{latencies[int(0.95 * len(latencies))] * 1000:.2f} ms"))
        rows.append(("write throughput, one commit each", f"{len(latencies) / sum(latencies):.0f} records/s"))
        path.unlink()

        year = [item for d in range(365) for item in typical_day(YEAR_START + timedelta(days=d), rng)]
        start = time.perf_counter()
        with Journal.open(path) as journal:
            for kind, data, when in year:
                journal.record(kind, data, when)
        fill_seconds = time.perf_counter() - start
        rows.append(("a year of typical use", f"{len(year)} records ({len(year) / 365:.0f}/day)"))
        rows.append(("  written in", f"{fill_seconds:.1f} s"))
        rows.append(("  file size after a year", f"{path.stat().st_size / 1024:.0f} KiB"))

        now = YEAR_START + timedelta(days=364, hours=12)
        rows.append(("open a year-old journal (with integrity check)", f"{timed(lambda: Journal.open(path).close()) * 1000:.1f} ms"))
        with Journal.open(path) as journal:
            rows.append(("history, 4 weeks", f"{timed(lambda: journal.history(now, 4)) * 1000:.2f} ms"))
            rows.append(("history, 52 weeks", f"{timed(lambda: journal.history(now, 52)) * 1000:.2f} ms"))
            rows.append(("pattern_due", f"{timed(lambda: journal.pattern_due(now)) * 1000:.2f} ms"))
            rows.append(("recent_episodes, 7 days", f"{timed(lambda: journal.recent_episodes(now, 7)) * 1000:.2f} ms"))
        rows.append(("history snapshot (read-only copy + 4 weeks)", f"{timed(lambda: _snapshot_history(path, now)) * 1000:.1f} ms"))

    width = max(len(name) for name, _ in rows)
    print(f"{'journal benchmark'.ljust(width)}  value")
    print(f"{'-' * width}  {'-' * 24}")
    for name, value in rows:
        print(f"{name.ljust(width)}  {value}")


def _snapshot_history(path: Path, now: datetime) -> None:
    with Journal.open_read_only(path) as snapshot:
        snapshot.history(now, 4)


if __name__ == "__main__":
    main()
