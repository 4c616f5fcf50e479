"""Reading a published announcement (公告) into a structure. No database here: the caller passes what is known.

An announcement, as provinces publish it and as it circulates (copied from web
pages and Word files, sometimes through a Traditional-script site and a wrong
encoding on the way):

    front matter                        国务院办公厅文件 / 国办发〔2018〕108号 / 来源：… 发布时间：…
    title line(s)                       2023年第一批优化营商环境典型经验做法
    lead paragraph(s)                   近日，……推出了今年第二批36项……
    a notice's 附件 and signature        附件：… / 国务院办公厅 / 2018年12月20日 / 附件 / (its title)
    indicator heading                   开办企业  /  一、开办企业方面（共5项）
    numbered item: title。body…          3、渭南市探索推行……新模式。渭南市……
    body paragraphs                     ……
    labelled lines of an item           指导部门：…  推广范围：…  地区：…
    next heading or item …
    back matter                         signature(s), date, （此件公开发布）, 来源：…

Items are numbered 1、 1. 1． （1） 1） 01 案例1 排名1 ① 一、 （一） or "1 " (the
numbering that counts furthest from 1 is the items'); a title may wrap onto a
second line; a list may be title-only. Or the items are a table flattened to text:
its header row (序号 改革举措 主要内容 指导部门 推广范围, in its own order) then
each row a cell a line, group rows as headings.

Everything is converted to Simplified first; the original lines are kept beside
the result. Nothing is guessed silently: every doubt becomes a warning with its
line number, and only certain repairs are made. What the document says of itself
(issuer, number, dates, attachment) is recorded on the Bulletin, not left in its
lead.
"""

import codecs
import datetime
import re
import unicodedata
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from practices import regions
from practices.text import SENTENCE_END, Known, NameMatcher, certain_repair, find_damage, fold, to_simplified

from .enums import EntryScope


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
    heading: str = ""  # the group heading it stands under: the indicator it names, else as written ("优化市场准入方面")
    paragraphs: list[str] = field(default_factory=list)
    original_title: str = ""
    original_lines: list[str] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    suggested_indicator: str | None = None  # where no heading gives one: what its text suggests (batches.suggest)
    # As a table's columns or labelled lines ("指导部门：…") give them, word for word.
    department: str = ""  # 指导部门
    scope: str = ""  # 推广范围
    region_text: str = ""  # 地区

    @property
    def entry_scope(self) -> str | None:
        """The entry's scope where the item's 推广范围 says it (see scope_of)."""
        return scope_of(self.scope)

    def as_dict(self) -> dict:
        return {
            "number": self.number,
            "line": self.line,
            "title": self.title,
            "city": self.city,
            "region": {"name": self.city, "code": self.region_code} if self.city else None,
            "indicator": self.indicator,
            "heading": self.heading,
            "suggested_indicator": self.suggested_indicator,
            "paragraphs": self.paragraphs,
            "department": self.department,
            "scope": self.scope,
            "region_text": self.region_text,
            "warnings": [note.as_dict() for note in self.warnings],
        }


@dataclass
class Bulletin:
    title: str = ""
    lead: list[str] = field(default_factory=list)
    declared_total: int | None = None
    date: datetime.date | None = None  # the date the document bears, if it has one: date_signed, else date_published
    issuer: str = ""  # 发文机关: a 发文机关 label, the signature, or the header line ("国务院办公厅文件")
    document_number: str = ""  # 发文字号, such as 国办发〔2018〕108号 (its brackets always 〔〕)
    date_signed: datetime.date | None = None  # 成文日期: the date under the signature
    date_published: datetime.date | None = None  # a web page's 发布时间
    attachment_title: str = ""  # the title after 附件：
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

ENCODINGS = ("utf-8", "gb18030", "big5", "utf-16")
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


def _reads_as_text(text: str) -> bool:
    """Mostly Chinese, ASCII and their punctuation: not bytes of something else read two at a time."""
    ordinary = sum(
        char.isascii()
        or "\u4e00" <= char <= "\u9fff"
        or "\u2000" <= char <= "\u206f"
        or "\u3000" <= char <= "\u303f"
        or "\uff00" <= char <= "\uffef"
        for char in text
    )
    return ordinary >= 0.9 * len(text)


def decode(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """The document's text and the encoding it was read with; BulletinError if it is not text in that encoding."""
    for magic, kind in _NOT_TEXT.items():
        if data.startswith(magic):
            raise BulletinError(
                _("这是 %(kind)s 文件，不是纯文本。请在 Word 中“另存为”纯文本（.txt）后再导入。") % {"kind": kind}
            )
    # UTF-16 (Notepad's "Unicode") says so in its first two bytes, when what follows reads as text.
    if encoding == "utf-16" or (encoding == "auto" and data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))):
        try:
            text = data.decode("utf-16")
        except UnicodeDecodeError as exc:
            if encoding == "utf-16":
                raise BulletinError(
                    _("第%(line)d行：文件不是有效的 UTF-16 编码。可改用 --encoding auto 自动识别。")
                    % {"line": data[: exc.start].decode("utf-16", errors="replace").count("\n") + 1}
                ) from exc
        else:
            if encoding == "utf-16" or _reads_as_text(text):
                return text, "utf-16"
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

