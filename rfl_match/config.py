"""LinkConfig: what to compare, how to block, how to score.

Frozen dataclasses that round-trip through dicts, TOML and JSON. Unknown keys are errors that
name the key, so that a misspelt option never silently falls back to a default.
"""

from __future__ import annotations

import json
import math
import numbers
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from rfl_match.dates import CALENDARS
from rfl_match.schema import CANONICAL_FIELDS, DATE_FIELDS, near_canonical_field
from rfl_match.warn import warn

# Comparison kinds and what each compares (see compare.py for the levels of each).
COMPARISON_KINDS = (
    "name",
    "given_name",
    "family_name",
    "birth",
    "date",
    "age",
    "exact",
    "string",
    "numeric",
    "sex",
    "bloom",
)

# The comparison kinds whose thresholds are similarities, from 0 to 1.
SIMILARITY_KINDS = ("string", "bloom")

# The comparison kinds that weigh term frequencies (``ComparisonSpec.term_frequency``).
TERM_FREQUENCY_KINDS = ("given_name", "family_name", "name", "bloom")

# Blocking keys that records can be grouped on (see blocking.py).
BLOCKING_KEYS = (
    "name_joined_skeleton",
    "name_pair_class",
    "name_pair_skeleton",
    "name_pair_any",
    "name_class",
    "name_skeleton",
    "name_phonetic",
    "given_class",
    "given_skeleton",
    "given_phonetic",
    "given_prefix",
    "family_class",
    "birth_band",
    "birth_year",
    "birth_year_mid",
    "birth_date_unnamed",
    "sex",
)

#: The least probability a model weighs with (``rfl_match.mixture.FLOOR``): every m and u
#: is read at least this.
PROBABILITY_FLOOR = 1e-6
#: The ceiling on m of a birth a generation apart when ``far_birth_m`` is None (the
#: default), unless the data's strongest pairs raise it (``LinkConfig.far_birth_m``).
FAR_BIRTH_M = 0.005


#: The comparisons ``LinkConfig.condition_on`` may name: a name that relatives share.
CONDITION_ANCHORS = ("family_name", "father_name", "mother_name", "grandfather_name")
#: ``LinkConfig.condition_on``'s default: the anchor below where it can split, else none,
#: without a warning (``fit`` then holds what it used in ``Linker.config``).
CONDITION_AUTO = "auto"
#: The anchor ``CONDITION_AUTO`` splits on.
AUTO_ANCHOR = "family_name"


class ConfigError(ValueError):
    """A configuration that cannot be used; the message names the key."""


@dataclass(frozen=True, slots=True)
class ComparisonSpec:
    """One comparison: a field (or composite such as ``birth``) and how to compare it.

    Attributes:
        field: the canonical or extra column compared (``name`` and ``birth`` are
            composites of several canonical fields).
        kind: one of :data:`COMPARISON_KINDS`.
        name: the output name (``<name>_level``, ``<name>_weight``); the field by default.
        thresholds: similarity thresholds for graded levels (``string``; ``bloom``: Dice
            coefficients, ``compare.BLOOM_THRESHOLDS`` by default; ``numeric``: absolute
            differences), highest first.
        term_frequency: adjust the weight of an exact agreement by how common the value is
            (the ``given_name``, ``family_name``, ``name`` and ``bloom`` kinds only; on
            another, a warning).
    """

    field: str
    kind: str
    name: str = ""
    thresholds: tuple[float, ...] = ()
    term_frequency: bool = False

    @property
    def label(self) -> str:
        return self.name or self.field


#: The inputs a ``calendars`` table of :class:`LinkConfig` may name, each with the
#: calendars of its own date columns: a match's two (``Linker.fit``'s ``requests`` and
#: ``sightings``) and a dedupe's one (``records``).
CALENDAR_INPUTS = ("requests", "sightings", "records")

#: A ``calendars`` value: date column -> calendar, for every input; and an input's name
#: (:data:`CALENDAR_INPUTS`) -> its own such table, read over the shared one.
Calendars = dict[str, Any]

#: The default ``context_blocking``: a parent's name (its first part's class or its sound)
#: or a place, with the midpoint of the birth year or with the given name's class and a
#: birth band; and a parent's name with the given name's phonetic key, birth unread: a
#: record with no birth date whose family name differs (a married name, a typo) still
#: meets by its parent; and the exact birth date of a record with no name part.
CONTEXT_BLOCKING: tuple[tuple[str, ...], ...] = (
    ("alike:father_name", "birth_year_mid"),
    ("alike:mother_name", "birth_year_mid"),
    ("field:place_of_birth", "birth_year_mid"),
    ("field:place_of_origin", "birth_year_mid"),
    ("alike:father_name", "given_class", "birth_band"),
    ("alike:mother_name", "given_class", "birth_band"),
    ("field:place_of_birth", "given_class", "birth_band"),
    ("field:place_of_origin", "given_class", "birth_band"),
    ("alike:father_name", "given_phonetic"),
    ("alike:mother_name", "given_phonetic"),
    ("birth_date_unnamed",),
)


def reads_names(key: str) -> bool:
    """Whether a blocking key reads the names in clear (``full_name``, ``given_name``,
    ``family_name``, ``alternate_names``): a key of :data:`BLOCKING_KEYS` on name parts."""
    return key.removeprefix("sorted:").startswith(("name_", "given_", "family_"))


#: The prefixes of blocking keys on a column the key names: its folded value, its first
#: name part's class, each of its white-space-separated tokens, its first name part's class
#: and its sound (two values a record).
COLUMN_KEY_PREFIXES = ("field:", "class:", "tokens:", "alike:")


def key_column(key: str) -> str:
    """The column a blocking key names (``field:<column>``, ``class:<column>``,
    ``tokens:<column>``, ``alike:<column>``, each also behind ``sorted:``), or "" for a key
    of the prepared names and births."""
    bare = key.removeprefix("sorted:")
    return bare.partition(":")[2] if bare.startswith(COLUMN_KEY_PREFIXES) else ""


