"""A published batch, taken away: Word in the official layout (GB/T 9704), which one published practice shares;
Excel and CSV of the columns django-import-export's resource defines, written by bizenv.web.sheets (no cell a
formula, whatever a title or a body starts with). And the approved pool for the coordinator, in Excel with its
scores."""

import datetime
import io

from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
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
SUBTITLE_FONTS = ["楷体_GB2312", "楷体", "KaiTi", "Noto Serif CJK SC"]
PAGE_NUMBER_FONTS = ["宋体", "SimSun", "Noto Serif CJK SC"]
# The document is the announcement's own text, in Chinese whatever language the reader browses in.
GARBLED_NOTE = "（原文此处存在乱码，内容照录原文）"

# GB/T 9704-2012 5.2: A4 paper, a text block (版心) of 156 × 225 mm, 37 mm from the top (天头) and 28 mm from the
# binding side (订口); so 35 mm at the bottom and 26 mm on the outer side.
PAGE_MM = (210, 297)
BLOCK_MM = (156, 225)
TOP_MM, INSIDE_MM = 37, 28
BOTTOM_MM = PAGE_MM[1] - TOP_MM - BLOCK_MM[1]
OUTSIDE_MM = PAGE_MM[0] - INSIDE_MM - BLOCK_MM[0]
# 7.5: the page number in 四号 (14 pt) 半角宋体 Arabic numerals between two em dashes (一字线), 7 mm below the text
# block; at the right of odd pages and the left of even ones, one character in.
PAGE_NUMBER_SIZE = 14
PAGE_NUMBER_GAP_MM = 7
# What may precede w:mirrorMargins in w:settings: ECMA-376 fixes the order, and Word refuses a file out of it.
BEFORE_MIRROR_MARGINS = {
    qn(f"w:{name}")
    for name in (
        "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
        "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
        "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
        "saveSubsetFonts", "saveFormsData",
    )
}  # fmt: skip


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
    return sheets.workbook(batch.label, columns, data)


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


def _lines(document, text: str, names: list[str] = BODY_FONTS):
    """A paragraph of 三号 text, indented two characters, for each line of text that has anything on it."""
    for line in text.splitlines():
        if line.strip():
            _paragraph(document, line.strip(), names, 16)


def _official_document():
    """An empty Word document in the 公文 layout (GB/T 9704-2012): A4 with its text block, margins mirrored for
    printing on both sides, and the page number "— N —" at the outer edge of every page."""
    document = Document()
    # Lines follow one another on the 28-point grid, without the template's gap after each paragraph.
    document.styles["Normal"].paragraph_format.space_after = Pt(0)
    section = document.sections[0]
    section.page_width, section.page_height = Mm(PAGE_MM[0]), Mm(PAGE_MM[1])
    section.top_margin, section.bottom_margin = Mm(TOP_MM), Mm(BOTTOM_MM)
    section.left_margin, section.right_margin = Mm(INSIDE_MM), Mm(OUTSIDE_MM)  # inside and outside, mirrored
    section.gutter = 0
    # Word measures the footer from the page's bottom edge to the bottom of its line; the dashes are drawn at
    # the line's middle.
    section.footer_distance = Mm(BOTTOM_MM - PAGE_NUMBER_GAP_MM) - Pt(PAGE_NUMBER_SIZE / 2)
    _mirror_margins(document)
    document.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer, WD_ALIGN_PARAGRAPH.RIGHT)  # odd pages
    _page_number(section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)
    return document


def _mirror_margins(document):
    """Left and right margins become inside and outside: each side of a sheet printed on both keeps its 28 mm
    at the binding, and the two text blocks back to back (GB/T 9704 8.2: 双面印刷，页码套正)."""
    settings = document.settings.element
    if settings.find(qn("w:mirrorMargins")) is None:
        position = sum(1 for child in settings if child.tag in BEFORE_MIRROR_MARGINS)
        settings.insert(position, OxmlElement("w:mirrorMargins"))


