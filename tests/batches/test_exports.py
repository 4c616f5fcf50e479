"""Exports, open data and the feed: opened and read back, never holding private data."""

import csv
import io
from datetime import timedelta

import pytest
import tablib
from django.utils.http import http_date
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from adoptions import services as adoptions
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from batches import exports
from batches.models import Batch, BatchEntry
from practices.enums import Status
from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory

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


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
EMU_PER_MM = 36_000
POINT_MM = 25.4 / 72


def mm(length) -> float:
    return length / EMU_PER_MM


def page_number_line(footer) -> tuple:
    """A footer's one line: its paragraph, and what it holds in order, each text as itself and a field as its
    begin, instruction and end."""
    (paragraph,) = [p for p in footer.paragraphs if p._p.xpath("./w:r | ./w:fldSimple")]
    parts = []
    for element in paragraph._p.xpath("./w:r/w:t | ./w:r/w:fldChar | ./w:r/w:instrText | ./w:fldSimple"):
        if element.tag == W + "t":
            parts.append(element.text)
        elif element.tag == W + "fldChar":
            parts.append(element.get(W + "fldCharType"))
        elif element.tag == W + "instrText":
            parts.append(element.text.strip())
        else:
            parts += ["begin", element.get(W + "instr").strip(), "end"]
    return paragraph, parts


def assert_gbt_9704_layout(document):
    """GB/T 9704-2012: A4; a text block of 156 × 225 mm 37 mm from the top and 28 mm from the binding side, which
    alternates (mirrored margins); the page number "— N —" in 四号宋体, 7 mm below the text block, at the right of
    odd pages and the left of even ones, one character in."""
    section = document.sections[0]
    bottom = 297 - 37 - 225
    expected = {
        "page_width": 210,
        "page_height": 297,
        "top_margin": 37,
        "bottom_margin": bottom,
        "left_margin": 28,  # inside
        "right_margin": 210 - 28 - 156,  # outside
    }
    assert {name: mm(getattr(section, name)) for name in expected} == pytest.approx(expected, abs=0.1)
    assert not section.gutter
    # Word measures the footer up from the page's edge to the bottom of its 14-point line, whose middle the
    # dashes are drawn at.
    assert mm(section.footer_distance) == pytest.approx(bottom - 7 - 14 * POINT_MM / 2, abs=0.1)
    assert document.settings.odd_and_even_pages_header_footer
    assert document.settings.element.find(W + "evenAndOddHeaders") is not None
    assert document.settings.element.find(W + "mirrorMargins") is not None
    for footer, alignment in [
        (section.footer, WD_ALIGN_PARAGRAPH.RIGHT),
        (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT),
    ]:
        assert not footer.is_linked_to_previous
        paragraph, parts = page_number_line(footer)
        assert parts == ["— ", "begin", "PAGE", "end", " —"]  # a field: each page shows its own number
        assert paragraph.alignment == alignment
        outer = (
            paragraph.paragraph_format.right_indent
            if alignment == WD_ALIGN_PARAGRAPH.RIGHT
            else (paragraph.paragraph_format.left_indent)
        )
        assert outer == Pt(14)  # 空一字
        assert {run.font.size for run in paragraph.runs} == {Pt(14)}
        assert {run._element.rPr.rFonts.get(W + "ascii") for run in paragraph.runs} == {"宋体"}


def test_the_word_announcement_is_in_the_official_layout(client, demo):
    document = Document(io.BytesIO(client.get(SEED + "export.docx").content))
    assert_gbt_9704_layout(document)


