"""Partial dates, ages as of a date, and birth intervals.

A birth date may be exact, a month, a year, or a placeholder (1 January, 1 July, the 15th)
that says no more than the year; an age is an estimate as of the record's ``source_date``.
Everything becomes a birth interval ``[earliest, latest]`` in days since 1970-01-01, so that
a child aged 9 in 2019 meets a child aged 14 in 2024.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache, lru_cache

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text

_EPOCH = date(1970, 1, 1).toordinal()
# A time of day after a date (a timestamp's text, "2020-05-01T13:45:00" or "... 13:45",
# with its zone or not): read past, the date kept (the date written there).
_TIME = r"(?:[T ](?:[01]\d|2[0-3]):[0-5]\d(?::[0-5]\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)?)?"
_DATE = re.compile(rf"^\s*(\d{{4}})(?:[-/.](\d{{1,2}})(?:[-/.](\d{{1,2}}){_TIME})?)?\s*$")
# A date written with its year last: DD/MM/YYYY or MM/DD/YYYY ("/", "." or "-" between),
# in the order its column shows (:func:`day_month_orders`).
_YEAR_LAST = re.compile(rf"^\s*(\d{{1,2}})[-/.](\d{{1,2}})[-/.](\d{{4}}){_TIME}\s*$")
# A year and a one-digit month after a point ("1990.5") is a number's text, not a month: a
# year and month written so has two digits ("1990.05"), as a registrar writes it.
_YEAR_POINT_DIGIT = re.compile(r"^\s*\d{4}\.\d\s*$")
# A compact date, YYYYMMDD ("20090512"): no other reading of eight digits is a date too
# (DDMMYYYY and MMDDYYYY would put the year's first two digits, 18 to 21, in its month).
_COMPACT = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})\s*$")
# An age's fraction ("9.5", "9,5") has one or two digits: "1,000" is a thousand written
# with a separator, not 1, and malformed. A range's ends: "9-10", "9 to 10", "9 or 10" (an
# estimate of two ages, in the languages whose units are read: ou, o, или, або, أو, یا).
_RANGE_WORDS = r"to|or|ou|o|или|або|أو|او|یا"
_AGE = re.compile(
    rf"^\s*(\d{{1,3}})(?:[.,]\d{{1,2}})?\s*(?:(?:-|–|{_RANGE_WORDS})\s*(\d{{1,3}})"
    r"(?:[.,]\d{1,2})?)?\s*$"
)
# Words around an age that say no more than the number: an estimate ("about 9", "9?",
# "9 (est.)": every age is one), or the unit, years; in months, weeks or days, the unit is
# kept (read_age), and parse_age reads the whole years they make ("6 months": 0).
_ABOUT = re.compile(
    r"^\s*(?:about|around|approx(?:imately)?\.?|abt\.?|ca\.?|c\.|circa|roughly|est(?:imated)?\.?"
    r"|~|environ|env\.|aprox(?:imadamente)?\.?|около|примерно|приблизно|близько|حوالي|حوالى"
    # not a word's opening: "ca" is circa, not the start of catorce (14)
    r"|تقريبا|تقريباً|حدود|تقریبا)(?![^\W\d_])\s*",
    re.IGNORECASE,
)
_ESTIMATE = re.compile(
    r"\s*(?:\?+|\(?\s*(?:est(?:imated)?|approx(?:imately)?)\.?\s*\)?|تقريبا|تقريباً|تقریبا"
    r"|примерно)\s*$",
    re.IGNORECASE,
)
_YEAR_WORDS = (
    r"years?|yrs?\.?|y|ans?|años?|anos?|лет|год|года|років|роки|рік|سنة|سنوات|سنين|عام|أعوام"
    r"|اعوام|سال"
)
_MONTH_WORDS = (
    r"months?|mths?|mos?\.?|mois|meses|mes|месяцев|месяца|месяц|мес\.?|місяців|місяці|місяць|شهر"
    r"|أشهر|اشهر|شهور|ماه"
)
_YEARS = re.compile(
    rf"\s*-?\s*(?:(?:years?|yrs?\.?)(?:[\s-]+old)?|y\.?o\.?|y/o|{_YEAR_WORDS})\s*$",
    re.IGNORECASE,
)
# A half written as a fraction ("2 1/2 years", "2½"): the whole years it counts, as "2.5"
# reads.
_HALF = re.compile(r"(\d)\s*(?:½|\s1/2)(?=\D|$)")
_MONTHS = re.compile(
    rf"\s*-?\s*(?:(?:months?|mths?|mos?\.?)(?:[\s-]+old)?|{_MONTH_WORDS})\s*$",
    re.IGNORECASE,
)
# Years and months, as a young child's age is written ("1 year 6 months", "2 yrs, 3 mths",
# "1y6m", "2 años y 3 meses", "۲ سال و ۶ ماه"): the months they make ("18 months").
_YEARS_AND_MONTHS = re.compile(
    rf"^\s*(\d{{1,3}})\s*-?\s*(?:{_YEAR_WORDS})\s*(?:,|&|and|et|y|e|и|і|та|و)?\s*"
    rf"(\d{{1,2}})\s*-?\s*(?:{_MONTH_WORDS}|m\.?)(?:[\s-]+old)?\s*$",
    re.IGNORECASE,
)
# The two ends of an age range written in words (:func:`_in_digits`): either side of a dash
# between two words ("nine-ten"), or of the range's word ("nine to ten", "nine or ten",
# "twenty five to thirty", "treinta y cinco o treinta y seis").
_WORD_DASH_RANGE = re.compile(r"^\s*(\S+?)\s*[-–]\s*(\S+)\s*$")
_WORD_RANGE = re.compile(rf"^\s*(.+?)\s+(?:{_RANGE_WORDS})\s+(.+?)\s*$", re.IGNORECASE)
# An age range written "between 20 and 25" ("entre 20 et 25", "بين 20 و 25"), in digits or
# words.
_BETWEEN = re.compile(
    r"^\s*(?:between|entre|بين)\s+(.+?)\s+(?:and|et|y|e|و)\s*(.+?)\s*$", re.IGNORECASE
)
# A decade of life in digits, as clean-up writes it ("30s", "30's": "30s").
_DECADE_DIGITS = re.compile(r"^([1-9])0s$")
# Words before a decade of life that say no more ("in his thirties", "la trentaine",
# "في الثلاثينات"), and the part of it one may name, in years into it ("early 30s": 30 to 33).
_DECADE_LEAD = frozenset({"in", "his", "her", "their", "the", "dans", "la", "en", "su", "في"})
_DECADE_PARTS = {"early": (0, 3), "mid": (4, 6), "late": (7, 9)}
# An age under a bound: "under 5", "<5" (0 to 4). Not one over a bound ("9+", "over 10":
# no range to read, blanked and reported, as a test of ages as officers write them holds).
_UNDER = re.compile(r"^\s*(?:under|below|less than|younger than|<)\s*(\d{1,3})\s*$", re.IGNORECASE)
# A whole age and the person's sex, as hospital and survivor lists write it ("35F", "28 M",
# "35 f."): the age in years, the letter read past (the record's sex is its own column's).
_SEX_AFTER = re.compile(r"^\s*(\d{1,3})\s*([FfMm])\.?\s*$")
# M is male after an age of 60 or more: under it "18m" may be 18 months, as the m of "1y6m"
# is (no register writes 60 months or more: nutrition programmes count to 59).
_MONTHS_COUNTED = 60
# Two whole numbers with a slash between them: clinical notation, as UK and Commonwealth
# medical records write a young child's age ("10/12": 10 months, "3/52": 3 weeks, "5/7": 5
# days), or two ages ("9/10": 9 or 10).
_SLASHED = re.compile(r"^\s*(\d{1,3})\s*/\s*(\d{1,3})\s*$")
# Weeks and days, the age of a newborn: under a year (52 weeks, 365 days), 0.
_WEEKS = re.compile(
    r"\s*-?\s*(?:(?:weeks?|wks?)(?:[\s-]+old)?|semaines?|semanas?"
    r"|недел[ьиья]|недель|тижнів|тижні|тиждень|أسابيع|أسبوع|اسابيع|اسبوع|هفته)\s*$",
    re.IGNORECASE,
)
_DAYS = re.compile(
    r"\s*-?\s*(?:days?(?:[\s-]+old)?|jours?|días?|dias?"
    r"|дней|дня|день|днів|дні|أيام|ايام|يوم|روز)\s*$",
    re.IGNORECASE,
)
# The years a date may have at all, in any date column. Whether a date of birth or a
# record's date can be the one it says (not after today, a birth not after its record's
# date nor more than MAX_AGE years before it) is checked once every value is read
# (rfl_match.date_checks), against the day of validation.
_MIN_YEAR, _MAX_YEAR = 1850, 2100
#: The oldest age, in years, that a record may give or its dates make: an age above it is
#: malformed, and a birth more than this before the record's date is no birth
#: (``rfl_match.date_checks``); "adult" is read as 18 to this.
MAX_AGE = 120
# The longest age text read ("approximately 100 to 110 years old" is 34): a longer one is
# malformed before any pattern reads it (the unit's, searched, is quadratic in a run of
# white space: a pasted cell of 20,000 spaces took 38 s).
_AGE_MAX_CHARS = 64
# Day-months that registrars write when the real day is unknown (DOMAIN.md, "Dates and ages").
_PLACEHOLDERS = frozenset({(1, 1), (7, 1)})
_PLACEHOLDER_DAY = 15

MISSING = np.iinfo(np.int32).min

_IntArray = npt.NDArray[np.int64]


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
        return _iso(self.year, self.month or 0, self.day or 0)

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


def _iso(year: int, month: int, day: int) -> str:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (a month or day of 0: not given)."""
    if day and month:
        return f"{year:04d}-{month:02d}-{day:02d}"
    if month:
        return f"{year:04d}-{month:02d}"
    return f"{year:04d}"


