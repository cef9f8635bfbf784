"""The benchmarks' own measurements: the peers' blocking rules, the rules' reach, peak
memory with a forked child, and the frequency and co-occurrence attacks on encoded
blocking keys."""

from __future__ import annotations

import json
import os
import sys
import time
import warnings
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import SYNTHETIC
from hypothesis import given, settings
from hypothesis import strategies as st

import rfl_match as rm
from benchmarks import workers
from benchmarks.common import (
    ROUGH_AGE_YEARS,
    birthless_pairs,
    gives_birth,
    rough_age_reading,
    timed,
    with_rough_ages,
)
from benchmarks.privacy import (
    ATTACK_CULTURES,
    KEY,
    OTHER_KEY,
    _sightings,
    cooccurrence_attack,
    frequency_attack,
    name_parts,
)
from benchmarks.speed import _splink_row, _warning_summary
from benchmarks.workers import _blocked_pairs, _rules_completeness, rules_reach
from rfl_match.privacy import encode_records

RULES: list[tuple[str | tuple[str, int], ...]] = [
    ("given_name", "birth_year"),
    (("given_name", 2), ("family_name", 2)),
]
_VALUE = st.sampled_from([None, "ab", "abc", "ax", "b"])


def _frame(rows: list[tuple[str | None, str | None, str | None]], side: str) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["given_name", "family_name", "birth_year"], dtype=object)
    return frame.assign(unique_id=[f"{side}{i}" for i in range(len(rows))])


def _shares(a: pd.Series, b: pd.Series, rule: tuple[str | tuple[str, int], ...]) -> bool:
    """A pair as SQL's equality reads a rule: every key equal, none null."""
    for key in rule:
        column, n = (key, None) if isinstance(key, str) else key
        x, y = a[column], b[column]
        if x is None or y is None or x[:n] != y[:n]:
            return False
    return True


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_VALUE, _VALUE, _VALUE), max_size=8),
    st.lists(st.tuples(_VALUE, _VALUE, _VALUE), max_size=8),
)
def test_blocked_pairs_equal_every_pair_filtered_by_the_rules(
    left_rows: list[tuple[str | None, str | None, str | None]],
    right_rows: list[tuple[str | None, str | None, str | None]],
) -> None:
    left, right = _frame(left_rows, "l"), _frame(right_rows, "r")
    expected = [
        i * len(right) + j
        for i in range(len(left))
        for j in range(len(right))
        if any(_shares(left.iloc[i], right.iloc[j], rule) for rule in RULES)
    ]
    assert _blocked_pairs(left, right, RULES).tolist() == expected


def test_completeness_is_the_share_of_true_pairs_blocked() -> None:
    left = _frame([("ab", "x", "1990"), ("b", "y", None), ("ax", "z", "1990")], "l")
    right = _frame([("ab", "q", "1990"), ("b", "y", "1991")], "r")
    blocked = _blocked_pairs(left, right, RULES)
    # l0 r0: same given name and year; l1 r1: same first letters of both names (the year
    # is null on one side); l2 r0: "ax" and "ab" share neither
    assert blocked.tolist() == [0, 3]
    truth = pd.DataFrame({"request_id": ["l0", "l1", "l2"], "sighting_id": ["r0", "r1", "r0"]})
    assert np.isclose(_rules_completeness(left, right, truth, RULES), 2 / 3)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.tuples(_VALUE, _VALUE, _VALUE), min_size=1, max_size=8),
    st.lists(st.tuples(_VALUE, _VALUE, _VALUE), min_size=1, max_size=8),
    st.data(),
)
def test_rules_completeness_is_the_share_of_true_pairs_the_join_blocks(
    left_rows: list[tuple[str | None, str | None, str | None]],
    right_rows: list[tuple[str | None, str | None, str | None]],
    data: st.DataObject,
) -> None:
    """Read off each true pair's keys, without a join, it is the share of them among the
    pairs the rules' join makes."""
    left, right = _frame(left_rows, "l"), _frame(right_rows, "r")
    pairs = data.draw(
        st.lists(
            st.tuples(st.integers(0, len(left) - 1), st.integers(0, len(right) - 1)),
            min_size=1,
            max_size=10,
        )
    )
    truth = pd.DataFrame(
        {"request_id": [f"l{i}" for i, _ in pairs], "sighting_id": [f"r{j}" for _, j in pairs]}
    )
    blocked = _blocked_pairs(left, right, RULES)
    expected = np.mean([i * len(right) + j in set(blocked.tolist()) for i, j in pairs])
    assert np.isclose(_rules_completeness(left, right, truth, RULES), expected)


