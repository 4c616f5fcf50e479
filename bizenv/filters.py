"""A filter over reference rows (cities, indicators, reviewers) that reads them once per request, or once per
process for the rows every list page shows (shared_rows())."""

import time

import django_filters
from django.core.exceptions import ValidationError
from django.db import connections, transaction
from django.db.models import QuerySet
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django_filters.fields import ModelChoiceField

from bizenv.widgets import FastSelect

SHARED_SECONDS = 60
_shared: dict[tuple[type, str], tuple[float, list]] = {}
_changes: dict[type, int] = {}  # per model, how many saves and deletes this process has seen


def shared_rows(queryset: QuerySet) -> list:
    """The rows of a model's plain all() (no filter, its default order), read once and shared by the process's
    requests (and threads) for up to SHARED_SECONDS. They are shared: nothing may change them.

    For the reference rows every public list and search page shows as selects (cities, indicators): read per
    request, they were two queries a page, about 3 ms on PostgreSQL. A save or delete of the model in this process
    drops its rows, and once more when its transaction commits (another thread may have read the rows before it);
    a read that a save overtook is not kept, nor are rows read inside a transaction (it may yet roll back). A flush
    or migrate in this process drops them all (the tests'). Every other change (another process's save, update(),
    bulk_create(), SQL) shows within SHARED_SECONDS.
    """
    query = queryset.query
    if (
        query.where
        or query.order_by
        or query.is_sliced
        or query.distinct
        or query.annotations
        or query.select_related
        or query.values_select
        or query.deferred_loading != (frozenset(), True)
    ):
        raise ValueError(f"shared rows are a model's plain all(), not {query}")
    model, key = queryset.model, (queryset.model, queryset.db)
    now = time.monotonic()
    kept = _shared.get(key)
    if kept and now - kept[0] < SHARED_SECONDS:
        return kept[1]
    _listen(model)
    changes = _changes[model]
    rows = list(queryset)
    if not connections[queryset.db].in_atomic_block and _changes[model] == changes:
        _shared[key] = (now, rows)
    return rows


def _listen(model: type):
    """Drop the model's shared rows on its saves and deletes, from the first time they are shared (a receiver for
    every model would keep Django from deleting any model's rows in bulk)."""
    if model not in _changes:
        _changes[model] = 0
        uid = f"bizenv.filters.shared_rows.{model._meta.label}"
        post_save.connect(_forget, sender=model, dispatch_uid=uid)
        post_delete.connect(_forget, sender=model, dispatch_uid=uid)


def _forget(sender, using=None, **kwargs):
    _drop(sender)
    transaction.on_commit(lambda: _drop(sender), using=using)


def _drop(model: type):
    _changes[model] += 1
    for key in [key for key in _shared if key[0] is model]:
        _shared.pop(key, None)


@receiver(post_migrate, dispatch_uid="bizenv.filters.forget_all_shared_rows")
def _forget_all(**kwargs):
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
