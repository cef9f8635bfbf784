"""What several test modules share and pytest's fixtures do not fit: the command line run
as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


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
