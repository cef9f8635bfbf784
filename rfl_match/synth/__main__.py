"""``python -m rfl_match.synth``: generate a synthetic data set and write it as CSV."""

from __future__ import annotations

import argparse
import time
from collections.abc import Sequence

from rfl_match.synth.config import SynthConfig
from rfl_match.synth.generate import generate, write


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, generate, write; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m rfl_match.synth", description="Generate synthetic tracing data."
    )
    parser.add_argument("--requests", type=int, default=500, help="tracing requests")
    parser.add_argument("--sightings", type=int, default=1000, help="sighting records")
    parser.add_argument("--seed", type=int, default=0, help="random seed")
    parser.add_argument("--match-rate", type=float, default=0.8, help="share of requests found")
    parser.add_argument("--case-group", action="store_true", help="add case_group to requests")
    parser.add_argument("-o", "--output", required=True, help="directory to write the CSVs to")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    data = generate(
        SynthConfig(
            n_requests=args.requests,
            n_sightings=args.sightings,
            seed=args.seed,
            match_rate=args.match_rate,
            case_group=args.case_group,
        )
    )
    write(data, args.output)
    seconds = time.perf_counter() - start
    print(
        f"wrote {len(data.requests)} requests, {len(data.sightings)} sightings, "
        f"{len(data.truth)} true pairs to {args.output} in {seconds:.1f} s"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
