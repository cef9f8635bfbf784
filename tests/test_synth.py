"""The synthetic data generator: deterministic, consistent, corrupted at the rates asked."""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfl_match.dates import age_interval, parse_age, parse_partial_date
from rfl_match.names.parents import parent_named
from rfl_match.synth import (
    CANONICAL_COLUMNS,
    CORRUPTIONS,
    CULTURES,
    NATIVE_FORM_CULTURES,
    SynthConfig,
    SynthData,
    generate,
    write,
)
from rfl_match.synth.__main__ import main
from rfl_match.synth.config import CHILD_FORMS
from rfl_match.synth.people import CHILD, FATHER, MOTHER, generate_people
from rfl_match.synth.pools import load_pools, romanizations
from rfl_match.synth.records import PLACEHOLDER_MULTIPLIER, make_typo

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "data" / "synthetic"
# The command in data/synthetic/README.md.
COMMITTED_CONFIG = SynthConfig(n_requests=500, n_sightings=1000, seed=7)

DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
AGE = re.compile(r"^\d+(-\d+)?$")
SCRIPTS = {
    "Arabic": re.compile(r"[\u0600-\u06FF]"),
    "Cyrillic": re.compile(r"[\u0400-\u04FF]"),
    "Ethiopic": re.compile(r"[\u1200-\u137F]"),
    "Myanmar": re.compile(r"[\u1000-\u109F]"),
    "Latin": re.compile(r"[A-Za-z]"),
}


@pytest.fixture(scope="module")
def small() -> SynthData:
    return generate(SynthConfig(n_requests=300, n_sightings=600, seed=11))


@pytest.fixture(scope="module")
def large() -> SynthData:
    return generate(SynthConfig(n_requests=6000, n_sightings=12000, seed=5))


def _frames(data: SynthData) -> list[pd.DataFrame]:
    return [data.requests, data.sightings, data.truth, data.corruptions]


def test_same_seed_gives_identical_frames(small: SynthData) -> None:
    again = generate(SynthConfig(n_requests=300, n_sightings=600, seed=11))
    for a, b in zip(_frames(small), _frames(again), strict=True):
        pd.testing.assert_frame_equal(a, b)


def test_another_seed_gives_other_data(small: SynthData) -> None:
    other = generate(SynthConfig(n_requests=300, n_sightings=600, seed=12))
    assert not small.requests.equals(other.requests)
    assert not small.truth.equals(other.truth)


def test_records_have_the_canonical_schema(small: SynthData) -> None:
    for frame in (small.requests, small.sightings):
        assert list(frame.columns) == list(CANONICAL_COLUMNS)
        assert "culture" not in frame.columns
        assert all(isinstance(v, str) for v in frame.to_numpy().ravel())
        assert (frame["full_name"] != "").all()
        assert frame["sex"].isin(["female", "male", "other", ""]).all()
        dob = frame["date_of_birth"]
        assert dob[dob != ""].str.match(DATE).all()
        age = frame["age"]
        assert age[age != ""].str.match(AGE).all()
        assert frame["source_date"].str.match(r"^\d{4}-\d{2}-\d{2}$").all()
        pd.to_datetime(frame["source_date"], format="%Y-%m-%d")
        assert not frame["alternate_names"].str.contains(r";;|^;|;$").any()
    assert list(small.truth.columns) == ["request_id", "sighting_id"]
    assert {"record_id", "side", "culture", "corruptions"} <= set(small.corruptions.columns)


def test_ids_unique_and_truth_consistent(small: SynthData) -> None:
    req_ids = small.requests["record_id"]
    sig_ids = small.sightings["record_id"]
    assert req_ids.is_unique and sig_ids.is_unique
    assert not set(req_ids) & set(sig_ids)
    assert small.truth["request_id"].isin(req_ids).all()
    assert small.truth["sighting_id"].isin(sig_ids).all()
    assert not small.truth.duplicated().any()
    assert list(small.corruptions["record_id"]) == [*req_ids, *sig_ids]

    # Truth is exactly the request-sighting pairs about one person.
    person = small.corruptions.set_index("record_id")["person_id"]
    pairs = small.truth.assign(
        a=small.truth["request_id"].map(person), b=small.truth["sighting_id"].map(person)
    )
    assert (pairs["a"] == pairs["b"]).all()
    req_people = person[req_ids]
    assert req_people.is_unique  # one request per sought person
    sighted = person[sig_ids]
    expected = int(sighted.isin(set(req_people)).sum())
    assert len(small.truth) == expected


