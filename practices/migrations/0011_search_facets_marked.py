"""SQLite's index marks the facets with a "#", as PostgreSQL's does, and matches text without a column filter
(search.SQLiteFTS5.match)."""

from django.db import migrations

from practices.search import rebuild_on


class Migration(migrations.Migration):
    dependencies = [("practices", "0010_search_published_table")]

    # Backwards there is nothing to undo: 0007's reverse drops both tables. Code from before this migration
    # finds no facet (and before 0010, no published practice) in this layout until `reindex_search` rewrites
    # the index its way.
    operations = [migrations.RunPython(rebuild_on("sqlite"), migrations.RunPython.noop)]
