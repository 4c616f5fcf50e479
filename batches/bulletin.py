"""Reading a published announcement (公告) into a structure. No database here: the caller passes what is known.

An announcement, as provinces publish it and as it circulates (copied from web
pages and Word files, sometimes through a Traditional-script site and a wrong
encoding on the way):

    title line(s)                       2023年第一批优化营商环境典型经验做法
    lead paragraph(s)                   近日，……推出了今年第二批36项……
    indicator heading                   开办企业  /  一、开办企业方面（共5项）
    numbered item: title。body…          3、渭南市探索推行……新模式。渭南市……
    body paragraphs                     ……
    next heading or item …

Everything is converted to Simplified first; the original lines are kept beside
the result. Nothing is guessed silently: every doubt becomes a warning with its
line number, and only certain repairs are made.
"""

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from practices import regions
from practices.text import SENTENCE_END, Known, NameMatcher, certain_repair, find_damage, to_simplified


class BulletinError(Exception):
    """The document cannot be read or written at all; the message names the line where it can."""


@dataclass
class Note:
    """A warning, with the line of the document it is about (None: the document as a whole)."""

    line: int | None
    code: str
    message: str
    fragment: str = ""

    def as_dict(self) -> dict:
        data = {"line": self.line, "code": self.code, "message": self.message}
        if self.fragment:
            data["fragment"] = self.fragment
        return data


@dataclass
class Item:
    number: int
    line: int
    title: str
    city: str | None = None  # the province's own city, or the region outside it as a national list names it
    region_code: str = ""  # the city's or the region's code (GB/T 2260, or practices/data/regions.csv's own)
    indicator: str | None = None
    paragraphs: list[str] = field(default_factory=list)
    original_title: str = ""
    original_lines: list[str] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "line": self.line,
            "title": self.title,
            "city": self.city,
            "region": {"name": self.city, "code": self.region_code} if self.city else None,
            "indicator": self.indicator,
            "paragraphs": self.paragraphs,
            "warnings": [note.as_dict() for note in self.warnings],
        }


@dataclass
class Bulletin:
    title: str = ""
    lead: list[str] = field(default_factory=list)
    declared_total: int | None = None
    date: datetime.date | None = None  # the date the document bears, if it has one (a 落款's, a web page's)
    items: list[Item] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    encoding: str = ""
    original_text: str = ""

    @property
    def announced_total(self) -> int | None:
        """How many items the document says it has: its declared total, else the highest item number read when
        that is more than the items read (a numbering that stops, or skips, short of the end)."""
        if self.declared_total is not None:
            return self.declared_total
        highest = max((item.number for item in self.items), default=0)
        return highest if highest > len(self.items) else None

    def all_warnings(self) -> list[tuple[Item | None, Note]]:
        """Every warning, the document's and the items', in line order."""
        pairs = [(None, note) for note in self.warnings]
        pairs += [(item, note) for item in self.items for note in item.warnings]
        return sorted(pairs, key=lambda pair: (pair[1].line or 0, pair[0].number if pair[0] else 0))


# ---------------------------------------------------------------------------------------------------------------
# Bytes to text

ENCODINGS = ("utf-8", "gb18030", "big5")
_NOT_TEXT = {b"PK\x03\x04": "Word (.docx) / Excel (.xlsx)", b"\xd0\xcf\x11\xe0": "Word (.doc) / Excel (.xls)"}


def _line_of(data: bytes, offset: int) -> int:
    return data[:offset].count(b"\n") + 1


