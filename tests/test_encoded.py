"""Linking records encoded as keyed Bloom filters (the encoded record format of
rfl_match.privacy), end to end through the Linker, with a small reference encoder of the
tests' own: bigrams of the normalised name tokens, keyed, in a 1,024-bit filter."""

from __future__ import annotations

import base64
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import rfl_match as rm
from rfl_match.compare import BLOOM_THRESHOLDS, build_comparison
from rfl_match.evaluate import evaluate_matches, pairs_completeness
from rfl_match.names import normalize_names
from rfl_match.privacy import filter_dice, key_check, keyed_digests

KEY = b"0123456789abcdef0123456789abcdef"
BITS, HASHES = 1024, 20
OWN_NAMES = ("full_name", "given_name", "family_name", "alternate_names")


def _names(frame: pd.DataFrame, columns: tuple[str, ...]) -> list[list[str]]:
    """Each record's names in these columns (alternate names split at ``;``)."""
    out: list[list[str]] = [[] for _ in range(len(frame))]
    for column in columns:
        if column not in frame.columns:
            continue
        for names, value in zip(out, frame[column].fillna("").astype(str), strict=True):
            parts = value.split(";") if column == "alternate_names" else [value]
            names.extend(part.strip() for part in parts if part.strip())
    return out


def _filters(frame: pd.DataFrame, columns: tuple[str, ...], domain: str) -> list[str]:
    """Each record's filter of its names' padded bigrams, each set at HASHES positions by
    double hashing of two keyed digests; "" for a record without a name."""
    names = _names(frame, columns)
    distinct = sorted({name for row in names for name in row})
    forms = dict(zip(distinct, normalize_names(distinct), strict=True))
    grams = []
    for row in names:
        tokens = {f"_{token}_" for name in row for token in forms[name].tokens}
        grams.append(sorted({t[i : i + 2] for t in tokens for i in range(len(t) - 1)}))
    features = sorted({gram for row in grams for gram in row})
    first = keyed_digests(KEY, domain + "1", features) if features else []
    step = keyed_digests(KEY, domain + "2", features) if features else []
    k = np.arange(HASHES, dtype=np.uint64)
    spots = {
        feature: ((a + k * (b | np.uint64(1))) % np.uint64(BITS)).astype(np.intp)
        for feature, a, b in zip(features, first, step, strict=True)
    }
    out = []
    for row in grams:
        bits = np.zeros(BITS, dtype=np.uint8)
        if row:
            bits[np.concatenate([spots[gram] for gram in row])] = 1
        packed = np.packbits(bits, bitorder="little").tobytes()
        out.append("b64:" + base64.b64encode(packed).decode() if row else "")
    return out


def _keys(frame: pd.DataFrame) -> list[str]:
    """Each record's blocking keys: keyed digests of its name tokens' variant classes and
    phonetic keys, as 16 hexadecimal digits."""
    names = _names(frame, OWN_NAMES)
    distinct = sorted({name for row in names for name in row})
    forms = dict(zip(distinct, normalize_names(distinct), strict=True))
    keys = []
    for row in names:
        held: dict[str, None] = {}
        for name in row:
            form = forms[name]
            held.update(dict.fromkeys(f"c:{v}" for v in form.variant_ids))
            held.update(dict.fromkeys(f"p:{p}" for p in form.phonetic_keys if p))
        keys.append(list(held))
    texts = sorted({key for row in keys for key in row})
    digest = dict(zip(texts, keyed_digests(KEY, "ref-keys", texts).tolist(), strict=True))
    return [" ".join(f"{digest[key]:016x}" for key in row) for row in keys]


def encode(frame: pd.DataFrame) -> pd.DataFrame:
    """The encoded record format: filters of the own, father's and mother's names, the
    name keys, the birth year, age and dates, sex, and the encoding."""
    out = pd.DataFrame({"record_id": frame["record_id"].astype(str)})
    out["name_bloom"] = _filters(frame, OWN_NAMES, "ref-own")
    out["father_name_bloom"] = _filters(frame, ("father_name",), "ref-father")
    out["mother_name_bloom"] = _filters(frame, ("mother_name",), "ref-mother")
    out["name_keys"] = _keys(frame)
    out["date_of_birth"] = frame["date_of_birth"].fillna("").astype(str).str[:4]
    for column in ("age", "source_date", "sex"):
        out[column] = frame[column].fillna("").astype(str)
    out["encoding"] = f"reference-bloom bits={BITS} hashes={HASHES} key={key_check(KEY)}"
    return out


