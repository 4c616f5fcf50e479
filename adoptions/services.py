"""Writes of 复制推广: what publishing a batch makes each city owe, a city's report on a row, the coordinator's
excuse, reminders and deadline. Each runs in one transaction; a report, an excuse and a reminder write an event on
each row they touch (what is owed changing with a scope or a city does not: the batch's errata and the city's
history say why)."""

import datetime
import uuid
from typing import NamedTuple

from django.db import transaction
from django.db.models import Expression, F
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from batches.enums import EntryScope
from batches.models import Batch, BatchEntry
from bizenv.web.history import recorded
from practices.enums import Status
from practices.models import City, Practice
from practices.notifications import Notice, city_officials, notify, notify_all, officials_by_city
from practices.services import AttachmentRefused, check_upload
from practices.text import plain_text

from .enums import AdoptionStatus
from .models import Adoption, AdoptionEvent, AdoptionPlan, AdoptionResult, Generation, ledger_order
from .selectors import overdue_by_city

DEADLINE_DAYS = 90  # after publication, unless the coordinator sets another date


class AdoptionError(Exception):
    """A report, excuse or deadline that cannot be written; the message is for the user, `field` names the form
    field (or spreadsheet column) it is about, if one; `problems` lists every (field, message) when there are
    several (a report missing both its date and its result), the first being `field` and the message."""

    def __init__(self, message: str, *, field: str | None = None, problems: list[tuple[str | None, str]] = ()):
        super().__init__(message)
        self.field = field
        self.problems = list(problems) or [(field, message)]


class StaleAdoption(AdoptionError):
    """Someone saved the row since this user opened it; carries what is in the database now (None: the row is
    gone)."""

    def __init__(self, current: Adoption | None):
        super().__init__(_("此记录已被他人修改，请刷新后查看最新内容再填报。"))
        self.current = current


class ReportsRefused(AdoptionError):
    """Reports that report_all() would not write: `refused` maps each such row's id to its AdoptionError (the
    first of them is this error's message); none of the reports was written."""

    def __init__(self, refused: dict[int, AdoptionError]):
        first = next(iter(refused.values()))
        super().__init__(str(first), field=first.field, problems=first.problems)
        self.refused = refused


def changed():
    """Raise the statistics' generation, inside the caller's transaction: a cached figure is read under the
    generation it was computed at, so the next reader after this commits computes afresh."""
    if not Generation.objects.filter(pk=1).update(value=F("value") + 1):
        Generation.objects.get_or_create(pk=1, defaults={"value": 1})


def generation() -> int:
    """The statistics' current generation (see changed())."""
    return Generation.objects.filter(pk=1).values_list("value", flat=True).first() or 0


def untouched():
    """Rows as publishing made them: nobody has reported on them or excused them."""
    return Adoption.objects.filter(status=AdoptionStatus.NOT_STARTED, excused_at__isnull=True, version=1)


@transaction.atomic
def create_obligations(*, batch: Batch, by=None) -> int:
    """Every 全省复制推广 entry of a published batch is owed by every active city but the practice's own: the
    missing rows are created (a row a city had reported of its own accord becomes owed, report kept), and the
    batch gets its deadline. Running it again creates nothing twice."""
    entries = list(
        batch.entries.filter(scope=EntryScope.REPLICATE).values_list("practice_id", "practice__city_id", "number")
    )
    practice_ids = [practice for practice, _own, _number in entries]
    cities = list(City.objects.filter(active=True).values_list("pk", flat=True))
    existing = set(Adoption.objects.filter(practice_id__in=practice_ids).values_list("practice_id", "city_id"))
    rows = Adoption.objects.bulk_create(
        Adoption(
            practice_id=practice,
            city_id=city,
            owed=True,
            updated_by=by,
            order=ledger_order(batch.year, batch.sequence, number),
        )
        for practice, own, number in entries
        for city in cities
        if city != own and (practice, city) not in existing
    )
    recorded(rows, by=by, created=True)
    Adoption.objects.filter(practice_id__in=practice_ids, owed=False, city__active=True).update(owed=True)
    AdoptionEvent.objects.bulk_create(
        AdoptionEvent(adoption=row, kind=AdoptionEvent.Kind.CREATED, to_status=row.status, actor=by) for row in rows
    )
    # DEADLINE_DAYS from publication, or from today for an announcement published long ago and imported now: a city
    # is never overdue on the day it learns what it owes.
    today = timezone.localdate()
    start = max(timezone.localdate(batch.published_at), today) if batch.published_at else today
    AdoptionPlan.objects.get_or_create(
        batch=batch, defaults={"deadline": start + datetime.timedelta(days=DEADLINE_DAYS), "updated_by": by}
    )
    changed()
    return len(rows)


