"""Keeping the index current: single saves and deletes of practices rewrite their rows in the same transaction
(within deferred(), once at its end); bulk writes call index_practices() themselves. The batches app connects its
own receivers for entries and batches (batches/receivers.py)."""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from ..models import Practice
from .maintenance import index_practices

_deferred: ContextVar[set[int] | None] = ContextVar("search_deferred", default=None)


@contextmanager
def deferred():
    """A transaction in which saves and deletes only note which practices they touch; at its end each is indexed
    once, inside it.

    For writes that save a practice and then its entry, many times over (an imported announcement): without it,
    each item would be indexed twice. If the block fails, it rolls back and nothing is indexed.
    """
    if _deferred.get() is not None:  # already inside one: the outer block indexes
        yield
        return
    noted: set[int] = set()
    with transaction.atomic():
        token = _deferred.set(noted)
        try:
            yield
        finally:
            _deferred.reset(token)
        index_practices(noted)


def touched(ids: Iterable[int]):
    """These practices' rows are to be rewritten: now, or at the end of deferred()."""
    pending = _deferred.get()
    if pending is None:
        index_practices(ids)
    else:
        pending.update(ids)


@receiver(post_save, sender=Practice, dispatch_uid="search_practice_saved")
@receiver(post_delete, sender=Practice, dispatch_uid="search_practice_deleted")
def _practice_written(sender, instance, raw=False, **kwargs):
    """Saved or deleted: index_practices() rewrites the row, or removes it for a practice that is gone (now, or
    at the end of deferred())."""
    if not raw:
        touched([instance.pk])
