"""Compiled kernels (numba): the comparisons' per-pair loops; blocking (grouping key
values, joining blocks into pair ids, nearest records in oversized blocks, the candidate
budget); numbering distinct codes (a dense table for code pairs, a hash tally for level
patterns and rows); and the sums of each EM iteration.

A name comparison asks, for each candidate pair, questions over the two names' parts: is
part i of one the same name as part j of the other, or does it sound alike? Written with
numpy these become ``(pairs, parts, parts)`` temporaries, several per question, and a
gather of every part array per pair; compiled, each pair is a few dozen integer compares
on rows read in place, with early exits, over all cores. That is the whole reason numba is
a dependency: these loops are the comparison stage's cost (issue 4).

Each kernel reads the per-record arrays of both sides directly, indexed by the pair arrays
``li``/``ri``; nothing per pair is materialised except the result. Parts are
``(n, MAX_CHAIN)`` int32 codes, -1 = none, left-aligned: the variant class, consonant
skeleton key and phonetic key of each name part. "Same" means the same variant class;
"sounds alike" means the same class, skeleton or phonetic key (given names: a short key,
:data:`SHORT_KEY`, is told apart, for the caller to read the spelling).

The comparison and budget kernels implement plain-Python reference definitions in
``tests/test_kernels.py``, and the tallies and sums equal the numpy they replace; Hypothesis
checks each against its reference on random input.
"""

from __future__ import annotations

import heapq
import os
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
from llvmlite import ir
from numba import config as numba_config
from numba import get_num_threads, njit, prange, set_num_threads, types
from numba.core import cgutils
from numba.extending import intrinsic

from rfl_match.warn import warnings_kept

IntArray = npt.NDArray[np.int32]
Index = npt.NDArray[np.intp]
Levels = npt.NDArray[np.int8]

# OpenMP's threads (numba's threading layer here) spin for a while after each parallel
# kernel, burning a core while the main thread runs the numpy between kernels (measured
# on two cores: a small kernel then a few ms of numpy, 2.5 times the CPU time of one
# thread). Waiting passively costs a wake-up per kernel instead. Read when OpenMP starts
# (the first parallel kernel); a value already set wins.
os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

# Ranks of :func:`chain_ranks`: the family-name levels they become (3 is left for the
# spelling similarity, which the caller computes on the undecided pairs only).
MISSING = 0  # either chain empty
DIFFERENT = 1
COMMON = 2  # some part of one sounds like some part of the other
SOUNDS = 4  # every position sounds alike
REORDERED = 5  # the same names (classes), in another order
TRUNCATED = 6  # one chain is the other's leading part (a dropped grandfather, 2nd surname)
SAME = 7  # the same names position by position

# Ranks of :func:`given_ranks` (the given-name levels; 4 and 2 come from the spelling).
GIVEN_SWAPPED = 3  # given and first family part cross over (the given names differ)
GIVEN_ALIKE = 5
GIVEN_SAME_CLASS = 6
GIVEN_SAME_SPELLING = 7
#: Two given names of two listed variant classes (Hassan, Hassanein): different, whatever
#: their keys or spelling say; ``GivenNameComparison`` reads it as DIFFERENT once the
#: spelling has graded the rest (past the levels, so that grading leaves it).
GIVEN_LISTED_APART = 8
#: Two given names that share no class and no key but a short one (:data:`SHORT_KEY`):
#: alike only if they are also spelt alike, which ``GivenNameComparison`` grades (past
#: the levels, as above); else different, or given and family name swapped
#: (``GIVEN_SHORT_SWAPPED``, whose parts 0 and 1 cross over by their keys).
GIVEN_SHORT_ALIKE = 9
GIVEN_SHORT_SWAPPED = 10
#: The mark of a short key's code in :func:`given_keys` (a key of two consonants or
#: fewer, which many names share: Hosina and Zawwin are both "sn"); equal codes carry
#: equal marks, so that codes still meet as they did.
SHORT_KEY = 1 << 30

#: Kinds of a level a term-frequency level bounds (:func:`weights_over`, :func:`tf_codes`):
#: a near spelling or keys alike, which reads the frequency of the more common of a pair's
#: two values; another arrangement of the names (a swap, another order), which reads it
#: only where it lowers the weight (``compare.Comparison.near_levels``).
TF_NEAR = 1
TF_LOWERING = 2

_OPTIONS: dict[str, Any] = {"cache": True, "nogil": True}
_NO_PAIR = np.iinfo(np.int64).max  # a pair left out (dedupe: not left < right); sorts last
_AHEAD = 16  # pairs ahead to prefetch a random record's row (see _prefetch)
JW_PREFIX = 4  # the longest common prefix Jaro–Winkler rewards
#: A similarity within this of a threshold reaches it: Jaro–Winkler in double rounds a
#: similarity of exactly 0.8 (Hassan / Hana, Samira / Said) to 0.7999999999999999, and
#: rapidfuzz's ``score_cutoff`` then gives 0. Jaro–Winkler's values of words that are not
#: equal to a threshold lie much farther from it (fractions of the words' lengths).
SIMILARITY_TOLERANCE = 1e-6


def _prefetch_call(typingctx: Any, array: Any, index: Any) -> tuple[Any, Any]:
    """Typing and code of :data:`_prefetch`."""
    signature = types.void(array, index)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        kind = sig.args[0]
        data = context.make_array(kind)(context, builder, args[0])
        at = [args[1]] + [ir.Constant(args[1].type, 0)] * (kind.ndim - 1)
        pointer = cgutils.get_item_pointer(context, builder, kind, data, at)  # type: ignore[no-untyped-call]
        byte_pointer = ir.IntType(8).as_pointer()
        i32 = ir.IntType(32)
        hint = ir.FunctionType(ir.VoidType(), [byte_pointer, i32, i32, i32])
        function = cgutils.get_or_insert_function(builder.module, hint, "llvm.prefetch.p0i8")  # type: ignore[no-untyped-call]
        read, keep_everywhere, data_cache = (ir.Constant(i32, v) for v in (0, 3, 1))
        builder.call(
            function, [builder.bitcast(pointer, byte_pointer), read, keep_everywhere, data_cache]
        )
        return context.get_dummy_value()

    return signature, codegen


#: ``_prefetch(array, index)``, in compiled code: ask the CPU to start loading
#: ``array[index]`` (row ``index`` of a 2-d array) into cache, without waiting for it. A
#: loop over pairs reads a random record per pair; asking a few pairs ahead (``_AHEAD``)
#: overlaps those memory reads with the work on the pairs between (measured: the
#: affinity of 19M pairs three times faster). It changes no result.
_prefetch: Any = intrinsic(_prefetch_call)


def _splat(builder: Any, value: Any, lanes: int) -> Any:
    """``value`` (an i32) in every lane of a vector of ``lanes``."""
    vector = ir.VectorType(value.type, lanes)
    first = builder.insert_element(
        ir.Constant(vector, [0] * lanes), value, ir.Constant(ir.IntType(32), 0)
    )
    return builder.shuffle_vector(first, first, ir.Constant(vector, [0] * lanes))


