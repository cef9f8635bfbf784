"""The review file: what a tracing officer reads to decide, one proposed pair a row.

Each request is followed by its candidates, best first; every row shows the request's and
the candidate's fields side by side (``request full_name`` next to ``sighting full_name``),
the match probability, the reason in words, and an empty ``decision`` column to fill in
(in ``.xlsx``, a drop-down of :data:`DECISIONS`). A request with no candidate over the
threshold still gets a row, so that no request is silently left out.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from rfl_match.schema import CANONICAL_FIELDS, ID_FIELD

DECISIONS = ("same person", "not the same person", "unsure")
NO_CANDIDATE = "no candidate over the threshold"


def review_table(
    matches: pd.DataFrame,
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    *,
    fields: list[str] | None = None,
) -> pd.DataFrame:
    """The review rows: request, candidate, score, explanation, decision (empty).

    Args:
        matches: the output of ``Linker.predict``.
        requests, sightings: the records that were linked.
        fields: the fields shown side by side; by default every canonical field present
            in either input.
    """
    if fields is None:
        fields = [
            f
            for f in CANONICAL_FIELDS
            if f != ID_FIELD and (f in requests.columns or f in sightings.columns)
        ]
    left = requests.reindex(columns=[ID_FIELD, *fields], fill_value="").fillna("")
    left.columns = pd.Index(["request_id", *(f"request {f}" for f in fields)])
    left["_order"] = np.arange(len(left))
    right = sightings.reindex(columns=[ID_FIELD, *fields], fill_value="").fillna("")
    right.columns = pd.Index(["sighting_id", *(f"sighting {f}" for f in fields)])
    pairs = matches[
        ["request_id", "sighting_id", "rank", "match_probability", "explanation"]
    ].astype({"request_id": str, "sighting_id": str})
    table = left.merge(pairs, on="request_id", how="left").merge(
        right, on="sighting_id", how="left"
    )
    table = table.sort_values(["_order", "rank"], kind="stable", na_position="last")
    missing = table["sighting_id"].isna()
    table["explanation"] = table["explanation"].astype(object).where(~missing, NO_CANDIDATE)
    table["decision"] = ""
    table["comment"] = ""
    side_by_side = [c for f in fields for c in (f"request {f}", f"sighting {f}")]
    columns = [
        "request_id",
        "rank",
        "sighting_id",
        "match_probability",
        "decision",
        "comment",
        *side_by_side,
        "explanation",
    ]
    out = table[columns].reset_index(drop=True)
    out["rank"] = out["rank"].astype("Int64")
    text = [c for c in columns if c not in ("rank", "match_probability")]
    out[text] = out[text].astype(object).where(out[text].notna(), "")
    out["match_probability"] = out["match_probability"].round(4)
    return out


def write_review(table: pd.DataFrame, path: str | Path) -> None:
    """Write the review table: ``.xlsx`` with a decision drop-down, or CSV; formula cells
    neutralised either way."""
    target = Path(path)
    if target.suffix.lower() == ".xlsx":
        from rfl_match.io.excel import write_excel

        widths = {c: 22 for c in table.columns if c.startswith(("request ", "sighting "))}
        widths.update({"explanation": 80, "decision": 20, "comment": 30, "match_probability": 12})
        write_excel({"review": table}, target, choices={"decision": DECISIONS}, widths=widths)
        return
    from rfl_match.io.write import write_table

    write_table(table, target)
