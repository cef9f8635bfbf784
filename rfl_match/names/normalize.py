"""Normalisation of names: clean-up, romanisation, tokens and keys.

First version: Unicode clean-up, romanisation with unidecode, tokens, a small title list,
a phonetic key (jellyfish metaphone) and a consonant skeleton. The names issue deepens each
step behind the same functions.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

import jellyfish
from unidecode import unidecode

from rfl_match.names.form import NameForm

_TITLES = frozenset({"mr", "mrs", "ms", "dr", "haji", "hajji", "sheikh", "shaikh", "mullah"})
_NON_LETTER = re.compile(r"[^a-z0-9]+")
_VOWELS = re.compile(r"[aeiouyhw]+")
_EMPTY = NameForm(original="", script="Unknown", tokens=(), variant_ids=(),
                  phonetic_keys=(), skeleton_keys=())


def _script_of(text: str) -> str:
    for ch in text:
        if ch.isalpha():
            name = unicodedata.name(ch, "")
            return name.split(" ", 1)[0].capitalize() if name else "Unknown"
    return "Unknown"


def _skeleton(token: str) -> str:
    head, rest = token[:1], token[1:]
    return head + re.sub(r"(.)\1+", r"\1", _VOWELS.sub("", rest))


@lru_cache(maxsize=1 << 18)
def normalize_name(text: str, *, culture: str | None = None) -> NameForm:
    """Normalise one name.

    Args:
        text: the name as written, in any script.
        culture: an optional hint ("arabic", "somali", ...) for name structure.

    Returns:
        The :class:`NameForm`; its ``tokens`` are empty when nothing usable was found.

    >>> normalize_name("Dr. José  Martínez").tokens
    ('jose', 'martinez')
    """
    del culture  # used by later versions for name structure
    if not text:
        return _EMPTY
    clean = unicodedata.normalize("NFKC", text)
    latin = unidecode(clean).casefold()
    raw = [t for t in _NON_LETTER.split(latin) if t]
    titles = tuple(t for t in raw if t in _TITLES)
    tokens = tuple(t for t in raw if t not in _TITLES) or tuple(raw)
    if len(tokens) == len(raw):
        titles = ()
    return NameForm(
        original=text,
        script=_script_of(clean),
        tokens=tokens,
        variant_ids=tokens,
        phonetic_keys=tuple(jellyfish.metaphone(t) or t for t in tokens),
        skeleton_keys=tuple(_skeleton(t) for t in tokens),
        titles=titles,
    )


def normalize_names(
    values: Iterable[str | None], *, culture: str | None = None
) -> list[NameForm]:
    """Normalise many names, each distinct value once; missing values give an empty form."""
    seq: Sequence[str | None] = values if isinstance(values, Sequence) else list(values)
    done: dict[str, NameForm] = {}
    out: list[NameForm] = []
    for value in seq:
        if not value:
            out.append(_EMPTY)
            continue
        form = done.get(value)
        if form is None:
            form = done[value] = normalize_name(value, culture=culture)
        out.append(form)
    return out
