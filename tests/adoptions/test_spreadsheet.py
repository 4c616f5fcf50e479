"""The 台账 in Excel: the city's file round trip (download, fill in with openpyxl, upload, preview, confirm), a
file with any bad row writing nothing, and the province's spreadsheet of a batch."""

import datetime
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adoptions import services
from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption, AdoptionEvent, AdoptionPlan
from adoptions.spreadsheet import (
    ADOPTED_ON,
    ID,
    REASON,
    RESULT,
    STATUS,
    VERSION,
    SheetRow,
    apply_ledger,
    plan_ledger,
)
from practices.enums import Role
from practices.models import Notification
from tests.adoptions.common import login, publish
from tests.factories import CityFactory, UserFactory

pytestmark = pytest.mark.django_db


def download(client) -> openpyxl.Workbook:
    response = client.get("/city/adoptions/export.xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    return openpyxl.load_workbook(io.BytesIO(response.content))


def columns(sheet) -> dict[str, int]:
    return {cell.value: cell.column for cell in sheet[1]}


def upload(client, book: openpyxl.Workbook, name="台账.xlsx"):
    out = io.BytesIO()
    book.save(out)
    return client.post("/city/adoptions/import/", {"file": SimpleUploadedFile(name, out.getvalue())})


def line_of(sheet, row: Adoption) -> int:
    at = columns(sheet)[ID]
    return next(r for r in range(2, sheet.max_row + 1) if sheet.cell(r, at).value == row.pk)


def fill(sheet, row: Adoption, **values):
    at, line = columns(sheet), line_of(sheet, row)
    for column, value in values.items():
        sheet.cell(line, at[column]).value = value
    return line


def state(city) -> dict:
    return {a.pk: (a.status, a.adopted_on, a.result, a.reason, a.version) for a in Adoption.objects.filter(city=city)}


def test_the_round_trip_previews_exactly_the_changes_and_confirm_writes_them(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=3)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    client = login(client, people["hanzhong"])
    book = download(client)
    sheet = book["复制推广台账"]
    assert sorted(sheet.cell(r, columns(sheet)[ID]).value for r in range(2, sheet.max_row + 1)) == [r.pk for r in rows]
    fill(sheet, rows[0], **{STATUS: "已落地", ADOPTED_ON: datetime.date(2024, 5, 1), RESULT: "一日办结"})
    fill(sheet, rows[1], **{STATUS: "暂不适用", REASON: "本市无此业务"})
    # rows[2] left as downloaded
    before = state(hanzhong)

    preview = upload(client, book).context["preview"]
    assert preview.ok and preview.unchanged == 1
    assert [(c.adoption.pk, c.after["status"], c.columns) for c in preview.changes] == [
        (rows[0].pk, AdoptionStatus.ADOPTED, [STATUS, ADOPTED_ON, RESULT]),
        (rows[1].pk, AdoptionStatus.NOT_APPLICABLE, [STATUS, REASON]),
    ]
    assert state(hanzhong) == before  # a preview writes nothing

    response = client.post("/city/adoptions/import/", {"confirm": "1", "token": preview.token})
    assert response.status_code == 302 and response.url == "/city/adoptions/"
    after = state(hanzhong)
    assert after[rows[0].pk][:4] == (AdoptionStatus.ADOPTED, datetime.date(2024, 5, 1), "一日办结", "")
    assert after[rows[1].pk][:4] == (AdoptionStatus.NOT_APPLICABLE, None, "", "本市无此业务")
    assert after[rows[2].pk] == before[rows[2].pk]
    reported = AdoptionEvent.objects.filter(kind=AdoptionEvent.Kind.REPORTED, actor=people["hanzhong"])
    assert sorted(reported.values_list("adoption_id", flat=True)) == [rows[0].pk, rows[1].pk]
    # The same confirmation again (a double click) writes nothing more.
    client.post("/city/adoptions/import/", {"confirm": "1", "token": preview.token})
    assert state(hanzhong) == after


def test_a_file_with_one_bad_row_writes_nothing_and_names_each_cell(client, province):
    xian, hanzhong, people = province
    CityFactory(code="610300", name="宝鸡市", order=3)  # whose rows 汉中's file names below
    publish(xian, people["coordinator"], n=4)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    other_city_row = Adoption.objects.exclude(city=hanzhong).first()
    client = login(client, people["hanzhong"])
    book = download(client)
    sheet = book["复制推广台账"]
    fill(sheet, rows[0], **{STATUS: "推进中"})  # fine on its own
    bare = fill(sheet, rows[1], **{STATUS: "已落地"})  # neither date nor result: both cells named
    bad_status = fill(sheet, rows[2], **{STATUS: "差不多了"})
    bad_date = fill(sheet, rows[3], **{STATUS: "已落地", ADOPTED_ON: "五月", RESULT: "已复制"})
    foreign = sheet.max_row + 1
    sheet.cell(foreign, columns(sheet)[ID]).value = other_city_row.pk
    sheet.cell(foreign, columns(sheet)[STATUS]).value = "推进中"
    before = state(hanzhong)

    response = upload(client, book)
    preview = response.context["preview"]
    assert {(e.row, e.column) for e in preview.errors} == {
        (bare, ADOPTED_ON),
        (bare, RESULT),
        (bad_status, STATUS),
        (bad_date, ADOPTED_ON),
        (foreign, ID),
    }
    assert not preview.token and "确认写入" not in response.content.decode()
    assert state(hanzhong) == before


def test_a_row_changed_since_the_download_is_refused(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=2)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    client = login(client, people["hanzhong"])
    book = download(client)
    services.report(adoption=rows[0], by=None, status=AdoptionStatus.IN_PROGRESS, seen_version=1)
    line = fill(book["复制推广台账"], rows[0], **{STATUS: "暂不适用", REASON: "无此业务"})
    preview = upload(client, book).context["preview"]
    assert [(e.row, e.column) for e in preview.errors] == [(line, VERSION)]
    assert Adoption.objects.get(pk=rows[0].pk).status == AdoptionStatus.IN_PROGRESS


def test_a_change_between_preview_and_confirm_writes_nothing(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=2)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    client = login(client, people["hanzhong"])
    book = download(client)
    fill(book["复制推广台账"], rows[0], **{STATUS: "推进中"})
    fill(book["复制推广台账"], rows[1], **{STATUS: "推进中"})
    preview = upload(client, book).context["preview"]
    assert len(preview.changes) == 2
    services.report(adoption=rows[1], by=None, status=AdoptionStatus.NOT_APPLICABLE, seen_version=1, reason="无")
    before = state(hanzhong)
    response = client.post("/city/adoptions/import/", {"confirm": "1", "token": preview.token})
    assert response.status_code == 200 and response.context["preview"].errors
    assert state(hanzhong) == before


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("台账.csv", b"a,b\n", "只接受 .xlsx 文件"),
        ("台账.xlsx", b"not a workbook", "内容不是 Excel 工作簿"),
        ("台账.xlsx", b"PK\x03\x04broken", "文件无法读取"),
    ],
)
def test_a_file_that_is_not_a_ledger_is_refused_with_the_reason(client, province, name, content, message):
    _xian, _hanzhong, people = province
    client = login(client, people["hanzhong"])
    response = client.post("/city/adoptions/import/", {"file": SimpleUploadedFile(name, content)})
    assert message in response.content.decode()


