"""The coordinator's batch pages (/review/batches/): who may use them, composing and publishing through them."""

import datetime
import io
import re

import docx
import openpyxl
import pypdf
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.timezone import now

from adoptions.models import Adoption
from batches import services as batches
from batches.enums import BatchStatus, EntryScope
from batches.models import Batch, BatchEntry
from batches.selectors import approved_pool
from bizenv.fixtures import ensure_fixture
from practices.enums import Role, Status
from practices.models import City, Indicator, PendingImport, Practice, PracticeEvent
from reviews.models import Review, Score
from tests.factories import BatchFactory, CityFactory, CriterionFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("role", [Role.CITY_OFFICIAL, Role.REVIEWER, None])
def test_only_the_coordinator_composes(client, db, role):
    batch = BatchFactory(year=2026, sequence=1)
    if role:
        client.force_login(UserFactory(role=role, city=CityFactory() if role == Role.CITY_OFFICIAL else None))
        expected = 404
    else:
        expected = 302
    assert client.get("/review/batches/").status_code == expected
    assert client.get(f"/review/batches/{batch.pk}/").status_code == expected
    assert client.post(f"/review/batches/{batch.pk}/", {"action": "publish"}).status_code == expected
    assert Batch.objects.get(pk=batch.pk).status == BatchStatus.DRAFT


def test_compose_and_publish_through_the_pages(client, pool, coordinator):
    client.force_login(coordinator)
    response = client.post("/review/batches/", {"year": "2026"})
    batch = Batch.objects.get()
    assert response.url == f"/review/batches/{batch.pk}/"
    client.post(f"/review/batches/{batch.pk}/", {"action": "add", "practice": [p.pk for p in pool]})
    preview = client.get(f"/review/batches/{batch.pk}/preview/").content.decode()
    assert "预览" in preview and pool[0].title in preview
    client.post(f"/review/batches/{batch.pk}/", {"action": "text", "title": "2026年第一批典型做法", "lead": "导语。"})
    response = client.post(f"/review/batches/{batch.pk}/", {"action": "publish"})
    assert response.url == f"/batches/2026/{batch.sequence}/"
    html = client.get(response.url).content.decode()
    assert "2026年第一批典型做法" in html and "导语。" in html


