"""/api/v1/: published practices, batches and adoptions (已落地 only) as JSON, read-only, paginated, with
filters."""

import re

from django.http import HttpResponse, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from adoptions.enums import AdoptionStatus
from adoptions.selectors import adopted_counts, public_adoptions
from batches.selectors import published_batches, year_and_sequence
from bizenv.web.paging import CappedPaginator

from . import openapi
from .filters import ADOPTED_ONLY, FOUR_DIGIT_YEAR, PublicPracticeFilter, labelled, labelled_errors, searched
from .selectors import api_entries
from .views import EXPORTS

OPENAPI_SECONDS = 60 * 60  # the document changes only with a release; after an hour a client asks with its ETag


def _page(request, items, default=20):
    try:
        size = max(1, min(int(request.GET.get("page_size") or default), 100))
    except ValueError:
        size = default
    return CappedPaginator(items, size).get_page(request.GET.get("page"))


def _page_links(request, page):
    def link(number):
        query = request.GET.copy()
        query["page"] = number
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    return {
        "count": page.paginator.count,
        "count_capped": page.paginator.capped,  # more than "count" match; narrow with the filters
        "next": link(page.next_page_number()) if page.has_next() else None,
        "previous": link(page.previous_page_number()) if page.has_previous() else None,
    }


def api_practices(request):
    """/api/v1/practices/: published practices as published, with the list's filters; read-only."""
    filters = PublicPracticeFilter(request.GET or None, queryset=api_entries())
    if filters.is_bound and not filters.is_valid():
        return _errors(labelled_errors(filters.form))
    entries, _terms = searched(filters)
    page = _page(request, entries)
    adopted = adopted_counts(e.practice_id for e in page)
    results = [_practice(request, e, adopted) for e in page]
    return JsonResponse({**_page_links(request, page), "results": results}, json_dumps_params={"ensure_ascii": False})


def api_practice(request, id):
    """/api/v1/practices/<id>/: one published practice as published, as the list has it; 404 (in JSON) for any
    other id."""
    entry = api_entries().filter(practice_id=id).first()
    if entry is None:
        return _errors({"id": [_("没有这一编号的已发布经验做法。")]}, status=404)
    return JsonResponse(
        _practice(request, entry, adopted_counts([entry.practice_id])), json_dumps_params={"ensure_ascii": False}
    )


def _practice(request, e, adopted: dict[int, int]) -> dict:
    """A published practice as the API gives it: the entry's frozen text, where it was published, and in how many
    cities it was copied (`adopted`: adopted_counts() of the page)."""
    return {
        "id": e.practice_id,
        "url": request.build_absolute_uri(reverse("practice_detail", args=[e.practice_id])),
        "number": e.number,
        "title": e.title,
        "city": {"name": e.city_name, "code": e.practice.city.code},
        "indicator": {
            "name": e.indicator_name,
            "slug": e.practice.indicator.slug if e.practice.indicator else None,
        },
        "batch": {"year": e.batch.year, "sequence": e.batch.sequence, "title": e.batch.title},
        "scope": e.scope,
        "scope_text": e.scope_text,  # 推广范围 as an imported announcement words it
        "department": e.department,  # 指导部门, likewise
        "garbled": e.garbled,  # the imported text had damage no one could repair: given as it was
        "summary": e.summary,
        "body": e.body,
        "outcomes": e.outcomes,
        "results": e.results,
        "adopted_in": adopted.get(e.practice_id, 0),  # cities that marked it 已落地
    }


def _errors(errors: dict, status: int = 400) -> JsonResponse:
    """What was wrong with the request, by parameter: {"errors": {"batch": ["…"]}}."""
    return JsonResponse({"errors": errors}, status=status, json_dumps_params={"ensure_ascii": False})


