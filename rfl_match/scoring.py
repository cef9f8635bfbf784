"""Fellegi–Sunter scoring: m and u probabilities, EM on level patterns, match weights.

u (the chance of each level among non-matches) comes from random pairs; m (among matches)
and the prior λ from EM over the *counts of distinct level patterns*, so that a hundred
million pairs cost no more than the few thousand patterns they collapse to; or from
reviewed pairs. Optionally (``non_match_classes`` 2) a second EM splits the non-matches
into relatives and namesakes (:mod:`rfl_match.mixture`). A pair's match weight is log2 of
the prior odds plus the sum of each comparison's log2 Bayes factor (and, with the two
classes, the combination term of its whole pattern); its probability is the weight read
through the model's calibration (:mod:`rfl_match.calibration`), since the sum assumes the
comparisons are independent given match status and a person's fields are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from rfl_match.arrays import ROW_BLOCK
from rfl_match.calibration import IDENTITY, WeightCalibration
from rfl_match.kernels import code_rows, level_sums, pattern_sums, row_codes, tally
from rfl_match.mixture import FLOOR as _FLOOR
from rfl_match.mixture import (
    Groups,
    NonMatchClasses,
    agree_strongly,
    each_group,
    group_of,
    normalise,
    unsplit_patterns,
)
from rfl_match.warn import warn

FloatArray = npt.NDArray[np.float64]
# The term-frequency adjustment moves a weight by at most this many bits either way.
TF_MAX_BITS = 5.0
# The term-frequency map among candidates (candidate_tf_map) starts from this many
# pseudo-matches spread as the all-records adjustment would spread them, so that a few
# matches move it little; at 20k x 40k a name comparison carries some 10,000.
TF_PRIOR_MATCHES = 100.0


class ScoringError(ValueError):
    """The data cannot train a model (no pairs, no variation); the message says why."""


class NoCandidatePairs(ScoringError):
    """Blocking found no pair to learn from: no record of one side shares a blocking key
    with one of the other (or, in one list, with another). A result, not a fault of the
    data: nothing resembles anything, so there is nothing to propose."""


def pattern_codes(levels: npt.NDArray[np.int8], n_levels: tuple[int, ...]) -> npt.NDArray[np.int64]:
    """One integer per row of a level matrix (mixed radix): equal rows, equal codes, and
    codes sort as :func:`decode_patterns` expects."""
    return row_codes(levels, np.cumprod([1, *n_levels[:-1]], dtype=np.int64))


def decode_patterns(
    codes: npt.NDArray[np.int64], n_levels: tuple[int, ...]
) -> npt.NDArray[np.int8]:
    """The level rows of pattern codes (the inverse of :func:`pattern_codes`)."""
    radix = np.cumprod([1, *n_levels[:-1]], dtype=np.int64)[: len(n_levels)]
    return code_rows(codes, radix, np.asarray(n_levels, dtype=np.int64))


def pattern_counts(
    levels: npt.NDArray[np.int8], n_levels: tuple[int, ...]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Distinct rows of a level matrix and how often each occurs."""
    patterns, counts, _ = pattern_index(levels, n_levels)
    return patterns, counts


def pattern_index(
    levels: npt.NDArray[np.int8], n_levels: tuple[int, ...]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
    """Distinct rows of a level matrix (ascending by code), how often each occurs, and
    each row's index among them."""
    if len(levels) == 0:
        empty = levels.reshape(0, len(n_levels))
        return empty, np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int32)
    uniq, counts, inverse = tally(pattern_codes(levels, n_levels))
    return decode_patterns(uniq, n_levels), counts, inverse


def level_shares(
    levels: npt.NDArray[np.int8],
    n_levels: int,
    weights: npt.NDArray[np.float64] | None = None,
    groups: npt.NDArray[np.int8] | None = None,
) -> FloatArray:
    """Share of each non-missing level (index 0, missing, stays 0), smoothed off zero
    (within each of ``groups``, :func:`rfl_match.mixture.normalise`)."""
    counts = np.bincount(levels.astype(np.intp), weights=weights, minlength=n_levels)
    return normalise(counts.astype(np.float64), groups)


def starting_m(
    n_levels: int,
    groups: npt.NDArray[np.int8] | None = None,
    shown: npt.NDArray[np.bool_] | None = None,
) -> FloatArray:
    """Starting m: most matches at the strongest level, geometrically less below (within
    each of ``groups``). ``shown``: per level, whether any pair shows it; the shares then
    run over the levels shown only (within a group that shows none, over all of it)."""
    shares = np.zeros(n_levels)
    for at in each_group(groups) or [np.arange(1, n_levels)]:
        if shown is not None and shown[at].any():
            at = at[shown[at]]
        shares[at] = 0.5 ** np.arange(len(at))[::-1]
    return normalise(shares, groups)


def one_match(n_levels: int) -> FloatArray:
    """One match spread evenly over the levels above missing: a pseudo-count on m that
    keeps a level no training match shows off the floor (without it, a small caseload
    whose matches never disagree on sex weighs a disagreement as a veto: about -18
    bits at 100 records a side)."""
    out = np.zeros(n_levels)
    out[1:] = 1.0 / max(n_levels - 1, 1)
    return out


