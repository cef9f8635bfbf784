"""What a tracing officer reads, through the command line: ranks and ties."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from helpers import run

# One girl sought, and two sightings with her details (registered a month apart: the
# same weight), and a third with her birth year only: equally likely, equally likely, less.
GIRL = {
    "full_name": "Amina Yusuf Abdi",
    "given_name": "Amina",
    "family_name": "Abdi",
    "father_name": "Yusuf",
    "mother_name": "Hawa",
    "sex": "female",
    "date_of_birth": "2015-03-10",
    "place_of_origin": "Kismayo",
}
SOUGHT = {**GIRL, "record_id": "RT", "source_date": "2023-05-01"}
SEEN = [
    {**GIRL, "record_id": "ST2", "source_date": "2024-02-01"},
    {**GIRL, "record_id": "ST1", "source_date": "2024-01-01"},
    {**GIRL, "record_id": "ST3", "source_date": "2024-01-01", "date_of_birth": "2015"},
]


def _with(path: Path, rows: list[dict[str, str]], out: Path) -> Path:
    frame = pd.read_csv(path, dtype=str)
    pd.concat([frame, pd.DataFrame(rows)], ignore_index=True).to_csv(out, index=False)
    return out


@pytest.fixture(scope="module")
def girl_files(tmp_path_factory: pytest.TempPathFactory, synthetic_paths: dict[str, Path]):  # type: ignore[no-untyped-def]
    """The bundled requests and sightings with the girl's request and sightings added,
    and a model fitted on them."""
    folder = tmp_path_factory.mktemp("girl")
    requests = _with(synthetic_paths["requests"], [SOUGHT], folder / "requests.csv")
    sightings = _with(synthetic_paths["sightings"], SEEN, folder / "sightings.csv")
    model = folder / "model.json"
    fitted = run("link", requests, sightings, "-o", folder / "m.csv", "--save-model", model)
    assert fitted.returncode == 0, fitted.stderr
    return requests, sightings, model


def test_equal_candidates_share_a_rank_and_top_k_keeps_them_all(
    tmp_path: Path, girl_files: tuple[Path, Path, Path]
) -> None:
    """Two sightings with the same details are equally likely: both rank 1 (listed by
    id), the next ranks 3, and --top-k 1 keeps both, in the matches and the review file.
    Before, the tie was broken by sighting id: ST1 rank 1, ST2 rank 2 and, at --top-k 1,
    ST2 was left out without a word."""
    requests, sightings, model = girl_files
    for top_k, want in (
        ("3", [("ST1", 1), ("ST2", 1), ("ST3", 3)]),
        ("1", [("ST1", 1), ("ST2", 1)]),
    ):
        out, review = tmp_path / f"m{top_k}.csv", tmp_path / f"r{top_k}.csv"
        result = run(
            "link", requests, sightings, "-o", out, "--model", model,
            "--top-k", top_k, "--review", review,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        matches = pd.read_csv(out, dtype=str)
        mine = matches[matches["request_id"] == "RT"]
        assert list(zip(mine["sighting_id"], mine["rank"].astype(int), strict=True)) == want
        weights = mine["match_weight"].astype(float).tolist()
        assert weights[0] == weights[1] and (len(weights) < 3 or weights[2] < weights[1])
        shown = pd.read_csv(review, dtype=str, keep_default_na=False)
        rows = shown[shown["request_id"] == "RT"]
        assert list(zip(rows["sighting_id"], rows["rank"].astype(int), strict=True)) == want
