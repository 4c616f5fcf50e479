"""Exports, open data and the feed: opened and read back, never holding private data."""

import csv
import io
from datetime import timedelta

import pytest
import tablib
from django.utils.http import http_date
from docx import Document

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from batches.models import Batch

pytestmark = pytest.mark.django_db

SEED = "/batches/2022/2/"


def test_word_export_reads_as_the_announcement(client, demo):
    response = client.get(SEED + "export.docx")
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    assert texts[0] == "2022年第二批优化营商环境典型经验做法"
    assert "投诉举报处理" in texts and "获得用水用气" in texts
    assert any(t.startswith("21、延安市深化“两个一站式”建设") for t in texts)
    title_run = document.paragraphs[0].runs[0]
    assert (
        title_run._element.rPr.rFonts.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}eastAsia")
        == "方正小标宋简体"
    )


def test_excel_and_csv_exports(client, demo):
    batch = Batch.objects.get(year=2022, sequence=2)
    xlsx = tablib.Dataset().load(io.BytesIO(client.get(SEED + "export.xlsx").content), format="xlsx")
    assert xlsx.headers[:4] == ["序号", "标题", "城市", "指标"] and xlsx.height == batch.entries.count()
    raw = client.get(SEED + "export.csv").content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0][:3] == ["序号", "标题", "城市"] and rows[3][2] == "渭南市"


def test_unknown_format_and_unpublished_batches_are_404(client, demo):
    assert client.get(SEED + "export.exe").status_code == 404
    assert client.get("/batches/2030/1/export.docx").status_code == 404


def test_conditional_requests_get_304(client, demo):
    batch = Batch.objects.get(year=2022, sequence=2)
    export = client.get(SEED + "export.csv")  # the frozen announcement: as of its publication
    assert export["Last-Modified"] == http_date(batch.published_at.timestamp())
    assert client.get(SEED + "export.csv", HTTP_IF_MODIFIED_SINCE=export["Last-Modified"]).status_code == 304
    # The page also says in how many cities each item was copied: it changes with the batch's 台账.
    rows = Adoption.objects.filter(practice__batch_entry__batch=batch)
    first = client.get(SEED)
    changed = max([batch.published_at, *(row.updated_at for row in rows)])
    assert first["Last-Modified"] == http_date(changed.timestamp())
    assert client.get(SEED, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    row = rows.filter(status=AdoptionStatus.NOT_STARTED, excused_at__isnull=True).first()
    Adoption.objects.filter(pk=row.pk).update(updated_at=changed + timedelta(seconds=5))  # reported since
    assert client.get(SEED, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 200


def test_a_signed_in_user_gets_the_announcement_with_their_own_header(client, demo):
    """Not a 304 to the copy the browser kept from before signing in (with its 登录 link)."""
    anonymous = client.get(SEED)
    assert 'href="/accounts/login/?next=' in anonymous.content.decode()
    client.post("/accounts/login/", {"username": "xian", "password": "demo", "next": SEED})
    response = client.get(SEED, HTTP_IF_NONE_MATCH=anonymous["ETag"], HTTP_IF_MODIFIED_SINCE=anonymous["Last-Modified"])
    assert response.status_code == 200 and "退出" in response.content.decode()
    assert not response.has_header("ETag")


def test_no_private_data_in_any_public_response(client, demo):
    """Contact details of every demo practice, and internal notes, never reach a public page, export or the API."""
    from practices.models import Practice
    from reviews.models import Review

    secrets_ = {p.contact_name for p in Practice.objects.exclude(contact_name="")}
    secrets_ |= {p.contact_phone for p in Practice.objects.exclude(contact_phone="")}
    secrets_ |= {r.internal_note for r in Review.objects.exclude(internal_note="")}
    Practice.objects.filter(source="import").update(contact_name="导入联系人", contact_phone="029-11112222")
    secrets_ |= {"导入联系人", "029-11112222"}
    urls = ["/", "/batches/", SEED, "/practices/", "/api/v1/practices/?page_size=100", "/api/v1/batches/"]
    urls += [f"/practices/{pk}/" for pk in Practice.objects.filter(status="published").values_list("pk", flat=True)]
    urls += [SEED + "export.csv", "/feeds/batches.atom"]
    for url in urls:
        body = client.get(url).content.decode("utf-8-sig")
        leaked = [s for s in secrets_ if s and s in body]
        assert leaked == [], url
    word = Document(io.BytesIO(client.get(SEED + "export.docx").content))
    text = "\n".join(p.text for p in word.paragraphs)
    assert not [s for s in secrets_ if s and s in text]


def test_pdf_export_holds_the_announcements_text(client, demo):
    import pypdf

    from batches import pdf
    from tests.conftest import require_tool

    require_tool(pdf.chinese_font() is not None, "no Chinese font for the PDF export: apt-get install fonts-noto-cjk")
    try:
        import weasyprint  # noqa: F401
    except OSError as exc:
        require_tool(False, f"missing Pango for WeasyPrint ({exc}): apt-get install libpango-1.0-0 libpangoft2-1.0-0")
    response = client.get(SEED + "export.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages)
    assert "2022年第二批优化营商环境典型经验做法" in text.replace("\n", "")
    assert "投诉举报处理" in text and "延安市深化" in text.replace("\n", "")


def test_exports_and_api_keep_the_published_text(client, db):
    from django.utils import timezone

    from batches.models import BatchEntry
    from practices.enums import Status
    from tests.factories import BatchFactory, PracticeFactory

    practice = PracticeFactory(status=Status.PUBLISHED, title="发布时的标题")
    batch = BatchFactory(year=2023, sequence=1, status="published", published_at=timezone.now())
    BatchEntry.objects.create(batch=batch, practice=practice, number=1, title="发布时的标题", city_name="某市")
    practice.title = "之后改的标题"
    practice.save()
    csv_text = client.get("/batches/2023/1/export.csv").content.decode("utf-8-sig")
    api_text = client.get("/api/v1/practices/").content.decode()
    assert "发布时的标题" in csv_text and "之后改的标题" not in csv_text
    assert "发布时的标题" in api_text and "之后改的标题" not in api_text