def _plausibility(text: str) -> float:
    """Share of the Chinese characters that are common ones (in GB2312 once Simplified): high for the right decoding."""
    chinese = [c for c in to_simplified(text) if "\u4e00" <= c <= "\u9fff"]
    if not chinese:
        return 0.0
    common = 0
    for char in chinese:
        try:
            char.encode("gb2312")
            common += 1
        except UnicodeEncodeError:
            pass
    return common / len(chinese)


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """The document's text and the encoding it was read with; BulletinError if it is not text in that encoding."""
    for magic, kind in _NOT_TEXT.items():
        if data.startswith(magic):
            raise BulletinError(
                _("这是 %(kind)s 文件，不是纯文本。请在 Word 中“另存为”纯文本（.txt）后再导入。") % {"kind": kind}
            )
    if b"\x00" in data:
        raise BulletinError(_("文件含有空字节，不是纯文本（可能是 UTF-16 或二进制文件）。请另存为 UTF-8 纯文本。"))
    if encoding != "auto":
        if encoding not in ENCODINGS:
            raise BulletinError(_("不支持的编码“%(encoding)s”。") % {"encoding": encoding})
        try:
            return data.decode("utf-8-sig" if encoding == "utf-8" else encoding), encoding
        except UnicodeDecodeError as exc:
            raise BulletinError(
                _("第%(line)d行：文件不是有效的 %(encoding)s 编码。可改用 --encoding auto 自动识别。")
                % {"line": _line_of(data, exc.start), "encoding": encoding}
            ) from exc
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
        # A UTF-8 file cut inside its last character: read what is there; the parser reports the cut.
        if exc.reason == "unexpected end of data" and exc.start >= len(data) - 3:
            return data[: exc.start].decode("utf-8-sig"), "utf-8"
    candidates = []
    for name in ("gb18030", "big5"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), name, text))
    if not candidates:
        raise BulletinError(
            _(
                "无法识别文件编码：既不是 UTF-8，也不是 GB18030 或 Big5（第%(line)d行起无法按 UTF-8 读取）。"
                "请另存为 UTF-8 纯文本。"
            )
            % {"line": _line_of(data, utf8_error.start)}
        )
    best = max(candidates)
    return best[2], best[1]


# ---------------------------------------------------------------------------------------------------------------
# Lines

