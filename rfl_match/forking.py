"""A map of a pure Python function, part of it in a forked child process.

Preparing a million records a side reads some hundred thousand distinct name pieces and
compound names in Python: seconds of work that holds the GIL, so threads cannot share
it, while the second core idles. A forked child inherits everything the work reads (the
items, the lookup tables, what is cached already) without sending it, computes part of
the items and sends its results back pickled, while this process computes the others.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import sys
import time
import warnings
from collections.abc import Callable, Sequence
from typing import TypeVar

_T = TypeVar("_T")
_R = TypeVar("_R")

#: Fewest items worth a child process: forking a process of a few GB and reading back the
#: results take milliseconds, a fraction of the work of this many names.
FORK_LEAST = 4096

#: This process's share of the items, the first ones: the child also pickles its results
#: and copies the pages it writes (the parent's, until the fork), and the later items (in
#: order of first sight: rarer names) cost more. At an even split the child finished last
#: (names of 300,000 records a side: 5-15 % slower than this process; at 55-57 % the
#: two end within the noise of a loaded machine).
OWN_SHARE = 0.55

#: Bytes of the size the child sends before its results.
_SIZE_BYTES = 8

#: Least seconds this process waits for its child past the time it took for its own share,
#: before it computes the child's items itself (a child that cannot finish).
_PATIENCE = 30.0


def can_fork() -> bool:
    """Whether :func:`forked_map` may fork here: Linux only (macOS's system libraries are
    not safe to use in a forked child, and Windows has no fork)."""
    return sys.platform.startswith("linux") and hasattr(os, "fork")


def _fork() -> int:
    """``os.fork``. Python 3.12+ warns (DeprecationWarning) on a fork of a process with
    threads (Arrow's, a fit's background steps); the warning is ignored there. Not before:
    ``catch_warnings`` swaps the whole process's filters, not this thread's, so another
    thread's ``catch_warnings`` at the same time could leave a filter behind. The child
    runs this module's pipe and the function's Python; a lock another thread held at the
    fork stays held in the child (CPython resets the GIL and its import lock, not a
    module's own), and a child that waits on one is late: this process then reads its
    items itself."""
    if sys.version_info < (3, 12):
        return os.fork()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return os.fork()


def forked_map(function: Callable[[_T], _R], items: Sequence[_T], *, fork: bool = True) -> list[_R]:
    """``[function(item) for item in items]``: with ``fork``, at least :data:`FORK_LEAST`
    items and :func:`can_fork`, the last items (all but :data:`OWN_SHARE`) computed
    in a forked child process while this process computes the first.

    For a pure function whose work is Python that holds the GIL. The results are the list
    the loop gives, in order; the function's results must pickle. What the function caches
    in the child is lost: the caller may store the results it gets. If the child fails
    (the function raised there, its results would not pickle, it took far longer than
    this process's share), this process computes the child's items itself, so that an
    exception is raised here as the loop would raise it.
    """
    if not fork or len(items) < FORK_LEAST or not can_fork():
        return [function(item) for item in items]
    own = int(len(items) * OWN_SHARE)
    read_end, write_end = os.pipe()
    try:
        pid = _fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return [function(item) for item in items]
    if pid == 0:  # the child: sends its results and exits, never returns
        code = 1
        try:
            os.close(read_end)
            results = [function(item) for item in items[own:]]
            sent = pickle.dumps(results, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as sink:
                sink.write(len(sent).to_bytes(_SIZE_BYTES, "little") + sent)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    data: bytes | None = None
    try:
        start = time.perf_counter()
        first = [function(item) for item in items[:own]]
        patience = _PATIENCE + 4 * (time.perf_counter() - start)
        data = _read_sent(read_end, time.perf_counter() + patience)
    finally:
        if data is None:  # this process raised, or gave up on the child
            _kill(pid)
        os.close(read_end)
        status = _reap(pid)
    second: list[_R] | None = None
    if data is not None and status == 0:
        try:
            second = pickle.loads(data)
        except Exception:  # a child cut short (truncated, or empty): its items are read here
            second = None
    if second is None:
        second = [function(item) for item in items[own:]]
    return first + second


def _reap(pid: int) -> int:
    """The exit status of child ``pid``, waited for (0: it exited cleanly, or someone
    else's SIGCHLD handler reaped it, having closed the pipe after all it wrote)."""
    try:
        return os.waitpid(pid, 0)[1]
    except ChildProcessError:
        return 0


def _kill(pid: int) -> None:
    """Kill child ``pid`` unless it has ended (reaped here then) or was reaped already
    (by a caller's SIGCHLD handler: its number may be another process's by now)."""
    try:
        ended, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return
    if not ended:
        os.kill(pid, signal.SIGKILL)


def _read_sent(fd: int, deadline: float) -> bytes | None:
    """What the child sent on ``fd``: its size (:data:`_SIZE_BYTES`), then as many bytes.
    Read to that size, not to the end of the pipe: a process forked meanwhile by another
    thread holds the pipe open. Fewer bytes (the child ended early): what came; None past
    ``deadline``."""
    chunks: list[bytes] = []
    got, size = 0, -1
    ready = select.poll()
    ready.register(fd, select.POLLIN | select.POLLHUP)
    while size < 0 or got < _SIZE_BYTES + size:
        left = deadline - time.perf_counter()
        if left <= 0 or not ready.poll(left * 1000):
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            break
        chunks.append(chunk)
        got += len(chunk)
        if size < 0 and got >= _SIZE_BYTES:
            size = int.from_bytes(b"".join(chunks)[:_SIZE_BYTES], "little")
    return b"".join(chunks)[_SIZE_BYTES:]
