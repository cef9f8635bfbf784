"""Unicode clean-up of name text, before script detection and romanisation.

One ``str.translate`` table does the per-character work (fast); NFKC runs only on text that
is not plain ASCII.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from rfl_match.names._resources import read_table

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
    "ک": "ك", "ڪ": "ك", "ګ": "گ", "ھ": "ه", "ہ": "ه", "ۃ": "ة", "ۀ": "ه",
    "ۆ": "و", "ۇ": "و", "ۋ": "و", "ۈ": "و",
    # Sorani Kurdish ە writes the vowel e (a): a vowel letter, as alef is, not heh; read as
    # heh, محەمەد (Mihemed) romanised "mahhamhad" and حەسەن (Hesen) "hahsahan"
    "ە": "ا",
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


# Sorani Kurdish opens a word that starts with a vowel with ئ, which says nothing (ئەحمەد,
# Ehmed; ئازاد, Azad): silent there, not the consonant y its yeh reads as elsewhere (Arabic
# writes it within a word only: رائد, Raed)
_VOWEL_SEAT = re.compile("(?<!\\w)ئ(?=[اەۆوێیيى])")

# a hyphen within a word (NFKC reads U+2011 as U+2010); "-" last, as a character class takes it
_WORD_HYPHENS = "\u2010\u2011-"
_ONE_HYPHEN = {ord(c): "-" for c in _WORD_HYPHENS}  # a title's hyphen, as titles.tsv writes it


@cache
def _korean_syllables() -> frozenset[str]:
    """The Korean given-name syllables of ``resources/korean_syllables.tsv`` but particles
    and titles."""
    special = {
        word for table in ("particles.tsv", "titles.tsv") for row in read_table(table)
        for word in row[0].split()
    }  # fmt: skip
    return frozenset(row[0] for row in read_table("korean_syllables.tsv")) - special


# a word of two runs of Latin letters with a hyphen between them (min-jun)
_HYPHENED = re.compile(
    rf"(?<![\w{_WORD_HYPHENS}])([a-z]+)[{_WORD_HYPHENS}]([a-z]+)(?![\w{_WORD_HYPHENS}])"
)


@cache
def _slash_words() -> re.Pattern[str]:
    """S/O and D/O (son of, daughter of: the patronymic particles of two letters in
    ``resources/particles.tsv``) and N/A, N/K (the placeholders written with a slash in
    ``resources/placeholders.tsv``) written with their slash ("s/o", "s / o", "n/a"), and
    the titles of ``resources/titles.tsv`` abbreviated with a hyphen ("г-н"): kept as one
    word, apart from initials (S. O. Adeyemi, N. A. Khan, Г. Н. Иванов) once the slash or
    the hyphen is a space elsewhere."""
    pairs = [
        row[0].split()
        for row in read_table("particles.tsv")
        if row[1] == "patronymic" and " " in row[0]
    ]
    pairs += [row[0].split("/") for row in read_table("placeholders.tsv") if "/" in row[0]]
    # registers space the slash too ("S / O Ahmed Khan"); a space is no initial's sign
    alternatives = "|".join(
        re.escape(first) + r"\s*/\s*" + re.escape(second) for first, second in pairs
    )
    # titles abbreviated with a hyphen (Г-н, Г-жа: Господин, Госпожа), in any hyphen within
    # a word, unspaced: spaced or with points they are initials (Г. Н. Иванов)
    hyphened = [row[0].split("-") for row in read_table("titles.tsv") if "-" in row[0]]
    alternatives += "".join(
        f"|{re.escape(first)}[{_WORD_HYPHENS}]{re.escape(second)}" for first, second in hyphened
    )
    # between white space or what clean-up makes one: once cleaned, a word apart again
    apart = re.escape("".join(chr(c) for c, to in _TABLE.items() if to == " "))
    return re.compile(rf"(?:^|(?<=[\s{apart}]))({alternatives})(?=$|[\s{apart}])")


@cache
def _hyphened_openers() -> frozenset[str]:
    """The letters that open a title of ``resources/titles.tsv`` abbreviated with a hyphen
    (г of Г-н): text without one needs no look for such a title."""
    return frozenset(row[0][0] for row in read_table("titles.tsv") if "-" in row[0])


def _joined(match: re.Match[str]) -> str:
    """Two Korean given-name syllables with a hyphen between them as one word; two halves
    alike (Min-Min) and any other word as written."""
    first, second = match.groups()
    syllables = _korean_syllables()
    if first != second and first in syllables and second in syllables:
        return first + second
    return match.group(0)


def clean_text(text: str) -> str:
    """Clean name text: NFKC, case folding, invisible characters, Arabic-script letter variants.

    Removes harakat, tatweel, zero-width characters and apostrophes; unifies alef and hamza
    seats, Persian and Arabic yeh and kaf, ta marbuta (read as final heh), Sorani Kurdish ە
    (a vowel: alef) and the ئ that opens its words before a vowel (silent); turns hyphens and
    punctuation into spaces and Arabic-Indic digits into ASCII digits. Latin diacritics are
    kept here (romanisation decides what they mean). S/O and D/O (son of, daughter of) and
    N/A, N/K (not known) written with their slash keep it, one word told from initials
    (S. O. Adeyemi, N. A. Khan), spaces around the slash or not (S / O); so do the titles
    abbreviated with a hyphen (Г-н, Г-жа: Mr, Mrs), told from the initials Г. Н. A word
    of two Korean given-name syllables joined by a hyphen is one name and is written as
    one word (Min-jun is Minjun, as 김민준's given name reads;
    ``resources/korean_syllables.tsv``); two halves alike stay apart (a Burmese doubled
    syllable, Min-Min).

    >>> clean_text("Abd-al-Raḥmān  ʿAlī")
    'abd al raḥmān alī'
    >>> clean_text("مُحَمَّد عبدالله")
    'محمد عبدالله'
    >>> clean_text("KIM Min-jun"), clean_text("Jean-Pierre")
    ('kim minjun', 'jean pierre')
    >>> clean_text("Ali S/O Ahmed"), clean_text("S. O. Adeyemi"), clean_text("N / A")
    ('ali s/o ahmed', 's o adeyemi', 'n/a')
    >>> clean_text("S / O Ahmed Khan"), clean_text("d /o Amina")
    ('s/o ahmed khan', 'd/o amina')
    >>> clean_text("Г-н Иванов"), clean_text("Г. Н. Иванов")
    ('г-н иванов', 'г н иванов')
    """
    if not text.isascii():
        text = unicodedata.normalize("NFKC", text)
    text = text.casefold()
    if "ئ" in text:
        text = _VOWEL_SEAT.sub("", text)
    if "-" in text or "\u2010" in text:
        text = _HYPHENED.sub(_joined, text)
    if "/" in text or (
        ("-" in text or "\u2010" in text) and not _hyphened_openers().isdisjoint(text)
    ):
        # every other piece is S/O, D/O, N/A, N/K or Г-н, which keeps its slash or hyphen,
        # written as one word
        pieces = _slash_words().split(text)
        text = "".join(
            "".join(p.split()).translate(_ONE_HYPHEN) if k % 2 else p.translate(_TABLE)
            for k, p in enumerate(pieces)
        )
    else:
        text = text.translate(_TABLE)
    if not text.isascii():
        # casefold and NFKC can leave Latin letters decomposed after the mapping
        text = unicodedata.normalize("NFC", text)
    return " ".join(text.split())
