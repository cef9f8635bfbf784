"""Blocking: no dependence on row order, equal to a brute-force filter on small input."""

from __future__ import annotations

import base64
import warnings
from collections.abc import Sequence
from typing import Any
from unittest import mock

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rfl_match as rm
from rfl_match import blocking, kernels, prepare
from rfl_match.arrays import dense_ranks, text_order
from rfl_match.blocking import CandidatePairs, KeyValues, block, combine, key_values, with_context
from rfl_match.names import NameForm, normalize_name
from rfl_match.prepare import PersonNames, PreparedPair
from rfl_match.schema import validate_records

NAMES = [
    "Ali",
    "Aly",
    "Omar",
    "Umar",
    "Hassan",
    "Hussein",
    "Mohammed",
    "Muhammad",
    "Farah",
    "Abdi",
    "Olena",
    "Ivan",
]


def frame(rows: list[tuple[str, str]], prefix: str) -> pd.DataFrame:
    return validate_records(
        pd.DataFrame(
            {
                "record_id": [f"{prefix}{i}" for i in range(len(rows))],
                "full_name": [name for name, _ in rows],
                "date_of_birth": [dob for _, dob in rows],
            }
        )
    )


def default_block(data: PreparedPair) -> CandidatePairs:
    """The candidate pairs of the default configuration's rules, budget and context."""
    config = rm.LinkConfig()
    return block(
        data,
        config.blocking,
        max_block=config.max_block_size,
        per_record=config.candidates_per_record,
        context=config.context_blocking,
        context_per_record=config.context_candidates,
    )


def namesakes(
    prefix: str, name: str, fathers: Sequence[str], births: Sequence[str] = ()
) -> pd.DataFrame:
    """Records all named ``name``, with these fathers' names (and dates of birth)."""
    return validate_records(
        pd.DataFrame(
            {
                "record_id": [f"{prefix}{i:02d}" for i in range(len(fathers))],
                "full_name": [name] * len(fathers),
                "father_name": list(fathers),
                "date_of_birth": list(births) or [""] * len(fathers),
            }
        )
    )


people = st.lists(
    st.tuples(
        st.lists(st.sampled_from(NAMES), min_size=1, max_size=3).map(" ".join),
        st.sampled_from(["", "1990", "1995", "2001-05-06", "2010"]),
    ),
    min_size=1,
    max_size=12,
)
RULES = [
    ("name_pair_class",),
    ("name_pair_any",),
    ("given_class", "birth_band"),
    ("name_skeleton",),
    # Codes too wide to combine as they are: a pair of parts, three keys.
    ("name_pair_class", "birth_year"),
    ("birth_band", "name_pair_any"),
    ("given_class", "birth_year", "name_skeleton"),
]


def pairs_by_id(
    left: pd.DataFrame,
    right: pd.DataFrame,
    per_record: int = 0,
    max_block: int = 10_000,
    within: int = 0,
) -> set[tuple[str, str]]:
    data = PreparedPair(left, right)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # oversized blocks, with a small max_block
        pairs = block(
            data, RULES, max_block=max_block, per_record=per_record, within=within, window=1
        )
    return set(
        zip(
            left["record_id"].to_numpy()[pairs.left],
            right["record_id"].to_numpy()[pairs.right],
            strict=True,
        )
    )


def key_sets(data: PreparedPair, side: int, key: str, n: int) -> list[set[int]]:
    """Each of a side's ``n`` records' values of a key, as a set."""
    found = key_values(data, side, key)
    return [set(found.codes[found.rows == i].tolist()) for i in range(n)]


def brute_force(left: pd.DataFrame, right: pd.DataFrame) -> set[tuple[str, str]]:
    """Every pair, kept where for some rule the two records share a value of each key."""
    data = PreparedPair(left, right)

    out = set()
    for rule in RULES:
        lkeys = [key_sets(data, 0, key, len(left)) for key in rule]
        rkeys = [key_sets(data, 1, key, len(right)) for key in rule]
        for i in range(len(left)):
            for j in range(len(right)):
                if all(lk[i] & rk[j] for lk, rk in zip(lkeys, rkeys, strict=True)):
                    out.add((left["record_id"].iat[i], right["record_id"].iat[j]))
    return out


@settings(max_examples=40, deadline=None)
@given(people, people)
def test_equals_brute_force(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> None:
    left, right = frame(a, "l"), frame(b, "r")
    assert pairs_by_id(left, right) == brute_force(left, right)


@settings(max_examples=30, deadline=None)
@given(people, people, st.sampled_from([10_000, 4]))
def test_row_order_does_not_matter(
    a: list[tuple[str, str]], b: list[tuple[str, str]], max_block: int
) -> None:
    """Also where blocks are oversized (max_block 4): split by birth band (rules without a
    birth key), and nearest records by name and by father's name and birth."""
    left, right = frame(a, "l"), frame(b, "r")
    shuffled_l = left.sample(frac=1.0, random_state=1).reset_index(drop=True)
    shuffled_r = right.sample(frac=1.0, random_state=2).reset_index(drop=True)
    assert pairs_by_id(left, right, max_block=max_block) == pairs_by_id(
        shuffled_l, shuffled_r, max_block=max_block
    )


def dedupe_pairs(
    records: pd.DataFrame, max_block: int, rules: list[tuple[str, ...]] = RULES, window: int = 1
) -> set[frozenset[str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # oversized blocks, with a small max_block
        pairs = block(
            PreparedPair(records, records), rules, max_block=max_block, dedupe=True, window=window
        )
    ids = records["record_id"].to_numpy()
    return {frozenset(p) for p in zip(ids[pairs.left], ids[pairs.right], strict=True)}


@settings(max_examples=30, deadline=None)
@given(people, st.sampled_from([10_000, 4]))
def test_dedupe_row_order_does_not_matter(a: list[tuple[str, str]], max_block: int) -> None:
    """One list, also with oversized blocks: a record's nearest neighbours are met
    whichever of the two records the order reaches first (a pair met from its higher
    record was once dropped, so the pairs, and who had any, hung on the rows' order)."""
    records = frame(a, "x")
    shuffled = records.sample(frac=1.0, random_state=3).reset_index(drop=True)
    assert dedupe_pairs(records, max_block) == dedupe_pairs(shuffled, max_block)


@settings(max_examples=30, deadline=None)
@given(people)
def test_dedupe_equals_brute_force(a: list[tuple[str, str]]) -> None:
    """One list: every unordered pair of two records that share, for some rule, a value
    of each key (the brute force over the list against itself, each pair once, no record
    with itself)."""
    records = frame(a, "x")
    want = {frozenset((x, y)) for x, y in brute_force(records, records) if x != y}
    assert dedupe_pairs(records, 10_000) == want


def test_dedupe_namesakes_without_births_all_get_candidates() -> None:
    """Sixty namesakes with no birth date, in one oversized block: every one meets some."""
    records = frame([("Ali Omar", "")] * 30 + [("Ali Hassan", "")] * 30, "x")
    met = set().union(*dedupe_pairs(records, 100, rules=[("given_class",)], window=2))
    assert met == set(records["record_id"])


def test_combining_keys_is_exact_for_wide_codes() -> None:
    """A pair of name parts combined with a birth year (and a rule's codes combined with
    the birth band inside an oversized block): codes 4 * 2**31 apart once wrapped in 64
    bits and met as one."""
    wide = np.array([5, 4 * 2**31 + 5], dtype=np.int64)
    rows = np.array([0, 1], dtype=np.int64)
    year = KeyValues(rows, np.array([7, 7], dtype=np.int64))
    left, right = combine(
        (KeyValues(rows, wide), KeyValues(rows[:1], wide[:1])),
        (year, KeyValues(rows[:1], year.codes[:1])),
    )
    assert left.codes[0] == right.codes[0]
    assert left.codes[1] != right.codes[0]


def test_swapped_and_shortened_names_meet() -> None:
    left = frame([("Abdi Farah Hassan", "2001"), ("Olena Kovalenko", "1990")], "l")
    right = frame([("Farah Abdi", "2001"), ("Olena", "1990"), ("Ivan Petrov", "1950")], "r")
    found = pairs_by_id(left, right)
    assert ("l0", "r0") in found and ("l1", "r1") in found
    assert not any(r == "r2" for _, r in found)


def test_dedupe_pairs_once_and_never_self() -> None:
    records = frame([("Ali Omar", "1990"), ("Ali Omar", "1990"), ("Aly Omar", "1990")], "x")
    pairs = block(PreparedPair(records, records), RULES, max_block=100, dedupe=True)
    assert np.all(pairs.left < pairs.right)
    assert len(set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))) == len(pairs)


def test_oversized_block_split_by_birth_band_and_warned() -> None:

    rows = [("Mohammed Ali", str(1950 + i % 60)) for i in range(200)]
    left, right = frame(rows, "l"), frame(rows, "r")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = block(PreparedPair(left, right), [("name_pair_class",)], max_block=5_000)
    assert 0 < len(pairs) < 200 * 200
    # Same birth year always lands in a shared band.
    ids = set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))
    assert all((i, i) in ids for i in range(200))
    assert not [w for w in caught if "left out" in str(w.message)]


def test_sorted_neighbourhood_meets_near_spellings_in_any_row_order() -> None:
    left = frame([("Stanislaw Frolow", "2009"), ("Olena Kovalenko", "1990")], "l")
    right = frame([("Stanislav Frolov", "2009"), ("Zzyzx Qqq", "1950"), ("Olena", "1990")], "r")
    rule = [("sorted:name_joined_skeleton",)]

    def found(lf: pd.DataFrame, rf: pd.DataFrame) -> set[tuple[str, str]]:
        pairs = block(PreparedPair(lf, rf), rule, max_block=100, window=1)
        return set(
            zip(
                lf["record_id"].to_numpy()[pairs.left],
                rf["record_id"].to_numpy()[pairs.right],
                strict=True,
            )
        )

    plain = found(left, right)
    assert ("l0", "r0") in plain
    assert plain == found(
        left.iloc[::-1].reset_index(drop=True), right.iloc[::-1].reset_index(drop=True)
    )


@pytest.mark.parametrize("key", ["field:father_name", "class:father_name"])
def test_sorted_neighbourhood_of_a_field_sorts_by_its_spelling(key: str) -> None:
    # Sorted by the values' spelling (not by their codes, which follow the order values
    # are first met): each left father meets the right one spelt nearest in the alphabet.
    left = ["Zubair", "Abdalla", "Karim", "Mustafa"]
    right = ["Mustafaa", "Zubayr", "Abdallah", "Kareem"]

    lr, rr = blocking.sorted_neighbourhood(
        PreparedPair(namesakes("l", "Amina", left), namesakes("r", "Amina", right)), key, window=1
    )
    met = {(left[a], right[b]) for a, b in zip(lr.tolist(), rr.tolist(), strict=True)}
    # (by code, the order the values were met, Zubair and Zubayr sat apart)
    near = {("Abdalla", "Abdallah"), ("Karim", "Kareem"), ("Mustafa", "Mustafaa")}
    assert near | {("Zubair", "Zubayr")} <= met


