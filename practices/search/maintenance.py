"""Writing the index: rows for given practices, those pending (SearchPending), a rebuild of it all
(`manage.py reindex_search`), bulk writes."""

from collections.abc import Iterable
from contextlib import contextmanager

from django.db import connection, transaction

from ..models import Practice, SearchPending
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


def index_pending(ids: Iterable[int] | None = None) -> int:
    """Write the rows of practices pending in SearchPending and take them off it, in one transaction: these ones
    (those of them still pending), or else the first CHUNK. Returns how many were taken.

    Pending ids another transaction is taking meanwhile (the worker's pass and a request's work after the response)
    are skipped on PostgreSQL, not waited for; SQLite has one writer at a time anyway."""
    with transaction.atomic():
        pending = SearchPending.objects.select_for_update(skip_locked=True).order_by("pk")
        pending = pending.filter(pk__in=list(ids)) if ids is not None else pending[:CHUNK]
        taken = list(pending.values_list("pk", flat=True))
        if taken:
            index_practices(taken)
            SearchPending.objects.filter(pk__in=taken).delete()
        return len(taken)


@transaction.atomic
def reindex_all() -> int:
    """Rebuild the whole index: its tables dropped and created as this code has them (on PostgreSQL, with RUM if
    the rum extension has been installed since), then every practice written, published ones with their text as
    published; nothing is left pending. Migrations create the tables as the code of their day had them; this
    brings them up to date."""
    engine = backend()
    # Emptied before the practices are read: every practice pending until now is among them, and one noted from
    # now on stays pending (indexed twice at worst, never missed).
    SearchPending.objects.all().delete()
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