def test_a_file_without_the_ledgers_columns_is_refused(client, province):
    _xian, _hanzhong, people = province
    client = login(client, people["hanzhong"])
    book = openpyxl.Workbook()
    book.active.append(["标题", "城市"])
    book.active.append(["某做法", "汉中市"])
    assert "缺少必需的列" in upload(client, book).content.decode()


def test_text_that_looks_like_a_formula_is_written_as_text(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    row = Adoption.objects.get(city=hanzhong)
    services.report(
        adoption=row,
        by=None,
        status=AdoptionStatus.ADOPTED,
        seen_version=1,
        adopted_on=datetime.date(2024, 5, 1),
        result='=HYPERLINK("http://x","y")',
    )
    sheet = download(login(client, people["hanzhong"]))["复制推广台账"]
    cell = sheet.cell(line_of(sheet, row), columns(sheet)[RESULT])
    assert (cell.data_type, cell.value) == ("s", '=HYPERLINK("http://x","y")')


# ---------------------------------------------------------------------------------------------------------------
# The province: its spreadsheet, reminders, the matrix narrowed


def test_the_provinces_spreadsheet_has_a_line_per_row_with_what_was_reported(client, province):
    xian, hanzhong, people = province
    batch = publish(xian, people["coordinator"], n=2)
    row = Adoption.objects.filter(city=hanzhong).order_by("pk").first()
    services.report(
        adoption=row,
        by=None,
        status=AdoptionStatus.ADOPTED,
        seen_version=1,
        adopted_on=datetime.date(2024, 5, 1),
        result="一日办结",
        results=[{"measure": "企业开办时间", "before": "3", "after": "1", "unit": "个工作日"}],
    )
    client = login(client, people["reviewer"])
    response = client.get(f"/review/adoptions/export.xlsx?batch={batch.year}-{batch.sequence}")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert batch.title in sheet.cell(1, 1).value
    header = [c.value for c in sheet[2]]
    lines = [dict(zip(header, (c.value for c in line), strict=True)) for line in sheet.iter_rows(min_row=3)]
    expected = Adoption.objects.filter(practice__batch_entry__batch=batch)
    assert len(lines) == expected.count()
    reported = next(line for line in lines if line["状态"] == "已落地")
    assert (reported["复制城市"], reported["本地成效"]) == ("汉中市", "一日办结")
    assert reported["量化成效"] == "企业开办时间 3 → 1 个工作日"
    assert [line["序号"] for line in lines] == list(range(1, len(lines) + 1))


def test_a_reminder_tells_each_late_citys_officials_and_is_noted_on_each_row(client, province):
    xian, hanzhong, people = province
    baoji = CityFactory(code="610300", name="宝鸡市", order=3)
    baoji_official = UserFactory(role=Role.CITY_OFFICIAL, city=baoji)
    batch = publish(xian, people["coordinator"], n=2)
    AdoptionPlan.objects.filter(batch=batch).update(deadline=timezone.localdate() - datetime.timedelta(days=1))
    done = Adoption.objects.get(city=baoji, practice__batch_entry__number=1)
    services.report(adoption=done, by=None, status=AdoptionStatus.NOT_APPLICABLE, seen_version=1, reason="无")
    for row in Adoption.objects.filter(city=baoji, practice__batch_entry__number=2):
        services.report(adoption=row, by=None, status=AdoptionStatus.NOT_APPLICABLE, seen_version=1, reason="无")

    assert login(client, people["reviewer"]).post("/review/adoptions/", {"action": "remind"}).status_code == 404
    client = login(client, people["coordinator"])
    response = client.post(f"/review/adoptions/?batch={batch.year}-{batch.sequence}", {"action": "remind"})
    assert response.status_code == 302
    late = Adoption.objects.filter(city=hanzhong)
    reminders = Notification.objects.filter(subject__startswith="复制推广催报")  # not the publication's
    note = reminders.get(recipient=people["hanzhong"])
    assert all(row.practice.batch_entry.title in note.message for row in late)
    assert not reminders.filter(recipient=baoji_official).exists()  # answered everything
    reminded = AdoptionEvent.objects.filter(kind=AdoptionEvent.Kind.REMINDED)
    assert sorted(reminded.values_list("adoption_id", flat=True)) == sorted(late.values_list("pk", flat=True))
    assert "上次催报" in client.get("/review/adoptions/").content.decode()


def test_a_reminder_with_nobody_late_says_so(client, province):
    xian, _hanzhong, people = province
    publish(xian, people["coordinator"])
    client = login(client, people["coordinator"])
    response = client.post("/review/adoptions/", {"action": "remind"}, follow=True)
    assert "没有逾期未办结的记录" in response.content.decode()
    assert not Notification.objects.filter(subject__startswith="复制推广催报").exists()


def test_the_matrix_narrows_to_a_city_or_an_indicator(client, province):
    xian, hanzhong, people = province
    batch = publish(xian, people["coordinator"], n=3)
    entries = list(batch.entries.order_by("number").select_related("practice__indicator"))
    client = login(client, people["reviewer"])
    here = f"/review/adoptions/?batch={batch.year}-{batch.sequence}"
    by_city = client.get(f"{here}&city={hanzhong.code}").context["matrix"]
    assert [c.pk for c in by_city.cities] == [hanzhong.pk]
    indicator = entries[1].practice.indicator
    by_indicator = client.get(f"{here}&indicator={indicator.slug}").context["matrix"]
    assert [line[0].pk for line in by_indicator.lines] == [entries[1].pk]
    unknown = client.get(f"{here}&city=nowhere")
    assert unknown.status_code == 200 and len(unknown.context["matrix"].lines) == 3  # ignored, not a 500


def test_multi_line_text_saved_in_the_browser_round_trips_unchanged(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=2)
    row = Adoption.objects.filter(city=hanzhong).order_by("pk").first()
    client = login(client, people["hanzhong"])
    data = {"results-TOTAL_FORMS": 0, "results-INITIAL_FORMS": 0, "version": 1, "status": "not_applicable"}
    client.post(f"/city/adoptions/{row.pk}/", {**data, "reason": "第一行\r\n第二行\r\n"})
    assert Adoption.objects.get(pk=row.pk).reason == "第一行\n第二行"  # kept as "\n", as a file gives it back
    preview = upload(client, download(client)).context["preview"]
    assert preview.ok and preview.changes == [] and preview.unchanged == 2


def test_text_typed_in_excel_is_kept_as_the_form_keeps_it(client, province):
    """Excel's line break in a cell, spaces at line ends, a decomposed character: stored as plain_text() makes
    them, so the file downloaded again and uploaded as it is changes nothing."""
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=2)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    client = login(client, people["hanzhong"])
    book = download(client)
    sheet = book["复制推广台账"]
    adopted = {STATUS: "已落地", ADOPTED_ON: datetime.date(2024, 5, 1), RESULT: "一日办结  \r全程网办\u3000\r\n"}
    fill(sheet, rows[0], **adopted)
    fill(sheet, rows[1], **{STATUS: "暂不适用", REASON: "\r\n本市无此业务（Cafe\u0301）\t"})
    preview = upload(client, book).context["preview"]
    client.post("/city/adoptions/import/", {"confirm": "1", "token": preview.token})
    after = state(hanzhong)
    assert (after[rows[0].pk][2], after[rows[1].pk][3]) == ("一日办结\n全程网办", "本市无此业务（Café）")
    again = upload(client, download(client)).context["preview"]
    assert again.ok and again.changes == [] and again.unchanged == 2


