"""SQLite's index keeps the published practices in a table beside the FTS5 table, not as a facet (search.SQLiteFTS5).

Its rebuild is 0011's now: 0011 builds SQLite's tables as the code has them, this layout included, so building
them here too would only make an upgrade read every practice twice.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("practices", "0009_search_documents_inline")]

    operations = []
