"""Romanisation: every script to lower-case ASCII Latin, name-aware where generic tables fail.

Arabic script is vowelled by rule (short vowels are not written); Cyrillic follows Russian,
Ukrainian or Belarusian letters; Ge'ez syllables and common Burmese name syllables come from
tables; other scripts go through anyascii. Known names are recognised later, by the variant
classes (:mod:`rfl_match.names.variants`), which carry the conventional spelling.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache
from typing import NamedTuple

from anyascii import anyascii
from unidecode import unidecode

from rfl_match.names._resources import read_table
from rfl_match.names.scripts import detect_script

_LATIN_SPECIAL = {
    "ş": "sh", "ș": "sh", "š": "sh", "ç": "ch", "č": "ch", "ć": "ch", "ž": "zh", "ź": "z",
    "ğ": "gh", "ġ": "gh", "ḥ": "h", "ḫ": "kh", "ẖ": "kh", "ṯ": "th", "ḏ": "dh", "ẓ": "z",
    "ṣ": "s", "ṭ": "t", "ḍ": "d", "ß": "ss", "æ": "ae", "œ": "oe", "ø": "o", "đ": "dj",
    "ð": "dh", "þ": "th", "ı": "i", "ł": "l", "ə": "a", "ñ": "n", "ŋ": "ng", "ʃ": "sh",
}  # fmt: skip
_LATIN_TABLE = {ord(k): v for k, v in _LATIN_SPECIAL.items()}
# đ is dj in Serbo-Croatian (Đorđe: Djordje) and d in Vietnamese (Đặng: Dang, as every Latin
# record without the mark writes it). Serbo-Croatian writes no letter with a mark but č ć đ
# š ž, nor a final nh: a word with đ and another marked letter (Đặng, Đỗ, Đức, Đoàn, Đào:
# Vietnamese's ơ ư ă and its vowels with a tone mark) or that ends in nh (Đinh) is
# Vietnamese, as is one that with đ read as d is a Vietnamese name syllable
# (``vietnamese_syllables.tsv``: Đo, as registers write Đỗ; Đan; not Đuro, Đorđe), and any
# under an East Asian hint (``language`` "vietnamese").
_SERBO_CROATIAN_MARKED = frozenset("čćđšž")
_NON_ALNUM = re.compile(r"[^a-z ]+")  # digits carry no name


def _ascii_word(text: str) -> str:
    """Lower-case ASCII letters of already romanised text (spaces kept)."""
    if not text.isascii():
        text = unidecode(text.translate(_LATIN_TABLE))
    text = text.lower()
    if text.isalpha():
        return text  # the common case: nothing to drop
    text = _NON_ALNUM.sub("", text)
    # a romaniser may pad a syllable with spaces (unidecode: "Mo "); keep single inner ones
    return " ".join(text.split()) if " " in text else text


# --- Arabic script -------------------------------------------------------------------------


@cache
def _arabic_letters(language: str | None = None) -> dict[str, str]:
    """Each letter's romanisation: the Arabic one, or with ``language`` "persian" the
    Persian one where the table gives it (ث ذ ض: s, z, z; و: v, where
    :func:`_romanize_arabic` reads it as a consonant)."""
    rows = read_table("arabic_letters.tsv")
    if language == "persian":
        return {row[0]: row[4] or row[1] for row in rows}
    return {row[0]: row[1] for row in rows}


# Letters that Persian, Dari, Pashto, Urdu and Sorani Kurdish write and Arabic does not, as
# typed before clean-up folds the Persian yeh and kaf (ی ک) into the Arabic ones (ي ك): each
# of these languages says ث ذ ض as s, z, z. Iraqi and Gulf Arabic گ and چ are rare in
# registered names; ڤ and ڭ (Maghreb Arabic) are left out.
_PERSIAN_LETTERS = frozenset(
    "یکپچژگ"  # Persian, and the others too
    "ٹڈڑںےہھ"  # Urdu
    "ټډړږښځڅڼۍېګ"  # Pashto
    "ڕڵێۆەۀ"  # Sorani Kurdish; Persian heh with yeh
)
#: :data:`_PERSIAN_LETTERS` as a regular expression (Python's and RE2's).
PERSIAN_LETTERS_PATTERN = "[" + "".join(sorted(_PERSIAN_LETTERS)) + "]"


def arabic_script_language(text: str) -> str | None:
    """The language an Arabic-script text (before clean-up) is read with: "persian" when
    it holds a letter that only the Arabic-script languages other than Arabic write
    (Persian ی ک پ چ ژ گ; Urdu, Pashto, Kurdish letters), else None: read as Arabic.

    >>> arabic_script_language("رمضان کریمی"), arabic_script_language("رمضان كريمي")
    ('persian', None)
    """
    return None if text.isascii() or _PERSIAN_LETTERS.isdisjoint(text) else "persian"


@cache
def persian_reading_pattern() -> str:
    """The letters that the Persian reading romanises otherwise than the Arabic one (ث ذ ض
    و, :func:`_arabic_letters`), with their presentation forms that clean-up folds into them,
    as a regular expression (Python's and RE2's): a text without them reads alike both ways.

    >>> [bool(re.search(persian_reading_pattern(), name)) for name in ("ثابت", "علي")]
    [True, False]
    """
    arabic, persian = _arabic_letters(), _arabic_letters("persian")
    letters = {c for c in arabic if persian[c] != arabic[c]}
    letters |= {
        chr(c) for c in range(0xFB50, 0xFF00) if unicodedata.normalize("NFKC", chr(c)) in letters
    }
    return "[" + "".join(sorted(letters)) + "]"


_AR_VOWEL_LETTERS = frozenset("اوي")
_AR_SILENT = frozenset("عء")


def _romanize_arabic(word: str, language: str | None = None) -> str:
    """Vowel an Arabic-script word by rule: long vowels from ا و ي, a short "a" where a
    consonant that opens a syllable meets another consonant (CaC-CaC), none at the end.
    ``language`` "persian" reads ث ذ ض as s, z, z and a consonant و as v
    (:func:`_arabic_letters`).
    """
    if word.startswith("ال") and len(word) > 3:
        return "al" + _romanize_arabic(word[2:], language)
    return _ascii_word("".join(_arabic_pieces(word, language)))


_PERSIAN_V = "ڤ"  # a letter read v in every reading, class f (arabic_letters.tsv)


def persian_consonants(word: str) -> str:
    """An Arabic-script word read as Persian with each و that the romanisation reads as a
    consonant (Navid, Vahid, Parviz, Javad) written as a letter that says v (ڤ), for the
    keys: و as a vowel (Yusuf, Nur) stays.

    >>> persian_consonants("نويد") == "ن" + _PERSIAN_V + "يد", persian_consonants("نور")
    (True, 'نور')
    """
    if "و" not in word:
        return word
    head = 2 if word.startswith("ال") and len(word) > 3 else 0
    body = word[head:]
    pieces = _arabic_pieces(body, "persian")
    return word[:head] + "".join(
        _PERSIAN_V if ch == "و" and piece.endswith("v") else ch
        for ch, piece in zip(body, pieces, strict=True)
    )


def _arabic_pieces(word: str, language: str | None) -> list[str]:
    """What each letter of an Arabic-script word (without its article) romanises to, with
    the short vowel guessed before it (:func:`_romanize_arabic`)."""
    letters = _arabic_letters(language)
    out: list[str] = []
    n = len(word)
    state = "start"  # start, vowel, onset (consonant waiting for a vowel), coda
    long_a = False
    for i, ch in enumerate(word):
        nxt = word[i + 1] if i + 1 < n else ""
        if ch == "ا":
            out.append("a")
            state, long_a = "vowel", True
            continue
        if ch in "وي" and not (i == 0 or state == "vowel" or nxt in _AR_VOWEL_LETTERS):
            out.append("u" if ch == "و" else "i")
            state, long_a = "vowel", False
            continue
        if ch == "ه" and i == n - 1 and state in ("onset", "coda"):
            out.append("a")
            state = "vowel"
            continue
        if ch in _AR_SILENT:
            latin = ""
        elif ch in letters:
            latin = letters[ch]
        else:
            latin = anyascii(ch).lower()
        if state == "onset" or (state == "coda" and i == n - 1):
            # CaC-CaC: an open syllable needs its short vowel; after a long a the name
            # pattern is CaaCiC (khalid, hamid, nasir)
            latin = ("i" if state == "coda" and long_a else "a") + latin
            state = "coda"
        else:
            state = "coda" if state == "vowel" else "onset"
        out.append(latin)
    return out


# --- Cyrillic ---------------------------------------------------------------------------------


@cache
def _cyrillic_tables() -> dict[str, dict[int, str]]:
    rows = read_table("cyrillic_letters.tsv")
    tables: dict[str, dict[int, str]] = {}
    for col, lang in enumerate(("russian", "ukrainian", "belarusian"), start=1):
        tables[lang] = {ord(r[0]): r[col] for r in rows}
    return tables


_UKRAINIAN = frozenset("іїєґ")
_BELARUSIAN = frozenset("ў")


def cyrillic_language(word: str) -> str:
    """The language of a Cyrillic word (ukrainian, belarusian, russian) from its letters."""
    if not _BELARUSIAN.isdisjoint(word):
        return "belarusian"
    if not _UKRAINIAN.isdisjoint(word):
        return "ukrainian"
    return "russian"


def _romanize_cyrillic(word: str, language: str | None = None) -> str:
    lang = language or cyrillic_language(word)
    if lang == "russian" and word[-1:] == "й":
        if word.endswith("ий"):
            word = word[:-2] + "iy"
        elif word.endswith("ый"):
            word = word[:-2] + "y"
    return _ascii_word(word.translate(_cyrillic_tables()[lang]))


_CYRILLIC_KEY_OVERRIDES = {ord("х"): "h", ord("ц"): "z"}


def cyrillic_key_reading(word: str) -> str:
    """A Cyrillic word read for blocking keys: х as h and ц as z, the letters that Latin names
    from other languages most often come from (Hans: Ханс, Zimmer: Циммер).
    """
    table = _cyrillic_key_tables()[cyrillic_language(word)]
    return _ascii_word(word.replace("дз", "з").translate(table))


_CYR_VOWELS = "аоэиуыяеюё"
# Syllables a Japanese name can have in the Polivanov system (CV, CyV, a vowel, й after a
# vowel, syllabic н or м, a doubled consonant) and a Chinese one in the Palladius system
# (initial and final). Most Russian words fail one of the two: л, ж, ш, щ, a cluster.
_JAPANESE_WORD = re.compile(
    r"(?:(?:дз|[кгстднхмрбп])[аиуэоеяюё]|ц[уа]|ф[уа]|в[ао]|[аиуэоеяюё]"
    r"|(?<=[аиуэоеяюё])й|н|м(?=[мбп])|([кстп])(?=\1))+"
)
_CHINESE_FINALS = (
    "уань|юань|ань|энь|инь|янь|унь|юнь|уай|уан|ян|ан|эн|ин|ун|юн|яо|ай|эй|ао|оу|уа|уо|уй|юэ"
    "|юй|эр|а|о|э|и|у|ы|я|е|ю"
)
_CHINESE_SYLLABLE = f"(?:чж|цз|[бпмфдтнлгкхцсчшжв])?(?:{_CHINESE_FINALS})"
_CHINESE_WORD = re.compile(f"(?:{_CHINESE_SYLLABLE})+")
_CHINESE_SHORT_WORD = re.compile(f"(?:{_CHINESE_SYLLABLE}){{1,2}}")
# letters or sequences that a Chinese name has and a Japanese or Russian one rarely does
_CHINESE_MARK = re.compile("чж|цз|ь|ы|юй|юэ|оу|уй|эй|^[жшчсц]э")
# weaker signs, common in Russian and Japanese words too (Анучин, Аосима): they mark a
# Chinese name only in a word of one or two syllables (a given name is one word)
_CHINESE_WEAK_MARK = re.compile("ао|ян|[аоэиуяею]н$")
# German st, sp (Stern: Штерн, Rubinstein: Рубинштейн); Italian ci, ce and cci, cce before a
# consonant or at the end (Conticini: Контичини, Ricci: Риччи; before a vowel the Latin
# side reads ci as ч: Ciano); German and Czech h- written г- (Hermann: Герман)
_WESTERN = (
    (re.compile("ш(?=[тп])"), "с"),
    (re.compile("(?<!щ)ч?ч(?=[иеэ](?![аоуэ]))"), "ц"),
    (re.compile("^г(?=[аеиоуэюяё])"), "х"),
)


@cache
def _foreign_rules() -> dict[str, tuple[tuple[re.Pattern[str], str], ...]]:
    rules: dict[str, list[tuple[re.Pattern[str], str]]] = {}
    for system, cyrillic, latin, where in read_table("cyrillic_foreign.tsv"):
        tail = f"(?![{_CYR_VOWELS}])" if where == "no vowel after" else ""
        rules.setdefault(system, []).append((re.compile(re.escape(cyrillic) + tail), latin))
    return {system: tuple(r) for system, r in rules.items()}


def foreign_reading(word: str) -> str | None:
    """The Latin spelling of a Cyrillic word that looks like a Japanese name in the Polivanov
    system or a Chinese one in the Palladius system (си: shi, цз: z or j, final н: ng), or
    None when it looks like neither.

    >>> foreign_reading("такэси"), foreign_reading("чжан"), foreign_reading("иванов")
    ('takeshi', 'zhang', None)
    """
    if len(word) < 2:
        return None
    if (_CHINESE_MARK.search(word) is not None and _CHINESE_WORD.fullmatch(word) is not None) or (
        _CHINESE_WEAK_MARK.search(word) is not None
        and _CHINESE_SHORT_WORD.fullmatch(word) is not None
    ):
        system = "chinese"
    elif len(word) >= 3 and _JAPANESE_WORD.fullmatch(word) is not None:
        system = "japanese"
    else:
        return None
    for pattern, latin in _foreign_rules()[system]:
        if pattern.pattern[0] in word:
            word = pattern.sub(latin, word)
    return _ascii_word(word.translate(_cyrillic_tables()["russian"]))


def cyrillic_key_readings(word: str, latin: str) -> tuple[str, str]:
    """The two Latin readings of a Cyrillic word that its blocking keys are taken from.

    The skeleton key reads х as h, ц as z, and the German, Czech and Italian letters that
    Russian practical transcription writes otherwise (шт: st, чи: ci, initial г: h); the
    phonetic key reads the
    word as written (``latin``), or as the Japanese or Chinese name it looks like
    (Такэси: takeshi, Чжан: zhang), the names that lose most in a Russian reading.
    """
    western = word
    for pattern, repl in _WESTERN:
        western = pattern.sub(repl, western)
    foreign = foreign_reading(word)
    return cyrillic_key_reading(western), latin if foreign is None else foreign


@cache
def _cyrillic_key_tables() -> dict[str, dict[int, str]]:
    return {lang: t | _CYRILLIC_KEY_OVERRIDES for lang, t in _cyrillic_tables().items()}


# --- Ge'ez ------------------------------------------------------------------------------------


@cache
def _geez_table() -> dict[str, tuple[str, str, str]]:
    return {row[0]: (row[1], row[2], row[3]) for row in read_table("geez_syllables.tsv")}


@cache
def _h_digraphs() -> frozenset[str]:
    """Letters that, followed by h, read as another sound (s-h: sh), from latin_classes.tsv."""
    classes = {row[0]: row[1] for row in read_table("latin_classes.tsv")}
    return frozenset(
        g[0] for g, c in classes.items() if len(g) == 2 and g[1] == "h" and classes.get(g[0]) != c
    )


def _romanize_geez(word: str) -> str:
    """Ge'ez syllables; the sixth order (ə) is written "e" only where a cluster needs a vowel."""
    table = _geez_table()
    syllables = [table.get(ch) for ch in word]
    out: list[str] = []
    n = len(word)
    for i, syl in enumerate(syllables):
        if syl is None:
            out.append(anyascii(word[i]).lower())
            continue
        cons, vowel, order = syl
        if order == "6":
            nxt = syllables[i + 1] if i + 1 < n else None
            last_of_two = i + 2 == n and nxt is not None and nxt[2] == "6"
            # a word-initial ə is heard (Selassie, Berhane); inside, only before a final
            # vowelless syllable (Mekonnen, Medhen), and before h where the two letters
            # would read as one sound (ፍስሃ: Fiseha, not Fisha)
            digraph = (
                nxt is not None and nxt[0] == "h" and cons[-1:] in _h_digraphs() and bool(nxt[1])
            )
            vowel = "e" if i == 0 or last_of_two or digraph else ""
        if i == 0 and cons == "gn":
            cons = "ny"  # the palatal n is gn after a vowel (Tegegn, Dagnachew), ny first
        out.append(cons + vowel)
    return _ascii_word("".join(out))


