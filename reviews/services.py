"""Writes of the review side: assigning reviewers, scoring, deciding. Every status change goes through the workflow."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bizenv.web.history import recorded
from practices.enums import Role, Status
from practices.models import Practice
from practices.notifications import Notice, city_officials, coordinators, notify, notify_all
from practices.people import user_city
from practices.workflow import StaleState, WorkflowError, transition

from .models import Criterion, Recommendation, Review, Score
from .selectors import OPEN_REVIEW


class ReviewError(WorkflowError):
    """A review-side action that cannot happen; the message is for the user."""


OUTCOMES = {
    "approve": Status.APPROVED,
    "revise": Status.REVISION_REQUESTED,
    "reject": Status.REJECTED,
}


REVIEW_DAYS = 14  # an assignment is due this many days after it is made, unless the coordinator sets a date
REMIND_EVERY = datetime.timedelta(days=7)  # an overdue review is reminded again after this long, while still owed


def _practice_link(practice) -> str:
    return reverse("review_practice", args=[practice.pk])


def _day(date: datetime.date) -> str:
    return formats.date_format(date, "DATE_FORMAT")


def _name(user) -> str:
    return user.get_full_name() or user.username


def default_due_on() -> datetime.date:
    """The due date of an assignment made today, unless the coordinator chooses another."""
    return timezone.localdate() + datetime.timedelta(days=REVIEW_DAYS)


def due_on_problem(due_on: datetime.date) -> str | None:
    """What is wrong with a due date for an assignment made now, if anything (for the user)."""
    if due_on < timezone.localdate():
        return _("评审期限不能早于今天（%(today)s），请选择今天或以后的日期。") % {"today": _day(timezone.localdate())}
    return None


def reviewers():
    return get_user_model().objects.filter(groups__name=Role.REVIEWER, is_active=True)


def is_eligible(reviewer, practice) -> bool:
    """A reviewer may review any practice but their own city's."""
    city = user_city(reviewer)
    return city is None or city.pk != practice.city_id


def open_assignments(users) -> dict[int, int]:
    """How many assignments each reviewer still owes, in one query."""
    counts = dict(
        Review.objects.filter(OPEN_REVIEW, reviewer__in=users).values_list("reviewer").annotate(n=Count("pk"))
    )
    return {user.pk: counts.get(user.pk, 0) for user in users}


@transaction.atomic
def assign(*, practice: Practice, reviewer, by, due_on: datetime.date | None = None) -> Review:
    """Give a submitted (or in-review) practice to a reviewer, due by a date (REVIEW_DAYS from today unless given);
    recusal holds; the first assignment starts the review."""
    due_on = due_on or default_due_on()
    if problem := due_on_problem(due_on):
        raise ReviewError(problem)
    practice = Practice.objects.select_for_update().get(pk=practice.pk)
    if practice.status not in (Status.SUBMITTED, Status.IN_REVIEW):
        raise ReviewError(_("只有已提交或评审中的经验做法可以分配评审。"))
    if not reviewer.groups.filter(name=Role.REVIEWER).exists():
        raise ReviewError(_("%(name)s 不是评审员。") % {"name": reviewer.get_full_name() or reviewer.username})
    if not is_eligible(reviewer, practice):
        raise ReviewError(
            _("%(name)s 属于%(city)s，须回避本市的经验做法。")
            % {"name": reviewer.get_full_name() or reviewer.username, "city": practice.city.name}
        )
    existing = Review.objects.filter(practice=practice, round=practice.round, reviewer=reviewer).first()
    if existing:
        raise ReviewError(_("%(name)s 已被分配过本轮评审。") % {"name": reviewer.get_full_name() or reviewer.username})
    try:
        with transaction.atomic():
            review = Review.objects.create(
                practice=practice, round=practice.round, reviewer=reviewer, assigned_by=by, due_on=due_on
            )
    except IntegrityError as exc:  # the same assignment made at the same moment elsewhere
        raise ReviewError(_("此评审已被他人分配，请刷新后查看。")) from exc
    if practice.status == Status.SUBMITTED:
        transition(practice=practice, to=Status.IN_REVIEW, by=by, note=_("分配评审"))
    notify(
        [reviewer],
        subject=lambda: _("新的评审任务：%(title)s") % {"title": practice.title},
        message=lambda: (
            _("%(city)s提交的经验做法已分配给您评审（第%(round)d轮），请于%(date)s前提交评审意见。")
            % {"city": practice.city.name, "round": practice.round, "date": _day(due_on)}
        ),
        link=_practice_link(practice),
    )
    return review


