"""In Chromium: the coordinator assigns, the reviewer scores, the coordinator asks for a revision, 西安 sees it."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from practices.enums import Status
from practices.models import Practice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username):
    page.context.clear_cookies()
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("button", name="退出")).to_be_visible()  # signed in, on the user's own work


def test_assign_score_request_revision_and_the_city_sees_it(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    practice = Practice.objects.get(city__code="610100", status=Status.SUBMITTED)

    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/practices/{practice.pk}/")
    options = page.get_by_label("评审员").locator("option")
    expect(options).not_to_contain_text(["西安市评审员"])
    page.get_by_label("评审员").select_option(label="省级评审专家")
    page.get_by_role("button", name="分配", exact=True).click()
    expect(page.get_by_text("已分配给 省级评审专家。")).to_be_visible()

    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/review/?mine=on")
    page.get_by_role("link", name=practice.title).click()
    page.get_by_role("link", name="开始评审").click()
    for label in ("创新性", "实效性", "可复制性", "示范性"):
        page.get_by_label(label).fill("6")
    page.get_by_label("评审建议").select_option(label="建议修改")
    page.get_by_label("给城市的意见").fill("请补充接电时间的统计口径。")
    page.get_by_label("内部备注（城市不可见）").fill("数据来源存疑")
    page.once("dialog", lambda dialog: dialog.accept())  # "提交后不能再修改，确定提交吗？"
    page.get_by_role("button", name="提交评审").click()
    expect(page.get_by_text("评审已提交。")).to_be_visible()

    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/practices/{practice.pk}/")
    expect(page.get_by_text("加权总分均值")).to_be_visible()
    page.get_by_role("radio", name="退回修改").check()
    page.get_by_label("意见（退回修改或不予通过时必填，将发送给城市）").fill("请按评审意见补充统计口径后重新提交。")
    page.get_by_role("button", name="确认决定").click()
    expect(page.get_by_text("已作出决定")).to_be_visible()

    sign_in(page, live_server, "xian")
    page.goto(f"{live_server.url}/city/")
    expect(page.get_by_role("heading", name="待本市修改")).to_be_visible()
    expect(page.get_by_text("请按评审意见补充统计口径后重新提交。").first).to_be_visible()
    page.get_by_role("link", name=practice.title).first.click()
    expect(page.get_by_text("请补充接电时间的统计口径。")).to_be_visible()
    expect(page.get_by_text("数据来源存疑")).to_have_count(0)
    expect(page.get_by_role("link", name="修改", exact=True)).to_be_visible()
