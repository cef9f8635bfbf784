"""Reading records: encodings, delimiters, mapping, and every kind of bad input."""

from __future__ import annotations

import base64
import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import rfl_match as rm
from rfl_match.io import load_records
from rfl_match.schema import (
    Problem,
    is_validated,
    near_canonical_field,
    validate_records,
    validated_calendars,
)

GOOD = "record_id,full_name,date_of_birth,age,source_date\nr1,Ali Hassan,2009,,2020-01-01\n"


def write(tmp_path: Path, text: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16", b""), ("cp1252", b"")],
)
def test_reads_encodings(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    text = (
        "record_id,full_name\nr1,José Müller\nr2,محمد\n"
        if encoding != "cp1252"
        else ("record_id,full_name\nr1,José Müller\nr2,Zoë\n")
    )
    frame = rm.read_records(write(tmp_path, prefix + text.encode(encoding)))
    assert frame["full_name"].iloc[0] == "José Müller"
    assert list(frame["record_id"]) == ["r1", "r2"]


@pytest.mark.parametrize("filler", [0, 2_000])  # the odd line in the first bytes, or past them
def test_a_utf8_file_with_a_line_in_cp1252_loses_no_letter(tmp_path: Path, filler: int) -> None:
    # A record typed in elsewhere: that line is read as cp1252 and reported; the rest of
    # the file stays UTF-8 (read whole as cp1252, José would become JosÃ©).
    lines = [b"record_id,full_name", "r1,José Ñandú".encode()]
    lines += [f"f{i},Amina Yusuf Hassan Mohamed".encode() for i in range(filler)]
    lines += ["r2,René Müller".encode("cp1252"), "r3,Zoë".encode()]
    frame = rm.read_records(write(tmp_path, b"\r\n".join(lines) + b"\r\n"))
    names = dict(zip(frame["record_id"], frame["full_name"], strict=True))
    assert (names["r1"], names["r2"], names["r3"]) == ("José Ñandú", "René Müller", "Zoë")
    assert len(frame) == filler + 3
    notes = [p for p in frame.attrs["problems"] if "not UTF-8" in p.message]
    assert [p.row for p in notes] == [filler + 2]


@pytest.mark.parametrize(
    "rows",
    [
        # a quote closed a line late: r3 is inside r2's place
        ["r1,Amina,Bosaso", 'r2,Hassan,"Bosaso', 'r3,Farah,Malta",x', "r4,Omar,Kismayo"],
        # a quote never closed: every row after it is inside r2's place
        ["r1,Amina,Bosaso", 'r2,Hassan,"Bosaso', "r3,Farah,Malta", "r4,Omar,Kismayo"],
    ],
)
def test_rows_taken_into_a_quoted_cell_are_reported(tmp_path: Path, rows: list[str]) -> None:
    text = "record_id,full_name,place_of_birth\n" + "\n".join(rows) + "\n"
    frame = rm.read_records(write(tmp_path, text))
    notes = [p for p in frame.attrs["problems"] if "quote left open" in p.message]
    assert [(p.row, p.column) for p in notes] == [(2, "place_of_birth")]


def test_a_cell_over_two_lines_without_the_delimiter_is_no_problem(tmp_path: Path) -> None:
    text = 'record_id,full_name,place_of_birth\nr1,Amina,"Bosaso\nSomalia"\nr2,Omar,Kismayo\n'
    frame = rm.read_records(write(tmp_path, text))
    assert frame["place_of_birth"].iloc[0] == "Bosaso\nSomalia"
    assert not [p for p in frame.attrs["problems"] if "quote left open" in p.message]


def test_a_cp1252_file_reads_as_cp1252_without_notes(tmp_path: Path) -> None:
    text = "record_id,full_name\nr1,René Müller\nr2,Zoë\n"
    frame = rm.read_records(write(tmp_path, text.encode("cp1252")))
    assert list(frame["full_name"]) == ["René Müller", "Zoë"]
    assert not [p for p in frame.attrs["problems"] if "not UTF-8" in p.message]


@pytest.mark.parametrize("delimiter", [",", ";", "\t"])
def test_sniffs_delimiter(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["record_id", "full_name", "sex"]) + "\n"
    text += delimiter.join(["r1", "Ali, Hassan" if delimiter != "," else "Ali Hassan", "m"])
    frame = rm.read_records(write(tmp_path, text + "\n"))
    assert list(frame.columns[:3]) == ["record_id", "full_name", "sex"]
    assert frame["sex"].iloc[0] == "male"


def test_mapping_and_extra_columns_kept(tmp_path: Path) -> None:
    path = write(tmp_path, "ID,Nom complet,Camp\nA1,Amina Yusuf,Zaatari\n")
    frame = rm.read_records(path, mapping={"ID": "record_id", "Nom complet": "full_name"})
    assert frame.loc[0, "full_name"] == "Amina Yusuf"
    assert frame.loc[0, "Camp"] == "Zaatari"


FRENCH = "ID,Nom complet,Date de naissance,Père,Lager\nA1,Amina Yusuf,2009-03-01,Yusuf,Zaatari\n"


def test_a_mapping_target_that_misspells_a_canonical_field_warns(tmp_path: Path) -> None:
    path = write(tmp_path, FRENCH)
    mapping = {
        "ID": "record_id",
        "Nom complet": "full_name",
        "Date de naissance": "date_of_brith",
        "Père": "Father Name",
        "Lager": "camp",
    }
    for read in (rm.read_records, lambda *a: load_records(*a).records):
        with pytest.warns(UserWarning) as caught:
            frame = read(path, mapping)
        assert [str(w.message) for w in caught] == [
            "mapping 'Date de naissance' -> 'date_of_brith': not a canonical field; did you "
            "mean 'date_of_birth'? As mapped, the column is kept as 'date_of_brith', compared "
            "only if a configuration names it",
            "mapping 'Père' -> 'Father Name': not a canonical field; did you mean "
            "'father_name'? As mapped, the column is kept as 'Father Name', compared only if "
            "a configuration names it",
        ]
        assert {w.filename for w in caught} == {__file__}  # where the caller read
        assert "date_of_birth" not in frame.columns  # what the warning is about
    # A frame, and a mapping whose entry for an absent column is skipped, the same.
    with pytest.warns(UserWarning) as caught:
        rm.read_records(pd.read_csv(path, dtype=str), mapping)
    assert len(caught) == 2 and "'date_of_brith'" in str(caught[0].message)
    with pytest.warns(UserWarning) as caught:
        load_records(path, mapping | {"Mère": "mothers_name"}, skip_absent_mapping=True)
    assert len(caught) == 2 and "Mère" not in str(caught[1].message)


def test_a_mapping_reads_columns_numbered_and_says_what_it_cannot_follow() -> None:
    # A frame read with header=None names its columns 0, 1: a mapping of them was ignored
    # ("no record id column"). A target that is no name, or two columns mapped to one
    # field, were told as their effects ("no name column", "appears more than once").
    numbered = pd.DataFrame([["r1", "Ali Hassan"], ["r2", "Omar Said"]])
    out = rm.read_records(numbered, mapping={0: "record_id", 1: "full_name"})  # type: ignore[dict-item]
    assert out["full_name"].tolist() == ["Ali Hassan", "Omar Said"]
    frame = pd.DataFrame({"id": ["r1"], "n": ["Ali"], "m": ["Omar"]})
    with pytest.raises(rm.RecordError, match="column 'n': mapping: 5 is no column name"):
        rm.read_records(frame, mapping={"id": "record_id", "n": 5})  # type: ignore[dict-item]
    with pytest.raises(rm.RecordError, match="'n' and 'm' are both mapped to it"):
        rm.read_records(frame, mapping={"id": "record_id", "n": "full_name", "m": "full_name"})
    # a key mapped onto a column the input has (or spells) already: the mapping's doing,
    # said of it, where it was told as a column the input held twice
    for other in ("full_name", "Full Name"):
        held = frame.rename(columns={"m": other})
        with pytest.raises(rm.schema.MappingError) as info:
            rm.read_records(held, mapping={"id": "record_id", "n": "full_name"})
        assert [str(p) for p in info.value.problems] == [
            "column 'full_name': mapping: 'n' = 'full_name' gives the column 'n' a name "
            f"another column of the input has already ({other!r}); map 'n' to another "
            f"name, or {other!r} to one"
        ]
    # a key that is another file's header: no mistake
    mapped = rm.read_records(
        frame, mapping={"id": "record_id", "n": "full_name", "Nom": "full_name"}
    )
    assert mapped["full_name"].tolist() == ["Ali"]


def test_an_id_longer_than_any_id_is_kept_and_told() -> None:
    # A cell of a million characters under record_id (a row pasted into one cell): kept,
    # for the output is joined back by it, but told, as a name that long is.
    frame = pd.DataFrame({"record_id": ["r1", "x" * 1_000_000], "full_name": ["Ali", "Omar"]})
    out = validate_records(frame)
    assert out["record_id"].str.len().tolist() == [2, 1_000_000]
    assert [(p.row, p.column, p.message) for p in out.attrs["problems"]] == [
        (2, "record_id", "1,000,000 characters: longer than any id is; kept as written")
    ]


def test_the_problems_are_shared_by_the_frames_derived_not_copied(tmp_path: Path) -> None:
    """pandas deep-copies a frame's attrs at every step it takes from it: the problems of
    dirty records (tens of thousands) copied at each column read made a fit three times
    as slow. The frames derived share the one list; it is a list of Problem still, and
    a Parquet file holds it as before."""
    frame = pd.DataFrame(
        {
            "record_id": [f"r{i}" for i in range(6)],
            "full_name": ["Ali Hassan"] * 6,
            "date_of_birth": ["31/31/1999", "1990-01-02"] * 3,
        }
    )
    out = validate_records(frame)
    problems = out.attrs["problems"]
    assert isinstance(problems, list) and len(problems) == 3
    assert all(isinstance(p, Problem) for p in problems)
    for derived in (out[["full_name"]], out["date_of_birth"], out.copy(), out.head(2)):
        assert derived.attrs["problems"] is problems
    out.to_parquet(tmp_path / "records.parquet")
    read = pd.read_parquet(tmp_path / "records.parquet")
    assert [list(p) for p in read.attrs["problems"]] == [list(p) for p in problems]


def test_a_name_of_no_letter_is_told_as_a_blank_one_is() -> None:
    # "...", "123" or an emoji names no one: normalisation reads no part of it and the
    # record matches as nameless, which a blank name is told and these were not.
    frame = pd.DataFrame(
        {
            "record_id": ["r1", "r2", "r3", "r4", "r5"],
            "full_name": ["...", "123", "😀", "Ali Hassan", "?"],
            "given_name": ["", "", "", "", "Omar"],
        }
    )
    out = validate_records(frame)
    assert [str(p) for p in out.attrs["problems"]] == [
        f"row {row}: no letter in any name column: no name to match; kept (value {value!r})"
        for row, value in ((1, "..."), (2, "123"), (3, "😀"))
    ]
    assert out["full_name"].tolist() == frame["full_name"].tolist()  # kept as written


@pytest.mark.parametrize(
    ("target", "field"),
    [
        ("date_of_brith", "date_of_birth"),  # two letters swapped
        ("Date of Birth", "date_of_birth"),  # case and spaces
        ("fathername", "father_name"),
        ("fathers_name", "father_name"),  # one letter added
        ("nationalty", "nationality"),  # one dropped
        ("grand-father_name", "grandfather_name"),
        ("Age", "age"),
        (" full_name", "full_name"),
        # the user's own columns, which a configuration may compare
        ("camp", None),
        ("case_number", None),
        ("father_full_name", None),
        ("mother_full_name", None),
        ("source_name", None),  # a PFIF field, two letters from source_date
        ("date_of_death", None),
        ("family_name_2", None),  # numbered: a second family name
        ("tag", None),  # one letter from age, but a word of its own
        ("sexe", None),
        ("full_name", None),  # canonical: nothing to say
    ],
)
def test_near_canonical_field(target: str, field: str | None) -> None:
    assert near_canonical_field(target) == field


def test_extra_column_targets_do_not_warn(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "ID,Nom,Lager,Dossier,Père (nom complet),Source,Nom 2\nA1,Amina,Z,C-1,Yusuf Ali,S,B\n",
    )
    mapping = {
        "ID": "record_id",
        "Nom": "full_name",
        "Lager": "camp",
        "Dossier": "case_number",
        "Père (nom complet)": "father_full_name",
        "Source": "source_name",
        "Nom 2": "family_name_2",
    }
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        frame = rm.read_records(path, mapping)
        load_records(path, mapping)
    assert frame.loc[0, "father_full_name"] == "Yusuf Ali"


def test_header_case_and_spaces_recognised(tmp_path: Path) -> None:
    frame = rm.read_records(write(tmp_path, "Record ID,Full Name\nx,Ivan Petrov\n"))
    assert list(frame.columns) == ["record_id", "full_name"]


def test_missing_id_and_name_columns_listed_together(tmp_path: Path) -> None:
    with pytest.raises(rm.RecordError) as info:
        rm.read_records(write(tmp_path, "id_number,camp\n1,Zaatari\n"))
    messages = " | ".join(str(p) for p in info.value.problems)
    assert "record id" in messages
    assert "no name column" in messages
    assert len(info.value.problems) == 2


def test_duplicate_and_blank_ids_give_rows(tmp_path: Path) -> None:
    text = "record_id,full_name\nr1,A\nr2,B\nr1,C\n,D\n"
    with pytest.raises(rm.RecordError) as info:
        rm.read_records(write(tmp_path, text))
    messages = [str(p) for p in info.value.problems]
    assert any("rows 1, 3" in m and "'r1'" in m for m in messages)
    assert any(m.startswith("row 4") and "blank record id" in m for m in messages)


def test_empty_file(tmp_path: Path) -> None:
    with pytest.raises(rm.RecordError, match="empty"):
        rm.read_records(write(tmp_path, b""))


def test_header_only_file(tmp_path: Path) -> None:
    with pytest.raises(rm.RecordError, match="no data rows"):
        rm.read_records(write(tmp_path, "record_id,full_name\n"))


def test_binary_file_is_not_csv(tmp_path: Path) -> None:
    with pytest.raises(rm.RecordError, match="binary"):
        rm.read_records(write(tmp_path, b"PK\x03\x04\x00\x00\x08\x00" * 50))


def test_unsupported_suffix(tmp_path: Path) -> None:
    with pytest.raises(rm.RecordError, match="unsupported"):
        rm.read_records(write(tmp_path, GOOD, name="in.docx"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(rm.RecordError, match="not found"):
        rm.read_records(tmp_path / "nope.csv")


def test_malformed_date_and_age_keep_row_and_are_reported(tmp_path: Path) -> None:
    text = (
        "record_id,full_name,date_of_birth,age,source_date\n"
        "r1,Ali,2009-13-40,,2020-01-01\n"
        "r2,Omar,2010,9+,2020-01-01\n"
        "r3,Aya,2011-02-03,7,not a date\n"
    )
    frame = rm.read_records(write(tmp_path, text))
    assert len(frame) == 3
    assert frame["date_of_birth"].tolist() == ["", "2010", "2011-02-03"]
    assert frame["age"].tolist() == ["", "", "7"]
    assert frame["source_date"].tolist() == ["2020-01-01", "2020-01-01", ""]
    problems = {(p.row, p.column) for p in frame.attrs["problems"]}
    assert problems == {(1, "date_of_birth"), (2, "age"), (3, "source_date")}


def test_a_date_age_or_sex_written_as_unknown_is_blank_without_a_note(tmp_path: Path) -> None:
    """A register writes "Unknown", "N/A" or "-" where it does not know: blanked as a missing
    value is, not reported as malformed; a value that is no date still is."""
    text = (
        "record_id,full_name,date_of_birth,age,sex,source_date\n"
        "r1,Ali,Unknown,N/A,unknown,2020-01-01\n"
        "r2,Omar,N/A,-,-,Not known\n"
        "r3,Aya,مجهول,unknown,N/A,2020-01-01\n"
        "r4,Huda,1990-31-31,9+,F,2020-01-01\n"
    )
    frame = rm.read_records(write(tmp_path, text))
    assert frame["date_of_birth"].tolist() == ["", "", "", ""]
    assert frame["age"].tolist() == ["", "", "", ""]
    assert frame["sex"].tolist() == ["", "", "", "female"]
    assert frame["source_date"].tolist() == ["2020-01-01", "", "2020-01-01", "2020-01-01"]
    problems = {(p.row, p.column) for p in frame.attrs["problems"]}
    assert problems == {(4, "date_of_birth"), (4, "age")}


def test_ragged_rows_rejected_with_row_numbers_good_rows_kept(tmp_path: Path) -> None:
    text = "record_id,full_name\nr1,Ali\nr2,Omar,extra,fields\nr3,Aya\n"
    frame = rm.read_records(write(tmp_path, text))
    assert frame["record_id"].tolist() == ["r1", "r3"]
    rejected = [p for p in frame.attrs["problems"] if "fields" in p.message]
    assert [p.row for p in rejected] == [2]


def test_huge_field_is_read(tmp_path: Path) -> None:
    big = "x" * 1_000_000
    frame = rm.read_records(write(tmp_path, f"record_id,full_name,notes\nr1,Ali,{big}\n"))
    assert len(frame.loc[0, "notes"]) == 1_000_000


def test_dataframe_input_is_validated() -> None:
    frame = pd.DataFrame({"record_id": ["a", "b"], "given_name": ["Ali", None], "sex": ["F", "?"]})
    out = rm.read_records(frame)
    assert out["given_name"].tolist() == ["Ali", ""]
    assert out["sex"].tolist() == ["female", ""]
    assert [p.row for p in out.attrs["problems"]] == [2]  # no name at all in row 2


def test_unchanged_columns_share_the_callers_buffers() -> None:
    """Validation copies only the columns it changes: the others stay the caller's text (a
    million rows a side are not held twice), and the caller's frame is left as it was."""
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b"],
            "full_name": ["Ali Hassan", " Omar "],
            "sex": ["female", "M"],
            "age": ["7", "12"],
        },
        dtype=pd.StringDtype("pyarrow"),
    )
    before = frame.copy()
    out = validate_records(frame)

    def shares(column: str) -> bool:
        mine = {b.address for c in out[column].array._pa_array.chunks for b in c.buffers() if b}
        theirs = {b.address for c in frame[column].array._pa_array.chunks for b in c.buffers() if b}
        return bool(mine & theirs)

    assert shares("record_id") and shares("age")
    assert not shares("full_name") and not shares("sex")
    assert out["full_name"].tolist() == ["Ali Hassan", "Omar"]
    assert out["sex"].tolist() == ["female", "male"]
    out.loc[0, "age"] = "8"
    pd.testing.assert_frame_equal(frame, before)


def test_lone_surrogates_are_reported_not_a_crash() -> None:
    """Text decoded with ``surrogateescape`` holds lone surrogates, which no file, Arrow
    column or terminal can take: a name is kept with U+FFFD in their place, and reported;
    an id cannot be changed behind the user's back, so it is an error that names the row."""
    frame = pd.DataFrame(
        {"record_id": ["a", "b"], "full_name": ["Ali\udcc3 Hassan", "Omar"]}, dtype=object
    )
    out = validate_records(frame)
    assert out["full_name"].tolist() == ["Ali\ufffd Hassan", "Omar"]
    [problem] = out.attrs["problems"]
    assert (problem.row, problem.column) == (1, "full_name")
    assert "lone surrogate" in problem.message and "kept" in problem.message
    str(problem).encode("utf-8")  # printable

    python_text = validate_records(frame.astype("string[python]"))  # Python strings too
    assert python_text["full_name"].tolist() == ["Ali\ufffd Hassan", "Omar"]
    assert len(python_text.attrs["problems"]) == 1

    frame.loc[1, "record_id"] = "b\ud800"
    with pytest.raises(rm.RecordError) as caught:
        validate_records(frame)
    [problem] = caught.value.problems
    assert (problem.row, problem.column) == (2, "record_id")
    str(caught.value).encode("utf-8")


def test_bytes_that_are_not_utf8_are_reported_not_a_crash() -> None:
    """A bytes cell that is not UTF-8 (a frame built from raw bytes) is read as
    ``surrogateescape`` reads it: a name kept with U+FFFD for each bad byte and reported
    with its row and column, an id refused by its row (pandas' own decoding raised a bare
    UnicodeDecodeError). Bytes that are UTF-8 are their text."""
    frame = pd.DataFrame(
        {"record_id": ["a", "b"], "full_name": [b"\xff\xfe Ahmed", b"Ali"]}, dtype=object
    )
    out = rm.read_records(frame)
    assert out["full_name"].tolist() == ["\ufffd\ufffd Ahmed", "Ali"]
    [problem] = out.attrs["problems"]
    assert (problem.row, problem.column) == (1, "full_name")
    assert "not valid Unicode" in problem.message and "kept" in problem.message

    frame["record_id"] = pd.Series(["a", b"b\xff"], dtype=object)
    with pytest.raises(rm.RecordError) as caught:
        validate_records(frame)
    assert [(p.row, p.column) for p in caught.value.problems] == [(2, "record_id")]


def test_typed_dates_in_a_frame_are_read_as_dates() -> None:
    """Dates given as dates, not text (datetime64, with a zone, with a time of day, Arrow's
    timestamps and dates, Python dates in an object column) or as years held as floats
    (a year column with a blank reads as floats) are read as the dates they are, not
    blanked as malformed: a time of day in a date column is read past, a zone's date is
    the one written there."""
    base = pd.DataFrame({"record_id": ["a", "b"], "full_name": ["Ahmed Ali", "Sara Omar"]})
    kabul = pd.to_datetime(["2020-05-01 00:30", "1985-06-07 23:00"]).tz_localize("Asia/Kabul")
    cases: list[tuple[object, list[str]]] = [
        (pd.to_datetime(["1990-01-02", "1985-06-07"]), ["1990-01-02", "1985-06-07"]),
        ([1990.0, np.nan], ["1990", ""]),
        (pd.array([1990.0, None], dtype="Float64"), ["1990", ""]),
        (pd.Series([1990.0, None], dtype="float64[pyarrow]"), ["1990", ""]),
        (pd.Series([1990.0, None], dtype=object), ["1990", ""]),
        (kabul, ["2020-05-01", "1985-06-07"]),  # in UTC: 2020-04-30
        (pd.to_datetime(["2020-05-01 13:45:00", None]), ["2020-05-01", ""]),
        (
            pd.Series(
                [dt.datetime(2020, 5, 1, 13, 45), None],
                dtype=pd.ArrowDtype(pa.timestamp("us", tz="Asia/Kabul")),
            ),
            ["2020-05-01", ""],
        ),
        (
            pd.Series([dt.date(1990, 1, 2), None], dtype=pd.ArrowDtype(pa.date32())),
            ["1990-01-02", ""],
        ),
        (pd.Series([dt.date(1990, 1, 2), None], dtype=object), ["1990-01-02", ""]),
        (pd.Series([dt.datetime(1990, 1, 2, 8, 0), np.nan], dtype=object), ["1990-01-02", ""]),
        (pd.Series([1990, 1991.0], dtype=object), ["1990", "1991"]),
        (
            pd.Series(
                [
                    dt.datetime(1990, 1, 2, 23, 0, tzinfo=dt.timezone(dt.timedelta(hours=3))),
                    dt.datetime(1985, 6, 7, 8, 0, tzinfo=dt.UTC),
                ],
                dtype=object,
            ),
            ["1990-01-02", "1985-06-07"],  # zones that differ: each the date written there
        ),
    ]
    for values, want in cases:
        out = rm.read_records(base.assign(date_of_birth=values))
        assert out["date_of_birth"].tolist() == want, values
        assert out.attrs["problems"] == [], values
        if want[0] != "1990":  # a source date is one to the day
            out = rm.read_records(base.assign(source_date=values))
            assert out["source_date"].tolist() == want, values
            assert out.attrs["problems"] == [], values


def test_a_typed_date_that_is_no_date_is_still_malformed() -> None:
    """A float that is not a whole year is no date: blanked and reported, as it was typed."""
    frame = pd.DataFrame(
        {"record_id": ["a", "b"], "full_name": ["Ali", "Aya"], "date_of_birth": [1990.5, 1991.0]}
    )
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == ["", "1991"]
    [problem] = out.attrs["problems"]
    assert (problem.row, problem.column, problem.value) == (1, "date_of_birth", "1990.5")


def test_typed_extra_columns_read_as_a_person_writes_them() -> None:
    """An extra column of dates, times or floats is text the way a person writes it (the
    way the Parquet and Excel readers give it): a date without a time of midnight, a
    time to the second, a whole number without ".0"."""
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c"],
            "full_name": ["Ali", "Aya", "Omar"],
            "registered": pd.to_datetime(
                ["2020-05-01", "2020-05-01 13:45:10.5", None], format="ISO8601"
            ),
            "case": [12345.0, np.nan, 2.5],
        }
    )
    out = rm.read_records(frame)
    assert out["registered"].tolist() == ["2020-05-01", "2020-05-01T13:45:10", ""]
    assert out["case"].tolist() == ["12345", "", "2.5"]


