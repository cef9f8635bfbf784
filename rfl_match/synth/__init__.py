"""Synthetic tracing data: seeded people, families and the records made about them.

Example:
    >>> from rfl_match.synth import SynthConfig, generate
    >>> data = generate(SynthConfig(n_requests=10, n_sightings=20, seed=7))
    >>> sorted(data.truth.columns)
    ['request_id', 'sighting_id']
"""

from rfl_match.synth.config import CHILD_FORMS, CORRUPTIONS, SynthConfig
from rfl_match.synth.generate import CANONICAL_COLUMNS, FILES, SynthData, generate, write
from rfl_match.synth.pools import CULTURES, NATIVE_FORM_CULTURES

__all__ = [
    "CANONICAL_COLUMNS",
    "CHILD_FORMS",
    "CORRUPTIONS",
    "CULTURES",
    "FILES",
    "NATIVE_FORM_CULTURES",
    "SynthConfig",
    "SynthData",
    "generate",
    "write",
]
