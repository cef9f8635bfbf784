"""``LinkConfig.one_request_per_person``: each sighting's requests read together, a
sighting the person of one request at most (``rfl_match.linker._one_request``)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from helpers import run

import rfl_match as rm
from rfl_match.backends.partitions import predict_in_partitions
from rfl_match.linker import (
    COMPETITION_COLUMN,
    EXCLUSIVE_MAX_SCALE,
    SIGHTING_COLUMN,
    sighting_phrase,
)
from rfl_match.scoring import probability_text

KEYS = ["request_id", "sighting_id"]


@pytest.fixture(scope="module")
def budget_only(synthetic: dict[str, pd.DataFrame]) -> rm.Linker:
    """The bundled lists fitted with the option, and no context rules: every candidate
    the budget's; in chunks of 500 pairs, so that the sums by sighting add up across
    chunks."""
    config = {"one_request_per_person": True, "context_candidates": 0, "chunk_pairs": 500}
    return rm.Linker(config).fit(synthetic["requests"], synthetic["sightings"])


def _alone(linker: rm.Linker) -> rm.Linker:
    """The same model with each pair read alone (the option off)."""
    alone = rm.Linker.__new__(rm.Linker)
    alone.__dict__.update(linker.__dict__)
    alone.config = linker.config.with_options(one_request_per_person=False)
    return alone


def _scale_by_hand(by_sighting: np.ndarray, expected: float) -> float:
    """The g at which sum g S / (1 + g S) over sightings is ``expected``, by brute force
    on a fine grid of log2 g (the reference for the bisection)."""
    grid = np.linspace(0.0, np.log2(EXCLUSIVE_MAX_SCALE), 200_001)
    sums = [(2**x * by_sighting / (1 + 2**x * by_sighting)).sum() for x in grid[::1000]]
    coarse = int(np.searchsorted(np.asarray(sums), expected))
    fine = grid[max(coarse - 1, 0) * 1000 : (coarse + 1) * 1000 + 1]
    values = np.array([(2**x * by_sighting / (1 + 2**x * by_sighting)).sum() for x in fine])
    return float(2 ** fine[np.argmin(np.abs(values - expected))])


def test_off_by_default_and_no_column(
    fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    """A default Linker reads each pair alone: no sighting column, no phrase."""
    assert rm.LinkConfig().one_request_per_person is False
    out = fitted.predict(synthetic["requests"], synthetic["sightings"])
    assert SIGHTING_COLUMN not in out.columns
    assert SIGHTING_COLUMN not in fitted.no_matches().columns
    assert not out["explanation"].str.contains("its sighting's other requests").any()


def test_each_sightings_requests_are_read_together(
    budget_only: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    """Against a reference from the pairs read alone: each pair's odds o become
    g o / (1 + g (S - o)), S its sighting's candidates' odds summed, g the scale that
    keeps the probabilities' sum; a sighting's requests then sum to under 1, and the term
    is a weight the match weight sums and the explanation says."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    alone = _alone(budget_only).predict(requests, sightings, threshold=0.0, top_k=0)
    read = budget_only.predict(requests, sightings, threshold=0.0, top_k=0)
    assert len(read) == len(alone) > 1000
    both = alone.merge(read, on=KEYS, suffixes=("_alone", ""))
    p = both["match_probability_alone"].to_numpy()
    odds = p / (1 - p)
    sighting = pd.factorize(both["sighting_id"])[0]
    by_sighting = np.bincount(sighting, weights=odds)
    scale = _scale_by_hand(by_sighting, float(p.sum()))
    assert budget_only.training_["last_one_request_scale"] == pytest.approx(scale, rel=1e-3)
    g = budget_only.training_["last_one_request_scale"]
    assert 1.0 < g < EXCLUSIVE_MAX_SCALE
    expected = g * odds / (1 + g * by_sighting[sighting])
    np.testing.assert_allclose(both["match_probability"], expected, rtol=1e-6, atol=1e-12)
    assert (read.groupby("sighting_id")["match_probability"].sum() < 1).all()
    # A pair rises where its sighting's other requests' odds sum to under (g - 1) / g,
    # and falls where they sum to more.
    term = both[SIGHTING_COLUMN].to_numpy()
    others = by_sighting[sighting] - odds
    clear = np.abs(others - (g - 1) / g) > 1e-6
    np.testing.assert_array_equal((term > 0)[clear], (others < (g - 1) / g)[clear])
    assert (term > 0).sum() >= 100 and (term < 0).sum() >= 100
    model = budget_only.model_
    assert model is not None
    np.testing.assert_allclose(
        read["match_probability"], model.probability(read["match_weight"].to_numpy())
    )
    parts = read.filter(like="_weight").drop(columns="match_weight").sum(axis=1)
    np.testing.assert_allclose(read["match_weight"], model.prior_weight_ + parts, atol=1e-9)
    said = read["explanation"].str.extract(
        r"(read with its sighting's other requests [-+][\d.]+\d)"
    )
    tenths = np.rint(read[SIGHTING_COLUMN].to_numpy() * 10).astype(int)  # as the text rounds
    np.testing.assert_array_equal(said[0].to_numpy(), [sighting_phrase(k / 10) for k in tenths])


