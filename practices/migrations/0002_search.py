"""The search index's tables, as the code of this day creates them (practices/search/): an FTS5 table and a table of
the published practices on SQLite; on PostgreSQL a tsvector table in segments of practice ids with its write
function, a RUM index (GIN where the rum extension cannot be installed) with the window and probe functions, and a
table of the published practices' facets. The SQL is copied here, so that this migration runs the same whatever
the code becomes; `manage.py reindex_search` rebuilds the tables as the code of its day has them.

The tables are declared as models (their key only), so that flushing a database empties them; the engines read and
write them with their own SQL, never through the models.
"""

import django.db.models.deletion
from django.db import migrations, models

SQLITE = [
    "CREATE VIRTUAL TABLE practices_searchindex USING fts5("
    "title, summary, body, facets, tokenize=\"unicode61 remove_diacritics 0 tokenchars '#'\")",
    "INSERT INTO practices_searchindex(practices_searchindex, rank) VALUES ('rank', 'bm25(10.0, 4.0, 1.0, 0.0)')",
    "CREATE TABLE practices_searchpublished (rowid INTEGER PRIMARY KEY)",
]
SQLITE_DROP = ["DROP TABLE IF EXISTS practices_searchindex", "DROP TABLE IF EXISTS practices_searchpublished"]

POSTGRESQL_TABLES = """
CREATE TABLE practices_searchindex (rowid bigint PRIMARY KEY, published boolean NOT NULL, document tsvector NOT NULL)
    PARTITION BY RANGE (rowid);
ALTER TABLE practices_searchindex ALTER COLUMN document SET STORAGE MAIN;
"""

POSTGRESQL_FACETS = """
CREATE TABLE practices_searchfacets (rowid bigint PRIMARY KEY, city integer, indicator integer, year integer, sequence integer);
CREATE INDEX practices_searchfacets_city ON practices_searchfacets (city, year, sequence) INCLUDE (indicator);
CREATE INDEX practices_searchfacets_indicator ON practices_searchfacets (indicator, year, sequence) INCLUDE (city);
CREATE INDEX practices_searchfacets_batch ON practices_searchfacets (year, sequence) INCLUDE (city, indicator);
"""

POSTGRESQL_WRITE_FUNCTION = """
CREATE OR REPLACE FUNCTION bizenv_search_write(ids bigint[], rowids bigint[], published boolean[], documents text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE segment bigint; part text;
BEGIN
    LOCK TABLE ONLY practices_searchindex IN ROW EXCLUSIVE MODE;
    FOR segment IN SELECT DISTINCT r / 10000 FROM unnest(ids || rowids) AS r ORDER BY 1 LOOP
        part := 'practices_searchindex_' || segment;
        IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = part AND relnamespace = current_schema()::regnamespace)
                AND segment IN (SELECT r / 10000 FROM unnest(rowids) AS r) THEN
            PERFORM pg_advisory_xact_lock(hashtext('practices_searchindex'), segment::integer);
            IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = part
                    AND relnamespace = current_schema()::regnamespace) THEN
                EXECUTE format('CREATE TABLE %I (LIKE practices_searchindex INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
                    ' INCLUDING STORAGE) WITH (toast_tuple_target = 8160)', part);
                EXECUTE format('ALTER TABLE practices_searchindex ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                    part, segment * 10000, (segment + 1) * 10000);
            END IF;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_class WHERE relname = part AND relnamespace = current_schema()::regnamespace) THEN
            EXECUTE format('LOCK TABLE %I IN ROW EXCLUSIVE MODE', part);
        END IF;
    END LOOP;
    DELETE FROM practices_searchindex WHERE rowid = ANY(ids);
    INSERT INTO practices_searchindex (rowid, published, document)
        SELECT r, p, d::tsvector FROM unnest(rowids, published, documents) AS u(r, p, d);
END $$;
"""

POSTGRESQL_RUM_INDEX = """
CREATE INDEX practices_searchindex_document ON practices_searchindex USING rum (document rum_tsvector_addon_ops, rowid) WITH (attach = 'rowid', to = 'document');
"""

POSTGRESQL_GIN_INDEX = """
CREATE INDEX practices_searchindex_document ON practices_searchindex USING gin (document);
"""

POSTGRESQL_RUM_FUNCTIONS = """
CREATE OR REPLACE FUNCTION bizenv_search_window(c tsquery, q tsquery, t tsquery, published_only boolean, n integer)
RETURNS TABLE (rowid bigint, rank real) LANGUAGE plpgsql STABLE SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off SET work_mem = '64MB' SET max_parallel_workers_per_gather = 0 AS $$
DECLARE upto bigint; width bigint := 10000; wanted integer := n; got integer;
BEGIN
    SELECT max(s.rowid) + 1 INTO upto FROM practices_searchindex AS s;
    WHILE upto > 0 AND wanted > 0 LOOP
        RETURN QUERY SELECT s.rowid, ts_rank('{0.1, 0.25, 0.5, 1.0}', s.document, t) FROM practices_searchindex AS s
            WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE)
            AND (s.published OR NOT published_only) AND s.rowid >= upto - width AND s.rowid < upto
            ORDER BY s.rowid <=| 9007199254740992 LIMIT wanted;
        GET DIAGNOSTICS got = ROW_COUNT;
        wanted := wanted - got;
        upto := upto - width;
        width := width * 2;
    END LOOP;
END $$;
CREATE OR REPLACE FUNCTION bizenv_search_ids(c tsquery, q tsquery, n integer)
RETURNS SETOF bigint LANGUAGE sql STABLE SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off SET work_mem = '64MB' SET max_parallel_workers_per_gather = 0 AS $$
    SELECT s.rowid FROM practices_searchindex AS s WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE) LIMIT n
$$;
"""

