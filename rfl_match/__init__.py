"""rfl_match: match tracing requests against sighting records, across scripts.

>>> import rfl_match as rm
>>> rm.normalize_name("Mohammed").tokens
('mohammed',)
"""

from rfl_match.config import ComparisonSpec, ConfigError, LinkConfig
from rfl_match.io import read_records
from rfl_match.linker import Linker, ModelError
from rfl_match.names import NameForm, normalize_name
from rfl_match.schema import Problem, RecordError
from rfl_match.scoring import NoCandidatePairs, ScoringError

__all__ = [
    "ComparisonSpec",
    "ConfigError",
    "LinkConfig",
    "Linker",
    "ModelError",
    "NameForm",
    "NoCandidatePairs",
    "Problem",
    "RecordError",
    "ScoringError",
    "normalize_name",
    "read_records",
]
__version__ = "0.1.0"
