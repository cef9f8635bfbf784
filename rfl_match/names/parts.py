"""Name parts: titles, connectors and particles, compounds, and the role of each part."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import NamedTuple

from unidecode import unidecode

from rfl_match.names._resources import read_table
from rfl_match.names.clean import clean_text
from rfl_match.names.parents import parent_named
from rfl_match.names.placeholders import is_dropped
from rfl_match.names.romanization import (
    arabic_script_language,
    romanize_word,
    vietnamese_syllables,
)
from rfl_match.names.variants import lookup_latin

#: Roles a name part can take (NameForm.roles).
ROLES = ("given", "father", "grandfather", "ancestor", "middle", "patronymic", "family", "kunya")


@dataclass(slots=True)
class Word:
    """One name part on its way through the pipeline (mutable, internal)."""

    native: str  # cleaned text as written (a Latin word for Latin script)
    latin: str  # generic romanisation
    script: str
    after_article: bool = False
    after_patronymic: bool = False
    kunya: bool = False
    #: other Latin readings of the part, most likely first (H/Mariam: habtemariam)
    readings: tuple[str, ...] = ()


@cache
def _titles() -> dict[str, str]:
    """Each title as :func:`~rfl_match.names.clean.clean_text` writes a word (a word's
    ``native`` form): السيدة and الحاجة as السيده and الحاجه, the forms they are met in."""
    return {clean_text(row[0]): row[1] for row in read_table("titles.tsv")}


@cache
def _named_after_article() -> frozenset[str]:
    """Titles that are a name after the article (El-Sayed: ``titles.tsv``, column
    "article")."""
    return frozenset(row[0] for row in read_table("titles.tsv") if row[3] == "name")


@cache
def _nameless_titles() -> frozenset[str]:
    """Titles that are a name in no culture (Mr, Dr, W/ro: ``titles.tsv``, column "alone"),
    as :func:`~rfl_match.names.clean.clean_text` writes them."""
    return frozenset(clean_text(row[0]) for row in read_table("titles.tsv") if row[4] == "none")


def names_no_one(words: list[Word]) -> bool:
    """Whether ``words`` are only titles that are a name in no culture ("mr", "mr dr",
    "w ro"): a name so written is no name. A title that is a name somewhere (Sheikh, a
    family name; Hafez, a given name) is one alone.

    >>> names_no_one([Word("mr", "mr", "Latin")]), names_no_one([Word("sheikh", "sheikh", "Latin")])
    (True, False)
    """
    i = 0
    while i < len(words):
        if i + 1 < len(words) and _nameless_title(words[i : i + 2]):
            i += 2
        elif _nameless_title(words[i : i + 1]):
            i += 1
        else:
            return False
    return bool(words)


def _nameless_title(words: list[Word]) -> bool:
    """Whether ``words`` are one title of :func:`_nameless_titles`, as written or as read
    in Latin letters: "мс", or "mс" of two scripts, reads "ms", which read again is the
    title alone."""
    titles = _nameless_titles()
    return any(
        " ".join(spelling) in titles
        for spelling in ([w.native for w in words], [w.latin for w in words])
    )


@cache
def _particles() -> dict[str, str]:
    return {row[0]: row[1] for row in read_table("particles.tsv")}


@cache
def patronymic_pattern() -> str:
    """A regular expression (RE2; case ignored) of a patronymic particle written as a word
    of its own (``particles.tsv``: bin, ibn, ould, walad, بن), after which a name's part is
    a father's, not its own.

    >>> bool(re.search(patronymic_pattern(), "Mohammad bin Zaman Ahmadzai", re.IGNORECASE))
    True
    >>> bool(re.search(patronymic_pattern(), "Mohammad Zaman Binyamin", re.IGNORECASE))
    False
    """
    words = sorted(
        (p for p, kind in _particles().items() if kind == "patronymic" and p.isalpha()),
        key=len,
        reverse=True,
    )
    return rf"(?:^|\s)(?:{'|'.join(words)})(?:\s|$)"


@cache
def _particle_scopes() -> dict[str, str]:
    """Each particle's cultures (``particles.tsv``, column "cultures"; empty: every one)."""
    return {row[0]: row[2] or "*" for row in read_table("particles.tsv")}


def _in_scope(scope: str, family: str | None) -> bool:
    """Whether a form of ``titles.tsv`` or ``particles.tsv`` whose column "cultures" reads
    ``scope`` is one in a culture family (None: no hint)."""
    if scope.startswith("*-"):  # every culture but those named (ma: not Chinese Ma)
        return family not in scope[2:].split(",")
    return scope == "*" or scope == family