def test_sorted_neighbourhood_of_given_prefixes_sorts_by_their_letters() -> None:
    # "zu" next to "zw", "ab" next to "ac": by code (the order first met) every left
    # prefix would sit before every right one, and only one pair would meet.
    left = ["Zubair Ali", "Abdalla Ali", "Karim Ali", "Mustafa Ali"]
    right = ["Zwbayr Omar", "Acdallah Omar", "Kbreem Omar", "Mvstafa Omar"]
    data = PreparedPair(frame([(n, "") for n in left], "l"), frame([(n, "") for n in right], "r"))
    lr, rr = blocking.sorted_neighbourhood(data, "given_prefix", window=1)
    met = {
        (left[a].split()[0], right[b].split()[0])
        for a, b in zip(lr.tolist(), rr.tolist(), strict=True)
    }
    near = {("Zubair", "Zwbayr"), ("Abdalla", "Acdallah"), ("Karim", "Kbreem")}
    assert near | {("Mustafa", "Mvstafa")} <= met


def test_oversized_block_without_birth_dates_still_gives_every_record_candidates() -> None:
    """The Mohammed problem with no birth dates to split by: a full join is too large,
    and dropping the block would leave these people with no candidates at all."""
    rows = [(f"Mohammed Ali {name}", "") for name in ("Hassan", "Omar", "Farah", "Abdi")] * 50
    left, right = frame(rows, "l"), frame(rows, "r")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = block(PreparedPair(left, right), [("given_class",)], max_block=100, window=2)
    assert set(pairs.left.tolist()) == set(range(200))
    assert set(pairs.right.tolist()) == set(range(200))
    # Linear, not quadratic: each record meets a few neighbours per order and side.
    assert len(pairs) <= 200 * 2 * 2 * 2 * 2
    # Sorted by name, the same full name meets itself: l0 (Hassan) meets an r* Hassan.
    hassan = {i for i, (name, _) in enumerate(rows) if name.endswith("Hassan")}
    met = pairs.right[pairs.left == 0]
    assert set(met.tolist()) & hassan
    assert any("nearest" in str(w.message) for w in caught)


def test_nearest_records_break_ties_of_name_by_birth_and_of_birth_by_name() -> None:
    """In an oversized block, each order breaks the other's ties: among twenty "Ali
    Omar"s the name order goes by birth date, and among the Alis born on one day the
    birth order goes by name; so each "Ali Omar" meets the one of its birth day (by
    record id, the ties would put every left record before every right one)."""
    start = pd.Timestamp("1990-01-03")  # no 1st or 15th: those may stand for "unknown"
    days = [str((start + pd.Timedelta(days=10 * k)).date()) for k in range(20)]
    names = ("Omar", "Hassan", "Farah", "Abdi", "Ivan", "Olena")
    rows = [(f"Ali {name}", day) for day in days for name in names]
    left, right = frame(rows, "l"), frame(rows, "r")
    omar = {i for i, (name, _) in enumerate(rows) if name == "Ali Omar"}
    for lf in (left, left.iloc[::-1].reset_index(drop=True)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the oversized block
            pairs = block(PreparedPair(lf, right), [("given_class",)], max_block=10, window=1)
        met = set(
            zip(
                lf["record_id"].to_numpy()[pairs.left].tolist(),
                right["record_id"].to_numpy()[pairs.right].tolist(),
                strict=True,
            )
        )
        assert {(f"l{i}", f"r{i}") for i in omar} <= met
        assert len(pairs) <= len(rows) * 2 * 2 * 2  # linear: a few neighbours a record


def test_namesakes_with_one_father_meet_in_an_oversized_block_though_born_years_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Forty Mohammeds a side, one born each half year: the true pair (l00, r00), whose
    father is Yusuf on both sides (spelt two ways), was born 1980 on one side and 1990 on
    the other (an age misestimated), with twenty namesakes born in between. By name and by
    birth alone each meets only its namesakes born near it; ordered by the father's name,
    the two Yusufs' sons sit side by side."""
    fathers = ["Ali", "Omar", "Hassan", "Abdi", "Farah", "Ivan", "Ahmed", "Idris"]
    others = [fathers[k % 8] for k in range(39)]
    born = [f"{1975 + k // 2}-{1 + 6 * (k % 2):02d}-03" for k in range(39)]
    left = namesakes("l", "Mohammed", ["Yusuf", *others], ["1980-03-03", *born])
    right = namesakes("r", "Mohammed", ["Yousef", *others], ["1990-03-03", *born])
    rules = [("given_class",)]

    def met(data: PreparedPair) -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the oversized block
            pairs = block(data, rules, max_block=100, window=2)
        assert len(pairs) <= 80 * 2 * 2 * 2 * 2  # linear: a few neighbours a record
        return 0 in pairs.ids  # l00 * n_right + r00

    assert met(PreparedPair(left, right))
    # The same records in any row order.
    shuffled_l = left.sample(frac=1.0, random_state=1).reset_index(drop=True)
    shuffled_r = right.sample(frac=1.0, random_state=2).reset_index(drop=True)
    assert pairs_by_id(left, right, max_block=4) == pairs_by_id(shuffled_l, shuffled_r, max_block=4)
    # Ordered by a column none has (as the birth order was), they never meet.
    monkeypatch.setattr(blocking, "CONTEXT_ORDER", "grandfather_name")
    assert not met(PreparedPair(left, right))


@pytest.mark.parametrize("other_fathers", [[""] * 24, ["Ivan", "Pyotr", "Oleg"] * 8])
def test_fathers_names_one_side_lacks_order_an_oversized_block_as_none_would(
    other_fathers: list[str],
) -> None:
    """Fathers' names on one side only (none on the other, or none the other has): the
    namesakes meet as if no one had a father's name, nearest by birth. Sorted by father,
    one side's records would sit apart from the other's, whole, and every record meet the
    same few at the seam."""
    fathers = ["Ali", "Omar", "Hassan", "Abdi", "Farah", "Idris"] * 4
    born = [f"{1975 + k // 2}-{1 + 6 * (k % 2):02d}-03" for k in range(24)]
    right = namesakes("r", "Mohammed", other_fathers, born[::-1])
    fathered = pairs_by_id(namesakes("l", "Mohammed", fathers, born), right, max_block=4)
    assert fathered == pairs_by_id(namesakes("l", "Mohammed", [""] * 24, born), right, max_block=4)


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["", "Yusuf", "Yousef", "Ali", "Aly", "Omar"]),
            st.sampled_from(["", "1990", "1995", "2001-05-06", "2010"]),
        ),
        min_size=1,
        max_size=12,
    ),
    st.lists(
        st.tuples(
            st.sampled_from(["", "Yusuf", "Ali", "Omar", "Umar"]),
            st.sampled_from(["", "1990", "1995", "2001-05-06", "2011"]),
        ),
        min_size=1,
        max_size=12,
    ),
)
def test_row_order_does_not_matter_with_fathers_names_in_oversized_blocks(
    a: list[tuple[str, str]], b: list[tuple[str, str]]
) -> None:
    left, right = (
        namesakes(side, "Mohammed", [f for f, _ in people], [d for _, d in people])
        for side, people in (("l", a), ("r", b))
    )
    shuffled_l = left.sample(frac=1.0, random_state=1).reset_index(drop=True)
    shuffled_r = right.sample(frac=1.0, random_state=2).reset_index(drop=True)
    assert pairs_by_id(left, right, max_block=4) == pairs_by_id(shuffled_l, shuffled_r, max_block=4)


def test_joining_in_small_batches_gives_the_same_pairs(monkeypatch: pytest.MonkeyPatch) -> None:
    rows = [(" ".join(NAMES[i % 12 : i % 12 + 2]), str(1990 + i % 3)) for i in range(40)]
    left, right = frame(rows, "l"), frame(rows[::-1], "r")
    whole = pairs_by_id(left, right)
    monkeypatch.setattr(blocking, "JOIN_BATCH", 3)
    assert pairs_by_id(left, right) == whole == brute_force(left, right)


@settings(max_examples=40, deadline=None)
@given(people, people, st.integers(1, 3))
def test_candidate_budget_keeps_each_records_best_in_any_row_order(
    a: list[tuple[str, str]], b: list[tuple[str, str]], per_record: int
) -> None:
    left, right = frame(a, "l"), frame(b, "r")
    everything = pairs_by_id(left, right)
    kept = pairs_by_id(left, right, per_record, within=16)
    assert kept <= everything
    uncut = pairs_by_id(left, right, per_record)
    assert kept <= uncut
    # Every record keeps min(budget, its candidates) (without the cut far below its best,
    # at least its best): no one is left without candidates.
    for side in (0, 1):
        for record in {pair[side] for pair in everything}:
            had = sum(pair[side] == record for pair in everything)
            assert sum(pair[side] == record for pair in uncut) >= min(per_record, had)
            assert sum(pair[side] == record for pair in kept) >= 1
    shuffled_l = left.sample(frac=1.0, random_state=3).reset_index(drop=True)
    shuffled_r = right.sample(frac=1.0, random_state=4).reset_index(drop=True)
    assert pairs_by_id(shuffled_l, shuffled_r, per_record, within=16) == kept


def test_candidate_budget_prefers_the_same_birth_and_sex() -> None:
    """Namesakes: with a budget of one, each record keeps its best by birth and sex;
    ties (no birth to tell them apart) go to the lower record id, not the row."""
    left = frame([("Mohammed Ali", "2001-05-06"), ("Mohammed Ali", "1990")], "l")
    left["sex"] = ["male", "male"]
    right = frame([("Mohammed Ali", d) for d in ("1990", "2001-05-06", "", "")], "r")
    right["sex"] = ["male", "male", "male", "female"]
    data = PreparedPair(left, right)
    assert len(block(data, [("name_pair_class",)], max_block=100)) == 8
    kept = block(data, [("name_pair_class",)], max_block=100, per_record=1)
    assert kept.stats[-1].rule == "best 1 per record"
    met = set(zip(kept.left.tolist(), kept.right.tolist(), strict=True))
    # l0 and r1 share a birth date, l1 and r0 a birth year; r2 and r3 (no birth) keep
    # l0 by id, r3 although its sex differs from both.
    assert met == {(0, 1), (1, 0), (0, 2), (0, 3)}


def test_the_budget_counts_no_sex_against_a_record_of_other_sex() -> None:
    """X (other) is what another organisation may write as female or male: the budget's
    score takes its 20 points off a pair of a woman and a man, not off one of either and
    a record of other sex (kernels.affinity reads -1 as unknown)."""
    from rfl_match import blocking, kernels

    def side(prefix: str, sex: list[str]) -> pd.DataFrame:
        ids = [f"{prefix}{i}" for i in range(3)]
        raw = {"record_id": ids, "full_name": "Amina Yusuf", "date_of_birth": "2001", "sex": sex}
        return validate_records(pd.DataFrame(raw))

    data = PreparedPair(side("l", ["female", "female", "x"]), side("r", ["male", "x", "x"]))
    rows = [kernels.affinity_rows(blocking._context_inputs(data, side, ())) for side in (0, 1)]
    ids = np.array([0 * 3 + 0, 0 * 3 + 1, 2 * 3 + 1, 2 * 3 + 0], dtype=np.int64)
    score = kernels.affinity(*rows, ids, 3, missing=blocking.MISSING, year=blocking.YEAR)
    female_male, female_other, other_other, other_male = score.tolist()
    assert female_other == other_other == other_male == female_male + 20


