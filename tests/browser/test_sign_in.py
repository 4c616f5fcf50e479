"""A person signs in with a real browser and sees the home page in Chinese."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_official_signs_in_and_sees_the_home_page_in_chinese(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("link", name="登录").first.click()

    page.get_by_label("用户名").fill("xian")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(f"{live_server.url}/")
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("西安市填报员 · 西安市 · 填报员")
    expect(page.get_by_role("table")).to_contain_text("西安市的经验做法")

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()
