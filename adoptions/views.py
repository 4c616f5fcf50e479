"""The city's 复制推广 台账 (/city/adoptions/): its rows, filtered, and the report on each."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bizenv.web.paging import CappedPaginator
from bizenv.web.permissions import require
from practices.people import user_city

from . import services
from .forms import LedgerFilter, ReportForm
from .selectors import city_ledger, row_for

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


@login_required
def report(request, pk):
    """One row: what it is, and the city's report on it (read-only once excused)."""
    row = row_for(request.user, pk, city=user_city(request.user))
    can_report = request.user.has_perm("adoptions.report", row)
    initial = {"status": row.status, "adopted_on": row.adopted_on, "result": row.result, "reason": row.reason}
    form = ReportForm(request.POST or None, initial={**initial, "version": row.version})
    if request.method == "POST" and not can_report:
        messages.error(request, _("此记录已免于填报，或经验做法已不在发布状态，不能填报。"))
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.report(
                adoption=row,
                by=request.user,
                status=data["status"],
                seen_version=data["version"],
                adopted_on=data["adopted_on"],
                result=data["result"],
                reason=data["reason"],
            )
        except services.StaleAdoption as exc:
            messages.error(request, str(exc))
            current = exc.current
            form = ReportForm(
                initial={
                    **{k: getattr(current, k) for k in ("status", "adopted_on", "result", "reason")},
                    "version": current.version,
                }
            )
            row = current
        except services.AdoptionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已保存。"))
            return redirect("city_adoptions")
    context = {"row": row, "entry": row.practice.batch_entry, "form": form, "can_report": can_report}
    return render(request, "adoptions/report.html", context)
