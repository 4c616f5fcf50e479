"""An announcement's file — plain text, Word (.docx), a web page or a PDF — as the text the line parser reads.

Each reader keeps what a person sees in the document: Word's automatic numbering as the numbers it shows
("1、", "一、"), a web page's article without its menus and footer, and a table of items as numbered lines:

    5、{title}                 the number cell (counted on when empty), then the title cell
    {content paragraphs}
    指导部门：{…}  推广范围：{…}  地区：{…}   each when its cell has text

so that the same announcement reads the same from a .txt, a .docx and an .html. The reader is chosen by the
file's first bytes; the name's suffix only helps to say what a refused file is. Whatever the bytes, the only
exception that leaves this module is BulletinError, whose message says what to do instead.
"""

import codecs
import contextlib
import io
import logging
import re
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import PureWindowsPath

import docx
import lxml.etree
import lxml.html
import pypdf
from django.utils.translation import gettext as _

from .bulletin import BulletinError, Note, chinese_number, decode

logger = logging.getLogger(__name__)

# A Word file is a zip: what it unpacks to is what a reader holds in memory. Announcements unpack to megabytes.
MAX_UNPACKED = 50 * 1024 * 1024
MAX_ZIP_MEMBERS = 5000
MAX_PDF_PAGES = 2000

# The labelled lines a table row's other cells become, which the line parser reads into the item's fields.
DEPARTMENT, SCOPE, REGION = "指导部门", "推广范围", "地区"


class _Body(str):
    """A line of a table's content cell: body text, whatever it starts with ("1、马上办。" is a point of the item's
    content, not the next item). The line parser is told these lines (Extracted.body_lines)."""


def _joined(lines: list[str]) -> tuple[str, frozenset[int]]:
    """The lines as one text, and the numbers (from 1) of its lines that are a table's content."""
    body, number = set(), 1
    for line in lines:
        if isinstance(line, _Body):
            body.add(number)
        number += line.count("\n") + 1
    return "\n".join(lines), frozenset(body)


@dataclass
class Extracted:
    """A document's text as the line parser reads it, what it was read as, and doubts about the document as a
    whole. metadata: what the file says of itself (a Word file's title and created, a page's title and date)."""

    text: str
    kind: str  # txt, docx, html, pdf
    encoding: str = ""  # the text's encoding, for txt and html
    notes: list[Note] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)
    body_lines: frozenset[int] = frozenset()  # lines of a table's content cells: never an item or a heading

    @property
    def label(self) -> str:
        """What a batch records as its source's encoding: utf-8 (plain text, as before), docx, html/gb18030, pdf."""
        if self.kind == "txt":
            return self.encoding
        return f"{self.kind}/{self.encoding}" if self.encoding else self.kind


def extract(data: bytes, name: str, encoding: str = "auto") -> Extracted:
    """The text of an announcement's file, read by what its bytes are; BulletinError if it cannot be read."""
    if not data.strip():
        raise BulletinError(_("文件是空的。"))
    suffix = PureWindowsPath(name).suffix.lower()  # the Windows flavour splits on both / and \
    readers = {"docx": _read_docx, "html": _read_html, "pdf": _read_pdf, "txt": _read_text}
    kind = ""
    try:
        kind = _sniff(data, suffix)
        return readers[kind](data, encoding)
    except BulletinError:
        raise
    except Exception as exc:
        # The libraries raise what they like on damaged files (KeyError, ValueError, zlib.error, RecursionError…).
        logger.info("Unreadable %s file %r", kind, name, exc_info=True)
        raise BulletinError(_damaged(kind)) from exc


def _damaged(kind: str) -> str:
    return {
        "docx": _("Word 文件已损坏或不完整，无法读取。请在 Word 中打开并另存为 .docx 后再导入。"),
        "pdf": _("PDF 文件已损坏或不完整，无法读取。请使用原始的 Word 文件或网页。"),
        "html": _("网页文件无法解析。请在浏览器中重新“另存为”网页（.html）后再导入。"),
    }.get(kind, _("文件无法读取：它不是纯文本、Word（.docx）、网页或 PDF 文件。"))


# ---------------------------------------------------------------------------------------------------------------
# What the bytes are

_OLE = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_IMAGES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a", b"II*\x00", b"MM\x00*")
_ARCHIVES = (b"\x1f\x8b", b"Rar!\x1a\x07", b"7z\xbc\xaf\x27\x1c")
_HTML_START = re.compile(r"<(?:!doctype\s+html|html|head|body|meta|title)[\s>/]")
_HTML_TAGS = re.compile(r"<(?:p|div|table|br|span|font|h[1-6])[\s>/]")


