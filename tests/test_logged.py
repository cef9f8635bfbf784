"""What a problem says in a log line (``Problem.logged``): stderr, a warning, an error's
message, which job logs keep. README, Privacy: its value only where it says nothing of a
person; a name, a date of birth, a place, a cell of the user's own and a whole row read
"value not shown". The guard here is over every kind of problem validation raises, each
fed a marker: a message that carries a value breaks the promise as surely as a value
shown, and only the value is masked."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

import rfl_match as rm
from rfl_match.io.read import load_records
from rfl_match.schema import NAME_FIELDS, Problem

#: The synthetic person whose every field is a marker: nothing of them may be logged.
PERSON = {
    "full_name": "Zqxgiv Zqxfam",
    "given_name": "Zqxgiv",
    "family_name": "Zqxfam",
    "alternate_names": "Zqxalt",
    "father_name": "Zqxfat",
    "mother_name": "Zqxmot",
    "grandfather_name": "Zqxgrf",
    "sex": "female",
    "date_of_birth": "",
    "age": "",
    "source_date": "2020-01-01",
    "place_of_birth": "Zqxpob",
    "place_of_origin": "Zqxpoo",
    "last_known_location": "Zqxlkl",
    "nationality": "Zqxnat",
    "notes": "ZQXNOTE private remark",
    "phone": "ZQXPHONE 0791 555",
}

#: Each row: the fields that differ from PERSON, and whether the row raises a problem of
#: its own (a formula, or a long cell of the user's own, is no problem of validation: it
#: is here for a message that would say it).
ROWS: list[tuple[dict[str, str], bool]] = [
    ({"date_of_birth": "1937-11-23", "age": "47"}, True),  # far apart
    ({"age": "58", "source_date": ""}, True),  # no source date to read the age as of
    ({"age": "63", "source_date": "20201301"}, True),  # the source date blanked
    ({"date_of_birth": "Zqxdob 1937"}, True),
    ({"age": "Zqxage"}, True),
    ({"date_of_birth": "2021-08-14"}, True),  # after the source date
    ({"date_of_birth": "2091-03-17", "source_date": ""}, True),  # after today
    ({"date_of_birth": "1899-06-06", "source_date": ""}, True),  # a stand-in
    ({"date_of_birth": "1861-02-19"}, True),  # more than 120 years before
    ({"full_name": "Zqxlongname " + "a" * 1100}, True),
    ({"place_of_birth": "Zqxlongplace " + "p" * 1100}, True),
    ({"notes": "ZQXLONGNOTE " + "n" * 1100}, False),
    ({"father_name": "=HYPERLINK(Zqxformula)", "notes": "@Zqxformnote"}, False),
    ({"mother_name": "Zqxsurr\ud800ogate"}, True),
    ({k: "98765 4321" for k in NAME_FIELDS}, True),
    ({"date_of_birth": "Zqxplaceholder child"}, True),
    ({"date_of_birth": "11/23/1937"}, False),  # with the next: the column's order note
    ({"date_of_birth": "24/11/1938"}, False),
    ({"date_of_birth": "05/06/1939"}, True),  # either way, in a column of both orders
]

#: What is no one's to log: each marker, and the values of ROWS that name no one but
#: still say something of a person (dates of birth, ages as words).
MARKERS = re.compile(
    r"zqx|1937|1938|1939|2021-08-14|2091-03-17|1899-06-06|1861-02-19|0791|98765|\b(47|58|63)\b",
    re.IGNORECASE,
)


def _frame(ids: list[str] | None = None) -> pd.DataFrame:
    rows = [{**PERSON, **changed} for changed, _ in ROWS]
    frame = pd.DataFrame(rows, dtype=object)  # a lone surrogate is no arrow string
    frame.insert(0, "record_id", ids or [f"R{k}" for k in range(1, len(rows) + 1)])
    return frame


def _logged(problems: list[Problem]) -> list[str]:
    return [p.logged() for p in problems]


def _leaks(lines: list[str]) -> list[str]:
    return [line for line in lines if MARKERS.search(line)]


def test_no_kind_of_problem_logs_a_persons_data() -> None:
    """Every problem validation raises on the rows, each found, and not one log line
    holds a marker: the age and date of birth noted far apart said both in their words
    ("age 30 (as of 2020-01-01) and date of birth 1937-11-23 more than 5 years apart ...
    (value not shown)")."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = rm.read_records(_frame())
    problems = out.attrs["problems"]
    # each row raises its problem (the guard guards nothing where a row raises none)
    noted = {p.row for p in problems if p.row is not None}
    assert noted == {k for k, (_, raises) in enumerate(ROWS, 1) if raises}
    assert [p.column for p in problems if p.row is None] == ["date_of_birth"]  # the order
    assert _leaks(_logged(problems)) == []
    # the values stay where the data holder reads them
    assert any(MARKERS.search(p.value) for p in problems)


def test_no_fatal_problem_logs_a_persons_data() -> None:
    """Blank and repeated ids refuse the input: the error's message, which a job log
    keeps, holds no marker of the rows."""
    ids = [f"R{k}" for k in range(1, len(ROWS) + 1)]
    ids[1] = ""
    ids[3] = ids[2]
    with pytest.raises(rm.RecordError) as error:
        rm.read_records(_frame(ids))
    assert "blank record id" in str(error.value)
    assert "duplicate record id in rows 3, 4" in str(error.value)
    assert _leaks(str(error.value).splitlines()) == []


def test_no_problem_of_a_csv_file_logs_a_persons_data(tmp_path: Path) -> None:
    """Read from a file: the reader's problems too (a ragged row, a repeated header, an
    exact copy and an id used by rows with different details, a NUL byte, a formula),
    as the command reads it and as read_records refuses it."""
    frame = _frame()
    header = ",".join(frame.columns)
    # a lone surrogate is no UTF-8: the file would be read in another encoding
    lines = [header] + [",".join(row).replace("\ud800", "") for row in frame.values.tolist()]
    lines.append(lines[1])  # an exact copy of row 1
    lines.append(lines[2].replace("Zqxgiv", "Zqxgivother", 1))  # row 2's id, other details
    lines.append("R90,Zqxragged Zqxfam,Zqxragged,,,,,,,,,,,,ZQXNOTE,ZQXPHONE,Zqxextra")
    lines.append(header)  # two files joined
    lines.append(lines[5].replace("Zqxfat", "Zqx\x00fat").replace("R5,", "R91,", 1))
    path = tmp_path / "requests.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        loaded = load_records(path)  # as the command reads it: the rows rejected, told
        with pytest.raises(rm.RecordError) as error:  # as the library does: refused
            rm.read_records(path)
    said = " | ".join(p.message for p in loaded.problems)
    for what in ("exact copy", "different details", "fields, the header has", "repeated header"):
        assert what in said, what
    for what in ("NUL character", "spreadsheet formula"):
        assert what in said, what
    assert _leaks(_logged(loaded.problems)) == []
    assert _leaks(str(error.value).splitlines()) == []
    assert _leaks([str(w.message) for w in caught]) == []
