"""The command line: ``rfl-match link REQUESTS SIGHTINGS -o MATCHES`` and friends.

Thin: parse arguments, call the library, print. Errors go to stderr without a traceback;
exit codes: 0 success, 2 usage or configuration error, 3 data error. Progress goes to
stderr (``--quiet`` silences it), the summary to stdout.
"""

from __future__ import annotations

import argparse
import filecmp
import importlib
import json
import os
import re
import sys
import time
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from rfl_match.cluster import cluster_pairs, pairs_within
from rfl_match.config import (
    CALENDAR_INPUTS,
    ConfigError,
    LinkConfig,
    calendars_of,
    check_threshold,
    check_top_k,
    toml_value,
)
from rfl_match.io import (
    LoadedRecords,
    OutputError,
    load_records,
    read_header,
    read_pairs,
    read_table,
    write_table,
)
from rfl_match.io.pfif import check_person_ids
from rfl_match.io.read import RecordsRejected, input_format
from rfl_match.io.write import output_format
from rfl_match.linker import COMPETITION_COLUMN, SIGHTING_COLUMN, Linker, ModelError
from rfl_match.privacy import (
    EncodingError,
    SecretKeyError,
    check_encodings,
    encode_records,
    encoded_config,
    key_check,
    new_key,
    pseudonym_table,
    pseudonymise,
    read_key,
)
from rfl_match.schema import (
    DECISION_COLUMNS,
    DECISION_WORDS,
    ID_FIELD,
    MappingError,
    Problem,
    RecordError,
    blank_overlong,
    decision_column,
    decisions,
    doubled_columns,
    is_encoded,
)
from rfl_match.scoring import NoCandidatePairs, ScoringError

EXIT_OK, EXIT_USAGE, EXIT_DATA = 0, 2, 3


class UsageError(Exception):
    """A command given what it cannot use (a file of records where pairs are wanted):
    ``main`` says so as a usage error, exit 2."""


_SHOWN_PROBLEMS = 20


class _Progress:
    """Stage lines with timings on stderr: "reading requests ... 1.2 s"."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet

    @contextmanager
    def stage(self, what: str) -> Iterator[None]:
        started = time.perf_counter()
        if not self.quiet:
            print(f"{what} ...", file=sys.stderr, flush=True)
        yield
        if not self.quiet:
            print(f"{what}: {time.perf_counter() - started:.1f} s", file=sys.stderr, flush=True)


# --- arguments -----------------------------------------------------------------------


#: Commands (and the option) also taken as spelled the other way, British or American.
_SPELLED = {"normalize": ("normalise",), "pseudonymise": ("pseudonymize",)}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rfl-match",
        description="Match tracing requests against sighting records (Restoring Family "
        "Links). Proposes candidates for a person to review; confirms nothing. Files are "
        "read and written by suffix: .csv, .xlsx, .parquet, .xml (PFIF).",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    link = sub.add_parser("link", help="rank sightings for each tracing request")
    link.add_argument("requests", type=Path, help="tracing requests (CSV, xlsx, parquet, PFIF)")
    link.add_argument("sightings", type=Path, help="sighting records (same formats)")
    link.add_argument(
        "-o", "--output", type=Path, required=True, help="matches (.csv, .xlsx, .parquet, .xml)"
    )
    _add_config(link)
    link.add_argument("--threshold", type=float, help="lowest match probability kept")
    link.add_argument(
        "--top-k", type=int, help="candidates kept per request (0: all; ties at the last kept)"
    )
    link.add_argument(
        "--model",
        type=Path,
        help="use this saved model instead of fitting (without --config, its configuration "
        "reads the files: their column mapping, their date columns)",
    )
    link.add_argument("--save-model", type=Path, help="write the fitted model here (JSON)")
    link.add_argument(
        "--pairs",
        type=Path,
        help="score these pairs (request_id, sighting_id; .csv, .xlsx, .parquet, PFIF notes) "
        "in place of the candidates blocking finds; --threshold and --top-k still apply",
    )
    link.add_argument(
        "--review", type=Path, help="also write a review file for a tracing officer (.xlsx, .csv)"
    )
    _add_rejects(link)
    link.add_argument(
        "--pfif-domain",
        default="rfl-match.invalid",
        help="domain of the note ids in PFIF output (default: %(default)s)",
    )
    _add_pseudonymise(
        link,
        "request and sighting ids",
        "The review and rejects files, for the data holder, keep the real ids. Not with .xml "
        "output: PFIF notes link person records by their ids",
    )
    _add_quiet(link)

    dedupe = sub.add_parser("dedupe", help="find records of one list that are the same person")
    dedupe.add_argument("records", type=Path, help="records (CSV, xlsx, parquet, PFIF)")
    dedupe.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="clusters, proposals to review (nothing is merged): record_id, cluster_id, "
        "and each grouped record's strongest link in its cluster: linked_to, "
        "match_probability, explanation",
    )
    _add_config(dedupe)
    dedupe.add_argument(
        "--threshold", type=float, default=0.9, help="match probability to join two records"
    )
    dedupe.add_argument(
        "--min-pair-probability",
        type=float,
        help="least match probability of every two records in a cluster, whether blocking "
        "compared them or not (a probability, at most --threshold; default: the threshold)",
    )
    _add_rejects(dedupe)
    _add_pseudonymise(
        dedupe, "record ids", "The rejects file, for the data holder, keeps the real ids"
    )
    _add_quiet(dedupe)

    normalize = sub.add_parser(
        "normalize",
        aliases=list(_SPELLED["normalize"]),
        help="show how names are read: tokens, variants, keys",
    )
    normalize.add_argument(
        "input",
        help="a file with a names column, or - for one name a line on stdin (read as files "
        "are: UTF-8, UTF-16, else a Windows code page); the output is UTF-8",
    )
    normalize.add_argument("--column", help="the names column (default: full_name)")
    normalize.add_argument("-o", "--output", type=Path, help="output file (default: stdout, CSV)")

    synth = sub.add_parser("synth", help="write a synthetic data set with its ground truth")
    synth.add_argument("directory", type=Path, help="folder to write requests, sightings, truth")
    synth.add_argument("--requests", type=int, default=1000, help="tracing requests")
    synth.add_argument("--sightings", type=int, default=5000, help="sighting records")
    synth.add_argument("--seed", type=int, default=42, help="random seed")
    synth.add_argument(
        "--force", action="store_true", help="overwrite the files a folder holds already"
    )

    evaluate = sub.add_parser("evaluate", help="score a matches file against the truth")
    evaluate.add_argument(
        "matches", type=Path, help="matches written by link (.csv, .xlsx, .parquet, .xml)"
    )
    evaluate.add_argument(
        "truth",
        type=Path,
        help="true pairs: request_id, sighting_id (same formats); with an is_match column, or "
        "a review file's decision column (reviewed pairs: yes/no, true/false, 1/0 or same "
        "person/not the same person, blank for no decision), the matches alone",
    )
    evaluate.add_argument("--threshold", type=float, help="count only matches at or over this")
    evaluate.add_argument("--json", action="store_true", help="print the scores as JSON")

    explain = sub.add_parser("explain", help="why one pair scores what it scores")
    explain.add_argument("requests", type=Path)
    explain.add_argument("sightings", type=Path)
    explain.add_argument("request_id")
    explain.add_argument("sighting_id")
    explain.add_argument(
        "--model",
        type=Path,
        help="a saved model (default: fit one); without --config, it reads the files",
    )
    explain.add_argument(
        "--matches",
        type=Path,
        help="the matches link wrote with this model from these files: the total is then the "
        "pair's there, with the terms predict adds (competition_weight, sighting_weight); "
        "without it, the pair's own evidence alone",
    )
    _add_config(explain)

    init = sub.add_parser("init-config", help="write a starter configuration from file headers")
    init.add_argument("inputs", type=Path, nargs="+", help="the files to be linked")
    init.add_argument(
        "-o", "--output", type=Path, default=Path("match.toml"), help="default: %(default)s"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")

    keygen = sub.add_parser("keygen", help="write a new secret key for --pseudonymise")
    keygen.add_argument(
        "file", type=Path, help="the key file to write, readable by you alone (never overwritten)"
    )

    table = sub.add_parser(
        "pseudonymise",
        aliases=list(_SPELLED["pseudonymise"]),
        help="the key holder's table from record ids to the pseudonyms that --pseudonymise wrote",
    )
    table.add_argument(
        "records",
        type=Path,
        help="the records whose ids were pseudonymised (read as link reads them), or a "
        "table of ids with --ids-column",
    )
    table.add_argument(
        "--key", type=Path, required=True, metavar="KEYFILE", help="the key they were written with"
    )
    table.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="record_id, pseudonym (.csv, .xlsx, .parquet)",
    )
    table.add_argument(
        "--ids-column", help="take the ids from this column of any table (no mapping, no names)"
    )
    _add_config(table)

    encode = sub.add_parser(
        "encode",
        help="encode records (keyed Bloom filters) to match without sharing names",
        description="Writes records another party can match without seeing a name: keyed "
        "Bloom filters of the person's, father's and mother's names, keyed blocking keys, "
        "the birth cut to --birth and the sex. Both parties encode with the same key "
        "(rfl-match keygen, shared out of band); the party that links the two encoded "
        "files (rfl-match link A.csv B.csv) must not hold it. What an encoded file still "
        "reveals: see rfl_match.privacy.bloom.",
    )
    encode.add_argument("records", type=Path, help="the records to encode (as link reads them)")
    encode.add_argument(
        "--key", type=Path, required=True, metavar="KEYFILE", help="the key both parties share"
    )
    encode.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        help="the encoded records (.csv, .xlsx, .parquet)",
    )
    encode.add_argument(
        "--birth",
        choices=("year", "month", "day", "none"),
        default="year",
        help="how much of the dates of birth and source dates to keep (default: "
        "%(default)s; none drops them and the age)",
    )
    encode.add_argument("--no-sex", action="store_true", help="leave the sex out")
    encode.add_argument(
        "--input",
        choices=CALENDAR_INPUTS,
        default="records",
        help="which input of --config's the records are, for the calendars it names for that "
        "input (default: %(default)s, a dedupe's one list; the requests or sightings of a "
        "link)",
    )
    encode.add_argument(
        "--keys",
        choices=("parts", "paired"),
        default="parts",
        help="the blocking keys' form, the same for both parties (default: %(default)s, a "
        "key per name part; paired keys the list's common names only in pairs with "
        "another of the record's, which frequency attacks read far less; "
        "see rfl_match.privacy.bloom)",
    )
    encode.add_argument(
        "--pseudonymise-ids",
        *(f"--{other}-ids" for other in _SPELLED["pseudonymise"]),
        dest="pseudonymise_ids",
        type=Path,
        metavar="OWN_KEYFILE",
        help="write the record ids as keyed pseudonyms under a key of your own, never the "
        "shared one (the partner could recompute them from guessed ids); `rfl-match "
        "pseudonymise RECORDS --key OWN_KEYFILE` maps them back",
    )
    _add_config(encode)
    _add_rejects(encode)
    _add_quiet(encode)
    return parser


def _add_config(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--config", type=Path, help="configuration (TOML): mapping, comparisons, blocking"
    )


def _add_rejects(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rejects",
        type=Path,
        help="where to list rejected rows and problems (default: <output>.rejects.csv); "
        "written on every run, with its header only when nothing was rejected or noted, "
        "so that it never describes an earlier run",
    )
    parser.add_argument(
        "--strict", action="store_true", help="stop (exit 3) if any row is rejected"
    )


def _add_pseudonymise(parser: argparse.ArgumentParser, ids: str, kept: str) -> None:
    parser.add_argument(
        "--pseudonymise",
        *(f"--{other}" for other in _SPELLED["pseudonymise"]),
        dest="pseudonymise",
        type=Path,
        metavar="KEYFILE",
        help=f"write the {ids} of -o as keyed pseudonyms (p- and 16 hexadecimal digits), "
        "for a file that leaves the tracing service; `rfl-match keygen` makes a key, "
        f"`rfl-match pseudonymise` the key holder's table back to the ids. {kept}",
    )


def _add_quiet(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--quiet", action="store_true", help="print nothing but errors")


# --- shared steps --------------------------------------------------------------------


def _config(path: Path | None) -> LinkConfig:
    # from_toml says what is wrong with the file (not found, not UTF-8, a value, a mapping
    # target that nothing uses) as a ConfigError
    return LinkConfig() if path is None else LinkConfig.from_toml(path)


def _check_options(**options: Any) -> None:
    """Command-line options checked as the same keys of a configuration file are (a
    threshold is a probability, top_k 0 or more), the error naming the option."""
    checks: dict[str, Callable[[Any], object]] = {
        "threshold": check_threshold,
        "top_k": check_top_k,
        "min_pair_probability": check_threshold,
    }
    for key, value in options.items():
        if value is None:
            continue
        try:
            checks[key](value)
        except ConfigError as exc:
            option = "--" + key.replace("_", "-")
            raise ConfigError(f"{option}: {str(exc).partition(': ')[2]}") from None


def _rejects_path(args: argparse.Namespace) -> Path:
    if args.rejects is not None:
        return Path(args.rejects)
    output = Path(args.output)
    if _shared_output(args):  # beside a file that is sent, a name that says it is not
        return output.with_name(f"{output.stem}.rejects.private.csv")
    return output.with_name(f"{output.stem}.rejects.csv")


def _write_private(
    frame: pd.DataFrame,
    path: Path,
    write: Callable[[pd.DataFrame, Path], None] = write_table,
) -> None:
    """Write ``frame`` to ``path`` (with ``write``) readable by its owner alone: every file
    holding names in clear (the rejects file, the review file, normalized names) and the
    table that undoes pseudonyms. The file is 0600 before a row is written, whatever the
    umask, and after (a writer that replaced it): on a shared server, no other account
    reads the people in it."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        if hasattr(os, "fchmod"):  # POSIX; Windows has no modes
            os.fchmod(descriptor, 0o600)
    finally:
        os.close(descriptor)
    write(frame, path)
    os.chmod(path, 0o600)


