"""chassis.errors: the mall's own errors and schema loading."""

from datetime import date

import pytest
from marshmallow import Schema, fields, validate

from chassis.errors import (
    MAX_REPORTED,
    NO_CONTROL,
    NO_NUL,
    NOT_UNICODE,
    TOO_DEEP,
    Conflict,
    Forbidden,
    InvalidInput,
    MallError,
    NotFound,
    input_problems,
    load,
)


class Registration(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1))
    birth_date = fields.Date(required=True)


def test_load_returns_the_deserialised_data():
    data = load(Registration(), {"name": "Siti", "birth_date": "1990-05-17"})
    assert data == {"name": "Siti", "birth_date": date(1990, 5, 17)}


def test_load_raises_invalid_input_naming_each_bad_field():
    with pytest.raises(InvalidInput) as caught:
        load(Registration(), {"name": "", "birth_date": "not a date"})
    assert caught.value.message == "invalid input"
    assert set(caught.value.fields) == {"name", "birth_date"}
    assert all(isinstance(reasons, list) and reasons for reasons in caught.value.fields.values())


def test_load_reports_missing_required_fields():
    with pytest.raises(InvalidInput) as caught:
        load(Registration(), {"name": "Siti"})
    assert caught.value.fields == {"birth_date": ["Missing data for required field."]}


def test_load_treats_a_missing_payload_as_an_empty_object():
    with pytest.raises(InvalidInput) as caught:
        load(Registration(), None)
    assert set(caught.value.fields) == {"name", "birth_date"}


def test_load_rejects_unknown_fields():
    with pytest.raises(InvalidInput) as caught:
        load(Registration(), {"name": "Siti", "birth_date": "1990-05-17", "admin": True})
    assert "admin" in caught.value.fields


def test_load_reports_a_payload_that_is_not_an_object_under_schema():
    with pytest.raises(InvalidInput) as caught:
        load(Registration(), ["not", "an", "object"])
    assert "_schema" in caught.value.fields


def test_mall_error_str_is_its_message():
    assert str(NotFound("resident not found")) == "resident not found"


def test_mall_error_fields_default_to_an_empty_dict():
    error = Conflict("ticket already called")
    assert error.fields == {} and error.params == {}
    assert error.args == ("ticket already called", {}, {})


def test_mall_error_args_carry_code_fields_and_values_for_nameko_serialisation():
    error = InvalidInput("invalid_input", {"nik": ["must be 16 digits"]}, nik="3201")
    assert error.args == ("invalid_input", {"nik": ["must be 16 digits"]}, {"nik": "3201"})
    assert error.message == "invalid input"
    assert error.fields == {"nik": ["must be 16 digits"]}


@pytest.mark.parametrize("error_class", [InvalidInput, NotFound, Conflict, Forbidden])
def test_every_mall_error_is_a_mall_error(error_class):
    assert issubclass(error_class, MallError)


def test_an_event_that_cannot_load_is_poison_with_its_reason():
    from chassis.events import poison_reason
    from contracts.events import envelope

    good = envelope(
        "civil_registry", "person_died", {"person_id": "p", "died_on": "2026-11-20"}, None
    )
    assert poison_reason("civil_registry", "person_died", good) is None
    assert "unknown event type" in poison_reason("civil_registry", "person_flew", good)
    assert "no contracts" in poison_reason("nowhere", "person_died", good)
    assert "not an envelope" in poison_reason("civil_registry", "person_died", ["x"])
    broken = {**good, "data": {"died_on": "yesterday"}}
    reason = poison_reason("civil_registry", "person_died", broken)
    assert reason.startswith("poison: does not load") and "person_id" in reason
    newer = {**good, "data": {**good["data"], "cause": "added by a newer registry"}}
    assert poison_reason("civil_registry", "person_died", newer) is None


def test_load_refuses_text_no_service_can_store_with_the_field_and_the_reason():
    poisoned = {"name": "Siti\x00", "birth_date": "1990-05-17", "note": "a\x07", "x": "\ud800"}
    with pytest.raises(InvalidInput) as caught:
        load(Registration(), poisoned)
    assert caught.value.fields == {
        "name": [NO_NUL],
        "note": [NO_CONTROL],
        "x": [NOT_UNICODE],
    }


def test_tab_line_feed_and_carriage_return_are_text():
    assert input_problems({"address": "Jl. Mawar 1\r\n\tRT 02"}) == {}


def test_bad_text_is_named_by_its_path_and_a_bad_field_name_is_shown_safely():
    problems = input_problems({"changes": {"full_name": ["Siti", "\x1b[31m"]}, "\ud800": 1})
    assert problems == {"changes.full_name.1": [NO_CONTROL], "\ufffd": [NOT_UNICODE]}


def test_a_payload_nested_deeper_than_the_limit_is_refused_at_its_field_at_any_depth():
    deep = {"ok": [[1]], "elements": 1}
    for _ in range(100_000):  # far beyond Python's recursion limit
        deep["elements"] = [deep["elements"]]
    assert input_problems(deep) == {"elements": [TOO_DEEP]}
    with pytest.raises(InvalidInput):
        load(Registration(), deep)
    assert input_problems({"a": [[1]]}, max_nesting=3) == {}  # the payload is level 1
    assert input_problems({"a": [[[]]]}, max_nesting=3) == {"a": [TOO_DEEP]}


def test_a_payload_with_many_bad_strings_is_answered_with_the_first_few():
    assert len(input_problems({f"f{i}": "\x00" for i in range(10_000)})) == MAX_REPORTED
