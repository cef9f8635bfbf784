"""Predicting in partitions of the requests (``rfl_match.backends``) against one predict.

Per size: synthetic data (seed 7), the default ``rm.Linker().fit``, then the fitted model's
predict on new frames three ways: one ``predict`` over all the requests; in partitions in
this process (``predict_in_partitions``); on Dask's threaded scheduler
(``rfl_match.backends.dask.predict``, a task per partition, one kernel thread each). The
pairs either run alone finds, the largest difference of ``match_probability`` among the
pairs both find, and F1 against the truth. Peak RSS is this process's high-water mark
during the phase, above what it held before (the data and the model), so it compares
phases, not processes.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd

import rfl_match as rm
from benchmarks.common import header, log, pair_keys, score_pairs, table, timed
from benchmarks.datasets import synthetic
from rfl_match.backends.partitions import predict_in_partitions, task_linker

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

    lines = header("Predicting in partitions (rfl_match.backends)", command)
    lines += [__doc__.split("\n\n", 1)[1].strip(), ""]
    rows: list[dict[str, Any]] = []
    for n in sizes:
        data = synthetic(n, n, seed)
        truth = pair_keys(data.truth["request_id"], data.truth["sighting_id"])
        rows_per = -(-n // PARTITIONS)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            linker = rm.Linker().fit(data.requests, data.sightings)
            log(f"partitions: {n:,} a side, one predict")
            with timed() as phase:
                whole = task_linker(linker, linker.config.workers).predict(
                    data.requests, data.sightings
                )
            runs = [("one predict", whole, phase)]
            log(f"partitions: {n:,} a side, {PARTITIONS} partitions in this process")
            with timed() as phase:
                local = pd.concat(
                    list(
                        predict_in_partitions(
                            linker, data.requests, data.sightings, partition_rows=rows_per
                        )
                    ),
                    ignore_index=True,
                )
            runs.append((f"{PARTITIONS} partitions, this process", local, phase))
            log(f"partitions: {n:,} a side, {PARTITIONS} partitions on Dask")
            with timed() as phase, dask.config.set(scheduler="threads"):
                lazy = rm_dask.predict(
                    linker, data.requests, data.sightings, partition_rows=rows_per
                )
                on_dask = lazy.compute()
            runs.append((f"{PARTITIONS} partitions, Dask threads", on_dask, phase))
        base = runs[0][2]
        for name, out, timing in runs:
            rows.append(
                {
                    "records a side": n,
                    "run": name,
                    "wall s": timing.wall,
                    "CPU s": timing.cpu,
                    "wall / one predict": timing.wall / base.wall,
                    "peak RSS MiB (phase)": timing.peak_mib,
                    **_compare(whole, out, truth),
                }
            )
    lines += table(rows)
    return lines