def _filter(bits: list[int], width: int = 64) -> str:
    on = np.zeros(width, dtype=np.uint8)
    on[bits] = 1
    return "b64:" + base64.b64encode(np.packbits(on, bitorder="little").tobytes()).decode()


def test_an_encoded_frame_whose_only_name_is_its_filter_is_records() -> None:
    """The encoded record format (rfl_match.privacy) holds no name in clear: name_bloom
    stands for it, and a row without one is kept and reported as a row without a name."""
    frame = pd.DataFrame(
        {
            "record_id": ["e1", "e2"],
            "name_bloom": [_filter([1, 5, 9]), ""],
            "name_keys": ["0123456789abcdef", ""],
            "date_of_birth": ["1990", ""],
            "encoding": "rfl_match-bloom/1 bits=64 hashes=2 key=19e15e7e",
        }
    )
    out = validate_records(frame)
    assert out["name_bloom"].tolist() == frame["name_bloom"].tolist()
    assert [str(p) for p in out.attrs["problems"]] == ["row 2: no name in any name column; kept"]
    with pytest.raises(rm.RecordError, match="no name column"):
        validate_records(frame.drop(columns="name_bloom"))


def test_malformed_filters_are_blanked_and_reported_per_row() -> None:
    """A filter that is no base64 of whole 64-bit words, or of another width than the
    encoding names, is blanked with its row, as a malformed date is; the others stay."""
    good, wide = _filter([3]), _filter([3], 128)
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d"],
            "name_bloom": [good, "#not base64#", good, wide],
            "father_name_bloom": [wide, good, "", good],
            "encoding": "rfl_match-bloom/1 bits=64",
        }
    )
    out = validate_records(frame)
    assert out["name_bloom"].tolist() == [good, "", good, ""]
    assert out["father_name_bloom"].tolist() == ["", good, "", good]
    shown = [str(p) for p in out.attrs["problems"]]
    assert shown[:3] == [
        "row 2, column 'name_bloom': not a Bloom filter ('b64:' and standard base64, with "
        "padding, of a whole number of 64-bit words); blanked (value '#not base64#')",
        f"row 4, column 'name_bloom': a Bloom filter of 128 bits where the input's are 64; "
        f"blanked (value {wide!r})",
        f"row 1, column 'father_name_bloom': a Bloom filter of 128 bits where the input's "
        f"are 64; blanked (value {wide!r})",
    ]
    # Without an encoding column, the width most filters have is the input's.
    assert validate_records(frame.drop(columns="encoding"))["name_bloom"].tolist() == [
        good, "", good, "",
    ]  # fmt: skip


