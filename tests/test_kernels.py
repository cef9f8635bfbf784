"""The compiled comparison kernels equal slow, obviously correct per-pair references."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from unittest import mock

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfl_match import kernels
from rfl_match.compare import DATE_LABELS, INTERVAL_LABELS, interval_levels
from rfl_match.dates import DAY_SPAN, MISSING, BirthIntervals

WIDTH = 4


# --- references: one pair at a time, straight from the definitions ---------------------


def alike(a: list[list[int]], i: int, b: list[list[int]], j: int) -> bool:
    """Part i of a sounds like part j of b: same class, skeleton or phonetic code."""
    return any(a[f][i] >= 0 and a[f][i] == b[f][j] for f in range(3))


def chain_rank_reference(a: list[list[int]], b: list[list[int]], reordered: bool) -> int:
    cls_a = [c for c in a[0] if c >= 0]
    cls_b = [c for c in b[0] if c >= 0]
    if not cls_a or not cls_b:
        return kernels.MISSING
    if a[0] == b[0]:
        return kernels.SAME
    shorter, longer = sorted((cls_a, cls_b), key=len)
    if len(cls_a) != len(cls_b) and longer[: len(shorter)] == shorter:
        return kernels.TRUNCATED
    if (
        reordered
        and len(cls_a) == len(cls_b)
        and all(c in cls_b for c in cls_a)
        and all(c in cls_a for c in cls_b)
    ):
        return kernels.REORDERED
    positions = [i for i in range(WIDTH) if a[0][i] >= 0 or b[0][i] >= 0]
    if all(alike(a, i, b, i) for i in positions):
        return kernels.SOUNDS
    if any(alike(a, i, b, j) for i in range(WIDTH) for j in range(WIDTH)):
        return kernels.COMMON
    return kernels.DIFFERENT


def agreement(keys: list[int], short: list[bool]) -> int:
    """How two names sound alike by the key codes they share: 2 by a key that is not
    short, 1 by short keys alone, 0 not at all."""
    if not keys:
        return 0
    return 1 if all(short[k] for k in keys) else 2


def given_rank_reference(
    a: list[list[int]],
    b: list[list[int]],
    ta: int,
    tb: int,
    ka: bool = False,
    kb: bool = False,
    ca: int = -1,
    cb: int = -1,
    la: bool = False,
    lb: bool = False,
    short: list[bool] | None = None,
    listed_a: bool = False,
    listed_b: bool = False,
) -> int:
    if ta < 0 or tb < 0:
        return kernels.MISSING
    if ta == tb:
        return kernels.GIVEN_SAME_SPELLING
    if a[0][0] >= 0 and a[0][0] == b[0][0]:
        return kernels.GIVEN_SAME_CLASS
    # a kunya against a given name, unless that name opens as a kunya run together
    if (ka and not kb and not lb) or (kb and not ka and not la):
        return kernels.MISSING
    short = short or [False] * 16
    # a compound given name run together is the other's part 0 by skeleton
    joined = [c for c, other in ((ca, b[1][0]), (cb, a[1][0])) if c >= 0 and c == other]
    compound = agreement(joined, short)
    # not where a record repeats its name (its parts 0 and 1 of one class)
    repeats = any(x[0][0] >= 0 and x[0][0] == x[0][1] for x in (a, b))
    swapped = not repeats and alike(a, 0, b, 1) and alike(a, 1, b, 0)
    if compound == 2:
        return kernels.GIVEN_ALIKE
    if compound == 0 and listed_a and listed_b:
        return kernels.GIVEN_SWAPPED if swapped else kernels.GIVEN_LISTED_APART
    keys = [a[f][0] for f in (1, 2) if a[f][0] >= 0 and a[f][0] == b[f][0]]
    agree = agreement(joined + keys, short)
    if agree == 2:
        return kernels.GIVEN_ALIKE
    # alike by a short key alone: the caller reads the spelling
    if agree == 1:
        return kernels.GIVEN_SHORT_SWAPPED if swapped else kernels.GIVEN_SHORT_ALIKE
    return kernels.GIVEN_SWAPPED if swapped else kernels.DIFFERENT


def interval_reference(
    lo_a: int,
    hi_a: int,
    ex_a: bool,
    lo_b: int,
    hi_b: int,
    ex_b: bool,
    generation: bool = True,
    stated: tuple[int, int] | None = None,
) -> int:
    """The level by the labels (compare.INTERVAL_LABELS; without ``generation``,
    compare.DATE_LABELS), read off the two intervals' gap in days; an interval is wide by
    its ``stated`` latest birth (None: its hi)."""
    labels = INTERVAL_LABELS if generation else DATE_LABELS
    if MISSING in (lo_a, lo_b):
        return 0
    if ex_a and ex_b:  # days: the same, or one within the days the other stands for
        days_a, days_b = set(range(lo_a, hi_a + 1)), set(range(lo_b, hi_b + 1))
        if days_a == days_b or (len(days_a) == 1 and days_a <= days_b):
            return labels.index("same date")
        if len(days_b) == 1 and days_b <= days_a:
            return labels.index("same date")
    if ex_a and ex_b and lo_a == hi_a and lo_b == hi_b:
        # a day or a month a keystroke or one off, or the two swapped
        a, b = (date(1970, 1, 1) + timedelta(days=d) for d in (lo_a, lo_b))

        def slip(x: int, y: int) -> bool:
            one, two = f"{x:02d}", f"{y:02d}"
            apart = sum(p != q for p, q in zip(one, two, strict=True))
            return abs(x - y) == 1 or apart == 1 or one == two[::-1]

        if a.year == b.year and (
            (a.day, a.month) == (b.month, b.day)
            or (a.month == b.month and slip(a.day, b.day))
            or (a.day == b.day and slip(a.month, b.month))
        ):
            return labels.index("same year or age range")
    gap = max(lo_a - hi_b, lo_b - hi_a, 0)
    sh_a, sh_b = stated or (hi_a, hi_b)
    if max(sh_a - lo_a, sh_b - lo_b) > 2 * 365 and gap <= 365:
        return 0  # overlapping or nearly, one too wide to tell how near
    if gap == 0:  # overlapping: the same year or range
        return labels.index("same year or age range")
    for label, years in (
        ("within a year", 1),
        ("1 to 2 years apart", 2),
        ("2 to 5 years apart", 5),
    ):
        if gap <= years * 365:
            return labels.index(label)
    if not generation:
        return labels.index("more than 5 years apart")
    if gap <= 15 * 365:
        return labels.index("5 to 15 years apart")
    return labels.index("more than 15 years apart")


# --- random name chains --------------------------------------------------------------

# Few distinct codes, so that equal classes and keys are common.
CODE = st.integers(min_value=0, max_value=3)


@st.composite
def chains(
    draw: st.DrawFn,
    n: int,
    width: int = WIDTH,
    gaps: bool = False,
    codes: st.SearchStrategy[int] = CODE,
) -> np.ndarray:
    """``(n, 3 * width)`` packed parts: left-aligned chains of 0 to width parts (with
    ``gaps``, a row may have an empty slot among its parts: its chain ends there)."""
    out = np.full((n, 3 * width), -1, dtype=np.int32)
    for row in range(n):
        length = draw(st.integers(0, width))
        for field in range(3):
            for pos in range(length):
                # A part may lack a key (-1) but always has a class.
                code = draw(codes if field == 0 else st.one_of(codes, st.just(-1)))
                out[row, field * width + pos] = code
        if gaps and length > 1 and draw(st.booleans()):
            out[row, draw(st.integers(0, length - 2))] = -1
    return out


def unpack(packed: np.ndarray, row: int, width: int = WIDTH) -> list[list[int]]:
    return [list(map(int, packed[row, f * width : (f + 1) * width])) for f in range(3)]


def pairs(n_left: int, n_right: int) -> st.SearchStrategy[tuple[np.ndarray, np.ndarray]]:
    index = st.tuples(st.integers(0, n_left - 1), st.integers(0, n_right - 1))
    return st.lists(index, min_size=1, max_size=40).map(
        lambda ps: (np.array([p[0] for p in ps], np.intp), np.array([p[1] for p in ps], np.intp))
    )


@settings(max_examples=300, deadline=None)
@given(st.data(), st.booleans(), st.sampled_from([3, 40, 5000]))
def test_chain_ranks_equal_reference(data: st.DataObject, reordered: bool, most: int) -> None:
    # The ranks themselves; or each read through a table of levels, and rows of the same
    # known text at the top level, in the kernel's one pass: as the ranks mapped and
    # overridden afterwards. With few codes the chains share keys; with many, most pairs
    # share none, and their signatures mostly no bit (ranked without their parts).
    codes = st.integers(0, most)
    a = data.draw(chains(6, codes=codes))
    b = data.draw(chains(5, codes=codes))
    li, ri = data.draw(pairs(6, 5))
    levels = st.lists(st.integers(0, 9), min_size=8, max_size=8)
    level_of = data.draw(st.none() | levels.map(lambda v: np.array(v, np.int8)))
    ta = np.array(data.draw(st.lists(st.integers(-1, 2), min_size=6, max_size=6)), np.int32)
    tb = np.array(data.draw(st.lists(st.integers(-1, 2), min_size=5, max_size=5)), np.int32)
    texts = (ta, tb) if level_of is not None and data.draw(st.booleans()) else None
    got = kernels.chain_ranks(
        a, b, li, ri, reordered=reordered, level_of=level_of, texts=texts, top=10
    )
    want = []
    for x, y in zip(li, ri, strict=True):
        level = chain_rank_reference(unpack(a, x), unpack(b, y), reordered)
        if level_of is not None:
            level = int(level_of[level])
        if texts is not None and ta[x] >= 0 and ta[x] == tb[y]:
            level = 10
        want.append(level)
    assert got.tolist() == want


@settings(max_examples=200, deadline=None)
@given(st.data(), st.sampled_from([3, 40, 5000]))
def test_chain_signatures_share_a_bit_where_chains_share_a_key(
    data: st.DataObject, most: int
) -> None:
    # A class or key of one kind in both chains sets a common bit; a chain without parts
    # shares a bit with every chain.
    a = data.draw(chains(4, gaps=True, codes=st.integers(0, most)))
    b = data.draw(chains(4, gaps=True, codes=st.integers(0, most)))
    sa, sb = kernels.chain_signatures(a), kernels.chain_signatures(b)
    assert sa.shape == (4, kernels.SIGNATURE_WORDS) and sa.dtype == np.uint64
    for x in range(4):
        for y in range(4):
            shared = bool((sa[x] & sb[y]).any())
            ka, kb = unpack(a, x), unpack(b, y)
            keys = any(set(ka[f]) & set(kb[f]) - {-1} for f in range(3))
            empty = all(c < 0 for c in ka[0]) or all(c < 0 for c in kb[0])
            if keys or empty:
                assert shared
    # ... and it filters: a chain with parts sets a bit per known class or key at most.
    for packed, signatures in ((a, sa), (b, sb)):
        for x in range(4):
            known = int((packed[x] >= 0).sum())
            bits = sum(bin(int(word)).count("1") for word in signatures[x])
            if any(c >= 0 for c in unpack(packed, x)[0]):
                assert 1 <= bits <= known


@given(st.data(), st.integers(1, 5), st.integers(1, 3))
def test_shifted_blocks_equal_reference(data: st.DataObject, width: int, blocks: int) -> None:
    """Each row's blocks read from its start on, left-aligned, -1 past their end: as a
    slow loop over rows, blocks and columns reads them (a start past the block: none)."""
    n = data.draw(st.integers(0, 12))
    cells = st.integers(-1, 50)
    packed = np.array(
        data.draw(st.lists(st.lists(cells, min_size=width * blocks, max_size=width * blocks),
                           min_size=n, max_size=n)),
        dtype=np.int32,
    ).reshape(n, width * blocks)  # fmt: skip
    start = np.array(data.draw(st.lists(st.integers(0, width + 1), min_size=n, max_size=n)))
    expected = np.full_like(packed, -1)
    for r in range(n):
        for block in range(blocks):
            kept = packed[r, block * width + start[r] : (block + 1) * width]
            expected[r, block * width : block * width + len(kept)] = kept
    got = kernels.shifted_blocks(packed, start.astype(np.int8), width)
    assert got.dtype == np.int32 and got.flags.c_contiguous
    np.testing.assert_array_equal(got, expected)


def test_chain_and_given_ranks_refuse_rows_of_other_shapes() -> None:
    a = np.full((3, 3 * WIDTH), -1, dtype=np.int32)
    li = ri = np.zeros(1, dtype=np.intp)
    signatures = (kernels.chain_signatures(a), kernels.chain_signatures(a[:2]))
    with pytest.raises(ValueError, match="signatures"):
        kernels.chain_ranks(a, a, li, ri, signatures=signatures)
    with pytest.raises(ValueError, match="given_keys"):
        kernels.given_ranks(a, a, li, ri)


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_given_ranks_equal_reference(data: st.DataObject) -> None:
    a = data.draw(chains(6))
    b = data.draw(chains(5))
    ta = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=6, max_size=6)), np.int32)
    tb = np.array(data.draw(st.lists(st.integers(-1, 3), min_size=5, max_size=5)), np.int32)
    ka = np.array(data.draw(st.lists(st.booleans(), min_size=6, max_size=6)))
    kb = np.array(data.draw(st.lists(st.booleans(), min_size=5, max_size=5)))
    # compound given names run together, as skeleton codes (0-3 meet the chains' codes)
    ca = np.array(data.draw(st.lists(st.integers(-1, 9), min_size=6, max_size=6)), np.int32)
    cb = np.array(data.draw(st.lists(st.integers(-1, 9), min_size=5, max_size=5)), np.int32)
    # given names that open as a kunya run together (Abulkalam)
    la = np.array(data.draw(st.lists(st.booleans(), min_size=6, max_size=6)))
    lb = np.array(data.draw(st.lists(st.booleans(), min_size=5, max_size=5)))
    # which key codes are short (two consonants or fewer), or none is
    short = data.draw(st.one_of(st.none(), st.lists(st.booleans(), min_size=10, max_size=10)))
    marks = None if short is None else np.array(short)
    # given names of a listed variant class
    sa = np.array(data.draw(st.lists(st.booleans(), min_size=6, max_size=6)))
    sb = np.array(data.draw(st.lists(st.booleans(), min_size=5, max_size=5)))
    li, ri = data.draw(pairs(6, 5))
    got = kernels.given_ranks(
        kernels.given_keys(a, ta, ka, ca, la, sa, marks),
        kernels.given_keys(b, tb, kb, cb, lb, sb, marks),
        li,
        ri,
    )
    want = [
        given_rank_reference(unpack(a, x), unpack(b, y), int(ta[x]), int(tb[y]), *flags)
        for x, y in zip(li, ri, strict=True)
        for flags in [(ka[x], kb[y], ca[x], cb[y], la[x], lb[y], short, sa[x], sb[y])]
    ]
    assert got.tolist() == want


def test_a_compound_given_name_by_a_short_key_is_read_by_its_spelling_listed_or_not() -> None:
    # Ali Reza (a's compound run together, "lr") and Alireza (b, key "lr"), both listed
    # classes: by a short key the spelling decides, not the listed classes' rule (apart);
    # by a key that is not short, one compound name (alike).
    a = np.full((1, 3 * WIDTH), -1, dtype=np.int32)
    b = a.copy()
    a[0, [0, 1, WIDTH, WIDTH + 1, 2 * WIDTH, 2 * WIDTH + 1]] = [0, 1, 2, 3, 2, 3]  # Ali Reza
    b[0, [0, WIDTH, 2 * WIDTH]] = [4, 5, 5]  # Alireza
    compound = np.array([5], dtype=np.int32)
    listed = np.ones(1, dtype=bool)
    rows = np.zeros(1, dtype=np.intp)
    for short, want in (
        (None, kernels.GIVEN_ALIKE),
        ([k == 5 for k in range(6)], kernels.GIVEN_SHORT_ALIKE),
    ):
        marks = None if short is None else np.array(short)
        keys_a = kernels.given_keys(
            a, np.array([0], np.int32), compound=compound, listed=listed, short=marks
        )
        keys_b = kernels.given_keys(b, np.array([1], np.int32), listed=listed, short=marks)
        assert kernels.given_ranks(keys_a, keys_b, rows, rows).tolist() == [want]
        assert (
            given_rank_reference(
                unpack(a, 0), unpack(b, 0), 0, 1, ca=5, short=short, listed_a=True, listed_b=True
            )
            == want
        )


DAY = st.one_of(st.just(MISSING), st.integers(-20_000, 20_000))


@settings(max_examples=100, deadline=None)
@given(st.data(), st.booleans())
def test_clear_both_equals_reference(data: st.DataObject, strided: bool) -> None:
    # A pair whose records are both flagged reads as missing; every other keeps its level.
    # A column of a level matrix (what a comparison's adjust is given) as well.
    a = np.array(data.draw(st.lists(st.booleans(), min_size=4, max_size=4)))
    b = np.array(data.draw(st.lists(st.booleans(), min_size=5, max_size=5)))
    li, ri = data.draw(pairs(4, 5))
    levels = data.draw(st.lists(st.integers(0, 8), min_size=len(li), max_size=len(li)))
    matrix = np.zeros((len(li), 3), dtype=np.int8)
    matrix[:, 1] = levels
    got = matrix[:, 1] if strided else matrix[:, 1].copy()
    kernels.clear_both(got, a, b, li, ri)
    want = [0 if a[x] and b[y] else level for level, x, y in zip(levels, li, ri, strict=True)]
    assert got.tolist() == want
    if strided:
        assert matrix[:, 1].tolist() == want and not matrix[:, [0, 2]].any()


@settings(max_examples=200, deadline=None)
@given(st.data(), st.booleans(), st.booleans())
def test_flagged_pairs_equal_reference(data: st.DataObject, leveled: bool, keyed: bool) -> None:
    # The pairs whose records' flags hold every bit of `both` on both sides, some bit of
    # `either` on either, each bit of `alone` on one side only, whose level lies strictly
    # between `above` and `below` (a strided column, as an adjustment is given it), and
    # whose records' keys agree (both known).
    flags = st.integers(0, 7)
    a = np.array(data.draw(st.lists(flags, min_size=4, max_size=4)), dtype=np.uint8)
    b = np.array(data.draw(st.lists(flags, min_size=5, max_size=5)), dtype=np.uint8)
    key_a = np.array(data.draw(st.lists(st.integers(-1, 2), min_size=4, max_size=4)), np.int32)
    key_b = np.array(data.draw(st.lists(st.integers(-1, 2), min_size=5, max_size=5)), np.int32)
    li, ri = data.draw(pairs(4, 5))
    both, either, alone = (data.draw(flags) for _ in range(3))
    above, below = data.draw(st.integers(-1, 8)), data.draw(st.integers(0, 9))
    matrix = np.zeros((len(li), 2), dtype=np.int8)
    matrix[:, 1] = data.draw(st.lists(st.integers(0, 8), min_size=len(li), max_size=len(li)))
    got = kernels.flagged_pairs(
        li, ri, a, b, both=both, either=either, alone=alone,
        levels=matrix[:, 1] if leveled else None, above=above, below=below,
        keys=(key_a, key_b) if keyed else None,
    )  # fmt: skip
    want = [
        k
        for k, (x, y) in enumerate(zip(li, ri, strict=True))
        if a[x] & b[y] & both == both
        and (not either or (a[x] | b[y]) & either)
        and (a[x] ^ b[y]) & alone == alone
        and (not leveled or above < matrix[k, 1] < below)
        and (not keyed or (key_a[x] >= 0 and key_a[x] == key_b[y]))
    ]
    assert got.tolist() == want


@settings(max_examples=200, deadline=None)
@given(st.data())
def test_cross_alike_equals_reference(data: st.DataObject) -> None:
    # A pair below the level rises to it where part 0 of either side's chain sounds like
    # part 1 of the other side's own name. Chains are rows of a table of distinct chains.
    fa, own_a = data.draw(chains(3)), data.draw(chains(4))
    fb, own_b = data.draw(chains(2)), data.draw(chains(5))
    ca = np.array(data.draw(st.lists(st.integers(0, 2), min_size=4, max_size=4)), np.int32)
    cb = np.array(data.draw(st.lists(st.integers(0, 1), min_size=5, max_size=5)), np.int32)
    li, ri = data.draw(pairs(4, 5))
    levels = np.array(data.draw(st.lists(st.integers(0, 8), min_size=len(li), max_size=len(li))))
    got = levels.astype(np.int8)
    a, b = kernels.cross_keys(fa, ca, own_a), kernels.cross_keys(fb, cb, own_b)
    kernels.cross_alike(got, 5, a, b, li, ri)
    want = [
        5
        if level < 5
        and (
            alike(unpack(fa, int(ca[x])), 0, unpack(own_b, y), 1)
            or alike(unpack(fb, int(cb[y])), 0, unpack(own_a, x), 1)
        )
        else level
        for level, x, y in zip(levels.tolist(), li, ri, strict=True)
    ]
    assert got.tolist() == want


@st.composite
def intervals(draw: st.DrawFn, n: int, stated: bool = False) -> BirthIntervals:
    """``n`` intervals; with ``stated``, each may state a range narrower than it is, as an
    age counted by the years does (a latest birth up to a year before its hi)."""
    lo, hi, exact, stated_hi = [], [], [], []
    for _ in range(n):
        # days of two years too, so that two dates of one year, a slip apart, are drawn
        start = draw(st.one_of(DAY, st.integers(14_610, 15_339)))  # 2010 and 2011
        # a day of another calendar spans up to DAY_SPAN more (a lunar Hijri day's five)
        span = st.integers(0, DAY_SPAN)
        width = draw(st.one_of(st.sampled_from([0, 0, 180, 365, 3 * 365, 8 * 365]), span))
        lo.append(start)
        hi.append(start if start == MISSING else start + width)
        exact.append(start != MISSING and width <= DAY_SPAN and draw(st.booleans()))
        slack = draw(st.sampled_from([0, 200, 364])) if stated and start != MISSING else 0
        stated_hi.append(hi[-1] - min(slack, width))
    return BirthIntervals(
        np.array(lo, np.int32),
        np.array(hi, np.int32),
        np.array(exact),
        np.array(stated_hi, np.int32) if stated else None,
    )


@settings(max_examples=300, deadline=None)
@given(st.data())
def test_interval_levels_equal_reference(data: st.DataObject) -> None:
    a = data.draw(intervals(5, stated=data.draw(st.booleans())))
    b = data.draw(intervals(5, stated=data.draw(st.booleans())))
    li, ri = data.draw(pairs(5, 5))
    generation = data.draw(st.booleans())
    got = interval_levels(a, b, li, ri, generation=generation)
    sh_a, sh_b = (x.hi if x.stated_hi is None else x.stated_hi for x in (a, b))
    want = [
        interval_reference(
            int(a.lo[x]),
            int(a.hi[x]),
            bool(a.exact[x]),
            int(b.lo[y]),
            int(b.hi[y]),
            bool(b.exact[y]),
            generation,
            (int(sh_a[x]), int(sh_b[y])),
        )
        for x, y in zip(li, ri, strict=True)
    ]
    assert got.tolist() == want


@settings(max_examples=100, deadline=None)
@given(st.lists(st.text(alphabet="abcdehimnorsu", min_size=1, max_size=9), min_size=2, max_size=12),
       st.floats(0.5, 0.99))  # fmt: skip
def test_may_reach_never_drops_a_pair_that_reaches(words: list[str], cutoff: float) -> None:
    from rapidfuzz.distance import JaroWinkler

    from rfl_match.prepare import Vocabulary

    vocab = Vocabulary(sorted(set(words)))
    bags, lengths = vocab.letter_bags()
    n = len(vocab)
    qa, qb = np.divmod(np.arange(n * n), n)
    reach = kernels.may_reach(bags, lengths, vocab.heads(), qa, qb, cutoff)
    as_int32 = kernels.may_reach(
        bags, lengths, vocab.heads(), qa.astype(np.int32), qb.astype(np.int32), cutoff
    )
    assert as_int32.tolist() == reach.tolist()  # codes read in place as int32
    for x, y, ok in zip(qa, qb, reach, strict=True):
        if JaroWinkler.normalized_similarity(vocab[x], vocab[y]) >= cutoff:
            assert ok, (vocab[x], vocab[y])


def test_may_reach_keeps_words_longer_than_the_letter_counts_hold() -> None:
    """Letter counts stop at 255, so they bound nothing for longer words: such pairs may
    always reach (here Jaro–Winkler 0.9987, two words of 300 Cyrillic letters)."""
    from rapidfuzz.distance import JaroWinkler

    from rfl_match.prepare import Vocabulary

    vocab = Vocabulary(["ж" * 300, "ж" * 299 + "ю", "x" * 256, "x" * 255 + "y"])
    bags, lengths = vocab.letter_bags()
    qa, qb = np.array([0, 2]), np.array([1, 3])
    assert JaroWinkler.normalized_similarity(vocab[0], vocab[1]) > 0.99
    assert kernels.may_reach(bags, lengths, vocab.heads(), qa, qb, 0.95).tolist() == [True, True]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.integers(0, 9), min_size=0, max_size=40),
    st.lists(st.integers(0, 9), min_size=0, max_size=40),
)
def test_distinct_pairs_numbers_pairs_in_order_of_first_sight(a: list[int], b: list[int]) -> None:
    n = min(len(a), len(b))
    pairs = list(zip(a[:n], b[:n], strict=True))
    found = kernels.distinct_pairs(np.array(a[:n], np.int32), np.array(b[:n], np.int32), 10)
    assert found is not None
    inverse, first = found
    numbers: dict[tuple[int, int], int] = {}
    for pair in pairs:
        numbers.setdefault(pair, len(numbers))
    assert inverse.tolist() == [numbers[p] for p in pairs]
    assert [pairs[k] for k in first] == list(numbers)


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(0, 3), st.booleans())
def test_mark_code_pairs_equals_reference(data: st.DataObject, tables: int, some: bool) -> None:
    # The distinct pairs of codes of each pair of code arrays (of every pair, or for one
    # pair of arrays of the pairs at a pending level): their cells in the table 0 and
    # every other -1, and each one's first pair; read back, each pair's cell.
    draw = data.draw
    na, nb = draw(st.integers(1, 8)), draw(st.integers(1, 8))
    side = st.lists(st.integers(-1, 5), min_size=na, max_size=na)
    codes = [(draw(side), draw(st.lists(st.integers(-1, 5), min_size=nb, max_size=nb)))]
    codes += [(draw(side), codes[0][1][::-1]) for _ in range(tables)]
    n = draw(st.integers(0, 40))
    li = draw(st.lists(st.integers(0, na - 1), min_size=n, max_size=n))
    ri = draw(st.lists(st.integers(0, nb - 1), min_size=n, max_size=n))
    levels = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    pending = draw(st.lists(st.booleans(), min_size=5, max_size=5)) if some else [True] * 5
    arrays = [(np.array(a, np.int32), np.array(b, np.int32)) for a, b in codes]
    x, y = np.array(li, np.intp), np.array(ri, np.intp)
    if some:
        got = kernels.pending_code_pairs(
            np.array(levels, np.int8), np.array(pending), *arrays[0], x, y
        )
        assert got is not None
        found = [got]
    else:
        found = kernels.mark_code_pairs(arrays, x, y)
    for (a, b), (ca, cb), (table, first) in zip(codes, arrays, found, strict=False):
        firsts: dict[tuple[int, int], int] = {}
        for k in range(n):
            if pending[levels[k]]:
                firsts.setdefault((a[li[k]], b[ri[k]]), k)
        assert first.tolist() == list(firsts.values())
        width = max(b) + 2
        cells = [(i - 1, j - 1) for i in range(max(a) + 2) for j in range(width)]
        assert table.tolist() == [0 if cell in firsts else -1 for cell in cells]
        # Filled by the first pairs: each distinct pair's value in its cell.
        kernels.fill_code_pairs(table, ca, cb, x, y, first, np.arange(len(first)) + 1)
        filled = {cell: number + 1 for number, cell in enumerate(firsts)}
        assert table.tolist() == [filled.get(cell, -1) for cell in cells]
    # Each cell numbered, read back: each pair's cell in its column.
    numbered = [np.arange(len(t), dtype=np.int64).astype(np.int8) for t, _ in found]
    out = np.full((n, len(found) + 1), -1, dtype=np.int8)
    kernels.read_code_pairs(arrays[: len(found)], numbered, x, y, out, range(1, len(found) + 1))
    assert (out[:, 0] == -1).all()
    for t, (a, b) in enumerate(codes[: len(found)]):
        width = max(b) + 2
        want = [np.int8((a[i] + 1) * width + b[j] + 1) for i, j in zip(li, ri, strict=True)]
        assert out[:, t + 1].tolist() == want


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_regrade_equals_reference(data: st.DataObject) -> None:
    # Each pair at a pending level takes table[level, grade], its grade read from a table
    # of every pair of its records' codes; the others keep theirs.
    draw = data.draw
    a = draw(st.lists(st.integers(-1, 5), min_size=1, max_size=8))
    b = draw(st.lists(st.integers(-1, 5), min_size=1, max_size=8))
    n = draw(st.integers(0, 40))
    li = draw(st.lists(st.integers(0, len(a) - 1), min_size=n, max_size=n))
    ri = draw(st.lists(st.integers(0, len(b) - 1), min_size=n, max_size=n))
    levels = draw(st.lists(st.integers(0, 4), min_size=n, max_size=n))
    pending = draw(st.lists(st.booleans(), min_size=5, max_size=5))
    width = max(b) + 2
    grades = draw(st.lists(st.integers(0, 2), min_size=(max(a) + 2) * width, max_size=200))
    table = np.array(draw(st.lists(st.integers(0, 9), min_size=15, max_size=15)), np.int8)
    table = table.reshape(5, 3)
    got = np.array(levels, np.int8)
    kernels.regrade(
        got, np.array(pending), (np.array(a, np.int32), np.array(b, np.int32)),
        np.array(li, np.intp), np.array(ri, np.intp), np.array(grades, np.int8), table,
        workers=2,
    )  # fmt: skip
    want = [
        int(table[level, grades[(a[x] + 1) * width + b[y] + 1]]) if pending[level] else level
        for level, x, y in zip(levels, li, ri, strict=True)
    ]
    assert got.tolist() == want


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_agreements_equal_numpy(data: st.DataObject) -> None:
    # The pairs at an agreeing pattern whose records hold the same value, as the numpy
    # it replaced found them.
    draw = data.draw
    a = np.array(draw(st.lists(st.integers(-1, 4), min_size=1, max_size=8)), np.int32)
    b = np.array(draw(st.lists(st.integers(-1, 4), min_size=1, max_size=8)), np.int32)
    at_level = np.array(draw(st.lists(st.booleans(), min_size=1, max_size=5)))
    n = draw(st.integers(0, 40))
    li = np.array(draw(st.lists(st.integers(0, len(a) - 1), min_size=n, max_size=n)), np.intp)
    ri = np.array(draw(st.lists(st.integers(0, len(b) - 1), min_size=n, max_size=n)), np.intp)
    index = draw(st.lists(st.integers(0, len(at_level) - 1), min_size=n, max_size=n))
    index = np.array(index, np.int32)
    rows, values = kernels.agreements(at_level, index, a, b, li, ri)
    agreed = np.where(a[li] == b[ri], a[li], -1)
    want = np.flatnonzero(at_level[index] & (agreed >= 0))
    assert rows.tolist() == want.tolist()
    assert values.tolist() == agreed[want].tolist()


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 6)), max_size=8),
    st.booleans(),
    st.sampled_from([1, 3, 10, 1 << 22]),
    st.sampled_from([1, 2]),
    st.integers(0, 2**32),
    st.sampled_from([(9, 7), (9, 8), (9, 9), (9, 20), (40, 200_000)]),
    st.sampled_from([0, 300]),
)
def test_record_pairs_equal_reference(
    blocks: list[tuple[int, int]],
    dedupe: bool,
    batch: int,
    workers: int,
    seed: int,
    sizes: tuple[int, int],
    hub: int,
) -> None:
    """Blocks of a few rows a side (a pair met by several blocks), made in batches of
    records: each pair of every block once over all batches (in dedupe mode left < right
    only); a batch distinct and grouped by left record, records ascending; its count
    the blocks' pairs it stands for, repeats counted. Of 9 left and 7 to 20 right rows
    (a record's marks, a bit per right row, in one byte or several) or of 200,000 right
    rows (marks of many lines), with or without one left record in ``hub`` more blocks
    of its own."""
    n_left, n_right = sizes
    if dedupe:
        n_right = n_left
    rng = np.random.default_rng(seed)
    blocks = blocks + [(1, 6)] * hub
    lrows: list[int] = []
    rrows: list[int] = []
    ls, lc, rs, rc = [], [], [], []
    met = 0
    want = set()
    for b, (nl, nr) in enumerate(blocks):
        drawn = rng.choice(n_left, nl, replace=False).tolist()
        left = [0] if b >= len(blocks) - hub else sorted(drawn)
        right = sorted(rng.choice(n_right, nr, replace=False).tolist())
        ls.append(len(lrows))
        lc.append(nl)
        rs.append(len(rrows))
        rc.append(nr)
        lrows += left
        rrows += right
        made = [x * n_right + y for x in left for y in right if not dedupe or x < y]
        met += len(made)
        want |= set(made)
    batches = [  # copied: a batch's buffer holds the next
        (made.copy(), count)
        for made, count in kernels.record_pairs(
            np.array(lrows, np.int64),
            np.array(rrows, np.int64),
            tuple(np.array(v, np.int64) for v in (ls, lc, rs, rc)),
            n_left,
            n_right,
            batch=batch,
            dedupe=dedupe,
            workers=workers,
        )
    ]
    ids = np.concatenate([np.zeros(0, np.int64), *(made for made, _ in batches)])
    assert sorted(ids.tolist()) == sorted(want)  # each pair once
    assert np.all(np.diff(ids // n_right) >= 0)  # grouped by left record, ascending
    assert sum(count for _, count in batches) == met
    assert all(len(made) for made, _ in batches)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**62), max_size=40),
    st.integers(0, 200_000),
    st.sampled_from([1, 2]),
    st.integers(0, 2**32),
    st.booleans(),
)
def test_sorted_distinct_is_the_sorted_set(
    pool: list[int], n: int, workers: int, seed: int, radix: bool
) -> None:
    """Pair ids of any width (a radix pass or several), drawn from a few values (many
    repeats) or many, with ``_NO_PAIR`` among them; in one part or two (long batches on
    two threads); sorted by numpy where they are few, or by the radix sort whatever their
    number (``radix``): the distinct ids, ascending."""
    rng = np.random.default_rng(seed)
    top = 1 << int(rng.integers(0, 63))
    values = rng.integers(0, top, n, dtype=np.int64)
    if pool:
        few = np.array(pool, dtype=np.int64)
        repeat = rng.random(n) < 0.5
        values[repeat] = few[rng.integers(0, len(few), int(repeat.sum()))]
    values[rng.random(n) < 0.2] = kernels._NO_PAIR
    want = np.unique(values[values != kernels._NO_PAIR])
    with mock.patch.object(kernels, "_SMALL_SORT", 0 if radix else kernels._SMALL_SORT):
        got = kernels.sorted_distinct(values.copy(), workers)
    assert got.tolist() == want.tolist()


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(st.integers(1, 3_000), st.integers(1, 8)), min_size=1, max_size=40),
    st.sampled_from([1, 2]),
    st.integers(0, 2**32),
)
def test_sorted_distinct_with_repeats_in_some_buckets(
    runs: list[tuple[int, int]], workers: int, seed: int
) -> None:
    """Ranges of values, each met ``times`` times (a bucket of many repeats, sorted after
    hashing them away, or of none, sorted as it is, one after another on a thread; ranges
    far apart or side by side, so that a bucket may outgrow a hashed one's bound): the
    distinct values, ascending."""
    rng = np.random.default_rng(seed)
    parts = []
    start = int(rng.integers(0, 1 << 40))
    for size, times in runs:
        distinct = start + np.sort(rng.choice(size * 4, size, replace=False))
        parts.append(np.repeat(distinct, times))
        start = int(distinct[-1]) + int(rng.integers(1, 1 << int(rng.choice([1, 30]))))
    values = np.concatenate(parts)
    rng.shuffle(values)
    want = np.unique(values)
    with mock.patch.object(kernels, "_SMALL_SORT", 0):  # the radix sort, however few
        got = kernels.sorted_distinct(values.copy(), workers)
    assert got.tolist() == want.tolist()


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5_000),
    st.integers(1, 3_000),
    st.integers(0, 60_000),
    st.sampled_from([1, 2]),
    st.integers(0, 2**32),
    st.booleans(),
)
def test_sorted_distinct_by_unit_groups_the_distinct_set(
    n_right: int, n_left: int, n: int, workers: int, seed: int, radix: bool
) -> None:
    """Pair ids ``left * n_right + right`` with many repeats and ``_NO_PAIR`` among them,
    grouped by ``unit`` (left record; a bucket of many groups or of part of one, right
    rows a byte's bits apart or not): the distinct ids, each once, grouped by left
    record, records ascending; the same set as sorting gives."""
    rng = np.random.default_rng(seed)
    left = rng.integers(0, n_left, n)
    right = rng.integers(0, n_right, n)
    values = left.astype(np.int64) * n_right + right
    values = np.concatenate([values, values[: int(rng.integers(0, n + 1))]])
    values[rng.random(len(values)) < 0.1] = kernels._NO_PAIR
    rng.shuffle(values)
    want = np.unique(values[values != kernels._NO_PAIR])
    with mock.patch.object(kernels, "_SMALL_SORT", 0 if radix else kernels._SMALL_SORT):
        got = kernels.sorted_distinct(values.copy(), workers, unit=n_right)
    assert len(got) == len(want)
    assert np.sort(got).tolist() == want.tolist()
    assert (np.diff(got // n_right) >= 0).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**40), max_size=300),
    st.integers(0, 20),
    st.integers(0, 30),
    st.integers(0, 5),
)
def test_lsd_orders_by_its_bits_keeping_ties_in_order(
    values: list[int], low: int, bits: int, margin: int
) -> None:
    """Values alike above bit ``low + bits`` (a bucket's): places ``first:end`` sorted by
    bits ``low`` to ``low + bits`` alone, ties in their order; the places around are
    not touched."""
    values = [v & ((1 << (low + bits)) - 1) | 3 << 50 for v in values]
    made = np.array([7] * margin + values + [9] * margin, dtype=np.int64)
    other = made.copy()
    counts = np.empty((4, 1 << kernels._RADIX_BITS), dtype=np.int64)
    held = kernels._lsd(made, other, margin, margin + len(values), low, bits, counts)
    mask = (1 << bits) - 1
    assert held[margin : margin + len(values)].tolist() == sorted(
        values, key=lambda v: (v >> low) & mask
    )
    for array in (made, other):
        assert array[:margin].tolist() == [7] * margin
        assert array[margin + len(values) :].tolist() == [9] * margin


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 2**20 - 1), max_size=300),
    st.integers(1, 3),
    st.integers(0, 12),
    st.booleans(),
)
def test_by_top_digit_buckets_are_the_values_of_each_digit(
    values: list[int], parts: int, shift: int, left_out: bool
) -> None:
    """Each bucket holds the values (``_NO_PAIR`` dropped) of its top digit, segment by
    segment in their order; the runs of buckets cover them all, in order."""
    made = np.array(values + [kernels._NO_PAIR] * left_out, dtype=np.int64)
    segments = kernels._segments(len(made), parts)
    counts = np.zeros((parts, (2**20 >> shift) + 1), dtype=np.int64)
    kernels._digit_counts(made, segments, shift, counts)
    parted, starts, cuts = kernels._by_top_digit(made, segments, counts, shift, parts)
    assert starts[0] == 0 and starts[-1] == len(values) == len(parted)
    # Bucket d is parted[starts[d] : starts[d + 1]] and holds the values of digit d in
    # their order: the buckets' sizes are the digits' counts, and their values read in
    # turn are the values sorted stably by digit (each bucket checked at once: 2**20
    # buckets at shift 0).
    digits = [v >> shift for v in values]
    assert np.diff(starts).tolist() == np.bincount(digits, minlength=len(starts) - 1).tolist()
    assert parted.tolist() == sorted(values, key=lambda v: v >> shift)
    assert cuts.tolist() == sorted(cuts.tolist())
    assert cuts[0] == 0 and cuts[-1] == len(starts) - 1 and len(cuts) == parts + 1


@settings(max_examples=200, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=60), st.integers(1, 4), st.integers(1, 7))
def test_whole_parts_never_split_a_record(values: list[int], parts: int, unit: int) -> None:
    """Bounds of parts that cover the values in order, each run of ``value // unit`` in
    one part."""
    made = np.array(sorted(values), dtype=np.int64)
    cuts = kernels._whole_parts(made, parts, unit).tolist()
    assert len(cuts) == parts + 1 and cuts[0] == 0 and cuts[-1] == len(made)
    assert cuts == sorted(cuts)
    for cut in cuts[1:-1]:
        if 0 < cut < len(made):
            assert made[cut - 1] // unit != made[cut] // unit


_CODES = st.one_of(
    st.integers(0, 5),
    st.builds(lambda high, low: high * 2**31 + low, st.integers(0, 9), st.integers(0, 2**31 - 1)),
    st.integers(2**61, 2**62),  # too wide to pack with a row
    st.integers(-(2**40), -1),  # negative: not packed
)


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.tuples(_CODES, st.integers(0, 9)), max_size=80),
    st.booleans(),
    st.sampled_from([1, 2]),
)
def test_group_rows_equal_reference(
    entries: list[tuple[int, int]], repeat: bool, workers: int
) -> None:
    """(code, row) entries, repeated or not, of small codes, combined ones (``high *
    2**31 + low``), and codes that do not fit a packed sort (wide or negative): sorted
    by code, then row, each once; and each code's run in them."""
    entries = entries * 2 if repeat else entries
    codes = np.array([c for c, _ in entries], dtype=np.int64)
    rows = np.array([r for _, r in entries], dtype=np.int64)
    got_codes, got_rows, keys, starts, counts = kernels.group_rows(codes, rows, workers)
    want = sorted(set(entries))
    assert list(zip(got_codes.tolist(), got_rows.tolist(), strict=True)) == want
    distinct = sorted({c for c, _ in want})
    assert keys.tolist() == distinct
    assert [want[s][0] for s in starts.tolist()] == distinct
    assert counts.tolist() == [sum(c == k for c, _ in want) for k in distinct]


def test_threads_follow_workers() -> None:
    a = np.full((3, 3 * WIDTH), -1, dtype=np.int32)
    a[:, 0] = [0, 1, 2]
    li = np.array([0, 1, 2], np.intp)
    for workers in (1, 2, -1):
        got = kernels.chain_ranks(a, a, li, li, workers=workers)
        assert got.tolist() == [kernels.SAME] * 3


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(2**62), 2**62), max_size=50),
    st.lists(st.integers(-(2**62), 2**62), max_size=50),
)
def test_merge_unique_is_the_sorted_union(a: list[int], b: list[int]) -> None:
    left = np.unique(np.array(a, dtype=np.int64))
    right = np.unique(np.array(b, dtype=np.int64))
    got = kernels.merge_unique(left, right)
    assert got.dtype == np.int64
    assert got.tolist() == np.union1d(left, right).tolist()


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.integers(-(2**62), 2**62), max_size=40), max_size=9))
def test_union_all_is_the_sorted_union_of_all_runs(lists: list[list[int]]) -> None:
    runs = [np.unique(np.array(values, dtype=np.int64)) for values in lists]
    # A run that is a slice of a larger array comes back as an array of its own.
    runs = [np.r_[run, 0][: len(run)] if k % 2 else run for k, run in enumerate(runs)]
    expected = sorted({v for values in lists for v in values})
    given_runs = list(runs)
    got = kernels.union_all(given_runs)
    assert given_runs == []
    assert got.dtype == np.int64
    assert got.base is None
    assert got.tolist() == expected


