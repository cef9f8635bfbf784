"""``python -m benchmarks <quality|calibration|speed|febrl|peers|privacy|partitions|all>
[--sizes ...] [--quick]``."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from benchmarks.common import QUICK_RESULTS, RESULTS, log, write_section

SUITES = ("quality", "calibration", "speed", "febrl", "peers", "privacy", "partitions")


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:  # internal: one measurement in a fresh process
        from benchmarks.workers import run_task

        run_task(json.loads(argv[1]))
        return 0
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("suite", choices=[*SUITES, "all"])
    parser.add_argument(
        "--sizes",
        default=None,
        help="records a side for speed (default 10000,100000,1000000), peers and "
        "partitions (default 10000,100000), comma-separated",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="small sizes, results to benchmarks/out/RESULTS.quick.md (for development)",
    )
    parser.add_argument(
        "--splink-max",
        type=int,
        default=None,
        help="speed: run Splink beside rfl_match at the sizes up to this (default 100000; "
        "0: never; at 1000000 Splink outgrew the suite's memory cap on a 24 GB host, "
        "benchmarks/RESULTS.md)",
    )
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--results", type=Path, default=None, help="markdown file to update")
    args = parser.parse_args(argv)
    results = args.results or (QUICK_RESULTS if args.quick else RESULTS)
    command = "python -m benchmarks " + shlex.join(argv)
    sizes = [int(s) for s in args.sizes.split(",")] if args.sizes else None
    suites = SUITES if args.suite == "all" else (args.suite,)
    for suite in suites:
        log(f"suite {suite}")
        if suite == "quality":
            from benchmarks import quality

            n_req, n_sig = (1_000, 2_000) if args.quick else (5_000, 10_000)
            lines = quality.run(n_req, n_sig, args.seed, command, results)
            write_section("quality", lines, results)
        elif suite == "calibration":
            from benchmarks import calibration

            n_req, n_sig = (2_000, 4_000) if args.quick else (20_000, 40_000)
            seeds = [args.seed, args.seed + 1, args.seed + 2]
            lines = calibration.run(n_req, n_sig, seeds, command)
            write_section("calibration", lines, results)
        elif suite == "speed":
            from benchmarks import speed

            default = [2_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000]
            splink_max = speed.SPLINK_MAX if args.splink_max is None else args.splink_max
            lines = speed.run(sizes or default, args.seed, command, splink_max)
            write_section("speed", lines, results)
        elif suite == "peers":
            from benchmarks import peers

            default = [2_000] if args.quick else [10_000, 100_000]
            write_section("peers", peers.run(sizes or default, args.seed, command), results)
        elif suite == "febrl":
            from benchmarks import febrl

            write_section("febrl", febrl.run(args.quick, command), results)
        elif suite == "privacy":
            from benchmarks import privacy

            size = (2_000, 2_000) if args.quick else (10_000, 10_000)
            write_section("privacy", privacy.run(size, args.seed, command), results)
        elif suite == "partitions":
            from benchmarks import partitions

            default = [2_000] if args.quick else [10_000, 100_000]
            lines = partitions.run(sizes or default, args.seed, command)
            write_section("partitions", lines, results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
