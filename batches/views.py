"""The coordinator's batches: create, compose from the approved pool, order, preview, publish, errata."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
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
from practices.models import Practice
from practices.text import plain_text
from practices.workflow import WorkflowError
from reviews.selectors import days_since

from . import exports, services
from .enums import BatchStatus, EntryScope
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
    elif action in ("remove", "up", "down", "scope") and entry is None:
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
