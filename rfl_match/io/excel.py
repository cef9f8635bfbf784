"""Excel workbooks (``.xlsx``): the first sheet in, one or more sheets out.

Every cell is read as text, as a person typed it (``7`` not ``7.0``, a date as
``YYYY-MM-DD``), a whole number formatted to be padded with zeros as the sheet shows it
(``00007``, ``RQ0007``); a formula cell as the value the spreadsheet saved with it (never run
here), one saved without a value as a blank, with a note, and an error value (``#N/A``,
``#REF!``) as a blank, with a note. A merged cell's value is read down the rows it
covers, as the sheet shows it, with a note. A column with no title is read as in
a CSV file: named ``column_N`` if it holds data; so is one whose title is an error value,
with a note. On the way out,
cells that a spreadsheet would run are prefixed with an apostrophe, characters that the
format forbids are dropped, and a cell longer than Excel allows is shortened, with a
warning: a spreadsheet is for reading, the CSV or Parquet output keeps everything.
"""

from __future__ import annotations

import functools
import itertools
import re
import warnings
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
import pandas as pd

from rfl_match.io.paths import FilePath
from rfl_match.io.table import (
    TITLE_ROWS,
    Table,
    blank_frame,
    blank_header_name,
    cell_text,
    name_blank_headers,
    title_problems,
    title_rows,
)
from rfl_match.schema import Problem, RecordError
from rfl_match.warn import warn

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_CELL = 32_767


def _open(path: Path, *, data_only: bool = False) -> Any:
    """The workbook, read-only (streamed: a large sheet is never held whole); its formula
    cells as formulas, or with ``data_only`` as the values saved with them."""
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    source = str(path)
    if not zipfile.is_zipfile(path):
        detail = "the file is empty" if path.stat().st_size == 0 else "not an .xlsx workbook"
        hint = "" if path.stat().st_size == 0 else " (an old .xls? save it as .xlsx or CSV)"
        raise RecordError([Problem(None, None, detail + hint)], source)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # openpyxl warns about styles it cannot read
            return load_workbook(path, read_only=True, data_only=data_only)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise RecordError(
            [Problem(None, None, f"not a readable .xlsx workbook ({exc.__class__.__name__})")],
            source,
        ) from exc


def read_excel(path: FilePath) -> Table:
    """The first sheet of a workbook: the first non-empty row is the header, titles above
    it passed over (:func:`~rfl_match.io.table.title_rows`).

    The table is as wide as the sheet's data, as a spreadsheet exports it to CSV: a column
    whose header cell is blank is dropped or named ``column_N`` by
    :func:`~rfl_match.io.table.name_blank_headers`. No stray delimiter can shift a cell
    of a workbook into the next column, so a value past the last title is a value of an
    untitled column, not a sign of a broken row.
    """
    from openpyxl.utils.datetime import CALENDAR_MAC_1904  # type: ignore[import-untyped]

    path = Path(path)
    book = _open(path)
    # A date cell is read as its date (openpyxl counts in the workbook's date system); a
    # number in a cell not formatted as a date comes as a number, read as a serial date
    # by validation where its column holds them (in this date system)
    date_system = 1904 if book.epoch == CALENDAR_MAC_1904 else 1900
    if not book.worksheets:
        book.close()
        raise RecordError([Problem(None, None, "the workbook holds no worksheet")], str(path))
    # Cells, not their values alone: an error value is told from text by its type.
    sheet_rows = _rows(book, path)
    try:
        # openpyxl's name for the sheet's part of the file: it has no public one
        part = book.worksheets[0]._worksheet_path
        problems: list[Problem] = _other_sheets(book)
        header: list[str] | None = None
        header_row = 0
        header_errors: dict[int, str] = {}
        rows: list[list[str]] = []
        numbers: list[int] = []
        ahead, titles = _past_titles(sheet_rows)
        problems += title_problems(titles)
        for excel_row, row in itertools.chain(ahead, sheet_rows):
            values = tuple(cell.value for cell in row)
            cells = [_shown_text(cell) for cell in row]
            # Trailing blank cells are left out: openpyxl fills each row to the width the
            # sheet says it has, which formatting alone can make thousands of columns. The
            # table's width is the widest row's, set once every row is read.
            while cells and not cells[-1].strip():
                cells.pop()
            if not cells:
                continue
            if header is None:
                # an error value is no title: its column is read as an untitled one
                header_errors = _errors(row, cells)
                problems.extend(_blank_formulas(row, cells, [], 0))
                header = ["" if i in header_errors else c.strip() for i, c in enumerate(cells)]
                header_row = excel_row
                continue
            row_no = excel_row - header_row
            rows.append(cells)
            numbers.append(row_no)
            problems.extend(_long_numbers(values, header, row_no))
            problems.extend(_blank_errors(row, cells, header, row_no))
            problems.extend(_blank_formulas(row, cells, header, row_no))
    finally:
        sheet_rows.close()
        book.close()
    if header is None:
        # with the note naming the sheets that hold data, if any: the one to move first
        empty = Problem(None, None, "the workbook's first sheet is empty")
        raise RecordError([empty, *problems], str(path))
    width = max(len(header), max(map(len, rows), default=0))
    header += [""] * (width - len(header))
    for cells in rows:
        cells += [""] * (width - len(cells))
    problems += _fill_merged(_merged(path, part), rows, numbers, header, header_row)
    frame = blank_frame(header, rows)
    numbered = np.asarray(numbers, dtype=np.int64)
    table = Table(frame, problems, [], numbered, "xlsx", date_system)
    return name_blank_headers(table, header_errors)


