"""LinkConfig round trips and errors that name the key."""

from __future__ import annotations

import datetime
import json
import math
import warnings
from collections.abc import Callable
from dataclasses import fields
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

import rfl_match as rm
from rfl_match import linker
from rfl_match.config import OUTPUT_TERMS, calendars_of

SAMPLE = {
    "compare": [
        {"field": "postcode", "kind": "exact"},
        {"field": "camp", "kind": "string", "thresholds": [0.9]},
    ],
    "blocking": [["name_pair_class"], ["given_class", "birth_band"]],
    "threshold": 0.7,
    "top_k": 3,
    "mapping": {"Nom": "full_name", "الاسم": "given_name"},
}


def test_dict_round_trip() -> None:
    config = rm.LinkConfig.from_dict(SAMPLE)
    assert rm.LinkConfig.from_dict(config.to_dict()) == config
    assert config.compare[1].thresholds == (0.9,)


def test_toml_round_trip(tmp_path: Path) -> None:
    config = rm.LinkConfig.from_dict(SAMPLE)
    path = tmp_path / "match.toml"
    path.write_text(config.to_toml(), encoding="utf-8")
    assert rm.LinkConfig.from_toml(path) == config
    assert rm.LinkConfig.from_toml(config.to_toml()) == config


def test_json_round_trip() -> None:
    config = rm.LinkConfig.from_dict(SAMPLE)
    assert rm.LinkConfig.from_json(config.to_json()) == config


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"treshold": 0.5}, "treshold"),
        ({"compare": [{"field": "x", "kind": "exact", "weight": 2}]}, "weight"),
        ({"compare": [{"field": "x", "kind": "fuzzy"}]}, "fuzzy"),
        ({"blocking": [["surname_soundex"]]}, "surname_soundex"),
        ({"threshold": "high"}, "threshold"),
        ({"top_k": 2.5}, "top_k"),
        ({"workers": 0}, "workers"),
        ({"candidates_per_record": -1}, "candidates_per_record"),
        ({"candidates_within": -1}, "candidates_within"),
        ({"far_birth_m": -0.001}, "far_birth_m"),
        ({"far_birth_m": 1}, "far_birth_m"),
        ({"far_birth_m": "low"}, "far_birth_m"),
        ({"em_m_prior": float("inf")}, "em_m_prior"),
        ({"em_m_prior": float("nan")}, "em_m_prior"),
        ({"em_m_prior": -1}, "em_m_prior"),
    ],
)
def test_errors_name_the_key(data: dict[str, object], named: str) -> None:
    with pytest.raises(rm.ConfigError, match=named):
        rm.LinkConfig.from_dict(data)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("far_birth_m", "low"),
        ("far_birth_m", True),
        ("far_birth_m", 1e-7),
        ("far_birth_m", 1.0),
        ("em_m_prior", "strong"),
        ("em_m_prior", float("nan")),
        ("threshold", 1.5),
        ("threshold", -0.1),
        ("threshold", "0.5"),
        ("threshold", True),
        ("top_k", -1),
        ("top_k", 2.5),
        ("top_k", True),
    ],
)
def test_constructor_errors_name_the_key(option: str, value: object) -> None:
    """Options given straight to the constructor are checked as from a file: a ConfigError
    that names the key, not a TypeError from comparing text with a number. A share under
    the probability floor (1e-6) would be held by EM but read at the floor when scoring."""
    with pytest.raises(rm.ConfigError, match=option):
        rm.LinkConfig(**{option: value})  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("compare", "message"),
    [
        (3, "compare: 3; use a list of comparisons"),
        ([3], r"compare\[0\]: 3; use a ComparisonSpec"),
        ([{"field": "camp", "kind": "exact"}], r"compare\[0\]: \{.*use a ComparisonSpec"),
        ([rm.ComparisonSpec("camp", "string", thresholds=("a",))], r"\.thresholds: \('a',\); use"),
        ([rm.ComparisonSpec("camp", "string", thresholds=(1.5,))], r"\.thresholds: \(1\.5,\)"),
        ([rm.ComparisonSpec("name_bloom", "bloom", thresholds=(2,))], r"similarities from 0 to 1"),
        ([rm.ComparisonSpec("age", "numeric", thresholds=(float("nan"),))], r"\.thresholds"),
        ([rm.ComparisonSpec("age", "numeric", thresholds=(-1,))], r"numeric: absolute"),
        ([rm.ComparisonSpec("", "exact")], r"compare\[0\]\.field: ''"),
        ([rm.ComparisonSpec("camp", "exact", name=3)], r"compare\[0\]\.name: 3"),  # type: ignore[arg-type]
    ],
)
def test_comparison_errors_name_the_comparison(compare: object, message: str) -> None:
    """A malformed comparison given to the constructor is a ConfigError that names it and
    says what is wanted, not an AttributeError or TypeError from deep in the checks."""
    with pytest.raises(rm.ConfigError, match=message):
        rm.LinkConfig(compare=compare)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"thresholds": ["a"]}, r"compare\[0\]\.thresholds: \['a'\]; use a list of similarities"),
        ({"thresholds": 0.9}, r"compare\[0\]\.thresholds: 0\.9; use a list"),
        ({"thresholds": [None]}, r"compare\[0\]\.thresholds: \[None\]"),
        ({"field": 3}, r"compare\[0\]\.field: 3; use the name of a column"),
        ({"term_frequency": "false"}, r"compare\[0\]\.term_frequency: 'false'; use true or false"),
    ],
)
def test_comparison_values_from_a_file_are_checked(spec: dict[str, object], message: str) -> None:
    """A comparison's values are taken as written, not through str(), float() or bool():
    thresholds ["a"] was a ValueError, field 3 the column "3", and term_frequency "false"
    was true."""
    data = {"field": "camp", "kind": "string"} | spec
    with pytest.raises(rm.ConfigError, match=message):
        rm.LinkConfig.from_dict({"compare": [data]})
    with pytest.raises(rm.ConfigError, match="compare: 3; use a list of comparisons"):
        rm.LinkConfig.from_dict({"compare": 3})


