"""Comparisons: pairs of records -> small integer comparison levels.

A comparison is an ordered list of levels: 0 is always "missing" (either side unknown;
weight 0), 1 is the weakest agreement ("different"), the highest is the strongest.
``levels`` works on whole arrays of pair indices: integer equality with numpy, string
similarity with rapidfuzz on each *distinct* pair of values once.
"""

from __future__ import annotations

import re
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow.compute as pc  # type: ignore[import-untyped]
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from rfl_match import kernels
from rfl_match.arrays import threaded
from rfl_match.bloom_filters import dice
from rfl_match.config import ComparisonSpec
from rfl_match.dates import MISSING, BirthIntervals
from rfl_match.mixture import FAMILY_COMPARISONS, OWN_NAME
from rfl_match.names.normalize import left_out_first_classes
from rfl_match.names.parts import kunya_opening
from rfl_match.names.variants import (
    fold_spelling,
    listed_classes,
    lookup_latin,
    nickname_names,
)
from rfl_match.prepare import (
    MAX_CHAIN,
    PERSON_COLUMNS,
    NameParts,
    PersonNames,
    PreparedPair,
    Vocabulary,
    name_column,
    text_column,
)
from rfl_match.schema import OTHER_SEX, blank_rows

Levels = npt.NDArray[np.int8]
Index = npt.NDArray[np.intp]
IntArray = npt.NDArray[np.int32]
YEAR = 365