# --- the candidate budget: a cheap score, and each record's best ---------------------


def affinity_reference(
    a: list[list[int]],
    b: list[list[int]],
    births: tuple[int, int, bool, int, int, bool],
    sexes: tuple[int, int],
) -> int:
    def parts(x: list[list[int]]) -> int:
        """A chain ends at its first empty slot."""
        return next((i for i, c in enumerate(x[0]) if c < 0), len(x[0]))

    def points(x: list[list[int]], y: list[list[int]]) -> int:
        total = 0
        for i in range(parts(x)):
            if x[0][i] in y[0][: parts(y)]:
                total += 6
            elif any(alike(x, i, y, j) for j in range(parts(y))):
                total += 3
        return total

    def calendar(day: int) -> tuple[int, int, int]:
        when = date.fromordinal(day + date(1970, 1, 1).toordinal())
        return when.year, when.month, when.day

    score = points(a, b) + points(b, a)
    lo_a, hi_a, ex_a, lo_b, hi_b, ex_b = births
    if MISSING not in (lo_a, lo_b):
        gap = max(lo_a - hi_b, lo_b - hi_a, 0)
        # an exact date's birthday: the middle of its days (a lunar Hijri day's five)
        (ya, *day_a), (yb, *day_b) = calendar((lo_a + hi_a) // 2), calendar((lo_b + hi_b) // 2)
        birthday = ex_a and ex_b and day_a == day_b
        days_a, days_b = set(range(lo_a, hi_a + 1)), set(range(lo_b, hi_b + 1))
        one_day = days_a == days_b or (
            min(len(days_a), len(days_b)) == 1 and (days_a <= days_b or days_b <= days_a)
        )
        if ex_a and ex_b and one_day:
            score += 26
        elif birthday and abs(ya - yb) <= 10:
            score += 16
        elif gap == 0:
            score += 10
        elif gap <= 365:
            score += 6
        elif gap <= 2 * 365:
            score += 2
        elif gap > 5 * 365:
            score -= 10
    if min(sexes) >= 0 and sexes[0] != sexes[1]:
        score -= 20
    return score


@st.composite
def birthdays(draw: st.DrawFn, n: int) -> BirthIntervals:
    """:func:`intervals`, with some exact dates on a few days and months over 15 years:
    the same birthday in years near and far apart (10 and 11 among them), and the same
    day in months that differ in each bit of the packed day and month."""
    births = draw(intervals(n))
    for k in range(n):
        if draw(st.booleans()):
            year, day = draw(st.integers(1980, 1995)), draw(st.sampled_from([2, 28]))
            when = date(year, draw(st.sampled_from([1, 1, 3, 8, 12])), day)
            births.lo[k] = births.hi[k] = when.toordinal() - date(1970, 1, 1).toordinal()
            births.exact[k] = draw(st.sampled_from([True, True, False]))
    return births


@settings(max_examples=300, deadline=None)
@given(st.data(), st.sampled_from([WIDTH, 1, 3, 5, 7, 8, 9]))
def test_affinity_equals_reference(data: st.DataObject, width: int) -> None:
    """At any width: 4 parts and 5 to 8 (the context budget's) are compared as vectors,
    the others by the part loop."""
    a, b = data.draw(chains(5, width, gaps=True)), data.draw(chains(4, width, gaps=True))
    ba, bb = data.draw(birthdays(5)), data.draw(birthdays(4))
    sa = np.array(data.draw(st.lists(st.integers(-1, 1), min_size=5, max_size=5)), np.int32)
    sb = np.array(data.draw(st.lists(st.integers(-1, 1), min_size=4, max_size=4)), np.int32)
    li, ri = data.draw(pairs(5, 4))
    ids = np.unique(li.astype(np.int64) * 4 + ri)
    got = kernels.affinity(
        kernels.affinity_rows((a, ba.lo, ba.hi, ba.exact, sa)),
        kernels.affinity_rows((b, bb.lo, bb.hi, bb.exact, sb)),
        ids, 4, missing=MISSING, year=365,
    )  # fmt: skip
    want = []
    for pair in ids.tolist():
        x, y = divmod(pair, 4)
        births = (int(ba.lo[x]), int(ba.hi[x]), bool(ba.exact[x]))
        births += (int(bb.lo[y]), int(bb.hi[y]), bool(bb.exact[y]))
        want.append(
            affinity_reference(unpack(a, x, width), unpack(b, y, width), births, (sa[x], sb[y]))
        )
    assert got.tolist() == want


def test_affinity_scores_a_kept_birthday_years_apart_above_a_year_near() -> None:
    """A birthday remembered and the year misstated (exact dates, same day and month)
    outranks a namesake born a year off, up to ten calendar years apart (a decade typo,
    1985 / 1995); a date that is not exact, eleven years apart, or of the same day in
    another month (12 January, 12 September: the packed day and month's top bit) does
    not."""

    def day(year: int, month: int, dom: int) -> int:
        return date(year, month, dom).toordinal() - date(1970, 1, 1).toordinal()

    pairs = [
        (day(1985, 3, 12), day(1988, 3, 12)),
        (day(1985, 3, 12), day(1986, 7, 2)),
        (day(1985, 3, 12), day(1994, 3, 12)),
        (day(1985, 3, 12), day(1995, 3, 12)),
        (day(1985, 3, 12), day(1996, 3, 12)),
        (day(1985, 1, 12), day(1988, 9, 12)),
        (day(1980, 12, 31), day(1983, 12, 31)),
    ]
    left, right = (np.array(side, np.int32) for side in zip(*pairs, strict=True))
    n = len(pairs)
    names = np.full((n, 3 * WIDTH), -1, np.int32)

    def score(exact_left: bool) -> list[int]:
        a = kernels.affinity_rows(
            (names, left, left, np.full(n, exact_left), np.zeros(n, np.int32))
        )
        b = kernels.affinity_rows((names, right, right, np.ones(n, bool), np.zeros(n, np.int32)))
        ids = np.arange(n, dtype=np.int64) * n + np.arange(n)
        return kernels.affinity(a, b, ids, n, missing=MISSING, year=365).tolist()

    assert score(True) == [16, 2, 16, 16, -10, 0, 16]
    assert score(False) == [0, 2, -10, -10, -10, 0, 0]


def top_reference(
    ids: list[int],
    n_right: int,
    offset: int,
    score: list[int],
    rank: list[int],
    k: int,
    within: int | None = None,
) -> list[bool]:
    """Per pair: among the k best of either record (by score, ties to the other's
    rank), and, with ``within``, at most that many points below that record's best."""
    incident: dict[int, list[tuple[int, int, int]]] = {}
    for p, pair in enumerate(ids):
        x, y = divmod(pair, n_right)
        y += offset
        incident.setdefault(x, []).append((-score[p], rank[y], p))
        incident.setdefault(y, []).append((-score[p], rank[x], p))
    keep = [False] * len(ids)
    for pairs_of_node in incident.values():
        chosen = sorted(pairs_of_node)[:k]
        for s, _r, p in chosen:
            if within is None or -s >= -chosen[0][0] - within:
                keep[p] = True
    return keep


def best_rows(data: st.DataObject, n: int, width: int = WIDTH) -> np.ndarray:
    """Random records for the budget's score: few codes and births, so many ties; four
    context values each, most of them alike (few values, 0 none, 255 the top byte's)."""
    births = data.draw(intervals(n))
    sex = np.array(data.draw(st.lists(st.integers(-1, 1), min_size=n, max_size=n)), np.int32)
    parts = data.draw(chains(n, width))
    values = st.lists(st.sampled_from([0, 1, 2, 255]), min_size=4, max_size=4)
    context = [sum(v << (8 * f) for f, v in enumerate(data.draw(values))) for _ in range(n)]
    return kernels.affinity_rows(
        (parts, births.lo, births.hi, births.exact, sex),
        np.array(context, dtype=np.uint32).view(np.int32),
    )


def context_alike(a: np.ndarray, b: np.ndarray, ids: list[int], n_right: int) -> list[int]:
    """Per pair, the context values (the rows' last column, a byte each) both hold alike."""
    out = []
    for pair in ids:
        x, y = divmod(pair, n_right)
        ca, cb = int(a[x, -1]) & 0xFFFFFFFF, int(b[y, -1]) & 0xFFFFFFFF
        bytes_a = [(ca >> (8 * f)) & 0xFF for f in range(4)]
        bytes_b = [(cb >> (8 * f)) & 0xFF for f in range(4)]
        out.append(sum(u != 0 and u == v for u, v in zip(bytes_a, bytes_b, strict=True)))
    return out


@settings(max_examples=200, deadline=None)
@given(
    st.data(),
    st.booleans(),
    st.sampled_from([1, 2, 3, 4, 6, 10**6]),
    st.sampled_from([1, 2]),
    st.sampled_from([0, 1, 2]),
    st.sampled_from([None, 0, 3, 16]),
    st.booleans(),
)
def test_best_pairs_equal_reference(
    data: st.DataObject,
    dedupe: bool,
    k: int,
    workers: int,
    second: int,
    within: int | None,
    cut_early: bool,
) -> None:
    """Pairs offered in batches, repeated, in any order, with pairs left out
    (``_NO_PAIR``) among them, or as a join makes them (grouped: distinct in a batch, by
    left record, in no order within one; repeated across batches): kept are the pairs
    among the k best of either record over the distinct pairs offered (ties to the other
    record's rank), and with ``within``, of a record's only those at most that many
    points below its best, whether the pairs past the cut are dropped as they come
    (``cut_early``) or at the end. A budget above the other side's records keeps them
    all, and holds no more than that. The second choice is the same by the score plus the context
    values alike, all of them, and leaves the best as they are."""
    n = 6
    if dedupe:  # one list: pairs i < j, a record is one node whichever side it is on
        index = st.tuples(st.integers(0, n - 2), st.integers(1, n - 1)).filter(
            lambda p: p[0] < p[1]
        )
    else:
        index = st.tuples(st.integers(0, n - 1), st.integers(0, n - 1))
    found = data.draw(st.lists(index, min_size=1, max_size=40))
    offered = [x * n + y for x, y in found]
    width = data.draw(st.sampled_from([WIDTH, 8]))  # 8: rows as wide as the context budget's
    a = best_rows(data, n, width)
    b = a if dedupe else best_rows(data, n, width)
    nodes = n if dedupe else 2 * n
    rank = np.array(data.draw(st.permutations(range(nodes))), dtype=np.int64)
    offset = 0 if dedupe else n
    best = kernels.BestPairs(
        a, b, rank, k, n_right=n, right_offset=offset, missing=MISSING, year=365,
        second=second, within=within, cut_early=cut_early,
    )  # fmt: skip
    cuts = sorted(data.draw(st.lists(st.integers(0, len(offered)), max_size=3)))
    # A join's batches (grouped): distinct, grouped by left record, in any order within one.
    grouped = data.draw(st.booleans())
    met = 0
    for start, end in zip([0, *cuts], [*cuts, len(offered)], strict=True):
        if grouped:
            part = list(dict.fromkeys(offered[start:end]))
            batch = np.array(sorted(part, key=lambda pair: pair // n), dtype=np.int64)
        else:
            batch = np.array([*offered[start:end], kernels._NO_PAIR], dtype=np.int64)
        met += best.offer(batch, workers=workers, grouped=grouped)
        if grouped:
            assert batch.tolist() == sorted(part, key=lambda pair: pair // n)  # unchanged
    if not grouped:
        assert met == len(offered)
    assert best.best.shape[1] == min(k, n)
    ids = np.unique(np.array(offered, dtype=np.int64))
    score = kernels.affinity(a, b, ids, n, missing=MISSING, year=365).tolist()
    keep = top_reference(ids.tolist(), n, offset, score, rank.tolist(), k, within)
    ranges = data.draw(st.integers(0, 4))  # 0: one a thread
    kept = best.ids(workers=workers, ranges=ranges)
    assert kept.tolist() == ids[np.array(keep, dtype=bool)].tolist()
    alike = context_alike(a, b, ids.tolist(), n)
    raised = [s + kernels._CONTEXT_SAME * c for s, c in zip(score, alike, strict=True)]
    keep = top_reference(ids.tolist(), n, offset, raised, rank.tolist(), second)
    want = ids[np.array(keep, dtype=bool)].tolist() if second else []
    assert best.ids(workers=workers, ranges=ranges, second=True).tolist() == want


@pytest.mark.parametrize("n_right", [511, 512, 513, 1100])
@pytest.mark.parametrize("dedupe", [False, True])
@pytest.mark.parametrize("wide", [False, True])
@pytest.mark.parametrize("within", [None, 0, 4])
def test_best_pairs_on_two_threads(
    n_right: int, dedupe: bool, wide: bool, within: int | None
) -> None:
    # Records in parts per thread (ties, rows near a part's edge); many ties; repeats; ranks
    # from 2**22 on need keys of 64 bits; a cut below a record's best, made as pairs come
    # (a pair dropped at its left record and not kept by its right one).
    rng = np.random.default_rng(n_right)
    n_left = n_right if dedupe else 300
    x = rng.integers(0, n_left, 6_000)
    y = rng.integers(0, n_right, 6_000)
    if dedupe:
        x, y = np.minimum(x, y), np.maximum(x, y)
        keep = x < y
        x, y = x[keep], y[keep]
    offered = x.astype(np.int64) * n_right + y

    def rows(n: int) -> np.ndarray:
        parts = np.full((n, 3 * WIDTH), -1, dtype=np.int32)
        parts[:, :2] = rng.integers(0, 4, (n, 2))
        parts[:, WIDTH] = rng.integers(-1, 3, n)
        lo = np.where(rng.random(n) < 0.3, MISSING, rng.integers(0, 3_000, n)).astype(np.int32)
        hi = np.where(lo == MISSING, MISSING, lo + 365).astype(np.int32)
        sex = rng.integers(-1, 2, n).astype(np.int32)
        context = (rng.integers(0, 3, (n, 4)) << np.arange(0, 32, 8)).sum(axis=1)
        return kernels.affinity_rows(
            (parts, lo, hi, np.zeros(n, np.bool_), sex), context.astype(np.uint32).view(np.int32)
        )

    a = rows(n_left)
    b = a if dedupe else rows(n_right)
    nodes = n_right if dedupe else n_left + n_right
    rank = rng.permutation(nodes).astype(np.int64) * ((1 << 22) // nodes + 1 if wide else 1)
    offset = 0 if dedupe else n_left
    # Wide keys with a second choice: its context counts sit above the widest key.
    second = 2 if wide else 0
    best = kernels.BestPairs(
        a, b, rank, 3, n_right=n_right, right_offset=offset, missing=MISSING, year=365,
        second=second, within=within, cut_early=within is not None,
    )  # fmt: skip
    for batch in np.array_split(offered, 4):
        best.offer(batch, workers=2)
    assert best.best.dtype == (np.int64 if wide else np.int32)
    ids = np.unique(offered)
    score = kernels.affinity(a, b, ids, n_right, missing=MISSING, year=365).tolist()
    keep = top_reference(ids.tolist(), n_right, offset, score, rank.tolist(), 3, within)
    want = ids[np.array(keep, dtype=bool)].tolist()
    assert best.ids().tolist() == want
    assert best.ids(workers=2).tolist() == want
    # More ranges of records than threads (a one-core runner still reads three ranges).
    assert best.ids(ranges=3).tolist() == best.ids(workers=2, ranges=5).tolist() == want
    alike = context_alike(a, b, ids.tolist(), n_right)
    raised = [s + kernels._CONTEXT_SAME * c for s, c in zip(score, alike, strict=True)]
    keep = top_reference(ids.tolist(), n_right, offset, raised, rank.tolist(), second)
    want = ids[np.array(keep, dtype=bool)].tolist() if second else []
    assert best.ids(second=True, workers=2).tolist() == want


@settings(max_examples=100, deadline=None)
@given(st.data(), st.integers(1, 2), st.integers(2, 3))
def test_best_pairs_of_partitions_keep_what_one_budget_keeps(
    data: st.DataObject, k: int, parts: int
) -> None:
    """The left records split among budgets whose ranks share one numbering
    (``rank_bits``), each right record's rows of them all merged (``right_rows``,
    ``merge_rows``) and given back to each (``set_right_rows``): together they keep what
    one budget over all the left records keeps. Records hold more pairs than ``k``, so that
    a right record's best among one part's left records is not always among all."""
    n = 8
    found = data.draw(
        st.lists(st.tuples(st.integers(0, n - 1), st.integers(0, n - 1)), min_size=24, max_size=64)
    )
    offered = np.unique(np.array([x * n + y for x, y in found], dtype=np.int64))
    a, b = best_rows(data, n), best_rows(data, n)
    rank = np.array(data.draw(st.permutations(range(2 * n))), dtype=np.int64)
    bits = int(rank.max()).bit_length()

    def budget(lefts: np.ndarray) -> kernels.BestPairs:
        return kernels.BestPairs(
            a[lefts], b, np.concatenate([rank[lefts], rank[n:]]), k, n_right=n,
            right_offset=len(lefts), missing=MISSING, year=365, rank_bits=bits, most=n,
        )  # fmt: skip

    whole = budget(np.arange(n))
    whole.offer(offered.copy())
    side = np.array(data.draw(st.permutations([i % parts for i in range(n)])))  # none empty
    shares = [np.flatnonzero(side == p) for p in range(parts)]
    budgets = []
    for lefts in shares:
        one = budget(lefts)
        x, y = np.divmod(offered, n)
        mine = np.isin(x, lefts)
        local = np.searchsorted(lefts, x[mine]) * n + y[mine]
        one.offer(local)
        budgets.append(one)
    merged = kernels.merge_rows([one.right_rows()[0] for one in budgets])
    kept = []
    for lefts, one in zip(shares, budgets, strict=True):
        one.set_right_rows(merged, np.zeros((0, 1), dtype=merged.dtype))
        x, y = np.divmod(one.ids(), n)
        kept.extend((lefts[x] * n + y).tolist())
    assert sorted(kept) == whole.ids().tolist()


def test_best_pairs_cut_early_keep_no_pairs_past_the_cut() -> None:
    rows = kernels.affinity_rows(
        (np.full((4, 3 * WIDTH), -1, np.int32), *(np.zeros(4, np.int32),) * 4)
    )
    rank = np.arange(8, dtype=np.int64)
    best = kernels.BestPairs(
        rows, rows, rank, 3, n_right=4, right_offset=4, missing=0, year=1, within=3,
        cut_early=True,
    )  # fmt: skip
    best.offer(np.arange(16, dtype=np.int64))
    assert len(best.ids()) == 15  # all score alike: (3, 3) is neither record's best 3
    with pytest.raises(ValueError, match="cut_early"):
        best.ids(cut=False)


def test_best_pairs_refuse_keys_too_wide_for_a_right_record_and_its_key() -> None:
    rows = kernels.affinity_rows(
        (np.full((16, 3 * WIDTH), -1, np.int32), *(np.zeros(16, np.int32),) * 4)
    )
    rank = np.arange(32, dtype=np.int64) << 50  # keys of 60 bits
    with pytest.raises(ValueError, match="too many"):
        kernels.BestPairs(rows, rows, rank, 3, n_right=16, right_offset=16, missing=0, year=1)


# --- tallies and EM sums: equal to the numpy they replace ---------------------------------


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(2**63), 2**63 - 1), max_size=60),
    st.integers(0, 3000),
    st.integers(1, 4),
)
def test_tally_equals_numpy_unique(pool: list[int], n: int, chunks: int) -> None:
    """Chunked, weighted or not, whatever the codes (many alike; many distinct: the table
    grows): the distinct codes, counts and inverse np.unique gives."""
    rng = np.random.default_rng(n)
    codes = np.array(pool or [0], dtype=np.int64)[rng.integers(0, max(len(pool), 1), n)]
    codes[: n // 3] = rng.integers(-(2**40), 2**40, n // 3)  # mostly distinct
    uniq, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
    found = kernels.CodeTally()
    ids = [found.add(part) for part in np.array_split(codes, chunks)]
    got, got_counts, rank = found.ranked()
    assert got.tolist() == uniq.tolist() and got_counts.tolist() == counts.tolist()
    assert rank[np.concatenate(ids)].tolist() == inverse.tolist()
    weights = rng.random(n)
    got, sums, got_inverse = kernels.tally(codes, weights)
    assert np.array_equal(sums, np.bincount(inverse, weights=weights, minlength=len(uniq)))
    assert got_inverse.dtype == np.int32 and got_inverse.tolist() == inverse.tolist()


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=12), st.integers(0, 500), st.data())
def test_code_rows_invert_row_codes(n_levels: list[int], n: int, data: st.DataObject) -> None:
    """Level rows from their mixed-radix codes: the rows coded, and the numpy of
    per-column floor division and remainder."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 2)))
    levels = (rng.random((n, len(n_levels))) * np.array(n_levels)).astype(np.int8)
    radix = np.cumprod([1, *n_levels[:-1]], dtype=np.int64)
    bases = np.array(n_levels, dtype=np.int64)
    codes = kernels.row_codes(levels, radix)
    rows = kernels.code_rows(codes, radix, bases)
    assert rows.dtype == np.int8 and rows.shape == levels.shape
    assert np.array_equal(rows, levels)
    reference = ((codes[:, None] // radix[None, :]) % bases[None, :]).astype(np.int8)
    assert np.array_equal(rows, reference)


def test_decode_patterns_of_no_comparisons_are_empty_rows() -> None:
    from rfl_match.scoring import decode_patterns

    rows = decode_patterns(np.zeros(3, dtype=np.int64), ())
    assert rows.shape == (3, 0)
    assert decode_patterns(np.array([5], dtype=np.int64), (2, 3)).tolist() == [[1, 2]]


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 6000), st.integers(0, 9000), st.integers(0, 2**31 - 2), st.booleans())
def test_hashed_code_pairs_equals_a_dict(codes: int, n: int, seed: int, wide: bool) -> None:
    """Pairs of codes numbered in order of first appearance, each number's first pair, as a
    dict filled pair by pair gives (few codes: pairs recur; many: the table grows; wide
    codes: too wide for a slot's key, the pairs are numbered by sorting)."""
    rng = np.random.default_rng(seed)
    a = rng.integers(-1, codes, 500).astype(np.int32)
    b = rng.integers(-1, codes, 700).astype(np.int32)
    if wide:  # codes up to 2**31 - 1 (the keys of 62 bits leave no room for a number)
        a[a >= 0] = 2**31 - 1 - a[a >= 0] * 3
        b[b >= 0] = 2**31 - 1 - b[b >= 0] * 5
    li, ri = rng.integers(0, len(a), n), rng.integers(0, len(b), n)
    numbers: dict[tuple[int, int], int] = {}
    want_inverse, want_first = [], []
    for k, (i, j) in enumerate(zip(li.tolist(), ri.tolist(), strict=True)):
        number = numbers.setdefault((int(a[i]), int(b[j])), len(numbers))
        want_inverse.append(number)
        if number == len(want_first):
            want_first.append(k)
    inverse, first = kernels.hashed_code_pairs(a, b, li, ri)
    assert inverse.tolist() == want_inverse and first.tolist() == want_first
    # Sized at the start for about as many distinct pairs (or far fewer, or far more):
    # the same numbers.
    for expected in (len(want_first), len(want_first) // 7, 50 * n + 1):
        inverse, first = kernels.hashed_code_pairs(a, b, li, ri, expected=expected)
        assert inverse.tolist() == want_inverse and first.tolist() == want_first


def test_hashed_code_pairs_of_millions_of_codes_and_many_pairs() -> None:
    """Four million codes a side and half a million pairs: keys too wide for a slot with
    its number still number (by sorting), as the hash does for the same pairs of fewer
    codes."""
    rng = np.random.default_rng(5)
    a = np.arange(1 << 22, dtype=np.int32)
    li = rng.integers(0, 1 << 12, (1 << 19) + 1)
    ri = rng.integers(0, 1 << 12, (1 << 19) + 1)
    inverse, first = kernels.hashed_code_pairs(a, a, li, ri)
    small = np.arange(1 << 12, dtype=np.int32)  # the same pairs of codes, few codes a side
    want_inverse, want_first = kernels.hashed_code_pairs(small, small, li, ri)
    assert inverse.tolist() == want_inverse.tolist() and first.tolist() == want_first.tolist()


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(1, 4))
def test_person_parts_equal_numpy(data: st.DataObject, width: int) -> None:
    """A person's parts, record by record: the given name's first part (else the full
    name's), then the family name's parts (else the full name's after its first); a
    family name with no first part at all from position 0. As numpy, table by table."""
    cells = st.integers(-1, 9)

    def table() -> npt.NDArray[np.int32]:
        rows = data.draw(st.lists(st.lists(cells, min_size=width, max_size=width), max_size=6))
        # the last row is the empty name's
        return np.array([*rows, [-1] * width], dtype=np.int32).reshape(-1, width)

    full, given, family = table(), table(), table()
    n = data.draw(st.integers(0, 20))
    codes = tuple(
        np.array(data.draw(st.lists(st.integers(-1, len(t) - 2), min_size=n, max_size=n)), np.int32)
        for t in (full, given, family)
    )
    fc, gc, sc = codes
    has_given, has_family = gc >= 0, sc >= 0
    rows_f, rows_g, rows_s = full[fc], given[gc], family[sc]
    first = np.where(has_given, rows_g[:, 0], rows_f[:, 0])
    want = np.empty_like(rows_f)
    want[:, 0] = first
    want[:, 1:] = np.where(has_family[:, None], rows_s[:, : width - 1], rows_f[:, 1:])
    family_only = has_family & (first < 0)
    want[family_only] = rows_s[family_only]
    out = np.full((n, width + 3), 99, dtype=np.int32)
    kernels.person_parts(full, given, family, codes, out, 2)
    assert out[:, 2 : 2 + width].tolist() == want.tolist()
    assert (out[:, :2] == 99).all() and (out[:, 2 + width :] == 99).all()


@settings(max_examples=150, deadline=None)
@given(st.data(), st.sampled_from([np.int32, np.int64]))
def test_number_rows_equals_a_dict(data: st.DataObject, dtype: type) -> None:
    """Rows numbered in order of first sight, and each number's first row, as a dict of
    the rows filled row by row gives (few values: rows recur; negative and extreme
    values; no columns at all: every row the same)."""
    width = data.draw(st.integers(0, 5))
    info = np.iinfo(dtype)
    values = st.one_of(st.integers(-2, 3), st.sampled_from([int(info.min), int(info.max)]))
    rows = data.draw(st.lists(st.lists(values, min_size=width, max_size=width), max_size=300))
    matrix = np.array(rows, dtype=dtype).reshape(len(rows), width)
    if data.draw(st.booleans()):
        matrix = np.asfortranarray(matrix)
    numbers: dict[tuple[int, ...], int] = {}
    want_first = []
    want = []
    for i, row in enumerate(rows):
        number = numbers.setdefault(tuple(row), len(numbers))
        if number == len(want_first):
            want_first.append(i)
        want.append(number)
    got, first = kernels.number_rows(matrix)
    assert got.tolist() == want and first.tolist() == want_first


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 5), st.integers(0, 300), st.data())
def test_others_evidence_equals_numpy(n_comp: int, k: int, data: st.DataObject) -> None:
    """The rows where c is known and the total less the left-out comparisons' evidence,
    bit for bit as numpy sums it column by column (what calibration read before)."""
    rng = np.random.default_rng(k)
    width, step = 4, 1 / 64
    patterns = rng.integers(0, width, (k, n_comp)).astype(np.int8)
    cell_weights = rng.normal(0, 5, n_comp * width)
    with_tf = data.draw(st.lists(st.booleans(), min_size=n_comp, max_size=n_comp))
    tf = {d: rng.integers(-500, 500, k) for d in range(n_comp) if with_tf[d]}
    total = rng.normal(0, 20, k)
    c = data.draw(st.integers(0, n_comp - 1))
    others = data.draw(st.lists(st.integers(0, n_comp - 1), max_size=3, unique=True))
    left_out = [c] + [d for d in others if d != c]
    tf_row = np.full(n_comp, -1, dtype=np.intp)
    tf_row[list(tf)] = np.arange(len(tf))
    # int32 steps as the calibration holds them where they fit, or int64
    narrow = data.draw(st.booleans())
    steps = np.array([tf[d] for d in tf], dtype=np.int32 if narrow else np.int64)
    steps = steps.reshape(len(tf), k)
    rows, got = kernels.others_evidence(
        patterns, c, left_out, cell_weights, width, steps, tf_row, step, total
    )

    def evidence(d: int, known: np.ndarray) -> np.ndarray:
        out = cell_weights[patterns[known, d].astype(np.intp) + d * width]
        if d in tf:
            out += tf[d][known] * step
        return out

    known = np.flatnonzero(patterns[:, c] > 0)
    own = evidence(left_out[0], known)
    for d in left_out[1:]:
        own += evidence(d, known)
    assert rows.tolist() == known.tolist()
    assert np.array_equal(got, total[known] - own)


