"""Warnings that name the user's line: the first caller outside rfl_match.

Each warning of the library is raised through :func:`warn`, which counts the frames from
its caller out to the first one outside the package, so that the warning points at the
line that called into rfl_match (``linker.fit(...)``, ``read_records(...)``), however deep
the library's own calls run. A ``stacklevel`` counted by hand at each call went stale as
the calls between moved, and named a line of the library.

Threads of rfl_match's own leave Python's warning filters as their caller found them
(:func:`warning_state`): pandas' ``catch_warnings`` blocks on two threads at once could
leave one's filters in place for the process.
"""

from __future__ import annotations

import sys
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

_PACKAGE = __name__.split(".")[0]
#: Modules whose frames stand between a thread's function and its start: a warning raised
#: on a worker thread cannot reach the user's line (another thread's stack), and names the
#: outermost line of rfl_match there instead.
_THREAD_MODULES = ("threading", "concurrent.futures")
#: The state :func:`warnings.catch_warnings` swaps in and puts back: the filters, and where
#: a warning shown goes (``_showwarnmsg_impl``: a recording block's list); those of the
#: names this Python's ``warnings`` has (a private one may move in another version).
_STATE = tuple(
    name for name in ("filters", "showwarning", "_showwarnmsg_impl") if hasattr(warnings, name)
)
_R = TypeVar("_R")
_thread = threading.local()


def _ours(module: str) -> bool:
    return module == _PACKAGE or module.startswith(_PACKAGE + ".")


def warn(message: str, category: type[Warning] = UserWarning) -> None:
    """Warn at the first frame outside rfl_match that led to this call (on a worker
    thread, at the outermost frame of rfl_match on that thread)."""
    level = 2  # as warnings.warn counts from here: 2 is the caller of warn()
    frame = sys._getframe(1)
    while frame.f_back is not None and _ours(frame.f_globals.get("__name__", "")):
        outer = frame.f_back
        module = outer.f_globals.get("__name__", "")
        # this module's, further out than warn's caller: as_worker's, a thread's start
        if module == __name__ or (not _ours(module) and module.startswith(_THREAD_MODULES)):
            break
        frame = outer
        level += 1
    warnings.warn(message, category, stacklevel=level)


def _state() -> dict[str, Any]:
    # The module's namespace: two of these names are private, and not in its stubs.
    module = vars(warnings)
    return {**{name: module[name] for name in _STATE}, "held": list(module["filters"])}


def _put_back(state: dict[str, Any]) -> None:
    module = vars(warnings)
    changed = [name for name in _STATE if module[name] is not state[name]]
    filters = state["filters"]
    if changed or filters != state["held"]:
        module.update((name, state[name]) for name in changed)
        # A block's filter can land in the list it found, where another block's end put
        # that list back between the first one's copying it and adding to the copy.
        filters[:] = state["held"]
        # A block entered and left marks the filters changed, as a block's end does: a
        # module's registry of the warnings seen under the others no longer holds.
        with warnings.catch_warnings():
            pass


def warning_state() -> Callable[[], None]:
    """Python's warning state as it is now (as it was where a :func:`warnings_kept` block
    of this thread holds it), and a function that puts it back where threads since left
    another (call it once they are over). ``warnings.catch_warnings`` is not thread-safe:
    with two threads inside one at once (pandas enters one in many calls; ``astype``
    ignores UserWarning in it), the filters of the block left first can stay, once both
    are out, for the whole process: rfl_match's own warnings after it went unseen
    (condition_on's, once in about 500 validations of two inputs on two threads), and the
    caller's own after the call. A block puts back the objects it found; what threads
    leave is only ever a block's own, so another object, or other filters in the list
    found, are put back without looking at them. A worker thread of rfl_match's own
    (:func:`as_worker`) puts nothing back: its caller does, once the workers are over."""
    if getattr(_thread, "worker", False):
        return lambda: None
    state = getattr(_thread, "state", None) or _state()
    return lambda: _put_back(state)


@contextmanager
def warnings_kept() -> Iterator[None]:
    """The warning state as it is on entry (:func:`warning_state`), put back on leaving,
    and by the threads' helpers called within it (the state a thread's work started
    from): around threads that are over when the block is left, and that others run
    beside. Held by a ``with`` block, which is always left (a generator suspended and
    dropped would hold it on in its thread)."""
    if getattr(_thread, "worker", False):
        yield
        return
    outer = getattr(_thread, "state", None)
    state = outer or _state()
    _thread.state = state
    try:
        yield
    finally:
        _thread.state = outer
        _put_back(state)


def as_worker(function: Callable[..., _R]) -> Callable[..., _R]:
    """``function`` to run on a worker thread of rfl_match's own, which puts back no
    warning state (:func:`warning_state`): its caller does."""

    def run(*args: Any) -> _R:
        _thread.worker = True  # the thread is its pool's, and ends with it
        return function(*args)

    return run
