"""Partial dates, placeholders and ages as birth intervals."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rfl_match as rm
from rfl_match.dates import (
    _CALENDAR_YEARS,
    CALENDARS,
    DAY_FIRST,
    DAYS,
    EITHER_ORDER,
    ETHIOPIAN,
    GREGORIAN,
    LUNAR_HIJRI,
    LUNAR_SLACK,
    MISSING,
    MONTH_FIRST,
    MONTHS,
    NO_ORDER,
    SOLAR_HIJRI,
    WEEKS,
    YEARS,
    PartialDate,
    age_interval,
    age_text,
    ambiguous_age,
    birth_intervals,
    calendar_span,
    day_month_orders,
    excel_serial_dates,
    parse_age,
    parse_partial_date,
    parse_partial_dates,
    read_age,
)


def day(text: str) -> int:
    return (date.fromisoformat(text) - date(1970, 1, 1)).days


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2009", ("2009-01-01", "2009-12-31")),
        ("2009-02", ("2009-02-01", "2009-02-28")),
        ("2008-02", ("2008-02-01", "2008-02-29")),
        ("2009-05-17", ("2009-05-17", "2009-05-17")),
        ("2009-01-01", ("2009-01-01", "2009-12-31")),  # placeholder: year only
        ("2009-07-01", ("2009-01-01", "2009-12-31")),
        ("2009-03-15", ("2009-01-01", "2009-12-31")),
        ("17/05/2009", ("2009-05-17", "2009-05-17")),
        ("2009-05-17T13:45:00", ("2009-05-17", "2009-05-17")),  # a time of day: read past
        ("2009-05-17 13:45", ("2009-05-17", "2009-05-17")),
        ("2009-05-17 00:00:00.5", ("2009-05-17", "2009-05-17")),
        ("17/05/2009 13:45", ("2009-05-17", "2009-05-17")),
        ("2009-05-17T23:45:00+03:00", ("2009-05-17", "2009-05-17")),  # the date written
        ("2009-05-17 13:45Z", ("2009-05-17", "2009-05-17")),
    ],
)
def test_intervals(text: str, expected: tuple[str, str]) -> None:
    parsed = parse_partial_date(text)
    assert parsed is not None
    assert parsed.interval() == (day(expected[0]), day(expected[1]))


@pytest.mark.parametrize(
    "text",
    [
        "",
        "2009-13",
        "2009-02-30",
        "1700",
        "abc",
        "09-05-17x",
        "2009-05T13:45",
        "2009-05-17T24:00",
        "2009-05-17 13:60",
        "2009-05-17T13",
    ],
)
def test_malformed_dates(text: str) -> None:
    assert parse_partial_date(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1990.5", None),  # a number's text (1990.5), not May 1990
        ("1990.1", None),
        ("1990.05", "1990-05"),
        ("1990.10", "1990-10"),
        ("1990-5", "1990-05"),  # a dash is no number's: one digit is a month
        ("1990.5.3", "1990-05-03"),
    ],
)
def test_a_year_and_month_after_a_point_has_a_month_of_two_digits(
    text: str, expected: str | None
) -> None:
    parsed = parse_partial_date(text)
    assert (parsed and parsed.iso) == expected
    assert parse_partial_dates([text]).iso() == [expected]


@pytest.mark.parametrize(
    ("text", "day_first", "month_first", "order"),
    [
        ("25/12/2009", "2009-12-25", None, DAY_FIRST),
        ("12/25/2009", None, "2009-12-25", MONTH_FIRST),
        ("03/04/2009", "2009-04-03", "2009-03-04", EITHER_ORDER),
        ("3.4.2009", "2009-04-03", "2009-03-04", EITHER_ORDER),
        ("03-04-2009 13:45", "2009-04-03", "2009-03-04", EITHER_ORDER),
        ("05/05/2009", "2009-05-05", "2009-05-05", NO_ORDER),  # the same date either way
        ("00/05/2009", "2009-05", None, DAY_FIRST),  # a day of 0 is not known; a month, no
        ("00/00/2009", "2009", "2009", NO_ORDER),
        ("31/02/2009", None, None, NO_ORDER),  # no date either way
        ("2009-03-04", "2009-03-04", "2009-03-04", NO_ORDER),  # the year first: Y-M-D
        ("20090304", "2009-03-04", "2009-03-04", NO_ORDER),
    ],
)
def test_a_date_with_its_year_last_reads_in_the_order_given(
    text: str, day_first: str | None, month_first: str | None, order: int
) -> None:
    """A date written with its year last reads day first, or month first where its
    column shows it; what one text shows of the order is the reading that is a date."""
    for flag, expected in ((False, day_first), (True, month_first)):
        parsed = parse_partial_date(text, month_first=flag)
        assert (parsed and parsed.iso) == expected
        assert parse_partial_dates([text], month_first=flag).iso() == [expected]
    assert day_month_orders([text]).tolist() == [order]


@given(st.from_regex(r"\A(\d{4}(-\d{1,2}(-\d{1,2})?)?|\d{1,2}[-/.]\d{1,2}[-/.]\d{4})\Z"))
@example("2009-05-25")
@example("25-12-2009")
@example("12-25-2009")
def test_a_date_shows_its_order_whatever_blanks_are_around_it(text: str) -> None:
    """A date written ``YYYY-MM-DD`` shows no order of day and month, and its text is
    passed by as such (``dates._PLAIN_ISO``); one with blanks around it is read in full:
    both read alike, as do dates written with the year last."""
    assert day_month_orders([text]).tolist() == day_month_orders([f" {text} "]).tolist()


@given(st.dates(min_value=date(1850, 1, 1), max_value=date(2100, 12, 31)), st.sampled_from("/.-"))
def test_a_date_reads_the_same_written_either_way(value: date, separator: str) -> None:
    day_month = separator.join([f"{value.day:02d}", f"{value.month:02d}", str(value.year)])
    month_day = separator.join([f"{value.month:02d}", f"{value.day:02d}", str(value.year)])
    assert parse_partial_date(day_month) == parse_partial_date(month_day, month_first=True)
    assert parse_partial_date(day_month) == PartialDate(value.year, value.month, value.day)
    shown = day_month_orders([day_month, month_day]).tolist()
    if value.day == value.month:
        assert shown == [NO_ORDER, NO_ORDER]
    elif value.day > 12:
        assert shown == [DAY_FIRST, MONTH_FIRST]
    else:
        assert shown == [EITHER_ORDER, EITHER_ORDER]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # an estimate, and parts not known written XX or ??: the date they leave
        ("2009?", "2009"),
        ("~2009", "2009"),
        ("c. 2009", "2009"),
        ("XX/XX/2009", "2009"),
        ("2009-XX-XX", "2009"),
        ("??/??/2009", "2009"),
        ("XX/05/2009", "2009-05"),
        # a month and year, and a month by its English name
        ("05/2009", "2009-05"),
        ("May 2009", "2009-05"),
        ("12 May 2009", "2009-05-12"),
        ("May 12, 2009", "2009-05-12"),
        ("12-May-2009", "2009-05-12"),
        ("Sept 2009", "2009-09"),
        ("13/2009", None),
        ("Mayo 2009", None),
        ("12 May 12 2009", None),
        ("x", None),
    ],
)
def test_dates_written_other_ways(text: str, expected: str | None) -> None:
    # A review found each of these blanked as malformed in registers of separated
    # children: the birth they say was lost.
    read = parse_partial_date(text)
    assert (read and read.iso) == expected
    assert parse_partial_dates([text]).iso() == [expected]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9", (9, 9)),
        ("9-11", (9, 11)),
        ("12.5", (12, 12)),
        ("9,5", (9, 9)),
        ("9.25-10.5", (9, 10)),
        ("1,000", None),  # a thousand written with a separator, not 1
        ("1.000", None),
        ("9-10,000", None),
        ("x", None),
        ("11-9", None),
        ("200", None),
        # estimates and units as registers of separated children write them (a review
        # found each blanked as malformed, the child's birth lost): read as the number
        ("10?", (10, 10)),
        ("around 10", (10, 10)),
        ("c. 10", (10, 10)),
        ("10 (est.)", (10, 10)),
        ("9 تقريباً", (9, 9)),
        ("9y", (9, 9)),
        ("9-year-old", (9, 9)),
        ("9 سنين", (9, 9)),
        ("9 років", (9, 9)),
        ("۹ سال", (9, 9)),
        ("6 months old", (0, 0)),
        ("6 mths", (0, 0)),
        ("18 мес", (1, 1)),
        ("6 اشهر", (0, 0)),
        ("6 місяців", (0, 0)),
        # years and months, as a young child's age is written (they were malformed,
        # blanked and reported): the whole years
        ("1 year 6 months", (1, 1)),
        ("2 yrs, 3 mths", (2, 2)),
        ("1y6m", (1, 1)),
        ("about 2 years and 6 months old", (2, 2)),
        ("2 ans et 6 mois", (2, 2)),
        ("2 años y 3 meses", (2, 2)),
        ("1 año y 1 mes", (1, 1)),  # Spanish's one month is "mes"
        ("سنتين و 6 أشهر", (2, 2)),  # Arabic's two years (its dual) and months
        ("سنة وشهرين", (1, 1)),  # a year and two months, "and" joined to the months
        ("۲ سال و ۶ ماه", (2, 2)),
        ("3 سنوات و 4 أشهر", (3, 3)),
        ("2 года 3 месяца", (2, 2)),
        ("1 year 18 months", (2, 2)),
        # in words, one to twenty (they were malformed, blanked and reported)
        ("nine", (9, 9)),
        ("Nine years old", (9, 9)),
        ("about nine", (9, 9)),
        ("nine to ten", (9, 10)),
        ("twenty", (20, 20)),  # its y is no unit, as 9y's is
        ("six months", (0, 0)),
        ("تسع سنوات", (9, 9)),
        ("neuf ans", (9, 9)),
        ("dix-sept ans", (17, 17)),
        ("diecisiete años", (17, 17)),
        ("catorce años", (14, 14)),  # not "ca" (circa) and "torce"
        ("catorze", (14, 14)),
        ("ca 14", (14, 14)),
        ("ca. catorce", (14, 14)),
        ("девять лет", (9, 9)),
        ("дев'ять років", (9, 9)),
        ("نه سال", (9, 9)),
        # over twenty, a tens word and a unit word (was malformed, blanked and reported)
        ("twenty-one", (21, 21)),
        ("twenty-five years old", (25, 25)),
        ("vingt-cinq ans", (25, 25)),
        ("vingt et un", (21, 21)),
        ("soixante-dix", (70, 70)),
        ("quatre-vingt-dix-neuf", (99, 99)),
        ("veinticinco años", (25, 25)),
        ("treinta y cinco", (35, 35)),
        ("vinte e cinco", (25, 25)),
        ("خمسة وعشرون", (25, 25)),
        ("خمسة و عشرون سنة", (25, 25)),
        ("двадцать пять лет", (25, 25)),
        ("двадцять п'ять років", (25, 25)),
        ("بیست و پنج سال", (25, 25)),
        ("twenty ten", None),
        # a range whose ends are a tens word and a unit word, or words with a space between
        # them (they were malformed, blanked and reported)
        ("twenty-one to twenty-two", (21, 22)),
        ("twenty to twenty-five", (20, 25)),
        ("twenty five to thirty years", (25, 30)),
        ("twenty or twenty-one", (20, 21)),
        ("treinta y cinco o treinta y seis", (35, 36)),
        ("twenty-twenty five", None),  # which dash parts the ends: none read
        # between two ages (was malformed)
        ("between 20 and 25", (20, 25)),
        ("between twenty and thirty years old", (20, 30)),
        ("entre 20 et 25 ans", (20, 25)),
        ("بين 20 و 25", (20, 25)),
        ("between 25 and 20", None),
        # a decade of life, or its early, mid or late years (was malformed)
        ("30s", (30, 39)),
        ("30's", (30, 39)),
        ("about 30s", (30, 39)),
        ("thirties", (30, 39)),
        ("in his early thirties", (30, 33)),
        ("mid-40s", (44, 46)),
        ("in her late twenties", (27, 29)),
        ("la trentaine", (30, 39)),
        ("treinta y tantos", (30, 39)),
        ("في الثلاثينات", (30, 39)),
        ("الأربعينيات", (40, 49)),
        ("early", None),
        ("in his", None),
        ("130s", None),
        # Arabic's one and two of a unit, the unit alone (the singular) or its dual: they
        # were malformed, blanked and reported (names/resources/age_units.tsv)
        ("سنة", (1, 1)),
        ("سنه", (1, 1)),
        ("سنة واحدة", (1, 1)),
        ("سنتان", (2, 2)),
        ("سنتين", (2, 2)),
        ("حوالي سنتين", (2, 2)),
        ("عام", (1, 1)),
        ("عامان", (2, 2)),
        ("عامين", (2, 2)),
        ("شهر", (0, 0)),
        ("شهرين", (0, 0)),
        ("أسبوعين", (0, 0)),
        ("یک سال", (1, 1)),
        # two ages, "or" between them, as "9-10" (they were malformed, blanked and reported)
        ("9 or 10", (9, 10)),
        ("9 ou 10 ans", (9, 10)),
        ("9 или 10 лет", (9, 10)),
        ("9 أو 10", (9, 10)),
        ("۹ یا ۱۰ سال", (9, 10)),
        ("nine or ten", (9, 10)),
        ("10 or 9", None),
        ("9 or", None),
        ("120 years 12 months", None),
        ("2 years 6", None),
        # a newborn's weeks and days: under a year
        ("3 weeks", (0, 0)),
        ("10 days", (0, 0)),
        ("10 jours", (0, 0)),
        ("400 days", None),
        # under a bound: the range it says; over one, no range to read
        ("under 5", (0, 4)),
        ("<5", (0, 4)),
        ("under 6 months", (0, 0)),
        ("under 3 weeks", (0, 0)),
        ("under 10 days", (0, 0)),
        ("<2 weeks", (0, 0)),
        ("under 0 weeks", None),
        ("10+", None),
        ("under 0", None),
        ("under 200", None),
        ("?", None),
        ("years", None),
        # "old" after an abbreviated year, "y/o", and a half as a fraction: blanked as
        # malformed, where "40 years old", "40 yo" and "2.5" read
        ("40 yrs old", (40, 40)),
        ("40 yrs. old", (40, 40)),
        ("40 y/o", (40, 40)),
        ("2 1/2 years", (2, 2)),
        ("2½", (2, 2)),
        ("1 ½ yrs", (1, 1)),
        ("11/2", None),  # no half: a date's day and month, or eleven halves
        # a sex letter after a whole age, as hospital and survivor lists write it (was
        # malformed): F the years; M the years from 60, under which it may be months
        ("35F", (35, 35)),
        ("35 F", (35, 35)),
        ("35f", (35, 35)),
        ("about 35 f.", (35, 35)),
        ("60M", (60, 60)),
        ("70 m", (70, 70)),
        ("35M", None),  # 35 months, or 35 years and male
        ("35m", None),
        ("18m", None),
        ("6m", None),
        ("59 M", None),
        ("130F", None),
        ("35F years", None),
        # clinical notation, N/12 months, N/52 weeks, N/7 days (was malformed): the
        # whole years, 0 (read_age keeps the unit)
        ("9/12", (0, 0)),
        ("1/12", (0, 0)),
        ("3/52", (0, 0)),
        ("4/7", (0, 0)),
        # two ages with a slash, the second one more, as "9 or 10" (was malformed)
        ("9/10", (9, 10)),
        ("9 / 10", (9, 10)),
        ("9/11", None),  # two more: no "or" a register writes so
        ("10/12", (0, 0)),  # 10 months: clinical notation alone
        ("4/5", (4, 5)),
        ("9/10 years", (9, 10)),
        ("11/12 years", (11, 12)),  # years written: two ages, no months
        # both (N months, weeks or days, or N to the second in years): malformed
        ("11/12", None),
        ("51/52", None),
        ("6/7", None),
        ("50/52", (0, 0)),  # 50 weeks
        ("5/7", (0, 0)),  # 5 days
        # neither: a common fraction, the second under the first, none of a week, month
        # or year, a date
        ("3/4", None),
        ("1/2", None),
        ("12/10", None),
        ("0/12", None),
        ("12/12", None),
        ("52/52", None),
        ("7/7", None),
        ("3/52 years", None),
        ("120/121", None),
        ("9/12/2010", None),
    ],
)
def test_ages(text: str, expected: tuple[int, int] | None) -> None:
    assert parse_age(text) == expected


@pytest.mark.parametrize(
    ("text", "expected", "ambiguous"),
    [
        ("35F", (35, 35, YEARS), None),
        ("70 m", (70, 70, YEARS), None),
        ("18m", None, "Nm"),
        ("6 M", None, "Nm"),
        ("9/12", (9, 9, MONTHS), None),
        ("1/12", (1, 1, MONTHS), None),
        ("3/52", (3, 3, WEEKS), None),
        ("4/7", (4, 4, DAYS), None),
        ("9/10", (9, 10, YEARS), None),
        ("11/12 years", (11, 12, YEARS), None),
        ("10/12", (10, 10, MONTHS), None),
        ("about 11/12", None, "N/12"),
        ("50/52", (50, 50, WEEKS), None),
        ("51/52", None, "N/52"),
        ("5/7", (5, 5, DAYS), None),
        ("6/7", None, "N/7"),
        ("9/11", None, None),
        ("3/4", None, None),
        ("12/10", None, None),
        ("9/12/2010", None, None),
        ("1y6m", (18, 18, MONTHS), None),  # the m of years and months: months, as before
    ],
)
def test_a_sex_letter_or_a_slash_reads_one_way_or_is_ambiguous(
    text: str, expected: tuple[int, int, str] | None, ambiguous: str | None
) -> None:
    """A sex letter after an age ("35F") and clinical notation ("9/12": 9 months) read in
    their unit; a text that reads two ways ("18m": 18 months, or 18 years and male;
    "11/12": 11 months, or 11 or 12 years) is malformed, and said to be ambiguous."""
    assert (read_age(text), ambiguous_age(text)) == (expected, ambiguous)


_TWO_WAY = st.one_of(
    st.builds(
        lambda age, blank, letter: f"{age}{blank}{letter}",
        st.integers(0, 130),
        st.sampled_from(["", " "]),
        st.sampled_from(["F", "f", "M", "m", "F.", "m."]),
    ),
    st.builds(
        lambda first, blank, second: f"{first}{blank}/{blank}{second}",
        st.integers(0, 130),
        st.sampled_from(["", " "]),
        st.one_of(st.sampled_from([7, 12, 52]), st.integers(0, 130)),
    ),
)


@settings(max_examples=300)
@given(_TWO_WAY, st.sampled_from(["", "about ", "~"]))
@example("11/12", "")
@example("59m", "")
def test_an_age_with_a_letter_or_a_slash_reads_once_and_reads_back_as_kept(
    text: str, estimate: str
) -> None:
    """Such an age reads one way (kept as validation writes it, which reads back the
    same, so that its birth is read), or is ambiguous, or neither: never both; and an
    estimate's word before it changes nothing."""
    read = read_age(estimate + text)
    assert read == read_age(text)
    assert ambiguous_age(estimate + text) == ambiguous_age(text)
    assert read is None or ambiguous_age(text) is None
    if read is not None:
        assert read_age(age_text(*read)) == read
        assert read[2] == YEARS or read[0] >= 1  # no clinical count of nothing


