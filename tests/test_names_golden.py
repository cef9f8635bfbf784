"""Golden tables: one CSV per script or culture in tests/golden/names_*.csv."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from rfl_match.names import normalize_name

GOLDEN = Path(__file__).parent / "golden"
FILES = sorted(GOLDEN.glob("names_*.csv"))


def _rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for path in FILES:
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend((path.stem, row) for row in csv.DictReader(handle))
    return rows


def test_every_table_has_at_least_30_rows() -> None:
    expected = {
        "names_arabic", "names_persian_dari_pashto", "names_cyrillic", "names_geez",
        "names_somali", "names_latin_diacritics", "names_burmese",
    }  # fmt: skip
    counts: dict[str, int] = {}
    for table, _ in _rows():
        counts[table] = counts.get(table, 0) + 1
    assert expected <= set(counts)
    assert all(counts[t] >= 30 for t in expected), counts


@pytest.mark.parametrize(("table", "row"), _rows(), ids=lambda v: v if isinstance(v, str) else "")
def test_golden_row(table: str, row: dict[str, str]) -> None:
    form = normalize_name(row["input"], culture=row["culture"] or None)
    assert " ".join(form.tokens) == row["tokens"]
    assert " ".join(form.variant_ids) == row["variant_ids"]
    assert " ".join(r or "-" for r in form.roles) == row["roles"]
    assert " ".join(form.titles) == row["titles"]