def _days(year: int, month: int, day: int) -> int:
    return date(year, month, day).toordinal() - _EPOCH


def _day_iso(day: int) -> str:
    """``YYYY-MM-DD`` of a day (days since 1970-01-01)."""
    return date.fromordinal(day + _EPOCH).isoformat()


def year_of(day: int) -> int | None:
    """The calendar year of a day (days since 1970-01-01, as births are held); ``None``
    out of the calendar's range."""
    try:
        return date.fromordinal(day + _EPOCH).year
    except (ValueError, OverflowError):
        return None


def parse_partial_date(text: str, *, month_first: bool = False) -> PartialDate | None:
    """Parse ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD`` (or ``DD/MM/YYYY``, or ``YYYYMMDD``);
    None if malformed.
    A date with its year last is read day first (``DD/MM/YYYY``, ``DD.MM.YYYY``,
    ``DD-MM-YYYY``), or month first (``MM/DD/YYYY``) with ``month_first``: a column's
    order is the one its cells show (:func:`day_month_orders`), which one text alone does
    not. A year and month after a point needs two digits for the month (``1990.05``):
    ``1990.5`` is a number's text, malformed.
    A month or day of 0 stands for one not known: ``2009-00-00`` and ``00/00/2009`` are the
    year 2009, ``2009-05-00`` May 2009.
    A time of day after a whole date (``2020-05-01T13:45:00``, ``2020-05-01 13:45``, with
    a zone such as ``+03:00`` or ``Z`` or not) is read past: the date is kept.
    Other ways registers write a date are read as the date they say
    (:func:`_as_written_in_full`): an estimate (``2009?``, ``~2009``, ``c. 2009``), parts
    not known written ``XX`` or ``??`` (``XX/XX/2009``: 2009), a month and year
    (``05/2009``), a month by its English name (``May 2009``, ``12 May 2009``).

    >>> parse_partial_date("2009-01-01").is_placeholder
    True
    >>> parse_partial_date("2009-13") is None
    True
    >>> parse_partial_date("12/25/2009", month_first=True).iso
    '2009-12-25'
    """
    if not text or len(text) > _DATE_MAX_CHARS:
        return None
    match = _DATE.match(text) or _COMPACT.match(text)
    written = None if match else _YEAR_LAST.match(text)
    if match is None and written is None:
        text = _as_written_in_full(text)
        match = _DATE.match(text) or _COMPACT.match(text)
        written = None if match else _YEAR_LAST.match(text)
    if match:
        if _YEAR_POINT_DIGIT.match(text):
            return None
        year, month, day = match.groups()
    else:
        if not written:
            return None
        first, second, year = written.groups()
        month, day = (first, second) if month_first else (second, first)
    y = int(year)
    if not _MIN_YEAR <= y <= _MAX_YEAR:
        return None
    m = int(month) if month else None
    d = int(day) if day else None
    # a month or day of 0 is a registrar's "not known" ("2009-00-00", "00/05/2009"); a
    # day without its month is no date
    if m == 0 and d:
        return None
    if not m:
        m = d = None
    elif d == 0:
        d = None
    if m is not None and not 1 <= m <= 12:
        return None
    if d is not None and m is not None and not 1 <= d <= calendar.monthrange(y, m)[1]:
        return None
    return PartialDate(y, m, d)


def no_such_day(text: str, month_first: bool = False) -> str:
    """Of a date in numbers (as :func:`parse_partial_date` reads one: year first, compact,
    or year last, month first where ``month_first``) whose month is one but has no such
    day, the day it names: "31 February 2001" of 31/02/2001, "29 February 2009" of
    2009-02-29; "" for any other text (a date, or one malformed otherwise), which
    validation reports as malformed."""
    match = _DATE.match(text) or _COMPACT.match(text)
    written = None if match else _YEAR_LAST.match(text)
    if match:
        year, month, day = match.groups()
    elif written:
        first, second, year = written.groups()
        month, day = (first, second) if month_first else (second, first)
    else:
        return ""
    if not (month and day):
        return ""
    y, m, d = int(year), int(month), int(day)
    if not (_MIN_YEAR <= y <= _MAX_YEAR and 1 <= m <= 12 and 1 <= d <= 31):
        return ""
    return "" if d <= calendar.monthrange(y, m)[1] else f"{d} {calendar.month_name[m]} {y}"