def test_a_huge_age_cell_is_malformed_before_a_pattern_reads_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The unit's pattern, searched, is quadratic in a run of white space (a pasted cell
    of 20,000 spaces took 38 s): text past the longest age is malformed unread."""
    import rfl_match.dates as dates

    assert parse_age("approximately 100 to 110 years old") == (100, 110)

    class Unread:
        def search(self, text: str) -> None:
            raise AssertionError(f"read {len(text):,} characters")

    monkeypatch.setattr(dates, "_MONTHS", Unread())
    assert parse_age("9" + " " * 20_000 + "?") is None


def test_child_aged_9_in_2019_meets_child_aged_14_in_2024() -> None:
    births = birth_intervals(None, pd.Series(["9", "14"]), pd.Series(["2019-06-01", "2024-06-01"]))
    assert births.lo[0] == births.lo[1] and births.hi[0] == births.hi[1]
    # Aged 9 on 1 June 2019: born from 2 June 2009 (counted from the birthday) to the end
    # of 2010 (counted by the years, 2019 less 2010)
    assert births.lo[0] == day("2009-06-02") and births.hi[0] == day("2010-12-31")


@settings(max_examples=200)
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=40 * 366),
    st.booleans(),
)
@example(date(2010, 8, 1), 3195, True)  # 1 May 2019: 8 from the birthday, 9 by the years
def test_an_age_counted_from_the_birthday_or_by_the_years_holds_the_birth(
    born: date, days_later: int, by_years: bool
) -> None:
    """A record's age as of its date, counted from the birthday or (as registers often
    count it) the record's year less the birth's: its interval holds the birth, and is
    never more than two years wide (a wider one weighs as a range, not a year)."""
    seen = date.fromordinal(born.toordinal() + days_later)
    age = seen.year - born.year
    if not by_years and (seen.month, seen.day) < (born.month, born.day):
        age -= 1
    births = birth_intervals(None, pd.Series([str(age)]), pd.Series([seen.isoformat()]))
    lo, hi = int(births.lo[0]), int(births.hi[0])
    assert lo <= day(born.isoformat()) <= hi <= day(seen.isoformat())
    assert hi - lo < 2 * 365


@pytest.mark.parametrize(
    ("age", "earliest", "latest"),
    [
        # a young child's months, weeks or days say its birth to within a month or two,
        # counted from the day or by the calendar's months; they read as its whole years,
        # a birth any day of the year before ("6 months": 2 May 2018 to 1 May 2019), or
        # two years before ("18 months")
        ("6 months", "2018-10-02", "2018-11-30"),
        ("8 mois", "2018-08-02", "2018-09-30"),
        ("1 mes", "2019-03-02", "2019-04-30"),
        ("سنتين و 6 أشهر", "2016-10-02", "2016-11-30"),
        ("۶ ماه", "2018-10-02", "2018-11-30"),
        ("6 أشهر", "2018-10-02", "2018-11-30"),
        ("about 6 months old", "2018-10-02", "2018-11-30"),
        ("18 months", "2017-10-02", "2017-11-30"),
        ("1 year 6 months", "2017-10-02", "2017-11-30"),
        ("۱ سال و ۶ ماه", "2017-10-02", "2017-11-30"),
        ("6-8 months", "2018-08-02", "2018-11-30"),
        ("under 6 months", "2018-11-02", "2019-05-01"),
        # a newborn's weeks and days: the month they fall in, no finer
        ("3 weeks", "2019-04-02", "2019-05-01"),
        ("10 days", "2019-04-02", "2019-05-01"),
        ("6 weeks", "2019-03-02", "2019-04-30"),
        ("شهرين", "2019-02-02", "2019-03-31"),  # two months (was malformed)
        ("سنتين", "2016-05-02", "2017-12-31"),  # two years (was malformed)
        # whole years as before
        ("0", "2018-05-02", "2019-05-01"),
        ("9", "2009-05-02", "2010-12-31"),
        ("9-10", "2008-05-02", "2010-12-31"),
    ],
)
def test_a_young_child_s_months_say_its_birth_to_the_month(
    age: str, earliest: str, latest: str
) -> None:
    births = birth_intervals(None, pd.Series([age]), pd.Series(["2019-05-01"]))
    assert (births.lo[0], births.hi[0]) == (day(earliest), day(latest))


@settings(max_examples=200)
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=6 * 366),
    st.booleans(),
)
@example(date(2019, 1, 31), 28, False)  # 28 February: no 31st, not yet a month
@example(date(2019, 1, 31), 89, True)  # 30 April: two months, three by the calendar
def test_an_age_in_months_counted_from_the_day_or_by_the_calendar_holds_the_birth(
    born: date, days_later: int, by_months: bool
) -> None:
    """A young child's age in months as of a record's date, counted from the day of its
    birth or by the calendar's months (the record's month less the birth's): its interval
    holds the birth, and is at most two months wide."""
    seen = date.fromordinal(born.toordinal() + days_later)
    months = (seen.year - born.year) * 12 + seen.month - born.month
    if not by_months and seen.day < born.day:
        months -= 1
    births = birth_intervals(None, pd.Series([f"{months} months"]), pd.Series([str(seen)]))
    lo, hi = int(births.lo[0]), int(births.hi[0])
    assert lo <= day(born.isoformat()) <= hi <= day(seen.isoformat())
    assert hi - lo < 62


@settings(max_examples=200)
@given(
    st.dates(min_value=date(1950, 1, 1), max_value=date(2024, 12, 31)),
    st.integers(min_value=0, max_value=60),
    st.integers(min_value=0, max_value=2),
)
def test_an_age_range_states_the_years_it_names(seen: date, low: int, more: int) -> None:
    """An age of one, two or three ages ("9", "9-10", "9-11") as of a day: its interval,
    counted by the years too, may be up to a year wider than the range it states, which is
    counted from the birthday alone (``stated_hi``): one or two ages state at most 2 years
    (730 days and a leap day), three more."""
    age = str(low) if not more else f"{low}-{low + more}"
    births = birth_intervals(None, pd.Series([age]), pd.Series([seen.isoformat()]))
    assert births.stated_hi is not None
    lo, hi, stated = int(births.lo[0]), int(births.hi[0]), int(births.stated_hi[0])
    assert lo <= stated <= hi < stated + 366
    assert (stated - lo <= 2 * 365) == (more < 2)


def test_an_age_counted_by_the_years_is_the_same_age_range_as_the_birth_date() -> None:
    """A request's child aged 9 on 1 May 2019, counted by the years (2019 less 2010), and
    a sighting's date of birth, 1 August 2010: the same age range, not "within a year"."""
    from rfl_match.compare import INTERVAL_LABELS, interval_levels

    request = birth_intervals(None, pd.Series(["9"]), pd.Series(["2019-05-01"]))
    sighting = birth_intervals(pd.Series(["2010-08-01"]), None, None)
    pair = np.zeros(1, dtype=np.int64)
    level = int(interval_levels(request, sighting, pair, pair)[0])
    assert INTERVAL_LABELS[level] == "same year or age range"


