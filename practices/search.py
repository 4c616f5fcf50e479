"""Full-text search over practices, in the database's own engine: FTS5 on SQLite, a tsvector on PostgreSQL.

One row per practice (practices_searchindex, keyed by the practice's id) holds its title, summary and body as
two-character pieces (searchtext.py). A published practice is indexed with its frozen text, as the public reads
it; any other with its current text. The index is written in the same transaction as the text: by signals for
single saves (models.py registers them) and by index_practices() after bulk writes. On PostgreSQL the published
practices' facets also have a table of their own, written with it, to count a filtered list from (create_facets()).

Ranking, with the title above the summary above the body: bm25 on SQLite, ts_rank on PostgreSQL, over the newest
RANK_WINDOW matches. Below that many matches this is the full ranking. Above it the term is too common to rank
usefully on its own, and scoring every match costs hundreds of milliseconds at national scale (measured: bm25
over 94,000 matches of 企业 takes 270 ms; RUM's distance ordering 36 ms at 10,000 practices, growing with the
matches), so the newest matches are ranked instead and the count reads "1000+". FTS5 returns matches newest
first by itself; on PostgreSQL a RUM index with the rowid attached does (GIN, where the rum extension is not
installed, finds them all and sorts them: correct, slower).
"""

import re
from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import cached_property
from operator import itemgetter

from django.db import connection, transaction
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from bizenv.paging import CAP

from .searchtext import Fragment, Term, bigrams, hit_at, parse_query, snippet

TABLE = "practices_searchindex"
PUBLISHED_TABLE = "practices_searchpublished"  # SQLite only: PostgreSQL has a column
FACETS_TABLE = "practices_searchfacets"  # PostgreSQL only: see PostgresTsvector.create_facets()
INDEX = "practices_searchindex_document"
WINDOW_FUNCTION = "bizenv_search_window"
IDS_FUNCTION = "bizenv_search_ids"
WRITE_FUNCTION = "bizenv_search_write"
# Practice ids per segment of the PostgreSQL index (see PostgresTsvector). Segments are named and bounded by it:
# changing it means rebuilding the table: a migration with rebuild_on("postgresql"), as 0009 has.
SEGMENT = 10_000
# A document (7 kB for a practice of 1,750 characters) stays in its row up to this many bytes (the most a page
# holds), not in TOAST's chunks of 2 kB: ranking and checking a phrase read the newest thousand documents, and
# from their rows they read in half the time.
TOAST_TARGET = 8160
NEWEST = 2**53  # RUM's distances are float8, exact up to here (from 2**63, ids tied in blocks of about 1,024)
RANK_WINDOW = CAP
# bm25 column weights (FTS5) and ts_rank weights for D, C, B, A (PostgreSQL): title A, summary B, body C.
FTS5_WEIGHTS = (10.0, 4.0, 1.0)
PG_WEIGHTS = "{0.1, 0.25, 0.5, 1.0}"
CHUNK = 500


# ---------------------------------------------------------------------------------------------------------------
# Writing the index


def facets(
    *, city: int | None = None, indicator: int | None = None, year: int | None = None, batch: tuple | None = None
) -> list[str]:
    """The index's filter tokens: c<city id>, i<indicator id>, and once published: pub, y<year>, b<year>x<seq>.

    They let a filtered public search be one lookup in the index instead of a join per match. Each engine
    writes them as '#c610100', with a "#" no folded text contains, so that no text query can match one, and
    keeps "pub" apart from them (split_published()).
    """
    tokens = []
    if city is not None:
        tokens.append(f"c{int(city)}")
    if indicator is not None:
        tokens.append(f"i{int(indicator)}")
    if year is not None:
        tokens.append(f"y{int(year)}")
    if batch is not None:
        tokens.append(f"b{int(batch[0])}x{int(batch[1])}")
    return tokens


FACET = re.compile(r"([ciy])(-?[0-9]+)|b(-?[0-9]+)x(-?[0-9]+)")
TOKEN_COLUMNS = {"c": "city", "i": "indicator", "y": "year"}  # a facet's letter, its column in the table of facets
# PostgreSQL's table of facets and its indexes: each index led by a facet a filter may hold alone (a year leads the
# batch's), carrying the others, so that any mix of them is counted from one index alone. Changing them means
# rebuilding the table: a migration that drops it and calls create_facets(), then reindex_all().
FACETS_TABLE_COLUMNS = ("city", "indicator", "year", "sequence")
FACET_INDEXES = {
    "city": (("city", "year", "sequence"), ("indicator",)),
    "indicator": (("indicator", "year", "sequence"), ("city",)),
    "batch": (("year", "sequence"), ("city", "indicator")),
}


