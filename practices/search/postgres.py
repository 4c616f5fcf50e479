"""The PostgreSQL engine: a tsvector of the texts' pieces in a table partitioned into segments of practice ids, with
a RUM index (GIN where the rum extension is missing), and a table of the published practices' facets.

Its DDL and functions are in postgres.sql beside this module, read by name (sql()).
"""

import re
from functools import cache
from pathlib import Path

from django.db import connection, transaction

from bizenv import writes

from . import index
from .index import LONG, TABLE, counted, facet_columns, split_published
from .text import Term, bigrams

FACETS_TABLE = "practices_searchfacets"
FACETS_TABLE_COLUMNS = ("city", "indicator", "year", "sequence")  # as postgres.sql's create_facets has them
INDEX = "practices_searchindex_document"
WINDOW_FUNCTION = "bizenv_search_window"
IDS_FUNCTION = "bizenv_search_ids"
WRITE_FUNCTION = "bizenv_search_write"
# Practice ids per segment. Segments are named and bounded by it: changing it means rebuilding the table.
SEGMENT = 10_000
# A document stays in its row up to this many bytes (the most a page holds), not in TOAST's chunks of 2 kB.
TOAST_TARGET = 8160
NEWEST = 2**53  # RUM's distances are float8, exact up to here (from 2**63, ids tied in blocks of about 1,024)
# ts_rank's weights for D, C, B, A: title A, summary B, body C.
PG_WEIGHTS = "{0.1, 0.25, 0.5, 1.0}"
# Inside the functions with RUM: only the ordered index scan, enough memory to sort a segment's matches in, and no
# parallel workers (see postgres.sql).
RUM_SETTINGS = (
    "SET enable_bitmapscan = off SET enable_seqscan = off SET enable_sort = off SET work_mem = '64MB'"
    " SET max_parallel_workers_per_gather = 0"
)
SQL_FILE = Path(__file__).with_name("postgres.sql")
_PLACEHOLDER = re.compile(r"\{\{(\w+)\}\}")


@cache
def _blocks() -> dict[str, str]:
    text = SQL_FILE.read_text(encoding="utf-8")
    parts = re.split(r"^-- name: (\w+)\n", text, flags=re.M)
    return {name: body.strip() for name, body in zip(parts[1::2], parts[2::2], strict=True)}


def sql(name: str, **values) -> str:
    """The block of postgres.sql called `name`, its {{placeholders}} filled from this module's constants and
    `values`."""
    known = {
        "table": TABLE,
        "facets_table": FACETS_TABLE,
        "index": INDEX,
        "window_function": WINDOW_FUNCTION,
        "ids_function": IDS_FUNCTION,
        "write_function": WRITE_FUNCTION,
        "segment": SEGMENT,
        "toast_target": TOAST_TARGET,
        "weights": PG_WEIGHTS,
        **values,
    }
    return _PLACEHOLDER.sub(lambda match: str(known[match.group(1)]), _blocks()[name])


def search_functions(use_rum: bool) -> str:
    """The window and probe functions for the kind of index there is."""
    return sql("search_functions", settings=RUM_SETTINGS if use_rum else "", newest_first=newest_first(use_rum))


def newest_first(rum: bool) -> str:
    """ORDER BY for the newest matches first: RUM orders by the rowid attached in the index (its distance to
    NEWEST); GIN sorts."""
    return f"s.rowid <=| {NEWEST}" if rum else "s.rowid DESC"


_uses_rum: dict[str, bool] = {}


class PostgresTsvector:
    """A tsvector of our own pieces, written as a literal (no parser, so no locale can split them differently).

    The table is partitioned by practice id into segments of SEGMENT practices, each with its own RUM (or GIN)
    index, and the window is read from the newest practices back until it is full: the newest 10,000, then
    the 20,000 before them, then 40,000, and so on (the planner merges the ordered scans of the segments a
    stretch touches). A common piece then costs what it costs among 10,000 practices, however many there are: an
    index reads a piece's whole list of practices before it returns the first one. A rare piece costs a query per
    doubling and a lookup in each segment. Segments are created as practices reach them (bizenv_search_write()).
    Whether a practice is published is a column, checked
    after the index: as a piece of the index ("#pub", in nearly every practice) it made each lookup read the list of
    all published practices.
    """

    name = "postgresql-tsvector"

    def create(self, cursor):
        cursor.execute(sql("create_table"))
        cursor.execute(sql("create_facets"))
        cursor.execute(sql("write_function"))
        self.create_index(cursor)

    def create_index(self, cursor, rum: bool | None = None):
        """RUM where the extension is (or can be) installed, else GIN; `rum=False` forces GIN. The window and probe
        functions are written to match."""
        _uses_rum.clear()
        cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        use_rum = rum is not False and self.rum_available(cursor)
        cursor.execute(sql("rum_index" if use_rum else "gin_index"))
        cursor.execute(search_functions(use_rum))

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

    def drop(self, cursor):
        cursor.execute(sql("drop"))

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
            writes.counted(connection)  # a write inside a function: no statement says so
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
        checked there after an index lookup of its pieces, a phrase's window is faster (bench/RESULTS.md).
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
                f"(%s::tsquery, %s::tsquery, %s::tsquery, %s, {index.RANK_WINDOW + 1})"
            )
            return sql, [candidates, query if exact else None, text, published]
        check = " AND (s.document @@ %s::tsquery) IS TRUE" if exact else ""
        sql = (
            f"SELECT s.rowid, -ts_rank('{PG_WEIGHTS}', s.document, %s::tsquery) FROM {TABLE} AS s"
            f" WHERE s.document @@ %s::tsquery{check}{condition} ORDER BY {newest_first(self.uses_rum)}"
            f" LIMIT {index.RANK_WINDOW + 1}"
        )
        return sql, [text, candidates, *([query] if exact else []), *condition_params]
