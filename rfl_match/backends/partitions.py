"""Fitting and predicting in partitions of the requests, each against all the sightings:
the unit of work of the backends (:func:`fit_in_partitions` and
:func:`predict_in_partitions` here, in one process; ``rfl_match.backends.dask`` on a Dask
cluster, through the same passes, :class:`Runner`). A partition's memory is its own
requests and candidates, and all the sightings.

The partitions first agree on what one run over all the requests would share
(:class:`rfl_match.prepare.Partition`), in two passes (:func:`agree`):

1. :func:`first_pass`: each partition's records validated, their term counts and ids.
   The counts summed give every partition the frequencies of all the records (a
   partition alone would weigh a name by its own mix); the ids, one numbering of all
   the records for the candidate budget's ties, and how many requests there are
   (:func:`run_partitions`). Empty partitions are left out from here on. What the
   validation found is said once for the run, as ``predict`` says it
   (:func:`say_problems`): the later passes validate each partition again, silently.
2. :func:`budget_pass`: each of the partition's candidate budgets (the main rules', the
   context rules') gives each sighting's choice among the partition's requests; merged
   over the partitions (:func:`merged_choices`), each sighting's best among all the
   requests.

Then, where the context rules propose pairs, :func:`compete` scores each partition once
more for each sighting's likeliest candidate among all the requests, which the context
rules' own pairs are weighed against (``rfl_match.linker._compete``); and
:func:`predict_partition` predicts each partition, its budgets taking each sighting's
choice among all the requests for their own. A fit (:func:`fit_partitioned`)
learns from the same evidence one fit gathers (``rfl_match.linker.Evidence``): the
random pairs one fit draws, their records gathered from their partitions; the patterns
of each partition's candidates, summed (:func:`pattern_pass`); under the model EM found,
their term-frequency rows (:func:`tf_pass`); and the reviewed pairs, if any. EM, the
term-frequency maps and the calibration then run once, on the sums.

A pair both ways find scores the same, and the candidates are those of one run but where
a block is too large for one run (``max_block_size``) and not in a partition, or the
reverse (a block's size, and a sighting's nearest requests in an oversized one, are the
partition's own): on the bundled data the outputs are equal, and
``python -m benchmarks partitions`` counts the pairs either way alone finds on larger
data (more for encoded records, whose keyed name parts make larger blocks: 3,000
records a side in four partitions, 4,323 candidate pairs more and 1,044 fewer of 30,606;
at the default threshold, 26 more and 2 fewer of 2,357). Where the candidates differ, so
may a context pair's rivals, or whether only the context rules proposed a pair: its
competition weight then differs (``rfl_match.linker._compete``; at 100,000 a side in four
partitions, 314 of the 77,748 pairs both find at the default threshold by more than 0.01
in probability, 82 by more than 0.1; the comparisons' weights of all equal). A model fitted
in partitions differs from one fit's by those pairs (and by rounding: sums in another
order). Refused: one list against itself (``dedupe``), which reads all of it at once,
and sorted neighbourhood rules (``sorted:<key>``), whose neighbours are those among all
the requests. ``one_to_one`` (a sighting in one pair at most, whichever partition
proposes it) is not offered: it is a choice over the whole output. Each partition's
requests are validated alone, so a date column written ``DD/MM/YYYY`` or ``MM/DD/YYYY``
is read in the order that partition's cells show (``rfl_match.schema.validate_records``):
a partition with no day over 12 reads its dates day first, with its note; requests read
with ``rfl_match.read_records`` first are read in one order, that of all of them.
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
    SHOWN_PROBLEMS,
    Evidence,
    Linker,
    ModelError,
    _by_id,
    _check_inputs,
    _Laps,
    _learned_patterns,
    _records,
    _say_problems,
    _tell_problems,
    _validated,
    check_labels,
    random_draws,
)
from rfl_match.prepare import Partition, PreparedPair
from rfl_match.schema import (
    DUPLICATE_ROWS,
    ENCODING_FIELD,
    ID_FIELD,
    Problem,
    RecordError,
    _short,
    blank_rows,
    encodings_of,
    is_validated,
)
from rfl_match.scoring import FellegiSunterModel

TermCounts = Mapping[str, Mapping[str, int]]
#: The problems a partition's validation found: how many, and the first few as a warning
#: quotes them (:func:`first_pass`).
Found = tuple[int, list[str]]

#: Requests a partition holds by default: a partition of 100,000 requests against 100,000
#: sightings predicts in about 1.2 GB (``benchmarks/RESULTS.md``, partitions).
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


def validated_whole(requests: object, linker: Linker) -> bool:
    """Whether ``requests``, the input a run splits, is a frame of validated records
    (:func:`rfl_match.read_records`'s): its problems were said as it was read, and a run
    does not say them again, as ``predict`` does not. A dask DataFrame cannot be told
    (its partitions are read in the tasks): False."""
    return isinstance(requests, pd.DataFrame) and is_validated(requests, linker.config.date_fields)


def say_problems(
    agreed: Agreed, requests_told: bool, sightings: pd.DataFrame, right: pd.DataFrame
) -> None:
    """The problems validation found, said as ``predict`` says them, one warning a side:
    the requests' gathered from their partitions (:func:`first_pass`; unless
    ``requests_told``: :func:`validated_whole`), then the sightings' (``right``, the
    validated ``sightings``)."""
    if not requests_told:
        count, shown = agreed.problems
        _tell_problems(count, shown, "requests")
    _say_problems(sightings, right, "sightings")


def check_partitioned(
    linker: Linker, sightings: object, threshold: float | None, top_k: int | None
) -> tuple[float | None, int | None]:
    """What a predict in partitions refuses, before any work (:func:`check_run`, and no
    model); ``threshold`` and ``top_k`` checked as ``predict`` checks them."""
    if linker.model_ is None:
        raise ModelError("the Linker has no model: fit it, or load one, first")
    check_run(linker, sightings)
    return (
        None if threshold is None else check_threshold(threshold),
        None if top_k is None else check_top_k(top_k),
    )


def check_run(linker: Linker, sightings: object) -> None:
    """What no run in partitions does: one list against itself (dedupe), and sorted
    neighbourhood rules (``sorted:<key>``), whose neighbours are those among all the
    requests, which no partition holds."""
    if sightings is None:
        raise ConfigError(
            "a run in partitions links requests to sightings: finding duplicates within "
            "one list (dedupe) reads all of it at once"
        )
    for option, rules in (
        ("blocking", linker.config.blocking),
        ("context_blocking", linker.config.context_blocking),
    ):
        for rule in rules:
            if any(key.startswith("sorted:") for key in rule):
                raise ConfigError(
                    f"{option}: {'+'.join(rule)!r} meets each record's neighbours in the "
                    "order of all the requests, which a partition does not hold: leave "
                    "the rule out to run in partitions, or run on the whole input"
                )


def side_counts(linker: Linker, frame: pd.DataFrame, side: int) -> dict[str, dict[str, int]]:
    """The term counts (``rfl_match.compare.term_counts``) of one side's validated
    records (``side`` 0 the requests, 1 the sightings), read as ``linker`` (a
    :func:`task_linker`) reads them."""
    empty = frame.iloc[:0]
    pair = (frame, empty) if side == 0 else (empty, frame)
    return term_counts(linker._prepare(*pair), linker._comparisons())


def first_pass(
    task: Linker, requests: pd.DataFrame, number: int, start: int | None
) -> tuple[dict[str, dict[str, int]], pd.Series, str, Found]:
    """Partition ``number`` of the requests validated: its term counts, its record ids
    (none for an empty partition, or one of blank rows alone, which validation leaves
    out as it leaves them out of one input), its records' encoding ("" for names in clear,
    ``rfl_match.privacy``) and the problems its validation found (none where the
    partition was validated already, as :func:`rfl_match.linker._say_problems` has it).
    A problem, and a :class:`RecordError`, counts rows from the first request of all
    (``start``: this partition's first), or, ``start`` unknown, names the partition."""
    if not len(requests):
        return {}, pd.Series([], dtype=object), "", (0, [])
    try:
        left = records(requests, task, "requests")
    except RecordError as exc:
        if blank_rows(requests).all():  # no data rows: a run of all of them has some
            return {}, pd.Series([], dtype=object), "", (0, [])
        if start is None:
            raise RecordError(exc.problems, f"requests, partition {number}") from exc
        raise RecordError(_moved(exc.problems, start), exc.source) from exc
    problems = [] if left is requests else left.attrs.get("problems") or []
    first = problems[:SHOWN_PROBLEMS]
    if start is not None:
        shown = [p.logged() for p in _moved(first, start)]
    else:
        where = f"partition {number}"
        shown = [f"{where}{', ' if p.row or p.column else ': '}{p.logged()}" for p in first]
    counts = side_counts(task, left, 0)
    return counts, left[ID_FIELD], next(iter(encodings_of(left)), ""), (len(problems), shown)


def _moved(problems: Sequence[Problem], start: int) -> list[Problem]:
    """``problems`` of a partition, their rows counted from the first request of all
    (``start``: the partition's first), those a repeated id's message lists too
    (:data:`~rfl_match.schema.DUPLICATE_ROWS`)."""

    def listed(message: str) -> str:
        if not message.startswith(DUPLICATE_ROWS):
            return message
        rows = message[len(DUPLICATE_ROWS) :].split(",")
        return f"{DUPLICATE_ROWS} {', '.join(str(int(row) + start) for row in rows)}"

    return [
        problem._replace(
            row=None if problem.row is None else problem.row + start,
            message=listed(problem.message),
        )
        for problem in problems
    ]


def run_partitions(
    firsts: Sequence[tuple[Mapping[str, Mapping[str, int]], pd.Series, str, Found]],
    sightings: pd.DataFrame,
    sightings_counts: TermCounts,
) -> list[Partition]:
    """What each partition of requests shares with the run (:class:`Partition`), from
    each one's :func:`first_pass` and the validated sightings with their term counts: the
    term counts of all the records, every record's id rank among all of them, and how
    many requests there are. Partitions encoded otherwise are a :class:`RecordError`, as
    within one input; and so are no requests at all. (A request id in two partitions is
    one too: :func:`repeated_ids`, which names their rows.)"""
    if not any(len(part_ids) for _, part_ids, _, _ in firsts):
        raise RecordError([Problem(None, None, "no data rows")], "requests")
    ids = pd.concat([part_ids for _, part_ids, _, _ in firsts], ignore_index=True)
    encodings = sorted({encoding for _, part_ids, encoding, _ in firsts if len(part_ids)})
    if len(encodings) > 1:
        shown = ", ".join(repr(one) if one else "names in clear" for one in encodings[:3])
        raise RecordError(
            [
                Problem(
                    None,
                    ENCODING_FIELD,
                    f"the partitions of the requests are encoded {len(encodings)} ways "
                    f"({shown}): records link only with records encoded with the same key "
                    "and settings",
                )
            ],
            "requests",
        )
    counts = merge_term_counts([one for one, _, _, _ in firsts] + [sightings_counts])
    ranks = dense_ranks([ids, sightings[ID_FIELD]])
    bits = max(int(ranks.max(initial=0)).bit_length(), 1)
    sighting_ranks = ranks[len(ids) :]
    out = []
    start = 0
    told: set[str] = set()  # one for the run: a warning once, not once a partition
    for _, part_ids, _, _ in firsts:
        own = ranks[start : start + len(part_ids)]
        start += len(part_ids)
        out.append(Partition(counts, (own, sighting_ranks), bits, len(ids), told=told))
    return out


def repeated_ids(
    runner: Runner,
    parts: Sequence[Any],
    ids: Sequence[pd.Series],
    starts: Sequence[int] | None,
) -> list[Problem]:
    """A problem for each record id that more than one partition holds (``ids``: each
    partition's, by :func:`first_pass`), worded as :func:`rfl_match.validate_records`
    words one repeated within an input: its rows among all the requests, where the
    partitions' ``starts`` are known (a pass over the partitions that hold them,
    :func:`data_rows`), or else the partitions that hold it."""
    held = [k for k, one in enumerate(ids) if len(one)]
    every = pd.concat([ids[k] for k in held], ignore_index=True)
    repeated = every.duplicated(keep=False).to_numpy()
    if not repeated.any():
        return []
    owner = np.repeat(held, [len(ids[k]) for k in held])[repeated]
    if starts is None:
        places = owner
        where = "partitions"
    else:
        position = np.concatenate([np.arange(len(ids[k])) for k in held])[repeated]
        calls = [(parts[k], position[owner == k], starts[k]) for k in held if np.any(owner == k)]
        places = np.concatenate(runner.each(data_rows, calls))
        where = "rows"
    problems = []
    for value, found in pd.Series(places).groupby(every[repeated].to_numpy()):
        listed = ", ".join(str(int(one)) for one in found)
        problems.append(
            Problem(None, ID_FIELD, f"duplicate record id in {where} {listed}", _short(str(value)))
        )
    return problems


def data_rows(
    requests: pd.DataFrame, positions: npt.NDArray[np.int64], start: int
) -> npt.NDArray[np.int64]:
    """The rows among all the requests (from 1; ``start``: this partition's first) of
    some of a partition's records, by their place among its records: its blank rows,
    which validation leaves out (:func:`rfl_match.schema.blank_rows`), counted."""
    kept = np.flatnonzero(~blank_rows(requests))
    rows: npt.NDArray[np.int64] = kept[positions].astype(np.int64) + 1 + start
    return rows


Choices = dict[int, tuple[Keys, Keys]]


class Runner:
    """How a run's passes go over its partitions: here, one after another in this
    process (``rfl_match.backends.dask`` runs each pass's partitions as Dask tasks)."""

    def shared(self, value: Any) -> Any:
        """``value`` as the passes' calls take an object every call shares."""
        return value

    def each(self, function: Callable[..., Any], calls: Sequence[tuple[Any, ...]]) -> list[Any]:
        """``function(*call)`` for each call, the results in order."""
        return [function(*call) for call in calls]

    def choices(self, calls: Sequence[tuple[Any, ...]]) -> Choices:
        """:func:`budget_pass` of each call, merged (:func:`merged_choices`)."""
        found: Choices = {}
        for call in calls:
            found = merged_choices([found, budget_pass(*call)])
        return found


@dataclass
class Agreed:
    """What the partitions of a run agree on before they propose (:func:`agree`): the
    partitions that hold requests (``parts``, by their number among all, ``numbers``)
    and each one's :class:`Partition`; the validated ids of all the requests, partition
    after partition, and where each partition's begin (``starts``); the problems their
    validation found (:func:`say_problems` says them)."""

    parts: list[Any]
    numbers: list[int]
    partitions: list[Partition]
    ids: pd.Series
    starts: npt.NDArray[np.int64]
    problems: Found

    def calls(self, *before: Any, after: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        """A pass's calls, one a partition: ``(*before, part, *after, partition)``."""
        return [
            (*before, part, *after, partition)
            for part, partition in zip(self.parts, self.partitions, strict=True)
        ]


def agree(
    runner: Runner,
    task: Linker,
    parts: Sequence[Any],
    right: pd.DataFrame,
    starts: Sequence[int] | None = None,
) -> Agreed:
    """The two passes before a run proposes: each partition's term counts and ids
    (:func:`first_pass`, :func:`run_partitions`), then its candidate budgets' choices
    for each sighting (:func:`budget_pass`), merged into each sighting's choice among
    all the requests. Empty partitions are left out. ``starts``: each partition's first
    row among all the requests, where known (for the rows a problem names)."""
    task_at, right_at = runner.shared(task), runner.shared(right)
    calls = [
        (task_at, part, k, None if starts is None else starts[k]) for k, part in enumerate(parts)
    ]
    firsts = runner.each(first_pass, calls)
    numbers = [k for k, (_, ids, _, _) in enumerate(firsts) if len(ids)]
    if not numbers and len(parts):
        # No partition holds a request: the first validated says what predict would
        # (no data rows, and any column it lacks).
        runner.each(records, [(parts[0], task_at, "requests")])
    shared = run_partitions([firsts[k] for k in numbers], right, side_counts(task, right, 1))
    repeated = repeated_ids(runner, parts, [one[1] for one in firsts], starts)
    if repeated:
        raise RecordError(repeated, "requests")
    firsts = [firsts[k] for k in numbers]
    held = [parts[k] for k in numbers]
    sizes = np.array([len(ids) for _, ids, _, _ in firsts], dtype=np.int64)
    ids = pd.concat([ids for _, ids, _, _ in firsts], ignore_index=True)
    count = sum(found[0] for _, _, _, found in firsts)
    shown = [text for _, _, _, found in firsts for text in found[1]][:SHOWN_PROBLEMS]
    agreed = Agreed(held, numbers, shared, ids, np.cumsum(sizes) - sizes, (count, shown))
    if task.config.candidates_per_record > 0:
        found = runner.choices(agreed.calls(task_at, after=(right_at,)))
        choices = tuple(found[k] for k in sorted(found))
        agreed.partitions = [replace(one, choices=choices) for one in shared]
    return agreed


def budget_pass(
    task: Linker, requests: pd.DataFrame, sightings: pd.DataFrame, partition: Partition
) -> Choices:
    """One partition blocked: each of its candidate budgets' choice for each sighting
    among the partition's requests (``kernels.BestPairs.right_rows``), by the budget's
    number (the order blocking makes them in)."""
    task, _, _ = _blocked(task, requests, sightings, partition)
    assert task._partition is not None
    return task._partition.found


def merged_choices(choices: Sequence[Choices]) -> Choices:
    """Several partitions' :func:`budget_pass`, merged: each budget's choice for each
    sighting among all their requests (in any order, any grouping: the same)."""
    numbers = sorted({k for one in choices for k in one})
    return {
        k: (
            merge_rows([one[k][0] for one in choices if k in one]),
            merge_rows([one[k][1] for one in choices if k in one]),
        )
        for k in numbers
    }


def rivals_pass(
    task: Linker, requests: pd.DataFrame, sightings: pd.DataFrame, partition: Partition
) -> tuple[npt.NDArray[np.float64], tuple[npt.NDArray[np.float64], float] | None]:
    """One partition scored: each sighting's likeliest candidate among the partition's
    requests, by the budget's pairs; with ``one_request_per_person``, also their odds
    summed by sighting and their probabilities summed (``Linker._sighting_pass``)."""
    task = copy.copy(task)
    task.training_ = dict(task.training_)
    task._partition = partition.fresh()
    return task._sighting_pass(requests, sightings)


def compete(runner: Runner, task: Linker, agreed: Agreed, right: pd.DataFrame) -> None:
    """A pass before a run predicts, where its context rules propose pairs or its
    sightings' requests are read together (``one_request_per_person``), so that every
    partition reads its sightings as one run does (a request's candidates are all in
    its partition, a sighting's are in all of them). Each sighting's likeliest
    candidate among all the requests (:func:`rivals_pass`, the most over the
    partitions), which the context rules' own pairs are weighed against
    (``rfl_match.linker._compete``); with the option, each sighting's candidates' odds
    summed over the partitions, and the expected matches
    (``rfl_match.linker._one_request``). It scores each partition once more."""
    exclusive = task.config.one_request_per_person
    if not (task._competes() or exclusive) or not agreed.partitions:
        return
    calls = agreed.calls(runner.shared(task), after=(runner.shared(right),))
    found = runner.each(rivals_pass, calls)
    best = np.maximum.reduce([rivals for rivals, _ in found])
    odds = None
    if exclusive:
        sums = [one for _, one in found if one is not None]
        odds = (np.sum([s for s, _ in sums], axis=0), float(sum(e for _, e in sums)))
    agreed.partitions = [
        replace(one, competing=best, sighting_odds=odds) for one in agreed.partitions
    ]


def predict_partition(
    task: Linker,
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    partition: Partition,
    threshold: float | None = None,
    top_k: int | None = None,
) -> pd.DataFrame:
    """One partition of requests against all the (validated) sightings, by ``task``
    (:func:`task_linker`), with what it shares with the run (:func:`agree`)."""
    task = copy.copy(task)
    task.training_ = dict(task.training_)  # a task's own: predict notes its seconds
    task._partition = partition.fresh()
    return task.predict(requests, sightings, threshold=threshold, top_k=top_k)


def check_rows(rows: object) -> None:
    """``partition_rows`` must be a whole number of 1 or more: a :class:`ConfigError`."""
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 1:
        raise ConfigError(f"partition_rows: want a whole number of 1 or more, not {rows!r}")


def split(frame: pd.DataFrame, rows: int) -> list[pd.DataFrame]:
    """``frame`` in partitions of ``rows`` rows at most, in order."""
    check_rows(rows)
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
    held. The sightings are validated once; the requests are read in the two passes of
    :func:`agree` before the first partition's predictions, and once more each for its
    own. The checks and the passes run at the call, and the problems validation found
    are said then (:func:`say_problems`); the predictions run as they are asked."""
    threshold, top_k = check_partitioned(linker, sightings, threshold, top_k)
    parts = split(requests, partition_rows)
    task = task_linker(linker, linker.config.workers)
    right = records(sightings, task, "sightings")
    runner = Runner()
    agreed = agree(runner, task, parts, right, [k * partition_rows for k in range(len(parts))])
    say_problems(agreed, validated_whole(requests, linker), sightings, right)
    compete(runner, task, agreed, right)
    return (
        predict_partition(task, part, right, partition, threshold, top_k)
        for part, partition in zip(agreed.parts, agreed.partitions, strict=True)
    )


# --- fit --------------------------------------------------------------------------------


def _blocked(
    task: Linker, requests: pd.DataFrame, sightings: pd.DataFrame, partition: Partition
) -> tuple[Linker, PreparedPair, CandidatePairs]:
    """One partition validated, prepared and blocked, by a copy of ``task`` holding a
    fresh copy of ``partition`` (what the budgets found is left in it)."""
    task = copy.copy(task)
    task._partition = partition.fresh()
    left, right = _validated(requests, sightings, task.config, tell=False)
    data = task._prepare(left, right)
    return task, data, task._block(data, dedupe=False)


def pattern_pass(
    task: Linker, requests: pd.DataFrame, sightings: pd.DataFrame, partition: Partition
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], int, int, pd.Series, npt.NDArray[Any]]:
    """One partition's candidates as a fit learns from them: the distinct level patterns
    of those it learns from and their counts, how many it learns from, and how many
    candidates in all (:meth:`Linker._patterns`); and the pairs only the context rules
    chose, as request ids and sighting rows (reviewed pairs among them calibrate no map:
    ``Linker._from_labels``)."""
    task, data, pairs = _blocked(task, requests, sightings, partition)
    comparisons = task._comparisons()
    patterns, counts, per_pair = task._patterns(comparisons, data, pairs)
    learned, learned_counts = _learned_patterns(patterns, counts, per_pair, pairs)
    ids = pairs.ids[:0] if pairs.context_only is None else pairs.ids[pairs.context_only]
    rows, right = np.divmod(ids, max(pairs.n_right, 1))
    request_ids = data.left[ID_FIELD].iloc[rows].reset_index(drop=True)
    return learned, learned_counts, pairs.n_learned, len(pairs), request_ids, right


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
    found: Sequence[tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], int, int, Any, Any]],
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Several partitions' :func:`pattern_pass`: the distinct patterns of them all (in
    the order of their codes) and their summed counts."""
    stacked = np.concatenate([one[0] for one in found])
    counts = np.concatenate([one[1] for one in found])
    patterns, inverse = np.unique(stacked, axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=len(patterns))
    return patterns, summed.astype(np.int64)


def merged_tf_rows(found: Sequence[tuple[Any, ...]]) -> tuple[Any, ...]:
    """Several partitions' :func:`tf_pass`: rows of the same pattern, bits, carry and
    bound summed, a pattern's rows together (in the order of the patterns' codes)."""
    patterns = np.concatenate([one[0] for one in found])
    counts = np.concatenate([one[1] for one in found])
    bits = np.concatenate([one[2] for one in found])
    carry = np.concatenate([one[3] for one in found])
    bounded = np.concatenate([one[4] for one in found])
    width = patterns.shape[1]
    keys = np.hstack(
        [patterns.astype(np.float64), bits, carry.astype(np.float64), bounded.astype(np.float64)]
    )
    distinct, inverse = np.unique(keys, axis=0, return_inverse=True)
    summed = np.bincount(inverse.ravel(), weights=counts, minlength=len(distinct))
    return (
        distinct[:, :width].astype(np.int8),
        summed.astype(np.int64),
        np.asfortranarray(distinct[:, width : 2 * width]),
        np.asfortranarray(distinct[:, 2 * width : 3 * width] != 0),
        np.asfortranarray(distinct[:, 3 * width :] != 0),
    )


def take_rows(task: Linker, requests: pd.DataFrame, rows: npt.NDArray[np.int64]) -> pd.DataFrame:
    """Some rows of a partition of requests, validated."""
    return records(requests, task, "requests").iloc[rows]


def _gather(
    runner: Runner, task: Linker, agreed: Agreed, rows: npt.NDArray[Any]
) -> tuple[pd.DataFrame, npt.NDArray[np.intp]]:
    """Requests by their row among all of them (``agreed``'s order), from the partitions
    that hold them: the distinct ones, validated, and where each of ``rows`` is among
    them."""
    distinct, where = np.unique(rows, return_inverse=True)
    owner = np.searchsorted(agreed.starts, distinct, side="right") - 1
    task_at = runner.shared(task)
    calls = [
        (task_at, part, distinct[owner == k] - agreed.starts[k])
        for k, part in enumerate(agreed.parts)
        if np.any(owner == k) or (k == 0 and not len(distinct))  # none: the columns
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
    workers: int | None = None,
    starts: Sequence[int] | None = None,
    requests_told: bool = False,
) -> Linker:
    """``linker.fit(requests, sightings, labels=..., em=...)`` over partitions of the
    requests (``parts``, run by ``runner``; ``first``: one that holds requests, as a
    frame, whose columns resolve the comparisons): the same model, learned from the same
    evidence (:class:`rfl_match.linker.Evidence`) gathered a partition at a time. The
    random pairs and reviewed pairs are those one fit draws; their records are gathered
    from the partitions that hold them. ``workers``: each task's kernel threads (the
    linker's own if None); ``starts``: as :func:`agree` takes them; ``requests_told``: as
    :func:`say_problems` takes it."""
    check_run(linker, sightings)
    assert sightings is not None
    if labels is not None:
        check_labels(labels)
    elif not em:
        raise ConfigError("fit(em=False) needs labels")
    # A fit that fails leaves the linker as it was (the comparisons are resolved before
    # the partitions are all read).
    with linker._kept_on_failure(always=True):
        return _fit_partitioned(
            runner, linker, parts, first, sightings, labels, em, workers, starts, requests_told
        )


def _fit_partitioned(
    runner: Runner,
    linker: Linker,
    parts: Sequence[Any],
    first: pd.DataFrame,
    sightings: pd.DataFrame,
    labels: pd.DataFrame | None,
    em: bool,
    workers: int | None,
    starts: Sequence[int] | None,
    requests_told: bool,
    tell: bool = True,
) -> Linker:
    """:func:`fit_partitioned`'s work, once its inputs are checked (``tell``: the
    problems validation found are said, :func:`say_problems`; not in a fit again)."""
    laps = _Laps()
    right = records(sightings, linker, "sightings")
    left = records(first, linker, "requests")
    _check_inputs(linker.config, left, right)
    laps.lap("validate")
    # Warnings name the user's call: two frames above this one (fit_partitioned, then
    # fit_in_partitions or the Dask backend's fit), where Linker.fit is one.
    named, comparisons = linker._fit_comparisons(left, right)
    task = task_linker(linker, linker.config.workers if workers is None else workers)
    agreed = agree(runner, task, parts, right, starts)
    if tell:
        say_problems(agreed, requests_told, sightings, right)
    laps.lap("partitions agree")
    n_left = len(agreed.ids)
    # The random pairs one fit draws (linker.random_draws), their records gathered.
    at_left, at_right = random_draws(linker.config, n_left, len(right))
    drawn, li = _gather(runner, task, agreed, text_order(agreed.ids)[at_left])
    ri = _by_id(right)[at_right]
    # Prepared with the term counts of all the records: reviewed pairs are scored here.
    counted = copy.copy(task)
    counted._partition = Partition(agreed.partitions[0].term_counts, requests=n_left)
    data = counted._prepare(drawn, right)
    random_levels = level_matrix(comparisons, data, li, ri)
    del data, drawn  # held while the partitions pass: not needed again
    laps.lap("prepare + random pairs")
    task_at, right_at = runner.shared(task), runner.shared(right)
    found = runner.each(pattern_pass, agreed.calls(task_at, after=(right_at,)))
    patterns, pattern_counts = merged_patterns(found)
    laps.lap("comparing")
    reviewed = score = None
    if labels is not None:
        wanted = pd.Index(agreed.ids).get_indexer(labels["request_id"].astype(str))
        held, _ = _gather(runner, task, agreed, wanted[wanted >= 0])
        at = counted._prepare(held, right)

        # The pairs only the context rules chose, as candidate pairs of all the requests'
        # rows (CandidatePairs.context_rows reads the reviewed pairs among them).
        n_right, numbered = max(len(right), 1), pd.Index(agreed.ids)
        keys = [numbered.get_indexer(one[4]).astype(np.int64) * n_right + one[5] for one in found]
        chosen = np.unique(np.concatenate([np.zeros(0, np.int64), *keys]))
        proposed = CandidatePairs(chosen, n_right, [], np.ones(len(chosen), dtype=bool))

        def context(rl: npt.NDArray[np.intp], rr: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
            rows = numbered.get_indexer(held[ID_FIELD].to_numpy()[rl]).astype(np.intp)
            return proposed.context_rows(rows, rr)

        def reviewed() -> Any:
            # the user's call: reviewed, Linker._learn, and the three frames above
            return linker._from_labels(labels, held, right, comparisons, at, False, context)

        def score(model: FellegiSunterModel, rl: Any, rr: Any) -> Any:
            return counted._score(at, comparisons, rl, rr, model=model)[1:]

    def tf_rows(model: FellegiSunterModel) -> Any:
        return merged_tf_rows(runner.each(tf_pass, agreed.calls(task_at, model, after=(right_at,))))

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
        _fit_partitioned(
            runner, linker, parts, first, sightings, labels, em, workers, starts, True, tell=False
        )
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
        left=left,
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
    starts = [k * partition_rows for k in range(len(parts))]
    # The first that holds requests (a partition of blank rows holds none).
    first = next((part for part in parts if not blank_rows(part).all()), parts[0])
    told = validated_whole(requests, linker)
    return fit_partitioned(
        Runner(), linker, parts, first, sightings, labels=labels, em=em, starts=starts,
        requests_told=told,
    )  # fmt: skip