def similarity(
    left: IntArray,
    right: IntArray,
    vocab: Vocabulary | Sequence[str],
    *,
    cutoff: float = 0.0,
    workers: int = 1,
) -> npt.NDArray[np.float32]:
    """Jaro–Winkler similarity of coded strings, each distinct code pair computed once.

    Codes of -1 (missing) give 0; equal codes give 1 without a string comparison. With a
    ``cutoff``, pairs that cannot reach it get 0 without a string comparison (the
    letter-count and prefix bound of :func:`rfl_match.kernels.may_reach`). On candidate
    pairs this skips most of the string work.
    """
    words = vocab if isinstance(vocab, Vocabulary) else Vocabulary(vocab)
    out = np.zeros(len(left), dtype=np.float32)
    rows, qa, qb = kernels.unequal_pairs(left, right, out)
    if not len(rows):
        return out
    found = kernels.distinct_pairs(qa, qb, len(words))
    if found is None:  # too many distinct words for a dense table: bound, then hash
        if cutoff > 0:
            reach = _may_reach(words, qa, qb, cutoff, workers)
            rows, qa, qb = rows[reach], qa[reach], qb[reach]
        if not len(rows):
            return out
        width = np.int64(max(len(words), 1))
        codes, uniques = pd.factorize(qa.astype(np.int64) * width + qb, sort=False)
        out[rows] = _jaro_winkler(words, uniques // width, uniques % width, cutoff, workers)[codes]
        return out
    inverse, first = found
    out[rows] = _similarities(words, qa[first], qb[first], cutoff, workers)[inverse]
    return out


def _similarities(
    words: Vocabulary, qa: IntArray, qb: IntArray, cutoff: float, workers: int
) -> npt.NDArray[np.float32]:
    """Jaro–Winkler of each pair of codes ``(qa[k], qb[k])`` (distinct pairs of known,
    unequal codes), 0 where the bound says it cannot reach ``cutoff``."""
    sims = np.zeros(len(qa), dtype=np.float32)
    ask = np.flatnonzero(_may_reach(words, qa, qb, cutoff, workers)) if cutoff > 0 else None
    if ask is None:
        sims[:] = _jaro_winkler(words, qa, qb, cutoff, workers)
    elif len(ask):
        sims[ask] = _jaro_winkler(words, qa[ask], qb[ask], cutoff, workers)
    return sims


def regrade(
    levels: Levels,
    table: Mapping[int, tuple[int, ...]],
    codes: tuple[IntArray, IntArray],
    li: Index,
    ri: Index,
    vocab: Vocabulary,
    thresholds: tuple[float, ...],
    *,
    workers: int = 1,
    distinct: bool = False,
) -> None:
    """In place: each pair at a level ``table`` names takes ``table[level][grade]``, its
    grade being how many of ``thresholds`` (ascending) the similarity of its per-record
    codes ``codes[0][li]``, ``codes[1][ri]`` reaches.

    The distinct pairs of codes of the pairs to grade are found in one pass over the
    pairs, the similarity sees each once, and a second pass reads each pair's grade from
    a table of the pairs of codes (nothing per pair is written but the levels).
    ``distinct``: each pair to grade is graded as it is, in one pass (:func:`_graded`),
    without the passes that find the distinct ones (a repeated pair of codes is compared
    again, to the same grade), where the pairs are distinct pairs of forms, as a
    :class:`Coded` comparison's are: their pairs of texts repeat little (at 10k, 0.5% of
    the family's, 14% of the name chains')."""
    a, b = codes
    pending = np.zeros(max(int(levels.max(initial=0)), *table) + 1, dtype=np.bool_)
    pending[list(table)] = True
    grid = np.arange(len(pending), dtype=np.int8)[:, None].repeat(len(thresholds) + 1, axis=1)
    for level, row in table.items():
        grid[level] = row
    if distinct:
        _graded(levels, pending, grid, codes, li, ri, vocab, thresholds, workers)
        return
    local = kernels.local_codes(a, len(vocab))[0], kernels.local_codes(b, len(vocab))[0]
    found = kernels.pending_code_pairs(levels, pending, *local, li, ri)
    if found is None:  # too many codes for a dense table: the similarity numbers them
        rows = np.flatnonzero(pending[levels])
        qa, qb = a[li[rows]], b[ri[rows]]
        sim = similarity(qa, qb, vocab, cutoff=thresholds[0], workers=workers)
        levels[rows] = grid[levels[rows], _grade(sim, thresholds)]
        return
    grades, first = found
    # Each distinct pair of codes' grade: a level 0 pending, graded through the identity.
    some = np.zeros(len(first), dtype=np.int8)
    identity = np.arange(len(thresholds) + 1, dtype=np.int8)[None, :]
    x, y = li[first], ri[first]
    _graded(some, np.ones(1, np.bool_), identity, codes, x, y, vocab, thresholds, workers)
    kernels.fill_code_pairs(grades, *local, li, ri, first, some)
    kernels.regrade(levels, pending, local, li, ri, grades, grid, workers=workers)


def _graded(
    levels: Levels,
    pending: npt.NDArray[np.bool_],
    grid: Levels,
    codes: tuple[IntArray, IntArray],
    x: Index,
    y: Index,
    vocab: Vocabulary,
    thresholds: tuple[float, ...],
    workers: int,
) -> None:
    """In place: each pair ``k`` at a level marked in ``pending`` takes
    ``grid[level, grade]``, its grade being how many of ``thresholds`` the similarity
    (:func:`similarity`, cutoff ``thresholds[0]``) of the words ``codes[0][x[k]]``,
    ``codes[1][y[k]]`` reaches: one pass decides the pairs that need no string
    comparison (:func:`kernels.grade_pairs`), Jaro–Winkler the rest."""
    cutoff = thresholds[0]
    unknown, equal = (int(_grade(np.array([s], np.float32), thresholds)[0]) for s in (0, 1))
    letters = (*vocab.letter_bags(), vocab.heads()) if cutoff > 0 else _NO_LETTERS
    rows = kernels.grade_pairs(
        levels, pending, grid, codes, x, y, letters, cutoff, unknown, equal, workers=workers
    )
    if len(rows):
        qa, qb = codes[0][x[rows]], codes[1][y[rows]]
        sim = _jaro_winkler(vocab, qa, qb, cutoff, workers)
        levels[rows] = grid[levels[rows], _grade(sim, thresholds)]


#: No letter bags: where the cutoff is not positive, no bound is read.
_NO_LETTERS = (
    np.zeros((0, 27), dtype=np.uint8),
    np.zeros(0, dtype=np.int32),
    np.zeros((0, 4), dtype=np.int32),
)


def _grade(sim: npt.NDArray[np.float32], thresholds: tuple[float, ...]) -> Levels:
    """How many of ``thresholds`` each similarity reaches (:func:`reaches`)."""
    grade = np.zeros(len(sim), dtype=np.int8)
    for t in thresholds:
        grade += reaches(sim, t)
    return grade


def reaches(sim: npt.NDArray[np.float32], threshold: float) -> npt.NDArray[np.bool_]:
    """Whether each similarity reaches ``threshold``, within
    :data:`~rfl_match.kernels.SIMILARITY_TOLERANCE` (a Jaro–Winkler of exactly 0.8 is
    computed as 0.7999999999999999)."""
    return sim >= threshold - kernels.SIMILARITY_TOLERANCE


def _may_reach(
    words: Vocabulary, qa: IntArray, qb: IntArray, cutoff: float, workers: int
) -> npt.NDArray[np.bool_]:
    bags, lengths = words.letter_bags()
    return kernels.may_reach(bags, lengths, words.heads(), qa, qb, cutoff, workers=workers)


def _jaro_winkler(
    words: Vocabulary,
    qa: npt.NDArray[np.integer[Any]],
    qb: npt.NDArray[np.integer[Any]],
    cutoff: float,
    workers: int,
) -> npt.NDArray[np.float32]:
    strings = words.array()
    sims: npt.NDArray[np.float32] = process.cpdist(
        strings[qa],
        strings[qb],
        scorer=JaroWinkler.normalized_similarity,
        score_cutoff=max(cutoff - kernels.SIMILARITY_TOLERANCE, 0.0) or None,
        workers=workers,
        dtype=np.float32,
    )
    return sims


#: Pairs per cell of a table of every pair of codes for :func:`code_levels` to fill the
#: whole table (a cell of codes no pair holds is compared for nothing).
_TABLE_SHARE = 8


@dataclass(frozen=True, slots=True)
class Coded:
    """A comparison whose level reads nothing but a code per record: the records that
    share a place or a father's name share its comparisons."""

    left: IntArray  # each left record's code, from -1
    right: IntArray  # each right record's
    levels_of: Callable[[Index, Index], Levels]  # the levels of pairs of records
    #: Whether numbering the distinct pairs of codes pays where a table of every pair of
    #: codes does not (else each pair is compared: a cheap comparison, such as equality).
    numbered: bool = True


def code_levels(
    coded: Sequence[Coded],
    li: Index,
    ri: Index,
    out: npt.NDArray[np.int8],
    columns: Sequence[int],
    *,
    workers: int = 1,
    hashed: dict[int, int] | None = None,
) -> None:
    """In place: ``out[:, columns[c]] = coded[c].levels_of(li, ri)``, each distinct pair of
    codes compared once.

    Where the codes are few beside the pairs, every pair of codes is compared (one record
    holding each code stands for it). Where they are more but a table of every pair of
    codes still fits, one pass over the pairs marks the pairs of codes met, for all such
    comparisons at once, and those are compared. Then one pass over the pairs reads each
    pair's levels from all the tables. Else the pairs of codes are hashed (or, where
    numbering does not pay, each pair is compared). ``hashed``: per column, how many
    distinct pairs of codes were hashed the last time (read to size the table, and
    updated)."""
    hashed = {} if hashed is None else hashed
    tabled: list[tuple[int, Coded, Levels]] = []
    marked: list[tuple[int, Coded]] = []
    hashing: list[tuple[int, Coded]] = []
    for column, one in zip(columns, coded, strict=True):
        a, b = one.left, one.right
        cells, width = kernels.code_pair_cells(a, b)
        if len(li) and cells * _TABLE_SHARE <= len(li):
            holder_a = np.zeros(cells // width, dtype=np.intp)
            holder_a[a + 1] = np.arange(len(a))
            holder_b = np.zeros(width, dtype=np.intp)
            holder_b[b + 1] = np.arange(len(b))
            x, y = np.repeat(holder_a, width), np.tile(holder_b, len(holder_a))
            tabled.append((column, one, one.levels_of(x, y)))
        elif one.numbered and kernels.dense_code_pairs(cells, len(li)):
            marked.append((column, one))
        elif one.numbered:  # too many codes for a dense table: hash the code pairs
            hashing.append((column, one))
        else:
            out[:, column] = one.levels_of(li, ri)
    # Each pair's number among the distinct pairs of codes, and a pair of each: a serial
    # pass a comparison, so several run at once (one a thread), and the levels of the
    # first hashed are compared while the others are hashed.
    numbered = threaded(
        lambda job: kernels.hashed_code_pairs(
            job[1].left, job[1].right, li, ri, expected=hashed.get(job[0], 0)
        ),
        hashing,
        workers,
    )
    for (column, one), (inverse, first) in zip(hashing, numbered, strict=True):
        hashed[column] = len(first)
        levels = one.levels_of(li[first], ri[first])
        kernels.take_column(levels, inverse, out, column, workers=workers)
        del inverse, first
    found = kernels.mark_code_pairs([(one.left, one.right) for _, one in marked], li, ri)
    for (column, one), (table, first) in zip(marked, found, strict=True):
        levels = one.levels_of(li[first], ri[first])
        kernels.fill_code_pairs(table, one.left, one.right, li, ri, first, levels)
        tabled.append((column, one, table))
    kernels.read_code_pairs(
        [(one.left, one.right) for _, one, _ in tabled], [table for _, _, table in tabled],
        li, ri, out, [column for column, _, _ in tabled], workers=workers,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class TermFrequencies:
    """Values whose frequency adjusts the weight of some levels: a pair agrees on a value
    where both its records hold it."""

    levels: tuple[int, ...]
    left: npt.NDArray[np.int32]  # each left record's value code, -1 where none
    right: npt.NDArray[np.int32]  # each right record's
    frequency: npt.NDArray[np.float64]  # share of records holding each code
    #: What the values are (:func:`term_counts`): ``freq:given``, ``freq:family``,
    #: ``freq:<parent column>`` (``freq:father_name``) or
    #: ``filter frequency:<column>``, also the key of ``frequency`` in the data's cache.
    key: str
    #: The records holding a value that the shares are over, each counted once (a
    #: dedupe's one list is both sides): how much the shares can say
    #: (``scoring.tf_share``): two records say nothing of how common their one name is.
    records: float


class Comparison(ABC):
    """One comparison: its levels' labels, and pairs -> levels."""

    def __init__(self, spec: ComparisonSpec) -> None:
        self.spec = spec

    @property
    def name(self) -> str:
        return self.spec.label

    @property
    @abstractmethod
    def labels(self) -> tuple[str, ...]:
        """Label of each level, index = level code; label 0 is "missing"."""

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        """Level of each pair ``(li[k], ri[k])``: a comparison that is not :meth:`coded`
        must say how."""
        if self.coded(data) is None:
            raise NotImplementedError(
                f"{type(self).__name__}: a comparison gives levels() or coded()"
            )
        levels: Levels = level_matrix([self], data, li, ri)[:, 0]
        return levels

    def coded(self, data: PreparedPair) -> Coded | None:
        """Where the level reads nothing but a code per record (then :meth:`adjust`):
        :func:`level_matrix` compares each distinct pair of codes once, in passes over
        the pairs shared with the other coded comparisons."""
        return None

    def adjust(self, data: PreparedPair, levels: Levels, li: Index, ri: Index) -> None:
        """In place, after the levels of :meth:`coded`: what reads more than the codes."""
        return None

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        """The columns whose distinct values :meth:`coded` and :meth:`levels` read, as
        :meth:`PreparedPair.read_ahead` takes them."""
        return ()

    def term_frequencies(self, data: PreparedPair) -> TermFrequencies | None:
        """Values that adjust the weight of exact agreements, if this comparison uses them."""
        return None

    @property
    def tf_levels(self) -> tuple[int, ...]:
        """The levels where a value's frequency counts (:meth:`term_frequencies`'
        ``levels``, with ``term_frequency`` set); () where none would."""
        return ()

    #: What those values are, as the explanation says their frequency ("a common name",
    #: "a rare encoding"): a name comparison's "name", else "value".
    frequency_of = "value"

    #: Phrases beyond the levels' labels, for pairs whose level reads better in other
    #: words (:meth:`phrase_levels`); code ``n_levels + i`` is ``notes[i]``.
    notes: tuple[str, ...] = ()

    def describe(self, code: int) -> str:
        """A level's label, or past the levels a note (:meth:`phrase_levels`)."""
        return self.labels[code] if code < self.n_levels else self.notes[code - self.n_levels]

    def phrase_levels(self, data: PreparedPair, li: Index, ri: Index, levels: Levels) -> Levels:
        """The codes :meth:`describe` words the pairs' ``levels`` by: the levels, but
        where a note says more (only comparisons with :attr:`notes` change any)."""
        return levels

    @property
    def n_levels(self) -> int:
        return len(self.labels)

    @property
    def graded(self) -> bool:
        """More than one level above "different": what the prior on m
        (``LinkConfig.em_m_prior``, matches mostly agree, graded) holds for. With one (sex,
        exact fields) its shape would give "different" a third of the matches: m is then
        the data's, with one match spread over the levels (``scoring.one_match``)."""
        return self.n_levels > 3

    @property
    def far_level(self) -> int | tuple[int, ...] | None:
        """The level (or levels, together) whose m EM holds at most at
        ``LinkConfig.far_birth_m``, if any: a level rare among true matches that relatives
        or namesakes fill."""
        return None

    @property
    def generation_level(self) -> int | None:
        """Of the :attr:`far_level` levels, one rarer still among true matches (births a
        generation apart), whose m EM holds at most at ``GENERATION_SHARE`` of that
        ceiling (``scoring.GENERATION_SHARE``), if any."""
        return None

    @property
    def ordered(self) -> bool:
        """Whether the levels above missing run from least to most agreement (a date's
        distance, a graded similarity, same or not), so that a weight should never fall
        from one to the next (``scoring.monotone_m``); not where levels are kinds of
        agreement (names: sounds alike, a truncation, given and family swapped)."""
        return False

    #: Pairs ``(level, above)`` of levels of kinds of agreement where ``level`` is the weaker
    #: evidence: its weight never exceeds ``above``'s (``scoring.bounded_m``), whatever EM
    #: reads among the candidates (a spelling one letter off is at best the same name).
    bounded_by: tuple[tuple[int, int], ...] = ()
    #: Of the levels a level of :meth:`term_frequencies` bounds (:attr:`bounded_by`), those
    #: of a near spelling or keys alike of a value: a pair there, which holds two values,
    #: weighs by the frequency of the more common of them, as Splink reads a fuzzy level's
    #: term frequency off the more frequent value. At the other levels it bounds (a swap,
    #: another order, a shortened form: another arrangement of the names, which no rare
    #: name makes likelier the same person's) that frequency only lowers the weight, so
    #: that the bound holds after it too (``linker._bounded_pairs``).
    near_levels: tuple[int, ...] = ()
    #: Whether m is one distribution over the unsplit levels in every group
    #: (:attr:`level_groups`), learned from all matches, and only u is learned per group
    #: (``scoring.expectation_maximisation``'s ``tied``).
    tied_m = False

    @property
    def level_groups(self) -> npt.NDArray[np.int8]:
        """Each level's group (0: missing): m and u sum to 1 within each group
        (``mixture.normalise``). One group but where a :class:`ConditionedComparison`
        splits the levels by another comparison's agreement."""
        out = np.ones(self.n_levels, dtype=np.int8)
        out[0] = 0
        return out

    @property
    def agreeing_level(self) -> int:
        """Where this comparison anchors a split (``LinkConfig.condition_on``), its lowest
        level that counts as agreeing: :data:`ANCHOR_LEVEL` ("names sound alike") for the
        name chains."""
        return ANCHOR_LEVEL

    @property
    def base_levels(self) -> npt.NDArray[np.int8]:
        """Each level's level of the comparison unsplit (what "agrees strongly" reads)."""
        return np.arange(self.n_levels, dtype=np.int8)


#: The comparisons a :class:`ConditionedComparison` splits by a family name's agreement
#: (``LinkConfig.condition_on``, all but the one it names): the given name, on which
#: siblings differ, what relatives share (``mixture.FAMILY_COMPARISONS``), and the
#: nationality, which a family shares too: unsplit, siblings agreeing on it weigh as
#: if that were rare among non-matches (synthetic 20,000 x 40,000, seed 5: the
#: unlabelled calibration's largest gap 0.050 unsplit, 0.035 split).
CONDITIONED_COMPARISONS = (OWN_NAME, *FAMILY_COMPARISONS, "nationality")
#: What models saved in format version 8 split (before the nationality was).
CONDITIONED_COMPARISONS_V8 = (OWN_NAME, *FAMILY_COMPARISONS)
#: The lowest level of a name-chain comparison that counts as agreeing for the split
#: ("names sound alike": a father's name spelt two ways still agrees).
ANCHOR_LEVEL = 4


def split_anchors(
    names: Sequence[str], anchor: str, level: int = ANCHOR_LEVEL, *, siblings: bool = False
) -> list[tuple[int, int] | None] | None:
    """Of a model's comparisons (``FellegiSunterModel.names``) split by ``anchor``'s
    agreement (``condition_on`` as a fit leaves it in ``Linker.config``), per comparison:
    the anchor's column and its lowest agreeing level (``level``: the anchor's
    :attr:`Comparison.agreeing_level`), or None where not split (the ``anchors`` of
    ``calibration.fit_on_comparisons``); None where none is split. ``siblings``: the
    birth is split by a brother's or sister's pattern too
    (:class:`SiblingConditionedComparison`, the given name its anchor's column; a model
    fitted since, whose ``training_`` says ``births_split_by_siblings``).

    >>> split_anchors(["given_name", "family_name", "birth"], "family_name")
    [(1, 4), None, None]
    >>> split_anchors(["given_name", "birth"], "family_name") is None
    True
    """
    if anchor not in names:
        return None
    column = list(names).index(anchor)
    out: list[tuple[int, int] | None] = [
        (column, level) if name in CONDITIONED_COMPARISONS and name != anchor else None
        for name in names
    ]
    if siblings and anchor == "family_name" and OWN_NAME in names and "birth" in names:
        out[list(names).index("birth")] = (list(names).index(OWN_NAME), 0)
    return out if any(out) else None


#: Each built-in comparison's name as a tracing officer reads it (explanations; a split
#: level names its anchor so: "different, family names alike").
TITLES = {
    "given_name": "given name",
    "family_name": "family name",
    "birth": "birth",
    "sex": "sex",
    "father_name": "father's name",
    "mother_name": "mother's name",
    "grandfather_name": "grandfather's name",
    "place_of_birth": "place of birth",
    "place_of_origin": "place of origin",
    "last_known_location": "last known location",
    "nationality": "nationality",
    "combination": "combination",
    "name_bloom": "name (encoded)",
    "father_name_bloom": "father's name (encoded)",
    "mother_name_bloom": "mother's name (encoded)",
}


class ConditionedComparison(Comparison):
    """A comparison whose levels are split by whether another one (the anchor: a family
    name, the better one measured, or a parent's or grandfather's name) agrees: its
    levels as they are, then each again "family names alike". m and u sum to 1 within each
    half (:attr:`level_groups`), so a pair's weight on it is log2 of P(level | the anchor
    agrees or not, match) over the same among non-matches: the chain rule, not
    independence. The effect is mostly on the given name's "different" level, which
    weighs -4.0 to -4.3 with the anchor agreeing; the others move less (10,000 a side,
    father_name anchor, top level unsplit -> anchor agreeing: mother's name +4.7 -> +4.4,
    place of birth +5.1 -> +4.6, place of origin +5.2 -> +4.5, family name +1.7 -> +0.5;
    family_name anchor, grandfather's name +3.0 -> +1.7; review of df1e412, m20/halves.py).

    The anchor's own column is read from the level matrix (:func:`level_matrix`):
    without it, every pair is in the first half. ``anchor_agreeing``: the anchor's
    :attr:`Comparison.agreeing_level`.
    """

    def __init__(self, inner: Comparison, anchor: str, anchor_agreeing: int = ANCHOR_LEVEL) -> None:
        super().__init__(inner.spec)
        self.inner = inner
        self.anchor = anchor
        self.anchor_agreeing = anchor_agreeing

    @property
    def labels(self) -> tuple[str, ...]:
        inner = self.inner.labels
        # Plain words: at 10,000 a side (family_name anchor) about 1% of the non-matches
        # at "different, family names alike" are of one family, and "similar spelling,
        # family names alike" weighs toward a match; neither level says "sibling".
        return (*inner, *(label + self._agreeing for label in inner[1:]))

    @property
    def _agreeing(self) -> str:
        """What the second half adds to a level's words: the anchor "alike", true of
        every level from :attr:`anchor_agreeing` up (names that sound alike, in another
        order or one shortened, as well as the same)."""
        noun = TITLES.get(self.anchor, self.anchor.replace("_", " "))
        return f", {noun}s alike"

    @property
    def labels_before(self) -> tuple[str, ...]:
        """The labels as a model saved before the second half said "alike" holds them
        (", same family name", though the names might only sound alike): such a model
        loads with these read as :attr:`labels`."""
        noun = TITLES.get(self.anchor, self.anchor.replace("_", " "))
        inner = self.inner.labels
        return (*inner, *(f"{label}, same {noun}" for label in inner[1:]))

    @property
    def offset(self) -> int:
        """What a pair's level gains where the anchor agrees."""
        return self.inner.n_levels - 1

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        return self.inner.levels(data, li, ri)

    def coded(self, data: PreparedPair) -> Coded | None:
        return self.inner.coded(data)

    def adjust(self, data: PreparedPair, levels: Levels, li: Index, ri: Index) -> None:
        self.inner.adjust(data, levels, li, ri)

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        return self.inner.reads()

    @property
    def notes(self) -> tuple[str, ...]:  # type: ignore[override]
        """The inner comparison's, then each again for a pair whose anchor agrees."""
        return (*self.inner.notes, *(note + self._agreeing for note in self.inner.notes))

    def phrase_levels(self, data: PreparedPair, li: Index, ri: Index, levels: Levels) -> Levels:
        inner = self.inner.phrase_levels(data, li, ri, self.base_levels[levels])
        noted = inner >= self.inner.n_levels
        agreeing = np.where(levels >= self.inner.n_levels, len(self.inner.notes), 0)
        note = inner - self.inner.n_levels + self.n_levels + agreeing
        return np.where(noted, note, levels).astype(np.int8)

    @property
    def ordered(self) -> bool:
        return self.inner.ordered

    @property
    def frequency_of(self) -> str:  # type: ignore[override]
        return self.inner.frequency_of

    def term_frequencies(self, data: PreparedPair) -> TermFrequencies | None:
        found = self.inner.term_frequencies(data)
        if found is None:
            return None
        return replace(found, levels=self.tf_levels)

    @property
    def tf_levels(self) -> tuple[int, ...]:
        """The inner comparison's, in each half."""
        inner = self.inner.tf_levels
        return inner + tuple(level + self.offset for level in inner)

    @property
    def graded(self) -> bool:
        return self.inner.graded

    @property
    def level_groups(self) -> npt.NDArray[np.int8]:
        out = np.full(self.n_levels, 2, dtype=np.int8)
        out[: self.inner.n_levels] = self.inner.level_groups
        return out

    @property
    def bounded_by(self) -> tuple[tuple[int, int], ...]:  # type: ignore[override]
        """The inner comparison's bounds, in each half."""
        inner = self.inner.bounded_by
        return (*inner, *((a + self.offset, b + self.offset) for a, b in inner))

    @property
    def near_levels(self) -> tuple[int, ...]:  # type: ignore[override]
        """The inner comparison's, in each half."""
        inner = self.inner.near_levels
        return (*inner, *(level + self.offset for level in inner))

    @property
    def base_levels(self) -> npt.NDArray[np.int8]:
        inner = np.arange(self.inner.n_levels, dtype=np.int8)
        return np.concatenate([inner, inner[1:]])

    @property
    def agreeing_level(self) -> int:
        return self.inner.agreeing_level

    def unsplit(
        self, dist: npt.NDArray[np.float64], anchor: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """A distribution over this comparison's levels (each half summing to 1) read as
        one over its unsplit levels: each half weighed by the anchor's distribution
        ``anchor``'s share of agreeing (of its known levels). What a random pair's
        agreement rate on a value reads (term frequencies)."""
        known = float(anchor[1:].sum())
        share = float(anchor[self.anchor_agreeing :].sum()) / known if known > 0 else 0.0
        out = np.zeros(self.inner.n_levels)
        out[1:] = (1.0 - share) * dist[1 : self.inner.n_levels] + share * dist[
            self.inner.n_levels :
        ]
        return out


#: The comparisons whose agreement, with the family name's, marks a pair as a brother's or
#: sister's where the given names are different (:class:`SiblingConditionedComparison`).
PARENT_COMPARISONS = ("father_name", "mother_name")


class SiblingConditionedComparison(ConditionedComparison):
    """A comparison (the birth) whose levels are split by whether the pair reads as a
    brother's or sister's: the given names different where the family names agree
    ("different, family names alike") and the father's or the mother's name is one name in
    both records (by variant class or spelling: :func:`_same_parents`'s test). Among
    non-matches so alike, the births are siblings' (a twin's the same day); among
    matches, births agree as elsewhere. Unsplit, a twin's birth on the same day weighed
    as if that were as rare among non-matches as among strangers (+9.6 bits on the twins'
    draw of the quality suite), on top of the family's agreements.

    The anchor is the given name's column; which pairs count is read from the level
    matrix (:meth:`siblings`), after the split by the family name.
    """

    def __init__(self, inner: Comparison) -> None:
        super().__init__(inner, OWN_NAME, 0)

    #: A match's birth agrees as well whether or not its given names read different (a
    #: transliteration, a nickname): m is learned from all matches, u per half. Learned
    #: per half from the few matches there, EM's m spread toward births years apart
    #: (siblings it counted as matches).
    tied_m = True

    @property
    def _agreeing(self) -> str:
        # Not "..., names alike": the words of the family name's split, which a model
        # saved before they were read (labels_before) wrote ", same ...".
        return ", given names different, family and a parent's name the same"

    @property
    def labels_before(self) -> tuple[str, ...]:
        return self.labels

    def siblings(
        self, levels: npt.NDArray[np.int8], comparisons: Sequence[Comparison]
    ) -> npt.NDArray[np.bool_] | None:
        """Per row of a level matrix split by the family name: whether it reads as a
        brother's or sister's; None where the comparisons cannot tell (no given name split
        by the family name, no parent's name)."""
        names = [c.name for c in comparisons]
        given = comparisons[names.index(OWN_NAME)] if OWN_NAME in names else None
        if not isinstance(given, ConditionedComparison):
            return None
        parents = [
            (names.index(p), comparisons[names.index(p)])
            for p in PARENT_COMPARISONS
            if p in names and isinstance(comparisons[names.index(p)], ConditionedComparison)
        ]
        if not parents:
            return None
        found = np.zeros(len(levels), dtype=np.bool_)
        for column, parent in parents:
            assert isinstance(parent, ConditionedComparison)
            found |= levels[:, column] >= parent.offset + parent.inner.n_levels - 2
        found &= levels[:, names.index(OWN_NAME)] == given.offset + kernels.DIFFERENT
        return found

    @property
    def far_level(self) -> int | tuple[int, ...] | None:
        return self.inner.far_level

    @property
    def generation_level(self) -> int | None:
        return self.inner.generation_level

    def unsplit(
        self, dist: npt.NDArray[np.float64], anchor: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """The first half's: siblings are too few among random pairs to move it."""
        out = np.zeros(self.inner.n_levels)
        out[1:] = dist[1 : self.inner.n_levels]
        return out


def _select(conditions: list[npt.NDArray[np.bool_]], n: int) -> Levels:
    """Level codes from conditions listed strongest first, the last level being 1
    (different); ``conditions[0]`` is the missing mask."""
    out = np.ones(n, dtype=np.int8)
    top = len(conditions)  # strongest level code
    # Write weakest first so that stronger conditions overwrite.
    for code in range(2, top + 1):
        out[conditions[top - code + 1]] = code
    out[conditions[0]] = 0
    return out


#: The words of a person's name comparison (the given name's, the family name's) for
#: "missing" where a record has no name of its own at all (blank, or only placeholders:
#: "Unknown", "N/A", placeholders.tsv): no name was compared, and the pair scores on the
#: other fields alone, to 0.9999 where they all agree. Neither record, then one.
NAMELESS_NOTES = (
    "not compared: neither record has a name",
    "not compared: one record has no name",
)


#: The words of an encoded name's comparison (:class:`BloomComparison`) for "missing": a
#: record holds no filter (or one with no bit set). The linking party cannot tell why (a
#: blank name, a placeholder, a name that names the father, which the encoder leaves out:
#: ``privacy.encode_records``), only that no name was encoded. Neither record, then one.
UNENCODED_NOTES = (
    "not compared: no name encoded in either record",
    "not compared: no name encoded in one record",
)


#: The words of a pair whose given names are different where the family names agree (as
#: the split reads them: "family names alike") and the father's name, the mother's or both
#: are one name (by its variant class or its spelling) in both records: a brother, a sister
#: or a twin fills that level, whose agreeing parents and places weigh as a match's
#: (:func:`_same_parents`). A question: a true pair's given names read different too,
#: where one record writes the name in another script or order.
SIBLING_NOTES = (
    "different (the same father's and mother's names: a brother or sister?)",
    "different (the same father's name: a brother or sister?)",
    "different (the same mother's name: a brother or sister?)",
)


def _same_parents(
    data: PreparedPair, li: Index, ri: Index
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per pair, whether its family names agree (from "names sound alike" up, as a split
    by the family name reads them) and its father's name is the same name in both records
    ("same name, different spelling" or "same spelling"), and the same of the mother's.
    A parent that either record lacks agrees nowhere."""
    family = FamilyNameComparison(ComparisonSpec("name", "family_name"))
    rows = np.flatnonzero(family.levels(data, li, ri) >= family.agreeing_level)
    same = []
    for field in ("father_name", "mother_name"):
        found = np.zeros(len(li), dtype=np.bool_)
        if len(rows) and all(data.column(side, field) is not None for side in (0, 1)):
            parent = NameChainComparison(ComparisonSpec(field, "name"))
            found[rows] = parent.levels(data, li[rows], ri[rows]) >= parent.n_levels - 2
        same.append(found)
    return same[0], same[1]


def _nameless(
    data: PreparedPair, li: Index, ri: Index, levels: Levels, out: Levels, at: int
) -> None:
    """In place: the phrase codes ``out`` of the pairs whose name is missing for want of
    any name in both records (code ``at``) or in one (``at + 1``), :data:`NAMELESS_NOTES`."""
    a = data.person_names(0).length[li] == 0
    b = data.person_names(1).length[ri] == 0
    _say_none(a, b, levels, out, at)


def _say_none(
    a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_], levels: Levels, out: Levels, at: int
) -> None:
    """In place: the phrase codes ``out`` of the missing pairs where both records lack
    the value (``a``, ``b`` per pair: code ``at``) or one does (``at + 1``)."""
    missing = levels == kernels.MISSING
    out[missing & a & b] = at
    out[missing & (a != b)] = at + 1


class GivenNameComparison(Comparison):
    """The person's given name (first name part), with a level for given/family swapped."""

    frequency_of = "name"

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        return tuple(name_column(column) for column in PERSON_COLUMNS)

    labels = (
        "missing",
        "different",
        "similar spelling",
        "given and family name swapped",
        "very similar spelling",
        "sounds alike",
        "same name, different spelling",
        "same spelling",
    )
    tf_levels = (6, 7)
    #: Keys of this many consonants or fewer are short: many names share them (Hosina,
    #: Zawwin, Husna: "sn"), and two names that share one and no longer key or class sound
    #: alike only where their spellings are also this alike (Jaro–Winkler: Hosina and Hasina
    #: 0.90, Hasina and Hosne 0.73; Hosina and Zawwin 0.56; at most 0.80, "similar
    #: spelling"). On the quality suite's candidates, 956 pairs sounding alike by a short
    #: key were spelt less alike than 0.6; 3 were true pairs. Its F1 with the floor at 0.6 /
    #: 0.65 / 0.7 / 0.75 / 0.8: 0.9058 / 0.9060 / 0.9051 / 0.9049 / 0.9041 (shortkeys45).
    short_key = 2
    short_key_spelling = 0.65
    #: The level of a given name that is the second part of the other's compound given
    #: name (:func:`_second_part_of`): names alike, as a nickname is, not the same name.
    part_level = kernels.GIVEN_ALIKE
    #: A spelling near the other's (similar, very similar), the two swapped, or keys alike
    #: weigh at most as variants of one name do, also once the name's frequency adjusts
    #: both (:attr:`near_levels`; DOMAIN.md: Khalid / Khalil, Muhammad / Mahmoud are other
    #: names). On synthetic data, where a typo is mostly a true pair's,
    #: EM weighed "very similar spelling" +7.1 bits against -0.7 for "same name, different
    #: spelling": Hassan against Hassanein scored 0.999, Hassan against حسن 0.913.
    bounded_by = ((2, 6), (3, 6), (4, 6), (5, 6))
    #: Similar or very similar spelling, sounds alike; not the swap.
    near_levels = (2, 4, 5)
    # "missing" of a pair whose given names are a kunya and a given name (kernels.given_ranks),
    # or an initial and a name it opens; "different" of one whose first given names agree
    # and second ones differ (:meth:`levels`), or of one whose family names and a parent's
    # name agree (:func:`_same_parents`); "missing" of records with no name at all
    notes = (
        "a kunya (Abu X, Umm X: a name taken from a child's) against a given name",
        "an initial against a name it may stand for",
        "the same first name, but the second given names differ",
        "one is a nickname the other name may go by",
        "one given name is the second part of the other's compound given name",
        *SIBLING_NOTES,
        *NAMELESS_NOTES,
    )

    def __init__(self, spec: ComparisonSpec) -> None:
        super().__init__(spec)
        #: Whether two given-name fields whose first parts agree and second parts differ
        #: read "different" (:func:`_second_given_differs`): a model saved before it was
        #: (``Linker.load``) compares as it was fitted.
        self.second_given = True

    def phrase_levels(self, data: PreparedPair, li: Index, ri: Index, levels: Levels) -> Levels:
        # each note's phrase code, after the levels' own (Comparison.describe)
        code = {note: self.n_levels + k for k, note in enumerate(self.notes)}
        a, b = data.person_names(0), data.person_names(1)
        missing = (levels == kernels.MISSING) & (a.first_token[li] >= 0) & (b.first_token[ri] >= 0)
        kunya = missing & (a.kunya[li] != b.kunya[ri])
        initial = missing & ~kunya & _initial_opens(data, li, ri)
        out = np.where(kunya, code[self.notes[0]], levels)
        out = np.where(initial, code[self.notes[1]], out)
        if self.second_given:
            rows = np.flatnonzero(levels == kernels.DIFFERENT)
            same_first = _first_given_agrees(data, li[rows], ri[rows])
            rows = rows[same_first]
            out[rows[_second_given_differs(data, li[rows], ri[rows])]] = code[self.notes[2]]
        out[_nicknamed(data, li, ri, levels, kernels.GIVEN_ALIKE)] = code[self.notes[3]]
        out[_second_part_of(data, li, ri, levels, self.part_level)] = code[self.notes[4]]
        rows = np.flatnonzero(out == kernels.DIFFERENT)
        if len(rows):
            father, mother = _same_parents(data, li[rows], ri[rows])
            both, father_only, mother_only = (code[note] for note in SIBLING_NOTES)
            out[rows[father & mother]] = both
            out[rows[father & ~mother]] = father_only
            out[rows[mother & ~father]] = mother_only
        _nameless(data, li, ri, levels, out, code[NAMELESS_NOTES[0]])
        return out.astype(np.int8)

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        a = data.person_names(0)
        b = data.person_names(1)
        first_a, first_b = a.first_token, b.first_token
        levels = kernels.given_ranks(
            _given_keys(data, 0), _given_keys(data, 1), li, ri, workers=data.workers
        )
        # Below "sounds alike" the spelling decides: very similar (4), else swapped (3)
        # stays, else similar (2).
        swapped = kernels.GIVEN_SWAPPED
        table = {kernels.DIFFERENT: (kernels.DIFFERENT, 2, 4), swapped: (swapped, swapped, 4)}
        codes = (first_a, first_b)
        regrade(levels, table, codes, li, ri, data.tokens, (0.80, 0.92), workers=data.workers)
        # Sounding alike by a short key alone, two names are alike only where they are also
        # spelt near (Hasina, Hosina), else different (Hosina, Zawwin: "sn" both) or
        # swapped: spelt less alike than the floor, under 0.80, no spelling level applies.
        # These pairs are few (7% of the candidates at 100k a side): read as a subset.
        rows = np.flatnonzero(levels >= kernels.GIVEN_SHORT_ALIKE)
        if len(rows):
            floor = self.short_key_spelling
            qa, qb = first_a[li[rows]], first_b[ri[rows]]
            sim = similarity(qa, qb, data.tokens, cutoff=floor, workers=data.workers)
            otherwise = np.where(
                levels[rows] == kernels.GIVEN_SHORT_SWAPPED, swapped, kernels.DIFFERENT
            )
            levels[rows] = np.where(reaches(sim, floor), kernels.GIVEN_ALIKE, otherwise)
        # Two listed names of two classes are different names, however alike they are
        # spelt (DOMAIN.md: Muhammad / Mahmoud, Hassan / Hassanein): not graded above.
        levels[levels == kernels.GIVEN_LISTED_APART] = kernels.DIFFERENT
        # An initial against a name it opens ("M. Ali" and "Mohammed Ali") says nothing of
        # the given name: missing, not different (which weighs as a veto, -7 bits).
        if _initials(data, 0).any() or _initials(data, 1).any():
            rows = np.flatnonzero(levels == kernels.DIFFERENT)
            levels[rows[_initial_opens(data, li[rows], ri[rows])]] = kernels.MISSING
        # A nickname against a name it may stand for (Hamoudi: Muhammad, Yoni: Yohannes,
        # Vitya: Viktor; nicknames.tsv): names alike, never the same name.
        levels[_nicknamed(data, li, ri, levels, kernels.DIFFERENT)] = kernels.GIVEN_ALIKE
        # One given name the second part of the other's compound given name (Zaman of
        # Mohammad Zaman, José of María José): a child called by one part of it.
        levels[_second_part_of(data, li, ri, levels, kernels.DIFFERENT)] = self.part_level
        # Not given and family name swapped where the other's given name is the second part
        # (Mohd Zaman Ahmadzai against Zaman Ahmadzai: Mohd and Ahmadzai share a key, "md",
        # and Zaman, the first part after Mohd, is the other's given name).
        levels[_second_part_of(data, li, ri, levels, kernels.GIVEN_SWAPPED)] = self.part_level
        # The same first name, other second given names (María José, María Fernanda;
        # Mohammad Zaman, Mohammad Nabi): siblings are told apart by the second.
        if self.second_given:
            rows = np.flatnonzero(levels >= kernels.GIVEN_SAME_CLASS)
            levels[rows[_second_given_differs(data, li[rows], ri[rows])]] = kernels.DIFFERENT
        # Two records that both write the Vietnamese marks, and write them otherwise on the
        # given name (Hùng, Hưng; Dũng, Dung): two names alike, not one name.
        rows = _marked_apart(data, li, ri, levels, kernels.GIVEN_SAME_CLASS, "given")
        levels[rows] = kernels.GIVEN_ALIKE
        return levels

    def term_frequencies(self, data: PreparedPair) -> TermFrequencies | None:
        if not self.spec.term_frequency:
            return None
        ca = np.ascontiguousarray(data.person_names(0).given_classes)
        cb = np.ascontiguousarray(data.person_names(1).given_classes)
        key = "freq:given"
        frequency, records = _frequency(data, key, ca, cb, len(data.classes))
        return TermFrequencies(self.tf_levels, ca, cb, frequency, key, records)


class FamilyNameComparison(Comparison):
    """The rest of the person's name: family names, or a patronymic chain.

    Order matters: in a chain (Somali, Arabic, Habesha) "Farah Hassan" and "Hassan Farah"
    are different generations, so same names in another order rank below a truncation.
    """

    frequency_of = "name"

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        return tuple(name_column(column) for column in PERSON_COLUMNS)

    labels = (
        "missing",
        "different",
        "one name in common",
        "similar spelling",
        "names sound alike",
        "same names, other order",
        "one name is a shortened form of the other",
        "same names",
    )
    tf_levels = (7,)
    #: Same names in another order weigh at most as a shortened form, which weighs at most
    #: as the same names, and so do a near spelling and names alike (``scoring.bounded_m``).
    #: On synthetic data, whose "reorder" corruption reorders chains too, EM weighed "other
    #: order" +5.7 bits against +4.4 for "same names": Abdi Farah Hassan, another
    #: generation, scored above Abdi Hassan Farah himself.
    bounded_by = ((5, 6), (6, 7), (4, 7), (3, 7))
    #: Similar spelling, names sound alike; not another order or a shortened form.
    near_levels = (3, 4)
    # "shortened" of a pair whose family name fields agree, one full name holding a name
    # between them (:func:`_father_left_out`); "missing" of records with no name at all
    notes = (
        "same family name; one full name adds a name before it (a father's or a middle name)",
        *NAMELESS_NOTES,
    )

    def phrase_levels(self, data: PreparedPair, li: Index, ri: Index, levels: Levels) -> Levels:
        out = levels.copy()
        at = _one_side_middle(
            data, li, ri, levels, above=kernels.TRUNCATED - 1, below=kernels.TRUNCATED + 1
        )
        if len(at):
            x, y = li[at], ri[at]
            a, b = data.person_names(0), data.person_names(1)
            rows = np.arange(len(at))
            chains = kernels.chain_ranks(
                a.family_parts(x).packed, b.family_parts(y).packed, rows, rows,
                workers=data.workers,
            )  # fmt: skip
            fields = _field_ranks(data, x, y)
            out[at[(chains < kernels.TRUNCATED) & (fields >= kernels.TRUNCATED)]] = self.n_levels
        _nameless(data, li, ri, levels, out, self.n_levels + 1)
        return out

    def coded(self, data: PreparedPair) -> Coded | None:
        a = data.person_names(0)
        b = data.person_names(1)

        (forms_a, table_a, sign_a, free_a, chain_a), (forms_b, table_b, sign_b, free_b, chain_b) = (
            _family_forms(data, 0),
            _family_forms(data, 1),
        )
        rows_a, rows_b = forms_a.astype(np.intp), forms_b.astype(np.intp)  # gathered as rows
        # the forms without their first parts (_without_middle's), made once, not per chunk
        shorn: dict[tuple[int, int], IntArray] = data._cache.setdefault("family forms shorn", {})

        def chains(li: Index, ri: Index) -> Levels:
            # The family parts are read per distinct form, by each record's form.
            qa, qb = rows_a[li], rows_b[ri]
            levels = kernels.chain_ranks(
                table_a, table_b, qa, qb, workers=data.workers, signatures=(sign_a, sign_b)
            )
            _without_middle(
                levels, (table_a, table_b), (free_a, free_b), (chain_a, chain_b), qa, qb,
                data.workers, shorn,
            )  # fmt: skip
            # Below "sounds alike": a similar spelling of the whole family part (3). The
            # pairs are distinct pairs of forms, and a form holds its text.
            table = {level: (level, 3) for level in range(kernels.MISSING + 1, kernels.SOUNDS)}
            codes = (a.text, b.text)
            regrade(
                levels, table, codes, li, ri, data.texts, (0.9,), workers=data.workers,
                distinct=True,
            )  # fmt: skip
            return levels

        # Family names repeat (relatives, common chains): each distinct pair once.
        return Coded(forms_a, forms_b, chains)

    def adjust(self, data: PreparedPair, levels: Levels, li: Index, ri: Index) -> None:
        compounds = _compound_family(data, levels, li, ri)
        _run_together(data, levels, li, ri, compounds)
        _swapped_family(data, levels, li, ri)
        _father_left_out(data, levels, li, ri)
        # both records write the Vietnamese marks, and a family part otherwise (Văn, Vân)
        levels[_marked_apart(data, li, ri, levels, kernels.REORDERED, "family")] = kernels.SOUNDS

    def term_frequencies(self, data: PreparedPair) -> TermFrequencies | None:
        if not self.spec.term_frequency:
            return None
        ca = data.person_names(0).family_classes
        cb = data.person_names(1).family_classes
        key = "freq:family"
        frequency, records = _frequency(data, key, ca, cb, len(data.classes))
        return TermFrequencies(self.tf_levels, ca, cb, frequency, key, records)


def _marked_apart(
    data: PreparedPair, li: Index, ri: Index, levels: Levels, above: int, part: str
) -> Index:
    """The pairs (rows of ``li`` and ``ri``) at ``above`` or over whose records both write
    the Vietnamese marks (:meth:`PreparedPair.vietnamese_marks`) and write a syllable of the
    name part compared (``part``: "given", the given name's token; "family", the family
    part's text; else a name column, a parent's name, whose own marks are read) each
    otherwise: Hùng and Hưng, Văn and Vân. Where either writes no marks (Hung), or the
    part holds no syllable both mark, the pair is not among them. The few pairs of two
    marked records are read per distinct pair of marks and parts."""
    none = np.zeros(0, dtype=np.intp)
    columns = PERSON_COLUMNS if part in ("given", "family") else (part,)
    left, right = data.vietnamese_marks(0, columns), data.vietnamese_marks(1, columns)
    if left is None or right is None:
        return none
    (codes_a, marks_a), (codes_b, marks_b) = left, right
    rows = np.flatnonzero((levels >= above) & (codes_a[li] >= 0) & (codes_b[ri] >= 0))
    if not len(rows):
        return none
    if part in ("given", "family"):
        a, b = data.person_names(0), data.person_names(1)
        words_a, words_b, vocabulary = (
            (a.first_token, b.first_token, data.tokens)
            if part == "given"
            else (a.text, b.text, data.texts)
        )
    else:  # each record's name's text
        forms_a, forms_b = data.form_arrays(0, part), data.form_arrays(1, part)
        words_a, words_b = forms_a.text[forms_a.codes], forms_b.text[forms_b.codes]
        vocabulary = data.texts
    x, y = li[rows], ri[rows]
    keys = np.stack([codes_a[x], codes_b[y], words_a[x], words_b[y]], axis=1)
    distinct, inverse = np.unique(keys, axis=0, return_inverse=True)
    apart = np.zeros(len(distinct), dtype=bool)
    for k, (ma, mb, wa, wb) in enumerate(distinct.tolist()):
        if wa >= 0 and wb >= 0:
            wrote_a, wrote_b = marks_a[ma], marks_b[mb]
            shared = set(vocabulary[wa].split()) & set(vocabulary[wb].split())
            apart[k] = any(
                r in wrote_a and r in wrote_b and wrote_a[r].isdisjoint(wrote_b[r]) for r in shared
            )
    out: Index = rows[apart[inverse.reshape(-1)]]
    return out


def _compound_family(
    data: PreparedPair, levels: Levels, li: Index, ri: Index
) -> npt.NDArray[np.intp]:
    """In place, :meth:`FamilyNameComparison.adjust` of a compound given name written split
    on one side ("Noor Ahmad Haidari") and as one word on the other ("Noorahmad Haidari"),
    or whose first element the other leaves out (a full name alone that opens with one
    records often leave out, "Mohammad Zaman Ahmadzai", against "Zaman Ahmadzai":
    :func:`_second_part_of`): that side's family name starts after both halves
    (:attr:`PersonNames.compound_rest`), not at the second. Its parts are ranked again;
    the spelling of the family text as written (level 3) is not graded again (the split
    side's text holds the second half). Returns the pairs ranked again (which
    :func:`_run_together` leaves as they are)."""
    none = np.zeros(0, dtype=np.intp)
    may_a, may_b = _compound_records(data)
    # few: most compounds are no one's name
    maybe = kernels.flagged_pairs(
        li, ri, may_a.view(np.uint8), may_b.view(np.uint8), both=1, workers=data.workers
    )
    # and the pairs whose one side's first element the other leaves out (few, too)
    lead_a, lead_b = _dropped_first_records(data)
    left_out, left_out_sides = none, np.zeros(0, dtype=np.int8)
    if lead_a.any() or lead_b.any():
        rows = kernels.flagged_pairs(
            li, ri, lead_a.view(np.uint8), lead_b.view(np.uint8), either=1, workers=data.workers
        )
        read = _second_part_sides(data, li[rows], ri[rows])
        left_out, left_out_sides = rows[read > 0], read[read > 0]
        if len(left_out):  # both ascending (flagged_pairs' rows): a merge, no sort
            maybe = kernels.merge_unique(maybe, left_out).astype(np.intp, copy=False)
    if not len(maybe):
        return none
    a, b = data.person_names(0), data.person_names(1)
    x, y = li[maybe], ri[maybe]
    first_a, first_b = a.parts.skeletons[x, 0], b.parts.skeletons[y, 0]
    joined_a, joined_b = a.compound[x], b.compound[y]
    # the side that splits it (1: a, 2: b), where the first parts' keys differ
    sides = np.select(
        [
            first_a == first_b,
            (joined_a >= 0) & (joined_a == first_b),
            (joined_b >= 0) & (joined_b == first_a),
        ],
        [0, 1, 2],
        0,
    )
    sides[np.searchsorted(maybe, left_out)] = left_out_sides
    found = sides > 0
    if not found.any():
        return none
    at, x, y, side = maybe[found], x[found], y[found], sides[found]
    start_a = np.where(side == 1, a.compound_rest[x], a.family_start[x])
    start_b = np.where(side == 2, b.compound_rest[y], b.family_start[y])
    rows = np.arange(len(at))
    levels[at] = kernels.chain_ranks(
        a.parts.take(x).shifted(start_a).packed,
        b.parts.take(y).shifted(start_b).packed,
        rows,
        rows,
        workers=data.workers,
    )
    return at


def _father_left_out(data: PreparedPair, levels: Levels, li: Index, ri: Index) -> None:
    """In place, :meth:`FamilyNameComparison.adjust` of a pair where one side's full name
    holds names between its given and family name fields (:attr:`PersonNames.middle`: a
    father's name, Ali in "Omar Ali Hassan", given Omar, family Hassan) and the other's
    holds none ("Omar Hassan", or the fields alone), both with a family name field: where
    the two family name fields give one name, or one a shortened form of the other's
    (either side's: "Hassan Farah" against "Hassan"), a pair below "shortened" ranks
    "shortened", as one name holds more. The family name field says the last part is a
    family name, not a father's that the other leaves out: the chain read against the
    family name alone made them one name in common, so the family counted as differing,
    and the parents and places the two share weighed as strangers' would, not as
    relatives' (a sibling scored 1.000). Family name fields that only sound alike (Hassan,
    Hussein) are not one name shortened: the chain's rank stands."""
    # below "shortened", where both sides' name fields give the family name
    at = _one_side_middle(data, li, ri, levels, below=kernels.TRUNCATED, fields=True)
    if len(at):
        at = at[_field_ranks(data, li[at], ri[at]) >= kernels.TRUNCATED]
        levels[at] = kernels.TRUNCATED


def _one_side_middle(
    data: PreparedPair,
    li: Index,
    ri: Index,
    levels: Levels,
    *,
    above: int = -1,
    below: int = 127,
    fields: bool = False,
) -> npt.NDArray[np.intp]:
    """The pairs whose level is over ``above`` and under ``below``, in which one side's
    parts hold names between its given and family name fields (:attr:`PersonNames.middle`)
    and the other's hold none; with ``fields``, only those whose family names both come
    from a family name field (:attr:`PersonNames.family_from_field`)."""
    a, b = data.person_names(0), data.person_names(1)
    if not (a.middle.any() or b.middle.any()):
        return np.zeros(0, dtype=np.intp)
    return kernels.flagged_pairs(
        li, ri, _middle_flags(data, 0), _middle_flags(data, 1), both=2 if fields else 0,
        alone=1, levels=levels, above=above, below=below, workers=data.workers,
    )  # fmt: skip


def _middle_flags(data: PreparedPair, side: int) -> npt.NDArray[np.uint8]:
    """Per record of a side, as :func:`kernels.flagged_pairs` reads them: 1 where its parts
    hold names between its given and family name fields, 2 where its family name comes
    from a family name field (made once)."""
    key = f"middle flags:{side}"
    if key not in data._cache:
        names = data.person_names(side)
        data._cache[key] = (names.middle > 0).astype(np.uint8) | (
            names.family_from_field.astype(np.uint8) << 1
        )
    out: npt.NDArray[np.uint8] = data._cache[key]
    return out


def _field_ranks(data: PreparedPair, x: Index, y: Index) -> Levels:
    """:func:`kernels.chain_ranks` of records ``x`` and ``y`` (aligned) by their family
    parts as the name fields give them: past the names a full name holds between them."""
    (codes_a, table_a, sign_a), (codes_b, table_b, sign_b) = (
        _field_forms(data, 0),
        _field_forms(data, 1),
    )
    return kernels.chain_ranks(
        table_a,
        table_b,
        codes_a[x],
        codes_b[y],
        workers=data.workers,
        signatures=(sign_a, sign_b),
    )


def _field_forms(
    data: PreparedPair, side: int
) -> tuple[npt.NDArray[np.intp], IntArray, npt.NDArray[np.uint64]]:
    """Per record of a side, a code of its family parts as the name fields give them (past
    the names a full name holds between them, :attr:`PersonNames.middle`), equal where the
    parts are; the parts of each code, and their :func:`kernels.chain_signatures` (made
    once: a record meets many others, and :func:`_field_ranks` ranks every candidate pair
    with a one-sided middle name, through these rows, not a copy of each pair's)."""
    key = f"field forms:{side}"
    if key not in data._cache:
        names = data.person_names(side)
        shifted = names.parts.shifted(names.family_start + names.middle).packed
        codes, first = kernels.number_rows(shifted)
        table = np.ascontiguousarray(shifted[first])
        data._cache[key] = (codes, table, kernels.chain_signatures(table))
    out: tuple[npt.NDArray[np.intp], IntArray, npt.NDArray[np.uint64]] = data._cache[key]
    return out


def _swapped_family(data: PreparedPair, levels: Levels, li: Index, ri: Index) -> None:
    """In place, :meth:`FamilyNameComparison.adjust` of a name written family name first on
    one side (a list's order: Petrov Ivan, Minjun Kim against Kim Min-jun): where each
    side's given name is the other's family part, of one variant class (김, read Gim, and
    Kim) or sounding alike by skeleton key (the family part run together), the family part
    is ranked against the other's given name, both ways round, and the weaker of the two,
    at least "names sound alike", stands where it is higher. Not a name that chains
    (:attr:`PersonNames.chain`): there a reordered chain is another person, a father or a
    son."""
    first_a, family_a = _swap_keys(data, 0)
    first_b, family_b = _swap_keys(data, 1)
    may_a, may_b = _swap_records(data)
    maybe = kernels.flagged_pairs(
        li, ri, may_a.view(np.uint8), may_b.view(np.uint8), both=1, workers=data.workers
    )
    if not len(maybe):
        return
    x, y = li[maybe], ri[maybe]
    fa, sa = np.take(first_a, x, axis=0), np.take(family_a, x, axis=0)  # rows, as one read
    fb, sb = np.take(first_b, y, axis=0), np.take(family_b, y, axis=0)
    swapped = _alike(fa, sb) & _alike(sa, fb) & ~_alike(fa, fb)
    at, x, y = maybe[swapped], x[swapped], y[swapped]
    if not len(at):
        return
    a, b = data.person_names(0), data.person_names(1)
    rows = np.arange(len(at))
    ranks = np.minimum(
        kernels.chain_ranks(
            a.family_parts(x).packed, _given_part(b, y), rows, rows, workers=data.workers
        ),
        kernels.chain_ranks(
            _given_part(a, x), b.family_parts(y).packed, rows, rows, workers=data.workers
        ),
    )
    levels[at] = np.maximum(levels[at], np.maximum(ranks, kernels.SOUNDS))


def _swap_records(data: PreparedPair) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per record of each side, whether its given name is some other-side record's family
    part and its family part some other-side record's given name (:func:`_swap_keys`, by
    either key): the only records whose pairs :func:`_swapped_family` may raise (made
    once, not per chunk of pairs)."""
    if "swap records" not in data._cache:
        first_a, family_a = _swap_keys(data, 0)
        first_b, family_b = _swap_keys(data, 1)
        data._cache["swap records"] = (
            _among(first_a, family_b) & _among(family_a, first_b),
            _among(first_b, family_a) & _among(family_b, first_a),
        )
    found: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]] = data._cache["swap records"]
    return found


def _among(keys: IntArray, others: IntArray) -> npt.NDArray[np.bool_]:
    """Per record, whether its keys (rows of ``keys``: class, skeleton; -1 none) are
    those of some record of ``others``, by either key: it may be in a swapped pair."""
    found = np.zeros(len(keys), dtype=bool)
    for k in range(keys.shape[1]):
        mine, theirs = keys[:, k], others[:, k]
        found |= (mine >= 0) & np.isin(mine, theirs[theirs >= 0])
    return found


def _alike(a: IntArray, b: IntArray) -> npt.NDArray[np.bool_]:
    """Per row, whether two names' keys (class, skeleton; -1 none) agree by either."""
    out: npt.NDArray[np.bool_] = (a[:, 0] >= 0) & (a[:, 0] == b[:, 0])
    for k in range(1, a.shape[1]):
        out |= (a[:, k] >= 0) & (a[:, k] == b[:, k])
    return out


def _run_together(
    data: PreparedPair, levels: Levels, li: Index, ri: Index, compounds: npt.NDArray[np.intp]
) -> None:
    """In place, :meth:`FamilyNameComparison.adjust` of family parts split otherwise on
    each side (Min Jun against Minjun, Aung San against Aungsan): a pair below "names
    sound alike" whose family parts, run together, have the skeleton key of one word
    (:func:`_family_joined`) ranks so. Where both sides hold two parts or more, their
    parts' keys run together must be equal as they are (:func:`_family_split`), not only
    once finished as one word's: a finished key leaves out a final s, t or d, so that
    Maria Ali Abdi (mr l bd: "mrlb") and Maria Lopez (mr lb: "mrlb") would meet, where
    neither is one word that left a letter out. Not the pairs ``compounds`` (those
    :func:`_compound_family` ranked again: one side's family name starts past a split
    given name, where its family parts as read still hold the given name's second half:
    Abdi Rahman Haidari and Abdirahman Rahman Haidari share no family name run together)."""
    ja, jb = _family_joined(data, 0), _family_joined(data, 1)
    may_a, may_b = _run_records(data)
    if not (may_a.any() or may_b.any()):
        return
    rows = kernels.flagged_pairs(
        li, ri, may_a.view(np.uint8), may_b.view(np.uint8), either=1, levels=levels,
        above=kernels.MISSING, below=kernels.SOUNDS, keys=(ja, jb), workers=data.workers,
    )  # fmt: skip
    if len(compounds):
        rows = np.setdiff1d(rows, compounds, assume_unique=True)
    sa, sb = _family_split(data, 0)[li[rows]], _family_split(data, 1)[ri[rows]]
    levels[rows[(sa < 0) | (sb < 0) | (sa == sb)]] = kernels.SOUNDS


def _run_records(data: PreparedPair) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per record of each side, whether its family part has two parts or more and its
    run-together key is some other-side record's (made once): the only records whose
    pairs :func:`_run_together` may raise (a pair of one part each whose keys agree ranks
    "names sound alike" already), so that it reads those pairs, not every pair below it."""
    if "run records" not in data._cache:
        out = []
        for side in (0, 1):
            mine, theirs = _family_joined(data, side), _family_joined(data, 1 - side)
            count = (data.person_names(side).family_parts().skeletons >= 0).sum(axis=1)
            out.append((count >= 2) & (mine >= 0) & np.isin(mine, theirs[theirs >= 0]))
        data._cache["run records"] = (out[0], out[1])
    found: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]] = data._cache["run records"]
    return found


def _family_joined(data: PreparedPair, side: int) -> IntArray:
    """Per record of a side, the skeleton key of its family part run together, as one
    word's (the part's own where it is one; -1: none) (made once)."""
    key = f"family joined:{side}"
    if key not in data._cache:
        family = data.person_names(side).family_parts().skeletons
        count = (family >= 0).sum(axis=1)
        joined = np.where(count == 1, family[:, 0], -1).astype(np.int32)
        many = np.flatnonzero(count >= 2)
        if len(many):
            joined[many] = data.joined_skeletons(np.ascontiguousarray(family[many]), "s:")
        data._cache[key] = joined
    out: IntArray = data._cache[key]
    return out


def _family_split(data: PreparedPair, side: int) -> IntArray:
    """Per record of a side, the skeleton keys of its family parts run together as they
    are, not finished as one word's (-1: a family part of fewer than two parts) (made
    once)."""
    key = f"family split:{side}"
    if key not in data._cache:
        family = data.person_names(side).family_parts().skeletons
        split = np.full(len(family), -1, dtype=np.int32)
        many = np.flatnonzero((family >= 0).sum(axis=1) >= 2)
        if len(many):
            split[many] = data.joined_skeletons(np.ascontiguousarray(family[many]))
        data._cache[key] = split
    out: IntArray = data._cache[key]
    return out


def _swap_keys(data: PreparedPair, side: int) -> tuple[IntArray, IntArray]:
    """Per record of a side, ``(n, 2)`` the class and the skeleton key of its given name
    (part 0), and those of its family part (the skeleton of the part run together, the
    class only where it is one part), as :func:`_swapped_family` reads them; all -1 where
    a record has no given name beside a family part, its given name is a kunya, or its
    name chains (made once)."""
    key = f"swap keys:{side}"
    if key not in data._cache:
        names = data.person_names(side)
        classes = names.family_parts().classes
        joined = _family_joined(data, side)
        first = names.parts.skeletons[:, 0]
        off = names.chain | names.kunya | (names.family_start == 0) | (first < 0) | (joined < 0)
        family_class = np.where((classes >= 0).sum(axis=1) == 1, classes[:, 0], -1)
        data._cache[key] = (
            np.where(off[:, None], -1, np.stack([names.parts.classes[:, 0], first], axis=1)),
            np.where(off[:, None], -1, np.stack([family_class, joined], axis=1)),
        )
    keys: tuple[IntArray, IntArray] = data._cache[key]
    return keys


def _given_part(names: PersonNames, rows: Index) -> IntArray:
    """The packed parts of records ``rows`` with their given name (part 0) alone."""
    packed = names.parts.take(rows).packed  # np.take's: new, not the names' own
    for block in range(0, 3 * MAX_CHAIN, MAX_CHAIN):
        packed[:, block + 1 : block + MAX_CHAIN] = -1
    return packed


def _dropped_first_records(
    data: PreparedPair,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per record of each side, whether it is a full name alone that opens with a first
    element records often leave out (Mohammad Zaman Ahmadzai): the names whose second part
    :attr:`PersonNames.second_given` holds, though no given-name field gives it (made
    once)."""
    if "dropped first records" not in data._cache:
        a, b = data.person_names(0), data.person_names(1)
        data._cache["dropped first records"] = (
            (a.second_given >= 0) & ~a.given_from_field,
            (b.second_given >= 0) & ~b.given_from_field,
        )
    found: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]] = data._cache[
        "dropped first records"
    ]
    return found


def _compound_records(
    data: PreparedPair,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per record of each side, whether it may be in a pair whose given name is one
    compound written split on one side and as one word on the other: its compound given
    name is some other-side record's first part (by skeleton key), or its first part some
    other-side record's compound (made once). A kunya ("Umm Ahmad") is no compound given
    name, and its given name is compared as missing (:func:`kernels.given_ranks`)."""
    if "compound records" not in data._cache:
        a, b = data.person_names(0), data.person_names(1)
        # no given name where the family part starts at 0
        first_a = np.where(a.family_start > 0, a.parts.skeletons[:, 0], -1)
        first_b = np.where(b.family_start > 0, b.parts.skeletons[:, 0], -1)
        joined_a = np.where(a.kunya, -1, a.compound)
        joined_b = np.where(b.kunya, -1, b.compound)
        known_a, known_b = joined_a[joined_a >= 0], joined_b[joined_b >= 0]
        data._cache["compound records"] = (
            ((joined_a >= 0) & np.isin(joined_a, first_b)) | (~a.kunya & np.isin(first_a, known_b)),
            ((joined_b >= 0) & np.isin(joined_b, first_a)) | (~b.kunya & np.isin(first_b, known_a)),
        )
    found: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]] = data._cache["compound records"]
    return found


def _listed_given(data: PreparedPair, side: int) -> npt.NDArray[np.bool_]:
    """Whether each record's given name (part 0) is of a class listed in ``variants.tsv``,
    read off each distinct class once."""
    key = f"given listed:{side}"
    if key not in data._cache:
        classes = data.person_names(side).given_classes
        kinds, at = kernels.unique_inverse(classes)
        known = listed_classes()
        vocabulary = data.classes.array()
        listed = np.fromiter(
            (c >= 0 and vocabulary[c] in known for c in kinds.tolist()),
            dtype=bool,
            count=len(kinds),
        )
        data._cache[key] = listed[at]
    out: npt.NDArray[np.bool_] = data._cache[key]
    return out


def _first_letters(data: PreparedPair, side: int) -> npt.NDArray[np.int32]:
    """Each record's given name's first letter as a code point, negative where the given
    name is that letter alone (an initial: "M. Ali"), 0 where there is none; read off each
    distinct given token once."""
    key = f"given first letter:{side}"
    if key not in data._cache:
        first = data.person_names(side).first_token
        words = data.tokens.array()
        codes, at = kernels.unique_inverse(first)
        letters = np.fromiter(
            (
                ord(words[c][0]) * (-1 if len(words[c]) == 1 else 1) if c >= 0 and words[c] else 0
                for c in codes.tolist()
            ),
            dtype=np.int32,
            count=len(codes),
        )
        data._cache[key] = letters[at]
    out: npt.NDArray[np.int32] = data._cache[key]
    return out


#: Second parts of a given name that are no other name: honorifics and suffixes of
#: women's and men's names in Bangladesh, Arakan, Afghanistan, Pakistan, Turkey and Iran
#: that one person's records write or leave out, or change (Rohima Khatun, Rohima Begum;
#: Ahmad Jan, Ahmad Khan; Mehmet Bey), as folded tokens.
NAME_SUFFIXES = frozenset(
    {
        *("begum", "begom", "bibi", "bb", "khatun", "khatoon", "katun", "khanum", "khanom"),
        *("khanam", "banu", "bano", "nesa", "nessa", "nisa", "nissa", "akter", "akhter"),
        *("aktar", "akhtar", "jan", "khan", "gul", "sahib", "saheb"),
        # Turkish, Persian and Kurdish honorifics after a name (Mehmet Bey, Ayşe Hanım)
        *("bey", "beg", "hanim", "hanum", "khanim", "agha", "aga", "aqa", "efendi", "effendi"),
        *("pasha", "pasa"),
        # the first half of a compound written apart (Mohammad Abdul Rahim): no name alone
        *("abdul", "abd", "abdel", "abdal", "abdol", "abdu", "abdur", "abdus", "abdulla"),
    }
)
#: Jaro–Winkler at least this: the two second parts are one name spelt two ways.
SECOND_GIVEN_NEAR = 0.8


def _first_given_agrees(data: PreparedPair, li: Index, ri: Index) -> npt.NDArray[np.bool_]:
    """Per pair, whether the two given names' first parts are one name (same class, or
    both unlisted and spelt alike)."""
    a, b = data.person_names(0), data.person_names(1)
    ca, cb = a.given_classes[li], b.given_classes[ri]
    ta, tb = a.first_token[li], b.first_token[ri]
    out: npt.NDArray[np.bool_] = ((ca >= 0) & (ca == cb)) | ((ta >= 0) & (ta == tb))
    return out


def _second_given_differs(data: PreparedPair, li: Index, ri: Index) -> npt.NDArray[np.bool_]:
    """Per pair, whether both records' given-name fields have a second part (beside a
    family name field) and the two are other names: not one class, not one skeleton or
    sound key, not spelt near (Jaro–Winkler under :data:`SECOND_GIVEN_NEAR`), neither an
    initial (Juan C.) nor a suffix a person's records vary in (:data:`NAME_SUFFIXES`)."""
    a, b = data.person_names(0), data.person_names(1)
    ta, tb = a.second_given[li], b.second_given[ri]
    out: npt.NDArray[np.bool_] = (ta >= 0) & (tb >= 0) & (ta != tb)
    rows = np.flatnonzero(out)
    if not len(rows):
        return out
    ca, cb = a.second_given_class[li[rows]], b.second_given_class[ri[rows]]
    ka, kb = a.second_given_keys[li[rows]], b.second_given_keys[ri[rows]]
    qa, qb = ta[rows], tb[rows]
    plain = _plain_second_parts(data)
    near = similarity(qa, qb, data.tokens, cutoff=SECOND_GIVEN_NEAR, workers=data.workers)
    # one name spelt two ways: a class, a key (Ji Hoon, Ji Hun; Tahar, Ettaher), a spelling
    alike = ((ca >= 0) & (ca == cb)) | ((ka >= 0) & (ka == kb)).any(axis=1)
    out[rows] = ~alike & ~reaches(near, SECOND_GIVEN_NEAR)
    out[rows] &= plain[qa] & plain[qb]
    return out


