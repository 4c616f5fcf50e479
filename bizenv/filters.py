"""A filter over reference rows (cities, indicators, reviewers) that reads them once per request, or once per
process for the rows every list page shows (shared_rows())."""

import threading
import time

import django_filters
from django.core.exceptions import ValidationError
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models.signals import post_delete, post_migrate, post_save
from django.dispatch import receiver
from django.forms.models import ModelChoiceIterator
from django_filters.fields import ModelChoiceField

from bizenv.widgets import FastSelect

SHARED_SECONDS = 60
_shared: dict[tuple[type, str], tuple[float, list]] = {}
_changes: dict[type, int] = {}  # per shared model, how many saves and deletes this process has seen
_lock = threading.Lock()


def share(*models: type):
    """Let these models' rows be shared (shared_rows()): called once, at start-up (PracticesConfig.ready()), so
    that every save and delete of theirs is heard, whichever thread makes it and whenever. Only theirs: a receiver
    for every model would keep Django from deleting any model's rows in bulk."""
    for model in models:
        uid = f"bizenv.filters.share.{model._meta.label}"
        post_save.connect(_forget, sender=model, dispatch_uid=uid)
        post_delete.connect(_forget, sender=model, dispatch_uid=uid)
        with _lock:
            _changes.setdefault(model, 0)


def shared_rows(model: type, using: str = DEFAULT_DB_ALIAS) -> list:
    """All of a shared model's rows (see share()), in its default order, read once and shared by the process's
    requests and threads for up to SHARED_SECONDS. They are shared: nothing may change them.

    For the reference rows every public list and search page shows as selects (cities, indicators): read per
    request, they were two queries a page, about 3 ms on PostgreSQL. A save or delete of the model in this process
    drops its rows, and once more when its transaction commits (another thread may have read the rows before it);
    a read that a save overtook is not kept, nor are rows read inside a transaction (it may yet roll back). A flush
    or migrate in this process drops them all (the tests'). Every other change (another process's save, update(),
    bulk_create(), SQL) shows within SHARED_SECONDS.
    """
    if model not in _changes:
        raise LookupError(f"{model._meta.label}'s rows are not shared: see share()")
    now = time.monotonic()
    kept = _shared.get((model, using))
    if kept and now - kept[0] < SHARED_SECONDS:
        return kept[1]
    changes = _changes[model]
    rows = list(model._default_manager.db_manager(using).all())
    with _lock:
        if not connections[using].in_atomic_block and _changes[model] == changes:
            _shared[(model, using)] = (now, rows)
    return rows


def _forget(sender, using=DEFAULT_DB_ALIAS, **kwargs):
    _drop(sender)
    transaction.on_commit(lambda: _drop(sender), using=using)


def _drop(model: type):
    with _lock:
        _changes[model] += 1
        for key in [key for key in _shared if key[0] is model]:
            del _shared[key]


@receiver(post_migrate, dispatch_uid="bizenv.filters.forget_all_shared_rows")
def _forget_all(**kwargs):
    with _lock:
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
        self.shared, self._shared_rows = shared, None

    def __deepcopy__(self, memo):
        result = super().__deepcopy__(memo)
        result._shared_rows = None
        return result

    def rows(self):
        """The queryset, evaluated once; with `shared`, all of its model's shared_rows(), asked for once (the
        queryset only names the model)."""
        if not self.shared:
            return self.queryset
        if self._shared_rows is None:
            self._shared_rows = shared_rows(self.queryset.model, self.queryset.db)
        return self._shared_rows

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
    """ModelChoiceFilter with ReadOnceChoiceField, rendered as a FastSelect. With `shared=True`, the choices are all
    of the model's rows, shared across requests (shared_rows()): declare its queryset as Model.objects.all()."""

    field_class = ReadOnceChoiceField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", FastSelect)
        super().__init__(*args, **kwargs)
