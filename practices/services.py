"""Writes that concern practices: the city portal's drafts and submissions, importing an announcement."""

import datetime
import hashlib
import os
import zipfile
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from reviews.models import Batch, BatchEntry, BatchStatus

from . import diffs, search
from .bulletin import Bulletin, BulletinError, Known, Note, decode, parse
from .models import (
    Attachment,
    City,
    Indicator,
    Practice,
    PracticeEvent,
    PracticeResult,
    PracticeSnapshot,
    Source,
    Status,
)
from .notifications import coordinators, notify
from .rules import EDITABLE
from .workflow import WorkflowError, transition

CHINESE_ORDINALS = "一二三四五六七八九十"


def ordinal(n: int) -> str:
    """2 → 二, 12 → 十二: batches are named 第二批, as announcements do."""
    if 1 <= n <= 10:
        return CHINESE_ORDINALS[n - 1]
    if n < 20:
        return "十" + CHINESE_ORDINALS[n - 11]
    if n < 100:
        tens, ones = divmod(n, 10)
        return CHINESE_ORDINALS[tens - 1] + "十" + (CHINESE_ORDINALS[ones - 1] if ones else "")
    return str(n)


def default_batch_title(year: int, sequence: int) -> str:
    # Data, not interface: a batch is titled in Chinese whatever language the operator reads.
    return f"{year}年第{ordinal(sequence)}批优化营商环境典型经验做法"


def known_cities() -> list[Known]:
    return [Known(c.name, (c.short_name, *c.aliases)) for c in City.objects.all()]


def known_indicators() -> list[Known]:
    return [Known(i.name, tuple(i.aliases)) for i in Indicator.objects.all()]


def read_bulletin(*, data: bytes, encoding: str = "auto") -> Bulletin:
    """Decode and parse an announcement against the cities and indicators in the database; writes nothing."""
    text, used = decode(data, encoding)
    return parse(text, cities=known_cities(), indicators=known_indicators(), encoding=used)


@dataclass
class ImportResult:
    bulletin: Bulletin
    batch: Batch | None  # None in a dry run


def import_bulletin(
    *,
    data: bytes,
    year: int,
    sequence: int,
    title: str = "",
    date: datetime.date | None = None,
    dry_run: bool = False,
    publish: bool = False,
    replace: bool = False,
    encoding: str = "auto",
    source_name: str = "",
    by=None,
) -> ImportResult:
    """Read an announcement and, unless a dry run, write it as one batch with its practices, all or nothing."""
    if not 2000 <= year <= 2100:
        raise BulletinError(_("年份 %(year)d 不合理。") % {"year": year})
    if sequence < 1:
        raise BulletinError(_("批次序号必须大于 0。"))
    if date and not publish:
        raise BulletinError(_("--date 是发布日期，只能与 --publish 一起使用。"))
    bulletin = read_bulletin(data=data, encoding=encoding)
    existing = Batch.objects.filter(year=year, sequence=sequence).first()
    if dry_run and existing:
        bulletin.warnings.append(
            Note(
                None,
                "batch_exists",
                _("%(year)d年第%(sequence)s批已存在（“%(title)s”）：正式导入需加 --replace。")
                % {"year": year, "sequence": ordinal(sequence), "title": existing.title},
            )
        )
    if not dry_run:
        with search.deferred():  # each item indexed once, at the end of the transaction
            batch = _write(bulletin, year, sequence, title, date, publish, replace, source_name, by)
        return ImportResult(bulletin, batch)
    return ImportResult(bulletin, None)