# --- Myanmar ----------------------------------------------------------------------------------


@cache
def _burmese_table() -> tuple[dict[str, str], int, dict[str, str]]:
    """(syllable -> Latin, longest syllable, the same without tone marks)."""
    table = {row[0]: row[1] for row in read_table("burmese_syllables.tsv")}
    marks = {row[1] for row in read_table("burmese_letters.tsv") if row[0] == "mark"}
    bare = {"".join(c for c in k if c not in marks): v for k, v in table.items()}
    return table, max(len(k) for k in table), bare


@cache
def burmese_latin_syllables() -> frozenset[str]:
    """Latin spellings of common Burmese name syllables (to split "Aungsan" as "Aung San")."""
    out: set[str] = set()
    for row in read_table("burmese_syllables.tsv"):
        out.add(row[1])
        out.update(s for s in row[2].split(",") if s)
    return frozenset(out)


@cache
def burmese_distinctive_syllables() -> frozenset[str]:
    """Latin spellings of Burmese name syllables that names of other cultures do not write
    as a word or at the start of one (``burmese_syllables.tsv``, column distinctive: Aung,
    Kyaw, Htet; not San, Min, Win), by which a Latin name with no hint reads as Burmese.

    >>> sorted({"aung", "kyee", "san", "tun"} & burmese_distinctive_syllables())
    ['aung', 'kyee']
    """
    rows = read_table("burmese_syllables.tsv")
    return frozenset(s for row in rows for s in row[3].split(",") if s)


