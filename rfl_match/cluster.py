"""Clustering duplicate records from scored pairs, with a guard against chaining.

Plain connected components let one weak link join two large groups (A~B, B~C, ..., so A~Z).
Here edges are taken strongest first, and two groups merge only when enough of the pairs
between them are themselves links: at least ``min_density`` of them.

The links between each two groups are counted as groups merge (each group keeps its
count of links to every group it touches; a merge folds the group with fewer neighbours
into the other), so that each edge's check is one look-up: time grows with the links
(times the logarithm of the records), not with the product of two groups' sizes, which a
list with many copies of one person, or of namesakes, makes large.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pandas as pd


def cluster_pairs(
    record_ids: Sequence[str],
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    weight: npt.NDArray[np.float64],
    *,
    min_density: float = 0.5,
) -> pd.DataFrame:
    """Clusters of records from linked pairs (row indices into ``record_ids``).

    Returns a frame ``record_id, cluster_id`` with every record, singletons included;
    cluster ids are the smallest record row of each cluster, as strings ``c<row>``. A
    pair given twice, or both ways round, is one link; a record paired with itself is
    none.
    """
    n = len(record_ids)
    a = np.asarray(left, dtype=np.int64)
    b = np.asarray(right, dtype=np.int64)
    lo, hi = np.minimum(a, b), np.maximum(a, b)
    distinct = np.unique(lo[lo != hi] * n + hi[lo != hi])
    # Per group (by its root): the number of links to each group it touches.
    touching: dict[int, dict[int, int]] = {}
    for x, y in zip((distinct // n).tolist(), (distinct % n).tolist(), strict=True):
        touching.setdefault(x, {})[y] = 1
        touching.setdefault(y, {})[x] = 1
    parent = list(range(n))
    size = [1] * n
    low = list(range(n))  # each root's smallest row: the cluster's id

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    for k in np.argsort(-np.asarray(weight), kind="stable").tolist():
        ra, rb = find(int(a[k])), find(int(b[k]))
        if ra == rb:
            continue
        sa, sb = size[ra], size[rb]
        if sa > 1 or sb > 1:
            links = touching.get(ra, {}).get(rb, 0)
            if links < min_density * sa * sb:
                continue
        # Fold the group with fewer neighbours into the other.
        if len(touching.get(ra, ())) < len(touching.get(rb, ())):
            ra, rb = rb, ra
        into, folded = touching.setdefault(ra, {}), touching.pop(rb, {})
        into.pop(rb, None)
        folded.pop(ra, None)
        for group, count in folded.items():
            into[group] = into.get(group, 0) + count
            theirs = touching[group]
            del theirs[rb]
            theirs[ra] = theirs.get(ra, 0) + count
        parent[rb] = ra
        size[ra] += size[rb]
        low[ra] = min(low[ra], low[rb])
    roots = np.asarray(parent, dtype=np.int64)
    while True:  # every row's root, by pointer jumping
        up = roots[roots]
        if np.array_equal(up, roots):
            break
        roots = up
    ids = np.asarray(low, dtype=np.int64)[roots]
    return pd.DataFrame(
        {"record_id": list(record_ids), "cluster_id": [f"c{r}" for r in ids.tolist()]}
    )
