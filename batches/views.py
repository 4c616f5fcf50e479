"""The coordinator's batches: create, compose from the approved pool, order, preview, publish, errata; import an
announcement."""

import datetime
import secrets
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import Count
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.timezone import now
from django.utils.translation import gettext as _

from bizenv.web.converters import posted_id, posted_ids
from bizenv.web.files import attachment
from bizenv.web.history import recorded
from bizenv.web.permissions import require
from bizenv.web.sheets import CONTENT_TYPE
from practices.models import Indicator, PendingImport, Practice
from practices.text import plain_text
from practices.workflow import WorkflowError
from reviews.selectors import days_since

from . import exports, services
from .bulletin import Bulletin, BulletinError
from .enums import BatchStatus, EntryScope
from .forms import BulletinUploadForm, ConfirmForm
from .importing import apply_corrections, fingerprint, import_bulletin, notes_on_writing, read_bulletin, refusals
from .models import Batch, BatchEntry
from .selectors import announcement_sections, approved_pool, pool_rows, publication_outlook
from .services import BatchError


@login_required
def batches(request):
    require(request, "batches.manage")
    if request.method == "POST":
        try:
            year = int(request.POST.get("year", ""))
            if not 2000 <= year <= 2100:
                raise ValueError
        except ValueError:
            messages.error(request, _("请填写正确的年份。"))
        else:
            batch = services.batch_create(year=year, by=request.user)
            messages.success(request, _("已新建“%(title)s”。") % {"title": batch.title})
            return redirect("review_batch", pk=batch.pk)
    rows = Batch.objects.annotate(entry_count=Count("entries")).order_by("-year", "-sequence")
    return render(
        request, "batches/batches.html", {"batches": rows, "pool_count": approved_pool().count(), "year": now().year}
    )


@login_required
def batch_compose(request, pk):
    """A draft batch: pick from the approved pool, order, scope, lead; preview; publish. Errata once published."""
    require(request, "batches.manage")
    batch = get_object_or_404(Batch, pk=pk)
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            done = _batch_action(request, batch, action)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            if action == "publish":
                messages.success(request, _("已发布“%(title)s”。") % {"title": batch.title})
                return redirect("batch_detail", year=batch.year, sequence=batch.sequence)
            messages.success(request, done)
        return redirect("review_batch", pk=batch.pk)
    draft = batch.status == BatchStatus.DRAFT
    entries = list(batch.entries.select_related("practice__city", "practice__indicator").order_by("number"))
    today = timezone.localdate()
    rows = pool_rows() if draft else []
    pool = [(practice, summary, days_since(practice.approved_at, today)) for practice, summary in rows]
    context = {
        "batch": batch,
        "entries": entries,
        "pool": pool,
        "lead": batch.lead or services.generated_lead(batch),
        "scopes": EntryScope.choices,
        # To confirm or change a suggested indicator: read only when a draft has one.
        "indicators": list(Indicator.objects.all()) if draft and any(e.indicator_suggested for e in entries) else [],
        "errata": batch.errata.all(),
        "publish_confirm": publish_confirmation(batch, entries) if draft and entries else "",
    }
    return render(request, "batches/compose.html", context)


def publish_confirmation(batch, entries) -> str:
    """What the publish button asks: how many entries, what freezes, who will owe reports."""
    outlook = publication_outlook(entries)
    parts = [
        _("确定发布“%(title)s”吗？本批共 %(n)d 项（全省复制推广 %(replicate)d 项，参考借鉴 %(reference)d 项）。")
        % {
            "title": batch.title,
            "n": outlook.entries,
            "replicate": outlook.replicate,
            "reference": outlook.entries - outlook.replicate,
        },
        _("发布后公众即可看到，内容冻结，不能再修改，更正只能发布勘误。"),
    ]
    if outlook.reports:
        parts.append(
            _("发布后，%(cities)d 个市（区）将承担全省复制推广任务，共 %(reports)d 条，须在截止日期前填报落实情况。")
            % {"cities": outlook.cities, "reports": outlook.reports}
        )
    else:
        parts.append(_("本批没有全省复制推广条目，发布后不产生复制推广任务。"))
    return "".join(parts)


