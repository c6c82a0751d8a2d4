"""Reading the tax office's CSV file and a bill's status, without a broker or database."""

from datetime import date

from services.regional_tax import domain

HEADER = "nik,tax_kind,object,district,amount,due_on\n"
ROW = "3314015708900001,pbb_p2,NOP 1  Jl. Melati 1 ,Kalijambe,150000,2026-12-31\n"


def test_a_row_is_read_with_tidy_text_and_typed_values():
    [row], errors = domain.read_bills("\ufeff" + HEADER + ROW)
    assert errors == {}
    assert row == {
        "nik": "3314015708900001",
        "tax_kind": "pbb_p2",
        "object": "NOP 1 Jl. Melati 1",
        "district": "Kalijambe",
        "amount": 150_000,
        "due_on": date(2026, 12, 31),
        "line": "2",
    }


def test_a_row_repeated_is_one_bill_and_a_row_repeated_with_other_values_a_problem():
    rows, errors = domain.read_bills(HEADER + ROW + ROW + ROW.replace("150000", "1"))
    assert len(rows) == 1
    assert errors == {"4": {"object": ["repeats line 2 with other values"]}}


def test_digits_of_another_script_and_an_amount_of_words_are_refused():
    _, errors = domain.read_bills(HEADER + ROW.replace("150000", "١٥٠").replace("0001,", "000١,"))
    assert set(errors["2"]) == {"nik", "amount"}


def test_the_columns_of_the_header_are_checked_first():
    rows, errors = domain.read_bills("NIK,Tax_Kind,object,district,amount,due,extra\n" + ROW)
    assert rows == []
    assert errors == {
        "1": {
            "columns": ["missing column due_on", "unknown column 'due'", "unknown column 'extra'"]
        }
    }


def test_a_bill_is_due_through_its_due_day_and_overdue_after_it():
    due_on = date(2026, 12, 31)
    assert domain.status(due_on, False, date(2026, 12, 31)) == "due"
    assert domain.status(due_on, False, date(2027, 1, 1)) == "overdue"
    assert domain.status(due_on, True, date(2027, 1, 1)) == "paid"


def test_text_the_csv_module_cannot_read_is_a_problem_of_its_line():
    rows, errors = domain.read_bills(HEADER + ROW + 'x,"a quote left open\n' + ROW)
    assert len(rows) == 1 and list(errors) == ["3"] and errors["3"]["row"][0].startswith("not CSV")