def test_records_of_two_encodings_in_one_input_are_refused() -> None:
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b"],
            "name_bloom": [_filter([1]), _filter([2])],
            "encoding": ["rfl_match-bloom/1 key=aaaa", "rfl_match-bloom/1 key=bbbb"],
        }
    )
    with pytest.raises(rm.RecordError, match="2 different encodings in one input"):
        validate_records(frame)


def test_a_column_of_the_users_own_called_encoding_is_let_be() -> None:
    """Only an encoded frame's encoding column is read: plain records keep theirs."""
    frame = pd.DataFrame(
        {"record_id": ["a", "b"], "full_name": ["Ali", "Omar"], "encoding": ["utf-8", "cp1252"]}
    )
    assert validate_records(frame)["encoding"].tolist() == ["utf-8", "cp1252"]


def test_plain_records_with_a_column_named_like_a_filter_keep_it_as_their_own() -> None:
    """Names in clear and no encoding column: a column "name_bloom" is the user's own, not
    an encoded filter, so it is neither checked nor read as a name."""
    frame = pd.DataFrame(
        {"record_id": ["1", "2"], "full_name": ["Ali Omar", ""], "name_bloom": ["yes", "no"]}
    )
    out = validate_records(frame)
    assert out["name_bloom"].tolist() == ["yes", "no"]
    assert [str(p) for p in out.attrs["problems"]] == ["row 2: no name in any name column; kept"]


