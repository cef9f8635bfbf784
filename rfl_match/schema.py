"""The canonical record schema, column mapping and validation.

Every input, whatever its source, becomes a pandas DataFrame with string columns named as
below; the user's extra columns are kept beside them. Validation reports every problem at
once: problems that make a file unusable raise :class:`RecordError`; a malformed value keeps
its row, is blanked, and is listed in ``frame.attrs["problems"]``.
"""

from __future__ import annotations

import numbers
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
from rapidfuzz.distance import OSA

from rfl_match.arrays import text_columns_where
from rfl_match.bloom_filters import filter_widths
from rfl_match.date_checks import (
    AMBIGUOUS_AGE,
    MALFORMED_AGE,
    age_word,
    check_dates,
    note_ages,
)
from rfl_match.dates import (
    CALENDARS,
    DAY_FIRST,
    EITHER_ORDER,
    GREGORIAN,
    MONTH_FIRST,
    SERIAL_EPOCHS,
    YEARS,
    age_text,
    ambiguous_age,
    day_month_orders,
    lettered_ages,
    lettered_years,
    no_such_day,
    parse_partial_dates,
    parse_serial_dates,
    read_age,
)
from rfl_match.digests import frame_digest
from rfl_match.names.placeholders import is_placeholder

ID_FIELD = "record_id"
#: How a repeated record id's problem opens, its rows listed after it ("duplicate record id
#: in rows 3, 7"): a run in partitions counts them again from its first request.
DUPLICATE_ROWS = "duplicate record id in rows"
NAME_FIELDS = ("full_name", "given_name", "family_name", "alternate_names")
PARENT_FIELDS = ("father_name", "mother_name", "grandfather_name")
PLACE_FIELDS = ("place_of_birth", "place_of_origin", "last_known_location", "nationality")
#: Place fields that name a country: compared as one whatever code, name or demonym, in
#: whatever language, a record writes (``prepare.country_of``).
COUNTRY_FIELDS = ("nationality",)
# No name or place is this long: such a cell is pasted text, and would cost the name
# pipeline minutes (a record's names are read whole) or memory (a fixed-width copy of a
# column: 50 GB for one name of 5 MB). It is blanked and reported, its row kept (like a
# malformed date).
MAX_FIELD_CHARS = 1_000
#: The encoded record format's name fields (``rfl_match.privacy``): keyed Bloom filters of
#: the person's own names, the father's and the mother's, as base64 text.
BLOOM_FIELDS = ("name_bloom", "father_name_bloom", "mother_name_bloom")
#: The one that stands for a person's name where an encoded frame has no name in clear.
ENCODED_NAME_FIELD = "name_bloom"
#: The encoded record format's column naming its scheme, settings and key check value:
#: one text in every row.
ENCODING_FIELD = "encoding"
DATE_FIELDS = ("date_of_birth", "source_date")
CANONICAL_FIELDS = (
    ID_FIELD,
    *NAME_FIELDS,
    *PARENT_FIELDS,
    "sex",
    "date_of_birth",
    "age",
    "source_date",
    *PLACE_FIELDS,
)

#: The sex validation writes for "other", "x" (a passport's unspecified) and "o": what a
#: person's record of another organisation may write as female or male, so against
#: either it says nothing (``compare.SexComparison``; no points against a pair in the
#: candidate budget's score), and against "other" it agrees.
OTHER_SEX = "other"
_SEX_VALUES = {
    "f": "female",
    "female": "female",
    "woman": "female",
    "girl": "female",
    "w": "female",
    "femme": "female",
    "fille": "female",
    "mujer": "female",
    "femenino": "female",
    "ж": "female",
    "жен": "female",
    "женский": "female",
    "أنثى": "female",
    "انثى": "female",
    "m": "male",
    "male": "male",
    "man": "male",
    "boy": "male",
    "homme": "male",
    "garçon": "male",
    "hombre": "male",
    "masculino": "male",
    "м": "male",
    "муж": "male",
    "мужской": "male",
    "ذكر": "male",
    "féminin": "female",
    "feminin": "female",
    "féminine": "female",
    "fem": "female",
    "niña": "female",
    "nina": "female",
    "женщина": "female",
    "девочка": "female",
    "masculin": "male",
    "masculine": "male",
    "masc": "male",
    "h": "male",  # homme, hombre
    "garcon": "male",
    "niño": "male",
    "nino": "male",
    "varón": "male",
    "varon": "male",
    "мужчина": "male",
    "мальчик": "male",
    # Egyptian spelling (final ي for ى), Persian and Dari, Ukrainian, Turkish
    "انثي": "female",
    "أنثي": "female",
    "زن": "female",
    "دختر": "female",
    "مرد": "male",
    "پسر": "male",
    "жінка": "female",
    "жіноча": "female",
    "жін": "female",
    "дівчина": "female",
    "дівчинка": "female",
    "чоловік": "male",
    "чоловіча": "male",
    "чол": "male",
    "ч": "male",
    "хлопчик": "male",
    "kadın": "female",
    "kadin": "female",
    "kız": "female",
    "kiz": "female",
    "erkek": "male",
    "other": OTHER_SEX,
    "x": OTHER_SEX,
    "o": OTHER_SEX,
}
_MISSING_SEX = frozenset({"", "u", "unknown", "na", "n/a", "?", "inconnu", "desconocido"})


_ID_SHAPE = re.compile(r"[^\s,;|]{1,40}")
#: Columns whose values a problem shows in a log line (:meth:`Problem.logged`), as each
#: column's value looks: they say nothing of who a person is. A value that does not look
#: like one (a name shifted into the sex column, a record id cell that a quote left open
#: filled with the rest of its row and the rows after it) is not shown, nor is any other
#: column's value (names, dates of birth, places, a column of the user's own) or a whole
#: row's text. An id: no space or delimiter, 40 characters at most; sex: a code of up to
#: 3 characters; a record's date: digits and separators; a probability: a short word
#: ("0.93", "n/a"); a decision: a short answer on one line; an encoded frame's encoding:
#: a scheme and its settings (``rfl_match-bloom/1 bits=1024 ... key=049f70c0``, which
#: holds the key's check value, never the key), what a cell shifted there is not.
VALUE_SHAPES: Mapping[str, re.Pattern[str]] = {
    ID_FIELD: _ID_SHAPE,
    "request_id": _ID_SHAPE,
    "sighting_id": _ID_SHAPE,
    "sex": re.compile(r"\S{1,3}"),
    "source_date": re.compile(r"\d[\d /.:+TZ-]{0,29}"),
    "match_probability": re.compile(r"[^\s,;|]{1,12}"),
    "is_match": re.compile(r"[^\r\n\t,;|]{1,24}"),
    "decision": re.compile(r"[^\r\n\t,;|]{1,24}"),  # a review file's, read as is_match
    ENCODING_FIELD: re.compile(r"[\w.-]{1,40}/\d{1,4}( [a-z_]{1,20}=[\w./-]{1,40}){1,8}"),
}
LOGGED_VALUE_COLUMNS = frozenset(VALUE_SHAPES)


def shown_value(column: str | None, value: str) -> bool:
    """Whether a log line may show ``value`` of ``column``: a column of
    :data:`LOGGED_VALUE_COLUMNS`, the value looking like one of its values
    (:data:`VALUE_SHAPES`)."""
    shape = None if column is None else VALUE_SHAPES.get(column)
    return shape is not None and shape.fullmatch(value) is not None


def said_encoding(text: str) -> str:
    """An ``encoding`` cell's text as a message says it: quoted where it reads as an
    encoding's scheme and settings (:data:`VALUE_SHAPES`), else not shown: the cell is a
    record's, and may hold what a shifted row put there."""
    return repr(text) if shown_value(ENCODING_FIELD, text) else "a text not shown"