@settings(max_examples=100, deadline=None)
@given(st.integers(1, 13), st.integers(0, 300), st.data())
def test_evidence_rows_equal_numpy_columns(n_comp: int, k: int, data: st.DataObject) -> None:
    """A block of rows of every comparison's evidence, bit for bit the numpy gather of
    each column, column-stacked (what calibration summed before)."""
    from rfl_match.calibration import _Evidence

    rng = np.random.default_rng(k)
    width = 4
    patterns = rng.integers(0, width, (k, n_comp)).astype(np.int8)
    cell_weights = rng.normal(0, 5, n_comp * width)
    with_bits = [d for d in range(n_comp) if data.draw(st.booleans())]
    narrow = data.draw(st.booleans())  # int32 steps, as the calibration holds them
    steps = rng.integers(-5000, 5000, (len(with_bits), k)).astype(np.int32 if narrow else np.int64)
    evidence = _Evidence(patterns, cell_weights, width, steps, with_bits)
    start = data.draw(st.integers(0, k))
    stop = data.draw(st.integers(start, k + 5))
    part = slice(start, stop)
    got = evidence.rows(start, stop)
    want = np.column_stack([evidence(c, part) for c in range(n_comp)])
    assert got.shape == want.shape and got.flags["C_CONTIGUOUS"]
    assert np.array_equal(got, want)  # and C-ordered as column_stack's: the same row sums


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 62), st.integers(0, 3000), st.integers(0, 2**31 - 2))
def test_radix_sorted_equals_numpy_sort(bits: int, n: int, seed: int) -> None:
    """Values below 2**bits (none: all zero; up to 62 bits: six passes), many alike or
    all distinct: ascending, as np.sort gives them."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 2**bits, n, dtype=np.int64)
    if n and seed % 3 == 0:  # few distinct values
        values = values[rng.integers(0, min(n, 5), n)]
    want = np.sort(values)
    assert kernels.radix_sorted(values.copy(), bits).tolist() == want.tolist()


@settings(max_examples=200, deadline=None)
@given(st.integers(0, 64), st.integers(0, 3000), st.integers(0, 2**31 - 2), st.booleans())
def test_unique_inverse_equals_numpy_unique(bits: int, n: int, seed: int, signed: bool) -> None:
    """Values spread over 2**bits (up to the whole int64 range: numpy's way), from 0 or
    from a negative value, many alike or all distinct: the distinct values and each
    value's rank among them, as np.unique gives them."""
    rng = np.random.default_rng(seed)
    low = -(2 ** (bits - 1)) if signed and bits else 0
    high = min(low + 2**bits, 2**63)
    values = rng.integers(low, high, n, dtype=np.int64, endpoint=False)
    if n and seed % 3 == 0:  # few distinct values
        values = values[rng.integers(0, min(n, 5), n)]
    if n and seed % 5 == 0:  # the ends of the spread
        values[: min(n, 2)] = [low, high - 1][: min(n, 2)]
    distinct, ranks = kernels.unique_inverse(values)
    want, inverse = np.unique(values, return_inverse=True)
    assert distinct.dtype == ranks.dtype == np.int64
    assert distinct.tolist() == want.tolist()
    assert ranks.tolist() == inverse.reshape(-1).tolist()


def test_unique_inverse_refuses_unsigned_values_past_int64() -> None:
    """Unsigned values that int64 cannot hold are refused, not wrapped (which would
    order them wrongly); those it can hold are ranked as numpy ranks them."""
    fits = np.array([2**63 - 1, 1, 1], dtype=np.uint64)
    assert kernels.unique_inverse(fits)[1].tolist() == [1, 0, 0]
    with pytest.raises(ValueError, match="int64"):
        kernels.unique_inverse(np.array([2**63, 1, 2**64 - 1], dtype=np.uint64))


def test_row_runs_start_where_a_row_differs_from_the_last() -> None:
    from rfl_match.arrays import row_runs

    table = np.array([[1, 2], [1, 2], [1, 3], [1, 2], [0, 0], [0, 0]], dtype=np.int8)
    assert row_runs(table).tolist() == [0, 2, 3, 4]
    assert row_runs(table[:0]).tolist() == []


@settings(max_examples=200, deadline=None)
@given(
    st.integers(0, 60),
    st.integers(0, 13),
    st.integers(1, 3),
    st.sampled_from([np.int8, np.int32, np.int64]),
    st.booleans(),
    st.integers(0, 2**31 - 1),
)
def test_row_runs_equal_numpy_row_comparisons(
    rows: int, width: int, values: int, dtype: type, strided: bool, seed: int
) -> None:
    """The compiled pass finds the runs numpy's comparison of each row with the last finds,
    on tables of any integer type, width (none too) and layout."""
    from rfl_match.arrays import row_runs

    table = np.random.default_rng(seed).integers(0, values, (rows, 2 * width)).astype(dtype)
    table = table[:, ::2] if strided else table[:, :width]
    want = np.flatnonzero(np.r_[True, (table[1:] != table[:-1]).any(axis=1)]) if rows else []
    assert row_runs(table).tolist() == list(want)


@settings(max_examples=150, deadline=None)
@given(st.integers(0, 400), st.booleans(), st.booleans(), st.integers(0, 2**31 - 2))
def test_evidence_sums_equal_numpy(k: int, with_bits: bool, with_change: bool, seed: int) -> None:
    """Known rows keyed by their rounded evidence (ties to even), bits, change and level,
    and their counts summed: the keys and sums np.unique and np.bincount give for the
    key numpy builds (many keys alike: few distinct; many distinct: the table grows)."""
    rng = np.random.default_rng(seed)
    n, width, step = k + rng.integers(0, 50), 5, 1 / 64
    levels = rng.integers(0, width, n).astype(np.int8)
    bits = rng.integers(-300, 300, n) if with_bits else None
    if bits is not None and seed % 2:  # int32, as the calibration holds them where they fit
        bits = bits.astype(np.int32)
    counts = rng.integers(1, 1000, n)
    known = np.sort(rng.choice(n, size=min(k, n), replace=False)).astype(np.intp)
    spread = 2.0 ** rng.integers(1, 12)
    # Whole and half steps among the evidence: rounding ties go to the even step.
    others = np.round(rng.normal(0, spread, len(known)) * 128) / 128
    change = rng.integers(-20, 20, len(known)) if with_change else None
    keys, sums, fields = kernels.evidence_sums(
        others, step, change, bits, levels, known, counts, width
    )
    s = np.round(others / step).astype(np.int64)
    b = bits[known] if bits is not None else np.zeros(len(known), dtype=np.int64)
    ch = change if change is not None else np.zeros(len(known), dtype=np.int64)
    if not len(known):
        assert len(keys) == len(sums) == 0
        return
    low, low_bits, low_change = int(s.min()), int(b.min()), int(ch.min())
    span_bits, span_change = int(b.max()) - low_bits + 1, int(ch.max()) - low_change + 1
    assert fields == (low, low_bits, span_bits, low_change, span_change)
    key = (((s - low) * span_bits + (b - low_bits)) * span_change + (ch - low_change)) * width
    uniq, inverse = np.unique(key + levels[known], return_inverse=True)
    assert keys.tolist() == uniq.tolist()
    assert sums.tolist() == np.bincount(inverse, weights=counts[known]).astype(np.int64).tolist()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_row_tally_equals_distinct_rows(data: st.DataObject) -> None:
    """Rows counted over chunks, some empty, by codes or (when the codes would overflow) by
    sorting the rows; chunks counted apart (as on threads) fold in any order."""
    from rfl_match.arrays import RowTally, distinct_rows

    n_cols = data.draw(st.integers(1, 5))
    wide = data.draw(st.booleans())  # ranges whose codes do not fit in int64
    high = 2**40 if wide else 6
    rows = data.draw(st.lists(st.lists(st.integers(-3, high), min_size=n_cols, max_size=n_cols)))
    table = np.array(rows, dtype=np.int64).reshape(-1, n_cols)
    found = RowTally([-3] * n_cols, [high] * n_cols)
    assert found.fits == (not wide or n_cols == 1)
    n_parts = data.draw(st.integers(1, 9))  # a few merges deep
    chunks = np.array_split(np.arange(len(table)), n_parts)
    apart = data.draw(st.booleans())
    if apart:
        chunks = data.draw(st.permutations(chunks))
    for rows_at in chunks:
        part = [table[rows_at][:, c] for c in range(n_cols)]
        if apart:
            found.add_counted(found.counted(part))
        else:
            found.add(part)
    got, counts = found.ranked()
    distinct, inverse = distinct_rows(table)
    assert got.tolist() == distinct.tolist()
    assert counts.dtype == np.int64
    assert counts.tolist() == np.bincount(inverse, minlength=len(distinct)).tolist()


@settings(max_examples=50, deadline=None)
@given(st.data())
def test_row_tally_ranks_narrow_rows_as_wide_ones(data: st.DataObject) -> None:
    """Ranked ``narrow``, the rows come back as int32 where every column's range fits in
    it (the term-frequency rows, half the memory), else as int64: the same rows and
    counts either way."""
    from rfl_match.arrays import RowTally

    n_cols = data.draw(st.integers(1, 4))
    low = data.draw(st.lists(st.integers(-(2**33), 2**33), min_size=n_cols, max_size=n_cols))
    spans = data.draw(st.lists(st.integers(1, 2**12), min_size=n_cols, max_size=n_cols))
    columns = [st.integers(a, a + n - 1) for a, n in zip(low, spans, strict=True)]
    rows = data.draw(st.lists(st.tuples(*columns), max_size=40))
    table = np.array(rows, dtype=np.int64).reshape(-1, n_cols)
    high = [a + n - 1 for a, n in zip(low, spans, strict=True)]
    wide, narrow = RowTally(low, high), RowTally(low, high)
    for tally in (wide, narrow):
        tally.add([table[:, c] for c in range(n_cols)])
    (expected, counts), (got, got_counts) = wide.ranked(), narrow.ranked(narrow=True)
    fits = all(a >= -(2**31) and b < 2**31 for a, b in zip(low, high, strict=True))
    assert expected.dtype == np.int64
    assert got.dtype == (np.int32 if fits else np.int64)
    assert got.tolist() == expected.tolist() and got_counts.tolist() == counts.tolist()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_code_digits_read_back_the_rows_coded(data: st.DataObject) -> None:
    """Rows coded as mixed-radix numbers (as RowTally codes them) come back as they were,
    on one thread or two."""
    n_cols = data.draw(st.integers(1, 4))
    low = data.draw(st.lists(st.integers(-50, 50), min_size=n_cols, max_size=n_cols))
    spans = data.draw(st.lists(st.integers(1, 2**15), min_size=n_cols, max_size=n_cols))
    columns = [st.integers(a, a + n - 1) for a, n in zip(low, spans, strict=True)]
    rows = data.draw(st.lists(st.tuples(*columns), max_size=50))
    table = np.array(rows, dtype=np.int64).reshape(-1, n_cols)
    codes = np.zeros(len(table), dtype=np.int64)
    for c in range(n_cols):
        codes = codes * spans[c] + table[:, c] - low[c]
    for workers in (1, 2):
        assert kernels.code_digits(codes, spans, low, workers).tolist() == table.tolist()
        narrow = kernels.code_digits(codes, spans, low, workers, np.int32)
        assert narrow.dtype == np.int32 and narrow.tolist() == table.tolist()


@pytest.mark.parametrize(("size", "high"), [(1 << 16, 7), (200_001, 7**6), (300_000, 2**40)])
def test_row_tally_counts_codes_on_threads_as_on_one(size: int, high: int) -> None:
    """A chunk's codes cut in parts sorted on threads, the parts merged: the rows and
    counts one sort gives, and those of the codes (few values, or spread)."""
    from rfl_match.arrays import RowTally

    codes = np.random.default_rng(size).integers(0, high, size, dtype=np.int64)
    found = RowTally([0], [high - 1])
    one = found.counted_codes(codes.copy())
    uniq, counts = np.unique(codes, return_counts=True)
    assert one[0].tolist() == uniq.tolist() and one[1].tolist() == counts.tolist()
    for workers in (2, 3, -1):
        threads = found.counted_codes(codes.copy(), workers)
        assert threads[0].tolist() == uniq.tolist()
        assert threads[1].tolist() == counts.tolist()


@pytest.mark.parametrize(
    "n_right",
    [1, 2, 3, 7, 49, 1000, 2**16 - 1, 2**16 + 1, 10**6 + 3, 2**31 - 1, 2_147_483_629, 2**31],
)
def test_split_id_equals_divmod(n_right: int) -> None:
    """tf_codes' pair id decode by a float multiply equals ``divmod`` for every id below
    2**53, where rounding puts the multiply's quotient one off: lefts near 0, near powers
    of two and near the bound, rights at both ends (and some drawn)."""
    top = (kernels._EXACT_IDS - 1) // n_right
    lefts = {0, 1, 2, top, top - 1, *(x for k in range(1, 53) for x in (2**k - 1, 2**k))}
    rng = np.random.default_rng(n_right)
    lefts |= set(rng.integers(0, top + 1, 200).tolist())
    rights = {0, 1, n_right - 2, n_right - 1, n_right // 2, *rng.integers(0, n_right, 20).tolist()}
    ids = np.array(
        [x * n_right + y for x in lefts if x <= top for y in rights if 0 <= y < n_right],
        dtype=np.int64,
    )
    ids = ids[ids < kernels._EXACT_IDS]
    left, right = kernels._split_ids(ids, n_right)
    want_left, want_right = np.divmod(ids, n_right)
    assert left.tolist() == want_left.tolist()
    assert right.tolist() == want_right.tolist()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_tf_codes_equal_agreements_and_row_codes(data: st.DataObject) -> None:
    """Each pair's term-frequency row code in one pass, from its id, on one thread or
    several: what :func:`agreements` per comparison, a column of steps each (0 where a
    pair agrees on no value) and RowTally's codes give, with the pairs ``skip`` marks left
    out; and where a pattern is ``bounded`` (a level a term-frequency level bounds, never
    one; TF_NEAR or TF_LOWERING alike), the steps of the more common of the pair's two values
    (the left one where as common) where it holds both."""
    from rfl_match.arrays import RowTally

    n_tf = data.draw(st.integers(0, 3))
    n_patterns, n_left, n_right, n_values = (data.draw(st.integers(1, 6)) for _ in range(4))
    n = data.draw(st.integers(0, 60))
    index = np.array(data.draw(st.lists(st.integers(0, n_patterns - 1), min_size=n, max_size=n)))
    index = index.astype(np.int32)
    li = np.array(data.draw(st.lists(st.integers(0, n_left - 1), min_size=n, max_size=n)), np.intp)
    ri = np.array(data.draw(st.lists(st.integers(0, n_right - 1), min_size=n, max_size=n)), np.intp)
    skip = None
    if data.draw(st.booleans()):
        skip = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), dtype=bool)

    def ints(size: int, low: int, high: int) -> npt.NDArray[np.int64]:
        values = data.draw(st.lists(st.integers(low, high), min_size=size, max_size=size))
        return np.array(values, dtype=np.int64)

    at_level = np.array([ints(n_patterns, 0, 1) for _ in range(n_tf)], bool)
    bounded = None
    if data.draw(st.booleans()):
        bounded = [
            ((ints(n_patterns, 0, 2) * ~at_level[t]).astype(np.int8), ints(n_values, 0, 3) / 10)
            for t in range(n_tf)
        ]
    a = np.array([ints(n_left, -1, n_values - 1) for _ in range(n_tf)], np.int32)
    b = np.array([ints(n_right, -1, n_values - 1) for _ in range(n_tf)], np.int32)
    steps = [2 * ints(n_values, -40, 40) + 1 for _ in range(n_tf)]
    found = RowTally(
        [0] + [min(0, int(x.min())) for x in steps],
        [n_patterns - 1] + [max(0, int(x.max())) for x in steps],
    )
    workers = data.draw(st.sampled_from([1, 2, 3]))
    with mock.patch.object(kernels, "_TF_PARALLEL_PAIRS", 1):  # threads even for a few pairs
        got = kernels.tf_codes(
            li.astype(np.int64) * n_right + ri, n_right, index, skip,
            at_level.reshape(n_tf, n_patterns), a.reshape(n_tf, n_left),
            b.reshape(n_tf, n_right), steps, found.low, found.spans, workers, bounded,
        )  # fmt: skip
    keep = np.ones(n, dtype=bool) if skip is None else ~skip
    index, li, ri = index[keep], li[keep], ri[keep]
    table = [index.astype(np.int64)]
    for t in range(n_tf):
        rows, values = kernels.agreements(at_level[t], index, a[t], b[t], li, ri)
        column = np.zeros(len(index), dtype=np.int64)
        column[rows] = steps[t][values]
        if bounded is not None:
            kinds, frequency = bounded[t]
            x, y = a[t][li], b[t][ri]
            under = np.flatnonzero((kinds[index] > 0) & (x >= 0) & (y >= 0))
            common = np.where(frequency[x[under]] >= frequency[y[under]], x[under], y[under])
            column[under] = steps[t][common]
        table.append(column)
    assert got.tolist() == found._codes(table).tolist()


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_weights_over_equal_agreements_and_sums(data: st.DataObject) -> None:
    """The pairs whose weight reaches a bound, in one pass (and every pair's weight:
    :func:`kernels.pair_weights`): those whose pattern's total
    plus the bits of each value agreed on (:func:`agreements`, comparison by comparison,
    added in that order) reach it; and where a pattern is ``bounded`` (a level a
    term-frequency level bounds, never one), the bits of the more common of the pair's
    two values (the left one where as common) where it holds both, at TF_LOWERING only
    those that lower the weight."""
    n_tf = data.draw(st.integers(0, 3))
    n_patterns, n_left, n_right, n_values = (data.draw(st.integers(1, 6)) for _ in range(4))
    n = data.draw(st.integers(0, 60))

    def ints(size: int, low: int, high: int) -> npt.NDArray[np.int64]:
        values = data.draw(st.lists(st.integers(low, high), min_size=size, max_size=size))
        return np.array(values, dtype=np.int64)

    def floats(size: int) -> npt.NDArray[np.float64]:
        drawn = st.one_of(st.floats(-8, 8), st.sampled_from([0.0, 1.5, -1.5, 0.1, 0.2, 0.3]))
        return np.array(data.draw(st.lists(drawn, min_size=size, max_size=size)), np.float64)

    index = ints(n, 0, n_patterns - 1).astype(np.int32)
    li, ri = ints(n, 0, n_left - 1).astype(np.intp), ints(n, 0, n_right - 1).astype(np.intp)
    totals = floats(n_patterns)
    at_level = [ints(n_patterns, 0, 1).astype(bool) for _ in range(n_tf)]
    a = np.array([ints(n_left, -1, n_values - 1) for _ in range(n_tf)], np.int32)
    b = np.array([ints(n_right, -1, n_values - 1) for _ in range(n_tf)], np.int32)
    bits = [floats(n_values) for _ in range(n_tf)]
    bounded = None
    if data.draw(st.booleans()):
        bounded = [
            ((ints(n_patterns, 0, 2) * ~at_level[t]).astype(np.int8), ints(n_values, 0, 3) / 10)
            for t in range(n_tf)
        ]
    weight = totals[index]
    for t in range(n_tf):
        rows, values = kernels.agreements(at_level[t], index, a[t], b[t], li, ri)
        weight[rows] += bits[t][values]
        if bounded is not None:
            kinds, frequency = bounded[t]
            x, y = a[t][li], b[t][ri]
            rows = np.flatnonzero((kinds[index] > 0) & (x >= 0) & (y >= 0))
            common = np.where(frequency[x[rows]] >= frequency[y[rows]], x[rows], y[rows])
            more = bits[t][common]
            lowering = kinds[index[rows]] == kernels.TF_LOWERING
            weight[rows] += np.where(lowering, np.minimum(more, 0.0), more)
    bound = data.draw(st.one_of(st.sampled_from(weight.tolist() or [0.0]), st.floats(-20, 20)))
    got = kernels.weights_over(
        index, totals, at_level, a.reshape(n_tf, n_left), b.reshape(n_tf, n_right), bits,
        li, ri, bound, bounded,
    )  # fmt: skip
    assert got.tolist() == np.flatnonzero(weight >= bound).tolist()
    # Every pair's weight, none passed over (one_request_per_person's sums): the same sums.
    every = kernels.pair_weights(
        index, totals, at_level, a.reshape(n_tf, n_left), b.reshape(n_tf, n_right), bits,
        li, ri, bounded,
    )  # fmt: skip
    np.testing.assert_array_equal(every, weight)


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(), max_size=30), st.sampled_from([1, 2, 3, -1]))
def test_threaded_gives_each_result_in_order(items: list[int], workers: int) -> None:
    """Results as a loop gives them, with no more than ``workers`` items taken ahead of the
    result the caller holds."""
    import threading

    from rfl_match.arrays import THREADED_MOST, threaded

    taken: list[int] = []
    lock = threading.Lock()

    def work(x: int) -> int:
        with lock:
            taken.append(x)
        return 2 * x + 1

    ahead = min(kernels.worker_count(workers), THREADED_MOST)
    for k, got in enumerate(threaded(work, iter(items), workers)):
        assert got == 2 * items[k] + 1
        assert len(taken) <= k + max(ahead, 1)
    assert sorted(taken) == sorted(items)


