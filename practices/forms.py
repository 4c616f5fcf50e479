"""Forms of the city portal: what a city official types, with its limits said in Chinese."""

from dataclasses import dataclass

import django_filters
from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.db import models
from django.forms.boundfield import BoundField
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from bizenv.web.fast import FastNumberInput, FastSelect, FastTextInput, ReferenceChoiceFilter

from . import search
from .enums import CityKind, Role, Status
from .models import BODY_MAX, OUTCOMES_MAX, SUMMARY_MAX, City, Indicator, Practice
from .services import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    MAX_PRACTICE_ATTACHMENT_BYTES,
    REQUIRED_FOR_SUBMISSION,
    AttachmentRefused,
    check_upload,
)
from .text import plain_text

RESULTS_MAX = 20

# ---------------------------------------------------------------------------------------------------------------
# Text as people type it


class TextField(forms.CharField):
    r"""A text field whose value is kept as practices.text.plain_text() makes it ("\r\n" from the browser becomes
    "\n", and so on), before it is checked for length or presence. Single-line fields are also trimmed at the
    start; a textarea keeps its first line's indentation, as plain_text() does. Every form's free text is one of
    these (tests/practices/test_forms.py walks the forms), and a model form gets one for each text column through
    text_formfield."""

    def __init__(self, **kwargs):
        kwargs.pop("strip", None)  # plain_text() decides what goes
        given = kwargs.get("error_messages") or {}
        super().__init__(strip=False, **kwargs)
        # Messages that name their field, wherever they are read (a page's list of errors, a screen reader).
        if self.label and "required" not in given:
            self.error_messages["required"] = format_lazy(_("请填写{label}。"), label=self.label)
        if self.label and "max_length" not in given:
            self.error_messages["max_length"] = format_lazy(
                _("{label}最多 %(limit_value)d 个字，现有 %(show_value)d 个字，请删减。"), label=self.label
            )

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return value
        value = plain_text(value)
        if not isinstance(self.widget, forms.Textarea):
            value = value.strip()
        return value or self.empty_value


def text_formfield(db_field, **kwargs):
    """A model form's field for a model field: a TextField for a plain text column (formfield_callback)."""
    if type(db_field) in (models.CharField, models.TextField) and not db_field.choices:
        return db_field.formfield(form_class=TextField, **kwargs)
    return db_field.formfield(**kwargs)


SUBMISSION_LEGEND = "submission-legend"  # the id of the form's sentence saying what the marker means


class PracticeBoundField(BoundField):
    """A field of the practice form. One that submission needs (services.REQUIRED_FOR_SUBMISSION, the list the
    submission checks) says so: the template marks it, and a screen reader reads the legend with it."""

    @property
    def required_for_submission(self) -> bool:
        return self.name in REQUIRED_FOR_SUBMISSION

    @property
    def aria_describedby(self):
        described = super().aria_describedby
        if described is None or not self.required_for_submission:
            return described
        return " ".join(filter(None, [SUBMISSION_LEGEND, described]))


class PracticeForm(forms.ModelForm):
    """The write-up of one practice. `version` is the one the official started from: saving over a newer one fails.
    A draft may be saved unfinished: only the title is needed to save; the fields submission needs are marked."""

    bound_field_class = PracticeBoundField
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Practice
        fields = ["title", "indicator", "summary", "body", "outcomes", "contact_name", "contact_phone"]
        formfield_callback = text_formfield
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 3, "maxlength": SUMMARY_MAX}),
            "body": forms.Textarea(attrs={"rows": 14, "maxlength": BODY_MAX}),
            "outcomes": forms.Textarea(attrs={"rows": 4, "maxlength": OUTCOMES_MAX}),
        }
        help_texts = {
            "title": _("以城市名开头，如“西安市推行企业开办‘一日办结’”。"),
            # format_lazy: the sentence is translated when shown, not once when this module loads.
            "summary": format_lazy(_("一两句话概括做法和成效，{n} 字以内。"), n=SUMMARY_MAX),
            "body": _("纯文本，空一行另起一段。"),
            "contact_name": _("仅供省级联系，不会公开。"),
            "contact_phone": _("仅供省级联系，不会公开。"),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["indicator"].queryset = Indicator.objects.order_by("order")
        self.fields["indicator"].required = False  # a draft may be saved unfinished; submitting checks it
        self.fields["indicator"].empty_label = _("（请选择）")
        self.fields["indicator"].error_messages["invalid_choice"] = _("所选指标不存在，请从列表中重新选择指标。")
        if self.instance.pk and not self.is_bound:
            self.initial["version"] = self.instance.version


class ResultForm(forms.Form):
    """One measured result. Rows are plain values, replaced as a whole on save: no row ids that a colleague's
    save could make stale."""

    measure = TextField(
        label=_("指标项"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("如：企业开办时间")}),
    )
    before = TextField(label=_("实施前"), max_length=50, required=False, widget=forms.TextInput(attrs={"size": 8}))
    after = TextField(label=_("实施后"), max_length=50, required=False, widget=forms.TextInput(attrs={"size": 8}))
    unit = TextField(
        label=_("单位"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("个工作日"), "size": 10}),
    )

    def clean(self):
        data = super().clean()
        if data.get("measure") and not data.get("after") and not data.get("DELETE"):
            self.add_error("after", _("请填写实施后的数值。"))
        if data.get("after") and not data.get("measure") and not data.get("DELETE"):
            self.add_error("measure", _("请填写指标项。"))
        return data


class BaseResultFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict]:
        """The rows that were filled in and not marked for deletion, in order."""
        return [
            {k: form.cleaned_data.get(k, "") for k in ("measure", "before", "after", "unit")}
            for form in self.forms
            if form.cleaned_data.get("measure") and not form.cleaned_data.get("DELETE")
        ]


ResultFormSet = forms.formset_factory(
    ResultForm, formset=BaseResultFormSet, extra=3, max_num=RESULTS_MAX, validate_max=True, can_delete=True
)


@dataclass
class FieldError:
    """One error of a page's forms, for the list at its top: the input it is about (its id), and a message that
    names its field."""

    anchor: str
    message: str


def error_summary(*parts) -> list[FieldError]:
    """Every error of a page's forms and formsets at once, in page order, each naming its field (a row of measured
    results by its number) and leading to it."""
    found = []
    for part in parts:
        if part is None or not part.is_bound:
            continue
        if isinstance(part, forms.BaseFormSet):
            anchor = f"{part.prefix}-fieldset"
            found += [FieldError(anchor, str(message)) for message in part.non_form_errors()]
            for n, form in enumerate(part.forms, start=1):
                found += _form_errors(form, row=n)
        else:
            found += _form_errors(part)
    return found


def _form_errors(form, row: int | None = None) -> list[FieldError]:
    found = [FieldError("", str(message)) for message in form.non_field_errors()]
    for field in form:
        for message in field.errors:
            named = str(field.label) in message  # "请填写实施后的数值。" needs no "实施后：" before it
            if row is not None and named:
                message = _("量化成效第%(n)d行：%(message)s") % {"n": row, "message": message}
            elif row is not None:
                message = _("量化成效第%(n)d行%(label)s：%(message)s") % {
                    "n": row,
                    "label": field.label,
                    "message": message,
                }
            elif not named:
                message = _("%(label)s：%(message)s") % {"label": field.label, "message": message}
            found.append(FieldError(field.id_for_label, message))
    return found


def result_initial(practice) -> list[dict]:
    return list(practice.results.values("measure", "before", "after", "unit")) if practice else []