class Problem(NamedTuple):
    """One problem found in the input. A named tuple: a frame's ``attrs["problems"]``
    holds them, and pandas writes ``attrs`` as JSON into a Parquet file
    (``DataFrame.to_parquet``), which a tuple is to JSON.

    Attributes:
        row: the 1-based data row (the header is row 0), or None for the whole input.
        column: the column concerned, or None.
        message: what is wrong, in words.
        value: the offending value (shortened), or "".
    """

    row: int | None
    column: str | None
    message: str
    value: str = ""

    def __str__(self) -> str:
        return self._said(self.value)

    def logged(self) -> str:
        """The problem as a line of stderr, a warning or an exception's message, which logs
        keep beyond the data holder's reach: its value only where its column says nothing
        of a person (:data:`LOGGED_VALUE_COLUMNS`: an id, sex, a record's date, a
        probability) and the value looks like one (:func:`shown_value`), else "value not
        shown" (a name, a date of birth, a place, a phone number in a cell of the user's
        own, a whole row). Row and column find the cell; the value stays in
        :attr:`value`, ``attrs["problems"]`` and the rejects file. The message says no
        value: it is shown whole."""
        if not self.value or shown_value(self.column, self.value):
            return self._said(self.value)
        return self._said("") + " (value not shown)"

    def _said(self, value: str) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        prefix = ", ".join(where)
        shown = f" (value {value!r})" if value else ""
        return f"{prefix}: {self.message}{shown}" if prefix else f"{self.message}{shown}"

    def to_dict(self) -> dict[str, Any]:
        return self._asdict()


class Problems(list[Problem]):
    """A frame's ``attrs["problems"]``: a list of :class:`Problem`, which the frames pandas
    derives from the frame share. pandas deep-copies a frame's ``attrs`` at every step it
    takes from it (a column read, a copy, a filter): copied so, 60,000 problems (100,000
    records a side, 30% of their dates malformed) made the fit 14.5 s against 5.3 s with
    none, its validation 5.6 s against 0.7."""

    def __deepcopy__(self, memo: dict[int, Any]) -> Problems:
        return self


class RecordError(ValueError):
    """The input cannot be used; ``problems`` lists every reason found."""

    def __init__(self, problems: list[Problem], source: str = "input") -> None:
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p.logged()}" for p in problems[:50])
        more = f"\n  ... and {len(problems) - 50} more" if len(problems) > 50 else ""
        super().__init__(f"{source}: {len(problems)} problem(s)\n{lines}{more}")


def _short(value: str, limit: int = 60) -> str:
    return value if len(value) <= limit else value[:limit] + "..."


def _canonical_header(name: str) -> str:
    key = re.sub(r"[\s\-]+", "_", name.strip().lower())
    return key


def _field_key(name: str) -> str:
    """A name as :func:`_canonical_header` reads it, without its underscores."""
    return _canonical_header(name).replace("_", "")


_FIELD_KEYS = {_field_key(f): f for f in CANONICAL_FIELDS}


def near_canonical_field(name: str) -> str | None:
    """The canonical field that ``name``, not itself one, most likely misspells; None if
    none is that close.

    Close means equal once case, ``_``, ``-`` and spaces are left out ("Date of Birth",
    "fathername"), or, for a field of five letters or more, one letter added, dropped,
    changed or two swapped ("date_of_brith", "fathers_name"). No more than that: other
    columns ("camp", "case_number", "father_full_name", "source_name", and a numbered one
    such as "family_name_2") are the user's own.

    >>> near_canonical_field("date_of_brith"), near_canonical_field("camp")
    ('date_of_birth', None)
    """
    if name in CANONICAL_FIELDS:
        return None
    key = _field_key(name)
    if key in _FIELD_KEYS:
        return _FIELD_KEYS[key]
    if re.search(r"\d", key):
        return None  # a second family name, numbered, is no typo of the first
    best, fewest = None, 2
    for field_key, field in _FIELD_KEYS.items():
        if len(field_key) < 5:
            continue  # "age", "sex": one letter off is another word ("tag", "set")
        edits = OSA.distance(key, field_key, score_cutoff=1)
        if edits < fewest:
            best, fewest = field, edits
    return best


def _misspelled_headers(columns: Sequence[str], dates: Sequence[str] = ()) -> list[Problem]:
    """A note for each column whose header nearly spells a canonical field the records
    lack ("Date of Brith", "fathers_name"; :func:`near_canonical_field`), but for those
    read as ``dates``: kept under its own name, it was compared by nothing, without a
    word, where a mapping target so spelt is warned of."""
    return [
        Problem(
            None,
            column,
            f"a column named nearly as the field {field!r}, which the records lack: kept "
            f"under its own name, compared only if a configuration names it; if it holds "
            f"{field!r}, map it (mapping: {column!r} = {field!r})",
        )
        for column in columns
        if (field := near_canonical_field(column)) is not None
        and field not in columns
        and column not in dates
    ]


def apply_mapping(frame: pd.DataFrame, mapping: dict[str, str] | None) -> pd.DataFrame:
    """Rename the user's columns to canonical names.

    ``mapping`` goes from the input's header to the canonical field. Headers that already
    spell a canonical field (in any case, with spaces or hyphens) are recognised without one.
    """
    # keys as text: a frame read with header=None names its columns 0, 1, ...
    wanted = {str(k): v for k, v in (mapping or {}).items()}
    renames = {column: _mapped_name(column, wanted)[0] for column in frame.columns}
    return frame.rename(columns=renames)


def _mapped_name(column: Any, wanted: dict[str, Any]) -> tuple[Any, str | None]:
    """The name :func:`apply_mapping` gives ``column`` (``wanted``: the mapping, keys as
    text), and the mapping key that gives it (None where the column keeps its name or
    spells a canonical field)."""
    text = str(column)
    for key in (text, text.strip()):
        if key in wanted:
            return wanted[key], key
    canonical = _canonical_header(text)
    return (canonical if canonical in CANONICAL_FIELDS else column), None


class MappingError(RecordError):
    """A column mapping that the input's columns cannot follow: the mapping is to change
    (a configuration error), not the data."""


def _mapping_problems(mapping: dict[str, str] | None, columns: Iterable[Any]) -> list[Problem]:
    """What makes a column mapping one a frame with these columns cannot follow: a target
    that is no column name (not text), one target for two of its columns, or a target
    that another of its columns is named already (a column would appear twice, and which
    one holds the field is anyone's guess; two keys for one target, one a header of
    another file, are no mistake)."""
    problems = []
    wanted: dict[str, Any] = {}
    for key, target in (mapping or {}).items():
        if not isinstance(target, str) or not target.strip():
            problems.append(Problem(None, str(key), f"mapping: {target!r} is no column name"))
        else:
            wanted[str(key)] = target
    named: dict[Any, list[tuple[str, str | None]]] = {}  # name -> (header, key) of each
    for column in columns:
        name, mapped = _mapped_name(column, wanted)
        named.setdefault(name, []).append((str(column), mapped))
    for name, sources in named.items():
        keys = list(dict.fromkeys(key for _, key in sources if key is not None))
        others = [header for header, key in sources if key is None]
        if len(keys) > 1:
            listed = " and ".join(repr(k) for k in keys)
            problems.append(Problem(None, name, f"mapping: {listed} are both mapped to it"))
        elif keys and others:
            problems.append(
                Problem(
                    None,
                    name,
                    f"mapping: {keys[0]!r} = {name!r} gives the column {keys[0]!r} a name "
                    f"another column of the input has already ({others[0]!r}); map "
                    f"{keys[0]!r} to another name, or {others[0]!r} to one",
                )
            )
    return problems


#: The ``attrs`` key of a frame of validated records (:func:`mark_validated`).
VALIDATED = "rfl_match_validated"


def mark_validated(
    frame: pd.DataFrame,
    date_fields: Iterable[str] = (),
    calendars: Mapping[str, str] | None = None,
) -> None:
    """Note on a frame of validated records (in its ``attrs``) its columns, length and a
    digest of its content (:func:`rfl_match.digests.frame_digest`), and the extra date
    columns and calendars it was validated with (``date_fields``, ``calendars``, as given
    to :func:`validate_records`: those of the columns it holds), so that the same frame
    passed again is not validated again (:func:`is_validated`).
    pandas copies ``attrs`` to the frames it derives from this one: one with other columns
    or rows (a column dropped, frames concatenated, rows filtered), and this frame itself
    once a cell is changed in place, no longer match, and are validated anew."""
    digest = frame_digest(frame)
    # Text, not bytes: pandas writes attrs as JSON into a Parquet file.
    frame.attrs[VALIDATED] = (
        tuple(frame.columns),
        len(frame),
        digest and digest.hex(),
        extra_date_fields(frame.columns, date_fields),
        sorted((c, k) for c, k in (calendars or {}).items() if c in frame.columns),
    )


