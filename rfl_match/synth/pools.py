"""Name, place and title pools of the synthetic data generator, read once from resources.

Every name, place and title becomes one *entry* of a single :class:`NameTable`: its
native-script form and its Latin forms (most usual first), so that rendering a name for
many records at once is integer indexing into object arrays. A :class:`CultureSpec` holds,
for one culture, the entry ids of its pools in commonness order.
"""

from __future__ import annotations

import csv
import functools
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources

import numpy as np
from numpy.typing import NDArray

IntArray = NDArray[np.int64]
ObjArray = NDArray[np.object_]

# How each culture builds a full name (see records.py for what each structure writes).
STRUCTURES: dict[str, str] = {
    "syrian": "family",
    "iraqi": "chain_family",
    "sudanese": "chain",
    "afghan_dari": "afghan",
    "afghan_pashto": "afghan",
    "somali": "chain",
    "eritrean": "habesha",
    "ethiopian": "habesha",
    "ukrainian": "slavic",
    "russian": "slavic",
    "kurdish": "family",
    "congolese": "congolese",
    "central_american": "spanish",
    "rohingya": "single",
}
CULTURES: tuple[str, ...] = tuple(STRUCTURES)

# Default share of each culture among the people generated.
DEFAULT_CULTURE_WEIGHTS: dict[str, float] = {
    "syrian": 0.12,
    "iraqi": 0.07,
    "sudanese": 0.08,
    "afghan_dari": 0.08,
    "afghan_pashto": 0.06,
    "somali": 0.09,
    "eritrean": 0.08,
    "ethiopian": 0.06,
    "ukrainian": 0.10,
    "russian": 0.04,
    "kurdish": 0.06,
    "congolese": 0.06,
    "central_american": 0.06,
    "rohingya": 0.04,
}

# Cultures whose names have a native form other than their usual Latin one: the
# ``native_script`` corruption applies to them only. For Somali the "native" form is the
# official Somali Latin orthography (Maxamed, Cabdi), not another script.
NATIVE_FORM_CULTURES: frozenset[str] = frozenset(CULTURES) - {"congolese", "central_american"}
# Cultures whose native script has no letter case (upper-casing changes nothing there).
UNCASED_SCRIPT_CULTURES: frozenset[str] = frozenset(
    {
        "syrian",
        "iraqi",
        "sudanese",
        "afghan_dari",
        "afghan_pashto",
        "eritrean",
        "ethiopian",
        "kurdish",
        "rohingya",
    }
)

_GIVEN_GROUPS: dict[str, tuple[str, ...]] = {
    "syrian": ("arabic",),
    "iraqi": ("arabic",),
    "sudanese": ("sudanese", "arabic"),
    "afghan_dari": ("afghan", "dari"),
    "afghan_pashto": ("afghan", "pashto"),
    "somali": ("somali",),
    "eritrean": ("tigrinya",),
    "ethiopian": ("amharic",),
    "ukrainian": ("ukrainian",),
    "russian": ("russian",),
    "kurdish": ("kurdish",),
    "congolese": ("congolese",),
    "central_american": ("spanish",),
    "rohingya": ("rohingya",),
}
_FAMILY_GROUPS: dict[str, tuple[str, ...]] = {
    "syrian": ("syrian",),
    "iraqi": ("iraqi",),
    "afghan_dari": ("afghan",),
    "afghan_pashto": ("afghan",),
    "ukrainian": ("ukrainian",),
    "russian": ("russian",),
    "kurdish": ("kurdish",),
    "congolese": ("congolese",),
    "central_american": ("spanish",),
}
_CYRILLIC_GROUPS = frozenset({"ukrainian", "russian"})


@dataclass(frozen=True)
class NameTable:
    """All entries (names, places, titles) as parallel arrays.

    Attributes:
        native: (n,) the native form of each entry.
        variants: (n, max_variants) the Latin forms, padded with "".
        n_variants: (n,) how many Latin forms each entry has (at least 1).
        nicknames: per entry, its nicknames (Latin).
        has_nickname: (n,) whether the entry has at least one nickname.
        patronymic: (n, 2) for a Cyrillic given name, the entry of its patronymic for a
            daughter (column 0) and a son (column 1); -1 elsewhere.
        feminine: (n,) for a Cyrillic surname, the entry of its feminine form; the entry
            itself elsewhere.
    """

    native: ObjArray
    variants: ObjArray
    n_variants: IntArray
    nicknames: tuple[tuple[str, ...], ...]
    has_nickname: NDArray[np.bool_]
    patronymic: IntArray
    feminine: IntArray
    flat: ObjArray


