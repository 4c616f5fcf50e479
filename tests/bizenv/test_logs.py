"""One log line per request and per recorded change, each with the request's id; JSON when asked; the id on the
500 page is the one in the log and in the response's header."""

import json
import logging
import logging.config

import pytest
from django.test import RequestFactory

from bizenv.web import errors, logs
from practices.enums import Role, Status
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


def lines(caplog, logger):
    return [record for record in caplog.records if record.name == logger]


def test_each_request_is_one_line_with_its_id_status_time_and_user(client, demo, caplog):
    user = UserFactory(username="logged", role=Role.COORDINATOR)
    client.force_login(user)
    with caplog.at_level(logging.INFO, logger="bizenv.request"):
        response = client.get("/review/")
    [line] = lines(caplog, "bizenv.request")
    assert (line.method, line.path, line.status, line.user) == ("GET", "/review/", 200, user.pk)
    assert line.request_id == response["X-Request-ID"] and line.ms > 0
    assert line.getMessage().startswith("GET /review/ 200 ") and line.getMessage().endswith(f"user={user.pk}")


def test_the_proxys_request_id_is_kept_only_from_a_trusted_proxy(client, settings):
    given = "a1b2c3d4e5f60718"
    assert client.get("/healthz/x", HTTP_X_REQUEST_ID=given)["X-Request-ID"] != given
    settings.TRUSTED_PROXY = True
    assert client.get("/healthz/x", HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given
    made_up = client.get("/healthz/x", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert made_up != "<script>" and logs.GOOD_ID.fullmatch(made_up)


def test_a_state_change_is_a_line_saying_who_what_and_the_outcome(client, xian, caplog):
    official = UserFactory(username="xian_l", role=Role.CITY_OFFICIAL, city=xian)
    practice = PracticeFactory(city=xian, status=Status.DRAFT, summary="摘要", contact_name="李", contact_phone="1")
    client.force_login(official)
    with caplog.at_level(logging.INFO):
        response = client.post(f"/city/practices/{practice.pk}/submit/", {"version": practice.version})
    during = [r for r in lines(caplog, "bizenv.changes") if r.request_id == response["X-Request-ID"]]
    changed = [r for r in during if r.model == "practices.Practice"]
    assert [(r.object, r.action, r.status, r.by) for r in changed] == [
        (practice.pk, "changed", Status.SUBMITTED, official.pk)
    ]


def test_json_lines_hold_the_same_fields(caplog):
    config = logs.logging_config("INFO", "json")
    formatter = logging.config.DictConfigurator(config).configure_formatter(config["formatters"]["json"])
    record = logging.LogRecord("bizenv.request", logging.INFO, __file__, 1, "GET %s", ("/审批/",), None)
    record.request_id, record.status = "abc12345", 200
    line = json.loads(formatter.format(record))
    assert line["message"] == "GET /审批/" and line["status"] == 200 and line["request_id"] == "abc12345"
    assert line["level"] == "INFO" and line["logger"] == "bizenv.request" and "time" in line
    with pytest.raises(ValueError):
        logs.logging_config("INFO", "xml")


def test_the_500_page_shows_the_id_the_log_and_the_header_carry():
    middleware = logs.RequestLogMiddleware(errors.server_error)
    response = middleware(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500 and "系统出错" in html and response["X-Request-ID"] in html


def test_a_bulk_write_is_one_line_naming_its_rows(caplog, db):
    from bizenv.web.history import recorded
    from practices.models import Practice

    practices = [PracticeFactory() for _ in range(3)]
    with caplog.at_level(logging.INFO, logger="bizenv.changes"):
        recorded(practices, by=None)
    [line] = [r for r in lines(caplog, "bizenv.changes") if hasattr(r, "objects")]
    assert line.objects == [p.pk for p in practices] and line.action == "changed"
    assert line.getMessage() == f"practices.Practice changed 3 rows (#{practices[0].pk} … #{practices[-1].pk}) by=-"
    assert Practice.history.filter(id__in=line.objects).count() == 6  # created, then recorded as changed
