"""A fitted model's predictions on a Dask cluster: each task one partition of the
requests against all the sightings, proposing and scoring as one ``predict`` over all
the requests would (``rfl_match.backends.partitions`` says how, and what differs).

Needs the ``dask`` extra (``pip install 'rfl_match[dask]'``). Runs on whatever scheduler
is current: a ``dask.distributed.Client`` made before the call, the threads of this
process, or ``scheduler="processes"`` and the like through ``dask.config.set``.

>>> from rfl_match.backends import dask as rm_dask     # doctest: +SKIP
>>> matches = rm_dask.predict(linker, requests, sightings)   # a dask DataFrame, lazy
>>> matches.to_parquet("matches/")                             # or .compute()

The model is fitted first, on one machine (``Linker.fit``: a million records a side fit
in about a minute and 3.2 GB, ``benchmarks/RESULTS.md``), or loaded (``Linker.load``).
The sightings are held whole by every task (a dask DataFrame of them is computed once):
a task's memory is its partition's requests and candidates, and all the sightings.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any

import pandas as pd

from rfl_match.backends.partitions import (
    PARTITION_ROWS,
    budget_pass,
    check_partitioned,
    first_pass,
    merged_choices,
    predict_partition,
    records,
    run_partitions,
    side_counts,
    task_linker,
)
from rfl_match.linker import Linker

try:
    import dask.dataframe as dd
    from dask.base import compute
    from dask.delayed import delayed
except ImportError as exc:  # pragma: no cover - the extra is installed where it is used
    raise ImportError("rfl_match.backends.dask needs Dask: pip install 'rfl_match[dask]'") from exc


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
    then one per candidate budget, ``rfl_match.backends.partitions``) are computed
    here, before the call returns; the predictions are the returned frame's tasks.
    Records that fail validation raise :class:`rfl_match.RecordError` here, as
    ``predict`` does. Refused: ``one_to_one``, and one list against itself (dedupe)."""
    threshold, top_k = check_partitioned(linker, sightings, threshold, top_k, False)
    task = task_linker(linker, workers)
    whole = sightings.compute() if isinstance(sightings, dd.DataFrame) else sightings
    right = records(whole, task, "sightings")
    if not isinstance(requests, dd.DataFrame):
        requests = dd.from_pandas(requests, chunksize=partition_rows, sort=False)
    assert isinstance(requests, dd.DataFrame)
    parts = requests.to_delayed()
    # One key each in the graph, sent once to a worker, whatever the number of tasks.
    task_at, right_at = delayed(task), delayed(right)
    firsts = compute(*[delayed(first_pass)(task_at, part) for part in parts])
    shared = run_partitions(firsts, right, side_counts(task, right, 1))
    budgets = 1
    while len(shared[0].choices) < budgets:
        passes = [
            delayed(budget_pass, nout=2)(task_at, part, right_at, partition)
            for part, partition in zip(parts, shared, strict=True)
        ]
        found, made = compute(_merged([one[0] for one in passes]), [one[1] for one in passes])
        budgets = max(made, default=0)
        if found is None:
            break
        shared = [replace(partition, choices=(*partition.choices, found)) for partition in shared]
    out = [
        delayed(predict_partition)(task_at, part, right_at, partition, threshold, top_k)
        for part, partition in zip(parts, shared, strict=True)
    ]
    matches: dd.DataFrame = dd.from_delayed(
        out, meta=_meta(task, requests, right), verify_meta=False
    )
    return matches


def _merged(choices: Sequence[Any]) -> Any:
    """The partitions' choices of one budget merged two at a time, as a tree of tasks:
    no task holds more than two partitions' rows (4 bytes a sighting and candidate each)."""
    level = list(choices)
    while len(level) > 1:
        level = [delayed(merged_choices)(level[k : k + 2]) for k in range(0, len(level), 2)]
    return level[0] if level else None


def _meta(task: Linker, requests: dd.DataFrame, right: pd.DataFrame) -> pd.DataFrame:
    """The output's columns and dtypes, from a predict of one request against one
    sighting at a threshold nothing reaches."""
    head = requests.head(1, npartitions=-1)
    return task.predict(head, right.head(1), threshold=1.0)
