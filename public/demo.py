"""Demo data: the shipped cities, indicators and criteria, demo users, practices in every state, the seed batch.

It needs practices, reviews (a practice in review has its reviews) and batches (the seed is a batch), and will
adoptions (cities report on the seed batch's practices), so it lives in the top layer; it is not a page.

Loading it twice changes nothing: rows are found by their natural keys and
only what is missing is created, so edits made since are kept. Never called
from a migration, and refused in production (see the command).
"""

import datetime
import json
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from adoptions import services as adoption_services
from batches.importing import import_bulletin
from batches.models import Batch
from bizenv.fixtures import ensure_fixture, fixture_path
from practices.enums import Role, Status
from practices.models import City, Indicator, Membership, Practice, PracticeResult
from practices.services import practice_submit
from practices.workflow import transition
from reviews.models import Criterion, Recommendation, Review, Score
from reviews.services import default_due_on

DEMO_PASSWORD = "demo"
FIXTURES = ["cities", "indicators", "criteria"]
# The real announcement the demo publishes: Shaanxi's second batch of 2022, as it circulates (see README).
SEED = ("shaanxi-2022-2.txt", 2022, 2)
# The announcement's own date. The copy is cut off before any signature or date, and no source at hand records the
# day it was published: until one does, the demo publishes it undated and the public pages say the date is not
# known (a date here is passed to the import as --date would be).
SEED_DATE: datetime.date | None = None


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    role: Role | None
    city_code: str | None = None
    superuser: bool = False


DEMO_USERS = [
    DemoUser("xian", "西安市填报员", Role.CITY_OFFICIAL, "610100"),
    DemoUser("hanzhong", "汉中市填报员", Role.CITY_OFFICIAL, "610700"),
    DemoUser("reviewer", "省级评审专家", Role.REVIEWER),
    DemoUser("reviewer_xian", "西安市评审员", Role.REVIEWER, "610100"),
    DemoUser("coordinator", "省级统筹", Role.COORDINATOR),
    DemoUser("admin", "系统管理员", None, superuser=True),
]

# The path from draft to each demo state, one workflow step at a time.
PATHS = {
    Status.DRAFT: [],
    Status.SUBMITTED: [Status.SUBMITTED],
    Status.IN_REVIEW: [Status.SUBMITTED, Status.IN_REVIEW],
    Status.REVISION_REQUESTED: [Status.SUBMITTED, Status.IN_REVIEW, Status.REVISION_REQUESTED],
    Status.APPROVED: [Status.SUBMITTED, Status.IN_REVIEW, Status.APPROVED],
}
# Demo scores out of each criterion's maximum, in criterion order.
DEMO_SCORES = {
    Status.APPROVED: (Recommendation.APPROVE, [9, 8, 8, 9]),
    Status.REVISION_REQUESTED: (Recommendation.REVISE, [7, 5, 6, 6]),
}


@transaction.atomic
def load_demo() -> dict[str, int]:
    """Create what is missing of the fixtures, demo users and demo practices; return how many rows were new."""
    return {
        "reference": sum(ensure_fixture(name) for name in FIXTURES),
        "users": _ensure_users(),
        "practices": _ensure_practices(),
        "batches": _ensure_seed_batch(),
        "adoptions": _ensure_adoptions(),
    }


def _ensure_seed_batch() -> int:
    name, year, sequence = SEED
    if Batch.objects.filter(year=year, sequence=sequence).exists():
        return 0
    data = (settings.BASE_DIR / "fixtures" / "seeds" / name).read_bytes()
    import_bulletin(data=data, year=year, sequence=sequence, date=SEED_DATE, publish=True, source_name=name)
    return 1