def _shared_output(args: argparse.Namespace) -> bool:
    """Whether ``-o`` is meant to leave the data holder (encoded records, pseudonymised
    ids), while the rejects file beside it holds names and ids in clear."""
    return args.command == "encode" or getattr(args, "pseudonymise", None) is not None


#: Said of the rejects file beside a file that is sent.
_PRIVATE_REJECTS = "names and ids in clear: keep it, never send it"


def _rejects_label(args: argparse.Namespace) -> str:
    return "--rejects" if args.rejects is not None else "the rejects file (from -o)"


def _check_rejects_format(args: argparse.Namespace) -> None:
    if args.rejects is not None and output_format(args.rejects) == "pfif":
        raise OutputError(f"{args.rejects}: a rejects file is .csv, .xlsx or .parquet")


def _same_file(a: Path, b: Path) -> bool:
    """Whether two paths name one file: the same path once links are followed, or (both
    existing) one file on disk reached another way (a hard link, a bind mount)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:  # one of them does not exist yet: the paths above were the test
        return False


def _check_overwrites(
    inputs: Sequence[tuple[str, Path | None]], outputs: Sequence[tuple[str, Path | None]]
) -> None:
    """Refuse, before any work, an output that is an input or another output: writing it
    would destroy the input (the requests replaced by the matches) or the other output."""
    read = [(label, path) for label, path in inputs if path is not None]
    written = [(label, path) for label, path in outputs if path is not None]
    for index, (label, path) in enumerate(written):
        for other_label, other in read:
            if _same_file(path, other):
                raise OutputError(
                    f"{label} {path} would overwrite {other_label} ({other}); "
                    "choose another path (nothing was written)"
                )
        for other_label, other in written[:index]:
            if _same_file(path, other):
                raise OutputError(
                    f"{label} {path} and {other_label} {other} are the same file; "
                    "choose another path for one of them (nothing was written)"
                )


def _check_outputs(*paths: Path | None, tables: bool = True) -> None:
    """Fail before the long work, not after it: unknown suffixes (of tables; a model or a
    configuration is written whatever its suffix), folders given as files, missing folders."""
    for path in paths:
        if path is None:
            continue
        if tables:
            output_format(path)
        if path.is_dir():
            raise OutputError(f"{path} is a folder; give the name of a file to write")
        if not path.parent.is_dir():
            raise OutputError(f"{path}: the folder {path.parent} does not exist")


def _key(path: Path) -> bytes:
    """The key in ``path``, read before any work: a key file that cannot serve is a usage
    error (exit 2) said at once, not an OSError (exit 3) after the matching."""
    if not path.is_file():
        what = "is a folder" if path.is_dir() else "no such file"
        raise SecretKeyError(f"{path}: {what}; `rfl-match keygen FILE` writes a new key")
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            key = read_key(path)
        _warn(caught, quiet=False)  # a key others can read is said even with --quiet
        return key
    except OSError as exc:
        raise SecretKeyError(f"{path}: cannot read the key ({exc.strerror})") from None
    except SecretKeyError as exc:  # too short: say how to get one from here
        raise SecretKeyError(f"{exc}; `rfl-match keygen FILE` writes a new key") from None


def _check_shareable(args: argparse.Namespace) -> None:
    """Pseudonyms in PFIF notes would link person records that no repository holds."""
    if args.pseudonymise is not None and output_format(args.output) == "pfif":
        raise UsageError(
            f"{args.output}: --pseudonymise writes .csv, .xlsx or .parquet; PFIF notes link "
            "person records by their ids, and a pseudonym names no record"
        )


def _check_single(frame: pd.DataFrame, read: Sequence[str | None], source: Path | str) -> None:
    """Refuse a table in which a column the command reads appears more than once, as
    validation refuses records with one (a data error naming it), not a traceback."""
    problems = doubled_columns(frame.columns, [c for c in read if c is not None])
    if problems:
        raise RecordError(problems, str(source))


class _InputsRejected(RecordsRejected):
    """The errors of the inputs that proved unusable, kept by input (``errors``: label ->
    its error), and the inputs read (``read``), so that the rejects file gives each row of
    every input under its input's label, once. Said as the one input's own error where
    one is unusable, else as one: each file's problems named by it."""

    def __init__(
        self, errors: dict[str, RecordError], read: dict[str, LoadedRecords] | None = None
    ) -> None:
        if len(errors) == 1:
            (one,) = errors.values()
            problems, source = one.problems, one.source
        else:
            problems = [
                Problem(p.row, p.column, f"{e.source}: {p.message}", p.value)
                for e in errors.values()
                for p in e.problems
            ]
            source = "inputs"
        rejected = [
            r for e in errors.values() if isinstance(e, RecordsRejected) for r in e.rejected
        ]
        super().__init__(problems, source, rejected)
        self.errors = errors
        self.read = read or {}


