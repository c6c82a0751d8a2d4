"""Refusals by code: every refusal the mall's code raises names a code of
``contracts.refusals``, its text fills in the values it names, and it crosses RPC and the
gateway as a code with its values (the pages translate it; see test_web_translations)."""

import ast
import re
from pathlib import Path

import pytest
from nameko.exceptions import deserialize, serialize

from chassis.errors import Conflict, Forbidden, InvalidInput, MallError, NotFound, Unavailable
from contracts import refusals
from contracts.refusals import REFUSALS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["chassis", "contracts", "desk", "gateway", "services"]
ERRORS = {"MallError", "InvalidInput", "NotFound", "Conflict", "Forbidden", "Unavailable"}
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def raised_codes():
    """(where, first argument) of every construction of a mall error in the source."""
    for package in SOURCES:
        for path in (ROOT / package).rglob("*.py"):
            tree = ast.parse(path.read_text(), str(path))
            for node in ast.walk(tree):
                if not isinstance(node, ast.Call):
                    continue
                name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
                if name in ERRORS:
                    where = f"{path.relative_to(ROOT)}:{node.lineno}"
                    yield where, node.args[0] if node.args else None


def test_every_refusal_raised_names_a_known_code():
    found = list(raised_codes())
    assert len(found) > 120
    unknown = [
        f"{where}: {ast.unparse(arg) if arg is not None else 'no code'}"
        for where, arg in found
        if arg is None
        or isinstance(arg, ast.JoinedStr)
        or (isinstance(arg, ast.Constant) and arg.value not in REFUSALS)
    ]
    assert not unknown, "add the code to contracts/refusals, or raise with a code:\n" + "\n".join(
        unknown
    )


def test_codes_are_snake_case_and_every_template_says_something():
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", code) for code in REFUSALS)
    assert all(template.strip() for template in REFUSALS.values())


@pytest.mark.parametrize("code", sorted(REFUSALS))
def test_each_text_fills_in_the_values_it_names(code):
    names = set(PLACEHOLDER.findall(REFUSALS[code]))
    params = {name: f"<{name}>" for name in names}
    said = refusals.text(code, params)
    assert "%(" not in said and all(f"<{name}>" in said for name in names)


def test_an_error_says_its_code_in_english_with_its_values():
    refused = Forbidden("not_your_staff", role="verifier", agency="dpmptsp")
    assert (refused.code, refused.params) == (
        "not_your_staff",
        {"role": "verifier", "agency": "dpmptsp"},
    )
    assert refused.message == str(refused) == "you may not manage a verifier of dpmptsp"
    assert InvalidInput("invalid_input", {"name": ["taken"]}).fields == {"name": ["taken"]}


def test_a_code_the_tables_do_not_know_is_its_own_message():
    assert NotFound("ticket t-404 not found").message == "ticket t-404 not found"


@pytest.mark.parametrize("kind", [InvalidInput, NotFound, Conflict, Forbidden, Unavailable])
def test_an_error_crosses_rpc_as_itself_with_its_code_and_values(kind):
    sent = kind("no_application", {"id": ["unknown"]}, application="a-1")
    received = deserialize(serialize(sent))
    assert type(received) is kind and isinstance(received, MallError)
    assert (received.code, received.fields, received.params) == (
        "no_application",
        {"id": ["unknown"]},
        {"application": "a-1"},
    )
    assert received.message == "no application a-1"
