"""Checks made once a record's dates and age are read: what no record can say, and what it
says that cannot be used.

Parsing (:mod:`rfl_match.dates`) reads each cell alone. A date can read well and still be
impossible: a birth after the record's own date or after today, a record dated in the future,
a birth more than :data:`~rfl_match.dates.MAX_AGE` years before its record's date (1900-01-01,
a common stand-in for "not known"; without a record's date, only such a stand-in, on or before
1900-01-01: an archive holds births over 120 years ago). Such a value is blanked and
reported with its row, as a malformed one is. An age is read as of the record's
``source_date``: without one it places no birth, and a date of birth far from it is used in
its stead; each is noted on its row, the values kept. Age words ("child", "adult":
``names/resources/age_words.tsv``) are read as the ranges they say.

"Today" is the day validation runs, from :func:`today`: tests set it.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from typing import TYPE_CHECKING, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.dates import (
    MAX_AGE,
    MISSING,
    _days,
    birth_intervals,
    parse_partial_dates,
    shift_years,
)
from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text

# The checks report in rfl_match.schema's Problem, imported where they run: the schema
# imports this module.
if TYPE_CHECKING:
    from rfl_match.schema import Problem

#: Days apart beyond which a date of birth and an age contradict each other: the birth
#: comparison's "more than 5 years apart" (``rfl_match.compare.INTERVAL_LABELS``, 365 days
#: a year), its far level.
FAR_APART_DAYS = 5 * 365

#: What validation says of an age it cannot read.
MALFORMED_AGE = (
    f"malformed age (want N or N-M years, at most {MAX_AGE}, or a word such as child or "
    "adult); blanked"
)


def today() -> date:
    """The day dates are checked against: the clock's, read at each validation (a
    module-level function, so that tests can set the day)."""
    return date.today()


@cache
def _age_words() -> dict[str, tuple[int, int]]:
    """Each age word, as :func:`clean_text` writes it, and its range in whole years."""
    return {
        clean_text(form): (int(low), int(high) if high else MAX_AGE)
        for form, low, high, _ in read_table("age_words.tsv")
    }


def age_word(text: str) -> tuple[int, int] | None:
    """The ages in whole years that an age word says ("child": 0 to 17; "adult": 18 to
    :data:`~rfl_match.dates.MAX_AGE`), or None where ``text`` is no age word.

    >>> age_word("Child"), age_word("adult"), age_word("Ali")
    ((0, 17), (18, 120), None)
    """
    return _age_words().get(clean_text(text))


#: 1900-01-01, a register's stand-in for a birth not known, as validation writes a date.
_STAND_IN = "1900-01-01"


def _earliest_births(as_of: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The first day a person aged at most MAX_AGE on each day of ``as_of`` (days since
    1970-01-01) was born (as an age range as of a date reads:
    :func:`rfl_match.dates.birth_intervals`)."""
    earliest: npt.NDArray[np.int64] = shift_years(as_of, -(MAX_AGE + 1)) + 1
    return earliest


class _AsOf(NamedTuple):
    """Each record's date as the checks read it: whether it has one, its first and last
    day, and the first day a person aged at most MAX_AGE on its first day was born (days
    since 1970-01-01; today where the record has no date)."""

    dated: npt.NDArray[np.bool_]
    first: npt.NDArray[np.int64]
    last: npt.NDArray[np.int64]
    oldest: npt.NDArray[np.int64]


def _as_of(out: pd.DataFrame, now: date) -> _AsOf:
    """:class:`_AsOf` of each record of ``out``, each distinct source date read once (in
    numpy: the dates are written out as validation reads them)."""
    n = len(out)
    today_ = _days(now.year, now.month, now.day)
    if "source_date" not in out.columns:
        codes = np.full(n, -1, dtype=np.intp)
        first = last = np.zeros(0, dtype=np.int64)
    else:
        codes, uniques = pd.factorize(out["source_date"])
        read = parse_partial_dates([str(text) for text in uniques.tolist()])
        lo, hi = read.interval(placeholders=False)
        first, last = lo.astype(np.int64), hi.astype(np.int64)
    # code -1 (no date) picks the last row: today
    dated = np.append(first != MISSING, False)
    first = np.append(np.where(dated[:-1], first, today_), today_)
    last = np.append(np.where(dated[:-1], last, today_), today_)
    oldest = _earliest_births(first)
    return _AsOf(dated[codes], first[codes], last[codes], oldest[codes])


