"""Every refusal of the mall by a stable code, and its text in English.

A service refuses with a code and the values the text names: ``Conflict("slot_full")``,
``Forbidden("counter_not_yours", counter=3, agency="dukcapil")``. The English message is
the template here filled in; the pages say it in the visitor's language through the gettext
catalog, whose texts are these templates (``N_`` marks them for extraction), so rewording
one makes the translation test ask for its Indonesian. The API answers the code as
``error.reason`` and the values as ``error.params``.

Each table is a concern's; a code is unique across them. Templates use ``%(name)s``. A
concern's ``REASONS`` are its field reasons (see ``fields``), by code too.
"""

from contracts.refusals import accounts, common, desk, fields, licensing, modules, queue, registry


def _merged(*tables: dict[str, str]) -> dict[str, str]:
    merged: dict[str, str] = {}
    for table in tables:
        if twice := merged.keys() & table.keys():
            raise ValueError(f"refusal codes defined twice: {sorted(twice)}")
        merged.update(table)
    return merged


CONCERNS = (common, accounts, desk, licensing, modules, queue, registry)
REFUSALS = _merged(*(concern.REFUSALS for concern in CONCERNS))
# why a field was refused (``error.fields``): the common reasons and each concern's own
REASONS = _merged(fields.REASONS, *(getattr(concern, "REASONS", {}) for concern in CONCERNS))
__all__ = ["REASONS", "REFUSALS", "text"]


def text(code: str, params: dict | None = None) -> str:
    """The English message of refusal ``code`` with its ``params``; a code the tables do not
    know is taken to be the message itself."""
    template = REFUSALS.get(code)
    if template is None:
        return code
    try:
        return template % params if params else template
    except (KeyError, TypeError, ValueError):  # a value missing: say the rule, not nothing
        return template
