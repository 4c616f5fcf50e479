"""PostgreSQL's window and probe functions look up every piece of a query in the index and check a phrase in the
rows they found, instead of asking the index for the phrase (search.PostgresTsvector.candidates), and never start
parallel workers. Nothing to do on SQLite."""

from django.db import migrations

from practices.search import IDS_FUNCTION, PG_WEIGHTS, SEGMENT, TABLE, WINDOW_FUNCTION, PostgresTsvector, newest_first


def replace_window_function(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        with schema_editor.connection.cursor() as cursor:
            PostgresTsvector.create_functions(cursor, PostgresTsvector().uses_rum)


def restore_window_function(apps, schema_editor):
    """The functions as 0012 left them: the index checks the whole query."""
    if schema_editor.connection.vendor != "postgresql":
        return
    use_rum = PostgresTsvector().uses_rum
    settings = "SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off SET work_mem = '64MB'"
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(f"DROP FUNCTION IF EXISTS {WINDOW_FUNCTION}(tsquery, tsquery, tsquery, boolean, integer)")
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {WINDOW_FUNCTION}(q tsquery, t tsquery, published_only boolean, n integer)"
            f" RETURNS TABLE (rowid bigint, rank real) LANGUAGE plpgsql STABLE {settings if use_rum else ''} AS $$"
            f" DECLARE upto bigint; width bigint := {SEGMENT}; wanted integer := n; got integer;"
            f" BEGIN SELECT max(s.rowid) + 1 INTO upto FROM {TABLE} AS s;"
            " WHILE upto > 0 AND wanted > 0 LOOP"
            f" RETURN QUERY SELECT s.rowid, ts_rank('{PG_WEIGHTS}', s.document, t) FROM {TABLE} AS s"
            " WHERE s.document @@ q AND (s.published OR NOT published_only)"
            " AND s.rowid >= upto - width AND s.rowid < upto"
            f" ORDER BY {newest_first(use_rum)} LIMIT wanted;"
            " GET DIAGNOSTICS got = ROW_COUNT; wanted := wanted - got; upto := upto - width; width := width * 2;"
            " END LOOP; END $$"
        )
        cursor.execute(f"DROP FUNCTION IF EXISTS {IDS_FUNCTION}(tsquery, tsquery, integer)")
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {IDS_FUNCTION}(q tsquery, n integer)"
            f" RETURNS SETOF bigint LANGUAGE sql STABLE {settings if use_rum else ''} AS $$"
            f" SELECT s.rowid FROM {TABLE} AS s WHERE s.document @@ q LIMIT n $$"
        )


class Migration(migrations.Migration):
    dependencies = [("practices", "0012_search_write_locks_segments")]

    operations = [migrations.RunPython(replace_window_function, restore_window_function)]
