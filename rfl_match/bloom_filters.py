"""Bloom-filter text of the encoded record format, as the Linker reads it.

An encoded frame (``rfl_match.privacy.bloom`` writes one) holds each name as a keyed
Bloom filter: :data:`PREFIX` (``b64:``), then standard base64, with padding, of
``bits // 8`` bytes, bit ``i`` being bit ``i % 8`` of byte ``i // 8``
(``numpy.packbits(bits, bitorder="little")``), ``bits`` a multiple of 64. The prefix
keeps a filter from opening with ``+``, which a spreadsheet would run as a formula (one
filter in 64 would). Here the text becomes rows of 64-bit words, and two filters are
compared by their Dice coefficient ``2 |A and B| / (|A| + |B|)``. Nothing here needs the
key: the party that links never holds it.

Decoding works on whole columns with numpy: the texts of one length are read as one
matrix of characters, each mapped to its six bits through a table, so that a million
filters are no million calls of :func:`base64.b64decode`.

>>> import base64
>>> a = "b64:" + base64.b64encode(bytes([0b1111, 0, 0, 0, 0, 0, 0, 0])).decode()
>>> b = "b64:" + base64.b64encode(bytes([0b0011, 0, 0, 0, 0, 0, 0, 0])).decode()
>>> table = decode_filters([a, b, ""])
>>> table.bits, table.ones.tolist()
(64, [4, 2, 0])
>>> round(float(dice(table, np.array([0]), table, np.array([1]))[0]), 3)
0.667
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

#: What a filter's text opens with, before its base64.
PREFIX = "b64:"
#: The width of a filter's words: ``bits`` is a multiple of it.
WORD_BITS = 64
#: Pairs whose filters are read at once in :func:`dice` (bounds its temporaries: at 1,024
#: bits, 16 words a filter, 8 MiB a side).
DICE_CHUNK = 1 << 16
#: Texts decoded at once (bounds the temporaries: at 1,024 bits, about 8 bytes a character
#: of each, 90 MiB).
DECODE_CHUNK = 1 << 16

_ALPHABET = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
_NOT_BASE64 = 255
_SIX_BITS = np.full(256, _NOT_BASE64, dtype=np.uint8)
_SIX_BITS[np.frombuffer(_ALPHABET, dtype=np.uint8)] = np.arange(64, dtype=np.uint8)
_PAD = ord("=")
#: Per byte value, its bits set (numpy before 2.0 has no ``bitwise_count``).
_BYTE_ONES = np.unpackbits(np.arange(256, dtype=np.uint8)[:, None], axis=1).sum(axis=1)


@dataclass(frozen=True, slots=True)
class FilterTable:
    """Decoded filters, one row a text.

    Attributes:
        words: ``(texts, bits // 64)`` words (all 0 where a text is blank or no filter).
        ones: each filter's bits set (0: blank, or no filter).
        widths: each text's width in bits: 0 blank, -1 not a filter (not :data:`PREFIX` and
            standard base64 of a whole number of 64-bit words).
        bits: the width of the filters decoded (the most common among the texts, the
            smaller on a tie; 0 where there is none); a text of another width is left
            out (its row all 0), as one that is no filter is.
    """

    words: npt.NDArray[np.uint64]
    ones: npt.NDArray[np.int32]
    widths: npt.NDArray[np.int64]
    bits: int


def filter_widths(texts: Sequence[str]) -> npt.NDArray[np.int64]:
    """Each text's width in bits as a filter: 0 for a blank one (white space alone), -1
    for one that is no filter (no :data:`PREFIX`, characters outside standard base64,
    padding that does not fit, or a length that is no whole number of 64-bit words).

    >>> filter_widths(["b64:" + "A" * 11 + "=", "", "b64:not base64!", "A" * 11 + "="]).tolist()
    [64, 0, -1, -1]
    """
    return _read(texts, None, decode=False)[1]


def decode_filters(texts: Sequence[str], bits: int | None = None) -> FilterTable:
    """The filters of ``texts`` as words, each text read once.

    Args:
        texts: base64 texts of filters ("" for none); distinct ones, where the caller can
            give them so (each is decoded however often it repeats).
        bits: the width to decode; texts of another width read as no filter. None: the
            most common width among the texts.
    """
    words, widths = _read(texts, bits)
    if bits is None:
        bits = words.shape[1] * WORD_BITS
    return FilterTable(words, ones(words), widths, bits)


def _read(
    texts: Sequence[str], bits: int | None, *, decode: bool = True
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """:func:`decode_filters`' words (of width ``bits``, or of the commonest width; none
    where not ``decode``) and every text's width."""
    stripped = [text.strip() for text in texts]
    # the base64 after the prefix; a text that is not blank and lacks it is no filter
    bodies = [t[len(PREFIX) :] if t.startswith(PREFIX) else "" for t in stripped]
    lengths = np.fromiter(map(len, bodies), dtype=np.int64, count=len(bodies))
    blank = np.fromiter((not t for t in stripped), dtype=bool, count=len(stripped))
    widths = np.where(blank, 0, -1).astype(np.int64)
    decoded: dict[int, list[tuple[npt.NDArray[np.intp], npt.NDArray[np.uint64]]]] = {}
    for length in np.unique(lengths[lengths > 0]).tolist():
        every = np.flatnonzero(lengths == length)
        for start in range(0, len(every), DECODE_CHUNK):
            rows = every[start : start + DECODE_CHUNK]
            found = _decode_length([bodies[r] for r in rows.tolist()], length)
            if found is None:
                break
            good, words = found
            widths[rows[good]] = words.shape[1] * WORD_BITS
            if decode:
                decoded.setdefault(words.shape[1] * WORD_BITS, []).append((rows[good], words[good]))
    if not decode:
        return np.zeros((len(texts), 0), dtype=np.uint64), widths
    if bits is None:
        known = widths[widths > 0]
        bits = int(np.bincount(known).argmax()) if len(known) else 0
    out = np.zeros((len(texts), bits // WORD_BITS), dtype=np.uint64)
    for rows, words in decoded.get(bits, []):
        out[rows] = words
    return out, widths


def _decode_length(
    texts: list[str], length: int
) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.uint64]] | None:
    """Texts all ``length`` characters long: whether each is a filter, and their words (a
    row each; that of a text that is no filter is garbage). None where no filter can be
    that long: base64 of ``n`` bytes is ``4 * ceil(n / 3)`` characters, its last
    ``(3 - n % 3) % 3`` of them ``=``, and of the three byte counts a length can stand
    for, at most one is a whole number of words."""
    if length % 4:
        return None
    most = length // 4 * 3
    padding = most % 8
    if padding > 2:
        return None
    # A character beyond ASCII becomes one "?", which is no base64: the rows keep their
    # length.
    chars = np.frombuffer("".join(texts).encode("ascii", errors="replace"), dtype=np.uint8)
    chars = chars.reshape(len(texts), length)
    six = _SIX_BITS[chars]
    six[:, length - padding :] = np.where(chars[:, length - padding :] == _PAD, 0, _NOT_BASE64)
    good = (six != _NOT_BASE64).all(axis=1)
    quads = six.reshape(len(texts), -1, 4).astype(np.uint32)
    joined = quads[:, :, 0] << 18 | quads[:, :, 1] << 12 | quads[:, :, 2] << 6 | quads[:, :, 3]
    raw = np.stack([joined >> 16, joined >> 8, joined], axis=2).astype(np.uint8)
    exact = np.ascontiguousarray(raw.reshape(len(texts), most)[:, : most - padding])
    return good, exact.view("<u8").astype(np.uint64, copy=False)


