"""/api/v1/: published practices and batches as JSON, read-only, paginated, with the public list's filters."""

import re

from django.http import JsonResponse
from django.urls import reverse

from batches.selectors import published_batches
from bizenv.web.paging import CappedPaginator

from .filters import PublicPracticeFilter, searched
from .selectors import api_entries
from .views import EXPORTS


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
        return JsonResponse({"errors": filters.errors}, status=400, json_dumps_params={"ensure_ascii": False})
    entries, _terms = searched(filters)
    page = _page(request, entries)
    results = [
        {
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
            "summary": e.summary,
            "body": e.body,
            "outcomes": e.outcomes,
            "results": e.results,
        }
        for e in page
    ]
    body = {**_page_links(request, page), "results": results}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


def api_batches(request):
    """/api/v1/batches/: published batches; read-only."""
    batches = published_batches()
    year = request.GET.get("year")
    if year:
        if not re.fullmatch(r"[0-9]{4}", year):
            return JsonResponse(
                {"errors": {"year": ["请输入整数。"]}}, status=400, json_dumps_params={"ensure_ascii": False}
            )
        batches = batches.filter(year=int(year))
    page = _page(request, batches)
    results = [
        {
            "year": b.year,
            "sequence": b.sequence,
            "title": b.title,
            "lead": b.lead,
            "published_at": b.published_at.isoformat(),
            "count": b.entry_count,
            "url": request.build_absolute_uri(reverse("batch_detail", args=[b.year, b.sequence])),
            "exports": {
                fmt: request.build_absolute_uri(reverse("batch_export", args=[b.year, b.sequence, fmt]))
                for fmt in EXPORTS
            },
        }
        for b in page
    ]
    return JsonResponse({**_page_links(request, page), "results": results}, json_dumps_params={"ensure_ascii": False})