def _read(
    sources: list[tuple[str, Path]],
    config: LinkConfig,
    progress: _Progress,
    *,
    keep_written: bool = False,
) -> dict[str, LoadedRecords]:
    """Read each input leniently; a mapping key found in no input is a configuration error.
    ``keep_written``: keep the sex, dates and ages as written, for the review file."""
    loaded: dict[str, LoadedRecords] = {}
    errors: dict[str, RecordError] = {}
    for label, path in sources:
        with progress.stage(f"reading {label} ({path})"):
            try:
                # LinkConfig has checked each mapping target already (a canonical field,
                # or a column the configuration uses): no warning, once per file, on top.
                # Its date columns are checked here, where each problem keeps its row.
                loaded[label] = load_records(
                    path,
                    config.mapping or None,
                    skip_absent_mapping=True,
                    warn_misspelled_targets=False,
                    date_fields=config.date_fields,
                    calendars=calendars_of(config.calendars, label),
                    keep_written=keep_written,
                )
            except RecordError as exc:
                errors[label] = exc
    # the configuration's mapping, which the columns of an input cannot follow
    wrong: dict[str, list[str]] = {}
    for error in errors.values():
        if isinstance(error, MappingError):
            for problem in error.problems:
                wrong.setdefault(str(problem), []).append(error.source)
    if wrong:
        raise ConfigError("; ".join(f"{' and '.join(s)}: {p}" for p, s in wrong.items()))
    if errors:
        raise _InputsRejected(errors, loaded)
    if config.mapping and loaded:
        # A key that names a column of no input is a mistake where an input lacks the
        # field it maps to (a header mistyped: that file's column would be left unread,
        # "Date de naisance"); where every input has the field, the configuration is one
        # written for other files too, and nothing is lost.
        unused = set.intersection(*(set(item.absent_mapping) for item in loaded.values()))
        lacking = {
            key
            for key in unused
            if any(config.mapping[key] not in item.records.columns for item in loaded.values())
        }
        if lacking:
            listed = ", ".join(repr(k) for k in config.mapping if k in lacking)
            raise ConfigError(f"mapping: column(s) {listed} found in no input file")
    return loaded


_REJECTS_COLUMNS = ("source", "row", "column", "action", "reason", "value")
# A row whose every cell is blank holds no record: left out, neither kept nor rejected.
_DROPPED_BLANK = "dropped (blank row)"
# A row noted in an input that was read, where another stopped the run: it was not kept
# for matching, for no matching was done (nor rejected: run again once the other is mended).
_READ_STOPPED = "read (run stopped)"


def _rejects_frame(loaded: dict[str, LoadedRecords], stopped: bool = False) -> pd.DataFrame:
    """The rejects file's rows: each input's notes and rejected rows, under its label.
    ``stopped``: the run stopped before matching, and a noted row that would have been
    kept says so."""
    kept = _READ_STOPPED if stopped else "kept"
    rows: list[dict[str, Any]] = []
    for label, item in loaded.items():
        rejected = {(r.row, r.reason) for r in item.rejected}
        rejected_rows = {r.row for r in item.rejected}
        dropped_rows = set(item.dropped_rows)
        for problem in item.problems:
            if (problem.row, problem.message) in rejected:
                continue
            if not problem.row:  # the whole input, or a note on its header (row 0)
                action = "noted"
            elif problem.row in dropped_rows:  # blank once its error values were blanked
                action = _DROPPED_BLANK
            else:  # a note on a row that is left out says so, not that the row was kept
                action = "rejected" if problem.row in rejected_rows else kept
            rows.append(
                {
                    "source": label,
                    "row": problem.row,
                    "column": problem.column or "",
                    "action": action,
                    "reason": problem.message,
                    "value": problem.value,
                }
            )
        for reject in item.rejected:
            rows.append(
                {
                    "source": label,
                    "row": reject.row,
                    "column": "",
                    "action": "rejected",
                    "reason": reject.reason,
                    "value": "",
                    **{f"field {k}": v for k, v in reject.fields.items()},
                }
            )
    if not rows:
        return pd.DataFrame({c: pd.Series([], dtype=str) for c in _REJECTS_COLUMNS})
    frame = pd.DataFrame(rows)
    frame["row"] = frame["row"].astype("Int64")
    frame = frame.sort_values(["source", "row"], kind="stable", na_position="first")
    return frame.fillna({c: "" for c in frame.columns if c != "row"})


def _write_rejects(frame: pd.DataFrame, path: Path, quiet: bool) -> None:
    """Write the rejects file (readable by its owner alone: it holds rows in clear), and
    say what writing it warned of (a cell cut to fit a workbook: the rest of a rejected
    row's text is then in its input file alone) as the run's warnings are said: a line
    each, none with --quiet."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        _write_private(frame, path)
    _warn(caught, quiet)


def _report_problems(
    loaded: dict[str, LoadedRecords], rejects: Path | None, quiet: bool, strict: bool = False
) -> tuple[int, int]:
    """Print the problems on stderr, write the rejects file (its header alone when there is
    nothing to list: a file left by an earlier run must not stand for this one; readable
    by its owner alone); (rows with problems, rejected). ``strict``: a rejected row stops
    the run (:func:`_strict_stop`), and the file says no row was kept."""
    # rows of records: not the header (row 0), whose notes name a column
    problem_rows = sum(len({p.row for p in item.problems if p.row}) for item in loaded.values())
    rejected = sum(len(item.rejected) for item in loaded.values())
    frame = _rejects_frame(loaded, stopped=strict and rejected > 0)
    if rejects is not None:
        _write_rejects(frame, rejects, quiet)
    if not quiet:
        # All of them where no rejects file lists them (normalize, evaluate, --pairs): a
        # rejected row is named with its reason somewhere, always.
        shown = _SHOWN_PROBLEMS if rejects is not None else None
        for label, item in loaded.items():
            for problem in item.problems[:shown]:
                print(f"{label}: {problem.logged()}", file=sys.stderr)
            more = len(item.problems) - _SHOWN_PROBLEMS
            if more > 0 and rejects is not None:
                print(
                    f"{label}: ... and {more:,} more problems (all in {rejects})", file=sys.stderr
                )
    return problem_rows, rejected


def _strict_stop(args: argparse.Namespace, rejected: int, rejects: Path) -> bool:
    if args.strict and rejected:
        print(
            f"rfl-match: data error: {rejected:,} row(s) rejected and --strict given; "
            f"nothing linked (rejected rows in {rejects})",
            file=sys.stderr,
        )
        return True
    return False


def _load_model(path: Path | None) -> tuple[Linker | None, list[warnings.WarningMessage]]:
    """The saved model of ``--model`` (none without it), loaded before the input files are
    read: with no --config, its configuration reads them (its mapping of their columns,
    its date columns), as the files it was fitted on were read; and the warnings its
    loading raised, shown with the run's (:func:`_warn`)."""
    if path is None:
        return None, []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        linker = Linker.load(path)
    return linker, list(caught)