def ones(words: npt.NDArray[np.uint64]) -> npt.NDArray[np.int32]:
    """Each row's bits set."""
    count = getattr(np, "bitwise_count", None)
    if count is not None:
        out: npt.NDArray[np.int32] = count(words).sum(axis=1, dtype=np.int32)
        return out
    as_bytes = np.ascontiguousarray(words).view(np.uint8).reshape(len(words), -1)
    counted: npt.NDArray[np.int32] = _BYTE_ONES[as_bytes].sum(axis=1, dtype=np.int32)
    return counted


def dice(
    a: FilterTable,
    rows_a: npt.NDArray[np.integer[Any]],
    b: FilterTable,
    rows_b: npt.NDArray[np.integer[Any]],
) -> npt.NDArray[np.float32]:
    """The Dice coefficient of filters ``a.words[rows_a[k]]`` and ``b.words[rows_b[k]]``,
    in chunks of :data:`DICE_CHUNK` pairs; 0 where either has no bit set (a blank, which
    the caller reads as missing).

    Raises:
        ValueError: the tables' filters differ in width.
    """
    if a.bits != b.bits and a.bits and b.bits:
        raise ValueError(f"filters of {a.bits} bits against filters of {b.bits}")
    out = np.zeros(len(rows_a), dtype=np.float32)
    if not a.bits or not b.bits:
        return out
    for start in range(0, len(rows_a), DICE_CHUNK):
        x, y = rows_a[start : start + DICE_CHUNK], rows_b[start : start + DICE_CHUNK]
        shared = ones(a.words[x] & b.words[y])
        total = a.ones[x] + b.ones[y]
        out[start : start + len(x)] = np.where(total > 0, 2.0 * shared / np.maximum(total, 1), 0.0)
    return out