@dataclass(frozen=True, slots=True)
class LinkConfig:
    """Everything a Linker needs to know.

    Attributes:
        compare: comparisons in addition to the defaults.
        default_comparisons: compare every canonical field present in both inputs.
        blocking: blocking rules; each a tuple of keys that must all agree (a key alone is
            a rule of that one key, and in place of the rules, the one rule). Keys: those
            of :data:`BLOCKING_KEYS`, ``field:<column>`` (its folded value),
            ``class:<column>`` (a name column's first part's class), ``alike:<column>``
            (that class, and the part's sound: two values a record), ``tokens:<column>``
            (each of its white-space-separated tokens: records with no name in clear, as
            the encoded record format of ``rfl_match.privacy``, block on
            ``tokens:name_keys``, alone or with a birth key), and ``sorted:<key>``. What the
            rules can find at most, whatever the cap and budget, is the share of true
            pairs that share a key of one of them or of ``context_blocking``'s (the
            speed benchmark's "rules' reach"): on synthetic data 0.9879 at 100,000 a
            side and 0.9877 at 1,000,000 with the defaults. Rules that meet a family
            raise it (a father's name with the family name, ``("class:father_name",
            "family_class")``, and with the mother's, ``("class:father_name",
            "class:mother_name")``: 0.9903), but the pairs they add are mostly siblings:
            pairs completeness at 100,000 a side 0.9609 -> 0.9632 with 1.4% more pairs,
            F1 0.8164 -> 0.8056 (each comparison weighed alone, ``condition_on=""``:
            0.8092 -> 0.7968, and as context rules 0.9620 and 0.8078). The default's last
            rule, the family name's class with the given name's first two letters as
            romanised (``given_prefix``), meets a given name misspelt beyond its class and
            sound keys where one record gives no birth (Alexander and Alexandeer
            Schewtschenko; Samater and Sarmater Ebrahim Abdy): synthetic data, pairs
            completeness 0.9727 -> 0.9743 at 100,000 a side, 0.9524 -> 0.9542 at 300,000
            and 0.9160 -> 0.9182 at 1,000,000 (candidates +0.9%, +1.2%, +1.6%; F1 0.8730
            -> 0.8731, 0.8296 -> 0.8300, 0.7838 -> 0.7839; recall at p >= 0.05 0.9504 ->
            0.9522 at 100,000, 0.8797 -> 0.8819 at 1,000,000); quality set (5,000 x
            10,000) F1 0.9299 -> 0.9313. With any name part's sound key in place of the
            family name's class: 0.9546 at 300,000 a side, F1 0.8291; with the first
            letter alone: 0.9543, F1 0.8308, but blocking 1.4x as long and peak memory
            15% higher.
        max_block_size: pairs allowed in one block before a more specific key takes over.
            With a budget (``candidates_per_record``), it is the budget that binds at
            scale, not this cap. Synthetic data, 1,000,000 a side: uncapped, the main rules
            reach 0.9718 of the true pairs (a sample of 20,000). Before the budget they hold
            0.8921 at 5,000 and 0.9085 at 20,000. After the budget and the context
            candidates both give 0.8909, with 25,168,111 against 26,776,287 pairs, blocking
            33 s against 40 s (one run each), F1 0.7331 against 0.7326: the namesakes a
            larger block adds crowd the true pairs it adds out of the budget. At 100,000 a
            side, 1,000 / 2,000 / 5,000 / 10,000: pairs 1,930,228 / 2,001,121 / 2,102,561 /
            2,175,620, pairs completeness 0.9598 / 0.9605 / 0.9613 / 0.9612, F1 0.8333 /
            0.8320 / 0.8308 / 0.8293, largest calibration gap 0.053 / 0.051 / 0.042 / 0.040.
        sorted_window: neighbours met on each side in a ``sorted:<key>`` rule (a sorted
            neighbourhood, for typo-heavy keys; in a dedupe, the records within that many
            places of each in the one list's order), and in each order of an oversized
            block's nearest records (a context rule's meet their one nearest,
            ``blocking.CONTEXT_WINDOW``). Synthetic data, 300,000 a side: 3 against 5, pairs
            completeness 0.9069 -> 0.9072 with 1.6% fewer pairs (the nearer namesakes, of
            the same name and birth, crowd true pairs out of the budget). The default is 2 with
            ``context_candidates`` 3 (3 and 2 before): at 1,000,000 a side 25,935,470
            candidates against 26,046,399, pairs completeness 0.9090 against 0.9058, F1
            0.7815 against 0.7758 (``python -m benchmarks speed``, ``benchmarks/RESULTS.md``:
            these and the figures at 100,000 and 10,000 a side), fit 44.2 s against 46.6 s
            and peak RSS 3,652 MiB against 3,716 (one fit each, a fast host); at 100,000 a side
            0.9702 / 0.8723 against 0.9685 / 0.8719 with 3% more pairs; at 10,000 0.9845 / 0.9347
            against 0.9842 / 0.9349; on the quality set (5,000 x 10,000) F1 0.9298 -> 0.9295, and
            the calibration suite's largest gap 0.032 -> 0.024 (encoded records keep 3:
            ``privacy.encoded_config``). A window of 2 alone: at 1,000,000 a side 0.9031 and F1
            0.7816; at 100,000 a side windows 1 / 2 / 3 / 4 give completeness 0.9668 / 0.9679 /
            0.9685 / 0.9686 and F1 0.8737 / 0.8723 / 0.8719 / 0.8715 (scratch ``/tmp/s63/exp.py``):
            the nearer namesakes a wider window meets crowd out of the budget true pairs that the
            context candidates' third place finds by a parent or a place.
        candidates_per_record: after the union of the rules, each record keeps its best
            this many candidates by a cheap score of name parts and birth, of those only
            the ones within ``candidates_within`` points of its best pair (a pair stays if
            it is among the best of either of its records); 0 keeps every candidate.
            Synthetic data, 300,000 a side, with ``sorted_window`` 3: at 20 a record
            without the cut, 8,143,049 pairs and pairs completeness 0.9072; at 25 with a
            cut of 16, 7,402,795 and 0.9116, and F1 0.7201 -> 0.7229. The default, 30
            with a cut of 12 (25 with 16 before), keeps more of a record whose best are
            many namesakes close together and fewer of one with a clear best: the true
            pairs the budget drops are mostly an age misestimated by years (0.43 of
            them, 0.11 of all true pairs), 25th to 50th among their records' offers and
            about 16 points below the best. Synthetic data, pairs and pairs
            completeness at 300,000 a side: 25 / 16 7,415,179 and 0.9285; 30 / 12
            7,290,619 and 0.9297; at 1,000,000: see ``benchmarks/RESULTS.md``. F1 /
            best F1 at 10,000 a side 0.8830 / 0.8847 -> 0.8850 / 0.8862, at 100,000
            0.8059 / 0.8120 -> 0.8066 / 0.8118 (more at the same cut costs F1: 35 / 12
            0.8053, 40 / 12 0.8046, and 30 / 16 at 300,000 a side 8,539,296 pairs).
            Memory: 4 bytes per record and candidate kept (8 beyond two million records),
            so 1,000 for a million records a side would hold 8 GB: use 0 to keep all.
            Keeping more is not finding more: the namesakes it adds score as matches too.
            A model fitted with the defaults, its saved configuration's budget changed for
            predict (synthetic data): at 100,000 a side, 0 (every pair of the rules) gives
            F1 0.8319 against 0.8725 (precision 0.8435 against 0.9175, recall 0.8206
            against 0.8317), and recall at p >= 0.05 0.9375 against 0.9474; 60 within 24,
            F1 0.8557 (precision 0.8775, recall 0.8350), recall at p >= 0.05 0.9543; at
            10,000 a side, 0 gives F1 0.9110 against 0.9353.
        candidates_within: of a record's best ``candidates_per_record``, only those
            scoring at most this many points below its best pair are kept (the cheap
            score: 6 points a name part alike by class, 3 by sound only; 26 the same
            exact birth date, 16 exact dates of the same day and month at most ten years
            apart, 10 overlapping birth intervals, fewer as they part; -20 a different
            sex); 0 keeps all of them. A record with a clear match then holds
            fewer namesakes that only share its name, and the model learns u from fewer
            of them. The pairs of a rule with a ``field:`` key (an identifier, an
            address) are not cut: the score cannot see what they share. FEBRL with the
            address and id rules: F1 unchanged (FEBRL4 0.9994), with a third of the
            pairs. Synthetic data, 100,000 a side, with ``sorted_window`` 3: at 20 a
            record without the cut, 2,685,019 pairs, pairs completeness 0.9414, F1 0.7651;
            at 20 with a cut of 16, 1,923,727, 0.9402, 0.7749; at 25 with 16, 2,272,964,
            0.9436, 0.7703; at 25 with 24, 2,672,763, 0.9447, 0.7632.
            At the defaults since (measure.py, 100,000 a side): 25 with 12, 1,948,158
            pairs, 0.9558, F1 0.8080; 25 with 16, 2,285,142, 0.9578, 0.8059; 30 with 12
            (the default), 2,168,014, 0.9580, 0.8066; 30 with 14, 2,325,056, 0.9589,
            0.8051.
        context_blocking: rules on context (a parent's name, a place, with the birth
            year, or with the given name's class and the birth band) whose pairs may add
            a few candidates beyond the budget: a true pair among hundreds of namesakes of
            the same birth year, which the budget cannot tell apart by name and birth, is
            found by a father's name they share. Used with a budget only.
            ``class:<column>`` keys a name column by its first part's class, so that a
            parent's name spelt two ways still meets (``field:<column>``: the folded text
            must agree); ``alike:<column>`` by that class and by its sound (phonetic
            key), so that a spelling no variant list holds meets too (Soraya, Suraya;
            Meseret, Meserret): the defaults' parents' names, measured against ``class:``
            on synthetic data, pairs completeness 0.9702 -> 0.9727 (F1 0.8723 -> 0.8730)
            at 100,000 a side and 0.9090 -> 0.9160 (F1 0.7817 -> 0.7838) at 1,000,000,
            with fewer candidates (25,935,470 -> 25,893,118); by sound alone, 0.9723 and
            0.9148. ``birth_year_mid`` (one year a record, that of its birth
            interval's midpoint) costs a third of ``birth_year`` (three or four a record);
            a record with no name part (a newborn named by its mother's, "Baby of
            Fatima") holds the year before and after too, for it meets by these rules
            alone.
            Synthetic data, 300,000 a side, pairs completeness: the budget alone 0.8603;
            with the four rules of a parent's folded name or a place and
            ``birth_year_mid``, 0.8835; with these defaults (parents' names by class,
            and the rules with the given name and birth band), 0.8984. A parent's
            name with the given name's phonetic key, birth unread (the last two rules):
            at 100,000 a side 0.9496 without them, 0.9521 with them, F1 0.8009 and
            0.8012 (a parent's name with any name part's skeleton instead, measured
            with another name key: 0.9524, but siblings meet on it, F1 at 10,000 a side
            0.8699 against 0.8766). The last rule, ``birth_date_unnamed``, meets a record
            with no name part (a newborn known by its mother's name; a name written as
            "Unknown") with every record of the other side born the same day, where no
            parent's name or place is shared (a hospital's "Baby of Solomiia" born 14
            December 2021, and Bohdana, born that day); two named records never meet by
            it. Synthetic data, 5,000 x 10,000 (``python -m benchmarks quality``, its
            tables of children's forms and of placeholders put in): with half the
            records in children's forms, newborns' recall 0.8393 -> 0.8571, F1 0.9283 ->
            0.9284; with names replaced by placeholders, F1 0.9085 -> 0.9096 (recall
            0.8848 -> 0.8873, precision 0.9334 -> 0.9331); as generated (no nameless
            record) the same.
        context_candidates: each record's best this many pairs of the context rules, by
            the budget's score plus the context fields that agree (as if name parts), are
            candidates too where the budget left them out; and so are its best this many
            of the ``blocking`` rules' pairs by the budget's score plus 6 points per
            context field that agrees (the first four fields of ``context_blocking``): a
            true pair whose age was misestimated by years, crowded out of the budget by
            namesakes born the same year, shares a father's name or a place of birth.
            They are compared and scored, but EM, the term-frequency maps and the
            unlabelled calibration learn from the budget's candidates only (chosen by
            context, they would teach the model that agreeing on a parent or a place is
            what non-matches do: counted in the budget itself, 6 points a field lowered
            F1 at 100,000 a side from 0.756 to 0.672); predict weighs each against its
            records' likeliest other candidate (``competition_weight``,
            ``rfl_match.linker._compete``). 0: none. The second choice is held
            beside the budget while blocking: 8 bytes a record per candidate (1,000,000 a
            side at 50: about 800 MB more). More finds true pairs but costs precision: the
            pairs chosen by context are mostly relatives and namesakes of one father that
            the model, which learns agreeing on a parent as rare among non-matches, scores
            as matches. Synthetic data, 300,000 a side, pairs completeness and pairs at 1,
            2, 3, 4: 0.9175 / 7,442,969, 0.9237 / 7,760,454, 0.9272 / 8,125,993, 0.9295 /
            8,515,019; F1 at 0.5 / best F1 at 100,000 a side at 1, 2, 3: 0.7993 / 0.8059,
            0.7902 / 0.7931, 0.7848 / 0.7866 (10,000 a side at 3: 218 more false matches
            found, 76 of them of the same family, and 7 more true ones). At 1,000,000 a
            side, at 1, 2, 4: 0.8909 / 25,168,211, 0.8994 / 26,292,178, 0.9077 /
            28,926,650; F1 at 0.5 at 1 and 2: 0.7331 and 0.7181 (precision 0.850 and
            0.804, recall 0.644 and 0.649). Since each context pair is weighed against
            its records' rivals (``rfl_match.linker._compete``), more cost nothing at
            0.5, and the default is 2 (was 1): at 10,000 / 100,000 / 1,000,000 a side,
            pairs completeness 0.9822 / 0.9625 / 0.8938 at 1 against 0.9833 / 0.9668 /
            0.9025 at 2, F1 0.9319 / 0.8671 / 0.7723 against 0.9319 / 0.8675 / 0.7727,
            the largest calibration gap 0.082 / 0.061 / 0.033 against 0.084 / 0.055 /
            0.023 (``python -m benchmarks speed`` at 270f6bc and 01fc503; on the quality
            set F1 0.9252 against 0.9242; at 100,000 a side at 3, scratch: completeness
            0.9689, F1 0.8672). The default is 3 (2 before), with ``sorted_window`` 2: see
            there. 4, with that window: at 1,000,000 a side 27,268,277 candidates (5% more),
            completeness 0.9129 against 0.9090, F1 0.7811 against 0.7815; at 100,000 a side
            0.9717 / 0.8720 against 0.9702 / 0.8723; at 10,000 0.9850 / 0.9346 against
            0.9845 / 0.9347; on the quality set F1 0.9290 against 0.9295, 5 more false
            matches and no more true ones (scratch ``/tmp/s64/exp.py`` at c536da3): the
            true pairs it adds are scored under the threshold, the relatives over it.
        threshold: default match-probability threshold of ``predict``.
        top_k: default number of sightings kept per request (0 keeps all); sightings
            tied at the last rank kept are all kept (``Linker.predict``).
        one_request_per_person: each sighting is the person of one request at most (the
            requests are one per sought person, as a tracing service that opens one case
            per person keeps them), so ``predict`` reads a sighting's requests together:
            each pair's calibrated odds ``o``, scaled by ``g``, over one plus those of
            all the sighting's candidate requests, ``g o / (1 + g sum o)``, with ``g``
            the scale at which the probabilities' sum (the expected number of matches)
            stays the model's own (no labels; at most ``linker.EXCLUSIVE_MAX_SCALE``).
            A sighting's likeliest request rises, the others fall: the model reads each
            pair alone, and a sighting's second request is most often a relative or a
            namesake of its first. Off by default: two requests for one person (two
            relatives asking apart) then share the sighting, each near half what it
            alone would score, and one may fall under the threshold. Synthetic data
            (each person sought once): F1 0.9242 -> 0.932 on the quality set
            (``python -m benchmarks quality``), the calibration suite's Brier score
            0.00401 -> 0.00344 with every bin within 0.05 (``python -m benchmarks
            calibration``), both at 3b19b3d. Not with one list (dedupe). In partitions
            of the requests (``rfl_match.backends``), each sighting is read with all the
            run's requests (``partitions.compete``).
        term_frequency: adjust name agreements by how common the name is: the person's
            given and family names, the father's and mother's
            (``compare.PARENTS_BY_FREQUENCY``).
        u_sample_pairs: random pairs drawn to estimate u probabilities.
        em_max_iterations, em_tolerance: EM stopping rules.
        em_m_prior: weight of the prior on m (what matches usually look like), as a share
            of the expected number of matches; 0 for plain maximum likelihood. It holds
            for the graded comparisons (``Comparison.graded``); sex and exact fields (one
            level of agreement) take m from the data, with one match spread over their
            levels (``scoring.one_match``). So a field that never disagrees among the
            matches learned from weighs a disagreement strongly (sex: at most -5.6 bits,
            ``linker.SEX_ERROR``): review such a field before relying on it. 0.5 by
            default (1.0 before ``far_birth_m``): the prior keeps EM from calling a group
            of relatives the matches, and with the ceiling below doing part of that, a
            prior as strong as the data made m too clean (most matches at the strongest
            levels), so EM counted too few matches (synthetic data, 20,000 x 40,000, with
            the ceiling at 0.001: 9% too few; at the defaults 2% too many) and the
            probabilities calibrated without reviewed pairs understated (see
            ``far_birth_m``). 1.0 with ``far_birth_m`` 0 is the model of earlier releases.
            Of an ordered comparison (a date, an age, a place, a filter), the prior's shape
            (``scoring.starting_m``) runs over the levels some candidate pair shows: records
            that give years of birth only never show the same date.
        far_birth_m: the most share of matches EM may put at births more than 5 years
            apart, the levels "5 to 15 years apart" and "more than 15 years apart" together,
            of the ``birth`` and ``age`` comparisons (not of a ``date`` one), and of it
            ``scoring.GENERATION_SHARE`` (a tenth) at most at "more than 15 years apart"
            (a parent and child who share names; measured there); 0 leaves it to EM
            alone. An age estimate off by more than 5 years is rare among true matches,
            but relatives born a generation apart who share the names and the parents'
            names are not rare among candidates, and EM, which cannot tell
            them from matches, counts them in: on synthetic data it learned 3% of matches
            there, against 0.53% of the true pairs among the candidates (1.08% of all true
            pairs; blocking drops the rest), so a birth a generation apart cost a pair
            under 1 bit. With a share set, each step of EM holds the level at most there
            (the other levels make up the rest), and the rest of the model is learned with
            it, with reviewed pairs too (EM starts from their m); m learned from reviewed
            pairs alone (``fit(em=False)``) is kept as measured. A number is held as set.
            None (the default) holds ``FAR_BIRTH_M`` (0.005) unless the data say more: the
            strongest pairs by everything but the birth, at least a tenth of the
            matches EM counts, are matches whatever their births, and 0.14 of their far
            share (at most 0.05), where that is more, is held instead and the model
            learned again with it (``scoring.far_birth_from_strongest``;
            ``training_["far_birth_m"]`` says what was held; where a birth far apart
            would then weigh more than one 2 to 5 years apart, the two levels share one
            weight, ``scoring.monotone_m``, which only lowers this level's m).
            On the synthetic data it
            stays at 0.005 (their far share is 0.013 at 10,000 and at 100,000 a side:
            0.0018 and 0.0019), so every result is as with 0.005. With the births of
            a share of the matched sightings moved 6 to 12 years (10,000 a side), F1 at
            0.5 / best F1 / largest calibration gap with 0.005 against None: 5% moved,
            0.8625 / 0.8656 / 0.038 -> 0.8611 / 0.8635 / 0.049 (held 0.011); 10%, 0.8507 /
            0.8565 / 0.084 -> 0.8502 / 0.8531 / 0.029 (0.012); 15%, 0.8374 / 0.8439 /
            0.073 -> 0.8379 / 0.8403 / 0.037 (0.019); at 100,000 a side with 10%, 0.7605
            / 0.7716 / 0.063 -> 0.7607 / 0.7706 / 0.048 (0.0096). The floor 0.005 is a
            set share, not one learned, chosen on the benchmarks: synthetic data, F1 at 0.5
            / best F1 of EM alone (0, and ``em_m_prior`` 1.0) against the defaults: 5,000 x
            10,000 0.849 / 0.852 -> 0.866 / 0.866, 100,000 a side 0.770 / 0.787 -> 0.7985 /
            0.8055, 300,000 0.723 / 0.747 -> 0.749 / 0.762. The ceiling alone (with
            ``em_m_prior`` 1.0) makes the probabilities calibrated without reviewed pairs
            understate (a bin's gap up to 0.09 at 0.001, against 0.05 wanted): EM then
            counts too few matches. With ``em_m_prior`` 0.5 they stay within 0.05 (0.037).
            A lower share ranks better on synthetic data (0.001: 0.801 / 0.809 at 100,000)
            but costs true pairs whose typed date of birth has a digit error: FEBRL3 loses
            2 of 6,538 at 0.005 with the field rules, 5 at 0.001. What it costs a true
            match whose age was misestimated by more than 5 years (100,000 a side): such a
            birth weighs -3.6 bits against -0.9 with EM alone, and 58 of the 292 such true
            pairs found at 0.5 fell under it (all stayed in their request's top 5, 50 of
            them first), while 996 relatives a generation apart left the matches and 4,224
            more true pairs were found in all. Where estimated ages are often far off and
            the default does not raise the share enough, set a larger one (a true share of
            2% is under-weighted by 2 bits at 0.005), or 0 with ``em_m_prior`` 1.0.
        non_match_classes: 1 (the default), one kind of non-match (every comparison
            weighed alone); 2 learns two kinds among the candidates, relatives and
            namesakes, and weighs each pattern's agreements taken together
            (rfl_match.mixture): it ranks better (README), but its unlabelled calibration
            can be further off (below) and its fit takes longer, so it is opt-in. With
            ``condition_on`` at its default (split by the family name) the fit at 100,000 a
            side took 16.4 s against 5.6 s without the option (EM 10.6 s against 0.3); with
            its E steps on both cores of two (``kernels.class_sums``) and accelerated
            (SQUAREM: 87 E steps over 238,068 level patterns where plain EM took 673),
            6.9 to 8.2 s against 4.9 s (EM about 1.1 s, the unlabelled calibration about
            1.3 s against 0.3). F1 there 0.8512 without the option, 0.8624 with it;
            largest calibration gap (p >= 0.05) 0.026 and 0.034. At 1,000,000 a side
            (the speed suite's data): F1 0.7485 -> 0.7589, gap 0.067 -> 0.065, fit about
            71 to 74 s (EM 7 s: 178 E steps over 896,954 patterns; calibration 8 s). On the
            calibration suite (before births a generation apart were a level of their own)
            the unlabelled probabilities overstated by up to 0.065 in the bins from 0.2 to
            0.5, against 0.029 without the option. With that level, at 100,000 a side F1
            0.8530 -> 0.8630, gap 0.022 -> 0.034.
        condition_on: ``"auto"`` (the default): as ``"family_name"`` where that splits,
            else as "", without a warning; "": every comparison weighed alone; or the
            name of a comparison (one of :data:`CONDITION_ANCHORS`: ``"family_name"``,
            ``"father_name"``, ...) whose agreement splits the levels of the other
            comparisons a family shares (given, family, parents' and grandfather's names,
            places of birth and origin, nationality;
            ``compare.CONDITIONED_COMPARISONS``): each is learned and weighed given
            whether that name agrees (its m and u sum to 1 within each half,
            ``compare.ConditionedComparison``), so that a sibling,
            who shares the father, the mother, the family name and the places, is not
            counted as agreeing on each as if it were rare among non-matches, and a
            different given name beside the same family name is weighed as it is among
            pairs that share it ("different, family names alike"). The unlabelled
            calibration reads each split comparison with its anchor among the others
            (``calibration.fit_on_comparisons``). Where the anchor is no comparison, or
            agrees on fewer than 20 of the candidate pairs learned from, ``fit`` fits
            without the option (and saves the model so), with a warning where the
            anchor was named. After ``fit``, ``Linker.config`` holds the anchor used
            ("" for none), and a fit of the same Linker on other inputs decides again.
            Synthetic data (the defaults otherwise), F1 at 0.5 and the largest
            calibration gap without labels, "" against ``"family_name"``: the
            calibration suite (20,000 x 40,000, three draws pooled) F1 0.8225 / 0.8252 /
            0.8249 -> 0.8328 / 0.8391 / 0.8379, gap 0.040 -> 0.020; 100,000 a side
            (measure.py) F1 0.8092 -> 0.8164, gap 0.040 -> 0.037, higher in each of the
            14 cultures (+0.001 to +0.022, the most for Eritrean and Ethiopian names);
            10,000 a side, seeds 7 / 8 / 9: F1 0.8866 / 0.8911 / 0.8878 -> 0.8946 /
            0.8960 / 0.8935, but gap 0.042 / 0.050 / 0.026 -> 0.079 / 0.085 / 0.042
            (bins of about 400 pairs that understate by up to 0.085: on small lists the
            split model's unlabelled probabilities are too low); fit time unchanged
            (1,000,000 a side: 55.4 s either way). ``"father_name"``, ``"family_name"``
            with ``non_match_classes`` 2 (measured before the default changed, 10,000 /
            100,000 a side, F1 / best F1 / gap): one class 0.8777 / 0.8800 / 0.035 and
            0.8012 / 0.8070 / 0.052, ``"family_name"`` 0.8837 / 0.8897 / 0.109 and 0.8082
            / 0.8142 / 0.043, ``"father_name"`` 0.8801 / 0.8839 / 0.085 at 10,000,
            ``"family_name"`` with ``non_match_classes`` 2 0.8978 / 0.8997 / 0.103 and
            0.8185 / 0.8236 / 0.055. It does not let ``context_candidates`` 2 or 3 hold
            F1 (100,000 a side, ``"family_name"`` at 1 / 2 / 3: 0.8082 / 0.7970 /
            0.7899; with ``non_match_classes`` 2: 0.8185 / 0.8072 / 0.7998).
        seed: seed for every random draw.
        chunk_pairs: pairs compared per chunk (bounds memory).
        workers: threads for the comparison kernels and string similarities (-1, the
            default: every core, and one for a call on fewer than
            ``rfl_match.linker.FEW_RECORDS`` records, where threads cost more than they
            save).
        mapping: input column -> canonical field, for files whose headers differ.
        calendars: date column (as named after ``mapping``) -> the calendar its dates are
            written in where it is not the Gregorian: ``"ethiopian"``,
            ``"solar_hijri"`` (Iran's and Afghanistan's) or ``"lunar_hijri"``
            (``rfl_match.dates.CALENDARS``). Each date is read as the days it stands for
            (a year of another calendar spans two Gregorian years). A cell that names its
            calendar (``1385 SH``, ``2008 ዓ.ም``, ``1400 AH``, ``2009 AD``) is read in
            that one, in any column, without this option. Where one input is written in
            another calendar than the other, a table per input (``requests``,
            ``sightings``, or a dedupe's ``records``) names its own, read over the
            columns named for all: ``{"requests": {"date_of_birth": "ethiopian"}}``.
        culture: a hint for name structure ("arabic", "somali", ...), or "".
    """

    compare: tuple[ComparisonSpec, ...] = ()
    default_comparisons: bool = True
    blocking: tuple[tuple[str, ...], ...] = (
        ("name_pair_any",),
        ("name_joined_skeleton",),
        ("given_class", "birth_band"),
        ("name_skeleton", "birth_year"),
        ("given_prefix", "family_class"),
    )
    max_block_size: int = 5_000
    sorted_window: int = 2
    candidates_per_record: int = 30
    candidates_within: int = 12
    context_blocking: tuple[tuple[str, ...], ...] = CONTEXT_BLOCKING
    context_candidates: int = 3
    threshold: float = 0.5
    top_k: int = 5
    one_request_per_person: bool = False
    term_frequency: bool = True
    u_sample_pairs: int = 200_000
    em_max_iterations: int = 1000
    em_tolerance: float = 1e-6
    em_m_prior: float = 0.5
    far_birth_m: float | None = None
    non_match_classes: int = 1
    condition_on: str = CONDITION_AUTO
    seed: int = 42
    chunk_pairs: int = 2_000_000
    workers: int = -1
    mapping: dict[str, str] = field(default_factory=dict)
    calendars: Calendars = field(default_factory=dict)
    culture: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "compare", _comparisons(self.compare))
        for spec in self.compare:
            # A warning, not an error: configurations that asked for it were accepted.
            if spec.term_frequency and spec.kind not in TERM_FREQUENCY_KINDS:
                warn(
                    f"compare: {spec.label!r} ({spec.kind}) asks for term_frequency, which "
                    f"only the {', '.join(TERM_FREQUENCY_KINDS)} comparisons weigh; "
                    "it is ignored",
                )
        for option in ("blocking", "context_blocking"):
            object.__setattr__(self, option, _rules(option, getattr(self, option)))
            for rule in getattr(self, option):
                for key in rule:
                    if key.removeprefix("sorted:") not in BLOCKING_KEYS and not key_column(key):
                        raise ConfigError(
                            f"{option}: unknown key {key!r}; use one of "
                            f"{', '.join(BLOCKING_KEYS)}, 'field:<column>', 'class:<column>' "
                            "(a name column's first part's class), 'alike:<column>' (its "
                            "class or its sound), 'tokens:<column>' (each of its "
                            "white-space-separated tokens), or 'sorted:<key>' for a sorted "
                            "neighbourhood"
                        )
                    if key.startswith("sorted:") and (len(rule) > 1 or option != "blocking"):
                        raise ConfigError(f"{option}: {key!r} must be a rule of its own")
                    if key.startswith(("sorted:tokens:", "sorted:alike:")):
                        # a record's tokens tie with many others': their order would be
                        # the rows'; a class and a sound key are not one order
                        raise ConfigError(
                            f"{option}: {key!r}: its values are not sorted; block on "
                            f"{key.removeprefix('sorted:')!r}"
                        )
        for option in ("default_comparisons", "term_frequency", "one_request_per_person"):
            object.__setattr__(self, option, _flag(option, getattr(self, option)))
        for option, (least, meaning) in _COUNTS.items():
            value = _whole_number(option, getattr(self, option), least, meaning)
            object.__setattr__(self, option, value)
        if not (_is_whole(self.workers) and (self.workers == -1 or self.workers >= 1)):
            raise ConfigError(
                f"workers: {self.workers!r}; use a whole number, 1 or more, or -1 (every core)"
            )
        object.__setattr__(self, "workers", int(self.workers))
        if not (_is_whole(self.non_match_classes) and self.non_match_classes in (1, 2)):
            raise ConfigError(f"non_match_classes: {self.non_match_classes!r}; use 1 or 2")
        object.__setattr__(self, "non_match_classes", int(self.non_match_classes))
        anchors = ("", *CONDITION_ANCHORS, CONDITION_AUTO)
        if not (isinstance(self.condition_on, str) and self.condition_on in anchors):
            raise ConfigError(
                f"condition_on: {self.condition_on!r}; use one of "
                f"{', '.join(CONDITION_ANCHORS)}, {CONDITION_AUTO!r} ({AUTO_ANCHOR} where it "
                "splits), or '' (each comparison alone)"
            )
        if self.culture is None:  # accepted before the checks: no hint
            object.__setattr__(self, "culture", "")
        if not isinstance(self.culture, str):
            raise ConfigError(
                f'culture: {self.culture!r}; use a hint as text ("arabic", "somali", ...), '
                "or '' (none)"
            )
        object.__setattr__(self, "mapping", _mapping(self.mapping))
        _check_mapping_targets(self)
        object.__setattr__(self, "calendars", check_calendars(self.calendars, self.date_fields))
        object.__setattr__(self, "threshold", check_threshold(self.threshold))
        object.__setattr__(self, "top_k", check_top_k(self.top_k))
        object.__setattr__(
            self, "em_m_prior", _weight("em_m_prior", self.em_m_prior, " (no prior)")
        )
        object.__setattr__(self, "em_tolerance", _weight("em_tolerance", self.em_tolerance, ""))
        # A share under the floor of every probability the model weighs with would be held
        # in EM but read at the floor when scoring.
        share = None if self.far_birth_m is None else _real(self.far_birth_m)
        if self.far_birth_m is not None and (
            share is None or not (share == 0.0 or PROBABILITY_FLOOR <= share < 1.0)
        ):
            raise ConfigError(
                f"far_birth_m: {self.far_birth_m!r}; use 0 (EM alone), a share from "
                f"{PROBABILITY_FLOOR:g} up to, not including, 1, or leave it out (from the data)"
            )
        object.__setattr__(self, "far_birth_m", share)

    @property
    def date_fields(self) -> tuple[str, ...]:
        """The columns that ``compare`` compares as dates (``kind = "date"``). Validation
        reads those of the user's own as it reads ``date_of_birth`` (serials, compact
        dates, a malformed cell blanked and reported: ``rfl_match.schema.validate_records``),
        so that the comparison sees the dates written there, not missing ones."""
        return tuple(dict.fromkeys(s.field for s in self.compare if s.kind == "date"))

    # --- round trips -------------------------------------------------------------------

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LinkConfig:
        """Build from a plain dict (as read from TOML or JSON); unknown keys are errors."""
        if not isinstance(data, dict):
            raise ConfigError("configuration must be a table of keys")
        _check_known(data, "configuration key")
        # The constructor checks each value and says what is wanted; only the comparisons'
        # tables become ComparisonSpec here.
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if key == "compare" and isinstance(value, list | tuple):
                kwargs[key] = tuple(_spec_from_dict(v, i) for i, v in enumerate(value))
            else:
                kwargs[key] = value
        return cls(**kwargs)

    def to_dict(self) -> dict[str, Any]:
        """A plain dict that :meth:`from_dict` turns back into an equal config."""
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name == "compare":
                out[f.name] = [_spec_to_dict(s) for s in value]
            elif f.name in ("blocking", "context_blocking"):
                out[f.name] = [list(rule) for rule in value]
            elif f.name == "mapping":
                out[f.name] = dict(value)
            elif f.name == "calendars":  # an input's own table copied too
                out[f.name] = {k: v if isinstance(v, str) else dict(v) for k, v in value.items()}
            else:
                out[f.name] = value
        return out

    @classmethod
    def from_toml(cls, path_or_text: str | Path) -> LinkConfig:
        """Read a TOML file (or TOML text, when given a string that is not a file path)."""
        text = _read_text(path_or_text)
        try:
            data = tomllib.loads(text)
        except ValueError as exc:  # TOMLDecodeError, or a number of over 4,300 digits
            raise ConfigError(f"not valid TOML: {exc}") from exc
        return cls.from_dict(data)

    def to_toml(self) -> str:
        """The configuration as TOML text."""
        return _dump_toml(self.to_dict())

    @classmethod
    def from_json(cls, text: str) -> LinkConfig:
        try:
            data = json.loads(text)
        except ValueError as exc:  # JSONDecodeError, or a number of over 4,300 digits
            raise ConfigError(f"not valid JSON: {exc}") from exc
        return cls.from_dict(data)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=2)

    def with_options(self, **changes: Any) -> LinkConfig:
        """A copy with some options changed (unknown names are errors)."""
        _check_known(changes, "option")
        return replace(self, **changes)