def _warn(caught: list[warnings.WarningMessage], quiet: bool) -> None:
    if quiet:
        return
    for warning in caught:
        print(f"warning: {warning.message}", file=sys.stderr)


# --- commands ------------------------------------------------------------------------


def _link(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progress = _Progress(args.quiet)
    config = _config(args.config)
    _check_options(threshold=args.threshold, top_k=args.top_k)
    _check_outputs(args.output, args.review, args.rejects)
    _check_outputs(args.save_model, tables=False)
    if args.review is not None and output_format(args.review) not in ("csv", "xlsx"):
        raise OutputError(f"{args.review}: a review file is .xlsx or .csv")
    _check_rejects_format(args)
    _check_shareable(args)
    rejects = _rejects_path(args)
    _check_overwrites(
        [
            ("the requests", args.requests),
            ("the sightings", args.sightings),
            ("--config", args.config),
            ("--model", args.model),
            ("--pairs", args.pairs),
            ("--pseudonymise", args.pseudonymise),
        ],
        [
            ("-o", args.output),
            ("--review", args.review),
            ("--save-model", args.save_model),
            (_rejects_label(args), rejects),
        ],
    )
    _warn_same_inputs(args.requests, args.sightings)
    key = None if args.pseudonymise is None else _key(args.pseudonymise)
    given = None if args.pairs is None else _pair_files({"pairs": args.pairs}, "link --pairs")
    model, model_warnings = _load_model(args.model)
    if model is not None and args.config is None:
        config = model.config
    sources = [("requests", args.requests), ("sightings", args.sightings)]
    loaded = _read(sources, config, progress, keep_written=args.review is not None)
    requests, sightings = loaded["requests"].records, loaded["sightings"].records
    config = _encoded_config(requests, sightings, config, args.config, args.quiet)
    if output_format(args.output) == "pfif":
        # refused now, before the rejects file is written and the matching done
        check_person_ids(requests[ID_FIELD], sightings[ID_FIELD], args.output)
    private = _shared_output(args)
    problem_rows, rejected = _report_problems(loaded, rejects, args.quiet, args.strict)
    args.rejects_written = True
    if _strict_stop(args, rejected, rejects):
        return EXIT_DATA
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        linker: Linker | None = model
        if linker is None:
            with progress.stage("fitting the model (blocking, comparing, EM)"):
                linker = _fitted(config, requests, sightings, given is None)
        if linker.model_ is None:
            matches = linker.no_matches()
        else:
            with progress.stage("blocking, comparing and scoring"), _pairs_rows(given, args):
                matches = linker.predict(
                    requests,
                    sightings,
                    threshold=args.threshold,
                    top_k=args.top_k,
                    pairs=None if given is None else given["pairs"],
                )
        if args.save_model is not None and linker.model_ is not None:
            linker.save(args.save_model)
        with progress.stage(f"writing {args.output}"):
            shared = matches if key is None else pseudonymise(matches, key)
            write_table(shared, args.output, domain=args.pfif_domain)
        if args.review is not None:
            from rfl_match.io.review import review_table, write_review

            with progress.stage(f"writing the review file {args.review}"):
                table = review_table(
                    matches,
                    requests,
                    sightings,
                    requests_written=loaded["requests"].written,
                    sightings_written=loaded["sightings"].written,
                )
                _write_private(table, args.review, write_review)  # both records' names
    _warn(model_warnings + caught, args.quiet)
    if not args.quiet:
        print(f"records read      {len(requests):,} requests, {len(sightings):,} sightings")
        print(f"rows with problems {problem_rows:,} (listed on stderr)")
        kept = f" ({_PRIVATE_REJECTS})" if private else ""
        print(f"rows rejected     {rejected:,} -> {rejects}{kept}")
        print(f"pairs compared    {linker.training_.get('last_candidate_pairs', 0):,}")
        print(f"matches written   {len(matches):,} -> {args.output}")
        _print_pseudonymised(key, "the review and rejects files keep the real ids")
        if args.review is not None:
            print(f"review file       {args.review}")
        print(f"seconds           {time.perf_counter() - started:.1f}")
    if args.save_model is not None and linker.model_ is None:
        print(
            f"rfl-match: no model to save to {args.save_model}: nothing to learn from",
            file=sys.stderr,
        )
        return EXIT_DATA
    return EXIT_OK


def _warn_same_inputs(requests: Path, sightings: Path) -> None:
    """Say on stderr, even with --quiet, when the requests and the sightings are one file
    (one path, or two copies byte for byte): each record is then matched to itself, a
    mistyped argument or a job for dedupe. Not refused: a test of the matcher may mean it."""
    try:
        if _same_file(requests, sightings):
            same = "the same file"
        elif requests.stat().st_size == sightings.stat().st_size and filecmp.cmp(
            requests, sightings, shallow=False
        ):
            same = "two copies of one file"
        else:
            return
    except OSError:  # a file that cannot be read: reading it says so
        return
    print(
        f"warning: the requests ({requests}) and the sightings ({sightings}) are {same}: "
        "each record will be matched to itself. To find the records of one list that are "
        "the same person, use `rfl-match dedupe`",
        file=sys.stderr,
    )


@contextmanager
def _pairs_rows(given: dict[str, pd.DataFrame] | None, args: argparse.Namespace) -> Iterator[None]:
    """A pair of ``--pairs`` that names no record, said by its row in the file (predict
    numbers the pairs it is given from 1, but blank rows and rows with a blank id were
    left out before: the file's numbers are the frame's index, :func:`_pair_files`)."""
    try:
        yield
    except RecordError as exc:
        if given is None or exc.source != "pairs":
            raise
        rows = given["pairs"].index
        raise RecordError(
            [p._replace(row=int(rows[p.row - 1])) if p.row else p for p in exc.problems],
            str(args.pairs),
        ) from None


def _fitted(
    config: LinkConfig, records: pd.DataFrame, others: pd.DataFrame | None, empty_ok: bool = True
) -> Linker:
    """A Linker fitted on the inputs; where blocking found no pair to learn from (no record
    resembles another: nothing to propose, a result and not a fault of the data) and
    ``empty_ok``, one without a model (``model_`` None), said on stderr."""
    linker = Linker(config)
    try:
        return linker.fit(records, others)
    except NoCandidatePairs as exc:
        if not empty_ok:
            raise
        print(f"rfl-match: {exc}; nothing to propose", file=sys.stderr)
        return linker


def _dedupe(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progress = _Progress(args.quiet)
    config = _config(args.config)
    _check_options(threshold=args.threshold, min_pair_probability=args.min_pair_probability)
    floor = args.min_pair_probability
    if floor is not None and floor > args.threshold:  # it would keep apart what it links
        raise ConfigError(
            f"--min-pair-probability: {floor!r} is over --threshold ({args.threshold!r}); "
            "use a probability at most the threshold"
        )
    _check_outputs(args.output, args.rejects)
    if output_format(args.output) == "pfif":
        raise OutputError(f"{args.output}: clusters are written as .csv, .xlsx or .parquet")
    _check_rejects_format(args)
    rejects = _rejects_path(args)
    _check_overwrites(
        [
            ("the records", args.records),
            ("--config", args.config),
            ("--pseudonymise", args.pseudonymise),
        ],
        [("-o", args.output), (_rejects_label(args), rejects)],
    )
    key = None if args.pseudonymise is None else _key(args.pseudonymise)
    loaded = _read([("records", args.records)], config, progress)
    records = loaded["records"].records
    config = _encoded_config(records, records, config, args.config, args.quiet)
    private = _shared_output(args)
    problem_rows, rejected = _report_problems(loaded, rejects, args.quiet, args.strict)
    args.rejects_written = True
    if _strict_stop(args, rejected, rejects):
        return EXIT_DATA
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with progress.stage("fitting the model (blocking, comparing, EM)"):
            linker = _fitted(config, records, None)
        with progress.stage("blocking, comparing, scoring and clustering"):
            if linker.model_ is None:  # each record a cluster of its own
                none = np.zeros(0, dtype=np.intp)
                clusters = cluster_pairs(records[ID_FIELD].tolist(), none, none, np.zeros(0))
            else:
                clusters = linker.dedupe(
                    records, threshold=args.threshold, min_pair_probability=floor
                )
            compared = linker.training_.get("last_candidate_pairs", 0)
            clusters = _cluster_links(linker, records, clusters)
        shared = clusters if key is None else pseudonymise(clusters, key, (ID_FIELD, _LINKED_TO))
        write_table(shared, args.output)
    _warn(caught, args.quiet)
    if not args.quiet:
        sizes = clusters.groupby("cluster_id").size()
        print(f"records read      {len(records):,}")
        print(f"rows with problems {problem_rows:,} (listed on stderr)")
        kept = f" ({_PRIVATE_REJECTS})" if private else ""
        print(f"rows rejected     {rejected:,} -> {rejects}{kept}")
        print(f"pairs compared    {compared:,}")
        print(
            f"clusters written  {len(sizes):,} ({int((sizes > 1).sum()):,} with more than "
            f"one record) -> {args.output}"
        )
        print(
            "                  nothing is merged: each cluster is a proposal to review, each "
            "record beside its strongest link in it and why (linked_to, match_probability, "
            "explanation)"
        )
        _print_pseudonymised(key, "the rejects file keeps the real ids")
        print(f"seconds           {time.perf_counter() - started:.1f}")
    return EXIT_OK


_LINKED_TO = "linked_to"


def _cluster_links(linker: Linker, records: pd.DataFrame, clusters: pd.DataFrame) -> pd.DataFrame:
    """``clusters`` with, for each record of a cluster of two or more, the record of its
    cluster it is most strongly linked to (``linked_to``), that pair's
    ``match_probability`` and ``explanation``; blank for a record alone. The pairs
    inside each cluster are scored (``predict(pairs=...)``: each cluster's records were
    compared two by two when it formed, so these are the pairs dedupe read), so that an
    officer checks a grouping on its evidence. Every record of a cluster joined it by a
    link, so each has one at or over the threshold."""
    out = clusters.assign(**{_LINKED_TO: None, "match_probability": np.nan, "explanation": None})
    labels = pd.factorize(clusters["cluster_id"])[0].astype(np.int64)
    lo, hi = pairs_within(labels)
    if linker.model_ is None or not len(lo):
        return out
    ids = clusters[ID_FIELD].to_numpy()
    pairs = pd.DataFrame({"request_id": ids[lo], "sighting_id": ids[hi]})
    scored = linker.predict(records, pairs=pairs, threshold=0, top_k=0)
    both = pd.concat(
        [
            scored.rename(columns={"request_id": "record", "sighting_id": "other"}),
            scored.rename(columns={"sighting_id": "record", "request_id": "other"}),
        ],
        ignore_index=True,
    )
    best = both.sort_values(
        ["record", "match_weight", "other"], ascending=[True, False, True], kind="stable"
    ).drop_duplicates("record")
    best = best.set_index("record").reindex(clusters[ID_FIELD].to_numpy())
    out[_LINKED_TO] = best["other"].to_numpy()
    out["match_probability"] = best["match_probability"].to_numpy()
    out["explanation"] = best["explanation"].to_numpy()
    return out


def _encoded_config(
    requests: pd.DataFrame,
    sightings: pd.DataFrame,
    config: LinkConfig,
    path: Path | None,
    quiet: bool,
) -> LinkConfig:
    """Encoded inputs (``rfl-match encode``: :func:`rfl_match.schema.is_encoded`) link on their
    encodings (link, dedupe with one input twice, explain): both must be encoded alike
    (else a usage error naming the difference), and with no --config,
    :func:`rfl_match.privacy.encoded_config` is the configuration."""
    if not (is_encoded(requests) or is_encoded(sightings)):
        return config
    encoding = check_encodings(requests, sightings)
    if not quiet:
        print(f"encoded records   {encoding}: linked on their encodings", file=sys.stderr)
    return LinkConfig.from_dict(encoded_config()) if path is None else config


def _print_pseudonymised(key: bytes | None, kept: str) -> None:
    if key is not None:
        print(f"ids pseudonymised under the key of check {key_check(key)} ({kept})")


def _normalize(args: argparse.Namespace) -> int:
    from rfl_match import normalize_name

    source = None if args.input == "-" else Path(args.input)
    _check_overwrites([("the input", source)], [("-o", args.output)])
    _check_outputs(args.output)
    rejected = 0
    if args.input == "-":
        names = [line.strip() for line in _stdin_lines() if line.strip()]
        frame = pd.DataFrame({"name": pd.Series(names, dtype=str)})
        column = "name"
    else:
        table = read_table(Path(args.input))
        frame = table.frame
        column = _names_column(frame, args.column, Path(args.input))
        _check_single(frame, [column, _id_column(frame)], args.input)
        # rows the reader rejected (ragged ones) are not in the output: say so, as link does
        read = LoadedRecords(frame, table.problems, table.rejected)
        rejected = _report_problems({args.input: read}, None, quiet=False)[1]
    id_column = _id_column(frame)
    if (
        args.output is not None
        and output_format(args.output) == "pfif"
        and (id_column is None or id_column == column)
    ):  # refused before the work, and before the file is opened
        raise OutputError(
            f"{args.output}: PFIF holds persons, and these names have no record ids: write "
            ".csv, .xlsx or .parquet instead (nothing was written)"
        )
    values = frame[column].fillna("").astype(str)
    # A name of more than MAX_FIELD_CHARS is pasted text, as validation reads it: blanked
    # and reported, its row kept, where reading it whole would take minutes.
    overlong: list[Problem] = []
    cells = pd.DataFrame({column: values.to_numpy()})
    blank_overlong(cells, [column], overlong)
    if overlong:
        rows = None if args.input == "-" else table.row_numbers()
        for problem in overlong:
            row = problem.row or 0
            told = problem if rows is None else problem._replace(row=int(rows[row - 1]))
            print(f"{args.input}: {told.logged()}", file=sys.stderr)
        values = pd.Series(cells[column].to_numpy(), index=values.index)
    forms = {value: normalize_name(value) for value in pd.unique(values)}
    out = pd.DataFrame()
    if id_column is not None and id_column != column:
        out[ID_FIELD] = frame[id_column].to_numpy()
    out["name"] = values.to_numpy()
    for key in ("script", "tokens", "variant_ids", "phonetic_keys", "skeleton_keys", "roles"):
        lookup = {
            v: (f.script if key == "script" else " ".join(getattr(f, key)))
            for v, f in forms.items()
        }
        out[key] = values.map(lookup).to_numpy()
    if args.output is None:
        from rfl_match.io.csv import neutralise_formulas

        text = neutralise_formulas(out).to_csv(index=False, lineterminator="\n")
        stdout = getattr(sys.stdout, "buffer", None)
        if stdout is None:  # a stream of text only (a test's, an IDE's)
            sys.stdout.write(text)
        else:  # UTF-8, as every CSV rfl_match writes, whatever the terminal's encoding
            sys.stdout.flush()
            stdout.write(text.encode("utf-8"))
            stdout.flush()
    else:
        _write_private(out, args.output)
        print(f"names normalized  {len(out):,} ({len(forms):,} distinct) -> {args.output}")
        if rejected:
            print(f"rows rejected     {rejected:,} (listed on stderr)")
    return EXIT_OK


def _id_column(frame: pd.DataFrame) -> str | None:
    """The column of a names file that ``normalize`` copies as the record id, if any."""
    return next((str(c) for c in frame.columns if _spelled(str(c)) == ID_FIELD), None)


def _stdin_lines() -> list[str]:
    """The lines of stdin, decoded as files are (UTF-8, UTF-16, else a Windows code page),
    not in the terminal's encoding, where a cp1252 name becomes a lone surrogate that
    stdout cannot write."""
    from rfl_match.io.csv import decode

    stdin = getattr(sys.stdin, "buffer", None)
    if stdin is None:  # a stream of text only: already decoded
        return sys.stdin.read().splitlines()
    raw = stdin.read()
    if not raw.strip():
        return []
    text, _ = decode(raw, "stdin")
    return text.replace("\r\n", "\n").replace("\r", "\n").split("\n")


def _spelled(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


def _names_column(frame: pd.DataFrame, wanted: str | None, path: Path) -> str:
    columns = [str(c) for c in frame.columns]
    if wanted is not None:
        if wanted in columns:
            return wanted
        raise RecordError(
            [Problem(None, wanted, "no such column; columns: " + ", ".join(columns[:20]))],
            str(path),
        )
    for candidate in ("full_name", "name"):
        for column in columns:
            if _spelled(column) == candidate:
                return column
    if len(columns) == 1:
        return columns[0]
    raise RecordError(
        [Problem(None, None, "which column holds the names? give --column")], str(path)
    )


def _synth(args: argparse.Namespace) -> int:
    try:
        module = importlib.import_module("rfl_match.synth")
        config_class = module.SynthConfig
        generate, write, files = module.generate, module.write, module.FILES
    except (ImportError, AttributeError) as exc:
        print(
            "rfl-match: the synthetic data generator (rfl_match.synth) is not available in "
            f"this installation ({exc})",
            file=sys.stderr,
        )
        return EXIT_USAGE
    for name in ("requests", "sightings"):
        if getattr(args, name) < 1:
            raise ConfigError(f"--{name}: want a positive number")
    if args.seed < 0:  # numpy's generators take none below 0
        raise ConfigError(f"--seed: {args.seed}; want 0 or more")
    if args.directory.exists() and not args.directory.is_dir():
        raise OutputError(f"{args.directory} is a file; synth writes into a folder")
    held = [name for name in files if (args.directory / name).exists()]
    if held and not args.force:  # a folder of the user's own files ("rfl-match synth .")
        raise OutputError(
            f"{args.directory} holds {', '.join(held)}, which synth would overwrite; give "
            "--force to overwrite them, or another folder (nothing was written)"
        )
    args.directory.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    data = generate(
        config_class(n_requests=args.requests, n_sightings=args.sightings, seed=args.seed)
    )
    write(data, args.directory)
    written = sorted(p.name for p in args.directory.iterdir() if p.is_file())
    print(f"written to {args.directory}: {', '.join(written)}")
    print(f"seconds           {time.perf_counter() - started:.1f}")
    return EXIT_OK


def _pair_files(
    paths: dict[str, Path], command: str, read: Sequence[str] = ()
) -> dict[str, pd.DataFrame]:
    """Files of pairs (``request_id``, ``sighting_id``; :func:`read_pairs`) by label: a
    row that could not be read is said so on stderr, as link says a record's (a true pair
    lost skews recall; a pair to score lost is not scored), and so is one with a blank id,
    left out; a file without those columns (records, clusters: the wrong file given) is
    a usage error; one holding either of them more than once, or another column it reads
    (``read``: evaluate's rank, probability), a data error."""
    tables = {label: read_pairs(path) for label, path in paths.items()}
    _report_problems(
        {label: LoadedRecords(t.frame, t.problems, t.rejected) for label, t in tables.items()},
        None,
        quiet=False,
    )
    unusable = [
        f"{paths[label]}: the {label} file has no {' and no '.join(missing)} column"
        for label, table in tables.items()
        if (missing := [c for c in ("request_id", "sighting_id") if c not in table.frame.columns])
    ]
    if unusable:
        raise UsageError(
            "; ".join(unusable) + f"; {command} reads pairs (request_id, sighting_id) as link "
            "writes them"
        )
    for label, table in tables.items():
        _check_single(table.frame, ["request_id", "sighting_id", *read], paths[label])
    frames: dict[str, pd.DataFrame] = {}
    for label, table in tables.items():
        # indexed by the rows as the file numbers them (the header row 0), for the notes
        frame = table.frame.set_axis(pd.Index(table.row_numbers(), name="row"))
        blank = (frame["request_id"].fillna("").astype(str).str.strip() == "") | (
            frame["sighting_id"].fillna("").astype(str).str.strip() == ""
        )
        if blank.any():
            print(
                f"{label}: {_row_list(frame.index[blank.to_numpy()])} with a blank "
                "request_id or sighting_id left out",
                file=sys.stderr,
            )
        frames[label] = frame[~blank.to_numpy()]
    return frames


def _row_list(rows: pd.Index) -> str:
    """Rows named in a note: "row 7", "rows 3, 7": every one, for no file lists them."""
    return ("row " if len(rows) == 1 else "rows ") + ", ".join(str(r) for r in rows)


def _decided_truth(truth: pd.DataFrame, path: Path) -> pd.DataFrame:
    """The truth's rows with a decision, where it is reviewed pairs (an ``is_match``
    column, or a review file's ``decision``, which evaluate_matches reads as fit reads
    labels: :func:`rfl_match.schema.decisions`): a value neither yes nor no stops
    evaluate, each row that holds it named by its row in the file, as a probability that
    is no number does (read either way, the pair would skew the scores); a blank or
    "unsure", no decision, is left out and its rows said, as a blank id's are."""
    name = decision_column(truth.columns)
    if name is None:
        return truth
    column = truth[name]
    decided, _, unread = decisions(column)
    if unread.any():
        reason = f"neither yes nor no (want {DECISION_WORDS}, or blank: no decision)"
        raise RecordError(
            [
                Problem(int(row), name, reason, str(value))
                for row, value in zip(truth.index[unread], column[unread], strict=True)
            ],
            str(path),
        )
    undecided = ~decided
    if undecided.any():
        print(
            f"truth: {_row_list(truth.index[undecided])} with no decision in {name} "
            "(blank or unsure) left out",
            file=sys.stderr,
        )
    return truth[~undecided]


def _evaluate(args: argparse.Namespace) -> int:
    from rfl_match.evaluate import evaluate_matches

    _check_options(threshold=args.threshold)
    frames = _pair_files(
        {"matches": args.matches, "truth": args.truth},
        "evaluate",
        read=("rank", "match_probability", *DECISION_COLUMNS),
    )
    matches, truth = frames["matches"].copy(), _decided_truth(frames["truth"], args.truth)
    if "rank" in matches.columns:
        ranks = pd.to_numeric(matches["rank"], errors="coerce")
        unranked = ranks.isna().to_numpy()
        if unranked.any():  # read as ranked last (recall@k does not count them): said so
            print(
                f"matches: {_row_list(matches.index[unranked])} with no rank read as ranked "
                "last (recall@1 and recall@5 do not count them)",
                file=sys.stderr,
            )
        matches["rank"] = ranks.fillna(1e9)
    if args.threshold is not None and len(matches):  # no pairs: nothing to threshold
        if "match_probability" not in matches.columns:
            raise RecordError(
                [Problem(None, "match_probability", "needed by --threshold; not found")],
                str(args.matches),
            )
        if input_format(Path(args.matches)) == "pfif":
            print(
                "matches: PFIF notes give each probability to 3 decimals; --threshold "
                "compares those",
                file=sys.stderr,
            )
        probability = pd.to_numeric(matches["match_probability"], errors="coerce")
        unread = probability.isna().to_numpy()
        if unread.any():  # a pair without a probability cannot be held to the threshold
            raise RecordError(
                [
                    Problem(int(row), "match_probability", "not a probability", str(value))
                    for row, value in zip(
                        matches.index[unread], matches["match_probability"][unread], strict=True
                    )
                ],
                str(args.matches),
            )
        matches = matches[(probability >= args.threshold).to_numpy()]
    scores = evaluate_matches(matches, truth)
    if args.json:
        print(json.dumps(scores.to_dict(), indent=2))
        return EXIT_OK
    rows = [
        ("true pairs", f"{scores.true_pairs:,}"),
        ("predicted pairs", f"{scores.predicted_pairs:,}"),
        ("true positives", f"{scores.true_positives:,}"),
        ("precision", f"{scores.precision:.3f}"),
        ("recall", f"{scores.recall:.3f}"),
        ("F1", f"{scores.f1:.3f}"),
        ("recall@1", f"{scores.recall_at_1:.3f}"),
        ("recall@5", f"{scores.recall_at_5:.3f}"),
    ]
    for label, value in rows:
        print(f"{label:<16} {value:>10}")
    return EXIT_OK


def _explain(args: argparse.Namespace) -> int:
    config = _config(args.config)
    progress = _Progress(quiet=True)
    matches = None
    if args.matches is not None:  # read first: a wrong file is told before any fit
        read = ("match_weight", COMPETITION_COLUMN, SIGHTING_COLUMN)
        matches = _pair_files({"matches": args.matches}, "explain --matches", read)["matches"]
    model, model_warnings = _load_model(args.model)
    if model is not None and args.config is None:
        config = model.config
    if model is None:  # fitted on them, as link is: each record matched to itself
        _warn_same_inputs(args.requests, args.sightings)
    loaded = _read([("requests", args.requests), ("sightings", args.sightings)], config, progress)
    requests, sightings = loaded["requests"].records, loaded["sightings"].records
    config = _encoded_config(requests, sightings, config, args.config, quiet=True)
    # as link says them: a date blanked as malformed would otherwise read as "missing"
    _report_problems(loaded, None, quiet=False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        linker = model if model is not None else Linker(config).fit(requests, sightings)
        try:
            linker.explain(args.request_id, args.sighting_id, requests, sightings, matches=matches)
        except KeyError:
            problems = []
            for label, frame, value in (
                ("requests", requests, args.request_id),
                ("sightings", sightings, args.sighting_id),
            ):
                if not (frame[ID_FIELD] == value).any():
                    problems += _rejected_as(loaded[label], label, value, config) or [
                        Problem(None, ID_FIELD, f"no such record in the {label}", value)
                    ]
            raise RecordError(problems, "explain") from None
    _warn(model_warnings + caught, False)
    return EXIT_OK


def _rejected_as(
    loaded: LoadedRecords, label: str, value: str, config: LinkConfig
) -> list[Problem]:
    """The rows of ``loaded`` with the record id ``value`` that were rejected (a doubled
    id, a ragged row), each with its reason: the record is in the file, not kept."""
    ids = {ID_FIELD} | {k for k, v in config.mapping.items() if v == ID_FIELD}
    return [
        Problem(reject.row, ID_FIELD, f"rejected from the {label}: {reject.reason}", value)
        for reject in loaded.rejected
        if any(cell.strip() == value for c, cell in reject.fields.items() if c.strip() in ids)
    ]


#: A header cell that is no column's name: a date, a number of 3 digits or more (an id, a
#: phone number), an e-mail address, a line break, or text longer than a header is.
_NO_HEADER = re.compile(r"\d{3}|\d[-/.]\d|@|[\r\n]|.{61}", re.DOTALL)
_DATE_CELL = re.compile(r"\d[-/.]\d")


def _init_config(args: argparse.Namespace) -> int:
    from rfl_match.io.headers import PATRONYMIC, guess_mapping

    _check_overwrites([("an input", path) for path in args.inputs], [("-o", args.output)])
    _check_outputs(args.output, tables=False)
    if args.output.exists() and not args.force:
        raise ConfigError(f"{args.output} exists; give --force to overwrite it")
    mapping: dict[str, str] = {}
    unmapped: dict[str, str] = {}
    unread: list[str] = []  # what is said, in place of their cells, of rows that are data
    patronymics: list[list[str]] = []
    found_fields: list[set[str]] = []
    for path in args.inputs:
        row = read_header(path)
        headers = [h for h in row if h.strip()]
        guess = guess_mapping(headers)
        unlike = [h for h in headers if _NO_HEADER.search(h)]
        # The row is data where nothing in it is a column rfl_match knows, or half its
        # cells are dates or hold no letter; a header of question codes (Q101_consent,
        # Q102) is still one.
        data = [h for h in headers if _DATE_CELL.search(h) or not any(c.isalpha() for c in h)]
        if not (guess.mapping or guess.canonical) or 2 * len(data) >= len(headers):
            # A file without a header row: its first row is a person's record, which is
            # neither echoed nor written into the configuration (kept and shared).
            unread.append(
                f"the first row of {path} names no column rfl_match recognises, or holds "
                "dates or numbers (a file without a header row?): its cells are not shown "
                "nor mapped, as they may be a person's; add a header row, or write the "
                "[mapping] yourself"
            )
            guess = guess_mapping([])
        for header, target in guess.mapping.items():
            mapping.setdefault(header, target)
        for header in guess.unmapped:
            if header in unlike:  # a date, a number, an address: a cell of data, unshown
                unread.append(
                    f"column {row.index(header) + 1} of {path} is not mapped: its header "
                    "looks like data, not shown"
                )
                continue
            unmapped.setdefault(header, guess.notes.get(header, "not recognised"))
        patronymics.append(guess.patronymic)
        found_fields.append(set(guess.mapping.values()) | {_spelled(h) for h in guess.canonical})
    compare: list[str] = []
    if all(patronymics):
        for header in {h for group in patronymics for h in group}:
            mapping[header] = PATRONYMIC
        compare.append(f'\n[[compare]]\nfield = "{PATRONYMIC}"\nkind = "name"\n')
    else:
        for header in {h for group in patronymics for h in group}:
            unmapped[header] = "a patronymic, but not every input has one: not compared"
    lines = [
        "# rfl_match configuration written by `rfl-match init-config` from:",
        *(f"#   {path}" for path in args.inputs),
        "# The [mapping] is guessed from the column headers only: check every line.",
    ]
    if unmapped:
        lines.append(
            "# Not mapped (kept as extra columns, not compared unless named in [[compare]]):"
        )
        lines.extend(f"#   {toml_value(h)}: {why}" for h, why in unmapped.items())
    lines.extend(f"# Not read: {said}" for said in unread)
    defaults = LinkConfig()
    lines += [
        "",
        f"threshold = {defaults.threshold}",
        f"top_k = {defaults.top_k}",
        "# blocking = " + json.dumps([list(rule) for rule in defaults.blocking]),
        "# A date column written in another calendar, its cells not saying so (1385 SH does):",
        '# calendars = { date_of_birth = "ethiopian" }  # or "solar_hijri", "lunar_hijri"',
        '# (one input only: calendars = { requests = { date_of_birth = "ethiopian" } })',
        "",
        "[mapping]",
        *(f"{toml_value(h)} = {toml_value(f)}" for h, f in mapping.items()),
    ]
    text = "\n".join(lines) + "\n" + "".join(compare)
    LinkConfig.from_toml(text)  # what is written must read back
    args.output.write_text(text, encoding="utf-8")
    for header, target in mapping.items():
        print(f"mapped      {header!r} -> {target}")
    for header, why in unmapped.items():
        print(f"not mapped  {header!r}: {why}")
    for said in unread:
        print(f"warning: {said}")
    for index, fields in enumerate(found_fields):
        if ID_FIELD not in fields:
            print(f"warning: no column of {args.inputs[index]} looks like a record id; add one")
        if not fields & {"full_name", "given_name", "family_name", "alternate_names"}:
            print(f"warning: no column of {args.inputs[index]} looks like a name; add one")
    print(f"configuration written to {args.output}")
    return EXIT_OK


def _keygen(args: argparse.Namespace) -> int:
    path: Path = args.file
    _check_outputs(path, tables=False)
    exists = OutputError(
        f"{path} exists; keygen never overwrites a key (what was pseudonymised under it could "
        "no longer be mapped back): choose another name"
    )
    if path.exists() or path.is_symlink():
        raise exists
    key = new_key()
    try:  # created readable by its owner alone, and never through a link or over a file
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise exists from None
    with os.fdopen(descriptor, "wb") as out:
        if hasattr(os, "fchmod"):  # 0600 whatever the umask (POSIX; Windows has no modes)
            os.fchmod(out.fileno(), 0o600)
        out.write(key + b"\n")
    print(f"key written to    {path} (readable by you alone)")
    print(f"key check         {key_check(key)}")
    print(
        "Keep the key with the records. Pass it only out of band (in person, or by a channel "
        "that carries no data), never with the pseudonymised or encoded files and never to "
        "the party that links them; compare the check values to confirm that two copies agree."
    )
    return EXIT_OK


def _pseudonym_table(args: argparse.Namespace) -> int:
    _check_outputs(args.output)
    if output_format(args.output) == "pfif":
        raise OutputError(f"{args.output}: a pseudonym table is .csv, .xlsx or .parquet")
    if args.ids_column is not None and args.config is not None:
        raise UsageError("--ids-column takes the column as it is; --config maps records only")
    _check_overwrites(
        [("the records", args.records), ("--key", args.key), ("--config", args.config)],
        [("-o", args.output)],
    )
    key = _key(args.key)
    if args.ids_column is None:
        loaded = _read([("records", args.records)], _config(args.config), _Progress(quiet=True))
        ids = loaded["records"].records[ID_FIELD]
        left_out = len(loaded["records"].rejected)
        why = "rejected rows (blank or duplicated ids, ragged rows), as link leaves them out"
    else:
        read = read_table(args.records)
        frame = read.frame
        if args.ids_column not in frame.columns:
            listed = ", ".join(str(c) for c in frame.columns[:20])
            problem = Problem(None, args.ids_column, "no such column; columns: " + listed)
            raise RecordError([problem], str(args.records))
        _check_single(frame, [args.ids_column], args.records)
        # read as a records file's ids are: stripped, a blank one no id
        values = frame[args.ids_column].fillna("").astype(str).str.strip()
        ids = values[(values != "").to_numpy()]
        left_out = len(values) - len(ids) + len(read.rejected)
        why = "blank cells or rows that could not be read"
    table = pseudonym_table(ids, key)
    _write_private(table, args.output)  # it undoes the pseudonyms: its owner's alone, as the key
    print(f"pseudonyms written {len(table):,} -> {args.output} (key check {key_check(key)})")
    if left_out:
        print(f"left out          {left_out:,} {why}")
    print("The table maps the pseudonyms back to the ids: keep it as the key is kept.")
    return EXIT_OK


def _encode(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    progress = _Progress(args.quiet)
    config = _config(args.config)
    _check_outputs(args.output, args.rejects)
    if output_format(args.output) == "pfif":
        raise OutputError(f"{args.output}: encoded records are .csv, .xlsx or .parquet")
    _check_rejects_format(args)
    rejects = _rejects_path(args)
    _check_overwrites(
        [
            ("the records", args.records),
            ("--key", args.key),
            ("--config", args.config),
            ("--pseudonymise-ids", args.pseudonymise_ids),
        ],
        [("-o", args.output), (_rejects_label(args), rejects)],
    )
    key = _key(args.key)
    id_key = None if args.pseudonymise_ids is None else _key(args.pseudonymise_ids)
    if id_key == key:
        raise UsageError(
            "--pseudonymise-ids: the shared key; pseudonymise ids under a key of your own (the "
            "partner holds the shared one and could recompute the pseudonyms of guessed ids)"
        )
    loaded = _read([(args.input, args.records)], config, progress)
    records = loaded[args.input].records
    problem_rows, rejected = _report_problems(loaded, rejects, args.quiet, args.strict)
    args.rejects_written = True
    if _strict_stop(args, rejected, rejects):
        return EXIT_DATA
    with progress.stage("encoding"):
        encoded = encode_records(
            records,
            key,
            birth=None if args.birth == "none" else args.birth,
            sex=not args.no_sex,
            id_key=id_key,
            keys=args.keys,
        )
    with progress.stage(f"writing {args.output}"):
        write_table(encoded, args.output)
    if not args.quiet:
        print(f"records read      {len(records):,} ({problem_rows:,} with problems)")
        print(f"rows rejected     {rejected:,} -> {rejects} ({_PRIVATE_REJECTS})")
        print(f"records encoded   {len(encoded):,} -> {args.output}")
        print(f"encoding          {encoded['encoding'].iloc[0] if len(encoded) else '-'}")
        print(
            "Send only the encoded file; keep the key from the party that links it (with "
            "the key, names can be guessed back from the filters)."
        )
        print(f"seconds           {time.perf_counter() - started:.1f}")
    return EXIT_OK


_COMMANDS = {
    "link": _link,
    "dedupe": _dedupe,
    "normalize": _normalize,
    "synth": _synth,
    "evaluate": _evaluate,
    "explain": _explain,
    "init-config": _init_config,
    "keygen": _keygen,
    "pseudonymise": _pseudonym_table,
    "encode": _encode,
}


def _stopped_rejects(
    args: argparse.Namespace, loaded: dict[str, LoadedRecords], rejected: bool = False
) -> None:
    """A run of a command that writes a rejects file, stopped before it wrote one: it is
    written now (the rows rejected so far, or its header alone), so that a file left by an
    earlier run never stands for this one. ``rejected``: rows were, said so."""
    if args.command not in ("link", "dedupe", "encode") or getattr(args, "rejects_written", False):
        return
    path = _rejects_path(args)
    try:
        _write_rejects(_rejects_frame(loaded, stopped=True), path, args.quiet)
    except (OSError, OutputError) as error:  # a folder or format the checks refuse
        print(f"rfl-match: no rejects file: {error}", file=sys.stderr)
    else:
        if rejected:
            print(f"rfl-match: rejected rows written to {path}", file=sys.stderr)


def _data_error(exc: RecordError, args: argparse.Namespace) -> None:
    print(f"rfl-match: data error: {exc}", file=sys.stderr)
    # each input's rows under its own name, once (not the inputs' together, unnamed), an
    # input read beside one that stopped the run with them
    each = exc.errors if isinstance(exc, _InputsRejected) else {exc.source: exc}
    loaded = {
        **(exc.read if isinstance(exc, _InputsRejected) else {}),
        **{
            label: LoadedRecords(
                pd.DataFrame(),
                one.problems,
                one.rejected if isinstance(one, RecordsRejected) else [],
            )
            for label, one in each.items()
        },
    }
    _stopped_rejects(args, loaded, any(item.rejected for item in loaded.values()))
    # a column the records need and lack, which a mapping would name (not an id that
    # names no record, as explain's: there the columns were read)
    unusable = any(
        "no record id column" in p.message or "no name column" in p.message for p in exc.problems
    )
    if unusable and getattr(args, "config", None) is None and args.command != "init-config":
        print(
            "rfl-match: hint: `rfl-match init-config FILE...` guesses the column mapping from "
            "the headers and writes it to a configuration file for --config",
            file=sys.stderr,
        )


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rfl-match`` command; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    for command, others in _SPELLED.items():  # a command as spelled otherwise: its own name
        if args.command in others:
            args.command = command
    try:
        return _COMMANDS[args.command](args)
    except (OutputError, UsageError) as exc:
        print(f"rfl-match: usage error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except SecretKeyError as exc:
        print(f"rfl-match: key error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except EncodingError as exc:
        print(f"rfl-match: encoding error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except (ConfigError, ModelError) as exc:
        print(f"rfl-match: configuration error: {exc}", file=sys.stderr)
        _stopped_rejects(args, {})
        return EXIT_USAGE
    except RecordError as exc:
        _data_error(exc, args)
        return EXIT_DATA
    except ScoringError as exc:
        print(f"rfl-match: cannot score: {exc}", file=sys.stderr)
        _stopped_rejects(args, {})
        return EXIT_DATA
    except OSError as exc:
        print(f"rfl-match: {exc}", file=sys.stderr)
        return EXIT_DATA
    except ImportError as exc:
        print(
            f"rfl-match: {exc.name or exc} is needed for this file type: "
            "pip install 'rfl_match[io]'",
            file=sys.stderr,
        )
        return EXIT_USAGE


def entry() -> None:
    """The ``rfl-match`` command (and ``python -m rfl_match.cli``): :func:`main`, its
    output flushed, and the process left with its exit code without the interpreter's
    teardown. Every file the commands write is closed by then; what the teardown would
    still do is destroy native libraries' thread pools, and a pyarrow thread torn down
    there can abort a run that has finished ("terminate called without an active
    exception", exit -6 or 134: apache/arrow#34314, seen in this project's CI on a
    ``dedupe`` whose output was complete). Output that cannot be flushed (a closed pipe)
    leaves with 120, as the interpreter does."""
    code = main()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a pipe closed by its reader; a stream closed
            code = code or 120
    os._exit(code)


if __name__ == "__main__":
    entry()
