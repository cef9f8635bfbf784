"""FEBRL 1-4 (issue 5): unsupervised F1 of rfl_match, Splink and recordlinkage.

FEBRL4 is a 5,000 x 5,000 linkage; FEBRL1-3 are deduplications of one list (pairwise
precision, recall and F1, each true pair counted once). rfl_match maps the FEBRL columns to
the canonical schema (surname -> family_name, YYYYMMDD -> YYYY-MM-DD) and compares the
address, postcode, state, street number and social security id as extra columns.
"""

from __future__ import annotations

from typing import Any

from benchmarks.common import header, log, run_worker, table

# (dataset, description)
DATASETS = {
    1: "FEBRL1, dedupe of 1,000 records (500 originals, 500 duplicates)",
    2: "FEBRL2, dedupe of 5,000 records",
    3: "FEBRL3, dedupe of 5,000 records",
    4: "FEBRL4, linkage of 5,000 x 5,000 records",
}
TOOLS = (
    ("rfl_match (default blocking)", {"kind": "rfl_febrl"}),
    ("rfl_match (+ address/id blocking)", {"kind": "rfl_febrl", "field_blocking": True}),
    ("Splink", {"kind": "splink_febrl"}),
    ("recordlinkage", {"kind": "rl_febrl"}),
)


def run(quick: bool, command: str) -> list[str]:
    numbers = (4, 3) if quick else (4, 3, 2, 1)
    rows: list[dict[str, Any]] = []
    for number in numbers:
        for label, task in TOOLS:
            log(f"febrl {number}: {label}")
            result = run_worker({**task, "number": number}, timeout=1800)
            rows.append(_row(number, label, result))
    lines = header("FEBRL (issue 5)", command)
    lines += [
        "Unsupervised, at match probability >= 0.5 for every tool (recordlinkage: its ECM "
        "classifier's own decision). Pairwise scores; in the dedupes each true pair counts "
        "once. rfl_match dedupe clusters are `dedupe(records, threshold=0.5)` turned into "
        "pairs. Seconds are wall time of training + prediction in a fresh process; peak RSS "
        "is that process's high-water mark. 'in candidates' is rfl_match's "
        "`blocking_report` pairs completeness.",
        "",
        "The '+ address/id blocking' row adds the rules "
        "`field:soc_sec_id`, `field:postcode + birth_year`, `field:suburb + field:street_number` "
        "to the default ones, as Splink's configuration blocks on postcode and id too.",
        "",
        *table(
            rows,
            [
                "data",
                "tool",
                "precision",
                "recall",
                "F1",
                "cluster F1",
                "in candidates",
                "seconds",
                "peak RSS MiB",
            ],
        ),
        "",
    ]
    for number in numbers:
        lines.append(f"- {number}: {DATASETS[number]}")
    return lines


def _row(number: int, label: str, result: dict[str, Any]) -> dict[str, Any]:
    row: dict[str, Any] = {"data": f"FEBRL{number}", "tool": label}
    if "skipped" in result or "error" in result:
        row["precision"] = result.get("skipped") or result.get("error")
        return row
    row |= {
        "precision": result["precision"],
        "recall": result["recall"],
        "F1": result["f1"],
        "cluster F1": result.get("cluster_f1"),
        "in candidates": result.get("pairs_completeness"),
        "seconds": result["fit_wall"] + result["predict_wall"],
        "peak RSS MiB": result["peak_rss_mib"],
    }
    return row
