"""What every reader returns: a table of text cells, the problems met and the rows rejected.

Readers of each format (csv.py, excel.py, parquet.py, pfif.py) turn a file into a
:class:`Table` of string columns; ``read.py`` maps and validates it into records. Rows that
cannot be read at all (a ragged CSV row) are not lost: they travel in ``Table.rejected``
with their reason, to the rejects file.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.arrays import text_columns_where
from rfl_match.schema import Problem, blank_rows

# Cells a spreadsheet would run as a formula start with one of these (OWASP CSV injection).
SPREADSHEET_RISK = ("=", "+", "-", "@", "\t", "\r")
# A cell that looks like a formula, not like a name or a number: "=...", "@...", or "+"/"-"
# followed by something a formula needs. "-" alone or "+44 20..." do not count.
_FORMULA_LIKE = re.compile(r"^(?:[=@]|[+\-].*[(!|=])", re.S)
_NEUTRALISED = re.compile(r"^'(?=[=+\-@\t\r])")


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A row that could not be read or validated, kept for the rejects file.

    Attributes:
        row: the 1-based data row (the header is row 0).
        reason: why it was rejected, in words.
        fields: its cells by column name (cells beyond the header under ``extra_fields``).
    """

    row: int
    reason: str
    fields: dict[str, str]


@dataclass(slots=True)
class Table:
    """A table read from a file, before mapping and validation.

    Attributes:
        frame: string columns, missing values as "".
        problems: row-level problems met while reading.
        rejected: rows that could not be read.
        rows: the data row number of each row of ``frame`` (None: 1, 2, 3 ...); differs
            when rows were rejected or skipped.
        format: "csv", "xlsx", "parquet" or "pfif".
        date_system: the Excel date system that serial dates in its date columns count
            in (``rfl_match.dates.SERIAL_EPOCHS``): a workbook's own, 1900 for any other.
        dropped_rows: the numbers of the rows left out as blank (every cell blank: see
            :func:`drop_blank_rows`), in order; a note on one (a workbook's cell of an
            error value, read as a blank) is on a row that holds no record.
    """

    frame: pd.DataFrame
    problems: list[Problem] = field(default_factory=list)
    rejected: list[RejectedRow] = field(default_factory=list)
    rows: npt.NDArray[np.int64] | None = None
    format: str = "csv"
    date_system: int = 1900
    dropped_rows: list[int] = field(default_factory=list)

    def row_numbers(self) -> npt.NDArray[np.int64]:
        if self.rows is not None:
            return self.rows
        return np.arange(1, len(self.frame) + 1, dtype=np.int64)


def drop_blank_rows(table: Table) -> Table:
    """The table without its rows whose every cell is blank
    (:func:`rfl_match.schema.blank_rows`), the rows after them keeping their numbers:
    counted, and passed over without a word; their numbers join ``dropped_rows``."""
    blank = blank_rows(table.frame)
    if blank.any():
        numbers = table.row_numbers()
        table.dropped_rows = sorted([*table.dropped_rows, *numbers[blank].tolist()])
        table.rows = numbers[~blank]
        table.frame = table.frame[~blank].reset_index(drop=True)
    return table