def _reads_vietnamese(words: list[Word]) -> bool:
    """Whether a name with no culture hint reads as Vietnamese: it is written in Latin
    letters and each of its parts is a Vietnamese name syllable
    (``vietnamese_syllables.tsv``), at least one of them no particle (Le Van Tam, Tam Van
    Le, Nguyen Van Do; not Ludwig van Beethoven, Marine Le Pen, Le Pen), or two of them or
    more (Lê Văn Vân, Vân Lê: particles lead a name, and these lead none). Read off the
    letters without marks: a name written with its marks (Lê Văn Tám) and without, and its
    tokens read again, read alike."""
    syllables = vietnamese_syllables()
    named = len(words) > 1
    for w in words:
        if w.script != "Latin" or w.latin not in syllables:
            return False
        named = named or _kind(w) is None
    return named


class VietnameseOrder(NamedTuple):
    """The syllables that tell a Vietnamese name in its native order
    (``vietnamese_syllables.tsv``, column role): the common family names it opens with
    (role "family" or "family given"), the middle names Văn and Thị that follow them
    (role "middle"), and the names it never closes with (a family name alone, role
    "family", and the middle names)."""

    opening: frozenset[str]
    middle: frozenset[str]
    closing: frozenset[str]


@cache
def vietnamese_order_words() -> VietnameseOrder:
    """:class:`VietnameseOrder` of ``vietnamese_syllables.tsv``.

    >>> words = vietnamese_order_words()
    >>> "hoang" in words.opening, "hoang" in words.closing, sorted(words.middle)
    (True, False, ['thi', 'van'])
    """
    roles = [(row[0], row[1]) for row in read_table("vietnamese_syllables.tsv") if row[1]]
    return VietnameseOrder(
        opening=frozenset(w for w, role in roles if role.startswith("family")),
        middle=frozenset(w for w, role in roles if role == "middle"),
        closing=frozenset(w for w, role in roles if role in ("family", "middle")),
    )


def vietnamese_order(tokens: Sequence[str], scripts: Sequence[str]) -> bool:
    """Whether a name's parts (romanised ``tokens``, written in ``scripts``) are a
    Vietnamese name in its native order, family name first, middle name and given name
    last (Nguyễn Văn Hùng): written in Latin letters, three parts or more, it opens with a
    common family name, its second part is the middle name Văn or Thị, and it does not
    close with a name that is seldom anything but a family name (Hoàng Nguyễn) nor with Văn
    or Thị (:func:`vietnamese_order_words`).

    Read off the parts alone, so that a name reads one way with or without its marks
    (Nguyễn Văn Hùng, Nguyen Van Hung) and under any hint: a name without Văn or Thị
    (Phạm Quang Huy, Lê Minh Tuấn, Nguyen Hung) is read as written, since registers write
    those in either order and the marks do not say which: against Huy Pham, Phạm Quang Huy
    reads "different", as before, and a name of two parts "given and family name swapped".

    >>> vietnamese_order(["nguyen", "van", "hung"], ["Latin"] * 3)
    True
    >>> vietnamese_order(["pham", "quang", "huy"], ["Latin"] * 3)
    False
    >>> vietnamese_order(["hoang", "thi", "nguyen"], ["Latin"] * 3)
    False
    """
    words = vietnamese_order_words()
    return (
        len(tokens) >= 3
        and all(s == "Latin" for s in scripts)
        and tokens[0] in words.opening
        and tokens[1] in words.middle
        and tokens[-1] not in words.closing
    )


#: What follows a family name and its comma where no given name does ("Smith, Jr.").
_NAME_SUFFIXES = frozenset({"jr", "sr", "jnr", "snr", "ii", "iii", "iv"})
#: Words after a comma that say it is no family name's: a relation, an age, an alias
#: ("Ali Hassan, son of Omar", "Fatima, wife of Ali", "Hassan Ali, aged 35").
_NOT_GIVEN_WORDS = frozenset({
    "of", "son", "daughter", "wife", "husband", "widow", "brother", "sister", "mother",
    "father", "child", "baby", "aged", "age", "born", "alias", "aka", "nee", "née", "fils",
    "fille", "épouse", "veuve", "hijo", "hija", "esposa",
})  # fmt: skip
#: Abbreviations of a given name written in capitals that hold a vowel (Mohd, Muhd:
#: Muhammad), no family name; those without one are initials already (MD, MHD).
_GIVEN_ABBREVIATIONS = frozenset({"mohd", "muhd", "mohd.", "muhd."})


