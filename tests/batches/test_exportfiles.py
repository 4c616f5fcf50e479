"""A published batch's exports are written once per version, stored, and served as files: by the worker after a
publication, else by the first request, under a lock that makes simultaneous first requests render once; an
erratum makes new files, a batch withdrawn (imported again in its place) loses its own."""

import io
import os
import threading
import time

import openpyxl
import pytest
from django.core.files.storage import FileSystemStorage, storages
from django.core.management import CommandError, call_command
from django.db import connection
from docx import Document

from batches import exportfiles, pdf, services
from batches.models import Batch
from bizenv.fixtures import ensure_fixture
from practices.enums import Role, Status
from tests.batches.test_bulletin import SEED
from tests.conftest import require_tool
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


class CountingStorage(FileSystemStorage):
    """The exports' storage, counting the files written into it (each render writes one), in any thread."""

    saves: list[str] = []
    _lock = threading.Lock()

    def _save(self, name, content):
        with self._lock:
            CountingStorage.saves.append(name)
        return super()._save(name, content)


@pytest.fixture
def counted(settings, export_files):
    settings.STORAGES = {
        **settings.STORAGES,
        "exports": {"BACKEND": f"{__name__}.CountingStorage", "OPTIONS": {"location": export_files}},
    }
    CountingStorage.saves = []
    return CountingStorage.saves


@pytest.fixture
def coordinator(db):
    return UserFactory(role=Role.COORDINATOR)


def publish(coordinator, capture, titles=("西安市推行企业开办一网通办", "汉中市推行多规合一")):
    practices = [PracticeFactory(status=Status.APPROVED, title=title) for title in titles]
    with capture(execute=True):  # committed, with what runs on commit
        batch = services.batch_create(year=2023, by=coordinator)
        services.batch_add(batch=batch, practices=practices)
        services.batch_publish(batch=batch, by=coordinator)
    return batch


def stored_files(location) -> list[str]:
    """The exports in storage, as batch folder/file (not the hidden lock files)."""
    return sorted(
        f"{folder.name}/{file.name}"
        for folder in (location.iterdir() if location.exists() else [])
        if folder.is_dir()
        for file in folder.iterdir()
        if not file.name.startswith(".")
    )


def pdf_available() -> bool:
    return pdf.chinese_font() is not None


def word_text(content: bytes) -> str:
    return "\n".join(p.text for p in Document(io.BytesIO(content)).paragraphs)


def excel_titles(content: bytes) -> list[str]:
    sheet = openpyxl.load_workbook(io.BytesIO(content), read_only=True).active
    header, *rows = sheet.iter_rows(values_only=True)
    return [row[header.index("标题")] for row in rows]


@pytest.fixture
def published(coordinator, django_capture_on_commit_callbacks):
    return publish(coordinator, django_capture_on_commit_callbacks)


def url(batch, fmt):
    return f"/batches/{batch.year}/{batch.sequence}/export.{fmt}"


def test_an_export_is_written_once_then_served_from_storage(client, published, counted, export_files):
    first = client.get(url(published, "docx"))
    assert first.status_code == 200 and first.streaming  # a file, streamed: never held whole by the worker
    assert "西安市推行企业开办一网通办" in word_text(first.content)
    assert first["Content-Disposition"].startswith("attachment") and first["ETag"] and first["Last-Modified"]
    assert client.get(url(published, "docx")).content == first.content
    assert client.get(url(published, "docx"), HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    assert len(counted) == 1
    assert stored_files(export_files) == [exportfiles.name(published, [], "docx")]


def test_a_stored_export_costs_no_query_and_no_render(client, published, counted, django_assert_num_queries):
    client.get(url(published, "xlsx"))  # the batch, its errata, and the entries to write the file
    with django_assert_num_queries(0):  # nothing has changed since: the same batch, the same file
        response = client.get(url(published, "xlsx"))
    assert excel_titles(response.content) == ["西安市推行企业开办一网通办", "汉中市推行多规合一"]
    assert len(counted) == 1


def test_after_an_erratum_commits_the_next_request_gets_new_files_and_the_old_ones_are_gone(
    client, published, coordinator, export_files, django_capture_on_commit_callbacks
):
    before = {fmt: client.get(url(published, fmt)) for fmt in ("docx", "xlsx")}
    assert "一次办好" not in word_text(before["docx"].content)
    old_files = stored_files(export_files)
    with django_capture_on_commit_callbacks(execute=True):
        services.erratum_add(batch=published, text="第1项标题中“一网通办”应为“一网通办、一次办好”。", by=coordinator)
    assert stored_files(export_files) == []  # the old version's files went with the commit
    word = client.get(url(published, "docx"), HTTP_IF_NONE_MATCH=before["docx"]["ETag"])
    assert word.status_code == 200 and "一网通办、一次办好" in word_text(word.content)
    excel = client.get(url(published, "xlsx"), HTTP_IF_NONE_MATCH=before["xlsx"]["ETag"])
    assert excel.status_code == 200 and excel_titles(excel.content) == excel_titles(before["xlsx"].content)
    assert set(stored_files(export_files)).isdisjoint(old_files) and len(stored_files(export_files)) == 2


def test_the_worker_writes_a_published_batchs_exports_and_requests_only_read_them(client, published, counted):
    call_command("send_mail_queue", stdout=io.StringIO())  # one pass of the worker: mail, then the exports
    call_command("send_mail_queue", stdout=io.StringIO())
    written = len(counted)
    assert written == (4 if pdf_available() else 3)  # the PDF needs a Chinese font on this machine
    for fmt in ("docx", "xlsx", "csv"):
        assert client.get(url(published, fmt)).status_code == 200
    assert len(counted) == written


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    "cache_backend",
    [
        "django.core.cache.backends.locmem.LocMemCache",  # threads of one process, which share a cache
        # No cache to share, as between gunicorn's processes with the default per-process cache: the lock file alone
        "django.core.cache.backends.dummy.DummyCache",
    ],
)
def test_simultaneous_first_requests_render_once(settings, counted, export_files, cache_backend):
    settings.CACHES = {"default": {"BACKEND": cache_backend}}
    coordinator = UserFactory(role=Role.COORDINATOR)
    practices = [PracticeFactory(status=Status.APPROVED) for _ in range(3)]
    batch = services.batch_create(year=2023, by=coordinator)
    services.batch_add(batch=batch, practices=practices)
    services.batch_publish(batch=batch, by=coordinator)
    batch = Batch.objects.get(pk=batch.pk)
    start, names, errors = threading.Barrier(8), [], []

    def request():
        try:
            start.wait()
            names.append(exportfiles.stored(batch, [], "docx"))
        except Exception as error:  # said below, not lost in the thread
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=request) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(names) == 8 and len(set(names)) == 1
    assert len(counted) == 1 and stored_files(export_files) == names[:1]
    assert Document(storages["exports"].open(names[0])).paragraphs[0].text == batch.title