def test_threaded_raises_what_the_work_raises() -> None:
    from rfl_match.arrays import threaded

    def work(x: int) -> int:
        if x == 3:
            raise ValueError("three")
        return x

    got = []
    with pytest.raises(ValueError, match="three"):
        for x in threaded(work, range(6), 2):
            got.append(x)
    assert got == [0, 1, 2]


@settings(max_examples=50, deadline=None)
@given(st.lists(st.integers(), max_size=30), st.sampled_from([1, 2, -1]))
def test_pipelined_folds_one_item_at_a_time_in_order(items: list[int], workers: int) -> None:
    """A serial fold (it keeps state) sees the items in order, one at a time, off the
    caller's thread only when ``workers`` asks for more than one; the caller makes at most
    one item beyond the one being folded."""
    import threading

    from rfl_match.arrays import pipelined

    folded: list[int] = []
    threads: set[int] = set()
    busy = threading.Lock()
    made = 0

    def fold(x: int) -> int:
        assert busy.acquire(blocking=False)  # never two at once
        threads.add(threading.get_ident())
        folded.append(x)
        busy.release()
        return len(folded)

    def make() -> Iterator[int]:
        nonlocal made
        for x in items:
            made += 1
            yield x

    for k, got in enumerate(pipelined(fold, make(), workers)):
        assert got == k + 1 and folded[k] == items[k]
        assert made <= k + 2
    assert folded == items
    if items:
        off_thread = threads != {threading.get_ident()}
        assert off_thread == (kernels.worker_count(workers) > 1)