def _check_known(keys: Iterable[str], what: str) -> None:
    """A ConfigError naming the first of ``keys`` that is no option of LinkConfig."""
    known = sorted(f.name for f in fields(LinkConfig))
    unknown = [k for k in keys if k not in known]
    if unknown:
        raise ConfigError(f"unknown {what} {unknown[0]!r} (known: {', '.join(known)})")


def check_threshold(value: Any, name: str = "threshold") -> float:
    """A match-probability threshold (``LinkConfig.threshold``, or one given to
    ``Linker.predict`` or ``dedupe``; ``name``, the message's) as a float; a ConfigError if
    it is no probability."""
    return _from_0_to_1(value, name, "a probability")


def check_share(value: Any, name: str) -> float:
    """A share (``dedupe``'s ``min_density``; ``name``, the message's) as a float; a
    ConfigError unless it lies from 0 to 1."""
    return _from_0_to_1(value, name, "a share from 0 to 1")


def _from_0_to_1(value: Any, name: str, what: str) -> float:
    if not (_is_number(value) and 0.0 <= value <= 1.0):  # NaN fails the comparison
        raise ConfigError(f"{name}: {value!r} is not {what}")
    return float(value)


def check_top_k(value: Any) -> int:
    """A number of candidates kept per request (``LinkConfig.top_k``, or one given to
    ``Linker.predict``) as an int; a ConfigError unless it is a whole number, 0 or more."""
    return _whole_number("top_k", value, 0, " (keep all)")


