"""/api/v1/: published practices and batches as JSON, their filters, their query counts."""

import datetime
import json

import pytest

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption

pytestmark = pytest.mark.django_db


def test_api_practices_with_filters(client, demo):
    data = json.loads(client.get("/api/v1/practices/", {"city": "610100", "page_size": 5}).content)
    assert data["count"] == 6 and len(data["results"]) == 5 and data["next"]
    assert {r["city"]["code"] for r in data["results"]} == {"610100"}
    first = data["results"][0]
    assert {"id", "title", "city", "indicator", "batch", "body"} <= set(first)
    assert client.get("/api/v1/practices/", {"city": "999999"}).status_code == 400


def test_api_batches(client, demo):
    data = json.loads(client.get("/api/v1/batches/").content)
    assert data["count"] == 1
    batch = data["results"][0]
    assert (batch["year"], batch["sequence"], batch["count"]) == (2022, 2, 21)
    assert batch["exports"]["docx"].endswith("/batches/2022/2/export.docx")


def test_api_practice_is_the_lists_row(client, demo):
    listed = json.loads(client.get("/api/v1/practices/", {"page_size": 100}).content)["results"]
    for row in (listed[0], max(listed, key=lambda r: r["adopted_in"])):
        assert json.loads(client.get(f"/api/v1/practices/{row['id']}/").content) == row


def test_api_practice_is_404_for_what_is_not_published(client, demo):
    from practices.enums import Status
    from practices.models import Practice

    unpublished = Practice.objects.exclude(status=Status.PUBLISHED).first()
    for url in (f"/api/v1/practices/{unpublished.pk}/", "/api/v1/practices/999999999/"):
        response = client.get(url)
        assert response.status_code == 404 and response["Content-Type"] == "application/json"
        assert response.json() == {"errors": {"id": ["没有这一编号的已发布经验做法。"]}}
    assert unpublished.title not in client.get(f"/api/v1/practices/{unpublished.pk}/").content.decode()


@pytest.mark.parametrize("rows", [1, 3, 30])
def test_api_query_count_does_not_grow(client, db, django_assert_num_queries, rows):
    from django.utils import timezone

    from practices.enums import Status
    from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory

    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    for number in range(1, rows + 1):
        BatchEntryFactory(batch=batch, practice=PracticeFactory(status=Status.PUBLISHED), number=number)
    # the generation the page is kept under (public/pagecache.py); the count, the page of entries with their
    # batch, city, indicator; how many cities adopted each
    with django_assert_num_queries(4) as captured:
        client.get("/api/v1/practices/")
    page = captured.captured_queries[-2]["sql"]  # what it returns, not the practice's current text or the import
    assert '"batches_batchentry"."body"' in page and '"practices_city"."code"' in page
    assert '"practices_practice"."body"' not in page and "source_text" not in page
    with django_assert_num_queries(3):  # the generation; the count, the page of batches with their entry counts
        client.get("/api/v1/batches/")
    one = f"/api/v1/practices/{batch.entries.first().practice_id}/"
    with django_assert_num_queries(3):  # the generation; the entry with its batch, city, indicator; adopted where
        assert client.get(one).status_code == 200


# ---------------------------------------------------------------------------------------------------------------
# /api/v1/adoptions/ and the adoption counts of /api/v1/practices/


def adopted_rows():
    return [a for a in Adoption.objects.select_related("city") if a.status == AdoptionStatus.ADOPTED]


def test_api_adoptions_lists_only_what_cities_marked_adopted(client, demo):
    data = json.loads(client.get("/api/v1/adoptions/", {"page_size": 100}).content)
    expected = {(a.city.code, a.practice_id, a.adopted_on.isoformat(), a.result) for a in adopted_rows()}
    got = {(r["city"]["code"], r["practice"]["id"], r["adopted_on"], r["result"]) for r in data["results"]}
    assert got == expected and data["count"] == len(expected) > 0
    assert {r["status"] for r in data["results"]} == {"adopted"}
    body = client.get("/api/v1/adoptions/", {"page_size": 100}).content.decode()
    for row in Adoption.objects.exclude(status=AdoptionStatus.ADOPTED):
        for private in (row.reason, row.excuse):
            assert not private or private not in body  # reasons and excuses are not public
    measured = [r for r in data["results"] if r["results"]]
    assert measured and {"measure", "before", "after", "unit"} == set(measured[0]["results"][0])