# A number format that pads a whole number with zeros to its width ("00000": 7 shown as
# 00007), text in quotes before or after it ('"RQ"0000': RQ0007), as a register formats
# its case numbers.
_ZERO_PADDED = re.compile(r'(?:"([^"]*)")?(0+)(?:"([^"]*)")?')


@functools.lru_cache(maxsize=256)
def _padding(number_format: str) -> tuple[str, int, str] | None:
    """The text before, the width and the text after of a zero-padding number format
    (:data:`_ZERO_PADDED`); None for another format."""
    match = _ZERO_PADDED.fullmatch(number_format)
    if match is None:
        return None
    before, zeros, after = match.groups()
    return before or "", len(zeros), after or ""


def _shown_text(cell: Any) -> str:
    """A cell's text (:func:`~rfl_match.io.table.cell_text`), a whole number of 0 or more
    in a zero-padding format (:func:`_padding`) as the sheet shows it and Excel's CSV
    export writes it: an id 7 formatted ``00000`` read as "7" named no record in a pairs
    or truth file, nor in a CSV export of the same register, that wrote 00007. Another
    format is not applied (a date is read as its date, a decimal in full)."""
    value = cell.value
    text = cell_text(value)
    if isinstance(value, int | float) and text.isdigit():
        padding = _padding(getattr(cell, "number_format", None) or "General")
        if padding is not None:
            before, width, after = padding
            return before + text.zfill(width) + after
    return text


# Excel holds a number as a double: of a longer one (an id, a phone number typed as a
# number), only the first 15 digits are sure.
_EXACT_DIGITS = 1e15


def _column(header: list[str], position: int) -> str:
    """The name of the column at ``position`` (from 0), its header cell blank or beyond
    the header's last title (:func:`~rfl_match.io.table.blank_header_name`)."""
    if position < len(header) and header[position]:
        return header[position]
    return blank_header_name(position)


def _long_numbers(values: tuple[Any, ...], header: list[str], row: int) -> list[Problem]:
    """A note for each cell of a row that holds a number of 16 digits or more as Excel
    does (a float): the digits after the 15th may not be the ones typed."""
    return [
        Problem(
            row,
            _column(header, i),
            "a number of 16 digits or more, as Excel holds it: the digits after the 15th "
            "may not be the ones typed; kept as read (format the column as Text in Excel, "
            "and type it again)",
            cell_text(v),
        )
        for i, v in enumerate(values)
        if isinstance(v, float) and abs(v) >= _EXACT_DIGITS
    ]


