"""Form widgets rendered in Python where Django's template-per-option rendering is too slow for a busy page."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A plain <select> (no option groups) built in Python.

    Django renders every option through its own template: about a tenth of a millisecond each, so the public
    list's city and indicator filters alone cost several milliseconds a page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                (str(choice), mark_safe(" selected") if str(choice) in selected else "", label)
                for choice, label in self.choices
            ),
        )
        return format_html(
            "<select{}>{}</select>", flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})), options
        )
