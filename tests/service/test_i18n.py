"""Catalogues: complete, not fuzzy, placeholders intact, compilable, and in step with the code."""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from service.config import SUPPORTED_LOCALES

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]|\{(\w+)\}")


def catalogue(locale: str):
    with (TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        return read_po(handle, locale=locale)


def singular(message_id) -> str:
    """A plural entry's id is (singular, plural); compare by the singular."""
    return message_id[0] if isinstance(message_id, tuple) else message_id


def forms(text) -> list[str]:
    return list(text) if isinstance(text, tuple | list) else [text]


def template_ids() -> set[str]:
    with (TRANSLATIONS / "messages.pot").open("rb") as handle:
        return {singular(m.id) for m in read_po(handle) if m.id}


def placeholders(text: str) -> set[str]:
    return {a or b for a, b in PLACEHOLDER.findall(text)}


@pytest.mark.parametrize("locale", SUPPORTED_LOCALES)
def test_catalogue_is_complete_and_compiles(locale):
    messages = [m for m in catalogue(locale) if m.id]
    missing = [m.id for m in messages if not all(forms(m.string))]
    fuzzy = [m.id for m in messages if m.fuzzy]
    assert not missing, f"{locale}: untranslated: {missing[:10]}"
    assert not fuzzy, f"{locale}: fuzzy: {fuzzy[:10]}"
    assert {singular(m.id) for m in messages} >= template_ids(), f"{locale}: make extract-messages"
    for message in messages:
        wanted = placeholders(singular(message.id))
        for text in forms(message.string):
            # a plural form may leave out the count (e.g. Korean has one form)
            assert placeholders(text) <= wanted | placeholders(forms(message.id)[-1]), (
                locale,
                message.id,
            )
    write_mo(io.BytesIO(), catalogue(locale))


def test_translations_are_real_not_copies():
    for locale in ("ko", "kk"):
        messages = [m for m in catalogue(locale) if m.id and not m.pluralizable and len(m.id) > 12]
        copied = [m.id for m in messages if m.string == m.id]
        assert len(copied) < len(messages) * 0.05, (locale, copied[:10])


def test_the_template_is_in_step_with_the_code():
    extracted = set()
    method_map = [
        ("core/**.py", "python"),
        ("booking/**.py", "python"),
        ("vouchers/**.py", "python"),
        ("service/**.py", "python"),
        ("templates/**.html", "jinja2"),
    ]
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT),
        method_map,
        keywords={"_": None, "gettext": None, "ngettext": (1, 2), "_l": None, "N_": None},
    ):
        extracted.add(message if isinstance(message, str) else message[0])
    assert extracted <= template_ids(), (
        f"not in messages.pot: {sorted(extracted - template_ids())[:10]}"
    )
