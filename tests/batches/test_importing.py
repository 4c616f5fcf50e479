"""import_bulletin end to end: files on disk, the command, the database."""

import datetime
import datetime as _dt
import hashlib
import io
import json

import docx
import pypdf
import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption
from adoptions.services import report
from batches.bulletin import BulletinError
from batches.enums import BatchStatus, EntryScope
from batches.importing import MAX_BYTES, Correction, import_bulletin
from batches.models import Batch, BatchEntry
from bizenv.fixtures import ensure_fixture
from practices import regions, search
from practices.enums import Source, Status
from practices.models import City, Indicator, Practice, PracticeEvent
from practices.search import postgres
from practices.services import outside_city
from tests.batches.test_bulletin import DAMAGED_ITEMS, NO_HEADINGS, SECTIONS, SEED
from tests.factories import PracticeFactory
from tests.processes import manage

TODAY = _dt.date(2024, 5, 1)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def reference_data(db):
    for name in ("cities", "indicators"):
        ensure_fixture(name)


def run(*args) -> str:
    out = io.StringIO()
    call_command("import_bulletin", *map(str, args), stdout=out)
    return out.getvalue()


def write(tmp_path, text: str, encoding="utf-8", name="bulletin.txt"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def counts():
    return Batch.objects.count(), BatchEntry.objects.count(), Practice.objects.count(), PracticeEvent.objects.count()


def test_seed_is_written_as_a_published_batch():
    run(SEED, "--year", 2022, "--sequence", 2, "--publish")
    batch = Batch.objects.get(year=2022, sequence=2)
    entries = list(batch.entries.select_related("practice__city", "practice__indicator"))
    assert batch.status == BatchStatus.PUBLISHED and batch.source_name == SEED.name
    assert batch.source_text.startswith("近日,陜西省委")
    assert [e.number for e in entries] == list(range(1, 22))
    for entry in entries:
        practice = entry.practice
        assert (practice.status, practice.source) == (Status.PUBLISHED, Source.IMPORT)
        assert (entry.title, entry.city_name, entry.indicator_name) == (
            practice.title,
            practice.city.name,
            practice.indicator.name,
        )
        assert entry.body == practice.body and practice.body
        assert practice.events.get().to_status == Status.PUBLISHED
    assert entries[2].original_title.startswith("渭南市探索推行企業開辦")
    assert [w["code"] for w in entries[2].warnings] == ["damaged_text"]
    assert {w["code"] for w in batch.import_warnings} == {"glued_heading", "truncated", "count_mismatch"}
    # What the public is told: 36 announced (21 here); no date of its own, whatever day it was imported; which
    # items kept damage that could not be repaired.
    assert (batch.announced_total, batch.announced_on) == (36, None)
    assert {e.number for e in entries if e.garbled} == DAMAGED_ITEMS


def test_the_import_indexes_each_item_once_and_the_public_finds_them():
    with CaptureQueriesContext(connection) as queries:
        run(SEED, "--year", 2022, "--sequence", 2, "--publish")
    index_writes = [q["sql"] for q in queries if "INSERT INTO practices_searchindex" in q["sql"]]
    index_writes += [q["sql"] for q in queries if f"{postgres.WRITE_FUNCTION}(" in q["sql"]]
    assert len(index_writes) == 1  # one write for the 21 items: not one after each practice and each entry
    entry = BatchEntry.objects.get(number=3)
    found = search.search(BatchEntry.objects.all(), entry.title, "practice", [search.PUBLISHED])
    assert entry in list(found[0:20])


def test_without_publish_the_batch_is_a_draft_of_approved_practices(tmp_path):
    run(write(tmp_path, SECTIONS), "--year", 2023, "--sequence", 3)
    batch = Batch.objects.get()
    assert batch.status == BatchStatus.DRAFT and batch.published_at is None
    assert batch.title == "关于推广第三批优化营商环境典型案例的通知"
    assert set(Practice.objects.values_list("status", flat=True)) == {Status.APPROVED}


def test_publication_date(tmp_path):
    out = run(write(tmp_path, NO_HEADINGS), "--year", 2021, "--sequence", 1, "--publish", "--date", "2021-06-30")
    batch = Batch.objects.get()
    published = timezone.localtime(batch.published_at)
    assert (published.date(), published.hour) == (datetime.date(2021, 6, 30), 0)
    assert str(published.tzinfo) == "Asia/Shanghai"
    assert batch.announced_on == datetime.date(2021, 6, 30) and "发布日期：2021-06-30（--date）" in out


SIGNED = NO_HEADINGS + "陕西省营商办\n二〇二一年七月一日\n"


def test_the_date_the_announcement_bears_is_its_date_unless_one_is_given(tmp_path):
    out = run(write(tmp_path, SIGNED), "--year", 2021, "--sequence", 1, "--publish")
    batch = Batch.objects.get()
    assert batch.announced_on == datetime.date(2021, 7, 1) and "发布日期：2021-07-01（原文所署）" in out
    assert timezone.localtime(batch.published_at).date() == datetime.date(2021, 7, 1)
    run(write(tmp_path, SIGNED), "--year", 2021, "--sequence", 1, "--publish", "--replace", "--date", "2021-06-30")
    assert Batch.objects.get().announced_on == datetime.date(2021, 6, 30)
    # A draft keeps the date it bears for when it is published (the same text, saved in another encoding: another file).
    run(write(tmp_path, SIGNED, "gb18030"), "--year", 2021, "--sequence", 2)
    draft = Batch.objects.get(sequence=2)
    assert (draft.announced_on, draft.published_at) == (datetime.date(2021, 7, 1), None)


def test_an_undated_announcement_is_published_without_a_date_and_the_summary_says_so(tmp_path):
    out = run(write(tmp_path, NO_HEADINGS), "--year", 2021, "--sequence", 1, "--publish")
    batch = Batch.objects.get()
    assert batch.published_at is not None and batch.announced_on is None
    assert "原文未注明日期：可用 --date 指定" in out
    data = json.loads(run(SEED, "--year", 2022, "--sequence", 2, "--dry-run", "--json"))
    assert (data["date"], data["announced_total"]) == (None, 36)


def test_title_option_and_default_title(tmp_path):
    run(
        write(tmp_path, "1、西安市推行一网通办。正文。\n"),
        "--year",
        2024,
        "--sequence",
        1,
        "--title",
        "2024年首批典型做法",
    )
    run(write(tmp_path, "1、汉中市推行好差评。正文。\n"), "--year", 2024, "--sequence", 12)
    assert list(Batch.objects.order_by("sequence").values_list("title", flat=True)) == [
        "2024年首批典型做法",
        "2024年第十二批优化营商环境典型经验做法",
    ]


def test_dry_run_json_writes_nothing():
    out = run(SEED, "--year", 2022, "--sequence", 2, "--dry-run", "--json")
    data = json.loads(out)
    assert counts() == (0, 0, 0, 0)
    assert {"title", "year", "sequence", "lead", "declared_total", "items", "warnings"} <= set(data)
    assert (data["year"], data["sequence"], data["declared_total"], len(data["items"])) == (2022, 2, 36, 21)
    assert data["title"] == "2022年第二批优化营商环境典型经验做法"
    first = data["items"][0]
    assert {"number", "title", "city", "indicator", "paragraphs", "warnings"} <= set(first)
    assert first["city"] == "西安市"


def test_summary_names_every_warning_with_its_line():
    out = run(SEED, "--year", 2022, "--sequence", 2, "--dry-run")
    assert "声明 36 项，读到 21 项" in out
    assert "第20行 第3项：疑似乱码" in out and "第55行：指标标题“获得用水用气”" in out
    assert "试运行：未写入任何数据。" in out


def test_a_second_import_of_the_same_batch_is_refused():
    run(SEED, "--year", 2022, "--sequence", 2, "--publish")
    before = counts()
    with pytest.raises(CommandError, match=r"2022年第二批已存在.*--replace"):
        run(SEED, "--year", 2022, "--sequence", 2, "--publish")
    assert counts() == before


def test_a_dry_run_says_when_the_batch_exists_already():
    run(SEED, "--year", 2022, "--sequence", 2)
    data = json.loads(run(SEED, "--year", 2022, "--sequence", 2, "--dry-run", "--json"))
    assert "batch_exists" in [w["code"] for w in data["warnings"]]


def test_replace_imports_again():
    run(SEED, "--year", 2022, "--sequence", 2)
    first_ids = set(Practice.objects.values_list("pk", flat=True))
    run(SEED, "--year", 2022, "--sequence", 2, "--publish", "--replace")
    assert Batch.objects.get().status == BatchStatus.PUBLISHED
    assert Practice.objects.count() == len(first_ids)
    assert not first_ids & set(Practice.objects.values_list("pk", flat=True))


def test_replace_never_deletes_practices_that_cities_submitted():
    run(SEED, "--year", 2022, "--sequence", 2)
    entry = BatchEntry.objects.first()
    entry.practice.source = Source.PORTAL
    entry.practice.save()
    before = counts()
    with pytest.raises(CommandError, match="通过系统填报"):
        run(SEED, "--year", 2022, "--sequence", 2, "--replace")
    assert counts() == before


def test_replace_drops_what_cities_owe_but_have_not_touched():
    """Publishing made every other active city owe each item; nobody has reported yet: the batch is replaced."""
    run(SEED, "--year", 2022, "--sequence", 2, "--publish")
    owed = Adoption.objects.count()
    assert owed == sum(
        City.objects.filter(active=True).exclude(pk=e.practice.city_id).count() for e in BatchEntry.objects.all()
    )
    run(SEED, "--year", 2022, "--sequence", 2, "--publish", "--replace")
    assert (
        Adoption.objects.count() == owed and not Adoption.objects.exclude(practice__batch_entry__isnull=False).exists()
    )


def test_replace_never_deletes_practices_that_other_cities_adopted():
    """What an app above keeps of a practice (a city's 复制推广) protects it: the batch stays as it was."""
    run(SEED, "--year", 2022, "--sequence", 2, "--publish")
    practice = BatchEntry.objects.first().practice
    other_city = City.objects.exclude(pk=practice.city_id).first()
    row = Adoption.objects.get(practice=practice, city=other_city)  # owed since the batch was published
    report(
        adoption=row,
        by=None,
        status=AdoptionStatus.ADOPTED,
        seen_version=row.version,
        adopted_on=TODAY,
        result="已复制",
    )
    before = counts()
    with pytest.raises(CommandError, match="被引用（复制推广）"):
        run(SEED, "--year", 2022, "--sequence", 2, "--publish", "--replace")
    assert counts() == before and Practice.objects.filter(pk=practice.pk).exists()


def test_an_item_that_fails_validation_leaves_the_database_untouched(tmp_path):
    PracticeFactory()
    before = counts()
    too_long = "西安市" + "推行" * 120
    path = write(tmp_path, f"1、西安市推行一网通办。正文。\n2、{too_long}。正文。\n")
    with pytest.raises(CommandError, match="第2行"):
        run(path, "--year", 2022, "--sequence", 5, "--publish")
    assert counts() == before


def test_unknown_city_reads_in_a_dry_run_but_is_not_written(tmp_path):
    path = write(tmp_path, "1、西安市推行一网通办。正文。\n2、某市推行“最多跑一次”。正文。\n")
    data = json.loads(run(path, "--year", 2022, "--sequence", 5, "--dry-run", "--json"))
    assert [item["city"] for item in data["items"]] == ["西安市", None]
    with pytest.raises(CommandError, match="第2行：第2项“某市推行“最多跑一次””未能识别城市"):
        run(path, "--year", 2022, "--sequence", 5)
    assert counts() == (0, 0, 0, 0)


def test_repeated_numbers_cannot_be_written(tmp_path):
    path = write(tmp_path, "1、西安市推行一网通办。正文。\n1、汉中市推行好差评。正文。\n")
    with pytest.raises(CommandError, match="第2行：序号 1 与第1行重复"):
        run(path, "--year", 2022, "--sequence", 5)
    assert counts() == (0, 0, 0, 0)


@pytest.mark.parametrize("encoding", ["gb18030", "big5"])
def test_legacy_encodings_from_files(tmp_path, encoding):
    text = "2021年第一批典型經驗做法\n1、西安市推行“拿地即開工”。西安市對社會投資項目實行告知承諾。\n"
    run(write(tmp_path, text, encoding), "--year", 2021, "--sequence", 1)
    practice = Practice.objects.get()
    assert practice.title == "西安市推行“拿地即开工”"
    assert practice.body == "西安市对社会投资项目实行告知承诺。"
    assert Batch.objects.get().source_encoding == encoding


def test_undecodable_file_is_a_clear_error_and_writes_nothing(tmp_path):
    path = tmp_path / "broken.txt"
    path.write_bytes(b"1\xe3\x80\x81" + b"\xff\xfe" * 50)
    with pytest.raises(CommandError, match="无法识别文件编码"):
        run(path, "--year", 2022, "--sequence", 5)
    assert counts() == (0, 0, 0, 0)


BULLETINS = SEED.parent.parent / "bulletins"


def test_a_word_file_is_written_as_its_text_would_be(tmp_path):
    run(BULLETINS / "shaanxi-2023-1.docx", "--year", 2023, "--sequence", 1, "--publish")
    batch = Batch.objects.get()
    assert (batch.source_name, batch.source_encoding) == ("shaanxi-2023-1.docx", "docx")
    assert batch.source_text.split("\n")[:3] == ["陕营商办发〔2023〕3号", "2023年3月10日", batch.title]
    assert (batch.announced_on, batch.announced_total) == (datetime.date(2023, 3, 10), 7)
    from_word = list(batch.entries.values_list("number", "title", "city_name", "indicator_name", "body"))
    run(BULLETINS / "shaanxi-2023-1.txt", "--year", 2023, "--sequence", 2)
    from_text = Batch.objects.get(sequence=2).entries.values_list(
        "number", "title", "city_name", "indicator_name", "body"
    )
    assert from_word == list(from_text) and len(from_word) == 7


def test_a_web_page_in_a_dry_run(tmp_path):
    data = json.loads(run(BULLETINS / "shaanxi-2023-1.html", "--year", 2023, "--sequence", 1, "--dry-run", "--json"))
    assert (data["encoding"], data["title"], len(data["items"])) == (
        "html/utf-8",
        "2023年第一批优化营商环境典型经验做法",
        7,
    )
    assert counts() == (0, 0, 0, 0)


def word_without_items(path):
    document = docx.Document()
    document.add_paragraph("关于优化营商环境的通知")
    document.add_paragraph("各市（区）人民政府：请认真贯彻落实。")
    document.save(path)
    return path


@pytest.mark.parametrize(
    "name, make, message",
    [
        ("空.txt", lambda path: path.write_bytes(b""), "文件是空的。"),
        ("公告.doc", lambda path: path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)), "另存为 .docx"),
        ("通知.docx", word_without_items, "没有找到编号条目"),
        (
            "表格.html",
            lambda path: path.write_text("<table><tr><td>序号</td><td>主要内容</td><td>推广范围</td></tr></table>"),
            "表格缺少标题列",
        ),
        ("扫描件.pdf", lambda path: path.write_bytes(blank_pdf()), "扫描图片"),
        ("乱码.bin", lambda path: path.write_bytes(bytes(range(256)) * 8), "不是纯文本"),
    ],
)
def test_a_file_that_cannot_be_imported_is_a_clear_error_and_writes_nothing(tmp_path, name, make, message):
    path = tmp_path / name
    make(path)
    with pytest.raises(CommandError, match=message):
        run(path, "--year", 2023, "--sequence", 1)
    assert counts() == (0, 0, 0, 0)


