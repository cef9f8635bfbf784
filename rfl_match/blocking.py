"""Blocking: candidate pairs from shared keys, never the cross product.

Each record gets, per blocking key, zero or more integer key values (a two-part name gives
a key per part, so a swapped or shortened name still meets). A rule combines keys (all must
agree); each rule's pairs come from joining the two sides on the combined key, a left
record's from all its blocks at once (a pair once per rule, however many blocks it is in);
rules are unioned and deduplicated on integer pair ids ``left * n_right + right``.
An oversized block (the "Mohammed problem") is split by a more specific key (the birth
band; not for a rule that holds a birth key already, whose block the band would not split,
only cut out the records near a band's edge), and every record in it also meets its
nearest records of the other side in two orders (name text, then birth date; the class
of the father's name, then birth date): a record in a common-name block, or with no birth
date, never loses its candidates, namesakes with one father meet though their births
differ, and the pairs stay linear in the block's size. A warning counts the oversized
blocks and names the keys of those that hold at least :data:`NAMED_BLOCK_RECORDS` records
on each side (a key that many share is no one's; a smaller block's is left to
``Linker.blocking_report``).

With a candidate budget (each record's best few, the default), the pairs go to it as they
are made, a batch at a time, and are never unioned: each record keeps its best
keys so far, which is what the budget over the whole union would keep (sorting and
merging the union, and thinning it again as it grew, cost more than scoring each batch's
distinct pairs as they come, repeats across batches included).

Context rules (a father's name and the birth year; a father's name, the given name and the
birth band; ...) add a few candidates beyond the
budget: each record's best few of their pairs, where the budget left them out, by the
budget's score with each context field that agrees counted as a name part that sounds
alike. In a block
of one common name and a birth year, hundreds of namesakes tie on name and birth; a
father's name tells the true pair apart (and where a father's name and birth year are
common too, the block is not joined whole: its records meet their nearest, as in a main
rule's oversized block). These pairs are marked
(:attr:`CandidatePairs.context_only`): they are scored, but the model does not learn from
them (chosen for agreeing on context, they would make that agreement look common among
non-matches), and predict weighs each against its records' likeliest other candidate
(``rfl_match.linker._compete``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match import kernels
from rfl_match.arrays import dense_ranks, runs, threaded
from rfl_match.config import COLUMN_KEY_PREFIXES
from rfl_match.dates import MISSING, year_of
from rfl_match.names.parts import culture_info
from rfl_match.prepare import MAX_CHAIN, NameParts, PersonNames, PreparedPair, Vocabulary
from rfl_match.schema import ID_FIELD, OTHER_SEX
from rfl_match.warn import warn

Int64Array = npt.NDArray[np.int64]
YEAR = 365
BAND_YEARS = 5
#: The letters of a given name that ``given_prefix`` keys on.
PREFIX_LETTERS = 2
_WIDTH = np.int64(1 << 31)


#: A code of a rule's key values read back as its keys' own codes, one per key.
Parts = Callable[[int], tuple[int, ...]]


@dataclass(slots=True)
class KeyValues:
    """Exploded key values of one side: ``rows[k]`` holds key ``codes[k]``.

    ``parts``: how a code reads as the codes of the keys it combines (:func:`combine`,
    which may renumber them); ``None`` for one key's own codes.
    """

    rows: Int64Array
    codes: Int64Array
    parts: Parts | None = None


def key_parts(parts: Parts | None, code: int) -> tuple[int, ...]:
    """A code as its keys' own codes, by a :attr:`KeyValues.parts` (``None``: one key's
    codes). For labels, never on a hot path."""
    return parts(code) if parts is not None else (code,)


@dataclass
class RuleStats:
    """What one rule produced: pairs (before the union removes repeats), its largest
    blocks, and the blocks left out as too large."""

    rule: str
    pairs: int = 0  # with a candidate budget: the pairs it was offered, repeats counted
    largest_blocks: list[tuple[str, int]] = field(default_factory=list)
    oversized: list[tuple[str, int]] = field(default_factory=list)


@dataclass
class CandidatePairs:
    """Candidate pairs as ascending pair ids ``left_row * n_right + right_row``.

    Held as one int64 per pair (a million records a side can have a hundred million
    candidates); row indices are derived per chunk.
    """

    ids: Int64Array
    n_right: int
    stats: list[RuleStats]
    #: Per pair: chosen by the context rules only (:func:`block`), not by the budget;
    #: ``None``: none are.
    context_only: npt.NDArray[np.bool_] | None = None

    @property
    def n_learned(self) -> int:
        """The pairs a model learns from: all but the context rules' own."""
        if self.context_only is None:
            return len(self.ids)
        return len(self.ids) - int(np.count_nonzero(self.context_only))

    def __len__(self) -> int:
        return len(self.ids)

    def context_rows(
        self, left: npt.NDArray[np.intp], right: npt.NDArray[np.intp]
    ) -> npt.NDArray[np.bool_]:
        """Whether each pair of rows given is one the context rules alone chose (a pair
        that is no candidate: not)."""
        found = np.zeros(len(left), dtype=bool)
        if self.context_only is None or not len(self.ids):
            return found
        ids = left.astype(np.int64) * max(self.n_right, 1) + right
        at = np.minimum(np.searchsorted(self.ids, ids), len(self.ids) - 1)
        found[:] = (self.ids[at] == ids) & self.context_only[at]
        return found

    @property
    def left(self) -> npt.NDArray[np.intp]:
        return (self.ids // max(self.n_right, 1)).astype(np.intp)

    @property
    def right(self) -> npt.NDArray[np.intp]:
        return (self.ids % max(self.n_right, 1)).astype(np.intp)

    def chunks(self, size: int) -> Iterator[tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]]:
        """The pairs in bounded chunks, as (left rows, right rows)."""
        width = max(self.n_right, 1)
        for start in range(0, len(self.ids), size):
            left, right = np.divmod(self.ids[start : start + size], width)
            yield left.astype(np.intp, copy=False), right.astype(np.intp, copy=False)


def _positions(matrix: npt.NDArray[np.integer[Any]]) -> KeyValues:
    rows, cols = np.nonzero(matrix >= 0)
    return KeyValues(rows.astype(np.int64), matrix[rows, cols].astype(np.int64))


def _column(values: npt.NDArray[np.int32]) -> KeyValues:
    rows = np.nonzero(values >= 0)[0]
    return KeyValues(rows.astype(np.int64), values[rows].astype(np.int64))


def _pairs_of(matrix: npt.NDArray[np.integer[Any]], workers: int) -> KeyValues:
    """Unordered pairs of a record's name-part keys: two shared parts, in any order.
    Column c holds part ``c % MAX_CHAIN``; two keys of one part never make a pair."""
    rows, codes = kernels.key_pairs(
        np.ascontiguousarray(matrix, dtype=np.int64), MAX_CHAIN, int(_WIDTH), workers
    )
    return KeyValues(rows, codes)


def _family_values(data: PreparedPair, side: int) -> KeyValues:
    """Each family (or chain) name part's class, from the family start on."""
    names = data.blocking_names(side)
    cols = np.arange(MAX_CHAIN)[None, :]
    matrix = np.where(cols >= names.family_start[:, None], names.classes, -1)
    return _positions(matrix.astype(np.int32))


