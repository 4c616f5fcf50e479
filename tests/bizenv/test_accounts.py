"""Signing in and out (bizenv/web/accounts.py and Django's own views), in Chinese."""

import pytest

pytestmark = pytest.mark.django_db


def test_login_page(client):
    html = client.get("/accounts/login/").content.decode()
    assert "用户名" in html and "密码" in html and 'name="csrfmiddlewaretoken"' in html


def test_wrong_password_says_so_in_chinese(client, demo):
    response = client.post("/accounts/login/", {"username": "xian", "password": "wrong"})
    assert response.status_code == 200
    assert "请输入一个正确的用户名和密码" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_sign_out_asks_on_get_and_ends_the_session_on_post(client, demo):
    client.login(username="xian", password="demo")
    response = client.get("/accounts/logout/")
    assert response.status_code == 200 and "确定要退出登录吗？" in response.content.decode()
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/"
    assert "_auth_user_id" not in client.session
