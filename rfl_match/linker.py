"""Linker: the pipeline composed — fit, predict, dedupe, explain, save, load."""

from __future__ import annotations

import copy
import ctypes
import functools
import inspect
import json
import time
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import numpy as np
import numpy.typing as npt
import pandas as pd

from rfl_match.arrays import (
    ROW_BLOCK,
    RowTally,
    dense_ranks,
    in_background,
    pipelined,
    row_runs,
    text_order,
    threaded,
    tied_ranks,
    unique_sorted,
)
from rfl_match.blocking import (
    CandidatePairs,
    RuleStats,
    block,
    budget_choices,
    token_fields,
    uncut_rule,
    with_context,
)
from rfl_match.calibration import (
    EVIDENCE_STEP,
    WeightCalibration,
    fit_on_comparisons,
    fit_on_labels,
    request_folds,
)
from rfl_match.cluster import checked_clusters
from rfl_match.compare import (
    CONDITIONED_COMPARISONS,
    CONDITIONED_COMPARISONS_V8,
    Comparison,
    ConditionedComparison,
    GivenNameComparison,
    IntervalComparison,
    NameChainComparison,
    SexComparison,
    SiblingConditionedComparison,
    StringComparison,
    TermFrequencies,
    build_comparison,
    default_specs,
    level_matrix,
)
from rfl_match.compare import TITLES as _TITLES
from rfl_match.config import (
    AUTO_ANCHOR,
    CONDITION_AUTO,
    CONTEXT_BLOCKING,
    FAR_BIRTH_M,
    PROBABILITY_FLOOR,
    ComparisonSpec,
    ConfigError,
    LinkConfig,
    calendars_of,
    check_share,
    check_threshold,
    check_top_k,
    key_column,
    reads_names,
    stored_config,
)
from rfl_match.dates import GREGORIAN
from rfl_match.digests import frame_digest
from rfl_match.kernels import (
    TF_LOWERING,
    TF_NEAR,
    CodeTally,
    agreements,
    merge_unique,
    pair_weights,
    strongest_first,
    tf_codes,
    warming_up,
    weights_over,
)
from rfl_match.mixture import fit_non_match_classes, group_of
from rfl_match.names.normalize import paused_gc
from rfl_match.prepare import PERSON_COLUMNS, Partition, PartTable, PreparedPair, parents_named
from rfl_match.schema import (
    DECISION_WORDS,
    ENCODING_FIELD,
    ID_FIELD,
    NAME_FIELDS,
    Problem,
    RecordError,
    decision_column,
    decisions,
    encodings_of,
    is_validated,
    mark_validated,
    said_encoding,
    shown_value,
    validate_records,
    validated_calendars,
)
from rfl_match.scoring import (
    GENERATION_SHARE,
    FellegiSunterModel,
    Hold,
    bounded_m,
    candidate_tf_map,
    decode_patterns,
    expectation_maximisation,
    far_birth_from_strongest,
    level_shares,
    monotone_m,
    one_match,
    parameters_from_labels,
    pattern_codes,
    pattern_index,
    probability_text,
    seed_parameters,
    starting_m,
    tf_adjustment,
    tf_bounded_levels,
    tf_share,
    tf_shift,
)
from rfl_match.scoring import probability as raw_probability
from rfl_match.warn import warn

MODEL_FORMAT = "rfl_match.model"
# The version a model fitted with the defaults is written in (the newest read is the last
# of _READABLE_VERSIONS: 12, with the birth split by a brother's or sister's pattern).
MODEL_VERSION = 7
# Versions load reads: 1 (before the term-frequency maps) scores with raw bits; 1 and 2
# (before the non-match classes) with no combination term; 1 to 3 (before the context
# candidates) with the context options' defaults; 1 to 4 (before the budget's cut below
# a record's best) with its default; 1 to 5 (before the ceiling on m of a birth a
# generation apart) with no ceiling (far_birth_m 0), as they were fitted: m is stored as
# learned, and only a new fit reads the option.
# 6 (a ceiling set as a number) reads as it was written; 7 holds ``far_birth_m`` None (the
# ceiling from the data), which version 6 cannot read; 8 a ``condition_on`` (levels split by
# a family name's or parent's agreement), which no older version has: without it, it is
# left out; 9 the same with the nationality among what is split, which version 8 did not
# split (compare.CONDITIONED_COMPARISONS_V8): a version 8 file loads with its own split.
# Of any version, a model whose births have one level for every gap over 5 years
# (compare.DATE_LABELS: fitted before births a generation apart were a level of their
# own) compares them so, as it was fitted; its levels say which. 10 holds
# ``one_request_per_person`` set, which no older release reads its sightings with; a file
# of any version without it reads it off. 11 holds ``calendars`` (the calendars its
# records' date columns are read in, for both inputs or a table per input), which no older
# release knows; a file without it reads every date as Gregorian, as it was fitted. 12 holds
# a birth split by a brother's or sister's pattern (compare.SiblingConditionedComparison:
# twice the birth's levels), which an older release would refuse as levels it does not
# know; a file without ``births_split_by_siblings`` in its training weighs the birth unsplit.
_READABLE_VERSIONS = (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12)
# A model is written in the oldest version that holds all it has, so that older releases
# read it: 2 with one kind of non-match, 3 with two, 4 with context options of its own,
# 5 with a cut of its own, 6 with a ceiling on m set as a number, 7 with one from the
# data (far_birth_m None), 8 with ``condition_on``, 9 with a split that version 8 does not
# make (the nationality's), 10 with ``one_request_per_person`` set, 11 with ``calendars``,
# 12 with the birth split by a brother's or sister's pattern (a fit whose ``condition_on``
# is the family name, the default's). Below version 6, context and budget options at
# their defaults are left out, so a release reads its own
# defaults for them (version 6 writes them all): an older release runs its own (fewer)
# context rules, which adds fewer candidates and learns nothing
# different (the model never learns from context candidates), and its own budget (a model
# is not refitted at predict). The fit options say how the stored m was learned, so they
# are left out only at the value every older file was learned with (no ceiling), and a
# file without them reads that value: a loaded model fitted again learns as it did.
_ONE_CLASS_VERSION = 2
_CLASSES_VERSION = 3
_CONTEXT_VERSION = 4
_CONTEXT_OPTIONS = ("context_blocking", "context_candidates")
_BUDGET_OPTIONS = ("candidates_within",)
_BUDGET_VERSION = 5
_CEILING_VERSION = 6
_CONDITIONED_VERSION = 8
_NATIONALITY_SPLIT_VERSION = 9
_ONE_REQUEST_VERSION = 10
_CALENDARS_VERSION = 11
_SIBLINGS_VERSION = 12
# ``condition_on`` splits only where its anchor agrees on at least this many of the
# candidate pairs learned from; else it warns and fits unsplit.
_MIN_ANCHOR_PAIRS = 20
# The fit options and the value a file without them was learned with.
_FIT_OPTIONS = {"far_birth_m": 0.0}
# What a file without ``condition_on`` was fitted with (before version 8, or unsplit):
# none, whatever the default.
_UNSPLIT = {"condition_on": ""}
# Folds of reviewed requests for cross-fitted calibration.
_CALIBRATION_FOLDS = 5
#: The output column of each pair's combination term (rfl_match.mixture): what its
#: agreements taken together add to the comparisons' weights.
COMBINATION_COLUMN = "combination_weight"
#: With two kinds of non-match, the least share of matches the second EM may leave, of the
#: share with one kind (which m is held at): below it, one kind is kept (``_learn``).
CLASSES_KEPT_SHARE = 0.5
#: The output column of what a pair's rivals take off its weight (:func:`_compete`): 0 but
#: for a pair only the context rules proposed whose records have a likelier candidate.
COMPETITION_COLUMN = "competition_weight"
#: The output column, with ``one_request_per_person``, of what reading a pair with its
#: sighting's other candidate requests adds to its weight (:func:`_one_request`): more than
#: 0 for a sighting's likeliest request where the others are weak, less for the others.
SIGHTING_COLUMN = "sighting_weight"
#: The most ``one_request_per_person``'s scale g multiplies a pair's odds by
#: (:func:`_exclusive_scale`): predict keeps, before the sightings are read together, the
#: pairs whose odds times this reach the threshold's, with their weights: a higher cap
#: keeps more of them before the cut (64 held more memory at 1,000,000 a side). On
#: synthetic data g came out 1.6-5.2 (``python -m benchmarks speed``).
EXCLUSIVE_MAX_SCALE = 16.0
#: A record's candidates scored at least this are its rivals (:func:`_compete`); a weaker
#: one would take off at most log2(1 - 0.02), 0.03 bits.
RIVAL_FLOOR = 0.02
#: A predict or explain hands the table of name pieces it read (``prepare.PartTable``) to
#: the next call of its Linker where it holds at most this many pieces: a tracing tool's
#: lookups against its standing sightings then number only the pieces they have not met.
#: Synthetic data: 100,000 records a side hold 19,581 pieces, 944 bytes a piece with
#: their parts and keys (scratch /tmp/s67/tmem.py), so a table kept holds at most about
#: 95 MB.
KEEP_NAME_PIECES = 100_000
#: Records of a call's inputs (both lists) under which a Linker whose configuration leaves
#: the threads to the machine (``workers`` -1, the default) runs the call on one
#: (:func:`_few_on_one_thread`): its kernels' threads cost more than they save there.
#: ``python -m benchmarks speed`` (its lookup table, benchmarks/RESULTS.md): a request
#: against 1 / 100 / 1,000 sightings 53.1 / 75.3 / 90.4 ms on two threads, 31.5 / 45.3 /
#: 70.1 on one; its throughput rounds' 1,000 x 2,000 records, every pair, 0.28 against
#: 0.32 s wall. Medians of a saved model's predict, two workers against one (scratch
#: ``/tmp/s70/cross.py``): a request against 10,000 sightings 230 against 208 ms, 1,000
#: requests against 10,000 sightings 271 against 241 ms; against 100,000 alike (870 ms),
#: 3,000 against 30,000 586 against 610 ms; a fit of 500 x 1,000 records 0.175 against
#: 0.156 s (``/tmp/s70/fitw.py``), 10,000 a side alike.
FEW_RECORDS = 20_000
#: EM's u of a level it reads as an agreement is at least this share of the random pairs'
#: (:func:`_u_reference`): a level weighs at most a bit more than random pairs say. Candidate
#: non-matches may agree less often than random pairs where the levels are split by the
#: family name (by 1.2 to 1.5 times at 10,000 a side; held at the share itself, F1 fell
#: 0.003 there), but a u thousands of times lower is EM counting every pair at a rare
#: level a match: at 100 requests against 1,000 sightings, over six draws, false pairs at
#: a probability of 0.99 or more 10 -> 3 and F1 0.917 -> 0.927. With two classes of
#: non-match (``non_match_classes`` 2) the classes' u are learned again, not held.
U_FLOOR_SHARE = 0.5
#: Pseudo-non-matches EM adds to u's counts, spread over the levels as the random pairs
#: are (:func:`_u_reference`; a Dirichlet prior on u). Next to thousands of candidates it
#: is nothing; in a small caseload, a level few or no candidates show keeps a u nearer
#: what random pairs say, where EM alone takes it to 0: fitted on 150 requests against
#: their true sightings only, no candidate differs in sex, and a sex difference weighed 0
#: bits (now about -5.8; a fit that sees such pairs learns about -6.4). Synthetic data,
#: six draws each (F1 / log loss), without -> with: 100 requests x 1,000 sightings 0.9268
#: / 0.0495 -> 0.9327 / 0.0462, 200 x 2,000 0.8911 / 0.0465 -> 0.8928 / 0.0449, 1,000 x
#: 2,000 0.9296 / 0.0490 -> 0.9304 / 0.0479; 10,000 a side, seeds 7 / 8, F1 0.9012 /
#: 0.9028 -> 0.9014 / 0.9029 (10 pairs and 20 gained less, measured before the prior was
#: spread per half of a split comparison). With two classes of non-match
#: (``non_match_classes`` 2) it is not used: the classes' u are learned again.
U_PRIOR_PAIRS = 30
#: The share of true pairs taken to differ in sex (one record's sex written wrongly): EM
#: holds a sex difference at a weight of at most ``log2(SEX_ERROR / u)`` bits, u the random
#: pairs' share (about a half: -5.6 bits), through ``expectation_maximisation``'s
#: ``m_ratio_ceiling``. Candidate pairs seldom differ in sex, because the budget's score
#: counts a different sex 20 points against a pair (``kernels._SEX_DIFFERENT``), and those
#: that do are near namesakes in all else, so EM, which learns u among the candidates,
#: weighed a sex difference as nearly nothing: -2.8 bits at 10,000 records a side and -0.1
#: at 100,000 (synthetic data, whose true pairs never differ in sex), and explained a man
#: matched to a woman as "sex: different -0.1". F1 at 0.5 / largest calibration gap (p >=
#: 0.05) without -> with: 0.9226 / 0.041 -> 0.9228 / 0.044 at 10,000 a side, 0.8530 /
#: 0.022 -> 0.8533 / 0.0215 at 100,000, 0.7491 / 0.0661 -> 0.7497 / 0.0657 at 1,000,000
#: (scratch fits): the pairs it moves are few (43 false matches of a different sex at
#: 100,000). A small caseload whose candidates seldom differ in sex learns about -5.8 bits
#: anyway (``U_PRIOR_PAIRS``); with two kinds of non-match (``non_match_classes`` 2), whose
#: u are learned again after EM, it weighed -5.5 at 6,000 a side. 0: EM alone.
SEX_ERROR = 0.01
#: The key of ``training_`` that says a fit counted a place both records repeat in two
#: fields once (``compare.REPEATED_PLACES``); a model saved without it counts it twice.
PLACES_ONCE = "repeated_places_once"
#: The key of ``training_`` that says a fit read a family name field as a chain's second
#: name for the father's level only where the name chains
#: (``NameChainComparison.cross_family_field``); a model saved without it reads every one.
CROSS_CHAINS_ONLY = "father_cross_chains_only"
#: How a fit compares that a model saved before did not: the key of ``training_`` that
#: says a fit did, and the comparisons' attribute set to the value an older model compares
#: by where its ``training_`` lacks the key (``Linker.load``).
#: The key of ``training_`` that says a fit read two given-name fields whose first parts
#: agree and second parts differ as different given names
#: (``GivenNameComparison.second_given``); a model saved without it reads the first alone.
SECOND_GIVEN = "second_given_name"
#: The key of ``training_`` that says a fit split the birth by whether a pair reads as a
#: brother's or sister's (``compare.SiblingConditionedComparison``); a model saved without
#: it weighs the birth unsplit.
SIBLING_BIRTHS = "births_split_by_siblings"
REVISIONS: dict[str, tuple[type[Comparison], str, bool]] = {
    SIBLING_BIRTHS: (IntervalComparison, "sibling_split", False),
    PLACES_ONCE: (StringComparison, "once", False),
    CROSS_CHAINS_ONLY: (NameChainComparison, "cross_family_field", True),
    SECOND_GIVEN: (GivenNameComparison, "second_given", False),
}
#: Pairs whose explanations are joined at a time (:func:`explain_rows`).
EXPLAIN_ROWS = 1 << 16


class ModelError(ValueError):
    """A model file that cannot be loaded, or a Linker used before fit."""


#: What reading a model file's JSON raises where a value is of the wrong kind (a list for
#: a table, text for a number, null anywhere) or a key is missing: each a ModelError.
_WRONG_SHAPE = (KeyError, IndexError, TypeError, ValueError, AttributeError)


def _records(
    frame: pd.DataFrame, config: LinkConfig, source: str, input_name: str | None = None
) -> pd.DataFrame:
    """``frame`` validated as ``source`` (named so in the problems told), its dates read in
    the calendars the configuration names for it, by ``input_name`` (``source`` where
    none: :func:`config.calendars_of`)."""
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{source}: want a pandas DataFrame (see rfl_match.read_records)")
    # The configured date columns are checked too: a frame read_records validated without
    # them (it knows no configuration) is validated again, with them.
    dates = config.date_fields
    table = input_name or source
    calendars = calendars_of(config.calendars, table)
    # A frame read_records validated without the configuration's mapping, which names a
    # column it holds, is validated again, with it: else the column stays out of use.
    mapped = any(column in frame.columns and column != to for column, to in config.mapping.items())
    if not mapped and is_validated(frame, dates):
        if config.calendars:
            _say_calendars(frame, calendars, source if table == source else f"{source} ({table})")
        return _derived(_named_by_alternates(frame), dates)
    out = validate_records(
        frame, config.mapping or None, source=source, date_fields=dates, calendars=calendars
    )
    mark_validated(out, dates, calendars)
    return _derived(_named_by_alternates(out), dates)


def _derived(records: pd.DataFrame, dates: Sequence[str]) -> pd.DataFrame:
    """Validated ``records`` with the parents their names name (:func:`parents_named`),
    noted validated again where one is given: a run in partitions passes each task the
    sightings read once, which would be validated anew in every task."""
    out = parents_named(records)
    if out is not records:
        mark_validated(out, dates, validated_calendars(records))
    return out


def _say_calendars(frame: pd.DataFrame, calendars: Mapping[str, str], source: str) -> None:
    """A warning where a frame read already (by :func:`rfl_match.read_records`) was read
    in another calendar than the configuration reads one of its columns in (``calendars``,
    the input's: :func:`config.calendars_of`; a column it names none for, Gregorian, as
    where two inputs were swapped): its dates are what that reading made them (Gregorian
    days), and are not read again. Called where the configuration names calendars: a
    configuration that names none reads a frame as it was read, without a word."""
    read_in = validated_calendars(frame)
    held = {str(c) for c in frame.columns}
    other = {
        column: calendars.get(column, GREGORIAN)
        for column in dict.fromkeys([*calendars, *read_in])
        if column in held and read_in.get(column, GREGORIAN) != calendars.get(column, GREGORIAN)
    }
    if other:
        listed = ", ".join(
            f"{c!r} as {read_in.get(c, GREGORIAN)}, not {k}" for c, k in other.items()
        )
        warn(
            f"{source}: the records were read before (rm.read_records) with other calendars "
            f"than the configuration's ({listed}): their dates are read as they were then; "
            "read them with rm.read_records(..., calendars=...) as the configuration names"
        )


#: Problems a warning quotes (:func:`_say_problems`); the rest are counted.
SHOWN_PROBLEMS = 3


def _say_problems(given: pd.DataFrame, records: pd.DataFrame, source: str) -> None:
    """A warning for the problems found in a frame the Linker validated itself (a cell
    blanked as malformed, a value repaired, a row kept without a name), which would
    otherwise change the matching without a word: how many, the first few, and where to
    see them all. A frame that :func:`rfl_match.read_records` read (validated already,
    ``records is given``) holds its own in ``attrs["problems"]`` and is not told again."""
    problems = records.attrs.get("problems") or []
    if records is given or not problems:
        return
    _tell_problems(len(problems), [p.logged() for p in problems[:SHOWN_PROBLEMS]], source)


def _tell_problems(count: int, shown: Sequence[str], source: str) -> None:
    """The warning of :func:`_say_problems`: ``count`` problems, the first few ``shown``
    (a run in partitions, ``rfl_match.backends``, gathers them from its partitions)."""
    if not count:
        return
    more = count - len(shown)
    warn(
        f"{source}: {count:,} problem(s) found as the records were validated: "
        f"{'; '.join(shown)}" + (f"; and {more:,} more" if more > 0 else "") + ". "
        "rfl_match.read_records(frame) lists them all in attrs['problems'], and a frame it "
        "returns is validated once"
    )


