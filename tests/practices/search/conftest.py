"""Fixtures of the search tests."""

import random

import pytest

from batches.synth import seed_sentences
from practices import search
from practices.models import Practice
from tests.factories import (
    CityFactory,
    IndicatorFactory,
    PracticeFactory,
)


@pytest.fixture
def corpus(db):
    """Forty practices written from the seed's sentences, as a city would, in both scripts."""
    rng = random.Random(7)
    sentences = seed_sentences()
    cities = [CityFactory(code=f"61{n:02d}00", name=f"城市{n}") for n in range(3)]
    practices = []
    for i in range(40):
        practices.append(
            PracticeFactory(
                city=cities[i % 3],
                title=rng.choice(sentences)[:30],
                summary=rng.choice(sentences),
                body="\n\n".join("".join(rng.sample(sentences, 2)) for _ in range(2)),
            )
        )
    return practices


@pytest.fixture
def left_pending(db, django_capture_on_commit_callbacks):
    """Practices written in bulk and noted for indexing later (search.index_later()), the process stopped after the
    commit and before its work after the response: their ids pending, their rows not written."""

    def write(*titles):
        city, indicator = CityFactory(), IndicatorFactory()
        practices = Practice.objects.bulk_create(
            [Practice(city=city, indicator=indicator, title=title, summary="摘要", body="正文") for title in titles]
        )
        with django_capture_on_commit_callbacks():  # captured, never run
            search.index_later([practice.pk for practice in practices])
        return practices

    return write