def _second_part_of(data: PreparedPair, li: Index, ri: Index, levels: Levels, level: int) -> Index:
    """The pairs (rows of ``li`` and ``ri``) at ``level`` whose one record's given name is
    the second part of the other's given-name field, beside a family name field
    (:attr:`PersonNames.second_given`), and which has no second part of its own: Zaman
    against "Mohammad Zaman", José against "María José" (a child, or an adult, called by
    one part of a compound given name; DOMAIN.md). The two are one name by class (any
    listed spelling) or by token; the second part is a name (:func:`_plain_second_parts`:
    not an initial, not a suffix). Not the first part alone (Mohammad, María): siblings
    share it, and a record that names only it reads the same given name already. Not a
    full name's second part: it is as often a father's name (Abdi Hassan Farah, whose
    father is Hassan Farah) as a compound's second half; but for a full name that opens
    with a first element records often leave out (Mohammad Zaman Ahmadzai against Zaman
    Ahmadzai: ``dropped_first.tsv``), against a name of fewer parts."""
    a, b = data.person_names(0), data.person_names(1)
    flags = [(names.second_given >= 0).view(np.uint8) for names in (a, b)]
    rows = kernels.flagged_pairs(
        li, ri, flags[0], flags[1], either=1, levels=levels, above=level - 1,
        below=level + 1, workers=data.workers,
    )  # fmt: skip
    out: Index = rows[_second_part_sides(data, li[rows], ri[rows]) > 0]
    return out


