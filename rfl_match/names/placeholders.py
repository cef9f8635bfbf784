"""Placeholder names: what registers write where a name is not known ("Unknown", "N/A",
"FNU", "مجهول"), read as no name (``resources/placeholders.tsv``).

Two records that both say "Unknown" share no name, and a father "Not known" is no
evidence: read as names, such values made namesakes of strangers. A *drop* word is a name in
no culture: it is removed wherever it stands. A *blank* form is read as no name only where
it is the whole value, once its drop words are gone ("N/A", "Not known"): its words can be
names beside others. A *person* form ("Unknown male", "Baby girl") is blank in a person's
name only: a place written "Male" is Malé. A *newborn* form opens a newborn's name written by
its mother's ("Baby of Fatima", "B/O Fatima"): the child's own name is not known, so a
person's name that opens so is no name (two newborns of two mothers called Fatima are no
namesakes).
"""

from __future__ import annotations

from functools import cache

from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text


@cache
def _forms(kinds: tuple[str, ...] = ("blank", "person")) -> tuple[frozenset[str], frozenset[str]]:
    """The drop words, and the blank forms of ``kinds`` (a person's name: "blank" and
    "person"; a place: "blank"), as :func:`clean_text` writes them."""
    rows = read_table("placeholders.tsv")
    drop = frozenset(clean_text(form) for form, kind, _ in rows if kind == "drop")
    blank = frozenset(clean_text(form) for form, kind, _ in rows if kind in kinds)
    return drop, blank


@cache
def _openings() -> tuple[str, ...]:
    """The newborn forms, as :func:`clean_text` writes them, each with the space after it
    that a name following it leaves ("b o ")."""
    rows = read_table("placeholders.tsv")
    return tuple(clean_text(form) + " " for form, kind, _ in rows if kind == "newborn")


@cache
def placeholder_words() -> frozenset[str]:
    """Every word of a placeholder form, but single letters of a blank one other than x
    ("n a" of N/A is found whole, as :func:`is_placeholder_piece` reads a piece): a name
    that holds one is read by the full pipeline, which removes what
    :func:`without_placeholders` says. A newborn form's letters are words too: "B. O.
    Fatima" is B/O in two pieces, each a letter."""
    drop, blank = _forms()
    words = {word for form in drop | blank for word in form.split()}
    opening = {word for form in _openings() for word in form.split()}
    return frozenset(word for word in words if len(word) > 1 or word == "x") | opening


def is_placeholder_piece(clean: str) -> bool:
    """Whether a piece of a name (no white space in it as written; ``clean``: after
    :func:`clean_text`) is a blank form whole, such as "N/A" ("n a", two words, each a
    name's initial elsewhere); a drop word is found as a word (:func:`placeholder_words`)."""
    return clean in _forms()[1]


def is_dropped(word: str) -> bool:
    """Whether a word of a cleaned name is a drop word ("unknown", "fnu")."""
    return word in _forms()[0]


def without_placeholders(clean: str, *, place: bool = False) -> str:
    """A cleaned name without its placeholders: its drop words removed, and "" where what
    is left is a blank form (or nothing) or opens with a newborn form; of a ``place``, a
    blank form but a person's ("Male" is Malé).

    >>> without_placeholders("ahmed unknown")
    'ahmed'
    >>> without_placeholders("unidentified adult male")
    ''
    >>> without_placeholders("no ahmed")
    'no ahmed'
    >>> without_placeholders("baby of fatima"), without_placeholders("baby fatima")
    ('', 'baby fatima')
    """
    drop, blank = _forms(("blank",)) if place else _forms()
    words = clean.split()
    kept = [word for word in words if word not in drop]
    if len(kept) != len(words):
        clean = " ".join(kept)
    if clean in blank or (not place and (clean + " ").startswith(_openings())):
        return ""
    return clean


def is_placeholder(text: str, *, place: bool = False) -> bool:
    """Whether a value (a name, or a ``place``, as written) says only that it is not known:
    blank once cleaned and its placeholders removed ("Unknown", "N/A", "-", "مجهول").

    >>> is_placeholder("N/A"), is_placeholder("Unknown village"), is_placeholder("?")
    (True, False, True)
    >>> is_placeholder("Male"), is_placeholder("Male", place=True)
    (True, False)
    """
    return not without_placeholders(clean_text(text), place=place)