@lru_cache(maxsize=1 << 14)
def family_marked_last(text: str) -> str:
    """A full name written family name first, as its writing marks it, with the family
    name last, as the matcher reads a full name (given name first); else ``text``.

    Two marks: a comma after the family name, as lists sorted by it write ("Mukendi,
    Jean-Pierre": Jean-Pierre Mukendi; each side at most four words, the second no suffix
    such as Jr., no relation, age or alias: "Ali Hassan, son of Omar", "Hassan Ali, aged
    35" are read as written); and the family name in capitals before names that are not,
    as francophone, Ukrainian and other European registers write it ("MUKENDI
    Jean-Pierre", "ПЕТРЕНКО Олена", "GARCÍA LÓPEZ María José"). Capitals say nothing
    throughout (initials too: KHAN M.), last (Jean-Pierre MUKENDI: read so already) or
    amid; nor do initials or an abbreviation (MD, MOHD: Muhammad; JPP) or particles alone
    (ABDUL Karim) in capitals, nor capitals before a particle (HASSAN bin Ali); a
    Vietnamese name in its native order is read so already (NGUYEN Van Hung:
    :func:`vietnamese_order`). A title or a placeholder holds its place (Dr MUKENDI Jean:
    Dr Jean MUKENDI; FNU KHAN Rahim: FNU Rahim KHAN).

    >>> family_marked_last("Mukendi, Jean-Pierre"), family_marked_last("MUKENDI Jean-Pierre")
    ('Jean-Pierre Mukendi', 'Jean-Pierre MUKENDI')
    >>> family_marked_last("MD Abdul Karim"), family_marked_last("NGUYEN Van Hung")
    ('MD Abdul Karim', 'NGUYEN Van Hung')
    """
    written = text.replace(",", " , ").split()
    if "," not in text and (
        not any(w.isupper() for w in written) or all(w.isupper() for w in written)
    ):
        return text  # neither mark (most names), or capitals throughout
    if parent_named(text) is not None:
        return text  # "RECIÉN NACIDO DE María", "B/O Fatima": the name is a parent's
    # a placeholder (FNU, Unknown) or a title (Dr) holds its place, and the other words
    # are read around it
    held = [i for i, w in enumerate(written) if w != "," and not _held_in_place(w)]
    words = [written[i] for i in held]
    if written.count(",") == 1:
        comma = written.index(",")
        run = sum(1 for i in held if i < comma)
        family, given = words[:run], words[run:]
        if not (0 < len(family) <= 4 and 0 < len(given) <= 4):
            return text
        if "".join(given).lower().strip(".") in _NAME_SUFFIXES:
            return text
        after = clean_text(" ".join(given)).split()
        if any(c.isdigit() for c in text) or not _NOT_GIVEN_WORDS.isdisjoint(after):
            return text
        written.remove(",")
        held = [i - (i > comma) for i in held]
    elif "," in text:
        return text
    else:
        run = 0
        while run < len(words) and _in_capitals(words[run]):
            run += 1
        given = words[run:]
        if not run or not given or any(_in_capitals(w) for w in given):
            return text
        particles = _particle_words()
        if all(clean_text(w) in particles for w in words[:run]):
            return text  # ABDUL Karim: a compound's head, no family name
        if clean_text(given[0]) in particles:
            return text
        middle = vietnamese_order_words().middle
        if run == 1 and len(words) >= 3 and unidecode(given[0]).lower() in middle:
            # read without its marks, as the Vietnamese order is (NGUYỄN Văn Hùng)
            tokens = [unidecode(clean_text(w)) for w in words]
            if vietnamese_order(tokens, ["Latin"] * len(tokens)):
                return text
    for i, word in zip(held, [*words[run:], *words[:run]], strict=True):
        written[i] = word
    return " ".join(written)


def _held_in_place(word: str) -> bool:
    """Whether a word keeps its place where a family name marked as written first moves:
    a placeholder (FNU, Unknown) or a title (Dr, Haji)."""
    clean = clean_text(word)
    return is_dropped(clean) or clean in _titles()


@lru_cache(maxsize=1 << 16)
def _in_capitals(word: str) -> bool:
    """Whether a word is written in capitals, two letters or more, as a family name
    written first is marked: not a title, a placeholder, nor letters without a vowel
    (initials, MD for Muhammad, JPP for Jean-Pierre Paul)."""
    if not word.isupper() or sum(c.isalpha() for c in word) < 2:
        return False
    if any(mark in unicodedata.normalize("NFKC", word) for mark in "/."):
        return False  # S/O, D/O (son, daughter of), N/A, J.P.: no name written out
    # initials (MD, JPP) or an abbreviation, no name written out
    if clean_text(word) in _GIVEN_ABBREVIATIONS:
        return False
    return any(c in "AEIOUY" for c in unidecode(word).upper()) and not _held_in_place(word)