def _second_part_sides(data: PreparedPair, li: Index, ri: Index) -> npt.NDArray[np.int8]:
    """Per pair ``(li[k], ri[k])``, the side whose given name's second part is the other's
    given name, as :func:`_second_part_of` reads it (1: the left, 2: the right; 0:
    neither)."""
    a, b = data.person_names(0), data.person_names(1)
    out = np.zeros(len(li), dtype=np.int8)
    for side, own, other, x, y in ((1, a, b, li, ri), (2, b, a, ri, li)):
        alone = (other.second_given[y] < 0) & (other.first_token[y] >= 0) & ~other.kunya[y]
        second, classes = own.second_given[x], own.second_given_class[x]
        one = ((classes >= 0) & (classes == other.given_classes[y])) | (
            (second >= 0) & (second == other.first_token[y])
        )
        # an initial or a suffix (Juan C., Ahmad Jr) is no name a person is called by
        # a full name's (Mohammad Zaman Ahmadzai): the other leaves the first out, so holds
        # fewer parts; one as long holds a part more after it (Ali Hassan Omar against
        # Mohammed Ali Hassan: Ali is Mohammed's father, Omar Hassan's)
        shorter = own.given_from_field[x] | (other.length[y] < own.length[x])
        out[one & alone & shorter & _plain_second_parts(data)[second]] = side
    return out