#: The options that are counts: the least each takes, and what that least means.
_COUNTS = {
    "max_block_size": (1, ""),
    "sorted_window": (1, ""),
    "candidates_per_record": (0, " (keep all)"),
    "candidates_within": (0, " (no cut)"),
    "context_candidates": (0, " (none)"),
    "u_sample_pairs": (1, ""),
    "em_max_iterations": (1, ""),
    "seed": (0, ""),  # numpy's generators take none below 0
    "chunk_pairs": (1, ""),
}


def _whole_number(option: str, value: Any, least: int, meaning: str) -> int:
    """A count (numpy's integers too) as an int; a ConfigError unless it is a whole number,
    ``least`` or more."""
    if not (_is_whole(value) and value >= least):
        raise ConfigError(f"{option}: {value!r}; use a whole number, {least}{meaning} or more")
    return int(value)


def _weight(option: str, value: Any, meaning: str) -> float:
    """A weight or a tolerance (any real number) as a float; a ConfigError unless it is
    finite, 0 or more."""
    held = _real(value)
    if held is None or not (math.isfinite(held) and held >= 0.0):
        raise ConfigError(f"{option}: {value!r}; use a finite number, 0{meaning} or more")
    return held


#: The terms of a match's weight that the matches give a ``<term>_weight`` column of their
#: own (``match_weight``; ``rfl_match.linker``'s ``COMBINATION_COLUMN``,
#: ``COMPETITION_COLUMN`` and ``SIGHTING_COLUMN``): no comparison may take one as its name,
#: for its weight column would overwrite that one.
OUTPUT_TERMS = ("match", "combination", "competition", "sighting")


