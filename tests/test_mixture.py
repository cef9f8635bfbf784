"""Two kinds of non-match (rfl_match.mixture): the combination term, its EM, its use in
scoring, calibration, explanations and saved models."""

from __future__ import annotations

import copy
import json
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pandas.testing as pdt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rfl_match as rm
from rfl_match import mixture
from rfl_match.calibration import fit_on_comparisons
from rfl_match.linker import COMBINATION_COLUMN, COMPETITION_COLUMN, explain_rows
from rfl_match.mixture import NonMatchClasses, fit_non_match_classes, relatives_seed
from rfl_match.scoring import FellegiSunterModel, pattern_index

N_LEVELS = (4, 3, 5)


@pytest.fixture
def fitted(fitted_classes: rm.Linker) -> rm.Linker:
    """Here, the model with two kinds of non-match (conftest's ``fitted_classes``)."""
    return fitted_classes


def _dist(rng: np.random.Generator, n: int) -> npt.NDArray[np.float64]:
    out = np.r_[0.0, rng.dirichlet(np.ones(n - 1))]
    out[1:] = np.maximum(out[1:], 1e-6)
    return out / out.sum()


def _classes(seed: int, equal: bool = False) -> tuple[NonMatchClasses, list[npt.NDArray[Any]]]:
    rng = np.random.default_rng(seed)
    first = tuple(_dist(rng, n) for n in N_LEVELS)
    second = first if equal else tuple(_dist(rng, n) for n in N_LEVELS)
    share = float(rng.uniform(0.05, 0.95))
    m = [_dist(rng, n) for n in N_LEVELS]
    return NonMatchClasses(("relatives", "namesakes"), (share, 1 - share), (first, second)), m


def _patterns(seed: int, rows: int) -> npt.NDArray[np.int8]:
    rng = np.random.default_rng(seed + 1)
    return np.stack([rng.integers(0, n, size=rows) for n in N_LEVELS], axis=1).astype(np.int8)


def _slow_log2_ratio(
    row: npt.NDArray[np.int8], m: list[npt.NDArray[Any]], classes: NonMatchClasses
) -> float:
    """log2 P(row | match) / P(row | non-match) under the mixture, one level at a time."""
    match, mixed = 1.0, 0.0
    for c, level in enumerate(row.tolist()):
        if level:
            match *= m[c][level]
    for share, u in zip(classes.shares, classes.u, strict=True):
        p = share
        for c, level in enumerate(row.tolist()):
            if level:
                p *= u[c][level]
        mixed += p
    return math.log2(match) - math.log2(mixed)


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**31), st.integers(1, 40))
def test_comparison_weights_and_combination_sum_to_the_mixture_ratio(seed: int, rows: int) -> None:
    classes, m = _classes(seed)
    levels = _patterns(seed, rows)
    model = FellegiSunterModel(m_=m, u_=classes.marginal(), non_match_=classes)
    bits, typical = model.combination(levels)
    total = model.level_weights(levels).sum(axis=1) + bits
    expected = [_slow_log2_ratio(row, m, classes) for row in levels]
    assert np.allclose(total, expected, atol=1e-9)
    # Missing everywhere: no evidence at all.
    none, _ = model.combination(np.zeros((1, len(N_LEVELS)), dtype=np.int8))
    assert none[0] == pytest.approx(0.0, abs=1e-12)
    # The typical class is the one that gives the row the larger share of non-matches.
    for row, k in zip(levels, typical.tolist(), strict=True):
        p = [
            s * np.prod([u[c][lv] for c, lv in enumerate(row.tolist()) if lv])
            for s, u in zip(classes.shares, classes.u, strict=True)
        ]
        assert p[k] == max(p)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31))
def test_equal_classes_add_nothing(seed: int) -> None:
    classes, _ = _classes(seed, equal=True)
    bits, _ = classes.combination(_patterns(seed, 50))
    assert np.abs(bits).max() < 1e-9


def test_calibration_with_equal_classes_is_the_single_class_fit() -> None:
    classes, m = _classes(3, equal=True)
    patterns, counts, _ = pattern_index(_patterns(3, 5000), N_LEVELS)
    u = classes.marginal()
    one = fit_on_comparisons(patterns, counts, m, u, -3.0)
    two = fit_on_comparisons(patterns, counts, m, u, -3.0, classes=classes)
    assert two.slopes[0] == pytest.approx(one.slopes[0], abs=1e-6)
    assert two.intercept == pytest.approx(one.intercept, abs=1e-6)