def test_a_ledger_downloaded_from_the_english_site_uploads_as_it_is(client, province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=2)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    client = login(client, people["hanzhong"])
    client.cookies["django_language"] = "en"
    book = download(client)
    sheet = book["复制推广台账"]
    assert sheet.cell(line_of(sheet, rows[0]), columns(sheet)[STATUS]).value == "未启动"  # the file's language
    fill(sheet, rows[0], **{STATUS: "In progress"})  # a label of the site's other language is understood too
    preview = upload(client, book).context["preview"]
    assert preview.ok and [c.after["status"] for c in preview.changes] == [AdoptionStatus.IN_PROGRESS]


@pytest.mark.parametrize("value", ["²", "99999999999999999999", 1e20, -3, "", "12a"])
def test_an_id_that_is_no_id_is_an_error_in_its_cell(client, province, value):
    xian, _hanzhong, people = province
    publish(xian, people["coordinator"])
    client = login(client, people["hanzhong"])
    book = download(client)
    sheet = book["复制推广台账"]
    sheet.cell(2, columns(sheet)[ID]).value = value
    sheet.cell(2, columns(sheet)[STATUS]).value = "推进中"
    preview = upload(client, book).context["preview"]
    assert [(e.row, e.column) for e in preview.errors] == [(2, ID)]


