"""Calibration on seeded synthetic data (issue 5): does a match probability of p mean a
share p of true matches? Several large draws pooled, so that a bin holds thousands of pairs
rather than hundreds, read two ways (equal-width bins and quantile deciles), with and
without reviewed pairs. The reliability helpers here are shared with ``quality``."""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import rfl_match as rm
from benchmarks.common import header, log, pair_keys, predict_options, table
from benchmarks.datasets import Synthetic, synthetic
from rfl_match.calibration import (
    DEPENDENCE_BAND,
    EVIDENCE_STEP,
    LOCAL_DEPENDENCE,
    fit_on_comparisons,
)
from rfl_match.compare import split_anchors
from rfl_match.linker import COMBINATION_COLUMN, SIBLING_BIRTHS
from rfl_match.privacy import encode_records, encoded_config
from rfl_match.scoring import decode_patterns, pattern_codes

#: The key of the encoded reading (a benchmark's, not a secret).
ENCODING_KEY = b"rfl_match calibration key, not a secret: 32 bytes"

#: The target of issue 5: |mean prediction - observed share| at most this in every bin.
TARGET = 0.05
#: Quantile deciles are taken among candidates predicted at least this: below it sit the
#: hundreds of thousands of pairs that share a name key and nothing else.
FLOOR = 0.05
#: Share of requests whose candidates are all reviewed in the labelled reading.
REVIEWED = 0.10
#: Other limits on local dependence tried, beside rfl_match's own (inf: none set aside).
LIMITS = (np.inf, 0.02, 0.03, 0.06, 0.09)


# --- reliability tables ------------------------------------------------------------------


def wilson(k: int, n: int, z: float = 1.96) -> str:
    """Wilson score interval of an observed share k / n."""
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return f"{max(centre - half, 0.0):.3f}-{min(centre + half, 1.0):.3f}"


def _row(label: str, prob: np.ndarray, hit: np.ndarray) -> dict[str, Any]:
    n = len(prob)
    return {
        "predicted probability": label,
        "pairs": n,
        "mean predicted": float(prob.mean()) if n else None,
        "observed share of true matches": float(hit.mean()) if n else None,
        "gap": float(prob.mean() - hit.mean()) if n else None,
        "95% interval": wilson(int(hit.sum()), n) if n else None,
    }


def reliability(prob: np.ndarray, hit: np.ndarray, bins: int = 10) -> list[dict[str, Any]]:
    """Per probability decile (equal width): pairs, mean prediction, observed match share."""
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, prob, side="right") - 1, 0, bins - 1)
    return [
        _row(
            f"[{edges[b]:.1f}, {edges[b + 1]:.1f}" + ("]" if b == bins - 1 else ")"),
            prob[which == b],
            hit[which == b],
        )
        for b in range(bins)
    ]


def quantile_reliability(
    prob: np.ndarray, hit: np.ndarray, floor: float = FLOOR, groups: int = 10
) -> list[dict[str, Any]]:
    """Candidates predicted at least ``floor`` in ``groups`` of equal size by prediction."""
    keep = prob >= floor
    order = np.argsort(prob[keep], kind="stable")
    p, h = prob[keep][order], hit[keep][order]
    rows = []
    for part in np.array_split(np.arange(len(p)), groups):
        if len(part):
            rows.append(_row(f"{p[part[0]]:.3f}-{p[part[-1]]:.3f}", p[part], h[part]))
    return rows


def gaps(rows: list[dict[str, Any]]) -> tuple[float, int, int]:
    """Largest |gap|, bins within TARGET, bins with pairs."""
    found = [abs(r["gap"]) for r in rows if r["gap"] is not None]
    return max(found), sum(g <= TARGET for g in found), len(found)