def test_validated_marks_the_content_not_only_the_shape() -> None:
    frame = rm.read_records(pd.DataFrame({"record_id": ["a", "b"], "full_name": ["Ali", "Omar"]}))
    assert is_validated(frame) and is_validated(frame.copy())
    frame.loc[1, "full_name"] = "Omar Ali"
    assert not is_validated(frame)
    again = rm.read_records(frame)
    again["full_name"] = ["Ali", "Omar"]  # a column replaced, same length
    assert not is_validated(again)
    assert not is_validated(pd.DataFrame({"record_id": ["a"], "full_name": ["Ali"]}))


def test_validated_notes_the_date_columns_it_was_checked_with() -> None:
    # read without a configuration, a column of the user's own is text: a Linker whose
    # configuration compares it as a date must not take the frame as checked for it
    raw = pd.DataFrame(
        {"record_id": ["a", "b"], "full_name": ["Ali", "Omar"], "arrived": ["39448", "2020"]}
    )
    plain = rm.read_records(raw)
    assert plain["arrived"].tolist() == ["39448", "2020"]
    assert is_validated(plain) and not is_validated(plain, ["arrived"])
    assert is_validated(plain, ["departed", "date_of_birth"])  # no such column; canonical
    dated = rm.read_records(raw, date_fields=["arrived"])
    assert dated["arrived"].tolist() == ["2008-01-01", "2020"]
    assert is_validated(dated, ["arrived"]) and is_validated(dated)