def _validated(
    requests: pd.DataFrame,
    sightings: pd.DataFrame | None,
    config: LinkConfig,
    *,
    tell: bool = True,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Both inputs' records (:func:`_records`; no sightings: the requests, on both sides),
    with more than one worker each on a thread of its own (Arrow's steps leave the GIL).
    The error raised is the one reading them in turn gives, the requests' first, and the
    threads are over when it is raised. ``tell``: the problems validation found are said
    (:func:`_say_problems`); false in a partition of a run (``rfl_match.backends``), whose
    passes validate each partition again and again: the run says them once, counted in
    all its requests (``rfl_match.backends.partitions.say_problems``)."""
    if sightings is None:  # one list, read in the calendars of a dedupe's "records"
        left = _records(requests, config, "requests", "records")
        if tell:
            _say_problems(requests, left, "requests")
        return left, left
    sides = [(requests, "requests"), (sightings, "sightings")]
    left, right = threaded(lambda side: _records(side[0], config, side[1]), sides, config.workers)
    if tell:
        _say_problems(requests, left, "requests")
        _say_problems(sightings, right, "sightings")
    return left, right


def _named_by_alternates(records: pd.DataFrame) -> pd.DataFrame:
    """``records`` with the first of its alternate names as the full name of each record
    named only there (PFIF's ``alternate_names``, a list's aliases; ``;`` or a new line
    between them), so that it is blocked and compared as a full name is, where it could
    meet no one. A record with a name of its own is as it was: its alternates are not
    read (the names' comparisons read one name a record). A new frame where one changes;
    the caller's frame is never written to."""
    if "alternate_names" not in records.columns:
        return records
    alternates = records["alternate_names"]
    only = np.array(alternates != "", dtype=bool)
    for column in PERSON_COLUMNS:
        if column in records.columns:
            only &= np.asarray(records[column] == "", dtype=bool)
    if not only.any():
        return records
    # the first that is not blank: a cell may start with a separator ("; Mohammed Ali")
    leading = alternates[only].str.replace(r"^[\s;]+", "", regex=True)
    first = leading.str.split(r"[;\n]", n=1, regex=True).str[0].str.strip()
    if "full_name" in records.columns:
        full = records["full_name"].copy()
    else:
        full = pd.Series("", index=records.index, dtype=alternates.dtype)
    full[only] = first
    return records.assign(full_name=full)


def _check_inputs(config: LinkConfig, left: pd.DataFrame, right: pd.DataFrame) -> None:
    """The checks of two inputs against each other and the configuration before blocking:
    their encodings (:func:`_check_encodings`), the rules' columns
    (:func:`_check_rule_columns`)."""
    _check_encodings(left, right)
    _check_rule_columns(config, left, right)


def _check_encodings(left: pd.DataFrame, right: pd.DataFrame) -> None:
    """Records encoded by ``rfl_match.privacy`` link only with records encoded alike: the
    same ``encoding`` text (scheme, settings, the key's check value) on both sides, or
    their filters and keys do not compare (a filter under another key is unrelated).
    Within one input, validation refuses two encodings. A frame without filters is not
    encoded, whatever a column of its own called ``encoding`` holds."""
    found = [next(iter(encodings_of(frame)), None) for frame in (left, right)]
    if found[0] != found[1]:
        shown = [said_encoding(value) if value else "none" for value in found]
        raise RecordError(
            [
                Problem(
                    None,
                    ENCODING_FIELD,
                    f"the requests' encoding is {shown[0]}, the sightings' {shown[1]}: records "
                    "link only with records encoded with the same key and settings",
                )
            ],
            "inputs",
        )


def _check_fitted_encoding(fitted: object, left: pd.DataFrame) -> None:
    """New frames for a model fitted on encoded records must be encoded as those were (the
    same key, settings and reading of names): under another key every filter and key is
    unrelated, and the model would find nothing, unsaid. A model fitted on names in clear
    (or saved before it noted an encoding) reads any."""
    now = next(iter(encodings_of(left)), "")
    if fitted and now != fitted:
        shown = said_encoding(now) if now else "names in clear"
        raise RecordError(
            [
                Problem(
                    None,
                    ENCODING_FIELD,
                    f"the model was fitted on records encoded as {said_encoding(str(fitted))}; "
                    f"these are {shown}: encode them with the same key and settings, or fit "
                    "again",
                )
            ],
            "inputs",
        )


def _check_rule_columns(config: LinkConfig, left: pd.DataFrame, right: pd.DataFrame) -> None:
    """A blocking rule's ``field:``, ``class:`` or ``tokens:`` column must be a column of
    one input at least (fit, predict on new frames, the blocking report): a misspelt
    column would block on nothing, silently. A column one input lacks reads as blank
    there. The default context rules, which name columns many exports lack (a parent's
    name, a place), are let be. Inputs without a name in clear (the encoded record format,
    ``rfl_match.privacy``) need a rule that reads no name: the defaults' would find no
    pair, and EM fail."""
    for frame, side in ((left, "requests"), (right, "sightings")):
        if any(column in frame.columns for column in NAME_FIELDS):
            continue
        if all(any(reads_names(key) for key in rule) for rule in config.blocking):
            raise ConfigError(
                f"blocking: every rule reads names in clear ({', '.join(NAME_FIELDS)}), which "
                f"the {side} lack (records encoded by rfl_match.privacy?): block on "
                "'tokens:name_keys', the encoded records' keys, alone or with a birth key"
            )
    named = [("blocking", config.blocking), ("context_blocking", config.context_blocking)]
    for option, rules in named:
        for rule in rules:
            if option == "context_blocking" and rule in CONTEXT_BLOCKING:
                continue
            for key in rule:
                column = key_column(key)
                if column and column not in left.columns and column not in right.columns:
                    raise ConfigError(
                        f"{option}: {key!r} names {column!r}, a column of neither input"
                    )


#: A chunk of pairs to score: its left and right rows, where it starts among the pairs,
#: and its level matrix (None where fit's patterns of the pairs serve).
_Chunk = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], int, npt.NDArray[np.int8] | None]


@dataclass(frozen=True)
class Evidence:
    """What :meth:`Linker.fit` learns a model from (:meth:`Linker._learn`), however it
    was gathered (one process, or partitions, ``rfl_match.backends``).

    ``random_levels``: the level matrix of the random pairs (:func:`random_draws`).
    ``patterns`` and ``counts``: the distinct level patterns of the candidate pairs a
    model learns from, and how many pairs have each; ``n_learned`` those pairs in all.
    ``sizes``: the records of each side. ``tf_rows``: given the model, the learned
    pairs grouped by pattern and term-frequency bits (:meth:`Linker._tf_patterns`, a
    pattern's rows together). ``reviewed``: the reviewed pairs (labels) as rows and
    levels (:meth:`Linker._from_labels`), if any; ``score``: a model's weights and
    combination term of such rows (:meth:`Linker._score`). ``dedupe``: one list against
    itself, both sides (:attr:`records`).
    """

    random_levels: npt.NDArray[np.int8]
    patterns: npt.NDArray[np.int8]
    counts: npt.NDArray[np.int64]
    n_learned: int
    sizes: tuple[int, int]
    tf_rows: Callable[[FellegiSunterModel], _TfRows]
    reviewed: Callable[[], _Reviewed] | None = None
    score: (
        Callable[
            [FellegiSunterModel, npt.NDArray[np.intp], npt.NDArray[np.intp]],
            tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]],
        ]
        | None
    ) = None
    dedupe: bool = False

    @property
    def records(self) -> float:
        """The records given, both lists, one list once (a dedupe's is both its sides):
        what :func:`_tf_shifts` reads, as predict reads them (:func:`_given_records`)."""
        return float(self.sizes[0] if self.dedupe else sum(self.sizes))


#: Predict's inputs validated and prepared, and their candidate pairs (``Linker._prepared``).
_Prepared = tuple[pd.DataFrame, pd.DataFrame, PreparedPair, CandidatePairs]
#: Learned pairs grouped by pattern and term-frequency bits: patterns, counts, bits,
#: whether each carries the bits of a value agreed on, and whether each carries those of
#: the more common of its two values at a level a term-frequency level bounds
#: (:meth:`Linker._tf_patterns`).
_TfRows = tuple[
    npt.NDArray[np.int8],
    npt.NDArray[np.int64],
    npt.NDArray[np.float64],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
]
#: Reviewed pairs: request rows, sighting rows, their levels, whether each is a match, and
#: whether only the context rules proposed it.
_Reviewed = tuple[
    npt.NDArray[np.intp],
    npt.NDArray[np.intp],
    npt.NDArray[np.int8],
    npt.NDArray[np.bool_],
    npt.NDArray[np.bool_],
]


