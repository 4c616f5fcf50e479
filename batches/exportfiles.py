"""A published batch's exports (Word, Excel, CSV, PDF), written once per version of the batch through Django's
storage API (storages["exports"]) and served as files.

A version is the batch as published with its errata: an erratum, or the batch imported again in its place, makes
new names, so the very next request serves the new files; those of older versions are deleted (tidy()). The files
are written by the worker process soon after the change commits (build_pending(), run by `send_mail_queue` through
bizenv.worker), by `manage.py build_exports`, or else by the first request that asks for one.

One render per file, however many ask at once: whoever takes the lock renders, the others wait for the file (at
most BIZENV_EXPORT_WAIT_SECONDS, then Busy) and serve it. The lock is cache.add(), which holds across processes when
the cache is shared (Redis, the database), and, when the storage is a local directory, a lock file created with
O_EXCL beside the export, which holds across the processes of one machine whatever the cache. A lock file older than
stale_seconds() is a render that was killed: it is broken. A file appears whole or not at all (written aside, then
renamed), so a reader never meets half of one.

A request for a stored file need not ask the database which version is current: each process keeps the batches it
has served (published()) with the token read from a small file in the storage (CHANGED), which every save or deletion
of a batch or an erratum replaces, when it happens and again once it commits. One read of that file per request
tells whether what the process keeps is still current, in every process of the machine (or of every machine
sharing MEDIA_ROOT). Elsewhere than in a local directory, every request asks the database.
"""

import contextlib
import datetime
import hashlib
import logging
import os
import secrets
import time

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import transaction

from . import exports
from .enums import BatchStatus
from .models import Batch
from .pdf import PdfUnavailable

logger = logging.getLogger(__name__)

FORMATS = {
    "docx": (exports.batch_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (exports.batch_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (exports.batch_csv, "text/csv; charset=utf-8"),
    "pdf": (exports.batch_pdf, "application/pdf"),
}
CHANGED = ".changed"  # the token every change to a batch or an erratum replaces
POLL = 0.05  # seconds between a waiting request's looks at the file
PASS_LIMIT = 4  # files the worker writes in one pass, so that the mail it also sends is not held up for long


class Busy(Exception):
    """Another process is still writing the file after BIZENV_EXPORT_WAIT_SECONDS."""


def stale_seconds() -> float:
    """A lock held this long belongs to a render that was killed (no render outlives the PDF's limit)."""
    return settings.BIZENV_PDF_SECONDS + 60


def storage():
    return storages["exports"]


_kept: dict[tuple[int, int], tuple[str, Batch, list]] = {}  # (year, sequence): the token, the batch, its errata


def published(year: int, sequence: int) -> tuple[Batch, list] | None:
    """The published batch (without the text it was imported from) and its errata, or None: from what this
    process keeps while the token says nothing has changed since, else from the database."""
    token = _token()  # read before the database: a change committed meanwhile has replaced it since
    kept = _kept.get((year, sequence))
    if token is not None and kept is not None and kept[0] == token:
        return kept[1], kept[2]
    batch = _published().filter(year=year, sequence=sequence).first()
    if batch is None:
        _kept.pop((year, sequence), None)
        return None
    errata = list(batch.errata.all())
    if token is not None:
        _kept[(year, sequence)] = (token, batch, errata)
    return batch, errata


def _token() -> str | None:
    path = _local(storage(), CHANGED)
    if path is None:
        return None
    try:
        with open(path, encoding="ascii") as file:
            return file.read()
    except FileNotFoundError:
        return _replace_token(path)


def _replace_token(path: str) -> str:
    token = secrets.token_hex(16)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    aside = f"{path}.{os.getpid()}.{secrets.token_hex(4)}"
    with open(aside, "w", encoding="ascii") as file:
        file.write(token)
    os.replace(aside, path)
    return token


def batch_changed(**_kwargs):
    """A batch or an erratum was saved or deleted: no process serves what it kept of any batch (now, for this
    process's next request, and again once the change commits, for everyone's)."""
    path = _local(storage(), CHANGED)
    if path is not None:
        _replace_token(path)
        transaction.on_commit(lambda: _replace_token(path))


def version(batch: Batch, errata: list) -> str:
    """The time of the batch's latest change, then a fingerprint of what makes this version: the batch (a batch
    imported again in its place is another row) and its errata. Names sort by the first part."""
    changed = max([batch.created_at, batch.published_at, *(e.created_at for e in errata)])
    what = [batch.pk, batch.published_at.isoformat(), *((e.pk, e.created_at.isoformat()) for e in errata)]
    digest = hashlib.sha256(repr(what).encode()).hexdigest()[:12]
    return f"{changed.astimezone(datetime.UTC):%Y%m%dT%H%M%S%f}-{digest}"


def name(batch: Batch, errata: list, fmt: str) -> str:
    return f"{_folder(batch.year, batch.sequence)}/{version(batch, errata)}.{fmt}"


def _folder(year: int, sequence: int) -> str:
    return f"{year}-{sequence}"


def stored(batch: Batch, errata: list, fmt: str, *, again: bool = False) -> str:
    """The stored name of the batch's export in fmt, written first if it is not yet (or `again`), by this process
    or by the one writing it already. PdfUnavailable if it cannot be made, Busy if another takes too long."""
    store, target = storage(), name(batch, errata, fmt)
    if not again and store.exists(target):
        return target
    deadline = time.monotonic() + settings.BIZENV_EXPORT_WAIT_SECONDS
    while True:
        if _acquire(store, target):
            try:
                if again or not store.exists(target):  # not written by the holder before us meanwhile
                    _write(store, target, FORMATS[fmt][0](batch))
                    _forget_older(store, target)
                return target
            finally:
                _release(store, target)
        while _locked(store, target):
            if time.monotonic() > deadline:
                raise Busy(target)
            time.sleep(POLL)
        if store.exists(target):
            return target
        # The holder let go without the file (the PDF could not be made): this request tries, and says why not.


def _lock_key(target: str) -> str:
    return f"exportfiles:lock:{target}"


def lock_path(store, target: str) -> str | None:
    """The lock file beside a local export (a hidden name, which tidy() leaves alone); None for other storages."""
    folder, _slash, base = target.rpartition("/")
    return _local(store, f"{folder}/.{base}.lock")


def _local(store, stored_name: str) -> str | None:
    try:
        return store.path(stored_name)
    except NotImplementedError:
        return None


def _acquire(store, target: str) -> bool:
    if not cache.add(_lock_key(target), os.getpid(), stale_seconds()):
        return False
    path = lock_path(store, target)
    if path is None or _create(path):
        return True
    cache.delete(_lock_key(target))
    return False


def _create(path: str) -> bool:
    """Create the lock file, breaking one a killed render left; False if another render holds it."""
    os.makedirs(os.path.dirname(path), exist_ok=True)
    for _attempt in range(2):
        try:
            os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644))
            return True
        except FileExistsError:
            try:
                if time.time() - os.path.getmtime(path) < stale_seconds():
                    return False
                logger.warning("breaking the stale export lock %s", path)
                os.remove(path)
            except FileNotFoundError:
                pass  # released meanwhile: try again
    return False


