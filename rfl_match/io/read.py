"""read_records: any supported input -> validated records in the canonical schema."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from rfl_match.io.csv import read_csv
from rfl_match.schema import Problem, RecordError, validate_records

_CSV_SUFFIXES = {".csv", ".tsv", ".txt", ""}


def read_records(
    path_or_dataframe: str | Path | pd.DataFrame, mapping: dict[str, str] | None = None
) -> pd.DataFrame:
    """Read records into the canonical schema.

    Args:
        path_or_dataframe: a CSV file (UTF-8, UTF-16 or cp1252; delimiter ``,`` ``;`` or
            tab) or a DataFrame.
        mapping: input column -> canonical field ("Nom complet" -> "full_name").

    Returns:
        A frame of string columns, canonical and extra. ``attrs["problems"]`` lists each
        row-level problem (a blanked malformed date or age, a rejected ragged row).

    Raises:
        RecordError: listing every problem that makes the input unusable.
    """
    if isinstance(path_or_dataframe, pd.DataFrame):
        frame = validate_records(path_or_dataframe, mapping)
        frame.attrs["rfl_match_validated"] = True
        return frame
    path = Path(path_or_dataframe)
    source = str(path)
    if not path.exists():
        raise RecordError([Problem(None, None, "file not found")], source)
    if path.is_dir():
        raise RecordError([Problem(None, None, "this is a folder, not a file")], source)
    suffix = path.suffix.lower()
    if suffix not in _CSV_SUFFIXES:
        raise RecordError(
            [Problem(None, None, f"unsupported file type {suffix!r}: use CSV")], source
        )
    raw_frame, row_problems = read_csv(path)
    frame = validate_records(raw_frame, mapping, source=source)
    frame.attrs["problems"] = row_problems + list(frame.attrs.get("problems", []))
    frame.attrs["rfl_match_validated"] = True
    return frame
