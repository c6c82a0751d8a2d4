"""Digits 0-9 only. Python's ``str.isdigit``, ``int()`` and a regex's ``\\d`` also take the
digits of other scripts (Arabic-Indic "٣", full-width "３", Devanagari "३"), and ``$`` lets a
trailing newline through: a number that passed such a check failed later with a reason
that named the wrong thing. Every number the mall reads is checked here instead.
"""

import re

from marshmallow import ValidationError, fields, validate

ASCII_DIGITS = re.compile(r"[0-9]+")
ASCII_INTEGER = re.compile(r"[+-]?[0-9]+")


def digits_problem(value: str, length: int) -> str | None:
    """Why ``value`` is not ``length`` digits 0-9 (naming a digit of another script), or
    None when it is."""
    if len(value) == length and ASCII_DIGITS.fullmatch(value):
        return None
    reason = f"must be {length} digits 0-9"
    foreign = next((c for c in value if c.isdigit() and not c.isascii()), None)
    if foreign is not None:
        return f"{reason}: {foreign!r} is a digit of another script"
    return reason


class Digits(validate.Regexp):
    """A marshmallow validator: exactly ``length`` digits 0-9. A Regexp, so the OpenAPI
    document shows the pattern; the check itself is ``digits_problem``'s (no trailing
    newline, and a reason naming a digit of another script)."""

    def __init__(self, length: int):
        super().__init__(rf"^[0-9]{{{length}}}$", error=f"must be {length} digits 0-9")
        self.length = length

    def __call__(self, value: str) -> str:
        if problem := digits_problem(value, self.length):
            raise ValidationError(problem)
        return value


class Integer(fields.Integer):
    """An integer whose text form (a query string, a form) is written with digits 0-9; a
    JSON number is taken as it is."""

    def _validated(self, value):
        if isinstance(value, str) and not ASCII_INTEGER.fullmatch(value.strip()):
            raise self.make_error("invalid")
        return super()._validated(value)


def ascii_int(text: str) -> int:
    """``int(text)`` for digits 0-9 only (a ValueError otherwise, as ``int`` raises)."""
    if not ASCII_INTEGER.fullmatch(text.strip()):
        raise ValueError(f"not an integer of digits 0-9: {text!r}")
    return int(text)
