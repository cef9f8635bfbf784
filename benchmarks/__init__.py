"""rfl_match benchmark suite: quality, speed, FEBRL and peer comparisons.

Run from the repository root::

    python -m benchmarks <quality|speed|febrl|peers|all> [--sizes 10000,100000,1000000] [--quick]

Every suite calls only the public API of :mod:`rfl_match` (plus the synthetic generator
:mod:`rfl_match.synth`; the EM micro-benchmark alone reaches into ``rfl_match.scoring``), so
that a refactoring of the core cannot silently break it. Results are written between
``<!-- BEGIN name -->`` / ``<!-- END name -->`` markers of ``benchmarks/RESULTS.md``; other
sections of that file are left as they are.
"""
