"""Fellegi–Sunter: EM recovers known parameters; weights and term frequencies behave."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfl_match.arrays import ROW_BLOCK
from rfl_match.scoring import (
    FAR_ANCHOR_SCALE,
    FAR_BIRTH_M_MAX,
    FellegiSunterModel,
    ScoringError,
    bounded_m,
    candidate_tf_map,
    expectation_maximisation,
    far_birth_from_strongest,
    hold_m_at_most,
    hold_u_at_least,
    monotone_m,
    one_match,
    pattern_counts,
    probability,
    seed_parameters,
    starting_m,
    tf_adjustment,
    tf_bounded_levels,
    tf_share,
    tf_shift,
)

TRUE_M = [np.array([0, 0.05, 0.15, 0.8]), np.array([0, 0.1, 0.9]), np.array([0, 0.2, 0.3, 0.5])]
TRUE_U = [np.array([0, 0.85, 0.1, 0.05]), np.array([0, 0.7, 0.3]), np.array([0, 0.6, 0.3, 0.1])]


def simulate(n: int, prior: float, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    is_match = rng.random(n) < prior
    cols = []
    for m, u in zip(TRUE_M, TRUE_U, strict=True):
        levels = np.where(is_match, rng.choice(len(m), n, p=m), rng.choice(len(u), n, p=u))
        cols.append(levels)
    return np.stack(cols, axis=1).astype(np.int8)


def test_em_recovers_m_with_u_known() -> None:
    levels = simulate(300_000, 0.2)
    patterns, counts = pattern_counts(levels, (4, 3, 4))
    result = expectation_maximisation(
        patterns,
        counts,
        TRUE_U,
        [starting_m(4), starting_m(3), starting_m(4)],
        0.05,
        estimate_u=False,
    )
    assert result.converged
    assert result.prior == pytest.approx(0.2, abs=0.01)
    for got, want in zip(result.m, TRUE_M, strict=True):
        assert np.abs(got - want).max() < 0.02


def test_em_recovers_m_and_u_together() -> None:
    levels = simulate(300_000, 0.3, seed=1)
    patterns, counts = pattern_counts(levels, (4, 3, 4))
    start_u = [np.array([0, 0.6, 0.2, 0.2]), np.array([0, 0.5, 0.5]), np.array([0, 0.4, 0.3, 0.3])]
    result = expectation_maximisation(
        patterns, counts, start_u, [starting_m(4), starting_m(3), starting_m(4)], 0.1
    )
    assert result.prior == pytest.approx(0.3, abs=0.02)
    for got, want in zip(result.m + result.u, TRUE_M + TRUE_U, strict=True):
        assert np.abs(got - want).max() < 0.03


def test_degenerate_inputs_have_clear_messages() -> None:
    empty = np.zeros((0, 2), dtype=np.int8)
    with pytest.raises(ScoringError, match="no candidate pairs"):
        expectation_maximisation(empty, np.zeros(0, dtype=np.int64), TRUE_U[:2], TRUE_M[:2], 0.1)
    one = np.array([[3, 2]], dtype=np.int8)
    with pytest.warns(UserWarning, match="one comparison pattern"):
        result = expectation_maximisation(one, np.array([50]), TRUE_U[:2], TRUE_M[:2], 0.1)
    assert result.prior == 0.1


def test_weights_rise_with_level_on_simulated_model() -> None:
    levels = simulate(200_000, 0.2, seed=3)
    patterns, counts = pattern_counts(levels, (4, 3, 4))
    result = expectation_maximisation(
        patterns,
        counts,
        TRUE_U,
        [starting_m(4), starting_m(3), starting_m(4)],
        0.05,
        estimate_u=False,
    )
    for m, u in zip(result.m, TRUE_U, strict=True):
        weights = np.log2(m[1:]) - np.log2(u[1:])
        assert np.all(np.diff(weights) > 0)


def test_term_frequency_lowers_common_names() -> None:
    bits = tf_adjustment(0.01, np.array([0.2, 0.01, 0.0001]))
    assert bits[0] < 0 < bits[2]
    assert bits[1] == pytest.approx(0.0)


def test_a_name_s_share_leaves_out_the_pair_s_own_two_records() -> None:
    """Two records alone: whatever they hold reads as the typical value (no adjustment),
    where a share of 1 read as the commonest. Among 200,000 records: a name only the pair
    holds reads as rarer than 2 in 200,000, one held by 20 as 19 (and one more in 100:
    agreement rate 1%), one held by 20,000 as counted."""
    alone = tf_share(np.array([1.0, 0.5]), 2.0, 0.01)
    assert alone == pytest.approx([0.01, 0.01])
    assert tf_adjustment(0.01, alone) == pytest.approx([0.0, 0.0])
    many = tf_share(np.array([2, 20, 20_000]) / 200_000, 200_000.0, 0.01)
    assert many == pytest.approx(np.array([0 + 1, 18 + 1, 19_998 + 1]) / (199_998 + 100))
    assert many[2] == pytest.approx(0.1, rel=1e-3)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=20),
    st.floats(0.0, 1e7),
    st.floats(1e-5, 1.0),
)
def test_a_name_s_share_keeps_the_counted_order_and_lies_between_it_and_the_typical(
    shares: list[float], records: float, rate: float
) -> None:
    """A value held more often never reads as rarer, and its share is the records other
    than a pair's two (their counted share) and the typical value (``rate``) averaged,
    the more so the counted one the more records there are."""
    frequency = np.array(sorted(shares))
    out = tf_share(frequency, records, rate)
    assert np.all(np.diff(out) >= -1e-15)
    others = max(records - 2, 0)
    counted = np.maximum(frequency * records - 2, 0) / others if others else np.full_like(out, rate)
    tolerance = 1e-12
    assert np.all(out >= np.minimum(counted, rate) - tolerance)
    assert np.all(out <= np.maximum(counted, rate) + tolerance)
    if others:
        # the counted share's part of the average: others / (others + 1 / rate)
        part = others / (others + 1 / rate)
        assert out == pytest.approx(part * counted + (1 - part) * rate, rel=1e-9, abs=1e-15)


def _candidates(
    n_matches: int, n_others: int, seed: int = 3
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Pairs that agree on a name, by name: (name frequencies, raw bits, matches, others).

    A match shares a name as often as people hold it, p(v); random non-matches would share
    it as p(v)**2, but blocking keeps every pair sharing a rare name and thins those
    sharing a common one, so the candidate non-matches share it as p(v)**1.5.
    """
    rng = np.random.default_rng(seed)
    freq = 1.0 / np.arange(1, 401)
    freq /= freq.sum()
    raw = tf_adjustment(float((freq**2).sum()), freq)
    picked = freq**1.5 / (freq**1.5).sum()
    matches = np.bincount(rng.choice(len(freq), n_matches, p=freq), minlength=len(freq))
    others = np.bincount(rng.choice(len(freq), n_others, p=picked), minlength=len(freq))
    return freq, raw, matches, others


