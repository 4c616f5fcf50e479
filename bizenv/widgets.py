"""Form widgets rendered in Python where Django's template rendering is too slow for a busy page (the public list's
filters are on every one of its requests)."""

from html import escape

from django import forms
from django.forms.utils import flatatt
from django.utils.safestring import mark_safe


class FastSelect(forms.Select):
    """A plain <select> (no option groups) built in Python.

    Django renders every option through its own template: about a tenth of a millisecond each, so the public
    list's city and indicator filters alone cost several milliseconds a page. Options are escaped with the standard
    library's escape (the same five characters as Django's, without its lazy-string checks on every label).
    """

    def render(self, name, value, attrs=None, renderer=None):
        selected = {str(v) for v in self.format_value(value)}
        options = "".join(
            f'<option value="{escape(str(choice))}"{" selected" if str(choice) in selected else ""}>'
            f"{escape(str(label))}</option>"
            for choice, label in self.choices
        )
        attributes = flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name}))
        return mark_safe(f"<select{attributes}>{options}</select>")


class FastInputMixin:
    """An <input> built in Python, as Django's input.html writes it: type, name, value (when there is one), then
    the attributes (flatatt: True as the bare name, False and None left out)."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escape(str(widget["value"]))}"'
        return mark_safe(f'<input type="{widget["type"]}" name="{escape(name)}"{shown}{flatatt(widget["attrs"])}>')


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass
