"""SQLite's index keeps the published practices in a table beside the FTS5 table, not as a facet (search.SQLiteFTS5)."""

from django.db import migrations

from practices.search import rebuild_on


class Migration(migrations.Migration):
    dependencies = [("practices", "0009_search_documents_inline")]

    # Backwards there is nothing to undo: 0007's reverse drops both tables. Code from before this migration,
    # run on this layout, finds no published practice until `reindex_search` rewrites the index its way.
    operations = [migrations.RunPython(rebuild_on("sqlite"), migrations.RunPython.noop)]