def test_candidate_tf_map_recovers_the_factor_among_candidates() -> None:
    freq, raw, matches, others = _candidates(20_000, 400_000)
    picked = freq**1.5 / (freq**1.5).sum()
    truth = np.log2(freq / picked)  # the Bayes factor of each name among the candidates
    # EM posteriors of the pairs' level patterns: sure of the matches, not quite certain.
    found = candidate_tf_map(
        np.r_[raw, raw], np.r_[matches, others], np.r_[np.full(400, 0.999), np.full(400, 1e-4)]
    )
    assert found is not None
    mapped = np.interp(raw, *found)
    share = (matches + others) / (matches + others).sum()
    assert float(share @ np.abs(raw - truth)) > 0.5  # the raw bits overstate rare names
    assert float(share @ np.abs(mapped - truth)) < 0.1
    # A Bayes factor among the candidates: 2**bits averages 1 over the non-matches.
    assert float(others @ np.exp2(raw) / others.sum()) > 1.5
    assert float(others @ np.exp2(mapped) / others.sum()) == pytest.approx(1.0, abs=0.05)


def test_candidate_tf_map_keeps_the_raw_shape_with_few_matches() -> None:
    _, raw, matches, others = _candidates(20, 400_000)
    posterior = np.r_[np.full(400, 0.999), np.full(400, 1e-6)]
    found = candidate_tf_map(np.r_[raw, raw], np.r_[matches, others], posterior)
    assert found is not None
    slope = np.polyfit(*found, 1)[0]
    # The candidates' own slope is 0.5 (above); twenty matches barely move the prior.
    assert slope > 0.8


@given(
    st.lists(
        st.tuples(
            st.floats(-12, 12), st.integers(1, 10_000), st.floats(0, 1, allow_subnormal=False)
        ),
        min_size=1,
        max_size=40,
    )
)
def test_candidate_tf_map_never_weighs_a_rarer_value_less(
    rows: list[tuple[float, int, float]],
) -> None:
    """A shared common name counts less than a shared rare one: the knots' bits never
    fall as the raw bits (the value's rarity) rise, however few the non-matches of a
    group (one non-match among the pairs of the commonest family name set its factor
    2.7 bits above a rarer name's, before the groups were pooled)."""
    bits, counts, posterior = (np.array(column) for column in zip(*rows, strict=True))
    found = candidate_tf_map(bits, counts, posterior)
    if found is None:
        assert (posterior * counts >= counts).all() or not len(rows)
        return
    x, y = (np.array(knots) for knots in found)
    assert (np.diff(x) > 0).all() and (np.diff(y) >= 0).all()


