"""Backup and restore of the whole site: the database and the media files in one archive (archive.py).

A backup copies the database first (its snapshot is the backup's moment), then streams the media files in, and
renames the archive into place only once it is whole. A restore reads and checks the whole archive into a
staging folder beside MEDIA_ROOT before it changes anything; the database is then replaced at once
(databases.py), the staged files take MEDIA_ROOT's place, the cache is cleared, and what is now there is held
against the manifest once more.
"""

import hashlib
import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.utils import timezone
from django.utils.translation import gettext as _

from .archive import (
    FORMAT,
    MEDIA,
    VENDORS,
    VERSION,
    Archive,
    BackupError,
    Contents,
    add_file,
    add_manifest,
    entries_under,
    list_media,
    new_tar,
)
from .databases import count_differences, current_database, table_counts

__all__ = ["VENDORS", "BackupError", "BackupResult", "RestoreResult", "backup", "default_output", "restore"]

# Rows that `migrate` writes by itself (content types, permissions, the role groups of practices' first migration,
# the count of writes of bizenv/writes.py): a database that holds only these is as good as empty.
BOOKKEEPING = {"contenttypes.contenttype", "auth.permission", "auth.group", "bizenv.writecount"}


@dataclass
class BackupResult:
    path: Path
    size: int
    vendor: str
    contents: Contents
    warnings: list[str]
    seconds: float


@dataclass
class RestoreResult:
    path: Path
    created_at: str
    vendor: str
    contents: Contents
    moved_aside: Path | None
    warnings: list[str]
    seconds: dict[str, float] = field(default_factory=dict)  # read (and check), database, media, verify


def default_output() -> Path:
    """bizenv-backup-YYYYmmdd-HHMMSS.tar in the current directory, in local time."""
    return Path.cwd() / f"bizenv-backup-{timezone.localtime():%Y%m%d-%H%M%S}.tar"


def media_root() -> Path:
    return Path(settings.MEDIA_ROOT).absolute()


# ---------------------------------------------------------------------------------------------------------------
# Backup


def backup(*, output: Path) -> BackupResult:
    """Write the database and every media file into one new archive, under a temporary name until it is whole."""
    started = time.monotonic()
    output = Path(output).absolute()
    root = media_root()
    if output.exists():
        raise BackupError(_("文件已存在，不会覆盖：%(path)s") % {"path": output})
    if not output.parent.is_dir():
        raise BackupError(_("目录不存在：%(path)s") % {"path": output.parent})
    if output.parent.resolve().is_relative_to(root.resolve()):
        raise BackupError(_("备份文件不能放在媒体目录（MEDIA_ROOT）里：%(path)s") % {"path": output})
    database = current_database()
    try:
        # Beside the output: the database's copy may be large, and the finished archive is renamed into place.
        with tempfile.TemporaryDirectory(dir=output.parent, prefix=f".{output.name}.") as work:
            manifest, warnings = write_archive(Path(work), database, root)
            os.replace(Path(work) / "archive.tar", output)
    except OSError as exc:
        raise BackupError(_("备份失败，未写入备份文件：%(error)s") % {"error": exc}) from exc
    contents = Contents(manifest["tables"], manifest["media"])
    return BackupResult(output, output.stat().st_size, database.vendor, contents, warnings, time.monotonic() - started)


def write_archive(work: Path, database, root: Path) -> tuple[dict, list[str]]:
    """work/archive.tar, and what was left out. The files are listed after the database's snapshot: an upload made
    meanwhile is archived without its row (harmless), rather than a row without its file."""
    dump = work / database.member
    created_at = timezone.now()
    snapshot = database.dump(dump)
    descriptor = os.open(work / "archive.tar", os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)  # passwords, sessions
    with open(descriptor, "wb") as raw:
        with new_tar(raw) as tar:
            database_entry = add_file(tar, database.member, dump)
            dump.unlink()
            names, warnings = list_media(root)
            media = {}
            for name in names:
                try:
                    media[name] = add_file(tar, MEDIA + name, root / name)
                except FileNotFoundError:
                    warnings.append(_("文件在备份过程中被删除，未备份：%(name)s") % {"name": name})
            manifest = {
                "format": FORMAT,
                "version": VERSION,
                "created_at": created_at.isoformat(),
                "database": {"vendor": database.vendor, "member": database.member, **database_entry, **snapshot.about},
                "migrations": snapshot.migrations,
                "tables": snapshot.tables,
                "media": media,
            }
            add_manifest(tar, manifest)
        raw.flush()
        os.fsync(raw.fileno())
    return manifest, warnings


# ---------------------------------------------------------------------------------------------------------------
# Restore


