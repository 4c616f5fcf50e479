"""A person signs in with a real browser, lands on their own work (or back on the page they signed in from), and
sees the home page in Chinese."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_city_official_signs_in_lands_on_their_work_and_sees_the_home_page_in_chinese(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())

    page.goto(f"{live_server.url}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    page.get_by_role("link", name="登录").first.click()

    page.get_by_label("用户名").fill("xian")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()

    expect(page).to_have_url(f"{live_server.url}/city/")  # their own work, not the page they came from
    expect(page.get_by_role("heading", name="西安市经验做法")).to_be_visible()
    page.get_by_role("link", name="优化营商环境典型经验做法").click()
    expect(page.get_by_role("heading", name="我的工作")).to_be_visible()
    expect(page.locator(".who")).to_contain_text("西安市填报员 · 西安市 · 填报员")
    expect(page.get_by_role("table")).to_contain_text("西安市的经验做法")

    page.get_by_role("button", name="退出").click()
    expect(page.get_by_role("link", name="登录").first).to_be_visible()


def test_signing_in_from_a_public_page_comes_back_to_it(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    page.goto(f"{live_server.url}/batches/2022/2/")
    page.get_by_role("link", name="登录").first.click()
    page.get_by_label("用户名").fill("coordinator")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(f"{live_server.url}/batches/2022/2/")
    expect(page.get_by_role("button", name="退出")).to_be_visible()
