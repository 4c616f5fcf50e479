"""PostgreSQL's index in segments of practice ids, with publication as a column (search.PostgresTsvector).

Its rebuild is 0009's now: 0009 builds the table as the code has it, segments included, so building it here too
would only make an upgrade read every practice twice.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("practices", "0007_search_index")]

    operations = []
