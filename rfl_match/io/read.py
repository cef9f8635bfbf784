"""read_records: any supported input -> validated records in the canonical schema."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.config import check_calendars
from rfl_match.io.paths import FilePath
from rfl_match.io.table import (
    RejectedRow,
    Table,
    drop_blank_rows,
    formula_problems,
    restore_neutralised,
)
from rfl_match.schema import (
    ID_FIELD,
    MappingError,
    Problem,
    Problems,
    RecordError,
    apply_mapping,
    mark_validated,
    near_canonical_field,
    typed_text,
    validate_records,
)
from rfl_match.warn import warn

_FORMATS = {
    ".csv": "csv",
    ".tsv": "csv",
    ".txt": "csv",
    "": "csv",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xml": "pfif",
    ".pfif": "pfif",
}


class RecordsRejected(RecordError):
    """A RecordError that also carries the rows rejected before the input proved unusable."""

    def __init__(self, problems: list[Problem], source: str, rejected: list[RejectedRow]) -> None:
        super().__init__(problems, source)
        self.rejected = rejected


@dataclass(slots=True)
class LoadedRecords:
    """Records read leniently, with everything that was wrong with the input.

    Attributes:
        records: the validated records (``attrs["problems"]`` holds ``problems`` too).
        problems: every problem found, rows numbered as data rows of the file (header 0).
        rejected: rows left out of ``records``, each with its reason and its cells.
        absent_mapping: mapping keys that name no column of this input.
        format: "csv", "xlsx", "parquet", "pfif" or "frame".
        dropped_rows: the numbers of the rows left out as blank (every cell blank), which
            hold no record; a note in ``problems`` may name one (a workbook's row of
            error values alone, each read as a blank).
    """

    records: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    absent_mapping: list[str] = field(default_factory=list)
    format: str = "frame"
    dropped_rows: list[int] = field(default_factory=list)
    #: With ``keep_written``: ``record_id`` and each of :data:`WRITTEN_FIELDS` the input
    #: holds, as written there (text, trimmed: a typed cell as :func:`typed_text` writes
    #: it), before it was read; a row per record of ``records``, in its order.
    written: pd.DataFrame | None = None


#: The fields whose reading may differ from what the record says ("about 8" reads 8,
#: 10/03/2015 reads 2015-03-10, M reads male): :attr:`LoadedRecords.written` keeps them as
#: written, for the review file to show beside the reading.
WRITTEN_FIELDS = ("sex", "date_of_birth", "age", "source_date")


def input_format(path: FilePath) -> str:
    """The reader for a file, by suffix; RecordError for a type rfl_match cannot read."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in _FORMATS:
        return _FORMATS[suffix]
    hint = " (save it as .xlsx or CSV)" if suffix in (".xls", ".ods", ".numbers") else ""
    raise RecordError(
        [
            Problem(
                None,
                None,
                f"unsupported file type {suffix!r}: use CSV, .xlsx, .parquet or PFIF .xml" + hint,
            )
        ],
        str(path),
    )


def _check_path(path: Path) -> None:
    if not path.exists():
        raise RecordError([Problem(None, None, "file not found")], str(path))
    if path.is_dir():
        raise RecordError([Problem(None, None, "this is a folder, not a file")], str(path))
    if not path.is_file():  # a pipe (/dev/stdin, <(...)), read once only
        raise RecordError(
            [Problem(None, None, "not a file but a pipe or a device, which is read once: an "
                     "input is read more than once, so save it to a file first")],
            str(path),
        )  # fmt: skip


def read_table(path: FilePath) -> Table:
    """A file's cells as text, before mapping and validation."""
    path = Path(path)
    _check_path(path)
    kind = input_format(path)
    if kind == "csv":
        from rfl_match.io.csv import read_csv

        table = read_csv(path)
    elif kind == "xlsx":
        from rfl_match.io.excel import read_excel

        table = read_excel(path)
    elif kind == "parquet":
        from rfl_match.io.parquet import read_parquet

        table = read_parquet(path)
    else:
        from rfl_match.io.pfif import read_pfif

        table = read_pfif(path)
    if kind in ("csv", "xlsx"):
        restore_neutralised(table.frame)
    return table


