"""In Chromium: a visitor searches in Traditional script and finds the Simplified text, hits marked; a reviewer
opening a near-copy of a published practice sees 可能重复 with the original linked."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from batches.selectors import published_entries
from practices.enums import Status
from practices.models import City, Practice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_visitor_searches_in_traditional_script(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    page.goto(f"{live_server.url}/")
    page.get_by_label("搜索已发布的经验做法").fill("納稅")
    page.get_by_label("搜索已发布的经验做法").press("Enter")
    expect(page.get_by_role("status")).to_contain_text("项匹配，按相关度排序")
    first = page.locator("table.list mark").first
    expect(first).to_have_text("纳税")
    # The result's link leads to its published text, which holds the term.
    page.locator("table.list tbody tr a").first.click()
    expect(page.locator("article")).to_contain_text("纳税")


def test_a_reviewer_sees_a_likely_duplicate(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    original = published_entries().filter(body__contains="纳税").first()
    copy = Practice.objects.create(
        city=City.objects.get(code="610500"),  # 渭南
        title=f"渭南市{original.title[3:]}",
        summary=original.summary,
        body=original.body.replace(original.city_name, "渭南市"),
        status=Status.SUBMITTED,
    )
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("用户名").fill("coordinator")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()
    page.goto(f"{live_server.url}/review/practices/{copy.pk}/")
    expect(page.get_by_role("link", name="可能重复")).to_be_visible()
    similar = page.get_by_role("region", name="相似的经验做法")
    expect(similar.get_by_role("link", name=original.title)).to_have_attribute(
        "href", f"/practices/{original.practice_id}/"
    )
