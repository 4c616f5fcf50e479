"""xian, in Chromium: a draft with a result row and an attachment, submitted, then read-only."""

import io

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from practices.enums import Status
from practices.models import Practice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_city_official_writes_attaches_and_submits(live_server, page, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", force=True, stdout=io.StringIO())
    pdf = tmp_path / "现场照片说明.pdf"
    pdf.write_bytes(PDF)

    page.goto(f"{live_server.url}/accounts/login/?next=/city/")
    page.get_by_label("用户名").fill("xian")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="西安市经验做法")).to_be_visible()

    page.get_by_role("link", name="新建经验做法").click()
    page.get_by_label("标题").fill("西安市推行“证照联办”")
    page.get_by_label("指标", exact=True).select_option(label="开办企业")
    page.get_by_label("摘要").fill("营业执照与许可证一次申请、同步办理。")
    page.get_by_label("正文").fill("西安市将营业执照和行业许可证合并为一次申请。\n\n一窗受理、并联审批。")
    page.get_by_label("联系人").fill("王敏")
    page.get_by_label("联系电话").fill("029-86781234")
    page.locator("#id_results-0-measure").fill("办理时间")
    page.locator("#id_results-0-before").fill("10")
    page.locator("#id_results-0-after").fill("3")
    page.locator("#id_results-0-unit").fill("个工作日")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存。")).to_be_visible()
    expect(page.get_by_role("table")).to_contain_text("办理时间")

    page.get_by_label("选择文件").set_input_files(str(pdf))
    page.get_by_role("button", name="上传").click()
    expect(page.get_by_text("附件已上传。")).to_be_visible()
    expect(page.get_by_role("link", name="现场照片说明.pdf")).to_be_visible()

    page.get_by_role("button", name="提交省级审核").click()
    expect(page.get_by_text("已提交省级审核，审核期间不能修改。")).to_be_visible()
    expect(page.get_by_text("此条目当前为只读。")).to_be_visible()
    expect(page.get_by_role("link", name="修改", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="上传")).to_have_count(0)

    practice = Practice.objects.get(title="西安市推行“证照联办”")
    assert practice.status == Status.SUBMITTED
    assert practice.attachments.get().original_name == "现场照片说明.pdf"
    assert list(practice.results.values_list("measure", "after")) == [("办理时间", "3")]
