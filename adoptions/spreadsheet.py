"""The 台账 in Excel: the city downloads its rows, fills in status, date, result or reason, and uploads the file;
the upload is checked row by row (every error with its row and column), previewed as the changes it makes, and
written all rows or none. The province downloads the whole 台账 of a batch in the layout an office circulates.

Every cell we write is a string, number or date cell, never a formula (bizenv.web.sheets); an uploaded formula
is read as the value Excel last computed for it, never evaluated.
"""

import datetime
import io
import re
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import load_workbook

from bizenv.web.sheets import Column, workbook
from practices.enums import Status
from practices.models import City
from practices.text import plain_text

from . import services
from .enums import AdoptionStatus
from .models import Adoption

MAX_LEDGER_BYTES = 10 * 1024 * 1024
MAX_LEDGER_ROWS = 20_000
SHEET = "复制推广台账"

# The city's file: the row's id and version say which row and which state it was filled in from; the four
# report columns are what the city changes; the rest says what the row is.
ID, BATCH, NUMBER, TITLE, ORIGIN, INDICATOR, DEADLINE = (
    "记录编号",
    "批次",
    "序号",
    "经验做法",
    "原创城市",
    "指标",
    "填报截止日期",
)
STATUS, ADOPTED_ON, RESULT, REASON, VERSION = "状态", "落地日期", "本地成效", "暂不适用的原因", "版本"
COLUMN_OF = {"status": STATUS, "adopted_on": ADOPTED_ON, "result": RESULT, "reason": REASON}
REQUIRED = [ID, STATUS, ADOPTED_ON, RESULT, REASON, VERSION]
REQUIREMENT = "填报要求"  # 须填报, 自愿填报 or 免于填报: what the city may change, for the reader
FILE_LANGUAGE = "zh-hans"  # the file's statuses, whatever the language of the page it was downloaded from
ID_DIGITS = re.compile(r"[0-9]{1,9}")  # as bizenv.web.converters: an id of at most nine ASCII digits


def status_labels(language: str = FILE_LANGUAGE) -> dict[str, str]:
    """Each status's label in a language (the file's by default)."""
    with translation.override(language):
        return {value: str(label) for value, label in AdoptionStatus.choices}


def status_of() -> dict[str, str]:
    """A status as a cell may give it: its value, or its label in any of the site's languages."""
    known = {value: value for value in AdoptionStatus.values}
    for language, _name in settings.LANGUAGES:
        known |= {label: value for value, label in status_labels(language).items()}
    return known


def city_columns() -> list[Column]:
    return [
        Column(ID, 10),
        Column(BATCH, 24),
        Column(NUMBER, 6),
        Column(TITLE, 48),
        Column(ORIGIN, 10),
        Column(INDICATOR, 16),
        Column(DEADLINE, 12),
        Column(REQUIREMENT, 10),
        Column(STATUS, 10, choices=list(status_labels().values())),
        Column(ADOPTED_ON, 12),
        Column(RESULT, 48),
        Column(REASON, 32),
        Column(VERSION, 6),
    ]


GUIDE = [
    gettext_lazy("填写说明"),
    gettext_lazy(
        "1. 每行是本市须填报（或自愿填报）的一项经验做法，请只修改“状态”“落地日期”“本地成效”“暂不适用的原因”四列。"
    ),
    gettext_lazy(
        "2. 状态填写：未启动、推进中、已落地、暂不适用。已落地须填写落地日期（如 2024-05-01）和本地成效；"
        "暂不适用须说明原因。"
    ),
    gettext_lazy(
        "3. 请勿修改“记录编号”和“版本”列：它们标明每行对应的记录及下载时的版本；下载后他人已修改的行将被拒绝。"
    ),
    gettext_lazy("4. 上传后先预览每一处修改和错误；任何一行有错误，全部不写入。量化成效和佐证材料请在网页上填报。"),
]


