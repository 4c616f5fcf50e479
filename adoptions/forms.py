"""The city's 台账: its filters, and the report on one row."""

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from batches.selectors import year_and_sequence
from bizenv.web.fast import FastSelect, FastTextInput, ReadOnceChoiceField, ReferenceChoiceFilter
from practices.forms import TextField
from practices.models import City, Indicator

from .enums import AdoptionStatus
from .models import RESULT_MAX
from .selectors import overdue_condition


class LedgerFilter(django_filters.FilterSet):
    batch = django_filters.CharFilter(label=_("批次"), method="filter_batch", widget=FastTextInput)
    indicator = ReferenceChoiceFilter(
        label=_("指标"),
        field_name="practice__indicator",
        to_field_name="slug",
        queryset=Indicator.objects.all(),
        shared=True,
        empty_label=_("全部指标"),
    )
    status = django_filters.ChoiceFilter(
        label=_("状态"), choices=AdoptionStatus.choices, empty_label=_("全部状态"), widget=FastSelect
    )
    overdue = django_filters.BooleanFilter(label=_("只看逾期"), method="filter_overdue", widget=forms.CheckboxInput)

    def filter_batch(self, queryset, name, value):
        batch = year_and_sequence(value)
        if batch is None:
            return queryset.none()
        entry = "practice__batch_entry__batch"
        return queryset.filter(**{f"{entry}__year": batch[0], f"{entry}__sequence": batch[1]})

    def filter_overdue(self, queryset, name, value):
        return queryset.filter(overdue_condition()) if value else queryset


class ReportForm(forms.Form):
    """What a city reports on one row; a date and result belong to 已落地, a reason to 暂不适用 (the service says
    which is missing)."""

    status = forms.ChoiceField(label=_("状态"), choices=AdoptionStatus.choices)
    adopted_on = forms.DateField(
        label=_("落地日期"),
        required=False,
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
        help_text=_("已落地时填写"),
    )
    result = TextField(
        label=_("本地成效"), required=False, max_length=RESULT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )
    reason = TextField(
        label=_("暂不适用的原因"), required=False, max_length=RESULT_MAX, widget=forms.Textarea(attrs={"rows": 3})
    )
    evidence = forms.FileField(
        label=_("佐证材料"),
        required=False,
        help_text=_("可选，一个文件：PDF、Word、Excel、JPG 或 PNG，不超过 20 MB；仅省级可见。"),
    )
    drop_evidence = forms.BooleanField(label=_("删除已上传的佐证材料"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)

    def __init__(self, *args, has_evidence: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not has_evidence:
            del self.fields["drop_evidence"]


def result_initial(adoption) -> list[dict]:
    return list(adoption.results.values("measure", "before", "after", "unit"))


class LedgerUploadForm(forms.Form):
    file = forms.FileField(label=_("填写好的台账（.xlsx）"), help_text=_("请上传从本页下载、在 Excel 中填写的台账。"))


class MatrixFilter(forms.Form):
    """Narrows the province's matrix and its spreadsheet to one city's column, or to one indicator's entries."""

    city = ReadOnceChoiceField(
        label=_("城市"),
        queryset=City.objects.all(),
        to_field_name="code",
        required=False,
        empty_label=_("全部城市"),
        shared=True,
        keep=lambda city: not city.is_outside,  # a region outside the province owes no 复制推广
        widget=FastSelect,
    )
    indicator = ReadOnceChoiceField(
        label=_("指标"),
        queryset=Indicator.objects.all(),
        to_field_name="slug",
        required=False,
        empty_label=_("全部指标"),
        shared=True,
        widget=FastSelect,
    )


class DeadlineForm(forms.Form):
    deadline = forms.DateField(
        label=_("填报截止日期"), widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"})
    )


class ExcuseForm(forms.Form):
    reason = TextField(label=_("免于填报的原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