def test_rules_reach_in_chunks_equals_the_uncapped_rules_over_all_records(
    synthetic: dict[str, pd.DataFrame], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reach measured a few true pairs at a time, each chunk's records alone, is the
    pairs completeness of the same rules over all the records at once with no cap and no
    budget; and the default candidates' completeness is at most it (on this small list, all
    of it: nothing is capped or cut that a rule reaches)."""
    config = rm.LinkConfig()
    rules = (*config.blocking, *config.context_blocking)
    uncapped = rm.LinkConfig(blocking=rules, max_block_size=10**12, candidates_per_record=0)
    requests, sightings = synthetic["requests"], synthetic["sightings"]
    truth = synthetic["truth"]
    whole = rm.Linker(uncapped).blocking_report(requests, sightings, truth)
    expected = float(whole["pairs_completeness"].iloc[-1])
    monkeypatch.setattr(workers, "REACH_CHUNK", 60)  # many chunks, the last one short
    data = SimpleNamespace(requests=requests, sightings=sightings, truth=truth)
    reach = rules_reach(config, data, seed=3)
    assert len(truth) > 5 * 60 and len(truth) < workers.REACH_SAMPLE  # every pair, in chunks
    assert reach == pytest.approx(expected, abs=0.5 / len(truth))
    default = rm.Linker(config).blocking_report(requests, sightings, truth)
    assert reach >= float(default["pairs_completeness"].iloc[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_timed_counts_a_forked_childs_own_pages() -> None:
    """A child that writes 300 MiB of its own while its parent holds little: the phase's
    peak is the two together, above the parent's own high-water mark."""
    with timed() as alone:
        time.sleep(0.2)
    assert alone.tree_peak_mib == 0.0
    with timed() as phase:
        pid = os.fork()
        if pid == 0:  # the child: pages of its own, held long enough to be sampled
            block = bytearray(300 * 2**20)
            block[::4096] = b"x" * len(block[::4096])
            time.sleep(0.5)
            os._exit(0)
        os.waitpid(pid, 0)
    assert phase.tree_peak_mib > 300
    assert phase.peak_mib == phase.tree_peak_mib


def test_speed_notes_name_each_oversized_rule_whole() -> None:
    # Rule names hold colons (class:father_name, field:place_of_birth): the note names
    # each rule whole, the main rules' blocks as split and the context rules' apart.
    said = _warning_summary(
        [
            "blocking rule name_pair_any: 3 block(s) over max_block_size 5,000, e.g. 'a'",
            "blocking rule field:place+birth_year: 2 block(s) over max_block_size 5,000",
            "context rule class:father_name+given_phonetic: 1,848 block(s) over "
            "max_block_size 5,000, e.g. 'muhammad + p:ftm' (55,839,080 pairs); each record "
            "meets its 1 nearest per side in them",
            "fewer than 10 matches found",
        ]
    )
    assert said == (
        "fewer than 10 matches found; oversized blocks (split by birth band unless the rule "
        "has a birth key; nearest neighbours) in rule(s) field:place+birth_year, "
        "name_pair_any; oversized blocks of context rules (nearest neighbours): "
        "class:father_name+given_phonetic (1,848)"
    )


def _names(counts: dict[str, int]) -> pd.DataFrame:
    names = [name for name, n in counts.items() for _ in range(n)]
    return pd.DataFrame({"record_id": [f"R{i}" for i in range(len(names))], "full_name": names})


def test_frequency_attack_reads_every_name_where_the_statistics_are_the_lists_own() -> None:
    # names of distinct frequencies, the attacker's statistics those of the list itself:
    # a class and its phonetic key tie, and either reading names the same person's name
    pool = _names({"Mohammed": 5, "Olena": 3, "Fatima": 2, "Tesfaye": 1})
    found = frequency_attack(encode_records(pool, KEY), pool, pool, KEY, tops=(2, 8))
    assert found["keys"] == 8
    assert found["top 8 name"] == 8
    assert found["top 2 name"] == 2 and found["records 2"] == 5 / 11
    assert found["records all"] == 1.0


def test_frequency_attack_reads_no_name_from_statistics_of_other_names() -> None:
    pool = _names({"Mohammed": 5, "Fatima": 2, "Ahmed": 1})
    reference = _names({"Olena": 5, "Andriy": 2, "Tesfaye": 1})
    found = frequency_attack(encode_records(pool, KEY), pool, reference, KEY, tops=(2,))
    assert found["top 2 name"] == 0 and found["records all"] == 0.0


def test_frequency_attack_refuses_a_file_encoded_under_another_key() -> None:
    # its truth would be read wrong: every key would look unknown
    pool = _names({"Mohammed": 2, "Fatima": 1})
    with pytest.raises(RuntimeError, match="name_keys"):
        frequency_attack(encode_records(pool, OTHER_KEY), pool, pool, KEY)


def _full_names(rows: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"record_id": [f"R{i}" for i in range(len(rows))], "full_name": rows})