def test_the_threshold_cuts_after_the_sightings_are_read(
    budget_only: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    """Pairs read alone under the threshold that their sighting's requests raise over it
    are kept, and those it lowers under it dropped: the same pairs as the whole output
    cut at the threshold."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    whole = budget_only.predict(requests, sightings, threshold=0.0, top_k=0)
    over = budget_only.predict(requests, sightings, threshold=0.5, top_k=0)
    kept = whole[whole["match_probability"] >= 0.5]
    assert set(map(tuple, over[KEYS].to_numpy())) == set(map(tuple, kept[KEYS].to_numpy()))
    alone = _alone(budget_only).predict(requests, sightings, threshold=0.0, top_k=0)
    was = over.merge(alone, on=KEYS, suffixes=("", "_alone"))["match_probability_alone"]
    assert (was < 0.5).sum() >= 1  # raised over it
    dropped = alone[alone["match_probability"] >= 0.5].merge(over, on=KEYS, how="left")
    assert dropped["match_probability_y"].isna().sum() >= 1  # lowered under it


def test_with_the_context_rules(synthetic: dict[str, pd.DataFrame]) -> None:
    """With the default context rules, their own pairs are read against the sighting's
    budget requests too, and weighed against their request's rivals alone (the sighting's
    are read already): both terms in the match weight and in words."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    config = {"one_request_per_person": True, "chunk_pairs": 500}
    linker = rm.Linker(config).fit(requests, sightings)
    out = linker.predict(requests, sightings, threshold=0.0, top_k=0)
    assert {SIGHTING_COLUMN, COMPETITION_COLUMN} <= set(out.columns)
    # In one chunk, the same reading.
    whole = _alone(linker)
    whole.config = linker.config.with_options(chunk_pairs=10**7)
    one_chunk = whole.predict(requests, sightings, threshold=0.0, top_k=0)
    both = out.merge(one_chunk, on=KEYS, suffixes=("", "_whole"))
    assert len(both) == len(out)
    np.testing.assert_allclose(
        both["match_probability"], both["match_probability_whole"], rtol=1e-9, atol=1e-15
    )
    model = linker.model_
    assert model is not None
    parts = out.filter(like="_weight").drop(columns="match_weight").sum(axis=1)
    np.testing.assert_allclose(out["match_weight"], model.prior_weight_ + parts, atol=1e-9)
    assert out["explanation"].str.contains("its sighting's other requests").all()
    context = out["explanation"].str.contains("proposed for a parent", regex=False)
    assert context.sum() >= 5
    assert (out.loc[~context, COMPETITION_COLUMN] == 0).all()
    # The request side only: a lowered context pair's request has a likelier budget pair.
    lowered = out[context & (out[COMPETITION_COLUMN] < 0)]
    assert len(lowered) >= 1
    budget = out[~context]
    best = budget.groupby("request_id")["match_probability"].max()
    assert (lowered["request_id"].map(best).fillna(0) > 0).all()