@pytest.mark.parametrize(
    ("request_date", "sighting_date", "label"),
    [
        # 12 Jumada I 1430 is 7 May 2009 by the tabular calendar, read as 5 to 9 May
        ("1430-05-12 AH", "1430-05-12 AH", "same date"),
        ("12/05/1430 هـ", "1430-05-12 AH", "same date"),
        ("1430-05-12 AH", "2009-05-07", "same date"),
        ("2009-05-09", "1430-05-12 AH", "same date"),
        ("1430-05-12 AH", "2009-05-10", "within a year"),  # a day past its five
        ("1430-05-12 AH", "1430-05-13 AH", "same year or age range"),  # the next day
        ("1430-05 AH", "1430-05 AH", "same year or age range"),  # a month, not a day
        ("1388-02-17 SH", "2009-05-07", "same date"),  # a Solar Hijri day is one day
    ],
)
def test_a_lunar_hijri_day_is_the_same_date_as_itself(
    request_date: str, sighting_date: str, label: str
) -> None:
    """A lunar Hijri day stands for five Gregorian days (the tabular calendar's reading, a
    day or two either side); two records that write the same day, or a Gregorian day
    within its five, give the same date, where they read "same year or age range"."""
    from rfl_match.compare import INTERVAL_LABELS, interval_levels

    request, sighting = (
        rm.read_records(
            pd.DataFrame({"record_id": ["1"], "full_name": ["Ali"], "date_of_birth": [text]})
        )
        for text in (request_date, sighting_date)
    )
    a, b = (birth_intervals(f["date_of_birth"], None, None) for f in (request, sighting))
    pair = np.zeros(1, dtype=np.int64)
    assert INTERVAL_LABELS[int(interval_levels(a, b, pair, pair)[0])] == label


