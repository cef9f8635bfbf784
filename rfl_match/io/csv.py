"""CSV in the encodings and delimiters that real exports use.

Encodings: UTF-8 (with or without BOM), UTF-16 (with BOM), and cp1252 for files that are
not valid UTF-8. Delimiters ``,`` ``;`` and tab are sniffed from the first lines. Rows with
too many or too few fields are reported, not silently shifted.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pandas as pd

from rfl_match.schema import Problem, RecordError

_DELIMITERS = (",", ";", "\t")
_SPREADSHEET_RISK = ("=", "+", "-", "@", "\t", "\r")


def decode(raw: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding it was read in; RecordError for binary or undecodable input."""
    if not raw.strip():
        raise RecordError([Problem(None, None, "the file is empty")], source)
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise RecordError([Problem(None, None, f"broken UTF-16 text: {exc}")], source) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if b"\x00" in raw[:4096]:
        raise RecordError(
            [
                Problem(
                    None,
                    None,
                    "not a text (CSV) file: it holds binary data; "
                    "save it as CSV, or use .xlsx or .parquet",
                )
            ],
            source,
        )
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        raise RecordError(
            [Problem(None, None, "text in an unknown encoding: save it as UTF-8")], source
        ) from exc


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; tab`` that splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts) / len(counts)
        score = agree * 1000 + counts[0]
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_text(text: str, source: str = "input") -> tuple[pd.DataFrame, list[Problem]]:
    """Parse CSV text into string columns; ragged rows are returned as problems."""
    delimiter = sniff_delimiter(text)
    problems: list[Problem] = []
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
        )
        return frame, problems
    except pd.errors.ParserError:
        pass
    # Some rows have the wrong number of fields: read row by row and report them.
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    csv.field_size_limit(1 << 30)
    header = next(reader)
    rows: list[list[str]] = []
    for line_no, row in enumerate(reader, start=1):
        if len(row) == len(header):
            rows.append(row)
        elif not any(cell.strip() for cell in row):
            continue
        else:
            problems.append(
                Problem(
                    line_no,
                    None,
                    f"row has {len(row)} fields, the header has {len(header)}; rejected",
                    delimiter.join(row)[:60],
                )
            )
    return pd.DataFrame(rows, columns=header, dtype=str), problems


def read_csv(path: Path) -> tuple[pd.DataFrame, list[Problem]]:
    raw = path.read_bytes()
    text, _ = decode(raw, str(path))
    return read_csv_text(text, str(path))


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix cells that a spreadsheet would run as a formula with an apostrophe."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object or pd.api.types.is_string_dtype(out[column]):
            values = out[column].astype(str)
            risky = values.str.startswith(_SPREADSHEET_RISK)
            if risky.any():
                out[column] = values.where(~risky, "'" + values)
    return out


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write a result table by file suffix (CSV by default), formula cells neutralised."""
    target = Path(path)
    safe = neutralise_formulas(frame)
    safe.to_csv(target, index=False, encoding="utf-8")
