"""The cities and indicators of the list pages' selects are read once per process, and never shown stale by it."""

import re

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bizenv import filters
from bizenv.filters import SHARED_SECONDS, shared_rows
from practices.models import City, Indicator
from tests.factories import CityFactory, IndicatorFactory

pytestmark = pytest.mark.django_db(transaction=True)


class Rollback(Exception):
    pass


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S).group(1)
    return re.findall(r"<option[^>]*>([^<]*)</option>", select)


def reference_queries(client, url: str) -> tuple[list[str], str]:
    """The queries of a request that read cities or indicators, and the page."""
    with CaptureQueriesContext(connection) as queries:
        html = client.get(url).content.decode()
    tables = [q["sql"] for q in queries.captured_queries if re.search(r'FROM "practices_(city|indicator)"', q["sql"])]
    return tables, html


@pytest.mark.parametrize("url", ["/practices/", "/practices/?q=纳税", "/practices/?city=620100"])
def test_a_list_page_reads_the_cities_and_indicators_once_per_process(client, url):
    CityFactory(code="620100", name="兰州市")
    IndicatorFactory(name="开办企业")
    first, html = reference_queries(client, url)
    assert len(first) == 2 and "兰州市" in options(html, "city") and "开办企业" in options(html, "indicator")
    again, html = reference_queries(client, url)
    assert again == [] and "兰州市" in options(html, "city") and "开办企业" in options(html, "indicator")


def test_a_city_saved_or_deleted_in_this_process_shows_at_once(client):
    lanzhou = CityFactory(code="620100", name="兰州市")
    assert options(client.get("/practices/").content.decode(), "city")[1:] == ["兰州市"]
    lanzhou.name = "兰州新区"
    lanzhou.save()
    tianshui = CityFactory(code="620500", name="天水市")
    html = client.get("/practices/", {"city": "620500"}).content.decode()
    assert 'role="alert"' not in html and sorted(options(html, "city")[1:]) == ["兰州新区", "天水市"]
    tianshui.delete()
    html = client.get("/practices/", {"city": "620500"}).content.decode()
    assert 'role="alert"' in html and options(html, "city")[1:] == ["兰州新区"]


def test_rows_read_inside_a_transaction_are_not_kept():
    CityFactory(name="兰州市")
    with pytest.raises(Rollback), transaction.atomic():
        CityFactory(name="临时市")
        assert [c.name for c in shared_rows(City.objects.all())] == ["兰州市", "临时市"]
        raise Rollback
    assert [c.name for c in shared_rows(City.objects.all())] == ["兰州市"]


def test_a_change_this_process_was_not_told_of_shows_when_the_rows_expire(monkeypatch):
    """What another process's save looks like from here: an update() sends no signal."""
    CityFactory(name="兰州市")
    clock = [1000.0]
    monkeypatch.setattr(filters.time, "monotonic", lambda: clock[0])
    assert [c.name for c in shared_rows(City.objects.all())] == ["兰州市"]
    City.objects.update(name="兰州新区")
    clock[0] += SHARED_SECONDS - 1
    assert [c.name for c in shared_rows(City.objects.all())] == ["兰州市"]
    clock[0] += 1
    assert [c.name for c in shared_rows(City.objects.all())] == ["兰州新区"]


def test_a_flush_forgets_the_rows():
    CityFactory(name="兰州市")
    assert [c.name for c in shared_rows(City.objects.all())] == ["兰州市"]
    call_command("flush", interactive=False, verbosity=0)
    assert shared_rows(City.objects.all()) == []


@pytest.mark.parametrize(
    "queryset",
    [
        lambda: City.objects.filter(code="620100"),
        lambda: Indicator.objects.order_by("name"),
        lambda: City.objects.all()[:3],
    ],
)
def test_only_a_models_plain_all_is_shared(queryset):
    with pytest.raises(ValueError, match="plain all"):
        shared_rows(queryset())
