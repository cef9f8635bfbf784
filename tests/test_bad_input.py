"""Inputs as real tracing exports break them: each is read right, or refused or rejected
with a reason that names what is wrong; never a traceback, never a silently wrong value."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

import rfl_match as rm


def write(tmp_path: Path, data: str | bytes, name: str = "in.csv") -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize(
    "text",
    [
        "record_id,full_name,full_name\nr1,Amina,Yusuf\n",
        # a doubled extra column, one of its cells read back from a neutralised formula
        "record_id,full_name,notes,notes\nr1,Amina,'=1+1,b\n",
    ],
)
def test_a_doubled_header_is_refused_by_name(tmp_path: Path, text: str) -> None:
    with pytest.raises(rm.RecordError, match="column appears more than once"):
        rm.read_records(write(tmp_path, text))


def test_truth_ids_typed_with_spaces_still_count(tmp_path: Path) -> None:
    # Records are read with the spaces around each cell left out; a truth file typed
    # " RQ1 " must find the match RQ1, not score it a miss without a word.
    from rfl_match.evaluate import evaluate_matches, pairs_completeness

    matches = pd.DataFrame({"request_id": ["RQ1", "RQ2"], "sighting_id": ["SG1", "SG9"]})
    matches["rank"] = 1
    truth = rm.io.read_pairs(write(tmp_path, "request_id,sighting_id\n RQ1 ,SG1 \nRQ2, SG2\n"))
    scores = evaluate_matches(matches, truth.frame)
    assert (scores.true_pairs, scores.true_positives, scores.recall_at_1) == (2, 1, 0.5)
    assert pairs_completeness(matches["request_id"], matches["sighting_id"], truth.frame) == 0.5
