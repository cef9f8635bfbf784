"""CSV in the encodings and delimiters that real exports use.

Encodings: UTF-8 (with or without BOM), UTF-16 (with BOM or without), UTF-32 (with BOM),
and for files that are not valid UTF-8 the Windows code page whose script their letters
read as words in: cp1252 (Latin), cp1251 (Cyrillic) or cp1256 (Arabic), or cp1254
(Turkish) where the Latin letters are Turkish ones, a note said for the last three (and for
cp1252 where it reads letters that cp1254 writes with the same bytes); a file in none of
them clearly is refused. In a UTF-8 file, a line that is not
valid UTF-8 (a record typed in elsewhere, or a file that turns to a code page past its
first bytes) is read in the code page such lines read as words in (else cp1252), and its
row reported.
Delimiters ``,`` ``;``, tab and ``|`` are sniffed from the first lines. A line may end in a line
feed, a carriage return and a line feed, or a carriage return alone (old Mac exports).
Rows with too many or too few fields are reported, not silently shifted. A row whose every
cell is blank (an empty line, a line of delimiters or of white space) holds no record: it is
passed over without a word, as the .xlsx reader passes over a blank row, but counted, so
that each row is numbered as a spreadsheet shows the file (the header row 0; a quoted cell
over several lines one row, numbered where it starts), whichever reader reads it.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import mmap
import re
import unicodedata
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from rfl_match.arrays import text_columns_where
from rfl_match.io.paths import FilePath
from rfl_match.io.table import (
    SPREADSHEET_RISK,
    TITLE_ROWS,
    RejectedRow,
    Table,
    blank_frame,
    blank_header_name,
    name_blank_headers,
    title_problems,
    title_rows,
)
from rfl_match.schema import Problem, RecordError, blank_rows

_DELIMITERS = (",", ";", "\t", "|")
#: UTF-32's byte order marks (the little-endian one opens as UTF-16's does: read first).
_UTF32_BOMS = (b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")
_SPREADSHEET_RISK = SPREADSHEET_RISK


_BINARY = "not a text (CSV) file: it holds binary data; save it as CSV, or use .xlsx or .parquet"
#: Windows code pages that a file which is not UTF-8 is read in: by the script its letters
#: read as words in (on a tie, the first), and cp1254, whose letters are cp1252's Latin but
#: for six, told from it by its Turkish letters (:func:`_turkish`).
CODE_PAGES = {
    "cp1252": "Windows Latin",
    "cp1251": "Windows Cyrillic",
    "cp1256": "Windows Arabic",
    "cp1254": "Windows Turkish",
}
_SCRIPT_PAGES = ("cp1252", "cp1251", "cp1256")
# Turkish's letters beyond ASCII, as cp1254 reads them; and those of them that cp1252
# reads otherwise, as Icelandic letters ("Ayşe Yılmaz" as "Ayþe Yýlmaz").
_TURKISH = frozenset("çÇğĞıİöÖşŞüÜâÂîÎûÛ")
_TURKISH_ONLY = frozenset("ğĞıİşŞ")
_READ_OTHERWISE = re.compile("[ðýþÐÝÞ]")
_UNKNOWN = (
    "text in an unknown encoding: not UTF-8, nor by its letters clearly one of "
    + ", ".join(f"{name} ({page})" for page, name in CODE_PAGES.items())
    + ": save it as UTF-8"
)
# Runs of text between ASCII digits, punctuation and spaces, and the quotes and dashes of
# the pages ("D’Angelo"): a word, and around it other marks of its page (a symbol inside
# it, or a letter of another script, is not of a word).
_WORD = re.compile(r"[^\x00-\x40\x5b-\x60\x7b-\x7f\s‘’‚“”„«»‹›–—…´·]+")
_AROUND = re.compile(r"^\W+|\W+$")


def decode(raw: bytes, source: str) -> tuple[str, str]:
    """Text and the encoding it was read in; RecordError for binary or undecodable input."""
    if not raw.strip():
        raise RecordError([Problem(None, None, "the file is empty")], source)
    if raw.startswith(_UTF32_BOMS):
        try:
            return raw.decode("utf-32"), "utf-32"
        except UnicodeDecodeError as exc:
            raise RecordError([Problem(None, None, f"broken UTF-32 text: {exc}")], source) from exc
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16"), "utf-16"
        except UnicodeDecodeError as exc:
            raise RecordError([Problem(None, None, f"broken UTF-16 text: {exc}")], source) from exc
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="strict"), "utf-8-sig"
    if b"\x00" in raw[:4096]:
        order = utf16_order(raw)
        if order is None:
            raise RecordError([Problem(None, None, _BINARY)], source)
        return raw.decode(order, errors="replace"), order
    try:
        return raw.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    page = code_page(raw)
    if page is None:
        raise RecordError([Problem(None, None, _UNKNOWN)], source)
    return raw.decode(page), page


def utf16_order(head: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" for UTF-16 text without a byte order mark (as some
    Windows tools write it: an ASCII letter is the letter's byte and a NUL), else None
    (binary data)."""
    sample = head[:4096]
    sample = sample[: len(sample) - len(sample) % 2]
    even, odd = sample[0::2], sample[1::2]
    for order, nuls, letters in (("utf-16-le", odd, even), ("utf-16-be", even, odd)):
        if len(sample) >= 4 and nuls.count(0) >= len(nuls) / 4 and letters.count(0) == 0:
            try:
                codecs.getincrementaldecoder(order)().decode(sample, final=False)
            except UnicodeDecodeError:
                return None
            return order
    return None