def _family_first(n: int) -> tuple[str, ...]:
    """Roles of a name of ``n`` parts in Vietnamese order (:func:`vietnamese_order`)."""
    return ("family", *("middle",) * (n - 2), "given")


@cache
def _particle_words() -> frozenset[str]:
    """Every word of a particle: a particle of two letters (S/O, a slash cleaned to a
    space) is two."""
    return frozenset(word for particle in _particles() for word in particle.split())


@cache
def _particle_pairs() -> dict[tuple[str, ...], str]:
    """Particles of two words (S/O, D/O, W/O), as (first, second) -> kind."""
    return {tuple(p.split()): kind for p, kind in _particles().items() if " " in p}


@cache
def _theophoric_names() -> frozenset[str]:
    return frozenset(row[0] for row in read_table("theophoric.tsv"))


@cache
def _theophoric_letters() -> dict[str, Word]:
    """A theophoric head abbreviated to its letter (G/Mariam, ገ/ማርያም) -> the first listed
    head of its script that the letter opens (gebre, ገብረ), as a word; its ``readings``: the
    Latin forms of the letter's other heads that are another name (H/: haile, and habte)."""
    heads = [p for p, kind in _particles().items() if kind == "theophoric"]
    out = {}
    for letter in (p for p in heads if len(p) == 1):
        script = "Latin" if letter.isascii() else "Ethiopic"
        opened = [h for h in heads if len(h) > 1 and h[0] == letter]
        names: dict[str, str] = {}  # one Latin form per name (haile, hayle: one)
        for head in opened:
            latin = romanize_word(head, script)
            names.setdefault(lookup_latin(latin) or latin, latin)
        first, *others = names.values()
        out[letter] = Word(native=opened[0], latin=first, script=script, readings=tuple(others))
    return out


@cache
def _dropped_first() -> dict[str, str]:
    """``dropped_first.tsv``: each name, as written and as its class (variants.tsv), ->
    the last parts it is read before ("tribal", else "")."""
    out = {}
    for name, before in read_table("dropped_first.tsv"):
        out[name] = before
        listed = lookup_latin(name)
        if listed is not None:
            out[f"c:{listed}"] = before
    return out


def opens_dropped(words: Sequence[str]) -> bool:
    """Whether a full name of these cleaned Latin parts, three or more, opens with a first
    element of a compound given name that a person's records often leave out
    (``dropped_first.tsv``: Mohammad of Mohammad Zaman, in any listed spelling: Muhammad,
    Mohd; Ghulam of Ghulam Sakhi), so that its second part is its given name's: where the
    element also opens names that chain (Mohammad), only before a tribal name.

    >>> opens_dropped(["mohd", "zaman", "ahmadzai"]), opens_dropped(["mohamed", "ali", "hassan"])
    (True, False)
    >>> opens_dropped(["ghulam", "sakhi", "rahimi"]), opens_dropped(["zaman", "nabi", "ahmadzai"])
    (True, False)
    """
    if len(words) < 3:
        return False
    before = dropped_first_before(words[0])
    return before is not None and (before != "tribal" or _is_tribal(words[-1]))


def dropped_first_before(word: str) -> str | None:
    """Where a cleaned Latin word is a first element records often leave out
    (``dropped_first.tsv``, in any listed spelling), the last parts it is read before
    ("tribal", or "" for any); None where it is none.

    >>> dropped_first_before("mohd"), dropped_first_before("ghulam"), dropped_first_before("ali")
    ('tribal', '', None)
    """
    known = _dropped_first()
    before = known.get(word)
    return before if before is not None else known.get(f"c:{lookup_latin(word)}")


def _is_theophoric_name(word: Word) -> bool:
    names = _theophoric_names()
    return word.native in names or word.latin in names


