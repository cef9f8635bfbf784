"""Clustering duplicates (rfl_match.cluster): the guard against chaining, and the fast
clustering against a slow, obviously correct one on random graphs (Hypothesis)."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rfl_match.cluster import cluster_pairs


def _reference(
    n: int,
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    weight: npt.NDArray[np.float64],
    min_density: float,
) -> list[str]:
    """Edges strongest first; two groups merge when at least ``min_density`` of the
    pairs between them are links, counted pair by pair; a cluster is named by its
    smallest row."""
    linked = {(min(a, b), max(a, b)) for a, b in zip(left.tolist(), right.tolist(), strict=True)}
    group = list(range(n))
    for k in np.argsort(-weight, kind="stable").tolist():
        ga, gb = group[left[k]], group[right[k]]
        if ga == gb:
            continue
        in_a = [r for r in range(n) if group[r] == ga]
        in_b = [r for r in range(n) if group[r] == gb]
        if len(in_a) > 1 or len(in_b) > 1:
            links = sum((min(x, y), max(x, y)) in linked for x in in_a for y in in_b)
            if links < min_density * len(in_a) * len(in_b):
                continue
        for r in in_a + in_b:
            group[r] = min(ga, gb)
    return [f"c{g}" for g in group]


def _clusters(
    n: int, pairs: list[tuple[int, int]], weights: list[float], min_density: float = 0.5
) -> list[str]:
    left = np.array([p[0] for p in pairs], dtype=np.intp)
    right = np.array([p[1] for p in pairs], dtype=np.intp)
    out = cluster_pairs(
        [f"r{i}" for i in range(n)],
        left,
        right,
        np.array(weights, dtype=np.float64),
        min_density=min_density,
    )
    assert list(out["record_id"]) == [f"r{i}" for i in range(n)]
    return list(out["cluster_id"])


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[float], float]:
    n = draw(st.integers(1, 14))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    # few distinct weights: ties, whose order is the pairs' own
    weights = draw(
        st.lists(st.sampled_from([1.0, 2.0, 3.0, 5.0]), min_size=len(pairs), max_size=len(pairs))
    )
    return n, pairs, weights, draw(st.sampled_from([0.0, 0.3, 0.5, 0.75, 1.0]))


@given(graphs())
def test_clusters_equal_the_reference(
    graph: tuple[int, list[tuple[int, int]], list[float], float],
) -> None:
    n, pairs, weights, density = graph
    left = np.array([p[0] for p in pairs], dtype=np.intp)
    right = np.array([p[1] for p in pairs], dtype=np.intp)
    want = _reference(n, left, right, np.array(weights, dtype=np.float64), density)
    assert _clusters(n, pairs, weights, density) == want


def test_one_weak_link_does_not_chain_two_groups() -> None:
    # two triangles (rows 0-2 and 3-5) and one weaker link between them
    pairs = [(0, 1), (1, 2), (0, 2), (3, 4), (4, 5), (3, 5), (2, 3)]
    weights = [9.0] * 6 + [8.0]
    assert _clusters(6, pairs, weights) == ["c0"] * 3 + ["c3"] * 3
    # plain components (no density asked) join them
    assert _clusters(6, pairs, weights, min_density=0.0) == ["c0"] * 6


def test_links_given_twice_or_both_ways_count_once() -> None:
    # 0-1 and 2 joined to both: 2 links of 2 pairs; repeated or reversed pairs add none
    pairs = [(0, 1), (1, 0), (0, 2), (2, 0), (0, 2), (1, 1)]
    weights = [9.0, 9.0, 5.0, 5.0, 5.0, 9.5]
    assert _clusters(3, pairs, weights, min_density=0.75) == ["c0", "c0", "c2"]
    assert _clusters(3, pairs, weights, min_density=0.5) == ["c0"] * 3


def test_many_copies_of_one_person_cluster_in_one_pass() -> None:
    """Two groups of 400 copies, every pair within linked, and 20,000 weaker links
    across: each of those is checked by a look-up (before, by counting the 160,000 pairs
    of the two groups each time: minutes)."""
    rng = np.random.default_rng(3)
    inside = [(i, j) for i in range(400) for j in range(i + 1, 400)]
    inside += [(400 + i, 400 + j) for i, j in inside]
    across = [(int(i), int(400 + j)) for i, j in rng.integers(0, 400, size=(20_000, 2))]
    pairs = inside + across
    weights = list(rng.uniform(9, 10, size=len(inside))) + list(rng.uniform(5, 8, size=len(across)))
    got = pd.Series(_clusters(800, pairs, weights))
    assert got[:400].eq("c0").all() and got[400:].eq("c400").all()
