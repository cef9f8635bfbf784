"""Hypothesis properties of name normalisation."""

from __future__ import annotations

import re
import sys
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from rfl_match.names import NameForm, names_by_parent, normalize_name, normalize_names
from rfl_match.names.parents import parent_named, parent_pattern
from rfl_match.names.placeholders import is_placeholder
from rfl_match.prepare import (
    MAX_CHAIN,
    NameParts,
    PartTable,
    PreparedPair,
    Vocabulary,
    _split_whitespace,
)

NAME_ALPHABET = st.sampled_from(
    list("abcdehiklmnorstuxyz '-")
    + list("محمدعبدالرحمنيوسفةأإى")
    + list("ضذثیکپ")  # read as z, z, s in a name with a Persian letter (ی ک پ)
    + list("олександрґєії")
    + list("ሙሉጌታተስፋዬ")
    + list("အောင်ဆန်းစုကြည်")
    + ["al ", "bin ", "abd ", "abu ", "haji ", "u ", "de ", "din ", "ullah ", "s/o ", "w/o "]
    + ["n/a ", "b/o ", "d/o ", "min-jun ", "s. o. "]
    # Vietnamese, and Đo: a syllable with đ read as d
    + ["le ", "van ", "do ", "thi ", "tam ", "lê ", "văn ", "đỗ ", "đặng ", "đinh ", "đo "]
    # Burmese syllables, run together or apart (read as Burmese with no hint: Aungsan Kyaw)
    + ["aung", "san ", "kyaw ", "min", "tin "]
)
NAMES = st.lists(NAME_ALPHABET, max_size=12).map("".join)
CULTURES = st.sampled_from(
    [None, "arabic", "somali", "amharic", "afghan", "burmese", "vietnamese", "x"]
)


@settings(max_examples=300, deadline=None)
@given(st.text(), CULTURES)
def test_never_raises_on_any_text(text: str, culture: str | None) -> None:
    form = normalize_name(text, culture=culture)
    n = len(form.tokens)
    assert len(form.variant_ids) == len(form.phonetic_keys) == len(form.skeleton_keys) == n
    assert all(t and t.isascii() for t in form.tokens)


@settings(max_examples=300, deadline=None)
@given(st.one_of(NAMES, st.text()), CULTURES)
# found by Hypothesis and by fuzzing with many more examples (each failed once):
@example("ုု", "burmese")  # unknown Burmese text read as "uu", a run of two syllables
@example("مu ", "burmese")  # "ma" split off as a syllable, then a Burmese title
@example("Umaung Thein", "burmese")
@example("de dr mohammed", None)  # a title behind a dropped particle
@example("van el-haji x sheikh", None)
@example("yasushi لا", None)  # لا is in the class of allah; "allah" joins the part before
@example("tsuyama العال m daghri", "afghan")  # without its article, العال reads "al"
@example("abd u hassan", "arabic")  # a head joined to "u" is a head again (abdu)
@example("bin abd al-bin ullah hasan", "afghan")  # a tail after a particle kept as written
@example("安 德 拉 尼 克", None)  # "an" is an article once "de" and "la" are dropped
@example("ali s/o s/o", None)  # a particle of two letters, then its letters with no name after
@example("haji s/o ", None)  # S/O once a title before it is taken: no name after it
@example("Haji S/O Ahmed Khan", None)  # and the father's name after it
@example("abd s/o al ahmed", "arabic")  # a head before it, an article after it
@example("din ်s/o a", None)  # a letter of another script read as its first
@example("ali n bin a", None)  # N/A made by dropping a particle between its letters
@example("ali n al a", "arabic")  # and an article
@example("de أn", None)  # a particle before a last word of another script read "an"
@example("ali bin ابن", None)  # a patronymic before one read "ibn"
@example("أዬأዬ", None)  # read "ayeaye": a Burmese syllable twice in any script, as in Latin
@example("El-Sayed Ahmed Mahmoud", None)  # a name after the article, the title without it
@example("Al Syed Kamal", None)
@example("Al-Sayed Ali", "arabic")
@example("As-Sayed Ali", None)  # the article assimilated to the sun letter s
@example("Dr El-Sayed Ali", None)
@example("mс", None)  # Latin m, Cyrillic s: "ms", the title alone, as written or read
@example("abd b/o ", None)  # a head not joined to a slash's word (abdb/o would part)
@example("din b/o din đỗ ", "x")  # nor a tail joined onto one (b/odin)
@example("le d/o haji disbar", "arabic")  # D/O after a particle: the title after it taken
def test_idempotent(text: str, culture: str | None) -> None:
    form = normalize_name(text, culture=culture)
    again = normalize_name(form.text, culture=culture)
    assert again.tokens == form.tokens


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("El-Sayed Ahmed Mahmoud", ("elsayed", "ahmed", "mahmoud")),
        ("Al Syed Kamal", ("alsyed", "kamal")),
        ("Al-Sayed Ali", ("alsayed", "ali")),
        ("As-Sayed Ali", ("assayed", "ali")),
    ],
)
def test_el_sayed_read_again_is_no_title(text: str, tokens: tuple[str, ...]) -> None:
    # Sayed after the article is a name; read again as "sayed ahmed mahmoud", Sayed led as
    # the title and the son was read as his father Ahmed Mahmoud
    form = normalize_name(text)
    again = normalize_name(form.text)
    assert form.tokens == again.tokens == tokens
    assert again.titles == ()
    assert form.variant_ids[0] == again.variant_ids[0] == "sayyid"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, ""])