def read_pairs(path: FilePath) -> Table:
    """A file of pairs of records (matches written by ``link``, or the true pairs) as a
    table with ``request_id`` and ``sighting_id`` columns, read by suffix as
    :func:`read_table` reads, but for PFIF, whose pairs are the notes that link two
    records (see :func:`rfl_match.io.pfif.read_pfif_pairs`). A file of 0 bytes holds no
    pairs: an empty table, with a note among its problems.
    """
    path = Path(path)
    _check_path(path)
    kind = input_format(path)
    if path.stat().st_size == 0:
        frame = pd.DataFrame({c: pd.Series([], dtype=str) for c in ("request_id", "sighting_id")})
        return Table(frame, [Problem(None, None, "the file is empty: no pairs")], format=kind)
    if kind == "pfif":
        from rfl_match.io.pfif import read_pfif_pairs

        return read_pfif_pairs(path)
    return read_table(path)


def read_header(path: FilePath) -> list[str]:
    """A file's column names, reading as little of it as the format allows."""
    path = Path(path)
    _check_path(path)
    kind = input_format(path)
    if kind == "csv":
        from rfl_match.io.csv import read_csv_header

        return read_csv_header(path)
    if kind == "xlsx":
        from rfl_match.io.excel import read_excel_header

        return read_excel_header(path)
    if kind == "parquet":
        from rfl_match.io.parquet import read_parquet_header

        return read_parquet_header(path)
    return [str(c) for c in read_table(path).frame.columns]


_Cells = TypeVar("_Cells", pd.Series, pd.DataFrame)


def _as_text(cells: _Cells) -> _Cells:
    """Cells as text, a blank for a missing one, whatever their dtype: a nullable one
    (Int64, as ``convert_dtypes`` gives a column of numeric ids) holds no text, and
    filling its missing cells with "" was a TypeError."""
    return cells.astype(object).fillna("").astype(str)


def _id_rejects(
    frame: pd.DataFrame, mapping: dict[str, str] | None, rows: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.bool_], list[Problem], list[RejectedRow]]:
    """Rows with a blank or duplicated record id: which to keep, and why the others go."""
    keep = np.ones(len(frame), dtype=bool)
    renamed = apply_mapping(frame.head(0), mapping)
    positions = [i for i, c in enumerate(renamed.columns) if c == ID_FIELD]
    if len(positions) != 1 or not len(frame):
        return keep, [], []  # validation reports a missing or doubled id column
    id_series = _as_text(frame.iloc[:, positions[0]]).str.strip()
    ids: list[str] = [str(v) for v in id_series.tolist()]
    problems: list[Problem] = []
    rejected: list[RejectedRow] = []
    reasons: dict[int, str] = {}
    for position, value in enumerate(ids):
        if not value:
            reasons[position] = "blank record id; rejected"
    duplicated = (id_series.duplicated(keep=False) & (id_series != "")).to_numpy()
    if duplicated.any():
        where = [int(p) for p in np.flatnonzero(duplicated)]
        # cells compared as validation leaves them, without the spaces around them
        cells = _as_text(frame.iloc[where]).apply(lambda c: c.str.strip())
        copies = cells.duplicated(keep="first").tolist()
        by_id: dict[str, list[int]] = {}  # an id's rows, its copies too
        distinct: dict[str, int] = {}  # how many of them differ
        for position, is_copy in zip(where, copies, strict=True):
            by_id.setdefault(ids[position], []).append(position)
            distinct[ids[position]] = distinct.get(ids[position], 0) + (not is_copy)
        for value, group in by_id.items():
            if distinct[value] == 1:  # copies of the id's first row, which is kept
                first = int(rows[group[0]])
                for position in group[1:]:
                    reasons[position] = f"exact copy of row {first}; the first is kept"
                continue
            # a copy too: the row it copies is rejected with the others, none is kept
            listed = ", ".join(str(int(rows[p])) for p in group)
            for position in group:
                # the id is the problem's value, shown where it looks like one
                reasons[position] = (
                    f"record id used by rows {listed} with different details; "
                    "all rejected: give each person its own id"
                )
    columns = [str(c) for c in frame.columns]
    for position in sorted(reasons):
        keep[position] = False
        row = int(rows[position])
        problems.append(Problem(row, ID_FIELD, reasons[position], ids[position][:60]))
        cells = _as_text(frame.iloc[position]).tolist()
        rejected.append(RejectedRow(row, reasons[position], dict(zip(columns, cells, strict=True))))
    return keep, problems, rejected