def _script(letter: str) -> str:
    return unicodedata.name(letter, "?").split(" ", 1)[0]


def _reads_as_word(word: str, page: str) -> bool:
    """Whether a word with letters beyond ASCII, as read in ``page``, is one: its letters
    of one script, that page's, and cased as words are ("Hélène", "Иван", "محمد"). The
    same bytes read in another page give accented letters only ("Èâàí" for "Иван"),
    letters of two scripts, or a case that changes mid-word ("ãÍãÏ" for "محمد")."""
    beyond = [ch for ch in word if not ch.isascii()]
    if not all(unicodedata.category(ch)[0] in "LM" for ch in beyond):
        return False
    scripts = {_script(ch) for ch in beyond}
    ascii_letters = len(beyond) < len(word)
    cased = word.islower() or word.isupper() or word.istitle()
    if scripts == {"LATIN"}:  # any page: cp1256 has the French accented letters too
        return cased and (ascii_letters or len(word) == 1)
    if scripts == {"CYRILLIC"}:
        return page == "cp1251" and cased and not ascii_letters
    if scripts == {"ARABIC"}:
        return page == "cp1256" and not ascii_letters
    return False


def code_page(raw: bytes) -> str | None:
    """The Windows code page (:data:`CODE_PAGES`) that bytes which are not UTF-8 read as
    words in, judged by the share of the letters of its words beyond ASCII that are in
    words in that page: cp1252 when there are none; None when no page has more than half,
    or two that read otherwise come within a tenth of each other (a line or two of short
    names can read as Arabic or as Cyrillic).

    >>> code_page("Иван Петров".encode("cp1251")), code_page("Hélène".encode("cp1252"))
    ('cp1251', 'cp1252')
    """
    read: list[tuple[float, str, str]] = []
    for page in _SCRIPT_PAGES:
        try:
            text = raw.decode(page)
        except UnicodeDecodeError:
            continue
        words = [w for w in (_AROUND.sub("", t) for t in _WORD.findall(text)) if not w.isascii()]
        if not words:
            if page == "cp1252":
                return page
            continue
        share = sum(len(w) for w in words if _reads_as_word(w, page)) / sum(map(len, words))
        read.append((share, page, text))
    read.sort(key=lambda r: -r[0])  # stable: on a tie, the page listed first
    if not read or read[0][0] <= 0.5:
        return None
    best_share, best, text = read[0]
    if any(share >= best_share - 0.1 and other != text for share, _, other in read[1:]):
        return None
    return "cp1254" if best == "cp1252" and _turkish(raw) else best