def _blank_errors(
    row: tuple[Any, ...], cells: list[str], header: list[str], number: int
) -> list[Problem]:
    """Blank, in ``cells`` (the text of the sheet's ``row``), each error value (``#N/A``,
    ``#REF!``, ``#DIV/0!``: openpyxl's data type "e"; a formula's failure pasted as a
    value, or ``#N/A`` typed for "not available"), with a note for each: read as text,
    two records whose father's name was "#N/A" agreed on it."""
    problems: list[Problem] = []
    for position, error in _errors(row, cells).items():
        problems.append(
            Problem(
                number,
                _column(header, position),
                f"a spreadsheet error value ({error}), not data; blanked",
                error,
            )
        )
        cells[position] = ""
    return problems


def _errors(row: tuple[Any, ...], cells: list[str]) -> dict[int, str]:
    """The cells of the sheet's ``row`` that hold an error value (openpyxl's data type
    "e"), by position (from 0) among ``cells``, and their text there."""
    return {
        position: cells[position]
        for position, cell in enumerate(row[: len(cells)])
        if cell.data_type == "e"
    }


def _rows(book: Any, path: Path) -> Generator[tuple[int, tuple[Any, ...]], None, None]:
    """The rows of the workbook's first sheet (its cells), numbered as the sheet numbers
    them, each formula cell replaced by the cell of the value the spreadsheet saved with
    it: the formula's text read as a name (``=B2&" "&C2``) was the same name ``b c`` for
    every person, and the name the sheet shows was lost.

    openpyxl reads a sheet's formulas or its saved values, not both: the values are a
    second reading of the sheet, opened at the first row that holds a formula and read
    along with the first (a sheet without formulas is read once). A formula saved without
    a value (by a program that does not calculate, as openpyxl and pandas do not) is left
    as its formula's cell, data type "f", for :func:`_blank_formulas`."""
    saved: Any = None
    values: Iterator[tuple[int, tuple[Any, ...]]] = iter(())
    try:
        for number, row in enumerate(book.worksheets[0].iter_rows(), start=1):
            if any(cell.data_type == "f" for cell in row):
                if saved is None:
                    saved = _open(path, data_only=True)
                    values = enumerate(saved.worksheets[0].iter_rows(), start=1)
                same = next(cells for at, cells in values if at == number)
                row = tuple(map(_saved_value, row, same))
            yield number, row
    except Exception as exc:  # openpyxl parses the sheet as its rows are read
        problem = Problem(
            None,
            None,
            f"not a readable .xlsx workbook ({exc.__class__.__name__} in its first sheet)",
        )
        raise RecordError([problem], str(path)) from exc
    finally:
        if saved is not None:
            saved.close()


def _saved_value(cell: Any, saved: Any) -> Any:
    """Of a sheet's ``cell`` and the ``saved`` cell read in its place for the saved
    values, the one to read: the formula's own cell where no value was saved with it.
    A formula whose value is empty text is saved with one (data type "str") and read as
    a blank, without a note."""
    if cell.data_type == "f" and saved.value is None and saved.data_type != "str":
        return cell
    return saved


_UNSAVED = (
    "a formula saved without its value (the file was written by a program that does not "
    "calculate; open and save it in a spreadsheet to keep the values); blanked"
)


def _blank_formulas(
    row: tuple[Any, ...], cells: list[str], header: list[str], number: int
) -> list[Problem]:
    """Blank, in ``cells`` (the text of the sheet's ``row``), each formula saved without
    its value (left by :func:`_rows` as its formula's cell), with a note for each giving
    the formula: its text is no name, and rfl_match never runs it."""
    problems: list[Problem] = []
    for position, cell in enumerate(row[: len(cells)]):
        if cell.data_type == "f":
            # an array formula's cell holds an object with its text
            formula = cell_text(getattr(cell.value, "text", cell.value))
            shown = formula if len(formula) <= 60 else formula[:60] + "..."
            problems.append(Problem(number, _column(header, position), _UNSAVED, shown))
            cells[position] = ""
    return problems


def _merged(path: Path, part: str) -> list[str]:
    """The merged ranges (``C2:C4``) of the sheet in the workbook's ``part``, from its
    ``<mergeCells>``: openpyxl's read-only sheet, which streams, leaves them out. That
    element follows the sheet's cells, so the XML is parsed only where its bytes hold
    the word (their scan takes a tenth of a second for 100,000 rows, a parse four
    seconds)."""
    word = b"mergeCell"
    with zipfile.ZipFile(path) as book:
        with book.open(part) as xml:
            tail = b""
            while chunk := xml.read(1 << 20):
                if word in tail + chunk:
                    break
                tail = chunk[-len(word) :]
            else:
                return []
        ranges: list[str] = []
        with book.open(part) as xml:
            for _, element in ET.iterparse(xml):
                if element.tag.rpartition("}")[2] == "mergeCell":
                    ranges.append(element.get("ref", ""))
                element.clear()  # the cells read: none is kept
    return ranges