# Item markers: 1、  1.  1．  （1）  1）  a zero-padded number fused to the title (01西安市…), 案例1：  排名1
# ①  and, where the document numbers its items so (not its headings), 一、  （一）  and a number before a space.
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
_CN_NUM = "一二三四五六七八九十百"
_ITEM_STYLES = {
    "dun": re.compile(r"^(\d{1,3})\s*、\s*(.*)$"),
    "dot": re.compile(r"^(\d{1,3})\s*[.．](?!\d)\s*(.*)$"),
    "paren": re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*(.*)$"),
    "half_paren": re.compile(r"^(\d{1,3})\s*[)）]\s*(.*)$"),
    "fused": re.compile(r"^(\d{2,3})(?=[\u4e00-\u9fff“])(.*)$"),
    "case": re.compile(rf"^案例\s*(\d{{1,3}}|[{_CN_NUM}]+)\s*[:：、.．]?\s*(.*)$"),
    "rank": re.compile(r"^排名\s*第?\s*(\d{1,3})\s*[名位]?\s*[:：、.．]?\s*(.*)$"),
    "circled": re.compile(rf"^([{_CIRCLED}])\s*(.*)$"),
    "cn": re.compile(rf"^([{_CN_NUM}]+)\s*、\s*(.*)$"),
    "cn_paren": re.compile(rf"^[（(]\s*([{_CN_NUM}]+)\s*[)）]\s*(.*)$"),
    "space": re.compile(r"^(\d{1,3})[ \t\u3000]+(\S.*)$"),
}
# "2 月份以来…", "3 个工作日": a number before a space is an item only when a title follows, not a unit.
_UNIT_START = re.compile(r"^[个项家万亿千百年月日天时分秒名人次件元户所条张台辆套批%％]")
_TITLE_END = "。；;，,：:"
_CLOSED_ENDINGS = (*SENTENCE_END, "!", "?", "…", "”", "’", "」", "』", "）", ")", "》", ".")
_OPENERS_CLOSERS = ("“”", "‘’", "（）", "()", "《》", "「」", "『』")

# Front and back matter of a notice: document numbers, 附件 lines, sources, signatures and dates.
_DOC_NUMBER = re.compile(r"[〔\[【［(（]\s*\d{4}\s*[〕\]】］)）]\s*\d+\s*号")
_DOC_NUMBER_WHOLE = re.compile(r"([\u4e00-\u9fff]{1,12})\s*[〔\[【［(（]\s*(\d{4})\s*[〕\]】］)）]\s*(\d+)\s*号")
_ATTACHMENT_LINE = re.compile(r"^附件\s*\d*\s*[:：]?$")
_ATTACHMENT_TITLED = re.compile(r"^附件\s*\d*\s*[:：]\s*(?:\d+\s*[.．、]\s*)?(\S.*)$")
_HEADER_LINE = re.compile(r"^(\S.{1,30}?)\s*文件$")  # 国务院办公厅文件
_RELEASE_LINE = re.compile(r"^[（(]\s*此件[^)）]{0,12}[)）]$")  # （此件公开发布）
_PRINTED_LINE = re.compile(r"^(?:抄送\s*[:：]|.{0,40}\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日\s*印发$)")
# Labelled lines of a web page or a policy library's record: what each says, or that it says nothing of the text.
_META_FIELDS = {
    "标题": "title",
    "发文机关": "issuer",
    "发文单位": "issuer",
    "发文字号": "number",
    "文号": "number",
    "成文日期": "signed",
    "成文时间": "signed",
    "印发日期": "signed",
    "印发时间": "signed",
    "发布日期": "published",
    "发布时间": "published",
    "更新时间": "published",
    "时间": "published",
    "日期": "published",
}
_META_OTHER = (
    "来源 信息来源 文章来源 索引号 主题分类 公文种类 分类 主题词 有效性 字体 字号 浏览次数 阅读次数 点击数 访问量 "
    "作者 责任编辑 编辑 审核 校对 供稿 联系人 联系电话"
).split()
_META_LABEL = re.compile("(" + "|".join(sorted([*_META_FIELDS, *_META_OTHER], key=len, reverse=True)) + r")\s*[:：]")
_META_START = re.compile(r"^[（(【\[]?\s*" + _META_LABEL.pattern)
_SPACED_LABEL = re.compile(r"^([（(【\[]?)((?:[\u4e00-\u9fff][ \u3000]+){1,5}[\u4e00-\u9fff])(\s*[:：])")  # 标　　题：
_DATE_IN = re.compile(r"(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})")
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
# "（本文有删减）": the published text leaves out part of the original, items perhaps.
_ABRIDGED = re.compile(r"有所?删[减节]|略有删[减节]")
_ABRIDGED_ONLY = re.compile(
    r"^[（(【\[]?\s*(?:本文|原文|全文|正文|内容|文字|此文|编者注[:：])?\s*(?:有所?|略有)删[减节]\s*[)）】\]]?[。.]?$"
)

