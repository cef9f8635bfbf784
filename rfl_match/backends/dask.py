"""A fitted model's predictions, and a model's fit, on a Dask cluster: each task one
partition of the requests against all the sightings, proposing, scoring and learning as
one ``Linker.predict`` or ``Linker.fit`` over all the requests would
(``rfl_match.backends.partitions`` says how, and what differs).

Needs the ``dask`` extra (``pip install 'rfl_match[dask]'``). Runs on whatever scheduler
is current: a ``dask.distributed.Client`` made before the call, the threads of this
process, or ``scheduler="processes"`` and the like through ``dask.config.set``.

>>> from rfl_match.backends import dask as rm_dask               # doctest: +SKIP
>>> rm_dask.fit(linker, requests, sightings)                       # the passes run now
>>> matches = rm_dask.predict(linker, requests, sightings)          # a dask DataFrame, lazy
>>> matches.to_parquet("matches/")                                 # or .compute()

The sightings are held whole by every task (a dask DataFrame of them is computed once, on
the caller's side): a task's memory is its partition's requests and candidates, and all
the sightings. The requests are read once per pass.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from rfl_match.backends.partitions import (
    PARTITION_ROWS,
    Runner,
    agree,
    budget_pass,
    check_partitioned,
    fit_partitioned,
    merged_choices,
    predict_partition,
    records,
    split,
    task_linker,
)
from rfl_match.kernels import Keys
from rfl_match.linker import Linker

try:
    import dask.dataframe as dd
    from dask.base import compute
    from dask.delayed import delayed
except ImportError as exc:  # pragma: no cover - the extra is installed where it is used
    raise ImportError("rfl_match.backends.dask needs Dask: pip install 'rfl_match[dask]'") from exc


class DaskRunner(Runner):
    """The passes over the partitions as Dask tasks, computed a pass at a time."""

    def __init__(self) -> None:
        self._shared: dict[int, tuple[Any, Any]] = {}

    def shared(self, value: Any) -> Any:
        """One key in the graph for an object every call shares (the model, the
        sightings): sent once to a worker, whatever the number of tasks."""
        held = self._shared.get(id(value))
        if held is None:
            held = self._shared[id(value)] = (value, delayed(value))
        return held[1]

    def each(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        return list(compute(*[delayed(function)(*call) for call in calls]))

    def choices(self, calls: Sequence[tuple[Any, ...]]) -> tuple[tuple[Keys, Keys] | None, int]:
        """The partitions' choices merged two at a time, as a tree of tasks: no task holds
        more than two partitions' rows (4 bytes a sighting and candidate each)."""
        passes = [delayed(budget_pass, nout=2)(*call) for call in calls]
        level = [one[0] for one in passes]
        while len(level) > 1:
            level = [delayed(merged_choices)(level[k : k + 2]) for k in range(0, len(level), 2)]
        found, made = compute(level[0] if level else None, [one[1] for one in passes])
        return found, max(made, default=0)


def _partitions(requests: pd.DataFrame | dd.DataFrame, partition_rows: int) -> dd.DataFrame:
    if isinstance(requests, dd.DataFrame):
        return requests
    split(requests, partition_rows)  # the size checked as the local backend checks it
    out: dd.DataFrame = dd.from_pandas(requests, chunksize=partition_rows, sort=False)
    return out


def _sightings(sightings: pd.DataFrame | dd.DataFrame | None) -> pd.DataFrame | None:
    if isinstance(sightings, dd.DataFrame):
        whole: pd.DataFrame = sightings.compute()
        return whole
    return sightings


def fit(
    linker: Linker,
    requests: pd.DataFrame | dd.DataFrame,
    sightings: pd.DataFrame | dd.DataFrame,
    *,
    labels: pd.DataFrame | None = None,
    em: bool = True,
    partition_rows: int = PARTITION_ROWS,
) -> Linker:
    """``linker.fit(requests, sightings, labels=..., em=...)`` on Dask, a task per
    partition of the requests and pass (``rfl_match.backends.partitions.fit_partitioned``):
    EM, the term-frequency maps and the calibration run here, on the summed patterns of
    the partitions' candidates. Returns the linker, fitted. ``requests``: a dask
    DataFrame (its partitions are the tasks' own) or a pandas one (split into partitions
    of ``partition_rows``); the linker's ``workers`` are each task's threads."""
    parts = _partitions(requests, partition_rows).to_delayed()
    first = parts[0].compute()
    whole = _sightings(sightings)
    return fit_partitioned(DaskRunner(), linker, parts, first, whole, labels=labels, em=em)


def predict(
    linker: Linker,
    requests: pd.DataFrame | dd.DataFrame,
    sightings: pd.DataFrame | dd.DataFrame,
    *,
    threshold: float | None = None,
    top_k: int | None = None,
    partition_rows: int = PARTITION_ROWS,
    workers: int = 1,
) -> dd.DataFrame:
    """``linker.predict(requests, sightings, threshold=..., top_k=...)`` on Dask, a task
    per partition of the requests: the same columns, a partition of rows per partition
    of requests (each request's rows together, strongest first). Lazy: compute it, or
    write it (``to_parquet``, ``to_csv``).

    ``requests``: a dask DataFrame (its partitions are the tasks' own) or a pandas one
    (split into partitions of ``partition_rows``). ``workers``: threads for each task's
    kernels (1 where the cluster runs a task per core).

    The passes over the requests that make the partitions agree (term counts and ids;
    then one per candidate budget) are computed here, before the call returns; the
    predictions are the returned frame's tasks. Records that fail validation raise
    :class:`rfl_match.RecordError` here, as ``predict`` does. One list against itself
    (dedupe) is refused."""
    threshold, top_k = check_partitioned(linker, sightings, threshold, top_k)
    task = task_linker(linker, workers)
    whole = _sightings(sightings)
    assert whole is not None
    right = records(whole, task, "sightings")
    frames = _partitions(requests, partition_rows)
    parts = frames.to_delayed()
    runner = DaskRunner()
    agreed = agree(runner, task, parts, right)
    task_at, right_at = runner.shared(task), runner.shared(right)
    out = [
        delayed(predict_partition)(task_at, part, right_at, partition, threshold, top_k)
        for part, partition in zip(parts, agreed.partitions, strict=True)
    ]
    meta = task.predict(frames.head(1, npartitions=-1), right.head(1), threshold=1.0)
    matches: dd.DataFrame = dd.from_delayed(out, meta=meta, verify_meta=False)
    return matches
