"""Batches' titles and leads, the entries' frozen text and errata, kept as practices.text.plain_text() keeps
what is typed from now on. The text of an imported announcement as it circulated (original_title,
original_text, source_text) stays as it was read.
"""

import re
import unicodedata

from django.db import migrations

# A copy of practices.text.plain_text() as it is on the day this is written (a migration imports no code of ours).
_LINE_END_SPACE = re.compile("[ \t\u00a0\u3000]+$", re.MULTILINE)


def plain_text(text: str) -> str:
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n"))
    return _LINE_END_SPACE.sub("", text).strip("\n")


def plain_rows(rows: list) -> list:
    """Measured results kept as JSON (a list of {measure, before, after, unit}), each text made plain."""
    return [
        {k: plain_text(v) if isinstance(v, str) else v for k, v in row.items()} if isinstance(row, dict) else row
        for row in rows
    ]


BATCH = 500


def normalise(model, fields: list[str], json_fields: list[str] = ()) -> int:
    """Each row's text made plain, BATCH rows an UPDATE; the rows already plain are not written. A text a
    column may not hold empty (a title) stays as it is if nothing but spaces. Rows rewritten during the scan
    are plain already, so meeting them again changes nothing (SQLite's cursor may see them)."""
    may_be_empty = {name: model._meta.get_field(name).blank for name in fields}
    changed, count = [], 0
    for row in model.objects.only("pk", *fields, *json_fields).order_by("pk").iterator(chunk_size=BATCH):
        dirty = False
        for name in fields:
            old = getattr(row, name)
            new = plain_text(old) if old else old
            if new != old and (new or may_be_empty[name]):
                setattr(row, name, new)
                dirty = True
        for name in json_fields:
            old = getattr(row, name)
            new = plain_rows(old) if isinstance(old, list) else old
            if new != old:
                setattr(row, name, new)
                dirty = True
        if dirty:
            changed.append(row)
        if len(changed) == BATCH:
            model.objects.bulk_update(changed, [*fields, *json_fields])
            count, changed = count + len(changed), []
    if changed:
        model.objects.bulk_update(changed, [*fields, *json_fields])
    return count + len(changed)


MODELS = [
    ("Batch", ["title", "lead"], []),
    ("BatchEntry", ["title", "city_name", "indicator_name", "summary", "body", "outcomes"], ["results"]),
    ("Erratum", ["text"], []),
]


def forwards(apps, schema_editor):
    for name, fields, json_fields in MODELS:
        normalise(apps.get_model("batches", name), fields, json_fields)


class Migration(migrations.Migration):
    dependencies = [("batches", "0002_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
