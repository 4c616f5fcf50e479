"""Helpers of the search tests: the queries, the oracle every engine's answers are held to, each index kind."""

from django.db import connection

from practices import search
from practices.models import Practice
from practices.search import postgres
from practices.search.text import fold_for_search, parse_query
from tests.conftest import require_tool


def found(query, queryset=None, field_name="id"):
    results = search.search(Practice.objects.all() if queryset is None else queryset, query, field_name)
    return [getattr(obj, "practice_id", obj.pk) for obj in results[: len(results)]]


def expected(query, practices):
    """The oracle: practices whose title, summary or body holds every term, by plain substring on folded text."""
    terms = parse_query(query)
    return {
        p.pk
        for p in practices
        if all(any(t.text in fold_for_search(text) for text in (p.title, p.summary, p.body)) for t in terms)
    }


QUERIES = ["纳税", "納稅", "获得电力", "獲得電力", "企业 服务", '"企业服务"', "营商环境", "不动产 登记", "办", "一窗"]


def index_kinds():
    """Each index this database offers, made current in turn: SQLite has FTS5 (None); PostgreSQL has RUM (True,
    ranked in the index) and GIN (False, the fallback without the extension)."""
    if connection.vendor != "postgresql":
        yield None
        return
    with connection.cursor() as cursor:
        rum = postgres.PostgresTsvector.rum_available(cursor)
    require_tool(rum, "PostgreSQL without the rum extension (Debian: postgresql-15-rum): RUM ranking untested")
    try:
        for rum in (True, False):
            with connection.cursor() as cursor:
                postgres.PostgresTsvector().create_index(cursor, rum=rum)
            assert postgres.PostgresTsvector().uses_rum is rum
            yield rum
    finally:
        postgres._uses_rum.clear()  # the test's transaction rolls the index back to what it was
