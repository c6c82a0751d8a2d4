"""Numbers are read with digits 0-9 only, wherever the mall reads them."""

import pytest
from marshmallow import Schema, ValidationError

from contracts import civil_registry, licensing, modules
from contracts.digits import Integer, ascii_int, digits_problem
from services.social_aid.domain import Rules

FOREIGN = ["٣", "３", "३", "3\n"]


@pytest.mark.parametrize("text", FOREIGN)
def test_the_schemas_refuse_a_nik_of_other_digits_saying_so(text):
    nik = "331401570590000" + text[0]
    with pytest.raises(ValidationError) as err:
        civil_registry.IdentityQuestion().load(
            {"nik": nik + text[1:], "full_name": "Siti", "birth_date": "1990-05-17"}
        )
    assert err.value.messages["nik"][0].startswith("must be 16 digits 0-9")


def test_a_check_code_of_other_characters_is_refused_by_the_schema():
    with pytest.raises(ValidationError) as err:
        civil_registry.CertificateCheck().load({"number": "3314-KM-1", "check_code": "9F3A61C٣"})
    assert err.value.messages == {"check_code": ["must be letters A-F and digits 0-9"]}
    loaded = civil_registry.CertificateCheck().load({"number": "x", "check_code": " 9f3a61c2 "})
    assert loaded["check_code"] == " 9f3a61c2 "  # a copied code's blanks are forgiven


@pytest.mark.parametrize("text", ["٣", "３", "1_000", "", "+"])
def test_integers_written_as_text_take_digits_0_9_only(text):
    class Form(Schema):
        n = Integer()

    with pytest.raises(ValidationError):
        Form().load({"n": text})
    with pytest.raises(ValueError):
        ascii_int(text)
    assert Form().load({"n": " 12 "}) == {"n": 12} and ascii_int("-3") == -3


def test_pages_amounts_and_module_forms_use_the_strict_integer():
    form = modules.form_schema(
        [{"name": "income", "type": "integer", "label_id": "a", "label_en": "a"}]
    )
    for schema, field, payload in [
        (civil_registry.ResidentSearch(), "page", {"page": "٣"}),
        (licensing.PaymentRecord(), "amount", {"amount": "５００００"}),
        (form, "income", {"income": "١٢٠٠٠٠٠"}),
    ]:
        with pytest.raises(ValidationError) as err:
            schema.load(payload)
        assert err.value.messages[field] == ["Not a valid integer."]


def test_a_regency_code_of_other_digits_stops_the_module():
    with pytest.raises(ValueError, match="4 digits"):
        Rules.from_config({"REGENCY_CODE": "٣٣١٤", "POVERTY_LINE_PER_PERSON": 500_000})


def test_digits_problem_names_the_first_foreign_digit():
    assert digits_problem("12٣4", 4) == "must be 4 digits 0-9: '٣' is a digit of another script"
    assert digits_problem("1234", 4) is None
    assert digits_problem("123", 4) == "must be 4 digits 0-9"
