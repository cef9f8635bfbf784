"""Peers (issues 4, 5, 6): Splink 5 on DuckDB and the recordlinkage toolkit against
rfl_match, on the same synthetic data in the same run.

Each tool runs in a fresh process (time and peak memory are its own) and is configured as
its documentation recommends; a tool that is not installed is skipped with a message.
Splink and recordlinkage get the cleaning their documentation asks of the user: lower case
names, full ISO dates of birth (partial ones become null), a birth year column for
blocking. rfl_match gets the records as they are.
"""

from __future__ import annotations

from typing import Any

from benchmarks.common import header, log, run_worker, table, timed_peak_mib

TOOLS = (("rfl_match", "rfl_synth"), ("Splink", "splink_synth"), ("recordlinkage", "rl_synth"))


def run(sizes: list[int], seed: int, command: str) -> list[str]:
    rows: list[dict[str, Any]] = []
    for n in sizes:
        run_worker({"kind": "generate", "n": n, "seed": seed})  # cached, not measured
        base: dict[str, Any] | None = None
        for label, kind in TOOLS:
            log(f"peers: {label} at {n:,} a side")
            # rfl_match's candidate pairs from its blocking report (not timed, as the
            # other tools' pairs are counted after their timed phases)
            task = {"kind": kind, "n": n, "seed": seed, "blocking_report": kind == "rfl_synth"}
            r = run_worker(task, timeout=2 * 3600)
            row: dict[str, Any] = {"records a side": n, "tool": label}
            if "skipped" in r or "error" in r:
                row["train s"] = r.get("skipped") or r.get("error")
                rows.append(row)
                continue
            total = r["fit_wall"] + r.get("predict_wall", 0.0) + r.get("prep_wall", 0.0)
            cpu = r["fit_cpu"] + r.get("predict_cpu", 0.0) + r.get("prep_cpu", 0.0)
            row |= {
                "train s": r["fit_wall"] + r.get("prep_wall", 0.0),
                "predict s": r.get("predict_wall"),
                "total s": total,
                "CPU s": cpu,
                "peak RSS MiB": timed_peak_mib(r),
                "candidate pairs": r.get("candidate_pairs"),
                "pairs completeness": r.get("pairs_completeness"),
                "precision": r["precision"],
                "recall": r["recall"],
                "F1": r["f1"],
            }
            if label == "rfl_match":
                base = row
            if base is not None:
                row["time / rfl_match"] = total / base["total s"]
                row["memory / rfl_match"] = row["peak RSS MiB"] / base["peak RSS MiB"]
            rows.append(row)
    lines = header("Peers: Splink and recordlinkage (issues 4, 5, 6)", command)
    lines += [
        "Same synthetic data (`rfl_match.synth`, seed "
        f"{seed}, N requests x N sightings), same run, one fresh process per tool. "
        "Match probability >= 0.5 for rfl_match (with its default top_k 5) and Splink; "
        "recordlinkage's ECM classifier decides for itself. 'time / rfl_match' > 1 means "
        "rfl_match is that many times faster. Peak RSS is the highest of the timed "
        "phases'. 'candidate pairs' are the pairs each tool's blocking makes (rfl_match: "
        "its `blocking_report`; Splink: its prediction rules, joined with pandas as Splink "
        "joins them; recordlinkage: its `Index`), counted after the timed phases; 'pairs "
        "completeness' is the share of the true pairs among them.",
        "",
        "- rfl_match: `Linker().fit(requests, sightings).predict(requests, sightings)`.",
        "- Splink: `DuckDBAPI`, `link_only`; NameComparison on given, family and father's "
        "names (term-frequency adjusted on the first two), DateOfBirthComparison, "
        "ExactMatch on birth year and sex, LevenshteinAtThresholds on place of birth; "
        "prediction blocking on given+family, given+year, family+year, father+year, and "
        "the first two letters of given and family + year; "
        "`estimate_probability_two_random_records_match` (given+family+dob, recall 0.7), "
        "`estimate_u_using_random_sampling(1e7)`, EM sessions blocked on given+family and "
        "on dob; `predict(threshold_match_probability=0.5)`.",
        "- recordlinkage: `Index` blocking on given+year and family+year plus a sorted "
        "neighbourhood on family name within given name; `Compare` Jaro-Winkler on names, "
        "exact on dob, year, sex; `ECMClassifier(binarize=0.5)`.",
        "",
        *table(
            rows,
            [
                "records a side",
                "tool",
                "train s",
                "predict s",
                "total s",
                "CPU s",
                "peak RSS MiB",
                "candidate pairs",
                "pairs completeness",
                "precision",
                "recall",
                "F1",
                "time / rfl_match",
                "memory / rfl_match",
            ],
        ),
    ]
    return lines
