"""The report as one self-contained HTML file: charts embedded as data URIs, nothing fetched from anywhere.

Readable on a phone (one column, tables scroll sideways) and printable on A4 (print styles keep
each chart and table on one page where they fit).
"""

from __future__ import annotations

import base64
import logging
from html import escape

from voicecare.report import charts, tables
from voicecare.report.model import Report

log = logging.getLogger(__name__)

PHONE = "(max-width: 36rem)"
"""Screens this narrow get charts drawn for their width (and the one-column layout)."""
STYLE = """
:root { color-scheme: light; --ink: #1d232a; --muted: #5b6570; --line: #d9dee3; --warn: #9a3412; --warn-bg: #fff4ec;
  --ok-bg: #eef8f3; --ok: #1e6b4a; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", sans-serif;
  color: var(--ink); background: #f6f7f9; }
main { max-width: 56rem; margin: 0 auto; padding: 1rem; background: #fff; }
h1 { font-size: 1.6rem; margin: 0.2rem 0; }
h2 { font-size: 1.2rem; margin: 1.6rem 0 0.5rem; border-bottom: 1px solid var(--line); padding-bottom: 0.2rem; }
p.period { margin: 0; font-size: 1.05rem; }
p.small, figcaption, footer { color: var(--muted); font-size: 0.85rem; }
.notice { border-left: 4px solid var(--warn); background: var(--warn-bg); padding: 0.6rem 0.8rem; margin: 0.8rem 0; }
.signs { border: 2px solid var(--warn); background: var(--warn-bg); border-radius: 6px; padding: 0.4rem 0.9rem; }
.signs.none { border-color: var(--ok); background: var(--ok-bg); }
.signs h2 { border: 0; margin-top: 0.5rem; }
.signs li { margin: 0.4rem 0; }
dl.figures { display: grid; grid-template-columns: minmax(9rem, max-content) 1fr; gap: 0.3rem 1rem; margin: 0; }
dl.figures dt { font-weight: 600; }
dl.figures dd { margin: 0; }
figure { margin: 1rem 0; break-inside: avoid; }
figure img { display: block; width: 100%; height: auto; border: 1px solid var(--line); }
.scroll { overflow-x: auto; }
table { border-collapse: collapse; width: 100%; font-size: 0.9rem; }
th, td { text-align: left; padding: 0.3rem 0.5rem; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: #eef1f4; }
section { break-inside: avoid; }
@media (max-width: 36rem) { body { font-size: 15px; } dl.figures { grid-template-columns: 1fr; }
  dl.figures dd { margin-bottom: 0.4rem; } main { padding: 0.7rem; } }
@media print { @page { size: A4; margin: 14mm; } body { background: #fff; font-size: 11pt; }
  main { max-width: none; padding: 0; } .scroll { overflow: visible; } table { font-size: 9pt; }
  figure img { border: 0; width: auto; max-width: 100%; max-height: 66mm; margin: 0 auto; }
  h2 { break-after: avoid; } }
"""


def render(report: Report, *, with_charts: bool = True) -> str:
    """The whole HTML document; charts only when matplotlib is there (else a line on how to get them)."""
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        # Nothing may be loaded from anywhere: images are data URIs, the style is inline.
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; img-src data:; "
        "style-src 'unsafe-inline'\">",
        f"<title>Hip spasm report, {escape(tables.period_label(report))}</title>",
        f"<style>{STYLE}</style></head><body><main>",
        "<header><h1>Hip spasm report</h1>",
        f'<p class="period">{escape(tables.period_label(report))}</p>',
        f'<p class="small">Made {escape(tables.time_label(report.made))}. {escape(tables.DISCLAIMER)}</p></header>',
    ]
    parts += [f'<p class="notice" role="note">{escape(note)}</p>' for note in report.notes]
    if report.is_empty:
        parts.append('<p class="notice" role="note">Nothing was recorded in these days. When the assistant is used, '
                     "spasms, pain ratings, sessions, reminders and red flags appear here.</p>")
    parts += _signs(report)
    parts += ["<section><h2>In short</h2>", '<dl class="figures">']
    parts += [f"<dt>{escape(label)}</dt><dd>{escape(value)}</dd>" for label, value in tables.key_figures(report)]
    parts += ["</dl></section>"]
    parts += _charts(report, with_charts)
    for table in tables.all_tables(report):
        parts += _table(table)
    parts += [f"<footer><p>{escape(tables.PRIVACY)}</p></footer>", "</main></body></html>"]
    return "\n".join(parts) + "\n"


def _signs(report: Report) -> list[str]:
    table = tables.signs(report)
    if not table.rows:
        return ['<section class="signs none"><h2>Signs to discuss</h2>', f"<p>{escape(table.empty)}</p></section>"]
    items = [f"<li><strong>{escape(title)}</strong> — seen on {escape(days)}. {escape(detail)}</li>"
             for title, days, detail in table.rows]
    return ['<section class="signs"><h2>Signs to discuss with a GP or physiotherapist</h2><ul>', *items, "</ul></section>"]


def _charts(report: Report, with_charts: bool) -> list[str]:
    if not with_charts or not charts.available():
        return ['<p class="notice" role="note">Charts are not included: they need matplotlib. Install it with '
                f"<code>{escape(charts.INSTALL_HINT)}</code> and make the report again.</p>"]
    parts = ["<h2>Day by day</h2>"]
    for name, caption, draw in charts.CHARTS:
        wide = base64.b64encode(charts.png(draw, report, charts.WIDE)).decode("ascii")
        narrow = base64.b64encode(charts.png(draw, report, charts.NARROW)).decode("ascii")
        parts.append(f'<figure id="chart-{name}"><picture>'
                     f'<source media="screen and {PHONE}" srcset="data:image/png;base64,{narrow}">'
                     f'<img src="data:image/png;base64,{wide}" alt="{escape(caption)}"></picture>'
                     f"<figcaption>{escape(caption)}</figcaption></figure>")
    return parts


def _table(table: tables.Table) -> list[str]:
    parts = [f"<section><h2>{escape(table.title)}</h2>"]
    if not table.rows:
        return parts + [f"<p>{escape(table.empty)}</p></section>"]
    parts.append('<div class="scroll"><table><thead><tr>')
    parts += [f'<th scope="col">{escape(cell)}</th>' for cell in table.header]
    parts.append("</tr></thead><tbody>")
    for row in table.rows:
        parts.append("<tr>" + "".join(f"<td>{escape(cell)}</td>" for cell in row) + "</tr>")
    return parts + ["</tbody></table></div></section>"]