def test_date_of_birth_wins_over_age_and_missing_stays_missing() -> None:
    births = birth_intervals(
        pd.Series(["2001-02-03", "", ""]),
        pd.Series(["30", "5", ""]),
        pd.Series(["2020-01-01", "2020-01-01", "2020-01-01"]),
    )
    assert births.lo[0] == day("2001-02-03") and bool(births.exact[0])
    assert births.lo[1] == day("2014-01-02") and births.hi[1] == day("2015-12-31")
    assert births.lo[2] == MISSING


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2090, 12, 31)))
def test_interval_contains_the_date(value: date) -> None:
    parsed = parse_partial_date(value.isoformat())
    assert parsed is not None
    lo, hi = parsed.interval()
    assert lo <= day(value.isoformat()) <= hi


ISO_LIKE = st.builds(
    lambda y, m, d, parts, time: "-".join([f"{y:04d}", f"{m:02d}", f"{d:02d}"][:parts]) + time,
    st.one_of(st.sampled_from([1849, 1850, 2000, 2024, 2100, 2101]), st.integers(1000, 2999)),
    st.one_of(st.sampled_from([0, 1, 2, 7, 12, 13]), st.integers(0, 99)),
    st.one_of(st.sampled_from([0, 1, 15, 28, 29, 30, 31, 32]), st.integers(0, 99)),
    st.integers(1, 3),
    st.one_of(
        st.just(""),
        st.sampled_from(
            [" 00:00:00", "T23:59", "T24:00:00", " 13:60", "T09:30:61", "x13:45", "T10:00Z"]
        ),
        st.sampled_from(["T01:02:03+03:00", " 01:02:03.25-0530", "T01:02+3", "T01:02:03 Z"]),
        st.builds(
            lambda sep, h, m, s: f"{sep}{h:02d}:{m:02d}" + ("" if s is None else f":{s:02d}"),
            st.sampled_from("T :"),
            st.integers(0, 29),
            st.integers(0, 69),
            st.none() | st.integers(0, 69),
        ),
    ),
)