def test_cooccurrence_attack_tells_apart_names_of_one_frequency_by_their_company() -> None:
    # Hassan and Omar both in two records: the frequency reading takes one for the other
    # (their keys tie), the company they keep (Mohammed twice, or Mohammed and Tesfaye)
    # tells them apart; every record holds two parts, both read
    pool = _full_names(["Mohammed Hassan", "Mohammed Hassan", "Mohammed Omar", "Tesfaye Omar"])
    encoded = encode_records(pool, KEY)
    by_frequency = frequency_attack(encoded, pool, pool, KEY, tops=(8,))
    found = cooccurrence_attack(encoded, pool, pool, KEY, tops=(8,))
    assert by_frequency["top 8 name"] == 6
    assert found["keys"] == 8 and found["top 8 name"] == 8
    assert found["records all"] == 1.0 and found["records 2+"] == 1.0


def test_cooccurrence_attack_reads_every_name_of_a_list_from_its_own_statistics() -> None:
    # 300 sightings of one culture, the attacker's statistics those of the list itself:
    # the frequency reading misses some (ties), the co-occurrence reading none
    pool = _sightings(300, 7, {"syrian": 1.0})
    encoded = encode_records(pool, KEY)
    by_frequency = frequency_attack(encoded, pool, pool, KEY)
    found = cooccurrence_attack(encoded, pool, pool, KEY)
    assert by_frequency["top 100 name"] < 100 and by_frequency["records all"] < 1.0
    assert found["top 100 name"] == 100 and found["records all"] == 1.0
    assert found["records 2+"] > 0.99


def test_two_parts_are_two_of_a_records_name_parts_not_two_readings_of_one() -> None:
    # Hussein's phonetic key is Hassan's too, and stands for Hassan (the commoner): the
    # Hussein record's two keys, both read rightly, read one part
    pool = _full_names(["Hassan", "Hassan", "Hussein", "Hussein Ali"])
    assert name_parts(pool)["phonetic"].nunique() == 2  # Hassan and Hussein share one
    for attack in (frequency_attack, cooccurrence_attack):
        found = attack(encode_records(pool, KEY), pool, pool, KEY, tops=(2,))
        assert found["records all"] == 1.0 and found["records 2+"] == 1 / 4


def test_cooccurrence_attack_reads_no_name_from_statistics_of_other_names() -> None:
    pool = _full_names(["Mohammed Ali", "Mohammed Ali", "Fatima Ali", "Ahmed"])
    reference = _full_names(["Olena Petrenko", "Olena Petrenko", "Andriy Petrenko", "Tesfaye"])
    found = cooccurrence_attack(encode_records(pool, KEY), pool, reference, KEY, tops=(2,))
    assert found["top 2 name"] == 0
    assert found["records all"] == 0.0 and found["records 2+"] == 0.0


@pytest.mark.parametrize("seed", [7, 8])
@pytest.mark.parametrize("cultures", list(ATTACK_CULTURES.values()), ids=list(ATTACK_CULTURES))
def test_cooccurrence_attack_reads_no_less_than_the_frequency_reading_it_starts_from(
    seed: int, cultures: dict[str, float] | None
) -> None:
    pool = _sightings(300, seed, cultures)
    encoded = encode_records(pool, KEY)
    by_frequency = frequency_attack(encoded, pool, pool, KEY)
    found = cooccurrence_attack(encoded, pool, pool, KEY)
    for measure in ("top 10 name", "top 100 name", "records 100", "records all", "records 2+"):
        assert found[measure] >= by_frequency[measure], measure
    # and more than it, where frequencies tie
    assert found["records 2+"] > by_frequency["records 2+"]


_NAME = st.sampled_from(["", "Mohammed Ali", "محمد علي", "Olena", "Fatima; Fatuma", "Abdi"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(_NAME, _NAME, _NAME), min_size=1, max_size=6))
def test_name_parts_equal_each_record_read_alone(rows: list[tuple[str, str, str]]) -> None:
    frame = pd.DataFrame(rows, columns=["full_name", "given_name", "alternate_names"])
    expected: set[tuple[int, str, str]] = set()
    for row, (full, given_name, alternates) in enumerate(rows):
        for text in [full, given_name, *alternates.split(";")]:
            form = rm.normalize_name(text.strip())
            for token, variant, phonetic in zip(
                form.tokens, form.variant_ids, form.phonetic_keys, strict=True
            ):
                if token:
                    expected.add((row, variant, phonetic))
    parts = name_parts(frame)
    assert len(parts) == len(expected)
    assert set(parts.itertuples(index=False, name=None)) == expected


def test_both_attacks_read_far_less_from_paired_keys() -> None:
    # one culture (the attacks' best case), the attacker's statistics another list of it,
    # read in the form the file was encoded in
    pool = _sightings(1_000, 7, {"syrian": 1.0})
    reference = _sightings(3_000, 1007, {"syrian": 1.0})
    for attack in (frequency_attack, cooccurrence_attack):
        found = {
            keys: attack(encode_records(pool, KEY, keys=keys), pool, reference, KEY, keys=keys)
            for keys in ("parts", "paired")
        }
        assert found["parts"]["records all"] > 0.6 and found["parts"]["records 2+"] > 0.2
        assert found["paired"]["records all"] < found["parts"]["records all"] / 2
        assert found["paired"]["records 2+"] < found["parts"]["records 2+"] / 2