def _batch_action(request, batch, action) -> str:
    """Do what the button asked; the message saying what was done, or BatchError saying why not."""
    post = request.POST
    entry = batch.entries.filter(pk=posted_id(post.get("entry")) or 0).select_related("practice").first()
    if action == "add":
        ids = posted_ids(post.getlist("practice"))
        if ids is None:
            raise BatchError(_("所选的经验做法无效，请刷新后重试。"))
        practices = list(Practice.objects.filter(pk__in=ids))
        if not practices:
            raise BatchError(_("请先勾选要加入的经验做法。"))
        services.batch_add(batch=batch, practices=practices, scope=post.get("scope") or EntryScope.REPLICATE)
        return added_message(batch, practices)
    elif action in ("remove", "up", "down", "scope", "indicator") and entry is None:
        raise BatchError(_("该条目已不在此批次中，请刷新后重试。"))
    elif action == "remove":
        services.batch_remove(entry=entry)
        return _("已将《%(title)s》移出本批次，退回待发布库；其余条目已重新编号。") % {"title": entry.practice.title}
    elif action in ("up", "down"):
        if not services.batch_move(entry=entry, up=action == "up"):
            edge = (
                _("已是本指标下的第一项，不能再上移。") if action == "up" else _("已是本指标下的最后一项，不能再下移。")
            )
            raise BatchError(_("《%(title)s》%(edge)s") % {"title": entry.practice.title, "edge": edge})
        entry.refresh_from_db(fields=["number"])
        return _("已将《%(title)s》移至第%(number)d项。") % {"title": entry.practice.title, "number": entry.number}
    elif action == "scope":
        # Conditional updates: a publication that happened meanwhile makes them change nothing.
        drafts = BatchEntry.objects.filter(pk=entry.pk, batch__status=BatchStatus.DRAFT)
        if post.get("scope") not in EntryScope.values or drafts.update(scope=post["scope"]) != 1:
            raise BatchError(_("无法修改推广范围。"))
        entry.refresh_from_db()
        recorded([entry], by=request.user)
        return _("已将第%(number)d项《%(title)s》的推广范围改为“%(scope)s”。") % {
            "number": entry.number,
            "title": entry.practice.title,
            "scope": entry.get_scope_display(),
        }
    elif action == "indicator":
        asked = posted_id(post.get("indicator"))
        indicator = Indicator.objects.filter(pk=asked).first() if asked else None
        if post.get("indicator") and indicator is None:
            raise BatchError(_("所选的指标不存在，请刷新后重试。"))
        services.entry_set_indicator(entry=entry, indicator=indicator, by=request.user)
        return _("已将第%(number)d项《%(title)s》的指标定为“%(indicator)s”。") % {
            "number": entry.number,
            "title": entry.practice.title,
            "indicator": indicator.name if indicator else _("不归入指标"),
        }
    elif action == "text":
        title = plain_text(post.get("title", "")).strip()
        if not title:
            raise BatchError(_("标题不能为空。"))
        drafts = Batch.objects.filter(pk=batch.pk, status=BatchStatus.DRAFT)
        if drafts.update(title=title[:200], lead=plain_text(post.get("lead", ""))) != 1:
            raise BatchError(_("已发布的批次不能再修改；如需更正请发布勘误。"))
        batch.refresh_from_db()
        recorded([batch], by=request.user)
        if batch.lead:
            return _("标题和导语已保存。")
        return _("标题已保存；导语为空，将按各市条目数自动生成。")
    elif action == "publish":
        services.batch_publish(batch=batch, by=request.user)
        batch.refresh_from_db()
        return ""
    elif action == "erratum":
        asked = posted_id(post.get("corrected_entry"))
        corrected = batch.entries.filter(pk=asked).first() if asked and post.get("scope") else None
        if post.get("scope") and corrected is None:
            raise BatchError(_("请选择要更正推广范围的条目。"))
        services.erratum_add(
            batch=batch, text=post.get("text", ""), by=request.user, entry=corrected, scope=post.get("scope", "")
        )
        return _("已发布勘误。")
    else:
        raise BatchError(_("未知的操作。"))


