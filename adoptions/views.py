"""复制推广: the city's 台账 (/city/adoptions/), its rows filtered and the report on each; the province's matrix
(/review/adoptions/) of a batch's entries × cities, each row with its history, excuses and the deadline."""

import secrets

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from batches.selectors import year_and_sequence
from bizenv.web.files import attachment, download
from bizenv.web.paging import CappedPaginator
from bizenv.web.permissions import can, require
from bizenv.web.sheets import CONTENT_TYPE
from practices.forms import ResultFormSet
from practices.models import PendingImport
from practices.people import user_city

from . import services, spreadsheet
from .enums import AdoptionStatus
from .forms import (
    DeadlineForm,
    ExcuseForm,
    LedgerFilter,
    LedgerUploadForm,
    MatrixFilter,
    ReportForm,
    result_initial,
)
from .models import Adoption
from .selectors import (
    city_ledger,
    declarable_practice,
    mark_overdue,
    matrix,
    planned_batches,
    province_ledger,
    province_row,
    row_for,
)

LEDGER_PAGE = 50
PENDING_KIND = "ledger"  # a 台账 upload between its preview and its confirmation (practices.PendingImport)


def _ledger_city(request):
    """The signed-in official's city, whose 台账 this is; 404 for anyone else (an admin has no city)."""
    require(request, "adoptions.view_ledger")
    city = user_city(request.user)
    if city is None:
        raise Http404
    return city


@login_required
def ledger(request):
    """The city's rows: what it owes and what it reported, newest batch first, filterable."""
    city = _ledger_city(request)
    filters, shown = _shown_rows(request, city)
    page = CappedPaginator(shown, LEDGER_PAGE).get_page(request.GET.get("page"))
    page.object_list = mark_overdue(list(page.object_list))
    return render(request, "adoptions/ledger.html", {"city": city, "filters": filters, "page": page})


FIELDS = ("status", "adopted_on", "result", "reason")


def _show_problems(request, form, exc: services.AdoptionError):
    """Each problem of a refused report at its field, or as a message when no field of the form is its."""
    for field, message in exc.problems:
        if field in form.fields:
            form.add_error(field, message)
        else:
            messages.error(request, message)


def _report_forms(row, data=None, files=None):
    """The report form and its measured results, filled from the row (None: a row not yet declared)."""
    if row is None:
        initial = {"status": AdoptionStatus.ADOPTED, "version": 1}
    else:
        initial = {**{k: getattr(row, k) for k in FIELDS}, "version": row.version}
    form = ReportForm(data, files, initial=initial, has_evidence=bool(row and row.evidence))
    return form, ResultFormSet(data, initial=result_initial(row) if row else [], prefix="results")


def _shown_rows(request, city):
    rows = city_ledger(city)
    filters = LedgerFilter(request.GET or None, queryset=rows)
    return filters, (filters.qs if filters.is_valid() else rows.none()) if filters.is_bound else rows


@login_required
def ledger_export(request):
    """The rows the 台账 shows (its filters applied) as the .xlsx the city fills in and uploads back."""
    city = _ledger_city(request)
    _filters, rows = _shown_rows(request, city)
    response = HttpResponse(spreadsheet.city_ledger_xlsx(rows), content_type=CONTENT_TYPE)
    name = _("%(city)s复制推广台账.xlsx") % {"city": city.name}
    response["Content-Disposition"] = attachment(name)
    return response