def test_two_comparisons_of_one_name_are_refused() -> None:
    """The Linker keeps one comparison a name (a configured one replaces a default of its
    name): a second of the same name replaced the first, silently."""
    camp = {"field": "camp", "kind": "exact"}
    with pytest.raises(rm.ConfigError, match=r"compare\[1\]: a second comparison named 'camp'"):
        rm.LinkConfig.from_dict({"compare": [camp, camp | {"kind": "string"}]})
    with pytest.raises(
        rm.ConfigError, match=r"compare\[2\]: .* named 'where' \(the first is compare\[0\]"
    ):
        rm.LinkConfig.from_dict(
            {
                "compare": [
                    camp | {"name": "where"},
                    camp,
                    {"field": "place", "kind": "exact", "name": "where"},
                ]
            }
        )
    named = rm.LinkConfig.from_dict(
        {"compare": [camp, camp | {"kind": "string", "name": "camp_like"}]}
    )
    assert [spec.label for spec in named.compare] == ["camp", "camp_like"]


def test_comparisons_are_held_as_a_tuple_of_float_thresholds() -> None:
    spec = rm.ComparisonSpec("age", "numeric", thresholds=[0, 1, 5])  # type: ignore[arg-type]
    config = rm.LinkConfig(compare=[spec])  # type: ignore[arg-type]
    assert config.compare == (rm.ComparisonSpec("age", "numeric", thresholds=(0.0, 1.0, 5.0)),)
    assert rm.LinkConfig.from_dict(config.to_dict()) == config


