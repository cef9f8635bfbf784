"""People and their families: who exists, before anyone writes a record about them.

A family is a father, a mother and one to several children, all of one culture. Names are
chained the way the culture chains them: a child's father name is the father's given name
and its grandfather name the father's father's, so a Somali, Arabic or Habesha chain reads
the same in the child's and the father's records; a Central American child carries its
father's and its mother's first surnames. Everything is drawn column-wise with numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from rfl_match.synth.pools import CULTURES, Pools, zipf_weights

IntArray = NDArray[np.int64]

FATHER, MOTHER, CHILD = 0, 1, 2
FEMALE, MALE = 0, 1

_DAY0 = np.datetime64("1970-01-01", "D")
_YEAR = 365.25
# The latest birth date of anyone generated: every record is dated later.
LATEST_BIRTH = int((np.datetime64("2022-12-31", "D") - _DAY0).astype(np.int64))
_EARLIEST_MOTHER = int((np.datetime64("1952-01-01", "D") - _DAY0).astype(np.int64))
_LATEST_MOTHER = int((np.datetime64("2000-12-31", "D") - _DAY0).astype(np.int64))

# Cultures where parents are often called after their first son (Abu Ahmed, Umm Ahmed).
KUNYA_CULTURES = ("syrian", "iraqi", "sudanese")
GIVEN_EXPONENT = 1.0  # a few names very common (Mohammed, Abdi, Ivan), a long tail
FAMILY_EXPONENT = 0.8
# Share of families that carry a family name where it is optional (Iraqi laqab, Afghan
# tribal name).
_OPTIONAL_FAMILY_NAME = {"iraqi": 0.6, "afghan_dari": 0.45, "afghan_pashto": 0.6}


@dataclass(frozen=True)
class People:
    """Everyone generated, one row a person, as parallel arrays.

    Name columns hold entry ids of :class:`~rfl_match.synth.pools.NameTable` (-1: none).

    Attributes:
        culture: index into :data:`~rfl_match.synth.pools.CULTURES`.
        family_id: the family the person belongs to.
        role: FATHER, MOTHER or CHILD.
        sex: FEMALE or MALE.
        birth: birth date, in days since 1970-01-01.
        given: given name.
        second: second given name (Central American) or postname (Congolese).
        father: father's given name.
        grandfather: father's father's given name.
        mother: mother's given name.
        family: family name, masculine form (Cyrillic feminine forms are derived).
        family2: the maternal surname (Central American).
        birth_place: place of birth.
        origin: place of origin (the family's home).
        nationality: nationality entry.
        convention: the person's usual romanisation habit, 0 (most usual forms) to 3.
        eldest_son: for a parent in a culture that uses a kunya (Abu X, Umm X), the given
            name of the family's first son; -1 elsewhere.
        twin_of: for a child born the same day as the sibling before it (``twins``), that
            sibling's row; -1 elsewhere.
    """

    culture: IntArray
    family_id: IntArray
    role: IntArray
    sex: IntArray
    birth: IntArray
    given: IntArray
    second: IntArray
    father: IntArray
    grandfather: IntArray
    mother: IntArray
    family: IntArray
    family2: IntArray
    birth_place: IntArray
    origin: IntArray
    nationality: IntArray
    convention: IntArray
    eldest_son: IntArray
    twin_of: IntArray

    def __len__(self) -> int:
        return len(self.culture)


def _draw(rng: np.random.Generator, pool: IntArray, size: int, exponent: float) -> IntArray:
    if size == 0 or len(pool) == 0:
        return np.full(size, -1, dtype=np.int64)
    idx = rng.choice(len(pool), size=size, p=zipf_weights(len(pool), exponent))
    return pool[idx].astype(np.int64)


def _uniform(rng: np.random.Generator, pool: IntArray, size: int) -> IntArray:
    return pool[rng.integers(0, len(pool), size=size)].astype(np.int64)


def generate_people(
    *,
    n_families: int,
    culture_weights: NDArray[np.float64],
    pools: Pools,
    rng: np.random.Generator,
    twins: tuple[float, np.random.Generator] | None = None,
) -> People:
    """Draw ``n_families`` families and return all their members. ``twins``: the share of
    children after their family's first who are born the same day as the sibling before
    them, and a random stream of its own for that draw (so that the rest of the data of a
    seed does not move with it)."""
    f_culture = rng.choice(len(CULTURES), size=n_families, p=culture_weights).astype(np.int64)
    n_children = np.minimum(1 + rng.poisson(1.8, size=n_families), 7).astype(np.int64)
    size = 2 + n_children
    n = int(size.sum())
    family_id = np.repeat(np.arange(n_families, dtype=np.int64), size)
    starts = np.cumsum(size) - size
    pos = np.arange(n, dtype=np.int64) - np.repeat(starts, size)
    role = np.where(pos == 0, FATHER, np.where(pos == 1, MOTHER, CHILD)).astype(np.int64)
    culture = f_culture[family_id]

    sex = np.where(role == FATHER, MALE, FEMALE).astype(np.int64)
    is_child = role == CHILD
    sex[is_child] = rng.integers(0, 2, size=int(is_child.sum()))

    # Dates: mothers born 1952-2000, fathers up to 10 years older, children when the
    # mother was 17 to 45 and never after LATEST_BIRTH.
    m_birth = rng.integers(_EARLIEST_MOTHER, _LATEST_MOTHER + 1, size=n_families)
    f_birth = m_birth - rng.integers(-365, int(10 * _YEAR), size=n_families)
    lo = m_birth + int(17 * _YEAR)
    hi = np.minimum(m_birth + int(45 * _YEAR), LATEST_BIRTH)
    child_lo = lo[family_id]
    child_hi = hi[family_id]
    birth = np.where(role == FATHER, f_birth[family_id], m_birth[family_id]).astype(np.int64)
    u = rng.random(n)
    birth_child = child_lo + (u * (child_hi - child_lo + 1)).astype(np.int64)
    birth = np.where(is_child, birth_child, birth)
    twin_of = np.full(n, -1, dtype=np.int64)
    if twins is not None and twins[0] > 0:
        later = is_child & (pos > 2)  # a child with an elder sibling before it
        for row in np.flatnonzero(later & (twins[1].random(n) < twins[0])).tolist():
            birth[row] = birth[row - 1]  # in order: triplets share the first one's day
            twin_of[row] = row - 1

    f_names = {
        key: np.full(n_families, -1, dtype=np.int64)
        for key in ("fg", "gf", "ggf", "fm", "mg", "mf", "mgf", "mm", "fam", "mfam", "home", "nat")
    }
    given = np.full(n, -1, dtype=np.int64)
    second = np.full(n, -1, dtype=np.int64)
    extra_family2 = np.full(n, -1, dtype=np.int64)
    birth_place = np.full(n, -1, dtype=np.int64)
    for ci, name in enumerate(CULTURES):
        spec = pools.cultures[name]
        fam_rows = np.flatnonzero(f_culture == ci)
        k = len(fam_rows)
        if k == 0:
            continue
        female, male = spec.given
        for key, pool in (
            ("fg", male),
            ("gf", male),
            ("ggf", male),
            ("mf", male),
            ("mgf", male),
            ("fm", female),
            ("mg", female),
            ("mm", female),
        ):
            f_names[key][fam_rows] = _draw(rng, pool, k, GIVEN_EXPONENT)
        if len(spec.family):
            fam = _draw(rng, spec.family, k, FAMILY_EXPONENT)
            share = _OPTIONAL_FAMILY_NAME.get(name)
            if share is not None:
                fam[rng.random(k) >= share] = -1
            f_names["fam"][fam_rows] = fam
            f_names["mfam"][fam_rows] = _draw(rng, spec.family, k, FAMILY_EXPONENT)
        f_names["home"][fam_rows] = _draw(rng, spec.home, k, 0.7)
        f_names["nat"][fam_rows] = _uniform(rng, spec.nationality, k)

        rows = np.flatnonzero(culture == ci)
        r_sex = sex[rows]
        g = np.where(
            r_sex == MALE,
            _draw(rng, male, len(rows), GIVEN_EXPONENT),
            _draw(rng, female, len(rows), GIVEN_EXPONENT),
        )
        given[rows] = g
        if spec.structure == "spanish":
            second_g = np.where(
                r_sex == MALE,
                _draw(rng, male, len(rows), GIVEN_EXPONENT),
                _draw(rng, female, len(rows), GIVEN_EXPONENT),
            )
            second_g[rng.random(len(rows)) < 0.5] = -1
            second_g[second_g == g] = -1
            second[rows] = second_g
            extra_family2[rows] = _draw(rng, spec.family, len(rows), FAMILY_EXPONENT)
        elif spec.structure == "congolese":
            second[rows] = _draw(rng, spec.family, len(rows), FAMILY_EXPONENT)
        birth_place[rows] = _draw(rng, spec.home, len(rows), 0.7)

    fid = family_id
    is_father = role == FATHER
    is_mother = role == MOTHER
    given = np.where(is_father, f_names["fg"][fid], np.where(is_mother, f_names["mg"][fid], given))
    father = np.where(
        is_father, f_names["gf"][fid], np.where(is_mother, f_names["mf"][fid], f_names["fg"][fid])
    )
    grandfather = np.where(
        is_father, f_names["ggf"][fid], np.where(is_mother, f_names["mgf"][fid], f_names["gf"][fid])
    )
    mother = np.where(
        is_father, f_names["fm"][fid], np.where(is_mother, f_names["mm"][fid], f_names["mg"][fid])
    )
    fam = f_names["fam"][fid]
    mfam = f_names["mfam"][fid]
    slavic = np.isin(culture, [CULTURES.index("ukrainian"), CULTURES.index("russian")])
    # Mothers keep their own family name, except that most Slavic wives take the husband's.
    married = slavic & (rng.random(n) < 0.7)
    family = np.where(is_mother & ~married, mfam, fam)
    spanish = culture == CULTURES.index("central_american")
    family2 = np.where(spanish, np.where(is_child, mfam, extra_family2), -1).astype(np.int64)

    given = _distinct_siblings(given, family_id, is_child, culture, sex, pools, rng)
    second = np.where(second == given, -1, second)
    birth_place = np.where(rng.random(n) < 0.8, f_names["home"][fid], birth_place)
    convention = rng.choice(4, size=n, p=[0.5, 0.25, 0.15, 0.1]).astype(np.int64)
    sons = np.flatnonzero(is_child & (sex == MALE))
    first_son_fam, first = np.unique(family_id[sons], return_index=True)
    son_of_family = np.full(n_families, -1, dtype=np.int64)
    son_of_family[first_son_fam] = given[sons[first]]
    kunya = np.isin(culture, [CULTURES.index(c) for c in KUNYA_CULTURES]) & ~is_child
    eldest_son = np.where(kunya, son_of_family[family_id], -1).astype(np.int64)
    return People(
        culture=culture,
        family_id=family_id,
        role=role,
        sex=sex,
        birth=birth,
        given=given,
        second=second,
        father=father,
        grandfather=grandfather,
        mother=mother,
        family=family,
        family2=family2,
        birth_place=birth_place,
        origin=f_names["home"][fid],
        nationality=f_names["nat"][fid],
        convention=convention,
        eldest_son=eldest_son,
        twin_of=twin_of,
    )


def _distinct_siblings(
    given: IntArray,
    family_id: IntArray,
    is_child: NDArray[np.bool_],
    culture: IntArray,
    sex: IntArray,
    pools: Pools,
    rng: np.random.Generator,
) -> IntArray:
    """Redraw the given name of a child who has the same one as an elder sibling."""
    given = given.copy()
    for _ in range(8):
        key = family_id * 1_000_003 + given
        order = np.argsort(key, kind="stable")
        dup_sorted = np.zeros(len(key), dtype=bool)
        dup_sorted[1:] = key[order][1:] == key[order][:-1]
        dup = np.zeros(len(key), dtype=bool)
        dup[order] = dup_sorted
        dup &= is_child
        rows = np.flatnonzero(dup)
        if len(rows) == 0:
            break
        for ci, name in enumerate(CULTURES):
            sel = rows[culture[rows] == ci]
            if len(sel) == 0:
                continue
            female, male = pools.cultures[name].given
            given[sel] = np.where(
                sex[sel] == MALE, _uniform(rng, male, len(sel)), _uniform(rng, female, len(sel))
            )
    return given
