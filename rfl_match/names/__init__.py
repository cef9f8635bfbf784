"""Names across scripts and transliterations.

The one entry point for everything the pipeline needs to know about a name:
:func:`normalize_name` turns raw text into a :class:`NameForm` (romanised
tokens, variant-class ids, phonetic and skeleton keys, roles), and
:func:`normalize_names` does the same for many values, each distinct value once.
The steps are public too: :func:`clean_text`, :func:`detect_script`,
:func:`romanize`, :func:`skeleton_key`, :func:`phonetic_key`.
"""

from rfl_match.names.clean import clean_text
from rfl_match.names.form import NameForm
from rfl_match.names.keys import phonetic_key, skeleton_key
from rfl_match.names.normalize import names_by_parent, normalize_name, normalize_names
from rfl_match.names.parts import ROLES
from rfl_match.names.romanization import romanize, romanize_candidates
from rfl_match.names.scripts import SCRIPTS, detect_script

__all__ = [
    "ROLES",
    "SCRIPTS",
    "NameForm",
    "clean_text",
    "detect_script",
    "names_by_parent",
    "normalize_name",
    "normalize_names",
    "phonetic_key",
    "romanize",
    "romanize_candidates",
    "skeleton_key",
]