_CN_DIGITS = {
    "零": 0,
    "〇": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def chinese_number(text: str) -> int | None:
    """三十六 → 36, 一百三十 → 130; None when it is not a number up to 999."""
    if text.isdigit():
        return int(text)
    total, current = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            current = _CN_DIGITS[char]
        elif char in "十百":
            total += (current or 1) * (10 if char == "十" else 100)
            current = 0
        else:
            return None
    return total + current


def date_of(text: str) -> datetime.date | None:
    """The date a line that is only a date names (2022年8月15日, 二〇二二年八月十五日, 2022-08-15); else None."""
    for pattern in _DATE_LINES:
        if match := pattern.match(text.strip()):
            year, month, day = match.groups()
            if not year.isdigit():
                year = "".join(str(_CN_DIGITS[char]) for char in year)
            try:
                return datetime.date(int(year), chinese_number(month) or 0, chinese_number(day) or 0)
            except ValueError:
                return None
    return None


_NUM = r"(\d{1,4}|[一二三四五六七八九十百两]+)"
# The declared total, strongest form first: a line that only counts, "推出…36项", then "共36项".
_DECLARED_TOTALS = [
    re.compile(rf"^[（(]\s*(?:共\s*)?{_NUM}\s*项\s*[)）]$"),
    re.compile(rf"(?:推出|印发|发布|遴选|筛选)了?[^。；;，,]{{0,20}}?{_NUM}\s*项"),
    re.compile(rf"[（(]\s*共\s*{_NUM}\s*项\s*[)）]"),
    re.compile(rf"共\s*{_NUM}\s*项"),
]
_COUNT_SUFFIX = re.compile(rf"\s*[（(]\s*(?:共\s*)?{_NUM}\s*项\s*[)）]\s*$")
_COUNT_ONLY = _DECLARED_TOTALS[0]
# Heading forms; a document keeps the one its first heading uses.
_HEADING_FORMS = {
    "cn": re.compile(r"^[一二三四五六七八九十百]+\s*[、.．]\s*(.+)$"),
    "cn_paren": re.compile(r"^[（(][一二三四五六七八九十]+[)）]\s*(.+)$"),
    "digit": re.compile(r"^\d{1,2}\s*[、.．]\s*(.+)$"),
}
_HEADING_SUFFIX = re.compile(r"(?:方面|领域|类)$")

# Item markers: 1、  1.  1．  （1）  1）  and a zero-padded number fused to the title (01西安市…).
_ITEM_STYLES = {
    "dun": re.compile(r"^(\d{1,3})\s*、\s*(.*)$"),
    "dot": re.compile(r"^(\d{1,3})\s*[.．](?!\d)\s*(.*)$"),
    "paren": re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*(.*)$"),
    "half_paren": re.compile(r"^(\d{1,3})\s*[)）]\s*(.*)$"),
    "fused": re.compile(r"^(\d{2,3})(?=[\u4e00-\u9fff“])(.*)$"),
}
_TITLE_END = "。；;，,：:"
_CLOSED_ENDINGS = (*SENTENCE_END, "!", "?", "…", "”", "’", "」", "』", "）", ")", "》", ".")
_OPENERS_CLOSERS = ("“”", "‘’", "（）", "()", "《》", "「」", "『』")

# Front and back matter of a notice: document numbers, 附件 lines, sources, signatures and dates.
_DOC_NUMBER = re.compile(r"[〔\[【(（]\s*\d{4}\s*[〕\]】)）]\s*\d+\s*号")
_ATTACHMENT_LINE = re.compile(r"^附件\s*\d*\s*[:：]?$")
# A line that is only a date: a signature's (2023年5月10日, 二〇二三年五月十日) or a web page's
# (发布时间：2023-05-10 09:30).
_CN_YEAR = "〇零一二三四五六七八九"
_DATE_LINES = [
    re.compile(
        rf"^[（(]?\s*(\d{{4}}|[{_CN_YEAR}]{{4}})\s*年\s*(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*月"
        rf"\s*(\d{{1,2}}|[一二三四五六七八九十]{{1,3}})\s*日\s*[)）]?$"
    ),
    re.compile(
        r"^(?:(?:发布|印发|成文)?(?:时间|日期)\s*[:：]\s*)?(\d{4})\s*[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})"
        r"(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$"
    ),
]
_SOURCE_LINE = re.compile(r"^[（(]?\s*(?:来源|信息来源|责任编辑|编辑|审核|校对|供稿)\s*[:：].*$")

PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 "
    "重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
).split()
_PROVINCE_PREFIX = re.compile(
    r"^(?:" + "|".join(PROVINCES) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
)


@dataclass
class _Line:
    number: int
    text: str  # Simplified, stripped
    original: str
    notes: list[Note] = field(default_factory=list)


@dataclass
class _Heading:
    indicator: str | None
    text: str
    declared: int | None


def _read_lines(text: str) -> list[_Line]:
    """Non-empty lines, Simplified, each with its damage found and repaired where the repair is certain."""
    lines = []
    # Split on line feeds only: str.splitlines() also breaks at U+0085 and U+2028, which mojibake is full of.
    for number, original in enumerate(re.split(r"\r\n|[\r\n]", text), start=1):
        stripped = unicodedata.normalize("NFC", original).strip()
        if not stripped:
            continue
        line = _Line(number, to_simplified(stripped), stripped)
        damage = find_damage(line.text)
        if damage:
            repaired = certain_repair(stripped)
            if repaired is not None:
                line.notes.append(
                    Note(number, "repaired_text", _("已修复编码错误（整行确定可逆）。"), damage[0].fragment)
                )
                line.text = to_simplified(repaired)
            else:
                for spot in damage:
                    line.notes.append(
                        Note(
                            number,
                            "damaged_text",
                            _("疑似乱码，原字已丢失，无法可靠修复，请对照原文核对。"),
                            spot.fragment,
                        )
                    )
        lines.append(line)
    return lines


