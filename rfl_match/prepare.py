"""Prepare: raw fields of both inputs -> comparison-ready integer columns.

Both inputs are prepared together, so that every integer code means the same value on the
left and on the right. Each distinct raw value is read once (Arrow's hash encoding of
both sides' text) and mapped back to the rows; a name is coded from its pieces' parts,
each distinct piece analysed once for both sides and every name column
(:class:`PartTable`). Text is split and joined by Arrow: only distinct values become
Python strings.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field, fields, replace
from functools import cache, lru_cache
from itertools import repeat
from typing import Any, NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.compute as pc  # type: ignore[import-untyped]
from unidecode import unidecode

from rfl_match.bloom_filters import FilterTable, decode_filters
from rfl_match.dates import BirthIntervals, birth_intervals
from rfl_match.kernels import JW_PREFIX, number_rows, person_parts, shifted_blocks, worker_count
from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text
from rfl_match.names.keys import finish_key
from rfl_match.names.normalize import (
    FullPart,
    PieceParts,
    many_full_parts,
    names_a_parent,
    paused_gc,
    piece_readings,
    reads_somali,
)
from rfl_match.names.parents import parent_named, parent_pattern
from rfl_match.names.parts import (
    Culture,
    culture_info,
    dropped_first_before,
    family_marked_last,
    is_patronymic,
    opens_dropped,
    patronymic_pattern,
    vietnamese_order_words,
)
from rfl_match.names.placeholders import is_placeholder, says_given_unknown
from rfl_match.names.romanization import (
    PERSIAN_LETTERS_PATTERN,
    persian_reading_pattern,
    romanize,
    vietnamese_marks,
    vietnamese_marks_pattern,
)
from rfl_match.schema import COUNTRY_FIELDS, NAME_FIELDS, PARENT_FIELDS, PLACE_FIELDS

IntArray = npt.NDArray[np.int32]
#: Per record a code (-1: none), and per code each syllable's reading and its written forms
#: (:meth:`PreparedPair.vietnamese_marks`).
RecordMarks = tuple[IntArray, list[dict[str, frozenset[str]]]]
MAX_CHAIN = 4  # name parts kept per record for token comparisons and blocking
#: A text whose letters are all Arabic or Ethiopic (RE2, as Arrow reads it).
_CHAIN_SCRIPT = (
    r"^[\P{L}\p{Arabic}\p{Ethiopic}]*[\p{Arabic}\p{Ethiopic}][\P{L}\p{Arabic}\p{Ethiopic}]*$"
)
_BAG_BATCH = 1 << 16  # words whose letters are counted at once (Vocabulary.letter_bags)


@dataclass(slots=True)
class NameParts:
    """Name parts as ``(n, 3 * MAX_CHAIN)`` codes (-1 = none): the variant class of each
    part, then its two sound keys (consonant skeleton, phonetic), side by side, one row per
    record, as the compiled kernels read them (one cache line per record). Keys are coarse
    by design (Hassan and Hussein share one), so they mark "sounds alike", not "same name".

    Only the packed table is held (a million records a side hold several of these): the
    three ``(n, MAX_CHAIN)`` blocks are views of it.
    """

    packed: IntArray

    @classmethod
    def of(cls, classes: IntArray, skeletons: IntArray, phonetics: IntArray) -> NameParts:
        packed = np.concatenate([classes, skeletons, phonetics], axis=1).astype(np.int32)
        return cls(np.ascontiguousarray(packed))

    @property
    def classes(self) -> IntArray:
        return self.packed[:, :MAX_CHAIN]

    @property
    def skeletons(self) -> IntArray:
        return self.packed[:, MAX_CHAIN : 2 * MAX_CHAIN]

    @property
    def phonetics(self) -> IntArray:
        return self.packed[:, 2 * MAX_CHAIN :]

    def take(self, idx: npt.NDArray[np.integer[Any]]) -> NameParts:
        # np.take of whole rows: a fancy index of rows of a 2-d array is many times slower
        return NameParts(np.take(self.packed, idx, axis=0))

    def shifted(self, start: IntArray) -> NameParts:
        """Parts from each row's ``start`` (0, 1, 2 after a compound given name or a
        patronymic, or more past middle names) on, left-aligned."""
        return NameParts(shifted_blocks(self.packed, start, MAX_CHAIN))


@dataclass(slots=True)
class PersonNames:
    """Columnar person names of one side.

    The parts are ``(n, MAX_CHAIN)`` codes into the shared vocabularies (-1 = none):
    position 0 is the given name, then the chain (father, grandfather) or the family
    names, in the order written.
    """

    #: token code of the given name, part 0 (the rest are read as parts only); -1 where
    #: there is none, as where the family part starts at 0 (:attr:`family_start`)
    first_token: IntArray
    #: part 0 is a kunya ("Umm Ahmad", "Abu Ali": a name taken from a child's), not a
    #: given name
    kunya: npt.NDArray[np.bool_]
    given_from_field: npt.NDArray[np.bool_]
    #: whether a family name field gives the family name
    family_from_field: npt.NDArray[np.bool_]
    #: first chain/family position: 1, but 0 where the record has no given name (a
    #: family name field is all the name, or a full name says its given name is not
    #: known: "FNU Rahim"), and after an East Slavic patronymic that a full name alone
    #: holds between its first and last part (Ivan Petrovych Kovalenko: 2, so that
    #: Kovalenko meets Ivan Kovalenko's)
    family_start: IntArray
    #: the name chains, its parts after the given name a father's, a grandfather's: the
    #: culture hint says so, the full name is in Arabic or Ethiopic script alone
    #: (:attr:`FormArrays.chain_script`) or has a part spelt in Somali Latin orthography
    #: (Cabdi Faarax Xasan Cali: :func:`_somali_spelt`), where the hint names no family
    #: name, or its parts hold a chain's middle (:attr:`middle`)
    chain: npt.NDArray[np.bool_]
    #: the family part is the full name's (no family name field) and the name does not
    #: chain: it may open with a middle name (a second given name, José of María José
    #: García López) that another record of the person leaves out
    family_in_full: npt.NDArray[np.bool_]
    #: of :attr:`family_in_full`, a full name read in Vietnamese order (Nguyễn Văn Hùng,
    #: held hung van nguyen: :attr:`FormArrays.family_first`), whose parts between the
    #: given name and the family name are middle names, not a compound given name's half
    middle_known: npt.NDArray[np.bool_]
    length: IntArray
    text: IntArray  # code of the joined family-part text
    parts: NameParts  # all parts: class, skeleton and phonetic key codes
    joined: IntArray  # key code of all parts' consonant skeletons run together
    #: ``(n, 2)`` skeleton key codes of the full name's first two parts as written: the
    #: given name and the next (a father's name where names chain), which the parts skip
    #: when a family name field names the last.
    head: IntArray
    #: skeleton key code ("s:") of a compound given name run together (-1: none): the
    #: first two parts of a given-name field of two or more parts, else, with no family
    #: name field, the first two own parts; so "Noor Ahmad" + "Haidari" reads as
    #: "Noorahmad" beside the own parts from ``compound_rest`` on (1 after a given-name
    #: field whose rest the parts do not hold, else 2)
    compound: IntArray
    compound_rest: IntArray
    #: how many parts between the given name and the family name field the parts hold
    #: from the full name (:func:`_chained`: Berhane in Yohannes Berhane Yohannes, given
    #: Yohannes, family Yohannes); 0: none
    middle: npt.NDArray[np.int8]
    #: token, class, skeleton and phonetic key codes (-1: none) of a given-name field's
    #: second part beside a family name field, which the parts do not hold: José of "María
    #: José" (family García López), Zaman of "Mohammad Zaman". What tells siblings of one
    #: first name apart (María Fernanda, Mohammad Nabi). Not without a family name field:
    #: a whole name typed in the given name's column holds a family name there. Also the
    #: second part of a full name alone that opens with a first element records often
    #: leave out (Zaman of "Mohammad Zaman Ahmadzai": ``dropped_first.tsv``), where its
    #: names do not chain.
    second_given: IntArray
    second_given_class: IntArray
    second_given_keys: IntArray  # (n, 2): skeleton, phonetic

    def unchained(self) -> PersonNames:
        """The names as the name fields give them: the parts a full name holds between a
        given name and a family name field (:attr:`middle`) left out. What blocking
        reads: its keys and candidate budget were tuned on these parts, and with the
        middle parts (a father's name) siblings crowd a record's budget."""
        rows = np.flatnonzero(self.middle)
        if not len(rows):
            return self
        packed = self.parts.packed.copy()
        rest = self.parts.take(rows).shifted((1 + self.middle[rows]).astype(np.int32)).packed
        for block in range(0, 3 * MAX_CHAIN, MAX_CHAIN):
            packed[rows, block + 1 : block + MAX_CHAIN] = rest[:, block : block + MAX_CHAIN - 1]
        return replace(self, parts=NameParts(packed), middle=np.zeros_like(self.middle))

    def family_parts(self, rows: npt.NDArray[np.intp] | None = None) -> NameParts:
        """The parts from the family start on, left-aligned, of records ``rows`` (all of
        them by default): made when read, not held (48 MiB a million records)."""
        if rows is None:
            return self.parts.shifted(self.family_start)
        return self.parts.take(rows).shifted(self.family_start[rows])

    @property
    def family_classes(self) -> IntArray:
        """Each record's first family part's class (-1: none): ``family_parts()``'s
        column 0 of classes."""
        classes = self.parts.classes
        at = np.minimum(self.family_start, MAX_CHAIN - 1).astype(np.intp)[:, None]
        first = np.take_along_axis(classes, at, axis=1)[:, 0]
        out: IntArray = np.where(self.family_start < MAX_CHAIN, first, -1).astype(np.int32)
        return out

    @property
    def given_classes(self) -> IntArray:
        """Each record's given name's class: part 0's, -1 where it has none (its family
        part starts at 0, as :attr:`first_token` is -1)."""
        out: IntArray = np.where(self.family_start > 0, self.parts.classes[:, 0], -1).astype(
            np.int32
        )
        return out

    @property
    def classes(self) -> IntArray:
        return self.parts.classes

    @property
    def skeletons(self) -> IntArray:
        """``(n, MAX_CHAIN)`` codes of each part's consonant skeleton key."""
        return self.parts.skeletons

    @property
    def phonetics(self) -> IntArray:
        """``(n, MAX_CHAIN)`` codes of each part's phonetic key."""
        return self.parts.phonetics