@login_required
def ledger_import(request):
    """Upload the filled-in 台账 → preview of every change and error → confirm; the file waits in PendingImport
    between the two, and is checked again when confirmed."""
    city = _ledger_city(request)
    form = LedgerUploadForm()
    preview = None
    if request.method == "POST" and "confirm" in request.POST:
        pending = PendingImport.objects.filter(
            token=request.POST.get("token", ""), user=request.user, kind=PENDING_KIND
        ).first()
        # Claimed by deleting it: of two confirmations at once (a double click), exactly one goes on.
        if pending is None or PendingImport.objects.filter(pk=pending.pk).delete()[0] != 1:
            messages.error(request, _("上传已过期或已写入，请重新上传文件。"))
            return redirect("city_adoptions_import")
        rows = spreadsheet.read_ledger(name=pending.name, content=bytes(pending.content))  # read once already
        preview = spreadsheet.apply_ledger(city=city, by=request.user, rows=rows)
        if preview.ok:
            messages.success(request, _("已写入 %(n)d 行的填报。") % {"n": preview.written})
            return redirect("city_adoptions")
    elif request.method == "POST":
        form = LedgerUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                if upload.size > spreadsheet.MAX_LEDGER_BYTES:
                    raise spreadsheet.LedgerRefused(
                        _("文件超过 %(mb)d MB 的上限。") % {"mb": spreadsheet.MAX_LEDGER_BYTES // 2**20}
                    )
                content = upload.read()
                rows = spreadsheet.read_ledger(name=upload.name, content=content)
            except spreadsheet.LedgerRefused as exc:
                form.add_error("file", str(exc))
            else:
                preview = spreadsheet.plan_ledger(city=city, rows=rows)
                if preview.ok and preview.changes:
                    PendingImport.objects.filter(user=request.user, kind=PENDING_KIND).delete()
                    preview.token = secrets.token_urlsafe(16)
                    PendingImport.objects.create(
                        token=preview.token, user=request.user, name=upload.name, content=content, kind=PENDING_KIND
                    )
    context = {
        "city": city,
        "form": form,
        "preview": preview,
        "statuses": AdoptionStatus.choices,
        "export_url": reverse("city_adoptions_export"),
    }
    return render(request, "adoptions/import.html", context)


@login_required
def report(request, pk):
    """One row: what it is, and the city's report on it with its measured results and evidence (read-only once
    excused)."""
    row = row_for(request.user, pk, city=user_city(request.user))
    can_report = can(request.user, "adoptions.report", row)
    form, results = _report_forms(row, request.POST or None, request.FILES or None)
    stale = None
    if request.method == "POST" and not can_report:
        messages.error(request, _("此记录已免于填报，或经验做法已不在发布状态，不能填报。"))
    elif request.method == "POST" and form.is_valid() and results.is_valid():
        data = form.cleaned_data
        try:
            services.report(
                adoption=row,
                by=request.user,
                seen_version=data["version"],
                results=results.rows(),
                evidence=data["evidence"],
                drop_evidence=data.get("drop_evidence", False),
                **{k: data[k] for k in FIELDS},
            )
        except services.StaleAdoption as exc:
            # What the user typed stays in the form, now over the version they are shown (saving again keeps
            # theirs); beside it, what the colleague saved.
            messages.error(request, str(exc))
            row = stale = exc.current
            data = request.POST.copy()
            data["version"] = row.version
            form, results = _report_forms(row, data, None)
            form.is_valid(), results.is_valid()
        except services.AdoptionError as exc:
            _show_problems(request, form, exc)
        else:
            messages.success(request, _("已保存。"))
            return redirect("city_adoptions")
    context = {
        "stale": stale,
        "row": row,
        "entry": row.practice.batch_entry,
        "form": form,
        "results": results,
        "saved_results": row.results.all(),
        "can_report": can_report,
    }
    return render(request, "adoptions/report.html", context)


@login_required
def declare(request, pk):
    """A city reports copying a published practice it does not owe (参考借鉴, or one published before it was
    active): its row is created with the report. A practice the city already has a row for goes to that row."""
    city = _ledger_city(request)
    practice = declarable_practice(pk, city=city)
    existing = Adoption.objects.filter(practice=practice, city=city).values_list("pk", flat=True).first()
    if existing is not None:
        return redirect("city_adoption", pk=existing)
    form, results = _report_forms(None, request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid() and results.is_valid():
        data = form.cleaned_data
        try:
            row = services.report_voluntarily(
                practice=practice,
                city=city,
                by=request.user,
                results=results.rows(),
                evidence=data["evidence"],
                **{k: data[k] for k in FIELDS},
            )
        except services.AdoptionError as exc:
            _show_problems(request, form, exc)
        else:
            messages.success(request, _("已保存，并列入本市台账。"))
            return redirect("city_adoption", pk=row.pk)
    context = {"row": None, "entry": practice.batch_entry, "form": form, "results": results, "can_report": True}
    return render(request, "adoptions/report.html", context)


@login_required
def city_evidence(request, pk):
    """The city's own row's evidence file."""
    row = row_for(request.user, pk, city=user_city(request.user))
    if not row.evidence:
        raise Http404
    return download(row.evidence, name=row.evidence_name, content_type=row.evidence_type)


@login_required
def province_evidence(request, pk):
    """A row's evidence file, for the province."""
    require(request, "adoptions.view_matrix")
    row = province_row(pk)
    if not row.evidence:
        raise Http404
    return download(row.evidence, name=row.evidence_name, content_type=row.evidence_type)


RECENT_BATCHES = 12  # linked above the matrix; any other is asked for by name


def _asked_batch(request, recent):
    """The batch the query names (YEAR-SEQ), or the newest; 404 for one that is not a planned batch."""
    asked = request.GET.get("batch")
    if asked is None:
        return recent[0] if recent else None
    wanted = year_and_sequence(asked)
    batch = next((b for b in recent if (b.year, b.sequence) == wanted), None)
    if batch is None and wanted is not None:
        batch = planned_batches().filter(year=wanted[0], sequence=wanted[1]).first()
    if batch is None:
        raise Http404
    return batch


@login_required
def province(request):
    """A published batch's matrix of entries × cities, narrowed to a city or an indicator, for the coordinator
    and the reviewers; the coordinator sets its deadline and reminds the cities that are late here."""
    require(request, "adoptions.view_matrix")
    batches = list(planned_batches()[:RECENT_BATCHES])
    batch = _asked_batch(request, batches)
    narrow = MatrixFilter(request.GET)
    narrowed = narrow.cleaned_data if narrow.is_valid() else {}
    can_manage = can(request.user, "adoptions.manage")
    form = DeadlineForm(
        request.POST if "deadline" in request.POST else None,
        initial={"deadline": batch.adoption_plan.deadline if batch else None},
    )
    if request.method == "POST":
        require(request, "adoptions.manage")
        if batch is None:
            raise Http404
        here = f"{request.path}?batch={batch.year}-{batch.sequence}"
        if request.POST.get("action") == "remind":
            try:
                n = services.remind(batch=batch, by=request.user)
            except services.AdoptionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已向 %(n)d 个市（区）的填报员发送催报通知。") % {"n": n})
            return redirect(here)
        if form.is_valid():
            try:
                services.set_deadline(batch=batch, deadline=form.cleaned_data["deadline"], by=request.user)
            except services.AdoptionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("截止日期已保存。"))
                return redirect(here)
    context = {
        "batches": batches,
        "batch": batch,
        "narrow": narrow,
        "matrix": matrix(batch, city=narrowed.get("city"), indicator=narrowed.get("indicator")) if batch else None,
        "deadline_form": form if can_manage else None,
        "can_manage": can_manage,
    }
    return render(request, "adoptions/province.html", context)


@login_required
def province_export(request):
    """A batch's 台账, or every batch's (batch=all), narrowed as the matrix is, as the spreadsheet a provincial
    office circulates."""
    require(request, "adoptions.view_matrix")
    every = request.GET.get("batch") == "all"
    batch = None if every else _asked_batch(request, list(planned_batches()[:1]))
    if batch is None and not every:
        raise Http404
    narrow = MatrixFilter(request.GET)
    narrowed = narrow.cleaned_data if narrow.is_valid() else {}
    city = narrowed.get("city")
    rows = province_ledger(batch, cities=[city] if city else None, indicator=narrowed.get("indicator"))
    title = _("复制推广台账（全部批次）") if every else _("%(batch)s复制推广台账") % {"batch": batch.title}
    content = spreadsheet.province_ledger_xlsx(title, rows.iterator(chunk_size=2000))
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = attachment(f"{title}.xlsx")
    return response


@login_required
def province_detail(request, pk):
    """One row for the province: what the city reported and when, its history; the coordinator may excuse it."""
    require(request, "adoptions.view_matrix")
    row = province_row(pk)
    form = ExcuseForm(request.POST or None)
    if request.method == "POST":
        require(request, "adoptions.manage")
        if form.is_valid():
            try:
                services.excuse(adoption=row, by=request.user, reason=form.cleaned_data["reason"])
            except services.AdoptionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已免于该市填报。"))
                return redirect("review_adoption", pk=row.pk)
    context = {
        "row": row,
        "entry": row.practice.batch_entry,
        "events": row.events.select_related("actor"),
        "results": row.results.all(),
        "excuse_form": form if can(request.user, "adoptions.manage") and row.excused_at is None else None,
    }
    return render(request, "adoptions/province_row.html", context)