def random_draws(
    config: LinkConfig, n_left: int, n_right: int
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """The random pairs that estimate u, as positions of each side's records in the order
    of their ids (``config.u_sample_pairs`` of them, by ``config.seed``): the same
    records in any order, or in partitions, give the same pairs."""
    rng = np.random.default_rng(config.seed)
    size = config.u_sample_pairs
    return rng.integers(0, n_left, size=size), rng.integers(0, n_right, size=size)


@functools.cache
def _malloc_trim() -> Callable[[int], int] | None:
    """The C library's ``malloc_trim`` (glibc's; None where the library has none)."""
    try:
        trim: Callable[[int], int] | None = getattr(ctypes.CDLL(None), "malloc_trim", None)
    except (OSError, TypeError):  # no C library to load by that name (Windows)
        return None
    return trim


def release_freed_memory() -> None:
    """Hand the pages of the heap that freed arrays left back to the system, where the C
    library can (glibc's ``malloc_trim``; elsewhere nothing). A phase of a fit frees
    hundreds of MiB of small arrays that glibc otherwise keeps for the process, where the
    next phase's own arrays then add to them: at 1,000,000 records a side, trimmed at each
    phase's end (a few ms each), the fit's peak RSS read 3,622 and 3,669 MiB against
    3,773 and 3,691 untrimmed, and the fitted process held 2,722 MiB against 3,107 (two
    runs each, VmHWM of each phase; results the same)."""
    trim = _malloc_trim()
    if trim is not None:
        trim(0)


class _Laps:
    """Wall seconds of the phases of one call, each lap timed from the end of the last;
    the memory a phase freed is handed back as it ends (:func:`release_freed_memory`)."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, phase: str) -> None:
        now = time.perf_counter()
        self.seconds[phase] = self.seconds.get(phase, 0.0) + now - self._last
        release_freed_memory()  # its few ms count in the next phase
        self._last = now


_P = ParamSpec("_P")
_R = TypeVar("_R")


def _few_on_one_thread(method: Callable[_P, _R]) -> Callable[_P, _R]:
    """A Linker method run with one worker where its configuration leaves the threads to
    the machine (``workers`` -1) and its inputs (``requests`` and ``sightings``, or
    ``records``; the last inputs seen where it is given none) hold fewer than
    :data:`FEW_RECORDS` records: the configuration says -1 again when it returns or
    raises. What it computes is the same on any number of threads."""
    signature = inspect.signature(method)

    @functools.wraps(method)
    def call(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        self = cast(Linker, args[0])
        given = signature.bind(*args, **kwargs).arguments
        frames = [
            value
            for name in ("requests", "sightings", "records")
            if isinstance(value := given.get(name), pd.DataFrame)
        ]
        if not frames and self._last is not None:
            frames = list(self._last)
        if self.config.workers != -1 or sum(len(frame) for frame in frames) >= FEW_RECORDS:
            return method(*args, **kwargs)
        self.config = replace(self.config, workers=1)
        try:
            return method(*args, **kwargs)
        finally:
            self.config = replace(self.config, workers=-1)

    return call


class Linker:
    """Links tracing requests to sightings (or finds duplicates within one list).

    >>> import rfl_match as rm
    >>> linker = rm.Linker()                      # the default RFL configuration
    >>> # linker.fit(requests, sightings).predict(requests, sightings, top_k=5)
    """

    def __init__(self, config: LinkConfig | Mapping[str, Any] | None = None) -> None:
        if config is None:
            config = LinkConfig()
        elif isinstance(config, Mapping):
            config = LinkConfig.from_dict(dict(config))
        elif not isinstance(config, LinkConfig):
            raise ConfigError("Linker(config): want a LinkConfig, a dict or None")
        self.config: LinkConfig = config
        self.specs_: list[ComparisonSpec] = []
        self.model_: FellegiSunterModel | None = None
        self.training_: dict[str, Any] = {}
        self._last: tuple[pd.DataFrame, pd.DataFrame] | None = None
        self._session: _Session | None = None
        # What fit last resolved condition_on "auto" to, while the config still holds it
        # (a fit again on other data resolves it again); None: the config was not "auto".
        self._auto_anchor: str | None = None
        # The comparisons condition_on splits (all but its anchor): as a fit splits them,
        # or as the file a model was loaded from did (its format version).
        self._conditioned: tuple[str, ...] = CONDITIONED_COMPARISONS
        # Whether births a generation apart are a level of their own (compare.GENERATION):
        # as a fit learns them, or not, as a model saved before that level learned them
        # (its levels say which: load).
        self._generation = True
        # Which of REVISIONS this Linker compares by: all, as a fit does, or those a
        # model saved before did (its training_ says which: load).
        self._revisions = frozenset(REVISIONS)
        # A partition of a run in partitions (rfl_match.backends): what it shares with
        # the whole run (prepare.Partition), for the frames it prepares.
        self._partition: Partition | None = None
        # The name pieces the last predict or explain read, and the culture it read them
        # with, for the next call's preparing (_prepare, _keep_names).
        self._names: tuple[str | None, PartTable] | None = None
        # Per input ("requests", "sightings", a dedupe's "records"), the last frame that
        # a predict or explain validated itself, as (its identity, the configuration, its
        # content's digest, its records): _inputs(remember=True).
        self._read: dict[str, tuple[tuple[Any, ...], LinkConfig, bytes, pd.DataFrame]] = {}

    def __getstate__(self) -> dict[str, Any]:
        """The state a pickle holds (joblib, a Dask or multiprocessing task, a cache):
        the configuration and the model, not the last inputs nor what fit prepared of
        them for a predict on the same records (``_last``, ``_session``: the records,
        the columns of the user's own with them). A run in partitions ships its tasks so
        already (``backends.partitions.task_linker``)."""
        return {**self.__dict__, "_last": None, "_session": None, "_names": None, "_read": {}}

    # A copy in this process keeps them (copy and deepcopy would read __getstate__), but
    # not the table of name pieces, which one call at a time reads and grows (the copies
    # of a run in partitions prepare on threads of their own), nor the records validated
    # last, each copy its own.
    def __copy__(self) -> Linker:
        copied = type(self).__new__(type(self))
        copied.__dict__.update(self.__dict__, _names=None, _read={})
        return copied

    def __deepcopy__(self, memo: dict[int, Any]) -> Linker:
        copied = type(self).__new__(type(self))
        memo[id(self)] = copied
        state = {k: v for k, v in self.__dict__.items() if k not in ("_names", "_read")}
        copied.__dict__.update(copy.deepcopy(state, memo), _names=None, _read={})
        return copied

    # --- stages ---------------------------------------------------------------------

    def _inputs(
        self, requests: pd.DataFrame, sightings: pd.DataFrame | None, *, remember: bool = False
    ) -> tuple[pd.DataFrame, pd.DataFrame]:
        """Both inputs validated (:func:`_validated`), their problems told unless this
        Linker is a partition of a run, whose passes validate each partition again.

        ``remember``: a frame validated here (not one :func:`read_records` returned, as
        it returned it) is held with its records; given again unchanged (the same object,
        its content's digest the same, and the configuration), as a tool gives its
        standing sightings at each lookup, it reads as those records, not validated
        again (its problems were told the first time). A frame changed in place is
        validated anew."""
        if not remember or self._partition is not None:
            return _validated(requests, sightings, self.config, tell=self._partition is None)
        names = ("records",) if sightings is None else ("requests", "sightings")
        given = (requests,) if sightings is None else (requests, sightings)
        read = [self._remembered(name, frame) for name, frame in zip(names, given, strict=True)]
        left, right = _validated(read[0], None if sightings is None else read[1], self.config)
        for name, frame, seen, records in zip(names, given, read, (left, right), strict=False):
            if seen is frame and not is_validated(frame, self.config.date_fields):
                digest = frame_digest(frame)
                if digest is not None:
                    self._read[name] = (_identity(frame, None), self.config, digest, records)
        return left, right

    def _remembered(self, name: str, frame: pd.DataFrame) -> pd.DataFrame:
        """The records :meth:`_inputs` holds for input ``name`` where ``frame`` is the
        frame they were validated from, unchanged, with this configuration; else
        ``frame``."""
        held = self._read.get(name)
        if (
            held is None
            or not isinstance(frame, pd.DataFrame)
            or held[0] != _identity(frame, None)
            or held[1] != self.config
        ):
            return frame
        return held[3] if frame_digest(frame) == held[2] else frame

    def _comparisons(self) -> list[Comparison]:
        built = [build_comparison(spec) for spec in self.specs_]
        for c in built:
            if isinstance(c, IntervalComparison) and not self._generation:
                c.generation = False
            for key, (kind, attribute, before) in REVISIONS.items():
                if isinstance(c, kind) and key not in self._revisions:
                    setattr(c, attribute, before)
        anchor = self.config.condition_on
        names = [c.name for c in built]
        if not anchor or anchor not in names:
            return built
        agreeing = built[names.index(anchor)].agreeing_level
        return [
            ConditionedComparison(c, anchor, agreeing)
            if c.name in self._conditioned and c.name != anchor
            else SiblingConditionedComparison(c)
            if isinstance(c, IntervalComparison) and c.sibling_split and anchor == "family_name"
            else c
            for c in built
        ]

    def _resolve_specs(self, left: pd.DataFrame, right: pd.DataFrame) -> list[ComparisonSpec]:
        specs: list[ComparisonSpec] = []
        if self.config.default_comparisons:
            specs.extend(
                default_specs(
                    list(left.columns),
                    list(right.columns),
                    term_frequency=self.config.term_frequency,
                    split=bool(self.config.condition_on),
                )
            )
        for spec in self.config.compare:
            for side, frame in (("requests", left), ("sightings", right)):
                if (
                    spec.kind not in ("birth", "given_name", "family_name")
                    and spec.field not in frame.columns
                ):
                    raise ConfigError(
                        f"compare: field {spec.field!r} is not a column of the {side}"
                    )
            specs = [s for s in specs if s.label != spec.label] + [spec]
        if not specs:
            raise ConfigError(
                "nothing to compare: the two inputs share no name column and "
                "the configuration names no comparison"
            )
        return specs

    def _prepare(self, left: pd.DataFrame, right: pd.DataFrame) -> PreparedPair:
        """Both frames to prepare, their names read into the table of name pieces the
        last predict or explain left (:meth:`_keep_names`) where it read them with the
        same culture: the pieces met before are not read and numbered again, and the
        prepared codes are those a new table gives (they are numbered in the order the
        frames' names meet them). The table is taken: a call on another thread
        meanwhile reads into a new one."""
        culture = self.config.culture or None
        kept = self.__dict__.pop("_names", None)  # one step: no two calls take the same
        self._names = None
        return PreparedPair(
            left,
            right,
            culture=culture,
            workers=self.config.workers,
            chains=bool(self.config.condition_on),
            partition=self._partition,
            name_parts=kept[1] if kept is not None and kept[0] == culture else PartTable(),
        )

    def _keep_names(self, data: PreparedPair) -> None:
        """Hold the table of name pieces of ``data``, which a call has done with, for the
        next call (:meth:`_prepare`), where it holds at most :data:`KEEP_NAME_PIECES`;
        not that of fit's records, which a predict on them may read further. A call that
        fails leaves none: its table may be half grown."""
        fits = self._session is not None and data is self._session.data
        if not fits and len(data.name_parts) <= KEEP_NAME_PIECES:
            self._names = (data.culture, data.name_parts)

    def _block(self, data: PreparedPair, dedupe: bool) -> CandidatePairs:
        return block(
            data,
            self.config.blocking,
            max_block=self.config.max_block_size,
            dedupe=dedupe,
            window=self.config.sorted_window,
            per_record=self.config.candidates_per_record,
            within=self.config.candidates_within,
            workers=self.config.workers,
            context=self.config.context_blocking,
            context_per_record=self.config.context_candidates,
        )

    # --- fit ------------------------------------------------------------------------

    @_few_on_one_thread
    def fit(
        self,
        requests: pd.DataFrame,
        sightings: pd.DataFrame | None = None,
        *,
        labels: pd.DataFrame | None = None,
        em: bool = True,
    ) -> Linker:
        """Learn the model: u from random pairs, m and the prior by EM over the candidate
        pairs (and/or from reviewed pairs in ``labels``: request_id, sighting_id, is_match,
        or a review file with its ``decision`` column filled in; a blank is no decision, and
        its row is left out: see :func:`checked_decisions`),
        then (``non_match_classes`` 2, with EM) the non-matches split into relatives and
        namesakes by a second EM with m held fixed (rfl_match.mixture).

        With one input, learns to find duplicates within it. Returns self. The prepared
        records, candidate pairs and their level patterns stay with the Linker (not in
        the saved model), so that ``predict`` on the same, unchanged frames with the same
        configuration compares nothing again; a Linker from :meth:`load` starts without
        them.

        ``training_`` then holds counts (candidate pairs, patterns, random pairs) and, in
        ``fit_seconds``, the wall seconds of each phase (a column is prepared when it is
        first read: names by the random pairs). A fit that fails leaves a fitted or loaded
        Linker as it was (a new one keeps the comparisons it resolved, for
        :meth:`no_matches` where blocking found no pair).
        """
        with self._kept_on_failure():
            return self._fit(requests, sightings, labels, em)

    @contextmanager
    def _kept_on_failure(self, *, always: bool = False) -> Iterator[None]:
        """What a fit changes (the configuration's resolved anchor, the comparisons and
        which of them are split, the model and what is kept of the fit), put back where it
        fails if there was a model (or ``always``): it predicts as it did (a version 8
        file's split kept)."""
        names = (
            "config", "specs_", "model_", "training_", "_auto_anchor", "_conditioned",
            "_generation", "_revisions",
        )  # fmt: skip
        before = {name: getattr(self, name) for name in (*names, "_session", "_last")}
        try:
            yield
        except BaseException:
            if always or before["model_"] is not None:
                for name, value in before.items():
                    setattr(self, name, value)
            raise

    def _fit(
        self,
        requests: pd.DataFrame,
        sightings: pd.DataFrame | None,
        labels: pd.DataFrame | None,
        em: bool,
    ) -> Linker:
        """:meth:`fit`, which puts the Linker back where this fails."""
        laps = _Laps()
        dedupe = sightings is None
        # numba loads as the records are read; its first load allocates a few hundred
        # thousand objects, none of them garbage, that the collector would rescan 137
        # times on the load's path, which validation waits for (0.1 CPU-s at 10,000
        # records a side, 0.25 at 100,000: the collections also scan the inputs' objects).
        with paused_gc(), warming_up(self.config.workers):
            left, right = self._inputs(requests, sightings)
            _check_inputs(self.config, left, right)
        laps.lap("validate")
        # The inputs' fingerprint, for a predict on them, is taken beside what follows (on
        # one thread of its own: the others are busy).
        content = in_background(lambda: _fingerprint(requests, sightings), self.config.workers)
        named, comparisons = self._fit_comparisons(left, right)
        data = self._prepare(left, right)
        data.read_ahead([read for c in comparisons for read in c.reads()])

        # u: random pairs are almost all non-matches. They are drawn from the records in
        # the order of their ids, not of their rows: the same records in another order
        # give the same model.
        at_left, at_right = random_draws(self.config, len(left), len(right))
        li, ri = _by_id(left)[at_left], _by_id(right)[at_right]
        if dedupe:
            keep = li != ri
            li, ri = li[keep], ri[keep]
        random_levels = level_matrix(comparisons, data, li, ri)
        laps.lap("prepare + random pairs")

        # EM runs on the candidate pairs, where the model is used: their non-matches share a
        # name key and often a culture, so u among them is learned too. It starts from the
        # pairs that agree strongly on everything known (seed_parameters), and a prior on m
        # (matches mostly agree, graded) keeps it on the match / non-match split rather
        # than another split of the candidates (one family; one birth year).
        # The prior is the share of matches among candidates.
        pairs = self._block(data, dedupe)
        laps.lap("blocking")
        all_patterns, all_counts, pair_patterns = self._patterns(comparisons, data, pairs)
        # The model learns from the budget's pairs only: those the context rules chose are
        # scored, but not learned from (blocking.CandidatePairs.context_only).
        patterns, counts = _learned_patterns(all_patterns, all_counts, pair_patterns, pairs)
        evidence = Evidence(
            random_levels,
            patterns,
            counts,
            pairs.n_learned,
            (len(left), len(right)),
            lambda model: self._tf_patterns(
                model, data, comparisons, pairs, all_patterns, pair_patterns
            ),
            None
            if labels is None
            else lambda: self._from_labels(
                labels, left, right, comparisons, data, dedupe, pairs.context_rows
            ),
            lambda model, rl, rr: self._score(data, comparisons, rl, rr, model=model)[1:],
            dedupe=dedupe,
        )
        ceilings = self._learn(comparisons, evidence, laps, em=em, named=named)
        if ceilings is None:  # fitted again, unsplit
            content()  # its thread over, and the warning state with it (warn.py)
            self._fit(requests, sightings, labels, em)
            self._auto_anchor = None if named else ""
            return self
        self._last = (left, right)
        self._session = _Session(
            _identity(requests, sightings),
            content(),
            self.config,
            left,
            right,
            data,
            pairs,
            all_patterns,
            pair_patterns,
        )
        laps.lap("fingerprint")
        self._trained(
            comparisons,
            evidence,
            ceilings,
            laps,
            em=em,
            named=named,
            candidate_pairs=len(pairs),
            random_pairs=len(li),
            dedupe=dedupe,
            left=left,
        )
        return self

    def _fit_comparisons(
        self, left: pd.DataFrame, right: pd.DataFrame
    ) -> tuple[bool, list[Comparison]]:
        """The comparisons a fit on these records learns (``specs_`` resolved from their
        columns), and whether ``condition_on`` was named (not ``"auto"``)."""
        self.specs_ = self._resolve_specs(left, right)
        self._conditioned = CONDITIONED_COMPARISONS
        self._generation = True
        self._revisions = frozenset(REVISIONS)
        # condition_on "auto": the family name where it splits, else none, unwarned; the
        # config then says which (and a fit again resolves it again).
        named = self.config.condition_on not in (CONDITION_AUTO, self._auto_anchor)
        if not named:
            self.config = replace(self.config, condition_on=AUTO_ANCHOR)
        comparisons = self._comparisons()
        if self.config.condition_on and not any(
            isinstance(c, ConditionedComparison) for c in comparisons
        ):
            self._fit_unsplit("is not among the comparisons, or splits none", announce=named)
            self.specs_ = self._resolve_specs(left, right)  # as a fit unsplit resolves them
            comparisons = self._comparisons()
        return named, comparisons

    def _trained(
        self,
        comparisons: list[Comparison],
        evidence: Evidence,
        ceilings: list[Hold | None],
        laps: _Laps,
        *,
        em: bool,
        named: bool,
        candidate_pairs: int,
        random_pairs: int,
        dedupe: bool,
        left: pd.DataFrame,
    ) -> None:
        """What a fit notes of itself (``training_``), once the model is learned from
        ``left`` (or a partition of them) and the sightings; and, ``condition_on`` being
        ``"auto"`` (not ``named``), what it resolved to (``_auto_anchor``)."""
        self.training_ = {
            "candidate_pairs": candidate_pairs,
            "context_pairs": candidate_pairs - evidence.n_learned,
            "patterns": len(evidence.counts),
            "random_pairs": random_pairs,
            "dedupe": dedupe,
            # The ceiling EM held a birth a generation apart at (0: none): the largest,
            # and per comparison with such a level.
            "far_birth_m": max((h[1] for h in ceilings if h), default=0.0) if em else 0.0,
            "far_birth_m_by_comparison": {
                c.name: held[1]
                for c, held in zip(comparisons, ceilings, strict=True)
                if em and held
            },
            "fit_seconds": laps.seconds,
            # The encoding of encoded inputs (rfl_match.privacy), "" for names in clear:
            # new frames must be encoded alike (a filter under another key is unrelated).
            "encoding": next(iter(encodings_of(left)), ""),
            # How this fit compares (REVISIONS): a model saved without a key compares
            # as it did before (a place both records repeat counted twice, ...).
            **dict.fromkeys(REVISIONS, True),
        }
        self._auto_anchor = None if named else self.config.condition_on

    def _learn(
        self,
        comparisons: list[Comparison],
        evidence: Evidence,
        laps: _Laps,
        *,
        em: bool,
        named: bool,
    ) -> list[Hold | None] | None:
        """What :meth:`fit` learns from its evidence, as the model (``model_``): u from the
        random pairs, m and the prior by EM over the candidates' patterns, the
        term-frequency maps and the calibration (each phase a lap of ``laps``). Returns
        the ceilings EM held a birth a generation apart at, per comparison; ``None``
        where the split by ``condition_on`` has too little to learn from: the config is
        then unsplit (:meth:`_fit_unsplit`), for the caller to fit again."""
        n_levels = tuple(c.n_levels for c in comparisons)
        random_levels, patterns, counts = evidence.random_levels, evidence.patterns, evidence.counts
        n_learned = evidence.n_learned
        if _anchor_agreements(comparisons, patterns, counts) < _MIN_ANCHOR_PAIRS:
            # The second halves would hold nothing to learn from: fitted as if unsplit.
            self._fit_unsplit(
                f"agrees on fewer than {_MIN_ANCHOR_PAIRS} candidate pairs "
                "(always missing or different)",
                announce=named,
            )
            self._auto_anchor = None
            return None
        # Comparisons split by an anchor's agreement (condition_on): learned within each half.
        split = any(isinstance(c, ConditionedComparison) for c in comparisons)
        groups = [c.level_groups for c in comparisons] if split else None
        base = [c.base_levels for c in comparisons] if split else None
        u = [
            level_shares(random_levels[:, c], n, None, group_of(groups, c))
            for c, n in enumerate(n_levels)
        ]
        u_random = [x.copy() for x in u]
        floor_shares, prior_shares = _u_reference(comparisons, u_random, random_levels)
        u_floors = [U_FLOOR_SHARE * x for x in floor_shares]
        # With two classes of non-match, their u are learned again (mixture, with pseudo
        # pairs of its own) and m is pooled against EM's: a prior EM's u holds and theirs
        # does not would leave m unpooled where their u is low (a sex difference weighing
        # for a match), so EM runs without it there.
        u_priors = (
            [U_PRIOR_PAIRS * x for x in prior_shares]
            if self.config.non_match_classes == 1
            else None
        )
        self._warn_constant(comparisons, patterns, counts)
        laps.lap("comparing")
        m = [starting_m(n, group_of(groups, c)) for c, n in enumerate(n_levels)]
        prior = float(np.clip(min(evidence.sizes) / max(n_learned, 1), 1e-4, 0.5))
        seeded = seed_parameters(patterns, counts, n_levels, groups, base)
        if seeded is not None:
            m, u, prior = seeded
        u_unlabelled = u
        reviewed = None
        if evidence.reviewed is not None:
            reviewed = evidence.reviewed()
            m, u_labels, prior = parameters_from_labels(
                reviewed[2], reviewed[3], n_levels, n_learned, groups
            )
            u = u_labels or u
        elif not em:
            raise ConfigError("fit(em=False) needs labels")

        # The ceiling on m of a birth a generation apart, per comparison with such a level:
        # as set, or (None) FAR_BIRTH_M unless the strongest pairs raise it (see below).
        far_birth_m = FAR_BIRTH_M if self.config.far_birth_m is None else self.config.far_birth_m
        far_levels = [c.far_level if far_birth_m > 0 else None for c in comparisons]
        ceilings = [None if at is None else (at, far_birth_m) for at in far_levels]

        # A sex difference weighs at most log2(SEX_ERROR / u) bits, u the random pairs'
        # share: the candidates' own u there is what the budget left.
        sex_holds = [
            (1, SEX_ERROR / float(u_random[k][1]))
            if isinstance(c, SexComparison) and SEX_ERROR > 0 and u_random[k][1] > 0
            else None
            for k, c in enumerate(comparisons)
        ]

        # The prior on m (matches mostly agree, graded) of an ordered comparison runs over
        # the levels some candidate pair shows: a level the data cannot show (the same date
        # of birth where both lists give years only, as encoded records do) held a sixth of
        # m's mass that no pair could claim, and every level shown weighed less for it
        # (encoded synthetic data, 20,000 x 40,000, seeds 7-9: largest calibration gap
        # 0.172 / 0.170 / 0.146 -> 0.084 / 0.115 / 0.107, F1 +0.007 to +0.012). Such a
        # level then weighs as its neighbour (scoring.monotone_m pools it). A name's levels
        # are kinds of agreement, not pooled: one no candidate shows in a small fit keeps
        # its share of the prior, or a model would weigh it as a veto where it shows later.
        shown = [
            np.bincount(patterns[counts > 0, k].astype(np.intp), minlength=n) > 0
            for k, n in enumerate(n_levels)
        ]

        def learn(
            m: list[npt.NDArray[np.float64]], u: list[npt.NDArray[np.float64]], prior: float
        ) -> tuple[list[npt.NDArray[np.float64]], list[npt.NDArray[np.float64]], float, int, bool]:
            """EM from ``m``, ``u`` and ``prior`` (as given without EM): m, u, prior,
            iterations and whether it converged."""
            if not em:
                return m, u, prior, 0, True
            result = expectation_maximisation(
                patterns,
                counts,
                u,
                m,
                prior,
                max_iterations=self.config.em_max_iterations,
                tolerance=self.config.em_tolerance,
                m_prior=[
                    starting_m(n, group_of(groups, k), shown[k] if c.ordered else None)
                    if c.graded
                    else np.zeros(n)
                    for k, (n, c) in enumerate(zip(n_levels, comparisons, strict=True))
                ],
                m_prior_strength=self.config.em_m_prior,
                m_pseudo=(
                    [
                        np.zeros(n) if c.graded else one_match(n)
                        for n, c in zip(n_levels, comparisons, strict=True)
                    ]
                    if self.config.em_m_prior > 0
                    else None
                ),
                m_ceiling=[
                    _generation_holds(c, held)
                    for c, held in zip(comparisons, ceilings, strict=True)
                ],
                u_floor=u_floors,
                u_prior=u_priors,
                m_ratio_ceiling=sex_holds,
                workers=self.config.workers,
                groups=groups,
                tied=[c.base_levels if c.tied_m else None for c in comparisons],
            )
            return (
                held_m(result.m, result.u),
                result.u,
                result.prior,
                result.iterations,
                result.converged,
            )

        def held_m(
            m: list[npt.NDArray[np.float64]], u: list[npt.NDArray[np.float64]]
        ) -> list[npt.NDArray[np.float64]]:
            """m as learned, read against the u the model scores with: an ordered
            comparison's weight never falls as agreement grows (scoring.monotone_m), and a
            comparison of kinds of agreement keeps its weaker kinds at most as strong as the
            stronger (scoring.bounded_m)."""
            return [
                bounded_m(
                    monotone_m(x, y, group_of(groups, k)) if c.ordered else x, y, c.bounded_by
                )
                for k, (x, y, c) in enumerate(zip(m, u, comparisons, strict=True))
            ]

        def model_of(
            m: list[npt.NDArray[np.float64]],
            u: list[npt.NDArray[np.float64]],
            prior: float,
            iterations: int,
            converged: bool,
        ) -> FellegiSunterModel:
            """The model of what :func:`learn` found. Relatives and namesakes: one u per
            comparison cannot describe both, so with m as found, a second EM splits the
            non-matches in two (rfl_match.mixture)."""
            classes = None
            if em and self.config.non_match_classes == 2:
                found = fit_non_match_classes(
                    patterns,
                    counts,
                    m,
                    u,
                    prior,
                    [c.name for c in comparisons],
                    max_iterations=self.config.em_max_iterations,
                    tolerance=self.config.em_tolerance,
                    groups=groups,
                    base=base,
                    workers=self.config.workers,
                )
                if found is not None and found[1] < CLASSES_KEPT_SHARE * prior:
                    # With m held, the second EM only splits the non-matches, and the share
                    # of matches stays about as it was (10,000 a side: 0.0728 against 0.0731)
                    # but where a class of non-matches takes matches for relatives: on the
                    # bundled 500 x 1,000 unsplit (condition_on ""), 1e-12 against 0.231,
                    # no match at 0.5. (Split, 0.130 against 0.219 there, recall 0.66 and
                    # F1 0.79 against 0.97: kept, the tests' model of two kinds.)
                    warn(
                        f"non_match_classes: 2 took matches for relatives (a share of "
                        f"matches of {found[1]:.3g} against {prior:.3g} with one kind of "
                        "non-match: too few candidates to tell relatives from matches); "
                        "fitted with one kind of non-match"
                    )
                elif found is not None:
                    classes, prior = found
                    u = classes.marginal()
                    # Each comparison now weighs log2(m / the classes' mixed u), not the
                    # one-class u that m was held against: m is read so again (moved only
                    # within pooled levels, as after the first EM), or a weaker kind of
                    # agreement outweighed a stronger (given name 'similar spelling' +2.5
                    # bits against 'same name, different spelling' +0.2 on the bundled
                    # data; place of birth 'same' under 'similar'), and Linker.load said
                    # the fresh fit predated the bounds.
                    m = held_m(m, u)
            return FellegiSunterModel(
                names=[c.name for c in comparisons],
                labels=[list(c.labels) for c in comparisons],
                m_=m,
                u_=u,
                u_random_=u_random,
                prior_=float(prior),
                em_iterations_=iterations,
                em_converged_=converged,
                non_match_=classes,
            )

        learned = learn(m, u, prior)
        if em and self.config.far_birth_m is None:
            # Where the strongest pairs, matches whatever their births, often have a birth
            # far apart (estimated ages often far off), the ceiling is raised to what they
            # suggest and EM runs again with it (from where it stopped: 13 iterations
            # against 21 from the start at 100,000 a side); never lowered. Read off EM's
            # own model, before any split of the non-matches, which is fitted once, last.
            found = far_birth_from_strongest(
                patterns, counts, learned[0], learned[1], learned[2], far_levels
            )
            raised = [
                (held[0], estimate) if held and estimate and estimate > held[1] else held
                for held, estimate in zip(ceilings, found, strict=True)
            ]
            if raised != ceilings:
                ceilings[:] = raised
                learned = learn(*learned[:3])
        model = model_of(*learned)
        laps.lap("EM")
        # Term-frequency bits are read from name frequencies over all records, but weigh
        # candidate pairs, which blocking picked by name: each comparison's bits are mapped
        # to the Bayes factor they stand for among the candidates (candidate_tf_map, by EM
        # posteriors, no labels). The pairs grouped by pattern and raw bits serve the
        # unlabelled calibration too.
        tf_patterns, tf_counts, tf_bits, tf_carry, tf_bounded = evidence.tf_rows(model)
        tf_rows = (tf_patterns, tf_counts, tf_bits, tf_carry)
        model.tf_maps_ = _candidate_tf_maps(model, comparisons, *tf_rows)
        laps.lap("term frequencies")
        # The probability is the weight read through a monotone map fitted on top
        # (rfl_match.calibration). Without labels each comparison judges the others, on
        # the weights predict reads the map on: the patterns' and the pairs' term-frequency
        # bits (grouped by pattern and bits, never pair by pair). Reviewed pairs then
        # refit it about that map, cross-fitted: each fold of requests is scored by a
        # model trained without its labels, so no reviewed pair calibrates a model it
        # trained.
        # Each comparison with term frequencies holds a column of bits for every row: at
        # 1,000,000 records a side 7.8 million rows, 62 MB. The raw bits serve the folds'
        # maps alone: without them they are mapped in place (one table, not two); the
        # mapped bits are passed in a list emptied in the call, so that the fit frees them
        # once it has read them.
        mapped = [
            _lowering_only(
                comparisons,
                tf_patterns,
                tf_bounded,
                _candidate_bits(
                    model,
                    tf_bits,
                    tf_carry,
                    tf_bounded,
                    shifts=_tf_shifts(model, comparisons, evidence.records),
                    in_place=reviewed is None,
                ),
            )
        ]
        if reviewed is None:
            del tf_bits, tf_rows
        calibration = fit_on_comparisons(
            tf_patterns,
            tf_counts,
            model.m_,
            model.u_,
            model.prior_weight_,
            tf_bits=mapped.pop(),
            classes=model.non_match_,
            workers=self.config.workers,
            anchors=_anchors(comparisons),
        )
        if reviewed is not None:
            assert evidence.score is not None  # reviewed pairs come with their scoring
            rl, rr, rlevels, truth, context = reviewed
            folds = request_folds(rl, _CALIBRATION_FOLDS, self.config.seed)
            outcomes = truth[~context]  # those the map reads
            if len(np.unique(folds)) >= 2 and outcomes.any() and not outcomes.all():
                held_out = np.zeros(len(rl))
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")  # the full fit has warned already
                    for k in np.unique(folds).tolist():
                        out = folds == k
                        fm, fu, fp = parameters_from_labels(
                            rlevels[~out], truth[~out], n_levels, n_learned, groups
                        )
                        fold_model = model_of(*learn(fm, fu or u_unlabelled, fp))
                        fold_model.tf_maps_ = _candidate_tf_maps(fold_model, comparisons, *tf_rows)
                        weights, combined = evidence.score(fold_model, rl[out], rr[out])
                        held_out[out] = fold_model.prior_weight_ + weights.sum(axis=1) + combined
                # The reviewed pairs only the context rules proposed are left out of the
                # map: predict weighs them against their rivals (_compete), and the map
                # reads the budget's pairs, as the unlabelled map does.
                calibration = fit_on_labels(held_out[~context], outcomes, about=calibration)
            else:
                warn(
                    "labels: too few reviewed requests, or only one outcome, to calibrate "
                    "probabilities on; calibrating without labels",
                )
        model.calibration_ = calibration
        self.model_ = model
        laps.lap("calibration")
        return ceilings

    def _patterns(
        self, comparisons: list[Comparison], data: PreparedPair, pairs: CandidatePairs
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64], npt.NDArray[np.int32]]:
        """Distinct level patterns of the pairs, their counts, and each pair's pattern
        (kept so that a predict on the same inputs compares nothing again)."""
        n_levels = tuple(c.n_levels for c in comparisons)
        found = CodeTally()
        # A chunk's patterns are tallied (a serial pass) on a thread while the next chunk
        # is compared (with more than one worker); one chunk at a time, in order.
        coded = (
            pattern_codes(level_matrix(comparisons, data, cl, cr), n_levels)
            for cl, cr in pairs.chunks(self.config.chunk_pairs)
        )
        ids = [added.astype(np.int32) for added in pipelined(found.add, coded, self.config.workers)]
        codes, counts, rank = found.ranked()
        per_pair = rank.astype(np.int32)[np.concatenate(ids)] if ids else rank.astype(np.int32)
        return decode_patterns(codes, n_levels), counts, per_pair

    def _tf_patterns(
        self,
        model: FellegiSunterModel,
        data: PreparedPair,
        comparisons: list[Comparison],
        pairs: CandidatePairs,
        patterns: npt.NDArray[np.int8],
        pair_patterns: npt.NDArray[np.int32],
    ) -> tuple[
        npt.NDArray[np.int8],
        npt.NDArray[np.int64],
        npt.NDArray[np.float64],
        npt.NDArray[np.bool_],
        npt.NDArray[np.bool_],
    ]:
        """The candidate pairs a model learns from (not the context rules' own) grouped by
        level pattern and term-frequency bits (rounded to EVIDENCE_STEP): each group's
        pattern, its pairs, its bits per comparison, whether it agrees on a value there
        (carries bits, even 0), and whether it is at a level a term-frequency level
        bounds instead, both its values held (carries the bits of the more common of
        the two: :func:`_bounded_pairs`)."""
        # Each pair as a row (pattern index, then per term-frequency comparison 2 * steps + 1
        # where the pair agrees on a value, or at a level a term-frequency level bounds
        # those of the more common of its values, 0 where neither), counted over the
        # chunks. A value's steps depend on the value alone: reckoned once per value, not
        # per pair.
        steps = {
            c: 2 * np.round(bits / EVIDENCE_STEP).astype(np.int64) + 1
            for c, bits in _value_bits(model, data, comparisons).items()
        }
        found = RowTally(
            [0] + [min(0, int(s.min())) for s in steps.values()],
            [len(patterns) - 1] + [max(0, int(s.max())) for s in steps.values()],
        )
        tf_levels = _tf_levels(data, comparisons, patterns)
        at_tf = np.array([at_level for _, _, at_level in tf_levels], bool).reshape(
            len(tf_levels), len(patterns)
        )
        bounded = [
            (_bounded_at(comparisons[c], tf, patterns[:, c]), tf.frequency)
            for c, tf, _ in tf_levels
        ]
        # Each pair's row as its code, in one compiled pass (kernels.tf_codes), from its id.
        tables = (
            at_tf,
            *_tf_values(data, comparisons),
            list(steps.values()),
            found.low,
            found.spans,
        )

        def counted(start: int) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
            ids = pairs.ids[start : start + self.config.chunk_pairs]
            index = pair_patterns[start : start + len(ids)]
            skip = (
                None if pairs.context_only is None else pairs.context_only[start : start + len(ids)]
            )
            if found.fits:
                return found.counted_codes(
                    tf_codes(
                        ids, pairs.n_right, index, skip, *tables, self.config.workers, bounded
                    ),
                    self.config.workers,
                )
            cl, cr = np.divmod(ids, max(pairs.n_right, 1))
            if skip is not None:
                learned = ~skip
                cl, cr, index = cl[learned], cr[learned], index[learned]
            table = [index.astype(np.int64)]
            for t, (c, rows, values) in enumerate(_tf_agreements(tf_levels, cl, cr, index)):
                step = np.zeros(len(cl), dtype=np.int64)
                step[rows] = steps[c][values]
                rows, common = _bounded_pairs(bounded[t][0] > 0, tf_levels[t][1], cl, cr, index)
                step[rows] = steps[c][common]
                table.append(step)
            return found.counted(table)

        # Chunk by chunk in turn: on threads, a chunk each, it was no faster (300,000
        # records a side, an idle 2-core machine) and held a chunk more.
        for part in map(counted, range(0, len(pairs), self.config.chunk_pairs)):
            found.add_counted(part)
        distinct, counts = found.ranked(self.config.workers, narrow=True)
        # Column-major, zeros from calloc: the columns of comparisons without term
        # frequencies (most of them) stay untouched pages that take no memory.
        bits_out = np.zeros((len(distinct), patterns.shape[1]), order="F")
        carry = np.zeros(bits_out.shape, dtype=bool, order="F")
        under = np.zeros(bits_out.shape, dtype=bool, order="F")
        for k, c in enumerate(steps):
            step = distinct[:, k + 1]
            carry[:, c] = (step != 0) & at_tf[k][distinct[:, 0]]
            under[:, c] = (step != 0) & (bounded[k][0][distinct[:, 0]] > 0)
            bits_out[:, c] = (step - 1) // 2 * EVIDENCE_STEP * (step != 0)
        return patterns[distinct[:, 0]], counts, bits_out, carry, under

    def _fit_unsplit(self, why: str, *, announce: bool = True) -> None:
        """Warn (if ``announce``: the anchor was named, not ``"auto"``) that
        ``condition_on`` cannot split, and fit without it (the model is then written in the
        version it would have without the option)."""
        if announce:
            warn(f"condition_on: {self.config.condition_on!r} {why}; fitted unsplit")
        self.config = replace(self.config, condition_on="")

    @staticmethod
    def _warn_constant(
        comparisons: list[Comparison],
        patterns: npt.NDArray[np.int8],
        counts: npt.NDArray[np.int64],
    ) -> None:
        if not len(counts):  # no pair at all: EM says so (scoring.NoCandidatePairs)
            return
        for c, comparison in enumerate(comparisons):
            seen = np.bincount(
                patterns[:, c].astype(np.intp), weights=counts, minlength=comparison.n_levels
            )[1:]
            if np.count_nonzero(seen) <= 1:
                warn(
                    f"comparison {comparison.name!r} never varies among the candidate pairs "
                    "(always missing or always one level): it cannot tell matches apart",
                )

    def _from_labels(
        self,
        labels: pd.DataFrame,
        left: pd.DataFrame,
        right: pd.DataFrame,
        comparisons: list[Comparison],
        data: PreparedPair,
        dedupe: bool,
        context: Callable[[npt.NDArray[np.intp], npt.NDArray[np.intp]], npt.NDArray[np.bool_]]
        | None = None,
    ) -> _Reviewed:
        """The reviewed pairs as rows of the inputs: request row, sighting row, their
        comparison levels, whether each is a match, and whether only the context rules
        proposed it (``context``, of the rows; without it, none)."""
        check_labels(labels)
        decided, is_match = checked_decisions(labels[decision_column(labels.columns)])
        labels, is_match = labels[decided], is_match[decided]
        li, ri, known = _labelled_rows(labels, left, right, dedupe)
        li, ri, truth = li[known], ri[known], is_match[known]
        _check_decided_once(li, ri, truth, left, right)
        proposed = np.zeros(len(li), dtype=bool) if context is None else context(li, ri)
        return li, ri, level_matrix(comparisons, data, li, ri), truth, proposed

    # --- predict --------------------------------------------------------------------

    def _require_model(self) -> FellegiSunterModel:
        if self.model_ is None:
            raise ModelError("this Linker has no model yet: call fit() or Linker.load()")
        return self.model_

    def _score(
        self,
        data: PreparedPair,
        comparisons: list[Comparison],
        li: npt.NDArray[np.intp],
        ri: npt.NDArray[np.intp],
        *,
        model: FellegiSunterModel | None = None,
    ) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Levels, weights (bits, term frequencies included) and combination terms of
        pairs, by this Linker's model or the one given."""
        scored = self._scored_pairs(data, comparisons, li, ri, model=model)
        combination = np.zeros(len(li)) if scored.combination is None else scored.combination[0]
        return scored.levels, scored.weights, combination

    def _scored_pairs(
        self,
        data: PreparedPair,
        comparisons: list[Comparison],
        li: npt.NDArray[Any],
        ri: npt.NDArray[Any],
        *,
        model: FellegiSunterModel | None = None,
    ) -> _Scored:
        """Pairs scored as predict scores them, every one kept, in the order given."""
        model = self._require_model() if model is None else model
        n_levels = tuple(c.n_levels for c in comparisons)
        patterns, _, index = pattern_index(level_matrix(comparisons, data, li, ri), n_levels)
        weighed = _weigh_patterns(model, data, comparisons, patterns)
        return self._weigh(model, data, comparisons, li, ri, weighed, index, None)

    def _weigh(
        self,
        model: FellegiSunterModel,
        data: PreparedPair,
        comparisons: list[Comparison],
        li: npt.NDArray[np.intp],
        ri: npt.NDArray[np.intp],
        weighed: _Weighed,
        index: npt.NDArray[np.int32],
        threshold: float | None,
        value_bits: dict[int, npt.NDArray[np.float64]] | None = None,
        tf_values: tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]] | None = None,
        context: npt.NDArray[np.bool_] | None = None,
        sightings: int = 0,
    ) -> _Scored:
        """Score pairs given as indices into distinct level patterns, weighed once
        (:func:`_weigh_patterns`): pairs get their pattern's total plus their
        term-frequency bits (per value: ``value_bits``, from :func:`_value_bits` once per
        call of predict; the records' values: ``tf_values``, from :func:`_tf_values`), of
        the value agreed on or, at a level a term-frequency level bounds, of the more
        common of the two (:func:`_bounded_pairs`), and
        the weight matrices are built only for the pairs kept (probability >= threshold).
        Pairs whose weight stays under the calibration's floor for the threshold
        (:meth:`WeightCalibration.weight_floor`) are passed over first, in one compiled
        pass: the others are weighed as before, each the same.

        ``context``: which of the pairs the context rules alone proposed
        (:attr:`CandidatePairs.context_only`). The others scored
        :data:`RIVAL_FLOOR` or more are then kept as rivals (:func:`_compete`), and the
        context pairs are marked among the kept.

        ``sightings``: with ``one_request_per_person``, the number of sightings. Every
        pair is then weighed in one compiled pass (:func:`kernels.pair_weights`), the
        budget's pairs' odds summed by sighting (not the context rules' own, which the
        map is not fitted on), and the pairs kept whose odds :data:`EXCLUSIVE_MAX_SCALE`
        times reach the threshold's: the cut at the threshold waits for the sightings to
        be read together (:func:`_one_request`)."""
        by_value = _value_bits(model, data, comparisons) if value_bits is None else value_bits
        least = cut = threshold
        if sightings and threshold is not None:
            least = cut = _exclusive_floor(threshold)
        if context is not None and least is not None:
            least = min(least, RIVAL_FLOOR)
        floor = None if least is None else model.calibration_.weight_floor(least)
        odds = near = None
        if sightings or floor is not None:
            tfs = weighed.term_frequencies
            bounded = {c: at for c, _, at in weighed.bounded}
            tf_args = (
                [at_level for _, _, at_level in tfs],
                *(_tf_values(data, comparisons) if tf_values is None else tf_values),
                [by_value[c] for c, _, _ in tfs],
                li,
                ri,
            )
            tf_bounded = [
                (bounded.get(c, np.zeros(len(at), np.int8)), tf.frequency) for c, tf, at in tfs
            ]
            if sightings:
                # Every pair's weight in one pass: the budget's odds by sighting, and the
                # pairs over the floor (as weights_over finds them: the same sums).
                every = pair_weights(index, weighed.total, *tf_args, tf_bounded)
                budget = slice(None) if context is None else ~context
                odds = _odds_by_sighting(model.calibration_, every[budget], ri[budget], sightings)
                if floor is not None:
                    near = np.flatnonzero(every >= floor)
                del every
            elif floor is not None:
                near = weights_over(index, weighed.total, *tf_args, floor, tf_bounded)
        if near is not None:
            li, ri, index = li[near], ri[near], index[near]
            context = None if context is None else context[near]
        total = weighed.total[index]
        adjustments = [
            (c, rows, by_value[c][values])
            for c, rows, values in _tf_agreements(weighed.term_frequencies, li, ri, index)
        ]
        for c, tf, kinds in weighed.bounded:
            rows, common = _bounded_pairs(kinds > 0, tf, li, ri, index)
            bits = by_value[c][common]
            lowering = kinds[index[rows]] == TF_LOWERING
            adjustments.append((c, rows, np.where(lowering, np.minimum(bits, 0.0), bits)))
        for _, rows, bits in adjustments:
            total[rows] += bits
        rivals = None
        if threshold is None:
            keep, prob = np.arange(len(li)), model.probability(total)
        else:
            assert least is not None and cut is not None
            keep, prob = model.probability_over(total, least)
            if context is not None:
                learned = ~context[keep] & (prob >= RIVAL_FLOOR)
                rivals = (li[keep[learned]], ri[keep[learned]], prob[learned])
                over = prob >= cut
                keep, prob = keep[over], prob[over]
        patterns = weighed.patterns[index[keep]]
        weights = model.level_weights(patterns)
        # The adjusted pairs that are kept, found by a mask; their places by a search
        # among the kept (far fewer than the adjusted).
        kept = np.zeros(len(li), dtype=bool)
        kept[keep] = True
        for c, rows, bits in adjustments:
            inside = kept[rows]
            weights[np.searchsorted(keep, rows[inside]), c] += bits[inside]
        together = None
        if weighed.combination is not None:
            together = (weighed.combination[0][index[keep]], weighed.combination[1][index[keep]])
        return _Scored(
            li[keep],
            ri[keep],
            patterns,
            weights,
            together,
            total[keep],
            prob,
            None if context is None else context[keep],
            rivals,
            odds=odds,
        )

    @_few_on_one_thread
    def predict(
        self,
        requests: pd.DataFrame,
        sightings: pd.DataFrame | None = None,
        *,
        threshold: float | None = None,
        top_k: int | None = None,
        one_to_one: bool = False,
        pairs: pd.DataFrame | None = None,
    ) -> pd.DataFrame:
        """Scored candidate pairs at or over ``threshold``, the best ``top_k`` per request.

        ``rank`` is the pair's place among its request's candidates, strongest first.
        Candidates of equal weight share a rank, that of the first of them (1, 1, 3: two
        records with the same details are equally likely, and are listed by sighting id
        but ranked alike), and ``top_k`` keeps every candidate ranked ``top_k`` or better:
        with a tie at the last place kept, more than ``top_k`` rows, never an equal
        candidate dropped for its id.

        ``match_weight`` and the per-comparison weights are the Fellegi–Sunter evidence
        (bits); ``match_probability`` is the weight read through the model's calibration,
        fitted on top because the comparisons are not independent (rfl_match.calibration).

        Columns: request_id, sighting_id, match_probability, match_weight, rank,
        explanation, then ``<comparison>_level`` and ``<comparison>_weight`` for each
        comparison, and for a model with two kinds of non-match (``non_match_classes``
        2) ``combination_weight``: the weight of the agreements taken together, negative
        where together they are likelier among relatives or namesakes than each alone
        says (rfl_match.mixture); and where the context rules propose pairs
        (``context_candidates``, ``context_blocking``) ``competition_weight``: 0 but for a
        pair only they proposed whose request or sighting has a likelier candidate, which
        it lowers (:func:`_compete`; the explanation says so); and with
        ``one_request_per_person`` ``sighting_weight``: what reading the pair with its
        sighting's other candidate requests changes (:func:`_one_request`; in the
        explanation too). ``match_weight`` is the prior, the comparisons' weights, the
        combination, the competition and the sighting's term summed.
        ``one_to_one`` keeps each request and sighting in one pair at most, the strongest
        first (of equal pairs, the first by request id, then sighting id: one of them is
        chosen, as asked). Nothing is confirmed: these are proposals for review. A
        ``threshold`` that is no probability, or a ``top_k`` that is no whole number of
        0 or more, is a :class:`ConfigError`, as in :class:`LinkConfig`.

        ``pairs`` (a frame with ``request_id`` and ``sighting_id``): score these pairs in
        place of the candidates blocking finds, each once, as blocking's would be scored
        (a pair blocking proposes gets the same probability, but for a pair only the
        context rules proposed, which is not weighed against rivals here, and with
        ``one_request_per_person``, which reads each pair alone here). For a pair a
        tracing officer or another tool suspects, or to see what blocking left out. The
        threshold and ``top_k`` still apply: ``threshold=0, top_k=0`` keeps them all. Ids are
        read without the spaces around them, as a record's are; an id that names no record
        is a :class:`RecordError` listing each such row (from 1, in the order of ``pairs``).

        ``training_["predict_seconds"]`` then holds the wall seconds of each phase (and
        with ``one_request_per_person``, ``training_["last_one_request_scale"]`` the
        scale g of :func:`_one_request`).
        """
        threshold = self.config.threshold if threshold is None else check_threshold(threshold)
        top_k = self.config.top_k if top_k is None else check_top_k(top_k)
        laps = _Laps()
        self._require_model()
        if sightings is None:
            self._check_two_lists()
        comparisons = self._comparisons()
        left, right, data, candidates = self._prepared(
            requests, sightings, pairs, comparisons, laps
        )
        out = self._predict_prepared(
            (left, right, data, candidates),
            comparisons,
            threshold,
            top_k,
            laps,
            one_to_one=one_to_one,
            dedupe=sightings is None,
            exclusive=self.config.one_request_per_person and pairs is None,
        )
        self._keep_names(data)
        self.training_["last_candidate_pairs"] = len(candidates)
        self.training_["predict_seconds"] = laps.seconds
        return out

    def _check_two_lists(self) -> None:
        """One list (dedupe) has no requests and sightings to read together."""
        if self.config.one_request_per_person:
            raise ConfigError(
                "one_request_per_person: reads each sighting's requests together; one list "
                "against itself (dedupe) has neither"
            )

    def _prepared(
        self,
        requests: pd.DataFrame,
        sightings: pd.DataFrame | None,
        pairs: pd.DataFrame | None,
        comparisons: list[Comparison],
        laps: _Laps,
    ) -> _Prepared:
        """Predict's inputs validated and prepared, and the candidate pairs (blocking's,
        or ``pairs``): fit's own where the inputs are the frames fit saw, unchanged."""
        dedupe = sightings is None
        session = self._session
        if (
            session is not None
            and _same_but_predict_options(session.config, self.config)
            and session.frames == _identity(requests, sightings)
            and session.content == _fingerprint(requests, sightings, self.config.workers)
        ):
            # The inputs fit saw: its prepared columns and candidate pairs still hold.
            left, right, data = session.left, session.right, session.data
            candidates = (
                session.pairs if pairs is None else _given_pairs(pairs, left, right, dedupe)
            )
            laps.lap("fingerprint")
        else:
            laps.lap("fingerprint")
            with paused_gc(), warming_up(self.config.workers):  # as in fit
                left, right = self._inputs(requests, sightings, remember=True)
                _check_inputs(self.config, left, right)
                _check_fitted_encoding(self.training_.get("encoding", ""), left)
            laps.lap("validate")
            # A compared field one side lacks reads as blank there: added to a copy (the
            # frame may be the caller's own, or shared by the partitions of a run).
            fields = [
                spec.field
                for spec in self.specs_
                if spec.kind not in ("birth", "given_name", "family_name")
            ]
            left = _with_fields(left, fields)
            right = left if dedupe else _with_fields(right, fields)
            data = self._prepare(left, right)
            data.read_ahead([read for c in comparisons for read in c.reads()])
            if pairs is None:
                candidates = self._block(data, dedupe)
            else:
                candidates = _given_pairs(pairs, left, right, dedupe)
            laps.lap("prepare + blocking")
        return left, right, data, candidates

    def _predict_prepared(
        self,
        prepared: _Prepared,
        comparisons: list[Comparison],
        threshold: float,
        top_k: int,
        laps: _Laps,
        *,
        one_to_one: bool = False,
        dedupe: bool,
        exclusive: bool = False,
    ) -> pd.DataFrame:
        """The matches of prepared inputs' candidate pairs (:meth:`predict`'s output);
        ``exclusive``: each sighting's requests read together (:func:`_one_request`)."""
        left, right, data, _ = prepared
        model = self._require_model()
        kept, context = self._scored_chunks(
            prepared, comparisons, threshold, laps, exclusive=exclusive
        )
        if exclusive:
            # In a partition of a run, its sightings are read with all the run's requests.
            shared = self._partition.sighting_odds if self._partition is not None else None
            kept, self.training_["last_one_request_scale"] = _one_request(
                model, kept, threshold, shared
            )
            laps.lap("one request per person")
        if context:
            found = self._partition.competing if self._partition is not None else None
            kept = _compete(
                model, kept, data.sizes, threshold, dedupe=dedupe, sightings=found,
                sighting_side=not exclusive,
            )  # fmt: skip
            laps.lap("rivals")
        self._last = (left, right)
        classes = None if model.non_match_ is None else model.non_match_.names
        out = self._assemble(
            data, comparisons, kept, top_k, one_to_one, classes, model.prior_weight_,
            dedupe=dedupe, exclusive=exclusive,
        )  # fmt: skip
        laps.lap("output")
        return out

    def _scored_chunks(
        self,
        prepared: _Prepared,
        comparisons: list[Comparison],
        threshold: float,
        laps: _Laps,
        *,
        rivals: bool = False,
        exclusive: bool = False,
    ) -> tuple[list[_Scored], bool]:
        """Prepared inputs' candidate pairs scored, chunk by chunk, those at ``threshold``
        kept; and whether the context rules alone proposed some of them (each chunk
        then marks them, and holds its rivals: :meth:`_weigh`; with ``rivals``, each
        chunk holds its rivals whether or not). ``exclusive``: each chunk sums its budget
        pairs' odds by sighting, and keeps those that may reach ``threshold`` once a sighting's
        requests are read together (``one_request_per_person``, :func:`_one_request`)."""
        _, _, data, candidates = prepared
        model = self._require_model()
        session = self._session
        kept: list[_Scored] = []
        n_levels = tuple(c.n_levels for c in comparisons)
        value_bits = _value_bits(model, data, comparisons)
        tf_values = _tf_values(data, comparisons)
        # Fit's pairs index into fit's patterns, every chunk: they are weighed once.
        fitted = None
        if session is not None and data is session.data and candidates is session.pairs:
            fitted = (_weigh_patterns(model, data, comparisons, session.patterns), session)

        def compared() -> Iterator[_Chunk]:
            start = 0
            for cl, cr in candidates.chunks(self.config.chunk_pairs):
                levels = None
                if fitted is None:
                    levels = level_matrix(comparisons, data, cl, cr)
                    laps.lap("comparing")
                yield cl, cr, start, levels
                start += len(cl)

        # The context rules' own pairs are weighed against their records' rivals
        # (_compete), where a run has them.
        context_only = candidates.context_only
        if context_only is not None and not context_only.any():
            context_only = None
        if rivals and context_only is None:
            context_only = np.zeros(len(candidates.ids), dtype=bool)

        def scored(chunk: _Chunk) -> _Scored:
            cl, cr, start, levels = chunk
            if levels is None:
                assert fitted is not None
                weighed, index = fitted[0], fitted[1].pair_patterns[start : start + len(cl)]
            else:
                patterns, _, index = pattern_index(levels, n_levels)
                weighed = _weigh_patterns(model, data, comparisons, patterns)
            return self._weigh(
                model,
                data,
                comparisons,
                cl,
                cr,
                weighed,
                index,
                threshold,
                value_bits,
                tf_values,
                None if context_only is None else context_only[start : start + len(cl)],
                data.sizes[1] if exclusive else 0,
            )

        # A chunk is scored (serial kernels and numpy) on a thread while the next one is
        # compared (numba's parallel kernels, on this thread), with more than one worker;
        # "scoring" then times only the wait for a chunk's scores, what the comparing
        # does not hide. Fit's pairs are not compared again: their chunks are scored on
        # up to ``workers`` threads at once, each kept in order.
        if fitted is None:
            chunks = pipelined(scored, compared(), self.config.workers)
        else:
            chunks = threaded(scored, compared(), self.config.workers)
        # With one_request_per_person, the chunks' sums by sighting are added up as they
        # come, into the first chunk's (one array of the sightings held, not one a chunk).
        for one in chunks:
            if one.odds is not None and kept and kept[0].odds is not None:
                (held, expected), (more, also) = kept[0].odds, one.odds
                held += more
                kept[0] = replace(kept[0], odds=(held, expected + also))
                one = replace(one, odds=None)
            kept.append(one)
            laps.lap("scoring")
        return kept, context_only is not None

    def _sighting_pass(
        self, requests: pd.DataFrame, sightings: pd.DataFrame
    ) -> tuple[npt.NDArray[np.float64], tuple[npt.NDArray[np.float64], float] | None]:
        """A partition's part of what a run in partitions reads its sightings with
        (``rfl_match.backends.partitions.compete``): each sighting's likeliest candidate
        among ``requests`` by the budget's pairs (:data:`RIVAL_FLOOR` or more, else 0),
        which the context rules' pairs are weighed against; and, with
        ``one_request_per_person``, the budget's pairs' odds summed by sighting and their
        probabilities summed (:meth:`_weigh`; else None)."""
        laps = _Laps()
        comparisons = self._comparisons()
        prepared = self._prepared(requests, sightings, None, comparisons, laps)
        # Only the sums are wanted: at threshold 1.0 next to no pair is kept besides.
        exclusive = self.config.one_request_per_person
        kept, _ = self._scored_chunks(
            prepared, comparisons, 1.0, laps, rivals=True, exclusive=exclusive
        )
        odds = kept[0].odds if kept else None
        if exclusive and odds is None:  # no candidate: nothing to add
            odds = (np.zeros(prepared[2].sizes[1]), 0.0)
        return _rivals(kept, prepared[2].sizes)[1], odds

    def _assemble(
        self,
        data: PreparedPair,
        comparisons: list[Comparison],
        kept: list[_Scored],
        top_k: int,
        one_to_one: bool,
        classes: tuple[str, ...] | None,
        prior: float,
        *,
        dedupe: bool = False,
        exclusive: bool = False,
    ) -> pd.DataFrame:
        n_comp = len(comparisons)
        left, right = data.left, data.right
        if kept:
            li = np.concatenate([k.left for k in kept])
            ri = np.concatenate([k.right for k in kept])
            total = np.concatenate([k.total for k in kept])
        else:
            li = ri = np.zeros(0, dtype=np.intp)
            total = np.zeros(0)
        if dedupe and len(li):
            # Within one list a pair is shown from its record of lower id (blocking gives it
            # from the lower row): ranks and top_k do not depend on the rows' order.
            ids = dense_ranks([left[ID_FIELD]])
            swap = ids[li] > ids[ri]
            li, ri = np.where(swap, ri, li), np.where(swap, li, ri)
        # Which of the kept rows the output shows, in order: the rest is gathered once.
        # Strongest first; equal weights listed by the sighting's id, so that the order
        # does not depend on the rows' order, and ranked alike: a cut at top_k keeps every
        # pair tied at its last rank (an equal candidate is never dropped for its id).
        rows = _by_weight_then_id(li, ri, total, right[ID_FIELD])
        if one_to_one:
            rows = rows[
                _one_to_one(li[rows], ri[rows], total[rows], left[ID_FIELD], right[ID_FIELD])
            ]
        rank = tied_ranks(li[rows], total[rows])
        if top_k > 0:
            rows, rank = rows[rank <= top_k], rank[rank <= top_k]

        def gather(name: str, empty: npt.NDArray[Any]) -> npt.NDArray[Any]:
            if not kept:
                return empty
            return np.concatenate([getattr(k, name) for k in kept])[rows]

        levels = gather("levels", np.zeros((0, n_comp), dtype=np.int8)).reshape(-1, n_comp)
        weights = gather("weights", np.zeros((0, n_comp))).reshape(-1, n_comp)
        li, ri, total = li[rows], ri[rows], total[rows]
        together = None
        if classes is not None:
            terms = [k.combination for k in kept if k.combination is not None]
            combination = np.concatenate([t[0] for t in terms] or [np.zeros(0)])[rows]
            typical = np.concatenate([t[1] for t in terms] or [np.zeros(0, np.intp)])[rows]
            together = (combination, typical, classes)
        competition = None
        if self._competes():
            # Pairs a run without context pairs scored (or given): none proposed by them.
            competition = (
                _gathered(kept, "competition", np.float64)[rows],
                _gathered(kept, "context", np.bool_)[rows],
            )
        sighting = _gathered(kept, "sighting", np.float64)[rows] if exclusive else None
        explanation = explain_rows(
            comparisons,
            _phrase_levels(comparisons, data, li, ri, levels),
            weights,
            together,
            prior=prior,
            competition=competition,
            sighting=sighting,
            own=(levels, self._require_model().weights_),
        )
        by_term = np.ascontiguousarray(weights.T)  # a term's weights, one contiguous row
        del weights
        return _matches_frame(
            [comparison.name for comparison in comparisons],
            _take_text(left[ID_FIELD], li),
            _take_text(right[ID_FIELD], ri),
            gather("prob", np.zeros(0)),
            total,
            rank.astype(np.int64),
            explanation,
            levels,
            by_term,
            None if together is None else together[0],
            None if competition is None else competition[0],
            sighting,
        )

    def _competes(self) -> bool:
        """Whether this configuration's context rules propose pairs, which then are
        weighed against their records' rivals (:func:`_compete`; the output's
        :data:`COMPETITION_COLUMN`)."""
        return bool(self.config.context_candidates and self.config.context_blocking)

    def no_matches(self) -> pd.DataFrame:
        """The matches of a run whose blocking found no pair: none, in the columns
        :meth:`predict` writes with this configuration (a level and a weight a comparison,
        and ``combination_weight`` with two kinds of non-match). A fit that found no pair
        left no model (:class:`NoCandidatePairs`); its comparisons are known all the same."""
        names = [comparison.name for comparison in self._comparisons()]
        empty = np.zeros(0)
        # the model's kinds of non-match where there is one (a fit may keep one kind)
        classes = self.config.non_match_classes == 2
        if self.model_ is not None:
            classes = self.model_.non_match_ is not None
        return _matches_frame(
            names,
            np.zeros(0, dtype=object),
            np.zeros(0, dtype=object),
            empty,
            empty,
            np.zeros(0, dtype=np.int64),
            [],
            np.zeros((0, len(names)), dtype=np.int8),
            np.zeros((len(names), 0)),
            empty if classes else None,
            empty if self._competes() else None,
            empty if self.config.one_request_per_person else None,
        )

    # --- dedupe, explain, reports -----------------------------------------------------

    @_few_on_one_thread
    def dedupe(
        self,
        records: pd.DataFrame,
        threshold: float = 0.9,
        *,
        min_density: float = 0.5,
        min_pair_probability: float | None = None,
    ) -> pd.DataFrame:
        """Duplicates within one list, as clusters: ``record_id, cluster_id``.

        Fit first with the same list (``Linker().fit(records)``). Pairs scored
        ``threshold`` or more are links; clusters grow from the strongest link down, two
        groups joining only where ``min_density`` of the pairs between them are links
        (rfl_match.cluster). Every two records of a cluster then score at least
        ``min_pair_probability`` (by default ``threshold``), whether blocking compared
        them or not: the pairs inside a cluster that no link joins are scored by the
        model, and a merge that would hold a pair under it is refused. Without that, A
        linked to C and C to B put A and B in one cluster although the model tells them
        apart: two children of one name born 14 years apart, each linked to a record of
        the name with no birth date. On the bundled synthetic requests and sightings
        deduplicated together (threshold 0.9): clusters holding more than one person 7
        -> 2 (those two joined by direct links), pairwise precision 0.970 -> 0.993,
        recall 0.786 -> 0.745; with ``min_pair_probability=0.5``, 4, 0.984 and 0.778.
        The pairs scored are at most as many as the links (with ``min_density`` 0.5;
        rfl_match.cluster.checked_clusters), their number in
        ``training_["dedupe_checked_pairs"]``. Nothing is merged for good: clusters are
        proposals for review.
        """
        threshold = check_threshold(threshold)
        min_density = check_share(min_density, "min_density")
        self._check_two_lists()
        floor = (
            threshold
            if min_pair_probability is None
            else check_threshold(min_pair_probability, "min_pair_probability")
        )
        if floor > threshold:
            raise ConfigError(
                f"min_pair_probability: at most the threshold ({threshold}), not {floor}"
            )
        frame = _records(records, self.config, "records")
        _say_problems(records, frame, "records")
        laps = _Laps()
        comparisons = self._comparisons()
        prepared = self._prepared(frame, None, None, comparisons, laps)
        pairs = self._predict_prepared(prepared, comparisons, floor, 0, laps, dedupe=True)
        self.training_["last_candidate_pairs"] = len(prepared[3])
        self.training_["predict_seconds"] = laps.seconds
        data = prepared[2]

        def score(lo: npt.NDArray[np.int64], hi: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
            step = self.config.chunk_pairs
            return np.concatenate(
                [np.zeros(0)]
                + [
                    self._scored_pairs(
                        data, comparisons, lo[at : at + step], hi[at : at + step]
                    ).prob
                    for at in range(0, len(lo), step)
                ]
            )

        pos = pd.Series(np.arange(len(frame)), index=frame[ID_FIELD].to_numpy())
        clusters, checked = checked_clusters(
            frame[ID_FIELD].tolist(),
            pos[pairs["request_id"]].to_numpy(np.intp),
            pos[pairs["sighting_id"]].to_numpy(np.intp),
            pairs["match_weight"].to_numpy(np.float64),
            pairs["match_probability"].to_numpy(np.float64),
            score,
            threshold=threshold,
            floor=floor,
            min_density=min_density,
        )
        self.training_["dedupe_checked_pairs"] = checked
        return clusters

    @_few_on_one_thread
    def explain(
        self,
        request_id: str,
        sighting_id: str,
        requests: pd.DataFrame | None = None,
        sightings: pd.DataFrame | None = None,
        *,
        matches: pd.DataFrame | None = None,
        show: bool = True,
    ) -> pd.DataFrame:
        """The waterfall of one pair as data (one row per comparison, then the total), and
        printed as text unless ``show`` is False. Uses the last inputs seen if none given;
        ``requests`` alone is one list, both records in it (as ``predict(records)``).

        Predict may add two terms that the pair's own records do not give: a pair only the
        context rules proposed is weighed against its records' likelier candidates
        (:data:`COMPETITION_COLUMN`, :func:`_compete`), and with ``one_request_per_person``
        each pair is read with its sighting's other requests (:data:`SIGHTING_COLUMN`,
        :func:`_one_request`); both depend on every other candidate. ``matches`` (predict's
        output, or a matches file as read, its cells text) gives them: the pair's terms
        are rows of the waterfall, worded as predict words them, and the total is the
        pair's match weight there, so that the probability is predict's. A row of
        ``matches`` that this model does not give the pair's own weights (another model,
        other records) is a :class:`ModelError`. Without ``matches``, or with the pair not
        in them, the total is the pair's own evidence, and where this configuration adds
        either term, the total's description says so and names it: never a confident
        probability that predict did not give.
        """
        model = self._require_model()
        if requests is None:
            if self._last is None:
                raise ModelError("explain: give the requests and sightings frames")
            left, right = self._last
        else:
            left, right = self._inputs(requests, sightings, remember=True)
        lpos = np.nonzero(left[ID_FIELD].to_numpy() == str(request_id))[0]
        rpos = np.nonzero(right[ID_FIELD].to_numpy() == str(sighting_id))[0]
        if not len(lpos) or not len(rpos):
            raise KeyError(f"no such pair: {request_id!r}, {sighting_id!r}")
        comparisons = self._comparisons()
        data = self._prepare(left, right)
        levels, weights, combined = self._score(data, comparisons, lpos[:1], rpos[:1])
        phrases = _phrase_levels(comparisons, data, lpos[:1], rpos[:1], levels)
        self._keep_names(data)
        rows = [
            {
                "comparison": "prior",
                "level": -1,
                "description": PRIOR_PHRASE,
                "weight": model.prior_weight_,
            }
        ]
        own = model.weights_
        for c, comparison in enumerate(comparisons):
            level = int(levels[0, c])
            bits = float(weights[0, c])
            rows.append(
                {
                    "comparison": comparison.name,
                    "level": level,
                    "description": comparison.describe(int(phrases[0, c]))
                    + frequency_phrase(bits, float(own[c][level]), comparison.frequency_of),
                    "weight": bits,
                }
            )
        total = model.prior_weight_ + float(weights[0].sum())
        if model.non_match_ is not None:
            _, typical = model.combination(levels)
            rows.append(
                {
                    "comparison": "combination",
                    "level": -1,
                    "description": combination_phrase(
                        float(combined[0]), int(typical[0]), model.non_match_.names
                    ).rsplit(" ", 1)[0],
                    "weight": float(combined[0]),
                }
            )
            total += float(combined[0])
        one_list = left is right  # predict shows such a pair from its record of lower id
        given = None if matches is None else _pair_terms(matches, request_id, sighting_id, one_list)
        caveat = ""
        if given is None:
            caveat = self._terms_left_out("" if matches is None else "not in the matches given: ")
        else:
            terms, weight = given
            assert matches is not None
            lacks = [c for c in self._term_columns() if c not in matches.columns]
            if weight is None and lacks:  # (a PFIF file: the probability alone)
                caveat = self._terms_left_out(f"the matches have no {' or '.join(lacks)}: ")
            for name, description, bits in terms:
                rows.append(
                    {"comparison": name, "level": -1, "description": description, "weight": bits}
                )
                total += bits
            if weight is not None:
                if abs(weight - total) > _SAME_WEIGHT:
                    raise ModelError(
                        f"explain: the matches give {request_id} ~ {sighting_id} a match "
                        f"weight of {weight:+.2f}, this model on these records "
                        f"{total:+.2f}: give the matches this model predicted from them"
                    )
                total = weight
        rows.append(
            {
                "comparison": "total",
                "level": -1,
                "description": "match probability "
                + probability_text(model.probability(np.array([total]))[0])
                + caveat,
                "weight": total,
            }
        )
        table = pd.DataFrame(rows)
        if show:
            print(f"{request_id} ~ {sighting_id}")
            titles = [
                _EXPLAIN_TITLES.get(str(row["comparison"]), str(row["comparison"])) for row in rows
            ]
            width = max(22, *map(len, titles))  # "father's name (encoded)" is 23
            for title, row in zip(titles, rows, strict=True):
                print(f"  {title:<{width}} {row['weight']:+6.1f}  {row['description']}")
        return table

    def _term_columns(self) -> list[str]:
        """The columns of the terms this configuration's predict may add to a pair's own
        evidence (:meth:`explain`)."""
        return [COMPETITION_COLUMN] * self._competes() + [SIGHTING_COLUMN] * bool(
            self.config.one_request_per_person
        )

    def _terms_left_out(self, why: str) -> str:
        """What the total of :meth:`explain` leaves out, read without predict's terms
        (``why``: its first words, where matches were given): the terms this
        configuration's predict may add, named; "" where it adds none."""
        left_out = []
        if self._competes():
            left_out.append(
                "weighs a pair only the context rules proposed against its records' likelier "
                f"candidates ({COMPETITION_COLUMN}), which may lower it"
            )
        if self.config.one_request_per_person:
            left_out.append(
                f"reads it with its sighting's other requests ({SIGHTING_COLUMN}), which may "
                "lower or raise it"
            )
        if not left_out:
            return ""
        return (
            f" ({why}this pair's own evidence only; predict {' and '.join(left_out)}: "
            "explain with the matches to read predict's)"
        )

    @_few_on_one_thread
    def blocking_report(
        self,
        requests: pd.DataFrame,
        sightings: pd.DataFrame | None = None,
        labels: pd.DataFrame | None = None,
        *,
        by: str | Sequence[str] = (),
    ) -> pd.DataFrame:
        """Per blocking rule: pairs, new pairs it adds, its largest blocks, and (with
        ``labels``: request_id, sighting_id, and is_match or a review file's decision if
        given, read as ``fit`` reads them: only the matches count) the share of true pairs
        found so far; then the candidate budget (``candidates_per_record``), and the pairs
        the context rules add to it (``context_blocking``, ``context_candidates``), as
        ``fit`` makes them.

        ``by``: a column of ``labels`` (or several) whose values part the true pairs (the
        request's culture, the sighting's source, a region): the report then also gives,
        for each value, the share of its true pairs found so far, in a column
        ``pairs_completeness:<column>=<value>`` (a blank cell's value is ""), so that who
        blocking misses is seen, not only how many. A column ``labels`` lacks is a
        :class:`ConfigError`; so is ``by`` without ``labels``."""
        columns = [by] if isinstance(by, str) else list(by)
        if columns:
            if labels is None:
                raise ConfigError("blocking_report: by= parts the labels' true pairs; none given")
            missing = [column for column in columns if column not in labels.columns]
            if missing:
                raise ConfigError(
                    f"blocking_report: by= names {', '.join(map(repr, missing))}, which the "
                    f"labels lack (they have {', '.join(map(repr, labels.columns))})"
                )
        left, right = self._inputs(requests, sightings)
        _check_inputs(self.config, left, right)
        data = self._prepare(left, right)
        rows = []
        cumulative = np.zeros(0, dtype=np.int64)
        uncut = np.zeros(0, dtype=np.int64)  # the pairs of rules on a field's own values
        truth_ids: npt.NDArray[np.int64] | None = None
        groups: dict[str, npt.NDArray[np.int64]] = {}
        if labels is not None:
            if (column := decision_column(labels.columns)) is not None:
                decided, is_match = checked_decisions(labels[column])
                labels = labels[decided & is_match]
            li, ri, known = _labelled_rows(labels, left, right, sightings is None)
            pair_ids = li.astype(np.int64) * len(right) + ri
            truth_ids = unique_sorted(pair_ids[known])
            for column in columns:
                values = labels[column].astype("string").fillna("").str.strip().to_numpy(str)
                for value in sorted(set(values[known].tolist())):
                    chosen = known & (values == value)
                    groups[f"pairs_completeness:{column}={value}"] = unique_sorted(pair_ids[chosen])

        # The groups' pairs together, read in one pass a step.
        grouped = np.concatenate([np.zeros(0, dtype=np.int64), *groups.values()])
        starts = np.cumsum([0, *(len(ids) for ids in groups.values())])[:-1]

        def completeness(row: dict[str, Any]) -> None:
            """The shares of the true pairs found so far: all, and each group's."""
            if truth_ids is not None:
                found = _held(truth_ids, cumulative)
                row["pairs_completeness"] = float(found.mean()) if len(found) else 1.0
            if groups:
                counts = np.add.reduceat(_held(grouped, cumulative).astype(np.int64), starts)
                for (name, ids), count in zip(groups.items(), counts.tolist(), strict=True):
                    row[name] = count / len(ids)

        for rule in self.config.blocking:
            pairs = block(
                data,
                [rule],
                max_block=self.config.max_block_size,
                dedupe=sightings is None,
                window=self.config.sorted_window,
            )
            ids = pairs.ids
            before = len(cumulative)
            cumulative = merge_unique(cumulative, ids)  # both ascending: one linear pass
            if uncut_rule(rule):
                uncut = merge_unique(uncut, ids)
            stats = pairs.stats[0]
            row: dict[str, Any] = {
                "rule": stats.rule,
                "pairs": len(ids),
                "new_pairs": len(cumulative) - before,
                "cumulative_pairs": len(cumulative),
                "largest_blocks": "; ".join(f"{k} ({n:,})" for k, n in stats.largest_blocks),
                "oversized_blocks": "; ".join(f"{k} ({n:,})" for k, n in stats.oversized),
            }
            completeness(row)
            rows.append(row)

        def step(rule: str, pairs: int, before: int) -> None:
            """A row for a step that thins or adds to the pairs so far (no blocks)."""
            row: dict[str, Any] = {
                "rule": rule,
                "pairs": pairs,
                "new_pairs": len(cumulative) - before,
                "cumulative_pairs": len(cumulative),
                "largest_blocks": "",
                "oversized_blocks": "",
            }
            completeness(row)
            rows.append(row)

        budget = self.config.candidates_per_record
        if budget:
            before = len(cumulative)
            extra = self.config.context_candidates
            cumulative, also = budget_choices(
                data,
                cumulative,
                budget,
                within=self.config.candidates_within,
                uncut=uncut,
                dedupe=sightings is None,
                workers=self.config.workers,
                context=self.config.context_blocking,
                context_per_record=extra,
                tokens=token_fields(self.config.blocking),
            )
            step(f"best {budget} per record", len(cumulative), before)
            if extra and self.config.context_blocking:
                before = len(cumulative)
                cumulative = with_context(
                    data,
                    cumulative,
                    self.config.context_blocking,
                    extra,
                    self.config.max_block_size,
                    dedupe=sightings is None,
                    workers=self.config.workers,
                    also=also,
                    tokens=token_fields(self.config.blocking),
                ).ids
                rules = "; ".join("+".join(rule) for rule in self.config.context_blocking)
                step(
                    f"best {extra} per record by context ({rules}; and of the rules above)",
                    len(cumulative) - before,
                    before,
                )
        return pd.DataFrame(rows)

    # --- persistence ------------------------------------------------------------------

    def to_dict(self) -> dict[str, Any]:
        model = self._require_model()
        config = self.config.to_dict()
        version = MODEL_VERSION if config["far_birth_m"] is None else _CEILING_VERSION
        defaults = LinkConfig().to_dict()
        if all(config[option] == absent for option, absent in _FIT_OPTIONS.items()):
            # Nothing that version 5 lacks (read back, the fit options take the value
            # they stand for when absent, the others their defaults).
            for option in _FIT_OPTIONS:
                del config[option]
            version = _BUDGET_VERSION
            if all(config[option] == defaults[option] for option in _BUDGET_OPTIONS):
                # Nor that version 4 lacks.
                for option in _BUDGET_OPTIONS:
                    del config[option]
                version = _CONTEXT_VERSION
                if all(config[option] == defaults[option] for option in _CONTEXT_OPTIONS):
                    # Nor that version 3 lacks.
                    for option in _CONTEXT_OPTIONS:
                        del config[option]
                    version = _CLASSES_VERSION
                    if model.non_match_ is None and config["non_match_classes"] == 1:
                        # Nor that version 2 lacks.
                        del config["non_match_classes"]
                        version = _ONE_CLASS_VERSION
        if config["condition_on"]:
            version = (
                _NATIONALITY_SPLIT_VERSION
                if any(
                    isinstance(c, ConditionedComparison)
                    and not isinstance(c, SiblingConditionedComparison)
                    and c.name not in CONDITIONED_COMPARISONS_V8
                    for c in self._comparisons()
                )
                else _CONDITIONED_VERSION
            )
        else:
            del config["condition_on"]
        # A predict option no older release has: written only where set (any version
        # reads it off without it), and then in a version only this release reads.
        if config["one_request_per_person"]:
            version = max(version, _ONE_REQUEST_VERSION)
        else:
            del config["one_request_per_person"]
        # So too the calendars the records are read in (a reading option, as the mapping).
        if config["calendars"]:
            version = max(version, _CALENDARS_VERSION)
        else:
            del config["calendars"]
        # A birth split by a brother's or sister's pattern: levels no older release has.
        if any(isinstance(c, SiblingConditionedComparison) for c in self._comparisons()):
            version = max(version, _SIBLINGS_VERSION)
        return {
            "format": MODEL_FORMAT,
            "format_version": version,
            "config": config,
            "comparisons": [
                {
                    "field": s.field,
                    "kind": s.kind,
                    "name": s.name,
                    "thresholds": list(s.thresholds),
                    "term_frequency": s.term_frequency,
                }
                for s in self.specs_
            ],
            "model": model.to_dict(),
            "training": {
                k: v for k, v in self.training_.items() if isinstance(v, int | float | bool | str)
            },
        }

    def save(self, path: str | Path) -> None:
        """Write the model as JSON (configuration, comparisons, m, u, prior)."""
        Path(path).write_text(
            json.dumps(self.to_dict(), ensure_ascii=False, indent=1), encoding="utf-8"
        )

    @classmethod
    def load(cls, path: str | Path) -> Linker:
        """Read a model written by :meth:`save`; an incompatible file is a ModelError."""
        try:
            data = json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelError(f"{path}: not a readable rfl_match model ({exc})") from exc
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT:
            raise ModelError(f"{path}: not an rfl_match model file")
        version = data.get("format_version")
        if version not in _READABLE_VERSIONS:
            raise ModelError(
                f"{path}: model format version {version!r}; this rfl_match "
                f"reads versions {', '.join(map(str, _READABLE_VERSIONS))}. Fit the model again."
            )
        config = data.get("config")
        if not isinstance(config, dict):
            raise ModelError(f"{path}: the file holds no configuration table ('config')")
        share = config.get("far_birth_m")
        if isinstance(share, int | float) and 0.0 < share < PROBABILITY_FLOOR:
            # Written before such a share was refused (version 6): scoring read it at the
            # floor; the stored m are what predicting reads, so the file predicts as before.
            config = config | {"far_birth_m": PROBABILITY_FLOOR}
        config, changes = stored_config(config)
        if changes:
            warn(
                f"{path}: the model's configuration was written before it was checked as "
                f"now; left out, as its fit did: {'; '.join(changes)}",
            )
        try:
            # A fit option left out: the value it stands for.
            linker = cls(LinkConfig.from_dict(_FIT_OPTIONS | _UNSPLIT | config))
        except ConfigError as exc:
            raise ModelError(f"{path}: the model's configuration is not usable ({exc})") from exc
        try:
            linker.specs_ = [
                ComparisonSpec(
                    field=s["field"],
                    kind=s["kind"],
                    name=s["name"],
                    thresholds=tuple(s["thresholds"]),
                    term_frequency=bool(s["term_frequency"]),
                )
                for s in data["comparisons"]
            ]
        except _WRONG_SHAPE as exc:
            raise ModelError(f"{path}: the file's comparisons are incomplete ({exc!r})") from exc
        try:
            # Files written before calibration existed load with the identity map.
            linker.model_ = FellegiSunterModel.from_dict(data["model"])
        except _WRONG_SHAPE as exc:
            raise ModelError(f"{path}: the model in this file is incomplete ({exc})") from exc
        wrong = _model_problems(linker.model_)
        if wrong:
            raise ModelError(
                f"{path}: the model in this file is not one a fit writes ({'; '.join(wrong)}); "
                "fit the model again"
            )
        training = data.get("training", {})
        if not isinstance(training, dict):
            raise ModelError(f"{path}: the file's training notes ('training') are not a table")
        # the notes save writes, and no other kind: predict and the summary read them
        linker.training_ = {
            k: v for k, v in training.items() if isinstance(v, int | float | bool | str)
        }
        if version == _CONDITIONED_VERSION:
            # Older versions split nothing (without condition_on they are read unsplit).
            linker._conditioned = CONDITIONED_COMPARISONS_V8
        linker._revisions = frozenset(k for k in REVISIONS if linker.training_.get(k) is True)
        try:
            comparisons = linker._comparisons()
        except _WRONG_SHAPE as exc:  # a kind no configuration could hold
            raise ModelError(f"{path}: the file's comparisons are incomplete ({exc!r})") from exc
        _relabelled(comparisons, linker.model_)
        wrong = _level_problems(comparisons, linker.model_)
        if wrong:
            # Fitted before births a generation apart were a level of their own: compared
            # with the levels it learned (where that is what differs, else as now).
            linker._generation = False
            before = linker._comparisons()
            _relabelled(before, linker.model_)
            wrong_before = _level_problems(before, linker.model_)
            if len(wrong_before) < len(wrong):
                comparisons, wrong = before, wrong_before
            else:
                linker._generation = True
        if wrong:
            raise ModelError(
                f"{path}: the model's comparisons and levels are not those its comparisons' "
                f"kinds define, in their order ({'; '.join(wrong)}); fit the model again"
            )
        unbounded = _unbounded_levels(comparisons, linker.model_)
        if unbounded:
            # Fitted before the bound existed (scoring.bounded_m): the file's weights and
            # calibration are kept, not changed behind the user; a tracing officer is told.
            warn(
                f"{path}: the model was fitted before a weaker kind of agreement was kept "
                f"at most as strong as a stronger one; here {'; '.join(unbounded)}. It "
                "predicts with the weights saved; fit the model again to weigh them so."
            )
        return linker


def _relabelled(comparisons: Sequence[Comparison], model: FellegiSunterModel) -> list[list[str]]:
    """The comparisons' labels; where a loaded model holds a split comparison's labels as
    saved before its second half said the anchor "alike" (``ConditionedComparison
    .labels_before``: ", same family name"), the model's are read as the new words (the
    same levels)."""
    labels = [list(c.labels) for c in comparisons]
    for c, comparison in enumerate(comparisons):
        before = getattr(comparison, "labels_before", None)
        if c < len(model.labels) and before is not None and model.labels[c] == list(before):
            model.labels[c] = labels[c]
    return labels


def _level_problems(comparisons: Sequence[Comparison], model: FellegiSunterModel) -> list[str]:
    """Where a loaded model's comparisons are not the file's in their order (by name), or
    a comparison's levels not those its kind defines in their order (by label), in words:
    the weights are read by position, and a file edited by hand with two levels swapped
    (or two comparisons of the same levels, the mother's and the grandfather's names)
    would load and weigh each level with another's m and u. Each comparison's first
    :data:`_SHOWN_LEVELS` levels out of place are named."""
    if len(model.names) != len(comparisons):
        return [f"{len(model.names)} comparisons in the model, {len(comparisons)} in the file's"]
    out = []
    for c, (comparison, name, labels) in enumerate(
        zip(comparisons, model.names, model.labels, strict=True), 1
    ):
        wanted = list(comparison.labels)
        if name != comparison.name:
            out.append(
                f"comparison {c} is {name!r} in the model, {comparison.name!r} in the file's"
            )
        elif labels == wanted:
            continue
        elif len(labels) == len(wanted) and all(labels.count(w) == 1 for w in wanted):
            # each of its levels once (by ==: a file's label may be any JSON)
            moved = [
                f"{label!r} is level {at}, not {wanted.index(label)}"
                for at, label in enumerate(labels)
                if wanted[at] != label
            ]
            more = " ..." if len(moved) > _SHOWN_LEVELS else ""
            out.append(f"{name}: levels out of order: {', '.join(moved[:_SHOWN_LEVELS])}{more}")
        else:
            unknown = [label for label in labels if label not in wanted]
            lacking = [label for label in wanted if label not in labels]
            said = [
                f"{what} {', '.join(map(repr, found[:_SHOWN_LEVELS]))}"
                + (" ..." if len(found) > _SHOWN_LEVELS else "")
                for what, found in (("levels not of its kind:", unknown), ("lacks", lacking))
                if found
            ] or ["levels repeated"]
            out.append(f"{name} ({comparison.spec.kind}): {'; '.join(said)}")
    return out


#: Levels out of place that a model's load error names, per comparison.
_SHOWN_LEVELS = 3


def _model_problems(model: FellegiSunterModel) -> list[str]:
    """What makes a loaded model one no fit writes (a file edited by hand, or cut short),
    in words, before a predict reads it: each comparison with as many m, u and random u
    as it has levels, probabilities between 0 and 1, a prior strictly between them, a
    calibration of finite numbers, term-frequency maps of finite knots, ascending, and
    non-match classes whose shares split 1 and whose u are as m's."""
    out = []
    arrays = {"m": model.m_, "u": model.u_, "u_random": model.u_random_}
    lengths = {"labels": len(model.labels)} | {key: len(v) for key, v in arrays.items()}
    if any(n != len(model.names) for n in lengths.values()):
        counts = ", ".join(f"{n} {key}" for key, n in lengths.items())
        return [f"{len(model.names)} comparisons named, {counts}"]
    for c, name in enumerate(model.names):
        for key, values in arrays.items():
            level = values[c]
            if len(level) != len(model.labels[c]):
                out.append(f"{name}: {len(level)} {key} for {len(model.labels[c])} levels")
            elif not np.all(np.isfinite(level) & (level >= 0) & (level <= 1)):
                out.append(f"{name}: {key} not all probabilities (0 to 1)")
    if not (np.isfinite(model.prior_) and 0 < model.prior_ < 1):
        out.append(f"prior {model.prior_!r} not between 0 and 1")
    calibration = model.calibration_
    if not np.all(np.isfinite([calibration.intercept, *calibration.knots, *calibration.slopes])):
        out.append("calibration not all finite")
    for name, (bits, mapped) in model.tf_maps_.items():
        knots = np.asarray(bits, dtype=np.float64)
        if len(knots) != len(mapped) or not np.all(np.isfinite([*knots, *mapped])):
            out.append(f"tf_maps: {name}: not as many finite bits as knots")
        elif np.any(np.diff(knots) < 0):
            out.append(f"tf_maps: {name}: knots not ascending")
    classes = model.non_match_
    if classes is not None:
        shares = np.asarray(classes.shares, dtype=np.float64)
        if not (np.all(np.isfinite(shares) & (shares >= 0)) and abs(shares.sum() - 1) < 1e-6):
            out.append("non-match classes: shares not a split of 1")
        for kind, per_comparison in zip(classes.names, classes.u, strict=True):
            for name, labels, level in zip(model.names, model.labels, per_comparison, strict=True):
                if len(level) != len(labels):
                    out.append(
                        f"non-match class {kind}: {name}: {len(level)} u for {len(labels)} levels"
                    )
                elif not np.all(np.isfinite(level) & (level >= 0) & (level <= 1)):
                    out.append(f"non-match class {kind}: {name}: u not all probabilities (0 to 1)")
    return out


def _generation_holds(comparison: Comparison, held: Hold | None) -> tuple[Hold, ...] | None:
    """EM's holds on a comparison's m (``scoring.expectation_maximisation``'s
    ``m_ceiling``): its births more than 5 years apart at the ceiling ``held``, and of
    them those a generation apart (``generation_level``) at ``GENERATION_SHARE`` of it.
    The generation's first, so that the share it gives up goes to the others and the
    ceiling on all far births then holds them both (where it binds, at the ceiling)."""
    if held is None:
        return None
    level = comparison.generation_level
    holds: tuple[Hold, ...] = (
        (held,) if level is None else ((level, held[1] * GENERATION_SHARE), held)
    )
    if isinstance(comparison, SiblingConditionedComparison):
        # Each half held alike: a brother's or sister's pattern says nothing of how often
        # a match's birth is misestimated by years.
        off = comparison.offset
        holds += tuple((_shifted(at, off), most) for at, most in holds)
    return holds


def _shifted(level: int | tuple[int, ...], by: int) -> int | tuple[int, ...]:
    return tuple(x + by for x in level) if isinstance(level, tuple) else level + by


def _unbounded_levels(comparisons: Sequence[Comparison], model: FellegiSunterModel) -> list[str]:
    """Each bound of the comparisons' ``bounded_by`` that the model's weights break, in
    words: "<comparison>: '<level>' weighs more than '<level>'" (none for a model fitted
    since the bound, which ``bounded_m`` holds)."""
    out = []
    for c, weights in zip(comparisons, model.weights_, strict=True):
        for level, above in c.bounded_by:
            if weights[level] > weights[above] + 1e-9:
                out.append(
                    f"{c.name}: {c.labels[level]!r} weighs more than {c.labels[above]!r} "
                    f"({weights[level]:+.1f} bits against {weights[above]:+.1f})"
                )
    return out


@dataclass(frozen=True, slots=True)
class _Scored:
    """Scored pairs: rows, level and weight matrices, total weight, probability."""

    left: npt.NDArray[np.intp]
    right: npt.NDArray[np.intp]
    levels: npt.NDArray[np.int8]
    weights: npt.NDArray[np.float64]
    # With non-match classes: the pattern's combination term (bits), and the class it is
    # typical of (-1: none).
    combination: tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]] | None
    total: npt.NDArray[np.float64]
    prob: npt.NDArray[np.float64]
    # Where the context rules alone proposed the pairs: which of them they are; and the
    # other pairs of the chunk scored RIVAL_FLOOR or more (left rows, right rows,
    # probabilities), each record's rivals (_compete). The weights the rivals take off
    # (bits, 0 for the others), once _compete has weighed them.
    context: npt.NDArray[np.bool_] | None = None
    rivals: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]] | None = None
    competition: npt.NDArray[np.float64] | None = None
    # With one_request_per_person: the odds of every budget pair of the chunk (those under
    # the threshold too) summed by sighting, and their probabilities summed; the first
    # chunk then holds those of all (Linker._scored_chunks, read by _one_request). Then
    # what reading each kept pair with its sighting's other requests adds (bits).
    odds: tuple[npt.NDArray[np.float64], float] | None = None
    sighting: npt.NDArray[np.float64] | None = None


