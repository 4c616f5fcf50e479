"""xian, in Chromium: a draft with a result row and an attachment, submitted, then read-only; a draft saved with
its files, submitted once complete and confirmed."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from practices import services
from practices.enums import Status
from practices.forms import PracticeForm
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

    page.once("dialog", lambda dialog: dialog.accept())  # 确定提交吗？
    page.get_by_role("button", name="提交省级审核").click()
    expect(page.get_by_text("已提交省级审核，审核期间不能修改。")).to_be_visible()
    expect(page.get_by_text("此条目当前为只读。")).to_be_visible()
    expect(page.get_by_role("link", name="修改", exact=True)).to_have_count(0)
    expect(page.get_by_role("button", name="上传")).to_have_count(0)

    practice = Practice.objects.get(title="西安市推行“证照联办”")
    assert practice.status == Status.SUBMITTED
    assert practice.attachments.get().original_name == "现场照片说明.pdf"
    assert list(practice.results.values_list("measure", "after")) == [("办理时间", "3")]


PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def test_a_new_practice_saved_with_its_files_then_submitted_once_confirmed(live_server, page, tmp_path, settings):
    """The form marks what submission needs, takes files on the first save, and submitting asks first, but only
    once nothing is missing."""
    settings.MEDIA_ROOT = tmp_path / "media"
    call_command("load_demo", force=True, stdout=io.StringIO())
    (tmp_path / "方案.pdf").write_bytes(PDF)
    (tmp_path / "现场.png").write_bytes(PNG)
    dialogs = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.accept() if len(dialogs) > 1 else dialog.dismiss()  # no the first time, yes the second

    page.on("dialog", answer)
    page.goto(f"{live_server.url}/accounts/login/?next=/city/practices/new/")
    page.get_by_label("用户名").fill("xian")
    page.get_by_label("密码").fill("demo")
    page.get_by_role("button", name="登录").click()

    labels = {str(Practice._meta.get_field(name).verbose_name) for name in services.REQUIRED_FOR_SUBMISSION}
    marked = page.locator(".field", has=page.locator(".submission-mark")).locator("label")
    expect(marked).to_have_text(sorted(labels, key=[f.label for f in PracticeForm()].index))
    expect(page.get_by_label("正文")).to_have_accessible_description(re.compile("^提交必填 标有此标记的项目"))
    expect(page.get_by_label("成效")).not_to_have_accessible_description(re.compile("提交必填"))

    page.get_by_label("标题").fill("西安市推行“拿地即开工”")
    # More than one request may carry: stopped in the page, what was typed kept (the server would answer 413).
    (tmp_path / "扫描件.pdf").write_bytes(PDF + b"0" * services.MAX_ATTACHMENT_BYTES)
    files = page.get_by_label("附件", exact=True)
    files.set_input_files([tmp_path / "扫描件.pdf", tmp_path / "现场.png"])
    page.get_by_role("button", name="保存草稿").click()
    assert files.evaluate("input => input.validationMessage").startswith("所选附件合计超过 20 MB")
    expect(page.get_by_label("标题")).to_have_value("西安市推行“拿地即开工”")
    assert not Practice.objects.filter(title="西安市推行“拿地即开工”").exists()
    files.set_input_files([tmp_path / "方案.pdf", tmp_path / "现场.png"])
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("草稿已保存，附件 2 个。")).to_be_visible()
    expect(page.get_by_role("link", name="方案.pdf")).to_be_visible()
    expect(page.get_by_role("link", name="现场.png")).to_be_visible()

    # Fields missing: the button says what, and is not confirmed but refused.
    submit = page.get_by_role("button", name="提交省级审核")
    expect(submit).to_have_accessible_description("提交前需补全：指标、摘要、正文、联系人、联系电话。 去补全")
    submit.click()
    expect(page.get_by_text("提交前请补全：指标、摘要、正文、联系人、联系电话。")).to_be_visible()
    assert dialogs == []

    page.get_by_role("link", name="去补全").click()
    page.get_by_label("指标", exact=True).select_option(label="办理建筑许可")
    page.get_by_label("摘要").fill("拿地即开工。")
    page.get_by_label("正文").fill("土地出让与审批同步推进。")
    page.get_by_label("联系人").fill("王敏")
    page.get_by_label("联系电话").fill("029-86781234")
    page.get_by_role("button", name="保存草稿").click()
    expect(page.get_by_text("已保存。")).to_be_visible()

    page.get_by_role("button", name="提交省级审核").click()  # answered no
    expect(page.get_by_role("button", name="提交省级审核")).to_be_visible()
    practice = Practice.objects.get(title="西安市推行“拿地即开工”")
    assert practice.status == Status.DRAFT
    page.get_by_role("button", name="提交省级审核").click()  # answered yes
    expect(page.get_by_text("已提交省级审核，审核期间不能修改。")).to_be_visible()
    assert dialogs == ["提交后，省级审核期间不能再修改。确定提交吗？"] * 2
    practice.refresh_from_db()
    assert practice.status == Status.SUBMITTED
    assert sorted(practice.attachments.values_list("original_name", flat=True)) == ["方案.pdf", "现场.png"]