def is_validated(frame: pd.DataFrame, date_fields: Iterable[str] = ()) -> bool:
    """Whether the frame has the columns, length and content :func:`mark_validated`
    noted on it (the content is read only when the rest agrees: about 0.2 s a million
    records), and was validated with each of ``date_fields`` that it holds as a date
    column: a frame that :func:`rfl_match.read_records` read without a configuration's
    extra date columns has its serials and malformed cells there still as written. The
    calendars it was read in are its reader's (:func:`validated_calendars`): its dates
    are Gregorian now, and are not read again in another."""
    noted = frame.attrs.get(VALIDATED)
    if not isinstance(noted, tuple) or len(noted) not in (4, 5):
        return False
    columns, rows, digest, dates = noted[:4]
    if columns != tuple(frame.columns) or rows != len(frame) or digest is None:
        return False
    if not set(extra_date_fields(frame.columns, date_fields)) <= set(dates):
        return False
    now = frame_digest(frame)
    return now is not None and now.hex() == digest


def validated_calendars(frame: pd.DataFrame) -> dict[str, str]:
    """The calendars (date column -> calendar) a frame :func:`mark_validated` noted was
    read in; {} for one read in none but the Gregorian, or not validated."""
    noted = frame.attrs.get(VALIDATED)
    if not isinstance(noted, tuple) or len(noted) != 5:
        return {}
    return {str(column): str(calendar) for column, calendar in noted[4]}


def extra_date_fields(columns: Iterable[Any], date_fields: Iterable[str]) -> tuple[str, ...]:
    """Those of ``date_fields`` that are columns of the user's own among ``columns``, in
    order and once each: the extra date columns that :func:`validate_records` checks
    beside :data:`DATE_FIELDS`. A canonical field keeps its own checks (``age`` is an
    age), whatever compares it.

    >>> extra_date_fields(["record_id", "date_of_arrival", "age"], ["age", "date_of_arrival"])
    ('date_of_arrival',)
    """
    present = {str(c) for c in columns}
    wanted = (f for f in date_fields if f in present and f not in CANONICAL_FIELDS)
    return tuple(dict.fromkeys(wanted))


def blank_rows(table: pd.DataFrame | Any) -> npt.NDArray[np.bool_]:
    """Which rows of a frame or a pyarrow Table hold no record: every cell missing (None,
    NaN, NaT), empty or white space (an empty line of a CSV file, a line of its
    delimiters, a row of a frame or a Parquet file left blank). Such a row is counted, so
    that the rows after it keep their numbers, and passed over without a word, whatever
    reads it. A column at a time, each at the rows still blank in every column before
    it: the first column (a record id) is filled in nearly every row, and the search ends
    there."""
    if isinstance(table, pd.DataFrame):
        columns: Iterable[Any] = (values for _, values in table.items())  # a name may repeat
        blank = np.ones(len(table), dtype=bool)
    else:
        columns = table.columns
        blank = np.ones(table.num_rows, dtype=bool)
    for column in columns:
        where = np.flatnonzero(blank)
        if not len(where):
            break
        blank[where] = _blank_cells(column, where)
    return blank


def _blank_cells(column: pd.Series | Any, where: npt.NDArray[np.intp]) -> npt.NDArray[np.bool_]:
    """Which cells of ``column`` (a Series, or an Arrow array) at the positions ``where``
    are missing, empty or white space (see :func:`blank_rows`)."""
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    whole = len(where) == len(column)
    if isinstance(column, pd.Series):
        values = column if whole else column.iloc[where]
        try:
            cells = pa.array(values, from_pandas=True)  # NaN and NaT as nulls
        # a column of mixed types, or of text that Arrow's UTF-8 cannot hold (a lone
        # surrogate, reported by validation): cell by cell
        except (pa.ArrowException, ValueError, TypeError, OverflowError):
            return np.array([_blank_cell(v) for v in values.tolist()], dtype=bool)
    else:
        cells = column if whole else column.take(where)
    if pa.types.is_dictionary(cells.type):  # a categorical column: its values
        cells = cells.cast(cells.type.value_type)
    if pa.types.is_string(cells.type) or pa.types.is_large_string(cells.type):
        found = pc.fill_null(pc.or_(pc.equal(cells, ""), pc.utf8_is_space(cells)), True)
    else:
        found = pc.is_null(cells, nan_is_null=True)
    return np.asarray(found, dtype=bool)


def _blank_cell(value: Any) -> bool:
    if isinstance(value, str):
        return not value.strip()
    return value is None or bool(pd.api.types.is_scalar(value) and pd.isna(value))


def renumber_problems(problems: list[Problem], rows: npt.NDArray[np.int64]) -> list[Problem]:
    """``problems`` with each row counted among the rows of a table (1, 2, ...) given as
    ``rows[row - 1]``: the number that row has where rows were left out before."""
    return [
        p if p.row is None or not 0 < p.row <= len(rows) else p._replace(row=int(rows[p.row - 1]))
        for p in problems
    ]


def _spelled_alike(problem: Problem, headers: pd.Index, named: pd.Index) -> Problem:
    """``problem`` (a doubled column of ``named``, the ``headers`` renamed) naming the
    headers that became the one column where they differ ("Full Name" and "full_name",
    both spelling full_name), which the message of the column alone does not show."""
    spelled = [str(h) for h, n in zip(headers, named, strict=True) if str(n) == problem.column]
    if len(set(spelled)) < 2:
        return problem
    listed = " and ".join(repr(h) for h in dict.fromkeys(spelled))
    return problem._replace(message=f"{problem.message}: the headers {listed} both name it")


def doubled_columns(columns: pd.Index, read: Iterable[str] | None = None) -> list[Problem]:
    """A problem for each name that ``columns`` holds more than once (of those in ``read``
    alone where given: the columns a command reads), each named once: which of its
    columns holds the value is anyone's guess, so the input cannot be used."""
    wanted = None if read is None else set(read)
    return [
        Problem(None, str(column), "column appears more than once")
        for column in pd.unique(columns[columns.duplicated()])
        if wanted is None or column in wanted
    ]


