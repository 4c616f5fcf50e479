"""The database's half of a backup and a restore, for SQLite and for PostgreSQL.

`dump(target)` writes a consistent copy of the live database and returns what it holds, read from the copy itself
(or inside pg_dump's snapshot); `load(source, manifest, work)` replaces the live database with a copy, at once:
nothing changes unless every table's rows are the manifest's.
"""

import os
import re
import shutil
import sqlite3
import subprocess
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext as _

from .archive import CHUNK, IDENTIFIER, BackupError


@dataclass
class Snapshot:
    """What a copy of the database holds: every table's rows, each app's latest migration, and the vendor's own."""

    tables: dict[str, int]
    migrations: dict[str, str]
    about: dict


def current_database():
    """The vendor's half of backup and restore, for the default database."""
    for kind in (SQLiteDatabase, PostgresDatabase):
        if connection.vendor == kind.vendor:
            return kind()
    raise BackupError(_("不支持备份 %(vendor)s 数据库。") % {"vendor": connection.vendor})


def table_counts(cursor, vendor: str) -> dict[str, int]:
    """Every table's row count: all of SQLite's tables (FTS5's included), or the tables of PostgreSQL's current
    schema (a partitioned table counted once, with its partitions)."""
    if vendor == "sqlite":
        cursor.execute(r"SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\_%' ESCAPE '\'")
        tables = {name: quote(name) for (name,) in cursor.fetchall()}
    else:
        cursor.execute(
            "SELECT c.relname, current_schema() FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace"
            " AND c.relkind IN ('r', 'p') AND NOT c.relispartition"
        )
        tables = {name: f"{quote(schema)}.{quote(name)}" for name, schema in cursor.fetchall()}
    counts = {}
    for name, table in sorted(tables.items()):
        cursor.execute(f"SELECT count(*) FROM {table}")
        counts[name] = cursor.fetchone()[0]
    return counts


def count_differences(expected: dict[str, int], found: dict[str, int]) -> str:
    """'table: expected → found' for each table whose rows differ from the manifest's; empty when none does."""
    return "; ".join(
        f"{name}: {expected.get(name, '—')} → {found.get(name, '—')}"
        for name in sorted(set(expected) | set(found))
        if expected.get(name) != found.get(name)
    )


def latest_migrations(cursor, tables: dict[str, int]) -> dict[str, str]:
    """The latest applied migration of each app, as django_migrations records them."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY applied, id")
    return dict(cursor.fetchall())


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


class SQLiteDatabase:
    """A copy through SQLite's online backup API, consistent while the site writes; never a copy of the file."""

    vendor = "sqlite"
    member = "database.sqlite3"

    def dump(self, target: Path) -> Snapshot:
        if connection.is_in_memory_db():
            raise BackupError(_("内存中的 SQLite 数据库无法备份。"))
        connection.ensure_connection()
        with closing(sqlite3.connect(target)) as copy:
            connection.connection.backup(copy)
            tables = table_counts(copy.cursor(), self.vendor)
            migrations = latest_migrations(copy.cursor(), tables)
        return Snapshot(tables, migrations, {"server_version": sqlite3.sqlite_version})

    def load(self, source: Path, manifest: dict, work: Path):
        """Check the copy (SQLite's quick_check) and hold its rows against the manifest, then copy it over the live
        database through the backup API (one transaction of the live database's)."""
        with closing(sqlite3.connect(source)) as copy:
            try:
                # The structure only: the CHECK constraints call functions that only Django's connections have.
                copy.execute("PRAGMA ignore_check_constraints = ON")
                problems = [row[0] for row in copy.execute("PRAGMA quick_check")]
                counts = table_counts(copy.cursor(), self.vendor) if problems == ["ok"] else {}
            except sqlite3.DatabaseError as exc:
                problems = [str(exc)]
            if problems != ["ok"]:
                raise BackupError(
                    _("备份中的数据库已损坏，未做任何改动：%(problems)s") % {"problems": "; ".join(problems[:5])}
                )
            wrong = count_differences(manifest["tables"], counts)
            if wrong:
                raise BackupError(_("行数与清单不符，未做任何改动：%(tables)s") % {"tables": wrong})
            connections.close_all()
            live = connection.settings_dict["NAME"]
            timeout = connection.settings_dict.get("OPTIONS", {}).get("timeout", 20)
            try:
                with closing(sqlite3.connect(live, timeout=timeout)) as target:
                    copy.backup(target)
            except sqlite3.Error as exc:
                raise BackupError(_("恢复数据库失败，数据库未改动：%(error)s") % {"error": exc}) from exc