COMPACT = st.builds(
    lambda y, m, d: f"{y:04d}{m:02d}{d:02d}",
    st.one_of(st.sampled_from([1849, 1850, 2008, 2100, 2101]), st.integers(1000, 2999)),
    st.one_of(st.sampled_from([0, 1, 2, 12, 13]), st.integers(0, 99)),
    st.one_of(st.sampled_from([0, 1, 28, 29, 30, 31, 32]), st.integers(0, 99)),
)


@settings(max_examples=300)
@given(st.lists(st.one_of(ISO_LIKE, COMPACT, st.text(alphabet="0123456789-/. ٢xT:", max_size=20))))
def test_many_dates_parse_as_each_alone(texts: list[str]) -> None:
    flags = np.arange(len(texts)) % 2 == 1  # every other text read month first
    dates = parse_partial_dates(texts, month_first=flags)
    lo, hi = dates.interval()
    for k, (text, iso) in enumerate(zip(texts, dates.iso(), strict=True)):
        parsed = parse_partial_date(text, month_first=bool(flags[k]))
        if parsed is None:
            assert (iso, dates.year[k], lo[k], hi[k]) == (None, 0, MISSING, MISSING)
        else:
            assert (iso, (lo[k], hi[k])) == (parsed.iso, parsed.interval())
            assert dates.day[k] == (parsed.day or 0)