class WithdrawForm(forms.Form):
    reason = TextField(
        label=_("撤回原因"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请说明撤回原因。")},
    )


class NotificationSettingsForm(forms.Form):
    email = forms.BooleanField(
        label=_("同时通过电子邮件接收通知"),
        required=False,
        help_text=_("不勾选则只在站内“通知”中查看；站内通知总会保留。"),
    )


class AttachmentForm(forms.Form):
    file = forms.FileField(
        error_messages={"required": _("请选择要上传的文件。"), "empty": _("上传的文件是空的。")},
        label=_("选择文件"),
        help_text=_("PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG，单个不超过 20 MB"),
    )
    is_public = forms.BooleanField(label=_("发布后向公众公开"), required=False)


class MultipleFileInput(forms.FileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Any number of files from one input, as a list (Django's own way, from its documentation)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, list | tuple) else [data] if data else []
        return [super(MultipleFileField, self).clean(file, initial) for file in files]


class FirstAttachmentsForm(forms.Form):
    """The files a new practice is saved with: the checks of an upload to a saved one (services.check_upload and
    the practice's limits), every refused file named at once. `services.practice_create` checks them again as it
    stores them, all or nothing with the draft."""

    files = MultipleFileField(
        label=_("附件"),
        required=False,
        error_messages={"empty": _("上传的文件是空的。")},
        help_text=format_lazy(
            _("PDF、Word（.docx）、Excel（.xlsx）、JPG 或 PNG，可选多个，一次合计不超过 {mb} MB；保存后还可继续上传。"),
            mb=MAX_ATTACHMENT_BYTES // 2**20,
        ),
        widget=MultipleFileInput(
            attrs={
                # bizenv.js stops a save whose files exceed what one request may carry (its text would be lost to
                # the 413 page); the server refuses them anyway.
                "data-max-bytes": MAX_ATTACHMENT_BYTES,
                "data-too-large": format_lazy(
                    _("所选附件合计超过 {mb} MB：请先少选几个，保存后再上传其余的。"), mb=MAX_ATTACHMENT_BYTES // 2**20
                ),
            }
        ),
    )
    is_public = forms.BooleanField(label=_("附件发布后向公众公开"), required=False)

    def clean_files(self):
        files = self.cleaned_data["files"]
        problems = []
        for upload in files:
            try:
                check_upload(upload)
            except AttachmentRefused as exc:
                problems.append(forms.ValidationError(str(exc), code="refused"))
        if len(files) > MAX_ATTACHMENTS:
            message = _("每项经验做法最多 %(n)d 个附件，这次选择了 %(chosen)d 个。")
            problems.append(
                forms.ValidationError(message, code="too_many", params={"n": MAX_ATTACHMENTS, "chosen": len(files)})
            )
        if sum(upload.size for upload in files) > MAX_PRACTICE_ATTACHMENT_BYTES:
            message = _("附件总大小不能超过 %(mb)d MB。")
            problems.append(
                forms.ValidationError(message, code="too_large", params={"mb": MAX_PRACTICE_ATTACHMENT_BYTES // 2**20})
            )
        if problems:
            raise forms.ValidationError(problems)
        return files


class ImportForm(forms.Form):
    file = forms.FileField(label=_("Excel 或 CSV 文件"), help_text=_(".xlsx 或 .csv（UTF-8 或 GB18030 编码）"))


class CityPracticeFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("关键词"), method="filter_q", max_length=200, widget=FastTextInput)
    status = django_filters.ChoiceFilter(
        widget=FastSelect, label=_("状态"), choices=Status.choices, empty_label=_("全部状态")
    )
    indicator = ReferenceChoiceFilter(
        label=_("指标"), queryset=Indicator.objects.all(), shared=True, empty_label=_("全部指标")
    )
    round = django_filters.NumberFilter(label=_("轮次"), min_value=1, widget=FastNumberInput)

    class Meta:
        model = Practice
        fields = ["q", "status", "indicator", "round"]

    def filter_q(self, queryset, name, value):
        return search.matching(queryset, value)  # the portal keeps its grouping by status


class InviteForm(forms.Form):
    """A new account: who, their role and city. No password: the invitation's link lets them set it."""

    username = forms.CharField(
        label=_("用户名"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("登录用，可用字母、数字和 @ . + - _，如 xian_zhang。"),
    )
    name = TextField(label=_("姓名"), max_length=150)
    email = forms.EmailField(label=_("电子邮箱"), help_text=_("邀请邮件发到这里，之后也用于找回密码。"))
    role = forms.ChoiceField(label=_("角色"))
    city = forms.ModelChoiceField(
        label=_("所属城市"),
        queryset=City.objects.filter(active=True).exclude(kind=CityKind.OUTSIDE),
        required=False,
        help_text=_("填报员必填；评审员如属于某市，填写后不会评审该市的经验做法。"),
        error_messages={"invalid_choice": _("请从列表中选择本省的城市。")},
    )

    def __init__(self, *args, inviter, **kwargs):
        super().__init__(*args, **kwargs)
        roles = [Role.CITY_OFFICIAL, Role.REVIEWER] + ([Role.COORDINATOR] if inviter.is_superuser else [])
        self.fields["role"].choices = [(role.value, role.label) for role in roles]

    def clean_username(self):
        username = self.cleaned_data["username"]
        if get_user_model().objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("用户名“%(name)s”已被使用。") % {"name": username}, code="taken")
        return username

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("role") == Role.CITY_OFFICIAL and not cleaned.get("city"):
            self.add_error("city", forms.ValidationError(_("填报员必须属于一个城市。"), code="city_required"))
        return cleaned
