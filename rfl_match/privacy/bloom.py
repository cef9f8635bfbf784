"""Bloom-filter encodings: records two organisations can match without exchanging names.

Each party encodes its records locally with :func:`encode_records` under a secret key the
two share (:func:`rfl_match.privacy.read_key`) and sends only the encoded frame. Whoever
links two encoded frames (``rm.Linker(encoded_config())``) compares keyed Bloom filters
(Schnell, Bachteler and Reiher 2009, the "cryptographic long-term key" of all of a
person's names in one filter) by their Dice coefficient and blocks on keyed digests of
each name part's variant class and phonetic key: it never sees a name.

A name is normalised as the linker normalises it (romanised, its parts' variant classes,
phonetic and skeleton keys), so that one name in Arabic, Cyrillic or Latin script and its
romanisations (Mohammed, Muhammad, محمد) set most of the same bits. Each name part adds
the padded bigrams of its romanisation (``hashes`` bits each), and its variant class,
phonetic key and skeleton key as whole features (three times as many bits each, so that
two spellings of one name overlap strongly where their bigrams differ); the bits are picked
by a keyed random sequence (random hashing, in place of the double hashing of Schnell et
al. whose arithmetic pattern the attacks of Niedermeyer et al. 2014 and Kroll and
Steinmetzer 2015 read), in a domain of the name's kind, so that a father's filter is not
his child's.

What an encoded file still reveals (say so to whoever receives it):

- the record ids as given, unless pseudonymised (``id_key``);
- the birth as kept (``birth="year"``, the default, keeps the year only), the age and the
  year (or month) of the source date, and the sex;
- how many name parts a record holds (two blocking keys a part, at most; roughly, the
  bits its filter sets);
- its blocking keys (``name_keys``) and filters are deterministic: the same name part
  gives the same key in every record, and the same names the same filter, so counting
  them shows which are common, and in a small name pool (one camp, one culture) the
  commonest keys can be matched to the commonest names (Mohammed, Fatima) and filters to
  names by their bits' frequencies: the known weakness of Bloom-filter encodings to
  frequency attacks (Kuzu et al. 2011; Christen et al. 2017). Measured on the keys
  (``python -m benchmarks privacy``, synthetic lists of 500 to 10,000 records): a linking
  party without the key that ranks one file's keys by frequency against public name
  statistics of the same culture mix reads 5 to 7 of the 10 commonest keys rightly and at
  least one name part of 73 to 82% of the records of one culture (Syrian), 3 to 7 of 10
  and 35 to 46% in a mix of 14 cultures; refining that reading by which keys records hold
  together (a propagation attack, after Vidanage et al. 2019), it reads at least one part
  of 75 to 86% and 38 to 61%, and two or more parts (a given and a family name, say) of
  28 to 44% and 8 to 21%. With ``keys="paired"`` (:func:`encode_records`; a list's common
  name classes and sounds keyed only in pairs with another of the record's) they read one
  part of 1 to 24% and 5 to 14%, and two or more of 1 to 14% and under 4%, for about the
  same pairs completeness (its costs: :func:`encode_records`);
- the keys name the parts one by one: the bits that all filters of the records sharing a
  key hold are, mostly, that part's, which undoes part of the one-filter-for-all-names
  protection; and a part's class, phonetic and skeleton keys set the same 30 bits in
  every spelling of it (``WHOLE_WEIGHT``), a fixed pattern a pattern-mining attack reads
  more easily than bigrams', in the parents' filters too (which have no keys).

So keep the key from the linking party (with it, anyone can encode a list of candidate
names and read the filters back by dictionary attack), keep ``birth="year"`` unless the
two parties need more, send encoded files only to a party bound by the same protection
rules as the records, and pseudonymise the ids (``id_key``, a key of the data holder's
own, never the shared one: the partner could recompute its pseudonyms from guessed case
numbers) where they mean something outside.

>>> import pandas as pd
>>> key = b"0123456789abcdef0123456789abcdef"
>>> frame = pd.DataFrame({"record_id": ["R1"], "full_name": ["Mohammed Ali"]})
>>> encoded = encode_records(frame, key)
>>> encoded["encoding"].iloc[0].split()[:3]
['rfl_match-bloom/1', 'bits=1024', 'hashes=10']
>>> other = encode_records(pd.DataFrame({"record_id": ["S1"], "full_name": ["محمد علي"]}), key)
>>> round(float(filter_dice(encoded["name_bloom"], other["name_bloom"])[0]), 2)
0.91
"""

from __future__ import annotations

import base64
import calendar
import functools
import hashlib
import importlib.resources
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from importlib import metadata
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match import schema
from rfl_match.bloom_filters import PREFIX, decode_filters, dice
from rfl_match.dates import in_whole_years
from rfl_match.names import NameForm, names_by_parent, normalize_names
from rfl_match.prepare import parents_named
from rfl_match.privacy.ids import pseudonymous_ids
from rfl_match.privacy.keys import checked_key, hex_digits, key_check, keyed_digests