def monotone_m(
    m: FloatArray, u: FloatArray, groups: npt.NDArray[np.int8] | None = None
) -> FloatArray:
    """m of a comparison whose levels run from least to most agreement (within each of
    ``groups``), made so that its weight ``log2(m / u)`` never falls from one known level
    to the next: adjacent levels that would (pool adjacent violators) share the weight of
    their sums, each level's m its share of the pool's m in proportion to its u. m's sum
    over a pool, and u, stay as learned. Among the candidates a near agreement can be
    commoner among non-matches than a farther one (the budget admits namesakes born
    within a year), and then weighs less; a tracing officer would read near counted as
    worse than far.

    >>> m = np.array([0.0, 0.1, 0.2, 0.1, 0.6]); u = np.array([0.0, 0.4, 0.2, 0.3, 0.1])
    >>> np.round(monotone_m(m, u), 3).tolist()  # levels 2 and 3 pool: 0.3 / 0.5 each
    [0.0, 0.1, 0.12, 0.18, 0.6]
    """
    out = m.astype(np.float64).copy()
    for at in each_group(groups) or [np.arange(1, len(m))]:
        # pools of adjacent levels: [first, last) of ``at``, their m and their u
        pools: list[tuple[int, int, float, float]] = []
        for k, level in enumerate(at.tolist()):
            first, m_sum, u_sum = k, float(m[level]), float(u[level])
            # merged with the pool below while that weighs more (cross-multiplied: m or
            # u may be 0)
            while pools and pools[-1][2] * u_sum > m_sum * pools[-1][3]:
                below = pools.pop()
                first, m_sum, u_sum = below[0], below[2] + m_sum, below[3] + u_sum
            pools.append((first, k + 1, m_sum, u_sum))
        for first, last, m_sum, u_sum in pools:
            if last - first > 1 and u_sum > 0:
                rows = at[first:last]
                out[rows] = m_sum * u[rows] / u_sum
    return out


def bounded_m(m: FloatArray, u: FloatArray, bounds: Sequence[tuple[int, int]]) -> FloatArray:
    """m made so that each ``(level, above)`` of ``bounds`` has ``level``'s weight
    ``log2(m / u)`` at most ``above``'s: where one would not, the two levels' pools are
    merged (every level of the merged pool weighs the pool's m over its u, each its share of
    the pool's m in proportion to its u; m's sum and u stay as learned), and the bounds are
    read again until all hold: each merge leaves one pool fewer, so it ends.

    >>> m = np.array([0.0, 0.1, 0.4, 0.5]); u = np.array([0.0, 0.8, 0.01, 0.19])
    >>> np.round(bounded_m(m, u, [(2, 3)]), 3).tolist()  # 2 outweighed 3: one weight now
    [0.0, 0.1, 0.045, 0.855]
    >>> m, u = np.array([0.0, 0.1, 0.3, 0.2, 0.4]), np.array([0.0, 0.97, 0.01, 0.01, 0.01])
    >>> w = np.log2(bounded_m(m, u, [(2, 3), (3, 4)])[2:] / u[2:])  # a chain: 2 <= 3 <= 4
    >>> bool(w[0] <= w[1] + 1e-9 <= w[2] + 2e-9)
    True
    """
    out = m.astype(np.float64).copy()
    pool = np.arange(len(m))  # each level's pool: levels of one pool weigh alike
    merged = True
    while merged:
        merged = False
        for level, above in bounds:
            low, high = pool == pool[level], pool == pool[above]
            if pool[level] == pool[above]:
                continue
            m_low, u_low, m_high, u_high = (
                out[low].sum(),
                u[low].sum(),
                out[high].sum(),
                u[high].sum(),
            )
            # cross-multiplied, with a margin for the rounding of a pool's shares
            if m_low * u_high > m_high * u_low * (1 + 1e-12) and u_low + u_high > 0:
                both = low | high
                out[both] = (m_low + m_high) * u[both] / (u_low + u_high)
                pool[both] = pool[above]
                merged = True
    return out


def tf_bounded_levels(
    n_levels: int, bounds: Sequence[tuple[int, int]], tf_levels: Sequence[int]
) -> npt.NDArray[np.bool_]:
    """Per level, whether a term-frequency level bounds it, directly or through a chain
    of ``bounds`` (:func:`bounded_m`), itself being none.

    A term-frequency level's weight moves with the value agreed on (:func:`tf_adjustment`:
    a common name's variants weigh less, a rare name's more); a weaker kind of agreement
    holds no one value (Khalil against Khalid: near spellings of two names). A pair at
    such a level adds the bits an agreement at the bounding level would add on the more
    common of its two values, as Splink reads a fuzzy level's term frequency off the more
    frequent value: with m bounded, it then weighs at most what that agreement would
    (Khalid against Khalil at most as Khalid against Khaled, variants of one common name).

    >>> tf_bounded_levels(5, [(2, 4), (3, 2)], [4]).tolist()  # 3 under 4 through 2
    [False, False, True, True, False]
    """
    above: dict[int, set[int]] = {}
    for level, bound in bounds:
        above.setdefault(level, set()).add(bound)
    out = np.zeros(n_levels, dtype=bool)
    for level in range(n_levels):
        reached, stack = set(), list(above.get(level, ()))
        while stack:
            at = stack.pop()
            if at not in reached:
                reached.add(at)
                stack.extend(above.get(at, ()))
        out[level] = level not in tf_levels and any(at in tf_levels for at in reached)
    return out


