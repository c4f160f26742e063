"""Pronunciations for every word the recognizer must hear, including ones CMUdict lacks."""

from __future__ import annotations

import logging
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Mapping

log = logging.getLogger(__name__)

KNOWN: Mapping[str, tuple[str, ...]] = {
    "glute": ("G L UW T",),
    "glutes": ("G L UW T S",),
    "flexor": ("F L EH K S ER",),
    "flexors": ("F L EH K S ER Z",),
    "spasming": ("S P AE Z AH M IH NG", "S P AE Z M IH NG"),
    "naproxen": ("N AH P R AA K S AH N", "N AE P R AA K S AH N"),
    "adductor": ("AH D AH K T ER", "AE D AH K T ER"),
    "adductors": ("AH D AH K T ER Z", "AE D AH K T ER Z"),
    "physiotherapist": ("F IH Z IY OW TH EH R AH P IH S T",),
    "physio": ("F IH Z IY OW",),
    "nsaid": ("EH N S EY D",),
    "nsaids": ("EH N S EY D Z",),
}
"""Hand-checked pronunciations for domain words missing from CMUdict."""

_IPA_TO_CMU: tuple[tuple[str, str], ...] = (
    # Longest sequences first: diphthongs and r-coloured vowels.
    ("aɪɚ", "AY ER"), ("aʊɚ", "AW ER"),
    ("ɑːɹ", "AA R"), ("ɔːɹ", "AO R"), ("oːɹ", "AO R"), ("ɛɹ", "EH R"), ("ɪɹ", "IH R"), ("ʊɹ", "UH R"),
    ("aɪ", "AY"), ("aʊ", "AW"), ("eɪ", "EY"), ("oʊ", "OW"), ("əʊ", "OW"), ("ɔɪ", "OY"),
    ("tʃ", "CH"), ("dʒ", "JH"),
    ("ɑː", "AA"), ("ɔː", "AO"), ("iː", "IY"), ("uː", "UW"), ("ɜː", "ER"), ("oː", "OW"),
    ("ɑ", "AA"), ("ɒ", "AA"), ("æ", "AE"), ("ʌ", "AH"), ("ə", "AH"), ("ɐ", "AH"), ("ɔ", "AO"),
    ("ɛ", "EH"), ("e", "EH"), ("ɝ", "ER"), ("ɚ", "ER"), ("ɪ", "IH"), ("ᵻ", "IH"), ("i", "IY"),
    ("ʊ", "UH"), ("u", "UW"), ("o", "OW"), ("a", "AE"),
    ("l̩", "AH L"), ("n̩", "AH N"), ("m̩", "AH M"),
    ("b", "B"), ("d", "D"), ("ð", "DH"), ("f", "F"), ("ɡ", "G"), ("g", "G"), ("h", "HH"),
    ("k", "K"), ("l", "L"), ("m", "M"), ("n", "N"), ("ŋ", "NG"), ("p", "P"), ("ɹ", "R"), ("r", "R"),
    ("s", "S"), ("ʃ", "SH"), ("t", "T"), ("θ", "TH"), ("v", "V"), ("w", "W"), ("j", "Y"), ("z", "Z"),
    ("ʒ", "ZH"), ("ɾ", "T"), ("ʔ", "T"), ("x", "K"), ("ç", "HH"),
)
_IGNORED = set("ˈˌː̩͡‿-. \u200d")


def ipa_to_cmu(ipa: str) -> str:
    """CMU phones for an espeak-ng IPA string, by greedy longest match."""
    phones: list[str] = []
    i = 0
    while i < len(ipa):
        for sym, cmu in _IPA_TO_CMU:
            if ipa.startswith(sym, i):
                phones.append(cmu)
                i += len(sym)
                break
        else:
            if ipa[i] not in _IGNORED:
                log.debug("no CMU phone for IPA %r in %r", ipa[i], ipa)
            i += 1
    return " ".join(phones)


def espeak_pronunciations(words: Iterable[str]) -> dict[str, str]:
    """Letter-to-sound through espeak-ng (US English), one call for all words."""
    words = list(words)
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not words or exe is None:
        return {}
    try:
        done = subprocess.run(
            [exe, "-v", "en-us", "-q", "--ipa"],
            input="\n".join(words), capture_output=True, text=True, timeout=30, check=True,
        )
    except (OSError, subprocess.SubprocessError) as exc:
        log.warning("espeak-ng letter-to-sound failed: %s", exc)
        return {}
    lines = [line.strip() for line in done.stdout.splitlines() if line.strip()]
    if len(lines) != len(words):
        # espeak-ng joined or split lines: ask per word instead.
        return {w: p for w in words for p in espeak_pronunciations_single(exe, w)}
    return {w: ipa_to_cmu(line.replace(" ", "")) for w, line in zip(words, lines) if ipa_to_cmu(line)}


def espeak_pronunciations_single(exe: str, word: str) -> list[str]:
    """One word at a time, the slow path when batch output did not line up."""
    try:
        done = subprocess.run([exe, "-v", "en-us", "-q", "--ipa", word],
                              capture_output=True, text=True, timeout=10, check=True)
    except (OSError, subprocess.SubprocessError):
        return []
    phones = ipa_to_cmu(done.stdout.strip().replace(" ", ""))
    return [phones] if phones else []


def read_cmudict(path: Path, wanted: set[str]) -> dict[str, list[str]]:
    """Pronunciations (all variants) of just the wanted words, to keep the decoder's dictionary small."""
    found: dict[str, list[str]] = {}
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            head, _, phones = line.partition(" ")
            word = re.sub(r"\(\d+\)$", "", head)
            if word in wanted:
                phones = phones.split("#", 1)[0].strip()
                found.setdefault(word, []).append(phones)
    return found


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Word -> pronunciations, plus which words had to be added beyond CMUdict."""

    entries: Mapping[str, tuple[str, ...]]
    added: Mapping[str, str]
    """Words CMUdict lacks and how each was filled in ("table" or "espeak-ng")."""

    def write(self, path: Path) -> None:
        """Sphinx dictionary format: ``word phones`` then ``word(2) phones``."""
        lines = []
        for word in sorted(self.entries):
            for n, phones in enumerate(self.entries[word]):
                lines.append(f"{word} {phones}" if n == 0 else f"{word}({n + 1}) {phones}")
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def build_lexicon(words: Iterable[str], cmudict: Path) -> Lexicon:
    """Every word gets a pronunciation: CMUdict, then the hand table, then espeak-ng."""
    wanted = {w for w in words if w}
    entries: dict[str, tuple[str, ...]] = {w: tuple(p) for w, p in read_cmudict(cmudict, wanted).items()}
    added: dict[str, str] = {}
    missing = sorted(wanted - entries.keys())
    for word in missing:
        if word in KNOWN:
            entries[word] = KNOWN[word]
            added[word] = "table"
    rest = [w for w in missing if w not in entries]
    for word, phones in espeak_pronunciations(rest).items():
        entries[word] = (phones,)
        added[word] = "espeak-ng"
    unresolved = [w for w in rest if w not in entries]
    if added:
        log.info("added %d words missing from CMUdict: %s", len(added),
                 ", ".join(f"{w} ({how}: {' / '.join(entries[w])})" for w, how in sorted(added.items())))
    if unresolved:
        log.warning("no pronunciation for %s; the recognizer will not hear them", ", ".join(unresolved))
    return Lexicon(entries=entries, added=added)
