"""The paths that the readers and writers of :mod:`rfl_match.io` take."""

from __future__ import annotations

import os
from typing import TypeAlias

#: A file's path as every reader and writer of :mod:`rfl_match.io` takes it: text
#: (``"requests.csv"``) or any path-like (a :class:`pathlib.Path`), as :func:`open` takes
#: one. Each turns it into a :class:`~pathlib.Path` once, with ``Path(path)``, on the way in.
FilePath: TypeAlias = str | os.PathLike[str]
