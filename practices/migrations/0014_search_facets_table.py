"""PostgreSQL counts a filtered list in a table of the published practices' facets, from an index alone
(search.PostgresTsvector.create_facets). Nothing to do on SQLite."""

from django.db import migrations

from practices.search import FACETS_TABLE, PostgresTsvector


def create_facets(apps, schema_editor):
    """The table, filled as index_practices() would fill it: a published practice's city and indicator, and its
    published entry's batch (a practice is in one published batch at most)."""
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        PostgresTsvector.create_facets(cursor)
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


class Migration(migrations.Migration):
    dependencies = [("practices", "0013_search_window_candidates"), ("reviews", "0003_errata")]

    operations = [migrations.RunPython(create_facets, drop_facets)]
