"""Golden tables of blocking keys: tests/golden/blocking_*.csv, one per culture, each row two
names (full name, and given and family name fields where a form has them) that one rule
alone must or must not bring together."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from rfl_match.blocking import block
from rfl_match.prepare import PreparedPair
from rfl_match.schema import validate_records

GOLDEN = Path(__file__).parent / "golden"


def _rows() -> list[tuple[str, dict[str, str]]]:
    rows = []
    for path in sorted(GOLDEN.glob("blocking_*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            rows.extend((path.stem, row) for row in csv.DictReader(handle))
    return rows


def _record(row: dict[str, str], side: str, prefix: str) -> pd.DataFrame:
    return validate_records(
        pd.DataFrame(
            {
                "record_id": [f"{prefix}0"],
                "full_name": [row[f"{side}_full"]],
                "given_name": [row[f"{side}_given"]],
                "family_name": [row[f"{side}_family"]],
            }
        )
    )


def test_every_culture_has_a_table() -> None:
    tables = {table for table, _ in _rows()}
    assert {
        "blocking_chains_arabic", "blocking_chains_somali", "blocking_chains_habesha",
        "blocking_compounds_afghan",
    } <= tables  # fmt: skip


@pytest.mark.parametrize(("table", "row"), _rows(), ids=lambda v: v if isinstance(v, str) else "")
def test_golden_pair(table: str, row: dict[str, str]) -> None:
    data = PreparedPair(_record(row, "left", "l"), _record(row, "right", "r"))
    pairs = block(data, [(row["rule"],)], max_block=10_000)
    assert (len(pairs) == 1) == (row["meets"] == "yes"), (table, row)


@pytest.mark.parametrize(
    ("culture", "meets"),
    [(None, True), ("arabic", True), ("somali", True), ("spanish", False), ("vietnamese", False)],
)
def test_a_full_names_first_two_parts_meet_where_names_may_chain(
    culture: str | None, meets: bool
) -> None:
    """Nguyen Thi Lan / Nguyen Thi Hoa share only the full name's first two parts: where
    names may chain (the hint says so, or there is none) a shortened chain may be the same
    person, and they meet; a hint of a culture whose names do not chain (a Vietnamese
    middle name, a Spanish double given name: sisters and namesakes share them) keeps
    them apart. With no hint, a name that reads Vietnamese in its native order (Thị its
    second part: ``vietnamese_order``) is read given name first, Lan Thi Nguyen, and keeps
    apart as under the hint; Nguyen Tho Lan, where nothing says so, meets."""
    for middle, vietnamese in (("Thi", True), ("Tho", False)):
        row = {
            "left_full": f"Nguyen {middle} Lan", "left_given": "Lan", "left_family": "Nguyen",
            "right_full": f"Nguyen {middle} Hoa", "right_given": "Hoa", "right_family": "Nguyen",
        }  # fmt: skip
        data = PreparedPair(_record(row, "left", "l"), _record(row, "right", "r"), culture=culture)
        pairs = block(data, [("name_pair_any",)], max_block=10_000)
        read_apart = vietnamese and culture is None
        assert (len(pairs) == 1) == (meets and not read_apart), middle
