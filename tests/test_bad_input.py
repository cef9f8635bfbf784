"""Inputs as real tracing exports break them: each is read right, or refused or rejected
with a reason that names what is wrong; never a traceback, never a silently wrong value."""

from __future__ import annotations

from pathlib import Path

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