POSTGRESQL_GIN_FUNCTIONS = """
CREATE OR REPLACE FUNCTION bizenv_search_window(c tsquery, q tsquery, t tsquery, published_only boolean, n integer)
RETURNS TABLE (rowid bigint, rank real) LANGUAGE plpgsql STABLE  AS $$
DECLARE upto bigint; width bigint := 10000; wanted integer := n; got integer;
BEGIN
    SELECT max(s.rowid) + 1 INTO upto FROM practices_searchindex AS s;
    WHILE upto > 0 AND wanted > 0 LOOP
        RETURN QUERY SELECT s.rowid, ts_rank('{0.1, 0.25, 0.5, 1.0}', s.document, t) FROM practices_searchindex AS s
            WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE)
            AND (s.published OR NOT published_only) AND s.rowid >= upto - width AND s.rowid < upto
            ORDER BY s.rowid DESC LIMIT wanted;
        GET DIAGNOSTICS got = ROW_COUNT;
        wanted := wanted - got;
        upto := upto - width;
        width := width * 2;
    END LOOP;
END $$;
CREATE OR REPLACE FUNCTION bizenv_search_ids(c tsquery, q tsquery, n integer)
RETURNS SETOF bigint LANGUAGE sql STABLE  AS $$
    SELECT s.rowid FROM practices_searchindex AS s WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE) LIMIT n
$$;
"""

POSTGRESQL_DROP = """
DROP FUNCTION IF EXISTS bizenv_search_window(tsquery, tsquery, tsquery, boolean, integer);
DROP FUNCTION IF EXISTS bizenv_search_ids(tsquery, tsquery, integer);
DROP FUNCTION IF EXISTS bizenv_search_write(bigint[], bigint[], boolean[], text[]);
DROP TABLE IF EXISTS practices_searchindex;
DROP TABLE IF EXISTS practices_searchfacets;
"""


def rum_available(cursor) -> bool:
    """The rum extension is installed in this database, or can be (it needs a superuser or a template)."""
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'rum'")
    if cursor.fetchone():
        return True
    cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'rum'")
    if not cursor.fetchone():
        return False
    cursor.execute("SAVEPOINT bizenv_rum")
    try:
        cursor.execute("CREATE EXTENSION rum")
    except Exception:  # no privilege: GIN it is
        cursor.execute("ROLLBACK TO SAVEPOINT bizenv_rum")
        return False
    cursor.execute("RELEASE SAVEPOINT bizenv_rum")
    return True


def create_tables(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor != "postgresql":
            for statement in SQLITE:
                cursor.execute(statement)
            return
        for statements in (POSTGRESQL_TABLES, POSTGRESQL_FACETS, POSTGRESQL_WRITE_FUNCTION):
            cursor.execute(statements)
        rum = rum_available(cursor)
        cursor.execute(POSTGRESQL_RUM_INDEX if rum else POSTGRESQL_GIN_INDEX)
        cursor.execute(POSTGRESQL_RUM_FUNCTIONS if rum else POSTGRESQL_GIN_FUNCTIONS)


def drop_tables(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        if schema_editor.connection.vendor != "postgresql":
            for statement in SQLITE_DROP:
                cursor.execute(statement)
            return
        cursor.execute(POSTGRESQL_DROP)


class Migration(migrations.Migration):
    dependencies = [("practices", "0001_initial")]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[migrations.RunPython(create_tables, drop_tables)],
            state_operations=[
                migrations.CreateModel(
                    name="SearchFacets",
                    fields=[
                        (
                            "practice",
                            models.OneToOneField(
                                db_column="rowid",
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="practices.practice",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "检索筛选项",
                        "verbose_name_plural": "检索筛选项",
                        "db_table": "practices_searchfacets",
                        "abstract": False,
                        "default_permissions": (),
                    },
                ),
                migrations.CreateModel(
                    name="SearchIndex",
                    fields=[
                        (
                            "practice",
                            models.OneToOneField(
                                db_column="rowid",
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="practices.practice",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "检索索引",
                        "verbose_name_plural": "检索索引",
                        "db_table": "practices_searchindex",
                        "abstract": False,
                        "default_permissions": (),
                    },
                ),
                migrations.CreateModel(
                    name="SearchPublished",
                    fields=[
                        (
                            "practice",
                            models.OneToOneField(
                                db_column="rowid",
                                db_constraint=False,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                primary_key=True,
                                related_name="+",
                                serialize=False,
                                to="practices.practice",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "检索已发布标记",
                        "verbose_name_plural": "检索已发布标记",
                        "db_table": "practices_searchpublished",
                        "abstract": False,
                        "default_permissions": (),
                    },
                ),
            ],
        ),
    ]