class _Entry(NamedTuple):
    number: int
    title: str
    city_name: str
    scope: str
    practice_id: int
    city_id: int


def tell_cities(*, batch: Batch) -> None:
    """A published batch reaches every active city's officials: its practices, numbered, with their cities, and
    what their city now owes under 复制推广 (by when), linking to their 台账; a city whose practices it publishes
    is also told so, linking to the public page. Every message in one write, whatever the number of cities."""
    entries = [
        _Entry(*row)
        for row in batch.entries.order_by("number").values_list(
            "number", "title", "city_name", "scope", "practice_id", "practice__city_id"
        )
    ]
    number = {entry.practice_id: entry.number for entry in entries}
    cities = list(City.objects.filter(active=True).order_by("order", "code"))
    officials = officials_by_city(cities)
    owed: dict[int, list[int]] = {}
    rows = Adoption.objects.filter(practice_id__in=number, owed=True, excused_at__isnull=True)
    for city_id, practice_id in rows.values_list("city_id", "practice_id"):
        owed.setdefault(city_id, []).append(number[practice_id])
    deadline = AdoptionPlan.objects.filter(batch=batch).values_list("deadline", flat=True).first()
    scopes = dict(EntryScope.choices)
    ledger = reverse("city_adoptions") + f"?batch={batch.year}-{batch.sequence}"
    told = [(city, officials[city.pk]) for city in cities if officials.get(city.pk)]

    def notices() -> list[Notice]:  # in each language: see notify_all()
        listing = "\n".join(
            _("%(number)d、%(title)s（%(city)s，%(scope)s）")
            % {"number": e.number, "title": e.title, "city": e.city_name, "scope": scopes.get(e.scope, "")}
            for e in entries
        )
        written = []
        for city, people in told:
            numbers = sorted(owed.get(city.pk, []))
            if numbers and deadline:
                duty = _(
                    "你市须在%(date)s前，在复制推广台账中报告其中 %(n)d 项"
                    "全省复制推广经验做法的落实情况：第%(numbers)s项。"
                ) % {
                    "date": formats.date_format(deadline, "DATE_FORMAT"),
                    "n": len(numbers),
                    "numbers": "、".join(map(str, numbers)),
                }
            else:
                duty = _("本批次没有需要你市报告落实情况的全省复制推广经验做法。")
            written.append(
                Notice(
                    people,
                    subject=_("%(batch)s已发布") % {"batch": batch.title},
                    message=_("本批次共 %(n)d 项：") % {"n": len(entries)} + "\n" + listing + "\n\n" + duty,
                    link=ledger,
                )
            )
            own = [entry for entry in entries if entry.city_id == city.pk]
            if own:
                written.append(_own_published(batch, own, people, scopes))
        return written

    notify_all(notices)


def _own_published(batch: Batch, own: list[_Entry], people: list, scopes: dict) -> Notice:
    """A city told that its practices are in a published batch, and where the public reads them."""
    if len(own) == 1:
        entry = own[0]
        return Notice(
            people,
            subject=_("你市的《%(title)s》已收入%(batch)s（第%(number)d项）")
            % {"title": entry.title, "batch": batch.title, "number": entry.number},
            message=_("已在网站公开发布，推广范围：%(scope)s。") % {"scope": scopes.get(entry.scope, "")},
            link=reverse("practice_detail", args=[entry.practice_id]),
        )
    lines = [
        _("第%(number)d项《%(title)s》（%(scope)s）")
        % {"number": e.number, "title": e.title, "scope": scopes.get(e.scope, "")}
        for e in own
    ]
    return Notice(
        people,
        subject=_("你市 %(n)d 项经验做法已收入%(batch)s") % {"n": len(own), "batch": batch.title},
        message="\n".join([*lines, _("均已在网站公开发布。")]),
        link=reverse("batch_detail", args=[batch.year, batch.sequence]),
    )