def test_pipelined_raises_what_the_fold_raises() -> None:
    from rfl_match.arrays import pipelined

    def fold(x: int) -> int:
        if x == 3:
            raise ValueError("three")
        return x

    for workers in (1, 2):
        got = []
        with pytest.raises(ValueError, match="three"):
            for x in pipelined(fold, range(6), workers):
                got.append(x)
        assert got == [0, 1, 2]


def test_in_background_runs_beside_the_caller_and_gives_its_result() -> None:
    """With more than one worker the function starts at once on a thread of its own
    (it runs while the caller waits on something else); its result, or its error, comes
    when asked for. With one worker it runs when asked for, in the caller's thread."""
    import threading

    from rfl_match.arrays import in_background

    started = threading.Event()

    def work() -> int:
        started.set()
        return threading.get_ident()

    result = in_background(work, 2)
    assert started.wait(10)
    assert result() != threading.get_ident()

    started.clear()
    result = in_background(work, 1)
    assert not started.is_set()
    assert result() == threading.get_ident()

    def fail() -> int:
        raise ValueError("failed")

    for workers in (1, 2):
        with pytest.raises(ValueError, match="failed"):
            in_background(fail, workers)()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-(2**62), 2**62), max_size=50),
    st.lists(st.integers(-(2**62), 2**62), max_size=50),
)
def test_merge_counts_counts_the_union(a: list[int], b: list[int]) -> None:
    left, left_counts = np.unique(np.array(a, dtype=np.int64), return_counts=True)
    right, right_counts = np.unique(np.array(b, dtype=np.int64), return_counts=True)
    got, counts = kernels.merge_counts(left, left_counts, right, right_counts)
    want, want_counts = np.unique(np.array(a + b, dtype=np.int64), return_counts=True)
    assert got.dtype == counts.dtype == np.int64
    assert got.tolist() == want.tolist()
    assert counts.tolist() == want_counts.tolist()


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_em_sums_equal_numpy(data: st.DataObject) -> None:
    """joint_counts, pattern_sums and level_sums add in numpy's order: equal to the bit, on
    one thread or several (a part of the rows, or of the columns, each)."""
    n_comp, width = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 5))
    n = data.draw(st.integers(0, 300))
    workers = data.draw(st.sampled_from([1, 2, 3]))
    rng = np.random.default_rng(n)
    levels = rng.integers(0, width, size=(n, n_comp)).astype(np.int8)
    weights = rng.random((2, n)) * 10.0 ** rng.integers(-3, 6, size=(2, n))
    table = rng.standard_normal((n_comp, width))
    expected = np.full(n, 0.25)
    for c in range(n_comp):
        expected += table[c][levels[:, c]]
    with mock.patch.object(kernels, "_EM_PARALLEL_ROWS", 1):  # threads even for a few rows
        assert np.array_equal(kernels.pattern_sums(levels, table, 0.25, workers), expected)
        sums = kernels.level_sums(levels, weights, width, workers)
    joint = kernels.joint_counts(levels, weights[0], width)
    for c in range(n_comp):
        for w in range(2):
            want = np.bincount(levels[:, c], weights=weights[w], minlength=width)
            assert np.array_equal(sums[w, c], want)
        for d in range(c + 1, n_comp):
            pair = levels[:, c].astype(np.intp) * width + levels[:, d]
            want = np.bincount(pair, weights=weights[0], minlength=width * width)
            assert np.array_equal(joint[c, d].ravel(), want)