#: The scheme's name and version in the ``encoding`` column: a change of features or of
#: how bits are picked is a new version, so that old and new files refuse to link.
SCHEME = "rfl_match-bloom/1"
#: Bits of a filter by default: Schnell's 1,000, rounded to whole 64-bit words.
DEFAULT_BITS = 1024
#: Bits set per bigram by default (whole features set ``WHOLE_WEIGHT`` times as many).
#: Measured with whole features at twice the bits, on the bundled synthetic data's true
#: pairs and public transliteration pairs against random pairs: the share of true pairs
#: above the random pairs' 99th percentile is flat from 5 to 10 and falls slowly past it
#: (synthetic 0.946 / 0.939 / 0.930 at 5 / 10 / 15, Arabic-Latin 0.937 / 0.939 / 0.940);
#: linked end to end (``encoded_config()``, 10,000 a side, seed 7) F1 0.751 / 0.752 /
#: 0.764. 10 spreads each feature over more bits than 5 at about the same separation.
DEFAULT_HASHES = 10
#: Whole-part features (variant class, phonetic and skeleton keys) set this many times
#: ``hashes`` bits, so that two spellings of one name overlap strongly where their bigrams
#: differ. Linked end to end (``encoded_config()``, ``hashes`` 10), F1 at 1 / 2 / 3 / 4:
#: 10,000 a side seed 7 0.746 / 0.752 / 0.761 / 0.765, seed 8 - / 0.751 / 0.760 / 0.744,
#: the bundled 500 x 1,000 - / 0.846 / 0.854 / 0.853. Separation (true pairs above the
#: random 99th percentile) at 2 / 3: synthetic 0.946 / 0.935, Arabic-Latin 0.937 /
#: 0.940, Russian-Latin 0.957 / 0.958, Arabic-English (Google) 0.952 / 0.962.
WHOLE_WEIGHT = 3
#: The fewest bits set per feature: with fewer, each bit stands for few features, so the
#: bits' frequencies read nearly as the bigrams' (the pattern-mining attack's way in), and
#: a collision of two features weighs as much as an agreement.
HASHES_MIN = 5
#: The least filter: fewer bits fill with a full name's features.
BITS_MIN = 256

#: The filter columns: the person's own names (every name field of the schema), the
#: father's and the mother's.
FILTER_FIELDS = schema.BLOOM_FIELDS
#: The keyed-digest domain of each filter's features: the same name in another field sets
#: other bits.
_FILTER_DOMAINS = {
    "name_bloom": "bf:name",
    "father_name_bloom": "bf:father",
    "mother_name_bloom": "bf:mother",
}
#: The blocking keys' kinds (a name part's variant class and its phonetic key), the
#: digest domain of each, and of each pair of them (``keys="paired"``).
KEY_KINDS = ("variant", "phonetic")
_KEY_DOMAINS = ("nk:class", "nk:phonetic")
_PAIR_DOMAINS = ("nk:class2", "nk:phonetic2")
#: The blocking keys' forms: "parts" (the default) a key per name part's class and sound;
#: "paired" the common ones only in pairs (:func:`encode_records`).
KEY_FORMS = ("parts", "paired")
#: With ``keys="paired"``, a class or sound that at least this share of a list's records
#: hold (and at least ``COMMON_MIN`` records) is keyed only together with another of the
#: record's (see :func:`encode_records` for what it was measured to cost and protect).
COMMON_SHARE = 0.04
COMMON_MIN = 20
KEYS_FIELD = "name_keys"
ENCODING_FIELD = schema.ENCODING_FIELD
_CLEAR_FIELDS = ("date_of_birth", "age", "source_date", "sex")

#: How much of a date each ``birth`` option keeps (parts of ``YYYY-MM-DD``), and the day a
#: coarsened source date is written on: the linker reads an age as of a full source date,
#: so a year becomes its middle day and a month its 15th (the age then read within half a
#: year, or half a month, of the true date).
_BIRTH_PARTS: dict[str, tuple[int, str]] = {
    "year": (1, "-07-01"),
    "month": (2, "-15"),
    "day": (3, ""),
}

# splitmix64's constants (Steele, Lea and Flood 2014): a keyed digest seeds a sequence of
# well-mixed 64-bit values, one per bit a feature sets.
_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_MIX1 = np.uint64(0xBF58476D1CE4E5B9)
_MIX2 = np.uint64(0x94D049BB133111EB)
_ALTERNATES = re.compile(r"[;\n]")
#: Records whose filters are assembled at once (bounds the memory of the rows OR-ed).
_CHUNK = 200_000
#: Distinct name parts whose bits are set at once (a byte a bit: 16 MiB at 1,024 bits).
_PART_CHUNK = 16_384


class EncodingError(ValueError):
    """Encoded frames that cannot be linked: another key or settings, or no encoding."""


@dataclass(frozen=True, slots=True)
class _Part:
    """A name part as the filter sees it (the text itself is never stored)."""

    token: str
    variant: str
    phonetic: str
    skeleton: str