AGES = st.sampled_from(
    [
        "", "0", "9", "14", "9-11", "130", "131", "x", "11-9", "under 3 weeks", "under 60 weeks",
        "6 months", "1 year 6 months", "6-8 months", "3 weeks", "10 days", "1452 months",
        "35F", "18m", "9/12", "3/52", "4/7", "9/10", "11/12", "3/4",
    ]
)  # fmt: skip
AS_OF = st.sampled_from(
    ["", "2019-06-01", "2020-02-29", "2020", "2020-07", "17/05/2009", "x", "2019-05-31"]
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.one_of(st.none(), ISO_LIKE, st.just("")), AGES, AS_OF), max_size=30),
    st.sampled_from(["object", "str"]),
)
def test_birth_intervals_equal_each_record_read_alone(
    rows: list[tuple[str | None, str, str]], dtype: str
) -> None:
    """Each distinct date, age and (age, date) pair is read once: the intervals are those
    of each record read alone (its date of birth, else its age as of the source date)."""
    born, ages, as_of = (pd.Series([r[k] for r in rows], dtype=dtype) for k in range(3))
    births = birth_intervals(born, ages, as_of, size=len(rows))
    for k, (text, age, when) in enumerate(rows):
        parsed = parse_partial_date(text) if text else None
        seen = parse_partial_date(when)
        aged = age_interval(age, seen) if seen is not None else None
        if parsed is not None:
            want = parsed.interval()
        elif aged is not None:
            want = aged
        else:
            want = (MISSING, MISSING)
        assert (births.lo[k], births.hi[k]) == want
        assert bool(births.exact[k]) == (parsed is not None and want[0] == want[1])


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("20090512", "2009-05-12"),
        ("20080229", "2008-02-29"),
        ("20090500", "2009-05"),  # a day of 0: not known
        ("20090229", None),
        ("20091301", None),
        ("12052009", None),  # DDMMYYYY: only YYYYMMDD is read
        ("21010101", None),
    ],
)
def test_compact_dates_are_read(text: str, expected: str | None) -> None:
    parsed = parse_partial_date(text)
    assert (parsed and parsed.iso) == expected
    assert parse_partial_dates([text]).iso() == [expected]


@pytest.mark.parametrize(
    ("serial", "date_system", "expected"),
    [
        (1, 1900, "1900-01-01"),
        (59, 1900, "1900-02-28"),
        (60, 1900, None),  # Excel's 29 February 1900, which never was
        (61, 1900, "1900-03-01"),
        (10000, 1900, "1927-05-18"),
        (39448, 1900, "2008-01-01"),
        (39448.99, 1900, "2008-01-01"),  # a time of day: dropped
        (45292, 1900, "2024-01-01"),
        (2958465, 1900, "9999-12-31"),
        (2958466, 1900, None),
        (0, 1900, None),
        (-1, 1900, None),
        (float("nan"), 1900, None),
        (0, 1904, "1904-01-01"),
        (59, 1904, "1904-02-29"),
        (60, 1904, "1904-03-01"),
        (37986, 1904, "2008-01-01"),
    ],
)
def test_excel_serial_dates(serial: float, date_system: int, expected: str | None) -> None:
    """Golden values as Excel shows them (DATE(2008,1,1) is 39448 in the 1900 system,
    37986 in the 1904 one)."""
    (day_,) = excel_serial_dates(np.array([serial], dtype=np.float64), date_system=date_system)
    assert (None if np.isnat(day_) else str(day_)) == expected


# --- Other calendars ---------------------------------------------------------------------
# Each row: a date as a register of that calendar writes it, and the Gregorian days it
# stands for (first, last). Anchors: Ethiopian New Year (1 Meskerem) falls on 11 September,
# or 12 September before a Gregorian leap year; Nowruz (1 Farvardin) on 20 or 21 March, as
# Iran's calendar tables give it; 1 Muharram 1445 was 19 July 2023.
CALENDAR_DATES = [
    ("2008 EC", ("2015-09-12", "2016-09-10")),  # a year: the span of days it covers
    ("2008 E.C.", ("2015-09-12", "2016-09-10")),
    ("2009 ዓ.ም", ("2016-09-11", "2017-09-10")),
    ("ዓ.ም 2017", ("2024-09-11", "2025-09-10")),
    ("12/05/2008 ዓ.ም", ("2016-01-21", "2016-01-21")),  # 12 Tir, day first
    ("2008-05 EC", ("2016-01-10", "2016-02-08")),  # Tir: a month of 30 days
    ("06/13/2007 EC", ("2015-09-11", "2015-09-11")),  # Pagume 6 of a leap year
    ("01/01/2008 EC", ("2015-09-12", "2016-09-10")),  # New Year's day: the whole year
    ("1385 SH", ("2006-03-21", "2007-03-20")),
    ("1399 S.H.", ("2020-03-20", "2021-03-20")),  # a leap year: 366 days
    ("۱۳۸۵/۰۵/۱۲ ه.ش", ("2006-08-03", "2006-08-03")),  # 12 Mordad, in Persian digits
    ("1403/12/30 هـ.ش", ("2025-03-20", "2025-03-20")),  # the 30th of a leap Esfand
    ("1400 هجری شمسی", ("2021-03-21", "2022-03-20")),
    ("1385 هجري شمسي", ("2006-03-21", "2007-03-20")),
    ("۱۳۸۵ ه\u200d.ش", ("2006-03-21", "2007-03-20")),  # a joiner and a dot, as Persian types it
    ("\u200f۱۳۸۵/۰۵/۱۲ ه.ش\u200f", ("2006-08-03", "2006-08-03")),  # marks of direction
    ("~1385 SH", ("2006-03-21", "2007-03-20")),  # an estimate's mark
    ("XX/XX/1385 SH", ("2006-03-21", "2007-03-20")),  # parts not known
    # lunar Hijri: tabular, each date reaching 2 days further either side (1 Muharram 1400
    # was 21 November 1979, 1 Muharram 1401 10 November 1980)
    ("1400 AH", ("1979-11-19", "1980-11-10")),
    ("1400 هـ", ("1979-11-19", "1980-11-10")),
    ("1400 هجرية", ("1979-11-19", "1980-11-10")),
    ("10/02/1446 AH", ("2024-08-14", "2024-08-18")),
    ("30/02/1440 AH", ("2018-11-08", "2018-11-12")),  # Umm al-Qura's 30th, tabular 29 days
    ("1440-02 AH", ("2018-10-10", "2018-11-11")),
    ("2009-05-12 AD", ("2009-05-12", "2009-05-12")),  # Gregorian, said so
    ("12/05/2009 G.C.", ("2009-05-12", "2009-05-12")),
]