def _release(store, target: str):
    path = lock_path(store, target)
    if path is not None:
        with contextlib.suppress(FileNotFoundError):
            os.remove(path)
    cache.delete(_lock_key(target))


def _locked(store, target: str) -> bool:
    path = lock_path(store, target)
    return cache.get(_lock_key(target)) is not None or (path is not None and os.path.exists(path))


def _write(store, target: str, content: bytes):
    path = _local(store, target)
    if path is None:  # object storage: an object is written whole or not at all
        store.save(target, ContentFile(content))
        return
    folder, _slash, base = target.rpartition("/")
    aside = store.save(f"{folder}/.{base}.{os.getpid()}.part", ContentFile(content))
    os.replace(store.path(aside), path)


def _files(store, folder: str) -> list[str]:
    try:
        return [f for f in store.listdir(folder)[1] if not f.startswith(".")]
    except FileNotFoundError:
        return []


def _forget_older(store, target: str):
    """Delete the files of the batch's versions older than target's (a render of an older version finishing late
    leaves the newer ones alone)."""
    folder, _slash, base = target.rpartition("/")
    for file in _files(store, folder):
        if file.split("-", 1)[0] < base.split("-", 1)[0]:
            store.delete(f"{folder}/{file}")


def tidy(year: int, sequence: int):
    """After a change to a batch commits (publication, erratum, import, deletion): delete the files no longer
    served, all of them if the batch is no longer published. The new ones are written by the worker, or on demand."""
    batch = _published().filter(year=year, sequence=sequence).first()
    store, folder = storage(), _folder(year, sequence)
    if batch is not None:
        _forget_older(store, name(batch, list(batch.errata.all()), "docx"))
        return
    for file in _files(store, folder):
        store.delete(f"{folder}/{file}")


def _published():
    return Batch.objects.filter(status=BatchStatus.PUBLISHED).defer("source_text").prefetch_related("errata")


_seen: set[str] = set()  # names this process knows are stored (or cannot be): looked at once, not every pass


def build_pending(**_kwargs):
    """The worker's pass: write the exports of published batches that are missing, PASS_LIMIT at most."""
    written = 0
    store = storage()
    for batch in _published():
        errata = list(batch.errata.all())
        for fmt in FORMATS:
            target = name(batch, errata, fmt)
            if target in _seen:
                continue
            if not store.exists(target):
                if written == PASS_LIMIT:
                    return
                written += 1
                try:
                    stored(batch, errata, fmt)
                except (PdfUnavailable, Busy) as error:
                    logger.warning("export %s not written: %s", target, error)
            _seen.add(target)


def build_all(*, missing: bool = False) -> tuple[int, int]:
    """Write every published batch's exports (only those not stored, if `missing`) and delete every file no longer
    served. How many were written, and how many could not be (the log says why)."""
    written = failed = 0
    store = storage()
    current = {}
    for batch in _published():
        errata = list(batch.errata.all())
        current[_folder(batch.year, batch.sequence)] = {name(batch, errata, fmt) for fmt in FORMATS}
        for fmt in FORMATS:
            if missing and store.exists(name(batch, errata, fmt)):
                continue
            try:
                stored(batch, errata, fmt, again=not missing)
                written += 1
            except (PdfUnavailable, Busy) as error:
                logger.warning("export %s of %s not written: %s", fmt, batch.label, error)
                failed += 1
    try:
        folders = store.listdir("")[0]
    except FileNotFoundError:
        folders = []
    for folder in folders:
        for file in _files(store, folder):
            if f"{folder}/{file}" not in current.get(folder, ()):
                store.delete(f"{folder}/{file}")
    return written, failed
