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
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.arrays import dense_ranks, text_order
from rfl_match.blocking import CandidatePairs
from rfl_match.compare import level_matrix, merge_term_counts, term_counts
from rfl_match.config import ConfigError, check_threshold, check_top_k
from rfl_match.kernels import Keys, merge_rows
from rfl_match.linker import (
    Evidence,
    Linker,
    ModelError,
    _by_id,
    _check_inputs,
    _Laps,
    _learned_patterns,
    _records,
    _validated,
    random_draws,
)
from rfl_match.prepare import Partition, PreparedPair
from rfl_match.schema import ID_FIELD, Problem, RecordError, encodings_of
from rfl_match.scoring import FellegiSunterModel

TermCounts = Mapping[str, Mapping[str, int]]

#: Requests a partition holds by default: at 100,000 a side with the default model, one
#: partition's predict holds about 0.9 GB (``benchmarks/RESULTS.md``, speed).
PARTITION_ROWS = 100_000


def task_linker(linker: Linker, workers: int = 1) -> Linker:
    """A copy of ``linker`` holding its configuration, comparisons and model alone (not
    the records and pairs of a fit), to send to a task: ``workers`` threads for each
    task's kernels (1 where the backend runs a task per core)."""
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
    linker: Linker, sightings: object, threshold: float | None, top_k: int | None
) -> tuple[float | None, int | None]:
    """What a predict in partitions refuses, before any work: no model, one list against
    itself; and ``threshold`` and ``top_k`` checked as ``predict`` checks them."""
    if linker.model_ is None:
        raise ModelError("the Linker has no model: fit it, or load one, first")
    _check_two_lists(sightings)
    return (
        None if threshold is None else check_threshold(threshold),
        None if top_k is None else check_top_k(top_k),
    )