def test_match_rate_and_duplicates(large: SynthData) -> None:
    found = large.requests["record_id"].isin(large.truth["request_id"]).mean()
    assert found == pytest.approx(0.8, abs=0.01)
    per_request = large.truth.groupby("request_id").size()
    assert per_request.max() >= 2  # someone sighted twice
    sightings = large.corruptions[large.corruptions["side"] == "sighting"]
    people = sightings["person_id"].nunique()
    dups = len(sightings) - people
    assert dups / people == pytest.approx(0.1, abs=0.02)
    flagged = sightings["corruptions"].str.contains("duplicate").sum()
    assert flagged == dups


def _share(data: SynthData, corruption: str, side: str, mask: pd.Series | None = None) -> float:
    c = data.corruptions
    rows = c["side"] == side
    if mask is not None:
        rows &= mask
    has = c.loc[rows, "corruptions"].str.split(";").apply(lambda xs: corruption in xs)
    return float(has.mean())


def _tolerance(p: float, n: int) -> float:
    return 4 * math.sqrt(max(p * (1 - p), 1e-4) / n) + 0.005


@pytest.mark.parametrize("corruption", [c for c in CORRUPTIONS if c != "duplicate"])
def test_every_corruption_at_its_rate(large: SynthData, corruption: str) -> None:
    config = large.config
    for side, scale in (("sighting", 1.0), ("request", config.request_corruption_scale)):
        row = large.rates[(large.rates["side"] == side) & (large.rates["corruption"] == corruption)]
        eligible = int(row["eligible"].iloc[0])
        assert eligible > 200
        expected = config.rate(corruption) * scale
        if corruption == "placeholder_dob":
            continue  # per culture, below
        measured = float(row["rate"].iloc[0])
        assert measured == pytest.approx(expected, abs=_tolerance(expected, eligible))


def test_rates_measured_from_the_records_alone(large: SynthData) -> None:
    # Corruptions whose eligibility the output itself shows, counted from corruptions.csv.
    c = large.corruptions
    n_sig = int((c["side"] == "sighting").sum())
    for corruption, rate in (("typo", 0.1), ("missing_fields", 0.2), ("age_misestimated", 0.15)):
        assert _share(large, corruption, "sighting") == pytest.approx(
            rate, abs=_tolerance(rate, n_sig)
        )
    native_ok = c["culture"].isin(NATIVE_FORM_CULTURES)
    measured = _share(large, "native_script", "sighting", native_ok)
    assert measured == pytest.approx(0.15, abs=_tolerance(0.15, n_sig))
    latin_only = ~native_ok
    assert _share(large, "native_script", "sighting", latin_only) == 0.0
    for culture in ("ukrainian", "rohingya", "somali"):
        mult = PLACEHOLDER_MULTIPLIER.get(culture, 1.0)
        expected = min(0.1 * mult, 0.9)
        rows = c["culture"] == culture
        n = int((rows & (c["side"] == "sighting")).sum())
        measured = _share(large, "placeholder_dob", "sighting", rows)
        assert measured == pytest.approx(expected, abs=_tolerance(expected, n))


def test_corruptions_show_in_the_records(large: SynthData) -> None:
    records = pd.concat([large.requests, large.sightings], ignore_index=True)
    tags = large.corruptions["corruptions"].str.split(";")
    upper = tags.apply(lambda xs: "upper_case" in xs).to_numpy()
    names = records["full_name"]
    assert (names[upper] == names[upper].str.upper()).all()
    placeholder = tags.apply(lambda xs: "placeholder_dob" in xs).to_numpy()
    dob = records.loc[placeholder, "date_of_birth"]
    assert dob[dob != ""].str.endswith("-01-01").all()
    imprecise = tags.apply(lambda xs: "imprecise_dob" in xs).to_numpy()
    dob = records.loc[imprecise, "date_of_birth"]
    assert (dob.str.len() < 10).all()


def test_zero_rates_give_clean_records() -> None:
    rates = {f"{c}_rate": 0.0 for c in CORRUPTIONS if c != "duplicate"}
    data = generate(
        SynthConfig(n_requests=200, n_sightings=400, seed=3, duplicate_rate=0.0, **rates)
    )
    assert (data.corruptions["corruptions"] == "").all()
    assert data.sightings["date_of_birth"].str.len().isin([0, 10]).all()


