"""The public site: published batches as announcements, and the published practices. No sign-in."""

import django_filters
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, render
from django.utils.translation import gettext_lazy as _

from practices.models import City, Indicator

from .models import Batch, BatchEntry, BatchStatus
from .selectors import announcement_sections, published_entries

PAGE_SIZE = 30


class PublicPracticeFilter(django_filters.FilterSet):
    """The list's filters, as DESIGN.md fixes them: city (code), indicator (slug), batch (YEAR-SEQ), year, q."""

    q = django_filters.CharFilter(label=_("关键词"), method="filter_q")
    city = django_filters.ModelChoiceFilter(
        label=_("城市"),
        field_name="practice__city",
        to_field_name="code",
        queryset=City.objects.all(),
        empty_label=_("全部城市"),
    )
    indicator = django_filters.ModelChoiceFilter(
        label=_("指标"),
        field_name="practice__indicator",
        to_field_name="slug",
        queryset=Indicator.objects.all(),
        empty_label=_("全部指标"),
    )
    batch = django_filters.CharFilter(label=_("批次"), method="filter_batch")
    year = django_filters.NumberFilter(label=_("年份"), field_name="batch__year")

    class Meta:
        model = BatchEntry
        fields = ["q", "city", "indicator", "batch", "year"]

    def filter_q(self, queryset, name, value):
        # A plain substring match for now; full-text search replaces it (issue 7).
        for term in value.split():
            queryset = queryset.filter(Q(title__icontains=term) | Q(summary__icontains=term) | Q(body__icontains=term))
        return queryset

    def filter_batch(self, queryset, name, value):
        year, _sep, sequence = value.partition("-")
        if not (year.isdigit() and sequence.isdigit()):
            return queryset.none()
        return queryset.filter(batch__year=int(year), batch__sequence=int(sequence))


def batch_list(request):
    """Every published batch, newest first."""
    batches = (
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "-sequence")
    )
    return render(request, "public/batch_list.html", {"batches": batches})


def batch_detail(request, year, sequence):
    """One batch as the announcement: title, date, lead, indicator headings, numbered items."""
    batch = get_object_or_404(Batch, year=year, sequence=sequence, status=BatchStatus.PUBLISHED)
    context = {
        "batch": batch,
        "sections": announcement_sections(batch),
        "lead": batch.lead.splitlines(),
        "errata": list(batch.errata.all()),
    }
    return render(request, "public/batch_detail.html", context)


def practice_list(request):
    filters = PublicPracticeFilter(request.GET or None, queryset=published_entries())
    entries = filters.qs if filters.is_bound and filters.is_valid() else published_entries()
    if filters.is_bound and not filters.is_valid():
        entries = published_entries().none()
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "public/practice_list.html", {"filters": filters, "page": page})


def practice_detail(request, pk):
    """A published practice as it was published: the permalink stays valid whatever happens to the draft."""
    entry = published_entries().filter(practice_id=pk).first()
    if entry is None:
        raise Http404
    attachments = entry.practice.attachments.filter(is_public=True)
    context = {"entry": entry, "paragraphs": entry.body.splitlines(), "attachments": attachments}
    return render(request, "public/practice_detail.html", context)


def attachment_download(request, pk, attachment_pk):
    """A public attachment of a published practice; anything else is 404."""
    entry = published_entries().filter(practice_id=pk).first()
    if entry is None:
        raise Http404
    attachment = get_object_or_404(entry.practice.attachments, pk=attachment_pk, is_public=True)
    response = FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.original_name)
    response["Content-Type"] = attachment.content_type
    return response