@transaction.atomic
def auto_assign(*, practices, by, per_practice: int = 1, due_on: datetime.date | None = None) -> list[Review]:
    """Give each practice `per_practice` reviewers, always the least loaded eligible ones, never of its own city,
    each due by `due_on` (REVIEW_DAYS from today unless given).

    Reviewers' open assignments stay within one of each other wherever recusal allows it.
    """
    pool = list(reviewers().select_related("membership").order_by("pk"))
    if not pool:
        raise ReviewError(_("还没有任何评审员。"))
    load = open_assignments(pool)
    # The practices with the fewest eligible reviewers choose first, so recusal costs the balance as little as
    # it can.
    ordered = sorted(practices, key=lambda p: (sum(is_eligible(r, p) for r in pool), p.pk))
    created = []
    for practice in ordered:
        practice = Practice.objects.select_for_update().get(pk=practice.pk)
        reviews = Review.objects.filter(practice=practice, round=practice.round)
        taken = set(reviews.values_list("reviewer_id", flat=True))  # declined ones are not asked again
        active = reviews.filter(declined_at__isnull=True).count()
        for _slot in range(max(per_practice - active, 0)):
            candidates = [r for r in pool if r.pk not in taken and is_eligible(r, practice)]
            if not candidates:
                break
            chosen = min(candidates, key=lambda r: (load.get(r.pk, 0), r.pk))
            created.append(assign(practice=practice, reviewer=chosen, by=by, due_on=due_on))
            taken.add(chosen.pk)
            load[chosen.pk] = load.get(chosen.pk, 0) + 1
    return created


@transaction.atomic
def decline(*, review: Review, by, reason: str) -> Review:
    """A reviewer declares a conflict of interest and is released from an unfinished review."""
    if review.reviewer_id != by.pk:
        raise ReviewError(_("只能为自己的评审任务申请回避。"))
    updated = Review.objects.filter(pk=review.pk, submitted_at__isnull=True, declined_at__isnull=True).update(
        declined_at=timezone.now(), decline_reason=reason
    )
    if updated != 1:
        raise ReviewError(_("此评审已提交或已回避，不能再申请回避。"))
    review.refresh_from_db()
    recorded([review], by=by)
    practice = review.practice
    submitted = _round_complete(practice, review.round)

    def message():
        told = _("%(name)s 因利益冲突回避，原因：%(reason)s。请重新分配。") % {"name": _name(by), "reason": reason}
        if submitted:
            told += _("本轮其余 %(n)d 份评审均已提交，也可以直接作出决定。") % {"n": submitted}
        return told

    notify(
        coordinators(),
        subject=lambda: _("评审员申请回避：%(title)s") % {"title": practice.title},
        message=message,
        link=_practice_link(practice),
    )
    return review


def _round_complete(practice: Practice, in_round: int) -> int:
    """How many reviews of the round are submitted, if every one not declined is and the practice still waits in
    that round for a decision; else 0."""
    if practice.status != Status.IN_REVIEW or practice.round != in_round:
        return 0
    counts = Review.objects.filter(practice=practice, round=in_round, declined_at__isnull=True).aggregate(
        assigned=Count("pk"), submitted=Count("pk", filter=Q(submitted_at__isnull=False))
    )
    return counts["submitted"] if counts["submitted"] == counts["assigned"] else 0