def _comparisons(value: Any) -> tuple[ComparisonSpec, ...]:
    """``LinkConfig.compare`` (a list too) as a tuple of checked comparisons; a ConfigError
    that names the comparison, the value and what is wanted."""
    if not isinstance(value, list | tuple):
        raise ConfigError(
            f"compare: {value!r}; use a list of comparisons (ComparisonSpec; in a file, "
            "[[compare]] tables with field and kind)"
        )
    specs = tuple(_checked_spec(spec, index) for index, spec in enumerate(value))
    labels = [spec.label for spec in specs]
    for index, label in enumerate(labels):
        if label in OUTPUT_TERMS:
            raise ConfigError(
                f"compare[{index}]: a comparison named {label!r}, whose weight column "
                f"({label}_weight) is the matches' own; give it another name (name = ...)"
            )
        # The Linker keeps one comparison a name: the later would replace the earlier.
        if label in labels[:index]:
            raise ConfigError(
                f"compare[{index}]: a second comparison named {label!r} (the first is "
                f"compare[{labels.index(label)}]), which would replace it; give one of them "
                "a name of its own (name = ...)"
            )
    return specs


def _checked_spec(spec: Any, index: int) -> ComparisonSpec:
    """One comparison checked, its thresholds held as a tuple of floats."""
    where = f"compare[{index}]"
    if not isinstance(spec, ComparisonSpec):
        raise ConfigError(
            f"{where}: {spec!r}; use a ComparisonSpec (in a file, a table with field and kind)"
        )
    if not (isinstance(spec.field, str) and spec.field.strip()):
        raise ConfigError(f"{where}.field: {spec.field!r}; use the name of a column")
    if spec.kind not in COMPARISON_KINDS:
        raise ConfigError(
            f"compare: unknown kind {spec.kind!r} for field {spec.field!r}; "
            f"use one of {', '.join(COMPARISON_KINDS)}"
        )
    if not isinstance(spec.name, str):
        raise ConfigError(
            f"{where}.name: {spec.name!r}; use text (the columns <name>_level and "
            "<name>_weight), or leave it out for the field's"
        )
    _flag(f"{where}.term_frequency", spec.term_frequency)
    return replace(spec, thresholds=_thresholds(where, spec.kind, spec.thresholds))