@pytest.mark.parametrize("option", ["blocking", "context_blocking"])
def test_a_key_alone_is_one_rule(option: str) -> None:
    """A key alone is a rule of that one key, in the list of rules (as before) and in place
    of it: "name_skeleton" was read letter by letter ("unknown key 'n'"). Lists are held as
    tuples, as the rules a file gives."""
    one = (("sorted:name_skeleton" if option == "blocking" else "class:father_name"),)
    for written in (one[0], [one[0]], [list(one)]):
        assert getattr(rm.LinkConfig.from_dict({option: written}), option) == (one,)
        assert getattr(rm.LinkConfig(**{option: written}), option) == (one,)
        assert getattr(rm.LinkConfig().with_options(**{option: written}), option) == (one,)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (3, r"3; use a list of rules, each a key or a list of keys"),
        (None, r"None; use a list of rules"),
        ({"given_class": "birth_band"}, r"\{'given_class': 'birth_band'\}; use a list of rules"),
        ([3], r"rule 3; use a list of rules"),
        ([[]], r"rule \[\]; use a list of rules"),
        ([["given_class", None]], r"rule \['given_class', None\]; use"),
    ],
)
@pytest.mark.parametrize("option", ["blocking", "context_blocking"])
def test_rules_of_another_shape_are_refused(option: str, value: object, message: str) -> None:
    """A TypeError or AttributeError before (3 is not iterable; None has no removeprefix),
    or a key 3 read as "3"; an empty rule was an IndexError when blocking."""
    for build in (
        lambda: rm.LinkConfig.from_dict({option: value}),
        lambda: rm.LinkConfig(**{option: value}),
        lambda: rm.LinkConfig().with_options(**{option: value}),
    ):
        with pytest.raises(rm.ConfigError, match=f"^{option}: {message}"):
            build()


def test_a_mapping_target_that_nothing_uses_is_refused_by_the_library_too() -> None:
    """A target that is no canonical field and no column the configuration names is a typo
    that would rename the column out of use: refused by LinkConfig, whichever way it is
    built (it was refused by the command line only, and a Linker matched without the
    column, silently)."""
    typo = {"Nom": "fullname"}
    message = (
        r"mapping: 'Nom' = 'fullname' \(did you mean 'full_name'\?\): not a canonical field"
        r".*record_id, full_name"
    )
    for build in (
        lambda: rm.LinkConfig(mapping=typo),
        lambda: rm.LinkConfig().with_options(mapping=typo),
        lambda: rm.LinkConfig.from_dict({"mapping": typo}),
        lambda: rm.LinkConfig.from_toml('[mapping]\nNom = "fullname"\n'),
        lambda: rm.Linker({"mapping": typo}),
    ):
        with pytest.raises(rm.ConfigError, match=message):
            build()
    # A target near no canonical field is refused without a guess.
    with pytest.raises(rm.ConfigError, match=r"^mapping: 'Lager' = 'kamp': not a canonical"):
        rm.LinkConfig(mapping={"Lager": "kamp"})
    # A column that a comparison or a blocking rule names is a target a mapping may give.
    camp = rm.LinkConfig(mapping={"Camp": "camp"}, compare=(rm.ComparisonSpec("camp", "exact"),))
    rm.LinkConfig(mapping={"Reg": "reg"}, blocking=(("field:reg",),))
    rm.LinkConfig(mapping={"Father": "father"}, context_blocking=(("class:father",),))
    with pytest.raises(rm.ConfigError, match="'Camp' = 'camp'"):
        camp.with_options(compare=())


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        (3, r"mapping: 3; use a table of input column = canonical field"),
        ([["Nom", "full_name"]], r"mapping: \[\['Nom', 'full_name'\]\]; use a table"),
        ({"Nom": None}, r"mapping: 'Nom' = None; use a table of input column = canonical field"),
        ({"Nom": 3}, r"mapping: 'Nom' = 3; use a table"),
        ({3: "full_name"}, r"mapping: 3 = 'full_name'; use a table"),
    ],
)
def test_a_mapping_of_another_shape_is_refused(mapping: object, message: str) -> None:
    """Text to text: a file's 3 was read as the column "3", and the constructor held any
    value at all."""
    with pytest.raises(rm.ConfigError, match=message):
        rm.LinkConfig(mapping=mapping)  # type: ignore[arg-type]
    if isinstance(mapping, dict):
        with pytest.raises(rm.ConfigError, match=message):
            rm.LinkConfig.from_dict({"mapping": mapping})


