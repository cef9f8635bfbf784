"""Two kinds of non-match among the candidates: relatives and namesakes.

Blocking keeps pairs that share a name. Among them are two kinds of non-match that one u
per comparison cannot both describe: namesakes (a shared name, little else) and relatives
of the sought person (a parent, child or sibling: the same family name, father, mother and
places, another given name and birth). Per comparison, u averages the two, so a relative's
many agreements count as if each were as rare among non-matches as it is on average, and
relatives outscore true matches.

So, when asked (``LinkConfig.non_match_classes`` 2; the default is one class), after the
match / non-match EM a second EM over the candidates' level patterns, with
m held fixed, splits the non-matches into two classes with their own u and shares. A pair
keeps one weight per comparison, log2(m / ū) with ū the classes' mixture (what one u
would say), and gains one term for its pattern as a whole:

    D(pattern) = log2 ∏_c ū_c(l_c) - log2 Σ_k share_k ∏_c u_k,c(l_c)

how much likelier the whole pattern is among non-matches than the per-comparison ū says
(negative for a relative's many agreements together). The comparisons' weights and D sum
to the exact log-likelihood ratio of the pattern under the mixture. Missing levels (0)
enter neither product. With two equal classes, D is 0: the single-class model.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rfl_match.config import PROBABILITY_FLOOR
from rfl_match.kernels import class_sums, pattern_sums

FloatArray = npt.NDArray[np.float64]
LN2 = float(np.log(2.0))
#: The class seeded from relatives' patterns, then the one seeded from the rest.
CLASS_NAMES = ("relatives", "namesakes")
#: Comparisons a relative shares with the sought person (where present): a pattern strong
#: or missing on all of these, with at least two known, and a different given name seeds
#: the relatives' class.
FAMILY_COMPARISONS = (
    "family_name",
    "father_name",
    "mother_name",
    "grandfather_name",
    "place_of_birth",
    "place_of_origin",
)
#: The comparison a relative differs on, and its levels that count as different (the
#: lowest two known: "different", "similar spelling").
OWN_NAME = "given_name"
_OWN_DIFFERENT = (1, 2)
#: Pseudo-pairs added to each known level of each class's u in every M step, so that a
#: level a class never shows keeps a finite (small) probability.
PSEUDO_PAIRS = 0.1
# Fewer seed pairs than this (or non-seed pairs): no second class.
_MIN_SEED_PAIRS = 5
#: Probabilities never reach 0 or 1: a level never seen still carries finite weight (the
#: floor of every m and u here and in rfl_match.scoring, so that the terms sum exactly;
#: the configuration checks ``far_birth_m`` against it).
FLOOR = PROBABILITY_FLOOR


def log_table(dists: Sequence[FloatArray], width: int) -> FloatArray:
    """(C, width) natural logs of per-comparison level probabilities, 0 at the missing
    level (0) and beyond each comparison's levels: what a pattern's sum leaves out."""
    out = np.zeros((len(dists), width))
    for c, d in enumerate(dists):
        out[c, 1 : len(d)] = np.log(np.maximum(d[1:], FLOOR))
    return out


def combination_bits(sums: FloatArray, log_shares: FloatArray) -> FloatArray:
    """D in bits from per-row log-likelihood sums, columns (marginal ū, class 1, class 2,
    ...) as :meth:`NonMatchClasses.log_likelihoods` gives them."""
    mixed = sums[:, 1] + log_shares[0]
    for k in range(1, len(log_shares)):  # column by column: a reduce along rows is slow
        mixed = np.logaddexp(mixed, sums[:, k + 1] + log_shares[k])
    out: FloatArray = (sums[:, 0] - mixed) / LN2
    return out


@dataclass(frozen=True)
class NonMatchClasses:
    """The non-match classes: their names, shares among the non-matches (summing to 1) and
    per class, per comparison, u of each level (index 0: missing)."""

    names: tuple[str, ...]
    shares: tuple[float, ...]
    u: tuple[tuple[FloatArray, ...], ...]
    iterations: int = 0
    converged: bool = True

    def marginal(self) -> list[FloatArray]:
        """ū: per comparison, the classes' u mixed by their shares."""
        shares = np.asarray(self.shares, dtype=np.float64)
        return [
            np.einsum("k,kl->l", shares, np.stack([k[c] for k in self.u]))
            for c in range(len(self.u[0]))
        ]

    def tables(self, width: int) -> FloatArray:
        """(1 + classes, C, width) log tables (:func:`log_table`): ū, then each class."""
        return np.stack([log_table(self.marginal(), width)] + [log_table(k, width) for k in self.u])

    def log_shares(self) -> FloatArray:
        return np.log(np.maximum(np.asarray(self.shares, dtype=np.float64), 1e-300))

    def log_likelihoods(self, levels: npt.NDArray[np.int8], tables: FloatArray) -> FloatArray:
        """(rows, 1 + classes): per row of a level matrix, the log-likelihood of its known
        levels under ū and under each class."""
        rows = np.ascontiguousarray(levels, dtype=np.int8)
        return np.stack([pattern_sums(rows, t, 0.0) for t in tables], axis=1)

    def combination(self, levels: npt.NDArray[np.int8]) -> tuple[FloatArray, npt.NDArray[np.intp]]:
        """Per row of a level matrix: D (bits) and the class that best explains the row
        among non-matches (index into ``names``)."""
        width = int(levels.max(initial=0)) + 1
        width = max(width, max(len(x) for x in self.u[0]))
        sums = self.log_likelihoods(levels, self.tables(width))
        typical = np.argmax(sums[:, 1:] + self.log_shares()[None, :], axis=1).astype(np.intp)
        return combination_bits(sums, self.log_shares()), typical

    def to_dict(self) -> dict[str, Any]:
        return {
            "classes": [
                {"name": n, "share": s, "u": [x.tolist() for x in k]}
                for n, s, k in zip(self.names, self.shares, self.u, strict=True)
            ],
            "iterations": self.iterations,
            "converged": self.converged,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NonMatchClasses:
        classes = data["classes"]
        return cls(
            names=tuple(str(k["name"]) for k in classes),
            shares=tuple(float(k["share"]) for k in classes),
            u=tuple(tuple(np.asarray(x, dtype=np.float64) for x in k["u"]) for k in classes),
            iterations=int(data.get("iterations", 0)),
            converged=bool(data.get("converged", True)),
        )


#: Per comparison, each level's group (``Comparison.level_groups``), or None: one group.
Groups = Sequence[npt.NDArray[np.int8] | None] | None


def group_of(groups: Groups, c: int) -> npt.NDArray[np.int8] | None:
    """Comparison ``c``'s level groups, or None (one group)."""
    return None if groups is None else groups[c]


def each_group(groups: npt.NDArray[np.int8] | None) -> list[npt.NDArray[np.intp]]:
    """The levels of each group above missing, where there are two or more (a comparison
    split by another's agreement); none otherwise."""
    if groups is None or int(groups.max(initial=0)) <= 1:
        return []
    return [np.flatnonzero(groups == g) for g in range(1, int(groups.max()) + 1)]


def normalise(sums: FloatArray, groups: npt.NDArray[np.int8] | None = None) -> FloatArray:
    """Per-level probabilities from counts: index 0 (missing) 0, the rest summing to 1
    and none below FLOOR (all equal without counts). Shared with rfl_match.scoring.

    ``groups``: each level's group (0: missing; ``Comparison.level_groups``), for a
    comparison whose levels are split by another's agreement: the levels of each group
    then sum to 1 on their own (a distribution given that group), each as above."""
    halves = each_group(groups)
    if halves:
        out = np.zeros(len(sums))
        for at in halves:
            out[at] = normalise(np.concatenate([[0.0], sums[at]]))[1:]
        return out
    out = sums.copy()
    out[0] = 0.0
    total = out[1:].sum()
    if total <= 0:
        out[1:] = 1.0 / max(len(out) - 1, 1)
        return out
    out[1:] = np.maximum(out[1:] / total, FLOOR)
    out[1:] /= out[1:].sum()
    return out


def base_patterns(
    patterns: npt.NDArray[np.int8], base: Sequence[npt.NDArray[np.int8]]
) -> npt.NDArray[np.int8]:
    """Level patterns with each comparison's levels read as its unsplit ones
    (``Comparison.base_levels``)."""
    out = np.empty_like(patterns)
    for c, levels in enumerate(base):
        out[:, c] = levels[patterns[:, c]]
    return out


def unsplit_patterns(
    patterns: npt.NDArray[np.int8],
    n_levels: Sequence[int],
    base: Sequence[npt.NDArray[np.int8]] | None,
) -> tuple[npt.NDArray[np.int8], Sequence[int]]:
    """Patterns and level counts as the comparisons unsplit read them (``base``, per
    comparison its levels unsplit, or None: as they are): what a seed
    (:func:`agree_strongly`, :func:`relatives_seed`) reads."""
    if base is None:
        return patterns, n_levels
    return base_patterns(patterns, base), [int(b.max()) + 1 for b in base]


def agree_strongly(
    patterns: npt.NDArray[np.int8], n_levels: Sequence[int]
) -> npt.NDArray[np.bool_]:
    """Patterns at one of the two strongest levels of every comparison known, at least
    two known. Level 1, "different", is never strong, even where only one level is above
    it (sex). Shared with rfl_match.scoring (EM's seed matches)."""
    top = np.maximum(np.asarray(n_levels, dtype=np.int16) - 2, 2)[None, :]
    known = patterns > 0
    out: npt.NDArray[np.bool_] = ((patterns >= top) | ~known).all(axis=1) & (known.sum(axis=1) >= 2)
    return out


def relatives_seed(
    patterns: npt.NDArray[np.int8], names: Sequence[str], n_levels: Sequence[int]
) -> npt.NDArray[np.bool_] | None:
    """Patterns that look like a relative: strong (one of the two top levels, never the
    lowest known level, "different") or missing on every family comparison, at least two
    of them known, and a different given name. None without a given name or two family
    comparisons."""
    family = [names.index(x) for x in FAMILY_COMPARISONS if x in names]
    if OWN_NAME not in names or len(family) < 2:
        return None
    strong = agree_strongly(patterns[:, family], [n_levels[c] for c in family])
    own = patterns[:, names.index(OWN_NAME)]
    seed: npt.NDArray[np.bool_] = strong & np.isin(own, _OWN_DIFFERENT)
    return seed


def fit_non_match_classes(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior: float,
    names: Sequence[str],
    *,
    max_iterations: int = 1000,
    tolerance: float = 1e-6,
    groups: Groups = None,
    base: Sequence[npt.NDArray[np.int8]] | None = None,
    workers: int = 1,
) -> tuple[NonMatchClasses, float] | None:
    """Two non-match classes by EM over level-pattern counts, m held fixed; and the share
    of matches. None when there is no relatives' seed (:func:`relatives_seed`).

    Starts from the relatives' seed (its patterns' level shares, one pseudo-pair per level)
    and the single-class u for the rest, shares as the seed's among all pairs; EM
    accelerated (SQUAREM, a jump taken where it does not lower the objective: synthetic
    data, 100,000 records a side, 87 E steps where plain EM took 673; 1,000,000, 178 where
    plain EM had not converged in 1,000), ``max_iterations`` counting E steps, converged
    where one changes no parameter by ``tolerance`` or more. The patterns come sorted by
    code and every sum runs over them in order: the result does not depend on the order
    of the records. ``groups`` and ``base``: as for
    :func:`rfl_match.scoring.seed_parameters`. ``workers``: threads for each E step
    (:func:`~rfl_match.kernels.class_sums`: the same result on any number).
    """
    n_levels = [len(x) for x in m]
    seeds, seed_levels = unsplit_patterns(patterns, n_levels, base)
    seed = relatives_seed(seeds, names, seed_levels)
    cnt = counts.astype(np.float64)
    if seed is None or cnt[seed].sum() < _MIN_SEED_PAIRS or cnt[~seed].sum() < _MIN_SEED_PAIRS:
        return None
    levels = np.ascontiguousarray(patterns, dtype=np.int8)
    width = max(n_levels)
    known = [(np.arange(n) > 0).astype(np.float64) for n in n_levels]
    classes = [
        [
            normalise(
                np.bincount(levels[seed, c], weights=cnt[seed], minlength=n) + known[c],
                group_of(groups, c),
            )
            for c, n in enumerate(n_levels)
        ],
        [x.copy() for x in u],
    ]
    total = float(cnt.sum())
    share = float(cnt[seed].sum() / total)
    pi = np.array([prior, share, max(1.0 - prior - share, 1e-6)])
    pi /= pi.sum()
    match_table = log_table(m, width)
    n_classes, n_comp = len(classes), len(n_levels)
    cuts = np.cumsum([len(pi)] + [n for _ in classes for n in n_levels])[:-1]

    def unpack(theta: FloatArray) -> tuple[FloatArray, list[list[FloatArray]]]:
        """The shares and each class's distributions, from one vector of parameters."""
        parts = np.split(theta, cuts)
        return parts[0], [parts[1 + k * n_comp : 1 + (k + 1) * n_comp] for k in range(n_classes)]

    def pack(shares: FloatArray, dists: list[list[FloatArray]]) -> FloatArray:
        return np.concatenate([shares, *(d for k in dists for d in k)])

    def step(theta: FloatArray) -> tuple[FloatArray, float]:
        """One EM step (E: class_sums; M: the shares and each class's level shares), and
        the objective at ``theta``: the log-likelihood of the patterns, with the pseudo-pairs'
        prior on each class's known levels (what the M step maximises)."""
        shares, dists = unpack(theta)
        tables = np.stack([match_table] + [log_table(k, width) for k in dists])
        sums, totals, objective = class_sums(levels, tables, np.log(shares), cnt, workers)
        for k in dists:
            for c, d in enumerate(k):
                objective += PSEUDO_PAIRS * float(np.log(d[known[c] > 0]).sum())
        new_pi = np.maximum(totals / total, 1e-12)
        new = [
            [
                normalise(sums[k, c, :n] + PSEUDO_PAIRS * known[c], group_of(groups, c))
                for c, n in enumerate(n_levels)
            ]
            for k in range(1, n_classes + 1)
        ]
        return pack(new_pi / new_pi.sum(), new), objective

    def project(theta: FloatArray, otherwise: FloatArray) -> FloatArray:
        """Parameters again: shares at least 1e-12, each distribution's known levels at
        least FLOOR (:func:`normalise`), each summing to 1; ``otherwise`` where not all
        finite."""
        if not np.all(np.isfinite(theta)):
            return otherwise
        shares, dists = unpack(np.maximum(theta, 0.0))
        shares = np.maximum(shares, 1e-12)
        new = [[normalise(d, group_of(groups, c)) for c, d in enumerate(k)] for k in dists]
        return pack(shares / shares.sum(), new)

    theta = pack(pi, classes)
    converged = False
    iteration = 0
    while iteration < max_iterations:
        # SQUAREM (Varadhan and Roland 2008, SqS3): two EM steps, then a step along them
        # as far as their change says, brought back to parameters (project) and made an
        # EM step again; max_iterations counts the E steps.
        first, before = step(theta)
        iteration += 1
        change = float(np.abs(first - theta).max())
        if change < tolerance or iteration >= max_iterations:
            theta, converged = first, change < tolerance
            break
        second, _ = step(first)
        iteration += 1
        change = float(np.abs(second - first).max())
        if change < tolerance or iteration >= max_iterations:
            theta, converged = second, change < tolerance
            break
        r, v = first - theta, second - 2 * first + theta
        alpha = min(-float(np.sqrt(float(r @ r) / max(float(v @ v), 1e-300))), -1.0)
        jump = project(theta - 2 * alpha * r + alpha**2 * v, second)
        after, at_jump = step(jump)
        iteration += 1
        if float(np.abs(after - jump).max()) < tolerance:
            theta, converged = after, True
            break
        # A jump that lowers the objective is not taken: EM goes on from the second
        # step, as it would have (each EM step raises it).
        theta = after if at_jump >= before else second
    pi, classes = unpack(theta)
    shares = pi[1:] / pi[1:].sum()
    found = NonMatchClasses(
        names=CLASS_NAMES,
        shares=tuple(float(s) for s in shares),
        u=tuple(tuple(k) for k in classes),
        iterations=iteration,
        converged=converged,
    )
    return found, float(pi[0])
