"""Name-variant classes: spellings of one name, in any script, share one class id.

The classes live in ``resources/variants.tsv``; Latin spellings are compared after a light
folding (:func:`fold_spelling`), so that unlisted vowel spellings of a listed name still meet
(mouhammad, muhhamad), while names that differ in their consonants or vowel slots stay apart.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from operator import itemgetter

from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text
from rfl_match.names.romanization import _ascii_word

_Y_AS_I = re.compile(r"(?<=[^aeiou])y$|(?<=[^aeiou])y(?=[^aeiou])")
_REPEATS = re.compile(r"(.)\1+")
_FIRST = itemgetter(1)  # C-level replacement (no template expansion per match)


def fold_spelling(word: str) -> str:
    """Fold a romanised spelling for variant lookup: final h, ou/o, ee/ie, y, ph, dj, doubles.

    >>> fold_spelling("mouhammed"), fold_spelling("muhamed")
    ('muhamed', 'muhamed')
    """
    if len(word) > 2 and word[-1] == "h" and word[-2] in "aeiou":
        word = word[:-1]
    word = word.replace("ou", "u").replace("o", "u").replace("ee", "i").replace("ie", "i")
    if "y" in word:
        word = _Y_AS_I.sub("i", word)
    if "ph" in word or "dj" in word or "ck" in word:
        word = word.replace("ph", "f").replace("dj", "j").replace("ck", "k")
    return _REPEATS.sub(_FIRST, word)


@cache
def _classes() -> tuple[dict[str, str], dict[str, str]]:
    """(folded Latin spelling -> id, cleaned native spelling -> id); the first listing wins."""
    latin: dict[str, str] = {}
    native: dict[str, str] = {}
    for class_id, spellings in read_table("variants.tsv"):
        for spelling in [class_id, *spellings.split(",")]:
            spelling = clean_text(spelling).replace(" ", "")
            if not spelling:
                continue
            if spelling.isascii() or spelling.replace("_", "").isascii():
                latin.setdefault(fold_spelling(spelling.replace("_", "")), class_id)
            else:
                native.setdefault(spelling, class_id)
                ascii_form = _ascii_word(spelling)
                if ascii_form and _is_latin(spelling):
                    latin.setdefault(fold_spelling(ascii_form), class_id)
    return latin, native


@cache
def listed_classes() -> frozenset[str]:
    """The class ids of ``variants.tsv``: a name read into one is a listed name (an unlisted
    one's class is its own token), whose classmates are its only variants."""
    return frozenset(row[0] for row in read_table("variants.tsv"))


def _is_latin(text: str) -> bool:
    return all(ord(c) < 0x250 for c in text)


def variant_classes() -> dict[str, tuple[str, ...]]:
    """Every class id with its listed spellings (for inspection and tests)."""
    return {row[0]: tuple(s for s in row[1].split(",") if s) for row in read_table("variants.tsv")}


@lru_cache(maxsize=1 << 18)
def lookup_latin(word: str) -> str | None:
    """The class id of a romanised spelling, or None when the name is not listed."""
    return _classes()[0].get(fold_spelling(word))


def lookup_native(word: str) -> str | None:
    """The class id of a cleaned native-script spelling, or None when not listed."""
    return _classes()[1].get(word)
