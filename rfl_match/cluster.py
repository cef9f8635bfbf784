"""Clustering duplicate records from scored pairs, with a guard against chaining.

Plain connected components let one weak link join two large groups (A~B, B~C, ..., so A~Z).
Here edges are taken strongest first, and two groups merge only when enough of the pairs
between them are themselves links: at least ``min_density`` of them.
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
    cluster ids are the smallest record row of each cluster, as strings ``c<row>``.
    """
    n = len(record_ids)
    parent = np.arange(n)
    members: dict[int, list[int]] = {}
    linked: set[tuple[int, int]] = set()
    for a, b in zip(left.tolist(), right.tolist(), strict=True):
        linked.add((min(a, b), max(a, b)))

    def find(x: int) -> int:
        root = x
        while parent[root] != root:
            root = int(parent[root])
        while parent[x] != root:
            parent[x], x = root, int(parent[x])
        return root

    for k in np.argsort(-weight, kind="stable").tolist():
        ra, rb = find(int(left[k])), find(int(right[k]))
        if ra == rb:
            continue
        group_a = members.get(ra, [ra])
        group_b = members.get(rb, [rb])
        if len(group_a) > 1 or len(group_b) > 1:
            links = sum((min(x, y), max(x, y)) in linked for x in group_a for y in group_b)
            if links < min_density * len(group_a) * len(group_b):
                continue
        root, other = (ra, rb) if ra < rb else (rb, ra)
        parent[other] = root
        members[root] = group_a + group_b
        members.pop(other, None)
    roots = np.array([find(i) for i in range(n)], dtype=np.int64)
    return pd.DataFrame(
        {"record_id": list(record_ids), "cluster_id": [f"c{r}" for r in roots.tolist()]}
    )