@transaction.atomic
def save_review(
    *,
    review: Review,
    by,
    values: dict[int, Decimal | None],
    recommendation: str,
    comment_to_city: str,
    internal_note: str,
    submit: bool,
) -> Review:
    """Store a reviewer's scores (one per active criterion) and words; `submit` finishes the review for good."""
    # Both rows: a decision made meanwhile (which locks the practice) is seen, never raced.
    review = Review.objects.select_for_update(of=("self", "practice")).select_related("practice").get(pk=review.pk)
    if review.reviewer_id != by.pk:
        raise ReviewError(_("只能填写分配给自己的评审。"))
    if not review.is_open:
        raise ReviewError(_("此评审已提交或已回避，不能再修改。"))
    if review.practice.status != Status.IN_REVIEW or review.round != review.practice.round:
        raise ReviewError(_("此经验做法已不在本轮评审中，请刷新后查看。"))
    criteria = list(Criterion.objects.filter(active=True).order_by("order", "pk"))
    # Every problem at once, as the form reports them: the reviewer fixes them in one go.
    problems = [
        _("“%(name)s”的得分应在 0 到 %(max)d 之间。") % {"name": criterion.name, "max": criterion.max_score}
        for criterion in criteria
        if values.get(criterion.pk) is not None and not 0 <= values[criterion.pk] <= criterion.max_score
    ]
    if submit:
        missing = [c.name for c in criteria if values.get(c.pk) is None]
        if missing:
            problems.append(_("提交前请为以下标准打分：%(names)s。") % {"names": "、".join(missing)})
        if recommendation not in Recommendation.values:
            problems.append(_("提交前请选择评审建议。"))
    if problems:
        raise ReviewError("".join(problems))
    for criterion in criteria:
        value = values.get(criterion.pk)
        if value is None:
            Score.objects.filter(review=review, criterion=criterion).delete()
            continue
        # The weight and maximum in force now are kept with the score: reweighting later changes no given score.
        Score.objects.update_or_create(
            review=review,
            criterion=criterion,
            defaults={"value": value, "weight": criterion.weight, "max_score": criterion.max_score},
        )
    # A criterion deactivated while this review was a draft no longer counts in it.
    Score.objects.filter(review=review, criterion__active=False).delete()
    review.recommendation = recommendation if recommendation in Recommendation.values else ""
    review.comment_to_city = comment_to_city
    review.internal_note = internal_note
    if submit:
        review.submitted_at = timezone.now()
    review.save()
    # The last review of the round in: the coordinators may decide. The practice's row is locked above, so of two
    # reviewers submitting at once the second sees the first's review and tells them.
    if submit and (submitted := _round_complete(review.practice, review.round)):
        practice = review.practice
        notify(
            coordinators(),
            subject=lambda: _("评审已全部提交：%(title)s") % {"title": practice.title},
            message=lambda: (
                _("%(city)s的经验做法第%(round)d轮的 %(n)d 份评审均已提交，请作出决定。")
                % {"city": practice.city.name, "round": review.round, "n": submitted}
            ),
            link=_practice_link(practice),
        )
    return review


def decide(*, practice: Practice, outcome: str, by, message: str = "") -> Practice:
    """The coordinator's decision on a practice in review; of two at once, one wins and the other gets StaleState."""
    if outcome not in OUTCOMES:
        raise ReviewError(_("未知的决定“%(outcome)s”。") % {"outcome": outcome})
    if outcome in ("revise", "reject") and not message.strip():
        raise ReviewError(_("退回修改须写明修改意见。") if outcome == "revise" else _("不予通过须写明理由。"))
    if practice.status != Status.IN_REVIEW:
        # Seen already decided (or not yet in review): say so as a stale page, whatever the outcome asked.
        raise StaleState(
            _("此条目当前为“%(status)s”，已被他人处理或尚未进入评审，请刷新后查看。")
            % {"status": practice.get_status_display()}
        )
    if not Review.objects.filter(practice=practice, round=practice.round, submitted_at__isnull=False).exists():
        raise ReviewError(_("本轮还没有提交的评审，不能作出决定。"))
    with transaction.atomic():
        practice = transition(practice=practice, to=OUTCOMES[outcome], by=by, note=message.strip())
        labels = {
            "approve": gettext_lazy("已通过"),
            "revise": gettext_lazy("需要修改"),
            "reject": gettext_lazy("未通过"),
        }
        notify(
            city_officials(practice.city),
            subject=lambda: _("“%(title)s”%(outcome)s") % {"title": practice.title, "outcome": labels[outcome]},
            message=message.strip(),
            link=reverse("city_practice", args=[practice.pk]),
        )
    return practice