def test_sighting_is_later_and_child_older(large: SynthData) -> None:
    req = large.requests.set_index("record_id")
    sig = large.sightings.set_index("record_id")
    t = large.truth
    r_date = pd.to_datetime(req.loc[t["request_id"], "source_date"]).to_numpy()
    s_date = pd.to_datetime(sig.loc[t["sighting_id"], "source_date"]).to_numpy()
    gap = (s_date - r_date) / np.timedelta64(1, "D")
    assert gap.min() >= -60
    assert np.median(gap) > 180

    tags = large.corruptions.set_index("record_id")["corruptions"]
    clean = ~(
        tags[t["request_id"]].str.contains("age_misestimated").to_numpy()
        | tags[t["sighting_id"]].str.contains("age_misestimated").to_numpy()
    )
    r_age = req.loc[t["request_id"], "age"].to_numpy()
    s_age = sig.loc[t["sighting_id"], "age"].to_numpy()
    both = (
        clean
        & np.array([AGE.match(a) is not None and "-" not in a for a in r_age])
        & np.array([AGE.match(a) is not None and "-" not in a for a in s_age])
    )
    older = s_age[both].astype(int) - r_age[both].astype(int)
    assert both.sum() > 50
    assert older.min() >= -1
    assert (older[gap[both] > 400] >= 1).all()


def test_families_chain_their_names() -> None:
    pools = load_pools()
    weights = np.full(len(CULTURES), 1.0 / len(CULTURES))
    people = generate_people(
        n_families=400, culture_weights=weights, pools=pools, rng=np.random.default_rng(0)
    )
    fid = people.family_id
    father_of = {int(f): i for i, f in enumerate(fid) if people.role[i] == FATHER}
    mother_of = {int(f): i for i, f in enumerate(fid) if people.role[i] == MOTHER}
    for i in np.flatnonzero(people.role == CHILD):
        dad, mum = father_of[int(fid[i])], mother_of[int(fid[i])]
        assert people.father[i] == people.given[dad]
        assert people.grandfather[i] == people.father[dad]
        assert people.mother[i] == people.given[mum]
        assert people.birth[i] > people.birth[mum]
    children = pd.DataFrame({"f": fid, "g": people.given})[people.role == CHILD]
    assert not children.duplicated().any()  # siblings have different given names


def test_name_pools_are_rich_and_zipf_like(large: SynthData) -> None:
    pools = load_pools()
    total = sum(len(s.given[0]) + len(s.given[1]) for s in pools.cultures.values())
    assert total > 800
    for spec in pools.cultures.values():
        assert len(spec.given[0]) >= 15 and len(spec.given[1]) >= 15
    given = large.sightings["given_name"].str.upper()
    counts = given[given != ""].value_counts()
    assert counts.iloc[0] > 20 * counts.median()  # a few very common names, a long tail
    assert {"Oleksandr", "Olexandr", "Aleksandr", "Alexander"} <= set(
        pools.table.variants[int(np.flatnonzero(pools.table.native == "Олександр")[0])].tolist()
    )
    assert romanizations("Шевченко", "ukrainian")[:3] == (
        "Shevchenko",
        "Chevtchenko",
        "Schewtschenko",
    )


def test_typo_always_changes_the_text() -> None:
    import random

    rnd = random.Random(0)
    for text in ("Mohammed", "Li", "Abd al-Rahman", "محمد", "Олена", "aa"):
        for _ in range(50):
            assert make_typo(text, rnd) != text


@settings(max_examples=15, deadline=None)
@given(
    n_requests=st.integers(0, 40),
    n_sightings=st.integers(0, 60),
    match_rate=st.floats(0, 1),
    seed=st.integers(0, 2**32),
)
def test_any_small_size_is_consistent(
    n_requests: int, n_sightings: int, match_rate: float, seed: int
) -> None:
    data = generate(
        SynthConfig(
            n_requests=n_requests, n_sightings=n_sightings, match_rate=match_rate, seed=seed
        )
    )
    assert len(data.requests) == n_requests
    assert len(data.sightings) == n_sightings
    assert data.truth["request_id"].isin(data.requests["record_id"]).all()
    assert data.truth["sighting_id"].isin(data.sightings["record_id"]).all()


