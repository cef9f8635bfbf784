"""Matching without sharing names: plain records against Bloom-filter encodings.

Each data set is linked twice: in clear with the default ``rm.Linker()``, and encoded by
``rfl_match.privacy.encode_records`` under one key on both sides, then linked with
``rfl_match.privacy.encoded_config()``. Both at the default threshold and top_k. Also the
Dice coefficients of the person's name filters of true pairs against random pairs: what
the encoding leaves to tell them apart. And a frequency attack on the encoded blocking
keys by the linking party (no key; public name statistics), and the same attack refined by
which keys records hold together: how many keys, and how many records' names (one part,
two or more), each reads rightly. Public API only (and the encoder's digest domains, which
the encoded format fixes).
"""

from __future__ import annotations

import warnings
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

import rfl_match as rm
from benchmarks.common import ROOT, header, log, pair_keys, score_pairs, table, timed
from benchmarks.datasets import synthetic
from benchmarks.workers import CALIBRATION_FLOOR, calibration_at_scale
from rfl_match.names import normalize_names
from rfl_match.privacy import (
    blocking_features,
    encode_records,
    encoded_config,
    filter_dice,
    keyed_digests,
)
from rfl_match.synth import SynthConfig, generate

#: A fixed key: the figures do not depend on which key, only on both sides sharing it.
KEY = b"rfl_match benchmark key, not a secret: 32 bytes or more"
OTHER_KEY = b"another rfl_match benchmark key, not a secret either"
RANDOM_PAIRS = 100_000
QUANTILES = (0.01, 0.1, 0.5, 0.9, 0.99)
GAP = f"largest calibration gap (p >= {CALIBRATION_FLOOR})"


def _bundled() -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    folder = ROOT / "data" / "synthetic"
    truth = pd.read_csv(folder / "truth.csv", dtype=str)
    return (
        rm.read_records(folder / "requests.csv"),
        rm.read_records(folder / "sightings.csv"),
        truth,
    )


def _link(
    config: Any, requests: pd.DataFrame, sightings: pd.DataFrame, truth: pd.DataFrame
) -> dict[str, Any]:
    """Fit and predict at the defaults; precision, recall, F1, pairs completeness, time,
    and the largest calibration gap (:func:`benchmarks.workers.calibration_at_scale`)."""
    true_keys = pair_keys(truth["request_id"], truth["sighting_id"])
    linker = rm.Linker(config)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with timed() as phase:
            linker.fit(requests, sightings)
            found = linker.predict(requests, sightings)
        report = linker.blocking_report(requests, sightings, truth)
        frames = SimpleNamespace(requests=requests, sightings=sightings)
        calibration = calibration_at_scale(linker, frames, true_keys)
    scores = score_pairs(pair_keys(found["request_id"], found["sighting_id"]), true_keys)
    return {
        "precision": scores.precision,
        "recall": scores.recall,
        "F1": scores.f1,
        "pairs completeness": float(report["pairs_completeness"].iloc[-1]),
        "candidate pairs": int(report["cumulative_pairs"].iloc[-1]),
        "fit + predict s": phase.wall,
        GAP: calibration["calibration_gap"],
    }


def _dice_rows(
    requests: pd.DataFrame, sightings: pd.DataFrame, truth: pd.DataFrame, seed: int
) -> list[dict[str, Any]]:
    """Quantiles of the name filters' Dice: true pairs, random pairs."""
    left = requests.set_index("record_id")["name_bloom"]
    right = sightings.set_index("record_id")["name_bloom"]
    true = filter_dice(left[truth["request_id"]], right[truth["sighting_id"]])
    rng = np.random.default_rng(seed)
    random = filter_dice(
        left.iloc[rng.integers(0, len(left), RANDOM_PAIRS)],
        right.iloc[rng.integers(0, len(right), RANDOM_PAIRS)],
    )
    rows = []
    for label, dice in (("true pairs", true), ("random pairs", random)):
        dice = dice[~np.isnan(dice)]
        row: dict[str, Any] = {"pairs": label, "n": len(dice)}
        row |= {f"q{q:g}": float(np.quantile(dice, q)) for q in QUANTILES}
        row["share >= 0.7"] = float(np.mean(dice >= 0.7))
        rows.append(row)
    threshold = float(np.quantile(random[~np.isnan(random)], 0.99))
    rows[0]["above random q0.99"] = float(np.mean(true[~np.isnan(true)] > threshold))
    return rows


