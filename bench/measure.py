"""Measure one database at one size: fill it with synthetic practices if needed, then time the pages.

DATABASE_URL names the database. `python -m bench.measure SIZE` measures BENCH_RUNS rounds and prints one JSON
object. bench/run.py runs it with --serve instead, one process per database and size: after the fill it prints
the pages' query counts, then times one round for each line it reads, so that run.py can take the rounds of all
its processes in turn.

Server time is the time Django takes to answer a request through its whole stack (middleware, view, template),
measured in-process with the test client, so the network and the client are not in it.
"""

import contextlib
import io
import json
import os
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bizenv.settings")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, reset_queries  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from batches.enums import BatchStatus  # noqa: E402
from batches.models import Batch  # noqa: E402
from bench.figures import RUNS, WARMUP, summary  # noqa: E402
from practices import search  # noqa: E402
from practices.models import Practice  # noqa: E402
from practices.search.postgres import PostgresTsvector  # noqa: E402


def cases() -> list[tuple[str, str]]:
    batch = Batch.objects.filter(status=BatchStatus.PUBLISHED).order_by("-year", "-sequence").first()
    middle = Practice.objects.order_by("pk").values_list("pk", flat=True)[Practice.objects.count() // 2]
    return [
        ("bare Django view", "/bench/bare/"),
        ("list", "/practices/"),
        ("filtered list", "/practices/?city=610100&year=2022"),
        ("search 纳税 (2 chars)", "/practices/?q=纳税"),
        ("search 企业 (very common)", "/practices/?q=企业"),
        ("search 营商环境 (4 chars)", "/practices/?q=营商环境"),
        ("search 企业 服务 (two terms)", "/practices/?q=企业+服务"),
        ('search "不动产登记" (phrase)', "/practices/?q=%22不动产登记%22"),
        ("search 量子计算 (no hit)", "/practices/?q=量子计算"),
        ("search 纳税, filtered", "/practices/?q=纳税&city=610100&year=2022"),
        ("announcement", f"/batches/{batch.year}/{batch.sequence}/"),
        ("practice page", f"/practices/{middle}/"),
        ("API page", "/api/v1/practices/?page=2"),
        ("API search", "/api/v1/practices/?q=获得电力"),
    ]


def queries_of(client: Client, url: str) -> int:
    """The queries one request runs (the page must answer 200), as a process that has served it before runs them:
    the cities and indicators of the list pages' selects are read once per process (bizenv.web.fast.shared_rows)."""
    client.get(url, secure=True)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def query_counts(client: Client, pages: list[tuple[str, str]]) -> dict[str, int]:
    return {name: queries_of(client, url) for name, url in pages}


def one_round(client: Client, pages: list[tuple[str, str]]) -> dict[str, float]:
    """Every page once, in milliseconds."""
    times = {}
    for name, url in pages:
        start = time.perf_counter()
        client.get(url, secure=True)
        times[name] = (time.perf_counter() - start) * 1000
    return times


def measure(client: Client, pages: list[tuple[str, str]]) -> dict:
    """p50 and p95 of each page, in rounds: each round requests every page once, so a slow spell of the machine
    falls on all pages alike instead of on whichever page was being measured."""
    counts = query_counts(client, pages)
    for _ in range(WARMUP):
        one_round(client, pages)
    return summary([one_round(client, pages) for _ in range(RUNS)], counts)


def settle():
    """Before measuring, let the writes land (a fill's, above all): PostgreSQL is vacuumed and writes its dirty
    buffers out (CHECKPOINT, where the role may), then the system flushes its own, so that the measured requests
    do not share the machine with the load's writing back."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")  # what autovacuum does after a bulk load; SQLite gets nothing of the kind
            with contextlib.suppress(DatabaseError):  # not a superuser, nor pg_checkpoint: BENCH_DATABASE_URL's
                cursor.execute("CHECKPOINT")
    os.sync()


def main(size: int, serve: bool = False):
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as production serves them
    have = Practice.objects.count()
    filled = 0.0
    if have < size:
        start = time.perf_counter()
        call_command("synth_practices", size - have, stdout=io.StringIO())
        filled = time.perf_counter() - start
    settle()
    engine = search.backend().name
    if connection.vendor == "postgresql":
        engine += " (RUM)" if PostgresTsvector().uses_rum else " (GIN)"
    about = {
        "database": connection.vendor,
        "engine": engine,
        "size": Practice.objects.count(),
        "fill_seconds": round(filled, 1),
    }
    client = Client()
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        pages = cases()
        if not serve:
            print(json.dumps({**about, "results": measure(client, pages)}, ensure_ascii=False))
            return
        print(json.dumps({**about, "queries": query_counts(client, pages)}, ensure_ascii=False), flush=True)
        for _line in sys.stdin:  # bench/run.py asks for one round at a time, warm-up rounds included
            print(json.dumps(one_round(client, pages), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), serve="--serve" in sys.argv[2:])
