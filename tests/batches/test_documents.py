"""Reading an announcement's file — text, Word, web page, PDF — into the parser's text, and refusing the rest.

fixtures/bulletins/shaanxi-2023-1.* are one announcement in three formats, composed for these tests:

- .docx: written once with python-docx (1.2.0) from its default template, with two lists added to
  word/numbering.xml: chineseCounting "%1、" for the first two headings and decimal "%1、" for items 1–2, both
  real Word automatic numbering (the paragraphs' text has no number). Items 3–4 and heading 四 are typed. Items 5–6
  are an item table (序号 | 改革举措 | 主要内容 | 指导部门 | 推广范围) with a merged group-heading row and the scope
  cell merged down over both items; above the title, a layout table holds the document number and date. The page
  header and footer carry text that is not the announcement's.
- .html: written by hand in the shape of a provincial government's article page (gov.cn's UCAP-CONTENT and
  pages_content): header, nav, breadcrumb, the date and source line, share buttons, related links, a footer,
  scripts and a hidden paragraph around the same announcement, with the table in thead/colspan/rowspan form.
- .txt: the announcement as plain UTF-8 text, the table written as the lines a table row becomes.
"""

import io
import random
import zipfile

import docx
import pypdf
import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from batches import documents, pdf
from batches.bulletin import BulletinError
from batches.documents import Extracted, extract
from batches.importing import read_bulletin
from bizenv.fixtures import ensure_fixture
from tests.conftest import require_tool

BULLETINS = settings.BASE_DIR / "fixtures" / "bulletins"
ANNOUNCEMENT = "shaanxi-2023-1"


def fixture(suffix: str) -> bytes:
    return (BULLETINS / f"{ANNOUNCEMENT}.{suffix}").read_bytes()


@pytest.fixture
def reference_data(db):
    for name in ("cities", "indicators"):
        ensure_fixture(name)


def items(bulletin):
    return [(i.number, i.title, i.city, i.indicator, i.paragraphs, i.department, i.scope) for i in bulletin.items]


def word(*paragraphs: str, tables: tuple[list[list[str]], ...] = ()) -> bytes:
    """A .docx with these paragraphs, then these tables (rows of cell texts; a row of one text is merged across)."""
    document = docx.Document()
    for text in paragraphs:
        document.add_paragraph(text)
    for rows in tables:
        table = document.add_table(rows=len(rows), cols=len(rows[0]))
        for row, texts in zip(table.rows, rows, strict=True):
            if len(texts) == 1:  # one cell merged across the row
                row.cells[0].merge(row.cells[-1]).text = texts[0]
                continue
            for cell, text in zip(row.cells, texts, strict=True):
                cell.text = text
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def page(body: str, head: str = '<meta charset="utf-8">') -> bytes:
    return f"<!DOCTYPE html><html><head>{head}<title>页面</title></head><body>{body}</body></html>".encode()


def table(*rows: str) -> str:
    """An HTML table from rows written as cells separated by |."""
    return (
        "<table>"
        + "".join("<tr>" + "".join(f"<td>{c}</td>" for c in row.split("|")) + "</tr>" for row in rows)
        + ("</table>")
    )


# ---------------------------------------------------------------------------------------------------------------
# One announcement, three formats


def test_the_docx_the_html_and_the_text_give_the_same_announcement(reference_data):
    text, word_file, web_page = (read_bulletin(data=fixture(s), name=f"a.{s}") for s in ("txt", "docx", "html"))
    assert items(word_file) == items(text) == items(web_page)
    assert [i.number for i in text.items] == [1, 2, 3, 4, 5, 6, 7]
    assert text.items[4].paragraphs == [
        "铜川市在政务服务中心设立办税服务“样板间”，集中提供咨询、办理、反馈一站式服务。",
        "纳税人满意度持续提升。",
    ]
    assert (text.items[4].department, text.items[4].scope) == ("省税务局", "全省")  # the table's columns
    for bulletin in (word_file, web_page):
        assert (bulletin.title, bulletin.lead, bulletin.date, bulletin.declared_total) == (
            text.title,
            text.lead,
            text.date,
            text.declared_total,
        )
        assert [(n.line, n.code) for n in bulletin.warnings] == [(n.line, n.code) for n in text.warnings]
    assert (text.encoding, word_file.encoding, web_page.encoding) == ("utf-8", "docx", "html/utf-8")


def test_the_original_text_is_the_extracted_text_so_warnings_name_its_lines(reference_data):
    bulletin = read_bulletin(data=fixture("docx"), name="a.docx")
    lines = bulletin.original_text.split("\n")
    assert bulletin.original_text == extract(fixture("docx"), "a.docx").text
    assert [lines[note.line - 1] for note in bulletin.warnings] == [
        "陕西省优化营商环境工作领导小组办公室",
        "2023年3月10日",
    ]
    assert lines[bulletin.items[4].line - 1] == "5、铜川市打造办税服务“样板间”"


