"""The public site: published batches as announcements, and the published practices. No sign-in."""

import re

import django_filters
from django.contrib.syndication.views import Feed
from django.db.models import Count
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.http import content_disposition_header
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import condition

from bizenv.filters import ReferenceChoiceFilter
from bizenv.paging import CappedPaginator
from bizenv.widgets import FastNumberInput, FastTextInput
from practices import search
from practices.models import City, Indicator
from practices.searchtext import parse_query
from practices.similar import similar
from practices.views import attachment_response

from . import exports
from .models import Batch, BatchEntry, BatchStatus
from .selectors import announcement_sections, api_entries, published_entries, published_list

PAGE_SIZE = 30
BATCH = re.compile(r"([0-9]{4})-([0-9]{1,4})")  # the batch filter: YEAR-SEQ
SEARCH_PAGE_SIZE = 20  # results carry a snippet each: longer rows, fewer of them


class PublicPracticeFilter(django_filters.FilterSet):
    """The list's filters, as DESIGN.md fixes them: city (code), indicator (slug), batch (YEAR-SEQ), year, q."""

    q = django_filters.CharFilter(label=_("关键词"), method="filter_q", max_length=200, widget=FastTextInput)
    city = ReferenceChoiceFilter(
        label=_("城市"),
        field_name="practice__city",
        to_field_name="code",
        queryset=City.objects.all(),
        shared=True,
        empty_label=_("全部城市"),
    )
    indicator = ReferenceChoiceFilter(
        label=_("指标"),
        field_name="practice__indicator",
        to_field_name="slug",
        queryset=Indicator.objects.all(),
        shared=True,
        empty_label=_("全部指标"),
    )
    batch = django_filters.CharFilter(label=_("批次"), method="filter_batch", widget=FastTextInput)
    year = django_filters.NumberFilter(
        label=_("年份"),
        field_name="batch__year",
        min_value=1949,
        max_value=2100,
        decimal_places=0,
        widget=FastNumberInput,
    )

    class Meta:
        model = BatchEntry
        fields = ["q", "city", "indicator", "batch", "year"]

    def filter_q(self, queryset, name, value):
        return queryset  # ranked full-text search happens after the other filters: see searched()

    def filter_batch(self, queryset, name, value):
        match = BATCH.fullmatch(value.strip())
        if not match:
            return queryset.none()
        year, sequence = match.groups()
        return queryset.filter(batch__year=int(year), batch__sequence=int(sequence))


def batch_list(request):
    """Every published batch, newest first."""
    batches = (
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "-sequence")
    )
    return render(request, "public/batch_list.html", {"batches": batches})


@condition(
    etag_func=lambda request, year, sequence: _batch_etag(request, year, sequence),
    last_modified_func=lambda request, year, sequence: _batch_changed(request, year, sequence),
)
def batch_detail(request, year, sequence):
    """One batch as the announcement: title, date, lead, indicator headings, numbered items."""
    batch, errata = _published_or_404(request, year, sequence)
    context = {
        "batch": batch,
        "sections": announcement_sections(batch, text=False),
        "lead": batch.lead.splitlines(),
        "errata": errata,
    }
    return render(request, "public/batch_detail.html", context)


def searched(filters: PublicPracticeFilter):
    """The filtered entries; with a query, its matches in rank order instead of the list's order."""
    if not filters.is_bound:
        return filters.queryset, []
    if not filters.is_valid():
        return filters.queryset.none(), []
    data = filters.form.cleaned_data
    query = data.get("q") or ""
    batch = BATCH.fullmatch((data.get("batch") or "").strip())
    if data.get("batch") and not batch:
        return filters.queryset.none(), []
    # The list's filters as the index's facets: what the public may see (published), and what was asked for.
    tokens = [
        search.PUBLISHED,
        *search.facets(
            city=data["city"].pk if data.get("city") else None,
            indicator=data["indicator"].pk if data.get("indicator") else None,
            year=data.get("year"),
            batch=batch.groups() if batch else None,
        ),
    ]
    terms = parse_query(query)
    if not terms and len(tokens) > 1:  # filtered, not searched: the index counts what the filters keep
        return search.Faceted(filters.qs, tokens), terms
    return search.search(filters.qs, query, "practice", tokens), terms


