"""In Chromium: a visitor finds the API's page from the footer, reads its examples on a phone, each scrolling in
its own box rather than widening the page, and opens the OpenAPI document from it."""

import io
import json

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each example block: whether it is wider than its box, whether it scrolls, whether a keyboard reaches it.
BLOCKS = """() => [...document.querySelectorAll('pre.code')].map(pre => ({
    wider: pre.scrollWidth > pre.clientWidth,
    scrolls: getComputedStyle(pre).overflowX === 'auto',
    focusable: pre.tabIndex === 0,
}))"""


def test_a_visitor_reads_the_api_page_on_a_phone(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="数据接口").click()
    expect(page.get_by_role("heading", name="数据接口", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="GET /api/v1/practices/", exact=True)).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    blocks = page.evaluate(BLOCKS)
    assert blocks and all(b["scrolls"] and b["focusable"] for b in blocks)
    assert any(b["wider"] for b in blocks)  # the site's address makes some wider than a phone: they scroll
    example = page.locator("pre.code").first
    expect(example).to_contain_text(f"curl -G '{live_server.url}/api/v1/practices/' --data-urlencode 'q=纳税'")
    page.get_by_role("link", name="openapi.json", exact=True).click()
    document = json.loads(page.locator("body").inner_text())
    assert document["openapi"] == "3.1.0" and "/api/v1/practices/" in document["paths"]