def test_no_birth_columns_at_all_in_an_oversized_block_and_the_budget() -> None:
    """Inputs with names only: the birth order and the budget's score read unknown births
    (this once indexed an empty array)."""
    names = pd.DataFrame({"full_name": ["Mohammed Ali Hassan"] * 60})
    left = validate_records(names.assign(record_id=[f"l{i}" for i in range(60)]))
    right = validate_records(names.assign(record_id=[f"r{i}" for i in range(60)]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        pairs = block(
            PreparedPair(left, right), [("name_pair_any",)], max_block=100, window=2, per_record=3
        )
    assert set(pairs.left.tolist()) == set(range(60)) == set(pairs.right.tolist())


def test_budget_keeps_no_namesake_far_below_a_clear_match() -> None:
    """Namesakes each with a twin on the other side (the same exact date of birth), born
    years apart from each other: a record keeps its twin, and not the namesakes that
    score far below it (they only share its name), though its budget has room for them;
    without the cut, it keeps them all."""
    births = [f"{1950 + 7 * i}-03-0{1 + i % 5}" for i in range(6)]
    left = namesakes("l", "Amina Hassan", [""] * 6, births)
    right = namesakes("r", "Amina Hassan", [""] * 6, births)
    twins = {(i, i) for i in range(6)}

    def met(within: int) -> set[tuple[int, int]]:
        pairs = block(
            PreparedPair(left, right),
            [("name_pair_any",)],
            max_block=100,
            per_record=10,
            within=within,
        )
        return set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))

    assert met(16) == twins
    assert met(0) == {(i, j) for i in range(6) for j in range(6)}


def test_a_rule_on_a_fields_own_values_keeps_its_pairs_past_the_cut() -> None:
    """Two records that share a registration number, born 40 years apart by what was
    written: the cut drops the pair as a namesake's (its name and birth score far below
    each record's twin), unless a ``field:`` rule met it; its pair is then kept, in
    blocking as in the blocking report."""
    births = ["1950-03-01", "1990-05-05"]
    left = namesakes("l", "Amina Hassan", ["", ""], births)
    right = namesakes("r", "Amina Hassan", ["", ""], births)
    left["reg"], right["reg"] = ["A", "B"], ["C", "A"]
    twins = {(0, 0), (1, 1)}

    def met(rules: list[tuple[str, ...]], within: int = 16) -> set[tuple[int, int]]:
        pairs = block(PreparedPair(left, right), rules, max_block=100, per_record=10, within=within)
        return set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))

    assert met([("name_pair_any",)]) == twins
    assert met([("name_pair_any",), ("field:reg",)]) == twins | {(0, 1)}
    assert met([("name_pair_any",)], within=0) == twins | {(0, 1), (1, 0)}
    # the main rules alone, as block() is called above (no context rules)
    config = rm.LinkConfig(
        blocking=(("name_pair_any",), ("field:reg",)), workers=1, context_candidates=0
    )
    report = rm.Linker(config).blocking_report(left, right)
    assert int(report.iloc[-1]["cumulative_pairs"]) == 3


@settings(max_examples=30, deadline=None)
@given(people, people, st.integers(1, 3), st.sampled_from([0, 4, 16]))
def test_budget_in_batches_equals_budget_once_on_the_union(
    a: list[tuple[str, str]], b: list[tuple[str, str]], per_record: int, within: int
) -> None:
    """The budget kept as each join batch of each rule is made (pairs met again and
    again) keeps exactly the pairs that the budget once over the whole union keeps, with
    a cut below each record's best or without."""
    left, right = frame(a + a, "l"), frame(b, "r")
    data = PreparedPair(left, right)
    whole = block(data, RULES, max_block=10_000)
    once = blocking.budget_choices(data, whole.ids, per_record, within=within, dedupe=False)[0]
    batch = blocking.JOIN_BATCH
    try:
        blocking.JOIN_BATCH = 2
        staged = block(data, RULES, max_block=10_000, per_record=per_record, within=within)
    finally:
        blocking.JOIN_BATCH = batch
    assert staged.ids.tolist() == once.tolist()


@settings(max_examples=30, deadline=None)
@given(people, people, st.integers(0, 1))
def test_name_orders_of_both_sides_compare_whichever_is_asked_first(
    a: list[tuple[str, str]], b: list[tuple[str, str]], first: int
) -> None:
    """The nearest records' name order ranks both sides' texts together, whichever side
    is asked first and however little is prepared then (a side's names add their texts to
    the vocabulary: ranks of one side taken before the other's names were coded once
    put some of its records out of order, and the pairs depended on the order of work)."""
    data = PreparedPair(frame(a, "l"), frame(b, "r"))
    ranks = {side: blocking._orders(data, side)[0] for side in (first, 1 - first)}
    words = np.append(data.keys.array().astype(str), "\uffff")  # no name (-1): last
    texts = [words[data.person_names(side).joined] for side in (0, 1)]
    for i, text in enumerate(texts[0]):
        for j, other in enumerate(texts[1]):
            assert (ranks[0][i] < ranks[1][j]) == (text < other)
            assert (ranks[0][i] == ranks[1][j]) == (text == other)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=30),
    st.lists(st.text(min_size=1, max_size=6), min_size=1, max_size=30),
)
def test_dense_ranks_are_the_sorted_distinct_texts(a: list[str], b: list[str]) -> None:
    """Record ids' ranks (the budget's and the nearest records' tie-break): the rank of
    each text among the distinct texts of both columns, in code point order."""
    got = dense_ranks([pd.Series(a, dtype="str"), pd.Series(b, dtype=object)])
    order = sorted(set(a + b))
    assert got.tolist() == [order.index(text) for text in a + b]


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(max_size=6), max_size=40), st.booleans())
def test_text_order_sorts_rows_by_text(texts: list[str], arrow: bool) -> None:
    """The rows in code point order of their texts, equal texts in row order (the order
    the random pairs that estimate u are drawn in): what sorting the rows gives."""
    got = text_order(pd.Series(texts, dtype="str" if arrow else object))
    assert got.tolist() == sorted(range(len(texts)), key=lambda row: texts[row])


def test_dense_ranks_of_ids_given_as_numbers_are_their_texts() -> None:
    got = dense_ranks([pd.Series([10, 9, 2]), pd.Series(["9", "x"])])
    assert got.tolist() == [0, 2, 1, 2, 3]  # "10" < "2" < "9" < "x"


@settings(max_examples=50, deadline=None)
@given(st.lists(st.lists(st.integers(0, 200), max_size=30), max_size=12), st.booleans())
def test_union_of_batches_is_the_sorted_union(lists: list[list[int]], pair_left_out: bool) -> None:
    """Batches in any order, with repeats and pairs left out: their distinct pairs."""
    union = blocking._Union()
    for values in lists:
        union.add(np.array(values + [kernels._NO_PAIR] * pair_left_out, dtype=np.int64))
    assert union.ids().tolist() == sorted({v for values in lists for v in values})


@pytest.mark.parametrize(
    ("rule", "label"),
    [
        (("name_pair_class",), "muhammad + ali"),
        (("name_pair_any", "birth_band"), "muhammad + ali + born 1990-1994"),
        (("given_class", "birth_year"), "muhammad + born 1991"),
        (("name_pair_any", "birth_band", "sex"), "muhammad + ali + born 1990-1994 + m"),
        (("name_skeleton", "birth_year", "birth_band"), "s:mmd + born 1991 + born 1990-1994"),
    ],
)
def test_oversized_blocks_are_named_by_every_key_of_the_rule(
    rule: tuple[str, ...], label: str
) -> None:
    """The warning names each oversized block by its keys' values, also where a rule's
    codes were renumbered to combine (a pair of name parts with a birth band; three keys)."""
    rows = [("Mohammed Ali", "1991-06-01")] * 40 + [("Olena Kovalenko", "1991-06-01")] * 3
    left, right = frame(rows, "l"), frame(rows, "r")
    left["sex"] = right["sex"] = "M"
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = block(PreparedPair(left, right), [rule], max_block=100)
    labels = [name for name, _ in pairs.stats[0].oversized]
    assert label in labels
    # Only Mohammed Ali's blocks are oversized: each label starts with his name parts'
    # classes or sound keys.
    his = {"muhammad", "ali", "s:mmd", "s:l", "p:mmd", "p:l"}
    assert all(name.split(" + ")[0] in his for name in labels)
    assert any(labels[0] in str(w.message) for w in caught)


