"""Drafts from a spreadsheet: the city's own rows, every error shown with its row and column, all rows or none.

One django-import-export resource describes the columns, and the downloadable template is built from it.
"""

import io
from dataclasses import dataclass, field

import tablib
from django.core.exceptions import ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from bizenv.web import sheets
from bizenv.web.history import recorded

from . import search
from .enums import Status
from .models import City, Indicator, Practice
from .selectors import known_cities, known_indicators
from .text import NameMatcher, find_damage, plain_text, to_simplified

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 500

COLUMNS = {
    "title": "标题",
    "indicator": "指标",
    "city": "城市",
    "summary": "摘要",
    "body": "正文",
    "outcomes": "成效",
    "contact_name": "联系人",
    "contact_phone": "联系电话",
}
EXAMPLE = {
    "title": "西安市推行企业开办“一日办结”",
    "indicator": "开办企业",
    "city": "西安市",
    "summary": "企业开办全流程一个工作日内办结。",
    "body": "整合设立登记、公章刻制、申领发票等环节，一表填报、一窗领取。",
    "outcomes": "企业开办时间由3个工作日压缩至1个工作日。",
    "contact_name": "王敏",
    "contact_phone": "029-86781234",
}


class ImportRefused(Exception):
    """The file cannot be read at all (type, size, encoding); the message is for the user."""


class NamedWidget(widgets.ForeignKeyWidget):
    """A city or indicator by its name or any alias, Traditional or Simplified, quotes and spaces aside; the known
    ones read once, not once a row."""

    def __init__(self, model, known, label):
        super().__init__(model, field="name")
        self.matcher = NameMatcher(known)
        self.label = label
        self.by_name = model.objects.in_bulk([entry.name for entry in known], field_name="name")

    def clean(self, value, row=None, **kwargs):
        if value is None or str(value).strip() == "":
            return None
        name = self.matcher.exact(str(value))
        if name is None or name not in self.by_name:
            raise ValueError(_("未知的%(what)s“%(value)s”。") % {"what": self.label, "value": value})
        return self.by_name[name]


class TextWidget(widgets.CharWidget):
    """A text cell kept as the practice form keeps what is typed (practices.text.plain_text()); a single-line
    column is trimmed too, as its input is. A null character (a CSV can hold one) is refused, as the form refuses
    it: PostgreSQL could not store it, and rows are only written once every one is checked."""

    def __init__(self, *, multiline: bool = False):
        super().__init__()
        self.multiline = multiline

    def clean(self, value, row=None, **kwargs):
        text = plain_text(super().clean(value, row, **kwargs) or "")
        if "\x00" in text:
            raise ValueError(str(ProhibitNullCharactersValidator.message))
        return text if self.multiline else text.strip()


# What import_instance() sets from rows read just before (the widgets' cities and indicators, the importing user):
# full_clean() would read each again, per row.
RELATIONS_READ = ["city", "indicator", "created_by", "updated_by"]


