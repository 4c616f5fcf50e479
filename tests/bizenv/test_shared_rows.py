"""The cities and indicators of the list pages' selects are read once per process, and never shown stale by it."""

import re
import threading
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.models.deletion import Collector
from django.db.models.signals import post_init
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bizenv.web import fast
from bizenv.web.fast import SHARED_SECONDS, shared_rows
from practices.enums import Status
from practices.models import City, Notification
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CityFactory,
    IndicatorFactory,
    PracticeFactory,
)

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


def city_names() -> list[str]:
    return [city.name for city in shared_rows(City)]


@pytest.mark.parametrize("url", ["/practices/", "/practices/?q=纳税", "/practices/?city=620100"])
def test_a_list_page_reads_the_cities_and_indicators_once_per_process(client, url):
    CityFactory(code="620100", name="兰州市")
    IndicatorFactory(name="开办企业")
    first, html = reference_queries(client, url)
    assert len(first) == 2 and "兰州市" in options(html, "city") and "开办企业" in options(html, "indicator")
    again, html = reference_queries(client, url)
    assert again == [] and "兰州市" in options(html, "city") and "开办企业" in options(html, "indicator")


@pytest.mark.parametrize("rows", [1, 30])
def test_a_process_that_has_served_the_list_serves_it_in_two_queries_whatever_the_rows(
    client, django_assert_num_queries, rows
):
    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    for number in range(1, rows + 1):
        practice = PracticeFactory(status=Status.PUBLISHED, title=f"纳税服务{number}")
        BatchEntryFactory(batch=batch, practice=practice, number=number, title=practice.title)
    city = practice.city.code
    for query in [{}, {"q": "纳税"}, {"city": city}, {"q": "纳税", "city": city}]:
        client.get("/practices/", query)
        with django_assert_num_queries(2):  # the count or the search's window, and the page's entries
            assert f'href="/practices/{practice.pk}/"' in client.get("/practices/", query).content.decode(), query


def test_a_city_saved_in_this_process_shows_at_once(client):
    lanzhou = CityFactory(code="620100", name="兰州市")
    assert options(client.get("/practices/").content.decode(), "city")[1:] == ["兰州市"]
    lanzhou.name = "兰州新区"
    lanzhou.save()
    CityFactory(code="620500", name="天水市")
    html = client.get("/practices/", {"city": "620500"}).content.decode()
    assert 'role="alert"' not in html and sorted(options(html, "city")[1:]) == ["兰州新区", "天水市"]


def test_a_city_deleted_in_this_process_is_gone_at_once(client):
    CityFactory(code="620100", name="兰州市")
    tianshui = CityFactory(code="620500", name="天水市")
    assert sorted(options(client.get("/practices/").content.decode(), "city")[1:]) == ["兰州市", "天水市"]
    tianshui.delete()
    html = client.get("/practices/", {"city": "620500"}).content.decode()
    assert 'role="alert"' in html and options(html, "city")[1:] == ["兰州市"]


def test_rows_another_thread_reads_before_a_save_commits_are_dropped_when_it_commits():
    lanzhou = CityFactory(name="兰州市")
    seen = []

    def another_request():
        try:
            seen.append(city_names())  # the committed rows: the save below is not yet
        finally:
            connection.close()

    with transaction.atomic():
        lanzhou.name = "兰州新区"
        lanzhou.save()
        thread = threading.Thread(target=another_request)
        thread.start()
        thread.join()
    assert seen == [["兰州市"]]
    assert city_names() == ["兰州新区"]


def test_a_read_that_a_save_overtook_is_not_kept():
    CityFactory(name="兰州市")
    lanzhou = City.objects.get()

    def saved_while_reading(sender, instance, **kwargs):
        post_init.disconnect(saved_while_reading, sender=City)
        lanzhou.name = "兰州新区"
        lanzhou.save()

    post_init.connect(saved_while_reading, sender=City)
    try:
        assert city_names() == ["兰州市"]  # read before the save landed
    finally:
        post_init.disconnect(saved_while_reading, sender=City)
    assert city_names() == ["兰州新区"]


def test_rows_read_inside_a_transaction_are_not_kept():
    CityFactory(name="兰州市")
    with pytest.raises(Rollback), transaction.atomic():
        CityFactory(name="临时市")
        assert city_names() == ["兰州市", "临时市"]
        raise Rollback
    assert city_names() == ["兰州市"]


def test_a_change_this_process_was_not_told_of_shows_when_the_rows_expire(monkeypatch):
    """What another process's save looks like from here: an update() sends no signal."""
    CityFactory(name="兰州市")
    clock = [1000.0]
    monkeypatch.setattr(fast, "time", SimpleNamespace(monotonic=lambda: clock[0]))
    assert city_names() == ["兰州市"]
    City.objects.update(name="兰州新区")
    clock[0] += SHARED_SECONDS - 1
    assert city_names() == ["兰州市"]
    clock[0] += 1
    assert city_names() == ["兰州新区"]


def test_a_flush_forgets_the_rows():
    CityFactory(name="兰州市")
    assert city_names() == ["兰州市"]
    call_command("flush", interactive=False, verbosity=0)
    assert city_names() == []


def test_sharing_rows_leaves_other_models_deleted_in_bulk():
    """A receiver of every model's deletes would make Django load and signal each row it deletes."""
    shared_rows(City)
    assert Collector(using="default").can_fast_delete(Notification.objects.all())


def test_only_the_rows_of_a_model_shared_at_start_up_are_shared():
    """Its saves and deletes are heard from the start, whichever thread makes them and whenever."""
    assert [city.name for city in shared_rows(City)] == []
    with pytest.raises(LookupError, match="not shared"):
        shared_rows(Notification)