PROVINCES = (
    "北京 天津 河北 山西 内蒙古 辽宁 吉林 黑龙江 上海 江苏 浙江 安徽 福建 江西 山东 河南 湖北 湖南 广东 广西 海南 "
    "重庆 四川 贵州 云南 西藏 陕西 甘肃 青海 宁夏 新疆 台湾 香港 澳门"
).split()
_PROVINCE_PREFIX = re.compile(
    r"^(?:" + "|".join(PROVINCES) + r")(?:省|市|自治区|壮族自治区|回族自治区|维吾尔自治区|特别行政区)?"
)


# A table's columns, known by the words of its header row, which gives their order. Labelled lines ("指导部门：…",
# from a Word or web page table read elsewhere) use the same words.
_COLUMNS = {
    "number": "序号 编号",
    "title": "改革举措 举措名称 改革事项 事项名称 典型经验做法 经验做法 典型做法 做法名称 案例名称 名称 标题",
    "content": "主要内容 具体内容 主要做法 具体做法 做法内容 改革内容 举措内容 内容",
    "department": "指导部门 牵头部门 责任部门 主管部门 负责部门 指导单位 牵头单位",
    "scope": "推广范围 复制推广范围 适用范围 推广区域",
    "region": "地区 所在地区 所在地 地市 实施地区",
}
_COLUMN_OF = {word: column for column, words in _COLUMNS.items() for word in words.split()}
_ITEM_FIELD = {"department": "department", "scope": "scope", "region": "region_text"}
_LABELLED = re.compile(
    "^(" + "|".join(word for word, column in _COLUMN_OF.items() if column in _ITEM_FIELD) + r")\s*[:：]\s*(.*)$"
)
_CELL_NUMBER = re.compile(r"^(\d{1,4})\s*[.．、]?$")
_ORGAN_END = re.compile(r"(?:委|部|局|署|办|厅|室|院|行|会|府|中心|集团|公司|组)$")
_RESTRICTED_SCOPE = re.compile(r"自由贸易试验区|自贸|特殊监管区|保税|试点|有条件|部分|特定")


def scope_of(text: str) -> str | None:
    """The entry scope a 推广范围 says, where it says one: "replicate" for 全国, 全省 or 复制推广, "reference" for
    参考借鉴; None for a scope that names no such thing or only some areas (自由贸易试验区), or says both."""
    text = to_simplified(text)
    if _RESTRICTED_SCOPE.search(text) and "除外" not in text:
        return None
    reference = re.search("借鉴|参考", text)
    replicate = re.search("复制|推广", text)
    if reference:
        return None if replicate else EntryScope.REFERENCE
    return EntryScope.REPLICATE if replicate or re.search("全国|全省", text) else None


def _looks_like_scope(text: str) -> bool:
    return (
        len(text) <= 30
        and "。" not in text
        and bool(re.search(r"全国|全省|全市|试验区|监管区|推广|借鉴|参考|各地", text))
    )


def _looks_like_department(text: str) -> bool:
    """国家发展改革委、市场监管总局: one or more organs, nothing else."""
    if len(text) > 80 or re.search("[。；;：:]", text):
        return False
    parts = re.split(r"[、，,/\s]+|(?<=[委部局署办厅室院行会府])(?:和|及|与)", re.sub(r"(?:等|牵头)$", "", text))
    return all(_ORGAN_END.search(part) for part in parts if part) and any(parts)


def _looks_like_region(text: str) -> bool:
    return len(text) <= 20 and not re.search("[。，,；;]", text) and bool(re.search(r"[省市区县州盟旗团师]$", text))


_CELL_CHECKS = {
    "department": _looks_like_department,
    "scope": _looks_like_scope,
    "region": _looks_like_region,
}


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
        written = match.group(1)
        number = _CIRCLED.index(written) + 1 if written in _CIRCLED else chinese_number(written)
        if number is None:
            continue
        # A number fused to the text is an item only when zero-padded (01…) or exactly the next one expected.
        if name == "fused" and not (written.startswith("0") or (style == "fused" and number == expected)):
            continue
        if name == "space" and _UNIT_START.match(match.group(2)):
            continue
        return number, match.group(2).strip(), name
    return None


