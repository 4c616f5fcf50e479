"""The archive: one tar file, written as a stream, read back only after its manifest was held against its members.

It holds, in this order: the database (`database.sqlite3` or `database.pgdump`), every file under MEDIA_ROOT as
`media/<its path>`, then `manifest.json`: the row count of every table, the size and SHA-256 of every member, the
latest applied migration of each app, the database vendor and when the copy was taken. The manifest comes last,
so an archive cut short has none.
"""

import hashlib
import io
import json
import os
import re
import shutil
import tarfile
import time
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

FORMAT = "bizenv-backup"
VERSION = 1
MANIFEST = "manifest.json"
MEDIA = "media/"
DATABASE_MEMBERS = {"database.sqlite3": "sqlite", "database.pgdump": "postgresql"}
VENDORS = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
MANIFEST_LIMIT = 256 * 1024 * 1024  # read into memory whole; a million files take about 150 MB
CHUNK = 1024 * 1024
# Table, schema and extension names go into SQL as quoted identifiers: a manifest naming anything else is not ours.
IDENTIFIER = re.compile(r"^[A-Za-z0-9_]{1,63}$")


class BackupError(Exception):
    """Why a backup or a restore stopped, said for the operator."""


@dataclass
class Contents:
    """What an archive holds, or what a restore put back: every table's rows, every file's size and SHA-256."""

    tables: dict[str, int]
    files: dict[str, dict]

    @property
    def rows(self) -> int:
        return sum(self.tables.values())

    @property
    def bytes(self) -> int:
        return sum(entry["size"] for entry in self.files.values())


# ---------------------------------------------------------------------------------------------------------------
# Writing


class Hashing:
    """A file read through while its SHA-256 is computed: each file is read once, in chunks, however large."""

    def __init__(self, file):
        self.file = file
        self.sha256 = hashlib.sha256()

    def read(self, size=-1):
        data = self.file.read(size)
        self.sha256.update(data)
        return data


def new_tar(raw) -> tarfile.TarFile:
    """A tar stream over an open binary file: PAX headers, so that names in Chinese and files above 8 GB are kept."""
    return tarfile.open(fileobj=raw, mode="w", format=tarfile.PAX_FORMAT, copybufsize=CHUNK)


def add_file(tar: tarfile.TarFile, name: str, path: Path) -> dict:
    """Stream a file into the archive under name: its size and SHA-256."""
    with open(path, "rb") as file:
        info = tar.gettarinfo(arcname=name, fileobj=file)
        info.uid = info.gid = 0
        info.uname = info.gname = ""
        reader = Hashing(file)
        tar.addfile(info, reader)  # an error if the file turns out shorter than it was
    return {"size": info.size, "sha256": reader.sha256.hexdigest()}


def add_manifest(tar: tarfile.TarFile, manifest: dict):
    data = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
    info = tarfile.TarInfo(MANIFEST)
    info.size = len(data)
    info.mtime = int(time.time())
    info.mode = 0o644
    tar.addfile(info, io.BytesIO(data))


def list_media(root: Path) -> tuple[list[str], list[str]]:
    """The regular files under root by their names relative to it ('/'-separated, in a stable order), and what was
    left out.

    A symbolic link is left out (it may point anywhere). A name that is not UTF-8 stops the backup: the manifest
    could not name it, and the file would be missing from every restore without a word."""
    names, left_out = [], []
    if not root.is_dir():
        return names, left_out
    for folder, subfolders, files in os.walk(root):
        subfolders.sort()
        for name in [*sorted(files), *subfolders]:
            path = Path(folder, name)
            relative = path.relative_to(root).as_posix()
            try:
                relative.encode("utf-8")
            except UnicodeEncodeError as exc:
                raise BackupError(
                    _("媒体目录里有文件名不是 UTF-8 的文件，请改名或移走后重试：%(path)s") % {"path": ascii(str(path))}
                ) from exc
            if path.is_symlink() or not (path.is_file() or path.is_dir()):
                left_out.append(_("不是普通文件或目录，未备份：%(name)s") % {"name": relative})
            elif path.is_file():
                names.append(relative)
    return names, left_out


def entries_under(root: Path) -> int:
    """How many entries other than folders (files, links …) are under root: none means nothing to lose there."""
    count = 0
    for folder, subfolders, files in os.walk(root):
        count += len(files) + sum(Path(folder, name).is_symlink() for name in subfolders)
    return count


# ---------------------------------------------------------------------------------------------------------------
# Reading


