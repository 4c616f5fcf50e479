"""The public site: published batches as announcements and their exports, the published practices, the API's
documentation, all without signing in; and the home page, which also tells a signed-in user where their work
stands."""

import json
import re

from django.conf import settings
from django.core.cache import cache
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import condition

from adoptions.selectors import adopted_by, adopted_counts, last_reported, public_adoptions
from adoptions.services import changed
from batches import exportfiles, exports
from batches.announcement import batch_label
from batches.enums import BatchStatus
from batches.models import Batch
from batches.pdf import PdfUnavailable
from batches.selectors import (
    announcement_sections,
    published_batches,
    published_entries,
    published_years,
)
from bizenv.web import sheets
from bizenv.web.files import attachment, download, stored_download
from bizenv.web.paging import CappedPaginator
from bizenv.web.permissions import can
from practices import search
from practices.enums import Status
from practices.models import Practice, SimilarSearched
from practices.people import is_city_official, is_coordinator, is_reviewer, user_city
from practices.search import similar
from practices.selectors import status_counts
from reviews.selectors import OPEN_REVIEW

from . import charts, openapi, statistics
from .filters import FOUR_DIGIT_YEAR, PublicPracticeFilter, searched
from .selectors import published_list, published_totals

HOME_BATCHES = 10
PAGE_SIZE = 30
SEARCH_PAGE_SIZE = 20  # results carry a snippet each: longer rows, fewer of them
BATCH_PAGE = 30
EXPORT_SECONDS = 24 * 60 * 60


def home(request):
    """The front page: what bizenv is, the latest published batches, and for staff where their work stands."""
    user = request.user
    shown, counts, caption, open_reviews = [], {}, "", None
    if is_city_official(user) and user_city(user):
        shown = list(Status)
        counts = status_counts(Practice.objects.filter(city=user_city(user)))
        caption = _("%(city)s的经验做法") % {"city": user_city(user).name}
    elif is_coordinator(user):
        # Drafts belong to the cities until they submit them.
        shown = [status for status in Status if status != Status.DRAFT]
        counts = status_counts(Practice.objects.filter(status__in=shown))
        caption = _("各市提交的经验做法")
    if is_reviewer(user):
        open_reviews = user.reviews.filter(OPEN_REVIEW).count()
    rows = [(status.label, counts.get(status.value, 0)) for status in shown]
    context = {
        "status_rows": rows,
        "status_caption": caption,
        "open_reviews": open_reviews,
        "batches": published_batches()[:HOME_BATCHES],
        # Three distinct counts over every published entry (a quarter of a second at 100,000): once per
        # statistics generation, which every publication raises.
        "totals": statistics.cached("totals", published_totals),
    }
    return render(request, "public/home.html", context)


def batch_list(request):
    """Published batches under their years' headings, newest first, BATCH_PAGE a page; `year` (2022) for one year's
    only. Above them, every year with its numbers of batches and items: one query, kept until the next publication
    (it counts every published entry)."""
    years = statistics.cached("batch_years", lambda: list(published_years()))
    batches, year, error, status = published_batches(), request.GET.get("year", "").strip(), "", 200
    chosen = int(year) if re.fullmatch(r"[0-9]{4}", year) else None
    if year and chosen is None:
        batches, error, status = batches.none(), FOUR_DIGIT_YEAR, 400
    elif chosen is not None:
        batches = batches.filter(year=chosen)
    page = CappedPaginator(batches, BATCH_PAGE).get_page(request.GET.get("page"))
    if chosen is not None and not page.paginator.count:
        error, status = _("%(year)d年没有已发布的批次。") % {"year": chosen}, 404
    context = {"years": years, "chosen": chosen, "every_year": not year, "error": error, "page": page}
    return render(request, "public/batch_list.html", context, status=status)


def _announcement_changed(request, year, sequence):
    """When the announcement page last changed: the batch's, or the latest change of a row of its 台账 (the page
    says in how many cities each item was copied). None for a signed-in user, whose page has their own header
    (name, unread notices): a 304 would have the browser show a copy kept from before they signed in."""
    if request.user.is_authenticated:
        return None
    cache = request.__dict__.setdefault("_bizenv_announcement_changed", {})
    if (year, sequence) not in cache:
        batch, _errata = _published_or_404(request, year, sequence)
        times = [_batch_changed(request, year, sequence), last_reported(batch)]
        cache[(year, sequence)] = max(filter(None, times), default=None)
    return cache[(year, sequence)]


def _announcement_etag(request, year, sequence):
    changed = _announcement_changed(request, year, sequence)
    # To the microsecond: an erratum or a report in the same second as the change before it makes another page.
    return f"announcement-{year}-{sequence}-{changed.timestamp():.6f}" if changed else None


