"""Inputs as real tracing exports break them: each is read right, or refused or rejected
with a reason that names what is wrong; never a traceback, never a silently wrong value."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import rfl_match as rm


def write(tmp_path: Path, data: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    "text",
    [
        "record_id,full_name,full_name\nr1,Amina,Yusuf\n",
        # a doubled extra column, one of its cells read back from a neutralised formula
        "record_id,full_name,notes,notes\nr1,Amina,'=1+1,b\n",
    ],
)
def test_a_doubled_header_is_refused_by_name(tmp_path: Path, text: str) -> None:
    with pytest.raises(rm.RecordError, match="column appears more than once"):
        rm.read_records(write(tmp_path, text))


def test_a_column_doubled_by_its_spelling_is_refused_naming_both_headers(
    tmp_path: Path,
) -> None:
    # "Full Name" and "full_name" both read as full_name: the message named the column
    # alone, a header the file does not hold twice.
    path = write(tmp_path, "record_id,Full Name,full_name\nr1,Amina Yusuf,Amina\n")
    with pytest.raises(rm.RecordError) as info:
        rm.read_records(path)
    assert [str(p) for p in info.value.problems] == [
        "column 'full_name': column appears more than once: the headers 'Full Name' and "
        "'full_name' both name it"
    ]


def test_a_parquet_file_with_a_doubled_column_is_refused_by_name(tmp_path: Path) -> None:
    # It was "not a readable Parquet file (Multiple matches for FieldRef.Name(full_name)
    # ...)": pyarrow's dataset reader refuses the schema; the file is readable.
    path = tmp_path / "in.parquet"
    table = pa.table([["r1"], ["Amina"], ["Yusuf"]], names=["record_id", "full_name", "full_name"])
    pq.write_table(table, path)
    with pytest.raises(rm.RecordError) as info:
        rm.read_records(path)
    assert [str(p) for p in info.value.problems] == [
        "column 'full_name': column appears more than once"
    ]


def test_truth_ids_typed_with_spaces_still_count(tmp_path: Path) -> None:
    # Records are read with the spaces around each cell left out; a truth file typed
    # " RQ1 " must find the match RQ1, not score it a miss without a word.
    from rfl_match.evaluate import evaluate_matches, pairs_completeness

    matches = pd.DataFrame({"request_id": ["RQ1", "RQ2"], "sighting_id": ["SG1", "SG9"]})
    matches["rank"] = 1
    truth = rm.io.read_pairs(write(tmp_path, "request_id,sighting_id\n RQ1 ,SG1 \nRQ2, SG2\n"))
    scores = evaluate_matches(matches, truth.frame)
    assert (scores.true_pairs, scores.true_positives, scores.recall_at_1) == (2, 1, 0.5)
    assert pairs_completeness(matches["request_id"], matches["sighting_id"], truth.frame) == 0.5


ARABIC = "record_id,full_name,sex\nr1,محمد أحمد,ذكر\nr2,فاطمة علي,أنثى\nr3,Ali Hassan,M\n"
CYRILLIC = "record_id,full_name,sex\nr1,Иван Петров,М\nr2,Ольга Иванова,Ж\nr3,Сергей Ёлкин,м\n"
# Letters side by side whose code page bytes happen to make a UTF-8 letter (cp1251's В and
# і: C2 B3, ³; П and ё: CF B8, ϸ; cp1256's ش and ک: D4 98): read as a UTF-8 file with
# lines typed in elsewhere, each name was garbled in cp1252 ("Â³êòîð")
UKRAINIAN = "record_id,full_name,sex\nr1,Віктор Шевченко,male\nr2,Пётр Коваленко,male\n"
PERSIAN = "record_id,full_name,sex\nr1,شکيبا رحيمي,female\nr2,علي رضايي,male\n"


@pytest.mark.parametrize(
    ("text", "page"),
    [(ARABIC, "cp1256"), (CYRILLIC, "cp1251"), (UKRAINIAN, "cp1251"), (PERSIAN, "cp1256")],
)
def test_arabic_and_cyrillic_windows_exports_are_read_not_garbled(
    tmp_path: Path, text: str, page: str
) -> None:
    # Read as cp1252, as every file that is not UTF-8 was, محمد became "ãÍãÏ" and Иван
    # "Èâàí", and the sex of each row was blanked as unknown.
    frame = rm.read_records(write(tmp_path, text.encode(page)))
    expected = rm.read_records(write(tmp_path, text, "utf8.csv"))
    pd.testing.assert_frame_equal(frame, expected)
    notes = [str(p) for p in frame.attrs["problems"]]
    assert notes == [
        f"not UTF-8: read as {page}, the Windows code page its letters read as words in; "
        "check its names, or save the file as UTF-8"
    ]
    header = "Код,ФИО\n" if page == "cp1251" else "الرقم,الاسم\n"
    assert rm.io.read_header(write(tmp_path, (header + "r1,x\n").encode(page))) == header[
        :-1
    ].split(",")


TURKISH = "record_id,full_name,sex\nT1,Ayşe Yılmaz,female\nT3,İsmail Şahin,male\n"


def test_a_turkish_windows_export_is_read_in_cp1254(tmp_path: Path) -> None:
    # Read as cp1252, without a word, "Ayşe Yılmaz" was "Ayþe Yýlmaz" (tokens "aythe
    # yylmaz", no variant class) and "İsmail Şahin" "Ýsmail Þahin".
    frame = rm.read_records(write(tmp_path, TURKISH.encode("cp1254")))
    pd.testing.assert_frame_equal(frame, rm.read_records(write(tmp_path, TURKISH, "utf8.csv")))
    assert [str(p) for p in frame.attrs["problems"]] == [
        "not UTF-8: read as cp1254, the Windows code page its letters read as words in; "
        "check its names, or save the file as UTF-8"
    ]
    from rfl_match.io.csv import decode

    assert decode(TURKISH.encode("cp1254"), "stdin") == (TURKISH, "cp1254")


@pytest.mark.parametrize(
    ("text", "page", "name"),
    [
        # Turkish beside another name (José): not all Turkish letters, read as cp1252
        (TURKISH + "S1,José Pérez,male\n", "cp1254", "Ayþe Yýlmaz"),
        ("record_id,full_name\nI1,Guðrún Þórsdóttir\n", "cp1252", "Guðrún Þórsdóttir"),
    ],
)
def test_cp1252_letters_that_may_be_turkish_ones_are_noted(
    tmp_path: Path, text: str, page: str, name: str
) -> None:
    frame = rm.read_records(write(tmp_path, text.encode(page)))
    assert frame["full_name"].iloc[0] == name
    assert [str(p) for p in frame.attrs["problems"]] == [
        "not UTF-8: read as cp1252 (Windows Latin), where its letters ð, ý and þ may stand "
        "for Turkish ğ, ı and ş (cp1254, Windows Turkish); check its names, or save the "
        "file as UTF-8"
    ]
    french = rm.read_records(write(tmp_path, "record_id,full_name\nF1,Hélène\n".encode("cp1252")))
    assert french.attrs["problems"] == []  # nothing cp1254 reads otherwise: no note


def test_a_file_in_a_code_page_past_its_first_bytes_is_read_in_it(tmp_path: Path) -> None:
    # ASCII for its first 64 KiB (valid UTF-8), then rows in cp1251: each read as Cyrillic
    # and noted, not garbled in cp1252 ("Àííà Èâàíîâà")
    lines = ["record_id,full_name,sex"] + [f"L{i},John Smith,male" for i in range(5_000)]
    lines += ["C1,Анна Иванова,female", "C2,Віктор Шевченко,male"]
    frame = rm.read_records(write(tmp_path, ("\n".join(lines) + "\n").encode("cp1251")))
    assert frame["full_name"].tail(2).tolist() == ["Анна Иванова", "Віктор Шевченко"]
    notes = [p for p in frame.attrs["problems"] if "not UTF-8" in p.message]
    assert [p.row for p in notes] == [5_001, 5_002]
    assert all("read as cp1251 (Windows Cyrillic)" in p.message for p in notes)


@pytest.mark.parametrize(
    ("text", "encoding"),
    [
        (CYRILLIC, "koi8-r"),  # no Windows code page reads it as words
        ("record_id,full_name\nr1,Selma Abdullah سلمى\n", "cp1256"),  # one short name:
        # Arabic, or Cyrillic ("Убгм")? too few letters to tell
    ],
)
def test_text_in_no_clear_code_page_is_refused(tmp_path: Path, text: str, encoding: str) -> None:
    with pytest.raises(rm.RecordError, match="unknown encoding: not UTF-8, nor by its letters"):
        rm.read_records(write(tmp_path, text.encode(encoding)))


def test_stdin_in_a_windows_code_page_is_decoded_as_files_are() -> None:
    from rfl_match.io.csv import decode

    assert decode(ARABIC.encode("cp1256"), "stdin") == (ARABIC, "cp1256")


@pytest.mark.parametrize("order", ["utf-16-le", "utf-16-be"])
def test_utf16_without_a_byte_order_mark_is_read(tmp_path: Path, order: str) -> None:
    # Refused before as "binary data": its ASCII letters each come with a NUL byte.
    text = "record_id,full_name\nr1,José Müller\nr2,محمد\n"
    frame = rm.read_records(write(tmp_path, text.encode(order)))
    assert frame["full_name"].tolist() == ["José Müller", "محمد"]


@pytest.mark.parametrize(
    "raw",
    [
        "record_id,full_name\nr1,José Müller\nr2,محمد\n".encode("utf-32"),  # its own BOM
        b"\x00\x00\xfe\xff" + "record_id,full_name\nr1,José Müller\nr2,محمد\n".encode("utf-32-be"),
        "record_id|full_name\nr1|José Müller\nr2|محمد\n".encode(),  # a pipe between cells
    ],
)
def test_utf32_and_pipe_delimited_files_are_read(tmp_path: Path, raw: bytes) -> None:
    # Read before as UTF-16, or as one column: "no record id column", which says nothing
    # of what was wrong.
    frame = rm.read_records(write(tmp_path, raw))
    assert frame["full_name"].tolist() == ["José Müller", "محمد"]


def test_binary_data_is_still_refused(tmp_path: Path) -> None:
    xls = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600  # an old .xls renamed .csv
    with pytest.raises(rm.RecordError, match="binary data"):
        rm.read_records(write(tmp_path, xls))


@pytest.mark.parametrize(
    "before",
    [
        "\n\n \r\n",  # blank lines above the header: every row was rejected as ragged
        "sep=;\n",  # Excel's line naming the delimiter: the header was "sep=;"
        "\ufeff",  # a second byte order mark (two files joined): "\ufeffrecord_id"
    ],
)
def test_lines_before_the_header_are_passed_over(tmp_path: Path, before: str) -> None:
    text = "record_id;full_name;age;source_date\nr1;Amina;9;2024-05-01\nr2;Omar;10;2024-05-01\n"
    frame = rm.read_records(write(tmp_path, "\ufeff" + before + text))
    assert frame[["record_id", "full_name", "age"]].values.tolist() == [
        ["r1", "Amina", "9"],
        ["r2", "Omar", "10"],
    ]
    assert frame.attrs["problems"] == []
    header = ["record_id", "full_name", "age", "source_date"]
    assert rm.io.read_header(tmp_path / "in.csv") == header


def test_a_ragged_row_after_blank_lines_is_numbered_from_the_header(tmp_path: Path) -> None:
    loaded = rm.io.load_records(write(tmp_path, "\n\nrecord_id,full_name\nr1,Amina\nr2,Omar,x\n"))
    assert [r.row for r in loaded.rejected] == [2]


BLANK_ROWS = {
    "a line of delimiters": ",,",
    "an empty line": "",
    "a line of white space": "  ",
    "a line of quoted blanks": '""," ",',
}


@pytest.mark.parametrize("blank", BLANK_ROWS.values(), ids=BLANK_ROWS.keys())
@pytest.mark.parametrize("last", ["r3,Ali,1991", "r3,Ali,1991,extra"], ids=["even", "ragged"])
@pytest.mark.parametrize("first", ["r1,Amina,1990", 'r1,"Amina\n\nYusuf",1990'])
def test_a_blank_row_is_counted_and_dropped_whichever_reader_reads_it(
    tmp_path: Path, first: str, blank: str, last: str
) -> None:
    # Rows are numbered as a spreadsheet shows them (and as the .xlsx reader numbers
    # them): Amina 1 (her cell over three lines one row), the blank row 2, Omar 3. The
    # fast reader kept a line of delimiters as a row rejected for its blank record id
    # (--strict stopped on it) and dropped an empty line uncounted; the row-by-row
    # reader, which one ragged row later brings in, dropped both uncounted: Omar's date
    # was row 3 or row 2 as the reader went.
    text = "record_id,full_name,date_of_birth\n" + "\n".join(
        [first, blank, "r2,Omar,1990-13-45", last]
    )
    loaded = rm.io.load_records(write(tmp_path, text + "\n"))
    assert [p.row for p in loaded.problems if p.column == "date_of_birth"] == [3]
    assert [r.row for r in loaded.rejected] == ([4] if last.endswith("extra") else [])
    assert not [p for p in loaded.problems if p.row == 2]
    assert loaded.records["record_id"].tolist()[:2] == ["r1", "r2"]


def test_a_blank_row_is_numbered_in_a_csv_file_as_in_a_workbook(tmp_path: Path) -> None:
    from openpyxl import Workbook

    rows = [["record_id", "full_name", "date_of_birth"], ["r1", "Amina", "1990"], []]
    rows += [["r2", "Omar", "1990-13-45"]]
    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(tmp_path / "in.xlsx")
    text = "\n".join(",".join(row) for row in rows) + "\n"
    for path in (tmp_path / "in.xlsx", write(tmp_path, text)):
        problems = rm.io.load_records(path).problems
        assert [p.row for p in problems if p.column == "date_of_birth"] == [3], path


@pytest.mark.parametrize("ragged", ["", "r3,Aya,x\n"])
def test_csv_text_leaves_out_a_blank_row_whichever_reader_reads_it(ragged: str) -> None:
    # pandas kept a line of delimiters as a row of blanks, and so did the row-by-row
    # reader (a ragged row brings it in) where it had as many fields as the header.
    frame, problems = rm.io.read_csv_text("record_id,full_name\nr1,Amina\n,\n\nr2,Omar\n" + ragged)
    assert frame.values.tolist() == [["r1", "Amina"], ["r2", "Omar"]]
    assert [p.row for p in problems] == ([5] if ragged else [])


@pytest.mark.parametrize("given", ["parquet", "frame"])
def test_a_blank_row_of_a_parquet_file_or_a_frame_is_counted_and_dropped(
    tmp_path: Path, given: str
) -> None:
    # Rows 2 and 3 (nulls, NaN, empty and white space) were each rejected for a blank
    # record id (read_records and the Linker refused the input for them), where a CSV
    # file's blank row is counted and dropped without a word. Row 5 holds a name: it is
    # a record without an id, rejected as before.
    frame = pd.DataFrame(
        {
            "record_id": ["r1", None, "  ", "r2", ""],
            "full_name": ["Amina", None, "", "Omar", "Zara"],
            "age": [9.0, float("nan"), float("nan"), 10.0, 8.0],
            "date_of_birth": ["1990", None, " ", "1990-13-45", ""],
        }
    )
    source: Path | pd.DataFrame = frame
    if given == "parquet":
        source = tmp_path / "in.parquet"
        frame.to_parquet(source)
    loaded = rm.io.load_records(source)
    assert loaded.records["record_id"].tolist() == ["r1", "r2"]
    assert [p.row for p in loaded.problems if p.column == "date_of_birth"] == [4]
    assert [(r.row, r.reason) for r in loaded.rejected] == [(5, "blank record id; rejected")]
    assert not [p for p in loaded.problems if p.row in (2, 3)]
    blank_id = ["row 5, column 'record_id': blank record id"]
    with pytest.raises(rm.RecordError) as raised:
        rm.read_records(source)
    assert [str(p) for p in raised.value.problems] == blank_id
    with pytest.raises(rm.RecordError) as raised:
        rm.Linker().fit(frame, frame)
    assert [str(p) for p in raised.value.problems] == blank_id
    if given == "parquet":
        frame.head(4).to_parquet(source)
    records = rm.read_records(source if given == "parquet" else frame.head(4))
    assert records["record_id"].tolist() == ["r1", "r2"]
    # the date of birth blanked leaves the age, with no source date, unused: said so
    found = [(p.row, p.column) for p in records.attrs["problems"]]
    assert found == [(4, "date_of_birth"), (4, "age")]


@pytest.mark.parametrize("given", ["frame", "parquet", "csv", "xlsx"])
def test_a_duplicated_id_names_its_rows_counting_the_blank_rows_before_them(
    tmp_path: Path, given: str
) -> None:
    # The blank row 2 was left out before validation, and the message listed the rows of
    # what was left: "rows 1, 3", where the file shows the copies in rows 1 and 4.
    rows = [["A1", "Ali Hassan"], [None, None], ["A2", "Omar Said"], ["A1", "Ahmed Farah"]]
    frame = pd.DataFrame(rows, columns=["record_id", "full_name"])
    source: Path | pd.DataFrame = frame
    if given == "parquet":
        source = tmp_path / "in.parquet"
        frame.to_parquet(source)
    elif given == "csv":  # a line of delimiters
        lines = ["record_id,full_name"] + [",".join(c or "" for c in row) for row in rows]
        source = write(tmp_path, "\n".join(lines) + "\n")
    elif given == "xlsx":
        source = _workbook(tmp_path / "in.xlsx", [["record_id", "full_name"], *rows])
    with pytest.raises(rm.RecordError) as raised:
        rm.read_records(source)
    assert [str(p) for p in raised.value.problems] == [
        "column 'record_id': duplicate record id in rows 1, 4 (value 'A1')"
    ]
    rejected = rm.io.load_records(source).rejected
    assert [r.row for r in rejected] == [1, 4]
    assert all("used by rows 1, 4" in r.reason for r in rejected)
    # validate_records numbers the rows of a frame by their place in it, or as given
    with pytest.raises(rm.RecordError, match="rows 1, 4"):
        rm.schema.validate_records(frame)
    with pytest.raises(rm.RecordError, match="rows 3, 9"):
        rm.schema.validate_records(frame, rows=[3, 5, 7, 9])


@pytest.mark.parametrize(
    "raw",
    [
        b"\xef\xbb\xbf\r\n",
        # UTF-16's BOM alone (Excel's "Unicode Text" of an empty sheet) was read as a file
        # with no record id column and no name column, and its header sent to init-config
        b"\xff\xfe",
        b"\xfe\xff",
        "\ufeff\r\n \r\n".encode("utf-16-le"),
        "\n".encode("utf-32"),  # its BOM, then a line break
    ],
)
def test_a_byte_order_mark_alone_is_an_empty_file(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(rm.RecordError, match="the file is empty") as info:
        rm.read_records(write(tmp_path, raw))
    assert len(info.value.problems) == 1


def test_a_utf8_file_with_a_bom_and_a_line_in_cp1252_is_read_as_one_without(
    tmp_path: Path,
) -> None:
    # It was refused as "text in an unknown encoding", the file without a BOM read.
    lines = ["record_id,full_name\nr1,José\n".encode(), "r2,René\n".encode("cp1252")]
    frame = rm.read_records(write(tmp_path, b"\xef\xbb\xbf" + b"".join(lines)))
    assert frame["full_name"].tolist() == ["José", "René"]
    assert [p.row for p in frame.attrs["problems"] if "not UTF-8" in p.message] == [2]


def test_a_month_or_day_of_zero_keeps_what_is_known(tmp_path: Path) -> None:
    # Registrars write 00 for a month or day not known; the year (and month) were lost,
    # the whole date blanked as malformed. A day without its month is still no date.
    dates = ["2009-00-00", "00/00/2009", "2009-05-00", "00/05/2009", "2009-00-05", "0000-00-00"]
    text = "record_id,full_name,date_of_birth\n" + "".join(
        f"r{i},Amina,{d}\n" for i, d in enumerate(dates)
    )
    frame = rm.read_records(write(tmp_path, text))
    assert frame["date_of_birth"].tolist() == ["2009", "2009", "2009-05", "2009-05", "", ""]
    assert [p.row for p in frame.attrs["problems"]] == [5, 6]
    # and the interval is the year's, or the month's
    lo, hi = rm.dates.parse_partial_dates(["2009-00-00", "2009-05-00"]).interval()
    expected = rm.dates.parse_partial_dates(["2009", "2009-05"]).interval()
    assert (lo.tolist(), hi.tolist()) == (expected[0].tolist(), expected[1].tolist())


def test_ages_as_officers_write_them(tmp_path: Path) -> None:
    written = {
        "9 years": "9",
        "about 9": "9",
        "~9": "9",
        "abt. 9 yrs": "9",
        "9 ans": "9",
        "9 سنوات": "9",
        "حوالي 12": "12",
        "6 months": "6 months",  # was 0: a birth any day of the year before
        "18 mois": "18 months",  # was 1
        "سنتين": "2",  # two years, the Arabic dual (was blanked and reported)
        "شهرين": "2 months",
        "9 to 10 years old": "9-10",
        "9,5": "9",
        "١٢": "12",  # Arabic-Indic digits
        "9+": "",  # nine or more: no range to read; blanked and reported
    }
    text = "record_id,full_name,age,source_date\n" + "".join(
        f'r{i},Amina,"{age}",2020-01-01\n' for i, age in enumerate(written)
    )
    frame = rm.read_records(write(tmp_path, text))
    assert dict(zip(written, frame["age"], strict=True)) == written
    assert [(p.row, p.value) for p in frame.attrs["problems"]] == [(len(written), "9+")]


def test_an_age_that_reads_two_ways_is_reported_with_both_readings(tmp_path: Path) -> None:
    """An age that may be 18 months or 18 years and male ("18m"), or 11 months or 11 or
    12 years ("11/12"), was reported as malformed ("want N or N-M years"), which told the
    officer nothing to mend. It is blanked, its message naming both readings and how to
    write each, and showing no value (N stands for it); a sex letter sets no sex. (A
    column with an age and F reads an age and M as years: the next test.)"""
    written = ["18m", "28 M", "11/12", "51/52", "6/7", "70 M", "3/4"]
    text = "record_id,full_name,age,sex,source_date\n" + "".join(
        f"r{i},Amina,{age},,2020-01-01\n" for i, age in enumerate(written)
    )
    frame = rm.read_records(write(tmp_path, text))
    assert frame["age"].tolist() == [""] * 5 + ["70", ""]
    assert frame["sex"].tolist() == [""] * len(written)
    months = 'ambiguous age: N then m is N months, or N years and male? write "N months" or "N"'
    twelfths = 'ambiguous age: N/12 is N months, or N to 12 years? write "N months" or "N-12"'
    weeks = 'ambiguous age: N/52 is N weeks, or N to 52 years? write "N weeks" or "N-52"'
    days = 'ambiguous age: N/7 is N days, or N to 7 years? write "N days" or "N-7"'
    problems = frame.attrs["problems"]
    assert [(p.row, p.message, p.value) for p in problems] == [
        (1, f"{months}; blanked", "18m"),
        (2, f"{months}; blanked", "28 M"),
        (3, f"{twelfths}; blanked", "11/12"),
        (4, f"{weeks}; blanked", "51/52"),
        (5, f"{days}; blanked", "6/7"),
        (7, rm.date_checks.MALFORMED_AGE, "3/4"),
    ]
    assert problems[0].logged() == f"row 1, column 'age': {months}; blanked (value not shown)"


def test_an_age_and_m_is_years_where_the_column_writes_the_sex_after_ages(
    tmp_path: Path,
) -> None:
    """A casualty list writes the sex after each age ("35F", "28 M"): there an age and M is
    its years, and a child's "6 M" six years, where alone it may be months and was blanked
    as ambiguous; a column with no age and F keeps reading it so."""
    text = "record_id,full_name,age,source_date\n" + "".join(
        f"r{i},Amina,{age},2020-01-01\n" for i, age in enumerate(["35F", "28 M", "6 M", "70 m"])
    )
    frame = rm.read_records(write(tmp_path, text))
    assert frame["age"].tolist() == ["35", "28", "6", "70"]
    assert frame.attrs["problems"] == []
    alone = "record_id,full_name,age,source_date\nr0,Amina,28 M,2020-01-01\n"
    frame = rm.read_records(write(tmp_path, alone))
    assert frame["age"].tolist() == [""]
    assert frame.attrs["problems"][0].message.startswith("ambiguous age")


def test_sex_in_french_spanish_and_russian(tmp_path: Path) -> None:
    values = {"féminin": "female", "Masculin": "male", "H": "male", "niña": "female"}
    values |= {"мужчина": "male", "девочка": "female", "ذكر": "male", "أنثى": "female"}
    # a review found these blanked: Egyptian انثي, Persian and Dari, Ukrainian, Turkish
    values |= {"انثي": "female", "زن": "female", "پسر": "male", "дівчинка": "female"}
    values |= {"чол": "male", "Ч": "male", "жіноча": "female", "Kadın": "female", "erkek": "male"}
    text = "record_id,full_name,sex\n" + "".join(f"r{i},Amina,{v}\n" for i, v in enumerate(values))
    frame = rm.read_records(write(tmp_path, text))
    assert frame["sex"].tolist() == list(values.values())
    assert frame.attrs["problems"] == []


def test_a_row_that_differs_only_by_spaces_is_an_exact_copy(tmp_path: Path) -> None:
    # Both rows were rejected as one id "with different details", leaving no rows.
    loaded = rm.io.load_records(write(tmp_path, "record_id,full_name\n r1 ,Amina\nr1,Amina \n"))
    assert loaded.records["record_id"].tolist() == ["r1"]
    assert [(r.row, r.reason) for r in loaded.rejected] == [
        (2, "exact copy of row 1; the first is kept")
    ]


def test_a_copy_of_a_row_rejected_for_its_id_is_rejected_with_it(tmp_path: Path) -> None:
    # Row 2, a copy of row 1, said "exact copy of row 1; the first is kept" where row 1
    # was rejected, its id used by row 3 with other details; and the reason of rows 1
    # and 3 listed "rows 1, 3", without row 2.
    text = "record_id,full_name\nR1,Amina\nR1,Amina\nR1,Aya\nR2,Omar\nR2,Omar\n"
    loaded = rm.io.load_records(write(tmp_path, text))
    assert loaded.records["record_id"].tolist() == ["R2"]
    used = (
        "record id used by rows 1, 2, 3 with different details; all rejected: "
        "give each person its own id"
    )
    assert [(r.row, r.reason) for r in loaded.rejected] == [
        (1, used),
        (2, used),
        (3, used),
        (5, "exact copy of row 4; the first is kept"),  # row 4 is kept
    ]


def test_a_header_row_repeated_below_is_rejected_not_read_as_a_person(tmp_path: Path) -> None:
    # Two exports joined into one file: the second header (as typed, or with other case
    # and spaces) became a record "record_id", proposed as a near-certain match for the
    # other file's own. A person whose name merely is a header word is kept.
    text = (
        "record_id,full_name,sex\nr1,Amina Yusuf,F\nrecord_id,full_name,sex\n"
        "r2,Full_Name,M\n Record_ID , FULL_NAME ,Sex\nr3,Omar Said,M\n"
    )
    path = write(tmp_path, text)
    loaded = rm.io.load_records(path)
    assert loaded.records["record_id"].tolist() == ["r1", "r2", "r3"]
    reason = "repeated header row (two files joined into one?); rejected"
    assert [(r.row, r.reason) for r in loaded.rejected] == [(2, reason), (4, reason)]
    assert loaded.rejected[0].fields == {c: c for c in ("record_id", "full_name", "sex")}
    # and where blank or doubled ids stop the read, as a ragged row is
    assert rm.read_records(path)["record_id"].tolist() == ["r1", "r2", "r3"]
    # two UTF-8 files joined (cat): the second's header opens with its byte order mark
    joined = tmp_path / "joined.csv"
    joined.write_bytes(
        b"\xef\xbb\xbfrecord_id,full_name\nA1,Ali Hassan\n"
        b"\xef\xbb\xbfrecord_id,full_name\nB1,Fatima Zahra\n"
    )
    assert rm.read_records(joined)["record_id"].tolist() == ["A1", "B1"]


def test_a_frame_with_columns_of_several_levels_is_refused_by_reason() -> None:
    frame = pd.DataFrame(
        [["r1", "Amina"]],
        columns=pd.MultiIndex.from_tuples([("record_id", "a"), ("full_name", "a")]),
    )
    with pytest.raises(rm.RecordError, match="several levels"):
        rm.read_records(frame)  # was a KeyError


def test_excel_ids_beyond_15_digits_are_flagged(tmp_path: Path) -> None:
    # Excel holds numbers as doubles: a 16-digit id typed as a number comes back with
    # other last digits, without a word, unless the reader says so.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["record_id", "full_name", "phone"])
    sheet.append([123456789012345, "Amina", 25261234567])  # 15 digits: exact
    sheet.append([1234567890123456789, "Omar", None])  # held as 1.234567890123457e+18
    sheet.append(["1234567890123456789", "Zara", None])  # typed as text: exact
    book.save(tmp_path / "ids.xlsx")
    frame = rm.read_records(tmp_path / "ids.xlsx")
    assert len(frame) == 3
    notes = [(p.row, p.column) for p in frame.attrs["problems"]]
    assert notes == [(2, "record_id")]
    assert "digits after the 15th" in frame.attrs["problems"][0].message


def test_excel_numbers_padded_with_zeros_are_read_as_the_sheet_shows_them(
    tmp_path: Path,
) -> None:
    # An id 7 formatted "00000" shows as 00007, and Excel's CSV export writes 00007; it
    # was read as "7", and a pairs or truth file naming 00007 named no record.
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(["record_id", "full_name", "case_number", "age"])
    formats = ["00000", "General", '"RQ"0000', "0.00"]
    rows = [[7, "Amina", 12, 7.5], [14.0, "Omar", 12345, 9], ["7", "Zara", None, 10]]
    for row in rows:
        sheet.append(row)
        for cell, number_format in zip(sheet[sheet.max_row], formats, strict=True):
            cell.number_format = number_format
    book.save(tmp_path / "in.xlsx")
    frame = rm.io.read_table(tmp_path / "in.xlsx").frame
    assert frame[["record_id", "case_number", "age"]].values.tolist() == [
        ["00007", "RQ0012", "7.5"],  # another format is not applied, as before
        ["00014", "RQ12345", "9"],  # a number wider than its format is read whole
        ["7", "", "10"],  # text is shown as typed, whatever the format
    ]


@pytest.mark.parametrize("filler", [0, 600])  # a NUL in the first bytes, or past them
def test_a_stray_nul_byte_is_removed_and_noted(tmp_path: Path, filler: int) -> None:
    # A NUL in the first 4 KB refused the whole file as "binary data"; past them, it
    # stayed in the name without a word.
    rows = b"".join(b"f%d,Name %d\n" % (i, i) for i in range(filler))
    data = b"record_id,full_name\n" + rows + b"r1,Am\x00ina\nr2,Om\x00ar,x\n"
    loaded = rm.io.load_records(write(tmp_path, data))
    assert loaded.records["full_name"].iloc[-1] == "Amina"
    notes = [(p.row, p.column) for p in loaded.problems if "NUL" in p.message]
    assert notes == [(filler + 1, "full_name")]
    assert loaded.rejected[0].fields["full_name"] == "Omar"


def test_a_workbook_named_csv_is_still_binary(tmp_path: Path) -> None:
    frame = pd.DataFrame({"record_id": ["r1"], "full_name": ["Amina"]})
    frame.to_excel(tmp_path / "book.xlsx", index=False)
    data = (tmp_path / "book.xlsx").read_bytes()
    with pytest.raises(rm.RecordError, match="binary data"):
        rm.read_records(write(tmp_path, data))


def test_pfif_of_another_namespace_says_which(tmp_path: Path) -> None:
    # It said "its root element is 'pfif'", which is what PFIF's root is called.
    xml = (
        '<?xml version="1.0"?><pfif:pfif xmlns:pfif="http://zesty.ca/pfif/2.0">'
        "<pfif:person><pfif:person_record_id>ex.org/p1</pfif:person_record_id>"
        "<pfif:full_name>Amina</pfif:full_name></pfif:person></pfif:pfif>"
    )
    with pytest.raises(
        rm.RecordError, match=re.escape("in the namespace 'http://zesty.ca/pfif/2.0'")
    ):
        rm.read_records(write(tmp_path, xml, "in.xml"))


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_titles_above_the_header_are_passed_over(tmp_path: Path, suffix: str) -> None:
    # The title was taken for the header: "no record id column", every row rejected.
    rows: list[list[object]] = [
        ["Tracing requests, camp 4"],
        [None, "exported 2024-05-01"],
        [],
        ["record_id", "full_name", "age"],
        ["r1", "Amina", "9"],
        ["r2", "Omar", "10", "x"],  # ragged: numbered from the header still
        ["r3", "Zara", "l1"],  # a malformed age: numbered from the header still
    ]
    if suffix == ".csv":
        text = "\n".join(";".join("" if c is None else f'"{c}"' for c in r) for r in rows)
        path = write(tmp_path, text + "\n", "in.csv")
    else:
        path = _workbook(tmp_path / "in.xlsx", rows)
    loaded = rm.io.load_records(path)
    if suffix == ".csv":
        assert loaded.records["record_id"].tolist() == ["r1", "r3"]
        assert [r.row for r in loaded.rejected] == [2]
    else:  # a cell of a workbook past the last title is an untitled column's, not ragged
        assert loaded.records["column_4"].tolist() == ["", "x", ""]
        assert loaded.rejected == []
    assert [p.row for p in loaded.problems if p.message.startswith("malformed age")] == [3]
    titles = [p.value for p in loaded.problems if "title" in p.message]
    assert titles == ["Tracing requests, camp 4", "exported 2024-05-01"]
    assert rm.io.read_header(path) == ["record_id", "full_name", "age"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_a_table_of_one_column_has_no_titles(tmp_path: Path, suffix: str) -> None:
    rows: list[list[object]] = [["full_name"], ["Hassan, Amina"], ["Omar"]]
    if suffix == ".csv":
        path = write(tmp_path, 'full_name\n"Hassan, Amina"\nOmar\n', "in.csv")
    else:
        path = _workbook(tmp_path / "in.xlsx", rows)
    table = rm.io.read_table(path)
    assert table.frame["full_name"].tolist() == ["Hassan, Amina", "Omar"]
    assert table.problems == []


@pytest.mark.parametrize("end", ["\n", "\r\n"])
def test_a_header_cell_over_two_lines_is_no_title(tmp_path: Path, end: str) -> None:
    # A header cell wrapped in Excel (Alt+Enter: "Case" then "No." in one cell), exported
    # to CSV: its first line was taken for a title, and the header passed over with it;
    # R1's row was read as the header, and init-config read the header "No.\"".
    path = write(tmp_path, end.join(['"Case', 'No.",full_name', "R1,Amina", "R2,Omar", ""]))
    table = rm.io.read_table(path)
    header = [f"Case{end}No.", "full_name"]
    assert list(table.frame.columns) == header
    assert table.frame.values.tolist() == [["R1", "Amina"], ["R2", "Omar"]]
    assert table.row_numbers().tolist() == [1, 2]
    assert table.problems == []
    assert rm.io.read_header(path) == header


@pytest.mark.parametrize(
    ("before", "titles"),
    [
        # a title cell over two lines is one title: two were passed over, the header too
        ('"Tracing requests\ncamp 4"\n', ["Tracing requests\ncamp 4"]),
        # a line of delimiters is a blank row, no title: passed over as one, and the
        # header with it
        (",,\n", []),
    ],
)
def test_titles_are_told_over_rows_not_lines(
    tmp_path: Path, before: str, titles: list[str]
) -> None:
    path = write(tmp_path, before + "record_id,full_name\nr1,Amina\nr2,Omar\n")
    loaded = rm.io.load_records(path)
    assert loaded.records["record_id"].tolist() == ["r1", "r2"]
    assert [p.value for p in loaded.problems if "title" in p.message] == titles
    assert rm.io.read_header(path) == ["record_id", "full_name"]


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet"])
def test_a_column_without_a_title_is_named_and_its_rows_kept(tmp_path: Path, suffix: str) -> None:
    # In a workbook, a value in a column past the last title had its whole row rejected
    # ("values beyond the last header column"); the CSV that a spreadsheet exports of the
    # same sheet keeps the row, the column named column_3 and said so. A Parquet column
    # named "" was kept as column '' without a word.
    rows: list[list[object]] = [
        ["record_id", "full_name", None, None],
        ["r1", "Amina", None, None],
        ["r2", "Omar", "left camp 4", None],
        ["r3", "Zara", None, None],
    ]
    if suffix == ".csv":
        text = "\n".join(",".join("" if c is None else str(c) for c in r) for r in rows)
        path = write(tmp_path, text + "\n", "in.csv")
    elif suffix == ".xlsx":
        path = _workbook(tmp_path / "in.xlsx", rows)
    else:
        columns = [pa.array([r[i] for r in rows[1:]], pa.string()) for i in range(4)]
        path = tmp_path / "in.parquet"
        names = ["record_id", "full_name", "", " "]  # one name a column: one "" only
        pq.write_table(pa.Table.from_arrays(columns, names=names), path)
    loaded = rm.io.load_records(path)
    assert loaded.records["record_id"].tolist() == ["r1", "r2", "r3"]
    assert loaded.records["column_3"].tolist() == ["", "left camp 4", ""]
    assert "column_4" not in loaded.records  # empty in every row: dropped
    assert loaded.rejected == []
    # the note names the header's row, 0, as every other note names its row
    assert [str(p) for p in loaded.problems] == [
        "row 0, column 'column_3': its header cell is blank but it holds data; named column_3"
    ]


def test_spreadsheet_error_values_are_read_as_blanks(tmp_path: Path) -> None:
    # A lookup's #N/A pasted as a value was read as the text "#N/A": two records whose
    # father's name it was agreed on "father's name: same spelling".
    rows: list[list[object]] = [
        ["record_id", "full_name", "father_name", "age", "source_date"],
        ["r1", "Amina Yusuf", "#N/A", 9, "2024-05-01"],
        ["r2", "Amina Yusef", "#N/A", "#DIV/0!", "2024-05-01"],
        ["r3", "Omar Ali", "Ali Hassan", 10, "2024-05-01"],
    ]
    loaded = rm.io.load_records(_workbook(tmp_path / "in.xlsx", rows))
    assert loaded.records["father_name"].tolist() == ["", "", "Ali Hassan"]
    assert loaded.records["age"].tolist() == ["9", "", "10"]
    assert [str(p) for p in loaded.problems] == [
        f"row {row}, column '{column}': a spreadsheet error value ({value}), not data; "
        f"blanked (value '{value}')"
        for row, column, value in [
            (1, "father_name", "#N/A"),
            (2, "father_name", "#N/A"),
            (2, "age", "#DIV/0!"),
        ]
    ]


def test_a_merged_cell_is_read_into_every_cell_it_covers(tmp_path: Path) -> None:
    # A household sheet: the family name and the place merged over its three members'
    # rows were read on the first row alone, the others blank, without a word.
    rows: list[list[object]] = [
        ["Registration, camp 4"],  # a title merged across the columns: left as it is
        ["record_id", "given_name", "family_name", "place_of_origin", "note"],
        ["A1", "Ahmed", "Hassan", "Aleppo", None],
        ["A2", "Sara", None, None, None],
        ["A3", "Omar", None, None, None],
        ["A4", "Lina", "Khalil", "Homs", None],
        ["A5", "Rami", None, None, "left camp 4"],
    ]
    from openpyxl import load_workbook

    path = _workbook(tmp_path / "in.xlsx", rows)
    book = load_workbook(path)
    # B7:C7: a name shown across two columns is in the first alone; E4: blank, none filled
    for merged in ("A1:E1", "C3:C5", "D3:D5", "B7:C7", "E4:E5"):
        book.active.merge_cells(merged)
    book.save(path)
    loaded = rm.io.load_records(path)
    records = loaded.records
    assert records["family_name"].tolist() == ["Hassan", "Hassan", "Hassan", "Khalil", ""]
    assert records["place_of_origin"].tolist() == ["Aleppo", "Aleppo", "Aleppo", "Homs", ""]
    assert records["note"].tolist() == ["", "", "", "", "left camp 4"]
    assert [str(p) for p in loaded.problems] == [
        "a title above the header, passed over (value 'Registration, camp 4')",
        "row 1, column 'family_name': merged cells C3:C5 (rows 1 to 3): their one value "
        "filled into each cell (value 'Hassan')",
        "row 1, column 'place_of_origin': merged cells D3:D5 (rows 1 to 3): their one "
        "value filled into each cell (value 'Aleppo')",
    ]


def _calculated(path: Path, saved: dict[str, str]) -> Path:
    """The workbook at ``path`` as a spreadsheet saves it once it has calculated: each
    formula cell named in ``saved`` (its coordinate -> the type and value it is saved
    with, as XML) holds a value, where openpyxl saves none."""
    with zipfile.ZipFile(path) as book:
        parts = {item: book.read(item) for item in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    for coordinate, value in saved.items():
        sheet, found = re.subn(
            rf'<c r="{coordinate}"([^>]*)><f>(.*?)</f><v\s*/></c>',
            rf'<c r="{coordinate}"\1{value}</c>'.replace("<f/>", r"<f>\2</f>"),
            sheet,
        )
        assert found == 1, coordinate
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as book:
        for item, data in parts.items():
            book.writestr(item, data)
    return path


def test_a_formula_is_read_as_the_value_saved_with_it(tmp_path: Path) -> None:
    # The formula's text was read: a full name =B2&" "&C2 was the name "b c" for every
    # person (two people "agreed" on their names), an age =2020-2000 was malformed, and
    # the note said "kept as text"; the values the sheet shows were lost.
    rows: list[list[object]] = [
        [
            "record_id",
            "given_name",
            "family_name",
            "full_name",
            "age",
            "father_name",
            "source_date",
        ],
        ["r1", "Ahmed", "Hassan", '=B2&" "&C2', "=2020-2000", '=IF(B2="","",B2)', "2020-01-01"],
        ["r2", "Sara", "Omar", '=B3&" "&C3', "=2020-2001", "=VLOOKUP(A3,X:Y,2,0)", "2020-01-01"],
        ["r3", "Lina", "Khalil", '=B4&" "&C4', "=2020-2002", "Omar", "2020-01-01"],
    ]
    path = _calculated(
        _workbook(tmp_path / "in.xlsx", rows),
        {
            "D2": ' t="str"><f/><v>Ahmed Hassan</v>',
            "E2": "><f/><v>20</v>",
            "F2": ' t="str"><f/><v></v>',  # empty text, saved as a value
            "D3": ' t="str"><f/><v>Sara Omar</v>',
            "E3": "><f/><v>19</v>",
            "F3": ' t="e"><f/><v>#N/A</v>',  # the lookup failed
        },  # row 4: written by a program that does not calculate
    )
    loaded = rm.io.load_records(path)
    assert loaded.records["full_name"].tolist() == ["Ahmed Hassan", "Sara Omar", ""]
    assert loaded.records["age"].tolist() == ["20", "19", ""]
    assert loaded.records["father_name"].tolist() == ["", "", "Omar"]
    unsaved = (
        "a formula saved without its value (the file was written by a program that does "
        "not calculate; open and save it in a spreadsheet to keep the values); blanked"
    )
    assert [str(p) for p in loaded.problems] == [
        "row 2, column 'father_name': a spreadsheet error value (#N/A), not data; blanked "
        "(value '#N/A')",
        f"row 3, column 'full_name': {unsaved} (value '=B4&\" \"&C4')",
        f"row 3, column 'age': {unsaved} (value '=2020-2002')",
    ]


def test_a_header_cell_holding_an_error_value_is_read_as_an_untitled_one(tmp_path: Path) -> None:
    # A header cell of #REF! (a title taken from a deleted sheet) made a column named
    # "#REF!": it is no title, and its column is read as one without a title is, said so.
    rows: list[list[object]] = [
        ["record_id", "full_name", "#REF!", "#N/A", "age", "source_date"],
        ["r1", "Amina", "camp 4", None, "#N/A", "2024-05-01"],
        ["r2", "Omar", None, None, 10, "2024-05-01"],
    ]
    path = _workbook(tmp_path / "in.xlsx", rows)
    loaded = rm.io.load_records(path)
    columns = ["record_id", "full_name", "column_3", "age", "source_date"]
    assert list(loaded.records.columns) == columns
    assert loaded.records["column_3"].tolist() == ["camp 4", ""]
    assert [str(p) for p in loaded.problems] == [
        "row 0, column 'column_3': its header cell held a spreadsheet error value (#REF!), "
        "not a title; named column_3 (value '#REF!')",
        "row 0, column 'column_4': its header cell held a spreadsheet error value (#N/A), "
        "not a title, and the column is empty; dropped (value '#N/A')",
        "row 1, column 'age': a spreadsheet error value (#N/A), not data; blanked (value '#N/A')",
    ]
    assert rm.io.read_header(path) == ["record_id", "full_name", "", "", "age", "source_date"]


def test_sheets_after_the_first_are_said_to_be_left_unread(tmp_path: Path) -> None:
    # Only the first sheet is read: records in a second one were left out without a
    # word, and an instructions sheet first gave "no record id column" alone.
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Requests"
    book.active.append(["record_id", "full_name"])
    book.active.append(["r1", "Amina"])
    book.create_sheet("More").append(["r2", "Omar"])
    book.create_sheet("Empty")
    book.save(tmp_path / "two.xlsx")
    frame = rm.read_records(tmp_path / "two.xlsx")
    assert [str(p) for p in frame.attrs["problems"]] == [
        "only the first sheet, 'Requests', is read; not the workbook's other sheets that "
        "hold data: 'More' (move the sheet of records first, or save each sheet as a file)"
    ]
    book.move_sheet("More", offset=-1)
    book.save(tmp_path / "two.xlsx")
    with pytest.raises(rm.RecordError, match="only the first sheet, 'More', is read"):
        rm.read_records(tmp_path / "two.xlsx")


def test_an_empty_first_sheet_names_the_sheets_that_hold_data(tmp_path: Path) -> None:
    # It said "the workbook's first sheet is empty" alone, not which sheet holds the data.
    from openpyxl import Workbook

    book = Workbook()
    book.active.title = "Cover"
    book.create_sheet("Requests").append(["record_id", "full_name"])
    book["Requests"].append(["r1", "Amina"])
    book.save(tmp_path / "book.xlsx")
    with pytest.raises(rm.RecordError) as raised:
        rm.read_records(tmp_path / "book.xlsx")
    assert [str(p) for p in raised.value.problems] == [
        "the workbook's first sheet is empty",
        "only the first sheet, 'Cover', is read; not the workbook's other sheets that hold "
        "data: 'Requests' (move the sheet of records first, or save each sheet as a file)",
    ]


_SERIAL_NOTE = re.compile(r"^(\d+) cells read as Excel serial dates \(days counted from (\S+),")


def _serial_notes(problems: list[rm.Problem]) -> dict[str, tuple[int, str]]:
    """The notes on columns read as Excel serial dates: column -> (cells, epoch)."""
    found = {}
    for p in problems:
        match = _SERIAL_NOTE.match(p.message)
        if match and p.row is None and p.column is not None:
            found[p.column] = (int(match.group(1)), match.group(2))
    return found


@pytest.mark.parametrize("suffix", [".csv", ".xlsx"])
def test_excel_serial_dates_are_read_as_dates(tmp_path: Path, suffix: str) -> None:
    # A date column exported from Excel without its date format ("General") holds the
    # day's serial number: 39448 is 2008-01-01. Each was blanked as a malformed date.
    rows: list[list[object]] = [
        ["record_id", "full_name", "date_of_birth", "source_date"],
        ["r1", "Amina", 39448, 45292],
        ["r2", "Omar", 39448.0, 45292.5],  # a time of day, as a fraction
        ["r3", "Zara", 39448.5, "2024-01-02"],  # beside dates that kept their format
        ["r4", "Ali", 10000, 45293],  # the first five-digit serial
        ["r5", "Hawa", "2009-05-17", 73415],  # the last day of 2100
        ["r6", "Musa", 73416, 45294],  # 2101: no date of birth, reported as before
        ["r7", "Idil", None, 45295],
    ]
    if suffix == ".csv":
        text = "\n".join(",".join("" if c is None else str(c) for c in r) for r in rows)
        path = write(tmp_path, text + "\n")
    else:
        path = _workbook(tmp_path / "in.xlsx", rows)  # numbers in cells of no format
    frame = rm.read_records(path)
    assert frame["date_of_birth"].tolist() == [
        "2008-01-01",
        "2008-01-01",
        "2008-01-01",
        "1927-05-18",
        "2009-05-17",
        "",
        "",
    ]
    assert frame["source_date"].tolist() == [
        "2024-01-01",
        "2024-01-01",
        "2024-01-02",
        "2024-01-02",
        "",  # 2100-12-31, the last serial read, and blanked: a source date after today
        "2024-01-03",
        "2024-01-04",
    ]
    problems = frame.attrs["problems"]
    assert _serial_notes(problems) == {
        "date_of_birth": (4, "1899-12-30"),
        "source_date": (6, "1899-12-30"),
    }
    found = [(p.row, p.value) for p in problems if p.row is not None]
    assert found == [(5, "2100-12-31"), (6, "73416")]


def test_a_1904_workbook_s_serial_dates_count_from_1904(tmp_path: Path) -> None:
    # A workbook in Excel's 1904 date system (Excel for Mac before 2011) counts its
    # serials from 1904-01-01: 37986 is 2008-01-01 there. Its cells formatted as dates
    # openpyxl reads in that system already.
    import datetime as dt

    from openpyxl import Workbook
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    book = Workbook()
    book.epoch = CALENDAR_MAC_1904
    sheet = book.active
    sheet.append(["record_id", "full_name", "date_of_birth", "source_date"])
    sheet.append(["r1", "Amina", 37986, dt.date(2020, 5, 1)])
    sheet.append(["r2", "Omar", 37986.75, dt.datetime(2020, 5, 2, 13, 0)])
    book.save(tmp_path / "mac.xlsx")
    frame = rm.read_records(tmp_path / "mac.xlsx")
    assert frame["date_of_birth"].tolist() == ["2008-01-01", "2008-01-01"]
    assert frame["source_date"].tolist() == ["2020-05-01", "2020-05-02"]
    assert _serial_notes(frame.attrs["problems"]) == {"date_of_birth": (2, "1904-01-01")}


@pytest.mark.parametrize(
    ("written", "read", "serials"),
    [
        # years stay years beside serials: four digits are a year, never a serial
        (["1985", "39448", "39449", "2001"], ["1985", "2008-01-01", "2008-01-02", "2001"], 2),
        # compact dates (YYYYMMDD) are dates, beside serials or alone, never serials
        (["20090512", "39448", "39449"], ["2009-05-12", "2008-01-01", "2008-01-02"], 2),
        (["20090512", "19991231", "2009"], ["2009-05-12", "1999-12-31", "2009"], 0),
        # fewer than half serials: one is as likely a year mistyped ("19855"), and stays
        # malformed, as before; the column's other dates are read
        (["19855", "1985", "1990-05-01", "20010101"], ["", "1985", "1990-05-01", "2001-01-01"], 0),
    ],
)
@pytest.mark.parametrize("column", ["date_of_birth", "date_of_arrival"])
def test_numbers_that_are_no_serials_keep_their_reading(
    tmp_path: Path, written: list[str], read: list[str], serials: int, column: str
) -> None:
    # The same rule in a column of the user's own that a configuration compares as a date.
    text = f"record_id,full_name,{column}\n" + "".join(
        f"r{i},Amina,{d}\n" for i, d in enumerate(written)
    )
    frame = rm.read_records(write(tmp_path, text), date_fields=[column])
    assert frame[column].tolist() == read
    notes = _serial_notes(frame.attrs["problems"])
    assert notes.get(column, (0, ""))[0] == serials
    blanked = [p.value for p in frame.attrs["problems"] if p.row is not None]
    assert blanked == [w for w, r in zip(written, read, strict=True) if not r]


@pytest.mark.parametrize("column", ["date_of_birth", "date_of_arrival"])
def test_serial_dates_in_a_frame_s_float_column_are_read(column: str) -> None:
    # A float that is no whole number is no year (1990.5 stays malformed, not May 1990),
    # but a serial's fraction is its time of day.
    frame = pd.DataFrame(
        {
            "record_id": ["r1", "r2", "r3", "r4"],
            "full_name": ["Amina"] * 4,
            column: [39448.5, 39449.0, 1990.5, None],
        }
    )
    out = rm.read_records(frame, date_fields=[column])
    assert out[column].tolist() == ["2008-01-01", "2008-01-02", "", ""]
    assert [(p.row, p.value) for p in out.attrs["problems"] if p.row] == [(3, "1990.5")]


def test_a_configured_date_column_is_repaired_as_the_date_columns_are(tmp_path: Path) -> None:
    # A column of the user's own that a configuration compares as a date (kind "date")
    # was kept as written: its serials, and its malformed cells unreported, compared as
    # missing dates; "17/05/2009" and "20090512" were read only by the comparison.
    text = (
        "record_id,full_name,date_of_arrival\n"
        "r1,Amina,39448\n"
        "r2,Omar,39449.5\n"
        "r3,Zara,20090512\n"
        "r4,Ali,17/05/2009\n"
        "r5,Hawa,soon\n"
        "r6,Musa,\n"
        "r7,Idil,45292\n"
    )
    path = write(tmp_path, text)
    frame = rm.read_records(path, date_fields=["date_of_arrival"])
    assert frame["date_of_arrival"].tolist() == [
        "2008-01-01",
        "2008-01-02",
        "2009-05-12",
        "2009-05-17",
        "",
        "",
        "2024-01-01",
    ]
    problems = frame.attrs["problems"]
    assert _serial_notes(problems) == {"date_of_arrival": (3, "1899-12-30")}
    assert [(p.row, p.column, p.value) for p in problems if p.row is not None] == [
        (5, "date_of_arrival", "soon")
    ]
    assert "malformed date" in str(problems[-1])
    # Read without the configuration, the column is the user's own text, as it was.
    assert rm.read_records(path)["date_of_arrival"].tolist()[:2] == ["39448", "39449.5"]


@pytest.mark.parametrize("delimiter", [",", ";"])
def test_a_header_longer_than_the_first_bytes_read_is_read_whole(
    tmp_path: Path, delimiter: str
) -> None:
    # A header of many columns, longer than the 64 KiB first read of the file to tell its
    # encoding and delimiter from, was cut there: read_header gave the first few thousand
    # names, the last cut short.
    names = ["record_id", "full_name", *(f"extra_{i}" for i in range(12_000))]
    cells = ["r1", "Amina", *("x" * 12_000)]
    path = write(tmp_path, delimiter.join(names) + "\n" + delimiter.join(cells) + "\n")
    assert len(path.read_bytes()) > 2 * 65_536
    assert rm.io.read_header(path) == names
    frame = rm.read_records(path)
    assert list(frame.columns) == names
    assert frame.iloc[0].tolist() == cells


def test_a_workbook_whose_sheet_is_damaged_is_refused_with_a_reason(tmp_path: Path) -> None:
    # A sheet cut short inside a sound zip was a ParseError traceback (exit 1 from the
    # command line): openpyxl parses a sheet as its rows are read.
    whole = _workbook(
        tmp_path / "whole.xlsx",
        [["record_id", "full_name"], *([f"r{i}", "Amina"] for i in range(200))],
    )
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(whole) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            zout.writestr(item.filename, data)
    with pytest.raises(
        rm.RecordError, match=re.escape("not a readable .xlsx workbook (ParseError in its first")
    ):
        rm.read_records(damaged)


@pytest.mark.parametrize("encoding", ["ISO-8859-8-I", "ULF-8"])
def test_pfif_declaring_an_encoding_python_does_not_know_is_refused(
    tmp_path: Path, encoding: str
) -> None:
    # It was a LookupError traceback: expat asks Python for the codec.
    xml = (
        f'<?xml version="1.0" encoding="{encoding}"?><pfif xmlns="http://zesty.ca/pfif/1.4">'
        "<person><person_record_id>ex.org/p1</person_record_id><full_name>Ali</full_name>"
        "</person></pfif>"
    )
    with pytest.raises(
        rm.RecordError, match=rf"names an encoding Python does not know \({encoding.lower()}\)"
    ):
        rm.read_records(write(tmp_path, xml, "in.xml"))


def test_a_frame_of_nullable_integer_ids_names_its_blank_and_repeated_ones() -> None:
    # convert_dtypes reads numeric ids as Int64; a blank one was a TypeError ("Invalid
    # value '' for dtype 'Int64'"), as was any Int64 column with a blank beside repeated ids.
    blank = pd.DataFrame(
        {"record_id": pd.array([1, None, 3], dtype="Int64"), "full_name": ["Ali", "Sara", "Ivan"]}
    )
    with pytest.raises(rm.RecordError, match="row 2, column 'record_id': blank record id"):
        rm.read_records(blank)
    repeated = blank.assign(
        record_id=pd.array([1, 1, 3], dtype="Int64"), age=pd.array([1, None, 3], dtype="Int64")
    )
    with pytest.raises(rm.RecordError, match=r"duplicate record id in rows 1, 2 \(value '1'\)"):
        rm.read_records(repeated)
    loaded = rm.io.load_records(repeated)
    assert loaded.records["record_id"].tolist() == ["3"]
    assert {r.row for r in loaded.rejected} == {1, 2}


@pytest.mark.parametrize("mark", ["\x0b", "\x0c", "\x1c", "\x85", "\u2028"])
def test_a_title_holding_a_vertical_tab_is_one_title(tmp_path: Path, mark: str) -> None:
    # str.splitlines broke the title in two there; two titles counted, the header was
    # passed over as the second: "no record id column", "no name column".
    text = f"Tracing requests{mark}Camp 4\nrecord_id,full_name\nr1,Amina\nr2,Omar\n"
    records = rm.read_records(write(tmp_path, text))
    assert records["record_id"].tolist() == ["r1", "r2"]
    assert [p.message for p in records.attrs["problems"] if "title" in p.message] == [
        "a title above the header, passed over"
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-32"])
def test_a_nul_in_a_utf16_file_is_removed_and_noted(tmp_path: Path, encoding: str) -> None:
    # Its bytes hold NULs in every letter, so the file's were not searched, and the cell
    # kept it: an id "r2\x00" met no "r2", without a word.
    text = "record_id,full_name\nr1,Amina\nr2\x00,Omar\n"
    records = rm.read_records(write(tmp_path, text.encode(encoding)))
    assert records["record_id"].tolist() == ["r1", "r2"]
    assert [(p.row, p.column) for p in records.attrs["problems"] if "NUL" in p.message] == [
        (2, "record_id")
    ]


def test_a_header_that_nearly_spells_a_field_the_records_lack_is_noted(tmp_path: Path) -> None:
    # Kept under its own name, the column was compared by nothing, without a word; a
    # mapping target so spelt is warned of.
    text = "record_id,full_name,Date of Brith,fathers_name,camp\nr1,Amina,1990,Omar,4\n"
    records = rm.read_records(write(tmp_path, text))
    notes = {p.column: p.message for p in records.attrs["problems"]}
    assert set(notes) == {"Date of Brith", "fathers_name"}
    assert notes["fathers_name"].startswith("a column named nearly as the field 'father_name'")
    assert "map it (mapping: 'Date of Brith' = 'date_of_birth')" in notes["Date of Brith"]
    # Where the records have the field, the column is another of the user's own.
    both = "record_id,full_name,father_name,fathers_name\nr1,Amina,Omar,Omar\n"
    assert not rm.read_records(write(tmp_path, both)).attrs["problems"]


def test_a_date_of_a_day_its_month_lacks_is_reported_as_no_such_day(tmp_path: Path) -> None:
    # "malformed date of birth (want YYYY, YYYY-MM or YYYY-MM-DD)" of 31/02/2001, though
    # DD/MM/YYYY is read: the date is no day, not written wrong.
    text = (
        "record_id,full_name,date_of_birth\n"
        "r1,Amina,31/02/2001\nr2,Omar,2009-02-29\nr3,Ali,2008-02-29\nr4,Sara,1990-13-01\n"
    )
    records = rm.read_records(write(tmp_path, text))
    said = {p.row: p.message for p in records.attrs["problems"]}
    assert said[1] == "no such day (31 February 2001); blanked"
    assert said[2] == "no such day (29 February 2009); blanked"
    assert said[4].startswith("malformed date of birth")
    assert 3 not in said
    assert records["date_of_birth"].tolist() == ["", "", "2008-02-29", ""]
