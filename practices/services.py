"""Writes of the city portal: drafts, saving with the version check, submitting, withdrawing, attachments; accounts
and notification preferences; the cities that stand for regions outside the province."""

import hashlib
import os
import uuid
import zipfile
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bizenv.web.accounts import send_invitation
from bizenv.web.history import recorded

from . import search
from .diffs import practice_state
from .enums import EDITABLE, CityKind, Status
from .models import (
    Attachment,
    City,
    Membership,
    NotificationPreference,
    Practice,
    PracticeResult,
    PracticeSnapshot,
)
from .regions import Region
from .signals import practice_submitted
from .workflow import WorkflowError, transition

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


CITY_FIELDS = ["title", "indicator", "summary", "body", "outcomes", "contact_name", "contact_phone"]


def practice_create(
    *, city: City, by, data: dict, results: list[dict], uploads=(), attachments_public: bool = False
) -> Practice:
    """A new draft of the city's, with its result rows and attachments, all or nothing: a file refused
    (AttachmentRefused) leaves no draft, and no file of it in storage."""
    stored = []
    try:
        with transaction.atomic():
            practice = Practice.objects.create(
                city=city, created_by=by, updated_by=by, **{f: data[f] for f in CITY_FIELDS}
            )
            _replace_results(practice, results, by=by)
            for upload in uploads:
                stored.append(attachment_add(practice=practice, upload=upload, by=by, is_public=attachments_public))
    except BaseException:
        for attachment in stored:  # written to storage before the transaction rolled back
            attachment.file.delete(save=False)
        raise
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
    recorded([practice], by=by)
    search.index_practices([practice.pk])
    _replace_results(practice, results, by=by)
    return practice


def _replace_results(practice: Practice, results: list[dict], *, by):
    practice.results.all().delete()
    rows = PracticeResult.objects.bulk_create(
        PracticeResult(practice=practice, order=i, **{k: row[k] for k in ("measure", "before", "after", "unit")})
        for i, row in enumerate(results)
    )
    recorded(rows, by=by, created=True)


# What a practice must say before it is submitted: practice_submit() checks it, the form marks these fields.
REQUIRED_FOR_SUBMISSION = ("title", "indicator", "summary", "body", "contact_name", "contact_phone")


def missing_for_submission(practice: Practice) -> list[str]:
    """The labels of the fields submission needs that the practice leaves empty, in form order."""
    return [
        str(Practice._meta.get_field(name).verbose_name)
        for name in REQUIRED_FOR_SUBMISSION
        if not getattr(practice, name)
    ]


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
    practice_submitted.send(sender=Practice, practice=practice, by=by)
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


@dataclass
class CheckedUpload:
    name: str  # the uploader's file name, as data only
    content_type: str  # from the content, never from the name
    sha256: str


def check_upload(upload) -> CheckedUpload:
    """An uploaded file's name, real type and digest, after checking its size and that its content is a PDF, Word,
    Excel, JPEG or PNG file whose name says so; AttachmentRefused with the reason otherwise."""
    name = os.path.basename(upload.name or "")[:200] or "file"
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise AttachmentRefused(
            _("“%(name)s”超过单个附件 %(mb)d MB 的上限。") % {"name": name, "mb": MAX_ATTACHMENT_BYTES // 2**20}
        )
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
    return CheckedUpload(name, content_type, digest.hexdigest())


@transaction.atomic
def attachment_add(*, practice: Practice, upload, by, is_public: bool = False) -> Attachment:
    """Store an uploaded file under a generated name, after checking its size and its real type."""
    checked = check_upload(upload)
    locked = Practice.objects.select_for_update().get(pk=practice.pk)
    if locked.status not in EDITABLE:
        raise AttachmentRefused(_("此条目已提交或已撤回，不能再上传附件。"))
    existing = locked.attachments.all()
    if existing.count() >= MAX_ATTACHMENTS:
        raise AttachmentRefused(_("每项经验做法最多 %(n)d 个附件。") % {"n": MAX_ATTACHMENTS})
    if sum(a.size for a in existing) + upload.size > MAX_PRACTICE_ATTACHMENT_BYTES:
        raise AttachmentRefused(_("附件总大小不能超过 %(mb)d MB。") % {"mb": MAX_PRACTICE_ATTACHMENT_BYTES // 2**20})
    attachment = Attachment(
        practice=practice,
        original_name=checked.name,
        content_type=checked.content_type,
        size=upload.size,
        sha256=checked.sha256,
        is_public=is_public,
        uploaded_by=by,
    )
    attachment.file.save(f"{practice.pk}/{uuid.uuid4().hex}", upload, save=False)
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


@transaction.atomic
def invite_user(*, username: str, name: str, email: str, role: str, city: City | None, by):
    """A new account without a password, in its role's group and city; once saved, an email with the one-time
    link to set the password (bizenv.web.accounts.send_invitation)."""
    user = get_user_model()(username=username, first_name=name, email=email)
    user.set_unusable_password()
    user.save()
    user.groups.add(Group.objects.get_or_create(name=role)[0])
    Membership.objects.create(user=user, city=city)
    transaction.on_commit(lambda: send_invitation(user, by=by))
    return user


# ---------------------------------------------------------------------------------------------------------------
# Notifications


@transaction.atomic
def set_notification_preference(*, user, email: bool) -> NotificationPreference:
    """Whether the user's notifications also come by email; the inbox always has them."""
    preference = NotificationPreference.objects.select_for_update().filter(user=user).first()
    if preference is None:
        try:
            with transaction.atomic():
                return _save_preference(NotificationPreference(user=user), user=user, email=email)
        except IntegrityError:  # the same user's other click created it a moment ago: change that one
            preference = NotificationPreference.objects.select_for_update().get(user=user)
    if preference.email == email:
        return preference
    return _save_preference(preference, user=user, email=email)


def _save_preference(preference: NotificationPreference, *, user, email: bool) -> NotificationPreference:
    preference.email = email
    preference._history_user = user  # its history row names who changed it, in a request or not
    preference.save()
    return preference


# ---------------------------------------------------------------------------------------------------------------
# Regions outside the province

# Listed after the province's own cities (whose order is in the tens and hundreds), among themselves by code.
OUTSIDE_ORDER = 10000


@transaction.atomic
def outside_city(region: Region) -> City:
    """The City a region outside the province is listed under: the one with its code, else a new one of kind
    OUTSIDE, inactive (it owes no 复制推广) and never anyone's city (Membership.clean)."""
    city = City.objects.filter(code=region.code).first()
    if city is not None:
        return city
    name = region.display_name
    if City.objects.filter(name=name).exists():  # one of the province's own has that name: say where this one is
        name = region.full_name
    city = City(
        code=region.code,
        name=name[:50],
        short_name=region.short_name[:20],
        kind=CityKind.OUTSIDE,
        active=False,
        order=OUTSIDE_ORDER,
        aliases=[spelling for spelling in dict.fromkeys((region.full_name, *region.aliases)) if spelling != name],
    )
    try:
        with transaction.atomic():
            city.save()
    except IntegrityError:  # another import created it a moment ago
        return City.objects.get(code=region.code)
    return city