def _birth_band(data: PreparedPair, side: int) -> KeyValues:
    """5-year bands that the birth interval, widened by 2 years each way, touches."""
    births = data.births(side)
    known = births.lo != MISSING
    lo = (births.lo[known].astype(np.int64) - 2 * YEAR) // (BAND_YEARS * YEAR)
    hi = (births.hi[known].astype(np.int64) + 2 * YEAR) // (BAND_YEARS * YEAR)
    rows = np.nonzero(known)[0]
    count = (hi - lo + 1).clip(1, 40)
    rep_rows = np.repeat(rows, count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return KeyValues(rep_rows.astype(np.int64), np.repeat(lo, count) + offsets + 10_000)


def _birth_year(data: PreparedPair, side: int) -> KeyValues:
    """Birth years, widened by a year each way, for records known within 2 years."""
    births = data.births(side)
    known = (births.lo != MISSING) & (
        births.hi.astype(np.int64) - births.lo.astype(np.int64) <= 2 * YEAR
    )
    lo = (births.lo[known].astype(np.int64) - YEAR) // YEAR
    hi = (births.hi[known].astype(np.int64) + YEAR) // YEAR
    rows = np.nonzero(known)[0]
    count = hi - lo + 1
    rep_rows = np.repeat(rows, count)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return KeyValues(rep_rows.astype(np.int64), np.repeat(lo, count) + offsets + 10_000)


def _birth_year_mid(data: PreparedPair, side: int) -> KeyValues:
    """The calendar year of the birth interval's midpoint, for records known within 2
    years: one value a record with a name (:func:`_birth_year` gives three or four, so it
    can count years of 365 days; with one, a date late in December must fall in its own
    year, where a record born that year, date unknown, has its midpoint); three, the year
    before and after too, a record without one."""
    births = data.births(side)
    known = (births.lo != MISSING) & (
        births.hi.astype(np.int64) - births.lo.astype(np.int64) <= 2 * YEAR
    )
    mid = (births.lo[known].astype(np.int64) + births.hi[known].astype(np.int64)) // 2
    years = mid.astype("datetime64[D]").astype("datetime64[Y]").astype(np.int64)  # from 1970
    rows = np.nonzero(known)[0].astype(np.int64)
    # A record with no name part (a newborn known by its mother's, "Baby of Fatima"; a
    # name not known) meets only by these context rules, so by this one year: its year
    # and the next and the one before, as the name rules' birth bands are widened.
    nameless = _no_name(data, side)[rows]
    count = np.where(nameless, 3, 1)
    offsets = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    offsets -= np.repeat(nameless, count)  # -1, 0, 1 for a nameless record
    return KeyValues(np.repeat(rows, count), np.repeat(years, count) + offsets + 10_000)


def _no_name(data: PreparedPair, side: int) -> npt.NDArray[np.bool_]:
    """Per record of a side, whether its name has no part."""
    out: npt.NDArray[np.bool_] = data.person_names(side).length == 0
    return out


#: ``birth_date_unnamed``'s values: a birth's days from 1970 past this (births from 1697 on
#: are positive), and a named record's on the left past this again.
_DAY_CODES, _NAMED_DAY = 100_000, 1 << 21


def _birth_date_unnamed(data: PreparedPair, side: int) -> KeyValues:
    """The exact birth date, so that a record with no name part (a newborn known by its
    mother's name, "Baby of Fatima"; a name not known), which meets by the context rules
    alone, meets every record of the other side born that day, named or not, while two
    named records never meet by it. So the sides' values differ: on the left a nameless
    record holds its day and a named one another value of it; on the right a named
    record holds its day and a nameless one both values. None where neither side has a
    nameless record."""
    if not any(_no_name(data, s).any() for s in (0, 1)):
        return KeyValues(np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
    births = data.births(side)
    rows = np.flatnonzero(births.exact & (births.lo != MISSING) & (births.lo == births.hi))
    days = births.lo[rows].astype(np.int64) + _DAY_CODES
    nameless = _no_name(data, side)[rows]
    if side == 0:
        return KeyValues(rows.astype(np.int64), np.where(nameless, days, days + _NAMED_DAY))
    count = np.where(nameless, 2, 1)
    second = np.arange(count.sum()) - np.repeat(np.cumsum(count) - count, count)
    return KeyValues(
        np.repeat(rows, count).astype(np.int64), np.repeat(days, count) + second * _NAMED_DAY
    )


def _field(name: str) -> Callable[[PreparedPair, int], KeyValues]:
    """Key on a text column's folded value."""

    def key(data: PreparedPair, side: int) -> KeyValues:
        left, right, _ = data.text_codes(name, fold=True)
        return _column(left if side == 0 else right)

    return key


def _first_classes(data: PreparedPair, side: int, column: str) -> npt.NDArray[np.int32]:
    """Per record, the name class of a name column's first part (a father's or mother's
    given name; -1 where it has none)."""
    arrays = data.form_arrays(side, column)
    first = arrays.classes[arrays.codes, 0]  # code -1 reads the empty name's row
    out: npt.NDArray[np.int32] = np.where(arrays.codes >= 0, first, -1).astype(np.int32)
    return out


def _first_sounds(data: PreparedPair, side: int, column: str) -> npt.NDArray[np.int32]:
    """Per record, the phonetic key of a name column's first part (-1 where it has none)."""
    arrays = data.form_arrays(side, column)
    first = arrays.phonetics[arrays.codes, 0]
    out: npt.NDArray[np.int32] = np.where(arrays.codes >= 0, first, -1).astype(np.int32)
    return out


def _alike_of(name: str) -> Callable[[PreparedPair, int], KeyValues]:
    """Key on a name column's first part by its class and by its sound, two values a
    record (``2 * code + kind``, kind 0 a class, 1 a phonetic key, as the typed parts of
    ``name_pair_any``): a parent's name meets another that is one of its listed variants
    (Fatima, Fadumo, فاطمة) or sounds as it does, a spelling no list holds (Soraya,
    Suraya; Meseret, Meserret)."""

    def key(data: PreparedPair, side: int) -> KeyValues:
        codes = np.stack(
            [_first_classes(data, side, name), _first_sounds(data, side, name)], axis=1
        ).astype(np.int64)
        return _positions(np.where(codes >= 0, 2 * codes + np.arange(2), -1))

    return key


def _class_of(name: str) -> Callable[[PreparedPair, int], KeyValues]:
    """Key on the name class of a name column's first part: a father's name spelt two ways
    ("Mohammed", "Muhammad"; romanised or in its own script) is one value."""

    def key(data: PreparedPair, side: int) -> KeyValues:
        return _column(_first_classes(data, side, name))

    return key


def _tokens(name: str) -> Callable[[PreparedPair, int], KeyValues]:
    """Key on each white-space-separated token of a text column (folded): a record holds
    one value per token, so two records meet where they share any (the encoded record
    format's ``name_keys``, keyed digests of its names' classes and sounds)."""

    def key(data: PreparedPair, side: int) -> KeyValues:
        rows, codes = data.token_table(name).entries(side)
        return KeyValues(rows, codes)

    return key


def _typed_parts(names: PersonNames | NameParts) -> Int64Array:
    """``(n, 3 * MAX_CHAIN)``: each part's class, skeleton and phonetic key, coded apart
    (3 * code + kind), so that a key pair can join a class to a sound key."""
    out = np.full((len(names.classes), 3 * MAX_CHAIN), -1, dtype=np.int64)
    for kind, matrix in enumerate((names.classes, names.skeletons, names.phonetics)):
        block = slice(kind * MAX_CHAIN, (kind + 1) * MAX_CHAIN)
        out[:, block] = np.where(matrix >= 0, matrix.astype(np.int64) * 3 + kind, -1)
    return out


def _given_prefix(data: PreparedPair, side: int) -> KeyValues:
    """The given name's first two letters as romanised (its token): "al" of Alexander and
    of Alexandeer, "sa" of Samater and Sarmater; none for a one-letter initial. With the
    family name's class (the default rule), a given name misspelt beyond its class and
    its sound keys meets where no birth can help (one record gives none)."""
    first = data.blocking_names(side).first_token
    # a record with no given name (-1) reads the last row: none
    return _column(np.append(_given_prefixes(data), np.int32(-1))[first])


def _given_prefixes(data: PreparedPair) -> npt.NDArray[np.int32]:
    """Per word of ``data.tokens``, the code of its first two letters among
    :func:`_prefix_words` (-1: a word of one letter), made for the words there now (a word
    added since keeps the codes before it: they are numbered in order of first use)."""
    words = data.tokens.array()
    held = data._cache.get("given prefixes")
    if held is None or len(held) != len(words):
        heads = pd.Series(words, dtype=object).str[:PREFIX_LETTERS]
        codes, uniques = pd.factorize(heads)
        held = np.where(heads.str.len() == PREFIX_LETTERS, codes, -1).astype(np.int32)
        data._cache["given prefixes"] = held
        data._cache["given prefix words"] = Vocabulary(uniques.tolist())
    out: npt.NDArray[np.int32] = held
    return out


def _prefix_words(data: PreparedPair) -> Vocabulary:
    """The first letters :func:`_given_prefix` keys on, as words (for a block's label)."""
    _given_prefixes(data)
    vocabulary: Vocabulary = data._cache["given prefix words"]
    return vocabulary


KEYS: dict[str, Callable[[PreparedPair, int], KeyValues]] = {
    "name_class": lambda d, s: _positions(d.blocking_names(s).classes),
    "name_skeleton": lambda d, s: _positions(d.blocking_names(s).skeletons),
    "name_phonetic": lambda d, s: _positions(d.blocking_names(s).phonetics),
    "name_joined_skeleton": lambda d, s: _column(d.blocking_names(s).joined),
    "given_class": lambda d, s: _column(d.blocking_names(s).classes[:, 0]),
    "family_class": lambda d, s: _family_values(d, s),
    "given_skeleton": lambda d, s: _column(d.blocking_names(s).skeletons[:, 0]),
    "given_phonetic": lambda d, s: _column(d.blocking_names(s).phonetics[:, 0]),
    "given_prefix": _given_prefix,
    "birth_band": _birth_band,
    "birth_year": _birth_year,
    "birth_year_mid": _birth_year_mid,
    "birth_date_unnamed": _birth_date_unnamed,
    "sex": lambda d, s: _field("sex")(d, s),
}


@dataclass(frozen=True)
class _PairKey:
    """A key of two name parts of a record (:func:`_pairs_of`): the parts' matrix it
    pairs, and whether it also keys the full name's first two parts where names may chain
    (:func:`_with_head`, :func:`_may_chain`)."""

    parts: Callable[[PersonNames], npt.NDArray[np.integer[Any]]]
    heads: bool = False


PAIR_KEYS: dict[str, _PairKey] = {
    "name_pair_class": _PairKey(lambda names: names.classes),
    "name_pair_skeleton": _PairKey(lambda names: names.skeletons),
    "name_pair_any": _PairKey(_typed_parts, heads=True),
}


def _may_chain(culture: str | None) -> bool:
    """Whether names may chain (given, father, grandfather) under a culture hint: yes where
    the hint says so or says nothing; no where it names a culture whose names do not (a
    Spanish double given name, a Vietnamese middle name, a Russian patronymic: there the
    first two parts are shared by siblings and namesakes, not by a name and its shortening)."""
    info = culture_info(culture)
    return info.chain or info.family is None


def _with_head(values: KeyValues, names: PersonNames) -> KeyValues:
    """``name_pair_any``'s values and, where a record's own parts lack it, the pair of
    skeletons of its full name's first two parts (:attr:`PersonNames.head`: the given name
    and the next, a father's name where names chain): a name cut short after the father's
    name (Riad Faisal Hassan: given Riad, family Hassan) meets the whole one (Riad Faisal
    Hassan al-Tamimi: given Riad, family al-Tamimi), which shares one own part with it.
    Coded as the pairs of :func:`_typed_parts` (skeletons: kind 1), so a head meets both
    another head and own parts written as given and family name."""
    head = names.head.astype(np.int64)
    own = names.skeletons
    lacking = np.flatnonzero(~((own == head[:, :1]).any(axis=1) & (own == head[:, 1:]).any(axis=1)))
    typed = np.where(head[lacking] >= 0, head[lacking] * 3 + 1, -1)
    heads = _pairs_of(typed, workers=1)  # present and distinct, coded as the own pairs
    return KeyValues(
        np.concatenate([values.rows, lacking[heads.rows]]),
        np.concatenate([values.codes, heads.codes]),
    )


def _with_compound(values: KeyValues, names: PersonNames) -> KeyValues:
    """``name_pair_any``'s values and the pairs of a record's compound given name run
    together (:attr:`PersonNames.compound`, coded as a skeleton: kind 1) with each key of
    its own parts after it: "Noor Ahmad Haidari" meets "Noorahmad Haidari", and "Abdi Wali
    Mohammed Ahmad" meets "Abdiwali Muhammad", which share one own part. A compound of two
    short syllables (Li Na, Ana Maria) has a short skeleton that meets more one-word names:
    candidates only, no cost in pairs measured at 300,000 a side."""
    rows = np.flatnonzero(names.compound >= 0)
    joined = names.compound[rows].astype(np.int64)[:, None] * 3 + 1
    typed = _typed_parts(names.parts.take(rows))
    after = np.arange(typed.shape[1]) % MAX_CHAIN >= names.compound_rest[rows, None]
    present = after & (typed >= 0) & (typed != joined)
    low, high = np.minimum(joined, typed), np.maximum(joined, typed)
    at, col = np.nonzero(present)
    return KeyValues(
        np.concatenate([values.rows, rows[at]]),
        np.concatenate([values.codes, low[at, col] * _WIDTH + high[at, col]]),
    )


def key_values(data: PreparedPair, side: int, key: str, workers: int = 1) -> KeyValues:
    """The exploded values of one blocking key on one side (``workers``: threads for the
    pairs of name parts)."""
    prefix, _, column = key.partition(":")
    if column and prefix + ":" in COLUMN_KEYS:
        return COLUMN_KEYS[prefix + ":"](column)(data, side)
    if key in PAIR_KEYS:
        names = data.blocking_names(side)
        pair_key = PAIR_KEYS[key]
        values = _pairs_of(pair_key.parts(names), workers)
        if not pair_key.heads:
            return values
        values = _with_compound(values, names)
        if not _may_chain(data.culture):
            return values
        return _with_head(values, names)
    return KEYS[key](data, side)


def combine(
    first: tuple[KeyValues, KeyValues],
    second: tuple[KeyValues, KeyValues],
    workers: int = 1,
) -> tuple[KeyValues, KeyValues]:
    """Every combination of a record's values of two keys, on both sides (both keys must
    agree to meet): ``first * 2**31 + second``. Exact: a key's codes too wide for that (a
    pair of name parts, keys combined already) are first renumbered by their rank among
    both sides' codes (the two keys' at once, on ``workers`` threads). ``workers``:
    threads that write the combinations."""
    first, second = threaded(_narrow, (first, second), workers)
    parts = _joined_parts(first[0], second[0])
    out = [
        KeyValues(
            *kernels.combine_codes(a.rows, a.codes, b.rows, b.codes, int(_WIDTH), workers), parts
        )
        for a, b in zip(first, second, strict=True)
    ]
    return out[0], out[1]


def _joined_parts(first: KeyValues, second: KeyValues) -> Parts:
    """:attr:`KeyValues.parts` of two keys' values combined (holding their ``parts``
    only, not their arrays)."""
    high, low = first.parts, second.parts

    def parts(code: int) -> tuple[int, ...]:
        a, b = divmod(code, int(_WIDTH))
        return key_parts(high, a) + key_parts(low, b)

    return parts


def _narrow(values: tuple[KeyValues, KeyValues]) -> tuple[KeyValues, KeyValues]:
    """Codes under 2**31 on both sides: as they are, or renumbered by rank."""
    left, right = values
    if max(_widest(left), _widest(right)) < _WIDTH:
        return values
    codes, ranks = kernels.unique_inverse(np.concatenate([left.codes, right.codes]))
    was = left.parts

    def parts(rank: int) -> tuple[int, ...]:
        return key_parts(was, int(codes[rank]))

    return (
        KeyValues(left.rows, ranks[: len(left.codes)], parts),
        KeyValues(right.rows, ranks[len(left.codes) :], parts),
    )


def _widest(values: KeyValues) -> int:
    return int(np.abs(values.codes).max(initial=0))


def rule_values(
    data: PreparedPair, rule: Sequence[str], workers: int = 1
) -> tuple[KeyValues, KeyValues]:
    """The exploded values of a rule (its keys combined) on the left and right sides."""

    def both(key: str) -> tuple[KeyValues, KeyValues]:
        return key_values(data, 0, key, workers), key_values(data, 1, key, workers)

    values = both(rule[0])
    for key in rule[1:]:
        values = combine(values, both(key), workers)
    return values


@dataclass
class _Blocks:
    """The blocks two sides share: per block, its key, rows and size in pairs."""

    keys: Int64Array
    lrows: Int64Array
    rrows: Int64Array
    ls: Int64Array
    lc: Int64Array
    rs: Int64Array
    rc: Int64Array
    oversized: list[tuple[int, int]]
    #: ``(keys, ls, lc, rs, rc)`` of the oversized blocks.
    oversized_runs: tuple[Int64Array, ...]
    #: How a key reads as the rule's keys' codes (:attr:`KeyValues.parts`).
    parts: Parts | None = None
    dedupe: bool = False

    @property
    def sizes(self) -> Int64Array:
        return _block_pairs(self.lc, self.rc, self.dedupe)

    def span(self, first: int, last: int) -> tuple[Int64Array, ...]:
        """``(ls, lc, rs, rc)`` of blocks ``first`` to ``last - 1``."""
        return (
            self.ls[first:last],
            self.lc[first:last],
            self.rs[first:last],
            self.rc[first:last],
        )


def _block_pairs(lc: Int64Array, rc: Int64Array, dedupe: bool) -> Int64Array:
    """Pairs a block holds: in one list (both sides the same records), each pair once."""
    if dedupe:
        out: Int64Array = lc * (lc - 1) // 2
        return out
    both: Int64Array = lc * rc
    return both


def _blocks(
    sides: list[KeyValues], *, max_block: int, workers: int, dedupe: bool = False
) -> _Blocks:
    """The blocks of both sides' key values, ``sides`` handed over: each side is dropped
    from the list once grouped, so that its entries are freed before the other's are."""
    parts = sides[0].parts
    left = sides.pop(0)
    _, lrows, lu, lstart, lcount = kernels.group_rows(left.codes, left.rows, workers)
    del left
    right = sides.pop(0)
    _, rrows, ru, rstart, rcount = kernels.group_rows(right.codes, right.rows, workers)
    del right
    li, ri = kernels.intersect(lu, ru)
    keys = lu[li]
    ls, lc = lstart[li], lcount[li]
    rs, rc = rstart[ri], rcount[ri]
    sizes = _block_pairs(lc, rc, dedupe)
    too_big = sizes > max_block
    oversized = [(int(k), int(n)) for k, n in zip(keys[too_big], sizes[too_big], strict=True)]
    keep = ~too_big
    runs = (keys[too_big], ls[too_big], lc[too_big], rs[too_big], rc[too_big])
    return _Blocks(
        keys[keep], lrows, rrows, ls[keep], lc[keep], rs[keep], rc[keep], oversized, runs, parts,
        dedupe,
    )  # fmt: skip


def _entries(
    rows: Int64Array, keys: Int64Array, starts: Int64Array, counts: Int64Array
) -> KeyValues:
    """Blocks of grouped rows (``rows[starts[b]:starts[b] + counts[b]]`` for key ``keys[b]``)
    as key values, sorted by key, then row (each row once per key)."""
    firsts = np.cumsum(counts) - counts
    index = np.arange(int(counts.sum()), dtype=np.int64) + np.repeat(starts - firsts, counts)
    return KeyValues(rows[index], np.repeat(keys, counts))


#: Pairs materialised at once while joining, repeats counted (bounds the temporaries of a
#: join).
JOIN_BATCH = 1 << 22


class _Sink(Protocol):
    """Where made pairs go, a batch at a time: :class:`_Union` or :class:`_Budget`."""

    def add(self, ids: Int64Array, met: int | None = None) -> None:
        """Take a batch of pair ids ``left * n_right + right``, in any order, repeats and
        ``kernels._NO_PAIR`` (a pair left out) allowed; the batch is the sink's to change,
        and not to keep (its memory holds the next batch).
        ``met``: the batch is a join's (:func:`kernels.record_pairs`: distinct, grouped by
        left record, records ascending), or empty, and stands for this many pairs, repeats
        counted (pairs met by several blocks; an empty one: pairs met again, and left out,
        :func:`nearest_in_blocks`)."""

    def release(self) -> None:
        """A producer's batches are done: free what was kept for its next batch."""


class _Union:
    """A growing union of pair ids: each batch's distinct ids, ascending, held as runs,
    each at most half the one before it (a run is merged with the one before while that
    one is at most twice as long): each pair is copied about log2(runs) times, where
    merging every run into one growing union copies it once per later run."""

    def __init__(self, workers: int = 1) -> None:
        self.workers = workers
        self.runs: list[Int64Array] = []

    def add(self, ids: Int64Array, met: int | None = None) -> None:
        runs = self.runs
        run = kernels.sorted_distinct(ids, self.workers)
        runs.append(run.copy() if np.may_share_memory(run, ids) else run)
        del ids, run  # so that a merge can free the batch
        while len(runs) > 1 and len(runs[-2]) <= 2 * len(runs[-1]):
            runs.append(kernels.union_all([runs.pop(), runs.pop()]))

    def release(self) -> None:
        pass

    def ids(self) -> Int64Array:
        """The union, ascending (the runs are given up)."""
        return kernels.union_all(self.runs)


class _Budget:
    """The candidate budget (:func:`budget_choices`), kept as pairs are made: each batch
    is offered to its records' best (:class:`kernels.BestPairs`), then dropped. The
    rules' union is never held: a batch is offered in order of left record
    (:meth:`kernels.BestPairs.offer`), sorted first (its repeats scored once), but for a
    join's, which come grouped so and distinct (``met`` given)."""

    def __init__(
        self,
        data: PreparedPair,
        per_record: int,
        *,
        dedupe: bool,
        workers: int,
        context: Sequence[str] = (),
        agree: Sequence[str] = (),
        second: int = 0,
        within: int | None = None,
        uncut: bool = True,
        tokens: Sequence[str] = (),
        shared: bool = False,
    ):
        """``context``: context keys (``field:<column>``, ``class:<column>``) whose
        agreement counts as a name part that sounds alike (:func:`_context_inputs`), for
        the context budget; ``tokens``: columns whose tokens count so too (those of the
        rules' ``tokens:<column>`` keys). ``agree``, ``second``: each record's best ``second`` pairs
        by the score plus these context keys' values that agree
        (:func:`_context_bytes`; :class:`kernels.BestPairs`' second choice) are kept
        too, apart (:meth:`also`). ``within``: of a record's best, only those at most
        this many points below its best pair are kept (none: all). ``uncut``: pairs of
        :func:`uncut_rule` rules may come (false: none will, and pairs past the cut are
        dropped as they come, :class:`kernels.BestPairs`' ``cut_early``). ``shared``: a
        budget of :func:`block`, whose choice for each sighting a partition of a run
        shares with the others (:class:`prepare.Partition`; :meth:`ids`)."""
        n_left, n_right = data.sizes
        self.workers = workers
        self.partition = data.partition if shared and not dedupe else None
        self.index = 0
        if self.partition is not None:
            self.index = self.partition.budgets
            self.partition.budgets += 1
        most = 0 if self.partition is None else self.partition.requests
        rank_left, rank_right = _orders(data, 0)[2], _orders(data, 1)[2]
        self.best = kernels.BestPairs(
            kernels.affinity_rows(
                _context_inputs(data, 0, context, tokens), _context_bytes(data, 0, agree)
            ),
            kernels.affinity_rows(
                _context_inputs(data, 1, context, tokens), _context_bytes(data, 1, agree)
            ),
            rank_left if dedupe else np.concatenate([rank_left, rank_right]),
            per_record,
            n_right=n_right,
            right_offset=0 if dedupe else n_left,
            missing=MISSING,
            year=YEAR,
            second=second if agree else 0,
            within=within,
            cut_early=not uncut,
            rank_bits=0 if self.partition is None else self.partition.rank_bits,
            most=most,
        )
        #: Pairs offered so far, repeats counted.
        self.offered = 0
        #: The offers' buffers, kept from one batch to the next of a producer
        #: (:meth:`release`).
        self.scratch = kernels.Scratch()
        #: With a cut: the pairs of rules on a field's own values (:func:`uncut_rule`),
        #: kept past the cut where they are among a record's best (:meth:`ids`); and
        #: whether the pairs offered now are such a rule's.
        self.uncut = _Union(workers) if within is not None and uncut else None
        self.uncutting = False

    def add(self, ids: Int64Array, met: int | None = None) -> None:
        if self.uncutting and self.uncut is not None:
            self.uncut.add(ids.copy())  # the offer overwrites the batch
        offered = self.best.offer(
            ids, workers=self.workers, grouped=met is not None, scratch=self.scratch
        )
        self.offered += offered if met is None else met

    def release(self) -> None:
        self.scratch.clear()

    def ids(self) -> Int64Array:
        """The pairs kept, ascending: each record's best, those within the cut of its
        best pair, and of :attr:`uncut` those among the best, cut or not. In a partition
        of a run (:attr:`partition`), each sighting's choice is its choice among all the
        run's requests where that is given, and this partition's own is left for the
        caller to merge where it is not."""
        self.release()
        if self.partition is not None:
            if self.partition.choices:
                self.best.set_right_rows(*self.partition.choices[self.index])
            else:
                self.partition.found[self.index] = self.best.right_rows()
            self.partition = None
        kept = self.best.ids(workers=self.workers)
        if self.uncut is not None and self.uncut.runs:
            every = self.best.ids(workers=self.workers, cut=False)
            shared = np.intersect1d(every, self.uncut.ids(), assume_unique=True)
            kept = kernels.union_all([kept, shared])
        return kept

    def also(self) -> Int64Array:
        """The second choice's pairs (by the score plus the context), ascending."""
        return self.best.ids(workers=self.workers, second=True)


def join(
    values: tuple[KeyValues, KeyValues],
    *,
    max_block: int,
    n_right: int,
    sink: _Sink,
    dedupe: bool = False,
    workers: int = 1,
) -> _Blocks:
    """All pairs of rows sharing a key value, into ``sink`` a batch of left records at a
    time, each pair once however many blocks it is in (:func:`kernels.record_pairs`);
    returns the blocks (with those left out as oversized).

    ``values``: both sides' key values, as one tuple: the blocks hold the rows the join
    reads, and key values passed and not kept by the caller are freed here, before the
    pairs grow (passed as ``*values``, the tuple would stay held by the call).
    """
    sides = list(values)
    del values
    blocks = _blocks(sides, max_block=max_block, workers=workers, dedupe=dedupe)
    for ids, met in kernels.record_pairs(
        blocks.lrows,
        blocks.rrows,
        blocks.span(0, len(blocks.keys)),
        int(blocks.lrows.max(initial=-1)) + 1,
        n_right,
        batch=JOIN_BATCH,
        dedupe=dedupe,
        workers=workers,
    ):
        sink.add(ids, met)
        del ids
    sink.release()
    return blocks


def pair_ids(lr: Int64Array, rr: Int64Array, n_right: int, dedupe: bool) -> Int64Array:
    """Ids ``left * n_right + right`` of aligned rows (in dedupe mode, left < right only),
    repeats kept."""
    if dedupe:
        keep = lr < rr
        lr, rr = lr[keep], rr[keep]
    ids: Int64Array = lr.astype(np.int64) * max(n_right, 1) + rr
    return ids


def _oversized_entries(blocks: _Blocks) -> list[KeyValues]:
    """The oversized blocks' entries of each side, from the join's grouping (each row once
    per key), sorted by key."""
    keys, ls, lc, rs, rc = blocks.oversized_runs
    return [_entries(blocks.lrows, keys, ls, lc), _entries(blocks.rrows, keys, rs, rc)]


def _refine(
    data: PreparedPair,
    entries: list[KeyValues],
    max_block: int,
    window: int,
    dedupe: bool,
    sink: _Sink,
    workers: int = 1,
    *,
    by_band: bool = True,
    tokens: str = "",
) -> list[tuple[int, int]]:
    """Inside oversized blocks, let the birth band take over as a further key (if
    ``by_band``); and let every record of an oversized block meet its nearest records of
    the other side in it (by name, and by father's name and birth date), so that no
    record is left without candidates. ``tokens``: the column of the rule's
    ``tokens:<column>`` key, whose tokens order the records without a name in clear by
    name (:func:`_orders`), or "".

    ``by_band`` is false for a rule that holds a birth key: every record of its block
    touches the block's own band, so that sub-block is the whole block, and the others
    hold only the records near a band's edge (candidates by where the bands happen to
    fall, which crowd better ones out of the budget).

    ``entries``: :func:`_oversized_entries`, handed over (the list is emptied, so that
    they are freed once read). The pairs go to ``sink``; returns the band sub-blocks that
    were still too large.
    """
    left, right = _ranked(*entries)
    entries.clear()
    if not by_band:
        nearest_in_blocks(
            data, left, right, window=window, sink=sink, dedupe=dedupe, workers=workers,
            tokens=tokens,
        )  # fmt: skip
        return []
    sub = join(
        combine(
            (left, right),
            (key_values(data, 0, "birth_band"), key_values(data, 1, "birth_band")),
            workers,
        ),
        max_block=max_block,
        n_right=data.sizes[1],
        sink=sink,
        dedupe=dedupe,
        workers=workers,
    )
    still_over = sub.oversized
    del sub  # its rows, before the nearest neighbours' pairs
    nearest_in_blocks(
        data, left, right, window=window, sink=sink, dedupe=dedupe, workers=workers, tokens=tokens
    )
    return still_over


def _ranked(left: KeyValues, right: KeyValues) -> tuple[KeyValues, KeyValues]:
    """Oversized blocks' entries (:func:`_oversized_entries`: the same keys on both sides,
    sorted by key) with each key as its rank among them, read off the runs of the sorted
    keys: narrow codes (as :func:`_narrow` makes them, without sorting them again), for
    combining with the birth band; the same blocks."""
    lkeys, _, lcount = runs(left.codes)
    rcount = runs(right.codes)[2]
    ranks = np.arange(len(lkeys), dtype=np.int64)
    return (
        KeyValues(left.rows, np.repeat(ranks, lcount)),
        KeyValues(right.rows, np.repeat(ranks, rcount)),
    )


def _orders(
    data: PreparedPair, side: int, tokens: str = ""
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Per record: the rank of its name's joined skeleton text, its birth midpoint (days;
    unknown last), and the rank of its record id (the tie-break that keeps the order
    independent of row order). ``tokens``: a column whose tokens (``tokens:<column>``)
    rank the records without a name in clear (the encoded record format's ``name_keys``),
    after those with one, by their sorted tokens' spellings (:func:`_token_ranks`): the
    same names, the same tokens, next to each other."""
    key = f"block-orders:{tokens}"
    if key not in data._cache:
        # Both sides at once, once both sides' names are coded: each side's names add
        # their joined texts to the vocabulary, and ranks among the texts of two moments
        # would not compare.
        joined = [data.blocking_names(one).joined for one in (0, 1)]
        rank = _spelling_ranks(data.keys.array())
        shared = None if data.partition is None else data.partition.id_ranks
        if shared is None:
            id_rank = dense_ranks([data.left[ID_FIELD], data.right[ID_FIELD]])
        else:  # a partition of a run: the ranks among all the run's ids
            id_rank = np.concatenate(shared)
        n_left = data.sizes[0]
        by_tokens = _token_ranks(data, tokens) if tokens else None
        # Records with tokens after those with a name, and last those with neither.
        last = len(rank) - 1 + (0 if by_tokens is None else int(by_tokens.max(initial=-1)) + 1)
        orders = []
        for one in (0, 1):
            births = data.births(one)
            mid = (births.lo.astype(np.int64) + births.hi.astype(np.int64)) // 2
            mid[births.lo == MISSING] = np.iinfo(np.int64).max
            own = id_rank[:n_left] if one == 0 else id_rank[n_left:]
            text = rank[joined[one]]
            if by_tokens is not None:
                held = by_tokens[:n_left] if one == 0 else by_tokens[n_left:]
                unnamed = np.where(held >= 0, len(rank) - 1 + held, last)
                text = np.where(joined[one] < 0, unnamed, text)
            orders.append((text, mid, own))
        data._cache[key] = orders
    result: tuple[Int64Array, Int64Array, Int64Array] = data._cache[key][side]
    return result


#: Tokens of a record (the first by spelling) that order it among the records without a
#: name in clear (:func:`_token_ranks`).
ORDER_TOKENS = 8


def _token_ranks(data: PreparedPair, column: str) -> Int64Array:
    """Both sides' records (left, then right): the rank of the spellings of a column's
    tokens, each record's sorted (its first :data:`ORDER_TOKENS`), among all records'
    (-1: none). Sorted, so that the order the tokens were written in does not count."""
    table = data.token_table(column)
    spelling = _spelling_ranks(table.words.array())
    n_left = data.sizes[0]
    sides = [table.entries(one) for one in (0, 1)]
    rows = np.concatenate([sides[0][0], sides[1][0] + n_left])
    spelt = spelling[np.concatenate([sides[0][1], sides[1][1]])]
    order = np.lexsort((spelt, rows))
    rows, spelt = rows[order], spelt[order]
    place = np.arange(len(rows)) - np.searchsorted(rows, rows)
    kept = place < ORDER_TOKENS
    n = sum(data.sizes)
    matrix = np.full((n, ORDER_TOKENS), -1, dtype=np.int64)  # a shorter list sorts first
    matrix[rows[kept], place[kept]] = spelt[kept]
    held = np.zeros(n, dtype=bool)
    held[rows] = True
    by = np.lexsort(matrix.T[::-1])
    sorted_rows = matrix[by]
    step = np.r_[True, np.any(sorted_rows[1:] != sorted_rows[:-1], axis=1)]
    ranks = np.empty(n, dtype=np.int64)
    ranks[by] = np.cumsum(step) - 1
    out: Int64Array = np.where(held, ranks, -1)
    return out


def _ranked_orders(
    data: PreparedPair, workers: int = 1, tokens: str = ""
) -> tuple[list[Int64Array], list[Int64Array], int]:
    """The nearest records' two orders, as ranks shared by both sides: per side, each
    record's rank by name text, then birth midpoint; and by the class of its father's
    name (:data:`CONTEXT_ORDER`; none last), then birth midpoint, then name text; and the
    number of record id ranks (the last tie-break).

    In an oversized block, hundreds of namesakes tie on name and birth (a joined skeleton
    block holds one text, a block of a name and a birth year one year): the name order
    breaks its ties by birth, and the father's name sets namesakes with one father next
    to each other, nearest by birth among them, where a true pair whose birth was
    misstated by years sat too far apart in a birth order to meet. Records without a
    father's name keep the birth order, then name text, among themselves (a birth order
    breaking the name order's ties); without a birth date either, their record id order
    (the name order would meet no one new). ``workers``: the two orders are ranked at once
    on two threads (if more than one). ``tokens``: as :func:`_orders` reads it."""
    sides = [_orders(data, 0, tokens), _orders(data, 1, tokens)]
    text = np.concatenate([sides[0][0], sides[1][0]])
    mid = _dense(np.concatenate([sides[0][1], sides[1][1]]))
    n_text, n_mid = int(text.max(initial=0)) + 1, int(mid.max(initial=0)) + 1
    context, n_context = _context_ranks(data)
    unknown = np.concatenate([sides[0][1], sides[1][1]]) == np.iinfo(np.int64).max
    unknown &= context == n_context - 1

    def ranked(by_context: bool) -> Int64Array:
        if not by_context:
            return _dense(text * n_mid + mid)
        return _dense(_dense(context * n_mid + mid) * n_text + np.where(unknown, 0, text))

    by_text, by_context = threaded(ranked, (False, True), workers)
    n_left = len(sides[0][1])
    n_ids = int(max(sides[0][2].max(initial=0), sides[1][2].max(initial=0))) + 1
    return (
        [by_text[:n_left], by_text[n_left:]],
        [by_context[:n_left], by_context[n_left:]],
        n_ids,
    )


def _order_keys(
    data: PreparedPair, workers: int = 1, tokens: str = ""
) -> tuple[list[Int64Array], list[Int64Array]]:
    """Per side, each record's sort key in each of the nearest records' two orders
    (:func:`_ranked_orders`, by name text and by father's name): the order's rank, then
    the side, then the record id's rank, as one int64 (distinct within a block), made once
    a fit (its oversized blocks' entries, tens of millions at a million records a side,
    then take theirs by one gather each). ``tokens``: as :func:`_orders` reads it."""
    key = f"block-order-keys:{tokens}"
    if key not in data._cache:
        texts, contexts, n_ids = _ranked_orders(data, workers, tokens)
        ids = [_orders(data, side, tokens)[2] for side in (0, 1)]
        data._cache[key] = tuple(
            [(order[side] * 2 + side) * n_ids + ids[side] for side in (0, 1)]
            for order in (texts, contexts)
        )
    result: tuple[list[Int64Array], list[Int64Array]] = data._cache[key]
    return result


#: The name column whose first part's class orders an oversized block's records for the
#: second of their nearest records' orders (:func:`_ranked_orders`).
CONTEXT_ORDER = "father_name"
#: The column that orders so where neither input has :data:`CONTEXT_ORDER`: the encoded
#: record format's filter of the father's name (by its text).
ENCODED_CONTEXT_ORDER = "father_name_bloom"


def _context_ranks(data: PreparedPair) -> tuple[Int64Array, int]:
    """Both sides' records (left, then right): the rank of the spelling of the class of
    :data:`CONTEXT_ORDER`'s first part (by spelling, not code: codes follow the order the
    names were coded in), none last; and the number of ranks. A class only one side holds
    counts as none: it meets no one, and a side without fathers' names would otherwise sort
    apart from the other, whole, so that every record met the same few at the seam.

    Inputs without the column but with :data:`ENCODED_CONTEXT_ORDER` (the encoded record
    format, no name in clear) are ordered by that filter's text instead: one father's
    name, spelt alike, is one filter."""
    plain = any(data.column(side, CONTEXT_ORDER) is not None for side in (0, 1))
    if plain or all(data.column(side, ENCODED_CONTEXT_ORDER) is None for side in (0, 1)):
        sides = [_first_classes(data, side, CONTEXT_ORDER) for side in (0, 1)]
        vocab = data.classes.array()
    else:
        left, right, words = data.text_codes(ENCODED_CONTEXT_ORDER, fold=False)
        sides, vocab = [left, right], words.array()
    shared = np.intersect1d(sides[0], sides[1])
    classes = np.concatenate([np.where(np.isin(one, shared), one, -1) for one in sides])
    out: Int64Array = _spelling_ranks(vocab)[classes]
    return out, len(vocab) + 1


def _spelling_ranks(texts: npt.NDArray[np.object_]) -> Int64Array:
    """Per code of a vocabulary's texts, the rank of its spelling among them (codes
    follow the order values were first coded in), and last, for code -1 (none), one
    rank after them all."""
    spelt = texts.astype(str)
    rank = np.empty(len(spelt) + 1, dtype=np.int64)
    rank[np.argsort(spelt, kind="stable")] = np.arange(len(spelt))
    rank[-1] = len(spelt)
    return rank


def _dense(values: Int64Array) -> Int64Array:
    """Each value's rank among the distinct values (so that sort keys built from ranks
    stay small)."""
    ranks: Int64Array = kernels.unique_inverse(values)[1]
    return ranks


def nearest_in_blocks(
    data: PreparedPair,
    left: KeyValues,
    right: KeyValues,
    *,
    window: int,
    sink: _Sink,
    dedupe: bool = False,
    workers: int = 1,
    tokens: str = "",
) -> None:
    """Within each block (records sharing a code), every record meets the ``window``
    records of the other side just before and just after it, in two orders
    (:func:`_ranked_orders`): by name text, then birth date; and by the class of the
    father's name, then birth date, then name text (ties by side, then record id); a pair
    the first order met is not given again by the second. Linear in the
    block's size, where a full join is quadratic. ``left`` and
    ``right`` are sorted by code, then row (as :func:`_entries` leaves them). The pairs go
    to ``sink``. ``tokens``: a column whose tokens order records without a name in clear
    by name (:func:`_orders`), or "".

    A block whose rows of both sides are another's (the typed variants of a name pair
    hold the same records) meets the same pairs, as often: it is left out, and the pairs
    it stood for are counted to ``sink`` (a batch of none, ``met``)."""
    if window <= 0 or not len(left.rows) or not len(right.rows):
        return
    lu, lstart, lcount = runs(left.codes)
    ru, rstart, rcount = runs(right.codes)
    li, ri = kernels.intersect(lu, ru)
    every = (lstart[li], lcount[li], rstart[ri], rcount[ri])
    same = _same_blocks(left.rows, right.rows, every)
    kept = same == np.arange(len(same))
    blocks = tuple(one[kept] for one in every)
    by_text, by_context = _order_keys(data, workers, tokens)
    lkey, lkey2 = (
        kernels.gather(keys[0], left.rows, workers=workers) for keys in (by_text, by_context)
    )
    rkey, rkey2 = (
        kernels.gather(keys[1], right.rows, workers=workers) for keys in (by_text, by_context)
    )
    made = np.zeros(len(blocks[0]), dtype=np.int64)
    for ids in kernels.nearest_pairs(
        (left.rows, lkey, lkey2),
        (right.rows, rkey, rkey2),
        blocks,
        window,
        data.sizes[1],
        dedupe=dedupe,
        workers=workers,
        made=made,
    ):
        sink.add(ids)
        del ids
    if not kept.all():  # each left-out block's pairs: those of the block it repeats
        per_block = np.zeros(len(same), dtype=np.int64)
        per_block[kept] = made
        sink.add(np.zeros(0, dtype=np.int64), int(per_block[same[~kept]].sum()))
    sink.release()


def _same_blocks(
    lrows: Int64Array, rrows: Int64Array, blocks: tuple[Int64Array, ...]
) -> npt.NDArray[np.intp]:
    """Per block ``(ls, lc, rs, rc)`` of ``lrows`` and ``rrows`` (each block's rows
    ascending): the first block with the same rows of both sides (itself, if none
    before). Blocks are matched by a hash of their rows, then compared in full."""
    ls, lc, rs, rc = blocks
    if not len(ls):
        return np.zeros(0, dtype=np.intp)
    # A block's hash: the sum of its rows' (splitmix64), a side each, with its sizes.
    hashed = []
    for rows, starts, counts in ((lrows, ls, lc), (rrows, rs, rc)):
        sums = np.zeros(len(rows) + 1, dtype=np.uint64)
        np.cumsum(_mixed(rows), out=sums[1:])
        hashed.append(sums[starts + counts] - sums[starts])
    order = np.lexsort((np.arange(len(ls)), rc, lc, *hashed[::-1]))
    keys = np.stack([hashed[0], hashed[1], lc.astype(np.uint64), rc.astype(np.uint64)])
    keys = keys[:, order]
    starts = np.flatnonzero(np.r_[True, np.any(keys[:, 1:] != keys[:, :-1], axis=0)])
    same = np.arange(len(ls))
    for first, end in zip(starts, np.r_[starts[1:], len(ls)], strict=True):
        if end - first < 2:
            continue
        head = int(order[first])
        for block in order[first + 1 : end].tolist():
            if np.array_equal(
                lrows[ls[block] : ls[block] + lc[block]], lrows[ls[head] : ls[head] + lc[head]]
            ) and np.array_equal(
                rrows[rs[block] : rs[block] + rc[block]], rrows[rs[head] : rs[head] + rc[head]]
            ):
                same[block] = head
    return same


def _mixed(values: Int64Array) -> npt.NDArray[np.uint64]:
    """splitmix64 of each value: spread bits, so that sums of a few tell sets apart."""
    x = values.astype(np.uint64) + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    mixed: npt.NDArray[np.uint64] = x ^ (x >> np.uint64(31))
    return mixed


def block(
    data: PreparedPair,
    rules: Sequence[Sequence[str]],
    *,
    max_block: int,
    dedupe: bool = False,
    window: int = 3,
    per_record: int = 0,
    within: int = 0,
    workers: int = 1,
    context: Sequence[Sequence[str]] = (),
    context_per_record: int = 0,
) -> CandidatePairs:
    """Candidate pairs of the union of the rules.

    Args:
        data: both prepared sides.
        rules: each a sequence of key names that must all agree.
        max_block: pairs allowed in one block before it is refined or dropped.
        dedupe: both sides are one list: keep each unordered pair once, never a record
            with itself.
        window: records each record meets on either side in a sorted-neighbourhood rule.
        per_record: keep each record's best this many candidates of the union
            (:func:`budget_choices`); 0 keeps all.
        within: of those, only the ones at most this many points below the record's
            best pair; 0: all.
        workers: threads for the compiled kernels.
        context: rules whose pairs add each record's best ``context_per_record`` by a
            score that counts their fields' agreement (with a budget only; marked in
            :attr:`CandidatePairs.context_only`, see :func:`with_context`); and so do the
            main rules' pairs, each record's best ``context_per_record`` of them by the
            budget's score plus their fields that agree (the budget's second choice,
            :class:`_Budget`).
        context_per_record: how many a record takes from the context rules (and from
            the main rules by context).

    The names are read as :meth:`PreparedPair.blocking_names` gives them, dropped when
    done.
    """
    try:
        return _block(
            data, rules, max_block=max_block, dedupe=dedupe, window=window,
            per_record=per_record, within=within, workers=workers, context=context,
            context_per_record=context_per_record,
        )  # fmt: skip
    finally:
        data.drop_blocking_names()


def _block(
    data: PreparedPair,
    rules: Sequence[Sequence[str]],
    *,
    max_block: int,
    dedupe: bool,
    window: int,
    per_record: int,
    within: int,
    workers: int,
    context: Sequence[Sequence[str]],
    context_per_record: int,
) -> CandidatePairs:
    """:func:`block`'s work."""
    _n_left, n_right = data.sizes
    stats: list[RuleStats] = []
    # With a budget, every rule's pairs go to it as they are made: what it keeps equals
    # the budget once over the whole union, which is never held.
    budget = None
    tokens = token_fields(rules)
    if per_record:
        uncut = any(uncut_rule(rule) for rule in rules)
        budget = _main_budget(
            data, per_record, within, dedupe, workers, context, context_per_record, uncut, tokens
        )
    seen = _Union(workers)
    for rule in rules:
        name = "+".join(rule)
        rule_union = _Union(workers)  # without a budget: the rule's pairs
        sink: _Sink = rule_union if budget is None else budget
        offered = 0 if budget is None else budget.offered
        if budget is not None:
            budget.uncutting = uncut_rule(rule)
        rule_stats = RuleStats(name)
        if rule[0].startswith(SORTED):
            lr, rr = sorted_neighbourhood(
                data, rule[0][len(SORTED) :], window=window, dedupe=dedupe
            )
            sink.add(pair_ids(lr, rr, n_right, dedupe))
            sink.release()
            del lr, rr
        else:
            # The key values go to the join unkept: it frees them once grouped into blocks.
            blocks = join(
                rule_values(data, rule, workers),
                max_block=max_block,
                n_right=n_right,
                sink=sink,
                dedupe=dedupe,
                workers=workers,
            )
            oversized = blocks.oversized
            _note_blocks(data, rule, blocks, rule_stats)
            entries = _oversized_entries(blocks) if oversized else []
            found = _oversized_found(data, rule, blocks, max_block) if oversized else ""
            del blocks  # its rows (and what reads its keys), before the refinement's pairs
            if oversized:
                by_band = not BIRTH_KEYS.intersection(rule)
                tokens_of_rule = next(iter(token_fields([rule])), "")
                still_over = len(
                    _refine(
                        data,
                        entries,
                        max_block,
                        window,
                        dedupe,
                        sink,
                        workers,
                        by_band=by_band,
                        tokens=tokens_of_rule,
                    )
                )
                split = "split by birth band" if by_band else "not split (the rule has a birth key)"
                if data.partition is not None:
                    # The same words in every partition and pass: shown once, not a
                    # partition's counts again and again.
                    found, still_over = _IN_PARTITIONS.format(max_block), 0
                _warn(
                    data,
                    f"blocking rule {name}: {found}; {split}"
                    + (f" ({still_over} sub-block(s) still too large)" if still_over else "")
                    + f", and each record meets its {window} nearest per side "
                    + (
                        "by name and by father's name and birth date"
                        if not tokens_of_rule
                        else "by name (or its tokens) and by father's name (or its filter) "
                        "and birth date"
                    ),
                )
        if budget is None:
            ids = rule_union.ids()
            rule_stats.pairs = len(ids)
            seen.add(ids)
            del ids
        else:
            rule_stats.pairs = budget.offered - offered
        stats.append(rule_stats)
    if budget is None:
        return CandidatePairs(seen.ids(), n_right, stats)
    union, also = budget.ids(), budget.also()
    del budget
    stats.append(RuleStats(f"best {per_record} per record", pairs=len(union)))
    if not context or context_per_record <= 0:
        return CandidatePairs(union, n_right, stats)
    return with_context(
        data, union, context, context_per_record, max_block, dedupe, workers, stats, also, tokens
    )