def encode_records(
    records: pd.DataFrame,
    key: bytes | str,
    *,
    bits: int = DEFAULT_BITS,
    hashes: int = DEFAULT_HASHES,
    birth: str | None = "year",
    sex: bool = True,
    id_key: bytes | str | None = None,
    keys: str = "parts",
) -> pd.DataFrame:
    """Encode records for matching without sharing names.

    Args:
        records: a frame of records in the canonical schema (``rm.read_records`` gives one;
            a plain frame is validated as the linker validates it).
        key: the secret key the two parties share (32 bytes at least: ``rfl-match keygen``).
        bits: the length of each filter, a multiple of 64 (both parties must use the same).
        hashes: the bits each bigram sets, a whole-part feature ``WHOLE_WEIGHT`` times
            as many (both parties must use the same).
        birth: how much of the date of birth and source date to keep: "year" (the
            default), "month", "day", or None to drop them and the age.
        sex: keep the sex (False blanks it out).
        id_key: write the record ids as keyed pseudonyms under this key
            (:func:`rfl_match.privacy.pseudonymous_ids`; the data holder maps them back
            with :func:`~rfl_match.privacy.pseudonym_table`), or None to keep them. It
            must be the data holder's own key, never ``key``: the partner, who holds
            ``key``, could recompute pseudonyms from guessed case numbers. The rows are
            then in the order of the pseudonyms, not of the records (a list sorted by
            case number would tell each pseudonym's place among them), as
            :func:`~rfl_match.privacy.pseudonymise` orders them.
        keys: the blocking keys' form (both parties must use the same). "parts" (the
            default): a keyed digest of each name part's variant class and phonetic key.
            "paired": each pair of a record's classes (and of its phonetic keys) gets a key
            too, and a class or key held by ``COMMON_SHARE`` (4%) of the list's records or
            more (and by ``COMMON_MIN``, 20, at least) gets none of its own, unless the
            record holds no other: the common names the frequency attacks read are told
            only in pairs, as rare as the pair. The shares are the list's own, so encode a
            list whole. Measured (``python -m benchmarks privacy``: lists of 500 to
            10,000 records, the two attacks of this module's documentation): at least one
            name part read of 1 to 24% of the records of one culture, two or more of 1 to
            14% (a key a part: 75 to 86% and 28 to 44%); mixed lists 5 to 14% and under 4%
            (38 to 61% and 8 to 21%). Pairs completeness 0.974 at 10,000 a side as with a
            key a part (F1 0.808 against 0.813, ``benchmarks/RESULTS.md``, privacy); 0.984
            against 0.989 on the bundled 500 x 1,000; 0.985 against 0.994 for lists of
            different make-up (one culture's requests against mixed sightings). On the
            bundled data, F1 at the default threshold 0.890 against 0.886 (recall 0.894
            against 0.865). It was 0.840
            (recall 0.745) until the probability map fitted without labels
            (:func:`rfl_match.calibration.fit_on_comparisons`) read its screen of
            dependent comparisons across a band (``DEPENDENCE_BAND``): among the fewer
            candidates relatives are a larger share, the birth's dependence on the name
            filters crossed the 0.04 limit (0.043 to 0.055), the names were left judged
            by the sex alone, and the map came out flat (slope 0.52 against 1.29), though
            the true pairs were found and weighed more than with a key a part. 4% rather
            than 8%: at 8% a list of one culture was still read two parts deep for a
            quarter of its records (seed 7, 10,000 records).

    Returns:
        One row per record: ``record_id``, ``name_bloom``, ``father_name_bloom``,
        ``mother_name_bloom`` (``b64:`` and the standard base64 of ``bits // 8`` bytes,
        bit i the bit ``i % 8`` of byte ``i // 8``; "" for no name of that kind; a blank
        parent's is that of the parent a person's name names, "Baby of Fatima" the
        mother, "Ali S/O Ahmed Khan" the father, as the linker reads it:
        :func:`rfl_match.prepare.parents_named`),
        ``name_keys``
        (space-separated 16-digit hexadecimal keyed digests; "" for none),
        ``date_of_birth``, ``age``, ``source_date`` and ``sex`` as kept, and ``encoding``
        (the scheme, ``bits``, ``hashes`` and the key's check value: frames link only
        where it is the same).

    Raises:
        ValueError: ``bits``, ``hashes`` or ``birth`` out of range, or ``id_key`` the
            shared key.
        rfl_match.privacy.SecretKeyError: the key is too short.
        rfl_match.RecordError: records the linker would refuse.
        EncodingError: records with no name in clear (encoded already).
    """
    raw_key = checked_key(key)
    _check_options(bits, hashes, birth, keys)
    own_key = None if id_key is None else checked_key(id_key, "id_key")
    if own_key == raw_key:
        raise ValueError(
            "id_key: the shared key; pseudonymise ids under a key of your own (the partner "
            "holds the shared one and could recompute the pseudonyms of guessed ids)"
        )
    frame = _validated(records)
    if schema.is_encoded(frame) or not any(f in frame.columns for f in schema.NAME_FIELDS):
        raise EncodingError(
            "records: no name in clear to encode (encoded records already, or no name "
            f"column: one of {', '.join(schema.NAME_FIELDS)})"
        )
    # a newborn's "Baby of Fatima" names the mother, "Ali S/O Ahmed Khan" the father: the
    # blank parent's filter holds that name, as the linker reads it in clear
    frame = parents_named(frame)
    n = len(frame)
    out: dict[str, Any] = {}
    record_ids = frame[schema.ID_FIELD].astype(str).to_numpy(dtype=object)
    if own_key is not None:
        out[schema.ID_FIELD] = pseudonymous_ids(record_ids, own_key).to_numpy(dtype=object)
    else:
        out[schema.ID_FIELD] = record_ids
    for column in FILTER_FIELDS:
        fields = schema.NAME_FIELDS if column == "name_bloom" else (column.removesuffix("_bloom"),)
        rows, parts = _record_parts(frame, fields)
        out[column] = _filters(raw_key, _FILTER_DOMAINS[column], rows, parts, n, bits, hashes)
        if column == "name_bloom":
            out[KEYS_FIELD] = _blocking_keys(raw_key, rows, parts, n, keys)
    for column in _CLEAR_FIELDS:
        values = _column(frame, column)
        if column == "sex":
            out[column] = values if sex else np.full(n, "", dtype=object)
        elif birth is None:
            out[column] = np.full(n, "", dtype=object)
        elif column == "age":
            out[column] = _coarse_ages(values) if birth == "year" else values
        else:
            out[column] = _coarse_dates(values, birth, mid=column == "source_date")
    text = encoding_text(raw_key, bits=bits, hashes=hashes, keys=keys)
    out[ENCODING_FIELD] = np.full(n, text, dtype=object)
    encoded = pd.DataFrame(out, index=pd.RangeIndex(n))
    if own_key is None:
        return encoded
    return encoded.sort_values(schema.ID_FIELD, kind="stable", ignore_index=True)


