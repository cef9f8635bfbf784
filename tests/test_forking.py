"""forked_map: the loop's results, in order, half of them from a forked child process."""

from __future__ import annotations

import contextlib
import os
import signal
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
    _PIECES.clear()  # so that the child's half is read there, not found cached here
    _FULL.clear()
    with forking_always():
        readings = piece_readings(pieces, info, fork=True)
        wholes = many_full_parts(cleans, info, fork=True)
    known = _known_pieces(info)
    for piece, reading in zip(pieces, readings, strict=True):
        assert reading == piece_reading(piece, info)
        if known is not None:
            assert known[piece] == piece_parts(piece, info)
    for clean, parts in zip(cleans, wholes, strict=True):
        assert parts == _full_parts(clean, info) == _FULL[(clean, info)]


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