def _item_style(lines: list[_Line], indicators: NameMatcher) -> str | None:
    """The numbering the document's items use: the one counting furthest from 1 without a break, the listed order
    deciding a tie. "一、" sections in a notice's lead do not outnumber the "1．" items of its attachment, nor do
    "（1）" points inside bodies outnumber the items; a line that is a heading (a count, "…方面", an indicator's
    name) counts for no style. None when no numbering starts at 1: the first marker found decides, as it comes."""
    reached = dict.fromkeys(_ITEM_STYLES, 0)
    best = dict.fromkeys(_ITEM_STYLES, 0)
    for line in lines:
        for name in _ITEM_STYLES:
            marker = _item_marker(line.text, name, reached[name] + 1)
            if marker is None:
                continue
            if _heading(line.text, indicators, None):
                break
            if marker[0] == reached[name] + 1:
                reached[name] += 1
            elif marker[0] == 1:
                reached[name] = 1
            best[name] = max(best[name], reached[name])
    style = max(best, key=lambda name: best[name])  # the first of the styles tied at the top
    return style if best[style] else None


# A line that starts a point of a body, not the rest of a title: 一是  （一）  1.  ①  第一  主要做法：
_STARTS_POINT = re.compile(
    rf"^(?:[（(]?[{_CN_NUM}\d]+[)）、.．]|[{_CN_NUM}]是|第[{_CN_NUM}\d]+|[{_CIRCLED}]|[（(【\[])|^[^，,。]{{0,8}}[：:]"
)


def _starts_body(text: str) -> bool:
    """A line that reads as the start of a body: a long first sentence, a comma in it, or a point of its own."""
    head = text.partition("。")[0]
    return len(head) > 20 or bool(re.search(r"[，,；;：:]", head)) or bool(_STARTS_POINT.match(text))


def _titles_end_with_stop(lines: list[_Line], style: str | None) -> bool:
    """Whether the document ends its items' titles with a full stop on the title line ("1、…获得感。", the body
    below) more often than it writes a title line without one with a body starting right below it."""
    closed = open_ = 0
    for line, below in zip(lines, [*lines[1:], None], strict=True):
        marker = _item_marker(line.text, style, 0)
        if not marker or not marker[1]:
            continue
        if "。" in marker[1]:
            closed += 1
        elif below is not None and not _item_marker(below.text, style, 0) and _starts_body(below.text):
            open_ += 1
    return closed > open_


def _looks_like_title(text: str) -> bool:
    return len(text) <= 60 and "。" not in text and not text.endswith(tuple(_TITLE_END))


def _table_header(lines: list[_Line], index: int, end: int) -> tuple[list[tuple[str, str]], int] | None:
    """The columns a table's header row names at this line, in its order, as (column, header word), and how many
    lines it takes: one, its words apart ("序号 改革举措 主要内容 指导部门 推广范围"), or one line per word.
    A header starts with the number column and names at least three."""
    words = lines[index].text.split()
    if _COLUMN_OF.get(words[0]) != "number":
        return None
    used = 1
    if len(words) == 1:
        while index + used < end and lines[index + used].text in _COLUMN_OF and used < len(_COLUMNS):
            words.append(lines[index + used].text)
            used += 1
    columns = [_COLUMN_OF.get(word) for word in words]
    if len(words) < 3 or None in columns or len(set(columns)) < len(columns):
        return None
    if "title" not in columns:
        raise BulletinError(
            _("第%(line)d行：表格的表头“%(header)s”没有标题一栏（如“改革举措”），读不出各项的标题。")
            % {"line": lines[index].number, "header": " ".join(words)}
        )
    return list(zip(columns, words, strict=True)), used


def _declared_total(texts: list[tuple[str, int]]) -> tuple[int | None, int | None]:
    """The total the texts declare, and the line of the text that declares it."""
    for pattern in _DECLARED_TOTALS:
        for text, line in texts:
            if match := pattern.search(text):
                return chinese_number(match.group(1)), line
    return None, None


# The warnings about an item's place: dropped once its place is found (its title read whole where it wrapped, a
# table's 地区 column, the importer's choice).
PLACE_NOTES = ("unknown_city", "ambiguous_region")


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


def _back_matter_kind(text: str, below: str | None) -> str | None:
    """What a line after the last item is, given what the line below it is: "date", "signature" (a short line
    right above a date, or an organ's name above another signature line), "other" (a source line, 此件公开发布,
    抄送, a labelled line), or None: part of the announcement."""
    if date_of(text):
        return "date"
    if _labels(text) is not None or _RELEASE_LINE.match(text) or _PRINTED_LINE.match(text):
        return "other"
    if len(text) > 25 or text.endswith(_CLOSED_ENDINGS):
        return None
    if below == "date" and (_ORGAN_END.search(text) or not _looks_like_scope(text)):  # a table's last cell: 全国
        return "signature"
    return "signature" if below == "signature" and _ORGAN_END.search(text) else None