def test_a_published_batch_keeps_its_title_lead_and_scopes(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    batches.batch_publish(batch=batch, by=coordinator)
    entry = batch.entries.get()
    client.force_login(coordinator)
    client.post(f"/review/batches/{batch.pk}/", {"action": "text", "title": "改过的标题", "lead": "改过的导语"})
    client.post(f"/review/batches/{batch.pk}/", {"action": "scope", "entry": entry.pk, "scope": "reference"})
    batch.refresh_from_db()
    entry.refresh_from_db()
    assert batch.title != "改过的标题" and batch.lead != "改过的导语" and entry.scope == "replicate"


def test_an_erratum_may_correct_a_published_entrys_scope(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    batches.batch_publish(batch=batch, by=coordinator)
    entry = batch.entries.get()
    client.force_login(coordinator)
    page = f"/review/batches/{batch.pk}/"
    for wrong in ("abc", "", "999999"):
        response = client.post(
            page, {"action": "erratum", "text": "更正", "corrected_entry": wrong, "scope": "reference"}
        )
        assert response.status_code == 302 and not batch.errata.exists()
    client.post(page, {"action": "erratum", "text": "更正", "corrected_entry": entry.pk, "scope": "reference"})
    entry.refresh_from_db()
    assert entry.scope == "reference" and "更正为“参考借鉴”" in batch.errata.get().text


def test_the_lead_and_an_erratum_are_kept_as_plain_text(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    client.force_login(coordinator)
    page = f"/review/batches/{batch.pk}/"
    lead = "\r\n导语第一段。 \r\n\r\n导语第二段。\r\n"
    client.post(page, {"action": "text", "title": " 2026年第一批典型做法\t", "lead": lead})
    batch.refresh_from_db()
    assert (batch.title, batch.lead) == ("2026年第一批典型做法", "导语第一段。\n\n导语第二段。")
    client.post(page, {"action": "publish"})
    client.post(page, {"action": "erratum", "text": "第1项标题有误。\u3000\r\n应为“一网通管”。\r\n"})
    assert batch.errata.get().text == "第1项标题有误。\n应为“一网通管”。"


@pytest.mark.parametrize("wrong", ["abc", "²", "1.5", "-1", "9" * 30, " 1"])
def test_an_id_that_is_no_id_is_refused_with_a_message_and_changes_nothing(client, pool, coordinator, wrong):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:1])
    entries = list(batch.entries.values_list("pk", "number"))
    client.force_login(coordinator)
    page = f"/review/batches/{batch.pk}/"
    for data, message in [
        ({"action": "remove", "entry": wrong}, "该条目已不在此批次中"),
        ({"action": "up", "entry": wrong}, "该条目已不在此批次中"),
        ({"action": "add", "practice": [pool[1].pk, wrong]}, "所选的经验做法无效"),
    ]:
        response = client.post(page, data, follow=True)
        assert response.status_code == 200 and message in response.content.decode(), data
    assert list(batch.entries.values_list("pk", "number")) == entries

    response = client.post("/review/assign/auto/", {"practice": [wrong]}, follow=True)
    assert response.status_code == 200 and "所选的经验做法无效" in response.content.decode()


# ---------------------------------------------------------------------------------------------------------------
# The approved pool with its scores; composing says what it did; preview and publishing say what will happen


@pytest.fixture
def criteria(db):
    return [
        CriterionFactory(name="创新性", weight=30, max_score=10, order=1),
        CriterionFactory(name="实效性", weight=30, max_score=10, order=2),
        CriterionFactory(name="可复制性", weight=25, max_score=10, order=3),
        CriterionFactory(name="示范性", weight=15, max_score=10, order=4),
    ]


def scored(practice, criteria, *reviews, approved_days_ago=0):
    """The practice's round as the province left it: a submitted review per list of scores (by reviewers named
    评审1, 评审2 …), then its approval `approved_days_ago` days ago."""
    for n, values in enumerate(reviews, start=1):
        reviewer = UserFactory(username=f"r{practice.pk}-{n}", first_name=f"评审{n}", role=Role.REVIEWER)
        review = Review.objects.create(
            practice=practice, round=practice.round, reviewer=reviewer, recommendation="approve", submitted_at=now()
        )
        for criterion, value in zip(criteria, values, strict=True):
            Score.objects.create(
                review=review, criterion=criterion, value=value, weight=criterion.weight, max_score=criterion.max_score
            )
    event = PracticeEvent.objects.create(practice=practice, from_status=Status.IN_REVIEW, to_status=Status.APPROVED)
    PracticeEvent.objects.filter(pk=event.pk).update(created_at=now() - datetime.timedelta(days=approved_days_ago))
    return practice


def pool_row(html, practice):
    return html.split(f"选择 {practice.title}")[1].split("</tr>")[0]


def test_the_pool_shows_each_practices_average_and_number_of_reviews(client, pool, coordinator, criteria):
    # 10/10·30 + 8/10·30 + 8/10·25 + 6/10·15 = 30 + 24 + 20 + 9 = 83; 7/10·100 = 70; their mean 76.5
    scored(pool[0], criteria, [10, 8, 8, 6], [7, 7, 7, 7], approved_days_ago=9)
    batch = batches.batch_create(year=2026)
    client.force_login(coordinator)
    html = client.get(f"/review/batches/{batch.pk}/").content.decode()
    row = pool_row(html, pool[0])
    assert 'data-label="加权平均分">76.5</td>' in row and 'data-label="评审数">2</td>' in row and "9 天" in row
    unscored = pool_row(html, pool[1])
    assert 'data-label="加权平均分">—</td>' in unscored and 'data-label="评审数">0</td>' in unscored


def export_pool(client):
    response = client.get("/review/batches/pool.xlsx")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[2]]
    return [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=3)]


