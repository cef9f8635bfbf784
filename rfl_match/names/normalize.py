"""Normalisation of names: clean-up, romanisation, name parts, variant classes and keys.

``normalize_name`` is the one entry point; every step is cached per distinct value and per
token, so a column of a million names costs one pass over its distinct values.
"""

from __future__ import annotations

import gc
import re
import unicodedata
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import replace
from functools import cache, lru_cache, partial
from itertools import islice, product
from typing import NamedTuple, TypeVar

from rfl_match.forking import forked_map
from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text
from rfl_match.names.form import NameForm, new_form
from rfl_match.names.keys import token_keys
from rfl_match.names.parts import (
    Culture,
    Reading,
    Word,
    _is_tribal,
    assign_roles,
    culture_info,
    family_marked_last,
    is_parent_relation,
    is_particle,
    is_patronymic,
    is_strong_article,
    join_parts,
    language_of,
    names_no_one,
    opens_two_word_title,
    simple_roles,
    split_joined_title,
    take_titles,
    vietnamese_order,
    vietnamese_order_words,
)
from rfl_match.names.placeholders import (
    is_dropped,
    outside_letter_forms,
    placeholder_words,
    says_given_unknown,
    without_placeholders,
)
from rfl_match.names.romanization import (
    BurmeseSyllable,
    _ascii_word,
    burmese_distinctive_syllables,
    burmese_latin_syllables,
    burmese_syllables,
    candidates_after,
    cyrillic_key_readings,
    persian_consonants,
    romanize_uncached,
    romanize_word,
)
from rfl_match.names.scripts import UNKNOWN, script_of_text
from rfl_match.names.variants import lookup_latin, lookup_native, variant_classes

_EMPTY = NameForm(
    original="", script=UNKNOWN, tokens=(), variant_ids=(), phonetic_keys=(), skeleton_keys=()
)

# Somali Latin orthography: x is ḥ, c is ʿ, dh is a d, long vowels are doubled.
# (with an x or a c anywhere, a long vowel written twice anywhere is one too: searched on
# its own, as two look-aheads from every place made a long word cost its length squared)
_SOMALI_LOOK = re.compile(r"aa|ii|uu|oo|ee|^c[aeiou]|^x[aeiou]|[aeiou]x[aeiou]")
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


# Letters only Turkish and Azerbaijani spelling has: in a word with one of them, c is a j
# (Hacıoğlu: Гаджиоглу, Cəfər: Джафар); ç was romanised as ch already.
_TURKIC_LETTERS = frozenset("ıİğĞəƏ")
_TURKIC_C = re.compile("c(?!h)")
# Letters only Kurmanji Kurdish (the Latin alphabet of Kurds in Turkey and Syria) has
# among the names read here: in a word with one of them, c is a j and x a kh (Cemîl:
# Jamil, جميل; Xelîl: Khalil, خليل), which the skeleton key reads (the phonetic key
# reads the word as typed without its marks, Cemil: :func:`_unmarked`).
_KURMANJI_LETTERS = frozenset("êîû")
_KURMANJI_X = re.compile("x")
# ç and ş, which a keyboard without them writes c and s (Francois, Celik, Serko): a word
# with one, or with a Kurmanji letter, is read both ways (:func:`_unmarked`). Not the
# carons (č š ž ć), whose readings ch, sh, zh meet Cyrillic ч ш ж (Ilič: Ильич), nor a
# word with a letter of Turkish or Turkmen spelling beside (Gökçen, Tuğçe: Гёкчен,
# Тугче), typed where ç is at hand: read so, true pairs of the held-out Russian set of
# ``benchmarks/bench_names.py`` lost the key they shared.
_CEDILLAS = frozenset("çş")
_TURKISH_LETTERS = frozenset("ıİğĞəƏöüýÖÜÝ")


class TokenInfo(NamedTuple):
    """What the pipeline knows about one name part."""

    token: str
    variant_id: str
    phonetic_key: str
    skeleton_key: str
    candidates: tuple[str, ...]


def _unmarked(native: str) -> str:
    """A Latin word as typed without its marks (a keyboard without ç, ş, ê: Francois,
    Celik, Serko, Cemil), where they make the romanisation read a letter otherwise
    (François: franchois, as ç is read in Turkish and Kurdish; Şêrko: sherko): the
    phonetic key reads it so, and the skeleton key reads the marks, so that both
    spellings meet the word (and Chelik, Sherko their own)."""
    bare = unicodedata.normalize("NFD", native)
    return _ascii_word("".join(c for c in bare if not unicodedata.combining(c)))


# al-, el-, and the article assimilated to a sun letter, written doubled (Assayed, Arrashid)
_LATIN_ARTICLE = re.compile(r"^(?:[ae]l|a(?=([tdrzsn])\1))")


def _strip_article_latin(word: str) -> str | None:
    head = _LATIN_ARTICLE.match(word)
    if head is not None and len(word) > 4:
        rest = word[head.end() + (head.end() == 1) :]
        if lookup_latin(rest) is not None:
            return rest
    return None


# abd- and its linking vowel and article (abdul-, abdel-, abdi-); the assimilated article of
# abdur-, abdus- is read with the part (abdurrahman: rrahman). Written without a vowel, a
# letter is the article only where it is doubled (abdrrahman): Abd Rahman, Abd Latif (the
# Malaysian and Central Asian spelling, apart and without an article) keep their first letter.
_ABD_HEAD = re.compile(r"^c?abd(?:[aeiou]{1,2}l?|([lrsdtnz])(?=\1))?(?=[a-z]{3})")


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


def _looks_somali(latin: str) -> bool:
    # every Somali look needs an x or a c: most words skip the pattern
    return ("x" in latin or "c" in latin) and _SOMALI_LOOK.search(latin) is not None


_LONG_VOWEL = re.compile("aa|ii|uu")


def _more_than_initial_c(latin: str) -> bool:
    # Cira, Cierra, Cilia, Callum, Cadel: a word-initial c before a vowel is also Spanish,
    # English, Italian; Somali spelling also shows an x, another c or a long vowel written
    # twice (Caadil): aa, ii or uu
    return "x" in latin or "c" in latin[1:] or _LONG_VOWEL.search(latin) is not None