_ASAT, _VIRAMA = "\u103a", "\u1039"
_MEDIALS = frozenset("\u103b\u103c\u103d\u103e")
_LONG_A = frozenset("\u102b\u102c")  # ါ ာ: an asat after them is a tone mark (ော်)
# The finals Burmese has; others (လ် ဒ် ဖ် ...) belong to transcribed foreign names.
_BURMESE_FINALS = frozenset("ကငစညတနပမယ")


class BurmeseSyllable(NamedTuple):
    """One written Burmese syllable and its readings.

    ``common``: the usual Latin spelling when the syllable is a common Burmese name syllable,
    else None; ``readings``: readings as a transcribed foreign name, the usual first;
    ``final_l``: whether it ends in a written final l (Kamal, Nurul, Abdul), where a name
    that follows often starts.
    """

    text: str
    common: str | None
    readings: tuple[str, ...]
    final_l: bool


@cache
def _burmese_letters() -> dict[str, dict[str, tuple[str, ...]]]:
    out: dict[str, dict[str, tuple[str, ...]]] = {}
    for kind, text, latin, other in read_table("burmese_letters.tsv"):
        key = "" if text == "-" else text
        out.setdefault(kind, {})[key] = (latin, *(o for o in other.split(",") if o))
    return out


def _is_onset(ch: str) -> bool:
    return "\u1000" <= ch <= "\u102a" or ch == "\u103f"


