"""The count of writes to the database: what the signed-in pages kept whole are checked against
(bizenv/web/userpages.py).

Every statement that changes rows through Django's connections counts, whatever wrote it: a model's save() or
delete(), a queryset's update() or bulk_create(), a migration, raw SQL through connection.cursor(). An execute
wrapper on each connection (installed as it opens) looks at the statement after it ran: an INSERT, UPDATE, DELETE
or REPLACE (a data-modifying WITH included) that changed at least one row raises the count, unless it wrote only
a table no kept page shows (NOT_SHOWN: sessions, sign-in attempts, the mail outbox, the cache's table).

How the count is raised keeps it from ever running behind what a reader can see:

- SQLite: a row of WriteCount, updated in the writer's own transaction: readers see the new count exactly when they
  see the new rows (SQLite has one writer at a time, so the row is no point of contention).
- PostgreSQL: a sequence, advanced at once (nextval() is not transactional, so it takes no lock and cannot
  deadlock writers that lock rows in different orders) and again once the transaction commits. A page rendered in
  between, from rows not yet committed, is kept under a count that the commit has already left behind.

A write made outside the application (psql, a restored file) is not counted: kept pages then last at most
userpages.SECONDS.
"""

import re
import sqlite3
from contextlib import contextmanager, suppress
from contextvars import ContextVar

from django.conf import settings
from django.db import connection, transaction

SEQUENCE = "bizenv_writes"
TABLE = "bizenv_writecount"
# Tables whose rows no kept page shows; their writes do not count.
NOT_SHOWN = {
    TABLE,
    "django_session",
    "axes_accessattempt",
    "axes_accesslog",
    "axes_accessfailurelog",
    "bizenv_outboxmail",
}
STATEMENT = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM)\s+\"?([\w.]+)\"?", re.IGNORECASE
)
DATA_MODIFYING_WITH = re.compile(r"[(\s](?:INSERT|UPDATE|DELETE)\s", re.IGNORECASE)


def cache_tables() -> set[str]:
    """The tables of any database cache (CACHE_URL=db://…): storing a kept page is no change to what it shows."""
    return {
        config["LOCATION"]
        for config in settings.CACHES.values()
        if config.get("BACKEND", "").endswith("DatabaseCache") and config.get("LOCATION")
    }


def written_table(sql: str) -> str | None:
    """The table a writing statement writes ("" for a data-modifying WITH: more than one may be), or None for a
    statement that writes nothing."""
    head = sql.lstrip()[:7].upper()
    if head.startswith(("SELECT", "PRAGMA", "SAVEPOI", "RELEASE", "ROLLBAC", "BEGIN", "COMMIT", "SET ", "SHOW")):
        return None
    if head.startswith("WITH"):
        return "" if DATA_MODIFYING_WITH.search(sql) else None
    match = STATEMENT.match(sql)
    return match.group(1).rsplit(".", 1)[-1] if match else None


class WriteCounter:
    """The execute wrapper of one connection (see the module's docstring).

    The count's own statements go to the driver's connection, in the same transaction: they are not the work of
    the code that wrote (a test's exact count of queries leaves them out) and they pass no wrapper again."""

    def __init__(self, connection):
        self.connection = connection
        self.ignored = NOT_SHOWN | cache_tables()
        self.after_commit = self.advance  # one bound method, so that a transaction asks for it once

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if _paused.get():
            return result
        table = written_table(sql)
        if table is not None and table not in self.ignored and self.changed(sql, context["cursor"]):
            self.raised()
        return result

    @staticmethod
    def changed(sql: str, cursor) -> bool:
        """Whether the statement changed a row: an UPDATE or DELETE of none did not. (With RETURNING, SQLite tells
        how many only once its rows have been read.)"""
        return cursor.rowcount != 0 or "RETURNING" in sql.upper()

    def driver(self, sql: str, params=()) -> tuple | None:
        """One statement on the driver's own connection (the transaction Django's is in)."""
        cursor = self.connection.connection.cursor()
        try:
            cursor.execute(sql, params)
            return cursor.fetchone() if cursor.description else None
        finally:
            cursor.close()

    def raised(self):
        connection = self.connection
        if connection.vendor == "postgresql":
            self.advance()
            waiting = (entry[1] for entry in connection.run_on_commit)
            if connection.in_atomic_block and not any(callback is self.after_commit for callback in waiting):
                transaction.on_commit(self.after_commit, using=connection.alias)
        else:
            # An upsert: a flush (TransactionTestCase, `manage.py flush`) empties the table too. Before the count's
            # migration (or after it was undone) there is no table: SQLite fails the statement alone.
            with suppress(sqlite3.OperationalError):
                self.driver(
                    f"INSERT INTO {TABLE} (id, value) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET value = value + 1"
                )

    def advance(self):
        # NULL, and no error, where there is no sequence (before its migration, or after it was undone).
        self.driver("SELECT nextval(to_regclass(%s))", [SEQUENCE])


@contextmanager
def paused():
    """Writes within are not counted: a restore, which brings back the archive's count with its rows (and clears
    the cache of kept pages)."""
    token = _paused.set(True)
    try:
        yield
    finally:
        _paused.reset(token)


_paused: ContextVar[bool] = ContextVar("bizenv_writes_paused", default=False)


def install(sender, connection, **kwargs):
    """connection_created: count this connection's writes."""
    if not any(isinstance(wrapper, WriteCounter) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.append(WriteCounter(connection))


def current(connection=connection) -> int:
    """The count now, as this connection sees it."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT last_value FROM {SEQUENCE}")
        else:
            cursor.execute(f"SELECT value FROM {TABLE} WHERE id = 1")
        row = cursor.fetchone()
    return row[0] if row else 0
