"""Checks made once a record's dates and age are read: what no record can say, and what it
says that cannot be used.

Parsing (:mod:`rfl_match.dates`) reads each cell alone. A date can read well and still be
impossible: a birth after the record's own date or after today, a record dated in the future,
a birth more than :data:`~rfl_match.dates.MAX_AGE` years before its record's date, and
1900-01-01 (or the year 1900), a common stand-in for "not known", where it makes the person
:data:`STAND_IN_AGE` or older on the record's date (without a record's date, only such a
stand-in, on or before 1900-01-01: an archive holds births over 120 years ago). Such a
value is blanked and reported with its row, as a malformed one is. An age is read as of the
record's ``source_date``: without one it places no birth, and a date of birth far from it is
used in its stead; each is noted on its row, the values kept. Age words ("child", "adult":
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
    DAYS,
    MAX_AGE,
    MISSING,
    MONTHS,
    WEEKS,
    _days,
    coded_age_intervals,
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
#: comparison's births more than 5 years apart (``rfl_match.compare.INTERVAL_LABELS``, 365
#: days a year), its far levels.
FAR_APART_DAYS = 5 * 365

#: What validation says of an age it cannot read.
MALFORMED_AGE = (
    f"malformed age (want N or N-M years, at most {MAX_AGE}, or a word such as child or "
    "adult); blanked"
)
#: What validation says of an age that reads two ways (:func:`rfl_match.dates.ambiguous_age`),
#: by its form: both readings, and how to write each. N stands for the age's number: a
#: message shows no value (:meth:`rfl_match.schema.Problem.logged`).
AMBIGUOUS_AGE = {
    "Nm": 'ambiguous age: N then m is N months, or N years and male? write "N months" or "N"; '
    "blanked",
    **{
        f"N/{over}": f"ambiguous age: N/{over} is N {unit}, or N to {over} years? write "
        f'"N {unit}" or "N-{over}"; blanked'
        for over, unit in ((12, MONTHS), (52, WEEKS), (7, DAYS))
    },
}


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
#: A birth written as the stand-in (1900-01-01, the year 1900, or before) that makes the
#: person at least this old on the record's own date is the stand-in, not a birth: a
#: register of 2012 to 2019 (the Syrian caseload's) writes it as one of 2024 does, and
#: read as a birth in 1900 it placed a boy of 8 "more than 15 years apart" from his own
#: request (p 0.54, below his brother) and was used in place of his recorded age. An
#: archive's record of 1950 born 1900 stays a birth.
STAND_IN_AGE = 100


def _earliest_births(as_of: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The first day a person aged at most MAX_AGE on each day of ``as_of`` (days since
    1970-01-01) was born (as an age range as of a date reads:
    :func:`rfl_match.dates.birth_intervals`)."""
    earliest: npt.NDArray[np.int64] = shift_years(as_of, -(MAX_AGE + 1)) + 1
    return earliest


class _Coded(NamedTuple):
    """A text column read once per distinct text: each row's code among the distinct
    texts (-1 where missing), as :func:`pandas.factorize` gives them."""

    codes: npt.NDArray[np.intp]
    texts: pd.Index


def _coded(values: pd.Series) -> _Coded:
    # pandas factorizes Arrow-backed text (its default) by Arrow's hash encoding: no
    # Python string per record
    codes, texts = pd.factorize(values)
    return _Coded(codes, texts)


class _AsOf(NamedTuple):
    """Each record's date as the checks read it: whether it has one, its first and last
    day, and the first day a person aged at most MAX_AGE on its first day was born (days
    since 1970-01-01; today where the record has no date); and the column's texts as
    read (None: no such column)."""

    dated: npt.NDArray[np.bool_]
    first: npt.NDArray[np.int64]
    last: npt.NDArray[np.int64]
    oldest: npt.NDArray[np.int64]
    sources: _Coded | None


