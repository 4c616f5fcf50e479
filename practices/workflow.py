"""The practice workflow: which status may follow which, and the one function that changes it."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from bizenv.web.history import recorded

from .enums import Status
from .models import Practice, PracticeEvent

TRANSITIONS: dict[str, set[str]] = {
    Status.DRAFT: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.SUBMITTED: {Status.IN_REVIEW, Status.WITHDRAWN},
    Status.IN_REVIEW: {Status.APPROVED, Status.REVISION_REQUESTED, Status.REJECTED},
    Status.REVISION_REQUESTED: {Status.SUBMITTED, Status.WITHDRAWN},
    Status.APPROVED: {Status.PUBLISHED},
    Status.REJECTED: set(),
    Status.PUBLISHED: set(),
    Status.WITHDRAWN: set(),
}


class WorkflowError(Exception):
    """A status change that cannot happen; the message is for the user."""


class IllegalTransition(WorkflowError):
    pass


class StaleState(WorkflowError):
    pass


@transaction.atomic
def transition(*, practice: Practice, to: str, by, note: str = "") -> Practice:
    """Move a practice to a new status if it is still in the status the caller saw; write the event."""
    seen = practice.status
    if to not in Status.values:
        raise IllegalTransition(_("未知的状态“%(new)s”。") % {"new": to})
    if to not in TRANSITIONS[seen]:
        raise IllegalTransition(
            _("不能从“%(old)s”变为“%(new)s”。") % {"old": Status(seen).label, "new": Status(to).label}
        )
    new_round = practice.round + 1 if (seen, to) == (Status.REVISION_REQUESTED, Status.SUBMITTED) else practice.round
    updated = Practice.objects.filter(pk=practice.pk, status=seen).update(
        status=to,
        round=new_round,
        version=F("version") + 1,
        updated_at=timezone.now(),
        updated_by=by,
    )
    if updated != 1:
        raise StaleState(_("此条目已被他人处理，请刷新后重试。"))
    PracticeEvent.objects.create(
        practice=practice, from_status=seen, to_status=to, round=new_round, actor=by, note=note
    )
    practice.refresh_from_db(fields=["status", "round", "version", "updated_at", "updated_by"])
    recorded([Practice.objects.get(pk=practice.pk)], by=by)  # whole: the caller's instance may hold older fields
    return practice
