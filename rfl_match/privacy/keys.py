"""Secret keys for keyed encodings and pseudonyms.

Two organisations that want to match without exchanging names agree on a secret key out of
band (never by the channel that carries the encoded records) and keep it from the party that
links. Every keyed value here is a BLAKE2b digest under that key (the standard library's
keyed mode, a MAC), with a domain of its own, so that a pseudonymous id never equals a
blocking key or a Bloom filter's hash of the same text.

>>> key = b"0123456789abcdef0123456789abcdef"
>>> key_check(key)
'19e15e7e'
>>> bool(keyed_digests(key, "id", ["R-1", "R-2"])[0] == keyed_digests(key, "id", ["R-1"])[0])
True
"""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.warn import warn

#: The shortest key accepted, in bytes of text: 32 hexadecimal digits hold 128 bits, what a
#: guess of the key must beat. Length is all this can check: a passphrase of that length
#: holds far fewer bits, and whoever holds encoded filters can test guessed passphrases
#: against them offline; a key is what :func:`new_key` (``rfl-match keygen``) makes.
KEY_BYTES_MIN = 32
_BLAKE2B_KEY_BYTES = 64
_HEX_DIGITS = np.frombuffer(b"0123456789abcdef", dtype="S1")


class SecretKeyError(ValueError):
    """A key that cannot serve: too short, or missing."""


def new_key() -> bytes:
    """A fresh random key: 64 hexadecimal characters (256 bits), as a key file holds it."""
    return secrets.token_hex(32).encode("ascii")


def read_key(path: str | Path) -> bytes:
    """The key in a file: its bytes, less the white space at its ends (a final new line).
    A file that others may read (POSIX group or other bits) is warned of, as ssh does.

    Raises:
        SecretKeyError: the file holds fewer than :data:`KEY_BYTES_MIN` bytes.
    """
    key = Path(path).read_bytes().strip()
    mode = Path(path).stat().st_mode
    if os.name == "posix" and mode & 0o077:
        warn(
            f"{path}: readable by others (mode {stat.S_IMODE(mode):o}); a key is its "
            f"holder's alone: chmod 600 {path}",
        )
    key = checked_key(key, str(path))
    if not_random(key):
        warn(
            f"{path}: not a random key ({len(set(key))} distinct characters"
            + (", a shorter text repeated" if _repeats(key) else "")
            + "): whoever holds records encoded under it, or pseudonyms made with it, can "
            "test guesses of it offline against the check value they carry; make one with "
            "`rfl-match keygen`",
        )
    return key


#: The fewest distinct bytes a random key holds: 64 random hexadecimal digits hold all 16.
KEY_DISTINCT_MIN = 8


def not_random(key: bytes) -> bool:
    """Whether no random key could be ``key``: fewer than :data:`KEY_DISTINCT_MIN`
    distinct bytes (32 zeros), or a shorter text repeated ("RedCross2024RedCross2024...").
    A review recovered such a passphrase in 34 guesses from the check value every encoded
    row carries, then read names back from the filters. Whether other text was typed, and
    so guessable, this cannot tell: a key is what :func:`new_key` makes."""
    return len(set(key)) < KEY_DISTINCT_MIN or _repeats(key)


def _repeats(raw: bytes) -> bool:
    """Whether ``raw`` is a shorter text written again and again (its last copy may be
    cut): it has a period of at most half its length."""
    return any(raw[period:] == raw[:-period] for period in range(1, len(raw) // 2 + 1))


def checked_key(key: bytes | str, source: str = "key") -> bytes:
    """``key`` as bytes (text is UTF-8), refused where shorter than :data:`KEY_BYTES_MIN`."""
    raw = key.encode("utf-8") if isinstance(key, str) else bytes(key)
    if len(raw) < KEY_BYTES_MIN:
        raise SecretKeyError(
            f"{source}: a key of {len(raw)} bytes; want {KEY_BYTES_MIN} or more "
            "(rfl_match.privacy.new_key() makes one)"
        )
    return raw


def _mac_key(key: bytes) -> bytes:
    """BLAKE2b takes a key of at most 64 bytes: a longer one is hashed down to 64."""
    if len(key) <= _BLAKE2B_KEY_BYTES:
        return key
    return hashlib.blake2b(key, digest_size=_BLAKE2B_KEY_BYTES).digest()


def key_check(key: bytes) -> str:
    """A short check value of the key (8 hexadecimal characters): two parties, or a file
    and a key, can confirm that they hold the same key without showing it."""
    mac = hashlib.blake2b(b"rfl_match key check", key=_mac_key(checked_key(key)), digest_size=4)
    return mac.hexdigest()


def keyed_digests(key: bytes, domain: str, values: Sequence[str]) -> npt.NDArray[np.uint64]:
    """Each value's 64-bit keyed digest within ``domain`` (at most 16 bytes of UTF-8: the
    BLAKE2b personalisation), one digest per distinct value computed once."""
    person = domain.encode("utf-8")
    if len(person) > 16:
        raise ValueError(f"domain {domain!r}: at most 16 bytes")
    mac_key = _mac_key(checked_key(key))
    # factorized as Python strings: numpy's fixed-width text would drop trailing NULs
    inverse, distinct = pd.factorize(pd.Series([str(v) for v in values], dtype=object))
    digests = np.fromiter(
        (
            int.from_bytes(
                hashlib.blake2b(
                    str(v).encode("utf-8"), key=mac_key, person=person, digest_size=8
                ).digest(),
                "little",
            )
            for v in distinct
        ),
        dtype=np.uint64,
        count=len(distinct),
    )
    out: npt.NDArray[np.uint64] = digests[inverse]
    return out


def hex_digits(digests: npt.NDArray[np.uint64]) -> npt.NDArray[np.str_]:
    """Each digest as 16 lowercase hexadecimal digits, most significant first (as
    ``f"{d:016x}"`` writes it), in numpy: a million ids are not a million f-strings."""
    octets = digests.astype(">u8").view(np.uint8).reshape(-1, 8)
    nibbles = np.stack([octets >> 4, octets & 0x0F], axis=-1).reshape(-1, 16)
    text: npt.NDArray[np.str_] = np.ascontiguousarray(_HEX_DIGITS[nibbles]).view("S16")
    return text.reshape(-1).astype("U16")