def _check_two_lists(sightings: object) -> None:
    if sightings is None:
        raise ConfigError(
            "a run in partitions links requests to sightings: finding duplicates within "
            "one list (dedupe) reads all of it at once"
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


class Runner:
    """How a run's passes go over its partitions: here, one after another in this
    process (``rfl_match.backends.dask`` runs each pass's partitions as Dask tasks)."""

    def shared(self, value: Any) -> Any:
        """``value`` as the passes' calls take an object every call shares."""
        return value

    def each(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``function(*call)`` for each call, the results in order."""
        return [function(*call) for call in calls]

    def choices(self, calls: Sequence[tuple[Any, ...]]) -> tuple[tuple[Keys, Keys] | None, int]:
        """:func:`budget_pass` of each call, merged (:func:`merged_choices`), and how many
        budgets blocking makes."""
        found, budgets = None, 0
        for call in calls:
            one, made = budget_pass(*call)
            found, budgets = merged_choices([found, one]), max(budgets, made)
        return found, budgets


@dataclass
class Agreed:
    """What the partitions of a run agree on before they propose (:func:`agree`): each
    one's :class:`Partition`, and the validated ids of all the requests, partition after
    partition (``starts``: where each partition's begin)."""

    partitions: list[Partition]
    ids: pd.Series
    starts: npt.NDArray[np.int64]


def agree(runner: Runner, task: Linker, parts: Sequence[Any], right: pd.DataFrame) -> Agreed:
    """The passes before a run proposes: the term counts and ids of each partition
    (:func:`first_pass`, :func:`run_partitions`), then one pass per candidate budget for
    each sighting's choice among all the requests (:func:`budget_pass`)."""
    task_at, right_at = runner.shared(task), runner.shared(right)
    firsts = runner.each(first_pass, [(task_at, part) for part in parts])
    shared = run_partitions(firsts, right, side_counts(task, right, 1))
    budgets = 1
    while len(shared[0].choices) < budgets:
        found, budgets = runner.choices(
            [(task_at, part, right_at, one) for part, one in zip(parts, shared, strict=True)]
        )
        if found is None:
            break
        shared = [replace(one, choices=(*one.choices, found)) for one in shared]
    sizes = np.array([len(ids) for _, ids in firsts], dtype=np.int64)
    ids = pd.concat([ids for _, ids in firsts], ignore_index=True)
    return Agreed(shared, ids, np.cumsum(sizes) - sizes)


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
    threshold, top_k = check_partitioned(linker, sightings, threshold, top_k)
    parts = split(requests, partition_rows)
    task = task_linker(linker, linker.config.workers)
    right = records(sightings, task, "sightings")
    agreed = agree(Runner(), task, parts, right)
    for part, partition in zip(parts, agreed.partitions, strict=True):
        yield predict_partition(task, part, right, partition, threshold, top_k)


# --- fit --------------------------------------------------------------------------------


def _blocked(
    task: Linker, requests: pd.DataFrame, sightings: pd.DataFrame, partition: Partition
) -> tuple[Linker, PreparedPair, CandidatePairs]:
    task = copy.copy(task)
    task._partition = replace(partition, found=None, budgets=0)
    left, right = _validated(requests, sightings, task.config)
    data = task._prepare(left, right)
    return task, data, task._block(data, dedupe=False)


def pattern_pass(
    task: Linker, requests: pd.DataFrame, sightings: pd.DataFrame, partition: Partition
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], int, int]:
    """One partition's candidates as a fit learns from them: the distinct level patterns
    of those it learns from and their counts, how many it learns from, and how many
    candidates in all (:meth:`Linker._patterns`)."""
    task, data, pairs = _blocked(task, requests, sightings, partition)
    comparisons = task._comparisons()
    patterns, counts, per_pair = task._patterns(comparisons, data, pairs)
    learned, learned_counts = _learned_patterns(patterns, counts, per_pair, pairs)
    return learned, learned_counts, pairs.n_learned, len(pairs)


def tf_pass(
    task: Linker,
    model: FellegiSunterModel,
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    partition: Partition,
) -> tuple[Any, ...]:
    """One partition's learned candidates grouped by pattern and term-frequency bits
    under ``model`` (:meth:`Linker._tf_patterns`)."""
    task, data, pairs = _blocked(task, requests, sightings, partition)
    comparisons = task._comparisons()
    patterns, _, per_pair = task._patterns(comparisons, data, pairs)
    return task._tf_patterns(model, data, comparisons, pairs, patterns, per_pair)


def merged_patterns(
    found: Sequence[tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], int, int]],
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Several partitions' :func:`pattern_pass`: the distinct patterns of them all (in
    the order of their codes) and their summed counts."""
    stacked = np.concatenate([one[0] for one in found])
    counts = np.concatenate([one[1] for one in found])
    patterns, inverse = np.unique(stacked, axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=len(patterns))
    return patterns, summed.astype(np.int64)


def merged_tf_rows(found: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Several partitions' :func:`tf_pass`: rows of the same pattern, bits and carry
    summed, a pattern's rows together (in the order of the patterns' codes)."""
    patterns = np.concatenate([one[0] for one in found])
    counts = np.concatenate([one[1] for one in found])
    bits = np.concatenate([one[2] for one in found])
    carry = np.concatenate([one[3] for one in found])
    width = patterns.shape[1]
    keys = np.hstack([patterns.astype(np.float64), bits, carry.astype(np.float64)])
    distinct, inverse = np.unique(keys, axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=len(distinct))
    return (
        distinct[:, :width].astype(np.int8),
        summed.astype(np.int64),
        np.asfortranarray(distinct[:, width : 2 * width]),
        np.asfortranarray(distinct[:, 2 * width :] != 0),
    )


def take_rows(task: Linker, requests: pd.DataFrame, rows: npt.NDArray[np.int64]) -> pd.DataFrame:
    """Some rows of a partition of requests, validated."""
    return records(requests, task, "requests").iloc[rows]


def _gather(
    runner: Runner, task: Linker, parts: Sequence[Any], agreed: Agreed, rows: npt.NDArray[Any]
) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """Requests by their row among all of them (``agreed``'s order), from the partitions
    that hold them: the distinct ones, validated, and where each of ``rows`` is among
    them."""
    distinct, where = np.unique(rows, return_inverse=True)
    owner = np.searchsorted(agreed.starts, distinct, side="right") - 1
    task_at = runner.shared(task)
    calls = [
        (task_at, part, distinct[owner == k] - agreed.starts[k])
        for k, part in enumerate(parts)
        if np.any(owner == k)
    ]
    taken = pd.concat(runner.each(take_rows, calls), ignore_index=True)
    return taken, where.ravel().astype(np.intp)