def test_a_canonical_field_named_as_a_date_field_keeps_its_own_checks() -> None:
    frame = pd.DataFrame(
        {
            "record_id": ["a"],
            "full_name": ["Ali"],
            "age": ["9"],
            "source_date": ["2009"],
        }
    )
    out = validate_records(frame, date_fields=["age", "source_date"])
    assert out["age"].tolist() == ["9"]  # an age, not a malformed date
    assert out["source_date"].tolist() == ["2009"]
    assert out.attrs["problems"] == []


def _dates(column: list[str], **others: list[str]) -> pd.DataFrame:
    """Records whose ``date_of_birth`` is ``column`` (and other columns as given)."""
    return pd.DataFrame(
        {
            "record_id": [f"r{k}" for k in range(len(column))],
            "full_name": ["Amina"] * len(column),
            "date_of_birth": column,
            **others,
        }
    )


def _column_notes(out: pd.DataFrame) -> dict[str, list[str]]:
    notes: dict[str, list[str]] = {}
    for p in out.attrs["problems"]:
        if p.row is None and p.column is not None:
            notes.setdefault(p.column, []).append(p.message)
    return notes


@pytest.mark.parametrize("read", [rm.read_records, validate_records])
def test_a_date_column_written_month_first_is_read_month_first(read) -> None:  # type: ignore[no-untyped-def]
    """A day over 12 written second (12/25/2009) shows a column written month first: its
    dates that read either way are read so too (03/04/2009 is 4 March; 07/01/2009 is 1
    July, a placeholder for the year), not day first, and nothing is blanked."""
    frame = _dates(
        ["12/25/2009", "03/04/2009", "07/01/2009", "2010"],
        source_date=["05/13/2019", "05/01/2019", "05/01/2019", "2019-05-01"],
    )
    out = read(frame)
    assert out["date_of_birth"].tolist() == ["2009-12-25", "2009-03-04", "2009-07-01", "2010"]
    assert out["source_date"].tolist() == ["2019-05-13", "2019-05-01", "2019-05-01", "2019-05-01"]
    assert [p for p in out.attrs["problems"] if p.row is not None] == []
    notes = _column_notes(out)
    assert sorted(notes) == ["date_of_birth", "source_date"]
    assert all(len(said) == 1 and "month first" in said[0] for said in notes.values())
    # a record's date is quoted; a date of birth is not, where logs keep the note
    assert "'05/13/2019'" in notes["source_date"][0]
    assert "12/25/2009" not in notes["date_of_birth"][0]


def test_a_date_column_whose_order_no_cell_shows_is_read_day_first_and_said_so() -> None:
    out = validate_records(_dates(["03/04/2009", "2010-01-02", "3.4.2009", "05/05/2009"]))
    assert out["date_of_birth"].tolist() == ["2009-04-03", "2010-01-02", "2009-04-03", "2009-05-05"]
    notes = _column_notes(out)
    assert list(notes) == ["date_of_birth"] and len(notes["date_of_birth"]) == 1
    assert (
        "day first" in notes["date_of_birth"][0]
        and "2 that read either way" in notes["date_of_birth"][0]
    )
    # A day over 12 written first shows the order: read so, without a word.
    shown = validate_records(_dates(["25/12/2009", "03/04/2009"]))
    assert shown["date_of_birth"].tolist() == ["2009-12-25", "2009-04-03"]
    assert shown.attrs["problems"] == []