def seed_parameters(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    n_levels: tuple[int, ...],
    groups: Groups = None,
    base: Sequence[npt.NDArray[np.int8]] | None = None,
) -> tuple[list[FloatArray], list[FloatArray], float] | None:
    """Starting m, u and prior from the pairs that agree strongly on everything known.

    A pattern is a seed match when every comparison that is not missing sits at one of its
    two strongest levels (the strongest, for a comparison with only one level above
    "different"), and at least two are known. EM started from these shares finds
    the matches; started blind, it can settle on another split of the candidates (people
    of one family, or of one birth year). None when there are too few seeds.

    ``groups`` and ``base``: the comparisons' level groups and their levels unsplit
    (``Comparison.base_levels``), for comparisons split by another's agreement: a level
    agrees strongly as its unsplit one does.
    """
    seed = agree_strongly(*unsplit_patterns(patterns, n_levels, base))
    w = counts.astype(np.float64)
    # The seeds and the others taken once, not once per comparison.
    seeds, others, w_seeds, w_others = patterns[seed], patterns[~seed], w[seed], w[~seed]
    if w_seeds.sum() < 5 or w_others.sum() < 5:
        return None
    m = [level_shares(seeds[:, c], n, w_seeds, group_of(groups, c)) for c, n in enumerate(n_levels)]
    u = [
        level_shares(others[:, c], n, w_others, group_of(groups, c)) for c, n in enumerate(n_levels)
    ]
    prior = float(w_seeds.sum() / w.sum())
    return m, u, prior


@dataclass
class EMResult:
    m: list[FloatArray]
    u: list[FloatArray]
    prior: float
    iterations: int
    converged: bool


#: A hold on m (:func:`hold_m_at_most`): a level, or levels together, and the most m they
#: take.
Hold = tuple[int | tuple[int, ...], float]


def hold_m_at_most(
    m: FloatArray,
    level: int | tuple[int, ...],
    ceiling: float,
    groups: npt.NDArray[np.int8] | None = None,
) -> FloatArray:
    """m with ``level`` at most ``ceiling`` (levels: their sum): where it is above, it is
    set to the ceiling (levels: scaled to it, their ratios kept) and the other levels above
    missing are scaled to make up the rest (their ratios kept, the sum still 1); at or
    below, or with no other level above missing to take the rest, m as it is. With
    ``groups`` (each level's, ``Comparison.level_groups``), the others are those of the
    held levels' group, whose sum stays 1."""
    held = list(level) if isinstance(level, tuple) else [level]
    others = np.ones(len(m), dtype=np.bool_)
    if groups is not None:
        others = groups == groups[held[0]]
    others[[0, *held]] = False
    total = float(m[held].sum())
    if total <= ceiling or not others.any():
        return m
    out = m.copy()
    rest = out[others].sum()
    if rest > 0:
        out[others] *= (1.0 - ceiling) / rest
    else:
        out[others] = (1.0 - ceiling) / int(others.sum())
    if len(held) == 1:
        out[held] = ceiling  # exactly
    else:
        out[held] *= ceiling / total  # total > ceiling >= 0
    return out


def hold_u_at_least(
    u: FloatArray, floor: FloatArray, m: FloatArray, groups: npt.NDArray[np.int8] | None = None
) -> FloatArray:
    """u with each level EM reads as an agreement (m above u) held at least at its
    ``floor``, or at m where the floor is above m (a weight of 0, not a sign against), the
    other levels of its group (above missing) scaled to make up the rest (their ratios
    kept, each group's sum still 1; they may fall below their own floors, which a single
    pass does not revisit). Candidate pairs share a name key and agree about as often as
    random pairs do, or more; u far below the random pairs' share is EM absorbing a rare
    level into the matches (each pair there counted a match, so u falls, so the level
    weighs more: 14 to 16 bits for a given name of very similar spelling at 1,000
    requests). A group's first level (different), which candidates show less often than
    random pairs, and levels EM reads as disagreements are not held."""
    held = (u < floor) & (m > u)
    held[0] = False
    halves = each_group(groups) or [np.arange(1, len(u))]
    for at in halves:
        held[at[0]] = False
    if not held.any():
        return u
    out = u.copy()
    least = np.minimum(floor, m)
    for at in halves:
        lift, keep = at[held[at]], at[~held[at]]
        room = 1.0 - float(least[lift].sum())
        rest = float(out[keep].sum())
        if not len(lift) or room <= 0 or rest <= 0:
            continue  # nothing held, or nothing left to take the rest: as learned
        out[lift] = least[lift]
        out[keep] *= room / rest
    return out


def level_bits(m: FloatArray, u: FloatArray) -> FloatArray:
    """Each level's weight, log2(m / u) with both at least the floor; 0 for missing."""
    w: FloatArray = np.log2(np.maximum(m, _FLOOR)) - np.log2(np.maximum(u, _FLOOR))
    w[0] = 0.0
    return w