# The frequency attack: the linking party holds the encoded file but not the key, and
# knows public name statistics (a census, an earlier list): here the sightings of another
# seed of the generator, of the same culture mix, read by the public name reader.

#: The encoder's digest domains of its blocking keys, and the kind of name feature each
#: holds (a pair domain two of them): the encoded format fixes them.
KEY_DOMAINS = {
    "nk:class": "class",
    "nk:phonetic": "phonetic",
    "nk:class2": "class",
    "nk:phonetic2": "phonetic",
}
#: The blocking keys' forms measured (``encode_records(keys=...)``); the attacker knows
#: which (Kerckhoffs: the scheme is public) and reads his public statistics in the same form.
KEY_FORMS = ("parts", "paired")
NAME_FIELDS = ("full_name", "given_name", "family_name", "alternate_names")
ATTACK_POOLS = (500, 2_000, 10_000)
ATTACK_TOPS = (10, 50, 100)
#: The reference population: sightings of another seed, this many.
REFERENCE_RECORDS = 10_000
#: Each pool size is drawn with this many seeds (from the run's seed up); the table gives
#: their mean and, for the records named, their range.
ATTACK_SEEDS = 3
ATTACK_CULTURES: dict[str, dict[str, float] | None] = {
    "mixed (default mix)": None,
    "one culture (Syrian)": {"syrian": 1.0},
}


def name_parts(records: pd.DataFrame) -> pd.DataFrame:
    """Each record's distinct name parts as the encoder reads them: ``row`` (position in
    ``records``), ``class`` (variant class) and ``phonetic`` (key), over the person's own
    name fields (alternate names split at ``;`` and new lines). Each distinct name text is
    normalised once."""
    pieces = []
    for field in NAME_FIELDS:
        if field not in records.columns:
            continue
        values = records[field].fillna("").astype(str).reset_index(drop=True)
        if field == "alternate_names":
            values = values.str.split(r"[;\n]", regex=True).explode()
        pieces.append(pd.DataFrame({"row": values.index.to_numpy(), "text": values.to_numpy()}))
    texts = pd.concat(pieces, ignore_index=True)
    texts["text"] = texts["text"].astype(str).str.strip()
    texts = texts[texts["text"] != ""]
    codes, uniques = pd.factorize(texts["text"])
    forms = normalize_names(uniques.tolist())
    per_text = pd.DataFrame(
        [
            (code, variant, phonetic)
            for code, form in enumerate(forms)
            for token, variant, phonetic in zip(
                form.tokens, form.variant_ids, form.phonetic_keys, strict=True
            )
            if token
        ],
        columns=["code", "class", "phonetic"],
    )
    parts = pd.DataFrame({"row": texts["row"].to_numpy(), "code": codes}).merge(per_text)
    return parts[["row", "class", "phonetic"]].drop_duplicates(ignore_index=True)


def _components(features: pd.DataFrame) -> pd.DataFrame:
    """Each feature's name features (a pair's two): ``row``, ``domain``, ``text`` as given,
    and ``kind`` (class or phonetic) and ``value`` of each one."""
    out = features.assign(value=features["text"].str.split(" ")).explode("value")
    return out.assign(kind=out["domain"].map(KEY_DOMAINS))


