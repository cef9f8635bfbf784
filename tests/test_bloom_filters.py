"""Bloom-filter text of the encoded record format: decoded as the standard library reads it."""

from __future__ import annotations

import base64

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from rfl_match.bloom_filters import decode_filters, dice, filter_widths


@settings(max_examples=60, deadline=None)
@given(
    st.sampled_from([64, 128, 192, 1024]),
    st.lists(st.integers(0, 2**32 - 1), min_size=1, max_size=6),
)
def test_decoded_bits_are_those_written(width: int, seeds: list[int]) -> None:
    """Bit i is bit i % 8 of byte i // 8 (numpy.packbits, little), whatever the width's
    padding; a blank text reads as no filter."""
    rng = [np.random.default_rng(seed) for seed in seeds]
    bits = np.array([r.integers(0, 2, width) for r in rng], dtype=np.uint8)
    texts = [
        "b64:" + base64.b64encode(np.packbits(b, bitorder="little").tobytes()).decode()
        for b in bits
    ]
    table = decode_filters([*texts, ""])
    assert table.bits == width
    back = np.unpackbits(table.words.view(np.uint8), axis=1, bitorder="little")
    assert np.array_equal(back[:-1], bits) and not back[-1].any()
    assert table.ones.tolist() == [*bits.sum(axis=1).tolist(), 0]
    pairs = np.arange(len(texts))
    shared = (bits & bits[::-1]).sum(axis=1)
    total = bits.sum(axis=1) + bits[::-1].sum(axis=1)
    want = np.where(total > 0, 2 * shared / np.maximum(total, 1), 0)
    assert np.allclose(dice(table, pairs, table, pairs[::-1]), want)


def test_what_is_no_filter() -> None:
    """Characters outside base64, padding out of place, a width that is no whole number of
    64-bit words, text beyond ASCII, and base64 without the prefix (which keeps a filter
    from opening with a spreadsheet's formula sign) are no filter; blanks are none."""
    good = "b64:" + base64.b64encode(bytes(8)).decode()
    assert good == "b64:AAAAAAAAAAA="
    bodies = ["AAAAAAAAAA==", "AAAAAAAAAAAA", "AAAAAAAA", "AAAAAAAAAA*=", "ÄAAAAAAAAAA=", ""]
    texts = [good, "  ", *("b64:" + b for b in bodies), "AAAAAAAAAAA=", "+AAAAAAAAAA="]
    assert filter_widths(texts).tolist() == [64, 0, -1, -1, -1, -1, -1, -1, -1, -1]


def test_the_commonest_width_is_decoded_and_the_others_left_out() -> None:
    narrow = "b64:" + base64.b64encode(b"\xff" * 8).decode()
    wide = "b64:" + base64.b64encode(b"\xff" * 16).decode()
    table = decode_filters([narrow, wide, narrow])
    assert table.bits == 64 and table.ones.tolist() == [64, 0, 64]
    assert decode_filters([narrow, wide], bits=128).ones.tolist() == [0, 128]
