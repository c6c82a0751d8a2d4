"""chassis.errors: the mall's own errors and schema loading."""

from datetime import date

import pytest
from marshmallow import Schema, fields, validate

from chassis.errors import Conflict, Forbidden, InvalidInput, MallError, NotFound, load


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
    assert error.fields == {}
    assert error.args == ("ticket already called", {})


def test_mall_error_args_carry_message_and_fields_for_nameko_serialisation():
    error = InvalidInput("invalid input", {"nik": ["must be 16 digits"]})
    assert error.args == ("invalid input", {"nik": ["must be 16 digits"]})
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