def _thresholds(where: str, kind: str, value: Any) -> tuple[float, ...]:
    """A comparison's thresholds as floats: similarities from 0 to 1 (``string``), else
    finite numbers, 0 or more (``numeric``: absolute differences)."""
    similarities = kind in SIMILARITY_KINDS
    most = 1.0 if similarities else math.inf
    listed = isinstance(value, list | tuple) or (isinstance(value, np.ndarray) and value.ndim == 1)
    held = [_real(t) for t in value] if listed else [None]
    if not all(t is not None and math.isfinite(t) and 0.0 <= t <= most for t in held):
        wanted = (
            "similarities from 0 to 1, such as [0.92, 0.8]"
            if similarities
            else "numbers, 0 or more (numeric: absolute differences, such as [0, 1, 5])"
        )
        raise ConfigError(f"{where}.thresholds: {value!r}; use a list of {wanted}")
    return tuple(t for t in held if t is not None)


def _mapping(value: Any) -> dict[str, str]:
    """``LinkConfig.mapping`` as a dict of its own (the caller's, changed later, does not
    change the configuration); a ConfigError unless it maps text to text."""
    wanted = "use a table of input column = canonical field, both text"
    if not isinstance(value, Mapping):
        raise ConfigError(f"mapping: {value!r}; {wanted}")
    for column, target in value.items():
        if not (isinstance(column, str) and isinstance(target, str)):
            raise ConfigError(f"mapping: {column!r} = {target!r}; {wanted}")
    return dict(value)