def fit_partitioned(
    runner: Runner,
    linker: Linker,
    parts: Sequence[Any],
    first: pd.DataFrame,
    sightings: pd.DataFrame | None,
    *,
    labels: pd.DataFrame | None = None,
    em: bool = True,
) -> Linker:
    """``linker.fit(requests, sightings, labels=..., em=...)`` over partitions of the
    requests (``parts``, run by ``runner``; ``first``: the first one, as a frame): the
    same model, learned from the same evidence (:class:`rfl_match.linker.Evidence`)
    gathered a partition at a time. The random pairs and reviewed pairs are the same as
    one fit draws; their records are gathered from the partitions that hold them."""
    _check_two_lists(sightings)
    assert sightings is not None
    laps = _Laps()
    right = records(sightings, linker, "sightings")
    left = records(first, linker, "requests")
    _check_inputs(linker.config, left, right)
    laps.lap("validate")
    named, comparisons = linker._fit_comparisons(left, right)
    task = task_linker(linker, linker.config.workers)
    agreed = agree(runner, task, parts, right)
    laps.lap("partitions agree")
    n_left = len(agreed.ids)
    # The random pairs one fit draws (linker.random_draws), their records gathered.
    at_left, at_right = random_draws(linker.config, n_left, len(right))
    drawn, li = _gather(runner, task, parts, agreed, text_order(agreed.ids)[at_left])
    ri = _by_id(right)[at_right]
    # Prepared with the term counts of all the records: reviewed pairs are scored here.
    counted = copy.copy(task)
    counted._partition = Partition(agreed.partitions[0].term_counts)
    data = counted._prepare(drawn, right)
    random_levels = level_matrix(comparisons, data, li, ri)
    laps.lap("prepare + random pairs")
    task_at, right_at = runner.shared(task), runner.shared(right)
    pairs = list(zip(parts, agreed.partitions, strict=True))
    found = runner.each(pattern_pass, [(task_at, part, right_at, one) for part, one in pairs])
    patterns, pattern_counts = merged_patterns(found)
    laps.lap("comparing")
    reviewed = score = None
    if labels is not None:
        wanted = pd.Index(agreed.ids).get_indexer(labels["request_id"].astype(str))
        held, _ = _gather(runner, task, parts, agreed, wanted[wanted >= 0])
        at = counted._prepare(held, right)

        def reviewed() -> Any:
            return linker._from_labels(labels, held, right, comparisons, at)

        def score(model: FellegiSunterModel, rl: Any, rr: Any) -> Any:
            return counted._score(at, comparisons, rl, rr, model=model)[1:]

    def tf_rows(model: FellegiSunterModel) -> Any:
        calls = [(task_at, model, part, right_at, one) for part, one in pairs]
        return merged_tf_rows(runner.each(tf_pass, calls))

    evidence = Evidence(
        random_levels,
        patterns,
        pattern_counts,
        sum(one[2] for one in found),
        (n_left, len(right)),
        tf_rows,
        reviewed,
        score,
    )
    ceilings = linker._learn(comparisons, evidence, laps, em=em, named=named)
    if ceilings is None:  # fitted again, unsplit
        fit_partitioned(runner, linker, parts, first, sightings, labels=labels, em=em)
        linker._auto_anchor = None if named else ""
        return linker
    linker._session = linker._last = None
    linker._trained(
        comparisons,
        evidence,
        ceilings,
        laps,
        em=em,
        named=named,
        candidate_pairs=sum(one[3] for one in found),
        random_pairs=len(li),
        dedupe=False,
        encoding=next(iter(encodings_of(left)), ""),
    )
    return linker


def fit_in_partitions(
    linker: Linker,
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    *,
    partition_rows: int = PARTITION_ROWS,
    labels: pd.DataFrame | None = None,
    em: bool = True,
) -> Linker:
    """``linker.fit(requests, sightings)`` a partition of ``partition_rows`` requests at a
    time, in one process: the same model (to rounding; the candidates as the module's
    docstring says), with only a partition's candidates held. Returns the linker, with no
    fit's records kept (a predict after it prepares anew)."""
    parts = split(requests, partition_rows)
    return fit_partitioned(Runner(), linker, parts, parts[0], sightings, labels=labels, em=em)
