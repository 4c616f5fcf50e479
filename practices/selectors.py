"""Reads: who a user is, and what they may see."""

from itertools import pairwise

from django.db.models import Count, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from reviews.models import Batch, BatchStatus

from .diffs import changes, state
from .models import City, Membership, Practice, PracticeEvent, Role, Status
from .rules import ROLE_PREDICATES


def user_roles(user) -> list[Role]:
    """The user's roles, in a fixed order (the rules predicates cache the groups on the user)."""
    return [role for role in Role if ROLE_PREDICATES[role](user)]


def user_city(user) -> City | None:
    """The city the user acts for, or None; cached on the user for the request."""
    if not user.is_authenticated:
        return None
    if not hasattr(user, "_bizenv_city"):
        membership = Membership.objects.select_related("city").filter(user=user).first()
        user._bizenv_city = membership.city if membership else None
    return user._bizenv_city


def status_counts(practices: QuerySet[Practice]) -> dict[str, int]:
    """How many practices are in each status, in one query."""
    rows = practices.order_by().values("status").annotate(n=Count("pk"))
    return {row["status"]: row["n"] for row in rows}


def published_totals() -> dict[str, int]:
    """How much is published: batches, practices and the cities they come from, in one query."""
    return Batch.objects.filter(status=BatchStatus.PUBLISHED).aggregate(
        batches=Count("pk", distinct=True),
        practices=Count("entries", distinct=True),
        cities=Count("entries__practice__city", distinct=True),
    )


def published_batches() -> QuerySet[Batch]:
    """Published batches, newest first, each with its number of entries."""
    return (
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "-sequence")
    )


def get_practice_for(user, pk, *, perm: str) -> Practice:
    """The practice if the user holds `perm` on it; 404 otherwise, so nobody learns what exists."""
    practice = Practice.objects.select_related("city", "indicator").filter(pk=pk).first()
    if practice is None or not user.has_perm(perm, practice):
        raise Http404
    return practice


def city_practices(city: City) -> QuerySet[Practice]:
    """A city's practices for its portal, with what each row shows."""
    return Practice.objects.filter(city=city).select_related("indicator").order_by("-updated_at", "-pk")


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


def comments_to_city(practice: Practice) -> list[dict]:
    """What reviewers wrote for the city, round by round; never who wrote it, never their internal notes."""
    from reviews.models import Review

    rows = (
        Review.objects.filter(practice=practice, submitted_at__isnull=False)
        .exclude(comment_to_city="")
        .order_by("round", "submitted_at")
        .values("round", "comment_to_city")
    )
    return [{"round": row["round"], "comment": row["comment_to_city"]} for row in rows]


def round_changes(practice: Practice) -> list[dict]:
    """The changes between submitted rounds, newest first, and what the draft changes since the last submission."""
    from .services import practice_state

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
