"""Parquet files (pyarrow): typed columns in, text columns out, exact round trips.

Every column is read as text the way a person would write it: whole numbers without
``.0``, dates as ``YYYY-MM-DD``, nulls as "". Text stored as bytes (a BINARY column, as
older Spark, Hive and Impala write strings) is read as the UTF-8 it holds; a list's items
are read joined by ``; `` (as several alternate names are written), each noted. Output is
written as it is (Parquet is not opened by a spreadsheet, so nothing needs neutralising).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from rfl_match.io.paths import FilePath
from rfl_match.io.table import Table, cell_text, drop_blank_rows, name_blank_headers
from rfl_match.schema import Problem, RecordError, typed_text


def _arrow_table(path: Path, columns: list[str] | None = None):  # type: ignore[no-untyped-def]
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.parquet as pq  # type: ignore[import-untyped]

    try:
        return pq.read_table(path, columns=columns)
    except (pa.ArrowException, OSError) as exc:
        if path.is_file() and _names_repeat(path):
            # pyarrow's dataset reader refuses two columns of one name ("Multiple matches
            # for FieldRef"), and the file was called unreadable: its file reader reads
            # them, and validation says "column appears more than once", as of a CSV file
            return pq.ParquetFile(path).read(columns=columns)
        detail = "the file is empty" if path.stat().st_size == 0 else "not a readable Parquet file"
        raise RecordError([Problem(None, None, f"{detail} ({exc})"[:300])], str(path)) from exc


def _names_repeat(path: Path) -> bool:
    """Whether the schema of the Parquet file names two of its columns alike."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        names = pq.read_schema(path).names
    except (pa.ArrowException, OSError):
        return False
    return len(set(names)) < len(names)


def read_parquet(path: FilePath) -> Table:
    """All columns of a Parquet file as text. A row whose every cell is null or blank is
    counted and left out, as a CSV file's blank row is (:func:`drop_blank_rows`), and a
    column named "" is dropped or named ``column_N``, with a note, as a CSV file's
    untitled one is (:func:`name_blank_headers`), not kept as a column '' without a word."""
    import pyarrow as pa
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    arrow = _arrow_table(Path(path))
    columns: dict[int, pd.Series] = {}
    problems: list[Problem] = []
    for i in range(arrow.num_columns):
        column = arrow.column(i)
        kind = column.type
        name = str(arrow.column_names[i])
        if pa.types.is_binary(kind) or pa.types.is_large_binary(kind):
            column, note = _bytes_as_text(column)
            kind = column.type
            if note:
                problems.append(Problem(None, name, note))
        if pa.types.is_list(kind) or pa.types.is_large_list(kind):
            problems.append(Problem(None, name, _LISTS))
            series = pd.Series([_items_text(v) for v in column.to_pylist()], dtype=str)
        elif pa.types.is_string(kind) or pa.types.is_large_string(kind):
            text = pc.fill_null(column, "")
            series = text.to_pandas().astype(str)
        elif (
            pa.types.is_integer(kind)
            or pa.types.is_date(kind)
            or pa.types.is_boolean(kind)
            or pa.types.is_decimal(kind)
        ):
            series = pc.fill_null(pc.cast(column, pa.string()), "").to_pandas().astype(str)
        elif (typed := typed_text(column)) is not None:  # floats and timestamps
            series = pd.Series(typed, dtype=str)
        else:
            # times of day and other nested types: cell by cell, as typed.
            series = pd.Series([cell_text(v) for v in column.to_pylist()], dtype=str)
        columns[i] = series.reset_index(drop=True)
    frame = pd.DataFrame(columns)
    if not columns:
        frame = pd.DataFrame(index=pd.RangeIndex(arrow.num_rows))
    frame.columns = pd.Index(arrow.column_names)
    return drop_blank_rows(name_blank_headers(Table(frame, problems, format="parquet")))


_LISTS = "holds lists: each cell's items are read joined by '; ' (as alternate names are)"
_NOT_UTF8 = (
    "holds bytes that are not all UTF-8 text: read as UTF-8, with \ufffd for each byte "
    "that is not; check its values"
)


def _bytes_as_text(column: Any) -> tuple[Any, str]:
    """A BINARY column as the text its bytes hold (older Spark, Hive and Impala write
    strings so; ``str`` of a cell would read ``b'Ali'``), and a note where some bytes
    are not UTF-8 ("" where all are)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    try:
        return pc.cast(column, pa.large_string()), ""
    except pa.ArrowInvalid:  # some bytes are not UTF-8: replaced, and said so
        values = [None if v is None else v.decode("utf-8", "replace") for v in column.to_pylist()]
        return pa.chunked_array([pa.array(values, type=pa.large_string())]), _NOT_UTF8


def _items_text(value: object) -> str:
    """A list cell's items as text, joined by ``; `` (a list within flattened; None:
    blank)."""
    if value is None:
        return ""
    if not isinstance(value, list):
        return cell_text(value)
    return "; ".join(text for text in map(_items_text, value) if text)


def read_parquet_header(path: FilePath) -> list[str]:
    """The column names of a Parquet file, from its schema."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    path = Path(path)
    try:
        return list(pq.read_schema(path).names)
    except (pa.ArrowException, OSError) as exc:
        raise RecordError(
            [Problem(None, None, f"not a readable Parquet file ({exc})")], str(path)
        ) from exc


def write_parquet(frame: pd.DataFrame, path: FilePath) -> None:
    """Write a table as Parquet, column names as text."""
    out = frame.copy()
    out.columns = pd.Index([str(c) for c in out.columns])
    # What the records' attrs hold is for this process (their problems quote input
    # cells): pandas would write it into the file's metadata.
    out.attrs = {}
    out.to_parquet(Path(path), engine="pyarrow", index=False)
