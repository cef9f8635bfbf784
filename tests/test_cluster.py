"""Clustering duplicates (rfl_match.cluster): the guard against chaining, and the fast
clustering against a slow, obviously correct one on random graphs (Hypothesis)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from hypothesis import given
from hypothesis import strategies as st

from rfl_match.cluster import checked_clusters, cluster_pairs, pairs_within


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
    # ties by the lower row, then the higher: the ids' order (_clusters names row i "r<i>",
    # zero-padded)
    ends = zip(left.tolist(), right.tolist(), weight.tolist(), strict=True)
    by = [(-w, min(a, b), max(a, b)) for a, b, w in ends]
    for k in sorted(range(len(by)), key=by.__getitem__):
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
        [f"r{i:02d}" for i in range(n)],
        left,
        right,
        np.array(weights, dtype=np.float64),
        min_density=min_density,
    )
    assert list(out["record_id"]) == [f"r{i:02d}" for i in range(n)]
    return list(out["cluster_id"])


@st.composite
def graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int]], list[float], float]:
    n = draw(st.integers(1, 14))
    pairs = draw(st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), max_size=40))
    # few distinct weights: ties, whose order is the records' ids'
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


def _reference_checked(
    n: int,
    given: dict[tuple[int, int], float],
    table: dict[tuple[int, int], float],
    threshold: float,
    floor: float,
    min_density: float,
) -> tuple[list[str], int]:
    """Links (given pairs at ``threshold`` or more) strongest first, as :func:`_reference`
    but refusing a merge that would hold a pair scored under ``floor``; the pairs inside
    the clusters not scored yet are scored from ``table`` and the clusters formed again,
    until every pair inside a cluster is scored."""
    known = dict(given)
    checked = 0
    while True:
        apart = {p for p, v in known.items() if v < floor}
        links = [(p, v) for p, v in given.items() if v >= threshold]
        group = list(range(n))
        # ties by the pair's rows (a < b): the ids' order, "r0" to "r8"
        for k in sorted(range(len(links)), key=lambda k: (-links[k][1], links[k][0])):
            (a, b), _ = links[k]
            ga, gb = group[a], group[b]
            if ga == gb:
                continue
            in_a = [r for r in range(n) if group[r] == ga]
            in_b = [r for r in range(n) if group[r] == gb]
            across = [(min(x, y), max(x, y)) for x in in_a for y in in_b]
            linked = sum(p in given and given[p] >= threshold for p in across)
            if (len(in_a) > 1 or len(in_b) > 1) and linked < min_density * len(across):
                continue
            if any(p in apart for p in across):
                continue
            for r in in_a + in_b:
                group[r] = min(ga, gb)
        inside = [(a, b) for a in range(n) for b in range(a + 1, n) if group[a] == group[b]]
        new = [p for p in inside if p not in known]
        if not new:
            return [f"c{g}" for g in group], checked
        checked += len(new)
        known.update({p: table[p] for p in new})


@st.composite
def scored_graphs(
    draw: st.DrawFn,
) -> tuple[int, dict[tuple[int, int], float], dict[tuple[int, int], float], float, float]:
    """Records, every pair's probability (a few values: ties), the pairs blocking
    scored (those at ``floor`` or more are given, as predict gives them), a threshold,
    a floor at most the threshold, and a density."""
    n = draw(st.integers(1, 9))
    every = [(a, b) for a in range(n) for b in range(a + 1, n)]
    values = st.sampled_from([0.05, 0.3, 0.6, 0.9, 0.95, 0.99])
    table = {p: draw(values) for p in every}
    threshold = draw(st.sampled_from([0.6, 0.9]))
    floor = draw(st.sampled_from([threshold, 0.5, 0.1]))
    blocked = draw(st.lists(st.sampled_from(every), unique=True)) if every else []
    given = {p: table[p] for p in blocked if table[p] >= floor}
    return n, given, table, threshold, floor


@given(scored_graphs(), st.sampled_from([0.0, 0.5, 1.0]))
def test_checked_clusters_equal_the_reference_and_hold_no_pair_under_the_floor(
    graph: tuple[int, dict[tuple[int, int], float], dict[tuple[int, int], float], float, float],
    min_density: float,
) -> None:
    n, given_pairs, table, threshold, floor = graph
    scored: list[tuple[int, int]] = []

    def score(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        scored.extend(zip(a.tolist(), b.tolist(), strict=True))
        return np.array([table[p] for p in zip(a.tolist(), b.tolist(), strict=True)])

    pairs = list(given_pairs)
    left = np.array([b for _, b in pairs], dtype=np.intp)  # either way round
    right = np.array([a for a, _ in pairs], dtype=np.intp)
    probability = np.array([given_pairs[p] for p in pairs], dtype=np.float64)
    got, checked = checked_clusters(
        [f"r{i}" for i in range(n)],
        left,
        right,
        probability,
        probability,
        score,
        threshold=threshold,
        floor=floor,
        min_density=min_density,
    )
    want, want_checked = _reference_checked(n, given_pairs, table, threshold, floor, min_density)
    assert list(got["cluster_id"]) == want and checked == want_checked == len(scored)
    assert len(set(scored)) == len(scored) and not set(scored) & set(given_pairs)
    label = got["cluster_id"].tolist()
    for a in range(n):
        for b in range(a + 1, n):
            if label[a] == label[b]:
                assert table[(a, b)] >= floor


def test_two_records_linked_through_a_third_are_kept_apart_if_they_differ() -> None:
    """A and B each linked to C (a record lacking what tells them apart): plain
    clustering puts all three together; scored, A and B are different people, and C
    joins the stronger of its links."""
    left, right = np.array([0, 2], dtype=np.intp), np.array([2, 1], dtype=np.intp)
    probability = np.array([0.98, 0.95])
    ids = ["A", "B", "C"]
    assert cluster_pairs(ids, left, right, probability)["cluster_id"].tolist() == ["c0"] * 3

    def score(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
        assert (a.tolist(), b.tolist()) == ([0], [1])  # only the pair never compared
        return np.array([0.05])

    got, checked = checked_clusters(
        ids, left, right, probability, probability, score, threshold=0.9
    )
    assert got["cluster_id"].tolist() == ["c0", "c1", "c0"] and checked == 1


@given(st.lists(st.integers(0, 5), max_size=30))
def test_pairs_within_are_every_two_rows_of_a_cluster(labels: list[int]) -> None:
    a, b = pairs_within(np.array(labels, dtype=np.int64))
    want = [
        (x, y)
        for x in range(len(labels))
        for y in range(x + 1, len(labels))
        if labels[x] == labels[y]
    ]
    assert list(zip(a.tolist(), b.tolist(), strict=True)) == want


def _checked_every_round(
    n: int,
    left: npt.NDArray[np.intp],
    right: npt.NDArray[np.intp],
    probability: npt.NDArray[np.float64],
    score: Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], npt.NDArray[np.float64]],
    threshold: float,
    floor: float,
    min_density: float,
) -> tuple[list[str], int]:
    """:func:`checked_clusters` as it was: every round, all the links clustered again
    (:func:`cluster_pairs`) with every pair known under the floor kept apart."""
    ids = [f"r{i}" for i in range(n)]
    link = probability >= threshold
    known: dict[tuple[int, int], float] = {}
    for a, b, p in zip(left.tolist(), right.tolist(), probability.tolist(), strict=True):
        known.setdefault((min(a, b), max(a, b)), p)
    checked = 0
    while True:
        apart = [p for p, v in known.items() if v < floor]
        clusters = cluster_pairs(
            ids,
            left[link],
            right[link],
            probability[link],
            min_density=min_density,
            apart=(
                np.array([a for a, _ in apart], dtype=np.intp),
                np.array([b for _, b in apart], dtype=np.intp),
            ),
        )["cluster_id"].tolist()
        x, y = pairs_within(np.array([int(c[1:]) for c in clusters], dtype=np.int64))
        new = [p for p in zip(x.tolist(), y.tolist(), strict=True) if p not in known]
        if not new:
            return clusters, checked
        scores = score(np.array([a for a, _ in new]), np.array([b for _, b in new]))
        checked += len(new)
        known.update(zip(new, scores.tolist(), strict=True))


@st.composite
def linked_lists(
    draw: st.DrawFn,
) -> tuple[int, list[tuple[int, int]], list[float], dict[tuple[int, int], float]]:
    """Records in several components (links between near rows, a few far), the given
    pairs' probabilities (links, and pairs under the floor 0.5), and every pair's
    probability when scored (a few values: many under the floor, so several rounds)."""
    n = draw(st.integers(1, 30))
    near = st.tuples(st.integers(0, n - 1), st.integers(0, 3)).map(
        lambda p: (p[0], min(p[0] + p[1], n - 1))
    )
    far = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    pairs = draw(st.lists(st.one_of(near, near, near, far), max_size=50))
    given = draw(
        st.lists(
            st.sampled_from([0.2, 0.3, 0.9, 0.95, 0.99]), min_size=len(pairs), max_size=len(pairs)
        )
    )
    values = st.sampled_from([0.1, 0.4, 0.6, 0.97])
    table = {(a, b): draw(values) for a in range(n) for b in range(a + 1, n)}
    return n, pairs, given, table


@given(linked_lists(), st.sampled_from([0.0, 0.5, 1.0]))
def test_checked_clusters_form_again_only_what_changed_as_if_all_again(
    graph: tuple[int, list[tuple[int, int]], list[float], dict[tuple[int, int], float]],
    min_density: float,
) -> None:
    """Only the components holding a pair newly found under the floor are formed again
    after the first round: the same clusters, the same pairs scored in the same calls,
    as forming every cluster again each round."""
    n, pairs, given_probability, table = graph
    left = np.array([a for a, _ in pairs], dtype=np.intp)
    right = np.array([b for _, b in pairs], dtype=np.intp)
    probability = np.array(given_probability, dtype=np.float64)
    calls: list[list[list[tuple[int, int]]]] = [[], []]

    def scorer(
        calls: list[list[tuple[int, int]]],
    ) -> Callable[[npt.NDArray[np.int64], npt.NDArray[np.int64]], npt.NDArray[np.float64]]:
        def score(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
            calls.append(list(zip(a.tolist(), b.tolist(), strict=True)))
            return np.array([table[p] for p in calls[-1]], dtype=np.float64)

        return score

    got, checked = checked_clusters(
        [f"r{i}" for i in range(n)],
        left,
        right,
        probability,
        probability,
        scorer(calls[0]),
        threshold=0.9,
        floor=0.5,
        min_density=min_density,
    )
    want = _checked_every_round(
        n, left, right, probability, scorer(calls[1]), 0.9, 0.5, min_density
    )
    assert (got["cluster_id"].tolist(), checked) == want
    assert calls[0] == calls[1]


def _partition(frame: pd.DataFrame) -> set[frozenset[str]]:
    """A clustering's records, cluster by cluster (not its ids, which are rows)."""
    return {frozenset(g) for g in frame.groupby("cluster_id")["record_id"].agg(list)}