def _turkish(raw: bytes) -> bool:
    """Whether bytes whose words read as Latin ones in cp1252 are Turkish in cp1254: read
    so, every letter beyond ASCII is Turkish, one of them a letter that cp1252 reads
    otherwise (ş, ı, ğ: "Ayşe Yılmaz", which cp1252 reads "Ayþe Yýlmaz"). Icelandic, whose
    þ, ð and ý those bytes are in cp1252, comes with letters Turkish has not (á, ó, ú,
    æ), and stays cp1252; so does a file of Turkish names beside others (José), with a
    note (:data:`_MAYBE_TURKISH`)."""
    try:
        text = raw.decode("cp1254")
    except UnicodeDecodeError:
        return False
    letters = {ch for ch in text if not ch.isascii() and ch.isalpha()}
    return bool(letters & _TURKISH_ONLY) and letters <= _TURKISH


def sniff_delimiter(text: str) -> str:
    """The delimiter among ``, ; tab |`` that splits the first lines most consistently."""
    lines = [line for line in _csv_lines(text)[:20] if line.strip()]
    if not lines:
        return ","
    best, best_score = ",", -1.0
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        agree = sum(c == counts[0] for c in counts) / len(counts)
        score = agree * 1000 + counts[0]
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _lines(text: str) -> io.StringIO:
    """Text for the csv module, which reads a line ended by a carriage return alone only
    from a stream opened with ``newline=""`` (else "new-line character seen in unquoted
    field")."""
    return io.StringIO(text, newline="")


def read_csv_text(text: str, source: str = "input") -> tuple[pd.DataFrame, list[Problem]]:
    """Parse CSV text into string columns; ragged rows are returned as problems, numbered
    as :func:`read_csv` numbers them. A row whose every cell is blank is left out, as
    :func:`read_csv` leaves it out, whether or not another row is ragged."""
    delimiter = sniff_delimiter(text)
    problems: list[Problem] = []
    try:
        frame = pd.read_csv(
            io.StringIO(text),
            sep=delimiter,
            dtype=str,
            keep_default_na=False,
            na_filter=False,
            engine="c",
        )
        # an empty line is skipped by pandas already; a line of delimiters is not
        return frame[~blank_rows(frame)].reset_index(drop=True), problems
    except pd.errors.ParserError:
        pass
    # Some rows have the wrong number of fields: read row by row and report them.
    reader = csv.reader(_lines(text), delimiter=delimiter)
    csv.field_size_limit(1 << 30)
    header = next(reader)
    rows: list[list[str]] = []
    for line_no, row in enumerate(reader, start=1):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) == len(header):
            rows.append(row)
        else:
            problems.append(
                Problem(
                    line_no,
                    None,
                    f"row has {len(row)} fields, the header has {len(header)}; rejected",
                    delimiter.join(row)[:60],
                )
            )
    return pd.DataFrame(rows, columns=header, dtype=str), problems


_HEAD_BYTES = 1 << 16
_BLOCK_BYTES = 1 << 26  # a row longer than this is read by the slow path


def _read_head(path: Path) -> bytes:
    """The file's first bytes, to tell its encoding, delimiter, titles and header from:
    64 KiB, or as many more as its first lines take (up to 64 MiB), where they are longer
    (a header of 20,000 columns): a header cut short would be read short, or its file
    read row by row."""
    size = path.stat().st_size
    with path.open("rb") as handle:
        head = handle.read(_HEAD_BYTES)
        # line ends, whichever a line ends with (\n, \r\n or \r): one past the lines
        # looked at for titles above the header
        while (
            len(head) < min(size, _BLOCK_BYTES)
            and max(head.count(b"\n"), head.count(b"\r")) <= TITLE_ROWS
        ):
            head += handle.read(len(head))
    return head


def _sniff_encoding(head: bytes, source: str) -> str:
    """The encoding to read a file in, from its first bytes; RecordError for binary data,
    and for a file of no text but white space, read in that encoding: a byte order mark
    alone is one, in UTF-16 too (Excel's "Unicode Text" of an empty sheet), where the
    bytes of its BOM and of its line breaks' NULs read as a file with text in it."""
    encoding = _head_encoding(head, source)
    if not head.decode(encoding, errors="replace").strip():
        raise RecordError([Problem(None, None, "the file is empty")], source)
    return encoding