def _plain_second_parts(data: PreparedPair) -> npt.NDArray[np.bool_]:
    """Per token code, whether it can tell two given names apart as a second part: two
    letters or more, no suffix (:data:`NAME_SUFFIXES`) (made once, for the tokens so far)."""
    words = data.tokens.array()
    cached = data._cache.get("plain second parts")
    if cached is None or len(cached) != len(words):
        cached = np.fromiter(
            (len(w) > 1 and w not in NAME_SUFFIXES for w in words), dtype=bool, count=len(words)
        )
        data._cache["plain second parts"] = cached
    out: npt.NDArray[np.bool_] = cached
    return out


@lru_cache(maxsize=1 << 14)
def _name_read(word: str) -> str:
    """What a name is read as for :func:`_nicknamed`: its class where ``variants.tsv``
    lists it (any spelling or script meets), else its spelling as folded
    (:func:`~rfl_match.names.variants.fold_spelling`: Patricia, not Patrisia, which
    ``nicknames.tsv`` lists where it is usual): keys alike would meet other names
    (Mikias and Max). Cached: a lookup's call reads the sightings' names again."""
    listed = lookup_latin(word)
    return f"c:{listed}" if listed is not None else f"f:{fold_spelling(word)}"


def _name_code(word: str, codes: dict[str, int]) -> int:
    """:func:`_name_read` of a name as a code of ``codes``, grown as new ones come."""
    return codes.setdefault(_name_read(word), len(codes))


def _nickname_tables(data: PreparedPair) -> tuple[IntArray, IntArray] | None:
    """By token code (the last row for none, -1): the codes (:func:`_name_code`) of the
    names a given token may stand for where it is a nickname (``(V + 1, k)``, -1: none),
    and of what it is read as (``(V + 1,)``); over both sides' given tokens, each read
    once (made once). None where none is a nickname."""
    key = "nickname tables"
    if key not in data._cache:
        both = [data.person_names(side).first_token for side in (0, 1)]
        tokens = np.unique(np.concatenate(both))
        tokens = tokens[tokens >= 0].tolist()
        words = data.tokens.array()
        stands = [nickname_names(words[t]) for t in tokens]
        width = max((len(names) for names in stands), default=0)
        found = None
        if width:
            codes: dict[str, int] = {}
            size = len(data.tokens) + 1
            stand = np.full((size, width), -1, dtype=np.int32)
            own = np.full(size, -1, dtype=np.int32)
            for token, names in zip(tokens, stands, strict=True):
                own[token] = _name_code(words[token], codes)
                stand[token, : len(names)] = [_name_code(name, codes) for name in names]
            found = (stand, own)
        data._cache[key] = found
    out: tuple[IntArray, IntArray] | None = data._cache[key]
    return out


def _nicknamed(data: PreparedPair, li: Index, ri: Index, levels: Levels, level: int) -> Index:
    """The pairs (rows of ``li`` and ``ri``) at ``level`` whose one given name is a nickname
    (``nicknames.tsv``) that the other may go by: Hamoudi and Muhammad (any spelling or
    script of a listed name), Paty and Patricia (an unlisted one as the table spells it).
    The few pairs with a nickname are found by a byte a record, in one pass over the
    pairs (:func:`kernels.flagged_pairs`)."""
    tables = _nickname_tables(data)
    if tables is None or not len(li):
        return np.zeros(0, dtype=np.intp)
    stand, own = tables
    flags = (_nickname_records(data, 0, stand), _nickname_records(data, 1, stand))
    rows = kernels.flagged_pairs(
        li, ri, flags[0].view(np.uint8), flags[1].view(np.uint8), either=1, levels=levels,
        above=level - 1, below=level + 1, workers=data.workers,
    )  # fmt: skip
    x, y = li[rows], ri[rows]
    first = [data.person_names(side).first_token for side in (0, 1)]
    hit = np.zeros(len(rows), dtype=bool)
    for side, (p, q) in enumerate(((x, y), (y, x))):
        # a name that is no nickname reads a row of -1: none
        names = stand[first[side][p]]
        hit |= ((names == own[first[1 - side][q]][:, None]) & (names >= 0)).any(axis=1)
    out: Index = rows[hit]
    return out


