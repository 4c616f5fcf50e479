"""Reads of 复制推广: a city's 台账, one row as its city sees it."""

from django.db.models import Case, F, Q, QuerySet, Value, When
from django.db.models.fields import BooleanField
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from practices.models import City

from .enums import AdoptionStatus
from .models import Adoption

OPEN = [AdoptionStatus.NOT_STARTED, AdoptionStatus.IN_PROGRESS]  # what the city still has to act on


def overdue_condition() -> Q:
    """Owed, not excused, still open, and its batch's deadline has passed."""
    return Q(
        owed=True,
        excused_at__isnull=True,
        status__in=OPEN,
        practice__batch_entry__batch__adoption_plan__deadline__lt=timezone.localdate(),
    )


def city_ledger(city: City) -> QuerySet[Adoption]:
    """A city's rows of the 台账, newest batch first, with what each row shows: the practice's frozen title, its
    batch, indicator and deadline, and whether it is overdue."""
    entry = "practice__batch_entry"
    return (
        Adoption.objects.filter(city=city)
        .select_related(f"{entry}__batch__adoption_plan")
        .only(
            *("practice", "city", "status", "owed", "adopted_on", "excused_at", "version", "updated_at"),
            *(f"{entry}__{f}" for f in ("practice", "batch", "number", "title", "city_name", "indicator_name")),
            *(f"{entry}__batch__{f}" for f in ("year", "sequence", "title", "status", "published_at")),
            f"{entry}__batch__adoption_plan__deadline",
            f"{entry}__batch__adoption_plan__batch",
        )
        .annotate(
            overdue=Case(When(overdue_condition(), then=Value(True)), default=Value(False), output_field=BooleanField())
        )
        .order_by(f"-{entry}__batch__year", f"-{entry}__batch__sequence", F(f"{entry}__number").asc(), "pk")
    )


def row_for(user, pk, *, city: City | None) -> Adoption:
    """One of the city's own rows; 404 for any other, so nobody learns what another city reported."""
    row = get_object_or_404(Adoption.objects.select_related("practice__batch_entry__batch__adoption_plan"), pk=pk)
    if city is None or row.city_id != city.pk or not user.has_perm("adoptions.view_ledger"):
        raise Http404
    return row
