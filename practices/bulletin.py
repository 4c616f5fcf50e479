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

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .text import SENTENCE_END, certain_repair, find_damage, fold, to_simplified


class BulletinError(Exception):
    """The document cannot be read or written at all; the message names the line where it can."""


@dataclass(frozen=True)
class Known:
    """A city or indicator the parser may recognise, by its name and other spellings."""

    name: str
    aliases: tuple[str, ...] = ()


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
    city: str | None = None
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
            "indicator": self.indicator,
            "paragraphs": self.paragraphs,
            "warnings": [note.as_dict() for note in self.warnings],
        }


@dataclass
class Bulletin:
    title: str = ""
    lead: list[str] = field(default_factory=list)
    declared_total: int | None = None
    items: list[Item] = field(default_factory=list)
    warnings: list[Note] = field(default_factory=list)
    encoding: str = ""
    original_text: str = ""

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
    except UnicodeDecodeError:
        pass
    candidates = []
    for name in ("gb18030", "big5"):
        try:
            text = data.decode(name)
        except UnicodeDecodeError:
            continue
        candidates.append((_plausibility(text), name, text))
    if not candidates:
        raise BulletinError(_("无法识别文件编码：既不是 UTF-8，也不是 GB18030 或 Big5。请另存为 UTF-8 纯文本。"))
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


_NUM = r"(\d{1,4}|[一二三四五六七八九十百两]+)"
_DECLARED_TOTAL = re.compile(
    rf"(?:推出|印发|发布|遴选|筛选|总结|共|合计|总计)[^。；;]{{0,30}}?{_NUM}\s*(?:项|个|条|篇)"
)
_COUNT_SUFFIX = re.compile(rf"\s*[（(]\s*共\s*{_NUM}\s*项\s*[)）]\s*$")
_COUNT_ONLY = re.compile(rf"^[（(]\s*共\s*{_NUM}\s*项\s*[)）]$")
_CN_HEADING = re.compile(r"^(?:[一二三四五六七八九十百]+\s*[、.．]|[（(][一二三四五六七八九十]+[)）])\s*(.+)$")
_HEADING_SUFFIX = re.compile(r"(?:方面|领域|类)$")

# Item markers: 1、  1.  1．  （1）  and a zero-padded number fused to the title (01西安市…).
_ITEM_STYLES = {
    "dun": re.compile(r"^(\d{1,3})\s*、\s*(.*)$"),
    "dot": re.compile(r"^(\d{1,3})\s*[.．](?!\d)\s*(.*)$"),
    "paren": re.compile(r"^[（(]\s*(\d{1,3})\s*[)）]\s*(.*)$"),
    "fused": re.compile(r"^(\d{2,3})(?=[\u4e00-\u9fff“])(.*)$"),
}
_TITLE_END = "。；;，,：:"
_CLOSED_ENDINGS = (*SENTENCE_END, "!", "?", "…", "”", "’", "」", "』", "）", ")", "》", ".")

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


class _Matcher:
    """Finds cities and indicators by their folded names and aliases."""

    def __init__(self, known: Iterable[Known]):
        self.by_key: dict[str, str] = {}
        for entry in known:
            for spelling in (entry.name, *entry.aliases):
                if key := fold(spelling):
                    self.by_key.setdefault(key, entry.name)
        self.longest_first = sorted(self.by_key, key=len, reverse=True)

    def exact(self, text: str) -> str | None:
        return self.by_key.get(fold(text))

    def prefix(self, text: str) -> str | None:
        key = fold(text)
        return next((self.by_key[k] for k in self.longest_first if key.startswith(k)), None)


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


def _heading(text: str, indicators: _Matcher) -> _Heading | None:
    """The line as an indicator heading, or None if it is body text."""
    declared = None
    if match := _COUNT_SUFFIX.search(text):
        declared = chinese_number(match.group(1))
        text = text[: match.start()]
    numbered = _CN_HEADING.match(text)
    inner = numbered.group(1).strip() if numbered else text.strip()
    bare = _HEADING_SUFFIX.sub("", inner)
    indicator = indicators.exact(inner) or indicators.exact(bare)
    if indicator:
        return _Heading(indicator, inner, declared)
    # A numbered line that says it is a section ("…方面", "（共5项）") is a heading even for an unknown indicator.
    if numbered and (declared is not None or bare != inner) and not inner.endswith(tuple(SENTENCE_END)):
        return _Heading(None, inner, declared)
    return None


