"""PostgreSQL counts a filtered list in a table of the published practices' facets, from an index alone
(search.PostgresTsvector.create_facets). Nothing to build on SQLite.

Both engines' tables beside the index (this one, and SQLite's table of the published practices since 0010) are
declared as models, as 0007 declared the index's, so that flushing a database empties them.
"""

import django.db.models.deletion
from django.db import migrations, models

from practices.search import FACETS_TABLE, PostgresTsvector


def create_facets(apps, schema_editor):
    """The table, filled as index_practices() would fill it: a published practice's city and indicator, and its
    published entry's batch (a practice has one entry at most). Writers wait meanwhile, so that none is missed."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        PostgresTsvector.create_facets(cursor)
        cursor.execute("LOCK TABLE practices_practice, reviews_batch, reviews_batchentry IN SHARE MODE")
        cursor.execute(f"DELETE FROM {FACETS_TABLE}")
        cursor.execute(
            f"INSERT INTO {FACETS_TABLE} (rowid, city, indicator, year, sequence)"
            " SELECT p.id, p.city_id, p.indicator_id, b.year, b.sequence FROM reviews_batchentry AS e"
            " JOIN reviews_batch AS b ON b.id = e.batch_id JOIN practices_practice AS p ON p.id = e.practice_id"
            " WHERE b.status = 'published'"
        )
        cursor.execute(f"ANALYZE {FACETS_TABLE}")


def drop_facets(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {FACETS_TABLE}")


def declared(name, table, verbose_name):
    """A search table's declaration (practices.models.SearchTable): its key only."""
    return migrations.CreateModel(
        name=name,
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
            "verbose_name": verbose_name,
            "verbose_name_plural": verbose_name,
            "db_table": table,
            "abstract": False,
            "default_permissions": (),
        },
    )


class Migration(migrations.Migration):
    dependencies = [("practices", "0013_search_window_candidates"), ("reviews", "0003_errata")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create_facets, drop_facets)],
            state_operations=[
                declared("SearchFacets", FACETS_TABLE, "检索筛选项"),
                declared("SearchPublished", "practices_searchpublished", "检索已发布标记"),
            ],
        ),
    ]