def test_code_tally_takes_weights_on_every_call_or_none() -> None:
    found = kernels.CodeTally()
    found.add(np.array([3, 1, 3]), np.array([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="every call or on none"):
        found.add(np.array([1, 2]))
    plain = kernels.CodeTally()
    plain.add(np.array([3, 1]))
    with pytest.raises(ValueError, match="every call or on none"):
        plain.add(np.array([1]), np.array([1.0]))


def nearest_reference(
    blocks: list[tuple[list[tuple[int, int, int]], list[tuple[int, int, int]]]],
    window: int,
    n_right: int,
    dedupe: bool,
) -> list[int]:
    """Each block's (key, second key, row) entries per side: in each key order, every
    entry meets the ``window`` entries of the other side just before and just after it.
    The pairs of all blocks, each once."""
    out = set()
    for entries in blocks:
        for k in range(2):
            lefts, rights = ([(e[k], e[2]) for e in side] for side in entries)
            lefts, rights = sorted(lefts), sorted(rights)
            for key, x in lefts:
                before = sum(other < key for other, _ in rights)
                for _, y in rights[max(before - window, 0) : before + window]:
                    out.add((x, y))
            for key, y in rights:
                before = sum(other < key for other, _ in lefts)
                for _, x in lefts[max(before - window, 0) : before + window]:
                    out.add((x, y))
    if dedupe:  # one list: each pair from its lower record, none with itself
        out = {(min(x, y), max(x, y)) for x, y in out if x != y}
    return sorted(x * n_right + y for x, y in out)


@settings(max_examples=150, deadline=None)
@given(st.data(), st.integers(1, 3), st.booleans())
def test_nearest_pairs_equal_reference(data: st.DataObject, window: int, dedupe: bool) -> None:
    n = 9
    sizes = data.draw(st.lists(st.tuples(st.integers(1, 7), st.integers(1, 7)), max_size=4))
    blocks, lrows, lkey, lkey2, rrows, rkey, rkey2 = [], [], [], [], [], [], []
    ls, lc, rs, rc = [], [], [], []
    for nl, nr in sizes:
        distinct = st.lists(st.integers(0, 99), min_size=nl + nr, max_size=nl + nr, unique=True)
        keys, keys2 = data.draw(distinct), data.draw(distinct)
        rows_l = data.draw(st.lists(st.integers(0, n - 1), min_size=nl, max_size=nl, unique=True))
        rows_r = data.draw(st.lists(st.integers(0, n - 1), min_size=nr, max_size=nr, unique=True))
        ls.append(len(lrows))
        lc.append(nl)
        rs.append(len(rrows))
        rc.append(nr)
        lrows += rows_l
        lkey += keys[:nl]
        lkey2 += keys2[:nl]
        rrows += rows_r
        rkey += keys[nl:]
        rkey2 += keys2[nl:]
        left_entries = list(zip(keys[:nl], keys2[:nl], rows_l, strict=True))
        blocks.append((left_entries, list(zip(keys[nl:], keys2[nl:], rows_r, strict=True))))

    def array(values: list[int]) -> np.ndarray:
        return np.array(values, dtype=np.int64)

    # Blocks written a batch at a time (as at a million records) or all at once.
    batch = data.draw(st.sampled_from([1, 16, kernels.NEAR_BATCH]))
    with mock.patch.object(kernels, "NEAR_BATCH", batch):
        made = [  # copied: a batch's buffer holds the next
            one.copy()
            for one in kernels.nearest_pairs(
                (array(lrows), array(lkey), array(lkey2)),
                (array(rrows), array(rkey), array(rkey2)),
                (array(ls), array(lc), array(rs), array(rc)),
                window,
                n,
                dedupe=dedupe,
                workers=2,
            )
        ]
    ids = np.concatenate([np.zeros(0, dtype=np.int64), *made])
    assert not np.any(ids == kernels._NO_PAIR)  # no padding reaches the budget
    assert kernels.union_all([kernels.sorted_distinct(batch) for batch in made]).tolist() == (
        nearest_reference(blocks, window, n, dedupe)
    )
    if not dedupe and len(set(lrows)) == len(lrows) and len(set(rrows)) == len(rrows):
        assert len(np.unique(ids)) == len(ids)  # a pair comes once, whichever order met it


def key_pairs_reference(
    matrix: list[list[int]], chain: int, width: int
) -> tuple[list[int], list[int]]:
    """By column pair (of different parts), then row: each row's two distinct keys."""
    rows, codes = [], []
    n_cols = len(matrix[0]) if matrix else 0
    for a in range(n_cols):
        for b in range(a + 1, n_cols):
            if a % chain == b % chain:
                continue
            for r, row in enumerate(matrix):
                x, y = row[a], row[b]
                if x >= 0 and y >= 0 and x != y:
                    rows.append(r)
                    codes.append(min(x, y) * width + max(x, y))
    return rows, codes


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 3), st.integers(0, 12), st.sampled_from([1, 2]), st.data())
def test_key_pairs_equals_reference(kinds: int, n: int, workers: int, data: st.DataObject) -> None:
    # Name-part pair keys: a part's class, skeleton and phonetic key sit in columns of one
    # part (c % chain); two keys of one part never pair, nor do two equal keys. On two
    # threads (each a range of rows), the same order as one pass.
    chain = 4
    cells = st.lists(st.integers(-1, 5), min_size=chain * kinds, max_size=chain * kinds)
    matrix = data.draw(st.lists(cells, min_size=n, max_size=n))
    array = np.array(matrix, dtype=np.int64).reshape(n, chain * kinds)
    rows, codes = kernels.key_pairs(array, chain, 1 << 31, workers)
    assert (rows.tolist(), codes.tolist()) == key_pairs_reference(matrix, chain, 1 << 31)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(st.integers(0, 6), st.integers(0, 9)), max_size=30),
    st.lists(st.tuples(st.integers(0, 5), st.integers(0, 9)), max_size=30),
    st.sampled_from([1, 2, 3, 5]),
)
def test_combine_codes_equals_reference(
    a: list[tuple[int, int]], b: list[tuple[int, int]], parts: int
) -> None:
    """Every combination of a row's codes, in a's order, then b's; a's rows past b's
    last meet nothing. In ranges of a (a thread each, as many as there are threads), the
    order of one pass, whatever the threads of the machine running the test."""
    width = 1 << 31
    want = [(ra, ca * width + cb) for ra, ca in a for rb, cb in b if ra == rb]

    def arrays(entries: list[tuple[int, int]]) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.array([r for r, _ in entries], dtype=np.int64),
            np.array([c for _, c in entries], dtype=np.int64),
        )

    rows, codes = kernels.combine_codes(*arrays(a), *arrays(b), width, min(parts, 2))
    assert list(zip(rows.tolist(), codes.tolist(), strict=True)) == want
    n_rows = max((r for r, _ in b), default=-1) + 1
    rows, codes = kernels._combine(*arrays(a), *arrays(b), n_rows, width, parts)
    assert list(zip(rows.tolist(), codes.tolist(), strict=True)) == want