def test_the_pool_exports_with_scores_and_days_since_approval(client, pool, coordinator, criteria):
    scored(pool[3], criteria, [10, 8, 8, 6], [7, 7, 7, 7], approved_days_ago=9)
    pool[2].title = "=1+1"
    pool[2].save()
    client.force_login(coordinator)
    rows = export_pool(client)
    assert [row["标题"] for row in rows] == [p.title for p in approved_pool()]  # the pool's own order
    row = next(row for row in rows if row["标题"] == pool[3].title)
    assert (row["城市"], row["指标"], row["轮次"]) == ("西安市", "开办企业", 1)
    approved = PracticeEvent.objects.get(practice=pool[3], to_status=Status.APPROVED).created_at
    assert abs(row["通过时间"] - timezone.localtime(approved).replace(tzinfo=None)) < datetime.timedelta(seconds=1)
    assert (row["已等待天数"], row["评审数"], row["加权总分均值"]) == (9, 2, 76.5)
    assert row["评审员及加权总分"] == "评审1 83.0；评审2 70.0"
    assert "=1+1" in [row["标题"] for row in rows]  # text, never a formula


@pytest.mark.parametrize("rows", [1, 3, 30])
def test_the_pool_export_costs_the_same_queries_whatever_its_rows(
    client, coordinator, criteria, django_assert_num_queries, rows
):
    for _ in range(rows):
        scored(PracticeFactory(status=Status.APPROVED), criteria, [8, 8, 8, 8], [6, 6, 6, 6])
    client.force_login(coordinator)
    # session, user, groups, the pool, its reviews, their scores
    with django_assert_num_queries(6):
        response = client.get("/review/batches/pool.xlsx")
    assert len(list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3))) == rows


@pytest.mark.parametrize("rows", [1, 3, 30])
def test_the_compose_page_costs_the_same_queries_whatever_its_pool(
    client, coordinator, criteria, django_assert_num_queries, rows
):
    practices = [scored(PracticeFactory(status=Status.APPROVED), criteria, [8, 8, 8, 8]) for _ in range(rows + 1)]
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=practices[:1])
    client.force_login(coordinator)
    # session, user, groups, the batch, its entries, the pool, its reviews, their scores, the lead's entries, the
    # active cities (who will owe reports), unread notifications, errata
    with django_assert_num_queries(12):
        client.get(f"/review/batches/{batch.pk}/")


def message(response) -> str:
    return " ".join(str(m) for m in response.context["messages"])