def test_the_word_announcement_holds_the_whole_text_in_order(client, demo):
    batch = Batch.objects.get(year=2022, sequence=2)
    texts = [p.text for p in Document(io.BytesIO(client.get(SEED + "export.docx").content)).paragraphs]
    wanted = [batch.title, *(line.strip() for line in batch.lead.splitlines() if line.strip())]
    for entry in batch.entries.order_by("number"):
        wanted += [
            f"{entry.number}、{entry.title}。",
            *(line.strip() for line in entry.body.splitlines() if line.strip()),
        ]
    positions = [texts.index(text) for text in wanted]  # each is there
    assert positions == sorted(positions) and len(set(positions)) == len(wanted)
    # An item whose text the source damaged says so under its title, as on the announcement's page.
    entries = list(batch.entries.order_by("number"))
    noted = {e.number for e in entries if texts[texts.index(f"{e.number}、{e.title}。") + 1] == exports.GARBLED_NOTE}
    assert noted and noted == {e.number for e in entries if e.garbled}


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
    # Reported since, as adoptions.services.report() writes it: the row, and the generation public pages are kept
    # under (public/pagecache.py).
    Adoption.objects.filter(pk=row.pk).update(updated_at=changed + timedelta(seconds=5))
    adoptions.changed()
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
    garbled = Batch.objects.get(year=2022, sequence=2).entries.filter(garbled=True).count()
    assert garbled and text.replace("\n", "").count(exports.GARBLED_NOTE) == garbled


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


def word_text(document) -> str:
    """Every word of a document: its paragraphs, tables, headers and footers."""
    parts = [p.text for p in document.paragraphs]
    parts += [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    for section in document.sections:
        for story in (section.header, section.footer, section.even_page_header, section.even_page_footer):
            parts += [p.text for p in story.paragraphs]
    return "\n".join(parts)


def test_one_practice_in_word(client, published_practice):
    response = client.get(f"/practices/{published_practice.practice_id}/export.docx")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    assert "attachment" in response["Content-Disposition"] and ".docx" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    assert [p.text for p in document.paragraphs] == [
        "推行企业开办“一网通办”",
        "2023年第二批 第14项",
        "西安市 · 开办企业",
        "企业开办全流程网上办理。",
        "一是整合开办环节。",
        "二是推行电子营业执照。",
        "成效",
        "开办时间由5个工作日压缩至1个。",
        "量化成效",
    ]
    (table,) = document.tables
    assert [[cell.text for cell in row.cells] for row in table.rows] == [
        ["指标项", "实施前", "实施后"],
        ["企业开办时间", "5 个工作日", "1 个工作日"],
        ["网上办理率", "—", "98 %"],
    ]
    title, body = document.paragraphs[0], document.paragraphs[4]
    assert title.runs[0]._element.rPr.rFonts.get(W + "eastAsia") == "方正小标宋简体"
    assert title.runs[0].font.size == Pt(22)
    assert body.runs[0]._element.rPr.rFonts.get(W + "eastAsia") == "仿宋_GB2312" and body.runs[0].font.size == Pt(16)
    assert body.paragraph_format.line_spacing == Pt(28)
    assert_gbt_9704_layout(document)
    text = word_text(document)
    assert not [s for s in ["之后改的标题", "保密联系人", "029-99990000", "仅省级可见的备注"] if s in text]


def test_a_practice_in_word_is_404_until_published(client, db):
    approved = PracticeFactory(status=Status.APPROVED)
    BatchEntryFactory(batch=BatchFactory(year=2024, sequence=1), practice=approved, number=1)
    assert client.get(f"/practices/{approved.pk}/export.docx").status_code == 404
    assert client.get(f"/practices/{PracticeFactory().pk}/export.docx").status_code == 404


def test_a_practice_in_word_is_built_once_and_answers_conditional_requests(
    client, published_practice, django_assert_num_queries
):
    url = f"/practices/{published_practice.practice_id}/export.docx"
    with django_assert_num_queries(1):  # the published entry with its batch
        first = client.get(url)
    assert first["Last-Modified"] == http_date(published_practice.batch.published_at.timestamp())
    assert client.get(url, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"]).status_code == 304
    # Published text never changes, so the file is kept: a change behind the application's back is not seen.
    BatchEntry.objects.filter(pk=published_practice.pk).update(title="库中直接改的标题")
    assert client.get(url).content == first.content
