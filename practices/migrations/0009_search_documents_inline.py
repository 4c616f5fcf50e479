"""PostgreSQL's index rebuilt as the code has it: in segments of practice ids (0008), with publication as a
column, and each document in its row where it fits (search.TOAST_TARGET), not in TOAST."""

from django.db import migrations

from practices.search import rebuild_on


class Migration(migrations.Migration):
    dependencies = [("practices", "0008_search_segments")]

    # Backwards the documents may stay where they are: the earlier code reads them wherever they are stored.
    operations = [migrations.RunPython(rebuild_on("postgresql"), migrations.RunPython.noop)]
