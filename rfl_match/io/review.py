"""The review file: what a tracing officer reads to decide, one proposed pair a row.

Each request is followed by its candidates, best first; every row shows the request's and
the candidate's fields side by side (``request full_name`` next to ``sighting full_name``),
the match probability, the reason in words, and an empty ``decision`` column to fill in
(in ``.xlsx``, a drop-down of :data:`DECISIONS`). A request with no candidate over the
threshold still gets a row, so that no request is silently left out. Given the records'
sex, dates and ages as written (``load_records(..., keep_written=True)``, as ``link --review``
reads them), each shows as the record writes it, with its reading where that differs
(:func:`as_written`): a misread date is seen, not only the date it was read as.

Candidates of equal weight share a rank (1, 1, 3). The probability is shown to 4
decimals as a number (a spreadsheet sorts and filters it), between 0.0001 and 0.9999: a
model is never certain, and 0.99998 shown as 1 would read as if it were
(:func:`rfl_match.scoring.shown_probability`); the matches file keeps the full value. A
sighting proposed for more than one request (one person, proposed to several families)
says so on each of its rows: ``sighting_proposed_for``, the number of requests it is
proposed for in this output, ``sighting_other_requests``, the others' ids, and
``sighting_rank``, the request's place among them by match weight (1: no other request is
likelier for this sighting; equal weights share a place, as ``rank`` does).

The probabilities are each pair's own: the model reads a pair alone, not what the
sighting's other requests make of it. A sighting is most often one family's: on
synthetic data (where each person is sought by one request), of the pairs at 0.5 or more
whose sighting ranks them second or lower, few are true, and far fewer than their
probabilities say (``python -m benchmarks quality``, "By the sighting's rank"). Two
requests may still seek one person (two relatives asking apart), so by default nothing
is lowered or dropped for it: the row says so, and the officer reads both (where the
requests are one per sought person, ``LinkConfig.one_request_per_person`` reads a
sighting's requests together).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.io.paths import FilePath
from rfl_match.schema import CANONICAL_FIELDS, ID_FIELD
from rfl_match.scoring import shown_probability

DECISIONS = ("same person", "not the same person", "unsure")
NO_CANDIDATE = "no candidate over the threshold"
#: The other requests a sighting's row names at most (``sighting_other_requests``).
SHOWN_OTHERS = 10


def review_table(
    matches: pd.DataFrame,
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    *,
    fields: list[str] | None = None,
    requests_written: pd.DataFrame | None = None,
    sightings_written: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The review rows: request, candidate, score, how many requests the candidate is
    proposed for and the request's place among them, explanation, decision (empty).

    Args:
        matches: the output of ``Linker.predict``.
        requests, sightings: the records that were linked.
        fields: the fields shown side by side; by default every canonical field present
            in either input.
        requests_written, sightings_written: the sex, dates and ages as the records write
            them (``LoadedRecords.written``: ``load_records(..., keep_written=True)``),
            shown in their stead, with what each was read as where that differs
            (:func:`as_written`).
    """
    if fields is None:
        fields = [
            f
            for f in CANONICAL_FIELDS
            if f != ID_FIELD and (f in requests.columns or f in sightings.columns)
        ]
    left = requests.reindex(columns=[ID_FIELD, *fields], fill_value="").fillna("")
    _show_written(left, requests_written)
    left.columns = pd.Index(["request_id", *(f"request {f}" for f in fields)])
    left["_order"] = np.arange(len(left))
    right = sightings.reindex(columns=[ID_FIELD, *fields], fill_value="").fillna("")
    _show_written(right, sightings_written)
    right.columns = pd.Index(["sighting_id", *(f"sighting {f}" for f in fields)])
    pairs = matches[
        ["request_id", "sighting_id", "rank", "match_probability", "explanation"]
    ].astype({"request_id": str, "sighting_id": str})
    pairs["sighting_rank"] = sighting_ranks(matches)
    pairs = pairs.merge(_proposed_for(pairs), on=["sighting_id", "request_id"], how="left")
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
        "sighting_proposed_for",
        "sighting_other_requests",
        "sighting_rank",
        *side_by_side,
        "explanation",
    ]
    out = table[columns].reset_index(drop=True)
    numbers = ("rank", "match_probability", "sighting_proposed_for", "sighting_rank")
    for column in ("rank", "sighting_proposed_for", "sighting_rank"):
        out[column] = out[column].astype("Int64")
    text = [c for c in columns if c not in numbers]
    out[text] = out[text].astype(object).where(out[text].notna(), "")
    out["match_probability"] = shown_probability(out["match_probability"], 4)
    return out


