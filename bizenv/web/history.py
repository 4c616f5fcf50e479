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

import logging

from django.dispatch import receiver
from simple_history.models import HistoricalRecords
from simple_history.signals import post_create_historical_record

changes = logging.getLogger("bizenv.changes")
ACTIONS = {"+": "created", "~": "changed", "-": "deleted"}

__all__ = ["HistoricalRecords", "recorded"]


def recorded(rows: list, *, by, created: bool = False):
    """Write the history rows of rows (instances of one model, as they now are in the database) changed without
    save(): each changed (or created) by `by`."""
    if not rows:
        return
    type(rows[0]).history.bulk_history_create(rows, update=not created, default_user=by)
    if len(rows) == 1:
        log_change(rows[0], "+" if created else "~", by)
        return
    # One write, one line: a publication's obligations are hundreds of rows.
    label, action, user_id = rows[0]._meta.label, ACTIONS["+" if created else "~"], getattr(by, "pk", None)
    changes.info(
        "%s %s %d rows (#%s … #%s) by=%s",
        label,
        action,
        len(rows),
        rows[0].pk,
        rows[-1].pk,
        user_id or "-",
        extra={"model": label, "objects": [row.pk for row in rows], "action": action, "by": user_id},
    )


@receiver(post_create_historical_record, dispatch_uid="bizenv.web.history.log_saved")
def _log_saved(sender, instance, history_instance, history_user=None, **kwargs):
    log_change(instance, history_instance.history_type, history_user)


def log_change(row, action: str, by):
    """The log's line for a recorded change (bizenv/web/logs.py): who, what, which row, and its status if it has
    one (the outcome of a decision, a report, a publication)."""
    label, status = row._meta.label, getattr(row, "status", None)
    user_id = getattr(by, "pk", None)
    changes.info(
        "%s %s #%s%s by=%s",
        label,
        ACTIONS[action],
        row.pk,
        f" status={status}" if status is not None else "",
        user_id or "-",
        extra={"model": label, "object": row.pk, "action": ACTIONS[action], "status": status, "by": user_id},
    )