# Everything in the schema but what extensions own, so that the restored schema holds what the dump holds and
# nothing more. (pg_restore --clean drops only what the dump holds, and stumbles on partitions' constraints.)
DROP_SCHEMA_OBJECTS = """
DO $drop$ DECLARE statement text; BEGIN
FOR statement IN
    SELECT format('DROP %s IF EXISTS %I.%I CASCADE', CASE c.relkind WHEN 'v' THEN 'VIEW'
        WHEN 'm' THEN 'MATERIALIZED VIEW' WHEN 'S' THEN 'SEQUENCE' WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
        n.nspname, c.relname)
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
    WHERE n.nspname = '{schema}' AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S') AND NOT c.relispartition
        AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = c.oid
            AND d.deptype = 'e')
    ORDER BY c.relkind = 'S'  -- a table before the sequences, which it may own
LOOP EXECUTE statement; END LOOP;
FOR statement IN
    SELECT format('DROP ROUTINE IF EXISTS %I.%I(%s) CASCADE', n.nspname, p.proname,
        pg_get_function_identity_arguments(p.oid))
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = '{schema}' AND NOT EXISTS (SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_proc'::regclass AND d.objid = p.oid AND d.deptype = 'e')
LOOP EXECUTE statement; END LOOP;
FOR statement IN
    SELECT format('DROP TYPE IF EXISTS %I.%I CASCADE', n.nspname, t.typname)
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
    WHERE n.nspname = '{schema}' AND t.typtype IN ('e', 'd') AND NOT EXISTS (SELECT 1 FROM pg_depend d
        WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
LOOP EXECUTE statement; END LOOP;
END $drop$;
"""


class PostgresDatabase:
    """pg_dump's custom format of the current schema, read inside the snapshot the row counts are taken in;
    pg_restore's script run by psql as one transaction, which checks the counts before it commits."""

    vendor = "postgresql"
    member = "database.pgdump"

    def program(self, name: str) -> str:
        """PG_BIN's, else Debian's of the server's major version, else the one on PATH. pg_dump refuses a server
        newer than itself: an older program is refused here, saying how to choose another."""
        server = connection.pg_version // 10000
        if settings.PG_BIN:
            candidates = [Path(settings.PG_BIN) / name]
        else:
            candidates = [Path(f"/usr/lib/postgresql/{server}/bin/{name}"), Path(shutil.which(name) or name)]
        found = next((str(path) for path in candidates if path.is_file() and os.access(path, os.X_OK)), None)
        if found is None:
            raise BackupError(
                _("找不到 PostgreSQL 的 %(name)s：请安装 PostgreSQL %(version)d 的客户端程序，或用 PG_BIN 指定其目录。")
                % {"name": name, "version": server}
            )
        answer = subprocess.run([found, "--version"], capture_output=True, text=True, check=False).stdout.strip()
        version = re.search(r"\)\s+(\d+)", answer)
        if version is None or int(version.group(1)) < server:
            raise BackupError(
                _("%(program)s（%(answer)s）比数据库服务器（PostgreSQL %(version)d）旧：请用 PG_BIN 指定新版本的目录。")
                % {"program": found, "answer": answer, "version": server}
            )
        return found

    def environment(self) -> dict[str, str]:
        """The connection's settings as libpq's variables: the password is never on a command line."""
        settings_dict = connection.settings_dict
        _args, env = connection.client.settings_to_cmd_args_env(settings_dict, [])
        env = {**os.environ, **(env or {}), "PGCLIENTENCODING": "UTF8"}
        for variable, key in [("PGHOST", "HOST"), ("PGPORT", "PORT"), ("PGUSER", "USER"), ("PGDATABASE", "NAME")]:
            if settings_dict.get(key):
                env[variable] = str(settings_dict[key])
        return env

    def dump(self, target: Path) -> Snapshot:
        pg_dump = self.program("pg_dump")
        raw = connection.Database.connect(**connection.get_connection_params())
        try:
            with raw.cursor() as cursor:
                # pg_dump reads in the snapshot this transaction exports: the counts are the dump's.
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SELECT pg_export_snapshot(), current_schema(), current_setting('server_version')")
                snapshot, schema, server_version = cursor.fetchone()
                if not IDENTIFIER.match(schema or ""):
                    raise BackupError(_("不支持备份名为“%(schema)s”的模式。") % {"schema": schema})
                # The fastest compression: pg_dump's default took 3.6 times as long for 14 % less (bench/RESULTS.md).
                command = [pg_dump, "--format=custom", "--compress=1", f"--snapshot={snapshot}"]
                command += [f'--schema="{schema}"', f"--file={target}", "--no-password"]
                done = subprocess.run(command, env=self.environment(), capture_output=True, text=True, check=False)
                if done.returncode != 0:
                    raise BackupError(_("pg_dump 失败：%(error)s") % {"error": done.stderr.strip()})
                tables = table_counts(cursor, self.vendor)
                migrations = latest_migrations(cursor, tables)
                cursor.execute(
                    "SELECT extname, extnamespace::regnamespace::text FROM pg_extension"
                    " WHERE extname <> 'plpgsql' ORDER BY extname"
                )
                extensions = dict(cursor.fetchall())
            raw.rollback()
        finally:
            raw.close()
        return Snapshot(
            tables, migrations, {"server_version": server_version, "schema": schema, "extensions": extensions}
        )

    def load(self, source: Path, manifest: dict, work: Path):
        """In one psql transaction: the extensions the dump uses created where missing, everything of ours in the
        schema dropped, pg_restore's script (without owners or grants), then every table's rows checked. A failure
        anywhere rolls it all back."""
        schema = manifest["database"].get("schema", "")
        extensions = manifest["database"].get("extensions", {})
        if not all(IDENTIFIER.match(str(name)) for name in [schema, *extensions, *extensions.values()]):
            raise BackupError(_("清单中的模式或扩展有误，未做任何改动：%(path)s") % {"path": source})
        pg_restore, psql = self.program("pg_restore"), self.program("psql")
        env = self.environment()
        listing = subprocess.run([pg_restore, "--list", source], env=env, capture_output=True, text=True, check=False)
        if listing.returncode != 0:
            raise BackupError(_("pg_restore 读不了备份中的数据库，未做任何改动：%(error)s") % {"error": listing.stderr})
        # The schema exists already, and extensions are created (if missing) apart: dropping and creating them again
        # would need a superuser, and take them from under whatever else uses them.
        entries = work / "restore.list"
        entries.write_text(
            "".join(
                f";{line}" if re.match(r"\d+; \d+ \d+ (COMMENT - )?(EXTENSION|SCHEMA) ", line) else line
                for line in listing.stdout.splitlines(keepends=True)
            )
        )
        # A site still running holds locks on its tables: better a clear refusal than waiting for them for ever.
        before = "SET client_min_messages = warning; SET lock_timeout = '10s';\n" + "".join(
            f"CREATE EXTENSION IF NOT EXISTS {quote(name)} WITH SCHEMA {quote(where)};\n"
            for name, where in extensions.items()
        )
        before += DROP_SCHEMA_OBJECTS.replace("{schema}", schema)
        restore = [pg_restore, "--no-owner", "--no-privileges", f"--use-list={entries}", "--file=-", str(source)]
        run_sql = [psql, "-X", "-q", "--no-password", "-v", "ON_ERROR_STOP=1", "--single-transaction"]
        run_sql += ["-c", before, "-f", "-", "-c", count_check(manifest["tables"], schema)]
        with (
            open(work / "pg_restore.txt", "w+", encoding="utf-8", errors="replace") as restore_errors,
            open(work / "psql.txt", "w+", encoding="utf-8", errors="replace") as psql_errors,
        ):
            writer = subprocess.Popen(restore, stdout=subprocess.PIPE, stderr=restore_errors, env=env)
            reader = subprocess.Popen(
                run_sql, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=psql_errors, env=env
            )
            failed = pipe(writer, reader)
            restore_errors.seek(0)
            psql_errors.seek(0)
            if failed == "pg_restore":
                error = restore_errors.read().strip()[-2000:]
                raise BackupError(_("pg_restore 失败，数据库未改动：%(error)s") % {"error": error})
            if failed == "psql":
                error = psql_errors.read().strip()
                if "bizenv-count-mismatch:" in error:
                    wrong = error.split("bizenv-count-mismatch:", 1)[1].splitlines()[0].strip()
                    raise BackupError(_("行数与清单不符，数据库未改动：%(tables)s") % {"tables": wrong})
                if "lock timeout" in error:
                    raise BackupError(_("数据库正在被使用（表被锁住），数据库未改动：请先停止网站和其他连接，再恢复。"))
                raise BackupError(_("恢复数据库失败，数据库未改动：%(error)s") % {"error": error[-2000:]})
        connections.close_all()  # the tables are new ones: no connection keeps anything of the old