class PracticeResource(resources.ModelResource):
    """The columns of the draft spreadsheet. `city` is the importing official's city, or None for the coordinator.

    Every row is checked before anything is written; then all of them are written at once (bulk_create()), with
    their history rows, or none if any row has an error. Their search index rows are written after the response
    (search.index_later())."""

    def __init__(self, *, city: City | None = None, by=None):
        super().__init__()
        self.city, self.by = city, by
        self.fields["city"].widget = NamedWidget(City, known_cities(), _("城市"))
        self.fields["indicator"].widget = NamedWidget(Indicator, known_indicators(), _("指标"))

    title = fields.Field(attribute="title", column_name=COLUMNS["title"], widget=TextWidget())
    indicator = fields.Field(attribute="indicator", column_name=COLUMNS["indicator"])
    city = fields.Field(attribute="city", column_name=COLUMNS["city"])
    summary = fields.Field(attribute="summary", column_name=COLUMNS["summary"], widget=TextWidget(multiline=True))
    body = fields.Field(attribute="body", column_name=COLUMNS["body"], widget=TextWidget(multiline=True))
    outcomes = fields.Field(attribute="outcomes", column_name=COLUMNS["outcomes"], widget=TextWidget(multiline=True))
    contact_name = fields.Field(attribute="contact_name", column_name=COLUMNS["contact_name"], widget=TextWidget())
    contact_phone = fields.Field(attribute="contact_phone", column_name=COLUMNS["contact_phone"], widget=TextWidget())

    class Meta:
        model = Practice
        fields = tuple(COLUMNS)
        force_init_instance = True  # every row is a new draft; nothing is overwritten
        clean_model_instances = True
        use_transactions = True
        skip_diff = True
        use_bulk = True  # rows are collected, and bulk_create() below writes them at the end
        batch_size = None  # all of them at once: never a batch before every row is checked

    def before_import_row(self, row, **kwargs):
        # A city official may leave the city column empty: their rows are their city's.
        if self.city is not None and not str(row.get(COLUMNS["city"]) or "").strip():
            row[COLUMNS["city"]] = self.city.name

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        if self.city is not None:
            if instance.city_id != self.city.pk:
                raise ValidationError(
                    {"city": _("只能导入本市（%(city)s）的经验做法。") % {"city": self.city.name}}, code="other_city"
                )
        elif instance.city_id is None:
            raise ValidationError({"city": _("请填写城市。")}, code="city_required")
        instance.status = Status.DRAFT
        instance.created_by = instance.updated_by = self.by

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        # As ModelResource's, without reading the relations again, nor asking the database about the check
        # constraints once a row: they hold of what import_instance() sets itself (status, round, version, source)
        # or of what clean_fields() refuses first (an empty title), and the database still enforces them.
        errors = dict(import_validation_errors or {})
        try:
            instance.full_clean(
                exclude=[*errors, *RELATIONS_READ], validate_unique=validate_unique, validate_constraints=False
            )
        except ValidationError as e:
            errors = e.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        # Called once, after every row (no batch_size): rows are written only if none has an error. A failure here
        # is not any row's: it is raised, and the transaction is rolled back.
        practices, self.create_instances = self.create_instances, []
        if dry_run or not practices or result.has_errors() or result.has_validation_errors():
            return
        Practice.objects.bulk_create(practices)
        recorded(practices, by=self.by, created=True)
        # Written into the index once the response has been sent: the city does not wait for it (bench/RESULTS.md).
        search.index_later([practice.pk for practice in practices])

    def get_field_name(self, field):
        return field.column_name


def template_xlsx() -> bytes:
    """The spreadsheet to fill in: the headers and one example row."""
    columns = [
        sheets.Column(name, 40 if key in ("body", "summary", "outcomes") else 14) for key, name in COLUMNS.items()
    ]
    return sheets.workbook(_("经验做法"), columns, [[EXAMPLE[key] for key in COLUMNS]])


@dataclass
class Table:
    data: tablib.Dataset
    sheet_rows: list[int]  # the spreadsheet's row number of each data row


