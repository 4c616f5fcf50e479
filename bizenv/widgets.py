"""Form widgets rendered in Python where Django's template rendering is too slow for a busy page (the public list's
filters are on every one of its requests). Each writes what Django's own template for it writes."""

from html import escape

from django import forms
from django.utils.safestring import mark_safe


def _text(value) -> str:
    """A value as Django's templates write it: escaped (the same five characters), unless it is safe HTML already;
    without Django's lazy-string checks, which cost more than the escaping on a select's every option."""
    return value.__html__() if hasattr(value, "__html__") else escape(str(value))


def _attributes(attrs: dict) -> str:
    """As django/forms/widgets/attrs.html writes them, in their order: False left out, True as the bare name,
    anything else (None too) as text."""
    return "".join(
        f" {_text(name)}" if value is True else f' {_text(name)}="{_text(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class FastSelect(forms.Select):
    """A plain <select> (one choice, no option groups) built in Python.

    Django renders every option through its own template: about a tenth of a millisecond each, so the public
    list's city and indicator filters alone cost several milliseconds a page.
    """

    def render(self, name, value, attrs=None, renderer=None):
        wanted = {str(v) for v in self.format_value(value)}
        options, chosen = [], False
        for choice, label in self.choices:
            choice = "" if choice is None else choice
            selected = str(choice) in wanted and not chosen  # as Django's optgroups(): the first match only
            chosen |= selected
            options.append(f'<option value="{_text(choice)}"{" selected" if selected else ""}>{_text(label)}</option>')
        attributes = _attributes(self.build_attrs(self.attrs, attrs))
        return mark_safe(f'<select name="{_text(name)}"{attributes}>{"".join(options)}</select>')


class FastInputMixin:
    """An <input> built in Python, as django/forms/widgets/input.html writes it: type, name, the value when there
    is one, then the attributes."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{_text(widget["value"])}"'
        return mark_safe(f'<input type="{widget["type"]}" name="{_text(name)}"{shown}{_attributes(widget["attrs"])}>')


class FastTextInput(FastInputMixin, forms.TextInput):
    pass


class FastNumberInput(FastInputMixin, forms.NumberInput):
    pass
