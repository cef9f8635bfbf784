"""Sort-based set operations on integer arrays, ranks of texts, and ranks with ties.

numpy's hash-based ``unique`` (numpy >= 2.3, when no index is asked for) and pandas'
``factorize`` slow down sharply when most values are distinct, which is the normal case
for pair ids; sorting stays fast. These are the helpers the hot paths use. Rows of
several columns over many pairs (level patterns, term-frequency steps) are counted by
:class:`RowTally`, sorting each chunk.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.kernels import code_digits, merge_counts, radix_sorted, row_starts, worker_count
from rfl_match.warn import as_worker, warning_state

Int64Array = npt.NDArray[np.int64]
_T = TypeVar("_T")
_R = TypeVar("_R")

#: Rows handled at a time where a (rows, comparisons) float table would be built: bounds
#: its memory (65,536 rows of a dozen comparisons: 6 MiB).
ROW_BLOCK = 1 << 16


def _arrow_text(column: pd.Series) -> Any:
    """A column of texts as an Arrow large_string array (Arrow's own where it is held so)."""
    import pyarrow as pa  # type: ignore[import-untyped]

    if isinstance(column.dtype, pd.StringDtype) and column.dtype.storage == "pyarrow":
        return pa.array(column.array).cast(pa.large_string())  # Arrow's own, no copy out
    try:
        return pa.array(column.to_numpy(object), type=pa.large_string())
    except (pa.ArrowTypeError, pa.ArrowInvalid):  # not text (validation gives text)
        return pa.array(column.astype(str).to_numpy(object), type=pa.large_string())


def text_columns_where(frame: pd.DataFrame, test: Callable[[Any], Any]) -> list[int]:
    """The positions of ``frame``'s text columns where ``test`` holds for some cell, for a
    per-column step to look at only those: ``test`` is a ``pyarrow.compute`` function of
    texts to booleans, called once on the cells of all the columns held by Arrow (pandas'
    default), not once a column. A frame read from a file of 20,000 columns would
    otherwise pay pandas' cost of a call (a few hundred microseconds) 20,000 times over
    for each such step. Text columns held otherwise are all listed, for the step to look
    at as it did.
    """
    import pyarrow as pa

    listed: list[int] = []
    # the Arrow columns, by their type: each in one call
    arrow: dict[Any, tuple[list[int], list[Any]]] = {}
    for position, (_, values) in enumerate(frame.items()):  # by position: a name may repeat
        dtype = values.dtype
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            cells = values.array.__arrow_array__()
            positions, chunks = arrow.setdefault(cells.type, ([], []))
            positions.append(position)
            chunks.extend(cells.chunks)
        elif pd.api.types.is_string_dtype(values):
            listed.append(position)
    for kind, (positions, chunks) in arrow.items():
        found = test(pa.chunked_array(chunks, type=kind)).fill_null(False)
        hits = found.to_numpy(zero_copy_only=False).reshape(len(positions), len(frame))
        listed.extend(np.asarray(positions)[hits.any(axis=1)].tolist())
    return sorted(listed)


def dense_ranks(columns: Sequence[pd.Series]) -> Int64Array:
    """Each text's rank among the distinct texts of the columns, in code point order
    (UTF-8 bytes sort as code points): Arrow sorts a million ids several times faster
    than a sorted factorize."""
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    # The columns' chunks (a column held by Arrow is a chunked array): a chunked array
    # made of chunked arrays reads their values one by one, as Python objects.
    chunks: list[Any] = []
    for column in columns:
        text = _arrow_text(column)
        chunks += text.chunks if isinstance(text, pa.ChunkedArray) else [text]
    texts = pa.chunked_array(chunks, type=pa.large_string())
    ranks = pc.rank(texts, sort_keys="ascending", tiebreaker="dense")
    dense: Int64Array = ranks.to_numpy().astype(np.int64) - 1
    return dense


def tied_ranks(groups: npt.NDArray[Any], values: npt.NDArray[Any]) -> Int64Array:
    """Each row's rank within its group, rows sorted by group and, within one, best value
    first: equal values share the rank of the first of them ("min" ranking: 1, 1, 3), so
    that a tie is seen as a tie and a cut at rank k keeps every row tied at k.

    >>> tied_ranks(np.array([0, 0, 0, 0, 1]), np.array([9.0, 9.0, 7.0, 7.0, 5.0])).tolist()
    [1, 1, 3, 3, 1]
    """
    n = len(groups)
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    at = np.arange(n, dtype=np.int64)
    new_group = np.r_[True, groups[1:] != groups[:-1]]
    new_value = new_group | np.r_[True, values[1:] != values[:-1]]
    group_start = np.maximum.accumulate(np.where(new_group, at, 0))
    value_start = np.maximum.accumulate(np.where(new_value, at, 0))
    ranks: Int64Array = value_start - group_start + 1
    return ranks


def text_order(column: pd.Series) -> npt.NDArray[np.intp]:
    """The rows in code point order of their texts (equal texts in row order): what
    ``np.argsort(dense_ranks([column]), kind="stable")`` gives, by one Arrow sort, not a
    rank and then a sort of the ranks (a twentieth of the time for a million ids)."""
    import pyarrow.compute as pc

    order: npt.NDArray[np.intp] = pc.sort_indices(_arrow_text(column)).to_numpy().astype(np.intp)
    return order


def unique_sorted(values: npt.NDArray[np.int64]) -> Int64Array:
    """The distinct values, ascending."""
    return runs(np.sort(values.astype(np.int64, copy=False), kind="quicksort"))[0]


def distinct_rows(
    table: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.intp]]:
    """Distinct rows of an integer matrix and each row's index among them; one integer
    code a row (mixed radix over the columns' ranges) when it fits, as it does for a
    pattern index and a few term-frequency steps."""
    if not len(table):
        return table, np.zeros(0, dtype=np.intp)
    low, high = table.min(axis=0), table.max(axis=0)
    spans = (high - low + 1).astype(np.float64)
    if float(np.prod(spans)) < 2.0**62:
        code = np.zeros(len(table), dtype=np.int64)
        for c, span in enumerate(spans.astype(np.int64).tolist()):
            code = code * span + (table[:, c] - low[c])
        uniq, inverse = np.unique(code, return_inverse=True)
        distinct = np.empty((len(uniq), table.shape[1]), dtype=np.int64)
        for c, span in reversed(list(enumerate(spans.astype(np.int64).tolist()))):
            uniq, digit = np.divmod(uniq, span)
            distinct[:, c] = digit + low[c]
        return distinct, inverse.astype(np.intp)
    distinct, inverse = np.unique(table, axis=0, return_inverse=True)
    return distinct, inverse.reshape(-1).astype(np.intp)


