"""A filter over reference rows (cities, indicators, reviewers) that reads them once per request."""

import django_filters
from django.core.exceptions import ValidationError
from django.forms.models import ModelChoiceIterator
from django_filters.fields import ModelChoiceField

from bizenv.widgets import FastSelect


class _FromCache(ModelChoiceIterator):
    """The choices from the field's queryset as evaluated once (Django's own iterator queries every time)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self):
        return len(self.queryset) + (self.field.empty_label is not None)


class ReadOnceChoiceField(ModelChoiceField):
    """A ModelChoiceField whose rows are read once: the select is rendered from them and the value is looked
    up among them, so a filtered list costs one query per filter instead of two.

    The value is compared as text with each row's key ("03" is not the id 3), and django-filter's null choice
    (null_label) is not offered: none of our filters uses it.
    """

    iterator = _FromCache

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        for obj in self.queryset:
            if str(getattr(obj, key)) == str(value):
                return obj
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    """ModelChoiceFilter with ReadOnceChoiceField, rendered as a FastSelect."""

    field_class = ReadOnceChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)