def test_a_missing_value_gives_the_empty_form(missing: object) -> None:
    assert normalize_name(missing).tokens == ()  # type: ignore[arg-type]
    forms = normalize_names([missing, "Mohammed"])  # type: ignore[list-item]
    assert forms[0].tokens == () and forms[1].variant_ids == ("muhammad",)


def test_a_number_reads_as_its_text() -> None:
    # as record validation reads a name column that holds numbers
    assert normalize_name(5).tokens == normalize_name("5").tokens  # type: ignore[arg-type]
    assert normalize_names([1990.0])[0] == normalize_name("1990")  # type: ignore[list-item]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(NAMES, st.none()), max_size=20))
def test_deterministic_and_each_value_alike(values: list[str | None]) -> None:
    first = normalize_names(values)
    normalize_name.cache_clear()
    second = normalize_names(list(reversed(values)))[::-1]
    assert first == second
    for value, form in zip(values, first, strict=True):
        if value:
            assert form == normalize_name(value)


@settings(max_examples=400, deadline=None)
@given(st.one_of(NAMES, st.text()), CULTURES)
@example("n/a", None)  # a placeholder piece, each of whose words is an initial elsewhere
@example("Ali 0x", None)  # a part read as a placeholder once its digit is gone
@example("N. A.", None)  # a placeholder of several pieces, each an initial
@example("Haji FNU", None)  # a title beside a placeholder
@example("B. O. Fatima", None)  # B/O (baby of) in two pieces: initials, as B. O. Adeyemi
@example("B/O Fatima", None)  # B/O with its slash: a newborn by its mother's name, no name
@example("Ali B/O Khan", None)  # B/O between two parts
@example("Ali S. O. Ahmed", None)  # S/O, son of, in two pieces
@example("S / O Ahmed", None)  # S/O spaced: one word across three pieces
@example("Ali N. A.", None)  # N/A in two pieces beside a name
@example("Ali 0n A", None)  # a letter of N/A read so only once its digit is gone
@example("N/A Tesfaye", None)  # N/A with its slash opening a name
@example("H/Mariam Tesfaye", None)  # a theophoric head abbreviated
@example("نوید کریمی", None)  # a consonant و read as Persian
@example("احمد3 علي", None)  # a digit typed onto a name in Arabic script
@example("Nguyễn Văn Hùng", None)  # Vietnamese order, read off the marks
@example("Dr Nguyễn Hùng", None)  # the same after a title (the full pipeline)
@example("Nguyen Hung", "vietnamese")  # read off the hint
@example("Aungsan Suukyi", None)  # a Latin Burmese name, read as Burmese with no hint
@example("Maung Min Tin", None)  # its one distinctive syllable a title: read as before
@example("Dr Aung Kyaw", None)  # a title before a Burmese name
def test_fast_path_equals_the_full_pipeline(text: str, culture: str | None) -> None:
    """Names read piece by piece from the pieces' cached parts (most names) read as the
    full pipeline reads them."""
    from rfl_match.names.clean import clean_text
    from rfl_match.names.normalize import _normalize, _normalize_full
    from rfl_match.names.parts import culture_info

    info = culture_info(culture)
    assert _normalize(text, info) == _normalize_full(text, clean_text(text), info)


