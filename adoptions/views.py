"""复制推广: the city's 台账 (/city/adoptions/), its rows filtered and the report on each; the province's matrix
(/review/adoptions/) of a batch's entries × cities, each row with its history, excuses and the deadline."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from batches.selectors import year_and_sequence
from bizenv.web.files import download
from bizenv.web.paging import CappedPaginator
from bizenv.web.permissions import require
from practices.forms import ResultFormSet
from practices.people import user_city

from . import services
from .forms import DeadlineForm, ExcuseForm, LedgerFilter, ReportForm, result_initial
from .selectors import city_ledger, matrix, planned_batches, province_row, row_for

LEDGER_PAGE = 50


@login_required
def ledger(request):
    """The city's rows: what it owes and what it reported, newest batch first, filterable."""
    require(request, "adoptions.view_ledger")
    city = user_city(request.user)
    rows = city_ledger(city)
    filters = LedgerFilter(request.GET or None, queryset=rows)
    shown = (filters.qs if filters.is_valid() else rows.none()) if filters.is_bound else rows
    page = CappedPaginator(shown, LEDGER_PAGE).get_page(request.GET.get("page"))
    return render(request, "adoptions/ledger.html", {"city": city, "filters": filters, "page": page})


FIELDS = ("status", "adopted_on", "result", "reason")


def _report_forms(row, data=None, files=None):
    form = ReportForm(
        data,
        files,
        initial={**{k: getattr(row, k) for k in FIELDS}, "version": row.version},
        has_evidence=bool(row.evidence),
    )
    return form, ResultFormSet(data, initial=result_initial(row), prefix="results")


@login_required
def report(request, pk):
    """One row: what it is, and the city's report on it with its measured results and evidence (read-only once
    excused)."""
    row = row_for(request.user, pk, city=user_city(request.user))
    can_report = request.user.has_perm("adoptions.report", row)
    form, results = _report_forms(row, request.POST or None, request.FILES or None)
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
            messages.error(request, str(exc))
            row = exc.current
            form, results = _report_forms(row)
        except services.AdoptionError as exc:
            if exc.field in form.fields:
                form.add_error(exc.field, str(exc))
            else:
                messages.error(request, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("city_adoptions")
    context = {
        "row": row,
        "entry": row.practice.batch_entry,
        "form": form,
        "results": results,
        "saved_results": row.results.all(),
        "can_report": can_report,
    }
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


@login_required
def province(request):
    """A published batch's matrix of entries × cities, for the coordinator and the reviewers; the coordinator sets
    its deadline here."""
    require(request, "adoptions.view_matrix")
    batches = list(planned_batches())
    asked = request.GET.get("batch")
    if asked is None:
        batch = batches[0] if batches else None
    else:
        wanted = year_and_sequence(asked)
        batch = next((b for b in batches if (b.year, b.sequence) == wanted), None)
        if batch is None:
            raise Http404
    can_manage = request.user.has_perm("adoptions.manage")
    form = DeadlineForm(request.POST or None, initial={"deadline": batch.adoption_plan.deadline if batch else None})
    if request.method == "POST":
        require(request, "adoptions.manage")
        if batch is None:
            raise Http404
        if form.is_valid():
            try:
                services.set_deadline(batch=batch, deadline=form.cleaned_data["deadline"], by=request.user)
            except services.AdoptionError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("截止日期已保存。"))
                return redirect(f"{request.path}?batch={batch.year}-{batch.sequence}")
    context = {
        "batches": batches,
        "batch": batch,
        "matrix": matrix(batch) if batch else None,
        "deadline_form": form if can_manage else None,
    }
    return render(request, "adoptions/province.html", context)


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
        "excuse_form": form if request.user.has_perm("adoptions.manage") and row.excused_at is None else None,
    }
    return render(request, "adoptions/province_row.html", context)