#: Records of the other side that a record meets just before and just after it, in each
#: order, in an oversized block of a context rule (:func:`with_context`; a main rule's
#: meet ``sorted_window``). One, not three: ``python -m benchmarks speed`` reads pairs
#: completeness 0.906 at 1,000,000 a side with one (32e4e70) and 0.9063 with three
#: (80dc72b), and three made blocking slower (the readings of benchmarks/RESULTS.md).
CONTEXT_WINDOW = 1


def with_context(
    data: PreparedPair,
    union: Int64Array,
    rules: Sequence[Sequence[str]],
    per_record: int,
    max_block: int,
    dedupe: bool,
    workers: int = 1,
    stats: list[RuleStats] | None = None,
    also: Int64Array | None = None,
    tokens: Sequence[str] = (),
) -> CandidatePairs:
    """The budget's pairs ``union`` and each record's best ``per_record`` pairs of the
    context ``rules`` (by :func:`kernels.affinity`, the rules' fields agreeing as name
    parts that sound alike, :func:`_context_inputs`) that the budget left out, marked as
    such; and so are the pairs of ``also`` (ascending: the budget's second choice, each
    record's best of the main rules' pairs by the score plus the context that agrees,
    :class:`_Budget`) that the budget left out. In an oversized block of a context rule
    (a common value of a parent's name or place, with a birth year) each record meets only
    its :data:`CONTEXT_WINDOW` nearest of the other side on either side of it in each
    order (:func:`nearest_in_blocks`: by name, and by father's name and birth date), as in
    a main rule's, with a warning that names the block.
    ``stats``, if given, gets a row per context rule and one for the pairs they add.
    ``tokens``: the main rules' token columns (:func:`token_fields`), which the score reads
    as the main budget's does, and whose first orders the records without a name in clear
    in those blocks."""
    n_right = data.sizes[1]
    stats = [] if stats is None else stats
    best = _Budget(
        data,
        per_record,
        dedupe=dedupe,
        workers=workers,
        context=context_fields(rules),
        tokens=tokens,
        shared=True,
    )
    for rule in rules:
        offered = best.offered
        blocks = join(
            rule_values(data, rule, workers),
            max_block=max_block,
            n_right=n_right,
            sink=best,
            dedupe=dedupe,
            workers=workers,
        )
        rule_stats = RuleStats("context " + "+".join(rule))
        _note_blocks(data, rule, blocks, rule_stats)
        entries = _oversized_entries(blocks) if blocks.oversized else []
        found = _oversized_found(data, rule, blocks, max_block) if entries else ""
        del blocks  # its rows, before the nearest records' pairs
        if entries:
            # its records' nearest only, as in a main rule's block with a birth key
            _refine(
                data, entries, max_block, CONTEXT_WINDOW, dedupe, best, workers,
                by_band=False, tokens=next(iter(tokens), ""),
            )  # fmt: skip
            if data.partition is not None:  # as the main rules' (_block)
                found = _IN_PARTITIONS.format(max_block)
            _warn(
                data,
                f"context rule {'+'.join(rule)}: {found}; each record meets its "
                f"{CONTEXT_WINDOW} nearest per side in them, by name and by father's name "
                "and birth date (a value this common tells few apart)",
            )
        rule_stats.pairs = best.offered - offered
        stats.append(rule_stats)
    chosen = best.ids()
    del best
    if also is not None:
        chosen = kernels.merge_unique(chosen, also)
    at = np.searchsorted(union, chosen)
    taken = np.zeros(len(chosen), dtype=bool)
    if len(union):  # the budget may have kept nothing where only the context rules meet
        taken = (at < len(union)) & (union[np.minimum(at, len(union) - 1)] == chosen)
    extra = chosen[~taken]
    ids = kernels.merge_unique(union, extra)
    context_only = np.zeros(len(ids), dtype=bool)
    context_only[np.searchsorted(ids, extra)] = True
    label = f"best {per_record} per record by context"
    if also is not None:
        label += " (and of the main rules)"
    stats.append(RuleStats(label, pairs=len(extra)))
    return CandidatePairs(ids, n_right, stats, context_only)


