"""Writing result tables by file suffix: CSV, Excel, Parquet or PFIF."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from rfl_match.io.paths import FilePath

OUTPUT_SUFFIXES = (".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".pq", ".xml", ".pfif")


class OutputError(ValueError):
    """A table that cannot be written where asked (unknown suffix, too many rows for Excel)."""


def output_format(path: FilePath) -> str:
    """The output format of a path ("csv", "xlsx", "parquet", "pfif"); OutputError if none."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix in (".csv", ".tsv", ".txt", ""):
        return "csv"
    if suffix == ".xlsx":
        return "xlsx"
    if suffix in (".parquet", ".pq"):
        return "parquet"
    if suffix in (".xml", ".pfif"):
        return "pfif"
    raise OutputError(
        f"{path}: cannot write {suffix!r} files; use .csv, .xlsx, .parquet or .xml (PFIF)"
    )


def write_table(frame: pd.DataFrame, path: FilePath, **pfif_options: Any) -> None:
    """Write a table by the suffix of ``path``.

    CSV and ``.xlsx`` (spreadsheet-bound) get formula cells neutralised; Parquet is written
    as it is. ``.xml`` writes PFIF 1.4: notes that link each proposed pair when the table
    has ``request_id`` and ``sighting_id`` columns (matches), persons when it has
    ``record_id`` (records; columns PFIF has no field for written into each person's
    description, as :func:`rfl_match.io.pfif.write_pfif_persons` writes them).
    """
    path = Path(path)
    kind = output_format(path)
    if kind == "csv":
        from rfl_match.io.csv import write_csv

        sep = "\t" if path.suffix.lower() == ".tsv" else ","
        if sep == ",":
            write_csv(frame, path)
        else:
            from rfl_match.io.csv import neutralise_formulas

            neutralise_formulas(frame).to_csv(path, index=False, sep=sep, encoding="utf-8")
    elif kind == "xlsx":
        from rfl_match.io.excel import write_excel

        try:
            write_excel({"data": frame}, path)
        except ValueError as exc:
            raise OutputError(str(exc)) from exc
    elif kind == "parquet":
        from rfl_match.io.parquet import write_parquet

        write_parquet(frame, path)
    else:
        from rfl_match.io.pfif import write_pfif_notes, write_pfif_persons

        if {"request_id", "sighting_id"} <= set(frame.columns):
            write_pfif_notes(frame, path, **pfif_options)
        elif "record_id" in frame.columns:
            write_pfif_persons(frame, path)
        else:
            raise OutputError(
                f"{path}: PFIF holds persons or notes linking two records; this table has "
                "neither record_id nor request_id and sighting_id: write .csv instead"
            )
