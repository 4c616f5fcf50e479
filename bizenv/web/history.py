"""Field-level history of every model a person edits (django-simple-history): who, when, each field before and
after, kept in a historical table beside the model's.

A model declares `history = HistoricalRecords()`; its save() and delete() then write a history row, naming the
signed-in user (simple_history.middleware.HistoryRequestMiddleware). Our writes that go around save() — the
conditional updates of the optimistic locks (`filter(pk=…, version=seen).update(…)`), bulk_create and
bulk_update — record the rows they changed with recorded(), naming who did it: the rows as they now are, which the
caller has in hand (bulk_create's objects, an instance just refreshed). Left unrecorded on purpose: what
the system derives by itself (which cities owe a row, a draft batch's numbering, the statistics' generation);
the events (PracticeEvent, AdoptionEvent) say why those changed.
"""

from simple_history.models import HistoricalRecords

__all__ = ["HistoricalRecords", "recorded"]


def recorded(rows: list, *, by, created: bool = False):
    """Write the history rows of rows (instances of one model, as they now are in the database) changed without
    save(): each changed (or created) by `by`."""
    if rows:
        type(rows[0]).history.bulk_history_create(rows, update=not created, default_user=by)