@dataclass(frozen=True, slots=True)
class _Weighed:
    """Distinct level patterns weighed once (:func:`_weigh_patterns`), for all the pairs
    that index into them."""

    patterns: npt.NDArray[np.int8]
    total: npt.NDArray[np.float64]  # the prior, the comparisons' weights, the combination
    # With non-match classes: each pattern's combination term and typical class.
    combination: tuple[npt.NDArray[np.float64], npt.NDArray[np.intp]] | None
    # Per comparison that uses term frequencies: its values, and the patterns at a level
    # they count at.
    term_frequencies: list[tuple[int, TermFrequencies, npt.NDArray[np.bool_]]]
    # Per such comparison with levels a term-frequency level bounds: its values, and each
    # pattern's kind of such a level (_bounded_at).
    bounded: list[tuple[int, TermFrequencies, npt.NDArray[np.int8]]]


@dataclass(frozen=True, slots=True)
class _Session:
    """What fit prepared, kept for a predict on the same inputs (never saved)."""

    frames: tuple[Any, ...]  # _identity of the inputs
    content: tuple[Any, ...]  # their _fingerprint
    config: LinkConfig  # blocking and comparing depend on it: another config, no reuse
    left: pd.DataFrame
    right: pd.DataFrame
    data: PreparedPair
    pairs: CandidatePairs
    patterns: npt.NDArray[np.int8]  # distinct level patterns of the pairs
    pair_patterns: npt.NDArray[np.int32]  # each pair's index into them