def facet_columns(tokens: Iterable[str]) -> list[tuple[str, int]]:
    """facets() read back as (column, value) pairs of PostgreSQL's table of facets: c3 and b2022x2 are
    ("city", 3), ("year", 2022) and ("sequence", 2)."""
    columns = []
    for token in tokens:
        match = FACET.fullmatch(token)
        if match is None:
            raise ValueError(f"not a facet: {token!r}")
        kind, value, year, sequence = match.groups()
        columns += [(TOKEN_COLUMNS[kind], int(value))] if kind else [("year", int(year)), ("sequence", int(sequence))]
    return columns


PUBLISHED = "pub"
LONG = "long"  # PostgreSQL only: a document beyond what a tsvector's positions can hold


def split_published(tokens: list[str]) -> tuple[bool, list[str]]:
    """Whether the tokens hold "pub", and the other facets. Both engines keep "pub" apart from the index's
    pieces: found in nearly every practice, as a piece it made each lookup read (or, for bm25, weigh) the list
    of all published practices."""
    return PUBLISHED in tokens, [t for t in tokens if t != PUBLISHED]


def _document_rows(ids: list[int]) -> list[tuple[int, str, str, str, bool, list[str]]]:
    """(practice id, title, summary, body, published, facets) as the index holds them: the frozen text once
    published. Being published is kept apart from the facets, as both engines store it (split_published())."""
    from reviews.models import BatchEntry, BatchStatus

    from .models import Practice

    rows = {
        pk: (pk, t, s, b, False, facets(city=city, indicator=indicator))
        for pk, t, s, b, city, indicator in Practice.objects.filter(pk__in=ids).values_list(
            "pk", "title", "summary", "body", "city_id", "indicator_id"
        )
    }
    frozen = BatchEntry.objects.filter(practice_id__in=ids, batch__status=BatchStatus.PUBLISHED).values_list(
        "practice_id", "title", "summary", "body", "batch__year", "batch__sequence"
    )
    for pk, t, s, b, year, sequence in frozen:
        if pk in rows:
            own = rows[pk][5]
            rows[pk] = (pk, t, s, b, True, [*own, *facets(year=year, batch=(year, sequence))])
    return list(rows.values())