class Vocabulary:
    """Distinct strings and their integer ids, with the arrays string kernels want.

    Ids are given in order of first sight and never change, so codes taken early stay
    valid as the vocabulary grows.
    """

    __slots__ = ("_arrow", "_bags", "_heads", "_ids", "_words", "words")

    def __init__(self, words: Sequence[str] = ()) -> None:
        self.words: list[str] = list(words)
        self._ids: dict[str, int] = {w: i for i, w in enumerate(self.words)}
        self._words: npt.NDArray[np.object_] | None = None
        self._arrow: Any = None
        self._bags: tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32]] | None = None
        self._heads: IntArray | None = None

    def __len__(self) -> int:
        return len(self.words)

    def __getitem__(self, code: int) -> str:
        return self.words[code]

    def id(self, word: str) -> int:
        found = self._ids.get(word)
        if found is None:
            found = self._ids[word] = len(self.words)
            self.words.append(word)
        return found

    def ids(self, texts: Any) -> IntArray:
        """:meth:`id` of each text of an Arrow string array (null gets -1), in order of
        first sight: each distinct text is made a Python string and looked up once (Arrow's
        hash encoding, nothing per row in Python)."""
        encoded = pc.dictionary_encode(texts)
        found = self._distinct_ids(encoded.dictionary.to_pylist())
        # a null's index (-1) reads the -1 put last
        lookup = np.append(found, np.int32(-1))
        out: IntArray = lookup[encoded.indices.fill_null(-1).to_numpy()]
        return out

    def find(self, words: Sequence[str]) -> IntArray:
        """The id of each of ``words`` held here, -1 where none (adds none)."""
        out: IntArray = np.fromiter(
            map(self._ids.get, words, repeat(-1)), dtype=np.int32, count=len(words)
        )
        return out

    def marks(self, words: Iterable[str]) -> npt.NDArray[np.bool_]:
        """Per id, and a last entry for -1 (none), whether its word is one of ``words``
        (adds none): a mask that codes index."""
        ids = self.find(sorted(words))
        out = np.zeros(len(self.words) + 1, dtype=bool)
        out[ids[ids >= 0]] = True
        return out

    def _distinct_ids(self, words: list[str]) -> IntArray:
        """:meth:`id` of each of distinct ``words`` in turn, in bulk: one lookup each, and
        the new ones (distinct, so each is new once) numbered in their order."""
        found = self.find(words)
        fresh = np.flatnonzero(found < 0)
        if len(fresh):
            known = len(self.words)
            new = [words[i] for i in fresh.tolist()]
            found[fresh] = np.arange(known, known + len(new), dtype=np.int32)
            self._ids.update(zip(new, range(known, known + len(new)), strict=True))
            self.words.extend(new)
        return found

    def coded(self, local: npt.NDArray[np.integer[Any]], words: Sequence[str]) -> IntArray:
        """:meth:`id` of ``words[i]`` for each ``i`` of ``local`` (-1 gets -1), each distinct
        word looked up once, in order of first sight."""
        codes, uniques = pd.factorize(local, sort=False)
        known = uniques >= 0
        lookup = np.full(len(uniques), -1, dtype=np.int32)
        lookup[known] = self._distinct_ids([words[u] for u in uniques[known].tolist()])
        out: IntArray = lookup[codes] if len(codes) else np.zeros(0, dtype=np.int32)
        return out

    def array(self) -> npt.NDArray[np.object_]:
        """The words as a numpy object array (for fancy indexing)."""
        if self._words is None or len(self._words) != len(self.words):
            self._words = np.asarray(self.words, dtype=object)
        return self._words

    def arrow(self) -> Any:
        """The words as an Arrow large_string array (only words added since it was last
        asked for are converted)."""
        done = 0 if self._arrow is None else len(self._arrow)
        if self._arrow is None or done != len(self.words):
            new = pa.array(self.words[done:], type=pa.large_string())
            self._arrow = new if self._arrow is None else pa.concat_arrays([self._arrow, new])
        return self._arrow

    def letter_bags(self) -> tuple[npt.NDArray[np.uint8], npt.NDArray[np.int32]]:
        """Per word, the count of each letter a-z (anything else in a 27th bin), and its
        length in characters: enough to bound any similarity that counts shared letters.
        """
        done = 0 if self._bags is None else len(self._bags[1])
        if self._bags is None or done != len(self.words):
            # Words only ever get appended: count the letters of the new ones, a batch of
            # words at a time (a count per letter and word of a million words at once
            # would take several times the bags' memory).
            bags = np.empty((len(self.words), 27), dtype=np.uint8)
            lengths = np.empty(len(self.words), dtype=np.int32)
            if self._bags is not None:
                bags[:done], lengths[:done] = self._bags
            for start in range(done, len(self.words), _BAG_BATCH):
                new = self.words[start : start + _BAG_BATCH]
                n = len(new)
                lengths[start : start + n] = np.fromiter(map(len, new), np.int32, n)
                points = np.frombuffer("".join(new).encode("utf-32-le"), dtype=np.uint32)
                # a-z to 0-25, anything else to 26 (below "a" wraps around to a large number)
                letter = np.minimum(points - np.uint32(ord("a")), 26)
                row = np.repeat(np.arange(0, 27 * n, 27, dtype=np.intp), lengths[start : start + n])
                counts = np.bincount(row + letter, minlength=n * 27)
                bags[start : start + n] = np.minimum(counts, 255).reshape(n, 27)
            self._bags = (bags, lengths)
        return self._bags

    def heads(self) -> IntArray:
        """Per word, its first :data:`~rfl_match.kernels.JW_PREFIX` characters as code
        points (-1 past its end): the prefix that Jaro–Winkler rewards."""
        done = 0 if self._heads is None else len(self._heads)
        if self._heads is None or done != len(self.words):
            new = self.words[done:]
            lengths = np.fromiter(map(len, new), np.intp, len(new))
            points = np.frombuffer("".join(new).encode("utf-32-le"), dtype=np.uint32)
            starts = np.cumsum(lengths) - lengths
            heads = np.full((len(new), JW_PREFIX), -1, dtype=np.int32)
            for j in range(JW_PREFIX):
                has = lengths > j
                heads[has, j] = points[starts[has] + j]
            if self._heads is not None:
                heads = np.concatenate([self._heads, heads])
            self._heads = heads
        return self._heads


class PieceArrays(NamedTuple):
    """What the :class:`PartTable` knows of each piece of raw text, by piece number (see
    :class:`~rfl_match.names.normalize.PieceParts`)."""

    size: npt.NDArray[np.intp]  # its number of parts; -1: its name needs the full pipeline
    start: npt.NDArray[np.intp]  # where its part ids start in ``parts``
    opens: npt.NDArray[np.bool_]  # its first word is a part
    open_end: npt.NDArray[np.bool_]  # it ends with an article: so only before one that opens
    title: npt.NDArray[np.bool_]  # a title: it reads so only first, before a piece that opens
    initial: npt.NDArray[np.bool_]  # its parts are single letters ("N" of "N A", not known)
    parts: npt.NDArray[np.int64]  # the part ids of every piece, piece after piece


class PartTable:
    """Every distinct name part met (token, class id, phonetic and skeleton key), by id, and
    the name parts of each whitespace-separated piece of raw text.

    A name without particles or titles (but for articles before a word) is its pieces'
    parts run together, and distinct pieces are far fewer than distinct names: a column is
    coded piece by piece, with numpy, and only the other names are normalised whole.
    Strings get local ids here (the key strings with their ``s:``/``p:`` prefix, -1 for a
    blank key); the shared vocabularies give them their codes in the order the names meet
    them. One table serves one culture hint (its :class:`PreparedPair`'s), and the names
    read as Persian by their letters under it (``Culture.reading_arabic``), whose pieces
    are numbered apart.

    Pieces are numbered in order of first sight, and what is known of them is kept as
    arrays (:meth:`piece_arrays`), grown as pieces are added: the name columns (often
    sharing most of their pieces) each read them by number.
    """

    __slots__ = (
        "_arrays",
        "_columns",
        "_flags",
        "_flat",
        "_kunya",
        "_parts",
        "_pieces",
        "_rows",
        "_size",
        "_start",
        "_whole",
        "strings",
    )

    def __init__(self) -> None:
        self.strings = Vocabulary()  # local ids of every token, class id and key
        self._parts: dict[tuple[str, str, str, str, bool], int] = {}
        # piece number of each raw piece, per reading of Arabic script (Culture.persian)
        self._pieces: dict[str | None, dict[str, int]] = {}
        # per piece: its number of parts (-1: the full pipeline), where they start in
        # _flat, and its flags (1: opens, 2: open end, 4: title)
        self._size: list[int] = []
        self._start: list[int] = []
        self._flags: list[int] = []
        self._flat: list[int] = []
        self._arrays: PieceArrays | None = None
        self._whole: dict[tuple[str, Culture], tuple[int, ...]] = {}
        # per part, local ids of: token, class id, skeleton key, phonetic key
        self._rows: list[tuple[int, int, int, int]] = []
        self._columns: npt.NDArray[np.int64] = np.zeros((0, 4), dtype=np.int64)
        self._kunya: list[bool] = []  # per part: a kunya (Abu X, Umm X)

    def part(
        self, token: str, variant_id: str, phonetic: str, skeleton: str, kunya: bool = False
    ) -> int:
        key = (token, variant_id, phonetic, skeleton, kunya)
        found = self._parts.get(key)
        if found is None:
            found = self._parts[key] = len(self._rows)
            self._kunya.append(kunya)
            self._rows.append(
                (
                    self.strings.id(token),
                    self.strings.id(variant_id),
                    self.strings.id("s:" + skeleton) if skeleton else -1,
                    self.strings.id("p:" + phonetic) if phonetic else -1,
                )
            )
        return found

    def pieces(
        self, pieces: list[str], culture: Culture, *, fork: bool = False
    ) -> npt.NDArray[np.intp]:
        """The piece number of each of ``pieces`` (raw text), each new one read once (with
        ``fork``, half of many new ones in a child process: :func:`piece_readings`)."""
        known = self._pieces.setdefault(culture.persian, {})
        numbers = [known.get(p, -1) for p in pieces]
        new = list(
            dict.fromkeys(p for p, number in zip(pieces, numbers, strict=True) if number < 0)
        )
        readings = dict(zip(new, piece_readings(new, culture, fork=fork), strict=True))
        for k, number in enumerate(numbers):
            if number < 0:  # new, unless met earlier in the same list
                found = known.get(pieces[k])
                numbers[k] = (
                    self._add_piece(known, pieces[k], readings[pieces[k]])
                    if found is None
                    else found
                )
        return np.array(numbers, dtype=np.intp)

    def _add_piece(self, known: dict[str, int], piece: str, read: PieceParts | None) -> int:
        number = known[piece] = len(self._size)
        self._start.append(len(self._flat))
        if read is None:
            self._size.append(-1)
            self._flags.append(0)
            return number
        ids = [self.part(p.token, p.variant_id, p.phonetic_key, p.skeleton_key) for p in read.parts]
        self._flat += ids
        self._size.append(len(ids))
        initial = bool(read.parts) and all(len(p.token) == 1 for p in read.parts)
        self._flags.append(read.opens | read.open_end << 1 | read.title << 2 | initial << 3)
        return number

    def __len__(self) -> int:
        """Pieces numbered so far."""
        return len(self._size)

    def piece_arrays(self) -> PieceArrays:
        """:class:`PieceArrays` of every piece numbered so far."""
        if self._arrays is None or len(self._arrays.size) != len(self._size):
            flags = np.array(self._flags, dtype=np.int8)
            self._arrays = PieceArrays(
                size=np.array(self._size, dtype=np.intp),
                start=np.array(self._start, dtype=np.intp),
                opens=(flags & 1) > 0,
                open_end=(flags & 2) > 0,
                title=(flags & 4) > 0,
                initial=(flags & 8) > 0,
                parts=np.array(self._flat, dtype=np.int64),
            )
        return self._arrays

    def wholes(
        self, texts: list[str], culture: Culture, *, fork: bool = False
    ) -> list[tuple[int, ...]]:
        """Part ids of each of names that need the full pipeline (it reads the clean text
        only, and raw names often differ in case or punctuation alone, once the culture
        each is read with is known: :meth:`~rfl_match.names.parts.Culture.reading_arabic`);
        with ``fork``, half of many new ones read in a child process
        (:func:`many_full_parts`)."""
        keys = [(clean_text(text), culture.reading_arabic(text)) for text in texts]
        whole = self._whole
        new = list(dict.fromkeys(key for key in keys if key not in whole))
        read: dict[tuple[str, Culture], tuple[FullPart, ...]] = {}
        for one in dict.fromkeys(c for _, c in new):
            cleans = [clean for clean, c in new if c == one]
            parts = many_full_parts(cleans, one, fork=fork)
            read.update(zip([(c, one) for c in cleans], parts, strict=True))
        out = []
        for key in keys:
            found = whole.get(key)
            if found is None:
                found = whole[key] = tuple(self.part(*p) for p in read[key])
            out.append(found)
        return out

    def columns(self) -> npt.NDArray[np.int64]:
        """``(parts, 4)`` local ids: token, class id, skeleton key, phonetic key (only the
        parts added since it was last asked for are converted)."""
        done = len(self._columns)
        if done != len(self._rows):
            new = np.array(self._rows[done:], dtype=np.int64).reshape(-1, 4)
            self._columns = np.concatenate([self._columns, new])
        return self._columns

    def kunya(self) -> npt.NDArray[np.bool_]:
        """Per part: whether it is a kunya (only names read whole hold one)."""
        return np.array(self._kunya, dtype=bool)


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
    kunya: npt.NDArray[np.bool_]  # the first part is a kunya (Abu X, Umm X)
    #: the name is written in Arabic or Ethiopic script alone, whose names
    #: :func:`~rfl_match.names.parts.assign_roles` reads as a chain where no culture
    #: hint names a family name (made with ``rest_text``, else all False)
    chain_script: npt.NDArray[np.bool_]
    #: the name says its given name is not known ("FNU Rahim": its parts are its family
    #: name; :func:`~rfl_match.names.placeholders.says_given_unknown`)
    given_unknown: npt.NDArray[np.bool_]
    #: the name writes a patronymic particle (Mohammad bin Zaman: Zaman is the father;
    #: :func:`~rfl_match.names.parts.patronymic_pattern`); made with ``rest_text``, else
    #: all False
    patronymic: npt.NDArray[np.bool_]
    #: the name was read family name first and is held given name first (a Vietnamese
    #: name in its native order: :func:`_family_first`)
    family_first: npt.NDArray[np.bool_]


