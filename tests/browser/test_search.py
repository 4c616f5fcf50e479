"""In Chromium: a visitor searches in Traditional script and finds the Simplified text, hits marked; picks a batch
by its name; a reviewer opening a near-copy of a published practice sees 可能重复 with the original linked."""

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


def test_a_visitor_picks_a_batch_by_its_name(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    page.goto(f"{live_server.url}/practices/")
    page.get_by_label("批次").select_option(label="2022年第二批")
    page.get_by_role("button", name="筛选").click()
    expect(page).to_have_url(f"{live_server.url}/practices/?q=&city=&indicator=&batch=2022-2&year=")
    expect(page.get_by_label("批次")).to_have_value("2022-2")
    expect(page.locator("table.list tbody tr")).to_have_count(21)
    expect(page.locator("table.list tbody tr").first.locator("td").last).to_have_text("2022年第二批 第1项")
    # The batch's announcement, from the row: what its source lacks is said where it is read.
    page.locator("table.list tbody tr").first.get_by_role("link", name="2022年第二批").click()
    expect(page.locator("article")).to_contain_text("发布日期不详")
    expect(page.locator("article")).to_contain_text("原文共36项，本库收录21项（原文不完整）")
    item = page.locator('li[value="3"]')
    expect(item).to_contain_text("原文此处存在乱码，内容照录原文")
    item.get_by_role("link").click()
    expect(page.get_by_role("note")).to_have_text("原文此处存在乱码，内容照录原文")


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
