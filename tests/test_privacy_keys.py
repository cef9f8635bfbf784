"""Keys for keyed pseudonyms and encodings (rfl_match.privacy.keys)."""

from __future__ import annotations

import os
import warnings

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from rfl_match.privacy import SecretKeyError, key_check, keyed_digests, new_key, read_key
from rfl_match.privacy.keys import not_random

KEY = b"0123456789abcdef0123456789abcdef"


def test_a_key_file_is_read_less_its_final_new_line(tmp_path):
    path = tmp_path / "secret.key"
    path.write_bytes(KEY + b"\n")
    path.chmod(0o600)
    assert read_key(path) == KEY


def test_a_short_key_is_refused_with_its_length(tmp_path):
    path = tmp_path / "secret.key"
    path.write_bytes(b"password\n")
    path.chmod(0o600)
    with pytest.raises(SecretKeyError, match="8 bytes; want 32 or more"):
        read_key(path)


def test_new_keys_differ_and_are_long_enough():
    a, b = new_key(), new_key()
    assert a != b and len(a) == 64 and key_check(a) != key_check(b)


def test_a_long_key_counts_in_full():
    # a key past BLAKE2b's 64 bytes is hashed down, not cut: its end still counts
    long_a, long_b = b"k" * 80 + b"a", b"k" * 80 + b"b"
    assert keyed_digests(long_a, "id", ["x"])[0] != keyed_digests(long_b, "id", ["x"])[0]


def test_digests_depend_on_the_key_and_the_domain():
    other = KEY[::-1]
    base = keyed_digests(KEY, "id", ["Mohammed"])[0]
    assert keyed_digests(other, "id", ["Mohammed"])[0] != base
    assert keyed_digests(KEY, "block", ["Mohammed"])[0] != base


def test_a_domain_longer_than_blake2b_allows_is_refused():
    with pytest.raises(ValueError, match="at most 16 bytes"):
        keyed_digests(KEY, "a domain far too long", ["x"])


@given(st.lists(st.text(max_size=12), max_size=30))
def test_each_value_has_one_digest_whatever_the_others(values):
    together = keyed_digests(KEY, "id", values)
    alone = [keyed_digests(KEY, "id", [v])[0] for v in values]
    assert together.dtype == np.uint64 and together.tolist() == alone


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_a_key_file_others_can_read_is_warned_of(tmp_path):
    path = tmp_path / "secret.key"
    key = new_key()
    path.write_bytes(key)
    path.chmod(0o644)
    with pytest.warns(UserWarning, match="readable by others .mode 644.*chmod 600"):
        assert read_key(path) == key
    path.chmod(0o600)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        read_key(path)


@pytest.mark.parametrize(
    "typed", [b"0" * 32, b"RedCross2024RedCross2024RedCross", b"ab" * 20, KEY, b"k" * 33]
)
def test_a_key_file_no_chance_makes_is_warned_of(tmp_path, typed):
    # A review read names back from encoded filters after guessing such a key in 34
    # tries against the check value each encoded row carries; 32 zeros were taken too.
    path = tmp_path / "secret.key"
    path.write_bytes(typed)
    path.chmod(0o600)
    with pytest.warns(UserWarning, match="not a random key.*rfl-match keygen"):
        assert read_key(path) == typed
    for _ in range(20):  # keygen's keys never are
        assert not not_random(new_key())
