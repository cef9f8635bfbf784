"""Unicode clean-up of name text, before script detection and romanisation.

One ``str.translate`` table does the per-character work (fast); NFKC runs only on text that
is not plain ASCII.
"""

from __future__ import annotations

import unicodedata

# Zero-width and invisible format characters: ZWNJ and ZWJ join Persian word parts, so they
# are removed (the parts are one word), not turned into spaces.
_INVISIBLE = "\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff"
_INVISIBLE += "\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
# Arabic harakat, Quranic marks, superscript alef, tatweel.
_ARABIC_MARKS = "".join(chr(c) for c in range(0x064B, 0x0660)) + "\u0670\u0640"
_ARABIC_MARKS += "".join(chr(c) for c in range(0x06D6, 0x06EE) if c not in (0x06E5, 0x06E6))
_ARABIC_MARKS += "".join(chr(c) for c in range(0x08D3, 0x0900))
_APOSTROPHES = "'’‘‛ʼʻʽ`´′ʹʾʿ˙ˈ"
_HYPHENS = "-‐‑‒–—―−﹣－_/"
_LETTER_MAP = {
    # alef and hamza seats
    "أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ٲ": "ا", "ٳ": "ا", "ؤ": "و", "ئ": "ي",
    "ٵ": "ا", "ٶ": "و", "ٸ": "ي",
    # Persian, Urdu and Pashto forms of yeh, kaf, heh, gaf
    "ی": "ي", "ى": "ي", "ې": "ي", "ۍ": "ي", "ێ": "ي", "ے": "ي", "ۓ": "ي", "ۑ": "ي",
    "ک": "ك", "ڪ": "ك", "ګ": "گ", "ھ": "ه", "ہ": "ه", "ۃ": "ة", "ۀ": "ه", "ە": "ه",
    "ۆ": "و", "ۇ": "و", "ۋ": "و", "ۈ": "و",
    # ta marbuta is read as a final heh: both are weak in a skeleton
    "ة": "ه",
    "ـ": "",
}  # fmt: skip
_DIGITS = {chr(0x0660 + i): str(i) for i in range(10)} | {
    chr(0x06F0 + i): str(i) for i in range(10)
}
_DIGITS |= {chr(0x0966 + i): str(i) for i in range(10)}  # Devanagari
_DIGITS |= {chr(0x1040 + i): str(i) for i in range(10)}  # Myanmar

_TABLE: dict[int, str | None] = {ord(c): None for c in _INVISIBLE + _ARABIC_MARKS + _APOSTROPHES}
_TABLE |= {ord(c): " " for c in _HYPHENS}
_TABLE |= {ord(k): v for k, v in (_LETTER_MAP | _DIGITS).items()}
_TABLE |= {ord(c): " " for c in '.,;:()[]{}"«»„“”‹›!?|\\+*&#@~^=<>،؛؟'}


def clean_text(text: str) -> str:
    """Clean name text: NFKC, case folding, invisible characters, Arabic-script letter variants.

    Removes harakat, tatweel, zero-width characters and apostrophes; unifies alef and hamza
    seats, Persian and Arabic yeh and kaf, ta marbuta (read as final heh); turns hyphens and
    punctuation into spaces and Arabic-Indic digits into ASCII digits. Latin diacritics are
    kept here (romanisation decides what they mean).

    >>> clean_text("Abd-al-Raḥmān  ʿAlī")
    'abd al raḥmān alī'
    >>> clean_text("مُحَمَّد عبدالله")
    'محمد عبدالله'
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold().translate(_TABLE)
    if not text.isascii():
        # casefold and NFKC can leave Latin letters decomposed after the mapping
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())
