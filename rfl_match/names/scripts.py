"""Script detection by Unicode block (fast: one bisect per character, cached per token)."""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from functools import lru_cache

UNKNOWN = "Unknown"
#: Scripts told apart; names follow the Unicode script property ("Ethiopic" is Ge'ez,
#: "Myanmar" is Burmese, "Kana" is Hiragana and Katakana).
SCRIPTS = (
    "Latin", "Arabic", "Cyrillic", "Greek", "Ethiopic", "Hebrew", "Armenian", "Georgian",
    "Devanagari", "Bengali", "Myanmar", "Thai", "Han", "Hangul", "Kana",
)  # fmt: skip

_RANGES = sorted(
    [
        (0x0041, 0x005A, "Latin"), (0x0061, 0x007A, "Latin"), (0x00C0, 0x024F, "Latin"),
        (0x0250, 0x02AF, "Latin"), (0x1E00, 0x1EFF, "Latin"), (0x2C60, 0x2C7F, "Latin"),
        (0xA720, 0xA7FF, "Latin"), (0xAB30, 0xAB6F, "Latin"), (0xFF21, 0xFF5A, "Latin"),
        (0x0370, 0x03FF, "Greek"), (0x1F00, 0x1FFF, "Greek"),
        (0x0400, 0x052F, "Cyrillic"), (0x1C80, 0x1C8F, "Cyrillic"), (0x2DE0, 0x2DFF, "Cyrillic"),
        (0xA640, 0xA69F, "Cyrillic"),
        (0x0530, 0x058F, "Armenian"), (0xFB13, 0xFB17, "Armenian"),
        (0x0590, 0x05FF, "Hebrew"), (0xFB1D, 0xFB4F, "Hebrew"),
        (0x0600, 0x06FF, "Arabic"), (0x0750, 0x077F, "Arabic"), (0x0870, 0x08FF, "Arabic"),
        (0xFB50, 0xFDFF, "Arabic"), (0xFE70, 0xFEFF, "Arabic"),
        (0x0900, 0x097F, "Devanagari"), (0xA8E0, 0xA8FF, "Devanagari"),
        (0x0980, 0x09FF, "Bengali"),
        (0x0E00, 0x0E7F, "Thai"),
        (0x1000, 0x109F, "Myanmar"), (0xA9E0, 0xA9FF, "Myanmar"), (0xAA60, 0xAA7F, "Myanmar"),
        (0x10A0, 0x10FF, "Georgian"), (0x1C90, 0x1CBF, "Georgian"), (0x2D00, 0x2D2F, "Georgian"),
        (0x1100, 0x11FF, "Hangul"), (0x3130, 0x318F, "Hangul"), (0xA960, 0xA97F, "Hangul"),
        (0xAC00, 0xD7AF, "Hangul"), (0xD7B0, 0xD7FF, "Hangul"),
        (0x1200, 0x139F, "Ethiopic"), (0x2D80, 0x2DDF, "Ethiopic"), (0xAB00, 0xAB2F, "Ethiopic"),
        (0x3040, 0x309F, "Kana"), (0x30A0, 0x30FF, "Kana"), (0x31F0, 0x31FF, "Kana"),
        (0xFF66, 0xFF9F, "Kana"),
        (0x3400, 0x4DBF, "Han"), (0x4E00, 0x9FFF, "Han"), (0xF900, 0xFAFF, "Han"),
        (0x20000, 0x3134F, "Han"),
    ]
)  # fmt: skip
_STARTS = [r[0] for r in _RANGES]
# One character class per script: a word whose characters all lie in its first letter's
# script blocks is of that script (in-block digits and signs count for no script).
_BLOCKS = {
    script: re.compile(
        "[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi, s in _RANGES if s == script) + "]+"
    )
    for script in SCRIPTS
}


def script_of_char(ch: str) -> str | None:
    """The script of one character, or None for digits, punctuation and unknown blocks."""
    try:
        return _CHAR_SCRIPT[ch]
    except KeyError:
        pass
    cp = ord(ch)
    script: str | None = None
    if cp < 0x80:
        script = "Latin" if ch.isalpha() else None
    else:
        i = bisect_right(_STARTS, cp) - 1
        # block digits and punctuation are not letters; combining marks belong to the word
        letterlike = ch.isalpha() or unicodedata.category(ch).startswith("M")
        if i >= 0 and cp <= _RANGES[i][1] and letterlike:
            script = _RANGES[i][2]
    if len(_CHAR_SCRIPT) < 1 << 16:
        _CHAR_SCRIPT[ch] = script
    return script


_CHAR_SCRIPT: dict[str, str | None] = {}


@lru_cache(maxsize=1 << 18)
def detect_script(text: str) -> str:
    """The dominant script of a text: the script of most of its letters.

    Returns one of :data:`SCRIPTS`, or ``"Unknown"`` when the text holds no letter of a known
    script. Ties go to the script met first.

    >>> detect_script("Олександр")
    'Cyrillic'
    >>> detect_script("محمد Ali علي")
    'Arabic'
    """
    return script_of_text(text)


def script_of_text(text: str) -> str:
    """:func:`detect_script` without its cache (for callers that cache whole words)."""
    if text.isascii():
        return "Latin" if any(c.isalpha() for c in text) else UNKNOWN
    first = script_of_char(text[0])
    if first is not None and _BLOCKS[first].fullmatch(text):
        return first
    found = {s for s in map(script_of_char, text) if s is not None}
    if len(found) <= 1:
        return found.pop() if found else UNKNOWN
    counts = Counter(s for s in map(script_of_char, text) if s is not None)
    return counts.most_common(1)[0][0]