@settings(max_examples=300, deadline=None)
@given(st.one_of(NAMES, st.text()), CULTURES, st.sampled_from(["Unknown", "FNU", "مجهول"]))
@example("Al", None, "Unknown")  # an article left last
@example("Ato", "amharic", "FNU")  # a title left alone
@example("No", None, "Unknown")  # a word of a blank form ("no name"), beside a drop word
@example("Mr", None, "Unknown")  # a title alone, a name in no culture: no name
@example("Haji", None, "Unknown")  # a title alone that is a name; beside a placeholder, no one's
@example("J", None, "FNU")  # an initial left alone
def test_a_placeholder_word_adds_nothing_to_a_name(
    text: str, culture: str | None, placeholder: str
) -> None:
    """A word that says a name is not known is read as nothing, wherever it stands; but a
    title alone that is a name somewhere, read as a name, is beside it a title of no one
    ("Haji Unknown"). FNU (first
    name unknown) says what the name is not: no part of it is a given name; so does a
    word that says only "unknown" (Unknown, مجهول) opening a name, in the given name's
    place."""
    from rfl_match.names.clean import clean_text

    def no_given(written: str) -> bool:
        opening = clean_text(written).split()[:1] == clean_text(placeholder).split()
        return placeholder in written and (placeholder == "FNU" or opening)

    def parts(written: str) -> tuple[tuple[str, ...], ...]:
        form = normalize_name(written, culture=culture)
        if no_given(written):
            assert "given" not in form.roles, written
            return form.tokens, form.variant_ids
        return form.tokens, form.variant_ids, form.roles

    def agree(a: tuple[tuple[str, ...], ...], b: tuple[tuple[str, ...], ...]) -> bool:
        """The same tokens and variants, and roles where both say them."""
        return a[:2] == b[:2] and (len(a) < 3 or len(b) < 3 or a[2] == b[2])

    alone = parts(text)
    for written in (f"{text} {placeholder}", f"{placeholder} {text}"):
        if not agree(parts(written), alone):
            assert parts(written)[:2] == ((), ()), written
            assert parts(f"{text} Yusuf")[0] == ("yusuf",), written  # titles alone
    for written in (f"{text} {placeholder} Yusuf", f"{placeholder} {text} Yusuf"):
        assert agree(parts(written), parts(f"{text} Yusuf")), written


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.one_of(NAMES, st.text()), CULTURES), max_size=8))
def test_cached_full_parts_hold_the_full_pipelines_forms(
    names: list[tuple[str, str | None]],
) -> None:
    """The cached parts of names read whole, asked for in any order, are what the full
    pipeline's forms of the names hold (the parts asked for with the culture the name as
    written is read with: clean-up folds the Persian letters that tell it)."""
    from rfl_match.names.clean import clean_text
    from rfl_match.names.normalize import _normalize_full, full_parts
    from rfl_match.names.parts import culture_info

    for text, culture in [*names, *reversed(names)]:
        info, clean = culture_info(culture), clean_text(text)
        parts = full_parts(clean, info.reading_arabic(text))
        form = _normalize_full(text, clean, info)
        kunya = tuple(role == "kunya" for role in form.roles)
        assert parts == tuple(
            zip(
                form.tokens,
                form.variant_ids,
                form.phonetic_keys,
                form.skeleton_keys,
                kunya,
                strict=True,
            )
        )


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.one_of(NAMES, st.text(max_size=12), st.none()), max_size=12),
    st.lists(st.one_of(st.lists(NAMES, max_size=6).map(" ".join), st.none()), max_size=12),
    CULTURES,
)
@example(["Ali al-Hassan", "ALI AL-HASSAN", "Dr. Ali", ""], ["Ali  Hassan", None, "ali"], None)
@example(["Omar Ali Saleh Karim Nasser", "Abd al-Rahman Omar Ali Saleh"], ["Ali Omar"], None)
@example(["ကမာလ်ဟူစိန်", "Aung San Suu Kyi", "a b c d e f"], ["محمد بن عبد الله"], "burmese")
# articles read piece by piece, or not: at the end, before digits, a title, another article
@example(["Ali Al", "Al 12 Halabi", "Al Al-Halabi", "al-Dr Ali", "Ал Иван"], ["El Sayed"], None)
@example(["al-12 x", "Ali al-", "Sheikh al-Ali", "al-Sheikh Ali", "ال حسن علي"], ["Al"], "arabic")
# a leading title read piece by piece, or not: alone, twice, late, out of its culture
@example(["Ato Yonas", "W/ro Selam Henok", "Haji Sheikh Ali", "Ali Haji Omar", "Dr"], ["Ato"], None)
@example(["Ato Yonas", "W/ro Selam", "Haji", "Haji al-Ali", "U Maung Ali"], ["Dr 12"], "amharic")
# a two-word title written with a space, or opened by a one-word title
@example(
    ["W Ro Almaz", "W ro", "Ato W Ro Almaz", "W Selam"], ["ወ ሮ አልማዝ", "Ato W/ro Almaz"], "amharic"
)
@example(["W Ro Almaz", "Ato W Ro Almaz"], ["ወ ሮ አልማዝ"], None)
# white space of any kind, where it is and is not: names are split by Arrow, not str.split
@example(
    ["\u3000Ali\u00a0Omar ", " ", "", "Ali\x1cOmar\x1f", "Иван\u2028Петров", "\u200bAli"],
    ["محمد\tعلي\n", None, "张 伟", "  ", "Aung\u1680San\u205fSuu"],
    None,
)
# placeholders: dropped, blank whole, kept beside other words; inside an article's piece
@example(
    ["Unknown", "Ahmed Unknown", "N/A", "Unidentified adult male", "FNU Rahim", "No Name"],
    ["unknown", "مجهول الهوية", "Kim No", "x", "Al Unknown", "al-Majhul Ali", "N/A Ali"],
    None,
)
@example(["Unknown Mohamed", "XXX", "Lama yaqaan"], ["Ato Unknown", "Неизвестный"], "somali")
@example(["N. A.", "N A", "J K", "Mr Unknown"], ["n k", "Haji FNU", "Haji", "A"], None)
@example(["ዘይፍለጥ", "ሰላም ዘይፍለጥ", "Azad Nenasraw"], ["အမည်မသိ", "Nenas", "نەناسراو"], None)
# a newborn by its mother's name: no name, alone or after a title, B/O with its slash too
@example(
    ["B/O Fatima", "Infant of Fatima", "Fatima"],
    ["Baby of Fatima", "Baby Fatima", "Mr Baby of X"],
    "x",
)
# a value that names the person by the father (S/O, D/O written with its slash): no name
@example(["S/O Ahmed Khan", "d/o a", "Ali S/O Ahmed", "S. O. Adeyemi"], ["Ahmed Khan", "S/O"], None)
@example(["S / O Ahmed Khan", "s /o a"], ["Ahmed Khan", "S / O"], None)  # spaced
# fullwidth, as NFKC folds it; a title with a slash (W/ro) is read as before
@example(["Ｓ／Ｏ Ahmed Khan", "ｄ / ｏ a"], ["W/ro Almaz", "Sd/o"], None)
# a name written with Persian letters is read as Persian, each of its pieces too: one
# piece (رمضان) read both ways in a batch, in the fast path and the full one (a title)
@example(["رمضان", "رمضان کریمی", "حاجی رمضان"], ["Ramazan", "رمضان كريمي", "ذاکر"], None)
@example(["رمضان", "رمضان کریمی"], ["ضمیر"], "arabic")  # the hint says Arabic
# a consonant و read as Persian is v, as Arabic w; گ and چ under an Arabic hint read as Arabic
@example(["نوید احمدی", "نواف", "پروانه"], ["نواف کریمی", "Nawid", "یوسف"], None)
@example(["گاضي", "چاذر علي"], ["گضبان", "نواف"], "iraqi")
# theophoric heads abbreviated (H/, K/) or written out; N/A with its slash, anywhere
@example(["H/Mariam Tesfaye", "K/Mariam", "ኃ/ማርያም"], ["Haile Mariam", "Hailemariam"], None)
@example(["N/A Tesfaye", "Ali N/A Khan", "N / A"], ["Tesfaye N/A", "N.A. Tesfaye"], None)
# Vietnamese names in native order, read given name first; in the fast path and read whole
# (a title, a particle: Lê, Văn), beside names of the same letters read as written
@example(
    ["Nguyễn Văn Hùng", "Dr Nguyen Van Hung", "Lê Văn Tám Thị Lan", "Hung Nguyen"],
    ["Nguyen Hung", "Nguyễn Hùng", "Hoàng Nguyễn", "Le Van Tam", "Nguyễn Văn"],
    None,
)
@example(["Nguyen Hung", "Ho Wing Kei", "Tran Minh"], ["Hung Tran"], "vietnamese")
# a family name written first and marked so, by capitals or a comma, read last
@example(
    ["MUKENDI Jean-Pierre", "Mukendi, Jean-Pierre", "FNU KHAN Rahim", "ПЕТРЕНКО Олена"],
    ["Dr MUKENDI Jean", "NGUYEN Van Hung", "Smith, Jr.", "A, Unknown Yusuf", "MD Ali"],
    None,
)
@example(
    ["KHAN M.", "Ali Hassan, son of Omar", "MOHD Ali", "AL HASSAN Mohammed"],
    ["ABDUL Karim", "Mahla", "Nyima Sherpa", "MUKENDI A"],
    None,
)
# Burmese names in Latin letters with no hint, read whole as Burmese, beside names of
# Burmese syllables that are not (no distinctive one, or only a title's)
@example(
    ["Aung San Suu Kyi", "Aungsan Suukyi", "Maung Min Tin", "Aung"],
    ["Thantzin Oo", "Martin Lin", "Dr Aung Kyaw", "Nguyen Van Aung"],
    None,
)
def test_prepared_name_codes_equal_each_form_coded(
    left: list[str | None], right: list[str | None], culture: str | None
) -> None:
    """Names are coded part by part in a batch: the codes are those that coding each
    normalised form in turn gives (same vocabularies, same ids, same order), its parts read
    given name first (a form whose roles open with the family name and close with the
    given name, a Vietnamese name in native order, its first and last parts swapped); but
    a person's name column reads a value that names the person by the father ("S/O Ahmed
    Khan", its form's parts the father's) as no name."""

    def frame(values: list[str | None]) -> pd.DataFrame:
        ids = [str(i) for i in range(len(values))]
        return pd.DataFrame({"record_id": ids, "full_name": values}, dtype=object)

    data = PreparedPair(frame(left), frame(right), culture=culture)
    forms = [
        normalize_name("") if names_by_parent(f) else f
        for f in normalize_names(
            [v for v in dict.fromkeys(left + right) if v is not None], culture=culture
        )
    ]
    tokens, classes, keys, texts = Vocabulary(), Vocabulary(), Vocabulary(), Vocabulary()
    want: dict[str, list[list[int]]] = {"tokens": [], "classes": [], "skel": [], "phon": []}

    skeletons = [tuple("s:" + k if k else "" for k in f.skeleton_keys) for f in forms]
    phonetics = [tuple("p:" + k if k else "" for k in f.phonetic_keys) for f in forms]
    for name, vocab, values in (
        ("tokens", tokens, [held(f, f.tokens) for f in forms]),
        ("classes", classes, [held(f, f.variant_ids) for f in forms]),
        ("skel", keys, [held(f, k) for f, k in zip(forms, skeletons, strict=True)]),
        ("phon", keys, [held(f, k) for f, k in zip(forms, phonetics, strict=True)]),
    ):
        for parts in values:
            row = [-1 if not p else vocab.id(p) for p in parts[:MAX_CHAIN]]
            want[name].append(row + [-1] * (MAX_CHAIN - len(row)))
    read_tokens = [held(f, f.tokens) for f in forms]
    text = [texts.id(" ".join(t[:MAX_CHAIN])) if t else -1 for t in read_tokens]
    rest = [texts.id(" ".join(t[1:MAX_CHAIN])) if t[1:] else -1 for t in read_tokens]

    got = data.form_arrays(0, "full_name")
    k = len(forms)
    for name, array in (
        ("tokens", got.tokens),
        ("classes", got.classes),
        ("skel", got.skeletons),
        ("phon", got.phonetics),
    ):
        assert array[:k].tolist() == want[name]
        assert array[k].tolist() == [-1] * MAX_CHAIN  # the empty name
    assert got.text[:k].tolist() == text
    assert got.rest_text[:k].tolist() == rest
    for mine, theirs in ((data.tokens, tokens), (data.classes, classes), (data.keys, keys)):
        assert mine.words == theirs.words
    assert data.texts.words == texts.words
    index = {v: i for i, v in enumerate(dict.fromkeys(v for v in left + right if v is not None))}
    for side, values in ((0, left), (1, right)):
        expect = [-1 if v is None or forms[index[v]].is_empty else index[v] for v in values]
        assert data.form_arrays(side, "full_name").codes.tolist() == expect


