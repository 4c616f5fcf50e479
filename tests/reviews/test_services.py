"""reviews/services.py's news: an assignment's due date (default, chosen, refused in the past, kept in the history),
shown in the queue and on the practice page; the coordinators told when the last review of a round is in; and
the overdue reminders (manage.py remind_reviewers), once a review, again a week later while still owed."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from bizenv.models import OutboxMail
from practices.enums import Role, Status
from practices.models import Notification, NotificationPreference
from reviews import services
from reviews.models import Review
from tests.factories import CriterionFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(xian, hanzhong):
    return {
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER, email="r@example.gov.cn"),
        "second": UserFactory(username="second", role=Role.REVIEWER, email="s@example.gov.cn"),
        "reviewer_xian": UserFactory(username="reviewer_xian", role=Role.REVIEWER, city=xian),
        "coordinator": UserFactory(username="coordinator", role=Role.COORDINATOR, email="co@example.gov.cn"),
        "coordinator_gone": UserFactory(role=Role.COORDINATOR, email="old@example.gov.cn", is_active=False),
        "xian": UserFactory(username="xian_official", role=Role.CITY_OFFICIAL, city=xian, email="x@example.gov.cn"),
    }


@pytest.fixture
def criteria(db):
    return [CriterionFactory(name="创新性", weight=50, order=1), CriterionFactory(name="实效性", weight=50, order=2)]


def chinese(date: datetime.date) -> str:
    return f"{date.year}年{date.month}月{date.day}日"


def submitted(city, **fields):
    return PracticeFactory(city=city, status=Status.SUBMITTED, **fields)


def score(review, criteria):
    return services.save_review(
        review=review,
        by=review.reviewer,
        values={c.pk: Decimal(8) for c in criteria},
        recommendation="approve",
        comment_to_city="",
        internal_note="",
        submit=True,
    )


def overdue(review, days):
    """The review was due `days` ago (as if assigned long before)."""
    Review.objects.filter(pk=review.pk).update(due_on=timezone.localdate() - datetime.timedelta(days=days))
    review.refresh_from_db()
    return review


def notes(user, start=""):
    return list(Notification.objects.filter(recipient=user, subject__startswith=start).order_by("pk"))


# ---------------------------------------------------------------------------------------------------------------
# Due dates


def test_an_assignment_is_due_in_two_weeks_unless_a_date_is_chosen_and_the_reviewer_is_told_when(people, xian, outbox):
    review = services.assign(practice=submitted(xian), reviewer=people["reviewer"], by=people["coordinator"])
    due = timezone.localdate() + datetime.timedelta(days=14)
    assert review.due_on == due
    (note,) = notes(people["reviewer"], "新的评审任务")
    assert f"请于{chinese(due)}前提交评审意见" in note.message
    (email,) = [row for row in OutboxMail.objects.all() if row.to == ["r@example.gov.cn"]]
    assert chinese(due) in email.body

    chosen = timezone.localdate() + datetime.timedelta(days=3)
    other = services.assign(
        practice=submitted(xian), reviewer=people["reviewer"], by=people["coordinator"], due_on=chosen
    )
    assert Review.objects.get(pk=other.pk).due_on == chosen
    assert Review.history.filter(id=other.pk).latest("history_id").due_on == chosen


def test_a_due_date_in_the_past_is_refused(people, xian):
    practice = submitted(xian)
    with pytest.raises(services.ReviewError, match="评审期限不能早于今天"):
        services.assign(
            practice=practice,
            reviewer=people["reviewer"],
            by=people["coordinator"],
            due_on=timezone.localdate() - datetime.timedelta(days=1),
        )
    assert not Review.objects.exists()
    assert (
        services.assign(
            practice=practice, reviewer=people["reviewer"], by=people["coordinator"], due_on=timezone.localdate()
        ).due_on
        == timezone.localdate()
    )  # today itself is allowed


def test_automatic_assignment_gets_the_default_due_date(people, xian):
    reviews = services.auto_assign(practices=[submitted(xian), submitted(xian)], by=people["coordinator"])
    assert {r.due_on for r in reviews} == {timezone.localdate() + datetime.timedelta(days=services.REVIEW_DAYS)}


def test_the_workbench_offers_the_default_date_and_takes_the_chosen_one(client, people, xian):
    practice = submitted(xian)
    client.force_login(people["coordinator"])
    html = client.get(f"/review/practices/{practice.pk}/").content.decode()
    default = timezone.localdate() + datetime.timedelta(days=14)
    assert f'type="date" name="due_on" value="{default.isoformat()}"' in html
    chosen = timezone.localdate() + datetime.timedelta(days=30)
    data = {"reviewer": people["reviewer"].pk, "due_on": chosen.isoformat()}
    response = client.post(f"/review/practices/{practice.pk}/assign/", data, follow=True)
    assert Review.objects.get(practice=practice).due_on == chosen
    assert f"评审期限：{chinese(chosen)}。" in response.content.decode()


@pytest.mark.parametrize(
    ("due_on", "message"),
    [
        ("2000-01-01", "评审期限不能早于今天"),
        ("2025-13-45", "评审期限不是有效的日期"),
        ("下周五", "评审期限不是有效的日期"),
        ("", "请填写评审期限"),
    ],
)
def test_the_workbench_refuses_a_wrong_due_date_saying_why(client, people, xian, due_on, message):
    practice = submitted(xian)
    client.force_login(people["coordinator"])
    data = {"reviewer": people["reviewer"].pk, "due_on": due_on}
    response = client.post(f"/review/practices/{practice.pk}/assign/", data, follow=True)
    assert response.status_code == 200 and message in response.content.decode()
    assert not Review.objects.exists()


def test_the_queue_and_the_practice_page_show_due_dates_and_mark_the_overdue(client, people, xian, hanzhong):
    late = overdue(
        services.assign(practice=submitted(hanzhong, title="逾期的做法"), reviewer=people["reviewer"], by=None), 3
    )
    on_time = services.assign(practice=submitted(hanzhong, title="未到期的做法"), reviewer=people["second"], by=None)

    client.force_login(people["coordinator"])
    html = client.get("/review/").content.decode()
    assert chinese(late.due_on) in html and chinese(on_time.due_on) in html
    assert html.count("逾期</strong>") == 1
    html = client.get("/review/", {"overdue": "on"}).content.decode()
    assert "逾期的做法" in html and "未到期的做法" not in html
    html = client.get(f"/review/practices/{late.practice_id}/").content.decode()
    assert f"期限{chinese(late.due_on)}" in html and "逾期</strong>" in html

    client.force_login(people["reviewer"])
    html = client.get("/review/").content.decode()
    assert "我的评审期限" in html and chinese(late.due_on) in html
    assert chinese(on_time.due_on) not in html  # another reviewer's date is not this one's
    html = client.get(f"/review/practices/{late.practice_id}/").content.decode()
    assert f"请于{chinese(late.due_on)}前提交。" in html and "逾期</strong>" in html


def test_a_submitted_review_is_not_overdue(client, people, hanzhong, criteria):
    review = overdue(services.assign(practice=submitted(hanzhong), reviewer=people["reviewer"], by=None), 3)
    score(review, criteria)
    client.force_login(people["coordinator"])
    assert "逾期</strong>" not in client.get("/review/").content.decode()
    assert "逾期</strong>" not in client.get(f"/review/practices/{review.practice_id}/").content.decode()


# ---------------------------------------------------------------------------------------------------------------
# Every review of the round in


def test_the_coordinators_are_told_when_the_last_review_of_the_round_is_in(people, hanzhong, criteria, outbox):
    practice = submitted(hanzhong, title="汉中市的做法")
    first = services.assign(practice=practice, reviewer=people["reviewer"], by=people["coordinator"])
    second = services.assign(practice=practice, reviewer=people["second"], by=people["coordinator"])
    score(first, criteria)
    assert notes(people["coordinator"], "评审已全部提交") == []
    score(second, criteria)
    (note,) = notes(people["coordinator"], "评审已全部提交")
    assert note.subject == "评审已全部提交：汉中市的做法" and note.link == f"/review/practices/{practice.pk}/"
    assert "第1轮的 2 份评审均已提交，请作出决定" in note.message
    for key in ["reviewer", "second", "xian", "coordinator_gone"]:
        assert notes(people[key], "评审已全部提交") == [], key
    assert [row.to for row in OutboxMail.objects.filter(subject__startswith="评审已全部提交")] == [
        ["co@example.gov.cn"]
    ]


def test_a_declined_review_is_not_waited_for(people, hanzhong, criteria):
    practice = submitted(hanzhong)
    first = services.assign(practice=practice, reviewer=people["reviewer"], by=people["coordinator"])
    second = services.assign(practice=practice, reviewer=people["second"], by=people["coordinator"])
    services.decline(review=second, by=people["second"], reason="曾参与该项目")
    (declined,) = notes(people["coordinator"], "评审员申请回避")
    assert "也可以直接作出决定" not in declined.message  # nothing submitted yet
    score(first, criteria)
    assert "第1轮的 1 份评审均已提交" in notes(people["coordinator"], "评审已全部提交")[0].message


def test_a_decline_after_the_others_are_in_says_the_coordinator_may_decide(people, hanzhong, criteria):
    practice = submitted(hanzhong)
    first = services.assign(practice=practice, reviewer=people["reviewer"], by=people["coordinator"])
    second = services.assign(practice=practice, reviewer=people["second"], by=people["coordinator"])
    score(first, criteria)
    services.decline(review=second, by=people["second"], reason="曾参与该项目")
    (declined,) = notes(people["coordinator"], "评审员申请回避")
    assert "本轮其余 1 份评审均已提交，也可以直接作出决定。" in declined.message


# ---------------------------------------------------------------------------------------------------------------
# Reminders


def remind() -> str:
    out = io.StringIO()
    call_command("remind_reviewers", stdout=out)
    return out.getvalue()


@pytest.fixture
def late_reviews(people, xian, hanzhong, criteria):
    """`reviewer` owes two overdue reviews, `second` one; nobody is reminded of what is not owed or not late."""
    owed = [
        overdue(services.assign(practice=submitted(hanzhong, title="甲做法"), reviewer=people["reviewer"], by=None), 5),
        overdue(services.assign(practice=submitted(hanzhong, title="乙做法"), reviewer=people["reviewer"], by=None), 1),
        overdue(services.assign(practice=submitted(hanzhong, title="丙做法"), reviewer=people["second"], by=None), 2),
    ]
    services.assign(practice=submitted(hanzhong, title="未到期"), reviewer=people["reviewer"], by=None)
    done = overdue(services.assign(practice=submitted(hanzhong, title="已提交"), reviewer=people["second"], by=None), 4)
    score(done, criteria)
    declined = overdue(services.assign(practice=submitted(xian, title="已回避"), reviewer=people["second"], by=None), 4)
    services.decline(review=declined, by=people["second"], reason="利益冲突")
    decided = overdue(services.assign(practice=submitted(xian, title="已决定"), reviewer=people["second"], by=None), 4)
    services.assign(practice=decided.practice, reviewer=people["reviewer"], by=None)
    score(Review.objects.get(practice=decided.practice, reviewer=people["reviewer"]), criteria)
    decided.practice.refresh_from_db()
    services.decide(practice=decided.practice, outcome="approve", by=people["coordinator"])
    Notification.objects.all().delete()
    OutboxMail.objects.all().delete()
    return owed


def test_each_overdue_review_is_reminded_once_however_often_the_command_runs(people, late_reviews, outbox):
    assert remind() == "已提醒 2 位评审员的 3 项逾期评审，并告知省级统筹。\n"
    assert remind() == "没有需要提醒的逾期评审。\n"

    (note,) = notes(people["reviewer"])
    assert note.subject == "您有 2 项评审已逾期" and note.link == "/review/?mine=on&overdue=on"
    first, second, third = late_reviews
    assert f"《甲做法》（汉中市）：评审期限{chinese(first.due_on)}，已逾期 5 天。" in note.message
    assert f"《乙做法》（汉中市）：评审期限{chinese(second.due_on)}，已逾期 1 天。" in note.message
    assert "未到期" not in note.message

    (note,) = notes(people["second"])
    assert note.subject == "评审已逾期：丙做法" and note.link == f"/review/practices/{third.practice_id}/"
    assert "已提交" not in note.message and "已回避" not in note.message and "已决定" not in note.message

    (summary,) = notes(people["coordinator"])
    assert summary.subject == "3 项评审已逾期，已提醒评审员" and summary.link == "/review/?overdue=on"
    assert f"《丙做法》（汉中市）· second · 期限{chinese(third.due_on)}，逾期 2 天" in summary.message
    assert notes(people["coordinator_gone"]) == [] and notes(people["xian"]) == []

    emails = {tuple(row.to): row for row in OutboxMail.objects.all()}
    assert set(emails) == {("r@example.gov.cn",), ("s@example.gov.cn",), ("co@example.gov.cn",)}
    assert chinese(third.due_on) in emails[("s@example.gov.cn",)].body


def test_a_review_still_owed_a_week_later_is_reminded_again(people, late_reviews):
    remind()
    Review.objects.filter(pk=late_reviews[2].pk).update(
        reminded_at=timezone.now() - services.REMIND_EVERY - datetime.timedelta(minutes=1)
    )
    assert remind() == "已提醒 1 位评审员的 1 项逾期评审，并告知省级统筹。\n"
    assert len(notes(people["second"], "评审已逾期")) == 2
    assert len(notes(people["reviewer"])) == 1


def test_the_weekly_reminder_goes_on_the_seventh_day_whatever_the_hour(people, late_reviews):
    """The daily run starts at a random minute: reminded last week ten minutes later in the day than this run, a
    review is still due again; reminded six days ago, it is not."""
    today = timezone.localdate()
    at = lambda day, hour, minute: timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour, minute)))  # noqa: E731
    first, second, third = late_reviews
    Review.objects.filter(pk=third.pk).update(reminded_at=at(today - datetime.timedelta(days=7), 8, 40))
    Review.objects.filter(pk__in=[first.pk, second.pk]).update(reminded_at=at(today - datetime.timedelta(days=6), 8, 0))
    reminded = services.remind_overdue(now=at(today, 8, 30))
    assert [r.pk for r in reminded] == [third.pk]


def test_a_reviewer_who_wants_the_inbox_only_is_reminded_there(people, late_reviews, outbox):
    NotificationPreference.objects.create(user=people["reviewer"], email=False)
    remind()
    assert len(notes(people["reviewer"])) == 1
    assert not [row for row in OutboxMail.objects.all() if "r@example.gov.cn" in row.to]


def test_a_reminder_is_no_change_in_the_reviews_history(people, late_reviews):
    before = Review.history.count()
    remind()
    assert Review.history.count() == before
    assert "reminded_at" not in {f.name for f in Review.history.model._meta.get_fields()}
    assert all(r.reminded_at is not None for r in Review.objects.filter(pk__in=[r.pk for r in late_reviews]))
