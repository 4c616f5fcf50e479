"""backup and restore: every row of every table and every media file comes back as it was; a database or media
folder with data is refused without --force and replaced with it (other files moved aside); an archive that is cut
short, is no archive, comes from the other database or was changed is refused, with nothing changed; a failed
backup leaves no file.

Transactional: pg_restore and SQLite's backup API work outside the test's transaction."""

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder
from django.utils import timezone

from batches.enums import BatchStatus
from practices import services as practices
from practices.enums import Status
from practices.models import Attachment, Practice
from tests.factories import BatchEntryFactory, BatchFactory, PracticeFactory, UserFactory
from tests.matrix import PDF, build_world

pytestmark = pytest.mark.django_db(transaction=True)

ZLIB_HEADERS = [b"\x78\x01", b"\x78\x5e", b"\x78\x9c", b"\x78\xda"]
OTHER_VENDOR = {"sqlite": ("postgresql", "database.pgdump"), "postgresql": ("sqlite", "database.sqlite3")}


# ---------------------------------------------------------------------------------------------------------------
# The site's state, read independently of the code under test


def every_row() -> dict[str, list[tuple]]:
    """Every row of every table Django sees (the search index's included), each table's rows in a stable order."""
    rows = {}
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")
            found = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]
            rows[table] = sorted(found, key=repr)
    return rows


def media_files() -> dict[str, str]:
    """Every file under MEDIA_ROOT, by its path there: its SHA-256."""
    root = Path(settings.MEDIA_ROOT)
    return {
        path.relative_to(root).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file()
    }


def state() -> tuple:
    return every_row(), media_files()


def wipe():
    """What a lost server leaves: a migrated database without data, and no media files."""
    call_command("flush", interactive=False, stdout=io.StringIO())
    root = Path(settings.MEDIA_ROOT)
    shutil.rmtree(root)
    root.mkdir()