def _anchor_agreements(
    comparisons: Sequence[Comparison], patterns: npt.NDArray[np.int8], counts: npt.NDArray[np.int64]
) -> float:
    """The candidate pairs whose anchor agrees (``condition_on``; infinite with no
    comparison split)."""
    anchors = _anchors(comparisons)
    if anchors is None:
        return float("inf")
    column, level = next(a for a in anchors if a is not None)
    return float(counts[patterns[:, column] >= level].sum())


def _anchors(comparisons: Sequence[Comparison]) -> list[tuple[int, int] | None] | None:
    """Per comparison as built, its anchor's column and lowest agreeing level where it is
    split (a :class:`ConditionedComparison`), else None; None where none is split (what
    :func:`compare.split_anchors` reads from a fresh fit's comparison names)."""
    names = [c.name for c in comparisons]
    out: list[tuple[int, int] | None] = [
        (names.index(c.anchor), c.anchor_agreeing) if isinstance(c, ConditionedComparison) else None
        for c in comparisons
    ]
    return out if any(out) else None


def _u_reference(
    comparisons: list[Comparison],
    u_random: list[npt.NDArray[np.float64]],
    random_levels: npt.NDArray[np.int8],
) -> tuple[list[npt.NDArray[np.float64]], list[npt.NDArray[np.float64]]]:
    """Per comparison, each level's share among random pairs (``random_levels``: theirs;
    0 for missing), twice: for the floor on u (:data:`U_FLOOR_SHARE` of it is the least u
    of a level EM reads as an agreement, :func:`rfl_match.scoring.hold_u_at_least`), and
    for the prior on u (:data:`U_PRIOR_PAIRS` pseudo-non-matches spread so).

    For a comparison split by an anchor's agreement, the floor takes the larger of a
    level's own share and its kind's share over all random pairs
    (:func:`_unsplit_random`): among random pairs a name and the family name agree
    independently enough, and the half that agrees on the family name holds too few random
    pairs to see a rare level (none of a million at 1,000 x 2,000 showed a grandfather's
    name with one part in common). The prior takes each half's own shares (they sum to 1
    in each half, so each half gets :data:`U_PRIOR_PAIRS`): the larger of two shares
    would put most of the agreeing half's prior on its first level, which its kind shows
    far more often (a father's name different, 0.97 of all random pairs, 0.19 of those
    of one family name). A half of fewer than :data:`_MIN_HALF_RANDOM` random pairs (its
    shares even where it holds none) gives the kind's share alone, to both."""
    floors, priors = [], []
    for c, (comparison, u) in enumerate(zip(comparisons, u_random, strict=True)):
        floor, prior = u.copy(), u.copy()
        kinds = _unsplit_random(comparisons, u_random, c)
        if kinds is not None:
            assert isinstance(comparison, ConditionedComparison)
            groups = comparison.level_groups
            held = np.bincount(groups[random_levels[:, c]], minlength=int(groups.max()) + 1)
            few = held[groups] < _MIN_HALF_RANDOM
            by_kind = kinds[comparison.base_levels]
            floor = np.where(few, by_kind, np.maximum(floor, by_kind))
            prior = np.where(few, by_kind, prior)
        floor[0] = prior[0] = 0.0
        floors.append(floor)
        priors.append(prior)
    return floors, priors


