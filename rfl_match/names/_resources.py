"""Reading the name-knowledge tables in ``rfl_match/names/resources/`` (read once, cached)."""

from __future__ import annotations

from functools import cache
from importlib import resources


@cache
def read_table(name: str, package: str = "rfl_match.names") -> tuple[tuple[str, ...], ...]:
    """Rows of a tab-separated resource file of ``package``'s ``resources/``, without
    comment lines (``#``) and the header.

    Every row is padded to the header's width with empty strings.
    """
    text = resources.files(package).joinpath("resources", name).read_text("utf-8")
    rows: list[tuple[str, ...]] = []
    width = 0
    for line in text.splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        cells = tuple(cell.strip() for cell in line.split("\t"))
        if not width:
            width = len(cells)  # the header
            continue
        rows.append(cells + ("",) * (width - len(cells)))
    return tuple(rows)