def blank_pdf() -> bytes:
    writer = pypdf.PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_a_file_above_the_size_limit_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "公告.docx"
    with path.open("wb") as file:
        file.truncate(MAX_BYTES + 1)  # sparse: nothing written to disk
    with pytest.raises(CommandError, match="文件超过 20 MB"):
        run(path, "--year", 2023, "--sequence", 1)
    assert counts() == (0, 0, 0, 0)


def test_date_without_publish_is_refused(tmp_path):
    with pytest.raises(CommandError, match="--publish"):
        run(write(tmp_path, NO_HEADINGS), "--year", 2021, "--sequence", 1, "--date", "2021-06-30")


def test_bad_date_and_missing_file(tmp_path):
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        run(write(tmp_path, NO_HEADINGS), "--year", 2021, "--sequence", 1, "--publish", "--date", "2021/06/30")
    with pytest.raises(CommandError, match="找不到文件"):
        run(tmp_path / "missing.txt", "--year", 2021, "--sequence", 1)


def test_exit_codes_and_messages(tmp_path):
    # A process of its own, on a database of its own, as an operator runs it: exit status and stderr.
    env = {"DEBUG": "1", "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}"}
    assert manage(env, "migrate", "-v0").returncode == 0
    missing = manage(env, "import_bulletin", str(tmp_path / "missing.txt"), "--year", "2021", "--sequence", "1")
    assert (missing.returncode, missing.stdout) == (1, "")
    assert "CommandError: 找不到文件" in missing.stderr
    # An item that names no place: the dry run reads and reports, the real run refuses and names the line.
    placeless = write(tmp_path, "2022年第二批典型经验做法\n\n\n1、全面推行一网通办。正文。\n")
    dry = manage(env, "import_bulletin", str(placeless), "--year", "2022", "--sequence", "2", "--dry-run")
    assert dry.returncode == 0 and "试运行：未写入任何数据。" in dry.stdout
    real = manage(env, "import_bulletin", str(placeless), "--year", "2022", "--sequence", "2")
    assert real.returncode == 1 and "第4行：第1项" in real.stderr
    bad_date = manage(env, "import_bulletin", str(SEED), "--year", "2022", "--sequence", "2", "--date", "2022/8/1")
    assert bad_date.returncode == 2 and "YYYY-MM-DD" in bad_date.stderr and "Traceback" not in bad_date.stderr