#: Random pairs a half of a split comparison holds at least for its own shares to count
#: in the reference for u (:func:`_u_reference`).
_MIN_HALF_RANDOM = 100


def _learned_patterns(
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    pair_patterns: npt.NDArray[np.int32],
    pairs: CandidatePairs,
) -> tuple[npt.NDArray[np.int8], npt.NDArray[np.int64]]:
    """The distinct patterns and their counts among the pairs a model learns from (all
    but those :attr:`CandidatePairs.context_only` marks)."""
    if pairs.context_only is None:
        return patterns, counts
    learned = np.bincount(pair_patterns[~pairs.context_only], minlength=len(counts))
    seen = learned > 0
    return patterns[seen], learned[seen].astype(np.int64)


def _identity(requests: pd.DataFrame, sightings: pd.DataFrame | None) -> tuple[Any, ...]:
    """Which frames the inputs are: objects, shapes, column names (cheap, so checked before
    their content)."""
    return tuple(
        None if frame is None else (id(frame), frame.shape, tuple(map(str, frame.columns)))
        for frame in (requests, sightings)
    )


def _fingerprint(
    requests: pd.DataFrame, sightings: pd.DataFrame | None, workers: int = 1
) -> tuple[Any, ...]:
    """Content of the inputs (index and values, :func:`rfl_match.digests.frame_digest`):
    with :func:`_identity`, equal only for the same, unchanged frames. A frame with cells
    that do not hash gives an object equal to nothing (never reused)."""
    out: list[Any] = []
    for frame in (requests, sightings):
        digest = None if frame is None else frame_digest(frame, workers)
        out.append(object() if frame is not None and digest is None else digest)
    return tuple(out)


def _pair_rows(
    pairs: pd.DataFrame, left: pd.DataFrame, right: pd.DataFrame, dedupe: bool = False
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]:
    """Pairs named by ``request_id`` and ``sighting_id`` as rows of the inputs (whose
    ids are distinct): request rows and sighting rows, -1 where an id names no record. In
    one list (``dedupe``), a pair of two records is the same either way round: it comes
    from its lower row. Ids are compared without the spaces around them, as validation
    reads a record's (" RQ1 " is RQ1)."""
    li, ri = (
        pd.Index(frame[ID_FIELD].to_numpy())
        .get_indexer(pairs[column].astype(str).str.strip().to_numpy())
        .astype(np.intp, copy=False)
        for frame, column in ((left, "request_id"), (right, "sighting_id"))
    )
    if dedupe:
        both = (li >= 0) & (ri >= 0)
        li, ri = np.where(both, np.minimum(li, ri), li), np.where(both, np.maximum(li, ri), ri)
    return li, ri