class Culture(NamedTuple):
    """What a culture hint says about names."""

    family: str | None
    chain: bool
    cyrillic: str | None
    #: how Arabic-script names are read: "persian" (ث ذ ض as s, z, z, a consonant و as v),
    #: "arabic", or None:
    #: as the name's own letters say (:func:`~rfl_match.names.romanization.arabic_script_language`)
    arabic_script: str | None = None

    def reading_arabic(self, text: str) -> Culture:
        """The culture a name is read with: where the hint says nothing of Arabic script,
        a text that holds a letter Arabic does not write (Persian ی ک پ ...) is read as
        Persian (a name's letters are folded to Arabic ones by clean-up, so this is read
        off the text as written)."""
        if self.arabic_script is not None:
            return self
        language = arabic_script_language(text)
        return self if language is None else self._replace(arabic_script=language)

    @property
    def persian(self) -> str | None:
        """The romanisers' ``language`` for Arabic script: "persian" where Arabic-script
        names are read so, else None."""
        return "persian" if self.arabic_script == "persian" else None

    @property
    def latin(self) -> str | None:
        """The romanisers' ``language`` for Latin script: "vietnamese" under an East Asian
        hint (a Latin letter of those names not written in English is Vietnamese: đ is a d),
        else None: as each word's letters say."""
        return "vietnamese" if self.family == "east_asian" else None

    @property
    def reading(self) -> Reading:
        """The languages Cyrillic, Arabic-script and Latin words are read with."""
        return self.cyrillic, self.persian, self.latin


#: The languages a name's words are read with: Cyrillic ("russian", "ukrainian",
#: "belarusian"; None: guessed per word), Arabic script ("persian"; None: Arabic) and Latin
#: ("vietnamese"; None: as each word's letters say).
Reading = tuple[str | None, str | None, str | None]


def language_of(script: str, reading: Reading) -> str | None:
    """The romanisers' ``language`` for a word of a script under a :data:`Reading`."""
    if script == "Cyrillic":
        return reading[0]
    if script == "Latin":
        return reading[2]
    return reading[1] if script == "Arabic" else None


_NO_CULTURE = Culture(None, False, None)


@cache
def cultures() -> dict[str, Culture]:
    """Accepted culture hints: alias -> :class:`Culture`."""
    return {
        row[0]: Culture(row[1], row[2] == "yes", row[3] or None, row[4] or None)
        for row in read_table("cultures.tsv")
    }


def culture_info(culture: str | None) -> Culture:
    """The :class:`Culture` of a hint; no knowledge when absent or unknown."""
    if culture is None:
        return _NO_CULTURE
    return cultures().get(culture.strip().casefold().replace(" ", "_"), _NO_CULTURE)


# Ambiguous Latin articles count only before a matching sun letter: "ar rashid", "as salam".
_STRONG_ARTICLES = frozenset({"al", "el", "ال"})
_TRIBAL = ("zai", "zay", "khel", "khail")
_PATRONYMIC_SUFFIX = (
    "ovich", "evich", "ovych", "ievych", "yovych", "ich", "ovna", "evna", "ivna", "yivna", "ichna",
)  # fmt: skip


@cache
def kunya_opening() -> str:
    """A regular expression (Python's and RE2's) that a romanised token matches where it
    opens as a kunya run together opens (Abulkalam, Abubakar, Ummkulthum): a name of that
    shape may be the one a kunya written apart stands for (Abul Kalam is a given name in
    Bengal and Arakan), so a kunya against it is not a kunya against a given name."""
    openings = sorted(
        (p for p, kind in _particles().items() if kind == "kunya" and p.isascii()),
        key=len,
        reverse=True,
    )
    return "^(?:" + "|".join(map(re.escape, openings)) + ")..+"


def _kind(word: Word, family: str | None = None) -> str | None:
    """The word's kind of particle in a culture family (None: no hint), else None."""
    # the Latin reading counts too, so that normalising the output again changes nothing
    particles = _particles()
    form = word.native if word.native in particles else word.latin
    kind = particles.get(form)
    if kind is not None and not _in_scope(_particle_scopes()[form], family):
        return None
    return kind


def is_particle(word: Word) -> bool:
    """Whether :func:`join_parts` reads the word as a particle of any kind."""
    return _kind(word) is not None


def is_parent_relation(word: Word) -> bool:
    """S/O or D/O (son of, daughter of) written with its slash, one word once cleaned
    (``clean_text``): where it opens a value, what follows is the father's name."""
    return _slashed(word) and _kind(word) == "patronymic"


def _article_form(word: Word) -> str:
    return word.native if word.native in _particles() else word.latin


def is_strong_article(word: Word) -> bool:
    """al, el, ال (as written or as read): an article before any next part, as
    :func:`join_parts` reads it (the others count only before a matching sun letter)."""
    form = _article_form(word)
    return form in _STRONG_ARTICLES and _particles().get(form) == "article"


