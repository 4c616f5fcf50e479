"""Signed-in pages kept whole for the session that asked (bizenv/web/userpages.py) under the count of writes
(bizenv/writes.py): a kept page costs three queries, any write however made is on the very next request, and a
page is never answered to another session, with a message that was already shown, or to a browser without its
CSRF cookie."""

import threading

import pytest
from django.contrib.auth.models import Group
from django.db import connection, connections, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext

from bizenv import writes
from practices.enums import Role, Status
from practices.models import Notification, Practice
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

KEPT_QUERIES = 3  # the session, the user, the count of writes


@pytest.fixture
def official(xian):
    return UserFactory(username="xian_a", first_name="张三", role=Role.CITY_OFFICIAL, city=xian)


def signed_in(user, first_page="/city/") -> Client:
    """A browser signed in as user, after its first page (which gave it the CSRF cookie)."""
    client = Client()
    client.force_login(user)
    assert client.get(first_page).status_code == 200
    return client


def answered(client, url) -> tuple[str, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response.content.decode(), len(queries)


def test_a_page_asked_again_is_answered_kept_in_three_queries(official, xian):
    PracticeFactory(city=xian, title="西安市推行企业开办一网通办")
    client = signed_in(official)
    first, rendered = answered(client, "/city/")
    again, kept = answered(client, "/city/")
    assert again == first and "一网通办" in again
    assert kept == KEPT_QUERIES < rendered
    assert answered(client, "/city/?status=draft")[1] > KEPT_QUERIES  # another address is another page


def _saved(practice):
    practice.title = "改后的标题"
    practice.save()


def _updated(practice):
    Practice.objects.filter(pk=practice.pk).update(title="改后的标题")


def _created_in_bulk(practice):
    Practice.objects.bulk_create(
        [PracticeFactory.build(city=practice.city, indicator=practice.indicator, title="改后的标题")]
    )


def _raw(practice):
    with connection.cursor() as cursor:
        cursor.execute("UPDATE practices_practice SET title = %s WHERE id = %s", ["改后的标题", practice.pk])


def _in_a_transaction(practice):
    with transaction.atomic():
        _saved(practice)


@pytest.mark.parametrize("change", [_saved, _updated, _created_in_bulk, _raw, _in_a_transaction])
def test_any_write_is_on_the_very_next_request(official, xian, change):
    practice = PracticeFactory(city=xian, title="原来的标题")
    client = signed_in(official)
    answered(client, "/city/")
    assert answered(client, "/city/")[1] == KEPT_QUERIES
    change(practice)
    page, queries = answered(client, "/city/")
    assert "改后的标题" in page and queries > KEPT_QUERIES


def test_a_deleted_practice_is_gone_at_once(official, xian):
    practice = PracticeFactory(city=xian, title="将被删除的草稿")
    client = signed_in(official)
    assert "将被删除的草稿" in answered(client, "/city/")[0]
    practice.delete()
    assert "将被删除的草稿" not in answered(client, "/city/")[0]


def test_notifications_read_leave_the_header_at_once(official):
    note = Notification.objects.create(recipient=official, subject="新通知")
    client = signed_in(official)
    assert "1 条未读" in answered(client, "/city/")[0]
    official.notifications.update(read_at=note.created_at)
    assert "条未读" not in answered(client, "/city/")[0]


def test_a_role_taken_away_is_on_the_next_request(official):
    client = signed_in(official)
    answered(client, "/city/")
    official.groups.remove(Group.objects.get(name=Role.CITY_OFFICIAL.value))
    assert client.get("/city/").status_code == 404


def test_no_session_gets_a_page_kept_for_another(official, xian):
    colleague = UserFactory(username="xian_b", first_name="李四", role=Role.CITY_OFFICIAL, city=xian)
    PracticeFactory(city=xian)
    mine, theirs = signed_in(official), signed_in(colleague)
    answered(mine, "/city/")
    page, _queries = answered(theirs, "/city/")
    assert "李四" in page and "张三" not in page
    again = signed_in(official)  # the same user signed in again elsewhere: a session of its own
    assert answered(again, "/city/")[1] > KEPT_QUERIES


def test_a_message_is_shown_once_and_its_page_is_not_kept(official, xian):
    practice = PracticeFactory(city=xian, status=Status.DRAFT, contact_name="", contact_phone="")
    client = signed_in(official)
    before, _queries = answered(client, "/city/")
    assert client.post(f"/city/practices/{practice.pk}/submit/").status_code == 302  # refused: a message, no write
    with_message, queries = answered(client, "/city/")
    assert "提交前请补全" in with_message and queries > KEPT_QUERIES
    after, queries = answered(client, "/city/")
    assert "提交前请补全" not in after and (after, queries) == (before, KEPT_QUERIES)


def test_a_browser_without_its_csrf_cookie_is_never_answered_a_kept_page(official):
    client = signed_in(official)
    for _ in range(2):
        client.cookies.pop("csrftoken")
        response = client.get("/city/")
        assert response.cookies["csrftoken"].value  # the page's token is the one in the cookie it gets with it
    client.cookies.pop("csrftoken")
    assert answered(client, "/city/")[1] > KEPT_QUERIES


def test_a_refused_csrf_cookie_is_never_answered_a_kept_page(official):
    client = signed_in(official)
    answered(client, "/city/")
    client.cookies["csrftoken"] = "not a token"
    response = client.get("/city/")
    assert response.cookies["csrftoken"].value != "not a token"  # a new secret, and the page's token is of it
    client.cookies["csrftoken"] = "not a token"
    assert answered(client, "/city/")[1] > KEPT_QUERIES


def test_each_language_is_a_page_of_its_own(official):
    client = signed_in(official)
    chinese, _queries = answered(client, "/city/")
    client.cookies["django_language"] = "en"
    english, queries = answered(client, "/city/")
    assert english != chinese and queries > KEPT_QUERIES and 'lang="en"' in english


def test_the_review_queue_is_kept_too(db):
    coordinator = UserFactory(role=Role.COORDINATOR)
    PracticeFactory(status=Status.SUBMITTED, title="待审核的做法")
    client = signed_in(coordinator, "/review/")
    first, _queries = answered(client, "/review/")
    assert "待审核的做法" in first and answered(client, "/review/") == (first, KEPT_QUERIES)


@pytest.mark.parametrize(
    ("sql", "table"),
    [
        ('UPDATE "practices_practice" SET "title" = %s', "practices_practice"),
        ('INSERT INTO "practices_review" ("practice_id") VALUES (%s)', "practices_review"),
        ("INSERT OR IGNORE INTO practices_searchindex (rowid) VALUES (1)", "practices_searchindex"),
        ('DELETE FROM "django_session" WHERE 1', "django_session"),
        ("WITH gone AS (DELETE FROM f WHERE rowid = 1) INSERT INTO f SELECT 1", ""),
        ("WITH counted AS (SELECT 1) SELECT * FROM counted", None),
        ("TRUNCATE practices_searchfacets", ""),
        ("DROP INDEX IF EXISTS practices_searchindex_document", ""),
        ("CREATE INDEX practices_searchindex_document ON practices_searchindex USING rum (document)", ""),
        ('UPDATE ONLY "practices_practice" SET "round" = 2', "practices_practice"),
        ("SELECT bizenv_search_write(%s, %s, %s, %s)", None),  # counted by its caller (counted())
        ('SELECT "title" FROM "practices_practice" WHERE "title" = \'UPDATE\'', None),
        ("SAVEPOINT s1", None),
    ],
)
def test_which_statements_write_what(sql, table):
    assert writes.written_table(sql) == table


def test_writes_no_page_shows_do_not_count(official, xian):
    client = signed_in(official)
    before = writes.current(connection)
    client.get("/city/")
    Practice.objects.filter(pk=-1).update(title="无此行")  # no row changed
    client.session.save()
    assert writes.current(connection) == before
    PracticeFactory(city=xian)
    assert writes.current(connection) > before


@pytest.mark.django_db(transaction=True)
def test_the_count_is_raised_by_the_commit_and_never_behind_it(xian):
    practice = PracticeFactory(city=xian)
    before = writes.current(connection)
    with transaction.atomic():
        _saved(practice)
        inside = writes.current(connection)
    after = writes.current(connection)
    assert after > before
    if connection.vendor == "postgresql":  # advanced at the write, for other connections, and again at the commit
        assert before < inside < after


@pytest.mark.django_db(transaction=True)
def test_a_write_outside_a_transaction_is_counted_with_it(xian):
    practice = PracticeFactory(city=xian)
    before = writes.current(connection)
    Practice.objects.filter(pk=practice.pk).update(title="改后的标题")  # autocommit: a transaction of its own
    assert writes.current(connection) > before


@pytest.mark.django_db(transaction=True)
def test_a_write_by_another_connection_is_on_the_next_request(official, xian):
    practice = PracticeFactory(city=xian, title="原来的标题")
    client = signed_in(official)
    answered(client, "/city/")
    assert answered(client, "/city/")[1] == KEPT_QUERIES

    def elsewhere():  # another thread, so another connection: as another worker's
        try:
            _in_a_transaction(practice)
        finally:
            connections.close_all()

    thread = threading.Thread(target=elsewhere)
    thread.start()
    thread.join()
    assert "改后的标题" in answered(client, "/city/")[0]


def test_the_search_index_written_by_a_function_counts(xian):
    from practices.search.maintenance import index_practices

    practice = PracticeFactory(city=xian)
    before = writes.current(connection)
    index_practices([practice.pk])
    assert writes.current(connection) > before
