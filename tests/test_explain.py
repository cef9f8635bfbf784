"""What an explanation says (predict's ``explanation`` column, ``Linker.explain``): only
what is true of the pair."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pandas as pd
import pytest
from test_encoded import ENCODED, encode

import rfl_match as rm
from rfl_match.compare import DATE_LABELS, INTERVAL_LABELS, SLIPPED, build_comparison
from rfl_match.config import ComparisonSpec
from rfl_match.prepare import PreparedPair
from rfl_match.schema import validate_records


def _frames(
    left: dict[str, list[str]], right: dict[str, list[str]]
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """Requests r1, r2, ... and sightings s1, s2, ... of the columns, and the pairs
    (r1, s1), (r2, s2), ..."""
    n = len(next(iter(left.values())))
    rids, sids = [f"r{i + 1}" for i in range(n)], [f"s{i + 1}" for i in range(n)]
    requests = pd.DataFrame({"record_id": rids, **left})
    sightings = pd.DataFrame({"record_id": sids, **right})
    return requests, sightings, pd.DataFrame({"request_id": rids, "sighting_id": sids})


def test_births_within_a_year_known_to_a_range_are_said_at_the_closest(
    fitted: rm.Linker,
) -> None:
    """Born 1990 against born 1991: the closest births the two allow are a day apart, the
    farthest almost two years. "Within a year" is the gap at the closest, and the
    explanation says so, as it does of the other gaps (it read "within a year"). Two dates
    of birth within a year say the gap as it is."""
    requests, sightings, pairs = _frames(
        {
            "full_name": ["Amina Yusuf Ali"] * 3,
            "date_of_birth": ["1990", "1990-03-01", ""],
            "age": ["", "", "30"],
            "source_date": ["", "", "2020-06-01"],
        },
        {"full_name": ["Amina Yusuf Ali"] * 3, "date_of_birth": ["1991", "1990-11-20", "1991"]},
    )
    out = fitted.predict(requests, sightings, pairs=pairs, threshold=0, top_k=0)
    said = out.set_index("request_id")["explanation"]
    assert out["birth_level"].tolist() == [INTERVAL_LABELS.index("within a year")] * 3
    assert "birth: within a year at the closest " in said["r1"]  # two years
    assert "birth: within a year " in said["r2"]  # two dates: the gap itself
    assert "at the closest" not in said["r2"]
    assert "birth: within a year at the closest " in said["r3"]  # an age as of a date
    table = fitted.explain("r1", "s1", requests, sightings, show=False).set_index("comparison")
    assert table.loc["birth", "description"] == "within a year at the closest"


@pytest.mark.parametrize("generation", [True, False])
def test_every_gap_level_of_births_known_to_a_range_is_said_at_the_closest(
    generation: bool,
) -> None:
    """Each level that says a gap between births, of a model with the generation level
    and of one saved before it (its levels, ``DATE_LABELS``, which a saved model holds and
    loads with as they were), says "at the closest" of two years of birth, and the gap as
    it is of two dates."""
    comparison = build_comparison(ComparisonSpec("date_of_birth", "birth", name="birth"))
    comparison.generation = generation  # type: ignore[attr-defined]
    years = ["2010", "1990", "2000", "2006", "2008", "2009"]
    dates = ["2010-03-14", "1990-03-14", "2000-03-14", "2006-03-14", "2008-09-14", "2010-09-16"]
    left, right = (
        validate_records(
            pd.DataFrame(
                {"record_id": [f"{side}{i}" for i in range(12)], "full_name": "A", **cells}
            )
        )
        for side, cells in (
            ("l", {"date_of_birth": years + dates}),
            ("r", {"date_of_birth": ["2010"] * 6 + ["2010-03-14"] * 6}),
        )
    )
    data, idx = PreparedPair(left, right), np.arange(12)
    levels = comparison.levels(data, idx, idx)
    said = [comparison.describe(int(k)) for k in comparison.phrase_levels(data, idx, idx, levels)]
    far = ["5 to 15 years apart"] if generation else ["more than 5 years apart"]
    gaps = ["more than 15 years apart", *far, "2 to 5 years apart", "1 to 2 years apart"]
    gaps.append("within a year")
    assert [(DATE_LABELS, INTERVAL_LABELS)[generation][k] for k in levels[1:6]] == (
        gaps if generation else ["more than 5 years apart", *gaps[1:]]
    )
    assert set(gaps) | {"more than 5 years apart", "5 to 15 years apart"} >= {
        w for w in (*INTERVAL_LABELS, *DATE_LABELS) if w.endswith("apart") or "within" in w
    }  # every level that says a gap
    assert said[:6] == ["same year or age range", *(f"{gap} at the closest" for gap in gaps)]
    assert said[6:] == ["same date", *gaps]  # two dates: the gap itself


def test_two_dates_of_birth_a_slip_apart_are_said_so() -> None:
    """Two full dates of one year a slip of the pen apart meet as "same year or age range"
    and are said so, not as ranges that "overlap in part"; a date within a year alone and
    a year holding a date are said as before."""
    comparison = build_comparison(ComparisonSpec("date_of_birth", "birth", name="birth"))
    left, right = (
        validate_records(
            pd.DataFrame({"record_id": [f"{side}{i}" for i in range(4)], "full_name": "A", **cells})
        )
        for side, cells in (
            ("l", {"date_of_birth": ["2010-05-06", "2010-06-05", "2010", "1989"]}),
            ("r", {"date_of_birth": ["2010-05-07", "2010-05-06", "2010-05-06", "1990"]}),
        )
    )
    data, idx = PreparedPair(left, right), np.arange(4)
    levels = comparison.levels(data, idx, idx)
    said = [comparison.describe(int(k)) for k in comparison.phrase_levels(data, idx, idx, levels)]
    assert said == [SLIPPED, SLIPPED, "same year or age range", "within a year at the closest"]


@pytest.mark.filterwarnings("ignore:blocking rule tokens")  # the common tokens' blocks
def test_a_frequency_is_said_of_what_was_compared(synthetic: dict[str, pd.DataFrame]) -> None:
    """Where a value's frequency moves a comparison's weight off its level's own, the
    explanation names what was compared: of an encoded name (a Bloom filter, whose
    frequency is that of the filter: the linking party sees no name), "a common encoding"
    after "same encoding" (or "a rare encoding"), where it said "a common name" (or "a rare
    name"); names still say "a common name". The same words in explain's waterfall."""
    config = {
        **ENCODED,
        "compare": [
            {"field": "name_bloom", "kind": "bloom", "name": "name", "term_frequency": True},
            *ENCODED["compare"][1:],
        ],
    }
    requests, sightings = encode(synthetic["requests"]), encode(synthetic["sightings"])
    linker = rm.Linker(config).fit(requests, sightings)
    out = linker.predict(requests, sightings, threshold=0, top_k=0)
    said = out["explanation"].str.extract(r"^name: ([^;]*)")[0]
    moved = said.str.contains(", a (?:common|rare) ")
    assert moved.sum() >= 50
    worded = r"^same encoding [+-]\d+\.\d, a (?:common encoding -|rare encoding \+)\d+\.\d$"
    assert said[moved].str.contains(worded).all()
    assert not out["explanation"].str.contains(" name [+-]").any()  # "a common name" nowhere
    pair = out[moved].iloc[0]
    table = linker.explain(pair.request_id, pair.sighting_id, show=False)
    description = table.set_index("comparison").loc["name", "description"]
    assert description == said[moved].iloc[0] and " encoding " in description


def test_a_pair_with_no_name_to_compare_says_so(fitted: rm.Linker) -> None:
    """Two records that agree on the parents, the birth and the places score over 0.999
    with no name of their own (blank, or a placeholder: "Unknown", "N/A"): the
    explanation says no name was compared, and whether neither record has one or one
    (it read "given name: missing +0.0; family name: missing +0.0", as of a pair where a
    record gives no given name). A record with a given name alone is missing a family
    name, as before. A pair that differs only by the given name (a brother, a twin) says
    the given names differ, weighing against, and asks whether a brother or sister."""
    same = {
        "father_name": ["Hasan Omar"] * 5,
        "mother_name": ["Fatima Yusuf"] * 5,
        "sex": ["male"] * 5,
        "date_of_birth": ["1998-06-24"] * 5,
        "place_of_birth": ["Belet Weyne"] * 5,
        "place_of_origin": ["Baidoa"] * 5,
    }
    requests, sightings, pairs = _frames(
        {"full_name": ["Unknown", "", "Unknown", "Ahmed", "Ahmed Hasan Mahmoud"], **same},
        {"full_name": ["Unknown", "N/A", "Ali Hasan Mahmoud", "Ahmed Hasan Mahmoud",
                       "Ali Hasan Mahmoud"], **same},
    )  # fmt: skip
    with pytest.warns(UserWarning, match="no name in any name column"):
        out = fitted.predict(requests, sightings, pairs=pairs, threshold=0, top_k=0)
    out = out.set_index("request_id")
    said = out["explanation"]
    neither = "not compared: neither record has a name +0.0"
    for r in ("r1", "r2"):
        assert out.loc[r, "match_probability"] > 0.999
        assert said[r].startswith(f"given name: {neither}; family name: {neither}; ")
    one = "not compared: one record has no name +0.0"
    assert said["r3"].startswith(f"given name: {one}; family name: {one}; ")
    assert "family name: missing +0.0; " in said["r4"]
    assert "not compared" not in said["r4"] + said["r5"]
    siblings = r"different \(the same father's and mother's names: a brother or sister\?\)"
    assert re.match(rf"given name: {siblings}, family names alike -\d", said["r5"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # told by predict: the same frames are not read again
        table = fitted.explain("r1", "s1", requests, sightings, show=False)
    rows = table.set_index("comparison")["description"]
    assert rows["given_name"] == rows["family_name"] == "not compared: neither record has a name"


def _no_names_said(
    fitted: rm.Linker, requests: pd.DataFrame, sightings: pd.DataFrame, pairs: pd.DataFrame
) -> pd.Series:
    """The explanations of the pairs, by request, checked to say that r1 and r2 (against
    s1 and s2) have no name on either side, and r3 one record none."""
    out = fitted.predict(requests, sightings, pairs=pairs, threshold=0, top_k=0)
    said: pd.Series = out.set_index("request_id")["explanation"]
    neither = "not compared: neither record has a name +0.0"
    one = "not compared: one record has no name +0.0"
    assert said["r1"].startswith(f"given name: {neither}; family name: {neither}; ")
    assert said["r2"].startswith(f"given name: {neither}; family name: {neither}; ")
    assert said["r3"].startswith(f"given name: {one}; family name: {one}; ")
    return said


def test_a_title_alone_is_no_name(fitted: rm.Linker) -> None:
    """A name written as a title alone that is a name in no culture ("Mr.", "Mrs", "Dr",
    "W/ro") is read as no name, as "Unknown" is: two records written "Mr." that agree on
    the rest say no name was compared (they read "given name: same spelling +1.9, a
    common name -1.8", Mr the given name of both), and "Mr."
    against a name says one record has none. A title before a name is set aside as
    before, and a title that is a family name somewhere (Sheikh) is compared as one."""
    same = {
        "father_name": ["Hasan Omar"] * 5,
        "sex": ["male"] * 5,
        "date_of_birth": ["1998-06-24"] * 5,
        "place_of_birth": ["Belet Weyne"] * 5,
    }
    # Г-н (Господин, Mr, abbreviated with a hyphen) read as the initials Г. Н.: "same
    # spelling" against itself
    requests, sightings, pairs = _frames(
        {"full_name": ["Mr.", "Mrs", "Mr.", "Mr. Ahmed Ali", "Sheikh", "Г-н", "Г-н Иванов"]}
        | {k: v + v[:2] for k, v in same.items()},
        {"full_name": ["Mr.", "Dr", "Ahmed Ali", "Ahmed Ali", "Sheikh", "Г-н", "Иванов"]}
        | {k: v + v[:2] for k, v in same.items()},
    )
    said = _no_names_said(fitted, requests, sightings, pairs)
    assert said["r4"].startswith("given name: same spelling")  # Ahmed, the title aside
    assert "not compared" not in said["r4"] + said["r5"]
    neither = "not compared: neither record has a name +0.0"
    assert said["r6"].startswith(f"given name: {neither}; family name: {neither}; ")
    assert said["r7"].startswith("given name: same spelling")  # Иванов, Г-н aside
    table = fitted.explain("r1", "s1", requests, sightings, show=False)
    rows = table.set_index("comparison")["description"]
    assert rows["given_name"] == rows["family_name"] == "not compared: neither record has a name"


def test_a_newborn_written_b_o_and_its_mother_s_name_is_no_name(fitted: rm.Linker) -> None:
    """A maternity ward's "B/O Fatima" (baby of Fatima) names the newborn by its mother, as
    "Baby of Fatima" does: it is no name. Read as the name "b o fatima", two newborns of
    mothers Fatima and Halima registered the same week read "given name: same spelling"
    (B, p 0.63), and a newborn met another mother's Fatima's as the same family name. B.O.
    and B. O. with points are a person's initials, compared as before."""
    newborn = {"age": ["2 days"] * 4, "source_date": ["2019-05-01"] * 4}
    requests, sightings, pairs = _frames(
        {"full_name": ["B/O Fatima", "B/O Fatima", "b / o Fatima", "B.O. Adeyemi"], **newborn},
        {"full_name": ["B/O Halima", "B/O Fatima", "Fatima Begum", "B. O. Adeyemi"], **newborn},
    )
    said = _no_names_said(fitted, requests, sightings, pairs)
    assert said["r4"].startswith("given name: same spelling")


def test_birth_ranges_that_only_overlap_in_part_say_so(fitted: rm.Linker) -> None:
    """Born 1989 against aged 30 on 2020-06-01 (born 1989-06-02 to the end of 1990, an age
    counted from the birthday or by the years): the ranges share seven months, and the
    births may be nearly two years apart. The explanation says the ranges overlap in part,
    where it said "same year or age range"; the level and weight are the same. Where one
    range holds the other (born 1990 against that age, a date within the year) or the two
    are the same, it says "same year or age range", as before."""
    requests, sightings, pairs = _frames(
        {
            "full_name": ["Amina Yusuf Ali"] * 5,
            "date_of_birth": ["1989", "1990", "1990", "1990", ""],
            "age": ["", "", "", "", "30"],
            "source_date": ["", "", "", "", "2020-06-01"],
        },
        {
            "full_name": ["Amina Yusuf Ali"] * 5,
            "date_of_birth": ["", "", "1990", "1990-03-04", ""],
            "age": ["30", "30", "", "", "30"],
            "source_date": ["2020-06-01", "2020-06-01", "", "", "2020-06-01"],
        },
    )
    out = fitted.predict(requests, sightings, pairs=pairs, threshold=0, top_k=0)
    out = out.set_index("request_id").loc[["r1", "r2", "r3", "r4", "r5"]]
    same = INTERVAL_LABELS.index("same year or age range")
    assert out["birth_level"].tolist() == [same] * 5
    assert out["birth_weight"].nunique() == 1
    said = out["explanation"].str.extract(r"(?:^|; )birth: ([^;+-]*) [+-]")[0]
    part = "year or age ranges overlap in part"
    assert said.tolist() == [part, *["same year or age range"] * 4]
    table = fitted.explain("r1", "s1", requests, sightings, show=False).set_index("comparison")
    assert table.loc["birth", "description"] == part
    # a model saved before the generation level (DATE_LABELS) says it alike
    comparison = build_comparison(ComparisonSpec("date_of_birth", "birth", name="birth"))
    comparison.generation = False  # type: ignore[attr-defined]
    left, right = (validate_records(frame.assign(full_name="A")) for frame in (requests, sightings))
    data, idx = PreparedPair(left, right), np.arange(5)
    levels = comparison.levels(data, idx, idx)
    assert [DATE_LABELS[k] for k in levels] == ["same year or age range"] * 5
    phrased = comparison.phrase_levels(data, idx, idx, levels)
    assert [comparison.describe(int(k)) for k in phrased] == said.tolist()


@pytest.mark.filterwarnings("ignore:blocking rule tokens")  # the common tokens' blocks
def test_an_encoded_pair_with_no_name_encoded_says_so(synthetic: dict[str, pd.DataFrame]) -> None:
    """Encoded records (``privacy.encode_records``) hold no filter of a name where the
    record gives none the encoder reads as the person's (blank, "Unknown", "N/A", a name
    that names the father): the linking party can tell only that no name was encoded.
    The explanation says so, of neither record or one (it read "name: missing +0.0", as
    of a plain pair where a record lacks a given name); the level and weight are the
    same. A parent with no name encoded says it alike."""
    from rfl_match.privacy import encode_records, encoded_config

    key = b"0123456789abcdef0123456789abcdef"
    linker = rm.Linker(encoded_config()).fit(
        encode_records(synthetic["requests"], key), encode_records(synthetic["sightings"], key)
    )
    same = {"date_of_birth": ["1998-06-24"] * 5, "sex": ["male"] * 5}
    requests, sightings, pairs = _frames(
        {"full_name": ["Unknown", "", "Unknown", "S/O Ahmed Khan", "Omar Hasan"], **same,
         "father_name": ["Hasan Omar", "Hasan Omar", "Hasan Omar", "Hasan Omar", ""]},
        {"full_name": ["Unknown", "N/A", "Omar Hasan", "Omar Hasan", "Omar Hasan"], **same,
         "father_name": ["Hasan Omar"] * 5},
    )  # fmt: skip
    left, right = encode_records(requests, key), encode_records(sightings, key)
    out = linker.predict(left, right, pairs=pairs, threshold=0, top_k=0).set_index("request_id")
    out = out.loc[["r1", "r2", "r3", "r4", "r5"]]
    assert out["name_level"].tolist() == [0, 0, 0, 0, out["name_level"].max()]
    said = out["explanation"].str.extract(r"(?:^|; )name: ([^;]*)")[0]
    neither = "not compared: no name encoded in either record +0.0"
    one = "not compared: no name encoded in one record +0.0"
    assert said.tolist()[:4] == [neither, neither, one, one]
    assert said["r5"].startswith("same encoding +")
    father = out["explanation"].str.extract(r"(?:^|; )father's name: ([^;]*)")[0]
    assert father["r5"] == one
    mother = out["explanation"].str.extract(r"(?:^|; )mother's name: ([^;]*)")[0]
    assert (mother == neither).all()  # weighed given the fathers (condition_on)
    table = linker.explain("r1", "s1", left, right, show=False).set_index("comparison")
    assert table.loc["name", "description"] == neither.removesuffix(" +0.0")


def test_given_names_that_differ_where_a_parent_agrees_ask_whether_a_sibling(
    fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    """Twins of one family (Fatima and Zainab Ali Haidari: the same father, mother and
    birth) score high on the fields they share, and the given name read only "different,
    family names alike": the likeliest reading, a brother or sister, went unsaid. Where
    the family names agree and the father's or the mother's name is the same name in both
    records, the given name's words now ask it, and say which parent agrees; so of the
    bundled sisters Swetlana and Yevgenia Bykowa (both requests, same parents). Not where
    the parents differ or either record lacks them, nor where the given names agree."""
    family = {"family_name": ["Haidari"] * 6, "sex": ["female"] * 6}
    born = {"date_of_birth": ["2015-05-05"] * 6}
    requests, sightings, pairs = _frames(
        {"full_name": ["Fatima Ali Haidari"] * 6, "given_name": ["Fatima"] * 6, **family, **born,
         "father_name": ["Ali", "Ali", "Ali", "Ali", "", "Ali"],
         "mother_name": ["Zahra", "", "Maryam", "Zahra", "", "Zahra"]},
        {"full_name": ["Zainab Ali Haidari"] * 5 + ["Fatima Ali Haidari"],
         "given_name": ["Zainab"] * 5 + ["Fatima"], **family, **born,
         "father_name": ["Ali", "Ali", "Ali", "Omar", "Ali", "Ali"],
         "mother_name": ["Zahra", "Zahra", "Amina", "Khadija", "Zahra", "Zahra"]},
    )  # fmt: skip
    out = fitted.predict(requests, sightings, pairs=pairs, threshold=0, top_k=0)
    said = out.set_index("request_id")["explanation"].str.extract(r"^given name: ([^;]*) [+-]")[0]
    both = "different (the same father's and mother's names: a brother or sister?)"
    father = "different (the same father's name: a brother or sister?)"
    alike = ", family names alike"
    assert said["r1"] == both + alike  # twins
    assert said["r2"] == said["r3"] == father + alike  # a mother blank on one side, or other
    assert said["r4"] == said["r5"] == "different" + alike  # other parents, or none on one side
    assert "brother or sister" not in said["r6"]  # the same given name
    table = fitted.explain("r1", "s1", requests, sightings, show=False).set_index("comparison")
    assert table.loc["given_name", "description"] == both + alike
    # the bundled sisters
    records = synthetic["requests"].set_index("record_id")
    left = records.loc[["RQ000106"]].reset_index()
    right = records.loc[["RQ000490"]].reset_index()
    out = fitted.predict(left, right, threshold=0, top_k=0)
    assert out["explanation"].iloc[0].startswith(f"given name: {both}{alike} -")
    table = fitted.explain("RQ000106", "RQ000490", left, right, show=False)
    assert table.set_index("comparison").loc["given_name", "description"] == both + alike