#: The strongest pairs read for the births of the matches (:func:`far_birth_from_strongest`),
#: as a share of the matches EM counts: by their other comparisons, almost all matches.
FAR_ANCHOR_SHARE = 0.1
#: The ceiling on m of a birth a generation apart is this share of the far births among
#: those pairs. Not 1: namesakes and relatives who agree on every name are among them
#: too, and a Fellegi–Sunter weight, which counts each agreeing name as if independent,
#: overstates such pairs; a ceiling below the matches' true share is what ranks and
#: calibrates best. Synthetic data, 10,000 a side, with the births of 0%, 5% and 15% of
#: the matched sightings moved 6 to 12 years: the far share among the strongest pairs is
#: 0.013, 0.076, 0.137 (0.008, 0.043, 0.116 among all true pairs); this share of it, 0.0018,
#: 0.011, 0.019.
FAR_ANCHOR_SCALE = 0.14
#: The ceiling on m of births a generation apart (``compare.GENERATION``, the
#: ``generation_level`` of a birth comparison), as a share of the ceiling on births more
#: than 5 years apart, which holds them too: one true match in 2,000 at the default
#: ceiling (``config.FAR_BIRTH_M``). Of the synthetic data's candidates at 100,000 a side
#: (seed 7), no true pair's births are more than 15 years apart, 21 are 10 to 15 years
#: apart, and 478 pairs that are no match, births more than 15 years apart, scored at
#: least 0.5 with one level for every gap over 5 years (-3.0 bits). At 0.1, F1 at 100,000
#: a side 0.8512 (one level) -> 0.8530 and the largest calibration gap (p >= 0.05) 0.026
#: -> 0.022 (``python -m benchmarks speed``), quality (5,000 x 10,000) F1 0.9119 -> 0.9152
#: (``python -m benchmarks quality``). Scratch fits (the level counts and weights read
#: from the model): the level weighs -7.1 bits at 0.1 (5 to 15 years apart -1.8); held
#: only with the others (a share of 1) -4.0, F1 0.8517, gap 0.025; a share of 0.02 (held
#: the other way round) 0.8532 and 0.021. Not lower: estimated ages in the field are off
#: by more than any synthetic corruption.
GENERATION_SHARE = 0.1
#: Fewer strongest pairs with a birth known than this: no estimate.
FAR_ANCHOR_MIN_PAIRS = 100
#: The most an estimate raises the ceiling to.
FAR_BIRTH_M_MAX = 0.05


def far_birth_from_strongest(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    m: list[FloatArray],
    u: list[FloatArray],
    prior: float,
    far_levels: Sequence[int | tuple[int, ...] | None],
) -> list[float | None]:
    """Per comparison with a far level (a birth more than 5 years apart): the ceiling on its
    m that the data's strongest pairs suggest, or None (no far level, too few pairs).

    The pairs are ranked by their weight without the far-level comparisons (every other
    comparison's log2 m/u at its level); the strongest, at least FAR_ANCHOR_SHARE of the
    matches EM counts, are taken as matches whatever their births, and FAR_ANCHOR_SCALE
    of the share of them whose birth is far is the estimate, at most FAR_BIRTH_M_MAX.
    Where estimated ages are often far off, it is well above the benchmarks' 0.005; on
    the synthetic data, below it.
    """
    far = [c for c, level in enumerate(far_levels) if level is not None]
    out: list[float | None] = [None] * len(far_levels)
    if not far or len(counts) == 0:
        return out
    weight = np.zeros(len(counts))
    for c in range(patterns.shape[1]):
        if c not in far:
            weight += level_bits(m[c], u[c])[patterns[:, c].astype(np.intp)]
    order = np.argsort(-weight)
    wanted = FAR_ANCHOR_SHARE * prior * counts.sum(dtype=np.float64)
    # Strongest first until they hold the pairs wanted, and every pattern of the weight
    # that crosses it: patterns that differ only in birth weigh alike here, and which of
    # them a cut would take first is no reading of the data.
    cut = min(int(np.searchsorted(np.cumsum(counts[order]), wanted)), len(order) - 1)
    taken = weight >= weight[order[cut]]
    taken_counts = counts[taken]
    for c in far:
        levels = patterns[taken, c]
        known = taken_counts[levels > 0].sum()
        if known < FAR_ANCHOR_MIN_PAIRS:
            continue
        share = taken_counts[np.isin(levels, far_levels[c] or ())].sum() / known
        out[c] = float(min(FAR_ANCHOR_SCALE * share, FAR_BIRTH_M_MAX))
    return out