def _family_sample(
    seed: int, noise: float = 0.0
) -> tuple[list[str], npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """Patterns of matches, relatives (family agrees, given name differs) and namesakes
    (given name agrees, family differs), as counts of distinct patterns; ``noise``: the
    share of rows drawn at random instead (the kinds then overlap, and EM converges
    slowly)."""
    names = ["given_name", "family_name", "father_name", "birth"]
    rng = np.random.default_rng(seed)
    rows = []
    for kind, n in (("match", 300), ("relative", 1500), ("namesake", 3000)):
        for _ in range(n):
            if kind == "match":
                row = [
                    rng.choice([6, 7]),
                    rng.choice([3, 4]),
                    rng.choice([3, 4]),
                    rng.choice([3, 4]),
                ]
            elif kind == "relative":
                row = [
                    rng.choice([1, 2]),
                    rng.choice([3, 4]),
                    rng.choice([3, 4]),
                    rng.choice([1, 2]),
                ]
            else:
                row = [
                    rng.choice([6, 7]),
                    rng.choice([1, 2]),
                    rng.choice([1, 2, 3]),
                    rng.choice([1, 2]),
                ]
            if noise and rng.random() < noise:
                row = [
                    rng.integers(1, 8),
                    rng.integers(1, 5),
                    rng.integers(0, 5),
                    rng.integers(0, 5),
                ]
            rows.append(row)
    levels = np.asarray(rows, dtype=np.int8)
    patterns, counts, _ = pattern_index(levels, (8, 5, 5, 5))
    return names, patterns, counts


def test_em_finds_relatives_and_does_not_depend_on_pattern_order() -> None:
    names, patterns, counts = _family_sample(0)
    m = [np.r_[0, np.full(n - 1, 1e-3)] for n in (8, 5, 5, 5)]
    for c, top in enumerate(([6, 7], [3, 4], [3, 4], [3, 4])):
        m[c][top] = 1.0
        m[c] /= m[c].sum()
    u = [np.r_[0, np.full(n - 1, 1 / (n - 1))] for n in (8, 5, 5, 5)]
    assert relatives_seed(patterns, names, (8, 5, 5, 5)) is not None
    found = fit_non_match_classes(patterns, counts, m, u, 0.1, names)
    assert found is not None
    classes, prior = found
    assert prior == pytest.approx(300 / 4800, abs=0.01)
    assert classes.shares[0] == pytest.approx(1500 / 4500, abs=0.02)
    # Relatives differ on the given name; namesakes share it.
    assert classes.u[0][0][1:3].sum() > 0.95 and classes.u[1][0][6:8].sum() > 0.95
    # A relative's pattern scores below what one u per comparison says.
    bits, typical = classes.combination(np.array([[1, 4, 4, 1]], dtype=np.int8))
    assert bits[0] < -1 and typical[0] == 0
    order = np.random.default_rng(1).permutation(len(counts))
    again = fit_non_match_classes(patterns[order], counts[order], m, u, 0.1, names)
    assert again is not None
    assert again[1] == pytest.approx(prior, abs=1e-7)
    assert np.allclose(again[0].shares, classes.shares, atol=1e-6)
    for a, b in zip(again[0].u, classes.u, strict=True):
        for x, y in zip(a, b, strict=True):
            assert np.allclose(x, y, atol=1e-6)


def _plain_em(
    patterns: npt.NDArray[np.int8], counts: npt.NDArray[np.int64], m: list[npt.NDArray[Any]],
    start: NonMatchClasses, prior: float, steps: int,
) -> tuple[list[list[npt.NDArray[np.float64]]], npt.NDArray[np.float64]]:  # fmt: skip
    """``steps`` plain EM steps of the mixture (m fixed), from ``start``: the E step one
    pattern at a time, the M step as fit_non_match_classes' (one pseudo-pair a level)."""
    classes = [[np.asarray(d, dtype=np.float64) for d in k] for k in start.u]
    pi = np.array([prior, *(s * (1 - prior) for s in start.shares)])
    for _ in range(steps):
        sums = [[np.zeros(len(d)) for d in k] for k in [m, *classes]]
        totals = np.zeros(3)
        for row, count in zip(patterns.tolist(), counts.tolist(), strict=True):
            like = np.array(
                [pi[j] * math.prod(k[c][x] for c, x in enumerate(row) if x) for j, k in
                 enumerate([m, *classes])]
            )  # fmt: skip
            post = count * like / like.sum()
            totals += post
            for j in range(3):
                for c, x in enumerate(row):
                    sums[j][c][x] += post[j]
        pi = np.maximum(totals / totals.sum(), 1e-12)
        pi /= pi.sum()
        classes = [
            [mixture.normalise(s + mixture.PSEUDO_PAIRS * (np.arange(len(s)) > 0)) for s in k]
            for k in sums[1:]
        ]
    return classes, pi


def test_accelerated_em_reaches_plain_ems_fixed_point_in_fewer_steps() -> None:
    """fit_non_match_classes' EM (accelerated, SQUAREM) ends at a fixed point of plain EM
    (steps of it from there change nothing), in fewer E steps than plain EM takes."""
    names, patterns, counts = _family_sample(0, noise=0.2)
    m = [np.r_[0, np.full(n - 1, 1e-3)] for n in (8, 5, 5, 5)]
    for c, top in enumerate(([6, 7], [3, 4], [3, 4], [3, 4])):
        m[c][top] = 1.0
        m[c] /= m[c].sum()
    u = [np.r_[0, np.full(n - 1, 1 / (n - 1))] for n in (8, 5, 5, 5)]
    found = fit_non_match_classes(patterns, counts, m, u, 0.1, names, tolerance=1e-10)
    assert found is not None and found[0].converged
    classes, prior = found
    # Plain EM from the accelerated result stays there: it is a fixed point.
    again, pi = _plain_em(patterns, counts, m, classes, prior, 3)
    assert pi[0] == pytest.approx(prior, abs=1e-8)
    assert np.allclose(pi[1:] / pi[1:].sum(), classes.shares, atol=1e-8)
    for a, b in zip(again, classes.u, strict=True):
        for x, y in zip(a, b, strict=True):
            assert np.allclose(x, y, atol=1e-8)
    # Plain EM from the same start (fit_non_match_classes before SQUAREM) takes 117 E
    # steps here to change no parameter by 1e-10; SQUAREM 37.
    assert classes.iterations < 80
    # max_iterations bounds the E steps, whatever part of an accelerated step they end in.
    for most in (1, 2, 3, 4, 5):
        cut = fit_non_match_classes(
            patterns, counts, m, u, 0.1, names, tolerance=1e-10, max_iterations=most
        )
        assert cut is not None and cut[0].iterations == most and not cut[0].converged


def test_no_relatives_seed_without_a_given_name() -> None:
    names, patterns, _ = _family_sample(0)
    assert relatives_seed(patterns, ["x", *names[1:]], (8, 5, 5, 5)) is None


def test_a_relatives_seed_never_disagrees_on_a_family_comparison() -> None:
    # Three levels (missing, different, same): only "same" is strong.
    names = ["given_name", "father_name", "place_of_birth"]
    patterns = np.array([[1, 1, 1], [1, 2, 2], [1, 2, 1], [1, 2, 0]], dtype=np.int8)
    seed = relatives_seed(patterns, names, (8, 3, 3))
    assert seed is not None and seed.tolist() == [False, True, False, False]


@pytest.fixture(scope="module")
def classes_alone() -> rm.Linker:
    """Two kinds of non-match, learned by EM alone (no ceiling on m) with each comparison
    alone (no split: nothing that version 3 lacks), on a draw of 1,000 x 2,000: on the
    bundled 500 x 1,000 so fitted the second kind takes the matches, and one is kept."""
    from rfl_match.synth import SynthConfig, generate

    data = generate(SynthConfig(n_requests=1_000, n_sightings=2_000, seed=7))
    config = {"non_match_classes": 2, "far_birth_m": 0.0, "condition_on": ""}
    linker = rm.Linker(config).fit(data.requests, data.sightings)
    assert linker.model_ is not None and linker.model_.non_match_ is not None
    return linker


def test_a_one_class_model_is_written_as_version_2(
    classes_alone: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    # Nothing in it that version 2 lacks (EM alone, one kind of non-match): older releases
    # read it.
    single = rm.Linker({"far_birth_m": 0.0, "condition_on": ""}).fit(
        synthetic["requests"], synthetic["sightings"]
    )
    data = single.to_dict()
    assert data["format_version"] == 2
    assert "non_match_classes" not in data["config"] and "non_match_classes" not in data["model"]
    # Only the configuration keys that version-2 releases know (an unknown key is an
    # error there): the context options at their defaults are left out too.
    assert set(data["config"]) <= VERSION_2_CONFIG_KEYS
    assert classes_alone.to_dict()["format_version"] == 3
    assert set(classes_alone.to_dict()["config"]) <= VERSION_2_CONFIG_KEYS | {"non_match_classes"}


# The configuration keys the last release writing version 3 read (a2b238e).
VERSION_2_CONFIG_KEYS = {
    "compare", "default_comparisons", "blocking", "max_block_size", "sorted_window",
    "candidates_per_record", "threshold", "top_k", "term_frequency", "u_sample_pairs",
    "em_max_iterations", "em_tolerance", "em_m_prior", "seed", "chunk_pairs", "workers",
    "mapping", "culture",
}  # fmt: skip


def test_combination_is_no_comparison_name_with_either_class_count() -> None:
    """The combination's column is the matches' own with two classes; the name is refused
    with one too (config.OUTPUT_TERMS), so that a model does not change what it may be
    configured with by its class count."""
    spec = [{"field": "combination", "kind": "exact"}]
    for classes in (1, 2):
        with pytest.raises(rm.ConfigError, match="a comparison named 'combination'"):
            rm.Linker({"compare": spec, "non_match_classes": classes})


def test_predict_terms_sum_to_the_weight(
    fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    model = fitted.model_
    assert model is not None and model.non_match_ is not None
    out = fitted.predict(synthetic["requests"], synthetic["sightings"], threshold=0, top_k=0)
    terms = out[[f"{n}_weight" for n in model.names] + [COMBINATION_COLUMN]].sum(axis=1)
    terms += out[COMPETITION_COLUMN]  # the context rules' own pairs' rivals (linker._compete)
    assert np.allclose(model.prior_weight_ + terms, out["match_weight"], atol=1e-9)
    assert (out[COMBINATION_COLUMN] < -0.5).any() and (out[COMBINATION_COLUMN] > 0.5).any()
    rel = out[out[COMBINATION_COLUMN] < -0.05].iloc[0]
    assert "taken together: typical of " in rel["explanation"]


def test_explanations_say_the_agreements_taken_together(fitted: rm.Linker) -> None:
    """Golden sentences with the combination term last."""
    comparisons = fitted._comparisons()[:2]
    levels = np.array([[1, 7], [7, 1], [7, 7]], dtype=np.int8)
    weights = np.array([[-3.0, 4.0], [5.0, -2.0], [5.0, 4.0]])
    combination = (np.array([-2.14, 0.81, 0.02]), np.array([0, 1, 1]), ("relatives", "namesakes"))
    assert explain_rows(comparisons, levels, weights, combination).tolist() == [
        "given name: different -3.0; family name: same names +4.0; "
        "taken together: typical of relatives -2.1",
        "given name: same spelling +5.0; family name: different -2.0; "
        "taken together: unlike relatives or namesakes +0.8",
        "given name: same spelling +5.0; family name: same names +4.0; "
        "taken together: as the comparisons alone say +0.0",
    ]


def test_explain_shows_the_combination_row(
    fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    pair = synthetic["truth"].iloc[0]
    table = fitted.explain(
        pair["request_id"], pair["sighting_id"], synthetic["requests"], synthetic["sightings"],
        show=False,
    )  # fmt: skip
    assert list(table["comparison"].iloc[-2:]) == ["combination", "total"]
    assert table["description"].iloc[-2].startswith("taken together: ")
    assert table["weight"].iloc[-1] == pytest.approx(table["weight"].iloc[:-1].sum())


def test_version_2_model_scores_without_the_combination(
    tmp_path: Path, fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    # Written before the non-match classes: it loads and scores as it did (D = 0).
    data = fitted.to_dict()
    data["format_version"] = 2
    del data["model"]["non_match_classes"]
    path = tmp_path / "v2.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    loaded = rm.Linker.load(path)
    assert loaded.model_ is not None and loaded.model_.non_match_ is None
    single = copy.deepcopy(fitted)
    assert single.model_ is not None
    single.model_.non_match_ = None
    args = (synthetic["requests"], synthetic["sightings"])
    old = loaded.predict(*args, threshold=0, top_k=0)
    pdt.assert_frame_equal(old, single.predict(*args, threshold=0, top_k=0))
    assert COMBINATION_COLUMN not in old
    assert not old["explanation"].str.contains("taken together").any()
    names = loaded.model_.names
    terms = old[[f"{n}_weight" for n in names] + [COMPETITION_COLUMN]].sum(axis=1)
    assert np.allclose(old["match_weight"], loaded.model_.prior_weight_ + terms, atol=1e-9)


def test_version_3_round_trips_the_classes(tmp_path: Path, classes_alone: rm.Linker) -> None:
    fitted = classes_alone
    path = tmp_path / "v3.json"
    fitted.save(path)
    assert json.loads(path.read_text(encoding="utf-8"))["format_version"] == 3
    loaded = rm.Linker.load(path)
    assert loaded.model_ is not None and fitted.model_ is not None
    a, b = loaded.model_.non_match_, fitted.model_.non_match_
    assert a is not None and b is not None
    assert a.names == b.names and a.shares == b.shares
    for x, y in zip(a.u, b.u, strict=True):
        assert all(np.array_equal(p, q) for p, q in zip(x, y, strict=True))


@pytest.mark.parametrize(
    "config",
    [
        None,
        {"non_match_classes": 2, "one_request_per_person": True},
        {"one_request_per_person": True},
    ],
    ids=["two classes", "two classes, one request per person", "one request per person"],
)
def test_a_fresh_fit_saved_and_loaded_warns_of_nothing(
    tmp_path: Path,
    fitted: rm.Linker,
    synthetic: dict[str, pd.DataFrame],
    config: dict[str, Any] | None,
) -> None:
    """A model fitted now holds each comparison's bounds (Comparison.bounded_by) in the
    weights it scores with, with two kinds of non-match too (there m was held against the
    one-class u, then scored against the classes' mixed u: given name 'similar spelling'
    +2.5 bits against 'same name, different spelling' +0.2), so that loading it says
    nothing of a model fitted before the bounds. One whose weights break a bound, as a
    model fitted before them did, still says so."""
    args = (synthetic["requests"], synthetic["sightings"])
    linker = fitted if config is None else rm.Linker(config).fit(*args)
    path = tmp_path / "now.json"
    linker.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loaded = rm.Linker.load(path)
    assert loaded.model_ is not None
    pdt.assert_frame_equal(loaded.predict(*args), linker.predict(*args))
    data = linker.to_dict()
    names = data["model"]["names"]
    m = data["model"]["m"][names.index("given_name")]
    near, variants = 2, 6  # GivenNameComparison.bounded_by's first bound
    # EM's weights before the bound, as far as they go: near above, variants at the floor
    m[near], m[variants] = m[near] + m[variants] - 1e-6, 1e-6
    old = tmp_path / "before.json"
    old.write_text(json.dumps(data), encoding="utf-8")
    with pytest.warns(UserWarning, match="given_name: 'similar spelling' weighs more than"):
        rm.Linker.load(old)


def test_one_class_is_the_default(synthetic: dict[str, pd.DataFrame]) -> None:
    linker = rm.Linker().fit(synthetic["requests"], synthetic["sightings"])
    assert linker.model_ is not None and linker.model_.non_match_ is None
    with pytest.raises(rm.ConfigError, match="non_match_classes"):
        rm.Linker({"non_match_classes": 3})


def test_two_kinds_that_take_the_matches_for_relatives_fall_back_to_one(
    synthetic: dict[str, pd.DataFrame],
) -> None:
    """On the bundled 500 x 1,000, unsplit, the second EM left a share of matches of 3.6e-6
    (then 1e-12) against 0.23 with one kind: no pair reached 0.5. It is now said, and the
    model keeps one kind of non-match; its matches, and those of a run that finds none,
    hold no combination column."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    config = {"non_match_classes": 2, "condition_on": ""}
    with pytest.warns(UserWarning, match=r"non_match_classes: 2 took matches for relatives"):
        linker = rm.Linker(config).fit(requests, sightings)
    assert linker.model_ is not None and linker.model_.non_match_ is None
    one = rm.Linker({"condition_on": ""}).fit(requests, sightings)
    assert one.model_ is not None
    assert abs(linker.model_.prior_ - one.model_.prior_) < 0.02
    matches = linker.predict(requests, sightings)
    assert len(matches) > 400 and COMBINATION_COLUMN not in matches.columns
    assert list(linker.no_matches().columns) == list(matches.columns)