def _burmese_pieces(word: str) -> list[tuple[str, str, str, str, str, bool]]:
    """Written syllables: (text, onset, medials, vowel signs, final, final stacked)."""
    marks = _burmese_letters()["mark"]
    out: list[list[str | bool]] = []
    n = len(word)
    for i, ch in enumerate(word):
        nxt = i + 1
        while nxt < n and word[nxt] in marks:
            nxt += 1
        after = word[nxt] if nxt < n else ""
        if _is_onset(ch):
            current = out[-1] if out else None
            if (
                current is not None
                and not current[4]
                and current[1]
                and after in (_ASAT, _VIRAMA)
                and not ("\u1023" <= ch <= "\u102a")
            ):
                current[0] = str(current[0]) + ch
                current[4] = ch
                current[5] = after == _VIRAMA
                continue
            out.append([ch, ch, "", "", "", False])
            continue
        if not out:
            out.append([ch, "", "", "", "", False])
            continue
        current = out[-1]
        current[0] = str(current[0]) + ch
        if ch in _MEDIALS and not current[3] and not current[4]:
            current[2] = str(current[2]) + ch
        elif ch == _ASAT:
            if not current[4] and str(current[3])[-1:] in _LONG_A:
                continue  # ော်: a tone mark
        elif ch == _VIRAMA or ch in marks:
            continue
        elif not current[4]:
            current[3] = str(current[3]) + ch
    return [(str(a), str(b), str(c), str(d), str(e), bool(f)) for a, b, c, d, e, f in out]


