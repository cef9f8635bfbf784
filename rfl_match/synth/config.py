"""What to generate, and how often each corruption happens."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

# Every corruption the generator can apply, in the order it is listed in corruptions.csv.
# Each has a rate in SynthConfig named ``<name>_rate``; the rate is the share, among the
# sightings where the corruption can apply, of those that get it (requests get
# ``request_corruption_scale`` times that rate). See the README of data/synthetic for what
# each one does.
CORRUPTIONS: tuple[str, ...] = (
    "native_script",
    "romanization",
    "nickname",
    "typo",
    "truncation",
    "reorder",
    "title",
    "upper_case",
    "missing_fields",
    "age_misestimated",
    "placeholder_dob",
    "imprecise_dob",
    "duplicate",
)
#: The forms that records of children use, written at ``SynthConfig.child_forms_rate`` and
#: noted in corruptions.csv after :data:`CORRUPTIONS` (see ``records._write_child_forms``).
CHILD_FORMS: tuple[str, ...] = (
    "age_words",
    "age_years_months",
    "age_or",
    "age_two_range",
    "age_months",
    "newborn_mother",
    "compound_part",
)


@dataclass(frozen=True, kw_only=True)
class SynthConfig:
    """Parameters of :func:`rfl_match.synth.generate`.

    Attributes:
        n_requests: tracing requests to write, one per sought person.
        n_sightings: sighting records to write.
        seed: the seed; the same configuration always gives the same data.
        match_rate: share of requests whose person is sighted at least once.
        duplicate_rate: share of sighted people who are sighted a second time.
        relative_rate: share of the sightings without a request that are about a relative
            (parent, child or sibling) of a sought person: near misses for a matcher.
        request_corruption_scale: requests get each corruption at this times its rate (an
            enquirer knows the person; a registrar does not).
        culture_weights: share of each culture (keys of
            :data:`rfl_match.synth.pools.CULTURES`); None for the default mix.
        case_group: add a ``case_group`` column to requests (requests about members of one
            family share it, as in a tracing case).
        native_script_rate: names written in their native script (Arabic, Perso-Arabic,
            Ge'ez, Cyrillic, Burmese; Somali official orthography).
        romanization_rate: names written with another romanisation convention than the
            person's usual one.
        nickname_rate: a nickname in place of the given name.
        typo_rate: one character inserted, deleted, replaced or swapped in one name.
        truncation_rate: the last element of the name chain left out.
        reorder_rate: the last element of the name put first (family name first).
        title_rate: a title or honorific before the name (Haji, Sheikh, Ato, U, Daw, Don).
        upper_case_rate: names written in capitals.
        missing_fields_rate: one to three filled fields left empty.
        age_misestimated_rate: age (and the birth year) off by one or more years; a
            date keeps the birth's day and month (a year-month date its month) a quarter
            of the time (``records.BIRTHDAY_KEPT``), else takes unrelated ones.
        placeholder_dob_rate: birth date written as 1 January of the year (more often for
            some cultures, see ``records.PLACEHOLDER_MULTIPLIER``).
        imprecise_dob_rate: birth date given as year or year-month only.
        twin_rate: share of the children after their family's first who are born the same
            day as the sibling before them: twins, who share the family, the parents, the
            places and the birth, and have their own given names. 0 (the default) makes
            none, so that the data of a seed stay as they were; about 0.02 is the world's
            share of children born a twin (more in West Africa). Drawn from a random
            stream of its own: the other records of a seed are the same at any rate. With
            a rate above 0, ``corruptions`` has a ``twin_id`` column.
        child_forms_rate: share of the records of children (under 18) written in a form of
            :data:`CHILD_FORMS`, among the records each can take: the age, where it is a
            number, in one of four forms drawn alike: in words ("nine", "neuf ans", "تسع
            سنوات"), in years and months to 4 ("1 year 6 months"), two ages with "or" ("9 or
            10"), a range of two ages ("9-10"), and a child under one's age in its months,
            else weeks, else days, since its birth ("6 months", "3 weeks"); a newborn
            (under one) named by its mother's
            name ("Baby of Fatima", "B/O Fatima", "RN de María", the mother's name field
            left blank); a child called by the second part of its compound given name
            (Zaman for Mohammad Zaman). The words are in ``resources/child_forms.tsv``. 0
            (the default) writes none, so that the data of a seed stay as they were; drawn
            from a random stream of its own, so that every other value of a seed is the same
            at any rate. With a rate above 0, ``rates`` has rows for these forms too.
    """

    n_requests: int = 500
    n_sightings: int = 1000
    seed: int = 0
    match_rate: float = 0.8
    duplicate_rate: float = 0.1
    relative_rate: float = 0.3
    request_corruption_scale: float = 0.5
    culture_weights: Mapping[str, float] | None = field(default=None)
    case_group: bool = False
    native_script_rate: float = 0.15
    romanization_rate: float = 0.4
    nickname_rate: float = 0.05
    typo_rate: float = 0.1
    truncation_rate: float = 0.1
    reorder_rate: float = 0.05
    title_rate: float = 0.05
    upper_case_rate: float = 0.1
    missing_fields_rate: float = 0.2
    age_misestimated_rate: float = 0.15
    placeholder_dob_rate: float = 0.1
    imprecise_dob_rate: float = 0.2
    twin_rate: float = 0.0
    child_forms_rate: float = 0.0

    def rate(self, corruption: str) -> float:
        """The configured rate of one corruption (``duplicate`` is ``duplicate_rate``)."""
        value = getattr(self, f"{corruption}_rate")
        return float(value)