def _is_article(words: list[Word], i: int) -> bool:
    w = words[i]
    form = _article_form(w)
    if _particles().get(form) != "article" or i + 1 >= len(words):
        return False
    if form in _STRONG_ARTICLES:
        return True
    nxt = words[i + 1].latin
    tail = _kind(words[i + 1]) == "tail"
    return tail or (len(form) >= 2 and nxt.startswith(form[1:]))


def _pair_kind(words: list[Word], i: int) -> str | None:
    """The kind of a particle of two words that opens at ``words[i]`` (S/O: "s", "o"), as
    read (a letter of any script read "s" is one, as its token read again would be); None
    where none does."""
    if i + 1 >= len(words):
        return None
    return _particle_pairs().get((words[i].latin, words[i + 1].latin))


def _is_title(word: Word, family: str | None) -> bool:
    titles = _titles()
    scope = titles.get(word.native) or titles.get(word.latin)
    return scope is not None and _in_scope(scope, family)


@cache
def joined_titles() -> tuple[str, ...]:
    """Latin titles also written run together with the name they lead (Syed: Sayedalam),
    longest first (``titles.tsv``, column "joins")."""
    forms = (row[0] for row in read_table("titles.tsv") if row[2] == "yes" and row[0].isascii())
    return tuple(sorted(forms, key=len, reverse=True))


def split_joined_title(word: str) -> list[str]:
    """A Latin word that opens with a title written run together with a listed name
    (:func:`joined_titles`), as the two ("sayedalam" -> sayed, alam: Syed Alam); else the
    word. The rest must be a listed name of three letters or more, so that a name that
    merely opens with the title's letters stays whole."""
    for title in joined_titles():
        rest = word[len(title) :]
        if word.startswith(title) and len(rest) >= 3 and lookup_latin(rest) is not None:
            return [title, rest]
    return [word]


def _same_word(a: Word, b: Word) -> bool:
    """Whether two words are one word written twice (Maung Maung, Mg Mg)."""
    return a.latin == b.latin or (
        lookup_latin(a.latin) is not None and lookup_latin(a.latin) == lookup_latin(b.latin)
    )


def opens_two_word_title(word: Word) -> bool:
    """Whether a word is the first of a two-word title (W of W/ro), in any culture."""
    return any(
        " " in title and title.split(" ", 1)[0] in (word.native, word.latin) for title in _titles()
    )


def _is_two_word_title(words: list[Word], i: int, family: str | None) -> bool:
    """A title written with a slash, cleaned to two words (W/ro: Woizero)."""
    if i + 2 >= len(words):
        return False
    a, b = words[i], words[i + 1]
    pair = Word(native=f"{a.native} {b.native}", latin=f"{a.latin} {b.latin}", script=a.script)
    return _is_title(pair, family)


def take_titles(words: list[Word], family: str | None) -> tuple[list[Word], list[str]]:
    """Set aside the titles that lead a name, keeping at least one part; a word written
    twice (Maung Maung, Ko Ko: a Burmese name of a doubled syllable) is no title."""
    titles: list[str] = []
    i = 0
    while i < len(words) - 1:
        if _is_two_word_title(words, i, family):
            titles.append(words[i].latin + words[i + 1].latin)
            i += 2
        elif (
            _is_title(words[i], family)
            and not _same_word(words[i], words[i + 1])
            and not (words[i].after_article and words[i].latin in _named_after_article())
        ):
            titles.append(words[i].latin or words[i].native)
            i += 1
        elif (
            _is_article(words, i)
            and i + 2 < len(words)
            and _is_title(words[i + 1], family)
            and words[i + 1].latin not in _named_after_article()
        ):
            titles.append(words[i].latin + words[i + 1].latin)
            i += 2
        else:
            break
    return words[i:], titles


def _carry_pending(target: Word, source: Word, article: bool, patronymic: bool) -> None:
    """Mark ``target`` (``source`` or the part it joined into) as following a dropped article
    or patronymic, when ``source`` did or one is pending."""
    target.after_article = source.after_article or article
    target.after_patronymic = source.after_patronymic or patronymic


def _name_follows(words: list[Word], start: int, family: str | None) -> bool:
    """Whether a part of the name is left from ``words[start]`` on: a word that is no
    particle, or the last word, which stays a part whatever it reads as (an article or
    patronymic before nothing; S/O, a relation to no one, aside). The last word counts as
    it will be read, not as it is written: a word of another script read "an" or "bin"
    (ان, بن) is a part whose token ("ahn", "ban") is no particle read again, so a particle
    before it must be dropped now as it would be then ("de ان" is "ahn")."""
    last = len(words) - 1
    return any(
        _kind(x, family) not in ("article", "patronymic", "nobiliary")
        or (j == last and not is_parent_relation(x))
        for j, x in enumerate(words[start:], start)
    )