def pipe(writer: subprocess.Popen, reader: subprocess.Popen) -> str | None:
    """pg_restore's script into psql; which of them failed, if one did. psql commits when its input ends, so its
    input ends only if pg_restore succeeded: otherwise psql is killed first, and the server rolls back."""
    try:
        shutil.copyfileobj(writer.stdout, reader.stdin, CHUNK)
    except BrokenPipeError:  # psql stopped at an error (and rolled back): pg_restore need not go on
        writer.kill()
        writer.stdout.close()
        writer.wait()
        reader.wait()
        return "psql"
    writer.stdout.close()
    if writer.wait() != 0:
        reader.kill()
        reader.wait()
        return "pg_restore"
    with suppress(BrokenPipeError):
        reader.stdin.close()
    return "psql" if reader.wait() != 0 else None


def count_check(tables: dict[str, int], schema: str) -> str:
    """A DO block that fails, naming the tables, unless every table has the manifest's rows."""
    checks = "".join(
        f"SELECT count(*) INTO found FROM {quote(schema)}.{quote(name)};\n"
        f"IF found <> {rows} THEN wrong := wrong || '{name}: {rows} → ' || found || '; '; END IF;\n"
        for name, rows in sorted(tables.items())
    )
    return (
        "DO $check$ DECLARE found bigint; wrong text := ''; BEGIN\n"
        f"{checks}"
        "IF wrong <> '' THEN RAISE EXCEPTION 'bizenv-count-mismatch: %', rtrim(wrong, '; '); END IF;\n"
        "END $check$;"
    )
