"""Writing the index: rows for given practices, a rebuild of it all (`manage.py reindex_search`), bulk writes."""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction

from ..models import Practice
from .engines import backend
from .index import CHUNK, TABLE, document_rows
from .postgres import INDEX, PostgresTsvector


def index_practices(ids: Iterable[int]) -> int:
    """Write (or rewrite) the index rows of these practices; ids that no longer exist lose theirs."""
    ids = sorted(set(ids))
    written = 0
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        rows = document_rows(chunk)
        backend().write(chunk, rows)
        written += len(rows)
    return written


@transaction.atomic
def reindex_all() -> int:
    """Rebuild the whole index: its tables dropped and created as this code has them (on PostgreSQL, with RUM if
    the rum extension has been installed since), then every practice written, published ones with their text as
    published. Migrations create the tables as the code of their day had them; this brings them up to date."""
    engine = backend()
    with connection.cursor() as cursor:
        engine.drop(cursor)
        engine.create(cursor)
    with bulk_writes():
        ids = list(Practice.objects.order_by("pk").values_list("pk", flat=True))
        return index_practices(ids)


@contextmanager
def bulk_writes():
    """Around writing many practices at once: on PostgreSQL the index is dropped and built once, at the end.

    Written row by row, a RUM index costs a great deal more than built once from all its rows (bench/RESULTS.md,
    "Figures behind the code's choices"). Searches wait meanwhile (the table is
    locked; filtered lists are counted as they were, from the table of facets), and everything is one
    transaction: a failure leaves the index as it was. The index keeps its kind.

    On SQLite the FTS5 index is merged into one segment at the end (written in chunks, it is left in many, and
    a common term then reads them all), and the planner's statistics are
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
        rum = engine.uses_rum
        with connection.cursor() as cursor:
            cursor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        yield
        with connection.cursor() as cursor:
            engine.create_index(cursor, rum=rum)
