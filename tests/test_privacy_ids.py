"""Pseudonymous ids (rfl_match.privacy.ids): what a receiver of a pseudonymised file sees,
and what the key holder maps back."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

import rfl_match.privacy
from rfl_match.privacy import (
    SecretKeyError,
    keyed_digests,
    pseudonym_table,
    pseudonymise,
    pseudonymous_ids,
)

KEY = b"0123456789abcdef0123456789abcdef"
OTHER_KEY = b"fedcba9876543210fedcba9876543210"

# ids as a file holds them: any text a reader keeps (no lone surrogates: refused in a record id)
ids_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=12)


def reference(ids: list[str], key: bytes) -> list[str]:
    """The slow, obvious pseudonym: one digest per id, formatted by Python."""
    return [f"p-{int(keyed_digests(key, 'id', [i])[0]):016x}" for i in ids]


@given(st.lists(ids_text, max_size=40))
def test_pseudonyms_are_the_keyed_digest_in_hexadecimal(ids: list[str]) -> None:
    assert pseudonymous_ids(ids, KEY).tolist() == reference(ids, KEY)


@given(st.lists(ids_text, unique=True, max_size=60))
def test_distinct_ids_give_distinct_pseudonyms_and_the_same_ids_the_same(ids: list[str]) -> None:
    once = pseudonymous_ids(ids, KEY)
    assert once.is_unique
    shuffled = pseudonymous_ids(ids[::-1] + ids, KEY).tolist()
    assert shuffled == once.tolist()[::-1] + once.tolist()


def test_no_collision_among_thousands_of_case_numbers() -> None:
    ids = [f"RQ{i:06d}" for i in range(20_000)] + [str(i) for i in range(5_000)]
    pseudonyms = pseudonymous_ids(ids, KEY)
    assert pseudonyms.is_unique
    assert pseudonyms.str.fullmatch(r"p-[0-9a-f]{16}").all()


def test_another_key_gives_other_pseudonyms() -> None:
    ids = [f"RQ{i:06d}" for i in range(1_000)]
    mine, theirs = pseudonymous_ids(ids, KEY), pseudonymous_ids(ids, OTHER_KEY)
    assert not set(mine) & set(theirs)


def test_missing_ids_stay_missing_and_index_and_dtype_are_kept() -> None:
    ids = pd.Series(["RQ1", None, "RQ1"], index=[7, 8, 9], dtype="string", name="request_id")
    out = pseudonymous_ids(ids, KEY)
    assert out.index.tolist() == [7, 8, 9] and out.name == "request_id"
    assert out.dtype == ids.dtype and out.isna().tolist() == [False, True, False]
    assert out[7] == out[9]
    assert pseudonymous_ids([None, np.nan], KEY).isna().all()
    assert pseudonymous_ids([], KEY).empty


def test_a_number_and_its_text_are_one_id() -> None:
    # a frame built in Python may hold ids as numbers; a file read back holds their text
    assert pseudonymous_ids([17], KEY)[0] == pseudonymous_ids(["17"], KEY)[0]


def test_a_short_key_is_refused() -> None:
    with pytest.raises(SecretKeyError, match="want 32 or more"):
        pseudonymous_ids(["RQ1"], b"password")


def matches_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "request_id": ["RQ2", "RQ2", "RQ1", "RQ3"],
            "sighting_id": ["S9", "S1", "S1", "RQ1"],
            "match_probability": [0.9, 0.6, 0.8, 0.7],
            "rank": [1, 2, 1, 1],
        }
    )


def test_pseudonymise_replaces_the_ids_and_keeps_each_request_s_ranks() -> None:
    matches = matches_frame()
    shared = pseudonymise(matches, KEY)
    assert not set(shared.request_id) & {"RQ1", "RQ2", "RQ3"}
    table = pseudonym_table(pd.concat([matches.request_id, matches.sighting_id]), KEY)
    back = dict(zip(table.pseudonym, table.record_id, strict=True))
    restored = shared.assign(
        request_id=shared.request_id.map(back), sighting_id=shared.sighting_id.map(back)
    )
    # the same pairs, each with its probability and rank; a request's candidates in rank order
    pd.testing.assert_frame_equal(
        restored.sort_values(["request_id", "rank"]).reset_index(drop=True),
        matches.sort_values(["request_id", "rank"]).reset_index(drop=True),
    )
    assert shared.groupby("request_id", sort=False)["rank"].is_monotonic_increasing.all()
    # an id met on both sides gets one pseudonym
    assert (
        shared.sighting_id[shared.request_id == pseudonymous_ids(["RQ3"], KEY)[0]].item()
        == (pseudonymous_ids(["RQ1"], KEY)[0])
    )
    assert matches.request_id.tolist() == ["RQ2", "RQ2", "RQ1", "RQ3"]  # the input untouched


def test_the_rows_follow_the_pseudonyms_not_the_real_ids() -> None:
    matches = pd.DataFrame(
        {"request_id": [f"RQ{i:04d}" for i in range(50)], "sighting_id": ["S1"] * 50}
    )
    shared = pseudonymise(matches, KEY)
    assert shared.request_id.is_monotonic_increasing and shared.index.equals(pd.RangeIndex(50))
    kept = pseudonymise(matches, KEY, reorder=False)
    assert kept.request_id.tolist() == pseudonymous_ids(matches.request_id, KEY).tolist()


def test_clusters_lose_their_row_numbers() -> None:
    clusters = pd.DataFrame(
        {"record_id": ["a", "b", "c", "d"], "cluster_id": ["c0", "c0", "c2", "c0"]}
    )
    shared = pseudonymise(clusters, KEY, columns=("record_id",))
    assert not shared.cluster_id.isin(clusters.cluster_id).any()
    # the same grouping: three records together, one alone
    assert sorted(shared.groupby("cluster_id").size().tolist()) == [1, 3]
    pseudonym = dict(
        zip(clusters.record_id, pseudonymous_ids(clusters.record_id, KEY), strict=True)
    )
    together = [pseudonym[r] for r in ("a", "b", "d")]
    label = shared.cluster_id[shared.record_id == together[0]].item()
    assert label == "c-" + min(together).removeprefix("p-")


def test_a_column_not_in_the_frame_is_named() -> None:
    with pytest.raises(KeyError, match="'record_id'"):
        pseudonymise(matches_frame(), KEY, columns=("record_id",))


def test_the_key_holder_s_table_lists_each_id_once() -> None:
    table = pseudonym_table(["RQ2", "RQ1", "RQ2", None], KEY)
    assert table.columns.tolist() == ["record_id", "pseudonym"]
    assert table.record_id.tolist() == ["RQ2", "RQ1"]
    assert table.pseudonym.tolist() == reference(["RQ2", "RQ1"], KEY)


def test_the_subpackage_exports_its_names() -> None:
    for name in ("pseudonymous_ids", "pseudonymise", "pseudonym_table"):
        assert name in rfl_match.privacy.__all__ and hasattr(rfl_match.privacy, name)


def test_float_ids_are_pseudonymised_as_their_records_read_them() -> None:
    """An id column held as floats (17.0) is the ids "17" of the validated records: the
    key holder's table and a pseudonymised output agree (review of session 29)."""
    key = b"k" * 32
    floats = pseudonymous_ids(pd.Series([17.0, 2.5, None]), key)
    texts = pseudonymous_ids(pd.Series(["17", "2.5", None], dtype=object), key)
    assert floats.iloc[:2].tolist() == texts.iloc[:2].tolist()
    assert floats.iloc[2] is None or pd.isna(floats.iloc[2])
    assert pseudonymous_ids([17], key).tolist() == texts.iloc[:1].tolist()