def test_a_date_column_whose_cells_show_no_order_reads_the_file_s() -> None:
    """One register writes its dates one way: births written 12/25/2010 show month first,
    and the same file's source dates 01/10/2024 are 10 January, not 1 October (a review
    placed ages 9 months off so). Where the file's columns show both orders, or none, a
    column is read day first as before."""
    frame = _dates(
        ["12/25/2010", "03/04/2011"], source_date=["01/10/2024", "02/03/2024"]
    )  # fmt: skip
    out = validate_records(frame)
    assert out["source_date"].tolist() == ["2024-01-10", "2024-02-03"]
    note = _column_notes(out)["source_date"][0]
    assert "month first" in note and "date_of_birth" in note
    both = _dates(["12/25/2010", "03/04/2011"], source_date=["25/01/2024", "02/03/2024"])
    assert validate_records(both)["source_date"].tolist() == ["2024-01-25", "2024-03-02"]
    day_first = _dates(["25/12/2010", "03/04/2011"], source_date=["01/10/2024", "02/03/2024"])
    assert validate_records(day_first)["source_date"].tolist() == ["2024-10-01", "2024-03-02"]


def test_a_date_column_written_in_both_orders_guesses_no_date() -> None:
    """Where cells show both orders, a date that can be read one way only is read so, and
    each that reads either way is blanked and reported with its row, not guessed."""
    frame = _dates(
        ["25/12/2009", "12/26/2009", "03/04/2009", "05/05/2009", "2009-01-02", "04/03/2010"]
    )
    out = rm.read_records(frame)
    assert out["date_of_birth"].tolist() == [
        "2009-12-25",
        "2009-12-26",
        "",
        "2009-05-05",
        "2009-01-02",
        "",
    ]
    rows = [(p.row, p.column, p.value) for p in out.attrs["problems"] if p.row is not None]
    assert rows == [(3, "date_of_birth", "03/04/2009"), (6, "date_of_birth", "04/03/2010")]
    assert all("blanked" in p.message for p in out.attrs["problems"] if p.row is not None)
    (note,) = _column_notes(out)["date_of_birth"]
    assert "both orders" in note and "the 2 that read either way are blanked" in note


def test_an_age_as_of_a_year_or_a_month_is_kept() -> None:
    """A source date known to its year or month places an age (as an interval the wider
    by the months it leaves open): it was blanked as malformed."""
    frame = _dates(["", "", "", ""], age=["9", "9", "9", "9"])
    frame["source_date"] = ["2019", "2019-05", "2019-05-00", "201"]
    out = validate_records(frame)
    assert out["source_date"].tolist() == ["2019", "2019-05", "2019-05", ""]
    # the age of row 4, its source date blanked, is noted as unused (date_checks)
    assert [(p.row, p.value) for p in out.attrs["problems"]] == [(4, "201"), (4, "9")]


def test_number_artefacts_in_a_date_of_birth_and_an_age_are_malformed() -> None:
    """A year and a one-digit month after a point is a number's text (1990.5), as the same
    float typed is; an age with three digits after its separator is a thousand (1,000),
    not 1. Both are blanked and reported, not read as May 1990 and age 1."""
    frame = _dates(["1990.5", "1990.05", "", ""], age=["", "", "1,000", "9.5"])
    out = validate_records(frame)
    assert out["date_of_birth"].tolist() == ["", "1990-05", "", ""]
    assert out["age"].tolist() == ["", "", "", "9"]
    reported = [(p.row, p.column, p.value) for p in out.attrs["problems"]]
    # and the age 9.5, with no date to read it as of, is noted as unused (date_checks)
    assert reported == [(1, "date_of_birth", "1990.5"), (3, "age", "1,000"), (4, "age", "9")]


@pytest.mark.parametrize(
    ("written", "read", "noted"),
    [
        (["H", "M", "m", "", "mujer"], ["male", "female", "female", "", "female"], True),
        (["M", "F", "m"], ["male", "female", "male"], False),
        (["H", "F"], ["male", "female"], False),
        (["M", "M"], ["male", "male"], False),
    ],
)
def test_one_letter_sex_codes_are_read_by_the_column_s_convention(
    written: list[str], read: list[str], noted: bool
) -> None:
    """H and M with no F are Spanish (hombre, mujer): M is female there, and said so; M
    beside F, or alone, is male; H beside F is French (homme, femme)."""
    frame = pd.DataFrame(
        {
            "record_id": [str(i) for i in range(len(written))],
            "full_name": ["Ana"] * len(written),
            "sex": written,
        }
    )
    out = validate_records(frame)
    assert out["sex"].tolist() == read
    notes = [p for p in out.attrs["problems"] if p.column == "sex" and p.row is None]
    assert bool(notes) == noted


def test_a_frame_given_with_a_name_of_pasted_text_has_it_blanked_as_a_file_would(
    synthetic: dict[str, pd.DataFrame],
) -> None:
    """A name, a parent's name or a place longer than any (1,000 characters) is blanked
    and reported, its row kept, whether the frame was read from a file or handed to the
    Linker: read whole, a name of 5 MB asked for a fixed-width copy of 50 GB."""
    frame = pd.DataFrame(
        {
            "record_id": ["R1", "R2", "R3"],
            "full_name": ["A" * 5_000_000, "Omar Said", "B" * 1_000],
            "father_name": ["Ali", "x" * 1_001, ""],
            "place_of_birth": ["", "", "Aleppo " * 200],
        }
    )
    out = validate_records(frame)
    assert out["full_name"].tolist() == ["", "Omar Said", "B" * 1_000]
    assert out["father_name"].tolist() == ["Ali", "", ""]
    assert out["place_of_birth"].tolist() == ["", "", ""]
    told = {(p.row, p.column): p.message for p in out.attrs["problems"]}
    assert told[(1, "full_name")] == "5,000,000 characters: too long for a full_name; blanked"
    assert told[(2, "father_name")].startswith("1,001 characters")
    assert told[(3, "place_of_birth")].startswith("1,399 characters")  # white space trimmed
    assert told[(1, None)] == "no name in any name column; kept"
    assert len(frame["full_name"].iloc[0]) == 5_000_000  # the caller's frame as it was
    # by position, whatever the index: two batches concatenated repeat its labels
    first = pd.DataFrame({"record_id": ["A", "B"], "full_name": ["Amina Hassan", "Omar Ali"]})
    second = pd.DataFrame({"record_id": ["C", "D"], "full_name": ["x" * 1_500, "Fatima Noor"]})
    out = validate_records(pd.concat([first, second]))
    assert out["full_name"].tolist() == ["Amina Hassan", "Omar Ali", "", "Fatima Noor"]
    assert out.index.equals(pd.RangeIndex(4))
    requests = synthetic["requests"].copy()
    requests.loc[0, "full_name"] = "A" * 5_000_000
    with pytest.warns(UserWarning, match="too long for a full_name"):
        rm.Linker().fit(requests, synthetic["sightings"])


