"""How fast the spoken texts load, and how ear-friendly they are (sentence lengths)."""

from __future__ import annotations

import statistics
import time

from voicecare.content.texts import load_texts


def main() -> None:
    """Print load time and sentence-length figures as a plain table."""
    runs = 50
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        texts = load_texts()
        times.append(time.perf_counter() - start)
    lines = [line for a in texts.answers.values() for line in a.say + a.more]
    lines += [line for f in texts.red_flags.values() for line in f.say]
    lines += [line for variants in texts.dialog.values() for line in variants]
    words = [len(line.split()) for line in lines]
    rows = [
        ("load_texts median (ms)", f"{statistics.median(times) * 1000:.2f}"),
        ("load_texts max (ms)", f"{max(times) * 1000:.2f}"),
        ("answers / red flags / prompts", f"{len(texts.answers)} / {len(texts.red_flags)} / {len(texts.dialog)}"),
        ("spoken lines", str(len(lines))),
        ("median words per line", f"{statistics.median(words):.0f}"),
        ("lines with <= 12 words", f"{sum(w <= 12 for w in words) / len(words):.0%}"),
        ("longest line (words)", str(max(words))),
    ]
    width = max(len(name) for name, _ in rows)
    print(f"{'measure':<{width}}  value")
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
