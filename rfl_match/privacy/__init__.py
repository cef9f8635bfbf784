"""Privacy: keyed pseudonyms and encodings for matching without sharing names.

Nothing here calls the network; a key never leaves the process that reads it.
"""

from rfl_match.privacy.bloom import (
    EncodingError,
    blocking_features,
    check_encodings,
    encode_records,
    encoded_config,
    encoding_text,
    filter_dice,
)
from rfl_match.privacy.ids import pseudonym_table, pseudonymise, pseudonymous_ids
from rfl_match.privacy.keys import (
    KEY_BYTES_MIN,
    SecretKeyError,
    checked_key,
    key_check,
    keyed_digests,
    new_key,
    read_key,
)

__all__ = [
    "KEY_BYTES_MIN",
    "EncodingError",
    "SecretKeyError",
    "blocking_features",
    "check_encodings",
    "checked_key",
    "encode_records",
    "encoded_config",
    "encoding_text",
    "filter_dice",
    "key_check",
    "keyed_digests",
    "new_key",
    "pseudonym_table",
    "pseudonymise",
    "pseudonymous_ids",
    "read_key",
]
