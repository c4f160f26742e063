"""Make docs/report.png: the top of a report of four simulated weeks, as headless Chromium shows it.

Run from the repository: ``.venv/bin/python -m scripts.report_picture`` (needs chromium).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from benchmarks.bench_report import fill
from voicecare.cli import main as voicecare

WIDTH, HEIGHT = 860, 1840
"""CSS pixels of the picture: the signs, the key figures and the first charts."""


def main() -> int:
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("Error: chromium is not installed — apt-get install chromium", file=sys.stderr)
        return 1
    today = date.today()
    first = today - timedelta(days=today.weekday()) - timedelta(weeks=5)
    target = Path("docs/report.png").resolve()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        fill(folder / "journal.sqlite3", 4, first)
        page = folder / "report.html"
        voicecare(["report", "--from", first.isoformat(), "--to", (first + timedelta(days=27)).isoformat(),
                   "--db", str(folder / "journal.sqlite3"), "--out", str(page)])
        subprocess.run([chromium, "--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                        "--force-device-scale-factor=1", f"--window-size={WIDTH},{HEIGHT}",
                        f"--user-data-dir={folder / 'profile'}", f"--screenshot={target}", page.as_uri()],
                       check=True, timeout=120, capture_output=True)
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