def _heading(text: str, indicators: NameMatcher, form: str | None) -> tuple[_Heading, str] | None:
    """The line as an indicator heading (and the form it is written in), or None if it is body text.

    A bare line is a heading only when it names a known indicator. A numbered one ("一、…", "（一）…",
    "1、…") also when it says it is a section ("…方面", "（共5项）"), or, once the document has shown
    that its headings take that form, whenever it is short and not a sentence.
    """
    declared = None
    if match := _COUNT_SUFFIX.search(text):
        declared = chinese_number(match.group(1))
        text = text[: match.start()]
    for name, pattern in _HEADING_FORMS.items():
        if form and name != form:
            continue
        if numbered := pattern.match(text):
            inner = numbered.group(1).strip()
            bare = _HEADING_SUFFIX.sub("", inner)
            if indicator := indicators.exact(inner) or indicators.exact(bare):
                return _Heading(indicator, inner, declared), name
            if name == "digit":
                continue  # "1、…" is an item unless it names an indicator
            is_section = declared is not None or bare != inner or (form == name and len(inner) <= 20)
            if is_section and not inner.endswith(tuple(SENTENCE_END)):
                return _Heading(None, inner, declared), name
    if form in (None, "bare"):
        inner = text.strip()
        if indicator := indicators.exact(inner) or indicators.exact(_HEADING_SUFFIX.sub("", inner)):
            return _Heading(indicator, inner, declared), "bare"
    return None


def _item_marker(text: str, style: str | None, expected: int) -> tuple[int, str, str] | None:
    """(number, rest of the line, style) if the line starts a numbered item in the document's style."""
    for name, pattern in _ITEM_STYLES.items():
        if style and name != style:
            continue
        match = pattern.match(text)
        if not match:
            continue
        number = int(match.group(1))
        # A number fused to the text is an item only when zero-padded (01…) or exactly the next one expected.
        if name == "fused" and not (match.group(1).startswith("0") or (style == "fused" and number == expected)):
            continue
        return number, match.group(2).strip(), name
    return None


def _looks_like_title(text: str) -> bool:
    return len(text) <= 60 and "。" not in text and not text.endswith(tuple(_TITLE_END))


def _declared_total(texts: list[str]) -> int | None:
    for pattern in _DECLARED_TOTALS:
        for text in texts:
            if match := pattern.search(text):
                return chinese_number(match.group(1))
    return None


@dataclass(frozen=True)
class _Place:
    """Where a title says its practice is from: a name and its code, and the places a name several share could be
    (with no name, or the name of the region above them that the title gives)."""

    name: str | None
    code: str = ""
    shared: tuple[regions.Region, ...] = ()


def _city_of(title: str, cities: NameMatcher) -> _Place | None:
    """The province's own city the title starts with (after the province's name, if it has one); else the region of
    China it names, which is the province's own city when it lies in one (陕西省富平县 → 渭南市)."""
    if name := cities.prefix(_PROVINCE_PREFIX.sub("", title, count=1)) or cities.prefix(title):
        return _Place(name, cities.code_of.get(name, ""))
    found = regions.lookup(title)
    if found.region is None:
        return _Place(None, shared=found.ambiguous) if found.ambiguous else None
    for region in reversed(found.region.chain):
        if name := cities.by_code.get(region.code):
            return _Place(name, region.code, found.ambiguous)
    return _Place(found.region.display_name, found.region.code, found.ambiguous)


def _unbalanced(text: str) -> bool:
    return any(text.count(a) > text.count(b) for a, b in _OPENERS_CLOSERS)


def _is_closing(line: _Line, next_line: _Line | None) -> bool:
    """Back matter after the last item: a source line, a date, or a short signature right above a date."""
    text = line.text
    if date_of(text) or _SOURCE_LINE.match(text):
        return True
    short = len(text) <= 25 and not text.endswith(_CLOSED_ENDINGS)
    return short and next_line is not None and date_of(next_line.text) is not None