def _glued_heading(text: str, indicators: _Matcher) -> tuple[str, _Heading] | None:
    """'…方便客户查询。获得用水用气': a known heading stuck to the end of a paragraph, split off."""
    end = max(text.rfind(mark) for mark in SENTENCE_END)
    if end <= 0 or end == len(text) - 1:
        return None
    tail = text[end + 1 :].strip()
    if len(tail) <= 40 and (heading := _heading(tail, indicators)) and heading.indicator:
        return text[: end + 1], heading
    return None


def _item_marker(text: str, style: str | None, expected: int) -> tuple[int, str, str] | None:
    """(number, rest of the line, style) if the line starts a numbered item in the document's style."""
    for name, pattern in _ITEM_STYLES.items():
        if style and name != style:
            continue
        match = pattern.match(text)
        if not match or not match.group(2).strip():
            continue
        number = int(match.group(1))
        # A number fused to the text is an item only when zero-padded (01…) or exactly the next one expected.
        if name == "fused" and not (match.group(1).startswith("0") or (style == "fused" and number == expected)):
            continue
        return number, match.group(2).strip(), name
    return None


def _looks_like_title(text: str) -> bool:
    return len(text) <= 60 and "。" not in text and not text.endswith(tuple(_TITLE_END))


def _declared_total(texts: Iterable[str]) -> int | None:
    for text in texts:
        if match := _COUNT_ONLY.match(text) or _DECLARED_TOTAL.search(text):
            return chinese_number(match.group(1))
    return None


def _city_of(title: str, cities: _Matcher) -> str | None:
    return cities.prefix(_PROVINCE_PREFIX.sub("", title, count=1)) or cities.prefix(title)


def parse(text: str, *, cities: Iterable[Known], indicators: Iterable[Known], encoding: str = "") -> Bulletin:
    """Turn an announcement's text into a Bulletin. Raises BulletinError only if there is nothing to import."""
    city_matcher, indicator_matcher = _Matcher(cities), _Matcher(indicators)
    bulletin = Bulletin(encoding=encoding, original_text=text)
    lines = _read_lines(text)
    if not lines:
        raise BulletinError(_("文件是空的。"))

    preamble: list[_Line] = []
    current: Item | None = None
    heading: _Heading | None = None
    headings: list[tuple[int, _Heading, list[Item]]] = []
    style: str | None = None
    seen: set[int] = set()
    last_number = 0

    def start_heading(line_number: int, found: _Heading):
        nonlocal heading, current
        heading, current = found, None
        headings.append((line_number, found, []))
        if found.indicator is None:
            bulletin.warnings.append(
                Note(
                    line_number,
                    "unknown_indicator",
                    _("未知指标“%(name)s”，其下各项不归入任何指标。") % {"name": found.text},
                )
            )

    for line in lines:
        marker = _item_marker(line.text, style, last_number + 1)
        if marker:
            number, rest, style = marker
            title, _sep, first_paragraph = rest.partition("。")
            original_rest = _item_marker(line.original, None, number)
            current = Item(
                number=number,
                line=line.number,
                title=title.strip(),
                city=_city_of(title, city_matcher),
                indicator=heading.indicator if heading else None,
                original_title=(original_rest[1] if original_rest else line.original).split("。")[0].strip(),
                original_lines=[line.original],
                warnings=list(line.notes),
            )
            if first_paragraph.strip():
                current.paragraphs.append(first_paragraph.strip())
            _check_number(current, seen, last_number)
            seen.add(number)
            last_number = number
            if current.city is None:
                current.warnings.append(
                    Note(line.number, "unknown_city", _("未能从标题识别城市：“%(title)s”。") % {"title": current.title})
                )
            bulletin.items.append(current)
            if headings:
                headings[-1][2].append(current)
            continue

        found = _heading(line.text, indicator_matcher)
        if found:
            bulletin.warnings.extend(line.notes)
            start_heading(line.number, found)
            continue

        glued = _glued_heading(line.text, indicator_matcher)
        paragraph = glued[0] if glued else line.text
        if current is None:
            preamble.append(_Line(line.number, paragraph, line.original, line.notes))
        else:
            current.paragraphs.append(paragraph)
            current.original_lines.append(line.original)
            current.warnings.extend(line.notes)
        if glued:
            bulletin.warnings.append(
                Note(
                    line.number,
                    "glued_heading",
                    _("指标标题“%(name)s”与上一段连在一起，已拆分。") % {"name": glued[1].text},
                )
            )
            start_heading(line.number, glued[1])

    _read_preamble(bulletin, preamble)
    _check_completeness(bulletin, headings)
    return bulletin