def _onset_readings(
    onset: str, medials: str, letters: dict[str, dict[str, tuple[str, ...]]]
) -> tuple[str, ...]:
    cluster = letters["cluster"].get(onset + medials)
    if cluster is not None:
        return cluster
    base = letters["onset"].get(onset)
    if base is None:
        base = (_ascii_word(anyascii(onset)),) if onset else ("",)
    tail = "".join(letters["medial"].get(m, ("",))[0] for m in medials)
    return tuple(b + tail for b in base)


def _burmese_syllable(piece: tuple[str, str, str, str, str, bool]) -> BurmeseSyllable:
    text, onset, medials, signs, final, stacked = piece
    letters = _burmese_letters()
    marks = letters["mark"]
    bare = "".join(ch for ch in text if ch not in marks)
    table = _burmese_table()
    common = table[0].get(text) or table[2].get(bare)
    rhyme = None
    if final in _BURMESE_FINALS:
        vowel_key = signs
        if not signs and "\u103d" in medials:
            vowel_key, medials = "\u103d", medials.replace("\u103d", "")
        rhyme = letters["rhyme"].get(vowel_key + final)
    if rhyme is not None and stacked:
        # a doubled consonant: the vowel of the rhyme, the consonant as written
        written = letters["onset"][final][0]
        vowels = tuple(dict.fromkeys(r.rstrip("bcdfghjklmnpqrstvwxz") + written for r in rhyme))
    elif rhyme is not None:
        vowels = rhyme
    else:
        opened: tuple[str, ...]
        if not signs and onset in letters["onset"] and "\u1023" <= onset <= "\u102a":
            opened = ("",)  # an independent vowel has no inherent a
        else:
            opened = letters["open"].get(signs) or (_ascii_word(anyascii(signs)) or "a",)
        tail = letters["onset"].get(final, ("",))[0] if final else ""
        vowels = tuple(v + tail for v in opened[:1]) if tail else opened
    onsets = _onset_readings(onset, medials, letters)
    if not signs and not final and onset in letters["onset"] and onsets[0]:
        vowels = (*vowels, "")  # the inherent vowel of a cluster may be silent
    readings = tuple(dict.fromkeys(o + v for o in onsets for v in vowels))
    return BurmeseSyllable(text, common, readings, final == "\u101c" and not stacked)


