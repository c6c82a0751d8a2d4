"""Every moment the API dumps carries the mall's offset: a reply schema's date-time field
is a MallDateTime; a request's is an AwareDateTime, which demands an offset."""

import importlib
import inspect
import pkgutil
from datetime import UTC, datetime

import pytest
from marshmallow import Schema, fields

import contracts
from contracts.times import MallDateTime

MODULES = [f"contracts.{m.name}" for m in pkgutil.iter_modules(contracts.__path__)] + [
    "gateway.identity.schemas"
]


def schemas():
    for name in MODULES:
        module = importlib.import_module(name)
        for _, schema in inspect.getmembers(module, inspect.isclass):
            if issubclass(schema, Schema) and schema.__module__ == name:
                yield schema


def test_the_contracts_are_found():
    found = {schema.__name__ for schema in schemas()}
    assert {"Application", "AuditEntry", "ModuleApplication", "AccountView", "Ticket"} <= found


@pytest.mark.parametrize("schema", list(schemas()), ids=lambda schema: schema.__qualname__)
def test_every_date_time_field_says_its_offset(schema):
    naive = {
        name
        for name, field in schema().fields.items()
        if isinstance(field, fields.DateTime)
        and not isinstance(field, MallDateTime | fields.AwareDateTime)
    }
    assert not naive, f"{schema.__name__} dumps {sorted(naive)} without the mall's offset"


@pytest.mark.parametrize(
    ("stored", "dumped"),
    [
        (datetime(2026, 11, 23, 1, 30), "2026-11-23T08:30:00+07:00"),  # SQLite: naive is UTC
        (datetime(2026, 11, 23, 1, 30, tzinfo=UTC), "2026-11-23T08:30:00+07:00"),
        (datetime.fromisoformat("2026-11-23T09:30:00+09:00"), "2026-11-23T07:30:00+07:00"),
    ],
)
def test_a_moment_is_dumped_in_wib_whatever_zone_it_came_in(stored, dumped):
    assert MallDateTime()._serialize(stored, "at", None) == dumped