def parse(
    text: str,
    *,
    cities: Iterable[Known],
    indicators: Iterable[Known],
    encoding: str = "",
    body_lines: Collection[int] = frozenset(),
) -> Bulletin:
    """Turn an announcement's text into a Bulletin. Raises BulletinError only if there is nothing to import.
    body_lines: the numbers of lines known to be an item's body (a Word or web table's content cells), whatever
    they start with: "1、马上办。" there is a point of the content, not the next item."""
    lines = _read_lines(text)
    if not lines:
        raise BulletinError(_("文件是空的。"))
    parser = _Parser(NameMatcher(cities), NameMatcher(indicators))
    parser.body_lines = frozenset(body_lines)
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
        self.body_lines: frozenset[int] = frozenset()
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
        # Wrapped titles: the item whose title line may go on, and whether the document's title lines mostly end
        # their sentence ("1、…获得感。"), the body below.
        self.open_title: Item | None = None
        self.titles_end_with_stop = False
        # A flattened table: its columns in order, and the lines of the row being read (None before the first).
        self.table: list[tuple[str, str]] | None = None
        self.row: list[_Line] | None = None
        self.declared_line: int | None = None  # where the document declares its total

    def warn(self, line: int | None, code: str, message: str, fragment: str = ""):
        self.bulletin.warnings.append(Note(line, code, message, fragment))

    def run(self, lines: list[_Line]) -> Bulletin:
        lines = self._note_abridgement(lines)
        closing_from = self._closing_start(lines)
        self.item_style = _item_style(lines[:closing_from], self.indicators)
        self.titles_end_with_stop = _titles_end_with_stop(lines[:closing_from], self.item_style)
        for line in lines[closing_from:]:
            self.bulletin.warnings.extend(line.notes)
            self.warn(line.number, "closing_text", _("公告末尾的落款、日期或来源，未归入任何条目。"), line.text)
        index = 0
        while index < closing_from:
            header = None if self.table else _table_header(lines, index, closing_from)
            if header:
                self.table, used = header
                for line in lines[index : index + used]:
                    self.bulletin.warnings.extend(line.notes)
                index += used
                continue
            self.read(lines[index], lines[index + 1] if index + 1 < closing_from else None)
            index += 1
        self._end_row()
        for line in self.preamble:
            self.bulletin.warnings.extend(line.notes)
        matter = _Matter()
        matter.read(lines[closing_from:], front=False)
        self.declared_line = _read_preamble(self.bulletin, matter.read(self.preamble, front=True), matter)
        matter.record(self.bulletin)
        self._check_completeness()
        return self.bulletin

    def _note_abridgement(self, lines: list[_Line]) -> list[_Line]:
        """Say where the text says it was abridged; a line saying only that is no text of the announcement."""
        said = next((line for line in lines if _ABRIDGED.search(line.text)), None)
        if said is None:
            return lines
        self.warn(
            said.number,
            "abridged",
            _("原文注明有删减：发布的文本可能少于原件所列的条目，声明的项数与读到的条目数可能不符。"),
            said.text[:40],
        )
        return [line for line in lines if not _ABRIDGED_ONLY.match(line.text)]

    def _closing_start(self, lines: list[_Line]) -> int:
        """Index of the first line of back matter at the end of the document (len(lines) if none)."""
        start, below = len(lines), None
        while start > 0:
            text = lines[start - 1].text
            kind = _back_matter_kind(text, below)
            if kind is None or _item_marker(text, None, 0):
                break
            start, below = start - 1, kind
        return start

    def read(self, line: _Line, following: _Line | None):
        """Take one line; the one after it (None at the back matter) tells whether it finishes a wrapped title."""
        open_title, self.open_title = self.open_title, None
        if line.number in self.body_lines and self.current is not None and self.awaiting_title is None:
            self._add_text(line, line.text)
            return
        if self.table is not None:
            self._read_cell(line)
            return
        if self.awaiting_title is not None:
            item, self.awaiting_title = self.awaiting_title, None
            item.original_lines.append(line.original)
            item.warnings.extend(line.notes)
            self._set_title(item, line.text, line.original)
            return
        marker = _item_marker(line.text, self.item_style, self.last_number + 1)
        found = _heading(line.text, self.indicators, self.heading_form)
        # "1、开办企业" above "（1）…" items is a heading: a numbered line that names an indicator. So is
        # "一、…方面（共5项）" where items are numbered "一、" too: it counts them.
        if found and (marker is None or found[0].indicator is not None or found[0].declared is not None):
            self.bulletin.warnings.extend(line.notes)
            self.heading_form = self.heading_form or found[1]
            self._start_section(line.number, found[0])
            return
        if marker and not self._is_sub_point(marker):
            self._start_item(line, *marker)
            return
        if self._read_label(line, self.current):
            return
        if open_title is not None and self._continues_title(open_title, line.text, following):
            self._join_title(open_title, line)
            return
        self._add_text(line, line.text)

    def _read_label(self, line: _Line, item: Item | None) -> bool:
        """ "指导部门：…", "推广范围：…", "地区：…" within an item fill its field instead of its body."""
        label = _LABELLED.match(line.text)
        if item is None or label is None:
            return False
        value = label.group(2).strip().rstrip("。；;")
        self._set_field(item, _ITEM_FIELD[_COLUMN_OF[label.group(1)]], value)
        item.original_lines.append(line.original)
        item.warnings.extend(line.notes)
        return True

    def _read_cell(self, line: _Line):
        """A line of a flattened table: a number alone starts a row, whose cells follow one a line; a group
        heading ends it. A line of cells apart by tabs (copied from a spreadsheet) is a whole row."""
        if "\t" in line.text and _CELL_NUMBER.match(line.text.split("\t")[0].strip()):
            self._read_tabbed_row(line)
            return
        if number := _CELL_NUMBER.match(line.text):
            self._end_row()
            self._start_item(line, int(number.group(1)), "", "table")
            self.awaiting_title, self.row = None, []
            return
        if self.row == []:  # the row's first cell: its title, whatever it looks like
            self.row.append(line)
            return
        if self._read_label(line, self.current if self.row else None):
            return
        if found := _heading(line.text, self.indicators, self.heading_form):
            self._end_row()
            self.bulletin.warnings.extend(line.notes)
            self.heading_form = self.heading_form or found[1]
            self._start_section(line.number, found[0])
        elif self.row is not None:
            self.row.append(line)
        else:
            self._add_text(line, line.text)

    def _read_tabbed_row(self, line: _Line):
        self._end_row()
        assert self.table is not None
        cells = [cell.strip() for cell in line.text.split("\t")]
        self._start_item(line, int(_CELL_NUMBER.match(cells[0]).group(1)), "", "table")
        self.awaiting_title = None
        originals = [cell.strip() for cell in line.original.split("\t")]
        if len(originals) != len(cells):
            originals = cells
        filled = {
            column: [_Line(line.number, cell, original)]
            for (column, _word), cell, original in zip(self.table, cells, originals, strict=False)
            if cell and column != "number"
        }
        self._fill_row(self.current, filled)

    def _end_row(self):
        """Put the row's lines in its columns: one line a cell, except the content (the title in a table without
        one), which takes what is left between the cells before it and those after it; a cell after it is taken
        from the end only if it reads as that column (a department, a scope, a region), else the row has none."""
        item, cells, self.row = self.current, self.row, None
        if item is None or cells is None or self.table is None:
            return
        for cell in cells:
            item.original_lines.append(cell.original)
            item.warnings.extend(cell.notes)
        names = [column for column, _word in self.table[1:]]
        longest = "content" if "content" in names else "title"
        before, after = names[: names.index(longest)], names[names.index(longest) + 1 :]
        filled = {}
        for column in reversed(after):
            reads_as = _CELL_CHECKS.get(column, lambda text: True)
            if len(cells) > len(before) and reads_as(cells[-1].text):
                filled[column] = [cells.pop()]
        for column in before:
            if cells:
                filled[column] = [cells.pop(0)]
        if cells:
            filled[longest] = cells
        self._fill_row(item, filled)

    def _fill_row(self, item: Item, filled: dict[str, list[_Line]]):
        """The item's title, body and fields from its row's cells; a column the row leaves empty is said."""
        assert self.table is not None
        for column, word in self.table[1:]:
            lines = filled.get(column)
            if column == "title":
                lines = lines or []
                self._set_title(item, "".join(line.text for line in lines), "".join(line.original for line in lines))
            elif not lines:
                message = _("第%(n)d项没有“%(column)s”。") % {"n": item.number, "column": word}
                item.warnings.append(Note(item.line, "missing_cell", message))
            elif column == "content":
                item.paragraphs.extend(line.text for line in lines)
            else:
                self._set_field(item, _ITEM_FIELD[column], lines[0].text)

    def _continues_title(self, item: Item, text: str, following: _Line | None) -> bool:
        """Whether a line is the second half of a title cut at its line end (the title line has no full stop).

        Only a short remnant that starts no point of its own ("一是", "（一）", "主要做法：") and, unless the title
        broke after a comma or inside quotes, has no comma: either the rest of a title-only item, the next item (or
        the end) right below it; or the end of the title's sentence, "…获得感。", in a document whose items mostly
        end their titles with a full stop on the title line, or where it closes the title's open quote.
        """
        head, stop, _rest = text.partition("。")
        head = head.strip()
        if not head or len(head) > 30 or len(item.title) + len(head) > 70 or _STARTS_POINT.match(text):
            return False
        broken = item.title.endswith(("，", ",", "、")) or _unbalanced(item.title)
        if not broken and _starts_body(text):
            return False
        if not broken and _city_of(head, self.cities):  # "汉中市主要涉税事项…": the body names its city again
            return False
        if stop:
            if len(head) > 20:
                return False
            closes_quote = _unbalanced(item.title) and not _unbalanced(item.title + head)
            return closes_quote or self.titles_end_with_stop
        if text.endswith(("：", ":")):
            return False
        if following is None:
            return not any(other.paragraphs for other in self.bulletin.items)
        expected = item.number + 1
        return bool(
            _item_marker(following.text, self.item_style, expected)
            or _heading(following.text, self.indicators, self.heading_form)
        )

    def _join_title(self, item: Item, line: _Line):
        head, _stop, rest = line.text.partition("。")
        item.title += head.strip()
        item.original_title += line.original.split("。")[0].strip()
        item.original_lines.append(line.original)
        item.warnings = [note for note in item.warnings if note.code not in PLACE_NOTES] + line.notes
        self._name_city(item)
        if rest.strip():
            self._add_text(None, rest.strip(), item=item, line_number=line.number)

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
            heading=(section.heading.indicator or section.heading.text) if section else "",
            original_lines=[line.original],
            warnings=list(line.notes),
        )
        original = _item_marker(line.original, style, number)
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
        title, stop, first_paragraph = rest.partition("。")
        item.title = title.strip()
        item.original_title = original_rest.split("。")[0].strip()
        if not item.title:
            item.warnings.append(Note(item.line, "empty_title", _("第%(n)d项没有标题。") % {"n": item.number}))
        self._name_city(item)
        if (
            not stop
            and self.table is None
            and item.title
            and not item.title.endswith((*_CLOSED_ENDINGS, "；", ";", "：", ":"))
        ):
            self.open_title = item  # it may go on on the next line
        if first_paragraph.strip():
            self._add_text(None, first_paragraph.strip(), item=item, line_number=item.line)

    def _set_field(self, item: Item, name: str, value: str):
        """An item's department, scope or region as a column gives it; a region column places an item whose title
        names no place (or a place it cannot tell apart)."""
        setattr(item, name, value)
        unsure = any(note.code == "ambiguous_region" for note in item.warnings)
        if name != "region_text" or (item.city and not unsure):
            return
        place = _city_of(value, self.cities)
        if place and place.name and not place.shared:
            item.city, item.region_code = place.name, place.code
            item.warnings = [note for note in item.warnings if note.code not in PLACE_NOTES]

    def _name_city(self, item: Item):
        place = _city_of(item.title, self.cities)
        item.city, item.region_code = (place.name, place.code) if place else (None, "")
        if item.title and place and place.shared:
            places = "、".join(region.full_name for region in place.shared)
            message = (
                _("标题中的地名可指%(places)s，已暂归入“%(name)s”，请核对。") % {"places": places, "name": place.name}
                if place.name
                else _("未能确定所属地区：标题开头的地名可指%(places)s，请写明所属省市。") % {"places": places}
            )
            item.warnings.append(Note(item.line, "ambiguous_region", message))
        elif item.title and item.city is None:
            item.warnings.append(
                Note(item.line, "unknown_city", _("未能从标题识别城市：“%(title)s”。") % {"title": item.title})
            )

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
            self.warn(self.declared_line, "count_mismatch", message)
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