def test_the_mapping_is_the_configurations_own() -> None:
    mapping = {"Nom": "full_name"}
    config = rm.LinkConfig(mapping=mapping)
    mapping["Nom"] = "fullname"
    assert config.mapping == {"Nom": "full_name"}


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        # TypeErrors from comparing with a number
        ("workers", None, "workers: None; use a whole number, 1 or more, or -1"),
        ("candidates_per_record", [1], r"candidates_per_record: \[1\]; use a whole number, 0"),
        ("max_block_size", "5000", "max_block_size: '5000'; use a whole number, 1 or more"),
        ("context_candidates", {}, r"context_candidates: \{\}; use a whole number, 0 \(none\)"),
        # an OverflowError from math.isfinite
        pytest.param("em_m_prior", 10**400, r"em_m_prior: 10+; use a finite number", id="huge"),
        # held as given, silently
        ("max_block_size", 2.5, "max_block_size: 2.5; use a whole number, 1 or more"),
        ("sorted_window", True, "sorted_window: True; use a whole number"),
        ("seed", -1, "seed: -1; use a whole number, 0 or more"),
        ("seed", "42", "seed: '42'; use a whole number"),
        ("em_max_iterations", 0, "em_max_iterations: 0; use a whole number, 1 or more"),
        ("em_tolerance", float("nan"), "em_tolerance: nan; use a finite number, 0 or more"),
        ("em_tolerance", "1e-6", "em_tolerance: '1e-6'; use a finite number"),
        ("term_frequency", "false", "term_frequency: 'false'; use true or false"),
        ("default_comparisons", None, "default_comparisons: None; use true or false"),
        ("non_match_classes", True, "non_match_classes: True; use 1 or 2"),
        ("condition_on", [], r"condition_on: \[\]; use one of family_name"),
        ("culture", 3, "culture: 3; use a hint as text"),
    ],
)
def test_each_option_of_another_type_is_refused(option: str, value: object, message: str) -> None:
    """Every option is checked in the constructor, whichever way the configuration is
    built: a value of another type was a TypeError, or was held as given ("false" as
    true, a count of 2.5, a seed numpy refuses when fitting)."""
    for build in (
        lambda: rm.LinkConfig(**{option: value}),  # type: ignore[arg-type]
        lambda: rm.LinkConfig().with_options(**{option: value}),
        lambda: rm.LinkConfig.from_dict({option: value}),
    ):
        with pytest.raises(rm.ConfigError, match=f"^{message}"):
            build()


@pytest.mark.parametrize(
    ("option", "value", "held"),
    [
        ("u_sample_pairs", np.int64(5000), 5000),
        ("seed", np.uint8(7), 7),
        ("workers", np.int32(-1), -1),
        ("non_match_classes", np.int64(2), 2),
        ("em_tolerance", 0, 0.0),
        ("em_tolerance", np.float32(0.5), 0.5),
    ],
)
def test_numbers_are_held_as_python_numbers(option: str, value: object, held: object) -> None:
    """numpy's numbers (from a sweep) are held as Python's, which to_json can write."""
    config = rm.LinkConfig(**{option: value})  # type: ignore[arg-type]
    assert type(getattr(config, option)) is type(held)
    assert getattr(config, option) == held
    assert rm.LinkConfig.from_json(config.to_json()) == config


def test_far_birth_m_takes_the_floor_and_zero() -> None:
    assert rm.LinkConfig(far_birth_m=1e-6).far_birth_m == 1e-6
    assert rm.LinkConfig(far_birth_m=0).far_birth_m == 0


@pytest.mark.parametrize(
    ("option", "value", "held"),
    [
        ("far_birth_m", np.int64(0), 0.0),
        ("far_birth_m", np.float32(0.25), 0.25),
        ("far_birth_m", Fraction(1, 200), 0.005),
        ("em_m_prior", np.float32(0.5), 0.5),
        ("em_m_prior", np.int64(1), 1.0),
    ],
)
def test_shares_take_any_real_number_as_a_float(option: str, value: object, held: float) -> None:
    """numpy's numbers (a value from a sweep or a frame's cell) and the standard library's
    are held as Python floats, which the model's arithmetic and the config files take."""
    got = getattr(rm.LinkConfig(**{option: value}), option)  # type: ignore[arg-type]
    assert type(got) is float
    assert got == held


@pytest.mark.parametrize("share", [None, 0.0, 0.002])
def test_far_birth_m_round_trips(share: float | None) -> None:
    """None (the default: from the data) is JSON's null and an absent TOML key; a share
    is written as a number."""
    config = rm.LinkConfig(far_birth_m=share)
    assert rm.LinkConfig().far_birth_m is None
    for again in (
        rm.LinkConfig.from_dict(config.to_dict()),
        rm.LinkConfig.from_json(config.to_json()),
        rm.LinkConfig.from_toml(config.to_toml()),
    ):
        assert again == config
        assert again.far_birth_m == share
    assert ("far_birth_m" in config.to_toml()) is (share is not None)