TABLE = BULLETINS / "shaanxi-2024-2-table.txt"  # a notice with its items as a table, two indicators not given


def test_what_the_document_says_of_itself_and_of_each_item_is_recorded():
    run(TABLE, "--year", 2024, "--sequence", 2, "--publish")
    batch = Batch.objects.get()
    assert (batch.issuer, batch.document_number, batch.attachment_title) == (
        "陕西省优化营商环境工作领导小组办公室",
        "陕营商办函〔2024〕12号",
        "陕西省第二批优化营商环境改革举措清单",
    )
    assert (batch.date_signed, batch.date_published) == (datetime.date(2024, 4, 18), None)
    assert batch.source_sha256 == hashlib.sha256(TABLE.read_bytes()).hexdigest()
    entries = {e.number: e for e in batch.entries.select_related("practice__indicator")}
    assert (entries[1].department, entries[1].scope_text, entries[1].scope) == (
        "省市场监管局、省税务局",
        "全省复制推广",
        EntryScope.REPLICATE,
    )
    assert (entries[3].scope_text, entries[3].scope) == ("参考借鉴", EntryScope.REFERENCE)
    # 自由贸易试验区 names no scope of ours: the default.
    assert (entries[6].scope_text, entries[6].scope) == ("陕西自由贸易试验区", EntryScope.REPLICATE)
    # The history keeps what was imported.
    assert batch.history.get().document_number == "陕营商办函〔2024〕12号"
    assert entries[1].history.get().department == "省市场监管局、省税务局"


