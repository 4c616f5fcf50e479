"""Synthetic 复制推广 for benchmarks: rows of the 台账 for published practices, in every status.

Deterministic for a given count, written in bulk (no per-row events, no measured results). The first active city
(in the province's order) gets FOCUS_ROWS of them, the size of the benchmark's 台账 spreadsheet; the others share
the rest. Every published batch without a plan gets one, a third of them with a deadline already passed, so that
rows are overdue.
"""

import datetime
import random

from django.db import transaction
from django.utils import timezone

from batches.enums import BatchStatus
from batches.models import Batch
from batches.synth import seed_sentences
from practices.enums import Status
from practices.models import City, Practice

from . import services
from .enums import AdoptionStatus
from .models import Adoption, AdoptionPlan, ledger_order

FOCUS_ROWS = 5000
CHUNK = 5000
STATUSES = [  # (status, weight)
    (AdoptionStatus.NOT_STARTED, 40),
    (AdoptionStatus.IN_PROGRESS, 25),
    (AdoptionStatus.ADOPTED, 25),
    (AdoptionStatus.NOT_APPLICABLE, 10),
]


@transaction.atomic
def synth_adoptions(n: int) -> int:
    """Create n rows over the published practices and active cities (never a city's own practice, never a pair
    that has a row already). Returns how many were created: fewer than n only when every pair is taken."""
    rng = random.Random(n)
    sentences = seed_sentences()
    today = timezone.localdate()
    for batch in Batch.objects.filter(status=BatchStatus.PUBLISHED, adoption_plan__isnull=True):
        published = timezone.localdate(batch.published_at) if batch.published_at else today
        late = rng.random() < 1 / 3
        deadline = today - datetime.timedelta(days=30) if late else published + datetime.timedelta(days=90)
        AdoptionPlan.objects.create(batch=batch, deadline=max(deadline, published))
    practices = list(
        Practice.objects.filter(status=Status.PUBLISHED).values_list(
            "pk", "city_id", "batch_entry__batch__year", "batch_entry__batch__sequence", "batch_entry__number"
        )
    )
    order_of = {pk: ledger_order(*place) for pk, _city, *place in practices}
    cities = list(City.objects.filter(active=True).order_by("order", "pk").values_list("pk", flat=True))
    if not practices or not cities:
        return 0
    statuses, weights = zip(*STATUSES, strict=True)
    created = 0
    for index, city in enumerate(cities):
        left = n - created  # what a city could not take goes to the ones after it
        share = min(FOCUS_ROWS, left) if index == 0 else -(-left // (len(cities) - index))
        taken = set(Adoption.objects.filter(city_id=city).values_list("practice_id", flat=True))
        candidates = [pk for pk, own, *_place in practices if own != city and pk not in taken]
        chosen = rng.sample(candidates, min(share, len(candidates)))
        rows = []
        for practice in chosen:
            status = rng.choices(statuses, weights)[0]
            adopted = status == AdoptionStatus.ADOPTED
            rows.append(
                Adoption(
                    practice_id=practice,
                    city_id=city,
                    status=status,
                    owed=rng.random() < 0.9,
                    adopted_on=today - datetime.timedelta(days=rng.randint(1, 700)) if adopted else None,
                    result=rng.choice(sentences) if adopted else "",
                    reason=rng.choice(sentences) if status == AdoptionStatus.NOT_APPLICABLE else "",
                    version=1 if status == AdoptionStatus.NOT_STARTED else 2,
                    order=order_of[practice],
                )
            )
        Adoption.objects.bulk_create(rows, batch_size=CHUNK)
        created += len(rows)
    services.changed()
    return created
