"""python -m bench.backup: time `backup` and `restore` (with its verification) at 100,000 practices and 1 GB of
attachments, on SQLite and on PostgreSQL; the target is a backup within 2 minutes.

Each database is filled and measured by this module with --one, in a process of its own (DATABASE_URL and
MEDIA_ROOT are read at start-up), in a throwaway folder under BENCH_TMP (default: the system's): `synth_practices`
and `synth_adoptions` (three rows of the 台账 per practice, as bench/measure.py), then attachment files of random
bytes (incompressible, as PDFs and photos are) of 200 KB to 5 MB, each with its Attachment row, up to 1 GB. The
backup is timed, the database dropped (no table left) and the files deleted, and the restore into that empty
database timed, phase by phase: reading and checking the archive, the database, the media files, verification.

PostgreSQL is the database BENCH_BACKUP_DATABASE_URL names (created, and dropped at the end: its name must begin
with "bench"), or else a throwaway PostgreSQL 15 cluster started here as bench/run.py does. BENCH_DATABASES
(default "sqlite postgresql"), BENCH_BACKUP_PRACTICES (default 100000) and BENCH_BACKUP_MEDIA_MB (default 1024)
narrow or widen a run. Everything it wrote is removed at the end.
"""

import contextlib
import json
import os
import random
import secrets
import shutil
import sys
import tempfile
import time
from pathlib import Path

from bench.run import ROOT, one_shot, postgres_server

TARGET_SECONDS = 120.0
PRACTICES = int(os.environ.get("BENCH_BACKUP_PRACTICES", "100000"))
MEDIA_BYTES = int(os.environ.get("BENCH_BACKUP_MEDIA_MB", "1024")) * 1024 * 1024
ADOPTIONS_PER_PRACTICE = 3
SMALLEST, LARGEST = 200 * 1024, 5 * 1024 * 1024


def main():
    databases = os.environ.get("BENCH_DATABASES", "sqlite postgresql").split()
    results = []
    with contextlib.ExitStack() as stack:
        if "sqlite" in databases:
            work = stack.enter_context(throwaway_folder())
            results.append(measure_in_a_process(f"sqlite:///{work / 'bench.sqlite3'}", work))
        if "postgresql" in databases:
            url = stack.enter_context(postgres_database())
            if url:
                results.append(measure_in_a_process(url, stack.enter_context(throwaway_folder())))
    if not results:
        raise SystemExit("bench: nothing measured")
    print(table(results))


@contextlib.contextmanager
def throwaway_folder():
    folder = Path(tempfile.mkdtemp(prefix="bizenv-bench-backup.", dir=os.environ.get("BENCH_TMP")))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@contextlib.contextmanager
def postgres_database():
    """The URL of an empty PostgreSQL database that is dropped afterwards, or None (said why)."""
    given = os.environ.get("BENCH_BACKUP_DATABASE_URL")
    if given:
        if not given.rsplit("/", 1)[1].startswith("bench"):
            raise SystemExit("bench: BENCH_BACKUP_DATABASE_URL must name a database called bench…: it is dropped")
        server = contextlib.nullcontext(given.rsplit("/", 1)[0])
        name = given.rsplit("/", 1)[1]
    else:
        server = postgres_server()
        name = "bench_backup"
    with server as prefix:
        if prefix is None:
            yield None
            return
        url = f"{prefix}/{name}"
        recreate_database(url)
        try:
            yield url
        finally:
            drop_database(url)


def recreate_database(url: str):
    drop_database(url)
    on_server(url, f"CREATE DATABASE {url.rsplit('/', 1)[1]}")


def drop_database(url: str):
    on_server(url, f"DROP DATABASE IF EXISTS {url.rsplit('/', 1)[1]} WITH (FORCE)")


def on_server(url: str, statement: str):
    import psycopg

    with psycopg.connect(f"{url.rsplit('/', 1)[0]}/postgres", autocommit=True) as connection:
        connection.execute(statement)


def measure_in_a_process(database_url: str, work: Path) -> dict:
    engine = database_url.split(":", 1)[0]
    print(
        f"bench: {engine}: filling {PRACTICES:,} practices and {MEDIA_BYTES / 2**20:,.0f} MB of files …",
        file=sys.stderr,
    )
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "MEDIA_ROOT": str(work / "media"),
        "DEBUG": "0",  # production settings: no query log while filling
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "localhost",
        "PYTHONPATH": str(ROOT),
    }
    return one_shot("bench.backup", str(work), env=env, failure=f"the {engine} run")