def _sniff(data: bytes, suffix: str) -> str:
    """docx, html, pdf or txt; BulletinError, saying what to save it as, for anything else."""
    if b"%PDF-" in data[:1024]:
        return "pdf"
    if data.startswith(_OLE):
        raise BulletinError(_legacy_message(suffix))
    if data.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        return _zip_kind(data, suffix)
    if data.startswith(_IMAGES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        raise BulletinError(_("这是图片文件，没有文字。请使用原始的 Word 文件或网页，或先做文字识别。"))
    if data.startswith(_ARCHIVES):
        raise BulletinError(_("这是压缩文件。请先解压，再导入其中的公告文件（.docx、.html、.txt 或 .pdf）。"))
    if data.startswith(b"{\\rtf"):
        raise BulletinError(_("RTF 文件无法直接读取，请在 Word 中另存为 .docx 后再导入。"))
    head = _head_text(data)
    if "multipart/related" in head[:2000] and not head.startswith("<"):
        raise BulletinError(_("网页存档（.mht）无法直接读取，请在浏览器中另存为“网页，仅 HTML”（.html）后再导入。"))
    if _HTML_START.search(head) or (suffix in (".html", ".htm", ".shtml", ".xhtml") and _HTML_TAGS.search(head)):
        return "html"
    return "txt"


def _head_text(data: bytes) -> str:
    """The first few kilobytes, lower-cased, enough to recognise markup in any encoding we read."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return data[:8192].decode("utf-16", errors="ignore").lower().lstrip("\ufeff \t\r\n")
    return data[:4096].decode("latin-1").lower().removeprefix("\xef\xbb\xbf").lstrip()


def _legacy_message(suffix: str) -> str:
    if suffix in (".xls", ".et"):
        return _("旧版 Excel（.xls）文件不是公告文件。请使用公告原文的 Word 文件或网页，或另存为纯文本（.txt）后导入。")
    if suffix == ".wps":
        return _("WPS 文字（.wps）文件无法直接读取，请在 WPS 中另存为 .docx 后再导入。")
    return _("旧版 Word（.doc）文件无法直接读取，请在 Word 中另存为 .docx 后再导入。")


def _zip_kind(data: bytes, suffix: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            content_types = _member(archive, "[Content_Types].xml", limit=1024 * 1024)
            mimetype = _member(archive, "mimetype", limit=200)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError, ValueError, RuntimeError) as exc:
        if suffix in (".docx", ".docm"):
            raise BulletinError(_damaged("docx")) from exc
        raise BulletinError(_("压缩文件已损坏，无法读取。")) from exc
    if "word/document.xml" in names or b"wordprocessingml.document.main" in content_types:
        return "docx"
    if any(name.startswith("xl/") for name in names):
        raise BulletinError(
            _("这是 Excel（.xlsx）文件，不是公告文件。请使用公告原文的 Word 文件或网页，或另存为纯文本（.txt）后导入。")
        )
    if any(name.startswith("ppt/") for name in names):
        raise BulletinError(_("这是 PowerPoint 文件，不是公告文件。请使用公告原文的 Word 文件或网页。"))
    if mimetype.startswith(b"application/vnd.oasis.opendocument"):
        raise BulletinError(_("OpenDocument（.odt）文件无法直接读取，请另存为 .docx 后再导入。"))
    if "OFD.xml" in names or suffix == ".ofd":
        raise BulletinError(_("OFD 版式文件无法直接读取。请使用公告原文的 Word 文件或网页。"))
    raise BulletinError(_("这是压缩文件。请先解压，再导入其中的公告文件（.docx、.html、.txt 或 .pdf）。"))


def _member(archive: zipfile.ZipFile, name: str, *, limit: int) -> bytes:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return b""
    return archive.read(name) if info.file_size <= limit else b""


def _chinese(text: str) -> int:
    return sum("\u4e00" <= char <= "\u9fff" for char in text)


# ---------------------------------------------------------------------------------------------------------------
# Plain text

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


def _read_text(data: bytes, encoding: str) -> Extracted:
    text, used = decode(data, encoding)
    if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
        raise BulletinError(_("文件含有大量控制字符，不是文本。它不是可识别的 Word（.docx）、网页或 PDF 文件。"))
    return Extracted(text, "txt", used)


# ---------------------------------------------------------------------------------------------------------------
# Tables, from Word and web pages alike


@dataclass
class _Cell:
    col: int  # the grid column it starts in
    lines: list[str]
    span: int = 1
    continued: bool = False  # the lower part of a cell merged down: the text is the one above

    @property
    def text(self) -> str:
        return "".join(self.lines)


# Column names, by the field they hold; a header cell is the field whose longest name it contains.
_COLUMNS = {
    "number": "序号 编号",
    "title": "改革举措 举措名称 经验做法 做法名称 名称 标题 典型经验做法 典型做法 创新举措 案例名称 典型案例 "
    "事项名称 改革事项",
    "content": "主要内容 具体内容 内容 做法 主要做法 具体做法 主要成效 经验做法内容",
    "department": "指导部门 牵头部门 责任部门 指导单位 牵头单位 责任单位",
    "scope": "推广范围 复制推广范围 适用范围 推广区域",
    "region": "地区 所在地区 地方 城市 省份 地市 所在地",
}
_COLUMN_NAMES = sorted(
    ((name, kind) for kind, names in _COLUMNS.items() for name in names.split()), key=lambda pair: -len(pair[0])
)
_LABELS = {"department": DEPARTMENT, "scope": SCOPE, "region": REGION}
_NUMBER_CELL = re.compile(r"^[（(]?\s*(\d{1,4}|[一二三四五六七八九十百]+)\s*[)）.、．]?$")
_GROUP_HEADING = re.compile(
    r"^(?:[一二三四五六七八九十]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）])|(?:方面|领域|类)?\s*[（(]\s*共?\s*\d+\s*项\s*[)）]$"
)


def _column_kind(text: str) -> str | None:
    name = re.sub(r"\s+", "", text)
    if not name or len(name) > 20:
        return None
    return next((kind for column, kind in _COLUMN_NAMES if column in name), None)


def _table_lines(rows: list[list[_Cell]]) -> list[str]:
    """A table as lines: an item table as numbered items, any other table cell by cell, as paragraphs."""
    rows = [row for row in rows if any(cell.text.strip() for cell in row)]
    for index, row in enumerate(rows[:3]):
        kinds = {cell.col: _column_kind(cell.text) for cell in row if not cell.continued}
        if len({kind for kind in kinds.values() if kind}) >= 2:
            if "title" not in kinds.values():
                raise BulletinError(_("表格缺少标题列（如“改革举措”“名称”），无法识别条目。"))
            headers = {cell.col: re.sub(r"\s+", "", cell.text) for cell in row}
            return _layout_lines(rows[:index]) + _item_lines(rows[index + 1 :], kinds, headers)
    if _is_numbered_list(rows):
        raise BulletinError(_("表格缺少标题列（如“改革举措”“名称”），无法识别条目。"))
    return _layout_lines(rows)


def _layout_lines(rows: list[list[_Cell]]) -> list[str]:
    return [line for row in rows for cell in row if not cell.continued for line in cell.lines]


def _is_numbered_list(rows: list[list[_Cell]]) -> bool:
    """A list without a header we know: its first column counts 1, 2, 3… down at least three rows."""
    numbers = []
    for row in rows:
        first = next((cell for cell in row if cell.text.strip()), None)
        match = _NUMBER_CELL.match(first.text.strip()) if first else None
        numbers.append(int(match.group(1)) if match and match.group(1).isdigit() else None)
    run = best = 0
    for previous, number in zip([None, *numbers], numbers, strict=False):
        run = run + 1 if number is not None and previous is not None and number == previous + 1 else 0
        best = max(best, run)
    return best >= 2


def _item_lines(rows: list[list[_Cell]], kinds: dict[int, str | None], headers: dict[int, str]) -> list[str]:
    lines: list[str] = []
    number = 0
    header_texts = sorted(headers.values())
    for row in rows:
        own = [cell for cell in row if not cell.continued and cell.text.strip()]
        if not own or sorted(re.sub(r"\s+", "", cell.text) for cell in row) == header_texts:
            continue  # empty, or the header repeated on each page
        if len({cell.text.strip() for cell in own}) == 1:  # one cell, merged across or its text repeated
            cell = own[0]
            heading = len(own) > 1 or cell.span > 1 or kinds.get(cell.col) != "title"
            heading = heading or _GROUP_HEADING.search(cell.text.strip())
            if heading:
                lines.extend(cell.lines)
                continue
        values: dict[str, list[str]] = {}
        others: list[tuple[str, list[str]]] = []
        for cell in row:
            kind = kinds.get(cell.col)
            cell_lines = [line.strip() for line in cell.lines if line.strip()]
            if kind:
                values.setdefault(kind, []).extend(cell_lines)
            elif cell_lines and headers.get(cell.col):
                others.append((headers[cell.col], cell_lines))
        written = "".join(values.get("number", []))
        match = _NUMBER_CELL.match(written)
        number = (chinese_number(match.group(1)) or number + 1) if match else number + 1
        title = "".join(values.get("title", []))
        content = values.get("content", [])
        if not title and content:
            title, content = content[0], content[1:]
        lines.append(f"{number}、{title}")
        lines.extend(_Body(line) for line in content)
        for kind, label in _LABELS.items():
            if parts := [part.rstrip("、，,；;") for part in values.get(kind, [])]:
                lines.append(f"{label}：{'、'.join(parts)}")
        for header, cell_lines in others:
            lines.append(f"{header}：{cell_lines[0]}")
            lines.extend(cell_lines[1:])
    return lines


# ---------------------------------------------------------------------------------------------------------------
# Word (.docx)

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SKIPPED = {
    f"{_W}pPr",
    f"{_W}rPr",
    f"{_W}del",  # tracked deletions: not in the document as it reads
    f"{_W}moveFrom",
    f"{_W}txbxContent",  # text boxes float beside the text, not in its order
    f"{_MC}Fallback",  # the same content again, for older readers
    f"{_W}instrText",
    f"{_W}delText",
    f"{_W}footnoteReference",
    f"{_W}endnoteReference",
}
_CHINESE_DIGITS = "零一二三四五六七八九"


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1


def _val(element, path: str) -> str | None:
    found = element.find(path) if element is not None else None
    return found.get(f"{_W}val") if found is not None else None


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class _WordReader:
    """The body of a Word document in order, its numbering rendered as Word shows it."""

    def __init__(self, document):
        self.levels: dict[str, dict[int, _Level]] = {}  # abstractNumId -> ilvl -> level
        self.style_levels: dict[str, dict[str, int]] = {}  # abstractNumId -> styleId -> ilvl
        self.nums: dict[str, tuple[str, dict[int, int]]] = {}  # numId -> (abstractNumId, start overrides)
        self.styles: dict[str, tuple[str | None, str | None, str | None]] = {}  # styleId -> numId, ilvl, basedOn
        self.counters: dict[str, dict[int, int]] = {}
        self.started: set[str] = set()
        self.links: dict[str, str] = {}  # abstractNumId -> the numbering style it takes its levels from
        part = document.part
        for reltype, read in (
            ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/numbering", self._read_numbering),
            ("http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles", self._read_styles),
        ):
            with contextlib.suppress(KeyError):  # a document without lists or styles of its own
                read(part.part_related_by(reltype).element)

    def _read_numbering(self, numbering):
        for abstract in numbering.iterfind(f"{_W}abstractNum"):
            abstract_id = abstract.get(f"{_W}abstractNumId")
            levels, styles = {}, {}
            for lvl in abstract.iterfind(f"{_W}lvl"):
                ilvl = _int(lvl.get(f"{_W}ilvl"), 0)
                text = _val(lvl, f"{_W}lvlText")
                levels[ilvl] = _Level(
                    _val(lvl, f"{_W}numFmt") or "decimal",
                    text if text is not None else f"%{ilvl + 1}.",
                    _int(_val(lvl, f"{_W}start"), 1),
                )
                if style := _val(lvl, f"{_W}pStyle"):
                    styles[style] = ilvl
            self.levels[abstract_id], self.style_levels[abstract_id] = levels, styles
            if link := _val(abstract, f"{_W}numStyleLink"):
                self.links[abstract_id] = link
        for num in numbering.iterfind(f"{_W}num"):
            overrides = {
                _int(override.get(f"{_W}ilvl"), 0): _int(_val(override, f"{_W}startOverride"), 1)
                for override in num.iterfind(f"{_W}lvlOverride")
                if override.find(f"{_W}startOverride") is not None
            }
            self.nums[num.get(f"{_W}numId")] = (_val(num, f"{_W}abstractNumId"), overrides)

    def _read_styles(self, styles):
        for style in styles.iterfind(f"{_W}style"):
            numbering = style.find(f"{_W}pPr/{_W}numPr")
            self.styles[style.get(f"{_W}styleId")] = (
                _val(numbering, f"{_W}numId"),
                _val(numbering, f"{_W}ilvl"),
                _val(style, f"{_W}basedOn"),
            )

    def _abstract(self, num_id: str) -> str | None:
        abstract_id = self.nums.get(num_id, (None, {}))[0]
        # A list defined by a style (numStyleLink) takes its levels from the list that style names.
        link = self.links.get(abstract_id)
        if link and (linked := self.styles.get(link, (None, None, None))[0]) and linked != num_id:
            return self.nums.get(linked, (abstract_id, {}))[0]
        return abstract_id

    def _numbering(self, p) -> tuple[str | None, int | None, str | None]:
        """The paragraph's list (numId), level and style: its own, else its style's, else the style's base's."""
        ppr = p.find(f"{_W}pPr")
        num_id, ilvl = _val(ppr, f"{_W}numPr/{_W}numId"), _val(ppr, f"{_W}numPr/{_W}ilvl")
        style = _val(ppr, f"{_W}pStyle")
        seen, current = set(), style
        while current and current not in seen and (num_id is None or ilvl is None):
            seen.add(current)
            style_num, style_ilvl, current_base = self.styles.get(current, (None, None, None))
            num_id, ilvl = num_id or style_num, ilvl or style_ilvl
            current = current_base
        return num_id, (None if ilvl is None else _int(ilvl, 0)), style

    def label(self, p) -> str:
        """The number Word shows before the paragraph ("1、", "一、", "（3）"), or ""."""
        num_id, ilvl, style = self._numbering(p)
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        abstract_id = self._abstract(num_id)
        levels = self.levels.get(abstract_id, {})
        if ilvl is None:
            ilvl = self.style_levels.get(abstract_id, {}).get(style, 0)
        counters = self.counters.setdefault(abstract_id, {})
        if num_id not in self.started:
            self.started.add(num_id)
            for level, start in self.nums[num_id][1].items():
                counters[level] = start - 1
        level = levels.get(ilvl, _Level(text=f"%{ilvl + 1}."))
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [key for key in counters if key > ilvl]:
            del counters[deeper]
        if level.fmt in ("bullet", "none"):
            return ""

        def number(match):
            at = int(match.group(1)) - 1
            of = levels.get(at, _Level())
            return _format_number(counters.get(at, of.start), of.fmt)

        label = re.sub(r"%([1-9])", number, level.text).strip()
        # A bare number ("%1" followed by a tab) reads as the parser's "1、".
        if re.fullmatch(rf"\d+|[{_CHINESE_DIGITS}十百]+", label):
            label += "、"
        return label

    def blocks(self, parent) -> list[str]:
        lines = []
        for child in parent:
            if child.tag == f"{_W}p":
                lines.extend(self.paragraph(child))
            elif child.tag == f"{_W}tbl":
                lines.extend(_table_lines(self.rows(child)))
            elif child.tag in (f"{_W}sdt", f"{_W}customXml", f"{_W}sdtContent", f"{_W}ins", f"{_W}moveTo"):
                lines.extend(self.blocks(child))
        return lines

    def paragraph(self, p) -> list[str]:
        label = self.label(p)
        text = _runs_text(p)
        if not text.strip():
            return []  # Word counts an empty numbered paragraph; a lone number would take the next line as title
        return (label + text).split("\n")

    def rows(self, table) -> list[list[_Cell]]:
        rows: list[list[_Cell]] = []
        above: dict[int, list[str]] = {}
        for tr in table.iterchildren(f"{_W}tr"):
            col = _int(_val(tr.find(f"{_W}trPr"), f"{_W}gridBefore"), 0)
            row = []
            for tc in tr.iterchildren(f"{_W}tc"):
                props = tc.find(f"{_W}tcPr")
                span = max(1, min(_int(_val(props, f"{_W}gridSpan"), 1), 64))
                merge = props.find(f"{_W}vMerge") if props is not None else None
                continued = merge is not None and merge.get(f"{_W}val") in (None, "continue")
                if continued:
                    row.append(_Cell(col, above.get(col, []), span, continued=True))
                else:
                    lines = [line for line in self.blocks(tc) if line.strip()]
                    above[col] = lines
                    row.append(_Cell(col, lines, span))
                col += span
            rows.append(row)
        return rows


def _runs_text(element) -> str:
    parts = []
    for child in element:
        tag = child.tag
        if not isinstance(tag, str) or tag in _SKIPPED:
            continue
        if tag == f"{_W}t":
            parts.append(child.text or "")
        elif tag in (f"{_W}tab", f"{_W}ptab"):
            parts.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            parts.append("\n")
        elif tag == f"{_W}noBreakHyphen":
            parts.append("-")
        else:
            parts.append(_runs_text(child))  # runs, hyperlinks, insertions, fields, smart tags, inline controls
    return "".join(parts)


def _format_number(value: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting"):
        return _chinese_counting(value)
    if fmt in ("ideographDigital", "taiwaneseDigital"):
        return "".join(_CHINESE_DIGITS[int(digit)] for digit in str(value))
    if fmt == "decimalZero":
        return f"{value:02d}"
    if fmt == "decimalEnclosedCircle" and 1 <= value <= 20:
        return chr(0x2460 + value - 1)
    if fmt in ("lowerLetter", "upperLetter") and value >= 1:
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter if fmt == "lowerLetter" else letter.upper()
    if fmt in ("lowerRoman", "upperRoman") and 1 <= value < 4000:
        roman = _roman(value)
        return roman if fmt == "upperRoman" else roman.lower()
    return str(value)


def _chinese_counting(value: int) -> str:
    """1 → 一, 10 → 十, 21 → 二十一, 105 → 一百零五, as Word counts in Chinese."""
    if not 0 < value < 1000:
        return str(value)
    hundreds, tens, units = value // 100, value // 10 % 10, value % 10
    text = ""
    if hundreds:
        text += _CHINESE_DIGITS[hundreds] + "百"
    if tens:
        text += ("" if tens == 1 and not hundreds else _CHINESE_DIGITS[tens]) + "十"
    elif hundreds and units:
        text += "零"
    if units:
        text += _CHINESE_DIGITS[units]
    return text


def _roman(value: int) -> str:
    numerals = [(1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC")]
    numerals += [(50, "L"), (40, "XL"), (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")]
    text = ""
    for amount, numeral in numerals:
        count, value = divmod(value, amount)
        text += numeral * count
    return text


def _read_docx(data: bytes, encoding: str) -> Extracted:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        members = archive.infolist()
        # Sizes as the archive declares them, which is all a reader ever unpacks (zipfile stops there).
        if len(members) > MAX_ZIP_MEMBERS or sum(member.file_size for member in members) > MAX_UNPACKED:
            raise BulletinError(
                _("Word 文件解压后超过 %(mb)d MB，不像是一份公告。") % {"mb": MAX_UNPACKED // 1024 // 1024}
            )
    try:
        document = docx.Document(io.BytesIO(data))
    except ValueError as exc:  # a macro-enabled document or a template: another content type
        raise BulletinError(_("这个文件无法作为 Word（.docx）文件打开，请在 Word 中另存为 .docx 后再导入。")) from exc
    reader = _WordReader(document)
    text, body_lines = _joined(reader.blocks(document.element.body))
    properties = document.core_properties
    metadata = {"title": properties.title or "", "created": properties.created}
    metadata = {key: value for key, value in metadata.items() if value}
    return Extracted(text, "docx", metadata=metadata, body_lines=body_lines)


# ---------------------------------------------------------------------------------------------------------------
# Web pages (.html)

_CHARSET = re.compile(rb"""<meta[^>]{0,200}?charset\s*=\s*["']?\s*([-\w.:]+)""", re.IGNORECASE)
_CHARSETS = {"gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "gb_2312-80": "gb18030", "cp936": "gb18030"}
_CHROME = (
    "script style noscript template iframe object embed svg canvas button select input textarea "
    "nav header footer aside head"
).split()
# Where a page's article is, narrowest first: gov.cn (UCAP), TRS and other publishing systems, then wrappers.
_CONTENT_IDS = ("UCAP-CONTENT", "zoom", "Zoom", "content", "Content", "article", "main")
_CONTENT_CLASSES = (
    "pages_content",
    "TRS_Editor",
    "TRS_UEDITOR",
    "trs_editor_view",
    "article-content",
    "article_content",
    "content",
    "article",
)
_BLOCKS = set(
    "p div section article main h1 h2 h3 h4 h5 h6 ul ol li dl dt dd blockquote pre center address figure "
    "figcaption hr form fieldset tr td th caption details summary".split()
)
_HTML_SPACE = re.compile(r"[ \t\n\r\f]+")


def _read_html(data: bytes, encoding: str) -> Extracted:
    text, used, notes = _decode_html(data, encoding)
    # lxml refuses a str that declares its own encoding, which XHTML pages do.
    text = re.sub(r"^\s*<\?xml[^>]*\?>", "", text.lstrip("\ufeff"))
    try:
        root = lxml.html.document_fromstring(text)
    except lxml.etree.ParserError as exc:  # nothing but whitespace and comments
        raise BulletinError(_("网页中没有可读取的内容。")) from exc
    metadata = _page_metadata(root)
    body = next(iter(root.xpath("//body")), root)
    title = _page_title(body) or root.xpath("string(//meta[@name='ArticleTitle']/@content)").strip()
    for element in body.xpath(" | ".join(f"//{tag}" for tag in _CHROME)):
        element.drop_tree()
    for element in body.xpath("//*[@hidden or contains(translate(@style, ' ', ''), 'display:none')]"):
        element.drop_tree()
    content = _main_content(body)
    if content is None:
        raise BulletinError(_("网页中没有找到正文文字。"))
    lines = _HtmlLines().read(content)
    if title and title not in lines[:3]:
        lines.insert(0, title)
    text, body_lines = _joined(lines)
    return Extracted(text, "html", used, notes=notes, metadata=metadata, body_lines=body_lines)


def _decode_html(data: bytes, encoding: str) -> tuple[str, str, list[Note]]:
    """The page's text: by its BOM or the encoding asked for; else as UTF-8 when it is that (GBK text never
    is), else in the charset it declares, else as plain text is detected; a note when the declaration is wrong."""
    if data.startswith((codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or encoding != "auto":
        return (*decode(data, encoding), [])
    match = _CHARSET.search(data[:16384])
    declared = match.group(1).decode("ascii", errors="ignore").lower() if match else ""
    try:
        name = codecs.lookup(_CHARSETS.get(declared, declared)).name if declared else ""
    except LookupError:
        name = ""
    if name.startswith(("utf-16", "utf-32")):
        name = ""  # a page in UTF-16 starts with its BOM; one that only says so is not in it
    with contextlib.suppress(UnicodeDecodeError):
        text = data.decode("utf-8")
        if data.isascii():
            return text, name or "utf-8", []
        return text, "utf-8", [] if name in ("", "utf-8") else [_charset_note(declared, "utf-8")]
    # GBK and Big5 both decode most bytes of each other: which one it is, the text says better than the page.
    if name and name not in ("gb18030", "big5"):
        with contextlib.suppress(UnicodeDecodeError):
            return data.decode(name), name, []
    text, used = decode(data)
    return text, used, [_charset_note(declared, used)] if declared and used != name else []


def _charset_note(declared: str, used: str) -> Note:
    return Note(
        None,
        "html_charset",
        _("网页声明的编码“%(declared)s”与内容不符，已按 %(used)s 读取，请核对。")
        % {"declared": declared, "used": used},
    )


def _page_metadata(root) -> dict:
    metadata = {}
    for key, names in (("title", ("ArticleTitle", "title")), ("published", ("PubDate", "publishdate", "pubdate"))):
        for name in names:
            content = root.xpath(f"string(//meta[@name='{name}']/@content)").strip()
            if content:
                metadata[key] = content
                break
    if "title" not in metadata and (title := root.xpath("string(//title)").strip()):
        metadata["title"] = title
    return metadata


def _page_title(body) -> str:
    """The article's heading: its first h1 with Chinese in it (a site's logo has none), outside menus."""
    for heading in body.xpath("//h1[not(ancestor::nav) and not(ancestor::footer)]"):
        text = _HTML_SPACE.sub(" ", heading.text_content().replace("\xa0", " ")).strip()
        if _chinese(text) >= 4:
            return text
    return ""


def _main_content(body):
    """The element holding the article: the narrowest a publishing system names, else the innermost element that
    holds nearly all the page's Chinese once link lists (menus, related links) are left aside."""
    total = _chinese(body.text_content())
    if not total:
        return None
    queries = [f"//*[@id='{name}']" for name in _CONTENT_IDS[:2]]
    queries += [f"//*[contains(concat(' ', normalize-space(@class), ' '), ' {name} ')]" for name in _CONTENT_CLASSES]
    queries += [f"//*[@id='{name}']" for name in _CONTENT_IDS[2:]]
    queries += ["//article", "//main", "//*[@role='main']"]
    for query in queries:
        found = [(_chinese(element.text_content()), element) for element in body.xpath(query)]
        if found:
            count, element = max(found, key=lambda pair: pair[0])
            if count >= 0.4 * total:
                return element
    link_lists = _link_lists(body)
    listed = {id(element) for lst in link_lists for element in lst.iter()}
    in_lists = {id(lst): _chinese(lst.text_content()) for lst in link_lists}
    text = total - sum(in_lists.values())
    best, best_count = body, total
    for element in body.iter("div", "td", "section", "article", "main"):
        if id(element) in listed:
            continue
        inner = sum(in_lists[id(lst)] for lst in link_lists if element in lst.iterancestors())
        count = _chinese(element.text_content()) - inner
        if count >= 0.85 * text and count <= best_count:  # the innermost of those that hold nearly all the text
            best, best_count = element, count
    for lst in link_lists:
        if best in lst.iterancestors():
            lst.drop_tree()
    return best


def _link_lists(body) -> list:
    """Menus and lists of links: blocks of short links (an item's title is not short) that are most of their text."""
    found = []
    for element in body.iter("ul", "ol", "dl", "div", "table", "p"):
        links = element.xpath(".//a")
        if len(links) < 3:
            continue
        link_text = sum(len(link.text_content().strip()) for link in links)
        text = len(re.sub(r"\s+", "", element.text_content()))
        is_menu = link_text / len(links) < 15 and link_text >= 0.7 * text
        if is_menu and not any(element in outer.iterdescendants() for outer in found):
            found.append(element)
    return found


class _HtmlLines:
    """Lines as a browser lays them out: a block element or <br> ends one; a table is read as a table."""

    def __init__(self):
        self.lines: list[str] = []
        self.buffer: list[str] = []

    def read(self, element) -> list[str]:
        self.walk(element, None)
        self.flush()
        return self.lines

    def flush(self):
        line = _HTML_SPACE.sub(" ", "".join(self.buffer).replace("\xa0", " ")).strip()
        if line:
            self.lines.append(line)
        self.buffer = []

    def walk(self, element, number: int | None):
        tag = element.tag.lower() if isinstance(element.tag, str) else None
        if tag is None:  # a comment or processing instruction: only its tail is text
            self.buffer.append(element.tail or "")
            return
        if tag == "br":
            self.flush()
        elif tag == "table":
            self.flush()
            caption = element.find("caption")
            if caption is not None:
                self.lines.extend(_HtmlLines().read(caption))
            self.lines.extend(_table_lines(_html_rows(element)))
        elif tag == "pre":
            self.flush()
            self.lines.extend(line.strip() for line in element.text_content().split("\n") if line.strip())
        else:
            block = tag in _BLOCKS
            if block:
                self.flush()
            if number is not None:
                self.buffer.append(f"{number}.")  # an ordered list's number, as the browser shows it
            self.buffer.append(element.text or "")
            counter = _int(element.get("start"), 1) if tag == "ol" else None
            for child in element:
                is_item = counter is not None and isinstance(child.tag, str) and child.tag.lower() == "li"
                self.walk(child, counter if is_item else None)
                if is_item:
                    counter += 1
            if block:
                self.flush()
        self.buffer.append(element.tail or "")


def _html_rows(table) -> list[list[_Cell]]:
    rows: list[list[_Cell]] = []
    pending: dict[int, tuple[_Cell, int]] = {}  # column -> a cell merged down (rowspan), rows it still covers
    for tr in table.xpath("./tr | ./thead/tr | ./tbody/tr | ./tfoot/tr"):
        above, pending = pending, {}
        row: list[_Cell] = []
        col = 0
        for td in tr.xpath("./td | ./th"):
            col = _carry(row, above, pending, col)
            span = max(1, min(_int(td.get("colspan"), 1), 64))
            rowspan = max(1, min(_int(td.get("rowspan"), 1), 1000))
            cell = _Cell(col, _HtmlLines().read(td), span)
            row.append(cell)
            if rowspan > 1:
                pending[col] = (cell, rowspan - 1)
            col += span
        for later in sorted(above):  # merged down into columns after this row's last cell
            if later in above:
                _carry(row, above, pending, later)
        rows.append(sorted(row, key=lambda cell: cell.col))
    return rows


def _carry(row: list[_Cell], above: dict, pending: dict, col: int) -> int:
    """Put the cells merged down from the row above at col (and after), as continuations; the next free column."""
    while col in above:
        cell, left = above.pop(col)
        row.append(_Cell(col, cell.lines, cell.span, continued=True))
        if left > 1:
            pending[col] = (cell, left - 1)
        col += cell.span
    return col


# ---------------------------------------------------------------------------------------------------------------
# PDF

_PAGE_NUMBER = re.compile(
    r"^(?:[-—–]\s*\d{1,4}\s*[-—–]|\d{1,4}|第\s*\d+\s*页(?:\s*[/，,]?\s*共\s*\d+\s*页)?|\d+\s*/\s*\d+)$"
)
_LINE_END = ("。", "！", "？", "；", "：", "”", "）", ")", "!", "?", ";", ":", "…")


def _read_pdf(data: bytes, encoding: str) -> Extracted:
    reader = pypdf.PdfReader(io.BytesIO(data))
    if reader.is_encrypted and not reader.decrypt(""):
        raise BulletinError(_("这份 PDF 有密码保护，无法读取。请使用原始的 Word 文件或网页。"))
    if len(reader.pages) > MAX_PDF_PAGES:
        raise BulletinError(_("这份 PDF 超过 %(n)d 页，不像是一份公告。") % {"n": MAX_PDF_PAGES})
    lines = []
    for page in reader.pages:
        for line in (page.extract_text() or "").split("\n"):
            line = _ordinary(line)
            if line.strip() and not _PAGE_NUMBER.match(line.strip()):
                lines.append(line.strip())
    if not any(_chinese(line) or re.search(r"[A-Za-z]{2}", line) for line in lines):
        raise BulletinError(_("这份 PDF 是扫描图片，没有文字层。请使用原始的 Word 文件或网页，或先做文字识别。"))
    metadata = {}
    with contextlib.suppress(ValueError, TypeError, KeyError):  # what a PDF says of itself is no reason to refuse it
        if info := reader.metadata:
            metadata = {"title": str(info.title or "").strip(), "created": info.creation_date}
    note = Note(None, "pdf_text", _("PDF 的文字层可能有断行或顺序错误，请对照原文核对。"))
    return Extracted("\n".join(_unwrap(lines)), "pdf", notes=[note], metadata={k: v for k, v in metadata.items() if v})


def _ordinary(line: str) -> str:
    """Kangxi radicals and compatibility ideographs, which some fonts' text layers give for ordinary characters
    (⽣ for 生), as the ordinary ones."""
    return "".join(
        unicodedata.normalize("NFKC", char) if "\u2e80" <= char <= "\u2fdf" or "\uf900" <= char <= "\ufaff" else char
        for char in line
    )


def _width(line: str) -> int:
    return sum(2 if unicodedata.east_asian_width(char) in "WF" else 1 for char in line)


def _is_word_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def _unwrap(lines: list[str]) -> list[str]:
    """Join the lines a paragraph was wrapped into: a line as wide as the text column, not ending a sentence,
    goes on in the next one."""
    widths = sorted(_width(line) for line in lines)
    column = widths[int(0.9 * (len(widths) - 1))] if widths else 0
    joined: list[str] = []
    wrapped = False
    for line in lines:
        if wrapped and joined:
            joined[-1] += (" " if _is_word_char(joined[-1][-1:]) and _is_word_char(line[:1]) else "") + line
        else:
            joined.append(line)
        wrapped = column >= 40 and _width(line) >= 0.9 * column and not line.endswith(_LINE_END)
    return joined