def check_calendars(
    value: Any, date_fields: Iterable[str] = (), *, inputs: bool = True, name: str = "calendars"
) -> Calendars:
    """``calendars`` (of :class:`LinkConfig`, or given to ``read_records``) as a dict of
    its own: date column (one of ``schema.DATE_FIELDS`` or ``date_fields``, the columns
    of the user's own read as dates) -> one of :data:`rfl_match.dates.CALENDARS`; with
    ``inputs``, also an input's name (:data:`CALENDAR_INPUTS`) -> a table of its own of
    date column -> calendar (an export of one office written in the Ethiopian calendar, the
    other's in the Gregorian); a ConfigError otherwise, its message opening with
    ``name``."""
    wanted = f"use a table of date column = calendar, one of {', '.join(CALENDARS)}"
    if inputs:
        wanted += f", or a table of them per input ({', '.join(CALENDAR_INPUTS)})"
    if not isinstance(value, Mapping):
        raise ConfigError(f"{name}: {value!r}; {wanted}")
    dates = (*DATE_FIELDS, *date_fields)
    out: Calendars = {}
    for column, calendar in value.items():
        if column in CALENDAR_INPUTS and inputs:  # an input's own table
            if not isinstance(calendar, Mapping):
                raise ConfigError(
                    f"{name}: {column!r} = {calendar!r}; {column!r} names an input: give it "
                    f'a table of date column = calendar ({column} = {{ date_of_birth = "'
                    f'{calendar}" }})'
                )
            own = check_calendars(calendar, date_fields, inputs=False, name=f"{name}.{column}")
            if own:  # an empty table reads nothing: not kept
                out[column] = own
            continue
        if column in CALENDAR_INPUTS and isinstance(calendar, Mapping):
            within = name != "calendars"  # an input's table, not read_records' one input
            raise ConfigError(
                f"{name}: {column!r} names an input; "
                + (
                    "an input's table names its date columns' calendars"
                    if within
                    else "one input is read here: give its date columns' calendars "
                    f"(rfl_match.config.calendars_of(config.calendars, {column!r}) are an "
                    "input's)"
                )
            )
        if not (isinstance(column, str) and isinstance(calendar, str) and calendar in CALENDARS):
            raise ConfigError(f"{name}: {column!r} = {calendar!r}; {wanted}")
        if column not in dates:
            raise ConfigError(
                f"{name}: {column!r} is no date column: name {', '.join(DATE_FIELDS)}, or "
                "a column read as dates (a comparison of kind 'date'), as named after mapping"
            )
        out[column] = calendar
    return out


def calendars_of(calendars: Mapping[str, Any], source: str) -> dict[str, str]:
    """The calendars of input ``source``'s date columns (date column -> calendar) that a
    checked ``calendars`` table (:func:`check_calendars`) names: those of every input,
    then the input's own over them. One list (a dedupe's ``records``, what ``encode``
    reads) with no table of its own where another input has one is a ConfigError: that
    table would go unread, its dates read in another calendar without a word."""
    tabled = [k for k in CALENDAR_INPUTS if isinstance(calendars.get(k), Mapping)]
    if source == "records" and tabled and "records" not in tabled:
        raise ConfigError(
            f"calendars: one list is read here ('records'), and the configuration names the "
            f"calendars of {' and '.join(repr(k) for k in tabled)} only: name them in a "
            "'records' table too, or for all inputs (encode: --input names the input)"
        )
    out = {k: v for k, v in calendars.items() if isinstance(v, str)}
    own = calendars.get(source)
    if isinstance(own, Mapping):
        out.update(own)
    return out


def unused_mapping_targets(config: LinkConfig, mapping: Mapping[str, str]) -> list[str]:
    """The entries of ``mapping`` (``header = target``) whose target is neither a canonical
    field nor an extra column ``config`` uses (a comparison's field, a blocking rule's
    ``field:`` or ``class:`` column)."""
    rules = (*config.blocking, *config.context_blocking)
    declared = {spec.field for spec in config.compare}
    declared |= {key_column(key) for rule in rules for key in rule} - {""}
    return [
        f"{header!r} = {target!r}"
        for header, target in mapping.items()
        if target not in CANONICAL_FIELDS and target not in declared
    ]