def _ensure_adoptions() -> int:
    """Reports on the seed batch's practices, in every status, and one city excused: each written once, on a row
    nobody has touched (a row reported on since is left as it is)."""
    _name, year, sequence = SEED
    coordinator = _demo_user("coordinator")
    written = 0
    for spec in json.loads(fixture_path("demo_adoptions").read_text(encoding="utf-8")):
        row = (
            adoption_services.untouched()
            .filter(
                city__code=spec["city"],
                practice__batch_entry__batch__year=year,
                practice__batch_entry__batch__sequence=sequence,
                practice__batch_entry__number=spec["number"],
            )
            .first()
        )
        if row is None:
            continue
        if "excuse" in spec:
            adoption_services.excuse(adoption=row, by=coordinator, reason=spec["excuse"])
        else:
            official = Membership.objects.filter(city=row.city, user__groups__name=Role.CITY_OFFICIAL).first()
            adoption_services.report(
                adoption=row,
                by=official.user if official else None,
                seen_version=row.version,
                status=spec["status"],
                adopted_on=datetime.date.fromisoformat(spec["adopted_on"]) if "adopted_on" in spec else None,
                result=spec.get("result", ""),
                reason=spec.get("reason", ""),
                results=spec.get("results", []),
            )
        written += 1
    return written


def _ensure_users() -> int:
    User = get_user_model()
    created_count = 0
    for spec in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=spec.username,
            defaults={
                "first_name": spec.display_name,
                "email": f"{spec.username}@example.gov.cn",
                "is_staff": spec.superuser,
                "is_superuser": spec.superuser,
            },
        )
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
            created_count += 1
        if spec.role:
            # The groups come from a migration; a flushed test database (transactional tests) has lost them.
            user.groups.add(Group.objects.get_or_create(name=spec.role.value)[0])
        city = City.objects.get(code=spec.city_code) if spec.city_code else None
        Membership.objects.get_or_create(user=user, defaults={"city": city})
    return created_count


def _demo_user(username):
    return get_user_model().objects.get(username=username)


def _ensure_practices() -> int:
    specs = json.loads(fixture_path("demo_practices").read_text(encoding="utf-8"))
    coordinator = _demo_user("coordinator")
    created_count = 0
    for spec in specs:
        city = City.objects.get(code=spec["city"])
        if Practice.objects.filter(city=city, title=spec["title"]).exists():
            continue
        official = Membership.objects.filter(city=city, user__groups__name=Role.CITY_OFFICIAL).first().user
        practice = Practice.objects.create(
            city=city,
            indicator=Indicator.objects.get(slug=spec["indicator"]),
            title=spec["title"],
            summary=spec["summary"],
            body=spec["body"],
            outcomes=spec["outcomes"],
            contact_name=spec["contact_name"],
            contact_phone=spec["contact_phone"],
            created_by=official,
            updated_by=official,
        )
        PracticeResult.objects.bulk_create(
            PracticeResult(practice=practice, order=i, **row) for i, row in enumerate(spec["results"])
        )
        _walk(practice, Status(spec["status"]), official, coordinator, spec.get("review_comment", ""))
        created_count += 1
    return created_count


def _walk(practice, target, official, coordinator, review_comment):
    # 西安's practices go to the provincial reviewer; reviewer_xian may review any city but her own.
    reviewer = _demo_user("reviewer_xian" if practice.city.code != "610100" else "reviewer")
    for step in PATHS[target]:
        if step == Status.SUBMITTED:
            practice = practice_submit(practice=practice, by=official)
        elif step == Status.IN_REVIEW:
            Review.objects.create(
                practice=practice,
                round=practice.round,
                reviewer=reviewer,
                assigned_by=coordinator,
                due_on=default_due_on(),
            )
            transition(practice=practice, to=step, by=coordinator, note="分配评审")
        else:
            _submit_demo_review(practice, reviewer, target, review_comment)
            transition(practice=practice, to=step, by=coordinator, note=review_comment)


def _submit_demo_review(practice, reviewer, target, comment):
    recommendation, values = DEMO_SCORES[target]
    review = Review.objects.get(practice=practice, round=practice.round, reviewer=reviewer)
    criteria = Criterion.objects.filter(active=True).order_by("order")
    Score.objects.bulk_create(
        Score(review=review, criterion=c, value=Decimal(v), weight=c.weight, max_score=c.max_score)
        for c, v in zip(criteria, values, strict=True)
    )
    review.recommendation = recommendation
    review.comment_to_city = comment
    review.submitted_at = timezone.now()
    review.save()