def test_a_paired_key_read_rightly_reads_both_its_parts() -> None:
    # every name common, the statistics the list's own: each record's pair key read
    # tells two of its parts
    pool = _full_names(["Mohammed Ali"] * 20 + ["Fatima Hassan"] * 21 + ["Omar"] * 22)
    encoded = encode_records(pool, KEY, keys="paired")
    found = frequency_attack(encoded, pool, pool, KEY, tops=(2,), keys="paired")
    assert found["keys"] == 6  # two pairs' class and sound keys, and Omar's own two
    assert found["records all"] == 1.0 and found["records 2+"] == 41 / 63


def test_calibration_at_scale_reads_the_candidates_over_the_floor() -> None:
    # A linker whose candidates over the floor are four pairs, three of them true; a fourth
    # true pair is not among them. Bins of 0.1: [0.9, 1] predicts 0.95 and holds 2 of 2
    # true (gap 0.05), [0.5, 0.6) 0.55 and 1 of 1 (0.45), [0, 0.1) 0.06 and 0 of 1 (0.06).
    asked: dict[str, object] = {}

    def predict(requests: object, sightings: object, **kwargs: object) -> pd.DataFrame:
        asked.update(kwargs)
        return pd.DataFrame(
            {
                "request_id": ["a", "b", "c", "d"],
                "sighting_id": ["s1", "s2", "s3", "s4"],
                "match_probability": [0.95, 0.95, 0.55, 0.06],
            }
        )

    linker = SimpleNamespace(predict=predict)
    data = SimpleNamespace(requests=None, sightings=None)
    truth = workers.pair_keys(["a", "b", "c", "e"], ["s1", "s2", "s3", "s5"])
    read = workers.calibration_at_scale(linker, data, truth)
    assert asked == {"threshold": workers.CALIBRATION_FLOOR, "top_k": 0}
    assert read["calibration_gap"] == pytest.approx(0.45)
    assert read["recall_floor"] == pytest.approx(0.75)


