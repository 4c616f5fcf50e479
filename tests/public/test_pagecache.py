"""Whole public pages kept for visitors who are not signed in (public/pagecache.py): a kept page costs one query,
a change is on the very next request, and nothing of a signed-in user's page is ever kept or served to another."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from adoptions import services as adoptions
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from batches import services
from practices.enums import Role, Status
from practices.models import Attachment
from tests.factories import CityFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

PAGES = ["/", "/batches/", "/practices/", "/practices/?q=一网通办", "/api/v1/practices/", "/feeds/batches.atom"]


@pytest.fixture
def coordinator(db):
    return UserFactory(role=Role.COORDINATOR)


@pytest.fixture
def published(coordinator, django_capture_on_commit_callbacks):
    practice = PracticeFactory(status=Status.APPROVED, title="西安市推行企业开办一网通办")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(year=2023, by=coordinator)
        services.batch_add(batch=batch, practices=[practice])
        services.batch_publish(batch=batch, by=coordinator)
    practice.refresh_from_db()
    return batch, practice


def pages(batch, practice) -> list[str]:
    return [*PAGES, f"/batches/{batch.year}/{batch.sequence}/", f"/practices/{practice.pk}/", "/stats/"]


def queries(client, url, **headers):
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, **headers)
    return response, len(captured)


def test_a_kept_page_is_the_same_page_for_one_query(client, published, django_capture_on_commit_callbacks):
    for url in pages(*published):
        with django_capture_on_commit_callbacks(execute=True):
            first = client.get(url)
        again, n = queries(client, url)
        assert (first.status_code, again.status_code, n) == (200, 200, 1), url
        assert again.content == first.content, url
        assert again["Content-Type"] == first["Content-Type"], url
        assert again["Cache-Control"] == "public, max-age=0, must-revalidate", url
        assert {"Cookie", "Accept-Language"} <= {v.strip() for v in again["Vary"].split(",")}, url
        assert again["ETag"] == first["ETag"], url
        # Outer middleware still adds its headers to a kept page.
        assert "Content-Security-Policy" in again and "X-Request-ID" in again, url


def test_a_browser_holding_the_kept_page_is_answered_304(client, published):
    _batch, practice = published
    url = f"/practices/{practice.pk}/"
    etag = client.get(url)["ETag"]
    response, n = queries(client, url, HTTP_IF_NONE_MATCH=etag)
    assert (response.status_code, n, response.content) == (304, 1, b"")
    assert client.get(url, HTTP_IF_NONE_MATCH='"something else"').status_code == 200


def test_each_language_has_its_own_page(client, published):
    chinese = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert chinese != english
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").content.decode() == english
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode() == chinese


def test_a_signed_in_users_page_is_neither_kept_nor_given_a_kept_one(client, published):
    official = UserFactory(role=Role.CITY_OFFICIAL, city=CityFactory(), username="wang_official")
    anonymous = client.get("/").content.decode()
    client.force_login(official)
    own = client.get("/")
    assert "wang_official" in own.content.decode() and own.content.decode() != anonymous
    assert "public" not in own.get("Cache-Control", "")
    client.logout()
    visitor, n = queries(client, "/")
    assert "wang_official" not in visitor.content.decode() and n == 1


def test_a_visitor_with_a_message_waiting_gets_the_page_rendered(client, published):
    client.get("/")
    client.cookies["messages"] = "x"
    response, n = queries(client, "/")
    assert response.status_code == 200 and n > 1


def test_a_new_publication_is_on_every_page_at_the_next_request(
    client, coordinator, published, django_capture_on_commit_callbacks
):
    for url in pages(*published):
        with django_capture_on_commit_callbacks(execute=True):
            client.get(url)
    practice = PracticeFactory(status=Status.APPROVED, title="汉中市推行多规合一一网通办")
    with django_capture_on_commit_callbacks(execute=True):
        batch = services.batch_create(year=2024, by=coordinator)
        services.batch_add(batch=batch, practices=[practice])
        services.batch_publish(batch=batch, by=coordinator)
    for url in ["/practices/", "/practices/?q=一网通办", "/api/v1/practices/"]:
        assert "汉中市推行多规合一" in client.get(url).content.decode(), url
    for url in ["/", "/batches/", "/feeds/batches.atom"]:
        assert batch.title in client.get(url).content.decode(), url


def test_an_erratum_is_on_the_announcement_at_the_next_request(client, coordinator, published):
    batch, _practice = published
    url = f"/batches/{batch.year}/{batch.sequence}/"
    client.get(url)
    services.erratum_add(batch=batch, text="第1项标题应为“一网通办、一次办好”。", by=coordinator)
    assert "一次办好" in client.get(url).content.decode()


def test_a_city_reporting_it_copied_the_practice_is_on_its_page_at_the_next_request(client, published):
    _batch, practice = published
    url = f"/practices/{practice.pk}/"
    city = CityFactory(name="宝鸡市")
    assert "宝鸡市" not in client.get(url).content.decode()
    row = adoptions.report_voluntarily(practice=practice, city=city, by=None, status=AdoptionStatus.IN_PROGRESS)
    row = Adoption.objects.get(pk=row.pk)
    adoptions.report(
        adoption=row,
        by=None,
        status=AdoptionStatus.ADOPTED,
        seen_version=row.version,
        adopted_on=datetime.date(2024, 3, 1),
        result="企业开办一日办结",
    )
    assert "宝鸡市" in client.get(url).content.decode()


def test_an_attachment_made_public_is_on_the_page_at_the_next_request(client, published):
    _batch, practice = published
    url = f"/practices/{practice.pk}/"
    attachment = Attachment.objects.create(
        practice=practice,
        file="attachments/x.pdf",
        original_name="实施方案.pdf",
        content_type="application/pdf",
        size=3,
        is_public=False,
    )
    assert "实施方案.pdf" not in client.get(url).content.decode()
    attachment.is_public = True
    attachment.save()
    assert "实施方案.pdf" in client.get(url).content.decode()


def test_the_language_is_switched_without_a_csrf_token_and_the_next_page_is_in_it(published):
    from django.test import Client

    visitor = Client(enforce_csrf_checks=True)
    chinese = visitor.get("/").content.decode()
    assert "csrfmiddlewaretoken" not in chinese and not visitor.cookies.get("csrftoken")
    switched = visitor.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert switched.status_code == 302 and visitor.cookies["django_language"].value == "en"
    english = visitor.get("/").content.decode()
    assert english != chinese and '<html lang="en">' in english