def joined_and_nearest(
    data: PreparedPair, rule: tuple[str, ...], max_block: int, window: int
) -> set[tuple[int, int]]:
    """A rule's pairs without a refinement by band: every pair of each block within the
    limit, and each record's nearest in the oversized ones."""
    left, right = blocking.rule_values(data, rule)
    shared = np.intersect1d(left.codes, right.codes)
    pairs: set[tuple[int, int]] = set()
    big = []
    for code in shared.tolist():
        # A row once per code ("Ali Ali" gives one code twice).
        lrows = np.unique(left.rows[left.codes == code])
        rrows = np.unique(right.rows[right.codes == code])
        if len(lrows) * len(rrows) <= max_block:
            pairs |= {(int(x), int(y)) for x in lrows for y in rrows}
        else:
            big.append(code)
    entries = []
    for side in (left, right):
        keep = np.isin(side.codes, big)
        codes, rows = np.unique(np.stack([side.codes[keep], side.rows[keep]]), axis=1)
        entries.append(KeyValues(rows, codes))
    union = blocking._Union()
    blocking.nearest_in_blocks(data, entries[0], entries[1], window=window, sink=union)
    n_right = data.sizes[1]
    return pairs | {(int(i) // n_right, int(i) % n_right) for i in union.ids()}


def found_pairs(
    data: PreparedPair, rule: tuple[str, ...], max_block: int, window: int
) -> set[tuple[int, int]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the oversized blocks
        got = block(data, [rule], max_block=max_block, window=window)
    return set(zip(got.left.tolist(), got.right.tolist(), strict=True))


@settings(max_examples=30, deadline=None)
@given(
    people,
    people,
    st.sampled_from([("given_class", "birth_band"), ("name_skeleton", "birth_year")]),
)
def test_oversized_blocks_of_a_rule_with_a_birth_key_give_only_nearest_records(
    a: list[tuple[str, str]], b: list[tuple[str, str]], rule: tuple[str, ...]
) -> None:
    """The birth band would not split a block of a rule that holds a birth key (each of
    its records touches the block's band): its oversized blocks are not joined again by
    band, each of their records meets only its nearest."""
    data = PreparedPair(frame(a, "l"), frame(b, "r"))
    assert found_pairs(data, rule, 4, 1) == joined_and_nearest(data, rule, 4, 1)


@settings(max_examples=40, deadline=None)
@given(
    people,
    people,
    st.sampled_from([("name_pair_class",), ("given_class",), ("name_skeleton",)]),
    st.sampled_from([2, 4, 9]),
)
def test_oversized_blocks_of_a_rule_without_a_birth_key_are_joined_again_by_band(
    a: list[tuple[str, str]], b: list[tuple[str, str]], rule: tuple[str, ...], cap: int
) -> None:
    """A rule without a birth key: each block of at most ``cap`` pairs joined whole; in
    an oversized one, the birth band takes over (each band's sub-block of at most ``cap``
    pairs joined whole), beside each record's nearest in it; computed block by block from
    each record's key values."""
    data = PreparedPair(frame(a, "l"), frame(b, "r"))
    (key,) = rule

    lk, rk = key_sets(data, 0, key, len(a)), key_sets(data, 1, key, len(b))
    lb, rb = (key_sets(data, side, "birth_band", n) for side, n in ((0, len(a)), (1, len(b))))
    want: set[tuple[int, int]] = set()
    for code in set().union(*lk) & set().union(*rk):
        block_l = [i for i in range(len(a)) if code in lk[i]]
        block_r = [j for j in range(len(b)) if code in rk[j]]
        if len(block_l) * len(block_r) <= cap:
            want |= {(i, j) for i in block_l for j in block_r}
            continue
        for band in set().union(*(lb[i] for i in block_l)) & set().union(*(rb[j] for j in block_r)):
            band_l = [i for i in block_l if band in lb[i]]
            band_r = [j for j in block_r if band in rb[j]]
            if len(band_l) * len(band_r) <= cap:
                want |= {(i, j) for i in band_l for j in band_r}
    # Each record's nearest in an oversized block: the nearest test's own reference.
    assert found_pairs(data, rule, cap, 1) == want | joined_and_nearest(data, rule, cap, 1)


def test_records_near_a_band_edge_are_not_joined_again_by_band() -> None:
    """Two oversized blocks of one name, born 1985-1989 and 1990-1994 (each widened by
    two years): the records born near the edge are in both, and a band of their own would
    join them all (a sub-block of four pairs), though only the edge, not the evidence,
    sets them apart from their namesakes. They meet their nearest, as the others do."""
    dates = ["1987-06-03"] * 3 + ["1989-03-03", "1990-07-07"] + ["1992-06-03"] * 3
    rows = [("Ali", day) for day in dates]
    data = PreparedPair(frame(rows, "l"), frame(rows, "r"))
    rule = ("given_class", "birth_band")
    found = found_pairs(data, rule, 4, 1)
    assert found == joined_and_nearest(data, rule, 4, 1)
    assert (3, 4) not in found  # the edge's first left and second right: not near
    assert {x for x, _ in found} == {y for _, y in found} == set(range(len(rows)))


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(0, 1 << 40), min_size=1, max_size=8, unique=True),
    st.data(),
)
def test_ranked_entries_are_the_narrowed_codes(keys: list[int], data: st.DataObject) -> None:
    """The oversized blocks' entries, keyed by rank off their sorted runs, are what
    renumbering by a sort of both sides' codes gives."""
    sides = []
    for _ in range(2):
        counts = data.draw(st.lists(st.integers(1, 3), min_size=len(keys), max_size=len(keys)))
        codes = np.repeat(np.sort(np.array(keys, dtype=np.int64)), counts)
        sides.append(KeyValues(np.arange(len(codes), dtype=np.int64), codes))
    wide = [KeyValues(side.rows, side.codes + (1 << 40)) for side in sides]  # past 2**31
    narrowed = blocking._narrow((wide[0], wide[1]))
    ranked = blocking._ranked(sides[0], sides[1])
    for got, want in zip(ranked, narrowed, strict=True):
        assert np.array_equal(got.rows, want.rows)
        assert np.array_equal(got.codes, want.codes)


def test_context_rules_find_a_true_pair_among_namesakes_and_mark_it() -> None:
    # Ten namesakes born the same year on the left, thirty on the right: by name and birth
    # they all tie, and the budget's ties go to the lower ids. The true pair (L9, R29),
    # the highest ids, is told apart only by the father's name.
    def side(prefix: str, n: int) -> pd.DataFrame:
        return validate_records(
            pd.DataFrame(
                {
                    "record_id": [f"{prefix}{i:02d}" for i in range(n)],
                    "full_name": ["Muhammad"] * n,
                    "date_of_birth": ["1990"] * n,
                    "father_name": ["Yusuf"] * (n - 1) + ["Ebrahim"],
                }
            )
        )

    data = PreparedPair(side("L", 10), side("R", 30))
    true_pair = 9 * 30 + 29
    rules = [("given_class",)]
    plain = block(data, rules, max_block=10_000, per_record=5)
    assert true_pair not in plain.ids and plain.context_only is None
    context = [("field:father_name", "birth_year")]
    found = block(
        data, rules, max_block=10_000, per_record=5, context=context, context_per_record=1
    )
    assert found.context_only is not None
    # Only the pair the budget missed is added (the namesakes' best by context, a Yusuf
    # of lower id, was kept by the budget already), and it is marked.
    assert found.ids[found.context_only].tolist() == [true_pair]
    assert found.ids[~found.context_only].tolist() == plain.ids.tolist()
    assert found.n_learned == len(plain) and len(found) == len(plain) + 1
    # Without a budget, context rules add nothing (every pair is kept already).
    everything = block(data, rules, max_block=10_000, context=context, context_per_record=1)
    assert everything.context_only is None and true_pair in everything.ids
    # Where the budget kept nothing (no rule met), the context rules' pairs are all added.
    alone = with_context(data, np.zeros(0, dtype=np.int64), context, 1, 10_000, dedupe=False)
    assert alone.context_only is not None and alone.context_only.all()
    assert true_pair in alone.ids and np.all(np.diff(alone.ids) > 0)


def test_default_context_meets_a_given_name_and_a_father_without_a_birth() -> None:
    """Olga Popova (no birth date) and Olʹga Ivanova (1959), both daughters of Stepan: the
    same given name, spelt two ways, and father; another family name (a married name). No
    main rule meets them (one part, no birth on one side), nor did the context rules before
    a parent's name was keyed with the given name, birth unread; another father keeps them
    apart."""

    def record(prefix: str, given: str, family: str, father: str, birth: str) -> pd.DataFrame:
        return validate_records(
            pd.DataFrame(
                {
                    "record_id": [f"{prefix}00"],
                    "full_name": [f"{given} {family}"],
                    "given_name": [given],
                    "family_name": [family],
                    "father_name": [father],
                    "date_of_birth": [birth],
                }
            )
        )

    left = record("l", "Olga", "Popova", "Stepan", "")
    config = rm.LinkConfig()
    new = [rule for rule in config.context_blocking if "given_phonetic" in rule]
    assert new == [
        ("alike:father_name", "given_phonetic"),
        ("alike:mother_name", "given_phonetic"),
    ]
    old = [rule for rule in config.context_blocking if rule not in new]

    def pairs(father: str, context: Sequence[Sequence[str]]) -> list[int]:
        right = record("r", "Olʹga", "Ivanova", father, "1959-10-26")
        found = block(
            PreparedPair(left, right),
            config.blocking,
            max_block=config.max_block_size,
            per_record=config.candidates_per_record,
            context=context,
            context_per_record=config.context_candidates,
        )
        return found.ids.tolist()

    assert pairs("Stepan", old) == []
    assert pairs("Stepan", config.context_blocking) == [0]
    assert pairs("Ivan", config.context_blocking) == []


def test_given_prefix_keys_a_given_name_by_its_first_two_letters_as_romanised() -> None:
    """Alexander and Alexandeer (no class, skeleton or sound in common), Muhammad in Latin
    and Arabic script, an initial and a record with no given name (none)."""
    rows = [(name, "") for name in ("Alexander Ivanov", "Alexandeer Petrov", "محمد علي",
                                    "Muhammad Ali", "M. Ali", "")]  # fmt: skip
    data = PreparedPair(frame(rows, "l"), frame(rows[:1], "r"))
    values = key_values(data, 0, "given_prefix")
    code = dict(zip(values.rows.tolist(), values.codes.tolist(), strict=True))
    assert code[0] == code[1] != code[2] == code[3]
    assert 4 not in code and 5 not in code
    assert blocking._key_label(data, "given_prefix", code[0]) == "al…"
    assert blocking._key_label(data, "given_prefix", code[2]) == "mu…"


def test_default_rules_meet_a_given_name_misspelt_beside_no_birth() -> None:
    """Alexander Schewtschenko (born 1990) and Alexandeer Schewtschenko (no birth): the
    given names share no key, and no birth key can meet them; the family name with the
    given name's first letters does (``("given_prefix", "family_class")``), and not
    Olena Schewtschenko's."""

    def record(prefix: str, given: str, birth: str) -> pd.DataFrame:
        return validate_records(
            pd.DataFrame(
                {
                    "record_id": [f"{prefix}00"],
                    "full_name": [f"{given} Schewtschenko"],
                    "given_name": [given],
                    "family_name": ["Schewtschenko"],
                    "date_of_birth": [birth],
                }
            )
        )

    config = rm.LinkConfig()
    assert ("given_prefix", "family_class") in config.blocking
    before = [rule for rule in config.blocking if "given_prefix" not in rule]

    def pairs(given: str, rules: Sequence[Sequence[str]]) -> list[int]:
        data = PreparedPair(record("l", "Alexander", "1990-09-09"), record("r", given, ""))
        found = block(data, rules, max_block=config.max_block_size, per_record=30)
        return found.ids.tolist()

    assert pairs("Alexandeer", before) == []
    assert pairs("Alexandeer", config.blocking) == [0]
    assert pairs("Olena", config.blocking) == []


def test_budget_keeps_a_true_pair_born_years_apart_by_its_father_and_place() -> None:
    """Mohammeds with a budget of two: the true pair (l00, r00), whose father is Yusuf
    (spelt two ways) and who were both born in Homs, was born 1980 on one side and 1984 on
    the other (an age misestimated); each meets namesakes born its own year, from other
    fathers and places. By name and birth, each record's best are those namesakes; the
    budget's second choice, by the score plus the context that agrees, keeps the true
    pair (marked as the context's), and the budget's own pairs stay as they were. The
    context rules (father or place, and the birth year) cannot meet it."""
    others = ["Ali", "Omar", "Hassan", "Abdi", "Farah", "Ivan"]
    left = namesakes("l", "Mohammed", ["Yusuf", *others], ["1980", *["1984"] * 6])
    right = namesakes("r", "Mohammed", ["Yousef", *others], ["1984", *["1980"] * 6])
    for frame_, place in ((left, "Homs"), (right, "HOMS")):
        frame_["place_of_birth"] = [place, *["Aleppo", "Idlib", "Hama"] * 2]
    data = PreparedPair(left, right)
    rules = [("given_class",)]
    context = [("class:father_name", "birth_year_mid"), ("field:place_of_birth", "birth_year_mid")]
    plain = block(data, rules, max_block=10_000, per_record=2)
    assert 0 not in plain.ids  # l00 * n_right + r00
    found = block(
        data, rules, max_block=10_000, per_record=2, context=context, context_per_record=1
    )
    assert found.context_only is not None
    assert 0 in found.ids[found.context_only]
    assert found.ids[~found.context_only].tolist() == plain.ids.tolist()
    # The context rules alone do not meet it; nor does the second choice without context.
    alone = with_context(data, plain.ids, context, 1, 10_000, dedupe=False)
    assert 0 not in alone.ids
    assert not len(blocking.budget_choices(data, found.ids, 2, dedupe=False)[1])
    # The blocking report's steps end on the same pairs.
    report = rm.Linker(
        {
            "blocking": rules,
            "context_blocking": context,
            "candidates_per_record": 2,
            "context_candidates": 1,
        }
    ).blocking_report(left, right)
    assert report["cumulative_pairs"].iloc[-1] == len(found.ids)


def test_oversized_context_block_meets_each_records_nearest_and_is_warned() -> None:
    # Forty Ahmeds, sons of Mohammed, on each side, born in years the other side's are not
    # (the main rule meets none): the context block of the father's name class and the
    # given name's sound holds 1,600 pairs, over max_block_size 1,000. It is not joined
    # whole: each record meets its nearest of the other side in it (by name, and by
    # father's name and birth), and takes its best of those; the warning names the rule
    # and the block. A block under the cap offers its pairs, unwarned.
    left = namesakes("l", "Ahmed", ["Mohammed"] * 40, [str(1940 + i) for i in range(40)])
    right = namesakes("r", "Ahmad", ["Muhammad"] * 40, [str(1990 + i) for i in range(40)])
    data = PreparedPair(left, right)
    rules = [("given_class", "birth_year")]
    context = [("class:father_name", "given_phonetic")]
    plain = block(data, rules, max_block=1_000, per_record=2)

    def run(max_block: int) -> tuple[CandidatePairs, list[str]]:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            found = block(
                data,
                rules,
                max_block=max_block,
                per_record=2,
                context=context,
                context_per_record=1,
            )
        return found, [str(w.message) for w in caught]

    assert not len(plain.ids)
    over, said = run(1_000)
    assert over.context_only is not None and over.context_only.all()
    # each record its one best of its nearest: every record has a candidate, and the
    # pairs are each record's own choice, not the block's 1,600
    assert set(over.ids // 40) == set(range(40)) == set(over.ids % 40)
    assert len(over.ids) <= 80
    assert [m for m in said if m.startswith("context rule class:father_name+given_phonetic")]
    assert any("1,600 pairs" in m and "1 nearest" in m for m in said)
    under, said = run(2_000)
    assert len(under.ids) and under.context_only is not None and under.context_only.all()
    assert not [m for m in said if m.startswith("context rule")]


def test_alike_key_meets_a_parents_name_by_its_class_or_its_sound() -> None:
    # Two values a record: the first part's class (Fatima, Fadumo and فاطمة are one) and
    # its sound (Soraya and Suraya, Meseret and Meserret: spellings no variant list
    # holds, whose classes differ). Different names stay apart (Layla).
    data = PreparedPair(
        namesakes("L", "Amina", ["Soraya", "Fatima", "Meseret", "Layla", ""]),
        namesakes("R", "Amina", ["Suraya", "Fadumo", "Meserret", "فاطمة"]),
    )
    for key, met in (
        ("class:father_name", {(1, 1), (1, 3)}),
        ("alike:father_name", {(0, 0), (1, 1), (1, 3), (2, 2)}),
    ):
        pairs = block(data, [(key,)], max_block=100)
        assert set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == met, key
    values = key_values(data, 0, "alike:father_name")
    assert values.rows.tolist() == [0, 0, 1, 1, 2, 2, 3, 3]  # none if blank
    labels = {blocking._key_label(data, "alike:father_name", int(c)) for c in values.codes}
    assert {"soraya", "fatima", "layla"} <= labels  # a class reads as its name
    assert len(labels) == 8
    rules = rm.LinkConfig(context_blocking=[("alike:mother_name", "birth_year_mid")])
    assert rules.context_blocking == (("alike:mother_name", "birth_year_mid"),)
    assert rm.config.key_column("alike:mother_name") == "mother_name"


def test_default_context_meets_a_mother_spelt_as_no_list_holds() -> None:
    # Nabilas with a budget of two, as above: the true pair (l0, r0) was born 1980 on one
    # side and 1984 on the other, and each record meets namesakes born its own year, whose
    # mothers are others. Its mother, Soraya on one side and Suraya on the other, is a
    # spelling no variant list holds (two classes): the default context rules meet it by
    # her sound (with the given name's, birth unread); by her class they did not.
    others = ["Amina", "Huda", "Layla", "Mariam", "Noor", "Rania"]

    def side(prefix: str, name: str, mother: str, born: str, others_born: str) -> pd.DataFrame:
        n = len(others) + 1
        return validate_records(
            pd.DataFrame(
                {
                    "record_id": [f"{prefix}{i}" for i in range(n)],
                    "full_name": [name] * n,
                    "mother_name": [mother, *others],
                    "date_of_birth": [born, *[others_born] * len(others)],
                }
            )
        )

    data = PreparedPair(
        side("l", "Nabila", "Soraya", "1980", "1984"),
        side("r", "Nabeela", "Suraya", "1984", "1980"),
    )
    config = rm.LinkConfig()

    def found(context: Sequence[Sequence[str]]) -> bool:
        pairs = block(
            data, config.blocking, max_block=config.max_block_size, per_record=2,
            context=context, context_per_record=config.context_candidates,
        )  # fmt: skip
        return 0 in pairs.ids.tolist()

    assert not found([])
    assert found(config.context_blocking)
    by_class = [tuple(k.replace("alike:", "class:") for k in r) for r in config.context_blocking]
    assert not found(by_class)


def test_class_key_meets_a_fathers_name_spelt_two_ways() -> None:
    # "Mohammed" and "Muhammad" (and the Arabic script) are one name class; a folded
    # field's value keeps them apart. The key reads the first part of a name column.
    data = PreparedPair(
        namesakes("L", "Amina", ["Mohammed Ali", "Yusuf", ""]),
        namesakes("R", "Amina", ["Muhammad", "محمد", "Ebrahim"]),
    )
    left, right = key_values(data, 0, "class:father_name"), key_values(data, 1, "class:father_name")
    assert left.rows.tolist() == [0, 1] and right.rows.tolist() == [0, 1, 2]  # none if blank
    assert left.codes[0] == right.codes[0] == right.codes[1]
    assert len({int(left.codes[1]), int(left.codes[0]), int(right.codes[2])}) == 3
    exact = key_values(data, 0, "field:father_name"), key_values(data, 1, "field:father_name")
    assert not set(exact[0].codes.tolist()) & set(exact[1].codes.tolist())
    assert blocking._key_label(data, "class:father_name", int(left.codes[1])) != ""


def test_context_class_key_counts_as_an_agreeing_part() -> None:
    # Namesakes born the same year in the same place: every pair meets by the place, and
    # the father's name, spelt differently on each side, tells the true pair (the highest
    # ids) apart only if its class scores; the folded text does not meet.
    def side(prefix: str, n: int, father: str) -> pd.DataFrame:
        return validate_records(
            pd.DataFrame(
                {
                    "record_id": [f"{prefix}{i:02d}" for i in range(n)],
                    "full_name": ["Amina"] * n,
                    "date_of_birth": ["1990"] * n,
                    "place_of_birth": ["Aleppo"] * n,
                    "father_name": ["Yusuf"] * (n - 1) + [father],
                }
            )
        )

    data = PreparedPair(side("L", 10, "Mohammed"), side("R", 30, "Muhammad"))
    true_pair = 9 * 30 + 29
    rules = [("given_class",)]
    plain = block(data, rules, max_block=10_000, per_record=5)
    assert true_pair not in plain.ids
    place = ("field:place_of_birth", "birth_year_mid")
    for key, found_it in ((None, False), ("field:", False), ("class:", True)):
        context = [place] + ([] if key is None else [(f"{key}father_name", "birth_year_mid")])
        found = block(
            data, rules, max_block=10_000, per_record=5, context=context, context_per_record=1
        )
        assert found.context_only is not None
        assert (true_pair in found.ids[found.context_only]) == found_it
        assert found.ids[~found.context_only].tolist() == plain.ids.tolist()


def test_context_scores_do_not_depend_on_what_was_coded_before(
    synthetic: dict[str, pd.DataFrame],
) -> None:
    # fit codes the parents' names (its comparisons) before blocking; predict on new frames
    # blocks first, and the context inputs code them: every pair's context score is the
    # same either way (a father's class coded apart on each side would never agree), and
    # so are the pairs.
    config = rm.LinkConfig()
    keys = [
        k
        for rule in config.context_blocking
        for k in rule
        if k.startswith(("field:", "class:", "alike:"))
    ]
    fields = list(dict.fromkeys(keys))
    assert any(k.startswith("alike:") for k in fields)
    requests, sightings = (validate_records(synthetic[s]) for s in ("requests", "sightings"))
    scores, found, context = [], [], []
    for coded_first in (False, True):
        data = PreparedPair(requests, sightings)
        if coded_first:
            for column in ("mother_name", "father_name"):
                data.form_arrays(0, column)
        # The budget's second choice reads the context as bytes of its values' spellings.
        context.append([blocking._context_bytes(data, s, fields) for s in (0, 1)])
        rows = [kernels.affinity_rows(blocking._context_inputs(data, s, fields)) for s in (0, 1)]
        n_left, n_right = data.sizes
        every = np.arange(n_left * n_right, dtype=np.int64)
        scores.append(
            kernels.affinity(*rows, every, n_right, missing=blocking.MISSING, year=blocking.YEAR)
        )
        found.append(default_block(data))
    assert np.array_equal(*scores)
    for before, after in zip(*context, strict=True):
        assert before is not None and after is not None
        assert np.array_equal(before, after)
        assert (before != 0).any()
    first, second = found
    assert first.context_only is not None and second.context_only is not None
    assert first.context_only.any()
    assert np.array_equal(first.ids, second.ids)
    assert np.array_equal(first.context_only, second.context_only)


def test_birth_year_mid_is_one_year_a_record() -> None:
    records = frame(
        [("Ali", "1990-07-01"), ("Omar", "1990"), ("Aly", "2001-05-06"), ("Umar", "")], "r"
    )
    data = PreparedPair(records, records)
    values = key_values(data, 0, "birth_year_mid")
    assert values.rows.tolist() == [0, 1, 2]  # one value each; none without a birth
    assert values.codes[0] == values.codes[1] != values.codes[2]
    # birth_year gives the same records three or four years each (a year either way).
    assert np.bincount(key_values(data, 0, "birth_year").rows).min() >= 3


def test_birth_year_mid_holds_three_years_for_a_record_with_no_name() -> None:
    # A newborn known by its mother's name ("Baby of Suzan": no name of its own) meets by
    # the context rules alone, so its birth year holds the years either side of it too; a
    # named record's holds one (as above).
    records = frame([("Baby of Suzan", "2018-03-08"), ("Kawa Ahmed", "2017-01-02")], "r")
    data = PreparedPair(records, records)
    values = key_values(data, 0, "birth_year_mid")
    assert values.rows.tolist() == [0, 0, 0, 1]
    years = [int(c) - 10_000 + 1970 for c in values.codes]
    assert years == [2017, 2018, 2019, 2017]


def test_a_newborn_named_by_its_mother_meets_its_record_born_a_year_apart() -> None:
    # The synthetic children's forms' newborn: "Baby of Suzan" registered months after a
    # birth the other record dates a year earlier (an age under one misread). Only the
    # mother's name (its class: Suzan, سۆزان) and the birth can meet them; the default
    # rules propose the pair, and no pair of the named records born a year apart.
    def side(prefix: str, rows: list[tuple[str, str, str]]) -> pd.DataFrame:
        return prepare.parents_named(  # as the linker reads them: the mother is Suzan
            validate_records(
                pd.DataFrame(
                    {
                        "record_id": [f"{prefix}{i}" for i in range(len(rows))],
                        "full_name": [name for name, _, _ in rows],
                        "mother_name": [mother for _, mother, _ in rows],
                        "date_of_birth": [dob for _, _, dob in rows],
                    }
                )
            )
        )

    left = side("l", [("Baby of Suzan", "", "2018-03-08"), ("Hevi Omer", "Suzan", "2018-03-08")])
    right = side(
        "r", [("Kawa Ahmed", "سۆزان", "2017-01-02"), ("Dilan Aziz", "Suzan", "2016-05-01")]
    )
    pairs = default_block(PreparedPair(left, right))
    assert pairs.ids.tolist() == [0]  # l0 with r0: the newborn, born a year before


def test_birth_date_unnamed_meets_a_record_with_no_name_with_those_born_that_day() -> None:
    # A record with no name part meets each record of the other side born the same day,
    # named or not; two named records never meet by it, nor a placeholder date (1 January:
    # not exact), nor the next day. In one list alike.
    left = frame(
        [("Baby of Solomiia", "2021-12-14"), ("Olena Koval", "2021-12-14"),
         ("Unknown", "2020-01-01"), ("Ivan Petrenko", "2020-01-01")],
        "l",
    )  # fmt: skip
    right = frame(
        [("Bohdana Shevchenko", "2021-12-14"), ("N/A", "2021-12-14"), ("Taras Bulba", "2021-12-15"),
         ("Unknown", "2020-01-01"), ("Petro Ivanenko", "2020-01-01")],
        "r",
    )  # fmt: skip
    data = PreparedPair(left, right)
    pairs = block(data, [("birth_date_unnamed",)], max_block=1_000)
    n_right = len(right)
    assert sorted((i // n_right, i % n_right) for i in pairs.ids.tolist()) == [
        (0, 0),
        (0, 1),
        (1, 1),
    ]
    one = frame(
        [("Baby of Solomiia", "2021-12-14"), ("Olena Koval", "2021-12-14"),
         ("Bohdana Shevchenko", "2021-12-14"), ("Unknown", "2021-12-14")],
        "x",
    )  # fmt: skip
    found = block(PreparedPair(one, one), [("birth_date_unnamed",)], max_block=1_000, dedupe=True)
    assert sorted((i // 4, i % 4) for i in found.ids.tolist()) == [
        (0, 1), (0, 2), (0, 3), (1, 3), (2, 3)
    ]  # fmt: skip


def test_a_newborn_with_no_parent_or_place_in_common_meets_its_record_born_that_day() -> None:
    # "Baby of Solomiia" in a maternity ward's list, born 14 December 2021, and the same
    # child named Bohdana by the family that seeks her, no mother's name given: only the
    # day of birth is shared. The default rules propose the pair, and not the named girl
    # born that day.
    left = prepare.parents_named(frame([("Baby of Solomiia", "2021-12-14")], "l"))
    right = frame([("Bohdana Shevchenko", "2021-12-14"), ("Oksana Melnyk", "2021-12-13")], "r")
    assert default_block(PreparedPair(left, right)).ids.tolist() == [0]


def test_birth_year_mid_is_the_calendar_year() -> None:
    # Late December of a year, decades from 1970 (years of 365 days drift by a day every
    # four years), and a record born that year with no date: the same year.
    dated = [("Ali", f"{y}-12-{d}") for y in (1950, 1990, 2010, 2023) for d in (20, 28, 31)]
    records = frame([*dated, ("Ali", "1990"), ("Ali", "2010-01-01")], "r")
    data = PreparedPair(records, records)
    values = key_values(data, 0, "birth_year_mid")
    years = [int(c) - 10_000 + 1970 for c in values.codes]
    assert years == [y for y in (1950, 1990, 2010, 2023) for _ in range(3)] + [1990, 2010]


@pytest.mark.filterwarnings("ignore:comparison .* never varies")
@pytest.mark.parametrize(
    ("option", "rule", "ok"),
    [
        ("blocking", ("field:camp",), False),
        ("blocking", ("sorted:class:fathers_name",), False),
        ("blocking", ("class:father_name", "birth_band"), True),
        # a column one input has reads as blank in the other
        ("blocking", ("field:district",), True),
        ("context_blocking", ("field:plaec_of_birth", "birth_year_mid"), False),
        # a default context rule on a column neither export has is let be
        ("context_blocking", ("field:place_of_origin", "birth_year_mid"), True),
    ],
)
def test_a_rule_on_a_column_of_neither_input_is_an_error(
    option: str, rule: tuple[str, ...], ok: bool
) -> None:
    left, right = (
        namesakes("L", "Amina", ["Yusuf", "Omar"]),
        namesakes("R", "Amina", ["Yusuf", "Ali"]),
    )
    left["district"] = ["Sirte", "Misrata"]
    linker = rm.Linker(rm.LinkConfig(**{option: (rule, ("given_class",))}))
    column = rule[0].removeprefix("sorted:").partition(":")[2]
    for run in (lambda: linker.blocking_report(left, right), lambda: linker.fit(left, right)):
        if ok:
            run()
        else:
            with pytest.raises(rm.ConfigError, match=f"{column!r}, a column of neither input"):
                run()


@pytest.mark.filterwarnings("ignore:comparison .* never varies")
def test_new_frames_without_a_rules_column_are_an_error_in_predict() -> None:
    left, right = (
        namesakes("L", "Amina", ["Yusuf", "Omar"]),
        namesakes("R", "Amina", ["Yusuf", "Ali"]),
    )
    for frame in (left, right):
        frame["district"] = ["Sirte", "Misrata"]
    config = rm.LinkConfig(blocking=(("field:district",), ("given_class",)))
    linker = rm.Linker(config).fit(left, right)
    assert len(linker.predict(left.drop(columns="district"), right, threshold=0.0))
    with pytest.raises(rm.ConfigError, match="'district', a column of neither input"):
        linker.predict(left.drop(columns="district"), right.drop(columns="district"))


class Tally:
    """A sink that keeps the distinct pairs and counts them as the budget does."""

    def __init__(self) -> None:
        self.pairs: set[int] = set()
        self.offered = 0

    def add(self, ids: np.ndarray, met: int | None = None) -> None:
        self.pairs |= set(ids.tolist())
        self.offered += len(ids) if met is None else met

    def release(self) -> None:
        pass


@settings(max_examples=40, deadline=None)
@given(
    people,
    people,
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 11), st.booleans()), max_size=40),
    st.integers(1, 3),
    st.booleans(),
)
def test_nearest_of_repeated_blocks_are_counted_not_made_again(
    a: list[tuple[str, str]],
    b: list[tuple[str, str]],
    entries: list[tuple[int, int, bool]],
    window: int,
    dedupe: bool,
) -> None:
    """Blocks whose rows repeat another's (codes 6 to 11 copy 0 to 5) give the same
    pairs and the same count as when every block meets its nearest."""
    data = PreparedPair(frame(a, "l"), frame(b, "r"))
    sides: list[set[tuple[int, int]]] = [set(), set()]
    for code, row, right in entries:
        n = len(b) if right else len(a)
        for copy in (code, code + 6):
            sides[right].add((copy, row % n))
    values = [  # sorted by code, then row
        KeyValues(
            np.array([row for _, row in sorted(side)], dtype=np.int64),
            np.array([code for code, _ in sorted(side)], dtype=np.int64),
        )
        for side in sides
    ]
    got, want = Tally(), Tally()
    blocking.nearest_in_blocks(data, values[0], values[1], window=window, sink=got, dedupe=dedupe)
    with mock.patch.object(blocking, "_same_blocks", lambda _l, _r, b: np.arange(len(b[0]))):
        blocking.nearest_in_blocks(
            data, values[0], values[1], window=window, sink=want, dedupe=dedupe
        )
    assert (got.pairs, got.offered) == (want.pairs, want.offered)


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(st.sets(st.integers(0, 4)), st.sets(st.integers(0, 4))), max_size=12))
def test_same_blocks_are_the_first_with_the_same_rows(
    blocks: list[tuple[set[int], set[int]]],
) -> None:
    """Each block's first block with the same rows of both sides (itself if none)."""
    blocks = [(lrows, rrows) for lrows, rrows in blocks if lrows and rrows]
    spans: list[list[int]] = [[], [], [], []]
    rows: list[list[int]] = [[], []]
    for block_rows in blocks:
        for side, these in enumerate(block_rows):
            spans[2 * side].append(len(rows[side]))
            spans[2 * side + 1].append(len(these))
            rows[side] += sorted(these)
    got = blocking._same_blocks(
        np.array(rows[0], dtype=np.int64),
        np.array(rows[1], dtype=np.int64),
        tuple(np.array(v, dtype=np.int64) for v in spans),
    )
    assert got.tolist() == [blocks.index(one) for one in blocks]


