"""Predicting in partitions of the requests: each partition against all the sightings,
with one fitted model. The unit of work of the backends (:func:`predict_in_partitions`
here, in one process; ``rfl_match.backends.dask`` on a Dask cluster); a partition's
memory is bounded by its own requests and candidates, not all of them.

A partition proposes and scores as one run over all the requests would
(:class:`rfl_match.prepare.Partition`), by three passes over the partitions:

1. :func:`first_pass`: each partition's records validated, their term counts and ids.
   The counts summed give every partition the frequencies of all the records (a
   partition alone would weigh a name by its own mix); the ids, one numbering of all
   the records for the budget's ties (:func:`run_partitions`).
2. :func:`second_pass`: each partition's candidate budget, of which each sighting's
   choice among the partition's requests is kept; merged over the partitions, they give
   each sighting its best candidates among all the requests
   (``candidates_per_record``; :func:`merged_choices`).
3. :func:`predict_partition`: the partition's predictions, its budget taking each
   sighting's choice among all the requests for its own.

A pair both find scores the same, and the candidates are those of one run but where a
block is too large for one run (``max_block_size``) and not in a partition, or the
reverse, and for the context rules' budget, which is the partition's own:
``python -m benchmarks partitions`` counts the pairs either run alone finds. One list
against itself (``dedupe``) and ``one_to_one`` (a sighting in one pair at most, whichever
partition proposes it) read all the requests at once: they are refused.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import replace

import pandas as pd

from rfl_match.arrays import dense_ranks
from rfl_match.compare import merge_term_counts, term_counts
from rfl_match.config import ConfigError, check_threshold, check_top_k
from rfl_match.kernels import Keys, merge_rows
from rfl_match.linker import Linker, ModelError, _records, _validated
from rfl_match.prepare import Partition
from rfl_match.schema import ID_FIELD, Problem, RecordError

TermCounts = Mapping[str, Mapping[str, int]]

#: Requests a partition holds by default: at 100,000 a side with the default model, one
#: partition's predict holds about 0.9 GB (``benchmarks/RESULTS.md``, speed).
PARTITION_ROWS = 100_000


def task_linker(linker: Linker, workers: int = 1) -> Linker:
    """A copy of a fitted ``linker`` holding its model alone (not the records and pairs
    of its fit), to send to a task: ``workers`` threads for each task's kernels (1 where
    the backend runs a task per core)."""
    linker._require_model()
    task = copy.copy(linker)
    task.config = replace(linker.config, workers=workers)
    task.training_ = dict(linker.training_)
    task._session = None
    task._last = None
    task._partition = None
    return task


def records(frame: pd.DataFrame, linker: Linker, source: str) -> pd.DataFrame:
    """``frame`` validated as the linker's inputs are (its ``mapping``): once, on the
    caller's side, so that no task validates the sightings again."""
    return _records(frame, linker.config, source)


def check_partitioned(
    linker: Linker,
    sightings: object,
    threshold: float | None,
    top_k: int | None,
    one_to_one: bool,
) -> tuple[float | None, int | None]:
    """What a run in partitions refuses, before any work: no model, one list against
    itself, ``one_to_one``; and ``threshold`` and ``top_k`` checked as ``predict``
    checks them."""
    if linker.model_ is None:
        raise ModelError("the Linker has no model: fit it, or load one, first")
    if sightings is None:
        raise ConfigError(
            "a run in partitions links requests to sightings: finding duplicates within "
            "one list (dedupe) reads all of it at once"
        )
    if one_to_one:
        raise ConfigError(
            "one_to_one keeps a sighting in one pair across all the requests: it cannot "
            "run in partitions (run predict on the whole input, or apply it to the output)"
        )
    return (
        None if threshold is None else check_threshold(threshold),
        None if top_k is None else check_top_k(top_k),
    )


def side_counts(linker: Linker, frame: pd.DataFrame, side: int) -> dict[str, dict[str, int]]:
    """The term counts (``rfl_match.compare.term_counts``) of one side's validated
    records (``side`` 0 the requests, 1 the sightings), read as the linker reads them."""
    empty = frame.iloc[:0]
    pair = (frame, empty) if side == 0 else (empty, frame)
    counting = task_linker(linker, linker.config.workers)
    return term_counts(counting._prepare(*pair), counting._comparisons())


def first_pass(
    task: Linker, requests: pd.DataFrame, source: str = "requests"
) -> tuple[dict[str, dict[str, int]], pd.Series]:
    """One partition of requests validated (a :class:`RecordError` names its rows): its
    term counts and its record ids."""
    left = records(requests, task, source)
    return side_counts(task, left, 0), left[ID_FIELD]


