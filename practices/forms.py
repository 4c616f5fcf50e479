"""Forms of the city portal: what a city official types, with its limits said in Chinese."""

import django_filters
from django import forms
from django.core.validators import MaxLengthValidator, RegexValidator
from django.utils.translation import gettext_lazy as _

from .models import Indicator, Practice, PracticeResult, Status

SUMMARY_MAX = 500
BODY_MAX = 20000
OUTCOMES_MAX = 5000
RESULTS_MAX = 20

phone_validator = RegexValidator(
    r"^[0-9+\-() ]{7,30}$", _("请填写有效的电话号码，如 029-86781234 或 13800000000。"), code="phone"
)


class PracticeForm(forms.ModelForm):
    """The write-up of one practice. `version` is the one the official started from: saving over a newer one fails."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Practice
        fields = ["title", "indicator", "summary", "body", "outcomes", "contact_name", "contact_phone"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": SUMMARY_MAX}),
            "body": forms.Textarea(attrs={"rows": 14, "maxlength": BODY_MAX}),
            "outcomes": forms.Textarea(attrs={"rows": 4, "maxlength": OUTCOMES_MAX}),
        }
        help_texts = {
            "title": _("以城市名开头，如“西安市推行企业开办‘一日办结’”。"),
            "summary": _("一两句话概括做法和成效，%(n)d 字以内。") % {"n": SUMMARY_MAX},
            "body": _("纯文本，空一行另起一段。"),
            "contact_name": _("仅供省级联系，不会公开。"),
            "contact_phone": _("仅供省级联系，不会公开。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.order_by("order")
        self.fields["indicator"].required = False  # a draft may be saved unfinished; submitting checks it
        self.fields["indicator"].empty_label = _("（请选择）")
        for name, limit in (("summary", SUMMARY_MAX), ("body", BODY_MAX), ("outcomes", OUTCOMES_MAX)):
            self.fields[name].validators.append(MaxLengthValidator(limit))
        self.fields["contact_phone"].validators.append(phone_validator)
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version

    def clean_title(self):
        return self.cleaned_data["title"].strip()


class ResultForm(forms.ModelForm):
    class Meta:
        model = PracticeResult
        fields = ["measure", "before", "after", "unit"]
        widgets = {
            "measure": forms.TextInput(attrs={"placeholder": _("如：企业开办时间")}),
            "before": forms.TextInput(attrs={"placeholder": "5", "size": 8}),
            "after": forms.TextInput(attrs={"placeholder": "2", "size": 8}),
            "unit": forms.TextInput(attrs={"placeholder": _("个工作日"), "size": 10}),
        }


ResultFormSet = forms.inlineformset_factory(
    Practice,
    PracticeResult,
    form=ResultForm,
    extra=1,
    max_num=RESULTS_MAX,
    validate_max=True,
    can_delete=True,
)


class WithdrawForm(forms.Form):
    reason = forms.CharField(
        label=_("撤回原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请说明撤回原因。")},
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("选择文件"), help_text=_("PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG，单个不超过 20 MB")
    )
    is_public = forms.BooleanField(label=_("发布后向公众公开"), required=False)


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 或 CSV 文件"), help_text=_(".xlsx 或 .csv（UTF-8 或 GB18030 编码）"))


class CityPracticeFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(label=_("状态"), choices=Status.choices, empty_label=_("全部状态"))
    indicator = django_filters.ModelChoiceFilter(
        label=_("指标"), queryset=Indicator.objects.order_by("order"), empty_label=_("全部指标")
    )
    round = django_filters.NumberFilter(label=_("轮次"), min_value=1)

    class Meta:
        model = Practice
        fields = ["status", "indicator", "round"]