def _note_blocks(
    data: PreparedPair, rule: Sequence[str], blocks: _Blocks, stats: RuleStats
) -> None:
    """Into ``stats``: a rule's largest blocks and those left out as too large, by key."""
    if len(blocks.keys):
        top = np.argsort(-blocks.sizes, kind="stable")[:5]
        stats.largest_blocks = [
            (_describe(data, rule, blocks.parts, int(blocks.keys[t])), int(blocks.sizes[t]))
            for t in top
        ]
    biggest = sorted(blocks.oversized, key=lambda kn: -kn[1])
    stats.oversized = [(_describe(data, rule, blocks.parts, k), n) for k, n in biggest]


#: The fewest records a block holds on each side for a warning to name its key ("'muhammad
#: + born 1990-1994' (6,400 pairs)"): a name, a birth band or a place that this many
#: records share identifies none of them, where a few records sharing a name and a birth
#: band (a small max_block_size) or a village (a ``field:`` rule) are people one could
#: point to, and a warning goes to logs. A smaller oversized block is counted and sized,
#: its key left to :meth:`rfl_match.Linker.blocking_report`, which the analyst asks for.
NAMED_BLOCK_RECORDS = 20


def _oversized_found(
    data: PreparedPair, rule: Sequence[str], blocks: _Blocks, max_block: int
) -> str:
    """How a warning says a rule's oversized blocks: how many, and the keys and sizes of
    the three largest of those that hold at least :data:`NAMED_BLOCK_RECORDS` records on
    each side; where none does, the size of the largest, without its key."""
    keys, _, lc, _, rc = blocks.oversized_runs
    sizes = _block_pairs(lc, rc, blocks.dedupe)
    order = np.argsort(-sizes, kind="stable")
    common = order[np.minimum(lc, rc)[order] >= NAMED_BLOCK_RECORDS][:3]
    found = f"{len(keys):,} block(s) over max_block_size {max_block:,}"
    if len(common):
        shown = ", ".join(
            f"{_describe(data, rule, blocks.parts, int(keys[t]))!r} ({int(sizes[t]):,} pairs)"
            for t in common
        )
        return f"{found}, e.g. {shown}"
    return (
        f"{found}, the largest {int(sizes[order[0]]):,} pairs (keys not named: each block "
        f"holds fewer than {NAMED_BLOCK_RECORDS} records a side; blocking_report names them)"
    )


