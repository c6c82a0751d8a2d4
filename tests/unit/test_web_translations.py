"""The pages' Indonesian catalog: every English text a page says has its Indonesian, and the
compiled catalog the gateway loads is the one in the .po file."""

from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "gateway/translations/id/LC_MESSAGES/messages.po"
MO = PO.with_suffix(".mo")
# module-level texts (labels, survey elements) are marked lazily: translated when shown;
# the refusals (contracts.refusals) are marked N_
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "N_": None}


@pytest.fixture(scope="module")
def said() -> dict[tuple[str | None, str], list[str]]:
    """(context, msgid) -> where the code and templates say it, as babel.cfg maps them."""
    with open(ROOT / "babel.cfg") as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    texts: dict[tuple[str | None, str], list[str]] = {}
    for filename, lineno, message, _, context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=KEYWORDS
    ):
        assert isinstance(message, str), f"{filename}:{lineno}: plural texts are not used"
        texts.setdefault((context, message), []).append(f"{filename}:{lineno}")
    return texts


@pytest.fixture(scope="module")
def catalog():
    with open(PO, "rb") as po:
        return read_po(po)


def test_the_extraction_finds_the_pages_texts(said):
    assert len(said) > 300
    assert (None, "Sign in") in said and ("citizen", "Due") in said


def test_every_text_a_page_says_has_its_indonesian(said, catalog):
    untranslated = [
        f"{where[0]}: {msgid!r}" + (f" (context {context!r})" if context else "")
        for (context, msgid), where in said.items()
        if not (found := catalog.get(msgid, context=context)) or not found.string
    ]
    assert not untranslated, "add to messages.po, then pybabel compile:\n" + "\n".join(untranslated)


def test_the_catalog_has_no_empty_fuzzy_or_unused_texts(said, catalog):
    empty = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    unused = [(m.context, m.id) for m in catalog if m.id and (m.context, m.id) not in said]
    assert (empty, fuzzy, unused) == ([], [], [])


def test_placeholders_survive_translation(catalog):
    problems = [(m.id, [str(e) for e in errors]) for m, errors in catalog.check()]
    assert not problems


def test_the_compiled_catalog_is_the_po_file(catalog):
    with open(MO, "rb") as mo:
        compiled = read_mo(mo)
    assert {(m.context, m.id): m.string for m in compiled if m.id} == {
        (m.context, m.id): m.string for m in catalog if m.id
    }, "run: .venv/bin/pybabel compile -d gateway/translations"