def index_practices(ids: Iterable[int]) -> int:
    """Write (or rewrite) the index rows of these practices; ids that no longer exist lose theirs."""
    ids = sorted(set(ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = _document_rows(chunk)
        backend().write(chunk, rows)
        written += len(rows)
    return written


def reindex_all() -> int:
    """Rebuild the whole index from the practices and the published entries (on PostgreSQL, as RUM if the rum
    extension has been installed since)."""
    from .models import Practice

    with bulk_writes(choose=True):
        with connection.cursor() as cursor:
            backend().clear(cursor)
        ids = list(Practice.objects.order_by("pk").values_list("pk", flat=True))
        return index_practices(ids)


def rebuild_on(vendor: str):
    """A migration's step for when one engine's tables change layout ("postgresql" or "sqlite"): on that
    database, drop them, create them as this code writes them, and fill them; on the other, nothing."""

    def rebuild(apps, schema_editor):
        if schema_editor.connection.vendor != vendor:
            return
        engine = PostgresTsvector() if vendor == "postgresql" else SQLiteFTS5()
        with schema_editor.connection.cursor() as cursor:
            engine.drop(cursor)
            engine.create(cursor)
        if apps.get_model("practices", "Practice").objects.exists():
            reindex_all()

    return rebuild


@contextmanager
def bulk_writes(choose: bool = False):
    """Around writing many practices at once: on PostgreSQL the index is dropped and built once, at the end.

    A RUM index costs about 16 ms per row written into it, so 100,000 rows written one by one take half an hour;
    dropped first and built at the end, they take about two minutes. Searches wait meanwhile (the table is
    locked; filtered lists are counted as they were, from the table of facets), and everything is one
    transaction: a failure leaves the index as it was. The index keeps its kind unless `choose`: then RUM if
    the extension is there now.

    On SQLite the FTS5 index is merged into one segment at the end (written in chunks, it is left in many, and
    a common term then reads them all: 50% slower at 100,000 practices), and the planner's statistics are
    refreshed (`PRAGMA optimize`).
    """
    engine = backend()
    if not isinstance(engine, PostgresTsvector):
        yield
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TABLE}({TABLE}) VALUES ('optimize')")
            cursor.execute("PRAGMA optimize")
        return
    with transaction.atomic():
        rum = None if choose else engine.uses_rum
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        yield
        with connection.cursor() as cursor:
            engine.create_index(cursor, rum=rum)


# ---------------------------------------------------------------------------------------------------------------
# The two engines


class SQLiteFTS5:
    """An FTS5 table of the texts' pieces and the facets, with the published practices in a table beside it."""

    name = "sqlite-fts5"
    PUBLISHED_ONLY = f" AND EXISTS (SELECT 1 FROM {PUBLISHED_TABLE} AS p WHERE p.rowid = s.rowid)"

    def create(self, cursor):
        cursor.execute(
            f"CREATE VIRTUAL TABLE {TABLE} USING fts5("
            "title, summary, body, facets, tokenize=\"unicode61 remove_diacritics 0 tokenchars '#'\")"
        )
        weights = ", ".join(str(w) for w in (*FTS5_WEIGHTS, 0.0))
        cursor.execute(f"INSERT INTO {TABLE}({TABLE}, rank) VALUES ('rank', 'bm25({weights})')")
        cursor.execute(f"CREATE TABLE {PUBLISHED_TABLE} (rowid INTEGER PRIMARY KEY)")

    def drop(self, cursor):
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {PUBLISHED_TABLE}")

    def clear(self, cursor):
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"DELETE FROM {PUBLISHED_TABLE}")

    def write(self, ids, rows):
        marks = ", ".join(["%s"] * len(ids))
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", ids)
            cursor.execute(f"DELETE FROM {PUBLISHED_TABLE} WHERE rowid IN ({marks})", ids)
            cursor.executemany(
                f"INSERT INTO {TABLE}(rowid, title, summary, body, facets) VALUES (%s, %s, %s, %s, %s)",
                [
                    (pk, *(" ".join(bigrams(t)) for t in (title, summary, body)), " ".join(f"#{t}" for t in facets))
                    for pk, title, summary, body, _, facets in rows
                ],
            )
            cursor.executemany(
                f"INSERT INTO {PUBLISHED_TABLE}(rowid) VALUES (%s)",
                [(pk,) for pk, *_, published, _ in rows if published],
            )

    def match(self, terms: list[Term], tokens: list[str] = ()) -> str:
        """Each term the phrase of its pieces (a prefix for one character), each facet as '#c610100'.

        No column filter: no piece of folded text holds a "#" (the tokenizer keeps it in a token), so a term
        cannot match a facet, nor a facet a piece. A filter made bm25 read every match's positions to weigh a
        term: the window query for two common terms took 27 ms instead of 12 at 100,000 practices.
        """
        phrases = ['"' + " ".join(t.pieces) + '"' + ("*" if t.is_prefix else "") for t in terms]
        return " AND ".join([*phrases, *(f'"#{token}"' for token in tokens)])

    def ids_sql(self, terms: list[Term], tokens: list[str] = ()) -> tuple[str, list]:
        published, facets = split_published(tokens)
        sql = f"SELECT s.rowid AS practice_id FROM {TABLE} AS s WHERE {TABLE} MATCH %s"
        return sql + (self.PUBLISHED_ONLY if published else ""), [self.match(terms, facets)]

    def count_sql(self, tokens: list[str], limit: int) -> tuple[str, list]:
        """How many practices have these facets, counted up to `limit`."""
        return counted(self.ids_sql([], tokens), limit)

    def probe_sql(self, terms: list[Term], limit: int) -> tuple[str, list]:
        """Up to `limit` ids of matches, in no particular order."""
        sql, params = self.ids_sql(terms)
        return f"{sql} LIMIT {int(limit)}", params

    def window_sql(self, terms: list[Term], tokens: list[str], within: tuple[str, list]) -> tuple[str, list]:
        """(rowid, bm25) of the newest RANK_WINDOW + 1 matches, newest first; bm25 is lower for a better match.

        `within` is a condition on s.rowid with its parameters ("" for none). Being published is checked per
        match, newest first, and stops with the window (bm25 weighs each piece of a query over the whole table).
        """
        published, facets = split_published(tokens)
        condition, condition_params = within
        sql = (
            f"SELECT s.rowid, s.rank FROM {TABLE} AS s WHERE {TABLE} MATCH %s"
            f"{self.PUBLISHED_ONLY if published else ''}{condition} ORDER BY s.rowid DESC LIMIT {RANK_WINDOW + 1}"
        )
        return sql, [self.match(terms, facets), *condition_params]


_uses_rum: dict[str, bool] = {}


