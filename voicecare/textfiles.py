"""Text files people edit by hand (configuration, content, chat scripts): UTF-8, or one clear line why not.

Editors on Windows and some on Linux save "Unicode" as UTF-16, or keep Latin-1; Notepad used to
put a byte-order mark before UTF-8. A byte-order mark before UTF-8 is simply skipped; anything
else is named, with the command that converts it.
"""

from __future__ import annotations

import codecs
from pathlib import Path

UTF8_BOM = codecs.BOM_UTF8

_WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "UTF-32"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


class NotUtf8(ValueError):
    """The bytes are not UTF-8 text: ``what`` is wrong and ``fix`` says how to re-save the file."""

    def __init__(self, what: str, fix: str) -> None:
        super().__init__(what)
        self.what = what
        self.fix = fix


def decode_utf8(blob: bytes, path: Path | str) -> str:
    """The text of ``blob`` read from ``path``: UTF-8, with a leading byte-order mark dropped."""
    if blob.startswith(UTF8_BOM):
        blob = blob[len(UTF8_BOM):]
    try:
        return blob.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _explain(blob, path, exc) from None


def _explain(blob: bytes, path: Path | str, exc: UnicodeDecodeError) -> NotUtf8:
    """What the file most likely is, and the exact command that turns it into UTF-8."""
    encoding = next((name for bom, name in _WIDE_BOMS if blob.startswith(bom)), None)
    if encoding is None and b"\x00" in blob[:200]:
        encoding = "UTF-16"  # UTF-16 without a byte-order mark: every other byte of ASCII is zero
    if encoding is not None:
        what = f"{path} is saved as {encoding}, not UTF-8"
        source = encoding
    else:
        line = blob.count(b"\n", 0, exc.start) + 1
        what = (f"{path} is not UTF-8 (line {line} has the byte 0x{blob[exc.start]:02X}; "
                "it looks saved as Latin-1 or Windows-1252)")
        source = "WINDOWS-1252"
    fix = (f"save it as UTF-8 in your editor, or convert it: iconv -f {source} -t UTF-8 {path} > {path}.new "
           f"&& mv {path}.new {path}")
    return NotUtf8(what, fix)