@settings(max_examples=150, deadline=None)
@given(st.lists(st.lists(st.one_of(NAMES, st.text()), max_size=6), max_size=4), CULTURES)
@example([["Ali al-Hassan", "Al", "Dr"], ["ali", "Al Halabi", "ကမာလ်ဟူစိန်"], []], None)
def test_part_table_pieces_read_as_each_piece_alone(
    batches: list[list[str]], culture: str | None
) -> None:
    """The table's per-piece arrays, grown batch by batch as name columns grow them, hold
    what reading each piece alone gives: its parts' strings, size and flags."""
    from rfl_match.names.normalize import piece_reading
    from rfl_match.names.parts import culture_info

    info = culture_info(culture)
    table = PartTable()
    numbers: dict[str, int] = {}
    for batch in batches:
        pieces = [p for text in batch for p in text.split()]
        got = table.pieces(pieces, info).tolist()
        for piece, number in zip(pieces, got, strict=True):
            assert numbers.setdefault(piece, number) == number
        arrays, columns, words = table.piece_arrays(), table.columns(), table.strings.words
        assert len(columns) == len(set(map(tuple, columns.tolist())))  # each part once
        for piece, number in numbers.items():
            read = piece_reading(piece, info)
            if read is None:
                assert arrays.size[number] == -1
                continue
            flags = (arrays.opens[number], arrays.open_end[number], arrays.title[number])
            assert flags == (read.opens, read.open_end, read.title)
            start, size = arrays.start[number], arrays.size[number]
            rows = columns[arrays.parts[start : start + size]].tolist()
            assert [
                (
                    words[t],
                    words[c],
                    "" if s < 0 else words[s][2:],
                    "" if f < 0 else words[f][2:],
                )
                for t, c, s, f in rows
            ] == [(q.token, q.variant_id, q.skeleton_key, q.phonetic_key) for q in read.parts]


