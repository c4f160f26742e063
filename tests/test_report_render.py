"""The report as people see it: the HTML in real headless Chromium (desktop, phone, A4 print), the PDF
rendered to images with pdftoppm."""

from __future__ import annotations

import io
import shutil
import subprocess
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from headless_chromium import Browser, chromium_binary
from voicecare.cli import main
from voicecare.journal import Journal

TODAY = date.today()
START = TODAY - timedelta(days=TODAY.weekday()) - timedelta(weeks=5)
END = START + timedelta(days=27)

needs_chromium = pytest.mark.skipif(chromium_binary() is None, reason="chromium is not installed")
needs_poppler = pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils is not installed")


@pytest.fixture(scope="module")
def journal_file(lived_weeks: tuple[Path, object]) -> Path:
    """Four weeks of use through the real core, in a journal file (see conftest)."""
    return lived_weeks[0]


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    if chromium_binary() is None:
        pytest.skip("chromium is not installed")
    opened = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield opened
    opened.close()


def make(journal_file: Path, out: Path, *extra: str) -> Path:
    args = ["report", "--from", START.isoformat(), "--to", END.isoformat(), "--db", str(journal_file), "--out", str(out)]
    assert main([*args, *extra]) == 0
    return out


def png_pixels(data: bytes) -> np.ndarray:
    import matplotlib.image as mpimg

    return mpimg.imread(io.BytesIO(data), format="png")


def ppm_pixels(path: Path) -> np.ndarray:
    """An RGB image from pdftoppm's plain PPM output (P6)."""
    raw = path.read_bytes()
    parts = raw.split(maxsplit=4)
    assert parts[0] == b"P6" and parts[3] == b"255"
    width, height = int(parts[1]), int(parts[2])
    return np.frombuffer(parts[4][: width * height * 3], dtype=np.uint8).reshape(height, width, 3)


def page_count(pdfinfo: str) -> int:
    return int(next(line.split()[-1] for line in pdfinfo.splitlines() if line.startswith("Pages:")))


def coloured_fraction(rgb: np.ndarray) -> float:
    """Share of pixels that are clearly coloured (not white, grey or black): chart bars and dots."""
    rgb = rgb[..., :3].astype(float)
    if rgb.max() <= 1.0:
        rgb = rgb * 255
    spread = rgb.max(axis=-1) - rgb.min(axis=-1)
    return float((spread > 60).mean())


# ------------------------------------------------------------------ HTML in Chromium


@needs_chromium
def test_html_renders_with_visible_charts_and_no_console_errors(journal_file: Path, browser: Browser,
                                                                tmp_path: Path) -> None:
    page = make(journal_file, tmp_path / "report.html")
    browser.open(page.as_uri(), 900, 1200)
    images = browser.evaluate(
        "[...document.images].map(i => { const r = i.getBoundingClientRect();"
        " return {w: r.width, h: r.height, natural: i.naturalWidth, done: i.complete, alt: i.alt}; })")
    assert len(images) == 4
    for image in images:
        assert image["done"] and image["natural"] > 600 and image["w"] > 500 and image["h"] > 150, image
    assert browser.problems() == []
    assert browser.evaluate("document.title").startswith("Hip spasm report")
    assert "Spasms on 3 of the last 5 days" in browser.evaluate("document.body.innerText")
    shot = browser.screenshot()
    (tmp_path / "report.png").write_bytes(shot)
    pixels = png_pixels(shot)
    assert pixels.shape[0] > 2000 and pixels.shape[1] == 900
    assert coloured_fraction(pixels) > 0.02  # the charts' bars and the signs box are drawn


@needs_chromium
def test_html_fits_a_phone_screen(journal_file: Path, browser: Browser, tmp_path: Path) -> None:
    page = make(journal_file, tmp_path / "report.html")
    browser.open(page.as_uri(), 390, 844, mobile=True)
    width, viewport = browser.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= viewport == 390  # nothing sticks out sideways: wide tables scroll inside their box
    charts = browser.evaluate("[...document.images].map(i => { const r = i.getBoundingClientRect();"
                              " return [r.width, r.height, i.currentSrc === i.src, i.naturalWidth]; })")
    assert len(charts) == 4
    for width, height, wide_picture, pixels in charts:
        assert 300 <= width <= 390 and not wide_picture  # the phone gets the charts drawn for its width
        assert height > 0.6 * width and pixels >= 2 * 300  # taller than the wide ones, sharp at 2x
    font = browser.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert font >= 14
    assert browser.problems() == []


@needs_chromium
@needs_poppler
def test_html_prints_on_a4(journal_file: Path, browser: Browser, tmp_path: Path) -> None:
    page = make(journal_file, tmp_path / "report.html")
    browser.open(page.as_uri(), 900, 1200)
    printed = tmp_path / "printed.pdf"
    printed.write_bytes(browser.print_pdf())
    info = subprocess.run(["pdfinfo", str(printed)], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "(A4)" in info
    assert 2 <= page_count(info) <= 6


@needs_chromium
def test_empty_report_renders_too(browser: Browser, tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    Journal.open(db).close()
    out = tmp_path / "empty.html"
    assert main(["report", "--week", "--db", str(db), "--out", str(out)]) == 0
    browser.open(out.as_uri(), 900, 1200)
    assert "Nothing was recorded in these days" in browser.evaluate("document.body.innerText")
    assert browser.problems() == []


# ------------------------------------------------------------------ the PDF


@needs_poppler
def test_pdf_has_its_pages_and_draws_its_charts(journal_file: Path, tmp_path: Path) -> None:
    pdf = make(journal_file, tmp_path / "report.pdf", "--pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "(A4)" in info and page_count(info) == 3
    subprocess.run(["pdftoppm", "-r", "40", str(pdf), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.ppm"))
    assert len(pages) == 3
    summary, chart_page, tables = (ppm_pixels(p) for p in pages)
    assert summary.shape[0] > summary.shape[1]  # portrait
    assert coloured_fraction(chart_page) > 3 * coloured_fraction(tables)  # the charts page is the colourful one
    assert coloured_fraction(chart_page) > 0.02
    words = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert "Signs to discuss" in words and "Week by week" in words and "Red flags and escalations" in words


@needs_poppler
def test_pdf_of_a_year_continues_its_tables_on_more_pages(tmp_path: Path) -> None:
    db = tmp_path / "journal.sqlite3"
    first = TODAY - timedelta(days=364)
    with Journal.open(db) as journal:
        for n in range(0, 365, 3):
            day = datetime.combine(first + timedelta(days=n), datetime.min.time()).astimezone() + timedelta(hours=10)
            journal.record("episode", {"muscle": "glute", "side": "left"}, day)
            journal.record("pain", {"when": "start", "rating": 5}, day)
            journal.record("pain", {"when": "end", "rating": 3}, day + timedelta(minutes=8))
    out = tmp_path / "year.pdf"
    assert main(["report", "--from", first.isoformat(), "--to", TODAY.isoformat(), "--db", str(db),
                 "--out", str(out), "--pdf"]) == 0
    info = subprocess.run(["pdfinfo", str(out)], capture_output=True, text=True, timeout=60, check=True).stdout
    assert page_count(info) >= 5  # 53 weeks and 122 relief flows do not fit on three pages
    words = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, text=True, timeout=60, check=True).stdout
    assert words.count("Relief flows") == 1 and "Red flags and escalations" in words
