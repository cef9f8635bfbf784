"""Names across scripts and transliterations.

The one entry point for everything the pipeline needs to know about a name:
:func:`normalize_name` turns raw text into a :class:`NameForm` (romanised
tokens, variant-class ids, phonetic and skeleton keys), and
:func:`normalize_names` does the same for many values, each distinct value once.
"""

from rfl_match.names.form import NameForm
from rfl_match.names.normalize import normalize_name, normalize_names

__all__ = ["NameForm", "normalize_name", "normalize_names"]