@condition(etag_func=_announcement_etag, last_modified_func=_announcement_changed)
def batch_detail(request, year, sequence):
    """One batch as the announcement: title, date, lead, indicator headings, numbered items, each with the number
    of cities that copied it."""
    batch, errata = _published_or_404(request, year, sequence)
    sections = announcement_sections(batch, text=False)
    context = {
        "batch": batch,
        "sections": sections,
        "adopted": adopted_counts(entry.practice_id for _heading, entries in sections for entry in entries),
        "entry_count": sum(len(entries) for _heading, entries in sections),
        "lead": batch.lead.splitlines(),
        "errata": errata,
    }
    return render(request, "public/batch_detail.html", context)


def practice_list(request):
    filters = PublicPracticeFilter(request.GET or None, queryset=published_list(snippets=bool(request.GET.get("q"))))
    entries, terms = searched(filters)
    page = CappedPaginator(entries, SEARCH_PAGE_SIZE if terms else PAGE_SIZE).get_page(request.GET.get("page"))
    if terms:
        search.hits(page, terms)
    names = {(e.batch.year, e.batch.sequence): None for e in page}
    context = {"filters": filters, "page": page, "terms": terms, "batch_names": {b: batch_label(*b) for b in names}}
    return render(request, "public/practice_list.html", context)


def practice_detail(request, pk):
    """A published practice as it was published: the permalink stays valid whatever happens to the draft."""
    searched = SimilarSearched.objects.filter(practice=OuterRef("practice"))
    entry = published_entries().filter(practice_id=pk).annotate(similar_searched=Exists(searched)).first()
    if entry is None:
        raise Http404
    # Published before similar practices were stored (or in bulk): found now, once; listed from now on on the other
    # practices' pages too, which are rendered again (public/pagecache.py).
    if not entry.similar_searched and similar.remember([pk]):
        changed()
    attachments = entry.practice.attachments.filter(is_public=True)
    context = {
        "entry": entry,
        "adopted": adopted_by(entry.practice_id),
        "can_declare": _may_declare(request.user, entry.practice),
        "paragraphs": entry.body.splitlines(),
        "attachments": attachments,
        # Found once and stored both ways (practices/search/similar.py): one query, and the same pair on both pages.
        "similar": similar.listed(pk, among=published_entries(), field_name="practice"),
    }
    return render(request, "public/practice_detail.html", context)


def _may_declare(user, practice) -> bool:
    """A city official of another city may report copying the practice (the link to the 台账's row)."""
    if not user.is_authenticated or not can(user, "adoptions.view_ledger"):
        return False
    city = user_city(user)
    return city is not None and city.pk != practice.city_id


def attachment_download(request, pk, attachment_pk):
    """A public attachment of a published practice; anything else is 404."""
    entry = published_entries().filter(practice_id=pk).first()
    if entry is None:
        raise Http404
    attachment = get_object_or_404(entry.practice.attachments, pk=attachment_pk, is_public=True)
    return download(attachment.file, name=attachment.original_name, content_type=attachment.content_type)


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


def _last_change(batch, errata):
    """When a published batch last changed: its publication, or its latest erratum."""
    return max(filter(None, [batch.published_at, *(e.created_at for e in errata)]), default=None)


def _batch_changed(request, year, sequence, *args, **kwargs):
    return _last_change(*_published_or_404(request, year, sequence))


EXPORTS = exportfiles.FORMATS


def _exported_or_404(request, year, sequence) -> tuple[Batch, list]:
    """The published batch and its errata for an export, as batches/exportfiles.py keeps them: no query while
    nothing has changed. Read once per request; Http404 if there is no such batch."""
    seen = request.__dict__.setdefault("_bizenv_exported_batch", {})
    if (year, sequence) not in seen:
        seen[(year, sequence)] = exportfiles.published(year, sequence)
    if seen[(year, sequence)] is None:
        raise Http404
    return seen[(year, sequence)]


def _export_changed(request, year, sequence, *args, **kwargs):
    return _last_change(*_exported_or_404(request, year, sequence))


def _export_etag(request, year, sequence, *args, **kwargs):
    batch, errata = _exported_or_404(request, year, sequence)
    return f"batch-{year}-{sequence}-{exportfiles.version(batch, errata)}"  # as the stored files are named


@condition(etag_func=_export_etag, last_modified_func=_export_changed)
def batch_export(request, year, sequence, fmt):
    """/batches/<year>/<seq>/export.<fmt>: the frozen announcement as Word, Excel, CSV or PDF, a file written once
    per version of the batch (batches/exportfiles.py) and streamed from storage."""
    if fmt not in EXPORTS:
        raise Http404
    batch, errata = _exported_or_404(request, year, sequence)
    try:
        stored = exportfiles.stored(batch, errata, fmt)
    except PdfUnavailable as unavailable:
        return _export_unavailable(request, fmt, str(unavailable), retry_after=3600)
    except exportfiles.Busy:
        reason = _("文件正在生成，请稍后刷新本页再下载。")
        return _export_unavailable(request, fmt, reason, retry_after=30, busy=True)
    return stored_download(exportfiles.storage(), stored, name=f"{batch.title}.{fmt}", content_type=EXPORTS[fmt][1])


