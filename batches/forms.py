"""The coordinator's import of an announcement in the browser: the upload, then the confirmation with the
corrections of each item's city and indicator."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bizenv.web.fast import FastSelect, ReadOnceChoiceField
from practices.models import City, Indicator

from .bulletin import Item
from .importing import MAX_BYTES, Correction

YEAR_MESSAGES = {
    "required": gettext_lazy("请填写年份。"),
    "invalid": gettext_lazy("年份应为四位数字，如 2024。"),
    "min_value": gettext_lazy("年份应在 2000 至 2100 之间。"),
    "max_value": gettext_lazy("年份应在 2000 至 2100 之间。"),
}
SEQUENCE_MESSAGES = {
    "required": gettext_lazy("请填写批次序号（第几批）。"),
    "invalid": gettext_lazy("批次序号应为正整数，如 2 表示第二批。"),
    "min_value": gettext_lazy("批次序号应为正整数，如 2 表示第二批。"),
    "max_value": gettext_lazy("批次序号不能超过 999。"),
}


class BatchNumberForm(forms.Form):
    """Which batch the announcement becomes, and how."""

    year = forms.IntegerField(label=gettext_lazy("年份"), min_value=2000, max_value=2100, error_messages=YEAR_MESSAGES)
    sequence = forms.IntegerField(
        label=gettext_lazy("批次序号"),
        min_value=1,
        max_value=999,
        help_text=gettext_lazy("第几批，如 2 表示第二批"),
        error_messages=SEQUENCE_MESSAGES,
    )
    publish = forms.BooleanField(
        label=gettext_lazy("导入后直接发布"), required=False, help_text=gettext_lazy("不勾选则导入为编排中的批次")
    )
    replace = forms.BooleanField(
        label=gettext_lazy("替换已有批次"),
        required=False,
        help_text=gettext_lazy("同年同批次已有导入的批次时，整批替换"),
    )


class BulletinUploadForm(BatchNumberForm):
    """Step 1: the file, and what it is to become."""

    file = forms.FileField(
        label=gettext_lazy("公告文件"),
        help_text=gettext_lazy("Word（.docx）、网页（.html/.htm）、纯文本（.txt）或 PDF，不超过 20 MB"),
        widget=forms.ClearableFileInput(attrs={"accept": ".docx,.html,.htm,.txt,.pdf"}),
        error_messages={"required": gettext_lazy("请选择公告文件。"), "empty": gettext_lazy("文件是空的。")},
    )

    field_order = ["file", "year", "sequence", "publish", "replace"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_BYTES:  # refused unread
            raise ValidationError(
                _("文件超过 %(mb)d MB，不像是一份公告，未读取。"), code="too_large", params={"mb": MAX_BYTES // 2**20}
            )
        return upload


class ConfirmForm(BatchNumberForm):
    """Step 2: the batch's number again, and each item's city and indicator where the coordinator chooses another
    than was read (empty: as read)."""

    token = forms.CharField(widget=forms.HiddenInput, max_length=40)
    sha256 = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(self, *args, items: list[Item], **kwargs):
        kwargs.setdefault("auto_id", "confirm_%s")  # the upload form's fields are on the same page
        super().__init__(*args, **kwargs)
        self.items = items
        for item in items:
            city = ReadOnceChoiceField(
                queryset=City.objects.all(),
                shared=True,
                required=False,
                widget=FastSelect(attrs={"aria-label": _("第%(n)d项的城市") % {"n": item.number}}),
                empty_label=(_("按原文：%(name)s") % {"name": item.city}) if item.city else _("未识别，请选择"),
            )
            if item.indicator:
                kept = _("按原文：%(name)s") % {"name": item.indicator}
            elif item.suggested_indicator:
                kept = _("建议：%(name)s（待确认）") % {"name": item.suggested_indicator}
            else:
                kept = _("不归入指标")
            indicator = ReadOnceChoiceField(
                queryset=Indicator.objects.all(),
                shared=True,
                required=False,
                widget=FastSelect(attrs={"aria-label": _("第%(n)d项的指标") % {"n": item.number}}),
                empty_label=kept,
            )
            self.fields[f"city_{item.number}"] = city
            self.fields[f"indicator_{item.number}"] = indicator

    def number_fields(self):
        """The batch's number and how it is imported, bound, for the form above the items."""
        return [self[name] for name in ("year", "sequence", "publish", "replace")]

    def rows(self):
        """Each item with its two fields, bound, for the preview's table."""
        return [(item, self[f"city_{item.number}"], self[f"indicator_{item.number}"]) for item in self.items]

    def corrections(self) -> dict[int, Correction]:
        """What the coordinator chose, by item number; items left as read are not in it."""
        chosen = {}
        for item in self.items:
            city = self.cleaned_data.get(f"city_{item.number}")
            indicator = self.cleaned_data.get(f"indicator_{item.number}")
            if city or indicator:
                chosen[item.number] = Correction(
                    city_id=city.pk if city else None, indicator_id=indicator.pk if indicator else None
                )
        return chosen