def blocking_features(records: pd.DataFrame, *, keys: str = "parts") -> pd.DataFrame:
    """What each record's blocking keys (``name_keys``) stand for, in clear: for the data
    holder to audit what an encoded file tells (never send it; it holds the names' classes
    and sounds). ``keys`` as for :func:`encode_records`.

    Returns:
        One row a record's feature: ``row`` (the record's position), ``domain`` (the keyed
        digest's: ``nk:class``, ``nk:phonetic``, or ``nk:class2``, ``nk:phonetic2`` for a
        pair) and ``text`` (a class or phonetic key; a pair's two, the lesser first, a
        space between). ``keyed_digests(key, domain, text)`` gives the key the record holds.
    """
    _check_options(DEFAULT_BITS, DEFAULT_HASHES, None, keys)
    frame = _validated(records)
    pairs, parts = _record_parts(frame, schema.NAME_FIELDS)
    rows, domains, texts = _key_features(pairs, parts, len(frame), keys)
    out = pd.DataFrame({"row": rows, "domain": domains, "text": texts})
    return out.drop_duplicates(ignore_index=True)


def encoding_text(
    key: bytes | str,
    *,
    bits: int = DEFAULT_BITS,
    hashes: int = DEFAULT_HASHES,
    keys: str = "parts",
) -> str:
    """The ``encoding`` value of frames encoded with this key and these settings: a party
    can tell a file it receives was made as agreed without holding that file's key. It
    names the name reader too (:func:`names_fingerprint`): two parties whose rfl_match
    read names differently (another version's variant classes or romanisation) would
    set other bits for one name, and their files must refuse to link rather than link
    worse unsaid. Blocking keys of another form than the default "parts" are named
    with their thresholds (``name_keys=paired/0.04/20``); the default's text is as it was
    before the option, so that files encoded then still link."""
    form = "" if keys == "parts" else f"name_keys={keys}/{COMMON_SHARE:g}/{COMMON_MIN} "
    return (
        f"{SCHEME} bits={bits} hashes={hashes} names={names_fingerprint()} "
        f"{form}key={key_check(checked_key(key))}"
    )


#: The libraries whose tables read names besides rfl_match's own (romanisation), their
#: versions part of :func:`names_fingerprint`.
NAME_LIBRARIES = ("anyascii", "unidecode")


@functools.cache
def names_fingerprint() -> str:
    """8 hexadecimal digits of a hash of what reads names (``rfl_match.names``: its code
    and tables; the versions of :data:`NAME_LIBRARIES` and of Python's Unicode tables,
    which romanise and classify letters for it) and of the features' weight: the same
    for two installs that encode a name alike. Any change to them changes it, a harmless
    one too: files encoded by two versions are then refused, never linked on filters that
    differ unseen (anyascii 0.3.2 and 0.3.3 romanise ハットリ as hatsutori and hattori)."""
    versions = " ".join(f"{name}={metadata.version(name)}" for name in NAME_LIBRARIES)
    digest = hashlib.blake2b(
        f"whole={WHOLE_WEIGHT} {versions} unicode={unicodedata.unidata_version}".encode(),
        digest_size=4,
    )
    package = importlib.resources.files("rfl_match.names")
    for path in sorted(_package_files(package), key=lambda p: p[0]):
        digest.update(path[0].encode())
        digest.update(path[1])
    return digest.hexdigest()


def _package_files(folder: Any, prefix: str = "") -> list[tuple[str, bytes]]:
    """Every ``.py`` and table file under a package folder, with its path inside it."""
    out: list[tuple[str, bytes]] = []
    for entry in folder.iterdir():
        name = f"{prefix}{entry.name}"
        if entry.is_dir() and entry.name != "__pycache__":
            out += _package_files(entry, f"{name}/")
        elif entry.is_file() and entry.name.endswith((".py", ".tsv")):
            out.append((name, entry.read_bytes()))
    return out


def check_encodings(requests_enc: pd.DataFrame, sightings_enc: pd.DataFrame) -> str:
    """The encoding two encoded frames share, or a clear error why they cannot be linked.

    Raises:
        EncodingError: a frame is no encoded frame (``rfl_match.schema.is_encoded``: an
            ``encoding`` column and a filter column; and an encoding named), holds more
            than one encoding, or another scheme, or the two were encoded with different
            keys or settings.
    """
    found = []
    for frame, side in ((requests_enc, "requests"), (sightings_enc, "sightings")):
        if not isinstance(frame, pd.DataFrame):
            raise EncodingError(f"{side}: want a pandas DataFrame from encode_records")
        values = schema.encodings_of(frame)
        if not values:
            raise EncodingError(
                f"{side}: not an encoded frame (no encoding named, or no Bloom-filter "
                "column; rfl_match.privacy.encode_records makes one)"
            )
        if len(values) != 1:
            raise EncodingError(
                f"{side}: {len(values)} encodings in one frame "
                f"({', '.join(map(schema.said_encoding, values[:3]))}); encode each list "
                "whole, with one key "
                "and one setting"
            )
        text = str(values[0])
        if text.split(" ", 1)[0] != SCHEME:
            raise EncodingError(
                f"{side}: encoding {schema.said_encoding(text)} is not {SCHEME} (another "
                "scheme or version)"
            )
        found.append(text)
    if found[0] != found[1]:
        raise EncodingError(
            f"the requests were encoded as {schema.said_encoding(found[0])} and the "
            f"sightings as {schema.said_encoding(found[1])}: "
            f"{_difference(found[0], found[1])}; encode both with the same key and settings"
        )
    return found[0]


