"""Measure one database at one size: fill it with synthetic practices (and three 台账 rows per practice) if needed,
then time the pages: the public ones as a visitor, the 台账 as the official of the city with 5,000 rows, the
province's matrix as the coordinator.

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

from django.contrib.auth import get_user_model  # noqa: E402
from django.contrib.auth.models import Group  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import DatabaseError, connection, reset_queries  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, override_settings  # noqa: E402

from adoptions.models import Adoption  # noqa: E402
from batches.enums import BatchStatus  # noqa: E402
from batches.models import Batch  # noqa: E402
from bench.figures import RUNS, WARMUP, summary  # noqa: E402
from bizenv.web import collector  # noqa: E402
from practices import search  # noqa: E402
from practices.enums import Role  # noqa: E402
from practices.models import City, Membership, Practice  # noqa: E402
from practices.search.postgres import PostgresTsvector  # noqa: E402

ADOPTIONS_PER_PRACTICE = 3  # 300,000 rows of the 台账 at 100,000 practices


def cases() -> list[tuple[str, str]]:
    batch = Batch.objects.filter(status=BatchStatus.PUBLISHED).order_by("-year", "-sequence").first()
    middle = Practice.objects.order_by("pk").values_list("pk", flat=True)[Practice.objects.count() // 2]
    full = (
        Batch.objects.filter(status=BatchStatus.PUBLISHED, adoption_plan__isnull=False)
        .annotate(n=Count("entries"))
        .filter(n=50)
        .order_by("-year", "-sequence")
        .first()
    )
    return [
        ("bare Django view", "/bench/bare/"),
        ("home", "/"),
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
        ("practice print", f"/practices/{middle}/print/"),
        ("practice .docx", f"/practices/{middle}/export.docx"),
        ("API documentation", "/api/"),
        ("API OpenAPI", "/api/v1/openapi.json"),
        ("API practice", f"/api/v1/practices/{middle}/"),
        ("API page", "/api/v1/practices/?page=2"),
        ("API search", "/api/v1/practices/?q=获得电力"),
        ("stats", "/stats/"),
        ("API adoptions", "/api/v1/adoptions/?page=2"),
        ("city: 台账", "/city/adoptions/"),
        ("city: 台账, filtered", "/city/adoptions/?status=in_progress&overdue=on"),
        ("city: 台账 .xlsx (5,000 rows)", "/city/adoptions/export.xlsx"),
        ("province: matrix (50 entries)", f"/review/adoptions/?batch={full.year}-{full.sequence}"),
        ("province: queue", "/review/"),
        ("province: queue .xlsx", "/review/export.xlsx"),
        ("province: batches", "/review/batches/"),
        ("province: import form", "/review/batches/import/"),
    ]


def http_cases(clients: dict[str, Client]) -> list[list[str]]:
    """The pages bench/served.py loads over HTTP (name, path), each checked here to answer 200: what a visitor
    reaches (a search for a rare term and one for a term in about half the practices), the exports of the latest
    batch, and two pages of signed-in users."""
    batch = Batch.objects.filter(status=BatchStatus.PUBLISHED).order_by("-year", "-sequence").first()
    middle = Practice.objects.order_by("pk").values_list("pk", flat=True)[Practice.objects.count() // 2]
    announcement = f"/batches/{batch.year}/{batch.sequence}/"
    pages = [
        ("bare Django view", "/bench/bare/"),
        ("home", "/"),
        ("batches", "/batches/"),
        ("announcement", announcement),
        ("announcement .docx", f"{announcement}export.docx"),
        ("announcement .xlsx", f"{announcement}export.xlsx"),
        ("announcement .csv", f"{announcement}export.csv"),
        ("announcement .pdf", f"{announcement}export.pdf"),
        ("list", "/practices/"),
        ("filtered list", "/practices/?city=610100&year=2022"),
        ("search 量子计算 (rare)", "/practices/?q=量子计算"),
        ("search 企业 (half)", "/practices/?q=企业"),
        ("practice page", f"/practices/{middle}/"),
        ("API", "/api/v1/practices/?page=2"),
        ("feed", "/feeds/batches.atom"),
        ("stats", "/stats/"),
        ("city: portal home", "/city/"),
        ("province: review queue", "/review/"),
    ]
    for _name, url in pages:
        response = signed_in(clients, url).get(url, secure=True)
        assert response.status_code == 200, (url, response.status_code)
    return [list(page) for page in pages]


def signed_in(clients: dict[str, Client], url: str) -> Client:
    """The client a page is asked with: the city official's for /city/, the coordinator's for /review/, else a
    visitor's."""
    for prefix, client in clients.items():
        if prefix and url.startswith(prefix):
            return client
    return clients[""]