def _meanings(features: pd.DataFrame, parts: pd.DataFrame) -> pd.Series:
    """The name a feature stands for, indexed by (domain, text): a class is its own name,
    a phonetic key the commonest class among the parts that have it (ties by text), a pair
    its two names (in order)."""
    phonetic = (
        parts[parts["phonetic"] != ""]
        .groupby(["phonetic", "class"])
        .size()
        .rename("n")
        .reset_index()
        .sort_values(["phonetic", "n", "class"], ascending=[True, False, True])
        .drop_duplicates("phonetic")
        .set_index("phonetic")["class"]
    )
    distinct = features[["domain", "text"]].drop_duplicates(ignore_index=True)
    each = _components(distinct)
    name = each["value"].where(each["kind"] == "class", each["value"].map(phonetic))
    each = each.assign(name=name.fillna(""))
    joined = each.sort_values("name").groupby(["domain", "text"], sort=False)["name"].agg(" ".join)
    return joined


def _by_frequency(counts: pd.Series) -> pd.Series:
    """Counts from the commonest down, ties in the order of their labels (the attacker
    has no better way to break them)."""
    frame = counts.rename("n").reset_index()
    labels = list(frame.columns[:-1])
    frame = frame.sort_values(["n", *labels], ascending=[False, *[True] * len(labels)])
    return frame.set_index(labels)["n"]


class _Attack(NamedTuple):
    """What the attacker reads, and the truth to score its reading by."""

    #: the encoded list's keys, commonest first (index: key; ties by key): their counts
    key_counts: pd.Series
    #: the records' keys: ``row`` and ``code`` (the key's place in ``key_counts``)
    held: pd.DataFrame
    #: the reference's features, commonest first (index: domain, text): their counts
    ref_counts: pd.Series
    #: the reference records' features: ``row`` and ``code`` (place in ``ref_counts``)
    ref_held: pd.DataFrame
    #: each key's own feature, in the order of ``key_counts``
    truth: pd.MultiIndex
    #: the name each feature stands for (``_meanings`` of both plain sets)
    meanings: pd.Series
    #: the records' name parts each key tells: ``row``, ``code`` (the key's place in
    #: ``key_counts``) and ``class`` (the part's)
    parts: pd.DataFrame
    records: int
    ref_records: int


def _read(
    encoded: pd.DataFrame,
    plain: pd.DataFrame,
    reference: pd.DataFrame,
    key: bytes,
    keys: str = "parts",
) -> _Attack:
    """The encoded list's keys and the reference's features (in the form ``keys``), each
    numbered commonest first; the truth comes from ``plain`` (the records as encoded) and
    ``key``: each feature's keyed digest in the encoder's domain."""
    parts = name_parts(plain)
    features = blocking_features(plain, keys=keys)
    digests = np.zeros(len(features), dtype=np.uint64)
    for domain in KEY_DOMAINS:
        mask = (features["domain"] == domain).to_numpy()
        digests[mask] = keyed_digests(key, domain, features.loc[mask, "text"].tolist())
    features["key"] = [f"{d:016x}" for d in digests.tolist()]
    # the encoded file's keys, one row a record's key; they must be the recomputed ones
    listed = encoded["name_keys"].fillna("").str.split().explode().dropna()
    held = pd.DataFrame({"row": listed.index.to_numpy(), "key": listed.to_numpy()})
    recomputed = features[["row", "key"]].drop_duplicates()
    if len(held.merge(recomputed)) != len(held) or len(held) != len(recomputed):
        raise RuntimeError("the benchmark's reading of name_keys no longer matches the encoder")
    truth = features.drop_duplicates("key").set_index("key")[["domain", "text"]]
    key_counts = _by_frequency(held.groupby("key").size())
    ref_parts = name_parts(reference)
    ref_features = blocking_features(reference, keys=keys)
    ref_counts = _by_frequency(ref_features.groupby(["domain", "text"]).size())
    ref_codes = ref_counts.index.get_indexer(
        pd.MultiIndex.from_frame(ref_features[["domain", "text"]])
    )
    # a key tells the record's parts of its class, or of its phonetic key (a pair: of
    # either of its two)
    each = _components(features)
    told = pd.concat(
        [
            each[each["kind"] == kind].merge(
                parts.rename(columns={kind: "value"})[["row", "value", "class"]]
                if kind == "phonetic"
                else parts.assign(value=parts["class"])[["row", "value", "class"]],
                on=["row", "value"],
            )
            for kind in ("class", "phonetic")
        ],
        ignore_index=True,
    )
    return _Attack(
        key_counts=key_counts,
        held=pd.DataFrame(
            {
                "row": held["row"].to_numpy(),
                "code": key_counts.index.get_indexer(pd.Index(held["key"])),
            }
        ),
        ref_counts=ref_counts,
        ref_held=pd.DataFrame({"row": ref_features["row"].to_numpy(), "code": ref_codes}),
        truth=pd.MultiIndex.from_frame(truth.loc[key_counts.index]),
        meanings=_meanings(
            pd.concat([features, ref_features], ignore_index=True),
            pd.concat([parts, ref_parts], ignore_index=True),
        ),
        parts=pd.DataFrame(
            {
                "row": told["row"].to_numpy(),
                "code": key_counts.index.get_indexer(pd.Index(told["key"])),
                "class": told["class"].to_numpy(),
            }
        ),
        records=len(encoded),
        ref_records=len(reference),
    )


