"""Run every benchmark, each in its own process, then print a summary table.

``python -m benchmarks [--quick] [--only NAME,...]``: each ``bench_*.py`` module's ``main()``
runs in a subprocess (one failure does not stop the rest) and prints its own table;
``--quick`` is passed to the benchmarks that accept it.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
RUN_MAIN = "import sys; from benchmarks.{name} import main; sys.exit(main())"


@dataclass(frozen=True, slots=True)
class Outcome:
    """How one benchmark went."""

    name: str
    status: str
    seconds: float


def discover() -> list[str]:
    """Every benchmark module, by name, in alphabetical order."""
    return sorted(path.stem for path in HERE.glob("bench_*.py"))


def takes_quick(name: str) -> bool:
    """Whether the benchmark has a --quick option (read from its source, without importing it)."""
    return '"--quick"' in (HERE / f"{name}.py").read_text(encoding="utf-8")


def select(names: list[str], only: str | None) -> list[str]:
    """The benchmarks named in ``--only`` (with or without the ``bench_`` prefix)."""
    if not only:
        return names
    wanted = [w.strip() for w in only.split(",") if w.strip()]
    chosen = []
    for w in wanted:
        name = w if w.startswith("bench_") else f"bench_{w}"
        if name not in names:
            raise SystemExit(f"Error: no benchmark called {w!r} — use one of: "
                             f"{', '.join(n.removeprefix('bench_') for n in names)}")
        chosen.append(name)
    return chosen


def run_one(name: str, quick: bool, timeout: float | None) -> Outcome:
    """One benchmark in a child process; its output goes straight to ours."""
    argv = [sys.executable, "-c", RUN_MAIN.format(name=name)]
    if quick and takes_quick(name):
        argv.append("--quick")
    print(f"\n=== {name}{' --quick' if '--quick' in argv else ''} ===", flush=True)
    began = time.monotonic()
    try:
        code = subprocess.run(argv, cwd=HERE.parent, timeout=timeout, check=False).returncode
    except subprocess.TimeoutExpired:
        return Outcome(name, f"timed out after {timeout:.0f} s", time.monotonic() - began)
    status = "ok" if code == 0 else f"failed (exit {code})"
    return Outcome(name, status, time.monotonic() - began)


def summary(outcomes: list[Outcome]) -> str:
    """The closing table: benchmark, status, duration."""
    width = max([len("benchmark"), *(len(o.name) for o in outcomes)])
    status_width = max([len("status"), *(len(o.status) for o in outcomes)])
    lines = [f"{'benchmark':<{width}}  {'status':<{status_width}}  {'duration':>9}"]
    lines += [f"{o.name:<{width}}  {o.status:<{status_width}}  {o.seconds:>8.1f}s" for o in outcomes]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs, where a benchmark supports it")
    parser.add_argument("--only", metavar="NAMES", help="comma-separated benchmarks, e.g. latency,soak")
    parser.add_argument("--timeout", type=float, metavar="S", help="stop a benchmark after this many seconds")
    args = parser.parse_args(argv)
    outcomes = [run_one(name, args.quick, args.timeout) for name in select(discover(), args.only)]
    print("\n=== summary ===")
    print(summary(outcomes))
    return 0 if all(o.status == "ok" for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