ENCODED = {
    "compare": [
        {"field": "name_bloom", "kind": "bloom", "name": "name"},
        {"field": "father_name_bloom", "kind": "bloom"},
        {"field": "mother_name_bloom", "kind": "bloom"},
        {"field": "birth", "kind": "birth", "name": "birth"},
        {"field": "sex", "kind": "sex"},
    ],
    "blocking": [["tokens:name_keys"], ["tokens:name_keys", "birth_band"]],
}


@pytest.fixture(scope="module")
def encoded(synthetic: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    return {
        "requests": encode(synthetic["requests"]),
        "sightings": encode(synthetic["sightings"]),
        "truth": synthetic["truth"],
    }


@pytest.fixture(scope="module")
def linked(encoded: dict[str, pd.DataFrame]) -> rm.Linker:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the common tokens' oversized blocks
        return rm.Linker(ENCODED).fit(encoded["requests"], encoded["sightings"])


def test_reference_encoding_holds_no_name(
    synthetic: dict[str, pd.DataFrame], encoded: dict[str, pd.DataFrame]
) -> None:
    cells = " ".join(encoded["requests"].astype(str).to_numpy().ravel()).casefold()
    for name in ("mahmoud", "ahmedzai", "farzane"):
        assert name in " ".join(synthetic["requests"]["full_name"]).casefold()
        assert name not in cells


def test_encoded_link_finds_the_true_pairs(
    linked: rm.Linker, encoded: dict[str, pd.DataFrame]
) -> None:
    """No name in clear, yet most true pairs are found (F1 0.844 at 0.5 when written,
    against the plain default's 0.948; pairs completeness 0.989, as the plain default's),
    and each explanation reads."""
    requests, sightings, truth = encoded["requests"], encoded["sightings"], encoded["truth"]
    matches = linked.predict(requests, sightings)
    assert evaluate_matches(matches, truth).f1 > 0.8
    every = linked.predict(requests, sightings, threshold=0.0, top_k=0)
    assert pairs_completeness(every["request_id"], every["sighting_id"], truth) > 0.97
    assert len(every) == linked.training_["candidate_pairs"]
    sentence = matches["explanation"].iat[0]
    assert sentence.startswith("name: ") and "; father's name (encoded): " in sentence
    assert any("encodings alike (Dice ≥ 0.8)" in s for s in matches["explanation"])
    assert set(matches.columns) >= {"name_level", "father_name_bloom_weight", "sex_level"}


@pytest.mark.filterwarnings("ignore:blocking rule tokens")  # predicted on new frames
def test_encoded_model_explains_saves_and_loads(
    linked: rm.Linker, encoded: dict[str, pd.DataFrame], tmp_path: Path
) -> None:
    requests, sightings = encoded["requests"], encoded["sightings"]
    matches = linked.predict(requests, sightings)
    first = matches.iloc[0]
    table = linked.explain(first["request_id"], first["sighting_id"], show=False)
    assert table["weight"].iat[-1] == pytest.approx(first["match_weight"])
    assert table["comparison"].tolist()[1:4] == ["name", "father_name_bloom", "mother_name_bloom"]
    linked.save(tmp_path / "model.json")
    loaded = rm.Linker.load(tmp_path / "model.json")
    again = loaded.predict(requests.copy(), sightings.copy())
    pd.testing.assert_frame_equal(again, matches)
    # The model remembers its encoding: frames encoded otherwise (another key) are refused,
    # where they would have linked nothing, unsaid.
    assert loaded.training_["encoding"] == requests["encoding"].iat[0]
    other = requests["encoding"].iat[0].replace(key_check(KEY), "0badc0de")
    with pytest.raises(rm.RecordError, match="the model was fitted on records encoded as"):
        loaded.predict(requests.assign(encoding=other), sightings.assign(encoding=other))


@pytest.mark.filterwarnings("ignore:blocking rule tokens")
def test_encoded_blocking_report_follows_the_fit(
    linked: rm.Linker, encoded: dict[str, pd.DataFrame]
) -> None:
    """The report's rules, budget (scoring the rules' tokens, as fit does) and pairs
    completeness; a block's key reads as its token."""
    report = linked.blocking_report(encoded["requests"], encoded["sightings"], encoded["truth"])
    assert report["rule"].tolist()[:3] == [
        "tokens:name_keys", "tokens:name_keys+birth_band", "best 30 per record",
    ]  # fmt: skip
    assert report["cumulative_pairs"].iat[-1] == linked.training_["candidate_pairs"]
    assert report["pairs_completeness"].iat[2] > 0.97
    assert report["largest_blocks"].iat[1].split(" + born ")[0].isalnum()


def test_encoded_records_of_one_list_are_deduplicated(
    encoded: dict[str, pd.DataFrame],
) -> None:
    """Sightings of one person (the truth's requests matched twice) fall in one cluster
    more often than not."""
    sightings, truth = encoded["sightings"], encoded["truth"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        clusters = rm.Linker(ENCODED).fit(sightings).dedupe(sightings, threshold=0.5)
    cluster = dict(zip(clusters["record_id"], clusters["cluster_id"], strict=True))
    twice = truth[truth["request_id"].duplicated(keep=False)].groupby("request_id")["sighting_id"]
    together = [cluster[a] == cluster[b] for a, b in (list(ids)[:2] for _, ids in twice)]
    assert len(together) >= 10 and np.mean(together) > 0.5


def test_encodings_that_differ_do_not_link(encoded: dict[str, pd.DataFrame]) -> None:
    other = encoded["sightings"].assign(encoding="reference-bloom bits=1024 key=00000000")
    with pytest.raises(rm.RecordError, match="link only with records encoded with the same key"):
        rm.Linker(ENCODED).fit(encoded["requests"], other)


def test_encoded_records_with_rules_that_read_names_in_clear_are_told_what_to_block_on(
    encoded: dict[str, pd.DataFrame],
) -> None:
    """The default rules read names in clear: they would find no pair."""
    with pytest.raises(rm.ConfigError, match="block on 'tokens:name_keys'"):
        rm.Linker().fit(encoded["requests"], encoded["sightings"])


def test_a_filter_anchors_a_split_at_its_own_agreeing_level(
    encoded: dict[str, pd.DataFrame],
) -> None:
    """condition_on a father's filter: the mother's filter is weighed given whether the
    fathers' agree, from a Dice coefficient of 0.7 (not the name chains' level 4)."""
    compare = [dict(spec) for spec in ENCODED["compare"]]
    compare[1]["name"], compare[2]["name"] = "father_name", "mother_name"
    config = ENCODED | {"compare": compare, "condition_on": "father_name"}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        linker = rm.Linker(config).fit(encoded["requests"], encoded["sightings"])
    father = build_comparison(rm.ComparisonSpec("father_name_bloom", "bloom"))
    assert father.describe(father.agreeing_level) == "encodings alike (Dice ≥ 0.7)"
    assert father.agreeing_level == 2 + BLOOM_THRESHOLDS.index(0.7)
    mother = linker.model_.labels[linker.model_.names.index("mother_name")]
    assert "same encoding, father's names alike" in mother
    matches = linker.predict(encoded["requests"], encoded["sightings"])
    assert evaluate_matches(matches, encoded["truth"]).f1 > 0.8
    # Each pair's mother level lies in the half its fathers' Dice gives (both fathers' and
    # mothers' filters present): the split reads the anchor's own level, not level 4.
    every = linker.predict(encoded["requests"], encoded["sightings"], threshold=0, top_k=0)
    left = encoded["requests"].set_index("record_id").loc[every["request_id"]]
    right = encoded["sightings"].set_index("record_id").loc[every["sighting_id"]]
    fathers = filter_dice(left["father_name_bloom"], right["father_name_bloom"])
    mothers = filter_dice(left["mother_name_bloom"], right["mother_name_bloom"])
    both = ~np.isnan(fathers) & ~np.isnan(mothers)
    labels = np.array(mother)[every["mother_name_level"].to_numpy()]
    in_agreeing_half = np.char.find(labels.astype(str), "father's names alike") >= 0
    assert both.sum() > 100
    assert np.array_equal(in_agreeing_half[both], fathers[both] >= 0.7)
    assert (fathers[both] >= 0.7).any() and (fathers[both] < 0.7).any()


def test_plain_records_with_a_column_called_encoding_link_as_before(
    synthetic: dict[str, pd.DataFrame],
) -> None:
    requests = synthetic["requests"].head(60).assign(encoding="utf-8")
    sightings = synthetic["sightings"].head(60).assign(encoding="cp1252")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        rm.Linker().fit(requests, sightings).predict(requests, sightings)
