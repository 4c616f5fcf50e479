"""Reviews' comments, notes and reasons to decline, and the criteria's text, kept as practices.text.plain_text()
keeps what is typed from now on.
"""

import importlib

from django.db import migrations

# The normalising code is practices' migration's (0006_plain_text): a copy of practices.text.plain_text() as it
# was on the day they were written, frozen like this one.
normalise = importlib.import_module("practices.migrations.0006_plain_text").normalise

MODELS = [
    ("Review", ["comment_to_city", "internal_note", "decline_reason"], []),
    ("Criterion", ["name", "description"], []),
]


def forwards(apps, schema_editor):
    for name, fields, json_fields in MODELS:
        normalise(apps.get_model("reviews", name), fields, json_fields)


class Migration(migrations.Migration):
    dependencies = [("practices", "0006_plain_text"), ("reviews", "0003_review_due_on")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