@dataclass(frozen=True)
class CultureSpec:
    """The pools of one culture, as entry ids in commonness order.

    Attributes:
        name: the culture's key (see :data:`CULTURES`).
        structure: how it builds a full name.
        given: given names by sex, index 0 female, 1 male.
        family: family, tribal or surnames (empty when the culture has none).
        home: places of birth and origin.
        route: places where people are last seen or registered.
        nationality: nationalities.
        titles: by sex (0 female, 1 male), pairs of (entry id, minimum age).
    """

    name: str
    structure: str
    given: tuple[IntArray, IntArray]
    family: IntArray
    home: IntArray
    route: IntArray
    nationality: IntArray
    titles: tuple[tuple[tuple[int, int], ...], tuple[tuple[int, int], ...]]


@dataclass(frozen=True)
class Pools:
    """The name table and every culture's pools."""

    table: NameTable
    cultures: dict[str, CultureSpec]


def _rows(name: str) -> Iterator[list[str]]:
    text = resources.files("rfl_match.synth").joinpath("resources", name).read_text("utf-8")
    lines = [line for line in text.splitlines() if line and not line.startswith("#")]
    reader = csv.reader(lines[1:], delimiter="\t", quoting=csv.QUOTE_NONE)
    for row in reader:
        yield [cell.strip() for cell in row]


def _split(cell: str) -> list[str]:
    return [part.strip() for part in cell.split("|") if part.strip()]


def _unique(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(item for item in items if item))


@dataclass(frozen=True)
class _Scheme:
    mapping: dict[str, str]
    multi: dict[str, str]
    initial: dict[str, str]
    final: dict[str, str]


