"""Work after the response: queued by a request and run once it has been answered, each failure logged and the rest
still run; at once outside a request; with the request's database connection, which Django then closes as usual."""

import logging

import pytest
from django.contrib.auth.models import Group
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import path

from bizenv.web.after import after_response

done: list[str] = []


def fail():
    raise RuntimeError("the work failed")


def queue_three(request):
    after_response(lambda: done.append("first"))
    after_response(fail)
    after_response(lambda: done.append("third"))
    return HttpResponse(",".join(done) or "nothing yet")


def queue_a_write(request):
    Group.objects.exists()  # the request uses the database too
    after_response(lambda: done.append(Group.objects.create(name="after the response").name))
    return HttpResponse("ok")


urlpatterns = [path("queue-three/", queue_three), path("queue-a-write/", queue_a_write)]


@pytest.fixture(autouse=True)
def nothing_done():
    done.clear()


def failures(caplog):
    return [r for r in caplog.records if r.name == "bizenv.web.after" and r.levelno == logging.ERROR]


@pytest.mark.urls(__name__)
def test_a_requests_work_runs_once_it_is_answered_and_a_failure_stops_nothing(client, caplog):
    response = client.get("/queue-three/")
    assert (response.status_code, response.content) == (200, b"nothing yet")
    assert done == ["first", "third"]
    [failure] = failures(caplog)
    assert failure.exc_info[0] is RuntimeError and "test_after.fail" in failure.getMessage()
    assert failure.request_id == response["X-Request-ID"]


@pytest.mark.urls(__name__)
def test_each_request_runs_its_own_work_once(client):
    client.get("/queue-three/")
    client.get("/queue-three/")
    assert done == ["first", "third", "first", "third"]


def test_outside_a_request_the_work_runs_at_once_and_a_failure_is_logged(caplog):
    after_response(lambda: done.append("now"))
    assert done == ["now"]
    after_response(fail)
    assert len(failures(caplog)) == 1


@pytest.mark.urls(__name__)
@pytest.mark.django_db(transaction=True)
def test_the_work_has_the_requests_connection_which_django_then_closes(monkeypatch):
    """Served as a WSGI server serves it, every receiver of request_finished connected (the test client leaves
    Django's close_old_connections out): with CONN_MAX_AGE 0, the connection is closed at the end of a request. The
    work runs before that, on the connection, and leaves none open."""
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 0)
    connection.close()  # the next connection is opened under CONN_MAX_AGE 0
    response = WSGIHandler()(RequestFactory().get("/queue-a-write/").environ, lambda status, headers: None)
    assert b"".join(response) == b"ok" and done == []
    response.close()  # what the server does once the body is sent: request_finished
    assert done == ["after the response"]
    assert connection.connection is None
    assert Group.objects.filter(name="after the response").exists()
