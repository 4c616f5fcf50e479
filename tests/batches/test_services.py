"""Composing and publishing a batch: numbering, the lead, freezing, once only, errata."""

import datetime
from datetime import timedelta

import pytest
from django.utils import timezone
from django.utils.http import http_date

from batches import services as batches
from batches.enums import BatchStatus
from batches.models import Batch, Erratum
from batches.services import BatchError
from practices.enums import Status
from practices.workflow import StaleState
from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory

pytestmark = pytest.mark.django_db


def test_a_new_batch_takes_the_next_sequence_and_the_default_title(db):
    BatchFactory(year=2026, sequence=1)
    batch = batches.batch_create(year=2026)
    assert (batch.sequence, batch.title, batch.status) == (2, "2026年第二批优化营商环境典型经验做法", BatchStatus.DRAFT)


def test_entries_number_by_indicator_order_then_manual_order(pool):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool)
    numbered = list(batch.entries.order_by("number").values_list("number", "practice_id"))
    # 开办企业 (order 10) first, in the order added, then 纳税.
    assert numbered == [(1, pool[1].pk), (2, pool[3].pk), (3, pool[4].pk), (4, pool[0].pk), (5, pool[2].pk)]
    batches.batch_move(entry=batch.entries.get(practice=pool[4]), up=True)
    order = list(batch.entries.order_by("number").values_list("practice_id", flat=True))
    assert order == [pool[1].pk, pool[4].pk, pool[3].pk, pool[0].pk, pool[2].pk]
    batches.batch_remove(entry=batch.entries.get(practice=pool[1]))
    assert list(batch.entries.order_by("number").values_list("number", flat=True)) == [1, 2, 3, 4]


def test_a_practice_goes_in_one_batch_only(pool):
    first, second = batches.batch_create(year=2026), batches.batch_create(year=2026)
    batches.batch_add(batch=first, practices=pool[:1])
    with pytest.raises(BatchError, match="待发布库"):
        batches.batch_add(batch=second, practices=pool[:2])
    assert not second.entries.exists()


def test_the_lead_counts_per_city(pool):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool)
    assert batches.generated_lead(batch) == "此次推出的5项典型经验做法中，西安市3项；汉中市、安康市各1项。"


def test_publishing_freezes_and_publishes(pool, coordinator, client):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool)
    batches.batch_publish(batch=batch, by=coordinator)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.PUBLISHED and batch.published_by == coordinator and batch.published_at
    assert batch.lead.startswith("此次推出的5项")
    for practice in pool:
        practice.refresh_from_db()
        assert practice.status == Status.PUBLISHED
        assert practice.events.latest("pk").to_status == Status.PUBLISHED
    practice = pool[0]
    old_title = practice.title
    practice.title = "发布后改的标题"
    practice.save()
    html = client.get(f"/batches/2026/{batch.sequence}/").content.decode()
    assert old_title in html and "发布后改的标题" not in html


def test_publishing_twice_or_empty_is_refused(pool, coordinator):
    empty = batches.batch_create(year=2026)
    with pytest.raises(BatchError, match="没有任何经验做法"):
        batches.batch_publish(batch=empty, by=coordinator)
    assert Batch.objects.get(pk=empty.pk).status == BatchStatus.DRAFT
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    batches.batch_publish(batch=batch, by=coordinator)
    with pytest.raises(StaleState, match="不能重复发布"):
        batches.batch_publish(batch=batch, by=coordinator)
    with pytest.raises(BatchError):
        batches.batch_add(batch=batch, practices=pool[1:2])


def test_errata_are_shown_with_their_date(pool, coordinator, client):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    with pytest.raises(BatchError):
        batches.erratum_add(batch=batch, text="草稿不需要勘误", by=coordinator)
    batches.batch_publish(batch=batch, by=coordinator)
    published = client.get(f"/batches/2026/{batch.sequence}/")
    erratum = batches.erratum_add(batch=batch, text="第1项标题中“一网通办”应为“一网通管”。", by=coordinator)
    Erratum.objects.filter(pk=erratum.pk).update(created_at=erratum.created_at + timedelta(minutes=5))
    erratum.refresh_from_db()
    response = client.get(f"/batches/2026/{batch.sequence}/", HTTP_IF_MODIFIED_SINCE=published["Last-Modified"])
    assert response.status_code == 200  # an erratum is a change: the page is sent again, dated by it
    assert response["Last-Modified"] == http_date(erratum.created_at.timestamp())
    html = response.content.decode()
    assert "勘误" in html and "应为“一网通管”" in html


def test_an_imported_draft_batch_can_be_published(coordinator, db):
    practice = PracticeFactory(status=Status.APPROVED)
    batch = BatchFactory(year=2021, sequence=1)
    BatchEntryFactory(batch=batch, practice=practice, number=1)
    batches.batch_publish(batch=batch, by=coordinator)
    practice.refresh_from_db()
    assert practice.status == Status.PUBLISHED


def test_a_batch_composed_here_is_dated_the_day_it_is_published(pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool)
    assert batch.announced_on is None
    batches.batch_publish(batch=batch, by=coordinator)
    batch.refresh_from_db()
    assert batch.announced_on == timezone.localdate(batch.published_at)


def test_an_imported_draft_keeps_its_own_date_or_none_when_published(coordinator, db):
    for sequence, date in ((1, datetime.date(2021, 7, 1)), (2, None)):
        batch = BatchFactory(year=2021, sequence=sequence, source_text="公告原文", announced_on=date)
        BatchEntryFactory(batch=batch, practice=PracticeFactory(status=Status.APPROVED), number=1)
        batches.batch_publish(batch=batch, by=coordinator)
        batch.refresh_from_db()
        assert batch.published_at is not None and batch.announced_on == date
