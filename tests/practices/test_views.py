"""The city portal: who may do what in which state, no lost edits, rounds, withdrawal, uploads, spreadsheet import."""

import io
import re
import zipfile

import openpyxl
import pytest
import tablib
import xlsxwriter
from django.core.files.uploadedfile import SimpleUploadedFile

from practices import services
from practices.enums import Role, Status
from practices.imports import COLUMNS
from practices.models import Attachment, PendingImport, Practice, PracticeSnapshot
from tests.factories import IndicatorFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

EDITABLE = {Status.DRAFT, Status.REVISION_REQUESTED}
WITHDRAWABLE = {Status.DRAFT, Status.SUBMITTED, Status.REVISION_REQUESTED}


@pytest.fixture
def people(xian, hanzhong):
    return {
        "anonymous": None,
        "xian": UserFactory(username="xian_official", role=Role.CITY_OFFICIAL, city=xian),
        "hanzhong": UserFactory(username="hanzhong_official", role=Role.CITY_OFFICIAL, city=hanzhong),
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER),
        "coordinator": UserFactory(username="coordinator", role=Role.COORDINATOR),
    }


def complete_practice(city, **fields):
    return PracticeFactory(**{"city": city, "contact_name": "王敏", "contact_phone": "029-86781234", **fields})


def as_user(client, user):
    if user is not None:
        client.force_login(user)
    return client


# ---------------------------------------------------------------------------------------------------------------
# Permission matrix: role × state × read / edit / submit / withdraw, every cell asserted


@pytest.mark.parametrize("state", list(Status))
@pytest.mark.parametrize("who", ["anonymous", "xian", "hanzhong", "reviewer", "coordinator"])
def test_permission_matrix(client, people, xian, who, state):
    practice = complete_practice(xian, status=state)
    client = as_user(client, people[who])
    base = f"/city/practices/{practice.pk}/"
    read = client.get(base)
    edit = client.get(base + "edit/")
    submit = client.post(base + "submit/")
    after_submit = Practice.objects.get(pk=practice.pk).status
    Practice.objects.filter(pk=practice.pk).update(status=state)
    withdraw = client.post(base + "withdraw/", {"reason": "重复提交"})
    after_withdraw = Practice.objects.get(pk=practice.pk).status

    if who == "anonymous":
        assert all(
            r.status_code == 302 and r.url.startswith("/accounts/login/") for r in (read, edit, submit, withdraw)
        )
        assert (after_submit, after_withdraw) == (state, state)
    elif who == "xian":
        assert read.status_code == 200
        assert edit.status_code == (200 if state in EDITABLE else 302)
        assert submit.status_code == 302 and submit.url == base
        assert after_submit == (Status.SUBMITTED if state in EDITABLE else state)
        assert withdraw.status_code == 302 and withdraw.url == base
        assert after_withdraw == (Status.WITHDRAWN if state in WITHDRAWABLE else state)
    else:
        assert [r.status_code for r in (read, edit, submit, withdraw)] == [404] * 4
        assert (after_submit, after_withdraw) == (state, state)


def test_portal_lists_only_the_own_citys_practices(client, people, xian, hanzhong):
    mine, theirs = complete_practice(xian, title="西安市的做法"), complete_practice(hanzhong, title="汉中市的做法")
    html = as_user(client, people["xian"]).get("/city/").content.decode()
    assert mine.title in html and theirs.title not in html


def test_portal_filters(client, people, xian):
    indicator = IndicatorFactory(name="纳税")
    complete_practice(xian, title="草稿一", status=Status.DRAFT)
    complete_practice(xian, title="已提交一", status=Status.SUBMITTED, indicator=indicator)
    client = as_user(client, people["xian"])
    html = client.get("/city/", {"status": "submitted"}).content.decode()
    assert "已提交一" in html and "草稿一" not in html
    html = client.get("/city/", {"indicator": indicator.pk}).content.decode()
    assert "已提交一" in html and "草稿一" not in html


def test_revision_requested_comes_first_with_the_message(client, people, xian):
    practice = complete_practice(xian, status=Status.IN_REVIEW)
    from practices.workflow import transition

    transition(practice=practice, to=Status.REVISION_REQUESTED, by=people["coordinator"], note="请补充量化成效。")
    html = as_user(client, people["xian"]).get("/city/").content.decode()
    assert "待本市修改" in html and "请补充量化成效。" in html


@pytest.mark.parametrize("rows", [1, 3, 30])
def test_portal_query_count_does_not_grow(client, people, xian, django_assert_num_queries, rows):
    for _ in range(rows):
        complete_practice(xian, status=Status.REVISION_REQUESTED)
    client = as_user(client, people["xian"])
    # session, user, groups, membership, unread notifications, status counts, revision list and messages,
    # indicators, the list's count and its page (the header's links ask the rules alone, not Django's model
    # permissions)
    with django_assert_num_queries(11):
        client.get("/city/")


