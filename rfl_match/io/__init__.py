"""Reading and writing records: CSV, Excel, Parquet and PFIF, chosen by file suffix."""

from rfl_match.io.csv import read_csv_text
from rfl_match.io.read import (
    LoadedRecords,
    load_records,
    read_header,
    read_pairs,
    read_records,
    read_table,
)
from rfl_match.io.table import RejectedRow, Table
from rfl_match.io.write import OutputError, write_table

__all__ = [
    "LoadedRecords",
    "OutputError",
    "RejectedRow",
    "Table",
    "load_records",
    "read_csv_text",
    "read_header",
    "read_pairs",
    "read_records",
    "read_table",
    "write_table",
]
