"""Warnings that name the user's line: the first caller outside rfl_match.

Each warning of the library is raised through :func:`warn`, which counts the frames from
its caller out to the first one outside the package, so that the warning points at the
line that called into rfl_match (``linker.fit(...)``, ``read_records(...)``), however deep
the library's own calls run. A ``stacklevel`` counted by hand at each call went stale as
the calls between moved, and named a line of the library.
"""

from __future__ import annotations

import sys
import warnings

_PACKAGE = __name__.split(".")[0]
#: Modules whose frames stand between a thread's function and its start: a warning raised
#: on a worker thread cannot reach the user's line (another thread's stack), and names the
#: outermost line of rfl_match there instead.
_THREAD_MODULES = ("threading", "concurrent.futures")


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
        if not _ours(module) and module.startswith(_THREAD_MODULES):
            break
        frame = outer
        level += 1
    warnings.warn(message, category, stacklevel=level)