def test_names_split_where_str_split_splits() -> None:
    """Names are cut into pieces by Arrow: at every code point where ``str.split()`` cuts
    (Arrow's Unicode white space is Python's), at no other, and without the empty pieces
    that white space at a name's ends leaves in Arrow."""
    points = [c for c in range(sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF]
    texts = ["a" + chr(c) + "b" for c in points]
    _, owner = _split_whitespace(pa.array(texts))
    pieces = np.bincount(owner, minlength=len(texts))
    assert pieces.tolist() == [len(t.split()) for t in texts]
    texts = ["", " ", " a  b\u3000", "a", "\tab\x1c c\n", "ab"]
    split, owner = _split_whitespace(pa.array(texts, type=pa.large_string()))
    got = [[] for _ in texts]
    for piece, i in zip(split.to_pylist(), owner.tolist(), strict=True):
        got[i].append(piece)
    assert got == [t.split() for t in texts]


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(st.none(), st.sampled_from(["", "ali", "Олена", "علي"]), st.text(max_size=3))
    ),
    st.lists(st.text(max_size=3), max_size=5),
)
def test_vocabulary_ids_of_arrow_texts_equal_id_of_each(
    texts: list[str | None], known: list[str]
) -> None:
    """Ids of an Arrow array of texts: those :meth:`Vocabulary.id` gives text by text (new
    texts in order of first sight after the words already known), -1 for a null."""
    vocab, reference = Vocabulary(dict.fromkeys(known)), Vocabulary(dict.fromkeys(known))
    got = vocab.ids(pa.array(texts, type=pa.large_string()))
    assert got.dtype == np.int32
    assert got.tolist() == [-1 if t is None else reference.id(t) for t in texts]
    assert vocab.words == reference.words
    assert vocab.arrow().to_pylist() == vocab.words
    vocab.id("new word")
    assert vocab.arrow().to_pylist() == vocab.words  # grown with the vocabulary


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.text(max_size=3), min_size=1, max_size=12, unique=True),
    st.lists(st.integers(-1, 11), max_size=40),
    st.lists(st.text(max_size=3), max_size=6),
)
def test_vocabulary_coded_equals_id_of_each(
    words: list[str], local: list[int], known: list[str]
) -> None:
    """Ids of words by local number: those :meth:`Vocabulary.id` gives word by word (new
    words in order of first sight after the words already known), -1 for -1."""
    local = [i if i < len(words) else -1 for i in local]
    vocab, reference = Vocabulary(dict.fromkeys(known)), Vocabulary(dict.fromkeys(known))
    got = vocab.coded(np.array(local, dtype=np.int64), words)
    assert got.tolist() == [-1 if i < 0 else reference.id(words[i]) for i in local]
    assert vocab.words == reference.words


@given(
    st.lists(
        st.lists(st.integers(-1, 50), min_size=3 * MAX_CHAIN, max_size=3 * MAX_CHAIN),
        min_size=1,
        max_size=20,
    ),
    st.data(),
)
def test_name_parts_are_views_of_one_packed_table(
    rows: list[list[int]], data: st.DataObject
) -> None:
    """Classes, skeletons and phonetics read the packed table's blocks; shifting drops each
    row's first ``start`` parts of every block (the slow way, row by row)."""
    blocks = [
        np.array([r[b * MAX_CHAIN : (b + 1) * MAX_CHAIN] for r in rows], np.int32) for b in range(3)
    ]
    parts = NameParts.of(*blocks)
    assert parts.packed.flags.c_contiguous and parts.packed.dtype == np.int32
    assert parts.packed.tolist() == rows
    for got, want in zip((parts.classes, parts.skeletons, parts.phonetics), blocks, strict=True):
        assert np.shares_memory(got, parts.packed)
        assert got.tolist() == want.tolist()
    start = np.array(
        data.draw(st.lists(st.sampled_from([0, 1, 2]), min_size=len(rows), max_size=len(rows))),
        np.int32,
    )
    shifted = parts.shifted(start)
    for row, s, got in zip(rows, start.tolist(), shifted.packed.tolist(), strict=True):
        want = []
        for b in range(3):
            block = row[b * MAX_CHAIN : (b + 1) * MAX_CHAIN]
            want += [*block[s:], *[-1] * s]
        assert got == want
    idx = np.array(data.draw(st.lists(st.integers(0, len(rows) - 1), max_size=10)), np.intp)
    assert parts.take(idx).packed.tolist() == [rows[i] for i in idx.tolist()]