#: What a rule's oversized blocks are called in a partition of a run
#: (``rfl_match.backends.partitions``): each partition has its own, and their counts
#: differ from one to the next; these words, given once in the run (:func:`_warn`).
_IN_PARTITIONS = (
    "blocks over max_block_size {:,} in partitions of the requests (see "
    "blocking_report on the whole input for their keys and sizes)"
)


def _warn(data: PreparedPair, message: str) -> None:
    """A UserWarning of blocking, at the user's line (:func:`rfl_match.warn.warn`); in a
    partition of a run, once in the run (``Partition.told``)."""
    if data.partition is not None:
        if message in data.partition.told:
            return
        data.partition.told.add(message)
    warn(message)


def uncut_rule(rule: Sequence[str]) -> bool:
    """Whether a rule reads a field's own values (``field:<column>``: an identifier, an
    address): its pairs are kept past the budget's cut below a record's best (where they
    are among the record's best): the budget's score reads names and birth only, and a
    registration number two records share, with names written far apart, is evidence it
    cannot see."""
    return any(key.startswith("field:") for key in rule)


def budget_choices(
    data: PreparedPair,
    ids: Int64Array,
    per_record: int,
    *,
    within: int = 0,
    uncut: Int64Array | None = None,
    dedupe: bool,
    workers: int = 1,
    context: Sequence[Sequence[str]] = (),
    context_per_record: int = 0,
    tokens: Sequence[str] = (),
) -> tuple[Int64Array, Int64Array]:
    """The candidate budget over the pairs ``ids``, as :func:`block` keeps it: each record
    keeps its ``per_record`` best candidates by a cheap compiled score
    (:func:`kernels.affinity`: name parts that share a class or a sound key, and how near
    the birth intervals are), of those only the ones at most ``within`` points below its
    best (0: all), and of ``uncut`` (the pairs of :func:`uncut_rule` rules) those among
    the best, cut or not; a pair stays if it is among the best of either of its records,
    so no record is left without candidates. Returned with the budget's second
    choice: each record's best ``context_per_record`` by the same score plus the
    ``context`` rules' fields that agree (for :func:`with_context`'s ``also``; empty
    without). ``tokens``: the rules' token columns (:func:`token_fields`), which the
    score reads as name parts.

    The rules' union grows faster than the records (a common name meets more namesakes in
    a larger list); the budget keeps the pairs per record bounded as lists grow, and the
    comparisons' cost with them. Ties go to the other record's id, not its row.
    """
    if per_record <= 0 or not len(ids):
        return ids, np.zeros(0, dtype=np.int64)
    budget = _main_budget(
        data, per_record, within, dedupe, workers, context, context_per_record, uncut is not None,
        tokens, shared=False,
    )  # fmt: skip
    if uncut is not None and budget.uncut is not None:
        budget.uncut.add(uncut.copy())
    budget.add(ids.copy())  # the budget overwrites a batch; the caller's stays
    return budget.ids(), budget.also()