#: A header cell left blank, as the reader names it (``io.table.blank_header_name``): a
#: blank cell of a header row repeated below matches it.
_BLANK_HEADER = re.compile(r"column_\d+_*")
_REPEATED_HEADER = "repeated header row (two files joined into one?); rejected"
_AROUND = " \t\r\n\ufeff"  # what a repeated header's cell may have around it


def _header_rejects(
    frame: pd.DataFrame, rows: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.bool_], list[Problem], list[RejectedRow]]:
    """Rows that repeat the header (two exports joined into one file): each cell its
    column's header, spaces around it and case aside, or blank under a header cell left
    blank. Such a row is no person, and kept it would be proposed as a near-certain match
    for the other file's own. Which to keep, and why the others go."""
    keep = np.ones(len(frame), dtype=bool)
    if not len(frame.columns):  # no header to repeat
        return keep, [], []
    candidates = np.arange(len(frame))
    for position, column in enumerate(frame.columns):
        # a byte order mark too: the second of two UTF-8 files joined (cat) opens with one
        header = str(column).strip(_AROUND).lower()
        cells = _as_text(frame.iloc[candidates, position])
        cells = cells.str.strip(_AROUND).str.lower()
        same = cells == header
        if _BLANK_HEADER.fullmatch(header):
            same |= cells == ""
        candidates = candidates[same.to_numpy()]
        if not len(candidates):
            return keep, [], []
    keep[candidates] = False
    columns = [str(c) for c in frame.columns]
    problems: list[Problem] = []
    rejected: list[RejectedRow] = []
    for position in candidates.tolist():
        row = int(rows[position])
        values = _as_text(frame.iloc[position]).tolist()
        problems.append(Problem(row, None, _REPEATED_HEADER))
        rejected.append(RejectedRow(row, _REPEATED_HEADER, dict(zip(columns, values, strict=True))))
    return keep, problems, rejected


def _warn_misspelled_targets(mapping: dict[str, str] | None) -> None:
    """A UserWarning for each mapping entry whose target is no canonical field but spells
    one nearly: as mapped, the column would be kept under that name and compared by
    nothing, silently. (Other targets may be extra columns that a configuration compares.)
    Its stack level is that of the caller of the public function that calls this."""
    for header, target in (mapping or {}).items():
        field = near_canonical_field(target) if isinstance(target, str) else None
        if field is not None:
            warn(
                f"mapping {header!r} -> {target!r}: not a canonical field; did you mean "
                f"{field!r}? As mapped, the column is kept as {target!r}, compared only if "
                "a configuration names it",
                UserWarning,
            )