class PostgresTsvector:
    """A tsvector of our own pieces, written as a literal (no parser, so no locale can split them differently).

    The table is partitioned by practice id into segments of SEGMENT practices, each with its own RUM (or GIN)
    index, and the window is read from the newest practices back until it is full: the newest 10,000, then
    the 20,000 before them, then 40,000, and so on (the planner merges the ordered scans of the segments a
    stretch touches). A common piece then costs what it costs among 10,000 practices, however many there are: an
    index reads a piece's whole list of practices before it returns the first one (企业, in 94% of 100,000 practices:
    30 ms; in one segment: 3 ms). A rare piece costs a query per doubling and a lookup in each segment. Segments are
    created as practices reach them (bizenv_search_write()). Whether a practice is published is a column, checked
    after the index: as a piece of the index ("#pub", in nearly every practice) it made each lookup read the list of
    all published practices.
    """

    name = "postgresql-tsvector"

    def create(self, cursor):
        # No foreign key to the practices: a deleted practice leaves the index through index_practices() (its
        # signal), and a key would make adding a segment lock the practices table.
        cursor.execute(
            f"CREATE TABLE {TABLE} (rowid bigint PRIMARY KEY, published boolean NOT NULL,"
            " document tsvector NOT NULL) PARTITION BY RANGE (rowid)"
        )
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN document SET STORAGE MAIN")  # in the row: TOAST_TARGET
        self.create_facets(cursor)
        self.create_write_function(cursor)
        self.create_index(cursor)

    @staticmethod
    def create_facets(cursor):
        """The published practices' facets, one row each, for counting a filtered list from an index alone.

        Counted in the index of texts, a city and a year took 3–4 ms at 100,000 practices: each segment's
        lookup, then each match's row read to check that it is published. Here one of three b-tree indexes,
        each led by a facet and carrying the others, counts them in 0.3–0.8 ms without reading a row (once
        vacuumed). Written with the index of texts (write()); "IF NOT EXISTS" for migration 0014, which finds the
        table already there in a database created since (its earlier migrations build the tables as this code
        has them).
        """
        cursor.execute(
            f"CREATE TABLE IF NOT EXISTS {FACETS_TABLE} (rowid bigint PRIMARY KEY,"
            f" {', '.join(f'{column} integer' for column in FACETS_TABLE_COLUMNS)})"
        )
        for name, (keys, carried) in FACET_INDEXES.items():
            cursor.execute(
                f"CREATE INDEX IF NOT EXISTS {FACETS_TABLE}_{name} ON {FACETS_TABLE}"
                f" ({', '.join(keys)}) INCLUDE ({', '.join(carried)})"
            )

    @staticmethod
    def create_write_function(cursor):
        """bizenv_search_write(): writes go through it. It adds the segments the ids reach, then replaces the rows.

        A segment is created apart and attached, which locks out neither searches nor writers (CREATE TABLE …
        PARTITION OF would lock the whole table until the end of the writer's transaction), under a lock of its
        own so that two writers reaching it together add it once (read committed, Django's default, sees the
        other's once it has committed).

        A transaction learns of segments other transactions attached only when it takes a lock it does not hold
        yet. A writer that already holds its lock on the table (it wrote before in the same transaction) would
        otherwise route its rows, and find the rows it deletes, by the segments it knew then ("no partition found
        for row"). So each existing segment the ids reach is locked as a row writer locks it, in ascending order;
        the lock also waits for a segment's creator to have announced it. The table itself is locked first, as
        the DELETE would lock it: before its segments, as everything else locks them.
        """
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {WRITE_FUNCTION}(ids bigint[], rowids bigint[], published boolean[],"
            " documents text[]) RETURNS void LANGUAGE plpgsql AS $$"
            " DECLARE segment bigint; part text;"
            " BEGIN"
            f" LOCK TABLE ONLY {TABLE} IN ROW EXCLUSIVE MODE;"
            f" FOR segment IN SELECT DISTINCT r / {SEGMENT} FROM unnest(ids || rowids) AS r ORDER BY 1 LOOP"
            f" part := '{TABLE}_' || segment;"
            " IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = part"
            " AND relnamespace = current_schema()::regnamespace)"
            f" AND segment IN (SELECT r / {SEGMENT} FROM unnest(rowids) AS r) THEN"
            f" PERFORM pg_advisory_xact_lock(hashtext('{TABLE}'), segment::integer);"
            " IF NOT EXISTS (SELECT 1 FROM pg_class WHERE relname = part"
            " AND relnamespace = current_schema()::regnamespace) THEN"
            f" EXECUTE format('CREATE TABLE %I (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS"
            f" INCLUDING STORAGE) WITH (toast_tuple_target = {TOAST_TARGET})', part);"
            f" EXECUTE format('ALTER TABLE {TABLE} ATTACH PARTITION %I FOR VALUES FROM (%s) TO (%s)',"
            f" part, segment * {SEGMENT}, (segment + 1) * {SEGMENT});"
            " END IF; END IF;"
            " IF EXISTS (SELECT 1 FROM pg_class WHERE relname = part"
            " AND relnamespace = current_schema()::regnamespace) THEN"
            " EXECUTE format('LOCK TABLE %I IN ROW EXCLUSIVE MODE', part);"
            " END IF;"
            " END LOOP;"
            f" DELETE FROM {TABLE} WHERE rowid = ANY(ids);"
            f" INSERT INTO {TABLE} (rowid, published, document)"
            " SELECT r, p, d::tsvector FROM unnest(rowids, published, documents) AS u(r, p, d);"
            " END $$"
        )

    def create_index(self, cursor, rum: bool | None = None):
        """RUM where the extension is (or can be) installed, else GIN; `rum=False` forces GIN.

        The RUM index carries the rowid beside each piece, so it returns a segment's matches newest first and
        stops at the window; GIN returns them all, to be sorted. The window function is written to match.
        """
        _uses_rum.clear()
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        use_rum = rum is not False and self.rum_available(cursor)
        if use_rum:
            cursor.execute(
                f"CREATE INDEX {INDEX} ON {TABLE} USING rum (document rum_tsvector_addon_ops, rowid)"
                " WITH (attach = 'rowid', to = 'document')"
            )
        else:
            cursor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin (document)")
        self.create_functions(cursor, use_rum)

    @staticmethod
    def create_functions(cursor, use_rum: bool):
        """The window and probe functions, written for the kind of index there is."""
        # A phrase's selectivity is underestimated (the product of its pieces'), and the planner then prefers a
        # bitmap scan that reads every match: inside the functions, only the ordered index scan is allowed. RUM
        # sorts a segment's matches in memory: enough of it keeps them off the disk.
        order = newest_first(use_rum)
        settings = (
            "SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off SET work_mem = '64MB'"
            " SET max_parallel_workers_per_gather = 0"  # starting workers costs more than a probe or a window
            if use_rum
            else ""
        )
        # c: the candidates, every piece of every term (the index decides); q: the exact query, checked in each
        # candidate's row, or NULL when the candidates are the matches (no term of more than one piece): see
        # candidates(). t: what is ranked. Until 0013 the function took no c, and the index checked q itself.
        cursor.execute(f"DROP FUNCTION IF EXISTS {WINDOW_FUNCTION}(tsquery, tsquery, boolean, integer)")
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {WINDOW_FUNCTION}"
            "(c tsquery, q tsquery, t tsquery, published_only boolean, n integer)"
            f" RETURNS TABLE (rowid bigint, rank real) LANGUAGE plpgsql STABLE {settings} AS $$"
            f" DECLARE upto bigint; width bigint := {SEGMENT}; wanted integer := n; got integer;"
            " BEGIN"
            f" SELECT max(s.rowid) + 1 INTO upto FROM {TABLE} AS s;"
            " WHILE upto > 0 AND wanted > 0 LOOP"
            f" RETURN QUERY SELECT s.rowid, ts_rank('{PG_WEIGHTS}', s.document, t) FROM {TABLE} AS s"
            " WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE)"
            " AND (s.published OR NOT published_only) AND s.rowid >= upto - width AND s.rowid < upto"
            f" ORDER BY {order} LIMIT wanted;"
            " GET DIAGNOSTICS got = ROW_COUNT;"
            " wanted := wanted - got;"
            " upto := upto - width;"
            " width := width * 2;"
            " END LOOP;"
            " END $$"
        )
        # Who matches, in no order, for probes (similar.py): the index alone, nothing sorted; c and q as above.
        # A rare probe's phrase asked of the RUM index took 12–21 ms at 100,000, its pieces 2.
        cursor.execute(f"DROP FUNCTION IF EXISTS {IDS_FUNCTION}(tsquery, integer)")
        cursor.execute(
            f"CREATE OR REPLACE FUNCTION {IDS_FUNCTION}(c tsquery, q tsquery, n integer)"
            f" RETURNS SETOF bigint LANGUAGE sql STABLE {settings} AS $$"
            f" SELECT s.rowid FROM {TABLE} AS s WHERE s.document @@ c AND (q IS NULL OR (s.document @@ q) IS TRUE)"
            " LIMIT n $$"
        )

    @staticmethod
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

    @property
    def uses_rum(self) -> bool:
        """Whether the index is RUM: read once per database and process."""
        name = connection.settings_dict["NAME"]
        if name not in _uses_rum:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT am.amname FROM pg_class c JOIN pg_am am ON am.oid = c.relam WHERE c.relname = %s", [INDEX]
                )
                row = cursor.fetchone()
            _uses_rum[name] = bool(row) and row[0] == "rum"
        return _uses_rum[name]

    def clear(self, cursor):
        cursor.execute(f"DELETE FROM {TABLE}")
        cursor.execute(f"DELETE FROM {FACETS_TABLE}")

    def drop(self, cursor):
        # Every version of each function, whatever its arguments (0013 changed the window's and the probes').
        names = ", ".join(f"'{name}'" for name in (WRITE_FUNCTION, WINDOW_FUNCTION, IDS_FUNCTION))
        cursor.execute(
            "DO $$ DECLARE f regprocedure; BEGIN"
            f" FOR f IN SELECT oid::regprocedure FROM pg_proc WHERE proname IN ({names})"
            " AND pronamespace = current_schema()::regnamespace"
            " LOOP EXECUTE 'DROP FUNCTION ' || f; END LOOP; END $$"
        )
        cursor.execute(f"DROP TABLE IF EXISTS {TABLE}")
        cursor.execute(f"DROP TABLE IF EXISTS {FACETS_TABLE}")

    @staticmethod
    def vector(title: str, summary: str, body: str, tokens: list[str] = ()) -> str:
        """'纳税':1A '税服':2A …: title A, summary B, body C, a gap between them so no phrase spans two; then the
        facets as '#c610100' (no folded text holds a "#", so no text query can match one).

        A tsvector keeps positions up to 16383 and 256 of them per piece. A practice longer than that (the body
        may hold 20,000 characters) is marked '#long': its phrases are then matched as all of their pieces
        anywhere in it (see query()), so it is still found, if less precisely.
        """
        parts, position, seen = [], 1, {}
        for text, weight in ((title, "A"), (summary, "B"), (body, "C")):
            for piece in bigrams(text):
                parts.append(f"'{piece}':{min(position, 16383)}{weight}")
                seen[piece] = seen.get(piece, 0) + 1
                position += 1
            position += 1
        marks = [*tokens, LONG] if position > 16383 or max(seen.values(), default=0) > 256 else tokens
        parts.extend(f"'#{token}':{min(position, 16383)}" for token in marks)
        return " ".join(parts)

    def write(self, ids, rows):
        documents = [self.vector(title, summary, body, facets) for _, title, summary, body, _, facets in rows]
        published = {pk: dict(facet_columns(tokens)) for pk, *_, is_published, tokens in rows if is_published}
        with transaction.atomic(savepoint=False), connection.cursor() as cursor:
            cursor.execute(
                f"SELECT {WRITE_FUNCTION}(%s, %s, %s, %s)",
                [list(ids), [row[0] for row in rows], [row[4] for row in rows], documents],
            )
            # The published ones' facets, replaced; the others' go.
            cursor.execute(
                f"WITH gone AS (DELETE FROM {FACETS_TABLE} WHERE rowid = ANY(%s) AND rowid <> ALL(%s))"
                f" INSERT INTO {FACETS_TABLE} (rowid, {', '.join(FACETS_TABLE_COLUMNS)})"
                " SELECT * FROM unnest(%s::bigint[], %s::integer[], %s::integer[], %s::integer[], %s::integer[])"
                f" ON CONFLICT (rowid) DO UPDATE SET {', '.join(f'{c} = EXCLUDED.{c}' for c in FACETS_TABLE_COLUMNS)}",
                [
                    list(ids),
                    list(published),
                    list(published),
                    *([values.get(column) for values in published.values()] for column in FACETS_TABLE_COLUMNS),
                ],
            )

    @staticmethod
    def query(terms: list[Term], tokens: list[str] = (), exact: bool = False) -> str:
        """The tsquery: each term the phrase of its pieces, and in a '#long' document all its pieces anywhere
        (unless `exact`: the probes of similar.py do without long documents)."""

        def one(term):
            if term.is_prefix:
                return f"'{term.text}':*"
            pieces = [f"'{piece}'" for piece in term.pieces]
            if len(pieces) == 1:
                return pieces[0]
            if exact:
                return f"({' <-> '.join(pieces)})"
            return f"(({' <-> '.join(pieces)}) | ('#{LONG}' & {' & '.join(pieces)}))"

        return " & ".join([*(one(t) for t in terms), *(f"'#{token}'" for token in tokens)])

    @staticmethod
    def candidates(terms: list[Term], tokens: list[str] = ()) -> tuple[str, bool]:
        """The tsquery the index answers alone: every piece of every term, anywhere, and the facets; and whether
        its matches still need the exact query(), checked in their rows (a term of more than one piece).

        The RUM index keeps no positions, so a phrase in its condition is checked in each candidate's row anyway;
        checked there after an index lookup of its pieces, 不动产登记's window at 100,000 takes 11 ms instead of 15.
        """
        pieces = [f"'{term.text}':*" if term.is_prefix else " & ".join(f"'{p}'" for p in term.pieces) for term in terms]
        return " & ".join([*pieces, *(f"'#{token}'" for token in tokens)]), any(len(t.pieces) > 1 for t in terms)

    def ids_sql(self, terms: list[Term], tokens: list[str] = ()) -> tuple[str, list]:
        published, tokens = split_published(tokens)
        sql = f"SELECT rowid AS practice_id FROM {TABLE} WHERE document @@ %s::tsquery"
        return sql + (" AND published" if published else ""), [self.query(terms, tokens)]

    def count_sql(self, tokens: list[str], limit: int) -> tuple[str, list]:
        """How many practices have these facets, counted up to `limit`. With "pub", from an index of the table of
        facets alone (create_facets()); without, in the index of texts: the table holds only published practices."""
        published, facets = split_published(tokens)
        if not published:
            return counted(self.ids_sql([], tokens), limit)
        columns = facet_columns(facets)
        where = " AND ".join(f"{column} = %s" for column, _ in columns) or "TRUE"
        sql = f"SELECT count(*) FROM (SELECT 1 FROM {FACETS_TABLE} WHERE {where} LIMIT {int(limit)}) AS matches"
        return sql, [value for _, value in columns]

    def probe_sql(self, terms: list[Term], limit: int) -> tuple[str, list]:
        """Up to `limit` ids of matches, read from the index alone (a bitmap scan would read every document)."""
        sql = f"SELECT practice_id FROM {IDS_FUNCTION}(%s::tsquery, %s::tsquery, {int(limit)}) AS practice_id"
        candidates, exact = self.candidates(terms)
        return sql, [candidates, self.query(terms, exact=True) if exact else None]

    def window_sql(self, terms: list[Term], tokens: list[str], within: tuple[str, list]) -> tuple[str, list]:
        """(rowid, -ts_rank) of the newest RANK_WINDOW + 1 matches, newest first (negated: lower is better, as bm25).

        Without a condition (`within`, on s.rowid, "" for none) this is bizenv_search_window(), whose RUM index
        scan returns the newest matches first and stops; with one, the planner decides.
        """
        published, facets = split_published(tokens)
        query, text = self.query(terms, facets), self.query(terms)
        candidates, exact = self.candidates(terms, facets)
        condition, condition_params = within
        if not condition:
            sql = (
                f"SELECT rowid, -rank FROM {WINDOW_FUNCTION}"
                f"(%s::tsquery, %s::tsquery, %s::tsquery, %s, {RANK_WINDOW + 1})"
            )
            return sql, [candidates, query if exact else None, text, published]
        check = " AND (s.document @@ %s::tsquery) IS TRUE" if exact else ""
        sql = (
            f"SELECT s.rowid, -ts_rank('{PG_WEIGHTS}', s.document, %s::tsquery) FROM {TABLE} AS s"
            f" WHERE s.document @@ %s::tsquery{check}{condition} ORDER BY {newest_first(self.uses_rum)}"
            f" LIMIT {RANK_WINDOW + 1}"
        )
        return sql, [text, candidates, *([query] if exact else []), *condition_params]