@given(scored_graphs(), st.sampled_from([0.0, 0.5, 1.0]), st.randoms(use_true_random=False))
def test_checked_clusters_do_not_depend_on_the_order_of_the_rows_or_the_pairs(
    graph: tuple[int, dict[tuple[int, int], float], dict[tuple[int, int], float], float, float],
    min_density: float,
    rng: Any,
) -> None:
    """The same records and pairs in another order (another export of the same list)
    give the same clusters, ties among the links' weights included (few distinct
    probabilities: many ties)."""
    n, given_pairs, table, threshold, floor = graph
    order = list(range(n))
    rng.shuffle(order)  # row k of the shuffled list holds record order[k]
    row_of = {record: row for row, record in enumerate(order)}
    pairs = list(given_pairs)
    shuffled = rng.sample(pairs, len(pairs))

    def clusters(rows: dict[int, int], listed: list[tuple[int, int]]) -> set[frozenset[str]]:
        record = {row: r for r, row in rows.items()}

        def score(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
            return np.array(
                [
                    table[(min(record[x], record[y]), max(record[x], record[y]))]
                    for x, y in zip(a.tolist(), b.tolist(), strict=True)
                ]
            )

        probability = np.array([given_pairs[p] for p in listed], dtype=np.float64)
        got, _ = checked_clusters(
            [f"id{r}" for r in sorted(rows, key=rows.__getitem__)],
            np.array([rows[a] for a, _ in listed], dtype=np.intp),
            np.array([rows[b] for _, b in listed], dtype=np.intp),
            probability,
            probability,
            score,
            threshold=threshold,
            floor=floor,
            min_density=min_density,
        )
        return _partition(got)

    assert clusters(row_of, shuffled) == clusters({r: r for r in range(n)}, pairs)


def test_an_undated_record_joins_the_same_child_in_any_order_of_the_rows() -> None:
    """Two children of one name born years apart (A, C: scored apart) and a record of
    that name with no birth date (B), its two links of one weight: B joins the same child
    whichever order the list was exported in (it joined the first row's before)."""
    ids = ["A", "B", "C"]
    table = {(0, 1): 0.95, (0, 2): 0.2, (1, 2): 0.95}

    def clusters(order: list[int]) -> set[frozenset[str]]:
        row = {record: k for k, record in enumerate(order)}
        # listed by rows, as predict lists a list's pairs
        pairs = sorted(table, key=lambda p: sorted((row[p[0]], row[p[1]])))
        got, _ = checked_clusters(
            [ids[r] for r in order],
            np.array([row[a] for a, _ in pairs], dtype=np.intp),
            np.array([row[b] for _, b in pairs], dtype=np.intp),
            np.array([5.0 if table[p] > 0.5 else 1.0 for p in pairs]),
            np.array([table[p] for p in pairs]),
            lambda a, b: np.zeros(len(a)),
            threshold=0.9,
        )
        return _partition(got)

    assert clusters([0, 1, 2]) == clusters([2, 1, 0]) == {frozenset("AB"), frozenset("C")}
