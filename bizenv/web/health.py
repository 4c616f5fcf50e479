"""GET /healthz: is this application server fit to serve? For a load balancer and for monitoring.

JSON, 200 when every check passes and 503 when one fails, each check with its time in milliseconds: the database
answers, no migration is left unapplied, the cache keeps a value, MEDIA_ROOT takes a file, and no email has waited
in the outbox longer than BIZENV_MAIL_STUCK_MINUTES. `?check=database,cache` asks only those (a load balancer need
not take a server out because mail is stuck). A failure names the exception's class, never its message (which
may hold a host or a user name). No sign-in, and answered before any other middleware, so it needs no session,
no allowed Host (a monitor may call the server by its address) and no HTTPS redirect; about a millisecond, so
it may be called every second.
"""

import datetime
import os
import tempfile
import time
import uuid

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import JsonResponse
from django.utils import timezone

from bizenv.mail import due

PATH = "/healthz"
_migrated = False  # once every migration is applied, they stay applied for this process's life


def database():
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, {}


def migrations():
    global _migrated
    if not _migrated:
        executor = MigrationExecutor(connection)
        plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if plan:
            return False, {"unapplied": len(plan)}
        _migrated = True
    return True, {}


def cache_check():
    key, value = f"bizenv:healthz:{uuid.uuid4().hex}", uuid.uuid4().hex
    cache.set(key, value, 10)
    kept = cache.get(key)
    cache.delete(key)
    return kept == value, {}


def media():
    os.makedirs(settings.MEDIA_ROOT, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=settings.MEDIA_ROOT, prefix=".healthz-") as probe:
        probe.write(b"ok")
        probe.flush()
    return True, {}


def mail():
    oldest = due().order_by("created_at").values_list("created_at", flat=True).first()
    waited = (timezone.now() - oldest).total_seconds() if oldest else 0
    stuck = waited > datetime.timedelta(minutes=settings.BIZENV_MAIL_STUCK_MINUTES).total_seconds()
    return not stuck, {"oldest_waiting_seconds": int(waited)}


CHECKS = {"database": database, "migrations": migrations, "cache": cache_check, "media": media, "mail": mail}


def report(names) -> tuple[bool, dict]:
    results = {}
    for name in names:
        started = time.perf_counter()
        try:
            ok, detail = CHECKS[name]()
        except Exception as error:  # whatever breaks a check is its failure, reported by kind
            ok, detail = False, {"error": type(error).__name__}
        results[name] = {"ok": ok, "ms": round((time.perf_counter() - started) * 1000, 2), **detail}
    return all(result["ok"] for result in results.values()), results


class HealthCheckMiddleware:
    """First in MIDDLEWARE: answers GET and HEAD /healthz itself; passes everything else on."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != PATH or request.method not in {"GET", "HEAD"}:
            return self.get_response(request)
        asked = [name for value in request.GET.getlist("check") for name in value.split(",") if name]
        unknown = sorted(set(asked) - CHECKS.keys())
        if unknown:
            body = {"status": "error", "error": f"unknown checks: {', '.join(unknown)}", "checks": sorted(CHECKS)}
            return _json(body, 400)
        ok, results = report(asked or CHECKS)
        return _json({"status": "ok" if ok else "fail", "checks": results}, 200 if ok else 503)


def _json(body: dict, status: int) -> JsonResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    response["X-Content-Type-Options"] = "nosniff"
    return response