def _check_number(item: Item, seen: set[int], last_number: int):
    expected = last_number + 1
    if item.number in seen:
        item.warnings.append(Note(item.line, "repeated_number", _("序号 %(n)d 重复出现。") % {"n": item.number}))
    elif item.number < expected:
        item.warnings.append(
            Note(
                item.line,
                "out_of_order",
                _("序号 %(n)d 出现在 %(last)d 之后，顺序不对。") % {"n": item.number, "last": last_number},
            )
        )
    elif item.number > expected:
        missing = str(expected) if item.number == expected + 1 else f"{expected}–{item.number - 1}"
        item.warnings.append(Note(item.line, "number_gap", _("序号跳过了 %(missing)s。") % {"missing": missing}))


def _read_preamble(bulletin: Bulletin, preamble: list[_Line]):
    """Title line(s), a line that only counts the items, and the lead paragraphs."""
    rest = list(preamble)
    title_lines: list[_Line] = []
    while rest and len(title_lines) < 2 and _looks_like_title(rest[0].text) and not _COUNT_ONLY.match(rest[0].text):
        title_lines.append(rest.pop(0))
    # One short line before a long lead is a title; two are a title wrapped onto a second line.
    bulletin.title = "".join(line.text for line in title_lines)
    bulletin.declared_total = _declared_total([bulletin.title, *(line.text for line in rest)])
    for line in rest:
        bulletin.warnings.extend(line.notes)
        if not _COUNT_ONLY.match(line.text):
            bulletin.lead.append(line.text)
    for line in title_lines:
        bulletin.warnings.extend(line.notes)


def _check_completeness(bulletin: Bulletin, headings: list[tuple[int, _Heading, list[Item]]]):
    if not bulletin.items:
        raise BulletinError(_("文件中没有找到编号条目（如“1、”“1.”“（1）”）。"))
    last = bulletin.items[-1]
    if last.paragraphs and not last.paragraphs[-1].endswith(_CLOSED_ENDINGS):
        message = _("第%(n)d项正文在“%(tail)s”处中断，文件可能不完整。") % {
            "n": last.number,
            "tail": last.paragraphs[-1][-12:],
        }
        last.warnings.append(Note(last.line, "truncated", message))
        bulletin.warnings.append(Note(None, "truncated", message))
    found = len(bulletin.items)
    if bulletin.declared_total is not None and bulletin.declared_total != found:
        message = _("文件声明共 %(declared)d 项，实际读到 %(found)d 项。") % {
            "declared": bulletin.declared_total,
            "found": found,
        }
        bulletin.warnings.append(Note(None, "count_mismatch", message))
        if found < bulletin.declared_total:
            last.warnings.append(Note(last.line, "count_mismatch", message))
    for line, heading, items in headings:
        if heading.declared is not None and heading.declared != len(items):
            bulletin.warnings.append(
                Note(
                    line,
                    "section_count_mismatch",
                    _("“%(name)s”声明共 %(declared)d 项，其下实际有 %(found)d 项。")
                    % {"name": heading.text, "declared": heading.declared, "found": len(items)},
                )
            )
