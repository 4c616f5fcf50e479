"""axe-core in Chromium over the pages of 复制推广 and the pages they lead from, as each role sees them, in their
error states too: no WCAG 2.1 A/AA or best-practice violation, every aria-describedby naming an element that
exists, and nothing wider than a 375-pixel phone screen; and over every page each role uses (tests/browser/pages.py,
which test_layout.py shares), at the desktop's width and a phone's: no serious or critical violation."""

import io

import openpyxl
import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from adoptions import services
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption, AdoptionPlan
from batches.enums import EntryScope
from batches.models import BatchEntry
from practices.enums import Status
from practices.models import Practice
from reviews.models import Review
from tests.browser.pages import prepare, visits
from tests.browser.test_review_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE_OPTIONS = {"runOnly": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"], "resultTypes": ["violations"]}

MISSING_DESCRIPTIONS = """() => [...document.querySelectorAll('[aria-describedby]')].flatMap(element =>
    element.getAttribute('aria-describedby').split(/\\s+/).filter(id => id && !document.getElementById(id))
        .map(id => `${element.id || element.tagName}: #${id}`))"""


def problems(page) -> list[str]:
    """What is wrong with the page as it is now, at the phone's width and at the desktop's."""
    found = []
    for width, height in [(375, 800), (1280, 900)]:
        page.set_viewport_size({"width": width, "height": height})
        results = Axe().run(page, options=AXE_OPTIONS)
        if results.violations_count:
            found.append(f"{page.url} at {width}px: {results.generate_report()}")
        found += [f"{page.url}: aria-describedby names no element: {m}" for m in page.evaluate(MISSING_DESCRIPTIONS)]
        if width == 375:
            wide = page.evaluate("document.documentElement.scrollWidth")
            if wide > width:
                found.append(f"{page.url}: {wide}px wide on a {width}px screen")
    return found


@pytest.fixture
def demo(live_server):
    """The demo, with one entry made 参考借鉴 (so that another city may declare adopting it) and the deadline
    passed (so that rows are overdue)."""
    call_command("load_demo", force=True, stdout=io.StringIO())
    reference = BatchEntry.objects.get(batch__year=2022, batch__sequence=2, number=6)
    reference.scope = EntryScope.REFERENCE
    reference.save(update_fields=["scope"])
    services.scope_changed(entry=reference)
    AdoptionPlan.objects.update(deadline=timezone.localdate() - timezone.timedelta(days=3))
    return reference


def test_the_city_official_pages(live_server, page, demo, tmp_path):
    found = []
    sign_in(page, live_server, "hanzhong")
    row = Adoption.objects.filter(city__code="610700", owed=True, status=AdoptionStatus.NOT_STARTED).first()
    for path in [
        "/city/",  # paged: 50 a page
        "/city/adoptions/",
        "/city/adoptions/?status=in_progress&overdue=on",
        "/city/adoptions/?status=bogus",  # the filter's error
        f"/city/adoptions/{row.pk}/",
        "/city/adoptions/import/",
        f"/city/adoptions/practices/{demo.practice_id}/",
        f"/practices/{demo.practice_id}/",  # the public page, with its link to declare
    ]:
        page.goto(live_server.url + path)
        found += problems(page)

    page.goto(f"{live_server.url}/city/adoptions/{row.pk}/")
    page.get_by_label("状态").select_option(label="已落地")
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("“已落地”须填写本地成效。")).to_be_visible()
    found += problems(page)

    page.goto(f"{live_server.url}/city/adoptions/")
    with page.expect_download() as download:
        page.get_by_role("link", name="下载台账（.xlsx）").click()
    download.value.save_as(tmp_path / "台账.xlsx")
    book = openpyxl.load_workbook(tmp_path / "台账.xlsx")
    sheet = book.active
    status = next(cell.column for cell in sheet[1] if cell.value == "状态")
    sheet.cell(2, status).value = "推进中"
    sheet.cell(3, status).value = "已落地"  # with neither date nor result: two errors in the preview
    book.save(tmp_path / "台账.xlsx")
    page.goto(f"{live_server.url}/city/adoptions/import/")
    page.get_by_label("填写好的台账（.xlsx）").set_input_files(tmp_path / "台账.xlsx")
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text("处错误，未写入任何数据")).to_be_visible()
    found += problems(page)
    sheet.cell(3, status).value = "推进中"
    book.save(tmp_path / "台账.xlsx")
    page.get_by_label("填写好的台账（.xlsx）").set_input_files(tmp_path / "台账.xlsx")
    page.get_by_role("button", name="上传并预览").click()
    expect(page.get_by_text("请核对后确认")).to_be_visible()
    found += problems(page)
    assert not found, "\n".join(found)


