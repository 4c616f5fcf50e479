"""/healthz answers whether this server can serve, in JSON, with 200 or 503; and a database out of reach is a
503 page that says so, from which the server recovers by itself once the database is back."""

import datetime
import socket

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone

from bizenv.models import OutboxMail

pytestmark = pytest.mark.django_db
CHECKS = {"database", "migrations", "cache", "media", "mail"}


def health(client, query=""):
    response = client.get("/healthz" + query)
    return response.status_code, response.json()


def test_a_healthy_server_says_ok_for_every_check(client, media):
    status, body = health(client)
    assert status == 200 and body["status"] == "ok" and set(body["checks"]) == CHECKS
    assert all(check["ok"] and check["ms"] >= 0 for check in body["checks"].values())


def test_it_needs_no_sign_in_no_known_host_and_sets_no_cookie(media):
    response = Client(HTTP_HOST="10.1.2.3").get("/healthz")  # a monitor calling the server by its address
    assert response.status_code == 200 and not response.cookies
    assert response["Cache-Control"] == "no-store"
    assert Client(HTTP_HOST="10.1.2.3").get("/").status_code == 400  # the site itself still checks the Host


def test_some_checks_only_and_a_check_that_does_not_exist(client, media):
    status, body = health(client, "?check=database,cache")
    assert status == 200 and set(body["checks"]) == {"database", "cache"}
    status, body = health(client, "?check=database&check=nonsense")
    assert status == 400 and "nonsense" in body["error"]


def test_a_stuck_mail_queue_is_a_failure_that_says_how_long(client, media, settings):
    row = OutboxMail.objects.create(subject="主题", from_email="a@b.c", to=["x@y.z"], next_attempt_at=timezone.now())
    assert health(client)[0] == 200  # waiting a moment is normal
    OutboxMail.objects.filter(pk=row.pk).update(created_at=timezone.now() - datetime.timedelta(minutes=31))
    status, body = health(client)
    assert status == 503 and body["status"] == "fail"
    assert body["checks"]["mail"]["ok"] is False and body["checks"]["mail"]["oldest_waiting_seconds"] >= 31 * 60
    assert body["checks"]["database"]["ok"] is True
    assert health(client, "?check=database,migrations,cache,media")[0] == 200  # a load balancer's question


def test_an_old_message_waiting_to_retry_is_stuck_whatever_came_after(client, media):
    now = timezone.now()
    old = OutboxMail.objects.create(
        subject="旧", from_email="a@b.c", to=["x@y.z"], attempts=3, next_attempt_at=now + datetime.timedelta(hours=1)
    )
    OutboxMail.objects.filter(pk=old.pk).update(created_at=now - datetime.timedelta(hours=2))
    OutboxMail.objects.create(subject="新", from_email="a@b.c", to=["x@y.z"], next_attempt_at=now)  # due first
    status, body = health(client, "?check=mail")
    assert status == 503 and body["checks"]["mail"]["oldest_waiting_seconds"] >= 2 * 60 * 60


def test_media_that_cannot_be_written_is_a_failure(client, settings, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    settings.MEDIA_ROOT = blocker / "media"
    status, body = health(client)
    assert status == 503 and body["checks"]["media"] == {
        "ok": False,
        "ms": body["checks"]["media"]["ms"],
        "error": "NotADirectoryError",
    }


def out_of_reach():
    """Point the connection somewhere no database answers, as when the server goes away; what to put back."""
    saved = dict(connection.settings_dict)
    connection.close()
    if connection.vendor == "sqlite":
        connection.settings_dict["NAME"] = "/nonexistent-folder/bizenv.sqlite3"
    else:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            connection.settings_dict.update(HOST="127.0.0.1", PORT=probe.getsockname()[1])
    return saved


def back(saved):
    connection.close()
    connection.settings_dict.clear()
    connection.settings_dict.update(saved)


@pytest.mark.django_db(transaction=True)
def test_a_database_out_of_reach_is_a_503_page_and_the_same_process_recovers(demo, media):
    client = Client(raise_request_exception=False)
    saved = out_of_reach()
    try:
        response = client.get("/practices/")
        html = response.content.decode()
        assert response.status_code == 503 and response["Retry-After"] == "10"
        assert "服务暂时不可用" in html and response["X-Request-ID"] in html and "Traceback" not in html
        status, body = health(client)
        assert status == 503 and body["checks"]["database"] == {
            "ok": False,
            "ms": body["checks"]["database"]["ms"],
            "error": "OperationalError",
        }
    finally:
        back(saved)  # the database is back: no restart
    assert client.get("/practices/").status_code == 200 and health(client)[0] == 200