def expectation_maximisation(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    u: list[FloatArray],
    m_start: list[FloatArray],
    prior_start: float,
    *,
    max_iterations: int = 200,
    tolerance: float = 1e-6,
    fixed: tuple[bool, ...] | None = None,
    estimate_u: bool = True,
    m_prior: list[FloatArray] | None = None,
    m_prior_strength: float = 0.0,
    m_pseudo: list[FloatArray] | None = None,
    m_ceiling: Sequence[tuple[Hold, ...] | None] | None = None,
    u_floor: Sequence[FloatArray] | None = None,
    u_prior: Sequence[FloatArray] | None = None,
    m_ratio_ceiling: Sequence[tuple[int, float] | None] | None = None,
    workers: int = 1,
    groups: Groups = None,
    tied: Sequence[npt.NDArray[np.int8] | None] | None = None,
) -> EMResult:
    """Estimate m, u and the prior by EM over level-pattern counts.

    Candidate pairs share blocking keys, so their non-matches agree far more often than
    random pairs do: u is estimated among them too (``estimate_u``), starting from the
    random-pair u, and the result is the probability of a match *among candidates*.

    Args:
        patterns: distinct level patterns, (K, C) level codes.
        counts: how many pairs show each pattern.
        u: per comparison, the u probability of each level.
        m_start: per comparison, starting m probabilities.
        prior_start: starting share of matches among the pairs.
        fixed: per comparison, True to keep its m as given (e.g. from reviewed pairs).
        estimate_u: update u by EM as well; False keeps the given u.
        m_prior: per comparison, the shape of a Dirichlet prior on m (maximum a posteriori
            EM): what matches usually look like, so that EM cannot call a group of
            relatives (who agree on everything but the given name and birth) the matches.
        m_prior_strength: the prior's weight, as a share of the expected number of matches.
        m_pseudo: per comparison, pseudo-matches added to m's counts as they are (not
            scaled like the prior; :func:`one_match`).
        m_ceiling: per comparison, None or holds: each a level (or levels together) and
            the most m it takes. Each m-step holds the levels there, in turn
            (:func:`hold_m_at_most`), so that the other parameters are learned with them so
            held (``LinkConfig.far_birth_m``: births more than 5 years apart, and of them
            those a generation apart at :data:`GENERATION_SHARE` of that).
        u_floor: per comparison, the least u of each level EM reads as an agreement
            (:func:`hold_u_at_least`, each u-step; ``linker._u_reference``: from the random
            pairs' u).
        u_prior: per comparison, pseudo-non-matches added to u's counts at each level
            (a Dirichlet prior: ``linker._u_reference``, a few pairs spread as the random
            pairs are). Without it, a level that no candidate shows gets a u of 0, and
            with m's pseudo-match (``m_pseudo``) a weight far above its neighbours', which
            :func:`monotone_m` pools into one of 0: a caseload whose candidates never
            differ in sex weighed a later sex difference at 0 bits. Not read where u is
            not learned (``estimate_u`` false, a ``fixed`` comparison).
        m_ratio_ceiling: per comparison, None or a level and the most m/u it takes there:
            each m-step holds m at that level at most the ratio times the level's u as it
            stands (:func:`hold_m_at_most`, after ``m_ceiling``'s holds), so that the
            level weighs at most ``log2(ratio)`` bits and the rest of the model is learned
            with it (``linker.SEX_ERROR``: a sex difference, whose u among the candidates
            is what blocking's budget left).
        workers: threads for the sums over the patterns (the result is the same on any
            number).
        tied: per comparison, None, or each level's level of the comparison unsplit
            (``Comparison.base_levels``) where its m is one distribution in every group
            (``Comparison.tied_m``): the matches' sums are pooled by that level.
        groups: per comparison, each level's group (``Comparison.level_groups``) or
            None: m and u sum to 1 within each group, and the prior on m is spread over
            the groups as the matches EM counts are.
    """
    if len(counts) == 0:
        raise NoCandidatePairs(
            "no candidate pairs to train on: blocking found no two records that share a "
            "key (a name part's class or sound, with the birth); if some should, check "
            "the name columns and the blocking rules"
        )
    if len(counts) == 1:
        warn(
            "all candidate pairs share one comparison pattern: EM cannot separate "
            "matches from non-matches; keeping the starting values",
        )
        return EMResult([m.copy() for m in m_start], [x.copy() for x in u], prior_start, 0, False)
    n_comp = patterns.shape[1]
    fixed = fixed or (False,) * n_comp
    total = counts.sum(dtype=np.float64)
    cnt = counts.astype(np.float64)
    m = [mi.copy() for mi in m_start]
    u = [ui.copy() for ui in u]
    prior = float(np.clip(prior_start, 1e-6, 1 - 1e-6))
    levels = np.ascontiguousarray(patterns, dtype=np.int8)
    width = max(len(x) for x in m)
    ratios = np.zeros((n_comp, width))
    converged = False
    iteration = 0
    for iteration in range(1, max_iterations + 1):  # noqa: B007 - kept for the result
        # log(m / u) of each level (0 for "missing"), summed per pattern.
        for c in range(n_comp):
            ratios[c, : len(m[c])] = np.log(m[c] + (np.arange(len(m[c])) == 0)) - np.log(
                u[c] + (np.arange(len(u[c])) == 0)
            )
        log_odds = pattern_sums(levels, ratios, np.log(prior) - np.log1p(-prior), workers)
        p = 1.0 / (1.0 + np.exp(-np.clip(log_odds, -700, 700)))
        weight = cnt * p
        non_weight = cnt - weight
        new_prior = float(np.clip(weight.sum() / total, 1e-9, 1 - 1e-9))
        change = abs(new_prior - prior)
        matches, others = level_sums(levels, np.stack([weight, non_weight]), width, workers)
        for c in range(n_comp):
            if fixed[c]:
                continue
            sums = matches[c, : len(m[c])].copy()
            split = group_of(groups, c)
            if m_prior is not None and m_prior_strength > 0:
                if split is not None and int(split.max(initial=0)) > 1:
                    # Each group's prior in proportion to the matches it holds.
                    found = np.bincount(split, weights=sums, minlength=int(split.max()) + 1)
                    share = found[split] / max(float(found[1:].sum()), 1e-300)
                    sums += m_prior_strength * weight.sum() * share * m_prior[c]
                else:
                    sums += m_prior_strength * weight.sum() * m_prior[c]
            if m_pseudo is not None:
                sums += m_pseudo[c]
            base = tied[c] if tied is not None else None
            if base is not None:
                sums = np.bincount(base, weights=sums, minlength=len(sums))[base]
            new_m = normalise(sums, split)
            held = m_ceiling[c] if m_ceiling is not None else None
            if held is not None:
                for level, ceiling in held:
                    new_m = hold_m_at_most(new_m, level, ceiling, split)
            ratio = m_ratio_ceiling[c] if m_ratio_ceiling is not None else None
            if ratio is not None:
                at, most = ratio
                new_m = hold_m_at_most(new_m, at, most * float(u[c][at]))
            change = max(change, float(np.abs(new_m - m[c]).max()))
            m[c] = new_m
            if estimate_u:
                u_sums = others[c, : len(u[c])].copy()
                if u_prior is not None:
                    u_sums += u_prior[c]
                new_u = normalise(u_sums, split)
                if u_floor is not None:
                    new_u = hold_u_at_least(new_u, u_floor[c], m[c], split)
                change = max(change, float(np.abs(new_u - u[c]).max()))
                u[c] = new_u
        prior = new_prior
        if change < tolerance:
            converged = True
            break
    if not converged:
        warn(f"EM did not converge in {max_iterations} iterations")
    return EMResult(m, u, prior, iteration, converged)