def test_the_practice_form_and_page(live_server, page, demo):
    """The city's form, new, with its errors and in edit, where each of the measured results' inputs is named by
    its row (第1行实施前); a draft's page with what it lacks, and one sent back with its rounds' changes."""
    found = []
    sign_in(page, live_server, "xian")
    draft = Practice.objects.filter(city__code="610100", status=Status.DRAFT).first()
    sent_back = Practice.objects.filter(city__code="610100", status=Status.REVISION_REQUESTED).first()
    for path in [
        "/city/practices/new/",
        f"/city/practices/{draft.pk}/edit/",
        f"/city/practices/{draft.pk}/",
        f"/city/practices/{sent_back.pk}/",
    ]:
        page.goto(live_server.url + path)
        found += problems(page)
    page.goto(live_server.url + "/city/practices/new/")
    expect(page.get_by_label("第1行实施前")).to_be_visible()
    page.get_by_label("第2行指标项").fill("审批时间")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("处需要修改，尚未保存")).to_be_visible()
    found += problems(page)
    assert not found, "\n".join(found)


def test_the_province_pages(live_server, page, demo):
    found = []
    sign_in(page, live_server, "coordinator")
    row = Adoption.objects.filter(owed=True, status=AdoptionStatus.NOT_STARTED).first()
    adopted = Adoption.objects.filter(status=AdoptionStatus.ADOPTED).first()
    for path in [
        "/review/adoptions/",
        "/review/adoptions/?batch=2022-2&city=610700",
        "/review/adoptions/?batch=2022-2&indicator=starting-a-business",
        f"/review/adoptions/rows/{row.pk}/",
        f"/review/adoptions/rows/{adopted.pk}/",
        "/accounts/invite/",
        "/accounts/password_change/",
        "/review/audit/",
        f"/review/practices/{Adoption.objects.first().practice_id}/",
    ]:
        page.goto(live_server.url + path)
        found += problems(page)
    page.goto(f"{live_server.url}/review/adoptions/rows/{row.pk}/")
    page.get_by_label("免于填报的原因").fill("   ")
    page.get_by_role("button", name="免于该市填报").click()
    found += problems(page)
    assert not found, "\n".join(found)


def test_the_notification_pages_and_the_review_due_dates(live_server, page, demo):
    found = []
    review = Review.objects.filter(practice__status=Status.IN_REVIEW, submitted_at=None).first()
    Review.objects.filter(pk=review.pk).update(due_on=timezone.localdate() - timezone.timedelta(days=2))
    sign_in(page, live_server, review.reviewer.username)
    for path in ["/inbox/", "/inbox/settings/", "/review/?overdue=on", f"/review/practices/{review.practice_id}/"]:
        page.goto(live_server.url + path)
        found += problems(page)
    page.goto(f"{live_server.url}/inbox/settings/")
    page.get_by_label("同时通过电子邮件接收通知").uncheck()
    page.get_by_role("button", name="保存").click()
    expect(page.get_by_text("通知设置已保存。")).to_be_visible()
    found += problems(page)

    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/?overdue=on")
    expect(page.get_by_role("link", name=review.practice.title)).to_be_visible()
    found += problems(page)
    page.goto(f"{live_server.url}/review/practices/{review.practice_id}/")
    found += problems(page)
    page.get_by_label("评审员").select_option(index=1)
    page.get_by_label("评审期限").fill("2000-01-01")
    page.get_by_role("button", name="分配", exact=True).click()
    expect(page.get_by_text("评审期限不能早于今天")).to_be_visible()
    found += problems(page)
    assert not found, "\n".join(found)


def test_the_public_pages(live_server, page, demo):
    found = []
    adopted = Adoption.objects.filter(status=AdoptionStatus.ADOPTED).values_list("practice_id", flat=True).first()
    garbled = BatchEntry.objects.filter(garbled=True).values_list("practice_id", flat=True).first()
    for path in [
        "/",
        "/batches/",  # paged: 30 a page
        "/batches/?year=2022",  # one year's, chosen in the index
        "/batches/?year=abc",  # the year's error
        "/batches/2022/2/",  # its date not known, fewer items than announced, garbled items
        f"/practices/{adopted}/",
        f"/practices/{garbled}/",
        "/practices/?batch=2022年第二批&year=abc",  # the batch chosen, the year's error naming its field
        "/stats/",
        "/api/",
        "/accounts/login/",
        "/accounts/password_reset/",
    ]:
        page.goto(live_server.url + path)
        found += problems(page)
    assert not found, "\n".join(found)


def test_the_pages_of_a_server_in_trouble(live_server, page, demo, tmp_path, monkeypatch):
    """The PDF export on a server without a Chinese font, and the pages that need no request (500, and the 503 of
    a database out of reach), laid out on the site's own origin and stylesheet."""
    from django.template import loader

    config = tmp_path / "fonts.conf"
    config.write_text(f'<?xml version="1.0"?><fontconfig><cachedir>{tmp_path}</cachedir></fontconfig>')
    monkeypatch.setenv("FONTCONFIG_FILE", str(config))
    page.goto(live_server.url + "/batches/2022/2/export.pdf")
    expect(page.get_by_role("heading", name="暂不能生成 PDF")).to_be_visible()
    found = problems(page)
    for name, context in [("500.html", {"request_id": "3f2a9c"}), ("503.html", {"request_id": "3f2a9c", "retry": 10})]:
        page.goto(live_server.url + "/")
        page.set_content(loader.get_template(name).render(context))
        expect(page.get_by_text("3f2a9c")).to_be_visible()
        found += problems(page)
    assert not found, "\n".join(found)


# ---------------------------------------------------------------------------------------------------------------
# Every page each role uses (tests/browser/pages.py), at the desktop's width and a phone's: what is serious

SERIOUS = {"serious", "critical"}
# The colours are the same at every width, and their contrast, axe's slowest check, is checked at the desktop's.
PHONE_OPTIONS = {**AXE_OPTIONS, "rules": {"color-contrast": {"enabled": False}}}


def serious(page, where: str, options=AXE_OPTIONS) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now: where, the rule, its impact and what it
    asks, and each node, as its selector and the start of its HTML."""
    found = []
    for violation in Axe().run(page, options=options).response["violations"]:
        if violation["impact"] in SERIOUS:
            nodes = "; ".join(f"{' '.join(node['target'])} {node['html'][:120]}" for node in violation["nodes"])
            found.append(f"{where}: {violation['id']} ({violation['impact']}: {violation['help']}): {nodes}")
    return found


def test_every_page_each_role_uses(live_server, page):
    prepare()
    found = []
    for each in visits(page, live_server):
        page.set_viewport_size({"width": 1280, "height": 900})
        found += serious(page, f"{each} at 1280px")
        page.set_viewport_size({"width": 390, "height": 800})
        found += serious(page, f"{each} at 390px", PHONE_OPTIONS)
    assert not found, "\n".join(found)


def test_a_serious_violation_is_told_with_its_page_and_nodes(live_server, page):
    page.goto(live_server.url + "/")
    page.evaluate("document.querySelector('main').appendChild(document.createElement('input')).id = 'nameless'")
    found = serious(page, "首页")
    assert len(found) == 1
    assert found[0].startswith("首页: label (critical: ") and '#nameless <input id="nameless">' in found[0]


def test_the_review_workbench_and_the_batch_composer(live_server, page, demo):
    found = []
    in_review = Practice.objects.get(city__code="610100", status=Status.IN_REVIEW)
    sign_in(page, live_server, "reviewer")
    page.goto(f"{live_server.url}/review/?sort=waiting")
    found += problems(page)
    page.goto(f"{live_server.url}/review/practices/{in_review.pk}/score/")
    page.get_by_label("创新性").fill("11")
    page.get_by_role("button", name="提交评审").click()  # every error at once
    expect(page.get_by_text("处需要修改")).to_be_visible()
    found += problems(page)
    sign_in(page, live_server, "coordinator")
    for path in ["/review/", f"/review/practices/{in_review.pk}/"]:
        page.goto(live_server.url + path)
        found += problems(page)
    page.goto(f"{live_server.url}/review/batches/")
    page.get_by_label("年份").fill("2026")
    page.get_by_role("button", name="新建批次").click()
    expect(page.get_by_role("button", name="发布本批次")).to_be_disabled()  # empty: why, instead of a question
    found += problems(page)
    assert not found, "\n".join(found)