# A date's parts not known written XX or ?? ("XX/XX/2009", "2009-XX-XX"): 0, not known.
_UNKNOWN_PART = re.compile(r"(?<![0-9A-Za-z])(?:[xX]{1,2}|\?\?)(?![0-9A-Za-z])")
# One after a separator ("2009-05-??"), read before an estimate's "?" is read past.
_SEPARATED_UNKNOWN = re.compile(r"(?<=[-/.])(?:[xX]{1,2}|\?\?)(?![0-9A-Za-z])")
# A month and year ("05/2009", "5.2009"), and a month by its English name ("May 2009",
# "12 May 2009", "May 12, 2009", "12-May-2009").
_MONTH_YEAR = re.compile(r"^\s*(\d{1,2})[-/.](\d{4})\s*$")
_MONTH_NAMES = {
    name: number
    for number, names in enumerate(
        (("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
         ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
         ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
         ("dec", "december")),
        start=1,
    )
    for name in names
}  # fmt: skip
_NAMED_MONTH = re.compile(
    r"^\s*(?:(\d{1,2})[\s-]+)?([A-Za-z]+)\.?(?:[\s-]+(\d{1,2}))?,?[\s-]+(\d{4})\s*$"
)


def _as_known(text: str) -> str:
    """A date's text with an estimate's words and marks read past (as an age's:
    ``_ABOUT``, ``_ESTIMATE``) and its parts not known, written XX or ??, as 0."""
    text = _SEPARATED_UNKNOWN.sub("00", _ABOUT.sub("", text))
    return _UNKNOWN_PART.sub("00", _ESTIMATE.sub("", text))


def _as_written_in_full(text: str) -> str:
    """A date written another way, as ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` where it
    says one (else ``text``): an estimate's words and marks read past (as an age's:
    ``_ABOUT``, ``_ESTIMATE``), parts not known written XX or ?? as 0 (not known), a
    month and year, a month by its English name."""
    text = _as_known(text)
    month_year = _MONTH_YEAR.match(text)
    if month_year:
        return f"{month_year.group(2)}-{int(month_year.group(1)):02d}"
    named = _NAMED_MONTH.match(text)
    month = _MONTH_NAMES.get(named.group(2).lower()) if named else None
    if named is None or month is None or (named.group(1) and named.group(3)):
        return text  # "00/00/2009" reads as a date with its year last: the year 2009
    day = named.group(1) or named.group(3)
    return f"{named.group(4)}-{month:02d}" + (f"-{int(day):02d}" if day else "")


#: A date written ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and nothing else: no year last,
#: no estimate's words or marks, no part not known (:func:`day_month_orders` passes it by).
_PLAIN_ISO = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")

#: What a date written with its year last shows of its column's order
#: (:func:`day_month_orders`): nothing (another form, malformed either way, or the same
#: date either way: ``05/05/2009``), day first only, month first only, or either.
NO_ORDER, DAY_FIRST, MONTH_FIRST, EITHER_ORDER = 0, 1, 2, 3


def day_month_orders(texts: Sequence[str]) -> npt.NDArray[np.int8]:
    """What each text shows of the order of its day and month (:data:`NO_ORDER`,
    :data:`DAY_FIRST`, :data:`MONTH_FIRST` or :data:`EITHER_ORDER`): a date written with
    its year last is read both ways, and shows the order of the one reading that is a date
    (``25/12/2009``, day first: no month 25; ``12/25/2009``, month first; ``00/05/2009``,
    day first: a day of 0 is one not known, a month of 0 with a day no date), or reads
    either way (``03/04/2009``). A column is read in the order its cells show, which one
    cell alone may not (``rfl_match.schema.validate_records``).

    >>> day_month_orders(["25/12/2009", "12/25/2009", "03/04/2009", "05/05/2009", "2009"]).tolist()
    [1, 2, 3, 0, 0]
    """
    orders = np.zeros(len(texts), dtype=np.int8)
    for k, text in enumerate(texts):
        if _PLAIN_ISO.fullmatch(text):  # most texts: no order to show, nothing to read past
            continue
        if not _YEAR_LAST.match(text):
            if _MARKED.search(text):  # "05/06/2009 AD" shows its column's order too
                text = _gregorian_text(text) or ""
            text = _as_known(text)  # "03/04/2009?", "05/XX/2009" show it as their date does
            if not _YEAR_LAST.match(text):
                continue
        day_first = parse_partial_date(text)
        month_first = parse_partial_date(text, month_first=True)
        if day_first == month_first:
            continue
        if day_first is None:
            orders[k] = MONTH_FIRST
        elif month_first is None:
            orders[k] = DAY_FIRST
        else:
            orders[k] = EITHER_ORDER
    return orders


# --- Other calendars -------------------------------------------------------------------
# DOMAIN.md: some records use the Ethiopian, Solar Hijri or lunar Hijri calendar. A date in
# one is read as the Gregorian days it stands for: a day as that day, a month or a year as
# the span of days it covers (an Ethiopian year runs from 11 or 12 September, a Solar Hijri
# one from 20 or 21 March), so that 1385 SH meets a birth of 2006-05-10 and one of
# 2007-02-10 alike.

GREGORIAN, ETHIOPIAN, SOLAR_HIJRI, LUNAR_HIJRI = (
    "gregorian",
    "ethiopian",
    "solar_hijri",
    "lunar_hijri",
)
#: The calendars a date column may be written in (``read_records(calendars=...)``,
#: ``LinkConfig.calendars``).
CALENDARS = (GREGORIAN, ETHIOPIAN, SOLAR_HIJRI, LUNAR_HIJRI)
#: Where a cell names its calendar, before or after the date (``1385 SH``, ``۱۳۸۵ ه.ش``,
#: ``2008 ዓ.ም``, ``1400 AH``, ``1400 هـ``; ``AD``, ``GC``, ``م``: Gregorian), that
#: calendar is read, whatever the column's. Solar before lunar: ه.ش is Solar Hijri, هـ
#: alone lunar.
_ERA_WORDS = {
    ETHIOPIAN: r"e\.?\s?c\.?|ዓ\s?[./]?\s?ም\.?",
    SOLAR_HIJRI: r"s\.?\s?h\.?|h\.?\s?s\.?|a\.?\s?p\.?|(?:هجر[یي]\s?)?(?:شمس[یي]|خورشید[یي])"
    r"|هـ?\s?\u200d?\s?\.?\s?ش\.?|ش\.?",
    LUNAR_HIJRI: r"a\.?\s?h\.?|(?:هجر[یي]\s?)?قمر[یي]|هـ?\s?\u200d?\s?\.?\s?ق\.?|هجرية|هجري"
    r"|هـ\.?|ه\.?|h\.?",
    GREGORIAN: r"a\.?\s?d\.?|c\.?\s?e\.?|g\.?\s?c\.?|میلادی|ميلادي|م\.?",
}
# Marks of writing direction that exports from right-to-left systems leave in a cell.
_DIRECTION_MARKS = str.maketrans("", "", "\u200e\u200f\u061c\u202a\u202b\u202c")
# What a date that names its era or holds such a mark holds: a letter, or the mark.
_MARKED = re.compile("[^\\W\\d_]|[\u200e\u200f\u061c\u202a\u202b\u202c]")
_ERA = "|".join(f"(?P<{name}>{words})" for name, words in _ERA_WORDS.items())
_ERA_AFTER = re.compile(
    rf"^\s*(?P<date>\D{{0,16}}?[\dxX?\s./-]*[\dxX?])\s*(?:{_ERA})\s*$", re.IGNORECASE
)
_ERA_BEFORE = re.compile(
    rf"^\s*(?:{_ERA})\s*(?P<date>\D{{0,16}}?[\dxX?\s./-]*[\dxX?])\s*$", re.IGNORECASE
)
# The longest date text read: a longer one is malformed before any pattern reads it (a
# pattern's search over a run of spaces or digits is quadratic in it).
_DATE_MAX_CHARS = 64
_SPAN = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})\s*$")
#: Years each calendar's dates may have, the Gregorian 1850 to 2100 in its own count.
# The years of each calendar whose days (a lunar year's slack too) all lie in the years a
# Gregorian date may have (_MIN_YEAR to _MAX_YEAR): a span reaching past them (1266 AH
# began in 1849) would be written, then read as no date.
_CALENDAR_YEARS = {ETHIOPIAN: (1843, 2092), SOLAR_HIJRI: (1229, 1478), LUNAR_HIJRI: (1267, 1523)}
#: A lunar Hijri day read by the tabular calendar may be a day or two from the one a
#: register counted (by the sighted moon, or Umm al-Qura): it stands for those days.
LUNAR_SLACK = 2
#: The widest span of days a date written to its day may stand for: a lunar Hijri day, by
#: its slack either side (a date of its own calendar's day, known as well as a Gregorian
#: day is: :attr:`BirthIntervals.exact`).
DAY_SPAN = 2 * LUNAR_SLACK
_ETHIOPIAN_EPOCH = 2795  # the day before 1 Meskerem 1 (proleptic Gregorian ordinal)
_LUNAR_EPOCH = 227014  # the day before 1 Muharram 1 AH (16 July 622, Julian)
# Solar Hijri: the years where the 33-year rule of leap years breaks (Borkowski's
# algorithm, as jalaali-js and the Iranian calendar's tables count).
_SOLAR_BREAKS = (
    *(-61, 9, 38, 199, 426, 686, 756, 818, 1111, 1181, 1210, 1635, 2060, 2097),
    *(2192, 2262, 2324, 2394, 2456, 3178),
)


def _trunc_div(a: int, b: int) -> int:
    return int(a / b)


def _trunc_mod(a: int, b: int) -> int:
    return a - _trunc_div(a, b) * b