def load_records(
    path_or_dataframe: FilePath | pd.DataFrame,
    mapping: dict[str, str] | None = None,
    *,
    reject_bad_rows: bool = True,
    skip_absent_mapping: bool = False,
    warn_misspelled_targets: bool = True,
    date_fields: Iterable[str] = (),
    calendars: Mapping[str, str] | None = None,
    keep_written: bool = False,
) -> LoadedRecords:
    """Read records, keeping every row that can be used and accounting for every other.

    Unlike :func:`read_records`, rows with a blank or duplicated record id are rejected
    (an exact copy of an earlier row is dropped, the first kept) instead of stopping the
    read, and come back in ``rejected`` with their cells and reasons.

    Args:
        path_or_dataframe: a file (CSV, .xlsx, .parquet, PFIF .xml) or a DataFrame.
        mapping: input column -> canonical field.
        reject_bad_rows: reject rows with a blank or duplicated id (False: raise, as
            :func:`read_records` does).
        skip_absent_mapping: ignore mapping keys that name no column of this input (one
            configuration for two files with different headers), listing them in
            ``absent_mapping``.
        warn_misspelled_targets: warn, as :func:`read_records` does, of each mapping
            target that nearly spells a canonical field (False where the targets were
            checked already: a :class:`~rfl_match.LinkConfig` refuses a target that is
            neither a canonical field nor a column it uses).
        date_fields: columns of the user's own read as dates, as ``date_of_birth`` is
            (see :func:`read_records`).
        calendars: date column -> its calendar (see :func:`read_records`); those whose
            column this input does not hold are left out (one configuration for two
            files).
        keep_written: keep the sex, dates and ages as written (``written``), for the review
            file (:func:`rfl_match.io.review.review_table`).

    Raises:
        RecordError: when the input cannot be used at all (RecordsRejected when rows were
            rejected before that was found).
    """
    date_fields = tuple(date_fields)
    wanted = check_calendars(calendars or {}, date_fields, inputs=False)
    if isinstance(path_or_dataframe, pd.DataFrame):
        table = Table(path_or_dataframe, format="frame")
        source = "input"
    else:
        table = read_table(path_or_dataframe)
        source = os.fspath(path_or_dataframe)
    # A row whose every cell is blank is counted and left out before its id is checked,
    # as validation leaves it out: in a frame, or a workbook's row of error values (read
    # as blanks, each noted).
    table = drop_blank_rows(table)
    frame = table.frame
    rows = table.row_numbers()
    absent: list[str] = []
    if mapping and skip_absent_mapping:
        headers = {str(c) for c in frame.columns} | {str(c).strip() for c in frame.columns}
        absent = [k for k in mapping if k not in headers]
        mapping = {k: v for k, v in mapping.items() if k not in absent}
    if warn_misspelled_targets:
        _warn_misspelled_targets(mapping)
    problems = list(table.problems)
    if table.format != "frame":
        problems += formula_problems(frame, rows)
    rejected = list(table.rejected)
    # a header row repeated below is rejected as a ragged row is, whatever reject_bad_rows
    keep, header_problems, header_rejected = _header_rejects(frame, rows)
    if not keep.all():
        frame = frame[keep].reset_index(drop=True)
        rows = rows[keep]
        problems += header_problems
        rejected += header_rejected
    if reject_bad_rows:
        keep, id_problems, id_rejected = _id_rejects(frame, mapping, rows)
        if not keep.all():
            frame = frame[keep].reset_index(drop=True)
            rows = rows[keep]
        problems += id_problems
        rejected += id_rejected
    try:
        records = validate_records(
            frame,
            mapping or None,
            source=source,
            date_system=table.date_system,
            date_fields=date_fields,
            rows=rows,
            calendars=wanted,
        )
    except MappingError:  # the mapping is to change, whatever the rows
        raise
    except RecordError as exc:
        fatal = exc.problems
        if rejected:
            raise RecordsRejected(
                fatal + [p for p in problems if p not in fatal], source, rejected
            ) from None
        # and what the reader said of the whole file (the sheet read, the encoding), which
        # may explain it
        raise RecordError(fatal + [p for p in table.problems if p.row is None], source) from None
    problems += records.attrs.get("problems", [])
    problems.sort(key=lambda p: (p.row is not None, p.row or 0))
    records.attrs["problems"] = Problems(problems)
    mark_validated(records, date_fields, wanted)
    written = _written(frame, mapping, records) if keep_written else None
    return LoadedRecords(
        records, problems, rejected, absent, table.format, table.dropped_rows, written
    )