def _score(attack: _Attack, guess: npt.NDArray[np.intp], tops: tuple[int, ...]) -> dict[str, Any]:
    """How many keys a reading (``guess``: each key's feature's place in the reference's
    counts, -1 for none) gets right, and how many records' names it tells."""
    read = guess >= 0
    guessed = attack.ref_counts.index[guess[read]]
    exact = np.zeros(len(guess), dtype=bool)
    exact[read] = np.asarray(guessed == attack.truth[read])
    # one reading of what a feature means, from both plain sets: an exact guess is a
    # right name
    true_name = attack.meanings.reindex(attack.truth).to_numpy()
    named = np.zeros(len(guess), dtype=bool)
    named[read] = attack.meanings.reindex(guessed).to_numpy() == true_name[read]
    held = attack.held
    right = held[named[held["code"].to_numpy()]]
    out: dict[str, Any] = {"keys": len(guess)}
    for k in tops:
        out[f"top {k} exact"] = int(exact[:k].sum())
        out[f"top {k} name"] = int(named[:k].sum())
        out[f"records {k}"] = right[right["code"] < k]["row"].nunique() / attack.records
    out["records all"] = right["row"].nunique() / attack.records
    # a record's name parts read: by a key of their class or phonetic key, alone or in a
    # pair (a part's two keys name one part; parts of one class, one name)
    parts = attack.parts
    read_parts = parts[named[parts["code"].to_numpy()]]
    per_record = read_parts[["row", "class"]].drop_duplicates().groupby("row").size()
    out["records 2+"] = int((per_record >= 2).sum()) / attack.records
    return out


def frequency_attack(
    encoded: pd.DataFrame,
    plain: pd.DataFrame,
    reference: pd.DataFrame,
    key: bytes,
    tops: tuple[int, ...] = ATTACK_TOPS,
    keys: str = "parts",
) -> dict[str, Any]:
    """A frequency alignment of the encoded file's blocking keys to public name statistics.

    The attacker ranks the encoded file's distinct ``name_keys`` by the records that hold
    them, ranks the reference population's variant classes and phonetic keys (both kinds
    in one list: a key does not say its kind) by the same count, and takes the key of
    rank i for the feature of rank i. The truth comes from ``plain`` (the records as
    encoded) and ``key``: each feature's keyed digest in the encoder's domain. ``keys``:
    the form the file was encoded in (``encode_records(keys=...)``), in which the attacker
    reads the reference too (pairs of names where the file holds pairs).

    Returns:
        ``keys`` (distinct keys in the file), per top k ``top k exact`` (keys of the k
        commonest whose guess is their very feature), ``top k name`` (whose guess stands
        for the same name: a class, or a phonetic key read as its commonest class) and
        ``records k`` (share of records with at least one name part named rightly by the
        k commonest keys); ``records all`` (by the whole alignment) and ``records 2+``
        (share of records with two or more name parts named rightly by it).
    """
    attack = _read(encoded, plain, reference, key, keys)
    return _score(attack, _frequency_guess(attack), tops)