# Every character Unicode holds for white space, and pyarrow's own (the trim is Arrow's),
# beside letters, digits and punctuation of ASCII and beyond.
SPACES = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u180e\u2000\u200a\u200b\u2028\u2029"
    "\u202f\u205f\u3000\ufeff"
)
TEXTS = st.lists(
    st.one_of(
        st.none(),
        st.text(alphabet=SPACES + "Ali-.'\x7f\x00éمحدЖ😀", max_size=6),
        st.text(max_size=4),
    )
)


@settings(max_examples=300, deadline=None)
@given(
    TEXTS, st.sampled_from([pa.string(), pa.large_string()]), st.integers(0, 3), st.integers(1, 4)
)
def test_texts_are_found_untrimmed_as_the_trim_finds_them(
    texts: list[str | None], kind: pa.DataType, skip: int, parts: int
) -> None:
    """Only the texts whose first or last byte may be white space are trimmed to see
    (:func:`rfl_match.schema._edged`, from the array's buffers): the texts found are those
    that trimming every one finds, in arrays sliced, in chunks, or empty."""
    import pyarrow.compute as pc

    from rfl_match.schema import _untrimmed

    cells = pa.array(texts, type=kind)[skip:]
    size = -(-len(cells) // parts) or 1
    chunked = pa.chunked_array([cells[k : k + size] for k in range(0, len(cells), size)], type=kind)
    for given_cells in (cells, chunked):
        want = pc.not_equal(pc.utf8_trim_whitespace(given_cells), given_cells).fill_null(False)
        found = _untrimmed(given_cells).fill_null(False)
        assert found.to_pylist() == want.to_pylist()


def test_only_texts_that_may_begin_or_end_with_white_space_are_trimmed() -> None:
    """Validation trimmed every text of every column to find the few with white space at
    either end: 0.8 s of a side's 3 at a million records. A text beginning and ending with
    a character of ASCII that is no white space, nearly every one, is not trimmed."""
    from unittest.mock import patch

    import pyarrow.compute as pc

    from rfl_match.schema import _untrimmed

    trimmed: list[str] = []
    trim = pc.utf8_trim_whitespace

    def counted(cells: pa.Array) -> pa.Array:
        trimmed.extend(cells.to_pylist())
        return trim(cells)

    cells = pa.array(["Amina", "Yusuf 2", " Ali", "Ali\xa0", "محمد", "", None, "Zoë"])
    with patch.object(pc, "utf8_trim_whitespace", counted):
        found = _untrimmed(cells).to_pylist()
    assert found == [False, False, True, True, False, False, False, False]
    assert trimmed == [" Ali", "Ali\xa0", "محمد", "Zoë"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet="ab é محЖ😀", max_size=7), min_size=1, max_size=12),
    st.sampled_from(["str", "string[python]", "object"]),
)
def test_overlong_texts_are_found_by_their_characters_not_their_bytes(
    texts: list[str], dtype: str
) -> None:
    """A column is counted in characters only where some text takes more bytes than the
    limit (Arrow holds the texts' bytes counted): the cells blanked and reported are those
    counting every text's characters finds, texts of letters of one byte to four."""
    from unittest.mock import patch

    from rfl_match import schema

    cells = pd.DataFrame({"full_name": pd.Series(texts, dtype=dtype)})
    problems: list[schema.Problem] = []
    with patch.object(schema, "MAX_FIELD_CHARS", 5):
        schema.blank_overlong(cells, ["full_name", "father_name"], problems)
    longer = [k for k, text in enumerate(texts) if len(text) > 5]
    assert [p.row for p in problems] == [k + 1 for k in longer]
    assert cells["full_name"].tolist() == ["" if k in longer else t for k, t in enumerate(texts)]


def test_a_column_s_characters_are_counted_only_where_a_text_may_be_too_long() -> None:
    """Validation counted the characters of every text of 11 name and place columns to
    find one of over 1,000 (0.15 s a million records): a column whose texts all take
    1,000 bytes or fewer, nearly every one, has none so long, and is not counted."""
    from unittest.mock import patch

    from pandas.core.strings.accessor import StringMethods

    counted: list[str | None] = []
    length = StringMethods.len

    def len_counted(self: StringMethods) -> pd.Series:
        counted.append(self._orig.name)
        return length(self)

    frame = pd.DataFrame(
        {
            "record_id": ["R1", "R2"],
            "full_name": ["Omar Said", "م" * 999],  # 1,998 bytes, 999 characters: kept
            "father_name": ["Ali", "x" * 1_001],
            "place_of_birth": ["Aleppo", ""],
        }
    )
    with patch.object(StringMethods, "len", len_counted):
        out = validate_records(frame)
    assert counted == ["full_name", "father_name"]
    assert out["full_name"].tolist() == frame["full_name"].tolist()
    assert [(p.row, p.column) for p in out.attrs["problems"]] == [(2, "father_name")]


def test_a_sex_column_s_codes_are_read_once_each() -> None:
    """Whether a column's one-letter codes are Spanish (H and M) is read from its distinct
    values, each trimmed and lowered once, not from every cell."""
    from unittest.mock import patch

    from pandas.core.strings.accessor import StringMethods

    from rfl_match.schema import _HOMBRE_MUJER

    lowered: list[int] = []
    lower = StringMethods.lower

    def lower_counted(self: StringMethods) -> pd.Series:
        lowered.append(len(self._orig))
        return lower(self)

    sexes = ["H", "M", "M", "H", "h", "M"] * 50
    frame = pd.DataFrame(
        {"record_id": [str(k) for k in range(300)], "full_name": ["Ana"] * 300, "sex": sexes}
    )
    with patch.object(StringMethods, "lower", lower_counted):
        out = validate_records(frame)
    assert lowered == [3]  # H, M, h
    assert out["sex"].tolist()[:3] == ["male", "female", "female"]
    assert [p.message for p in out.attrs["problems"]] == [_HOMBRE_MUJER]