def _page_number(footer, alignment):
    """The footer's one paragraph: "— ", the PAGE field and " —", one character in from the outer edge."""
    paragraph = footer.paragraphs[0]
    paragraph.alignment = alignment
    layout = paragraph.paragraph_format
    layout.line_spacing = Pt(PAGE_NUMBER_SIZE)
    layout.space_before = layout.space_after = Pt(0)
    if alignment == WD_ALIGN_PARAGRAPH.RIGHT:
        layout.right_indent = Pt(PAGE_NUMBER_SIZE)  # 右空一字
    else:
        layout.left_indent = Pt(PAGE_NUMBER_SIZE)  # 左空一字
    _font(paragraph.add_run("— "), PAGE_NUMBER_FONTS, PAGE_NUMBER_SIZE)
    # A field, which Word and WPS fill in with each page's number (no number written: there is no right one).
    for kind in ("begin", "instruction", "end"):
        run = paragraph.add_run()
        _font(run, PAGE_NUMBER_FONTS, PAGE_NUMBER_SIZE)
        if kind == "instruction":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = " PAGE "
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)
    _font(paragraph.add_run(" —"), PAGE_NUMBER_FONTS, PAGE_NUMBER_SIZE)


def _saved(document) -> bytes:
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def batch_docx(batch: Batch) -> bytes:
    """The announcement as a Word document in the 公文 layout: 二号小标宋 title, 三号黑体 headings, 三号仿宋 text."""
    document = _official_document()
    _paragraph(document, batch.title, TITLE_FONTS, 22, center=True)
    _lines(document, batch.lead)
    for heading, entries in announcement_sections(batch):
        if heading:
            _paragraph(document, heading, HEADING_FONTS, 16, indent=False)
        for entry in entries:
            _paragraph(document, f"{entry.number}、{entry.title}。", BODY_FONTS, 16, bold=True)
            if entry.garbled:
                _paragraph(document, GARBLED_NOTE, SUBTITLE_FONTS, 14)
            _lines(document, entry.body)
    errata = list(batch.errata.all())
    if errata:
        _paragraph(document, "勘误", HEADING_FONTS, 16, indent=False)
        for erratum in errata:
            _paragraph(document, f"{erratum.created_at:%Y-%m-%d} {erratum.text}", BODY_FONTS, 16)
    return _saved(document)


def practice_docx(entry: BatchEntry) -> bytes:
    """One published practice as it was published, in the announcement's layout: its title, batch and number, city
    and indicator, summary, text, outcomes and measured results."""
    document = _official_document()
    _paragraph(document, entry.title, TITLE_FONTS, 22, center=True)
    _paragraph(document, f"{entry.batch.label} 第{entry.number}项", SUBTITLE_FONTS, 16, center=True)
    place = " · ".join(name for name in (entry.city_name, entry.indicator_name) if name)
    if place:
        _paragraph(document, place, SUBTITLE_FONTS, 16, center=True)
    if entry.garbled:  # said where the reader meets the text, as on its page: the damage is the source's, not ours
        _paragraph(document, GARBLED_NOTE, SUBTITLE_FONTS, 14, center=True)
    _lines(document, entry.summary, SUBTITLE_FONTS)
    _lines(document, entry.body)
    if entry.outcomes.strip():
        _paragraph(document, "成效", HEADING_FONTS, 16, indent=False)
        _lines(document, entry.outcomes)
    if entry.results:
        _paragraph(document, "量化成效", HEADING_FONTS, 16, indent=False)
        _results_table(document, entry.results)
    return _saved(document)


def _results_table(document, results: list[dict]):
    """指标项, 实施前, 实施后: one row a measure, in 四号仿宋."""
    table = document.add_table(rows=1, cols=3)
    table.style = "Table Grid"
    rows = [("指标项", "实施前", "实施后")]
    for result in results:
        measure, before, after, unit = (result.get(key) or "" for key in ("measure", "before", "after", "unit"))
        rows.append((measure, f"{before} {unit}".strip() if before else "—", f"{after} {unit}".strip()))
    for index, values in enumerate(rows):
        cells = table.rows[0].cells if index == 0 else table.add_row().cells
        for cell, value in zip(cells, values, strict=True):
            _font(cell.paragraphs[0].add_run(value), BODY_FONTS, 14, bold=index == 0)


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
