"""Name-variant classes: spellings of one name, in any script, share one class id.

The classes live in ``resources/variants.tsv``; Latin spellings are compared after a light
folding (:func:`fold_spelling`), so that unlisted vowel spellings of a listed name still meet
(mouhammad, muhhamad), while names that differ in their consonants or vowel slots stay apart.
A listed spelling is its own listing's, whatever the folding makes of it: the Somali
Mohamud (Maxamuud, Mahmud) and the Bengali Mohammod (Muhammad) fold alike, but each is
read as listed, and an unlisted spelling that folds as both (muhamud) is neither.
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
def _classes() -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """(listed Latin spelling -> id, folded Latin spelling -> id, cleaned native spelling
    -> id). A folding that spellings of two classes share is left out, so that only the
    spellings listed say which one they are; a spelling listed twice is the first
    listing's."""
    listed: dict[str, str] = {}
    folded: dict[str, set[str]] = {}
    native: dict[str, str] = {}
    for class_id, spellings in read_table("variants.tsv"):
        for spelling in [class_id, *spellings.split(",")]:
            spelling = clean_text(spelling).replace(" ", "")
            if not spelling:
                continue
            if spelling.isascii() or spelling.replace("_", "").isascii():
                latin = spelling.replace("_", "")
            else:
                native.setdefault(spelling, class_id)
                latin = _ascii_word(spelling) if _is_latin(spelling) else ""
                if not latin:
                    continue
            listed.setdefault(latin, class_id)
            folded.setdefault(fold_spelling(latin), set()).add(class_id)
    alone = {key: next(iter(ids)) for key, ids in folded.items() if len(ids) == 1}
    return listed, alone, native


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
    """The class id of a romanised spelling, or None when the name is not listed (nor
    folds as one listed name's spellings alone do)."""
    listed, folded, _ = _classes()
    found = listed.get(word)
    return found if found is not None else folded.get(fold_spelling(word))


def lookup_native(word: str) -> str | None:
    """The class id of a cleaned native-script spelling, or None when not listed."""
    return _classes()[2].get(word)


@cache
def _nicknames() -> dict[str, tuple[str, ...]]:
    """Folded nickname spelling -> the names it may stand for (``nicknames.tsv``; a
    spelling of two rows stands for both rows' names)."""
    found: dict[str, list[str]] = {}
    for spellings, names in read_table("nicknames.tsv"):
        targets = [clean_text(name) for name in names.split(",") if name.strip()]
        for spelling in spellings.split(","):
            key = fold_spelling(clean_text(spelling).replace(" ", ""))
            if key:
                listed = found.setdefault(key, [])
                listed += [target for target in targets if target not in listed]
    return {key: tuple(names) for key, names in found.items()}


@lru_cache(maxsize=1 << 14)
def nickname_names(word: str) -> tuple[str, ...]:
    """The names a nickname or pet form may stand for (``nicknames.tsv``), as usually
    spelt; () for a word that is none. ``word``: a romanised token as clean-up leaves it.

    >>> nickname_names("hassoun"), nickname_names("vitia"), nickname_names("hassan")
    (('hasan', 'husayn', 'hasanayn'), ('viktor',), ())
    """
    return _nicknames().get(fold_spelling(word), ())
