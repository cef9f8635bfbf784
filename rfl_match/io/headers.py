"""Guessing a column mapping from the headers of real exports, in several languages.

The knowledge is data (``resources/headers.tsv``: header, field, language); this module
only folds headers to a comparable form and applies the table.

>>> guess = guess_mapping(["ID", "Nom", "Prénom", "Date de naissance", "Camp"])
>>> guess.mapping["Nom"], guess.mapping["Prénom"], guess.mapping["ID"]
('family_name', 'given_name', 'record_id')
>>> guess.unmapped
['Camp']
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

from rfl_match.schema import CANONICAL_FIELDS, NAME_FIELDS, PARENT_FIELDS

PATRONYMIC = "patronymic"
_ARABIC_MARKS = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")


def fold_header(header: str) -> str:
    """A header folded for comparison: case, accents, Arabic vowel marks and punctuation
    removed ("Prénom(s) :" -> "prenom", "اسمُ الأب" -> "اسم الاب")."""
    text = re.sub(r"\((?:s|es)\)", "", header.casefold())  # "prénom(s)", "apellido(s)"
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = _ARABIC_MARKS.sub("", unicodedata.normalize("NFKC", text))
    text = text.replace("أ", "ا").replace("إ", "ا").replace("آ", "ا").replace("ة", "ه")
    text = re.sub(r"[\W_]+", " ", text)
    return " ".join(text.split())


@cache
def _table() -> dict[str, str]:
    text = resources.files("rfl_match.io").joinpath("resources", "headers.tsv").read_text("utf-8")
    known: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        known.setdefault(fold_header(cells[0]), cells[1].strip())
    return known


@dataclass(frozen=True, slots=True)
class MappingGuess:
    """What the headers of a file probably hold.

    Attributes:
        mapping: header -> canonical field, for headers that need one.
        canonical: headers already spelling a canonical field (no mapping needed).
        patronymic: headers holding a patronymic (Отчество), not a canonical field.
        unmapped: headers that were not recognised, or recognised but already taken.
        notes: why a recognised header was left out, by header.
    """

    mapping: dict[str, str] = field(default_factory=dict)
    canonical: list[str] = field(default_factory=list)
    patronymic: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    notes: dict[str, str] = field(default_factory=dict)


def _spelled_canonical(header: str) -> str | None:
    key = re.sub(r"[\s\-]+", "_", header.strip().lower())
    return key if key in CANONICAL_FIELDS else None


def guess_mapping(headers: list[str]) -> MappingGuess:
    """Guess the canonical field of each header of one file.

    A header that already spells a canonical field is left as it is. Each field is given
    to one header at most: a second header that looks like the same field is reported,
    not mapped.
    """
    known = _table()
    guess = MappingGuess()
    taken: dict[str, str] = {}
    choices: dict[str, str] = {}
    for header in headers:
        canonical = _spelled_canonical(header)
        if canonical is not None:
            guess.canonical.append(header)
            taken[canonical] = header
            continue
        found = known.get(fold_header(header))
        if found is None:
            guess.unmapped.append(header)
        elif found == PATRONYMIC:
            guess.patronymic.append(header)
        else:
            choices[header] = found
    plain = {f for f in choices.values() if "|" not in f} | set(taken)
    name_like = set(NAME_FIELDS) | set(PARENT_FIELDS)
    for header, found in choices.items():
        if "|" in found:
            first, alone = found.split("|", 1)
            others = (plain & name_like) - {first, alone}
            found = first if others else alone
        if found in taken:
            guess.unmapped.append(header)
            guess.notes[header] = f"looks like {found}, already given to {taken[found]!r}"
            continue
        taken[found] = header
        guess.mapping[header] = found
    return guess
