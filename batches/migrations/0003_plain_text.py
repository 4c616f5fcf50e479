"""Batches' titles and leads, the entries' frozen text and errata, kept as practices.text.plain_text() keeps
what is typed from now on. The text of an imported announcement as it circulated (original_title,
original_text, source_text) stays as it was read.
"""

import importlib

from django.db import migrations

# The normalising code is practices' migration's (0006_plain_text): a copy of practices.text.plain_text() as it
# was on the day they were written, frozen like this one.
normalise = importlib.import_module("practices.migrations.0006_plain_text").normalise

MODELS = [
    ("Batch", ["title", "lead"], []),
    ("BatchEntry", ["title", "city_name", "indicator_name", "summary", "body", "outcomes"], ["results"]),
    ("Erratum", ["text"], []),
]


def forwards(apps, schema_editor):
    for name, fields, json_fields in MODELS:
        normalise(apps.get_model("batches", name), fields, json_fields)


class Migration(migrations.Migration):
    dependencies = [("practices", "0006_plain_text"), ("batches", "0002_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