def _head_encoding(head: bytes, source: str) -> str:
    """The encoding a file's first bytes tell (see :func:`_sniff_encoding`)."""
    if head.startswith(_UTF32_BOMS):
        return "utf-32"
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16"
    if head.startswith(b"\xef\xbb\xbf"):
        return "utf-8-sig"
    if b"\x00" in head[:4096]:
        order = utf16_order(head)
        if order is not None:
            return order
        # text holds a stray NUL at most, and next to no other control byte
        sample = head[:4096]
        controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))
        if controls * 100 > len(sample) or (
            sample.count(0) > 2 and sample.count(0) * 20 > len(sample)
        ):
            raise RecordError([Problem(None, None, _BINARY)], source)
    return "utf-8"


# Bytes below 32 that no text holds (tab, line feed, form feed, carriage return and the
# escape of a terminal colour aside; NUL counted apart).
_CONTROL_BYTES = bytes(b for b in range(1, 32) if b not in (9, 10, 12, 13, 26, 27))


def _holds_nul(path: Path) -> bool:
    """Whether the file holds a NUL byte (found at the speed of memory, not read in)."""
    with path.open("rb") as handle, mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ) as m:
        return m.find(b"\x00") >= 0


def _head_text(head: bytes, encoding: str, complete: bool) -> str:
    text = head.decode(encoding, errors="replace")
    end = max(text.rfind("\n"), text.rfind("\r"))  # the last whole line's end
    if not complete and end >= 0:
        text = text[:end]
    return text


def read_csv(path: FilePath) -> Table:
    """Read a CSV file into string columns, holding one copy of the data at most.

    The fast path parses the file from disk with pyarrow (no Python copy of the text); a
    file with ragged rows, or a row too long for it, is read again row by row with the
    ``csv`` module, so that each rejected row is reported with its data row number. Both
    number the rows alike, blank ones counted and dropped (see the module's docstring).
    """
    path = Path(path)
    source = str(path)
    size = path.stat().st_size
    head = _read_head(path)
    encoding = _sniff_encoding(head, source)
    complete = size <= len(head)
    if encoding == "utf-8":
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=complete)
        except UnicodeDecodeError:
            mixed = _holds_utf8(head)
            page = None if mixed else code_page(head)
            if page is None and not mixed:
                raise RecordError([Problem(None, None, _UNKNOWN)], source) from None
            encoding = page or _MIXED
    text = _head_text(head, "utf-8" if encoding == _MIXED else encoding, complete)
    skip, delimiter, header, titles = _header(text)
    # A NUL byte is found in the file's bytes, but for UTF-16 and UTF-32, whose letters
    # hold them: their cells are read for the NUL character.
    nul = encoding.startswith(("utf-16", "utf-32")) or _holds_nul(path)
    if encoding == _MIXED:
        table = _read_slow(path, _MIXED, delimiter, source, len(titles))
    else:
        table = _read(path, encoding, delimiter, header if not skip else [], source, len(titles))
    table.problems[:0] = title_problems(titles)
    if encoding == "cp1252" and _READ_OTHERWISE.search(text):
        table.problems.insert(0, Problem(None, None, _MAYBE_TURKISH))
    return _checked(table, delimiter, nul)


def _read(
    path: Path, encoding: str, delimiter: str, header: list[str], source: str, titles: int
) -> Table:
    """The file read by pyarrow where it can (``header``: its header, on its first line;
    [] to read row by row, passing over lines before the header), else row by row."""
    try:
        table = _read_fast(path, encoding, delimiter, header)
    except _Utf8Error:
        if not encoding.startswith("utf-8"):
            raise RecordError([Problem(None, None, _UNKNOWN)], source) from None
        # UTF-8 up to here: a later line in another encoding (a record typed in
        # elsewhere) is read in a code page on its own (_fallback_page), and said so
        return _read_slow(path, _MIXED, delimiter, source, titles)
    except UnicodeDecodeError:
        raise RecordError([Problem(None, None, _UNKNOWN)], source) from None
    if table is None:
        table = _read_slow(path, encoding, delimiter, source, titles)
    if encoding in CODE_PAGES and encoding != "cp1252":
        table.problems.insert(0, Problem(None, None, _READ_AS.format(page=encoding)))
    return table


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _csv_lines(text: str) -> list[str]:
    """The lines of ``text`` as the csv module breaks them, at CR, LF and CR LF only:
    ``str.splitlines`` breaks at a vertical tab, a form feed and others as well, so a
    title holding one ("Requests\vCamp 4") counted as two lines, and the header after it
    was passed over as a title too."""
    lines = _LINE_BREAK.split(text)
    if lines and not lines[-1]:
        lines.pop()
    return lines


