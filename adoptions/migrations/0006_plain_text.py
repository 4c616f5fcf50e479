"""Cities' reports (result, reason), the coordinator's excuses, measured results and the events' notes, kept as
practices.text.plain_text() keeps what is typed from now on.
"""

import importlib

from django.db import migrations

# The normalising code is practices' migration's (0006_plain_text): a copy of practices.text.plain_text() as it
# was on the day they were written, frozen like this one.
normalise = importlib.import_module("practices.migrations.0006_plain_text").normalise

MODELS = [
    ("Adoption", ["result", "reason", "excuse"], []),
    ("AdoptionResult", ["measure", "before", "after", "unit"], []),
    ("AdoptionEvent", ["note"], []),
]


def forwards(apps, schema_editor):
    for name, fields, json_fields in MODELS:
        normalise(apps.get_model("adoptions", name), fields, json_fields)


class Migration(migrations.Migration):
    dependencies = [("practices", "0006_plain_text"), ("adoptions", "0005_history")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True)]