def check_report(status: str, adopted_on, result: str, reason: str):
    """What a report must say for its status; AdoptionError naming every field that does not say it otherwise."""
    if status not in AdoptionStatus.values:
        raise AdoptionError(_("未知的状态“%(status)s”。") % {"status": status}, field="status")
    problems = []
    if status == AdoptionStatus.ADOPTED:
        if adopted_on is None:
            problems.append(("adopted_on", _("“已落地”须填写落地日期。")))
        elif adopted_on > timezone.localdate():
            problems.append(("adopted_on", _("落地日期不能晚于今天。")))
        if not result.strip():
            problems.append(("result", _("“已落地”须填写本地成效。")))
    if status == AdoptionStatus.NOT_APPLICABLE and not reason.strip():
        problems.append(("reason", _("“暂不适用”须说明原因。")))
    if problems:
        field, message = problems[0]
        raise AdoptionError(message, field=field, problems=problems)


@transaction.atomic
def report(
    *,
    adoption: Adoption,
    by,
    status: str,
    seen_version: int,
    adopted_on: datetime.date | None = None,
    result: str = "",
    reason: str = "",
    results: list[dict] | None = None,
    evidence=None,
    drop_evidence: bool = False,
) -> Adoption:
    """A city's report on its row, unless someone saved the row since `seen_version`: then StaleAdoption, and
    nothing changes. A date, result and measured results belong to 已落地 only, a reason to 暂不适用 only.
    `results` None keeps the measured results as they are (a report from the spreadsheet, which has no such
    column); `evidence` is an upload that replaces the row's evidence file, `drop_evidence` removes it."""
    check_report(status, adopted_on, result, reason)
    checked = None
    if evidence is not None:
        try:
            checked = check_upload(evidence)
        except AttachmentRefused as exc:
            raise AdoptionError(str(exc), field="evidence") from exc
    adopted = status == AdoptionStatus.ADOPTED
    before = Adoption.objects.select_for_update().get(pk=adoption.pk)
    if before.excused_at is not None:
        raise AdoptionError(_("此记录已由省级免于填报。"))
    updated = Adoption.objects.filter(pk=adoption.pk, version=seen_version).update(
        status=status,
        adopted_on=adopted_on if adopted else None,
        result=plain_text(result) if adopted else "",
        reason=plain_text(reason) if status == AdoptionStatus.NOT_APPLICABLE else "",
        version=F("version") + 1,
        updated_by=by,
        updated_at=timezone.now(),
    )
    if updated != 1:
        raise StaleAdoption(before)
    if not adopted:
        AdoptionResult.objects.filter(adoption=adoption).delete()
    elif results is not None:
        AdoptionResult.objects.filter(adoption=adoption).delete()
        rows = AdoptionResult.objects.bulk_create(
            AdoptionResult(adoption=adoption, order=i, **{k: row[k] for k in ("measure", "before", "after", "unit")})
            for i, row in enumerate(results)
        )
        recorded(rows, by=by, created=True)
    if checked is not None or (drop_evidence and before.evidence):
        _replace_evidence(before, evidence, checked)
    AdoptionEvent.objects.create(
        adoption=adoption, kind=AdoptionEvent.Kind.REPORTED, from_status=before.status, to_status=status, actor=by
    )
    adoption.refresh_from_db()
    recorded([adoption], by=by)
    changed()
    return adoption


# Rows per UPDATE of report_all(): SQLite takes 999 values a statement, and each row gives nine (_ByRow).
UPDATE_ROWS = 100


class _ByRow(Expression):
    """A column's value for each of these rows, as one CASE on their primary key: what QuerySet.bulk_update()
    writes, without its filter per row and column (a 500-row spreadsheet spent a second there). The column
    itself in the ELSE gives the CASE its type on PostgreSQL."""

    def __init__(self, rows: list, name: str):
        super().__init__(output_field=rows[0]._meta.get_field(name))
        self.rows = rows

    def as_sql(self, compiler, connection):
        column = self.output_field
        params = []
        for row in self.rows:
            params += [row.pk, column.get_db_prep_save(getattr(row, column.attname), connection)]
        quote = connection.ops.quote_name
        pk = quote(column.model._meta.pk.column)
        return f"CASE {pk}{' WHEN %s THEN %s' * len(self.rows)} ELSE {quote(column.column)} END", params


class Report(NamedTuple):
    """One row's report among many (report_all()): what report() takes, without measured results or evidence."""

    adoption: Adoption
    seen_version: int
    status: str
    adopted_on: datetime.date | None = None
    result: str = ""
    reason: str = ""


