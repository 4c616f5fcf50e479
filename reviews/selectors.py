"""Reads of the review side: the queue, a practice's reviews as a given user may see them, aggregates."""

import datetime
import statistics
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from practices.enums import Status
from practices.models import Practice
from practices.people import is_coordinator, user_city
from practices.selectors import entered

from .models import Criterion, Review, Score

# What the province works on; drafts stay the cities' own. Decided practices leave the working queue but can
# still be listed by their status.
QUEUE_STATUSES = [Status.SUBMITTED, Status.IN_REVIEW, Status.REVISION_REQUESTED, Status.APPROVED, Status.REJECTED]
OPEN_STATUSES = [Status.SUBMITTED, Status.IN_REVIEW]


# An assignment is open while its reviewer owes a score: not submitted, not declined, and its practice still in
# review in that round (a decision or a resubmission closes what was left unfinished).
OPEN_REVIEW = Q(submitted_at__isnull=True, declined_at__isnull=True, practice__status=Status.IN_REVIEW) & Q(
    round=F("practice__round")
)


def queue(user) -> QuerySet[Practice]:
    """Practices under provincial review as this user may see them, with their review counts and when their round
    began (`waiting_since`: the latest submission).

    Each count is a subquery of the practice's own row, not an aggregate over a join: a page of 50 reads the
    reviews of its 50 practices, and counting the queue reads none."""
    practices = Practice.objects.filter(status__in=QUEUE_STATUSES).select_related("city", "indicator")
    city = user_city(user)
    if not is_coordinator(user) and city is not None:
        practices = practices.exclude(city=city)  # recusal: a reviewer never sees their own city's
    this_round = Review.objects.filter(practice=OuterRef("pk"), round=OuterRef("round"))
    mine = this_round.filter(reviewer=user, declined_at=None)
    # The due date shown: the coordinator's, the earliest of the round's unfinished reviews; a reviewer's, their own.
    owed = this_round.filter(practice__status=Status.IN_REVIEW, submitted_at=None, declined_at=None)
    if not is_coordinator(user):
        owed = owed.filter(reviewer=user)
    return practices.annotate(
        assigned_count=_count(this_round.filter(declined_at=None)),
        submitted_count=_count(this_round.exclude(submitted_at=None)),
        assigned_to_me=Exists(mine),
        # Waiting for me only while the practice is in review (decided, or sent back, it waits for no one's review).
        my_review_open=Exists(mine.filter(submitted_at=None, practice__status=Status.IN_REVIEW)),
        my_review_submitted=Exists(mine.exclude(submitted_at=None)),
        waiting_since=entered(Status.SUBMITTED),
        due_on=Subquery(owed.exclude(due_on=None).order_by("due_on").values("due_on")[:1]),
    )


def _count(reviews: QuerySet[Review]) -> Coalesce:
    """For annotate(): how many of `reviews` (a subquery on OuterRef("pk")) each practice has."""
    return Coalesce(Subquery(reviews.order_by().values("practice").annotate(n=Count("pk")).values("n")), 0)


def waiting_days(practice: Practice, today: datetime.date | None = None) -> int | None:
    """Whole calendar days a practice has waited for the province since its round began (0 on the day it came);
    None when it waits for no one at the province (decided, or sent back to the city)."""
    if practice.status not in OPEN_STATUSES:
        return None
    return days_since(practice.waiting_since, today)


def days_since(moment: datetime.datetime, today: datetime.date | None = None) -> int:
    """Calendar days from `moment` to today, in the site's time zone."""
    return ((today or timezone.localdate()) - timezone.localdate(moment)).days


PENDING_STATUSES = [Status.SUBMITTED, Status.IN_REVIEW, Status.REVISION_REQUESTED, Status.APPROVED]


def similar_scope(user) -> QuerySet[Practice]:
    """What a practice's review page compares it with: everything published, and what this user may review."""
    pending = Q(status__in=PENDING_STATUSES)
    city = user_city(user)
    if not is_coordinator(user) and city is not None:
        pending &= ~Q(city=city)  # recusal holds here too
    return Practice.objects.filter(Q(status=Status.PUBLISHED) | pending).select_related("city")


def weighted_total(scores) -> Decimal | None:
    """A review's total on a 0–100 scale: each score as a share of its maximum, weighted by the weight it was given."""
    scores = list(scores)
    weights = sum(s.weight for s in scores)
    if not scores or not weights:
        return None
    total = sum(Decimal(s.value) / s.max_score * s.weight for s in scores) / weights * 100
    return total.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)  # 四舍五入, as people round


@dataclass
class Aggregates:
    count: int = 0
    mean: Decimal | None = None
    median: Decimal | None = None
    stdev: Decimal | None = None
    per_criterion: list[tuple[str, Decimal]] = field(default_factory=list)
    disagreement: bool = False


