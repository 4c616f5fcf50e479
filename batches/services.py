"""Composing and publishing batches ("成熟一批、推出一批") and their errata: writes, each in one transaction."""

from functools import partial

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from bizenv.web.history import recorded
from practices import search
from practices.enums import Source, Status
from practices.models import Indicator, Practice
from practices.search import similar
from practices.text import plain_text
from practices.workflow import StaleState, WorkflowError, transition

from . import exportfiles
from .announcement import default_batch_title, lead_paragraph
from .enums import BatchStatus, EntryScope
from .models import Batch, BatchEntry, Erratum
from .signals import batch_published, entry_scope_changed


class BatchError(WorkflowError):
    """A step in composing or publishing a batch that cannot happen; the message is for the user."""


RENUMBER_OFFSET = 10000  # above any real number, within a smallint (32767)


@transaction.atomic
def batch_create(*, year: int, by=None) -> Batch:
    """A new draft batch for the year, numbered after the year's last one, with the default title."""
    # Lock the year's batches (PostgreSQL allows no FOR UPDATE with an aggregate); the unique (year, sequence)
    # constraint is the last word if two are created at once.
    last = max(Batch.objects.select_for_update().filter(year=year).values_list("sequence", flat=True), default=0)
    return Batch.objects.create(year=year, sequence=last + 1, title=default_batch_title(year, last + 1))


def _draft(batch: Batch) -> Batch:
    locked = Batch.objects.select_for_update().get(pk=batch.pk)
    if locked.status != BatchStatus.DRAFT:
        raise BatchError(_("已发布的批次不能再修改；如需更正请发布勘误。"))
    return locked


def renumber(batch: Batch):
    """Numbers run 1…N across the batch: indicators in their official order, the manual order within each."""
    entries = list(batch.entries.select_related("practice__indicator").order_by("number"))
    entries.sort(key=lambda e: (e.practice.indicator.order if e.practice.indicator else 10**6, e.number))
    # Two steps, so the unique (batch, number) never sees two entries with one number on the way.
    for entry in entries:
        entry.number += RENUMBER_OFFSET
    BatchEntry.objects.bulk_update(entries, ["number"])
    for new, entry in enumerate(entries, start=1):
        entry.number = new
    BatchEntry.objects.bulk_update(entries, ["number"])


@transaction.atomic
def batch_add(*, batch: Batch, practices, scope: str = EntryScope.REPLICATE) -> int:
    """Put approved practices from the pool into a draft batch, each at the end of its indicator."""
    batch = _draft(batch)
    ids = [p.pk for p in practices]
    free = Practice.objects.filter(pk__in=ids, status=Status.APPROVED, batch_entry=None)
    ready = list(free.select_for_update(of=("self",)))
    ready.sort(key=lambda p: ids.index(p.pk))  # in the order given: that is the manual order within an indicator
    if len(ready) != len(ids):
        raise BatchError(_("所选经验做法中有的已不在待发布库（已被其他批次选用或状态已变），请刷新后重试。"))
    start = (batch.entries.aggregate(n=Max("number"))["n"] or 0) + 1
    BatchEntry.objects.bulk_create(
        BatchEntry(batch=batch, practice=p, number=start + i, scope=scope) for i, p in enumerate(ready)
    )
    renumber(batch)
    return len(ready)


@transaction.atomic
def batch_remove(*, entry: BatchEntry):
    """Take a practice out of a draft batch; it goes back to the pool for a later batch."""
    batch = _draft(entry.batch)
    entry.delete()
    renumber(batch)


@transaction.atomic
def batch_move(*, entry: BatchEntry, up: bool) -> bool:
    """Move an entry one place up or down within its indicator; False when it is already first (last) there."""
    batch = _draft(entry.batch)
    siblings = list(
        batch.entries.filter(practice__indicator=entry.practice.indicator)
        .order_by("number")
        .values_list("pk", "number")
    )
    index = [pk for pk, _n in siblings].index(entry.pk)
    other = index - 1 if up else index + 1
    if 0 <= other < len(siblings):
        a, b = BatchEntry.objects.get(pk=siblings[index][0]), BatchEntry.objects.get(pk=siblings[other][0])
        a.number, b.number = b.number + RENUMBER_OFFSET, a.number
        a.save(update_fields=["number"])
        b.save(update_fields=["number"])
        a.number -= RENUMBER_OFFSET
        a.save(update_fields=["number"])
        return True
    return False


def generated_lead(batch: Batch) -> str:
    rows = {}
    for entry in batch.entries.select_related("practice__city"):
        city = entry.practice.city
        name, order, n = rows.get(city.pk, (city.name, city.order, 0))
        rows[city.pk] = (name, order, n + 1)
    return lead_paragraph(list(rows.values())) if rows else ""