def runs(ordered: Int64Array) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Each run of equal values of a sorted array: its value, start and length."""
    keep = np.empty(len(ordered), dtype=bool)
    keep[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    starts = np.flatnonzero(keep).astype(np.int64)
    counts: Int64Array = np.diff(starts, append=len(ordered)).astype(np.int64)
    return ordered[starts], starts, counts


def row_runs(table: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """Where each run of equal adjacent rows of a 2-d array of integers starts (its first
    row): :func:`kernels.row_starts`, a third of numpy's time on the level patterns."""
    return row_starts(table)


class RowTally:
    """Distinct rows of integer columns gathered over chunks, and how often each occurs,
    ascending (lexicographically) at the end: what :func:`distinct_rows` gives for all the
    chunks' rows stacked, without holding them.

    The columns' ranges are given up front, so each row is one mixed-radix code. Counts
    are found by sorting each chunk's codes (a radix sort: the codes' bits are known) and
    merging the chunks' distinct codes and counts, two parts of about one size at a time,
    so that each code is merged about log2(chunks) times, not once a chunk (the
    term-frequency rows of millions of pairs are millions of distinct codes: a hash
    table of them misses the cache at each lookup, grows and rehashes, and is sorted at
    the end anyway). If the codes would not fit in int64, each chunk's distinct rows are
    found by sorting the rows and merged at the end.
    """

    def __init__(self, low: Sequence[int], high: Sequence[int]) -> None:
        self.low = [int(x) for x in low]
        self.spans = [int(b) - a + 1 for a, b in zip(self.low, high, strict=True)]
        self.fits = float(np.prod(np.asarray(self.spans, dtype=np.float64))) < 2.0**62
        # The codes are below the product of the spans: this many bits.
        self.bits = (math.prod(self.spans) - 1).bit_length() if self.fits else 64
        # Where the codes fit: parts of the distinct codes so far, each ascending with its
        # counts, each at least as long as the next (a binary counter's carries); where
        # they do not, each chunk's distinct rows and counts.
        self.parts: list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]] = []

    def add(self, columns: Sequence[npt.NDArray[np.integer]]) -> None:
        """Count the rows ``columns`` make (one array per column, each value in range)."""
        self.add_counted(self.counted(columns))

    def counted(
        self, columns: Sequence[npt.NDArray[np.integer]]
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """The distinct rows ``columns`` make (as codes where the rows fit in int64) and
        how often each occurs: the part of :meth:`add` that reads the columns alone and
        changes nothing, so that chunks may be counted on several threads at once;
        :meth:`add_counted` folds each in."""
        if not self.fits:
            distinct, inverse = distinct_rows(np.stack(columns, axis=1).astype(np.int64))
            return distinct, np.bincount(inverse, minlength=len(distinct)).astype(np.int64)
        return self.counted_codes(self._codes(columns))

    def counted_codes(
        self, codes: npt.NDArray[np.int64], workers: int = 1
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """:meth:`counted` of rows given as their codes (where the rows fit in int64: each
        row ``r`` as ``code = code * span + r[c] - low`` over its columns c in turn);
        ``codes`` is overwritten. With more than one worker, the codes are cut in as many
        parts, each sorted and counted on a thread of its own (the radix sort is serial),
        and the parts merged: the same rows and counts."""
        parts = min(worker_count(workers), THREADED_MOST) if len(codes) >= 1 << 16 else 1
        if parts <= 1:
            distinct, _, counts = runs(radix_sorted(codes, self.bits))
            return distinct, counts
        found = list(threaded(self.counted_codes, np.array_split(codes, parts), parts))
        while len(found) > 1:
            found.append(merge_counts(*found.pop(0), *found.pop(0)))
        return found[0]

    def add_counted(self, part: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]) -> None:
        """Fold in one chunk's :meth:`counted` rows (in any order of chunks: the counts are
        integers, and the rows end ascending)."""
        self.parts.append(part)
        if not self.fits:
            return
        while len(self.parts) >= 2 and len(self.parts[-2][0]) <= len(self.parts[-1][0]):
            self.parts.append(merge_counts(*self.parts.pop(-2), *self.parts.pop()))

    def _codes(self, columns: Sequence[npt.NDArray[np.integer]]) -> npt.NDArray[np.int64]:
        """Each row's mixed-radix code."""
        code = np.zeros(len(columns[0]), dtype=np.int64)
        for column, low, span in zip(columns, self.low, self.spans, strict=True):
            code *= span
            code += column
            code -= low
        return code

    def ranked(
        self, workers: int = 1, *, narrow: bool = False
    ) -> tuple[npt.NDArray[np.signedinteger[Any]], npt.NDArray[np.int64]]:
        """The distinct rows, ascending, and how many times each was added (the codes read
        back on ``workers`` threads). The tally gives up its parts, so that they are freed
        while the caller builds on the rows (at 1,000,000 records a side, the
        term-frequency rows' codes and counts, 125 MB, were held to the fit's peak): a
        tally is ranked once. ``narrow``: the rows as int32 where every column's range
        fits in it (the term-frequency rows at 1,000,000 records a side, 7.6 million
        rows of 5 columns, 145 MB less at the fit's peak), else int64."""
        parts, self.parts = self.parts, []
        if self.fits:
            codes, counts = np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
            if parts:
                codes, counts = parts.pop()
                while parts:
                    codes, counts = merge_counts(*parts.pop(), codes, counts)
            small = narrow and all(
                _INT32.min <= low and low + span - 1 <= _INT32.max
                for low, span in zip(self.low, self.spans, strict=True)
            )
            dtype = np.int32 if small else np.int64
            return code_digits(codes, self.spans, self.low, workers, dtype), counts
        if not parts:
            return np.zeros((0, len(self.spans)), dtype=np.int64), np.zeros(0, dtype=np.int64)
        distinct, inverse = distinct_rows(np.concatenate([rows for rows, _ in parts]))
        counts = np.concatenate([counts for _, counts in parts])
        return distinct, np.bincount(inverse, counts, len(distinct)).astype(np.int64)


_INT32 = np.iinfo(np.int32)

#: Most threads :func:`threaded` runs at once: each item may hold a chunk of pairs and
#: its temporaries (about 100 MB at the default ``chunk_pairs``), and this work is bound by
#: memory more than by cores.
THREADED_MOST = 4


def threaded(function: Callable[[_T], _R], items: Iterable[_T], workers: int) -> Iterator[_R]:
    """``function`` of each item, in the items' order, run on up to ``workers`` threads
    (-1: one per CPU; at most :data:`THREADED_MOST`): for work that releases the GIL
    (compiled ``nogil`` kernels, numpy on large arrays), and never one that starts numba's
    own parallel threads. Whatever folds the results sees them as a loop would give them.
    An item is taken when the caller asks for a result, so no more than that many are
    held at once besides the result the caller is folding; if the caller stops early or
    the function raises, the items not started are dropped."""
    count = min(worker_count(workers), THREADED_MOST)
    if count <= 1:
        yield from map(function, items)
        return
    pool = ThreadPoolExecutor(count)
    put_back = warning_state()
    try:
        pending: deque[Future[_R]] = deque()
        for item in items:
            pending.append(pool.submit(as_worker(function), item))
            if len(pending) >= count:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        put_back()  # the warning filters as they were, where the threads' raced (warn.py)


def in_background(function: Callable[[], _R], workers: int) -> Callable[[], _R]:
    """``function()`` on a thread of its own from now on (``workers`` above 1), beside
    whatever the caller does next; the call returned waits for its result (or raises its
    error). With one worker, ``function`` itself: run when its result is asked for."""
    if worker_count(workers) <= 1:
        return function
    pool = ThreadPoolExecutor(1)
    put_back = warning_state()
    try:
        future = pool.submit(as_worker(function))
    finally:
        pool.shutdown(wait=False)  # the thread ends with the function

    def result() -> _R:
        try:
            return future.result()
        finally:
            put_back()  # the warning filters as they were (warn.py)

    return result


def pipelined(function: Callable[[_T], _R], items: Iterable[_T], workers: int) -> Iterator[_R]:
    """``function`` of each item, in the items' order, one at a time on a thread of its own
    while the caller makes the next item (``workers`` above 1; else in the caller's
    thread): for a serial fold (a tally) that may overlap the work that makes its input.
    At most two items are held at once besides the result the caller is folding; if the
    caller stops early or the function raises, an item not started is dropped."""
    if worker_count(workers) <= 1:
        yield from map(function, items)
        return
    pool = ThreadPoolExecutor(1)
    put_back = warning_state()
    try:
        pending: Future[_R] | None = None
        for item in items:
            future = pool.submit(as_worker(function), item)
            del item
            if pending is not None:
                yield pending.result()
            pending = future
        if pending is not None:
            yield pending.result()
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
        put_back()  # as in threaded