def counted(ids: tuple[str, list], limit: int) -> tuple[str, list]:
    """The count of an ids query's rows, up to `limit`."""
    sql, params = ids
    return f"SELECT count(*) FROM ({sql} LIMIT {int(limit)}) AS matches", params


def newest_first(rum: bool) -> str:
    """ORDER BY for the newest matches first: RUM orders by the rowid attached in the index (its distance to
    NEWEST); GIN sorts."""
    return f"s.rowid <=| {NEWEST}" if rum else "s.rowid DESC"


def backend():
    return PostgresTsvector() if connection.vendor == "postgresql" else SQLiteFTS5()


# ---------------------------------------------------------------------------------------------------------------
# Reading: what the views use


class SearchResults:
    """A sequence for Django's Paginator: len() is the capped count, a slice is the page's objects in rank order.

    Two queries: the window (the newest RANK_WINDOW + 1 matches with their rank, which is also the count), and
    the page's objects. The index drives the window. With `tokens` (facets) the index alone decides what
    matches: the public list's filters, one lookup. Without, the queryset's own filters are checked per match (a
    correlated EXISTS), so any list can be searched and a common term still stops at the window.
    """

    def __init__(self, queryset: QuerySet, terms: list[Term], field_name: str, tokens: list[str] | None = None):
        self.queryset, self.terms, self.field_name = queryset, terms, field_name
        self.tokens = tokens or []
        if self.tokens:
            self.within = ("", [])
        else:
            inner = queryset.order_by().filter(**{field_name: RawSQL("s.rowid", [])}).values(field_name)[:1]
            sql, params = inner.query.sql_with_params()
            self.within = (f" AND EXISTS ({sql})", list(params))

    @cached_property
    def window(self) -> list[tuple[int, float]]:
        """The newest RANK_WINDOW + 1 matches as (practice id, rank), rank lower for a better match, newest first
        (every backend's window_sql() returns them so)."""
        sql, params = backend().window_sql(self.terms, self.tokens, self.within)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()

    @cached_property
    def ranked(self) -> list[int]:
        """Practice ids, best first; equal ranks newest first (the window's order, which a stable sort keeps)."""
        return [pk for pk, _ in sorted(self.window[:RANK_WINDOW], key=itemgetter(1))]

    @property
    def capped(self) -> bool:
        """More matches than are shown: the count reads "1000+"."""
        return len(self.window) > RANK_WINDOW

    def __len__(self) -> int:
        return min(len(self.window), RANK_WINDOW)

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        ids = self.ranked[index]
        if not ids:
            return []
        meta = self.queryset.model._meta
        attname = meta.pk.attname if self.field_name == "pk" else meta.get_field(self.field_name).attname
        page = self.queryset.order_by().filter(**{f"{self.field_name}__in": ids})  # in rank order below, not SQL's
        by_id = {getattr(obj, attname): obj for obj in page}
        return [by_id[pk] for pk in ids if pk in by_id]


