"""A filter over reference rows (cities, indicators, reviewers) that reads them once per request, or once per
process for the rows every list page shows (shared_rows())."""

import time

import django_filters
from django.core.exceptions import ValidationError
from django.db import connections
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django_filters.fields import ModelChoiceField

from bizenv.widgets import FastSelect

SHARED_SECONDS = 60
_shared: dict[type, tuple[float, list]] = {}


def shared_rows(queryset: QuerySet) -> list:
    """The rows of a model's plain all() (no filter, its default order), read once and shared by the process's
    requests for up to SHARED_SECONDS.

    For the reference rows every public list and search page shows as selects (cities, indicators): read per
    request, they were two queries a page, about 3 ms on PostgreSQL. A save or delete of the model in this process
    drops its rows at once, and so do a flush and a migrate; other processes see a change within SHARED_SECONDS.
    Rows read inside a transaction are not kept: it may yet roll back.
    """
    if queryset.query.where or queryset.query.order_by or queryset.query.is_sliced:
        raise ValueError(f"shared rows are a model's plain all(), not {queryset.query}")
    now = time.monotonic()
    kept = _shared.get(queryset.model)
    if kept and now - kept[0] < SHARED_SECONDS:
        return kept[1]
    rows = list(queryset)
    if not connections[queryset.db].in_atomic_block:
        _shared[queryset.model] = (now, rows)
    return rows


@receiver([post_save, post_delete], dispatch_uid="bizenv.filters.forget_shared_rows")
def _forget_shared_rows(sender, **kwargs):
    _shared.pop(sender, None)


@receiver(post_migrate, dispatch_uid="bizenv.filters.forget_all_shared_rows")
def _forget_all_shared_rows(**kwargs):
    _shared.clear()


class _FromCache(ModelChoiceIterator):
    """The choices from the field's rows as read once (Django's own iterator queries every time)."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.field.rows():
            yield self.choice(obj)

    def __len__(self):
        return len(self.field.rows()) + (self.field.empty_label is not None)


class ReadOnceChoiceField(ModelChoiceField):
    """A ModelChoiceField whose rows are read once: the select is rendered from them and the value is looked
    up among them, so a filtered list costs one query per filter instead of two (with `shared`, none: see
    shared_rows()).

    The value is compared as text with each row's key ("03" is not the id 3), and django-filter's null choice
    (null_label) is not offered: none of our filters uses it.
    """

    iterator = _FromCache

    def __init__(self, *args, shared: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.shared = shared

    def rows(self):
        return shared_rows(self.queryset) if self.shared else self.queryset

    def to_python(self, value):
        if value in self.empty_values:
            return None
        key = self.to_field_name or "pk"
        if isinstance(value, self.queryset.model):
            value = getattr(value, key)
        for obj in self.rows():
            if str(getattr(obj, key)) == str(value):
                return obj
        raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value})


class ReferenceChoiceFilter(django_filters.ModelChoiceFilter):
    """ModelChoiceFilter with ReadOnceChoiceField, rendered as a FastSelect. `shared=True` for a model's plain
    all() that may be shared across requests (shared_rows())."""

    field_class = ReadOnceChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)