@lru_cache(maxsize=1 << 14)
def burmese_syllables(word: str) -> tuple[BurmeseSyllable, ...]:
    """A cleaned Burmese word, syllable by syllable, with its readings.

    >>> [s.readings[0] for s in burmese_syllables("မိုဟာမက်")]
    ['mo', 'ha', 'met']
    """
    return tuple(_burmese_syllable(p) for p in _burmese_pieces(word))


def _romanize_myanmar(word: str) -> str:
    """Burmese text to Latin: space-separated syllables when every syllable is a common
    Burmese name syllable (names are written syllable by syllable), else one word read as
    a transcribed foreign name, cut after a written final l (Nurul Islam, Kamal Hussain).
    """
    syllables = burmese_syllables(word)
    if all(s.common is not None for s in syllables):
        return " ".join(str(s.common) for s in syllables)
    out: list[str] = []
    for i, s in enumerate(syllables):
        out.append(s.readings[0])
        if s.final_l and i + 1 < len(syllables):
            out.append(" ")
    return " ".join(_ascii_word("".join(out)).split())


# --- Han, Hangul, Kana ------------------------------------------------------------------------

_CAPITALISED = re.compile(r"[A-Z][a-z]*")


def _romanize_east_asian(word: str, script: str) -> str:
    """Han and Hangul names: family name (first syllable) apart from the given name."""
    latin = anyascii(word)
    syllables = _CAPITALISED.findall(latin) if script in ("Han", "Hangul") else []
    if len(syllables) >= 2 and len(word) in (2, 3, 4) and len(syllables) == len(word):
        return _ascii_word(syllables[0] + " " + "".join(syllables[1:]))
    return _ascii_word(latin)