def _main_budget(
    data: PreparedPair,
    per_record: int,
    within: int,
    dedupe: bool,
    workers: int,
    context: Sequence[Sequence[str]],
    context_per_record: int,
    uncut: bool,
    tokens: Sequence[str] = (),
    *,
    shared: bool = True,
) -> _Budget:
    """The main rules' budget (``within``: its cut below a record's best, 0: none), with
    its second choice by the ``context`` rules' fields where the context step runs
    (``context_per_record`` > 0); ``uncut``: whether pairs of :func:`uncut_rule` rules
    will come; ``tokens``: the rules' token columns (:func:`token_fields`)."""
    agree = context_fields(context) if context_per_record > 0 else []
    return _Budget(
        data,
        per_record,
        dedupe=dedupe,
        workers=workers,
        agree=agree,
        second=context_per_record,
        within=within or None,
        uncut=uncut,
        tokens=tokens,
        shared=shared,
    )


def _context_inputs(
    data: PreparedPair, side: int, fields: Sequence[str], tokens: Sequence[str] = ()
) -> tuple[npt.NDArray[Any], ...]:
    """One side's arrays for :func:`kernels.affinity`: its name parts, and after them, as
    more parts, the tokens of each column of ``tokens`` (``tokens:<column>`` keys, up to
    :data:`TOKEN_PARTS` a record) and each context key of ``fields`` (``field:<column>``,
    a text field's folded value; ``class:<column>``, the class of a name column's first
    part) that a record has. Each such value is a part whose sound key is the value (one
    code per key and value, apart from the names'), and whose class is its own, which no
    other record's part has. Agreeing on it scores as a name part that only sounds alike
    does, in both records (6 points): measured on synthetic data, a shared part's 12 let
    relatives born years apart crowd out namesakes born the same year. A name's tokens
    (the encoded format's keyed digests of a part's class and of its sound) then score as
    its parts do: a part alike by class and sound is two tokens, 12 points. No fields
    nor tokens: the name parts as they are."""
    births = data.births(side)
    left_sex, right_sex, words = data.text_codes("sex", fold=True)
    sex = left_sex if side == 0 else right_sex
    # "other" says nothing of the sex another record writes: no points against a pair
    sex = np.where(sex == words.find([OTHER_SEX])[0], -1, sex)
    parts = data.blocking_names(side).parts.packed
    if fields or tokens:
        # Each key's codes (a column of values per record, -1 none), then how many values
        # each can take, once both sides' names (a parent's name too) are all coded: the
        # offsets below are shared by both sides.
        columns = [_token_parts(data, side, column) for column in tokens]
        columns += [_context_codes(data, side, key)[:, None] for key in fields]
        data.blocking_names(1 - side)
        sizes = [len(data.token_table(column).words) for column in tokens]
        sizes += [_context_size(data, key) for key in fields]
        width = parts.shape[1] // 3
        wide = width + sum(codes.shape[1] for codes in columns)
        rows = np.full((len(parts), 3 * wide), -1, dtype=np.int32)
        for kind in range(3):
            rows[:, kind * wide : kind * wide + width] = parts[:, kind * width : (kind + 1) * width]
        # Parts are left-aligned (the first empty slot ends a name): each value goes in
        # the record's next free slot.
        empty = parts[:, :width] < 0
        free = np.where(empty.any(axis=1), empty.argmax(axis=1), width)
        n_left = data.sizes[0]
        # Classes of their own: past the names' classes, a record's own per side.
        own = len(data.classes) + (side * n_left + np.arange(len(parts))) * (wide - width)
        sound, slot = len(data.keys), 0
        for codes, n_values in zip(columns, sizes, strict=True):
            for column in codes.T:
                has = np.nonzero(column >= 0)[0]
                rows[has, free[has]] = own[has] + slot
                rows[has, wide + free[has]] = column[has] + sound
                free[has] += 1
                slot += 1
            sound += n_values
        parts = rows
    return (parts, births.lo, births.hi, births.exact, sex)


