"""The error pages say in Chinese what happened and that nothing changed: 400, 403, a stale form (CSRF), 404, 413,
500."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client, RequestFactory
from django.views import defaults

pytestmark = pytest.mark.django_db


def test_a_page_that_does_not_exist(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404 and "页面不存在" in response.content.decode()


def test_a_stale_form_says_the_page_expired_and_nothing_changed(demo):
    client = Client(enforce_csrf_checks=True)
    client.force_login(get_user_model().objects.get(username="coordinator"))
    response = client.post("/review/batches/", {"year": "2030"})  # no token: a form kept open past its session
    html = response.content.decode()
    assert response.status_code == 403 and "页面已过期" in html and "数据没有任何改动" in html


def test_too_much_form_data_is_a_bad_request_in_chinese(client, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    response = client.post("/accounts/login/", {f"f{n}": "x" for n in range(20)})
    assert response.status_code == 400 and "请求有误" in response.content.decode()


@pytest.mark.parametrize(
    "view, status, text", [(defaults.server_error, 500, "系统出错"), (defaults.permission_denied, 403, "无法完成操作")]
)
def test_the_other_error_pages(view, status, text):
    request = RequestFactory().get("/")
    response = view(request) if view is defaults.server_error else view(request, exception=None)
    assert response.status_code == status and text in response.content.decode()
