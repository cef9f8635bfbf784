"""Comparisons: pairs of records -> small integer comparison levels.

A comparison is an ordered list of levels: 0 is always "missing" (either side unknown;
weight 0), 1 is the weakest agreement ("different"), the highest is the strongest.
``levels`` works on whole arrays of pair indices: integer equality with numpy, string
similarity with rapidfuzz on each *distinct* pair of values once.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz import process
from rapidfuzz.distance import JaroWinkler

from rfl_match.config import ComparisonSpec
from rfl_match.dates import MISSING, BirthIntervals
from rfl_match.prepare import MAX_CHAIN, NameParts, PreparedPair, Vocabulary

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
    ``cutoff``, pairs that cannot reach it get 0 without a string comparison: Jaro counts
    matching characters, which cannot exceed the letters the two words share, so
    ``(shared/len_a + shared/len_b + 1) / 3`` bounds Jaro and ``0.4 + 0.6 * bound`` bounds
    Jaro–Winkler. On candidate pairs this skips most of the string work.
    """
    words = vocab if isinstance(vocab, Vocabulary) else Vocabulary(vocab)
    out = np.zeros(len(left), dtype=np.float32)
    todo = (left >= 0) & (right >= 0)
    same = todo & (left == right)
    out[same] = 1.0
    todo &= ~same
    if not todo.any():
        return out
    width = np.int64(max(len(words), 1))
    keys = left[todo].astype(np.int64) * width + right[todo].astype(np.int64)
    codes, uniques = pd.factorize(keys, sort=False)
    qa, qb = uniques // width, uniques % width
    sims = np.zeros(len(uniques), dtype=np.float32)
    check = np.ones(len(uniques), dtype=bool)
    if cutoff > 0:
        bags, lengths = words.letter_bags()
        shared = np.minimum(bags[qa], bags[qb]).sum(axis=1, dtype=np.int32)
        bound = (shared / lengths[qa] + shared / lengths[qb] + 1.0) / 3.0
        check = 0.4 + 0.6 * bound >= cutoff - 1e-6
    if check.any():
        strings = words.array()
        sims[check] = process.cpdist(
            strings[qa[check]],
            strings[qb[check]],
            scorer=JaroWinkler.normalized_similarity,
            score_cutoff=cutoff or None,
            workers=workers,
            dtype=np.float32,
        )
    out[todo] = sims[codes]
    return out


@dataclass(frozen=True, slots=True)
class TermFrequencies:
    """Per-pair values whose frequency adjusts the weight of some levels."""

    levels: tuple[int, ...]
    values: npt.NDArray[np.int32]  # the agreed value's code per pair, -1 where none
    frequency: npt.NDArray[np.float64]  # share of records holding each code


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

    @abstractmethod
    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        """Level of each pair ``(li[k], ri[k])``."""

    def term_frequencies(self, data: PreparedPair, li: Index, ri: Index) -> TermFrequencies | None:
        """Values that adjust the weight of exact agreements, if this comparison uses them."""
        return None

    def describe(self, level: int) -> str:
        return self.labels[level]

    @property
    def n_levels(self) -> int:
        return len(self.labels)


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


def _same_class(a: IntArray, b: IntArray) -> npt.NDArray[np.bool_]:
    same: npt.NDArray[np.bool_] = (a == b) & (a >= 0)
    return same


def _sound_alike(a: NameParts, b: NameParts) -> npt.NDArray[np.bool_]:
    """Position by position: same class, or same consonant skeleton or phonetic key."""
    return (
        _same_class(a.classes, b.classes)
        | _same_class(a.skeletons, b.skeletons)
        | _same_class(a.phonetics, b.phonetics)
    )


def _cross_sound_alike(a: NameParts, b: NameParts) -> npt.NDArray[np.bool_]:
    """``(n, C, C)``: part i of a sounds like part j of b."""
    out = np.zeros((len(a.classes), MAX_CHAIN, MAX_CHAIN), dtype=bool)
    for x, y in ((a.classes, b.classes), (a.skeletons, b.skeletons), (a.phonetics, b.phonetics)):
        out |= (x[:, :, None] == y[:, None, :]) & (x[:, :, None] >= 0)
    return out


def _chain_levels(a: NameParts, b: NameParts) -> tuple[npt.NDArray[np.bool_], ...]:
    """Conditions shared by the chain comparisons: missing, same names (by class), one a
    shortened form of the other, same names in another order, all parts sound alike, one
    part in common; and the part counts."""
    la = (a.classes >= 0).sum(axis=1)
    lb = (b.classes >= 0).sum(axis=1)
    missing = (la == 0) | (lb == 0)
    both_empty = (a.classes < 0) & (b.classes < 0)
    eq_pos = _same_class(a.classes, b.classes) | both_empty
    same = eq_pos.all(axis=1) & ~missing
    shorter = np.minimum(la, lb)
    prefix = np.cumprod(eq_pos & (a.classes >= 0), axis=1).sum(axis=1)
    truncated = (prefix >= shorter) & (la != lb) & (shorter > 0)
    cross = (a.classes[:, :, None] == b.classes[:, None, :]) & (a.classes[:, :, None] >= 0)
    reordered = (cross.any(axis=2).sum(axis=1) == la) & (cross.any(axis=1).sum(axis=1) == lb)
    reordered &= (la == lb) & ~missing
    sounds = (_sound_alike(a, b) | both_empty).all(axis=1) & ~missing
    common: npt.NDArray[np.bool_] = np.asarray(_cross_sound_alike(a, b).any(axis=(1, 2)))
    return missing, same, truncated, reordered, sounds, common


