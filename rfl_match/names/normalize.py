"""Normalisation of names: clean-up, romanisation, name parts, variant classes and keys.

``normalize_name`` is the one entry point; every step is cached per distinct value and per
token, so a column of a million names costs one pass over its distinct values.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterable, Sequence
from functools import cache, lru_cache
from typing import NamedTuple

from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text
from rfl_match.names.form import NameForm
from rfl_match.names.keys import phonetic_key, skeleton_key
from rfl_match.names.parts import (
    Culture,
    Word,
    _is_patronymic,
    _is_tribal,
    assign_roles,
    culture_info,
    join_parts,
    simple_roles,
    take_titles,
)
from rfl_match.names.romanization import (
    burmese_latin_syllables,
    cyrillic_key_reading,
    romanize_candidates,
    romanize_word,
)
from rfl_match.names.scripts import UNKNOWN, detect_script
from rfl_match.names.variants import lookup_latin, lookup_native

_EMPTY = NameForm(
    original="", script=UNKNOWN, tokens=(), variant_ids=(), phonetic_keys=(), skeleton_keys=()
)

# Somali Latin orthography: x is ḥ, c is ʿ, dh is a d, long vowels are doubled.
_SOMALI_LOOK = re.compile(r"(?=.*[xc])(?=.*(aa|ii|uu|oo|ee))|^c[aeiou]|^x[aeiou]|[aeiou]x[aeiou]")
_SOMALI_RULES = (
    (re.compile(r"x"), "h"),
    (re.compile(r"c(?!h)"), ""),
    (re.compile(r"dh"), "d"),
    (re.compile(r"([aeiou])\1"), r"\1"),
)


def somali_to_common(word: str) -> str:
    """Somali Latin spelling to the common (anglicised) one: maxamed -> mahamed."""
    for pattern, repl in _SOMALI_RULES:
        word = pattern.sub(repl, word)
    return word


class TokenInfo(NamedTuple):
    """What the pipeline knows about one name part."""

    token: str
    variant_id: str
    phonetic_key: str
    skeleton_key: str
    candidates: tuple[str, ...]


def _strip_article_latin(word: str) -> str | None:
    if len(word) > 4 and word[:2] in ("al", "el"):
        rest = word[2:]
        if lookup_latin(rest) is not None:
            return rest
    return None


_ABD_HEAD = re.compile(r"^c?abd(?:[aeiou]{1,2}l?|[aeiou]?[lrsdtnz])?(?=[a-z]{3})")


def _compound_id(word: str) -> str | None:
    """The class id of an abd- compound whose second part is known (abdulfattah -> abdal...)."""
    head = _ABD_HEAD.match(word)
    if head is None:
        return None
    rest = word[head.end() :]
    rest_id = lookup_latin(rest) or lookup_latin(rest.lstrip(rest[:1]))
    if rest_id == "allah":
        return "abdallah"
    return "abdal" + (rest_id or rest)


@lru_cache(maxsize=1 << 18)
def analyze_token(native: str, latin: str, script: str, somali: bool = False) -> TokenInfo:
    """Variant class, keys and candidates of one (joined) name part."""
    if script == "Latin" or native.isascii():
        spelling = somali_to_common(latin) if somali or _SOMALI_LOOK.search(latin) else latin
        is_somali = spelling != latin
        vid = lookup_latin(latin)
        if vid is None and is_somali:
            vid = lookup_latin(spelling)
        if vid is None:
            stripped = _strip_article_latin(spelling)
            vid = lookup_latin(stripped) if stripped else None
        if vid is None:
            vid = _compound_id(spelling)
        key_source = spelling if (is_somali and (somali or vid is not None)) else latin
        return TokenInfo(
            latin,
            vid or latin,
            phonetic_key(key_source),
            skeleton_key(key_source) or key_source,
            (latin,),
        )
    candidates = romanize_candidates(native, script)
    token = latin
    vid = lookup_native(native)
    if vid is None and script == "Arabic":
        vid, token = _arabic_class(native, latin, script)
    if vid is None:
        for cand in candidates:
            vid = lookup_latin(cand)
            if vid is not None:
                break
    if vid is not None and script in ("Arabic", "Ethiopic"):
        token = vid  # the known spelling beats a guessed vowelling
        candidates = (vid, *candidates)
    if script == "Arabic":
        skeleton, phonetic = skeleton_key(native), phonetic_key(native)
    elif script == "Cyrillic":
        skeleton, phonetic = skeleton_key(cyrillic_key_reading(native)), phonetic_key(latin)
    else:
        skeleton, phonetic = skeleton_key(latin), phonetic_key(latin)
    return TokenInfo(token, vid or token, phonetic or token, skeleton or token, candidates)


def _arabic_class(native: str, latin: str, script: str) -> tuple[str | None, str]:
    """(class id, token) of an Arabic-script word with the article or the head عبد."""
    if native.startswith("ال") and len(native) > 3:
        vid = lookup_native(native[2:])
        if vid is None and len(native) > 4 and latin.startswith("al"):
            return None, latin[2:]
        return vid, latin
    if native.startswith("عبد") and len(native) > 4:
        rest = native[3:]
        bare = rest[2:] if rest.startswith("ال") else rest
        rest_id = lookup_native(rest) or lookup_native(bare)
        if rest_id == "allah":
            return "abdallah", latin
        if rest_id is not None:
            return "abdal" + rest_id, latin
        return None, "abdal" + romanize_word(bare, script)
    return None, latin


@lru_cache(maxsize=1 << 18)
def _word_parts(raw: str, language: str | None) -> tuple[tuple[str, str, str], ...]:
    """(native, latin, script) for each name part in one space-free piece of clean text."""
    script = detect_script(raw)
    if script == UNKNOWN:
        return ()  # digits and symbols carry no name
    latin = romanize_word(raw, script, language if script == "Cyrillic" else None)
    parts = latin.split()
    if len(parts) <= 1:
        return tuple((raw, p, script) for p in parts)
    # scripts written without spaces between name parts (Burmese, Han, Hangul)
    return tuple((p, p, script) for p in parts)


def _words(clean: str, language: str | None) -> list[Word]:
    return [
        Word(native=native, latin=latin, script=script)
        for raw in clean.split()
        for native, latin, script in _word_parts(raw, language)
    ]


def _dominant_script(words: list[Word]) -> str:
    """The script of most letters, from the per-word scripts (ties: the first met)."""
    if len(words) == 1 or all(w.script == words[0].script for w in words):
        return words[0].script
    weight: dict[str, int] = {}
    for w in words:
        weight[w.script] = weight.get(w.script, 0) + len(w.native)
    return max(weight, key=weight.__getitem__)


def _split_burmese_latin(word: str) -> list[str] | None:
    """Split a Latin word into common Burmese syllables ("aungsan" -> aung, san), if it fits."""
    syllables = burmese_latin_syllables()
    n = len(word)
    best: list[list[str] | None] = [None] * (n + 1)
    best[0] = []
    for i in range(n):
        current = best[i]
        if current is None:
            continue
        for j in range(i + 1, min(n, i + 7) + 1):
            if word[i:j] in syllables:
                candidate = [*current, word[i:j]]
                existing = best[j]
                if existing is None or len(candidate) < len(existing):
                    best[j] = candidate
    return best[n]


class _Entry(NamedTuple):
    """One analysed name part, as the fast path keeps it."""

    token: str
    variant_id: str
    phonetic_key: str
    skeleton_key: str
    script: str
    candidates: tuple[str, ...]
    flag: str  # "a": Arabic-script al- word, "t": tribal suffix, "p": patronymic suffix
    weight: int  # letters written, for the dominant script


@cache
def _special_forms() -> frozenset[str]:
    """Forms that need the full pipeline: particles, connectors and titles."""
    return frozenset(row[0] for row in read_table("particles.tsv")) | frozenset(
        row[0] for row in read_table("titles.tsv")
    )


@lru_cache(maxsize=1 << 18)
def _entries(raw: str, language: str | None, somali: bool) -> tuple[_Entry, ...] | None:
    """The analysed parts of one space-free piece of clean text; None when the piece holds
    a particle, a title, or Burmese syllables (the full pipeline handles those).
    """
    special = _special_forms()
    out = []
    for native, latin, script in _word_parts(raw, language):
        if script == "Myanmar" or native in special or latin in special:
            return None
        info = analyze_token(native, latin, script, somali)
        if not info.token:
            return None
        if script == "Arabic" and native.startswith("ال") and len(native) > 4:
            flag = "a"
        elif _is_tribal(info.token):
            flag = "t"
        elif _is_patronymic(info.token):
            flag = "p"
        else:
            flag = ""
        out.append(
            _Entry(
                info.token,
                info.variant_id,
                info.phonetic_key or info.token,
                info.skeleton_key,
                script,
                info.candidates,
                flag,
                len(native),
            )
        )
    return tuple(out)


def _normalize_fast(text: str, clean: str, culture: Culture) -> NameForm | None:
    """Names without particles or titles (most of them): cached parts, cached roles."""
    family, chain, language = culture
    if family == "burmese":
        return None
    somali = family == "somali"
    entries: list[_Entry] = []
    for raw in clean.split():
        parts = _entries(raw, language, somali)
        if parts is None:
            return None
        entries.extend(parts)
    if not entries:
        return None
    tokens, vids, phonetic, skeleton, scripts, candidates, flags, weights = zip(
        *entries, strict=True
    )
    script = scripts[0]
    if any(s != script for s in scripts):
        totals: dict[str, int] = {}
        for s, w in zip(scripts, weights, strict=True):
            totals[s] = totals.get(s, 0) + w
        script = max(totals, key=totals.__getitem__)
    return NameForm(
        original=text,
        script=script,
        tokens=tokens,
        variant_ids=vids,
        phonetic_keys=phonetic,
        skeleton_keys=skeleton,
        token_scripts=scripts,
        roles=simple_roles(scripts, flags, family, chain),
        candidates=candidates,
    )


@lru_cache(maxsize=1 << 18)
def normalize_name(text: str, *, culture: str | None = None) -> NameForm:
    """Normalise one name.

    Args:
        text: the name as written, in any script.
        culture: an optional hint for name structure ("arabic", "somali", "amharic",
            "pashto", "ukrainian", "burmese", ...; see ``resources/cultures.tsv``).
            Unknown hints are ignored.

    Returns:
        The :class:`NameForm`; its ``tokens`` are empty when nothing usable was found.

    >>> normalize_name("Dr. José  Martínez").tokens
    ('jose', 'martinez')
    >>> form = normalize_name("محمد بن عبد الله")
    >>> form.variant_ids, form.roles
    (('muhammad', 'abdallah'), ('given', 'father'))
    """
    if not text:
        return _EMPTY
    info = culture_info(culture)
    clean = clean_text(text)
    fast = _normalize_fast(text, clean, info)
    return fast if fast is not None else _normalize_full(text, clean, info)


def _normalize_full(text: str, clean: str, culture: Culture) -> NameForm:
    """The whole pipeline: titles, particles, compounds, roles (the reference path)."""
    family, chain, language = culture
    words = _words(clean, language)
    if not words:
        return NameForm(
            original=text,
            script=UNKNOWN,
            tokens=(),
            variant_ids=(),
            phonetic_keys=(),
            skeleton_keys=(),
        )
    script = _dominant_script(words)
    if family is None and script == "Myanmar":
        family = "burmese"
    words, titles = take_titles(words, family)
    words = join_parts(words)
    if family == "burmese":
        split: list[Word] = []
        for w in words:
            pieces = _split_burmese_latin(w.latin) if w.script != "Myanmar" else None
            if pieces and len(pieces) > 1:
                split.extend(Word(native=p, latin=p, script="Latin") for p in pieces)
            else:
                split.append(w)
        words = split
    somali = family == "somali"
    infos = [analyze_token(w.native, w.latin, w.script, somali) for w in words]
    keep = [k for k, info in enumerate(infos) if info.token]
    if not keep:
        return NameForm(
            original=text,
            script=script,
            tokens=(),
            variant_ids=(),
            phonetic_keys=(),
            skeleton_keys=(),
            titles=tuple(titles),
        )
    words = [words[k] for k in keep]
    infos = [infos[k] for k in keep]
    tokens = [info.token for info in infos]
    return NameForm(
        original=text,
        script=script,
        tokens=tuple(tokens),
        variant_ids=tuple(info.variant_id for info in infos),
        phonetic_keys=tuple(info.phonetic_key or info.token for info in infos),
        skeleton_keys=tuple(info.skeleton_key for info in infos),
        titles=tuple(titles),
        token_scripts=tuple(w.script for w in words),
        roles=assign_roles(words, tokens, family, chain),
        candidates=tuple(info.candidates for info in infos),
    )


def normalize_names(values: Iterable[str | None], *, culture: str | None = None) -> list[NameForm]:
    """Normalise many names, each distinct value once; missing values give an empty form.

    >>> [f.variant_ids for f in normalize_names(["Mohammed", None, "محمد", "Mohammed"])]
    [('muhammad',), (), ('muhammad',), ('muhammad',)]
    """
    seq: Sequence[str | None] = values if isinstance(values, Sequence) else list(values)
    done: dict[str, NameForm] = {}
    out: list[NameForm] = []
    # A column of names allocates millions of small tuples, none in a reference cycle: the
    # cyclic collector would rescan them again and again (a third of the time, measured).
    collecting = gc.isenabled()
    gc.disable()
    try:
        for value in seq:
            if not value:
                out.append(_EMPTY)
                continue
            form = done.get(value)
            if form is None:
                form = done[value] = normalize_name(value, culture=culture)
            out.append(form)
    finally:
        if collecting:
            gc.enable()
    return out
