"""Passwords people manage themselves: changing one (which ends their other sessions), recovering one by email,
and the invitation that lets a new account's holder set the first one. No password is ever in an email."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client

from practices import regions
from practices.enums import Role
from practices.models import City, Membership
from practices.services import outside_city

pytestmark = pytest.mark.django_db

NEW = "Qinling-mountains-2026"


def signed_in(username) -> Client:
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def link_in(message) -> str:
    """The path of the one-time link in an email."""
    (path,) = re.findall(r"https?://[^/\s]+(/accounts/reset/\S+)", message.body)
    return path


def set_password_from(client, link, password=NEW):
    form = client.get(link, follow=True)  # the link redirects to a page without the token in its address
    assert "设置密码" in form.content.decode()
    return client.post(form.redirect_chain[-1][0], {"new_password1": password, "new_password2": password})


def test_changing_ones_password_ends_ones_other_sessions(demo):
    here, elsewhere = signed_in("xian"), signed_in("xian")
    page = here.get("/accounts/password_change/")
    assert page.status_code == 200 and "修改密码" in page.content.decode()
    response = here.post(
        "/accounts/password_change/", {"old_password": "demo", "new_password1": NEW, "new_password2": NEW}
    )
    assert response.status_code == 302 and response.url == "/accounts/password_change/done/"
    assert here.get("/city/").status_code == 200  # this session goes on
    assert elsewhere.get("/city/").status_code == 302  # the other one is signed out
    assert Client().post("/accounts/login/", {"username": "xian", "password": NEW}).status_code == 302


@pytest.mark.parametrize(
    "old, new, message",
    [
        ("wrong", NEW, "你的旧密码不正确"),
        ("demo", "short1", "密码太短，至少要有 10 个字符。"),
        ("demo", "password123", "这个密码太常见了。"),
        ("demo", "xian_official_2", "太相似了"),
        ("demo", "12345678901234", "密码只包含数字。"),
    ],
)
def test_a_weak_or_unproven_password_is_refused_in_chinese(demo, old, new, message):
    client = signed_in("xian")
    get_user_model().objects.filter(username="xian").update(first_name="xian_official")
    response = client.post(
        "/accounts/password_change/", {"old_password": old, "new_password1": new, "new_password2": new}
    )
    html = response.content.decode()
    assert response.status_code == 200 and message in html
    assert Client().post("/accounts/login/", {"username": "xian", "password": "demo"}).status_code == 302


def test_a_forgotten_password_is_set_again_from_a_one_time_link(demo, settings):
    settings.SITE_URL = "https://bizenv.example.gov.cn"
    user = get_user_model().objects.get(username="xian")
    user.email = "xian@example.gov.cn"
    user.save()
    client = Client()
    response = client.post("/accounts/password_reset/", {"email": "xian@example.gov.cn"})
    assert response.status_code == 302 and response.url == "/accounts/password_reset/done/"
    (message,) = mail.outbox
    assert message.to == ["xian@example.gov.cn"] and "设置新密码" in message.subject
    assert "https://bizenv.example.gov.cn/accounts/reset/" in message.body and "demo" not in message.body
    link = link_in(message)
    assert set_password_from(client, link).status_code == 302
    assert Client().post("/accounts/login/", {"username": "xian", "password": NEW}).status_code == 302
    spent = client.get(link, follow=True).content.decode()
    assert "此链接无效" in spent  # once only

    assert Client().post("/accounts/password_reset/", {"email": "nobody@example.gov.cn"}).status_code == 302
    assert len(mail.outbox) == 1  # an unknown address: the same answer, and no mail


def test_the_coordinator_invites_a_city_official_who_sets_their_own_password(demo, django_capture_on_commit_callbacks):
    coordinator = signed_in("coordinator")
    xian = City.objects.get(code="610100")
    data = {
        "username": "xian_li",
        "name": "李明",
        "email": "li@example.gov.cn",
        "role": Role.CITY_OFFICIAL,
        "city": xian.pk,
    }
    with django_capture_on_commit_callbacks(execute=True):  # the email leaves once the account is saved
        response = coordinator.post("/accounts/invite/", data, follow=True)
    assert "已开设账号“xian_li”，邀请邮件已发至 li@example.gov.cn。" in response.content.decode()
    user = get_user_model().objects.get(username="xian_li")
    assert not user.has_usable_password() and user.groups.get().name == Role.CITY_OFFICIAL
    assert Membership.objects.get(user=user).city == xian
    (message,) = mail.outbox
    assert message.to == ["li@example.gov.cn"] and "李明" in message.body and "xian_li" in message.body
    assert "xian_li</td>" in response.content.decode()  # listed until the password is set

    newcomer = Client()
    assert set_password_from(newcomer, link_in(message)).status_code == 302
    assert Client().post("/accounts/login/", {"username": "xian_li", "password": NEW}).status_code == 302
    assert "xian_li</td>" not in coordinator.get("/accounts/invite/").content.decode()


@pytest.mark.parametrize(
    "change, field_error",
    [
        ({"city": ""}, "填报员必须属于一个城市。"),
        ({"username": "XIAN"}, "用户名“XIAN”已被使用。"),
        ({"username": "李 明"}, "请输入合法的用户名"),
        ({"email": "not-an-address"}, "输入一个有效的 Email 地址。"),
        ({"role": Role.COORDINATOR}, "选择一个有效的选项"),  # only the administrator opens coordinators
        ({"city": "abc"}, "请从列表中选择本省的城市。"),
    ],
)
def test_a_wrong_invitation_is_refused_and_creates_nothing(demo, change, field_error):
    data = {"username": "xian_li", "name": "李明", "email": "li@example.gov.cn", "role": Role.CITY_OFFICIAL}
    data["city"] = City.objects.get(code="610100").pk
    before = get_user_model().objects.count()
    response = signed_in("coordinator").post("/accounts/invite/", {**data, **change})
    assert response.status_code == 200 and field_error in response.content.decode()
    assert get_user_model().objects.count() == before and not mail.outbox


def test_an_invitation_never_offers_nor_takes_a_region_outside_the_province(demo):
    outside = outside_city(regions.get("371100"))
    coordinator = signed_in("coordinator")
    page = coordinator.get("/accounts/invite/").content.decode()
    assert f'<option value="{City.objects.get(code="610100").pk}">西安市</option>' in page
    assert "日照市" not in page
    data = {"username": "rizhao", "name": "王", "email": "w@example.gov.cn", "role": Role.CITY_OFFICIAL}
    response = coordinator.post("/accounts/invite/", {**data, "city": outside.pk})
    assert response.status_code == 200 and "请从列表中选择本省的城市。" in response.content.decode()
    assert not get_user_model().objects.filter(username="rizhao").exists()


def test_the_administrator_invites_from_the_admin(demo):
    user = get_user_model().objects.create(username="reviewer_wang", email="wang@example.gov.cn")
    user.set_unusable_password()
    user.save()
    admin = signed_in("admin")
    response = admin.post("/admin/auth/user/", {"action": "invite", "_selected_action": [user.pk]}, follow=True)
    assert "已向 1 个账号发送邀请邮件。" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["wang@example.gov.cn"] and "/accounts/reset/" in message.body