def test_every_true_pair_scored_reads_the_pairs_blocking_left_out_too(
    fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    # The bundled set: 5 of 443 true pairs are not candidates, 3 of them scored >= 0.5.
    data = SimpleNamespace(
        requests=synthetic["requests"], sightings=synthetic["sightings"], truth=synthetic["truth"]
    )
    truth = workers.pair_keys(data.truth["request_id"], data.truth["sighting_id"])
    among_candidates = workers.calibration_at_scale(fitted, data, truth)["recall_floor"]
    every = workers.recall_of_every_true_pair(fitted, data)
    assert among_candidates < every <= 1.0
    assert round((every - among_candidates) * len(truth)) >= 3  # counts, read as shares


def test_the_calibration_suites_encoded_reading_scores_every_candidate(
    synthetic: dict[str, pd.DataFrame],
) -> None:
    from benchmarks.calibration import ENCODING_KEY, _encoded
    from rfl_match.privacy import encoded_config

    truth = synthetic["truth"][["request_id", "sighting_id"]]
    data = SimpleNamespace(requests=synthetic["requests"], sightings=synthetic["sightings"])
    prob, hit = _encoded(data, truth)
    left, right = (encode_records(side, ENCODING_KEY) for side in (data.requests, data.sightings))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the encoded keys' oversized blocks
        report = rm.Linker(encoded_config()).blocking_report(left, right, truth)
    assert len(prob) == len(hit) == int(report["cumulative_pairs"].iloc[-1])
    completeness = float(report["pairs_completeness"].iloc[-1])
    assert hit.sum() == round(completeness * len(truth))
    assert ((prob >= 0) & (prob <= 1)).all()
    assert prob[hit].mean() > 0.5 > prob[~hit].mean()


def test_the_quality_suites_placeholders_are_read_as_missing() -> None:
    """The placeholders the quality suite writes into records are what rfl_match reads as
    missing, each field at its share, and a record named by one has no other name."""
    from benchmarks.quality import PLACEHOLDER_SHARES, PLACEHOLDERS, with_placeholders
    from rfl_match.names.placeholders import is_placeholder

    assert all(is_placeholder(form) for form in PLACEHOLDERS)
    n = 4000
    frame = pd.DataFrame(
        {
            "record_id": [f"r{k}" for k in range(n)],
            "full_name": "Amina Yusuf",
            "given_name": "Amina",
            "father_name": "Yusuf",
            "mother_name": "Halima",
            "place_of_birth": "Kismayo",
            "last_known_location": "Dadaab",
        }
    )
    out, unnamed = with_placeholders(frame, seed=3)
    for column, share in PLACEHOLDER_SHARES.items():
        written = out[column].isin(PLACEHOLDERS)
        assert abs(written.mean() - share) < 0.02, column
    assert (unnamed.to_numpy() == out["full_name"].isin(PLACEHOLDERS).to_numpy()).all()
    assert (out.loc[unnamed.to_numpy(), "given_name"] == "").all()


def test_the_quality_suites_childrens_forms_each_reach_true_pairs_the_table_counts() -> None:
    """The children's forms subsection's draw (the suite's size, rate and seed) holds each
    form in enough true pairs to read its recall, and the table counts them as the draw
    notes them."""
    from benchmarks.datasets import Synthetic
    from benchmarks.quality import CHILD_FORMS_RATE, _truth_table
    from rfl_match.synth import CHILD_FORMS, SynthConfig, generate

    config = SynthConfig(
        n_requests=5_000, n_sightings=10_000, seed=7, child_forms_rate=CHILD_FORMS_RATE
    )
    data = generate(config)
    frames = [data.requests, data.sightings, data.truth, data.corruptions.astype(str)]
    kinds = _truth_table(Synthetic(*frames, generator="rfl_match.synth"))["kinds"]
    for form in CHILD_FORMS:
        assert kinds.map(lambda found, form=form: form in found).sum() >= 10, form


def test_the_quality_suites_date_slips_are_the_slips_it_names(
    synthetic: dict[str, pd.DataFrame],
) -> None:
    """with_date_slips writes into the sighting of a true pair whose records give one full
    date the slip it names, of that date: another date of the same year, and nothing else
    changes."""
    import datetime

    from benchmarks.common import DATE_SLIPS, with_date_slips

    data = SimpleNamespace(
        requests=synthetic["requests"], sightings=synthetic["sightings"], truth=synthetic["truth"]
    )
    requests, sightings, pairs = with_date_slips(data, seed=3)
    assert len(pairs) >= 50 and set(pairs["slip"]) == set(DATE_SLIPS)
    assert requests is data.requests
    before = data.sightings.set_index("record_id")["date_of_birth"]
    after = sightings.set_index("record_id")["date_of_birth"]
    asked = data.requests.set_index("record_id")["date_of_birth"]
    for request, sighting, slip in pairs[["request_id", "sighting_id", "slip"]].itertuples(
        index=False
    ):
        was = datetime.date.fromisoformat(before[sighting])
        now = datetime.date.fromisoformat(after[sighting])
        assert asked[request] == before[sighting] and now != was and now.year == was.year
        kind = DATE_SLIPS.index(slip)
        if kind == 0:
            assert now.month == was.month and abs(now.day - was.day) == 1
        elif kind == 1:
            assert now.month == was.month and f"{now.day:02d}" == f"{was.day:02d}"[::-1]
        elif kind == 2:
            assert (now.month, now.day) == (was.day, was.month)
        else:
            assert now.day == was.day and abs(now.month - was.month) == 1
    changed = before.astype(str) != after.astype(str)
    assert set(before.index[changed.to_numpy()]) == set(pairs["sighting_id"])


def test_the_quality_suites_family_first_names_read_back_as_drawn(
    synthetic: dict[str, pd.DataFrame],
) -> None:
    """with_family_first writes, for records of the cultures it names, the full name family
    name first in capitals or with a comma, its given and family name fields blank; what
    the linker reads back (family_marked_last) is the name as drawn, where it is not in
    capitals throughout; other records and fields are as drawn; the pairs are the true
    pairs with a record so written. Not marked, the same records' fields alone blank."""
    from benchmarks.common import FAMILY_FIRST_CULTURES, FAMILY_FIRST_MARKS, with_family_first
    from rfl_match.names.parts import family_marked_last

    corruptions = pd.read_csv(SYNTHETIC / "corruptions.csv", dtype=str)
    data = SimpleNamespace(
        requests=synthetic["requests"],
        sightings=synthetic["sightings"],
        truth=synthetic["truth"],
        corruptions=corruptions,
    )
    requests, sightings, pairs = with_family_first(data, seed=3)
    assert len(pairs) >= 20 and set(pairs["mark"]) == set(FAMILY_FIRST_MARKS)
    culture = corruptions.set_index("record_id")["culture"]
    written: set[str] = set()
    for before, after in ((data.requests, requests), (data.sightings, sightings)):
        changed = (before["full_name"] != after["full_name"]).to_numpy()
        assert culture[before["record_id"][changed]].isin(FAMILY_FIRST_CULTURES).all()
        for was, now in zip(before["full_name"][changed], after["full_name"][changed], strict=True):
            if "," in now or not was.isupper():  # capitals throughout say no order
                assert family_marked_last(now).lower() == was.lower(), (was, now)
        blank = after.loc[changed, ["given_name", "family_name"]]
        assert (blank.fillna("") == "").all().all()
        others = [c for c in before.columns if c not in ("full_name", "given_name", "family_name")]
        pd.testing.assert_frame_equal(before[others], after[others])
        written |= set(before["record_id"][changed])
    truth = data.truth
    held = truth["request_id"].isin(written) | truth["sighting_id"].isin(written)
    assert set(zip(pairs["request_id"], pairs["sighting_id"], strict=True)) == set(
        zip(truth["request_id"][held], truth["sighting_id"][held], strict=True)
    )
    requests, sightings, _ = with_family_first(data, seed=3, marked=False)
    pd.testing.assert_series_equal(requests["full_name"], data.requests["full_name"])


def test_the_saved_models_predict_on_new_frames_gives_the_fitted_linkers_pairs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, synthetic: dict[str, pd.DataFrame]
) -> None:
    # The speed suite's two processes, here in one: rfl_synth fits and saves the model and
    # its pairs, rfl_synth_new loads it, predicts on the frames anew and compares.
    data = SimpleNamespace(
        requests=synthetic["requests"], sightings=synthetic["sightings"], truth=synthetic["truth"]
    )
    monkeypatch.setattr(workers, "synthetic", lambda *_: data)
    model = str(tmp_path / "model.json")
    task = {"n": len(data.requests), "seed": 7, "model": model, "blocking_report": False}
    fitted = workers.rfl_synth(task)
    again = workers.rfl_synth_new(task)
    assert again["same_output"] is True
    assert again["predict_new_seconds"]["comparing"] > 0
    assert again["predict_new_wall"] > 0 and fitted["fit_wall"] > 0
    # The same linker read with one_request_per_person, then saved without it: the
    # saved model's pairs above are the default's.
    assert fitted["one_request_f1"] > fitted["f1"] - 0.05 and fitted["one_request_scale"] >= 1
    assert "one_request_per_person" not in json.loads(Path(model).read_text())["config"]
    # A model that gives other pairs is told apart.
    pairs = pd.read_parquet(model + ".pairs.parquet")
    pairs.iloc[1:].to_parquet(model + ".pairs.parquet", index=False)
    assert workers.rfl_synth_new(task)["same_output"] is False