def _surely_somali(latin: str) -> bool:
    """Whether a word no class lists is read by its Somali keys with no culture hint: it has
    an x and a long vowel written twice (Farxaan: Farhan's frn, not frksn), which few words
    of another Latin spelling hold together (Alexander, Ximena, Maxim have no doubled
    vowel): a Somali name unlisted met its common spelling nowhere, and with its age not
    written no rule with a birth proposed it."""
    return "x" in latin and _LONG_VOWEL.search(latin) is not None


@cache
def _plain_skeletons() -> dict[str, frozenset[str]]:
    """Per variant class, the skeleton keys of its Latin spellings that do not look Somali."""
    return {
        class_id: frozenset(
            token_keys(s)[0] for s in (class_id, *spellings) if s.isascii() and not _looks_somali(s)
        )
        for class_id, spellings in variant_classes().items()
    }


def _somali_key_source(spelling: str, latin: str, class_id: str) -> str:
    """What a word of a known class that looks Somali takes its keys from, with no culture
    hint: its Somali reading where that has the skeleton of one of the class's spellings that
    do not look Somali (Maxamed read as mahamed: Mohamed's mmd); the word as written where
    that has one, or the class has none (Alexander, read as alehander, keeps Aleksandr's
    ksndr; Castillo, read as astillo, its own kstl); else its Turkish and Kurmanji reading,
    c as j and x as kh, where that has one (Cemil, listed as Jamil, read as jemil: jml; Xelil
    as khelil); else the Somali reading. An abd- compound id that is not a row
    (Cabdixakiim: abdalhakim) has no plain spellings: Somali reading."""
    plain = _plain_skeletons().get(class_id)
    if plain is None:  # an abd- compound id, not a row: read as Somali, as before
        return spelling
    if token_keys(spelling)[0] in plain:
        return spelling
    if not plain or token_keys(latin)[0] in plain:
        return latin
    kurmanji = _KURMANJI_X.sub("kh", _TURKIC_C.sub("j", latin))
    return kurmanji if token_keys(kurmanji)[0] in plain else spelling


@lru_cache(maxsize=1 << 16)
def reads_somali(token: str) -> bool:
    """Whether a romanised name part is spelt in Somali Latin orthography, with no culture
    hint to say so: it has the Somali look (an x or a c, with a long vowel written twice or
    an x or c beside a vowel: Faarax, Xasan, Cali) and its common reading (Farah, Hasan,
    Ali) is a spelling of the same listed name, or has the skeleton key of one (Maxamed,
    read as mahamed: Mohamed's). Carlos, Cecilia, Xavier, Alexander look so too, but
    their common readings (arlos, eilia, havier, alehander) are no name of theirs.

    >>> reads_somali("faarax"), reads_somali("cali"), reads_somali("carlos")
    (True, True, False)
    """
    if not token.isascii() or not _looks_somali(token):
        return False
    common = somali_to_common(token)
    if common == token:
        return False
    class_id = analyze_token(token, token, "Latin").variant_id
    if lookup_latin(common) == class_id or _compound_id(common) == class_id:
        return True
    plain = _plain_skeletons().get(class_id)
    return plain is not None and token_keys(common)[0] in plain


@lru_cache(maxsize=1 << 18)
def analyze_token(
    native: str, latin: str, script: str, somali: bool = False, persian: str | None = None
) -> TokenInfo:
    """Variant class, keys and candidates of one (joined) name part; ``persian``: "persian"
    where an Arabic-script part is read so (:attr:`Culture.persian`)."""
    return _analyze_token(native, latin, script, somali, None, persian)


def _analyze_token(
    native: str, latin: str, script: str, somali: bool, plain: str | None, persian: str | None
) -> TokenInfo:
    """:func:`analyze_token` without its cache; ``plain``: the romanisation of ``native``
    without a language hint (but ``persian`` for Arabic script) when the caller has it.
    """
    if script == "Latin" or native.isascii():
        looks_somali = somali or _looks_somali(latin)
        spelling = somali_to_common(latin) if looks_somali else latin
        is_somali = spelling != latin
        vid = lookup_latin(latin)
        if vid is None and is_somali and (somali or _more_than_initial_c(latin)):
            vid = lookup_latin(spelling)
        if vid is None:
            stripped = _strip_article_latin(spelling)
            vid = lookup_latin(stripped) if stripped else None
        if vid is None:
            vid = _compound_id(spelling)
        key_source = latin
        if is_somali and (somali or (vid is None and _surely_somali(latin))):
            key_source = spelling
        elif is_somali and vid is not None:
            key_source = _somali_key_source(spelling, latin, vid)
        if "c" in key_source and not _TURKIC_LETTERS.isdisjoint(native):
            key_source = _TURKIC_C.sub("j", key_source)
        skeleton, phonetic = token_keys(key_source)
        if not native.isascii():
            kurmanji = not _KURMANJI_LETTERS.isdisjoint(native)
            if kurmanji:
                skeleton = token_keys(_KURMANJI_X.sub("kh", _TURKIC_C.sub("j", key_source)))[0]
            marked = kurmanji or not _CEDILLAS.isdisjoint(native)
            if marked and _TURKISH_LETTERS.isdisjoint(native) and not is_somali:
                phonetic = token_keys(_unmarked(native))[1]
        return TokenInfo(latin, vid or latin, phonetic, skeleton or key_source, (latin,))
    persian = persian if script == "Arabic" else None
    first = plain if plain is not None else romanize_uncached(native, script, persian)
    candidates = candidates_after(native, script, first, persian)
    token = latin
    vid = lookup_native(native)
    if vid is None and script == "Arabic":
        vid, token = _arabic_class(native, latin, script, persian)
    if vid is None:
        for cand in candidates:
            vid = lookup_latin(cand)
            if vid is not None:
                break
    if vid is not None and script in ("Arabic", "Ethiopic"):
        token = vid  # the known spelling beats a guessed vowelling
        candidates = (vid, *candidates)
    if token != latin and token in _special_forms():
        # a token that reads as a particle or a title where the word was neither would be
        # parsed otherwise when read again (لا, "la", is in the class of allah: as "allah"
        # it would join the part before; العال without its article is "al")
        token = latin
    if script == "Arabic":
        skeleton, phonetic = token_keys(native)
        if persian is not None and "و" in native:
            # the other reading of a consonant و, as of Latin w, is v: Navid, Nawid: نوید
            phonetic = token_keys(persian_consonants(native))[1]
    elif script == "Cyrillic":
        first, other = cyrillic_key_readings(native, latin)
        skeleton = token_keys(first, spelling=False)[0]
        phonetic = token_keys(other, spelling=False)[1]
    else:
        skeleton, phonetic = token_keys(latin, spelling=False)
    return TokenInfo(token, vid or token, phonetic or token, skeleton or token, candidates)