def parse(text: str, *, cities: Iterable[Known], indicators: Iterable[Known], encoding: str = "") -> Bulletin:
    """Turn an announcement's text into a Bulletin. Raises BulletinError only if there is nothing to import."""
    lines = _read_lines(text)
    if not lines:
        raise BulletinError(_("文件是空的。"))
    parser = _Parser(NameMatcher(cities), NameMatcher(indicators))
    parser.bulletin.encoding, parser.bulletin.original_text = encoding, text
    return parser.run(lines)


@dataclass
class _Section:
    line: int
    heading: _Heading
    items: list[Item] = field(default_factory=list)


class _Parser:
    def __init__(self, cities: NameMatcher, indicators: NameMatcher):
        self.cities, self.indicators = cities, indicators
        self.bulletin = Bulletin()
        self.preamble: list[_Line] = []
        self.current: Item | None = None
        self.awaiting_title: Item | None = None  # "2、" alone on its line: the title is on the next one
        self.sections: list[_Section] = []
        self.item_style: str | None = None
        self.heading_form: str | None = None
        self.seen: set[int] = set()
        self.last_number = 0
        self.sub_list_next: int | None = None

    def warn(self, line: int | None, code: str, message: str, fragment: str = ""):
        self.bulletin.warnings.append(Note(line, code, message, fragment))

    def run(self, lines: list[_Line]) -> Bulletin:
        closing_from = self._closing_start(lines)
        for index, line in enumerate(lines):
            if index >= closing_from:
                self.bulletin.date = date_of(line.text) or self.bulletin.date
                self.bulletin.warnings.extend(line.notes)
                self.warn(line.number, "closing_text", _("公告末尾的落款、日期或来源，未归入任何条目。"), line.text)
                continue
            self.read(line)
        _read_preamble(self.bulletin, self.preamble)
        self._check_completeness()
        return self.bulletin

    def _closing_start(self, lines: list[_Line]) -> int:
        """Index of the first line of back matter at the end of the document (len(lines) if none)."""
        start = len(lines)
        while start > 0:
            line, following = lines[start - 1], lines[start] if start < len(lines) else None
            if not _is_closing(line, following) or _item_marker(line.text, None, 0):
                break
            start -= 1
        return start

    def read(self, line: _Line):
        if self.awaiting_title is not None:
            item, self.awaiting_title = self.awaiting_title, None
            self._set_title(item, line.text, line.original)
            item.original_lines.append(line.original)
            item.warnings.extend(line.notes)
            return
        marker = _item_marker(line.text, self.item_style, self.last_number + 1)
        found = _heading(line.text, self.indicators, self.heading_form)
        # "1、开办企业" above "（1）…" items is a heading: a numbered line that names an indicator.
        if found and (marker is None or found[0].indicator is not None):
            self.bulletin.warnings.extend(line.notes)
            self.heading_form = self.heading_form or found[1]
            self._start_section(line.number, found[0])
            return
        if marker and not self._is_sub_point(marker):
            self._start_item(line, *marker)
            return
        self._add_text(line, line.text)

    def _is_sub_point(self, marker) -> bool:
        """A list inside a body, not the document's numbering: it starts under a line ending in "：" with a
        number already used, and goes on while its numbers follow and its lines name no city."""
        number, rest, _style = marker
        previous = self.current.paragraphs[-1] if self.current and self.current.paragraphs else ""
        starts = number <= self.last_number and previous.endswith(("：", ":"))
        goes_on = number == self.sub_list_next and _city_of(rest, self.cities) is None
        self.sub_list_next = number + 1 if starts or goes_on else None
        return starts or goes_on

    def _start_section(self, line_number: int, heading: _Heading):
        self.current = None
        self.sections.append(_Section(line_number, heading))
        if heading.indicator is None:
            self.warn(
                line_number,
                "unknown_indicator",
                _("未知指标“%(name)s”，其下各项不归入任何指标。") % {"name": heading.text},
            )

    def _start_item(self, line: _Line, number: int, rest: str, style: str):
        self.item_style = style
        section = self.sections[-1] if self.sections else None
        item = Item(
            number=number,
            line=line.number,
            title="",
            indicator=section.heading.indicator if section else None,
            original_lines=[line.original],
            warnings=list(line.notes),
        )
        original = _item_marker(line.original, None, number)
        if rest:
            self._set_title(item, rest, original[1] if original else line.original)
        else:
            self.awaiting_title = item
        self._check_number(item)
        self.seen.add(number)
        self.last_number = number
        self.bulletin.items.append(item)
        if section:
            section.items.append(item)
        self.current = item

    def _set_title(self, item: Item, rest: str, original_rest: str):
        title, _stop, first_paragraph = rest.partition("。")
        item.title = title.strip()
        item.original_title = original_rest.split("。")[0].strip()
        place = _city_of(item.title, self.cities)
        item.city, item.region_code = (place.name, place.code) if place else (None, "")
        if not item.title:
            item.warnings.append(Note(item.line, "empty_title", _("第%(n)d项没有标题。") % {"n": item.number}))
        elif place and place.shared:
            places = "、".join(region.full_name for region in place.shared)
            message = (
                _("标题中的地名可指%(places)s，已暂归入“%(name)s”，请核对。") % {"places": places, "name": place.name}
                if place.name
                else _("未能确定所属地区：标题开头的地名可指%(places)s，请写明所属省市。") % {"places": places}
            )
            item.warnings.append(Note(item.line, "ambiguous_region", message))
        elif item.city is None:
            item.warnings.append(
                Note(item.line, "unknown_city", _("未能从标题识别城市：“%(title)s”。") % {"title": item.title})
            )
        if first_paragraph.strip():
            self._add_text(None, first_paragraph.strip(), item=item, line_number=item.line)

    def _add_text(self, line: _Line | None, text: str, *, item: Item | None = None, line_number: int = 0):
        line_number = line.number if line else line_number
        glued = _glued_heading(text, self.indicators)
        paragraph = glued[0] if glued else text
        target = item or self.current
        if target is not None:
            target.paragraphs.append(paragraph)
            if line is not None:
                target.original_lines.append(line.original)
                target.warnings.extend(line.notes)
        elif not self.sections and line is not None:
            self.preamble.append(_Line(line.number, paragraph, line.original, line.notes))
        else:
            # Text between a heading and its first item belongs to no practice; the original keeps it.
            if line is not None:
                self.bulletin.warnings.extend(line.notes)
            self.warn(
                line_number,
                "unassigned_text",
                _("这段文字位于指标标题之后、第一项之前，未归入任何条目（原文中保留）。"),
                paragraph[:40] + ("…" if len(paragraph) > 40 else ""),
            )
        if glued:
            self.warn(
                line_number,
                "glued_heading",
                _("指标标题“%(name)s”与上一段连在一起，已拆分。") % {"name": glued[1].text},
            )
            self.heading_form = self.heading_form or "bare"
            self._start_section(line_number, glued[1])

    def _check_number(self, item: Item):
        expected = self.last_number + 1
        if item.number in self.seen:
            item.warnings.append(Note(item.line, "repeated_number", _("序号 %(n)d 重复出现。") % {"n": item.number}))
        elif item.number < expected:
            item.warnings.append(
                Note(
                    item.line,
                    "out_of_order",
                    _("序号 %(n)d 出现在 %(last)d 之后，顺序不对。") % {"n": item.number, "last": self.last_number},
                )
            )
        elif item.number > expected:
            missing = str(expected) if item.number == expected + 1 else f"{expected}–{item.number - 1}"
            item.warnings.append(Note(item.line, "number_gap", _("序号跳过了 %(missing)s。") % {"missing": missing}))

    def _check_completeness(self):
        bulletin = self.bulletin
        if not bulletin.items:
            raise BulletinError(_("文件中没有找到编号条目（如“1、”“1.”“（1）”）。"))
        last = bulletin.items[-1]
        tail = last.paragraphs[-1] if last.paragraphs else last.title
        cut = not tail.endswith(_CLOSED_ENDINGS) if last.paragraphs else (_unbalanced(tail) or not tail)
        if cut:
            message = _("第%(n)d项正文在“%(tail)s”处中断，文件可能不完整。") % {"n": last.number, "tail": tail[-12:]}
            last.warnings.append(Note(last.line, "truncated", message))
            self.warn(None, "truncated", message)
        found = len(bulletin.items)
        if bulletin.declared_total is not None and bulletin.declared_total != found:
            message = _("文件声明共 %(declared)d 项，实际读到 %(found)d 项。") % {
                "declared": bulletin.declared_total,
                "found": found,
            }
            self.warn(None, "count_mismatch", message)
            if found < bulletin.declared_total:
                last.warnings.append(Note(last.line, "count_mismatch", message))
        for section in self.sections:
            heading = section.heading
            if not section.items:
                self.warn(section.line, "empty_section", _("“%(name)s”下没有任何条目。") % {"name": heading.text})
            elif heading.declared is not None and heading.declared != len(section.items):
                self.warn(
                    section.line,
                    "section_count_mismatch",
                    _("“%(name)s”声明共 %(declared)d 项，其下实际有 %(found)d 项。")
                    % {"name": heading.text, "declared": heading.declared, "found": len(section.items)},
                )