def check_dates(out: pd.DataFrame, problems: list[Problem]) -> None:
    """Blank and report, in ``out`` (validated text), the dates that cannot be: a
    ``source_date`` after today; a ``date_of_birth`` after its record's source date
    (after today where it has none), or more than :data:`~rfl_match.dates.MAX_AGE` years
    before it (where it has none: on or before 1900-01-01, and more than that before
    today). A partial date is blanked only where every day it may stand for is so (a birth
    year 2015 is not after a source date in May 2015); a birth date's placeholder day
    (1 January, 1 July, the 15th) stands for its year, as comparison reads it."""
    from rfl_match.schema import Problem

    now = today()
    as_of = _as_of(out, now)
    if "source_date" in out.columns:
        sources = out["source_date"]
        late = as_of.dated & (as_of.first > _days(now.year, now.month, now.day))
        for row in np.flatnonzero(late).tolist():
            message = f"source date after today ({now.isoformat()}); blanked"
            problems.append(Problem(row + 1, "source_date", message, str(sources.iat[row])))
        if late.any():
            out["source_date"] = sources.mask(late, "")
            as_of = _as_of(out, now)
    if "date_of_birth" not in out.columns:
        return
    births = out["date_of_birth"]
    read = birth_intervals(births, None, None)
    lo, hi = read.lo.astype(np.int64), read.hi.astype(np.int64)
    known = lo != MISSING
    after = known & (lo > as_of.last)
    # Without a record's date, age is read against today, and an archive's records (the
    # tracing of the world wars) hold births over 120 years ago: only the stand-in for a
    # birth not known, 1900-01-01 or before, is blanked (FEBRL's births of 1900-1906 were,
    # and 1.8 points of its true pairs lost their birth-year blocks).
    # The date as written (ISO once validation has read it), not the year a placeholder
    # day stands for: 1 July 1900 is kept, 1900-01-01 and a year 1900 are not.
    stand_in = (births.to_numpy(dtype=str) <= _STAND_IN).astype(bool)
    before = known & (hi < as_of.oldest) & (as_of.dated | stand_in)
    if not (after | before).any():
        return
    for row in np.flatnonzero(after | before).tolist():
        # A birth still to come is said so, whatever the record's date.
        if as_of.dated[row] and not lo[row] > _days(now.year, now.month, now.day):
            than = f"its source date ({out['source_date'].iat[row]})"
        else:
            than = f"today ({now.isoformat()})"
        if after[row]:
            message = f"date of birth after {than}; blanked"
        elif as_of.dated[row]:
            message = f"date of birth more than {MAX_AGE} years before {than}; blanked"
        else:
            message = (
                f"date of birth more than {MAX_AGE} years before today ({now.isoformat()}) "
                "and no later than 1900-01-01, a stand-in for one not known, with no source "
                "date; blanked"
            )
        problems.append(Problem(row + 1, "date_of_birth", message, str(births.iat[row])))
    out["date_of_birth"] = births.mask(after | before, "")


def note_ages(out: pd.DataFrame, problems: list[Problem]) -> None:
    """Note, in ``problems``, each age of ``out`` (validated text, its dates checked by
    :func:`check_dates`) that matching does not use, its value kept: one with no date of
    birth and no source date to read it as of (none given, or one blanked), which places
    no birth at all; and one whose date of birth lies more than 5 years
    (:data:`FAR_APART_DAYS`) from the births it allows, where the date of birth is used."""
    from rfl_match.schema import Problem

    if "age" not in out.columns:
        return
    ages = out["age"]
    has_age = (ages != "").to_numpy(dtype=bool)
    if not has_age.any():
        return
    blank = pd.Series("", index=out.index, dtype=ages.dtype)
    births = out["date_of_birth"] if "date_of_birth" in out.columns else blank
    sources = out["source_date"] if "source_date" in out.columns else blank
    has_birth = (births != "").to_numpy(dtype=bool)
    has_source = (sources != "").to_numpy(dtype=bool)
    blanked = {p.row for p in problems if p.column == "source_date" and p.row is not None}
    for row in np.flatnonzero(has_age & ~has_birth & ~has_source).tolist():
        why = (
            "its source_date was blanked (see its note), and an age is read as of it"
            if row + 1 in blanked
            else "no source_date to read it as of"
        )
        value = str(ages.iat[row])
        problems.append(Problem(row + 1, "age", f"age {value} not used: {why}; kept", value))
    both = has_age & has_birth & has_source
    if not both.any():
        return
    # As comparison reads them: the date of birth, and the births the age allows.
    born = birth_intervals(births.where(both, ""), None, None)
    aged = birth_intervals(None, ages.where(both, ""), sources.where(both, ""))
    lo, hi = born.lo.astype(np.int64), born.hi.astype(np.int64)
    young, old = aged.lo.astype(np.int64), aged.hi.astype(np.int64)
    gap = np.maximum(np.maximum(lo - old, young - hi), 0)
    far = both & (lo != MISSING) & (young != MISSING) & (gap > FAR_APART_DAYS)
    for row in np.flatnonzero(far).tolist():
        value = str(ages.iat[row])
        problems.append(
            Problem(
                row + 1,
                "age",
                f"age {value} (as of {sources.iat[row]}) and date of birth {births.iat[row]} "
                "more than 5 years apart: the date of birth is used, not the age; kept",
                value,
            )
        )