def _nickname_records(data: PreparedPair, side: int, stand: IntArray) -> npt.NDArray[np.bool_]:
    """Per record of a side, whether its given name is a nickname (made once)."""
    key = f"nickname records:{side}"
    if key not in data._cache:
        # a record with no given name (-1) reads the last row: none
        data._cache[key] = stand[data.person_names(side).first_token, 0] >= 0
    found: npt.NDArray[np.bool_] = data._cache[key]
    return found


def _initials(data: PreparedPair, side: int) -> npt.NDArray[np.bool_]:
    """Whether each record's given name is an initial (one letter: "M. Ali"; not a listed
    name romanised as one letter, as Korean 이, I, or 오, O)."""
    out: npt.NDArray[np.bool_] = (_first_letters(data, side) < 0) & ~_listed_given(data, side)
    return out


def _initial_opens(data: PreparedPair, li: Index, ri: Index) -> npt.NDArray[np.bool_]:
    """Per pair, whether one given name is an initial and the other opens with its letter
    (both known, not both initials: those are one spelling or two)."""
    out = _initials(data, 0)[li] ^ _initials(data, 1)[ri]
    rows = np.flatnonzero(out)
    if len(rows):
        a = np.abs(_first_letters(data, 0)[li[rows]])
        b = np.abs(_first_letters(data, 1)[ri[rows]])
        out[rows] = (a > 0) & (a == b)
    return out


def _short_keys(data: PreparedPair, consonants: int) -> npt.NDArray[np.bool_]:
    """Per key code, whether the key has ``consonants`` consonants or fewer (its kind's
    prefix, "s:" or "p:", left out)."""
    lengths = pc.utf8_length(data.keys.arrow()).to_numpy(zero_copy_only=False)
    out: npt.NDArray[np.bool_] = np.asarray(lengths) - 2 <= consonants
    return out


def _given_keys(data: PreparedPair, side: int) -> IntArray:
    """Each record's :func:`kernels.given_keys` (made once)."""
    key = f"given keys:{side}"
    if key not in data._cache:
        names = data.person_names(side)
        # whether the given name opens as a kunya run together (Abulkalam), read off each
        # distinct given token once
        tokens, inverse = kernels.unique_inverse(names.first_token)
        opening = re.compile(kunya_opening())
        words = data.tokens.array()
        opens = np.fromiter(
            (t >= 0 and opening.match(words[t]) is not None for t in tokens.tolist()),
            dtype=bool,
            count=len(tokens),
        )
        # part 1 as the fields give it (the family name, not a full name's middle name:
        # PersonNames.unchained), which the given and family name swapped reads
        data._cache[key] = kernels.given_keys(
            names.unchained().parts.packed,
            names.first_token,
            names.kunya,
            names.compound,
            opens[inverse],
            _listed_given(data, side),
            _short_keys(data, GivenNameComparison.short_key),
        )
    keys: IntArray = data._cache[key]
    return keys


def _family_forms(
    data: PreparedPair, side: int
) -> tuple[IntArray, IntArray, npt.NDArray[np.uint64], IntArray, npt.NDArray[np.bool_]]:
    """Per record, a code of all that its family name is compared by (its family parts,
    their joined text, whether they are a full name's: ``PersonNames.family_in_full``, and
    whether its middle names are known so: ``PersonNames.middle_known``, and whether the
    name chains: ``PersonNames.chain``): equal codes, equal comparisons; the packed family
    parts of each code (held per distinct form, not per record); their chain signatures;
    the fewest family parts from which its first parts may be middle names
    (:func:`_without_middle`: 0, never, where they are not a full name's; 3; 2 where the
    middle names are known, or where the parts are two that open with a Spanish surname or
    a Vietnamese middle name, a field's too: :func:`_first_left_out`);
    and whether the name chains."""
    key = f"family forms:{side}"
    if key not in data._cache:
        names = data.person_names(side)
        family = names.family_parts().packed
        # a number per form, and a record of each
        held = [
            family,
            names.text[:, None],
            names.family_in_full[:, None],
            names.middle_known[:, None],
            names.chain[:, None],
        ]
        codes, first = kernels.number_rows(np.concatenate(held, axis=1, dtype=np.int32))
        table = np.ascontiguousarray(family[first])
        fewest = np.where(names.middle_known[first], 2, 3) * names.family_in_full[first]
        fewest[_first_left_out(data, table) & ~names.chain[first]] = 2
        data._cache[key] = (
            codes.astype(np.int32),
            table,
            kernels.chain_signatures(table),
            fewest.astype(np.int32),
            names.chain[first],
        )
    forms: tuple[IntArray, IntArray, npt.NDArray[np.uint64], IntArray, npt.NDArray[np.bool_]]
    forms = data._cache[key]
    return forms


def _first_left_out(data: PreparedPair, table: IntArray) -> npt.NDArray[np.bool_]:
    """Per row of packed family parts, whether they are two names, the first a Spanish
    surname (a paternal and a maternal surname, García López, of which records drop
    either) or a Vietnamese middle name (Văn, Thị: Hung Van Nguyen, which records abroad
    leave out; :func:`~rfl_match.names.normalize.left_out_first_classes`): a record that
    holds the second alone holds the name shortened."""
    listed = data.classes.marks(left_out_first_classes())
    classes = table[:, :MAX_CHAIN]
    out: npt.NDArray[np.bool_] = listed[classes[:, 0]] & (classes[:, 1] >= 0) & (classes[:, 2] < 0)
    return out


def _without_middle(
    levels: Levels,
    tables: tuple[IntArray, IntArray],
    in_full: tuple[IntArray, IntArray],
    chains: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]],
    qa: Index,
    qb: Index,
    workers: int,
    shorn: dict[tuple[int, int], IntArray],
) -> None:
    """In place: a pair below "shortened" where one side's family part, of ``in_full`` parts
    or more (per form of ``tables``: 3 of a full name's; 2 where its middle names are
    known, or where they are two names that open with a Spanish surname or a Vietnamese
    middle name, a full name's or a field's: :func:`_first_left_out`; 0: never) and longer
    than the other's, ranks higher without its first parts, down to the other's length:
    those are middle names or a paternal surname the other record leaves out (María José
    García López against María García: García López against García; María García López
    against María López; Nguyễn Văn Hùng, read Hung Van Nguyen, and Hung Van Nguyen
    against Hung Nguyen), and such a pair ranks at most "shortened", as one name holds
    more. Not where either name chains (``chains``, per form: a culture hint, Arabic or
    Ethiopic script, a Somali spelling), where a father's name left out is another
    generation (Cabdi Faarax Xasan Cali against Abdi Hassan Ali: father Faarax, father
    Hassan); not a full name of three parts otherwise, whose middle is as often a compound
    given name's second half (Noor Ahmad Haidari against Noor Haidari, another name) or a
    father's name in a chain no hint tells of. ``shorn``: the tables without their first
    parts, by (side, parts left out), kept from one chunk of pairs to the next."""
    for this, other, q_this, q_other, flip in (
        (0, 1, qa, qb, False),
        (1, 0, qb, qa, True),
    ):
        table, against = tables[this], tables[other]
        lengths = (table[:, :MAX_CHAIN] >= 0).sum(axis=1)
        other_lengths = (against[:, :MAX_CHAIN] >= 0).sum(axis=1)
        may = (in_full[this] > 0) & (lengths >= in_full[this])
        if not may.any():
            continue
        # the pairs that may rank higher so, and by how many parts: read on those alone
        maybe = np.flatnonzero(may[q_this] & ~chains[other][q_other] & (levels < kernels.TRUNCATED))
        shorter = other_lengths[q_other[maybe]]
        spare = np.where(shorter > 0, lengths[q_this[maybe]] - shorter, 0)
        for drop in range(1, int(spare.max(initial=0)) + 1):
            at = maybe[(spare >= drop) & (levels[maybe] < kernels.TRUNCATED)]
            if not len(at):
                continue
            if (this, drop) not in shorn:
                shorn[this, drop] = NameParts(table).shifted(np.full(len(table), drop)).packed
            shifted = shorn[this, drop]
            pair = (against, shifted) if flip else (shifted, against)
            rows = (q_other[at], q_this[at]) if flip else (q_this[at], q_other[at])
            ranks = kernels.chain_ranks(*pair, *rows, workers=workers)
            levels[at] = np.maximum(levels[at], np.minimum(ranks, kernels.TRUNCATED))


def _frequency(
    data: PreparedPair,
    key: str,
    left: npt.NDArray[np.int32],
    right: npt.NDArray[np.int32],
    size: int,
) -> tuple[npt.NDArray[np.float64], float]:
    """Share of records on both sides holding each value (codes ``left`` and ``right``
    below ``size``, -1 none) of a term-frequency kind ``key``
    (:attr:`TermFrequencies.key`), the last entry 0 (for -1), and how many records
    holding one the shares are over (:attr:`TermFrequencies.records`). In a partition of
    a run (:attr:`PreparedPair.partition`), the shares among the records its
    ``term_counts`` are over: the same for a value in every partition, as in one run
    over all of them."""
    cached = data._cache.get(key)
    if cached is None:
        counts = np.zeros(size + 1, dtype=np.float64)
        for side in (left, right):
            counts[:size] += np.bincount(side[side >= 0], minlength=size)
        total = counts.sum()
        shared = None if data.partition is None else data.partition.term_counts
        over = None if shared is None else shared.get(key)
        if over is not None:
            # Records of these inputs that the counts miss (counted elsewhere, or not at
            # all) count as these inputs see them.
            words = _term_words(data, key)[:size]
            known = np.array([over.get(word, 0) for word in words], dtype=np.float64)
            counts[:size] = np.maximum(counts[:size], known)
            total = sum(over.values()) - known.sum() + counts.sum()
        # a dedupe's one list is both sides: each record counted twice
        records = total / (2 if data.left is data.right and over is None else 1)
        cached = (counts / max(total, 1.0), float(records))
        data._cache[key] = cached
    result: tuple[npt.NDArray[np.float64], float] = cached
    return result


def _term_words(data: PreparedPair, key: str) -> Sequence[str]:
    """The text of each code of a term-frequency kind (:func:`_frequency`)."""
    if key.startswith("freq:"):
        return data.classes.words
    _, uniques = data._distinct_values(*text_column(key.removeprefix("filter frequency:")))
    return [str(text) for text in uniques.to_pylist()]


def term_counts(data: PreparedPair, comparisons: Sequence[Comparison]) -> dict[str, dict[str, int]]:
    """Per term-frequency kind of ``comparisons`` (:attr:`TermFrequencies.key`), how many
    records of both sides of ``data`` hold each value, by its text (a name class, a
    filter). Summed over the partitions of a run (:func:`merge_term_counts`) and given
    as ``Partition.term_counts``, they make each partition weigh a value by its
    frequency among all records."""
    out: dict[str, dict[str, int]] = {}
    for comparison in comparisons:
        found = comparison.term_frequencies(data)
        if found is None or found.key in out:
            continue
        words = _term_words(data, found.key)
        held = np.concatenate([found.left, found.right])
        counts = np.bincount(held[held >= 0], minlength=len(words))
        out[found.key] = {words[k]: int(counts[k]) for k in np.flatnonzero(counts).tolist()}
    return out


def merge_term_counts(
    counts: Iterable[Mapping[str, Mapping[str, int]]],
) -> dict[str, dict[str, int]]:
    """Several :func:`term_counts` (of records counted once each) summed."""
    out: dict[str, dict[str, int]] = {}
    for one in counts:
        for key, table in one.items():
            into = out.setdefault(key, {})
            for word, n in table.items():
                into[word] = into.get(word, 0) + n
    return out