def _fill_merged(
    ranges: list[str],
    rows: list[list[str]],
    numbers: list[int],
    header: list[str],
    header_row: int,
) -> list[Problem]:
    """Fill the value of each merged range below the header (``ranges``, as ``C2:C4``)
    into every blank cell of its first column in ``rows`` (their data row ``numbers``;
    the header is the sheet's row ``header_row``), with a note for each range: a
    household's family name merged over its members' rows was read on the first alone,
    the others left with none. Across columns a merge shows one value once, not one a
    column: a name merged over the given and the family name's columns stays in the
    first (filled into both, it would be read as the given name and the family name). A
    range in the header or the titles above it is left as it is (a title over several
    columns names the first; the others are untitled)."""
    from openpyxl.utils.cell import range_boundaries  # type: ignore[import-untyped]

    if not ranges:
        return []
    at = {number: index for index, number in enumerate(numbers)}
    problems: list[Problem] = []
    for ref in ranges:
        try:
            bounds = range_boundaries(ref)
        except ValueError:  # no range: nothing merged to read
            continue
        if None in bounds:  # whole rows or columns: no cell of a value
            continue
        first_col, first_row, _, last_row = bounds
        first, last = first_row - header_row, last_row - header_row
        top = at.get(first)
        if top is None or first_col > len(header) or not rows[top][first_col - 1].strip():
            continue
        value = rows[top][first_col - 1]
        filled = 0
        for number in range(first + 1, last + 1):
            cells = rows[at[number]] if number in at else []
            if first_col <= len(cells) and not cells[first_col - 1].strip():
                cells[first_col - 1] = value
                filled += 1
        if filled:
            where = f"row {first}" if first == last else f"rows {first} to {last}"
            problems.append(
                Problem(
                    first,
                    _column(header, first_col - 1),
                    f"merged cells {ref} ({where}): their one value filled into each cell",
                    value,
                )
            )
    return problems


def _other_sheets(book: Any) -> list[Problem]:
    """A note naming the sheets after the first that hold something: they are not read."""
    others = [
        repr(sheet.title)
        for sheet in book.worksheets[1:]
        if any(any(v is not None for v in row) for row in sheet.iter_rows(values_only=True))
    ]
    if not others:
        return []
    return [
        Problem(
            None,
            None,
            f"only the first sheet, {book.worksheets[0].title!r}, is read; not the "
            f"workbook's other sheets that hold data: {', '.join(others)} (move the sheet "
            "of records first, or save each sheet as a file)",
        )
    ]


def _past_titles(
    numbered: Iterator[tuple[int, tuple[Any, ...]]],
) -> tuple[list[tuple[int, tuple[Any, ...]]], list[str]]:
    """The first rows of a sheet (its cells), read ahead to tell the titles above its
    header (:func:`~rfl_match.io.table.title_rows`): the rows read after the titles, and
    the titles."""
    ahead: list[tuple[int, tuple[Any, ...]]] = []
    filled: list[tuple[int, list[str]]] = []  # position in ahead, cells
    for row in numbered:
        ahead.append(row)
        cells = [_shown_text(cell) for cell in row[1]]
        if any(c.strip() for c in cells):
            filled.append((len(ahead) - 1, cells))
            if len(filled) >= TITLE_ROWS:
                break
    count = title_rows([cells for _, cells in filled])
    if not count:
        return ahead, []
    titles = [next(c for c in cells if c.strip()) for _, cells in filled[:count]]
    return ahead[filled[count - 1][0] + 1 :], titles