def search(
    queryset: QuerySet, query: str, field_name: str = "pk", tokens: list[str] | None = None
) -> SearchResults | QuerySet:
    """`queryset` narrowed to the practices matching `query`, in rank order; unchanged for an empty query.

    `field_name` names the queryset's field that holds the practice's id ("pk" for practices, "practice" for
    batch entries). `tokens` (see facets()) replace the queryset's filters in deciding what matches: the caller
    vouches that they say the same.
    """
    terms = parse_query(query or "")
    if not terms or queryset.query.is_empty():
        return queryset
    return SearchResults(queryset, terms, field_name, tokens)


def matching(queryset: QuerySet, query: str, field_name: str = "pk") -> QuerySet:
    """`queryset` narrowed to the matches of `query`, order unchanged: for lists grouped some other way."""
    terms = parse_query(query or "")
    if not terms:
        return queryset
    sql, params = backend().ids_sql(terms)
    return queryset.filter(**{f"{field_name}__in": RawSQL(sql, params)})


class Faceted:
    """A filtered list for Django's Paginator, counted by the facets the index keeps (count_sql()): len() is the
    capped count, a slice the queryset's rows in its own order.

    The tokens (PUBLISHED and facets()'s) say what the queryset's filters say (the caller vouches, as for
    search()), and a published practice has one published entry, so the index counts the list without joining
    each of 100,000 entries to its practice and batch. The page itself is the queryset's: its order needs no
    count.
    """

    def __init__(self, queryset: QuerySet, tokens: list[str]):
        self.queryset, self.tokens = queryset, tokens

    @cached_property
    def _seen(self) -> int:
        sql, params = backend().count_sql(self.tokens, CAP + 1)
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchone()[0]

    @property
    def capped(self) -> bool:
        return self._seen > CAP

    def __len__(self) -> int:
        return min(self._seen, CAP)

    def __getitem__(self, index):
        return self.queryset[index]