def test_case_group_and_culture_weights() -> None:
    data = generate(
        SynthConfig(
            n_requests=100,
            n_sightings=100,
            seed=1,
            case_group=True,
            culture_weights={"somali": 1.0},
        )
    )
    assert data.requests["case_group"].str.match(r"^CG\d+$").all()
    assert set(data.corruptions["culture"]) == {"somali"}
    with pytest.raises(ValueError, match="unknown cultures"):
        generate(SynthConfig(culture_weights={"atlantean": 1.0}))


def test_committed_set_regenerates_byte_identical(tmp_path: Path) -> None:
    write(generate(COMMITTED_CONFIG), tmp_path)
    for name in ("requests", "sightings", "truth", "corruptions"):
        assert (tmp_path / f"{name}.csv").read_bytes() == (COMMITTED / f"{name}.csv").read_bytes()


def test_committed_set_has_scripts_and_variants() -> None:
    requests = pd.read_csv(COMMITTED / "requests.csv", dtype=str, keep_default_na=False)
    sightings = pd.read_csv(COMMITTED / "sightings.csv", dtype=str, keep_default_na=False)
    truth = pd.read_csv(COMMITTED / "truth.csv", dtype=str)
    assert len(requests) >= 500 and len(sightings) >= 1000
    text = " ".join([*requests["full_name"], *sightings["full_name"]])
    for script, pattern in SCRIPTS.items():
        assert pattern.search(text), script
    spellings = {
        w for w in re.findall(r"\b[A-Za-z]+\b", text) if re.match(r"^M[uo]h?a?m+[ae]d$", w)
    }
    assert len(spellings) >= 3  # Mohammed, Muhammad, Mohamed ...
    assert truth["request_id"].isin(requests["record_id"]).all()


def test_cli_writes_the_four_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--requests", "20", "--sightings", "30", "--seed", "2", "-o", str(tmp_path)]) == 0
    for name in ("requests", "sightings", "truth", "corruptions"):
        frame = pd.read_csv(tmp_path / f"{name}.csv", dtype=str, keep_default_na=False)
        assert len(frame) > 0 or name == "truth"
    assert "wrote 20 requests" in capsys.readouterr().out


def test_every_written_date_exists() -> None:
    # Every age misestimated: a birthday of 29 February kept in a year that has none
    # (a quarter keep the day and month, records.BIRTHDAY_KEPT) was once written as such.
    data = generate(
        SynthConfig(n_requests=10_000, n_sightings=20_000, seed=2, age_misestimated_rate=1.0)
    )
    for frame in (data.requests, data.sightings):
        for column in ("date_of_birth", "source_date"):
            full = frame[column][frame[column].str.len() == 10]
            parsed = pd.to_datetime(full, format="%Y-%m-%d", errors="coerce")
            assert parsed.notna().all(), full[parsed.isna()].head().tolist()
    births = pd.concat([data.requests, data.sightings])["date_of_birth"]
    assert births.str.endswith("-02-29").any()  # leap years' are still written


def test_twins_share_the_family_and_the_day_and_move_only_their_own_dates(
    small: SynthData,
) -> None:
    twins = generate(SynthConfig(n_requests=300, n_sightings=600, seed=11, twin_rate=0.3))
    assert "twin_id" not in small.corruptions.columns
    # Only the twins' records move (their births, the record dates drawn around them, and
    # what a birth decides: an age's words, a title for an elder); the truth and every
    # other record are as without twins.
    pd.testing.assert_frame_equal(small.truth, twins.truth)
    has_twin = twins.corruptions["twin_id"].to_numpy() != ""
    n = len(twins.requests)
    for at, a, b in (
        (has_twin[:n], small.requests, twins.requests),
        (has_twin[n:], small.sightings, twins.sightings),
        (has_twin, small.corruptions, twins.corruptions.drop(columns="twin_id")),
    ):
        pd.testing.assert_frame_equal(a[~at], b[~at])
        assert not a[at].equals(b[at])
    # A twin is of the person's family, another child of it.
    people = twins.corruptions.drop_duplicates("person_id").set_index("person_id")
    named = twins.corruptions[twins.corruptions["twin_id"] != ""]
    assert len(named) > 0
    # (a family's members are rows next to each other; a twin the records hold is of it)
    gap = named["twin_id"].str[1:].astype(int) - named["person_id"].str[1:].astype(int)
    assert gap.abs().eq(1).all()
    both = named[named["twin_id"].isin(people.index)]
    assert len(both) > 0
    assert (people["family_id"].reindex(both["twin_id"]).to_numpy() == both["family_id"]).all()


