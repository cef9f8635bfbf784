"""PFIF, the People Finder Interchange Format (1.1 to 1.4): persons and notes.

Reading (:func:`read_pfif`): each ``person`` becomes a record; its notes (nested, or at the
top level with a ``person_record_id``) add the latest ``last_known_location`` and
``status``. PFIF fields map to the canonical schema:

========================================  ===============================================
PFIF                                      canonical
========================================  ===============================================
``person_record_id``                      ``record_id``
``full_name`` (one name per line)         first line ``full_name``, the others
                                          ``alternate_names``
``given_name`` / ``first_name`` (1.1-1.3) ``given_name``
``family_name`` / ``last_name``           ``family_name``
``alternate_names``                       ``alternate_names`` (``;`` between names)
``sex``, ``date_of_birth``, ``age``       the same
``source_date`` (a date and time)         ``source_date`` (the date)
``home_city``, ``home_state``,            ``place_of_origin`` ("city, state, country");
``home_country``                          the fields are kept too
note ``last_known_location``              ``last_known_location`` (the latest note's)
========================================  ===============================================

Other person fields are kept under their PFIF names (``description``, ``home_street``,
``home_postal_code``, ``source_name``, ...; 1.1's ``other`` and ``home_zip`` under their
later names). The canonical fields that PFIF has no element for (``father_name``,
``mother_name``, ``grandfather_name``, ``place_of_birth``, ``nationality``) travel as lines
``<field>: <value>`` of the ``description``, which :func:`write_pfif_persons` writes and
:func:`read_pfif` reads back into their fields; so do the user's own columns (``camp``),
as lines ``extra.<column>: <value>``, escaped to hold any text on one line. Contact
details (``author_email``, ``author_phone``, ``email_of_found_person``,
``phone_of_found_person``) are neither read nor written: matching needs none, and data
kept is data at risk.

The parser is expat with a document type declaration refused outright, so that neither
entity expansion ("billion laughs") nor an external entity can be smuggled in.

Writing (:func:`write_pfif_notes`): for each proposed pair, a note on each of the two
records with ``linked_person_record_id`` pointing at the other (the PFIF way of marking a
possible duplicate), no ``status`` (the spec's statuses describe the person, and nothing is
confirmed), and a text saying who proposed it, with what probability (to 3 decimals,
between 0.001 and 0.999: a note never reads as a certainty), for review. A
person's id is unique in a PFIF document: ``rfl-match link`` refuses inputs where a
request and a sighting share a record id (:func:`check_person_ids`), and
:func:`write_pfif_notes` refuses pairs whose notes would share a note id. An id that holds
a control character (a vertical tab a spreadsheet wrote for a line break) is refused too,
by both writers and by :func:`check_person_ids`: XML cannot hold the character, and the id
written without it would name no record.
:func:`read_pfif_pairs` reads those pairs back (for ``evaluate``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

import numpy as np
import pandas as pd

from rfl_match.dates import in_whole_years, parse_partial_date
from rfl_match.io.paths import FilePath
from rfl_match.io.table import Table
from rfl_match.io.write import OutputError
from rfl_match.schema import Problem, RecordError
from rfl_match.scoring import shown_probability

PFIF_NS = "http://zesty.ca/pfif/1.4"
_NS_RE = re.compile(r"^https?://zesty\.ca/pfif/1\.[0-9]+/?$")
# Old field names and the 1.4 names they became.
_RENAMED = {
    "first_name": "given_name",
    "last_name": "family_name",
    "home_zip": "home_postal_code",
    "other": "description",
    "found": "author_made_contact",
}
#: Elements whose text is lines (names one a line, free text): one given twice in a
#: record is read as more lines; any other keeps its first value, and the second is noted
#: (under this prefix, for :func:`read_pfif`).
_LINED = frozenset({"full_name", "alternate_names", "description"})
_REPEATED = "_repeated:"
_PRIVATE = frozenset(
    {"author_email", "author_phone", "email_of_found_person", "phone_of_found_person"}
)
_PERSON_ORDER = (
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "sex",
    "date_of_birth",
    "age",
    "source_date",
    "place_of_origin",
    "last_known_location",
)
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
# What a record id cannot hold and come back from a PFIF document as itself: a character
# XML 1.0 cannot hold (_clean drops it) or a carriage return (XML reads it as a line feed).
_UNFAITHFUL_ID = re.compile("[\x00-\x08\x0b-\x0d\x0e-\x1f\ufffe\uffff]")
# Canonical fields that PFIF 1.4 has no element for: write_pfif_persons writes each as a
# line "<field>: <value>" of the description, and read_pfif reads that line back.
_DESCRIBED_FIELDS = (
    "father_name",
    "mother_name",
    "grandfather_name",
    "place_of_birth",
    "nationality",
)
_DESCRIBED_FIELD = re.compile(rf"^({'|'.join(_DESCRIBED_FIELDS)}): (.+)$")
# The person fields of PFIF 1.4, in the spec's order: write_pfif_persons writes each of a
# record's as an element.
_PERSON_FIELDS = (
    "person_record_id",
    "entry_date",
    "expiry_date",
    "author_name",
    "source_name",
    "source_date",
    "source_url",
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "description",
    "sex",
    "date_of_birth",
    "age",
    "home_street",
    "home_neighborhood",
    "home_city",
    "home_state",
    "home_postal_code",
    "home_country",
    "photo_url",
    "profile_urls",
)
# Columns that write_pfif_persons writes in a way of their own (an element, a line of
# their own, a note), or never (contact details, which read_pfif does not read either).
# Any other column is an extra column: a line "extra.<column>: <value>" of the
# description, name and value escaped (_escaped) so that the line holds them whole.
_NOT_EXTRA = frozenset(
    {
        *_PERSON_FIELDS,
        *_DESCRIBED_FIELDS,
        *_PRIVATE,
        "record_id",
        "place_of_origin",
        "last_known_location",
    }
)
_EXTRA_FIELD = re.compile(r"^extra\.([^:]*): (.+)$")
# What the line of an extra column cannot hold as it is: a line break (any that
# str.splitlines breaks at), another control character, a character that XML 1.0
# cannot hold, and the backslash that escapes them; and in its name, a colon.
_UNSAFE = r"\\\x00-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff"
_UNSAFE_VALUE = re.compile(f"[{_UNSAFE}]")
_UNSAFE_NAME = re.compile(f"[{_UNSAFE}:]")
_ESCAPES = {"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"}
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|([\\nrt]))")
_UNESCAPES = {escape[1]: char for char, escape in _ESCAPES.items()}


class _Refused(Exception):
    pass


@dataclass(slots=True)
class _Document:
    persons: list[dict[str, str]] = field(default_factory=list)
    notes: list[dict[str, str]] = field(default_factory=list)
    versions: set[str] = field(default_factory=set)


def _parse(path: FilePath) -> _Document:
    """Persons and notes as dicts of text, with nested notes tagged with their person."""
    path = Path(path)
    source = str(path)
    doc = _Document()
    stack: list[str] = []
    record: list[dict[str, str]] = []  # open person / note records, innermost last
    text: list[str] = []
    root_seen: list[str] = []

    def local(name: str) -> tuple[str, str]:
        namespace, _, tag = name.rpartition(" ")
        return namespace, tag

    def refuse(*_: Any) -> int:
        raise _Refused("the file declares a document type or entities; refused for safety")

    def start(name: str, _attrs: dict[str, str]) -> None:
        namespace, tag = local(name)
        if not root_seen:
            root_seen.append(tag)
            if tag != "pfif":
                raise _Refused(f"not a PFIF document (its root element is {tag!r})")
            if namespace and not _NS_RE.match(namespace):
                raise _Refused(
                    f"not a PFIF 1.x document: its root element 'pfif' is in the namespace "
                    f"{namespace[:80]!r}, where PFIF's is http://zesty.ca/pfif/1.N"
                )
            if namespace:
                doc.versions.add(namespace.rstrip("/").rsplit("/", 1)[-1])
        stack.append(tag)
        if tag in ("person", "note"):
            item: dict[str, str] = {"_kind": tag}
            if tag == "note" and record and record[-1]["_kind"] == "person":
                item["_parent"] = record[-1].get("person_record_id", "")
                item["_parent_index"] = str(len(doc.persons))
            record.append(item)
        text.clear()

    def end(name: str) -> None:
        _, tag = local(name)
        stack.pop()
        if tag in ("person", "note") and record and record[-1]["_kind"] == tag:
            item = record.pop()
            (doc.persons if tag == "person" else doc.notes).append(item)
        elif record and len(stack) >= 1 and stack[-1] == record[-1]["_kind"]:
            key = _RENAMED.get(tag, tag)
            if key not in _PRIVATE:
                value, held = "".join(text), record[-1].get(key)
                if held is None:
                    record[-1][key] = value
                elif key in _LINED:  # one name a line: a second element's are more lines
                    record[-1][key] = held + "\n" + value
                elif value.strip() and value.strip() != held.strip():
                    record[-1].setdefault(_REPEATED + key, value)  # the first kept, said so
        text.clear()

    def chars(data: str) -> None:
        text.append(data)

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    try:
        with path.open("rb") as handle:
            parser.ParseFile(handle)
    except _Refused as exc:
        raise RecordError([Problem(None, None, str(exc))], source) from exc
    except LookupError as exc:  # expat asks Python for an encoding it does not know itself
        detail = (
            "its XML declaration names an encoding Python does not know "
            f"({_declared(path) or exc}): save the file as UTF-8, or declare one it knows"
        )
        raise RecordError([Problem(None, None, detail)], source) from exc
    except expat.ExpatError as exc:
        if path.stat().st_size == 0:
            detail = "the file is empty"
        elif (
            exc.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]
            and not _utf8(path)
            and _declared(path) in ("", "utf-8", "utf8")
        ):
            # XML without a declaration is UTF-8: a file saved in another encoding (Latin-1,
            # cp1252) stops at its first accented letter, which expat calls a bad token
            detail = (
                f"not UTF-8 ({exc}): save the file as UTF-8, or declare its encoding "
                '(<?xml version="1.0" encoding="windows-1252"?>)'
            )
        else:
            detail = f"not well-formed XML: {exc}"
        raise RecordError([Problem(None, None, detail)], source) from exc
    # A nested note written before its person's id: attach it by position instead.
    for note in doc.notes:
        if "_parent_index" in note and not note.get("_parent"):
            index = int(note["_parent_index"])
            if index < len(doc.persons):
                note["_parent"] = doc.persons[index].get("person_record_id", "")
    return doc


_DECLARED = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)")


def _declared(path: Path) -> str:
    """The encoding the file's XML declaration names, lower case; "" for none."""
    with path.open("rb") as handle:
        found = _DECLARED.match(handle.read(256).lstrip(b"\xef\xbb\xbf"))
    return found.group(1).decode("ascii").lower() if found else ""