def test_a_damaged_sheet_is_refused_with_a_message(client, province):
    import zipfile

    _xian, _hanzhong, people = province
    client = login(client, people["hanzhong"])
    out = io.BytesIO()
    book = openpyxl.Workbook()
    book.active.append([ID, STATUS, ADOPTED_ON, RESULT, REASON, VERSION])
    book.save(out)
    damaged = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(out.getvalue())) as source, zipfile.ZipFile(damaged, "w") as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename.startswith("xl/worksheets/"):
                content = content[: len(content) // 2]  # cut off mid-element
            target.writestr(item, content)
    response = client.post("/city/adoptions/import/", {"file": SimpleUploadedFile("台账.xlsx", damaged.getvalue())})
    assert response.status_code == 200 and "文件无法读取" in response.content.decode()


def test_a_draft_import_waiting_is_not_a_ledger_upload_nor_lost_by_one(client, province):
    from practices.models import PendingImport

    xian, hanzhong, people = province
    publish(xian, people["coordinator"])
    client = login(client, people["hanzhong"])
    drafts = PendingImport.objects.create(token="drafts-token", user=people["hanzhong"], name="a.xlsx", content=b"x")
    book = download(client)
    fill(book["复制推广台账"], Adoption.objects.get(city=hanzhong), **{STATUS: "推进中"})
    assert upload(client, book).context["preview"].token
    assert PendingImport.objects.filter(pk=drafts.pk).exists()  # the drafts' upload still waits
    response = client.post("/city/adoptions/import/", {"confirm": "1", "token": "drafts-token"})
    assert response.status_code == 302 and PendingImport.objects.filter(pk=drafts.pk).exists()


def test_an_administrator_without_a_city_has_no_ledger(client, province):
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.create_superuser("it", "it@example.gov.cn", "x")
    client.force_login(admin)
    for url in ("/city/adoptions/", "/city/adoptions/export.xlsx", "/city/adoptions/import/"):
        assert client.get(url).status_code == 404


def test_the_provinces_spreadsheet_of_every_batch_has_every_row(client, province):
    xian, _hanzhong, people = province
    publish(xian, people["coordinator"], n=2, year=2023)
    publish(xian, people["coordinator"], n=1, year=2024)
    response = login(client, people["coordinator"]).get("/review/adoptions/export.xlsx?batch=all")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    assert "全部批次" in sheet.cell(1, 1).value
    lines = list(sheet.iter_rows(min_row=3, values_only=True))
    assert len(lines) == Adoption.objects.count() == 3
    assert lines[0][1].startswith("2024") and lines[-1][1].startswith("2023")  # newest batch first


# ---------------------------------------------------------------------------------------------------------------
# Many rows at once: what one upload writes, and what it costs the database


def filled(rows, status="推进中", first_line=2, **cells) -> list[SheetRow]:
    return [
        SheetRow(line, {ID: row.pk, STATUS: status, VERSION: row.version, **cells})
        for line, row in enumerate(rows, start=first_line)
    ]


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


def test_an_upload_costs_the_same_queries_whatever_its_rows(province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=30)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    one, many = filled(rows[:1]), filled(rows[1:])
    checked = [queries(lambda r=r: plan_ledger(city=hanzhong, rows=r)) for r in (one, many)]
    assert checked[0] == checked[1]
    by = people["hanzhong"]
    written = [queries(lambda r=r: apply_ledger(city=hanzhong, by=by, rows=r)) for r in (one, many)]
    assert written[0] == written[1]
    assert set(Adoption.objects.filter(city=hanzhong).values_list("status", "version")) == {
        (AdoptionStatus.IN_PROGRESS, 2)
    }


def test_an_upload_writes_each_row_as_a_report_does(province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=3)
    official = people["hanzhong"]
    first, second, third = Adoption.objects.filter(city=hanzhong).order_by("pk")
    measured = [{"measure": "办理时间", "before": "5", "after": "1", "unit": "天"}]
    adopted = {"status": AdoptionStatus.ADOPTED, "adopted_on": datetime.date(2024, 5, 1), "result": "一日办结"}
    first = services.report(adoption=first, by=official, seen_version=1, results=measured, **adopted)
    generation = services.generation()
    lines = filled([first], status="暂不适用", **{REASON: "本市无此业务\r\n"})
    lines += filled([second], status="已落地", **{ADOPTED_ON: "2024年5月2日", RESULT: "全程网办 "}, first_line=3)
    preview = apply_ledger(city=hanzhong, by=official, rows=lines)

    assert preview.ok and preview.written == 2
    assert state(hanzhong) == {
        first.pk: (AdoptionStatus.NOT_APPLICABLE, None, "", "本市无此业务", 3),
        second.pk: (AdoptionStatus.ADOPTED, datetime.date(2024, 5, 2), "全程网办", "", 2),
        third.pk: (AdoptionStatus.NOT_STARTED, None, "", "", 1),
    }
    assert not first.results.exists()  # measured results belong to 已落地
    events = AdoptionEvent.objects.filter(kind=AdoptionEvent.Kind.REPORTED).order_by("pk")
    assert [(e.adoption_id, e.from_status, e.to_status, e.actor) for e in events][1:] == [
        (first.pk, AdoptionStatus.ADOPTED, AdoptionStatus.NOT_APPLICABLE, official),
        (second.pk, AdoptionStatus.NOT_STARTED, AdoptionStatus.ADOPTED, official),
    ]
    history = Adoption.history.filter(history_type="~").order_by("history_id")
    assert [(h.id, h.version, h.status, h.reason, h.history_user) for h in history][1:] == [
        (first.pk, 3, AdoptionStatus.NOT_APPLICABLE, "本市无此业务", official),
        (second.pk, 2, AdoptionStatus.ADOPTED, "", official),
    ]
    assert services.generation() == generation + 1  # once for the whole file


def test_reports_saved_meanwhile_are_each_refused_and_none_written(province):
    xian, hanzhong, people = province
    publish(xian, people["coordinator"], n=3)
    rows = list(Adoption.objects.filter(city=hanzhong).order_by("pk"))
    reports = [services.Report(row, seen_version=1, status=AdoptionStatus.IN_PROGRESS) for row in rows]
    for row in rows[1:]:  # a colleague, between the preview and the confirmation
        services.report(adoption=row, by=None, status=AdoptionStatus.NOT_APPLICABLE, seen_version=1, reason="无")
    before = state(hanzhong)
    with pytest.raises(services.ReportsRefused) as refused:
        services.report_all(reports=reports, by=people["hanzhong"])
    assert sorted(refused.value.refused) == [row.pk for row in rows[1:]]
    assert all(isinstance(exc, services.StaleAdoption) for exc in refused.value.refused.values())
    assert state(hanzhong) == before
