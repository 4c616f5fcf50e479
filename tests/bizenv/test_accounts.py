"""Signing in and out (bizenv/web/accounts.py and Django's own views), in Chinese; the lockout after repeated
wrong passwords (django-axes)."""

import datetime
import io

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client, RequestFactory
from django.utils import timezone

from bizenv.web.accounts import client_address

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
    client.force_login(get_user_model().objects.get(username="xian"))
    response = client.get("/accounts/logout/")
    assert response.status_code == 200 and "确定要退出登录吗？" in response.content.decode()
    assert "_auth_user_id" in client.session
    response = client.post("/accounts/logout/")
    assert response.status_code == 302 and response.url == "/"
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("username", "lands_on"),
    [
        ("xian", "/city/"),  # a city official: their city's practices
        ("reviewer", "/review/"),
        ("reviewer_xian", "/review/"),  # a reviewer who belongs to a city is no city official
        ("coordinator", "/review/"),
        ("admin", "/admin/"),
        ("nobody", "/"),  # an account with no role yet
    ],
)
def test_signing_in_lands_on_ones_own_work(client, demo, username, lands_on):
    if username == "nobody":
        get_user_model().objects.create_user("nobody", password="demo")
    response = client.post("/accounts/login/", {"username": username, "password": "demo"})
    assert response.status_code == 302 and response.url == lands_on
    assert client.get("/accounts/login/").url == lands_on  # signed in already: sent there too
    assert client.get(lands_on).status_code == 200


@pytest.mark.parametrize(
    ("next_", "lands_on"),
    [
        ("/practices/?q=纳税", "/practices/?q=%E7%BA%B3%E7%A8%8E"),
        ("/", "/"),
        ("https://evil.example/city/", "/city/"),  # another site: as if there were no next
        ("//evil.example/", "/city/"),
        ("javascript:alert(1)", "/city/"),
    ],
)
def test_a_next_of_our_own_site_says_otherwise(client, demo, next_, lands_on):
    response = client.post("/accounts/login/", {"username": "xian", "password": "demo", "next": next_})
    assert response.status_code == 302 and response.url == lands_on


def test_the_header_sends_back_to_the_page_it_was_on_except_from_home(client):
    assert 'href="/accounts/login/"' in client.get("/").content.decode()
    assert 'href="/accounts/login/?next=/practices/%3Fq%3D1"' in client.get("/practices/?q=1").content.decode()


def sign_in(client, username, password, address="10.0.0.1", path="/accounts/login/"):
    return client.post(path, {"username": username, "password": password}, REMOTE_ADDR=address)


def test_five_wrong_passwords_lock_that_user_at_that_address_for_15_minutes(client, demo, caplog):
    for _ in range(4):
        assert sign_in(client, "xian", "wrong").status_code == 200  # the form again, with its error
    locked = sign_in(client, "xian", "wrong")
    assert locked.status_code == 429
    until = (timezone.localtime() + datetime.timedelta(minutes=15)).strftime("%H:%M")
    assert "连续 5 次密码错误，已暂停登录" in locked.content.decode() and until in locked.content.decode()
    assert 'Locking out {username: "xian", ip_address: "10.0.0.1"' in caplog.text

    right = sign_in(client, "xian", "demo")
    assert right.status_code == 429 and "_auth_user_id" not in client.session  # the right password too
    assert sign_in(Client(), "xian", "demo", address="10.0.0.2").status_code == 302  # another address
    assert sign_in(Client(), "hanzhong", "demo").status_code == 302  # another user

    call_command("axes_reset_username", "xian", stdout=io.StringIO())  # what the IT office runs to unlock
    assert sign_in(client, "xian", "demo").status_code == 302


def test_a_success_clears_the_count(client, demo):
    for _ in range(4):
        sign_in(client, "xian", "wrong")
    assert sign_in(client, "xian", "demo").status_code == 302
    client.post("/accounts/logout/")
    for _ in range(4):
        assert sign_in(client, "xian", "wrong").status_code == 200


def test_the_admin_sign_in_locks_too(client, demo):
    for _ in range(5):
        response = sign_in(client, "admin", "wrong", path="/admin/login/")
    assert response.status_code == 429
    assert sign_in(client, "admin", "demo", path="/admin/login/").status_code == 429


def test_behind_a_trusted_proxy_the_address_is_the_proxys_last_forwarded_one(settings):
    request = RequestFactory().post("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR="1.2.3.4, 192.168.1.7")
    assert client_address(request) == "10.0.0.9"  # the header is anyone's to send
    settings.TRUSTED_PROXY = True
    assert client_address(request) == "192.168.1.7"  # the address our proxy added


def test_an_admin_unlocks_in_the_admin(client, demo):
    for _ in range(5):
        sign_in(client, "xian", "wrong")
    admin = Client()
    admin.force_login(get_user_model().objects.get(username="admin"))
    listing = admin.get("/admin/axes/accessattempt/")
    assert listing.status_code == 200 and "xian" in listing.content.decode()
    attempt = AccessAttempt.objects.get(username="xian")
    assert admin.post(f"/admin/axes/accessattempt/{attempt.pk}/delete/", {"post": "yes"}).status_code == 302
    assert sign_in(client, "xian", "demo").status_code == 302
