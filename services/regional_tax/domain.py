"""Rules of the tax robot, free of any framework: reading the tax office's CSV file of bills,
and what a bill's status is on a given day.

The file has a header and one bill a row: ``nik,tax_kind,object,district,amount,due_on``
(comma or semicolon separated, as spreadsheets in Indonesia often save it). Every row is
checked and every problem reported at once, by line and column, so the office fixes the
file in one go; a bill is known by its tax, object and due day, so a file imported twice,
or a row repeated, makes one bill.
"""

import csv
import io
from datetime import date

from marshmallow import ValidationError

from contracts import regional_tax as wire
from contracts.refusals import modules as texts

MAX_ROWS = 5000  # one district's roll at a time; a larger file is split
HEADER_LINE = "1"


def natural_key(bill) -> tuple:
    """What makes two rows (or a row and a stored bill) the same bill: the same tax on the
    same object due the same day."""
    return tuple(_value(bill, name) for name in ("tax_kind", "object", "due_on"))


def _tidy(value: str | None) -> str | None:
    """A cell without surrounding blanks and with single spaces inside."""
    return " ".join(value.split()) if isinstance(value, str) else value


def read_bills(csv_text: str) -> tuple[list[dict], dict[str, dict]]:
    """The rows of the file, each loaded with its ``line``, and the problems by line number
    (as text, the header being line 1) and column; one bill per natural key."""
    text = csv_text.removeprefix("\ufeff")  # the byte-order mark a spreadsheet writes
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter, strict=True)
    header = [_tidy(name or "").lower() for name in reader.fieldnames or []]
    missing = [column for column in wire.CSV_COLUMNS if column not in header]
    unknown = [column for column in header if column not in wire.CSV_COLUMNS]
    if missing or unknown:
        problems = [f"missing column {column}" for column in missing]
        problems += [f"unknown column {column!r}" for column in unknown]
        return [], {HEADER_LINE: {"columns": problems}}
    reader.fieldnames = header
    rows: list[dict] = []
    errors: dict[str, dict] = {}
    first_line_of: dict[tuple, dict] = {}
    for line, record in _records(reader, errors):
        if None in record:  # more cells than columns
            errors[line] = {"row": [texts.TOO_MANY_CELLS]}
            continue
        cells = {column: _tidy(record[column]) for column in wire.CSV_COLUMNS}
        if not any(cells.values()):
            continue  # a blank line
        if len(rows) + len(errors) >= MAX_ROWS:
            errors[line] = {"row": [f"more than {MAX_ROWS} bills in one file: split it"]}
            break
        present = {column: value for column, value in cells.items() if value}
        try:
            row = wire.BillRow().load(present)
        except ValidationError as invalid:
            errors[line] = invalid.messages
            continue
        row["line"] = line
        key = natural_key(row)
        if (earlier := first_line_of.get(key)) is not None:
            if not same_bill(earlier, row):
                reason = f"repeats line {earlier['line']} with other values"
                errors[line] = {"object": [reason]}
            continue  # the same bill twice in one file is one bill
        first_line_of[key] = row
        rows.append(row)
    return rows, errors


def _records(reader: csv.DictReader, errors: dict):
    """The reader's records with their line numbers; text the csv module cannot read (a
    quote left open) ends the file there, as a problem of that line."""
    while True:
        starts = reader.line_num + 1  # the line the next record begins on
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as broken:
            errors[str(starts)] = {"row": [f"not CSV: {broken}"]}
            return
        yield str(reader.line_num), record


def _value(thing, name: str):
    return thing[name] if isinstance(thing, dict) else getattr(thing, name)


def same_bill(a, b) -> bool:
    """Whether two rows (or a row and a stored bill) of one natural key say the same."""
    return all(_value(a, name) == _value(b, name) for name in ("nik", "district", "amount"))


def status(due_on: date, paid: bool, on: date) -> str:
    """A bill is paid, due until the end of its due day, and overdue after it."""
    if paid:
        return wire.PAID
    return wire.OVERDUE if on > due_on else wire.DUE