class NameChainComparison(Comparison):
    """Any name field compared as a chain of name parts (a parent's name, an extra field).

    For ``father_name`` a further level: the father's name given on one side is the second
    name of the person's chain on the other (a Somali or Arabic child's second name). A
    family name field is that second name only where the name chains
    (:attr:`~rfl_match.prepare.PersonNames.chain`; :attr:`cross_family_field`).
    """

    frequency_of = "name"

    def __init__(self, spec: ComparisonSpec) -> None:
        super().__init__(spec)
        #: Whether a family name field of a name that does not chain counts as the second
        #: name of the chain for the father's level: not as a fit compares (the family's
        #: name, Ahmadzai, against a father Ahmad is a coincidence of the culture's names),
        #: but as a model saved before compared it (``Linker.load``).
        self.cross_family_field = False

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        return (name_column(self.spec.field),)

    @property
    def labels(self) -> tuple[str, ...]:
        base: tuple[str, ...] = (
            "missing",
            "different",
            "one name in common",
            "similar spelling",
            "names sound alike",
        )
        if self._cross:
            base += ("matches the second name in the person's name chain",)
        return (
            *base,
            "one name is a shortened form of the other",
            "same name, different spelling",
            "same spelling",
        )

    @property
    def _cross(self) -> bool:
        return self.spec.field == "father_name"

    @property
    def bounded_by(self) -> tuple[tuple[int, int], ...]:  # type: ignore[override]
        """A near spelling and names alike weigh at most as the same name spelt another
        way, and one name a shortened form of the other at most as the same spelling
        (``scoring.bounded_m``). Unbounded, EM weighed a mother's shortened name +5.2 bits
        against +4.1 for the same spelling and a father's names sound alike +4.4 against
        +2.3 for the same name spelt otherwise (100,000 a side, synthetic data, whose typos
        and truncations are true pairs' alone; a common parent's name spelt alike is
        often a namesake's). F1 / largest calibration gap (p >= 0.05) without -> with,
        scratch fits on the speed suite's data: 10,000 a side 0.9260 / 0.061 -> 0.9268 /
        0.059, 100,000 0.8581 / 0.041 -> 0.8584 / 0.036, 1,000,000 0.7568 / 0.035 ->
        0.7577 / 0.026; the quality suite's F1 0.9199 -> 0.9192, the calibration suite's
        unlabelled gap 0.036 -> 0.025."""
        top = self.n_levels - 1  # same spelling
        return ((3, top - 1), (4, top - 1), (top - 2, top))

    @property
    def tf_levels(self) -> tuple[int, ...]:
        """The same name, spelt another way or alike: where how common it is counts."""
        return (self.n_levels - 2, self.n_levels - 1)

    def term_frequencies(self, data: PreparedPair) -> TermFrequencies | None:
        """The class of each record's first part of the name (Mohammed of Mohammed
        Zaman, as :meth:`FamilyNameComparison.term_frequencies` reads the first family
        part): a father Ahmad or a mother Fatima, common in a caseload, is shared by many
        strangers of one culture."""
        if not self.spec.term_frequency:
            return None
        table = data.chain_table(self.spec.field)
        first = table.classes[:, 0]  # the empty name's row: -1
        ca, cb = (
            np.ascontiguousarray(first[data.chain_rows(side, self.spec.field)], dtype=np.int32)
            for side in (0, 1)
        )
        key = f"freq:{self.spec.field}"
        frequency, records = _frequency(data, key, ca, cb, len(data.classes))
        return TermFrequencies(self.tf_levels, ca, cb, frequency, key, records)

    def coded(self, data: PreparedPair) -> Coded | None:
        codes_a = data.form_arrays(0, self.spec.field).codes
        codes_b = data.form_arrays(1, self.spec.field).codes
        texts = data.form_arrays(0, self.spec.field).text  # both sides share the table
        table = data.chain_table(self.spec.field)
        signatures = self._signatures(data)
        joined = self._joined(data)
        empty = len(table.packed) - 1  # the row of code -1
        # each record's row of the table, gathered per pair
        rows_a: Index = np.where(codes_a < 0, empty, codes_a).astype(np.intp)
        rows_b: Index = np.where(codes_b < 0, empty, codes_b).astype(np.intp)
        top = self.n_levels - 1
        # Each rank of chain_ranks (without REORDERED), as this comparison's level.
        level_of_rank = np.zeros(kernels.SAME + 1, dtype=np.int8)
        level_of_rank[[kernels.SAME, kernels.TRUNCATED, kernels.SOUNDS]] = top - 1, top - 2, 4
        level_of_rank[[kernels.COMMON, kernels.DIFFERENT]] = 2, 1

        def names(li: Index, ri: Index) -> Levels:
            # the rows of the records' names (one record per distinct pair of names)
            qa, qb = rows_a[li], rows_b[ri]
            # Ranks -> this comparison's levels, counted from the top (the same text).
            levels = kernels.chain_ranks(
                table.packed, table.packed, qa, qb, reordered=False, workers=data.workers,
                level_of=level_of_rank, texts=(texts, texts), top=top,
                signatures=(signatures, signatures),
            )  # fmt: skip
            # The pairs are distinct pairs of names, and a name has one text.
            grades = {level: (level, 3) for level in range(1, 4)}
            regrade(
                levels, grades, (texts, texts), qa, qb, data.texts, (0.9,), workers=data.workers,
                distinct=True,
            )  # fmt: skip
            # Names split otherwise (Shamsul Alam / Shamsulalam, Kamal Hussain /
            # Kamalhussain): their parts' skeletons run together agree.
            ja, jb = joined[qa], joined[qb]
            split = (levels >= 1) & (levels < 4) & (ja >= 0) & (ja == jb)
            levels[split] = 4
            return levels

        return Coded(codes_a, codes_b, names)

    def _joined(self, data: PreparedPair) -> IntArray:
        """Per row of the field's table of chains, its parts' skeleton keys run together
        (-1: none; made once)."""
        key = f"chain joined:{self.spec.field}"
        if key not in data._cache:
            data._cache[key] = data.joined_skeletons(data.chain_table(self.spec.field).skeletons)
        joined: IntArray = data._cache[key]
        return joined

    def _signatures(self, data: PreparedPair) -> npt.NDArray[np.uint64]:
        """The chain signatures of the rows of the field's table of chains (made once)."""
        key = f"chain signatures:{self.spec.field}"
        if key not in data._cache:
            data._cache[key] = kernels.chain_signatures(data.chain_table(self.spec.field).packed)
        signatures: npt.NDArray[np.uint64] = data._cache[key]
        return signatures

    def adjust(self, data: PreparedPair, levels: Levels, li: Index, ri: Index) -> None:
        # Both records write the Vietnamese marks, and a syllable of the name otherwise
        # (a father Hùng, Hưng): names that sound alike, not one name.
        top = self.n_levels - 1
        levels[_marked_apart(data, li, ri, levels, top - 2, self.spec.field)] = 4
        if self._cross:
            # The father's given name against the second part of the other's own name,
            # met even when one side's father is unknown (a level above "sounds alike",
            # below the same name).
            a, b = self._cross_keys(data, 0), self._cross_keys(data, 1)
            kernels.cross_alike(levels, 5, a, b, li, ri, workers=data.workers)

    def _cross_keys(self, data: PreparedPair, side: int) -> IntArray:
        """Each record's keys of its father's part 0 and of its own part 1 (made once)."""
        key = f"cross keys:{side}:{self.spec.field}:{self.cross_family_field}"
        if key not in data._cache:
            table = data.chain_table(self.spec.field)
            rows = data.chain_rows(side, self.spec.field)
            names = data.person_names(side)
            own = names.parts.packed
            # the name after the given name is part 0 where there is no given name
            # ("FNU Ali Hassan": Ali): read as part 1 is
            none = np.flatnonzero(names.family_start == 0)
            if len(none):
                own = own.copy()
                for block in range(0, 3 * MAX_CHAIN, MAX_CHAIN):
                    own[none, block + 1] = own[none, block]
            made = kernels.cross_keys(table.packed, rows, own)
            if not self.cross_family_field:
                # A family name field is the family's name, not the father's, unless the
                # name chains. At 100,000 a side (the speed suite's data, scratch fits)
                # the level met 1,757 matches at 0.5, 187 of them false: most an Afghan
                # tribe's name against a father's given name (Ahmadzai, father Ali,
                # against Maryam, father Ahmad). Without family fields it meets 1,418,
                # 128 false; F1 0.8584 -> 0.8612, the largest calibration gap 0.036 ->
                # 0.027 (10,000 a side: 0.9268 -> 0.9284). Of the 302 true pairs it no
                # longer meets (15 of them then below 0.5), most are Eritrean and
                # Ethiopian names in Latin script whose family field is the father's
                # name (Hewot Brhanu, father Brhanu), met by the father's own field
                # where the record gives it.
                made[names.family_from_field & ~names.chain, 3:] = -1
            data._cache[key] = made
        keys: IntArray = data._cache[key]
        return keys


#: A gap of births of a generation (days): past it, births are a level of their own
#: (:data:`INTERVAL_LABELS`), that of a parent and child who share names and places.
GENERATION = 15 * YEAR


def interval_levels(
    a: BirthIntervals,
    b: BirthIntervals,
    li: Index,
    ri: Index,
    *,
    workers: int = 1,
    generation: bool = True,
) -> Levels:
    """Levels of two sets of birth intervals by the gap between them, in days
    (:data:`INTERVAL_LABELS`; without ``generation``, :data:`DATE_LABELS`); a range is
    wide by the range its record states (:attr:`BirthIntervals.stated_hi`)."""
    stated = (
        a.hi if a.stated_hi is None else a.stated_hi,
        b.hi if b.stated_hi is None else b.stated_hi,
    )
    return kernels.interval_levels(
        (a.lo, a.hi, a.exact), (b.lo, b.hi, b.exact), li, ri, missing=MISSING, year=YEAR,
        generation=GENERATION if generation else 0, workers=workers, stated=stated,
    )  # fmt: skip


INTERVAL_LABELS = (
    "missing",
    "more than 15 years apart",
    "5 to 15 years apart",
    "2 to 5 years apart",
    "1 to 2 years apart",
    "within a year",
    "same year or age range",
    "same date",
)
#: The levels of a date that is no birth (a date of arrival, of separation), and of births
#: in a model saved before the generation level (the model's levels say so when it is
#: loaded): a gap over 5 years is one level (of births, the explanation says where it is
#: over :data:`GENERATION`).
DATE_LABELS = (
    "missing",
    "more than 5 years apart",
    "2 to 5 years apart",
    "1 to 2 years apart",
    "within a year",
    "same year or age range",
    "same date",
)


#: The words of a gap between births (a level's, or the generation note's) that the
#: explanation says "... at the closest" of a pair where either side's birth is known only
#: to a range wider than a day (an age, a year, "about 10"): the levels measure the gap
#: between the closest births the two ranges allow (:func:`kernels.interval_levels`), and
#: the births may be years further apart ("about 10" as of 2020-01-01 against born
#: 2004-06-01 is "2 to 5 years apart" at the closest, up to 6.6 years at the farthest;
#: born 1990 against born 1991 is "within a year" at the closest, a day, and up to two
#: years at the farthest). Every level that states a gap is here (not "same year or age
#: range", whose ranges meet). Words only: the levels and weights are the same.
CLOSEST_GAPS = (
    "more than 15 years apart",
    "5 to 15 years apart",
    "2 to 5 years apart",
    "1 to 2 years apart",
    "more than 5 years apart",
    "within a year",
)

#: What the explanation says of a pair "same year or age range" (two ranges at most 2 years
#: wide that overlap) where neither range holds the other: born 1989 against aged 30 on
#: 2020-06-01 (born 1989-06-02 to the end of 1990, counted from the birthday or by the
#: years) share seven months, and the births may be nearly two years apart (of two such
#: ranges, up to four). Where one holds the other (born 1990 against that age, a date in
#: the year) or the two are the same, the level's words are true. Words only: the level
#: and weight are the same.
PART_OVERLAP = "year or age ranges overlap in part"
#: What the explanation says of two full dates of one year a slip of the pen apart, which
#: meet as "same year or age range" (:func:`kernels.interval_levels`): neither holds the
#: other, but their ranges do not "overlap in part" either.
SLIPPED = "same year, the day or month written otherwise"


class IntervalComparison(Comparison):
    """Dates or ages as intervals (:func:`kernels.interval_levels`): what the levels say of
    the gap between them."""

    ordered = True

    #: Whether births a generation apart (:data:`GENERATION`) are a level of their own:
    #: false for a date that is no birth, and for births in a model saved before that
    #: level, which predicts with the levels it learned (:data:`DATE_LABELS`).
    generation = True

    #: Whether the levels are split by a brother's or sister's pattern
    #: (:class:`SiblingConditionedComparison`): a birth's, but not in a model saved before
    #: that split, which predicts with the levels it learned.
    sibling_split = False

    @property
    def labels(self) -> tuple[str, ...]:
        return INTERVAL_LABELS if self.generation else DATE_LABELS

    #: "missing" of a pair whose intervals overlap, one wider than two years (an age range
    #: "20-30", "adult", a year against a range of years): no gap, and no telling how near
    #: (as "within a year", a true pair's range weighed against it: -1.6 bits on the bundled
    #: data); without the generation level, "more than 5 years apart" of a pair a
    #: generation apart, as a parent and child may be, who share names and places; and
    #: "missing" of a pair whose intervals are apart by a year at most, one wider than two
    #: years ("child" against "adult" given the same day: under 18 and 18 or more meet),
    #: which no more tells how near the births are than an overlap does (it read "within a
    #: year").
    #: And "missing" of a pair where a record gives an age but no date it was recorded
    #: (``source_date``), so that no birth can be read from it (validation notes it).
    #: :data:`PART_OVERLAP` of a pair "same year or age range" where neither range holds
    #: the other, and :data:`SLIPPED` where those are two dates. Then each of
    #: :data:`CLOSEST_GAPS` "... at the closest".
    notes = (
        "ranges overlap (one wider than 2 years)",
        "more than 15 years apart",
        "ranges within a year of each other (one wider than 2 years)",
        "an age given without the date it was recorded",
        PART_OVERLAP,
        SLIPPED,
        *(f"{gap} at the closest" for gap in CLOSEST_GAPS),
    )

    #: The age column this comparison reads beside the date (None: a date alone).
    age_field: str | None = None

    def intervals(self, data: PreparedPair, side: int) -> BirthIntervals:
        """One side's intervals."""
        raise NotImplementedError

    def undated_ages(self, data: PreparedPair, side: int) -> npt.NDArray[np.bool_]:
        """Per record of a side, whether its birth is not known for want of the date its
        age was given on: an age and no ``source_date`` (made once)."""
        key = f"undated ages:{side}:{self.age_field}"
        if key not in data._cache:
            out = np.zeros(data.sizes[side], dtype=bool)
            age, when = data.column(side, self.age_field or ""), data.column(side, "source_date")
            if age is not None:
                given = ~blank_rows(age.to_frame())
                out = given & blank_rows(when.to_frame()) if when is not None else given
            data._cache[key] = out & (self.intervals(data, side).lo == MISSING)
        found: npt.NDArray[np.bool_] = data._cache[key]
        return found

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        return interval_levels(
            self.intervals(data, 0),
            self.intervals(data, 1),
            li,
            ri,
            workers=data.workers,
            generation=self.generation,
        )

    @property
    def far_level(self) -> int | tuple[int, ...] | None:
        # Births more than 5 years apart, which relatives a generation apart who share the
        # names fill (LinkConfig.far_birth_m); with the generation level, its two levels.
        return (1, 2) if self.generation else 1

    @property
    def generation_level(self) -> int | None:
        return 1 if self.generation else None

    def phrase_levels(self, data: PreparedPair, li: Index, ri: Index, levels: Levels) -> Levels:
        a, b = self.intervals(data, 0), self.intervals(data, 1)
        lo_a, hi_a, lo_b, hi_b = (
            x.astype(np.int64) for x in (a.lo[li], a.hi[li], b.lo[ri], b.hi[ri])
        )
        known = (lo_a != MISSING) & (lo_b != MISSING) & (levels == 0)
        apart = np.maximum(lo_a - hi_b, lo_b - hi_a)
        generation = (levels == 1) & (apart > GENERATION) & (not self.generation)
        undated = (levels == 0) & (self.undated_ages(data, 0)[li] | self.undated_ages(data, 1)[ri])
        holds = ((lo_a <= lo_b) & (hi_b <= hi_a)) | ((lo_b <= lo_a) & (hi_a <= hi_b))
        part = (levels == self.labels.index("same year or age range")) & ~holds
        slipped = part & (lo_a == hi_a) & (lo_b == hi_b)  # two dates, neither holds the other
        n = self.n_levels  # each condition's note, by its place in notes
        said = np.select(
            [known & (apart <= 0), generation, known & (apart > 0), undated, slipped, part],
            [n, n + 1, n + 2, n + 3, n + 5, n + 4],
            levels,
        )
        words = [*self.labels, *self.notes]
        closest = np.arange(len(words))  # each code's, said of births known to a range
        first = len(words) - len(CLOSEST_GAPS)  # the first "... at the closest"
        for k, gap in enumerate(CLOSEST_GAPS):
            closest[[w == gap for w in words]] = first + k
        ranged = (hi_a > lo_a) | (hi_b > lo_b)
        return np.where(ranged, closest[said], said).astype(np.int8)


class BirthComparison(IntervalComparison):
    """Date of birth, or age as of the record's date, as birth intervals."""

    age_field = "age"
    sibling_split = True

    def intervals(self, data: PreparedPair, side: int) -> BirthIntervals:
        return data.births(side)


class DateComparison(IntervalComparison):
    """Any partial-date field, compared as intervals. Validation reads a column of the
    user's own so compared as it reads ``date_of_birth`` (``LinkConfig.date_fields``):
    serials and compact dates written out, a malformed cell blanked and reported."""

    generation = False

    @property
    def far_level(self) -> int | tuple[int, ...] | None:
        return None

    def intervals(self, data: PreparedPair, side: int) -> BirthIntervals:
        return data.interval_of(side, self.spec.field, None)


class AgeComparison(IntervalComparison):
    """Any age field, as of ``source_date``, compared as birth intervals."""

    @property
    def age_field(self) -> str | None:  # type: ignore[override]
        return self.spec.field

    def intervals(self, data: PreparedPair, side: int) -> BirthIntervals:
        return data.interval_of(side, None, self.spec.field)


class ExactComparison(Comparison):
    """Same value or not (text as written, white space trimmed)."""

    ordered = True

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        return (text_column(self.spec.field),)

    labels = ("missing", "different", "same")
    fold = False

    def coded(self, data: PreparedPair) -> Coded | None:
        left, right, _ = data.text_codes(self.spec.field, fold=self.fold)

        def exact(li: Index, ri: Index) -> Levels:
            a, b = left[li], right[ri]
            return _select([(a < 0) | (b < 0), a == b], len(li))

        # Two integer compares a pair: cheaper than numbering the distinct pairs, not
        # than reading a table of a few values' pairs (sex).
        return Coded(left, right, exact, numbered=False)


class SexComparison(ExactComparison):
    """Female, male or other (:data:`~rfl_match.schema.OTHER_SEX`): other against female
    or male is missing, not different (a veto, -5.6 bits), for another organisation may
    write the same person either way; a review found X (unspecified) against a girl's
    record weighed so."""

    labels = ("missing", "different", "same")

    def coded(self, data: PreparedPair) -> Coded | None:
        left, right, words = data.text_codes(self.spec.field, fold=self.fold)
        other = int(words.find([OTHER_SEX])[0])

        def sexes(li: Index, ri: Index) -> Levels:
            a, b = left[li], right[ri]
            unsaid = (a < 0) | (b < 0) | ((a == other) != (b == other))
            return _select([unsaid, a == b], len(li))

        return Coded(left, right, sexes, numbered=False)