#: The name columns a person's own name is read from (:meth:`PreparedPair.person_names`).
PERSON_COLUMNS = ("full_name", "given_name", "family_name")
#: The name columns coded as names (:meth:`PreparedPair.form_arrays`) by the comparisons.
CODED_COLUMNS = (*PERSON_COLUMNS, *PARENT_FIELDS)


def name_column(column: str) -> tuple[str, str | None]:
    """A name column as :meth:`PreparedPair.read_ahead` takes it (a side without it reads
    as missing)."""
    return column, None


def text_column(column: str) -> tuple[str, str | None]:
    """A text column as :meth:`PreparedPair.read_ahead` takes it (:meth:`PreparedPair.text_codes`:
    a side without it reads as blank)."""
    return column, ""


def _arrow_distinct(
    columns: list[pd.Series | None], sizes: tuple[int, int], missing: str | None = None
) -> tuple[IntArray, Any] | None:
    """:meth:`PreparedPair._distinct_values` by Arrow's hash encoding, without a Python
    object per row (pandas' default text is Arrow-backed): the same codes, in the same
    order of first sight. None when a side's text is not Arrow strings."""
    sides = []
    for values, n in zip(columns, sizes, strict=True):
        if values is None:
            blank = pa.scalar(missing, pa.string())
            sides.append(pa.nulls(n, pa.string()) if missing is None else pa.repeat(blank, n))
            continue
        arrow = values.array.__arrow_array__() if hasattr(values.array, "__arrow_array__") else None
        if arrow is None or str(arrow.type) not in ("string", "large_string"):
            return None
        sides.append(arrow)
    if any(str(a.type) == "large_string" for a in sides) or sum(a.nbytes for a in sides) >> 31:
        # 32-bit offsets would overflow once joined: widen them first (chunk by chunk)
        sides = [a.cast(pa.large_string()) for a in sides]
    arrays = [a.combine_chunks() if isinstance(a, pa.ChunkedArray) else a for a in sides]
    encoded = pc.dictionary_encode(pa.concat_arrays(arrays))
    codes: IntArray = encoded.indices.fill_null(-1).to_numpy().astype(np.int32)
    return codes, encoded.dictionary


def _distinct_of(
    columns: list[pd.Series | None], sizes: tuple[int, int], missing: str | None
) -> tuple[IntArray, Any]:
    """:meth:`PreparedPair._distinct_values` of the two sides' ``columns``."""
    arrow = _arrow_distinct(columns, sizes, missing)
    if arrow is not None:
        return arrow
    sides = [
        np.full(n, missing, dtype=object) if values is None else values.to_numpy(object)
        for values, n in zip(columns, sizes, strict=True)
    ]
    found, uniques = pd.factorize(np.concatenate(sides))
    codes: IntArray = found.astype(np.int32)
    return codes, pa.array([str(u) for u in uniques], type=pa.large_string())


def _chained(
    full: FormArrays,
    given: FormArrays,
    family: FormArrays,
    codes: tuple[IntArray, ...],
    tokens: Vocabulary,
) -> npt.NDArray[np.bool_]:
    """Per record, whether its full name is its one-part given name, then more names, then
    its family name field's parts (Yohannes Berhane Yohannes: given Yohannes, family
    Yohannes; Riad Faisal Hassan: given Riad, family Hassan): the names between, a
    father's name where names chain, are its own parts too, read from the full name, so
    that the chain meets one whose family name field holds another generation (Johannes
    Berhani: given Johannes, family Berhani). Not where a name between is an East Slavic
    patronymic (Ivan Petrovych Kovalenko), which the family name of a shorter record
    (Ivan Kovalenko) would then meet only as a name in common."""
    fc, gc, sc = codes
    ft, gt, st = (np.take(a.tokens, c, axis=0) for a, c in ((full, fc), (given, gc), (family, sc)))
    nf, ng, ns = ((t >= 0).sum(axis=1) for t in (ft, gt, st))
    out: npt.NDArray[np.bool_] = (
        (fc >= 0) & (gc >= 0) & (sc >= 0) & (ng == 1) & (ns >= 1) & (nf > ns + 1)
    )
    out &= ft[:, 0] == gt[:, 0]
    rows = np.flatnonzero(out)
    width = ft.shape[1]
    for k in range(width):  # the full name's last ns parts are the family name's
        has = ns[rows] > k
        at = nf[rows] - ns[rows] + k
        same = ft[rows, np.minimum(at, width - 1)] == st[rows, k]
        out[rows[has & ~same]] = False
    rows = np.flatnonzero(out)
    between = (np.arange(width) >= 1) & (np.arange(width) < (nf[rows] - ns[rows])[:, None])
    middle = np.where(between, ft[rows], -1)
    codes_between = np.unique(middle[middle >= 0])
    words = tokens.array()
    slavic = np.zeros(len(tokens) + 1, dtype=bool)  # the last reads code -1
    slavic[codes_between] = [is_patronymic(words[c]) for c in codes_between.tolist()]
    out[rows[slavic[middle].any(axis=1)]] = False
    return out


def _after_patronymic(full: FormArrays, tokens: Vocabulary) -> IntArray:
    """Per distinct full name (and the last row, none), the position after its last East
    Slavic patronymic between its first and its last part (Ivan Petrovych Kovalenko: 2;
    :func:`~rfl_match.names.parts.assign_roles` reads it so), else 1: where its family
    part starts when no family name field gives it. A patronymic is optional in the middle
    of the name: Ivan Kovalenko is the same family name."""
    ft = full.tokens
    n = (ft >= 0).sum(axis=1)
    between = (np.arange(ft.shape[1]) >= 1) & (np.arange(ft.shape[1]) < (n - 1)[:, None])
    middle = np.where(between, ft, -1)
    codes = np.unique(middle[middle >= 0])
    words = tokens.array()
    slavic = np.zeros(len(tokens) + 1, dtype=bool)  # the last reads code -1
    slavic[codes] = [is_patronymic(words[c]) for c in codes.tolist()]
    found = slavic[middle]
    last = ft.shape[1] - 1 - np.argmax(found[:, ::-1], axis=1)
    after: IntArray = np.where(found.any(axis=1), last + 1, 1).astype(np.int32)
    return after


def _somali_spelt(full: FormArrays, tokens: Vocabulary) -> npt.NDArray[np.bool_]:
    """Per distinct full name (and the last row, none), whether a part of it is spelt in
    Somali Latin orthography (:func:`~rfl_match.names.normalize.reads_somali`: Cabdi
    Faarax Xasan Cali): a name of a culture whose names chain, read off each distinct
    token once."""
    ft = full.tokens
    seen = np.zeros(len(tokens) + 1, dtype=bool)
    seen[ft] = True  # code -1 marks the last, left out
    codes = np.flatnonzero(seen[:-1])
    words = tokens.array()
    somali = np.zeros(len(tokens) + 1, dtype=bool)  # the last reads code -1
    somali[codes] = [reads_somali(words[c]) for c in codes.tolist()]
    out: npt.NDArray[np.bool_] = np.any(somali[ft], axis=1)
    return out


def _opens_dropped(full: FormArrays, tokens: Vocabulary) -> npt.NDArray[np.bool_]:
    """Per distinct full name (and the last row, none), whether it opens with a first
    element of a compound given name that records often leave out
    (:func:`~rfl_match.names.parts.opens_dropped`: Mohammad Zaman Ahmadzai), read only
    for the few names of three parts or more that open with a listed element."""
    ft = full.tokens
    out = np.zeros(len(ft), dtype=bool)
    rows = np.flatnonzero((ft[:, :3] >= 0).all(axis=1))
    words = tokens.array()
    firsts = np.unique(ft[rows, 0])
    listed = np.zeros(len(tokens) + 1, dtype=bool)
    # the first part alone: is it listed (the whole name read only where it is)
    listed[firsts] = [dropped_first_before(words[c]) is not None for c in firsts.tolist()]
    for row in rows[listed[ft[rows, 0]]].tolist():
        out[row] = opens_dropped([words[c] for c in ft[row].tolist() if c >= 0])
    return out


#: What a value that opens with S/O or D/O holds (:func:`_without_parents`' first sieve):
#: the letters around a slash, spaced or not, in ASCII or fullwidth (``clean_text``).
_BY_PARENT = r"[sdｓｄ]\s*[/／]\s*[oｏ]"


def _without_parents(texts: Any, culture: Culture) -> Any:
    """Distinct values of a person's name column (an Arrow string array), blank where one
    names the person by a parent ("S/O Ahmed Khan": :func:`names_a_parent`): the father
    is not the person sought, and read as the person's name, a son met his father as the
    same name. Only values that may hold S/O or D/O are read again (a slash between the
    letters, spaced or not, fullwidth as NFKC folds it: not W/ro, a title, nor N/A)."""
    maybe = pc.match_substring_regex(texts, _BY_PARENT, ignore_case=True)
    slashed = np.flatnonzero(maybe.fill_null(False).to_numpy(False))
    if not len(slashed):
        return texts
    values = texts.take(pa.array(slashed)).to_pylist()
    parent = np.fromiter((names_a_parent(v, culture) for v in values), bool, len(values))
    if not parent.any():
        return texts
    blank = np.zeros(len(texts), dtype=bool)
    blank[slashed[parent]] = True
    return pc.if_else(pa.array(blank), pa.scalar("", texts.type), texts)


#: A letter of a script other than Latin (RE2): a name that holds one is read as written.
_NOT_LATIN = r"[^\P{L}\p{Latin}]"


# A text that may mark its family name written first (family_marked_last): a comma, or a
# word of two capitals or more and no small letter (after a title, Dr MUKENDI Jean) and a
# word after it (a name, or initials alone: KHAN M.).
_MAY_MARK_FAMILY = r",|(?:^|\s)[^\s\p{Ll}]*\p{Lu}[^\s\p{Ll}]*\p{Lu}[^\s\p{Ll}]*\s+\S"


