"""Matching without sharing names: plain records against Bloom-filter encodings.

Each data set is linked twice: in clear with the default ``rm.Linker()``, and encoded by
``rfl_match.privacy.encode_records`` under one key on both sides, then linked with
``rfl_match.privacy.encoded_config()``. Both at the default threshold and top_k. Also the
Dice coefficients of the person's name filters of true pairs against random pairs: what
the encoding leaves to tell them apart. Public API only.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

import rfl_match as rm
from benchmarks.common import ROOT, header, log, pair_keys, score_pairs, table, timed
from benchmarks.datasets import synthetic
from rfl_match.privacy import encode_records, encoded_config, filter_dice

#: A fixed key: the figures do not depend on which key, only on both sides sharing it.
KEY = b"rfl_match benchmark key, not a secret: 32 bytes or more"
OTHER_KEY = b"another rfl_match benchmark key, not a secret either"
RANDOM_PAIRS = 100_000
QUANTILES = (0.01, 0.1, 0.5, 0.9, 0.99)


def _bundled() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    folder = ROOT / "data" / "synthetic"
    truth = pd.read_csv(folder / "truth.csv", dtype=str)
    return (
        rm.read_records(folder / "requests.csv"),
        rm.read_records(folder / "sightings.csv"),
        truth,
    )


def _link(
    config: Any, requests: pd.DataFrame, sightings: pd.DataFrame, truth: pd.DataFrame
) -> dict[str, Any]:
    """Fit and predict at the defaults; precision, recall, F1, pairs completeness, time."""
    true_keys = pair_keys(truth["request_id"], truth["sighting_id"])
    linker = rm.Linker(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with timed() as phase:
            linker.fit(requests, sightings)
            found = linker.predict(requests, sightings)
        report = linker.blocking_report(requests, sightings, truth)
    scores = score_pairs(pair_keys(found["request_id"], found["sighting_id"]), true_keys)
    return {
        "precision": scores.precision,
        "recall": scores.recall,
        "F1": scores.f1,
        "pairs completeness": float(report["pairs_completeness"].iloc[-1]),
        "candidate pairs": int(report["cumulative_pairs"].iloc[-1]),
        "fit + predict s": phase.wall,
    }


def _dice_rows(
    requests: pd.DataFrame, sightings: pd.DataFrame, truth: pd.DataFrame, seed: int
) -> list[dict[str, Any]]:
    """Quantiles of the name filters' Dice: true pairs, random pairs."""
    left = requests.set_index("record_id")["name_bloom"]
    right = sightings.set_index("record_id")["name_bloom"]
    true = filter_dice(left[truth["request_id"]], right[truth["sighting_id"]])
    rng = np.random.default_rng(seed)
    random = filter_dice(
        left.iloc[rng.integers(0, len(left), RANDOM_PAIRS)],
        right.iloc[rng.integers(0, len(right), RANDOM_PAIRS)],
    )
    rows = []
    for label, dice in (("true pairs", true), ("random pairs", random)):
        dice = dice[~np.isnan(dice)]
        row: dict[str, Any] = {"pairs": label, "n": len(dice)}
        row |= {f"q{q:g}": float(np.quantile(dice, q)) for q in QUANTILES}
        row["share >= 0.7"] = float(np.mean(dice >= 0.7))
        rows.append(row)
    threshold = float(np.quantile(random[~np.isnan(random)], 0.99))
    rows[0]["above random q0.99"] = float(np.mean(true[~np.isnan(true)] > threshold))
    return rows


def run(sizes: tuple[int, int], seed: int, command: str) -> list[str]:
    big = synthetic(*sizes, seed)
    sets = {
        "bundled 500 x 1,000": _bundled(),
        f"synthetic {sizes[0]:,} x {sizes[1]:,} seed {seed}": (
            big.requests,
            big.sightings,
            big.truth,
        ),
    }
    rows: list[dict[str, Any]] = []
    dice: list[dict[str, Any]] = []
    for name, (requests, sightings, truth) in sets.items():
        truth = truth[["request_id", "sighting_id"]].astype(str)
        log(f"privacy: {name}, plain")
        rows.append({"data": name, "records": "plain", **_link(None, requests, sightings, truth)})
        log(f"privacy: {name}, encoded")
        with timed() as encoding:
            left = encode_records(requests, KEY)
            right = encode_records(sightings, KEY)
        result = _link(encoded_config(), left, right, truth)
        rows.append({"data": name, "records": "encoded", **result, "encode s": encoding.wall})
        # what cutting the birth to its year costs (full dates kept), and how much the
        # figures move with the key (each key hashes the features to other bits)
        for label, key, birth in (
            ("encoded, birth='day'", KEY, "day"),
            ("encoded, another key", OTHER_KEY, "year"),
        ):
            log(f"privacy: {name}, {label}")
            with timed() as again:
                left_again = encode_records(requests, key, birth=birth)
                right_again = encode_records(sightings, key, birth=birth)
            result = _link(encoded_config(), left_again, right_again, truth)
            rows.append({"data": name, "records": label, **result, "encode s": again.wall})
        dice += [{"data": name, **row} for row in _dice_rows(left, right, truth, seed)]
    lines = header("Privacy: matching on Bloom-filter encodings", command)
    lines += [
        "Plain: `rm.Linker().fit(requests, sightings).predict(requests, sightings)`. Encoded: "
        "both sides `rfl_match.privacy.encode_records(records, key)` (1,024 bits, 10 hashes, "
        "birth cut to the year), linked with `rm.Linker(rfl_match.privacy.encoded_config())`. "
        "Threshold 0.5 and top_k 5 (the defaults); pairwise scores against the truth; "
        "'pairs completeness' is the share of true pairs among the candidates "
        "(`blocking_report`). Seconds are wall time of fit + predict (encoding apart). "
        "\"birth='day'\" keeps full dates of birth and source dates: what the default cut "
        "to the year costs; 'another key' shows how much the figures move with the key.",
        "",
        *table(
            rows,
            [
                "data",
                "records",
                "precision",
                "recall",
                "F1",
                "pairs completeness",
                "candidate pairs",
                "fit + predict s",
                "encode s",
            ],
        ),
        "",
        "Dice coefficient of the person's name filters (`name_bloom`, `filter_dice`): "
        f"quantiles over the true pairs and over {RANDOM_PAIRS:,} random request x sighting "
        "pairs (blank filters left out); 'above random q0.99' is the share of true pairs "
        "above the random pairs' 99th percentile. Random pairs of synthetic data share "
        "common names (Mohammed, Ahmed) far more often than pairs of unrelated lists would.",
        "",
        *table(dice),
        "",
    ]
    return lines
