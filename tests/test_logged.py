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
from rfl_match.privacy import EncodingError, check_encodings, encode_records
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
    ({"record_id": "Zqx two", "age": "58", "source_date": ""}, True),  # no source date
    ({"age": "63", "source_date": "20201301"}, True),  # the source date blanked
    ({"date_of_birth": "Zqxdob 1937"}, True),
    ({"age": "Zqxage"}, True),
    ({"age": "47m"}, True),  # ambiguous: the message says N for the number
    ({"age": "51/52"}, True),
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
    # the columns whose values a log line shows, each holding what is none of theirs
    ({"sex": "Zqxsex"}, True),
    ({"source_date": "Zqxsrc 2020"}, True),
    ({"record_id": "ZqxID" + "9" * 1000}, True),
]

#: What is no one's to log: each marker, and the values of ROWS that name no one but
#: still say something of a person (dates of birth, ages as words).
MARKERS = re.compile(
    r"zqx|1937|1938|1939|2021-08-14|2091-03-17|1899-06-06|1861-02-19|0791|98765|\b(47|51|58|63)\b",
    re.IGNORECASE,
)


def _frame(ids: list[str] | None = None) -> pd.DataFrame:
    rows = [{"record_id": f"R{k}", **PERSON, **changed} for k, (changed, _) in enumerate(ROWS, 1)]
    frame = pd.DataFrame(rows, dtype=object)  # a lone surrogate is no arrow string
    if ids is not None:
        frame["record_id"] = ids
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
    ids[2] = ids[3] = "Zqx dup"  # no id written so: a name shifted into its column
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
    # a quote left open in an id, a sex and a source date cell, each taking in the rest
    # of its row and the next row
    person = lines[1].split(",")
    for column in ("record_id", "sex", "source_date"):
        at = list(frame.columns).index(column)
        opened = [*person[:at], '"' + person[at], *person[at + 1 :]]
        lines += [",".join(opened), lines[4].replace("Zqxgiv", "Zqxswallowed", 1) + '"']
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
    for what in ("NUL character", "spreadsheet formula", "a quote left open"):
        assert what in said, what
    assert _leaks(_logged(loaded.problems)) == []
    assert _leaks(str(error.value).splitlines()) == []
    assert _leaks([str(w.message) for w in caught]) == []


@pytest.mark.parametrize(
    ("column", "value", "shown"),
    [
        ("record_id", "RQ-2023-000123", True),
        ("record_id", "RQX20,Zqxgivr Zqxfamr,Zqxgivr,Zqxfamr,,Zqxfatr", False),
        ("record_id", "Amina Yusuf", False),
        ("record_id", "R" * 41, False),
        ("request_id", "R7", True),
        ("sex", "fem", True),
        ("sex", "Amina", False),
        ("sex", "female,1937-11-23,,2020-01-01,,,,\nRQX23,Zqxgivu", False),
        ("source_date", "2020-13-01", True),
        ("source_date", "12/25/2009", True),
        ("source_date", "Zqxsrcj", False),
        ("match_probability", "1.5", True),
        ("match_probability", "n/a", True),
        ("match_probability", "Amina Yusuf", False),
        ("is_match", "maybe", True),
        ("is_match", "yes\nR2,Amina", False),
        ("full_name", "Amina", False),
        (None, "R1", False),
    ],
)
def test_a_value_is_shown_only_in_its_columns_and_as_it_looks_there(
    column: str | None, value: str, shown: bool
) -> None:
    """A value of an id, sex or a record's date is shown as long as it looks like one:
    a quote left open in such a cell filled it with the rest of its row, which was shown
    ("(value 'female,1937-11-23,,2020-01-01,,,,\\nRQX23,Zqxgivu Zqxfamu,Zqxg')")."""
    said = Problem(3, column, "malformed", value).logged()
    assert said.endswith(f"(value {value!r})" if shown else "(value not shown)")


def test_no_encoding_message_logs_what_a_cell_of_the_encoding_column_holds() -> None:
    """An encoded frame's ``encoding`` cells are its records': an encoding's settings
    (scheme, bits, the key's check value) are shown where two differ, and what a row
    shifted into the column (a date of birth, a name) is not. The messages quoted each
    cell whole: "2 different encodings in one input ('rfl_match-bloom/1 ...',
    'Zqxgiv 1937-11-23')"."""
    plain = rm.read_records(pd.DataFrame({"record_id": ["R1", "R2"], "full_name": ["Ana", "Li"]}))
    encoded = encode_records(plain, "k" * 32)
    setting = encoded["encoding"].iloc[0]
    shifted = encoded.assign(encoding=[setting, "Zqxgiv 1937-11-23"])
    with pytest.raises(rm.RecordError) as error:
        rm.read_records(shifted)
    with pytest.raises(EncodingError) as mixed:
        check_encodings(shifted, encoded)
    other = encoded.assign(encoding="Zqxgiv 1937-11-23")
    with pytest.raises(rm.RecordError) as between:
        rm.Linker().fit(encoded, other)
    with pytest.raises(EncodingError) as pair:
        check_encodings(encoded.assign(encoding="rfl_match-bloom/1 Zqxgiv=1937"), encoded)
    said = [str(e.value) for e in (error, mixed, between, pair)]
    assert _leaks(said) == []
    assert "2 different encodings in one input" in said[0]
    assert all(setting in message for message in said[:3]), said
    assert "a text not shown" in said[0]