def _dec(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def aggregates(reviews: list[Review]) -> Aggregates:
    """Weighted mean and median of the submitted reviews' totals, mean per criterion, and their spread."""
    submitted = [r for r in reviews if r.submitted_at is not None]
    totals = [t for t in (weighted_total(r.scores.all()) for r in submitted) if t is not None]
    if not totals:
        return Aggregates()
    by_criterion: dict[str, list[Decimal]] = {}
    for review in submitted:
        for score in review.scores.all():
            by_criterion.setdefault(score.criterion.name, []).append(Decimal(score.value))
    stdev = statistics.pstdev([float(t) for t in totals]) if len(totals) > 1 else 0.0
    return Aggregates(
        count=len(totals),
        mean=_dec(statistics.fmean(float(t) for t in totals)),
        median=_dec(statistics.median(float(t) for t in totals)),
        stdev=_dec(stdev),
        per_criterion=[
            (name, _dec(statistics.fmean(float(v) for v in values))) for name, values in by_criterion.items()
        ],
        disagreement=len(totals) > 1 and stdev > settings.BIZENV_DISAGREEMENT_THRESHOLD,
    )


def practice_reviews(practice: Practice) -> list[Review]:
    """This round's reviews with their scores and criteria, in one go."""
    reviews = list(
        Review.objects.filter(practice=practice, round=practice.round)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
    )
    for review in reviews:
        review.practice = practice  # whether it is overdue asks the practice's status: no query each
    return reviews


def earlier_reviews(practice: Practice) -> list[tuple[int, list[tuple[Review, Decimal | None]]]]:
    """Submitted reviews of the rounds before this one, for the coordinator: (round, [(review, total)])."""
    rows = (
        Review.objects.filter(practice=practice, round__lt=practice.round, submitted_at__isnull=False)
        .select_related("reviewer")
        .prefetch_related(Prefetch("scores", queryset=Score.objects.select_related("criterion")))
        .order_by("round", "submitted_at")
    )
    rounds: dict[int, list] = {}
    for review in rows:
        rounds.setdefault(review.round, []).append((review, weighted_total(review.scores.all())))
    return sorted(rounds.items())


def with_reviews(practices: Iterable[Practice], user, *, chunk: int = 1000) -> Iterator[tuple[Practice, list[Review]]]:
    """Each practice with its current round's reviews as `user` may see them (visible_reviews()), the reviews read
    for `chunk` practices at a time."""
    batch: list[Practice] = []
    for practice in practices:
        batch.append(practice)
        if len(batch) == chunk:
            yield from _seen(batch, user)
            batch = []
    yield from _seen(batch, user)


def _seen(practices: list[Practice], user) -> Iterator[tuple[Practice, list[Review]]]:
    reviews = round_reviews(practices)
    for practice in practices:
        yield practice, visible_reviews(user, practice, reviews[practice.pk])


def round_reviews(practices: list[Practice]) -> dict[int, list[Review]]:
    """Each practice's reviews of its current round (declined ones left out), with their reviewers and scores: two
    queries for any number of practices, none for none."""
    if not practices:
        return {}
    rows = (
        Review.objects.filter(practice__in=[p.pk for p in practices], round=F("practice__round"), declined_at=None)
        .select_related("reviewer")
        .prefetch_related("scores")
        .order_by("practice", "assigned_at", "pk")
    )
    found: dict[int, list[Review]] = {p.pk: [] for p in practices}
    for review in rows:
        found[review.practice_id].append(review)
    return found


@dataclass
class Summary:
    """A practice's reviews as someone may see them, each with its weighted total (None until submitted)."""

    rows: list[tuple[Review, Decimal | None]]

    @classmethod
    def of(cls, reviews: list[Review]) -> "Summary":
        return cls([(r, weighted_total(r.scores.all()) if r.submitted_at else None) for r in reviews])

    @property
    def totals(self) -> list[Decimal]:
        return [total for review, total in self.rows if review.submitted_at and total is not None]

    @property
    def count(self) -> int:
        """How many reviews are submitted."""
        return sum(1 for review, _total in self.rows if review.submitted_at)

    @property
    def mean(self) -> Decimal | None:
        """The mean of the submitted reviews' weighted totals, rounded as aggregates() rounds it."""
        return _dec(statistics.fmean(float(t) for t in self.totals)) if self.totals else None

    @property
    def recommendations(self) -> Counter:
        return Counter(review.recommendation for review, _total in self.rows if review.submitted_at)


@dataclass
class Progress:
    """How far an unfinished review is: criteria scored of those in force, and its weighted total once complete."""

    scored: int
    of: int
    total: Decimal | None


def progress(review: Review, criteria: list[Criterion]) -> Progress:
    """A review's progress against the active criteria: a total over some of them would look like a finished
    score, so there is none until every one is scored."""
    active = {c.pk for c in criteria}
    given = [s for s in review.scores.all() if s.criterion_id in active]
    complete = bool(active) and len(given) == len(active)
    return Progress(scored=len(given), of=len(active), total=weighted_total(given) if complete else None)


def visible_reviews(user, practice: Practice, reviews: list[Review]) -> list[Review]:
    """Others' reviews only after submitting one's own: the coordinator sees all, a reviewer first scores alone."""
    if is_coordinator(user):
        return reviews
    own = next((r for r in reviews if r.reviewer_id == user.pk), None)
    if own is None or own.submitted_at is None:
        return [own] if own else []
    return reviews


def active_criteria() -> list[Criterion]:
    return list(Criterion.objects.filter(active=True).order_by("order", "pk"))


def comments_to_city(practice: Practice) -> list[dict]:
    """What reviewers wrote for the city, round by round; never who wrote it, never their internal notes."""
    rows = (
        Review.objects.filter(practice=practice, submitted_at__isnull=False)
        .exclude(comment_to_city="")
        .order_by("round", "submitted_at")
        .values("round", "comment_to_city")
    )
    return [{"round": row["round"], "comment": row["comment_to_city"]} for row in rows]