def _held(values: npt.NDArray[np.int64], ids: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Whether each of ``values`` is among ``ids`` (pair ids, ascending and distinct as
    blocking gives them: a binary search each, where a set operation would sort tens of
    millions of pairs again for each question)."""
    if not len(ids):
        return np.zeros(len(values), dtype=bool)
    if not bool((ids[1:] > ids[:-1]).all()):
        return np.isin(values, ids)
    at = np.minimum(np.searchsorted(ids, values), len(ids) - 1)
    held: npt.NDArray[np.bool_] = ids[at] == values
    return held


def _labelled_rows(
    labels: pd.DataFrame, left: pd.DataFrame, right: pd.DataFrame, dedupe: bool
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.bool_]]:
    """Reviewed pairs as rows of the inputs (:func:`_pair_rows`), and which of them name
    records of both: those that do not are warned of, for the caller to leave out."""
    li, ri = _pair_rows(labels, left, right, dedupe)
    known = (li >= 0) & (ri >= 0)
    if not known.all():
        unknown = np.flatnonzero(~known)
        shown = [
            f"row {k + 1} ({labels['request_id'].iloc[k]}, {labels['sighting_id'].iloc[k]})"
            for k in unknown[:_SHOWN_LABELS].tolist()
        ]
        warn(
            f"labels: {len(unknown)} pair(s) name records not in the inputs; ignored: "
            + _first_of(shown, len(unknown))
        )
    return li, ri, known


#: Reviewed pairs a message names before it counts the rest.
_SHOWN_LABELS = 5


def _first_of(shown: Sequence[str], total: int) -> str:
    """The first few of ``total`` things a message names, and how many more."""
    more = total - len(shown)
    return ", ".join(shown) + (f" and {more:,} more" if more > 0 else "")


def _check_decided_once(
    li: npt.NDArray[np.intp],
    ri: npt.NDArray[np.intp],
    truth: npt.NDArray[np.bool_],
    left: pd.DataFrame,
    right: pd.DataFrame,
) -> None:
    """A reviewed pair labelled a match and not a match (two rows, two decisions) is a
    :class:`ConfigError` naming it: fit would learn from both, as two pairs, one each way."""
    key = li.astype(np.int64) * max(len(right), 1) + ri
    both = np.intersect1d(key[truth], key[~truth])
    if not len(both):
        return
    first = np.searchsorted(np.sort(key), both[:_SHOWN_LABELS])
    rows = np.argsort(key, kind="stable")[first]
    shown = [f"({left[ID_FIELD].iloc[li[k]]}, {right[ID_FIELD].iloc[ri[k]]})" for k in rows]
    raise ConfigError(
        f"labels: {len(both):,} pair(s) labelled both a match and not a match: "
        f"{_first_of(shown, len(both))}; keep one decision a pair"
    )


def _given_pairs(
    pairs: pd.DataFrame, left: pd.DataFrame, right: pd.DataFrame, dedupe: bool
) -> CandidatePairs:
    """The pairs :meth:`Linker.predict` is given to score, as candidate pairs: each
    once, in one list (``dedupe``) from its lower row. A missing column is a
    :class:`ConfigError`; a pair whose id names no record, or in one list a record
    paired with itself, a :class:`RecordError` listing every such row."""
    missing = {"request_id", "sighting_id"} - set(pairs.columns)
    if missing:
        raise ConfigError("pairs: missing column(s) " + ", ".join(sorted(missing)))
    li, ri = _pair_rows(pairs, left, right, dedupe)
    problems = []
    for rows, column, side in ((li, "request_id", "requests"), (ri, "sighting_id", "sightings")):
        for row in np.flatnonzero(rows < 0).tolist():
            value = str(pairs[column].iloc[row])
            where = "records" if dedupe else side
            problems.append(Problem(row + 1, column, f"no such record in the {where}", value))
    if dedupe:
        for row in np.flatnonzero((li == ri) & (li >= 0)).tolist():
            value = str(pairs["request_id"].iloc[row])
            problems.append(Problem(row + 1, "sighting_id", "a record paired with itself", value))
    if problems:
        raise RecordError(sorted(problems, key=lambda p: p.row or 0), source="pairs")
    n_right = max(len(right), 1)
    ids = unique_sorted(li.astype(np.int64) * n_right + ri)
    return CandidatePairs(ids, n_right, [RuleStats("given pairs", pairs=len(ids))])


def check_labels(labels: pd.DataFrame) -> None:
    """Reviewed pairs need their columns: a :class:`ConfigError` naming those missing (the
    decisions: ``is_match``, or a review file's ``decision``)."""
    missing = sorted({"request_id", "sighting_id"} - set(labels.columns))
    if decision_column(labels.columns) is None:
        missing.append("is_match (or a review file's decision)")
    if missing:
        raise ConfigError("labels: missing column(s) " + ", ".join(missing))


def _with_fields(frame: pd.DataFrame, fields: Sequence[str]) -> pd.DataFrame:
    """``frame``, or a copy of it with each of ``fields`` it lacks as a blank column."""
    missing = [field for field in dict.fromkeys(fields) if field not in frame.columns]
    if not missing:
        return frame
    return frame.assign(**dict.fromkeys(missing, ""))


def _by_id(frame: pd.DataFrame) -> npt.NDArray[np.intp]:
    """The rows of a frame of records in the order of their ids (code point order; ids
    are distinct)."""
    return text_order(frame[ID_FIELD])


def _weigh_patterns(
    model: FellegiSunterModel,
    data: PreparedPair,
    comparisons: list[Comparison],
    patterns: npt.NDArray[np.int8],
) -> _Weighed:
    """Each distinct level pattern's weight (prior, comparisons and, with non-match
    classes, the combination term), and which patterns a comparison's term frequencies
    count at: reckoned once for all the pairs (all the chunks) that index into them."""
    total = model.match_weights(patterns)
    combination = None
    if model.non_match_ is not None:
        combination = model.non_match_.combination(patterns)
        total += combination[0]
    tf_levels = _tf_levels(data, comparisons, patterns)
    bounded = [(c, tf, _bounded_at(comparisons[c], tf, patterns[:, c])) for c, tf, _ in tf_levels]
    return _Weighed(
        patterns, total, combination, tf_levels, [one for one in bounded if one[2].any()]
    )


def _tf_levels(
    data: PreparedPair, comparisons: list[Comparison], patterns: npt.NDArray[np.int8]
) -> list[tuple[int, TermFrequencies, npt.NDArray[np.bool_]]]:
    """Per comparison that uses term frequencies: its index, its values, and the level
    patterns at a level they count at."""
    out = []
    for c, comparison in enumerate(comparisons):
        tf = comparison.term_frequencies(data)
        if tf is not None:
            out.append((c, tf, np.isin(patterns[:, c], tf.levels)))
    return out


def _tf_values(
    data: PreparedPair, comparisons: list[Comparison]
) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int32]]:
    """The left and right records' values of each comparison that uses term frequencies,
    a row each in the order of :func:`_tf_levels`, as the compiled passes over pairs read
    them."""
    found = [tf for c in comparisons if (tf := c.term_frequencies(data)) is not None]
    left, right = (np.zeros((len(found), n), dtype=np.int32) for n in data.sizes)
    for t, tf in enumerate(found):
        left[t], right[t] = tf.left, tf.right
    return left, right


def _tf_agreements(
    tf_levels: list[tuple[int, TermFrequencies, npt.NDArray[np.bool_]]],
    li: npt.NDArray[np.intp],
    ri: npt.NDArray[np.intp],
    index: npt.NDArray[np.int32],
) -> list[tuple[int, npt.NDArray[np.intp], npt.NDArray[np.int32]]]:
    """Pairs given as indices into level patterns that agree on a value where a
    comparison's term frequencies count (``tf_levels``, from :func:`_tf_levels`): for each
    comparison that uses them, those pairs (rows) and the value each agrees on."""
    return [
        (c, *agreements(at_level, index, tf.left, tf.right, li, ri))
        for c, tf, at_level in tf_levels
    ]


def _bounded_at(
    comparison: Comparison, tf: TermFrequencies, levels: npt.NDArray[np.int8]
) -> npt.NDArray[np.int8]:
    """Of ``levels`` (the comparison's, one per pattern), those a term-frequency level of
    ``tf`` bounds (:func:`scoring.tf_bounded_levels`), where a pair holds no one value, by
    kind: ``kernels.TF_NEAR`` a near spelling or keys alike (Khalil against Khalid),
    ``kernels.TF_LOWERING`` another arrangement (a swap, another order); 0 the others."""
    at = tf_bounded_levels(comparison.n_levels, comparison.bounded_by, tf.levels)
    kinds = np.where(np.isin(np.arange(len(at)), comparison.near_levels), TF_NEAR, TF_LOWERING)
    out: npt.NDArray[np.int8] = np.where(at, kinds, 0).astype(np.int8)[levels.astype(np.intp)]
    return out


def _bounded_pairs(
    at_bounded: npt.NDArray[np.bool_],
    tf: TermFrequencies,
    li: npt.NDArray[np.intp],
    ri: npt.NDArray[np.intp],
    index: npt.NDArray[np.int32],
) -> tuple[npt.NDArray[np.intp], npt.NDArray[np.int32]]:
    """The pairs (rows, ascending), given as indices into level patterns, at a level a
    term-frequency level bounds (``at_bounded``, per pattern) whose records both hold a
    value, and the more common of their two values (the left one where as common): what
    their bits are read off, those an agreement at the bounding level would add on it
    (at a ``kernels.TF_LOWERING`` level only where they lower the weight). Khalil against
    Khalid, a common name, so weighs at most as Khaled against Khalid, where m is bounded
    (scoring.tf_bounded_levels)."""
    rows = np.flatnonzero(at_bounded[index])
    a, b = tf.left[li[rows]], tf.right[ri[rows]]
    held = (a >= 0) & (b >= 0)
    rows, a, b = rows[held], a[held], b[held]
    return rows, np.where(tf.frequency[a] >= tf.frequency[b], a, b)


def _lowering_only(
    comparisons: Sequence[Comparison],
    patterns: npt.NDArray[np.int8],
    bounded: npt.NDArray[np.bool_],
    bits: npt.NDArray[np.float64],
) -> npt.NDArray[np.float64]:
    """``bits`` (rows as :meth:`Linker._tf_patterns` groups them, through the model's
    maps), in place, with those of a row at a ``kernels.TF_LOWERING`` level (``bounded`` and
    not of the comparison's :attr:`~compare.Comparison.near_levels`) kept only where they
    lower the weight, as :meth:`Linker._weigh` reads a pair."""
    for c, comparison in enumerate(comparisons):
        if bounded[:, c].any():
            rows = np.flatnonzero(bounded[:, c])
            rows = rows[~np.isin(patterns[rows, c], comparison.near_levels)]
            bits[rows, c] = np.minimum(bits[rows, c], 0.0)
    return bits


def _agree_rate(
    model: FellegiSunterModel, comparisons: list[Comparison], c: int, levels: tuple[int, ...]
) -> float:
    """The share of random pairs at comparison ``c``'s ``levels`` (where term frequencies
    count). For a comparison split by an anchor's agreement, the marginal share
    (:func:`_unsplit_random`), not the sum of two conditional shares."""
    u_random = model.u_random_[c]
    unsplit = _unsplit_random(comparisons, model.u_random_, c)
    if unsplit is not None:
        u_random = unsplit
        levels = tuple(level for level in levels if level < len(unsplit))
    return float(sum(u_random[level] for level in levels))


def _unsplit_random(
    comparisons: Sequence[Comparison], u_random: Sequence[npt.NDArray[np.float64]], c: int
) -> npt.NDArray[np.float64] | None:
    """For comparison ``c`` split by an anchor's agreement, its random pairs' shares over
    its unsplit levels: the halves weighed by the anchor's share of agreeing
    (``ConditionedComparison.unsplit``); None for a comparison not split."""
    comparison = comparisons[c]
    names = [x.name for x in comparisons]
    if isinstance(comparison, ConditionedComparison) and comparison.anchor in names:
        return comparison.unsplit(u_random[c], u_random[names.index(comparison.anchor)])
    return None


def _value_bits(
    model: FellegiSunterModel, data: PreparedPair, comparisons: list[Comparison]
) -> dict[int, npt.NDArray[np.float64]]:
    """Per comparison that uses term frequencies, the bits an agreement on each value
    adds (through the model's map among candidates, where it has one)."""
    out = {}
    shifts = _tf_shifts(model, comparisons, _given_records(data))
    for c, comparison in enumerate(comparisons):
        tf = comparison.term_frequencies(data)
        if tf is None:
            continue
        rate = _agree_rate(model, comparisons, c, tf.levels)
        raw = tf_adjustment(rate, tf_share(tf.frequency, tf.records, rate)) + shifts[c]
        out[c] = model.candidate_bits(comparison.name, raw)
    return out


def _tf_shifts(
    model: FellegiSunterModel, comparisons: list[Comparison], records: float
) -> npt.NDArray[np.float64]:
    """Per comparison, the bits its values' term-frequency bits are shifted by before its
    map among candidates reads them, among ``records`` records given (:func:`tf_shift`:
    a pair alone weighs a name as its level does); 0 for one without a map."""
    out = np.zeros(len(comparisons))
    for c, comparison in enumerate(comparisons):
        neutral = model.neutral_bits(comparison.name)
        if neutral != 0.0 and comparison.tf_levels:
            rate = _agree_rate(model, comparisons, c, comparison.tf_levels)
            out[c] = tf_shift(neutral, rate, records)
    return out


def _given_records(data: PreparedPair) -> float:
    """The records given, both lists (a run in partitions: all its requests), one list
    once (a dedupe's frame is both sides, as its term frequencies count it): what
    :func:`_tf_shifts` reads, as fit reads its own (``Evidence.records``)."""
    requests, sightings = data.sizes
    if data.left is data.right:
        return float(requests)
    if data.partition is not None and data.partition.requests:
        requests = data.partition.requests
    return float(requests + sightings)


def _candidate_tf_maps(
    model: FellegiSunterModel,
    comparisons: list[Comparison],
    patterns: npt.NDArray[np.int8],
    counts: npt.NDArray[np.int64],
    bits: npt.NDArray[np.float64],
    carry: npt.NDArray[np.bool_],
) -> dict[str, tuple[tuple[float, ...], tuple[float, ...]]]:
    """Each term-frequency comparison's map among the candidates (candidate_tf_map), from
    the pairs grouped by pattern and raw bits, each weighted by the EM posterior of its
    pattern (the model's raw probability, combination term included, bits left out)."""
    if not len(counts):
        return {}
    # A pattern's rows come together (they differ in bits): each run's pattern is weighed
    # once, in blocks of rows (each row summed as in the whole table).
    starts = row_runs(patterns)
    distinct = patterns[starts]
    posterior = np.repeat(
        np.concatenate(
            [
                raw_probability(model.match_weights(part) + model.combination(part)[0])
                for part in np.split(distinct, np.arange(ROW_BLOCK, len(distinct), ROW_BLOCK))
            ]
        ),
        np.diff(starts, append=len(patterns)),
    )
    out = {}
    for c, comparison in enumerate(comparisons):
        rows = np.flatnonzero(carry[:, c])  # found once, not once per array masked
        if len(rows):
            # the rows freed before the map's own arrays are made (the fit's peak)
            column, weight, share = bits[rows, c], counts[rows], posterior[rows]
            del rows
            found = candidate_tf_map(column, weight, share)
            del column, weight, share
            if found is not None:
                out[comparison.name] = found
    return out


def _candidate_bits(
    model: FellegiSunterModel,
    bits: npt.NDArray[np.float64],
    carry: npt.NDArray[np.bool_],
    bounded: npt.NDArray[np.bool_] | None = None,
    *,
    shifts: npt.NDArray[np.float64] | None = None,
    in_place: bool = False,
) -> npt.NDArray[np.float64]:
    """Raw term-frequency bits (as _tf_patterns groups them), each comparison's shifted
    by ``shifts`` (:func:`_tf_shifts`, as predict shifts them), through the model's maps,
    in the cells ``carry`` or ``bounded`` marks (read a column at a time: no third table
    of their union), 0 in the others. ``in_place``: written over ``bits``, for a caller
    that reads the raw bits no more (at 1,000,000 records a side the table of the fit's
    term-frequency columns is 242 MB, made once, not twice)."""
    out = bits if in_place else np.zeros(bits.shape, order="F")  # as in _tf_patterns:
    for c, name in enumerate(model.names):  # untouched columns are free
        marked = carry[:, c] if bounded is None else carry[:, c] | bounded[:, c]
        if marked.any():  # most comparisons carry none: no mask over all the rows
            rows = np.flatnonzero(marked)  # found once for the gather and the scatter
            shift = 0.0 if shifts is None else float(shifts[c])
            mapped = model.candidate_bits(name, bits[rows, c] + shift)
            if in_place:
                out[:, c] = 0.0
            out[rows, c] = mapped
        elif in_place and (bits[:, c].any() or np.signbit(bits[:, c]).any()):
            out[:, c] = 0.0  # a -0.0 too, as a fresh table holds it
    return out


def checked_decisions(values: pd.Series) -> tuple[npt.NDArray[np.bool_], npt.NDArray[np.bool_]]:
    """Each reviewed pair's decision (:func:`~rfl_match.schema.decisions`): whether it
    was decided, and whether it is a match. A blank or "unsure" is no decision: the pair
    is left out, with one warning that counts them. Any other value is a
    :class:`ConfigError` that names its row, and its value where a log line may show it
    (:func:`~rfl_match.schema.shown_value`: a note written in a review file's decision
    cell is not shown)."""
    decided, match, unread = decisions(values)
    name = str(values.name or "is_match")  # a review file's decision, read as is_match
    if unread.any():
        rows = np.flatnonzero(unread)
        codes, uniques = pd.factorize(values.iloc[rows])  # each value named once, first row
        shown = [
            (f"{value!r}" if shown_value(name, str(value)) else "a value not shown")
            + f" (row {rows[np.argmax(codes == k)] + 1})"
            for k, value in enumerate(uniques.tolist())
        ]
        more = " ..." if len(shown) > 5 else ""
        raise ConfigError(
            f"labels: {name} holds {', '.join(shown[:5])}{more}, neither yes nor no; write "
            f"{DECISION_WORDS}, or leave it blank for no decision (the pair is left out)"
        )
    undecided = int((~decided).sum())
    if undecided:
        warn(
            f"labels: {undecided} row(s) with no decision in {name} (blank or unsure) left out",
        )
    return decided, match


def _one_to_one(
    li: npt.NDArray[np.intp],
    ri: npt.NDArray[np.intp],
    total: npt.NDArray[np.float64],
    request_ids: pd.Series,
    sighting_ids: pd.Series,
) -> npt.NDArray[np.bool_]:
    """Greedy assignment, strongest pair first (ties by request id, then sighting id): each
    request and sighting used once."""
    keep = np.zeros(len(li), dtype=bool)
    used_l: set[int] = set()
    used_r: set[int] = set()
    by_request = dense_ranks([pd.Series(_take_text(request_ids, li))]) if len(li) else li
    by_sighting = dense_ranks([pd.Series(_take_text(sighting_ids, ri))]) if len(ri) else ri
    for k in np.lexsort((by_sighting, by_request, -total)).tolist():
        a, b = int(li[k]), int(ri[k])
        if a in used_l or b in used_r:
            continue
        used_l.add(a)
        used_r.add(b)
        keep[k] = True
    return keep


def _compete(
    model: FellegiSunterModel,
    kept: list[_Scored],
    sizes: tuple[int, int],
    threshold: float,
    *,
    dedupe: bool,
    sightings: npt.NDArray[np.float64] | None = None,
    sighting_side: bool = True,
) -> list[_Scored]:
    """The pairs only the context rules proposed, weighed against their records' rivals.

    Such a pair is proposed because its records agree on a parent's name, a place or the
    birth year where the budget had better candidates by the name (each record's best
    ``candidates_per_record``). Where one of the two records also has a likely candidate
    among the budget's, the pair is most often a relative or a namesake of that candidate,
    which the comparisons, each read alone, cannot tell. At 100,000 a side (synthetic,
    ``context_candidates`` 1), of those scored 0.5 or more, the pairs whose request or
    sighting had a rival at 0.5 scored 0.76 to 0.83 on average and were 7% to 51% true;
    those with no such rival scored 0.90 and were 90% true.

    So a context pair's calibrated odds ``o`` are read as those of one candidate against
    its rivals: ``o / (1 + o_r)`` for the likelier of its request's and its sighting's
    best rival among the budget's pairs (``o_r``, probability ``b``; at
    :data:`RIVAL_FLOOR` or more), as if each record had one match at most among them:
    ``log2(1 - b)`` taken off the log2 odds, and written as the weight the map reads
    there (:meth:`WeightCalibration.weight_at`), so that the probability is still the
    match weight read through the calibration, and the explanation sums. A record found
    twice (two sightings of one person) is read as one found once: that pair is lowered
    too. Pairs that fall under ``threshold`` are dropped.

    ``kept``: the predict's scored chunks (:meth:`Linker._weigh` with their context
    masks). ``sizes``: the two sides' records (one list: ``dedupe``, a record's rivals as
    either side). ``sightings``: each sighting's best rival among all the requests of a
    run in partitions (``rfl_match.backends.partitions.compete``). ``sighting_side``
    False: a request's rivals only, where the sighting's requests are read together
    already (``one_request_per_person``, :func:`_one_request`)."""
    best_left, best_right = _rivals(kept, sizes)
    if dedupe:
        best_left = best_right = np.maximum(best_left, best_right)
    if sightings is not None:
        best_right = np.maximum(best_right, sightings)
    if not sighting_side:
        best_right = np.zeros_like(best_right)
    calibration = model.calibration_
    out = []
    for one in kept:
        competition = np.zeros(len(one.left))
        rows = np.zeros(0, dtype=np.intp) if one.context is None else np.flatnonzero(one.context)
        rival = np.maximum(best_left[one.left[rows]], best_right[one.right[rows]])
        rows, rival = rows[rival > 0], rival[rival > 0]
        if not len(rows):  # nothing lowered: the chunk as scored
            out.append(replace(one, rivals=None, competition=competition))
            continue
        # A rival read as 1.0 (53 bits and more) takes 52 bits off.
        taken = np.log2(1.0 - np.minimum(rival, 1.0 - 2.0**-52))
        total, prob = one.total.copy(), one.prob.copy()
        total[rows] = calibration.weight_at(calibration.log2_odds(total[rows]) + taken)
        competition[rows] = total[rows] - one.total[rows]
        prob[rows] = model.probability(total[rows])
        # Only the lowered pairs can fall under the threshold.
        keep = np.flatnonzero(prob >= threshold)
        out.append(_reweighed(one, keep, total, prob, rivals=None, competition=competition))
    return out


def _reweighed(
    one: _Scored,
    keep: npt.NDArray[np.intp],
    total: npt.NDArray[np.float64],
    prob: npt.NDArray[np.float64],
    *,
    rivals: tuple[npt.NDArray[np.intp], npt.NDArray[np.intp], npt.NDArray[np.float64]] | None,
    competition: npt.NDArray[np.float64] | None = None,
    sighting: npt.NDArray[np.float64] | None = None,
) -> _Scored:
    """A scored chunk's pairs ``keep`` with a new ``total`` and ``prob``, its ``rivals``,
    and a new ``competition`` or ``sighting`` term where given (each per pair of the
    chunk; else the chunk's own); the rest of each kept pair as it was."""
    together = one.combination
    if together is not None:
        together = (together[0][keep], together[1][keep])

    def kept(values: Any) -> Any:
        return None if values is None else values[keep]

    return _Scored(
        one.left[keep],
        one.right[keep],
        one.levels[keep],
        one.weights[keep],
        together,
        total[keep],
        prob[keep],
        kept(one.context),
        rivals,
        kept(one.competition if competition is None else competition),
        sighting=kept(one.sighting if sighting is None else sighting),
    )


#: Log2 odds past which a pair's odds are summed as these (a probability reads 1.0 from
#: 53 bits): a sighting's sum stays finite however many such pairs it has.
_ODDS_CEILING = 60.0


