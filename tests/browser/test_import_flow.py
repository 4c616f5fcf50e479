"""In Chromium: the coordinator uploads an announcement's Word file, reads the preview, corrects one item's city and
another's indicator, imports and publishes it; the public announcement shows the document's metadata and the
corrected items."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.test_accessibility import problems
from tests.browser.test_review_flow import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WORD_FILE = settings.BASE_DIR / "fixtures" / "bulletins" / "shaanxi-2023-1.docx"


def test_upload_preview_correct_and_publish(live_server, page):
    call_command("load_demo", force=True, stdout=io.StringIO())
    sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server.url}/review/batches/")
    page.get_by_role("link", name="导入已发布的公告").click()

    upload = page.locator("form", has=page.get_by_label("公告文件"))
    upload.get_by_label("公告文件").set_input_files(WORD_FILE)
    upload.get_by_label("年份").fill("2023")
    upload.get_by_label("批次序号").fill("1")
    upload.get_by_label("导入后直接发布").check()
    upload.get_by_role("button", name="上传并预览").click()

    heading = page.get_by_role("heading", name="预览：2023年第一批优化营商环境典型经验做法")
    expect(heading).to_be_visible()
    preview = page.locator("section", has=heading)
    expect(preview).to_contain_text("陕营商办发〔2023〕3号")
    expect(preview).to_contain_text("读到 7 项")
    items = preview.get_by_role("table").filter(has_text="指导部门")
    expect(items.get_by_role("row")).to_have_count(8)  # the header and the 7 items
    expect(items).to_contain_text("渭南市探索推行企业开办“一表申报、一窗出件”新模式")
    assert not problems(page), problems(page)

    confirm = page.locator("form", has=page.get_by_role("button", name="确认导入"))
    expect(confirm.get_by_label("导入后直接发布")).to_be_checked()
    confirm.get_by_label("第2项的城市").select_option(label="汉中市")
    confirm.get_by_label("第1项的指标").select_option(label="纳税")
    confirm.get_by_role("button", name="确认导入").click()

    expect(page.get_by_text("已导入“2023年第一批优化营商环境典型经验做法”，共 7 项。")).to_be_visible()
    assert page.url == f"{live_server.url}/batches/2023/1/"
    facts = page.locator("dl.document-facts")
    for shown in ("陕西省优化营商环境工作领导小组办公室", "陕营商办发〔2023〕3号", "2023年3月10日"):
        expect(facts).to_contain_text(shown)
    first = page.locator("section").filter(has=page.get_by_role("heading", name="纳税")).first
    expect(first.locator("li")).to_have_count(1)
    expect(first).to_contain_text("西安市推行企业开办“一网通办”")
    expect(page.locator('li[value="2"]')).to_contain_text("汉中市")

    page.locator('li[value="2"]').get_by_role("link").click()
    expect(page.locator("article")).to_contain_text("汉中市")