def read_excel_header(path: FilePath) -> list[str]:
    """The header row of the first sheet."""
    path = Path(path)
    book = _open(path)
    numbered = _rows(book, path)
    try:
        ahead, _ = _past_titles(numbered)
        for _, row in itertools.chain(ahead, numbered):
            cells = [_shown_text(cell).strip() for cell in row]
            for position in _errors(row, cells):  # no title, as read_excel reads it
                cells[position] = ""
            _blank_formulas(row, cells, [], 0)
            if any(cells):
                while cells and not cells[-1]:
                    cells.pop()
                return cells
    finally:
        numbered.close()
        book.close()
    return []


# The end of a cell longer than Excel holds, and what write_excel warns of such cells.
_SHORTENED = " ...[shortened]"
_SHORTENED_NOTE = (
    f"cell(s) longer than Excel holds ({EXCEL_MAX_CELL:,} characters), each cut there and "
    f"ended {_SHORTENED.strip()!r}: the rest of the text is not in the workbook (write "
    ".csv or .parquet to keep it)"
)


def _excel_cell(value: Any, notes: dict[str, int]) -> Any:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE  # type: ignore[import-untyped]

    if value is None or value is pd.NA or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, int | float | bool):
        return value
    text = str(value)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
        notes["control characters removed"] = notes.get("control characters removed", 0) + 1
    if len(text) > EXCEL_MAX_CELL:
        text = text[: EXCEL_MAX_CELL - 20] + _SHORTENED
        notes[_SHORTENED_NOTE] = notes.get(_SHORTENED_NOTE, 0) + 1
    return text


def write_excel(
    sheets: dict[str, pd.DataFrame],
    path: FilePath,
    *,
    choices: dict[str, tuple[str, ...]] | None = None,
    widths: dict[str, int] | None = None,
) -> None:
    """Write frames as sheets of one workbook, formula cells neutralised.

    Args:
        sheets: sheet name -> frame (already neutralised by the caller or not: done here).
        path: the ``.xlsx`` file.
        choices: column name -> allowed values, offered as a drop-down list in every sheet.
        widths: column name -> width in characters.
    """
    from openpyxl import Workbook

    path = Path(path)
    for name, frame in sheets.items():
        if len(frame) >= EXCEL_MAX_ROWS:
            raise ValueError(
                f"sheet {name!r}: {len(frame):,} rows do not fit in a workbook "
                f"(at most {EXCEL_MAX_ROWS - 1:,}); write CSV or Parquet instead"
            )
    # The file first: one that cannot be written fails before a row is streamed to
    # openpyxl's temporary files, which would hold the records until the process ends.
    with path.open("wb") as target:
        notes = _write_sheets(Workbook(write_only=True), sheets, target, choices, widths)
    for what, count in notes.items():
        warn(f"{path}: {count:,} {what}")


def _write_sheets(
    book: Any,
    sheets: dict[str, pd.DataFrame],
    target: BinaryIO,
    choices: dict[str, tuple[str, ...]] | None,
    widths: dict[str, int] | None,
) -> dict[str, int]:
    """:func:`write_excel`'s sheets into ``book``, saved to ``target``; the notes of cells
    written otherwise (what -> how many)."""
    from openpyxl.utils import get_column_letter  # type: ignore[import-untyped]
    from openpyxl.worksheet.datavalidation import DataValidation  # type: ignore[import-untyped]

    from rfl_match.io.csv import neutralise_formulas

    notes: dict[str, int] = {}
    for name, frame in sheets.items():
        sheet = book.create_sheet(title=name[:31])
        safe = neutralise_formulas(frame)
        columns = [str(c) for c in safe.columns]
        for i, column in enumerate(columns, start=1):
            width = (widths or {}).get(column, min(40, max(10, len(column) + 2)))
            sheet.column_dimensions[get_column_letter(i)].width = width
        sheet.freeze_panes = "A2"
        for column, allowed in (choices or {}).items():
            if column in columns and len(safe):
                letter = get_column_letter(columns.index(column) + 1)
                rule = DataValidation(
                    type="list", formula1='"' + ",".join(allowed) + '"', allow_blank=True
                )
                rule.add(f"{letter}2:{letter}{len(safe) + 1}")
                sheet.data_validations.append(rule)
        sheet.append(columns)
        for row in safe.itertuples(index=False, name=None):
            sheet.append([_excel_cell(v, notes) for v in row])
    book.save(target)
    return notes