def test_an_item_without_an_indicator_heading_is_written_with_a_suggested_one_marked_so():
    run(TABLE, "--year", 2024, "--sequence", 2)
    entries = {e.number: e for e in BatchEntry.objects.select_related("practice__indicator")}
    suggested = {n: (e.indicator_name, e.practice.indicator.name) for n, e in entries.items() if e.indicator_suggested}
    # The practice is classified by the suggestion; the announcement keeps the heading the document gave.
    heading = "提升政务服务效能方面"
    assert suggested == {1: (heading, "开办企业"), 2: (heading, "办理建筑许可"), 3: (heading, "纳税")}
    assert "suggested_indicator" in [w["code"] for w in entries[1].warnings]
    # Given by its heading: not suggested. Neither heading nor text names one: none.
    assert (entries[5].indicator_name, entries[5].indicator_suggested) == ("获得电力", False)
    assert (entries[4].indicator_name, entries[4].practice.indicator, entries[4].indicator_suggested) == (
        heading,
        None,
        False,
    )


def test_json_says_the_documents_metadata_and_each_items_department_scope_and_suggestion():
    data = json.loads(run(TABLE, "--year", 2024, "--sequence", 2, "--dry-run", "--json"))
    assert {key: data[key] for key in ("issuer", "document_number", "date_signed", "date_published")} == {
        "issuer": "陕西省优化营商环境工作领导小组办公室",
        "document_number": "陕营商办函〔2024〕12号",
        "date_signed": "2024-04-18",
        "date_published": None,
    }
    assert data["attachment_title"] == "陕西省第二批优化营商环境改革举措清单"
    first, fifth = data["items"][0], data["items"][4]
    assert (first["department"], first["scope"], first["indicator"], first["suggested_indicator"]) == (
        "省市场监管局、省税务局",
        "全省复制推广",
        None,
        "开办企业",
    )
    assert (fifth["indicator"], fifth["suggested_indicator"]) == ("获得电力", None)
    assert counts() == (0, 0, 0, 0)