def test_explain_with_the_matches_adds_the_sighting_s_term(
    budget_only: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    """explain given predict's output says the sighting's term as predict does and
    totals to predict's probability; without it, the total says it is the pair's own
    evidence and names the term (explain read 0.748 where predict gave 0.497)."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    out = budget_only.predict(requests, sightings, threshold=0, top_k=0)
    moved = out[out[SIGHTING_COLUMN].abs() > 0.5].sample(30, random_state=2)
    for pair in moved.itertuples():
        args = (pair.request_id, pair.sighting_id, requests, sightings)
        table = budget_only.explain(*args, matches=out, show=False).set_index("comparison")
        total = table.loc["total"]
        assert total["description"] == "match probability " + probability_text(
            pair.match_probability
        )
        assert total["weight"] == pair.match_weight
        term = table.loc["sighting"]
        assert term["weight"] == pair.sighting_weight
        assert f"{term['description']} {term['weight']:+.1f}" in pair.explanation
        assert COMPETITION_COLUMN not in table.index  # no context rules here
        alone = budget_only.explain(*args, show=False).iloc[-1]["description"]
        assert "own evidence only" in alone and SIGHTING_COLUMN in alone
        assert COMPETITION_COLUMN not in alone


def test_where_it_does_not_apply(
    budget_only: rm.Linker, synthetic: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    """One list has no sightings to read together: refused; pairs given are read alone;
    a saved model keeps the option."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    with pytest.raises(rm.ConfigError, match="one_request_per_person"):
        budget_only.predict(requests)
    with pytest.raises(rm.ConfigError, match="one_request_per_person"):
        budget_only.dedupe(requests)
    given = _alone(budget_only).predict(requests, sightings).head(20)[KEYS]
    read = budget_only.predict(requests, sightings, pairs=given, threshold=0, top_k=0)
    alone = _alone(budget_only).predict(requests, sightings, pairs=given, threshold=0, top_k=0)
    assert SIGHTING_COLUMN not in read.columns
    pd.testing.assert_frame_equal(read, alone)
    budget_only.save(tmp_path / "model.json")
    written = json.loads((tmp_path / "model.json").read_text(encoding="utf-8"))
    assert written["config"]["one_request_per_person"]
    # Off, the key is left out: the file is what it was, read by older releases too (12,
    # the births split by siblings, as the default fit splits them); on, at least 10.
    off = _alone(budget_only).to_dict()
    assert "one_request_per_person" not in off["config"] and off["format_version"] != 10
    assert written["format_version"] == max(10, off["format_version"])
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = rm.Linker.load(tmp_path / "model.json")
    assert loaded.config.one_request_per_person is True
    again = loaded.predict(requests, sightings)
    first = budget_only.predict(requests, sightings)
    pd.testing.assert_frame_equal(again.reset_index(drop=True), first.reset_index(drop=True))


def test_from_the_command_line(tmp_path: Path, synthetic_paths: dict[str, Path]) -> None:
    """``one_request_per_person = true`` in the configuration file: the matches carry the
    sighting's term, and each sighting's requests sum to under 1."""
    config = tmp_path / "match.toml"
    config.write_text("one_request_per_person = true\n", encoding="utf-8")
    out = tmp_path / "m.csv"
    files = (synthetic_paths["requests"], synthetic_paths["sightings"])
    result = run("link", *files, "-o", out, "--config", config, "--top-k", "0")
    assert result.returncode == 0, result.stderr
    matches = pd.read_csv(out)
    assert SIGHTING_COLUMN in matches.columns and len(matches) > 300
    assert (matches.groupby("sighting_id")["match_probability"].sum() < 1).all()
    assert matches["explanation"].str.contains("its sighting's other requests").all()


def test_set_after_a_fit_it_reads_the_fits_candidates(
    budget_only: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    """The option changes how predict reads the scores, not what fit prepared: set on a
    fitted Linker, predict reuses the fit's candidates (no preparing or blocking again)
    and gives what a fit with it set gives."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    linker = rm.Linker({"context_candidates": 0, "chunk_pairs": 500}).fit(requests, sightings)
    linker.config = linker.config.with_options(one_request_per_person=True, threshold=0.4)
    out = linker.predict(requests, sightings)
    assert "prepare + blocking" not in linker.training_["predict_seconds"]
    want = budget_only.predict(requests, sightings, threshold=0.4)
    pd.testing.assert_frame_equal(out, want)
    linker.config = linker.config.with_options(max_block_size=1000)  # blocks anew
    linker.predict(requests, sightings)
    assert "prepare + blocking" in linker.training_["predict_seconds"]


@pytest.mark.parametrize("context", [0, 2])
def test_partitions_read_each_sighting_with_all_the_requests(
    synthetic: dict[str, pd.DataFrame], context: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In partitions of the requests (one process, and Dask where installed), each
    sighting is read with the run's requests, as in one run: the same rows, weights and
    probabilities, with the context rules' own pairs (2) and without (0). A partition
    that reads its sightings with its own requests alone (the sums of the pass before
    predicting left out) reads them otherwise."""
    from dataclasses import replace

    from rfl_match.backends import partitions

    requests, sightings = synthetic["requests"], synthetic["sightings"]
    config = {"one_request_per_person": True, "context_candidates": context}
    linker = rm.Linker(config).fit(requests, sightings)
    whole = partitions.task_linker(linker).predict(requests, sightings)
    # g lifts a sighting's only candidate, its other requests lower a shared one
    assert (whole[SIGHTING_COLUMN] > 0).any() and (whole[SIGHTING_COLUMN] < -1).any()
    want = whole.sort_values(KEYS, ignore_index=True)

    def in_partitions() -> pd.DataFrame:
        parts = predict_in_partitions(linker, requests, sightings, partition_rows=120)
        return pd.concat(list(parts), ignore_index=True).sort_values(KEYS, ignore_index=True)

    pd.testing.assert_frame_equal(in_partitions(), want, check_exact=False, rtol=1e-9)

    pass_before = partitions.compete

    def own_sums_only(runner: Any, task: Any, agreed: Any, right: Any) -> None:
        pass_before(runner, task, agreed, right)
        agreed.partitions = [replace(one, sighting_odds=None) for one in agreed.partitions]

    with monkeypatch.context() as patched:
        patched.setattr(partitions, "compete", own_sums_only)
        alone = in_partitions()
    # Each partition's sightings read with fewer requests: fewer rivals, weights higher.
    merged = alone.merge(want, on=KEYS, suffixes=("", "_run"))
    assert (merged[SIGHTING_COLUMN] > merged[f"{SIGHTING_COLUMN}_run"] + 1e-6).any()

    dask = pytest.importorskip("dask")
    from rfl_match.backends import dask as rm_dask

    with dask.config.set(scheduler="synchronous"):
        lazy = rm_dask.predict(linker, requests, sightings, partition_rows=120)
        on_dask = lazy.compute().sort_values(KEYS, ignore_index=True)
    pd.testing.assert_frame_equal(on_dask, want, check_exact=False, rtol=1e-9)