def _utf8(path: Path) -> bool:
    """Whether the file's bytes read as UTF-8 (read again on a parse error only)."""
    try:
        path.read_bytes().decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _lines(value: str) -> list[str]:
    return [line.strip() for line in value.splitlines() if line.strip()]


# A record's source_date known to the year or the month, as the canonical fields write it.
_PARTIAL_DATE = re.compile(r"^(\d{4})(?:-(\d{2}))?$")
# A date that is a span of days (one of another calendar, as validation writes it:
# rfl_match.dates.calendar_span), which PFIF's date_of_birth and source_date cannot hold.
_SPAN = r"(\d{4}-\d{2}-\d{2})/(\d{4}-\d{2}-\d{2})"
_SPAN_TEXT = re.compile(rf"^{_SPAN}$")
# The line write_pfif_persons puts in the description for a partial or spanned source date,
# and for a spanned date of birth; read back.
_DESCRIBED_DATE = re.compile(rf"^source_date: (\d{{4}}(?:-\d{{2}})?|{_SPAN})$", re.MULTILINE)
_DESCRIBED_SPAN = re.compile(rf"^date_of_birth: ({_SPAN})$")
# A young child's age in months, weeks or days, which PFIF's age (a number or a range of
# years) cannot hold: the element holds its whole years, a line of the description the age.
_DESCRIBED_AGE = re.compile(r"^age: (.+)$")