def _typed(form: NameForm, at: int) -> set[tuple[str, str]]:
    keys = {
        ("c", form.variant_ids[at]),
        ("s", form.skeleton_keys[at]),
        ("p", form.phonetic_keys[at]),
    }
    return {k for k in keys if k[1]}


def _part_pairs(parts: list[set[tuple[str, str]]]) -> set[frozenset[tuple[str, str]]]:
    """Each unordered pair of distinct keys of two different parts."""
    return {
        frozenset((a, b))
        for i, one in enumerate(parts)
        for other in parts[i + 1 :]
        for a in one
        for b in other
        if a != b
    }


def _compound_pairs(
    skeletons: tuple[str, ...], rest: list[set[tuple[str, str]]]
) -> set[frozenset[tuple[str, str]]]:
    """Two skeletons run together (a compound given name), paired with each key of the
    parts after them; none under two letters."""
    compound = ("s", "".join(skeletons))
    if len(compound[1]) < 2:
        return set()
    return {frozenset((compound, b)) for one in rest for b in one if b != compound}


def _pair_any_reference(given: str, family: str, full: str) -> set[frozenset[tuple[str, str]]]:
    """A record's ``name_pair_any`` values read from its names one by one: each unordered
    pair of keys of two of its own parts (the given name, the family name's parts), and the
    pair of skeletons of the full name's first two parts; a given name of two parts or
    more, its first two skeletons run together, paired with each key of the family name's
    parts."""
    given_form = normalize_name(given)
    parts = [_typed(given_form, 0)]
    family_form = normalize_name(family)
    parts += [_typed(family_form, i) for i in range(min(len(family_form.tokens), 3))]
    out = _part_pairs(parts)
    if len(given_form.tokens) >= 2:
        out |= _compound_pairs(given_form.skeleton_keys[:2], parts[1:])
    head = normalize_name(full).skeleton_keys[:2]
    if len(head) == 2 and all(head) and head[0] != head[1]:
        out.add(frozenset((("s", head[0]), ("s", head[1]))))
    return out