@transaction.atomic
def _write(bulletin, year, sequence, title, date, publish, replace, source_name, by) -> Batch:
    existing = Batch.objects.select_for_update().filter(year=year, sequence=sequence).first()
    if existing:
        if not replace:
            raise BulletinError(
                _("%(year)d年第%(sequence)s批已存在（“%(title)s”）。如确需覆盖，请加 --replace。")
                % {"year": year, "sequence": ordinal(sequence), "title": existing.title}
            )
        _delete_imported_batch(existing)

    _refuse_unwritable(bulletin)
    cities = {c.name: c for c in City.objects.all()}
    indicators = {i.name: i for i in Indicator.objects.all()}
    status = Status.PUBLISHED if publish else Status.APPROVED
    published_at = None
    if publish:
        published_at = timezone.make_aware(datetime.datetime.combine(date, datetime.time())) if date else timezone.now()
    batch = Batch(
        year=year,
        sequence=sequence,
        title=title or bulletin.title or default_batch_title(year, sequence),
        lead="\n".join(bulletin.lead),
        status=BatchStatus.PUBLISHED if publish else BatchStatus.DRAFT,
        published_at=published_at,
        published_by=by if publish else None,
        source_name=source_name,
        source_encoding=bulletin.encoding,
        source_text=bulletin.original_text,
        import_warnings=[note.as_dict() for note in bulletin.warnings],
    )
    _validate(batch, line=None)
    batch.save()

    events = []
    for item in bulletin.items:
        practice = Practice(
            city=cities[item.city],
            indicator=indicators.get(item.indicator),
            title=item.title,
            body="\n\n".join(item.paragraphs),
            status=status,
            source=Source.IMPORT,
            created_by=by,
            updated_by=by,
        )
        _validate(practice, line=item.line)
        practice.save()
        entry = BatchEntry(
            batch=batch,
            practice=practice,
            number=item.number,
            title=item.title,
            city_name=item.city,
            indicator_name=item.indicator or "",
            body=practice.body,
            original_title=item.original_title[:200],
            original_text="\n".join(item.original_lines),
            warnings=[note.as_dict() for note in item.warnings],
        )
        _validate(entry, line=item.line, exclude=["batch", "practice"])
        entry.save()
        events.append(
            PracticeEvent(
                practice=practice,
                from_status=Status.DRAFT,
                to_status=status,
                actor=by,
                note=f"自公告导入：{batch.title} 第{item.number}项（{source_name or '-'} 第{item.line}行）",
            )
        )
    PracticeEvent.objects.bulk_create(events)
    return batch


def _refuse_unwritable(bulletin: Bulletin):
    """Problems a dry run only warns about but that cannot be written: say which line, write nothing."""
    numbers: dict[int, int] = {}
    for item in bulletin.items:
        if item.city is None:
            raise BulletinError(
                _(
                    "第%(line)d行：第%(number)d项“%(title)s”未能识别城市，无法写入。请在标题开头写明城市，或先在管理后台为城市添加别名。"
                )
                % {"line": item.line, "number": item.number, "title": item.title}
            )
        if item.number in numbers:
            raise BulletinError(
                _("第%(line)d行：序号 %(number)d 与第%(first)d行重复，无法写入。请先更正原文的编号。")
                % {"line": item.line, "number": item.number, "first": numbers[item.number]}
            )
        numbers[item.number] = item.line


def _validate(instance, *, line: int | None, exclude=None):
    try:
        instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        details = "；".join(f"{field}: {'、'.join(messages)}" for field, messages in exc.message_dict.items())
        if line is None:
            raise BulletinError(_("数据不合规：%(details)s") % {"details": details}) from exc
        raise BulletinError(_("第%(line)d行：%(details)s") % {"line": line, "details": details}) from exc


def _delete_imported_batch(batch: Batch):
    """Remove a batch that came from an import, to import it again; refuse if anything else hangs on it."""
    practices = Practice.objects.filter(batch_entry__batch=batch)
    if practices.exclude(source=Source.IMPORT).exists():
        raise BulletinError(_("“%(title)s”包含通过系统填报的经验做法，不能整批替换。") % {"title": batch.title})
    if practices.filter(adoptions__isnull=False).exists():
        raise BulletinError(
            _("“%(title)s”中已有经验做法被其他城市声明复制推广，不能整批替换。") % {"title": batch.title}
        )
    ids = list(practices.values_list("pk", flat=True))
    batch.delete()  # entries go with it
    Practice.objects.filter(pk__in=ids).delete()