def test_a_date_column_s_distinct_texts_are_read_once_as_it_is_cleaned() -> None:
    """A date column's distinct texts were found three times over as it was cleaned
    (its serials, the order of its days and months, each text's clean form), each a pass
    over every cell: they are found once, and the checks code its cells once more."""
    from unittest.mock import patch

    passes: list[str] = []
    unique, factorize = pd.unique, pd.factorize

    def counted(read: Any) -> Any:
        def reading(values: Any, *args: Any, **kwargs: Any) -> Any:
            if isinstance(values, pd.Series) and values.name == "date_of_birth":
                passes.append(read.__name__)
            return read(values, *args, **kwargs)

        return reading

    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d"],
            "full_name": ["Amina Yusuf"] * 4,
            "date_of_birth": ["1990-01-01", "20010403", "not a date", "1990-01-01"],
        }
    )
    with (
        patch.object(pd, "unique", counted(unique)),
        patch.object(pd, "factorize", counted(factorize)),
    ):
        out = validate_records(frame)
    assert passes == ["unique", "factorize"]
    assert out["date_of_birth"].tolist() == ["1990-01-01", "2001-04-03", "", "1990-01-01"]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.sampled_from(["", "R1", "R10", "R2", "r1", "R1 ", "é", "Ж", "😀"]), max_size=8),
    st.booleans(),
    st.integers(1, 3),
    st.sampled_from(["str", "string[python]", "object"]),
)
def test_repeated_ids_are_found_in_any_order(
    ids: list[str], ordered: bool, parts: int, dtype: str
) -> None:
    """Ids each greater than the last are told apart by comparing neighbours, not
    hashed: the ids found repeated are those pandas' duplicated finds (blanks aside),
    in order or not, in one chunk or several."""
    from rfl_match.schema import _repeated

    ids = sorted(ids) if ordered else ids
    if dtype == "str" and ids and parts > 1:
        size = -(-len(ids) // parts)
        chunks = [ids[k : k + size] for k in range(0, len(ids), size)]
        array = pd.arrays.ArrowStringArray(pa.chunked_array(chunks, type=pa.large_string()))
        values = pd.Series(array)
    else:
        values = pd.Series(ids, dtype=dtype)
    want = (values.duplicated(keep=False) & (values != "")).to_numpy(dtype=bool)
    assert _repeated(values).tolist() == want.tolist()


def test_ids_in_increasing_order_are_not_hashed_to_find_repeated_ones() -> None:
    """Records exported in the order of their ids (R0001, R0002 ...) have no id twice:
    finding repeated ids among a million took 0.25 s of a side's validation, where one
    comparison of each with the next tells. Ids out of order are still searched."""
    from unittest.mock import patch

    searched: list[int] = []
    duplicated = pd.Series.duplicated

    def counted(self: pd.Series, *args: Any, **kwargs: Any) -> pd.Series:
        searched.append(len(self))
        return duplicated(self, *args, **kwargs)

    ordered = pd.DataFrame({"record_id": ["R0001", "R0002", "R0010"], "full_name": ["Ana"] * 3})
    with patch.object(pd.Series, "duplicated", counted):
        validate_records(ordered)
        assert searched == []
        with pytest.raises(rm.RecordError, match="duplicate record id in rows 1, 3"):
            validate_records(ordered.assign(record_id=["R0002", "R0001", "R0002"]))
    assert searched == [3]


def test_dates_of_another_calendar_are_written_as_the_gregorian_days_they_stand_for() -> None:
    frame = pd.DataFrame(
        {
            "record_id": ["a", "b", "c", "d", "e"],
            "full_name": ["Abebe Kebede", "Sara Ali", "Zia Karimi", "Omar Ali", "Hana Abdi"],
            "date_of_birth": ["12/05/2008", "2008", "2009-05-12 AD", "06/13/2007", "1385 SH"],
            "source_date": ["2016-02-01", "", "", "", ""],
        }
    )
    out = validate_records(frame, calendars={"date_of_birth": "ethiopian"})
    assert out["date_of_birth"].tolist() == [
        "2016-01-21/2016-01-21",  # 12 Tir 2008, day first
        "2015-09-12/2016-09-10",  # the year 2008
        "2009-05-12/2009-05-12",  # a cell that names its calendar keeps it
        "2015-09-11/2015-09-11",  # Pagume 6, a thirteenth month's day
        "2006-03-21/2007-03-20",
    ]
    assert out["source_date"].tolist()[0] == "2016-02-01"  # another column, Gregorian
    assert not out.attrs["problems"]
    # validated again, in any calendar, the days are the same
    again = validate_records(out, calendars={"date_of_birth": "ethiopian"})
    assert again["date_of_birth"].tolist() == out["date_of_birth"].tolist()
    assert validate_records(out)["date_of_birth"].tolist() == out["date_of_birth"].tolist()
    with pytest.raises(ValueError, match="'full_name' is no date column"):
        validate_records(frame, calendars={"full_name": "ethiopian"})
    # the first day of the year stands for the year in a birth, not in a record's date
    nowruz = frame.assign(date_of_birth="01/01/1400", source_date="01/01/1400")
    out = validate_records(
        nowruz, calendars={"date_of_birth": "solar_hijri", "source_date": "solar_hijri"}
    )
    assert out["date_of_birth"].iloc[0] == "2021-03-21/2022-03-20"
    assert out["source_date"].iloc[0] == "2021-03-21/2021-03-21"


def test_a_hijri_year_in_a_gregorian_column_is_blanked_with_a_hint() -> None:
    frame = pd.DataFrame(
        {"record_id": ["a", "b"], "full_name": ["Zia Karimi", "Sara Ali"],
         "date_of_birth": ["1385", "۱۴۰۰/۰۱/۰۱"]}
    )  # fmt: skip
    problems = validate_records(frame).attrs["problems"]
    assert [p.row for p in problems] == [1, 2]
    assert all("1385 SH or 1400 AH" in p.message for p in problems)


def test_a_frame_read_already_keeps_its_calendars_and_a_configuration_s_others_are_told() -> None:
    """A frame read_records read keeps the calendars it was read in: a Linker does not read
    its dates again (they are Gregorian days now, and a date that calendar cannot hold was
    blanked and reported then), and warns where its configuration names another."""
    from rfl_match.linker import _records

    raw = pd.DataFrame(
        {"record_id": ["a"], "full_name": ["Abebe Kebede"], "date_of_birth": ["12/05/2008"]}
    )
    ethiopian = rm.LinkConfig(calendars={"date_of_birth": "ethiopian"})
    read = rm.read_records(raw, calendars={"date_of_birth": "ethiopian"})
    assert read["date_of_birth"].tolist() == ["2016-01-21/2016-01-21"]
    assert validated_calendars(read) == {"date_of_birth": "ethiopian"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert _records(read, ethiopian, "requests")["date_of_birth"].tolist() == [
            "2016-01-21/2016-01-21"
        ]
        # a configuration with no calendars reads it as it is, without a word
        assert _records(read, rm.LinkConfig(), "requests")["date_of_birth"].tolist() == [
            "2016-01-21/2016-01-21"
        ]
    plain = rm.read_records(raw)
    assert plain["date_of_birth"].tolist() == ["2008-05-12"] and validated_calendars(plain) == {}
    with pytest.warns(UserWarning, match="'date_of_birth' as gregorian, not ethiopian"):
        kept = _records(plain, ethiopian, "requests")
    assert kept["date_of_birth"].tolist() == ["2008-05-12"]
    # a raw frame is read in the configuration's calendar; a header read case-blind too
    assert _records(raw, ethiopian, "requests")["date_of_birth"].tolist() == [
        "2016-01-21/2016-01-21"
    ]
    headed = raw.rename(columns={"date_of_birth": "Date of Birth"})
    assert _records(headed, ethiopian, "requests")["date_of_birth"].tolist() == [
        "2016-01-21/2016-01-21"
    ]
    with pytest.raises(rm.ConfigError, match="'date_of_brith' is no date column"):
        rm.read_records(raw, calendars={"date_of_brith": "ethiopian"})