class Archive:
    """A backup archive opened for reading, its manifest read and held against its members before anything is
    extracted: ValueError (said as BackupError) for a file that is not one, is cut short or was changed."""

    def __init__(self, path: Path):
        self.path = path

    def __enter__(self):
        if not self.path.is_file():
            raise BackupError(_("找不到文件：%(path)s") % {"path": self.path})
        try:
            self.tar = tarfile.open(self.path, "r:*")  # a tar, or one compressed afterwards (.tar.gz …)
        except tarfile.ReadError as exc:
            raise self.unreadable(_("不是 tar 文件")) from exc
        except (tarfile.TarError, OSError, EOFError) as exc:
            raise self.unreadable(exc) from exc
        try:
            self.members = self.tar.getmembers()
            self.manifest = self.read_manifest()
        except (tarfile.TarError, OSError, EOFError, ValueError) as exc:
            self.tar.close()
            raise self.unreadable(exc) from exc
        except BaseException:
            self.tar.close()
            raise
        return self

    def __exit__(self, *exc_info):
        self.tar.close()

    def unreadable(self, reason) -> BackupError:
        return BackupError(
            _("不是完整的 bizenv 备份文件（已损坏、不完整或不是备份），未做任何改动：%(path)s（%(reason)s）")
            % {"path": self.path, "reason": reason}
        )

    def read_manifest(self) -> dict:
        found = [m for m in self.members if m.name == MANIFEST]
        if len(found) != 1 or not found[0].isfile() or found[0].size > MANIFEST_LIMIT:
            raise ValueError(_("没有清单 %(name)s") % {"name": MANIFEST})
        manifest = json.loads(self.tar.extractfile(found[0]).read().decode("utf-8"))
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise ValueError(_("清单不是 bizenv 备份的清单"))
        if manifest.get("version") != VERSION:
            raise ValueError(
                _("备份格式版本是 %(version)s，本程序只认识 %(ours)d")
                % {"version": manifest.get("version"), "ours": VERSION}
            )
        self.check(manifest)
        return manifest

    def check(self, manifest: dict):
        """ValueError unless the manifest is well formed and names exactly the archive's members, at their sizes."""
        database, tables, media = manifest.get("database"), manifest.get("tables"), manifest.get("media")
        if not (isinstance(database, dict) and isinstance(tables, dict) and isinstance(media, dict)):
            raise ValueError(_("清单缺少内容"))
        migrations = manifest.get("migrations")
        if not isinstance(migrations, dict) or not all(isinstance(v, str) for v in migrations.values()):
            raise ValueError(_("清单中的迁移有误"))
        if parse_datetime(str(manifest.get("created_at"))) is None:
            raise ValueError(_("清单中的时间有误"))
        if not all(IDENTIFIER.match(name) and type(rows) is int and rows >= 0 for name, rows in tables.items()):
            raise ValueError(_("清单中的表名或行数有误"))
        if not well_formed(database) or DATABASE_MEMBERS.get(database.get("member")) != database.get("vendor"):
            raise ValueError(_("清单中的数据库有误"))
        if not all(safe_name(name) and well_formed(entry) for name, entry in media.items()):
            raise ValueError(_("清单中的文件有误"))
        expected = self.expected(manifest)
        members = [m for m in self.members if m.name != MANIFEST]
        names = [m.name for m in members]
        if len(set(names)) != len(names) or set(names) != set(expected):
            missing, extra = sorted(set(expected) - set(names)), sorted(set(names) - set(expected))
            raise ValueError(
                _("备份内容与清单不符：缺少 %(missing)s，多出 %(extra)s")
                % {"missing": ", ".join(missing[:5]) or "—", "extra": ", ".join(extra[:5]) or "—"}
            )
        for member in members:
            if not member.isfile() or member.size != expected[member.name]["size"]:
                raise ValueError(_("%(name)s 的大小与清单不符") % {"name": member.name})

    @staticmethod
    def expected(manifest: dict) -> dict[str, dict]:
        """Every member but the manifest, by name: its size and SHA-256."""
        database = manifest["database"]
        return {database["member"]: database, **{MEDIA + name: entry for name, entry in manifest["media"].items()}}

    def extract(self, staging: Path):
        """Every member into staging (the database as staging/database, the files under staging/media) in the
        archive's order, each held against its SHA-256 in the manifest."""
        expected = self.expected(self.manifest)
        (staging / "media").mkdir()
        for member in self.members:
            if member.name == MANIFEST:
                continue
            if member.name.startswith(MEDIA):
                target = staging / "media" / member.name.removeprefix(MEDIA)
                target.parent.mkdir(parents=True, exist_ok=True)
            else:
                target = staging / "database"
            try:
                with self.tar.extractfile(member) as source, open(target, "wb") as copy:
                    reader = Hashing(source)
                    shutil.copyfileobj(reader, copy, CHUNK)
            except (tarfile.TarError, EOFError) as exc:
                raise self.unreadable(exc) from exc
            if reader.sha256.hexdigest() != expected[member.name]["sha256"]:
                raise BackupError(
                    _("%(name)s 的校验和与清单不符：备份文件已损坏或被改动，未做任何改动。") % {"name": member.name}
                )


def well_formed(entry) -> bool:
    """A member's entry in the manifest: its size and SHA-256."""
    return isinstance(entry, dict) and type(entry.get("size")) is int and isinstance(entry.get("sha256"), str)


def safe_name(name: str) -> bool:
    """A relative name that stays inside the folder it is extracted into."""
    return not PurePosixPath(name).is_absolute() and all(part not in ("", ".", "..") for part in name.split("/"))
