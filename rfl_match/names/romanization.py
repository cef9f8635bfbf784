"""Romanisation: every script to lower-case ASCII Latin, name-aware where generic tables fail.

Arabic script is vowelled by rule (short vowels are not written); Cyrillic follows Russian,
Ukrainian or Belarusian letters; Ge'ez syllables and common Burmese name syllables come from
tables; other scripts go through anyascii. Known names are recognised later, by the variant
classes (:mod:`rfl_match.names.variants`), which carry the conventional spelling.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

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
def _arabic_letters() -> dict[str, tuple[str, str]]:
    return {row[0]: (row[1], row[2]) for row in read_table("arabic_letters.tsv")}


_AR_VOWEL_LETTERS = frozenset("اوي")
_AR_SILENT = frozenset("عء")


def _romanize_arabic(word: str) -> str:
    """Vowel an Arabic-script word by rule: long vowels from ا و ي, a short "a" where a
    consonant that opens a syllable meets another consonant (CaC-CaC), none at the end.
    """
    if word.startswith("ال") and len(word) > 3:
        return "al" + _romanize_arabic(word[2:])
    letters = _arabic_letters()
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
            latin = letters[ch][0]
        else:
            latin = anyascii(ch).lower()
        if state == "onset" or (state == "coda" and i == n - 1):
            # CaC-CaC: an open syllable needs its short vowel; after a long a the name
            # pattern is CaaCiC (khalid, hamid, nasir)
            out.append("i" if state == "coda" and long_a else "a")
            state = "coda"
        else:
            state = "coda" if state == "vowel" else "onset"
        out.append(latin)
    return _ascii_word("".join(out))


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
_CHINESE_WORD = re.compile(f"(?:(?:чж|цз|[бпмфдтнлгкхцсчшжв])?(?:{_CHINESE_FINALS}))+")
# letters or sequences that a Chinese name has and a Japanese or Russian one rarely does
_CHINESE_MARK = re.compile("чж|цз|ь|ы|юй|юэ|оу|уй|эй|ао|ян|[аоэиуяею]н$|^[жшчсц]э")
# German St-, Sp- (Stern: Штерн); Italian ci, ce (Conticini: Контичини)
_WESTERN = ((re.compile("^ш(?=[тп])"), "с"), (re.compile("(?<!щ)ч(?=[иеэ])"), "ц"))


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
    if _CHINESE_MARK.search(word) is not None and _CHINESE_WORD.fullmatch(word) is not None:
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

    The skeleton key reads х as h, ц as z, and the German and Italian letters that Russian
    practical transcription writes otherwise (шт: st, чи: ci); the phonetic key reads the
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
            # vowelless syllable (Mekonnen, Medhen)
            vowel = "e" if i == 0 or last_of_two else ""
        out.append(cons + vowel)
    return _ascii_word("".join(out))


# --- Myanmar ----------------------------------------------------------------------------------


@cache
def _burmese_table() -> tuple[dict[str, str], int]:
    table = {row[0]: row[1] for row in read_table("burmese_syllables.tsv")}
    return table, max(len(k) for k in table)


@cache
def burmese_latin_syllables() -> frozenset[str]:
    """Latin spellings of common Burmese name syllables (to split "Aungsan" as "Aung San")."""
    out: set[str] = set()
    for row in read_table("burmese_syllables.tsv"):
        out.add(row[1])
        out.update(s for s in row[2].split(",") if s)
    return frozenset(out)


def _romanize_myanmar(word: str) -> str:
    """Burmese text to space-separated Latin syllables (names are written syllable by syllable)."""
    table, longest = _burmese_table()
    out: list[str] = []
    i, n = 0, len(word)
    pending = ""
    while i < n:
        for size in range(min(longest, n - i), 0, -1):
            latin = table.get(word[i : i + size])
            if latin is not None:
                if pending:
                    out.append(_ascii_word(anyascii(pending)))
                    pending = ""
                out.append(latin)
                i += size
                break
        else:
            pending += word[i]
            i += 1
    if pending:
        out.append(_ascii_word(anyascii(pending)))
    return " ".join(w for w in out if w)


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
    "ukrainian", "belarusian") overrides the reading of Cyrillic guessed from the letters.
    """
    return romanize_uncached(word, script or detect_script(word), language)


def romanize_uncached(word: str, script: str, language: str | None = None) -> str:
    """:func:`romanize_word` without its cache, for a known script."""
    if script == "Latin" or word.isascii():
        return _ascii_word(word)
    if script == "Arabic":
        return _romanize_arabic(word)
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


def romanize_candidates(word: str, script: str | None = None) -> tuple[str, ...]:
    """Several plausible Latin readings of one cleaned word, the most likely first.

    Cyrillic words without Ukrainian or Belarusian letters get the Ukrainian reading too;
    Arabic-script words get a reading without guessed short vowels.
    """
    script = script or detect_script(word)
    return candidates_after(word, script, romanize_word(word, script, None))


def candidates_after(word: str, script: str, first: str) -> tuple[str, ...]:
    """:func:`romanize_candidates` when the first reading (no language hint) is known."""
    out = [first]
    if script == "Cyrillic" and cyrillic_language(word) == "russian":
        out.append(_romanize_cyrillic(word, "ukrainian"))
    elif script == "Arabic":
        letters = _arabic_letters()
        bare = "".join(letters[c][0] if c in letters else "" for c in word)
        out.append(_ascii_word(bare.replace("w", "u").replace("y", "i")))
    return tuple(dict.fromkeys(c for c in out if c))