def api_adoptions(request):
    """/api/v1/adoptions/: where published practices were copied: the rows cities marked 已落地, with their date,
    local result and measured results; filters city (code), practice (id), batch (YEAR-SEQ), status (only
    "adopted": no other status, reason or excuse is public)."""
    rows = public_adoptions()
    query = request.GET
    if query.get("status") not in (None, "", AdoptionStatus.ADOPTED):
        return _errors({"status": [labelled(_("状态"), ADOPTED_ONLY)]})
    if query.get("city"):
        rows = rows.filter(city__code=query["city"])
    if query.get("practice"):
        if not re.fullmatch(r"[0-9]{1,9}", query["practice"]):
            return _errors({"practice": [labelled(_("经验做法"), _("请输入整数。"))]})
        rows = rows.filter(practice_id=int(query["practice"]))
    if query.get("batch"):
        batch = year_and_sequence(query["batch"])
        if batch is None:
            return _errors({"batch": [labelled(_("批次"), _("请写作“2022-2”或“2022年第二批”。"))]})
        entry = "practice__batch_entry__batch"
        rows = rows.filter(**{f"{entry}__year": batch[0], f"{entry}__sequence": batch[1]})
    page = _page(request, rows.prefetch_related("results"))
    results = []
    for row in page:
        entry = row.practice.batch_entry
        results.append(
            {
                "city": {"code": row.city.code, "name": row.city.name},
                "practice": {
                    "id": row.practice_id,
                    "title": entry.title,
                    "city": entry.city_name,
                    "url": request.build_absolute_uri(reverse("practice_detail", args=[row.practice_id])),
                    "batch": {"year": entry.batch.year, "sequence": entry.batch.sequence, "number": entry.number},
                },
                "status": row.status,
                "adopted_on": row.adopted_on.isoformat(),
                "result": row.result,
                "results": [
                    {"measure": r.measure, "before": r.before, "after": r.after, "unit": r.unit}
                    for r in row.results.all()
                ],
            }
        )
    return JsonResponse({**_page_links(request, page), "results": results}, json_dumps_params={"ensure_ascii": False})


def _incomplete(batch) -> str:
    """ "原文共36项，本库收录21项（原文不完整）" where the announcement holds more than was imported, else ""."""
    if not (batch.announced_total and batch.announced_total > batch.entry_count):
        return ""
    return _("原文共%(announced)s项，本库收录%(held)s项（原文不完整）") % {
        "announced": batch.announced_total,
        "held": batch.entry_count,
    }


def api_batches(request):
    """/api/v1/batches/: published batches; read-only."""
    batches = published_batches()
    year = request.GET.get("year")
    if year:
        if not re.fullmatch(r"[0-9]{4}", year):
            return _errors({"year": [labelled(_("年份"), FOUR_DIGIT_YEAR)]})
        batches = batches.filter(year=int(year))
    page = _page(request, batches)
    results = [
        {
            "year": b.year,
            "sequence": b.sequence,
            "title": b.title,
            "lead": b.lead,
            "published_at": b.published_at.isoformat(),  # when it was published here (an import: the import's)
            "announced_on": b.announced_on.isoformat() if b.announced_on else None,  # its own date; null: not known
            "count": b.entry_count,
            "announced_count": b.announced_total,  # what the announcement says it holds, where it says so
            # What an imported announcement says of itself.
            "issuer": b.issuer,
            "document_number": b.document_number,
            "date_signed": b.date_signed.isoformat() if b.date_signed else None,
            "date_published": b.date_published.isoformat() if b.date_published else None,
            "attachment_title": b.attachment_title,
            "incomplete": bool(b.announced_total and b.announced_total > b.entry_count),
            "notice": _incomplete(b),
            "url": request.build_absolute_uri(reverse("batch_detail", args=[b.year, b.sequence])),
            "exports": {
                fmt: request.build_absolute_uri(reverse("batch_export", args=[b.year, b.sequence, fmt]))
                for fmt in EXPORTS
            },
        }
        for b in page
    ]
    return JsonResponse({**_page_links(request, page), "results": results}, json_dumps_params={"ensure_ascii": False})


@condition(etag_func=lambda request: openapi.etag())
def api_openapi(request):
    """/api/v1/openapi.json: the API's OpenAPI 3.1 description, in the request's language; answers conditional
    GETs (If-None-Match) with 304."""
    response = HttpResponse(openapi.content(), content_type="application/json")
    patch_cache_control(response, public=True, max_age=OPENAPI_SECONDS)
    patch_vary_headers(response, ["Cookie"])  # the language: the cookie, or Accept-Language (LocaleMiddleware's)
    return response
