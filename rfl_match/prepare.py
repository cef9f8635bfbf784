"""Prepare: raw fields of both inputs -> comparison-ready integer columns.

Both inputs are prepared together, so that every integer code means the same value on the
left and on the right. Each distinct raw value is normalised once (``pandas.factorize``)
and mapped back to the rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from unidecode import unidecode

from rfl_match.dates import BirthIntervals, birth_intervals
from rfl_match.names import NameForm, normalize_names

IntArray = npt.NDArray[np.int32]
MAX_CHAIN = 4  # name parts kept per record for token comparisons and blocking


@dataclass(slots=True)
class PersonNames:
    """Columnar person names of one side.

    ``tokens``/``classes`` are ``(n, MAX_CHAIN)`` codes into the shared vocabularies
    (-1 = none): position 0 is the given name, then the chain (father, grandfather) or the
    family names, in the order written.
    """

    tokens: IntArray
    classes: IntArray
    given_from_field: npt.NDArray[np.bool_]
    family_start: IntArray  # first chain/family position (1 unless a family_name field)
    length: IntArray
    text: IntArray  # code of the joined family-part text
    skeletons: IntArray  # (n, MAX_CHAIN) codes of each part's consonant skeleton key
    phonetics: IntArray  # (n, MAX_CHAIN) codes of each part's phonetic key


@dataclass(slots=True)
class FormArrays:
    """The distinct names of one column as code arrays; ``codes`` maps rows to them."""

    codes: IntArray
    tokens: IntArray
    classes: IntArray
    skeletons: IntArray
    phonetics: IntArray
    text: IntArray  # all parts joined
    rest_text: IntArray  # the parts after the first joined


@dataclass(slots=True)
class PreparedPair:
    """Both sides' frames and every column derived from them, computed on demand once."""

    left: pd.DataFrame
    right: pd.DataFrame
    culture: str | None = None
    _cache: dict[str, Any] = field(default_factory=dict)
    token_vocab: list[str] = field(default_factory=list)
    class_vocab: list[str] = field(default_factory=list)
    text_vocab: list[str] = field(default_factory=list)
    key_vocab: list[str] = field(default_factory=list)
    _key_ids: dict[str, int] = field(default_factory=dict)
    _token_ids: dict[str, int] = field(default_factory=dict)
    _class_ids: dict[str, int] = field(default_factory=dict)
    _text_ids: dict[str, int] = field(default_factory=dict)

    @property
    def sizes(self) -> tuple[int, int]:
        return len(self.left), len(self.right)

    def column(self, side: int, name: str) -> pd.Series | None:
        frame = self.left if side == 0 else self.right
        return frame[name] if name in frame.columns else None

    # --- vocabularies ---------------------------------------------------------------

    def token_id(self, token: str) -> int:
        found = self._token_ids.get(token)
        if found is None:
            found = self._token_ids[token] = len(self.token_vocab)
            self.token_vocab.append(token)
        return found

    def class_id(self, cls: str) -> int:
        found = self._class_ids.get(cls)
        if found is None:
            found = self._class_ids[cls] = len(self.class_vocab)
            self.class_vocab.append(cls)
        return found

    def key_id(self, key: str) -> int:
        found = self._key_ids.get(key)
        if found is None:
            found = self._key_ids[key] = len(self.key_vocab)
            self.key_vocab.append(key)
        return found

    def text_id(self, text: str) -> int:
        found = self._text_ids.get(text)
        if found is None:
            found = self._text_ids[text] = len(self.text_vocab)
            self.text_vocab.append(text)
        return found

    # --- derived columns ------------------------------------------------------------

    def name_forms(self, side: int, column: str) -> tuple[IntArray, list[NameForm]]:
        """Codes into a list of distinct NameForms for one column (code -1 = empty)."""
        key = f"forms:{side}:{column}"
        if key not in self._cache:
            values = self.column(side, column)
            if values is None:
                n = self.sizes[side]
                self._cache[key] = (np.full(n, -1, dtype=np.int32), [])
            else:
                codes, uniques = pd.factorize(values.to_numpy(dtype=object))
                forms = normalize_names([str(u) for u in uniques], culture=self.culture)
                codes = codes.astype(np.int32)
                empty = np.array([f.is_empty for f in forms] + [True], dtype=bool)
                codes[empty[codes]] = -1
                self._cache[key] = (codes, forms)
        result: tuple[IntArray, list[NameForm]] = self._cache[key]
        return result

    def person_names(self, side: int) -> PersonNames:
        """The person's own name: ``full_name``, else ``given_name`` + ``family_name``."""
        key = f"person:{side}"
        if key not in self._cache:
            self._cache[key] = self._person_names(side)
        result: PersonNames = self._cache[key]
        return result

    def form_arrays(self, side: int, column: str) -> FormArrays:
        """Per distinct name of a column, its parts as codes; row ``-1`` is the empty name.

        Each distinct form is visited once in Python; rows are then picked with numpy.
        """
        key = f"arrays:{side}:{column}"
        if key not in self._cache:
            codes, forms = self.name_forms(side, column)
            k = len(forms)
            shape = (k + 1, MAX_CHAIN)
            arrays = FormArrays(
                codes=codes,
                tokens=np.full(shape, -1, dtype=np.int32),
                classes=np.full(shape, -1, dtype=np.int32),
                skeletons=np.full(shape, -1, dtype=np.int32),
                phonetics=np.full(shape, -1, dtype=np.int32),
                text=np.full(k + 1, -1, dtype=np.int32),
                rest_text=np.full(k + 1, -1, dtype=np.int32),
            )
            token_id, class_id, key_id, text_id = (
                self.token_id,
                self.class_id,
                self.key_id,
                self.text_id,
            )
            for row, form in enumerate(forms):
                n = min(len(form.tokens), MAX_CHAIN)
                for pos in range(n):
                    arrays.tokens[row, pos] = token_id(form.tokens[pos])
                    arrays.classes[row, pos] = class_id(form.variant_ids[pos])
                    arrays.skeletons[row, pos] = key_id("s:" + form.skeleton_keys[pos])
                    arrays.phonetics[row, pos] = key_id("p:" + form.phonetic_keys[pos])
                if n:
                    arrays.text[row] = text_id(" ".join(form.tokens[:MAX_CHAIN]))
                if n > 1:
                    arrays.rest_text[row] = text_id(" ".join(form.tokens[1:MAX_CHAIN]))
            self._cache[key] = arrays
        result: FormArrays = self._cache[key]
        return result

    def _person_names(self, side: int) -> PersonNames:
        full = self.form_arrays(side, "full_name")
        given = self.form_arrays(side, "given_name")
        family = self.form_arrays(side, "family_name")
        fc, gc, sc = full.codes, given.codes, family.codes
        has_given, has_family = gc >= 0, sc >= 0

        def assemble(f: IntArray, g: IntArray, s: IntArray) -> IntArray:
            rows_f, rows_g, rows_s = f[fc], g[gc], s[sc]
            first = np.where(has_given, rows_g[:, 0], rows_f[:, 0])
            out = np.empty_like(rows_f)
            out[:, 0] = first
            out[:, 1:] = np.where(has_family[:, None], rows_s[:, : MAX_CHAIN - 1], rows_f[:, 1:])
            # A family name with no given name at all: the family parts start at 0.
            family_only = has_family & (first < 0)
            out[family_only] = rows_s[family_only]
            return out

        tokens = assemble(full.tokens, given.tokens, family.tokens)
        first = np.where(has_given, given.tokens[gc, 0], full.tokens[fc, 0])
        start = np.where(has_family & (first < 0), 0, 1).astype(np.int32)
        text = np.where(has_family, family.text[sc], full.rest_text[fc]).astype(np.int32)
        return PersonNames(
            tokens=tokens,
            classes=assemble(full.classes, given.classes, family.classes),
            given_from_field=has_given,
            family_start=start,
            length=(tokens >= 0).sum(axis=1).astype(np.int32),
            text=text,
            skeletons=assemble(full.skeletons, given.skeletons, family.skeletons),
            phonetics=assemble(full.phonetics, given.phonetics, family.phonetics),
        )

    def chain_tokens(self, side: int, column: str) -> tuple[IntArray, IntArray, IntArray]:
        """Token codes, class codes ``(n, MAX_CHAIN)`` and joined-text codes of any name
        column (a father's or mother's name, a configured name field)."""
        arrays = self.form_arrays(side, column)
        codes = arrays.codes
        return arrays.tokens[codes], arrays.classes[codes], arrays.text[codes]

    def births(self, side: int) -> BirthIntervals:
        key = f"birth:{side}"
        if key not in self._cache:
            self._cache[key] = birth_intervals(
                self.column(side, "date_of_birth"),
                self.column(side, "age"),
                self.column(side, "source_date"),
            )
        result: BirthIntervals = self._cache[key]
        return result

    def interval_of(
        self, side: int, date_field: str | None, age_field: str | None
    ) -> BirthIntervals:
        key = f"interval:{side}:{date_field}:{age_field}"
        if key not in self._cache:
            self._cache[key] = birth_intervals(
                self.column(side, date_field) if date_field else None,
                self.column(side, age_field) if age_field else None,
                self.column(side, "source_date") if age_field else None,
            )
        result: BirthIntervals = self._cache[key]
        return result

    def text_codes(self, column: str, *, fold: bool) -> tuple[IntArray, IntArray, list[str]]:
        """Shared codes of a text column on both sides (folded: romanised, case-folded,
        white space collapsed); -1 where blank."""
        key = f"text:{column}:{fold}"
        if key not in self._cache:
            left = self.column(0, column)
            right = self.column(1, column)
            n_left, n_right = self.sizes
            lv = left.to_numpy(dtype=object) if left is not None else np.full(n_left, "", object)
            rv = right.to_numpy(dtype=object) if right is not None else np.full(n_right, "", object)
            codes, uniques = pd.factorize(np.concatenate([lv, rv]))
            values = [fold_text(str(u)) if fold else str(u).strip() for u in uniques]
            folded_codes, vocab = pd.factorize(np.array([*values, ""], dtype=object))
            mapped = folded_codes[:-1][codes].astype(np.int32)
            blank = int(folded_codes[-1])
            mapped[mapped == blank] = -1
            self._cache[key] = (mapped[:n_left], mapped[n_left:], [str(v) for v in vocab])
        result: tuple[IntArray, IntArray, list[str]] = self._cache[key]
        return result


def fold_text(value: str) -> str:
    """Romanise, case-fold and collapse white space: the form free text is compared in."""
    return " ".join(unidecode(value).casefold().split())