@dataclass(frozen=True)
class Hit:
    """What a result shows of itself: its title and a snippet, cut into plain and highlighted fragments."""

    title: list[Fragment]
    snippet: list[Fragment]


def hits(objects: Iterable, terms: list[Term], *, text=("summary", "body")) -> None:
    """Give each object a .hit: its title highlighted, and a snippet of the first of `text` that has a hit."""
    for obj in objects:
        for name in text:
            source = getattr(obj, name) or ""
            at = hit_at(source, terms)
            if at is not None:
                shown = snippet(source, terms, at=at)
                break
        else:  # a hit in the title only: the beginning of the first field that has text (it has no hit to mark)
            shown = snippet(next((getattr(obj, name) for name in text if getattr(obj, name)), ""), [])
        obj.hit = Hit(title=snippet(obj.title, terms, width=max(len(obj.title), 1)), snippet=shown)


# ---------------------------------------------------------------------------------------------------------------
# Keeping the index current on single saves (within deferred(), once at its end); bulk writes call
# index_practices() themselves.

_deferred: ContextVar[set[int] | None] = ContextVar("search_deferred", default=None)


@contextmanager
def deferred():
    """A transaction in which saves and deletes only note which practices they touch; at its end each is indexed
    once, inside it.

    For writes that save a practice and then its entry, many times over (an imported announcement): without it,
    each item would be indexed twice. If the block fails, it rolls back and nothing is indexed.
    """
    if _deferred.get() is not None:  # already inside one: the outer block indexes
        yield
        return
    touched: set[int] = set()
    with transaction.atomic():
        token = _deferred.set(touched)
        try:
            yield
        finally:
            _deferred.reset(token)
        index_practices(touched)