@transaction.atomic
def report_all(*, reports: list[Report], by) -> list[Adoption]:
    """Many rows' reports at once (a city's spreadsheet, each row once), each as report() writes it: all of them,
    or none if any is refused (what it says does not fit its status, the row is excused, or someone saved it since
    `seen_version`), and then ReportsRefused says why for each. Rows, events and history are written in bulk and
    the statistics' generation raised once, not once a row. Returns the rows as they now are."""
    if not reports:
        return []
    current = Adoption.objects.select_for_update().in_bulk([r.adoption.pk for r in reports])
    refused: dict[int, AdoptionError] = {}
    for r in reports:
        before = current.get(r.adoption.pk)
        try:
            check_report(r.status, r.adopted_on, r.result, r.reason)
            if before is not None and before.excused_at is not None:
                raise AdoptionError(_("此记录已由省级免于填报。"))
            if before is None or before.version != r.seen_version:
                raise StaleAdoption(before)
        except AdoptionError as exc:
            refused[r.adoption.pk] = exc
    if refused:
        raise ReportsRefused(refused)
    now = timezone.now()
    rows, events = [], []
    for r in reports:
        row = current[r.adoption.pk]
        events.append(
            AdoptionEvent(
                adoption=row, kind=AdoptionEvent.Kind.REPORTED, from_status=row.status, to_status=r.status, actor=by
            )
        )
        adopted = r.status == AdoptionStatus.ADOPTED
        row.status = r.status
        row.adopted_on = r.adopted_on if adopted else None
        row.result = plain_text(r.result) if adopted else ""
        row.reason = plain_text(r.reason) if r.status == AdoptionStatus.NOT_APPLICABLE else ""
        row.version += 1
        row.updated_by, row.updated_at = by, now
        rows.append(row)
    # Locked above and checked against `seen_version`: nobody can have saved them since, as report()'s conditional
    # update makes sure of one row.
    for start in range(0, len(rows), UPDATE_ROWS):
        batch = rows[start : start + UPDATE_ROWS]
        Adoption.objects.filter(pk__in=[row.pk for row in batch]).update(
            **{name: _ByRow(batch, name) for name in ("status", "adopted_on", "result", "reason")},
            version=F("version") + 1,
            updated_by=by,
            updated_at=now,
        )
    not_adopted = [row.pk for row in rows if row.status != AdoptionStatus.ADOPTED]
    AdoptionResult.objects.filter(adoption_id__in=not_adopted).delete()
    AdoptionEvent.objects.bulk_create(events)
    recorded(rows, by=by)
    changed()
    return rows


def _replace_evidence(row: Adoption, upload, checked):
    """The row's evidence file becomes the upload (or none); the old file is removed once the change commits."""
    old = row.evidence.name
    if checked is None:
        row.evidence, row.evidence_name, row.evidence_type, row.evidence_size = "", "", "", 0
    else:
        row.evidence.save(f"{row.pk}/{uuid.uuid4().hex}", upload, save=False)
        row.evidence_name, row.evidence_type, row.evidence_size = checked.name, checked.content_type, upload.size
    Adoption.objects.filter(pk=row.pk).update(
        evidence=row.evidence.name,
        evidence_name=row.evidence_name,
        evidence_type=row.evidence_type,
        evidence_size=row.evidence_size,
    )
    if old:
        storage = row.evidence.storage
        transaction.on_commit(lambda: storage.delete(old))


@transaction.atomic
def report_voluntarily(*, practice: Practice, city: City, by, **fields) -> Adoption:
    """A city reports copying a published practice it does not owe (参考借鉴): its row is created, then reported."""
    practice = Practice.objects.select_related("batch_entry__batch").get(pk=practice.pk)  # as it is now
    if practice.status != Status.PUBLISHED:
        raise AdoptionError(_("只能填报已发布的经验做法。"))
    if practice.city_id == city.pk:
        raise AdoptionError(_("不能声明复制本市自己的经验做法。"))
    entry = practice.batch_entry
    order = ledger_order(entry.batch.year, entry.batch.sequence, entry.number)
    row, created = Adoption.objects.get_or_create(
        practice=practice, city=city, defaults={"owed": False, "order": order}
    )
    if not created:
        raise StaleAdoption(row)  # declared by a colleague meanwhile: their row is reported on, not this one
    AdoptionEvent.objects.create(
        adoption=row, kind=AdoptionEvent.Kind.CREATED, to_status=row.status, actor=by, note=_("自愿填报")
    )
    return report(adoption=row, by=by, seen_version=row.version, **fields)


