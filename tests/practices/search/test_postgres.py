"""The engines' limits and concurrency (search/postgres.py; SQLite answers the same): long documents, writers
adding segments, every kind of index."""

import threading
import time

import pytest
from django.db import connection, transaction
from django.utils import timezone

from batches.selectors import published_entries
from practices import search
from practices.enums import Status
from practices.search import index, postgres
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CityFactory,
    IndicatorFactory,
    PracticeFactory,
)
from tests.practices.search.common import QUERIES, expected, found, index_kinds


def test_every_index_this_database_offers_gives_the_same_answers(corpus):
    title_hit = PracticeFactory(title="电子证照全省互认", body="提升审批效率。")
    for rum in index_kinds():
        for query in QUERIES:
            assert set(found(query)) == expected(query, [*corpus, title_hit]), (rum, query)
        assert found("电子证照")[0] == title_hit.pk


def test_the_public_window_holds_the_newest_published_matches_with_every_index(db, monkeypatch):
    """Published and unpublished practices across segments: the public's window holds the newest published,
    newest first (their ranks are equal)."""
    monkeypatch.setattr(index, "RANK_WINDOW", 4)
    batch = BatchFactory(status="published", published_at=timezone.now())
    published = [3, 4, 5, 9_999, 10_000, 10_001, 31_000, 45_000]
    for number, pk in enumerate(published, start=1):
        practice = PracticeFactory(id=pk, status=Status.PUBLISHED, title="不见不散")
        BatchEntryFactory(batch=batch, practice=practice, number=number, title="不见不散")
    for pk in (6, 10_002, 45_001, 52_000):
        PracticeFactory(id=pk, status=Status.APPROVED, title="不见不散")
    for rum in index_kinds():
        results = search.search(published_entries(), "不见", "practice", [search.PUBLISHED])
        assert results.capped, rum
        assert [entry.practice_id for entry in results[0:4]] == published[:-5:-1], rum


def test_a_long_body_is_found_to_its_end(db):
    """PostgreSQL keeps 16,383 positions and 256 per piece; SQLite has no such limit. Both find the end."""
    body = "企业" * 400 + "推行“一业一证”改革。" * 1700 + "最后一句话在这里。"  # 19,509 characters
    practice = PracticeFactory(title="长文", body=body)
    assert found("最后一句话") == [practice.pk]
    assert found("企业企业企业") == [practice.pk]
    assert found("最后一句电话") == []  # its pieces are all there, but not in this order: precision holds


@pytest.mark.django_db(transaction=True)
def test_two_writers_reaching_a_new_segment_together_both_succeed():
    """Each saves a practice, then one in a segment nobody has reached yet, in the same transaction: both
    commit, and both are found. (SQLite takes one lock for the whole database, so its writers never meet.)"""
    barrier = threading.Barrier(2 if connection.vendor == "postgresql" else 1)
    city, indicator = CityFactory(), IndicatorFactory()
    PracticeFactory(city=city, indicator=indicator)  # the first segment is there before the writers start
    outcomes = []

    def write(pk):
        try:
            with transaction.atomic():
                # A writer that already holds locks, as a save or an import does.
                PracticeFactory(city=city, indicator=indicator, title="先写一条")
                barrier.wait(timeout=30)
                PracticeFactory(id=pk, city=city, indicator=indicator, title="新段落的第一条")
            outcomes.append("committed")
        except Exception as exc:  # the outcome is the assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    threads = [threading.Thread(target=write, args=(pk,)) for pk in (70_000, 70_500)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["committed", "committed"]
    assert sorted(found("新段落")) == [70_000, 70_500]


@pytest.mark.django_db(transaction=True)
def test_a_writer_that_waited_for_a_new_segment_writes_into_it():
    """One writer adds a segment while another, which has already written, waits for it on the lock that makes a
    segment be added once: the waiting one then finds it there and writes into it, without adding it again.
    (SQLite takes one lock for the whole database: its writers go one after the other.)"""
    on_postgres = connection.vendor == "postgresql"
    city, indicator = CityFactory(), IndicatorFactory()
    PracticeFactory(city=city, indicator=indicator)
    adding = threading.Event()
    outcomes = []

    def waiter():
        try:
            # Its connection has written once before (so it has read the catalog): it must still see the segment.
            PracticeFactory(id=50_001, city=city, indicator=indicator)
            with transaction.atomic():
                PracticeFactory(city=city, indicator=indicator, title="先写一条")  # it holds its locks
                adding.wait(timeout=30)
                PracticeFactory(id=80_500, city=city, indicator=indicator, title="新段落的第二条")
            outcomes.append("committed")
        except Exception as exc:  # the outcome is the assertion
            outcomes.append(repr(exc))
        finally:
            connection.close()

    def adder():
        try:
            if not on_postgres:
                adding.set()
            with transaction.atomic(), connection.cursor() as cursor:
                if on_postgres:
                    segment_lock = [index.TABLE, 80_000 // postgres.SEGMENT]
                    cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s), %s)", segment_lock)
                    adding.set()
                    deadline = time.monotonic() + 30
                    waiting = 0
                    while not waiting and time.monotonic() < deadline:  # until the waiter waits on that lock
                        cursor.execute(
                            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = %s"
                            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                            [segment_lock[1]],
                        )
                        waiting = cursor.fetchone()[0]
                    assert waiting, "the other writer never waited for the segment"
                PracticeFactory(id=80_000, city=city, indicator=indicator, title="新段落的第一条")
        finally:
            connection.close()

    threads = [threading.Thread(target=waiter), threading.Thread(target=adder)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes == ["committed"]
    assert sorted(found("新段落")) == [80_000, 80_500]