def _export_unavailable(request, fmt, reason, *, retry_after, busy=False):
    context = {"reason": reason, "fmt": fmt, "busy": busy}
    page = render(request, "public/export_unavailable.html", context, status=503)
    page["Retry-After"] = str(retry_after)
    return page


def _published_entry_or_404(request, pk):
    """A published practice's entry, with its batch (not the text it was imported from), read once per request:
    the conditional GET's ETag and date and the page or file share it. Http404 for anything unpublished."""
    seen = request.__dict__.setdefault("_bizenv_published_entry", {})
    if pk not in seen:
        entry = published_entries().filter(practice_id=pk).first()
        if entry is None:
            raise Http404
        seen[pk] = entry
    return seen[pk]


def _entry_published(request, pk, *args, **kwargs):
    """The practice's text is frozen when its batch is published: that is when it last changed."""
    return _published_entry_or_404(request, pk).batch.published_at


def _entry_etag(request, pk, *args, **kwargs):
    entry = _published_entry_or_404(request, pk)
    return f"practice-{pk}-{entry.pk}-{entry.batch.published_at.timestamp():.0f}"


def _print_etag(request, pk, *args, **kwargs):
    return f"{_entry_etag(request, pk)}-{get_language()}"  # the page's few words are in the reader's language


@condition(etag_func=_entry_etag, last_modified_func=_entry_published)
def practice_export(request, pk):
    """/practices/<id>/export.docx: the published practice as a Word document in the announcement's layout."""
    entry = _published_entry_or_404(request, pk)
    key = f"practice-export:{_entry_etag(request, pk)}:docx"  # built once: the published text never changes
    content = cache.get(key)
    if content is None:
        content = exports.practice_docx(entry)
        cache.set(key, content, EXPORT_SECONDS)
    response = HttpResponse(content, content_type=EXPORTS["docx"][1])
    response["Content-Disposition"] = attachment(f"{entry.title or pk}.docx")
    return response


@condition(etag_func=_print_etag, last_modified_func=_entry_published)
def practice_print(request, pk):
    """/practices/<id>/print/: the published practice alone on A4 pages, ready for the browser to print."""
    entry = _published_entry_or_404(request, pk)
    return render(request, "public/practice_print.html", {"entry": entry, "paragraphs": entry.body.splitlines()})


# ---------------------------------------------------------------------------------------------------------------
# The API's documentation


def api_docs(request):
    """/api/: the API for people who reuse the data, its tables written from the OpenAPI document and its examples
    on a practice actually published, at this site's address."""
    doc = openapi.document()
    published = published_entries().values_list("practice_id", "batch__year", "batch__sequence", "practice__city__code")
    entry = "practice__batch_entry__batch"
    adopted = public_adoptions().values_list("practice_id", f"{entry}__year", f"{entry}__sequence", "city__code")
    sample = (1, 2022, 2, "610100")  # before anything is published
    examples = openapi.examples(published.first() or sample, adopted.first() or sample)
    base = request.build_absolute_uri("/").rstrip("/")
    operations = [
        {**row, "examples": [openapi.curl(base, row["path"], query) for query in examples[row["path"]]]}
        for row in openapi.rows(doc)
    ]
    practices = doc["paths"]["/api/v1/practices/"]["get"]["responses"]
    context = {
        "operations": operations,
        "page_fields": openapi.fields(doc, {"$ref": "#/components/schemas/PracticePage"}, nested=False),
        "error_example": json.dumps(
            practices["400"]["content"]["application/json"]["example"], ensure_ascii=False, indent=2
        ),
        # curl sends no Accept-Language: it gets the document in the site's default language, and its ETag
        "conditional": openapi.curl(
            base,
            "/api/v1/openapi.json",
            {},
            headers={"If-None-Match": f'"{openapi.etag(settings.LANGUAGE_CODE)}"'},
        ),
        "base": base,
    }
    return render(request, "public/api.html", context)


# ---------------------------------------------------------------------------------------------------------------
# Statistics


def stats(request):
    """/stats/: the public statistics, each chart beside a table of its numbers and their CSV. Rendered once per
    generation and language: a view costs one small query and a cache hit (public/statistics.py)."""
    content = statistics.cached(f"page.{get_language()}", _stats_content)
    return render(request, "public/stats.html", {"content": content})


def stats_csv(request, slug):
    """/stats/<slug>.csv: one table of /stats/, as the page shows it, in UTF-8 with a BOM."""
    if slug not in statistics.SLUGS:
        raise Http404
    name, content = statistics.cached(f"csv.{slug}.{get_language()}", lambda: _stats_csv(slug))
    response = HttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = attachment(name)
    return response


def _stats_csv(slug: str) -> tuple[str, bytes]:
    table = statistics.table(statistics.current(), slug)
    return f"{table.caption}.csv", sheets.csv_bytes(table.csv_rows())


def _stats_content() -> str:
    numbers = statistics.current()
    sections = [] if numbers.empty else charts.sections(numbers)
    return render_to_string("public/includes/_stats.html", {"sections": sections})