# The line Excel reads the delimiter from ("sep=;"), before the header.
_SEP_LINE = re.compile(r"^sep=(.)$")


def _header(text: str) -> tuple[int, str, list[str], list[str]]:
    """The number of lines before a file's header (blank ones, Excel's ``sep=;`` line and
    titles: see :func:`_titles`), its delimiter (the one that line names, else sniffed),
    its header and its titles, from the first lines of its text."""
    csv.field_size_limit(1 << 30)  # a line of 20,000 columns split by another delimiter
    lines = _csv_lines(text)
    skip = 0
    while skip < len(lines) and not lines[skip].strip():
        skip += 1
    named = _SEP_LINE.match(lines[skip].strip()) if skip < len(lines) else None
    if named:
        skip += 1
    before, titles = _titles("\n".join(lines[skip:]))
    skip += before
    body = "\n".join(lines[skip:]) if skip else text
    delimiter = named.group(1) if named else sniff_delimiter(body)
    reader = csv.reader(_lines(body), delimiter=delimiter)
    return skip, delimiter, _header_row(reader, delimiter), titles


def _titles(text: str) -> tuple[int, list[str]]:
    """The lines before the header at the top of ``text``, and the titles among them (see
    :func:`rfl_match.io.table.title_rows`; a row of blank cells is none).

    Found over CSV records, as the row-by-row reader that passes over the titles reads
    them, not over lines: a header cell over two lines (Excel's Alt+Enter, ``"Case`` then
    ``No.",full_name``) opens no title, and a title cell over two lines is one title. A
    quote opens a cell only at its start, so each delimiter reads the records its own way;
    the one that finds the header (a record of two cells or more) on the earliest line is
    taken, as a line is a header's when any delimiter splits it in two."""
    found: list[tuple[int, list[str]]] = []
    for delimiter in _DELIMITERS:
        reader = csv.reader(_lines(text), delimiter=delimiter)
        rows: list[list[str]] = []
        starts: list[int] = []  # the line each row starts on, from 0
        start = 0
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
                starts.append(start)
                if len(rows) == TITLE_ROWS:
                    break
            start = reader.line_num
        if not any(sum(bool(cell.strip()) for cell in row) >= 2 for row in rows):
            continue  # no header: a table of one column, or another delimiter's file
        count = title_rows(rows)
        titles = [" ".join(c.strip() for c in row if c.strip()) for row in rows[:count]]
        found.append((starts[count], titles))
    return min(found, key=lambda lines_titles: lines_titles[0], default=(0, []))


def _header_row(reader: Iterator[list[str]], delimiter: str, titles: int = 0) -> list[str]:
    """The first row of the reader that is not blank nor Excel's ``sep=`` line, after
    ``titles`` rows, without the byte order mark that a second one leaves (two files
    joined: "\ufeffrecord_id")."""
    for row in reader:
        if any(cell.strip() for cell in row) and not _SEP_LINE.match(delimiter.join(row)):
            if titles:
                titles -= 1
                continue
            return [cell.lstrip("\ufeff") for cell in row]
    return []


_READ_AS = (
    "not UTF-8: read as {page}, the Windows code page its letters read as words in; "
    "check its names, or save the file as UTF-8"
)
_MAYBE_TURKISH = (
    "not UTF-8: read as cp1252 (Windows Latin), where its letters ð, ý and þ may stand "
    "for Turkish ğ, ı and ş (cp1254, Windows Turkish); check its names, or save the file "
    "as UTF-8"
)