def _marked_family_last(texts: Any) -> Any:
    """Full names (an Arrow string array) with a family name written first and marked so
    (a comma after it, or capitals) held family name last
    (:func:`~rfl_match.names.parts.family_marked_last`: "MUKENDI Jean-Pierre",
    "Mukendi, Jean-Pierre": Jean-Pierre Mukendi), as the matcher reads a full name; the
    few that may be are found by Arrow, and only those read in Python."""
    may = np.flatnonzero(_holds(texts, _MAY_MARK_FAMILY))
    if not len(may):
        return texts
    written = texts.take(pa.array(may)).to_pylist()
    turned = [family_marked_last(text) for text in written]
    changed = [i for i, (a, b) in enumerate(zip(written, turned, strict=True)) if a != b]
    if not changed:
        return texts
    mask = np.zeros(len(texts), dtype=bool)
    mask[may[changed]] = True
    replacements = pa.array([turned[i] for i in changed], type=texts.type)
    return pc.replace_with_mask(texts, pa.array(mask), replacements)


def _family_first(
    table: PartTable,
    texts: Any,
    culture: Culture,
    rows: npt.NDArray[np.intp],
    cols: npt.NDArray[np.intp],
    part: npt.NDArray[np.int64],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """``cols`` (each part's place in its name; ``rows``: the name's, among ``texts``;
    ``part``: its id in ``table``; a name's parts together, in order) with the names that
    read family name first held given name first, and the names (their rows) that were.
    Those are a Vietnamese name in its native order, as its roles read it
    (:func:`~rfl_match.names.parts.vietnamese_order`: three parts or more in Latin
    letters, a common family name, then Văn or Thị, and neither a family name alone nor
    Văn or Thị last), where the hint does not say its names chain; read off the parts'
    tokens with numpy, and the letters of the few that may be. Held so, the given name
    comes first and the family name at the last place kept (:data:`MAX_CHAIN`), the
    middle names between and after it: Nguyễn Văn Hùng, hung van nguyen; Nguyễn Thị Ngọc
    Bích Hà, ha thi ngoc nguyen (bich)."""
    none = np.zeros(0, dtype=np.intp)
    if culture.chain or culture.family == "burmese" or not len(rows):
        return cols, none
    count = np.bincount(rows, minlength=len(texts))
    opening = np.flatnonzero((cols == 0) & (count[rows] >= 3))
    if not len(opening):
        return cols, none
    words = vietnamese_order_words()
    family, middle, closing = (table.strings.marks(w) for w in words)
    token = table.columns()[:, 0]
    last = opening + count[rows[opening]] - 1
    may = family[token[part[opening]]] & middle[token[part[opening + 1]]]
    first = opening[may & ~closing[token[part[last]]]]
    if len(first):
        latin = ~_holds(texts.take(pa.array(rows[first])), _NOT_LATIN)
        first = first[latin]
    if not len(first):
        return cols, none
    n = count[rows[first]]
    held = np.minimum(n, MAX_CHAIN) - 1  # the family name's place
    cols = cols.copy()
    # the middle names from that place on, one further (the given name's leaves room)
    within = np.repeat(first, n) + (np.arange(n.sum()) - np.repeat(np.cumsum(n) - n, n))
    moved = within[(cols[within] >= np.repeat(held, n)) & (cols[within] < np.repeat(n, n) - 1)]
    cols[moved] += 1
    cols[first + n - 1] = 0
    cols[first] = held
    return cols, rows[first]


def _texts_from(
    full: FormArrays, start: IntArray, tokens: Vocabulary, texts: Vocabulary
) -> IntArray:
    """Per distinct full name, the code of its parts from ``start`` (per name) on joined,
    as ``rest_text`` joins those after the first (made only where ``start`` is not 1: few
    names)."""
    out = full.rest_text.copy()
    words = tokens.array()
    for row in np.flatnonzero(start != 1).tolist():
        parts = [words[t] for t in full.tokens[row, start[row] :].tolist() if t >= 0]
        out[row] = texts.id(" ".join(parts))
    return out


def _written_skeletons(
    parts: NameParts, given: FormArrays, family: FormArrays, fields: npt.NDArray[np.bool_]
) -> IntArray:
    """``(n, 2 * MAX_CHAIN)`` skeleton codes of each record's name as its fields write it,
    for the joined key: the own parts (-1 after them), but where ``fields`` (a given-name
    field whose rest the full name does not give: a family name field, or no full name)
    every part of the given-name field, then the family name field's. The own parts keep
    only the given field's first part, so "Gul Ahmad" + "Kakar" ran together as "Gul
    Kakar" did, and missed "Gulahmad Kakkar"."""
    own = np.full((len(fields), 2 * MAX_CHAIN), -1, dtype=np.int32)
    own[:, :MAX_CHAIN] = parts.skeletons
    rows = np.flatnonzero(fields)
    own[rows, :MAX_CHAIN] = np.take(given.skeletons, given.codes[rows], axis=0)
    own[rows, MAX_CHAIN:] = np.take(family.skeletons, family.codes[rows], axis=0)
    return own


def _marked_rows(codes: IntArray, texts: Any) -> tuple[IntArray, list[tuple[tuple[str, str], ...]]]:
    """Per row of ``codes`` (into the distinct ``texts``), the number (-1: none) of the
    Vietnamese marks its name writes (:func:`vietnamese_marks`), and the marks of each
    number: the few texts with a marked vowel are read in Python, the others not."""
    marks: list[tuple[tuple[str, str], ...]] = []
    local = np.full(len(texts) + 1, -1, dtype=np.int32)  # the last: a missing name
    for k in np.flatnonzero(_holds(texts, vietnamese_marks_pattern())):
        found = vietnamese_marks(texts[int(k)].as_py())
        if found:
            local[k] = len(marks)
            marks.append(found)
    rows: IntArray = local[codes]
    return rows, marks


def _records_marks(
    columns: list[tuple[IntArray, list[tuple[tuple[str, str], ...]]]], n: int
) -> RecordMarks | None:
    """:meth:`PreparedPair.vietnamese_marks` of a side's name columns (each its rows'
    numbers and their marks, as :func:`_marked_rows` gives them): a record writes what
    its columns write together."""
    numbers = np.stack([rows for rows, _ in columns], axis=1)
    marked = np.flatnonzero((numbers >= 0).any(axis=1))
    if not len(marked):
        return None
    distinct, inverse = np.unique(numbers[marked], axis=0, return_inverse=True)
    out: list[dict[str, frozenset[str]]] = []
    for row in distinct:
        written: dict[str, set[str]] = {}
        for number, (_, marks) in zip(row, columns, strict=True):
            for reading, form in marks[number] if number >= 0 else ():
                written.setdefault(reading, set()).add(form)
        out.append({reading: frozenset(forms) for reading, forms in written.items()})
    codes = np.full(n, -1, dtype=np.int32)
    codes[marked] = inverse.reshape(-1)
    return codes, out


def _matching(values: pd.Series, pattern: str) -> npt.NDArray[np.bool_]:
    """Whether each of a column's ``values`` (text; a missing one holds none) holds a
    match of ``pattern``, case ignored: by Arrow where the text is Arrow's (:func:`_holds`;
    a twentieth of the time pandas takes to ignore case: 22 ms a 500,000 names)."""
    arrow = values.array.__arrow_array__() if hasattr(values.array, "__arrow_array__") else None
    if arrow is not None and str(arrow.type) in ("string", "large_string"):
        if isinstance(arrow, pa.ChunkedArray):  # the pattern is set up once a chunk
            arrow = arrow.combine_chunks()
        return np.asarray(_holds(arrow, pattern, ignore_case=True), dtype=bool)
    return np.asarray(values.str.contains(pattern, case=False, regex=True, na=False), dtype=bool)


def parents_named(records: pd.DataFrame) -> pd.DataFrame:
    """``records`` with the parent a person's name names (:func:`parent_named`: a newborn
    by its mother's name, "Baby of Fatima", "B/O Fatima"; a person by the father's, "Ali
    S/O Ahmed Khan") as its mother's or father's name, where the record leaves that field
    blank: the name is read as no name (or as the person's before S/O), and the parent's
    name was lost to blocking's context rules and the parents' comparisons. A field the
    record fills keeps its value; where its name fields name two parents of one kind
    unlike, neither is given. Only the values a sieve keeps are read, each distinct one
    once (:func:`parent_pattern`). A new frame where one changes; the caller's frame is
    never written to. The linker reads validated records through it, and the encoder
    (``rfl_match.privacy.encode_records``) before it builds the parents' filters, so that
    a name gives one parent in clear and encoded."""
    n = len(records)
    given = {"mother": np.full(n, "", dtype=object), "father": np.full(n, "", dtype=object)}
    unlike = {kind: np.zeros(n, dtype=bool) for kind in given}
    for column in PERSON_COLUMNS:
        if column not in records.columns:
            continue
        values = records[column]
        rows = np.flatnonzero(_matching(values, parent_pattern()))
        if not len(rows):
            continue
        codes, uniques = pd.factorize(values.iloc[rows].to_numpy(object))
        read = [parent_named(str(u)) for u in uniques]
        for kind, names in given.items():
            said = np.array([p is not None and p[0] == kind for p in read], dtype=bool)
            if not said.any():
                continue
            text = np.array([p[1] if p is not None else "" for p in read], dtype=object)
            mine = said[codes]
            at, new = rows[mine], text[codes[mine]]
            held = names[at] != ""
            before, now = names[at[held]], new[held]
            unlike[kind][at[held]] |= np.array(
                [clean_text(a) != clean_text(b) for a, b in zip(before, now, strict=True)],
                dtype=bool,
            )
            names[at] = new
    out = records
    for kind, names in given.items():
        field = f"{kind}_name"
        take = (names != "") & ~unlike[kind]
        if field in records.columns:
            take &= np.asarray(records[field].fillna("") == "", dtype=bool)
        if not take.any():
            continue
        own = records[field] if field in records.columns else None
        filled = np.full(n, "", dtype=object) if own is None else own.to_numpy(object)
        filled = np.where(take, names, filled)
        person = next(c for c in PERSON_COLUMNS if c in records.columns)  # one named it
        dtype = records[person].dtype if own is None else own.dtype
        out = out.assign(**{field: pd.Series(filled, index=records.index, dtype=dtype)})
    return out


def _holds(texts: Any, pattern: str, *, ignore_case: bool = False) -> npt.NDArray[np.bool_]:
    """Per text of an Arrow string array, whether it holds a match of ``pattern`` (RE2)."""
    found: npt.NDArray[np.bool_] = (
        pc.match_substring_regex(texts, pattern, ignore_case=ignore_case)
        .fill_null(False)
        .to_numpy(zero_copy_only=False)
    )
    return found


def _numbered_pieces(
    table: PartTable,
    texts: Any,
    culture: Culture,
    name_of: npt.NDArray[np.intp],
    piece_of: npt.NDArray[np.intp],
    pieces: list[str],
    *,
    fork: bool,
    persian: npt.NDArray[np.bool_] | None = None,
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """``piece_of`` (each piece's place among the distinct pieces read) and each distinct
    piece's number in ``table``. Under a hint that says nothing of Arabic script, the
    pieces of names that hold a letter Arabic does not write are read as Persian
    (:meth:`~rfl_match.names.parts.Culture.reading_arabic`), after the others and apart
    from them: a piece of such a name is read so whether it holds the letter or not.
    ``persian``: which texts hold such a letter, where the caller has read it."""
    if culture.arabic_script is not None or not len(piece_of):
        persian = None
    elif persian is None:
        persian = _holds(texts, PERSIAN_LETTERS_PATTERN)
    if persian is None or not persian.any():
        return piece_of, table.pieces(pieces, culture, fork=fork)
    within = persian[name_of]
    numbers: list[npt.NDArray[np.intp]] = []
    places = np.zeros((2, len(pieces)), dtype=np.intp)
    for side, (mask, one) in enumerate(
        ((~within, culture), (within, culture._replace(arabic_script="persian")))
    ):
        read = np.flatnonzero(np.bincount(piece_of[mask], minlength=len(pieces)))  # ascending
        places[side, read] = sum(map(len, numbers)) + np.arange(len(read))
        numbers.append(table.pieces([pieces[i] for i in read.tolist()], one, fork=fork))
    return places[within.astype(np.intp), piece_of], np.concatenate(numbers)


def _split_whitespace(texts: Any) -> tuple[Any, npt.NDArray[np.intp]]:
    """The pieces ``str.split()`` cuts each of an Arrow array of texts into, all in one
    Arrow array, and the index of each piece's text. Arrow's Unicode white space is
    Python's (a test checks every code point); it leaves an empty piece where a text
    starts or ends with white space, which ``str.split()`` does not."""
    lists = pc.utf8_split_whitespace(texts)
    pieces = lists.flatten()
    owner = pc.list_parent_indices(lists).to_numpy().astype(np.intp)
    kept = pc.greater(pc.binary_length(pieces), 0)
    return pieces.filter(kept), owner[kept.to_numpy(zero_copy_only=False)]


@dataclass
class Partition:
    """What one partition of the requests, against all the sightings, shares with the
    run in partitions it is part of (``rfl_match.backends.partitions``), so that it
    proposes and scores as one run over all the requests would.

    ``term_counts``: per term-frequency kind, the records of the run holding each value
    (``rfl_match.compare.term_counts``, summed): frequencies are read from them.
    ``id_ranks``: each left and right record's id rank among all the run's ids (as
    ``arrays.dense_ranks`` ranks both sides' in one run), and ``rank_bits`` the bits of
    the largest: the candidate budget breaks ties by them, alike in every partition.
    ``requests``: the requests of all the partitions (the budget's rows are as wide as
    one run's). ``choices``: per candidate budget of blocking, by the order blocking
    makes them in (the main rules', then the context rules'), each sighting's choice
    among all the requests (``kernels.BestPairs.right_rows``, merged over the
    partitions by ``kernels.merge_rows``), which the partition's budget takes for its
    own. Without them (the pass that finds them), each budget leaves the partition's own
    choice in ``found``, by its number; ``budgets`` counts the budgets made.
    ``competing``: each sighting's likeliest candidate among all the requests (the
    budget's pairs, ``rfl_match.linker.RIVAL_FLOOR`` or more, else 0), against which the
    context rules' own pairs are weighed (``rfl_match.linker._compete``). ``told``:
    the warnings given in the run so far (one set, shared by its partitions in a
    process), each given once however many partitions and passes meet it.
    ``sighting_odds``: with ``one_request_per_person``, each sighting's budget pairs'
    calibrated odds summed over all the requests, and the pairs' probabilities summed
    (the expected matches), which a partition reads its sightings with as one run
    reads them (``rfl_match.linker._one_request``).
    """

    term_counts: Mapping[str, Mapping[str, int]] | None = None
    id_ranks: tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]] | None = None
    rank_bits: int = 0
    requests: int = 0
    choices: tuple[tuple[npt.NDArray[Any], npt.NDArray[Any]], ...] = ()
    found: dict[int, tuple[npt.NDArray[Any], npt.NDArray[Any]]] = field(default_factory=dict)
    budgets: int = 0
    told: set[str] = field(default_factory=set)
    competing: npt.NDArray[np.float64] | None = None
    sighting_odds: tuple[npt.NDArray[np.float64], float] | None = None

    def fresh(self) -> Partition:
        """A copy for one pass over a partition: nothing found, no budget made (and the
        run's warnings shared)."""
        return replace(self, found={}, budgets=0)