def filter_dice(left: Iterable[str], right: Iterable[str]) -> npt.NDArray[np.float64]:
    """The Dice coefficient ``2|A and B| / (|A| + |B|)`` of each aligned pair of encoded
    filters (base64 text), NaN where either is blank: what the linker's ``bloom``
    comparison grades, for measuring an encoding (true pairs against random ones). Each
    distinct text is decoded once (:func:`rfl_match.bloom_filters.decode_filters`).

    Raises:
        ValueError: a text that is no filter, or filters of two widths.
    """
    a_texts = pd.Series(list(left), dtype=object).fillna("").astype(str)
    b_texts = pd.Series(list(right), dtype=object).fillna("").astype(str)
    if len(a_texts) != len(b_texts):
        raise ValueError(f"{len(a_texts)} filters on the left, {len(b_texts)} on the right")
    codes, uniques = pd.factorize(pd.concat([a_texts, b_texts], ignore_index=True))
    table = decode_filters([str(u) for u in uniques])
    bad = (table.widths == -1) | ((table.widths > 0) & (table.widths != table.bits))
    if bad.any():
        raise ValueError(f"not a filter of {table.bits} bits: {str(uniques[bad.argmax()])[:40]!r}")
    ca, cb = codes[: len(a_texts)], codes[len(a_texts) :]
    out = dice(table, ca, table, cb).astype(np.float64)
    out[(table.ones[ca] == 0) | (table.ones[cb] == 0)] = np.nan
    return out


def encoded_config() -> dict[str, Any]:
    """A configuration (for ``rm.Linker(...)`` or ``LinkConfig.from_dict``) that links two
    encoded frames: the person's, father's and mother's filters by Dice, the birth and
    the sex; candidate pairs are those that share a name part's keyed class or sound.

    Blocking on the keys alone, measured against rules that add the birth year (10,000
    a side, seed 7 / 8; pairs completeness and F1): ``tokens:name_keys`` alone 0.9585 /
    0.9549 and 0.761 / 0.760; with a second rule of the keys and the birth year 0.949 /
    0.946 and 0.740 / 0.737 (the budget of candidates per record is shared by more
    pairs); the keys with the birth year only 0.892 / 0.891 and 0.752 / 0.750 (an age
    misestimated across a year boundary is never met). Weighing the filters' term
    frequencies: F1 +0.007 / +0.001 there and -0.006 on the bundled data, so not set.

    The mother's filter is weighed given whether the fathers' filters agree
    (``condition_on``): a sibling shares both parents, and counted as agreeing on each as if
    they were independent, relatives came out too strong. Measured against weighing each
    alone (synthetic data, encoded under the calibration benchmark's key; F1 at 0.5 and
    Brier over every candidate): 20,000 x 40,000 seeds 7 / 8 / 9 F1 0.7030 / 0.7117 /
    0.7030 -> 0.7084 / 0.7136 / 0.7053, Brier 0.01070 / 0.01064 / 0.01089 -> 0.01057 /
    0.01051 / 0.01077, largest calibration gap 0.086 / 0.090 / 0.114 -> 0.061 / 0.075 /
    0.079; 10,000 a side F1 0.8100 -> 0.8125, Brier 0.01743 -> 0.01716, but gap 0.134 ->
    0.152; bundled 500 x 1,000 F1 0.8702 -> 0.8835, Brier 0.01463 -> 0.01297; 2,000 x
    4,000 seeds 8 / 9 F1 0.8327 / 0.8348 -> 0.8338 / 0.8386.

    The probabilities of such a link are less well calibrated than with names in clear
    (largest gap between predicted and observed shares of true pairs, over the candidates
    scoring at least 0.05, 0.159 against 0.090 at 10,000 a side; ``python -m benchmarks
    privacy``): read them as the order in which to review the pairs.
    """
    return {
        "default_comparisons": False,
        "compare": [
            {"field": "name_bloom", "kind": "bloom", "name": "name"},
            {"field": "father_name_bloom", "kind": "bloom", "name": "father_name"},
            {"field": "mother_name_bloom", "kind": "bloom", "name": "mother_name"},
            {"field": "birth", "kind": "birth", "name": "birth"},
            {"field": "sex", "kind": "sex"},
        ],
        "blocking": [["tokens:name_keys"]],
        "context_blocking": [],
        "condition_on": "father_name",
        # The plain default's 2 left the calibration suite's encoded map out of its target
        # (largest gap 0.045 -> 0.053, 8 of 10 bins within 0.05 against 10 of 10).
        "sorted_window": 3,
    }


# --- the parts ------------------------------------------------------------------------


def _check_options(bits: int, hashes: int, birth: str | None, keys: str = "parts") -> None:
    if (
        isinstance(bits, bool)
        or not isinstance(bits, int | np.integer)
        or bits < BITS_MIN
        or bits % 64
    ):
        raise ValueError(
            f"bits: {bits!r}; want a multiple of 64, {BITS_MIN} or more (1024 by default)"
        )
    if (
        isinstance(hashes, bool)
        or not isinstance(hashes, int | np.integer)
        or not HASHES_MIN <= hashes <= bits // 16
    ):
        raise ValueError(
            f"hashes: {hashes!r}; want a whole number from {HASHES_MIN} (fewer let the bits' "
            f"frequencies read as the name parts') to bits // 16 = {bits // 16} (more fill "
            "the filter)"
        )
    if keys not in KEY_FORMS:
        raise ValueError(f"keys: {keys!r}; want one of {', '.join(map(repr, KEY_FORMS))}")
    if birth is not None and birth not in _BIRTH_PARTS:
        raise ValueError(
            f"birth: {birth!r}; want one of {', '.join(map(repr, _BIRTH_PARTS))} or None"
        )