def _read_preamble(bulletin: Bulletin, preamble: list[_Line], matter: "_Matter") -> int | None:
    """Title line(s), the 附件 line, a line that only counts the items, and the lead (its front matter taken out
    already); the line that declares the total, if one does."""
    rest = list(preamble)
    # A notice with the announcement attached: the announcement's title follows the 附件 line, or is the title
    # the notice gave it ("附件：…").
    attachment = next((i for i, line in enumerate(rest) if _ATTACHMENT_LINE.match(line.text)), None)
    notice = []
    if attachment is not None:
        notice, rest = rest[:attachment], rest[attachment + 1 :]
    elif matter.attachment_title:
        named = fold(matter.attachment_title)
        attachment = next((i for i, line in enumerate(rest) if i and fold(line.text) == named), None)
        if attachment is not None:
            notice, rest = rest[:attachment], rest[attachment:]
    title_lines: list[_Line] = []
    while rest and len(title_lines) < 2 and _looks_like_title(rest[0].text) and not _COUNT_ONLY.match(rest[0].text):
        if _DOC_NUMBER.search(rest[0].text) and title_lines:
            break
        title_lines.append(rest.pop(0))
    for line in title_lines:
        matter.number_from(line.text)
    bulletin.title = "".join(_without_number(line.text) for line in title_lines) or matter.title
    if attachment is not None and not matter.attachment_title:
        matter.attachment_title = bulletin.title
    lead_lines = notice + rest
    title_line = title_lines[0].number if title_lines else 0
    bulletin.declared_total, declared_line = _declared_total(
        [(bulletin.title, title_line), *((line.text, line.number) for line in lead_lines)]
    )
    bulletin.lead = [line.text for line in lead_lines if not _COUNT_ONLY.match(line.text)]
    return declared_line