def added_message(batch, practices) -> str:
    """What adding did, naming each practice with the number it got (已将《…》加入“…”第N项。)."""
    numbers = dict(batch.entries.filter(practice__in=practices).values_list("practice_id", "number"))
    placed = sorted((numbers[p.pk], p.title) for p in practices)
    if len(placed) == 1:
        ((number, title),) = placed
        return _("已将《%(title)s》加入“%(batch)s”第%(number)d项。") % {
            "title": title,
            "batch": batch.title,
            "number": number,
        }
    items = "、".join(_("《%(title)s》第%(number)d项") % {"title": title, "number": n} for n, title in placed)
    return _("已将 %(n)d 项加入“%(batch)s”：%(items)s。") % {"n": len(placed), "batch": batch.title, "items": items}


@login_required
def pool_export(request):
    """The approved pool as .xlsx: each practice with its reviews' weighted totals and the days since approval."""
    require(request, "batches.manage")
    now_here = timezone.localtime()
    title = _("待发布库（%(time)s导出）") % {"time": now_here.strftime("%Y-%m-%d %H:%M")}
    content = exports.pool_xlsx(title, pool_rows(), today=now_here.date())
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = attachment(f"{title}.xlsx")
    return response


@login_required
def batch_preview(request, pk):
    """The draft batch exactly as the public will see it once published."""
    require(request, "batches.manage")
    batch = get_object_or_404(Batch, pk=pk)
    preview = announcement_sections(batch)
    lead = (batch.lead or services.generated_lead(batch)).splitlines()
    # A draft's practices have no public page yet (404 until publication): its items link into the workbench.
    practice_url = "review_practice" if batch.status == BatchStatus.DRAFT else "practice_detail"
    count = sum(len(entries) for _heading, entries in preview)
    context = {
        "batch": batch,
        "sections": preview,
        "entry_count": count,
        "lead": lead,
        "errata": [],
        "practice_url": practice_url,
    }
    return render(request, "batches/preview.html", context)


PENDING_KIND = "bulletin"  # an announcement's file between its preview and its confirmation (practices.PendingImport)
PENDING_HOURS = 2  # how long a preview may be confirmed


@dataclass
class ImportPreview:
    """What the coordinator is shown of a file before confirming it: what was read, and the confirmation form."""

    bulletin: Bulletin
    form: ConfirmForm
    name: str
    refused: dict[int, str]  # item number → why it cannot be written as it is

    def rows(self):
        """Each item with its city and indicator fields and what keeps it from being written, if anything."""
        return [(item, city, indicator, self.refused.get(item.number)) for item, city, indicator in self.form.rows()]


@login_required
def batch_import(request):
    """Upload an announcement → the dry run, every item and warning, with each item's city and indicator to correct
    → confirm: the import, as import_bulletin does it. The file waits in PendingImport between the two."""
    require(request, "batches.manage")
    if request.method == "POST" and "token" in request.POST:
        return _confirm_import(request)
    posted = request.method == "POST"
    form = BulletinUploadForm(
        request.POST if posted else None, request.FILES if posted else None, initial={"year": now().year}
    )
    preview = None
    if posted and form.is_valid():
        upload, options = form.cleaned_data["file"], _options(form.cleaned_data)
        data = upload.read()
        try:
            result = import_bulletin(data=data, source_name=upload.name, dry_run=True, **options)
        except BulletinError as exc:
            form.add_error("file", str(exc))
        else:
            token = _keep(request, upload.name, data)
            confirm = ConfirmForm(
                initial={**options, "token": token, "sha256": result.sha256}, items=result.bulletin.items
            )
            preview = ImportPreview(result.bulletin, confirm, upload.name, refusals(result.bulletin))
    return render(request, "batches/import.html", {"form": form, "preview": preview})