def _arabic_class(
    native: str, latin: str, script: str, persian: str | None
) -> tuple[str | None, str]:
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
        return None, "abdal" + romanize_word(bare, script, persian)
    return None, latin


_SPAN_READINGS = 256  # readings of one run of syllables tried against the variant classes


def _known_span(syllables: Sequence[BurmeseSyllable]) -> str | None:
    """The class id of a run of Burmese syllables read as a known name, else None."""
    for combo in islice(product(*(s.readings for s in syllables)), _SPAN_READINGS):
        reading = "".join(combo)
        if len(reading) >= 3:
            vid = lookup_latin(reading)
            if vid is not None:
                return vid
    return None


def _burmese_parts(raw: str) -> tuple[str, ...]:
    """Name parts of a Burmese-script word, in Latin.

    A word listed in the variant classes is its name. A word of common Burmese name
    syllables is read syllable by syllable (Aung San Suu Kyi).
    Any other is a transcribed foreign name, most often a Muslim (Rohingya) name, written
    without spaces: it is cut where a known name ends (ဒီလ်မိုဟာမက်: dil muhammad) and after
    a written final l (နူရူလ်အစ္စလာမ်: nurul assalam); a known name is spelt as its class.
    """
    listed = lookup_native(raw)
    if listed is not None:  # a listed spelling is its name (သီတာ: Thida, not thi tar)
        return (listed,)
    syllables = burmese_syllables(raw)
    if all(s.common is not None for s in syllables):
        return tuple(str(s.common) for s in syllables)
    return _cut_syllables(syllables)


def _cut_syllables(syllables: Sequence[BurmeseSyllable]) -> tuple[str, ...]:
    """The parts of a word's syllables cut where known names end and after a written final
    l (:func:`_burmese_parts`), in steps linear in the syllables."""
    n = len(syllables)
    # best[j]: (score, -parts, parts) of the best reading of the first j syllables: two
    # points per syllable in a known name, one per cut after a final l, then fewer parts;
    # of equal readings, the one whose last part starts first
    empty: tuple[str, ...] = ()
    best = [(0, 0, empty)] + [(-1, 0, empty)] * n
    # A last part read as no known name scores as the reading before it, wherever it ends:
    # the best start for one is kept as j grows ((score, -parts, start), the first of
    # equals), and only a known name's span is looked up at each start, up to
    # _KNOWN_SPAN_MOST syllables. Trying every span at every end read a word of n
    # syllables in n**3 steps: 160 letters took 2 s, 2,000 did not end.
    loose: tuple[int, int, int] | None = None
    for j in range(1, n + 1):
        last = j - 1
        if best[last][0] >= 0:
            key = (best[last][0] + _after_l(syllables, last), best[last][1] - 1)
            if loose is None or key > loose[:2]:
                loose = (*key, last)
        found: list[tuple[int, int, int, str | None]] = []  # score, -parts, start, class
        if loose is not None:
            found.append((*loose, None))
        for i in range(max(0, j - _KNOWN_SPAN_MOST), j):
            # one syllable is too weak a sign of a name to cut a word at (nu: nur?)
            if best[i][0] < 0 or not (j - i > 1 or n == 1):
                continue
            vid = _known_span(syllables[i:j])
            if vid is not None:
                score = best[i][0] + 2 * (j - i) + _after_l(syllables, i)
                found.append((score, best[i][1] - 1, i, vid))
        score, parts, i, vid = max(found, key=lambda c: (c[0], c[1], -c[2]))
        part = vid or romanize_uncached("".join(s.readings[0] for s in syllables[i:j]), "Latin")
        best[j] = (score, parts, (*best[i][2], part))
    return tuple(p for p in best[n][2] if p)


#: Syllables of a run read as one known name, at most: the longest listed spelling has 13
#: letters, and a syllable reads as one letter or more.
_KNOWN_SPAN_MOST = 16


def _after_l(syllables: Sequence[BurmeseSyllable], start: int) -> int:
    """A point for a part that starts after a written final l (nurul assalam)."""
    return 1 if start > 0 and syllables[start - 1].final_l else 0


@cache
def _burmese_titles() -> tuple[tuple[str, int], ...]:
    """The Burmese-script titles of ``titles.tsv`` of two syllables or more (ဒေါက်တာ,
    doctor), as clean-up writes them, with their syllable counts, longest first. Read
    syllable by syllable, such a title is a run of syllables that no title reads
    (dok, ta: "dokta"), so a word is looked at whole for them first; a title of one
    syllable (ဦး, ဒေါ်: U, Daw) reads as its Latin title."""
    out = []
    for row in read_table("titles.tsv"):
        form = clean_text(row[0])
        if script_of_text(form) == "Myanmar" and len(burmese_syllables(form)) > 1:
            out.append((form, len(burmese_syllables(form))))
    return tuple(sorted(out, key=lambda t: len(t[0]), reverse=True))


def _burmese_word_parts(raw: str) -> tuple[tuple[str, str, str], ...]:
    """(native, latin, script) of each name part of a Burmese-script word: a title of
    :func:`_burmese_titles` that opens it, written alone or run together with the name it
    leads (ဒေါက်တာမောင်မောင်: Dr Maung Maung), is one part, whose native form is the
    title as listed (what :func:`~rfl_match.names.parts.take_titles` finds); the rest is
    read as :func:`_burmese_parts` reads a word."""
    for title, count in _burmese_titles():
        if raw.startswith(title):
            syllables = burmese_syllables(raw)
            if "".join(s.text for s in syllables[:count]) != title:
                continue  # the title's letters, but not its syllables
            rest = raw[len(title) :]
            parts = _burmese_word_parts(rest) if rest else ()
            return ((title, "".join(_burmese_parts(title)), "Myanmar"), *parts)
    return tuple((p, p, "Myanmar") for p in _burmese_parts(raw))


