"""Predicting in partitions of the requests (rfl_match.backends): in one process and on
Dask, against one predict over all the requests."""

from __future__ import annotations

import copy
import pickle
import warnings
from collections.abc import Callable
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from helpers import before_sibling_births
from hypothesis import given
from hypothesis import strategies as st

import rfl_match as rm
import rfl_match.linker as linker_module
from rfl_match.backends.partitions import (
    Runner,
    agree,
    budget_pass,
    compete,
    fit_in_partitions,
    predict_in_partitions,
    predict_partition,
    records,
    rivals_pass,
    side_counts,
    split,
    task_linker,
)
from rfl_match.compare import CONDITIONED_COMPARISONS_V8, merge_term_counts, term_counts
from rfl_match.kernels import merge_rows

KEYS = ["request_id", "sighting_id"]


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values(KEYS, ignore_index=True)


@pytest.fixture(scope="module")
def whole(fitted, synthetic) -> pd.DataFrame:  # type: ignore[no-untyped-def]
    """One predict over all the requests, by a model without fit's prepared records."""
    return task_linker(fitted).predict(synthetic["requests"], synthetic["sightings"])


def test_partitions_propose_and_score_as_one_run(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    parts = list(
        predict_in_partitions(
            fitted, synthetic["requests"], synthetic["sightings"], partition_rows=120
        )
    )
    assert len(parts) == 5  # 500 requests
    got = pd.concat(parts, ignore_index=True)
    pd.testing.assert_frame_equal(_sorted(got), _sorted(whole))
    # each request's rows in one partition: its ranks are those of one run
    seen = [set(part["request_id"]) for part in parts]
    assert sum(len(s) for s in seen) == len(set().union(*seen))


def test_without_shared_budgets_the_partitions_propose_more(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    """The budgets' shared choice is what makes them agree: each partition on its own
    keeps more candidates for a sighting (its best among fewer requests)."""
    task = task_linker(fitted)
    right = records(synthetic["sightings"], task, "sightings")
    parts = split(synthetic["requests"], 120)
    agreed = agree(Runner(), task, parts, right)
    assert [len(c) for c in agreed.partitions[0].choices] == [2, 2]  # main and context
    assert agreed.partitions[0].choices[0][0].shape == (len(right), 30)
    alone = pd.concat(
        [
            predict_partition(task, part, right, replace(one, choices=()))
            for part, one in zip(agreed.parts, agreed.partitions, strict=True)
        ]
    )
    assert len(alone) > len(whole)
    found = budget_pass(task, parts[0], right, replace(agreed.partitions[0], choices=()))
    assert sorted(found) == [0, 1]


def test_small_partitions_keep_a_sighting_s_whole_choice(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    """A partition smaller than a sighting's candidates, against few sightings: its
    budget's rows are as wide as one run's (review: 17 pairs were lost)."""
    sightings = synthetic["sightings"]
    one = sightings.iloc[[0]]
    born_apart = one.assign(record_id="B", date_of_birth="1900", age="")
    others = sightings.iloc[1:11]
    few = pd.concat([one, born_apart, others], ignore_index=True)
    requests = pd.concat([one] * 60, ignore_index=True)
    requests["record_id"] = [f"Q{k:03d}" for k in range(len(requests))]
    model = task_linker(fitted)
    whole = model.predict(requests, few, threshold=0.0, top_k=0)
    # B's own best: the budget's 30; and each other request's context pairs (the
    # context rules' best 3, context_candidates' default) take B, which their budget cut
    assert (whole["sighting_id"] == "B").sum() == 60
    parts = predict_in_partitions(fitted, requests, few, partition_rows=5, threshold=0.0, top_k=0)
    pd.testing.assert_frame_equal(_sorted(pd.concat(list(parts))), _sorted(whole))


def test_sorted_rules_are_refused(synthetic, fitted) -> None:  # type: ignore[no-untyped-def]
    rules = {"blocking": [["sorted:name_joined_skeleton"], ["name_pair_any"]]}
    linker = rm.Linker(rules)
    with pytest.raises(rm.ConfigError, match="sorted:name_joined_skeleton"):
        fit_in_partitions(linker, synthetic["requests"], synthetic["sightings"])
    linker.model_ = fitted.model_
    with pytest.raises(rm.ConfigError, match="order of all the requests"):
        predict_in_partitions(linker, synthetic["requests"], synthetic["sightings"])


def test_errors_count_rows_from_the_first_request(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    requests = synthetic["requests"].copy()
    requests.loc[250, "record_id"] = ""
    with pytest.raises(rm.RecordError) as one:
        task_linker(fitted).predict(requests, synthetic["sightings"])
    with pytest.raises(rm.RecordError) as parts:
        predict_in_partitions(fitted, requests, synthetic["sightings"], partition_rows=200)
    assert [p.row for p in parts.value.problems] == [p.row for p in one.value.problems]
    assert parts.value.problems[0].row == 251


def test_term_counts_of_parts_sum_to_the_whole(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    task = task_linker(fitted)
    left = records(synthetic["requests"], task, "requests")
    whole = side_counts(task, left, 0)
    assert set(whole) == {"freq:given", "freq:family", "freq:father_name", "freq:mother_name"}
    halves = [side_counts(task, left.iloc[:200], 0), side_counts(task, left.iloc[200:], 0)]
    assert merge_term_counts(halves) == whole
    data = task._prepare(left, left.iloc[:0])
    assert term_counts(data, task._comparisons()) == whole


def _twice(requests: pd.DataFrame) -> pd.DataFrame:
    """``requests`` with a blank row after its 200th and its 11th request again at the
    end: one id in two partitions, the rows after the blank one counted past it."""
    blank = pd.DataFrame([[""] * requests.shape[1]], columns=requests.columns)
    parts = [requests.iloc[:200], blank, requests.iloc[200:], requests.iloc[[10]]]
    return pd.concat(parts, ignore_index=True)


def test_a_request_id_in_two_partitions_is_refused_by_its_rows(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    """As predict refuses it: the rows of the id in all the requests (a partition's blank
    rows counted), not only the id."""
    twice, sightings = _twice(synthetic["requests"]), synthetic["sightings"]
    with pytest.raises(rm.RecordError) as one:
        task_linker(fitted).predict(twice, sightings)
    with pytest.raises(rm.RecordError) as parts:
        list(predict_in_partitions(fitted, twice, sightings, partition_rows=250))
    assert [str(p) for p in one.value.problems] == [
        "column 'record_id': duplicate record id in rows 11, 502 (value 'RQ000011')"
    ]
    assert parts.value.problems == one.value.problems
    with pytest.raises(rm.RecordError) as fit:
        fit_in_partitions(rm.Linker(), twice, sightings, partition_rows=250)
    assert fit.value.problems == one.value.problems


def test_a_failed_fit_leaves_a_loaded_model_as_it_was(synthetic, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A model saved before the nationality was split (format version 8), loaded, then
    fitted in partitions on requests that fail (an id in two partitions): it predicts as it
    did, with the split it was saved with."""
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    with monkeypatch.context() as patch:
        patch.setattr(linker_module, "CONDITIONED_COMPARISONS", CONDITIONED_COMPARISONS_V8)
        before_sibling_births(patch)
        rm.Linker().fit(requests, sightings).save(tmp_path / "m8.json")
    loaded = rm.Linker.load(tmp_path / "m8.json")
    before = loaded.predict(requests, sightings)
    with pytest.raises(rm.RecordError):
        fit_in_partitions(loaded, _twice(requests), sightings, partition_rows=250)
    pd.testing.assert_frame_equal(loaded.predict(requests, sightings), before)
    assert loaded.to_dict()["format_version"] == 8


def test_a_partition_of_blank_rows_is_left_out(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    """As one run leaves blank rows out: a partition that holds nothing else is no
    partition without data rows (review: it was refused as one)."""
    requests = synthetic["requests"]
    blank = pd.DataFrame("", index=range(120), columns=requests.columns)
    gapped = pd.concat([requests.iloc[:120], blank, requests.iloc[120:]], ignore_index=True)
    parts = list(predict_in_partitions(fitted, gapped, synthetic["sightings"], partition_rows=120))
    assert len(parts) == 5
    pd.testing.assert_frame_equal(_sorted(pd.concat(parts, ignore_index=True)), _sorted(whole))


def _problems_told(run: Callable[[], object]) -> list[str]:
    """The warnings ``run()`` gives of the problems validation found."""
    with warnings.catch_warnings(record=True) as seen:
        warnings.simplefilter("always")
        run()
    return [str(w.message) for w in seen if "found as the records were validated" in str(w.message)]


@pytest.fixture(scope="module")
def flawed(synthetic) -> tuple[pd.DataFrame, pd.DataFrame]:  # type: ignore[no-untyped-def]
    """Requests and sightings as a user's frames hold them (not read by read_records),
    with cells validation blanks or repairs: a request without a name (row 3), a
    malformed date (row 6) and age (row 251, in the third partition of 120); a sighting
    name that is not valid Unicode, a malformed age."""
    requests = synthetic["requests"].head(300).copy()
    sightings = synthetic["sightings"].head(400).astype(object)  # Python text: a surrogate
    requests.attrs, sightings.attrs = {}, {}
    requests.loc[2, ["full_name", "given_name", "family_name", "alternate_names"]] = ""
    requests.loc[5, "date_of_birth"] = "31/02/1990"
    requests.loc[250, "age"] = "abc"
    sightings.loc[7, "full_name"] = "Ali\udcc3 Hassan"
    sightings.loc[9, "age"] = "abc"
    return requests, sightings


def test_problems_are_said_once_a_run_as_predict_says_them(fitted, flawed) -> None:  # type: ignore[no-untyped-def]
    """A run in partitions says what validation found once, in one warning a side, with
    rows counted in all the requests: the warnings predict gives (the partitions, each
    validated in every pass, said nothing)."""
    requests, sightings = flawed
    one = _problems_told(lambda: task_linker(fitted).predict(requests, sightings))
    assert [message.split(":")[0] for message in one] == ["requests", "sightings"]
    assert "row 3: no name" in one[0] and "row 251, column 'age'" in one[0]
    assert "row 8, column 'full_name'" in one[1] and "row 10, column 'age'" in one[1]
    told = _problems_told(
        lambda: list(predict_in_partitions(fitted, requests, sightings, partition_rows=120))
    )
    assert told == one
    told = _problems_told(
        lambda: fit_in_partitions(rm.Linker(), requests, sightings, partition_rows=120)
    )
    assert told == one
    # Read by read_records, their problems are in attrs["problems"]: not said again.
    read = rm.read_records(requests), rm.read_records(sightings)
    assert not _problems_told(lambda: task_linker(fitted).predict(*read))
    assert not _problems_told(
        lambda: list(predict_in_partitions(fitted, *read, partition_rows=120))
    )


def test_no_requests_are_refused_as_predict_refuses_them(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    for empty in (requests.iloc[:0], requests.iloc[:0, 1:]):  # the second without ids
        with pytest.raises(rm.RecordError) as one:
            task_linker(fitted).predict(empty, sightings)
        with pytest.raises(rm.RecordError) as parts:
            predict_in_partitions(fitted, empty, sightings)
        assert parts.value.problems == one.value.problems
        assert "no data rows" in str(parts.value)


def test_what_partitions_cannot_do_is_refused(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(rm.ConfigError, match="dedupe"):
        predict_in_partitions(fitted, synthetic["requests"], None)  # type: ignore[arg-type]
    with pytest.raises(rm.ModelError, match="no model"):
        list(predict_in_partitions(rm.Linker(), synthetic["requests"], synthetic["sightings"]))
    with pytest.raises(rm.ConfigError, match="partition_rows"):
        list(
            predict_in_partitions(
                fitted, synthetic["requests"], synthetic["sightings"], partition_rows=0
            )
        )
    with pytest.raises(rm.ConfigError):
        list(predict_in_partitions(fitted, synthetic["requests"], synthetic["sightings"], top_k=-1))


def test_an_empty_output_has_the_dtypes_of_a_full_one(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    empty = fitted.predict(
        synthetic["requests"].head(3), synthetic["sightings"].head(3), threshold=1.0
    )
    assert empty.empty
    pd.testing.assert_series_equal(empty.dtypes, whole.dtypes)


def test_the_task_model_travels_without_the_fit_records(fitted) -> None:  # type: ignore[no-untyped-def]
    task = task_linker(fitted, workers=1)
    assert task._session is None and fitted._session is not None
    assert task.config.workers == 1
    back = pickle.loads(pickle.dumps(task))
    assert back.to_dict() == task.to_dict()
    # the records stay behind: a tenth of what the fit prepared of them (a pickle of the
    # fitted linker leaves them too: test_a_pickled_linker_holds_its_model_not_its_records)
    assert len(pickle.dumps(task)) < len(pickle.dumps(fitted._session)) / 10


def test_a_pickled_linker_holds_its_model_not_its_records(  # type: ignore[no-untyped-def]
    fitted, synthetic: dict[str, pd.DataFrame]
) -> None:
    """A fitted Linker pickled (joblib, a Dask or multiprocessing task) held its last
    inputs and what fit prepared of them: the records, a column of the user's own (a
    phone number, a note) with them. It holds its configuration and model, and predicts
    as the linker it was; the linker pickled keeps its own inputs."""
    requests = synthetic["requests"].assign(phone="ZQXPHONE 0791 555", notes="ZQXNOTE remark")
    sightings = synthetic["sightings"]
    linker = pickle.loads(pickle.dumps(fitted))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matches = linker.predict(requests, sightings)
    assert linker._last is not None
    blob = pickle.dumps(linker)
    for held in ("ZQXPHONE", "ZQXNOTE", *requests["full_name"].head(3)):
        assert held.encode() not in blob, held
    assert len(blob) < len(pickle.dumps(fitted._session)) / 10
    back = pickle.loads(blob)
    assert back.to_dict() == linker.to_dict() and back._last is None
    assert linker._last is not None and fitted._session is not None
    pd.testing.assert_frame_equal(back.predict(requests, sightings), matches)
    # a copy in this process is the linker whole, its inputs and what fit prepared too
    assert copy.copy(linker)._last is linker._last
    assert copy.deepcopy(fitted)._session is not None


@given(
    st.lists(
        st.lists(st.integers(0, 1000), min_size=0, max_size=6, unique=True),
        min_size=4,
        max_size=4,
    ),
    st.integers(1, 3),
)
def test_merged_rows_are_the_best_of_all(keys: list[list[int]], parts: int) -> None:
    """Rows of keys (ascending, a free slot as the dtype's largest), merged over several
    budgets: each record's smallest keys of them all, as wide as the widest."""
    free = np.iinfo(np.int32).max
    width = 6
    rows = []
    for p in range(parts):
        block = np.full((len(keys), width), free, dtype=np.int32)
        for r, own in enumerate(keys):
            mine = sorted(k for k in own if k % parts == p)
            block[r, : len(mine)] = mine
        rows.append(block)
    merged = merge_rows(rows)
    for r, own in enumerate(keys):
        expect = sorted(own)[:width]
        assert merged[r, : len(expect)].tolist() == expect
        assert (merged[r, len(expect) :] == free).all()


def _close(one: object, other: object, where: str = "model") -> None:
    """Equal, but floats to rounding (sums over patterns in another order, which the
    calibration's Newton fit carries: its intercept 2e-9 apart, on the nationality's
    split)."""
    if isinstance(one, dict) and isinstance(other, dict):
        assert one.keys() == other.keys(), where
        for key in one:
            _close(one[key], other[key], f"{where}.{key}")
    elif isinstance(one, list | tuple) and isinstance(other, list | tuple):
        assert len(one) == len(other), where
        for k, (x, y) in enumerate(zip(one, other, strict=True)):
            _close(x, y, f"{where}[{k}]")
    elif isinstance(one, float) or isinstance(other, float):
        assert one == pytest.approx(other, rel=1e-8, abs=1e-8), where
    else:
        assert one == other, where


def _same_model(one: rm.Linker, other: rm.Linker) -> None:
    """Two fits' models and what they note of their fit, equal but for rounding."""
    a, b = one.to_dict(), other.to_dict()
    for part in ("format_version", "config", "comparisons", "model"):
        _close(a[part], b[part], part)
    counts = ("candidate_pairs", "context_pairs", "patterns", "random_pairs", "far_birth_m")
    assert {k: one.training_[k] for k in counts} == {k: other.training_[k] for k in counts}


def test_a_fit_in_partitions_learns_the_model_of_one_fit(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    parts = fit_in_partitions(
        rm.Linker(), synthetic["requests"], synthetic["sightings"], partition_rows=120
    )
    _same_model(fitted, parts)
    assert parts._session is None  # nothing of the fit's records kept
    got = task_linker(parts).predict(synthetic["requests"], synthetic["sightings"])
    # the probabilities to the models' rounding (_close: the calibration's intercept 2e-9
    # apart); 1e-12 held until 75c4275 moved the sums' rounding, 1.5e-12 apart
    pd.testing.assert_frame_equal(_sorted(got), _sorted(whole), rtol=0, atol=1e-8)


def test_a_fit_in_partitions_learns_from_reviewed_pairs(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    truth = set(
        zip(synthetic["truth"]["request_id"], synthetic["truth"]["sighting_id"], strict=True)
    )
    labels = whole[whole["request_id"].isin(synthetic["requests"]["record_id"].iloc[::3])]
    labels = labels[KEYS].assign(
        is_match=[
            (r, s) in truth
            for r, s in zip(labels["request_id"], labels["sighting_id"], strict=True)
        ]
    )
    assert labels["is_match"].any() and not labels["is_match"].all()
    one = rm.Linker().fit(synthetic["requests"], synthetic["sightings"], labels=labels)
    parts = fit_in_partitions(
        rm.Linker(),
        synthetic["requests"],
        synthetic["sightings"],
        partition_rows=120,
        labels=labels,
    )
    _same_model(one, parts)
    assert one.model_ is not None
    assert (
        one.model_.calibration_.to_dict()["method"]
        != fitted.model_.calibration_.to_dict()["method"]
    )
    with pytest.raises(rm.ConfigError, match="needs labels"):
        fit_in_partitions(rm.Linker(), synthetic["requests"], synthetic["sightings"], em=False)


def _with_a_tie(synthetic: dict[str, pd.DataFrame]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The requests with one more, "RT", holding a sighting's details, and the sightings
    with a copy of it under another id: RT's two best candidates tie."""
    sighting = synthetic["sightings"].iloc[[0]]
    sightings = pd.concat(
        [synthetic["sightings"], sighting.assign(record_id="ZZ-copy")], ignore_index=True
    )
    request = sighting.assign(record_id="RT")
    return pd.concat([synthetic["requests"], request], ignore_index=True), sightings


def test_partitions_rank_ties_as_one_run(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    """Ranks are predict's, each request's in one partition: a tie at top_k=1 keeps both
    candidates, ranked 1, in partitions as in one run."""
    requests, sightings = _with_a_tie(synthetic)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = task_linker(fitted).predict(requests, sightings, top_k=1)
        parts = predict_in_partitions(fitted, requests, sightings, partition_rows=120, top_k=1)
        got = pd.concat(list(parts), ignore_index=True)
    pd.testing.assert_frame_equal(_sorted(got), _sorted(one))
    tied = got[got["request_id"] == "RT"]
    assert tied["rank"].tolist() == [1, 1]
    assert tied["sighting_id"].tolist() == [sightings["record_id"].iloc[0], "ZZ-copy"]


dask = pytest.importorskip("dask")


def test_dask_ranks_ties_as_one_run(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    from rfl_match.backends import dask as rm_dask

    requests, sightings = _with_a_tie(synthetic)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = task_linker(fitted).predict(requests, sightings, top_k=1)
        with dask.config.set(scheduler="synchronous"):
            got = rm_dask.predict(fitted, requests, sightings, partition_rows=200, top_k=1)
            got = got.compute()
    pd.testing.assert_frame_equal(_sorted(got), _sorted(one))
    assert got.loc[got["request_id"] == "RT", "rank"].tolist() == [1, 1]


@pytest.mark.parametrize("scheduler", ["threads", "synchronous"])
def test_dask_predicts_as_one_run(fitted, synthetic, whole, scheduler) -> None:  # type: ignore[no-untyped-def]
    import dask.dataframe as dd

    from rfl_match.backends import dask as rm_dask

    requests = dd.from_pandas(synthetic["requests"], npartitions=3, sort=False)
    sightings = dd.from_pandas(synthetic["sightings"], npartitions=2, sort=False)
    with dask.config.set(scheduler=scheduler):
        lazy = rm_dask.predict(fitted, requests, sightings)
        assert lazy.npartitions == 3
        got = lazy.compute()
    pd.testing.assert_frame_equal(_sorted(got), _sorted(whole))


def test_dask_takes_pandas_frames_and_refuses_dedupe(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    from rfl_match.backends import dask as rm_dask

    with dask.config.set(scheduler="synchronous"):
        lazy = rm_dask.predict(
            fitted, synthetic["requests"], synthetic["sightings"], partition_rows=200, top_k=1
        )
        assert lazy.npartitions == 3
        got = lazy.compute()
    best = whole[whole["rank"] == 1]
    pd.testing.assert_frame_equal(_sorted(got), _sorted(best))
    with pytest.raises(rm.ConfigError, match="dedupe"):
        rm_dask.predict(fitted, synthetic["requests"], None)  # type: ignore[arg-type]


def test_dask_fits_as_one_fit(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    import dask.dataframe as dd

    from rfl_match.backends import dask as rm_dask

    requests = dd.from_pandas(synthetic["requests"], npartitions=4, sort=False)
    with dask.config.set(scheduler="threads"):
        linker = rm_dask.fit(rm.Linker(), requests, synthetic["sightings"])
    _same_model(fitted, linker)


def test_dask_leaves_out_empty_partitions(fitted, synthetic, whole) -> None:  # type: ignore[no-untyped-def]
    import dask.dataframe as dd

    from rfl_match.backends import dask as rm_dask

    requests = dd.from_pandas(synthetic["requests"], npartitions=3, sort=False)
    with_empty = dd.concat([requests, requests.partitions[0].head(0, compute=False)])
    assert with_empty.npartitions == 4
    with dask.config.set(scheduler="synchronous"):
        lazy = rm_dask.predict(fitted, with_empty, synthetic["sightings"])
        assert lazy.npartitions == 3
        pd.testing.assert_frame_equal(_sorted(lazy.compute()), _sorted(whole))


def test_a_partition_without_candidates_fits_as_one_fit(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    """A partition whose requests meet no sighting (review: the fit crashed)."""
    parents = ["alternate_names", "father_name", "mother_name", "grandfather_name"]
    alone = synthetic["requests"].iloc[[0]].copy()
    alone[parents] = ""
    alone["record_id"], alone["full_name"] = "ALONE", "Qxzvbn Wplkjh"
    alone["given_name"], alone["family_name"] = "Qxzvbn", "Wplkjh"
    requests = pd.concat([synthetic["requests"], alone], ignore_index=True)
    one = rm.Linker().fit(requests, synthetic["sightings"])
    met = one.predict(requests, synthetic["sightings"], threshold=0.0, top_k=0)
    assert "ALONE" not in set(met["request_id"])
    parts = fit_in_partitions(rm.Linker(), requests, synthetic["sightings"], partition_rows=250)
    _same_model(one, parts)


@pytest.mark.filterwarnings("ignore:labels. too few reviewed")
def test_labels_are_checked_and_warned_of_as_one_fit(synthetic) -> None:  # type: ignore[no-untyped-def]
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    unknown = pd.DataFrame({"request_id": ["zz"], "sighting_id": ["yy"], "is_match": [True]})
    with pytest.warns(UserWarning, match="name records not in the inputs") as seen:
        parts = fit_in_partitions(
            rm.Linker(), requests, sightings, partition_rows=250, labels=unknown
        )
    # each warning names the line that called the fit, as one fit's do
    assert {w.filename for w in seen} == {__file__}
    with pytest.warns(UserWarning, match="name records not in the inputs"):
        one = rm.Linker().fit(requests, sightings, labels=unknown)
    _same_model(one, parts)
    with pytest.raises(rm.ConfigError, match="missing column"):
        fit_in_partitions(rm.Linker(), requests, sightings, labels=unknown[["sighting_id"]])


def test_a_failed_fit_leaves_the_linker_as_it_was(synthetic) -> None:  # type: ignore[no-untyped-def]
    requests = synthetic["requests"].copy()
    requests.loc[450, "record_id"] = ""
    linker = rm.Linker()
    before = (linker.config, list(linker.specs_))
    with pytest.raises(rm.RecordError) as error:
        fit_in_partitions(linker, requests, synthetic["sightings"], partition_rows=200)
    assert error.value.problems[0].row == 451
    assert (linker.config, list(linker.specs_)) == before
    assert linker.model_ is None


def test_partitions_encoded_two_ways_are_refused(synthetic) -> None:  # type: ignore[no-untyped-def]
    from rfl_match.privacy import encode_records, encoded_config

    key, other = b"k" * 32, b"o" * 32
    requests = synthetic["requests"]
    mixed = pd.concat(
        [encode_records(requests.iloc[:250], key), encode_records(requests.iloc[250:], other)],
        ignore_index=True,
    )
    sightings = encode_records(synthetic["sightings"], key)
    with pytest.raises(rm.RecordError, match="encoded 2 ways"):
        fit_in_partitions(rm.Linker(encoded_config()), mixed, sightings, partition_rows=250)


def test_oversized_blocks_are_warned_of_once_a_rule(synthetic) -> None:  # type: ignore[no-untyped-def]
    """Each partition has its own oversized blocks, and each pass blocks again: a rule's
    warning comes once in the run, not once a partition and pass (nor is it lost to the
    filters' resets: the warnings module forgets what it showed whenever any code
    changes its filters, as reading names in a child process does)."""
    linker = rm.Linker({"max_block_size": 20, "u_sample_pairs": 20_000})
    with pytest.warns(UserWarning, match="max_block_size"):
        linker.fit(synthetic["requests"], synthetic["sightings"])
    for _ in range(2):  # a second run warns again
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            list(
                predict_in_partitions(
                    linker, synthetic["requests"], synthetic["sightings"], partition_rows=120
                )
            )
        told = [str(w.message) for w in seen if "max_block_size" in str(w.message)]
        rules = [message.split(": ")[0] for message in told]
        assert len(rules) >= 3 and len(set(rules)) == len(rules), rules
        assert all("in partitions of the requests" in message for message in told)


def test_dask_says_problems_once_as_predict_says_them(fitted, flawed) -> None:  # type: ignore[no-untyped-def]
    """As a run in partitions does (above), with rows counted in all the requests where
    the library split them (a pandas frame), or in their partition of a dask DataFrame."""
    import dask.dataframe as dd

    from rfl_match.backends import dask as rm_dask

    requests, sightings = flawed
    one = _problems_told(lambda: task_linker(fitted).predict(requests, sightings))
    with dask.config.set(scheduler="synchronous"):
        told = _problems_told(
            lambda: rm_dask.predict(fitted, requests, sightings, partition_rows=120)
        )
        assert told == one
        fit = _problems_told(lambda: rm_dask.fit(rm.Linker(), requests, sightings))
        assert fit == one
        split = dd.from_pandas(requests, npartitions=3, sort=False)  # 100 rows each
        told = _problems_told(lambda: rm_dask.predict(fitted, split, sightings))
    named = (
        one[0]
        .replace("row 3:", "partition 0, row 3:")
        .replace("row 6,", "partition 0, row 6,")
        .replace("row 251,", "partition 2, row 51,")
    )
    assert told == [named, one[1]]


def test_dask_names_rows_as_predict_names_them(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    """No requests, an id in two partitions, a blank id: the errors predict gives (rows
    among all the requests of a pandas frame); in a dask DataFrame, the partitions that
    hold a repeated id."""
    import dask.dataframe as dd

    from rfl_match.backends import dask as rm_dask

    requests, sightings = synthetic["requests"], synthetic["sightings"]
    blank = requests.copy()
    blank.loc[270, "record_id"] = ""
    for frame in (requests.iloc[:0], _twice(requests), blank):
        with pytest.raises(rm.RecordError) as one:
            task_linker(fitted).predict(frame, sightings)
        with dask.config.set(scheduler="synchronous"):
            with pytest.raises(rm.RecordError) as lazy:
                rm_dask.predict(fitted, frame, sightings, partition_rows=130)
            with pytest.raises(rm.RecordError) as fit:
                rm_dask.fit(rm.Linker(), frame, sightings, partition_rows=130)
        assert lazy.value.problems == one.value.problems
        assert fit.value.problems == one.value.problems
    split = dd.from_pandas(_twice(requests), npartitions=3, sort=False)
    with dask.config.set(scheduler="synchronous"), pytest.raises(rm.RecordError) as parts:
        rm_dask.predict(fitted, split, sightings)
    assert [str(p) for p in parts.value.problems] == [
        "column 'record_id': duplicate record id in partitions 0, 2 (value 'RQ000011')"
    ]


def test_each_sighting_s_rivals_are_those_among_all_the_requests(fitted, synthetic) -> None:  # type: ignore[no-untyped-def]
    """The pass before a run predicts in partitions (``compete``) gives every partition
    each sighting's likeliest budget candidate among all the requests, that of one run
    (from its output: the pairs the context rules did not propose alone, RIVAL_FLOOR or
    more), partitions whose requests the context rules propose nothing for included."""
    task = task_linker(fitted)
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    whole = task.predict(requests, sightings, threshold=0.0, top_k=0)
    said = linker_module.competition_phrase(-1.0).split(";")[0]
    budget = whole[~whole["explanation"].str.contains(said, regex=False)]
    budget = budget[budget["match_probability"] >= linker_module.RIVAL_FLOOR]
    right = records(sightings, task, "sightings")
    want = right["record_id"].map(budget.groupby("sighting_id")["match_probability"].max())
    # The first partition: requests the context rules propose nothing for.
    proposed = set(whole.loc[whole["explanation"].str.contains(said, regex=False), "request_id"])
    plain = requests["record_id"].isin(proposed).to_numpy()
    parts = [requests[~plain].iloc[:60], requests[~plain].iloc[60:], requests[plain]]
    runner = Runner()
    agreed = agree(runner, task, parts, right)
    compete(runner, task, agreed, right)
    found = [one.competing for one in agreed.partitions]
    assert all(one is found[0] for one in found) and found[0] is not None
    np.testing.assert_allclose(found[0], want.fillna(0.0).to_numpy())
    # A partition's own pass: only its requests' candidates.
    first = agreed.partitions[0]
    own, sums = rivals_pass(task, agreed.parts[0], right, replace(first, competing=None))
    assert sums is None  # the sightings read with their requests together: not asked
    assert (own <= found[0] + 1e-12).all() and (own < found[0]).any()


def test_a_repeated_id_within_a_later_partition_is_named_by_its_rows_among_all() -> None:
    """A repeated request id in the third partition: its rows are counted from the first
    request of all, as one predict counts them (they were the partition's own, 3 and 4,
    where rows 23 and 24 repeat the id)."""
    names = ["Amina Yusuf", "Omar Said", "Leyla Hassan", "Ivan Petrov", "Abdi Farah"]

    def people(prefix: str) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "record_id": [f"{prefix}{k:03d}" for k in range(30)],
                "full_name": [f"{names[k % 5]} {chr(65 + k // 5)}" for k in range(30)],
                "date_of_birth": [str(1960 + k % 40) for k in range(30)],
            }
        )

    requests, sightings = people("RQ"), people("SG")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linker = rm.Linker().fit(requests, sightings)
    requests.loc[22, "record_id"] = requests.loc[23, "record_id"]
    with pytest.raises(rm.RecordError) as one:
        task_linker(linker).predict(requests, sightings)
    assert [str(p) for p in one.value.problems] == [
        "column 'record_id': duplicate record id in rows 23, 24 (value 'RQ023')"
    ]
    with pytest.raises(rm.RecordError) as parts:
        list(predict_in_partitions(linker, requests, sightings, partition_rows=10))
    assert parts.value.problems == one.value.problems
    with pytest.raises(rm.RecordError) as fit:
        fit_in_partitions(rm.Linker(), requests, sightings, partition_rows=10)
    assert fit.value.problems == one.value.problems
