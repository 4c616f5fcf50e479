"""In Chromium: the Content-Security-Policy refuses what is not our own file, and the browser tests see it do so
(tests/browser/conftest.py); the confirmations that were inline handlers still ask; a select is saved by its
button."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from batches.models import Batch
from practices.enums import Status
from practices.models import Practice
from tests.browser.test_review_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Counts the forms submitted from now on, however (a button, a script's requestSubmit()).
COUNT_SUBMITS = """() => {
    window.submits = 0;
    document.addEventListener("submit", () => window.submits++, true);
}"""
INLINE_SCRIPT = """() => {
    const script = document.createElement("script");
    script.textContent = "window.ranInline = true";
    document.body.append(script);
}"""


def test_an_inline_script_is_refused_and_the_violation_is_caught(live_server, page, policy_violations):
    page.goto(f"{live_server.url}/")
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text):
        page.evaluate(INLINE_SCRIPT)
    assert page.evaluate("window.ranInline") is None
    assert policy_violations and "script-src" in policy_violations[0]
    policy_violations.clear()  # seen as meant: not this test's failure


def test_publishing_asks_first_and_a_scope_is_saved_by_its_button_only(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    practice = Practice.objects.filter(status=Status.APPROVED, batch_entry__isnull=True).first()
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/batches/")
    page.get_by_label("年份").fill("2026")
    page.get_by_role("button", name="新建批次").click()
    page.get_by_role("checkbox", name=f"选择 {practice.title}").check()
    page.get_by_role("button", name="加入本批次").click()
    batch = Batch.objects.get(year=2026)
    entry = batch.entries.get()

    # Choosing with the keyboard (an arrow key changes a closed select at once) submits nothing: a person going
    # through the choices must not save each one on the way.
    page.evaluate(COUNT_SUBMITS)
    scope = page.get_by_label("推广范围", exact=True)
    expect(scope).to_have_value("replicate")
    scope.focus()
    page.keyboard.press("ArrowDown")
    expect(scope).to_have_value("reference")
    assert page.evaluate("window.submits") == 0
    entry.refresh_from_db()
    assert entry.scope == "replicate"
    with page.expect_navigation():
        page.get_by_role("row", name=entry.title).get_by_role("button", name="保存").click()
    expect(page.get_by_label("推广范围", exact=True)).to_have_value("reference")
    entry.refresh_from_db()
    assert entry.scope == "reference"

    page.evaluate("window.stillHere = true")
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="发布本批次").click()  # waits for any navigation it starts: there is none
    assert page.evaluate("window.stillHere")
    batch.refresh_from_db()
    assert batch.status == "draft"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="发布本批次").click()
    expect(page.get_by_text(f"已发布“{batch.title}”。")).to_be_visible()
    batch.refresh_from_db()
    assert batch.status == "published"