def test_adding_removing_and_moving_say_what_was_done(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    client.force_login(coordinator)
    page = f"/review/batches/{batch.pk}/"
    response = client.post(page, {"action": "add", "practice": [pool[0].pk]}, follow=True)
    assert message(response) == f"已将《{pool[0].title}》加入“{batch.title}”第1项。"
    # 开办企业 comes before 纳税: the two added go first, in the order given.
    response = client.post(page, {"action": "add", "practice": [pool[4].pk, pool[1].pk]}, follow=True)
    assert message(response) == (f"已将 2 项加入“{batch.title}”：《{pool[4].title}》第1项、《{pool[1].title}》第2项。")
    second = batch.entries.get(practice=pool[1])
    response = client.post(page, {"action": "up", "entry": second.pk}, follow=True)
    assert message(response) == f"已将《{pool[1].title}》移至第1项。"
    response = client.post(page, {"action": "up", "entry": second.pk}, follow=True)
    assert message(response) == f"《{pool[1].title}》已是本指标下的第一项，不能再上移。"
    response = client.post(page, {"action": "scope", "entry": second.pk, "scope": "reference"}, follow=True)
    assert message(response) == f"已将第1项《{pool[1].title}》的推广范围改为“参考借鉴”。"
    response = client.post(page, {"action": "remove", "entry": second.pk}, follow=True)
    assert message(response) == f"已将《{pool[1].title}》移出本批次，退回待发布库；其余条目已重新编号。"
    assert list(batch.entries.order_by("number").values_list("practice", "number")) == [
        (pool[4].pk, 1),
        (pool[0].pk, 2),
    ]
    response = client.post(page, {"action": "text", "title": batch.title, "lead": ""}, follow=True)
    assert message(response) == "标题已保存；导语为空，将按各市条目数自动生成。"


def test_a_drafts_preview_links_into_the_workbench_never_to_public_pages(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=pool[:2])
    client.force_login(coordinator)
    html = client.get(f"/review/batches/{batch.pk}/preview/").content.decode()
    for practice in pool[:2]:
        assert f'href="/review/practices/{practice.pk}/"' in html
        assert f'href="/practices/{practice.pk}/"' not in html
        assert client.get(f"/practices/{practice.pk}/").status_code == 404  # what the public link would have been


def test_an_empty_batch_cannot_be_published_and_says_why(client, coordinator):
    batch = batches.batch_create(year=2026)
    client.force_login(coordinator)
    html = client.get(f"/review/batches/{batch.pk}/").content.decode()
    button = re.search(r'<button type="submit" name="action" value="publish"([^>]*)>', html).group(1)
    assert "disabled" in button and "data-confirm" not in button
    assert "本批次还没有条目，不能发布" in html


def test_publishing_asks_saying_how_many_entries_and_who_will_owe_reports(client, pool, coordinator):
    batch = batches.batch_create(year=2026)
    batches.batch_add(batch=batch, practices=[pool[0], pool[3]])  # 西安's, 全省复制推广
    batches.batch_add(batch=batch, practices=[pool[1]], scope=EntryScope.REFERENCE)  # 汉中's
    client.force_login(coordinator)
    html = client.get(f"/review/batches/{batch.pk}/").content.decode()
    button = re.search(r'<button type="submit" name="action" value="publish"([^>]*)>', html).group(1)
    assert "disabled" not in button
    assert "本批共 3 项（全省复制推广 2 项，参考借鉴 1 项）" in button
    # Three active cities; 西安's two entries are owed by the other two: 汉中 and 安康, two reports each.
    assert "2 个市（区）将承担全省复制推广任务，共 4 条" in button
    client.post(f"/review/batches/{batch.pk}/", {"action": "publish"})
    owed = Adoption.objects.filter(practice__batch_entry__batch=batch, owed=True)
    assert owed.count() == 4 and owed.values("city").distinct().count() == 2


# ---------------------------------------------------------------------------------------------------------------
# Importing an announcement in the browser: /review/batches/import/

BULLETINS = settings.BASE_DIR / "fixtures" / "bulletins"
IMPORT = "/review/batches/import/"


@pytest.fixture
def importer(client, coordinator):
    for name in ("cities", "indicators"):
        ensure_fixture(name)
    client.force_login(coordinator)
    return client


def upload(client, name: str, data: bytes, **fields):
    form = {"year": "2023", "sequence": "1", **fields}
    return client.post(IMPORT, {**form, "file": SimpleUploadedFile(name, data)})


def fixture_upload(client, name: str, **fields):
    return upload(client, name, (BULLETINS / name).read_bytes(), **fields)


def confirmation(response) -> dict:
    """The confirmation form as the preview filled it in: hidden fields, the batch's number, every item as read."""
    form = response.context["preview"].form
    data = {name: form[name].value() for name in ("token", "sha256", "year", "sequence")}
    data.update({name: "on" for name in ("publish", "replace") if form[name].value()})
    return data


def items_by_number(batch):
    return {e.number: e for e in batch.entries.select_related("practice__city", "practice__indicator")}


def test_the_batches_page_links_to_the_import(importer):
    html = importer.get("/review/batches/").content.decode()
    assert f'href="{IMPORT}"' in html
    page = importer.get(IMPORT).content.decode()
    assert 'type="file"' in page and 'name="sequence"' in page and 'name="publish"' in page


def test_the_preview_shows_every_item_and_warning_and_writes_nothing(importer):
    response = fixture_upload(importer, "shaanxi-2024-2-table.txt", year="2024", sequence="2")
    html = response.content.decode()
    assert response.status_code == 200 and Batch.objects.count() == 0
    for shown in ("陕西省第二批优化营商环境改革举措清单", "陕营商办函〔2024〕12号", "2024年4月18日", "读到 6 项"):
        assert shown in html
    assert "宝鸡市推行工程建设项目审批“拿地即开工”" in html and "省住房城乡建设厅" in html and "参考借鉴" in html
    assert "建议：开办企业（待确认）" in html and "建议</span>" in html and "按原文：获得电力" in html
    assert "未知指标“提升政务服务效能方面”" in html  # a warning, with its line
    assert PendingImport.objects.get().name == "shaanxi-2024-2-table.txt"


def test_the_coordinator_corrects_a_city_and_an_indicator_and_publishes(importer):
    response = fixture_upload(importer, "shaanxi-2023-1.docx", publish="on")
    hanzhong, tax = City.objects.get(name="汉中市"), Indicator.objects.get(name="纳税")
    response = importer.post(IMPORT, {**confirmation(response), "city_2": hanzhong.pk, "indicator_1": tax.pk})
    batch = Batch.objects.get()
    assert response.url == "/batches/2023/1/" and batch.status == BatchStatus.PUBLISHED
    entries = items_by_number(batch)
    assert (entries[2].practice.city, entries[2].city_name) == (hanzhong, "汉中市")
    assert (entries[1].practice.indicator, entries[1].indicator_name) == (tax, "纳税")
    assert entries[3].city_name == "榆林市" and entries[3].indicator_name == "获得电力"  # as read
    assert (batch.issuer, batch.document_number) == ("陕西省优化营商环境工作领导小组办公室", "陕营商办发〔2023〕3号")
    assert batch.published_by.username == "coordinator" and not PendingImport.objects.exists()
    assert "已导入“2023年第一批优化营商环境典型经验做法”，共 7 项。" in importer.get(response.url).content.decode()


def test_a_draft_goes_to_its_compose_page_and_choosing_a_suggested_indicator_confirms_it(importer):
    response = fixture_upload(importer, "shaanxi-2024-2-table.txt", year="2024", sequence="2")
    start = Indicator.objects.get(name="开办企业")
    response = importer.post(IMPORT, {**confirmation(response), "indicator_1": start.pk})
    batch = Batch.objects.get()
    assert response.url == f"/review/batches/{batch.pk}/" and batch.status == BatchStatus.DRAFT
    entries = items_by_number(batch)
    # Chosen, the indicator heads the item in the announcement; left as suggested, it classifies the practice only
    # and the item keeps the document's own heading.
    assert (entries[1].indicator_name, entries[1].practice.indicator, entries[1].indicator_suggested) == (
        "开办企业",
        start,
        False,
    )
    assert (entries[2].practice.indicator.name, entries[2].indicator_suggested) == ("办理建筑许可", True)
    assert entries[2].indicator_name == "提升政务服务效能方面"


def test_the_compose_page_confirms_a_suggestion_and_publishing_keeps_the_documents_headings(importer):
    """Imported as a draft, a suggested indicator is confirmed (or changed) on the compose page; publishing freezes
    the headings the import wrote, not the practices' suggested indicators."""
    response = fixture_upload(importer, "shaanxi-2024-2-table.txt", year="2024", sequence="2")
    importer.post(IMPORT, confirmation(response))
    batch = Batch.objects.get()
    suggested = {e.number: e for e in batch.entries.filter(indicator_suggested=True)}
    assert {1, 2, 3} <= set(suggested)
    html = importer.get(f"/review/batches/{batch.pk}/").content.decode()
    assert html.count('name="action" value="indicator"') == len(suggested)
    tax = Indicator.objects.get(name="纳税")
    page = f"/review/batches/{batch.pk}/"
    response = importer.post(page, {"action": "indicator", "entry": suggested[2].pk, "indicator": tax.pk})
    assert response.status_code == 302
    changed = BatchEntry.objects.select_related("practice__indicator").get(pk=suggested[2].pk)
    assert (changed.indicator_suggested, changed.indicator_name, changed.practice.indicator) == (False, "纳税", tax)
    assert changed.history.count() == 2 and changed.practice.history.first().indicator_id == tax.pk
    # Wrong input: an indicator that does not exist, an entry of no batch. Nothing changes.
    for data in ({"entry": suggested[3].pk, "indicator": "999999"}, {"entry": "abc", "indicator": tax.pk}):
        response = importer.post(page, {"action": "indicator", **data}, follow=True)
        assert response.status_code == 200 and "请刷新后重试" in response.content.decode()
    assert BatchEntry.objects.get(pk=suggested[3].pk).indicator_suggested
    importer.post(page, {"action": "publish"})
    entries = items_by_number(Batch.objects.get())
    assert entries[2].indicator_name == "纳税"  # chosen
    assert entries[1].indicator_name == entries[3].indicator_name == "提升政务服务效能方面"  # as the document has it
    assert entries[1].practice.indicator.name == "开办企业"  # classified by the suggestion all the same


def test_an_item_without_a_city_blocks_the_confirmation_until_one_is_chosen(importer):
    text = "2023年第一批典型经验做法\n1、西安市推行一网通办。正文。\n2、推行“最多跑一次”改革。正文。\n"
    response = upload(importer, "公告.txt", text.encode())
    assert "第2项“推行“最多跑一次”改革”未能识别城市，无法写入" in response.content.decode()
    data = confirmation(response)
    response = importer.post(IMPORT, data)
    html = response.content.decode()
    assert response.status_code == 200 and "有 1 项无法写入" in html and "未能识别城市，无法写入" in html
    assert Batch.objects.count() == 0 and PendingImport.objects.exists()
    response = importer.post(IMPORT, {**data, "city_2": City.objects.get(name="汉中市").pk})
    assert Batch.objects.get().entries.get(number=2).city_name == "汉中市"


def test_the_year_and_sequence_are_corrected_at_the_confirmation(importer):
    response = fixture_upload(importer, "shaanxi-2023-1.docx")
    data = confirmation(response)
    response = importer.post(IMPORT, {**data, "year": "abc"})
    assert "年份应为四位数字" in response.content.decode() and Batch.objects.count() == 0
    importer.post(IMPORT, {**data, "year": "2024", "sequence": "3"})
    assert Batch.objects.get().label == "2024年第三批"


def test_a_second_confirmation_writes_nothing_more(importer):
    data = confirmation(fixture_upload(importer, "shaanxi-2023-1.docx"))
    importer.post(IMPORT, data)
    response = importer.post(IMPORT, data)
    assert response.url == IMPORT and Batch.objects.count() == 1 and Practice.objects.count() == 7
    assert "这次预览已失效" in importer.get(IMPORT).content.decode()


def test_a_preview_replaced_by_a_later_upload_is_stale(importer):
    stale = confirmation(fixture_upload(importer, "shaanxi-2023-1.docx"))
    fixture_upload(importer, "shaanxi-2023-1.txt")
    response = importer.post(IMPORT, stale)
    assert response.url == IMPORT and Batch.objects.count() == 0
    assert "这次预览已失效" in importer.get(IMPORT).content.decode()


def test_an_expired_preview_writes_nothing(importer):
    data = confirmation(fixture_upload(importer, "shaanxi-2023-1.docx"))
    PendingImport.objects.update(created_at=timezone.now() - datetime.timedelta(hours=3))
    response = importer.post(IMPORT, data)
    assert response.url == IMPORT and Batch.objects.count() == 0 and not PendingImport.objects.exists()
    assert "已过期" in importer.get(IMPORT).content.decode()


def test_a_changed_file_writes_nothing(importer):
    data = confirmation(fixture_upload(importer, "shaanxi-2023-1.docx"))
    PendingImport.objects.update(content=(BULLETINS / "shaanxi-2023-1.txt").read_bytes())
    response = importer.post(IMPORT, data)
    assert response.url == IMPORT and Batch.objects.count() == 0
    assert "文件与预览时的不一致" in importer.get(IMPORT).content.decode()


def test_the_same_file_again_is_refused_at_the_confirmation_and_the_upload_still_waits(importer):
    importer.post(IMPORT, confirmation(fixture_upload(importer, "shaanxi-2023-1.docx")))
    response = fixture_upload(importer, "shaanxi-2023-1.docx", sequence="2")
    assert "此文件已导入为2023年第一批" in response.content.decode()  # said in the preview
    response = importer.post(IMPORT, confirmation(response))
    assert "此文件已导入为2023年第一批" in response.content.decode() and Batch.objects.count() == 1
    assert PendingImport.objects.count() == 1


def test_the_confirmation_needs_the_csrf_token(coordinator):
    for name in ("cities", "indicators"):
        ensure_fixture(name)
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post(IMPORT, {"year": "2023", "sequence": "1", "file": SimpleUploadedFile("a.txt", b"x")})
    assert response.status_code == 403 and not PendingImport.objects.exists()


def blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def word_without_items() -> bytes:
    document = docx.Document()
    document.add_paragraph("关于优化营商环境的通知")
    document.add_paragraph("各市（区）人民政府：请认真贯彻落实。")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


TABLE_WITHOUT_TITLES = "<table><tr><td>序号</td><td>主要内容</td><td>推广范围</td></tr></table>".encode()


@pytest.mark.parametrize(
    "name, data, fields, message",
    [
        ("空.txt", b"", {}, "文件是空的"),
        ("乱码.bin", bytes(range(256)) * 8, {}, "不是纯文本"),
        ("扫描件.pdf", blank_pdf(), {}, "扫描图片"),
        ("通知.docx", word_without_items(), {}, "没有找到编号条目"),
        ("表格.html", TABLE_WITHOUT_TITLES, {}, "表格缺少标题列"),
        ("公告.docx", (BULLETINS / "shaanxi-2023-1.docx").read_bytes(), {"year": "abc"}, "年份应为四位数字"),
        ("公告.docx", (BULLETINS / "shaanxi-2023-1.docx").read_bytes(), {"year": "1800"}, "年份应在 2000 至 2100 之间"),
        ("公告.docx", (BULLETINS / "shaanxi-2023-1.docx").read_bytes(), {"sequence": "第二"}, "批次序号应为正整数"),
    ],
)
def test_a_file_or_number_that_cannot_be_imported_is_said_and_nothing_is_written(importer, name, data, fields, message):
    response = upload(importer, name, data, **fields)
    assert response.status_code == 200 and message in response.content.decode()
    assert Batch.objects.count() == 0 and not PendingImport.objects.exists()


def test_a_file_over_20_mb_is_refused_unread(importer):
    response = upload(importer, "公告.txt", b"1" * (20 * 1024 * 1024 + 1))
    assert "文件超过 20 MB，不像是一份公告，未读取。" in response.content.decode()
    assert Batch.objects.count() == 0 and not PendingImport.objects.exists()


def test_a_21_mb_upload_is_refused_before_it_is_received(importer):
    response = upload(importer, "公告.docx", b"\0" * (21 * 1024 * 1024))
    assert response.status_code == 413 and "本次提交未被接收" in response.content.decode()
    assert Batch.objects.count() == 0 and not PendingImport.objects.exists()
