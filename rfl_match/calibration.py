"""Calibration: a monotone map from a pair's match weight (bits) to its match probability.

Fellegi–Sunter adds the comparisons' log2 Bayes factors as if they were independent given
match status. A person's names, dates and places are not (a record degraded by transcription
is degraded everywhere; relatives agree on family name, father's name and origin together),
so the sum overstates the evidence and ``2**w / (1 + 2**w)`` is overconfident. The weights
stay the evidence the explanations show; the probability is read through a map fitted on top:

    log2 odds(w) = intercept + piecewise-linear(w), every slope >= 0 (so the map is monotone)

fitted by maximum a posteriori with a Gaussian prior, so that few or perfectly separated
labels give a finite map rather than a step. Two ways to fit it:

- :func:`fit_on_labels`: logistic regression of reviewed pairs' outcomes on their weights,
  cross-fitted by the caller so that no reviewed pair calibrates a model it trained. The
  prior is centred on the map fitted without labels (below): reviewed pairs set its level
  well but its shape poorly, as a tenth of the requests holds a few hundred pairs in each
  middle bin, so its slopes are held close to that map's (:data:`LABELLED_SLOPE_SD`) and
  its level is theirs. Without that map, the prior is the identity (slope 1, the raw
  model).
- :func:`fit_on_comparisons` (no labels): each comparison in turn serves as a noisy label for
  the evidence of the others it is not locally dependent on. Under the model, a pair's
  level on comparison c has the distribution ``p m_c + (1 - p) u_c``, where p is the
  probability the others' weight gives; the map that best predicts every comparison from
  the rest is the one fitted. When the others double-count evidence, the raw p predicts c
  too confidently and the fit flattens the slope. The evidence is the one predict reads
  the map on: a pair's term-frequency bits (a rare name agreed on) count in its weight
  here too, or the map would be fitted on weights it is never applied to. Those bits are
  first made a Bayes factor among the candidates (:func:`rfl_match.scoring.candidate_tf_map`):
  read from frequencies over all records, they overstate the rare names blocking favours,
  and one slope on the total weight cannot temper one comparison's bits alone.

  That reasoning holds only for a c independent of the others given match status. Where it
  is not (a family name and a grandfather's name that is the family name; a given name
  and sex; place of birth and place of origin), the others predict c through the
  dependence as well as through p, the fit takes that for noise in p, and the map comes
  out too flat (overpredicting weak pairs). So a comparison is predicted only from those
  it is not locally dependent on: :func:`local_dependence` measures, for each pair of
  comparisons, how far their joint levels depart from what match status explains (the
  bivariate residual of latent class analysis), and pairs at or over LOCAL_DEPENDENCE
  leave each other out. It still cannot see dependence that every comparison shares
  weakly, and it relies on m and u, themselves estimated under independence: labels are
  the better judge.

  A limit alone is a step, so the map could jump as a dependence crossed it. Measured at
  5311592 (unlabelled fits of ``rfl_match.synth`` draws, against a two-parameter map
  fitted on the truth): with names in clear (``rm.Linker()``; 300 x 600, 500 x 1,000 and
  1,000 x 2,000 at seeds 7-12, 5,000 x 10,000 at seed 7) pairs such as family name-sex
  and birth-nationality sit at 0.02-0.06, and in 11 of the 19 draws the family name (the
  anchor of the split comparisons, never judged by them) is left judges whose weight
  varies by under a bit (mostly the sex alone, or none); yet the slope moved by 0.05 at
  most as the limit moved within 0.03-0.05, and the map never came out flat (slope
  0.66-0.89 against 0.62-1.03 on the truth; F1 at 0.5 within 0.012 of the truth-fitted
  map's). Encoded records (``privacy.encoded_config``, 500 x 1,000, seeds 7-12) did
  step: with paired keys the birth's dependence on the name filters (0.043-0.074) left
  the names judged by the sex alone and the slope 0.42-0.65 in four draws of six
  (0.68-0.77 on the truth; F1 0.81-0.89 against 0.89); with a key a part the slope
  jumped between limits 0.03 and 0.045 in three (0.52 to 1.09, 0.34 to 1.04, 1.01 to
  1.29). So the screen is read at every limit within DEPENDENCE_BAND of the limit and the
  fits' likelihoods averaged (:func:`_screens`): the paired draws' mean F1 0.856 -> 0.890
  (log loss 0.076 -> 0.068; two draws' log loss rose, 0.0714 -> 0.0758 and 0.0534 ->
  0.0547), a key a part 0.8813 -> 0.8817, the calibration suite's largest gap 0.030 ->
  0.027 (Brier and log loss unchanged), the small plain fits' F1 equal or better (log
  loss within 0.0002); the quality set's F1 0.8965 -> 0.8963 (7 fewer true pairs at 0.5)
  and its largest gap 0.109 -> 0.107. Tried and left: averaging the maps (a key a part
  0.8795), giving a comparison left without judges its least dependent one (a simulation
  where strong comparisons copy each other: gap 0.227 -> 0.653), reading such rows at
  their judges' mean evidence (quality F1 0.8951), a band of 0.005 (paired F1 0.876) and
  of 0.015 or 0.02 (quality F1 0.8962).
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from rfl_match.arrays import ROW_BLOCK, row_runs, threaded
from rfl_match.kernels import evidence_rows, evidence_sums, joint_counts, others_evidence
from rfl_match.mixture import LN2 as _LN2
from rfl_match.mixture import NonMatchClasses, combination_bits

FloatArray = npt.NDArray[np.float64]
# Prior on each slope: N(1, SLOPE_SD^2) (the raw model), adjacent slopes differ by
# N(0, SMOOTH_SD^2) (a smooth curve), and the intercept N(identity, INTERCEPT_SD^2).
SLOPE_SD = 1.0
SMOOTH_SD = 0.2
INTERCEPT_SD = 8.0
# With labels, the prior about the unlabelled map: the intercept as loose as above, each
# slope N(unlabelled, LABELLED_SLOPE_SD^2). Chosen on the calibration suite's draws
# (20,000 x 40,000; 10% of the requests reviewed, measured on the rest), seeds 7 and 8:
# the largest gap over equal-width bins was 0.061 / 0.065 with the identity prior, 0.038 /
# 0.033 for the unlabelled map alone, and 0.042 / 0.042 with this; with the unlabelled
# map made wrong by +-1 bit or its slope times 0.7 or 1.3 (alone 0.16-0.19 and 0.07-0.09),
# the labels bring it back to 0.035-0.060. Slopes held less closely let a tenth of the
# requests bend the map's shape (0.1: 0.053-0.059). On seeds 9 and 11, not used to
# choose: 0.031 / 0.055 with the identity prior, 0.039 / 0.047 with this.
LABELLED_SLOPE_SD = 0.05
# Knots at these quantiles of the reviewed matches' weights: the region where matches and
# non-matches overlap. Used when there are at least MIN_PER_CLASS of each.
KNOT_QUANTILES = (0.05, 0.25, 0.5)
MIN_PER_CLASS = 50
# Knots closer than this (bits) are merged.
_MIN_KNOT_GAP = 1.0
# Two comparisons are locally dependent when their bivariate residual (local_dependence)
# is at least this: Cohen's effect size w = sqrt(0.04) = 0.2, between small (0.1) and
# medium (0.3). An effect size, not a test: over a million pairs every departure is
# significant. The Calibration section of benchmarks/RESULTS.md compares other limits.
# Measured again at 10cb3b1: a lower limit reads that suite's largest gap better (0.027
# here; 0.026 at 0.035, 0.023 at 0.03, 0.017 at 0.02; Brier and log loss equal to four
# digits) and the quality set and small plain fits alike (mean F1 within 0.001), but leaves
# the names of encoded records judged by too little, and their map flat: six draws of
# 500 x 1,000, mean F1 at 0.5 with paired keys 0.890 here, 0.874 at 0.035, 0.856 at 0.03,
# 0.847 at 0.02 (one draw 0.751, slope 0.38 against 0.68 on the truth); with a key a part
# 0.882, 0.882, 0.880, 0.854. A higher one reads the suite worse (0.030 at 0.045 and 0.05).
LOCAL_DEPENDENCE = 0.04
# The screen is read at every limit within this of LOCAL_DEPENDENCE (spread evenly), and
# its fits' likelihoods averaged (_screens): a pair of comparisons whose dependence
# crosses the limit then moves the map by degrees, not at one step. Chosen on the
# encoded draws of 500 x 1,000 (paired keys, seeds 7-12), where one step flattened the
# map, against the calibration suite and small plain fits; see the module docstring.
DEPENDENCE_BAND = 0.01


@dataclass(frozen=True)
class WeightCalibration:
    """A monotone map from match weight to probability; see the module docstring.

    ``slopes`` has one entry more than ``knots``: the slope below the first knot, between
    each pair of knots, and above the last. ``intercept`` is the log2 odds at the first
    knot (at weight 0 without knots). The identity map is the raw Fellegi–Sunter
    probability.
    """

    method: str = "identity"
    knots: tuple[float, ...] = ()
    intercept: float = 0.0
    slopes: tuple[float, ...] = (1.0,)
    pairs: int = 0
    matches: float = 0.0

    def log2_odds(self, weight: npt.ArrayLike) -> FloatArray:
        w = np.asarray(weight, dtype=np.float64)
        if not self.knots:
            # One slope: the design's product without the design (an (n, 2) copy of the
            # weights), each value rounded as the product rounds it: w times the slope,
            # plus the intercept.
            line: FloatArray = w * self.slopes[0]
            line += self.intercept
            return line
        beta = np.asarray([self.intercept, *self.slopes], dtype=np.float64)
        out: FloatArray = _basis(w.ravel(), self.knots) @ beta
        return out.reshape(w.shape)

    def weight_at(self, log2_odds: npt.ArrayLike) -> FloatArray:
        """A weight whose log2 odds are these (:meth:`log2_odds` read backwards): the
        least where a flat stretch between knots gives them to many. A flat end gives
        its knot for the odds there and beyond (they are reached nowhere else), and a
        map with neither knots nor slope a weight of 0."""
        odds = np.asarray(log2_odds, dtype=np.float64)
        knots = np.asarray(self.knots, dtype=np.float64)
        slopes = np.asarray(self.slopes, dtype=np.float64)
        if not len(knots):
            if slopes[0] <= 0:
                return np.zeros_like(odds)
            out: FloatArray = (odds - self.intercept) / slopes[0]
            return out
        at_knots = self.log2_odds(knots)
        # Where the odds fall: below the first knot (0), between knots (1 ..), above the
        # last; the weight is the segment's start plus the odds' rise over its slope.
        segment = np.searchsorted(at_knots, odds, side="left")
        start = np.concatenate([knots[:1], knots])[segment]
        base = np.concatenate([at_knots[:1], at_knots])[segment]
        slope = slopes[segment]
        rising = slope > 0
        out = np.where(rising, start + (odds - base) / np.where(rising, slope, 1.0), start)
        return out

    def probability(self, weight: npt.ArrayLike) -> FloatArray:
        out: FloatArray = 1.0 / (1.0 + np.exp2(-np.clip(self.log2_odds(weight), -1000, 1000)))
        return out

    def probability_over(
        self, weight: npt.ArrayLike, threshold: float
    ) -> tuple[npt.NDArray[np.intp], FloatArray]:
        """Where ``probability(weight)`` (of a 1-d array) is at least ``threshold``, and the
        probability there: the same values, the exponential reckoned only where the log2
        odds come near the threshold's or over (the map from log2 odds to probability is
        monotone; most candidate pairs lie far below)."""
        odds = self.log2_odds(weight)
        if threshold <= 0:
            near = np.arange(len(odds))
            odds = np.clip(odds, -1000, 1000)
        else:
            # The log2 odds of the threshold: a probability reads 1.0 from 53 bits on.
            edge = 53.0 if threshold >= 1 else float(np.log2(threshold) - np.log2(1 - threshold))
            least = edge - _NEAR_BITS
            if least > -1000:  # the odds clipped to +-1000 reach it where the odds do
                near = np.flatnonzero(odds >= least)
                odds = np.clip(odds[near], -1000, 1000)
            else:
                odds = np.clip(odds, -1000, 1000)
                near = np.flatnonzero(odds >= least)
                odds = odds[near]
        prob: FloatArray = 1.0 / (1.0 + np.exp2(-odds))
        over = prob >= threshold
        return near[over], prob[over]

    def weight_floor(self, threshold: float) -> float | None:
        """A weight below which :meth:`probability_over` finds nothing at ``threshold`` (a
        little under the weight whose log2 odds it starts to reckon at, allowing far more
        than the rounding of the log2 odds), so that pairs below it need no weight of
        their own; None where the map has knots or no slope, or the threshold reckons
        every pair."""
        if self.knots or threshold <= 0 or self.slopes[0] <= 0:
            return None
        edge = 53.0 if threshold >= 1 else float(np.log2(threshold) - np.log2(1 - threshold))
        least = edge - _NEAR_BITS
        slope = self.slopes[0]
        floor = (least - self.intercept) / slope
        if least <= -1000 or not np.isfinite(floor):
            return None
        return floor - 1e-6 * (1.0 + abs(floor) + (abs(least) + abs(self.intercept)) / slope)

    def to_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "knots": list(self.knots),
            "intercept": self.intercept,
            "slopes": list(self.slopes),
            "pairs": self.pairs,
            "matches": self.matches,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> WeightCalibration:
        knots = tuple(float(k) for k in data["knots"])
        slopes = tuple(float(s) for s in data["slopes"])
        if len(slopes) != len(knots) + 1 or any(s < 0 for s in slopes):
            raise ValueError("calibration: want one non-negative slope more than knots")
        return cls(
            method=str(data["method"]),
            knots=knots,
            intercept=float(data["intercept"]),
            slopes=slopes,
            pairs=int(data.get("pairs", 0)),
            matches=float(data.get("matches", 0.0)),
        )


IDENTITY = WeightCalibration()
#: Log2 odds below the threshold's that probability_over still reckons (far wider than any
#: rounding of the exponential).
_NEAR_BITS = 0.01


def _basis(w: FloatArray, knots: Sequence[float]) -> FloatArray:
    """Design matrix: a constant, then one column per slope (piecewise-linear in w)."""
    if not knots:
        return np.stack([np.ones_like(w), w], axis=1)
    cols = [np.ones_like(w), np.minimum(w - knots[0], 0.0)]
    cols += [np.clip(w - a, 0.0, b - a) for a, b in itertools.pairwise(knots)]
    cols.append(np.maximum(w - knots[-1], 0.0))
    return np.stack(cols, axis=1)


Prior = tuple[FloatArray, FloatArray]


def _prior(knots: Sequence[float], about: WeightCalibration | None = None) -> Prior:
    """Prior mean and precision of (intercept, slopes...): the identity map, smooth; or,
    ``about`` a map (the unlabelled one), that map read in this basis (its log2 odds at the
    first knot, its mean slope between each pair of knots and one bit past the ends), the
    slopes held as closely as :data:`LABELLED_SLOPE_SD` says."""
    k = len(knots) + 1
    if about is None:
        mean = np.r_[knots[0] if knots else 0.0, np.ones(k)]
        slope_sd = SLOPE_SD
    else:
        at = np.r_[knots[0] - 1.0, knots, knots[-1] + 1.0] if knots else np.r_[0.0, 1.0]
        z = about.log2_odds(at)
        start = z[1] if knots else z[0]
        mean = np.r_[start, np.maximum(np.diff(z) / np.diff(at), 0.0)]
        slope_sd = LABELLED_SLOPE_SD
    precision = np.zeros((k + 1, k + 1))
    precision[0, 0] = 1.0 / INTERCEPT_SD**2
    diff = np.diff(np.eye(k), axis=0)
    precision[1:, 1:] = np.eye(k) / slope_sd**2 + diff.T @ diff / SMOOTH_SD**2
    return mean, precision


# Per row of the design: log-likelihood, and its first and second derivatives in z (log2 odds).
RowLikelihood = Callable[[FloatArray], tuple[FloatArray, FloatArray, FloatArray]]


def _maximise(
    design: FloatArray, rows: RowLikelihood, prior: Prior, max_iterations: int = 100
) -> FloatArray:
    """Maximum a posteriori (intercept, slopes) by damped Newton; slopes kept >= 0.

    Where the Hessian is not negative definite, only the concave part of each row's
    curvature is used, so every step goes uphill; the prior keeps the logistic problem
    strictly concave even under perfect separation.
    """
    mean, precision = prior
    beta = mean.copy()

    def objective(b: FloatArray) -> float:
        d = b - mean
        return float(rows(design @ b)[0].sum() - 0.5 * d @ precision @ d)

    current = objective(beta)
    for _ in range(max_iterations):
        _, first, second = rows(design @ beta)
        grad = design.T @ first - precision @ (beta - mean)
        hess = (design * second[:, None]).T @ design - precision
        try:
            np.linalg.cholesky(-hess)
        except np.linalg.LinAlgError:
            hess = (design * np.minimum(second, 0.0)[:, None]).T @ design - precision
        step = np.linalg.solve(hess, -grad)
        t = 1.0
        while t > 1e-10:
            trial = beta + t * step
            trial[1:] = np.maximum(trial[1:], 0.0)
            value = objective(trial)
            if value >= current - 1e-12:
                break
            t /= 2
        else:
            break
        moved = float(np.abs(trial - beta).max())
        beta, current = trial, value
        if moved < 1e-7:
            break
    return beta


def _knots(weights: FloatArray, is_match: npt.NDArray[np.bool_]) -> tuple[float, ...]:
    if is_match.sum() < MIN_PER_CLASS or (~is_match).sum() < MIN_PER_CLASS:
        return ()
    knots: list[float] = []
    for q in np.quantile(weights[is_match], KNOT_QUANTILES).tolist():
        if not knots or q - knots[-1] >= _MIN_KNOT_GAP:
            knots.append(round(float(q), 3))
    return tuple(knots)


def fit_on_labels(
    weights: npt.ArrayLike, is_match: npt.ArrayLike, about: WeightCalibration | None = None
) -> WeightCalibration:
    """The map from reviewed pairs: their match weights and whether each is a match.

    The weights must come from a model those pairs did not train (cross-fitting), or the
    map learns the model's overfit. Robust to separation and to few labels (the prior).
    ``about``: the map without labels (:func:`fit_on_comparisons`), which the prior is then
    centred on instead of the identity: a tenth of the requests reviewed holds a few
    hundred pairs in each middle bin, and the labels move the map from there only as far
    as they show it wrong.

    >>> cal = fit_on_labels([-9.0, -4.0, 0.0, 3.0, 8.0, 12.0], [0, 0, 1, 0, 1, 1])
    >>> bool(cal.probability(12.0) > cal.probability(0.0) > cal.probability(-9.0))
    True
    """
    w = np.asarray(weights, dtype=np.float64)
    y = np.asarray(is_match).astype(bool)
    if len(w) == 0:
        return IDENTITY
    knots = _knots(w, y)
    target = y.astype(np.float64)

    def rows(z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        zn = z * _LN2
        p = 1.0 / (1.0 + np.exp(-np.clip(zn, -700, 700)))
        ll = target * zn - np.logaddexp(0.0, zn)
        return ll, (target - p) * _LN2, -p * (1 - p) * _LN2**2

    beta = _maximise(_basis(w, knots), rows, _prior(knots, about))
    return WeightCalibration(
        method="labels",
        knots=knots,
        intercept=float(beta[0]),
        slopes=tuple(float(s) for s in beta[1:]),
        pairs=len(w),
        matches=float(y.sum()),
    )


def local_dependence(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior_weight: float,
) -> FloatArray:
    """Bivariate residual of each pair of comparisons, (C, C) with a zero diagonal.

    Among the pairs where both comparisons are known, the joint counts of their levels
    against those the two-class model expects (matches ``m_c m_d``, non-matches
    ``u_c u_d``, mixed by the prior): ``sum (observed - expected)**2 / expected``, divided
    by the pairs (phi squared, Cohen's w squared). Near 0 when match status explains the
    pair's agreement; large when they agree together beyond it (one a copy of the other).

    >>> m, u = [np.array([0, 0.2, 0.8])] * 3, [np.array([0, 0.8, 0.2])] * 3
    >>> # The second comparison copies the first; the third follows match status only.
    >>> levels = np.array([[1, 1, 1], [2, 2, 2], [1, 1, 2], [2, 2, 1]], dtype=np.int8)
    >>> phi2 = local_dependence(levels, np.array([49, 19, 16, 16]), m, u, np.log2(1 / 3))
    >>> round(float(phi2[0, 1]), 2), round(float(phi2[0, 2]), 2)
    (0.51, 0.0)
    """
    n_comp = patterns.shape[1]
    share = 1.0 / (1.0 + 2.0 ** -float(prior_weight))
    joint = joint_counts(patterns, counts.astype(np.float64), max(len(x) for x in m))
    out = np.zeros((n_comp, n_comp))
    for c, d in itertools.combinations(range(n_comp), 2):
        lc, ld = len(m[c]), len(m[d])
        observed = joint[c, d, 1:lc, 1:ld]  # both known
        n = float(observed.sum())
        mc, uc, md, ud = m[c][1:], u[c][1:], m[d][1:], u[d][1:]
        if n <= 0 or min(mc.sum(), uc.sum(), md.sum(), ud.sum()) <= 0:
            continue
        expected = n * (
            share * np.outer(mc / mc.sum(), md / md.sum())
            + (1 - share) * np.outer(uc / uc.sum(), ud / ud.sum())
        )
        ok = expected > 0
        out[c, d] = out[d, c] = float(((observed - expected)[ok] ** 2 / expected[ok]).sum() / n)
    return out


def fit_on_comparisons(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    m: Sequence[FloatArray],
    u: Sequence[FloatArray],
    prior_weight: float,
    *,
    tf_bits: FloatArray | None = None,
    dependence_limit: float = LOCAL_DEPENDENCE,
    dependence_band: float = DEPENDENCE_BAND,
    classes: NonMatchClasses | None = None,
    workers: int = 1,
    anchors: Sequence[tuple[int, int] | None] | None = None,
) -> WeightCalibration:
    """The map without labels: each comparison predicted from the weight of the others it
    is not locally dependent on.

    Args:
        patterns: distinct level patterns of the candidate pairs, (K, C); with
            ``tf_bits``, a pattern may recur, once for each distinct row of bits.
        counts: how many pairs show each row.
        m, u: per comparison, the model's m and u of each level (index 0: missing).
        prior_weight: log2 prior odds of a match among candidates.
        tf_bits: (K, C) term-frequency bits each row adds to each comparison's weight
            (0 where none), as predict adds them: the map is then fitted on the weights it
            is applied to. None: no term frequencies.
        dependence_limit: comparisons whose :func:`local_dependence` reaches this leave
            each other out of the evidence that predicts them (``inf``: none do).
        dependence_band: the screen is read at every limit within this of
            ``dependence_limit`` and the fits averaged (:func:`_screens`); 0: at the
            limit alone, one step.
        classes: the model's two kinds of non-match (:mod:`rfl_match.mixture`), whose
            ``u`` mix to the ``u`` given; None: one kind, no combination term.
        workers: threads that merge the comparisons' rows (-1: one per CPU); the result
            is the same on any number.
        anchors: per comparison, None, or for one whose levels are split by another's
            agreement (``compare.ConditionedComparison``) that one's column and the
            lowest level of it that agrees: its m and u are then given that agreement
            (each half sums to 1). Such a comparison is always predicted with its
            anchor among the others (its Bayes factor is the one given the anchor), and
            the anchor never with it (its levels hold the anchor's agreement). A split
            comparison is not screened for local dependence against any other (split or
            not), the others among themselves are. That choice is empirical: at main the
            screen leaves out given_name-birth (0.166) and place_of_birth-place_of_origin
            (0.277), which a split model then uses as judges of each other; the two
            repairs measured were worse (measure.py, condition_on family_name, largest
            calibration gap at 10,000 / 100,000 a side: this 0.113 / 0.043, 0.109 /
            0.043 with the marginal term-frequency rate; the screen run within each
            anchor half 0.126 / 0.141; split comparisons left out wherever their anchor
            is 0.147 / 0.100; review of df1e412, m20/fix2).

    A comparison's observation (its level, and with term frequencies the value agreed
    on) has likelihood ``p P(obs | match) + (1 - p) P(obs | non-match)``; divided by the
    second term, which the map does not change, that is ``1 + p (B - 1)`` with B the
    observation's Bayes factor, ``2**(level weight + its bits)``. So the bits enter both
    the others' evidence and the comparison's own.

    With ``classes``, a pair's weight holds the combination term D of its whole pattern
    too. The others' evidence is then their weights plus D of the pattern with c and
    those it is locally dependent on set to missing, and c's own Bayes factor is what
    adding c changes in that log-likelihood ratio: its weight, its bits, and the change in
    D (a relative's given name says more once the family's agreements are known).

    A two-parameter map (intercept, slope): with no labels, a richer curve would fit the
    model's own errors in m and u.
    """
    if len(counts) < 2:
        return IDENTITY
    # Column by column, never a (K, C) table of floats: K runs to millions at a million
    # records a side, and the loop below reads a few columns at a time.
    width = max(len(x) for x in m)
    cell_weights = _cell_weights(m, u, width)
    n_comp = patterns.shape[1]
    bits = np.zeros((len(counts), 0)) if tf_bits is None else tf_bits
    # most comparisons have none
    with_bits = [c for c in range(bits.shape[1]) if np.asarray(bits[:, c], np.float64).any()]
    # The bits in EVIDENCE_STEPs, a row per comparison that has them, in one table (as the
    # compiled kernel reads them): int32 where every step fits in it (at 1,000,000 records
    # a side the table is held through the calibration, 121 MB less than int64).
    small = all(
        float(np.abs(np.asarray(bits[:, c], dtype=np.float64)).max()) / EVIDENCE_STEP < 2**30
        for c in with_bits
    )
    steps = np.empty((len(with_bits), len(counts)), dtype=np.int32 if small else np.int64)
    for row, c in enumerate(with_bits):
        steps[row] = np.round(np.asarray(bits[:, c], dtype=np.float64) / EVIDENCE_STEP)
    # Read as steps: freed here where the caller holds them no more (Linker._fit).
    del bits, tf_bits
    evidence = _Evidence(
        patterns,
        cell_weights,
        width,
        steps,
        with_bits,
        None if classes is None else _Combination(patterns, classes, width),
    )
    total = np.empty(len(counts))
    for start in range(0, len(counts), ROW_BLOCK):
        part = slice(start, start + ROW_BLOCK)
        # Summed along each row of a (rows, C) block, as numpy sums the rows of a table.
        block = evidence.rows(start, start + ROW_BLOCK)
        total[part] = prior_weight + block.sum(axis=1)
    phi2 = local_dependence(*_merged(patterns, counts), m, u, prior_weight)
    screens = _screens(phi2, dependence_limit, dependence_band, anchors)
    # One row per (pattern, known comparison), merged where the comparison, its level, its
    # bits and the others' evidence (rounded to EVIDENCE_STEP) agree: a million patterns
    # times a dozen comparisons collapse to the distinct rows they hold. Merged one
    # comparison at a time (rows of different comparisons never merge), and once for each
    # screen of it (its rows' pairs weighed by the screen's share), so memory is a
    # column's, not the whole table's (a column per thread), and taken in order.
    evs, factors, cnts = [], [], []

    column = functools.partial(_column_rows, evidence, total, counts)
    tasks = [(c, left_out) for c in range(n_comp) for _, left_out in screens[c]]
    shares = [share for c in range(n_comp) for share, _ in screens[c]]
    for share, found in zip(shares, threaded(column, tasks, workers), strict=True):
        if found is not None:
            evs.append(found[0])
            factors.append(found[1])
            cnts.append(found[2] * share)
    del evidence, steps, total, column  # the fit reads the merged rows only
    if not cnts:
        return IDENTITY
    cnt, ev, b = np.concatenate(cnts), np.concatenate(evs), np.concatenate(factors)
    # The comparison's own Bayes factor B as a pair (B, 1) / (1 + B), so that q below is
    # 1 + p (B - 1) over a constant and stays in [0, 1] however large B is.
    mr = 1.0 / (1.0 + np.exp2(-b))
    ur = 1.0 / (1.0 + np.exp2(b))
    spread = mr - ur

    def rows(z: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        p = 1.0 / (1.0 + np.exp2(-np.clip(z, -1000, 1000)))
        q = np.maximum(ur + p * spread, 1e-300)
        dp = p * (1 - p) * _LN2
        first = spread * dp / q
        second = spread * dp * (1 - 2 * p) * _LN2 / q - first**2
        return cnt * np.log(q), cnt * first, cnt * second

    beta = _maximise(_basis(ev, ()), rows, _prior(()))
    return WeightCalibration(
        method="comparisons",
        intercept=float(beta[0]),
        slopes=(float(beta[1]),),
        pairs=int(counts.sum()),
    )


class _Combination:
    """The combination term D of rows of patterns with some comparisons set to missing:
    each row's log-likelihoods under ū and each class, reckoned once, less the dropped
    comparisons' cells."""

    def __init__(self, patterns: npt.NDArray[np.int8], classes: NonMatchClasses, width: int):
        self.patterns = patterns
        self.tables = classes.tables(width)
        self.log_shares = classes.log_shares()
        self.sums = classes.log_likelihoods(patterns, self.tables)

    def __call__(self, rows: npt.NDArray[np.intp], dropped: list[int]) -> FloatArray:
        sums = self.sums[rows]
        for d in dropped:
            sums -= self.tables[:, d, self.patterns[rows, d].astype(np.intp)].T
        return combination_bits(sums, self.log_shares)


class _Evidence:
    """A comparison's evidence in each row of patterns: its level's weight plus its
    term-frequency bits (``tf``: per comparison that has them, in EVIDENCE_STEPs); and
    the combination term of rows with some comparisons missing (``combination``; None
    without non-match classes)."""

    def __init__(
        self,
        patterns: npt.NDArray[np.int8],
        cell_weights: FloatArray,
        width: int,
        steps: npt.NDArray[np.signedinteger[Any]],
        with_bits: list[int],
        combination: _Combination | None = None,
    ) -> None:
        # Contiguous once, so that the kernels read every block of rows without a copy.
        self.patterns = np.ascontiguousarray(patterns)
        self.cell_weights, self.width = cell_weights, width
        self.steps = np.ascontiguousarray(steps)
        self.tf_row = np.full(patterns.shape[1], -1, dtype=np.intp)  # -1: none
        self.tf_row[with_bits] = np.arange(len(with_bits))
        self.combination = combination

    def tf_steps(self, c: int) -> npt.NDArray[np.signedinteger[Any]] | None:
        """Comparison c's term-frequency bits in EVIDENCE_STEPs (None where it has none)."""
        row = int(self.tf_row[c])
        return None if row < 0 else self.steps[row]

    def rows(self, start: int, stop: int) -> FloatArray:
        """Every comparison's evidence (as :meth:`__call__` gives a column) in rows
        ``start:stop``, a (rows, C) table (kernels.evidence_rows: one pass)."""
        return evidence_rows(
            self.patterns, start, stop, self.cell_weights, self.width, self.steps, self.tf_row,
            EVIDENCE_STEP,
        )  # fmt: skip

    def __call__(self, c: int, rows: slice | npt.NDArray[np.intp]) -> FloatArray:
        level = self.patterns[rows, c].astype(np.intp)
        out: FloatArray = self.cell_weights[level + c * self.width]
        steps = self.tf_steps(c)
        if steps is not None:
            out += steps[rows] * EVIDENCE_STEP
        return out


def _screens(
    phi2: FloatArray,
    limit: float,
    band: float,
    anchors: Sequence[tuple[int, int] | None] | None,
) -> list[list[tuple[float, npt.NDArray[np.bool_]]]]:
    """Per comparison c, the comparisons left out of the evidence that predicts it (a
    mask, c among them) and the share of the fit's weight each such screen carries.

    At one limit, pairs whose dependence (``phi2``) reaches it leave each other out, with
    the exceptions of split comparisons (see :func:`fit_on_comparisons`). That is a step:
    a pair just over the limit and one just under give maps that may differ a great deal
    (on the bundled data with paired keys, the birth left out of the names' judges at
    0.043-0.055 left them judged by the sex alone and the map flat). So the screen is
    read at every limit within ``band`` of ``limit``, spread evenly, and c's rows weighed
    by the share of those limits that give each screen: as a dependence crosses the band,
    the share of the screen without that judge grows in proportion. Without a band (or
    no limit) one screen, as at the limit alone.

    >>> phi2 = np.array([[0, 0.045, 0.2], [0.045, 0, 0.0], [0.2, 0.0, 0]])
    >>> # 0 and 1 at 0.045: left out of each other at limits 0.03-0.045, not from there on
    >>> [(round(share, 3), mask.tolist()) for share, mask in _screens(phi2, 0.04, 0.01, None)[0]]
    [(0.75, [True, True, True]), (0.25, [True, False, True])]
    """
    n_comp = len(phi2)
    split = [c for c, anchor in enumerate(anchors or ()) if anchor is not None]

    def dependent(at: float) -> npt.NDArray[np.bool_]:
        out = phi2 >= at
        # Split comparisons go unscreened against all others (empirical: see
        # fit_on_comparisons' ``anchors``); a split one is read with its anchor, the
        # anchor never with it.
        out[split, :] = False
        out[:, split] = False
        np.fill_diagonal(out, True)  # c itself is always left out
        for c, anchor in enumerate(anchors or ()):
            if anchor is not None:
                out[c, anchor[0]] = False
                out[anchor[0], c] = True
        return out

    if band <= 0 or not np.isfinite(limit):
        at_limit = dependent(limit)
        return [[(1.0, at_limit[c])] for c in range(n_comp)]
    low, high = limit - band, limit + band
    screens = []
    for c in range(n_comp):
        inside = phi2[c][(phi2[c] > low) & (phi2[c] < high)]
        cuts = np.unique(np.r_[low, inside, high])
        found: list[tuple[float, npt.NDArray[np.bool_]]] = []
        for a, b in itertools.pairwise(cuts.tolist()):
            mask = dependent((a + b) / 2)[c]
            share = (b - a) / (high - low)
            if found and np.array_equal(found[-1][1], mask):
                found[-1] = (found[-1][0] + share, mask)
            else:
                found.append((share, mask))
        screens.append(found)
    return screens


def _column_rows(
    evidence: _Evidence,
    total: FloatArray,
    counts: npt.NDArray[np.int64],
    task: tuple[int, npt.NDArray[np.bool_]],
) -> tuple[FloatArray, FloatArray, FloatArray] | None:
    """Comparison c's rows of :func:`fit_on_comparisons` under one screen, where it is
    known: the evidence of the others (all but those the mask marks, c among them), c's
    own Bayes factor (bits) and the pairs, merged where those agree. ``task``: c and
    the mask. None where c is never known."""
    c, mask = task
    left_out = np.flatnonzero(mask).tolist()
    known, others = others_evidence(
        evidence.patterns,
        c,
        left_out,
        evidence.cell_weights,
        evidence.width,
        evidence.steps,
        evidence.tf_row,
        EVIDENCE_STEP,
        total,
    )
    if not len(known):
        return None
    # What adding c changes in the combination term, in EVIDENCE_STEPs (none without one).
    change = None
    if evidence.combination is not None:
        without = evidence.combination(known, left_out)
        with_c = evidence.combination(known, [d for d in left_out if d != c])
        others += without
        change = np.round((with_c - without) / EVIDENCE_STEP).astype(np.int64)
    width = evidence.width
    keys, sums, fields = evidence_sums(
        others,
        EVIDENCE_STEP,
        change,
        evidence.tf_steps(c),
        evidence.patterns[:, c],
        known,
        counts,
        width,
    )
    low, low_bits, span_bits, low_change, span_change = fields
    rest, level = np.divmod(keys, width)
    rest, change_of = np.divmod(rest, span_change)
    step_of, bits_of = np.divmod(rest, span_bits)
    factor = evidence.cell_weights[c * width + level] + (bits_of + low_bits) * EVIDENCE_STEP
    if evidence.combination is not None:
        factor += (change_of + low_change) * EVIDENCE_STEP
    return (step_of + low) * EVIDENCE_STEP, factor, sums.astype(np.float64)


def _merged(
    patterns: npt.NDArray[np.int8], counts: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Runs of equal rows merged, their counts added: the rows of one level pattern (which
    differ in term-frequency bits) come together, as fit groups them, so what is left is
    one row per pattern. A statistic of levels alone, such as :func:`local_dependence`,
    reads sums of counts: the same whether rows are merged or not, and in any order
    (integer counts add exactly)."""
    if not len(counts):
        return patterns, counts
    starts = row_runs(patterns)
    return patterns[starts], np.add.reduceat(counts.astype(np.int64), starts)


def _cell_weights(m: Sequence[FloatArray], u: Sequence[FloatArray], width: int) -> FloatArray:
    """log2(m / u) of every (comparison, level) cell, ``c * width + level``."""
    out = np.zeros(len(m) * width)
    for c, (mc, uc) in enumerate(zip(m, u, strict=True)):
        levels = np.arange(1, len(mc))
        out[c * width + levels] = np.log2(np.maximum(mc[1:], 1e-300)) - np.log2(
            np.maximum(uc[1:], 1e-300)
        )
    return out


#: The others' evidence is rounded to this many bits before the unlabelled fit.
EVIDENCE_STEP = 1 / 64


def request_folds(groups: npt.ArrayLike, n_folds: int, seed: int) -> npt.NDArray[np.intp]:
    """Fold of each row, whole groups (requests) together, in a seeded random order."""
    keys = np.asarray(groups)
    uniq, inverse = np.unique(keys, return_inverse=True)
    order = np.random.default_rng(seed).permutation(len(uniq))
    fold: npt.NDArray[np.intp] = (order % max(n_folds, 1)).astype(np.intp)[inverse]
    return fold