def run_partitions(
    firsts: Sequence[tuple[Mapping[str, Mapping[str, int]], pd.Series]],
    sightings: pd.DataFrame,
    sightings_counts: TermCounts,
) -> list[Partition]:
    """What each partition of requests shares with the run (:class:`Partition`), from
    each one's :func:`first_pass` and the validated sightings with their term counts: the
    term counts of all the records, and every record's id rank among all of them. A
    request id in two partitions is a :class:`RecordError`, as within one input."""
    ids = pd.concat([part_ids for _, part_ids in firsts], ignore_index=True)
    repeated = ids[ids.duplicated()].unique()
    if len(repeated):
        shown = ", ".join(repr(str(x)) for x in repeated[:5])
        raise RecordError(
            [
                Problem(
                    None,
                    ID_FIELD,
                    f"{len(repeated)} record id(s) in more than one partition of the "
                    f"requests ({shown}): each record needs an id of its own",
                )
            ],
            "requests",
        )
    counts = merge_term_counts([one for one, _ in firsts] + [sightings_counts])
    ranks = dense_ranks([ids, sightings[ID_FIELD]])
    bits = max(int(ranks.max(initial=0)).bit_length(), 1)
    sighting_ranks = ranks[len(ids) :]
    out = []
    start = 0
    for _, part_ids in firsts:
        own = ranks[start : start + len(part_ids)]
        start += len(part_ids)
        out.append(Partition(counts, (own, sighting_ranks), bits))
    return out


def budget_pass(
    task: Linker, requests: pd.DataFrame, sightings: pd.DataFrame, partition: Partition
) -> tuple[tuple[Keys, Keys] | None, int]:
    """One partition blocked, its candidate budgets taking the sightings' choices in
    ``partition.choices``: the next budget's choice for each sighting among the
    partition's requests (``kernels.BestPairs.right_rows``; ``None`` past the last), and
    how many budgets blocking makes."""
    task = copy.copy(task)
    task._partition = replace(partition, found=None, budgets=0)
    left, right = _validated(requests, sightings, task.config)
    task._block(task._prepare(left, right), dedupe=False)
    return task._partition.found, task._partition.budgets


def merged_choices(choices: Sequence[tuple[Keys, Keys] | None]) -> tuple[Keys, Keys] | None:
    """Several partitions' choices of one budget (:func:`budget_pass`), merged: each
    sighting's choice among all their requests (in any order, any grouping: the same)."""
    given = [one for one in choices if one is not None]
    if not given:
        return None
    return merge_rows([one[0] for one in given]), merge_rows([one[1] for one in given])


def predict_partition(
    task: Linker,
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    partition: Partition,
    threshold: float | None = None,
    top_k: int | None = None,
) -> pd.DataFrame:
    """One partition of requests against all the (validated) sightings, by ``task``
    (:func:`task_linker`), with what it shares with the run (:func:`run_partitions`,
    and every budget's ``choices``)."""
    task = copy.copy(task)
    task._partition = replace(partition, found=None, budgets=0)
    return task.predict(requests, sightings, threshold=threshold, top_k=top_k)


def split(frame: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    """``frame`` in partitions of ``rows`` rows at most, in order."""
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
        raise ConfigError(f"partition_rows: want a whole number of 1 or more, not {rows!r}")
    return [frame.iloc[start : start + rows] for start in range(0, max(len(frame), 1), rows)]


def predict_in_partitions(
    linker: Linker,
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    *,
    partition_rows: int = PARTITION_ROWS,
    threshold: float | None = None,
    top_k: int | None = None,
) -> Iterator[pd.DataFrame]:
    """A fitted ``linker``'s predictions, a partition of ``partition_rows`` requests at a
    time, in one process: write each as it comes; only a partition's candidates are
    held. The sightings are validated once, and the requests read in three passes (see
    the module's docstring)."""
    threshold, top_k = check_partitioned(linker, sightings, threshold, top_k, False)
    parts = split(requests, partition_rows)
    task = task_linker(linker, linker.config.workers)
    right = records(sightings, task, "sightings")
    shared = run_partitions(
        [first_pass(task, part) for part in parts], right, side_counts(task, right, 1)
    )
    budgets = 1
    while len(shared[0].choices) < budgets:
        found, made = None, 0
        for part, partition in zip(parts, shared, strict=True):
            one, made = budget_pass(task, part, right, partition)
            found = merged_choices([found, one])
            budgets = max(budgets, made)
        if found is None:
            break
        shared = [replace(partition, choices=(*partition.choices, found)) for partition in shared]
    for part, partition in zip(parts, shared, strict=True):
        yield predict_partition(task, part, right, partition, threshold, top_k)