def bench_clients() -> dict[str, Client]:
    """A visitor; the official of the first city (the one synth_adoptions gives 5,000 rows); the coordinator."""
    city = City.objects.filter(active=True).order_by("order", "pk").first()
    User = get_user_model()
    official, _ = User.objects.get_or_create(username="bench_city")
    official.groups.add(Group.objects.get_or_create(name=Role.CITY_OFFICIAL.value)[0])
    Membership.objects.update_or_create(user=official, defaults={"city": city})
    coordinator, _ = User.objects.get_or_create(username="bench_coordinator")
    coordinator.groups.add(Group.objects.get_or_create(name=Role.COORDINATOR.value)[0])
    Membership.objects.get_or_create(user=coordinator, defaults={"city": None})
    clients = {"": Client(), "/city/": Client(), "/review/": Client()}
    clients["/city/"].force_login(official)
    clients["/review/"].force_login(coordinator)
    return clients


def queries_of(clients: dict[str, Client], url: str) -> int:
    """The queries one request runs (the page must answer 200), as a process that has served it before runs them:
    the cities and indicators of the list pages' selects are read once per process (bizenv.web.fast.shared_rows)."""
    client = signed_in(clients, url)
    client.get(url, secure=True)
    reset_queries()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, secure=True)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries)


def query_counts(clients: dict[str, Client], pages: list[tuple[str, str]]) -> dict[str, int]:
    return {name: queries_of(clients, url) for name, url in pages}


def one_round(clients: dict[str, Client], pages: list[tuple[str, str]]) -> dict[str, float]:
    """Every page once, in milliseconds."""
    times = {}
    for name, url in pages:
        client = signed_in(clients, url)
        start = time.perf_counter()
        response = client.get(url, secure=True)
        if response.streaming:
            b"".join(response.streaming_content)
        times[name] = (time.perf_counter() - start) * 1000
    return times


def measure(clients: dict[str, Client], pages: list[tuple[str, str]]) -> dict:
    """p50 and p95 of each page, in rounds: each round requests every page once, so a slow spell of the machine
    falls on all pages alike instead of on whichever page was being measured."""
    counts = query_counts(clients, pages)
    for _ in range(WARMUP):
        one_round(clients, pages)
    return summary([one_round(clients, pages) for _ in range(RUNS)], counts)


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


def main(size: int, serve: bool = False, prepare: bool = False):
    call_command("migrate", verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)  # as production serves them
    have = Practice.objects.count()
    filled = 0.0
    if have < size:
        start = time.perf_counter()
        call_command("synth_practices", size - have, stdout=io.StringIO())
        filled = time.perf_counter() - start
    rows = Adoption.objects.count()
    if rows < ADOPTIONS_PER_PRACTICE * size:
        start = time.perf_counter()
        call_command("synth_adoptions", ADOPTIONS_PER_PRACTICE * size - rows, stdout=io.StringIO())
        filled += time.perf_counter() - start
    settle()
    collector.tune()  # as bizenv/wsgi.py does in production
    engine = search.backend().name
    if connection.vendor == "postgresql":
        engine += " (RUM)" if PostgresTsvector().uses_rum else " (GIN)"
    about = {
        "database": connection.vendor,
        "engine": engine,
        "size": Practice.objects.count(),
        "adoptions": Adoption.objects.count(),
        "fill_seconds": round(filled, 1),
    }
    with override_settings(ROOT_URLCONF="bench.urls", DEBUG=False):
        clients = bench_clients()
        pages = cases()
        if prepare:  # for bench/served.py: the pages over HTTP, and the signed-in users' cookies
            pages = http_cases(clients)  # which leaves each client with the cookies a browser has after a page
            cookies = {
                prefix: "; ".join(f"{name}={morsel.value}" for name, morsel in client.cookies.items() if morsel.value)
                for prefix, client in clients.items()
                if prefix
            }
            print(json.dumps({**about, "pages": pages, "cookies": cookies}, ensure_ascii=False))
            return
        if not serve:
            print(json.dumps({**about, "results": measure(clients, pages)}, ensure_ascii=False))
            return
        print(json.dumps({**about, "queries": query_counts(clients, pages)}, ensure_ascii=False), flush=True)
        for _line in sys.stdin:  # bench/run.py asks for one round at a time, warm-up rounds included
            print(json.dumps(one_round(clients, pages), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]), serve="--serve" in sys.argv[2:], prepare="--prepare" in sys.argv[2:])