def _check_mapping_targets(config: LinkConfig) -> None:
    """A mapping target is a canonical field or an extra column the configuration uses:
    any other is a typo ("fullname") that would rename the column out of use, silently."""
    unknown = set(unused_mapping_targets(config, config.mapping))
    if unknown:
        entries = []
        for header, target in config.mapping.items():
            entry = f"{header!r} = {target!r}"
            if entry in unknown:
                near = near_canonical_field(target)
                entries.append(entry + (f" (did you mean {near!r}?)" if near else ""))
        raise ConfigError(
            f"mapping: {', '.join(entries)}: not a canonical field, nor a column named by "
            "compare ([[compare]] in a file) or a blocking rule. Canonical fields: "
            f"{', '.join(CANONICAL_FIELDS)}. A column left out of the mapping is kept as "
            "it is"
        )


def stored_config(data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A configuration as a model file written before these checks may hold it, made one
    they pass with what its fit did, and what was changed: of comparisons of one name, the
    last (which replaced the others); mapping entries whose target nothing used (the
    column was renamed out of use) left out. Anything else is as it was."""
    changes: list[str] = []
    compare = data.get("compare")
    if isinstance(compare, list):
        labels = [
            (c.get("name") or c.get("field")) if isinstance(c, dict) else None for c in compare
        ]
        kept = [
            c
            for i, c in enumerate(compare)
            if labels[i] is None or labels[i] not in labels[i + 1 :]
        ]
        if len(kept) < len(compare):
            changes.append(f"{len(compare) - len(kept)} comparison(s) of a name given twice")
            data = data | {"compare": kept}
    mapping = data.get("mapping")
    if isinstance(mapping, dict) and mapping:
        try:
            probe = LinkConfig.from_dict(data | {"mapping": {}})
        except ConfigError:
            return data, changes  # not usable for another reason, which loading reports
        unused = set(unused_mapping_targets(probe, mapping))
        if unused:
            changes.append(f"mapping {', '.join(sorted(unused))} (a column renamed out of use)")
            data = data | {
                "mapping": {k: v for k, v in mapping.items() if f"{k!r} = {v!r}" not in unused}
            }
    return data, changes


def _rules(option: str, value: Any) -> tuple[tuple[str, ...], ...]:
    """Blocking rules (``LinkConfig.blocking``, ``context_blocking``) as a tuple of rules,
    each a tuple of keys. A key alone stands for a rule of that one key, in the list of
    rules as in the place of the list (``"name_skeleton"``: the one rule
    ``("name_skeleton",)``); any other shape is a ConfigError that says what is wanted."""
    wanted = "use a list of rules, each a key or a list of keys that must all agree"
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple):
        raise ConfigError(f'{option}: {value!r}; {wanted}, such as [["given_class", "birth_band"]]')
    rules = []
    for rule in value:
        keys = (rule,) if isinstance(rule, str) else rule
        if not (isinstance(keys, list | tuple) and keys and all(isinstance(k, str) for k in keys)):
            raise ConfigError(f"{option}: rule {rule!r}; {wanted}")
        rules.append(tuple(keys))
    return tuple(rules)


def _flag(option: str, value: Any) -> bool:
    """An option that is true or false; a ConfigError for anything else ("false" is
    text, not false)."""
    if not isinstance(value, bool):
        raise ConfigError(f"{option}: {value!r}; use true or false")
    return value


def _real(value: Any) -> float | None:
    """A real number as a float (numpy's and the standard library's; one too large for a
    float as infinite), or None if it is no number (a bool is none)."""
    if not _is_number(value):
        return None
    try:
        return float(value)
    except OverflowError:
        return math.inf if value > 0 else -math.inf


def _is_whole(value: object) -> bool:
    """A whole number (numpy's too; a float such as 5000.0, as before these checks, too),
    not a bool (which Python counts as one)."""
    if isinstance(value, numbers.Integral):
        return not isinstance(value, bool)
    held = _real(value)
    return held is not None and math.isfinite(held) and held.is_integer()


def _is_number(value: object) -> bool:
    """A real number (numpy's and the standard library's too), not a bool (which Python
    counts as one)."""
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def _read_text(path_or_text: str | Path) -> str:
    if isinstance(path_or_text, Path):
        return _read_file(path_or_text)
    candidate = Path(path_or_text)
    if "\n" not in path_or_text and candidate.suffix.lower() == ".toml":
        return _read_file(candidate)
    return path_or_text.removeprefix("\ufeff")


def _read_file(path: Path) -> str:
    """A configuration file's text. TOML is UTF-8; a byte order mark before it (Windows
    editors write one) is let be, and any other encoding is a ConfigError that says so."""
    try:  # a name too long, or a folder that cannot be read, is an OSError here too
        if path.is_dir():
            raise ConfigError(f"{path} is a folder, not a configuration file")
        if not path.exists():
            raise ConfigError(f"configuration file not found: {path}")
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"cannot read the configuration file {path}: {exc}") from exc
    again = "a configuration file (TOML) is UTF-8 text: save it as UTF-8"
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")) or b"\x00" in raw:
        raise ConfigError(f"{path}: UTF-16 text (or not text at all); {again}")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise ConfigError(
            f"{path}: not UTF-8 text (byte 0x{raw[exc.start]:02x} on line {line}; saved as "
            f"cp1252 or another legacy encoding?); {again}"
        ) from exc


def _spec_from_dict(data: Any, index: int) -> ComparisonSpec:
    if not isinstance(data, dict):
        raise ConfigError(f"compare[{index}]: want a table with field and kind")
    known = {f.name for f in fields(ComparisonSpec)}
    unknown = [k for k in data if k not in known]
    if unknown:
        raise ConfigError(
            f"unknown key {unknown[0]!r} in compare[{index}] (known: {', '.join(sorted(known))})"
        )
    if "field" not in data or "kind" not in data:
        raise ConfigError(f"compare[{index}]: needs both 'field' and 'kind'")
    # As written: LinkConfig checks each value (str() and bool() would take 3 as "3" and
    # "false" as true).
    return ComparisonSpec(
        field=data["field"],
        kind=data["kind"],
        name=data.get("name", ""),
        thresholds=data.get("thresholds", ()),
        term_frequency=data.get("term_frequency", False),
    )


def _spec_to_dict(spec: ComparisonSpec) -> dict[str, Any]:
    out: dict[str, Any] = {"field": spec.field, "kind": spec.kind}
    if spec.name:
        out["name"] = spec.name
    if spec.thresholds:
        out["thresholds"] = list(spec.thresholds)
    if spec.term_frequency:
        out["term_frequency"] = True
    return out


def toml_value(value: Any) -> str:
    """``value`` (a bool, a number, text, a list of them, or a table of them: inline) as
    TOML writes it: text in quotes, every control character escaped (TOML holds none as
    it is), so that any text, a column header's too, reads back as it was."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):  # a JSON string is a TOML one, but for DEL, which TOML escapes
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        cells = ", ".join(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items())
        return "{ " + cells + " }"
    raise ConfigError(f"cannot write {value!r} as TOML")


def _dump_toml(data: dict[str, Any]) -> str:
    lines: list[str] = []
    tables: list[str] = []
    for key, value in data.items():
        if key in ("mapping", "calendars"):
            if value or key == "mapping":
                tables.append(f"\n[{key}]")
                tables.extend(f"{toml_value(k)} = {toml_value(v)}" for k, v in value.items())
        elif key == "compare":
            for spec in value:
                tables.append("\n[[compare]]")
                tables.extend(f"{k} = {toml_value(v)}" for k, v in spec.items())
        elif value is not None:  # TOML has no null: an option left out takes its default
            lines.append(f"{key} = {toml_value(value)}")
    return "\n".join(lines + tables) + "\n"