@dataclass(eq=False)
class FellegiSunterModel:
    """The trained model: per comparison m and u for each level, the prior, and the map
    from match weight to probability (``calibration_``; the identity in models saved
    before it existed).

    Learned state ends in ``_``; ``weights_`` are log2(m/u) with 0 for the missing level.
    """

    names: list[str] = field(default_factory=list)
    labels: list[list[str]] = field(default_factory=list)
    m_: list[FloatArray] = field(default_factory=list)
    u_: list[FloatArray] = field(default_factory=list)
    u_random_: list[FloatArray] = field(default_factory=list)
    prior_: float = 0.0
    em_iterations_: int = 0
    em_converged_: bool = False
    calibration_: WeightCalibration = IDENTITY
    # Per comparison name: the term-frequency bits over all records (knots) and the Bayes
    # factor among candidates they stand for (candidate_tf_map); none in older models.
    tf_maps_: dict[str, tuple[tuple[float, ...], tuple[float, ...]]] = field(default_factory=dict)
    # Two kinds of non-match (rfl_match.mixture), u_ then their mixture; None in models
    # fitted with one (and in older files): no combination term.
    non_match_: NonMatchClasses | None = None

    def __eq__(self, other: object) -> bool:
        """The same model: equal as saved (its arrays compared by value)."""
        if not isinstance(other, FellegiSunterModel):
            return NotImplemented
        return self.to_dict() == other.to_dict()

    __hash__ = None  # type: ignore[assignment]  # mutable, as a dataclass with eq

    def combination(
        self, levels: npt.NDArray[np.int8]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]]:
        """Per row of a level matrix: the combination term D (bits, see
        :mod:`rfl_match.mixture`; 0 without non-match classes) and the class that best
        explains the row among non-matches (-1 without classes)."""
        if self.non_match_ is None:
            return np.zeros(len(levels)), np.full(len(levels), -1, dtype=np.intp)
        return self.non_match_.combination(levels)

    def candidate_bits(self, name: str, bits: FloatArray) -> FloatArray:
        """Term-frequency bits of comparison ``name`` as a Bayes factor among candidate
        pairs: ``bits`` (from frequencies over all records) read through its map."""
        found = self.tf_maps_.get(name)
        if found is None:
            return bits
        out: FloatArray = np.interp(bits, found[0], found[1])
        return out

    def neutral_bits(self, name: str) -> float:
        """The term-frequency bits of comparison ``name`` that its map among candidates
        (:meth:`candidate_bits`) reads as none: what a value whose frequency is not known
        weighs as, its level's own weight (the map's nearest end where it never reaches
        0; 0 without a map)."""
        found = self.tf_maps_.get(name)
        if found is None:
            return 0.0
        raw, mapped = np.asarray(found[0], dtype=float), np.asarray(found[1], dtype=float)
        if mapped[0] >= 0.0:
            return float(raw[0])
        if mapped[-1] <= 0.0:
            return float(raw[-1])
        return float(np.interp(0.0, mapped, raw))

    def probability(self, weight: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Calibrated match probability of match weights (bits, prior included)."""
        return self.calibration_.probability(weight)

    def probability_over(
        self, weight: npt.NDArray[np.float64], threshold: float
    ) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.float64]]:
        """Where the calibrated probability is at least ``threshold``, and its values there
        (``WeightCalibration.probability_over``)."""
        return self.calibration_.probability_over(weight, threshold)

    @property
    def weights_(self) -> list[FloatArray]:
        return [level_bits(m, u) for m, u in zip(self.m_, self.u_, strict=True)]

    @property
    def prior_weight_(self) -> float:
        return float(np.log2(self.prior_) - np.log2(1.0 - self.prior_))

    def level_weights(self, levels: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        """Pairs x comparisons matrix of weights (bits) for a level matrix."""
        out = np.empty(levels.shape, dtype=np.float64)
        for c, w in enumerate(self.weights_):
            out[:, c] = w[levels[:, c].astype(np.intp)]
        return out

    def match_weights(self, levels: npt.NDArray[np.int8]) -> npt.NDArray[np.float64]:
        """Per row of a level matrix: the prior's weight plus the comparisons' (bits), before
        term frequencies and the combination term. Weighed in blocks of rows, each row
        summed as in the whole :meth:`level_weights` table, which is never built."""
        blocks = np.split(levels, np.arange(ROW_BLOCK, len(levels), ROW_BLOCK))
        return np.concatenate(
            [self.prior_weight_ + self.level_weights(part).sum(axis=1) for part in blocks]
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            # copies: a caller's edit of the dict is not the model's
            "names": list(self.names),
            "labels": [list(x) for x in self.labels],
            "m": [m.tolist() for m in self.m_],
            "u": [u.tolist() for u in self.u_],
            "u_random": [u.tolist() for u in self.u_random_],
            "prior": self.prior_,
            "em_iterations": self.em_iterations_,
            "em_converged": self.em_converged_,
            "calibration": self.calibration_.to_dict(),
            "tf_maps": {
                name: {"bits": list(x), "candidate_bits": list(y)}
                for name, (x, y) in self.tf_maps_.items()
            },
        } | ({} if self.non_match_ is None else {"non_match_classes": self.non_match_.to_dict()})

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FellegiSunterModel:
        return cls(
            names=list(data["names"]),
            labels=[list(x) for x in data["labels"]],
            m_=[_levels(m) for m in data["m"]],
            u_=[_levels(u) for u in data["u"]],
            u_random_=[_levels(u) for u in data["u_random"]],
            prior_=float(data["prior"]),
            em_iterations_=int(data.get("em_iterations", 0)),
            em_converged_=bool(data.get("em_converged", False)),
            calibration_=(
                WeightCalibration.from_dict(data["calibration"])
                if data.get("calibration") is not None
                else IDENTITY
            ),
            tf_maps_={
                str(name): (
                    tuple(float(v) for v in found["bits"]),
                    tuple(float(v) for v in found["candidate_bits"]),
                )
                for name, found in _table(data.get("tf_maps"), "tf_maps").items()
            },
            non_match_=(
                NonMatchClasses.from_dict(data["non_match_classes"])
                if data.get("non_match_classes") is not None
                else None
            ),
        )


def _table(value: Any, key: str) -> dict[Any, Any]:
    """A table of a model file that may be left out (null: none), else a TypeError."""
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise TypeError(f"{key}: want a table, not {value!r}")
    return value


def _levels(values: Any) -> FloatArray:
    """A comparison's probabilities, one a level, as a model file holds them: a list of
    numbers, else a ValueError (a lone number or null would pass for an array of none)."""
    levels = np.asarray(values, dtype=np.float64)
    if levels.ndim != 1:
        raise ValueError(f"want a list of probabilities, one a level, not {values!r}")
    return levels


def parameters_from_labels(
    levels: npt.NDArray[np.int8],
    is_match: npt.NDArray[np.bool_],
    n_levels: tuple[int, ...],
    n_candidates: int,
    groups: Groups = None,
) -> tuple[list[FloatArray], list[FloatArray] | None, float]:
    """m from reviewed matches, u from reviewed non-matches (None under 20 of them), and
    the prior as the share of reviewed matches among the candidate pairs."""
    m = [
        level_shares(levels[is_match, c], n, None, group_of(groups, c))
        if is_match.any()
        else starting_m(n, group_of(groups, c))
        for c, n in enumerate(n_levels)
    ]
    u = (
        [
            level_shares(levels[~is_match, c], n, None, group_of(groups, c))
            for c, n in enumerate(n_levels)
        ]
        if (~is_match).sum() >= 20
        else None
    )
    prior = float(np.clip(is_match.sum() / max(n_candidates, 1), 1e-6, 0.5))
    return m, u, prior


def tf_share(
    frequency: npt.NDArray[np.float64], records: float, agree_rate: float
) -> npt.NDArray[np.float64]:
    """Each value's share (``frequency``, among ``records`` records) as the records other
    than a pair's own two tell it, with one more record holding it among ``1 /
    agree_rate`` more: what :func:`tf_adjustment` reads.

    A pair that agrees on a name holds it twice itself, whatever the name: among its two
    records alone (a lookup of one request against one sighting, an explanation of one
    pair) every name it shares read as held by all, the commonest there is (true pairs
    at 100,000 a side weighed 2.5 bits less alone than among all the records, on
    average; README). Without its own two, a name no other record holds reads as the
    typical value (``agree_rate``, no adjustment) among few records and as rarer the
    more records hold no other; among many records the shares are as counted (at
    200,000 records and an agreement rate of 1%, a name of 20 reads at 0.95 of its
    share: 18 others and the one more). A near spelling's more common name, which one
    of the pair holds, is read so too: one record fewer than it holds.
    """
    rate = max(agree_rate, _FLOOR)
    others = np.maximum(frequency * records - 2.0, 0.0)
    out: npt.NDArray[np.float64] = (others + 1.0) / (max(records - 2.0, 0.0) + 1.0 / rate)
    return out


def tf_shift(neutral: float, agree_rate: float, records: float) -> float:
    """Bits added to a value's term-frequency bits (:func:`tf_adjustment` of its
    :func:`tf_share`) before a model's map among candidates reads them, among
    ``records`` records given (both lists): ``neutral`` (``FellegiSunterModel.
    neutral_bits``, what the map reads as no adjustment) for a pair alone, so that a
    value whose frequency the records cannot tell weighs as its level does, and
    vanishing as the records grow (by the records past the pair's two against ``1 /
    agree_rate``, as :func:`tf_share`'s one more record does): of a neutral of 1 bit,
    0.0007 bits at 200,000 records more where the agreement rate is 1%.

    >>> tf_shift(1.0, 0.01, 2.0), round(tf_shift(1.0, 0.01, 200_002.0), 4)
    (1.0, 0.0007)
    """
    rate = max(agree_rate, _FLOOR)
    typical = rate * 2.0**-neutral  # the share the map reads as no adjustment
    others = max(records - 2.0, 0.0)
    return float(np.log2((others + 1.0 / typical) / (others + 1.0 / rate)))


def tf_adjustment(agree_rate: float, frequency: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Bits to add to an agreement on a value of the given frequency.

    ``agree_rate`` is how often two random records agree at that level, the average of the
    values' frequencies weighted by how often each is shared; agreeing on a value of
    frequency p(v) is ``agree_rate / p(v)`` times as telling. A shared common name counts
    less, a rare one more, by at most ``TF_MAX_BITS``.
    """
    p = np.maximum(frequency, _FLOOR)
    bits: npt.NDArray[np.float64] = np.clip(
        np.log2(max(agree_rate, _FLOOR)) - np.log2(p), -TF_MAX_BITS, TF_MAX_BITS
    )
    return bits


def _clipped(values: npt.NDArray[np.float64], low: float, high: float) -> npt.NDArray[np.float64]:
    """``np.clip(values, low, high)``, ``values`` themselves where none is out of range."""
    if len(values) and low <= values.min() and values.max() <= high:
        return values
    return np.clip(values, low, high)


def candidate_tf_map(
    bits: npt.ArrayLike, counts: npt.ArrayLike, posterior: npt.ArrayLike
) -> tuple[tuple[float, ...], tuple[float, ...]] | None:
    """Term-frequency bits as a Bayes factor among candidate pairs: knots of a
    piecewise-linear map from the bits :func:`tf_adjustment` gives to the bits they are
    worth among the candidates.

    :func:`tf_adjustment` reads a name's frequency over all records, as if the pairs
    agreeing on it were random. Candidate pairs are not: blocking keeps every pair that
    shares a rare name and thins those sharing a common one, so candidate non-matches
    agree on rare names far more often than random pairs do, and the raw bits overstate
    them (2**bits averages about 3 for the given name over such non-matches in the
    synthetic benchmark, where a Bayes factor averages 1). So the pairs agreeing on a value
    are grouped by their raw bits (to the nearest bit), and in each group the share of
    the matches that fall in it is set against the share of the non-matches, both
    weighted by the EM posterior of each pair's level pattern (the bits are not part of
    it): no labels. The matches' shares start from TF_PRIOR_MATCHES pseudo-matches spread
    as the raw bits would spread them, so that sparse groups stay near the raw shape.

    Args:
        bits: raw bits of each row (pairs agreeing on a value only).
        counts: pairs in each row.
        posterior: probability of a match of each row's level pattern.

    Returns:
        ``(raw bits, candidate bits)`` knots, ascending; None without pairs.

    >>> # Rare (+2) and common (-2) names alike among the candidates' matches and others:
    >>> x, y = candidate_tf_map([-2.0, 0.0, 2.0], [10**6] * 3, [0.1, 0.1, 0.1])
    >>> [abs(round(v, 2)) for v in y]  # the name's frequency tells nothing here
    [0.0, 0.0, 0.0]
    """
    # Millions of rows at 1,000,000 records a side (the fit's peak): no copy where the
    # values are in range already, and no temporary that is not needed at once.
    x = _clipped(np.asarray(bits, dtype=np.float64), -TF_MAX_BITS, TF_MAX_BITS)
    n = np.asarray(counts, dtype=np.float64)
    p = _clipped(np.asarray(posterior, dtype=np.float64), 0.0, 1.0)
    if not len(x) or n.sum() <= 0:
        return None
    group = np.empty(len(x), dtype=np.intp)
    np.rint(x, out=group, casting="unsafe")  # as np.round(x).astype(np.intp)
    group += int(TF_MAX_BITS)
    size = 2 * int(TF_MAX_BITS) + 1
    pairs = np.bincount(group, weights=n, minlength=size)
    matches = np.bincount(group, weights=n * p, minlength=size)
    non_match = 1 - p
    non_match *= n
    others = np.bincount(group, weights=non_match, minlength=size)
    del non_match
    keep = others > 0
    if not keep.any():
        return None
    centre = np.bincount(group, weights=n * x, minlength=size)[keep] / pairs[keep]
    matches, others = matches[keep], others[keep]
    other_share = others / others.sum()
    # The raw bits' own shape: a group holds matches in proportion to its non-matches times
    # 2**bits (a Bayes factor averages 1 over the non-matches, so the shares are rescaled).
    prior = other_share * np.exp2(centre)
    prior /= prior.sum()
    match_share = (matches + TF_PRIOR_MATCHES * prior) / (matches.sum() + TF_PRIOR_MATCHES)
    # A rarer value never worth less than a commoner one: adjacent groups whose factor
    # would fall pool their shares (as levels do, monotone_m). Alone, the commonest
    # group's few non-matches set its factor: one non-match among 14 pairs sharing the
    # bundled data's commonest family name put it 2.7 bits above a rarer name's.
    # (a 0 first: monotone_m leaves a comparison's level 0, missing, out of its pools)
    pooled = monotone_m(np.r_[0.0, match_share], np.r_[0.0, other_share])[1:]
    adjusted = np.clip(np.log2(pooled / other_share), -TF_MAX_BITS, TF_MAX_BITS)
    return tuple(round(float(v), 4) for v in centre), tuple(round(float(v), 4) for v in adjusted)


def probability(weight: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Raw Fellegi–Sunter probability of a match weight in bits (no calibration)."""
    out: npt.NDArray[np.float64] = 1.0 / (1.0 + np.exp2(-np.clip(weight, -1000, 1000)))
    return out


def shown_probability(values: Any, digits: int) -> FloatArray:
    """Probabilities as a person is shown them: rounded to ``digits`` decimals, but never
    to 0 or 1, which would read as certainty that the model never has (0.99998 to 4
    decimals is 0.9999, not 1.0; a saturated 1.0 too). Kept numbers, so that a
    spreadsheet sorts and filters them; the matches file keeps the full value.

    >>> shown_probability([0.99998, 0.87654, 0.00001, 1.0], 4).tolist()
    [0.9999, 0.8765, 0.0001, 0.9999]
    """
    step = 10.0**-digits
    out: FloatArray = np.clip(
        np.round(np.asarray(values, dtype=np.float64), digits), step, 1 - step
    )
    return out


def probability_text(value: float, digits: int = 3) -> str:
    """A probability in words for a person to read, to ``digits`` decimals: one that
    would round to 1 or to 0 is said to be over or under the nearest shown value.

    >>> probability_text(0.99998), probability_text(0.8766), probability_text(1e-6)
    ('> 0.999', '0.877', '< 0.001')
    """
    rounded = round(float(value), digits)
    step = 10.0**-digits
    if rounded >= 1:
        return f"> {1 - step:.{digits}f}"
    if rounded <= 0:
        return f"< {step:.{digits}f}"
    return f"{rounded:.{digits}f}"