def _as_of(out: pd.DataFrame, now: date) -> _AsOf:
    """:class:`_AsOf` of each record of ``out``, each distinct source date read once (in
    numpy: the dates are written out as validation reads them)."""
    n = len(out)
    today_ = _days(now.year, now.month, now.day)
    sources = _coded(out["source_date"]) if "source_date" in out.columns else None
    if sources is None:
        codes = np.full(n, -1, dtype=np.intp)
        first = last = np.zeros(0, dtype=np.int64)
    else:
        codes = sources.codes
        read = parse_partial_dates([str(text) for text in sources.texts.tolist()])
        lo, hi = read.interval(placeholders=False)
        first, last = lo.astype(np.int64), hi.astype(np.int64)
    # code -1 (no date) picks the last row: today
    dated = np.append(first != MISSING, False)
    first = np.append(np.where(dated[:-1], first, today_), today_)
    last = np.append(np.where(dated[:-1], last, today_), today_)
    oldest = _earliest_births(first)
    return _AsOf(dated[codes], first[codes], last[codes], oldest[codes], sources)


class _Births(NamedTuple):
    """Each record's date of birth as comparison reads it (days since 1970-01-01, the
    first and last it may be; ``MISSING`` where none reads), and whether it is written
    as the stand-in for a birth not known, 1900-01-01 or before."""

    lo: npt.NDArray[np.int64]
    hi: npt.NDArray[np.int64]
    stand_in: npt.NDArray[np.bool_]


def _births(births: pd.Series) -> _Births:
    """:class:`_Births` of a validated ``date_of_birth`` column, each distinct text read
    once (as :func:`rfl_match.dates.birth_intervals` reads a date of birth)."""
    codes, texts = _coded(births)
    written = [str(text) for text in texts.tolist()]
    first, last = parse_partial_dates(written).interval()
    # The date as written (ISO once validation has read it), not the year a placeholder
    # day stands for: 1 July 1900 is kept, 1900-01-01 and a year 1900 are not.
    stand_in = np.asarray(np.array(written, dtype=str) <= _STAND_IN, dtype=bool)
    # code -1 (a missing cell) picks the last: no birth
    lo = np.append(first.astype(np.int64), MISSING)[codes]
    hi = np.append(last.astype(np.int64), MISSING)[codes]
    return _Births(lo, hi, np.append(stand_in, False)[codes])


class DatesRead(NamedTuple):
    """What :func:`check_dates` read of a frame's dates, for :func:`note_ages` to read
    none of them again: each record's source date as the frame holds it once checked
    (None: no such column), and its date of birth as it was before the check (None: no
    such column; one the check blanked is blank in the frame, and read there as none)."""

    sources: _Coded | None
    births: _Births | None


def check_dates(out: pd.DataFrame, problems: list[Problem]) -> DatesRead:
    """Blank and report, in ``out`` (validated text), the dates that cannot be: a
    ``source_date`` after today; a ``date_of_birth`` after its record's source date
    (after today where it has none), or more than :data:`~rfl_match.dates.MAX_AGE` years
    before it (where it has none: on or before 1900-01-01, and more than that before
    today). A partial date is blanked only where every day it may stand for is so (a birth
    year 2015 is not after a source date in May 2015); a birth date's placeholder day
    (1 January, 1 July, the 15th) stands for its year, as comparison reads it.

    Returns the dates as read (:class:`DatesRead`), for :func:`note_ages`."""
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
        return DatesRead(as_of.sources, None)
    births = out["date_of_birth"]
    read = _births(births)
    lo, hi = read.lo, read.hi
    known = lo != MISSING
    after = known & (lo > as_of.last)
    # Without a record's date, age is read against today, and an archive's records (the
    # tracing of the world wars) hold births over 120 years ago: only the stand-in for a
    # birth not known, 1900-01-01 or before, is blanked (FEBRL's births of 1900-1906 were,
    # and 1.8 points of its true pairs lost their birth-year blocks).
    before = known & (hi < as_of.oldest) & (as_of.dated | read.stand_in)
    stand_in = known & as_of.dated & read.stand_in & ~before
    stand_in &= hi < shift_years(as_of.first, -STAND_IN_AGE)
    before |= stand_in
    if not (after | before).any():
        return DatesRead(as_of.sources, read)
    for row in np.flatnonzero(after | before).tolist():
        # A birth still to come is said so, whatever the record's date.
        if as_of.dated[row] and not lo[row] > _days(now.year, now.month, now.day):
            than = f"its source date ({out['source_date'].iat[row]})"
        else:
            than = f"today ({now.isoformat()})"
        if after[row]:
            message = f"date of birth after {than}; blanked"
        elif stand_in[row]:
            message = (
                f"date of birth no later than 1900-01-01, a stand-in for one not known, "
                f"at least {STAND_IN_AGE} years before {than}; blanked"
            )
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
    return DatesRead(as_of.sources, read)