def _date_part(value: str) -> str:
    value = value.strip()
    match = re.match(r"^(\d{4}-\d{2}-\d{2})(?:[T ].*)?$", value)
    return match.group(1) if match else value


def _source_date(person: dict[str, str]) -> tuple[str, str]:
    """The person's source_date as a date, and the description: a year or month the
    description gives for the day that PFIF's moment names (what
    :func:`write_pfif_persons` wrote for one) is the date, and its line leaves the
    description (writing the record again puts it back once, not twice)."""
    written = _date_part(person.get("source_date", ""))
    description = person.get("description", "")
    described = _DESCRIBED_DATE.search(description)
    if described:
        said = described.group(1)
        year, _, month = said.partition("-")
        opens = said[:10] if "/" in said else f"{year}-{(month or '01')[:2]}-01"
        if written == opens:
            return said, _without_described_dates(description)
    return written, description


def _without_described_dates(description: str) -> str:
    """``description`` without the ``source_date: ...`` lines write_pfif_persons adds."""
    return "\n".join(
        line for line in description.splitlines() if not _DESCRIBED_DATE.match(line.strip())
    )


def _escape_char(char: str) -> str:
    code = ord(char)
    return _ESCAPES.get(char) or (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}")


def _escaped(text: str, unsafe: re.Pattern[str] = _UNSAFE_VALUE) -> str:
    """``text`` as one line that :func:`_unescaped` reads back whole: its ``unsafe``
    characters, and white space at either end (a line of a description is read
    stripped), written as escapes (``\\n``, ``\\x1f``, ``\\u2028``, ``\\\\``); any other
    character, in any script, as it is."""
    out = unsafe.sub(lambda found: _escape_char(found.group()), text)
    if out[:1].isspace():
        out = _escape_char(out[0]) + out[1:]
    if out[-1:].isspace():
        out = out[:-1] + _escape_char(out[-1])
    return out


def _unescaped(text: str) -> str:
    """The text that :func:`_escaped` wrote as ``text`` (a backslash that begins no escape
    is kept, as a description written by hand may hold one)."""

    def one(found: re.Match[str]) -> str:
        code = found.group(1) or found.group(2)
        return chr(int(code, 16)) if code else _UNESCAPES[found.group(3)]

    return _ESCAPE.sub(one, text)