def _exclusive_floor(threshold: float) -> float:
    """The probability whose odds :data:`EXCLUSIVE_MAX_SCALE` times are the threshold's: no
    pair under it reaches the threshold when its sighting's requests are read together
    (:func:`_one_request` never scales odds by more)."""
    if threshold <= 0:
        return 0.0
    if threshold >= 1:
        return threshold
    odds = threshold / (1 - threshold) / EXCLUSIVE_MAX_SCALE
    return odds / (1 + odds)


def _summed_odds(log2_odds: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Odds as a sighting's sum holds them (at most :data:`_ODDS_CEILING` bits)."""
    out: npt.NDArray[np.float64] = np.exp2(np.minimum(log2_odds, _ODDS_CEILING))
    return out


def _odds_by_sighting(
    calibration: WeightCalibration,
    total: npt.NDArray[np.float64],
    right: npt.NDArray[np.intp],
    sightings: int,
) -> tuple[npt.NDArray[np.float64], float]:
    """Pairs' calibrated odds summed by sighting, and their probabilities summed."""
    odds = _summed_odds(calibration.log2_odds(total))
    by_sighting = np.bincount(right, weights=odds, minlength=sightings).astype(np.float64)
    return by_sighting, float((odds / (1.0 + odds)).sum())


def _exclusive_scale(by_sighting: npt.NDArray[np.float64], expected: float) -> float:
    """The scale g at which the sightings' probabilities read together,
    ``sum g S / (1 + g S)`` over sightings (S: a sighting's candidates' odds summed), are
    ``expected``, the pairs' own probabilities summed: the model's expected number of
    matches kept. It is 1 or more (for x / (1 + x) is concave, one sighting's share of
    its summed odds is at most its pairs' shares summed), at most
    :data:`EXCLUSIVE_MAX_SCALE`; by bisection on log2 g, the sum rising with g.

    >>> round(_exclusive_scale(np.array([1.0, 3.0]), 0.5 + 0.75), 6)  # one pair a sighting
    1.0
    >>> s = np.array([0.5 + 0.5])  # two requests at 1/3 each: 2/3 expected
    >>> g = _exclusive_scale(s, 2 / 3); round(g * 1.0 / (1 + g * 1.0), 6)
    0.666667
    """
    held = by_sighting[by_sighting > 0]
    if not len(held) or expected <= 0:
        return 1.0
    low, high = 0.0, float(np.log2(EXCLUSIVE_MAX_SCALE))

    def share(log2_g: float) -> float:
        scaled = held * 2.0**log2_g
        return float((scaled / (1.0 + scaled)).sum())

    if share(high) <= expected:
        return EXCLUSIVE_MAX_SCALE
    for _ in range(60):
        mid = (low + high) / 2
        if share(mid) < expected:
            low = mid
        else:
            high = mid
    return float(2.0 ** ((low + high) / 2))


def _one_request(
    model: FellegiSunterModel,
    kept: list[_Scored],
    threshold: float,
    shared: tuple[npt.NDArray[np.float64], float] | None = None,
) -> tuple[list[_Scored], float]:
    """The scored chunks with each sighting's requests read together
    (``LinkConfig.one_request_per_person``): a sighting is the person of one request at
    most, so its candidates' calibrated odds ``o`` become ``g o / (1 + g (S - o))``,
    where S sums the odds of all its candidates that the budget proposed (those under
    the threshold too, which :meth:`Linker._weigh` summed; the model and its map learn
    from those alone, and the context rules' own are overstated until :func:`_compete`
    weighs them) and g is :func:`_exclusive_scale`'s: the expected number of matches
    among them kept. A pair only the context rules proposed is not in S: it is read as
    ``g o / (1 + g S)``. The change in log2 odds is written as a weight through the map
    (:meth:`WeightCalibration.weight_at`), in ``sighting``, so that the probability is
    still the match weight read through the calibration. The rivals of the context
    rules' pairs are read so too; then pairs under ``threshold`` are dropped. Returned
    with g. ``kept`` is emptied as it is read (each chunk's weights freed once its kept
    pairs are copied); its first chunk holds the sums of all
    (:meth:`Linker._scored_chunks`). ``shared``: the sums to read the sightings with
    instead, those of all the requests of a run in partitions
    (:attr:`prepare.Partition.sighting_odds`), of which ``kept``'s are a part."""
    if shared is None:
        if not kept or kept[0].odds is None:
            return kept, 1.0
        shared = kept[0].odds
    by_sighting, expected = shared
    scale = _exclusive_scale(by_sighting, expected)
    calibration = model.calibration_
    out = []
    while kept:
        one = kept.pop(0)
        odds = calibration.log2_odds(one.total)
        own = _summed_odds(odds)
        if one.context is not None:  # not among the sighting's summed odds
            own = np.where(one.context, 0.0, own)
        others = np.maximum(by_sighting[one.right] - own, 0.0)
        total = calibration.weight_at(odds + np.log2(scale) - np.log2(1.0 + scale * others))
        prob = model.probability(total)
        keep = np.flatnonzero(prob >= threshold)
        rivals = one.rivals
        if rivals is not None:
            rl, rr, rp = rivals
            rival_odds = rp / np.maximum(1.0 - rp, 1e-300)
            rest = np.maximum(by_sighting[rr] - rival_odds, 0.0)
            read = scale * rival_odds / (1.0 + scale * rest)
            rivals = (rl, rr, read / (1.0 + read))
        out.append(_reweighed(one, keep, total, prob, rivals=rivals, sighting=total - one.total))
    return out, scale


#: How far the match weight a matches file gives a pair may be from what :meth:`Linker.explain`
#: sums for it (bits): the same sums, in another order, or written as text and read back.
_SAME_WEIGHT = 1e-6

#: The waterfall's titles (:meth:`Linker.explain`): the comparisons', and predict's terms.
_EXPLAIN_TITLES = {**_TITLES, "competition": "competition", "sighting": "sighting's requests"}


def _pair_terms(
    matches: pd.DataFrame, request_id: str, sighting_id: str, either_way: bool
) -> tuple[list[tuple[str, str, float]], float | None] | None:
    """The terms predict added to a pair, from its row of ``matches`` (predict's output,
    or a matches file as read: cells may be text), as :meth:`Linker.explain` shows them:
    (name, phrase as predict words it, bits) for the competition (where the context rules
    alone proposed the pair: its explanation says so, or the term is not 0) and the
    sighting's term, each where ``matches`` has its column; and the pair's match weight
    there (None without the column). None where ``matches`` has no such pair
    (``either_way``: one list, the pair also the other way round, as predict shows it
    from the record of lower id)."""
    if not {"request_id", "sighting_id"} <= set(matches.columns):
        raise ModelError("explain: the matches have no request_id and sighting_id columns")
    left = matches["request_id"].astype(str).str.strip().to_numpy()
    right = matches["sighting_id"].astype(str).str.strip().to_numpy()
    a, b = str(request_id).strip(), str(sighting_id).strip()
    at = np.flatnonzero((left == a) & (right == b))
    if not len(at) and either_way:
        at = np.flatnonzero((left == b) & (right == a))
    if not len(at):
        return None
    row = matches.iloc[int(at[0])]

    def number(column: str) -> float | None:
        if column not in matches.columns:
            return None
        value = pd.to_numeric(pd.Series([row[column]]), errors="coerce").iloc[0]
        if pd.isna(value):
            raise ModelError(f"explain: the matches' {column} of {a} ~ {b} is not a number")
        return float(value)

    terms = []
    competition = number(COMPETITION_COLUMN)
    said = str(row["explanation"]) if "explanation" in matches.columns else ""
    proposed = competition_phrase(0.0).rsplit(" ", 1)[0]  # the phrase's words, no bits
    if competition is not None and (competition != 0 or proposed in said):
        terms.append(("competition", competition_phrase(competition), competition))
    sighting = number(SIGHTING_COLUMN)
    if sighting is not None:
        terms.append(("sighting", sighting_phrase(sighting), sighting))
    # The phrases without their bits, as the waterfall's other rows are said.
    terms = [(name, phrase.rsplit(" ", 1)[0], bits) for name, phrase, bits in terms]
    return terms, number("match_weight")


def sighting_phrase(bits: float) -> str:
    """The term of ``one_request_per_person`` in words, with its bits to one decimal.

    >>> sighting_phrase(-2.04)
    "read with its sighting's other requests -2.0"
    """
    return f"read with its sighting's other requests {bits:+.1f}"


#: Options that change what predict keeps or how it reads the scores, not the prepared
#: records, candidates or levels: a fit's own may be predicted with them changed.
_PREDICT_OPTIONS = ("threshold", "top_k", "one_request_per_person")


def _same_but_predict_options(fitted: LinkConfig, now: LinkConfig) -> bool:
    """Whether two configurations prepare, block and compare alike (all but
    :data:`_PREDICT_OPTIONS` equal)."""
    return replace(fitted, **{o: getattr(now, o) for o in _PREDICT_OPTIONS}) == now


def _gathered(kept: list[_Scored], name: str, dtype: Any) -> npt.NDArray[Any]:
    """A per-pair field of scored chunks, end to end; zeros for a chunk without it."""
    return np.concatenate(
        [np.zeros(0, dtype)]
        + [
            np.zeros(len(one.left), dtype) if getattr(one, name) is None else getattr(one, name)
            for one in kept
        ]
    )


def _rivals(
    kept: list[_Scored], sizes: tuple[int, int]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Each left and right record's likeliest rival among scored chunks' (0: none)."""
    best_left, best_right = np.zeros(sizes[0]), np.zeros(sizes[1])
    for one in kept:
        if one.rivals is not None:
            rl, rr, prob = one.rivals
            np.maximum.at(best_left, rl, prob)
            np.maximum.at(best_right, rr, prob)
    return best_left, best_right


def competition_phrase(bits: float) -> str:
    """The competition term of a pair only the context rules proposed, in words: that
    they proposed it, and what a likelier candidate of one of its records takes off
    (bits, one decimal).

    >>> competition_phrase(-3.24)
    'proposed for a parent, place or birth they share; one has a likelier candidate -3.2'
    """
    said = "proposed for a parent, place or birth they share"
    if bits < 0:
        return f"{said}; one has a likelier candidate {bits:+.1f}"
    return f"{said} {bits:+.1f}"


def combination_phrase(bits: float, typical: int, classes: tuple[str, ...]) -> str:
    """The combination term in words: which kind of non-match the agreements taken
    together are typical of (negative bits), or that they are unlike every kind
    (positive), and the bits to one decimal.

    >>> combination_phrase(-2.14, 0, ("relatives", "namesakes"))
    'taken together: typical of relatives -2.1'
    >>> combination_phrase(0.8, 1, ("relatives", "namesakes"))
    'taken together: unlike relatives or namesakes +0.8'
    """
    tenths = round(bits * 10)
    if tenths < 0 and typical >= 0:
        words = f"typical of {classes[typical]}"
    elif tenths > 0:
        words = "unlike " + " or ".join(classes)
    else:
        words = "as the comparisons alone say"
    return f"taken together: {words} {tenths / 10:+.1f}"


def _phrase_levels(
    comparisons: list[Comparison],
    data: PreparedPair,
    li: npt.NDArray[np.intp],
    ri: npt.NDArray[np.intp],
    levels: npt.NDArray[np.int8],
) -> npt.NDArray[np.int8]:
    """The pairs' levels as the explanations word them (``Comparison.phrase_levels``)."""
    out = levels
    for c, comparison in enumerate(comparisons):
        if comparison.notes:
            if out is levels:
                out = levels.copy()
            out[:, c] = comparison.phrase_levels(data, li, ri, levels[:, c])
    return out


#: Tenths of a bit past which :func:`explain_rows` would not tell two weights apart (a
#: weight is far under 100,000 bits).
_TENTHS = 2**20


def frequency_phrase(weight: float, level_weight: float, of: str) -> str:
    """Where the frequency of the value compared (``of``: what it is, a comparison's
    ``frequency_of``: "name", "encoding") moves a comparison's weight (bits, one decimal)
    off its level's own: the level's weight, then the value's part in words ("a common
    name" lowers it, "a rare name" raises it), the two summing to the weight to one
    decimal; else "". Said after the level's words.

    >>> frequency_phrase(-1.6, 0.21, "name")
    ' +0.2, a common name -1.8'
    >>> frequency_phrase(3.04, 2.5, "encoding"), frequency_phrase(0.2, 0.21, "name")
    (' +2.5, a rare encoding +0.5', '')
    """
    tenths, own = round(weight * 10), round(level_weight * 10)
    if tenths == own:
        return ""
    kind = "common" if tenths < own else "rare"
    return f" {own / 10:+.1f}, a {kind} {of} {(tenths - own) / 10:+.1f}"


#: The prior's phrase in an explanation (:func:`explain_rows`).
PRIOR_PHRASE = "share of matches among the candidates"


def explain_rows(
    comparisons: list[Comparison],
    levels: npt.NDArray[np.int8],
    weights: npt.NDArray[np.float64],
    combination: tuple[npt.NDArray[np.float64], npt.NDArray[np.intp], tuple[str, ...]]
    | None = None,
    *,
    prior: float | None = None,
    competition: tuple[npt.NDArray[np.float64], npt.NDArray[np.bool_]] | None = None,
    sighting: npt.NDArray[np.float64] | None = None,
    own: tuple[npt.NDArray[np.int8], Sequence[npt.NDArray[np.float64]]] | None = None,
) -> Any:
    """One sentence per pair: each comparison's level in words and its weight in bits,
    then (``combination``: each pair's term, its typical class, the class names) the
    agreements taken together (:func:`combination_phrase`), and last the ``prior``'s
    weight (the share of matches among the candidates), so that the bits said add up to
    the pair's match weight. ``competition`` (each pair's competition term and whether
    the context rules alone proposed it, :func:`_compete`) is said before the prior for
    those pairs (:func:`competition_phrase`), and ``sighting`` (each pair's term of
    ``one_request_per_person``) after it (:func:`sighting_phrase`). ``own`` (the pairs'
    levels, and each comparison's weight by level: the model's ``weights_``): where a
    value's frequency (a name's, an encoding's) moves a comparison's weight off its
    level's own, the phrase says both (:func:`frequency_phrase`). A pandas array of
    text, as a column of Python strings becomes.

    A comparison's phrase depends only on its level and its weight to one decimal, so each
    distinct phrase is written once and the pairs pick theirs by code; Arrow joins them
    (no Python string per pair), :data:`EXPLAIN_ROWS` pairs at a time, so that only one
    slice's phrases are held apart besides the sentences (all at once, the phrases doubled
    the output's memory at its peak).
    """
    import pyarrow as pa  # type: ignore[import-untyped]
    import pyarrow.compute as pc  # type: ignore[import-untyped]

    n = len(levels)
    if n == 0 or not comparisons:
        return np.full(n, "", dtype=object)
    phrases: list[Any] = []  # per term, its distinct phrases (Arrow) and each pair's code
    for c, comparison in enumerate(comparisons):
        title = _TITLES.get(comparison.name, comparison.name.replace("_", " "))
        tenths = np.rint(weights[:, c] * 10).astype(np.int64)
        mine = tenths
        if own is not None:
            mine = np.rint(own[1][c][own[0][:, c].astype(np.intp)] * 10).astype(np.int64)
        # (weight, the level's own weight) in tenths and the phrase's level, in one key
        keyed = ((tenths + _TENTHS) * 2 * _TENTHS + mine + _TENTHS) * 64 + levels[:, c]
        codes, uniques = pd.factorize(keyed)
        worded = []
        for k in uniques.tolist():
            both, level = divmod(k, 64)
            high, low = divmod(both, 2 * _TENTHS)
            in_all, in_level = (high - _TENTHS) / 10, (low - _TENTHS) / 10
            moved = frequency_phrase(in_all, in_level, comparison.frequency_of)
            level_said = f"{title}: {comparison.describe(level)}"
            worded.append(level_said + moved if moved else f"{level_said} {in_all:+.1f}")
        phrases.append((pa.array(worded, type=pa.large_string()), codes))
    if combination is not None:
        bits, typical, classes = combination
        key = np.rint(bits * 10).astype(np.int64) * 64 + typical + 1
        codes, uniques = pd.factorize(key)
        words = [
            combination_phrase((k // 64) / 10, int(k % 64) - 1, classes) for k in uniques.tolist()
        ]
        phrases.append((pa.array(words, type=pa.large_string()), codes))
    if competition is not None:
        bits, context = competition
        # One phrase per distinct term; the pairs the budget proposed say none (null,
        # skipped in the join).
        key = np.where(context, np.rint(bits * 10).astype(np.int64), np.iinfo(np.int64).min)
        codes, uniques = pd.factorize(key)
        said = [
            None if k == np.iinfo(np.int64).min else competition_phrase(k / 10)
            for k in uniques.tolist()
        ]
        phrases.append((pa.array(said, type=pa.large_string()), codes))
    if sighting is not None:
        codes, uniques = pd.factorize(np.rint(sighting * 10).astype(np.int64))
        words = [sighting_phrase(k / 10) for k in uniques.tolist()]
        phrases.append((pa.array(words, type=pa.large_string()), codes))
    if prior is not None:
        words = [f"{PRIOR_PHRASE} {prior:+.1f}"]
        phrases.append((pa.array(words, type=pa.large_string()), np.zeros(n, dtype=np.intp)))
    separator = pa.scalar("; ", pa.large_string())
    sentences = [
        pc.binary_join_element_wise(
            *(words.take(codes[start : start + EXPLAIN_ROWS]) for words, codes in phrases),
            separator,
            null_handling="skip",
        )
        for start in range(0, n, EXPLAIN_ROWS)
    ]
    return _text_array(pa.chunked_array(sentences, type=pa.large_string()))


#: The text columns of predict's output.
_TEXT_COLUMNS = ("request_id", "sighting_id", "explanation")


def _matches_frame(
    names: Sequence[str],
    request_id: Any,
    sighting_id: Any,
    probability: npt.NDArray[np.float64],
    weight: npt.NDArray[np.float64],
    rank: npt.NDArray[np.int64],
    explanation: Any,
    levels: npt.NDArray[np.int8],
    by_term: npt.NDArray[np.float64],
    combination: npt.NDArray[np.float64] | None,
    competition: npt.NDArray[np.float64] | None = None,
    sighting: npt.NDArray[np.float64] | None = None,
) -> pd.DataFrame:
    """The matches' columns, in order: ids, probability, weight, rank and explanation, then
    each comparison's (``names``) level and weight (``levels``: pairs x comparisons;
    ``by_term``: comparisons x pairs, a comparison's weights one contiguous row), then the
    combination's weight where there is one, the competition's where the context rules
    propose pairs, and the sighting's with ``one_request_per_person`` (one source for
    :meth:`Linker.predict` and :meth:`Linker.no_matches`)."""
    columns: dict[str, Any] = {
        "request_id": request_id,
        "sighting_id": sighting_id,
        "match_probability": probability,
        "match_weight": weight,
        "rank": rank,
        "explanation": explanation,
    }
    for c, name in enumerate(names):
        columns[f"{name}_level"] = levels[:, c].astype(np.int64)
        columns[f"{name}_weight"] = by_term[c]
    if combination is not None:
        columns[COMBINATION_COLUMN] = combination
    if competition is not None:
        columns[COMPETITION_COLUMN] = competition
    if sighting is not None:
        columns[SIGHTING_COLUMN] = sighting
    # The columns are new arrays, held by nothing else: taken as they are, not copied
    # into one block per dtype (which held them twice, at 1M pairs a side 170 MiB more).
    out = pd.DataFrame(columns, copy=False)
    if not len(out):  # the text columns' dtype as with rows (outputs concatenate alike)
        out = out.astype({name: _text_dtype() for name in _TEXT_COLUMNS})
    return out


def _text_dtype() -> Any:
    """The dtype pandas gives a column of Python strings (pandas 3: Arrow-backed str)."""
    return pd.Series(np.array([""], dtype=object)).dtype


def _text_array(values: Any) -> Any:
    """An Arrow text array as the pandas array a column of the same Python strings becomes:
    without a Python string per row where that is Arrow-backed."""
    dtype = _text_dtype()
    if isinstance(dtype, pd.StringDtype) and dtype.storage == "pyarrow":
        return pd.array(values, dtype=dtype)
    return pd.array(values.to_numpy(zero_copy_only=False), dtype=dtype)


def _by_weight_then_id(
    li: npt.NDArray[np.intp],
    ri: npt.NDArray[np.intp],
    total: npt.NDArray[np.float64],
    sighting_ids: pd.Series,
) -> npt.NDArray[np.intp]:
    """The pairs' order: by request row, strongest first, ties by sighting id. Only the
    tied pairs (few) have their sighting ids ranked. Pairs given in the order of their
    rows (as blocking gives them) are in that order where tied already: each request's
    pairs are sorted among themselves by weight alone (kernels.strongest_first), the
    order a sort on all three keys gives."""
    step = np.diff(li)
    ascending = (step > 0) | ((step == 0) & (np.diff(ri) > 0))
    rows: npt.NDArray[np.intp]
    if ascending.all() and not np.isnan(total).any():
        rows = strongest_first(li, total)
    else:
        rows = np.lexsort((ri, -total, li))
    key_li, key_total = li[rows], total[rows]
    same = (key_li[1:] == key_li[:-1]) & (key_total[1:] == key_total[:-1])
    tied = np.zeros(len(rows), dtype=bool)
    tied[1:] |= same
    tied[:-1] |= same
    if tied.any():
        sub = rows[tied]
        ids = dense_ranks([pd.Series(_take_text(sighting_ids, ri[sub]))])
        rows[tied] = sub[np.lexsort((ids, -total[sub], li[sub]))]
    return rows


def _take_text(column: pd.Series, rows: npt.NDArray[np.intp]) -> Any:
    """``column``'s values at ``rows``, as the column of those Python strings would be
    typed: taken within Arrow (no Python string per row) where the column is so typed."""
    if len(rows) and column.dtype == _text_dtype():
        return column.array.take(rows)
    return column.to_numpy()[rows]  # (no rows: no text to infer a type from)