class _Utf8Error(Exception):
    pass


def _checked(table: Table, delimiter: str, nul: bool = False) -> Table:
    """The table with its blank headers named (:func:`name_blank_headers`), and a note for
    each cell that runs over several lines and holds the delimiter: a quote left open (or
    closed a line late) takes the rows after it into one cell, which no count of fields
    shows (``a,"Bosaso`` then ``RQ4,Amina,Malta",x``). ``nul``: the file holds a NUL
    byte; each is removed from its cell, with a note."""
    table = name_blank_headers(table)
    if nul:
        _remove_nuls(table)

    def note(row: int, column: str, cell: str) -> None:
        # No value, whatever the column: the cell holds the rest of its row and the rows
        # after it (names, dates of birth), in an id or sex column too.
        table.problems.append(
            Problem(
                row,
                column,
                f"the cell runs over {len(cell.splitlines())} lines and holds the delimiter "
                f"{delimiter!r}: a quote left open may have taken the rows after it into "
                "this cell; check the file",
            )
        )

    for rejected in table.rejected:  # a ragged row can hold the rows it took in too
        for column, cell in rejected.fields.items():
            if ("\n" in cell or "\r" in cell) and delimiter in cell:
                note(rejected.row, column, cell)
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    numbers = table.row_numbers()
    # by position: two columns of one name (refused by validation, with its reason) are
    # each a frame, not a column, by name
    # two plain searches: one regex over every cell took twice as long (a million rows)
    lines = text_columns_where(
        table.frame,
        lambda cells: pc.or_(pc.match_substring(cells, "\n"), pc.match_substring(cells, "\r")),
    )
    for position in lines:
        column = table.frame.columns[position]
        values = table.frame.iloc[:, position]
        spans = values.str.contains("\n", regex=False, na=False) | values.str.contains(
            "\r", regex=False, na=False
        )
        if not spans.any():
            continue
        both = spans & values.str.contains(delimiter, regex=False, na=False)
        suspect = np.flatnonzero(both.to_numpy(dtype=bool))
        for at in suspect.tolist():
            note(int(numbers[at]), str(column), str(values.iloc[at]))
    return table


def _remove_nuls(table: Table) -> None:
    """Remove the NUL characters (bytes 0, left by the system that exported the file)
    from the table's cells, a note for each cell."""
    import pyarrow.compute as pc

    numbers = table.row_numbers()
    for position in text_columns_where(
        table.frame, lambda cells: pc.match_substring(cells, "\x00")
    ):
        column = table.frame.columns[position]
        values = table.frame.iloc[:, position]
        found = values.str.contains("\x00", regex=False, na=False).to_numpy(dtype=bool)
        for at in np.flatnonzero(found).tolist():
            table.problems.append(
                Problem(
                    int(numbers[at]),
                    str(column),
                    "a NUL character (a byte 0, left by the system that exported the "
                    "file) in the cell; removed",
                    str(values.iloc[at]).replace("\x00", "")[:60],
                )
            )
        if found.any():
            table.frame.isetitem(position, values.str.replace("\x00", "", regex=False).array)
    for rejected in table.rejected:
        for key, cell in rejected.fields.items():
            rejected.fields[key] = cell.replace("\x00", "")


#: Read as UTF-8, each line that is not valid UTF-8 in the code page those lines read as
#: words in (:func:`_fallback_page`), with a note per row.
_MIXED = "utf-8, other lines in a code page"
_ASCII = bytes(range(128))


def _holds_utf8(head: bytes) -> bool:
    """Whether bytes that are not all valid UTF-8 are UTF-8 still for the most part: its
    letters beyond ASCII take more than half of the bytes beyond ASCII (a UTF-8 file with
    a line from elsewhere). In a file in a code page, two letters side by side may happen
    to make one UTF-8 letter (cp1251's В and і are the bytes of UTF-8's ³), no more."""
    beyond = len(head.translate(None, _ASCII))
    text = head.decode("utf-8", errors="replace")
    letters = sum(len(ch.encode("utf-8")) for ch in text if ord(ch) > 127 and ch != "\ufffd")
    return letters * 2 > beyond


