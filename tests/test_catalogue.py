"""The English catalogue translates every message of the source, and the compiled file matches it."""

import ast
import gettext
import os
import re
import shutil
import subprocess
import sys

from django.conf import settings

from .conftest import require_tool

PO = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES" / "django.po"
# What `make messages` reads: the project without the virtualenv, the tests and the data.
NOT_SOURCE = (".venv", ".git", ".bench", "media", "tests", "db.sqlite3", "*.pyc", "__pycache__")


def unquote(text: str) -> str:
    return ast.literal_eval(f'"{text}"')


def po_entries(po=PO):
    """(msgid, [msgstr…]) for each entry of the .po file (with a context, "context\x04msgid"), header and fuzzy
    entries' translations excluded."""
    entries = []
    for block in po.read_text(encoding="utf-8").split("\n\n"):
        fields: dict[str, str] = {}
        key = None
        for line in block.splitlines():
            match = re.match(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[\d\])?) "(.*)"$', line)
            if match:
                key = match.group(1)
                fields[key] = unquote(match.group(2))
            elif line.startswith('"') and key:
                fields[key] += unquote(line[1:-1])
        if fields.get("msgid"):
            fuzzy = re.search(r"^#,.*\bfuzzy\b", block, re.MULTILINE)
            translations = [v for k, v in fields.items() if k.startswith("msgstr")]
            # A message with a context is keyed as gettext keys it: the context, EOT, the message.
            key = f"{fields['msgctxt']}\x04{fields['msgid']}" if "msgctxt" in fields else fields["msgid"]
            entries.append((key, [""] if fuzzy else translations))
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


def test_the_catalogue_holds_every_message_of_the_source(tmp_path):
    """`make messages` run on a copy of the source finds nothing new to translate and nothing stale."""
    require_tool(shutil.which("xgettext") is not None, "no GNU gettext: catalogue not checked")
    copy = tmp_path / "source"
    shutil.copytree(settings.BASE_DIR, copy, ignore=shutil.ignore_patterns(*NOT_SOURCE), symlinks=True)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--locale", "en", "--no-obsolete", "--verbosity", "0"],
        cwd=copy,
        env={**os.environ, "DEBUG": "1"},
        check=True,
    )
    regenerated = dict(po_entries(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))
    current = dict(po_entries())
    untranslated = sorted(msgid for msgid, msgstrs in regenerated.items() if not all(msgstrs))
    assert untranslated == [], "run `make messages` and translate these"
    assert sorted(set(current) - set(regenerated)) == [], "no longer in the source: run `make messages`"