def _described_fields(person: dict[str, str], description: str) -> tuple[dict[str, str], str]:
    """The fields that ``description`` gives in lines ``<field>: <value>`` and the extra
    columns it gives in lines ``extra.<column>: <value>`` (as :func:`write_pfif_persons`
    writes them), and the description without the lines read: see :func:`read_pfif` for
    which are read."""
    read: dict[str, tuple[int, str]] = {}
    lines = description.splitlines()
    for number, line in enumerate(lines):
        if match := _DESCRIBED_FIELD.match(line.strip()):
            key, value = match.group(1), match.group(2).strip()
        elif (match := _EXTRA_FIELD.match(line.strip())) and (
            key := _unescaped(match.group(1))
        ) not in _NOT_EXTRA:
            value = _unescaped(match.group(2))
        else:
            continue
        if not person.get(key, "").strip():
            read[key] = (number, value)  # the last line wins
    if not read:
        return {}, description
    taken = {number for number, _ in read.values()}
    kept = "\n".join(line for number, line in enumerate(lines) if number not in taken)
    order = [key for key in _DESCRIBED_FIELDS if key in read]
    order += [key for key in read if key not in _DESCRIBED_FIELDS]  # extras as written
    return {key: read[key][1] for key in order}, kept


def _described_age(age: str, description: str) -> tuple[str, str]:
    """The age a line ``age: 6 months`` of the description gives, where ``age`` (the
    element) is its whole years, as :func:`write_pfif_persons` writes them; and the
    description without that line. Else ``age`` and the description as they are."""
    lines = description.splitlines()
    for number, line in enumerate(lines):
        said = _DESCRIBED_AGE.match(line.strip())
        if said and in_whole_years(said.group(1)) == age:
            return said.group(1), "\n".join(lines[:number] + lines[number + 1 :])
    return age, description


def _person_record(person: dict[str, str]) -> dict[str, str]:
    out: dict[str, str] = {"record_id": person.get("person_record_id", "").strip()}
    names = _lines(person.get("full_name", ""))
    alternates = names[1:] + _lines(person.get("alternate_names", ""))
    out["full_name"] = names[0] if names else ""
    out["given_name"] = " ".join(_lines(person.get("given_name", "")))
    out["family_name"] = " ".join(_lines(person.get("family_name", "")))
    out["alternate_names"] = "; ".join(alternates)
    for key in ("sex", "date_of_birth", "age"):
        out[key] = person.get(key, "").strip()
    out["source_date"], description = _source_date(person)
    if not out["date_of_birth"]:
        lines = description.splitlines()
        spans = [_DESCRIBED_SPAN.match(line.strip()) for line in lines]
        found = next((m.group(1) for m in spans if m), "")
        if found:
            out["date_of_birth"] = found
            description = "\n".join(line for line, m in zip(lines, spans, strict=True) if not m)
    out["age"], description = _described_age(out["age"], description)
    described, description = _described_fields(person, description)
    out.update(described)
    if "description" in person:
        person = {**person, "description": description}
    home = [person.get(k, "").strip() for k in ("home_city", "home_state", "home_country")]
    out["place_of_origin"] = ", ".join(h for h in home if h)
    out["last_known_location"] = ""
    for key, value in person.items():
        if key.startswith("_") or key in out or key in ("person_record_id", "full_name"):
            continue
        out[key] = "\n".join(_lines(value)) if "\n" in value else value.strip()
    return out


_TWICE = "given twice in its person record: the first kept, this one left out"


