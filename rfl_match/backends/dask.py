"""A fitted model's predictions, and a model's fit, on a Dask cluster: each task one
partition of the requests against all the sightings, proposing, scoring and learning as
one ``Linker.predict`` or ``Linker.fit`` over all the requests would
(``rfl_match.backends.partitions`` says how, and what differs).

Needs the ``dask`` extra (``pip install 'rfl_match[dask]'``). Runs on whatever scheduler
is current: a ``dask.distributed.Client`` made before the call, the threads of this
process, or ``scheduler="processes"`` and the like through ``dask.config.set``.

Example::

    from rfl_match.backends import dask as rm_dask
    rm_dask.fit(linker, requests, sightings)                  # the passes run now
    matches = rm_dask.predict(linker, requests, sightings)     # a dask DataFrame, lazy
    matches.to_parquet("matches/")                            # or .compute()

The sightings are held whole by every task (a dask DataFrame of them is computed once, on
the caller's side): a task's memory is its partition's requests and candidates, and all
the sightings. The requests are read once per pass.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd

from rfl_match.backends.partitions import (
    PARTITION_ROWS,
    Choices,
    Runner,
    agree,
    budget_pass,
    check_partitioned,
    check_rows,
    check_run,
    compete,
    fit_partitioned,
    merged_choices,
    predict_partition,
    records,
    say_problems,
    split,
    task_linker,
    validated_whole,
)
from rfl_match.linker import Linker
from rfl_match.schema import blank_rows

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
            # named, not hashed: hashing a million sightings' content costs seconds
            name = f"rfl-match-shared-{uuid.uuid4().hex}"
            held = self._shared[id(value)] = (value, delayed(value, name=name))
        return held[1]

    def each(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        return list(compute(*[delayed(function)(*call) for call in calls]))

    def choices(self, calls: Sequence[tuple[Any, ...]]) -> Choices:
        """The partitions' choices merged two at a time, as a tree of tasks: no task holds
        more than two partitions' rows (4 bytes a sighting and candidate each)."""
        level = [delayed(budget_pass)(*call) for call in calls]
        while len(level) > 1:
            level = [delayed(merged_choices)(level[k : k + 2]) for k in range(0, len(level), 2)]
        if not level:
            return {}
        (found,) = compute(level[0])
        merged: Choices = found
        return merged


def _partitions(
    requests: pd.DataFrame | dd.DataFrame, partition_rows: int
) -> tuple[list[Any], list[int] | None]:
    """The partitions of ``requests`` as tasks, and where each begins among all the
    requests, where known (for the rows a problem names): a dask DataFrame's own, whose
    lengths are not known before they are read; a pandas one split here, as
    ``predict_in_partitions`` splits it."""
    if isinstance(requests, dd.DataFrame):
        return list(requests.to_delayed()), None
    check_rows(partition_rows)
    parts = split(requests, partition_rows)
    # named, not hashed: hashing a million requests' content costs seconds
    name = f"rfl-match-requests-{uuid.uuid4().hex}"
    delayed_parts = [delayed(part, name=f"{name}-{k}") for k, part in enumerate(parts)]
    return delayed_parts, [k * partition_rows for k in range(len(parts))]


def _sightings(sightings: pd.DataFrame | dd.DataFrame | None) -> pd.DataFrame | None:
    if isinstance(sightings, dd.DataFrame):
        whole: pd.DataFrame = sightings.compute()
        return whole
    return sightings


def _first_held(parts: Sequence[Any]) -> pd.DataFrame:
    """The first partition that holds requests (not blank rows alone), computed (the
    first, if none does)."""
    for part in parts:
        frame: pd.DataFrame = part.compute()
        if not blank_rows(frame).all():
            return frame
    empty: pd.DataFrame = parts[0].compute()
    return empty


def fit(
    linker: Linker,
    requests: pd.DataFrame | dd.DataFrame,
    sightings: pd.DataFrame | dd.DataFrame,
    *,
    labels: pd.DataFrame | None = None,
    em: bool = True,
    partition_rows: int = PARTITION_ROWS,
    workers: int = 1,
) -> Linker:
    """``linker.fit(requests, sightings, labels=..., em=...)`` on Dask, a task per
    partition of the requests and pass (``rfl_match.backends.partitions.fit_partitioned``):
    EM, the term-frequency maps and the calibration run here, on the summed patterns of
    the partitions' candidates. Returns the linker, fitted. ``requests``: a dask
    DataFrame (its partitions are the tasks' own) or a pandas one (split into partitions
    of ``partition_rows``). ``workers``: threads for each task's kernels."""
    check_run(linker, sightings)
    parts, starts = _partitions(requests, partition_rows)
    return fit_partitioned(
        DaskRunner(), linker, parts, _first_held(parts), _sightings(sightings), labels=labels,
        em=em, workers=workers, starts=starts, requests_told=validated_whole(requests, linker),
    )  # fmt: skip


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
    per partition of the requests that holds any: the same columns, a partition of rows
    per such partition (each request's rows together, strongest first). Lazy: compute
    it, or write it (``to_parquet``, ``to_csv``).

    ``requests``: a dask DataFrame (its partitions are the tasks' own) or a pandas one
    (split into partitions of ``partition_rows``). ``workers``: threads for each task's
    kernels (1 where the cluster runs a task per core).

    The two passes over the requests that make the partitions agree
    (``rfl_match.backends.partitions.agree``) are computed here, before the call
    returns; the predictions are the returned frame's tasks. Records that fail
    validation raise :class:`rfl_match.RecordError` here, and the problems validation
    found (cells blanked, values repaired) are said here, as ``predict`` does: a row by
    its number among all the requests, or, in a dask DataFrame, by its partition and its
    number there. One list against itself (dedupe) and sorted neighbourhood rules are
    refused."""
    threshold, top_k = check_partitioned(linker, sightings, threshold, top_k)
    task = task_linker(linker, workers)
    whole = _sightings(sightings)
    assert whole is not None
    right = records(whole, task, "sightings")
    parts, starts = _partitions(requests, partition_rows)
    runner = DaskRunner()
    agreed = agree(runner, task, parts, right, starts)
    say_problems(agreed, validated_whole(requests, linker), whole, right)
    compete(runner, task, agreed, right)
    task_at, right_at = runner.shared(task), runner.shared(right)
    out = [
        delayed(predict_partition)(task_at, part, right_at, partition, threshold, top_k)
        for part, partition in zip(agreed.parts, agreed.partitions, strict=True)
    ]
    # The output's columns and dtypes: one request against one sighting, at a threshold
    # nothing reaches (each validated here: what validation finds is said above, once).
    one = records(agreed.parts[0].compute().head(1), task, "requests")
    meta = task.predict(one, records(right.head(1), task, "sightings"), threshold=1.0)
    matches: dd.DataFrame = dd.from_delayed(out, meta=meta, verify_meta=False)
    return matches