class GivenNameComparison(Comparison):
    """The person's given name (first name part), with a level for given/family swapped."""

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

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        a = data.person_names(0)
        b = data.person_names(1)
        ta, tb = a.tokens[li, 0], b.tokens[ri, 0]
        pa, pb = a.parts.take(li), b.parts.take(ri)
        missing = (ta < 0) | (tb < 0)
        sim = similarity(ta, tb, data.tokens, cutoff=0.80, workers=data.workers)
        alike = _sound_alike(pa, pb)
        cross = _cross_sound_alike(pa, pb)
        swapped = cross[:, 0, 1] & cross[:, 1, 0] & ~alike[:, 0]
        return _select(
            [
                missing,
                ta == tb,
                _same_class(pa.classes[:, 0], pb.classes[:, 0]),
                alike[:, 0],
                sim >= 0.92,
                swapped,
                sim >= 0.80,
            ],
            len(li),
        )

    def term_frequencies(self, data: PreparedPair, li: Index, ri: Index) -> TermFrequencies | None:
        if not self.spec.term_frequency:
            return None
        ca = data.person_names(0).classes[li, 0]
        cb = data.person_names(1).classes[ri, 0]
        values = np.where(ca == cb, ca, -1).astype(np.int32)
        return TermFrequencies(self.tf_levels, values, _class_frequency(data, "given"))


class FamilyNameComparison(Comparison):
    """The rest of the person's name: family names, or a patronymic chain.

    Order matters: in a chain (Somali, Arabic, Habesha) "Farah Hassan" and "Hassan Farah"
    are different generations, so same names in another order rank below a truncation.
    """

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

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        a = data.person_names(0)
        b = data.person_names(1)
        missing, same, truncated, reordered, sounds, common = _chain_levels(
            a.family.take(li), b.family.take(ri)
        )
        sim = similarity(a.text[li], b.text[ri], data.texts, cutoff=0.9, workers=data.workers)
        return _select([missing, same, truncated, reordered, sounds, sim >= 0.9, common], len(li))

    def term_frequencies(self, data: PreparedPair, li: Index, ri: Index) -> TermFrequencies | None:
        if not self.spec.term_frequency:
            return None
        ca = data.person_names(0).family.classes[li, 0]
        cb = data.person_names(1).family.classes[ri, 0]
        values = np.where(ca == cb, ca, -1).astype(np.int32)
        return TermFrequencies(self.tf_levels, values, _class_frequency(data, "family"))


def _class_frequency(data: PreparedPair, part: str) -> npt.NDArray[np.float64]:
    """Share of records on both sides whose given (or first family) name is each class."""
    key = f"freq:{part}"
    cached = data._cache.get(key)
    if cached is None:
        counts = np.zeros(len(data.classes) + 1, dtype=np.float64)
        total = 0
        for side in (0, 1):
            names = data.person_names(side)
            col = names.classes[:, 0] if part == "given" else names.family.classes[:, 0]
            col = col[col >= 0]
            counts[: len(data.classes)] += np.bincount(col, minlength=len(data.classes))
            total += len(col)
        cached = counts / max(total, 1)
        data._cache[key] = cached
    result: npt.NDArray[np.float64] = cached
    return result


class NameChainComparison(Comparison):
    """Any name field compared as a chain of name parts (a parent's name, an extra field).

    For ``father_name`` a further level: the father's name given on one side is the second
    name of the person's chain on the other (a Somali or Arabic child's second name).
    """

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

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        _, pa, xa = data.chain_tokens(0, self.spec.field)
        _, pb, xb = data.chain_tokens(1, self.spec.field)
        pa, pb, xa, xb = pa.take(li), pb.take(ri), xa[li], xb[ri]
        missing, same, truncated, _, sounds, common = _chain_levels(pa, pb)
        sim = similarity(xa, xb, data.texts, cutoff=0.9, workers=data.workers)
        conditions = [missing, (xa == xb) & (xa >= 0), same, truncated]
        if self._cross:
            second_a = data.person_names(0).parts.take(li)
            second_b = data.person_names(1).parts.take(ri)
            # The father's given name against the second part of the other's own name.
            first_a = NameParts(pa.classes[:, :1], pa.skeletons[:, :1], pa.phonetics[:, :1])
            first_b = NameParts(pb.classes[:, :1], pb.skeletons[:, :1], pb.phonetics[:, :1])
            chain = (
                _sound_alike(first_a, _column(second_b, 1))[:, 0]
                | _sound_alike(first_b, _column(second_a, 1))[:, 0]
            )
            conditions.append(chain)
            # A father's name on one side only still meets the other's name chain.
            conditions[0] = missing & ~chain
        conditions += [sounds, sim >= 0.9, common]
        return _select(conditions, len(li))


