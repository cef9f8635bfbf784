"""The generator's entry points: :func:`generate` and :func:`write`."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from rfl_match.synth.config import CHILD_FORMS, CORRUPTIONS, SynthConfig
from rfl_match.synth.people import CHILD, LATEST_BIRTH, People, generate_people
from rfl_match.synth.pools import CULTURES, DEFAULT_CULTURE_WEIGHTS, load_pools
from rfl_match.synth.records import render_records

IntArray = NDArray[np.int64]

CANONICAL_COLUMNS: tuple[str, ...] = (
    "record_id",
    "full_name",
    "given_name",
    "family_name",
    "alternate_names",
    "father_name",
    "mother_name",
    "grandfather_name",
    "sex",
    "date_of_birth",
    "age",
    "source_date",
    "place_of_birth",
    "place_of_origin",
    "last_known_location",
    "nationality",
)

_DAY0 = np.datetime64("1970-01-01", "D")


def _day(iso: str) -> int:
    return int((np.datetime64(iso, "D") - _DAY0).astype(np.int64))


_FIRST_RECORD = _day("2015-01-01")
_LAST_REQUEST = _day("2025-06-30")
_LAST_RECORD = _day("2025-12-31")
#: The twins' random stream is seeded with (seed, this), apart from the main one.
_TWIN_STREAM = 2
#: The children's forms' random stream is seeded with (seed, this).
_CHILD_FORMS_STREAM = 3


@dataclass(frozen=True)
class SynthData:
    """A generated data set.

    Attributes:
        requests: tracing requests, canonical columns (plus ``case_group`` if asked).
        sightings: sighting records, canonical columns.
        truth: every true pair: ``request_id``, ``sighting_id``.
        corruptions: one row a record: ``record_id``, ``side`` (request or sighting),
            ``culture``, ``corruptions`` (';'-joined names from
            :data:`~rfl_match.synth.config.CORRUPTIONS`, then of
            :data:`~rfl_match.synth.config.CHILD_FORMS`), ``person_id`` and ``family_id``
            (records of one person share ``person_id``: the truth for deduplication); with
            a ``twin_rate``, ``twin_id``: the person's twin ("" for none; of triplets, the
            one born next to it in the family's order).
        rates: per ``side`` and ``corruption``: ``eligible`` (records it could apply to),
            ``applied`` and their ratio ``rate``. For ``duplicate``, eligible counts the
            distinct people sighted and applied their extra sightings.
        config: the configuration that made it.
    """

    requests: pd.DataFrame
    sightings: pd.DataFrame
    truth: pd.DataFrame
    corruptions: pd.DataFrame
    rates: pd.DataFrame
    config: SynthConfig


def _culture_weights(config: SynthConfig) -> NDArray[np.float64]:
    given = DEFAULT_CULTURE_WEIGHTS if config.culture_weights is None else config.culture_weights
    unknown = set(given) - set(CULTURES)
    if unknown:
        raise ValueError(f"unknown cultures {sorted(unknown)}; known: {list(CULTURES)}")
    w = np.array([float(given.get(c, 0.0)) for c in CULTURES], dtype=np.float64)
    if w.sum() <= 0:
        raise ValueError("culture_weights must give some culture a positive weight")
    return np.asarray(w / w.sum(), dtype=np.float64)


def _pick(
    rng: np.random.Generator, candidates: IntArray, k: int, weights: NDArray[np.float64]
) -> IntArray:
    """``k`` distinct candidates, drawn with the given weights (exponential race)."""
    k = min(k, len(candidates))
    if k == 0:
        return np.zeros(0, dtype=np.int64)
    keys = rng.exponential(size=len(candidates)) / weights
    chosen = np.argpartition(keys, k - 1)[:k]
    chosen = chosen[np.argsort(keys[chosen], kind="stable")]
    out: IntArray = candidates[chosen]
    return out


def _uniform_day(rng: np.random.Generator, lo: IntArray, hi: IntArray) -> IntArray:
    span = np.maximum(hi - lo, 0) + 1
    out: IntArray = lo + (rng.random(len(lo)) * span).astype(np.int64)
    return out


def _ids(prefix: str, n: int) -> list[str]:
    width = max(6, len(str(n)))
    return [f"{prefix}{i:0{width}d}" for i in range(1, n + 1)]


def generate(config: SynthConfig | None = None) -> SynthData:
    """Generate requests, sightings, the true pairs and the corruptions applied.

    Example:
        >>> data = generate(SynthConfig(n_requests=20, n_sightings=40, seed=1))
        >>> len(data.requests), len(data.sightings)
        (20, 40)
    """
    config = SynthConfig() if config is None else config
    if config.n_requests < 0 or config.n_sightings < 0:
        raise ValueError("n_requests and n_sightings must be >= 0")
    rng = np.random.default_rng(config.seed)
    pools = load_pools()
    n_req, n_sig = config.n_requests, config.n_sightings
    n_families = math.ceil((n_req + n_sig) * 0.4) + 10
    twins = (config.twin_rate, np.random.default_rng((config.seed, _TWIN_STREAM)))
    people = generate_people(
        n_families=n_families,
        culture_weights=_culture_weights(config),
        pools=pools,
        rng=rng,
        twins=twins if config.twin_rate > 0 else None,
    )
    n_people = len(people)
    everyone = np.arange(n_people, dtype=np.int64)

    # Who is sought: children a little more often than parents.
    weight = np.where(people.role == CHILD, 1.5, 1.0)
    requested = _pick(rng, everyone, n_req, weight)
    is_requested = np.zeros(n_people, dtype=bool)
    is_requested[requested] = True
    n_matched = min(round(config.match_rate * len(requested)), n_sig)
    matched = requested[:n_matched]

    budget = n_sig - n_matched
    dup_matched = matched[rng.random(n_matched) < config.duplicate_rate][:budget]
    budget -= len(dup_matched)
    n_other = round(budget / (1.0 + config.duplicate_rate))
    in_sought_family = np.zeros(n_families, dtype=bool)
    in_sought_family[people.family_id[requested]] = True
    relatives = everyone[in_sought_family[people.family_id] & ~is_requested]
    ones = np.ones(n_people, dtype=np.float64)
    rel = _pick(rng, relatives, round(config.relative_rate * n_other), ones[relatives])
    taken = is_requested.copy()
    taken[rel] = True
    strangers = _pick(rng, everyone[~taken], n_other - len(rel), ones[~taken])
    others = np.concatenate([rel, strangers])
    n_dup_other = budget - len(others)
    dup_other = _pick(rng, others, n_dup_other, ones[others])
    if len(dup_other) < n_dup_other:  # too few people: sight some strangers more often
        pool = others if len(others) else matched
        extra = rng.choice(pool, size=n_dup_other - len(dup_other))
        dup_other = np.concatenate([dup_other, extra.astype(np.int64)])

    # Dates: requests 2015 to mid-2025; a sighting of a sought person around or after the
    # request; other sightings any time. Never before the birth.
    req_day = _uniform_day(
        rng,
        np.maximum(people.birth[requested] + 30, _FIRST_RECORD),
        np.full(len(requested), _LAST_REQUEST, dtype=np.int64),
    )
    request_day_of = np.zeros(n_people, dtype=np.int64)
    request_day_of[requested] = req_day
    sighted_sought = np.concatenate([matched, dup_matched])
    start = request_day_of[sighted_sought]
    sought_day = _uniform_day(
        rng,
        np.maximum(start - 60, people.birth[sighted_sought] + 1),
        np.minimum(start + 730, _LAST_RECORD),
    )
    other_persons = np.concatenate([others, dup_other]).astype(np.int64)
    other_day = _uniform_day(
        rng,
        np.maximum(people.birth[other_persons] + 1, _FIRST_RECORD),
        np.full(len(other_persons), _LAST_RECORD, dtype=np.int64),
    )
    sight_person = np.concatenate([sighted_sought, other_persons])
    sight_day = np.concatenate([sought_day, other_day])
    sight_dup = np.zeros(len(sight_person), dtype=bool)
    sight_dup[n_matched : n_matched + len(dup_matched)] = True
    sight_dup[len(sighted_sought) + len(others) :] = True
    order = rng.permutation(len(sight_person))
    sight_person, sight_day, sight_dup = sight_person[order], sight_day[order], sight_dup[order]
    assert int(sight_day.min(initial=LATEST_BIRTH + 1)) > 0

    person = np.concatenate([requested, sight_person])
    is_sighting = np.concatenate(
        [np.zeros(n_req, dtype=bool), np.ones(len(sight_person), dtype=bool)]
    )
    rendered = render_records(
        people=people,
        person=person,
        is_sighting=is_sighting,
        source_day=np.concatenate([req_day, sight_day]).astype(np.int64),
        is_duplicate=np.concatenate([np.zeros(n_req, dtype=bool), sight_dup]),
        config=config,
        pools=pools,
        rng=rng,
        child_forms=(
            (config.child_forms_rate, np.random.default_rng((config.seed, _CHILD_FORMS_STREAM)))
            if config.child_forms_rate > 0
            else None
        ),
    )
    record_id = _ids("RQ", n_req) + _ids("SG", len(sight_person))
    columns = {"record_id": np.array(record_id, dtype=object), **rendered.columns}
    requests = pd.DataFrame({c: columns[c][:n_req] for c in CANONICAL_COLUMNS})
    sightings = pd.DataFrame({c: columns[c][n_req:] for c in CANONICAL_COLUMNS})
    if config.case_group:
        codes, _ = pd.factorize(people.family_id[requested])
        requests["case_group"] = [f"CG{c + 1:06d}" for c in codes.tolist()]

    request_of = np.full(n_people, -1, dtype=np.int64)
    request_of[requested] = np.arange(n_req)
    hit = request_of[sight_person]
    pairs = np.flatnonzero(hit >= 0)
    truth = pd.DataFrame(
        {
            "request_id": [record_id[i] for i in hit[pairs].tolist()],
            "sighting_id": [record_id[n_req + i] for i in pairs.tolist()],
        }
    )
    truth = truth.sort_values(["request_id", "sighting_id"], ignore_index=True)
    corruptions = _corruption_frame(record_id, is_sighting, person, people, rendered.applied)
    if config.twin_rate > 0:
        twin = people.twin_of[person]
        # Both ways: the elder twin's records name the younger.
        younger = np.full(n_people, -1, dtype=np.int64)
        born = np.flatnonzero(people.twin_of >= 0)
        younger[people.twin_of[born]] = born
        twin = np.where(twin >= 0, twin, younger[person])
        corruptions["twin_id"] = [f"P{t:07d}" if t >= 0 else "" for t in twin.tolist()]
    return SynthData(
        requests=requests,
        sightings=sightings,
        truth=truth,
        corruptions=corruptions,
        rates=_rates(rendered.eligible, rendered.applied, is_sighting, config.child_forms_rate > 0),
        config=config,
    )


def _rates(
    eligible: NDArray[np.bool_],
    applied: NDArray[np.bool_],
    is_sighting: NDArray[np.bool_],
    child_forms: bool,
) -> pd.DataFrame:
    rows: list[dict[str, object]] = []
    dup = CORRUPTIONS.index("duplicate")
    names = CORRUPTIONS + CHILD_FORMS if child_forms else CORRUPTIONS
    for side, mask in (("request", ~is_sighting), ("sighting", is_sighting)):
        for j, name in enumerate(names):
            n_applied = int(applied[mask, j].sum())
            n_eligible = int(eligible[mask, j].sum())
            if j == dup:
                n_eligible -= n_applied  # people, not records
            rate = n_applied / n_eligible if n_eligible else float("nan")
            rows.append(
                {
                    "side": side,
                    "corruption": name,
                    "eligible": n_eligible,
                    "applied": n_applied,
                    "rate": rate,
                }
            )
    return pd.DataFrame(rows)


def _corruption_frame(
    record_id: list[str],
    is_sighting: NDArray[np.bool_],
    person: IntArray,
    people: People,
    applied: NDArray[np.bool_],
) -> pd.DataFrame:
    names = CORRUPTIONS + CHILD_FORMS
    bits = applied.astype(np.int64) @ (1 << np.arange(len(names), dtype=np.int64))
    codes, uniques = pd.factorize(bits)
    labels = [";".join(name for j, name in enumerate(names) if int(u) >> j & 1) for u in uniques]
    return pd.DataFrame(
        {
            "record_id": record_id,
            "side": np.where(is_sighting, "sighting", "request"),
            "culture": np.array(CULTURES, dtype=object)[people.culture[person]],
            "corruptions": np.array(labels, dtype=object)[codes],
            "person_id": [f"P{p:07d}" for p in person.tolist()],
            "family_id": [f"F{f:07d}" for f in people.family_id[person].tolist()],
        }
    )


#: The files :func:`write` writes into its folder.
FILES = ("requests.csv", "sightings.csv", "truth.csv", "corruptions.csv")


def write(data: SynthData, directory: str | Path) -> None:
    """Write :data:`FILES`: requests.csv, sightings.csv, truth.csv and corruptions.csv
    (UTF-8)."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    frames = (data.requests, data.sightings, data.truth, data.corruptions)
    for name, frame in zip(FILES, frames, strict=True):
        _write_csv(frame, out / name)


def _write_csv(frame: pd.DataFrame, path: Path) -> None:
    # The csv module is several times faster than DataFrame.to_csv on string columns;
    # missing values are written as empty fields either way.
    columns = [frame[c].fillna("").astype(str).tolist() for c in frame.columns]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow([str(c) for c in frame.columns])
        writer.writerows(zip(*columns, strict=True))