@pytest.mark.parametrize(("text", "expected"), CALENDAR_DATES)
def test_a_date_of_another_calendar_reads_as_the_days_it_stands_for(
    text: str, expected: tuple[str, str]
) -> None:
    lo, hi = parse_partial_dates([text]).interval()
    assert (int(lo[0]), int(hi[0])) == (day(expected[0]), day(expected[1]))
    # what validation writes reads back as the same days
    written = parse_partial_dates([text]).iso()[0]
    assert written is not None
    again = parse_partial_dates([written]).interval()
    assert (int(again[0][0]), int(again[1][0])) == (int(lo[0]), int(hi[0]))


@pytest.mark.parametrize(
    "text",
    ["1385-05-12/1385-05-12", "2009-03-01/2009-02-28",
     "2008/13/06 EC", "1385/13/01 SH", "1385/12/31 SH", "1446/13/01 AH", "1446/02/31 AH",
     "3000 EC", "1385", "፭/2008 EC", "born 1385 SH", " " * 900 + "1385 SH"],
)  # fmt: skip
def test_a_day_no_calendar_has_is_malformed(text: str) -> None:
    assert parse_partial_dates([text]).year.tolist() == [0]


@pytest.mark.parametrize("calendar", [ETHIOPIAN, SOLAR_HIJRI, LUNAR_HIJRI])
def test_a_calendar_s_years_and_months_tile_the_days(calendar: str) -> None:
    """Each year starts the day after the last ends, holds the days of a year of its kind,
    and its months tile it; its first day of the year stands for the year."""
    low, high = _CALENDAR_YEARS[calendar]
    lengths = {ETHIOPIAN: (365, 366), SOLAR_HIJRI: (365, 366), LUNAR_HIJRI: (354, 355)}
    slack = LUNAR_SLACK if calendar == LUNAR_HIJRI else 0

    def span_of(year: int, month: int = 0) -> tuple[int, int]:
        found = calendar_span(calendar, year, month)
        assert found is not None
        return found[0] + slack, found[1] - slack  # the tabular count's own days

    end = None
    for year in range(low, high):
        first, last = span_of(year)
        assert end is None or first == end + 1
        assert last - first + 1 in lengths[calendar], year
        end = last
        start = first
        for month in range(1, 14 if calendar == ETHIOPIAN else 13):
            month_span = span_of(year, month)
            assert month_span[0] == start
            start = month_span[1] + 1
        assert start == last + 1
        assert calendar_span(calendar, year, 1, 1) == calendar_span(calendar, year)


@given(st.dates(date(1900, 1, 1), date(2090, 12, 31)))
@settings(max_examples=200, deadline=None)
def test_every_day_is_one_day_of_each_calendar(value: date) -> None:
    """Consistency of the calendars' years, months and days: the day's year and month in
    each calendar, found by walking the year and month spans, hold it once each, and its
    day of that month reads back as the day. (Their agreement with other converters,
    convertdate, jdatetime, persiantools and hijridate, every day from 1900 to 2090, was
    checked apart: the anchors of CALENDAR_DATES hold it here.)"""
    target = day(value.isoformat())
    for calendar in (ETHIOPIAN, SOLAR_HIJRI, LUNAR_HIJRI):
        low, high = _CALENDAR_YEARS[calendar]
        slack = LUNAR_SLACK if calendar == LUNAR_HIJRI else 0
        years = [
            y for y in range(low, high + 1) if _holds(calendar_span(calendar, y), target, slack)
        ]
        assert len(years) == 1
        months = [
            m for m in range(1, 14) if _holds(calendar_span(calendar, years[0], m), target, slack)
        ]
        assert len(months) == 1
        first = calendar_span(calendar, years[0], months[0])
        assert first is not None
        nth = target - first[0] - slack + 1
        read = calendar_span(calendar, years[0], months[0], nth)
        if (months[0], nth) != (1, 1):
            assert read == (target - slack, target + slack)
        # a record's date is that day, its year's first too
        assert calendar_span(calendar, years[0], months[0], nth, placeholders=False) == (
            target - slack,
            target + slack,
        )


def _holds(span: tuple[int, int] | None, target: int, slack: int = 0) -> bool:
    """Whether ``span`` holds the day, less the slack it reaches either side."""
    return span is not None and span[0] + slack <= target <= span[1] - slack


def test_a_column_of_another_calendar_reads_each_date_in_it() -> None:
    read = parse_partial_dates(["2008-05-12", "12/05/2008", "2008"], calendar=ETHIOPIAN)
    # each date written as the span of days it is, a day too, so that it reads the same
    # again in any calendar
    assert read.iso() == [
        "2016-01-21/2016-01-21",
        "2016-01-21/2016-01-21",
        "2015-09-12/2016-09-10",
    ]
    # a cell that names its calendar keeps it; a span written out reads as itself
    read = parse_partial_dates(["2009-05-12 AD", "2015-09-12/2016-09-10"], calendar=ETHIOPIAN)
    assert read.iso() == ["2009-05-12/2009-05-12", "2015-09-12/2016-09-10"]
    assert parse_partial_dates(read.iso(), calendar=SOLAR_HIJRI).iso() == read.iso()


_DATE_TEXT = st.lists(
    st.sampled_from(
        [
            *"0123456789/-. ~?xX",
            *("۱", "۳", "٤", "፭", "\u200f", "\u200d"),
            *("SH", "EC", "AH", "AD", "H", "ه", "ش", "ه.ش", "هـ", "ዓ.ም", "/20", "-02-30", "2009"),
            *("1385", "1400", "2008", "12/05/", "2015-09-12/2016-09-10", " "),
        ]
    ),
    max_size=12,
).map("".join)


@given(st.lists(_DATE_TEXT, max_size=8), st.sampled_from(CALENDARS))
@example(["2009-02-30/2009-03-01", "0000-01-01/0001-01-01", "፭/2008"], ETHIOPIAN)
@example(["2009-02-30/2009-03-01", "۲۰۰۹-۰۱-۰۱/۲۰۰۹-۰۱-۰۲"], GREGORIAN)
@settings(max_examples=300, deadline=None)
def test_any_date_text_reads_or_is_malformed_and_reads_again_the_same(
    texts: list[str], calendar: str
) -> None:
    """No text raises, in any calendar: it reads as a date or as none; and what it is
    written as (validation's clean form) reads as the same days again, in any calendar."""
    read = parse_partial_dates(texts, calendar=calendar)
    written = read.iso()
    lo, hi = read.interval()
    assert [w is None for w in written] == (read.year == 0).tolist()
    kept = [w for w in written if w is not None]
    again = parse_partial_dates(kept, calendar=calendar)
    known = read.year > 0
    assert again.iso() == kept
    if calendar != GREGORIAN:  # a column read in another calendar is written as spans
        a_lo, a_hi = again.interval()
        assert (a_lo.tolist(), a_hi.tolist()) == (lo[known].tolist(), hi[known].tolist())


