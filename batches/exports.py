"""A published batch, taken away: Word in the official layout; Excel and CSV of the columns django-import-export's
resource defines, written by bizenv.web.sheets (no cell a formula, whatever a title or a body starts with). And the
approved pool for the coordinator, in Excel with its scores."""

import datetime
import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Pt
from import_export import fields, resources

from bizenv.web import sheets
from practices.models import Practice
from reviews.selectors import Summary, days_since
from reviews.spreadsheet import local, reviewers_text

from . import pdf
from .models import Batch, BatchEntry
from .selectors import announcement_sections

# GB/T 9704 (党政机关公文格式): 小标宋 title, 黑体 headings, 仿宋 body. Word falls back along each list to the first
# font the reader's machine has; the last names are what ordinary Windows and Linux desktops carry.
TITLE_FONTS = ["方正小标宋简体", "华文中宋", "宋体", "Noto Serif CJK SC"]
HEADING_FONTS = ["黑体", "SimHei", "Noto Sans CJK SC"]
BODY_FONTS = ["仿宋_GB2312", "仿宋", "FangSong", "Noto Serif CJK SC"]


class EntryResource(resources.ModelResource):
    """The columns of a batch's spreadsheet: what was published, never contact details or internal notes."""

    number = fields.Field(attribute="number", column_name="序号")
    title = fields.Field(attribute="title", column_name="标题")
    city_name = fields.Field(attribute="city_name", column_name="城市")
    indicator_name = fields.Field(attribute="indicator_name", column_name="指标")
    scope = fields.Field(attribute="get_scope_display", column_name="推广范围")
    summary = fields.Field(attribute="summary", column_name="摘要")
    body = fields.Field(attribute="body", column_name="正文")
    outcomes = fields.Field(attribute="outcomes", column_name="成效")

    class Meta:
        model = BatchEntry
        fields = ("number", "title", "city_name", "indicator_name", "scope", "summary", "body", "outcomes")
        export_order = fields


WIDTHS = {"序号": 6, "标题": 40, "城市": 10, "指标": 14, "推广范围": 12, "摘要": 50, "正文": 80, "成效": 50}


def _dataset(batch: Batch):
    return EntryResource().export(batch.entries.order_by("number"))


def batch_csv(batch: Batch) -> bytes:
    data = _dataset(batch)
    return sheets.csv_bytes([data.headers, *data])


def batch_xlsx(batch: Batch) -> bytes:
    data = _dataset(batch)
    columns = [sheets.Column(name, WIDTHS.get(name, 20)) for name in data.headers]
    return sheets.workbook(str(batch.year) + "-" + str(batch.sequence), columns, data)


def pool_columns() -> list[sheets.Column]:
    return [
        sheets.Column(_("标题"), 40),
        sheets.Column(_("城市"), 10),
        sheets.Column(_("指标"), 16),
        sheets.Column(_("轮次"), 6),
        sheets.Column(_("通过时间"), 16),
        sheets.Column(_("已等待天数"), 10),
        sheets.Column(_("评审数"), 8),
        sheets.Column(_("加权总分均值"), 12),
        sheets.Column(_("评审员及加权总分"), 40),
    ]


def pool_xlsx(title: str, rows: list[tuple[Practice, Summary]], *, today: datetime.date) -> bytes:
    """The approved pool (batches.selectors.pool_rows()): each practice with its reviews' weighted totals and the
    days it has waited since its approval, counted to `today`."""

    def line(practice, summary):
        return [
            practice.title,
            practice.city.name,
            practice.indicator.name if practice.indicator else "",
            practice.round,
            local(practice.approved_at),
            days_since(practice.approved_at, today),
            summary.count,
            float(summary.mean) if summary.mean is not None else None,
            reviewers_text(summary),
        ]

    return sheets.workbook(_("待发布库"), pool_columns(), (line(*row) for row in rows), title=title)


def _font(run, names: list[str], size: float, bold: bool = False):
    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = names[-1]
    fonts = run._element.get_or_add_rPr().get_or_add_rFonts()
    fonts.set(qn("w:eastAsia"), names[0])
    fonts.set(qn("w:ascii"), names[0])
    fonts.set(qn("w:hAnsi"), names[0])


def _paragraph(document, text: str, names: list[str], size: float, *, bold=False, center=False, indent=True):
    paragraph = document.add_paragraph()
    if center:
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        paragraph.paragraph_format.first_line_indent = Pt(size * 2)  # 首行缩进两字
    paragraph.paragraph_format.line_spacing = Pt(28)
    _font(paragraph.add_run(text), names, size, bold)
    return paragraph


def batch_docx(batch: Batch) -> bytes:
    """The announcement as a Word document: 二号小标宋 title, 三号黑体 headings, 三号仿宋 text."""
    document = Document()
    _paragraph(document, batch.title, TITLE_FONTS, 22, center=True)
    for line in batch.lead.splitlines():
        if line.strip():
            _paragraph(document, line.strip(), BODY_FONTS, 16)
    for heading, entries in announcement_sections(batch):
        if heading:
            _paragraph(document, heading, HEADING_FONTS, 16, indent=False)
        for entry in entries:
            _paragraph(document, f"{entry.number}、{entry.title}。", BODY_FONTS, 16, bold=True)
            for line in entry.body.splitlines():
                if line.strip():
                    _paragraph(document, line.strip(), BODY_FONTS, 16)
    errata = list(batch.errata.all())
    if errata:
        _paragraph(document, "勘误", HEADING_FONTS, 16, indent=False)
        for erratum in errata:
            _paragraph(document, f"{erratum.created_at:%Y-%m-%d} {erratum.text}", BODY_FONTS, 16)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def batch_pdf(batch: Batch) -> bytes:
    """The announcement laid out as an A4 document (GB/T 9704 margins and fonts), rendered by WeasyPrint in a
    child process with limits (batches/pdf.py); PdfUnavailable says why not."""
    from django.template.loader import render_to_string

    html = render_to_string(
        "batches/print.html",
        {
            "batch": batch,
            "lead": batch.lead.splitlines(),
            "sections": announcement_sections(batch),
            "errata": list(batch.errata.all()),
        },
    )
    return pdf.render(html)
