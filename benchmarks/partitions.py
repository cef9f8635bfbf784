"""Fitting and predicting in partitions of the requests (``rfl_match.backends``) against
one fit and one predict.

Per size: synthetic data (seed 7). Fit: the default ``rm.Linker().fit`` over all the
requests, then the same in partitions in this process (``fit_in_partitions``) and on
Dask's threaded scheduler (``rfl_match.backends.dask.fit``): the largest difference of the
models' m and u, their priors and candidate pairs, and the F1 of each model's matches
(one predict). Predict: the one fit's model on new frames three ways: one ``predict``;
in partitions in this process (``predict_in_partitions``); on Dask
(``rfl_match.backends.dask.predict``, a task per partition, one kernel thread each): the
pairs either run alone finds, the largest difference of ``match_probability`` among the
pairs both find, and F1 against the truth. The same with ``one_request_per_person`` set
on the one fit's model: one predict, and in partitions in this process, each sighting
read with all the requests (the pass before predicting sums its candidates' odds over
the partitions). Peak RSS is this process's high-water mark
during the phase, above what it held before (the data and the models), so it compares
phases, not processes.
"""

from __future__ import annotations

import gc
import warnings
from typing import Any

import numpy as np
import pandas as pd

import rfl_match as rm
from benchmarks.common import header, log, pair_keys, predict_options, score_pairs, table, timed
from benchmarks.datasets import synthetic
from rfl_match.backends.partitions import fit_in_partitions, predict_in_partitions, task_linker

PARTITIONS = 4


def _compare(one: pd.DataFrame, other: pd.DataFrame, truth: pd.Index) -> dict[str, Any]:
    keys = ["request_id", "sighting_id"]
    both = one.merge(other, on=keys, how="outer", indicator=True, suffixes=("", "_other"))
    shared = both[both["_merge"] == "both"]
    gap = (shared["match_probability"] - shared["match_probability_other"]).abs()
    scores = score_pairs(pair_keys(other["request_id"], other["sighting_id"]), truth)
    return {
        "pairs out": len(other),
        "only in one predict": int((both["_merge"] == "left_only").sum()),
        "only in this run": int((both["_merge"] == "right_only").sum()),
        "largest probability difference": float(gap.max()) if len(gap) else 0.0,
        "F1": scores.f1,
    }


def run(sizes: list[int], seed: int, command: str) -> list[str]:
    import dask

    from rfl_match.backends import dask as rm_dask

    lines = header("Fitting and predicting in partitions (rfl_match.backends)", command)
    lines += [__doc__.split("\n\n", 1)[1].strip(), ""]
    rows: list[dict[str, Any]] = []
    fit_rows: list[dict[str, Any]] = []
    together_rows: list[dict[str, Any]] = []
    for n in sizes:
        data = synthetic(n, n, seed)
        truth = pair_keys(data.truth["request_id"], data.truth["sighting_id"])
        rows_per = -(-n // PARTITIONS)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            log(f"partitions: {n:,} a side, one fit")
            with timed() as phase:
                fitted_once = rm.Linker().fit(data.requests, data.sightings)
            # The model alone: the fit's prepared records and pairs would count in the
            # peaks of the phases after it.
            linker = task_linker(fitted_once, fitted_once.config.workers)
            del fitted_once
            gc.collect()
            fits = [("one fit", linker, phase)]
            log(f"partitions: {n:,} a side, fit in {PARTITIONS} partitions in this process")
            with timed() as phase:
                local_fit = fit_in_partitions(
                    rm.Linker(), data.requests, data.sightings, partition_rows=rows_per
                )
            fits.append((f"{PARTITIONS} partitions, this process", local_fit, phase))
            log(f"partitions: {n:,} a side, fit in {PARTITIONS} partitions on Dask")
            with timed() as phase, dask.config.set(scheduler="threads"):
                dask_fit = rm_dask.fit(
                    rm.Linker(), data.requests, data.sightings, partition_rows=rows_per
                )
            fits.append((f"{PARTITIONS} partitions, Dask threads", dask_fit, phase))
            for name, fitted, timing in fits:
                found = task_linker(fitted, fitted.config.workers).predict(
                    data.requests, data.sightings
                )
                f1 = score_pairs(pair_keys(found["request_id"], found["sighting_id"]), truth).f1
                fit_rows.append(
                    {
                        "records a side": n,
                        "fit": name,
                        "wall s": timing.wall,
                        "CPU s": timing.cpu,
                        "wall / one fit": timing.wall / fits[0][2].wall,
                        "peak RSS MiB (phase)": timing.peak_mib,
                        **_models(linker, fitted),
                        "F1 of its matches": f1,
                    }
                )
            runs = _one_and_partitions(linker, data, rows_per, f"{n:,} a side")
            log(f"partitions: {n:,} a side, {PARTITIONS} partitions on Dask")
            with timed() as phase, dask.config.set(scheduler="threads"):
                lazy = rm_dask.predict(
                    linker, data.requests, data.sightings, partition_rows=rows_per
                )
                on_dask = lazy.compute()
            runs.append((f"{PARTITIONS} partitions, Dask threads", on_dask, phase))
            rows += _predict_rows(n, runs, truth)
            del runs, on_dask, lazy
            gc.collect()
            with predict_options(linker, one_request_per_person=True):
                together = _one_and_partitions(
                    linker, data, rows_per, f"{n:,} a side, one_request_per_person"
                )
            together_rows += _predict_rows(n, together, truth)
    lines += ["### Fit", "", *table(fit_rows), "", "### Predict (the one fit's model)", ""]
    lines += table(rows)
    lines += ["", "### Predict with `one_request_per_person` (the one fit's model)", ""]
    lines += table(together_rows)
    return lines


def _one_and_partitions(
    linker: rm.Linker, data: Any, rows: int, said: str
) -> list[tuple[str, pd.DataFrame, Any]]:
    """One predict of the synthetic lists, then in partitions of ``rows`` requests in this
    process (the partitions' matches end to end), each timed."""
    log(f"partitions: {said}, one predict")
    with timed() as phase:
        whole = linker.predict(data.requests, data.sightings)
    runs = [("one predict", whole, phase)]
    log(f"partitions: {said}, {PARTITIONS} partitions in this process")
    with timed() as phase:
        parts = predict_in_partitions(linker, data.requests, data.sightings, partition_rows=rows)
        local = pd.concat(list(parts), ignore_index=True)
    runs.append((f"{PARTITIONS} partitions, this process", local, phase))
    return runs


def _predict_rows(
    n: int, runs: list[tuple[str, pd.DataFrame, Any]], truth: pd.Index
) -> list[dict[str, Any]]:
    """A predict table's rows: each run against the first (one predict)."""
    whole, base = runs[0][1], runs[0][2]
    return [
        {
            "records a side": n,
            "run": name,
            "wall s": timing.wall,
            "CPU s": timing.cpu,
            "wall / one predict": timing.wall / base.wall,
            "peak RSS MiB (phase)": timing.peak_mib,
            **_compare(whole, out, truth),
        }
        for name, out, timing in runs
    ]


def _models(one: rm.Linker, other: rm.Linker) -> dict[str, Any]:
    a, b = one.model_, other.model_
    assert a is not None and b is not None
    return {
        "largest m difference": max(
            float(np.abs(x - y).max()) for x, y in zip(a.m_, b.m_, strict=True)
        ),
        "largest u difference": max(
            float(np.abs(x - y).max()) for x, y in zip(a.u_, b.u_, strict=True)
        ),
        "prior": b.prior_,
        "candidate pairs": other.training_["candidate_pairs"],
    }