#: a few names and two of them run together (Abdi Hassan, Omar Farah), so that compound
#: given names written apart meet their one-word spelling
COMPOUNDS = ["Abdi", "Hassan", "Omar", "Farah", "Ali", "Ivan", "Abdihassan", "Omarfarah"]

chains = st.lists(
    st.tuples(
        st.lists(st.sampled_from(COMPOUNDS), min_size=1, max_size=2).map(" ".join),
        st.lists(st.sampled_from(NAMES), min_size=0, max_size=2),
        st.lists(st.sampled_from(COMPOUNDS), min_size=1, max_size=2),
    ),
    min_size=1,
    max_size=10,
)


def chain_frame(rows: list[tuple[str, list[str], list[str]]], prefix: str) -> pd.DataFrame:
    return validate_records(
        pd.DataFrame(
            {
                "record_id": [f"{prefix}{i}" for i in range(len(rows))],
                "full_name": [" ".join([g, *middle, *family]) for g, middle, family in rows],
                "given_name": [g for g, _, _ in rows],
                "family_name": [" ".join(family) for _, _, family in rows],
            }
        )
    )


@settings(max_examples=40, deadline=None)
@given(chains, chains)
@example([("Abdi Hassan", [], ["Omar"])], [("Abdihassan", ["Ali"], ["Omar"])])
@example([("Abdi", [], ["Hassan", "Omar"])], [("Abdihassan", [], ["Omar"])])  # a family field
def test_name_pair_any_meets_on_own_parts_or_the_full_names_first_two(
    a: list[tuple[str, list[str], list[str]]], b: list[tuple[str, list[str], list[str]]]
) -> None:
    """Names with a father between given and family name: two records meet on
    ``name_pair_any`` exactly when a pair of their own parts' keys, or the full names'
    first two parts, or a given name of two parts run together and a family part, agree
    (a reference that reads each record's names alone)."""
    left, right = chain_frame(a, "l"), chain_frame(b, "r")
    pairs = block(PreparedPair(left, right), [("name_pair_any",)], max_block=10_000)
    found = set(
        zip(
            left["record_id"].to_numpy()[pairs.left],
            right["record_id"].to_numpy()[pairs.right],
            strict=True,
        )
    )
    keys = [
        [_pair_any_reference(g, " ".join(f), " ".join([g, *m, *f])) for g, m, f in side]
        for side in (a, b)
    ]
    expected = {
        (f"l{i}", f"r{j}")
        for i, one in enumerate(keys[0])
        for j, other in enumerate(keys[1])
        if one & other
    }
    assert found == expected