def test_local_codes_refuses_a_code_past_its_table() -> None:
    """The kernel reads a table of n_codes slots unchecked: a code past it is an error."""
    out, n = kernels.local_codes(np.array([2, -1, 0, 2], dtype=np.int32), 3)
    assert out.tolist() == [0, -1, 1, 0] and n == 2
    with pytest.raises(ValueError, match="not below 3"):
        kernels.local_codes(np.array([0, 3], dtype=np.int32), 3)


@settings(max_examples=100, deadline=None)
@given(st.data())
def test_class_sums_equal_a_slow_e_step(data: st.DataObject) -> None:
    """class_sums: each row's posterior over the classes times its count, summed per class
    and per class, column and level, as a plain numpy E step gives them; in segments of
    any size (here small, so that many segments meet), and the same sums, to the last
    bit, on one worker and on two."""
    n_comp, width = data.draw(st.integers(1, 6)), data.draw(st.integers(1, 5))
    n_class, n = data.draw(st.integers(1, 4)), data.draw(st.integers(0, 300))
    segment = data.draw(st.sampled_from([1, 7, 64, kernels.CLASS_SEGMENT]))
    rng = np.random.default_rng(n * 7 + n_class)
    levels = rng.integers(0, width, size=(n, n_comp)).astype(np.int8)
    tables = rng.standard_normal((n_class, n_comp, width)) * 5
    log_shares = np.log(rng.dirichlet(np.ones(n_class)))
    counts = rng.integers(1, 1000, size=n).astype(np.float64)
    with mock.patch.object(kernels, "CLASS_SEGMENT", segment):
        sums, totals, log_like = kernels.class_sums(levels, tables, log_shares, counts)
        again = kernels.class_sums(levels, tables, log_shares, counts, workers=2)
    assert np.array_equal(sums, again[0]) and np.array_equal(totals, again[1])
    assert log_like == again[2]
    ll = np.tile(log_shares, (n, 1))
    for j in range(n_class):
        for c in range(n_comp):
            ll[:, j] += tables[j, c][levels[:, c]]
    post = np.exp(ll - ll.max(axis=1, keepdims=True))
    # the log-likelihood: each row's count times the log of its classes' summed likelihoods
    want_log = float((counts * (ll.max(axis=1) + np.log(post.sum(axis=1)))).sum()) if n else 0.0
    assert log_like == pytest.approx(want_log, rel=1e-12, abs=1e-9)
    post /= post.sum(axis=1, keepdims=True)
    weights = post * counts[:, None]
    assert np.allclose(totals, weights.sum(axis=0), rtol=1e-12, atol=1e-9)
    for j in range(n_class):
        for c in range(n_comp):
            want = np.bincount(levels[:, c], weights=weights[:, j], minlength=width)
            assert np.allclose(sums[j, c], want, rtol=1e-12, atol=1e-9)