_ANY_DIGIT = re.compile("[0-9]+")


@lru_cache(maxsize=1 << 18)
def _word_parts(raw: str, reading: Reading) -> tuple[tuple[str, str, str], ...]:
    """(native, latin, script) for each name part in one space-free piece of clean text."""
    if "/" in raw:
        # S/O or D/O, which clean-up keeps whole (no other slash is left): a particle, and
        # where one is kept as written (after a head: "Abd S/O"), it reads so again
        return ((raw, raw, "Latin"),)
    script = script_of_text(raw)
    if script == UNKNOWN:
        return ()  # digits and symbols carry no name
    if script == "Myanmar":
        return _burmese_word_parts(raw)
    if script != "Latin" and _ANY_DIGIT.search(raw):
        # a digit typed onto a name in another script (احمد3, clean text's ٣ read as 3)
        # carries no name, as in Latin letters (Ahmed2): romanised, it read as a letter
        # (ahmadi), and the name was another
        return _word_parts(_ANY_DIGIT.sub("", raw), reading)
    latin = romanize_uncached(raw, script, language_of(script, reading))
    parts = latin.split()
    if len(parts) == 1:
        # in any script: a word read as "ayeaye" (أዬأዬ) is read as "ayeaye" is again
        parts = _split_doubled_syllable(parts[0])
    if script == "Latin" and len(parts) == 1:  # Sayedalam: Syed Alam, its title run together
        parts = split_joined_title(parts[0])
    if len(parts) <= 1:
        return tuple((raw, p, script) for p in parts)
    # scripts written without spaces between name parts (Burmese, Han, Hangul)
    if script == "Hangul" and len(parts) == 2:
        # the family name syllable stays as written (each syllable read as one: see
        # _romanize_east_asian), so that it finds its class in Hangul (김: Kim, as Gim)
        return ((raw[0], parts[0], script), (parts[1], parts[1], script))
    return tuple((p, p, script) for p in parts)


# Burmese name syllables whose Latin spelling is Burmese only (clusters hl, hn, ht, ky, my, ny,
# phy; -aung, -aing, -ein, -yint): written twice as one word they are two parts. Syllables
# that are also other names' halves (mar, min, tin, san, lin, win, chan, thu) are left out:
# Arabic Marmar, Tintin, Sansan, Minmin stay whole. The generator's doubled Burmese names are
# Maungmaung, Khinkhin and Myamya only (synth given_names.tsv).
_DOUBLED_BURMESE = frozenset(
    [
        "aung",
        "kaung",
        "maung",
        "khin",
        "khaing",
        "hla",
        "hlaing",
        "hnin",
        "htay",
        "htet",
        "htun",
        "htaik",
        "kyaw",
        "kyi",
        "kyin",
        "kyee",
        "mya",
        "myat",
        "myint",
        "nyein",
        "nyi",
        "phyo",
        "phyu",
        "thein",
        "thant",
        "naing",
        "lwin",
        "aye",
    ]
)


def _split_doubled_syllable(word: str) -> list[str]:
    """A Burmese name syllable written twice as one word, split ("maungmaung" -> maung,
    maung: Maung Maung, Aye Aye, Khin Khin are names of two parts); else the word."""
    half = len(word) // 2
    if word[:half] == word[half:] and word[:half] in _DOUBLED_BURMESE:
        return [word[:half], word[:half]]
    return [word]