def test_a_lookup_s_latency_is_timed_per_sightings_count(
    monkeypatch: pytest.MonkeyPatch, synthetic: dict[str, pd.DataFrame]
) -> None:
    """One request at a time against the first n sightings, each round another request
    whose person is among them (the bundled lists hold such pairs), the sightings as given
    and read once by rm.read_records (the same matches); the speed table's row per n and
    form reads the median round's phases."""
    from benchmarks.speed import LATENCY_FORMS, _latency_rows

    data = SimpleNamespace(
        requests=synthetic["requests"], sightings=synthetic["sightings"], truth=synthetic["truth"]
    )
    monkeypatch.setattr(workers, "synthetic", lambda *_: data)
    found = workers.rfl_latency({"n_data": 0, "sightings": [1, 200], "rounds": 3, "seed": 7})
    assert list(found["sizes"]) == ["1 raw", "1 read", "200 raw", "200 read"]
    for runs in found["sizes"].values():
        assert len(runs["wall"]) == len(runs["cpu"]) == len(runs["phases"]) == 3
        assert all(wall > 0 for wall in runs["wall"])
    assert max(found["sizes"]["200 raw"]["found"]) >= 1  # a sought person's sighting is there
    assert found["sizes"]["200 read"]["found"] == found["sizes"]["200 raw"]["found"]
    rows = _latency_rows(found)
    assert [(row["sightings"], row["sightings given"]) for row in rows] == [
        (n, form) for n in (1, 200) for form in LATENCY_FORMS.values()
    ]
    assert rows[2]["validate ms"] > 0 and "comparing ms" in rows[2]
    assert "fingerprint ms" not in rows[2]
    assert rows[0]["min ms"] <= rows[0]["wall ms"] <= rows[0]["max ms"]


def test_the_quality_suite_reads_pairs_by_their_sightings_rank() -> None:
    """Predicted pairs grouped by their request's place among their sighting's requests:
    the counts, mean probabilities and true shares by hand, and the line on keeping rank 1."""
    from benchmarks.common import pair_keys
    from benchmarks.quality import _by_sighting_rank

    predicted = pd.DataFrame(
        {
            "request_id": ["r1", "r2", "r3", "r4", "r5"],
            "sighting_id": ["s1", "s1", "s1", "s2", "s3"],
            "match_weight": [9.0, 4.0, 2.0, 6.0, 6.0],
            "match_probability": [0.99, 0.8, 0.6, 0.9, 0.9],
        }
    )
    keys = pair_keys(predicted["request_id"], predicted["sighting_id"])
    true_keys = pair_keys(pd.Series(["r1", "r3", "r4", "r9"]), pd.Series(["s1", "s1", "s2", "s9"]))
    rows, line = _by_sighting_rank(predicted, keys, true_keys)
    assert [r["pairs"] for r in rows] == [3, 1, 1]
    assert rows[0]["mean predicted"] == pytest.approx(0.93)
    assert rows[0]["observed share of true matches"] == pytest.approx(2 / 3)
    assert rows[1]["observed share of true matches"] == 0.0
    assert rows[2]["observed share of true matches"] == 1.0
    # rank 1 kept: r1-s1, r4-s2, r5-s3; two of four true pairs, two of three predicted
    assert "precision 0.6667, recall 0.5, F1 0.5714" in line


