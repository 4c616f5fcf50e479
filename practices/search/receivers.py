"""Keeping the index current: single saves and deletes of practices rewrite their rows in the same transaction
(within deferred(), once at its end); bulk writes call index_practices() themselves, or index_later() where the
user should not wait for it (a spreadsheet of drafts). The batches app connects its own receivers for entries and
batches (batches/receivers.py)."""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from bizenv.web.after import after_response
from bizenv.worker import background

from ..models import Practice, SearchPending
from .index import CHUNK
from .maintenance import index_pending, index_practices

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


def index_later(ids: Iterable[int]):
    """These practices' rows are written once the response has been sent, not in this transaction.

    Their ids are noted in SearchPending in this transaction (a rollback takes them back with the practices). Once
    it commits, the request's work after the response writes their rows and takes them off (outside a request, at
    once); any it did not (the process stopped, the work failed) the worker's next pass does.
    """
    ids = sorted(set(ids))
    if not ids:
        return
    SearchPending.objects.bulk_create([SearchPending(practice_id=pk) for pk in ids], ignore_conflicts=True)

    def index_noted():
        for start in range(0, len(ids), CHUNK):
            index_pending(ids[start : start + CHUNK])

    transaction.on_commit(lambda: after_response(index_noted))


@receiver(background, dispatch_uid="search_pending_indexed")
def _index_left_pending(sender, **kwargs):
    """The worker's pass: practices still pending after their request (see index_later()), CHUNK at a time."""
    index_pending()


@receiver(post_save, sender=Practice, dispatch_uid="search_practice_saved")
@receiver(post_delete, sender=Practice, dispatch_uid="search_practice_deleted")
def _practice_written(sender, instance, raw=False, **kwargs):
    """Saved or deleted: index_practices() rewrites the row, or removes it for a practice that is gone (now, or
    at the end of deferred())."""
    if not raw:
        touched([instance.pk])
