"""The examples in rfl_match's docstrings run as written: each module's doctests, which
the suite's tests of behaviour do not read (``python -m pytest`` collects ``tests`` only).
A wrong example is a wrong line of documentation a user copies."""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import rfl_match

# every module of the package, but an entry point (``python -m``), which runs on import
MODULES = sorted(
    found.name
    for found in pkgutil.walk_packages(rfl_match.__path__, "rfl_match.")
    if not found.name.endswith("__main__")
)


def test_every_module_is_read() -> None:
    """The walk finds the package's modules, its subpackages' too: a doctest module list
    that came back short would pass on nothing."""
    assert {"rfl_match.scoring", "rfl_match.names.normalize", "rfl_match.backends.dask"} <= set(
        MODULES
    )


@pytest.mark.parametrize("name", MODULES)
def test_a_module_s_docstring_examples_run_as_written(name: str) -> None:
    module = importlib.import_module(name)
    result = doctest.testmod(module, verbose=False)  # a failure printed: pytest shows it
    assert result.failed == 0, f"{name}: {result.failed} of {result.attempted} examples failed"
