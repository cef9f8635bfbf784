"""forked_map: the loop's results, in order, half of them from a forked child process."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from rfl_match import forking
from rfl_match.forking import can_fork, forked_map
from rfl_match.names.clean import clean_text
from rfl_match.names.normalize import (
    _FULL,
    _PIECES,
    _full_parts,
    _known_pieces,
    many_full_parts,
    piece_parts,
    piece_reading,
    piece_readings,
)
from rfl_match.names.parts import culture_info

needs_fork = pytest.mark.skipif(not can_fork(), reason="forked_map forks on Linux only")

NAME_ALPHABET = st.sampled_from(
    list("abcdehiklmnorstuxyz '-")
    + list("محمدعبدالرحمنيوسفةأإى")
    + list("олександрґєії")
    + list("အောင်ဆန်းစုကြည်")
    + ["al ", "al-", "bin ", "abd ", "abu ", "dr ", "u ", "de ", "din ", "ullah "]
)
NAMES = st.lists(NAME_ALPHABET, max_size=10).map("".join)
CULTURES = st.sampled_from([None, "arabic", "somali", "afghan", "burmese"])


@pytest.fixture
def fork_always(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fork for any list of two items or more (the least is thousands)."""
    monkeypatch.setattr(forking, "FORK_LEAST", 2)


@contextmanager
def forking_always() -> Iterator[None]:
    """:func:`fork_always` for one Hypothesis example."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forking, "FORK_LEAST", 2)
        yield


def _square(x: int) -> tuple[int, str]:
    return x * x, str(x)


@needs_fork
@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(), max_size=40))
def test_forked_map_gives_the_loops_results_in_order(items: list[int]) -> None:
    with forking_always():
        assert forked_map(_square, items) == [_square(x) for x in items]


def _pid(x: int) -> int:
    return os.getpid()


@needs_fork
def test_the_childs_half_is_computed_in_the_child(fork_always: None) -> None:
    """The last items' results come from another process (a child whose results were
    thrown away, and computed here again, would pass every test of the results)."""
    here = os.getpid()
    got = forked_map(_pid, list(range(20)))
    own = int(20 * forking.OWN_SHARE)
    assert got[:own] == [here] * own
    assert len(set(got[own:])) == 1 and got[-1] != here


def _fails_on_seven(x: int) -> int:
    if x == 7:
        raise ValueError("seven")
    return x


@needs_fork
def test_an_exception_in_the_childs_half_is_raised_here(fork_always: None) -> None:
    with pytest.raises(ValueError, match="seven"):
        forked_map(_fails_on_seven, [1, 2, 3, 7])
    with pytest.raises(ValueError, match="seven"):  # in this process's own half
        forked_map(_fails_on_seven, [7, 1, 2, 3])


def _unpicklable(x: int) -> object:
    return lambda: x


@needs_fork
def test_results_that_do_not_pickle_are_computed_here(fork_always: None) -> None:
    got = forked_map(_unpicklable, list(range(6)))
    assert [f() for f in got] == list(range(6))  # type: ignore[operator]


def test_without_fork_it_is_the_loop() -> None:
    assert forked_map(_square, list(range(5)), fork=False) == [_square(x) for x in range(5)]


@needs_fork
@settings(max_examples=60, deadline=None)
@given(st.lists(NAMES, max_size=12), CULTURES)
def test_forked_readings_are_each_pieces_and_are_remembered(
    names: list[str], culture: str | None
) -> None:
    """Pieces and names read half in a child are read as each alone, and the child's half
    is then in this process's caches, as if read here."""
    info = culture_info(culture)
    pieces = list(dict.fromkeys(p for name in names for p in name.split()))
    cleans = list(dict.fromkeys(clean_text(name) for name in names))
    # Each read alone, here, from empty caches: the truth the child's half (and what it
    # leaves in the caches) is held to.
    _PIECES.clear()
    _FULL.clear()
    readings_alone = [piece_reading(p, info) for p in pieces]
    parts_alone = [piece_parts(p, info) for p in pieces]
    wholes_alone = [_full_parts(clean, info) for clean in cleans]
    _PIECES.clear()  # so that the child's half is read there, not found cached here
    _FULL.clear()
    with forking_always():
        readings = piece_readings(pieces, info, fork=True)
        wholes = many_full_parts(cleans, info, fork=True)
    assert readings == readings_alone
    assert wholes == wholes_alone
    known = _known_pieces(info)
    if known is not None:
        assert [known[p] for p in pieces] == parts_alone
    assert [_FULL[(clean, info)] for clean in cleans] == wholes_alone


@needs_fork
def test_a_child_reaped_by_a_handler_of_the_callers_still_serves(fork_always: None) -> None:
    """A SIGCHLD handler that reaps every child (the caller's own) leaves the results
    whole: they were read to the end of the pipe."""

    def reap(signum: int, frame: object) -> None:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(-1, os.WNOHANG)

    before = signal.signal(signal.SIGCHLD, reap)
    try:
        for _ in range(5):
            assert forked_map(_square, list(range(50))) == [_square(x) for x in range(50)]
    finally:
        signal.signal(signal.SIGCHLD, before)


def test_the_childs_results_are_read_to_their_size_not_to_the_end_of_the_pipe() -> None:
    """A process another thread forked meanwhile holds the pipe's write end open: the
    results are read to the size sent ahead of them, not waited on to the pipe's end."""
    read_end, write_end = os.pipe()
    try:
        sent = b"results"
        os.write(write_end, len(sent).to_bytes(forking._SIZE_BYTES, "little") + sent)
        # the write end stays open, as in such a process
        assert forking._read_sent(read_end, time.perf_counter() + 5.0) == sent
    finally:
        os.close(read_end)
        os.close(write_end)
