"""The value object that every name becomes."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NameForm:
    """A name made comparable.

    Attributes:
        original: the text as given.
        script: the dominant script of the original ("Latin", "Arabic", "Cyrillic", ...,
            "Unknown" when no letter was found).
        tokens: romanised, case-folded name parts in their original order, titles removed,
            compounds joined ("abd al rahman" -> "abdalrahman").
        variant_ids: one per token: the id of the token's variant class (spellings of one
            name share it: muhammad, mohammed, mhd, محمد); the token itself when unknown.
        phonetic_keys: one per token, a phonetic code stable across romanisations.
        skeleton_keys: one per token, a consonant skeleton stable across romanisations.
        titles: honorifics and titles found and set aside (haji, dr, ...).
        token_scripts: one per token, the script the token was written in ("Arabic", ...).
        roles: one per token: "given", "father", "grandfather", "ancestor" (in cultures that
            chain names), "middle", "patronymic", "family", "kunya" (Abu X, Umm X), or ""
            when the position says nothing.
        candidates: one per token, the plausible Latin readings of the token, most likely
            first (a Russian-looking Cyrillic word also gets its Ukrainian reading; an
            Arabic-script word a reading without guessed vowels and its known spelling).
    """

    original: str
    script: str
    tokens: tuple[str, ...]
    variant_ids: tuple[str, ...]
    phonetic_keys: tuple[str, ...]
    skeleton_keys: tuple[str, ...]
    titles: tuple[str, ...] = ()
    token_scripts: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    candidates: tuple[tuple[str, ...], ...] = ()

    @property
    def text(self) -> str:
        """The romanised tokens joined by single spaces."""
        return " ".join(self.tokens)

    @property
    def is_empty(self) -> bool:
        """True when nothing usable for matching is left."""
        return not self.tokens


_FIELDS = (
    "original", "script", "tokens", "variant_ids", "phonetic_keys", "skeleton_keys", "titles",
    "token_scripts", "roles", "candidates",
)  # fmt: skip
if tuple(NameForm.__slots__) != _FIELDS:  # pragma: no cover
    raise AssertionError("new_form() must follow the fields of NameForm")
(_S0, _S1, _S2, _S3, _S4, _S5, _S6, _S7, _S8, _S9) = (
    NameForm.__dict__[name].__set__ for name in _FIELDS
)


def new_form(
    original: str,
    script: str,
    tokens: tuple[str, ...],
    variant_ids: tuple[str, ...],
    phonetic_keys: tuple[str, ...],
    skeleton_keys: tuple[str, ...],
    token_scripts: tuple[str, ...],
    roles: tuple[str, ...],
    candidates: tuple[tuple[str, ...], ...],
) -> NameForm:
    """A :class:`NameForm` without titles, set through its slots: equal to what the
    constructor gives, about four times cheaper (the frozen dataclass ``__init__`` matches
    keywords and sets each field through ``object.__setattr__``; a million names feel it).
    """
    form: NameForm = object.__new__(NameForm)
    _S0(form, original)
    _S1(form, script)
    _S2(form, tokens)
    _S3(form, variant_ids)
    _S4(form, phonetic_keys)
    _S5(form, skeleton_keys)
    _S6(form, ())
    _S7(form, token_scripts)
    _S8(form, roles)
    _S9(form, candidates)
    return form