@dataclass(slots=True)
class PreparedPair:
    """Both sides' frames and every column derived from them, computed on demand once."""

    left: pd.DataFrame
    right: pd.DataFrame
    culture: str | None = None
    workers: int = -1  # threads for the comparison kernels and rapidfuzz; -1: every core
    #: whether a person's parts hold the names a full name gives between its given and
    #: family name fields (:attr:`PersonNames.middle`); blocking reads them without
    #: (:meth:`blocking_names`). The linker sets it where the comparisons are split by an
    #: anchor's agreement (``LinkConfig.condition_on``): a father's name both in the
    #: chain and in its own comparison counts twice for a sibling unless the split
    #: weighs the second given the first (at 100,000 a side, unsplit, EM counted 17% too
    #: many matches with them, and the calibration's largest gap was 0.105).
    chains: bool = True
    #: What these frames share with a run in partitions of the requests they are part
    #: of (``rfl_match.backends``); ``None``: these frames are all.
    partition: Partition | None = None
    _cache: dict[str, Any] = field(default_factory=dict)
    _ahead: dict[tuple[str, str | None], Future[tuple[IntArray, Any]]] = field(default_factory=dict)
    tokens: Vocabulary = field(default_factory=lambda: Vocabulary())
    classes: Vocabulary = field(default_factory=lambda: Vocabulary())
    texts: Vocabulary = field(default_factory=lambda: Vocabulary())
    keys: Vocabulary = field(default_factory=lambda: Vocabulary())
    name_parts: PartTable = field(default_factory=lambda: PartTable())

    @property
    def sizes(self) -> tuple[int, int]:
        return len(self.left), len(self.right)

    def column(self, side: int, name: str) -> pd.Series | None:
        frame = self.left if side == 0 else self.right
        return frame[name] if name in frame.columns else None

    # --- derived columns ------------------------------------------------------------

    def read_ahead(self, columns: Sequence[tuple[str, str | None]]) -> None:
        """Start reading the distinct values of ``columns`` (each ``(column, missing)`` as
        :meth:`_distinct_values` takes them) on a thread of their own, in turn, while this
        thread codes names: Arrow's hash encoding releases the GIL, the name coding holds
        it. The first ask of each then takes what the thread read. Nothing with one worker.
        """
        if worker_count(self.workers) <= 1:
            return
        pool = ThreadPoolExecutor(1)
        for column, missing in columns:
            if (column, missing) not in self._ahead:
                # the columns taken here: a frame is not read from two threads
                sides = [self.column(side, column) for side in (0, 1)]
                self._ahead[(column, missing)] = pool.submit(
                    _distinct_of, sides, self.sizes, missing
                )
        pool.shutdown(wait=False)

    def _distinct_values(self, column: str, missing: str | None = None) -> tuple[IntArray, Any]:
        """Codes of both sides' values of a column (left rows, then right rows; -1 where
        missing) into its distinct values (an Arrow string array), in order of first
        sight. ``missing``: the value of a side without the column (None: missing)."""
        ahead = self._ahead.pop((column, missing), None)
        if ahead is not None:
            read: tuple[IntArray, Any] = ahead.result()
            return read
        return _distinct_of([self.column(side, column) for side in (0, 1)], self.sizes, missing)

    def _coded_names(
        self,
        codes: IntArray,
        texts: Any,
        make: tuple[int, ...] = (0, 1),
        *,
        letters: npt.NDArray[np.bool_] | None = None,
        culture: Culture | None = None,
        reorder: bool = True,
    ) -> FormArrays:
        """:class:`FormArrays` of distinct names (``texts``, an Arrow string array;
        ``codes`` into them, set to -1 in place where a name is empty). ``make``: which
        joined texts to make, ``text`` (0) and ``rest_text`` (1); one not made is all -1.
        ``letters``: which texts hold a letter Arabic does not write, where known
        (:func:`_numbered_pieces`); ``culture``: the one they are read with, if not the
        hint's. ``reorder``: a name whose roles open with its family name and close with
        its given name (a Vietnamese name in its native order, Nguyễn Văn Hùng:
        :func:`_family_first`) holds them given name first (hung van nguyen), as a
        register abroad writes it and as the matcher reads a name's parts (the given name
        at 0, the family part after); not in a given or family name field, which says
        what it holds.

        A name the fast path of normalisation reads is its pieces' parts run together: it
        is coded from the :class:`PartTable` with numpy; only the others (particles,
        titles, Burmese) are normalised whole. Every code is given in the order the
        names, then their parts, meet it, as coding each form in turn would. The texts
        are split, and the joined texts made, by Arrow: only distinct pieces, the names
        normalised whole and distinct joined texts become Python strings.
        """
        k = len(texts)
        culture = culture_info(self.culture) if culture is None else culture
        table = self.name_parts
        split, name_of = _split_whitespace(texts)
        encoded = pc.dictionary_encode(split)
        piece_of = encoded.indices.to_numpy().astype(np.intp)
        fork = worker_count(self.workers) > 1
        with paused_gc():
            piece_of, numbers = _numbered_pieces(
                table,
                texts,
                culture,
                name_of,
                piece_of,
                encoded.dictionary.to_pylist(),
                fork=fork,
                persian=letters,
            )
        # per distinct piece: its number of parts (-1: the name needs the full pipeline),
        # where its part ids start in `flat`, and its flags
        known = table.piece_arrays()
        size, start = known.size[numbers], known.start[numbers]
        opens, open_end = known.opens[numbers], known.open_end[numbers]
        title, flat = known.title[numbers], known.parts
        lens = size[piece_of]
        # a piece that ends with an article ("Al" of "Al Halabi") reads so only before a
        # piece of the same name that opens with a part; a title only so, and first
        leads = np.ones(len(piece_of), dtype=bool)
        leads[1:] = name_of[1:] != name_of[:-1]
        dangling = open_end[piece_of] | title[piece_of]
        dangling[:-1] &= ~(opens[piece_of[1:]] & ~leads[1:])
        lens[dangling | (title[piece_of] & ~leads)] = -1
        special = np.bincount(name_of, weights=lens < 0, minlength=k) > 0
        # a name of single letters alone is read whole, where "N A" (N/A) is a placeholder
        special |= np.bincount(name_of, weights=~known.initial[numbers][piece_of], minlength=k) == 0
        lens = np.where(special[name_of], 0, np.maximum(lens, 0))
        total = np.bincount(name_of, weights=lens, minlength=k).astype(np.intp)
        slow = special | (total == 0)
        # the parts of the fast names, name by name, in order
        step = np.arange(int(lens.sum()), dtype=np.intp)
        within = step - np.repeat(np.cumsum(lens) - lens, lens)
        part = flat[np.repeat(start[piece_of], lens) + within]
        rows = np.repeat(name_of, lens)
        cols = step - (np.cumsum(total) - total)[rows]
        # the other names, whole
        slow_names = np.flatnonzero(slow)
        empty = np.zeros(k + 1, dtype=bool)
        empty[k] = True
        more_rows: list[int] = []
        more_parts: list[int] = []
        given_unknown = np.zeros(k + 1, dtype=bool)
        with paused_gc():
            slow_texts = texts.take(pa.array(slow_names)).to_pylist()
            wholes = table.wholes(slow_texts, culture, fork=fork)
            # a placeholder sends a name to the full pipeline: only those can say so
            given_unknown[slow_names] = [says_given_unknown(clean_text(t)) for t in slow_texts]
            for i, ids in zip(slow_names.tolist(), wholes, strict=True):
                more_rows += [i] * len(ids)
                more_parts += ids
                empty[i] = not ids
        if more_rows:
            extra = np.array(more_rows, dtype=np.intp)
            rows = np.concatenate([rows, extra])
            cols = np.concatenate([cols, np.arange(len(extra)) - np.searchsorted(extra, extra)])
            part = np.concatenate([part, np.array(more_parts, dtype=np.int64)])
            order = np.argsort(rows, kind="stable")
            rows, cols, part = rows[order], cols[order], part[order]
        turned = np.zeros(0, dtype=np.intp)
        if reorder:
            cols, turned = _family_first(table, texts, culture, rows, cols, part)
            if len(turned):
                order = np.lexsort((cols, rows))
                rows, cols, part = rows[order], cols[order], part[order]
        head = cols < MAX_CHAIN
        rows, cols, part = rows[head], cols[head], part[head]
        codes[empty[codes]] = -1

        # Each distinct part once, in order of first sight: its strings meet the
        # vocabularies in the order the parts do.
        seen, distinct = pd.factorize(part, sort=False)
        local = table.columns()[distinct]
        words = table.strings.words
        shape = (k + 1, MAX_CHAIN)
        arrays = FormArrays(
            codes=codes,
            tokens=np.full(shape, -1, dtype=np.int32),
            classes=np.full(shape, -1, dtype=np.int32),
            skeletons=np.full(shape, -1, dtype=np.int32),
            phonetics=np.full(shape, -1, dtype=np.int32),
            text=np.full(k + 1, -1, dtype=np.int32),
            rest_text=np.full(k + 1, -1, dtype=np.int32),
            kunya=np.zeros(k + 1, dtype=bool),
            chain_script=np.zeros(k + 1, dtype=bool),
            given_unknown=given_unknown,
            patronymic=np.zeros(k + 1, dtype=bool),
            family_first=np.zeros(k + 1, dtype=bool),
        )
        arrays.family_first[turned] = True
        if 1 in make and k:
            arrays.chain_script[:k] = _holds(texts, _CHAIN_SCRIPT)
            arrays.patronymic[:k] = _holds(texts, patronymic_pattern(), ignore_case=True)
        first = cols == 0
        arrays.kunya[rows[first]] = table.kunya()[part[first]]
        arrays.tokens[rows, cols] = self.tokens.coded(local[:, 0], words)[seen]
        arrays.classes[rows, cols] = self.classes.coded(local[:, 1], words)[seen]
        arrays.skeletons[rows, cols] = self.keys.coded(local[:, 2], words)[seen]
        arrays.phonetics[rows, cols] = self.keys.coded(local[:, 3], words)[seen]
        # the joined texts: the tokens of each name, then those after the first, in the
        # order the names meet them
        tokens = table.strings.arrow().take(pa.array(local[:, 0][seen]))
        for target, first in ((arrays.text, 0), (arrays.rest_text, 1)):
            if first not in make:
                continue
            kept = cols >= first
            counts = np.bincount(rows[kept], minlength=k)
            offsets = np.zeros(k + 1, dtype=np.int64)
            np.cumsum(counts, out=offsets[1:])
            lists = pa.LargeListArray.from_arrays(pa.array(offsets), tokens.filter(kept))
            has = counts > 0
            joined = pc.binary_join(lists, pa.scalar(" ", pa.large_string()))
            target[np.flatnonzero(has)] = self.texts.ids(joined.filter(has))
        return arrays

    def person_names(self, side: int) -> PersonNames:
        """The person's own name: ``full_name``, else ``given_name`` + ``family_name``.

        Both sides are built at once, from the three name columns' arrays, which are not
        kept (a million records a side hold about 100 MiB of them) unless already held.
        """
        key = f"person:{side}"
        if key not in self._cache:
            # Of the joined texts, a person's name reads the full name's after its first
            # part and the family name's: the others (most of the texts) are not made.
            columns = [
                self._both_form_arrays(column, make)
                for column, make in zip(PERSON_COLUMNS, ((1,), (), (0,)), strict=True)
            ]
            for one in (0, 1):
                full, given, family = (pair[one] for pair in columns)
                self._cache[f"person:{one}"] = self._person_names(full, given, family)
        result: PersonNames = self._cache[key]
        return result

    def blocking_names(self, side: int) -> PersonNames:
        """:meth:`person_names` as blocking reads them (:meth:`PersonNames.unchained`),
        made once; blocking drops them when done (:meth:`drop_blocking_names`)."""
        key = f"person-blocking:{side}"
        if key not in self._cache:
            self._cache[key] = self.person_names(side).unchained()
        names: PersonNames = self._cache[key]
        return names

    def drop_blocking_names(self) -> None:
        """Free :meth:`blocking_names` (a copy of the parts where a full name holds middle
        parts)."""
        for side in (0, 1):
            self._cache.pop(f"person-blocking:{side}", None)

    def form_arrays(self, side: int, column: str) -> FormArrays:
        """Per distinct name of a column, its parts as codes; row ``-1`` is the empty name.

        Both sides are coded together (they share the arrays; ``codes`` is the side's
        own). The codes are those that coding each name's :class:`NameForm` in turn gives.
        """
        key = f"arrays:{side}:{column}"
        if key not in self._cache:
            self._cache[f"arrays:0:{column}"], self._cache[f"arrays:1:{column}"] = (
                self._both_form_arrays(column)
            )
        result: FormArrays = self._cache[key]
        return result

    def _both_form_arrays(
        self, column: str, make: tuple[int, ...] = (0, 1)
    ) -> tuple[FormArrays, FormArrays]:
        """:meth:`form_arrays` of both sides, from the cache if there, else made (and not
        cached) with the joined texts asked for (see :meth:`_coded_names`)."""
        if f"arrays:0:{column}" in self._cache:
            return self._cache[f"arrays:0:{column}"], self._cache[f"arrays:1:{column}"]
        codes, texts = self._distinct_values(column)
        letters = None
        if culture_info(self.culture).arabic_script is None:
            letters = self._cache.pop(f"persian letters:{column}", None)
            if letters is None:
                letters = _holds(texts, PERSIAN_LETTERS_PATTERN)
            if "persian records" not in self._cache:  # before empty names' codes are -1
                self._cache.setdefault("persian letter rows", {})[column] = np.append(
                    letters, False
                )[codes]
        if column in NAME_FIELDS:
            texts = _without_parents(texts, culture_info(self.culture))
        reorder = column not in ("given_name", "family_name")
        if reorder:
            texts = _marked_family_last(texts)
        self._cache.setdefault("vietnamese marks", {})[column] = _marked_rows(codes, texts)
        arrays = self._coded_names(codes, texts, make, letters=letters, reorder=reorder)
        if letters is not None:
            arrays = self._read_records_as_persian(codes, texts, letters, arrays, make)
        n_left = self.sizes[0]
        return replace(arrays, codes=codes[:n_left]), replace(arrays, codes=codes[n_left:])

    def vietnamese_marks(
        self, side: int, columns: tuple[str, ...] = PERSON_COLUMNS
    ) -> tuple[IntArray, list[dict[str, frozenset[str]]]] | None:
        """Per record of a side, a code (-1: none) of the Vietnamese marks its name writes
        (:func:`~rfl_match.names.romanization.vietnamese_marks` of ``columns``, together:
        the person's name fields, or a parent's name), and per code each syllable's
        reading and the ways the record writes it (Hùng: {"hung": {"hùng"}}); None where
        no record of the side writes marks (made once, of the texts :meth:`person_names`
        or :meth:`form_arrays` read)."""
        key = f"vietnamese marks:{side}:{','.join(columns)}"
        if key not in self._cache:
            if columns == PERSON_COLUMNS:
                self.person_names(side)
            else:
                for column in columns:
                    self.form_arrays(side, column)
            found = self._cache.get("vietnamese marks", {})
            start, stop = (0, self.sizes[0]) if side == 0 else (self.sizes[0], sum(self.sizes))
            read = [
                (rows[start:stop], marks)
                for rows, marks in (found.get(c, (None, [])) for c in columns)
                if rows is not None and marks
            ]
            self._cache[key] = _records_marks(read, self.sizes[side]) if read else None
        result: RecordMarks | None = self._cache[key]
        return result

    def persian_records(self) -> npt.NDArray[np.bool_] | None:
        """Per record (the left side's, then the right side's), whether its names in Arabic
        script are read as Persian (ث ذ ض as s, z, z, a consonant و as v): where any of its
        name fields (``NAME_FIELDS`` and ``PARENT_FIELDS`` of :mod:`rfl_match.schema`)
        holds a letter Arabic does not write (Persian ی ک پ, Urdu, Pashto, Kurdish letters:
        :func:`~rfl_match.names.romanization.arabic_script_language`), so that a record's
        names are read one way, its father's name as its own full name. None where the
        culture hint says how Arabic script is read. Made once, from the distinct values
        of each field (a field not coded yet is read ahead of its first ask, which then
        takes it)."""
        key = "persian records"
        if key not in self._cache:
            found = None
            if culture_info(self.culture).arabic_script is None:
                coded = self._cache.pop("persian letter rows", {})
                found = np.zeros(sum(self.sizes), dtype=bool)
                for column in (*NAME_FIELDS, *PARENT_FIELDS):
                    rows = coded.get(column)
                    found |= self._persian_letter_rows(column) if rows is None else rows
            self._cache[key] = found
        records: npt.NDArray[np.bool_] | None = self._cache[key]
        return records

    def _persian_letter_rows(self, column: str) -> npt.NDArray[np.bool_]:
        """Per record, whether its value of a name column not coded yet holds a letter
        Arabic does not write. A column that is coded (a person's name, a parent's) keeps
        its distinct values and their letters for its first ask."""
        if self.column(0, column) is None and self.column(1, column) is None:
            return np.zeros(sum(self.sizes), dtype=bool)
        ahead = self._ahead.get((column, None))
        if ahead is None:
            ahead = Future()
            ahead.set_result(
                _distinct_of([self.column(s, column) for s in (0, 1)], self.sizes, None)
            )
        codes, texts = ahead.result()
        letters = _holds(texts, PERSIAN_LETTERS_PATTERN)
        if column in CODED_COLUMNS:
            self._ahead[(column, None)] = ahead
            self._cache[f"persian letters:{column}"] = letters
        rows: npt.NDArray[np.bool_] = np.append(letters, False)[codes]
        return rows

    def _read_records_as_persian(
        self,
        codes: IntArray,
        texts: Any,
        letters: npt.NDArray[np.bool_],
        arrays: FormArrays,
        make: tuple[int, ...],
    ) -> FormArrays:
        """``arrays`` (:meth:`_coded_names` of ``texts``; ``codes`` into them) with the
        names of records read as Persian (:meth:`persian_records`) that their own letters
        read as Arabic, and that read otherwise so (ث ذ ض و:
        :func:`~rfl_match.names.romanization.persian_reading_pattern`), coded again as
        Persian: those records' ``codes`` (changed in place) read them in rows of their
        own, after the others (the empty name's row stays last). Few names are: the
        other records keep each one's first reading."""
        records = self.persian_records()
        if records is None:
            return arrays
        k = len(texts)
        met = np.zeros(k + 1, dtype=bool)  # the last: code -1, no name
        met[codes[records]] = True
        maybe = np.flatnonzero(met[:k] & ~letters)
        if not len(maybe):
            return arrays
        again = maybe[_holds(texts.take(pa.array(maybe)), persian_reading_pattern())]
        if not len(again):
            return arrays
        persian = culture_info(self.culture)._replace(arabic_script="persian")
        read = np.arange(len(again), dtype=np.int32)  # -1 in place where read as no name
        extra = self._coded_names(read, texts.take(pa.array(again)), make, culture=persian)
        row = np.full(k + 1, -1, dtype=np.int32)
        row[again] = np.where(read >= 0, k + read, -1)
        is_again = np.zeros(k + 1, dtype=bool)
        is_again[again] = True
        moved = records & is_again[codes]
        codes[moved] = row[codes[moved]]
        m = len(again)
        spliced = {
            name: np.concatenate([mine[:k], theirs[:m], mine[k:]])
            for name, mine, theirs in (
                (f.name, getattr(arrays, f.name), getattr(extra, f.name))
                for f in fields(FormArrays)
                if f.name != "codes"
            )
        }
        return replace(arrays, codes=codes, **spliced)

    def _person_names(self, full: FormArrays, given: FormArrays, family: FormArrays) -> PersonNames:
        """One side's person names from its name columns' arrays."""
        fc, gc, sc = full.codes, given.codes, family.codes
        has_given, has_family = gc >= 0, sc >= 0
        # A full name gives no given name where it says so ("FNU Rahim") or, beside a
        # family name field and no given name field, is that field ("Unknown Tesfaye",
        # family Tesfaye): its parts are the family name's, from 0 on.
        # np.take of rows: a fancy index of rows of a 2-d array is many times slower
        full_tokens, family_tokens = (
            np.take(full.tokens, fc, axis=0),
            np.take(family.tokens, sc, axis=0),
        )
        same = (full_tokens == family_tokens).all(axis=1)
        unknown = ~has_given & (fc >= 0) & (full.given_unknown[fc] | (has_family & same))
        codes = (np.where(unknown & has_family, -1, fc).astype(np.int32), gc, sc)
        # each record's parts written in place: tokens, then the packed class and key codes
        chained = _chained(full, given, family, codes, self.tokens) & self.chains
        n_full = (full_tokens >= 0).sum(axis=1)
        n_family = (family_tokens >= 0).sum(axis=1)
        tokens = np.empty((len(fc), MAX_CHAIN), dtype=np.int32)
        person_parts(full.tokens, given.tokens, family.tokens, codes, tokens, 0, chained)
        packed = np.empty((len(fc), 3 * MAX_CHAIN), dtype=np.int32)
        for at, kind in enumerate(("classes", "skeletons", "phonetics")):
            tables = (getattr(full, kind), getattr(given, kind), getattr(family, kind))
            person_parts(*tables, codes, packed, at * MAX_CHAIN, chained)
        parts = NameParts(packed)
        first = np.where(has_given, given.tokens[:, 0][gc], full.tokens[:, 0][codes[0]])
        start = np.where(has_family & (first < 0), 0, 1).astype(np.int32)
        text = np.where(has_family & ~chained, family.text[sc], full.rest_text[fc]).astype(np.int32)
        culture = culture_info(self.culture)
        # Where no hint names a family name, Arabic or Ethiopic script alone, or a Somali
        # spelling, tells of a culture whose names chain.
        # (both sides share the distinct names' arrays: read once)
        if "somali spelt" not in self._cache:
            self._cache["somali spelt"] = full.chain_script | _somali_spelt(full, self.tokens)
        spelt = self._cache["somali spelt"]
        chain = chained | culture.chain | (spelt[fc] & (culture.family is None))
        in_full = ~has_family & (fc >= 0) & ~chain
        # A patronymic is no family name: the family part starts after it (and its text);
        # a full name alone that has no given name has its family part from 0 on.
        after = _after_patronymic(full, self.tokens)
        after[full.given_unknown] = 0
        moved = (in_full & (after[fc] > 1)) | (unknown & ~has_family)
        if moved.any():
            start[moved] = after[fc[moved]]
            text[moved] = _texts_from(full, after, self.tokens, self.texts)[fc[moved]]
        fields = has_given & (has_family | (fc < 0))  # the given field's rest is not in the parts
        written = _written_skeletons(parts, given, family, fields)
        split_given = has_given & (given.skeletons[:, 1][gc] >= 0)
        both = ~has_family & (start > 0) & (parts.skeletons[:, :2] >= 0).all(axis=1)
        compound = np.full((len(fc), MAX_CHAIN), -1, dtype=np.int32)
        compound[both, :2] = parts.skeletons[both, :2]
        compound[split_given, :2] = given.skeletons[gc[split_given], :2]
        second = split_given & has_family
        # A full name alone of three parts or more that opens with a first element its
        # records often leave out (Mohammad Zaman Ahmadzai: dropped_first.tsv) holds its
        # given name's second part next, where its names do not chain (there the next part
        # is the father's: the comparison reads it so only against a shorter name), nor a
        # patronymic particle says so (Mohammad bin Zaman Ahmadzai: Zaman is the father).
        lead = ~has_given & ~has_family & ~chain & (start == 1) & ~full.patronymic[fc]
        lead &= _opens_dropped(full, self.tokens)[fc]
        source = np.where(second, 0, np.where(lead, 1, 2))  # the given field, the full, none
        none = np.full(len(fc), -1, dtype=np.int32)

        def part_two(kind: str) -> IntArray:
            out: IntArray = np.choose(
                source, (getattr(given, kind)[:, 1][gc], getattr(full, kind)[:, 1][fc], none)
            ).astype(np.int32)
            return out

        return PersonNames(
            second_given=part_two("tokens"),
            second_given_class=part_two("classes"),
            second_given_keys=np.stack([part_two("skeletons"), part_two("phonetics")], axis=1),
            joined=self.joined_skeletons(written),
            compound=self.joined_skeletons(compound, "s:"),
            compound_rest=np.where(split_given & fields, 1, 2).astype(np.int32),
            head=np.take(full.skeletons[:, :2], full.codes, axis=0),  # row -1: no name
            # part 0 is the family name's where the family part starts at 0: no given name
            first_token=np.where(start > 0, tokens[:, 0], -1).astype(np.int32),
            kunya=np.where(has_given, given.kunya[gc], full.kunya[fc]) & (start > 0),
            middle=np.where(chained, n_full - n_family - 1, 0).astype(np.int8),
            parts=parts,
            given_from_field=has_given,
            family_from_field=has_family,
            family_start=start,
            chain=chain,
            family_in_full=in_full,
            middle_known=in_full & full.family_first[fc],
            length=(tokens >= 0).sum(axis=1).astype(np.int32),
            text=text,
        )

    def joined_skeletons(self, skeletons: IntArray, kind: str = "j:") -> IntArray:
        """One key per record: the skeletons of its parts run together, so that names split
        differently ("Nur Alam" / "Nuralam", "Aung San" / "Aungsan") and single names meet
        (``kind``: the key's prefix; "s:" codes it as a word's skeleton)."""
        rows, first = number_rows(skeletons)
        distinct = skeletons[first]
        # new keys are met in the order of the sorted distinct rows
        order = np.lexsort(distinct.T[::-1])
        ordered = distinct[order]
        # each key without its "s:", and a last, empty, word that a missing part (-1) reads
        text = pa.large_string()
        bare = pa.concat_arrays(
            [pc.utf8_slice_codeunits(self.keys.arrow(), 2), pa.array([""], type=text)]
        )
        columns = [bare.take(pa.array(np.where(c < 0, len(bare) - 1, c))) for c in ordered.T]
        runs = pc.binary_join_element_wise(pa.scalar(kind, text), *columns, pa.scalar("", text))
        if kind == "s:":  # a word's skeleton, finished as one word's is (Mohammadreza: mmdr)
            runs = pa.array([kind + finish_key(run[2:]) for run in runs.to_pylist()], type=text)
        long = pc.utf8_length(runs).to_numpy() >= 4
        joined = np.full(len(distinct), -1, dtype=np.int32)
        joined[order[long]] = self.keys.ids(runs.filter(long))
        out: IntArray = joined[rows]
        return out

    def chain_table(self, column: str) -> NameParts:
        """The parts of each distinct name of a column (the last row is the empty name), as
        ``form_arrays(side, column).codes`` number them: comparisons read a father's or a
        mother's name per distinct name, not per record."""
        key = f"chain-table:{column}"
        if key not in self._cache:
            arrays = self.form_arrays(0, column)
            self._cache[key] = NameParts.of(arrays.classes, arrays.skeletons, arrays.phonetics)
        result: NameParts = self._cache[key]
        return result

    def chain_rows(self, side: int, column: str) -> IntArray:
        """Each record's row in :meth:`chain_table` (the empty name's row where it has
        none), for a kernel that reads a record's name column beside its own name."""
        codes = self.form_arrays(side, column).codes
        empty = len(self.chain_table(column).packed) - 1
        rows: IntArray = np.where(codes < 0, empty, codes).astype(np.int32)
        return rows

    def births(self, side: int) -> BirthIntervals:
        key = f"birth:{side}"
        if key not in self._cache:
            self._cache[key] = birth_intervals(
                self.column(side, "date_of_birth"),
                self.column(side, "age"),
                self.column(side, "source_date"),
                size=self.sizes[side],
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
                size=self.sizes[side],
            )
        result: BirthIntervals = self._cache[key]
        return result

    def text_codes(self, column: str, *, fold: bool) -> tuple[IntArray, IntArray, Vocabulary]:
        """Shared codes of a text column on both sides (folded: romanised, case-folded,
        white space collapsed, and in a country column each country's ways of writing it
        made one, :func:`country_of`, and in another place column each place's,
        :func:`place_of`); -1 where blank, and in a name, parent's name or
        place column where a value only says it is not known
        (:func:`~rfl_match.names.placeholders.is_placeholder`)."""
        key = f"text:{column}:{fold}"
        if key not in self._cache:
            # a side without the column reads as blank, as a blank value does
            codes, uniques = self._distinct_values(*text_column(column))
            texts = uniques.to_pylist()
            if fold and column in COUNTRY_FIELDS:  # "SYR", "Syria", "Syrian": one country
                values = [country_of(u) for u in texts]
            elif fold and column in PLACE_FIELDS:  # "Aleppo", "Halab", "حلب": one place
                values = [place_of(u) for u in texts]
            else:
                values = [fold_text(u) if fold else u.strip() for u in texts]
            # "Unknown", "N/A", "-": no name or place two records share, whatever the
            # comparison's kind
            if column in PLACE_FIELDS or column in NAME_FIELDS or column in PARENT_FIELDS:
                place = column in PLACE_FIELDS
                values = [
                    "" if is_placeholder(u, place=place) else v
                    for u, v in zip(texts, values, strict=True)
                ]
            folded_codes, vocab = pd.factorize(np.array([*values, ""], dtype=object))
            mapped = folded_codes[codes].astype(np.int32)  # a missing value (-1): the last
            blank = int(folded_codes[-1])
            mapped[mapped == blank] = -1
            words = Vocabulary([str(v) for v in vocab])
            n_left = self.sizes[0]
            self._cache[key] = (mapped[:n_left], mapped[n_left:], words)
        result: tuple[IntArray, IntArray, Vocabulary] = self._cache[key]
        return result

    def filters(self, column: str) -> tuple[IntArray, IntArray, FilterTable]:
        """A column of Bloom filters (the encoded record format, ``rfl_match.privacy``):
        both sides' codes of their distinct filters (shared: one text, one code; -1 where
        blank, or where no bit is set) and those filters decoded, each distinct text once.

        Raises:
            ValueError: naming the column, where a value is no filter (validation blanks
                such values: see ``schema.validate_records``), or where the filters differ
                in width (encoded with other settings).
        """
        key = f"filters:{column}"
        if key not in self._cache:
            codes, uniques = self._distinct_values(*text_column(column))
            texts = [str(text) for text in uniques.to_pylist()]
            table = decode_filters(texts)
            n_left = self.sizes[0]
            # Per text: where it is met first (a row of the left side, else of the right).
            met = np.full(len(texts), len(codes), dtype=np.int64)
            np.minimum.at(met, codes[codes >= 0], np.flatnonzero(codes >= 0))
            bad = np.flatnonzero(table.widths < 0)
            if len(bad):
                first = int(bad[np.argmin(met[bad])])
                raise ValueError(
                    f"{column}: {_where(int(met[first]), n_left)} holds no Bloom filter "
                    f"({texts[first][:24]!r}...; want 'b64:' and standard base64, with "
                    "padding, of a whole number of 64-bit words): validate the records first "
                    "(rfl_match.read_records), which blanks such values"
                )
            sides = (codes[:n_left], codes[n_left:])
            widths = [np.unique(table.widths[side[side >= 0]]) for side in sides]
            found = [sorted(set(w.tolist()) - {0}) for w in widths]
            if len({*found[0], *found[1]}) > 1:
                shown = "; ".join(
                    f"{', '.join(map(str, bits)) or 'none'} in the {name}"
                    for bits, name in zip(found, ("requests", "sightings"), strict=True)
                )
                raise ValueError(
                    f"{column}: Bloom filters of different widths (bits: {shown}): the "
                    "inputs were encoded with other settings; encode both with the same key "
                    "and settings"
                )
            usable = np.append(table.ones > 0, False)  # code -1 reads the last: unusable
            mapped = np.where(usable[codes], codes, -1).astype(np.int32)
            self._cache[key] = (mapped[:n_left], mapped[n_left:], table)
        result: tuple[IntArray, IntArray, FilterTable] = self._cache[key]
        return result

    def token_table(self, column: str) -> TokenTable:
        """The white-space-separated tokens of a text column, exactly as written (they are
        digests: a case or an accent folded away would join two keys), per distinct value,
        each token once a value in the order written; both sides share the values' and the
        tokens' codes. What a ``tokens:<column>`` blocking key reads (the encoded record
        format's ``name_keys``: keyed digests of a record's names' classes and sounds).
        Made once."""
        key = f"tokens:{column}"
        if key not in self._cache:
            codes, uniques = self._distinct_values(*text_column(column))
            pieces, owner = _split_whitespace(uniques)
            encoded = pc.dictionary_encode(pieces)
            raw = encoded.indices.to_numpy().astype(np.int64)
            folded, words = pd.factorize(np.array(encoded.dictionary.to_pylist(), dtype=object))
            tokens = folded[raw].astype(np.int64)
            # Each token once a value, its first place kept (the pieces run value by value).
            width = max(len(words), 1)
            first = np.sort(np.unique(owner * width + tokens, return_index=True)[1])
            owner, tokens = owner[first], tokens[first]
            counts = np.bincount(owner, minlength=len(uniques)).astype(np.int64)
            self._cache[key] = TokenTable(
                codes,
                self.sizes[0],
                tokens,
                np.cumsum(counts) - counts,
                counts,
                Vocabulary([str(w) for w in words]),
            )
        table: TokenTable = self._cache[key]
        return table