def _touched(ids: Iterable[int]):
    pending = _deferred.get()
    if pending is None:
        index_practices(ids)
    else:
        pending.update(ids)


def _practice_written(sender, instance, raw=False, **kwargs):
    """Saved or deleted: index_practices() rewrites the row, or removes it for a practice that is gone (now, or
    at the end of deferred())."""
    if not raw:
        _touched([instance.pk])


def _entry_written(sender, instance, raw=False, **kwargs):
    if not raw:
        _touched([instance.practice_id])


def _batch_saved(sender, instance, raw=False, update_fields=None, **kwargs):
    """A batch saved as published (in the admin, say): its entries gain their facets. batch_publish() indexes
    its entries itself and saves only the title and lead afterwards."""
    if raw or instance.status != "published" or (update_fields is not None and "status" not in update_fields):
        return
    _touched(instance.entries.values_list("practice_id", flat=True))


def connect_signals():
    from django.db.models.signals import post_delete, post_save

    from reviews.models import Batch, BatchEntry

    from .models import Practice

    post_save.connect(_batch_saved, sender=Batch, dispatch_uid="search_batch_saved")
    post_save.connect(_practice_written, sender=Practice, dispatch_uid="search_practice_saved")
    post_delete.connect(_practice_written, sender=Practice, dispatch_uid="search_practice_deleted")
    post_save.connect(_entry_written, sender=BatchEntry, dispatch_uid="search_entry_saved")
    post_delete.connect(_entry_written, sender=BatchEntry, dispatch_uid="search_entry_deleted")