def test_missing_toml_file() -> None:
    with pytest.raises(rm.ConfigError, match="not found"):
        rm.LinkConfig.from_toml("no/such/file.toml")


@pytest.mark.parametrize(
    ("read", "message"),
    [
        (lambda: rm.LinkConfig.from_json("threshold = 0.5"), "^not valid JSON: Expecting value"),
        (lambda: rm.LinkConfig.from_json(""), "^not valid JSON"),
        (
            lambda: rm.LinkConfig.from_json('{"seed": ' + "1" * 5000 + "}"),
            "^not valid JSON: .*4300",
        ),
        (lambda: rm.LinkConfig.from_toml("seed = " + "1" * 5000 + "\n"), "^not valid TOML: .*4300"),
        (
            lambda: rm.LinkConfig.from_toml("x" * 300 + ".toml"),
            "^cannot read the configuration file",
        ),
        (
            lambda: rm.LinkConfig.from_toml(Path("no/such/file.toml")),
            "^configuration file not found",
        ),
    ],
)
def test_what_cannot_be_read_is_a_config_error(
    read: Callable[[], rm.LinkConfig], message: str
) -> None:
    """Text that is no JSON was a JSONDecodeError; a number too long for Python to read a
    ValueError; a file name too long an OSError (a path not found was \"cannot read\")."""
    with pytest.raises(rm.ConfigError, match=message):
        read()


def test_linker_accepts_dict() -> None:
    linker = rm.Linker({"threshold": 0.8})
    assert linker.config.threshold == 0.8


@pytest.mark.parametrize("kind", ["exact", "string", "numeric", "date", "age", "sex"])
def test_term_frequency_where_it_is_not_weighed_warns(kind: str) -> None:
    """Only the name comparisons weigh how common a value is: asked of another
    comparison, term_frequency is a warning that names it (a configuration that was
    accepted still is, and keeps the option as written)."""
    spec = rm.ComparisonSpec("camp", kind, name="where", term_frequency=True)
    with pytest.warns(UserWarning, match="'where'.*only the given_name, family_name, name"):
        config = rm.LinkConfig(compare=(spec,))
    assert config.compare == (spec,)
    with pytest.warns(UserWarning, match="'where'"):
        assert rm.LinkConfig.from_dict(config.to_dict()) == config


def test_term_frequency_on_names_is_quiet() -> None:
    specs = tuple(
        rm.ComparisonSpec("name", kind, name=kind, term_frequency=True)
        for kind in ("given_name", "family_name", "name", "bloom")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        rm.LinkConfig(compare=specs)


def test_with_options_checks_as_the_constructor_does() -> None:
    """An unknown option is a ConfigError that names it (as in a file), not a TypeError;
    a known one is checked as the constructor checks it."""
    with pytest.raises(rm.ConfigError, match=r"unknown option 'foo'.*threshold"):
        rm.LinkConfig().with_options(foo=1)
    with pytest.raises(rm.ConfigError, match="top_k"):
        rm.LinkConfig().with_options(top_k=-1)
    assert rm.LinkConfig().with_options(top_k=np.int64(3)).top_k == 3


# --- every value of every option: a configuration, or a ConfigError --------------------

OPTIONS = [f.name for f in fields(rm.LinkConfig)]
SPEC_KEYS = [f.name for f in fields(rm.ComparisonSpec)]

_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats()  # NaN, infinities, negatives
    | st.text(max_size=12)
    | st.sampled_from(["", "full_name", "camp", "exact", "string", "name_skeleton", "auto"])
    | st.sampled_from(["del\x7f", "nul\x00", "\ud800", "line\nbreak", 'quote"', "\\", "é"])
)
_json_like = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
# Values of the right type and shape, beside any value at all, so that the checks of each
# part are reached and some configurations are built.
_awkward_text = st.text(max_size=8) | st.sampled_from(["del\x7f", "\ud800", "a.b", "", "é"])
_kinds = st.sampled_from(rm.config.COMPARISON_KINDS)
_thresholds = st.lists(st.floats() | st.integers(-2, 10), max_size=3)
_spec_parts = {
    "field": st.sampled_from(["camp", "full_name", "postcode"]) | _awkward_text,
    "kind": _kinds,
    "name": _awkward_text,
    "thresholds": _thresholds,
    "term_frequency": st.booleans(),
}
_spec_tables = st.lists(
    st.fixed_dictionaries(
        {k: v | _json_like for k, v in _spec_parts.items() if k in ("field", "kind")},
        optional={k: v | _json_like for k, v in _spec_parts.items() if k not in ("field", "kind")},
    ),
    max_size=3,
)
_specs = st.lists(
    st.builds(rm.ComparisonSpec, **{k: v | _json_like for k, v in _spec_parts.items()}),
    max_size=2,
)
_keys = st.sampled_from(rm.config.BLOCKING_KEYS) | st.sampled_from(
    ["sorted:name_skeleton", "field:camp", "class:father_name", "field:", "sorted:field:camp"]
)
_rules = st.lists(st.lists(_keys, min_size=1, max_size=3) | _keys, max_size=3) | st.lists(
    st.lists(_keys | _json_like, max_size=3) | _keys, max_size=3
)
_mappings = st.dictionaries(
    _awkward_text, st.sampled_from(["full_name", "camp", "fullname"]) | _json_like, max_size=3
)
_condition = st.sampled_from(["", "auto", "family_name", "father_name", "Auto"])


