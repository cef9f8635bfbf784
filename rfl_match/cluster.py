"""Clustering duplicate records from scored pairs, with a guard against chaining.

Plain connected components let one weak link join two large groups (A~B, B~C, ..., so A~Z).
Here edges are taken strongest first (edges of one weight in the order of their records'
ids, so that the clusters do not depend on the order of the rows), and two groups merge
only when enough of the pairs between them are themselves links: at least
``min_density`` of them.

The links between each two groups are counted as groups merge (each group keeps its
count of links to every group it touches; a merge folds the group with fewer neighbours
into the other), so that each edge's check is one look-up: time grows with the links
(times the logarithm of the records), not with the product of two groups' sizes, which a
list with many copies of one person, or of namesakes, makes large.

Pairs said to be ``apart`` (two records scored as different people) are never put in one
cluster: a merge that would join them is refused, however dense the links between the two
groups. They are counted between groups as the links are. :func:`checked_clusters` finds
them: it scores the pairs inside each cluster that no link joins directly, and forms the
clusters again without those that score too low, so that links do not join, through a
record lacking what tells them apart, two people the model would have told apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.arrays import dense_ranks
from rfl_match.kernels import components

Int64Array = npt.NDArray[np.int64]


def cluster_pairs(
    record_ids: Sequence[str],
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    weight: npt.NDArray[np.float64],
    *,
    min_density: float = 0.5,
    apart: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None = None,
) -> pd.DataFrame:
    """Clusters of records from linked pairs (row indices into ``record_ids``).

    Returns a frame ``record_id, cluster_id`` with every record, singletons included;
    cluster ids are the smallest record row of each cluster, as strings ``c<row>``. A
    pair given twice, or both ways round, is one link; a record paired with itself is
    none. ``apart`` (rows, rows): pairs that no cluster may hold both of. The clusters'
    records do not depend on the order of the rows or of the pairs (:func:`_strongest_first`);
    their ids, rows, do.
    """
    rows = _cluster_rows(record_ids, left, right, weight, min_density, apart)
    return _frame(record_ids, rows)


def _strongest_first(
    record_ids: Sequence[str], a: Int64Array, b: Int64Array, weight: npt.NDArray[np.float64]
) -> npt.NDArray[np.intp]:
    """The order links ``a``-``b`` (rows) merge in: strongest first, and links of one
    weight by their records' ids (the lower of the two, then the higher), not by their
    rows or the order they were given in, so that the clusters are the same in any order
    of the rows. Which of two tied links merges first decides which merge the other's
    check refuses: two children of one name born years apart and a record of that name
    with no birth date, its two links of one weight, joins the child whose link came
    first."""
    rank = dense_ranks([pd.Series(list(record_ids), dtype=object).astype(str)])
    first, second = np.minimum(rank[a], rank[b]), np.maximum(rank[a], rank[b])
    order: npt.NDArray[np.intp] = np.lexsort((second, first, -np.asarray(weight, np.float64)))
    return order


def checked_clusters(
    record_ids: Sequence[str],
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    weight: npt.NDArray[np.float64],
    probability: npt.NDArray[np.float64],
    score: Callable[[Int64Array, Int64Array], npt.NDArray[np.float64]],
    *,
    threshold: float,
    floor: float | None = None,
    min_density: float = 0.5,
) -> tuple[pd.DataFrame, int]:
    """Clusters of the pairs scored ``threshold`` or more (as :func:`cluster_pairs`), in
    which every two records score at least ``floor`` (``threshold`` unless given), those
    that no link joins directly too; and how many such pairs were scored.

    A cluster grows by links, so two records in it may never have been compared: A and B
    each linked to C, a record that lacks what tells A from B (a birth date), and A and B
    different children. Each pair inside a cluster that is not among the scored pairs
    (``left``, ``right``: rows; their ``weight`` and ``probability``) is scored by
    ``score`` (rows, rows; lower row first -> probabilities), all of a round at once; a
    pair under ``floor`` is kept apart (:func:`cluster_pairs`' ``apart``) and the
    clusters are formed again, until every pair inside every cluster is known (each
    round scores only pairs not scored before, so the rounds end; two, on the bundled
    data). A pair given twice is scored as its first.

    Cost: every merge needs ``min_density`` of the pairs between the two groups to be
    links, so the pairs scored in a round are at most ``1 / min_density - 1`` times the
    links inside the clusters (with the default 0.5, no more than the links): bounded by
    what was scored already, however large a cluster. With ``min_density`` 0 (plain
    components) every pair of a component is scored: a component of 10,000 records, 50
    million pairs.
    """
    n = len(record_ids)
    floor = threshold if floor is None else floor
    lo = np.minimum(left, right).astype(np.int64)
    hi = np.maximum(left, right).astype(np.int64)
    link = np.asarray(probability) >= threshold
    strongest = _strongest_first(
        record_ids, lo[link], hi[link], np.asarray(weight, dtype=np.float64)[link]
    )
    a, b = lo[link][strongest], hi[link][strongest]
    keys, first = np.unique(lo * n + hi, return_index=True)
    known = np.asarray(probability, dtype=np.float64)[first]
    # Groups in two components of the link graph never meet: after the first round only
    # the components that hold a pair newly found under the floor are formed again, from
    # their links' counts (taken once, copied per round), the rest kept as they are.
    # Random links between near rows, 30% of the pairs found under the floor: 1,000,000
    # records, 600,000 links, 24 s -> 7 s of CPU; 16,000 records 0.23 -> 0.09 s.
    component = components(n, a, b)
    link_component = component[a]
    touching = _counts(n, a, b)
    groups = _Groups(n)
    rows = np.arange(n, dtype=np.int64)  # each row's cluster
    redo = np.arange(n, dtype=np.int64)  # the rows formed again: whole components, ascending
    every = True
    below = keys[known < floor]
    checked = 0
    while len(redo):
        hit = np.zeros(n, dtype=bool)
        hit[component[redo]] = True
        x, y = below // max(n, 1), below % max(n, 1)
        apart = (component[x] == component[y]) & hit[component[x]]
        within = hit[link_component]
        groups.merge(
            a[within],
            b[within],
            min_density,
            {r: dict(touching[r]) for r in redo.tolist() if r in touching},
            _counts(n, x[apart], y[apart]),
            None if every else redo.tolist(),
        )
        every = False
        rows[redo] = groups.labels(redo)
        x, y = pairs_within(rows[redo])
        inside = redo[x] * n + redo[y]  # ascending, as pairs_within gives them
        at = np.searchsorted(keys, inside)
        found = at < len(keys)
        found[found] = keys[at[found]] == inside[found]
        new = inside[~found]  # ascending and distinct
        if not len(new):
            break
        scores = np.asarray(score(new // n, new % n), dtype=np.float64)
        checked += len(new)
        order = np.argsort(np.r_[keys, new], kind="stable")
        keys, known = np.r_[keys, new][order], np.r_[known, scores][order]
        under = new[scores < floor]
        below = np.union1d(below, under)
        redo = np.flatnonzero(np.isin(component, component[under // n]))
    return _frame(record_ids, rows), checked


def pairs_within(clusters: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Every two rows with the same label in ``clusters`` (each row's cluster), lower row
    first, ascending by (lower, higher) row; clusters of a size at a time, by numpy.

    >>> [a.tolist() for a in pairs_within(np.array([0, 0, 2, 0, 2]))]
    [[0, 0, 1, 2], [1, 3, 3, 4]]
    """
    if not len(clusters):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    order = np.argsort(clusters, kind="stable")  # rows ascending within each cluster
    labels = clusters[order]
    starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
    sizes = np.diff(np.r_[starts, len(labels)])
    firsts: list[Int64Array] = []
    seconds: list[Int64Array] = []
    for size in np.unique(sizes[sizes > 1]).tolist():
        members = order[starts[sizes == size][:, None] + np.arange(size)]
        i, j = np.triu_indices(size, 1)
        firsts.append(members[:, i].ravel())
        seconds.append(members[:, j].ravel())
    if not firsts:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    a, b = np.concatenate(firsts).astype(np.int64), np.concatenate(seconds).astype(np.int64)
    ordered = np.lexsort((b, a))
    return a[ordered], b[ordered]


def _frame(record_ids: Sequence[str], rows: Int64Array) -> pd.DataFrame:
    return pd.DataFrame(
        {"record_id": list(record_ids), "cluster_id": [f"c{r}" for r in rows.tolist()]}
    )


def _cluster_rows(
    record_ids: Sequence[str],
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    weight: npt.NDArray[np.float64],
    min_density: float,
    apart: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]] | None,
) -> Int64Array:
    """Each row's cluster, as its smallest row (:func:`cluster_pairs`)."""
    n = len(record_ids)
    a = np.asarray(left, dtype=np.int64)
    b = np.asarray(right, dtype=np.int64)
    strongest = _strongest_first(record_ids, a, b, np.asarray(weight, dtype=np.float64))
    if apart is None:
        separated: dict[int, dict[int, int]] = {}
    else:
        separated = _counts(n, np.asarray(apart[0], np.int64), np.asarray(apart[1], np.int64))
    groups = _Groups(n)
    groups.merge(a[strongest], b[strongest], min_density, _counts(n, a, b), separated, None)
    return groups.labels(None)