def test_api_adoptions_filters(client, demo):
    row = adopted_rows()[0]
    entry = row.practice.batch_entry

    def ids(**query):
        data = json.loads(client.get("/api/v1/adoptions/", query).content)
        return {(r["city"]["code"], r["practice"]["id"]) for r in data["results"]}

    assert ids(city=row.city.code) == {(a.city.code, a.practice_id) for a in adopted_rows() if a.city_id == row.city_id}
    assert ids(practice=row.practice_id) == {
        (a.city.code, a.practice_id) for a in adopted_rows() if a.practice_id == row.practice_id
    }
    assert ids(batch=f"{entry.batch.year}-{entry.batch.sequence}") == {
        (a.city.code, a.practice_id) for a in adopted_rows()
    }
    assert ids(batch="2031-9") == set()
    for wrong in ({"status": "in_progress"}, {"status": "not_applicable"}, {"practice": "abc"}, {"batch": "x"}):
        response = client.get("/api/v1/adoptions/", wrong)
        assert response.status_code == 400 and "errors" in json.loads(response.content)


def test_api_practices_count_the_cities_that_adopted_each(client, demo):
    data = json.loads(client.get("/api/v1/practices/", {"page_size": 100}).content)
    counts = {}
    for a in adopted_rows():
        counts[a.practice_id] = counts.get(a.practice_id, 0) + 1
    assert {r["id"]: r["adopted_in"] for r in data["results"]} == {
        r["id"]: counts.get(r["id"], 0) for r in data["results"]
    }
    assert any(r["adopted_in"] > 1 for r in data["results"])


@pytest.mark.parametrize("rows", [1, 3, 50])
def test_api_adoptions_query_count_does_not_grow(client, db, django_assert_num_queries, rows):
    from adoptions import services
    from batches import services as batches
    from practices.enums import Role, Status
    from tests.factories import CityFactory, IndicatorFactory, PracticeFactory, UserFactory

    home = CityFactory(code="610100", name="西安市", order=1)
    cities = [CityFactory(code=f"6108{n:02d}", name=f"城市{n}", order=10 + n) for n in range(rows)]
    practice = PracticeFactory(city=home, indicator=IndicatorFactory(), status=Status.APPROVED)
    batch = batches.batch_create(year=2024)
    batches.batch_add(batch=batch, practices=[practice])
    batches.batch_publish(batch=batch, by=UserFactory(role=Role.COORDINATOR))
    for row in Adoption.objects.filter(city__in=cities):
        services.report(
            adoption=row,
            by=None,
            status="adopted",
            seen_version=1,
            adopted_on=datetime.date(2024, 5, 1),
            result="已复制",
            results=[{"measure": "时间", "before": "3", "after": "1", "unit": "天"}],
        )
    # the generation; the count, the page with its practices' entries and cities, their results
    with django_assert_num_queries(4):
        data = json.loads(client.get("/api/v1/adoptions/").content)
    assert data["count"] == rows


@pytest.mark.parametrize("practice", ["99999999999999999999", "²", "-1"])
def test_api_adoptions_refuses_an_id_that_is_no_id(client, db, practice):
    assert client.get("/api/v1/adoptions/", {"practice": practice}).status_code == 400


# ---------------------------------------------------------------------------------------------------------------
# /api/v1/openapi.json


def test_the_openapi_document_answers_conditional_gets(client, db):
    from public import openapi

    first = client.get("/api/v1/openapi.json")
    assert first.status_code == 200 and json.loads(first.content)["openapi"] == "3.1.0"
    assert first["ETag"] == f'"{openapi.etag("zh-hans")}"'
    assert "max-age=3600" in first["Cache-Control"] and "public" in first["Cache-Control"]
    assert {"Accept-Language", "Cookie"} <= {v.strip() for v in first["Vary"].split(",")}
    again = client.get("/api/v1/openapi.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 304 and again.content == b""
    english = client.get("/api/v1/openapi.json", HTTP_ACCEPT_LANGUAGE="en", HTTP_IF_NONE_MATCH=first["ETag"])
    assert english.status_code == 200 and english["ETag"] != first["ETag"]  # another language, another document
    assert client.get("/api/v1/openapi.json", HTTP_IF_NONE_MATCH='"stale"').status_code == 200


def test_api_batches_are_paged_however_many_are_asked_for(client, db, django_assert_num_queries):
    from tests.factories import published_batches_in_bulk

    published_batches_in_bulk(2000)
    # the generation the page is kept under; the count (to 1000 and one), the page of batches with their entry counts
    with django_assert_num_queries(3):
        data = client.get("/api/v1/batches/", {"page_size": 2000}).json()
    assert len(data["results"]) == 100 and (data["count"], data["count_capped"]) == (1000, True)
    assert data["results"][0]["year"] == 2099 and "page=2" in data["next"]
    assert len(client.get("/api/v1/batches/").json()["results"]) == 20