def test_a_request_waits_for_anothers_render_then_says_so_in_chinese(client, published, settings, export_files):
    """Another process is writing the file (its lock is fresh): the request waits, then asks to come back."""
    settings.BIZENV_EXPORT_WAIT_SECONDS = 0.2
    lock = exportfiles.lock_path(storages["exports"], exportfiles.name(published, [], "docx"))
    os.makedirs(os.path.dirname(lock))
    open(lock, "w").close()
    started = time.monotonic()
    response = client.get(url(published, "docx"))
    assert response.status_code == 503 and response["Retry-After"] == "30"
    assert "文件正在生成" in response.content.decode() and time.monotonic() - started >= 0.2
    assert stored_files(export_files) == []


def test_a_render_that_was_killed_does_not_lock_the_file_for_ever(client, published, export_files):
    lock = exportfiles.lock_path(storages["exports"], exportfiles.name(published, [], "docx"))
    os.makedirs(os.path.dirname(lock))
    open(lock, "w").close()
    long_ago = time.time() - exportfiles.stale_seconds() - 1
    os.utime(lock, (long_ago, long_ago))
    response = client.get(url(published, "docx"))
    assert response.status_code == 200 and published.title in word_text(response.content)
    assert not os.path.exists(lock)


def test_a_batch_imported_again_in_its_place_loses_its_files(client, db, django_capture_on_commit_callbacks):
    for fixture in ("cities", "indicators"):
        ensure_fixture(fixture)

    def run(*args):
        with django_capture_on_commit_callbacks(execute=True):
            call_command("import_bulletin", str(SEED), "--year", "2022", "--sequence", "2", *args, stdout=io.StringIO())

    run("--publish")
    first = client.get("/batches/2022/2/export.csv")
    assert first.status_code == 200
    storage = storages["exports"]
    assert storage.listdir("2022-2")[1]
    run("--publish", "--replace")  # published again: another batch, other files
    assert [f for f in storage.listdir("2022-2")[1] if not f.startswith(".")] == []
    again = client.get("/batches/2022/2/export.csv")
    assert again.status_code == 200 and again["ETag"] != first["ETag"]
    run("--replace")  # imported as a draft: withdrawn from the public, and its files with it
    assert [f for f in storage.listdir("2022-2")[1] if not f.startswith(".")] == []
    assert client.get("/batches/2022/2/export.csv").status_code == 404


def test_build_exports_writes_what_is_missing_or_everything_and_removes_what_is_not_served(
    published, counted, export_files
):
    with_pdf = pdf_available()
    stray = export_files / "2019-1" / "20190101T000000000000-000000000000.docx"
    stray.parent.mkdir(parents=True, exist_ok=True)
    stray.write_bytes(b"a withdrawn batch's file")
    out = io.StringIO()
    call_command("build_exports", "--missing", stdout=out)
    formats = 4 if with_pdf else 3
    assert len(counted) == formats and f"已生成 {formats} 个文件" in out.getvalue()
    assert len(stored_files(export_files)) == formats and not stray.exists()
    call_command("build_exports", "--missing", stdout=io.StringIO())
    assert len(counted) == formats  # nothing missing: nothing written
    call_command("build_exports", stdout=io.StringIO())
    assert len(counted) == 2 * formats  # everything written again, under the same names
    assert len(stored_files(export_files)) == formats


def test_build_exports_fails_saying_how_many_could_not_be_written(published, settings, export_files):
    require_tool(pdf_available(), "no Chinese font for the PDF export: apt-get install fonts-noto-cjk")
    settings.BIZENV_PDF_MAX_PAGES = 0
    with pytest.raises(CommandError, match="1 个文件未能生成"):
        call_command("build_exports", stdout=io.StringIO())
    assert len(stored_files(export_files)) == 3


def test_behind_nginx_the_export_is_sent_by_nginx(client, published, settings, export_files):
    settings.MEDIA_ROOT = export_files.parent
    settings.MEDIA_ACCEL_REDIRECT = "/protected-media/"
    response = client.get(url(published, "csv"))
    stored = exportfiles.name(published, [], "csv")
    assert response["X-Accel-Redirect"] == f"/protected-media/exports/{stored}" and response.content == b""
    assert response["Content-Type"] == "text/csv; charset=utf-8" and "attachment" in response["Content-Disposition"]
