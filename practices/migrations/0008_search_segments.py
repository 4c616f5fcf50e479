"""PostgreSQL's index in segments of practice ids, with publication as a column (search.PostgresTsvector)."""

from django.db import migrations


def rebuild(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite's FTS5 table is unchanged
    from practices import search

    engine = search.PostgresTsvector()
    with schema_editor.connection.cursor() as cursor:
        engine.drop(cursor)
        engine.create(cursor)
    Practice = apps.get_model("practices", "Practice")
    if Practice.objects.exists():
        search.reindex_all()


class Migration(migrations.Migration):
    dependencies = [("practices", "0007_search_index")]

    # Backwards there is nothing to undo here: 0007's reverse drops the table, whatever its layout.
    operations = [migrations.RunPython(rebuild, migrations.RunPython.noop)]