def read_table(*, name: str, content: bytes) -> Table:
    """An uploaded .xlsx or .csv (UTF-8 or GB18030) as rows; ImportRefused with the reason otherwise."""
    if len(content) > MAX_IMPORT_BYTES:
        raise ImportRefused(_("文件超过 %(mb)d MB 的上限。") % {"mb": MAX_IMPORT_BYTES // 2**20})
    lower = name.lower()
    try:
        if lower.endswith(".xlsx"):
            if not content.startswith(b"PK\x03\x04"):
                raise ImportRefused(_("文件扩展名是 .xlsx，但内容不是 Excel 工作簿。"))
            data = tablib.Dataset().load(io.BytesIO(content), format="xlsx")
        elif lower.endswith(".csv"):
            for encoding in ("utf-8-sig", "gb18030"):
                try:
                    text = content.decode(encoding)
                    break
                except UnicodeDecodeError:
                    continue
            else:
                raise ImportRefused(_("CSV 文件既不是 UTF-8 也不是 GB18030 编码，请另存为“CSV UTF-8”后再导入。"))
            data = tablib.Dataset().load(text, format="csv")
        else:
            raise ImportRefused(_("只接受 .xlsx 或 .csv 文件。"))
    except ImportRefused:
        raise
    except Exception as exc:  # tablib/openpyxl raise many kinds for a damaged file
        raise ImportRefused(_("文件无法读取，可能已损坏：%(error)s") % {"error": exc}) from exc
    missing = [column for column in (COLUMNS["title"],) if column not in (data.headers or [])]
    if missing:
        raise ImportRefused(_("缺少必需的列：%(columns)s。请使用导入模板。") % {"columns": "、".join(missing)})
    unknown = [h for h in data.headers if h and h not in COLUMNS.values()]
    if unknown:
        raise ImportRefused(_("无法识别的列：%(columns)s。请使用导入模板。") % {"columns": "、".join(unknown)})
    # Rows with nothing in them (formatting copied down a sheet, trailing ",,,,") are not rows of data; the
    # others keep the numbers the spreadsheet shows them under (the header is row 1).
    filled = tablib.Dataset(headers=data.headers)
    sheet_rows = []
    for index, row in enumerate(data, start=2):
        if any(str(cell).strip() for cell in row if cell is not None):
            filled.append(row)
            sheet_rows.append(index)
    data = filled
    if data.height > MAX_IMPORT_ROWS:
        raise ImportRefused(_("一次最多导入 %(n)d 行。") % {"n": MAX_IMPORT_ROWS})
    if data.height == 0:
        raise ImportRefused(_("文件中没有数据行。"))
    return Table(data, sheet_rows)


@dataclass
class RowError:
    row: int  # as the spreadsheet numbers it
    column: str
    message: str


@dataclass
class Preview:
    rows: list[tuple[int, list[str]]]  # (spreadsheet row, cells in COLUMNS order), as the preview shows them
    errors: list[RowError] = field(default_factory=list)
    warnings: list[RowError] = field(default_factory=list)  # text that looks like mojibake: imported, but said
    created: int = 0
    token: str = ""  # names the upload waiting for confirmation

    @property
    def ok(self) -> bool:
        return not self.errors


DAMAGE_CHECKED = ("title", "summary", "body", "outcomes")


def damaged_cells(cells: list[dict], sheet_rows: list[int]) -> list[RowError]:
    """A warning for each stretch of a text cell that looks like mojibake (a CSV saved in one encoding, read in
    another, or text pasted from such a page)."""
    warnings = []
    for number, row in zip(sheet_rows, cells, strict=True):
        for name in DAMAGE_CHECKED:
            for spot in find_damage(to_simplified(str(row.get(COLUMNS[name]) or ""))):
                message = _("疑似乱码：“%(fragment)s”。请对照原文核对。") % {"fragment": spot.fragment}
                warnings.append(RowError(number, COLUMNS[name], message))
    return warnings


def import_drafts(*, table: Table, city: City | None, by, dry_run: bool) -> Preview:
    """Check every row (and, unless a dry run, write them all as drafts); any error and nothing is written."""
    data = table.data
    resource = PracticeResource(city=city, by=by)
    column_of = {name: f.column_name for name, f in resource.fields.items()}
    with transaction.atomic():
        result = resource.import_data(data, dry_run=dry_run, raise_errors=False)
        cells = [dict(zip(data.headers, row, strict=False)) for row in data]
        preview = Preview(
            rows=[
                (number, [str(row.get(c) or "") for c in COLUMNS.values()])
                for number, row in zip(table.sheet_rows, cells, strict=True)
            ]
        )
        for index, row_errors in result.row_errors():
            for error in row_errors:
                preview.errors.append(RowError(table.sheet_rows[index - 1], "", str(error.error)))
        for invalid in result.invalid_rows:
            for name, messages in invalid.error_dict.items():
                column = column_of.get(name, name if name != "__all__" else "")
                for message in messages:
                    preview.errors.append(RowError(table.sheet_rows[invalid.number - 1], column, message))
        preview.errors.sort(key=lambda e: (e.row, e.column))
        preview.warnings = damaged_cells(cells, table.sheet_rows)
        if preview.ok and not dry_run:
            preview.created = result.totals["new"]
    return preview
