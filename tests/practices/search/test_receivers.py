"""search/receivers.py (and batches/receivers.py): the index follows every edit, publication and admin change,
in the same transaction; what is left pending after a response is indexed by the worker's next passes."""

from django.utils import timezone

from batches.selectors import published_entries
from batches.services import batch_add, batch_publish
from bizenv.worker import run_background
from practices import services
from practices.enums import Status
from practices.models import SearchIndex, SearchPending
from practices.search.index import CHUNK
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CityFactory,
    PracticeFactory,
    UserFactory,
)
from tests.practices.search.common import found


def test_the_index_follows_edits(db, xian, xian_official):
    practice = services.practice_create(
        city=xian,
        by=xian_official,
        data=_draft("原来的标题", "原来的正文。"),
        results=[],
    )
    assert found("原来") == [practice.pk]
    services.practice_update(
        practice=practice,
        by=xian_official,
        data=_draft("新的标题", "改过的正文。"),
        results=[],
        seen_version=practice.version,
    )
    assert found("原来") == [] and found("改过") == [practice.pk]
    practice.delete()
    assert found("改过") == [] and not SearchIndex.objects.exists()


def _draft(title, body):
    return {
        "title": title,
        "indicator": None,
        "summary": "",
        "body": body,
        "outcomes": "",
        "contact_name": "张三",
        "contact_phone": "029-86781234",
    }


def test_the_public_finds_what_was_published_as_published_and_never_a_withdrawn_practice(db):
    coordinator = UserFactory(role="coordinator")
    approved = PracticeFactory(status=Status.APPROVED, title="一表申报", body="企业开办一表申报。")
    withdrawn = PracticeFactory(status=Status.WITHDRAWN, title="一表申报（撤回）", body="已撤回。")
    entries = published_entries()
    assert found("一表申报", entries, "practice") == []
    batch = BatchFactory(year=2024, sequence=1)
    batch_add(batch=batch, practices=[approved])
    batch_publish(batch=batch, by=coordinator)
    assert found("一表申报", entries, "practice") == [approved.pk]
    assert withdrawn.pk in found("一表申报")  # the province still finds it in the queue's sense

    approved.title = "发布后又改的标题"
    approved.save()  # the public text is frozen: the index keeps the published title
    assert found("一表申报", entries, "practice") == [approved.pk]
    assert found("又改", entries, "practice") == []


def test_an_edited_published_entry_is_reindexed(db):
    batch = BatchFactory(status="published", published_at=timezone.now())
    practice = PracticeFactory(status=Status.PUBLISHED, title="旧标题")
    entry = BatchEntryFactory(batch=batch, practice=practice, title="旧标题", city_name="西安市")
    entry.title = "勘误后的标题"
    entry.save()
    assert found("勘误后", published_entries(), "practice") == [practice.pk]


def test_a_city_renamed_in_the_admin_is_found_under_its_new_code(client, db):
    city = CityFactory(code="610100", name="西安市")
    practice = PracticeFactory(city=city, status=Status.PUBLISHED, title="纳税服务")
    batch = BatchFactory(status="published", published_at=timezone.now())
    BatchEntryFactory(batch=batch, practice=practice, title=practice.title)
    city.code = "610199"
    city.save()
    found = client.get("/api/v1/practices/", {"q": "纳税", "city": "610199"}).json()["results"]
    assert [r["id"] for r in found] == [practice.pk]


def test_a_batch_published_in_the_admin_is_found_by_its_filters(client, db):
    batch = BatchFactory(year=2023, sequence=7)
    practice = PracticeFactory(status=Status.APPROVED, title="纳税服务")
    BatchEntryFactory(batch=batch, practice=practice, title=practice.title)
    assert client.get("/api/v1/practices/", {"q": "纳税"}).json()["results"] == []
    batch.status, batch.published_at = "published", timezone.now()
    batch.save()
    found = client.get("/api/v1/practices/", {"q": "纳税", "batch": "2023-7"}).json()["results"]
    assert [r["id"] for r in found] == [practice.pk]


def test_practices_left_pending_are_indexed_by_one_worker_pass(left_pending):
    practices = left_pending("推行一日办结", "一日办结再提速")
    assert found("一日办结") == [] and SearchPending.objects.count() == len(practices)
    run_background()
    assert sorted(found("一日办结")) == [p.pk for p in practices]
    assert not SearchPending.objects.exists()


def test_a_practice_deleted_while_pending_leaves_no_row_behind(left_pending):
    gone, kept = left_pending("推行一日办结", "一日办结再提速")
    gone.delete()
    run_background()
    assert found("一日办结") == [kept.pk]
    assert not SearchPending.objects.exists() and not SearchIndex.objects.filter(practice_id=gone.pk).exists()


def test_each_worker_pass_takes_at_most_a_chunk_of_what_is_pending(db):
    SearchPending.objects.bulk_create(SearchPending(practice_id=pk) for pk in range(1, CHUNK + 2))
    run_background()
    assert list(SearchPending.objects.values_list("pk", flat=True)) == [CHUNK + 1]
    run_background()
    assert not SearchPending.objects.exists()