#: A place field that a record often fills with the place of another of its fields (a
#: place of origin that is the place of birth), and that field. A pair whose records both
#: do so agrees or differs on that one place twice, once in each field's comparison: such
#: a pair's level in the first is read as missing (it weighs nothing; the other field's
#: comparison counts the place once). In the synthetic data 83% of the records that give
#: both places give one place. Counted twice, two namesakes of one culture, drawn from
#: its few towns, gained about 3.7 bits for each field, and at 1,000,000 records a side
#: the probabilities of the pairs scored 0.6 to 0.9 overstated their share of true
#: matches by up to 0.066. Counted once (scratch fits on the speed suite's data, F1 at 0.5
#: and the largest calibration gap of the candidates scored 0.05 or more): 1,000,000 a
#: side 0.7497 / 0.0657 -> 0.7568 / 0.0350; 100,000 0.8533 / 0.0215 -> 0.8581 / 0.0410;
#: 10,000 0.9228 / 0.044 -> 0.9260 / 0.061 (under-confident now, in bins of a few
#: hundred pairs). The calibration suite (python -m benchmarks calibration): raw
#: Fellegi–Sunter's largest gap 0.100 -> 0.050, the unlabelled map's 0.022 -> 0.036,
#: with 10% reviewed 0.029 -> 0.014.
REPEATED_PLACES = {"place_of_origin": "place_of_birth"}


class StringComparison(Comparison):
    """Free text (places, other fields): romanised and folded, then graded Jaro–Winkler.

    A field of :data:`REPEATED_PLACES` reads a pair whose records both repeat in it their
    own place of its other field as missing (:attr:`once`)."""

    ordered = True

    def __init__(self, spec: ComparisonSpec) -> None:
        super().__init__(spec)
        #: Whether a place both records repeat is counted once (:data:`REPEATED_PLACES`):
        #: a model saved before it was (``Linker.load``) compares as it was fitted.
        self.once = True

    @property
    def repeated(self) -> str | None:
        """The field this one repeats where a record gives one place in both
        (:data:`REPEATED_PLACES`), if counted once."""
        return REPEATED_PLACES.get(self.spec.field) if self.once else None

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        other = self.repeated
        return (text_column(self.spec.field), *(() if other is None else (text_column(other),)))

    @property
    def notes(self) -> tuple[str, ...]:  # type: ignore[override]
        other = self.repeated
        if other is None:
            return ()
        return (f"as the {other.replace('_', ' ')}, in both records (counted there)",)

    def adjust(self, data: PreparedPair, levels: Levels, li: Index, ri: Index) -> None:
        other = self.repeated
        if other is not None:
            a, b = _repeating(data, self.spec.field, other)
            kernels.clear_both(levels, a, b, li, ri, workers=data.workers)

    def phrase_levels(self, data: PreparedPair, li: Index, ri: Index, levels: Levels) -> Levels:
        other = self.repeated
        if other is None:
            return levels
        a, b = _repeating(data, self.spec.field, other)
        noted = (levels == 0) & a[li] & b[ri]
        return np.where(noted, self.n_levels, levels).astype(np.int8)

    @property
    def thresholds(self) -> tuple[float, ...]:
        return self.spec.thresholds or (0.92, 0.8)

    @property
    def labels(self) -> tuple[str, ...]:
        graded = tuple(f"similar (≥ {t:g})" for t in sorted(self.thresholds))
        return ("missing", "different", *graded, "same")

    def coded(self, data: PreparedPair) -> Coded | None:
        left, right, vocab = data.text_codes(self.spec.field, fold=True)

        def texts(li: Index, ri: Index) -> Levels:
            a, b = left[li], right[ri]
            sim = similarity(a, b, vocab, cutoff=min(self.thresholds), workers=data.workers)
            conditions = [(a < 0) | (b < 0), a == b]
            conditions += [reaches(sim, t) for t in sorted(self.thresholds, reverse=True)]
            return _select(conditions, len(li))

        return Coded(left, right, texts)


def _repeating(
    data: PreparedPair, field: str, other: str
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Per record of each side, whether its ``field`` holds the place its ``other`` field
    holds (both folded, neither blank) (made once)."""
    key = f"repeats:{field}:{other}"
    if key not in data._cache:
        a0, a1, words = data.text_codes(field, fold=True)
        b0, b1, other_words = data.text_codes(other, fold=True)
        # each distinct folded value of the field as a code of the other's (-1: none there),
        # and last -1 for a blank value (code -1)
        mapped = np.append(other_words.find(words.words), np.int32(-1))
        data._cache[key] = tuple(
            (a >= 0) & (b >= 0) & (mapped[a] == b) for a, b in ((a0, b0), (a1, b1))
        )
    found: tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]] = data._cache[key]
    return found


#: The Dice coefficients a ``bloom`` comparison grades by (ascending), where its spec gives
#: none. Measured on the bundled synthetic data encoded by the tests' reference encoder
#: (1,024 bits, 20 hashes, the romanised tokens' bigrams): of the true pairs' own names,
#: 0.94 / 0.83 / 0.62 / 0.36 reach 0.6 / 0.7 / 0.8 / 0.9 (0.24 the same filter), of
#: random pairs 0.019 / 0.0035 / 0.0008 / under 0.0005; 0.5 is reached by 0.076 of
#: random pairs. Linked with them (the own name's, father's and mother's filters, birth
#: and sex; blocking on ``tokens:name_keys``), F1 at 0.5 with the thresholds from 0.7,
#: 0.6, 0.5 and 0.4 up in steps of 0.1: bundled data 0.752 / 0.820 / 0.839 / 0.846; a
#: synthetic 3,000 x 6,000 (seed 7), from 0.6, 0.5 and 0.4 up, 0.748 / 0.775 / 0.782.
#: With the encoder of ``rfl_match.privacy.bloom`` (whole-part features beside the
#: bigrams; its ``encoded_config``), from 0.6 / 0.5 /
#: 0.4 up: bundled data 0.854 / 0.861 / 0.878, 10,000 a side seed 7 0.761 / 0.782 / 0.795
#: and seed 8 0.760 / 0.781 / 0.796 (from 0.3 up 0.797; 0.4 to 0.95 with 0.85 and 0.95
#: too, 0.759). A true pair's names differ more as a whole than part by part, and the low
#: grades let EM weigh that.
BLOOM_THRESHOLDS = (0.4, 0.5, 0.6, 0.7, 0.8, 0.9)
#: The Dice coefficient from which a ``bloom`` comparison counts as agreeing where it
#: anchors a split (:attr:`Comparison.agreeing_level`): 0.83 of the true pairs' own
#: names and 0.80 of their fathers' reach it, 0.0035 and 0.009 of random pairs'.
ANCHOR_DICE = 0.7


class BloomComparison(Comparison):
    """A keyed Bloom filter of names (the encoded record format of ``rfl_match.privacy``:
    the party that links sees no name), graded by the Dice coefficient of the two filters,
    ``2 |A and B| / (|A| + |B|)``. Each distinct text is decoded once, and each distinct
    pair of filters compared once (:class:`Coded`).

    With ``term_frequency``, the same filter (the same names, encoded alike) weighs by how
    common that filter is among both inputs' records, as a shared common name does.
    """

    #: The frequency is the filter's ("a common encoding", as its level says "same
    #: encoding"): the party that links sees no name, and a filter may encode more.
    frequency_of = "encoding"

    ordered = True

    def reads(self) -> tuple[tuple[str, str | None], ...]:
        return (text_column(self.spec.field),)

    @property
    def thresholds(self) -> tuple[float, ...]:
        return tuple(sorted(self.spec.thresholds or BLOOM_THRESHOLDS))

    @property
    def labels(self) -> tuple[str, ...]:
        graded = tuple(f"encodings alike (Dice ≥ {t:g})" for t in self.thresholds)
        return ("missing", "different", *graded, "same encoding")

    def coded(self, data: PreparedPair) -> Coded | None:
        left, right, table = data.filters(self.spec.field)
        thresholds = self.thresholds

        def filters(li: Index, ri: Index) -> Levels:
            a, b = left[li], right[ri]
            sim = np.zeros(len(li), dtype=np.float32)
            rows = np.flatnonzero((a >= 0) & (b >= 0) & (a != b))
            sim[rows] = dice(table, a[rows], table, b[rows])
            conditions = [(a < 0) | (b < 0), (a == b) | (sim >= 1.0)]
            conditions += [sim >= t for t in reversed(thresholds)]
            return _select(conditions, len(li))

        return Coded(left, right, filters)

    @property
    def agreeing_level(self) -> int:
        """As an anchor: a Dice coefficient of :data:`ANCHOR_DICE` or more (the level of
        the first threshold that reaches it), else the same encoding."""
        reached = [k for k, t in enumerate(self.thresholds) if t >= ANCHOR_DICE]
        return 2 + reached[0] if reached else self.n_levels - 1

    def term_frequencies(self, data: PreparedPair) -> TermFrequencies | None:
        if not self.spec.term_frequency:
            return None
        key = f"filter frequency:{self.spec.field}"
        left, right, table = data.filters(self.spec.field)
        frequency, records = _frequency(data, key, left, right, len(table.widths))
        return TermFrequencies(self.tf_levels, left, right, frequency, key, records)

    @property
    def tf_levels(self) -> tuple[int, ...]:
        """The same encoding."""
        return (self.n_levels - 1,)

    notes = UNENCODED_NOTES

    def phrase_levels(self, data: PreparedPair, li: Index, ri: Index, levels: Levels) -> Levels:
        left, right, _ = data.filters(self.spec.field)
        out = levels.copy()
        _say_none(left[li] < 0, right[ri] < 0, levels, out, self.n_levels)
        return out


class NumericComparison(Comparison):
    """Numbers: levels by absolute difference (thresholds, smallest first)."""

    ordered = True

    @property
    def thresholds(self) -> tuple[float, ...]:
        return tuple(sorted(self.spec.thresholds or (0.0, 1.0, 5.0)))

    @property
    def labels(self) -> tuple[str, ...]:
        graded = tuple("same" if t == 0 else f"within {t:g}" for t in reversed(self.thresholds))
        return ("missing", "different", *graded)

    def _values(self, data: PreparedPair, side: int) -> npt.NDArray[np.float64]:
        key = f"numeric:{side}:{self.spec.field}"
        if key not in data._cache:
            column = data.column(side, self.spec.field)
            if column is None:
                data._cache[key] = np.full(data.sizes[side], np.nan)
            else:
                data._cache[key] = pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64)
        values: npt.NDArray[np.float64] = data._cache[key]
        return values

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        a = self._values(data, 0)[li]
        b = self._values(data, 1)[ri]
        diff = np.abs(a - b)
        conditions = [np.isnan(diff)] + [diff <= t for t in self.thresholds]
        return _select(conditions, len(li))


_REGISTRY: dict[str, type[Comparison]] = {
    "given_name": GivenNameComparison,
    "family_name": FamilyNameComparison,
    "name": NameChainComparison,
    "birth": BirthComparison,
    "date": DateComparison,
    "age": AgeComparison,
    "exact": ExactComparison,
    "sex": SexComparison,
    "string": StringComparison,
    "numeric": NumericComparison,
    "bloom": BloomComparison,
}


def build_comparison(spec: ComparisonSpec) -> Comparison:
    """The comparison object for a spec (kinds are checked by LinkConfig)."""
    return _REGISTRY[spec.kind](spec)


#: The parents' names whose agreement weighs by how common the name is, by default. At
#: 100,000 records a side (the speed suite's data, scratch fits) strangers of one culture
#: scored as matches where they shared a common father's and mother's name: among those
#: agreeing on the mother's name, false matches' names were three times as common as
#: true ones' (median share of records 0.0054 against 0.0018). Weighed, F1 there 0.8612
#: -> 0.8642 and at 1,000,000 a side 0.7616 -> 0.7676. The grandfather's name is left
#: out: on the quality set it moved F1 by 0.0004, for one more column in the fit's count
#: of term-frequency rows. Only where the fit splits the parents' names by the family
#: name's agreement (``condition_on``, the default): unsplit, a sibling's shared rare
#: father reads as a rare agreement, and on 20,000 x 40,000 records (seed 5) the largest
#: calibration gap rose from 0.117 to 0.136 and F1 fell from 0.874 to 0.872 (split:
#: 0.038 -> 0.019, F1 0.888 either way; scratch fits).
PARENTS_BY_FREQUENCY = ("father_name", "mother_name")


def default_specs(
    left_columns: Sequence[str],
    right_columns: Sequence[str],
    *,
    term_frequency: bool,
    split: bool = True,
) -> list[ComparisonSpec]:
    """The default RFL comparisons for the canonical fields present in both inputs.
    ``split``: whether the fit splits comparisons by an anchor's agreement
    (``condition_on``); unsplit, the parents' names do not weigh by frequency
    (:data:`PARENTS_BY_FREQUENCY`)."""
    both = set(left_columns) & set(right_columns)
    left_set, right_set = set(left_columns), set(right_columns)
    specs: list[ComparisonSpec] = []
    named = {"full_name", "given_name", "family_name"}
    if left_set & named and right_set & named:
        specs.append(
            ComparisonSpec("name", "given_name", name="given_name", term_frequency=term_frequency)
        )
        specs.append(
            ComparisonSpec("name", "family_name", name="family_name", term_frequency=term_frequency)
        )
    births = {"date_of_birth", "age"}
    if left_set & births and right_set & births:
        specs.append(ComparisonSpec("birth", "birth", name="birth"))
    if "sex" in both:
        specs.append(ComparisonSpec("sex", "sex"))
    for parent in ("father_name", "mother_name", "grandfather_name"):
        if parent in both:
            weighed = term_frequency and split and parent in PARENTS_BY_FREQUENCY
            specs.append(ComparisonSpec(parent, "name", term_frequency=weighed))
    for place in ("place_of_birth", "place_of_origin", "last_known_location", "nationality"):
        if place in both:
            specs.append(ComparisonSpec(place, "string"))
    return specs


def level_matrix(
    comparisons: Sequence[Comparison], data: PreparedPair, li: Index, ri: Index
) -> npt.NDArray[np.int8]:
    """Pairs x comparisons matrix of level codes: the :meth:`Comparison.coded` ones
    together (:func:`code_levels`), then each other one. How many distinct pairs of codes
    each comparison hashed is kept with ``data``, for the next chunk of its pairs."""
    out = np.empty((len(li), len(comparisons)), dtype=np.int8)
    li, ri = np.ascontiguousarray(li, dtype=np.intp), np.ascontiguousarray(ri, dtype=np.intp)
    coded = [(c, comparison.coded(data)) for c, comparison in enumerate(comparisons)]
    together = [(c, one) for c, one in coded if one is not None]
    columns = [c for c, _ in together]
    counts: dict[str, int] = data._cache.setdefault("hashed code pairs", {})
    hashed = {c: counts[comparisons[c].name] for c in columns if comparisons[c].name in counts}
    code_levels(
        [one for _, one in together], li, ri, out, columns, workers=data.workers, hashed=hashed
    )
    counts.update({comparisons[c].name: n for c, n in hashed.items()})
    for c, one in coded:
        if one is None:
            out[:, c] = comparisons[c].levels(data, li, ri)
        else:
            comparisons[c].adjust(data, out[:, c], li, ri)
    # The split comparisons: a known level whose anchor agrees moves to the second half
    # (gains the comparison's offset), every split column of one anchor in one pass.
    names = [comparison.name for comparison in comparisons]
    by_anchor: dict[int, list[tuple[int, int]]] = {}
    # The anchor's agreeing level as the split comparisons hold it (what unsplit reads too:
    # one source; Linker builds them with the anchor's own agreeing_level).
    agreeing_of: dict[int, int] = {}
    for c, comparison in enumerate(comparisons):
        if isinstance(comparison, SiblingConditionedComparison):
            continue
        if isinstance(comparison, ConditionedComparison) and comparison.anchor in names:
            at = names.index(comparison.anchor)
            by_anchor.setdefault(at, []).append((c, comparison.offset))
            agreeing_of.setdefault(at, comparison.anchor_agreeing)
    for anchor, split in by_anchor.items():
        columns, offsets = np.array(split, dtype=np.int64).T
        agreeing = agreeing_of[anchor]
        kernels.split_levels(out, anchor, columns, offsets, agreeing, data.workers)
    # Then the split by a brother's or sister's pattern, read off the family name's split.
    for c, comparison in enumerate(comparisons):
        if isinstance(comparison, SiblingConditionedComparison):
            found = comparison.siblings(out, comparisons)
            if found is not None:
                rows = np.flatnonzero(found & (out[:, c] > 0))
                out[rows, c] += comparison.offset
    return out