def test_twins_are_born_the_same_day() -> None:
    rng, twin_rng = np.random.default_rng(3), np.random.default_rng(4)
    people = generate_people(
        n_families=400,
        culture_weights=np.full(len(CULTURES), 1 / len(CULTURES)),
        pools=load_pools(),
        rng=rng,
        twins=(0.5, twin_rng),
    )
    rows = np.flatnonzero(people.twin_of >= 0)
    assert len(rows) > 50
    elder = people.twin_of[rows]
    assert (people.birth[rows] == people.birth[elder]).all()
    assert (people.family_id[rows] == people.family_id[elder]).all()
    assert (people.role[rows] == CHILD).all() and (people.role[elder] == CHILD).all()
    assert (people.given[rows] != people.given[elder]).all()


def test_children_forms_change_only_their_fields_and_read_as_they_mean() -> None:
    sizes = {"n_requests": 1000, "n_sightings": 2000, "seed": 11}
    plain, forms = (
        generate(SynthConfig(**sizes)),
        generate(SynthConfig(**sizes, child_forms_rate=0.6)),
    )
    assert "age_words" not in set(plain.rates["corruption"])
    pd.testing.assert_frame_equal(plain.truth, forms.truth)
    records = pd.concat([forms.requests, forms.sightings], ignore_index=True)
    before = pd.concat([plain.requests, plain.sightings], ignore_index=True)
    noted = forms.corruptions["corruptions"].str.split(";")
    form_of = {f: noted.map(lambda kinds, f=f: f in kinds).to_numpy() for f in CHILD_FORMS}
    touched = np.logical_or.reduce(list(form_of.values()))
    # Every other record, and every field a form does not write, is as without the forms.
    pd.testing.assert_frame_equal(records[~touched], before[~touched])
    name_fields = ["full_name", "given_name", "family_name", "mother_name", "alternate_names"]
    rest = [c for c in CANONICAL_COLUMNS if c not in {"age", *name_fields}]
    pd.testing.assert_frame_equal(records[rest], before[rest])
    for form, rows in form_of.items():
        assert rows.sum() >= 3, form
        new, old = records[rows], before[rows]
        if form.startswith("age_"):
            assert (new["age"] != old["age"]).all() and old["age"].str.isdigit().all()
            for text, age in zip(new["age"], old["age"].astype(int), strict=True):
                lo, hi = parse_age(text) or (-1, -1)
                assert lo <= age <= hi and hi - lo == (form in {"age_or", "age_two_range"})
            if form in ("age_years_months", "age_months"):
                # the months (weeks, days) are the child's own, as of the record's date:
                # they hold its birth where the record writes that whole and true
                kept = (
                    ~noted[rows]
                    .map(
                        lambda kinds: bool(
                            {"age_misestimated", "imprecise_dob", "placeholder_dob"} & set(kinds)
                        )
                    )
                    .to_numpy()
                )
                whole = new["date_of_birth"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").to_numpy()
                checked = 0
                for text, dob, day in new[kept & whole][
                    ["age", "date_of_birth", "source_date"]
                ].itertuples(index=False):
                    span = age_interval(text, parse_partial_date(day))
                    born = parse_partial_date(dob).interval(placeholders=False)[0]
                    assert span is not None and span[0] <= born <= span[1], (text, dob, day)
                    checked += 1
                assert checked >= 3, form
        elif form == "newborn_mother":
            assert (new["given_name"] == "").all() and (new["mother_name"] == "").all()
            mothers = [parent_named(text) for text in new["full_name"]]
            assert all(m is not None and m[0] == "mother" for m in mothers)
        else:  # compound_part: the second word of the given name the record had
            # (a single name cut short was the first word alone; a blank field stays blank)
            cut = plain.corruptions["corruptions"][rows].str.contains("truncation").to_numpy()
            shown = (old["given_name"] != "").to_numpy() & ~cut
            assert shown.sum() >= 3
            second = old["given_name"][shown].str.split().str[1]
            assert (second == new["given_name"][shown]).all()
            assert (old["given_name"][shown].str.count(" ") == 1).all()