def _part_points_call(lanes: int) -> Any:
    """Typing and code of :data:`_part_points_4` / :data:`_part_points_8` (``lanes``
    parts at most)."""
    n = lanes * lanes

    def call(typingctx: Any, a: Any, x: Any, b: Any, y: Any, width: Any) -> tuple[Any, Any] | None:
        # The code reads rows of int32 in place: any other array would be read wrongly.
        for rows in (a, b):
            if not (
                isinstance(rows, types.Array)
                and rows.dtype == types.int32
                and rows.ndim == 2
                and rows.layout == "C"
            ):
                return None
        signature = types.int64(a, x, b, y, width)

        def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
            i32, i64 = ir.IntType(32), ir.IntType(64)
            vector = ir.VectorType(i32, lanes)
            parts = builder.trunc(args[4], i32)

            def row(side: int) -> list[Any]:
                """The record's classes, skeletons and phonetic keys: a vector each."""
                kind, array, index = sig.args[2 * side], args[2 * side], args[2 * side + 1]
                data = context.make_array(kind)(context, builder, array)
                first = cgutils.get_item_pointer(  # type: ignore[no-untyped-call]
                    context, builder, kind, data, [index, ir.Constant(index.type, 0)]
                )
                out = []
                for field in range(3):
                    at = builder.mul(builder.zext(parts, i64), ir.Constant(i64, field))
                    pointer = builder.bitcast(builder.gep(first, [at]), vector.as_pointer())
                    out.append(builder.load(pointer, align=4))
                return out

            xc, xs, xp = row(0)
            yc, ys, yp = row(1)
            used = builder.icmp_signed(
                "<", ir.Constant(vector, list(range(lanes))), _splat(builder, parts, lanes)
            )
            zero = ir.Constant(vector, [0] * lanes)

            def chain(classes: Any) -> Any:
                """The record's parts: those before its first empty slot (as _length)."""
                bits = builder.bitcast(
                    builder.and_(builder.icmp_signed(">=", classes, zero), used),
                    ir.IntType(lanes),
                )
                after = builder.add(bits, ir.Constant(ir.IntType(lanes), 1))
                bits = builder.and_(bits, builder.not_(after))  # the run of ones from lane 0
                return builder.bitcast(bits, ir.VectorType(ir.IntType(1), lanes))

            has_x, has_y = chain(xc), chain(yc)
            # Lane i + lanes * j of the square: part i of x against part j of y.
            of_x = ir.Constant(ir.VectorType(i32, n), [k % lanes for k in range(n)])
            of_y = ir.Constant(ir.VectorType(i32, n), [k // lanes for k in range(n)])

            def across(v: Any) -> Any:
                return builder.shuffle_vector(v, v, of_x)

            def down(v: Any) -> Any:
                return builder.shuffle_vector(v, v, of_y)

            both = builder.and_(across(has_x), down(has_y))
            nothing = ir.Constant(ir.VectorType(i32, n), [0] * n)
            same = builder.and_(builder.icmp_signed("==", across(xc), down(yc)), both)
            sound = same
            for x_keys, y_keys in ((xs, ys), (xp, yp)):
                keys = across(x_keys)
                alike = builder.and_(
                    builder.icmp_signed("==", keys, down(y_keys)),
                    builder.icmp_signed(">=", keys, nothing),
                )
                sound = builder.or_(sound, builder.and_(alike, both))

            def met(square: Any) -> Any:
                """Parts of x with a lane set in the square, plus parts of y with one."""
                bits = builder.zext(builder.bitcast(square, ir.IntType(n)), i64)
                of_x_met = bits
                for j in range(1, lanes):
                    group = builder.lshr(bits, ir.Constant(i64, lanes * j))
                    of_x_met = builder.or_(of_x_met, group)
                of_x_met = builder.and_(of_x_met, ir.Constant(i64, (1 << lanes) - 1))
                of_y_met, step = bits, 1
                while step < lanes:  # lanes, a power of two: each group folds into its first bit
                    folded = builder.lshr(of_y_met, ir.Constant(i64, step))
                    of_y_met = builder.or_(of_y_met, folded)
                    step *= 2
                firsts = sum(1 << (lanes * j) for j in range(lanes))
                of_y_met = builder.and_(of_y_met, ir.Constant(i64, firsts))
                return builder.add(builder.ctpop(of_x_met), builder.ctpop(of_y_met))

            # Each part the other record has by class: _PART_SOUNDS twice; by sound: once.
            total = builder.add(met(same), met(sound))
            return builder.mul(total, ir.Constant(i64, _PART_SOUNDS))

        return signature, codegen

    return call


#: ``_part_points_4(a, x, b, y, width)``, in compiled code: :func:`_part_points` of rows
#: of ``width`` parts (at most 4; 8 for ``_part_points_8``, from 4 up), every part of x
#: against every part of y at once (a compare a kind over vectors; a record's parts are
#: those before its first empty slot, as :func:`_length` reads them; rows of int32
#: only). A pair's score is the budget's cost, and the part loop was most of it: one of
#: these is about 3 times fewer instructions, without the loop's branches.
_part_points_4: Any = intrinsic(_part_points_call(4))
_part_points_8: Any = intrinsic(_part_points_call(8))


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _prefetch_row(flat: Any, start: int, length: int, per_line: int) -> None:
    """:data:`_prefetch` of each cache line of ``flat[start:start + length]``, whose items
    are ``per_line`` a line (16 of int32): a row of more than 16 columns of int32 spans
    two or three lines (the context budget's rows are 28; a record's best 25 keys,
    :class:`BestPairs`). A step, not a range, so that a step known at run time costs no
    division."""
    at = start
    while at < start + length:
        _prefetch(flat, at)
        at += per_line
    _prefetch(flat, start + length - 1)


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _alike(a: IntArray, x: int, i: int, b: IntArray, y: int, j: int, width: int) -> bool:
    """Part i of record x (side a) sounds like part j of record y (side b): the same class
    (column i), skeleton (width + i) or phonetic key (2 * width + i)."""
    for offset in (0, width, 2 * width):
        c = a[x, offset + i]
        if c >= 0 and c == b[y, offset + j]:
            return True
    return False


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _found(a: IntArray, x: int, b: IntArray, y: int, width: int) -> int:
    """How many parts of record x (side a) have their class among record y's (side b)."""
    found = 0
    for i in range(width):
        c = a[x, i]
        if c < 0:
            continue
        for j in range(width):
            if c == b[y, j]:
                found += 1
                break
    return found


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _chain_rank(a: IntArray, x: int, b: IntArray, y: int, width: int, reordered: bool) -> int:
    """The rank of :func:`chain_ranks` of the name chains ``a[x]`` and ``b[y]``."""
    la = 0
    lb = 0
    for i in range(width):
        if a[x, i] >= 0:
            la += 1
        if b[y, i] >= 0:
            lb += 1
    if la == 0 or lb == 0:
        return MISSING
    # Position by position: same class (both empty counts as equal), sound alike.
    same = True
    sounds = True
    prefix = 0
    leading = True
    for i in range(width):
        ca, cb = a[x, i], b[y, i]
        if ca < 0 and cb < 0:
            leading = False
        elif ca >= 0 and ca == cb:
            if leading:
                prefix += 1
        else:
            same = False
            leading = False
            if sounds and not _alike(a, x, i, b, y, i, width):
                sounds = False
    if same:
        return SAME
    if la != lb and prefix >= min(la, lb):
        return TRUNCATED
    if reordered and la == lb:
        found = _found(a, x, b, y, width)
        hit_b = _found(b, y, a, x, width)
        if found == la and hit_b == lb:
            return REORDERED
    if sounds:
        return SOUNDS
    for i in range(width):
        for j in range(width):
            if _alike(a, x, i, b, y, j, width):
                return COMMON
    return DIFFERENT


#: Words of a name chain's :func:`chain_signatures` (bits: 64 times as many; the hash
#: in ``_chain_signatures`` picks one of 256).
SIGNATURE_WORDS = 4


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _chain_signatures(packed: IntArray, out: npt.NDArray[np.uint64]) -> None:
    width = packed.shape[1] // 3
    for x in range(packed.shape[0]):
        for w in range(SIGNATURE_WORDS):
            out[x, w] = np.uint64(0)
        empty = True
        for i in range(width):
            if packed[x, i] >= 0:
                empty = False
        if empty:
            for w in range(SIGNATURE_WORDS):
                out[x, w] = ~np.uint64(0)
            continue
        for c in range(packed.shape[1]):
            code = packed[x, c]
            if code >= 0:
                key = np.uint64(code) * np.uint64(3) + np.uint64(c // width)
                # The hash's top 8 bits: one of 256 = 64 * SIGNATURE_WORDS bits.
                bit = np.int64(((key + np.uint64(1)) * _GOLDEN) >> np.uint64(56))
                out[x, bit >> 6] |= np.uint64(1) << np.uint64(bit & 63)


def chain_signatures(packed: IntArray) -> npt.NDArray[np.uint64]:
    """Per row of packed parts (``(n, 3 * MAX_CHAIN)``), ``SIGNATURE_WORDS`` words with a
    bit set for each known class, skeleton and phonetic key (the key's kind and code
    hashed to a bit); all bits for a chain without parts. Two chains whose signatures
    share no bit share no class or key: :func:`chain_ranks` ranks them DIFFERENT without
    reading their parts."""
    out = np.empty((len(packed), SIGNATURE_WORDS), dtype=np.uint64)
    _chain_signatures(np.ascontiguousarray(packed, dtype=np.int32), out)
    return out


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _chain_ranks(
    a: IntArray, b: IntArray, sa: npt.NDArray[np.uint64], sb: npt.NDArray[np.uint64],
    li: Index, ri: Index, reordered: bool, level_of: Levels, ta: IntArray, tb: IntArray,
    top: int, out: Levels,
) -> None:  # fmt: skip
    width = a.shape[1] // 3
    texts = len(ta) > 0
    for k in prange(len(li)):
        if k + _AHEAD < len(li):
            _prefetch(sb, ri[k + _AHEAD])
        x, y = li[k], ri[k]
        shared = np.uint64(0)
        for w in range(SIGNATURE_WORDS):
            shared |= sa[x, w] & sb[y, w]
        rank = DIFFERENT
        if shared != 0:
            rank = _chain_rank(a, x, b, y, width, reordered)
        level = level_of[rank]
        if texts and ta[x] >= 0 and ta[x] == tb[y]:
            level = top
        out[k] = level


#: Columns of :func:`given_keys`: the given token, then the class, skeleton and phonetic
#: key of name parts 0 and 1, and a compound given name's skeleton key (+ 1; 0: none) times
#: 8, plus 4 where part 0's class is a listed one (``variants.tsv``), plus 2 where part 0 is
#: a kunya or opens as one (:data:`KUNYA_LIKE`), plus 1 where it is a kunya (a record's keys
#: fill 32 bytes).
GIVEN_COLUMNS = 8


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _keys_agree(a: IntArray, x: int, i: int, b: IntArray, y: int, j: int) -> int:
    """How part i of record x (given keys ``a``) sounds like part j of record y (``b``): 2
    by the same class or a key that is not short, 1 by a short key (:data:`SHORT_KEY`)
    alone, 0 not at all."""
    agree = 0
    for f in range(3):
        c = a[x, 1 + 3 * i + f]
        if c >= 0 and c == b[y, 1 + 3 * j + f]:
            if c & SHORT_KEY == 0:
                return 2
            agree = 1
    return agree


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _keys_alike(a: IntArray, x: int, i: int, b: IntArray, y: int, j: int) -> bool:
    """Part i of record x (given keys ``a``) sounds like part j of record y (``b``), by any
    key."""
    agree: int = _keys_agree(a, x, i, b, y, j)
    return agree > 0


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _compound_agree(a: IntArray, x: int, b: IntArray, y: int) -> int:
    """How one record's compound given name run together ("Noor Ahmad": "nrhmd") is the
    other's given name by skeleton key ("Noorahmad"): 2 by a key that is not short, 1 by
    a short one (:data:`SHORT_KEY`; "Zaw Win": "sn"), 0 not."""
    agree = 0
    ca: int = (a[x, 7] >> 3) - 1
    cb: int = (b[y, 7] >> 3) - 1
    if ca >= 0 and ca == b[y, 2] & ~SHORT_KEY:
        agree = 1 if b[y, 2] & SHORT_KEY else 2
    if agree < 2 and cb >= 0 and cb == a[x, 2] & ~SHORT_KEY:
        agree = 1 if a[x, 2] & SHORT_KEY else 2
    return agree


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _crossed(a: IntArray, x: int, b: IntArray, y: int) -> bool:
    """Record x's name parts 0 and 1 (given keys ``a``) sound like record y's 1 and 0: the
    given and family name swapped. Not where either record repeats its name, its parts 0
    and 1 of one class (Mohamed Mohamed against Mahmoud Mohamed): crossed over, its parts
    meet the other's as they stand, and the given names are as apart as they read."""
    if a[x, 1] >= 0 and a[x, 1] == a[x, 4]:
        return False
    if b[y, 1] >= 0 and b[y, 1] == b[y, 4]:
        return False
    crossed: bool = _keys_alike(a, x, 0, b, y, 1) and _keys_alike(a, x, 1, b, y, 0)
    return crossed


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _given_ranks(a: IntArray, b: IntArray, li: Index, ri: Index, out: Levels) -> None:
    for k in prange(len(li)):
        if k + _AHEAD < len(li):
            _prefetch(b, ri[k + _AHEAD])
        x, y = li[k], ri[k]
        ta, tb = a[x, 0], b[y, 0]
        if ta < 0 or tb < 0:
            out[k] = MISSING
        elif ta == tb:
            out[k] = GIVEN_SAME_SPELLING
        elif a[x, 1] >= 0 and a[x, 1] == b[y, 1]:
            out[k] = GIVEN_SAME_CLASS
        elif (a[x, 7] ^ b[y, 7]) & 3 == 3:
            out[k] = MISSING  # a kunya against a given name: no given name to compare
        else:
            # one compound name, split on one side (Abdi Rahman), listed or not; by a
            # short key (Ali Reza, Alireza: "lr") only where spelt alike
            compound = _compound_agree(a, x, b, y)
            if compound == 2:
                out[k] = GIVEN_ALIKE
            elif compound == 0 and a[x, 7] & b[y, 7] & 4:
                # two listed names of two classes (Hassan, Hassanein; Muhammad, Mahmoud):
                # not one name, though their keys or spelling agree; but swapped they may be
                if _crossed(a, x, b, y):
                    out[k] = GIVEN_SWAPPED
                else:
                    out[k] = GIVEN_LISTED_APART
            else:
                agree = max(compound, _keys_agree(a, x, 0, b, y, 0))
                if agree == 2:
                    out[k] = GIVEN_ALIKE
                elif _crossed(a, x, b, y):
                    out[k] = GIVEN_SHORT_SWAPPED if agree else GIVEN_SWAPPED
                else:
                    out[k] = GIVEN_SHORT_ALIKE if agree else DIFFERENT


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _cross_alike(
    ka: IntArray, kb: IntArray, li: Index, ri: Index, level: int, levels: Levels
) -> None:
    for k in prange(len(li)):
        if k + _AHEAD < len(li):
            _prefetch(kb, ri[k + _AHEAD])
        if levels[k] < level:
            x, y = li[k], ri[k]
            for f in range(3):
                c = ka[x, f]
                d = kb[y, f]
                if (c >= 0 and c == kb[y, 3 + f]) or (d >= 0 and d == ka[x, 3 + f]):
                    levels[k] = level
                    break


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _clear_both(
    levels: Levels, a: npt.NDArray[np.bool_], b: npt.NDArray[np.bool_], li: Index, ri: Index
) -> None:
    for k in prange(len(li)):
        if levels[k] > 0 and a[li[k]] and b[ri[k]]:
            levels[k] = 0


def clear_both(
    levels: Levels,
    a: npt.NDArray[np.bool_],
    b: npt.NDArray[np.bool_],
    li: Index,
    ri: Index,
    *,
    workers: int = 1,
) -> None:
    """In place: the pairs whose records are both flagged (``a`` per left record, ``b``
    per right record) read as missing (level 0), in one pass over the pairs."""
    if len(li):
        with _Threads(workers):
            _clear_both(
                levels, np.ascontiguousarray(a), np.ascontiguousarray(b), _index(li), _index(ri)
            )


def cross_keys(chains: IntArray, rows: IntArray, own: IntArray) -> IntArray:
    """Per record, ``(n, 6)``: the class, skeleton and phonetic key of part 0 of its chain
    (row ``rows[i]`` of ``chains``, packed parts of distinct chains), then those of part 1
    of its own name (``own``, packed parts), for :func:`cross_alike` (a record's keys in
    one row, not behind a row of the table of chains)."""
    width = chains.shape[1] // 3
    part0 = chains[:, [0, width, 2 * width]][rows]
    part1 = own[:, [1, width + 1, 2 * width + 1]]
    return np.ascontiguousarray(np.concatenate([part0, part1], axis=1), dtype=np.int32)


def cross_alike(
    levels: Levels, level: int, a: IntArray, b: IntArray, li: Index, ri: Index, *, workers: int = 1
) -> None:
    """In place: the pairs below ``level`` where part 0 of one side's chain sounds like
    part 1 of the other side's own name take ``level``, both ways round in one pass.
    ``a``, ``b``: each side's :func:`cross_keys` (a key of -1 sounds like nothing)."""
    if len(li):
        with _Threads(workers):
            _cross_alike(a, b, _index(li), _index(ri), level, levels)


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _reaches(
    bags: npt.NDArray[np.uint8], lengths: IntArray, heads: IntArray, x: int, y: int,
    floor: float, least: float,
) -> bool:  # fmt: skip
    """The bound of :func:`may_reach` for words ``x`` and ``y``: ``floor`` is the cutoff
    less a rounding margin, ``least`` the shared-letter test's constant."""
    shared = 0
    for c in range(bags.shape[1]):
        shared += min(bags[x, c], bags[y, c])
    lx, ly = lengths[x], lengths[y]
    if lx > 255 or ly > 255:  # a letter may pass the counts' cap: no bound
        return True
    if shared * (lx + ly) < least * lx * ly:
        return False
    bound = (shared / lx + shared / ly + 1.0) / 3.0
    reach = 0.4 + 0.6 * bound >= floor
    if reach and bound < floor:
        # The boost of the prefix the words share, not of the longest there can be.
        prefix = 0
        while prefix < min(JW_PREFIX, lx, ly) and heads[x, prefix] == heads[y, prefix]:
            prefix += 1
        reach = bound + 0.1 * prefix * (1.0 - bound) >= floor
    return bool(reach)


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _reach_constants(cutoff: float) -> tuple[float, float]:
    """``floor`` and ``least`` of :func:`_reaches` for ``cutoff``."""
    floor = cutoff - SIMILARITY_TOLERANCE
    # 0.4 + 0.6 * bound >= floor, as shared * (1/len_x + 1/len_y) >= least: no division
    # for the many pairs far below
    return floor, 3.0 * (floor - 0.4) / 0.6 - 1.0


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _may_reach(
    bags: npt.NDArray[np.uint8],
    lengths: IntArray,
    heads: IntArray,
    qa: IntArray,
    qb: IntArray,
    cutoff: float,
    out: npt.NDArray[np.bool_],
) -> None:
    floor, least = _reach_constants(cutoff)
    for k in prange(len(qa)):
        out[k] = _reaches(bags, lengths, heads, qa[k], qb[k], floor, least)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _grade_pairs(
    levels: Levels, pending: npt.NDArray[np.bool_], grid: Levels, a: IntArray, b: IntArray,
    x: Index, y: Index, bags: npt.NDArray[np.uint8], lengths: IntArray, heads: IntArray,
    cutoff: float, unknown: int, equal: int, ask: npt.NDArray[np.bool_],
) -> None:  # fmt: skip
    floor, least = _reach_constants(cutoff)
    for k in prange(len(x)):
        ask[k] = False
        level = levels[k]
        if not pending[level]:
            continue
        p, q = a[x[k]], b[y[k]]
        if p < 0 or q < 0:
            levels[k] = grid[level, unknown]
        elif p == q:
            levels[k] = grid[level, equal]
        elif cutoff > 0 and not _reaches(bags, lengths, heads, p, q, floor, least):
            levels[k] = grid[level, unknown]
        else:
            ask[k] = True


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _civil(days: np.int64) -> tuple[np.int64, np.int64, np.int64]:
    """Year, month and day of a date given as days since 1970-01-01 (proleptic Gregorian;
    H. Hinnant's civil_from_days)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (month <= 2), month, day


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _typed_apart(a: np.int64, b: np.int64) -> bool:
    """Two dates of one year that a slip of the pen sets apart: the day or the month one
    keystroke (:func:`_keystroke`) or one off (2010-05-06: 2010-05-07, 2010-05-16,
    2010-08-06; 2010-09-06: 2010-10-06), or the two swapped (2010-06-05: a file's order of
    day and month taken the other way). Not any day of the month (2010-05-17): namesakes
    born the same month met as the same year too, and at 1,000,000 records a side F1 read
    0.7804 so against 0.7826 (``python -m benchmarks speed`` at 3014cd9 and f3258ba,
    benchmarks/RESULTS.md), 0.7839 before slips met (71995f7)."""
    ya, ma, da = _civil(a)
    yb, mb, db = _civil(b)
    if ya != yb:
        return False
    if da == mb and ma == db:
        return True
    slip: bool = False
    if ma == mb:
        slip = abs(da - db) == 1 or _keystroke(da, db)
    elif da == db:
        slip = abs(ma - mb) == 1 or _keystroke(ma, mb)
    return slip


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _keystroke(a: np.int64, b: np.int64) -> bool:
    """Two numbers of two digits (a day, a month) one keystroke apart: one digit written
    otherwise (06, 16; 03, 08), or the two swapped (12, 21)."""
    ta, oa, tb, ob = a // 10, a % 10, b // 10, b % 10
    one: bool = (ta == tb) != (oa == ob) or (ta == ob and oa == tb)
    return one


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _same_day(la: np.int64, ha: np.int64, lb: np.int64, hb: np.int64) -> bool:
    """Two dates known to the day (exact) that name one day: the same days, or one a day
    within the days the other stands for (a lunar Hijri day's Gregorian reading spans
    five: ``dates.DAY_SPAN``). Selects, not branches (the candidate budget's score reads
    it for every pair offered)."""
    same = int(la == lb) & int(ha == hb)
    same |= int(la == ha) & int(lb <= la) & int(la <= hb)
    same |= int(lb == hb) & int(la <= lb) & int(lb <= ha)
    return bool(same)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _interval_levels(
    lo_a: IntArray, hi_a: IntArray, ex_a: npt.NDArray[np.bool_],
    lo_b: IntArray, hi_b: IntArray, ex_b: npt.NDArray[np.bool_], sh_a: IntArray, sh_b: IntArray,
    li: Index, ri: Index, missing: int, year: int, generation: int, out: Levels,
) -> None:  # fmt: skip
    far = 2 if generation > 0 else 1  # the level of a gap over 5 years (up to a generation)
    up = far - 1  # the levels above it, raised one with a generation level below
    for k in prange(len(li)):
        if k + _AHEAD < len(li):
            _prefetch(lo_b, ri[k + _AHEAD])
            _prefetch(hi_b, ri[k + _AHEAD])
            _prefetch(ex_b, ri[k + _AHEAD])
        x, y = li[k], ri[k]
        la, ha, lb, hb = np.int64(lo_a[x]), np.int64(hi_a[x]), np.int64(lo_b[y]), np.int64(hi_b[y])
        if la == missing or lb == missing:
            out[k] = 0
        elif ex_a[x] and ex_b[y] and _same_day(la, ha, lb, hb):
            out[k] = 6 + up
        else:
            gap = max(max(la - hb, lb - ha), np.int64(0))
            wide = max(np.int64(sh_a[x]) - la, np.int64(sh_b[y]) - lb) > 2 * year
            if gap == 0 and not wide:
                out[k] = 5 + up
            elif gap <= year and wide:
                out[k] = 0
            elif (
                gap <= year
                and ex_a[x]
                and ex_b[y]
                and la == ha
                and lb == hb
                and _typed_apart(la, lb)
            ):
                out[k] = 5 + up  # the same year, as a date and its year alone meet
            elif gap <= year:
                out[k] = 4 + up
            elif gap <= 2 * year:
                out[k] = 3 + up
            elif gap <= 5 * year:
                out[k] = 2 + up
            elif generation > 0 and gap > generation:
                out[k] = 1
            else:
                out[k] = far


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _merge_unique(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
) -> int:
    # Without data-dependent branches: which side is smaller is a coin toss per step.
    i = j = n = 0
    while i < len(a) and j < len(b):
        x, y = a[i], b[j]
        out[n] = min(x, y)
        i += x <= y
        j += y <= x
        n += 1
    while i < len(a):
        out[n] = a[i]
        i += 1
        n += 1
    while j < len(b):
        out[n] = b[j]
        j += 1
        n += 1
    return n


def merge_unique(a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """The union of two ascending arrays of distinct integers, ascending: one linear pass,
    no sort and no concatenated copy (the union of blocking rules' pair ids)."""
    if not len(a) or not len(b):  # a copy of the other: a memory copy, not a merge
        return np.array(b if len(b) else a, dtype=np.int64)
    out = np.empty(len(a) + len(b), dtype=np.int64)
    n = _merge_unique(
        np.ascontiguousarray(a, dtype=np.int64), np.ascontiguousarray(b, dtype=np.int64), out
    )
    return _shrunk(out, n)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _merge_counts(
    a: npt.NDArray[np.int64], ca: npt.NDArray[np.int64], b: npt.NDArray[np.int64],
    cb: npt.NDArray[np.int64], out: npt.NDArray[np.int64], counts: npt.NDArray[np.int64],
) -> int:  # fmt: skip
    i = j = n = 0
    while i < len(a) and j < len(b):
        x, y = a[i], b[j]
        if x <= y:
            out[n] = x
            counts[n] = ca[i]
            i += 1
            if x == y:
                counts[n] += cb[j]
                j += 1
        else:
            out[n] = y
            counts[n] = cb[j]
            j += 1
        n += 1
    while i < len(a):
        out[n] = a[i]
        counts[n] = ca[i]
        i += 1
        n += 1
    while j < len(b):
        out[n] = b[j]
        counts[n] = cb[j]
        j += 1
        n += 1
    return n


def merge_counts(
    a: npt.NDArray[np.int64],
    ca: npt.NDArray[np.int64],
    b: npt.NDArray[np.int64],
    cb: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Two ascending arrays of distinct integers with a count each, merged: their union,
    ascending, and each value's counts added (one linear pass)."""
    out = np.empty(len(a) + len(b), dtype=np.int64)
    counts = np.empty(len(out), dtype=np.int64)
    n = _merge_counts(
        np.ascontiguousarray(a, dtype=np.int64), np.ascontiguousarray(ca, dtype=np.int64),
        np.ascontiguousarray(b, dtype=np.int64), np.ascontiguousarray(cb, dtype=np.int64),
        out, counts,
    )  # fmt: skip
    return _shrunk(out, n), _shrunk(counts, n)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _code_digits(
    codes: npt.NDArray[np.int64], spans: npt.NDArray[np.int64], low: npt.NDArray[np.int64],
    out: npt.NDArray[np.signedinteger[Any]],
) -> None:  # fmt: skip
    for i in prange(len(codes)):
        code = codes[i]
        for c in range(len(spans) - 1, -1, -1):
            rest = code // spans[c]
            out[i, c] = code - rest * spans[c] + low[c]
            code = rest


def code_digits(
    codes: npt.NDArray[np.int64],
    spans: Sequence[int],
    low: Sequence[int],
    workers: int = 1,
    dtype: type[np.int32] | type[np.int64] = np.int64,
) -> npt.NDArray[np.signedinteger[Any]]:
    """Mixed-radix codes (``code = code * spans[c] + row[c] - low[c]`` over the columns in
    turn, each digit in ``[0, spans[c])``) back to their rows, one per code: a row's digits
    in one pass, where numpy's divmod makes two arrays per column. ``dtype`` int32 halves
    the table where the caller knows every column's range fits in it."""
    out = np.empty((len(codes), len(spans)), dtype=dtype)
    if len(codes) and len(spans):
        with _Threads(workers):
            _code_digits(
                np.ascontiguousarray(codes, dtype=np.int64), np.asarray(spans, dtype=np.int64),
                np.asarray(low, dtype=np.int64), out,
            )  # fmt: skip
    return out


def union_all(runs: list[npt.NDArray[np.int64]]) -> npt.NDArray[np.int64]:
    """The union of ascending arrays of distinct integers, ascending; ``runs`` is emptied
    (each run is freed once merged). Merging each new run into one growing union copies
    the union once per run; merging the two shortest runs first copies each value about
    log2(runs) times instead. The result owns its memory (a run that is a slice of a
    larger array is copied, not kept with all of it)."""
    pending = [(len(run), order, run) for order, run in enumerate(r for r in runs if len(r))]
    runs.clear()
    heapq.heapify(pending)
    order = len(pending)
    while len(pending) > 1:
        _, _, first = heapq.heappop(pending)
        _, _, second = heapq.heappop(pending)
        union = merge_unique(first, second)
        del first, second
        heapq.heappush(pending, (len(union), order, union))
        order += 1
    if not pending:
        return np.zeros(0, dtype=np.int64)
    last = pending.pop()[2]
    return np.array(last, dtype=np.int64) if last.base is not None else last


def _shrunk(values: npt.NDArray[np.int64], n: int) -> npt.NDArray[np.int64]:
    """``values[:n]``, the rest of its memory given back in place (a realloc, no copy):
    a slice would hold all of it, and a union is often far shorter than its two inputs.
    ``values`` must own its memory and have no views."""
    values.resize(n, refcheck=False)
    return values


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _components(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
) -> None:
    # Union-find with path halving; a root hooks under the smaller one, so that every
    # row's parent is at most the row and one ascending pass then reads every root.
    for i in range(len(out)):
        out[i] = i
    for k in range(len(a)):
        x, y = a[k], b[k]
        while out[x] != x:
            out[x] = out[out[x]]
            x = out[x]
        while out[y] != y:
            out[y] = out[out[y]]
            y = out[y]
        if x < y:
            out[y] = x
        elif y < x:
            out[x] = y
    for i in range(len(out)):
        out[i] = out[out[i]]


def components(n: int, a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Each of ``n`` rows' connected component of the graph of edges ``a``-``b`` (rows),
    as the component's smallest row.

    >>> components(5, np.array([3, 1]), np.array([1, 4])).tolist()
    [0, 1, 2, 1, 1]
    """
    out = np.empty(n, dtype=np.int64)
    _components(
        np.ascontiguousarray(a, dtype=np.int64), np.ascontiguousarray(b, dtype=np.int64), out
    )
    return out


# The cheap score of :func:`affinity`, in points: per name part that the other record has
# (either way round), by class or by sound key only; birth intervals by their gap; sex.
_PART_SAME, _PART_SOUNDS = 6, 3
# _part_points_4 / _8 count a part met by class twice (once as met, once as sounding alike).
assert _PART_SAME == 2 * _PART_SOUNDS
_BIRTH_EXACT, _BIRTH_OVERLAP, _BIRTH_YEAR, _BIRTH_TWO, _BIRTH_FAR = 26, 10, 6, 2, -10
_SEX_DIFFERENT = -20
# Two exact dates with the same day and month, their years at most _DAY_MONTH_YEARS
# apart: a year misstated (a typo in its last digit or its decade, 2009 / 2019, or an
# estimate) with the day and month kept, which namesakes share only 1 time in 365.
# An assumption, not measured on real records: it was chosen after reading the synthetic
# generator, which keeps the day and month when it misestimates an age, so the synthetic
# gains overstate it. It relies on placeholders not being exact (dates.py: 1 January,
# 1 July, the 15th); a day registrars use that the list lacks (31 December, 21 March)
# makes namesakes share a "birthday" far more often (a fifth of dates on one day: 15
# times). A calendar conversion does not keep day and month. Synthetic data, 300,000 a
# side (tb.py): pairs completeness 0.9319 -> 0.9430 with 6,687,967 pairs, against
# 7,271,859 (10 points: 0.9423; within 4 years: 0.9390); FEBRL (digit typos): FEBRL3
# cluster F1 0.9501 -> 0.9504, FEBRL4 one true pair of 5,000 fewer in the candidates.
# Measured since on the generator changed so that a misestimated age's exact date takes
# an unrelated day and month (tb.py, with against without these points): 300,000 a side
# 0.9313 with 7,197,451 pairs against 0.9320 with 7,295,771; 1,000,000 0.8862 / 25,527,818
# against 0.8872 / 25,878,714; F1 at 100,000 a side 0.8084 against 0.8081. So on such
# records the points cost nothing and find nothing: the synthetic gain above came from the
# birthdays the generator kept. It now keeps a quarter of them (synth.records.
# BIRTHDAY_KEPT, a guess): 300,000 a side 0.9340 / 7,079,035 against 0.9320 / 7,293,183;
# 1,000,000 0.8904 / 25,191,860 against 0.8873 / 25,870,013; F1 at 100,000 a side 0.8092
# against 0.8080.
_BIRTH_DAY_MONTH, _DAY_MONTH_YEARS = 16, 10
# The sex-and-exact column of affinity_rows: exact (bit 0), then the day of an exact date
# as month * 32 + day (9 bits; 0 if not exact), then the sex code from this bit up.
_DAY_MONTH_MASK, _SEX_SHIFT = 0x3FE, 10
# BestPairs' second choice: per context value both records hold alike (a byte of the
# context column, see affinity_rows: a parent's name, a place). As a part met by class
# (and as the context budget scores an agreeing field); synthetic data, 100,000 a side,
# completeness 0.9386 -> 0.9410 (9 points: 0.9429, 12: 0.9442, but F1 0.7564 -> 0.7559,
# 0.7543: the extra pairs are more often relatives the model scores high).
_CONTEXT_SAME = 6
_CONTEXT_BITS = 3  # how many context values are alike (0 to 4), beside a key for a right record


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _length(a: IntArray, x: int, width: int) -> int:
    """Record x's name parts (left-aligned: the first empty slot ends a chain)."""
    n = 0
    while n < width and a[x, n] >= 0:
        n += 1
    return n


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _part_points(a: IntArray, x: int, la: int, b: IntArray, y: int, lb: int, width: int) -> int:
    """Points for each of the ``la`` parts of x and ``lb`` of y that the other record has
    by class, fewer for one that only sounds like one of the other's: at most
    ``_PART_SAME * (la + lb)``. One pass over the part pairs serves both directions,
    written without data-dependent branches (they mispredict: the test is a coin toss
    per pair)."""
    total = 0
    same_b = 0  # bit j: part j of y has its class among x's parts
    sound_b = 0  # bit j: part j of y sounds like one of x's parts
    for i in range(la):
        ca, sa, pa = a[x, i], a[x, width + i], a[x, 2 * width + i]
        same = 0
        sound = 0
        for j in range(lb):
            s = int(ca == b[y, j])
            d = int(sa >= 0) & int(sa == b[y, width + j])
            d |= int(pa >= 0) & int(pa == b[y, 2 * width + j])
            same |= s
            sound |= d
            same_b |= s << j
            sound_b |= d << j
        total += _PART_SOUNDS * (same | sound) + (_PART_SAME - _PART_SOUNDS) * same
    for j in range(lb):
        has = (same_b >> j) & 1
        total += _PART_SOUNDS * (has | ((sound_b >> j) & 1)) + (_PART_SAME - _PART_SOUNDS) * has
    return total


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _birth_sex_points(
    a: IntArray, x: int, b: IntArray, y: int, width: int, missing: int, year: int
) -> int:
    """The birth intervals' points, by their gap, and a different sex's (selects, not
    branches: the gap's class is a coin toss per pair)."""
    # Each row: the packed parts, then birth lo, hi, sex and exact, context (affinity_rows).
    lo, hi, sex_exact = 3 * width, 3 * width + 1, 3 * width + 2
    la, lb = np.int64(a[x, lo]), np.int64(b[y, lo])
    ha, hb = np.int64(a[x, hi]), np.int64(b[y, hi])
    gap = max(max(la - hb, lb - ha), np.int64(0))
    points = _BIRTH_FAR if gap > 5 * year else 0
    points = _BIRTH_TWO if gap <= 2 * year else points
    points = _BIRTH_YEAR if gap <= year else points
    points = _BIRTH_OVERLAP if gap == 0 else points
    ea, eb = a[x, sex_exact], b[y, sex_exact]
    both = ea & eb & 1
    birthday = both & int(((ea ^ eb) & _DAY_MONTH_MASK) == 0)
    # the same day and month: years n apart are 365 n days and a leap day every four
    birthday &= int(gap < (_DAY_MONTH_YEARS + 1) * year)
    points = max(points, _BIRTH_DAY_MONTH) if birthday else points
    points = _BIRTH_EXACT if both & int(_same_day(la, ha, lb, hb)) else points
    score = points if (la != missing) & (lb != missing) else 0
    sa, sb = ea >> _SEX_SHIFT, eb >> _SEX_SHIFT
    return score + (_SEX_DIFFERENT if (sa >= 0) & (sb >= 0) & (sa != sb) else 0)


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _context_alike(a: IntArray, x: int, b: IntArray, y: int, width: int) -> int:
    """How many of the context column's bytes (:func:`affinity_rows`) both records hold
    (not 0) alike: 0 to 4."""
    at = 3 * width + 3
    ca, cb = np.int64(a[x, at]) & 0xFFFFFFFF, np.int64(b[y, at]) & 0xFFFFFFFF
    # Per byte, its top bit: set where the byte is not 0 (exact, no borrow between bytes).
    held = ((ca & 0x7F7F7F7F) + 0x7F7F7F7F) | ca
    differ = ca ^ cb
    differs = ((differ & 0x7F7F7F7F) + 0x7F7F7F7F) | differ
    ones = (held & ~differs & 0x80808080) >> 7  # a bit at the foot of each byte alike
    alike: int = int(((ones * 0x01010101) >> 24) & 0xFF)  # their sum, in the top byte
    return alike


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _score(a: IntArray, x: int, b: IntArray, y: int, width: int, missing: int, year: int) -> int:
    """:func:`affinity` of records x (side a) and y (side b)."""
    if width == 4:
        points: int = _part_points_4(a, x, b, y, width)
    elif 4 < width <= 8:
        points = _part_points_8(a, x, b, y, width)
    else:
        points = _part_points(a, x, _length(a, x, width), b, y, _length(b, y, width), width)
    points += _birth_sex_points(a, x, b, y, width, missing, year)
    return points


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _affinity(
    a: IntArray, b: IntArray, ids: npt.NDArray[np.int64], n_right: int, missing: int, year: int,
    out: npt.NDArray[np.int16],
) -> None:  # fmt: skip
    width = (a.shape[1] - 4) // 3
    for k in prange(len(ids)):
        if k + _AHEAD < len(ids) and ids[k + _AHEAD] != _NO_PAIR:
            _prefetch(b, ids[k + _AHEAD] % n_right)
        if ids[k] == _NO_PAIR:
            out[k] = 0
            continue
        x = ids[k] // n_right
        out[k] = _score(a, x, b, ids[k] - x * n_right, width, missing, year)


def affinity_rows(side: tuple[Any, ...], context: npt.NDArray[np.int32] | None = None) -> IntArray:
    """One side's inputs to :func:`affinity` (packed parts ``(n, 3 * MAX_CHAIN)``, birth
    lo, hi, exact, sex codes with -1 unknown) as one int32 row per record, each row a
    64-byte cache line when parts are 12 wide: a pair's other record is a random row, and
    one line is one memory read instead of five. Sex, exact and an exact date's day and
    month share a column (``1024 * sex + 2 * (32 * month + day) + exact``); ``context``,
    per record, up to four context values, a byte each (0: none; both sides' bytes made
    alike, see ``blocking._context_bytes``), or none."""
    parts, lo, hi, exact, sex = side
    n, cols = parts.shape[0], parts.shape[1] + 4
    # Aligned to 64 bytes, so that a 16-column row never straddles two cache lines.
    buffer = np.empty(n * cols + 16, dtype=np.int32)
    skip = (-buffer.ctypes.data % 64) // 4
    rows: IntArray = buffer[skip : skip + n * cols].reshape(n, cols)
    rows[:, : parts.shape[1]] = parts
    rows[:, -4] = lo
    rows[:, -3] = hi
    # 32 * month + day, not the day of the year, which moves after February in leap years;
    # of the middle of the days an exact date stands for (a lunar Hijri day's five)
    known = np.asarray(exact, dtype=bool)
    lo64, hi64 = np.asarray(lo, dtype=np.int64), np.asarray(hi, dtype=np.int64)
    day = np.where(known, lo64 + (hi64 - lo64) // 2, 0).astype("datetime64[D]")
    month = day.astype("datetime64[M]")
    day_month = (month.astype(np.int64) % 12 + 1) * 32 + (day - month).astype(np.int64) + 1
    column = (np.asarray(sex, dtype=np.int64) << _SEX_SHIFT) + known
    rows[:, -2] = column + np.where(known, 2 * day_month, 0)
    rows[:, -1] = 0 if context is None else context
    return rows


def affinity(
    a: IntArray,
    b: IntArray,
    ids: npt.NDArray[np.int64],
    n_right: int,
    *,
    missing: int,
    year: int,
    workers: int = 1,
) -> npt.NDArray[np.int16]:
    """A cheap score per pair id (``left * n_right + right``), to rank a record's
    candidates: 6 points for each name part of either record that the other has (same
    variant class), 3 if it only shares a sound key; birth intervals add 26 for the same
    exact date, 16 for exact dates of the same day and month at most ten years apart (a
    birthday kept, a year misestimated), 10 overlapping, 6 within a year, 2 within two,
    and take 10 off beyond five years; a different sex takes 20 off. (Measured on
    synthetic data, flat points per part ranked true pairs higher than weights by name
    rarity did.)

    ``a``, ``b``: per side, :func:`affinity_rows`. An id ``_NO_PAIR`` (no pair) scores 0.
    Scores lie in [-256, 256).
    """
    ids = np.ascontiguousarray(ids, dtype=np.int64)
    score = np.empty(len(ids), dtype=np.int16)
    if len(ids):
        with _Threads(workers):
            _affinity(a, b, ids, n_right, missing, year, score)
    return score


_SCORE_BINS = 512  # affinity scores lie in [-256, 256)
Keys = npt.NDArray[np.int32] | npt.NDArray[np.int64]  # preference keys, as narrow as fit


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _preference(score: int, other_rank: int, shift: int) -> int:
    """A record's pairs in order of preference as one integer, lowest first: the higher
    score, then the other record of lower rank (distinct, so a record's keys are too)."""
    level = min(max(score + _SCORE_BINS // 2, 0), _SCORE_BINS - 1)
    return ((_SCORE_BINS - 1 - level) << shift) | other_rank


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _score_of(key: int, shift: int) -> int:
    """The score a :func:`_preference` key was made from (scores lie in the bins)."""
    score: int = _SCORE_BINS - 1 - (key >> shift) - _SCORE_BINS // 2
    return score


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _offer(best: Keys, node: int, key: int) -> None:
    """Into ``best[node]`` (the record's least keys so far, ascending, the dtype's
    largest value where none): ``key``, if it is among the least and not there already
    (a pair met again)."""
    k = best.shape[1]
    if key >= best[node, k - 1]:
        return  # the common case once a record has its k: one compare
    j = 0
    for t in range(k):  # where it goes: a count, without branches
        j += best[node, t] < key
    if best[node, j] == key:
        return
    for t in range(k - 1, j, -1):
        best[node, t] = best[node, t - 1]
    best[node, j] = key


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _limit(best: Keys, node: int, shift: int, within: int) -> int:
    """The least key :func:`_offer` leaves out of ``best[node]``: its last kept, or one
    whose score level is more than ``within`` below its best's (the best only improve,
    so such a pair would never count; no cut while the record has no pair: a free slot's
    level lies above the bins)."""
    level: int = min((int(best[node, 0]) >> shift) + within + 1, _SCORE_BINS)
    last: int = best[node, best.shape[1] - 1]
    return min(last, level << shift)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _offer_left(
    a: IntArray, b: IntArray, ids: npt.NDArray[np.int64], bounds: npt.NDArray[np.int64],
    n_right: int, right_offset: int, rank: npt.NDArray[np.int64], shift: int, missing: int,
    year: int, best: Keys, low: int, to_right: npt.NDArray[np.int64], top_shift: int,
    counts: npt.NDArray[np.int64], second: Keys, within: int,
) -> None:  # fmt: skip
    """Each pair (ids grouped by left record, records ascending; a part ``bounds[t]:
    bounds[t + 1]`` of whole left records per thread) scored and offered to its left
    record's best; into ``to_right``, its right record ``y`` and key for it as
    ``y << low | key``, counted in ``counts[t, y >> top_shift]`` (:func:`_by_top_digit`).
    A left record's pairs come together: its division by ``n_right`` is done once, its
    row of ``a`` and ``best`` read once; the right records are random rows (fetched
    ahead, each line of a wide row). With a ``second`` choice (rows of it), the pair is
    offered to it too by the score plus the context values alike, whose count goes in
    ``to_right`` as ``(y << _CONTEXT_BITS | alike) << low | key``. ``within``: a left
    record's cut as pairs come (:func:`_limit`; ``_SCORE_BINS``: none), its limit held
    while its pairs are offered, read again only after one is kept."""
    width, cols = (a.shape[1] - 4) // 3, b.shape[1]
    rows_b = b.reshape(b.size)
    two = second.shape[0] > 0
    for part in prange(len(bounds) - 1):
        first, end = bounds[part], bounds[part + 1]
        x = y_ahead = -1
        x_end = ahead_end = limit = 0  # the first id past record x's (x_ahead's) pairs
        x_ahead = 0
        for p in range(first, end):
            if p + _AHEAD < end:
                pair = ids[p + _AHEAD]
                if pair >= ahead_end:
                    x_ahead = pair // n_right
                    ahead_end = (x_ahead + 1) * n_right
                y_ahead = pair - x_ahead * n_right
                _prefetch_row(rows_b, y_ahead * cols, cols, 16)
                _prefetch(rank, y_ahead + right_offset)
            pair = ids[p]
            if pair >= x_end:
                x = pair // n_right
                x_end = (x + 1) * n_right
                limit = _limit(best, x, shift, within)
            y = pair - x * n_right
            score = _score(a, x, b, y, width, missing, year)
            other = rank[y + right_offset]
            key = _preference(score, other, shift)
            if key < limit:
                _offer(best, x, key)
                limit = _limit(best, x, shift, within)
            key = _preference(score, rank[x], shift)
            if two:
                alike = _context_alike(a, x, b, y, width)
                _offer(second, x, _preference(score + _CONTEXT_SAME * alike, other, shift))
                key |= ((y << _CONTEXT_BITS) | alike) << low
            else:
                key |= y << low
            to_right[p] = key
            counts[part, y >> top_shift] += 1


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _offer_right(
    to_right: npt.NDArray[np.int64], starts: npt.NDArray[np.int64],
    cuts: npt.NDArray[np.int64], low: int, right_offset: int, best: Keys, shift: int,
    second: Keys,
) -> None:  # fmt: skip
    """Each ``y << low | key`` offered to right record y's best, bucket by bucket
    (:func:`_by_top_digit`: ``starts[d]:starts[d + 1]``, a few hundred right records
    each; a thread per run ``cuts[t]:cuts[t + 1]`` of them): a bucket's rows of the best
    stay in cache while its values are offered, in any order; each row is fetched ahead,
    for it comes from memory the first time a batch reads it (a batch holds a few values
    a record; measured at 1M records a side, a third of this kernel's time). With a
    ``second`` choice, each is ``(y << _CONTEXT_BITS | alike) << low | key``, offered to
    y's second choice too, its score raised by the context values alike (the key:
    :func:`_preference`)."""
    mask = (1 << low) - 1
    two = second.shape[0] > 0
    y_shift = low + (_CONTEXT_BITS if two else 0)
    k = best.shape[1]
    rows = best.reshape(best.size)
    per_line = 64 // best.itemsize
    for part in prange(len(cuts) - 1):
        end = starts[cuts[part + 1]]
        for p in range(starts[cuts[part]], end):
            if p + _AHEAD < end:
                node = (to_right[p + _AHEAD] >> y_shift) + right_offset
                _prefetch_row(rows, node * k, k, per_line)
            value = to_right[p]
            key = value & mask
            if two:
                node = (value >> (low + _CONTEXT_BITS)) + right_offset
                _offer(best, node, key)
                alike = (value >> low) & ((1 << _CONTEXT_BITS) - 1)
                score = _score_of(key, shift) + _CONTEXT_SAME * alike
                raised = _preference(score, key & ((1 << shift) - 1), shift)
                _offer(second, node, raised)
            else:
                _offer(best, (value >> low) + right_offset, key)


def _whole_parts(values: npt.NDArray[np.int64], parts: int, unit: int) -> npt.NDArray[np.int64]:
    """Bounds of ``parts`` parts of about equal length of ``values`` grouped by ``values //
    unit``, groups ascending (in any order within one), each part whole groups (a
    record's pairs never split between threads)."""
    cuts = np.linspace(0, len(values), parts + 1).astype(np.int64)
    if not len(values):
        return cuts
    inner = values[np.minimum(cuts[1:-1], len(values) - 1)] // unit * unit
    cuts[1:-1] = np.searchsorted(values, inner)
    return cuts


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _held(
    node: int, key: int, mask: int, right_offset: int,
    other_left: npt.NDArray[np.int64], other_right: npt.NDArray[np.int64],
) -> tuple[int, int, bool]:  # fmt: skip
    """The pair a node's key names: (left row, right row, whether the node is its left
    record). The key names the other record by rank (``key & mask``): a left node's other
    is ``other_right[rank]``, a right node's ``other_left[rank]``; in one list
    (``right_offset`` 0) a node is both, and its pair is (lower row, higher row)."""
    if right_offset == 0:
        other = other_right[key & mask]
        if other < node:
            return other, node, False
        return node, other, True
    if node < right_offset:
        return node, other_right[key & mask], True
    return other_left[key & mask], node - right_offset, False


_KEPT_RANGES = 4  # record ranges of _kept_pairs, at most (one a thread)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _kept_pairs(
    best: Keys, free: int, mask: int, n_right: int, right_offset: int,
    other_left: npt.NDArray[np.int64], other_right: npt.NDArray[np.int64], threads: int,
    out: npt.NDArray[np.int64], shift: int, within: int,
) -> int:  # fmt: skip
    """Into ``out``: the distinct pair ids in any record's best, ascending, of each
    record's only those whose score level (``key >> shift``) is at most ``within`` below
    its best's; returns their count. Two ascending runs, merged: the pairs a left record
    holds (nodes come in ascending left row; each record's few sorted in place), and those
    a right record holds (written in the order they are read, each of ``threads`` ranges
    of nodes after the ranges before it, then sorted: a radix sort, :func:`_lsd`, in
    ``out``'s place; placing each by its left row, a random write, cost more)."""
    n_nodes, k = best.shape
    n_left = right_offset if right_offset else n_nodes
    span = (n_nodes + threads - 1) // threads
    own = np.zeros(n_nodes + 1, dtype=np.int64)  # node's left-held pairs, then offsets
    place = np.zeros(threads, dtype=np.int64)  # range's right-held, then its first place
    for t in prange(threads):
        for node in range(t * span, min((t + 1) * span, n_nodes)):
            last = (best[node, 0] >> shift) + within  # the lowest score level kept
            for j in range(k):
                key = best[node, j]
                if key == free or (key >> shift) > last:
                    break
                left, right, held_left = _held(
                    node, key, mask, right_offset, other_left, other_right
                )
                if left < 0 or right < 0:  # another budget's record (set_right_rows)
                    continue
                if held_left:
                    own[node + 1] += 1
                else:
                    place[t] += 1
    for node in range(n_nodes):
        own[node + 1] += own[node]
    total = 0
    for t in range(threads):
        count = place[t]
        place[t] = total
        total += count
    by_left = np.empty(own[n_nodes], dtype=np.int64)
    by_right = np.empty(total, dtype=np.int64)
    for t in prange(threads):
        for node in range(t * span, min((t + 1) * span, n_nodes)):
            first = m = own[node]
            last = (best[node, 0] >> shift) + within
            for j in range(k):
                key = best[node, j]
                if key == free or (key >> shift) > last:
                    break
                left, right, held_left = _held(
                    node, key, mask, right_offset, other_left, other_right
                )
                if left < 0 or right < 0:
                    continue
                value = left * n_right + right
                if held_left:
                    at = m  # the record's own few: an insertion sort
                    while at > first and by_left[at - 1] > value:
                        by_left[at] = by_left[at - 1]
                        at -= 1
                    by_left[at] = value
                    m += 1
                else:
                    by_right[place[t]] = value
                    place[t] += 1
    bits = 0  # of the largest pair id
    while (n_left * n_right - 1) >> bits:
        bits += 1
    passes, width = _digits(bits)
    counts = np.empty((max(passes, 1), 1 << width), dtype=np.int64)
    held = _lsd(by_right, out[:total], 0, total, 0, bits, counts)
    if passes % 2:  # sorted into out's place: back, for out is merged into
        by_right[:] = held
    n: int = _merge_unique(by_left, by_right, out)
    return n


class Scratch:
    """Buffers of int64 reused from one batch to the next, by slot (0, 1), each grown to
    the largest asked for: a batch's worth of fresh memory costs the kernel's time to map
    and clear it. A buffer taken is good until its slot is taken again."""

    def __init__(self) -> None:
        self.held: list[npt.NDArray[np.int64]] = [np.zeros(0, dtype=np.int64)] * 2

    def take(self, slot: int, size: int) -> npt.NDArray[np.int64]:
        """The first ``size`` places of slot ``slot``'s buffer (grown if smaller, by an
        eighth at least: batches vary a little in size)."""
        held = len(self.held[slot])
        if held < size:
            self.held[slot] = np.zeros(0, dtype=np.int64)  # freed before the new one
            self.held[slot] = np.empty(max(size, held + held // 8), dtype=np.int64)
        return self.held[slot][:size]

    def clear(self) -> None:
        """Free the buffers."""
        self.held = [np.zeros(0, dtype=np.int64)] * 2


class BestPairs:
    """The candidate budget, as pairs stream in: each record's ``k`` best pairs by
    :func:`affinity`, ties to the other record of lower ``rank`` (its id's rank, so that
    the choice does not depend on row order); a pair stays if it is among the best of
    either of its records, so every record keeps its ``k`` best (all, if it has at most
    ``k``).

    Pairs are offered a batch at a time, in any order and any number of times (a pair met
    by several blocks or rules): what is kept equals one choice over the distinct pairs
    offered, with no union of them ever held (a record's best are the least of its
    distinct preference keys, whatever order they come in). Memory: ``k`` keys per
    record (at most the larger side's records), 4 bytes each up to two million records.
    Size: up to about 2**26 (67 million) records a side, so that a right record and a
    key for it fit one int64 (``ValueError`` beyond; 2**25 with a second choice).

    ``a``, ``b``: per side, :func:`affinity_rows`. Records are nodes: a pair's left row,
    and its right row + ``right_offset`` (the number of left rows when linking two lists,
    0 when both sides are one list and each pair has left < right). ``rank`` is per
    node, distinct within a side.

    ``second``: each record's best this many pairs by a second score, the affinity plus
    ``_CONTEXT_SAME`` points per context value the two records hold alike (the rows'
    context column), kept in the same pass (:meth:`ids` with ``second=True``): a true
    pair whose birth was misstated by years, which namesakes born the same year crowd out
    of the best, is found by a father's name or a place the two share, while the best
    (what the model learns from) stay as they were. 4 bytes a record more each.

    ``within``: of a record's best, only those scoring at most this many points below its
    best pair count as its choice (:meth:`ids`; none: all ``k``), so that a record with a
    clear match does not also hold ``k`` namesakes that only share its name.
    ``cut_early``: a pair past the cut below its left record's best so far is not kept
    among that record's ``k`` as it is offered (the best only improve, so it could never
    count): fewer insertions, the same choice; the ``k`` best past the cut (:meth:`ids`
    with ``cut=False``) are then not known.

    ``rank_bits``: at least this many bits for a rank in a key, so that the keys of
    several budgets whose ranks share one numbering (the partitions of a run,
    ``prepare.Partition``) compare: :meth:`right_rows`, :func:`merge_rows` and
    :meth:`set_right_rows` then give each right record its choice among the left records
    of all of them. A key naming a left record of another budget is skipped by
    :meth:`ids` (but counts for the cut). ``most``: the most records a side has over
    all of them (the rows are as wide as one budget over them all would hold).
    """

    def __init__(
        self,
        a: IntArray,
        b: IntArray,
        rank: npt.NDArray[np.int64],
        k: int,
        *,
        n_right: int,
        right_offset: int,
        missing: int,
        year: int,
        second: int = 0,
        within: int | None = None,
        cut_early: bool = False,
        rank_bits: int = 0,
        most: int = 0,
    ) -> None:
        self.rows = (a, b)
        self.within = _SCORE_BINS if within is None else within
        #: The cut :func:`_offer_left` applies as pairs come (none: ``_SCORE_BINS``).
        self.early = self.within if cut_early else _SCORE_BINS
        self.rank = np.ascontiguousarray(rank, dtype=np.int64)
        self.n_right = max(n_right, 1)
        self.right_offset = right_offset
        self.missing, self.year = missing, year
        self.shift = max(int(self.rank.max(initial=0)).bit_length(), rank_bits, 1)
        # A right record and a key for it, as one int64 (``y << low | key``; with a second
        # choice, the context values alike between them).
        self.low = (_SCORE_BINS.bit_length() - 1) + self.shift
        self.y_low = self.low + (_CONTEXT_BITS if second else 0)
        if (max(len(b) - 1, 1)).bit_length() + self.y_low > 63:
            raise ValueError(
                f"BestPairs: {len(b):,} right records and {len(self.rank):,} records in all "
                "are too many (up to 2**26 a side; 2**25 with a second choice)"
            )
        # Keys of 32 bits where they fit (two million record ids): half the memory read.
        narrow = (_SCORE_BINS.bit_length() - 1) + self.shift < 31
        self.free = int(np.iinfo(np.int32 if narrow else np.int64).max)
        # A record has no more candidates than the other side has records: a budget meant
        # as "nearly all" holds no more than that.
        most = max(len(a), len(b), most)
        # The second choice: no rows without one.
        shapes = (
            (len(self.rank), max(min(k, most), 1)),
            (len(self.rank) if second else 0, max(min(second, most), 1)),
        )
        self.best: Keys
        self.second: Keys
        if narrow:
            self.best, self.second = (np.full(s, self.free, dtype=np.int32) for s in shapes)
        else:
            self.best, self.second = (np.full(s, self.free, dtype=np.int64) for s in shapes)

    def offer(
        self,
        ids: npt.NDArray[np.int64],
        *,
        workers: int = 1,
        grouped: bool = False,
        scratch: Scratch | None = None,
    ) -> int:
        """Offer pair ids ``left * n_right + right`` (``_NO_PAIR`` skipped; ``ids`` is
        overwritten: sorting scratch); returns how many pairs there were.

        The batch's distinct pairs, grouped by left record, records ascending
        (:func:`sorted_distinct` by ``unit``: a pair met again in the batch is scored
        once), are scored and offered to their left records, then,
        parted by right record (:func:`_by_top_digit`), to their right records: a
        record's row of the best is read in order, or among a few hundred in cache,
        where offering each pair to both its records read a random row for one of them.
        Each thread takes a part of whole records.

        ``grouped``: the batch is distinct pairs grouped by left record, records
        ascending, in any order within a record, without ``_NO_PAIR``
        (:func:`record_pairs`), and is offered as it is, unsorted and unchanged.

        ``scratch``: buffers to work in, kept for the next batch (fresh memory for each
        batch costs the kernel's time to map and clear); none: new ones."""
        ids = np.ascontiguousarray(ids, dtype=np.int64)
        offered = len(ids) - (0 if grouped else int(np.count_nonzero(ids == _NO_PAIR)))
        if not offered:
            return 0
        scratch = Scratch() if scratch is None else scratch
        if not grouped:
            # In the first buffer, or ids; grouped by left record is all the offer needs.
            ids = sorted_distinct(ids, workers, scratch, unit=self.n_right)
        threads = _Threads(workers)
        parts = threads.wanted
        to_right = scratch.take(1, len(ids))
        y_bits = max(len(self.rows[1]) - 1, 1).bit_length()
        top_shift = y_bits - min(y_bits, _RADIX_BITS)
        counts = np.zeros((parts, 1 << (y_bits - top_shift)), dtype=np.int64)
        bounds = _whole_parts(ids, parts, self.n_right)
        with threads:
            _offer_left(
                *self.rows, ids, bounds, self.n_right, self.right_offset, self.rank,
                self.shift, self.missing, self.year, self.best, self.low, to_right, top_shift,
                counts, self.second, self.early,
            )  # fmt: skip
            del ids
            # Into the first buffer: the sorted ids are no longer read.
            parted, starts, cuts = _by_top_digit(
                to_right, bounds, counts, self.y_low + top_shift, parts, scratch, 0
            )
            del to_right
            _offer_right(
                parted, starts, cuts, self.low, self.right_offset, self.best, self.shift,
                self.second,
            )  # fmt: skip
        return offered

    def ids(
        self, *, workers: int = 1, ranges: int = 0, second: bool = False, cut: bool = True
    ) -> npt.NDArray[np.int64]:
        """The pair ids kept, ascending, gathered on ``workers`` threads from ``ranges``
        ranges of records (0: one a thread, at most ``_KEPT_RANGES``): each record's best, those
        ``within`` points of its best pair (all of them without ``cut``); ``second``:
        those of the second choice instead, all of them (none without one)."""
        if not cut and not second and self.early < _SCORE_BINS:
            raise ValueError("BestPairs: the pairs past the cut were dropped (cut_early)")
        best = self.second if second else self.best
        if not len(best):
            return np.zeros(0, dtype=np.int64)
        n_nodes = len(self.rank)
        n_left = self.right_offset or n_nodes
        # A key's rank may name a record of another budget (set_right_rows): -1 here.
        n_ranks = 1 << self.shift
        other_left = np.full(n_ranks, -1, dtype=np.int64)
        other_left[self.rank[:n_left]] = np.arange(n_left)
        other_right = other_left
        if self.right_offset:
            other_right = np.full(n_ranks, -1, dtype=np.int64)
            other_right[self.rank[n_left:]] = np.arange(n_nodes - n_left)
        out = np.empty(int(np.count_nonzero(best != self.free)), dtype=np.int64)
        with _Threads(workers):
            n = _kept_pairs(
                best, self.free, (1 << self.shift) - 1, self.n_right, self.right_offset,
                other_left, other_right, ranges or min(get_num_threads(), _KEPT_RANGES), out,
                self.shift, self.within if cut and not second else _SCORE_BINS,
            )  # fmt: skip
        return _shrunk(out, n)

    def right_rows(self) -> tuple[Keys, Keys]:
        """Copies of the right records' rows of keys, the best and the second choice's
        (two lists linked, ``right_offset`` > 0), for :func:`merge_rows`."""
        if not self.right_offset:
            raise ValueError("BestPairs.right_rows: one list has no right records of its own")
        at = self.right_offset
        second = self.second[at:] if len(self.second) else self.second
        return self.best[at:].copy(), second.copy()

    def set_right_rows(self, best: Keys, second: Keys) -> None:
        """The right records' rows replaced by ``best`` and ``second`` (:func:`merge_rows`
        of several budgets' :meth:`right_rows`, the keys numbered alike: ``rank_bits``),
        after every offer: :meth:`ids` then keeps for each right record its choice among
        all their left records (of this budget's, those it holds)."""
        at = self.right_offset
        for own, given in ((self.best, best), (self.second, second)):
            if not len(own):
                continue
            width = min(own.shape[1], given.shape[1])
            if given.shape[0] != own.shape[0] - at or given.dtype != own.dtype:
                raise ValueError("BestPairs.set_right_rows: rows of another shape or key width")
            own[at:] = self.free
            own[at:, :width] = given[:, :width]


def merge_rows(rows: Sequence[Keys]) -> Keys:
    """Rows of keys of several budgets' right records (:meth:`BestPairs.right_rows`, the
    same records, keys numbered alike), merged: each record's best of them all, as many
    as the widest row holds."""
    if len(rows) == 1:
        return rows[0]
    width = max(one.shape[1] for one in rows)
    merged = np.sort(np.concatenate(list(rows), axis=1), axis=1)
    out: Keys = np.ascontiguousarray(merged[:, :width])
    return out


@cache
def _cpus() -> int:
    """The CPUs of the machine (read once: ``os.cpu_count`` reads the system's list of them
    at every call, 13 us, and a predict of a few records asked 150 times)."""
    return os.cpu_count() or 1


def worker_count(workers: int) -> int:
    """Threads that ``workers`` stands for, as the config means it (-1: one per CPU), and
    never more than numba's (``NUMBA_NUM_THREADS``, which a user may set lower)."""
    wanted = _cpus() if workers == -1 else max(workers, 1)
    most: int = numba_config.NUMBA_NUM_THREADS  # type: ignore[attr-defined]
    return min(wanted, most)


def split_levels(
    levels: npt.NDArray[np.int8],
    anchor: int,
    columns: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64],
    agree: int,
    workers: int = 1,
) -> None:
    """In place, in one pass over the rows of a level matrix (pairs x comparisons): each
    known level (> 0) of ``columns[k]`` gains ``offsets[k]`` where column ``anchor`` is at
    least ``agree`` (the split of ``compare.ConditionedComparison``; a numpy pass per
    strided int8 column cost 7% of a predict's CPU with six split comparisons)."""
    if len(levels) and len(columns):
        with _Threads(workers):
            _split_levels(levels, anchor, columns, offsets, agree)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _split_levels(
    levels: npt.NDArray[np.int8], anchor: int, columns: npt.NDArray[np.int64],
    offsets: npt.NDArray[np.int64], agree: int,
) -> None:  # fmt: skip
    for r in prange(levels.shape[0]):
        if levels[r, anchor] >= agree:
            for k in range(len(columns)):
                if levels[r, columns[k]] > 0:
                    levels[r, columns[k]] += offsets[k]


class _Threads:
    """numba's thread count for one call: ``workers`` as the config means it."""

    def __init__(self, workers: int) -> None:
        self.wanted = worker_count(workers)
        self.before = 0

    def __enter__(self) -> None:
        self.before = get_num_threads()
        set_num_threads(self.wanted)

    def __exit__(self, *exc: object) -> None:
        set_num_threads(self.before)


def chain_ranks(
    a: IntArray,
    b: IntArray,
    li: Index,
    ri: Index,
    *,
    reordered: bool = True,
    workers: int = 1,
    level_of: Levels | None = None,
    texts: tuple[IntArray, IntArray] | None = None,
    top: int = SAME,
    signatures: tuple[npt.NDArray[np.uint64], npt.NDArray[np.uint64]] | None = None,
) -> Levels:
    """Per pair, the strongest of SAME, TRUNCATED, REORDERED (when asked), SOUNDS, COMMON,
    DIFFERENT that holds for the name chains ``a[li[k]]`` and ``b[ri[k]]``, or MISSING.

    ``a``, ``b``: packed parts, ``(n, 3 * MAX_CHAIN)`` (see ``NameParts.packed``).
    ``level_of``: given, each rank's level (``level_of[rank]``) in its place; ``texts``:
    given, per row of ``a`` and ``b`` a text code (from -1), and a pair of rows of the same
    known text is at level ``top`` whatever its rank (in the same pass). ``signatures``:
    the :func:`chain_signatures` of ``a`` and ``b`` (made here if not given; a caller
    that ranks pairs of the same tables again keeps them).
    """
    ranks = np.arange(SAME + 1, dtype=np.int8) if level_of is None else level_of
    none = np.zeros(0, dtype=np.int32)
    ta, tb = (none, none) if texts is None else texts
    sa, sb = (chain_signatures(a), chain_signatures(b)) if signatures is None else signatures
    # The kernel reads them unchecked: signatures of other tables would rank pairs wrongly.
    if sa.shape != (len(a), SIGNATURE_WORDS) or sb.shape != (len(b), SIGNATURE_WORDS):
        raise ValueError("chain_ranks: signatures are not those of a and b (their shape)")
    return _run(
        _chain_ranks, len(li), np.int8, workers, a, b, sa, sb, _index(li), _index(ri), reordered,
        np.ascontiguousarray(ranks, dtype=np.int8), np.ascontiguousarray(ta, dtype=np.int32),
        np.ascontiguousarray(tb, dtype=np.int32), top,
    )  # fmt: skip


def given_keys(
    parts: IntArray,
    tokens: IntArray,
    kunya: npt.NDArray[np.bool_] | None = None,
    compound: IntArray | None = None,
    like: npt.NDArray[np.bool_] | None = None,
    listed: npt.NDArray[np.bool_] | None = None,
    short: npt.NDArray[np.bool_] | None = None,
) -> IntArray:
    """Per record, ``(n, GIVEN_COLUMNS)`` int32: what :func:`given_ranks` reads of it, in one
    row of 32 bytes, its given token code (``tokens``, -1: none), the class,
    skeleton and phonetic key of parts 0 and 1 of its packed parts (``parts``, as
    ``NameParts.packed``), and in one column whether part 0 is a kunya (``kunya``; None:
    none is), whether it is a kunya or a given name that opens as one run together
    (``like``, "Abulkalam"; None: only kunyas), and the skeleton key of its compound given
    name run together (``compound``, as ``PersonNames.compound``, -1: none; None: none has
    one), and whether part 0's class is a listed variant class (``listed``; None: none
    is). ``short``: per key code, whether the key is short; its codes carry the mark
    :data:`SHORT_KEY` (None: no key is short)."""
    width = parts.shape[1] // 3
    out = np.full((len(parts), GIVEN_COLUMNS), -1, dtype=np.int32)
    out[:, 0] = tokens
    for i in range(2):
        for f in range(3):
            column = parts[:, f * width + i]
            if f and short is not None:
                known = np.flatnonzero(column >= 0)
                marked = known[short[column[known]]]
                column = column.copy()
                column[marked] |= SHORT_KEY
            out[:, 1 + 3 * i + f] = column
    joined = 0 if compound is None else np.maximum(compound, -1) + 1
    is_kunya = np.zeros(len(parts), dtype=bool) if kunya is None else kunya
    looks = is_kunya if like is None else is_kunya | like
    is_listed = np.zeros(len(parts), dtype=bool) if listed is None else listed
    out[:, 7] = 8 * joined + 4 * is_listed + 2 * looks + is_kunya
    return out


def given_ranks(a: IntArray, b: IntArray, li: Index, ri: Index, *, workers: int = 1) -> Levels:
    """Per pair, the given-name rank of records ``a[li[k]]`` and ``b[ri[k]]`` (each side's
    :func:`given_keys`): MISSING, GIVEN_SAME_SPELLING (equal given tokens),
    GIVEN_SAME_CLASS, GIVEN_ALIKE, GIVEN_SWAPPED, DIFFERENT, GIVEN_LISTED_APART (two
    listed variant classes, whose keys are not read: Muhammad and Mahmoud share a
    skeleton), or where parts 0 share no class and no key but a short one (marked
    :data:`SHORT_KEY`), GIVEN_SHORT_ALIKE, or GIVEN_SHORT_SWAPPED where given and family
    name cross over by their keys (the caller decides by the spelling). A kunya against a
    given name ranks MISSING unless they are the same name or variants of one: it is not a
    given name, and it sounds like one by chance (Umm Ahmad's key is Mohammed's). A given
    name that opens as a kunya run together ("Abulkalam") is ranked against a kunya as any
    two names are: it may be the kunya-shaped name written apart ("Abul Kalam"). A
    compound given name written split on one side and joined on the other ranks
    GIVEN_ALIKE, as one name whose keys agree."""
    if a.shape[1:] != (GIVEN_COLUMNS,) or b.shape[1:] != (GIVEN_COLUMNS,):
        raise ValueError("given_ranks: a and b must be given_keys rows")
    return _run(_given_ranks, len(li), np.int8, workers, a, b, _index(li), _index(ri))


def may_reach(
    bags: npt.NDArray[np.uint8],
    lengths: IntArray,
    heads: IntArray,
    qa: npt.NDArray[Any],
    qb: npt.NDArray[Any],
    cutoff: float,
    *,
    workers: int = 1,
) -> npt.NDArray[np.bool_]:
    """Per pair of word codes (read as int32), whether Jaro–Winkler can reach ``cutoff``:
    Jaro counts matching characters, which cannot exceed the letters the two words share, so
    ``J = (shared/len_a + shared/len_b + 1) / 3`` bounds Jaro, and Jaro–Winkler adds at
    most ``0.1 * prefix * (1 - Jaro)`` for the common prefix (up to 4 characters): at
    most ``J + 0.1 * prefix * (1 - J)``, and ``0.4 + 0.6 * J`` whatever the prefix
    (``bags``: per word, the count of each letter, at most 255, so a word longer than
    255 characters always may; ``heads``: its first
    :data:`JW_PREFIX` characters, see ``Vocabulary.letter_bags`` and ``Vocabulary.heads``)."""
    return _run(
        _may_reach, len(qa), np.bool_, workers, bags, lengths,
        np.ascontiguousarray(heads, dtype=np.int32), np.ascontiguousarray(qa, dtype=np.int32),
        np.ascontiguousarray(qb, dtype=np.int32), cutoff,
    )  # fmt: skip


def interval_levels(
    a: tuple[IntArray, IntArray, npt.NDArray[np.bool_]],
    b: tuple[IntArray, IntArray, npt.NDArray[np.bool_]],
    li: Index,
    ri: Index,
    *,
    missing: int,
    year: int,
    generation: int = 0,
    workers: int = 1,
    stated: tuple[IntArray, IntArray] | None = None,
) -> Levels:
    """Levels of two sets of birth intervals (lo, hi, exact) by the gap between them:
    0 missing, or overlapping or within a year with one wider than 2 years (an age range
    "20-30", "adult"; "child" against "adult" the same day meet: no telling how near), 1
    more than 5 years, 2 within 5, 3 within 2, 4 within a year, 5 overlapping and at most 2
    years wide, or two exact days of one year a slip of the pen apart (:func:`_typed_apart`),
    6 the same exact date (:func:`_same_day`: a lunar Hijri day and a Gregorian day within
    its span too). ``generation`` (days, 0: none): a gap over it is level 1 of its
    own, a gap over 5 years up to it level 2, and the levels above one higher (7 the same
    exact date). ``stated``: each side's latest birth of the range it
    states, which measures how wide it is (None: each side's hi)."""
    sh_a, sh_b = stated if stated is not None else (a[1], b[1])
    return _run(
        _interval_levels, len(li), np.int8, workers, *a, *b, sh_a, sh_b, _index(li),
        _index(ri), missing, year, generation,
    )  # fmt: skip


#: Code pairs a dense table may hold (a byte each): above, a hash table numbers them.
DENSE_PAIRS = 1 << 22


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _first_sight(table: IntArray, key: int, k: int, first: Index, n: int) -> tuple[int, int]:
    """The number of ``key`` in a dense ``table`` (-1: unseen), giving an unseen key the
    next number ``n`` and noting ``k`` as where it was first seen; and the count after."""
    slot = table[key]
    if slot < 0:
        slot = n
        table[key] = n
        first[n] = k
        n += 1
    return slot, n


def code_pair_cells(a: IntArray, b: IntArray) -> tuple[int, int]:
    """The cells of a table of every pair of the per-record codes ``a`` and ``b`` (codes
    from -1), and its row width: the pair of codes ``(i, j)`` is cell
    ``(i + 1) * width + j + 1``."""
    width = int(b.max(initial=-1)) + 2
    return (int(a.max(initial=-1)) + 2) * width, width


def dense_code_pairs(cells: int, n_pairs: int) -> bool:
    """Whether a table of ``cells`` pairs of codes may serve ``n_pairs`` pairs: at most
    :data:`DENSE_PAIRS`, and not dwarfing the pairs (a handful of them)."""
    return cells <= min(DENSE_PAIRS, 16 * n_pairs + 4096)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _fill_code_pairs(
    table: Levels, a: IntArray, b: IntArray, li: Index, ri: Index, width: int, first: Index,
    values: Levels,
) -> None:  # fmt: skip
    for j in range(len(first)):
        k = first[j]
        table[(a[li[k]] + 1) * width + b[ri[k]] + 1] = values[j]


def fill_code_pairs(
    table: Levels, a: IntArray, b: IntArray, li: Index, ri: Index, first: Index, values: Levels
) -> None:
    """In place: the cell of the pair of codes ``(a[li[k]], b[ri[k]])`` of each pair
    ``k = first[j]`` in a table of every pair of codes (:func:`code_pair_cells`) takes
    ``values[j]``."""
    _fill_code_pairs(
        table, np.ascontiguousarray(a, dtype=np.int32), np.ascontiguousarray(b, dtype=np.int32),
        _index(li), _index(ri), code_pair_cells(a, b)[1], _index(first),
        np.ascontiguousarray(values, dtype=np.int8),
    )  # fmt: skip


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _unequal_pairs(
    left: IntArray, right: IntArray, out: npt.NDArray[np.float32], rows: Index, qa: IntArray,
    qb: IntArray,
) -> int:  # fmt: skip
    m = 0
    for k in range(len(left)):
        x, y = left[k], right[k]
        if x < 0 or y < 0:
            continue
        if x == y:
            out[k] = 1.0
        else:
            rows[m] = k
            qa[m] = x
            qb[m] = y
            m += 1
    return m


def unequal_pairs(
    left: IntArray, right: IntArray, out: npt.NDArray[np.float32]
) -> tuple[Index, IntArray, IntArray]:
    """Of pairs of codes ``(left[k], right[k])`` (-1: missing), in place ``out[k] = 1``
    where both are known and equal; and the pairs where both are known and differ: their
    positions, ascending, and their codes."""
    rows = np.empty(len(left), dtype=np.intp)
    qa = np.empty(len(left), dtype=np.int32)
    qb = np.empty(len(left), dtype=np.int32)
    m = _unequal_pairs(
        np.ascontiguousarray(left, dtype=np.int32), np.ascontiguousarray(right, dtype=np.int32),
        out, rows, qa, qb,
    )  # fmt: skip
    return rows[:m], qa[:m], qb[:m]


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _mark_code_pairs(
    a: IntArray, b: IntArray, li: Index, ri: Index, widths: Index, offsets: Index,
    tables: Levels, starts: Index, counts: Index, firsts: Index,
) -> None:  # fmt: skip
    for k in range(len(li)):
        if k + _AHEAD < len(li):
            _prefetch(b, ri[k + _AHEAD])
        x, y = li[k], ri[k]
        for t in range(len(widths)):
            key = offsets[t] + (a[x, t] + 1) * widths[t] + b[y, t] + 1
            if tables[key] < 0:
                tables[key] = 0
                firsts[starts[t] + counts[t]] = k
                counts[t] += 1


def mark_code_pairs(
    codes: Sequence[tuple[IntArray, IntArray]], li: Index, ri: Index
) -> list[tuple[Levels, Index]]:
    """For each pair of per-record code arrays ``(a, b)`` (codes from -1), the distinct
    pairs of codes ``(a[li[k]], b[ri[k]])`` in order of first appearance, all found in
    one pass over the pairs (nothing per pair written): a table of every pair of codes
    (:func:`code_pair_cells`), -1 where no pair holds it and 0 where one does, for the
    caller to fill with each pair of codes' level (:func:`fill_code_pairs`) and read back
    by :func:`read_code_pairs`; and the position of each distinct pair's first pair."""
    if not codes:
        return []
    a, b = _side_codes([c[0] for c in codes]), _side_codes([c[1] for c in codes])
    sizes = [code_pair_cells(*c) for c in codes]
    cells = np.array([s[0] for s in sizes], dtype=np.intp)
    offsets = np.concatenate([[0], np.cumsum(cells)]).astype(np.intp)
    room = np.minimum(cells, len(li))
    starts = np.concatenate([[0], np.cumsum(room)]).astype(np.intp)
    tables = np.full(int(offsets[-1]), -1, dtype=np.int8)
    firsts = np.empty(int(starts[-1]), dtype=np.intp)
    counts = np.zeros(len(codes), dtype=np.intp)
    widths = np.array([s[1] for s in sizes], dtype=np.intp)
    _mark_code_pairs(a, b, _index(li), _index(ri), widths, offsets, tables, starts, counts, firsts)
    return [
        (tables[offsets[t] : offsets[t + 1]], firsts[starts[t] : starts[t] + counts[t]])
        for t in range(len(codes))
    ]


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _read_code_pairs(
    a: IntArray, b: IntArray, li: Index, ri: Index, widths: Index, offsets: Index,
    tables: Levels, columns: Index, out: npt.NDArray[np.int8],
) -> None:  # fmt: skip
    for k in prange(len(li)):
        if k + _AHEAD < len(li):
            _prefetch(b, ri[k + _AHEAD])
        x, y = li[k], ri[k]
        for t in range(len(widths)):
            out[k, columns[t]] = tables[offsets[t] + (a[x, t] + 1) * widths[t] + b[y, t] + 1]


def read_code_pairs(
    codes: Sequence[tuple[IntArray, IntArray]],
    tables: Sequence[Levels],
    li: Index,
    ri: Index,
    out: npt.NDArray[np.int8],
    columns: Sequence[int],
    *,
    workers: int = 1,
) -> None:
    """In place, for each pair of per-record code arrays ``(a, b)`` and its table of every
    pair of codes (:func:`code_pair_cells`): ``out[k, column]`` takes the cell of the pair
    of codes ``(a[li[k]], b[ri[k]])``. One pass over the pairs for all tables (each
    pair's codes read together, its row of ``out`` written at once)."""
    if not codes or not len(li):
        return
    a, b = _side_codes([c[0] for c in codes]), _side_codes([c[1] for c in codes])
    widths = np.array([code_pair_cells(*c)[1] for c in codes], dtype=np.intp)
    offsets = np.concatenate([[0], np.cumsum([len(t) for t in tables])]).astype(np.intp)
    flat = np.concatenate([np.asarray(t, dtype=np.int8) for t in tables])
    with _Threads(workers):
        _read_code_pairs(
            a, b, _index(li), _index(ri), widths, offsets, flat,
            np.array(columns, dtype=np.intp), out,
        )  # fmt: skip


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _take_column(
    values: Levels, index: IntArray, out: npt.NDArray[np.int8], column: int
) -> None:  # fmt: skip
    for k in prange(len(index)):
        out[k, column] = values[index[k]]


def take_column(
    values: Levels, index: IntArray, out: npt.NDArray[np.int8], column: int, *, workers: int = 1
) -> None:
    """In place: ``out[:, column] = values[index]``, in one pass (no gathered copy)."""
    if len(index) != out.shape[0]:
        raise ValueError(f"take_column: {len(index)} indices for {out.shape[0]} rows")
    if len(index):
        with _Threads(workers):
            _take_column(
                np.ascontiguousarray(values, dtype=np.int8),
                np.ascontiguousarray(index, dtype=np.int32), out, int(column),
            )  # fmt: skip


def flagged_pairs(
    li: Index,
    ri: Index,
    flags_a: npt.NDArray[np.uint8],
    flags_b: npt.NDArray[np.uint8],
    *,
    both: int = 0,
    either: int = 0,
    alone: int = 0,
    levels: Levels | None = None,
    above: int = -1,
    below: int = 127,
    keys: tuple[IntArray, IntArray] | None = None,
    workers: int = 1,
) -> Index:
    """The pairs (rows of ``li`` and ``ri``) whose records' flags (a bit field a record,
    ``flags_a[li]`` and ``flags_b[ri]``) hold each bit of ``both`` on both sides, some bit
    of ``either`` on one side or the other, and each bit of ``alone`` on one side only;
    with ``levels``, only those whose level is over ``above`` and under ``below``; with
    ``keys`` (a code a record of each side, -1 none), only those whose records' codes
    agree. One pass over the pairs, where numpy would gather each pair's records once a
    condition (the family name's adjustments read a few pairs of many this way)."""
    if levels is None:  # no level read: every pair passes
        levels, above, below = np.zeros(len(li), dtype=np.int8), -1, 1
    if len(levels) != len(li):
        raise ValueError(f"flagged_pairs: {len(levels)} levels for {len(li)} pairs")
    found = np.zeros(len(li), dtype=np.bool_)
    if len(li):
        none = np.zeros(0, dtype=np.int32)
        key_a, key_b = (none, none) if keys is None else keys
        with _Threads(workers):
            _flagged_pairs(
                np.ascontiguousarray(li, dtype=np.intp), np.ascontiguousarray(ri, dtype=np.intp),
                np.ascontiguousarray(flags_a, dtype=np.uint8),
                np.ascontiguousarray(flags_b, dtype=np.uint8), both, either, alone,
                levels, above, below,
                keys is not None, np.ascontiguousarray(key_a, dtype=np.int32),
                np.ascontiguousarray(key_b, dtype=np.int32), found,
            )  # fmt: skip
    return np.flatnonzero(found)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _flagged_pairs(
    li: Index, ri: Index, flags_a: npt.NDArray[np.uint8], flags_b: npt.NDArray[np.uint8],
    both: int, either: int, alone: int, levels: Levels, above: int, below: int,
    keyed: bool, key_a: IntArray, key_b: IntArray, found: npt.NDArray[np.bool_],
) -> None:  # fmt: skip
    for k in prange(len(li)):
        level = levels[k]
        if level <= above or level >= below:
            continue
        fa, fb = flags_a[li[k]], flags_b[ri[k]]
        if (
            (fa & fb & both) != both
            or (either != 0 and ((fa | fb) & either) == 0)
            or ((fa ^ fb) & alone) != alone
        ):
            continue
        found[k] = not keyed or (key_a[li[k]] >= 0 and key_a[li[k]] == key_b[ri[k]])


def _side_codes(columns: list[IntArray]) -> IntArray:
    """One side's per-record codes of several comparisons, a record's codes together."""
    return np.ascontiguousarray(np.stack(columns, axis=1), dtype=np.int32)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _pending_code_pairs(
    levels: Levels, pending: npt.NDArray[np.bool_], a: IntArray, b: IntArray, li: Index,
    ri: Index, width: int, table: Levels, first: Index,
) -> int:  # fmt: skip
    n = 0
    for k in range(len(li)):
        if not pending[levels[k]]:
            continue
        key = (a[li[k]] + 1) * width + b[ri[k]] + 1
        if table[key] < 0:
            table[key] = 0
            first[n] = k
            n += 1
    return n


def pending_code_pairs(
    levels: Levels, pending: npt.NDArray[np.bool_], a: IntArray, b: IntArray, li: Index, ri: Index
) -> tuple[Levels, Index] | None:
    """:func:`mark_code_pairs` of one pair of code arrays over the pairs at a level
    marked in ``pending`` (``levels[k]``): the table of every pair of codes, 0 where a
    pending pair holds it, else -1, and the position of each distinct pair's first
    pending pair. None when the codes are too many for a dense table
    (:func:`dense_code_pairs`)."""
    cells, width = code_pair_cells(a, b)
    if not dense_code_pairs(cells, len(li)):
        return None
    table = np.full(cells, -1, dtype=np.int8)
    first = np.empty(min(len(li), cells), dtype=np.intp)
    n = _pending_code_pairs(
        levels, np.ascontiguousarray(pending, dtype=np.bool_),
        np.ascontiguousarray(a, dtype=np.int32), np.ascontiguousarray(b, dtype=np.int32),
        _index(li), _index(ri), width, table, first,
    )  # fmt: skip
    return table, first[:n]


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _hashed_code_pairs(
    a: IntArray, b: IntArray, li: Index, ri: Index, width: int, start: int,
    table: npt.NDArray[np.int64], bits: int, shift: int, keys: npt.NDArray[np.int64],
    inverse: IntArray, first: Index, n: int,
) -> tuple[int, int]:  # fmt: skip
    """The distinct pairs of per-record codes ``(a[li[k]], b[ri[k]])``, numbered in order
    of first appearance by open addressing (``2**bits`` slots, each ``key << shift |
    number``, -1 when free; linear probing from the key's Fibonacci hash, as
    :func:`_tally_codes`), from pair ``start`` on; ``first[number]`` is the number's
    first pair. Stops early when the table is 5/8 full; returns where it stopped and the
    distinct pairs so far."""
    mask = (1 << bits) - 1
    hash_shift = np.uint64(64 - bits)
    full = (5 << bits) >> 3
    for k in range(start, len(li)):
        if n >= full:
            return k, n
        if k + _AHEAD < len(li):  # the home slot of a pair ahead (see _prefetch)
            ahead = (np.int64(a[li[k + _AHEAD]]) + 1) * width + b[ri[k + _AHEAD]] + 1
            _prefetch(table, np.int64((np.uint64(ahead) * _GOLDEN) >> hash_shift))
        key = (np.int64(a[li[k]]) + 1) * width + b[ri[k]] + 1
        slot = np.int64((np.uint64(key) * _GOLDEN) >> hash_shift)
        while True:
            entry = table[slot]
            if entry < 0:
                found = n
                table[slot] = (key << shift) | n
                keys[n] = key
                first[n] = k
                n += 1
                break
            if entry >> shift == key:
                found = entry & ((1 << shift) - 1)
                break
            slot = (slot + 1) & mask
        inverse[k] = found
    return len(li), n


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _rehash(
    keys: npt.NDArray[np.int64], n: int, table: npt.NDArray[np.int64], bits: int, shift: int
) -> None:
    """Numbers ``0..n-1`` of ``keys`` into an empty table of ``2**bits`` slots (as
    :func:`_hashed_code_pairs`)."""
    mask = (1 << bits) - 1
    hash_shift = np.uint64(64 - bits)
    for j in range(n):
        slot = np.int64((np.uint64(keys[j]) * _GOLDEN) >> hash_shift)
        while table[slot] >= 0:
            slot = (slot + 1) & mask
        table[slot] = (keys[j] << shift) | j


def hashed_code_pairs(
    a: IntArray, b: IntArray, li: Index, ri: Index, *, expected: int = 0
) -> tuple[IntArray, Index]:
    """Where the codes are too many for :func:`mark_code_pairs`' dense table: the
    distinct pairs of per-record codes ``(a[li[k]], b[ri[k]])`` (codes from -1), numbered
    in order of first appearance, by hashing in one pass over the pairs (nothing per pair
    gathered); each pair's number, and the position of each number's first pair. Codes
    are read as int32 (as the dense table reads them): from -1 to 2**31 - 1.
    ``expected``: about how many distinct pairs there are (the previous chunk's count),
    to size the table for at the start (it grows when they are more); the same result."""
    a32 = np.ascontiguousarray(a, dtype=np.int32)
    b32 = np.ascontiguousarray(b, dtype=np.int32)
    li, ri = _index(li), _index(ri)
    # A slot holds a pair's key (its cell in a table of every pair of codes) and number
    # in one int64, so that the table stays small enough for the cache. Where the keys
    # are too wide for that (millions of codes a side), the pairs are numbered by sorting.
    shift = max(len(li) - 1, 1).bit_length()
    cells, width = code_pair_cells(a32, b32)
    if (cells - 1).bit_length() + shift > 63:
        return _sorted_code_pairs(a32[li].astype(np.int64) * width + b32[ri] + width + 1)
    inverse = np.empty(len(li), dtype=np.int32)
    # The table, and the keys and first pairs of the distinct pairs (at most 5/8 of its
    # slots), grow as the distinct pairs are met (often a fraction of the pairs): sized
    # for every pair to differ, they would be filled for nothing, chunk after chunk. They
    # start at the size for the ``expected`` pairs: a table grown step by step is
    # rehashed each step, and each step's table is spread over memory anew.
    bits = max(12, (min(expected, len(li)) * 8 // 5).bit_length())
    table = np.full(1 << bits, -1, dtype=np.int64)
    keys = np.empty(1 << bits, dtype=np.int64)
    first = np.empty(1 << bits, dtype=np.intp)
    at = n = 0
    while True:
        at, n = _hashed_code_pairs(
            a32, b32, li, ri, width, at, table, bits, shift, keys, inverse, first, n
        )
        if at == len(li):
            return inverse, first[:n].copy()
        bits += 2 if bits < 20 else 1
        table = np.full(1 << bits, -1, dtype=np.int64)
        keys = np.concatenate([keys[:n], np.empty((1 << bits) - n, dtype=np.int64)])
        first = np.concatenate([first[:n], np.empty((1 << bits) - n, dtype=np.intp)])
        _rehash(keys, n, table, bits, shift)


def _sorted_code_pairs(keys: npt.NDArray[np.int64]) -> tuple[IntArray, Index]:
    """:func:`hashed_code_pairs` of the pairs' keys, by sorting: each key's number in order
    of first appearance, and the position of each number's first pair."""
    if not len(keys):
        return np.zeros(0, dtype=np.int32), np.zeros(0, dtype=np.intp)
    order = np.argsort(keys, kind="stable")
    ranked = keys[order]
    new = np.empty(len(keys), dtype=bool)
    new[:1] = True
    np.not_equal(ranked[1:], ranked[:-1], out=new[1:])
    starts = np.flatnonzero(new)
    firsts = order[starts]  # stable: a run's first pair
    by_first = np.argsort(firsts, kind="stable")
    number = np.empty(len(starts), dtype=np.int32)
    number[by_first] = np.arange(len(starts), dtype=np.int32)
    inverse = np.empty(len(keys), dtype=np.int32)
    inverse[order] = np.repeat(number, np.diff(np.append(starts, len(keys))))
    return inverse, firsts[by_first].astype(np.intp)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _local_codes(values: IntArray, seen: IntArray, out: IntArray) -> int:
    n = 0
    for k in range(len(values)):
        value = values[k]
        if value < 0:
            out[k] = -1
            continue
        code = seen[value]
        if code < 0:
            code = n
            seen[value] = n
            n += 1
        out[k] = code
    return n


def local_codes(values: IntArray, n_codes: int) -> tuple[IntArray, int]:
    """Codes in ``[0, n_codes)`` numbered anew from 0 in order of first sight (-1 stays
    -1), and how many there are."""
    if len(values) and int(values.max()) >= n_codes:  # the kernel does not check bounds
        raise ValueError(f"local_codes: a code {int(values.max())} is not below {n_codes}")
    out = np.empty(len(values), dtype=np.int32)
    n = _local_codes(
        np.ascontiguousarray(values, dtype=np.int32), np.full(n_codes, -1, dtype=np.int32), out
    )
    return out, n


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _distinct_pairs(
    a: IntArray, b: IntArray, width: int, table: IntArray, inverse: IntArray, first: Index
) -> int:
    n = 0
    for k in range(len(a)):
        key = a[k] * width + b[k]
        slot, n = _first_sight(table, key, k, first, n)
        inverse[k] = slot
    return n


def distinct_pairs(a: IntArray, b: IntArray, n_codes: int) -> tuple[IntArray, Index] | None:
    """The distinct pairs ``(a[k], b[k])`` of codes in ``[0, n_codes)``, numbered in order
    of first appearance: each pair's number, and the position of each number's first
    pair. Each side's codes are numbered anew first, so a dense table of the pairs serves
    wherever the codes that occur are few; None when they are too many for it (as
    :func:`dense_code_pairs`)."""
    local_a, n_a = local_codes(a, n_codes)
    local_b, n_b = local_codes(b, n_codes)
    slots = n_a * n_b
    if not dense_code_pairs(slots, len(a)):
        return None
    table = np.full(slots, -1, dtype=np.int32)
    inverse = np.empty(len(a), dtype=np.int32)
    first = np.empty(min(len(a), slots), dtype=np.intp)
    n = _distinct_pairs(local_a, local_b, n_b, table, inverse, first)
    return inverse, first[:n]


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _regrade(
    levels: Levels, pending: npt.NDArray[np.bool_], a: IntArray, b: IntArray, li: Index,
    ri: Index, width: int, grades: Levels, table: Levels,
) -> None:  # fmt: skip
    for k in prange(len(li)):
        level = levels[k]
        if pending[level]:
            levels[k] = table[level, grades[(a[li[k]] + 1) * width + b[ri[k]] + 1]]


def regrade(
    levels: Levels,
    pending: npt.NDArray[np.bool_],
    codes: tuple[IntArray, IntArray],
    li: Index,
    ri: Index,
    grades: Levels,
    table: Levels,
    *,
    workers: int = 1,
) -> None:
    """In place: each pair at a level marked in ``pending`` takes
    ``table[level, grade]``, its grade read from ``grades``, a table of every pair of
    codes ``codes[0][li[k]], codes[1][ri[k]]`` (:func:`code_pair_cells`)."""
    if len(li):
        a, b = codes
        width = code_pair_cells(a, b)[1]
        with _Threads(workers):
            _regrade(
                levels, np.ascontiguousarray(pending, dtype=np.bool_),
                np.ascontiguousarray(a, dtype=np.int32), np.ascontiguousarray(b, dtype=np.int32),
                _index(li), _index(ri), width, np.ascontiguousarray(grades, dtype=np.int8),
                np.ascontiguousarray(table, dtype=np.int8),
            )  # fmt: skip


def grade_pairs(
    levels: Levels,
    pending: npt.NDArray[np.bool_],
    grid: Levels,
    codes: tuple[IntArray, IntArray],
    x: Index,
    y: Index,
    letters: tuple[npt.NDArray[np.uint8], IntArray, IntArray],
    cutoff: float,
    unknown: int,
    equal: int,
    *,
    workers: int = 1,
) -> Index:
    """In place, in one pass: each pair ``k`` at a level marked in ``pending`` whose
    grade needs no string comparison takes ``grid[level, grade]``, the grade being
    ``unknown`` where either word ``codes[0][x[k]]``, ``codes[1][y[k]]`` is missing (-1)
    or the words cannot reach ``cutoff`` (:func:`may_reach`, with ``letters`` the
    vocabulary's letter bags, lengths and heads; no bound where ``cutoff`` is not
    positive), ``equal`` where they are the same word. Returns the pairs left to grade
    by their similarity (ascending; their levels unchanged)."""
    ask = np.empty(len(x), dtype=np.bool_)
    if len(x):
        bags, lengths, heads = letters
        with _Threads(workers):
            _grade_pairs(
                levels, np.ascontiguousarray(pending, dtype=np.bool_),
                np.ascontiguousarray(grid, dtype=np.int8),
                np.ascontiguousarray(codes[0], dtype=np.int32),
                np.ascontiguousarray(codes[1], dtype=np.int32),
                _index(x), _index(y), bags, lengths, heads, float(cutoff), int(unknown),
                int(equal), ask,
            )  # fmt: skip
    return np.flatnonzero(ask)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _agreements(
    at_level: npt.NDArray[np.bool_], index: IntArray, a: IntArray, b: IntArray, li: Index,
    ri: Index, rows: Index, values: IntArray,
) -> int:  # fmt: skip
    m = 0
    for k in range(len(index)):
        if at_level[index[k]]:
            value = a[li[k]]
            if value >= 0 and value == b[ri[k]]:
                rows[m] = k
                values[m] = value
                m += 1
    return m


def agreements(
    at_level: npt.NDArray[np.bool_],
    index: IntArray,
    a: IntArray,
    b: IntArray,
    li: Index,
    ri: Index,
) -> tuple[Index, IntArray]:
    """The pairs (rows, ascending) whose level pattern ``index[k]`` is ``at_level`` and
    whose records hold the same value ``a[li[k]] == b[ri[k]] >= 0``, and that value."""
    rows = np.empty(len(index), dtype=np.intp)
    values = np.empty(len(index), dtype=np.int32)
    m = _agreements(
        np.ascontiguousarray(at_level, dtype=np.bool_), np.ascontiguousarray(index),
        np.ascontiguousarray(a, dtype=np.int32), np.ascontiguousarray(b, dtype=np.int32),
        _index(li), _index(ri), rows, values,
    )  # fmt: skip
    if m < len(index) // 2:  # not hold the pairs' length for a few agreements
        return rows[:m].copy(), values[:m].copy()
    return rows[:m], values[:m]


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _pair_weight(
    k: int, pattern: int, totals: npt.NDArray[np.float64], at_level: npt.NDArray[np.bool_],
    bounded: npt.NDArray[np.int8], a: IntArray, b: IntArray, bits: npt.NDArray[np.float64],
    frequency: npt.NDArray[np.float64], starts: Index, li: Index, ri: Index,
) -> float:  # fmt: skip
    """Pair k's weight: its pattern's total plus its term-frequency bits (:func:`weights_over`)."""
    total: float = totals[pattern]
    for t in range(at_level.shape[0]):
        if at_level[t, pattern]:
            value = a[t, li[k]]
            if value >= 0 and value == b[t, ri[k]]:
                total += bits[starts[t] + value]
        elif bounded[t, pattern] > 0:
            x, y = a[t, li[k]], b[t, ri[k]]
            if x >= 0 and y >= 0:
                common = x if frequency[starts[t] + x] >= frequency[starts[t] + y] else y
                more = bits[starts[t] + common]
                if bounded[t, pattern] == TF_LOWERING and more > 0:
                    more = 0.0
                total += more
    return total


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _weights_over(
    index: IntArray, totals: npt.NDArray[np.float64], reach: npt.NDArray[np.bool_],
    at_level: npt.NDArray[np.bool_], bounded: npt.NDArray[np.int8], a: IntArray, b: IntArray,
    bits: npt.NDArray[np.float64], frequency: npt.NDArray[np.float64], starts: Index, li: Index,
    ri: Index, bound: float, rows: Index,
) -> int:  # fmt: skip
    m = 0
    for k in range(len(index)):
        pattern = index[k]
        if not reach[pattern]:
            continue
        total = _pair_weight(
            k, pattern, totals, at_level, bounded, a, b, bits, frequency, starts, li, ri
        )
        if total >= bound:
            rows[m] = k
            m += 1
    return m


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _pair_weights(
    index: IntArray, totals: npt.NDArray[np.float64], at_level: npt.NDArray[np.bool_],
    bounded: npt.NDArray[np.int8], a: IntArray, b: IntArray, bits: npt.NDArray[np.float64],
    frequency: npt.NDArray[np.float64], starts: Index, li: Index, ri: Index,
    out: npt.NDArray[np.float64],
) -> None:  # fmt: skip
    for k in range(len(index)):
        out[k] = _pair_weight(
            k, index[k], totals, at_level, bounded, a, b, bits, frequency, starts, li, ri
        )


def weights_over(
    index: IntArray,
    totals: npt.NDArray[np.float64],
    at_level: Sequence[npt.NDArray[np.bool_]],
    a: IntArray,
    b: IntArray,
    bits: Sequence[npt.NDArray[np.float64]],
    li: Index,
    ri: Index,
    bound: float,
    bounded: Sequence[tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]]] | None = None,
) -> Index:
    """The pairs (rows, ascending) whose weight reaches ``bound``: their level pattern's
    ``totals[index[k]]`` plus, per term-frequency comparison t in turn, ``bits[t][value]``
    where the pair agrees on a value (its pattern is ``at_level[t]`` and
    ``a[t, li] == b[t, ri] >= 0``, as :func:`agreements` reads it; ``a`` and ``b`` a row
    per comparison), added in that order. Where its pattern is at a level a
    term-frequency level bounds instead (``bounded[t]``: per pattern :data:`TF_NEAR`,
    :data:`TF_LOWERING` or 0 where none, and each value's frequency), the bits of the more
    common of its two values, both held (the left one where as common): those bits, or
    at TF_LOWERING none that raise the weight. One pass, without a weight or a list of
    agreements per pair. A pattern that cannot reach ``bound`` with the most bits each
    comparison gives (allowing far more than rounding) is passed over without reading
    the records."""
    inputs = _weight_inputs(index, totals, at_level, a, b, bits, li, ri, bounded)
    totals, levels, under = inputs[1:4]
    most = totals.copy()
    for t in range(len(bits)):
        most[levels[t] | (under[t] > 0)] += max(float(np.fmax.reduce(bits[t], initial=0.0)), 0.0)
    reach = most >= bound - 1e-9 * (1.0 + np.abs(most) + abs(bound))
    rows = np.empty(len(index), dtype=np.intp)
    m = _weights_over(*inputs[:2], reach, *inputs[2:], float(bound), rows)
    return rows[:m].copy()


def pair_weights(
    index: IntArray,
    totals: npt.NDArray[np.float64],
    at_level: Sequence[npt.NDArray[np.bool_]],
    a: IntArray,
    b: IntArray,
    bits: Sequence[npt.NDArray[np.float64]],
    li: Index,
    ri: Index,
    bounded: Sequence[tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]]] | None = None,
) -> npt.NDArray[np.float64]:
    """Every pair's weight as :func:`weights_over` reckons it (its pattern's total and its
    term-frequency bits, one pass), none passed over: for sums over all the pairs,
    without a list of agreements per pair."""
    out = np.empty(len(index), dtype=np.float64)
    _pair_weights(*_weight_inputs(index, totals, at_level, a, b, bits, li, ri, bounded), out)
    return out


def _weight_inputs(
    index: IntArray,
    totals: npt.NDArray[np.float64],
    at_level: Sequence[npt.NDArray[np.bool_]],
    a: IntArray,
    b: IntArray,
    bits: Sequence[npt.NDArray[np.float64]],
    li: Index,
    ri: Index,
    bounded: Sequence[tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]]] | None,
) -> tuple[Any, ...]:
    """:func:`weights_over`'s inputs as the compiled loops read them (:func:`_pair_weight`):
    the pair's patterns, the patterns' totals, per term-frequency comparison (a row each)
    the patterns at its level and those a level bounds, the records' values, each
    comparison's bits and values' frequencies end to end and where each one's start, and
    the pairs' rows."""
    n_tf = len(bits)
    totals = np.ascontiguousarray(totals, dtype=np.float64)
    levels = np.zeros((n_tf, len(totals)), dtype=np.bool_)
    under = np.zeros((n_tf, len(totals)), dtype=np.int8)
    frequency = [np.zeros(len(x)) for x in bits]
    for t, at in enumerate(at_level):
        levels[t] = at
        if bounded is not None:
            under[t], frequency[t] = bounded[t]
    return (
        np.ascontiguousarray(index), totals, levels, under,
        np.ascontiguousarray(a, dtype=np.int32), np.ascontiguousarray(b, dtype=np.int32),
        np.concatenate([np.zeros(0), *bits]).astype(np.float64),
        np.concatenate([np.zeros(0), *frequency]).astype(np.float64),
        np.cumsum([0] + [len(x) for x in bits]).astype(np.intp),
        _index(li), _index(ri),
    )  # fmt: skip


def _run(kernel: Any, n: int, dtype: Any, workers: int, *args: Any) -> npt.NDArray[Any]:
    """Call a kernel that fills a new length-``n`` array (its last argument)."""
    out = np.empty(n, dtype=dtype)
    if n:
        with _Threads(workers):
            kernel(*args, out)
    return out


def _index(values: npt.NDArray[Any]) -> Index:
    return np.ascontiguousarray(values, dtype=np.intp)


# --- preparation: person names ---------------------------------------------------------


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _person_parts(
    full: IntArray, given: IntArray, family: IntArray, fc: IntArray, gc: IntArray,
    sc: IntArray, out: IntArray, at: int, chained: npt.NDArray[np.bool_],
) -> None:  # fmt: skip
    width = full.shape[1]
    for i in range(len(fc)):
        # code -1 reads the last row, the empty name's
        f = fc[i] if fc[i] >= 0 else full.shape[0] - 1
        s = sc[i] if sc[i] >= 0 else family.shape[0] - 1
        first = given[gc[i], 0] if gc[i] >= 0 else full[f, 0]
        if chained[i]:
            out[i, at] = first
            for c in range(1, width):
                out[i, at + c] = full[f, c]
            continue
        if sc[i] >= 0 and first < 0:
            for c in range(width):
                out[i, at + c] = family[s, c]
            continue
        out[i, at] = first
        for c in range(1, width):
            out[i, at + c] = family[s, c - 1] if sc[i] >= 0 else full[f, c]


def person_parts(
    full: IntArray, given: IntArray, family: IntArray, codes: tuple[IntArray, IntArray, IntArray],
    out: IntArray, at: int, chained: npt.NDArray[np.bool_] | None = None,
) -> None:  # fmt: skip
    """A person's own name parts, one row per record, written to ``out[:, at:at + width]``
    (``width`` the tables' columns): from the rows ``codes`` (full, given, family name;
    -1: none, the tables' last row) of the three name columns' tables (one per distinct
    name, the last row all -1): the given name's first part, else the full name's; then
    the family name's parts, else the full name's after its first. A family name with no
    first part at all starts at 0. ``chained``: per record, whether the parts after the
    first are the full name's even so (it holds names between the two fields,
    ``PersonNames.middle``; None: no record)."""
    fc, gc, sc = (np.ascontiguousarray(c, dtype=np.int32) for c in codes)
    if chained is None:
        chained = np.zeros(len(fc), dtype=np.bool_)
    _person_parts(
        np.ascontiguousarray(full, dtype=np.int32), np.ascontiguousarray(given, dtype=np.int32),
        np.ascontiguousarray(family, dtype=np.int32), fc, gc, sc, out, at,
        np.ascontiguousarray(chained, dtype=np.bool_),
    )  # fmt: skip


@contextmanager
def warming_up(workers: int) -> Iterator[None]:
    """With more than one worker, numba's first load in a process (the target's
    registries, then :func:`person_parts`' cache entry, with the types a preparation calls
    it with) runs on a thread of its own while the block runs, and is over when the block
    is left, raised or not: no thread holds numba's compiler lock or an import lock after
    it, so that a fork (the forked name reader's, or the caller's) finds them free. The
    load is Python and mostly holds the GIL, so it gains where the block leaves the GIL
    (validation's numpy and Arrow steps: fit and predict on new frames run theirs in it).
    Nothing with one worker, or once the kernel is loaded."""
    if worker_count(workers) <= 1 or _person_parts.signatures:
        yield
        return
    table = np.full((1, 1), -1, dtype=np.int32)
    none = np.full(1, -1, dtype=np.int32)
    out = np.empty((1, 1), dtype=np.int32)
    thread = threading.Thread(
        target=person_parts,
        args=(table, table, table, (none, none, none), out, 0, np.zeros(1, dtype=np.bool_)),
        name="rfl_match-warm-up",
        daemon=True,
    )
    # numba's compiler records warnings in a catch_warnings block, beside validation's
    # threads in theirs: the warning state as it was once all are over (warn.py).
    with warnings_kept():
        thread.start()
        try:
            yield
        finally:
            thread.join()


# --- blocking: grouping key values, joining blocks --------------------------------------


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _group_runs(
    codes: npt.NDArray[np.int64], rows: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """In place, for entries sorted by code: each run's rows ascending and distinct,
    compacted to the front. Returns each run's code, start and count (codes ascending)."""
    n = len(codes)
    keys = np.empty(n, dtype=np.int64)
    starts = np.empty(n, dtype=np.int64)
    counts = np.empty(n, dtype=np.int64)
    runs = 0
    write = 0
    i = 0
    while i < n:
        j = i + 1
        ordered = True
        while j < n and codes[j] == codes[i]:
            if rows[j] < rows[j - 1]:
                ordered = False
            j += 1
        if not ordered:
            rows[i:j] = np.sort(rows[i:j])
        start = write
        for t in range(i, j):
            if t == i or rows[t] != rows[t - 1]:
                rows[write] = rows[t]
                codes[write] = codes[i]
                write += 1
        keys[runs] = codes[i]
        starts[runs] = start
        counts[runs] = write - start
        runs += 1
        i = j
    return keys[:runs].copy(), starts[:runs].copy(), counts[:runs].copy()


def group_rows(
    codes: npt.NDArray[np.int64], rows: npt.NDArray[np.int64], workers: int = 1
) -> tuple[
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
    npt.NDArray[np.int64],
]:
    """Key values grouped by value: ``(codes, rows)`` sorted by code, then row, each
    ``(code, row)`` once; and each distinct code's ``keys``, ``starts`` and ``counts``
    in them, codes ascending. ``workers``: threads for the sort."""
    packed = _packed_sort(codes, rows, workers)
    if packed is not None:
        return packed
    order = np.argsort(codes, kind="quicksort")  # runs are sorted by row after
    sorted_codes = codes[order].astype(np.int64, copy=False)
    sorted_rows = rows[order].astype(np.int64, copy=False)
    del order
    keys, starts, counts = _group_runs(sorted_codes, sorted_rows)
    size = int(starts[-1] + counts[-1]) if len(keys) else 0
    return sorted_codes[:size], sorted_rows[:size], keys, starts, counts


def _packed_sort(
    codes: npt.NDArray[np.int64], rows: npt.NDArray[np.int64], workers: int
) -> (
    tuple[
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
        npt.NDArray[np.int64],
    ]
    | None
):
    """:func:`group_rows` by sorting values (by radix, :func:`sorted_distinct`), not
    indices (several times faster), where code and row fit one int64 under 2**62: a code
    ``high * 2**31 + low`` (a combined key) becomes ``high * (max low + 1) + low``, which
    keeps the order of codes. None where they do not fit (codes that wrapped, or too many
    distinct values). Packing and unpacking are compiled passes on ``workers`` threads."""
    if not len(codes):
        return None
    codes = np.ascontiguousarray(codes, dtype=np.int64)
    rows = np.ascontiguousarray(rows, dtype=np.int64)
    threads = _Threads(workers)
    segments = _segments(len(codes), threads.wanted)
    extremes = np.zeros((len(segments) - 1, 5), dtype=np.int64)
    with threads:
        _entry_extremes(codes, rows, segments, extremes)
    if int(extremes[:, 0].min()) < 0 or int(extremes[:, 1].min()) < 0:
        return None
    span = int(extremes[:, 2].max()) + 1
    row_bits = max(int(extremes[:, 4].max()).bit_length(), 1)
    if (int(extremes[:, 3].max()) + 1) * span >= 1 << (62 - row_bits):
        return None
    packed = np.empty(len(codes), dtype=np.int64)
    with threads:
        _pack_entries(codes, rows, span, row_bits, packed)
    packed = sorted_distinct(packed, workers)
    sorted_rows = np.empty(len(packed), dtype=np.int64)
    with threads:
        # Each code into its packed value's place: a third array of the entries' size
        # fewer at the peak of blocking.
        _unpack_entries(packed, span, row_bits, sorted_rows)
    sorted_codes = packed
    starts = _run_starts(sorted_codes)
    counts = np.diff(np.r_[starts, len(sorted_codes)]).astype(np.int64)
    return sorted_codes, sorted_rows, sorted_codes[starts], starts, counts


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _entry_extremes(
    codes: npt.NDArray[np.int64], rows: npt.NDArray[np.int64], segments: npt.NDArray[np.int64],
    out: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """Per segment ``t`` (``segments[t]:segments[t + 1]``), into ``out[t]``: the least
    code, the least row, the largest ``code & _LOW``, the largest ``code >> 31``, the
    largest row (an empty segment: the int64 maximum as least, 0 as largest)."""
    for t in prange(len(segments) - 1):
        first = segments[t]
        if first == segments[t + 1]:
            out[t, 0] = out[t, 1] = np.iinfo(np.int64).max
            out[t, 2] = out[t, 3] = out[t, 4] = 0
            continue
        least_code, least_row, most_row = codes[first], rows[first], rows[first]
        most_low, most_high = codes[first] & _LOW, codes[first] >> 31
        for i in range(first + 1, segments[t + 1]):
            c, r = codes[i], rows[i]
            least_code = min(least_code, c)
            least_row = min(least_row, r)
            most_row = max(most_row, r)
            most_low = max(most_low, c & _LOW)
            most_high = max(most_high, c >> 31)
        out[t, 0], out[t, 1], out[t, 2] = least_code, least_row, most_low
        out[t, 3], out[t, 4] = most_high, most_row


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _pack_entries(
    codes: npt.NDArray[np.int64], rows: npt.NDArray[np.int64], span: int, row_bits: int,
    out: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """Each entry as ``((code >> 31) * span + (code & _LOW)) << row_bits | row``."""
    for i in prange(len(codes)):
        c = codes[i]
        out[i] = (((c >> 31) * span + (c & _LOW)) << row_bits) | rows[i]


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _unpack_entries(
    packed: npt.NDArray[np.int64], span: int, row_bits: int, rows: npt.NDArray[np.int64]
) -> None:  # fmt: skip
    """:func:`_pack_entries` undone, in place: each value's row into ``rows``, and its
    code over the value itself (one array, not two that alias: the compiled loop is told
    its arrays do not overlap)."""
    mask = (1 << row_bits) - 1
    for i in prange(len(packed)):
        p = packed[i]
        compact = p >> row_bits
        high = compact // span
        rows[i] = p & mask
        packed[i] = (high << 31) | (compact - high * span)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _run_starts(values: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Where each run of equal values of ``values`` starts (the first place, then each
    place whose value differs from the one before)."""
    n = 0
    for i in range(len(values)):
        n += i == 0 or values[i] != values[i - 1]
    starts = np.empty(n, dtype=np.int64)
    n = 0
    for i in range(len(values)):
        if i == 0 or values[i] != values[i - 1]:
            starts[n] = i
            n += 1
    return starts


_LOW = np.int64((1 << 31) - 1)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _intersect(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    ia = np.empty(min(len(a), len(b)), dtype=np.int64)
    ib = np.empty(min(len(a), len(b)), dtype=np.int64)
    i = j = n = 0
    while i < len(a) and j < len(b):
        if a[i] < b[j]:
            i += 1
        elif b[j] < a[i]:
            j += 1
        else:
            ia[n] = i
            ib[n] = j
            n += 1
            i += 1
            j += 1
    return ia[:n].copy(), ib[:n].copy()


def intersect(
    a: npt.NDArray[np.int64], b: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Where two ascending arrays of distinct values hold the same value: the indices
    into each, in ascending order of the value (one linear pass)."""
    result: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] = _intersect(
        np.ascontiguousarray(a, dtype=np.int64), np.ascontiguousarray(b, dtype=np.int64)
    )
    return result


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _compact(values: npt.NDArray[np.int64]) -> int:
    """In place: the distinct values of an ascending array, ``_NO_PAIR`` left out, moved
    to its front. Returns their count."""
    if not len(values) or values[0] == _NO_PAIR:
        return 0
    n = 1
    for k in range(1, len(values)):
        x = values[k]
        if x == _NO_PAIR:
            break
        values[n] = x  # kept only if new: no branch on a coin toss
        n += x != values[n - 1]
    return n


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _record_spans(
    lrows: npt.NDArray[np.int64], ls: npt.NDArray[np.int64], lc: npt.NDArray[np.int64],
    rs: npt.NDArray[np.int64], rc: npt.NDArray[np.int64], n_left: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:  # fmt: skip
    """The blocks ``(ls, lc, rs, rc)`` by left record: record x's blocks are entries
    ``starts[x]:starts[x + 1]``, each its block's right rows as a span ``spans[0][e]``,
    ``spans[1][e]`` (start, count); and ``reach``: before each record, the pairs of the
    records before it, repeats counted (``reach[n_left]``: all)."""
    starts = np.zeros(n_left + 1, dtype=np.int64)
    reach = np.zeros(n_left + 1, dtype=np.int64)
    for b in range(len(ls)):
        for i in range(ls[b], ls[b] + lc[b]):
            starts[lrows[i] + 1] += 1
            reach[lrows[i] + 1] += rc[b]
    for x in range(n_left):
        starts[x + 1] += starts[x]
        reach[x + 1] += reach[x]
    fill = starts[:-1].copy()
    spans = np.empty((2, starts[n_left]), dtype=np.int64)
    for b in range(len(ls)):
        for i in range(ls[b], ls[b] + lc[b]):
            x = lrows[i]
            spans[0, fill[x]] = rs[b]
            spans[1, fill[x]] = rc[b]
            fill[x] += 1
    return starts, spans, reach


_SPANS_AHEAD = 4  # a record's blocks ahead to prefetch the right rows of (a random place)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _record_pairs(
    starts: npt.NDArray[np.int64], spans: npt.NDArray[np.int64], rrows: npt.NDArray[np.int64],
    cuts: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64], n_right: int, dedupe: bool,
    seen: npt.NDArray[np.uint8], out: npt.NDArray[np.int64], made: npt.NDArray[np.int64],
    met: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """Left records ``cuts[t]:cuts[t + 1]`` (a thread each, writing from ``offsets[t]``):
    each record's distinct pairs over all its blocks (:func:`_record_spans`), marked in
    the thread's row of ``seen``, a bit per right row (``n_right / 8`` bytes: stays in a
    core's L2 cache at 1M rows, a byte per row does not), cleared again after each
    record; ``made[t]``: how many were written, ``met[t]``: how many the blocks held,
    repeats counted (dedupe: left < right only)."""
    for t in prange(len(cuts) - 1):
        at = offsets[t]
        mark = seen[t]
        end = starts[cuts[t + 1]]
        count = 0
        for x in range(cuts[t], cuts[t + 1]):
            first = at
            base = x * n_right
            for e in range(starts[x], starts[x + 1]):
                if e + _SPANS_AHEAD < end:
                    _prefetch(rrows, spans[0, e + _SPANS_AHEAD])
                for j in range(spans[0, e], spans[0, e] + spans[1, e]):
                    y = rrows[j]
                    out[at] = base + y  # kept only if new: no branch on a coin toss
                    met_here = int(not dedupe or x < y)
                    count += met_here
                    bit = y & 7
                    at += met_here & ((mark[y >> 3] >> bit) ^ 1)
                    mark[y >> 3] |= met_here << bit
            for p in range(first, at):
                mark[(out[p] - base) >> 3] = 0  # the record's marks only in that byte
        made[t] = at - offsets[t]
        met[t] = count


def record_pairs(
    lrows: npt.NDArray[np.int64],
    rrows: npt.NDArray[np.int64],
    blocks: tuple[npt.NDArray[np.int64], ...],
    n_left: int,
    n_right: int,
    *,
    batch: int,
    dedupe: bool,
    workers: int = 1,
) -> Iterator[tuple[npt.NDArray[np.int64], int]]:
    """The pair ids ``left * n_right + right`` of the blocks ``(ls, lc, rs, rc)`` (block
    b pairs ``lrows[ls[b]:ls[b] + lc[b]]`` with ``rrows[rs[b]:rs[b] + rc[b]]``; each
    block's rows distinct), each pair once however many blocks it is in (pairs met by
    several blocks of a rule are most of a name rule's), in dedupe mode left < right only.
    Made a run of left records at a time, each record's from all its blocks at once: per
    batch (at most ``batch`` pairs, repeats counted, but for one record with more), its
    pairs grouped by left record, records ascending (a record's pairs in no set order),
    and how many pairs its blocks held, repeats counted. Each of ``workers`` threads takes
    a part of the batch's records. A batch is a view of one buffer, written again for the
    next batch (a batch's worth of fresh memory costs the kernel's time to map and clear):
    use it before asking for the next."""
    ls, lc, rs, rc = blocks
    starts, spans, reach = _record_spans(lrows, ls, lc, rs, rc, n_left)
    threads = _Threads(workers)
    parts = threads.wanted
    seen = np.zeros((parts, (max(n_right, 1) + 7) >> 3), dtype=np.uint8)  # a bit per row
    first = int(np.searchsorted(reach, 0, "right")) - 1  # the first record with pairs
    scratch = Scratch()
    while first < n_left and reach[first] < reach[n_left]:
        last = max(int(np.searchsorted(reach, reach[first] + batch, "right")) - 1, first + 1)
        # Parts of about equal pairs (repeats counted), each whole records.
        aim = np.linspace(reach[first], reach[last], parts + 1)
        cuts = np.clip(np.searchsorted(reach, aim), first, last).astype(np.int64)
        cuts[0], cuts[-1] = first, last
        offsets = reach[cuts[:-1]] - reach[first]
        out = scratch.take(0, int(reach[last] - reach[first]))
        made = np.zeros(parts, dtype=np.int64)
        met = np.zeros(parts, dtype=np.int64)
        with threads:
            _record_pairs(
                starts, spans, rrows, cuts, offsets, max(n_right, 1), dedupe, seen, out, made, met
            )  # fmt: skip
        n = _close_up(out, offsets, made)
        if n:  # none made: none met (dedupe: no left < right)
            yield out[:n], int(met.sum())
        first = last


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _key_pairs(
    matrix: npt.NDArray[np.int64], first: npt.NDArray[np.int64], second: npt.NDArray[np.int64],
    bounds: npt.NDArray[np.int64], width: int, place: npt.NDArray[np.int64],
    rows: npt.NDArray[np.int64], codes: npt.NDArray[np.int64], count: bool,
) -> None:  # fmt: skip
    """For rows ``bounds[t]:bounds[t + 1]`` (a thread each), each column pair
    ``first[q]``, ``second[q]`` whose two keys are present and distinct: counted in
    ``place[t, q]`` (``count``), or written to ``rows``/``codes`` at ``place[t, q]``, the
    place moved on. A row is read once for all its column pairs."""
    for t in prange(len(bounds) - 1):
        for r in range(bounds[t], bounds[t + 1]):
            for q in range(len(first)):
                x, y = matrix[r, first[q]], matrix[r, second[q]]
                if x >= 0 and y >= 0 and x != y:
                    if not count:
                        rows[place[t, q]] = r
                        codes[place[t, q]] = min(x, y) * width + max(x, y)
                    place[t, q] += 1


def key_pairs(
    matrix: npt.NDArray[np.int64], chain: int, width: int, workers: int = 1
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Each row's unordered pairs of distinct keys from two columns of different parts
    (column c holds part ``c % chain``), as rows and codes ``low * width + high``; by
    column pair, then row. ``workers``: threads, each a range of rows (counted, then
    written after the ranges before it within each column pair)."""
    matrix = np.ascontiguousarray(matrix, dtype=np.int64)
    n_cols = matrix.shape[1]
    columns = [
        (a, b) for a in range(n_cols) for b in range(a + 1, n_cols) if a % chain != b % chain
    ]
    first = np.array([a for a, _ in columns], dtype=np.int64)
    second = np.array([b for _, b in columns], dtype=np.int64)
    threads = _Threads(workers)
    parts = min(threads.wanted, max(len(matrix), 1))
    bounds = _segments(len(matrix), parts)
    place = np.zeros((parts, len(columns)), dtype=np.int64)
    rows = np.empty(0, dtype=np.int64)
    codes = np.empty(0, dtype=np.int64)
    with threads:
        _key_pairs(matrix, first, second, bounds, width, place, rows, codes, True)
        # A pair's place: after all pairs of earlier column pairs, and those of its column
        # pair in earlier ranges.
        flat = place.T.ravel()
        total = int(flat.sum())
        place = (np.cumsum(flat) - flat).reshape(len(columns), parts).T.copy()
        rows = np.empty(total, dtype=np.int64)
        codes = np.empty(total, dtype=np.int64)
        _key_pairs(matrix, first, second, bounds, width, place, rows, codes, False)
    return rows, codes


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _combine(
    a_rows: npt.NDArray[np.int64], a_codes: npt.NDArray[np.int64],
    b_rows: npt.NDArray[np.int64], b_codes: npt.NDArray[np.int64],
    n_rows: int, width: int, parts: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:  # fmt: skip
    """:func:`combine_codes`: b's codes grouped by row (one pass), then a's entries in
    ``parts`` ranges of about equal length, a thread each, each range's combinations
    written after those of the ranges before it (the order of one pass)."""
    start = np.zeros(n_rows + 1, dtype=np.int64)
    for k in range(len(b_rows)):
        start[b_rows[k] + 1] += 1
    for r in range(n_rows):
        start[r + 1] += start[r]
    fill = start[:-1].copy()
    by_row = np.empty(len(b_rows), dtype=np.int64)
    for k in range(len(b_rows)):
        by_row[fill[b_rows[k]]] = b_codes[k]
        fill[b_rows[k]] += 1
    place = np.zeros(parts + 1, dtype=np.int64)  # each range's combinations, then offsets
    for t in prange(parts):
        total = 0
        for k in range(len(a_rows) * t // parts, len(a_rows) * (t + 1) // parts):
            r = a_rows[k]
            if r < n_rows:
                total += start[r + 1] - start[r]
        place[t + 1] = total
    for t in range(parts):
        place[t + 1] += place[t]
    rows = np.empty(place[parts], dtype=np.int64)
    codes = np.empty(place[parts], dtype=np.int64)
    for t in prange(parts):
        n = place[t]
        for k in range(len(a_rows) * t // parts, len(a_rows) * (t + 1) // parts):
            r = a_rows[k]
            if r >= n_rows:
                continue
            high = a_codes[k] * width
            for at in range(start[r], start[r + 1]):
                rows[n] = r
                codes[n] = high + by_row[at]
                n += 1
    return rows, codes


def combine_codes(
    a_rows: npt.NDArray[np.int64],
    a_codes: npt.NDArray[np.int64],
    b_rows: npt.NDArray[np.int64],
    b_codes: npt.NDArray[np.int64],
    width: int,
    workers: int = 1,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Every combination ``a_code * width + b_code`` (int64, wrapping) of the codes of
    ``a`` and ``b`` on the same row: rows and combined codes, in ``a``'s order (written
    on ``workers`` threads)."""
    n_rows = int(b_rows.max()) + 1 if len(b_rows) else 0
    threads = _Threads(workers)
    with threads:
        result: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] = _combine(
            np.ascontiguousarray(a_rows, dtype=np.int64),
            np.ascontiguousarray(a_codes, dtype=np.int64),
            np.ascontiguousarray(b_rows, dtype=np.int64),
            np.ascontiguousarray(b_codes, dtype=np.int64),
            n_rows,
            width,
            threads.wanted,
        )
    return result


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _met(x: int, y: int, n_right: int, dedupe: bool) -> int:
    """The id of records x (left) and y (right) meeting; in one list (dedupe), the pair
    from its lower record, whichever side's order met it (a record's neighbours are not
    symmetric as a full join's pairs are), and none for a record with itself."""
    if not dedupe or x < y:
        return x * n_right + y
    return y * n_right + x if x > y else _NO_PAIR


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _key_order(
    lkey: npt.NDArray[np.int64], rkey: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], ...]:
    """One key order of a block's entries (``lkey``, ``rkey``: their keys, distinct):
    per side, the entry at each place (as an index into its side), each entry's place,
    and per place how many entries of the other side come before it."""
    nl, nr = len(lkey), len(rkey)
    keys = np.empty(nl + nr, dtype=np.int64)
    keys[:nl] = lkey
    keys[nl:] = rkey
    order = np.argsort(keys)  # distinct keys: any sort gives the one order
    at_l = np.empty(nl, dtype=np.int64)
    at_r = np.empty(nr, dtype=np.int64)
    place_l = np.empty(nl, dtype=np.int64)
    place_r = np.empty(nr, dtype=np.int64)
    rights_before = np.empty(nl, dtype=np.int64)  # per left place: its window's centre
    lefts_before = np.empty(nr, dtype=np.int64)
    seen_l = seen_r = 0
    for t in order:
        if t < nl:
            at_l[seen_l] = t
            place_l[t] = seen_l
            rights_before[seen_l] = seen_r
            seen_l += 1
        else:
            at_r[seen_r] = t - nl
            place_r[t - nl] = seen_r
            lefts_before[seen_r] = seen_l
            seen_r += 1
    return at_l, at_r, place_l, place_r, rights_before, lefts_before


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _within(
    i: int, j: int, rights_before: npt.NDArray[np.int64], lefts_before: npt.NDArray[np.int64],
    window: int,
) -> bool:  # fmt: skip
    """Whether the left at place ``i`` and the right at place ``j`` of one key order meet
    in it: the right is in the left's window, or the left in the right's."""
    centre = rights_before[i]
    if centre - window <= j < centre + window:
        return True
    centre = lefts_before[j]
    return bool(centre - window <= i < centre + window)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _nearest_pairs(
    lrows: npt.NDArray[np.int64], lkey: npt.NDArray[np.int64], lkey2: npt.NDArray[np.int64],
    ls: npt.NDArray[np.int64], lc: npt.NDArray[np.int64], rrows: npt.NDArray[np.int64],
    rkey: npt.NDArray[np.int64], rkey2: npt.NDArray[np.int64], rs: npt.NDArray[np.int64],
    rc: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64], window: int, n_right: int,
    dedupe: bool, out: npt.NDArray[np.int64], made: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    for block in prange(len(ls)):
        l0, nl, r0, nr = ls[block], lc[block], rs[block], rc[block]
        first = _key_order(lkey[l0 : l0 + nl], rkey[r0 : r0 + nr])
        second = _key_order(lkey2[l0 : l0 + nl], rkey2[r0 : r0 + nr])
        _, _, place_l, place_r, before_l, before_r = first
        at = offsets[block]
        for k in range(2):
            at_l, at_r, _, _, rights_before, lefts_before = first if k == 0 else second
            for i in range(nl):  # a left record meets the rights around it
                x = lrows[l0 + at_l[i]]
                centre = rights_before[i]
                for j in range(max(centre - window, 0), min(centre + window, nr)):
                    if k and _within(place_l[at_l[i]], place_r[at_r[j]], before_l, before_r,
                                     window):  # fmt: skip
                        continue  # met in the first order
                    pair = _met(x, rrows[r0 + at_r[j]], n_right, dedupe)
                    if pair != _NO_PAIR:
                        out[at] = pair
                        at += 1
            for j in range(nr):  # a right record meets the lefts around it
                y = rrows[r0 + at_r[j]]
                centre = lefts_before[j]
                for i in range(max(centre - window, 0), min(centre + window, nl)):
                    if rights_before[i] - window <= j < rights_before[i] + window:
                        continue  # y is in left i's window: they have met
                    if k and _within(place_l[at_l[i]], place_r[at_r[j]], before_l, before_r,
                                     window):  # fmt: skip
                        continue
                    pair = _met(lrows[l0 + at_l[i]], y, n_right, dedupe)
                    if pair != _NO_PAIR:
                        out[at] = pair
                        at += 1
        made[block] = at - offsets[block]


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _close_up(
    out: npt.NDArray[np.int64], offsets: npt.NDArray[np.int64], made: npt.NDArray[np.int64]
) -> int:
    """In place: each part's ``made`` pairs (from its offset: a block's, or a thread's)
    moved up behind the parts before it; returns their count."""
    n = 0
    for block in range(len(made)):
        start = offsets[block]
        for t in range(made[block]):
            out[n + t] = out[start + t]
        n += made[block]
    return n


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _gather(
    values: npt.NDArray[np.int64], index: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
) -> None:  # fmt: skip
    for k in prange(len(index)):
        out[k] = values[index[k]]


def gather(
    values: npt.NDArray[np.int64], index: npt.NDArray[np.int64], *, workers: int = 1
) -> npt.NDArray[np.int64]:
    """``values[index]`` (int64), each of ``workers`` threads a part of ``index``: a gather
    of tens of millions from random places is memory-bound, and numpy's is one thread."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    index = np.ascontiguousarray(index, dtype=np.int64)
    out = np.empty(len(index), dtype=np.int64)
    if len(index):
        with _Threads(workers):
            _gather(values, index, out)
    return out


def nearest_pairs(
    left: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]],
    right: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]],
    blocks: tuple[npt.NDArray[np.int64], ...],
    window: int,
    n_right: int,
    *,
    dedupe: bool,
    workers: int = 1,
    made: npt.NDArray[np.int64] | None = None,
) -> Iterator[npt.NDArray[np.int64]]:
    """Sorted neighbourhood inside blocks, in two key orders, as pair ids a batch of
    blocks at a time (at most ``NEAR_BATCH`` each, but for a block larger than that): in
    each block ``(ls, lc, rs, rc)`` of ``left`` and ``right`` (per side: rows, and two
    sort keys per entry, each distinct within a block), every entry meets the ``window``
    entries of the other side just before and just after it in each key order. Within a
    block each pair comes once where a record is in a block at most once a side, as in
    blocking (a pair the first order met is not given again by the second); in dedupe
    mode a pair is given from its lower record, none for a record with itself, and a pair
    both of whose records met the other may come twice. A pair in several blocks comes
    once per block. A batch is a view of one buffer, written again for the next batch
    (as :func:`record_pairs`'): use it before asking for the next. ``made``, if given,
    gets each block's number of pairs as its batch is given."""
    (lrows, lkey, lkey2), (rrows, rkey, rkey2) = left, right
    ls, lc, rs, rc = blocks
    bound = 2 * (lc * np.minimum(2 * window, rc) + rc * np.minimum(2 * window, lc))
    offsets = np.zeros(len(bound) + 1, dtype=np.int64)
    np.cumsum(bound, out=offsets[1:])
    first = 0
    scratch = Scratch()
    while first < len(bound):
        last = max(
            int(np.searchsorted(offsets, offsets[first] + NEAR_BATCH, "right")) - 1, first + 1
        )
        out = scratch.take(0, int(offsets[last] - offsets[first]))
        if len(out):
            at = offsets[first : last + 1] - offsets[first]
            made_here = np.empty(last - first, dtype=np.int64)
            with _Threads(workers):
                _nearest_pairs(
                    lrows, lkey, lkey2, ls[first:last], lc[first:last], rrows, rkey, rkey2,
                    rs[first:last], rc[first:last], at, window, max(n_right, 1), dedupe, out,
                    made_here,
                )  # fmt: skip
            n = _close_up(out, at, made_here)
            if made is not None:
                made[first:last] = made_here
            if n:
                yield out[:n]
        first = last


#: Pairs :func:`nearest_pairs` writes at once (bounds its memory: 8 bytes a pair).
NEAR_BATCH = 1 << 24


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _ascending(values: npt.NDArray[np.int64]) -> bool:
    k = 1
    while k < len(values) and values[k] >= values[k - 1]:
        k += 1
    return k >= len(values)


#: Bits :func:`_lsd` sorts at a pass, and the top digit :func:`_by_top_digit` parts values
#: by, at most (1,024-2,048 buckets: their counts and write places stay in the first-level
#: cache).
_RADIX_BITS = 11


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _segment_tops(
    values: npt.NDArray[np.int64], segments: npt.NDArray[np.int64], tops: npt.NDArray[np.int64]
) -> None:
    """``tops[t]``: the largest value of segment ``t`` (but ``_NO_PAIR``; 0 if none)."""
    for t in prange(len(segments) - 1):
        top = 0
        for i in range(segments[t], segments[t + 1]):
            x = values[i]
            if x != _NO_PAIR and x > top:
                top = x
        tops[t] = top


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _digit_counts(
    values: npt.NDArray[np.int64], segments: npt.NDArray[np.int64], shift: int,
    counts: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """``counts[t, d]``: how many values of segment ``t`` (but ``_NO_PAIR``) have
    ``value >> shift == d``, a thread per segment."""
    for t in prange(len(segments) - 1):
        for i in range(segments[t], segments[t + 1]):
            x = values[i]
            if x != _NO_PAIR:
                counts[t, x >> shift] += 1


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _scatter_digits(
    values: npt.NDArray[np.int64], segments: npt.NDArray[np.int64], shift: int,
    place: npt.NDArray[np.int64], out: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """Each value of segment ``t`` (but ``_NO_PAIR``) to ``out[place[t, value >> shift]]``,
    the place then moved on; a thread per segment."""
    for t in prange(len(segments) - 1):
        for i in range(segments[t], segments[t + 1]):
            x = values[i]
            if x != _NO_PAIR:
                d = x >> shift
                out[place[t, d]] = x
                place[t, d] += 1


def _by_top_digit(
    values: npt.NDArray[np.int64],
    segments: npt.NDArray[np.int64],
    counts: npt.NDArray[np.int64],
    shift: int,
    parts: int,
    scratch: Scratch | None = None,
    slot: int = 1,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The values (but ``_NO_PAIR``) of ``values`` in buckets of ``value >> shift``
    ascending (the first pass of a most-significant-digit radix sort, on ``parts``
    threads): an array holding them (new, or ``scratch``'s buffer ``slot``), each bucket's
    start (and the end), and
    bounds of ``parts`` runs of whole buckets of about equal length, a thread's work
    each. ``counts[t, d]``: the values of digit ``d`` in segment ``t``,
    ``segments[t]:segments[t + 1]``, of ``values`` (:func:`_digit_counts`)."""
    n_buckets = counts.shape[1]
    # A value's place: after all values of lower digits and those of its digit in
    # earlier segments.
    place = (np.cumsum(counts.T.ravel()) - counts.T.ravel()).reshape(n_buckets, -1).T.copy()
    m = int(counts.sum())
    starts = np.append(place[0], m).astype(np.int64)
    out = np.empty(m, dtype=np.int64) if scratch is None else scratch.take(slot, m)
    _scatter_digits(values, segments, shift, place, out)
    cuts = np.searchsorted(starts, np.linspace(0, m, parts + 1)).astype(np.int64)
    cuts[0], cuts[-1] = 0, n_buckets
    return out, starts, cuts


def _segments(n: int, parts: int) -> npt.NDArray[np.int64]:
    """Bounds of ``parts`` equal segments of ``n`` places."""
    return np.linspace(0, n, parts + 1).astype(np.int64)


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _lsd(
    source: npt.NDArray[np.int64], target: npt.NDArray[np.int64], first: int, end: int,
    low: int, bits: int, counts: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:  # fmt: skip
    """``source[first:end]`` (values alike above bit ``low + bits``, as in a bucket of
    :func:`_by_top_digit`) in ascending order of bits ``low`` to ``low + bits`` of each
    value (ties keep their order): a least-significant-digit radix sort, a sequential
    pass a digit, between ``source`` and ``target`` (their places ``first:end``);
    returns the one that holds the result (``target`` after an odd number of passes).
    ``counts``: a table of at least ``passes`` rows of ``2**width`` (:func:`_digits`)."""
    passes, width = _digits(bits)
    mask = (1 << width) - 1
    counts[:passes, : mask + 1] = 0
    for i in range(first, end):  # each pass's counts do not depend on the order
        x = source[i]
        for p in range(passes):
            counts[p, (x >> (low + p * width)) & mask] += 1
    for p in range(passes):  # counts become each digit's first place
        total = first
        for d in range(mask + 1):
            c = counts[p, d]
            counts[p, d] = total
            total += c
    for p in range(passes):
        shift = low + p * width
        for i in range(first, end):
            x = source[i]
            d = (x >> shift) & mask
            target[counts[p, d]] = x
            counts[p, d] += 1
        source, target = target, source
    return source


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _digits(bits: int) -> tuple[int, int]:
    """Passes of :func:`_lsd` over ``bits`` bits, and their (even) width."""
    passes = (bits + _RADIX_BITS - 1) // _RADIX_BITS
    return passes, ((bits + passes - 1) // passes if passes else 0)


#: Buckets of :func:`_distinct_buckets` up to this many values may be hashed (a table of
#: twice as many slots, 8 bytes each: in the second-level cache).
_HASHED_BUCKET = 1 << 15
#: At most this many values, :func:`sorted_distinct` sorts with numpy: its radix sort
#: passes over every bucket's digit counts (2,048 buckets, two passes each), a fixed 1 to 2
#: ms a call, where numpy's sort of 4,000 values takes 0.02 ms and of 65,536 0.4 ms (2.8
#: ms the radix sort on two threads; the two meet at about a million values, this host).
_SMALL_SORT = 1 << 16


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _hash_distinct(
    values: npt.NDArray[np.int64], first: int, end: int, digit: int, bits: int,
    table: npt.NDArray[np.int64], slot_shift: np.uint64,
) -> int:  # fmt: skip
    """In place: the distinct values of ``values[first:end]`` (each ``value >> bits ==
    digit``, a bucket of :func:`_by_top_digit`), in order of first sight, moved to its
    front; returns where they end. ``table``: open addressing (Fibonacci hash, linear
    probing) over ``2**(64 - slot_shift)`` slots; a slot is free for this bucket unless
    it holds one of its values (``value >> bits == digit``; -1 at first), so the table is
    never cleared between buckets. It must never have held this bucket's values before:
    one left from an earlier use would pass for seen, and drop its value."""
    mask = len(table) - 1
    k = first
    for i in range(first, end):
        x = values[i]
        s = np.int64((np.uint64(x) * _GOLDEN) >> slot_shift)
        while True:
            held = table[s]
            if held >> bits != digit:  # free: another bucket's value or none
                table[s] = x
                values[k] = x
                k += 1
                break
            if held == x:
                break
            s = (s + 1) & mask
    return k


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _distinct_buckets(
    source: npt.NDArray[np.int64], target: npt.NDArray[np.int64],
    starts: npt.NDArray[np.int64], cuts: npt.NDArray[np.int64], bits: int,
    kept: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """Each bucket ``starts[d]:starts[d + 1]`` (a thread per run ``cuts[t]:cuts[t + 1]``
    of them) sorted by its low ``bits`` bits (:func:`_lsd`) and its distinct values
    moved to its front; ``kept[d]``: how many.

    A thread's first bucket, and one where the bucket before (on the thread) held many
    repeats (under 5/8 of its values distinct; pairs met by several blocks of a rule), if
    at most ``_HASHED_BUCKET`` long, has its repeats dropped first by hashing
    (:func:`_hash_distinct`, about a third of a sorting pass a value), and only its
    distinct values are sorted: the same result."""
    passes, width = _digits(bits)
    largest = 1
    for d in range(len(starts) - 1):
        largest = max(largest, min(starts[d + 1] - starts[d], _HASHED_BUCKET))
    slot_bits = 1
    while 1 << slot_bits < 2 * largest:
        slot_bits += 1
    for part in prange(len(cuts) - 1):
        counts = np.empty((max(passes, 1), 1 << width), dtype=np.int64)
        table = np.full(1 << slot_bits, -1, dtype=np.int64)
        hashed = True  # until a bucket shows few repeats
        for d in range(cuts[part], cuts[part + 1]):
            first, end = starts[d], starts[d + 1]
            if hashed and end - first <= _HASHED_BUCKET:
                end = _hash_distinct(source, first, end, d, bits, table, np.uint64(64 - slot_bits))
                _lsd(source, target, first, end, 0, bits, counts)
                kept[d] = end - first
                hashed = 8 * (end - first) < 5 * (starts[d + 1] - first)
                continue
            held = _lsd(source, target, first, end, 0, bits, counts)
            k = first
            for i in range(first, end):
                x = held[i]
                if k == first or x != held[k - 1]:
                    held[k] = x
                    k += 1
            kept[d] = k - first
            hashed = 8 * (k - first) < 5 * (end - first)


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _grouped_buckets(
    source: npt.NDArray[np.int64], target: npt.NDArray[np.int64],
    starts: npt.NDArray[np.int64], cuts: npt.NDArray[np.int64], bits: int, unit: int,
    kept: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """Each bucket ``starts[d]:starts[d + 1]`` of ``source`` (values ``>> bits == d``; a
    thread per run ``cuts[t]:cuts[t + 1]`` of them) into ``target``'s same places grouped
    by ``value // unit``, groups ascending (a counting sort, one pass: a bucket spans a
    few hundred groups), and each group's repeats dropped by a bitmap of ``value % unit``
    (a bit per right row, cleared again after each group: in cache), its distinct values
    moved to the bucket's front in order of first sight; ``kept[d]``: how many. Values
    below ``_EXACT_IDS`` (:func:`_split_id`)."""
    inverse = 1.0 / unit
    most = ((1 << bits) - 1) // unit + 2  # groups a bucket may hold
    longest = 0
    for d in range(len(starts) - 1):
        longest = max(longest, starts[d + 1] - starts[d])
    for part in prange(len(cuts) - 1):
        mark = np.zeros((unit + 7) >> 3, dtype=np.uint8)
        place = np.empty(most + 1, dtype=np.int64)
        group = np.empty(longest, dtype=np.int32)  # each value's, from the first pass
        for d in range(cuts[part], cuts[part + 1]):
            first, end = starts[d], starts[d + 1]
            kept[d] = 0
            if first == end:
                continue
            g0 = (d << bits) // unit
            size = (((d + 1) << bits) - 1) // unit - g0 + 1  # the groups it may hold
            place[: size + 1] = 0
            for i in range(first, end):
                g = _split_id(source[i], unit, inverse)[0] - g0
                group[i - first] = g
                place[g + 1] += 1
            for g in range(size):
                place[g + 1] += place[g]
            for i in range(first, end):  # place[g]: group g's next, then its end
                g = group[i - first]
                target[first + place[g]] = source[i]
                place[g] += 1
            k = at = first
            for g in range(size):
                group_end = first + place[g]
                base = (g0 + g) * unit
                k0 = k
                for i in range(at, group_end):
                    x = target[i]
                    y = x - base
                    target[k] = x  # kept only if new: no branch on a coin toss
                    bit = y & 7
                    k += ((mark[y >> 3] >> bit) & 1) ^ 1
                    mark[y >> 3] |= 1 << bit
                for i in range(k0, k):
                    mark[(target[i] - base) >> 3] = 0  # the group's marks only in that byte
                at = group_end
            kept[d] = k - first


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _gather_buckets(
    held: npt.NDArray[np.int64], starts: npt.NDArray[np.int64], kept: npt.NDArray[np.int64],
    at: npt.NDArray[np.int64], cuts: npt.NDArray[np.int64], out: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    """Bucket ``d``'s first ``kept[d]`` values of ``held`` to ``out[at[d]:]``."""
    for part in prange(len(cuts) - 1):
        for d in range(cuts[part], cuts[part + 1]):
            out[at[d] : at[d] + kept[d]] = held[starts[d] : starts[d] + kept[d]]


def sorted_distinct(
    out: npt.NDArray[np.int64],
    workers: int = 1,
    scratch: Scratch | None = None,
    *,
    unit: int = 0,
) -> npt.NDArray[np.int64]:
    """The distinct values of ``out`` (pair ids: non-negative, and ``_NO_PAIR``) but
    ``_NO_PAIR``, ascending; ``out`` is overwritten. With ``scratch``, the result may be
    its first buffer (the sort's own buffer was its second). A radix sort on ``workers`` threads:
    one pass parts the values by their top digit (:func:`_by_top_digit`), then each
    thread sorts its buckets (each a range of values: in cache when the values are
    spread, as pair ids are; one far above the rest leaves most in one bucket, correct but
    on one thread) and drops their repeats (first by hashing where they are many,
    :func:`_distinct_buckets`); nothing is merged.

    ``unit`` (``n_right``): the distinct values need only come grouped by ``value //
    unit`` (a pair's left record), groups ascending, in no set order within one: each
    bucket is sorted by group alone and its repeats dropped by a bitmap
    (:func:`_grouped_buckets`), a pass or two where sorting by the whole value takes three
    or four (ascending, which is grouped too, where values reach ``_EXACT_IDS`` or a
    bucket would span more than 2**16 groups)."""
    total = len(out)
    if _ascending(out):  # one block's pairs are written in order
        n = _compact(out)
        return out[:n].copy() if n < total // 2 else out[:n]
    if total <= _SMALL_SORT:
        # numpy's sort, in place (no new array: a batch's pages are the caller's, touched
        # already): the radix sort's passes over every bucket's counts cost more
        out.sort()
        return out[: _compact(out)]
    threads = _Threads(workers)
    parts = threads.wanted
    parts = parts if total > 1 << 16 else 1
    segments = _segments(total, parts)
    with _Threads(parts):
        tops = np.zeros(parts, dtype=np.int64)
        _segment_tops(out, segments, tops)
        bits = int(tops.max()).bit_length()
        top_bits = min(bits, _RADIX_BITS)
        shift = bits - top_bits
        counts = np.zeros((parts, 1 << top_bits), dtype=np.int64)
        _digit_counts(out, segments, shift, counts)
        parted, starts, cuts = _by_top_digit(out, segments, counts, shift, parts, scratch)
        kept = np.empty(len(starts) - 1, dtype=np.int64)
        # Grouped where a bucket spans few groups (pair ids: a thousandth of the records).
        if unit > 0 and bits < _EXACT_IDS.bit_length() and (1 << shift) // unit < 1 << 16:
            _grouped_buckets(parted, out, starts, cuts, shift, unit, kept)
            held = out
        else:
            _distinct_buckets(parted, out, starts, cuts, shift, kept)
            held = out if _digits(shift)[0] % 2 else parted
        at = np.cumsum(kept) - kept
        size = int(kept.sum())
        ids = np.empty(size, dtype=np.int64) if scratch is None else scratch.take(0, size)
        _gather_buckets(held, starts, kept, at, cuts, ids)
    return ids


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _radix_sorted(
    values: npt.NDArray[np.int64], spare: npt.NDArray[np.int64], bits: int
) -> npt.NDArray[np.int64]:
    passes, width = _digits(bits)
    counts = np.empty((max(passes, 1), 1 << width), dtype=np.int64)
    held: npt.NDArray[np.int64] = _lsd(values, spare, 0, len(values), 0, bits, counts)
    return held


def radix_sorted(values: npt.NDArray[np.int64], bits: int) -> npt.NDArray[np.int64]:
    """Non-negative int64 ``values``, each below ``2**bits``, ascending: a
    least-significant-digit radix sort (:func:`_lsd`, a pass per 11 bits or fewer), several
    times numpy's sort where the values are many and spread (the codes of term-frequency
    rows: millions a chunk, 40 bits). ``values`` is overwritten; the result is it or an
    array of its size."""
    values = np.ascontiguousarray(values, dtype=np.int64)
    if len(values) < 2:
        return values
    ordered: npt.NDArray[np.int64] = _radix_sorted(values, np.empty_like(values), int(bits))
    return ordered


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _unique_inverse(
    keys: npt.NDArray[np.int64], bits: int, ranks: npt.NDArray[np.int64],
    distinct: npt.NDArray[np.int64],
) -> int:  # fmt: skip
    """Non-negative ``keys`` below ``2**bits`` (overwritten: sorting scratch) sorted with
    their rows (a least-significant-digit radix sort, as :func:`_lsd` but moving each
    key's row too; a pass whose digit is one for all keys skipped); each key's rank among
    the distinct keys into ``ranks``, the distinct keys ascending into ``distinct``;
    returns how many there are."""
    n = len(keys)
    passes, width = _digits(bits)
    mask = (1 << width) - 1
    counts = np.zeros((max(passes, 1), mask + 1), dtype=np.int64)
    for i in range(n):  # each pass's counts do not depend on the order
        x = keys[i]
        for p in range(passes):
            counts[p, (x >> (p * width)) & mask] += 1
    source, rows = keys, np.arange(n)
    target, moved = np.empty_like(keys), np.empty_like(rows)
    for p in range(passes):
        shift = p * width
        if n and counts[p, (source[0] >> shift) & mask] == n:
            continue  # every key has this digit: the order stays
        total = 0
        for d in range(mask + 1):  # counts become each digit's first place
            c = counts[p, d]
            counts[p, d] = total
            total += c
        for i in range(n):
            x = source[i]
            d = (x >> shift) & mask
            at = counts[p, d]
            counts[p, d] = at + 1
            target[at] = x
            moved[at] = rows[i]
        source, target = target, source
        rows, moved = moved, rows
    m = 0
    for i in range(n):
        x = source[i]
        if i == 0 or x != source[i - 1]:
            distinct[m] = x
            m += 1
        ranks[rows[i]] = m - 1
    return m


def unique_inverse(
    values: npt.NDArray[np.integer[Any]],
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """What ``np.unique(values, return_inverse=True)`` gives for integers (flattened,
    as int64): the distinct values ascending, and each value's rank among them; by a
    radix sort of the values with their rows (a pass per 11 bits of the values' spread
    or fewer, a pass skipped where all share its digit), several times numpy's sort of
    millions of values. Values spread over 2**63 or more: numpy's. Unsigned values past
    int64's range: ``ValueError``."""
    if values.dtype.kind == "u" and values.size and int(values.max()) >= 2**63:
        raise ValueError("unique_inverse: unsigned values past int64's range")
    values = np.ascontiguousarray(values, dtype=np.int64).reshape(-1)
    if not len(values):
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    lo, hi = int(values.min()), int(values.max())
    if hi - lo >= 2**63:
        distinct, inverse = np.unique(values, return_inverse=True)
        return distinct, inverse.astype(np.int64)
    keys = values - np.int64(lo)  # exact: below 2**63
    ranks = np.empty(len(values), dtype=np.int64)
    held = np.empty(len(values), dtype=np.int64)
    m = _unique_inverse(keys, (hi - lo).bit_length(), ranks, held)
    distinct = _shrunk(held, m)
    distinct += np.int64(lo)
    return distinct, ranks


#: Fewer pairs than this are coded on one thread: starting threads would cost more.
_TF_PARALLEL_PAIRS = 1 << 16

#: Pair ids below this split exactly by :func:`_split_id` (a float64's exact integers).
_EXACT_IDS = 1 << 53


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _split_id(pair: int, n_right: int, inverse: float) -> tuple[int, int]:
    """A pair id's rows ``divmod(pair, n_right)``, by a multiply with ``inverse`` (1 /
    n_right) set right where rounding is off by one (ids below ``_EXACT_IDS``): several
    times faster than integer division."""
    left = int(np.int64(pair * inverse))
    right = pair - left * n_right
    if right < 0:
        left -= 1
        right += n_right
    elif right >= n_right:
        left += 1
        right -= n_right
    return left, right


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _split_ids(
    ids: npt.NDArray[np.int64], n_right: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """:func:`_split_id` over an array (what tests check against ``np.divmod``)."""
    left = np.empty_like(ids)
    right = np.empty_like(ids)
    inverse = 1.0 / n_right
    for k in range(len(ids)):
        left[k], right[k] = _split_id(ids[k], n_right, inverse)
    return left, right


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _tf_codes(
    ids: npt.NDArray[np.int64], n_right: int, index: IntArray, skip: npt.NDArray[np.bool_],
    at_level: npt.NDArray[np.bool_], bounded: npt.NDArray[np.bool_], a: IntArray, b: IntArray,
    steps: npt.NDArray[np.int64], frequency: npt.NDArray[np.float64], starts: Index,
    low: npt.NDArray[np.int64], span: npt.NDArray[np.int64], bounds: npt.NDArray[np.int64],
    at: npt.NDArray[np.int64], out: npt.NDArray[np.int64],
) -> None:  # fmt: skip
    inverse = 1.0 / n_right  # a pair's rows by _split_id
    for part in prange(len(bounds) - 1):
        m = at[part]
        for k in range(bounds[part], bounds[part + 1]):
            if len(skip) and skip[k]:
                continue
            pattern = index[k]
            left, right = _split_id(ids[k], n_right, inverse)
            code = pattern - low[0]
            for t in range(at_level.shape[0]):
                step = 0
                if at_level[t, pattern]:
                    value = a[t, left]
                    if value >= 0 and value == b[t, right]:
                        step = steps[starts[t] + value]
                elif bounded[t, pattern]:
                    x, y = a[t, left], b[t, right]
                    if x >= 0 and y >= 0:
                        common = x if frequency[starts[t] + x] >= frequency[starts[t] + y] else y
                        step = steps[starts[t] + common]
                code = code * span[t + 1] + (step - low[t + 1])
            out[m] = code
            m += 1


def tf_codes(
    ids: npt.NDArray[np.int64],
    n_right: int,
    index: IntArray,
    skip: npt.NDArray[np.bool_] | None,
    at_level: npt.NDArray[np.bool_],
    a: IntArray,
    b: IntArray,
    steps: list[npt.NDArray[np.int64]],
    low: Sequence[int],
    span: Sequence[int],
    workers: int = 1,
    bounded: Sequence[tuple[npt.NDArray[np.int8], npt.NDArray[np.float64]]] | None = None,
) -> npt.NDArray[np.int64]:
    """The mixed-radix code (``low``, ``span`` per column, as ``arrays.RowTally`` makes
    it) of each pair's term-frequency row, the pairs ``skip`` marks left out: its level
    pattern ``index[k]``, then per term-frequency comparison t the steps of the value the
    pair agrees on, ``steps[t][value]``, or 0 where it agrees on none (its pattern is not
    ``at_level[t]``, or ``a[t, li] == b[t, ri] >= 0`` fails, as :func:`agreements` reads
    it, the pair's rows read from its id ``li * n_right + ri``). Where its pattern is at a
    level a term-frequency level bounds instead (``bounded[t]``, as :func:`weights_over`
    reads it: per pattern :data:`TF_NEAR`, :data:`TF_LOWERING` or 0, and each value's
    frequency), the steps of the more common of its two values, both held (the left one
    where as common), else 0: at TF_LOWERING too, whose raw steps a model maps before it
    keeps those that lower. One pass, without the
    per-comparison rows, values and columns; the pairs split among ``workers`` threads,
    each writing its codes where the pairs before it end (the same codes, in order)."""
    n = len(ids)
    if n and int(ids.max()) >= _EXACT_IDS:
        raise ValueError(f"tf_codes: pair ids from 2**53 on ({int(ids.max()):,}) are too large")
    parts = worker_count(workers) if n >= _TF_PARALLEL_PAIRS else 1
    bounds = _segments(n, parts)
    kept = np.diff(bounds)
    if skip is not None:
        edges = pairwise(bounds.tolist())
        kept = kept - np.array([np.count_nonzero(skip[x:y]) for x, y in edges], np.int64)
    at = np.cumsum(kept) - kept
    out = np.empty(int(kept.sum()), np.int64)
    starts = np.cumsum([0] + [len(x) for x in steps])
    under = np.zeros((len(steps), np.shape(at_level)[-1]), dtype=np.bool_)
    frequency = [np.zeros(len(x)) for x in steps]
    for t, (kinds, shares) in enumerate(bounded or ()):
        under[t], frequency[t] = kinds > 0, shares
    with _Threads(parts):
        _tf_codes(
            np.ascontiguousarray(ids, dtype=np.int64), max(int(n_right), 1),
            np.ascontiguousarray(index), np.zeros(0, np.bool_) if skip is None else skip,
            np.ascontiguousarray(at_level, dtype=np.bool_),
            under, np.ascontiguousarray(a, dtype=np.int32),
            np.ascontiguousarray(b, dtype=np.int32),
            np.concatenate([np.zeros(0, np.int64), *steps]).astype(np.int64),
            np.concatenate([np.zeros(0), *frequency]).astype(np.float64), _index(starts),
            np.asarray(low, dtype=np.int64), np.asarray(span, dtype=np.int64), bounds,
            at.astype(np.int64), out,
        )  # fmt: skip
    return out


# --- tallies: distinct codes by hashing ---------------------------------------------------

# Fibonacci hashing: the top bits of code * 2**64 / golden ratio pick a slot.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)


@njit(inline="always", **_OPTIONS)  # type: ignore[untyped-decorator]
def _slot(table: npt.NDArray[np.int64], key: int, mask: int, shift: np.uint64) -> int:
    """Where ``key`` is in an open-addressing table (``mask + 1`` slots of (key, id), id
    -1 when free; linear probing from its Fibonacci hash), or the free slot it goes in."""
    slot = np.int64((np.uint64(key) * _GOLDEN) >> shift)
    while table[2 * slot + 1] >= 0 and table[2 * slot] != key:
        slot = (slot + 1) & mask
    return int(slot)


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _tally_codes(
    codes: npt.NDArray[np.int64], start: int, table: npt.NDArray[np.int64],
    keys: npt.NDArray[np.int64], counts: npt.NDArray[np.int64], n: int,
    ids: npt.NDArray[np.int64], bits: int,
) -> tuple[int, int]:  # fmt: skip
    """Each of ``codes[start:]`` looked up in (or added to) the open-addressing ``table``
    (``2**bits`` slots of (code, id), id -1 when free), its id written to ``ids`` and
    counted; ``keys[id]`` is the code. Stops early when the table is half full; returns
    where it stopped and the distinct codes so far."""
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    for i in range(start, len(codes)):
        if 2 * n >= mask + 1:
            return i, n
        if i + _AHEAD < len(codes):  # the home slot of a code ahead (see _prefetch)
            _prefetch(table, 2 * np.int64((np.uint64(codes[i + _AHEAD]) * _GOLDEN) >> shift))
        code = codes[i]
        slot = _slot(table, code, mask, shift)
        found = table[2 * slot + 1]
        if found < 0:
            table[2 * slot] = code
            table[2 * slot + 1] = found = n
            keys[n] = code
            counts[n] = 0
            n += 1
        ids[i] = found
        counts[found] += 1
    return len(codes), n


class CodeTally:
    """Distinct int64 codes over one or several arrays (chunks of pairs), in one pass by
    hashing, and each code's count (or summed weight); ranked ascending at the end.

    Sorting every code to find the distinct ones costs n log n per chunk; a candidate
    pair's level pattern is one of far fewer, so a hash table of the distinct codes is
    small and a lookup per code is all the work. (Counts of codes that are mostly
    distinct, such as term-frequency rows, are cheaper sorted: :class:`RowTally`.)
    """

    def __init__(self) -> None:
        self.bits = 10
        self.table, self.keys, self.counts = self._arrays()
        self.n = 0
        self.weights: npt.NDArray[np.float64] | None = None

    def _arrays(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        table = np.full(2 << self.bits, -1, dtype=np.int64)
        size = 1 << (self.bits - 1)
        return table, np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64)

    def add(
        self, codes: npt.NDArray[np.int64], weights: npt.NDArray[np.float64] | None = None
    ) -> npt.NDArray[np.int64]:
        """Count ``codes`` (and sum their ``weights``, if given: on every call or none);
        returns each code's id, the order in which the distinct codes were first seen."""
        if self.n and (weights is None) != (self.weights is None):
            raise ValueError("CodeTally.add: give weights on every call or on none")
        codes = np.ascontiguousarray(codes, dtype=np.int64)
        ids = np.empty(len(codes), dtype=np.int64)
        at = 0
        while True:
            at, self.n = _tally_codes(
                codes, at, self.table, self.keys, self.counts, self.n, ids, self.bits
            )
            if at == len(codes):
                break
            self._grow()
        if weights is not None:
            more = np.bincount(ids, weights=weights, minlength=self.n).astype(np.float64)
            if self.weights is not None:
                more[: len(self.weights)] += self.weights
            self.weights = more
        return ids

    def _grow(self) -> None:
        keys, counts = self.keys[: self.n], self.counts[: self.n]
        # Four times the slots while the table is small (fewer rehashes), twice once it is
        # large: millions of distinct codes would otherwise leave it up to 8x their count.
        self.bits += 2 if self.bits < 20 else 1
        self.table, self.keys, self.counts = self._arrays()
        ids = np.empty(len(keys), dtype=np.int64)
        _tally_codes(keys, 0, self.table, self.keys, self.counts, 0, ids, self.bits)
        self.counts[: self.n] = counts

    def ranked(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any], npt.NDArray[np.int64]]:
        """The distinct codes ascending, their counts (summed weights if weights were
        given), and each id's position among them."""
        order = np.argsort(self.keys[: self.n], kind="stable")
        rank = np.empty(self.n, dtype=np.int64)
        rank[order] = np.arange(self.n)
        counts = self.counts[: self.n] if self.weights is None else self.weights
        return self.keys[order], counts[order], rank


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _number_rows(
    matrix: npt.NDArray[np.integer[Any]], table: IntArray, bits: int, out: Index, first: Index
) -> int:
    """Each row of ``matrix`` looked up in (or added to) the open-addressing ``table``
    (``2**bits`` slots of a row index, -1 when free; linear probing from the row's hash),
    its number written to ``out`` (numbers from 0 in order of first sight) and each
    number's first row to ``first``; returns how many numbers."""
    mask = (1 << bits) - 1
    shift = np.uint64(64 - bits)
    n = 0
    for i in range(matrix.shape[0]):
        h = np.uint64(matrix.shape[1])
        for c in range(matrix.shape[1]):
            h = (h ^ np.uint64(np.int64(matrix[i, c]))) * _GOLDEN
            h ^= h >> np.uint64(29)
        slot = np.int64((h * _GOLDEN) >> shift)
        while True:
            row = table[slot]
            if row < 0:
                table[slot] = i
                out[i] = n
                first[n] = i
                n += 1
                break
            same = True
            for c in range(matrix.shape[1]):
                if matrix[row, c] != matrix[i, c]:
                    same = False
                    break
            if same:
                out[i] = out[row]
                break
            slot = (slot + 1) & mask
    return n


def shifted_blocks(packed: IntArray, start: npt.NDArray[np.integer[Any]], width: int) -> IntArray:
    """``packed`` (int32 rows of blocks of ``width`` columns) with each row's blocks read
    from its ``start`` on, left-aligned, -1 past their end: a new C-ordered array."""
    out = np.empty(packed.shape, dtype=np.int32)
    _shifted_blocks(
        np.ascontiguousarray(packed, dtype=np.int32), start.astype(np.int64), width, out
    )
    return out


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _shifted_blocks(
    packed: IntArray, start: npt.NDArray[np.int64], width: int, out: IntArray
) -> None:
    for r in range(packed.shape[0]):
        by = start[r]
        for block in range(0, packed.shape[1], width):
            for c in range(width):
                out[r, block + c] = packed[r, block + c + by] if c + by < width else -1


def number_rows(matrix: npt.NDArray[np.integer[Any]]) -> tuple[Index, Index]:
    """One number per row of a 2-d integer array, equal where the rows are equal (numbers
    from 0 in order of first sight), and the first row of each number: by hashing each row
    once (no row is sorted, nothing overflows). At most ``2**31 - 1`` rows."""
    rows = matrix.shape[0]
    bits = max(4, (2 * rows).bit_length())  # at most half the slots taken
    table = np.full(1 << bits, -1, dtype=np.int32)
    out = np.empty(rows, dtype=np.intp)
    first = np.empty(rows, dtype=np.intp)
    n = _number_rows(np.ascontiguousarray(matrix), table, bits, out, first)
    return out, first[:n].copy()


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _others_evidence(
    patterns: Levels, c: int, left_out: Index, cell_weights: npt.NDArray[np.float64],
    width: int, steps: npt.NDArray[np.int64], tf_row: Index, step: float,
    total: npt.NDArray[np.float64], rows: Index, others: npt.NDArray[np.float64],
) -> int:  # fmt: skip
    m = 0
    for r in range(patterns.shape[0]):
        if patterns[r, c] <= 0:
            continue
        own = 0.0
        for j in range(len(left_out)):
            d = left_out[j]
            evidence = cell_weights[patterns[r, d] + d * width]
            if tf_row[d] >= 0:
                evidence = evidence + steps[tf_row[d], r] * step
            own = evidence if j == 0 else own + evidence
        rows[m] = r
        others[m] = total[r] - own
        m += 1
    return m


def others_evidence(
    patterns: Levels,
    c: int,
    left_out: list[int],
    cell_weights: npt.NDArray[np.float64],
    width: int,
    steps: npt.NDArray[np.signedinteger[Any]],
    tf_row: Index,
    step: float,
    total: npt.NDArray[np.float64],
) -> tuple[Index, npt.NDArray[np.float64]]:
    """The rows of ``patterns`` where comparison ``c`` is known (level above 0), and in
    each, ``total`` less the evidence of the comparisons ``left_out``: each one's cell
    weight ``cell_weights[level + d * width]`` plus its term-frequency steps (row
    ``tf_row[d]`` of ``steps``, none where -1) times ``step``, summed left to right (the
    float operations, and their order, of a numpy gather of each left-out column; tests
    hold the two equal bit for bit), in one pass over the rows."""
    rows = np.empty(len(patterns), dtype=np.intp)
    others = np.empty(len(patterns), dtype=np.float64)
    m = _others_evidence(
        np.ascontiguousarray(patterns), c, np.asarray(left_out, dtype=np.intp), cell_weights,
        width, _steps_of(steps), _index(tf_row), step, total, rows, others,
    )  # fmt: skip
    return rows[:m], others[:m]


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _evidence_sums(
    others: npt.NDArray[np.float64], step: float, change: npt.NDArray[np.int64],
    bits: npt.NDArray[np.int64], levels: Levels, known: Index, counts: npt.NDArray[np.int64],
    width: int, rounded: npt.NDArray[np.int64], keys: npt.NDArray[np.int64],
    sums: npt.NDArray[np.int64],
) -> tuple[int, int, int, int, int, int]:  # fmt: skip
    m = len(known)
    low = low_bits = low_change = 0
    high = high_bits = high_change = 0
    for i in range(m):
        s = int(np.rint(others[i] / step))
        b = bits[known[i]] if len(bits) else 0
        ch = change[i] if len(change) else 0
        rounded[i] = s
        if i == 0 or s < low:
            low = s
        if i == 0 or s > high:
            high = s
        if i == 0 or b < low_bits:
            low_bits = b
        if i == 0 or b > high_bits:
            high_bits = b
        if i == 0 or ch < low_change:
            low_change = ch
        if i == 0 or ch > high_change:
            high_change = ch
    span_bits = high_bits - low_bits + 1
    span_change = high_change - low_change + 1
    size = 10
    table = np.full(2 << size, -1, dtype=np.int64)
    n = 0
    for i in range(m):
        if 2 * n >= 1 << size:  # half full: twice the slots, the keys so far again
            size += 1
            table = np.full(2 << size, -1, dtype=np.int64)
            for j in range(n):
                slot = _slot(table, keys[j], (1 << size) - 1, np.uint64(64 - size))
                table[2 * slot] = keys[j]
                table[2 * slot + 1] = j
        r = known[i]
        b = bits[r] if len(bits) else 0
        ch = change[i] if len(change) else 0
        key = ((rounded[i] - low) * span_bits + (b - low_bits)) * span_change + (ch - low_change)
        key = key * width + levels[r]
        slot = _slot(table, key, (1 << size) - 1, np.uint64(64 - size))
        found = table[2 * slot + 1]
        if found < 0:
            table[2 * slot] = key
            table[2 * slot + 1] = found = n
            keys[n] = key
            sums[n] = 0
            n += 1
        sums[found] += counts[r]
    return n, low, low_bits, span_bits, low_change, span_change


def _steps_of(
    steps: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.signedinteger[Any]]:
    """Term-frequency steps as the compiled passes read them: int32 as given (no int64
    copy of a column of millions of rows), any other integers as int64."""
    if steps.dtype == np.int32:
        return np.ascontiguousarray(steps)
    return np.ascontiguousarray(steps, dtype=np.int64)


def evidence_sums(
    others: npt.NDArray[np.float64],
    step: float,
    change: npt.NDArray[np.int64] | None,
    bits: npt.NDArray[np.signedinteger[Any]] | None,
    levels: Levels,
    known: Index,
    counts: npt.NDArray[np.int64],
    width: int,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], tuple[int, int, int, int, int]]:
    """The rows ``known`` of a table of patterns (a comparison's ``levels``, term-frequency
    ``bits`` and ``counts`` per pattern row; ``others`` and ``change`` per known row),
    their counts summed where their keys agree. A row's key is ``((s - low) * span_bits
    + b - low_bits) * span_change + ch - low_change``, times ``width``, plus its level:
    s is its ``others`` in ``step`` units rounded half to even (as ``np.round``), b its
    bits and ch its change (0 where None), each low a field's least value over the rows
    and each span its range. Returns the distinct keys ascending, their summed counts, and
    (low, low_bits, span_bits, low_change, span_change) to read the keys back. One pass
    to round, one to sum by hashing the keys (they are far fewer than the rows)."""
    m = len(known)
    empty = np.zeros(0, dtype=np.int64)
    rounded = np.empty(m, dtype=np.int64)
    keys = np.empty(m, dtype=np.int64)
    sums = np.empty(m, dtype=np.int64)
    n, *fields = _evidence_sums(
        np.ascontiguousarray(others, dtype=np.float64), float(step),
        empty if change is None else np.ascontiguousarray(change, dtype=np.int64),
        empty if bits is None else _steps_of(bits),
        np.ascontiguousarray(levels, dtype=np.int8), _index(known),
        np.ascontiguousarray(counts, dtype=np.int64), int(width), rounded, keys, sums,
    )  # fmt: skip
    order = np.argsort(keys[:n])
    low, low_bits, span_bits, low_change, span_change = fields
    return keys[order], sums[order], (low, low_bits, span_bits, low_change, span_change)


def tally(
    codes: npt.NDArray[np.int64], weights: npt.NDArray[np.float64] | None = None
) -> tuple[npt.NDArray[np.int64], npt.NDArray[Any], npt.NDArray[np.int32]]:
    """The distinct codes ascending, their counts (or summed weights), and each code's
    index among them (int32: fewer than 2**31 codes a call): ``np.unique(codes,
    return_inverse=True, return_counts=True)`` by hashing."""
    found = CodeTally()
    ids = found.add(codes, weights)
    uniq, counts, rank = found.ranked()
    inverse: npt.NDArray[np.int32] = rank.astype(np.int32)[ids]
    return uniq, counts, inverse


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _joint_counts(
    levels: npt.NDArray[np.int8], weights: npt.NDArray[np.float64], out: npt.NDArray[np.float64],
) -> None:  # fmt: skip
    n_comp = levels.shape[1]
    for k in range(levels.shape[0]):
        w = weights[k]
        for c in range(n_comp):
            a = levels[k, c]
            for d in range(c + 1, n_comp):
                out[c, d, a, levels[k, d]] += w


def joint_counts(
    levels: npt.NDArray[np.int8], weights: npt.NDArray[np.float64], width: int
) -> npt.NDArray[np.float64]:
    """``out[c, d, i, j]`` (c < d): the summed weight of the rows at level i on column c and
    j on column d; rows added in order, as ``np.bincount`` adds them. Levels below
    ``width``."""
    n_comp = levels.shape[1]
    out = np.zeros((n_comp, n_comp, width, width))
    _joint_counts(
        np.ascontiguousarray(levels, dtype=np.int8),
        np.ascontiguousarray(weights, dtype=np.float64),
        out,
    )
    return out


# --- EM over level patterns -------------------------------------------------------------


#: Fewer rows than this are summed on one thread: starting threads would cost more.
_EM_PARALLEL_ROWS = 1 << 15


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _pattern_sums(
    levels: npt.NDArray[np.int8], table: npt.NDArray[np.float64], start: float,
    bounds: npt.NDArray[np.int64], out: npt.NDArray[np.float64],
) -> None:  # fmt: skip
    for part in prange(len(bounds) - 1):
        for k in range(bounds[part], bounds[part + 1]):
            total = start
            for c in range(levels.shape[1]):
                total += table[c, levels[k, c]]
            out[k] = total


def pattern_sums(
    levels: npt.NDArray[np.int8], table: npt.NDArray[np.float64], start: float, workers: int = 1
) -> npt.NDArray[np.float64]:
    """Per row of a level matrix, ``start + table[0, level_0] + table[1, level_1] + ...``,
    added in that order (as numpy adds one gathered column after another); rows split
    among ``workers`` threads (each row's sum is its own: the same on any number)."""
    out = np.empty(levels.shape[0])
    parts = worker_count(workers) if levels.shape[0] >= _EM_PARALLEL_ROWS else 1
    with _Threads(parts):
        _pattern_sums(
            levels,
            np.ascontiguousarray(table, dtype=np.float64),
            float(start),
            _segments(levels.shape[0], parts),
            out,
        )
    return out


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _level_sums(
    levels: npt.NDArray[np.int8], weights: npt.NDArray[np.float64],
    cuts: npt.NDArray[np.int64], out: npt.NDArray[np.float64],
) -> None:  # fmt: skip
    for part in prange(len(cuts) - 1):
        first, end = cuts[part], cuts[part + 1]
        # A part's own sums, so that two threads never write to one cache line.
        sums = np.zeros((weights.shape[0], end - first, out.shape[2]))
        for k in range(levels.shape[0]):
            for c in range(first, end):
                for w in range(weights.shape[0]):
                    sums[w, c - first, levels[k, c]] += weights[w, k]
        out[:, first:end, :] = sums


def level_sums(
    levels: npt.NDArray[np.int8], weights: npt.NDArray[np.float64], width: int, workers: int = 1
) -> npt.NDArray[np.float64]:
    """``out[w, c, level]``: the summed ``weights[w]`` of the rows at each level of column c,
    rows added in order (as ``np.bincount`` adds them). Levels below ``width``. The
    columns are split among ``workers`` threads, each reading every row: a column's sums
    are added in the same order on any number."""
    out = np.zeros((weights.shape[0], levels.shape[1], width))
    parts = worker_count(workers) if levels.shape[0] >= _EM_PARALLEL_ROWS else 1
    parts = max(min(parts, levels.shape[1]), 1)
    with _Threads(parts):
        _level_sums(
            levels,
            np.ascontiguousarray(weights, dtype=np.float64),
            _segments(levels.shape[1], parts),
            out,
        )
    return out


@njit(parallel=True, **_OPTIONS)  # type: ignore[untyped-decorator]
def _class_sums(
    levels: npt.NDArray[np.int8], tables: npt.NDArray[np.float64],
    log_shares: npt.NDArray[np.float64], counts: npt.NDArray[np.float64],
    cuts: npt.NDArray[np.int64], sums: npt.NDArray[np.float64],
    totals: npt.NDArray[np.float64], logs: npt.NDArray[np.float64],
) -> None:  # fmt: skip
    """Per segment ``cuts[s]:cuts[s + 1]`` of the rows, its own sums (``sums[s]``,
    ``totals[s]``, ``logs[s]``), rows added in order."""
    n_class = tables.shape[0]
    for s in prange(len(cuts) - 1):
        ll = np.empty(n_class)
        for k in range(cuts[s], cuts[s + 1]):
            top = -np.inf
            for j in range(n_class):
                t = log_shares[j]
                for c in range(levels.shape[1]):
                    t += tables[j, c, levels[k, c]]
                ll[j] = t
                top = max(top, t)
            total = 0.0
            for j in range(n_class):
                ll[j] = np.exp(ll[j] - top)
                total += ll[j]
            logs[s] += counts[k] * (top + np.log(total))
            for j in range(n_class):
                w = counts[k] * ll[j] / total
                totals[s, j] += w
                for c in range(levels.shape[1]):
                    sums[s, j, c, levels[k, c]] += w


#: Rows of one segment of :func:`class_sums` (its sums are the segments' added in order).
CLASS_SEGMENT = 1 << 14


def class_sums(
    levels: npt.NDArray[np.int8],
    tables: npt.NDArray[np.float64],
    log_shares: npt.NDArray[np.float64],
    counts: npt.NDArray[np.float64],
    workers: int = 1,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], float]:
    """One E step of a latent class model over level patterns, in one pass: each row's
    posterior over the classes (``log_shares[j]`` plus ``tables[j, c, level]`` summed over
    its columns, normalised), times its count, summed per class (``totals[j]``) and per
    class, column and level (``sums[j, c, level]``); and the log-likelihood of the rows
    (natural log: each row's count times the log of its classes' summed likelihoods).
    Levels below ``tables.shape[2]`` (checked: the kernel reads the tables unchecked).

    The rows are added in order within segments of :data:`CLASS_SEGMENT` rows, and the
    segments' sums in order, the segments split among ``workers`` threads: the same sums
    on any number of workers (an EM runs this hundreds of times over a few hundred
    thousand patterns)."""
    if levels.ndim != 2 or levels.shape[1] != tables.shape[1]:
        raise ValueError(f"levels {levels.shape} do not match tables {tables.shape}")
    if levels.size and not 0 <= int(levels.min()) <= int(levels.max()) < tables.shape[2]:
        raise ValueError(f"levels outside 0..{tables.shape[2] - 1}")
    n = levels.shape[0]
    cuts = np.append(np.arange(0, n, CLASS_SEGMENT, dtype=np.int64), np.int64(n))
    if len(cuts) < 2:
        cuts = np.zeros(2, dtype=np.int64)
    parts = len(cuts) - 1
    sums = np.zeros((parts, *tables.shape))
    totals = np.zeros((parts, tables.shape[0]))
    logs = np.zeros(parts)
    with _Threads(max(min(worker_count(workers), parts), 1)):
        _class_sums(
            np.ascontiguousarray(levels, dtype=np.int8),
            np.ascontiguousarray(tables, dtype=np.float64),
            np.ascontiguousarray(log_shares, dtype=np.float64),
            np.ascontiguousarray(counts, dtype=np.float64),
            cuts,
            sums,
            totals,
            logs,
        )
    # The segments' sums added in order (numpy's sum over an axis may pair them up).
    out, out_totals, out_log = sums[0].copy(), totals[0].copy(), float(logs[0])
    for s in range(1, parts):
        out += sums[s]
        out_totals += totals[s]
        out_log += float(logs[s])
    return out, out_totals, out_log


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _row_codes(
    levels: npt.NDArray[np.int8], radix: npt.NDArray[np.int64], out: npt.NDArray[np.int64]
) -> None:
    for k in range(levels.shape[0]):
        code = 0
        for c in range(levels.shape[1]):
            code += levels[k, c] * radix[c]
        out[k] = code


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _code_rows(
    codes: npt.NDArray[np.int64], radix: npt.NDArray[np.int64], n_levels: npt.NDArray[np.int64],
    out: npt.NDArray[np.int8],
) -> None:  # fmt: skip
    for k in range(len(codes)):
        for c in range(len(radix)):
            out[k, c] = (codes[k] // radix[c]) % n_levels[c]


def code_rows(
    codes: npt.NDArray[np.int64], radix: npt.NDArray[np.int64], n_levels: npt.NDArray[np.int64]
) -> npt.NDArray[np.int8]:
    """The rows of a level matrix from their :func:`row_codes` (codes from 0, each level
    below its column's ``n_levels``): ``(codes[k] // radix[c]) % n_levels[c]``, row by row
    without a temporary per column."""
    out = np.empty((len(codes), len(radix)), dtype=np.int8)
    _code_rows(
        np.ascontiguousarray(codes, dtype=np.int64), np.ascontiguousarray(radix, dtype=np.int64),
        np.ascontiguousarray(n_levels, dtype=np.int64), out,
    )  # fmt: skip
    return out


def row_codes(levels: npt.NDArray[np.int8], radix: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Per row of a level matrix, ``sum(levels[k, c] * radix[c])`` (one pass, row by row)."""
    out = np.empty(levels.shape[0], dtype=np.int64)
    _row_codes(
        np.ascontiguousarray(levels, dtype=np.int8),
        np.ascontiguousarray(radix, dtype=np.int64),
        out,
    )
    return out


# --- runs of equal rows -----------------------------------------------------------------


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _row_starts(table: npt.NDArray[Any], out: npt.NDArray[np.intp]) -> int:
    n, width = table.shape
    found = 0
    for i in range(n):
        if i == 0:
            out[found] = i
            found += 1
            continue
        for j in range(width):
            if table[i, j] != table[i - 1, j]:
                out[found] = i
                found += 1
                break
    return found


def row_starts(table: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """Where each run of equal adjacent rows of a 2-d array starts (its first row), in one
    pass that stops at a row's first differing column."""
    table = np.ascontiguousarray(table)
    out = np.empty(len(table), dtype=np.intp)
    found = _row_starts(table, out)
    starts: npt.NDArray[np.intp] = out[:found].copy()
    return starts


# --- calibration: each comparison's evidence in a block of rows ---------------------------


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _evidence_rows(
    patterns: Levels, start: int, cell_weights: npt.NDArray[np.float64], width: int,
    steps: npt.NDArray[np.int64], tf_row: Index, step: float, out: npt.NDArray[np.float64],
) -> None:  # fmt: skip
    n, n_comp = out.shape
    for k in range(n):
        for c in range(n_comp):
            value = cell_weights[patterns[start + k, c] + c * width]
            if tf_row[c] >= 0:
                value += steps[tf_row[c], start + k] * step
            out[k, c] = value


def evidence_rows(
    patterns: Levels,
    start: int,
    stop: int,
    cell_weights: npt.NDArray[np.float64],
    width: int,
    steps: npt.NDArray[np.signedinteger[Any]],
    tf_row: Index,
    step: float,
) -> npt.NDArray[np.float64]:
    """Rows ``start:stop`` of ``patterns`` as a (rows, comparisons) table, C-ordered, of
    each comparison's evidence: its cell weight ``cell_weights[level + c * width]`` plus
    its term-frequency steps (row ``tf_row[c]`` of ``steps``, none where -1) times
    ``step``: the float operations of a numpy gather of each column, column-stacked,
    in one pass over the rows."""
    stop = min(stop, len(patterns))
    out = np.empty((max(stop - start, 0), patterns.shape[1]), dtype=np.float64)
    _evidence_rows(
        np.ascontiguousarray(patterns), start, cell_weights, width, _steps_of(steps),
        _index(tf_row), step, out,
    )  # fmt: skip
    return out


# --- output: pairs in order -------------------------------------------------------------


@njit(**_OPTIONS)  # type: ignore[untyped-decorator]
def _strongest_first(
    li: npt.NDArray[np.intp], total: npt.NDArray[np.float64], out: npt.NDArray[np.intp]
) -> None:
    n = len(li)
    i = 0
    while i < n:
        j = i + 1
        while j < n and li[j] == li[i]:
            j += 1
        if j - i <= 32:  # a request's few pairs: an insertion sort, stable
            for k in range(i, j):
                x = k
                m = k - 1
                while m >= i and total[out[m]] < total[x]:
                    out[m + 1] = out[m]
                    m -= 1
                out[m + 1] = x
        else:
            sub = np.argsort(-total[i:j], kind="mergesort")
            for k in range(j - i):
                out[i + k] = i + sub[k]
        i = j


def strongest_first(li: npt.NDArray[np.intp], total: npt.NDArray[np.float64]) -> Index:
    """For pairs grouped by ``li`` (each request's together, as in ascending order), the
    order that puts each group's pairs by ``total`` descending, ties in the order given:
    ``np.lexsort((-total, li))`` for sorted ``li`` and totals that are not NaN, in one
    pass over the groups (most hold a few pairs)."""
    out = np.empty(len(li), dtype=np.intp)
    _strongest_first(_index(li), np.ascontiguousarray(total, dtype=np.float64), out)
    return out