@dataclass(frozen=True, slots=True)
class TokenTable:
    """The tokens of a text column's distinct values (:meth:`PreparedPair.token_table`)."""

    codes: IntArray  # each record's value (the left side's rows, then the right's; -1: none)
    n_left: int
    tokens: npt.NDArray[np.int64]  # the tokens of every value, value after value
    starts: npt.NDArray[np.int64]  # per value, where its tokens start in ``tokens``
    counts: npt.NDArray[np.int64]  # per value, its tokens
    words: Vocabulary  # each token's folded text, by code

    def entries(self, side: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """One side's records' tokens as aligned arrays (rows, token codes): a record's in
        the order written, records ascending."""
        codes = self.codes[: self.n_left] if side == 0 else self.codes[self.n_left :]
        rows = np.flatnonzero(codes >= 0)
        n = self.counts[codes[rows]]
        held = np.repeat(rows, n).astype(np.int64)
        within = np.arange(int(n.sum()), dtype=np.int64) - np.repeat(np.cumsum(n) - n, n)
        return held, self.tokens[np.repeat(self.starts[codes[rows]], n) + within]


def _where(row: int, n_left: int) -> str:
    """Row ``row`` of both sides' rows (the left's, then the right's) in words."""
    if row < n_left:
        return f"row {row + 1} of the requests"
    return f"row {row - n_left + 1} of the sightings"


@lru_cache(maxsize=1 << 14)
def fold_text(value: str) -> str:
    """Romanise, case-fold and collapse white space: the form free text is compared in.

    Text in another script than Latin (Arabic, Ge'ez, Burmese, Cyrillic ...) is read as
    names are (:func:`~rfl_match.names.romanization.romanize`): Unidecode writes letters one
    by one, without the vowels an abjad does not write (حلب, Halab: "hlb") or with
    Ge'ez's and Burmese's every sign (ባሕር ዳር, Bahir Dar: "baahhere daare"; ဘူးသီးတောင်,
    Buthidaung: "bhuu:sii:tteaang"), so a place so written hardly met its Latin spelling.
    Only its runs of such words are: digits (of any script) and Latin words are kept as
    Unidecode writes them ("مخيم ٤": "makhim 4", not the camp next to it).

    >>> fold_text("مخيم ٤"), fold_text("Camp 4 ကုတုပလောင်"), fold_text("Camp 4\ufeff")
    ('makhim 4', 'camp 4 kutupalaung', 'camp 4')
    """
    if not _OTHER_SCRIPT.search(value):
        return " ".join(unidecode(value).casefold().split())
    pieces = _OTHER_RUN.split(value)  # odd pieces: runs of words in another script
    return " ".join(
        " ".join((romanize(piece) if odd else unidecode(piece).casefold()).split())
        for odd, piece in zip(itertools.cycle((False, True)), pieces, strict=False)
        if piece
    ).strip()


#: A letter of a script other than Latin (Greek and on, below CJK; Ethiopic, Myanmar and
#: Arabic extensions, Arabic presentation forms), not a digit: Arabic-Indic, Extended
#: Arabic-Indic, Myanmar and Ethiopic digits are numbers, which Unidecode writes.
_LETTER = (
    "\u0370-\u065f\u066a-\u06ef\u06fa-\u103f\u104a-\u1368\u137d-\u1cff"
    "\u2d80-\u2ddf\ua640-\ua69f\uaa60-\uab2f\ufb50-\ufdff\ufe70-\ufefc"
)
_OTHER_SCRIPT = re.compile(f"[{_LETTER}]")
#: A run of words in another script (letters, and the white space between them).
_OTHER_RUN = re.compile(f"([{_LETTER}]+(?:\\s+[{_LETTER}]+)*)")


#: Alpha-2 codes not read as a country in a nationality field: "NA" (Namibia) is far more
#: often "not available" there.
_NOT_CODES = frozenset({"na"})


def _as_written(value: str) -> str:
    """Case-folded, white space collapsed, not romanised."""
    return " ".join(value.casefold().split())


def _form_tables(
    entries: Iterable[tuple[str, Sequence[str]]], key: Callable[[str], str]
) -> tuple[Mapping[str, str], Mapping[str, str]]:
    """Each form of each entry (its canonical name, its forms) as written
    (:func:`_as_written`) and romanised (``key``, from :func:`fold_text`), to the canonical
    name folded. A romanised form of two entries is left out of the second table: only its
    written forms name one."""
    written: dict[str, str] = {}
    romanised: dict[str, str] = {}
    shared: set[str] = set()
    for name, forms in entries:
        canonical = fold_text(name)
        for form in filter(str.strip, [name, *forms]):
            written[_as_written(form)] = canonical
            folded = key(form)
            if romanised.setdefault(folded, canonical) != canonical:
                shared.add(folded)
    for form in shared:
        del romanised[form]
    return written, romanised


@cache
def _country_tables() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """Each way of writing a country or nationality in ``resources/countries.tsv``
    (ISO 3166-1 alpha-3 and alpha-2 codes, names, demonyms, in several languages and
    scripts), as written and romanised (:func:`fold_text`), to the folded English name of
    its country (:func:`_form_tables`: Arabic مصر, Egypt, was "msr" as the code MSR,
    Montserrat, when Arabic was romanised without its vowels)."""
    return _form_tables(
        (
            (name, [code, *([alpha2] if alpha2.casefold() not in _NOT_CODES else []),
                    *forms.split(";")])
            for code, alpha2, name, forms in read_table("countries.tsv", package="rfl_match")
        ),
        fold_text,
    )  # fmt: skip


def country_of(value: str) -> str:
    """The folded English name of the country ``value`` writes (an ISO 3166-1 code, a
    name, a demonym: "SYR", "Syria", "syrienne" and "سوري" are all "syria"), else
    ``value`` folded (:func:`fold_text`). What :data:`~rfl_match.schema.COUNTRY_FIELDS`
    are compared and blocked in."""
    return _known_country(value) or fold_text(value)


def _known_country(value: str) -> str | None:
    """The folded English name of the country ``value`` writes, where
    ``resources/countries.tsv`` knows it (as written, else romanised), else None."""
    written, romanised = _country_tables()
    return written.get(_as_written(value)) or romanised.get(fold_text(value))


def _place_key(text: str) -> str:
    """``text`` romanised (:func:`fold_text`) with only its letters and digits: the form
    a place is looked up in, whatever its hyphens, spaces and apostrophes (Deir ez-Zor,
    Deir ez Zor; Sana'a, Sanaa; Bahir Dar, Bahirdar)."""
    return _NOT_ALPHANUMERIC.sub("", fold_text(text))


_NOT_ALPHANUMERIC = re.compile(r"[\W_]+")


@cache
def _place_tables() -> tuple[Mapping[str, str], Mapping[str, str]]:
    """Each way of writing a place in ``resources/places.tsv`` (its English name, the
    local name romanised several ways, in its own script, in other languages), as
    written and as :func:`_place_key` reads it, to its English name folded."""
    return _form_tables(
        (
            (name, forms.split(";"))
            for _, name, forms in read_table("places.tsv", package="rfl_match")
        ),
        _place_key,
    )


def place_of(value: str) -> str:
    """The folded English name of the place ``value`` writes, where
    ``resources/places.tsv`` knows it ("Halab", "Alep" and "حلب" are all "aleppo"; "Kiev"
    and "Київ" are "kyiv"), also where its country follows it after a comma ("Aleppo,
    Syria"; not "Saida, Algeria"), else ``value`` folded (:func:`fold_text`). What the place fields
    (:data:`~rfl_match.schema.PLACE_FIELDS` but the country ones) are compared and
    blocked in: the same place written in two scripts or languages agrees."""
    written, romanised = _place_tables()
    found = written.get(_as_written(value))
    if found is not None:
        return found
    folded = fold_text(value)
    found = romanised.get(_NOT_ALPHANUMERIC.sub("", folded))
    comma = max(value.rfind(","), value.rfind("،"))  # Latin, Arabic
    if found is None and comma >= 0:
        head, tail = value[:comma], value[comma + 1 :]
        country = _known_country(tail)
        if country is not None:
            found = written.get(_as_written(head)) or romanised.get(_place_key(head))
            # the country must be the place's ("Saida, Algeria" is not Sidon)
            if found is not None and country not in _place_countries()[found]:
                found = None
    return folded if found is None else found


@cache
def _place_countries() -> Mapping[str, frozenset[str]]:
    """Each place of ``resources/places.tsv`` (its English name folded) to the folded names
    of the countries it lies in (two for Tripoli, Libya's and Lebanon's)."""
    names = {
        code: fold_text(name)
        for code, _, name, _ in read_table("countries.tsv", package="rfl_match")
    }
    return {
        fold_text(name): frozenset(names[code] for code in codes.split())
        for codes, name, _ in read_table("places.tsv", package="rfl_match")
    }