def _options(data: dict) -> dict:
    return {key: data[key] for key in ("year", "sequence", "publish", "replace")}


def _keep(request, name: str, data: bytes) -> str:
    """Keep the uploaded bytes for the confirmation (only the user's latest upload waits); the token that names
    them."""
    expired = timezone.now() - datetime.timedelta(hours=PENDING_HOURS)
    PendingImport.objects.filter(kind=PENDING_KIND, created_at__lt=expired).delete()
    PendingImport.objects.filter(user=request.user, kind=PENDING_KIND).delete()
    token = secrets.token_urlsafe(16)
    PendingImport.objects.create(token=token, user=request.user, name=name[:200], content=data, kind=PENDING_KIND)
    return token


def _confirm_import(request):
    """The confirmation: the file kept at the preview, read again, corrected as chosen, and written; or the preview
    again, with what is wrong."""
    pending = PendingImport.objects.filter(
        token=request.POST.get("token", ""), user=request.user, kind=PENDING_KIND
    ).first()
    if pending is None:
        messages.error(request, _("这次预览已失效（已导入，或之后又上传了文件），未写入任何数据。请重新上传文件。"))
        return redirect("review_batch_import")
    if pending.created_at < timezone.now() - datetime.timedelta(hours=PENDING_HOURS):
        pending.delete()
        messages.error(
            request, _("预览已超过 %(hours)d 小时，已过期，未写入任何数据。请重新上传文件。") % {"hours": PENDING_HOURS}
        )
        return redirect("review_batch_import")
    data = bytes(pending.content)
    if fingerprint(data) != request.POST.get("sha256"):
        messages.error(request, _("文件与预览时的不一致，未写入任何数据。请重新上传文件并核对预览。"))
        return redirect("review_batch_import")
    try:
        bulletin = read_bulletin(data=data, name=pending.name)
    except BulletinError as exc:  # it was read at the preview: only a change of the cities or indicators since
        messages.error(request, str(exc))
        return redirect("review_batch_import")
    form = ConfirmForm(request.POST, items=bulletin.items)
    refused: dict[int, str] = {}
    if form.is_valid():
        options, corrections = _options(form.cleaned_data), form.corrections()
        try:
            apply_corrections(bulletin, corrections)
        except BulletinError as exc:
            form.add_error(None, str(exc))
        else:
            bulletin.warnings += notes_on_writing(sha256=form.cleaned_data["sha256"], **_number(options))
            refused = refusals(bulletin)
        if not form.errors and not refused:
            try:
                batch = _write(pending, data, options, corrections, request.user)
            except BulletinError as exc:
                form.add_error(None, str(exc))
            else:
                if batch is None:
                    messages.error(request, _("这份文件已经确认导入过了，未重复写入。"))
                    return redirect("review_batches")
                return _imported(request, batch)
    preview = ImportPreview(bulletin, form, pending.name, refused)
    return render(request, "batches/import.html", {"form": BulletinUploadForm(), "preview": preview})


def _number(options: dict) -> dict:
    return {key: options[key] for key in ("year", "sequence", "replace")}


def _write(pending, data: bytes, options: dict, corrections, by):
    """Claim the pending upload and import it, in one transaction: of two confirmations at once, one writes and
    the other gets None; if the import fails, the upload still waits."""
    with transaction.atomic():
        if PendingImport.objects.filter(pk=pending.pk).delete()[0] != 1:
            return None
        return import_bulletin(data=data, source_name=pending.name, corrections=corrections, by=by, **options).batch


def _imported(request, batch):
    count = batch.entries.count()
    messages.success(request, _("已导入“%(title)s”，共 %(n)d 项。") % {"title": batch.title, "n": count})
    if batch.status == BatchStatus.PUBLISHED:
        return redirect("batch_detail", year=batch.year, sequence=batch.sequence)
    return redirect("review_batch", pk=batch.pk)
