"""The count of writes to the database: what the signed-in pages kept whole are checked against
(bizenv/web/userpages.py).

Every statement that changes rows or tables through Django's connections counts, whatever made it: a model's save()
or delete(), a queryset's update() or bulk_create(), a migration, raw SQL through connection.cursor(). An execute
wrapper on each connection (the first, installed as it opens) looks at each statement: an INSERT, UPDATE, DELETE,
REPLACE or MERGE (a data-modifying WITH included) that changed at least one row, and any TRUNCATE, CREATE, ALTER or
DROP, raise the count, unless they wrote only a table no kept page shows (NOT_SHOWN: sessions, sign-in attempts,
the mail outbox; and the table of a database cache). A write hidden in a function called by a SELECT (PostgreSQL's
search index, practices/search/postgres.py) raises it with counted().

How the count is raised keeps it from ever running behind what a reader can see:

- SQLite: a row of WriteCount, updated in the writer's own transaction: readers see the new count exactly when they
  see the new rows. SQLite has one writer at a time, so the row is no point of contention. (A write outside a
  transaction is counted just after it commits.)
- PostgreSQL: a sequence, advanced at once (nextval() is not transactional, so it takes no lock and cannot
  deadlock writers that lock rows in different orders) and again once the transaction commits. A page rendered in
  between, from rows not yet committed, is kept under a count that the commit has already left behind.

The count's own statements go to the driver's cursor (on_driver()), in the same transaction: they are not the work
of the code that wrote (a test's exact count of queries leaves them out), and they pass no wrapper again.

A write made outside the application (psql, a restored file) is not counted: kept pages then last at most
KEPT_SECONDS (a restore clears the cache).
"""

import logging
import re

from django.conf import settings
from django.db import OperationalError, connection, transaction

logger = logging.getLogger(__name__)
SEQUENCE = "bizenv_writes"
KEPT_SECONDS = 300  # how long a kept page lasts (bizenv/web/userpages.py), whatever the count says
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
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|REPLACE\s+INTO|UPDATE|DELETE\s+FROM|MERGE\s+INTO)\s+(?:ONLY\s+)?\"?([\w.]+)\"?",
    re.IGNORECASE,
)
SCHEMA = re.compile(r"\s*(?:TRUNCATE|CREATE|ALTER|DROP)\b", re.IGNORECASE)
DATA_MODIFYING_WITH = re.compile(r"[(\s](?:INSERT|UPDATE|DELETE)\s", re.IGNORECASE)
READING = ("SELECT", "PRAGMA", "SAVEPOI", "RELEASE", "ROLLBAC", "BEGIN", "COMMIT", "SET ", "SHOW", "EXPLAIN")


def cache_tables() -> set[str]:
    """The tables of any database cache (CACHE_URL=db://…): storing a kept page is no change to what it shows."""
    return {
        config["LOCATION"]
        for config in settings.CACHES.values()
        if config.get("BACKEND", "").endswith("DatabaseCache") and config.get("LOCATION")
    }


def written_table(sql: str) -> str | None:
    """The table a writing statement writes ("" where it may be more than one, or a table's definition changes), or
    None for a statement that writes nothing."""
    head = sql.lstrip()[:7].upper()
    if head.startswith(READING):
        return None
    if head.startswith("WITH"):
        return "" if DATA_MODIFYING_WITH.search(sql) else None
    if SCHEMA.match(sql):
        return ""
    match = STATEMENT.match(sql)
    return match.group(1).rsplit(".", 1)[-1] if match else None


class WriteCounter:
    """The execute wrapper of one connection (see the module's docstring)."""

    def __init__(self, connection):
        self.connection = connection
        self.ignored = NOT_SHOWN | cache_tables()
        self.after_commit = self.advance  # one bound method, so that a transaction asks for it once

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        table = written_table(sql)
        if table is not None and table not in self.ignored and self.changed(sql, context["cursor"]):
            self.raised()
        return result

    @staticmethod
    def changed(sql: str, cursor) -> bool:
        """Whether the statement changed a row: an UPDATE or DELETE of none did not. (With RETURNING, SQLite tells
        how many only once its rows have been read; a definition's change counts whatever it reports.)"""
        return cursor.rowcount != 0 or "RETURNING" in sql.upper() or bool(SCHEMA.match(sql))

    def raised(self):
        connection = self.connection
        if connection.vendor == "postgresql":
            self.advance()
            waiting = (entry[1] for entry in connection.run_on_commit)
            if connection.in_atomic_block and not any(callback is self.after_commit for callback in waiting):
                # Robust: a callback before it that fails does not keep the count from moving.
                transaction.on_commit(self.after_commit, using=connection.alias, robust=True)
            return
        try:
            # An upsert: a flush (TransactionTestCase, `manage.py flush`) empties the table too.
            on_driver(
                connection,
                f"INSERT INTO {TABLE} (id, value) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET value = value + 1",
            )
        except OperationalError as exc:
            # Before the count's migration (or after it was undone) there is no table: SQLite fails the statement
            # alone, and nothing is kept that needs it. Outside a transaction the write has committed already, and
            # the count may wait behind another writer: past the timeout, kept pages last their SECONDS.
            if "no such table" not in str(exc):
                logger.error("a write was not counted: %s (kept pages last %s s at most)", exc, KEPT_SECONDS)

    def advance(self):
        # NULL, and no error, where there is no sequence (before its migration, or after it was undone).
        on_driver(self.connection, "SELECT nextval(to_regclass(%s))", [SEQUENCE])


def counted(connection=connection):
    """Count a write the wrapper cannot see: one made by a function a SELECT calls."""
    for wrapper in connection.execute_wrappers:
        if isinstance(wrapper, WriteCounter):
            wrapper.raised()


def install(sender, connection, **kwargs):
    """connection_created: count this connection's writes. First among its wrappers: one added later inside a
    `with connection.execute_wrapper()` block (which removes the last) leaves it in place."""
    if not any(isinstance(wrapper, WriteCounter) for wrapper in connection.execute_wrappers):
        connection.execute_wrappers.insert(0, WriteCounter(connection))


def current(connection=connection) -> int:
    """The count now, as this connection sees it."""
    if connection.vendor == "postgresql":
        return one_value(f"SELECT last_value FROM {SEQUENCE}", connection) or 0
    return one_value(f"SELECT value FROM {TABLE} WHERE id = 1", connection) or 0


def one_value(sql: str, connection=connection):
    """The first column of a statement's first row (None without one), for a counter read on every kept page:
    through the driver's own cursor, a third cheaper than Django's (81 against 118 µs on PostgreSQL,
    bench/RESULTS.md); through Django's while queries are recorded (DEBUG, a test counting them), so that it is
    counted as the query it is."""
    if connection.queries_logged:
        with connection.cursor() as cursor:
            cursor.execute(sql)
            row = cursor.fetchone()
    else:
        connection.ensure_connection()
        row = on_driver(connection, sql, fetch=True)
    return row[0] if row else None


def on_driver(connection, sql: str, params=(), *, fetch: bool = False) -> tuple | None:
    """One statement on the driver's own cursor, in the transaction Django's connection is in (no execute wrapper,
    no query recorded; params in the driver's style), and with `fetch` its first row. Its errors are Django's, and
    mark the connection as Django's own errors do."""
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            cursor.execute(sql, params) if params else cursor.execute(sql)  # no parameters, none looked for
            return cursor.fetchone() if fetch else None
        finally:
            cursor.close()