def _written(
    frame: pd.DataFrame, mapping: dict[str, str] | None, records: pd.DataFrame
) -> pd.DataFrame:
    """:attr:`LoadedRecords.written` of ``frame``, the rows validation read into
    ``records`` (each a record: blank rows and rejected ones are left out before)."""
    mapped = apply_mapping(frame, mapping or None)
    out = pd.DataFrame({ID_FIELD: records[ID_FIELD].to_numpy(dtype=object)})
    for column in WRITTEN_FIELDS:
        if column not in mapped.columns:
            continue
        values = mapped[column]
        typed = typed_text(values)
        text = pd.Series(
            typed if typed is not None else values.astype(object).where(values.notna(), ""),
            dtype=object,
        )
        out[column] = text.astype(str).str.strip().to_numpy(dtype=object)
    return out


def read_records(
    path_or_dataframe: FilePath | pd.DataFrame,
    mapping: dict[str, str] | None = None,
    *,
    date_fields: Iterable[str] = (),
    calendars: Mapping[str, str] | None = None,
) -> pd.DataFrame:
    """Read records into the canonical schema.

    Args:
        path_or_dataframe: a file or a DataFrame. Files by suffix: CSV (``.csv``,
            ``.tsv``, ``.txt``; UTF-8, UTF-16, or Windows cp1252, cp1251, cp1256 or cp1254,
            told apart by their letters; delimiter ``,`` ``;`` or tab),
            Excel ``.xlsx`` (first sheet), ``.parquet``, PFIF 1.1-1.4 ``.xml``.
        mapping: input column -> canonical field ("Nom complet" -> "full_name"). A
            target that is not a canonical field names an extra column, kept as it is
            ("Lager" -> "camp"), which a configuration may compare; one that nearly spells
            a canonical field ("date_of_brith", "Full Name", "fathers_name": see
            :func:`rfl_match.schema.near_canonical_field`) gets a UserWarning naming the
            entry and the field it most likely meant, since the column would otherwise
            go unused without a word.
        date_fields: columns of the user's own that a configuration compares as dates
            (``LinkConfig.date_fields``: ``kind = "date"``), read and checked as
            ``date_of_birth`` is: Excel serial numbers read as dates where they are at
            least half the column's cells, ``YYYYMMDD`` and ``DD/MM/YYYY`` written as
            ``YYYY-MM-DD``, a malformed cell blanked and listed with its row. Without
            them such a column is text of the user's own, kept as written; a
            :class:`~rfl_match.Linker` given the frame checks them then (it knows its
            configuration), but reports nothing: name them here to see the problems.
        calendars: date column (as named after ``mapping``) -> the calendar its dates
            are written in, where not the Gregorian: ``"ethiopian"``, ``"solar_hijri"``
            or ``"lunar_hijri"`` (``LinkConfig.calendars``). Each date is written as the
            Gregorian date it is, or as the span of days it stands for
            (``2015-09-12/2016-09-10``: the Ethiopian year 2008). A cell that names its
            calendar (``1385 SH``, ``۱۳۸۵ ه.ش``, ``2008 ዓ.ም``, ``1400 AH``) is read in it
            without this.

    Returns:
        A frame of string columns, canonical and extra. ``attrs["problems"]`` lists each
        row-level problem (a blanked malformed date or age, a rejected ragged row).

    Raises:
        RecordError: listing every problem that makes the input unusable (among them
            blank and duplicate record ids: see :func:`load_records` to reject those
            rows instead).
    """
    _warn_misspelled_targets(mapping)
    return load_records(
        path_or_dataframe,
        mapping,
        reject_bad_rows=False,
        warn_misspelled_targets=False,
        date_fields=date_fields,
        calendars=calendars,
    ).records
