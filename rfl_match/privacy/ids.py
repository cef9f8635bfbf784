"""Pseudonymous ids: a matches or clusters file that a third party may hold.

A matches file sent to another National Society or to a statistics team should not carry
case numbers. Under a secret key each id becomes ``p-`` and 16 hexadecimal digits of its
keyed digest (:func:`rfl_match.privacy.keyed_digests`, domain ``"id"``): the same id gives
the same pseudonym under one key, in every file and column, so that the receiver can still
join and count; without the key a pseudonym cannot be traced back, or recomputed from a
guessed case number. Whoever holds the key maps the pseudonyms back by recomputing them
from their own ids (:func:`pseudonym_table`).

>>> key = b"0123456789abcdef0123456789abcdef"
>>> pseudonyms = pseudonymous_ids(["RQ1", "RQ2", "RQ1", None], key)
>>> pseudonyms[0] == pseudonyms[2] != pseudonyms[1], pseudonyms[3] is None
(True, True)
>>> len(pseudonyms[0]), pseudonyms[0][:2]
(18, 'p-')
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.privacy.keys import hex_digits, keyed_digests
from rfl_match.schema import typed_text

#: The domain of id pseudonyms among the keyed digests: none equals a blocking key's or a
#: Bloom filter's digest of the same text under the same key.
ID_DOMAIN = "id"
PSEUDONYM_PREFIX = "p-"
#: A clusters frame's label, rewritten from its members' pseudonyms (see pseudonymise).
_CLUSTER_COLUMN, _CLUSTER_PREFIX = "cluster_id", "c-"

IdValues = pd.Series | pd.Index | npt.NDArray[Any] | Sequence[Any]


def pseudonymous_ids(ids: IdValues, key: bytes) -> pd.Series:
    """Each id's keyed pseudonym: ``p-`` and 16 hexadecimal digits.

    Ids are read as text (the number 17 and the text ``"17"`` are one id, as they are in a
    file; a float 17.0 or a date as a file writes them, ``schema.typed_text``), each
    distinct id is hashed once, and a missing id (None, NaN, ``pd.NA``) stays missing.
    Distinct ids give distinct pseudonyms but for a 64-bit collision (odds about n² /
    2⁶⁵: one in 37 million among a million ids).

    Args:
        ids: the ids, as a Series (its index and a string dtype are kept), an array or a list.
        key: the secret key (32 bytes or more: :func:`rfl_match.privacy.read_key`).

    Returns:
        The pseudonyms, aligned with ``ids``.

    Raises:
        SecretKeyError: the key is shorter than 32 bytes.
    """
    series = (
        ids
        if isinstance(ids, pd.Series)
        else pd.Series(np.asarray(ids, dtype=object), dtype=object)
    )
    # Floats and dates read as a file writes them, and as validation reads them (a float
    # id 17.0 is the id "17" of the records, not "17.0"): the same pseudonym either way.
    written = typed_text(series)
    readable = series
    if written is not None:
        readable = pd.Series(written, index=series.index, dtype=object).where(series.notna())
    codes, distinct = pd.factorize(readable, use_na_sentinel=True)
    texts = [str(value) for value in distinct]  # each distinct id once, as text
    names = np.char.add(PSEUDONYM_PREFIX, hex_digits(keyed_digests(key, ID_DOMAIN, texts)))
    names = names.astype(object)
    missing = codes < 0
    values = names[np.where(missing, 0, codes)] if len(names) else np.empty(len(codes), object)
    values[missing] = series.to_numpy(dtype=object)[missing]
    out = pd.Series(values, index=series.index, name=series.name, dtype=object)
    if isinstance(series.dtype, pd.StringDtype):
        return out.astype(series.dtype)
    return out


def pseudonym_table(ids: IdValues, key: bytes) -> pd.DataFrame:
    """The key holder's table from their ids to the pseudonyms: ``record_id, pseudonym``.

    With it, a pseudonymised matches file read back is joined to the real records
    (``matches.merge(table, left_on="request_id", right_on="pseudonym")``). Each distinct id
    once, in the order first met; missing ids are left out. The table undoes the
    pseudonyms: keep it as the key is kept, never with the files it maps.
    """
    series = (
        ids
        if isinstance(ids, pd.Series)
        else pd.Series(np.asarray(ids, dtype=object), dtype=object)
    )
    record_ids = series[series.notna().to_numpy()].drop_duplicates().reset_index(drop=True)
    return pd.DataFrame({"record_id": record_ids, "pseudonym": pseudonymous_ids(record_ids, key)})


def pseudonymise(
    frame: pd.DataFrame,
    key: bytes,
    columns: Sequence[str] = ("request_id", "sighting_id"),
    *,
    reorder: bool = True,
) -> pd.DataFrame:
    """A copy of ``frame`` with the ids in ``columns`` replaced by their pseudonyms.

    For matches (``request_id, sighting_id``, the default) or clusters
    (``columns=("record_id",)``); one id gives one pseudonym in every column, as the two
    lists' ids may meet in a pair. Other columns are kept as they are: ``predict``'s
    scores, levels and explanations name no person and no id. A clusters frame's
    ``cluster_id`` (``c<row>``, the row of a member in the original file) becomes ``c-`` and
    the digits of its smallest member pseudonym (its first row once reordered), so that the
    labels carry no row number.

    Args:
        frame: matches or clusters, as ``predict`` or ``dedupe`` return them.
        key: the secret key.
        columns: the id columns to replace; each must be in ``frame``.
        reorder: sort the rows by the first column's pseudonyms (stable: a request's
            candidates stay in rank order) and renumber the index, so that the order of the
            rows no longer follows the real ids (a file sorted by case number gives their
            order away, and an index written to Parquet the original rows). False keeps the
            rows and index as they are.

    Raises:
        KeyError: a column that ``frame`` does not have.
        SecretKeyError: the key is shorter than 32 bytes.
    """
    absent = [c for c in columns if c not in frame.columns]
    if absent:
        raise KeyError(f"no column {', '.join(map(repr, absent))} to pseudonymise")
    out = frame.copy()
    for column in columns:
        out[column] = pseudonymous_ids(out[column], key)
    if reorder and len(columns):
        out = out.sort_values(columns[0], kind="stable").reset_index(drop=True)
    if _CLUSTER_COLUMN in out.columns and _CLUSTER_COLUMN not in columns and "record_id" in columns:
        first = out.groupby(_CLUSTER_COLUMN, sort=False)["record_id"].transform("min")
        out[_CLUSTER_COLUMN] = _CLUSTER_PREFIX + first.str.removeprefix(PSEUDONYM_PREFIX)
    return out
