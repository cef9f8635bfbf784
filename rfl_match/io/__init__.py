"""Reading and writing records: CSV (and more formats in their own modules)."""

from rfl_match.io.csv import read_csv_text, write_table
from rfl_match.io.read import read_records

__all__ = ["read_csv_text", "read_records", "write_table"]