# --- public -----------------------------------------------------------------------------------


@lru_cache(maxsize=1 << 18)
def romanize_word(word: str, script: str | None = None, language: str | None = None) -> str:
    """Romanise one cleaned word (see :func:`rfl_match.names.clean.clean_text`).

    The result is lower-case ASCII; it holds spaces when the script writes a name without them
    (Burmese syllables, Han and Hangul family and given names). ``language`` ("russian",
    "ukrainian", "belarusian") overrides the reading of Cyrillic guessed from the letters;
    "persian" reads Arabic script as Persian, Dari, Pashto, Urdu and Kurdish names are
    romanised (ث ذ ض as s, z, z, a consonant و as v), which a cleaned word no longer shows
    (:func:`arabic_script_language` reads it off the text before clean-up); "vietnamese"
    reads a Latin đ as d, as a word with another letter Serbo-Croatian does not write does
    (Đặng), or one that so read is a Vietnamese name syllable (Đo), where elsewhere it is dj
    (Đorđe).

    >>> romanize_word("ذاكر", "Arabic"), romanize_word("ذاكر", "Arabic", "persian")
    ('dhakir', 'zakir')
    >>> romanize_word("đorđe"), romanize_word("đặng"), romanize_word("đo", "Latin", "vietnamese")
    ('djordje', 'dang', 'do')
    >>> romanize_word("đo"), romanize_word("đuro")  # Đo: Đỗ as registers write it
    ('do', 'djuro')
    """
    return romanize_uncached(word, script or detect_script(word), language)


@cache
def vietnamese_syllables() -> frozenset[str]:
    """The Vietnamese name syllables of ``resources/vietnamese_syllables.tsv``, without marks."""
    return frozenset(row[0] for row in read_table("vietnamese_syllables.tsv"))


# The marks Vietnamese writes on its vowels: the vowel marks (ă, â ê ô, ơ ư: breve,
# circumflex, horn) and the five tones (grave, acute, hook above, tilde, dot below). Folded
# away they leave one Latin spelling of different names (Hùng and Hưng, Dũng and Dung, Vân and
# Văn: hung, dung, van), which registers that write no marks share.
_VIETNAMESE_MARKS = "\u0306\u0302\u031b\u0300\u0301\u0309\u0303\u0323"


@cache
def vietnamese_marks_pattern() -> str:
    """The letters (and combining marks) of Vietnamese vowels written with a mark, as a
    regular expression (Python's and RE2's): a text without them writes no Vietnamese
    marks (:func:`vietnamese_marks`).

    >>> [bool(re.search(vietnamese_marks_pattern(), t)) for t in ("Hùng", "HƯNG", "Hung", "Đo")]
    [True, True, False, False]
    """
    letters = set(_VIETNAMESE_MARKS)
    for base in "aeiouyAEIOUY":
        for vowel in ("", "\u0306", "\u0302", "\u031b"):
            for tone in ("", *_VIETNAMESE_MARKS[3:]):
                composed = unicodedata.normalize("NFC", base + vowel + tone)
                if len(composed) == 1 and vowel + tone:
                    letters.add(composed)
    return "[" + "".join(sorted(letters)) + "]"


