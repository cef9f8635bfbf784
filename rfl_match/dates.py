"""Partial dates, ages as of a date, and birth intervals.

A birth date may be exact, a month, a year, or a placeholder (1 January, 1 July, the 15th)
that says no more than the year; an age is an estimate as of the record's ``source_date``.
Everything becomes a birth interval ``[earliest, latest]`` in days since 1970-01-01, so that
a child aged 9 in 2019 meets a child aged 14 in 2024.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

_EPOCH = date(1970, 1, 1).toordinal()
_DATE = re.compile(r"^\s*(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?\s*$")
_DMY = re.compile(r"^\s*(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})\s*$")
_AGE = re.compile(r"^\s*(\d{1,3})(?:\.\d+)?\s*(?:(?:-|–|to)\s*(\d{1,3})(?:\.\d+)?)?\s*$")
_MIN_YEAR, _MAX_YEAR = 1850, 2100
# Day-months that registrars write when the real day is unknown (DOMAIN.md, "Dates and ages").
_PLACEHOLDERS = frozenset({(1, 1), (7, 1)})
_PLACEHOLDER_DAY = 15

MISSING = np.iinfo(np.int32).min


@dataclass(frozen=True, slots=True)
class PartialDate:
    """A date known to a year, a month or a day."""

    year: int
    month: int | None = None
    day: int | None = None

    @property
    def precision(self) -> str:
        return "day" if self.day is not None else "month" if self.month is not None else "year"

    @property
    def iso(self) -> str:
        if self.day is not None and self.month is not None:
            return f"{self.year:04d}-{self.month:02d}-{self.day:02d}"
        if self.month is not None:
            return f"{self.year:04d}-{self.month:02d}"
        return f"{self.year:04d}"

    @property
    def is_placeholder(self) -> bool:
        """1 January, 1 July or the 15th: a registrar's stand-in for an unknown day."""
        if self.month is None or self.day is None:
            return False
        return (self.month, self.day) in _PLACEHOLDERS or self.day == _PLACEHOLDER_DAY

    def interval(self, *, placeholders: bool = True) -> tuple[int, int]:
        """Earliest and latest day (days since 1970-01-01) the date can stand for.

        Placeholders stand for their whole year (a birth date's 1 January); pass
        ``placeholders=False`` for dates that are meant to the day, such as a record's date.
        """
        if self.month is None or (placeholders and self.is_placeholder):
            return _days(self.year, 1, 1), _days(self.year, 12, 31)
        if self.day is None:
            last = calendar.monthrange(self.year, self.month)[1]
            return _days(self.year, self.month, 1), _days(self.year, self.month, last)
        day = _days(self.year, self.month, self.day)
        return day, day


def _days(year: int, month: int, day: int) -> int:
    return date(year, month, day).toordinal() - _EPOCH


def parse_partial_date(text: str) -> PartialDate | None:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (or ``DD/MM/YYYY``); None if malformed.

    >>> parse_partial_date("2009-01-01").is_placeholder
    True
    >>> parse_partial_date("2009-13") is None
    True
    """
    if not text:
        return None
    match = _DATE.match(text)
    if match:
        year, month, day = match.groups()
    else:
        dmy = _DMY.match(text)
        if not dmy:
            return None
        day, month, year = dmy.groups()
    y = int(year)
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    m = int(month) if month else None
    d = int(day) if day else None
    if m is not None and not 1 <= m <= 12:
        return None
    if d is not None and m is not None and not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return PartialDate(y, m, d)


def parse_age(text: str) -> tuple[int, int] | None:
    """Parse an age ``N`` or a range ``N-M`` in whole years; None if malformed.

    >>> parse_age("9-11")
    (9, 11)
    """
    match = _AGE.match(text) if text else None
    if not match:
        return None
    low = int(match.group(1))
    high = int(match.group(2)) if match.group(2) else low
    if high < low or high > 130:
        return None
    return low, high


def _age_interval(low: int, high: int, as_of: PartialDate) -> tuple[int, int]:
    """Born between (as_of - high - 1 years + 1 day) and (as_of - low years)."""
    first, last = as_of.interval(placeholders=False)
    earliest_ref = date.fromordinal(first + _EPOCH)
    latest_ref = date.fromordinal(last + _EPOCH)
    earliest = _shift_years(earliest_ref, -(high + 1)).toordinal() + 1 - _EPOCH
    latest = _shift_years(latest_ref, -low).toordinal() - _EPOCH
    return earliest, latest


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@dataclass(frozen=True, slots=True)
class BirthIntervals:
    """Columnar birth intervals: ``lo``/``hi`` in days since 1970 (``MISSING`` if unknown);
    ``exact`` is True where the birth day itself is known (not a placeholder)."""

    lo: npt.NDArray[np.int32]
    hi: npt.NDArray[np.int32]
    exact: npt.NDArray[np.bool_]


def birth_intervals(
    date_of_birth: pd.Series | None,
    age: pd.Series | None,
    source_date: pd.Series | None,
    *,
    size: int = 0,
) -> BirthIntervals:
    """Birth intervals for many records: the date of birth where given, else the age as of
    the source date. Each distinct value is parsed once. ``size``: the number of records
    when none of the three columns is given (all unknown)."""
    n = _length(date_of_birth, age, source_date, default=size)
    lo = np.full(n, MISSING, dtype=np.int32)
    hi = np.full(n, MISSING, dtype=np.int32)
    exact = np.zeros(n, dtype=bool)
    if date_of_birth is not None:
        codes, uniques = pd.factorize(date_of_birth.to_numpy(dtype=object))
        table = np.full((len(uniques) + 1, 3), MISSING, dtype=np.int64)
        for k, value in enumerate(uniques):
            parsed = parse_partial_date(str(value))
            if parsed is not None:
                a, b = parsed.interval()
                table[k] = (a, b, int(a == b))
        rows = table[codes]  # code -1 picks the last, all-missing row
        lo, hi = rows[:, 0].astype(np.int32), rows[:, 1].astype(np.int32)
        exact = rows[:, 2] == 1
    if age is not None and source_date is not None:
        need = lo == MISSING
        if need.any():
            pairs = (
                pd.Series(age.to_numpy(dtype=object)[need])
                + "|"
                + pd.Series(source_date.to_numpy(dtype=object)[need])
            )
            codes, uniques = pd.factorize(pairs.to_numpy(dtype=object))
            table = np.full((len(uniques) + 1, 2), MISSING, dtype=np.int64)
            for k, value in enumerate(uniques):
                age_text, _, date_text = str(value).partition("|")
                parsed_age = parse_age(age_text)
                as_of = parse_partial_date(date_text)
                if parsed_age is not None and as_of is not None:
                    table[k] = _age_interval(*parsed_age, as_of)
            rows = table[codes]
            lo[need] = rows[:, 0]
            hi[need] = rows[:, 1]
    return BirthIntervals(lo=lo, hi=hi, exact=exact)


def _length(*series: pd.Series | None, default: int) -> int:
    for s in series:
        if s is not None:
            return len(s)
    return default
