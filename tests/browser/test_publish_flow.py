"""In Chromium: the coordinator composes and publishes a batch; a visitor reads it, filters, downloads Word; the
cities read the publication in their inbox."""

import io

import pytest
from django.core.management import call_command
from docx import Document
from playwright.sync_api import expect

from practices.enums import Status
from practices.models import Practice
from tests.browser.test_review_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_compose_publish_and_read(live_server, page, browser):
    call_command("load_demo", force=True, stdout=io.StringIO())
    approved = list(Practice.objects.filter(status=Status.APPROVED, batch_entry__isnull=True))
    assert approved

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("coordinator")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/review/batches/")
    page.get_by_label("年份").fill("2026")
    page.get_by_role("button", name="新建批次").click()
    expect(page.get_by_role("heading", name="2026年第一批优化营商环境典型经验做法")).to_be_visible()
    for practice in approved:
        page.get_by_role("checkbox", name=f"选择 {practice.title}").check()
    page.get_by_role("button", name="加入本批次").click()
    expect(page.get_by_label("导语")).to_contain_text(f"此次推出的{len(approved)}项典型经验做法中")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布本批次").click()
    expect(page.get_by_text("已发布“2026年第一批优化营商环境典型经验做法”。")).to_be_visible()

    visitor = browser.new_context(locale="zh-CN", accept_downloads=True).new_page()
    visitor.goto(f"{live_server.url}/batches/")
    visitor.get_by_role("link", name="2026年第一批优化营商环境典型经验做法").click()
    for practice in approved:
        expect(visitor.get_by_role("link", name=practice.title)).to_be_visible()
    visitor.goto(f"{live_server.url}/practices/")
    visitor.get_by_label("城市").select_option(label="汉中市")
    visitor.get_by_role("button", name="筛选").click()
    expect(visitor.get_by_role("table")).not_to_contain_text("西安市")
    visitor.goto(f"{live_server.url}/batches/2026/1/")
    with visitor.expect_download() as download_info:
        visitor.get_by_role("link", name="Word").click()
    path = download_info.value.path()
    texts = [p.text for p in Document(path).paragraphs]
    assert texts[0] == "2026年第一批优化营商环境典型经验做法"
    assert any(approved[0].title in t for t in texts)


def test_a_publication_reaches_the_citys_inbox(live_server, page):
    """The coordinator publishes; 汉中 signs in and reads, in its inbox, the batch, what it now owes and that its
    own practice is in it, and follows the link to its 台账."""
    call_command("load_demo", force=True, stdout=io.StringIO())
    approved = list(Practice.objects.filter(status=Status.APPROVED, batch_entry__isnull=True).select_related("city"))
    hanzhong_own = next(p for p in approved if p.city.code == "610700")
    others = [p for p in approved if p.city.code != "610700"]
    assert others

    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/batches/")
    page.get_by_label("年份").fill("2026")
    page.get_by_role("button", name="新建批次").click()
    for practice in approved:
        page.get_by_role("checkbox", name=f"选择 {practice.title}").check()
    page.get_by_role("button", name="加入本批次").click()
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布本批次").click()
    expect(page.get_by_text("已发布“2026年第一批优化营商环境典型经验做法”。")).to_be_visible()

    sign_in(page, live_server, "hanzhong")
    page.get_by_role("link", name="通知").click()
    published = page.get_by_role("listitem").filter(has_text="2026年第一批优化营商环境典型经验做法已发布")
    expect(published).to_have_count(1)
    for practice in approved:
        expect(published).to_contain_text(practice.title)
    expect(published).to_contain_text(f"报告其中 {len(others)} 项全省复制推广经验做法的落实情况")
    own = page.get_by_role("link", name=f"你市的《{hanzhong_own.title}》已收入2026年第一批优化营商环境典型经验做法")
    expect(own).to_have_attribute("href", f"/practices/{hanzhong_own.pk}/")

    published.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/city/adoptions/?batch=2026-1")
    for practice in others:
        expect(page.get_by_role("link", name=practice.title, exact=False).first).to_be_visible()