@lru_cache(maxsize=1 << 14)
def vietnamese_marks(text: str) -> tuple[tuple[str, str], ...]:
    """The Vietnamese name syllables of a name that writes Vietnamese marks, each as its
    reading without marks (the token it becomes) and as written (lower case, NFC); () where
    the name writes no mark on a Vietnamese name syllable (``vietnamese_syllables.tsv``).

    In a name that writes marks, a syllable without them is written so (Dung, Minh), where
    in one that writes none the marks are not known: Hùng and Hưng are two names, Hung
    either. The letter đ alone is no sign that the marks are written (registers write Đỗ
    as Đo).

    >>> vietnamese_marks("Nguyễn Văn Hùng")
    (('nguyen', 'nguyễn'), ('van', 'văn'), ('hung', 'hùng'))
    >>> vietnamese_marks("Trần Dung"), vietnamese_marks("Tran Dung"), vietnamese_marks("José")
    ((('tran', 'trần'), ('dung', 'dung')), (), ())
    """
    from rfl_match.names.clean import clean_text

    if text.isascii():
        return ()
    out = []
    marked = False
    for word in clean_text(text).split():
        latin = detect_script(word) == "Latin"
        reading = romanize_word(word, "Latin", "vietnamese") if latin else ""
        if reading in vietnamese_syllables():
            written = unicodedata.normalize("NFC", word)
            out.append((reading, written))
            marked = marked or not set(unicodedata.normalize("NFD", written)).isdisjoint(
                _VIETNAMESE_MARKS
            )
    return tuple(out) if marked else ()


def _vietnamese_d(word: str, language: str | None) -> bool:
    """Whether a Latin word's đ is a d (Vietnamese), not dj (Serbo-Croatian)."""
    return (
        language == "vietnamese"
        or word.endswith("nh")
        or any(not c.isascii() and c.isalpha() and c not in _SERBO_CROATIAN_MARKED for c in word)
        or _ascii_word(word.replace("đ", "d")) in vietnamese_syllables()
    )


def romanize_uncached(word: str, script: str, language: str | None = None) -> str:
    """:func:`romanize_word` without its cache, for a known script."""
    if script == "Latin" or word.isascii():
        if "đ" in word and _vietnamese_d(word, language):
            word = word.replace("đ", "d")
        return _ascii_word(word)
    if script == "Arabic":
        return _romanize_arabic(word, language if language == "persian" else None)
    if script == "Cyrillic":
        return _romanize_cyrillic(word, language)
    if script == "Ethiopic":
        return _romanize_geez(word)
    if script == "Myanmar":
        return _romanize_myanmar(word)
    if script in ("Han", "Hangul"):
        return _romanize_east_asian(word, script)
    return _ascii_word(anyascii(word))


def romanize(text: str) -> str:
    """Romanise a whole text, word by word (a generic reading: no name knowledge applied).

    >>> romanize("Олександр Шевченко")
    'oleksandr shevchenko'
    >>> romanize("ሙሉጌታ")
    'mulugeta'
    """
    from rfl_match.names.clean import clean_text

    return " ".join(w for w in (romanize_word(t) for t in clean_text(text).split()) if w)


def romanize_candidates(
    word: str, script: str | None = None, language: str | None = None
) -> tuple[str, ...]:
    """Several plausible Latin readings of one cleaned word, the most likely first.

    Cyrillic words without Ukrainian or Belarusian letters get the Ukrainian reading too;
    Arabic-script words get a reading without guessed short vowels; read as Persian
    (``language`` "persian"), the Arabic readings follow the Persian ones.
    """
    script = script or detect_script(word)
    if script != "Arabic":
        language = None
    return candidates_after(word, script, romanize_word(word, script, language), language)


def candidates_after(
    word: str, script: str, first: str, language: str | None = None
) -> tuple[str, ...]:
    """:func:`romanize_candidates` when the first reading is known (with no language hint,
    but "persian" for an Arabic-script word read so)."""
    out = [first]
    if script == "Cyrillic" and cyrillic_language(word) == "russian":
        out.append(_romanize_cyrillic(word, "ukrainian"))
    elif script == "Arabic":
        out.append(_bare_arabic(word, language))
        if language == "persian":
            # a name listed under its Arabic spelling only is still found
            out += (_romanize_arabic(word), _bare_arabic(word, None))
    return tuple(dict.fromkeys(c for c in out if c))


def _bare_arabic(word: str, language: str | None) -> str:
    """An Arabic-script word's letters without guessed short vowels (و ي as u, i)."""
    letters = _arabic_letters(language)
    bare = "".join("u" if c == "و" else letters.get(c, "") for c in word)
    return _ascii_word(bare.replace("y", "i"))