def test_the_speed_suite_s_splink_row_reads_both_tools_timed_phases() -> None:
    """Splink's seconds count its preparing, training and prediction; rfl_match's its fit
    and predict; each peak is its timed phases' highest; a Splink not installed is said."""
    ours = {
        "fit_wall": 4.0, "predict_wall": 1.0, "fit_cpu": 6.0, "predict_cpu": 1.5,
        "fit_peak_mib": 800.0, "predict_peak_mib": 900.0, "predict_new_peak_mib": 5000.0,
        "pairs_completeness": 0.97, "f1": 0.87,
    }  # fmt: skip
    theirs = {
        "prep_wall": 1.0, "fit_wall": 8.0, "predict_wall": 1.0, "prep_cpu": 1.0,
        "fit_cpu": 12.0, "predict_cpu": 2.0, "prep_peak_mib": 600.0, "fit_peak_mib": 1500.0,
        "predict_peak_mib": 1400.0, "pairs_completeness": 0.47, "f1": 0.42,
    }  # fmt: skip
    row = _splink_row(100_000, ours, theirs)
    assert row["rfl_match s"] == 5.0 and row["Splink s"] == 10.0
    assert row["Splink s / rfl_match s"] == 2.0
    assert row["rfl_match CPU s"] == 7.5 and row["Splink CPU s"] == 15.0
    assert row["rfl_match peak RSS MiB"] == 900.0 and row["Splink peak RSS MiB"] == 1500.0
    skipped = _splink_row(10_000, ours, {"skipped": "splink is not installed"})
    assert skipped == {"records a side": 10_000, "Splink s": "splink is not installed"}


def test_the_true_pairs_of_a_record_without_a_birth_are_those_of_a_side_without_date_or_age() -> (
    None
):
    requests = pd.DataFrame(
        {
            "record_id": ["R1", "R2", "R3", "R4"],
            "date_of_birth": ["2009", "", None, ""],
            "age": ["", " ", "", "9"],
        }
    )
    sightings = pd.DataFrame(
        {"record_id": ["S1", "S2", "S3", "S4"], "date_of_birth": ["", "2010-05", "2001", "1990"]}
    )
    truth = pd.DataFrame(
        {
            "request_id": ["R1", "R2", "R3", "R4", "R1"],
            "sighting_id": ["S2", "S2", "S3", "S4", "S1"],
        }
    )
    data = SimpleNamespace(requests=requests, sightings=sightings, truth=truth)
    assert gives_birth(requests).tolist() == [True, False, False, True]
    # R1-S2 and R4-S4 give a birth each side (an age is one); R1-S1: the sighting gives none
    assert sorted(birthless_pairs(data)["request_id"]) == ["R1", "R2", "R3"]
    assert sorted(birthless_pairs(data)["sighting_id"]) == ["S1", "S2", "S3"]


def test_the_speed_suite_s_birth_row_parts_the_pairs_found_by_birth() -> None:
    from benchmarks.speed import _birth_row

    # 1,000 true pairs, 900 found; 100 of a record without a birth, 40 of them found:
    # the others 860 of 900, and 60 of the 100 missed lack a birth.
    groups = {
        workers.BIRTH_NONE: {"true_pairs": 100, "completeness": 0.4},
        workers.BIRTH_BOTH: {"true_pairs": 900, "completeness": 860 / 900},
    }
    row = _birth_row(10, {"pairs_completeness": 0.9, "birth_groups": groups})
    assert row["true pairs"] == 1000 and row["share"] == pytest.approx(0.1)
    assert row["both give a birth"] == pytest.approx(860 / 900)
    assert row["a record gives none"] == pytest.approx(0.4)
    assert row["of the pairs missed, a record gives none"] == pytest.approx(0.6)


def test_the_speed_suite_s_culture_rows_put_the_least_complete_first() -> None:
    from benchmarks.speed import _culture_rows

    def groups(a: float, b: float) -> dict[str, dict[str, dict[str, float]]]:
        return {
            "culture_groups": {
                "somali": {"true_pairs": 10, "completeness": a},
                "rohingya": {"true_pairs": 20, "completeness": b},
            }
        }

    rows = _culture_rows([(10, groups(0.99, 0.98)), (100, groups(0.97, 0.93))])
    assert [row["culture (of the request)"] for row in rows] == ["rohingya", "somali"]
    assert rows[0]["10 a side"] == 0.98 and rows[0]["100 a side"] == 0.93
    assert rows[0]["true pairs, largest size"] == 20
    assert _culture_rows([(10, {})]) == []