def _pairs(text: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in text.split():
        key, _, value = item.partition(":")
        out[key] = value
    return out


@functools.cache
def _schemes() -> dict[str, tuple[_Scheme, ...]]:
    raw = json.loads(
        resources.files("rfl_match.synth").joinpath("resources", "cyrillic.json").read_text()
    )
    return {
        lang: tuple(
            _Scheme(_pairs(s["map"]), _pairs(s["multi"]), _pairs(s["initial"]), _pairs(s["final"]))
            for s in raw[lang]
        )
        for lang in ("ukrainian", "russian")
    }


def _capitalize(text: str) -> str:
    return "-".join(" ".join(w[:1].upper() + w[1:] for w in p.split(" ")) for p in text.split("-"))


def transliterate(text: str, scheme: _Scheme) -> str:
    """Romanise Cyrillic ``text`` with one scheme; other characters pass through."""
    low = text.lower()
    out: list[str] = []
    i = 0
    n = len(low)
    while i < n:
        start = i == 0 or not low[i - 1].isalpha()
        pair = low[i : i + 2]
        end_of_word = i + 2 >= n or not low[i + 2].isalpha()
        if len(pair) == 2 and end_of_word and pair in scheme.final:
            out.append(scheme.final[pair])
            i += 2
            continue
        if len(pair) == 2 and pair in scheme.multi:
            out.append(scheme.multi[pair])
            i += 2
            continue
        char = low[i]
        if start and char in scheme.initial:
            out.append(scheme.initial[char])
        else:
            out.append(scheme.mapping.get(char, char))
        i += 1
    return _capitalize("".join(out))


def romanizations(native: str, language: str) -> tuple[str, ...]:
    """The Latin forms of a Cyrillic name, one per scheme, most usual scheme first."""
    return _unique(transliterate(native, s) for s in _schemes()[language])


def _feminine_surname(native: str) -> str:
    for male, female in (
        ("ський", "ська"),
        ("цький", "цька"),
        ("ский", "ская"),
        ("цкий", "цкая"),
        ("ой", "ая"),
    ):
        if native.endswith(male):
            return native[: -len(male)] + female
    if native.endswith(("ов", "ев", "ёв", "ин", "ын")):
        return native + "а"
    return native


class _Builder:
    def __init__(self) -> None:
        self.native: list[str] = []
        self.variants: list[tuple[str, ...]] = []
        self.nicknames: list[tuple[str, ...]] = []
        self.patronymic: list[tuple[int, int]] = []
        self.feminine: list[int] = []

    def add(self, native: str, variants: Iterable[str], nicknames: Iterable[str] = ()) -> int:
        forms = _unique(variants)
        if not forms:
            forms = (native,)
        self.native.append(native or forms[0])
        self.variants.append(forms)
        self.nicknames.append(_unique(nicknames))
        self.patronymic.append((-1, -1))
        self.feminine.append(len(self.native) - 1)
        return len(self.native) - 1

    def table(self) -> NameTable:
        n = len(self.native)
        width = max(len(v) for v in self.variants)
        variants = np.full((n, width), "", dtype=object)
        for i, forms in enumerate(self.variants):
            variants[i, : len(forms)] = forms
        native = np.empty(n, dtype=object)
        native[:] = self.native
        return NameTable(
            native=native,
            variants=variants,
            n_variants=np.array([len(v) for v in self.variants], dtype=np.int64),
            nicknames=tuple(self.nicknames),
            has_nickname=np.array([bool(v) for v in self.nicknames], dtype=bool),
            patronymic=np.array(self.patronymic, dtype=np.int64).reshape(n, 2),
            feminine=np.array(self.feminine, dtype=np.int64),
            flat=np.concatenate([variants.ravel(), native, np.array([""], dtype=object)]),
        )


def _ids(values: list[int]) -> IntArray:
    return np.array(values, dtype=np.int64)


@functools.cache
def load_pools() -> Pools:
    """Read every resource file once and build the pools (cached)."""
    b = _Builder()
    given: dict[tuple[str, str], list[int]] = {}
    given_by_native: dict[tuple[str, str], int] = {}
    for group, sex, native, latin, nicks in _rows("given_names.tsv"):
        forms = _split(latin)
        if group in _CYRILLIC_GROUPS:
            forms = [*romanizations(native, group), *forms]
        entry = b.add(native, forms, _split(nicks))
        given.setdefault((group, sex), []).append(entry)
        given_by_native[(group, native)] = entry
    for group, father, male, female in _rows("patronymics.tsv"):
        pat_f = b.add(female, romanizations(female, group))
        pat_m = b.add(male, romanizations(male, group))
        b.patronymic[given_by_native[(group, father)]] = (pat_f, pat_m)
    family: dict[str, list[int]] = {}
    for group, native, latin in _rows("family_names.tsv"):
        if group in _CYRILLIC_GROUPS:
            entry = b.add(native, [*romanizations(native, group), *_split(latin)])
            female = _feminine_surname(native)
            if female != native:
                b.feminine[entry] = b.add(female, romanizations(female, group))
        else:
            entry = b.add(native, _split(latin))
        family.setdefault(group, []).append(entry)
    places: dict[tuple[str, str], list[int]] = {}
    for culture, kind, native, latin in _rows("places.tsv"):
        places.setdefault((culture, kind), []).append(b.add(native, _split(latin)))
    titles: dict[tuple[str, str], list[tuple[int, int]]] = {}
    for culture, sex, min_age, native, latin in _rows("titles.tsv"):
        entry = b.add(native, [latin])
        titles.setdefault((culture, sex), []).append((entry, int(min_age)))

    table = b.table()
    specs: dict[str, CultureSpec] = {}
    for culture in CULTURES:
        by_sex: list[IntArray] = []
        for sex in ("f", "m"):
            seen: dict[str, int] = {}
            for group in _GIVEN_GROUPS[culture]:
                for entry in given.get((group, sex), []):
                    seen.setdefault(str(table.native[entry]), entry)
            by_sex.append(_ids(list(seen.values())))
        fam: list[int] = []
        for group in _FAMILY_GROUPS.get(culture, ()):
            fam.extend(family[group])
        specs[culture] = CultureSpec(
            name=culture,
            structure=STRUCTURES[culture],
            given=(by_sex[0], by_sex[1]),
            family=_ids(fam),
            home=_ids(places[(culture, "home")]),
            route=_ids(places[(culture, "route")]),
            nationality=_ids(places[(culture, "nationality")]),
            titles=(tuple(titles.get((culture, "f"), [])), tuple(titles.get((culture, "m"), []))),
        )
    return Pools(table=table, cultures=specs)


@functools.cache
def load_child_forms() -> tuple[dict[tuple[str, str], tuple[str, ...]], frozenset[str]]:
    """``resources/child_forms.tsv``: the texts of each (language, form), and the compound
    given names (most usual Latin form) whose second part a child is called by."""
    forms: dict[tuple[str, str], list[str]] = {}
    for language, form, text in _rows("child_forms.tsv"):
        forms.setdefault((language, form), []).append(text)
    compound = frozenset(forms.pop(("*", "compound"), []))
    return {key: tuple(texts) for key, texts in forms.items()}, compound


def zipf_weights(n: int, exponent: float) -> NDArray[np.float64]:
    """Probabilities proportional to 1 / rank**exponent for ranks 1..n."""
    w = 1.0 / np.arange(1, n + 1, dtype=np.float64) ** exponent
    return np.asarray(w / w.sum(), dtype=np.float64)