def restore(*, path: Path, force: bool = False) -> RestoreResult:
    """Replace the database and the media files with an archive's, once all of it is checked; refused over data
    unless forced."""
    path = Path(path).absolute()
    root = media_root()
    database = current_database()
    if connection.in_atomic_block:
        raise BackupError(_("不能在事务中恢复备份。"))
    seconds = {}
    started = time.monotonic()
    with Archive(path) as archive:
        manifest = archive.manifest
        vendor = manifest["database"]["vendor"]
        if vendor != database.vendor:
            raise BackupError(
                _("这是 %(archive)s 数据库的备份，不能恢复到 %(here)s 数据库（只能恢复到同一种数据库）。未做任何改动。")
                % {"archive": VENDORS[vendor], "here": VENDORS[database.vendor]}
            )
        if not force:
            refuse_over_data(root)
        try:
            root.mkdir(parents=True, exist_ok=True)
            # Beside MEDIA_ROOT, on its file system: the staged files are then moved into it, not copied.
            staging = Path(tempfile.mkdtemp(dir=root.parent, prefix=f".{root.name}.restore-"))
        except OSError as exc:
            raise BackupError(_("无法在媒体目录旁创建暂存目录，未做任何改动：%(error)s") % {"error": exc}) from exc
        try:
            try:
                archive.extract(staging)
            except OSError as exc:
                raise BackupError(_("无法把备份读入暂存目录，未做任何改动：%(error)s") % {"error": exc}) from exc
            seconds["read"] = time.monotonic() - started
            started = time.monotonic()
            try:
                database.load(staging / "database", manifest, staging)
            finally:
                # /stats/ and kept pages are cached under a generation number and a count of writes that the restored
                # rows may reuse
                cache.clear()
            seconds["database"] = time.monotonic() - started
            started = time.monotonic()
            try:
                moved_aside = replace_media(staging / "media", root)
            except OSError as exc:
                raise BackupError(
                    _("数据库已恢复，但媒体文件未能全部放入 %(root)s：%(error)s。请加 --force 重新恢复。")
                    % {"root": root, "error": exc}
                ) from exc
            seconds["media"] = time.monotonic() - started
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    started = time.monotonic()
    contents = verify(manifest, root)
    seconds["verify"] = time.monotonic() - started
    warnings = migration_warnings(manifest)
    return RestoreResult(path, manifest["created_at"], vendor, contents, moved_aside, warnings, seconds)


def tables_with_rows() -> list[str]:
    """The tables of installed models that hold rows, other than those `migrate` fills by itself."""
    existing = set(connection.introspection.table_names())
    return sorted(
        {
            model._meta.db_table
            for model in apps.get_models()
            if model._meta.label_lower not in BOOKKEEPING
            and not model._meta.proxy
            and model._meta.db_table in existing
            and model._base_manager.exists()
        }
    )


def refuse_over_data(root: Path):
    """BackupError unless the database holds no data and MEDIA_ROOT no file: a restore replaces both."""
    tables = tables_with_rows()
    files = entries_under(root)
    if not tables and not files:
        return
    found = []
    if tables:
        found.append(_("数据库中 %(n)d 张表有数据（%(names)s）") % {"n": len(tables), "names": "、".join(tables[:5])})
    if files:
        found.append(_("媒体目录中有 %(n)d 个文件") % {"n": files})
    raise BackupError(
        _("目标不是空的：%(found)s。恢复会替换全部数据；确认要替换，请加 --force（原有的媒体文件会移到一旁，不删除）。")
        % {"found": "；".join(found)}
    )


def replace_media(staged: Path, root: Path) -> Path | None:
    """Put the staged files in MEDIA_ROOT. Whatever it held (under --force) is moved aside, not deleted, to
    MEDIA_ROOT.before-restore-<time> beside it: that folder, or None when there was no file to move."""
    moved_aside = None
    existing = sorted(root.iterdir())
    if entries_under(root):
        stamp = f"{root.name}.before-restore-{timezone.localtime():%Y%m%d-%H%M%S}"
        moved_aside = next(
            root.with_name(name)
            for name in [stamp, *(f"{stamp}-{n}" for n in range(2, 100))]
            if not root.with_name(name).exists()
        )
        moved_aside.mkdir()
        for entry in existing:
            shutil.move(entry, moved_aside / entry.name)
    else:
        for entry in existing:  # folders without a file in them
            shutil.rmtree(entry)
    for entry in sorted(staged.iterdir()):
        shutil.move(entry, root / entry.name)
    return moved_aside


def verify(manifest: dict, root: Path) -> Contents:
    """Hold what is now in the database and MEDIA_ROOT against the manifest: every table's rows, every file's
    SHA-256, read again from the disk."""
    with connection.cursor() as cursor:
        tables = table_counts(cursor, connection.vendor)
    wrong = count_differences(manifest["tables"], tables)
    if wrong:
        raise BackupError(_("恢复后的行数与清单不符：%(tables)s") % {"tables": wrong})
    names, _left_out = list_media(root)
    expected = manifest["media"]
    if set(names) != set(expected):
        different = sorted(set(names) ^ set(expected))
        raise BackupError(_("恢复后的媒体文件与清单不符：%(names)s") % {"names": ", ".join(different[:5])})
    for name in names:
        with open(root / name, "rb") as file:
            if hashlib.file_digest(file, "sha256").hexdigest() != expected[name]["sha256"]:
                raise BackupError(_("恢复后的文件校验和与清单不符：%(name)s") % {"name": name})
    return Contents(tables, expected)


def migration_warnings(manifest: dict) -> list[str]:
    """A line for each app whose latest migration in the archive is not this code's latest: `migrate` may be due."""
    leaves = {}
    for app, name in MigrationLoader(None, ignore_no_migrations=True).graph.leaf_nodes():
        leaves[app] = max(name, leaves.get(app, ""))
    return [
        _("%(app)s：备份中最新的迁移是 %(archive)s，代码中是 %(code)s；请检查后运行 migrate。")
        % {"app": app, "archive": name, "code": leaves[app]}
        for app, name in sorted(manifest["migrations"].items())
        if app in leaves and leaves[app] != name
    ]