@transaction.atomic
def remind_overdue(*, now: datetime.datetime | None = None) -> list[Review]:
    """Tell each reviewer which of their unfinished reviews are past their due date, and the coordinators all of
    them in one message; a review is reminded once, and again every REMIND_EVERY while it is still owed. Returns
    the reviews reminded: run twice, the second run reminds none."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    # Again on the REMIND_EVERY-th day, whatever the hour: a daily run a few minutes earlier than last week's (the
    # timer's random delay) still reminds. Reminded before the start of this day, less REMIND_EVERY, plus one.
    due_again = Q(reminded_at=None) | Q(reminded_at__lt=_day_start(today - REMIND_EVERY + datetime.timedelta(days=1)))
    owed = Review.objects.filter(OPEN_REVIEW, due_on__lt=today).filter(due_again)
    ids = list(owed.values_list("pk", flat=True))
    if not ids:
        return []
    # Claimed by one update of the rows' own columns: of two runs at once, the second finds them reminded.
    Review.objects.filter(due_again, pk__in=ids).update(reminded_at=now)
    reviews = list(
        Review.objects.filter(pk__in=ids, reminded_at=now)
        .select_related("practice__city", "reviewer")
        .order_by("due_on", "practice__city__order", "pk")
    )
    by_reviewer: dict[int, list[Review]] = {}
    for review in reviews:
        by_reviewer.setdefault(review.reviewer_id, []).append(review)
    if not reviews:
        return []
    told = list(coordinators())

    def notices():
        summary = Notice(
            told,
            subject=_("%(n)d 项评审已逾期，已提醒评审员") % {"n": len(reviews)},
            message="\n".join(
                _("《%(title)s》（%(city)s）· %(name)s · 期限%(date)s，逾期 %(days)d 天")
                % {**_overdue_facts(review, today), "name": _name(review.reviewer)}
                for review in reviews
            ),
            link=reverse("review_queue") + "?overdue=on",
        )
        return [*(_overdue_notice(rows, today) for rows in by_reviewer.values()), summary]

    notify_all(notices)
    return reviews


def _day_start(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time()))


def _overdue_facts(review: Review, today: datetime.date) -> dict:
    return {
        "title": review.practice.title,
        "city": review.practice.city.name,
        "date": _day(review.due_on),
        "days": (today - review.due_on).days,
    }


def _overdue_notice(reviews: list[Review], today: datetime.date) -> Notice:
    """A reviewer's reminder of their overdue reviews: one, with its page; several, with the queue of them."""
    lines = [
        _("《%(title)s》（%(city)s）：评审期限%(date)s，已逾期 %(days)d 天。") % _overdue_facts(review, today)
        for review in reviews
    ]
    lines.append(_("请尽快提交评审意见；如存在利益冲突，请在评审页面申请回避。"))
    if len(reviews) == 1:
        subject = _("评审已逾期：%(title)s") % {"title": reviews[0].practice.title}
        link = _practice_link(reviews[0].practice)
    else:
        subject = _("您有 %(n)d 项评审已逾期") % {"n": len(reviews)}
        link = reverse("review_queue") + "?mine=on&overdue=on"
    return Notice([reviews[0].reviewer], subject=subject, message="\n".join(lines), link=link)


__all__ = [
    "OUTCOMES",
    "REMIND_EVERY",
    "REVIEW_DAYS",
    "ReviewError",
    "StaleState",
    "assign",
    "auto_assign",
    "decide",
    "decline",
    "default_due_on",
    "remind_overdue",
    "save_review",
]