def test_the_city_home_lists_its_practices_a_page_at_a_time(client, people, xian):
    from practices.views import CITY_PAGE

    practices = [complete_practice(xian, status=Status.DRAFT) for _ in range(CITY_PAGE + 1)]
    client = as_user(client, people["xian"])
    first, second = (client.get("/city/", {"page": n}).content.decode() for n in (1, 2))
    links = [sum(f'href="/city/practices/{p.pk}/"' in html for p in practices) for html in (first, second)]
    assert links == [CITY_PAGE, 1] and f"共 {CITY_PAGE + 1} 项" in first


# ---------------------------------------------------------------------------------------------------------------
# Writing, saving, submitting


def form_data(practice=None, **overrides):
    data = {
        "title": "西安市推行企业开办“一日办结”",
        "indicator": IndicatorFactory(name="开办企业").pk,
        "summary": "企业开办一日办结。",
        "body": "第一段。\n\n第二段。",
        "outcomes": "时间压缩三分之二。",
        "contact_name": "王敏",
        "contact_phone": "029-86781234",
        "version": practice.version if practice else "",
        "results-TOTAL_FORMS": "1",
        "results-INITIAL_FORMS": "0",
        "results-MIN_NUM_FORMS": "0",
        "results-MAX_NUM_FORMS": "20",
        "results-0-measure": "企业开办时间",
        "results-0-before": "3",
        "results-0-after": "1",
        "results-0-unit": "个工作日",
    }
    return {**data, **overrides}


def test_create_a_draft_with_results(client, people, xian):
    response = as_user(client, people["xian"]).post("/city/practices/new/", form_data())
    practice = Practice.objects.get()
    assert response.status_code == 302 and response.url == f"/city/practices/{practice.pk}/"
    assert (practice.city, practice.status, practice.created_by) == (xian, Status.DRAFT, people["xian"])
    assert list(practice.results.values_list("measure", "before", "after", "unit")) == [
        ("企业开办时间", "3", "1", "个工作日")
    ]


def test_every_error_shows_at_once_naming_its_field(client, people):
    """At its field, and in the list at the top of the form, each leading to its field."""
    data = form_data(title="", summary="长" * 501, contact_phone="abc", indicator="999999")
    data |= {"results-TOTAL_FORMS": "2", "results-1-measure": "审批时间", "results-1-after": ""}
    html = as_user(client, people["xian"]).post("/city/practices/new/", data).content.decode()
    summary = html[html.index('class="errors error-summary"') : html.index("</ul>", html.index("error-summary"))]
    assert re.findall(r'<a href="#([\w-]+)">(.*?)</a>', summary) == [
        ("id_title", "请填写标题。"),
        ("id_indicator", "所选指标不存在，请从列表中重新选择指标。"),
        ("id_summary", "摘要最多 500 个字，现有 501 个字，请删减。"),
        ("id_contact_phone", "联系电话：请填写有效的电话号码，如 029-86781234 或 13800000000。"),
        ("id_results-1-after", "量化成效第2行：请填写实施后的数值。"),
    ]
    assert "有 5 处需要修改，尚未保存：" in summary
    for message in ("请填写标题。", "摘要最多 500 个字，现有 501 个字，请删减。", "请填写实施后的数值。"):
        assert f'<span class="field-error" role="alert">{message}</span>' in html
    assert not Practice.objects.exists()