def _column(parts: NameParts, k: int) -> NameParts:
    return NameParts(
        parts.classes[:, k : k + 1], parts.skeletons[:, k : k + 1], parts.phonetics[:, k : k + 1]
    )


def interval_levels(a: BirthIntervals, b: BirthIntervals, li: Index, ri: Index) -> Levels:
    """Levels of two sets of birth intervals by the gap between them, in days."""
    lo_a, hi_a, ex_a = a.lo[li].astype(np.int64), a.hi[li].astype(np.int64), a.exact[li]
    lo_b, hi_b, ex_b = b.lo[ri].astype(np.int64), b.hi[ri].astype(np.int64), b.exact[ri]
    missing = (lo_a == MISSING) | (lo_b == MISSING)
    gap = np.maximum(np.maximum(lo_a - hi_b, lo_b - hi_a), 0)
    narrow = np.maximum(hi_a - lo_a, hi_b - lo_b) <= 2 * YEAR
    exact = ex_a & ex_b & (lo_a == lo_b)
    return _select(
        [missing, exact, (gap == 0) & narrow, gap <= YEAR, gap <= 2 * YEAR, gap <= 5 * YEAR],
        len(li),
    )


INTERVAL_LABELS = (
    "missing",
    "more than 5 years apart",
    "2 to 5 years apart",
    "1 to 2 years apart",
    "within a year",
    "same year or age range",
    "same date",
)


class BirthComparison(Comparison):
    """Date of birth, or age as of the record's date, as birth intervals."""

    labels = INTERVAL_LABELS

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        return interval_levels(data.births(0), data.births(1), li, ri)


class DateComparison(Comparison):
    """Any partial-date field, compared as intervals."""

    labels = INTERVAL_LABELS

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        a = data.interval_of(0, self.spec.field, None)
        b = data.interval_of(1, self.spec.field, None)
        return interval_levels(a, b, li, ri)


class AgeComparison(Comparison):
    """Any age field, as of ``source_date``, compared as birth intervals."""

    labels = INTERVAL_LABELS

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        a = data.interval_of(0, None, self.spec.field)
        b = data.interval_of(1, None, self.spec.field)
        return interval_levels(a, b, li, ri)


class ExactComparison(Comparison):
    """Same value or not (text as written, white space trimmed)."""

    labels = ("missing", "different", "same")
    fold = False

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        left, right, _ = data.text_codes(self.spec.field, fold=self.fold)
        a, b = left[li], right[ri]
        return _select([(a < 0) | (b < 0), a == b], len(li))


class SexComparison(ExactComparison):
    labels = ("missing", "different", "same")


class StringComparison(Comparison):
    """Free text (places, other fields): romanised and folded, then graded Jaro–Winkler."""

    @property
    def thresholds(self) -> tuple[float, ...]:
        return self.spec.thresholds or (0.92, 0.8)

    @property
    def labels(self) -> tuple[str, ...]:
        graded = tuple(f"similar (≥ {t:g})" for t in sorted(self.thresholds))
        return ("missing", "different", *graded, "same")

    def levels(self, data: PreparedPair, li: Index, ri: Index) -> Levels:
        left, right, vocab = data.text_codes(self.spec.field, fold=True)
        a, b = left[li], right[ri]
        sim = similarity(a, b, vocab, cutoff=min(self.thresholds), workers=data.workers)
        conditions = [(a < 0) | (b < 0), a == b]
        conditions += [sim >= t for t in sorted(self.thresholds, reverse=True)]
        return _select(conditions, len(li))


class NumericComparison(Comparison):
    """Numbers: levels by absolute difference (thresholds, smallest first)."""

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
}


def build_comparison(spec: ComparisonSpec) -> Comparison:
    """The comparison object for a spec (kinds are checked by LinkConfig)."""
    return _REGISTRY[spec.kind](spec)


def default_specs(
    left_columns: Sequence[str], right_columns: Sequence[str], *, term_frequency: bool
) -> list[ComparisonSpec]:
    """The default RFL comparisons for the canonical fields present in both inputs."""
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
            specs.append(ComparisonSpec(parent, "name"))
    for place in ("place_of_birth", "place_of_origin", "last_known_location", "nationality"):
        if place in both:
            specs.append(ComparisonSpec(place, "string"))
    return specs


def level_matrix(
    comparisons: Sequence[Comparison], data: PreparedPair, li: Index, ri: Index
) -> npt.NDArray[np.int8]:
    """Pairs x comparisons matrix of level codes."""
    out = np.empty((len(li), len(comparisons)), dtype=np.int8)
    for c, comparison in enumerate(comparisons):
        out[:, c] = comparison.levels(data, li, ri)
    return out
