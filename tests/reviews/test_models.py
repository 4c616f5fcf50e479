"""Every database constraint of the reviews app, each violated once."""

import pytest
from django.utils import timezone

from batches.models import Batch, BatchEntry
from reviews.models import Criterion, Review, Score
from tests.factories import (
    BatchEntryFactory,
    BatchFactory,
    CriterionFactory,
    PracticeFactory,
    ReviewFactory,
    UserFactory,
)
from tests.practices.test_models import assert_violates

pytestmark = pytest.mark.django_db


def test_valid_rows_save():
    review = ReviewFactory()
    criterion = CriterionFactory()
    Score.objects.create(review=review, criterion=criterion, value=10, weight=criterion.weight, max_score=10)
    review.recommendation = "approve"
    review.submitted_at = timezone.now()
    review.save()
    entry = BatchEntryFactory(batch__status="published", batch__published_at=timezone.now())
    assert entry.batch.status == "published" and review.scores.count() == 1


@pytest.mark.parametrize(
    "constraint, fields",
    [
        ("criterion_name_not_empty", dict(name="")),
        ("criterion_weight_positive", dict(weight=0)),
        ("criterion_max_score_positive", dict(max_score=0)),
    ],
)
def test_criterion_check_constraints(constraint, fields):
    assert_violates(constraint, lambda: Criterion.objects.create(**{"name": "创新", "weight": 10, **fields}))


def test_criterion_name_unique():
    CriterionFactory(name="创新性")
    assert_violates(None, lambda: Criterion.objects.create(name="创新性", weight=10))


def test_review_once_per_reviewer_and_round():
    review = ReviewFactory()
    assert_violates(
        None, lambda: Review.objects.create(practice=review.practice, round=review.round, reviewer=review.reviewer)
    )


def test_same_reviewer_may_review_the_next_round():
    review = ReviewFactory()
    Review.objects.create(practice=review.practice, round=review.round + 1, reviewer=review.reviewer)


@pytest.mark.parametrize(
    "constraint, fields",
    [
        ("review_round_positive", dict(round=0)),
        ("review_recommendation_valid", dict(recommendation="maybe")),
        ("review_submitted_has_recommendation", dict(submitted_at=timezone.now(), recommendation="")),
    ],
)
def test_review_check_constraints(constraint, fields):
    practice, reviewer = PracticeFactory(), UserFactory()
    assert_violates(constraint, lambda: Review.objects.create(practice=practice, reviewer=reviewer, **fields))


@pytest.mark.parametrize(
    "constraint, fields",
    [
        ("score_within_bounds", dict(value=11, max_score=10)),
        ("score_within_bounds", dict(value=-1, max_score=10)),
        ("score_weight_positive", dict(value=5, max_score=10, weight=0)),
        ("score_max_positive", dict(value=0, max_score=0)),
    ],
)
def test_score_check_constraints(constraint, fields):
    review, criterion = ReviewFactory(), CriterionFactory()
    fields = {"weight": 25, **fields}
    assert_violates(constraint, lambda: Score.objects.create(review=review, criterion=criterion, **fields))


def test_score_once_per_criterion():
    review, criterion = ReviewFactory(), CriterionFactory()
    Score.objects.create(review=review, criterion=criterion, value=5, weight=25, max_score=10)
    assert_violates(
        None, lambda: Score.objects.create(review=review, criterion=criterion, value=6, weight=25, max_score=10)
    )


def test_batch_year_and_sequence_unique():
    BatchFactory(year=2022, sequence=2)
    assert_violates(None, lambda: Batch.objects.create(year=2022, sequence=2, title="重复"))


@pytest.mark.parametrize(
    "constraint, fields",
    [
        ("batch_year_plausible", dict(year=1999)),
        ("batch_sequence_positive", dict(sequence=0)),
        ("batch_title_not_empty", dict(title="")),
        ("batch_status_valid", dict(status="archived")),
        ("batch_published_has_time", dict(status="published", published_at=None)),
        ("batch_published_has_time", dict(status="draft", published_at=timezone.now())),
    ],
)
def test_batch_check_constraints(constraint, fields):
    fields = {"year": 2022, "sequence": 1, "title": "2022年第一批", **fields}
    assert_violates(constraint, lambda: Batch.objects.create(**fields))


def test_entry_number_unique_in_batch():
    entry = BatchEntryFactory()
    assert_violates(
        None, lambda: BatchEntry.objects.create(batch=entry.batch, practice=PracticeFactory(), number=entry.number)
    )


def test_practice_in_at_most_one_batch():
    entry = BatchEntryFactory()
    assert_violates(None, lambda: BatchEntry.objects.create(batch=BatchFactory(), practice=entry.practice, number=1))


@pytest.mark.parametrize(
    "constraint, fields",
    [
        ("entry_number_positive", dict(number=0)),
        ("entry_scope_valid", dict(number=1, scope="national")),
    ],
)
def test_entry_check_constraints(constraint, fields):
    batch, practice = BatchFactory(), PracticeFactory()
    assert_violates(constraint, lambda: BatchEntry.objects.create(batch=batch, practice=practice, **fields))