def validate_records(
    frame: pd.DataFrame,
    mapping: dict[str, str] | None = None,
    *,
    source: str = "input",
    date_system: int = 1900,
    date_fields: Iterable[str] = (),
    rows: npt.ArrayLike | None = None,
    calendars: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Map, check and clean a frame of records.

    Returns a new frame with string columns (missing values as ""; typed dates and floats
    as :func:`typed_text` writes them); malformed dates, ages and sex values are blanked
    and listed in ``attrs["problems"]`` (a list of :class:`Problem`). A date column
    written mostly as Excel serial numbers is read as dates, with a note
    (:func:`_read_serial_dates`; ``date_system``: the workbook's, 1900 or 1904). Raises
    :class:`RecordError` listing every problem that makes the input unusable: no
    ``record_id`` column, no name column, blank or duplicate ids, no rows; a
    :class:`MappingError` (one) where ``mapping`` cannot be followed (two columns mapped
    to one name, or one onto the name of another). A row whose
    every cell is blank holds no record: it is left out without a word, but counted
    (:func:`blank_rows`), so that problems name each row by its place in ``frame``.

    ``rows`` gives each row of ``frame`` its number in the file it was read from (the
    header 0), where that differs from its place in ``frame`` (rows left out before, blank
    or rejected): every problem names its row by it, in :attr:`Problem.row` and in the rows
    a message lists (a duplicated id's), as a spreadsheet shows the file.

    The date columns are :data:`DATE_FIELDS` and ``date_fields``: columns of the user's
    own (named as after ``mapping``) that a configuration compares as dates
    (``LinkConfig.date_fields``), checked as ``date_of_birth`` and ``source_date`` are
    (``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD``, ``YYYYMMDD``, and ``DD/MM/YYYY`` or
    ``MM/DD/YYYY`` in the order the column's cells show, :func:`_day_month_order`;
    serials read); a canonical field among them keeps its own checks
    (:func:`extra_date_fields`). ``calendars``: date column (as named after ``mapping``) ->
    the calendar its dates are written in, where not the Gregorian
    (:data:`rfl_match.dates.CALENDARS`): each is written as the Gregorian date it is, or
    as the span of days it stands for (``2015-09-12/2016-09-10``: the Ethiopian year 2008).
    A cell that names its calendar (``1385 SH``, ``2008 ዓ.ም``) is so read in any date
    column.
    """
    fatal: list[Problem] = []
    if isinstance(frame.columns, pd.MultiIndex):
        raise RecordError(
            [Problem(None, None, "the columns have several levels of names: flatten them")],
            source,
        )
    blank = blank_rows(frame)
    # each row's number (from 1) in the frame given, the blank rows counted, or in its file
    numbers = np.flatnonzero(~blank).astype(np.int64) + 1
    if rows is not None:
        given = np.asarray(rows, dtype=np.int64)
        if given.shape != (len(frame),):
            raise ValueError(f"rows: {given.size} numbers for {len(frame)} rows")
        numbers = given[~blank]
    if blank.any():
        frame = frame[~blank]
    wrong = _mapping_problems(mapping, frame.columns)
    if wrong:  # the mapping itself: no column of the input need be read to say so
        raise MappingError(wrong, source)
    headers = frame.columns
    frame = apply_mapping(frame, mapping)
    missing_targets = [
        c
        for c in (mapping or {})
        if str(c) not in frame.columns and (mapping or {})[c] not in frame.columns
    ]
    for column in missing_targets:
        fatal.append(Problem(None, column, "mapped column not found in the input"))
    fatal += [_spelled_alike(p, headers, frame.columns) for p in doubled_columns(frame.columns)]
    if ID_FIELD not in frame.columns:
        fatal.append(Problem(None, ID_FIELD, "no record id column (map one with mapping=)"))
    if not any(f in frame.columns for f in (*NAME_FIELDS, ENCODED_NAME_FIELD)):
        fatal.append(
            Problem(
                None,
                None,
                "no name column: need one of " + ", ".join(NAME_FIELDS) + f" (or "
                f"{ENCODED_NAME_FIELD}, names encoded by rfl_match.privacy)",
            )
        )
    if len(frame) == 0:
        fatal.append(Problem(None, None, "no data rows"))
    if fatal:
        raise RecordError(fatal, source)  # none of them names a row

    extra_dates = extra_date_fields(frame.columns, date_fields)
    date_columns = (*DATE_FIELDS, *extra_dates)
    repaired: list[Problem] = []
    # A float in a date column that is no whole number is no year, though its text may read
    # as a date (1990.5 as May 1990): malformed, whatever it reads as.
    fractional: dict[str, npt.NDArray[np.bool_]] = {}
    if all(isinstance(dtype, pd.StringDtype) for dtype in frame.dtypes):
        # Already text (every file reader gives this): skip a round trip through Python
        # objects that costs seconds and a second copy of the data on a million rows.
        out = _replace_surrogates(frame.fillna(""), repaired)
    else:
        texts: dict[Any, Any] = {}
        for column in frame.columns:
            values = frame[column]
            typed = _typed_values(values)
            if typed is None:
                texts[column] = _decoded(values.astype(object).where(values.notna(), ""))
                continue
            texts[column] = _typed_text(typed)
            if typed.dtype.kind == "f" and column in date_columns:
                fractional[column] = np.isfinite(typed) & (np.trunc(typed) != typed)
        objects = pd.DataFrame(texts, index=frame.index)
        out = _replace_surrogates(objects, repaired).astype(str)
    out.columns = [str(c) for c in out.columns]
    fatal.extend(p for p in repaired if p.column == ID_FIELD)
    # A column that needs no change stays the caller's (its buffers shared, not held
    # twice on a million rows).
    for position in text_columns_where(out, _untrimmed):
        values = out.iloc[:, position]
        stripped = values.str.strip()
        if not stripped.equals(values):
            out.isetitem(position, stripped.array)

    ids = out[ID_FIELD]
    for row in (ids == "").to_numpy().nonzero()[0]:
        fatal.append(Problem(int(row) + 1, ID_FIELD, "blank record id"))
    dup_mask = _repeated(ids)
    if dup_mask.any():
        positions = pd.Series(numbers)[dup_mask]
        for value, rows in positions.groupby(ids[dup_mask].to_numpy()):
            listed = ", ".join(str(int(r)) for r in rows)
            fatal.append(Problem(None, ID_FIELD, f"{DUPLICATE_ROWS} {listed}", _short(str(value))))
    fatal.extend(_mixed_encodings(out))
    if fatal:
        raise RecordError(renumber_problems(fatal, numbers), source)

    problems = [p for p in repaired if p.column != ID_FIELD]
    problems += _misspelled_headers(list(out.columns), extra_dates)
    # The filters first: a value blanked as no filter leaves its row without a name.
    encoded = is_encoded(out)
    if encoded:
        _clean_filters(out, problems)
    blank_overlong(out, (*NAME_FIELDS, *PARENT_FIELDS, *PLACE_FIELDS), problems)
    _note_overlong_ids(out[ID_FIELD], problems)
    names = (*NAME_FIELDS, ENCODED_NAME_FIELD) if encoded else NAME_FIELDS
    present_names = [f for f in names if f in out.columns]
    no_name = (out[present_names] == "").all(axis=1).to_numpy()
    for row in no_name.nonzero()[0]:
        problems.append(Problem(int(row) + 1, None, "no name in any name column; kept"))
    # A name of no letter ("...", "123", an emoji) names no one either: said so, as a
    # blank name is (normalisation reads no part of it, and the record matches nameless).
    named = no_name.copy()  # the rows left to read: those with a name cell not yet read
    for f in present_names:
        rows = np.flatnonzero(~named)
        cells = out[f].iloc[rows]
        held = cells != "" if f == ENCODED_NAME_FIELD else _holds_letter(cells)
        named[rows] = held.to_numpy(dtype=bool)
    for row in (~named).nonzero()[0]:
        value = next(v for v in out[present_names].iloc[row] if v != "")
        problems.append(Problem(int(row) + 1, None, _NO_LETTER, _short(str(value))))
    # Each date column's distinct texts, read once: its serials, the order of its days and
    # months and its clean forms are read from them while the column is as it was read.
    distinct: dict[str, Any] = {}
    for column in date_columns:
        if column not in out.columns:
            continue
        written = pd.unique(out[column])
        serial = _read_serial_dates(out, column, problems, date_system, written)
        if serial is None:
            distinct[column] = written
        elif column in fractional:
            fractional[column] &= ~serial  # a serial's fraction is its time of day
    calendar_of = _calendars_of(calendars, date_columns, out.columns)
    gregorian = [c for c in date_columns if calendar_of.get(c, GREGORIAN) == GREGORIAN]
    shown = _file_order(out, gregorian, distinct)
    for column in date_columns:
        message = None if column in DATE_FIELDS else _EXTRA_DATE
        _clean_dates(
            out,
            column,
            problems,
            fractional.get(column),
            message,
            distinct.get(column),
            shown,
            calendar_of.get(column, GREGORIAN),
        )
    _clean_column(out, "age", _check_ages, problems, reasons=_age_reason)
    # Values that read well but cannot be (a birth after its record's date), or are unused
    # (an age with no date to read it as of): once every date and age is read.
    dates_read = check_dates(out, problems)
    note_ages(out, problems, dates_read)  # the dates as check_dates read them, not again
    check_sex = _check_sex
    if "sex" in out.columns and _hombre_mujer(out["sex"]):
        problems.append(Problem(None, "sex", _HOMBRE_MUJER))
        check_sex = _check_sex_hombre_mujer
    _clean_column(out, "sex", _each(check_sex), problems)
    out = out.reset_index(drop=True)
    renumbered = rows is not None or blank.any()
    out.attrs["problems"] = Problems(
        renumber_problems(problems, numbers) if renumbered else problems
    )
    return out


_NO_LETTER = "no letter in any name column: no name to match; kept"


def _holds_letter(cells: pd.Series) -> pd.Series:
    """Per cell, whether it holds a letter of any script: RE2's class where the strings
    are Arrow's (five times as fast), Python's where they are not (pyarrow is optional)."""
    arrow = getattr(cells.dtype, "storage", None) == "pyarrow"
    return cells.str.contains(r"\pL" if arrow else r"[^\W\d_]", regex=True)


def _repeated(ids: pd.Series) -> npt.NDArray[np.bool_]:
    """Which ids, not blank, stand in more than one row. Ids each greater than the last
    (records exported in the order of their ids, as registers number them) are all
    different: one comparison of each with the next tells (4 ms a million records,
    where finding the repeated ones among them took 0.25 s)."""
    dtype = ids.dtype
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow" and len(ids) > 1:
        import pyarrow.compute as pc

        cells = ids.array.__arrow_array__()
        if not cells.null_count and pc.all(pc.greater(cells[1:], cells[:-1])).as_py():
            return np.zeros(len(ids), dtype=bool)
    repeated: npt.NDArray[np.bool_] = (ids.duplicated(keep=False) & (ids != "")).to_numpy(
        dtype=bool
    )
    return repeated


def blank_overlong(out: pd.DataFrame, columns: Iterable[str], problems: list[Problem]) -> None:
    """Blank each cell of ``columns`` (those ``out`` has; text) longer than
    :data:`MAX_FIELD_CHARS`, with a :class:`Problem` for each (its row the position + 1)."""
    for column in columns:
        if column not in out.columns:
            continue
        too_long = _overlong(out[column], column, f"too long for a {column}; blanked", problems)
        if len(too_long):  # by position: a frame's index may repeat its labels
            kept = out[column].copy()
            kept.iloc[too_long] = ""
            out[column] = kept


def _note_overlong_ids(ids: pd.Series, problems: list[Problem]) -> None:
    """A :class:`Problem` for each id longer than :data:`MAX_FIELD_CHARS`: kept as written
    (an id is what the output's rows are joined back by), but told, as a name that long is
    (a row pasted into one cell, or columns shifted)."""
    _overlong(ids, ID_FIELD, "longer than any id is; kept as written", problems)


def _overlong(
    values: pd.Series, column: str, what: str, problems: list[Problem]
) -> npt.NDArray[np.intp]:
    """The positions of the texts of ``values`` longer than :data:`MAX_FIELD_CHARS`, each
    told in ``problems`` by its length and ``what`` (its row the position + 1)."""
    if _bytes_within(values, MAX_FIELD_CHARS):
        return np.zeros(0, dtype=np.intp)
    lengths = values.str.len().to_numpy()
    too_long = np.flatnonzero(lengths > MAX_FIELD_CHARS)
    for position in too_long.tolist():
        text = str(values.iat[position])[:60] + "..."
        message = f"{int(lengths[position]):,} characters: {what}"
        problems.append(Problem(position + 1, column, message, text))
    return too_long


def _bytes_within(values: pd.Series, most: int) -> bool:
    """Whether every text of ``values`` is held by Arrow in at most ``most`` bytes, and so
    is no longer than ``most`` characters (UTF-8 writes each in a byte or more): read
    from the texts' offsets, where counting the characters of 11 columns of a million
    records took 0.15 s. False where it is not known: text held otherwise, a missing
    cell."""
    dtype = values.dtype
    if not (isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow"):
        return False
    import pyarrow.compute as pc

    cells = values.array.__arrow_array__()
    if cells.null_count:
        return False
    longest = pc.max(pc.binary_length(cells)).as_py()
    return longest is None or int(longest) <= most


def is_encoded(frame: pd.DataFrame) -> bool:
    """Whether ``frame`` holds encoded records (``rfl_match.privacy``): a column of
    :data:`BLOOM_FIELDS`, and an ``encoding`` column or no name in clear. A frame without
    filters is not encoded, whatever a column of its own called ``encoding`` holds, nor
    one with names in clear and a column of its own called like a filter."""
    columns = frame.columns
    if not any(c in columns for c in BLOOM_FIELDS):
        return False
    return ENCODING_FIELD in columns or not any(c in columns for c in NAME_FIELDS)


def encodings_of(frame: pd.DataFrame) -> list[str]:
    """The distinct non-blank texts of an encoded frame's ``encoding`` column (one, in
    records encoded alike); none for a frame that is not encoded (:func:`is_encoded`)."""
    if not is_encoded(frame) or ENCODING_FIELD not in frame.columns:
        return []
    values = frame[ENCODING_FIELD].fillna("").astype(str).str.strip()
    return [str(v) for v in pd.unique(values[values != ""])]


def _mixed_encodings(out: pd.DataFrame) -> list[Problem]:
    """A problem where the ``encoding`` column of encoded records (a frame with a column
    of :data:`BLOOM_FIELDS`; in any other, it is a column of the user's own) holds more
    than one text (blanks aside): records encoded with other keys or settings, whose
    filters and keys cannot be compared."""
    values = encodings_of(out)
    if len(values) <= 1:
        return []
    shown = ", ".join(said_encoding(str(v)) for v in values[:3])
    return [
        Problem(
            None,
            ENCODING_FIELD,
            f"{len(values)} different encodings in one input ({shown}): records encoded "
            "with other keys or settings cannot be compared; encode them all alike",
        )
    ]


def _encoded_bits(out: pd.DataFrame) -> int | None:
    """The filters' width that the ``encoding`` column names (``bits=N``), if it names
    one (:func:`encodings_of`)."""
    values = encodings_of(out)
    found = re.search(r"\bbits=(\d+)\b", values[0]) if len(values) == 1 else None
    return int(found.group(1)) if found else None


def _clean_filters(out: pd.DataFrame, problems: list[Problem]) -> None:
    """Blank and report the Bloom filters (:data:`BLOOM_FIELDS`) that are no filter, or
    of another width than the input's: the one its ``encoding`` names, else the commonest
    among its filters. Each distinct value is read once."""
    present = [c for c in BLOOM_FIELDS if c in out.columns]
    found = []
    for column in present:
        codes, uniques = pd.factorize(out[column])
        found.append((column, codes, filter_widths([str(u) for u in uniques])))
    bits = _encoded_bits(out)
    if bits is None:
        rows = [widths[codes[codes >= 0]] for _, codes, widths in found]
        known = np.concatenate([np.zeros(0, dtype=np.int64), *rows])
        known = known[known > 0]
        bits = int(np.bincount(known).argmax()) if len(known) else 0
    for column, codes, widths in found:
        wrong = (widths < 0) | ((widths > 0) & (widths != bits))
        if not wrong.any():
            continue
        bad = np.flatnonzero(wrong[codes] & (codes >= 0))
        values = out[column]
        for row in bad.tolist():
            width = int(widths[codes[row]])
            message = (
                f"a Bloom filter of {width} bits where the input's are {bits}; blanked"
                if width > 0
                else "not a Bloom filter ('b64:' and standard base64, with padding, of a "
                "whole number of 64-bit words); blanked"
            )
            problems.append(Problem(row + 1, column, message, _short(str(values.iat[row]))))
        blanked = np.zeros(len(values), dtype=bool)
        blanked[bad] = True
        out[column] = values.mask(blanked, "")


def typed_text(values: pd.Series | Any) -> npt.NDArray[np.object_] | None:
    """A column of dates, times or floats (a pandas Series or an Arrow array) as text the
    way a person writes it; None for a column of any other type (text, whole numbers ...),
    whose values read as they print.

    A date reads as ``YYYY-MM-DD``, with ``THH:MM:SS`` after it where the time is not
    midnight (the wall time where the column has a zone: the date written there); a whole
    number without ``.0``; a missing value as "". Read by dtype, the whole column at once:
    a frame's columns (numpy, pandas or Arrow dtypes, or Python dates or floats in an
    object column) read as a Parquet file's do.

    >>> typed_text(pd.Series([1990.0, 1.5, None])).tolist()
    ['1990', '1.5', '']
    """
    typed = _typed_values(values)
    return None if typed is None else _typed_text(typed)


def _typed_values(values: pd.Series | Any) -> npt.NDArray[Any] | None:
    """The column as numpy floats (missing: NaN) or datetime64 (a zone's wall time;
    missing: NaT), or None if it holds neither."""
    if not isinstance(values, pd.Series):
        return _arrow_values(values)
    dtype = values.dtype
    if isinstance(dtype, pd.ArrowDtype):
        import pyarrow as pa

        return _arrow_values(pa.array(values))
    if pd.api.types.is_float_dtype(dtype):
        width: Any = getattr(dtype, "numpy_dtype", dtype)  # float32 stays float32
        floats: npt.NDArray[Any] = values.to_numpy(dtype=width, na_value=np.nan)
        return floats
    if isinstance(dtype, pd.DatetimeTZDtype):
        values = values.dt.tz_localize(None)
    if pd.api.types.is_datetime64_dtype(values.dtype):
        times: npt.NDArray[Any] = values.to_numpy()
        return times
    if pd.api.types.is_object_dtype(dtype):
        kind = pd.api.types.infer_dtype(values, skipna=True)
        if kind in ("floating", "mixed-integer-float"):
            try:
                floats = values.to_numpy(dtype=np.float64, na_value=np.nan)
            except (OverflowError, TypeError, ValueError):
                return None
            # whole numbers from 1e15 on (an id) would not read back as typed: as they print
            return None if (np.abs(floats) >= 1e15).any() else floats
        if kind in ("date", "datetime", "datetime64"):
            try:
                return _typed_values(pd.to_datetime(values))
            except (ValueError, TypeError, OverflowError):
                return None  # zones that differ, or beyond pandas' dates: as they print
    return None


def _arrow_values(values: Any) -> npt.NDArray[Any] | None:
    """:func:`_typed_values` of an Arrow array or chunked array."""
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = values.type
    if not (pa.types.is_floating(kind) or pa.types.is_timestamp(kind) or pa.types.is_date(kind)):
        return None
    if pa.types.is_timestamp(kind) and kind.tz is not None:
        values = pc.local_timestamp(values)
    out: npt.NDArray[Any] = values.to_numpy(zero_copy_only=False)
    return out


def _typed_text(values: npt.NDArray[Any]) -> npt.NDArray[np.object_]:
    """The text of :func:`_typed_values`' floats or datetime64 (see :func:`typed_text`)."""
    if values.dtype.kind == "f":
        text = values.astype(str)  # the shortest text that reads back as the same float
        whole = np.isfinite(values) & (np.trunc(values) == values) & (np.abs(values) < 1e15)
        text[whole] = values[whole].astype(np.int64).astype(str)
        text[np.isnan(values)] = ""
    else:
        days = values.astype("datetime64[D]")
        text = np.where(
            values == days, days.astype(str), values.astype("datetime64[s]").astype(str)
        )
        text[np.isnat(values)] = ""
    out: npt.NDArray[np.object_] = text.astype(object)
    return out


def _untrimmed(cells: Any) -> Any:
    """Which texts (an Arrow array or chunked array) have white space before or after
    them, as pandas' ``str.strip`` of Arrow text finds it: those the trim changes
    (compared as texts; two counts of characters took four times as long on a million
    records). Only the texts that :func:`_edged` finds may begin or end with white space
    are trimmed to see (trimming every text of a million records' 16 columns took about
    0.8 s, a quarter of their validation; this, about 0.35 s)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    found = [np.zeros(0, dtype=bool)]
    for chunk in cells.chunks if isinstance(cells, pa.ChunkedArray) else [cells]:
        edged = _edged(chunk)
        if edged is None:  # text held otherwise: every text trimmed
            edged = np.ones(len(chunk), dtype=bool)
        hits = np.zeros(len(chunk), dtype=bool)
        where = np.flatnonzero(edged)
        if len(where):
            some = chunk.take(where)
            trimmed = pc.not_equal(pc.utf8_trim_whitespace(some), some).fill_null(False)
            hits[where] = trimmed.to_numpy(zero_copy_only=False)
        found.append(hits)
    return pa.array(np.concatenate(found), type=pa.bool_())


def _edged(chunk: Any) -> npt.NDArray[np.bool_] | None:
    """Which texts of an Arrow string array (``string`` or ``large_string``; None for
    another type) begin or end with a byte that white space may be: one up to the space
    (U+0020), or one of a character beyond ASCII (a byte from 0x80), where every white
    space character of Unicode lies. Read from the array's buffers: the first and last
    byte of each text, none copied."""
    import pyarrow as pa

    if pa.types.is_large_string(chunk.type):
        width: type[np.signedinteger[Any]] = np.int64
    elif pa.types.is_string(chunk.type):
        width = np.int32
    else:
        return None
    _, offsets, data = chunk.buffers()
    size = 0 if data is None else data.size
    if size == 0:
        return np.zeros(len(chunk), dtype=bool)  # every text empty
    skip = chunk.offset * np.dtype(width).itemsize
    ends = np.frombuffer(offsets, dtype=width, count=len(chunk) + 1, offset=skip)
    starts, stops = ends[:-1], ends[1:]
    text = np.frombuffer(data, dtype=np.uint8, count=size)
    # An empty text has no byte of its own: it reads a neighbour's (or, at either end of
    # the buffer, its last byte), and is left out after.
    first = text[starts if not len(starts) or starts[-1] < size else np.minimum(starts, size - 1)]
    last = text[stops - 1]
    # bytes 0x21 to 0x7F (no white space) are 0 to 0x5E less 0x21, in bytes' arithmetic;
    # those up to 0x20 and from 0x80, 0x5F and more
    first -= 0x21
    last -= 0x21
    edged: npt.NDArray[np.bool_] = np.maximum(first, last) >= 0x5F
    edged &= stops > starts
    return edged


_SURROGATE = re.compile("[\ud800-\udfff]")


def _decoded(values: pd.Series) -> pd.Series:
    """``values`` with each bytes cell decoded as UTF-8, each byte that is not UTF-8
    kept as a lone surrogate (``surrogateescape``): :func:`_replace_surrogates` then
    reports the cell by its row and column, where pandas' own decoding raised."""
    cells = values.tolist()
    if not any(isinstance(cell, bytes) for cell in cells):
        return values
    text = [c.decode("utf-8", "surrogateescape") if isinstance(c, bytes) else c for c in cells]
    return pd.Series(text, index=values.index, dtype=object)


def _replace_surrogates(frame: pd.DataFrame, problems: list[Problem]) -> pd.DataFrame:
    """``frame`` with each lone surrogate replaced by U+FFFD, and a problem per value
    replaced: such text (from bytes decoded with ``surrogateescape``, say) cannot be encoded,
    written or compared as the same text by anyone else. Only text held as Python strings
    can hold them (Arrow's is UTF-8): each such column is checked in one pass, and copied
    only where a value needs replacing."""
    out = frame
    for column, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
            continue
        values = [v if isinstance(v, str) else str(v) for v in frame[column].tolist()]
        try:
            "".join(values).encode("utf-8")
            continue
        except UnicodeEncodeError:
            pass
        bad = [i for i, v in enumerate(values) if _SURROGATE.search(v)]
        fixed = [_SURROGATE.sub("\ufffd", values[i]) for i in bad]
        column_values = np.array(values, dtype=object)
        column_values[bad] = fixed
        if out is frame:
            out = frame.copy()
        out[column] = (
            pd.Series(column_values, index=frame.index).astype(dtype)
            if isinstance(dtype, pd.StringDtype)
            else column_values
        )
        what = "record id" if column == ID_FIELD else "text"
        kept = "" if column == ID_FIELD else "; kept"
        for row, value in zip(bad, fixed, strict=True):
            problems.append(
                Problem(
                    row + 1,
                    str(column),
                    f"{what} is not valid Unicode (a lone surrogate, shown as U+FFFD){kept}",
                    _short(value),
                )
            )
    return out


def _read_serial_dates(
    out: pd.DataFrame,
    column: str,
    problems: list[Problem],
    date_system: int,
    distinct: Any = None,
) -> npt.NDArray[np.bool_] | None:
    """Write as ``YYYY-MM-DD`` the Excel serial dates of a date column whose date format
    was lost in the export ("39448" for 2008-01-01: :func:`rfl_match.dates.parse_serial_dates`),
    with a note saying how many; the rows so read, or None where the column is not one
    (and is left as it is). ``distinct``: the column's distinct values, as
    :func:`pandas.unique` gives them, where the caller has read them.

    The column is one when at least half of its non-blank cells are serials: then a
    five-digit number there has no other reading. Where they are fewer, one such number
    among dates or years is as likely a slip ("19855" for 1985) as a serial, and reading it
    as a day would make up a birth date: it stays malformed, reported as before. A year
    (four digits) and a compact date (``YYYYMMDD``) are never serials.
    """
    if column not in out.columns:
        return None
    values = out[column]
    if distinct is None:
        distinct = pd.unique(values)
    days = parse_serial_dates(pd.Series(distinct), date_system=date_system)
    if np.isnat(days).all():
        return None  # the common case, as cheap as reading the distinct values
    codes, uniques = pd.factorize(values, use_na_sentinel=False)  # as pd.unique orders
    distinct = pd.Series(uniques, dtype=values.dtype)
    serial = ~np.isnat(days)
    counts = np.bincount(codes, minlength=len(uniques))
    filled = int(counts[(distinct != "").to_numpy(dtype=bool)].sum())
    read = int(counts[serial].sum())
    if 2 * read < filled:
        return None
    texts = distinct.to_numpy(dtype=object, na_value="")
    texts[serial] = days[serial].astype(str)
    out[column] = pd.Series(texts[codes], index=out.index, dtype=values.dtype)
    problems.append(
        Problem(
            None,
            column,
            f"{read:,} cells read as Excel serial dates (days counted from "
            f"{SERIAL_EPOCHS[date_system]}, Excel's {date_system} date system), as Excel "
            "writes a date whose cell is not formatted as one",
        )
    )
    rows: npt.NDArray[np.bool_] = serial[codes]
    return rows


# A check takes the distinct values of a column and gives each one's clean form (None:
# malformed), so that dates are parsed all at once.
Check = Callable[[list[str]], list[str | None]]


def _each(check: Callable[[str], str | None]) -> Check:
    return lambda values: [check(value) for value in values]


# What a reviewer writes in ``is_match``: yes, no, or nothing (no decision). The review
# file's own choices (rfl_match.io.review.DECISIONS) read so too.
_YES = frozenset({"1", "true", "t", "yes", "y", "match", "same person"})
_NO = frozenset(
    {"0", "false", "f", "no", "n", "non-match", "nonmatch", "no match", "not the same person"}
)
_UNDECIDED = frozenset({"", "unsure"})


#: Where a reviewed pair's decision is read from, the first a table holds: ``is_match``
#: (labels, a truth file), or ``decision``, the column of the review file (``link
#: --review``) that a tracing officer fills in, so that the file goes back as it is.
DECISION_COLUMNS = ("is_match", "decision")


#: What a decision may be, as an error about one says it (fit's labels, evaluate's truth).
DECISION_WORDS = "yes/no, true/false, 1/0 or same person/not the same person"


def decision_column(columns: Iterable[Any]) -> str | None:
    """The column of reviewed pairs that holds their decisions (:data:`DECISION_COLUMNS`),
    or None.

    >>> decision_column(["request_id", "sighting_id", "decision"])
    'decision'
    """
    held = set(columns)
    return next((name for name in DECISION_COLUMNS if name in held), None)


def decision(value: Any) -> bool | None:
    """One ``is_match`` value: True (a match), False (not one), None (no decision); a
    ValueError if it is none of these.

    >>> decision("Same person"), decision(0), decision(" unsure ")
    (True, False, None)
    """
    if isinstance(value, str):
        key = " ".join(value.split()).casefold()
        if key in _YES or key in _NO:
            return key in _YES
        if key in _UNDECIDED:
            return None
    elif isinstance(value, numbers.Real | np.bool_) and value in (0, 1):  # bools too
        return bool(value)
    raise ValueError(value)


def decisions(
    values: pd.Series,
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Each reviewed pair's ``is_match`` (labels, a truth file): whether it was decided,
    whether it is a match, and whether it is unreadable, neither (:func:`decision`). Yes
    is true, 1, yes, y, t, match, same person (in any case); no is false, 0, no, n, f,
    non-match, not the same person. A blank (None, NaN, pd.NA, "" or spaces; a review
    sheet read back where the reviewer decided nothing) or "unsure" is no decision. Each
    distinct value is read once; the caller says what an unreadable one means."""
    codes, uniques = pd.factorize(values)  # missing values: code -1, the last entry below
    decided = np.zeros(len(uniques) + 1, dtype=bool)
    match = np.zeros(len(uniques) + 1, dtype=bool)
    unread = np.zeros(len(uniques) + 1, dtype=bool)
    for k, value in enumerate(uniques.tolist()):
        try:
            found = decision(value)
        except ValueError:
            unread[k] = True
            continue
        decided[k] = found is not None
        match[k] = bool(found)
    return decided[codes], match[codes], unread[codes]


def _calendars_of(
    calendars: Mapping[str, str] | None, date_columns: Sequence[str], held: pd.Index
) -> dict[str, str]:
    """Those of ``validate_records``' ``calendars`` whose column the frame holds (as named
    after the mapping: one configuration names the columns of two inputs), checked: a
    ValueError for a calendar not in :data:`~rfl_match.dates.CALENDARS` or a column that
    is no date column."""
    found: dict[str, str] = {}
    for column, calendar in (calendars or {}).items():
        if calendar not in CALENDARS:
            raise ValueError(f"calendars: {column!r} = {calendar!r}; use one of {CALENDARS}")
        if column in held and column not in date_columns:
            raise ValueError(
                f"calendars: {column!r} is no date column (the date columns: "
                f"{', '.join(date_columns)})"
            )
        if column in held:
            found[column] = calendar
    return found


def _clean_dates(
    out: pd.DataFrame,
    column: str,
    problems: list[Problem],
    malformed: npt.NDArray[np.bool_] | None = None,
    message: str | None = None,
    distinct: Any = None,
    shown: tuple[str, int] | None = None,
    calendar: str = GREGORIAN,
) -> None:
    """:func:`_clean_column` of a date column, its dates written with the year last read
    in the order its own cells show (:func:`_day_month_order`), or where they show none,
    the one the file's other date columns show (``shown``: :func:`_file_order`); in
    ``calendar`` (:func:`rfl_match.dates.parse_partial_dates`: another calendar's dates
    are read day first, as its registers write them). ``distinct``: the column's distinct
    values, as :func:`pandas.unique` gives them, where the caller has read them."""
    if column not in out.columns:
        return
    month_first: frozenset[str] = frozenset()
    either = None
    if calendar == GREGORIAN:
        month_first, either = _day_month_order(out[column], column, problems, distinct, shown)
    if either is not None:
        values = out[column]
        for row in np.flatnonzero(either).tolist():
            problems.append(Problem(row + 1, column, _EITHER_ORDER, _short(str(values.iat[row]))))
        out[column] = values.mask(either, "")
        distinct = None  # those blanked are no longer there

    def check(values: list[str]) -> list[str | None]:
        flags = np.array([v in month_first for v in values], dtype=bool) if month_first else False
        return parse_partial_dates(
            values, month_first=flags, calendar=calendar, placeholders=column != "source_date"
        ).iso()

    before = len(problems)
    _clean_column(out, column, check, problems, malformed, message, distinct)
    if calendar == GREGORIAN:
        for k in range(before, len(problems)):
            said = problems[k].value
            missing = no_such_day(said, said in month_first)
            if missing:  # a date whose month has no such day: said so, not "malformed"
                problems[k] = problems[k]._replace(message=f"no such day ({missing}); blanked")
            elif _HIJRI_YEAR.search(said) and not _LETTER.search(said):  # not one that names it
                # A year no Gregorian date of these records has, but a Hijri one would: say so.
                problems[k] = problems[k]._replace(message=problems[k].message + _HIJRI_HINT)


# A year of 1300 to 1479 alone, or first or last in a date: a Solar Hijri (1385 is 2006)
# or lunar Hijri (1400 is 1979) year, in Western, Arabic-Indic or Persian digits.
_HIJRI_YEAR = re.compile(r"(?:^|\D)[1١۱](?:[3٣۳]\d|[4٤۴][0-7٠-٧۰-۷])\d(?:\D|$)")
_LETTER = re.compile(r"[^\W\d_]")
_HIJRI_HINT = (
    " (a Solar or lunar Hijri year? Write its calendar beside it, 1385 SH or 1400 AH, or "
    "name the column's: calendars)"
)

_EITHER_ORDER = (
    "date reads day first or month first, and its column writes both (see the column's "
    "note); blanked"
)


def _file_order(
    out: pd.DataFrame, date_columns: Sequence[str], distinct: dict[str, Any]
) -> tuple[str, int] | None:
    """The order of day and month that a file's date columns show, where those that show
    one all show the same (one register writes its dates one way): the first column that
    shows it, and :data:`~rfl_match.dates.DAY_FIRST` or :data:`MONTH_FIRST`; None where
    none shows one, or they differ."""
    found: dict[int, str] = {}
    for column in date_columns:
        if column not in out.columns:
            continue
        texts = distinct.get(column)
        texts = pd.unique(out[column]) if texts is None else texts
        orders = day_month_orders([str(u) for u in texts.tolist()])
        for order in (DAY_FIRST, MONTH_FIRST):
            if (orders == order).any():
                found.setdefault(order, column)
    if len(found) != 1:
        return None
    order, column = next(iter(found.items()))
    return column, order


def _day_month_order(
    values: pd.Series,
    column: str,
    problems: list[Problem],
    distinct: Any = None,
    file_order: tuple[str, int] | None = None,
) -> tuple[frozenset[str], npt.NDArray[np.bool_] | None]:
    """How a date column's dates written with the year last are read: the texts read month
    first, and the rows of those blanked (None: none), with a note on the column where its
    order was not plain (:func:`rfl_match.dates.day_month_orders` reads each distinct text).

    A column is read in one order, the one its cells show: a day over 12 written first
    (``25/12/2009``) shows day first, one written second (``12/25/2009``) month first. Where
    no cell shows it, the dates that read either way (``03/04/2009``) are read in the order
    the file's other date columns show (``file_order``: :func:`_file_order`; one register
    writes its dates one way: a source date ``01/10/2024`` beside births written
    ``12/25/2010`` is 10 January), else day first, as most registers outside the United
    States write them, and the column's note says so. Where cells show both orders, each of
    those is read as its own parts show (it has no other reading), and those that read
    either way are not guessed: each is blanked and reported. The order is the one the cells
    validated together show: records validated in parts (a run in partitions,
    ``rfl_match.backends.partitions``) are read in the order each part's cells show.

    ``distinct``: the column's distinct values (:func:`pandas.unique`), where the caller
    has read them: a column with no date written with its year last is not read again.
    """
    if distinct is not None and not day_month_orders([str(u) for u in distinct.tolist()]).any():
        return frozenset(), None  # the common case
    codes, uniques = pd.factorize(values)
    texts = [str(u) for u in uniques.tolist()]
    orders = day_month_orders(texts)
    if not orders.any():
        return frozenset(), None  # the common case: no date written with its year last
    counts = np.bincount(codes[codes >= 0], minlength=len(texts))

    def shown(order: int) -> tuple[int, str]:
        """How many cells read so, and one quoted (", such as '12/25/2009'") where the
        column says nothing of a person (a record's date): a date of birth is not quoted
        in a note that logs keep (:meth:`Problem.logged`)."""
        where = orders == order
        if not where.any():
            return 0, ""
        text = texts[int(np.argmax(where))]
        return int(counts[where].sum()), f", such as {text!r}" * shown_value(column, text)

    (days, day), (months, month), (either, both) = map(
        shown, (DAY_FIRST, MONTH_FIRST, EITHER_ORDER)
    )
    month_first = frozenset(
        t for t, o in zip(texts, orders.tolist(), strict=True) if o >= MONTH_FIRST
    )
    if days and months:
        blanked = f"; the {either:,} that read either way are blanked" if either else ""
        note = (
            f"dates written with the year last in both orders, day first ({days:,}{day}) and "
            f"month first ({months:,}{month}): each is read as its "
            f"own day over 12 shows{blanked}"
        )
        problems.append(Problem(None, column, note))
        rows = (orders == EITHER_ORDER)[codes] & (codes >= 0)
        return month_first, rows if rows.any() else None
    if months and either:
        note = (
            f"dates written with the year last read month first (MM/DD/YYYY), as {months:,} "
            f"with a day over 12 written second show{month}: so are the "
            f"{either:,} that read either way{both}"
        )
        problems.append(Problem(None, column, note))
    elif either and not days and file_order is not None and file_order[1] == MONTH_FIRST:
        note = (
            f"dates written with the year last read month first (MM/DD/YYYY), as the "
            f"file's {file_order[0]} shows: no day over 12 shows this column's order, and "
            f"the {either:,} that read either way{both} are read so"
        )
        problems.append(Problem(None, column, note))
        read = orders.tolist()
        return frozenset(t for t, o in zip(texts, read, strict=True) if o == EITHER_ORDER), None
    elif either and not days:
        note = (
            f"dates written with the year last read day first (DD/MM/YYYY), as most "
            f"registers write them: no day over 12 shows the column's order, and the "
            f"{either:,} that read either way{both} may be month first"
        )
        problems.append(Problem(None, column, note))
    return (month_first if months else frozenset()), None


def _check_age(value: str) -> str | None:
    """An age as :func:`age_text` writes it: in years, or in months, weeks or days where it
    is written so ("6 months", "1 year 6 months": "18 months"), which say a young child's
    birth to within a month, where the whole years (0) said only the year before."""
    read = read_age(value)
    if read is not None:
        return age_text(*read)
    word = age_word(value)
    return None if word is None else age_text(*word, YEARS)


def _check_ages(values: list[str]) -> list[str | None]:
    """:func:`_check_age` of a column's ages, read together: where one writes the sex after
    the age ("35F": :func:`~rfl_match.dates.lettered_ages`), an age and M is its years and
    the sex ("35 M", as casualty lists write a man's), which alone may be months."""
    checked = [_check_age(value) for value in values]
    if not lettered_ages(values):
        return checked
    return [
        age_text(*years) if read is None and (years := lettered_years(value)) else read
        for value, read in zip(values, checked, strict=True)
    ]


def _age_reason(value: str) -> str | None:
    """What validation says of an age that reads two ways ("18m", "11/12"): both readings
    and how to write each (``AMBIGUOUS_AGE``), where "malformed" told the officer nothing to
    mend; None for any other."""
    form = ambiguous_age(value)
    return None if form is None else AMBIGUOUS_AGE[form]


def _check_sex(value: str) -> str | None:
    key = value.strip().lower()
    if key in _MISSING_SEX:
        return ""
    return _SEX_VALUES.get(key)


_HOMBRE_MUJER = (
    "sex written H and M, and never F: read as Spanish hombre (male) and mujer (female), "
    "not M for male"
)


def _hombre_mujer(column: pd.Series) -> bool:
    """Whether a column's one-letter sex codes are Spanish ones: H and M, and no F. M is
    male where F is female (English, French masculin / féminin), and female where H is
    male (hombre / mujer); French writes H and F (homme / femme)."""
    distinct = pd.Series(pd.unique(column), dtype=column.dtype)  # each code once
    codes = set(pd.unique(distinct.astype(str).str.strip().str.lower()).tolist())
    return {"h", "m"} <= codes and "f" not in codes


def _check_sex_hombre_mujer(value: str) -> str | None:
    """:func:`_check_sex`, M read as mujer (:func:`_hombre_mujer`)."""
    return "female" if value.strip().lower() == "m" else _check_sex(value)


_EXTRA_DATE = "malformed date (want YYYY, YYYY-MM or YYYY-MM-DD); blanked"
_MESSAGES = {
    "date_of_birth": "malformed date of birth (want YYYY, YYYY-MM or YYYY-MM-DD); blanked",
    "source_date": "malformed source date (want YYYY-MM-DD, YYYY-MM or YYYY); blanked",
    "age": MALFORMED_AGE,
    "sex": "unknown sex value (want female, male or other); blanked",
}


def _clean_column(
    out: pd.DataFrame,
    column: str,
    check: Check,
    problems: list[Problem],
    malformed: npt.NDArray[np.bool_] | None = None,
    message: str | None = None,
    distinct: Any = None,
    reasons: Callable[[str], str | None] | None = None,
) -> None:
    """Blank and report the column's values that ``check`` finds malformed, and those that
    ``malformed`` marks (whatever their text), and write the others in their clean form.
    Each is reported with ``message``, by default the canonical field's (``_MESSAGES``),
    but a form that says the value is not known ("Unknown", "N/A": :func:`is_placeholder`
    with ``place=True``), which is blanked without a word. A person's
    placeholder ("Adult", "Unidentified male") says something of the person: where it is
    not read (an age word is, as an age range), it is reported as any other value.
    ``distinct``: the column's distinct values, as :func:`pandas.unique` gives them, where
    the caller has read them. ``reasons``: a value's own message, where it has one (an
    ambiguous age's), else None."""
    if column not in out.columns:
        return
    values = out[column]
    reason = _MESSAGES[column] if message is None else message
    # in C, not value by value; the blank one left out of the few, not of the column
    if distinct is None:
        distinct = pd.unique(values)
    filled = [v for v in distinct.tolist() if v != ""]
    results = dict(zip(filled, check(filled), strict=True))
    if not results:
        return
    bad = [v for v, r in results.items() if r is None]
    blanked = values.isin(bad).to_numpy() if bad else np.zeros(len(values), dtype=bool)
    # "Unknown", "N/A", "-": written for no value, as registers write it, not malformed;
    # a person's placeholder ("Adult", "Male") says something, and is reported if no value
    unsaid = [v for v in bad if is_placeholder(v, place=True)]
    reported = blanked & ~values.isin(unsaid).to_numpy() if unsaid else blanked.copy()
    if malformed is not None:
        blanked, reported = blanked | malformed, reported | malformed
    # each distinct value's own reason, where ``reasons`` gives one
    own = {} if reasons is None else {v: r for v in bad if (r := reasons(v)) is not None}
    for row in reported.nonzero()[0]:
        value = values.iat[int(row)]
        said = own.get(value, reason)
        problems.append(Problem(int(row) + 1, column, said, _short(str(value))))
    if all(r is None or r == v for v, r in results.items()):
        # the values are written clean already (dates most often): only blank the bad ones
        if blanked.any():
            out[column] = values.mask(blanked, "")
        return
    lookup = {v: ("" if r is None else r) for v, r in results.items()}
    lookup[""] = ""
    cleaned = values.map(lookup)
    out[column] = cleaned if malformed is None else cleaned.mask(malformed, "")
