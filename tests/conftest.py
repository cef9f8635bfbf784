"""Shared fixtures: the committed synthetic set and small hand-made frames."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

# CI runs the same examples every time (a red CI must be reproducible); local runs explore.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")

ROOT = Path(__file__).resolve().parent.parent
SYNTHETIC = ROOT / "data" / "synthetic"


@pytest.fixture(scope="session")
def synthetic_paths() -> dict[str, Path]:
    paths = {name: SYNTHETIC / f"{name}.csv" for name in ("requests", "sightings", "truth")}
    missing = [str(p) for p in paths.values() if not p.exists()]
    if missing:
        pytest.fail(f"committed synthetic data missing: {missing}")
    return paths


@pytest.fixture(scope="session")
def synthetic(synthetic_paths: dict[str, Path]) -> dict[str, pd.DataFrame]:
    import rfl_match as rm

    return {
        "requests": rm.read_records(synthetic_paths["requests"]),
        "sightings": rm.read_records(synthetic_paths["sightings"]),
        "truth": pd.read_csv(synthetic_paths["truth"], dtype=str),
    }


@pytest.fixture(scope="session")
def fitted(synthetic: dict[str, pd.DataFrame]):  # type: ignore[no-untyped-def]
    import rfl_match as rm

    return rm.Linker().fit(synthetic["requests"], synthetic["sightings"])


@pytest.fixture(scope="session")
def fitted_classes(synthetic: dict[str, pd.DataFrame]):  # type: ignore[no-untyped-def]
    """The bundled synthetic data fitted with two kinds of non-match (opt-in)."""
    import rfl_match as rm

    return rm.Linker({"non_match_classes": 2}).fit(synthetic["requests"], synthetic["sightings"])
