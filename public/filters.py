"""The public list's filters, shared by the list and the API, and how they become a search of the index."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from batches.announcement import batch_label
from batches.models import BatchEntry
from batches.selectors import published_batch_choices, year_and_sequence
from bizenv.web.fast import FastNumberInput, FastSelect, FastTextInput, ReferenceChoiceFilter
from practices import search
from practices.models import City, Indicator
from practices.search.text import parse_query

YEAR_RANGE = gettext_lazy("请输入 1949 到 2100 之间的年份。")
BATCH_INVALID = gettext_lazy("请从列表中选择，或写作“2022-2”“2022年第二批”。")
FOUR_DIGIT_YEAR = gettext_lazy("请输入四位数字的年份，如 2022。")
ADOPTED_ONLY = gettext_lazy("只公开已落地（adopted）的记录。")


class BatchSelect(FastSelect):
    """The published batches, newest first, after "all batches"; and the batch asked for, if it is not among them
    (published in another process within the last minute, or not at all: the list then says it found nothing)."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [("", _("全部批次")), *published_batch_choices()]
        asked = year_and_sequence(value) if isinstance(value, str) else None
        if asked and f"{asked[0]}-{asked[1]}" not in dict(choices):
            choices.append((f"{asked[0]}-{asked[1]}", batch_label(*asked)))
        self.choices = choices
        return super().render(name, value, attrs, renderer)


class BatchField(forms.CharField):
    """A batch as YEAR-SEQ (2022-2), however it was written: chosen in the list, or typed into a URL or the API as
    2022-2, 2022年第二批, 2022年第2批 …; anything else is an error that says how to write it."""

    widget = BatchSelect
    default_error_messages = {"invalid": BATCH_INVALID}

    def to_python(self, value) -> str:
        value = super().to_python(value)
        if not value:
            return ""
        found = year_and_sequence(value)
        if found is None:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return f"{found[0]}-{found[1]}"

    def prepare_value(self, value):
        """The select shows the batch asked for however it was written (2022年第二批 is the option 2022-2)."""
        found = year_and_sequence(value) if isinstance(value, str) else None
        return f"{found[0]}-{found[1]}" if found else value


class BatchFilter(django_filters.Filter):
    field_class = BatchField


class PublicPracticeFilter(django_filters.FilterSet):
    """The list's filters, part of the public interface: city (code), indicator (slug), batch (YEAR-SEQ), year, q."""

    q = django_filters.CharFilter(label=gettext_lazy("关键词"), method="filter_q", max_length=200, widget=FastTextInput)
    # Every city, the regions outside the province too (after the province's own): a reader of a national notice
    # looks for one region's practices.
    city = ReferenceChoiceFilter(
        label=gettext_lazy("城市"),
        field_name="practice__city",
        to_field_name="code",
        queryset=City.objects.all(),
        shared=True,
        empty_label=gettext_lazy("全部城市"),
        error_messages={"invalid_choice": gettext_lazy("没有这个城市，请从列表中选择。")},
    )
    indicator = ReferenceChoiceFilter(
        label=gettext_lazy("指标"),
        field_name="practice__indicator",
        to_field_name="slug",
        queryset=Indicator.objects.all(),
        shared=True,
        empty_label=gettext_lazy("全部指标"),
        error_messages={"invalid_choice": gettext_lazy("没有这个指标，请从列表中选择。")},
    )
    batch = BatchFilter(label=gettext_lazy("批次"), method="filter_batch")
    year = django_filters.NumberFilter(
        label=gettext_lazy("年份"),
        field_name="batch__year",
        min_value=1949,
        max_value=2100,
        decimal_places=0,
        widget=FastNumberInput,
        error_messages={
            "invalid": gettext_lazy("请输入数字。"),
            "min_value": YEAR_RANGE,
            "max_value": YEAR_RANGE,
            "max_digits": YEAR_RANGE,
            "max_whole_digits": YEAR_RANGE,
            "max_decimal_places": gettext_lazy("请输入整数。"),
        },
    )

    class Meta:
        model = BatchEntry
        fields = ["q", "city", "indicator", "batch", "year"]

    def filter_q(self, queryset, name, value):
        return queryset  # ranked full-text search happens after the other filters: see searched()

    def filter_batch(self, queryset, name, value):
        year, sequence = year_and_sequence(value)  # as BatchField cleaned it
        return queryset.filter(batch__year=year, batch__sequence=sequence)


def labelled(label, message) -> str:
    """An error as the list and the API say it: the field's name, then what is wrong ("年份：请输入数字。")."""
    return _("%(label)s：%(message)s") % {"label": label, "message": message}


labelled_lazy = lazy(labelled, str)  # the same, said in the language of whoever reads it (public/openapi.py)


def labelled_errors(form) -> dict[str, list[str]]:
    """A form's errors by field, each naming its field."""
    return {
        name: [labelled(form.fields[name].label, message) if name in form.fields else message for message in messages]
        for name, messages in form.errors.items()
    }


def searched(filters: PublicPracticeFilter):
    """The filtered entries; with a query, its matches in rank order instead of the list's order."""
    if not filters.is_bound:
        return filters.queryset, []
    if not filters.is_valid():
        return filters.queryset.none(), []
    data = filters.form.cleaned_data
    query = data.get("q") or ""
    # The list's filters as the index's facets: what the public may see (published), and what was asked for.
    tokens = [
        search.PUBLISHED,
        *search.facets(
            city=data["city"].pk if data.get("city") else None,
            indicator=data["indicator"].pk if data.get("indicator") else None,
            year=data.get("year"),
            batch=year_and_sequence(data["batch"]) if data.get("batch") else None,
        ),
    ]
    terms = parse_query(query)
    if not terms and len(tokens) > 1:  # filtered, not searched: the index counts what the filters keep
        return search.Faceted(filters.qs, tokens), terms
    return search.search(filters.qs, query, "practice", tokens), terms