def _glued_heading(text: str, indicators: NameMatcher) -> tuple[str, _Heading] | None:
    """'…方便客户查询。获得用水用气': a known heading stuck to the end of a paragraph, split off."""
    end = max(text.rfind(mark) for mark in SENTENCE_END)
    if end <= 0 or end == len(text) - 1:
        return None
    tail = text[end + 1 :].strip()
    if len(tail) <= 40 and (found := _heading(tail, indicators, "bare")) and found[0].indicator:
        return text[: end + 1], found[0]
    return None


def _read_preamble(bulletin: Bulletin, preamble: list[_Line]):
    """Title line(s), document numbers and 附件 lines, a line that only counts the items, and the lead."""
    rest = list(preamble)
    # A notice with the announcement attached: the announcement's title follows the 附件 line.
    attachment = next((i for i, line in enumerate(rest) if _ATTACHMENT_LINE.match(line.text)), None)
    notice = []
    if attachment is not None:
        notice, rest = rest[:attachment], rest[attachment + 1 :]
    # A line that is only a date (under a web page's title, say) dates the document, unless its signature does.
    dates = [date for line in preamble if (date := date_of(line.text))]
    bulletin.date = bulletin.date or (dates[0] if dates else None)
    notice, rest = ([line for line in lines if not date_of(line.text)] for lines in (notice, rest))
    title_lines: list[_Line] = []
    while rest and len(title_lines) < 2 and _looks_like_title(rest[0].text) and not _COUNT_ONLY.match(rest[0].text):
        if _DOC_NUMBER.search(rest[0].text) and title_lines:
            break
        title_lines.append(rest.pop(0))
    bulletin.title = "".join(_DOC_NUMBER.sub("", line.text).strip() for line in title_lines if not _is_doc_number(line))
    lead_lines = [line for line in notice + rest if not _is_doc_number(line)]
    bulletin.declared_total = _declared_total([bulletin.title, *(line.text for line in lead_lines)])
    for line in preamble:
        bulletin.warnings.extend(line.notes)
    bulletin.lead = [line.text for line in lead_lines if not _COUNT_ONLY.match(line.text)]


def _is_doc_number(line: _Line) -> bool:
    """A line that is only a document number, such as 陕营商办发〔2023〕5号."""
    return bool(_DOC_NUMBER.search(line.text)) and len(_DOC_NUMBER.sub("", line.text)) <= 12
