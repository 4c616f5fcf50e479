"""The draft spreadsheet, under the views: every row checked before any is written, all written at once with their
history, indexed once the response has been sent (never lost), and what that costs the database whatever the number
of rows."""

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from practices import search
from practices.enums import Status
from practices.imports import COLUMNS, import_drafts, read_table
from practices.models import PendingImport, Practice, SearchPending
from tests.factories import IndicatorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def indicator(db):
    return IndicatorFactory(name="开办企业")


def table(rows: int, overrides: dict[int, dict] | None = None):
    data = tablib.Dataset(headers=list(COLUMNS.values()))
    for n in range(rows):
        row = {"title": f"西安市推行企业开办“一日办结”{n}", "indicator": "开办企业", "body": "一表填报，一窗领取。"}
        row |= (overrides or {}).get(n, {})
        data.append([row.get(key, "") for key in COLUMNS])
    return read_table(name="草稿.xlsx", content=data.export("xlsx"))


def queries(call) -> int:
    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured)


@pytest.mark.parametrize("dry_run", [True, False])
def test_an_import_costs_the_same_queries_whatever_its_rows(xian, xian_official, indicator, dry_run):
    def cost(rows: int) -> int:
        return queries(lambda: import_drafts(table=table(rows), city=xian, by=xian_official, dry_run=dry_run))

    counts = [cost(1), cost(30)]
    assert counts[0] == counts[1]
    assert Practice.objects.count() == (0 if dry_run else 31)


def test_each_draft_written_has_its_history_and_is_found_by_search(
    xian, xian_official, indicator, django_capture_on_commit_callbacks
):
    # Committed outside a request (a command, the shell): indexed at once.
    with django_capture_on_commit_callbacks(execute=True):
        preview = import_drafts(table=table(3), city=xian, by=xian_official, dry_run=False)
    practices = list(Practice.objects.order_by("pk"))
    assert preview.created == 3
    assert [p.title for p in practices] == [f"西安市推行企业开办“一日办结”{n}" for n in range(3)]
    assert {(p.status, p.city, p.created_by, p.updated_by) for p in practices} == {
        (Status.DRAFT, xian, xian_official, xian_official)
    }
    history = Practice.history.order_by("id")
    assert [(h.id, h.history_type, h.history_user) for h in history] == [(p.pk, "+", xian_official) for p in practices]
    found = search.search(Practice.objects.all(), "一日办结")
    assert sorted(p.pk for p in found[: len(found)]) == [p.pk for p in practices]
    assert not SearchPending.objects.exists()


def test_an_error_in_the_last_row_writes_no_row_history_nor_index(
    xian, xian_official, indicator, django_capture_on_commit_callbacks
):
    bad = table(5, {4: {"indicator": "不存在的指标"}})
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        preview = import_drafts(table=bad, city=xian, by=xian_official, dry_run=False)
    assert [(e.row, e.column, e.message) for e in preview.errors] == [(6, "指标", "未知的指标“不存在的指标”。")]
    assert preview.created == 0
    assert not Practice.objects.exists() and not Practice.history.exists()
    assert len(search.search(Practice.objects.all(), "一日办结")) == 0
    assert callbacks == [] and not SearchPending.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_drafts_imported_through_the_page_are_found_once_it_has_answered(client, xian, xian_official, indicator):
    """Committed for real, as in production: the index is written after the response, and nothing is left pending."""
    client.force_login(xian_official)
    content = table(3).data.export("xlsx")
    client.post("/city/import/", {"file": SimpleUploadedFile("草稿.xlsx", content)})
    response = client.post("/city/import/", {"confirm": "1", "token": PendingImport.objects.get().token})
    assert response.status_code == 302
    drafts = sorted(Practice.objects.values_list("pk", flat=True))
    assert len(drafts) == 3
    found = search.search(Practice.objects.all(), "一日办结")
    assert sorted(p.pk for p in found[: len(found)]) == drafts
    assert not SearchPending.objects.exists()


def test_a_null_character_is_an_error_in_its_cell_on_every_database(xian, xian_official, indicator):
    data = tablib.Dataset(headers=list(COLUMNS.values()))
    data.append(["西安市推行“拿地即开工”", "开办企业", "", "", "第一段\x00第二段", "", "", ""])
    csv = read_table(name="草稿.csv", content=data.export("csv").encode())
    preview = import_drafts(table=csv, city=xian, by=xian_official, dry_run=True)
    assert [(e.row, e.column) for e in preview.errors] == [(2, "正文")]