@transaction.atomic
def excuse(*, adoption: Adoption, by, reason: str) -> Adoption:
    """The coordinator releases a city from a row it owes, with a reason; what it reported stays."""
    reason = plain_text(reason)
    if not reason:
        raise AdoptionError(_("请说明免于填报的原因。"))
    if (
        Adoption.objects.filter(pk=adoption.pk, excused_at__isnull=True).update(
            excused_at=timezone.now(), excuse=reason, version=F("version") + 1, updated_at=timezone.now()
        )
        != 1
    ):
        raise AdoptionError(_("此记录已免于填报。"))
    adoption.refresh_from_db()
    recorded([adoption], by=by)
    AdoptionEvent.objects.create(
        adoption=adoption,
        kind=AdoptionEvent.Kind.EXCUSED,
        from_status=adoption.status,
        to_status=adoption.status,
        actor=by,
        note=reason,
    )
    changed()
    return adoption


@transaction.atomic
def remind(*, batch: Batch, by) -> int:
    """Tell the officials of every city with overdue rows in the batch (inbox and email) which rows they are,
    and note the reminder on each row. Returns how many cities were reminded."""
    AdoptionPlan.objects.select_for_update().filter(batch=batch).first()  # two clicks at once: one after the other
    by_city = overdue_by_city(batch)
    if not by_city:
        raise AdoptionError(_("本批次没有逾期未办结的记录。"))
    plan = batch.adoption_plan
    cities = City.objects.in_bulk(by_city)
    for city_id, rows in by_city.items():
        lines = [f"{row.practice.batch_entry.number}、{row.practice.batch_entry.title}" for row in rows]
        notify(
            city_officials(cities[city_id]),
            subject=lambda: _("复制推广催报：%(batch)s") % {"batch": batch.title},
            message=lambda city_id=city_id, rows=rows, lines=lines: (
                _("%(city)s有 %(n)d 项经验做法已过填报截止日期（%(date)s）仍未办结（未启动或推进中）：\n%(rows)s")
                % {
                    "city": cities[city_id].name,
                    "n": len(rows),
                    "date": plan.deadline.isoformat(),
                    "rows": "\n".join(lines),
                }
            ),
            link=f"/city/adoptions/?batch={batch.year}-{batch.sequence}&overdue=on",
        )
        AdoptionEvent.objects.bulk_create(
            AdoptionEvent(
                adoption=row, kind=AdoptionEvent.Kind.REMINDED, from_status=row.status, to_status=row.status, actor=by
            )
            for row in rows
        )
    AdoptionPlan.objects.filter(batch=batch).update(reminded_at=timezone.now())
    return len(by_city)


@transaction.atomic
def set_deadline(*, batch: Batch, deadline: datetime.date, by) -> AdoptionPlan:
    """The date by which every city is to have reported on a published batch."""
    plan = AdoptionPlan.objects.select_for_update().filter(batch=batch).first()
    if plan is None:
        raise AdoptionError(_("此批次尚未发布，没有复制推广安排。"))
    if batch.published_at and deadline < timezone.localdate(batch.published_at):
        raise AdoptionError(_("截止日期不能早于发布日期。"))
    plan.deadline, plan.updated_by = deadline, by
    plan.save(update_fields=["deadline", "updated_by", "updated_at"])
    return plan


@transaction.atomic
def scope_changed(*, entry: BatchEntry, by=None):
    """An erratum made a published entry 全省复制推广: every active city but its own owes it (reports made of a
    city's own accord become owed, and stay). Made 参考借鉴: nobody owes it any more; rows nobody touched go, the
    others stay as voluntary reports."""
    if entry.scope == EntryScope.REPLICATE:
        create_obligations(batch=entry.batch, by=by)
        return
    untouched().filter(practice_id=entry.practice_id, owed=True).delete()
    Adoption.objects.filter(practice_id=entry.practice_id, owed=True).update(owed=False)
    changed()


@transaction.atomic
def city_changed(*, city: City):
    """A city made inactive owes nothing more: its untouched rows go, its reports stay. Made active again, it owes
    every published batch's 全省复制推广 entries once more."""
    if not city.active:
        untouched().filter(city=city, owed=True).delete()
        Adoption.objects.filter(city=city, owed=True).update(owed=False)  # kept, no longer chased nor counted
        changed()
        return
    for plan in AdoptionPlan.objects.select_related("batch"):
        create_obligations(batch=plan.batch)