def test_chain_table_rows_are_the_records_parts() -> None:
    """A name column's parts are held per distinct name; a record's code reads its row (a
    missing or empty name the last row, all -1), as the per-record parts hold them."""
    left = pd.DataFrame(
        {"record_id": ["1", "2", "3"], "full_name": "A", "father_name": ["Ali Omar", None, "Ali"]}
    )
    right = pd.DataFrame(
        {"record_id": ["4", "5"], "full_name": "B", "father_name": ["", "Ali Omar"]}, dtype=object
    )
    data = PreparedPair(left, right)
    table = data.chain_table("father_name").packed
    assert table[-1].tolist() == [-1] * 3 * MAX_CHAIN
    for side in (0, 1):
        codes = data.form_arrays(side, "father_name").codes
        rows = np.where(codes < 0, len(table) - 1, codes)
        assert data.chain_rows(side, "father_name").tolist() == rows.tolist()
    assert (
        data.form_arrays(0, "father_name").codes[0] == data.form_arrays(1, "father_name").codes[1]
    )
    assert data.form_arrays(0, "father_name").codes[1] == -1


def _column_tokens(data: PreparedPair, side: int, column: str) -> list[list[str]]:
    """Each record's name parts of a column, as words."""
    arrays, words = data.form_arrays(side, column), data.tokens.words
    return [[words[t] for t in arrays.tokens[code] if t >= 0] for code in arrays.codes]


def test_a_record_reads_all_its_names_one_way() -> None:
    """A record whose full name holds a Persian letter (ک) reads its father's name, written
    without one, as Persian too (ثابت: sabit, not thabit), as it reads its given name
    field; a Persian letter in the mother's name alone does so as well. A record of
    Arabic letters alone reads the same father's name as Arabic, in the same batch, and
    a hint that says how Arabic script is read decides for every record."""
    left = pd.DataFrame(
        {
            "record_id": ["1", "2", "3"],
            "full_name": ["احمد کریمی", "احمد كريمي", None],
            "given_name": [None, None, "ثابت"],
            "father_name": ["ثابت", "ثابت", "ذاكر"],
            "mother_name": [None, None, "پروین"],
        },
        dtype=object,
    )
    right = pd.DataFrame(
        {"record_id": ["4", "5"], "full_name": ["Sabit Karimi", "ثابت کریمی"]}, dtype=object
    )
    data = PreparedPair(left, right)
    assert _column_tokens(data, 0, "father_name") == [["sabit"], ["thabit"], ["zakir"]]
    assert _column_tokens(data, 1, "full_name") == [["sabit", "karimi"], ["sabit", "karimi"]]
    first = [data.tokens.words[t] for t in data.person_names(0).first_token.tolist()]
    assert first == ["ahmad", "ahmad", "sabit"]
    assert data.persian_records() is not None
    assert data.persian_records().tolist() == [True, False, True, False, True]
    for culture, father in (("iraqi", "thabit"), ("afghan", "sabit")):
        hinted = PreparedPair(left, right, culture=culture)
        assert _column_tokens(hinted, 0, "father_name")[:2] == [[father], [father]]
        assert hinted.persian_records() is None


def test_a_record_reads_its_consonant_vav_one_way() -> None:
    """Read as Persian, a consonant و is v in every name of the record: a Kurdish record
    whose full name holds ێ reads its given name field ئاواز as its full name reads it
    (with v, as the Latin Avaz), and its father's name نواف as navaf; a record without
    such a letter reads both with w, as Arabic (a Kurdish true pair was lost where one
    record's fields were read two ways)."""
    left = pd.DataFrame(
        {
            "record_id": ["1", "2"],
            "full_name": ["ئاواز شێرکۆ", "ئاواز"],
            "given_name": ["ئاواز", "ئاواز"],
            "father_name": ["نواف", "نواف"],
        },
        dtype=object,
    )
    data = PreparedPair(left, left.assign(record_id=["3", "4"]))
    full, given = _column_tokens(data, 0, "full_name"), _column_tokens(data, 0, "given_name")
    # the ئ that opens a Kurdish word before a vowel is silent (clean_text)
    assert [full[0][0], given[0][0]] == ["avaz", "avaz"]
    assert [full[1][0], given[1][0]] == ["awaz", "awaz"]
    assert _column_tokens(data, 0, "father_name") == [["navaf"], ["nawaf"]]


def held(form: NameForm, parts: tuple[str, ...]) -> tuple[str, ...]:
    """A form's ``parts`` (its tokens, classes or keys) as a prepared name column holds
    them: given name first, a form whose roles in Latin letters open with the family name
    and close with the given name (a Vietnamese name in its native order; a Korean or
    Chinese one in its own script keeps its reading) its last part first and its first at
    the last place kept (MAX_CHAIN), the middle names between and after it."""
    turned = form.roles[:1] == ("family",) and form.roles[-1:] == ("given",)
    if not turned or len(form.roles) < 2 or set(form.token_scripts) != {"Latin"}:
        return parts
    keep = min(len(parts), MAX_CHAIN) - 1  # the family name's place: within those kept
    return (parts[-1], *parts[1:keep], parts[0], *parts[keep:-1])