# ---------------------------------------------------------------------------------------------------------------
# Word


def test_word_automatic_numbering_is_shown_as_word_shows_it():
    source = [p.text for p in docx.Document(io.BytesIO(fixture("docx"))).paragraphs]
    assert "开办企业方面（共2项）" in source and source[source.index("开办企业方面（共2项）") + 1].startswith("西安市")
    lines = extract(fixture("docx"), "a.docx").text.split("\n")
    assert "一、开办企业方面（共2项）" in lines and "二、获得电力方面（共2项）" in lines
    assert lines[lines.index("一、开办企业方面（共2项）") + 1].startswith("1、西安市推行")
    assert "2、渭南市探索推行企业开办“一表申报、一窗出件”新模式" in lines


def test_word_headers_footers_and_layout_tables():
    extracted = extract(fixture("docx"), "a.docx")
    assert "文件" not in extracted.text and "- 1 -" not in extracted.text
    assert extracted.text.split("\n")[:2] == ["陕营商办发〔2023〕3号", "2023年3月10日"]
    assert (extracted.kind, extracted.label, extracted.encoding, extracted.notes) == ("docx", "docx", "", [])
    assert extracted.metadata["title"] == "2023年第一批优化营商环境典型经验做法"
    assert extracted.metadata["created"].date().isoformat() == "2023-03-10"


def test_word_kind_is_read_from_the_bytes_not_the_name():
    assert extract(fixture("docx"), "公告.txt").kind == "docx"
    assert extract(fixture("html"), "公告.docx").kind == "html"
    assert extract(fixture("txt"), "公告.html").kind == "txt"


def test_a_word_file_without_numbered_items_is_refused(reference_data):
    data = word("关于优化营商环境的通知", "各市（区）人民政府：请认真贯彻落实。")
    with pytest.raises(BulletinError, match="没有找到编号条目"):
        read_bulletin(data=data, name="通知.docx")


def test_a_word_item_table_counts_empty_numbers_and_labels_the_other_columns():
    rows = [
        ["序号", "经验做法名称", "具体做法", "牵头部门", "复制推广范围", "所在地区", "备注"],
        ["一、市场准入方面（共2项）"],
        ["", "西安市推行企业开办全程网办", "西安市实现企业开办全程网上办理。", "省市场监管局", "全省", "西安市", ""],
        ["", "汉中市推行“证照联办”", "汉中市将营业执照与许可证同步办理。", "省市场监管局\n省商务厅", "", "", "试点"],
    ]
    text = extract(word(tables=(rows,)), "a.docx").text
    assert text.split("\n") == [
        "一、市场准入方面（共2项）",
        "1、西安市推行企业开办全程网办",
        "西安市实现企业开办全程网上办理。",
        "指导部门：省市场监管局",
        "推广范围：全省",
        "地区：西安市",
        "2、汉中市推行“证照联办”",
        "汉中市将营业执照与许可证同步办理。",
        "指导部门：省市场监管局、省商务厅",
        "备注：试点",
    ]


@pytest.mark.parametrize("kind", ["docx", "html"])
def test_points_numbered_in_a_content_cell_stay_in_their_item(reference_data, kind):
    """A cell is one item's content whatever its lines start with: "1、马上办。" is not item 1 again."""
    rows = [
        ["序号", "改革举措", "主要内容", "推广范围"],
        ["1", "西安市推行企业开办一网通办", "主要做法：\n1、整合环节。\n2、压缩时间。", "全省"],
        ["2", "汉中市推行多规合一", "一是统一平台。\n二是并联审批。", "全省"],
        ["3", "宝鸡市创新“六个办”服务", "1、马上办。\n2、网上办。", "全省"],
    ]
    if kind == "docx":
        data = word("2023年第一批优化营商环境典型经验做法", tables=(rows,))
    else:
        data = page(
            "<h1>2023年第一批优化营商环境典型经验做法</h1>" + table(*("|".join(r).replace("\n", "<br>") for r in rows))
        )
    bulletin = read_bulletin(data=data, name=f"a.{kind}")
    assert [(i.number, i.paragraphs, i.scope) for i in bulletin.items] == [
        (1, ["主要做法：", "1、整合环节。", "2、压缩时间。"], "全省"),
        (2, ["一是统一平台。", "二是并联审批。"], "全省"),
        (3, ["1、马上办。", "2、网上办。"], "全省"),
    ]
    assert not [n for n in bulletin.warnings if n.code in {"repeated_number", "out_of_order"}]