def _frequency_guess(attack: _Attack) -> npt.NDArray[np.intp]:
    """The key of rank i read as the feature of rank i."""
    guess = np.arange(len(attack.key_counts))
    guess[guess >= len(attack.ref_counts)] = -1
    return guess


# The co-occurrence attack: the same attacker also sees which keys a record holds
# together, and knows from the reference how often two features share a record.

#: Its anchors: the commonest keys, whose co-occurrence with a key is that key's profile.
COOCCURRENCE_ANCHORS = 100
#: Its rounds at most: each re-reads every key, the anchors too, with the last round's
#: reading, until the anchors are read as in an earlier round.
COOCCURRENCE_ROUNDS = 30
#: The weight of a key's own frequency (the log of its share of the records) in its cost.
FREQUENCY_WEIGHT = 1.0
#: The commonest keys it re-reads, among as many of the reference's commonest features;
#: the rarer keep their frequency reading. More than any list here holds with a key a
#: part (4,500 at most), so that form is read whole; paired keys run to 30,000, most held
#: by a record or two, where a key-by-feature cost matrix would take gigabytes a round.
COOCCURRENCE_KEYS = 6_000


def _cooccurrence(
    held: pd.DataFrame, n: int, anchors: npt.NDArray[np.intp]
) -> npt.NDArray[np.int64]:
    """How many records hold each of ``n`` codes (rows) with each anchor (columns)."""
    column = np.full(n, -1)
    column[anchors] = np.arange(len(anchors))
    codes = held["code"].to_numpy()
    with_anchor = held[column[codes] >= 0]
    anchor = pd.DataFrame(
        {"row": with_anchor["row"].to_numpy(), "anchor": column[with_anchor["code"].to_numpy()]}
    )
    pairs = held.merge(anchor, on="row")
    flat = pairs["code"].to_numpy() * len(anchors) + pairs["anchor"].to_numpy()
    return np.bincount(flat, minlength=n * len(anchors)).reshape(n, len(anchors))