def join_parts(words: list[Word], family: str | None) -> list[Word]:
    """Drop connectors and particles (S/O, of two words, between two parts), join
    compounds (Abd al-Rahman, Abu Bakr, Nur al-Din), as in a culture ``family`` (None: no
    hint; a name that reads Vietnamese is read as an East Asian one: Le Van Tam)."""
    if len(words) < 2:
        return words
    particles = _particle_words()
    if not any(w.native in particles or w.latin in particles for w in words):
        return words  # the common case: nothing to drop or join
    if family is None and _reads_vietnamese(words):
        family = "east_asian"
    words = list(words)  # a joined head may take the place of the word it joined
    out: list[Word] = []
    i = 0
    n = len(words)
    pending_article = False
    article = words[0]  # the article pending, once one is
    pending_patronymic = False
    while i < n:
        w = words[i]
        pair = _pair_kind(words, i) if out else None
        if pair is not None and _name_follows(words, i + 2, family):
            # "Ali S/O Ahmed Khan": Ali, son of Ahmed Khan, as "Ali bin Ahmed Khan" is; a wife's
            # husband (W/O) is no father of hers
            pending_patronymic = pending_patronymic or pair == "patronymic"
            i += 2
            continue
        kind = _kind(w, family)
        rest_has_name = kind is not None and _name_follows(words, i + 1, family)
        if not rest_has_name and is_parent_relation(w):
            i += 1  # "Ali S/O": son of no one named
            continue
        if kind == "article" and _is_article(words, i):
            nxt_kind = _kind(words[i + 1], family)
            if nxt_kind == "tail" and out and _kind(out[-1], family) is None:
                out[-1] = _join(out[-1], words[i + 1], middle=w)
                i += 2
                continue
            pending_article = True
            article = w
            i += 1
            continue
        if kind == "patronymic" and out and rest_has_name and (w.latin != "ben" or out):
            pending_patronymic = True
            i += 1
            continue
        if kind == "nobiliary" and rest_has_name and i + 1 < n:
            i += 1
            continue
        if kind == "theophoric" and i + 1 < n and _is_theophoric_name(words[i + 1]):
            head = _theophoric_letters().get(w.native)
            if head is not None:  # G/Mariam: Gebremariam
                w = Word(
                    native=head.native, latin=head.latin, script=head.script, readings=head.readings
                )
            joined = _join(w, words[i + 1], middle=None)
            _carry_pending(joined, w, pending_article, pending_patronymic)
            pending_article = pending_patronymic = False
            out.append(joined)
            i += 2
            continue
        if kind in ("head", "kunya") and i + 1 < n:
            j = i + 1
            middle = None
            if _kind(words[j], family) == "article" and j + 1 < n:
                middle, j = words[j], j + 1
            if _kind(words[j], family) != "patronymic" and not _slashed(words[j]):
                joined = _join(w, words[j], middle=middle)
                if j + 1 < n and _kind(joined, family) in ("head", "kunya"):
                    # the join made a head again (abd + u: abdu); read again, it would
                    # join the next part, so it does so now
                    words[j] = joined
                    i = j
                    continue
                joined.kunya = kind == "kunya"
                _carry_pending(joined, w, pending_article, pending_patronymic)
                pending_article = pending_patronymic = False
                out.append(joined)
                i = j + 1
                continue
            # "abd bin ...": nothing to join; keep both as written, so that normalising
            # the output again gives the same parts
            _carry_pending(w, w, pending_article, pending_patronymic)
            pending_article = pending_patronymic = False
            out.extend(words[i:j])
            i = j
            if _kind(words[j], family) == "patronymic":
                out.append(words[j])
                i += 1
            continue
        if kind == "tail" and out and _kind(out[-1], family) is None and not _slashed(out[-1]):
            # never onto a particle kept as written: read again, it would stay a particle
            out[-1] = _join(out[-1], w, middle=None)
            i += 1
            continue
        if pending_article and w.latin in _named_after_article():
            # El-Sayed, a name after the article, not the title: its token keeps the
            # article, as Elsayed written as one word does, so that read again it is no
            # title either (sayed ahmed mahmoud was Ahmed Mahmoud, his father's name)
            w = _join(article, w, middle=None)
        # "or": a part may be parsed again, after its article was dropped
        _carry_pending(w, w, pending_article, pending_patronymic)
        pending_article = pending_patronymic = False
        out.append(w)
        i += 1
    return out or words