def _document_number(text: str) -> tuple[str, int, int] | None:
    """The document number in a line, its brackets as 〔〕, and where it starts and ends."""
    match = _DOC_NUMBER_WHOLE.search(text)
    if match is None:
        return None
    prefix, year, serial = match.groups()
    # "…的通知国办发〔2018〕108号": the title is no part of the number.
    prefix = re.split("通知|通报|意见|决定|公告", prefix)[-1]
    return f"{prefix}〔{year}〕{serial}号", match.end(1) - len(prefix), match.end()


def _without_number(text: str) -> str:
    """A title line without the document number written after it."""
    found = _document_number(text)
    if found is None:
        return text.strip()
    _number, start, end = found
    return (text[:start].rstrip(" （(") + text[end:].lstrip(" ）)")).strip()


def _is_doc_number(text: str) -> bool:
    """A line that is only a document number, such as 陕营商办发〔2023〕5号."""
    return bool(_DOC_NUMBER.search(text)) and len(_DOC_NUMBER.sub("", text)) <= 12


def _labels(text: str) -> dict[str, str] | None:
    """A labelled line's labels and values ("来源：国务院办公厅 时间：2018-12-29"), or None if it is not one."""
    text = _SPACED_LABEL.sub(lambda m: m.group(1) + re.sub(r"[ \u3000]", "", m.group(2)) + m.group(3), text)
    if not _META_START.match(text):
        return None
    found = list(_META_LABEL.finditer(text))
    pairs: dict[str, str] = {}
    for match, after in zip(found, [*found[1:], None], strict=True):
        value = text[match.end() : after.start() if after else len(text)]
        pairs.setdefault(match.group(1), value.strip(" \t\u3000）)】]"))
    return pairs


