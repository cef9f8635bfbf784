"""Placeholder names: what registers write where a name is not known ("Unknown", "N/A",
"FNU", "مجهول"), read as no name (``resources/placeholders.tsv``).

Two records that both say "Unknown" share no name, and a father "Not known" is no
evidence: read as names, such values made namesakes of strangers. A *drop* word is a name in
no culture: it is removed wherever it stands; one that says the given name is not known
(FNU, NFN) leaves the family name ("FNU Rahim": Rahim is the family name,
:func:`says_given_unknown`), as one that says only "unknown" does opening a name
("Unknown Rahim"), where it stands in the given name's place. A *blank* form is read as no
name only where it is the whole value, once its drop words are gone ("N/A", "Not known"): its
words can be names beside others. But a blank form of letters ("n a" of N/A, "n k" of N/K) closing a
name is dropped ("Ali N/A" is Ali) where it is a whole run of single letters: letters that
open a name or stand between its parts are initials ("N. K. Singh", "M. N. A. Khan"). A
*person* form ("Unknown male", "Baby girl") is blank in a person's name only: a place written
"Male" is Malé. A *newborn* form opens a newborn's name written by its mother's ("Baby of
Fatima", "RN de María"): the child's own name is not known, so a person's name that opens so
is no name (two newborns of two mothers called Fatima are no namesakes).
"""

from __future__ import annotations

from functools import cache, lru_cache

from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text


@cache
def _forms(kinds: tuple[str, ...] = ("blank", "person")) -> tuple[frozenset[str], frozenset[str]]:
    """The drop words, and the blank forms of ``kinds`` (a person's name: "blank" and
    "person"; a place: "blank"), as :func:`clean_text` writes them."""
    rows = read_table("placeholders.tsv")
    drop = frozenset(clean_text(form) for form, kind, _ in rows if kind.startswith("drop"))
    blank = frozenset(clean_text(form) for form, kind, _ in rows if kind in kinds)
    return drop, blank


@cache
def _drop_words(kind: str) -> frozenset[str]:
    """The drop words of one kind ("drop-given": those that say the given name is not
    known; "drop-opening": those that stand in its place opening a name), as
    :func:`clean_text` writes them."""
    rows = read_table("placeholders.tsv")
    return frozenset(clean_text(form) for form, kind_, _ in rows if kind_ == kind)


@cache
def _openings() -> tuple[str, ...]:
    """The newborn forms, as :func:`clean_text` writes them, each with the space after it
    that a name following it leaves ("baby of ")."""
    rows = read_table("placeholders.tsv")
    return tuple(clean_text(form) + " " for form, kind, _ in rows if kind == "newborn")


@cache
def _letter_forms() -> frozenset[str]:
    """The blank forms of two letters or more, each a word ("n a", "n k")."""
    return frozenset(
        form
        for form in _forms(("blank",))[1]
        if " " in form and all(len(w) == 1 for w in form.split())
    )


@cache
def placeholder_words() -> frozenset[str]:
    """Every word of a placeholder form, letters too: a name that holds one is read by the
    full pipeline, which removes what :func:`without_placeholders` says (N/A may be written
    in two pieces, "N. A.", each a letter)."""
    drop, blank = _forms()
    return frozenset(word for form in drop | blank | {*_openings()} for word in form.split())


def outside_letter_forms(words: list[str]) -> list[int]:
    """The places of ``words`` (a name's words, or its tokens) but a closing run of single
    letters that is a blank form whole, after a name ("n a" of "ali n a"). Letters that open
    a name or stand between its parts are its initials: "N. K. Singh", "N. A. Khan" (a
    South Asian name's form), "M. N. A. Khan", "Ali N. A. Khan".

    >>> outside_letter_forms(["ali", "n", "a"]), outside_letter_forms(["n", "k", "singh"])
    ([0], [0, 1, 2])
    """
    j = len(words)
    while j > 0 and len(words[j - 1]) == 1:
        j -= 1
    if 0 < j < len(words) and " ".join(words[j:]) in _letter_forms():
        return list(range(j))
    return list(range(len(words)))


def is_dropped(word: str) -> bool:
    """Whether a word of a cleaned name is a drop word ("unknown", "fnu")."""
    return word in _forms()[0]


def without_placeholders(clean: str, *, place: bool = False) -> str:
    """A cleaned name without its placeholders: its drop words removed, then a blank form
    of letters that stands beside other words (:func:`outside_letter_forms`), and "" where
    what is left is a blank form (or nothing) or opens with a newborn form; of a ``place``,
    a blank form but a person's ("Male" is Malé).

    >>> without_placeholders("ahmed unknown")
    'ahmed'
    >>> without_placeholders("unidentified adult male")
    ''
    >>> without_placeholders("no ahmed")
    'no ahmed'
    >>> without_placeholders("baby of fatima"), without_placeholders("baby fatima")
    ('', 'baby fatima')
    >>> without_placeholders("ali n a"), without_placeholders("n ahmed")
    ('ali', 'n ahmed')
    """
    drop, blank = _forms(("blank",)) if place else _forms()
    words = clean.split()
    kept = [word for word in words if word not in drop]
    if any(len(word) == 1 for word in kept):
        kept = [kept[k] for k in outside_letter_forms(kept)]
    if len(kept) != len(words):
        clean = " ".join(kept)
    if clean in blank or (not place and (clean + " ").startswith(_openings())):
        return ""
    return clean


@lru_cache(maxsize=1 << 14)
def is_placeholder(text: str, *, place: bool = False) -> bool:
    """Whether a value (a name, or a ``place``, as written) says only that it is not known:
    blank once cleaned and its placeholders removed ("Unknown", "N/A", "-", "مجهول").

    >>> is_placeholder("N/A"), is_placeholder("Unknown village"), is_placeholder("?")
    (True, False, True)
    >>> is_placeholder("Male"), is_placeholder("Male", place=True)
    (True, False)
    """
    return not without_placeholders(clean_text(text), place=place)


def says_given_unknown(clean: str) -> bool:
    """Whether a cleaned name says its given name is not known (FNU, first name unknown;
    NFN, no first name), or stands a placeholder in its place (Unknown, مجهول opening it:
    kind "drop-opening"), beside a name it keeps: that name is its family name, and it has
    no given name ("FNU Rahim" is the family name Rahim, "Rahim FNU" too, as a list
    written family name first gives it; "Unknown Rahim" too, but not "Rahim Unknown").

    >>> says_given_unknown("fnu rahim"), says_given_unknown("fnu"), says_given_unknown("rahim")
    (True, False, False)
    >>> says_given_unknown("unknown rahim"), says_given_unknown("rahim unknown")
    (True, False)
    >>> says_given_unknown("hassan lnu")
    False
    """
    words = clean.split()
    given = _drop_words("drop-given")
    says = any(word in given for word in words) or (
        bool(words) and words[0] in _drop_words("drop-opening")
    )
    return says and bool(without_placeholders(clean))