def test_the_dry_run_summary_shows_the_metadata_and_the_suggestions():
    out = run(TABLE, "--year", 2024, "--sequence", 2, "--dry-run")
    assert "发文机关：陕西省优化营商环境工作领导小组办公室" in out and "文号：陕营商办函〔2024〕12号" in out
    assert "开办企业（建议）  1" in out
    assert "第16行 第1项：原文未注明指标，按文字建议归入“开办企业”，请确认。" in out


def test_the_same_file_is_not_imported_twice_unless_it_replaces_its_own_batch():
    run(TABLE, "--year", 2024, "--sequence", 2)
    before = counts()
    with pytest.raises(CommandError, match="此文件已导入为2024年第二批“陕西省第二批优化营商环境改革举措清单”"):
        run(TABLE, "--year", 2024, "--sequence", 3)
    with pytest.raises(CommandError, match="此文件已导入为2024年第二批"):
        run(TABLE, "--year", 2024, "--sequence", 3, "--replace")
    data = json.loads(run(TABLE, "--year", 2024, "--sequence", 3, "--dry-run", "--json"))
    assert "same_file" in [w["code"] for w in data["warnings"]]
    assert counts() == before
    run(TABLE, "--year", 2024, "--sequence", 2, "--replace", "--publish")
    assert Batch.objects.get().status == BatchStatus.PUBLISHED


