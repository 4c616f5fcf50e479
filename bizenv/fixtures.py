"""Reference data from the project's fixtures (fixtures/NAME.json, rows named by natural key), created where
missing: any installed model whose manager knows its key."""

import json

from django.apps import apps
from django.conf import settings


def fixture_path(name):
    """fixtures/NAME.json, the project's shipped reference data."""
    return settings.BASE_DIR / "fixtures" / f"{name}.json"


def ensure_fixture(name) -> int:
    """Create the fixture's rows that are missing, found by natural key; rows already there keep their edits.

    (`loaddata` would overwrite them: a coordinator's reweighted criterion would come back on every `make run`.)
    """
    created_count = 0
    for row in json.loads(fixture_path(name).read_text(encoding="utf-8")):
        model = apps.get_model(row["model"])
        fields = dict(row["fields"])
        key = model.objects.key
        _, created = model.objects.get_or_create(**{key: fields.pop(key)}, defaults=fields)
        created_count += created
    return created_count