def test_a_word_table_without_a_title_column_is_refused():
    rows = [["序号", "主要内容", "指导部门"], ["1", "推行企业开办全程网办。", "省市场监管局"]]
    with pytest.raises(BulletinError, match="表格缺少标题列（如“改革举措”“名称”），无法识别条目。"):
        extract(word("2023年第一批", tables=(rows,)), "a.docx")


@pytest.mark.parametrize(
    "value, expected",
    [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (36, "三十六"), (105, "一百零五"), (110, "一百一十")],
)
def test_word_counts_in_chinese_as_word_does(value, expected):
    assert documents._chinese_counting(value) == expected


# ---------------------------------------------------------------------------------------------------------------
# Web pages


def test_a_web_page_is_its_article_without_the_pages_chrome():
    extracted = extract(fixture("html"), "a.html")
    for chrome in ("首页", "当前位置", "来源：", "分享到", "相关文件", "网站地图", "统计代码", "隐藏", "搜索"):
        assert chrome not in extracted.text
    assert extracted.metadata == {"title": "2023年第一批优化营商环境典型经验做法", "published": "2023-03-10 10:00"}
    assert (extracted.kind, extracted.label) == ("html", "html/utf-8")


def test_a_web_page_is_read_in_the_charset_it_declares_or_the_one_it_is_in():
    body = "<p>1、西安市推行企业开办全程网办。西安市实现全程网上办理。</p>"
    declared = extract(
        page(body, '<meta http-equiv="Content-Type" content="text/html; charset=gb2312">').replace(
            body.encode(), body.encode("gb18030")
        ),
        "a.htm",
    )
    assert declared.label == "html/gb18030" and "1、西安市推行企业开办全程网办。" in declared.text
    undeclared = extract(page(body, "").replace(body.encode(), body.encode("gb18030")), "a.htm")
    assert undeclared.label == "html/gb18030" and undeclared.notes == []
    wrong = extract(page(body, '<meta charset="big5">').replace(body.encode(), body.encode("gb18030")), "a.htm")
    assert (wrong.text, wrong.label, [n.code for n in wrong.notes]) == (declared.text, "html/gb18030", ["html_charset"])
    utf8_said_gbk = extract(page(body, '<meta charset="gbk">'), "a.htm")
    assert utf8_said_gbk.label == "html/utf-8" and [n.code for n in utf8_said_gbk.notes] == ["html_charset"]


def test_a_page_without_known_containers_keeps_its_main_text_and_drops_link_lists():
    menu = "<div class='menu'>" + "".join(f"<a href='/{n}'>栏目{n}</a>" for n in range(8)) + "</div>"
    article = "<div class='wrap'><div class='txt'><p>2023年第一批典型经验做法</p>" + "".join(
        f"<p>{n}、西安市推行第{n}项改革举措。西安市实现相关事项全程网上办理，企业和群众办事更加便利。</p>"
        for n in (1, 2, 3)
    )
    text = extract(page(menu + article + "</div></div>" + menu.replace("menu", "foot")), "a.html").text
    assert text.split("\n")[0] == "2023年第一批典型经验做法"
    assert "栏目" not in text and "3、西安市推行第3项改革举措。" in text


def test_an_ordered_list_shows_its_numbers_and_br_breaks_lines():
    text = extract(
        page("<ol><li>西安市推行全程网办。</li><li>汉中市推行“证照联办”。<br>正文。</li></ol>"), "a.html"
    ).text
    assert text.split("\n") == ["1.西安市推行全程网办。", "2.汉中市推行“证照联办”。", "正文。"]


def test_web_page_tables_item_tables_and_layout_tables():
    layout = table("陕营商办发〔2023〕3号|2023年3月10日")
    items_table = table(
        "序号|名称|内容|地区",
        "1|西安市推行全程网办|西安市实现全程网上办理。|西安市",
        "|汉中市推行“证照联办”|汉中市将执照与许可同步办理。|",
    )
    text = extract(page(layout + items_table), "a.html").text
    assert text.split("\n") == [
        "陕营商办发〔2023〕3号",
        "2023年3月10日",
        "1、西安市推行全程网办",
        "西安市实现全程网上办理。",
        "地区：西安市",
        "2、汉中市推行“证照联办”",
        "汉中市将执照与许可同步办理。",
    ]


@pytest.mark.parametrize(
    "rows",
    [
        ("序号|主要内容|推广范围", "1|西安市实现全程网上办理。|全省"),  # a header without a title column
        ("1|西安市推行全程网办|全省", "2|汉中市推行证照联办|全省", "3|宝鸡市推行一证办电|全省"),  # no header at all
    ],
)
def test_a_list_table_without_a_title_column_is_refused(rows):
    with pytest.raises(BulletinError, match="表格缺少标题列"):
        extract(page(table(*rows)), "a.html")


# ---------------------------------------------------------------------------------------------------------------
# PDF


