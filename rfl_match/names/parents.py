"""A person's name value that names a parent: a maternity ward's newborn by its mother's
name ("Baby of Fatima", "B/O Fatima", "RN de María": ``placeholders.tsv``, kind "newborn"),
a South Asian register's person by the father's ("Ali S/O Ahmed Khan", "D/O Ahmed":
``particles.tsv``, a patronymic written with its slash). The name pipeline reads the
newborn's value as no name and the father's as no name of the person's, or the person's
followed by the father's; :func:`parent_named` gives the parent's name as the value writes
it, for the record's mother's or father's name field (``rfl_match.prepare.parents_named``
fills a blank one with it, for the linker and the encoder alike, so that a newborn meets
its later record by its mother's name).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text
from rfl_match.names.placeholders import is_dropped, is_placeholder


@cache
def _newborn_forms() -> frozenset[str]:
    """The newborn forms ("baby of", "b/o", "rn de"), as :func:`clean_text` writes them."""
    rows = read_table("placeholders.tsv")
    return frozenset(clean_text(form) for form, kind, _ in rows if kind == "newborn")


@cache
def _by_father() -> frozenset[str]:
    """The patronymics written with their slash (s/o, d/o), as :func:`clean_text` keeps
    them: each says the father's name follows (not W/O: a wife's husband, kind spouse)."""
    rows = read_table("particles.tsv")
    return frozenset(
        clean_text(form) for form, kind, *_ in rows if kind == "patronymic" and "/" in form
    )


@cache
def parent_pattern() -> str:
    """A regular expression (case ignored) that every value :func:`parent_named` reads
    matches, and few others: a slash (S/O, D/O, B/O, spaced), a fullwidth letter, or a
    word that opens with a newborn form's first letters as written in ASCII ("baby", "rn",
    "rec" of "recién"). A sieve, cheap over a column, so that only the values it keeps are
    read.

    >>> bool(re.search(parent_pattern(), "Recién nacido de Ana", re.IGNORECASE))
    True
    """
    starts = set()
    for form in _newborn_forms():
        first = form.split()[0]
        if "/" not in first:
            # "recién" as "rec": an accent may be written, left out, or decomposed
            starts.add(re.match(r"[a-z]*", first).group() or first)  # type: ignore[union-attr]
    # a start that holds a shorter one says nothing more ("reci" of "rec")
    kept = {s for s in starts if s and not any(s != t and s.startswith(t) for t in starts)}
    words = "|".join(sorted(re.escape(s) for s in kept))
    # fullwidth letters, as NFKC folds them ("ｂａｂｙ ｏｆ"), are few in names: all kept
    return rf"[/／Ａ-Ｚａ-ｚ]|\b(?:{words})"


def _head(text: str, end: int) -> list[str]:
    """The cleaned words of ``text[:end]`` but its drop words ("unknown")."""
    return [word for word in clean_text(text[:end]).split() if not is_dropped(word)]


@lru_cache(maxsize=1 << 14)
def parent_named(text: str) -> tuple[str, str] | None:
    """The parent a person's name value names, and that parent's name as the value writes
    it: ``("mother", ...)`` where the value opens with a newborn form (the child's own name
    not known: a maternity ward writes the mother's), ``("father", ...)`` where S/O or D/O
    written with its slash stands before a name (son of, daughter of), the person's own
    name before it or none. None where the value names no parent, or only a placeholder
    ("Baby of Unknown").

    >>> parent_named("Baby of Fatima"), parent_named("B / O Fatima Bibi")
    (('mother', 'Fatima'), ('mother', 'Fatima Bibi'))
    >>> parent_named("RN de María José"), parent_named("Ali S/O Ahmed Khan")
    (('mother', 'María José'), ('father', 'Ahmed Khan'))
    >>> parent_named("S. O. Adeyemi"), parent_named("Baby Fatima"), parent_named("S/O")
    (None, None, None)
    """
    words = list(re.finditer(r"\S+", text))
    newborn, by_father = _newborn_forms(), _by_father()
    longest = max(len(form.split()) for form in newborn)
    for word in words:
        head = _head(text, word.end())
        if not head:
            continue
        opening = len(head) <= longest and " ".join(head) in newborn
        if opening or head[-1] in by_father:
            # what follows the form, set apart from it by space or punctuation ("Baby of:
            # Fatima"; a bracket is the name's, as clean-up reads it)
            name = text[word.end() :].strip(" \t\n:;,.-")
            if not name or is_placeholder(name):
                return None
            return ("mother" if opening else "father", name)
    return None