class _Groups:
    """Rows merged into groups (union-find), each named by its smallest row."""

    def __init__(self, n: int) -> None:
        self.parent = list(range(n))
        self.size = [1] * n
        self.low = list(range(n))  # each root's smallest row: the cluster's id

    def merge(
        self,
        a: Int64Array,
        b: Int64Array,
        min_density: float,
        touching: dict[int, dict[int, int]],
        separated: dict[int, dict[int, int]],
        rows: list[int] | None,
    ) -> None:
        """Links ``a``-``b``, strongest first, merged as :func:`cluster_pairs` merges
        them; per group (by its root), ``touching``: the number of links to each group
        it touches, ``separated``: of pairs kept apart (both folded as groups merge).
        ``rows`` (all if None) are made single rows first: whole components, so that no
        group outside them holds one."""
        parent, size, low = self.parent, self.size, self.low

        def find(x: int) -> int:
            root = x
            while parent[root] != root:
                root = parent[root]
            while parent[x] != root:
                parent[x], x = root, parent[x]
            return root

        for r in () if rows is None else rows:
            parent[r], size[r], low[r] = r, 1, r
        for x, y in zip(a.tolist(), b.tolist(), strict=True):
            ra, rb = find(x), find(y)
            if ra == rb:
                continue
            sa, sb = size[ra], size[rb]
            if sa > 1 or sb > 1:
                links = touching.get(ra, {}).get(rb, 0)
                if links < min_density * sa * sb:
                    continue
            if separated.get(ra, {}).get(rb, 0):
                continue
            # Fold the group with fewer neighbours into the other.
            if len(touching.get(ra, ())) < len(touching.get(rb, ())):
                ra, rb = rb, ra
            _fold(touching, ra, rb)
            _fold(separated, ra, rb)
            parent[rb] = ra
            size[ra] += size[rb]
            low[ra] = min(low[ra], low[rb])

    def labels(self, rows: Int64Array | None) -> Int64Array:
        """The cluster of each of ``rows`` (all if None)."""
        parent, low = self.parent, self.low
        if rows is not None and len(rows) < len(parent):
            out = []
            for r in rows.tolist():
                while parent[r] != r:
                    r = parent[r]
                out.append(low[r])
            return np.array(out, dtype=np.int64)
        roots = np.asarray(self.parent, dtype=np.int64)
        while True:  # every row's root, by pointer jumping
            up = roots[roots]
            if np.array_equal(up, roots):
                break
            roots = up
        ids: Int64Array = np.asarray(self.low, dtype=np.int64)[roots]
        return ids


def _counts(
    n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> dict[int, dict[int, int]]:
    """Per row, the rows it is paired with (each distinct pair once, either way round; a
    row with itself left out), each counted 1."""
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    distinct = np.unique(lo[lo != hi] * n + hi[lo != hi])
    out: dict[int, dict[int, int]] = {}
    for x, y in zip((distinct // n).tolist(), (distinct % n).tolist(), strict=True):
        out.setdefault(x, {})[y] = 1
        out.setdefault(y, {})[x] = 1
    return out


def _fold(counts: dict[int, dict[int, int]], into_root: int, folded_root: int) -> None:
    """The counts of group ``folded_root`` added to group ``into_root``'s, as it merges
    into it (the count between the two is left out: it is now within one group)."""
    into, folded = counts.setdefault(into_root, {}), counts.pop(folded_root, {})
    into.pop(folded_root, None)
    folded.pop(into_root, None)
    for group, count in folded.items():
        into[group] = into.get(group, 0) + count
        theirs = counts[group]
        del theirs[folded_root]
        theirs[into_root] = theirs.get(into_root, 0) + count
    if not into:
        del counts[into_root]