#: A record's tokens of a ``tokens:<column>`` key that the candidate budget's score reads
#: (its first, as written): the encoded format's ``name_keys`` hold two a name part, and
#: 12 of those of the bundled synthetic data's records hold every one.
TOKEN_PARTS = 12


def _token_parts(data: PreparedPair, side: int, column: str) -> npt.NDArray[np.int32]:
    """One side's ``(records, TOKEN_PARTS)`` codes of a column's tokens, each record's
    first as written, left-aligned (-1: none)."""
    rows, codes = data.token_table(column).entries(side)
    starts = np.searchsorted(rows, rows)  # each record's tokens are together, ascending
    place = np.arange(len(rows)) - starts
    kept = place < TOKEN_PARTS
    out = np.full((data.sizes[side], TOKEN_PARTS), -1, dtype=np.int32)
    out[rows[kept], place[kept]] = codes[kept]
    return out


def token_fields(rules: Sequence[Sequence[str]]) -> list[str]:
    """The columns of the ``tokens:<column>`` keys of ``rules``, once each, in order."""
    return list(
        dict.fromkeys(
            key[len(TOKENS) :] for rule in rules for key in rule if key.startswith(TOKENS)
        )
    )


def context_fields(rules: Sequence[Sequence[str]]) -> list[str]:
    """The context keys (``field:<column>``, ``class:<column>``, ``alike:<column>``) of
    ``rules``, once each, in order."""
    return list(
        dict.fromkeys(
            key for rule in rules for key in rule if key.startswith(("field:", CLASS, ALIKE))
        )
    )