def read_pfif(path: FilePath) -> Table:
    """The persons of a PFIF document as records, their notes folded in.

    A line of a person's ``description`` that reads ``<field>: <value>`` for a canonical
    field PFIF has no element for (``father_name``, ``mother_name``, ``grandfather_name``,
    ``place_of_birth``, ``nationality``), as :func:`write_pfif_persons` writes it, is that
    field's value, and leaves the description; the rest of the description stays as it was,
    in order. Only such lines are read: the field's name as written here (lower case, with
    its underscore) opening the line (spaces before it aside: every line of a description
    is read without those), then a colon, a space and the value, which runs to the end of
    the line and may hold colons of its own (``place_of_birth: Kafr: Nubl``).
    Any other text stays in the description, lines like ``Father: Ahmed`` or ``father name:
    Ahmed`` of a free description written by hand or by another tool among it.

    Of two lines for one field the last is read (:func:`write_pfif_persons` writes the
    record's own after the description's text), the other kept in the description. A
    person that also has the field as an element of its own (PFIF 1.4 has none, but an
    extension may add one) keeps the element's value, and its lines stay in the
    description: nothing given is dropped.

    A line ``extra.<column>: <value>`` is a column of the user's own that
    :func:`write_pfif_persons` wrote (``extra.camp: Zaatari``), read back into that column,
    name and value unescaped (``\\n`` a line break, ``\\x3a`` a colon, ``\\\\`` a
    backslash), and leaves the description, by the rules above; one whose column is a
    PFIF field or has a line of its own (``extra.father_name: Omar``) is no such line, and
    stays.

    Example:
        >>> import tempfile
        >>> records = pd.DataFrame({"record_id": ["x.org/1"], "full_name": ["Ali Hassan"],
        ...     "father_name": ["Hassan"], "description": ["scar on the left hand"]})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_pfif_persons(records, f"{folder}/persons.xml")
        ...     back = read_pfif(f"{folder}/persons.xml").frame.iloc[0]
        >>> back["father_name"], back["description"]
        ('Hassan', 'scar on the left hand')
    """
    path = Path(path)
    doc = _parse(path)
    problems: list[Problem] = []
    records = [_person_record(p) for p in doc.persons]
    problems += [
        Problem(row, key.removeprefix(_REPEATED), _TWICE, value)
        for row, person in enumerate(doc.persons, 1)
        for key, value in person.items()
        if key.startswith(_REPEATED)
    ]
    position = {r["record_id"]: i for i, r in enumerate(records) if r["record_id"]}
    latest: dict[int, dict[str, tuple[str, str]]] = {}
    linked: dict[int, list[str]] = {}
    for note in doc.notes:
        person_id = (note.get("_parent") or note.get("person_record_id", "")).strip()
        where = position.get(person_id)
        if where is None:
            problems.append(
                Problem(
                    None,
                    "person_record_id",
                    "note about a person who is not in this file; not used",
                    note.get("note_record_id", "").strip(),
                )
            )
            continue
        when = note.get("source_date", "").strip() or note.get("entry_date", "").strip()
        for key in ("last_known_location", "status"):
            value = note.get(key, "").strip()
            if value and when >= latest.setdefault(where, {}).get(key, ("", ""))[0]:
                latest[where][key] = (when, value)
        other = note.get("linked_person_record_id", "").strip()
        if other:
            linked.setdefault(where, []).append(other)
    for where, values in latest.items():
        for key, (_, value) in values.items():
            records[where][key] = value
    for where, others in linked.items():
        records[where]["linked_person_record_ids"] = "; ".join(dict.fromkeys(others))
    columns = list(dict.fromkeys(["record_id", *_PERSON_ORDER]))
    for record in records:
        for key in record:
            if key not in columns:
                columns.append(key)
    frame = pd.DataFrame(
        {c: pd.Series([r.get(c, "") for r in records], dtype=str) for c in columns}
    )
    if not records and doc.notes:
        raise RecordError(
            [Problem(None, None, "the file holds notes but no person records to match")],
            str(path),
        )
    table = Table(frame, problems, format="pfif")
    table.rows = np.arange(1, len(frame) + 1, dtype=np.int64)
    return table


def _note_rows(doc: _Document) -> list[dict[str, str]]:
    """The notes of a document, fields as stripped text, a nested note's person filled in."""
    rows = []
    for note in doc.notes:
        row = {k: v.strip() for k, v in note.items() if not k.startswith("_")}
        if not row.get("person_record_id") and note.get("_parent"):
            row["person_record_id"] = note["_parent"]
        rows.append(row)
    return rows


def read_pfif_notes(path: FilePath) -> pd.DataFrame:
    """Every note of a PFIF document (nested or not), one row each, fields as text."""
    return pd.DataFrame(_note_rows(_parse(path)), dtype=str).fillna("")


def read_pfif_pairs(path: FilePath) -> Table:
    """The pairs of records that a PFIF document's notes link (matches, or true pairs).

    A note on ``person_record_id`` with a ``linked_person_record_id`` is the pair
    (``request_id``, ``sighting_id``) = (person, linked). A later note on the other record
    pointing back is the same pair, not a second one (each such note closes one pair read
    before it, the earliest still open: :func:`write_pfif_notes` writes it right after,
    a file of notes nested under their persons further on): so the pairs of a file
    written by ``link`` come back as ``link`` found them, and those of a file where a
    request and a sighting share an id (which ``link`` now refuses to write, but an
    earlier version, another tool, or the library given such pairs may have) as it
    listed them. ``match_probability`` and ``rank`` are read from the note's text as
    :func:`write_pfif_notes` words it (the probability to 3 decimals, 0.001 to 0.999),
    blank when the text does not give them. Each pair's row number is that of its first
    note, counting the document's notes from 1.

    Person records and notes that link nothing are not pairs: they are counted in a note
    among ``problems``, and a document that holds them but no pair gives a table with no
    columns at all (no ``request_id``, no ``sighting_id``), not an empty list of pairs.
    """
    doc = _parse(path)
    rows: list[dict[str, str]] = []
    numbers: list[int] = []
    unlinked = 0
    # Pairs read whose note pointing back has not come yet, by (person, linked).
    open_pairs: dict[tuple[str, str], int] = {}
    for number, note in enumerate(_note_rows(doc), start=1):
        person = note.get("person_record_id", "")
        linked = note.get("linked_person_record_id", "")
        if not linked:
            unlinked += 1
            continue
        if open_pairs.get((linked, person), 0):  # the note pointing back: the same pair
            open_pairs[(linked, person)] -= 1
            continue
        open_pairs[(person, linked)] = open_pairs.get((person, linked), 0) + 1
        text = note.get("text", "")
        probability = _PROBABILITY_TEXT.search(text)
        rank = _RANK_TEXT.search(text)
        rows.append(
            {
                "request_id": person,
                "sighting_id": linked,
                "match_probability": probability.group(1) if probability else "",
                "rank": rank.group(1) if rank else "",
            }
        )
        numbers.append(number)
    problems: list[Problem] = []
    skipped = [
        f"{count:,} {what}"
        for count, what in (
            (len(doc.persons), "person record(s)"),
            (unlinked, "note(s) linking no other record"),
        )
        if count
    ]
    if skipped:
        problems.append(Problem(None, None, f"{' and '.join(skipped)}: not pairs, not counted"))
    columns = ("request_id", "sighting_id", "match_probability", "rank")
    if rows or not skipped:
        frame = pd.DataFrame({c: pd.Series([r[c] for r in rows], dtype=str) for c in columns})
    else:
        frame = pd.DataFrame(index=pd.RangeIndex(0))
    return Table(frame, problems, rows=np.array(numbers, dtype=np.int64), format="pfif")