def _value_of(option: str) -> st.SearchStrategy[object]:
    """Any value, or one of the option's type (of its default's)."""
    default = getattr(rm.LinkConfig(), option)
    near: st.SearchStrategy[object]
    if option == "compare":
        near = _spec_tables
    elif option in ("blocking", "context_blocking"):
        near = _rules
    elif option == "mapping":
        near = _mappings
    elif option == "far_birth_m":
        near = st.none() | st.floats(0, 1) | st.sampled_from([0, 1e-6, 1e-7])
    elif option == "condition_on":
        near = _condition
    elif isinstance(default, bool):
        near = st.booleans()
    elif isinstance(default, int):
        near = st.integers(min_value=-2, max_value=2**64)
    elif isinstance(default, float):
        near = st.floats() | st.integers(-2, 2)
    else:
        near = _awkward_text
    return near | _json_like | st.dates() | st.datetimes()


_options = st.lists(st.sampled_from(OPTIONS), min_size=1, max_size=4, unique=True).flatmap(
    lambda names: st.fixed_dictionaries({name: _value_of(name) for name in names})
)


def _toml(value: object) -> str | None:
    """``value`` as a TOML value (inline), or None where TOML has none (null)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and not math.isfinite(value):
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):  # a JSON string is a TOML one, DEL escaped
        return json.dumps(value).replace("\x7f", "\\u007f")
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, list):
        items = [_toml(v) for v in value]
        return None if None in items else "[" + ", ".join(map(str, items)) + "]"
    if isinstance(value, dict):
        pairs = [(_toml(k), _toml(v)) for k, v in value.items()]
        if any(v is None for _, v in pairs):
            return None
        return "{" + ", ".join(f"{k} = {v}" for k, v in pairs) + "}"
    raise AssertionError(f"no TOML for {value!r}")


def _builds_or_says_why(build: Callable[[], rm.LinkConfig]) -> rm.LinkConfig | None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # term_frequency where it is not weighed
        try:
            return build()
        except rm.ConfigError as exc:
            assert str(exc) and "\n" not in str(exc)  # one line, for the command line
            return None


def _assert_held_as_declared(config: rm.LinkConfig) -> None:
    """Each option holds a value of the type the dataclass declares (3 and "false" are no
    flags, 2.5 no count, a list no tuple), which the round trips can write."""
    defaults = rm.LinkConfig()
    for name in OPTIONS:
        value, default = getattr(config, name), getattr(defaults, name)
        if name == "far_birth_m":
            assert value is None or type(value) is float
        elif name == "compare":
            assert type(value) is tuple
            for spec in value:
                assert type(spec) is rm.ComparisonSpec and type(spec.thresholds) is tuple
                assert {type(spec.field), type(spec.kind), type(spec.name)} == {str}
                assert type(spec.term_frequency) is bool
                assert all(type(t) is float for t in spec.thresholds)
        elif name in ("blocking", "context_blocking"):
            assert type(value) is tuple
            assert all(type(r) is tuple and all(type(k) is str for k in r) for r in value)
        elif name == "mapping":
            assert type(value) is dict
            assert all(type(k) is str and type(v) is str for k, v in value.items())
        else:
            assert type(value) is type(default), (name, value)


@settings(max_examples=300, deadline=None)
@given(_options, _specs)
# Found by this test: to_toml wrote DEL (U+007F) as it is, which TOML refuses in a string.
@example(options={"compare": [{"field": "del\x7f", "kind": "name"}]}, specs=[])
@example(options={"mapping": {"Nom\x7f": "full_name"}, "culture": "del\x7f"}, specs=[])
def test_any_value_of_any_option_builds_or_is_a_config_error(
    options: dict[str, object], specs: list[rm.ComparisonSpec]
) -> None:
    """Whatever the values (JSON's and TOML's, nested, NaN, infinite, negative, huge), a
    configuration is built or a one-line ConfigError says why: never another exception,
    whichever way it is built (the constructor, with_options, a dict, JSON, TOML). What is
    built holds each option as declared and round-trips through a dict, JSON and TOML."""
    kwargs = dict(options)
    if "compare" in kwargs and not kwargs["compare"]:
        kwargs["compare"] = specs  # ComparisonSpec of any values, for the constructor
    built = [
        _builds_or_says_why(lambda: rm.LinkConfig(**kwargs)),  # type: ignore[arg-type]
        _builds_or_says_why(lambda: rm.LinkConfig().with_options(**kwargs)),
        _builds_or_says_why(lambda: rm.LinkConfig.from_dict(options)),
    ]
    try:
        text = json.dumps(options)
    except TypeError:  # dates: JSON has none
        pass
    else:
        built.append(_builds_or_says_why(lambda: rm.LinkConfig.from_json(text)))
    lines = [(k, _toml(v)) for k, v in options.items()]
    if all(v is not None for _, v in lines):
        text = "".join(f"{k} = {v}\n" for k, v in lines)
        built.append(_builds_or_says_why(lambda: rm.LinkConfig.from_toml(text)))
    for config in built:
        if config is None:
            continue
        _assert_held_as_declared(config)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert rm.LinkConfig.from_dict(config.to_dict()) == config
            assert rm.LinkConfig.from_json(config.to_json()) == config
            assert rm.LinkConfig.from_toml(config.to_toml()) == config


@settings(max_examples=200, deadline=None)
@given(st.text() | st.sampled_from(["x" * 300 + ".toml", "\x00.toml", "[1]", "null", "nan"]))
def test_any_text_is_a_configuration_or_a_config_error(text: str) -> None:
    """Any text given to from_json or from_toml (as text, or as a path when it is one line
    ending in .toml) is read or refused with a ConfigError."""
    for read in (rm.LinkConfig.from_json, rm.LinkConfig.from_toml):
        _builds_or_says_why(lambda: read(text))  # noqa: B023 - called at once


def test_values_accepted_before_the_checks_still_build() -> None:
    """Shapes the constructor took before it checked every option keep working: a whole
    number written as a float, thresholds as a numpy array, no culture hint as None."""
    spec = rm.ComparisonSpec("place_of_birth", "string", thresholds=np.array([0.9, 0.8]))  # type: ignore[arg-type]
    config = rm.LinkConfig(max_block_size=5000.0, culture=None, compare=(spec,))  # type: ignore[arg-type]
    assert config.max_block_size == 5000 and isinstance(config.max_block_size, int)
    assert config.culture == ""
    assert config.compare[0].thresholds == (0.9, 0.8)
    with pytest.raises(rm.ConfigError, match=r"max_block_size: 5000\.5"):
        rm.LinkConfig(max_block_size=5000.5)


def test_calendars_round_trip_and_name_date_columns_only(tmp_path: Path) -> None:
    config = rm.LinkConfig(calendars={"date_of_birth": "ethiopian", "source_date": "gregorian"})
    assert rm.LinkConfig.from_toml(config.to_toml()) == config
    assert "[calendars]" in config.to_toml()
    assert "[calendars]" not in rm.LinkConfig().to_toml()
    for calendars, said in (
        ({"date_of_birth": "julian"}, "one of gregorian, ethiopian"),
        ({"age": "ethiopian"}, "'age' is no date column"),
        ("ethiopian", "use a table of date column = calendar"),
    ):
        with pytest.raises(rm.ConfigError, match=said):
            rm.LinkConfig(calendars=calendars)
    # a column a date comparison reads may have one
    spec = rm.ComparisonSpec("date_of_arrival", "date")
    assert rm.LinkConfig(compare=(spec,), calendars={"date_of_arrival": "solar_hijri"})


def test_each_input_may_name_its_own_calendars_over_those_of_both() -> None:
    """One office's export in the Ethiopian calendar, the other's in the Gregorian: a table
    per input (requests, sightings, a dedupe's records) names its own, read over the
    columns named for both; it round-trips through TOML and JSON."""
    calendars = {
        "source_date": "solar_hijri",
        "requests": {"date_of_birth": "ethiopian", "source_date": "gregorian"},
    }
    config = rm.LinkConfig(calendars=calendars)
    assert calendars_of(config.calendars, "requests") == {
        "source_date": "gregorian",
        "date_of_birth": "ethiopian",
    }
    assert calendars_of(config.calendars, "sightings") == {"source_date": "solar_hijri"}
    text = config.to_toml()
    assert '"requests" = { "date_of_birth" = "ethiopian", "source_date" = "gregorian" }' in text
    assert rm.LinkConfig.from_toml(text) == config
    assert rm.LinkConfig.from_json(config.to_json()) == config
    # the config holds its own copy: the caller's table changed after does not change it
    calendars["requests"]["date_of_birth"] = "lunar_hijri"
    assert config.calendars["requests"]["date_of_birth"] == "ethiopian"
    assert config.to_dict()["calendars"]["requests"] is not config.calendars["requests"]
    for wrong, said in (
        ({"requests": {"full_name": "ethiopian"}}, r"calendars\.requests: 'full_name' is no date"),
        ({"sightings": {"date_of_birth": "julian"}}, r"calendars\.sightings: 'date_of_birth' = "),
        ({"requests": {"sightings": {}}}, r"calendars\.requests: 'sightings' names an input"),
        ({"requests": "ethiopian"}, "'requests' names an input: give it a table"),
    ):
        with pytest.raises(rm.ConfigError, match=said):
            rm.LinkConfig(calendars=wrong)
    # an empty table reads nothing: the configuration is the default one
    assert rm.LinkConfig(calendars={"requests": {}}) == rm.LinkConfig()
    # one list (a dedupe's records, what encode reads) has no table of its own where another
    # input has one: that table would go unread
    with pytest.raises(rm.ConfigError, match="name them in a 'records' table"):
        calendars_of(config.calendars, "records")
    assert calendars_of({"records": {"date_of_birth": "ethiopian"}}, "records") == {
        "date_of_birth": "ethiopian"
    }
    # read_records reads one input: its calendars name its columns, not inputs
    frame = pd.DataFrame({"record_id": ["1"], "full_name": ["Abebe"]})
    with pytest.raises(rm.ConfigError, match="one input is read here"):
        rm.read_records(frame, calendars={"requests": {"date_of_birth": "ethiopian"}})


def test_a_comparison_may_not_take_the_name_of_a_term_of_the_matches_weight() -> None:
    """A comparison named "match" wrote its weight over match_weight (and explain then
    refused the matches: "a match weight of -0.00, this model on these records +8.03");
    "competition" over competition_weight. Each such name, as a name or as the field a
    comparison is named by, is refused, and the names refused are the matches' own
    weight columns."""
    own = (linker.COMBINATION_COLUMN, linker.COMPETITION_COLUMN, linker.SIGHTING_COLUMN)
    assert set(OUTPUT_TERMS) == {"match"} | {column.removesuffix("_weight") for column in own}
    for term in OUTPUT_TERMS:
        for spec in (
            {"field": "postcode", "kind": "exact", "name": term},
            {"field": term, "kind": "exact"},
        ):
            with pytest.raises(
                rm.ConfigError, match=rf"^compare\[0\]: a comparison named '{term}', whose"
            ):
                rm.Linker({"compare": [spec]})
    rm.Linker({"compare": [{"field": "match", "kind": "exact", "name": "matched"}]})