#: Context keys the candidate budget's score reads (a byte each of one int32 column).
CONTEXT_BYTES = 4


def _context_bytes(
    data: PreparedPair, side: int, fields: Sequence[str]
) -> npt.NDArray[np.int32] | None:
    """One side's context column for :func:`kernels.affinity_rows`: per record, byte f
    the value of the f-th of the first :data:`CONTEXT_BYTES` keys of ``fields`` (a
    parent's name's class, a place's folded text; 0 where none), as a hash of its
    spelling to 1..255, the same on both sides and whatever order the values were coded
    in. Two different values read as alike one time in 255. None without fields."""
    if not fields:
        return None
    out = np.zeros(data.sizes[side], dtype=np.uint32)
    for f, key in enumerate(fields[:CONTEXT_BYTES]):
        codes = _context_codes(data, side, key)
        has = codes >= 0
        # The values present (no sort): a byte each, and 0 for none.
        present = np.zeros(int(codes.max(initial=-1)) + 2, dtype=bool)
        present[codes[has]] = True
        values = np.flatnonzero(present)
        table = np.zeros(len(present), dtype=np.uint32)
        hashed = pd.util.hash_array(_context_text(data, key, values))
        table[values] = (hashed % np.uint64(255)).astype(np.uint32) + 1
        out |= table[codes] << np.uint32(8 * f)  # code -1 reads the last entry, 0
    return out.view(np.int32)


def _context_codes(data: PreparedPair, side: int, key: str) -> npt.NDArray[np.int32]:
    """One side's codes of a context key (-1: none), one a record; both sides' are coded
    at once. An ``alike:<column>`` key's is its sound: the score counts a parent's name
    that sounds the same as agreeing (measured against its class, synthetic data, 100,000
    a side: pairs completeness 0.9727 against 0.9721, F1 0.8730 both)."""
    if key.startswith(CLASS):
        return _first_classes(data, side, key[len(CLASS) :])
    if key.startswith(ALIKE):
        return _first_sounds(data, side, key[len(ALIKE) :])
    left, right, _ = data.text_codes(key[len("field:") :], fold=True)
    return left if side == 0 else right


def _context_text(data: PreparedPair, key: str, codes: Int64Array) -> npt.NDArray[np.object_]:
    """The text of a context key's codes as :func:`_context_codes` gives them: a class's
    name, a sound key's (``alike:<column>``), a field's folded value."""
    if key.startswith(ALIKE):
        out: npt.NDArray[np.object_] = data.keys.array()[codes]
        return out
    return _key_text(data, key, codes)


def _context_size(data: PreparedPair, key: str) -> int:
    """How many values a context key can take (the classes or sound keys known so far:
    read it once every name column is coded)."""
    if key.startswith(CLASS):
        return len(data.classes)
    if key.startswith(ALIKE):
        return len(data.keys)
    return len(data.text_codes(key[len("field:") :], fold=True)[2])


SORTED = "sorted:"
#: Prefix of a key on a name column's first part's class (:func:`_class_of`).
CLASS = "class:"
#: Prefix of a key on each token of a text column (:func:`_tokens`).
TOKENS = "tokens:"
#: Prefix of a key on a name column's first part's class and its sound (:func:`_alike_of`).
ALIKE = "alike:"
#: The keys on a column the rule names after a prefix, by prefix: one function each of
#: the prefixes the configuration accepts (``config.COLUMN_KEY_PREFIXES``, in its order).
COLUMN_KEYS: dict[str, Callable[[str], Callable[[PreparedPair, int], KeyValues]]] = dict(
    zip(COLUMN_KEY_PREFIXES, (_field, _class_of, _tokens, _alike_of), strict=True)
)
assert COLUMN_KEYS.keys() >= {CLASS, TOKENS, ALIKE}
#: Keys of birth dates: a rule that holds one is not refined by the birth band again.
BIRTH_KEYS = frozenset({"birth_band", "birth_year", "birth_year_mid"})


def _key_text(data: PreparedPair, key: str, codes: Int64Array) -> npt.NDArray[np.object_]:
    """The text of key values, for sorting (classes, sound keys and fields by their
    spelling; other keys by their code)."""
    if key.startswith(CLASS) or (key.endswith("_class") and "pair" not in key):
        vocab = data.classes.array()
    elif key.endswith(("_skeleton", "_phonetic")) and "pair" not in key:
        vocab = data.keys.array()
    elif key.startswith("field:"):
        vocab = data.text_codes(key[len("field:") :], fold=True)[2].array()
    elif key.startswith(TOKENS):
        vocab = data.token_table(key[len(TOKENS) :]).words.array()
    elif key == "given_prefix":
        vocab = _prefix_words(data).array()
    else:
        return codes.astype(str).astype(object)
    out: npt.NDArray[np.object_] = vocab[codes]
    return out


def sorted_neighbourhood(
    data: PreparedPair, key: str, *, window: int, dedupe: bool = False
) -> tuple[Int64Array, Int64Array]:
    """Pairs of records whose key values sit within ``window`` places of each other when
    both sides' values are sorted together: typo-heavy keys meet their near spellings
    ("frlf" next to "frl") without a block per exact value.

    ``dedupe`` (both sides one list): the list's values sorted once, each record meeting
    those within ``window`` places of it, each pair once, lower row first. (Sorted as two
    copies, a value's records sat each after its own copies and the other side's: tied
    records met only ``window`` places across that seam, and a shuffle met others.)"""
    sides = (0,) if dedupe else (0, 1)
    values = [key_values(data, s, key) for s in sides]
    text = np.concatenate([_key_text(data, key, v.codes) for v in values])
    rows = np.concatenate([v.rows for v in values])
    side = np.concatenate(
        [np.full(len(v.rows), s, dtype=np.int8) for s, v in zip(sides, values, strict=True)]
    )
    # Sort by text, then side and record id (its rank among both sides' ids), so that
    # the order never depends on the input order: tied values (a common name, a field's
    # one value) were ordered by row, and a shuffle met other neighbours.
    id_rank = dense_ranks([data.left[ID_FIELD], data.right[ID_FIELD]])
    ids = id_rank[rows + side.astype(np.int64) * data.sizes[0]]
    order = np.lexsort((ids, side, text.astype(str)))
    rows, side = rows[order], side[order]
    out_l: list[Int64Array] = []
    out_r: list[Int64Array] = []
    for offset in range(1, min(window, len(rows)) + 1):
        a, b = rows[: len(rows) - offset], rows[offset:]
        if dedupe:  # a record met again by another of its values is no pair
            other = a != b
            a, b = a[other], b[other]
            out_l.append(np.minimum(a, b))
            out_r.append(np.maximum(a, b))
            continue
        sa, sb = side[: len(side) - offset], side[offset:]
        cross = sa != sb
        a, b, first_left = a[cross], b[cross], sa[cross] == 0
        out_l.append(np.where(first_left, a, b))
        out_r.append(np.where(first_left, b, a))
    if not out_l:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(out_l), np.concatenate(out_r)


def _describe(data: PreparedPair, rule: Sequence[str], parts: Parts | None, code: int) -> str:
    """A block's key as a tracing officer reads it: each key's value, e.g.
    ``'muhammad + ali + born 1985-1989'`` (name classes, ``s:``/``p:`` sound keys)."""
    codes = key_parts(parts, code)
    return " + ".join(_key_label(data, key, c) for key, c in zip(rule, codes, strict=True))


_CLASS_KEYS = ("name_class", "given_class", "family_class")
_SOUND_KEYS = (
    "name_skeleton", "name_phonetic", "given_skeleton", "given_phonetic", "name_joined_skeleton",
)  # fmt: skip


def _key_label(data: PreparedPair, key: str, code: int) -> str:
    """One key's value, readable: a name part's class or sound key, a pair of them, a
    birth year or band, a folded field value."""

    def word(vocab: Vocabulary, value: int) -> str:
        return vocab[value] if 0 <= value < len(vocab) else f"#{value}"

    if key in _CLASS_KEYS:
        return word(data.classes, code)
    if key in _SOUND_KEYS:
        return word(data.keys, code)
    if key.startswith("name_pair_"):
        words = []
        for half in divmod(code, int(_WIDTH)):
            if key == "name_pair_any":  # typed parts: 3 * code + kind (class, skeleton, sound)
                value, kind = divmod(half, 3)
                words.append(word(data.classes if kind == 0 else data.keys, value))
            else:
                words.append(word(data.classes if key == "name_pair_class" else data.keys, half))
        return " + ".join(words)
    if key == "given_prefix":
        return word(_prefix_words(data), code) + "…"
    if key == "birth_year_mid":  # calendar years from 1970
        return f"born {code - 10_000 + 1970}"
    if key == "birth_date_unnamed":  # days from 1970, a named left record's past _NAMED_DAY
        return f"born {np.datetime64(code % _NAMED_DAY - _DAY_CODES, 'D')}"
    if key in ("birth_band", "birth_year"):
        # Years of 365 days from 1970 drift from the calendar's: name the calendar years
        # that the span covers for the most part.
        step = BAND_YEARS * YEAR if key == "birth_band" else YEAR
        start = (code - 10_000) * step
        first, last = year_of(start + YEAR // 2), year_of(start + step - 1 - YEAR // 2)
        if first is None or last is None:
            return f"{key}={code}"
        return f"born {first}" if first == last else f"born {first}-{last}"
    if key.startswith(CLASS):
        return word(data.classes, code)
    if key.startswith(ALIKE):  # 2 * code + kind: a class, or a sound key (p:)
        value, kind = divmod(code, 2)
        return word(data.keys, value) if kind else word(data.classes, value)
    if key.startswith(TOKENS):
        return word(data.token_table(key[len(TOKENS) :]).words, code)
    column = "sex" if key == "sex" else key[len("field:") :]
    return word(data.text_codes(column, fold=True)[2], code)