def given_family_frame(rows: list[tuple[str, str, bool]], prefix: str) -> pd.DataFrame:
    """Records with a given-name and a family-name field ("": none), and the full name or
    none."""
    return validate_records(
        pd.DataFrame(
            {
                "record_id": [f"{prefix}{i}" for i in range(len(rows))],
                "full_name": [f"{g} {f}".strip() if full else None for g, f, full in rows],
                "given_name": [g for g, _, _ in rows],
                "family_name": [f or None for _, f, _ in rows],
            }
        )
    )


def test_joined_skeleton_runs_every_part_of_a_given_name_field() -> None:
    """A compound given name written apart in the given-name field meets it written as one
    word ("Gul Ahmad" + "Kakar" / "Gulahmad" + "Kakkar"): the joined key runs together all
    the field's parts, not only the first one that the own parts keep; so does a given-name
    field alone (no family name, no full name)."""
    split = [
        ("Gul Ahmad", "Kakar", True),
        ("Marie Claire", "Mwamba", False),
        ("Gul Ahmad", "", False),
    ]
    joined = [
        ("Gulahmad", "Kakkar", False),
        ("Mariclaire", "Mwamba", True),
        ("Gulahmad", "", False),
    ]
    left, right = given_family_frame(split, "l"), given_family_frame(joined, "r")
    pairs = block(PreparedPair(left, right), [("name_joined_skeleton",)], max_block=10_000)
    got = sorted(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))
    assert got == [(0, 0), (1, 1), (2, 2)]


given_family = st.lists(
    st.tuples(
        st.lists(st.sampled_from(NAMES), min_size=1, max_size=2).map(" ".join),
        st.lists(st.sampled_from(NAMES), min_size=1, max_size=2).map(" ".join),
        st.booleans(),
    ),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(given_family)
def test_joined_skeleton_of_given_and_family_fields_is_their_skeletons_run_together(
    rows: list[tuple[str, str, bool]],
) -> None:
    """With a given-name and a family-name field, the joined key is every skeleton of the
    given name's parts, then the family name's, run together (a reference that normalises
    each field alone); none under two letters."""
    data = PreparedPair(given_family_frame(rows, "l"), given_family_frame(rows[:1], "r"))
    joined = data.person_names(0).joined
    words = np.append(data.keys.array().astype(str), "")  # no key (-1): last
    found = words[joined].tolist()
    expected = []
    for given_name, family_name, _ in rows:
        run = "".join(
            (*normalize_name(given_name).skeleton_keys, *normalize_name(family_name).skeleton_keys)
        )
        expected.append(f"j:{run}" if len(run) >= 2 else "")
    assert found == expected


def _full_pair_any_reference(full: str) -> set[frozenset[tuple[str, str]]]:
    """A full name's ``name_pair_any`` values (no culture hint, no other name field): each
    pair of keys of two of its first four parts, and its first two parts' skeletons run
    together paired with each key of the parts after them."""
    form = normalize_name(full)
    parts = [_typed(form, i) for i in range(min(len(form.tokens), 4))]
    out = _part_pairs(parts)
    if len(parts) >= 2 and all(form.skeleton_keys[:2]):
        out |= _compound_pairs(form.skeleton_keys[:2], parts[2:])
    return out


full_names = st.lists(
    st.lists(st.sampled_from(COMPOUNDS), min_size=1, max_size=5).map(" ".join),
    min_size=1,
    max_size=8,
)


@settings(max_examples=40, deadline=None)
@given(full_names, full_names)
@example(["Abdi Hassan Ali Omar"], ["Abdihassan Omar"])
def test_name_pair_any_meets_a_compound_run_together_on_full_names(
    a: list[str], b: list[str]
) -> None:
    """Full names only: two records meet on ``name_pair_any`` exactly when a pair of their
    own parts' keys agree, or the first two parts run together and a later part meet a pair
    of the other's ("Abdi Wali Mohammed Ahmad" / "Abdiwali Muhammad"): a reference that
    reads each name alone."""
    left = frame([(name, "") for name in a], "l")
    right = frame([(name, "") for name in b], "r")
    pairs = block(PreparedPair(left, right), [("name_pair_any",)], max_block=10_000)
    found = set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True))
    keys = [[_full_pair_any_reference(name) for name in side] for side in (a, b)]
    expected = {
        (i, j) for i, one in enumerate(keys[0]) for j, other in enumerate(keys[1]) if one & other
    }
    assert found == expected


