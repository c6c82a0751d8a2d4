"""What a notification says: a Jinja2 template per kind (``templates/<kind>.txt``), its
texts in English marked for gettext (``{% trans %}``) and said in Indonesian by the
service's own catalog (``translations/id``), chosen by the recipient's language.

A template sets ``subject`` and renders the body::

    {% set subject %}{% trans %}Your permit {{ number }} is issued{% endtrans %}{% endset %}
    {% trans %}Your permit {{ permit_type }} is issued with the number {{ number }}.{% endtrans %}

Update the catalog after changing a text (``make notification-catalog``);
``tests/unit/test_notification_texts.py`` fails while a text has no Indonesian.
"""

import re
from datetime import date, datetime
from functools import cache
from gettext import NullTranslations
from pathlib import Path

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal
from babel.support import Translations
from jinja2 import Environment, FileSystemLoader, StrictUndefined

from contracts.times import MALL_TIME

TEMPLATES = Path(__file__).with_name("templates")
TRANSLATIONS = Path(__file__).with_name("translations")
LANGUAGES = ("id", "en")
SOURCE_LANGUAGE = "en"  # the templates' own texts
LOCALES = {"id": "id_ID", "en": "en_GB"}


def kinds() -> list[str]:
    """Every kind of notification there is a template for."""
    return sorted(p.stem for p in TEMPLATES.glob("*.txt") if not p.stem.startswith("_"))


@cache
def environment(language: str) -> Environment:
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        extensions=["jinja2.ext.i18n"],
        autoescape=False,  # plain text mail and inbox entries, not HTML
        undefined=StrictUndefined,  # a value a template needs and the handler forgot
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    if language == SOURCE_LANGUAGE:
        translations = NullTranslations()
    else:
        translations = Translations.load(TRANSLATIONS, [language], domain="messages")
    env.install_gettext_translations(translations, newstyle=True)
    return env


def render(kind: str, language: str, **values) -> tuple[str, str]:
    """The subject and body of a ``kind`` notification in ``language`` (``id`` when it is
    not one the mall speaks). Dates, moments and amounts in ``values`` are written as the
    language writes them; a name given in both languages (``{"id": ..., "en": ...}``) is
    said in hers."""
    language = language if language in LANGUAGES else "id"
    shown = {name: _shown(value, language) for name, value in values.items()}
    module = environment(language).get_template(f"{kind}.txt").make_module(shown)
    body = re.sub(r"\n{3,}", "\n\n", str(module)).strip()  # lines of a block left out
    return " ".join(str(module.subject).split()), body


def rupiah(amount: int, language: str) -> str:
    return "Rp " + format_decimal(amount, locale=LOCALES[language])


def _shown(value, language: str):
    if isinstance(value, dict) and set(value) == set(LANGUAGES):  # a name in both languages
        return value[language]
    if isinstance(value, datetime):
        moment = value.astimezone(MALL_TIME)
        return format_datetime(moment, "d MMMM y, HH:mm", locale=LOCALES[language]) + " WIB"
    if isinstance(value, date):
        return format_date(value, "d MMMM y", locale=LOCALES[language])
    return value
