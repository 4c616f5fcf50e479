"""What a visitor sees is never older than the last committed change: the very next request after a publication or
an erratum shows it, on every page that shows it, even to a browser revalidating what it kept (issue 25)."""

import re

import pytest
from django.utils import timezone

from batches import services
from batches.models import Batch, Erratum
from practices.enums import Role, Status
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(db):
    return UserFactory(role=Role.COORDINATOR)


def publish(coordinator, year: int, titles: list[str], capture):
    practices = [PracticeFactory(status=Status.APPROVED, title=title) for title in titles]
    with capture(execute=True):  # committed, as a request's transaction would be, with what runs on commit
        batch = services.batch_create(year=year, by=coordinator)
        services.batch_add(batch=batch, practices=practices)
        services.batch_publish(batch=batch, by=coordinator)
    return batch


def totals(html: str) -> str:
    return re.search(r"已发布 \d+ 批、\d+ 项经验做法，来自 \d+ 个市（区）。", html).group(0)


def test_a_publication_is_on_the_home_page_and_the_batch_list_at_the_next_request(
    client, coordinator, django_capture_on_commit_callbacks
):
    publish(coordinator, 2023, ["西安市推行企业开办一网通办"], django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        before = client.get("/").content.decode()  # the totals are now kept in the cache
    assert totals(before).startswith("已发布 1 批、1 项")
    later = publish(coordinator, 2024, ["汉中市推行多规合一", "宝鸡市创新六个办"], django_capture_on_commit_callbacks)
    home = client.get("/").content.decode()
    assert totals(home).startswith("已发布 2 批、3 项") and later.title in home
    assert f'href="/batches/{later.year}/{later.sequence}/"' in client.get("/batches/").content.decode()
    practice = later.entries.order_by("number").first().practice_id
    assert client.get(f"/practices/{practice}/").status_code == 200


def test_an_erratum_is_on_the_announcement_and_its_exports_at_the_next_request_even_when_revalidated(
    client, coordinator, django_capture_on_commit_callbacks
):
    batch = publish(coordinator, 2023, ["西安市推行企业开办一网通办"], django_capture_on_commit_callbacks)
    page = f"/batches/{batch.year}/{batch.sequence}/"
    # A browser sends the ETag it kept, which tells a change within the same second; a date alone (If-Modified-Since,
    # to the second) tells only a later second, so the browser's copy is dated a minute before the erratum too.
    Batch.objects.filter(pk=batch.pk).update(published_at=timezone.now() - timezone.timedelta(minutes=1))
    first = client.get(page)
    etag, modified = first["ETag"], first["Last-Modified"]
    assert client.get(page, HTTP_IF_NONE_MATCH=etag).status_code == 304
    assert client.get(page, HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
    csv_before = client.get(f"{page}export.csv").content
    with django_capture_on_commit_callbacks(execute=True):
        services.erratum_add(batch=batch, text="第1项标题中“一网通办”应为“一网通办、一次办好”。", by=coordinator)
    for headers in ({"HTTP_IF_NONE_MATCH": etag}, {"HTTP_IF_MODIFIED_SINCE": modified}, {}):
        response = client.get(page, **headers)
        assert response.status_code == 200, headers
        assert "一次办好" in response.content.decode()
    assert client.get(f"{page}export.csv").content == csv_before  # the CSV holds the entries, not the errata
    assert "一次办好" in docx_text(client.get(f"{page}export.docx").content)


def docx_text(content: bytes) -> str:
    import io

    from docx import Document

    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def test_an_erratum_in_the_same_second_as_the_publication_still_makes_a_new_announcement(
    client, coordinator, django_capture_on_commit_callbacks
):
    """The ETag a browser revalidates with tells apart two changes in one second."""
    batch = publish(coordinator, 2023, ["西安市推行企业开办一网通办"], django_capture_on_commit_callbacks)
    second = timezone.now().replace(microsecond=100_000)
    Batch.objects.filter(pk=batch.pk).update(published_at=second)
    page = f"/batches/{batch.year}/{batch.sequence}/"
    etag = client.get(page)["ETag"]
    with django_capture_on_commit_callbacks(execute=True):
        erratum = services.erratum_add(batch=batch, text="第1项标题有误，应为“一网通办”。", by=coordinator)
    Erratum.objects.filter(pk=erratum.pk).update(created_at=second + timezone.timedelta(milliseconds=200))
    response = client.get(page, HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200 and "第1项标题有误" in response.content.decode()
