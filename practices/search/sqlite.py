"""The SQLite engine: an FTS5 table of the texts' pieces and the facets, the published practices in a table beside it.

FTS5 returns matches newest first (by rowid) and ranks them with bm25, the title above the summary above the body.
"""

from django.db import connection

from . import index
from .index import TABLE, counted, split_published
from .text import Term, bigrams

PUBLISHED_TABLE = "practices_searchpublished"
# bm25's column weights: title, summary, body (the facets column weighs nothing).
FTS5_WEIGHTS = (10.0, 4.0, 1.0)


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
        cannot match a facet, nor a facet a piece. A column filter made bm25 read every match's positions to weigh
        a term, which more than doubled the window of two common terms (bench/RESULTS.md).
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
            f"{self.PUBLISHED_ONLY if published else ''}{condition} ORDER BY s.rowid DESC LIMIT {index.RANK_WINDOW + 1}"
        )
        return sql, [self.match(terms, facets), *condition_params]