def cell_text(value: Any) -> str:
    """One cell as text, the way a person typed it: 7 not 7.0, a date as YYYY-MM-DD."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0, 0):
            return value.date().isoformat()
        return value.replace(tzinfo=None).isoformat(timespec="seconds")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        number = float(value)
        if math.isnan(number):
            return ""
        if number.is_integer() and abs(number) < 1e15:
            return str(int(number))
        return repr(number)
    return str(value)


def restore_neutralised(frame: pd.DataFrame) -> pd.DataFrame:
    """Undo the leading apostrophe that rfl_match (and OWASP practice) puts before cells a
    spreadsheet would run, so that a file written by rfl_match reads back as it was."""
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    # by position: a header may be doubled
    for position in text_columns_where(frame, lambda cells: pc.starts_with(cells, "'")):
        values = frame.iloc[:, position]
        quoted = values.str.startswith("'").fillna(False)
        if quoted.any():
            restored = values.str.replace(_NEUTRALISED, "", n=1, regex=True)
            frame.isetitem(position, restored.array)  # its dtype kept
    return frame


def formula_problems(frame: pd.DataFrame, rows: npt.NDArray[np.int64]) -> list[Problem]:
    """A warning for each cell that a spreadsheet would run as a formula. The row is kept:
    rfl_match never runs it, and every spreadsheet-bound output neutralises it."""
    import pyarrow.compute as pc

    problems: list[Problem] = []
    # by position: a header may be doubled
    for position in text_columns_where(
        frame,
        # a first character each (a regex over every cell took half as long again)
        lambda cells: functools.reduce(pc.or_, (pc.starts_with(cells, c) for c in "=+-@")),
    ):
        column = frame.columns[position]
        values = frame.iloc[:, position]
        risky = values.str.startswith(("=", "+", "-", "@")).fillna(False)
        if not risky.any():
            continue
        hits = values[risky.to_numpy()]
        formula = hits.str.match(_FORMULA_LIKE).fillna(False).to_numpy()
        for position, value in zip(
            np.flatnonzero(risky.to_numpy())[formula], hits[formula], strict=True
        ):
            problems.append(
                Problem(
                    int(rows[position]),
                    str(column),
                    "cell looks like a spreadsheet formula; kept as text "
                    "(outputs prefix it with an apostrophe)",
                    value if len(value) <= 60 else value[:60] + "...",
                )
            )
    return problems


#: Rows looked at for a header below titles.
TITLE_ROWS = 10


def title_rows(rows: list[list[str]]) -> int:
    """How many of the first rows of a table (blank ones left out) are titles above its
    header ("Tracing requests, camp 4, May 2024"): rows of one cell at most before the
    first of two or more, if one of the first ten has two or more (a table of one column
    has no titles)."""
    for position, row in enumerate(rows[:TITLE_ROWS]):
        if sum(bool(cell.strip()) for cell in row) >= 2:
            return position
    return 0


def title_problems(titles: list[str]) -> list[Problem]:
    """A note for each title passed over above a table's header."""
    return [
        Problem(None, None, "a title above the header, passed over", title.strip()[:60])
        for title in titles
    ]


def blank_header_name(position: int) -> str:
    """The name given to the column at ``position`` (from 0) when its header cell is blank."""
    return f"column_{position + 1}"


def name_blank_headers(table: Table, errors: dict[int, str] | None = None) -> Table:
    """Columns whose header cell is blank: dropped when empty in every row (the trailing
    separators of a spreadsheet export, ``a,b,,``), else named ``column_<N>`` (N counted
    from 1) with a note, so that two of them are never one duplicated column ''.

    ``errors``: the header cells (by position, from 0) that held a spreadsheet error value
    (``#REF!``), as its text: no title either, read as a blank one is, and each said so,
    dropped or named. A note on the header is numbered as the header row is, 0."""
    errors = errors or {}
    headers = ["" if i in errors else str(c) for i, c in enumerate(table.frame.columns)]
    if all(h.strip() for h in headers):
        return table
    taken = set(headers)
    keep: list[int] = []
    names: list[str] = []
    for position, header in enumerate(headers):
        if not header.strip():
            error = errors.get(position)
            held = f"its header cell held a spreadsheet error value ({error}), not a title"
            values = table.frame.iloc[:, position].fillna("").astype(str)
            if not values.str.strip().astype(bool).any():
                if error is not None:
                    named = blank_header_name(position)
                    note = f"{held}, and the column is empty; dropped"
                    table.problems.append(Problem(0, named, note, error))
                continue
            header = blank_header_name(position)
            while header in taken:
                header += "_"
            taken.add(header)
            if error is None:
                note = f"its header cell is blank but it holds data; named {header}"
            else:
                note = f"{held}; named {header}"
            table.problems.append(Problem(0, header, note, error or ""))
        keep.append(position)
        names.append(header)
    frame = table.frame.iloc[:, keep]
    frame.columns = pd.Index(names)
    table.frame = frame
    return table


def blank_frame(columns: list[str], rows: list[list[str]]) -> pd.DataFrame:
    """A frame of string columns from rows of cells; duplicate column names are kept."""
    frame = pd.DataFrame(rows, columns=pd.Index(range(len(columns))), dtype=str)
    if not rows:
        frame = pd.DataFrame({i: pd.Series([], dtype=str) for i in range(len(columns))})
    frame.columns = pd.Index(columns)
    return frame
