"""In Chromium: the coordinator assigns, the reviewer scores, the coordinator asks for a revision, 西安 sees it; the
score form reports every missing score at once, and only a complete form or a decision that can be made asks first."""

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
    page.get_by_label("意见（退回修改或不予通过时必填，将发送给城市）").fill("请按评审意见补充统计口径后重新提交。")
    page.once("dialog", lambda dialog: dialog.accept())  # "确定将《…》退回西安市修改吗？…"
    page.get_by_role("button", name="退回修改").click()
    expect(page.get_by_text("已作出决定")).to_be_visible()

    sign_in(page, live_server, "xian")
    page.goto(f"{live_server.url}/city/")
    expect(page.get_by_role("heading", name="待本市修改")).to_be_visible()
    expect(page.get_by_text("请按评审意见补充统计口径后重新提交。").first).to_be_visible()
    page.get_by_role("link", name=practice.title).first.click()
    expect(page.get_by_text("请补充接电时间的统计口径。")).to_be_visible()
    expect(page.get_by_text("数据来源存疑")).to_have_count(0)
    expect(page.get_by_role("link", name="修改", exact=True)).to_be_visible()


def test_the_score_form_says_everything_at_once_and_only_what_can_be_done_asks_first(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    practice = Practice.objects.get(city__code="610100", status=Status.IN_REVIEW)  # the provincial reviewer's
    undecidable = Practice.objects.get(city__code="610700", status=Status.IN_REVIEW)  # nothing submitted yet
    asked, reply = [], {"accept": True}

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept() if reply["accept"] else dialog.dismiss()

    page.on("dialog", answer)

    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/review/practices/{practice.pk}/")
    page.get_by_role("link", name="开始评审").click()
    page.get_by_label("创新性").fill("6")
    page.get_by_label("实效性").fill("7")
    page.get_by_role("button", name="提交评审").click()  # incomplete: sent without a question, refused whole
    expect(page.get_by_text("还有 3 处需要修改：")).to_be_visible()
    missing = ["提交前请为“可复制性”打分（0 到 10）。", "提交前请为“示范性”打分（0 到 10）。", "提交前请选择评审建议。"]
    for error in missing:
        expect(page.get_by_role("link", name=error)).to_be_visible()
    expect(page.get_by_label("创新性")).to_have_value("6")  # what was typed stays
    assert asked == []
    page.get_by_label("可复制性").fill("8")
    page.get_by_label("示范性").fill("9")
    page.get_by_label("评审建议").select_option(label="建议通过")
    page.get_by_role("button", name="提交评审").click()
    expect(page.get_by_text("评审已提交。")).to_be_visible()
    assert asked == ["提交后不能再修改，确定提交吗？"]
    expect(page.get_by_role("link", name="继续评审")).to_have_count(0)
    expect(page.get_by_text("不能再修改")).to_be_visible()

    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/practices/{undecidable.pk}/")
    for name in ("通过", "退回修改", "不予通过"):
        expect(page.get_by_role("button", name=name, exact=True)).to_be_disabled()
    page.goto(f"{live_server.url}/review/practices/{practice.pk}/")
    page.get_by_role("button", name="退回修改").click()  # no message: refused, so not asked
    expect(page.get_by_text("退回修改须写明修改意见。")).to_be_visible()
    assert len(asked) == 1
    page.get_by_label("意见（退回修改或不予通过时必填，将发送给城市）").fill("请补充近三年的办结时限数据。")
    reply["accept"] = False
    page.get_by_role("button", name="退回修改").click()  # asked, and the coordinator thinks better of it
    assert f"《{practice.title}》退回西安市修改" in asked[-1] and "第 2 轮评审" in asked[-1]
    assert Practice.objects.get(pk=practice.pk).status == Status.IN_REVIEW
    reply["accept"] = True
    page.get_by_role("button", name="通过", exact=True).click()
    expect(page.get_by_text("已作出决定")).to_be_visible()
    assert f"确定通过《{practice.title}》吗？" in asked[-1] and "待发布库" in asked[-1]
    assert Practice.objects.get(pk=practice.pk).status == Status.APPROVED
