"""PostgreSQL's index in segments of practice ids, with publication as a column (search.PostgresTsvector)."""

from django.db import migrations

from practices.search import rebuild_on


class Migration(migrations.Migration):
    dependencies = [("practices", "0007_search_index")]

    # Backwards there is nothing to undo here: 0007's reverse drops the table, whatever its layout.
    operations = [migrations.RunPython(rebuild_on("postgresql"), migrations.RunPython.noop)]