def as_written(written: pd.Series, read: pd.Series) -> pd.Series:
    """Each value as the record writes it, and what it was read as where that differs:
    "about 8 (read as 8)", "10/03/2015 (read as 2015-03-10)", "M (read as male)", and "15
    Rajab 1436 (not used)" where the reading is blank: a value blanked as malformed, or as
    one that cannot be (a birth after its record's date, a sex "1"), each listed with its
    reason in the rejects file. A value read as it is written but for its case ("Female"),
    or not written, shows as read.

    >>> written = pd.Series(["about 8", "2015", "eight", "", "M", "Female"])
    >>> read = pd.Series(["8", "2015", "", "7", "male", "female"])
    >>> as_written(written, read).tolist()
    ['about 8 (read as 8)', '2015', 'eight (not used)', '7', 'M (read as male)', 'female']
    """
    said = written.astype(str).to_numpy(dtype=object)
    got = read.astype(str).to_numpy(dtype=object)
    folded = [pd.Series(cells, dtype=object).str.casefold().to_numpy() for cells in (said, got)]
    differs = (said != "") & (folded[0] != folded[1])
    shown = np.where(got == "", " (not used)", " (read as " + got + ")")
    return pd.Series(np.where(differs, said + shown, got), dtype=object)


def _show_written(side: pd.DataFrame, written: pd.DataFrame | None) -> None:
    """In place: ``side``'s sex, dates and ages (its columns canonical, its records' rows) as
    :func:`as_written` shows them, from ``written`` (rows by record id)."""
    if written is None:
        return
    by_id = written.set_index(ID_FIELD)
    for column in by_id.columns.intersection(side.columns):
        read = side[column].astype(str).reset_index(drop=True)
        cells = by_id[column].reindex(side[ID_FIELD].astype(str)).reset_index(drop=True)
        side[column] = as_written(cells.fillna("").astype(object), read).to_numpy(dtype=object)


def sighting_ranks(matches: pd.DataFrame) -> npt.NDArray[np.int64]:
    """Per row of ``matches`` (``Linker.predict``'s output, one row a pair): its request's
    place among the requests its sighting is proposed for there, strongest first by
    ``match_weight`` (the probability's order), equal weights sharing the place of the
    first of them (1, 1, 3), as ``rank`` does for a request's sightings.

    >>> m = pd.DataFrame({"request_id": ["a", "b", "c", "d"], "sighting_id": ["s", "s", "s", "t"],
    ...                   "match_weight": [3.0, 7.5, 7.5, 1.0]})
    >>> sighting_ranks(m).tolist()
    [3, 1, 1, 1]
    """
    by_sighting = matches.groupby(matches["sighting_id"].astype(str), sort=False)
    ranks = by_sighting["match_weight"].rank(method="min", ascending=False)
    return ranks.to_numpy(dtype=np.int64)


def _proposed_for(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per pair (``request_id``, ``sighting_id``): the number of requests its sighting is
    proposed for among ``pairs`` (``sighting_proposed_for``), and the ids of the others,
    sorted by id, joined by "; " (``sighting_other_requests``; blank where there is none; the
    first :data:`SHOWN_OTHERS`, then how many more)."""
    distinct = pairs[["sighting_id", "request_id"]].drop_duplicates()
    counts = distinct.groupby("sighting_id", sort=False)["request_id"].transform("size")
    out = distinct.assign(sighting_proposed_for=counts.to_numpy(), sighting_other_requests="")
    shared = out[counts.to_numpy() > 1].sort_values(["sighting_id", "request_id"])
    others = []
    for _, ids in shared.groupby("sighting_id", sort=False)["request_id"]:
        listed = ids.tolist()
        first = listed[: SHOWN_OTHERS + 1]  # a row's others: these without itself
        more = len(listed) - 1 - SHOWN_OTHERS
        tail = f"; and {more} more" if more > 0 else ""
        for own in listed:
            rest = [r for r in first if r != own][:SHOWN_OTHERS]
            others.append("; ".join(rest) + tail)
    out.loc[shared.index, "sighting_other_requests"] = others
    return out


def write_review(table: pd.DataFrame, path: FilePath) -> None:
    """Write the review table: ``.xlsx`` with a decision drop-down, or CSV; formula cells
    neutralised either way."""
    target = Path(path)
    if target.suffix.lower() == ".xlsx":
        from rfl_match.io.excel import write_excel

        widths = {c: 22 for c in table.columns if c.startswith(("request ", "sighting "))}
        widths.update({"explanation": 80, "decision": 20, "comment": 30, "match_probability": 12})
        widths.update({"sighting_proposed_for": 12, "sighting_other_requests": 24})
        widths["sighting_rank"] = 12
        try:
            write_excel({"review": table}, target, choices={"decision": DECISIONS}, widths=widths)
        except ValueError as exc:  # more rows than a workbook holds: as write_table says it
            from rfl_match.io.write import OutputError

            raise OutputError(str(exc)) from exc
        return
    from rfl_match.io.write import write_table

    write_table(table, target)
