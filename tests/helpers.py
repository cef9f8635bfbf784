"""What several test modules share and pytest's fixtures do not fit: the command line run
as a user runs it, dates written as Excel writes them, and the comparisons of a release
before births were split by siblings."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

import rfl_match.linker as linker_module
from rfl_match.compare import BirthComparison
from rfl_match.linker import REVISIONS, SIBLING_BIRTHS

ROOT = Path(__file__).resolve().parent.parent


def before_sibling_births(patch: pytest.MonkeyPatch) -> None:
    """Within ``patch``'s context, a fit compares and saves as a release before the birth
    was split by a brother's or sister's pattern did: the birth unsplit, and no
    ``births_split_by_siblings`` in the file's training (tests of older formats)."""
    patch.setattr(BirthComparison, "sibling_split", False)
    patch.setattr(
        linker_module, "REVISIONS", {k: v for k, v in REVISIONS.items() if k != SIBLING_BIRTHS}
    )


def run(*args: str | Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """``rfl-match`` with ``args`` in a new process from the repository's root, its
    output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "rfl_match.cli", *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=600,
        cwd=ROOT,
    )


def excel_serial(text: str) -> str:
    """A whole ``YYYY-MM-DD`` date as Excel's 1900 serial number ("2008-01-01" -> "39448");
    a year or a month, which has no serial, as written."""
    whole = len(text) == 10
    return str((date.fromisoformat(text) - date(1899, 12, 30)).days) if whole else text