def test_name_pair_any_meets_a_compound_given_name_written_apart() -> None:
    """Golden: a compound given name written apart meets it written as one word where only
    one other part agrees, in a full name and in a given-name field."""
    left = frame([("Abdi Wali Mohammed Ahmad", ""), ("Noor Ahmad Haidari", "")], "l")
    right = given_family_frame(
        [("Abdiwali", "Muhammad", True), ("Noorahmad", "Haidari", False)], "r"
    )
    pairs = block(PreparedPair(left, right), [("name_pair_any",)], max_block=10_000)
    assert sorted(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == [(0, 0), (1, 1)]


def test_a_compound_given_field_read_again_in_the_full_name_pairs_only_what_follows() -> None:
    """Given field "Abdi Hassan", no family field, full name "Abdi Hassan Omar": the own
    parts hold hassan already (the full name's rest), so the compound (bdsn) pairs with
    omar only, not with hassan, a half of itself."""
    rows = pd.DataFrame(
        {"record_id": ["l0"], "full_name": ["Abdi Hassan Omar"], "given_name": ["Abdi Hassan"]}
    )
    data = PreparedPair(validate_records(rows), frame([("Ivan", "")], "r"))
    found = set(key_values(data, 0, "name_pair_any").codes.tolist())
    words = data.keys.array().astype(str).tolist()
    classes = data.classes.array().astype(str).tolist()
    form = normalize_name("Abdi Hassan Omar")
    parts = [_typed(form, i) for i in range(3)]
    expected = _part_pairs(parts) | _compound_pairs(form.skeleton_keys[:2], parts[2:])

    def typed(code: int) -> tuple[str, str]:
        kind, value = code % 3, code // 3
        return ("c", classes[value]) if kind == 0 else ("sp"[kind - 1], words[value][2:])

    width = 1 << 31
    assert {frozenset((typed(c // width), typed(c % width))) for c in found} == expected


CHAIN_WORDS = ["Yohannes", "Berhane", "Tesfay", "Hagos", "Rahel", "Dawit", "Farah", "Amina"]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(CHAIN_WORDS),
            st.lists(st.sampled_from(CHAIN_WORDS), min_size=0, max_size=2),
            st.lists(st.sampled_from(CHAIN_WORDS), min_size=1, max_size=1),
        ),
        min_size=1,
        max_size=6,
    )
)
def test_blocking_reads_the_name_fields_and_comparisons_the_full_name(
    rows: list[tuple[str, list[str], list[str]]],
) -> None:
    # A full name that holds its given name, then names between, then its family name
    # field: the comparisons read its parts as the full name alone gives them (the chain);
    # blocking reads them as the fields alone give them.
    ids = [f"r{i}" for i in range(len(rows))]
    full = [" ".join([g, *m, *f]) for g, m, f in rows]
    given_ = [g for g, _, _ in rows]
    family = [" ".join(f) for _, _, f in rows]

    def data(columns: dict[str, list[str]]) -> PreparedPair:
        side = validate_records(pd.DataFrame({"record_id": ids, **columns}))
        return PreparedPair(side, side)

    both = data({"full_name": full, "given_name": given_, "family_name": family})
    whole = data({"full_name": full})
    fields = data({"given_name": given_, "family_name": family})

    def spelt(pair: PreparedPair, names: PersonNames) -> list[tuple[str, ...]]:
        """Each record's parts as skeleton and class spellings (codes are each pair's)."""
        keys, classes = pair.keys.array(), pair.classes.array()
        out = []
        for row in range(len(ids)):
            skeletons = names.skeletons[row]
            out.append(
                tuple(str(keys[c]) for c in skeletons if c >= 0)
                + tuple(str(classes[c]) for c in names.classes[row] if c >= 0)
            )
        return out

    assert spelt(both, both.person_names(0)) == spelt(whole, whole.person_names(0))
    assert spelt(both, both.blocking_names(0)) == spelt(fields, fields.person_names(0))


TOKEN_WORDS = ["a1", "b2", "c3", "d4", "E5", "e5", "f6"]
token_people = st.lists(
    st.tuples(
        st.lists(st.sampled_from(TOKEN_WORDS), max_size=4).map(" ".join),
        st.sampled_from(["", "1990", "1995", "2001-05-06", "2010"]),
    ),
    min_size=1,
    max_size=12,
)
TOKEN_RULES = [("tokens:keys",), ("tokens:keys", "birth_band"), ("birth_year", "tokens:keys")]


def encoded_frame(rows: list[tuple[str, str]], prefix: str) -> pd.DataFrame:
    """Records with no name in clear: a token column (as the encoded format's name_keys)
    and a date of birth."""
    return validate_records(
        pd.DataFrame(
            {
                "record_id": [f"{prefix}{i:02d}" for i in range(len(rows))],
                "name_bloom": "",
                "keys": [keys for keys, _ in rows],
                "date_of_birth": [dob for _, dob in rows],
            }
        )
    )


def token_pairs(
    left: pd.DataFrame, right: pd.DataFrame, max_block: int = 10_000, per_record: int = 0
) -> set[tuple[str, str]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # oversized blocks, with a small max_block
        pairs = block(
            PreparedPair(left, right), TOKEN_RULES, max_block=max_block, per_record=per_record
        )
    ids = left["record_id"].to_numpy(), right["record_id"].to_numpy()
    return set(zip(ids[0][pairs.left], ids[1][pairs.right], strict=True))


@settings(max_examples=40, deadline=None)
@given(token_people, token_people)
def test_token_keys_equal_brute_force(a: list[tuple[str, str]], b: list[tuple[str, str]]) -> None:
    """Two records meet on a tokens: key where they share any token, exactly as written
    (digests: no case folded; and, in a rule with a birth key, a value of that key too)."""
    left, right = encoded_frame(a, "l"), encoded_frame(b, "r")
    data = PreparedPair(left, right)

    def births(side: int, key: str, n: int) -> list[set[int]]:
        found = key_values(data, side, key)
        return [set(found.codes[found.rows == i].tolist()) for i in range(n)]

    def tokens(frame: pd.DataFrame) -> list[set[str]]:
        return [set(value.split()) for value in frame["keys"]]

    want = set()
    for rule in TOKEN_RULES:
        birth = [k for k in rule if not k.startswith("tokens:")]
        lb = births(0, birth[0], len(left)) if birth else None
        rb = births(1, birth[0], len(right)) if birth else None
        for i, lt in enumerate(tokens(left)):
            for j, rt in enumerate(tokens(right)):
                if lt & rt and (lb is None or rb is None or lb[i] & rb[j]):
                    want.add((left["record_id"].iat[i], right["record_id"].iat[j]))
    assert token_pairs(left, right) == want


@settings(max_examples=30, deadline=None)
@given(token_people, token_people, st.sampled_from([10_000, 4]), st.sampled_from([0, 2]))
def test_token_keys_do_not_depend_on_row_order(
    a: list[tuple[str, str]], b: list[tuple[str, str]], max_block: int, per_record: int
) -> None:
    """Also in oversized blocks (nearest records by sorted tokens and by birth) and with a
    candidate budget that scores shared tokens."""
    left, right = encoded_frame(a, "l"), encoded_frame(b, "r")
    shuffled_l = left.sample(frac=1.0, random_state=1).reset_index(drop=True)
    shuffled_r = right.sample(frac=1.0, random_state=2).reset_index(drop=True)
    assert token_pairs(left, right, max_block, per_record) == token_pairs(
        shuffled_l, shuffled_r, max_block, per_record
    )


def test_oversized_token_block_meets_the_same_names_and_leaves_no_record_out() -> None:
    """Records with no name in clear in one oversized block (one common token, no birth
    date): each meets a few neighbours, those with the same tokens first, written in any
    order; none is left without candidates."""
    names = ["aa bb", "aa cc", "aa dd", "aa ee"] * 25
    left = encoded_frame([(n, "") for n in names], "l")
    right = encoded_frame([(" ".join(reversed(n.split())), "") for n in names], "r")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pairs = block(PreparedPair(left, right), [("tokens:keys",)], max_block=100, window=2)
    assert any("nearest" in str(w.message) for w in caught)
    assert set(pairs.left.tolist()) == set(range(100)) == set(pairs.right.tolist())
    assert len(pairs) <= 100 * 2 * 2 * 2 * 2
    # Every record meets one with its own tokens (by the order of sorted tokens; the
    # other order, with no birth date nor father, goes by record id).
    same = np.array(names)[pairs.left] == np.array(names)[pairs.right]
    assert set(pairs.left[same].tolist()) == set(range(100)) == set(pairs.right[same].tolist())


def test_budget_keeps_the_candidate_sharing_more_tokens() -> None:
    """The budget's score reads the rule's tokens as name parts: l01 keeps r01, which has
    all its tokens, not r00, which shares one and comes first by id (births tie); r00
    keeps its best, l00 (a tie, by id)."""
    left = encoded_frame([("aa bb cc", "1990"), ("aa bb cc", "1990")], "l")
    right = encoded_frame([("aa", "1990"), ("cc bb aa", "1990")], "r")
    pairs = block(PreparedPair(left, right), [("tokens:keys",)], max_block=100, per_record=1)
    assert set(zip(pairs.left.tolist(), pairs.right.tolist(), strict=True)) == {
        (0, 1), (1, 1), (0, 0),
    }  # fmt: skip


def test_token_keys_in_a_configuration() -> None:
    config = rm.LinkConfig(blocking=[["tokens:name_keys", "birth_band"]])
    with pytest.raises(rm.ConfigError, match="values are not sorted"):
        rm.LinkConfig(blocking=["sorted:tokens:x"])  # ties would be broken by row order
    with pytest.raises(rm.ConfigError, match="values are not sorted"):
        rm.LinkConfig(blocking=["sorted:alike:father_name"])  # a class and a sound
    assert rm.config.key_column("tokens:name_keys") == "name_keys"
    assert config.blocking[0] == ("tokens:name_keys", "birth_band")
    left = encoded_frame([("aa", "1990")], "l")
    with pytest.raises(rm.ConfigError, match="'tokens:name_keys' names 'name_keys'"):
        rm.Linker(config).fit(left, encoded_frame([("aa", "1990")], "r"))


def test_encoded_namesakes_with_one_fathers_filter_meet_though_born_years_apart(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """As with names in clear: forty records a side with the same tokens, one born each
    half year; the true pair shares its father's filter (the encoded father's name), born
    1980 on one side and 1990 on the other. Ordered by the father's filter, they meet."""
    filters = ["b64:" + base64.b64encode(bytes([k]) * 8).decode() for k in range(9)]  # 64 bits
    fathers = [filters[k % 8] for k in range(39)]
    born = [f"{1975 + k // 2}-{1 + 6 * (k % 2):02d}-03" for k in range(39)]

    def side(prefix: str, birth: str) -> pd.DataFrame:
        frame = encoded_frame([("aa bb", b) for b in [birth, *born]], prefix)
        return frame.assign(father_name_bloom=[filters[8], *fathers])

    left, right = side("l", "1980-03-03"), side("r", "1990-03-03")

    def met() -> bool:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the oversized block
            pairs = block(PreparedPair(left, right), [("tokens:keys",)], max_block=100, window=2)
        assert len(pairs) <= 80 * 2 * 2 * 2 * 2  # linear: a few neighbours a record
        return 0 in pairs.ids  # l00 * n_right + r00

    assert met()
    monkeypatch.setattr(blocking, "ENCODED_CONTEXT_ORDER", "mother_name_bloom")
    assert not met()


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.sampled_from(["ab", "ac", "b", "ba", ""]), min_size=1, max_size=14),
    st.lists(st.sampled_from(["ab", "ac", "b", "ba", ""]), min_size=1, max_size=14),
    st.integers(min_value=1, max_value=4),
    st.booleans(),
    st.randoms(use_true_random=False),
)
@example(["a", "a", "b", "b"], ["a"], 3, True, None)  # a dedupe met tied records at a seam
@example(["a", "b"] * 70, ["b", "a"] * 70, 2, False, None)  # more rows than an int8 counts
def test_a_sorted_neighbourhood_equals_a_walk_along_the_sorted_list(
    a: list[str], b: list[str], window: int, dedupe: bool, rng: Any
) -> None:
    """``sorted:`` equals its definition, pair by pair: the records with a value, sorted
    by value, then side, then record id, each met with those up to ``window`` places after
    it (of the other side when linking; of one list, each pair once, in a dedupe), in any
    row order."""
    left = pd.DataFrame(
        {"record_id": [f"l{k}" for k in range(len(a))], "full_name": "Ali", "camp": a}
    )
    right = pd.DataFrame(
        {"record_id": [f"r{k}" for k in range(len(b))], "full_name": "Ali", "camp": b}
    )
    if dedupe:
        walk = sorted((camp, 0, rid) for rid, camp in zip(left.record_id, a, strict=True) if camp)
    else:
        walk = sorted(
            [(camp, 0, rid) for rid, camp in zip(left.record_id, a, strict=True) if camp]
            + [(camp, 1, rid) for rid, camp in zip(right.record_id, b, strict=True) if camp]
        )
    expected = set()
    for i, (_, side_i, id_i) in enumerate(walk):
        for _, side_j, id_j in walk[i + 1 : i + 1 + window]:
            if dedupe:
                expected.add((min(id_i, id_j), max(id_i, id_j)))
            elif side_i != side_j:
                expected.add((id_i, id_j) if side_i == 0 else (id_j, id_i))

    def found(lf: pd.DataFrame, rf: pd.DataFrame) -> set[tuple[str, str]]:
        rf = lf if dedupe else rf
        pairs = block(
            PreparedPair(lf, rf), [("sorted:field:camp",)], max_block=100, window=window,
            dedupe=dedupe,
        )  # fmt: skip
        got = list(
            zip(
                lf.record_id.to_numpy()[pairs.left],
                rf.record_id.to_numpy()[pairs.right],
                strict=True,
            )
        )
        assert len(got) == len(set(got))  # each pair once
        return {(x, y) if not dedupe else (min(x, y), max(x, y)) for x, y in got}

    assert found(left, right) == expected
    seed = rng.randint(0, 99) if rng is not None else 0
    shuffled = [f.sample(frac=1.0, random_state=seed).reset_index(drop=True) for f in (left, right)]
    assert found(*shuffled) == expected


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.sampled_from(["ab", "ab", "ac", "b"]), min_size=1, max_size=12),
    st.lists(st.sampled_from(["ab", "ac", "ac", "b"]), min_size=1, max_size=12),
    st.sampled_from(["sorted:field:camp", "sorted:name_joined_skeleton"]),
    st.randoms(use_true_random=False),
)
def test_a_sorted_neighbourhood_of_tied_values_does_not_depend_on_row_order(
    a: list[str], b: list[str], key: str, rng: Any
) -> None:
    """Many records share a value (a camp, a common name): which of them are neighbours
    is decided by record id, not by row, so a shuffle meets the same pairs."""

    def side(values: list[str], prefix: str) -> pd.DataFrame:
        names = {"ab": "Ali Bakr", "ac": "Ali Chaudhry", "b": "Bilal"}
        return pd.DataFrame(
            {
                "record_id": [f"{prefix}{k}" for k in range(len(values))],
                "full_name": [names[v] for v in values],
                "camp": values,
            }
        )

    def found(lf: pd.DataFrame, rf: pd.DataFrame) -> set[tuple[str, str]]:
        pairs = block(PreparedPair(lf, rf), [(key,)], max_block=100, window=1)
        ids = lf["record_id"].to_numpy(), rf["record_id"].to_numpy()
        return set(zip(ids[0][pairs.left], ids[1][pairs.right], strict=True))

    left, right = side(a, "l"), side(b, "r")
    shuffled = [f.sample(frac=1.0, random_state=rng.randint(0, 99)) for f in (left, right)]
    assert found(left, right) == found(*(f.reset_index(drop=True) for f in shuffled))


def test_a_block_of_one_list_counts_its_pairs_once() -> None:
    """In a dedupe a block of n records holds n (n - 1) / 2 pairs, as max_block_size
    counts them ("pairs allowed in one block"): 80 namesakes, 3,160 pairs, are one block
    under the default 5,000 (they were counted 6,400, cut to each record's nearest: 459
    pairs)."""
    n = 80
    records = pd.DataFrame(
        {
            "record_id": [f"R{k:03d}" for k in range(n)],
            "full_name": ["Zorbax Quimby"] * n,
            "date_of_birth": ["1990"] * n,
        }
    )
    linker = rm.Linker({"blocking": [["name_joined_skeleton"]], "candidates_per_record": 0})
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no oversized block to warn of
        report = linker.blocking_report(records)
    row = report.iloc[0]
    assert row["oversized_blocks"] == ""
    assert row["largest_blocks"].endswith(f"({n * (n - 1) // 2:,})")
    assert row["pairs"] == n * (n - 1) // 2


@pytest.mark.parametrize("per_side", [5, 19, 20])
def test_an_oversized_block_is_named_in_the_warning_only_where_it_is_no_ones(
    per_side: int,
) -> None:
    """The warning names an oversized block's key (the Mohammed problem: which name and
    birth band, how many pairs) where at least NAMED_BLOCK_RECORDS records a side share
    it; under that, a name and a birth band describe a handful of people, and the
    warning, which logs keep, gave them ("'fatima + born 1990-1994' (60 pairs)" with a
    small max_block_size): it says the rule and the size alone."""
    rows = [("Zainab Haddad", "1990")] * per_side
    left, right = frame(rows, "l"), frame(rows, "r")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        block(PreparedPair(left, right), [("given_class", "birth_band")], max_block=10)
    said = [str(w.message) for w in caught if "over max_block_size" in str(w.message)]
    assert len(said) == 1
    # two blocks: a birth year is in two overlapping bands
    assert said[0].startswith(
        "blocking rule given_class+birth_band: 2 block(s) over max_block_size 10, "
    )
    pairs = f"{per_side * per_side:,} pairs"
    if per_side >= blocking.NAMED_BLOCK_RECORDS:
        assert f"e.g. 'zaynab + born 1985-1989' ({pairs})" in said[0]
    else:
        assert "zaynab" not in said[0] and "born" not in said[0]
        assert f"the largest {pairs} (keys not named: each block holds fewer than 20 " in said[0]