def city_ledger_xlsx(rows: QuerySet[Adoption]) -> bytes:
    """The city's rows (adoptions.selectors.city_ledger(), filtered or not) as the file it fills in: read as plain
    values in one query, not as model instances (5,000 rows: about 60 ms instead of 320)."""
    entry = "practice__batch_entry"
    values = rows.values_list(
        "pk",
        f"{entry}__batch__title",
        f"{entry}__number",
        f"{entry}__title",
        f"{entry}__city_name",
        f"{entry}__indicator_name",
        f"{entry}__batch__adoption_plan__deadline",
        "owed",
        "excused_at",
        "status",
        "adopted_on",
        "result",
        "reason",
        "version",
    )
    labels = status_labels()
    with translation.override(FILE_LANGUAGE):
        required = {(True, False): _("须填报"), (False, False): _("自愿填报")}
        excused = _("免于填报")
        guide = [str(line) for line in GUIDE]

    def line(values):
        *described, owed, excused_at, status, adopted_on, result, reason, version = values
        requirement = excused if excused_at else required[owed, False]
        return [*described, requirement, labels[status], adopted_on, result, reason, version]

    return workbook(SHEET, city_columns(), (line(v) for v in values.iterator(chunk_size=2000)), guide=guide)


PROVINCE_COLUMNS = [
    Column("序号", 6),
    Column(BATCH, 24),
    Column("条目序号", 8),
    Column(TITLE, 48),
    Column(ORIGIN, 10),
    Column(INDICATOR, 16),
    Column("复制城市", 10),
    Column("填报要求", 10),
    Column(STATUS, 10),
    Column(ADOPTED_ON, 12),
    Column(RESULT, 48),
    Column("量化成效", 32),
    Column("备注", 32),
    Column("最后更新时间", 18),
]


def province_ledger_xlsx(title: str, rows) -> bytes:
    """A batch's whole 台账 for the province: one line per practice × city, numbered, with what each city
    reported (adoptions.selectors.province_ledger reads the rows)."""

    def line(n, row):
        entry = row.practice.batch_entry
        measured = "；".join(f"{r.measure} {r.before} → {r.after} {r.unit}".strip() for r in row.results.all())
        notes = [row.reason] if row.reason else []
        if row.excused_at:
            notes.append(_("免于填报：%(reason)s") % {"reason": row.excuse})
        return [
            n,
            entry.batch.title,
            entry.number,
            entry.title,
            entry.city_name,
            entry.indicator_name,
            row.city.name,
            _("须填报") if row.owed else _("自愿填报"),
            row.get_status_display(),
            row.adopted_on,
            row.result,
            measured,
            "；".join(notes),
            timezone.localtime(row.updated_at).replace(tzinfo=None) if row.version > 1 else None,
        ]

    return workbook(SHEET, PROVINCE_COLUMNS, (line(n, row) for n, row in enumerate(rows, start=1)), title=title)


# ---------------------------------------------------------------------------------------------------------------
# Reading the city's file back


class LedgerRefused(Exception):
    """The file cannot be read at all (type, size, sheet, headers); the message is for the user."""


@dataclass
class SheetRow:
    number: int  # as the spreadsheet numbers it
    cells: dict[str, object]


@dataclass
class CellError:
    row: int
    column: str
    message: str


@dataclass
class Change:
    row: int
    adoption: Adoption
    seen_version: int
    before: dict
    after: dict

    @property
    def columns(self) -> list[str]:
        return [COLUMN_OF[k] for k in COLUMN_OF if self.before[k] != self.after[k]]


@dataclass
class LedgerPreview:
    changes: list[Change] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    unchanged: int = 0
    written: int = 0
    token: str = ""

    @property
    def ok(self) -> bool:
        return not self.errors