def note_ages(out: pd.DataFrame, problems: list[Problem], read: DatesRead | None = None) -> None:
    """Note, in ``problems``, each age of ``out`` (validated text, its dates checked by
    :func:`check_dates`) that matching does not use, its value kept: one with no date of
    birth and no source date to read it as of (none given, or one blanked), which places
    no birth at all; and one whose date of birth lies more than 5 years
    (:data:`FAR_APART_DAYS`) from the births it allows, where the date of birth is used.
    But a date of birth written as the stand-in for one not known (1900-01-01 or before)
    that far from its age is blanked and reported, and the age is used.

    ``read``: what :func:`check_dates` returned on ``out``, just before, so that no date
    is read again (None: they are read here)."""
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
        # The age stays out of the words, which logs keep: Problem.logged() hides its
        # value, not what a message says.
        value = str(ages.iat[row])
        problems.append(Problem(row + 1, "age", f"age not used: {why}; kept", value))
    both = has_age & has_birth & has_source
    if not both.any():
        return
    # As comparison reads them, in the rows with all three: the date of birth (a date the
    # checks blanked is no longer there), and the births the age allows as of the record's
    # date.
    born = read.births if read is not None and read.births is not None else _births(births)
    dated = read.sources if read is not None and read.sources is not None else _coded(sources)
    aged = _coded(ages)
    rows = np.flatnonzero(both)
    allowed = coded_age_intervals(aged.texts, aged.codes[rows], dated.texts, dated.codes[rows])
    lo, hi = born.lo[rows], born.hi[rows]
    young, old = allowed[:, 0], allowed[:, 1]
    gap = np.maximum(np.maximum(lo - old, young - hi), 0)
    far = (lo != MISSING) & (young != MISSING) & (gap > FAR_APART_DAYS)
    # The stand-in for a birth not known (1900-01-01 or before) that the age contradicts is
    # no birth, however old it makes the person (a record of 1995, aged 30, born
    # "1900-01-01": 95 years old, under STAND_IN_AGE): blanked, and the age used.
    stand_in = far & born.stand_in[rows]
    for row in rows[stand_in].tolist():
        problems.append(
            Problem(
                row + 1,
                "date_of_birth",
                "date of birth no later than 1900-01-01, a stand-in for one not known, more "
                "than 5 years from the births its age (as of the source_date) allows; "
                "blanked, the age used",
                str(births.iat[row]),
            )
        )
    if stand_in.any():
        cleared = np.zeros(len(out), dtype=bool)
        cleared[rows[stand_in]] = True
        out["date_of_birth"] = births.mask(cleared, "")
    for row in rows[far & ~stand_in].tolist():
        value = str(ages.iat[row])
        problems.append(
            Problem(
                row + 1,
                "age",
                "age (as of the source_date) and date of birth more than 5 years apart: "
                "the date of birth is used, not the age; kept",
                value,
            )
        )