def _slashed(word: Word) -> bool:
    """A word written with its slash (B/O, N/A, S/O): never joined to another, which read
    again would part at the slash (abd + b/o: "abdb/o" reads "abdb", "o")."""
    return "/" in word.native


def _join(first: Word, second: Word, *, middle: Word | None) -> Word:
    mid_native = middle.native if middle is not None else ""
    mid_latin = middle.latin if middle is not None else ""
    if first.script == second.script and first.script != "Latin":
        native = first.native + mid_native + second.native
    else:
        native = first.latin + mid_latin + second.latin
    script = first.script if first.script == second.script else "Latin"
    if script == "Latin":
        native = first.latin + mid_latin + second.latin
    readings = tuple(r + mid_latin + second.latin for r in first.readings)
    return Word(
        native=native,
        latin=first.latin + mid_latin + second.latin,
        script=script,
        readings=readings,
    )


_CHAIN = ("given", "father", "grandfather")


def _has_article(word: Word) -> bool:
    """al- written apart (al-Hashimi) or joined in Arabic script (الهاشمي): laqab or nisba."""
    return word.after_article or (
        word.script == "Arabic" and word.native.startswith("ال") and len(word.native) > 4
    )


def _is_tribal(token: str) -> bool:
    return token.endswith(_TRIBAL)


def is_patronymic(token: str) -> bool:
    """Whether a romanised token reads as an East Slavic patronymic (Petrovych, Ivanovna)."""
    return token.endswith(_PATRONYMIC_SUFFIX)


def assign_roles(
    words: list[Word], tokens: list[str], family: str | None, chain: bool
) -> tuple[str, ...]:
    """The role of each part; see :data:`ROLES`."""
    n = len(words)
    chain = chain or any(w.after_patronymic for w in words)
    if (
        not chain
        and family is None
        and words
        and all(w.script in ("Arabic", "Ethiopic") for w in words)
    ):
        chain = True
    if family == "burmese":
        return ("",) * n  # no family names, no fixed order of parts
    if not chain and vietnamese_order(tokens, [w.script for w in words]):
        return _family_first(n)
    roles: list[str] = []
    # a name that opens after a patronymic (S/O Ahmed Khan) opens with the father's name
    generation = 1 if words and words[0].after_patronymic else 0
    for i, (w, tok) in enumerate(zip(words, tokens, strict=True)):
        if w.kunya and lookup_latin(tok) is None:
            roles.append("kunya")
        elif i > 0 and (_has_article(w) or _is_tribal(tok)) and (chain or i == n - 1):
            roles.append("family")
        elif chain:
            roles.append(_CHAIN[generation] if generation < 3 else "ancestor")
            generation += 1
        elif family == "east_asian" and w.script in ("Han", "Hangul"):
            roles.append("family" if i == 0 else "given")
        elif i == 0:
            roles.append("given" if n > 1 else "")
        elif i == n - 1:
            roles.append("family")
        elif is_patronymic(tok):
            roles.append("patronymic")
        else:
            roles.append("middle")
    return tuple(roles)


@lru_cache(maxsize=1 << 14)
def simple_roles(
    scripts: tuple[str, ...],
    flags: tuple[str, ...],
    family: str | None,
    chain: bool,
    vietnamese: bool = False,
) -> tuple[str, ...]:
    """Roles of a name without particles (the fast path); the same rules as
    :func:`assign_roles`. ``flags``: "a" al- word, "t" tribal suffix, "p" patronymic suffix.
    ``vietnamese``: :func:`vietnamese_order` reads the name so.
    """
    n = len(scripts)
    if not chain and family is None and all(s in ("Arabic", "Ethiopic") for s in scripts):
        chain = True
    if not chain and vietnamese:
        return _family_first(n)
    roles: list[str] = []
    generation = 0
    for i, (script, flag) in enumerate(zip(scripts, flags, strict=True)):
        if i > 0 and flag in ("a", "t") and (chain or i == n - 1):
            roles.append("family")
        elif chain:
            roles.append(_CHAIN[generation] if generation < 3 else "ancestor")
            generation += 1
        elif family == "east_asian" and script in ("Han", "Hangul"):
            roles.append("family" if i == 0 else "given")
        elif i == 0:
            roles.append("given" if n > 1 else "")
        elif i == n - 1:
            roles.append("family")
        elif flag == "p":
            roles.append("patronymic")
        else:
            roles.append("middle")
    return tuple(roles)