@given(
    st.lists(
        st.tuples(
            st.one_of(st.floats(-40, 40), st.sampled_from([-30.5, -0.5, 0.5, 2.5, 30.0])),
            st.integers(1, 10_000),
            st.floats(-0.5, 1.5),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_candidate_tf_map_equals_its_arrays_made_whole(
    rows: list[tuple[float, int, float]],
) -> None:
    """The map, which copies no input already in range (its rows run to millions at
    1,000,000 records a side), gives the knots it gives on every input clipped into range
    first, to the bit (the one path copies, the other does not), and leaves its inputs as
    they were."""
    from rfl_match.scoring import TF_MAX_BITS

    bits, counts, posterior = (np.array(column) for column in zip(*rows, strict=True))
    before = [bits.copy(), counts.copy(), posterior.copy()]
    found = candidate_tf_map(bits, counts, posterior)
    for array, was in zip((bits, counts, posterior), before, strict=True):
        assert array.tolist() == was.tolist()
    clipped = np.clip(bits.astype(np.float64), -TF_MAX_BITS, TF_MAX_BITS)
    assert found == candidate_tf_map(clipped, counts, np.clip(posterior, 0.0, 1.0))
    if found is None:  # no group holds a non-match
        assert (np.clip(posterior, 0.0, 1.0) * counts >= counts).all()


def test_candidate_tf_map_pools_a_common_group_set_by_one_non_match() -> None:
    """The bundled data's family-name groups as the fit saw them (pairs, matches by
    posterior): the commonest group, 14 pairs with about one non-match, no longer weighs
    more than the rarer groups after it; the rarest keep their order."""
    bits = [-5.0, -4.0, -3.0, -2.0, -1.0, 0.0, 1.0]
    pairs = np.array([14, 21, 50, 60, 70, 80, 90])
    matches = np.array([12.96, 13.58, 28.34, 30.0, 35.0, 48.0, 63.0])
    found = candidate_tf_map(bits, pairs, matches / pairs)
    assert found is not None
    y = np.array(found[1])
    assert (np.diff(y) >= 0).all() and y[0] < y[-1]


def test_model_reads_term_frequency_bits_through_its_map() -> None:
    model = FellegiSunterModel(names=["given_name"], tf_maps_={"given_name": ((-2, 2), (-1, 0))})
    bits = np.array([-3.0, 0.0, 2.0])
    assert model.candidate_bits("given_name", bits).tolist() == [-1.0, -0.5, 0.0]
    assert model.candidate_bits("family_name", bits) is bits  # no map: the raw bits
    again = FellegiSunterModel.from_dict(model.to_dict())
    assert again.tf_maps_ == {"given_name": ((-2.0, 2.0), (-1.0, 0.0))}
    data = model.to_dict()
    del data["tf_maps"]  # a model saved before the maps: raw bits
    assert FellegiSunterModel.from_dict(data).tf_maps_ == {}


def test_a_value_of_unknown_frequency_reads_the_bits_its_map_reads_as_none() -> None:
    """The raw bits the map among candidates turns into 0 (the level's own weight):
    where the map crosses 0, read between its knots; where it never reaches 0, its
    nearest end; without a map, 0."""
    model = FellegiSunterModel(
        names=["given_name", "family_name", "father_name"],
        tf_maps_={"given_name": ((-4, 0, 2), (-3, -1, 1)), "family_name": ((-1, 3), (0.5, 2))},
    )
    assert model.neutral_bits("given_name") == pytest.approx(1.0)
    assert model.candidate_bits("given_name", np.array([1.0])) == pytest.approx([0.0])
    assert model.neutral_bits("family_name") == -1.0  # the map's least is above 0
    assert model.neutral_bits("father_name") == 0.0  # no map


@settings(max_examples=200, deadline=None)
@given(st.floats(-5.0, 5.0), st.floats(1e-4, 0.5), st.floats(2.0, 1e7))
def test_the_shift_for_unknown_frequency_is_the_neutral_alone_and_fades(
    neutral: float, rate: float, records: float
) -> None:
    """A pair alone (two records) is shifted by the whole neutral; more records shift
    less, never past it nor to the other side, and 200,000 more under 0.03 bits."""
    assert tf_shift(neutral, rate, 2.0) == pytest.approx(neutral)
    shift = tf_shift(neutral, rate, records)
    assert abs(shift) <= abs(neutral) + 1e-12 and shift * neutral >= 0
    assert abs(tf_shift(neutral, rate, records + 1000.0)) <= abs(shift) + 1e-12
    assert abs(tf_shift(neutral, 0.01, 200_002.0)) < 0.03  # bits


def test_probability_of_weights() -> None:
    assert probability(np.array([0.0]))[0] == pytest.approx(0.5)
    assert probability(np.array([10.0]))[0] == pytest.approx(1024 / 1025)


def test_m_prior_weighs_as_asked() -> None:
    levels = simulate(50_000, 0.1, seed=7)
    patterns, counts = pattern_counts(levels, (4, 3, 4))
    start = [starting_m(4), starting_m(3), starting_m(4)]
    shape = [np.array([0, 0.0, 0.0, 1.0]), np.array([0, 0.0, 1.0]), np.array([0, 0, 0, 1.0])]
    plain = expectation_maximisation(patterns, counts, TRUE_U, start, 0.05, estimate_u=False)
    zero = expectation_maximisation(
        patterns, counts, TRUE_U, start, 0.05, estimate_u=False, m_prior=shape, m_prior_strength=0.0
    )
    strong = expectation_maximisation(
        patterns,
        counts,
        TRUE_U,
        start,
        0.05,
        estimate_u=False,
        m_prior=shape,
        m_prior_strength=20.0,
    )
    for a, b in zip(plain.m, zero.m, strict=True):
        assert np.allclose(a, b)
    for got, want, free in zip(strong.m, TRUE_M, plain.m, strict=True):
        assert got[-1] > free[-1] > 0  # pulled towards the top level
        assert abs(free[-1] - want[-1]) < 0.03


def test_seed_matches_never_disagree() -> None:
    """EM's start: pairs at one of the two strongest levels of every known comparison. On
    a comparison with one level above "different" (sex), "different" is not strong."""
    n_levels = (4, 3)  # e.g. a name (missing, different, similar, same) and sex
    patterns = np.array([[3, 2], [3, 1], [2, 2], [1, 1], [1, 2]], dtype=np.int8)
    counts = np.array([10, 10, 10, 100, 100])
    found = seed_parameters(patterns, counts, n_levels)
    assert found is not None
    m, _u, prior = found
    assert prior == pytest.approx(20 / 230)  # rows 0 and 2 only
    assert m[1][1] < 1e-6  # no seed of a different sex (a floor, not 0)


@settings(max_examples=200, deadline=None)
@given(st.data(), st.lists(st.integers(2, 5), min_size=1, max_size=5))
def test_seed_parameters_equal_shares_counted_one_comparison_at_a_time(
    data: st.DataObject, n_levels: list[int]
) -> None:
    """m, u and the prior from the seeds (agree_strongly) and the other patterns, each
    comparison's shares as a count over its own column of those patterns, to the bit."""
    from rfl_match.mixture import agree_strongly, normalise

    k = data.draw(st.integers(1, 60))
    patterns = np.stack(
        [data.draw(st.lists(st.integers(0, n - 1), min_size=k, max_size=k)) for n in n_levels],
        axis=1,
    ).astype(np.int8)
    counts = np.array(data.draw(st.lists(st.integers(0, 50), min_size=k, max_size=k)))
    found = seed_parameters(patterns, counts, tuple(n_levels))
    seed = agree_strongly(patterns, n_levels)
    w = counts.astype(np.float64)
    if w[seed].sum() < 5 or w[~seed].sum() < 5:
        assert found is None
        return
    assert found is not None
    m, u, prior = found
    for c, n in enumerate(n_levels):
        for got, rows in ((m[c], seed), (u[c], ~seed)):
            want = np.zeros(n)
            for level, weight in zip(patterns[rows, c].tolist(), w[rows].tolist(), strict=True):
                want[level] += weight
            assert np.array_equal(got, normalise(want))
    assert prior == w[seed].sum() / w.sum()


def test_match_weights_equal_the_whole_tables_row_sums() -> None:
    """Weighed in blocks of rows, each row's sum is the whole level_weights table's, bit for
    bit (predict and calibration compare these sums), on either side of a block's edge."""
    rng = np.random.default_rng(3)
    model = FellegiSunterModel(m_=TRUE_M, u_=TRUE_U, prior_=0.07)
    levels = np.stack([rng.integers(0, len(m), ROW_BLOCK + 123) for m in TRUE_M], axis=1).astype(
        np.int8
    )
    whole = model.prior_weight_ + model.level_weights(levels).sum(axis=1)
    assert np.array_equal(model.match_weights(levels), whole)
    assert model.match_weights(levels[:0]).shape == (0,)


@given(
    st.lists(st.floats(1e-6, 1.0), min_size=1, max_size=8),
    st.data(),
    st.floats(1e-6, 0.999),
)
def test_hold_m_at_most(shares: list[float], data: st.DataObject, ceiling: float) -> None:
    m = np.array([0.0, *shares]) / sum(shares)
    level = data.draw(st.integers(1, len(shares)))
    held = hold_m_at_most(m, level, ceiling)
    assert held[0] == 0.0
    assert held[1:].sum() == pytest.approx(1.0)
    if m[level] <= ceiling:
        np.testing.assert_array_equal(held, m)  # under the ceiling: as it is
        return
    others = np.arange(len(m)) != level
    others[0] = False
    if not others.any():
        np.testing.assert_array_equal(held, m)  # no other level to take the rest: as it is
        return
    assert held[level] == ceiling
    # The other levels keep their ratios, and grow to make up the rest.
    np.testing.assert_allclose(held[others] / held[others].sum(), m[others] / m[others].sum())
    assert (held[others] >= m[others]).all()


@given(
    st.lists(st.floats(1e-6, 1.0), min_size=2, max_size=8),
    st.data(),
    st.floats(1e-6, 0.999),
)
def test_hold_m_at_most_of_levels_together(
    shares: list[float], data: st.DataObject, ceiling: float
) -> None:
    """Levels held together: their sum at most the ceiling, each keeping its share of
    it, and the other levels their ratios."""
    m = np.array([0.0, *shares]) / sum(shares)
    chosen = data.draw(
        st.lists(st.integers(1, len(shares)), min_size=2, max_size=len(shares), unique=True)
    )
    levels = tuple(sorted(chosen))
    held = hold_m_at_most(m, levels, ceiling)
    assert held[0] == 0.0
    assert held[1:].sum() == pytest.approx(1.0)
    together = list(levels)
    others = np.ones(len(m), dtype=bool)
    others[[0, *together]] = False
    if m[together].sum() <= ceiling or not others.any():
        np.testing.assert_array_equal(held, m)
        return
    assert held[together].sum() == pytest.approx(ceiling)
    np.testing.assert_allclose(held[together] / ceiling, m[together] / m[together].sum())
    np.testing.assert_allclose(held[others] / held[others].sum(), m[others] / m[others].sum())


def test_m_ceiling_holds_inside_em() -> None:
    """EM with a ceiling on a level: m there is the ceiling, the levels sum to 1, and the
    rest of the model is learned with it (not the plain EM's m clamped afterwards); a
    ceiling EM stays under changes nothing."""
    levels = simulate(100_000, 0.2, seed=3)
    patterns, counts = pattern_counts(levels, (4, 3, 4))
    start = [starting_m(4), starting_m(3), starting_m(4)]
    plain = expectation_maximisation(patterns, counts, TRUE_U, start, 0.05)
    assert plain.m[0][1] > 0.03  # TRUE_M: 5% of matches at level 1
    held = expectation_maximisation(
        patterns, counts, TRUE_U, start, 0.05, m_ceiling=[((1, 0.01),), None, None]
    )
    assert held.m[0][1] == 0.01
    for m in held.m:
        assert m[0] == 0.0
        assert m[1:].sum() == pytest.approx(1.0)
    assert not np.allclose(held.m[1], plain.m[1], rtol=0, atol=1e-4)
    assert held.prior != plain.prior
    above = expectation_maximisation(
        patterns, counts, TRUE_U, start, 0.05, m_ceiling=[((1, 0.5),), None, None]
    )
    for a, b in zip(above.m + above.u, plain.m + plain.u, strict=True):
        np.testing.assert_array_equal(a, b)
    assert above.prior == plain.prior
    # Holds in turn: level 1 at most 0.002, then levels 1 and 2 together at most 0.05.
    both = expectation_maximisation(
        patterns, counts, TRUE_U, start, 0.05, m_ceiling=[((1, 0.002), ((1, 2), 0.05)), None, None]
    )
    assert both.m[0][1] <= 0.002 + 1e-15
    assert both.m[0][1] + both.m[0][2] <= 0.05 + 1e-12
    assert both.m[0][1:].sum() == pytest.approx(1.0)
    assert not np.allclose(both.m[0], held.m[0], rtol=0, atol=1e-4)


def test_m_ratio_ceiling_holds_a_level_weight_inside_em() -> None:
    """EM with a ceiling on a level's m/u (a sex difference, linker.SEX_ERROR): the
    level weighs log2 of it against u as EM learns it, the levels sum to 1, and the rest of
    the model is learned with it; a ratio EM stays under changes nothing."""
    levels = simulate(100_000, 0.2, seed=3)
    patterns, counts = pattern_counts(levels, (4, 3, 4))
    start = [starting_m(4), starting_m(3), starting_m(4)]
    plain = expectation_maximisation(patterns, counts, TRUE_U, start, 0.05)
    assert np.log2(plain.m[0][1] / plain.u[0][1]) > -5.0  # TRUE_M / TRUE_U: -4.1 bits
    held = expectation_maximisation(
        patterns, counts, TRUE_U, start, 0.05, m_ratio_ceiling=[(1, 0.01), None, None]
    )
    assert np.log2(held.m[0][1] / held.u[0][1]) == pytest.approx(np.log2(0.01), abs=1e-3)
    for m in held.m:
        assert m[0] == 0.0
        assert m[1:].sum() == pytest.approx(1.0)
    assert held.prior != plain.prior
    above = expectation_maximisation(
        patterns, counts, TRUE_U, start, 0.05, m_ratio_ceiling=[(1, 1.0), None, None]
    )
    for a, b in zip(above.m + above.u, plain.m + plain.u, strict=True):
        np.testing.assert_array_equal(a, b)
    assert above.prior == plain.prior


@given(st.data(), st.integers(1, 2))
def test_hold_u_at_least(data: st.DataObject, n_groups: int) -> None:
    """Each level EM reads as an agreement (m above u) and under its floor is held at the
    floor, or at m where the floor is above m, but a group's first level (different); the
    other levels of its group keep their ratios and make up the rest; each group still
    sums to 1; nothing to hold: u as it is."""
    per = data.draw(st.integers(2, 6))
    groups = np.array([0] + [g for g in range(1, n_groups + 1) for _ in range(per)], np.int8)
    n = len(groups)
    probability = st.floats(1e-6, 1.0)
    u, m = (np.array([0.0, *data.draw(st.lists(probability, min_size=n - 1, max_size=n - 1))])
            for _ in range(2))  # fmt: skip
    floor = np.array(
        [0.0, *data.draw(st.lists(st.floats(0.0, 0.3), min_size=n - 1, max_size=n - 1))]
    )
    halves = [np.flatnonzero(groups == g) for g in range(1, n_groups + 1)]
    for at in halves:
        u[at] /= u[at].sum()
    out = hold_u_at_least(u, floor, m, groups if n_groups > 1 else None)
    assert out[0] == 0.0
    wanted = (u < floor) & (m > u)
    wanted[0] = False
    for at in halves:
        wanted[at[0]] = False
        assert out[at].sum() == pytest.approx(1.0)
        lift, keep = at[wanted[at]], at[~wanted[at]]
        least = np.minimum(floor, m)
        if not len(lift) or least[lift].sum() >= 1.0:
            np.testing.assert_array_equal(out[at], u[at])  # as learned
            continue
        np.testing.assert_array_equal(out[lift], least[lift])
        np.testing.assert_allclose(out[keep] / out[keep].sum(), u[keep] / u[keep].sum())
    if not wanted.any():
        assert out is u


def test_u_floor_holds_inside_em() -> None:
    """A level rare among non-matches that none of 320 shows: plain EM counts every pair
    there a match and drives u to the floor (log2(m / u) near 20 bits); with the random
    pairs' u as a floor, u stays there, each level's u sums to 1, and the prior moves
    towards the true 0.2. A floor EM stays above changes nothing."""
    rare = np.array([0, 0.9, 0.098, 0.002])
    u_true = [rare, TRUE_U[1], TRUE_U[2]]

    def fitted(seed: int, floor: list[np.ndarray] | None) -> object:
        rng = np.random.default_rng(seed)
        is_match = rng.random(400) < 0.2
        levels = np.stack(
            [np.where(is_match, rng.choice(len(m), 400, p=m), rng.choice(len(u), 400, p=u))
             for m, u in zip(TRUE_M, u_true, strict=True)], axis=1,
        ).astype(np.int8)  # fmt: skip
        patterns, counts = pattern_counts(levels, (4, 3, 4))
        start = [starting_m(4), starting_m(3), starting_m(4)]
        return expectation_maximisation(patterns, counts, u_true, start, 0.05, u_floor=floor)

    floors = [rare.copy(), np.zeros(3), np.zeros(4)]
    plain, held = fitted(0, None), fitted(0, floors)
    assert plain.u[0][3] < 1e-5  # type: ignore[attr-defined]
    assert held.u[0][3] == 0.002  # type: ignore[attr-defined]
    for u in held.u:  # type: ignore[attr-defined]
        assert u[0] == 0.0
        assert u[1:].sum() == pytest.approx(1.0)
    assert abs(held.prior - 0.2) < abs(plain.prior - 0.2)  # type: ignore[attr-defined]
    above, free = fitted(5, floors), fitted(5, None)
    for a, b in zip(above.u + above.m, free.u + free.m, strict=True):  # type: ignore[attr-defined]
        np.testing.assert_array_equal(a, b)


def test_u_prior_gives_a_level_no_candidate_shows_the_random_pairs_sign() -> None:
    """Three comparisons as simulated, and sex (different, same), which no pair differs
    on: plain EM gives that level u 0 (only m's pseudo-match is there, so a difference
    would weigh for a match, until monotone_m pools it with "same" into no weight at
    all); with a few pseudo-non-matches spread as random pairs are (sex different half
    the time), a sex difference weighs against a match, and the other comparisons weigh
    about as before."""
    levels = np.column_stack([simulate(400, 0.2), np.full(400, 2)]).astype(np.int8)
    patterns, counts = pattern_counts(levels, (4, 3, 4, 3))
    u_random = [*TRUE_U, np.array([0, 0.5, 0.5])]
    start = [starting_m(4), starting_m(3), starting_m(4), starting_m(3)]
    pseudo = [np.zeros(4), np.zeros(3), np.zeros(4), one_match(3)]

    def bits(prior: list[np.ndarray] | None) -> list[np.ndarray]:
        fit = expectation_maximisation(
            patterns, counts, u_random, start, 0.05, m_pseudo=pseudo, u_prior=prior,
            max_iterations=2000,
        )  # fmt: skip
        return [np.log2(np.maximum(m[1:], 1e-6) / np.maximum(u[1:], 1e-6))
                for m, u in zip(fit.m, fit.u, strict=True)]  # fmt: skip

    plain, held = bits(None), bits([30 * u for u in u_random])
    assert plain[3][0] > 10  # sex different: m's pseudo-match over a u of 0
    assert held[3][0] < -2
    for a, b in zip(held[:3], plain[:3], strict=True):
        np.testing.assert_allclose(a, b, atol=0.5)


def test_u_prior_pulls_each_half_towards_its_own_shares() -> None:
    """A comparison split in two halves (levels 1-2 and 3-4, u summing to 1 in each);
    a second comparison tells the 300 matches apart. The second half holds 40
    non-matches, all at its first level: EM alone keeps all of its u there; its prior,
    30 pairs spread by the half's own random shares (0.2 / 0.8), gives its second level
    24 of 70. The first half, with 2,700 non-matches, hardly moves."""
    split = np.concatenate([np.full(300, 2), np.full(2700, 1), np.full(40, 3)])
    other = np.concatenate([np.full(300, 2), np.full(2740, 1)])
    levels = np.column_stack([split, other]).astype(np.int8)
    patterns, counts = pattern_counts(levels, (5, 3))
    u_random = [np.array([0, 0.9, 0.1, 0.2, 0.8]), np.array([0, 0.9, 0.1])]
    start = [np.array([0, 0.5, 0.5, 0.5, 0.5]), np.array([0, 0.1, 0.9])]
    groups = [np.array([0, 1, 1, 2, 2], dtype=np.int8), np.array([0, 1, 1], dtype=np.int8)]

    def u_of(prior: list[np.ndarray] | None) -> np.ndarray:
        fit = expectation_maximisation(
            patterns, counts, u_random, start, 0.1, u_prior=prior, groups=groups
        )
        return fit.u[0]  # type: ignore[no-any-return]

    plain, held = u_of(None), u_of([30 * u for u in u_random])
    assert plain[4] < 1e-3
    assert held[4] == pytest.approx(24 / 70, abs=0.02)
    assert held[3] + held[4] == pytest.approx(1.0)
    assert held[2] == pytest.approx(plain[2], abs=0.01)


def test_far_birth_from_strongest_reads_the_births_of_the_strongest_pairs() -> None:
    """The pairs ranked by every comparison but birth: the strongest, as many as a tenth
    of the matches EM counts, give the estimate, FAR_ANCHOR_SCALE of their far share,
    capped; births missing among them are not counted; a comparison without a far level,
    or too few pairs, gives None."""
    # Comparisons: a name (levels 1-3), birth (1 = far, 2 = near). Patterns and counts:
    # name 3 (strongest) with birth far 30, near 270, missing 100; name 2: far 5000.
    patterns = np.array([[3, 1], [3, 2], [3, 0], [2, 1], [1, 2]], dtype=np.int8)
    counts = np.array([30, 270, 100, 5000, 94600], dtype=np.int64)
    m = [np.array([0, 0.1, 0.2, 0.7]), np.array([0, 0.01, 0.99])]
    u = [np.array([0, 0.8, 0.15, 0.05]), np.array([0, 0.5, 0.5])]
    prior = 0.04  # 4,000 matches: the strongest 400 pairs are taken, all of name level 3
    out = far_birth_from_strongest(patterns, counts, m, u, prior, [None, 1])
    assert out[0] is None
    assert out[1] == pytest.approx(FAR_ANCHOR_SCALE * 30 / 300)
    # Far births common among the strongest: capped.
    heavy = counts.copy()
    heavy[0], heavy[1] = 290, 10
    capped = far_birth_from_strongest(patterns, heavy, m, u, prior, [None, 1])
    assert capped[1] == FAR_BIRTH_M_MAX
    # Under 100 of them with a birth known: no estimate.
    few = counts.copy()
    few[0], few[1], few[2] = 3, 27, 370
    assert far_birth_from_strongest(patterns, few, m, u, prior, [None, 1]) == [None, None]


def _slow_monotone(m: np.ndarray, u: np.ndarray, at: list[int]) -> np.ndarray:
    """Pool adjacent violators as the textbook says, over ratios: repeat merging the first
    adjacent pair of pools whose ratio falls, until none does."""
    pools = [[k] for k in at]

    def ratio(pool: list[int]) -> float:
        m_sum, u_sum = float(m[pool].sum()), float(u[pool].sum())
        return np.inf if u_sum == 0 else m_sum / u_sum

    merged = True
    while merged:
        merged = False
        for j in range(len(pools) - 1):
            if ratio(pools[j]) > ratio(pools[j + 1]):
                pools[j] += pools.pop(j + 1)
                merged = True
                break
    out = m.astype(float).copy()
    for pool in pools:
        if len(pool) > 1 and u[pool].sum() > 0:
            out[pool] = m[pool].sum() * u[pool] / u[pool].sum()
    return out


@settings(max_examples=200)
@given(
    st.lists(st.floats(0.0, 1.0), min_size=2, max_size=8),
    st.lists(st.floats(0.001, 1.0), min_size=2, max_size=8),
    st.booleans(),
)
def test_monotone_m_pools_adjacent_violators(
    m_raw: list[float], u_raw: list[float], split: bool
) -> None:
    """Within each group of levels above missing: weights never fall from one level to
    the next, m's sum and u are kept, a second pass changes nothing, and the pools are the
    textbook's (merging the first falling pair until none falls)."""
    n = min(len(m_raw), len(u_raw)) + 1
    m = np.array([0.0, *m_raw[: n - 1]])
    u = np.array([0.0, *u_raw[: n - 1]])
    groups = None
    runs = [list(range(1, n))]
    if split and n >= 5:
        half = (n - 1) // 2
        groups = np.array([0] + [1] * half + [2] * (n - 1 - half), dtype=np.int8)
        runs = [list(range(1, 1 + half)), list(range(1 + half, n))]
    got = monotone_m(m, u, groups)
    for at in runs:
        assert got[at].sum() == pytest.approx(m[at].sum())
        ratios = got[at] / u[at]
        assert (np.diff(ratios) >= -1e-9 * np.maximum(ratios[1:], 1)).all()
        np.testing.assert_allclose(got[at], _slow_monotone(m, u, at)[at], rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(monotone_m(got, u, groups), got, rtol=1e-9, atol=1e-15)
    assert got[0] == m[0]


def test_starting_m_runs_over_the_levels_shown() -> None:
    every = starting_m(6)
    assert np.argmax(every) == 5 and every[0] == 0
    shown = np.array([True, True, True, True, True, False])  # the strongest never shown
    shares = starting_m(6, shown=shown)
    assert shares[5] < 1e-6 and np.argmax(shares) == 4
    assert shares[1:5] == pytest.approx(every[1:5] / every[1:5].sum(), rel=1e-6)
    # split in two halves (levels 1-2 and 3-5): a half that shows nothing keeps its shape
    groups = np.array([0, 1, 1, 2, 2, 2], dtype=np.int8)
    split = starting_m(6, groups, np.array([True, True, False, False, False, False]))
    assert split[1] > 0.99 and split[2] < 1e-6
    assert split[3:] == pytest.approx(starting_m(6, groups)[3:])


_FAMILY_BOUNDS = ((5, 6), (6, 7), (4, 7), (3, 7))  # FamilyNameComparison.bounded_by
_GIVEN_BOUNDS = ((2, 6), (3, 6), (4, 6), (5, 6))  # GivenNameComparison.bounded_by


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.floats(1e-5, 1.0), min_size=7, max_size=7),
    st.lists(st.floats(1e-4, 1.0), min_size=7, max_size=7),
    st.sampled_from([_FAMILY_BOUNDS, _GIVEN_BOUNDS]),
)
def test_bounded_m_meets_every_bound_and_keeps_m_s_sum(
    m_raw: list[float], u_raw: list[float], bounds: tuple[tuple[int, int], ...]
) -> None:
    """Whatever EM learned, every ``(level, above)`` weighs at most as ``above`` after
    bounded_m, m's sum is kept, u untouched, and levels no bound names keep their m
    (a chain of bounds, 5 under 6 under 7, as a star into one level)."""
    m = np.array([0.0, *m_raw])
    m /= m.sum()
    u = np.array([0.0, *u_raw])
    u /= u.sum()
    out = bounded_m(m, u, bounds)
    weight = np.log2(out[1:] / u[1:])
    for level, above in bounds:
        assert weight[level - 1] <= weight[above - 1] + 1e-9
    assert np.isclose(out.sum(), 1.0)
    named = {level for pair in bounds for level in pair}
    for level in set(range(1, 8)) - named:
        assert out[level] == m[level]


def test_tf_bounded_levels_are_those_a_term_frequency_level_bounds_through_any_chain() -> None:
    """The levels whose pairs read the frequency of the more common of their two values:
    the given name's near spellings, swap and keys alike (under "same name, different
    spelling"); the family name's other order through the shortened form, a near
    spelling and names alike (under "same names"); each half of a split comparison; a
    term-frequency level itself and "different" never."""
    given = tf_bounded_levels(8, _GIVEN_BOUNDS, (6, 7))
    assert np.flatnonzero(given).tolist() == [2, 3, 4, 5]
    family = tf_bounded_levels(8, _FAMILY_BOUNDS, (7,))
    assert np.flatnonzero(family).tolist() == [3, 4, 5, 6]
    assert not tf_bounded_levels(8, _FAMILY_BOUNDS, ()).any()  # no term frequencies
    split = _GIVEN_BOUNDS + tuple((a + 7, b + 7) for a, b in _GIVEN_BOUNDS)
    halves = tf_bounded_levels(15, split, (6, 7, 13, 14))
    assert np.flatnonzero(halves).tolist() == [2, 3, 4, 5, 9, 10, 11, 12]
    assert tf_bounded_levels(5, [(2, 4), (3, 2)], [4]).tolist() == [False, False, True, True, False]