def summary(prob: np.ndarray, hit: np.ndarray) -> str:
    rows = reliability(prob, hit)
    worst, within, filled = gaps(rows)
    ece = sum(r["pairs"] * abs(r["gap"]) for r in rows if r["gap"] is not None)
    return (
        f"Largest |gap| {worst:.3f}; {within} of {filled} bins within {TARGET}; Brier score "
        f"{float(np.mean((prob - hit) ** 2)):.4f}; expected calibration error "
        f"{ece / max(len(prob), 1):.4f} (pair-weighted mean |gap|)."
    )


# --- the draws ---------------------------------------------------------------------------


@dataclass
class Reading:
    """Predictions of one method on every draw, and which of those pairs are true."""

    name: str
    prob: list[np.ndarray] = field(default_factory=list)
    hit: list[np.ndarray] = field(default_factory=list)

    def add(self, prob: np.ndarray, hit: np.ndarray) -> None:
        self.prob.append(prob)
        self.hit.append(hit)

    @property
    def pooled(self) -> tuple[np.ndarray, np.ndarray]:
        return np.concatenate(self.prob), np.concatenate(self.hit)


def _patterns(scored: pd.DataFrame, model: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The scored pairs grouped as ``fit_on_comparisons`` reads them: level pattern (from
    predict's ``<comparison>_level`` columns) and term-frequency bits (each
    ``<comparison>_weight`` less its level's weight, in steps of EVIDENCE_STEP); the
    groups' patterns, pairs, and bits."""
    levels = scored[[f"{n}_level" for n in model.names]].to_numpy(np.int8)
    weights = scored[[f"{n}_weight" for n in model.names]].to_numpy(np.float64)
    steps = np.round((weights - model.level_weights(levels)) / EVIDENCE_STEP).astype(np.int64)
    n_levels = tuple(len(x) for x in model.m_)
    table = pd.DataFrame(steps).assign(code=pattern_codes(levels, n_levels))
    rows = table.value_counts(sort=False).reset_index()
    patterns = decode_patterns(rows["code"].to_numpy(np.int64), n_levels)
    bits = rows[list(range(len(n_levels)))].to_numpy(np.float64) * EVIDENCE_STEP
    return patterns, rows["count"].to_numpy(np.int64), bits


def _context_only(linker: Any) -> pd.Index:
    """The keys (:func:`pair_keys`) of the candidate pairs the fit just made that only the
    context rules chose: scored, but not learned from (``CandidatePairs.context_only``,
    read from what the fit keeps for a predict on its own inputs)."""
    session = linker._session
    pairs = session.pairs
    ids = pairs.ids[:0] if pairs.context_only is None else pairs.ids[pairs.context_only]
    left = session.left["record_id"].to_numpy()[ids // pairs.n_right]
    right = session.right["record_id"].to_numpy()[ids % pairs.n_right]
    return pair_keys(left, right)


def _reviewed(
    data: Any, scored: pd.DataFrame, hit: np.ndarray, seed: int
) -> tuple[np.ndarray, np.ndarray, str]:
    """Review every candidate of REVIEWED of the requests, fit with those labels, and
    return predictions and truth on the candidates of the other requests only."""
    requests = np.sort(scored["request_id"].astype(str).unique())
    rng = np.random.default_rng(seed + 1000)
    chosen = rng.choice(requests, int(len(requests) * REVIEWED), replace=False)
    mask = np.asarray(scored["request_id"].astype(str).isin(chosen))
    labels = scored.loc[mask, ["request_id", "sighting_id"]].assign(is_match=hit[mask])
    log(f"calibration: fit with {len(labels):,} reviewed pairs ({int(hit[mask].sum())} matches)")
    true_keys = pair_keys(scored["request_id"], scored["sighting_id"])[hit]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linker = rm.Linker().fit(data.requests, data.sightings, labels=labels)
        again = linker.predict(data.requests, data.sightings, threshold=0.0, top_k=0)
    rest = np.asarray(~again["request_id"].astype(str).isin(chosen))
    prob = again["match_probability"].to_numpy(np.float64)[rest]
    truth = np.asarray(pair_keys(again["request_id"], again["sighting_id"]).isin(true_keys))
    note = f"{len(chosen):,} requests, {len(labels):,} pairs, {int(hit[mask].sum())} matches"
    return prob, truth[rest], note


def run(n_requests: int, n_sightings: int, seeds: list[int], command: str) -> list[str]:
    names = {
        "raw": "Raw Fellegi–Sunter, `2**w / (1 + 2**w)`",
        "pooled": "Unsupervised, every other comparison predicts c (no dependence screen)",
        "no_tf": "Unsupervised, map fitted with the term-frequency bits left out",
        "unsupervised": "Unsupervised, `rm.Linker().fit(requests, sightings)`",
        "one_request": "Unsupervised, each sighting's requests read together: "
        '`rm.Linker({"one_request_per_person": True})`',
        "reviewed": f"With {REVIEWED:.0%} of requests reviewed (measured on the rest)",
        "encoded": "Encoded records, unsupervised: `rm.Linker(privacy.encoded_config())`",
    }
    readings = {key: Reading(label) for key, label in names.items()}
    limits = {limit: Reading(f"{limit}") for limit in LIMITS}
    notes, maps, shifts, factors = [], [], [], []
    for seed in seeds:
        data = synthetic(n_requests, n_sightings, seed)
        log(f"calibration: seed {seed}, fit + predict on {n_requests:,} x {n_sightings:,}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            linker = rm.Linker().fit(data.requests, data.sightings)
            context_only = _context_only(linker)
            scored = linker.predict(data.requests, data.sightings, threshold=0.0, top_k=0)
        model = linker.model_
        assert model is not None
        truth = data.truth[["request_id", "sighting_id"]].astype(str)
        hit = np.asarray(
            pair_keys(scored["request_id"], scored["sighting_id"]).isin(
                pair_keys(truth["request_id"], truth["sighting_id"])
            )
        )
        weight = scored["match_weight"].to_numpy(np.float64)
        readings["raw"].add(rm.scoring.probability(weight), hit)
        readings["unsupervised"].add(scored["match_probability"].to_numpy(np.float64), hit)
        # The maps are refitted from the pairs fit learned its own from (not the context
        # rules' own, which predict scores too), and read on every scored pair.
        learned = ~pair_keys(scored["request_id"], scored["sighting_id"]).isin(context_only)
        patterns, counts, bits = _patterns(scored[np.asarray(learned)], model)
        args = (model.m_, model.u_, model.prior_weight_)
        # The comparisons split by the family name (the default) are read with it, as fit
        # reads them.
        kw = {
            "classes": model.non_match_,
            "anchors": split_anchors(
                model.names,
                linker.config.condition_on,
                siblings=bool(linker.training_.get(SIBLING_BIRTHS)),
            ),
        }
        for limit, reading in limits.items():
            cal = fit_on_comparisons(
                patterns, counts, *args, tf_bits=bits, dependence_limit=limit, **kw
            )
            reading.add(cal.probability(weight), hit)
        # The map as fitted before it saw the term-frequency bits, read on the same weights.
        cal = fit_on_comparisons(patterns, counts, *args, **kw)
        readings["no_tf"].add(cal.probability(weight), hit)
        # The combination term is a column only for a model with two kinds of non-match.
        together = scored.get(COMBINATION_COLUMN, 0.0)
        pair_bits = (
            weight
            - model.prior_weight_
            - np.asarray(together, dtype=np.float64)
            - model.level_weights(
                scored[[f"{n}_level" for n in model.names]].to_numpy(np.int8)
            ).sum(axis=1)
        )
        shifts.append(
            f"seed {seed}: true matches {pair_bits[hit].mean():+.2f}, "
            f"others {pair_bits[~hit].mean():+.2f}; map without them: intercept "
            f"{cal.intercept:.3f}, slope {cal.slopes[0]:.3f}"
        )
        # Were the bits a calibrated Bayes factor over their level among the candidates,
        # 2**bits would average 1 over the non-matches that carry them, 2**-bits over the
        # matches.
        for c, name in enumerate(model.names):
            level = scored[f"{name}_level"].to_numpy(np.intp)
            own = scored[f"{name}_weight"].to_numpy(np.float64) - model.weights_[c][level]
            carry = np.abs(own) > 1e-9
            if carry.any():
                factors.append(
                    f"seed {seed}, {name}: {np.exp2(own[carry & ~hit]).mean():.2f} and "
                    f"{np.exp2(-own[carry & hit]).mean():.2f}"
                )
        readings["pooled"].prob.append(limits[np.inf].prob[-1])
        readings["pooled"].hit.append(hit)
        cal = model.calibration_
        maps.append(f"seed {seed}: intercept {cal.intercept:.3f}, slope {cal.slopes[0]:.3f}")
        ids = scored[["request_id", "sighting_id"]]
        del scored  # two million rows with explanations: keep only what the review needs
        readings["one_request"].add(*_one_request(linker, data, truth))
        prob, held_truth, note = _reviewed(data, ids, hit, seed)
        readings["reviewed"].add(prob, held_truth)
        notes.append(f"seed {seed}: {note}")
        log(f"calibration: seed {seed}, encoded records")
        readings["encoded"].add(*_encoded(data, truth))

    lines = header(
        f"Calibration on synthetic data ({len(seeds)} draws of {n_requests:,} requests x "
        f"{n_sightings:,} sightings)",
        command,
    )
    total = sum(len(p) for p in readings["raw"].prob)
    lines += [
        f"Data: `rfl_match.synth`, seeds {', '.join(map(str, seeds))}; {total:,} candidate "
        "pairs scored in all (`predict(threshold=0, top_k=0)`), pooled over the draws. "
        f"The target (issue 5) is |gap| <= {TARGET} in every bin. Two readings: ten "
        f"equal-width bins of predicted probability, and ten quantile deciles (equal numbers "
        f"of pairs) of the candidates predicted at least {FLOOR}, where the first reading's "
        "middle bins are thin. '95% interval' is the Wilson interval of the observed share. "
        "Encoded: both sides `rfl_match.privacy.encode_records(records, key)` (names as keyed "
        "Bloom filters, the birth cut to its year), fitted and predicted as names in clear "
        "are, every candidate scored; the target is the same.",
        "",
        "Unsupervised maps (one a draw): " + "; ".join(maps) + ".",
        "",
        "The maps are fitted on the weights predict reads them on, term-frequency bits "
        "included (pairs grouped by level pattern and bits). Mean term-frequency bits a "
        "pair, and the map fitted with the bits left out: "
        + "; ".join(shifts)
        + ". Mean of 2**bits over the non-matches that carry bits, and of 2**-bits over such "
        "matches (both 1 if the bits were a calibrated Bayes factor among the candidates): "
        + "; ".join(factors)
        + ".",
        "",
        f"Reviewed: every candidate of {REVIEWED:.0%} of the requests (seeded), `fit(requests, "
        "sightings, labels=reviewed)` cross-fitted over 5 folds of requests, measured on the "
        "candidates of the other requests only; one draw of reviewed requests per data draw: "
        + "; ".join(notes)
        + ".",
        "",
        "### Summary",
        "",
        *table([_summary_row(r) for r in readings.values()]),
        "",
        f"'Within' counts bins with |gap| <= {TARGET}. Per draw: largest |gap| over the "
        "equal-width bins of each draw alone (a few hundred pairs a middle bin, so sampling "
        "alone moves a share by 0.03-0.05).",
        "",
        _verdict(readings),
        "",
    ]
    for key in ("unsupervised", "one_request", "reviewed", "encoded"):
        prob, hit = readings[key].pooled
        lines += [
            f"### {names[key]}",
            "",
            "Equal-width bins, pooled:",
            "",
            *table(reliability(prob, hit)),
            "",
            summary(prob, hit),
            "",
            f"Quantile deciles of the candidates predicted >= {FLOOR}, pooled:",
            "",
            *table(quantile_reliability(prob, hit)),
            "",
        ]
    lines += [
        "### Limit on local dependence",
        "",
        "The unsupervised map predicts each comparison only from the comparisons it is not "
        "locally dependent on (bivariate residual, phi squared, under the limit; "
        f"`rfl_match.calibration.LOCAL_DEPENDENCE` = {LOCAL_DEPENDENCE}, read at every "
        f"limit within `DEPENDENCE_BAND` = {DEPENDENCE_BAND} of it and the fits averaged). "
        "Refitted from the same candidates with other limits, each with the same band "
        "(inf: none set aside, the map before):",
        "",
        *table([_summary_row(r, "limit") for r in limits.values()]),
    ]
    return lines


def _encoded(data: Any, truth: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """An encoded link of one draw (:data:`ENCODING_KEY`), every candidate scored: the
    probabilities and whether each pair is true."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        left, right = (
            encode_records(side, ENCODING_KEY) for side in (data.requests, data.sightings)
        )
        linker = rm.Linker(encoded_config()).fit(left, right)
        scored = linker.predict(left, right, threshold=0.0, top_k=0)
    hit = pair_keys(scored["request_id"], scored["sighting_id"]).isin(
        pair_keys(truth["request_id"], truth["sighting_id"])
    )
    return scored["match_probability"].to_numpy(np.float64), np.asarray(hit)


def _summary_row(reading: Reading, label: str = "") -> dict[str, Any]:
    prob, hit = reading.pooled
    worst, within, filled = gaps(reliability(prob, hit))
    q_worst, q_within, q_filled = gaps(quantile_reliability(prob, hit))
    per_draw = [gaps(reliability(p, h))[0] for p, h in zip(reading.prob, reading.hit, strict=True)]
    return {
        label: reading.name,
        "pairs": len(prob),
        "bins: largest |gap|": worst,
        "bins within": f"{within} of {filled}",
        "deciles: largest |gap|": q_worst,
        "deciles within": f"{q_within} of {q_filled}",
        "Brier": float(np.mean((prob - hit) ** 2)),
        "per draw: largest |gap|": ", ".join(f"{g:.3f}" for g in per_draw)
        + f" (mean {np.mean(per_draw):.3f})",
    }


def _one_request(
    linker: rm.Linker, data: Synthetic, truth: pd.DataFrame
) -> tuple[np.ndarray, np.ndarray]:
    """Every candidate's probability with ``one_request_per_person`` (each person here is
    sought by one request), and which candidates are true: the fitted ``linker``'s
    predict with the option set (an option of predict: the fit's candidates read again;
    unset after)."""
    with predict_options(linker, one_request_per_person=True), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scored = linker.predict(data.requests, data.sightings, threshold=0.0, top_k=0)
    hit = np.asarray(
        pair_keys(scored["request_id"], scored["sighting_id"]).isin(
            pair_keys(truth["request_id"], truth["sighting_id"])
        )
    )
    return scored["match_probability"].to_numpy(np.float64), hit


def _verdict(readings: dict[str, Reading]) -> str:
    """Which readings meet the target, stated from the numbers above."""
    met, missed = [], []
    for key in ("unsupervised", "one_request", "reviewed"):
        prob, hit = readings[key].pooled
        for how, rows in (
            ("equal-width bins", reliability(prob, hit)),
            ("quantile deciles", quantile_reliability(prob, hit)),
        ):
            worst, within, filled = gaps(rows)
            text = f"{key}, {how} ({within} of {filled} within; largest {worst:.3f})"
            (met if within == filled else missed).append(text)
    return (
        "Target met, pooled: "
        + ("; ".join(met) if met else "none")
        + ". Not met: "
        + ("; ".join(missed) if missed else "none")
        + "."
    )
