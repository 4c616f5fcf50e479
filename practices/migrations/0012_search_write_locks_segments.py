"""PostgreSQL's write function locks the table, then each existing segment its ids reach, in ascending order, so
that a writer sees a segment another writer has just attached (search.PostgresTsvector.create_write_function).
Nothing to do on SQLite."""

from django.db import migrations

from practices.search import PostgresTsvector


def replace_write_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            PostgresTsvector.create_write_function(cursor)


class Migration(migrations.Migration):
    dependencies = [("practices", "0011_search_facets_marked")]

    # Backwards, the function keeps the lock: it is correct with the earlier migrations' layout too.
    operations = [migrations.RunPython(replace_write_function, migrations.RunPython.noop)]
