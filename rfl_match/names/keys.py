"""Blocking keys per token: two consonant skeletons shared across scripts.

Both keys map Latin spellings and Arabic-script letters into one set of consonant classes
(``latin_classes.tsv``, ``arabic_letters.tsv``), drop the weak letters (vowels, و ي ا ء ع,
h, w, y), fold the article al-/el- (joined to a word that is not a listed name) and the
compound head abd-, and collapse repeats:
muhammad, mohamed and محمد all give ``mmd``; a final s, t, d that transcriptions drop is
left out of keys long enough (Artūrs and Артур both give ``rtr``). The two keys differ in
how they read the letters whose sound depends on the language: the skeleton key takes the
first reading (j as in Jamal, w as in Walid, ch as in Charles; French and Italian spellings:
gn, gli, silent -aud, -ier), the phonetic key the other one (j as in Jasmin, w as in Weber,
ch as in Bacher; Polish cz, sz, rz; Arabic ث ذ ض as s and z, as in Osman and Ramazan). The
spelling rules of each reading are in ``latin_spelling.tsv``. A true pair usually meets on
one of them, different names rarely on either.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache
from operator import itemgetter

from rfl_match.names._resources import read_table
from rfl_match.names.variants import lookup_latin

# The head abd- as normalize.py's _ABD_HEAD reads it: a letter after abd without a vowel is
# the article only where it is doubled (abdrrahman), else it opens the part (Abd Rahman).
_ABD_LATIN = re.compile(r"^c?abd(?:[aeiou]{1,2}l?|([lrsdtnz])(?=\1))?(?=[a-z]{2})")
_ARTICLE_LATIN = re.compile(r"^[aeo]l(?=[a-z]{3})")
_ARABIC_CLUSTERS = (("تش", "چ"), ("تس", "س"), ("تز", "ز"))  # ch, ts, tz in borrowed names


@cache
def _latin_tables() -> tuple[tuple[tuple[str, str], ...], tuple[dict[int, str], dict[int, str]]]:
    """(multigraph -> placeholder replacements, longest first; per reading a translate table
    from placeholders and single letters to classes, "-" for weak letters).
    """
    rows = read_table("latin_classes.tsv")
    multi = sorted((r for r in rows if len(r[0]) > 1), key=lambda r: -len(r[0]))
    multi += [("ce", "s", "s"), ("ci", "s", "s"), ("cy", "s", "s")]  # soft c (the vowel is weak)
    replacements: list[tuple[str, str]] = []
    tables: tuple[dict[int, str], dict[int, str]] = ({}, {})
    for i, (grapheme, first, other) in enumerate(multi):
        placeholder = chr(0x2460 + i)
        replacements.append(
            (
                grapheme,
                placeholder
                + (
                    "-"
                    if grapheme[0] == "c" and len(grapheme) == 2 and grapheme[1] in "eiy"
                    else ""
                ),
            )
        )
        tables[0][ord(placeholder)] = first
        tables[1][ord(placeholder)] = other
    for letter in "abcdefghijklmnopqrstuvwxyz":
        tables[0][ord(letter)] = "-"
        tables[1][ord(letter)] = "-"
    for grapheme, first, other in rows:
        if len(grapheme) == 1:
            tables[0][ord(grapheme)] = first
            tables[1][ord(grapheme)] = other
    return tuple(replacements), tables


_REPEATS = re.compile(r"(.)\1+")
_FIRST = itemgetter(1)  # a C-level replacement: no template expansion per match


@cache
def _arabic_tables() -> tuple[dict[int, str], dict[int, str]]:
    rows = read_table("arabic_letters.tsv")
    return {ord(r[0]): r[2] for r in rows}, {ord(r[0]): r[3] for r in rows}


def _collapse(classes: str) -> str:
    """Collapse adjacent repeats (mm -> m), then drop the weak-letter marks ("-")."""
    return _REPEATS.sub(_FIRST, classes).replace("-", "")


@cache
def _spelling_rules() -> tuple[re.Pattern[str], tuple[tuple[re.Pattern[str], dict[str, str]], ...]]:
    """From ``latin_spelling.tsv``: one pattern of every rule (most words match none: one scan
    tells, fast where a place cannot start a match), and per reading (first, other) one
    pattern of its rules, a named group per rule, with each group's spelling.
    """
    rows = read_table("latin_spelling.tsv")
    readings = []
    for reading in ("first", "other"):
        rules = [(row[0], row[1]) for row in rows if row[2] in ("both", reading)]
        joined = "|".join(f"(?P<r{i}>{pattern})" for i, (pattern, _) in enumerate(rules))
        spellings = {f"r{i}": spelling for i, (_, spelling) in enumerate(rules)}
        readings.append((re.compile(joined), spellings))
    starts = "".join(sorted({c for row in rows for c in row[3]}))
    any_rule = re.compile(f"(?=[{starts}])(?:" + "|".join(f"(?:{row[0]})" for row in rows) + ")")
    return any_rule, tuple(readings)


def _respell(word: str) -> tuple[str, str]:
    """A Latin word under the spelling rules of the first and of the other reading."""
    any_rule, readings = _spelling_rules()
    if any_rule.search(word) is None:
        return word, word
    (first, first_spellings), (other, other_spellings) = readings
    return (
        first.sub(lambda m: first_spellings[m.lastgroup or ""], word),
        other.sub(lambda m: other_spellings[m.lastgroup or ""], word),
    )


def _mark(word: str) -> str:
    """The word with its multigraphs replaced by their placeholders."""
    for grapheme, placeholder in _latin_tables()[0]:
        if grapheme in word:
            word = word.replace(grapheme, placeholder)
    return word


def _listed_with_article(word: str) -> bool:
    """Whether a word that opens as al-, el- or ol- is a listed name, its first vowel read
    as written or as either other (Elmaz is Almaz)."""
    return any(lookup_latin(vowel + word[1:]) is not None for vowel in "aeo")


def _latin_skeletons(word: str, *, article: bool, spelling: bool) -> tuple[str, str]:
    """Both readings of a Latin word (the multigraphs marked once when the spellings agree)."""
    tables = _latin_tables()[1]
    first_word, other_word = _respell(word) if spelling else (word, word)
    marked = _mark(first_word)
    first = _collapse(marked.translate(tables[0]))
    if other_word != first_word:
        marked = _mark(other_word)
    other = _collapse(marked.translate(tables[1]))
    # A joined al-/el- is the article (Alzahrani: الزهراني, Elhassan), unless the word is a
    # listed name: Alireza, Alisher, Alexander are names of their own, whose al- is no
    # article (as Alireza, rs, the given name Reza), nor where its vowel read another way is
    # (Elmaz, Almaz: አልማዝ). An unlisted word keeps the rule, as the
    # joined nisbas and laqabs are most often unlisted and meet their Arabic spelling so.
    if article and _ARTICLE_LATIN.match(word) and not _listed_with_article(word):
        if len(first) >= 3 and first[0] == "l":
            first = first[1:]
        if len(other) >= 3 and other[0] == "l":
            other = other[1:]
    return first, other


def _arabic_skeleton(word: str, reading: int, *, minimum: int) -> str:
    table = _arabic_tables()[reading]
    if word.startswith("ال"):
        rest = _ascii_only(_collapse(word[2:].translate(table)))
        if len(rest) >= minimum:
            return rest
    return _ascii_only(_collapse(word.translate(table)))


def _ascii_only(classes: str) -> str:
    """Drop letters that no table knows (text that skipped the clean-up)."""
    return classes if classes.isascii() else "".join(c for c in classes if c.isascii())


def _arabic_skeletons(word: str, *, minimum: int) -> tuple[str, str]:
    for cluster, letter in _ARABIC_CLUSTERS:
        if cluster in word:
            word = word.replace(cluster, letter)
    return (
        _arabic_skeleton(word, 0, minimum=minimum),
        _arabic_skeleton(word, 1, minimum=minimum),
    )


# Final s, t, d are left out of every key, and g after n: a transcription drops the letters
# that the source language does not pronounce (French Bézout: Безу, Latin Bulbus: Бульб,
# Latvian Artūrs: Артур; Chinese and Korean -ng: н), and doing it to every script alike
# keeps equal keys equal. Up to two go when three classes are left, a final s when two are:
# shorter keys would meet too many other names (rashid stays rxd, apart from rasha). A final
# d after m stays: it ends the Arabic and Persian names that close compounds (ahmad,
# muhammad, hamid, samad: Gulahmad, Noorahmad, Dilmohammed, Abdulsamad), whose parts written
# apart keep it (Gul Ahmad: jl md); the Turkish and Central Asian t spelling of that d is
# read as it (Abdusamat, Gulahmat) in a key of four or more.
_FINALS = re.compile(r"(?<=...)[std]{1,2}$|(?<=..)s$|(?<=..n)j[std]{0,2}$|(?<=.n)j$")


def finish_key(key: str) -> str:
    """A skeleton key run together from parts' keys, finished as one word's key is (its
    final s, t, d left out: "mmd" + "rs" of Mohammad Reza is Mohammadreza's "mmdr")."""
    return _finish(key)


def _finish(key: str) -> str:
    """A key without its final s, t, d (a d after m stays, and a t after m in a long key is
    read as that d), and with n before b read as m (Japanese nb: мб)."""
    if "nb" in key:
        key = key.replace("nb", "mb")
    if len(key) >= 4 and key.endswith("mt"):
        key = key[:-1] + "d"
    if key.endswith("md"):
        return key
    return _FINALS.sub("", key)


def token_keys(word: str, *, spelling: bool = True) -> tuple[str, str]:
    """(skeleton key, phonetic key) of one word: the two readings computed together.

    ``spelling``: read a Latin word with the spelling rules of ``latin_spelling.tsv`` (for
    names written in Latin script; not for text that rfl_match romanised itself).

    Not cached: the name path caches whole tokens; :func:`skeleton_key` and
    :func:`phonetic_key` are the cached public forms.
    """
    if not word:
        return "", ""
    if word.isascii():
        head = _ABD_LATIN.match(word)
        if head:
            first, other = _latin_skeletons(word[head.end() :], article=False, spelling=spelling)
            first, other = "bd" + first, "bd" + other
        else:
            first, other = _latin_skeletons(word, article=True, spelling=spelling)
    elif word.startswith("عبد") and len(word) > 4:
        first, other = _arabic_skeletons(word[3:], minimum=1)
        first, other = "bd" + first, "bd" + other
    else:
        first, other = _arabic_skeletons(word, minimum=2)
    return _finish(first), _finish(other)


@lru_cache(maxsize=1 << 18)
def skeleton_key(word: str) -> str:
    """Consonant skeleton of one word, romanised Latin or Arabic script (first reading).

    >>> [skeleton_key(w) for w in ("muhammad", "mohamed", "mhd", "محمد")]
    ['mmd', 'mmd', 'md', 'mmd']
    >>> skeleton_key("abdulrahman") == skeleton_key("عبدالرحمن") == skeleton_key("abderrahmane")
    True
    """
    return token_keys(word)[0]


@lru_cache(maxsize=1 << 18)
def phonetic_key(word: str) -> str:
    """Consonant skeleton under the other reading of ambiguous letters (j as y, w as v, ...).

    >>> phonetic_key("jasmin") == phonetic_key("ياسمين")
    True
    >>> phonetic_key("osman") == phonetic_key("عثمان")
    True
    """
    return token_keys(word)[1]