def _stamp(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _clean(value: Any) -> str:
    return _XML_ILLEGAL.sub("", "" if value is None else str(value))


def _note_id(domain: str, person: str, linked: str) -> str:
    digest = hashlib.sha256(f"{person}\x1f{linked}".encode()).hexdigest()[:16]
    return f"{domain}/note.{digest}"


# What read_pfif_pairs reads back from the text that _note_text writes.
_PROBABILITY_TEXT = re.compile(r"\bMatch probability (\d+(?:\.\d+)?)")
_RANK_TEXT = re.compile(r"\(candidate (\d+) for this request\)")


def _note_text(row: dict[str, Any]) -> str:
    probability = float(row.get("match_probability", float("nan")))
    parts = [
        "Possible match proposed by rfl_match, for review by a tracing officer; not confirmed.",
        f"Match probability {shown_probability([probability], 3)[0]:.3f}",
    ]
    if "rank" in row and str(row["rank"]).strip():
        parts[-1] += f" (candidate {int(row['rank'])} for this request)."
    else:
        parts[-1] += "."
    if str(row.get("explanation", "")).strip():
        parts.append(f"Reasons: {row['explanation']}")
    return " ".join(parts)


def pfif_notes(
    matches: pd.DataFrame,
    *,
    domain: str = "rfl-match.invalid",
    author_name: str = "rfl_match (automatic proposal)",
    when: dt.datetime | None = None,
) -> Iterator[dict[str, str]]:
    """The PFIF note fields for each pair of ``matches``: one note on each record."""
    moment = _stamp(when or dt.datetime.now(dt.UTC))
    for record in matches.to_dict("records"):
        row = {str(k): v for k, v in record.items()}
        text = _note_text(row)
        left, right = str(row["request_id"]), str(row["sighting_id"])
        for person, other in ((left, right), (right, left)):
            yield {
                "note_record_id": _note_id(domain, person, other),
                "person_record_id": person,
                "linked_person_record_id": other,
                "entry_date": moment,
                "author_name": author_name,
                "source_date": moment,
                "text": text,
            }


def _shown(ids: list[str]) -> str:
    """The first ids of a refusal, as Python writes them (a control character visible)."""
    return ", ".join(repr(i) for i in ids[:2]) + (", ..." if len(ids) > 2 else "")


def _check_faithful_ids(ids: Iterable[pd.Series], path: FilePath, what: str) -> None:
    """An OutputError if a record id holds a character that a PFIF document cannot carry
    as it is (a control character, such as the vertical tab a spreadsheet writes for a
    line break in a cell; a carriage return): written without it, the id would name no
    input record, and two ids could become one. ``what`` is what to write as CSV instead."""
    held = pd.Series(pd.unique(pd.concat([i.astype(str) for i in ids])), dtype=object)
    changed = held[held.str.contains(_UNFAITHFUL_ID)].tolist()
    if changed:
        raise OutputError(
            f"{Path(path)}: {len(changed):,} record id(s) hold a control character "
            f"({_shown(changed)}), which PFIF (XML) cannot hold, so the ids written would "
            f"name no record; write the {what} as .csv, .xlsx or .parquet instead, or take "
            "the character out of the ids (nothing was written)"
        )


def check_person_ids(request_ids: pd.Series, sighting_ids: pd.Series, path: FilePath) -> None:
    """An OutputError if a record id is both a request's and a sighting's: PFIF person
    record ids are unique across a document, and a note on "1" linked to "2" could not say
    which person "1" is (two such notes could even share a ``note_record_id``). So too if
    an id holds a character PFIF cannot carry, which would be written changed."""
    _check_faithful_ids([request_ids, sighting_ids], path, "matches")
    requests = pd.Series(pd.unique(request_ids.astype(str)), dtype=object)
    shared = requests[requests.isin(set(sighting_ids.astype(str)))].tolist()
    if not shared:
        return
    raise OutputError(
        f"{Path(path)}: {len(shared):,} record id(s) are both a request's and a sighting's "
        f"({_shown(shared)}), and PFIF needs each person's id unique in the document; write the "
        "matches as .csv, .xlsx or .parquet instead, or make the ids unique (prefix them, "
        "e.g. R1 and S1; nothing was written)"
    )


def write_pfif_notes(matches: pd.DataFrame, path: FilePath, **options: Any) -> None:
    """Write proposed pairs as a PFIF 1.4 document of notes (see the module docstring).

    The pairs of one list (``predict`` with one input: possible duplicates) share their
    ids, as they should. Pairs of two lists whose ids overlap are written, but their
    notes' person ids are ambiguous (which person is "1"?): check them first with
    :func:`check_person_ids`, as ``rfl-match link`` does.

    Raises:
        OutputError: when two notes would have one ``note_record_id`` (a pair listed
            twice, or both ways round, or a record paired with an id of its own), or a
            record id holds a control character, which XML cannot hold (the id written
            would name no record); nothing is written.
    """
    path = Path(path)
    _check_faithful_ids([matches["request_id"], matches["sighting_id"]], path, "matches")
    notes = list(pfif_notes(matches, **options))
    ids = pd.Series([note["note_record_id"] for note in notes])
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        first = next(note for note, again in zip(notes, repeated, strict=True) if again)
        pair = (first["person_record_id"], first["linked_person_record_id"])
        raise OutputError(
            f"{path}: {ids[repeated].nunique():,} note id(s) would each be given to more "
            f"than one note (e.g. a note on {pair[0]!r} linking {pair[1]!r}): a pair is "
            "listed twice, or both ways round, or pairs a record with an id of its own, "
            "and a PFIF note's id must be unique; drop the repeated pairs, or write the "
            "matches as .csv, .xlsx or .parquet (nothing was written)"
        )
    root = ET.Element(f"{{{PFIF_NS}}}pfif")
    for note in notes:
        element = ET.SubElement(root, f"{{{PFIF_NS}}}note")
        for key, value in note.items():
            ET.SubElement(element, f"{{{PFIF_NS}}}{key}").text = _clean(value)
    _write_tree(root, path)


def write_pfif_persons(
    records: pd.DataFrame, path: FilePath, *, extra_columns: Iterable[str] | None = None
) -> None:
    """Write records as PFIF 1.4 persons (``full_name`` and ``alternate_names`` one name a
    line); canonical fields that PFIF lacks go into ``description``, one line each after
    the description's own text (``father_name: Hassan``, a line break inside the value
    written as a space), and so does a ``source_date`` known to the year or month only
    (``source_date: 2024``), which PFIF's moment holds as the day it opens
    (``2024-01-01T00:00:00Z``). :func:`read_pfif` reads those lines back into their fields
    and takes them out of the description; a description that still holds one (read by
    an earlier version, which left them there) has the date's replaced and a line the
    record writes already written once, so that writing what was read gives the same file.

    A column of the user's own (``camp``, ``case_worker``: neither a PFIF field nor one of
    those) goes into the description too, after them, a line ``extra.<column>: <value>``
    each (``extra.camp: Zaatari``), which :func:`read_pfif` reads back into the column as
    it was: in the name and the value a line break, another control character, a
    character XML cannot hold and the backslash are written as escapes (``\\n``,
    ``\\x1f``, ``\\\\``), and so is white space at either end and, in the name, a
    colon, so that any text comes back as it was. A blank cell writes no line (and reads
    back blank). Contact details (``author_email``, ``author_phone``,
    ``email_of_found_person``, ``phone_of_found_person``) are never written, as
    :func:`read_pfif` never reads them.

    Args:
        records: the records, one person each.
        path: the ``.xml`` file.
        extra_columns: the columns of the user's own to write, in this order; None (the
            default) for every one, so that what is exported loses nothing, as it would
            in CSV, ``.xlsx`` or Parquet; ``()`` for none (a PFIF file to share that
            should hold the person's PFIF fields and no more). A name that is no such
            column of ``records`` is a ValueError, so that a column misspelled is not left
            out without a word.

    Raises:
        OutputError: when a record id holds a control character, which XML cannot hold:
            the id written would name no record (nothing is written).

    Example:
        >>> import tempfile
        >>> records = pd.DataFrame({"record_id": ["x.org/1"], "full_name": ["Ali Hassan"],
        ...     "camp": ["Zaatari"], "case_worker": ["Amal\\nor Sara"]})
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     write_pfif_persons(records, f"{folder}/persons.xml")
        ...     back = read_pfif(f"{folder}/persons.xml").frame.iloc[0]
        ...     write_pfif_persons(records, f"{folder}/persons.xml", extra_columns=["camp"])
        ...     kept = read_pfif(f"{folder}/persons.xml").frame.columns
        >>> back["camp"], back["case_worker"], back["description"]
        ('Zaatari', 'Amal\\nor Sara', '')
        >>> "camp" in kept, "case_worker" in kept
        (True, False)
    """
    table = records.fillna("").astype(str)
    table.columns = pd.Index([str(c) for c in table.columns])
    if "record_id" in table.columns:
        _check_faithful_ids([table["record_id"]], path, "records")
    root = ET.Element(f"{{{PFIF_NS}}}pfif")
    extras = _extra_columns(table, extra_columns)
    for row in table.to_dict("records"):
        values = dict(row)
        values["person_record_id"] = row.get("record_id", "")
        # PFIF puts one name a line: a line break inside one name becomes a space.
        values["full_name"] = " ".join(row.get("full_name", "").split())
        values["alternate_names"] = "\n".join(
            n.strip() for n in re.split(r"[;\n]", row.get("alternate_names", "")) if n.strip()
        )
        # PFIF's source_date is a moment: a year or a month is written as the day it
        # opens, and what the source said goes into the description, whence
        # _person_record reads it back.
        source_date = row.get("source_date", "")
        partial = _PARTIAL_DATE.match(source_date)
        spanned = _SPAN_TEXT.match(source_date)  # a date read in another calendar
        if partial:
            source_date = f"{partial.group(1)}-{partial.group(2) or '01'}-01"
        elif spanned and spanned.group(1) == spanned.group(2):
            source_date, spanned = spanned.group(1), None  # a day: that day
        elif spanned:
            source_date = spanned.group(1)  # the day it opens, as a year's
        if len(source_date) == 10:
            values["source_date"] = source_date + "T00:00:00Z"
        if row.get("place_of_origin") and not any(
            row.get(k) for k in ("home_city", "home_state", "home_country")
        ):
            values["home_city"] = row["place_of_origin"]
        # One line a field, as _described_fields reads it: a line break inside a value
        # would leave the rest of it in the description.
        described = [
            f"{key}: {value}"
            for key in _DESCRIBED_FIELDS
            if (value := " ".join(row.get(key, "").split()))
        ]
        birth = row.get("date_of_birth", "")
        born = _SPAN_TEXT.match(birth)
        if born:
            first, last = born.groups()
            # a day read in another calendar: that day, but on a day a birth's placeholder
            # falls on, which would read as its year
            day = parse_partial_date(first)
            if first == last and day is not None and not day.is_placeholder:
                values["date_of_birth"] = first
            else:
                values["date_of_birth"] = ""
                described.append(f"date_of_birth: {birth}")
        years = in_whole_years(row.get("age", ""))
        if years is not None:
            values["age"] = years
            described.append(f"age: {row['age']}")
        description = row.get("description", "")
        if partial or spanned:
            # one such line: a description read from an older export may hold one already
            description = _without_described_dates(description)
            described.append(f"source_date: {row['source_date']}")
        described += [
            f"extra.{_escaped(key, _UNSAFE_NAME)}: {_escaped(row[key])}"
            for key in extras
            if row[key]
        ]
        if described:
            # and a line of them the description holds already is written once
            lines = [line for line in description.splitlines() if line.strip() not in described]
            values["description"] = "\n".join(filter(None, [*lines, *described]))
        element = ET.SubElement(root, f"{{{PFIF_NS}}}person")
        for key in _PERSON_FIELDS:
            if values.get(key):
                ET.SubElement(element, f"{{{PFIF_NS}}}{key}").text = _clean(values[key])
        location = row.get("last_known_location", "")
        if location:
            note = ET.SubElement(element, f"{{{PFIF_NS}}}note")
            for key, value in (
                ("note_record_id", _note_id("rfl-match.invalid", values["person_record_id"], "")),
                ("person_record_id", values["person_record_id"]),
                ("author_name", "rfl_match (export)"),
                ("source_date", values.get("source_date") or _stamp(dt.datetime.now(dt.UTC))),
                ("last_known_location", location),
                ("text", "Last known location, as recorded in the source."),
            ):
                ET.SubElement(note, f"{{{PFIF_NS}}}{key}").text = _clean(value)
    _write_tree(root, path)


def _extra_columns(records: pd.DataFrame, wanted: Iterable[str] | None) -> list[str]:
    """The columns of ``records`` that :func:`write_pfif_persons` writes as extra columns:
    every one if ``wanted`` is None, else those it names (ValueError for one that is not)."""
    extras = [column for column in records.columns if column not in _NOT_EXTRA]
    if wanted is None:
        return extras
    if isinstance(wanted, str):
        raise TypeError(f"extra_columns: a list of column names, not one name ({wanted!r})")
    wanted = list(dict.fromkeys(wanted))
    for name in wanted:
        if name not in extras:
            why = (
                "a contact detail, never written to PFIF"
                if name in _PRIVATE
                else "written in a PFIF field or a line of its own already"
                if name in _NOT_EXTRA
                else "no such column among the records'"
            )
            raise ValueError(f"extra_columns: {name!r} is {why}")
    return wanted


def _write_tree(root: ET.Element, path: FilePath) -> None:
    ET.register_namespace("pfif", PFIF_NS)
    ET.indent(root, space="  ")
    tree = ET.ElementTree(root)
    tree.write(Path(path), encoding="UTF-8", xml_declaration=True)