def _fallback_page(lines: list[bytes]) -> str:
    """The code page to read a UTF-8 file's lines that are not UTF-8 in: the one they
    read as words in together (:func:`code_page`: a file that turns to cp1251 or cp1256
    past its first bytes, or a UTF-8 file with rows typed in elsewhere), else cp1252."""
    other: list[bytes] = []
    for raw in lines:
        try:
            raw.decode("utf-8")
        except UnicodeDecodeError:
            other.append(raw)
    return code_page(b"".join(other)) or "cp1252"


def _mixed_lines(lines: list[bytes], page: str, fallback: list[int]) -> Iterator[str]:
    """Lines (each with its line end), each decoded as UTF-8, or in ``page`` where it is
    not valid UTF-8; the numbers of those lines (from 1) go to ``fallback``."""
    for number, raw in enumerate(lines, 1):
        try:
            yield raw.decode("utf-8")
        except UnicodeDecodeError:
            fallback.append(number)
            yield raw.decode(page, errors="replace")


def _read_fast(path: Path, encoding: str, delimiter: str, header: list[str]) -> Table | None:
    """pyarrow's reader; None when the file needs the row-by-row reader. Blank rows are
    dropped and the rows kept numbered as :func:`_read_slow` numbers them, by whole
    columns: no Python step per row."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv  # type: ignore[import-untyped]
    except ImportError:  # pyarrow is optional (the "io" extra): read row by row
        return None
    if not header:
        return None
    names = [f"c{i}" for i in range(len(header))]
    bad_rows: list[object] = []

    def on_bad_row(row: object) -> str:
        bad_rows.append(row)
        return "skip"

    try:
        arrow = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(
                column_names=names,
                # pyarrow skips lines, not records: a header cell over two lines
                # (Excel's Alt+Enter) takes two
                skip_rows=_line_count(header),
                encoding="utf8" if encoding.startswith("utf-8") else encoding,
                block_size=min(_BLOCK_BYTES, max(1 << 20, path.stat().st_size + 1)),
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                # an empty line is read as a row of empty cells, so that it is counted
                # and dropped as a line of delimiters is (see blank_rows)
                ignore_empty_lines=False,
                invalid_row_handler=on_bad_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        if "UTF8" in str(exc) or "utf8" in str(exc).lower():
            raise _Utf8Error(str(exc)) from exc
        return None
    if bad_rows:
        return None
    blank = blank_rows(arrow)
    rows = None
    if blank.any():
        arrow = arrow.filter(pa.array(~blank))
        rows = np.flatnonzero(~blank).astype(np.int64) + 1
    frame = arrow.to_pandas()
    del arrow
    frame.columns = pd.Index(header)
    dropped = (np.flatnonzero(blank) + 1).tolist()
    return Table(frame, rows=rows, format="csv", dropped_rows=dropped)


_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def _line_count(row: list[str]) -> int:
    """The lines a record read by the csv module takes in its file: one, and one more for
    each line break in its quoted cells, which it keeps as the file writes them."""
    return 1 + sum(len(_LINE_BREAK.findall(cell)) for cell in row)


_NOT_UTF8 = (
    "{what} is not UTF-8 as the rest of the file is: read as {page} ({name}); check its letters"
)


def _read_slow(path: Path, encoding: str, delimiter: str, source: str, titles: int = 0) -> Table:
    """Row by row with the csv module: ragged rows are rejected with their row numbers,
    blank rows counted and dropped as :func:`_read_fast` does. ``encoding`` _MIXED:
    UTF-8, and each line that is not valid UTF-8 in the code page such lines read as
    words in (:func:`_fallback_page`, else cp1252), each row that holds one reported."""
    csv.field_size_limit(1 << 30)
    problems: list[Problem] = []
    rejected: list[RejectedRow] = []
    rows: list[list[str]] = []
    numbers: list[int] = []
    dropped: list[int] = []  # blank rows
    fallback: list[int] = []  # lines read in a code page (encoding _MIXED)
    mixed: dict[str, str] = {}  # that page, and its name, for the notes
    try:
        with contextlib.ExitStack() as stack:
            if encoding == _MIXED:
                raw_lines = path.read_bytes().splitlines(keepends=True)
                page = _fallback_page(raw_lines)
                lines: Iterable[str] = _mixed_lines(raw_lines, page, fallback)
                mixed = {"page": page, "name": CODE_PAGES[page]}
            else:
                lines = stack.enter_context(path.open("r", encoding=encoding, newline=""))
            reader = csv.reader(lines, delimiter=delimiter)
            header = _header_row(reader, delimiter, titles)
            if fallback:
                problems.append(Problem(None, None, _NOT_UTF8.format(what="the header", **mixed)))
            read = reader.line_num
            # a rejected row's cells by column, two blank headers kept apart
            fields = [h if h.strip() else blank_header_name(i) for i, h in enumerate(header)]
            row_no = 0
            for row in reader:
                # every row is counted, a blank one too (as a spreadsheet shows it and
                # the fast reader and the .xlsx reader number it), but holds no record
                row_no += 1
                if not any(cell.strip() for cell in row):
                    dropped.append(row_no)
                    read = reader.line_num
                    continue
                if fallback and fallback[-1] > read:  # a line of this row read in the page
                    note = _NOT_UTF8.format(what="this row", **mixed)
                    problems.append(Problem(row_no, None, note))
                read = reader.line_num
                if len(row) == len(header):
                    rows.append(row)
                    numbers.append(row_no)
                    continue
                reason = f"row has {len(row)} fields, the header has {len(header)}; rejected"
                problems.append(Problem(row_no, None, reason, delimiter.join(row)[:60]))
                cells = dict(zip(fields, row, strict=False))
                if len(row) > len(header):
                    cells["extra_fields"] = delimiter.join(row[len(header) :])
                rejected.append(RejectedRow(row_no, reason, cells))
    except UnicodeDecodeError as exc:
        if encoding == "utf-8":  # UTF-8 up to a line in another encoding (see read_csv)
            return _read_slow(path, _MIXED, delimiter, source, titles)
        raise RecordError(
            [Problem(None, None, "text in an unknown encoding: save it as UTF-8")], source
        ) from exc
    frame = blank_frame(header, rows)
    numbered = np.asarray(numbers, dtype=np.int64)
    return Table(frame, problems, rejected, numbered, "csv", dropped_rows=dropped)


def read_csv_header(path: FilePath) -> list[str]:
    """The column names of a CSV file (for guessing a mapping), reading its first bytes."""
    path = Path(path)
    head = _read_head(path)
    encoding = _sniff_encoding(head, str(path))
    if encoding == "utf-8":
        try:
            codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        except UnicodeDecodeError:
            if not _holds_utf8(head):  # as read_csv reads it
                encoding = code_page(head) or "utf-8"
    text = _head_text(head, encoding, True)
    return _header(text)[2]


def neutralise_formulas(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix cells that a spreadsheet would run as a formula with an apostrophe.

    Cells starting with ``= + - @``, tab or carriage return get a leading ``'`` (the OWASP
    practice; a name or id that legitimately starts with "-" gets one too). Numeric
    columns are left alone: a spreadsheet does not run a number.
    """
    out = frame.copy()
    for column in out.columns:
        values = out[column]
        if values.dtype == object or pd.api.types.is_string_dtype(values):
            text = values.where(values.notna(), "").astype(str)
            risky = text.str.startswith(SPREADSHEET_RISK)
            if risky.any():
                out[column] = text.where(~risky, "'" + text)
    return out


def write_csv(frame: pd.DataFrame, path: FilePath) -> None:
    """Write a table as UTF-8 CSV, formula cells neutralised."""
    neutralise_formulas(frame).to_csv(Path(path), index=False, encoding="utf-8")


def write_table(frame: pd.DataFrame, path: FilePath) -> None:
    """Write a table by file suffix (see :func:`rfl_match.io.write.write_table`)."""
    from rfl_match.io.write import write_table as write_by_suffix

    write_by_suffix(frame, path)
