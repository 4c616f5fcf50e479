"""synth_adoptions: volume for the benchmark, in every status, that the rules of the 台账 hold for."""

import io

import pytest
from django.core.management import call_command

from adoptions.enums import AdoptionStatus
from adoptions.models import Adoption, AdoptionPlan
from batches.models import Batch
from practices.models import City, Practice

pytestmark = pytest.mark.django_db


def test_synth_adoptions_spreads_rows_the_rules_allow():
    call_command("synth_practices", "120", stdout=io.StringIO())
    out = io.StringIO()
    call_command("synth_adoptions", "400", stdout=out)
    rows = list(Adoption.objects.select_related("practice"))
    assert f"{len(rows)} synthetic adoption rows created" in out.getvalue()
    assert len(rows) == 400
    assert all(row.city_id != row.practice.city_id for row in rows)  # never a city's own practice
    assert len({(row.practice_id, row.city_id) for row in rows}) == len(rows)
    assert {row.status for row in rows} == set(AdoptionStatus.values)
    assert all(bool(row.adopted_on) == (row.status == AdoptionStatus.ADOPTED) for row in rows)
    first = City.objects.filter(active=True).order_by("order", "pk").first()
    # Under 5,000: the first city takes a row for every practice it may (all but its own), the others the rest.
    others_practices = Practice.objects.exclude(city=first).count()
    assert sum(row.city_id == first.pk for row in rows) == min(others_practices, 400)
    assert AdoptionPlan.objects.count() == Batch.objects.count()