def _nowruz(year: int) -> int:
    """The proleptic Gregorian ordinal of 1 Farvardin of a Solar Hijri year."""
    leaps, start, jump = -14, _SOLAR_BREAKS[0], 0
    for brk in _SOLAR_BREAKS[1:]:
        jump = brk - start
        if year < brk:
            break
        leaps += _trunc_div(jump, 33) * 8 + _trunc_div(_trunc_mod(jump, 33), 4)
        start = brk
    n = year - start
    leaps += _trunc_div(n, 33) * 8 + _trunc_div(_trunc_mod(n, 33) + 3, 4)
    if _trunc_mod(jump, 33) == 4 and jump - n == 4:
        leaps += 1
    gregorian = year + 621
    march = 20 + leaps - (gregorian // 4 - (gregorian // 100 + 1) * 3 // 4 - 150)
    return date(gregorian, 3, march).toordinal()


def _first_day(calendar: str, year: int, month: int) -> int:
    """The proleptic Gregorian ordinal of the first day of a month (13: an Ethiopian
    year's Pagume; 1 past the last month: the next year's first)."""
    if month > (13 if calendar == ETHIOPIAN else 12):
        year, month = year + 1, 1
    if calendar == ETHIOPIAN:
        return _ETHIOPIAN_EPOCH + 365 * (year - 1) + year // 4 + 30 * (month - 1) + 1
    if calendar == SOLAR_HIJRI:
        return _nowruz(year) + (month - 1) * 31 - (month // 7) * (month - 7)
    return (
        _LUNAR_EPOCH + 1 + 29 * (month - 1) + (6 * month - 1) // 11 + (year - 1) * 354
        + (3 + 11 * year) // 30
    )  # fmt: skip


def calendar_span(
    calendar: str, year: int, month: int = 0, day: int = 0, *, placeholders: bool = True
) -> tuple[int, int] | None:
    """The first and last day (days since 1970-01-01) that a date of a calendar other than
    the Gregorian (:data:`CALENDARS`) stands for: a day, its month (``day`` 0) or its year
    (``month`` 0); None where it is no date of that calendar. The first day of the year
    (1 Meskerem, 1 Farvardin, 1 Muharram) is its whole year, as 1 January is
    (``placeholders``; false for a record's date, meant to the day). A lunar Hijri date
    reaches :data:`LUNAR_SLACK` days further either side, and its months may have 30 days
    where the tabular calendar counts 29 (a register's count, by the moon or Umm al-Qura,
    may differ from it by a day or two).

    >>> [_day_iso(d) for d in calendar_span(ETHIOPIAN, 2008)]
    ['2015-09-12', '2016-09-10']
    >>> [_day_iso(d) for d in calendar_span(SOLAR_HIJRI, 1400, 1)]
    ['2021-03-21', '2021-04-20']
    >>> [_day_iso(d) for d in calendar_span(ETHIOPIAN, 2007, 13, 6)]  # Pagume 6 of a leap year
    ['2015-09-11', '2015-09-11']
    >>> calendar_span(ETHIOPIAN, 2008, 13, 6) is None
    True
    """
    low, high = _CALENDAR_YEARS[calendar]
    months = 13 if calendar == ETHIOPIAN else 12
    if not low <= year <= high or not 0 <= month <= months or (month == 0 and day):
        return None
    whole = month == 0 or (placeholders and (month, day) == (1, 1))
    if whole:
        month, day = 1, 0
    first = _first_day(calendar, year, month)
    after = _first_day(calendar, year + 1, 1) if whole else _first_day(calendar, year, month + 1)
    slack = LUNAR_SLACK if calendar == LUNAR_HIJRI else 0
    if day == 0:
        return first - slack - _EPOCH, after - 1 + slack - _EPOCH
    if not 1 <= day <= (30 if slack else after - first):
        return None
    return first + day - 1 - slack - _EPOCH, first + day - 1 + slack - _EPOCH


def _era_of(text: str) -> tuple[str | None, str]:
    """The calendar a date text names (:data:`_ERA_WORDS`; None: none), and the text
    without its era and marks of writing direction."""
    text = text.translate(_DIRECTION_MARKS)
    found = _ERA_AFTER.match(text) or _ERA_BEFORE.match(text)
    if found is None:
        return None, text
    return next(name for name in CALENDARS if found.group(name)), found.group("date")


def _gregorian_text(text: str) -> str | None:
    """``text`` without a Gregorian era and marks of writing direction (``05/06/2009
    AD``: ``05/06/2009``); None where it names another calendar."""
    if len(text) > _DATE_MAX_CHARS:
        return None
    named, text = _era_of(text)
    return text if named in (None, GREGORIAN) else None


def _in_its_calendar(
    text: str, calendar: str, *, placeholders: bool = True
) -> tuple[int, int] | str | None:
    """A date text read in the calendar it names (:data:`_ERA_WORDS`), else in
    ``calendar``: the span of days it stands for (:func:`calendar_span`); a Gregorian
    date's text, without its era, to read as one (:func:`parse_partial_date`); None where
    it is no date. Its numbers: a year, a year and month (either order), a year, month and
    day with the year first or last (day first: the other calendars' registers write no
    month first), in any script's digits; an estimate's words and parts not known (``~1385
    SH``, ``XX/XX/1385 SH``) read past as a Gregorian date's are."""
    if len(text) > _DATE_MAX_CHARS:
        return None
    span = _SPAN.match(text)
    if span:
        try:  # a day no calendar has ("2009-02-30"), or digits of another script
            ends = [date.fromisoformat(g) for g in span.groups()]
        except ValueError:
            return None
        first, last = (end.toordinal() - _EPOCH for end in ends)
        years = all(_MIN_YEAR <= end.year <= _MAX_YEAR for end in ends)
        return (first, last) if first <= last and years else None
    named, text = _era_of(text)
    calendar = named or calendar
    if calendar == GREGORIAN:
        return text
    parts = [p for p in re.split(r"[\s./-]+", _as_known(text).strip()) if p]
    if not 1 <= len(parts) <= 3 or not all(p.isdecimal() for p in parts):
        return None
    numbers = [int(p) for p in parts]
    if len(parts[0]) == 4:  # year first
        year, month, day = (*numbers, 0, 0)[:3]
    elif len(parts[-1]) == 4:  # year last: month and year, or day, month and year
        year, month, day = numbers[-1], numbers[-2], (numbers[0] if len(parts) == 3 else 0)
    else:
        return None
    return calendar_span(calendar, year, month, day, placeholders=placeholders)


@dataclass(frozen=True, slots=True)
class PartialDates:
    """Many partial dates, as columns: year, month and day (0 where not given); the year
    is 0 where the text is malformed. ``lo`` and ``hi``: the first and last day (days
    since 1970-01-01) of a date read in another calendar (:func:`calendar_span`: a year or
    a month of one spans days no Gregorian year or month names) or written as such a span,
    else ``MISSING``; its year is its first day's."""

    year: npt.NDArray[np.int32]
    month: npt.NDArray[np.int32]
    day: npt.NDArray[np.int32]
    lo: npt.NDArray[np.int32]
    hi: npt.NDArray[np.int32]

    def iso(self) -> list[str | None]:
        """:attr:`PartialDate.iso` of each date (None where malformed), a span's as its
        first and last day, ``YYYY-MM-DD/YYYY-MM-DD`` (ISO 8601's interval)."""
        return [
            None if y == 0 else _iso(y, m, d) if a == MISSING else f"{_day_iso(a)}/{_day_iso(b)}"
            for y, m, d, a, b in zip(
                self.year.tolist(),
                self.month.tolist(),
                self.day.tolist(),
                self.lo.tolist(),
                self.hi.tolist(),
                strict=True,
            )
        ]

    def interval(
        self, *, placeholders: bool = True
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
        """:meth:`PartialDate.interval` of each date (placeholders stand for their year;
        ``placeholders=False``: a date meant to the day, as a record's date), ``MISSING``
        where malformed."""
        year = self.year.astype(np.int64)
        month = np.maximum(self.month, 1).astype(np.int64)
        day = self.day.astype(np.int64)
        placeholder = ((month == 1) | (month == 7)) & (day == 1) | (day == _PLACEHOLDER_DAY)
        whole_year = (self.month == 0) | ((day > 0) & placeholder & placeholders)
        months = (year - 1970) * 12 + month - 1
        first = np.where(whole_year, _month_start(months - month + 1), _month_start(months))
        last = np.where(whole_year, _month_start(months - month + 13), _month_start(months + 1))
        exact = (day > 0) & ~whole_year
        lo = np.where(exact, first + day - 1, first)
        hi = np.where(exact, lo, last - 1)
        spanned = self.lo != MISSING
        lo, hi = np.where(spanned, self.lo, lo), np.where(spanned, self.hi, hi)
        known = self.year > 0
        return (
            np.where(known, lo, MISSING).astype(np.int32),
            np.where(known, hi, MISSING).astype(np.int32),
        )


def _month_start(months: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of the first of each month (months since January 1970)."""
    days: npt.NDArray[np.int64] = (
        months.astype("datetime64[M]").astype("datetime64[D]").astype(np.int64)
    )
    return days


def parse_partial_dates(
    texts: Sequence[str],
    *,
    month_first: bool | npt.NDArray[np.bool_] = False,
    calendar: str = GREGORIAN,
    placeholders: bool = True,
) -> PartialDates:
    """:func:`parse_partial_date` of many texts: ``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``
    (with or without a time ``THH:MM`` or ``THH:MM:SS``) and ``YYYYMMDD`` written in ASCII
    digits (nearly all dates) are read with numpy, the others one by one. ``month_first``:
    for all the texts or for each, whether one written with its year last is read
    ``MM/DD/YYYY`` (see :func:`day_month_orders`). A date that names its calendar
    (``1385 SH``, ``2008 ዓ.ም``, ``1400 AH``) is read in it, and so is every date where
    ``calendar`` (one of :data:`CALENDARS`) names another than the Gregorian
    (:func:`calendar_span`; ``placeholders``: whether its first day of the year stands for
    the year, false for a record's date); a span that :attr:`PartialDates.iso` wrote
    (``2015-09-12/2016-09-10``) is read as the days it names. A text longer than 64
    characters is no date.

    >>> parse_partial_dates(["2009-02-29", "2008-02-29", "1999", "17/05/2009"]).day.tolist()
    [0, 29, 0, 17]
    >>> parse_partial_dates(["1385 SH", "2015-09-12/2016-09-10", "12/05/2008 EC"]).iso()
    ['2006-03-21/2007-03-20', '2015-09-12/2016-09-10', '2016-01-21/2016-01-21']
    """
    n = len(texts)
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
    iso = np.isin(lengths, (4, 7, 8, 10, 16, 19))
    if calendar != GREGORIAN:  # every text is read in its calendar, one by one
        iso[:] = False
    if iso.any():
        written = np.array([t for t, keep in zip(texts, iso.tolist(), strict=True) if keep])
        size = lengths[iso]
        width = 19 if size.max() > 10 else 10
        codes = written.astype(f"U{width}").view(np.uint32).reshape(len(written), width)
        chars = codes.astype(np.int64)
        digit = (chars >= ord("0")) & (chars <= ord("9"))
        value = chars - ord("0")
        shaped = digit[:, :4].all(axis=1)
        compact = size == 8  # YYYYMMDD
        has_month, has_day = size >= 7, (size >= 10) | compact
        shaped &= ~compact | digit[:, 4:8].all(axis=1)
        dashed = ~compact
        shaped &= ~(has_month & dashed) | ((chars[:, 4] == ord("-")) & digit[:, 5:7].all(axis=1))
        shaped &= ~(has_day & dashed) | ((chars[:, 7] == ord("-")) & digit[:, 8:10].all(axis=1))
        if width > 10:
            # a time of day, read past: HH:MM, or HH:MM:SS (others are read one by one)
            timed, seconds = size >= 16, size == 19
            clock = (chars[:, 10] == ord("T")) | (chars[:, 10] == ord(" "))
            clock &= digit[:, [11, 12, 14, 15]].all(axis=1) & (chars[:, 13] == ord(":"))
            clock &= (value[:, 11] * 10 + value[:, 12] <= 23) & (value[:, 14] <= 5)
            clock &= ~seconds | (
                (chars[:, 16] == ord(":")) & digit[:, 17:19].all(axis=1) & (value[:, 17] <= 5)
            )
            shaped &= ~timed | clock
        iso[iso] = shaped
        value, has_month, has_day = value[shaped], has_month[shaped], has_day[shaped]
        compact = compact[shaped]
    year = np.zeros(n, dtype=np.int32)
    month = np.zeros(n, dtype=np.int32)
    day = np.zeros(n, dtype=np.int32)
    if iso.any():
        y = value[:, 0] * 1000 + value[:, 1] * 100 + value[:, 2] * 10 + value[:, 3]
        m = np.where(compact, value[:, 4] * 10 + value[:, 5], value[:, 5] * 10 + value[:, 6])
        d = np.where(compact, value[:, 6] * 10 + value[:, 7], value[:, 8] * 10 + value[:, 9])
        m, d = np.where(has_month, m, 0), np.where(has_day, d, 0)
        # a month or day of 0 is a registrar's "not known" (see parse_partial_date)
        valid = ~(has_month & (m == 0) & has_day & (d > 0))
        has_month &= m > 0
        has_day &= has_month & (d > 0)
        m, d = np.where(has_month, m, 0), np.where(has_day, d, 0)
        months = (y - 1970) * 12 + np.maximum(m, 1) - 1
        month_days = _month_start(months + 1) - _month_start(months)
        valid &= (y >= _MIN_YEAR) & (y <= _MAX_YEAR)
        valid &= ~has_month | ((m >= 1) & (m <= 12))
        valid &= ~has_day | ((d >= 1) & (d <= month_days))
        year[iso] = np.where(valid, y, 0)
        month[iso] = np.where(valid, m, 0)
        day[iso] = np.where(valid, d, 0)
    flipped = np.broadcast_to(np.asarray(month_first, dtype=bool), (n,))
    lo = np.full(n, MISSING, dtype=np.int32)
    hi = np.full(n, MISSING, dtype=np.int32)
    gregorian = calendar == GREGORIAN
    for k in np.flatnonzero(~iso).tolist():
        # in a Gregorian column, most texts read as Gregorian dates first
        plain = parse_partial_date(texts[k], month_first=bool(flipped[k])) if gregorian else None
        if plain is not None:
            year[k], month[k], day[k] = plain.year, plain.month or 0, plain.day or 0
            continue
        read = _in_its_calendar(texts[k], calendar, placeholders=placeholders)
        if isinstance(read, tuple):
            # written as a span, a day too ("2016-01-21/2016-01-21"): a date read in another
            # calendar reads as the same days whatever calendar reads it again
            lo[k], hi[k] = read
            year[k] = date.fromordinal(read[0] + _EPOCH).year
            continue
        if read is None or read == texts[k]:
            continue  # no date, or a Gregorian text read already
        parsed = parse_partial_date(read, month_first=bool(flipped[k]))
        if parsed is not None:
            year[k], month[k], day[k] = parsed.year, parsed.month or 0, parsed.day or 0
            if not gregorian:  # a Gregorian date said so, in another's column: a span
                lo[k], hi[k] = parsed.interval(placeholders=placeholders)
    return PartialDates(year, month, day, lo, hi)


#: Excel's date systems: the day that serial 0 counts from. The 1900 system (Excel on
#: Windows, and every workbook not set otherwise) counts from 1899-12-30 from serial 61
#: (1900-03-01) on, as it holds a 29 February 1900 that never was (serial 60, Lotus 1-2-3's
#: error kept), and one day later below it; the 1904 system (Excel for Mac before 2011, and
#: workbooks so set) counts from 1904-01-01.
SERIAL_EPOCHS = {1900: np.datetime64("1899-12-30", "D"), 1904: np.datetime64("1904-01-01", "D")}
_FICTITIOUS_DAY = 60  # 1900-02-29 in the 1900 system
_LAST_SERIAL = 2_958_465  # 9999-12-31 in the 1900 system, the last day Excel holds


def excel_serial_dates(
    serials: npt.NDArray[np.float64], *, date_system: int = 1900
) -> npt.NDArray[np.datetime64]:
    """The days that Excel serial numbers stand for (see :data:`SERIAL_EPOCHS`); a
    fraction, the time of day, is dropped. NaT for a number that is no day: below day 1
    (day 0 in the 1904 system), Excel's fictitious 1900-02-29, past 9999, or NaN.

    >>> excel_serial_dates(np.array([39448.5, 59, 60, 61])).astype(str).tolist()
    ['2008-01-01', '1900-02-28', 'NaT', '1900-03-01']
    >>> excel_serial_dates(np.array([37986.0]), date_system=1904).astype(str).tolist()
    ['2008-01-01']
    """
    epoch = SERIAL_EPOCHS[date_system]
    with np.errstate(invalid="ignore"):
        whole = np.floor(serials)
        first = 1 if date_system == 1900 else 0
        known = np.isfinite(whole) & (whole >= first) & (whole <= _LAST_SERIAL)
        if date_system == 1900:
            known &= whole != _FICTITIOUS_DAY
    days = np.where(known, whole, 0).astype(np.int64)
    if date_system == 1900:
        days += days < _FICTITIOUS_DAY  # before the fictitious day, counted from 1899-12-31
    out: npt.NDArray[np.datetime64] = epoch + days.astype("timedelta64[D]")
    out[~known] = np.datetime64("NaT")
    return out


# A serial date as a cell shows it when its column's date format is lost in an export:
# five digits (from 10000, 1927-05-18; four are a year), a time of day as a fraction or
# not ("39448", "39448.0", "39448,5").
_SERIAL = re.compile(r"^\s*([0-9]{5})(?:[.,][0-9]+)?\s*$")


def parse_serial_dates(texts: pd.Series, *, date_system: int = 1900) -> npt.NDArray[np.datetime64]:
    """The day each text writes as an Excel serial date (:func:`excel_serial_dates`):
    five digits, a fraction after them or not; NaT for any other text, and for a day
    after the last year a date may have (2100). Read by pandas' string methods, the
    whole column at once.

    >>> parse_serial_dates(pd.Series(["39448", "1990", "20090512", "73416"])).astype(str).tolist()
    ['2008-01-01', 'NaT', 'NaT', 'NaT']
    """
    whole = pd.to_numeric(texts.astype(str).str.extract(_SERIAL, expand=False))
    days = excel_serial_dates(
        whole.to_numpy(dtype=np.float64, na_value=np.nan), date_system=date_system
    )
    days[days > np.datetime64(f"{_MAX_YEAR}-12-31")] = np.datetime64("NaT")
    return days


@cache
def _number_words() -> dict[str, int]:
    """Each number word, as :func:`clean_text` writes it, and its number
    (``names/resources/number_words.tsv``)."""
    return {clean_text(form): int(number) for form, number, _ in read_table("number_words.tsv")}


@cache
def _age_units() -> dict[str, tuple[int, str]]:
    """Each age unit that is its own count ("سنتين": two years), as :func:`clean_text`
    writes it, and its number and unit (``names/resources/age_units.tsv``)."""
    return {
        clean_text(form): (int(number), unit)
        for form, number, unit, _ in read_table("age_units.tsv")
    }


# The words between a number's tens and its unit ("vingt et un", "treinta y cinco", "vinte e
# cinco", "twenty and five", "بیست و پنج"); Arabic joins و to the word after it ("وعشرون").
_AND_WORDS = frozenset({"and", "et", "y", "e", "و"})


def _tens_and_unit(text: str, words: dict[str, int]) -> int | None:
    """The number a tens word and a unit word make, either way round ("twenty five",
    "خمسه وعشرون": the unit first), an "and" between them or not; the unit one to nine, or
    to nineteen after French's sixty and eighty (soixante-dix, quatre-vingt-dix); else None.
    ``text`` as :func:`clean_text` writes it."""
    parts = text.split()
    for k in range(1, len(parts)):
        first, second = _number_of(parts[:k], words), _number_of(parts[k:], words)
        if first is None or second is None:
            continue
        tens, unit = (first, second) if first % 10 == 0 and first >= 20 else (second, first)
        top = 19 if tens in (60, 80) else 9
        if tens % 10 == 0 and tens >= 20 and 1 <= unit <= top:
            return tens + unit
    return None


def _number_of(parts: list[str], words: dict[str, int]) -> int | None:
    """The number word ``parts`` make, an "and" either side of it read past ("et un")."""
    while parts and parts[0] in _AND_WORDS:
        parts = parts[1:]
    while parts and parts[-1] in _AND_WORDS:
        parts = parts[:-1]
    text = " ".join(parts)
    number = words.get(text)
    return words.get(text[1:]) if number is None and text.startswith("و") else number


def _word_number(text: str) -> int | None:
    """The number ``text`` writes in digits, or as a number word, or as a tens word and a
    unit word ("twenty-five"); else None."""
    clean = clean_text(text)
    if clean.isdigit():
        return int(clean)
    words = _number_words()
    number = words.get(clean)
    return _tens_and_unit(clean, words) if number is None else number


def _in_digits(text: str) -> str:
    """An age written in words as digits, where the whole of it is a number word ("nine",
    تسع, "dix-sept", "twenty-five") or each end of a range is ("nine to ten", "nine-ten",
    "nine or ten", "twenty-five to thirty"); and a range written "between 20 and 25" as
    "20-25"; else ``text``.

    >>> _in_digits("Nine"), _in_digits("nine to ten"), _in_digits("dix-sept"), _in_digits("9")
    ('9', '9-10', '17', '9')
    >>> _in_digits("twenty-one to twenty-two"), _in_digits("between 20 and 25")
    ('21-22', '20-25')
    """
    between = _BETWEEN.match(text) if text else None
    if between is not None:
        low, high = (_word_number(end) for end in between.groups())
        return f"{low}-{high}" if low is not None and high is not None else text
    if not text or (text.isascii() and any(c.isdigit() for c in text)):
        return text
    whole = _word_number(text)
    if whole is not None:
        return str(whole)
    ends = _WORD_DASH_RANGE.match(text) or _WORD_RANGE.match(text)
    if ends is None:
        return text
    low, high = (_word_number(end) for end in ends.groups())
    return f"{low}-{high}" if low is not None and high is not None else text


@cache
def _decade_words() -> dict[str, int]:
    """Each word for a decade of life, as :func:`clean_text` writes it, and the decade's
    first year (``names/resources/decade_words.tsv``)."""
    return {clean_text(form): int(decade) for form, decade, _ in read_table("decade_words.tsv")}


def _decade(text: str) -> tuple[int, int] | None:
    """The ages a decade of life says, in whole years ("30s", "thirties", "in his
    thirties", "la trentaine", "في الثلاثينات": 30 to 39), or the part of it named ("early
    30s": 30 to 33, "mid-30s": 34 to 36, "late thirties": 37 to 39); else None.

    >>> _decade("in her early thirties"), _decade("50's"), _decade("thirty")
    ((30, 33), (50, 59), None)
    """
    words = clean_text(text).split()
    while words and words[0] in _DECADE_LEAD:
        words = words[1:]
    part = _DECADE_PARTS.get(words[0]) if words else None
    rest = " ".join(words[1:] if part is not None else words)
    digits = _DECADE_DIGITS.match(rest.replace(" ", ""))
    decade = int(digits.group(1)) * 10 if digits else _decade_words().get(rest)
    if decade is None:
        return None
    low, high = (decade, decade + 9) if part is None else (decade + part[0], decade + part[1])
    return (low, high) if high <= MAX_AGE else None


#: The units an age is read in (:func:`read_age`): whole years, or a young child's months,
#: weeks or days, which say its birth to within a month (:func:`_months_interval`).
YEARS, MONTHS, WEEKS, DAYS = "years", "months", "weeks", "days"
_UNITS = {_MONTHS: MONTHS, _WEEKS: WEEKS, _DAYS: DAYS, _YEARS: YEARS}
# The unit clinical notation's count is of, by what it is over: N/12 months, N/52 weeks
# and N/7 days, N at least 1 and under it.
_CLINICAL = {12: MONTHS, 52: WEEKS, 7: DAYS}
# The mean month, in days: the whole months a newborn's weeks or days make.
_MONTH_DAYS = 365.25 / 12


def parse_age(text: str) -> tuple[int, int] | None:
    """Parse an age ``N`` or a range ``N-M`` in whole years; None if malformed. Words
    that say no more are read past: an estimate ("about 9", "~9", "9?", "9 (est.)") and
    the unit ("9 years", "9-year-old", "9y", "9 ans", "9 سنوات", "9 років"); an age in
    months is the whole years it makes ("18 months": 1), so is one in years and months ("1
    year 6 months", "2 yrs 3 mths", "1y6m": the years), and one in weeks or days (up to
    365 days, 52 weeks) is 0 (:func:`read_age` keeps the months, weeks or days, which the
    birth is read from). An age in words is its number ("nine", "about nine years old",
    "nine to ten", تسع سنوات, "neuf ans", and over twenty its tens and unit: "twenty-five",
    "vingt-cinq", "veinticinco", "خمسة وعشرون":
    ``names/resources/number_words.tsv``), and so is an Arabic unit that is its own count,
    one or two of it (سنة, سنتين, شهرين: ``names/resources/age_units.tsv``). An age
    under a bound is the range it says:
    "under 5", "<5" (0 to 4), and "under 3 weeks" is 0 (the bound, up to 52 weeks or 365
    days).

    >>> parse_age("9-11")
    (9, 11)
    """
    read = read_age(text)
    if read is None:
        return None
    low, high, unit = read
    if unit == MONTHS:
        return low // 12, high // 12
    return (0, 0) if unit in (WEEKS, DAYS) else (low, high)


@lru_cache(maxsize=1 << 14)
def read_age(text: str) -> tuple[int, int, str] | None:
    """An age as written, in its unit: ``(low, high, unit)``, the unit :data:`YEARS`, or
    :data:`MONTHS`, :data:`WEEKS` or :data:`DAYS` where a young child's age is written so
    ("6 months", "8 mois", "۶ ماه": 6 months; "1 year 6 months": 18 months; "under 3
    weeks": 0 to 2 weeks); None if malformed (:func:`parse_age`, which reads it in whole
    years). A sex letter after a whole age is read past ("35F", "70 m": years; "18m",
    which may be months, is malformed), and clinical notation is read as its unit ("9/12":
    months, "3/52": weeks, "4/7": days) and two ages with a slash as a range ("9/10"), but
    where a text is both (malformed: "11/12", "6/7", "51/52": :func:`ambiguous_age`).

    >>> read_age("about 9"), read_age("1 year 6 months"), read_age("under 3 weeks")
    ((9, 9, 'years'), (18, 18, 'months'), (0, 2, 'weeks'))
    >>> read_age("35F"), read_age("9/12"), read_age("9/10"), read_age("11/12")
    ((35, 35, 'years'), (9, 9, 'months'), (9, 10, 'years'), None)
    """
    text = _bare_age(text)
    if not text:
        return None
    decade = _decade(text)
    if decade is not None:  # "in his thirties": 30 to 39
        return decade[0], decade[1], YEARS
    # the forms are Arabic: an ASCII text, nearly every age, is none of them
    counted = _age_units().get(clean_text(text)) if not text.isascii() else None
    if counted is not None:  # "سنتين": 2 years
        return counted[0], counted[0], counted[1]
    joined = None if text.isascii() else _years_and_months_joined(text)
    if joined is not None:  # "سنتين و 6 أشهر": 30 months
        return joined, joined, MONTHS
    text = _in_digits(text)
    both = _YEARS_AND_MONTHS.match(text)
    if both:  # "1 year 6 months": 18 months
        months = int(both.group(1)) * 12 + int(both.group(2))
        return (months, months, MONTHS) if months // 12 <= MAX_AGE else None
    unit = next((u for u in (_MONTHS, _WEEKS, _DAYS, _YEARS) if u.search(text)), None)
    text = _in_digits(text if unit is None else unit.sub("", text))
    two_way = _two_way(text) if unit in (None, _YEARS) else None
    if two_way is not None:  # "35F", "3/52", "9/10": one reading, else malformed
        form, read = two_way
        if unit is not None:  # "11/12 years": the two ages, where no letter is
            read = [r for r in read if r[2] == YEARS and form != "Nm"]
        return read[0] if len(read) == 1 else None
    match = _AGE.match(text)
    under = None if match else _UNDER.match(text)
    if under:  # "under 5": 0 to 4
        low, high = 0, int(under.group(1)) - 1
    elif match:
        low = int(match.group(1))
        high = int(match.group(2)) if match.group(2) else low
    else:
        return None
    if high < low:
        return None
    if unit in (_WEEKS, _DAYS):
        # 400 days, or 60 weeks, is no newborn's age: a year or more, malformed; so the
        # bound written under one ("under 60 weeks"), while "under 3 weeks" is a newborn's
        written = high + 1 if under else high
        return None if written * (7 if unit is _WEEKS else 1) > 365 else (low, high, _UNITS[unit])
    if unit is _MONTHS:
        return (low, high, MONTHS) if high // 12 <= MAX_AGE else None
    return (low, high, YEARS) if high <= MAX_AGE else None


def _bare_age(text: str) -> str:
    """An age's text with the words and marks of an estimate read past ("about 9", "9?")
    and a half written as a fraction as a point ("2 1/2": "2.5"); empty where it is longer
    than any age (:data:`_AGE_MAX_CHARS`)."""
    if not text or len(text) > _AGE_MAX_CHARS:
        return ""
    # a number word whole before its unit is read past: "twenty" ends as "9y" does
    return _HALF.sub(r"\1.5", _ESTIMATE.sub("", _ABOUT.sub("", text)))


def _two_way(text: str) -> tuple[str, list[tuple[int, int, str]]] | None:
    """The form of an age written with a sex letter after it ("35F", "18m": ``Nm``) or a
    slash ("10/12": ``N/12``, as ``N/52`` and ``N/7``; "9/10": ``N/M``), and each age it
    reads as (:func:`read_age`'s ``(low, high, unit)``): none (malformed), one, or two;
    None where the text is neither form.

    "35F" and "70m" are years; "18m" is 18 months, or 18 years and male. "3/52" is 3
    weeks, "10/12" 10 months; "9/10" is two ages (9-10), "9/11" neither; "11/12" is 11
    months, or 11 or 12 years; "3/4" is neither (a common fraction, the second under 5, is
    no two ages).

    >>> _two_way("35F"), _two_way("18m")
    (('Nm', [(35, 35, 'years')]), ('Nm', [(18, 18, 'months'), (18, 18, 'years')]))
    >>> _two_way("3/52"), _two_way("11/12"), _two_way("3/4")
    (('N/52', [(3, 3, 'weeks')]), ('N/12', [(11, 11, 'months'), (11, 12, 'years')]), ('N/M', []))
    """
    lettered = _SEX_AFTER.match(text)
    if lettered is not None:
        age, male = int(lettered.group(1)), lettered.group(2) in "Mm"
        months = [(age, age, MONTHS)] if male and age < _MONTHS_COUNTED else []
        return "Nm", months + ([(age, age, YEARS)] if age <= MAX_AGE else [])
    slashed = _SLASHED.match(text)
    if slashed is None:
        return None
    first, second = int(slashed.group(1)), int(slashed.group(2))
    unit = _CLINICAL.get(second)
    read = [(first, first, unit)] if unit is not None and 1 <= first < second else []
    if second - first == 1 and 5 <= second <= MAX_AGE:
        read.append((first, second, YEARS))
    return (f"N/{second}" if read and read[0][2] != YEARS else "N/M"), read


def lettered_ages(values: Iterable[str]) -> bool:
    """Whether a column of ages writes the person's sex after the age: one of its values
    is an age and F ("35F", "28 f."), which no unit is. There an age and M ("35 M") is
    the years and the sex, not months (:func:`lettered_years`), where alone it reads both
    ways (:func:`ambiguous_age`).

    >>> lettered_ages(["35F", "28 M"]), lettered_ages(["18m", "28 M"])
    (True, False)
    """
    return any(
        (m := _SEX_AFTER.match(_bare_age(v))) is not None and m.group(2) in "Ff" for v in values
    )


def lettered_years(text: str) -> tuple[int, int, str] | None:
    """An age and M or m in a column that writes the sex after ages (:func:`lettered_ages`):
    its years ("35 M": 35 years); else None.

    >>> lettered_years("18m"), lettered_years("9/12")
    ((18, 18, 'years'), None)
    """
    two_way = _two_way(_bare_age(text))
    if two_way is None or two_way[0] != "Nm":
        return None
    return next((read for read in two_way[1] if read[2] == YEARS), None)


def ambiguous_age(text: str) -> str | None:
    """The form of an age that reads two ways, which :func:`read_age` leaves malformed:
    ``Nm`` ("18m": 18 months, or 18 years and male), ``N/12``, ``N/52`` or ``N/7``
    ("11/12": 11 months, or 11 or 12 years); else None.

    >>> ambiguous_age("18 m"), ambiguous_age("about 11/12"), ambiguous_age("9/12")
    ('Nm', 'N/12', None)
    """
    text = _bare_age(text)
    if not text or any(unit.search(text) for unit in _UNITS):
        return None
    two_way = _two_way(text)
    return two_way[0] if two_way is not None and len(two_way[1]) == 2 else None


# "و" (and) between an Arabic age's years and its months, spaced or joined to the months
_ARABIC_AND = re.compile(r"\s+و\s*")


def _years_and_months_joined(text: str) -> int | None:
    """The months an Arabic age of years "و" (and) months makes, where either half may be
    a unit that is its own count (``age_units.tsv``: "سنتين و 6 أشهر", 30; "سنة وشهرين",
    14), each half read as :func:`read_age` reads an age; None where the text is not so."""
    halves = _ARABIC_AND.split(text.strip(), maxsplit=1)
    if len(halves) != 2:
        return None
    years, months = (read_age(half) for half in halves)
    if years is None or months is None or years[2] != YEARS or months[2] != MONTHS:
        return None
    if years[0] != years[1] or months[0] != months[1]:
        return None
    total = years[0] * 12 + months[0]
    return total if total // 12 <= MAX_AGE else None


def age_text(low: int, high: int, unit: str) -> str:
    """An age as validation writes it: ``N`` or ``N-M`` in years, and the unit after it
    otherwise (``6 months``, ``0-2 weeks``), which :func:`read_age` reads back.

    >>> age_text(9, 10, YEARS), age_text(18, 18, MONTHS)
    ('9-10', '18 months')
    """
    ages = str(low) if low == high else f"{low}-{high}"
    return ages if unit == YEARS else f"{ages} {unit}"


def in_whole_years(text: str) -> str | None:
    """An age in months, weeks or days ("6 months") as :func:`age_text` writes the whole
    years it makes ("0"), for a reader of ages in years alone (a PFIF file, an encoded one
    that keeps a birth's year); None for an age in years, or none.

    >>> in_whole_years("18 months"), in_whole_years("9")
    ('1', None)
    """
    read = read_age(text)
    if read is None or read[2] == YEARS:
        return None
    years = parse_age(text)
    return None if years is None else age_text(*years, YEARS)


def _in_months(low: int, high: int, unit: str) -> tuple[int, int]:
    """The whole months an age of months, weeks or days says: a newborn's weeks or days
    are the months they fall in ("10 days", "3 weeks": 0; "6 weeks": 1), read no finer
    than a month, as an age in months is: a day's or a week's count is an estimate too."""
    if unit == MONTHS:
        return low, high
    first, last = (low * 7, high * 7 + 6) if unit == WEEKS else (low, high)
    return int(first // _MONTH_DAYS), int(last // _MONTH_DAYS)


def _age_interval(low: int, high: int, as_of: PartialDate) -> tuple[int, int]:
    """Born between (as_of - high - 1 years + 1 day) and the later of (as_of - low years)
    and the end of the year (as_of's year - low), no later than as_of.

    An age as of a day is counted from the birthday, or, as registers often count it,
    from the years alone (the record's year less the birth's): a child born in August
    2010 is 8 on 1 May 2019, and 9 counted by the years. Either count is the estimate's:
    the latest birth is the later of the two. (Counted from the birthday alone, that
    child's age 9 put its birth 92 days before its true one, "within a year", which
    weighs against a pair, not "same year or age range", which weighs for it.)"""
    first, last = as_of.interval(placeholders=False)
    earliest_ref = date.fromordinal(first + _EPOCH)
    latest_ref = date.fromordinal(last + _EPOCH)
    earliest = _shift_years(earliest_ref, -(high + 1)).toordinal() + 1 - _EPOCH
    by_birthday = _shift_years(latest_ref, -low).toordinal() - _EPOCH
    by_years = date(latest_ref.year - low, 12, 31).toordinal() - _EPOCH
    return earliest, min(max(by_birthday, by_years), last)


def _months_interval(low: int, high: int, as_of: PartialDate) -> tuple[int, int]:
    """:func:`_age_interval` of an age in whole months (:func:`_in_months`): born between
    (as_of - high - 1 months + 1 day) and the later of (as_of - low months) and the end
    of the month (as_of's month - low), no later than as_of.

    A young child's age in months is counted from the day of its birth or, as its years
    may be, by the calendar's months alone (the record's month less the birth's): each
    count is the estimate's, as the years' two are. "6 months" as of 1 May 2019 is a birth
    from 2 October 2018 to 30 November 2018, where read as age 0 it was any day of the
    year before."""
    first, last = as_of.interval(placeholders=False)
    earliest_ref = date.fromordinal(first + _EPOCH)
    latest_ref = date.fromordinal(last + _EPOCH)
    earliest = _shift_months(earliest_ref, -(high + 1)).toordinal() + 1 - _EPOCH
    by_birthday = _shift_months(latest_ref, -low).toordinal() - _EPOCH
    month_end = _shift_months(latest_ref.replace(day=1), 1 - low).toordinal() - 1 - _EPOCH
    return earliest, min(max(by_birthday, month_end), last)


def age_interval(text: str, as_of: PartialDate) -> tuple[int, int] | None:
    """The births an age's text allows as of a date, in days since 1970 (earliest,
    latest); None where it does not read: an age in years by :func:`_age_interval`, one in
    months, weeks or days by :func:`_months_interval`. One record's reading of what
    :func:`birth_intervals` reads of many."""
    read = read_age(text)
    if read is None:
        return None
    low, high, unit = read
    if unit == YEARS:
        return _age_interval(low, high, as_of)
    return _months_interval(*_in_months(low, high, unit), as_of)


def _shift_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def _shift_months(day: date, months: int) -> date:
    """The same day ``months`` later (earlier where negative), or the month's last where
    it has no such day (31 March less a month: 28 or 29 February)."""
    year, month = divmod(day.year * 12 + day.month - 1 + months, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _age_intervals(
    ages: pd.Index, as_of: pd.Index, age_at: npt.NDArray[np.int64], date_at: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """:func:`age_interval` of each pair ``(ages[age_at[k]], as_of[date_at[k]])`` (distinct
    texts, each read once), as rows ``(earliest, latest, stated latest)``, the last the
    latest counted from the birthday alone (:attr:`BirthIntervals.stated_hi`); ``MISSING``
    where either does not read. The years and months are shifted in numpy, not a date a
    pair."""
    # per distinct age: (low, high, read, in months), an age in months, weeks or days as
    # the months it says (:func:`_in_months`); per distinct date: its first and last day
    rows = []
    for read in (read_age(str(a)) for a in ages.tolist()):
        if read is None:
            rows.append((0, 0, 0, 0))
        elif read[2] == YEARS:
            rows.append((read[0], read[1], 1, 0))
        else:
            rows.append((*_in_months(*read), 1, 1))
    age_table = np.array(rows, dtype=np.int64).reshape(-1, 4)
    days = parse_partial_dates([str(d) for d in as_of.tolist()]).interval(placeholders=False)
    low, high, aged, monthly = age_table[age_at].T
    first, last = (side.astype(np.int64)[date_at] for side in days)
    out = np.full((len(age_at), 3), MISSING, dtype=np.int64)
    shifts: tuple[tuple[Callable[[_IntArray, _IntArray], _IntArray], str], ...] = (
        (shift_years, "datetime64[Y]"),
        (shift_months, "datetime64[M]"),
    )
    for in_months, (shift, unit) in enumerate(shifts):
        both = aged.astype(bool) & (first != MISSING) & (monthly == in_months)
        out[both, 0] = shift(first[both], -(high[both] + 1)) + 1
        # The later of the birthday's count and the calendar's (:func:`_age_interval`).
        by_birthday = shift(last[both], -low[both])
        period = last[both].astype("datetime64[D]").astype(unit)
        counted = (period - low[both] + 1).astype("datetime64[D]").astype(np.int64) - 1
        out[both, 1] = np.minimum(np.maximum(by_birthday, counted), last[both])
        out[both, 2] = np.minimum(by_birthday, last[both])
    return out


def shift_months(
    days: npt.NDArray[np.int64], months: npt.NDArray[np.int64] | int
) -> npt.NDArray[np.int64]:
    """:func:`_shift_months` of many days (days since 1970) by as many months each: the
    same day of the month, or the month's last where it has no such day."""
    when = days.astype("datetime64[D]")
    month_start = when.astype("datetime64[M]")
    day = (when - month_start.astype("datetime64[D]")).astype(np.int64)
    target = month_start + np.asarray(months).astype("timedelta64[M]")
    start = target.astype("datetime64[D]")
    length = ((target + 1).astype("datetime64[D]") - start).astype(np.int64)
    out: npt.NDArray[np.int64] = start.astype(np.int64) + np.minimum(day, length - 1)
    return out


def shift_years(
    days: npt.NDArray[np.int64], years: npt.NDArray[np.int64] | int
) -> npt.NDArray[np.int64]:
    """:func:`_shift_years` of many days (days since 1970) by as many years each (``years``:
    one for all, or one a day): the same month and day, 29 February as 28 February in a
    year without one."""
    when = days.astype("datetime64[D]")
    year = when.astype("datetime64[Y]")
    month_start = when.astype("datetime64[M]")
    month = (month_start - year.astype("datetime64[M]")).astype(np.int64)
    day = (when - month_start.astype("datetime64[D]")).astype(np.int64)
    shifted_month = (year + np.asarray(years).astype("timedelta64[Y]")).astype(
        "datetime64[M]"
    ) + month.astype("timedelta64[M]")
    shifted = shifted_month.astype("datetime64[D]") + day.astype("timedelta64[D]")
    # 29 February in a year without one ran into March: the 28th
    spilled = shifted.astype("datetime64[M]") != shifted_month
    out: npt.NDArray[np.int64] = shifted.astype(np.int64) - spilled
    return out


@dataclass(frozen=True, slots=True)
class BirthIntervals:
    """Columnar birth intervals: ``lo``/``hi`` in days since 1970 (``MISSING`` if unknown);
    ``exact`` is True where the birth day itself is known (not a placeholder): a Gregorian
    day, or days that span at most :data:`DAY_SPAN` more, as a lunar Hijri day's
    Gregorian reading does ("1430-05-12 AH": 5 to 9 May 2009), and as a range of days
    written so narrow does ("2010-05-06/2010-05-08").

    ``stated_hi``: the latest birth of the range the record states, where it differs from
    ``hi`` (None: ``hi`` throughout). An age's latest birth is counted from the birthday or
    by the years (:func:`_age_interval`), which widens its interval by up to a year but
    states no wider range: "9-10" is two ages, as "9" is one, and is read as wide as the
    birthday's count makes it (a birth range over 2 years is no evidence of how near two
    births are: ``rfl_match.compare.IntervalComparison``)."""

    lo: npt.NDArray[np.int32]
    hi: npt.NDArray[np.int32]
    exact: npt.NDArray[np.bool_]
    stated_hi: npt.NDArray[np.int32] | None = None


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
    # pandas factorizes Arrow-backed text (its default) by Arrow's hash encoding: no
    # Python string per record
    if date_of_birth is not None:
        codes, uniques = pd.factorize(date_of_birth)
        dates = parse_partial_dates([str(u) for u in uniques.tolist()])
        first, last = dates.interval()
        # code -1 picks the last, all-missing row
        lo = np.append(first, MISSING).astype(np.int32)[codes]
        hi = np.append(last, MISSING).astype(np.int32)[codes]
        exact = (lo != MISSING) & (hi - lo <= DAY_SPAN)
    stated_hi = None
    if source_date is not None:
        date_codes, as_of = pd.factorize(source_date)
    if date_of_birth is not None and source_date is not None:
        # A birth is no later than its record's date: a year or a month alone ends there
        # ("2019" on a record of 1 March 2019, a child born by then), as an age's births do.
        seen = parse_partial_dates([str(u) for u in as_of.tolist()]).interval(placeholders=False)
        latest = np.append(seen[1], MISSING).astype(np.int32)[date_codes]
        cut = (lo != MISSING) & (latest != MISSING) & (lo <= latest) & (latest < hi)
        hi[cut] = latest[cut]
    if age is not None and source_date is not None:
        age_codes, ages = pd.factorize(age)
        # a missing age or date leaves the interval unknown
        need = (lo == MISSING) & (age_codes >= 0) & (date_codes >= 0)
        if need.any():
            rows = coded_age_intervals(ages, age_codes[need], as_of, date_codes[need])
            lo[need] = rows[:, 0]
            hi[need] = rows[:, 1]
            stated_hi = hi.copy()
            stated_hi[need] = rows[:, 2]
    return BirthIntervals(lo=lo, hi=hi, exact=exact, stated_hi=stated_hi)


def coded_age_intervals(
    ages: pd.Index,
    age_codes: npt.NDArray[np.intp],
    as_of: pd.Index,
    date_codes: npt.NDArray[np.intp],
) -> npt.NDArray[np.int64]:
    """The births each record's age allows as of its date, as rows ``(earliest, latest,
    stated latest)`` (:func:`_age_intervals`; ``MISSING`` where either does not read),
    from each record's code among the distinct texts of its column (``age_codes`` among
    ``ages``, ``date_codes`` among ``as_of``, as :func:`pandas.factorize` gives them; none
    -1): each distinct age, date and (age, date) pair is read once."""
    width = len(as_of)
    codes, pairs = pd.factorize(age_codes.astype(np.int64) * width + date_codes)
    rows: npt.NDArray[np.int64] = _age_intervals(ages, as_of, pairs // width, pairs % width)[codes]
    return rows


def _length(*series: pd.Series | None, default: int) -> int:
    for s in series:
        if s is not None:
            return len(s)
    return default