def practice_list(request):
    filters = PublicPracticeFilter(request.GET or None, queryset=published_list(snippets=bool(request.GET.get("q"))))
    entries, terms = searched(filters)
    page = CappedPaginator(entries, SEARCH_PAGE_SIZE if terms else PAGE_SIZE).get_page(request.GET.get("page"))
    if terms:
        search.hits(page, terms)
    context = {"filters": filters, "page": page, "terms": terms}
    return render(request, "public/practice_list.html", context)


def practice_detail(request, pk):
    """A published practice as it was published: the permalink stays valid whatever happens to the draft."""
    entry = published_entries().filter(practice_id=pk).first()
    if entry is None:
        raise Http404
    attachments = entry.practice.attachments.filter(is_public=True)
    context = {
        "entry": entry,
        "paragraphs": entry.body.splitlines(),
        "attachments": attachments,
        "similar": similar(
            entry.title,
            entry.summary,
            entry.body,
            among=published_entries(),
            exclude=pk,
            field_name="practice",
        ),
    }
    return render(request, "public/practice_detail.html", context)


def attachment_download(request, pk, attachment_pk):
    """A public attachment of a published practice; anything else is 404."""
    entry = published_entries().filter(practice_id=pk).first()
    if entry is None:
        raise Http404
    attachment = get_object_or_404(entry.practice.attachments, pk=attachment_pk, is_public=True)
    return attachment_response(attachment)


# ---------------------------------------------------------------------------------------------------------------
# Exports, open data, the feed


def _published_or_404(request, year, sequence) -> tuple[Batch, list]:
    """A published batch (without the source it was imported from) and its errata, read once per request: the
    conditional GET's dates and the page or export share them. Http404 if there is no such batch, from whichever
    asks first."""
    cache = request.__dict__.setdefault("_bizenv_published_batch", {})
    if (year, sequence) not in cache:
        batch = get_object_or_404(
            Batch.objects.defer("source_text"), year=year, sequence=sequence, status=BatchStatus.PUBLISHED
        )
        cache[(year, sequence)] = (batch, list(batch.errata.all()))
    return cache[(year, sequence)]


def _batch_changed(request, year, sequence, *args, **kwargs):
    """When a published batch last changed: its publication, or its latest erratum."""
    batch, errata = _published_or_404(request, year, sequence)
    return max(filter(None, [batch.published_at, *(e.created_at for e in errata)]), default=None)


def _batch_etag(request, year, sequence, *args, **kwargs):
    changed = _batch_changed(request, year, sequence)
    return f"batch-{year}-{sequence}-{changed.timestamp():.0f}" if changed else None


EXPORTS = {
    "docx": (exports.batch_docx, "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
    "xlsx": (exports.batch_xlsx, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "csv": (exports.batch_csv, "text/csv; charset=utf-8"),
    "pdf": (exports.batch_pdf, "application/pdf"),
}


@condition(etag_func=_batch_etag, last_modified_func=_batch_changed)
def batch_export(request, year, sequence, fmt):
    """/batches/<year>/<seq>/export.<fmt>: the frozen announcement as Word, Excel or CSV."""
    if fmt not in EXPORTS:
        raise Http404
    batch, _errata = _published_or_404(request, year, sequence)
    build, content_type = EXPORTS[fmt]
    try:
        content = build(batch)
    except exports.PdfUnavailable:
        return HttpResponse(
            _("此服务器暂不能生成 PDF（缺少系统组件 Pango），请下载 Word 版。"),
            status=503,
            content_type="text/plain; charset=utf-8",
        )
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(True, f"{batch.title}.{fmt}")
    return response


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
    batches = (
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "-sequence")
    )
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


class BatchFeed(Feed):
    """/feeds/batches.atom: one entry per published batch."""

    feed_type = Atom1Feed
    title = "优化营商环境典型经验做法"
    subtitle = "已发布的批次"
    link = "/batches/"

    def items(self):
        return Batch.objects.filter(status=BatchStatus.PUBLISHED).order_by("-published_at")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_link(self, item):
        return reverse("batch_detail", args=[item.year, item.sequence])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
