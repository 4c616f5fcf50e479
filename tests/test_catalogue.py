"""The English catalogue translates every message, and the compiled file matches the source."""

import ast
import gettext
import re

from django.conf import settings

PO = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"


def unquote(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


def po_entries():
    """(msgid, [msgstr…]) for each entry of the .po file, header excluded."""
    entries = []
    for block in PO.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = unquote(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += unquote(line[1:-1])
        if fields.get("msgid"):
            entries.append((fields["msgid"], [v for k, v in fields.items() if k.startswith("msgstr")]))
    return entries


def test_every_message_has_an_english_translation():
    entries = po_entries()
    assert entries
    untranslated = [msgid for msgid, msgstrs in entries if not all(msgstrs)]
    assert untranslated == []


def test_compiled_catalogue_matches_the_source():
    with open(PO.with_suffix(".mo"), "rb") as fh:
        compiled = gettext.GNUTranslations(fh)
    singles = [(msgid, msgstrs[0]) for msgid, msgstrs in po_entries() if len(msgstrs) == 1]
    assert singles
    for msgid, msgstr in singles:
        assert compiled.gettext(msgid) == msgstr