def _date_in(text: str) -> datetime.date | None:
    if date := date_of(text):
        return date
    if match := _DATE_IN.search(text):
        try:
            return datetime.date(*map(int, match.groups()))
        except ValueError:
            return None
    return None


def _is_organ(text: str) -> bool:
    """A signature's line: an organ's name, short, no sentence, no title ("…关于…的通知")."""
    return (
        len(text) <= 30
        and bool(_ORGAN_END.search(text))
        and not text.endswith(_CLOSED_ENDINGS)
        and "关于" not in text
        and not _is_doc_number(text)
    )


class _Matter:
    """What the front and back matter say of the document. A labelled line wins over a signature, a signature
    over a header line; each line that says any of it is taken out of the text."""

    def __init__(self):
        self.labelled: dict[str, str] = {}
        self.signature = ""
        self.signed: datetime.date | None = None  # the date under a signature
        self.back_date: datetime.date | None = None  # a date at the end with no signature above it
        self.unsigned: datetime.date | None = None  # a date in the front matter with no signature above it
        self.header = ""
        self.number = ""
        self.attachment_title = ""

    def read(self, lines: list[_Line], *, front: bool) -> list[_Line]:
        """The lines that are text, the others read."""
        kept: list[_Line] = []
        for index, line in enumerate(lines):
            text = line.text
            if (pairs := _labels(text)) is not None:
                for label, value in pairs.items():
                    if (name := _META_FIELDS.get(label)) and value:
                        self.labelled.setdefault(name, value)
            elif date := date_of(text):
                self._dated(date, text, kept, front=front)
            elif _is_doc_number(text):
                self.number_from(text)
            elif front and index < 3 and (header := _HEADER_LINE.match(text)) and _ORGAN_END.search(header[1]):
                self.header = self.header or header.group(1)
            elif titled := _ATTACHMENT_TITLED.match(text):
                self.attachment_title = self.attachment_title or titled.group(1).strip()
            elif not (_RELEASE_LINE.match(text) or _PRINTED_LINE.match(text)):
                kept.append(line)
        return kept

    def _dated(self, date: datetime.date, text: str, kept: list[_Line], *, front: bool):
        """A line that is only a date: under a signature, the date signed; else, in front, a web page's date, or,
        at the end, the date the document bears."""
        organs: list[_Line] = []
        # At the end only signature lines are left above a date (see _back_matter_kind); in front, organs' names.
        while kept and (not front or _is_organ(kept[-1].text)):
            organs.insert(0, kept.pop())
        if organs:
            self.signature = self.signature or "、".join(line.text for line in organs)
            self.signed = self.signed or date
        elif front:
            self.unsigned = self.unsigned or date
        else:
            self.back_date = date

    @property
    def title(self) -> str:
        return self.labelled.get("title", "")

    def number_from(self, text: str):
        """The document number a line gives, unless one was found already."""
        if not self.number and (found := _document_number(text)):
            self.number = found[0]

    def record(self, bulletin: Bulletin):
        labelled = self.labelled
        bulletin.issuer = labelled.get("issuer") or self.signature or self.header
        if not self.number and "number" in labelled:
            self.number_from(labelled["number"])
        bulletin.document_number = self.number
        bulletin.date_signed = _date_in(labelled.get("signed", "")) or self.signed or self.back_date
        bulletin.date_published = _date_in(labelled.get("published", "")) or self.unsigned
        bulletin.date = bulletin.date_signed or bulletin.date_published
        bulletin.attachment_title = self.attachment_title
