"""Records about people: what an enquirer or a registrar writes, with its corruptions.

:func:`render_records` turns (person, side, date) rows into the canonical fields. Names are
rendered column-wise: each name element is an entry id, and its text is a lookup into the
name table at the record's romanisation convention (or its native form). Only the rows that
get a typo, a nickname or a cut compound name go through per-row Python; strings are joined
with one ``map(" ".join, ...)`` per pattern of present parts.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rfl_match.synth.config import CHILD_FORMS, CORRUPTIONS, SynthConfig
from rfl_match.synth.people import CHILD, FEMALE, MALE, People
from rfl_match.synth.pools import (
    CULTURES,
    NATIVE_FORM_CULTURES,
    UNCASED_SCRIPT_CULTURES,
    NameTable,
    Pools,
    load_child_forms,
)

IntArray = NDArray[np.int64]
BoolArray = NDArray[np.bool_]
FloatArray = NDArray[np.float64]
ObjArray = NDArray[np.object_]
RateFn = Callable[[str], FloatArray]

# Some registrations put 1 January far more often (67% of Rohingya in the Bangladesh
# camps, reported by UNHCR); the placeholder rate is multiplied by this, capped at 0.9.
PLACEHOLDER_MULTIPLIER: dict[str, float] = {
    "rohingya": 5.0,
    "afghan_dari": 2.5,
    "afghan_pashto": 3.0,
    "somali": 2.0,
    "sudanese": 1.5,
    "eritrean": 1.5,
    "ethiopian": 1.5,
}
PLACEHOLDER_CAP = 0.9

# Chance that a form shows the grandfather's name, by culture structure.
_GRANDFATHER_SHOWN = {
    "family": 0.15,
    "chain_family": 0.7,
    "chain": 0.7,
    "afghan": 0.3,
    "habesha": 0.4,
    "slavic": 0.0,
    "congolese": 0.05,
    "spanish": 0.05,
    "single": 0.2,
}

# Name elements (columns of the element matrix).
G, S2, F, GF, FAM, FAM2, PAT = range(7)
_N_ELEMENTS = 7
_NONE = -1
# The order of the elements in the full name, by structure; a mask name makes the
# element appear on some records only.
_LAYOUTS: dict[str, tuple[tuple[int, str | None], ...]] = {
    "family": ((G, None), (F, None), (FAM, None)),
    "chain_family": ((G, None), (F, None), (GF, None), (FAM, None)),
    "chain": ((G, None), (F, None), (GF, None)),
    "habesha": ((G, None), (F, None), (GF, "show_gf")),
    "afghan": ((G, None), (FAM, None)),
    "slavic": ((G, None), (PAT, "show_pat"), (FAM, None)),
    "congolese": ((G, None), (FAM, None), (S2, None)),
    "spanish": ((G, None), (S2, None), (FAM, None), (FAM2, None)),
    "single": ((G, None),),
}
_N_PARTS = max(len(v) for v in _LAYOUTS.values())
# Structures whose family name is the last element of the chain (a father's or
# grandfather's name used as a surname).
_CHAIN_STRUCTURES = ("chain", "chain_family", "habesha")
_FIELDS_MISSABLE = (
    "date_of_birth",
    "age",
    "sex",
    "father_name",
    "mother_name",
    "grandfather_name",
    "place_of_birth",
    "place_of_origin",
    "nationality",
    "last_known_location",
    "given_name",
)
# Kunya prefixes: [native script][sex], sex 0 female (Umm), 1 male (Abu).
_KUNYA = (("Umm", "Abu"), ("أم", "أبو"))
_NATIVE_OK = np.array([c in NATIVE_FORM_CULTURES for c in CULTURES])
_UNCASED = np.array([c in UNCASED_SCRIPT_CULTURES for c in CULTURES])
_PLACEHOLDER_MULT = np.array([PLACEHOLDER_MULTIPLIER.get(c, 1.0) for c in CULTURES])
_NUMBERS = np.array([str(i) for i in range(10_000)], dtype=object)
_YEARS = np.array([f"{i:04d}" for i in range(10_000)], dtype=object)
#: Of the misestimated ages written as a date, the share that keeps the birth's day and
#: month (a guess, see _dates): 1.0 before, which flattered a score that rewards a
#: shared birthday (rfl_match.kernels._BIRTH_DAY_MONTH).
BIRTHDAY_KEPT = 0.25
_NON_LEAP_YEAR = 11_323  # days from 1970-01-01 to 2001-01-01
_LOGGED = CORRUPTIONS + CHILD_FORMS
#: The language of a child's form, by culture (en elsewhere); by culture where the record
#: is in its native script.
_FORM_LANGUAGE = {"congolese": "fr", "central_american": "es"}
_NATIVE_FORM_LANGUAGE = {
    "syrian": "ar",
    "iraqi": "ar",
    "sudanese": "ar",
    "afghan_dari": "fa",
    "afghan_pashto": "fa",
}
_MONTHS = np.array([f"-{i:02d}" for i in range(13)], dtype=object)
_DAYS = np.array([f"-{i:02d}" for i in range(32)], dtype=object)


@dataclass(frozen=True)
class RenderedRecords:
    """Canonical fields (without record_id) and which corruptions each row got.

    Attributes:
        columns: field name to an object array of str, one per row.
        applied: (rows, len(CORRUPTIONS + CHILD_FORMS)) whether each corruption (each
            child's form) was applied.
        eligible: (rows, len(CORRUPTIONS + CHILD_FORMS)) whether each could apply.
    """

    columns: dict[str, ObjArray]
    applied: BoolArray
    eligible: BoolArray


def days_to_ymd(days: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """Year, month and day of dates given as days since 1970-01-01."""
    dt = days.astype("datetime64[D]")
    y = dt.astype("datetime64[Y]").astype(np.int64) + 1970
    m_start = dt.astype("datetime64[M]")
    m = m_start.astype(np.int64) % 12 + 1
    d = (dt - m_start.astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, d


def iso_dates(days: IntArray) -> ObjArray:
    """Dates as YYYY-MM-DD strings."""
    out: ObjArray = np.datetime_as_string(days.astype("datetime64[D]"), unit="D").astype(object)
    return out


def _obj(values: ObjArray | list[str]) -> ObjArray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def join_parts(parts: ObjArray, present: BoolArray) -> ObjArray:
    """Join each row's present parts with spaces, one pass per pattern of present parts."""
    n, k = parts.shape
    codes = present.astype(np.int64) @ (1 << np.arange(k, dtype=np.int64))
    out = np.full(n, "", dtype=object)
    for code in np.unique(codes).tolist():
        cols = [j for j in range(k) if code >> j & 1]
        if not cols:
            continue
        rows = np.flatnonzero(codes == code)
        if len(cols) == 1:
            out[rows] = parts[rows, cols[0]]
        else:
            out[rows] = _obj(list(map(" ".join, zip(*(parts[rows, j] for j in cols), strict=True))))
    return out


def _join2(a: ObjArray, b: ObjArray) -> ObjArray:
    parts = np.stack([a, b], axis=1)
    return join_parts(parts, parts.astype(bool))


_LETTERS = "abcdefghijklmnopqrstuvwxyz"


def make_typo(text: str, rnd: random.Random) -> str:
    """One edit (insert, delete, replace or swap a character) that changes ``text``."""
    if len(text) < 2:
        return text + text
    letters = [c for c in text if c.isalpha()] or list(_LETTERS)
    for _ in range(20):
        op = rnd.randrange(4)
        i = rnd.randrange(1, len(text))  # keep the first letter: it is rarely misheard
        if text[i] == " " or text[i - 1] == " ":
            continue
        if op == 0:
            out = text[:i] + rnd.choice(letters) + text[i:]
        elif op == 1:
            out = text[:i] + text[i + 1 :]
        elif op == 2:
            pool = _LETTERS if text[i].isascii() else "".join(letters)
            out = text[:i] + rnd.choice(pool) + text[i + 1 :]
        else:
            out = text[: i - 1] + text[i] + text[i - 1] + text[i + 1 :]
        if out != text:
            return out
    return text + text[-1]


class _Log:
    """Which rows could get each corruption, and which got it."""

    def __init__(self, n: int, rng: np.random.Generator) -> None:
        self.applied = np.zeros((n, len(_LOGGED)), dtype=bool)
        self.eligible = np.zeros((n, len(_LOGGED)), dtype=bool)
        self.rng = rng

    def choose(self, name: str, eligible: BoolArray, rate: FloatArray) -> BoolArray:
        chosen: BoolArray = eligible & (self.rng.random(len(eligible)) < rate)
        self.record(name, eligible, chosen)
        return chosen

    def record(self, name: str, eligible: BoolArray, chosen: BoolArray) -> None:
        j = _LOGGED.index(name)
        self.eligible[:, j] = eligible
        self.applied[:, j] = chosen & eligible


def render_records(
    *,
    people: People,
    person: IntArray,
    is_sighting: BoolArray,
    source_day: IntArray,
    is_duplicate: BoolArray,
    config: SynthConfig,
    pools: Pools,
    rng: np.random.Generator,
    child_forms: tuple[float, np.random.Generator] | None = None,
) -> RenderedRecords:
    """Write one record per row about ``person[i]``, dated ``source_day[i]``.
    ``child_forms``: ``SynthConfig.child_forms_rate`` and a random stream of its own."""
    n = len(person)
    table = pools.table
    rnd = random.Random(int(rng.integers(0, 2**62)))
    scale = np.where(is_sighting, 1.0, config.request_corruption_scale)

    def rate(name: str) -> FloatArray:
        return np.asarray(np.minimum(config.rate(name) * scale, 1.0), dtype=np.float64)

    log = _Log(n, rng)

    culture = people.culture[person]
    structure_of = np.array([pools.cultures[c].structure for c in CULTURES], dtype=object)
    structure = structure_of[culture]
    sex = people.sex[person]
    birth = people.birth[person]
    y_src, m_src, d_src = days_to_ymd(source_day)
    y_b, m_b, d_b = days_to_ymd(birth)
    age = y_src - y_b - ((m_src * 100 + d_src) < (m_b * 100 + d_b)).astype(np.int64)

    # Name elements as entry ids (-1: none).
    is_slavic = structure == "slavic"
    fam = people.family[person]
    fam = np.where(is_slavic & (sex == FEMALE) & (fam >= 0), table.feminine[fam], fam)
    father = people.father[person]
    pat = np.full(n, _NONE, dtype=np.int64)
    has_pat = is_slavic & (father >= 0)
    pat[has_pat] = table.patronymic[father[has_pat], sex[has_pat]]
    elements = np.stack(
        [
            people.given[person],
            people.second[person],
            father,
            people.grandfather[person],
            fam,
            people.family2[person],
            pat,
        ],
        axis=1,
    )
    has = elements >= 0
    safe = np.maximum(elements, 0)

    # native_script; then romanization, among the records still written in Latin: every
    # element moves to another convention than the person's usual one.
    native_ok = _NATIVE_OK[culture]
    native = log.choose("native_script", native_ok, rate("native_script"))
    n_var = np.where(has, table.n_variants[safe], 1)
    base_conv = people.convention[person]
    base_v = np.minimum(base_conv[:, None], n_var - 1)
    roman = log.choose("romanization", ~native & (n_var > 1).any(axis=1), rate("romanization"))
    new_conv = (base_conv + 1 + rng.integers(0, 3, size=n)) % 4
    alt_v = new_conv[:, None] % n_var
    alt_v = np.where(alt_v == base_v, (base_v + 1) % n_var, alt_v)
    v = np.where(roman[:, None], alt_v, base_v)
    text = _lookup(table, elements, v, native[:, None])

    # nickname: in place of the given name.
    # nickname: in place of the given name; for a parent, often the kunya (Abu X, Umm X:
    # father or mother of X, their first son).
    given_e = elements[:, G]
    son = people.eldest_son[person]
    son_v = np.minimum(
        np.where(roman, new_conv, base_conv), table.n_variants[np.maximum(son, 0)] - 1
    )
    son_text = _lookup(table, son, son_v, native)
    # Nicknames are written in Latin: a record in native script only gets a kunya.
    has_nick = has[:, G] & table.has_nickname[safe[:, G]] & ~native
    nick = log.choose("nickname", has_nick | (son >= 0), rate("nickname"))
    for i in np.flatnonzero(nick).tolist():
        if son[i] >= 0 and (not has_nick[i] or rnd.random() < 0.7):
            text[i, G] = f"{_KUNYA[bool(native[i])][int(sex[i])]} {son_text[i]}"
        else:
            text[i, G] = rnd.choice(table.nicknames[given_e[i]])

    # typo: in the given name mostly, else in another element of the name.
    typo = log.choose("typo", has[:, G], rate("typo"))
    for i in np.flatnonzero(typo).tolist():
        slot = rnd.choice([s for s in (G, G, G, F, FAM, FAM2, GF) if has[i, s]])
        text[i, slot] = make_typo(str(text[i, slot]), rnd)

    # compound_part (a child's form): a child (under 18) called by the second part of its
    # compound given name.
    is_child = (people.role[person] == CHILD) & (age < 18)
    spanish = structure == "spanish"
    if child_forms is not None:
        compound = np.isin(table.variants[:, 0], list(load_child_forms()[1]))
        can = is_child & has[:, G] & ~nick & compound[safe[:, G]] & ~(spanish & has[:, S2])
        rows = np.flatnonzero(can)
        can[rows] = [" " in str(t) for t in text[rows, G].tolist()]
        called = can & (child_forms[1].random(n) < child_forms[0])
        log.record("compound_part", can, called)
        for i in np.flatnonzero(called).tolist():
            text[i, G] = str(text[i, G]).rsplit(" ", 1)[1]

    # The name as a chain of parts in the culture's order; roles[i, j] is the element
    # that part j holds (-1: none).
    masks = {"show_gf": rng.random(n) < 0.3, "show_pat": rng.random(n) < 0.4}
    roles = np.full((n, _N_PARTS), _NONE, dtype=np.int64)
    for s, layout in _LAYOUTS.items():
        rows = np.flatnonzero(structure == s)
        for column, (element, mask) in enumerate(layout):
            shown = has[rows, element]
            if mask is not None:
                shown &= masks[mask][rows]
            roles[rows, column] = np.where(shown, element, _NONE)
    row_ix = np.arange(n)[:, None]
    parts = np.where(roles >= 0, text[row_ix, np.maximum(roles, 0)], "").astype(object)
    present = roles >= 0
    n_parts = present.sum(axis=1)

    # title: an honorific before the given name.
    title_entry = _title_entries(culture, sex, age, pools, rng)
    title = log.choose("title", title_entry >= 0, rate("title"))
    te = np.maximum(title_entry, 0)
    title_text = np.where(native, table.native[te], table.variants[te, 0]).astype(object)
    rows = np.flatnonzero(title)
    parts[rows, 0] = _join2(title_text[rows], parts[rows, 0])

    # truncation: the last element of the chain left out; a single compound name loses
    # its last word.
    one = np.flatnonzero(n_parts == 1)
    compound = np.zeros(n, dtype=bool)
    compound[one] = [" " in str(p) for p in parts[one, 0].tolist()]
    trunc = log.choose("truncation", (n_parts >= 2) | compound, rate("truncation"))
    last = _N_PARTS - 1 - np.argmax(present[:, ::-1], axis=1)
    cut = np.flatnonzero(trunc & (n_parts >= 2))
    dropped = np.full(n, _NONE, dtype=np.int64)
    dropped[cut] = roles[cut, last[cut]]
    roles[cut, last[cut]] = _NONE
    parts[cut, last[cut]] = ""
    for i in np.flatnonzero(trunc & (n_parts == 1)).tolist():
        parts[i, 0] = str(parts[i, 0]).rsplit(" ", 1)[0]
    present = roles >= 0
    n_parts = present.sum(axis=1)
    shown_el = np.zeros((n, _N_ELEMENTS), dtype=bool)
    for j in range(_N_PARTS):
        ok = np.flatnonzero(present[:, j])
        shown_el[ok, roles[ok, j]] = True

    # Fields.
    given_name = np.where(shown_el[:, G], parts[:, 0], "").astype(object)
    given_name = _join2(
        given_name, np.where(spanish & shown_el[:, S2], text[:, S2], "").astype(object)
    )
    last = _N_PARTS - 1 - np.argmax(present[:, ::-1], axis=1)
    chain_family = np.where(n_parts >= 2, parts[np.arange(n), last], "").astype(object)
    surnames = np.stack(
        [
            np.where(shown_el[:, FAM], text[:, FAM], ""),
            np.where(shown_el[:, FAM2], text[:, FAM2], ""),
            np.where((structure == "congolese") & shown_el[:, S2], text[:, S2], ""),
        ],
        axis=1,
    ).astype(object)
    family_name = join_parts(surnames, surnames.astype(bool))
    is_chain = np.isin(structure, _CHAIN_STRUCTURES)
    # A chain with a family name (an Iraqi laqab) keeps it as the family name.
    family_name = np.where(is_chain & ~shown_el[:, FAM], chain_family, family_name).astype(object)

    # reorder: the last part first (surname-first lists); half the time the registrar also
    # swaps the given-name and family-name fields.
    reorder = log.choose("reorder", n_parts >= 2, rate("reorder"))
    last = _N_PARTS - 1 - np.argmax(present[:, ::-1], axis=1)
    rows = np.flatnonzero(reorder)
    moved = parts[rows, last[rows]].copy()
    parts[rows, last[rows]] = ""
    present[rows, last[rows]] = False
    ordered = np.concatenate([np.full((n, 1), "", dtype=object), parts], axis=1)
    ordered_present = np.concatenate([np.zeros((n, 1), dtype=bool), present], axis=1)
    ordered[rows, 0] = moved
    ordered_present[rows, 0] = True
    full = join_parts(ordered, ordered_present)
    swap = reorder & (rng.random(n) < 0.5) & family_name.astype(bool)
    given_name[swap], family_name[swap] = family_name[swap], given_name[swap]

    father_name = np.where(rng.random(n) < 0.9, text[:, F], "").astype(object)
    father_name = np.where(spanish, _join2(father_name, text[:, FAM]), father_name)
    mother_e = people.mother[person]
    safe_m = np.maximum(mother_e, 0)
    mother_v = np.minimum(np.where(roman, new_conv, base_conv), table.n_variants[safe_m] - 1)
    mother_text = np.where(native, table.native[safe_m], table.variants[safe_m, mother_v])
    mother_name = np.where((rng.random(n) < 0.75) & (mother_e >= 0), mother_text, "").astype(object)
    mother_name = np.where(spanish, _join2(mother_name, text[:, FAM2]), mother_name)
    gf_p = np.array([_GRANDFATHER_SHOWN[str(s)] for s in structure_of])[culture]
    gf_shown = (rng.random(n) < gf_p) & (dropped != GF)
    grandfather_name = np.where(gf_shown, text[:, GF], "").astype(object)

    # upper_case: the name fields in capitals (not where the script has no case).
    upper = log.choose("upper_case", ~(native & _UNCASED[culture]), rate("upper_case"))
    rows = np.flatnonzero(upper)
    for arr in (full, given_name, family_name, father_name, mother_name, grandfather_name):
        arr[rows] = _obj([str(s).upper() for s in arr[rows].tolist()])

    # alternate_names: the given name in another form; a nickname the enquirer knows.
    want_alt = rng.random(n) < np.where(is_sighting, 0.08, 0.25)
    other = np.where(
        native | ~native_ok,
        table.variants[safe[:, G], (base_v[:, G] + 1) % n_var[:, G]],
        table.native[safe[:, G]],
    ).astype(object)
    alt = np.where(want_alt & (other != text[:, G]), other, "").astype(object)
    for i in np.flatnonzero(want_alt & ~nick & table.has_nickname[safe[:, G]]).tolist():
        alt[i] = ";".join(a for a in (alt[i], rnd.choice(table.nicknames[given_e[i]])) if a)

    dob, age_text = _dates(rng=rng, log=log, rate=rate, culture=culture, birth=birth, age=age)

    def place(entries: IntArray, shown: float) -> ObjArray:
        safe_e = np.maximum(entries, 0)
        pv = np.minimum(base_conv, table.n_variants[safe_e] - 1)
        out = np.where(native, table.native[safe_e], table.variants[safe_e, pv])
        return np.where((rng.random(n) < shown) & (entries >= 0), out, "").astype(object)

    route = np.full(n, _NONE, dtype=np.int64)
    for ci, cname in enumerate(CULTURES):
        rows = np.flatnonzero(culture == ci)
        pool = pools.cultures[cname].route
        route[rows] = pool[rng.integers(0, len(pool), size=len(rows))]
    nat_e = people.nationality[person]
    nat_v = rng.integers(0, 3, size=n) % table.n_variants[nat_e]
    nationality = np.where(rng.random(n) < 0.7, table.variants[nat_e, nat_v], "").astype(object)

    columns: dict[str, ObjArray] = {
        "full_name": full,
        "given_name": given_name,
        "family_name": family_name,
        "alternate_names": alt,
        "father_name": father_name,
        "mother_name": mother_name,
        "grandfather_name": grandfather_name,
        "sex": np.where(sex == MALE, "male", "female").astype(object),
        "date_of_birth": dob,
        "age": age_text,
        "source_date": iso_dates(source_day),
        "place_of_birth": place(people.birth_place[person], 0.6),
        "place_of_origin": place(people.origin[person], 0.6),
        "last_known_location": place(route, 0.85),
        "nationality": nationality,
    }
    _blank_fields(columns, log, rate("missing_fields"), rng)
    if child_forms is not None:
        language = np.array(
            [
                _NATIVE_FORM_LANGUAGE.get(c, "en") if nat else _FORM_LANGUAGE.get(c, "en")
                for c, nat in zip(
                    np.array(CULTURES, dtype=object)[culture].tolist(), native.tolist(), strict=True
                )
            ],
            dtype=object,
        )
        newborn = is_child & (age == 0) & (mother_e >= 0)
        mother = np.where(upper, _obj([str(m).upper() for m in mother_text.tolist()]), mother_text)
        # the months since the last birthday, and the days since the birth
        months = (y_src - y_b) * 12 + m_src - m_b - (d_src < d_b).astype(np.int64) - 12 * age
        since = (months, source_day - birth)
        _write_child_forms(
            columns, log, child_forms, is_child, newborn, mother, language, age, since
        )
    log.record("duplicate", is_sighting, is_duplicate)
    return RenderedRecords(columns=columns, applied=log.applied, eligible=log.eligible)


def _write_child_forms(
    columns: dict[str, ObjArray],
    log: _Log,
    child_forms: tuple[float, np.random.Generator],
    is_child: BoolArray,
    newborn: BoolArray,
    mother: ObjArray,
    language: ObjArray,
    age: IntArray,
    since: tuple[IntArray, IntArray],
) -> None:
    """The forms of :data:`CHILD_FORMS` but compound_part, written in place: one age form a
    record whose age is a number; a newborn's name by its mother's (``mother``: her name
    as the record writes it). ``age``: the true age in years; ``since``: the months since
    the last birthday and the days since the birth, as of the record's date, which an age
    in years and months and a child under one's age in months, weeks or days state."""
    share, rng = child_forms
    forms, _ = load_child_forms()
    n = len(is_child)
    # Every draw is made for every row, so that a row's forms do not depend on the others.
    age_draw, form_draw, low_draw, text_draw = rng.random((4, n))
    rng.integers(1, 12, size=n)  # drawn as before, so that the draws after it are the same
    months, days = since
    name_draw = rng.random(n)

    def texts(i: int, form: str) -> tuple[str, ...]:
        return forms.get((str(language[i]), form)) or forms[("en", form)]

    ages = columns["age"]
    value = np.full(n, -1, dtype=np.int64)
    digits = np.flatnonzero(is_child & np.array([str(a).isdigit() for a in ages.tolist()]))
    value[digits] = [int(a) for a in ages[digits].tolist()]
    can = {
        "age_words": (value >= 1) & (value <= 20),
        "age_years_months": (value >= 1) & (value <= 4) & (months >= 1),
        "age_or": value >= 1,
        "age_two_range": value >= 1,
        "age_months": (value == 0) & (age == 0),
    }
    names = list(can)
    able = np.stack([can[f] for f in names], axis=1)
    chosen = able.any(axis=1) & (age_draw < share)
    # One form a record, drawn among those it can take.
    rank = np.cumsum(able, axis=1)
    pick = np.minimum((form_draw * able.sum(axis=1)).astype(np.int64) + 1, rank[:, -1])
    which = np.argmax(rank >= pick[:, None], axis=1)
    for j, form in enumerate(names):
        log.record(form, able[:, j], chosen & (which == j))
    for i in np.flatnonzero(chosen).tolist():
        form, years = names[int(which[i])], int(value[i])
        if form == "age_words":
            ages[i] = texts(i, str(years))[0]
        elif form == "age_years_months":
            key = "year_month_1" if years == 1 else "year_month"
            ages[i] = texts(i, key)[0].format(y=years, m=int(months[i]))
        elif form == "age_months":
            m, d = int(months[i]), int(days[i])
            unit = "month_1" if m == 1 else "months" if m else "weeks" if d >= 7 else "days"
            ages[i] = texts(i, unit)[0].format(m=m, w=d // 7, d=max(d, 1))
        else:
            low = years - 1 if low_draw[i] < 0.5 and years >= 2 else years
            if form == "age_or":
                ages[i] = texts(i, "or")[0].format(a=low, b=low + 1)
            else:
                ages[i] = f"{low}-{low + 1}"

    # newborn_mother: the name is the mother's, the mother's field left blank.
    can_name = newborn & columns["full_name"].astype(bool) & mother.astype(bool)
    named = can_name & (name_draw < share)
    log.record("newborn_mother", can_name, named)
    for i in np.flatnonzero(named).tolist():
        options = texts(i, "newborn")
        template = options[int(text_draw[i] * len(options))]
        columns["full_name"][i] = template.format(mother=mother[i])
        for field in ("given_name", "family_name", "mother_name", "alternate_names"):
            columns[field][i] = ""


def _lookup(table: NameTable, entries: IntArray, variant: IntArray, native: BoolArray) -> ObjArray:
    """The text of entries (-1: "") at a variant, or native where ``native``; one gather."""
    n_entries, width = table.variants.shape
    index = np.where(native, n_entries * width + entries, entries * width + variant)
    index = np.where(entries >= 0, index, len(table.flat) - 1)
    out: ObjArray = table.flat[index]
    return out


def _title_entries(
    culture: IntArray, sex: IntArray, age: IntArray, pools: Pools, rng: np.random.Generator
) -> IntArray:
    """A title each record could carry (one drawn among its culture's, sex's, age's)."""
    out = np.full(len(culture), _NONE, dtype=np.int64)
    for ci, cname in enumerate(CULTURES):
        spec = pools.cultures[cname]
        for sx in (FEMALE, MALE):
            options = spec.titles[sx]
            if not options:
                continue
            rows = np.flatnonzero((culture == ci) & (sex == sx))
            pick = rng.integers(0, len(options), size=len(rows))
            entries = np.array([e for e, _ in options], dtype=np.int64)[pick]
            min_age = np.array([a for _, a in options], dtype=np.int64)[pick]
            ok = age[rows] >= min_age
            out[rows[ok]] = entries[ok]
    return out


def _blank_fields(
    columns: dict[str, ObjArray], log: _Log, rate: FloatArray, rng: np.random.Generator
) -> None:
    """missing_fields: one to three filled fields left empty."""
    filled = np.stack([columns[f].astype(bool) for f in _FIELDS_MISSABLE], axis=1)
    missing = log.choose("missing_fields", np.asarray(filled.any(axis=1), dtype=bool), rate)
    rows = np.flatnonzero(missing)
    keys = np.where(filled[rows], rng.random((len(rows), len(_FIELDS_MISSABLE))), 2.0)
    how_many = rng.integers(1, 4, size=len(rows))
    rank = np.argsort(np.argsort(keys, axis=1), axis=1)
    blank = (rank < how_many[:, None]) & filled[rows]
    for j, name in enumerate(_FIELDS_MISSABLE):
        idx = rows[blank[:, j]]
        columns[name][idx] = ""
        if name == "given_name":  # the form kept only the full name
            columns["family_name"][idx] = ""


def _dates(
    *,
    rng: np.random.Generator,
    log: _Log,
    rate: RateFn,
    culture: IntArray,
    birth: IntArray,
    age: IntArray,
) -> tuple[ObjArray, ObjArray]:
    """Birth date and age as written: exact, year-month, year or 1 January, with errors."""
    n = len(birth)
    # age_misestimated: off by one year or more, more for adults.
    mis = log.choose("age_misestimated", np.ones(n, dtype=bool), rate("age_misestimated"))
    delta = np.rint(rng.normal(0.0, 0.8 + 0.05 * age)).astype(np.int64)
    delta = np.where(delta == 0, np.where(rng.random(n) < 0.5, -1, 1), delta)
    est_age = np.where(mis, np.maximum(age + delta, 0), age)

    p_placeholder = np.minimum(
        rate("placeholder_dob") * _PLACEHOLDER_MULT[culture], PLACEHOLDER_CAP
    )
    placeholder = log.choose("placeholder_dob", np.ones(n, dtype=bool), p_placeholder)
    imprecise = log.choose("imprecise_dob", ~placeholder, rate("imprecise_dob"))

    y_b, m_b, d_b = days_to_ymd(birth)
    y_est = np.clip(y_b - (est_age - age), 0, 9999)
    year = _YEARS[y_est]
    # A misestimated age written as a date keeps the day and month of the birth (the month
    # of a year-month date) only where the person knew their birthday but not their year
    # (or the year was mistyped): a share of BIRTHDAY_KEPT, a guess. Otherwise they come
    # from elsewhere (the form, the registration): unrelated to the birth. Drawn from a
    # stream of their own, so that every other value is as before.
    seeds = rng.bit_generator.seed_seq
    assert isinstance(seeds, np.random.SeedSequence)  # default_rng(seed) makes one
    own = np.random.default_rng(seeds.spawn(1)[0])
    unrelated = mis & (own.random(n) >= BIRTHDAY_KEPT)
    _, m_u, d_u = days_to_ymd(own.integers(0, 365, size=n) + _NON_LEAP_YEAR)
    m_b, d_b = np.where(unrelated, m_u, m_b), np.where(unrelated, d_u, d_b)
    # A birthday of 29 February kept in a misestimated year that has none is written 28
    # February (a form takes no date that does not exist).
    leap = (y_est % 4 == 0) & ((y_est % 100 != 0) | (y_est % 400 == 0))
    d_b = np.where((m_b == 2) & (d_b == 29) & ~leap, 28, d_b)
    year_month = year + _MONTHS[m_b]
    exact = year_month + _DAYS[d_b]
    only_year = rng.random(n) < 0.7
    dob = np.where(placeholder, year + "-01-01", exact)
    dob = np.where(imprecise, np.where(only_year, year, year_month), dob).astype(object)

    # Age: on about a third of the records, sometimes as a range; nearly always for small
    # children.
    shown = (rng.random(n) < 0.35) | (est_age < 5)
    lo = np.maximum(est_age - rng.integers(0, 2, size=n), 0)
    hi = est_age + rng.integers(1, 3, size=n)
    ranged = (rng.random(n) < 0.2) & (est_age >= 5)
    exact_age = _NUMBERS[np.clip(est_age, 0, 9999)]
    range_age = _NUMBERS[np.clip(lo, 0, 9999)] + "-" + _NUMBERS[np.clip(hi, 0, 9999)]
    age_text = np.where(shown, np.where(ranged, range_age, exact_age), "").astype(object)
    return dob, age_text