def _profiles(
    held: pd.DataFrame, counts: pd.Series, anchors: npt.NDArray[np.intp], records: int
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each code's profile: the root of the share of its records that hold each anchor,
    and the log of the share of all records that hold it."""
    n = counts.to_numpy().astype(float)
    shares = _cooccurrence(held, len(n), anchors) / n[:, None]
    return np.sqrt(shares), np.log(n / records)


def _nearest_free(cost: npt.NDArray[np.float64]) -> npt.NDArray[np.intp]:
    """Each key in turn, the commonest first, reads as the feature it costs least to
    among those no commoner key took (-1 once none is left)."""
    taken = np.zeros(cost.shape[1], dtype=bool)
    guess = np.full(cost.shape[0], -1)
    for k in range(min(cost.shape)):
        guess[k] = int(np.where(taken, np.inf, cost[k]).argmin())
        taken[guess[k]] = True
    return guess


def _cooccurrence_guess(
    attack: _Attack,
    anchors: int = COOCCURRENCE_ANCHORS,
    rounds: int = COOCCURRENCE_ROUNDS,
    weight: float = FREQUENCY_WEIGHT,
) -> npt.NDArray[np.intp]:
    """From the frequency alignment, each round compares every key's profile against the
    commonest keys (read as the last round read them) with every reference feature's
    against the features they were read as, and reads each key anew; until the commonest
    keys are read as in an earlier round (a round's reading depends on theirs alone: the
    next would repeat one), ``rounds`` at most. Only the ``COOCCURRENCE_KEYS`` commonest
    keys are re-read, as the commonest features (rarer keys keep the frequency reading,
    of rarer features)."""
    guess = _frequency_guess(attack)
    reread = min(COOCCURRENCE_KEYS, len(attack.key_counts))
    top = np.arange(min(anchors, len(attack.key_counts), len(attack.ref_counts)))
    seen: set[bytes] = set()
    for _ in range(rounds):
        if guess[top].tobytes() in seen:
            break
        seen.add(guess[top].tobytes())
        mine, my_share = _profiles(attack.held, attack.key_counts, top, attack.records)
        theirs, their_share = _profiles(
            attack.ref_held, attack.ref_counts, guess[top], attack.ref_records
        )
        # the squared distance of the profiles, the frequency one more coordinate, less
        # each key's own square (the same for every feature it may be read as)
        x = np.hstack([mine, np.sqrt(weight) * my_share[:, None]])[:reread].astype(np.float32)
        y = np.hstack([theirs, np.sqrt(weight) * their_share[:, None]])[:COOCCURRENCE_KEYS]
        y = y.astype(np.float32)
        cost = x @ y.T
        cost *= -2
        cost += (y**2).sum(axis=1)[None, :]
        # an anchor's share of itself (all its records) says nothing: left out
        cost[top] -= (mine[top, top][:, None] - theirs[:COOCCURRENCE_KEYS].T) ** 2
        guess[:reread] = _nearest_free(cost)
    return guess


def cooccurrence_attack(
    encoded: pd.DataFrame,
    plain: pd.DataFrame,
    reference: pd.DataFrame,
    key: bytes,
    tops: tuple[int, ...] = ATTACK_TOPS,
    keys: str = "parts",
) -> dict[str, Any]:
    """The frequency alignment refined by which keys records hold together.

    The attacker also sees each record's set of keys, and knows from the reference how
    often two features share a record. From the frequency reading, each round reads every
    key as the reference feature nearest to it in the share of the records that hold it
    and in the shares of its records that hold each of the ``COOCCURRENCE_ANCHORS``
    commonest keys (read as the round before read them), the commonest keys first, each
    feature once; until those keys are read as in an earlier round
    (``COOCCURRENCE_ROUNDS`` at most). Scored as :func:`frequency_attack`, with the same
    arguments and returns."""
    attack = _read(encoded, plain, reference, key, keys)
    return _score(attack, _cooccurrence_guess(attack), tops)


def _sightings(n: int, seed: int, cultures: dict[str, float] | None) -> pd.DataFrame:
    config = SynthConfig(n_requests=0, n_sightings=n, seed=seed, culture_weights=cultures)
    return generate(config).sightings


#: The attacks, each a reading of the keys from what the attacker reads.
ATTACKS = {"frequency": _frequency_guess, "co-occurrence": _cooccurrence_guess}


def _attack_rows(seed: int) -> list[dict[str, Any]]:
    """Both attacks at each pool size, for the default culture mix and for one culture
    alone (one camp): means over ``ATTACK_SEEDS`` pools, each against a reference of
    ``REFERENCE_RECORDS`` sightings of another seed and the same mix."""
    rows = []
    for label, cultures in ATTACK_CULTURES.items():
        reference = _sightings(REFERENCE_RECORDS, seed + 1000, cultures)
        for n in ATTACK_POOLS:
            log(f"privacy: attacks, {label}, {n:,} records")
            runs: dict[tuple[str, str], list[dict[str, Any]]] = {
                (keys, name): [] for keys in KEY_FORMS for name in ATTACKS
            }
            for pool_seed in range(seed, seed + ATTACK_SEEDS):
                pool = _sightings(n, pool_seed, cultures)
                for keys in KEY_FORMS:
                    encoded = encode_records(pool, KEY, keys=keys)
                    attack = _read(encoded, pool, reference, KEY, keys)
                    for name, guess in ATTACKS.items():
                        runs[keys, name].append(_score(attack, guess(attack), ATTACK_TOPS))
            for (keys, name), found in runs.items():
                mean = pd.DataFrame(found).mean()
                row: dict[str, Any] = {"names": label, "records": n, "keys": keys, "attack": name}
                row["distinct keys"] = mean["keys"]
                row |= {f"top {k} right": mean[f"top {k} name"] for k in ATTACK_TOPS}
                row["top 100 exact"] = mean["top 100 exact"]
                row |= {f"records named by top {k}": mean[f"records {k}"] for k in (10, 100)}
                for column, share in (("by all keys", "records all"), ("2+ parts", "records 2+")):
                    shares = [r[share] for r in found]
                    row[column] = mean[share]
                    row[f"{column}, range"] = f"{min(shares):.3f}-{max(shares):.3f}"
                rows.append(row)
    return rows


def _makeup_rows(big: Any, seed: int) -> list[dict[str, Any]]:
    """Lists of different make-up (one culture's requests, as from one camp, against all
    the sightings): paired keys depend on each list's own shares of a name, so a name
    common in one list and not in the other is keyed alone in one and only in pairs in
    the other."""
    cultures = big.corruptions.set_index("record_id")["culture"]
    requests = big.requests[big.requests["record_id"].map(cultures) == "syrian"]
    requests = requests.reset_index(drop=True)
    truth = big.truth[["request_id", "sighting_id"]].astype(str)
    truth = truth[truth["request_id"].isin(requests["record_id"])]
    name = f"synthetic seed {seed}: Syrian requests ({len(requests):,}) x all sightings"
    rows = []
    for label, keys in (("encoded", "parts"), ("encoded, keys='paired'", "paired")):
        log(f"privacy: {name}, {label}")
        with timed() as encoding:
            left = encode_records(requests, KEY, keys=keys)
            right = encode_records(big.sightings, KEY, keys=keys)
        result = _link(encoded_config(), left, right, truth)
        rows.append({"data": name, "records": label, **result, "encode s": encoding.wall})
    return rows


def run(sizes: tuple[int, int], seed: int, command: str) -> list[str]:
    big = synthetic(*sizes, seed)
    sets = {
        "bundled 500 x 1,000": _bundled(),
        f"synthetic {sizes[0]:,} x {sizes[1]:,} seed {seed}": (
            big.requests,
            big.sightings,
            big.truth,
        ),
    }
    rows: list[dict[str, Any]] = []
    dice: list[dict[str, Any]] = []
    for name, (requests, sightings, truth) in sets.items():
        truth = truth[["request_id", "sighting_id"]].astype(str)
        log(f"privacy: {name}, plain")
        rows.append({"data": name, "records": "plain", **_link(None, requests, sightings, truth)})
        log(f"privacy: {name}, encoded")
        with timed() as encoding:
            left = encode_records(requests, KEY)
            right = encode_records(sightings, KEY)
        result = _link(encoded_config(), left, right, truth)
        rows.append({"data": name, "records": "encoded", **result, "encode s": encoding.wall})
        # what cutting the birth to its year costs (full dates kept), and how much the
        # figures move with the key (each key hashes the features to other bits)
        # and what blocking keys with the common names only in pairs cost
        for label, key, birth, keys in (
            ("encoded, birth='day'", KEY, "day", "parts"),
            ("encoded, another key", OTHER_KEY, "year", "parts"),
            ("encoded, keys='paired'", KEY, "year", "paired"),
        ):
            log(f"privacy: {name}, {label}")
            with timed() as again:
                left_again = encode_records(requests, key, birth=birth, keys=keys)
                right_again = encode_records(sightings, key, birth=birth, keys=keys)
            result = _link(encoded_config(), left_again, right_again, truth)
            rows.append({"data": name, "records": label, **result, "encode s": again.wall})
        dice += [{"data": name, **row} for row in _dice_rows(left, right, truth, seed)]
    rows += _makeup_rows(big, seed)
    lines = header("Privacy: matching on Bloom-filter encodings", command)
    lines += [
        "Plain: `rm.Linker().fit(requests, sightings).predict(requests, sightings)`. Encoded: "
        "both sides `rfl_match.privacy.encode_records(records, key)` (1,024 bits, 10 hashes, "
        "birth cut to the year), linked with `rm.Linker(rfl_match.privacy.encoded_config())`. "
        "Threshold 0.5 and top_k 5 (the defaults); pairwise scores against the truth; "
        "'pairs completeness' is the share of true pairs among the candidates "
        "(`blocking_report`). Seconds are wall time of fit + predict (encoding apart). "
        "The largest calibration gap is the largest |mean predicted probability - observed "
        "share of true matches| over bins of 0.1 of the candidates scoring at least "
        f"{CALIBRATION_FLOOR} (`benchmarks.workers.calibration_at_scale`, as in the speed "
        "section; the bundled set's bins hold few pairs). "
        "\"birth='day'\" keeps full dates of birth and source dates: what the default cut "
        "to the year costs; 'another key' shows how much the figures move with the key; "
        "\"keys='paired'\" encodes both sides with the blocking keys' hardened form "
        "(a list's common name classes and sounds keyed only in pairs); 'Syrian "
        "requests x all sightings': lists of different make-up (one culture's requests, "
        "as from one camp, against the mixed sightings), where a name's share differs "
        "between the lists.",
        "",
        *table(
            rows,
            [
                "data",
                "records",
                "precision",
                "recall",
                "F1",
                "pairs completeness",
                "candidate pairs",
                "fit + predict s",
                "encode s",
                GAP,
            ],
        ),
        "",
        "Dice coefficient of the person's name filters (`name_bloom`, `filter_dice`): "
        f"quantiles over the true pairs and over {RANDOM_PAIRS:,} random request x sighting "
        "pairs (blank filters left out); 'above random q0.99' is the share of true pairs "
        "above the random pairs' 99th percentile. Random pairs of synthetic data share "
        "common names (Mohammed, Ahmed) far more often than pairs of unrelated lists would.",
        "",
        *table(dice),
        "",
        "Attacks on the blocking keys (`name_keys`) by the linking party, who holds "
        "an encoded list but not the key, and knows public name statistics: here the "
        f"{REFERENCE_RECORDS:,} sightings of another seed (`rfl_match.synth`, the same "
        "culture mix) read by `rfl_match.names.normalize_names`. The attacker ranks the "
        "encoded list's distinct keys by how many records hold them, ranks the reference's "
        "variant classes and phonetic keys (one list: a key does not say its kind) the "
        "same way, and reads the key of rank i as the name of rank i ('frequency'). "
        "'top k right': of the k commonest keys, how many were read as the right name "
        "(a phonetic key stands for "
        "its commonest class); 'top 100 exact': as the very class or phonetic key. "
        "'records named by top k': the share of records with at least one name part read "
        "rightly from the k commonest keys; 'by all keys': from the whole alignment. The "
        f"encoded list is the sightings of a pool, means over {ATTACK_SEEDS} seeds "
        f"({seed} up; the ranges across them). 'One culture': "
        "`SynthConfig(culture_weights={'syrian': 1.0})`, as in one camp. "
        "'co-occurrence': the attacker also sees which keys each record holds together, and "
        "knows from the reference how often two names share a record. From the frequency "
        "reading, rounds each read every key anew as the reference feature closest to it "
        "in its share of the records and its co-occurrence with the "
        f"{COOCCURRENCE_ANCHORS} commonest keys (as read the round before), the commonest "
        "keys first, each feature once, until those keys are read as in an earlier round "
        f"(at most {COOCCURRENCE_ROUNDS} rounds; a propagation attack, after Vidanage et al. "
        "2019). "
        "'2+ parts': the share of records with two or more of their name parts read rightly "
        "(a class and its phonetic key are one part). 'keys': the form of the list's "
        "blocking keys (`encode_records(keys=...)`): 'parts', a key per name part's class "
        "and sound (the default); 'paired', a class or sound held by 4% of the list's "
        "records or more (20 at least) keyed only in pairs with another of the record's, "
        "every pair of a record's classes and of its sounds keyed too. The attacker knows "
        "the form and reads the reference in it (pairs of names where the list holds "
        "pairs); a pair key read rightly reads both its parts.",
        "",
        *table(_attack_rows(seed)),
        "",
    ]
    return lines
