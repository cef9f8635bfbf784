"""Shared helpers: the machine, timing and peak memory, pairwise scores, RESULTS.md sections."""

from __future__ import annotations

import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
FIGURES = HERE / "figures"
RESULTS = HERE / "RESULTS.md"
QUICK_RESULTS = OUT / "RESULTS.quick.md"
PACKAGES = (
    "rfl_match",
    "numpy",
    "pandas",
    "rapidfuzz",
    "jellyfish",
    "splink",
    "duckdb",
    "recordlinkage",
    "scikit-learn",
    "matplotlib",
)


# --- the machine ------------------------------------------------------------------------


def _ram_gib() -> float:
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) / 2**20
    except OSError:
        pass
    return float("nan")


def package_version(name: str) -> str:
    if name == "rfl_match":
        import rfl_match

        return str(rfl_match.__version__)
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def _git_revision() -> str:
    try:
        rev = subprocess.run(
            ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            # The suites rewrite RESULTS.md and the figures, so a second suite run in a row
            # is not "dirty".
            [
                "git",
                "-C",
                str(ROOT),
                "status",
                "--porcelain",
                "--untracked-files=no",
                "--",
                ".",
                ":(exclude)benchmarks/RESULTS.md",
                ":(exclude)benchmarks/figures",
            ],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return rev + (" + uncommitted changes" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def machine_lines() -> list[str]:
    """Markdown lines describing where and with what the numbers were measured."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as fh:
            for line in fh:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    versions = ", ".join(f"{p} {package_version(p)}" for p in PACKAGES)
    return [
        f"- Machine: {os.cpu_count()} cores (nproc), {_ram_gib():.1f} GiB RAM, {cpu}; "
        f"{platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {versions}",
        f"- rfl_match revision: {_git_revision()}; run {time.strftime('%Y-%m-%d %H:%M %Z')}",
    ]


# --- timing and memory ------------------------------------------------------------------


def peak_rss_mib() -> float:
    """This process's peak resident set size so far (VmHWM), in MiB."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def reset_peak_rss() -> bool:
    """Reset VmHWM to the current RSS (Linux >= 4.0), so that a phase's own peak shows."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


#: The phases a tool's time counts (``<phase>_peak_mib`` in a worker's result).
_TIMED = ("prep", "fit", "predict", "index", "compare", "classify")


def timed_peak_mib(result: dict[str, Any]) -> float:
    """The highest peak RSS of a worker's timed phases: not the process's last reading,
    which would hold the untimed work after them (counting the candidate pairs, rfl_match's
    saved-model predict) and not the phases before the last (each phase resets it)."""
    return float(max(result[f"{p}_peak_mib"] for p in _TIMED if f"{p}_peak_mib" in result))


def cpu_seconds() -> float:
    """CPU seconds of this process and of its children waited for: preparation reads half
    of many names in a forked child (rfl_match.forking), whose CPU is the fit's too."""
    import resource

    own, children = (
        resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)
    )
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def _children(pid: int) -> list[int]:
    """The child processes of ``pid`` (Linux; none where /proc cannot tell)."""
    found: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children", encoding="ascii") as fh:
                found += [int(child) for child in fh.read().split()]
    except OSError:
        pass
    return found


def _proc_mib(pid: int, file: str, key: str) -> float:
    """The ``key`` line (in kB) of /proc/<pid>/<file>, in MiB; 0 where /proc cannot tell."""
    try:
        with open(f"/proc/{pid}/{file}", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _pss_mib(pid: int) -> float:
    """The proportional set size of ``pid`` in MiB: its private pages, and its share of the
    pages it shares (with a forked parent, say)."""
    return _proc_mib(pid, "smaps_rollup", "Pss:")


class _TreeSampler(threading.Thread):
    """While this process has child processes (preparation reads names in a forked child:
    rfl_match.forking), samples the memory of the whole tree every ``interval`` seconds:
    the sum of each process's proportional set size, which counts a page the child shares
    with this process once. VmHWM is this process's alone, and a child's own peak counts
    every shared page again; the sum is what the machine holds. With no child it looks for
    one every ``idle`` seconds: a listing of /proc, which every 50 ms cost about 4% of the
    CPU of the throughput benchmark's predict."""

    def __init__(self, interval: float = 0.05, idle: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.idle = idle
        self.peak_mib = 0.0
        self._done = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        pause = self.idle
        while not self._done.wait(pause):
            tree, seen = [me], 0
            while seen < len(tree):
                tree += _children(tree[seen])
                seen += 1
            pause = self.interval if len(tree) > 1 else self.idle
            if len(tree) > 1:
                self.peak_mib = max(self.peak_mib, sum(_pss_mib(pid) for pid in tree))

    def stop(self) -> float:
        """Stop sampling; the highest sum seen (0: no child lived during a sample)."""
        self._done.set()
        self.join()
        return self.peak_mib


@dataclass
class Phase:
    """Wall and CPU seconds and peak memory of one timed phase: ``peak_mib`` is this
    process's VmHWM, or the sampled memory of it and its forked children together where
    that was higher (``tree_peak_mib``, 0 when no child lived during a sample)."""

    wall: float = 0.0
    cpu: float = 0.0
    peak_mib: float = 0.0
    tree_peak_mib: float = 0.0
    extra: dict[str, Any] = field(default_factory=dict)


@contextmanager
def timed() -> Iterator[Phase]:
    phase = Phase()
    reset_peak_rss()
    sampler = _TreeSampler()
    sampler.start()
    w0, c0 = time.perf_counter(), cpu_seconds()
    try:
        yield phase
    finally:
        phase.wall = time.perf_counter() - w0
        phase.cpu = cpu_seconds() - c0
        phase.tree_peak_mib = sampler.stop()
        phase.peak_mib = max(peak_rss_mib(), phase.tree_peak_mib)


@contextmanager
def predict_options(linker: Any, **options: Any) -> Iterator[Any]:
    """A fitted linker with options of predict set (``one_request_per_person``: the fit's
    candidates are read again, nothing fitted anew), its configuration as it was after."""
    before = linker.config
    linker.config = before.with_options(**options)
    try:
        yield linker
    finally:
        linker.config = before


def _rss_mib(pid: int) -> float:
    return _proc_mib(pid, "status", "VmRSS:")


def memory_cap_mib() -> float:
    """Workers are stopped above this RSS: 60% of RAM ($RFL_BENCH_MAX_RSS_MIB overrides), so
    that a tool that blows up cannot push others' work on a shared machine out of memory."""
    override = os.environ.get("RFL_BENCH_MAX_RSS_MIB")
    return float(override) if override else 0.6 * _ram_gib() * 1024


#: The environment variable naming a worker's scratch folder (:func:`run_worker`).
SCRATCH_VARIABLE = "RFL_BENCH_SCRATCH"


def run_worker(task: dict[str, Any], *, timeout: float | None = None) -> dict[str, Any]:
    """Run ``python -m benchmarks _worker`` on a task in a fresh process; its JSON result.

    A fresh process per measurement keeps peak memory honest (nothing left over from an
    earlier size or tool) and lets one tool crash, time out or outgrow the memory cap
    without ending the suite.

    The worker's scratch files (DuckDB's spill files, which it writes to ``.tmp`` in the
    working directory unless told otherwise) go to a folder of its own,
    :data:`SCRATCH_VARIABLE`, removed when it ends, however it ends: a Splink run stopped
    at the memory cap left 59 GB of them in the checkout.
    """
    cmd = [sys.executable, "-m", "benchmarks", "_worker", json.dumps(task)]
    cap = memory_cap_mib()
    started = time.perf_counter()
    with (
        tempfile.TemporaryFile("w+") as out,
        tempfile.TemporaryFile("w+") as err,
        tempfile.TemporaryDirectory(prefix="rfl-bench-") as scratch,
    ):
        env = {**os.environ, SCRATCH_VARIABLE: scratch}
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=out, stderr=err, text=True, env=env)
        stopped = ""
        peak = 0.0
        while proc.poll() is None:
            time.sleep(0.5)
            peak = max(peak, _rss_mib(proc.pid))
            elapsed = time.perf_counter() - started
            if peak > cap:
                stopped = f"stopped at {peak:,.0f} MiB RSS (cap {cap:,.0f}) after {elapsed:.0f} s"
            elif timeout is not None and elapsed > timeout:
                stopped = f"stopped after {elapsed:.0f} s (time limit)"
            if stopped:
                proc.kill()
                proc.wait()
                log(stopped)
                return {"error": stopped}
        elapsed = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    for line in reversed(stdout.splitlines()):
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT ") :])
            result.setdefault("process_seconds", elapsed)
            return result
    if proc.returncode < 0:
        return {"error": f"stopped by signal {-proc.returncode} after {elapsed:.0f} s"}
    tail = (stderr or stdout).strip().splitlines()[-8:]
    return {"error": f"exit {proc.returncode}: " + " | ".join(tail)}


def emit(result: dict[str, Any]) -> None:
    """A worker's result, as the last line the parent looks for."""
    result["peak_rss_mib"] = peak_rss_mib()
    print("RESULT " + json.dumps(result, default=float), flush=True)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- pairwise quality -------------------------------------------------------------------


def pair_keys(left: Iterable[Any], right: Iterable[Any], *, unordered: bool = False) -> pd.Index:
    """Pair identities as strings, ``left<US>right`` (sorted within the pair if unordered)."""
    a = pd.Series(list(left), dtype=object).astype(str)
    b = pd.Series(list(right), dtype=object).astype(str)
    if unordered:
        swap = a > b
        a, b = a.where(~swap, b), b.where(~swap, a)
    return pd.Index(a + "\x1f" + b)


def gives_birth(records: pd.DataFrame) -> npt.NDArray[np.bool_]:
    """Per record, whether it gives a birth: a date of birth or an age, not blank."""
    given = np.zeros(len(records), dtype=bool)
    for column in ("date_of_birth", "age"):
        if column in records.columns:
            given |= np.asarray(records[column].fillna("").astype(str).str.strip() != "")
    return given


def birthless_pairs(data: Any) -> pd.DataFrame:
    """The true pairs of which a record, the request's or the sighting's, gives no birth
    (:func:`gives_birth`)."""
    truth = data.truth
    sides = []
    for frame, column in ((data.requests, "request_id"), (data.sightings, "sighting_id")):
        ids = truth[column]
        given = pd.Series(gives_birth(frame), index=frame["record_id"].to_numpy())
        sides.append(given.reindex(ids.to_numpy(), fill_value=False).to_numpy())
    out: pd.DataFrame = truth[~(sides[0] & sides[1])]
    return out


#: The years either side of a record's age in the range :func:`with_rough_ages` writes.
ROUGH_AGE_YEARS = 10


def with_rough_ages(data: Any) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The requests and sightings with an age range written where a record of a true pair
    gives no birth and the other record of the pair gives a date of birth: the record's
    age as of its source date by that year of birth, :data:`ROUGH_AGE_YEARS` either side
    (from 0); and the true pairs of the records so written."""
    frames = {"request": data.requests.copy(), "sighting": data.sightings.copy()}
    birthless = birthless_pairs(data)
    written = np.zeros(len(birthless), dtype=bool)
    for side, other in (("request", "sighting"), ("sighting", "request")):
        mine, theirs = frames[side].set_index("record_id"), frames[other].set_index("record_id")
        ids, other_ids = birthless[f"{side}_id"], birthless[f"{other}_id"]
        none = ~gives_birth(mine.loc[ids])
        born = pd.to_numeric(
            theirs.loc[other_ids, "date_of_birth"].fillna("").astype(str).str[:4],
            errors="coerce",
        ).to_numpy()
        seen = pd.to_numeric(
            mine.loc[ids, "source_date"].fillna("").astype(str).str[:4], errors="coerce"
        ).to_numpy()
        rows = none & ~np.isnan(born) & ~np.isnan(seen)
        age = (seen - born)[rows].astype(int)
        ranges = [
            f"{max(a - ROUGH_AGE_YEARS, 0)}-{max(a, 0) + ROUGH_AGE_YEARS}" for a in age.tolist()
        ]
        ages = dict(zip(ids[rows].tolist(), ranges, strict=True))
        frame = frames[side]
        held = frame["record_id"].isin(ages)
        frame["age"] = frame["age"].astype(object).where(~held, frame["record_id"].map(ages))
        written |= rows
    return frames["request"], frames["sighting"], birthless[written]


def rough_age_reading(linker: Any, data: Any, matches: pd.DataFrame) -> dict[str, Any]:
    """The true pairs :func:`with_rough_ages` writes an age range for (a record gives no
    birth, the other a date of birth): their pairs completeness (``blocking_report`` with
    them as the labels) and recall at the default threshold and top_k, as drawn (the
    fitted ``linker`` and its ``matches``) and with the ranges written (a default linker
    fitted on those frames); and the scores of all the pairs then. Not timed."""
    import rfl_match as rm

    requests, sightings, pairs = with_rough_ages(data)
    keys = pair_keys(pairs["request_id"], pairs["sighting_id"])
    truth = pair_keys(data.truth["request_id"], data.truth["sighting_id"])
    drawn = linker.blocking_report(data.requests, data.sightings, labels=pairs)
    refit = rm.Linker().fit(requests, sightings)
    written = refit.blocking_report(requests, sightings, labels=pairs)
    found = refit.predict(requests, sightings)
    found_keys = pair_keys(found["request_id"], found["sighting_id"])
    drawn_keys = pair_keys(matches["request_id"], matches["sighting_id"])
    scores = score_pairs(found_keys, truth)
    return {
        "pairs": len(pairs),
        "completeness_drawn": float(drawn.iloc[-1]["pairs_completeness"]),
        "completeness": float(written.iloc[-1]["pairs_completeness"]),
        "recall_drawn": float(keys.isin(drawn_keys).mean()) if len(keys) else None,
        "recall": float(keys.isin(found_keys).mean()) if len(keys) else None,
        "precision_all": scores.precision,
        "recall_all": scores.recall,
        "f1": scores.f1,
    }


#: The slips of the pen :func:`with_date_slips` writes into a date of birth: a day one off
#: (in its month), the day's two digits swapped (12 for 21), the day and month swapped
#: (as a file read in the other order gives them), a month one off (in its year).
DATE_SLIPS = (
    "a day one off",
    "the day's digits swapped",
    "day and month swapped",
    "a month one off",
)


def _slipped(text: str, kind: int) -> str | None:
    """A ``YYYY-MM-DD`` date with slip ``kind`` of :data:`DATE_SLIPS` written into it, or
    None where that slip gives no other valid date."""
    import datetime

    year, month, day = (int(x) for x in text.split("-"))
    if kind == 0:
        day += 1 if day < 28 else -1
    elif kind == 1:
        day = int(f"{day:02d}"[::-1])
    elif kind == 2:
        month, day = day, month
    else:
        month += 1 if month < 12 else -1
    try:
        slipped = datetime.date(year, month, day).isoformat()
    except ValueError:
        return None
    return None if slipped == text else slipped


def with_date_slips(data: Any, seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The requests and sightings with a slip of the pen (:data:`DATE_SLIPS`, one drawn
    per pair, the next where it gives no other date) written into the sighting's date of
    birth, where both records of a true pair give the same full date; and those true
    pairs, with the slip each took (``slip``). Drawn by ``seed``."""
    truth = data.truth
    own = data.requests.set_index("record_id")["date_of_birth"].astype(str)
    seen = data.sightings.set_index("record_id")["date_of_birth"].astype(str)
    asked = own.loc[truth["request_id"]].to_numpy()
    given = seen.loc[truth["sighting_id"]].to_numpy()
    full = np.array([bool(re.fullmatch(r"\d{4}-\d{2}-\d{2}", x)) for x in given.tolist()])
    rows = np.flatnonzero(full & (asked == given))
    rng_kinds = np.random.default_rng(seed).integers(0, len(DATE_SLIPS), size=len(rows))
    written: dict[str, str] = {}
    kinds: list[int] = []
    kept: list[int] = []
    for row, first in zip(rows.tolist(), rng_kinds.tolist(), strict=True):
        sighting = str(truth["sighting_id"].iat[row])
        if sighting in written:
            continue  # a sighting of two requests' person: written once
        for step in range(len(DATE_SLIPS)):
            kind = (first + step) % len(DATE_SLIPS)
            slipped = _slipped(str(given[row]), kind)
            if slipped is not None:
                written[sighting] = slipped
                kinds.append(kind)
                kept.append(row)
                break
    sightings = data.sightings.copy()
    held = sightings["record_id"].isin(written)
    sightings["date_of_birth"] = (
        sightings["date_of_birth"].astype(object).where(~held, sightings["record_id"].map(written))
    )
    pairs = truth.iloc[kept].reset_index(drop=True)
    pairs["slip"] = [DATE_SLIPS[k] for k in kinds]
    return data.requests, sightings, pairs


def slip_reading(linker: Any, data: Any, matches: pd.DataFrame, seed: int) -> dict[str, Any]:
    """The true pairs :func:`with_date_slips` writes a slip into: their recall at the
    default threshold and top_k as drawn (the fitted ``linker``'s ``matches``) and with
    the slips written (a default linker fitted on those frames), in all and by slip; and
    the scores of all the pairs then. Not timed."""
    import rfl_match as rm

    requests, sightings, pairs = with_date_slips(data, seed)
    keys = pair_keys(pairs["request_id"], pairs["sighting_id"])
    truth = pair_keys(data.truth["request_id"], data.truth["sighting_id"])
    refit = rm.Linker().fit(requests, sightings)
    found = refit.predict(requests, sightings)
    found_keys = pair_keys(found["request_id"], found["sighting_id"])
    drawn_keys = pair_keys(matches["request_id"], matches["sighting_id"])
    by_slip = {
        slip: (
            int(mask.sum()),
            float(keys[mask].isin(drawn_keys).mean()),
            float(keys[mask].isin(found_keys).mean()),
        )
        for slip in DATE_SLIPS
        if (mask := (pairs["slip"] == slip).to_numpy()).any()
    }
    scores = score_pairs(found_keys, truth)
    return {
        "pairs": len(pairs),
        "recall_drawn": float(keys.isin(drawn_keys).mean()) if len(keys) else None,
        "recall": float(keys.isin(found_keys).mean()) if len(keys) else None,
        "by_slip": by_slip,
        "precision_all": scores.precision,
        "recall_all": scores.recall,
        "f1": scores.f1,
    }


#: The cultures whose registers the quality suite writes family name first and marked so
#: (:func:`with_family_first`): francophone (Congolese) lists, Ukrainian and Russian, and
#: Central American; the share of their records so written, and the two marks.
FAMILY_FIRST_CULTURES = ("congolese", "ukrainian", "russian", "central_american")
FAMILY_FIRST_SHARE = 0.5
FAMILY_FIRST_MARKS = ("capitals", "comma")


def with_family_first(
    data: Any, seed: int, *, marked: bool = True
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """The requests and sightings with :data:`FAMILY_FIRST_SHARE` of the records of
    :data:`FAMILY_FIRST_CULTURES` whose full name ends with their family name field written
    in one field, family name first and marked so, as a register writes them: in capitals
    ("MUKENDI Jean-Pierre") or with a comma ("Mukendi, Jean-Pierre"), one drawn a record,
    the given and family name fields left blank (the list has one name column); and the
    true pairs with either record so written, with the mark (``mark``: the request's,
    else the sighting's). Drawn by ``seed``. Not ``marked``: the same records' fields
    left blank, their full names as drawn (given name first), the marks drawn alike."""
    rng = np.random.default_rng(seed)
    frames = {"request": data.requests.copy(), "sighting": data.sightings.copy()}
    marks: dict[str, dict[str, str]] = {}
    for side, frame in frames.items():
        culture = side_frame(data.corruptions, side)["culture"]
        full = frame["full_name"].fillna("").astype(str)
        family = frame["family_name"].fillna("").astype(str).str.strip()
        given = pd.Series(
            [
                f[: -len(g)].strip() if g and f.endswith(g) else ""
                for f, g in zip(full, family, strict=True)
            ],
            index=frame.index,
        )
        eligible = (
            culture.reindex(frame["record_id"]).isin(FAMILY_FIRST_CULTURES).to_numpy()
            & (given != "").to_numpy()
        )
        chosen = eligible & (rng.random(len(frame)) < FAMILY_FIRST_SHARE)
        kind = rng.integers(0, len(FAMILY_FIRST_MARKS), size=len(frame))
        written = [
            f"{f.upper()} {g}" if k == 0 else f"{f}, {g}"
            for f, g, k in zip(family[chosen], given[chosen], kind[chosen], strict=True)
        ]
        if marked:
            frame.loc[chosen, "full_name"] = written
        frame.loc[chosen, ["given_name", "family_name"]] = ""
        ids = frame.loc[chosen, "record_id"].astype(str)
        marks[side] = dict(zip(ids, (FAMILY_FIRST_MARKS[k] for k in kind[chosen]), strict=True))
    truth = data.truth[["request_id", "sighting_id"]].copy()
    mark = truth["request_id"].astype(str).map(marks["request"])
    mark = mark.fillna(truth["sighting_id"].astype(str).map(marks["sighting"]))
    pairs = truth[mark.notna().to_numpy()].reset_index(drop=True)
    pairs["mark"] = mark.dropna().to_numpy()
    return frames["request"], frames["sighting"], pairs


def family_first_reading(
    linker: Any, data: Any, matches: pd.DataFrame, seed: int
) -> dict[str, Any]:
    """The true pairs :func:`with_family_first` writes a record of: their recall at the
    default threshold and top_k as drawn (the fitted ``linker``'s ``matches``), in one
    name field given name first (``one_field``) and family name first and marked so
    (``recall``; a default linker fitted on each's frames), in all and by mark (pairs,
    as drawn, one field, marked); and the scores of all the pairs, marked. Not timed."""
    import rfl_match as rm

    drawn_keys = pair_keys(matches["request_id"], matches["sighting_id"])
    truth = pair_keys(data.truth["request_id"], data.truth["sighting_id"])
    found: dict[bool, pd.Index] = {}
    for marked in (False, True):
        requests, sightings, pairs = with_family_first(data, seed, marked=marked)
        predicted = rm.Linker().fit(requests, sightings).predict(requests, sightings)
        found[marked] = pair_keys(predicted["request_id"], predicted["sighting_id"])
    keys = pair_keys(pairs["request_id"], pairs["sighting_id"])

    def recall(mask: Any, of: pd.Index) -> float:
        return float(keys[mask].isin(of).mean())

    by_mark = {
        mark: (
            int(mask.sum()),
            recall(mask, drawn_keys),
            recall(mask, found[False]),
            recall(mask, found[True]),
        )
        for mark in FAMILY_FIRST_MARKS
        if (mask := (pairs["mark"] == mark).to_numpy()).any()
    }
    every = np.ones(len(keys), dtype=bool)
    scores = score_pairs(found[True], truth)
    return {
        "pairs": len(pairs),
        "recall_drawn": recall(every, drawn_keys) if len(keys) else None,
        "one_field": recall(every, found[False]) if len(keys) else None,
        "recall": recall(every, found[True]) if len(keys) else None,
        "by_mark": by_mark,
        "precision_all": scores.precision,
        "recall_all": scores.recall,
        "f1": scores.f1,
    }


def side_frame(corruptions: pd.DataFrame, side: str) -> pd.DataFrame:
    """The generator's record table (``Synthetic.corruptions``) of one side ("request",
    "sighting"): culture and corruptions, by record id."""
    mask = corruptions["side"].astype(str).str.lower().str.startswith(side[0])
    return corruptions.loc[mask, ["record_id", "culture", "corruptions"]].set_index("record_id")


@dataclass(frozen=True)
class PairScores:
    true_pairs: int
    predicted_pairs: int
    true_positives: int

    @property
    def precision(self) -> float:
        return self.true_positives / self.predicted_pairs if self.predicted_pairs else 0.0

    @property
    def recall(self) -> float:
        return self.true_positives / self.true_pairs if self.true_pairs else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_pairs(predicted: pd.Index, truth: pd.Index) -> PairScores:
    predicted, truth = predicted.unique(), truth.unique()
    return PairScores(len(truth), len(predicted), int(predicted.isin(truth).sum()))


def cluster_pairs(clusters: pd.DataFrame) -> pd.Index:
    """Unordered within-cluster pairs of a ``record_id, cluster_id`` table."""
    left: list[str] = []
    right: list[str] = []
    for _, ids in clusters.groupby("cluster_id")["record_id"]:
        members = sorted(ids.astype(str))
        for i, a in enumerate(members):
            for b in members[i + 1 :]:
                left.append(a)
                right.append(b)
    return pair_keys(left, right, unordered=True)


# --- markdown ---------------------------------------------------------------------------


def fmt(value: Any, digits: int = 4) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, int | np.integer):
        return f"{int(value):,}"
    if isinstance(value, float | np.floating):
        x = float(value)
        if np.isnan(x):
            return "–"
        if abs(x) >= 1000:
            return f"{x:,.0f}"
        if abs(x) >= 100:
            return f"{x:.1f}"
        return f"{x:.{digits}g}" if abs(x) < 1 and x != 0 else f"{x:.{min(digits, 3)}g}"
    return str(value).replace("|", "\\|")


def table(rows: Sequence[dict[str, Any]], columns: Sequence[str] | None = None) -> list[str]:
    if not rows:
        return ["(no rows)"]
    columns = list(columns or rows[0].keys())
    out = ["| " + " | ".join(columns) + " |", "|" + "|".join("---" for _ in columns) + "|"]
    for row in rows:
        out.append("| " + " | ".join(fmt(row.get(c)) for c in columns) + " |")
    return out


def write_section(name: str, lines: Sequence[str], path: Path = RESULTS) -> None:
    """Replace (or append) the text between this section's markers; keep everything else."""
    begin, end = f"<!-- BEGIN {name} -->", f"<!-- END {name} -->"
    block = "\n".join([begin, *lines, end])
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    if not text.strip():
        text = (
            "# Benchmark results\n\n"
            "Written by `python -m benchmarks` (sections between BEGIN/END markers) and by "
            "`benchmarks/bench_names.py` (the Names section). Edit the code, not the numbers.\n"
        )
    pattern = re.compile(re.escape(begin) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _: block, text, count=1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(text, encoding="utf-8")
    shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    log(f"wrote section {name!r} of {shown}")


def header(title: str, command: str) -> list[str]:
    return [f"## {title}", "", f"Command: `{command}`", "", *machine_lines(), ""]
