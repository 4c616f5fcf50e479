"""The public list's filters, shared by the list and the API, and how they become a search of the index."""

import django_filters
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from batches.models import BatchEntry
from batches.selectors import year_and_sequence
from bizenv.web.fast import FastNumberInput, FastTextInput, ReferenceChoiceFilter
from practices import search
from practices.models import City, Indicator
from practices.search.text import parse_query


def batch_name(value: str):
    """A batch is named YEAR-SEQ (2022-2): anything else is a mistake to say, not a filter that keeps nothing."""
    if year_and_sequence(value) is None:
        raise ValidationError(_("批次请写作“年份-批次号”，如 2022-2。"), code="batch_name")


class PublicPracticeFilter(django_filters.FilterSet):
    """The list's filters, part of the public interface: city (code), indicator (slug), batch (YEAR-SEQ), year, q."""

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
    batch = django_filters.CharFilter(
        label=_("批次"), method="filter_batch", widget=FastTextInput, validators=[batch_name]
    )
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
        year, sequence = year_and_sequence(value)  # batch_name() let only a batch's name through
        return queryset.filter(batch__year=year, batch__sequence=sequence)


def searched(filters: PublicPracticeFilter):
    """The filtered entries; with a query, its matches in rank order instead of the list's order."""
    if not filters.is_bound:
        return filters.queryset, []
    if not filters.is_valid():
        return filters.queryset.none(), []
    data = filters.form.cleaned_data
    query = data.get("q") or ""
    batch = year_and_sequence(data["batch"]) if data.get("batch") else None
    # The list's filters as the index's facets: what the public may see (published), and what was asked for.
    tokens = [
        search.PUBLISHED,
        *search.facets(
            city=data["city"].pk if data.get("city") else None,
            indicator=data["indicator"].pk if data.get("indicator") else None,
            year=data.get("year"),
            batch=batch,
        ),
    ]
    terms = parse_query(query)
    if not terms and len(tokens) > 1:  # filtered, not searched: the index counts what the filters keep
        return search.Faceted(filters.qs, tokens), terms
    return search.search(filters.qs, query, "practice", tokens), terms