def test_a_pdf_with_a_text_layer_reads_as_its_text_with_a_caution(reference_data):
    require_tool(pdf.chinese_font() is not None, "no Chinese font to write a PDF: apt-get install fonts-noto-cjk")
    try:
        import weasyprint
    except OSError as exc:
        require_tool(False, f"missing Pango for WeasyPrint ({exc}): apt-get install libpango-1.0-0 libpangoft2-1.0-0")
    # One <p> per line of the text: the longer ones wrap on the page and must be joined again.
    lines = fixture("txt").decode().splitlines()
    html = "".join(f"<p>{line}</p>" for line in lines)
    style = f"body {{ font-family: '{pdf.chinese_font()}'; font-size: 12pt }}"
    data = weasyprint.HTML(string=f"<html><head><style>{style}</style></head><body>{html}</body></html>").write_pdf()
    bulletin = read_bulletin(data=data, name="公告.pdf")
    assert items(bulletin) == items(read_bulletin(data=fixture("txt")))
    assert bulletin.encoding == "pdf" and bulletin.warnings[0].code == "pdf_text"
    assert bulletin.warnings[0].message == "PDF 的文字层可能有断行或顺序错误，请对照原文核对。"


def test_an_image_only_pdf_is_refused_with_advice():
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(BulletinError, match="这份 PDF 是扫描图片，没有文字层。"):
        extract(out.getvalue(), "扫描件.pdf")


# ---------------------------------------------------------------------------------------------------------------
# What cannot be read


def zip_of(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


@pytest.mark.parametrize(
    "data, name, message",
    [
        (b"", "a.txt", "文件是空的。"),
        (b" \r\n\t ", "a.txt", "文件是空的。"),
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504),
            "公告.doc",
            "旧版 Word（.doc）文件无法直接读取，请在 Word 中另存为 .docx",
        ),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504), "公告.wps", "请在 WPS 中另存为 .docx"),
        (b"\x89PNG\r\n\x1a\n" + bytes(100), "公告.png", "这是图片文件"),
        (b"\xff\xd8\xff\xe0" + bytes(100), "公告.jpg", "这是图片文件"),
        (zip_of({"xl/workbook.xml": b"<workbook/>"}), "公告.xlsx", "Excel"),
        (zip_of({"公告.docx": b"x"}), "公告.zip", "请先解压"),
        (b"PK\x03\x04" + bytes(40), "公告.docx", "Word 文件已损坏"),
        (fixture("docx")[: len(fixture("docx")) // 2], "公告.docx", "Word 文件已损坏"),
        (b"{\\rtf1\\ansi 1\\u12289?}", "公告.rtf", "RTF"),
        (bytes(range(256)) * 4, "data.bin", "空字节"),
    ],
)
def test_what_cannot_be_read_says_what_to_do(data, name, message):
    with pytest.raises(BulletinError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        extract(data, name)


def test_a_word_file_that_unpacks_to_more_than_the_limit_is_refused():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<Types/>")
        with archive.open("word/document.xml", "w") as member:
            chunk = b" " * (1024 * 1024)
            for _ in range(documents.MAX_UNPACKED // len(chunk) + 1):
                member.write(chunk)
    assert len(out.getvalue()) < 1024 * 1024
    with pytest.raises(BulletinError, match="解压后超过 50 MB"):
        extract(out.getvalue(), "公告.docx")


def test_utf16_text_with_its_bom_is_read():
    data = "\ufeff1、西安市推行全程网办。正文。\r\n".encode("utf-16-le")
    assert extract(data, "a.txt") == Extracted("1、西安市推行全程网办。正文。\r\n", "txt", "utf-16")


def test_text_full_of_control_characters_is_not_text():
    with pytest.raises(BulletinError, match="控制字符"):
        extract(bytes(random.Random(1).choice(range(1, 32)) for _ in range(400)), "a.txt")


PREFIXES = [b"", b"PK\x03\x04", b"%PDF-1.7\n", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", b"<html><body>", b"\xff\xfe"]


@hypothesis_settings(max_examples=300, deadline=None)
@given(prefix=st.sampled_from(PREFIXES), rest=st.binary(max_size=2000), name=st.sampled_from(["a.docx", "a", "a.pdf"]))
def test_any_bytes_are_read_or_refused_with_a_bulletin_error(prefix, rest, name):
    try:
        extracted = extract(prefix + rest, name)
    except BulletinError as exc:
        assert str(exc)
    else:
        assert isinstance(extracted.text, str)


@pytest.mark.parametrize("cut", [30, 200, 1000, 5000, 20000])
def test_any_prefix_of_a_word_file_is_read_or_refused(cut):
    try:
        extract(fixture("docx")[:cut], "a.docx")
    except BulletinError as exc:
        assert "Word" in str(exc)
