"""Mail out of the request: the outbox row is written with the change (or rolled back with it), a worker sends
it, a mail server that refuses or hangs never touches the request, failures are retried with growing waits and
given up in the end, and two workers never send one message twice."""

import datetime
import io
import itertools
import socket
import threading

import pytest
from django.core import mail as django_mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from bizenv import mail
from bizenv.models import OutboxMail
from practices.enums import Role, Status
from practices.notifications import notify
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db
LOCMEM = "django.core.mail.backends.locmem.EmailBackend"
SMTP = "django.core.mail.backends.smtp.EmailBackend"


@pytest.fixture
def outbox(settings):
    """bizenv's own mail path (the test runner swaps in Django's in-memory backend for EMAIL_BACKEND)."""
    settings.EMAIL_BACKEND = "bizenv.mail.OutboxBackend"
    settings.BIZENV_EMAIL_BACKEND = LOCMEM
    django_mail.outbox = []
    return settings


@pytest.fixture
def dead_port():
    """A port on this machine where nothing listens: a mail server that is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def silent_server():
    """A mail server that accepts the connection and then never says a word."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    yield server.getsockname()[1]
    server.close()


def submitted_by_an_official(client, xian):
    UserFactory(username="coordinator_m", role=Role.COORDINATOR, email="co@example.gov.cn")
    official = UserFactory(username="xian_m", role=Role.CITY_OFFICIAL, city=xian)
    practice = PracticeFactory(city=xian, status=Status.DRAFT, summary="摘要", contact_name="李", contact_phone="029-1")
    client.force_login(official)
    response = client.post(f"/city/practices/{practice.pk}/submit/", {"version": practice.version})
    practice.refresh_from_db()
    return response, practice


def test_a_submission_writes_the_coordinators_email_to_the_outbox_and_the_worker_sends_it(client, xian, outbox):
    response, practice = submitted_by_an_official(client, xian)
    assert response.status_code == 302 and practice.status == Status.SUBMITTED
    row = OutboxMail.objects.get()
    assert row.to == ["co@example.gov.cn"] and row.sent_at is None and django_mail.outbox == []
    assert mail.send_due() == (1, 0)
    sent = django_mail.outbox[0]
    assert (
        sent.to == ["co@example.gov.cn"]
        and sent.subject == row.subject
        and f"/review/practices/{practice.pk}/" in sent.body
    )
    row.refresh_from_db()
    assert row.sent_at is not None and row.attempts == 1
    assert mail.send_due() == (0, 0)  # sent once


def test_a_change_rolled_back_takes_its_email_with_it(xian, outbox):
    user = UserFactory(email="a@example.gov.cn")
    with pytest.raises(RuntimeError), transaction.atomic():
        notify([user], subject="不会发出", message="")
        raise RuntimeError
    assert not OutboxMail.objects.exists()


def test_a_mail_server_that_is_down_does_not_touch_the_submission(client, xian, outbox, dead_port):
    outbox.BIZENV_EMAIL_BACKEND, outbox.EMAIL_HOST, outbox.EMAIL_PORT = SMTP, "127.0.0.1", dead_port
    response, practice = submitted_by_an_official(client, xian)
    assert response.status_code == 302 and practice.status == Status.SUBMITTED
    before = timezone.now()
    assert mail.send_due() == (0, 1)
    row = OutboxMail.objects.get()
    assert row.attempts == 1 and row.sent_at is None and row.failed_at is None
    assert "ConnectionRefusedError" in row.last_error
    assert before + mail.FIRST_RETRY <= row.next_attempt_at <= timezone.now() + mail.FIRST_RETRY
    assert mail.send_due() == (0, 0)  # not due again before its wait is over


def test_a_mail_server_that_hangs_is_given_up_on_after_the_timeout(xian, outbox, silent_server):
    outbox.BIZENV_EMAIL_BACKEND, outbox.EMAIL_HOST, outbox.EMAIL_PORT = SMTP, "127.0.0.1", silent_server
    outbox.EMAIL_TIMEOUT = 0.2
    notify([UserFactory(email="a@example.gov.cn")], subject="主题")
    assert mail.send_due() == (0, 1)
    assert "timed out" in OutboxMail.objects.get().last_error.lower()


def test_failures_wait_longer_each_time_and_are_given_up_after_the_last_attempt(xian, outbox, dead_port):
    outbox.BIZENV_EMAIL_BACKEND, outbox.EMAIL_HOST, outbox.EMAIL_PORT = SMTP, "127.0.0.1", dead_port
    notify([UserFactory(email="a@example.gov.cn")], subject="主题")
    waits = []
    for _attempt in range(mail.MAX_ATTEMPTS):
        OutboxMail.objects.update(next_attempt_at=timezone.now())  # its time has come
        started = timezone.now()
        assert mail.send_due() == (0, 1)
        row = OutboxMail.objects.get()
        waits.append(row.next_attempt_at - started)
    assert row.failed_at is not None and row.attempts == mail.MAX_ATTEMPTS
    growing = waits[: mail.MAX_ATTEMPTS - 1]
    assert all(a < b or b >= mail.LONGEST_WAIT for a, b in itertools.pairwise(growing))
    assert max(growing) <= mail.LONGEST_WAIT + datetime.timedelta(seconds=5)
    # The admin's "send again" puts it back in line; with the server up, it goes.
    assert mail.retry_now(OutboxMail.objects.all()) == 1
    outbox.BIZENV_EMAIL_BACKEND = LOCMEM
    assert mail.send_due() == (1, 0) and len(django_mail.outbox) == 1


def test_the_command_sends_what_is_due_and_says_so(xian, outbox):
    notify([UserFactory(email="a@example.gov.cn"), UserFactory(email="b@example.gov.cn")], subject="主题")
    out = io.StringIO()
    call_command("send_mail_queue", stdout=out)
    assert "已发送 1 封，失败 0 封" in out.getvalue()  # one message, two recipients
    assert django_mail.outbox[0].to == ["a@example.gov.cn", "b@example.gov.cn"]


@pytest.mark.django_db(transaction=True)
def test_two_workers_never_send_one_message_twice(outbox):
    users = [UserFactory(email=f"u{n}@example.gov.cn") for n in range(30)]
    for user in users:
        notify([user], subject=f"给 {user.username}")
    barrier = threading.Barrier(2)
    counts = []

    def worker():
        from django.db import connection

        barrier.wait()
        try:
            while (done := mail.send_due(limit=4))[0]:
                counts.append(done)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent for sent, _failed in counts) == 30
    assert sorted(m.to[0] for m in django_mail.outbox) == sorted(u.email for u in users)
    assert OutboxMail.objects.filter(sent_at=None).count() == 0
