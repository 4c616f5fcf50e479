"""The coordinator's batches: create, compose from the approved pool, order, preview, publish, errata."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.timezone import now
from django.utils.translation import gettext as _

from bizenv.web.converters import posted_id, posted_ids
from bizenv.web.history import recorded
from bizenv.web.permissions import require
from practices.models import Practice
from practices.workflow import WorkflowError

from . import services
from .enums import BatchStatus, EntryScope
from .models import Batch, BatchEntry
from .selectors import announcement_sections, approved_pool
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
            _batch_action(request, batch, action)
        except WorkflowError as exc:
            messages.error(request, str(exc))
        else:
            if action == "publish":
                messages.success(request, _("已发布“%(title)s”。") % {"title": batch.title})
                return redirect("batch_detail", year=batch.year, sequence=batch.sequence)
        return redirect("review_batch", pk=batch.pk)
    entries = batch.entries.select_related("practice__city", "practice__indicator").order_by("number")
    context = {
        "batch": batch,
        "entries": entries,
        "pool": approved_pool() if batch.status == BatchStatus.DRAFT else [],
        "lead": batch.lead or services.generated_lead(batch),
        "scopes": EntryScope.choices,
        "errata": batch.errata.all(),
    }
    return render(request, "batches/compose.html", context)


def _batch_action(request, batch, action):
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
    elif action in ("remove", "up", "down", "scope") and entry is None:
        raise BatchError(_("该条目已不在此批次中，请刷新后重试。"))
    elif action == "remove":
        services.batch_remove(entry=entry)
    elif action in ("up", "down"):
        services.batch_move(entry=entry, up=action == "up")
    elif action == "scope":
        # Conditional updates: a publication that happened meanwhile makes them change nothing.
        drafts = BatchEntry.objects.filter(pk=entry.pk, batch__status=BatchStatus.DRAFT)
        if post.get("scope") not in EntryScope.values or drafts.update(scope=post["scope"]) != 1:
            raise BatchError(_("无法修改推广范围。"))
        entry.refresh_from_db()
        recorded([entry], by=request.user)
    elif action == "text":
        title = post.get("title", "").strip()
        if not title:
            raise BatchError(_("标题不能为空。"))
        drafts = Batch.objects.filter(pk=batch.pk, status=BatchStatus.DRAFT)
        if drafts.update(title=title[:200], lead=post.get("lead", "").strip()) != 1:
            raise BatchError(_("已发布的批次不能再修改；如需更正请发布勘误。"))
        batch.refresh_from_db()
        recorded([batch], by=request.user)
    elif action == "publish":
        services.batch_publish(batch=batch, by=request.user)
        batch.refresh_from_db()
    elif action == "erratum":
        asked = posted_id(post.get("corrected_entry"))
        corrected = batch.entries.filter(pk=asked).first() if asked and post.get("scope") else None
        if post.get("scope") and corrected is None:
            raise BatchError(_("请选择要更正推广范围的条目。"))
        services.erratum_add(
            batch=batch, text=post.get("text", ""), by=request.user, entry=corrected, scope=post.get("scope", "")
        )
    else:
        raise BatchError(_("未知的操作。"))


@login_required
def batch_preview(request, pk):
    """The draft batch exactly as the public will see it once published."""
    require(request, "batches.manage")
    batch = get_object_or_404(Batch, pk=pk)
    preview = announcement_sections(batch)
    lead = (batch.lead or services.generated_lead(batch)).splitlines()
    count = sum(len(entries) for _heading, entries in preview)
    context = {"batch": batch, "sections": preview, "entry_count": count, "lead": lead, "errata": []}
    return render(request, "batches/preview.html", context)