# ---------------------------------------------------------------------------------------------------------------
# The city portal


class StaleVersion(Exception):
    """Someone saved the practice since this user opened it; carries what is in the database now."""

    def __init__(self, current: Practice):
        super().__init__(_("此条目已被他人修改，请查看下方的差异后再保存。"))
        self.current = current


class Incomplete(Exception):
    """A practice cannot be submitted yet; carries the missing fields' labels."""

    def __init__(self, missing: list[str]):
        super().__init__(_("提交前请补全：%(fields)s。") % {"fields": "、".join(missing)})
        self.missing = missing


def practice_state(practice: Practice) -> dict:
    """The text of a practice as the diff compares it (see diffs.FIELDS)."""
    results = list(practice.results.values("measure", "before", "after", "unit"))
    return diffs.state(
        title=practice.title,
        indicator=practice.indicator,
        summary=practice.summary,
        body=practice.body,
        outcomes=practice.outcomes,
        results=results,
    )


CITY_FIELDS = ["title", "indicator", "summary", "body", "outcomes", "contact_name", "contact_phone"]


@transaction.atomic
def practice_create(*, city: City, by, data: dict, results: list[dict]) -> Practice:
    """A new draft of the city's, with its result rows."""
    practice = Practice.objects.create(city=city, created_by=by, updated_by=by, **{f: data[f] for f in CITY_FIELDS})
    _replace_results(practice, results)
    return practice


@transaction.atomic
def practice_update(*, practice: Practice, by, data: dict, results: list[dict], seen_version: int) -> Practice:
    """Save the city's edits, unless someone saved since `seen_version`: then StaleVersion, and nothing changes."""
    updated = Practice.objects.filter(pk=practice.pk, version=seen_version, status__in=EDITABLE).update(
        **{f: data[f] for f in CITY_FIELDS},
        version=F("version") + 1,
        updated_by=by,
        updated_at=timezone.now(),
    )
    if updated != 1:
        current = Practice.objects.select_related("indicator").get(pk=practice.pk)
        if current.status not in EDITABLE:
            raise WorkflowError(_("此条目已提交或已撤回，不能再修改。"))
        raise StaleVersion(current)
    practice.refresh_from_db()
    search.index_practices([practice.pk])
    _replace_results(practice, results)
    return practice


def _replace_results(practice: Practice, results: list[dict]):
    practice.results.all().delete()
    PracticeResult.objects.bulk_create(
        PracticeResult(practice=practice, order=i, **{k: row[k] for k in ("measure", "before", "after", "unit")})
        for i, row in enumerate(results)
    )


def missing_for_submission(practice: Practice) -> list[str]:
    required = ["title", "indicator", "summary", "body", "contact_name", "contact_phone"]
    return [str(Practice._meta.get_field(name).verbose_name) for name in required if not getattr(practice, name)]


@transaction.atomic
def practice_submit(*, practice: Practice, by, seen_version: int | None = None) -> Practice:
    """Hand the practice to the province (again, after a revision); the city can no longer edit it.

    With `seen_version`, only the text the official was looking at is submitted: a colleague's newer save
    makes this refuse instead of submitting words the official never read.
    """
    current = Practice.objects.select_for_update(of=("self",)).select_related("city", "indicator").get(pk=practice.pk)
    if seen_version is not None and current.version != seen_version:
        raise StaleVersion(current)
    if missing := missing_for_submission(current):
        raise Incomplete(missing)
    practice = transition(practice=current, to=Status.SUBMITTED, by=by)
    practice.refresh_from_db()
    state = practice_state(practice)
    PracticeSnapshot.objects.create(
        practice=practice,
        round=practice.round,
        attachments=list(practice.attachments.values_list("original_name", flat=True)),
        **{k: state[k] for k in ("title", "indicator_name", "summary", "body", "outcomes", "results")},
    )
    notify(
        coordinators(),
        subject=_("%(city)s提交了经验做法：%(title)s") % {"city": practice.city.name, "title": practice.title},
        message=_("第%(round)d轮，等待分配评审。") % {"round": practice.round},
        link=reverse("review_practice", args=[practice.pk]),
    )
    return practice


