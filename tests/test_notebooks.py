"""The worked examples in notebooks/ run: each notebook's code cells, in order, in one
namespace, from the repository root (as a reader runs them), with no Jupyter needed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_are_notebooks() -> None:
    assert NOTEBOOKS


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.stem for p in NOTEBOOKS])
def test_notebook_runs(path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in notebook["cells"] if c["cell_type"] == "code"]
    assert cells
    # Kept without outputs, so that what a reader sees is what the code gives now.
    assert all(not c["outputs"] and c["execution_count"] is None for c in cells)
    monkeypatch.chdir(ROOT)
    namespace: dict[str, object] = {"__name__": "__main__"}
    for k, cell in enumerate(cells):
        exec(compile("".join(cell["source"]), f"{path.name} cell {k}", "exec"), namespace)