def test_the_blocking_report_s_groups_read_who_blocking_misses(
    fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    corruptions = pd.DataFrame(
        {
            "record_id": synthetic["requests"]["record_id"],
            "side": "request",
            "culture": np.where(np.arange(len(synthetic["requests"])) % 3 == 0, "a", "b"),
            "corruptions": "",
        }
    )
    data = SimpleNamespace(**synthetic, corruptions=corruptions)
    labelled = workers.labelled_by_who(data)
    pairs = birthless_pairs(data)
    assert (labelled["birth"] == workers.BIRTH_NONE).sum() == len(pairs) > 0
    assert set(labelled["culture"]) == {"a", "b"}
    report = fitted.blocking_report(data.requests, data.sightings, labelled, by=workers.WHO)
    got = workers._who(report.iloc[-1], labelled)
    none = got["birth_groups"][workers.BIRTH_NONE]
    assert none["true_pairs"] == len(pairs)
    # the share found is that of those pairs among the fitted linker's candidates,
    # counted here apart (every pair scored, then looked up among the candidates)
    found = fitted.predict(
        data.requests, data.sightings, pairs=pairs[["request_id", "sighting_id"]],
        threshold=0, top_k=0,
    )  # fmt: skip
    candidates = fitted.predict(data.requests, data.sightings, threshold=0, top_k=0)
    keys = set(zip(candidates["request_id"], candidates["sighting_id"], strict=True))
    scored = zip(found["request_id"], found["sighting_id"], strict=True)
    among = sum(pair in keys for pair in scored)
    assert none["completeness"] == pytest.approx(among / len(pairs))
    by_culture = got["culture_groups"]
    assert sum(g["true_pairs"] for g in by_culture.values()) == len(labelled)


def test_a_rough_age_is_written_where_a_true_pair_s_record_gives_no_birth() -> None:
    requests = pd.DataFrame(
        {
            "record_id": ["R1", "R2", "R3"],
            "date_of_birth": ["", "2001-04-02", ""],
            "age": ["", "", ""],
            "source_date": ["2020-05-01", "2020-05-01", "2020-05-01"],
        }
    )
    sightings = pd.DataFrame(
        {
            "record_id": ["S1", "S2", "S3"],
            "date_of_birth": ["2010-03-01", "", ""],
            "age": ["", "", "7"],
            "source_date": ["2019-01-01", "2024-06-30", "2019-01-01"],
        }
    )
    truth = pd.DataFrame({"request_id": ["R1", "R2", "R3"], "sighting_id": ["S1", "S2", "S3"]})
    data = SimpleNamespace(requests=requests, sightings=sightings, truth=truth)
    left, right, written = with_rough_ages(data)  # type: ignore[arg-type]
    # R1 (no birth; its sighting born 2010): 10 in 2020; S2 (none; its request born
    # 2001): 23 in 2024; R3 and S3 give no date of birth to read (an age is no date)
    assert left["age"].tolist() == [f"0-{10 + ROUGH_AGE_YEARS}", "", ""]
    assert right["age"].tolist() == ["", f"{23 - ROUGH_AGE_YEARS}-{23 + ROUGH_AGE_YEARS}", "7"]
    assert written["request_id"].tolist() == ["R1", "R2"]
    assert requests["age"].tolist() == ["", "", ""]  # the caller's frames are not written


def test_the_rough_age_reading_reads_the_written_pairs_as_drawn_and_refitted(
    fitted: rm.Linker, synthetic: dict[str, pd.DataFrame]
) -> None:
    data = SimpleNamespace(**synthetic)
    matches = fitted.predict(data.requests, data.sightings)
    got = rough_age_reading(fitted, data, matches)
    pairs = with_rough_ages(data)[2]
    assert got["pairs"] == len(pairs) > 0
    written = set(zip(pairs["request_id"], pairs["sighting_id"], strict=True))
    # as drawn: the fitted linker's candidates and matches, counted here apart
    candidates = fitted.predict(data.requests, data.sightings, threshold=0, top_k=0)
    proposed = set(zip(candidates["request_id"], candidates["sighting_id"], strict=True))
    kept = set(zip(matches["request_id"], matches["sighting_id"], strict=True))
    assert got["completeness_drawn"] == pytest.approx(len(written & proposed) / len(pairs))
    assert got["recall_drawn"] == pytest.approx(len(written & kept) / len(pairs))
    assert 0 < got["f1"] <= 1 and 0 < got["completeness"] <= 1