def practice_withdraw(*, practice: Practice, by, reason: str) -> Practice:
    """Take a practice back; nothing is deleted, the reason stays on its timeline."""
    return transition(practice=practice, to=Status.WITHDRAWN, by=by, note=reason)


# ---------------------------------------------------------------------------------------------------------------
# Attachments

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
MAX_PRACTICE_ATTACHMENT_BYTES = 50 * 1024 * 1024
MAX_ATTACHMENTS = 10

ATTACHMENT_TYPES = {
    # kind: (content type, file name endings)
    "pdf": ("application/pdf", (".pdf",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", (".docx",)),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (".xlsx",)),
    "jpeg": ("image/jpeg", (".jpg", ".jpeg")),
    "png": ("image/png", (".png",)),
}


class AttachmentRefused(Exception):
    """An upload that is not stored; the message says why, for the user."""


def sniff(head: bytes, file) -> str | None:
    """The kind of file its content shows, whatever its name says."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff"):
        return "jpeg"
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if head.startswith(b"PK\x03\x04"):
        try:
            file.seek(0)
            names = set(zipfile.ZipFile(file).namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            file.seek(0)
        if "[Content_Types].xml" in names:
            if "word/document.xml" in names:
                return "docx"
            if "xl/workbook.xml" in names:
                return "xlsx"
    return None


@transaction.atomic
def attachment_add(*, practice: Practice, upload, by, is_public: bool = False) -> Attachment:
    """Store an uploaded file under a generated name, after checking its size and its real type."""
    name = os.path.basename(upload.name or "")[:200] or "file"
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(
            _("“%(name)s”超过单个附件 %(mb)d MB 的上限。") % {"name": name, "mb": MAX_ATTACHMENT_BYTES // 2**20}
        )
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if locked.status not in EDITABLE:
        raise AttachmentRefused(_("此条目已提交或已撤回，不能再上传附件。"))
    existing = locked.attachments.all()
    if existing.count() >= MAX_ATTACHMENTS:
        raise AttachmentRefused(_("每项经验做法最多 %(n)d 个附件。") % {"n": MAX_ATTACHMENTS})
    if sum(a.size for a in existing) + upload.size > MAX_PRACTICE_ATTACHMENT_BYTES:
        raise AttachmentRefused(_("附件总大小不能超过 %(mb)d MB。") % {"mb": MAX_PRACTICE_ATTACHMENT_BYTES // 2**20})
    upload.seek(0)
    kind = sniff(upload.read(8), upload)
    if kind is None:
        raise AttachmentRefused(
            _("“%(name)s”不是 PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG 文件。") % {"name": name}
        )
    content_type, endings = ATTACHMENT_TYPES[kind]
    if not name.lower().endswith(endings):
        raise AttachmentRefused(
            _("“%(name)s”的内容是 %(kind)s 文件，与文件名不符。请改正扩展名后重新上传。")
            % {"name": name, "kind": kind.upper()}
        )
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        practice=practice,
        original_name=name,
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        is_public=is_public,
        uploaded_by=by,
    )
    attachment.file.save("upload", upload, save=False)
    attachment.save()
    return attachment


def attachment_deletable(attachment: Attachment) -> bool:
    """Only a file added since the practice was last submitted may go: what the province has seen stays."""
    last = attachment.practice.snapshots.order_by("-created_at").first()
    return attachment.practice.status in EDITABLE and (last is None or attachment.uploaded_at > last.created_at)


@transaction.atomic
def attachment_delete(*, attachment: Attachment):
    """Remove a file added since the last submission, file and row."""
    Practice.objects.select_for_update().get(pk=attachment.practice_id)
    attachment.refresh_from_db()
    if not attachment_deletable(attachment):
        raise AttachmentRefused(_("已提交过的附件不能删除。"))
    attachment.delete()
    transaction.on_commit(lambda: attachment.file.delete(save=False))
