"""Comparisons split by a family name's agreement (``LinkConfig.condition_on``): the split,
the chain-rule normalisation, and what a tracing officer sees for a sibling and for a true
pair whose birth was misestimated."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rfl_match as rm
from rfl_match.compare import ANCHOR_LEVEL, ConditionedComparison, build_comparison
from rfl_match.config import ComparisonSpec, ConfigError
from rfl_match.mixture import normalise

CONFIG = {"condition_on": "family_name"}
# In the bundled synthetic data: a request and a sighting of two siblings (one family, two
# people, different given names), which the model with every comparison alone accepts
# (0.96 and 0.94); and true pairs whose estimated ages put the births more than 5 years
# apart (corruptions.csv: age_misestimated).
SIBLINGS = (("RQ000245", "SG000951"), ("RQ000098", "SG000646"))
MISESTIMATED_BIRTH = (("RQ000024", "SG000055"), ("RQ000050", "SG000579"))


@pytest.fixture(scope="module")
def conditioned(synthetic: dict[str, pd.DataFrame]) -> rm.Linker:
    return rm.Linker(CONFIG).fit(synthetic["requests"], synthetic["sightings"])


@pytest.fixture(scope="module")
def scored(conditioned: rm.Linker, synthetic: dict[str, pd.DataFrame]) -> pd.DataFrame:
    out = conditioned.predict(synthetic["requests"], synthetic["sightings"], threshold=0.0, top_k=0)
    return out.set_index(["request_id", "sighting_id"])


def _slow_normalise(sums: npt.NDArray[np.float64], groups: npt.NDArray[np.int8]) -> list[float]:
    """Each group's levels normalised on their own, as a comparison of those levels."""
    out = [0.0] * len(sums)
    for g in sorted(set(groups[1:].tolist())):
        at = [k for k in range(1, len(sums)) if groups[k] == g]
        alone = normalise(np.array([0.0] + [sums[k] for k in at]))
        for k, value in zip(at, alone[1:].tolist(), strict=True):
            out[k] = value
    return out


@given(
    st.lists(st.floats(0.0, 1e6), min_size=2, max_size=8),
    st.lists(st.floats(0.0, 1e6), min_size=2, max_size=8),
)
def test_each_group_sums_to_one_as_if_alone(first: list[float], second: list[float]) -> None:
    sums = np.array([5.0, *first, *second])
    groups = np.array([0] + [1] * len(first) + [2] * len(second), dtype=np.int8)
    got = normalise(sums, groups)
    assert got.tolist() == pytest.approx(_slow_normalise(sums, groups), rel=1e-12, abs=0)
    assert got[0] == 0.0
    for g in (1, 2):
        assert got[groups == g].sum() == pytest.approx(1.0)


@given(
    st.lists(st.tuples(st.integers(0, 7), st.integers(0, 8)), min_size=1, max_size=50),
)
def test_the_split_moves_exactly_the_known_levels_whose_anchor_agrees(
    rows: list[tuple[int, int]],
) -> None:
    inner = build_comparison(ComparisonSpec("name", "given_name", name="given_name"))
    split = ConditionedComparison(inner, "father_name")
    levels = np.array([level for level, _ in rows], dtype=np.int8)
    anchor = np.array([a for _, a in rows], dtype=np.int8)
    original = levels.copy()
    split.split(levels, anchor)
    expected = [
        level + (inner.n_levels - 1 if level > 0 and a >= ANCHOR_LEVEL else 0) for level, a in rows
    ]
    assert levels.tolist() == expected
    # Each split level reads back as its unsplit one, in the half of its anchor.
    assert split.base_levels[levels].tolist() == original.tolist()
    moved = (original > 0) & (anchor >= ANCHOR_LEVEL)
    assert (split.level_groups[levels] == 2).tolist() == moved.tolist()


def test_m_and_u_are_given_the_anchor(conditioned: rm.Linker) -> None:
    """Chain rule: each half of a split comparison is a distribution of its own."""
    model = conditioned.model_
    assert model is not None
    split = [c for c in conditioned._comparisons() if isinstance(c, ConditionedComparison)]
    assert {c.name for c in split} >= {"given_name", "father_name", "mother_name"}
    for comparison in split:
        k = model.names.index(comparison.name)
        groups = comparison.level_groups
        for probabilities in (model.m_[k], model.u_[k]):
            for g in (1, 2):
                assert probabilities[groups == g].sum() == pytest.approx(1.0)


def test_a_sibling_is_rejected_and_a_misestimated_birth_kept(scored: pd.DataFrame) -> None:
    for pair in SIBLINGS:
        assert scored.loc[pair, "match_probability"] < 0.5, pair
    for pair in MISESTIMATED_BIRTH:
        assert scored.loc[pair, "birth_level"] == 1  # more than 5 years apart
        assert scored.loc[pair, "match_probability"] >= 0.5, pair


def test_the_explanation_says_likely_a_sibling(scored: pd.DataFrame) -> None:
    text = scored.loc[SIBLINGS[0], "explanation"]
    assert text.startswith("given name: different, same family name: likely a sibling -")
    assert "; father's name: same spelling, same family name +" in text
    # The anchor itself is weighed alone.
    assert "; family name: same names +" in text


def test_the_saved_model_predicts_the_same(
    conditioned: rm.Linker, synthetic: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    path = tmp_path / "m.json"
    conditioned.save(path)
    saved = rm.Linker.load(path)
    assert saved.config.condition_on == "family_name"
    assert conditioned.to_dict()["format_version"] == 8
    before = conditioned.predict(synthetic["requests"], synthetic["sightings"])
    after = saved.predict(synthetic["requests"].copy(), synthetic["sightings"].copy())
    pd.testing.assert_frame_equal(before, after)


def test_a_model_without_it_leaves_it_out(fitted: rm.Linker) -> None:
    written = fitted.to_dict()
    assert "condition_on" not in written["config"]
    assert written["format_version"] < 8


def test_an_unknown_anchor_is_an_error() -> None:
    with pytest.raises(ConfigError, match="condition_on"):
        rm.LinkConfig(condition_on="fathers_name")
