"""Reads of the city portal's practices: what a user may see, a city's list, its rounds and timeline."""

from itertools import pairwise

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Count, F, OuterRef, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from bizenv.web.permissions import can

from .diffs import changes, practice_state, state
from .enums import CityKind, Status
from .models import Attachment, City, Indicator, Practice, PracticeEvent
from .text import Known


def status_counts(practices: QuerySet[Practice]) -> dict[str, int]:
    """How many practices are in each status, in one query."""
    rows = practices.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def entered(status: str) -> Coalesce:
    """For annotate(): when each practice last entered `status` (its latest event into it), or when it was created
    if it never went through the workflow (made in the admin, say)."""
    events = PracticeEvent.objects.filter(practice=OuterRef("pk"), to_status=status).order_by("-created_at", "-pk")
    return Coalesce(Subquery(events.values("created_at")[:1]), F("created_at"))


def get_practice_for(user, pk, *, perm: str) -> Practice:
    """The practice if the user holds `perm` on it; 404 otherwise, so nobody learns what exists."""
    practice = Practice.objects.select_related("city", "indicator").filter(pk=pk).first()
    if practice is None or not can(user, perm, practice):
        raise Http404
    return practice


def city_practices(city: City) -> QuerySet[Practice]:
    """A city's practices for its portal, with what each row shows and nothing more: the texts are read when one
    practice is opened, not for a list of thousands."""
    return (
        Practice.objects.filter(city=city)
        .select_related("indicator")
        .only("city_id", "indicator__name", "title", "status", "round", "updated_at")
        .order_by("-updated_at", "-pk")
    )


def revision_message(practice: Practice) -> str:
    """What the province said when it last sent the practice back for revision."""
    event = practice.events.filter(to_status=Status.REVISION_REQUESTED).order_by("-created_at", "-pk").first()
    return event.note if event else ""


def revision_messages(practices) -> dict[int, str]:
    """The latest revision request's message for each of these practices, in one query."""
    events = (
        PracticeEvent.objects.filter(practice__in=practices, to_status=Status.REVISION_REQUESTED)
        .order_by("practice_id", "created_at", "pk")
        .values_list("practice_id", "note")
    )
    return dict(events)  # later events overwrite earlier ones


def round_changes(practice: Practice) -> list[dict]:
    """The changes between submitted rounds, newest first, and what the draft changes since the last submission."""
    snapshots = list(practice.snapshots.order_by("round"))
    found = []
    for older, newer in pairwise(snapshots):
        found.append(
            {
                "label": _("第%(old)d轮 → 第%(new)d轮") % {"old": older.round, "new": newer.round},
                "changes": changes(_snapshot_state(older), _snapshot_state(newer)),
            }
        )
    if snapshots and practice.status in (Status.REVISION_REQUESTED, Status.DRAFT):
        found.append(
            {
                "label": _("第%(round)d轮提交后的修改（尚未提交）") % {"round": snapshots[-1].round},
                "changes": changes(_snapshot_state(snapshots[-1]), practice_state(practice)),
            }
        )
    return list(reversed(found))


def _snapshot_state(snapshot) -> dict:
    return state(
        title=snapshot.title,
        indicator=snapshot.indicator_name,
        summary=snapshot.summary,
        body=snapshot.body,
        outcomes=snapshot.outcomes,
        results=snapshot.results,
    )


# What the city is told of the province's steps: decisions with their messages; never who reviewed, never how
# the province organised its work.
CITY_NOTE_STATUSES = {
    Status.SUBMITTED,
    Status.WITHDRAWN,
    Status.REVISION_REQUESTED,
    Status.APPROVED,
    Status.REJECTED,
    Status.PUBLISHED,
}


def city_timeline(practice: Practice) -> list[dict]:
    """The practice's status changes as its city sees them: the city's own people by name, the province as 省级."""
    events = practice.events.select_related("actor__membership")
    rows = []
    for event in events:
        membership = getattr(event.actor, "membership", None) if event.actor else None
        own = membership is not None and membership.city_id == practice.city_id
        rows.append(
            {
                "created_at": event.created_at,
                "from_label": event.get_from_status_display(),
                "to_label": event.get_to_status_display(),
                "actor": (event.actor.get_full_name() or event.actor.username) if own else _("省级"),
                "note": event.note if event.to_status in CITY_NOTE_STATUSES else "",
            }
        )
    return rows


def known_cities() -> list[Known]:
    """The province's own cities by name, other spellings and code, for recognising them in an announcement or a
    spreadsheet (a region outside the province is recognised as a region: practices.regions)."""
    return [Known(c.name, (c.short_name, *c.aliases), c.code) for c in City.objects.exclude(kind=CityKind.OUTSIDE)]


def known_indicators() -> list[Known]:
    """The indicators by name and other spellings, likewise."""
    return [Known(i.name, tuple(i.aliases)) for i in Indicator.objects.all()]


def attachment_for(user, pk, perm: str) -> Attachment:
    """The attachment if the user holds `perm` on its practice; 404 otherwise."""
    attachment = get_object_or_404(Attachment.objects.select_related("practice"), pk=pk)
    if not can(user, perm, attachment.practice):
        raise Http404
    return attachment


def pending_invitations() -> QuerySet:
    """Accounts opened by invitation whose holder has not set a password yet, newest first."""
    return (
        get_user_model()
        .objects.filter(password__startswith=UNUSABLE_PASSWORD_PREFIX, last_login__isnull=True, is_active=True)
        .select_related("membership__city")
        .order_by("-date_joined", "-pk")
    )