def _words(clean: str, reading: Reading) -> list[Word]:
    return [
        Word(native=native, latin=latin, script=script)
        for raw in clean.split()
        for native, latin, script in _word_parts(raw, reading)
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


def _split_burmese(words: list[Word]) -> list[Word]:
    """Words whose Latin reading is several common Burmese syllables, split into them (Latin
    spellings and Burmese text that romanised to a run of syllables alike: their tokens are
    Latin, and read again they would be split).
    """
    split: list[Word] = []
    for w in words:
        pieces = _split_burmese_latin(w.latin)
        if pieces and len(pieces) > 1:
            split.extend(Word(native=p, latin=p, script="Latin") for p in pieces)
        else:
            split.append(w)
    return split


@cache
def _distinctive_pattern() -> re.Pattern[str]:
    """The distinctive Burmese syllables anywhere in a word (a first sieve: most words hold
    none, and the regular expression finds that faster than a word is cut)."""
    spellings = sorted(burmese_distinctive_syllables(), key=len, reverse=True)
    return re.compile("|".join(map(re.escape, spellings)))


@lru_cache(maxsize=1 << 16)
def _opens_burmese(latin: str) -> bool:
    """Whether a Latin word is a run of common Burmese syllables (:func:`_split_burmese_latin`)
    that opens with a distinctive one (:func:`burmese_distinctive_syllables`: Aung, Aungsan,
    Kyawzin; not San, Martin, Minmin, nor Mahla, a Persian name that splits as ma, hla): a
    name with no hint that holds one may read as Burmese (:func:`_reads_burmese`), so the
    fast path leaves its piece to the full pipeline."""
    if _distinctive_pattern().search(latin) is None:
        return False
    pieces: list[str] = _split_burmese_latin(latin) or []
    # the first: Mahla (Persian; ma, hla) and Shahla are no Burmese names
    return bool(pieces) and pieces[0] in burmese_distinctive_syllables()


def _reads_burmese(words: list[Word]) -> bool:
    """Whether a name with no culture hint reads as Burmese, as the hint "burmese" reads it:
    written in Latin letters, each of its words a run of common Burmese syllables
    (:func:`_split_burmese`) but for the titles leading it (Dr; U, Daw, Maung, Ko, Saw, as
    under the hint), two syllables or more in all (a title's too: Saw Aung), and one of the
    words the titles leave distinctive (``burmese_syllables.tsv``, column distinctive: Aung,
    Kyaw, Htet, Khin; not San, Min, Win, Lin, Tin, Ma, Ko, which names of other cultures
    write). Aung San Suu Kyi, Aungsan Suukyi, Thant Zin Oo, Khin Mar Win, Dr Aung Kyaw; not
    Martin Lin, Chan Min, Kim Min, nor Maung Min Tin (an honorific before Min Tin)."""
    if not any(w.script == "Latin" and _opens_burmese(w.latin) for w in words):
        return False  # the common case
    if any(w.script != "Latin" for w in words):
        return False
    syllables = burmese_latin_syllables()
    split = _split_burmese(words)
    rest, _ = take_titles(split, "burmese")
    return (
        all(w.latin in syllables for w in rest)
        and sum(w.latin in syllables for w in split) > 1
        and not burmese_distinctive_syllables().isdisjoint(w.latin for w in rest)
    )


class NamePart(NamedTuple):
    """One analysed name part, as the fast path keeps it (and prepare codes it)."""

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
    """Forms that need the full pipeline: particles, connectors and titles, and each word of
    those written with a slash (W/ro, S/O: two words once cleaned), as :func:`clean_text`
    writes them (السيدة as السيده)."""
    forms = [
        clean_text(row[0]) for table in ("particles.tsv", "titles.tsv") for row in read_table(table)
    ]
    return frozenset(word for form in forms for word in form.split())


@cache
def _pipeline_forms() -> frozenset[str]:
    """Words that send a name to the full pipeline: particles, connectors, titles and the
    words of placeholders (:func:`placeholder_words`)."""
    return _special_forms() | placeholder_words()


@lru_cache(maxsize=1 << 18)
def _entries(raw: str, reading: Reading, somali: bool) -> tuple[NamePart, ...] | None:
    """The analysed parts of one space-free piece of clean text; None when the piece holds
    a particle, a title, a placeholder's word, Burmese script, or a Latin word of Burmese
    syllables that may make the name Burmese (:func:`_opens_burmese`; the full pipeline
    handles those).
    """
    special, placeholders = _pipeline_forms(), placeholder_words()
    out = []
    parts = _word_parts(raw, reading)
    for native, latin, script in parts:
        if script == "Myanmar" or native in special or latin in special:
            return None
        if script == "Latin" and _opens_burmese(latin):
            return None  # the whole name may read as Burmese (_reads_burmese)
        # a single part is the romanisation of the piece (without a hint unless Cyrillic)
        plain = latin if len(parts) == 1 and (reading[0] is None or script != "Cyrillic") else None
        info = _analyze_token(native, latin, script, somali, plain, reading[1])
        if not info.token or info.token in placeholders:  # "0x" reads as x
            return None
        if script == "Arabic" and native.startswith("ال") and len(native) > 4:
            flag = "a"
        elif _is_tribal(info.token):
            flag = "t"
        elif is_patronymic(info.token):
            flag = "p"
        else:
            flag = ""
        out.append(
            NamePart(
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


def _form(text: str, entries: list[NamePart], family: str | None, chain: bool) -> NameForm | None:
    """The form of a name from its analysed parts (the fast path)."""
    if not entries:
        return None
    tokens, vids, phonetic, skeleton, scripts, candidates, flags, weights = zip(
        *entries, strict=True
    )
    script = scripts[0]
    if scripts.count(script) != len(scripts):
        totals: dict[str, int] = {}
        for s, w in zip(scripts, weights, strict=True):
            totals[s] = totals.get(s, 0) + w
        script = max(totals, key=totals.__getitem__)
    vietnamese = vietnamese_order(tokens, scripts)
    roles = simple_roles(scripts, flags, family, chain, vietnamese)
    return new_form(text, script, tokens, vids, phonetic, skeleton, scripts, roles, candidates)


#: Analysed parts of each whitespace-separated piece of raw text, per (:data:`Reading`,
#: Somali): None when the piece needs the full pipeline. Cleaning works piece by piece (the
#: one step of :func:`clean_text` that reaches across whitespace, S / O, joins letters that
#: are particles' words, whose pieces need the full pipeline), so a name costs one dict
#: lookup per piece once its pieces are known.
_PIECES: dict[tuple[Reading, bool], dict[str, tuple[NamePart, ...] | None]] = {}
_PIECES_MAX = 1 << 18
_UNSEEN: tuple[NamePart, ...] = ((),)  # type: ignore[assignment]  # a marker, never stored


def _piece_entries(
    piece: str, reading: Reading, somali: bool, known: dict[str, tuple[NamePart, ...] | None]
) -> tuple[NamePart, ...] | None:
    out: list[NamePart] = []
    for raw in clean_text(piece).split():
        parts = _entries(raw, reading, somali)
        if parts is None:
            return _remember(known, piece, None)
        out.extend(parts)
    return _remember(known, piece, tuple(out))


_K = TypeVar("_K")
_V = TypeVar("_V")


def _remember(cache: dict[_K, _V], key: _K, value: _V) -> _V:
    """Store ``value`` in a module-level ``cache`` of at most :data:`_PIECES_MAX` entries
    (emptied when full); return it."""
    if len(cache) >= _PIECES_MAX:
        cache.clear()
    cache[key] = value
    return value


def _known_pieces(culture: Culture) -> dict[str, tuple[NamePart, ...] | None] | None:
    """The pieces analysed so far for a culture; None for Burmese (never the fast path)."""
    family = culture.family
    if family == "burmese":
        return None
    key = (culture.reading, family == "somali")
    known = _PIECES.get(key)
    if known is None:
        known = _PIECES[key] = {}
    return known


def piece_parts(piece: str, culture: Culture) -> tuple[NamePart, ...] | None:
    """The analysed parts of one whitespace-separated piece of raw text, as the fast path
    reads them; None when the piece needs the full pipeline (a particle, a title, Burmese).

    A name is its pieces' parts run together when no piece gives None and the parts are
    not empty (:func:`normalize_with` does no more than that on such a name), so that a
    batch of names can be coded part by part. ``culture``: as the whole name is read
    (:meth:`Culture.reading_arabic`: a piece of a name written with Persian letters is
    read as Persian, whether it holds one of them or not).
    """
    known = _known_pieces(culture)
    if known is None:
        return None
    parts = known.get(piece, _UNSEEN)
    if parts is _UNSEEN:
        parts = _piece_entries(piece, culture.reading, culture.family == "somali", known)
    return parts


class PieceParts(NamedTuple):
    """The parts of one whitespace-separated piece of raw text, as a name's parts."""

    parts: tuple[NamePart, ...]
    opens: bool  # the piece's first word is a part (not an article, not digits)
    open_end: bool  # the piece ends with an article: it reads so only before a piece that opens
    title: bool = False  # a title (no parts): it reads so only first, before a piece that opens


def piece_reading(piece: str, culture: Culture) -> PieceParts | None:
    """:func:`piece_parts`, or else the parts of a piece with strong articles (al-Halabi,
    the "El" of "El Sayed") that the full pipeline drops; None when the piece needs it.

    A name is its pieces' parts run together when no piece gives None, the parts are not
    empty, each piece with an ``open_end`` is followed by one that ``opens``, and a
    ``title`` piece comes first, before one that opens: the full pipeline takes that title
    alone from such a name and only drops its articles (each before a word of the fast
    path), then reads every other word as the fast path does.
    """
    parts = piece_parts(piece, culture)
    if parts is not None:
        return PieceParts(parts, bool(parts), False)
    if culture.family == "burmese":
        return None
    if _is_title_piece(piece, culture):
        return PieceParts((), False, False, title=True)
    return _article_piece(piece, culture.reading, culture.family == "somali")


def piece_readings(
    pieces: Sequence[str], culture: Culture, *, fork: bool = False
) -> list[PieceParts | None]:
    """:func:`piece_reading` of each of ``pieces``; with ``fork``, part of the many not
    read yet in this process read in a forked child process
    (:func:`~rfl_match.forking.forked_map`), whose readings are then remembered here as if
    read here."""
    known = _known_pieces(culture)
    if known is None:  # Burmese: never the fast path
        return [None] * len(pieces)
    unread = list(dict.fromkeys(p for p in pieces if p not in known))
    read = forked_map(partial(_read_piece, culture=culture), unread, fork=fork)
    fresh = dict(zip(unread, read, strict=True))
    for piece, (parts, _) in fresh.items():
        if piece not in known:
            _remember(known, piece, parts)
    return [fresh[p][1] if p in fresh else piece_reading(p, culture) for p in pieces]


def _read_piece(
    piece: str, culture: Culture
) -> tuple[tuple[NamePart, ...] | None, PieceParts | None]:
    """:func:`piece_parts` and :func:`piece_reading` of a piece."""
    return piece_parts(piece, culture), piece_reading(piece, culture)


# A word that is neither a title nor a particle, as the word after a leading title is
_PLAIN_WORD = Word(native="", latin="", script="Latin")


def _is_title_piece(piece: str, culture: Culture) -> bool:
    """Whether :func:`take_titles` takes the whole piece (one or two words, no particle, no
    Burmese) from the start of a name whose next word is a plain part."""
    words = _words(clean_text(piece), culture.reading)
    if not 0 < len(words) <= 2 or any(w.script == "Myanmar" or is_particle(w) for w in words):
        return False
    if opens_two_word_title(words[-1]):
        return False  # with the real next word it may read as a two-word title
    rest, _ = take_titles([*words, _PLAIN_WORD], culture.family)
    return len(rest) == 1


def _article_piece(piece: str, reading: Reading, somali: bool) -> PieceParts | None:
    out: list[NamePart] = []
    opens = False
    after_article = False
    for k, raw in enumerate(clean_text(piece).split()):
        parts = _entries(raw, reading, somali)
        if parts is None:
            if after_article or not _is_strong_article(raw, reading):
                return None
            after_article = True
            continue
        if after_article and not parts:
            return None  # only a word may follow an article ("al 12 x" is read whole)
        opens = opens or (k == 0 and bool(parts))
        after_article = False
        out.extend(parts)
    return PieceParts(tuple(out), opens, after_article)


def _is_strong_article(raw: str, reading: Reading) -> bool:
    parts = _word_parts(raw, reading)
    return len(parts) == 1 and is_strong_article(Word(*parts[0]))


def _marked_normalize(text: str, culture: Culture) -> NameForm:
    """:func:`_normalize` of a full name, its family name written first and marked so
    read last (:func:`family_marked_last`), the form's ``original`` the text as written."""
    marked = family_marked_last(text)
    if marked != text:
        return replace(_normalize(marked, culture), original=text)
    return _normalize(text, culture)


def _normalize(text: str, culture: Culture) -> NameForm:
    """:func:`normalize_name` without its cache (``normalize_names`` keeps its own), of a
    name in the order it is read."""
    culture = culture.reading_arabic(text)
    family, chain = culture.family, culture.chain
    known = _known_pieces(culture)
    if known is not None:
        # piece_parts, inlined: the single-name path is hot too
        somali = family == "somali"
        entries: list[NamePart] = []
        for piece in text.split():
            parts = known.get(piece, _UNSEEN)
            if parts is _UNSEEN:
                parts = _piece_entries(piece, culture.reading, somali, known)
            if parts is None:
                break
            entries.extend(parts)
        else:
            # a name of single letters alone is read whole, where "N A" (N/A) is a placeholder
            fast = (
                None
                if all(len(e.token) == 1 for e in entries)
                else _form(text, entries, family, chain)
            )
            if fast is not None:
                return fast
    return _normalize_full(text, clean_text(text), culture)


def normalize_with(text: str, culture: Culture) -> NameForm:
    """:func:`normalize_name` with the culture already read, without its cache."""
    return _marked_normalize(text, culture) if text else _EMPTY


@cache
def left_out_first_classes() -> frozenset[str]:
    """The variant classes, as a name's parts get them (García and Garcia alike), of the
    names that open a family part of two which records hold with its second alone: the
    surnames of ``spanish_surnames.tsv`` (a paternal surname: García of García López) and
    the Vietnamese middle names Văn and Thị (of Hung Van Nguyen, written Hung Nguyen).

    >>> sorted(left_out_first_classes() & {"garcia", "lopez", "cruz", "haidari", "van"})
    ['garcia', 'lopez', 'van']
    """
    names = [name for (name,) in read_table("spanish_surnames.tsv")]
    names += sorted(vietnamese_order_words().middle)
    return frozenset(vid for name in names for vid in normalize_name(name).variant_ids)


def names_by_parent(form: NameForm) -> bool:
    """Whether a name's form names the person by the father: its value opens with S/O or
    D/O written with its slash (son of, daughter of: "S/O Ahmed Khan"), so that its parts
    are the father's name (roles "father", "grandfather", ...) and the person's own is not
    given. Read so in a person's name column, it is no name of the person's (the linker
    and the Bloom-filter encoder both blank it there); in a father's column, the father's
    name.

    A chain read without its given name ("FNU Ali Hassan", Somali: roles "father",
    "grandfather") names the person, not by the father.

    >>> names_by_parent(normalize_name("S/O Ahmed Khan"))
    True
    >>> names_by_parent(normalize_name("Ali S/O Ahmed Khan"))
    False
    >>> names_by_parent(normalize_name("FNU Ali Hassan", culture="somali"))
    False
    """
    if form.roles[:1] != ("father",):
        return False
    # what the full pipeline reads first once the drop words are gone (_parse_full): a word
    # with a slash is S/O or D/O (clean-up keeps no other)
    words = [word for word in clean_text(form.original).split() if not is_dropped(word)]
    return bool(words) and "/" in words[0]


def names_a_parent(text: str, culture: Culture) -> bool:
    """:func:`names_by_parent` of a name value as read under a culture.

    >>> names_a_parent("S / O Ahmed Khan", culture_info(None))
    True
    """
    return names_by_parent(normalize_with(text, culture))


def _name_text(value: object) -> str:
    """A name value as text: a missing one (None, NaN, pandas' NA) as "", a number as it
    prints, a whole float without ".0" (record validation reads a name column so)."""
    if value is None or isinstance(value, str):
        return value or ""
    try:
        if value != value:  # NaN
            return ""
    except TypeError:  # pandas' NA: its comparison has no truth value
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


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

    ث ذ ض are s, z, z in Persian, Dari, Pashto, Urdu and Kurdish names and th, dh, d in
    Arabic ones, and a consonant و is v there, w here: a name written with a letter Arabic
    does not write (Persian ی ک پ چ ژ گ), or under a hint of those cultures ("afghan",
    "persian", "kurdish", ...), is read so; any other Arabic-script name, and any under an
    Arabic hint, as Arabic. A Linker reads a record one way: where any of its name fields
    holds such a letter, its names without one (a father's name) are read so too.

    >>> normalize_name("ذاکر حسینی").tokens, normalize_name("ذاكر").tokens
    (('zakir', 'hosseini'), ('dhakir',))

    A value that opens with S/O or D/O written with its slash (son of, daughter of, as
    South Asian registers write "S/O Ahmed Khan") names the person by the father: its
    parts are the father's name, roles "father", "grandfather", ..., and no given name;
    the letters S and O are no initials. The linker reads such a value in a person's
    name column as no name of the person's (the father is not the person sought), and in
    a father's column as the father's name. Between two parts (Ali S/O Ahmed Khan) it is
    a patronymic particle, as bin is. Written as initials (S. O. Adeyemi), the letters are
    a name's; W/O (wife of, but also Woizero, Mrs, in Ethiopian English) opening a value
    is left as written.

    >>> form = normalize_name("S/O Ahmed Khan")
    >>> form.tokens, form.roles
    (('ahmed', 'khan'), ('father', 'grandfather'))

    A missing value (None, NaN, pandas' NA) gives the empty form; a number is read as its
    text.
    """
    return normalize_with(_name_text(text), culture_info(culture))


class _Parsed(NamedTuple):
    """A name read by the full pipeline: its parts (those with a token) and their analyses."""

    script: str
    family: str | None
    words: list[Word]
    infos: list[TokenInfo]
    titles: list[str]


def _parse_full(clean: str, culture: Culture) -> _Parsed | None:
    """Titles, particles, compounds (the reference path); None when no word is found."""
    family, persian = culture.family, culture.persian
    somali = family == "somali"
    stripped = without_placeholders(clean)
    found = _words(stripped, culture.reading)
    # a word read as a placeholder only once read ("0unknown" is unknown) goes before the
    # titles are read, as it goes from the name its tokens write ("Unknown Haji Ali")
    words = [
        word
        for word in found
        if not is_dropped(
            analyze_token(word.native, word.latin, word.script, somali, persian).token
        )
    ]
    # S/O or D/O opening a value (son, daughter of): what follows is the father's name, and
    # the person's own is not given
    father = bool(words) and is_parent_relation(words[0])
    while words and is_parent_relation(words[0]):
        words = words[1:]
    if not words:
        return None
    script = _dominant_script(words)
    if family is None and (script == "Myanmar" or _reads_burmese(words)):
        family = "burmese"
    if family == "burmese":
        # before the titles, so that "Umaung" loses its title as "U Maung" does
        words = _split_burmese(words)
    if stripped != clean or len(words) < len(found) or names_no_one(words):
        # titles beside a placeholder are a title of no one ("Mr Unknown", "Haji FNU"), as
        # titles alone are that are a name in no culture ("Mr.", "Mr Dr"); a title alone
        # that is a name somewhere is read as a name ("Haji", "Sheikh")
        rest, _ = take_titles([*words, _PLAIN_WORD], family)
        if len(rest) == 1:
            return None
    words, titles = _settled(words, family)
    if words and is_parent_relation(words[0]):
        # S/O once a title before it is taken ("Haji S/O Ahmed Khan"), or a particle
        # ("Le D/O ..."): read as opening the value, so that the name reads the same from
        # its tokens ("Haji S/O" is none); and what follows is read as where S/O opens the
        # value, a title a title ("D/O Haji Amina": Amina)
        father = True
        while words and is_parent_relation(words[0]):
            words = words[1:]
        words, more = _settled(words, family)
        titles += more
    if father and words:
        words[0] = replace(words[0], after_patronymic=True)  # roles: father, grandfather...
    infos = [
        _with_readings(analyze_token(w.native, w.latin, w.script, somali, persian), w)
        for w in words
    ]
    # blank as its parts are written too ("0x" is x), so that a name read from its tokens
    # reads the same; so is N/A beside a name once its parts are read ("Ali N bin A", "0n")
    keep = [k for k, info in enumerate(infos) if info.token and not is_dropped(info.token)]
    keep = [keep[j] for j in outside_letter_forms([infos[k].token for k in keep])]
    if keep and not without_placeholders(" ".join(infos[k].token for k in keep)):
        keep = []
    return _Parsed(script, family, [words[k] for k in keep], [infos[k] for k in keep], titles)


def _settled(words: list[Word], family: str | None) -> tuple[list[Word], list[str]]:
    """Titles taken and particles and compounds read (:func:`take_titles`,
    :func:`join_parts`) until nothing changes: whether a part is a title or a particle
    depends on its neighbours ("van dr X": dr leads once van is dropped; "an" is an
    article before a word in n), and the tokens, read again, must give the same parts.
    The parts left, and the titles taken."""
    titles: list[str] = []
    for _ in range(len(words)):
        count = len(words)
        words, more = take_titles(words, family)
        titles += more
        words = join_parts(words, family)
        if len(words) == count:
            break
    return words, titles


def _with_readings(info: TokenInfo, word: Word) -> TokenInfo:
    """A part's analysis with the other readings its word carries (H/Mariam, read
    Hailemariam, is also Habtemariam) after its own candidates."""
    if not word.readings:
        return info
    return info._replace(candidates=tuple(dict.fromkeys((*info.candidates, *word.readings))))


#: The parts of each name read whole, by clean text and culture (:func:`full_parts`).
_FULL: dict[tuple[str, Culture], tuple[FullPart, ...]] = {}


#: A part of a name read whole: token, variant id, phonetic key, skeleton key, and whether
#: it is a kunya (its role "kunya"; the other roles aside).
FullPart = tuple[str, str, str, str, bool]


def full_parts(clean: str, culture: Culture) -> tuple[FullPart, ...]:
    """The :data:`FullPart` of each part of a name the full pipeline reads: what
    :func:`normalize_with` gives a name whose :func:`piece_parts` do not serve.
    ``clean``: the name after :func:`clean_text`; ``culture``: as the name is read
    (:meth:`Culture.reading_arabic` of the name as written: clean-up folds the letters
    that tell a Persian name).

    Cached, as the per-word steps are: a second preparation in the process (predict on
    new frames, another fit) reads its compound names from here.
    """
    found = _FULL.get((clean, culture))
    if found is None:
        found = _remember(_FULL, (clean, culture), _full_parts(clean, culture))
    return found


def many_full_parts(
    cleans: Sequence[str], culture: Culture, *, fork: bool = False
) -> list[tuple[FullPart, ...]]:
    """:func:`full_parts` of each of ``cleans``; with ``fork``, part of the many not read
    yet in this process read in a forked child process
    (:func:`~rfl_match.forking.forked_map`), whose parts are then remembered here as if
    read here."""
    unread = list(dict.fromkeys(c for c in cleans if (c, culture) not in _FULL))
    read = forked_map(partial(_full_parts, culture=culture), unread, fork=fork)
    fresh = dict(zip(unread, read, strict=True))
    for clean, parts in fresh.items():
        _remember(_FULL, (clean, culture), parts)
    return [fresh[c] if c in fresh else full_parts(c, culture) for c in cleans]


def _full_parts(clean: str, culture: Culture) -> tuple[FullPart, ...]:
    """:func:`full_parts` without its cache."""
    parsed = _parse_full(clean, culture)
    if parsed is None:
        return ()
    _, family, words, infos, _ = parsed
    roles = _roles(clean, words, [i.token for i in infos], family, culture)
    return tuple(
        (i.token, i.variant_id, i.phonetic_key or i.token, i.skeleton_key, role == "kunya")
        for i, role in zip(infos, roles, strict=True)
    )


def _roles(
    clean: str, words: list[Word], tokens: list[str], family: str | None, culture: Culture
) -> tuple[str, ...]:
    """Each part's role (:func:`assign_roles`); where the name says its given name is not
    known (:func:`says_given_unknown`: "FNU Rahim"), its parts' roles after a given name
    that is not written (Rahim: "family"), none of them a given name (a part read so, as
    an East Asian name's after its family name, is of the family name: the matcher reads
    all the parts as the family part)."""
    if not says_given_unknown(clean):
        return assign_roles(words, tokens, family, culture.chain)
    unwritten = Word(native="", latin="", script=words[0].script)
    roles = assign_roles([unwritten, *words], ["", *tokens], family, culture.chain)[1:]
    return tuple("family" if role == "given" else role for role in roles)


def _normalize_full(text: str, clean: str, culture: Culture) -> NameForm:
    """The whole pipeline: titles, particles, compounds, roles (the reference path)."""
    culture = culture.reading_arabic(text)
    parsed = _parse_full(clean, culture)
    if parsed is None or not parsed.infos:
        return NameForm(
            original=text,
            script=UNKNOWN if parsed is None else parsed.script,
            tokens=(),
            variant_ids=(),
            phonetic_keys=(),
            skeleton_keys=(),
            titles=() if parsed is None else tuple(parsed.titles),
        )
    script, family, words, infos, titles = parsed
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
        roles=_roles(clean, words, tokens, family, culture),
        candidates=tuple(info.candidates for info in infos),
    )


def normalize_names(values: Iterable[str | None], *, culture: str | None = None) -> list[NameForm]:
    """Normalise many names, each distinct value once; missing values (None, NaN, pandas'
    NA) give an empty form, and numbers are read as their text.

    >>> [f.variant_ids for f in normalize_names(["Mohammed", None, "محمد", "Mohammed"])]
    [('muhammad',), (), ('muhammad',), ('muhammad',)]
    """
    seq: Sequence[str | None] = values if isinstance(values, Sequence) else list(values)
    info = culture_info(culture)
    done: dict[str, NameForm] = {}
    out: list[NameForm] = []
    with paused_gc():
        for value in seq:
            if not isinstance(value, str):
                value = _name_text(value)
            if not value:
                out.append(_EMPTY)
                continue
            form = done.get(value)
            if form is None:
                form = done[value] = _marked_normalize(value, info)
            out.append(form)
    return out


@contextmanager
def paused_gc() -> Iterator[None]:
    """The cyclic garbage collector off for a block: a column of names allocates millions
    of small tuples, none in a reference cycle, and the collector would rescan them again
    and again (a third of the time, measured)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()
