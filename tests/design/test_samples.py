"""Test data for generated suites: checked against Pydantic fields built like generated schemas."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

import pydantic
import pytest
from email_validator import validate_email
from pydantic import AfterValidator, AnyHttpUrl, ConfigDict, EmailStr, TypeAdapter, create_model

from backsmith.design.samples import (
    BoundaryCase,
    SampleError,
    boundary_cases,
    invalid_type_value,
    valid_value,
)
from backsmith.spec.model import Field, FieldType

_HTTP_URL: TypeAdapter[AnyHttpUrl] = TypeAdapter(AnyHttpUrl)


def _http_url(value: str) -> str:
    return str(_HTTP_URL.validate_python(value))


def _annotation(field: Field) -> Any:
    """The constrained Pydantic type a generated schema declares for the field."""
    text: dict[str, Any] = {
        "min_length": field.min_length,
        "max_length": field.max_length,
        "pattern": field.pattern,
    }
    bounds: dict[str, Any] = {"ge": field.min, "le": field.max}
    kind = field.type
    if kind in (FieldType.STR, FieldType.TEXT):
        return Annotated[str, pydantic.Field(**text)]
    if kind is FieldType.EMAIL:
        return Annotated[EmailStr, pydantic.Field(**text)]
    if kind is FieldType.URL:
        # Length and pattern rules apply to the text; the URL check runs after them.
        return Annotated[str, pydantic.Field(**text), AfterValidator(_http_url)]
    if kind in (FieldType.INT, FieldType.BIGINT):
        return Annotated[int, pydantic.Field(**bounds)]
    if kind is FieldType.FLOAT:
        floats: dict[str, Any] = {k: None if v is None else float(v) for k, v in bounds.items()}
        return Annotated[float, pydantic.Field(allow_inf_nan=False, **floats)]
    if kind is FieldType.DECIMAL:
        decimals: dict[str, Any] = {
            k: None if v is None else Decimal(str(v)) for k, v in bounds.items()
        }
        return Annotated[
            Decimal,
            pydantic.Field(
                max_digits=field.precision,
                decimal_places=field.scale,
                allow_inf_nan=False,
                **decimals,
            ),
        ]
    if kind is FieldType.ENUM:
        members = [(f"M{i}", value) for i, value in enumerate(field.values)]
        return StrEnum("Choice", members)
    simple = {
        FieldType.BOOL: bool,
        FieldType.DATE: dt.date,
        FieldType.DATETIME: dt.datetime,
        FieldType.TIME: dt.time,
        FieldType.UUID: uuid.UUID,
        FieldType.JSON: Any,
    }
    return simple[kind]


def _model(field: Field) -> type[pydantic.BaseModel]:
    config = ConfigDict(extra="forbid", regex_engine="python-re")
    return create_model("Body", __config__=config, value=(_annotation(field), ...))


def _accepts(field: Field, value: Any) -> bool:
    """Whether a JSON body `{"value": value}` validates, parsed as JSON and as Python data."""
    body = json.dumps({"value": value}, allow_nan=False)
    model = _model(field)
    outcomes = []
    for validate in (model.model_validate_json, lambda b: model.model_validate(json.loads(b))):
        try:
            validate(body)
            outcomes.append(True)
        except pydantic.ValidationError:
            outcomes.append(False)
    assert outcomes[0] == outcomes[1], f"JSON and Python validation disagree on {value!r}"
    return outcomes[0]


def _echo(field: Field, value: Any) -> Any:
    """What a response model would send back for the validated value."""
    body = json.dumps({"value": value})
    return _model(field).model_validate_json(body).model_dump(mode="json")["value"]


F = FieldType
FIELDS = [
    Field(name="license_no", type=F.STR, pattern=r"^[A-Z]{2}-[0-9]{6}$", unique=True),
    Field(name="colour", type=F.STR, pattern=r"^(red|green|blue)$"),
    Field(name="handle", type=F.STR, pattern=r"^[a-z0-9_]{3,16}$", min_length=5, max_length=10),
    Field(name="phone", type=F.STR, pattern=r"^\+?[0-9]{7,15}$", max_length=12),
    Field(name="full_name", type=F.STR, pattern=r"^[A-Z][a-z]+( [A-Z][a-z]+)*$", max_length=40),
    Field(name="slug", type=F.STR, pattern=r"[a-z]+(-[a-z]+)*", min_length=4, max_length=8),
    Field(name="shout", type=F.STR, pattern=r"(?i)^[^a-z0-9]{2,4}!$"),
    Field(name="twice", type=F.STR, pattern=r"^(?P<half>[a-c]{2,3})-(?P=half)$"),
    Field(name="name", type=F.STR, min_length=1, max_length=100),
    Field(name="code", type=F.STR, max_length=1, unique=True),
    Field(name="title", type=F.STR, min_length=3),
    Field(name="bio", type=F.TEXT),
    Field(name="essay", type=F.TEXT, pattern=r"^[A-Z][a-z]+( [A-Z][a-z]+)*$", max_length=3000),
    Field(name="email", type=F.EMAIL, unique=True),
    Field(name="work_email", type=F.EMAIL, pattern=r"@corp\.com$", max_length=60),
    Field(name="long_email", type=F.EMAIL, min_length=150, max_length=200),
    Field(name="site", type=F.URL),
    Field(name="secure_site", type=F.URL, pattern=r"^https://", min_length=30, max_length=60),
    Field(name="priority", type=F.INT, min=1, max=5),
    Field(name="minutes", type=F.INT, min=10, max=240, has_default=True, default=30),
    Field(name="balance", type=F.INT, max=-5),
    Field(name="views", type=F.BIGINT, min=0),
    Field(name="ratio", type=F.FLOAT, min=0, max=1),
    Field(name="weight", type=F.FLOAT, min=Decimal("0.1"), max=2.5),
    Field(name="temperature", type=F.FLOAT),
    Field(name="fee", type=F.DECIMAL, precision=8, scale=2, min=0),
    Field(name="share", type=F.DECIMAL, precision=2, scale=2, min=0),
    Field(name="rate", type=F.DECIMAL, precision=5, scale=3, min=0.1, max=Decimal("99.5")),
    Field(name="amount", type=F.DECIMAL, precision=4),
    Field(name="score", type=F.DECIMAL),
    Field(name="active", type=F.BOOL),
    Field(name="due", type=F.DATE),
    Field(name="starts_at", type=F.DATETIME),
    Field(name="opens", type=F.TIME),
    Field(name="token", type=F.UUID),
    Field(name="meta", type=F.JSON),
    Field(name="status", type=F.ENUM, values=("scheduled", "done", "cancelled")),
]
IDS = [f.name for f in FIELDS]

# Types whose first 60 values must all differ (a unique column gets one per row).
UNIQUE_CAPABLE = {
    F.STR,
    F.TEXT,
    F.EMAIL,
    F.URL,
    F.INT,
    F.BIGINT,
    F.FLOAT,
    F.DECIMAL,
    F.DATE,
    F.DATETIME,
    F.TIME,
    F.UUID,
}
# Fields admitting fewer than 60 values, and how many they admit.
SMALL_LANGUAGES = {"colour": 3, "priority": 5, "twice": 3**2 + 3**3}


def _name(field: Field) -> str:
    return field.name


@pytest.mark.parametrize("field", FIELDS, ids=IDS)
def test_valid_values_are_accepted(field: Field) -> None:
    for index in range(60):
        value = valid_value(field, index)
        json.dumps(value, allow_nan=False)
        assert _accepts(field, value), f"{field.name}[{index}] = {value!r} was refused"


@pytest.mark.parametrize("field", FIELDS, ids=IDS)
def test_valid_values_come_back_unchanged(field: Field) -> None:
    for index in range(12):
        value = valid_value(field, index)
        assert _echo(field, value) == value


@pytest.mark.parametrize("field", [f for f in FIELDS if f.type in UNIQUE_CAPABLE], ids=_name)
def test_sixty_indices_give_sixty_values(field: Field) -> None:
    values = {json.dumps(valid_value(field, index)) for index in range(60)}
    assert len(values) == SMALL_LANGUAGES.get(field.name, 60)


@pytest.mark.parametrize("field", FIELDS, ids=IDS)
def test_boundary_cases_hold(field: Field) -> None:
    cases = boundary_cases(field)
    assert len({case.label for case in cases}) == len(cases)
    for case in cases:
        json.dumps(case.value, allow_nan=False)
        verdict = "accepted" if case.valid else "refused"
        assert _accepts(field, case.value) is case.valid, f"{case} should be {verdict}"


def _lengths(name: str, low: int | None, high: int | None) -> set[str]:
    labels = set()
    if low:
        labels |= {f"{name} at min_length {low}", f"{name} below min_length {low}"}
    if high is not None:
        labels |= {f"{name} at max_length {high}", f"{name} above max_length {high}"}
    return labels


def _range(name: str, low: object, high: object) -> set[str]:
    labels = set()
    if low is not None:
        labels |= {f"{name} at min {low}", f"{name} below min {low}"}
    if high is not None:
        labels |= {f"{name} at max {high}", f"{name} above max {high}"}
    return labels


MISMATCH = "not matching pattern"
EXPECTED_LABELS = {
    "license_no": {f"license_no {MISMATCH}"},
    "colour": {f"colour {MISMATCH}"},
    "handle": _lengths("handle", 5, 10) | {f"handle {MISMATCH}"},
    "phone": _lengths("phone", None, 12) | {f"phone {MISMATCH}"},
    "full_name": _lengths("full_name", None, 40) | {f"full_name {MISMATCH}"},
    "slug": _lengths("slug", 4, 8) | {f"slug {MISMATCH}"},
    "shout": {f"shout {MISMATCH}"},
    "twice": {f"twice {MISMATCH}"},
    "name": _lengths("name", 1, 100),
    "code": _lengths("code", None, 1),
    "title": _lengths("title", 3, None),
    "bio": set(),
    "essay": _lengths("essay", None, 3000) | {f"essay {MISMATCH}"},
    "email": {"email not an email"},
    "work_email": {"work_email not an email", f"work_email {MISMATCH}"},
    "long_email": _lengths("long_email", 150, 200) | {"long_email not an email"},
    "site": {"site not a url"},
    "secure_site": _lengths("secure_site", 30, 60)
    | {"secure_site not a url", f"secure_site {MISMATCH}"},
    "priority": _range("priority", 1, 5) | {"priority not an integer"},
    "minutes": _range("minutes", 10, 240) | {"minutes not an integer"},
    "balance": _range("balance", None, -5) | {"balance not an integer"},
    "views": _range("views", 0, None) | {"views not an integer"},
    "ratio": _range("ratio", 0, 1),
    "weight": _range("weight", Decimal("0.1"), 2.5),
    "temperature": set(),
    "fee": _range("fee", 0, None)
    | {"fee with more than 2 decimal places", "fee with more than 6 integer digits"},
    # Zero has a whole digit once normalised: "at min 0" is not certain with precision 2.
    "share": {
        "share below min 0",
        "share with more than 2 decimal places",
        "share with more than 0 integer digits",
    },
    # A float bound may be read exactly (0.1000000000000000055...): the first sure value.
    "rate": (_range("rate", 0.1, Decimal("99.5")) - {"rate at min 0.1"})
    | {
        "rate just above min 0.1",
        "rate with more than 3 decimal places",
        "rate with more than 2 integer digits",
    },
    "amount": {"amount with more than 4 digits"},
    "score": set(),
    "active": {"active not a boolean"},
    "due": {"due impossible date"},
    "starts_at": {"starts_at impossible datetime"},
    "opens": {"opens impossible time"},
    "token": {"token not a uuid"},
    "meta": set(),
    "status": {"status not one of the enum values"},
}


def test_every_field_is_covered_by_the_expectations() -> None:
    assert set(EXPECTED_LABELS) == set(IDS)


@pytest.mark.parametrize("field", FIELDS, ids=IDS)
def test_each_declared_boundary_gets_its_cases(field: Field) -> None:
    assert {case.label for case in boundary_cases(field)} == EXPECTED_LABELS[field.name]


@pytest.mark.parametrize("field", [f for f in FIELDS if f.type is not F.JSON], ids=_name)
def test_invalid_type_value_is_refused(field: Field) -> None:
    value = invalid_type_value(field)
    assert value is not None
    assert not _accepts(field, value)


def test_json_fields_have_no_wrong_type() -> None:
    assert invalid_type_value(Field(name="meta", type=F.JSON)) is None


def _cases(field: Field) -> dict[str, tuple[Any, bool]]:
    return {case.label: (case.value, case.valid) for case in boundary_cases(field)}


def test_int_boundaries_are_one_step_either_side() -> None:
    cases = _cases(Field(name="priority", type=F.INT, min=1, max=5))
    assert cases["priority at min 1"] == (1, True)
    assert cases["priority below min 1"] == (0, False)
    assert cases["priority at max 5"] == (5, True)
    assert cases["priority above max 5"] == (6, False)
    fraction, valid = cases["priority not an integer"]
    assert not valid and not float(fraction).is_integer()


def test_int_bound_beyond_the_column_is_not_claimed_valid() -> None:
    cases = _cases(Field(name="big", type=F.INT, max=10**12))
    assert "big at max 1000000000000" not in cases  # would overflow a 32-bit column
    assert cases["big above max 1000000000000"] == (10**12 + 1, False)


def test_float_boundaries_use_the_next_float() -> None:
    cases = _cases(Field(name="ratio", type=F.FLOAT, min=0, max=1))
    assert cases["ratio at min 0"] == (0.0, True)
    assert cases["ratio below min 0"] == (math.nextafter(0.0, -math.inf), False)
    assert cases["ratio above max 1"] == (math.nextafter(1.0, math.inf), False)


def test_decimal_boundaries_cover_bounds_scale_and_precision() -> None:
    cases = _cases(Field(name="fee", type=F.DECIMAL, precision=8, scale=2, min=0, max=500))
    assert cases["fee at min 0"] == ("0.00", True)
    assert cases["fee below min 0"] == ("-0.01", False)
    assert cases["fee at max 500"] == ("500.00", True)
    assert cases["fee above max 500"] == ("500.01", False)
    places, valid = cases["fee with more than 2 decimal places"]
    assert not valid and len(places.split(".")[1]) == 3
    assert cases["fee with more than 6 integer digits"] == ("1000000.00", False)


def test_decimal_without_scale_gets_a_digits_case() -> None:
    cases = _cases(Field(name="amount", type=F.DECIMAL, precision=4))
    assert cases == {"amount with more than 4 digits": ("11111", False)}


def test_string_length_boundaries() -> None:
    cases = _cases(Field(name="name", type=F.STR, min_length=1, max_length=100))
    at_min, at_max = cases["name at min_length 1"][0], cases["name at max_length 100"][0]
    below, above = cases["name below min_length 1"][0], cases["name above max_length 100"][0]
    assert (len(at_min), len(below), len(at_max), len(above)) == (1, 0, 100, 101)
    assert {label: valid for label, (_, valid) in cases.items()} == {
        "name at min_length 1": True,
        "name below min_length 1": False,
        "name at max_length 100": True,
        "name above max_length 100": False,
    }


def test_patterned_lengths_are_hit_exactly() -> None:
    field = Field(
        name="phone", type=F.STR, pattern=r"^\+?[0-9]{7,15}$", min_length=8, max_length=12
    )
    cases = _cases(field)
    for label, length in (("phone at min_length 8", 8), ("phone at max_length 12", 12)):
        value, valid = cases[label]
        assert valid and len(value) == length and re.fullmatch(field.pattern or "", value)
    assert len(cases["phone below min_length 8"][0]) == 7
    assert len(cases["phone above max_length 12"][0]) == 13


def test_length_bounds_the_pattern_cannot_reach_are_skipped() -> None:
    cases = _cases(Field(name="handle", type=F.STR, pattern=r"^[a-z]{3,5}$", max_length=50))
    assert not any("max_length" in label for label in cases)


def test_long_patterned_text_reaches_its_max_length() -> None:
    field = Field(
        name="essay", type=F.TEXT, pattern=r"^[A-Z][a-z]+( [A-Z][a-z]+)*$", max_length=5000
    )
    value, valid = _cases(field)["essay at max_length 5000"]
    assert valid and len(value) == 5000 and re.fullmatch(field.pattern or "", value)


def test_pattern_mismatch_stays_within_the_length_bounds() -> None:
    field = Field(
        name="code", type=F.STR, pattern=r"^[A-Z]{2}-[0-9]{6}$", min_length=9, max_length=9
    )
    value, valid = _cases(field)["code not matching pattern"]
    assert not valid and len(value) == 9 and re.search(field.pattern or "", value) is None


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[A-Z]{2}-[0-9]{6}$",
        r"^(red|green|blue)$",
        r"^[a-z0-9_]{3,16}$",
        r"^\+?[0-9]{7,15}$",
        r"^[A-Z][a-z]+( [A-Z][a-z]+)*$",
        r"^\d{3}\.\w{2}\s[^\W\d]{1,3}$",
        r"^(ab|cd){2,}x?$",
        r"^[\u00e0-\u00ff]{2}$",
    ],
)
def test_pattern_values_are_full_matches(pattern: str) -> None:
    field = Field(name="value", type=F.STR, pattern=pattern)
    values = [valid_value(field, index) for index in range(60)]
    assert all(isinstance(v, str) and re.fullmatch(pattern, v) for v in values)


def test_patterns_with_few_strings_cycle() -> None:
    field = Field(name="colour", type=F.STR, pattern=r"^(red|green|blue)$")
    values = [str(valid_value(field, index)) for index in range(7)]
    assert sorted(values[:3]) == ["blue", "green", "red"]
    assert values[3:6] == values[:3]


@pytest.mark.parametrize(
    ("pattern", "what"),
    [
        (r"^(?=.*\d)[a-z\d]{8}$", "lookahead"),
        (r"^(?<!x)abc$", "lookbehind"),
        (r"^(a)?(?(1)b|c)$", "conditional group"),
    ],
)
def test_unsupported_patterns_raise_a_sample_error(pattern: str, what: str) -> None:
    field = Field(name="secret", type=F.STR, pattern=pattern)
    with pytest.raises(SampleError, match=re.escape(repr(pattern))) as raised:
        valid_value(field, 0)
    assert what in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_unsupported_pattern_still_gets_safe_boundary_cases() -> None:
    field = Field(name="secret", type=F.STR, pattern=r"^(?=.*\d)[a-z\d]{8}$", max_length=8)
    cases = boundary_cases(field)
    assert [case.valid for case in cases] == [False]  # only the sure mismatch
    assert re.search(field.pattern or "", str(cases[0].value)) is None


def test_invalid_regular_expression_raises_a_sample_error() -> None:
    with pytest.raises(SampleError, match="not a valid regular expression"):
        valid_value(Field(name="broken", type=F.STR, pattern="[a-"), 0)


def test_unsatisfiable_bounds_raise_a_sample_error() -> None:
    with pytest.raises(SampleError):
        valid_value(Field(name="handle", type=F.STR, pattern=r"^[a-z]{3}$", min_length=5), 0)


def test_example_is_index_zero_and_not_repeated() -> None:
    field = Field(
        name="license_no", type=F.STR, pattern=r"^[A-Z]{2}-[0-9]{6}$", example="AA-000000"
    )
    values = [valid_value(field, index) for index in range(60)]
    assert values[0] == "AA-000000"
    assert len(set(values)) == 60


def test_examples_of_other_types_are_converted_to_json() -> None:
    assert (
        valid_value(Field(name="due", type=F.DATE, example=dt.date(2031, 5, 1)), 0) == "2031-05-01"
    )
    moment = Field(name="at", type=F.DATETIME, example=dt.datetime(2031, 5, 1, 10, 0))
    assert valid_value(moment, 0) == "2031-05-01T10:00:00Z"
    fee = Field(name="fee", type=F.DECIMAL, precision=6, scale=2, example=19.99)
    assert valid_value(fee, 0) == "19.99"


def test_an_example_that_breaks_a_rule_is_ignored() -> None:
    field = Field(name="priority", type=F.INT, min=1, max=5, example=9)
    assert valid_value(field, 0) == 1


def test_values_are_deterministic() -> None:
    for field in FIELDS:
        assert [valid_value(field, i) for i in range(5)] == [
            valid_value(field, i) for i in range(5)
        ]
        assert boundary_cases(field) == boundary_cases(field)


def test_emails_pass_email_validator() -> None:
    for field in [f for f in FIELDS if f.type is F.EMAIL]:
        cases = [c.value for c in boundary_cases(field) if c.valid]
        for value in [valid_value(field, index) for index in range(60)] + cases:
            assert isinstance(value, str)
            validate_email(value, check_deliverability=False)


def test_datetimes_are_utc_and_dates_plausible() -> None:
    moment = valid_value(Field(name="at", type=F.DATETIME), 0)
    assert isinstance(moment, str) and moment.endswith("Z")
    assert dt.datetime.fromisoformat(moment).utcoffset() == dt.timedelta(0)
    assert valid_value(Field(name="due", type=F.DATE), 2) == "2030-01-03"


def test_negative_index_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        valid_value(Field(name="name", type=F.STR), -1)


def test_boundary_case_is_a_frozen_record() -> None:
    case = BoundaryCase(label="x at max_length 1", value="a", valid=True)
    with pytest.raises(AttributeError):
        case.valid = False  # type: ignore[misc]


def test_values_do_not_depend_on_which_field_of_a_pattern_asked_first() -> None:
    """A long field of a pattern builds its tables first (too long to count strings, so
    one string a length); a short field of the same pattern must still get distinct
    values, as it does alone. Seen in CI: 39 of 60, depending on which test ran first."""
    pattern = r"^[A-Z][a-z]+(?: [A-Z][a-z]+)*$"  # a pattern no other test uses
    essay = Field(name="essay", type=F.STR, pattern=pattern, min_length=600, max_length=900)
    boundary_cases(essay)
    valid_value(essay, 0)
    name = Field(name="full_name", type=F.STR, pattern=pattern, max_length=40)

    assert len({valid_value(name, index) for index in range(60)}) == 60