def _validated(records: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(records, pd.DataFrame):
        raise TypeError("records: want a pandas DataFrame (see rfl_match.read_records)")
    if schema.is_validated(records):
        return records
    return schema.validate_records(records, source="records")


def _column(frame: pd.DataFrame, column: str) -> npt.NDArray[np.object_]:
    if column not in frame.columns:
        return np.full(len(frame), "", dtype=object)
    return frame[column].fillna("").astype(str).to_numpy(dtype=object)


def _record_parts(
    frame: pd.DataFrame, fields: Sequence[str]
) -> tuple[npt.NDArray[np.intp], list[_Part]]:
    """Each record's distinct name parts over ``fields``: aligned (record row, part id)
    arrays, and the distinct parts. Each distinct name text is normalised once; in the
    person's name fields, one that names the person by the father (:func:`names_by_parent`)
    gives none."""
    rows: list[npt.NDArray[np.intp]] = []
    texts: list[npt.NDArray[np.object_]] = []
    for field in fields:
        values = _column(frame, field)
        if field == "alternate_names":
            split = pd.Series(values).str.split(_ALTERNATES).explode()
            rows.append(split.index.to_numpy(dtype=np.intp))
            texts.append(split.fillna("").to_numpy(dtype=object))
        else:
            rows.append(np.arange(len(values), dtype=np.intp))
            texts.append(values)
    row = np.concatenate(rows) if rows else np.empty(0, dtype=np.intp)
    text = np.concatenate(texts) if texts else np.empty(0, dtype=object)
    codes, uniques = pd.factorize(text)
    forms = normalize_names([str(u).strip() for u in uniques.tolist()])
    # a person's name that names the father ("S/O Ahmed Khan") is none of the person's, as
    # the linker reads it; in a parent's column it is the parent's name
    person = not set(fields).isdisjoint(schema.NAME_FIELDS)
    ids: dict[_Part, int] = {}
    per_text: list[list[int]] = [
        []
        if person and names_by_parent(form)
        else [ids.setdefault(part, len(ids)) for part in _form_parts(form)]
        for form in forms
    ]
    lengths = np.array([len(p) for p in per_text], dtype=np.intp)
    flat = np.array([i for p in per_text for i in p], dtype=np.intp)
    starts = (
        np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.intp) if len(lengths) else lengths
    )
    keep = codes >= 0
    row, codes = row[keep], codes[keep]
    count = lengths[codes] if len(lengths) else np.zeros(0, dtype=np.intp)
    record = np.repeat(row, count)
    offsets = np.arange(int(count.sum())) - np.repeat(np.cumsum(count) - count, count)
    part = (
        flat[np.repeat(starts[codes], count) + offsets] if len(flat) else np.zeros(0, dtype=np.intp)
    )
    pairs = np.unique(record.astype(np.int64) * max(len(ids), 1) + part)
    width = max(len(ids), 1)
    parts = list(ids)
    return np.stack([pairs // width, pairs % width]).astype(np.intp), parts


def _form_parts(form: NameForm) -> list[_Part]:
    return [
        _Part(t, v, p, s)
        for t, v, p, s in zip(
            form.tokens, form.variant_ids, form.phonetic_keys, form.skeleton_keys, strict=True
        )
        if t
    ]


def _features(part: _Part) -> set[str]:
    """What a name part sets bits for: the padded bigrams of its romanisation ("b:"),
    and its variant class, phonetic key and skeleton key whole ("v:", "p:", "s:"). The
    bigrams of the variant class's name too were measured and left out: they raised the
    random pairs' Dice more than the true pairs'."""
    padded = f"_{part.token}_"
    out = {f"b:{padded[i : i + 2]}" for i in range(len(padded) - 1)}
    out.add(f"v:{part.variant}")
    if part.phonetic:
        out.add(f"p:{part.phonetic}")
    if part.skeleton:
        out.add(f"s:{part.skeleton}")
    return out


def _positions(digests: npt.NDArray[np.uint64], hashes: int, bits: int) -> npt.NDArray[np.intp]:
    """``hashes`` bit positions per digest (features x hashes): splitmix64 of the digest
    plus a multiple of the golden ratio, random hashing seeded by the keyed digest."""
    steps = (np.arange(1, hashes + 1, dtype=np.uint64) * _GOLDEN)[None, :]
    with np.errstate(over="ignore"):
        z = digests[:, None] + steps
        z = (z ^ (z >> np.uint64(30))) * _MIX1
        z = (z ^ (z >> np.uint64(27))) * _MIX2
        z = z ^ (z >> np.uint64(31))
    positions: npt.NDArray[np.intp] = (z % np.uint64(bits)).astype(np.intp)
    return positions


def _filters(
    key: bytes,
    domain: str,
    pairs: npt.NDArray[np.intp],
    parts: list[_Part],
    n: int,
    bits: int,
    hashes: int,
) -> npt.NDArray[np.object_]:
    """Each record's filter over its parts, as base64 text ("" where it has none): a
    filter per distinct part, then each record's parts' filters OR-ed together."""
    out = np.full(n, "", dtype=object)
    if not parts:
        return out
    part_features = [sorted(_features(p)) for p in parts]
    names, feature_of = np.unique(
        np.array([f for fs in part_features for f in fs], dtype=object), return_inverse=True
    )
    owner = np.repeat(np.arange(len(parts)), [len(fs) for fs in part_features])
    positions = _positions(keyed_digests(key, domain, names.tolist()), WHOLE_WEIGHT * hashes, bits)
    # a bigram sets the first ``hashes`` of its positions, a whole feature all of them
    used = (
        np.arange(WHOLE_WEIGHT * hashes)[None, :]
        < np.where(np.char.startswith(names.astype(str), "b:"), hashes, WHOLE_WEIGHT * hashes)[
            :, None
        ]
    )
    feature = feature_of.reshape(-1)
    words = np.zeros((len(parts), bits // 64), dtype="<u8")
    # the parts' bit tables a chunk at a time (owner is sorted: a chunk is a slice)
    bounds = np.searchsorted(owner, np.arange(0, len(parts) + _PART_CHUNK, _PART_CHUNK))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if hi == lo:
            continue
        base = int(owner[lo])
        mask = used[feature[lo:hi]]
        table = np.zeros((int(owner[hi - 1]) + 1 - base, bits), dtype=bool)
        rows = np.broadcast_to((owner[lo:hi] - base)[:, None], mask.shape)[mask]
        table[rows, positions[feature[lo:hi]][mask]] = True
        words[base : base + len(table)] = np.packbits(table, axis=1, bitorder="little").view("<u8")
    record, part = pairs
    # pairs are sorted by record: a chunk of records is a slice of them
    bounds = np.searchsorted(record, np.arange(0, n + _CHUNK, _CHUNK))
    for lo, hi in zip(bounds[:-1].tolist(), bounds[1:].tolist(), strict=True):
        if hi > lo:
            rows, starts = np.unique(record[lo:hi], return_index=True)
            merged = np.bitwise_or.reduceat(words[part[lo:hi]], starts, axis=0)
            out[rows] = _base64_rows(merged.view(np.uint8))
    return out


def _base64_rows(packed: npt.NDArray[np.uint8]) -> npt.NDArray[np.object_]:
    """:data:`~rfl_match.bloom_filters.PREFIX` and the standard base64 (padded) of each
    row of bytes, in one call for all rows: the
    whole groups of three bytes of every row encoded together, then each row's remainder
    (zero-filled to three bytes, its unused characters made padding)."""
    n, width = packed.shape
    whole, rest = width - width % 3, width % 3
    head = np.frombuffer(
        base64.b64encode(np.ascontiguousarray(packed[:, :whole]).tobytes()), dtype=np.uint8
    ).reshape(n, whole // 3 * 4)
    if rest:
        tail_bytes = np.zeros((n, 3), dtype=np.uint8)
        tail_bytes[:, :rest] = packed[:, whole:]
        tail = np.frombuffer(base64.b64encode(tail_bytes.tobytes()), dtype=np.uint8).reshape(n, 4)
        tail = tail.copy()
        tail[:, rest + 1 :] = ord("=")
        head = np.concatenate([head, tail], axis=1)
    text = np.ascontiguousarray(head).view(f"S{head.shape[1]}").reshape(n).astype(str)
    prefixed: npt.NDArray[np.object_] = np.char.add(PREFIX, text).astype(object)
    return prefixed


def _blocking_keys(
    key: bytes, pairs: npt.NDArray[np.intp], parts: list[_Part], n: int, form: str
) -> npt.NDArray[np.object_]:
    """Each record's distinct keyed digests of its blocking features (:func:`_key_features`),
    sorted (the order of a record's names is not told), space-separated."""
    out = np.full(n, "", dtype=object)
    rows, domains, texts = _key_features(pairs, parts, n, form)
    if not len(rows):
        return out
    digests = np.zeros(len(rows), dtype=np.uint64)
    for domain in np.unique(domains).tolist():
        mask = domains == domain
        digests[mask] = keyed_digests(key, domain, texts[mask].tolist())
    # sorted by record, then by digest (the order of their hexadecimal text), each once
    order = np.lexsort((digests, rows))
    rows, digests = rows[order], digests[order]
    first = np.ones(len(rows), dtype=bool)
    first[1:] = (rows[1:] != rows[:-1]) | (digests[1:] != digests[:-1])
    rows, digests = rows[first], digests[first]
    # one join of every record's keys, cut at the records' ends (17 characters a key)
    joined = " ".join(hex_digits(digests).tolist()) + " "
    present_rows, counts = np.unique(rows, return_counts=True)
    ends = np.cumsum(counts) * 17
    starts = ends - counts * 17
    out[present_rows] = [
        joined[a : b - 1] for a, b in zip(starts.tolist(), ends.tolist(), strict=True)
    ]
    return out


def _key_features(
    pairs: npt.NDArray[np.intp], parts: list[_Part], n: int, form: str
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.object_], npt.NDArray[np.object_]]:
    """Each record's blocking features in clear, aligned (record row, digest domain,
    text), repeats possible. ``form`` "parts": each name part's variant class and phonetic
    key. "paired": a record with two or more classes (or phonetic keys) also has each
    unordered pair of them, its two texts in one ("a b", the lesser first); and a class or
    key that at least ``COMMON_SHARE`` of the list's records hold, and ``COMMON_MIN``
    records at least, keeps no feature of its own, but in a record with no other."""
    record, part = pairs
    rows: list[npt.NDArray[np.intp]] = []
    domains: list[npt.NDArray[np.object_]] = []
    texts: list[npt.NDArray[np.object_]] = []
    for kind, single, paired in zip(KEY_KINDS, _KEY_DOMAINS, _PAIR_DOMAINS, strict=True):
        text_of_part = np.array([getattr(p, kind) for p in parts], dtype=object)
        codes, uniques = pd.factorize(text_of_part[part] if len(part) else text_of_part[:0])
        names = np.asarray(uniques, dtype=object)
        keep = text_of_part[part] != "" if len(part) else np.zeros(0, dtype=bool)
        # each record's distinct features of this kind, sorted by record
        held = np.unique(record[keep].astype(np.int64) * max(len(names), 1) + codes[keep])
        r, f = held // max(len(names), 1), held % max(len(names), 1)
        alone = np.ones(len(r), dtype=bool)
        if form == "paired":
            holders = np.bincount(f, minlength=len(names))
            common = (holders >= COMMON_SHARE * n) & (holders >= COMMON_MIN)
            many = np.bincount(r, minlength=n)[r] > 1
            alone = ~(common[f] & many)
            left, right = _pairs_within(r)
            a, b = names[f[left]], names[f[right]]
            lesser = a < b
            joined = np.where(lesser, a, b) + " " + np.where(lesser, b, a)
            rows.append(r[left].astype(np.intp))
            domains.append(np.full(len(left), paired, dtype=object))
            texts.append(joined.astype(object))
        rows.append(r[alone].astype(np.intp))
        domains.append(np.full(int(alone.sum()), single, dtype=object))
        texts.append(names[f[alone]])
    return np.concatenate(rows), np.concatenate(domains), np.concatenate(texts)


def _pairs_within(groups: npt.NDArray[np.int64]) -> tuple[npt.NDArray[np.intp], ...]:
    """Every unordered pair of positions within each run of equal values of a sorted
    array: aligned (first, second) positions, first < second."""
    starts = np.flatnonzero(np.r_[True, groups[1:] != groups[:-1]]) if len(groups) else groups
    sizes = np.diff(np.r_[starts, len(groups)])
    # position i pairs with each later position of its run
    later = (np.repeat(starts + sizes, sizes) - np.arange(len(groups))) - 1
    first = np.repeat(np.arange(len(groups)), later)
    offsets = np.arange(int(later.sum())) - np.repeat(np.cumsum(later) - later, later)
    return first.astype(np.intp), (first + 1 + offsets).astype(np.intp)


def _coarse_ages(values: npt.NDArray[np.object_]) -> npt.NDArray[np.object_]:
    """Ages in months, weeks or days ("6 months") written as the whole years they make
    ("0"), as ``birth="year"`` keeps a birth no finer than its year: the source date is kept
    as its year's middle day, as of which a child's months would read a birth as much as
    half a year off. An age in years is kept as it is."""
    codes, uniques = pd.factorize(values)
    cut = []
    for value in uniques.tolist():
        years = in_whole_years(str(value))
        cut.append(value if years is None else years)
    table = np.array([*cut, ""], dtype=object)
    out: npt.NDArray[np.object_] = table[codes]
    return out


def _coarse_dates(
    values: npt.NDArray[np.object_], birth: str, *, mid: bool
) -> npt.NDArray[np.object_]:
    """Dates (``YYYY``, ``YYYY-MM``, ``YYYY-MM-DD``) cut to the parts ``birth`` keeps; a
    source date (``mid``) written on the middle day of what is kept, as the linker wants
    a full source date."""
    keep, middle = _BIRTH_PARTS[birth]
    codes, uniques = pd.factorize(values)
    cut = []
    for value in uniques.tolist():
        text = str(value)
        if "/" in text and mid:  # a span of days (a date read in another calendar): its middle
            first, last = (date.fromisoformat(t) for t in text.split("/"))
            text = date.fromordinal((first.toordinal() + last.toordinal()) // 2).isoformat()
        elif "/" in text:
            cut.append(_coarse_span(text, keep))
            continue
        pieces = text.split("-")
        text = "-".join(pieces[:keep]) if value else ""
        cut.append(text + middle if mid and text and len(pieces) > keep else text)
    table = np.array([*cut, ""], dtype=object)
    return table[codes]


def _coarse_span(span: str, keep: int) -> str:
    """A birth that is a span of days (``2015-09-12/2016-09-10``: a year of another
    calendar, as validation writes it) cut to the parts kept: itself with the day, else
    the whole months or years it touches (``2015-01-01/2016-12-31``), or the one month or
    year it lies in (``2015``)."""
    if keep >= 3:
        return span
    first, last = span.split("/")
    if first[: 3 * keep + 1] == last[: 3 * keep + 1]:
        return first[: 3 * keep + 1]  # "YYYY" or "YYYY-MM"
    end = date.fromisoformat(last)
    if keep == 1:
        return f"{first[:4]}-01-01/{end.year}-12-31"
    days = calendar.monthrange(end.year, end.month)[1]
    return f"{first[:7]}-01/{last[:7]}-{days:02d}"


def _difference(a: str, b: str) -> str:
    """Which settings two encoding texts differ in, in words."""
    left = dict(p.split("=", 1) for p in a.split()[1:] if "=" in p)
    right = dict(p.split("=", 1) for p in b.split()[1:] if "=" in p)
    named = {
        "key": "different keys",
        "bits": "different filter lengths",
        "hashes": "different hash counts",
        "names": "names read differently (other rfl_match versions)",
        "name_keys": "blocking keys of other forms (keys=)",
    }
    # a setting of another's is named where it reads as one (a cell's text may not)
    said = [
        named.get(k, f"different {k}" if re.fullmatch(r"[a-z_]{1,20}", k) else "other settings")
        for k in sorted(set(left) | set(right))
        if left.get(k) != right.get(k)
    ]
    if a.split(" ", 1)[0] != b.split(" ", 1)[0]:
        said.insert(0, "different schemes")
    return ", ".join(dict.fromkeys(said)) or "different settings"
