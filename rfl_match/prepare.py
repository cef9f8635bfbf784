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

    def _person_names(self, side: int) -> PersonNames:
        full_codes, full_forms = self.name_forms(side, "full_name")
        given_codes, given_forms = self.name_forms(side, "given_name")
        family_codes, family_forms = self.name_forms(side, "family_name")
        # Combine the three codes into one key, then build each distinct combination once.
        g_n, s_n = len(given_forms) + 1, len(family_forms) + 1
        combo = ((full_codes.astype(np.int64) + 1) * g_n + (given_codes + 1)) * s_n + (
            family_codes + 1
        )
        combo_codes, combo_uniques = pd.factorize(combo, sort=False)
        k = len(combo_uniques)
        tokens = np.full((k + 1, MAX_CHAIN), -1, dtype=np.int32)
        classes = np.full((k + 1, MAX_CHAIN), -1, dtype=np.int32)
        skeletons = np.full((k + 1, MAX_CHAIN), -1, dtype=np.int32)
        phonetics = np.full((k + 1, MAX_CHAIN), -1, dtype=np.int32)
        given_field = np.zeros(k + 1, dtype=bool)
        start = np.ones(k + 1, dtype=np.int32)
        length = np.zeros(k + 1, dtype=np.int32)
        text = np.full(k + 1, -1, dtype=np.int32)
        for row, value in enumerate(combo_uniques.tolist()):
            s_code = value % s_n - 1
            g_code = (value // s_n) % g_n - 1
            f_code = value // (s_n * g_n) - 1
            parts: list[tuple[str, str, str, str]] = []
            if g_code >= 0:
                parts.extend(_parts(given_forms[g_code])[:1])
                given_field[row] = True
            if s_code >= 0:
                if not parts and f_code >= 0:
                    parts.extend(_parts(full_forms[f_code])[:1])
                start[row] = len(parts) if parts else 0
                parts.extend(_parts(family_forms[s_code]))
            elif f_code >= 0:
                full = _parts(full_forms[f_code])
                parts = full if not parts else parts + full[1:]
            parts = parts[:MAX_CHAIN]
            length[row] = len(parts)
            for pos, (tok, cls, skel, phon) in enumerate(parts):
                tokens[row, pos] = self.token_id(tok)
                classes[row, pos] = self.class_id(cls)
                skeletons[row, pos] = self.key_id(skel)
                phonetics[row, pos] = self.key_id(phon)
            rest = " ".join(p[0] for p in parts[int(start[row]) :])
            if rest:
                text[row] = self.text_id(rest)
        idx = combo_codes.astype(np.intp)
        return PersonNames(
            tokens=tokens[idx],
            classes=classes[idx],
            given_from_field=given_field[idx],
            family_start=start[idx],
            length=length[idx],
            text=text[idx],
            skeletons=skeletons[idx],
            phonetics=phonetics[idx],
        )

    def chain_tokens(self, side: int, column: str) -> tuple[IntArray, IntArray, IntArray]:
        """Token codes, class codes ``(n, MAX_CHAIN)`` and joined-text codes of any name
        column (a father's or mother's name, a configured name field)."""
        key = f"chain:{side}:{column}"
        if key not in self._cache:
            codes, forms = self.name_forms(side, column)
            k = len(forms)
            tokens = np.full((k + 1, MAX_CHAIN), -1, dtype=np.int32)
            classes = np.full((k + 1, MAX_CHAIN), -1, dtype=np.int32)
            text = np.full(k + 1, -1, dtype=np.int32)
            for row, form in enumerate(forms):
                for pos, (tok, cls) in enumerate(
                    zip(form.tokens[:MAX_CHAIN], form.variant_ids[:MAX_CHAIN], strict=True)
                ):
                    tokens[row, pos] = self.token_id(tok)
                    classes[row, pos] = self.class_id(cls)
                if form.tokens:
                    text[row] = self.text_id(form.text)
            self._cache[key] = (tokens[codes], classes[codes], text[codes])
        result: tuple[IntArray, IntArray, IntArray] = self._cache[key]
        return result

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


def _parts(form: NameForm) -> list[tuple[str, str, str, str]]:
    return list(
        zip(
            form.tokens,
            form.variant_ids,
            ("s:" + k for k in form.skeleton_keys),
            ("p:" + k for k in form.phonetic_keys),
            strict=True,
        )
    )


def fold_text(value: str) -> str:
    """Romanise, case-fold and collapse white space: the form free text is compared in."""
    return " ".join(unidecode(value).casefold().split())