def test_body_is_rendered_escaped(client, people, xian):
    practice = complete_practice(xian, body="<script>alert(1)</script>")
    html = as_user(client, people["xian"]).get(f"/city/practices/{practice.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in html and "&lt;script&gt;" in html


def test_saving_over_a_newer_version_is_refused_and_shows_what_changed(client, people, xian):
    practice = complete_practice(xian, title="原标题")
    seen = practice.version
    other = as_user(client.__class__(), people["xian"])
    other.post(f"/city/practices/{practice.pk}/edit/", form_data(practice, title="同事改的标题"))
    response = as_user(client, people["xian"]).post(
        f"/city/practices/{practice.pk}/edit/", form_data(practice, title="我改的标题", version=seen)
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "此条目已被他人修改" in html
    assert "<del>同事</del>" in html and "<ins>我</ins>" in html
    practice.refresh_from_db()
    assert practice.title == "同事改的标题" and practice.version == seen + 1


def test_submit_checks_completeness(client, people, xian):
    practice = complete_practice(xian, summary="", contact_phone="")
    response = as_user(client, people["xian"]).post(f"/city/practices/{practice.pk}/submit/", follow=True)
    assert "提交前请补全：摘要、联系电话。" in response.content.decode()
    assert Practice.objects.get(pk=practice.pk).status == Status.DRAFT


def test_the_form_marks_the_fields_submission_checks(client, people, xian):
    """The marks come from the list practice_submit() checks; each marked field is described by the legend."""
    client = as_user(client, people["xian"])
    practice = complete_practice(xian)
    for url in ("/city/practices/new/", f"/city/practices/{practice.pk}/edit/"):
        html = client.get(url).content.decode()
        marked = re.findall(r'<label for="id_(\w+)">[^<]*</label><span class="submission-mark"', html)
        assert marked == list(services.REQUIRED_FOR_SUBMISSION)
        assert 'id="submission-legend"' in html
        for name in marked:
            field = re.search(rf'<(?:input|select|textarea)[^>]*id="id_{name}"[^>]*>', html).group()
            assert re.search(r'aria-describedby="submission-legend\b', field), field
        outcomes = re.search(r'<textarea[^>]*id="id_outcomes"[^>]*>', html).group()
        assert "submission-legend" not in outcomes


def test_a_draft_saves_without_what_submission_needs_then_says_what_is_missing(client, people, xian):
    client = as_user(client, people["xian"])
    data = form_data(**dict.fromkeys(["indicator", "summary", "body", "contact_name", "contact_phone"], ""))
    assert client.post("/city/practices/new/", data).status_code == 302
    practice = Practice.objects.get()
    missing = "、".join(str(Practice._meta.get_field(n).verbose_name) for n in services.REQUIRED_FOR_SUBMISSION[1:])
    assert f"提交前需补全：{missing}。" in client.get(f"/city/practices/{practice.pk}/").content.decode()
    response = client.post(f"/city/practices/{practice.pk}/submit/", follow=True)
    assert f"提交前请补全：{missing}。" in response.content.decode()
    assert Practice.objects.get(pk=practice.pk).status == Status.DRAFT


def submit_button(html: str) -> str:
    start = html.index('action="/city/practices/')
    return re.search(r"<button[^>]*>", html[start:]).group()


def test_submitting_asks_for_confirmation_only_where_it_can_go_through(client, people, xian):
    client = as_user(client, people["xian"])
    complete = complete_practice(xian)
    button = submit_button(client.get(f"/city/practices/{complete.pk}/").content.decode())
    assert 'data-confirm="提交后，省级审核期间不能再修改。确定提交吗？"' in button
    incomplete = complete_practice(xian, body="")
    html = client.get(f"/city/practices/{incomplete.pk}/").content.decode()
    button = submit_button(html)
    assert "data-confirm" not in button and 'aria-describedby="missing-hint"' in button
    assert '<p class="hint" id="missing-hint">提交前需补全：正文。' in html


def test_submitted_practice_is_read_only_and_snapshot_taken(client, people, xian):
    practice = complete_practice(xian)
    client = as_user(client, people["xian"])
    client.post(f"/city/practices/{practice.pk}/submit/")
    practice.refresh_from_db()
    assert practice.status == Status.SUBMITTED
    assert PracticeSnapshot.objects.get(practice=practice).round == 1
    html = client.get(f"/city/practices/{practice.pk}/").content.decode()
    assert "此条目当前为只读。" in html and f"/city/practices/{practice.pk}/edit/" not in html
    response = client.post(f"/city/practices/{practice.pk}/edit/", form_data(practice, title="偷偷改"))
    assert response.status_code == 302
    assert Practice.objects.get(pk=practice.pk).title == practice.title


def test_resubmission_raises_the_round_and_shows_the_changes(client, people, xian):
    practice = complete_practice(xian, title="第一轮标题")
    client = as_user(client, people["xian"])
    client.post(f"/city/practices/{practice.pk}/submit/")
    from practices.workflow import transition

    practice.refresh_from_db()
    transition(practice=practice, to=Status.IN_REVIEW, by=people["coordinator"])
    transition(practice=practice, to=Status.REVISION_REQUESTED, by=people["coordinator"], note="请完善标题。")
    client.post(f"/city/practices/{practice.pk}/edit/", form_data(practice, title="第二轮标题"))
    client.post(f"/city/practices/{practice.pk}/submit/")
    practice.refresh_from_db()
    assert (practice.status, practice.round) == (Status.SUBMITTED, 2)
    assert list(practice.snapshots.values_list("round", flat=True)) == [1, 2]
    html = client.get(f"/city/practices/{practice.pk}/").content.decode()
    assert "第1轮 → 第2轮" in html and "<del>一</del><ins>二</ins>" in html


def test_text_is_kept_as_plain_text_whatever_the_browser_sends(client, people):
    client = as_user(client, people["xian"])
    data = form_data(
        title=" 西安市推行“证照联办” ",
        body="\r\n第一段。  \r\n\r\n第二段。\t\r\n\r\n",
        outcomes="时间压缩三分之二。\r\n",
        **{"results-0-measure": "企业开办时间\u3000"},
    )
    client.post("/city/practices/new/", data)
    practice = Practice.objects.get()
    assert (practice.title, practice.body, practice.outcomes) == (
        "西安市推行“证照联办”",
        "第一段。\n\n第二段。",
        "时间压缩三分之二。",
    )
    assert practice.results.get().measure == "企业开办时间"


def test_a_round_that_changed_only_the_outcomes_shows_only_them_highlighted(client, people, xian):
    """The browser sends "\r\n" on every save: the body, saved again untouched, is no change."""
    practice = complete_practice(xian, body="第一段。\n\n第二段。", outcomes="时间压缩三分之二。")
    client = as_user(client, people["xian"])
    client.post(f"/city/practices/{practice.pk}/submit/")
    from practices.workflow import transition

    practice.refresh_from_db()
    transition(practice=practice, to=Status.IN_REVIEW, by=people["coordinator"])
    transition(practice=practice, to=Status.REVISION_REQUESTED, by=people["coordinator"], note="请补充成效。")
    practice.refresh_from_db()
    edited = form_data(
        practice,
        title=practice.title,
        indicator=practice.indicator_id,
        summary=practice.summary,
        body="第一段。\r\n\r\n第二段。",
        outcomes="时间压缩四分之三。\r\n",
        **{"results-TOTAL_FORMS": "0"},
    )
    assert client.post(f"/city/practices/{practice.pk}/edit/", edited).status_code == 302
    client.post(f"/city/practices/{practice.pk}/submit/")
    html = client.get(f"/city/practices/{practice.pk}/").content.decode()
    changes = html[html.index("各轮修改") :]
    assert re.findall(r"<dt>(.*?)</dt>", changes) == ["成效"]
    assert "时间压缩<del>三</del><ins>四</ins>分之<del>二</del><ins>三</ins>。" in changes
    assert "<del>删除线</del>" in changes  # the legend


def test_a_change_of_line_breaks_alone_is_marked(client, people, xian):
    practice = complete_practice(xian, body="第一段。第二段。")
    client = as_user(client, people["xian"])
    client.post(f"/city/practices/{practice.pk}/submit/")
    from practices.workflow import transition

    practice.refresh_from_db()
    transition(practice=practice, to=Status.IN_REVIEW, by=people["coordinator"])
    transition(practice=practice, to=Status.REVISION_REQUESTED, by=people["coordinator"], note="请分段。")
    practice.refresh_from_db()
    edited = form_data(practice, title=practice.title, summary=practice.summary, body="第一段。\r\n\r\n第二段。")
    client.post(f"/city/practices/{practice.pk}/edit/", edited)
    html = client.get(f"/city/practices/{practice.pk}/").content.decode()
    assert '第一段。<ins class="space">\n\n</ins>第二段。' in html


def test_withdraw_needs_a_reason_and_keeps_everything(client, people, xian):
    practice = complete_practice(xian, status=Status.SUBMITTED)
    client = as_user(client, people["xian"])
    response = client.post(f"/city/practices/{practice.pk}/withdraw/", {"reason": ""})
    assert "请说明撤回原因。" in response.content.decode()
    client.post(f"/city/practices/{practice.pk}/withdraw/", {"reason": "与其他做法重复， \r\n已合并。\r\n"})
    practice.refresh_from_db()
    assert practice.status == Status.WITHDRAWN and practice.title and practice.body
    assert practice.events.get().note == "与其他做法重复，\n已合并。"  # kept as plain_text() makes it
    assert practice.title in client.get("/city/").content.decode()


# ---------------------------------------------------------------------------------------------------------------
# Attachments

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 64


def docx_bytes():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def upload(client, practice, name, content):
    return client.post(
        f"/city/practices/{practice.pk}/attachments/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )


@pytest.mark.parametrize(
    "name, content, content_type",
    [
        ("说明.pdf", PDF, "application/pdf"),
        ("现场.png", PNG, "image/png"),
        ("方案.docx", None, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    ],
)
def test_allowed_attachments_are_stored_under_generated_names(client, people, xian, media, name, content, content_type):
    practice = complete_practice(xian)
    content = content or docx_bytes()
    client = as_user(client, people["xian"])
    response = upload(client, practice, name, content)
    attachment = Attachment.objects.get()
    assert "附件已上传。" in response.content.decode()
    assert (attachment.original_name, attachment.content_type, attachment.size) == (name, content_type, len(content))
    assert name not in attachment.file.name and attachment.file.name.startswith(f"attachments/{practice.pk}/")
    download = client.get(f"/city/attachments/{attachment.pk}/")
    assert b"".join(download.streaming_content) == content
    assert download["Content-Type"] == content_type


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("报告.pdf", EXE, "不是 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件"),
        ("报告.png", PDF, "与文件名不符"),
        ("报告.pdf", b"%PDF-" + b"0" * services.MAX_ATTACHMENT_BYTES, "超过单个附件 20 MB 的上限"),
    ],
)
def test_bad_attachments_are_refused(client, people, xian, media, name, content, message):
    practice = complete_practice(xian)
    response = upload(as_user(client, people["xian"]), practice, name, content)
    assert message in response.content.decode()
    assert not Attachment.objects.exists()


def test_other_cities_cannot_download_attachments(client, people, xian, media):
    practice = complete_practice(xian)
    upload(as_user(client, people["xian"]), practice, "说明.pdf", PDF)
    attachment = Attachment.objects.get()
    client.force_login(people["hanzhong"])
    assert client.get(f"/city/attachments/{attachment.pk}/").status_code == 404


def test_attachments_cannot_change_once_submitted(client, people, xian, media):
    practice = complete_practice(xian, status=Status.SUBMITTED)
    response = upload(as_user(client, people["xian"]), practice, "说明.pdf", PDF)
    assert "不能进行此操作" in response.content.decode()
    assert not Attachment.objects.exists()


def stored_files(media) -> list:
    return [path for path in media.rglob("*") if path.is_file()]


def test_a_new_practice_is_saved_with_its_attachments(client, people, xian, media):
    files = [SimpleUploadedFile("说明.pdf", PDF), SimpleUploadedFile("现场.png", PNG)]
    response = as_user(client, people["xian"]).post(
        "/city/practices/new/", {**form_data(), "files": files, "is_public": "on"}, follow=True
    )
    practice = Practice.objects.get()
    assert "草稿已保存，附件 2 个。" in response.content.decode()
    attachments = practice.attachments.order_by("pk")
    assert [(a.original_name, a.content_type, a.is_public) for a in attachments] == [
        ("说明.pdf", "application/pdf", True),
        ("现场.png", "image/png", True),
    ]
    assert sorted(path.read_bytes() for path in stored_files(media)) == sorted([PDF, PNG])


def test_a_refused_attachment_saves_nothing_and_every_error_shows_at_once(client, people, media):
    files = [
        SimpleUploadedFile("说明.pdf", PDF),
        SimpleUploadedFile("报告.pdf", EXE),
        SimpleUploadedFile("图.png", PDF),
    ]
    data = {**form_data(title="", contact_phone="abc"), "files": files}
    html = as_user(client, people["xian"]).post("/city/practices/new/", data).content.decode()
    assert "“报告.pdf”不是 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。" in html
    assert "“图.png”的内容是 PDF 文件，与文件名不符。" in html
    assert "请填写标题。" in html and "请填写有效的电话号码" in html
    assert not Practice.objects.exists() and not Attachment.objects.exists() and stored_files(media) == []


def test_files_sent_with_a_form_in_error_are_asked_for_again(client, people, media):
    data = {**form_data(title=""), "files": [SimpleUploadedFile("说明.pdf", PDF)]}
    html = as_user(client, people["xian"]).post("/city/practices/new/", data).content.decode()
    assert "表单中有错误，所选附件尚未上传：请改正后重新选择文件。" in html
    assert not Practice.objects.exists() and stored_files(media) == []


def test_more_attachments_than_a_practice_may_hold_are_refused(client, people, media):
    files = [SimpleUploadedFile(f"说明{n}.pdf", PDF) for n in range(services.MAX_ATTACHMENTS + 1)]
    html = as_user(client, people["xian"]).post("/city/practices/new/", {**form_data(), "files": files})
    assert f"每项经验做法最多 {services.MAX_ATTACHMENTS} 个附件" in html.content.decode()
    assert not Practice.objects.exists() and stored_files(media) == []


def test_a_file_refused_while_storing_takes_the_draft_and_the_stored_files_with_it(people, xian, media):
    """The service checks each file again as it stores it: the draft and the files before the refused one go."""
    uploads = [
        SimpleUploadedFile("说明.pdf", PDF),
        SimpleUploadedFile("现场.png", PNG),
        SimpleUploadedFile("x.pdf", EXE),
    ]
    with pytest.raises(services.AttachmentRefused):
        data = {**form_data(), "indicator": None}
        services.practice_create(city=xian, by=people["xian"], data=data, results=[], uploads=uploads)
    assert not Practice.objects.exists() and not Attachment.objects.exists() and stored_files(media) == []


# ---------------------------------------------------------------------------------------------------------------
# Spreadsheet import


def sheet(rows, fmt="xlsx"):
    data = tablib.Dataset(headers=list(COLUMNS.values()))
    for row in rows:
        data.append([row.get(key, "") for key in COLUMNS])
    return data.export(fmt)


GOOD = {
    "title": "西安市推行“拿地即开工”",
    "indicator": "办理建筑许可",
    "summary": "摘要",
    "body": "正文",
    "contact_name": "王敏",
    "contact_phone": "029-86781234",
}


@pytest.fixture
def indicators(db):
    for name in ("办理建筑许可", "开办企业"):
        IndicatorFactory(name=name)


def import_file(client, name, content):
    return client.post("/city/import/", {"file": SimpleUploadedFile(name, content)})


def test_import_template_downloads(client, people):
    response = as_user(client, people["xian"]).get("/city/import/template.xlsx")
    data = tablib.Dataset().load(io.BytesIO(response.content), format="xlsx")
    assert data.headers == list(COLUMNS.values()) and data.height == 1


def test_import_happy_path_previews_then_writes(client, people, xian, indicators):
    client = as_user(client, people["xian"])
    preview = import_file(client, "草稿.xlsx", sheet([GOOD, {**GOOD, "title": "西安市推行“交房即交证”"}]))
    assert "共 2 行，检查无误。" in preview.content.decode()
    assert not Practice.objects.exists()
    token = PendingImport.objects.get().token
    response = client.post("/city/import/", {"confirm": "1", "token": token})
    assert response.status_code == 302
    practices = Practice.objects.order_by("pk")
    assert [p.title for p in practices] == [GOOD["title"], "西安市推行“交房即交证”"]
    assert {(p.city, p.status, p.created_by) for p in practices} == {(xian, Status.DRAFT, people["xian"])}


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_imported_text_is_kept_as_the_form_keeps_it(client, people, xian, indicators, fmt):
    client = as_user(client, people["xian"])
    typed = {
        **GOOD,
        "title": "\u3000西安市推行“拿地即开工” ",
        "body": "\r\n第一段。 \r\n\r\n第二段（Cafe\u0301）。\r\n",
        "outcomes": "审批时间压缩一半。\r",
    }
    import_file(client, f"草稿.{fmt}", sheet([typed], fmt).encode() if fmt == "csv" else sheet([typed], fmt))
    client.post("/city/import/", {"confirm": "1", "token": PendingImport.objects.get().token})
    practice = Practice.objects.get()
    assert (practice.title, practice.body, practice.outcomes) == (
        "西安市推行“拿地即开工”",
        "第一段。\n\n第二段（Café）。",
        "审批时间压缩一半。",
    )


def test_import_reports_every_bad_row_with_row_and_column_and_writes_nothing(client, people, indicators):
    rows = [GOOD, {**GOOD, "title": ""}, {**GOOD, "indicator": "不存在的指标"}, {**GOOD, "city": "汉中市"}]
    html = import_file(as_user(client, people["xian"]), "草稿.xlsx", sheet(rows)).content.decode()
    assert "发现 3 处错误，未导入任何数据。" in html
    assert '<td class="num">3</td><td>标题</td>' in html
    assert '<td class="num">4</td><td>指标</td><td>未知的指标“不存在的指标”。</td>' in html
    assert '<td class="num">5</td><td>城市</td><td>只能导入本市（西安市）的经验做法。</td>' in html
    assert "confirm" not in html
    assert not Practice.objects.exists()


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_import_csv_in_either_encoding(client, people, indicators, encoding):
    content = sheet([GOOD], "csv").encode(encoding)
    html = import_file(as_user(client, people["xian"]), "草稿.csv", content).content.decode()
    assert "共 1 行，检查无误。" in html


def test_import_refuses_a_wrong_encoding_and_a_fake_workbook(client, people):
    client = as_user(client, people["xian"])
    html = import_file(client, "草稿.csv", "标题\n".encode() + b"\xff\xfe\xfd").content.decode()
    assert "既不是 UTF-8 也不是 GB18030" in html
    html = import_file(client, "草稿.xlsx", b"not a workbook").content.decode()
    assert "内容不是 Excel 工作簿" in html
    assert not Practice.objects.exists()


def test_coordinator_imports_for_any_city_but_must_name_it(client, people, xian, hanzhong, indicators):
    client = as_user(client, people["coordinator"])
    html = import_file(client, "草稿.xlsx", sheet([GOOD])).content.decode()
    assert "请填写城市。" in html
    import_file(client, "草稿.xlsx", sheet([{**GOOD, "city": "汉中"}]))
    client.post("/city/import/", {"confirm": "1", "token": PendingImport.objects.get().token})
    assert Practice.objects.get().city == hanzhong


def test_reviewers_cannot_import(client, people):
    assert as_user(client, people["reviewer"]).get("/city/import/").status_code == 404


def test_a_stale_confirmation_is_refused(client, people, indicators):
    client = as_user(client, people["xian"])
    response = client.post("/city/import/", {"confirm": "1", "token": "forged"}, follow=True)
    assert "导入已过期或已完成" in response.content.decode()
    assert not Practice.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# Found in review: concurrency with result rows, frozen attachments, double confirmations, limits, visibility


def with_result(practice):
    practice.results.create(measure="办理时间", before="5", after="2", unit="天")
    return practice


def test_stale_save_with_existing_result_rows_is_refused_not_lost(client, people, xian):
    practice = with_result(complete_practice(xian, title="原标题"))
    seen = practice.version
    rows = {"results-0-measure": "办理时间", "results-0-before": "5", "results-0-after": "1", "results-0-unit": "天"}
    other = as_user(client.__class__(), people["xian"])
    other.post(f"/city/practices/{practice.pk}/edit/", form_data(practice, title="同事改的标题", **rows))
    html = (
        as_user(client, people["xian"])
        .post(f"/city/practices/{practice.pk}/edit/", form_data(practice, title="我改的", version=seen, **rows))
        .content.decode()
    )
    assert "此条目已被他人修改" in html
    practice.refresh_from_db()
    assert practice.title == "同事改的标题"
    assert list(practice.results.values_list("after", flat=True)) == ["1"]


def test_editing_keeps_result_rows_and_deletes_only_the_marked(client, people, xian):
    practice = with_result(complete_practice(xian))
    data = form_data(practice)
    data |= {"results-TOTAL_FORMS": "2", "results-0-measure": "办理时间", "results-0-after": "2"}
    data |= {"results-0-DELETE": "on", "results-1-measure": "审批环节", "results-1-after": "3"}
    as_user(client, people["xian"]).post(f"/city/practices/{practice.pk}/edit/", data)
    assert list(practice.results.values_list("measure", flat=True)) == ["审批环节"]


def test_submitting_a_version_not_seen_is_refused(client, people, xian):
    practice = complete_practice(xian)
    seen = practice.version
    Practice.objects.filter(pk=practice.pk).update(title="同事的新标题", version=seen + 1)
    response = as_user(client, people["xian"]).post(
        f"/city/practices/{practice.pk}/submit/", {"version": seen}, follow=True
    )
    assert "请查看最新内容后再提交" in response.content.decode()
    assert Practice.objects.get(pk=practice.pk).status == Status.DRAFT


def test_files_the_province_has_seen_cannot_be_deleted(client, people, xian, media):
    practice = complete_practice(xian)
    client = as_user(client, people["xian"])
    upload(client, practice, "第一轮.pdf", PDF)
    client.post(f"/city/practices/{practice.pk}/submit/")
    Practice.objects.filter(pk=practice.pk).update(status=Status.REVISION_REQUESTED)
    first = Attachment.objects.get()
    response = client.post(f"/city/attachments/{first.pk}/delete/", follow=True)
    assert "已提交过的附件不能删除。" in response.content.decode()
    upload(client, practice, "补充.pdf", PDF)
    added = Attachment.objects.get(original_name="补充.pdf")
    client.post(f"/city/attachments/{added.pk}/delete/")
    assert list(Attachment.objects.values_list("original_name", flat=True)) == ["第一轮.pdf"]
    assert PracticeSnapshot.objects.get().attachments == ["第一轮.pdf"]


def test_a_draft_withdrawn_before_submission_never_reaches_the_province(client, people, xian):
    practice = complete_practice(xian)
    as_user(client, people["xian"]).post(f"/city/practices/{practice.pk}/withdraw/", {"reason": "不报了"})
    assert not people["coordinator"].has_perm("reviews.view_practice", Practice.objects.get(pk=practice.pk))
    assert as_user(client, people["coordinator"]).get(f"/review/practices/{practice.pk}/").status_code == 404


def test_the_city_timeline_names_the_province_not_its_people(client, people, xian):
    practice = complete_practice(xian)
    client = as_user(client, people["xian"])
    client.post(f"/city/practices/{practice.pk}/submit/")
    from practices.workflow import transition

    practice.refresh_from_db()
    transition(practice=practice, to=Status.IN_REVIEW, by=people["coordinator"], note="分配给 某专家")
    html = client.get(f"/city/practices/{practice.pk}/").content.decode()
    assert "省级" in html and "某专家" not in html and people["coordinator"].username not in html


def test_confirming_an_import_twice_writes_it_once(client, people, xian, indicators):
    client = as_user(client, people["xian"])
    import_file(client, "草稿.xlsx", sheet([GOOD]))
    token = PendingImport.objects.get().token
    client.post("/city/import/", {"confirm": "1", "token": token})
    again = client.post("/city/import/", {"confirm": "1", "token": token}, follow=True)
    assert "导入已过期或已完成" in again.content.decode()
    assert Practice.objects.count() == 1


def test_import_applies_the_same_limits_as_the_form(client, people, indicators):
    rows = [{**GOOD, "summary": "长" * 501, "contact_phone": "abc"}]
    html = import_file(as_user(client, people["xian"]), "草稿.xlsx", sheet(rows)).content.decode()
    assert "请填写有效的电话号码" in html and "不超过 500 字符" in html
    assert not Practice.objects.exists()


def test_import_ignores_empty_rows_and_names_an_empty_title(client, people, indicators):
    content = sheet([GOOD, {}, {**GOOD, "title": None}, {}], "csv").encode("utf-8-sig")
    html = import_file(as_user(client, people["xian"]), "草稿.csv", content).content.decode()
    # the spreadsheet's own row number, counting the empty row above it
    print(" ".join(html.split())[2400:5000])
    assert "发现 1 处错误" in html and '<td class="num">4</td><td>标题</td><td>此字段不能为空。</td>' in html


def test_an_invalid_filter_shows_its_error_not_everything(client, people, xian):
    complete_practice(xian, title="某做法")
    html = as_user(client, people["xian"]).get("/city/", {"round": "abc"}).content.decode()
    assert "某做法" not in html and "输入一个数字" in html


def test_text_that_looks_like_mojibake_is_saved_with_a_warning(client, people):
    body = "实现“一窗出件”?!皩4啊惫ぷ魅藛T受理企业开办资料。"
    response = as_user(client, people["xian"]).post("/city/practices/new/", form_data(body=body), follow=True)
    html = response.content.decode()
    assert "草稿已保存。" in html and "“正文”中疑似有乱码" in html and "?!皩4啊" in html
    assert Practice.objects.get().body == body


def test_clean_text_raises_no_mojibake_warning(client, people):
    html = as_user(client, people["xian"]).post("/city/practices/new/", form_data(), follow=True).content.decode()
    assert "疑似有乱码" not in html


def test_import_warns_of_text_that_looks_like_mojibake_and_still_imports(client, people, indicators):
    clean = "西安市对社会投资项目实行告知承诺制，企业拿地后即可开工建设。"
    misread = clean.encode("utf-8").decode("gb18030", errors="replace")  # a UTF-8 file opened as GBK somewhere
    client = as_user(client, people["xian"])
    html = import_file(client, "草稿.xlsx", sheet([GOOD, {**GOOD, "body": misread}])).content.decode()
    assert "处文字疑似乱码" in html and '<td class="num">3</td><td>正文</td><td>疑似乱码：' in html
    assert '<td class="num">2</td><td>标题</td><td>疑似乱码' not in html  # the clean row has no warning
    assert "共 2 行，检查无误。" in html
    client.post("/city/import/", {"confirm": "1", "token": PendingImport.objects.get().token})
    assert Practice.objects.filter(body=misread).exists()


def test_an_uploaded_formula_is_read_as_its_value_never_evaluated(client, people, xian, indicators):
    """Excel saves a formula with its last value: that value is imported. A formula saved without one (written by
    a program) reads as empty, an error at its row and column. The formula itself is never kept nor run."""
    book = openpyxl.Workbook()  # openpyxl saves formulas without a value
    ws = book.active
    ws.append(list(COLUMNS.values()))
    ws.append([GOOD.get(key, "") for key in COLUMNS])
    ws.append([GOOD.get(key, "") for key in COLUMNS])
    ws["A3"] = '="西安"&"市"'
    out = io.BytesIO()
    book.save(out)
    client = as_user(client, people["xian"])
    html = import_file(client, "草稿.xlsx", out.getvalue()).content.decode()
    assert "发现 1 处错误" in html and '<td class="num">3</td><td>标题</td><td>此字段不能为空。</td>' in html
    assert "&amp;" not in html and "西安&quot;" not in html

    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True})  # as Excel saves it: the formula and its value
    ws = book.add_worksheet()
    for column, key in enumerate(COLUMNS):
        ws.write_string(0, column, COLUMNS[key])
        ws.write_string(1, column, GOOD.get(key, ""))
    ws.write_formula(1, 0, '=HYPERLINK("http://x.example","西安市推行“交房即交证”")', None, "西安市推行“交房即交证”")
    book.close()
    html = import_file(client, "草稿.xlsx", out.getvalue()).content.decode()
    assert "共 1 行，检查无误。" in html and "HYPERLINK" not in html
    client.post("/city/import/", {"confirm": "1", "token": PendingImport.objects.latest("pk").token})
    assert Practice.objects.get().title == "西安市推行“交房即交证”"
