"""The checks made once dates and ages are read (rfl_match.date_checks): dates that cannot
be, ages that cannot be used, and age words."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pandas as pd
import pytest
from helpers import run
from hypothesis import given, settings
from hypothesis import strategies as st

import rfl_match as rm
import rfl_match.date_checks as date_checks
from rfl_match.dates import birth_intervals, parse_partial_dates


def problems_of(frame: pd.DataFrame) -> list[tuple[int | None, str | None, str]]:
    return [(p.row, p.column, p.message) for p in frame.attrs["problems"]]


SetDay = Callable[[date], None]


@pytest.fixture
def day(monkeypatch: pytest.MonkeyPatch) -> SetDay:
    """Set the day validation takes for today."""

    def set_today(when: date) -> None:
        monkeypatch.setattr(date_checks, "today", lambda: when)

    return set_today


def test_an_age_with_no_date_to_read_it_as_of_is_noted_as_unused() -> None:
    """A son aged 9 and his father aged 40, same name, no source date: neither age places
    a birth, and matching scored them alike without a word. Each such row is noted, its
    age kept; an age beside a date of birth, or with a source date, is not."""
    frame = pd.DataFrame(
        {
            "record_id": ["son", "father", "bad date", "born", "dated"],
            "full_name": ["Mohammed Ali"] * 5,
            "age": ["9", "40", "about 12", "30", "7"],
            "date_of_birth": ["", "", "", "1990", ""],
            "source_date": ["", "", "not a date", "", "2024-05-01"],
        }
    )
    out = rm.read_records(frame)
    assert out["age"].tolist() == ["9", "40", "12", "30", "7"]  # kept
    assert problems_of(out) == [
        (1, "age", "age not used: no source_date to read it as of; kept"),
        (2, "age", "age not used: no source_date to read it as of; kept"),
        (3, "source_date", "malformed source date (want YYYY-MM-DD, YYYY-MM or YYYY); blanked"),
        (
            3,
            "age",
            "age not used: its source_date was blanked (see its note), and an age is "
            "read as of it; kept",
        ),
    ]
    # The age is the problem's value, kept for the rejects file, and no log line's: an
    # age read with a record's date gives a birth year.
    ages = [p for p in out.attrs["problems"] if p.column == "age"]
    assert [p.value for p in ages] == ["9", "40", "12"]
    assert [p.logged() for p in ages[:2]] == [
        f"row {row}, column 'age': age not used: no source_date to read it as of; kept "
        "(value not shown)"
        for row in (1, 2)
    ]
    # A frame without a source_date column at all: each age is noted likewise.
    alone = rm.read_records(frame.drop(columns=["source_date", "date_of_birth"]))
    assert [(p.row, p.column) for p in alone.attrs["problems"]] == [
        (row, "age") for row in range(1, 6)
    ]


def test_an_undated_record_s_old_birth_is_blanked_only_as_the_stand_in(day: SetDay) -> None:
    """Without a record's date, a birth over 120 years before today is kept (an archive's
    record), but 1900-01-01, or a year 1900 or before, is the stand-in for one not known:
    a placeholder day of 1900 other than 1 January is a date, kept."""
    births = ["1900-07-01", "1900-07-02", "1900-01-15", "1900", "1899-05", "1900-01-01"]
    frame = pd.DataFrame(
        {"record_id": [f"r{k}" for k in range(6)], "full_name": ["Amina Yusuf"] * 6,
         "date_of_birth": births}
    )  # fmt: skip
    day(date(2024, 6, 1))
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == [*births[:3], "", "", ""]


def test_the_stand_in_far_from_its_record_s_age_is_no_birth(day: SetDay) -> None:
    """1900-01-01 (or the year 1900) beside an age that places the birth far from it, on a
    record dated before 2000 (under 100 years after it, so not read as the stand-in by its
    date alone), was kept as a birth and used in place of the age: a man of 30 in 1995
    read as born in 1900. It is the stand-in, blanked and reported, and the age is used; an
    age that agrees with it (95), or a date of 1900 other than the stand-in, keeps it (the
    age then noted as unused)."""
    births = ["1900-01-01", "1900", "1900-01-01", "1900-07-01"]
    sources = ["1995-06-01", "1990-01-01", "1995-06-01", "1995-06-01"]
    frame = pd.DataFrame(
        {"record_id": [f"r{k}" for k in range(4)], "full_name": ["Omar Haddad"] * 4,
         "date_of_birth": births, "age": ["30", "8", "95", "30"], "source_date": sources}
    )  # fmt: skip
    day(date(2024, 6, 1))
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == ["", "", "1900-01-01", "1900-07-01"]
    stand_in = (
        "date of birth no later than 1900-01-01, a stand-in for one not known, more than 5 "
        "years from the births its age (as of the source_date) allows; blanked, the age used"
    )
    kept = (
        "age (as of the source_date) and date of birth more than 5 years apart: the date of "
        "birth is used, not the age; kept"
    )
    assert problems_of(out) == [
        (1, "date_of_birth", stand_in),
        (2, "date_of_birth", stand_in),
        (4, "age", kept),
    ]
    read = birth_intervals(out["date_of_birth"], out["age"], out["source_date"])
    assert [pd.Timestamp(int(d), unit="D").year for d in read.lo[:2]] == [1964, 1981]


def test_the_stand_in_on_a_dated_record_is_no_birth_where_it_makes_a_centenarian(
    day: SetDay,
) -> None:
    """1900-01-01 (or the year 1900) on a record dated 2016 to 2019 was kept as a birth in
    1900 (118 years, under MAX_AGE), and used in place of the record's age: a boy of 8
    registered in 2018 read "more than 15 years apart" from his own request. Where it
    makes the person 100 or older on the record's date it is the stand-in, blanked, and
    the age is read; an archive's record of 1950 born 1900 keeps its birth, and so does
    a date of 1900 other than the stand-in."""
    births = ["1900-01-01", "1900", "1900-01-01", "1900-01-01", "1900-07-01", "1899-05"]
    sources = ["2018-09-10", "2017-01-01", "2001-06-01", "1950-01-01", "2018-01-01", "2019-01-01"]
    frame = pd.DataFrame(
        {"record_id": [f"r{k}" for k in range(6)], "full_name": ["Omar Haddad"] * 6,
         "date_of_birth": births, "age": ["8", "", "", "", "", ""], "source_date": sources}
    )  # fmt: skip
    day(date(2024, 6, 1))
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == ["", "", "", "1900-01-01", "1900-07-01", ""]
    assert problems_of(out) == [
        (
            row,
            "date_of_birth",
            "date of birth no later than 1900-01-01, a stand-in for one not known, at least "
            f"100 years before its source date ({sources[row - 1]}); blanked",
        )
        for row in (1, 2, 3, 6)
    ]
    # the age is what places the boy's birth now, not a birth in 1900
    read = birth_intervals(out["date_of_birth"], out["age"], out["source_date"])
    assert pd.Timestamp(int(read.lo[0]), unit="D").year == 2009


def test_dates_that_cannot_be_are_blanked_and_reported(day: SetDay) -> None:
    """A birth after today or after its record's own date, a record dated after today, a
    birth more than 120 years before its record's date (1900-01-01, a stand-in for "not
    known"; with no record's date, only such a stand-in: an archive holds births over 120
    years ago), and an age over 120 were all kept and used. Today is the day validation
    runs: a record dated after it is kept once that day has come."""
    frame = pd.DataFrame(
        {
            "record_id": [f"r{k}" for k in range(1, 11)],
            "full_name": ["Amina Yusuf"] * 10,
            "date_of_birth": [
                "2024-06-02",  # after today, no source date
                "2020-06-01",  # after its source date
                "2030-02-03",  # after today and its source date: today said
                "1900-01-01",  # 124 years before its source date (its year: 1900)
                "1900-01-01",  # no source date: the stand-in for not known
                "1903-06-01",  # 121 years before today, no source date: kept (an archive)
                "2015",  # a year that holds the source date: kept
                "",
                "",
                "",
            ],
            "age": ["", "", "", "", "", "", "", "", "120", "121"],
            "source_date": [
                "",
                "2015-05-01",
                "2019-05-01",
                "2024-05-01",
                "",
                "",
                "2015-05-01",
                "2024-06-02",  # after today
                "2024-05-01",
                "2024-05-01",
            ],
        }
    )
    day(date(2024, 6, 1))
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == ["", "", "", "", "", "1903-06-01", "2015"] + [""] * 3
    dated = frame["source_date"].tolist()
    assert out["source_date"].tolist() == [*dated[:7], "", *dated[8:]]
    assert out["age"].tolist() == [""] * 8 + ["120", ""]
    assert problems_of(out) == [
        (1, "date_of_birth", "date of birth after today (2024-06-01); blanked"),
        (2, "date_of_birth", "date of birth after its source date (2015-05-01); blanked"),
        (3, "date_of_birth", "date of birth after today (2024-06-01); blanked"),
        (
            4,
            "date_of_birth",
            "date of birth more than 120 years before its source date (2024-05-01); blanked",
        ),
        (
            5,
            "date_of_birth",
            "date of birth more than 120 years before today (2024-06-01) and no later than "
            "1900-01-01, a stand-in for one not known, with no source date; blanked",
        ),
        (8, "source_date", "source date after today (2024-06-01); blanked"),
        (
            10,
            "age",
            "malformed age (want N or N-M years, at most 120, or a word such as child or "
            "adult); blanked",
        ),
    ]
    # A day later, the record dated 2024-06-02 is dated no longer in the future.
    day(date(2024, 6, 2))
    assert rm.read_records(frame)["source_date"].iat[7] == "2024-06-02"


def test_age_words_are_read_as_the_ages_they_say(day: SetDay) -> None:
    """Age words: "child", "adult", "infant" were blanked without a note (read as a name's
    placeholders) and "minor", "teen", "baby" reported as malformed: each says whether the
    person is a minor, which tracing needs. They are read as age ranges, compared as any
    age is; a form that only says "not known" is still blank without a note."""
    words = ["child", "Adult", "infant", "minor", "teen", "Baby", "niño", "طفلة", "قاصر", "N/A"]
    frame = pd.DataFrame(
        {
            "record_id": [f"r{k}" for k in range(len(words))],
            "full_name": ["Mohammed Ali"] * len(words),
            "age": words,
            "source_date": ["2024-05-01"] * len(words),
        }
    )
    day(date(2024, 6, 1))
    out = rm.read_records(frame)
    assert out["age"].tolist() == [
        "0-17",
        "18-120",
        "0-1",
        "0-17",
        "13-19",
        "0-1",
        "0-17",
        "0-17",
        "0-17",
        "",
    ]
    assert out.attrs["problems"] == []
    # A child is no one born 40 years before: the births are more than 5 years apart.
    births = birth_intervals(None, out["age"], out["source_date"])
    father = date(1984, 3, 2).toordinal() - date(1970, 1, 1).toordinal()
    assert births.lo[0] - father > 5 * 365


def test_a_persons_placeholder_in_a_date_or_sex_column_is_reported() -> None:
    """A person's placeholder ("Adult male", "Person") in a date or sex column was blanked
    without a note: it is no date and no sex, and says so; "Unknown" is still blank
    without one."""
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "full_name": ["Amina Yusuf"] * 3,
            "date_of_birth": ["Adult", "Unknown", "1990"],
            "sex": ["adult male", "N/A", "person"],
        }
    )
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == ["", "", "1990"]
    assert out["sex"].tolist() == ["", "", ""]
    assert [(p.row, p.column) for p in out.attrs["problems"]] == [
        (1, "date_of_birth"),
        (1, "sex"),
        (3, "sex"),
    ]


@pytest.mark.parametrize(
    ("birth", "noted"),
    [
        ("1984", True),  # 24 years from the births an age of 14 allows
        ("2003", True),  # 5 years and 4 months
        ("2004-06", False),  # 4 years and 10 months: the age's misestimate, not noted
        ("2009", False),
    ],
)
def test_a_date_of_birth_far_from_the_age_is_noted(day: SetDay, birth: str, noted: bool) -> None:
    """A date of birth and an age more than 5 years apart (the birth comparison's far
    level) contradict each other: both were kept without a note, the age silently
    unused. The row is noted, and says the date of birth is the one used."""
    frame = pd.DataFrame(
        {
            "record_id": ["a"],
            "full_name": ["Amina Yusuf"],
            "date_of_birth": [birth],
            "age": ["14"],
            "source_date": ["2024-05-01"],
        }
    )
    day(date(2024, 6, 1))
    out = rm.read_records(frame)
    assert out[["date_of_birth", "age"]].values.tolist() == [[birth, "14"]]  # both kept
    expected = [
        (
            1,
            "age",
            "age (as of the source_date) and date of birth more than 5 years apart: "
            "the date of birth is used, not the age; kept",
        )
    ]
    assert problems_of(out) == (expected if noted else [])
    # Neither the age nor the date of birth is in a log line: the age is the value,
    # which one hides, and the message says neither.
    for p in out.attrs["problems"]:
        assert p.value == "14"
        assert birth not in p.logged() and "14" not in p.logged()


def test_the_command_line_lists_an_unused_age_as_a_row_kept(tmp_path: Path) -> None:
    """Through the command line, 34 records with an age and no source date were ignored
    and "rows with problems 0" printed: each is on stderr and in the rejects file."""
    requests = tmp_path / "requests.csv"
    requests.write_text(
        "record_id,full_name,sex,age\nR1,Mohammed Ali,male,9\nR2,Amina Yusuf,female,30\n",
        encoding="utf-8",
    )
    out = tmp_path / "m.csv"
    result = run("dedupe", requests, "-o", out)
    assert "row 1, column 'age': age not used: no source_date to read it as of" in result.stderr
    assert "age 9" not in result.stderr
    assert "rows with problems 2" in result.stdout
    rejects = pd.read_csv(tmp_path / "m.rejects.csv", dtype=str, keep_default_na=False)
    assert rejects[["row", "column", "action"]].values.tolist() == [
        ["1", "age", "kept"],
        ["2", "age", "kept"],
    ]


# Validated text, as the checks get it: dates as validation writes them (placeholder days,
# the stand-in 1900-01-01, births after their record's date or today, far from an age),
# ages as ranges; a blank for none.
CHECKED_BIRTHS = st.sampled_from(
    ["", "1990", "1990-01-01", "1990-07-01", "1990-03-15", "1990-03-16", "1900-01-01", "1900",
     "1899-05", "1900-07-01", "1903-06-01", "1984", "2003", "2004-06", "2009", "2015",
     "2015-05", "2020-02-29", "2024-06-02", "2030-02-03"]
)  # fmt: skip
CHECKED_AGES = st.sampled_from(["", "0", "9", "14", "9-11", "0-17", "18-120", "40", "120"])
CHECKED_SOURCES = st.sampled_from(
    ["", "1890-01-01", "2015-05-01", "2019", "2019-05", "2024-02-29", "2024-05-01", "2024-06-02",
     "2030-01-01"]
)  # fmt: skip
CHECKED_COLUMNS = ("date_of_birth", "age", "source_date")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.tuples(CHECKED_BIRTHS, CHECKED_AGES, CHECKED_SOURCES), min_size=1, max_size=30),
    st.sets(st.sampled_from(CHECKED_COLUMNS), max_size=2),
    st.sampled_from(["str", "string[python]", "object"]),
)
def test_dates_read_once_give_the_problems_each_check_finds_alone(
    rows: list[tuple[str, str, str]], dropped: set[str], dtype: str
) -> None:
    """check_dates hands what it read to note_ages (validation reads each column's
    distinct texts once, not each check again): the same frame and problems as each
    check reading the frame alone, and the ages noted far from their date of birth are
    those each record read alone gives (:func:`rfl_match.dates.birth_intervals`' reading,
    as comparison reads them)."""
    from rfl_match.dates import _age_interval, parse_age, parse_partial_date
    from rfl_match.schema import Problem

    columns = {c: [r[k] for r in rows] for k, c in enumerate(CHECKED_COLUMNS) if c not in dropped}
    frame = pd.DataFrame(columns, dtype=dtype)
    shared, alone = frame.copy(), frame.copy()
    said: list[Problem] = []
    told: list[Problem] = []
    with patch.object(date_checks, "today", lambda: date(2024, 6, 1)):
        date_checks.note_ages(shared, said, date_checks.check_dates(shared, said))
        date_checks.check_dates(alone, told)
        date_checks.note_ages(alone, told)
    assert shared.equals(alone)
    assert said == told
    far = [p.row for p in said if p.column == "age" and "more than 5 years apart" in p.message]
    want = []
    if not dropped:
        for k, (born, age, when) in enumerate(shared[list(CHECKED_COLUMNS)].values.tolist()):
            birth, years, as_of = parse_partial_date(born), parse_age(age), parse_partial_date(when)
            if birth is None or years is None or as_of is None:
                continue
            (lo, hi), (young, old) = birth.interval(), _age_interval(*years, as_of)
            if max(lo - old, young - hi) > date_checks.FAR_APART_DAYS:
                want.append(k + 1)
    assert far == want


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.one_of(CHECKED_BIRTHS, st.text(alphabet="019-/. x\x00", max_size=12))),
    st.sampled_from(["str", "object"]),
)
def test_each_distinct_birth_is_read_as_the_column_reads(texts: list[str], dtype: str) -> None:
    """The checks read a date of birth once per distinct text: as birth_intervals reads
    the column, and the stand-in (1900-01-01 or before) as the column's texts compare."""
    births = pd.Series(texts, dtype=dtype)
    read = date_checks._births(births)
    whole = birth_intervals(births, None, None)
    assert read.lo.tolist() == whole.lo.tolist()
    assert read.hi.tolist() == whole.hi.tolist()
    assert read.stand_in.tolist() == (births.to_numpy(dtype=str) <= "1900-01-01").tolist()


def test_the_checks_read_each_date_of_birth_once(day: SetDay) -> None:
    """The checks read every date of birth twice (to check it, and again to set it beside
    the age), the age's record dates again, and wrote each date of birth out as numpy text
    to compare it with 1900-01-01: about a third of validation's time at a million records
    a side. A date of birth is now read once in them (each distinct text)."""
    import rfl_match.dates as dates

    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "full_name": ["Amina Yusuf"] * 3,
            "date_of_birth": ["1984-03-02", "1984-03-02", "2010"],
            "age": ["14", "40", ""],
            "source_date": ["2024-05-01"] * 3,
        }
    )
    day(date(2024, 6, 1))
    read: list[list[str]] = []

    def counted(texts: list[str], **kwargs: Any) -> Any:
        read.append(list(texts))
        return parse_partial_dates(texts, **kwargs)

    with (
        patch.object(dates, "parse_partial_dates", counted),
        patch.object(date_checks, "parse_partial_dates", counted),
    ):
        out = rm.read_records(frame)
    assert sum(texts.count("1984-03-02") for texts in read) == 1
    assert [p.row for p in out.attrs["problems"]] == [1]  # the age 14 is far from 1984