@transaction.atomic
def batch_publish(*, batch: Batch, by, title: str | None = None, lead: str | None = None) -> Batch:
    """Freeze what is published, publish the practices, record who and when; once only, never empty."""
    updated = Batch.objects.filter(pk=batch.pk, status=BatchStatus.DRAFT).update(
        status=BatchStatus.PUBLISHED, published_at=timezone.now(), published_by=by
    )
    if updated != 1:
        raise StaleState(_("此批次已发布，不能重复发布。"))
    batch.refresh_from_db()
    entries = list(batch.entries.select_related("practice__city", "practice__indicator").order_by("number"))
    if not entries:
        raise BatchError(_("批次中没有任何经验做法，不能发布。"))
    for entry in entries:
        practice = entry.practice
        entry.title = practice.title
        entry.city_name = practice.city.name
        if practice.source != Source.IMPORT:  # an imported item keeps its heading as the import wrote it
            entry.indicator_name = practice.indicator.name if practice.indicator else ""
        entry.summary = practice.summary
        entry.body = practice.body
        entry.outcomes = practice.outcomes
        entry.results = list(practice.results.values("measure", "before", "after", "unit"))
        if practice.status != Status.PUBLISHED:
            transition(practice=practice, to=Status.PUBLISHED, by=by, note=batch.title)
    BatchEntry.objects.bulk_update(
        entries, ["title", "city_name", "indicator_name", "summary", "body", "outcomes", "results"]
    )
    recorded(entries, by=by)
    search.index_practices(entry.practice_id for entry in entries)  # the frozen text is what the public searches
    similar.remember(entry.practice_id for entry in entries)  # and what their pages list as similar, both ways
    batch.title = title or batch.title
    batch.lead = lead if lead is not None else (batch.lead or generated_lead(batch))
    if batch.announced_on is None and not batch.source_text:
        # Composed here, it is announced today; an imported announcement keeps its own date, or none.
        batch.announced_on = timezone.localdate(batch.published_at)
    batch._history_user = by  # its history row: published, by whom (the save below writes it)
    batch.save(update_fields=["title", "lead", "announced_on"])
    batch_published.send(sender=Batch, batch=batch, by=by)
    transaction.on_commit(partial(exportfiles.tidy, batch.year, batch.sequence))  # the worker writes the exports
    return batch


@transaction.atomic
@transaction.atomic
def entry_set_indicator(*, entry: BatchEntry, indicator: Indicator | None, by) -> BatchEntry:
    """The coordinator's choice of an entry's indicator in a draft batch: it classifies the practice, confirms a
    suggestion, and heads the item in the announcement."""
    drafts = BatchEntry.objects.filter(pk=entry.pk, batch__status=BatchStatus.DRAFT)
    if drafts.update(indicator_suggested=False, indicator_name=indicator.name if indicator else "") != 1:
        raise BatchError(_("已发布的批次不能再修改；如需更正请发布勘误。"))
    Practice.objects.filter(pk=entry.practice_id).update(indicator=indicator, updated_by=by)
    entry.refresh_from_db()
    entry.practice.refresh_from_db()
    recorded([entry], by=by)
    recorded([entry.practice], by=by)
    return entry


def erratum_add(*, batch: Batch, text: str, by, entry: BatchEntry | None = None, scope: str = "") -> Erratum:
    """A dated correction to a published batch; the published text stays as it was. It may also correct one
    entry's scope (全省复制推广 ↔ 参考借鉴): the erratum then says so, and what the cities owe follows."""
    if batch.status != BatchStatus.PUBLISHED:
        raise BatchError(_("只有已发布的批次可以发布勘误；草稿批次请直接修改。"))
    text = plain_text(text)
    if not text:
        raise BatchError(_("请填写勘误内容。"))
    if entry is not None and scope:
        if scope not in EntryScope.values or entry.batch_id != batch.pk:
            raise BatchError(_("无法修改推广范围。"))
        entry = BatchEntry.objects.select_for_update().get(pk=entry.pk)
        if entry.scope != scope:
            was = entry.get_scope_display()
            entry.scope = scope
            entry.save(update_fields=["scope"])
            change = _("第%(n)d项推广范围由“%(was)s”更正为“%(now)s”。")
            text += "\n" + change % {"n": entry.number, "was": was, "now": entry.get_scope_display()}
            entry_scope_changed.send(sender=BatchEntry, entry=entry, by=by)
    erratum = Erratum.objects.create(batch=batch, text=text, created_by=by)
    # The next request already asks for the new files: the old ones go, the worker writes the new ones.
    transaction.on_commit(partial(exportfiles.tidy, batch.year, batch.sequence))
    return erratum