RECORD_NAME = st.one_of(
    st.none(),
    NAMES,
    st.sampled_from(["ثابت", "ذاكر علي", "احمد کریمی", "احمد كريمي", "S/O کریم", "Sabit"]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.tuples(RECORD_NAME, RECORD_NAME, RECORD_NAME), min_size=1, max_size=8),
    st.randoms(use_true_random=False),
    CULTURES,
)
@example([("احمد کریمی", "ثابت", None), ("احمد كريمي", "ثابت", "ذاكر علي")], None, None)
@example([("ئاواز شێرکۆ", "نواف", "ئاواز"), ("ئاواز", "نواف", None)], None, None)
@example([(None, None, "đặng a")], None, None)  # a mother's name read given name first
def test_each_record_reads_its_names_as_its_letters_say(
    records: list[tuple[str | None, str | None, str | None]], rng: Any, culture: str | None
) -> None:
    """Each record's names read as normalising each with the record's reading gives:
    Persian where any of its name fields holds a letter Arabic does not write (under a
    hint that says nothing of Arabic script), whatever the other records hold and in
    whatever order the rows come (the right side holds the records shuffled)."""
    from rfl_match.names.normalize import names_a_parent, normalize_with
    from rfl_match.names.parts import culture_info
    from rfl_match.names.romanization import arabic_script_language

    columns = ("full_name", "father_name", "mother_name")
    order = list(range(len(records)))
    if rng is not None:
        rng.shuffle(order)

    def frame(rows: list[int], offset: int) -> pd.DataFrame:
        values = {c: [records[r][k] for r in rows] for k, c in enumerate(columns)}
        ids = [str(offset + r) for r in rows]
        return pd.DataFrame({"record_id": ids, **values}, dtype=object)

    data = PreparedPair(frame(list(range(len(records))), 0), frame(order, 100), culture=culture)
    info = culture_info(culture)
    expect = []
    for record in records:
        persian = info.arabic_script is None and any(
            v is not None and arabic_script_language(v) for v in record
        )
        reading = info._replace(arabic_script="persian") if persian else info
        want = []
        for column, value in zip(columns, record, strict=True):
            blank = value is None or (column == "full_name" and names_a_parent(value, info))
            form = None if blank else normalize_with(str(value), reading)
            tokens = () if form is None else held(form, form.tokens)
            want.append(list(tokens[:MAX_CHAIN]))
        expect.append(want)
    for side, rows in ((0, list(range(len(records)))), (1, order)):
        got = [_column_tokens(data, side, column) for column in columns]
        assert [list(r) for r in zip(*got, strict=True)] == [expect[r] for r in rows]


A_NAME = st.one_of(
    st.none(), NAMES, st.sampled_from(["Ali Omar Hassan", "Abd al-Rahman Omar", "Omar", "al-Ali"])
)


@settings(max_examples=60, deadline=None)
@given(
    st.lists(A_NAME, min_size=1, max_size=6),
    st.lists(A_NAME, min_size=1, max_size=6),
    st.lists(A_NAME, min_size=1, max_size=6),
)
def test_person_names_read_only_the_joined_texts_they_make(
    full: list[str | None], given_: list[str | None], family: list[str | None]
) -> None:
    """Person names make only the joined texts they read (the full name's after its first
    part, the family name's): they equal those built from the name columns' complete
    arrays, text for text."""
    n = min(len(full), len(given_), len(family))

    def frame(offset: int) -> pd.DataFrame:
        columns = {"full_name": full[:n], "given_name": given_[:n], "family_name": family[:n]}
        ids = [str(offset + i) for i in range(n)]
        return pd.DataFrame({"record_id": ids, **columns}, dtype=object)

    lean = PreparedPair(frame(0), frame(100))
    complete = PreparedPair(frame(0), frame(100))
    for column in ("full_name", "given_name", "family_name"):
        complete.form_arrays(0, column)  # cached with every joined text
    for side in (0, 1):
        a, b = lean.person_names(side), complete.person_names(side)
        assert a.parts.packed.tolist() == b.parts.packed.tolist()
        words_a = [lean.texts[t] if t >= 0 else None for t in a.text.tolist()]
        words_b = [complete.texts[t] if t >= 0 else None for t in b.text.tolist()]
        assert words_a == words_b
        # The family parts are made when read: of some records, as of all.
        family = a.family_parts().packed
        rows = np.arange(n)[::-1].astype(np.intp)
        assert a.family_parts(rows).packed.tolist() == family[rows].tolist()
        assert a.family_classes.tolist() == family[:, 0].tolist()
    assert len(lean.texts) <= len(complete.texts)


# Latin Burmese names, and names of other cultures written with Burmese syllables alone
LATIN_BURMESE = [
    "Aung San Suu Kyi", "Aungsan Suukyi", "Thant Zin Oo", "Thantzin Oo", "Maung Aung Kyaw",
    "Maung Aungkyaw", "Khin Mar Win", "Htet Aung", "Kyaw Zin Htet", "Nyein Chan", "Zawwin",
    "Dr Aung Kyaw", "Saw Htet Aung", "Umaung Thein", "FNU Aung Kyaw",
]  # fmt: skip
NOT_BURMESE = [
    "Martin Lin", "Chan Min", "Min Ho Lee", "Lin Tin", "Mario Santos", "Kim Min", "Yu Na",
    "Tina Mar", "Maung Min Tin", "Aung Hussain", "Myamya", "Nguyen Van Aung",
]  # fmt: skip


