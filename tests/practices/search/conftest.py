"""Fixtures of the search tests."""

import random

import pytest

from batches.synth import seed_sentences
from tests.factories import (
    CityFactory,
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
