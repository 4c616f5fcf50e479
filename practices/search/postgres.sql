-- The PostgreSQL engine's SQL, read by postgres.py one named block at a time ("-- name: …"). {{name}} is filled in
-- from postgres.py's constants (the table's name, the segment's width …); a block may hold several statements.


-- name: create_table
-- One row per practice: whether it is published, and its document. Partitioned by practice id into segments of
-- {{segment}} ids, each with its own index, created as practices reach them (write_function). No foreign key to the
-- practices: a deleted practice leaves the index through index_practices() (its signal), and a key would make
-- adding a segment lock the practices table. A document stays in its row (STORAGE MAIN, and toast_tuple_target on
-- each segment), not in TOAST: ranking and checking a phrase read the newest thousand documents.
CREATE TABLE {{table}} (rowid bigint PRIMARY KEY, published boolean NOT NULL, document tsvector NOT NULL)
    PARTITION BY RANGE (rowid);
ALTER TABLE {{table}} ALTER COLUMN document SET STORAGE MAIN;


-- name: create_facets
-- The published practices' facets, one row each, for counting a filtered list from an index alone: each index is
-- led by a facet a filter may hold alone (a year leads the batch's) and carries the others, so that any mix of them
-- is counted without reading a row (once vacuumed). Written with the index of texts (PostgresTsvector.write()).
CREATE TABLE {{facets_table}} (rowid bigint PRIMARY KEY, city integer, indicator integer, year integer, sequence integer);
CREATE INDEX {{facets_table}}_city ON {{facets_table}} (city, year, sequence) INCLUDE (indicator);
CREATE INDEX {{facets_table}}_indicator ON {{facets_table}} (indicator, year, sequence) INCLUDE (city);
CREATE INDEX {{facets_table}}_batch ON {{facets_table}} (year, sequence) INCLUDE (city, indicator);


-- name: write_function
-- Every write goes through it: it adds the segments the ids reach, then replaces the rows.
--
-- A segment is created apart and attached, which locks out neither searches nor writers (CREATE TABLE … PARTITION
-- OF would lock the whole table until the end of the writer's transaction), under an advisory lock of its own so
-- that two writers reaching it together add it once (read committed sees the other's once it has committed).
--
-- A transaction learns of segments other transactions attached only when it takes a lock it does not hold yet. A
-- writer that already holds its lock on the table (it wrote before in the same transaction) would otherwise route
-- its rows, and find the rows it deletes, by the segments it knew then ("no partition found for row"). So each
-- existing segment the ids reach is locked as a row writer locks it, in ascending order (two writers then wait for
-- each other instead of each for the other); the lock also waits for a segment's creator to have announced it. The
-- table itself is locked first, as the DELETE would lock it: before its segments, as everything else locks them.
CREATE OR REPLACE FUNCTION {{write_function}}(ids bigint[], rowids bigint[], published boolean[], documents text[])
RETURNS void LANGUAGE plpgsql AS $$
DECLARE segment bigint; part text;
BEGIN
    LOCK TABLE ONLY {{table}} IN ROW EXCLUSIVE MODE;
    FOR segment IN SELECT DISTINCT r / {{segment}} FROM unnest(ids || rowids) AS r ORDER BY 1 LOOP
        part := '{{table}}_' || segment;
        IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = part AND relnamespace = current_schema()::regnamespace)
                AND segment IN (SELECT r / {{segment}} FROM unnest(rowids) AS r) THEN
            PERFORM pg_advisory_xact_lock(hashtext('{{table}}'), segment::integer);
            IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = part
                    AND relnamespace = current_schema()::regnamespace) THEN
                EXECUTE format('CREATE TABLE %I (LIKE {{table}} INCLUDING DEFAULTS INCLUDING CONSTRAINTS'
                    ' INCLUDING STORAGE) WITH (toast_tuple_target = {{toast_target}})', part);
                EXECUTE format('ALTER TABLE {{table}} ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',
                    part, segment * {{segment}}, (segment + 1) * {{segment}});
            END IF;
        END IF;
        IF EXISTS (SELECT 1 FROM pg_class WHERE relname = part AND relnamespace = current_schema()::regnamespace) THEN
            EXECUTE format('LOCK TABLE %I IN ROW EXCLUSIVE MODE', part);
        END IF;
    END LOOP;
    DELETE FROM {{table}} WHERE rowid = ANY(ids);
    INSERT INTO {{table}} (rowid, published, document)
        SELECT r, p, d::tsvector FROM unnest(rowids, published, documents) AS u(r, p, d);
END $$;


-- name: rum_index
-- RUM carries the rowid beside each piece, so it returns a segment's matches newest first and stops at the window.
CREATE INDEX {{index}} ON {{table}} USING rum (document rum_tsvector_addon_ops, rowid) WITH (attach = 'rowid', to = 'document');


-- name: gin_index
-- Where the rum extension is not installed: GIN finds a segment's matches, which are then sorted.
CREATE INDEX {{index}} ON {{table}} USING gin (document);


-- name: search_functions
-- The window and the probes, written for the kind of index there is ({{settings}} and {{newest_first}}).
--
-- c: the candidates, every piece of every term (the index decides); q: the exact query, checked in each
-- candidate's row, or NULL when the candidates are the matches (no term of more than one piece); t: what is ranked.
-- A phrase's selectivity is underestimated (the product of its pieces'), and the planner then prefers a bitmap scan
-- that reads every match: with RUM, only the ordered index scan is allowed, with enough memory to sort a segment's
-- matches, and no parallel workers (starting them costs more than a probe or a window).
--
-- The window: the newest n matches with their rank, newest first, read from the newest practices back, a stretch
-- twice as wide each time (the planner merges the ordered scans of the segments a stretch touches).
CREATE OR REPLACE FUNCTION {{window_function}}(c tsquery, q tsquery, t tsquery, published_only boolean, n integer)
RETURNS TABLE (rowid bigint, rank real) LANGUAGE plpgsql STABLE {{settings}} AS $$
DECLARE upto bigint; width bigint := {{segment}}; wanted integer := n; got integer;
BEGIN
    SELECT max(s.rowid) + 1 INTO upto FROM {{table}} AS s;
    WHILE upto > 0 AND wanted > 0 LOOP
        RETURN QUERY SELECT s.rowid, ts_rank('{{weights}}', s.document, t) FROM {{table}} AS s
            WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE)
            AND (s.published OR NOT published_only) AND s.rowid >= upto - width AND s.rowid < upto
            ORDER BY {{newest_first}} LIMIT wanted;
        GET DIAGNOSTICS got = ROW_COUNT;
        wanted := wanted - got;
        upto := upto - width;
        width := width * 2;
    END LOOP;
END $$;
-- Who matches, in no order, for probes (similar.py): the index alone, nothing sorted; c and q as above.
CREATE OR REPLACE FUNCTION {{ids_function}}(c tsquery, q tsquery, n integer)
RETURNS SETOF bigint LANGUAGE sql STABLE {{settings}} AS $$
    SELECT s.rowid FROM {{table}} AS s WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE) LIMIT n
$$;


-- name: drop
-- Every version of each function, whatever its arguments, then the tables.
DO $$ DECLARE f regprocedure; BEGIN
    FOR f IN SELECT oid::regprocedure FROM pg_proc
            WHERE proname IN ('{{write_function}}', '{{window_function}}', '{{ids_function}}')
            AND pronamespace = current_schema()::regnamespace
    LOOP EXECUTE 'DROP FUNCTION ' || f; END LOOP;
END $$;
DROP TABLE IF EXISTS {{table}};
DROP TABLE IF EXISTS {{facets_table}};