def test_corrections_choose_an_items_city_and_confirm_its_indicator():
    """The service the browser import uses: the coordinator's choices replace what was read."""
    text = "1、浙江省杭州市推行“最多跑一次”。正文。\n2、西安市推行企业开办“一日办结”。正文。\n"
    hanzhong = City.objects.get(name="汉中市")
    tax = Indicator.objects.get(name="纳税")
    start = Indicator.objects.get(name="开办企业")
    corrections = {1: Correction(city_id=hanzhong.pk, indicator_id=tax.pk), 2: Correction(indicator_id=start.pk)}
    dry = import_bulletin(data=text.encode(), year=2024, sequence=4, dry_run=True, corrections=corrections)
    assert [(i.city, i.indicator, i.suggested_indicator) for i in dry.bulletin.items] == [
        ("汉中市", "纳税", None),
        ("西安市", "开办企业", None),
    ]
    assert "unknown_city" not in [n.code for n in dry.bulletin.items[0].warnings]
    result = import_bulletin(data=text.encode(), year=2024, sequence=4, corrections=corrections)
    entries = list(result.batch.entries.select_related("practice__city", "practice__indicator"))
    assert [(e.practice.city.name, e.practice.indicator.name, e.indicator_suggested) for e in entries] == [
        ("汉中市", "纳税", False),
        ("西安市", "开办企业", False),
    ]
    assert "corrected_city" in [w["code"] for w in entries[0].warnings]


