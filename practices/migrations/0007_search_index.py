"""The full-text index: an FTS5 table on SQLite, a tsvector table with a RUM (or GIN) index on PostgreSQL."""

import django.db.models.deletion
from django.db import migrations, models


def create_index(apps, schema_editor):
    from practices import search

    engine = search.PostgresTsvector() if schema_editor.connection.vendor == "postgresql" else search.SQLiteFTS5()
    with schema_editor.connection.cursor() as cursor:
        engine.create(cursor)
    # Practices written before this migration: index them now (a fresh database has none).
    Practice = apps.get_model("practices", "Practice")
    if Practice.objects.exists():
        search.reindex_all()


def drop_index(apps, schema_editor):
    from practices import search

    engine = search.PostgresTsvector() if schema_editor.connection.vendor == "postgresql" else search.SQLiteFTS5()
    with schema_editor.connection.cursor() as cursor:
        engine.drop(cursor)


class Migration(migrations.Migration):
    dependencies = [("practices", "0006_synthetic_source"), ("reviews", "0003_errata")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create_index, drop_index)],
            state_operations=[
                migrations.CreateModel(
                    name="SearchIndex",
                    fields=[
                        (
                            "practice",
                            models.OneToOneField(
                                db_column="rowid",
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="practices.practice",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "检索索引",
                        "verbose_name_plural": "检索索引",
                        "db_table": "practices_searchindex",
                        "default_permissions": (),
                    },
                ),
            ],
        ),
    ]
