"""Synthetic volume for benchmarks: published practices recombined from the seed announcement's sentences.

Deterministic for a given count, written in bulk (no per-row events), and marked Source.SYNTHETIC so it is
never mistaken for real data.
"""

import contextlib
import random
import re

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from bizenv.fixtures import ensure_fixture
from practices import search
from practices.enums import Source, Status
from practices.models import City, Indicator, Practice
from practices.selectors import known_cities, known_indicators

from .announcement import default_batch_title
from .bulletin import decode, parse
from .enums import BatchStatus
from .models import Batch, BatchEntry

PER_BATCH = 50
YEARS = range(2019, 2026)
CHUNK = 2000
BULK = 1000


def seed_sentences() -> list[str]:
    """The seed's clean sentences, in Simplified: the material every synthetic practice is made of."""
    data = (settings.BASE_DIR / "fixtures" / "seeds" / "shaanxi-2022-2.txt").read_bytes()
    text, encoding = decode(data)
    bulletin = parse(text, cities=known_cities(), indicators=known_indicators(), encoding=encoding)
    damaged = {note.line for item in bulletin.items for note in item.warnings if note.code == "damaged_text"}
    sentences = []
    for item in bulletin.items:
        for paragraph in item.paragraphs:
            for sentence in re.findall(r"[^。]+。", paragraph):
                if item.line not in damaged and 8 <= len(sentence) <= 200:
                    sentences.append(sentence.strip())
    return sentences


@transaction.atomic
def synth_practices(n: int) -> int:
    """Create n published practices in new published batches of up to 50, spread over cities, indicators, years."""
    for name in ("cities", "indicators"):
        ensure_fixture(name)
    rng = random.Random(n)
    sentences = seed_sentences()
    cities, indicators = list(City.objects.all()), list(Indicator.objects.all())
    next_sequence = {
        year: (Batch.objects.filter(year=year).order_by("-sequence").values_list("sequence", flat=True).first() or 0)
        + 1
        for year in YEARS
    }
    created = 0
    # Many rows: PostgreSQL's search index is built once at the end rather than row by row.
    with search.bulk_writes() if n >= BULK else contextlib.nullcontext():
        while created < n:
            size = min(PER_BATCH, n - created)
            year = YEARS[(created // PER_BATCH) % len(YEARS)]
            sequence = next_sequence[year]
            next_sequence[year] += 1
            batch = Batch.objects.create(
                year=year,
                sequence=sequence,
                title=default_batch_title(year, sequence) + "（合成）",
                status=BatchStatus.PUBLISHED,
                published_at=timezone.now(),
                announced_on=timezone.localdate(),
            )
            rows = []
            for _ in range(size):
                city, indicator = rng.choice(cities), rng.choice(indicators)
                body = "\n\n".join("".join(rng.sample(sentences, 3)) for _ in range(rng.randint(2, 4)))
                title = f"{city.name}{rng.choice(sentences)[:40].rstrip('。，,')}"
                rows.append(
                    Practice(
                        city=city,
                        indicator=indicator,
                        title=title[:200],
                        summary=rng.choice(sentences),
                        body=body,
                        status=Status.PUBLISHED,
                        source=Source.SYNTHETIC,
                    )
                )
            practices = Practice.objects.bulk_create(rows, batch_size=CHUNK)
            practices.sort(key=lambda p: (p.indicator.order, p.pk))  # numbered as an announcement is: by indicator
            BatchEntry.objects.bulk_create(
                [
                    BatchEntry(
                        batch=batch,
                        practice=p,
                        number=i,
                        title=p.title,
                        city_name=p.city.name,
                        indicator_name=p.indicator.name,
                        summary=p.summary,
                        body=p.body,
                    )
                    for i, p in enumerate(practices, start=1)
                ],
                batch_size=CHUNK,
            )
            search.index_practices(p.pk for p in practices)
            created += size
    return created