def test_a_correction_of_an_item_or_a_city_that_does_not_exist_writes_nothing():
    text = b"1\xe3\x80\x81\xe8\xa5\xbf\xe5\xae\x89\xe5\xb8\x82\xe6\x8e\xa8\xe8\xa1\x8c\xe3\x80\x82\n"  # 1、西安市推行。
    with pytest.raises(BulletinError, match="文件中没有第9项"):
        import_bulletin(data=text, year=2024, sequence=4, corrections={9: Correction(city_id=1)})
    with pytest.raises(BulletinError, match="第1项所选的城市不存在"):
        import_bulletin(data=text, year=2024, sequence=4, corrections={1: Correction(city_id=999_999)})
    assert counts() == (0, 0, 0, 0)


def test_the_announcement_shows_the_documents_metadata_and_the_practice_its_department_and_scope(client):
    run(TABLE, "--year", 2024, "--sequence", 2, "--publish")
    html = client.get("/batches/2024/2/").content.decode()
    for shown in (
        "发文机关",
        "陕西省优化营商环境工作领导小组办公室",
        "陕营商办函〔2024〕12号",
        "成文日期",
        "2024年4月18日",
    ):
        assert shown in html
    assert "附件" in html and "陕西省第二批优化营商环境改革举措清单" in html
    entry = BatchEntry.objects.get(number=6)
    html = client.get(f"/practices/{entry.practice_id}/").content.decode()
    assert "指导部门" in html and "国网陕西省电力公司" in html and "陕西自由贸易试验区" in html


def test_the_benchmarks_table_reads_as_a_thousand_items_each_with_its_city(tmp_path):
    from bench.importing import TABLE_ITEMS, grown_table

    path = tmp_path / "table.txt"
    path.write_bytes(grown_table(TABLE_ITEMS))
    data = json.loads(run(path, "--year", 2030, "--sequence", 1, "--dry-run", "--json"))
    assert [item["number"] for item in data["items"]] == list(range(1, TABLE_ITEMS + 1))
    assert all(item["city"] for item in data["items"])
    assert {w["code"] for w in data["warnings"]} == {"unknown_indicator"}  # its headings that are no indicators


def test_a_correction_chooses_among_the_regions_outside_the_province_as_among_its_own_cities():
    """An item read as a region outside the province may be put under one of the province's cities, and an item
    naming no place under a region outside it that the database knows already."""
    hangzhou = outside_city(regions.get("330100"))
    xian = City.objects.get(name="西安市")
    text = "1、浙江省杭州市推行“最多跑一次”。正文。\n2、推行“一网通办”。正文。\n3、浙江省杭州市推行“亩均”改革。正文。\n"
    corrections = {1: Correction(city_id=xian.pk), 2: Correction(city_id=hangzhou.pk)}
    batch = import_bulletin(data=text.encode(), year=2024, sequence=4, corrections=corrections).batch
    placed = [(e.number, e.practice.city, e.city_name) for e in batch.entries.select_related("practice__city")]
    assert placed == [(1, xian, "西安市"), (2, hangzhou, hangzhou.name), (3, hangzhou, hangzhou.name)]


def test_choosing_the_city_of_an_item_whose_place_several_share_drops_the_doubt():
    text = "2023年第一批典型经验做法\n1、朝阳区推行“接诉即办”。群众诉求一号响应。\n".encode()
    read = import_bulletin(data=text, year=2023, sequence=1, dry_run=True).bulletin.items[0]
    assert "ambiguous_region" in [note.code for note in read.warnings]
    xian = City.objects.get(name="西安市")
    item = import_bulletin(
        data=text, year=2023, sequence=1, dry_run=True, corrections={1: Correction(city_id=xian.pk)}
    ).bulletin.items[0]
    assert (item.city, item.region_code) == ("西安市", xian.code)
    assert [note.code for note in item.warnings] == ["corrected_city"]
