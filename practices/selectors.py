"""Reads: who a user is, and what they may see."""

from django.db.models import Count, QuerySet

from reviews.models import Batch, BatchStatus

from .models import City, Membership, Practice, Role
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


def published_batches() -> QuerySet[Batch]:
    """Published batches, newest first, each with its number of entries."""
    return (
        Batch.objects.filter(status=BatchStatus.PUBLISHED)
        .annotate(entry_count=Count("entries"))
        .order_by("-year", "-sequence")
    )