def test_class_sums_refuse_levels_outside_the_tables() -> None:
    tables, shares, counts = np.zeros((2, 2, 3)), np.log([0.5, 0.5]), np.ones(1)
    for bad in ([[0, 3]], [[-1, 0]]):
        with pytest.raises(ValueError, match="outside"):
            kernels.class_sums(np.array(bad, dtype=np.int8), tables, shares, counts)
    with pytest.raises(ValueError, match="do not match"):
        kernels.class_sums(np.zeros((1, 3), dtype=np.int8), tables, shares, counts)


@settings(max_examples=50, deadline=None)
@given(st.integers(1, 40), st.integers(0, 3000), st.integers(1, 5), st.integers(0, 2**31 - 2))
def test_take_column_equals_numpy(n_values: int, n: int, width: int, seed: int) -> None:
    """One column of a level matrix from a gather: numpy's fancy indexing, other columns
    untouched; on one thread or two."""
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 8, n_values).astype(np.int8)
    index = rng.integers(0, n_values, n).astype(np.int32)
    column = int(rng.integers(0, width))
    for workers in (1, 2):
        out = rng.integers(0, 8, (n, width)).astype(np.int8)
        expected = out.copy()
        expected[:, column] = values[index]
        kernels.take_column(values, index, out, column, workers=workers)
        assert np.array_equal(out, expected)
    with pytest.raises(ValueError, match="indices"):
        kernels.take_column(values, index, np.zeros((n + 1, width), dtype=np.int8), column)


# Run in a fresh interpreter, where numba has loaded nothing yet.
_WARMING_UP = """
import threading

import pandas as pd

from rfl_match import kernels
from rfl_match.prepare import PreparedPair
from rfl_match.schema import validate_records


def loading():
    return [t for t in threading.enumerate() if t.name == "rfl_match-warm-up"]


with kernels.warming_up(1):
    assert not loading() and not kernels._person_parts.signatures
try:
    with kernels.warming_up(2):
        assert len(loading()) == 1
        raise KeyError("a column is missing")
except KeyError:
    pass
assert not loading()  # over when the block is left, raised or not
loaded = list(kernels._person_parts.signatures)
assert len(loaded) == 1, loaded
records = validate_records(
    pd.DataFrame(
        {
            "record_id": ["a", "b"],
            "full_name": ["Ana Maria Lopez", None],
            "given_name": [None, "Ali"],
            "family_name": [None, "Hassan"],
        }
    )
)
PreparedPair(records, records).person_names(0)
assert list(kernels._person_parts.signatures) == loaded  # a preparation's types
with kernels.warming_up(2):
    assert not loading()  # loaded: nothing to do
print("ok")
"""


def test_warming_up_loads_person_parts_as_a_preparation_calls_it() -> None:
    """In a fresh process, with more than one worker, warming_up loads person_parts on a
    thread with the types a preparation calls it with (a preparation afterwards adds no
    signature), and the thread is over when the block is left, raised or not; with one
    worker, or once loaded, it starts nothing."""
    done = subprocess.run(
        [sys.executable, "-c", _WARMING_UP], capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(1, 80), max_size=8),
    st.sampled_from([[0.0, -0.0, 1.5], [-2.0, 3.25, np.inf, -np.inf], [0.5, 1.0, 2.0, 7.0]]),
    st.integers(0, 2**31 - 1),
)
def test_strongest_first_equals_numpy_lexsort(
    sizes: list[int], values: list[float], seed: int
) -> None:
    """Groups of pairs (a few, or more than an insertion sort takes), totals often tied
    (0 and -0 too, infinities): each group by total descending, ties in the order given,
    as numpy's stable sort on both keys gives."""
    rng = np.random.default_rng(seed)
    li = np.repeat(np.arange(len(sizes)) * 3, sizes).astype(np.intp)
    total = rng.choice(np.array(values), len(li))
    assert kernels.strongest_first(li, total).tolist() == np.lexsort((-total, li)).tolist()


@settings(max_examples=50, deadline=None)
@given(
    st.lists(st.integers(-(2**62), 2**62), min_size=1, max_size=50),
    st.data(),
    st.sampled_from([1, 2, 3]),
)
def test_gather_equals_numpy_take(values: list[int], data: st.DataObject, workers: int) -> None:
    index = data.draw(st.lists(st.integers(0, len(values) - 1), max_size=200))
    want = np.array(values, dtype=np.int64)[np.array(index, dtype=np.int64)]
    got = kernels.gather(np.array(values), np.array(index, dtype=np.int64), workers=workers)
    assert got.dtype == np.int64
    assert np.array_equal(got, want)