def table(results: list[dict]) -> str:
    lines = []
    for r in results:
        restore = r["restore_seconds"]
        lines += [
            f"# {r['engine']}: {r['practices']:,} practices, {r['rows']:,} rows in {r['tables']} tables, "
            f"{r['files']:,} files of {r['media_bytes'] / 2**30:.2f} GB; filled in {r['fill_seconds']:.0f} s",
            f"backup   {r['backup_seconds']:6.1f} s  archive {r['archive_bytes'] / 2**30:.2f} GB "
            f"(database {r['database_bytes'] / 2**20:.0f} MB)  {r['backup_seconds'] / TARGET_SECONDS:.0%} of the "
            f"2-minute target {'✓' if r['backup_seconds'] <= TARGET_SECONDS else '✗'}",
            f"restore  {sum(restore.values()):6.1f} s  (read and check {restore['read']:.1f}, "
            f"database {restore['database']:.1f}, media {restore['media']:.1f}, verify {restore['verify']:.1f})",
        ]
    return "\n".join(lines)


# ---------------------------------------------------------------------------------------------------------------
# One database, in its own process


def one(work: Path):
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")
    django.setup()
    from django.core.management import call_command
    from django.db import connection, connections

    from bizenv import backups

    def say(text: str):
        print(f"bench: {connection.vendor}: {text}", file=sys.stderr, flush=True)

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    call_command("synth_practices", PRACTICES, stdout=sys.stderr)
    call_command("synth_adoptions", ADOPTIONS_PER_PRACTICE * PRACTICES, stdout=sys.stderr)
    files = write_attachments(Path(backups.media_root()))
    fill_seconds = time.perf_counter() - started
    os.sync()  # the fill's writes land before the backup is timed

    say("backup …")
    made = backups.backup(output=work / "bench.tar")
    say(f"backup: {made.seconds:.1f} s")
    database_bytes = manifest_database_size(made.path)

    connections.close_all()
    if connection.vendor == "postgresql":
        recreate_database(os.environ["DATABASE_URL"])
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(connection.settings_dict["NAME"] + suffix).unlink(missing_ok=True)
    shutil.rmtree(backups.media_root())
    os.sync()

    say("restore …")
    restored = backups.restore(path=made.path)
    say(f"restore: {sum(restored.seconds.values()):.1f} s")
    print(
        json.dumps(
            {
                "engine": connection.vendor,
                "practices": PRACTICES,
                "tables": len(made.contents.tables),
                "rows": made.contents.rows,
                "files": files,
                "media_bytes": made.contents.bytes,
                "archive_bytes": made.size,
                "database_bytes": database_bytes,
                "fill_seconds": fill_seconds,
                "backup_seconds": made.seconds,
                "restore_seconds": restored.seconds,
            }
        )
    )


def write_attachments(root: Path) -> int:
    """Files of random bytes, 200 KB to 5 MB (evenly on a log scale), up to MEDIA_BYTES, each with its row."""
    import hashlib

    from practices.models import Attachment, Practice

    rng = random.Random(MEDIA_BYTES)
    ids = list(Practice.objects.order_by("?").values_list("pk", flat=True)[:2000])
    rows, written = [], 0
    while written < MEDIA_BYTES:
        size = min(int(SMALLEST * (LARGEST / SMALLEST) ** rng.random()), MEDIA_BYTES - written)
        practice = rng.choice(ids)
        name = f"attachments/{practice}/{secrets.token_hex(16)}"
        data = os.urandom(size)
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
        rows.append(
            Attachment(
                practice_id=practice,
                file=name,
                original_name=f"材料{len(rows) + 1}.pdf",
                content_type="application/pdf",
                size=size,
                sha256=hashlib.sha256(data).hexdigest(),
            )
        )
        written += size
    Attachment.objects.bulk_create(rows)
    return len(rows)


def manifest_database_size(path: Path) -> int:
    import tarfile

    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())["database"]["size"]


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one"]:
        one(Path(sys.argv[2]))
    else:
        main()