def test_a_latin_burmese_name_reads_as_the_hint_reads_it() -> None:
    """A Latin name of Burmese syllables, one distinctive, reads with no culture hint as
    the hint "burmese" reads it (its syllables run together split, no given or family
    name), by itself and in a prepared batch, where it is read whole; a name of other
    syllables, or of none distinctive, reads as before (given name, family name)."""
    for text in LATIN_BURMESE:
        form = normalize_name(text)
        assert form == normalize_name(text, culture="burmese"), text
        assert set(form.roles) == {""}, text
    for text in NOT_BURMESE:
        assert normalize_name(text).roles[:1] == ("given",), text

    def tokens(culture: str | None) -> list[list[str]]:
        frame = pd.DataFrame({"record_id": range(len(LATIN_BURMESE)), "full_name": LATIN_BURMESE})
        data = PreparedPair(frame, frame.head(1), culture=culture)
        got = data.form_arrays(0, "full_name").tokens[: len(frame)]
        return [[data.tokens[t] for t in row if t >= 0] for row in got.tolist()]

    assert tokens(None) == tokens("burmese")


@given(st.text(alphabet="acexiouhdbkn", max_size=12))
@example("caadil")
@example("xasan")
@example("cira")
def test_somali_look_is_the_reading_of_its_rule(word: str) -> None:
    """A Latin word looks Somali where it holds an x or a c and a long vowel written twice,
    or starts with c or x before a vowel, or holds an x between vowels: the obviously
    correct reading of the rule, against the one pattern that searches it in time linear
    in the word (two look-aheads from every place cost its length squared)."""
    from rfl_match.names.normalize import _looks_somali

    has_xc = "x" in word or "c" in word
    doubled = any(v * 2 in word for v in "aiuoe")
    starts = len(word) > 1 and word[0] in "cx" and word[1] in "aeiou"
    between = any(
        word[i] == "x" and word[i - 1] in "aeiou" and word[i + 1] in "aeiou"
        for i in range(1, len(word) - 1)
    )
    assert _looks_somali(word) == (has_xc and (doubled or starts or between))


def _cut_every_span(syllables: list[Any]) -> tuple[str, ...]:
    """The reference: every span at every end tried, a known name's of any length (the
    cut ``normalize._cut_syllables`` made before it kept the best start of a span read as
    no known name, and looked known names up to ``_KNOWN_SPAN_MOST`` syllables)."""
    from rfl_match.names import normalize
    from rfl_match.names.romanization import romanize_uncached

    n = len(syllables)
    empty: tuple[str, ...] = ()
    best = [(0, 0, empty)] + [(-1, 0, empty)] * n
    for j in range(1, n + 1):
        for i in range(j):
            if best[i][0] < 0:
                continue
            vid = normalize._known_span(syllables[i:j]) if j - i > 1 or n == 1 else None
            score = best[i][0] + (2 * (j - i) if vid is not None else 0)
            score += 1 if i > 0 and syllables[i - 1].final_l else 0
            part = vid or romanize_uncached("".join(s.readings[0] for s in syllables[i:j]), "Latin")
            candidate = (score, best[i][1] - 1, (*best[i][2], part))
            if candidate[:2] > best[j][:2]:
                best[j] = candidate
    return tuple(p for p in best[n][2] if p)


_BURMESE_PIECES = [chr(c) for c in range(0x1000, 0x1021)] + [
    "ါ", "ာ", "ိ", "ီ", "ု", "ူ", "ေ", "ဲ", "ံ", "့", "း", "်", "ျ", "ြ", "ွ", "ှ", "လ်", "မ်", "က်",
    "ဒီလ်မိုဟာမက်", "နူရူလ်အစ္စလာမ်", "ကမာလ်ဟူစိန်", "မိုဟာမက်", "အဗ္ဗဒူလ်ရာဟမာန်",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(_BURMESE_PIECES), min_size=1, max_size=12))
def test_a_burmese_word_is_cut_as_trying_every_span_cuts_it(pieces: list[str]) -> None:
    """A Burmese word written without spaces is cut where known names end as the slow
    reading that tries every span at every end cuts it; it reads in steps linear in its
    syllables (a 160-letter word took 2.8 s, one of 1,000 letters, which validation keeps,
    about ten minutes)."""
    from rfl_match.names.normalize import _cut_syllables
    from rfl_match.names.romanization import burmese_syllables

    syllables = burmese_syllables("".join(pieces))
    assert _cut_syllables(syllables) == _cut_every_span(syllables)


@given(
    st.sampled_from(["", "Baby of ", "B / O ", "Ｂ／Ｏ ", "RECIÉN NACIDO DE ", "Ali S/O ", "d/o "]),
    st.one_of(NAMES, st.text()),
)
@example("Baby of: ", "Fatima")
@example("RN de ", "María José")
@example("Unknown baby girl of ", "Amina")
@example("ｂａｂｙ ｏｆ ", "Fatima")
def test_a_parent_is_named_by_a_value_the_sieve_keeps(opening: str, rest: str) -> None:
    """A value that names a parent (:func:`parent_named`) is one the linker's sieve keeps
    (:func:`parent_pattern`: only those are read); the name given is the value's own
    text; and a newborn's value is no name of the person's, as the pipeline reads it."""
    text = opening + rest
    found = parent_named(text)
    if found is None:
        return
    assert re.search(parent_pattern(), text, re.IGNORECASE)
    kind, name = found
    assert name and name in text and not is_placeholder(name)
    if kind == "mother":
        assert normalize_name(text).tokens == ()