def read_ledger(*, name: str, content: bytes) -> list[SheetRow]:
    """The rows of an uploaded 台账 (.xlsx), keyed by header; LedgerRefused with the reason otherwise."""
    if len(content) > MAX_LEDGER_BYTES:
        raise LedgerRefused(_("文件超过 %(mb)d MB 的上限。") % {"mb": MAX_LEDGER_BYTES // 2**20})
    if not name.lower().endswith(".xlsx"):
        raise LedgerRefused(_("只接受 .xlsx 文件：请上传下载的台账，在 Excel 中填写后保存为 .xlsx。"))
    if not content.startswith(b"PK\x03\x04"):
        raise LedgerRefused(_("文件扩展名是 .xlsx，但内容不是 Excel 工作簿。"))
    try:
        rows = _rows(load_workbook(io.BytesIO(content), read_only=True, data_only=True))
    except LedgerRefused:
        raise
    except Exception as exc:  # openpyxl raises many kinds for a damaged file, while loading or reading
        raise LedgerRefused(_("文件无法读取，可能已损坏：%(error)s") % {"error": exc}) from exc
    if not rows:
        raise LedgerRefused(_("文件中没有数据行。"))
    return rows


def _rows(book) -> list[SheetRow]:
    try:
        if not book.worksheets:
            raise LedgerRefused(_("文件中没有工作表。"))
        sheet = book[SHEET] if SHEET in book.sheetnames else book.worksheets[0]
        lines = sheet.iter_rows(values_only=True, max_row=2 * MAX_LEDGER_ROWS + 1)  # blank lines read, too
        headers = [str(h).strip() if h is not None else "" for h in next(lines, ())]
        missing = [h for h in REQUIRED if h not in headers]
        if missing:
            raise LedgerRefused(
                _("缺少必需的列：%(columns)s。请上传从本系统下载的台账。") % {"columns": "、".join(missing)}
            )
        width = max(i for i, h in enumerate(headers) if h) + 1
        rows = []
        for number, values in enumerate(lines, start=2):
            cells = {h: v for h, v in zip(headers[:width], values[:width], strict=False) if h}
            if not any(v is not None and str(v).strip() for v in cells.values()):
                continue  # formatting copied down the sheet
            rows.append(SheetRow(number, cells))
            if len(rows) > MAX_LEDGER_ROWS:
                raise LedgerRefused(_("一次最多上传 %(n)d 行。") % {"n": MAX_LEDGER_ROWS})
        return rows
    finally:
        book.close()


def _text(value) -> str:
    """A short cell (an id, a status, a date) as text, trimmed."""
    return "" if value is None else plain_text(str(value)).strip()


def _long_text(value) -> str:
    """A result or reason as the report form would keep it (practices.text.plain_text())."""
    return "" if value is None else plain_text(str(value))


def _integer(value) -> int | None:
    """A whole number of at most nine digits (an id, a version), or None."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    text = _text(value) if isinstance(value, str) else ""
    return int(text) if ID_DIGITS.fullmatch(text) else None


DATE = re.compile(r"^([0-9]{4})\s*[-/.年]\s*([0-9]{1,2})\s*[-/.月]\s*([0-9]{1,2})\s*日?$")


def _date(value) -> datetime.date | None:
    """A date cell, or text such as 2024-05-01, 2024/5/1, 2024.5.1 or 2024年5月1日; ValueError otherwise."""
    if value is None or _text(value) == "":
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    match = DATE.match(_text(value))
    if not match:
        raise ValueError
    return datetime.date(*(int(part) for part in match.groups()))


def _state(row: Adoption) -> dict:
    return {
        "status": row.status,
        "adopted_on": row.adopted_on,
        "result": plain_text(row.result),
        "reason": plain_text(row.reason),
    }


def plan_ledger(*, city: City, rows: list[SheetRow]) -> LedgerPreview:
    """What the file changes in the city's rows, and every error by row and column. Rows the file leaves as they
    are count as unchanged, whatever their version."""
    preview = LedgerPreview()
    ids = {_integer(r.cells.get(ID)) for r in rows} - {None}
    own = (
        Adoption.objects.filter(city=city, pk__in=ids)
        .select_related("practice__batch_entry")
        # What the checks and the preview read: not the practice's and its entry's long texts, 500 times over.
        .only(
            *("practice", "status", "adopted_on", "result", "reason", "excused_at", "version"),
            *("practice__status", "practice__batch_entry__number", "practice__batch_entry__title"),
        )
    )
    own = {a.pk: a for a in own}
    statuses = status_of()
    seen: dict[int, int] = {}
    for sheet_row in rows:
        errors_before = len(preview.errors)

        def error(column, message, number=sheet_row.number):
            preview.errors.append(CellError(number, column, message))

        cells = sheet_row.cells
        pk = _integer(cells.get(ID))
        adoption = own.get(pk)
        if adoption is None:
            if _text(cells.get(ID)) == "":
                error(ID, _("缺少记录编号：请勿删改此列。"))
            else:
                error(ID, _("“%(value)s”不是本市台账中的记录。") % {"value": _text(cells.get(ID))})
            continue
        if pk in seen:
            error(ID, _("与第 %(row)d 行是同一条记录。") % {"row": seen[pk]})
            continue
        seen[pk] = sheet_row.number
        status = statuses.get(_text(cells.get(STATUS)))
        if status is None:
            error(STATUS, _("状态须为：%(choices)s。") % {"choices": "、".join(map(str, AdoptionStatus.labels))})
        try:
            adopted_on = _date(cells.get(ADOPTED_ON))
        except ValueError:
            error(ADOPTED_ON, _("“%(value)s”不是日期，请写作 2024-05-01。") % {"value": _text(cells.get(ADOPTED_ON))})
            adopted_on = None
        version = _integer(cells.get(VERSION))
        if version is None:
            error(VERSION, _("版本须为数字，请勿修改此列。"))
        if len(preview.errors) > errors_before:
            continue
        after = {"status": status, "adopted_on": adopted_on, "result": _long_text(cells.get(RESULT))}
        after["reason"] = _long_text(cells.get(REASON))
        # What the report would store: a date and result belong to 已落地, a reason to 暂不适用.
        if status != AdoptionStatus.ADOPTED:
            after["adopted_on"], after["result"] = None, ""
        if status != AdoptionStatus.NOT_APPLICABLE:
            after["reason"] = ""
        before = _state(adoption)
        if after == before:
            preview.unchanged += 1
            continue
        if adoption.excused_at is not None:
            error(STATUS, _("此记录已由省级免于填报，不能修改。"))
        elif adoption.practice.status != Status.PUBLISHED:
            error(TITLE, _("此经验做法已不在发布状态，不能填报。"))
        elif version != adoption.version:
            error(
                VERSION, _("下载后此行已被修改（现为第 %(n)d 版），请重新下载台账后再填写。") % {"n": adoption.version}
            )
        else:
            try:
                services.check_report(after["status"], after["adopted_on"], after["result"], after["reason"])
            except services.AdoptionError as exc:
                for field, message in exc.problems:
                    error(COLUMN_OF.get(field, STATUS), message)
            else:
                preview.changes.append(Change(sheet_row.number, adoption, version, before, after))
    preview.errors.sort(key=lambda e: (e.row, e.column))
    return preview


def apply_ledger(*, city: City, by, rows: list[SheetRow]) -> LedgerPreview:
    """Check the file again and write every change, each a report with its event, in one transaction: an error
    in any row (a colleague's save since the preview, say) and nothing is written."""
    with transaction.atomic():
        preview = plan_ledger(city=city, rows=rows)
        if not preview.ok:
            return preview
        reports = [
            services.Report(adoption=change.adoption, seen_version=change.seen_version, **change.after)
            for change in preview.changes
        ]
        try:
            services.report_all(reports=reports, by=by)
        except services.ReportsRefused as refused:
            for change in preview.changes:
                exc = refused.refused.get(change.adoption.pk)
                if exc is None:
                    continue
                for field_name, message in exc.problems:
                    column = COLUMN_OF.get(field_name, VERSION if isinstance(exc, services.StaleAdoption) else STATUS)
                    preview.errors.append(CellError(change.row, column, message))
            preview.errors.sort(key=lambda e: (e.row, e.column))
            return preview
        preview.written = len(preview.changes)
    return preview
