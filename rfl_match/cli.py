"""The command line: ``rfl-match link REQUESTS SIGHTINGS -o MATCHES``.

Thin: parse arguments, call the library, print. Errors go to stderr without a traceback;
exit codes: 0 success, 2 usage or configuration error, 3 data error.
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from collections.abc import Sequence
from pathlib import Path

from rfl_match.config import ConfigError, LinkConfig
from rfl_match.io import read_records, write_table
from rfl_match.linker import Linker, ModelError
from rfl_match.schema import RecordError
from rfl_match.scoring import ScoringError

EXIT_OK, EXIT_USAGE, EXIT_DATA = 0, 2, 3


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rfl-match",
        description="Match tracing requests against sighting records (Restoring Family "
        "Links). Proposes candidates for a person to review; confirms nothing.",
    )
    sub = parser.add_subparsers(dest="command", required=True)
    link = sub.add_parser("link", help="rank sightings for each tracing request")
    link.add_argument("requests", type=Path, help="tracing requests (CSV)")
    link.add_argument("sightings", type=Path, help="sighting records (CSV)")
    link.add_argument("-o", "--output", type=Path, required=True, help="matches file (CSV)")
    link.add_argument("--config", type=Path, help="configuration file (TOML)")
    link.add_argument("--threshold", type=float, help="lowest match probability kept")
    link.add_argument("--top-k", type=int, help="candidates kept per request (0: all)")
    link.add_argument("--model", type=Path, help="use this saved model instead of fitting")
    link.add_argument("--save-model", type=Path, help="write the fitted model here (JSON)")
    link.add_argument("--quiet", action="store_true", help="print nothing but errors")
    return parser


def _config(path: Path | None) -> LinkConfig:
    if path is None:
        return LinkConfig()
    if not path.exists():
        raise ConfigError(f"configuration file not found: {path}")
    return LinkConfig.from_toml(path)


def _link(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    config = _config(args.config)
    mapping = config.mapping or None
    requests = read_records(args.requests, mapping)
    sightings = read_records(args.sightings, mapping)
    problems = list(requests.attrs.get("problems", [])) + list(sightings.attrs.get("problems", []))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        if args.model is not None:
            linker = Linker.load(args.model)
        else:
            linker = Linker(config).fit(requests, sightings)
        matches = linker.predict(requests, sightings, threshold=args.threshold, top_k=args.top_k)
    if args.save_model is not None:
        linker.save(args.save_model)
    write_table(matches, args.output)
    if not args.quiet:
        for warning in caught:
            print(f"warning: {warning.message}", file=sys.stderr)
        for source, frame in (("requests", requests), ("sightings", sightings)):
            for problem in frame.attrs.get("problems", [])[:20]:
                print(f"{source}: {problem}", file=sys.stderr)
        print(f"records read      {len(requests):,} requests, {len(sightings):,} sightings")
        print(f"rows with problems {len(problems):,} (listed on stderr)")
        print(f"pairs compared    {linker.training_.get('last_candidate_pairs', 0):,}")
        print(f"matches written   {len(matches):,} -> {args.output}")
        print(f"seconds           {time.perf_counter() - started:.1f}")
    return EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``rfl-match`` command; returns the exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:
        return int(exc.code or 0) and EXIT_USAGE
    try:
        if args.command == "link":
            return _link(args)
    except (ConfigError, ModelError) as exc:
        print(f"rfl-match: configuration error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except RecordError as exc:
        print(f"rfl-match: data error: {exc}", file=sys.stderr)
        return EXIT_DATA
    except ScoringError as exc:
        print(f"rfl-match: cannot score: {exc}", file=sys.stderr)
        return EXIT_DATA
    except OSError as exc:
        print(f"rfl-match: {exc}", file=sys.stderr)
        return EXIT_DATA
    parser.error(f"unknown command {args.command!r}")
    return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