def backup(path: Path) -> str:
    out = io.StringIO()
    call_command("backup", output=str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def restore(path: Path, *options: str) -> str:
    out = io.StringIO()
    call_command("restore", str(path), *options, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def manifest_of(path: Path) -> dict:
    with tarfile.open(path) as tar:
        return json.loads(tar.extractfile("manifest.json").read())


def rewritten(path: Path, change) -> Path:
    """A copy of the archive with each member's content replaced by change(member, content), which may also
    rename the member."""
    copy = path.with_name(f"changed-{path.name}")
    with tarfile.open(path) as source, tarfile.open(copy, "w", format=tarfile.PAX_FORMAT) as target:
        for member in source.getmembers():
            data = change(member, source.extractfile(member).read())
            member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    return copy


def with_manifest(edit):
    """A change for rewritten(): the manifest edited in place by edit(manifest), the other members as they are."""

    def change(member, data):
        if member.name != "manifest.json":
            return data
        manifest = json.loads(data)
        edit(manifest)
        return json.dumps(manifest).encode()

    return change


# ---------------------------------------------------------------------------------------------------------------
# Fixtures


@pytest.fixture
def media_root(settings, tmp_path):
    """MEDIA_ROOT of the test's own, apart from the archives (a backup is never written into MEDIA_ROOT)."""
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


@pytest.fixture
def archives(tmp_path) -> Path:
    folder = tmp_path / "archives"
    folder.mkdir()
    return folder


def attach(practice: Practice, size: int, name: str = "材料.pdf") -> Attachment:
    """A real file of `size` bytes (a PDF by its first bytes, random after them) stored through the service."""
    official = UserFactory(username=f"uploader{practice.pk}")
    upload = SimpleUploadedFile(name, PDF + os.urandom(size - len(PDF)))
    return practices.attachment_add(practice=practice, upload=upload, by=official)


@pytest.fixture
def site(demo, media_root):
    """The demo's cities, people, practices, reviews and published batch with its 台账, the permission matrix's
    attachments, evidence, draft batch and excused row, larger attachments, and a file of another kind."""
    world = build_world()
    draft = Practice.objects.get(pk=world["draft"]["pk"])
    attach(draft, 300_000)
    attach(draft, 70_000, name="第二份材料.pdf")
    (media_root / "说明 文档.txt").write_text("不属于任何附件的文件也要备份", encoding="utf-8")
    return world


@pytest.fixture
def small_site(media_root):
    """A few practices from the factories, a published batch, history rows, and two attachments with files."""
    batch = BatchFactory(status=BatchStatus.PUBLISHED, published_at=timezone.now())
    for _ in range(3):
        BatchEntryFactory(batch=batch, practice=PracticeFactory(status=Status.PUBLISHED))
    draft = PracticeFactory(status=Status.DRAFT)
    attach(draft, 20_000)
    attach(draft, 5_000, name="附件二.pdf")
    return draft


def change_the_site():
    """Something a restore would undo, wherever it happened: a row, a new file, a changed file."""
    attach(PracticeFactory(status=Status.DRAFT), 4_000)
    first = next(path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file())
    first.write_bytes(b"changed since the backup")


# ---------------------------------------------------------------------------------------------------------------
# Round trip


def test_a_restore_brings_back_every_row_of_every_table_and_every_file(site, archives):
    before = state()
    rows, files = before
    assert rows["practices_historicalpractice"] and rows["adoptions_adoption"] and rows["batches_batchentry"]
    assert {attachment.file.name for attachment in Attachment.objects.all()} < set(files)
    backup(archives / "site.tar")
    wipe()
    assert state() != before
    cache.set("stats-generation-0", "figures of the wiped database")

    out = restore(archives / "site.tar")

    assert state() == before
    assert cache.get("stats-generation-0") is None
    total_rows = sum(len(table_rows) for table_rows in rows.values())
    assert f"{len(rows)} 张表，{total_rows} 行" in out
    assert f"媒体文件：{len(files)} 个" in out
    newest = max(row[0] for row in rows["practices_practice"])
    assert PracticeFactory().pk > newest  # the sequences came back too


def test_the_manifest_counts_every_table_and_sums_every_file(site, archives):
    rows, files = state()
    recorded = MigrationRecorder.Migration.objects.order_by("applied", "id").values_list("app", "name")
    backup(archives / "site.tar")
    manifest = manifest_of(archives / "site.tar")
    assert manifest["tables"] == {table: len(table_rows) for table, table_rows in rows.items()}
    assert {name: entry["sha256"] for name, entry in manifest["media"].items()} == files
    assert manifest["database"]["vendor"] == connection.vendor
    assert manifest["migrations"] == dict(recorded)
    with tarfile.open(archives / "site.tar") as tar:
        database = tar.extractfile(manifest["database"]["member"]).read()
        names = tar.getnames()
    assert hashlib.sha256(database).hexdigest() == manifest["database"]["sha256"]
    assert names[0] == manifest["database"]["member"] and names[-1] == "manifest.json"


def test_the_backup_is_named_by_its_time_and_only_its_owner_may_read_it(small_site, archives, monkeypatch):
    monkeypatch.chdir(archives)
    call_command("backup", stdout=io.StringIO())
    [written] = list(archives.iterdir())
    assert re.fullmatch(r"bizenv-backup-\d{8}-\d{6}\.tar", written.name)
    assert written.stat().st_mode & 0o777 == 0o600  # it holds password hashes and sessions


# ---------------------------------------------------------------------------------------------------------------
# Over data: refused, or replaced with --force


def test_a_database_with_data_is_refused_without_force(small_site, archives):
    backup(archives / "site.tar")
    change_the_site()
    before = state()
    with pytest.raises(CommandError, match="--force"):
        restore(archives / "site.tar")
    assert state() == before


def test_media_files_alone_are_refused_without_force(small_site, archives):
    backup(archives / "site.tar")
    call_command("flush", interactive=False, stdout=io.StringIO())
    before = state()
    with pytest.raises(CommandError, match=f"媒体目录中有 {len(before[1])} 个文件"):
        restore(archives / "site.tar")
    assert state() == before


def test_force_replaces_the_data_and_moves_the_files_there_aside(site, archives, media_root):
    before = state()
    backup(archives / "site.tar")
    change_the_site()
    replaced = media_files()

    out = restore(archives / "site.tar", "--force")

    assert state() == before
    [aside] = [p for p in media_root.parent.iterdir() if p.name.startswith("media.before-restore-")]
    assert {
        p.relative_to(aside).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in aside.rglob("*")
        if p.is_file()
    } == replaced
    assert str(aside) in out


# ---------------------------------------------------------------------------------------------------------------
# Bad archives: refused, nothing changed


def member_offsets(path: Path) -> dict[str, tuple[int, int]]:
    with tarfile.open(path) as tar:
        return {m.name: (m.offset, m.offset_data + m.size // 2) for m in tar.getmembers()}


@pytest.mark.parametrize("where", ["in the database", "in a file", "before the manifest", "in the manifest"])
def test_an_archive_cut_short_changes_nothing(small_site, archives, where):
    backup(archives / "site.tar")
    offsets = member_offsets(archives / "site.tar")
    database, *files, manifest = offsets
    cut_at = {
        "in the database": offsets[database][1],
        "in a file": offsets[files[0]][1],
        "before the manifest": offsets[manifest][0],
        "in the manifest": offsets[manifest][1],
    }[where]
    cut = archives / "cut.tar"
    cut.write_bytes((archives / "site.tar").read_bytes()[:cut_at])
    change_the_site()
    before = state()
    with pytest.raises(CommandError, match="不是完整的 bizenv 备份文件"):
        restore(cut, "--force")
    assert state() == before


@pytest.mark.parametrize("content", [b"", b"manage.py migrate\n", b"%PDF-1.4 not an archive at all" * 100])
def test_a_file_that_is_no_archive_is_refused(small_site, archives, content):
    wrong = archives / "wrong.tar"
    wrong.write_bytes(content)
    before = state()
    with pytest.raises(CommandError, match="不是完整的 bizenv 备份文件"):
        restore(wrong, "--force")
    assert state() == before


def test_a_tar_without_a_manifest_is_refused(small_site, archives):
    with tarfile.open(archives / "other.tar", "w") as tar:
        tar.add(settings.BASE_DIR / "manage.py", arcname="manage.py")
    before = state()
    with pytest.raises(CommandError, match="没有清单"):
        restore(archives / "other.tar", "--force")
    assert state() == before


def test_an_archive_of_the_other_database_is_refused_saying_so(small_site, archives):
    backup(archives / "site.tar")
    vendor, member = OTHER_VENDOR[connection.vendor]
    ours = manifest_of(archives / "site.tar")["database"]["member"]
    edit_manifest = with_manifest(lambda manifest: manifest["database"].update(vendor=vendor, member=member))

    def other(item, data):
        if item.name == ours:
            item.name = member
        return edit_manifest(item, data)

    archive = rewritten(archives / "site.tar", other)
    change_the_site()
    before = state()
    with pytest.raises(CommandError) as refused:
        restore(archive, "--force")
    names = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
    assert f"这是 {names[vendor]} 数据库的备份，不能恢复到 {names[connection.vendor]} 数据库" in str(refused.value)
    assert state() == before


def flip_middle_byte(data: bytes) -> bytes:
    middle = len(data) // 2
    return data[:middle] + bytes([data[middle] ^ 0xFF]) + data[middle + 1 :]


@pytest.mark.parametrize("member", ["database", "a file"])
def test_a_changed_member_is_found_by_its_checksum_and_changes_nothing(small_site, archives, member):
    backup(archives / "site.tar")
    manifest = manifest_of(archives / "site.tar")
    target = manifest["database"]["member"] if member == "database" else "media/" + next(iter(manifest["media"]))
    archive = rewritten(
        archives / "site.tar", lambda item, data: flip_middle_byte(data) if item.name == target else data
    )
    change_the_site()
    before = state()
    with pytest.raises(CommandError, match=f"{re.escape(target)} 的校验和与清单不符"):
        restore(archive, "--force")
    assert state() == before


def test_rows_that_are_not_the_manifests_count_change_nothing(small_site, archives):
    backup(archives / "site.tar")

    def one_more_practice(manifest):
        manifest["tables"]["practices_practice"] += 1

    archive = rewritten(archives / "site.tar", with_manifest(one_more_practice))
    change_the_site()
    before = state()
    with pytest.raises(CommandError, match=r"行数与清单不符.*practices_practice"):
        restore(archive, "--force")
    assert state() == before


def test_a_member_the_manifest_does_not_name_is_refused(small_site, archives):
    backup(archives / "site.tar")
    with tarfile.open(archives / "site.tar", "a") as tar:
        tar.add(settings.BASE_DIR / "manage.py", arcname="media/manage.py")
    before = state()
    with pytest.raises(CommandError, match=re.escape("多出 media/manage.py")):
        restore(archives / "site.tar", "--force")
    assert state() == before


# ---------------------------------------------------------------------------------------------------------------
# A backup that fails leaves nothing


def test_a_failed_backup_leaves_no_file(small_site, archives, media_root):
    os.close(os.open(bytes(media_root) + b"/\xff\xfe.pdf", os.O_CREAT | os.O_WRONLY))  # a name that is not UTF-8
    with pytest.raises(CommandError, match="不是 UTF-8"):
        backup(archives / "site.tar")
    assert list(archives.iterdir()) == []


def test_a_backup_never_overwrites_a_file(small_site, archives):
    (archives / "site.tar").write_bytes(b"an older backup")
    with pytest.raises(CommandError, match="文件已存在"):
        backup(archives / "site.tar")
    assert (archives / "site.tar").read_bytes() == b"an older backup"


@pytest.mark.skipif("postgresql" not in settings.DATABASES["default"]["ENGINE"], reason="PostgreSQL's programs")
def test_without_pg_dump_the_backup_says_where_to_find_it(small_site, archives, settings, tmp_path):
    settings.PG_BIN = str(tmp_path)
    with pytest.raises(CommandError, match="PG_BIN"):
        backup(archives / "site.tar")
    assert list(archives.iterdir()) == []


def test_a_damaged_database_that_its_manifest_vouches_for_changes_nothing(small_site, archives):
    """The database's copy cut short, its size and checksum in the manifest made to match: SQLite's check finds it,
    or pg_restore fails after it has begun, and psql's transaction is rolled back."""
    backup(archives / "site.tar")
    member = manifest_of(archives / "site.tar")["database"]["member"]
    with tarfile.open(archives / "site.tar") as tar:
        damaged = tar.extractfile(member).read()
    if connection.vendor == "postgresql":
        # Inside the last block of table data (a zlib stream, found by its header at any compression level):
        # pg_restore reads the table of contents before it, writes the script up to there, then fails.
        damaged = damaged[: max(damaged.rfind(header) for header in ZLIB_HEADERS) + 8]
    else:
        damaged = damaged[: len(damaged) * 9 // 10]

    def damage(item, data):
        return damaged if item.name == member else data

    def vouch(manifest):
        manifest["database"].update(size=len(damaged), sha256=hashlib.sha256(damaged).hexdigest())

    archive = rewritten(archives / "site.tar", lambda item, data: with_manifest(vouch)(item, damage(item, data)))
    change_the_site()
    before = state()
    with pytest.raises(CommandError, match=r"(数据库未改动|未做任何改动)"):
        restore(archive, "--force")
    assert state() == before