def test_a_gregorian_date_that_says_so_shows_its_column_s_order() -> None:
    orders = day_month_orders(
        ["05/06/2009 AD", "12/25/2009 AD", "\u200f25/12/2009", "05/06/1385 SH"]
    )
    assert orders.tolist() == [EITHER_ORDER, MONTH_FIRST, DAY_FIRST, NO_ORDER]


@pytest.mark.parametrize(
    "text, iso", [("2009-05-??", "2009-05"), ("2009-??-??", "2009"), ("2009/05/??", "2009-05")]
)
def test_trailing_parts_not_known_written_qq_read_as_xx_do(text: str, iso: str) -> None:
    """ "??" as XX (the README's "parts not known written XX or ??"), last in the date too,
    where an estimate's "?" was read past first and left a dangling separator."""
    found = parse_partial_date(text)
    assert found is not None and found.iso == iso


@pytest.mark.parametrize(
    "text, span",
    [
        ("1385/XX/XX SH", "2006-03-21/2007-03-20"),
        ("1385/05/XX SH", "2006-07-23/2006-08-22"),
        ("1385? SH", "2006-03-21/2007-03-20"),
        ("2009-XX-XX AD", "2009"),
    ],
)
def test_a_date_naming_its_calendar_may_end_in_a_part_not_known(text: str, span: str) -> None:
    assert parse_partial_dates([text]).iso() == [span]


def test_a_month_first_column_reads_its_estimates_month_first() -> None:
    """Estimates and parts not known show the column's order as their dates do: read
    day first, "03/04/2009?" was 3 April in a column of 12/25/2009, and "12/20/2009?"
    and "05/XX/2009" were blanked."""
    births = ["12/25/2009", "03/04/2009?", "~03/04/2009", "12/20/2009?", "05/XX/2009"]
    frame = pd.DataFrame(
        {"record_id": list("abcde"), "full_name": ["Maria Lopez"] * 5, "date_of_birth": births}
    )
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == [
        "2009-12-25", "2009-03-04", "2009-03-04", "2009-12-20", "2009-05",
    ]  # fmt: skip


@pytest.mark.parametrize(
    "text",
    ["53 weeks", "60 weeks", "100 weeks", "300 weeks", "400 days", "under 53 weeks", "<400 days"],
)
def test_weeks_or_days_of_a_year_or_more_are_no_newborn_s_age(text: str) -> None:
    """Malformed (blanked and reported), not 0: "300 weeks" is nearly six years; under a
    bound, the bound written is held to the same year."""
    assert parse_age(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "3 weeks", "52 weeks", "2 wks old", "3 semaines", "365 days",
        # under a bound: a newborn's too (they were malformed, blanked and reported)
        "under 3 weeks", "under 10 days", "<2 weeks", "under 52 weeks", "below 365 days",
        "less than 3 semaines",
    ],
)  # fmt: skip
def test_weeks_or_days_under_a_year_are_age_0(text: str) -> None:
    assert parse_age(text) == (0, 0)


@pytest.mark.parametrize(
    ("ages", "kept", "reported"),
    [
        # "under 3 weeks" was blanked and reported as malformed; then read as 0, the
        # year before: the weeks and days it says, which the birth is read from
        (["under 3 weeks", "<10 days", "under 60 weeks"], ["0-2 weeks", "0-9 days", ""], [3]),
        # a child's age in years and months was blanked and reported as malformed, and
        # the child's birth lost to matching; then read as its whole years: the months
        (["1 year 6 months", "2 yrs 3 mths", "1y6m"], ["18 months", "27 months", "18 months"], []),
        # so was an age in words
        (["nine", "about nine years old", "تسع سنوات"], ["9", "9", "9"], []),
        # a sex letter after an age, clinical notation and two ages with a slash were
        # malformed: kept in the unit they say; one that reads two ways is still reported
        (["35F", "70 m", "9/10"], ["35", "70", "9-10"], []),
        (["9/12", "3/52", "4/7"], ["9 months", "3 weeks", "4 days"], []),
        (["18m", "11/12", "3/4"], ["", "", ""], [1, 2, 3]),
    ],
)
def test_a_young_child_s_age_is_kept_when_records_are_read(
    ages: list[str], kept: list[str], reported: list[int]
) -> None:
    frame = pd.DataFrame(
        {
            "record_id": list("abc"),
            "full_name": ["Ali Hassan"] * 3,
            "age": ages,
            "source_date": ["2019-05-01"] * 3,
        }
    )
    out = rm.read_records(frame)
    assert out["age"].tolist() == kept
    assert [(p.row, p.column) for p in out.attrs["problems"]] == [(r, "age") for r in reported]


@pytest.mark.parametrize("calendar", [ETHIOPIAN, SOLAR_HIJRI, LUNAR_HIJRI])
def test_a_calendar_s_years_lie_in_the_years_a_date_may_have(calendar: str) -> None:
    """Every day of a calendar's years read lies in 1850 to 2100, as a Gregorian date's
    must; the years either side are no date. (1266 AH, which began in 1849, was written
    as a span that nothing read back: the birth was lost without a word.)"""
    low, high = _CALENDAR_YEARS[calendar]
    era = {ETHIOPIAN: "EC", SOLAR_HIJRI: "SH", LUNAR_HIJRI: "AH"}[calendar]
    first, last = calendar_span(calendar, low), calendar_span(calendar, high)
    assert first is not None and last is not None
    assert date.fromordinal(first[0] + date(1970, 1, 1).toordinal()).year >= 1850
    assert date.fromordinal(last[1] + date(1970, 1, 1).toordinal()).year <= 2100
    assert calendar_span(calendar, low - 1) is None and calendar_span(calendar, high + 1) is None
    frame = pd.DataFrame(
        {"record_id": ["a"], "full_name": ["Ali Hassan"], "date_of_birth": [f"{low - 1} {era}"]}
    )
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == [""]
    assert [(p.row, p.column) for p in out.attrs["problems"]] == [(1, "date_of_birth")]
