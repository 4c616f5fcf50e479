"""/api/v1/: published practices and batches as JSON, their filters, their query counts."""

import json

import pytest

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


@pytest.mark.parametrize("rows", [1, 3, 30])
def test_api_query_count_does_not_grow(client, db, django_assert_num_queries, rows):
    from django.utils import timezone

    from practices.enums import Status
    from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory

    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    for number in range(1, rows + 1):
        BatchEntryFactory(batch=batch, practice=PracticeFactory(status=Status.PUBLISHED), number=number)
    with django_assert_num_queries(2) as captured:  # the count, the page of entries with their batch, city, indicator
        client.get("/api/v1/practices/")
    page = captured.captured_queries[-1]["sql"]  # what it returns, not the practice's current text or the import
    assert '"batches_batchentry"."body"' in page and '"practices_city"."code"' in page
    assert '"practices_practice"."body"' not in page and "source_text" not in page
    with django_assert_num_queries(2):  # the count, the page of batches with their entry counts
        client.get("/api/v1/batches/")
