"""The review workbench: who may do what, recusal, balance, aggregates, decisions with one winner, notifications."""

import datetime
import io
import re
import statistics
import threading
from decimal import Decimal

import openpyxl
import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.db import connection
from django.utils import timezone

from practices.enums import Role, Status
from practices.models import Attachment, Notification, Practice, PracticeEvent
from practices.workflow import StaleState
from reviews import services
from reviews.models import Criterion, Review
from reviews.selectors import aggregates, practice_reviews, weighted_total
from tests.factories import CityFactory, CriterionFactory, PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def criteria(db):
    return [
        CriterionFactory(name="创新性", weight=30, max_score=10, order=1),
        CriterionFactory(name="实效性", weight=30, max_score=10, order=2),
        CriterionFactory(name="可复制性", weight=25, max_score=10, order=3),
        CriterionFactory(name="示范性", weight=15, max_score=10, order=4),
    ]


@pytest.fixture
def people(xian, hanzhong):
    return {
        "anonymous": None,
        "reviewer": UserFactory(username="reviewer", role=Role.REVIEWER),
        "reviewer_xian": UserFactory(username="reviewer_xian", role=Role.REVIEWER, city=xian),
        "coordinator": UserFactory(username="coordinator", role=Role.COORDINATOR, email="co@example.gov.cn"),
        "xian": UserFactory(username="xian_official", role=Role.CITY_OFFICIAL, city=xian, email="x@example.gov.cn"),
        "hanzhong": UserFactory(username="hz_official", role=Role.CITY_OFFICIAL, city=hanzhong),
    }


def in_review(city, reviewer, by):
    practice = PracticeFactory(city=city, status=Status.SUBMITTED)
    services.assign(practice=practice, reviewer=reviewer, by=by)
    practice.refresh_from_db()
    return practice


def reviewed(practice, criteria, values=(8, 8, 8, 8)):
    """Another reviewer has scored the practice: a decision needs at least one submitted review."""
    other = UserFactory(role=Role.REVIEWER)
    review = services.assign(practice=practice, reviewer=other, by=None)
    score_all(review, criteria, list(values))
    return practice


def score_all(review, criteria, values, recommendation="approve", **texts):
    return services.save_review(
        review=review,
        by=review.reviewer,
        values={c.pk: Decimal(v) for c, v in zip(criteria, values, strict=True)},
        recommendation=recommendation,
        comment_to_city=texts.get("comment", ""),
        internal_note=texts.get("note", ""),
        submit=True,
    )


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client


# ---------------------------------------------------------------------------------------------------------------
# Permission matrix: role × view, every cell asserted. The practice is 西安's, in review, assigned to `reviewer`.

VIEWS = ["queue", "practice", "score", "assign", "decide", "criteria", "attachment"]
EXPECTED = {
    # anonymous: every page sends to sign-in
    "anonymous": dict.fromkeys(VIEWS, "login"),
    "reviewer": {
        **{"queue": 200, "practice": 200, "score": 200, "assign": 404, "decide": 404, "criteria": 404},
        "attachment": 200,
    },
    "reviewer_xian": {
        **{"queue": 200, "practice": 404, "score": 404, "assign": 404, "decide": 404, "criteria": 404},
        "attachment": 404,
    },
    "coordinator": {
        **{"queue": 200, "practice": 200, "score": 404, "assign": 302, "decide": 302, "criteria": 200},
        "attachment": 200,
    },
    "xian": dict.fromkeys(VIEWS, 404),
    "hanzhong": dict.fromkeys(VIEWS, 404),
}


@pytest.mark.parametrize("view", VIEWS)
@pytest.mark.parametrize("who", list(EXPECTED))
def test_permission_matrix(client, people, xian, criteria, media, who, view):
    practice = reviewed(in_review(xian, people["reviewer"], people["coordinator"]), criteria)
    attachment = Attachment(practice=practice, original_name="说明.pdf", content_type="application/pdf", size=9)
    attachment.file.save("说明.pdf", ContentFile(b"%PDF-1.4\n"))
    base = f"/review/practices/{practice.pk}/"
    requests = {
        "queue": lambda c: c.get("/review/"),
        "practice": lambda c: c.get(base),
        "score": lambda c: c.get(base + "score/"),
        "assign": lambda c: c.post(base + "assign/", {"reviewer": people["reviewer"].pk}),
        "decide": lambda c: c.post(base + "decide/", {"outcome": "approve"}),
        "criteria": lambda c: c.get("/review/criteria/"),
        "attachment": lambda c: c.get(f"/review/attachments/{attachment.pk}/"),
    }
    response = requests[view](login(client, people[who]))
    expected = EXPECTED[who][view]
    if expected == "login":
        assert response.status_code == 302 and response.url.startswith("/accounts/login/")
    else:
        assert response.status_code == expected
    decided = Practice.objects.get(pk=practice.pk).status == Status.APPROVED
    assert decided == (who == "coordinator" and view == "decide")


def test_reviewer_xian_is_never_assigned_a_xian_practice(people, xian):
    practice = PracticeFactory(city=xian, status=Status.SUBMITTED)
    with pytest.raises(services.ReviewError, match="回避"):
        services.assign(practice=practice, reviewer=people["reviewer_xian"], by=people["coordinator"])
    assert not Review.objects.exists()


def test_reviewer_xian_is_not_offered_for_a_xian_practice(client, people, xian):
    practice = PracticeFactory(city=xian, status=Status.SUBMITTED)
    html = login(client, people["coordinator"]).get(f"/review/practices/{practice.pk}/").content.decode()
    assert f'value="{people["reviewer"].pk}"' in html and f'value="{people["reviewer_xian"].pk}"' not in html


def test_queue_hides_a_reviewers_own_city(client, people, xian, hanzhong):
    mine = PracticeFactory(city=xian, status=Status.SUBMITTED, title="西安的做法")
    other = PracticeFactory(city=hanzhong, status=Status.SUBMITTED, title="汉中的做法")
    html = login(client, people["reviewer_xian"]).get("/review/").content.decode()
    assert other.title in html and mine.title not in html


def test_city_never_sees_internal_notes_or_reviewer_names(client, people, xian, criteria):
    practice = in_review(xian, people["reviewer"], people["coordinator"])
    score_all(Review.objects.get(), criteria, [8, 8, 8, 8], "revise", comment="请补充数据。", note="内部：材料偏弱")
    services.decide(practice=practice, outcome="revise", by=people["coordinator"], message="请补充量化数据。")
    html = login(client, people["xian"]).get(f"/city/practices/{practice.pk}/").content.decode()
    assert "请补充数据。" in html and "请补充量化数据。" in html
    assert "内部：材料偏弱" not in html and people["reviewer"].username not in html


def test_a_reviewer_sees_others_reviews_only_after_submitting(client, people, xian, hanzhong, criteria):
    second = UserFactory(username="second", role=Role.REVIEWER)
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    services.assign(practice=practice, reviewer=second, by=people["coordinator"])
    score_all(Review.objects.get(reviewer=second), criteria, [9, 9, 9, 9], note="第二位的内部意见")
    client = login(client, people["reviewer"])
    assert "第二位的内部意见" not in client.get(f"/review/practices/{practice.pk}/").content.decode()
    score_all(Review.objects.get(reviewer=people["reviewer"]), criteria, [7, 7, 7, 7])
    assert "第二位的内部意见" in client.get(f"/review/practices/{practice.pk}/").content.decode()


# ---------------------------------------------------------------------------------------------------------------
# Automatic assignment


def test_auto_assignment_balances_load_and_respects_recusal(people, xian):
    cities = [xian, *(CityFactory() for _ in range(3))]
    pool = [people["reviewer"], people["reviewer_xian"]]
    pool += [UserFactory(username=f"r{i}", role=Role.REVIEWER, city=cities[i % 4]) for i in range(4)]
    practices = [PracticeFactory(city=cities[i % 4], status=Status.SUBMITTED) for i in range(37)]
    created = services.auto_assign(practices=practices, by=people["coordinator"], per_practice=2)
    assert len(created) == 74
    loads = services.open_assignments(pool)
    assert max(loads.values()) - min(loads.values()) <= 1
    for review in Review.objects.select_related("practice", "reviewer__membership"):
        membership = getattr(review.reviewer, "membership", None)
        assert membership is None or membership.city_id != review.practice.city_id
    assert set(Practice.objects.values_list("status", flat=True)) == {Status.IN_REVIEW}


def test_declining_releases_the_reviewer(people, xian, hanzhong):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    review = Review.objects.get()
    services.decline(review=review, by=people["reviewer"], reason="曾参与该项目")
    assert services.open_assignments([people["reviewer"]]) == {people["reviewer"].pk: 0}
    assert Notification.objects.filter(recipient=people["coordinator"], subject__contains="回避").exists()
    assert not people["reviewer"].has_perm("reviews.score", practice)


# ---------------------------------------------------------------------------------------------------------------
# Scores and aggregates


def test_scores_are_bounded_by_the_criterion(people, hanzhong, criteria):
    in_review(hanzhong, people["reviewer"], people["coordinator"])
    with pytest.raises(services.ReviewError, match="0 到 10"):
        score_all(Review.objects.get(), criteria, [11, 8, 8, 8])
    assert not Review.objects.get().scores.exists()


def test_a_review_saved_for_later_then_submitted(people, hanzhong, criteria):
    in_review(hanzhong, people["reviewer"], people["coordinator"])
    review = Review.objects.get()
    services.save_review(
        review=review,
        by=people["reviewer"],
        values={criteria[0].pk: Decimal(6)},
        recommendation="",
        comment_to_city="",
        internal_note="草拟",
        submit=False,
    )
    review.refresh_from_db()
    assert review.submitted_at is None and review.scores.count() == 1
    with pytest.raises(services.ReviewError, match="实效性、可复制性、示范性"):
        services.save_review(
            review=review,
            by=people["reviewer"],
            values={criteria[0].pk: Decimal(6)},
            recommendation="approve",
            comment_to_city="",
            internal_note="",
            submit=True,
        )
    score_all(review, criteria, [6, 7, 8, 9])
    review.refresh_from_db()
    assert review.submitted_at is not None and review.scores.count() == 4


def test_aggregates_on_known_scores(people, hanzhong, criteria):
    a, b = UserFactory(username="a", role=Role.REVIEWER), UserFactory(username="b", role=Role.REVIEWER)
    practice = in_review(hanzhong, a, people["coordinator"])
    services.assign(practice=practice, reviewer=b, by=people["coordinator"])
    services.assign(practice=practice, reviewer=people["reviewer"], by=people["coordinator"])
    score_all(Review.objects.get(reviewer=a), criteria, [10, 10, 10, 10])  # 100
    score_all(Review.objects.get(reviewer=b), criteria, [5, 5, 5, 5])  # 50
    score_all(Review.objects.get(reviewer=people["reviewer"]), criteria, [10, 5, 10, 5])  # 30+15+25+7.5 = 77.5
    result = aggregates(practice_reviews(practice))
    totals = [100, 50, 77.5]
    assert result.count == 3
    assert result.mean == Decimal(str(round(statistics.fmean(totals), 1)))
    assert result.median == Decimal("77.5")
    assert result.stdev == Decimal(str(round(statistics.pstdev(totals), 1)))
    assert dict(result.per_criterion) == {
        "创新性": Decimal("8.3"),
        "实效性": Decimal("6.7"),
        "可复制性": Decimal("8.3"),
        "示范性": Decimal("6.7"),
    }
    assert result.disagreement  # a spread of about 20 points is above the threshold of 15


def test_close_scores_raise_no_disagreement(people, hanzhong, criteria):
    a = UserFactory(username="a", role=Role.REVIEWER)
    practice = in_review(hanzhong, a, people["coordinator"])
    services.assign(practice=practice, reviewer=people["reviewer"], by=people["coordinator"])
    score_all(Review.objects.get(reviewer=a), criteria, [8, 8, 8, 8])
    score_all(Review.objects.get(reviewer=people["reviewer"]), criteria, [7, 8, 8, 7])
    assert not aggregates(practice_reviews(practice)).disagreement


def test_reweighting_keeps_given_scores(people, hanzhong, criteria):
    in_review(hanzhong, people["reviewer"], people["coordinator"])
    score_all(Review.objects.get(), criteria, [8, 8, 8, 8])
    Criterion.objects.filter(pk=criteria[0].pk).update(weight=60, active=False)
    score = Review.objects.get().scores.get(criterion=criteria[0])
    assert score.weight == 30 and score.value == 8


def test_coordinator_manages_criteria(client, people, criteria):
    client = login(client, people["coordinator"])
    data = {"form-TOTAL_FORMS": "5", "form-INITIAL_FORMS": "4", "form-MIN_NUM_FORMS": "0", "form-MAX_NUM_FORMS": "1000"}
    for i, c in enumerate(criteria):
        data |= {f"form-{i}-id": c.pk, f"form-{i}-name": c.name, f"form-{i}-weight": c.weight}
        data |= {f"form-{i}-max_score": c.max_score, f"form-{i}-order": c.order, f"form-{i}-description": ""}
        if c.name != "示范性":
            data[f"form-{i}-active"] = "on"
    data |= {"form-4-name": "带动性", "form-4-weight": "10", "form-4-max_score": "10", "form-4-order": "5"}
    data |= {"form-4-active": "on", "form-4-description": ""}
    response = client.post("/review/criteria/", data)
    assert response.status_code == 302
    assert list(Criterion.objects.filter(active=True).values_list("name", flat=True)) == [
        "创新性",
        "实效性",
        "可复制性",
        "带动性",
    ]


def test_the_reviews_texts_are_kept_as_plain_text(client, people, xian, hanzhong, criteria):
    """A comment, a note, a decision's message and a reason to decline, as a browser sends them ("\r\n")."""
    practice = in_review(xian, people["reviewer"], people["coordinator"])
    review = practice.reviews.get()
    data = {f"score_{c.pk}": "8" for c in criteria} | {"recommendation": "revise", "submit": "1"}
    data |= {"comment_to_city": "请补充数据。 \r\n\r\n请附证明材料。\r\n", "internal_note": "\r\n数据存疑\t"}
    login(client, people["reviewer"]).post(f"/review/practices/{practice.pk}/score/", data)
    review.refresh_from_db()
    assert (review.comment_to_city, review.internal_note) == ("请补充数据。\n\n请附证明材料。", "数据存疑")

    message = {"outcome": "revise", "message": "请补充量化成效。\r\n第二条意见。 \r\n"}
    login(client, people["coordinator"]).post(f"/review/practices/{practice.pk}/decide/", message)
    assert practice.events.latest("pk").note == "请补充量化成效。\n第二条意见。"

    other = in_review(hanzhong, people["reviewer"], people["coordinator"]).reviews.get()
    login(client, people["reviewer"]).post(f"/review/reviews/{other.pk}/decline/", {"reason": "曾参与\r\n该项目 "})
    other.refresh_from_db()
    assert other.decline_reason == "曾参与\n该项目"


# ---------------------------------------------------------------------------------------------------------------
# Decisions


def test_decision_needs_a_message_to_revise_or_reject(people, hanzhong):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    for outcome in ("revise", "reject"):
        with pytest.raises(services.ReviewError):
            services.decide(practice=practice, outcome=outcome, by=people["coordinator"])
    assert Practice.objects.get(pk=practice.pk).status == Status.IN_REVIEW


def test_decision_is_recorded_and_the_city_told(people, xian, criteria, django_capture_on_commit_callbacks):
    practice = reviewed(in_review(xian, people["reviewer"], people["coordinator"]), criteria)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(practice=practice, outcome="reject", by=people["coordinator"], message="与已发布做法重复。")
    event = practice.events.latest("pk")
    assert (event.to_status, event.actor, event.note) == (Status.REJECTED, people["coordinator"], "与已发布做法重复。")
    note = Notification.objects.get(recipient=people["xian"])
    assert "未通过" in note.subject and note.link == f"/city/practices/{practice.pk}/"
    assert [m.to for m in mail.outbox] == [["x@example.gov.cn"]]


@pytest.mark.django_db(transaction=True)
def test_racing_decisions_have_one_winner(people, xian, criteria):
    practice = reviewed(in_review(xian, people["reviewer"], people["coordinator"]), criteria)
    barrier = threading.Barrier(2)
    outcomes = []

    def decide(outcome):
        seen = Practice.objects.get(pk=practice.pk)
        barrier.wait()
        try:
            services.decide(practice=seen, outcome=outcome, by=people["coordinator"], message="意见")
            outcomes.append(("won", outcome))
        except StaleState as exc:
            outcomes.append(("lost", str(exc)))
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(o,)) for o in ("approve", "reject")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(kind for kind, _ in outcomes) == ["lost", "won"]
    assert "刷新" in next(message for kind, message in outcomes if kind == "lost")
    decisions = PracticeEvent.objects.filter(practice=practice, from_status=Status.IN_REVIEW)
    assert decisions.count() == 1


# ---------------------------------------------------------------------------------------------------------------
# Notifications and the queue


def test_submission_and_assignment_notify(client, people, hanzhong):
    practice = PracticeFactory(
        city=hanzhong, status=Status.DRAFT, summary="摘要", contact_name="李", contact_phone="0916-1234567"
    )
    mail.outbox.clear()
    from practices.services import practice_submit

    practice_submit(practice=practice, by=people["hanzhong"])
    assert Notification.objects.filter(recipient=people["coordinator"], link=f"/review/practices/{practice.pk}/")
    services.assign(practice=practice, reviewer=people["reviewer"], by=people["coordinator"])
    assert Notification.objects.filter(recipient=people["reviewer"], subject__startswith="新的评审任务")
    html = login(client, people["reviewer"]).get("/inbox/").content.decode()
    assert "新的评审任务" in html
    assert Notification.objects.filter(recipient=people["reviewer"], read_at__isnull=True).count() == 0


@pytest.mark.parametrize("rows", [1, 3, 30])
def test_queue_query_count_does_not_grow(client, people, hanzhong, django_assert_num_queries, rows):
    for _ in range(rows):
        in_review(hanzhong, people["reviewer"], people["coordinator"])
    client = login(client, people["coordinator"])
    # session, user, groups, membership, unread notifications, status counts, reviewers for the filter,
    # indicators, cities, the number of rows, the page of practices (the header's links ask the rules alone)
    with django_assert_num_queries(11):
        client.get("/review/")


def test_queue_filters(client, people, xian, hanzhong):
    mine = in_review(hanzhong, people["reviewer"], people["coordinator"])
    PracticeFactory(city=xian, status=Status.SUBMITTED, title="未分配的做法")
    client = login(client, people["reviewer"])
    html = client.get("/review/", {"mine": "on"}).content.decode()
    assert mine.title in html and "未分配的做法" not in html
    html = login(client, people["coordinator"]).get("/review/", {"status": "submitted"}).content.decode()
    assert "未分配的做法" in html and mine.title not in html


def test_decided_practices_leave_the_queue_and_approved_ones_wait_in_the_pool(client, people, hanzhong, criteria):
    from batches.selectors import approved_pool
    from tests.factories import BatchEntryFactory

    decided = reviewed(in_review(hanzhong, people["reviewer"], people["coordinator"]), criteria)
    services.decide(practice=decided, outcome="approve", by=people["coordinator"])
    waiting = in_review(hanzhong, people["reviewer"], people["coordinator"])
    client = login(client, people["coordinator"])
    html = client.get("/review/").content.decode()
    assert waiting.title in html and decided.title not in html
    assert decided.title in client.get("/review/", {"status": "approved"}).content.decode()
    published_earlier = PracticeFactory(city=hanzhong, status=Status.APPROVED)
    BatchEntryFactory(practice=published_earlier)
    assert list(approved_pool()) == [decided]


def test_no_decision_without_a_submitted_review(people, hanzhong):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    with pytest.raises(services.ReviewError, match="还没有提交的评审"):
        services.decide(practice=practice, outcome="approve", by=people["coordinator"])
    assert Practice.objects.get(pk=practice.pk).status == Status.IN_REVIEW


def test_a_decision_closes_unfinished_assignments(people, hanzhong, criteria):
    practice = reviewed(in_review(hanzhong, people["reviewer"], people["coordinator"]), criteria)
    assert services.open_assignments([people["reviewer"]]) == {people["reviewer"].pk: 1}
    services.decide(practice=practice, outcome="approve", by=people["coordinator"])
    assert services.open_assignments([people["reviewer"]]) == {people["reviewer"].pk: 0}


def test_most_constrained_practices_are_assigned_first(people, xian, hanzhong):
    practices = [
        PracticeFactory(city=hanzhong, status=Status.SUBMITTED),
        PracticeFactory(city=xian, status=Status.SUBMITTED),
    ]
    pool = [people["reviewer"], people["reviewer_xian"]]
    services.auto_assign(practices=practices, by=people["coordinator"])
    assert services.open_assignments(pool) == {people["reviewer"].pk: 1, people["reviewer_xian"].pk: 1}


def test_after_a_decline_auto_assignment_fills_the_place(client, people, hanzhong):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    services.decline(review=Review.objects.get(), by=people["reviewer"], reason="利益冲突")
    login(client, people["coordinator"]).post("/review/assign/auto/", {"practice": practice.pk})
    active = Review.objects.filter(practice=practice, declined_at__isnull=True).values_list("reviewer", flat=True)
    assert list(active) == [people["reviewer_xian"].pk]


def test_only_the_coordinator_filters_by_reviewer(client, people, hanzhong):
    in_review(hanzhong, people["reviewer"], people["coordinator"])
    assert 'name="reviewer"' not in login(client, people["reviewer"]).get("/review/").content.decode()
    html = login(client, people["coordinator"]).get("/review/", {"reviewer": people["reviewer"].pk}).content.decode()
    assert 'name="reviewer"' in html and "0/1" in html


def test_a_criterion_deactivated_during_a_draft_no_longer_counts(people, hanzhong, criteria):
    in_review(hanzhong, people["reviewer"], people["coordinator"])
    review = Review.objects.get()
    services.save_review(
        review=review,
        by=people["reviewer"],
        values={criteria[0].pk: Decimal(2)},
        recommendation="",
        comment_to_city="",
        internal_note="",
        submit=False,
    )
    Criterion.objects.filter(pk=criteria[0].pk).update(active=False)
    score_all(review, criteria[1:], [10, 10, 10])
    assert weighted_total(Review.objects.get().scores.all()) == Decimal("100.0")


def test_the_province_downloads_attachments_but_recusal_holds(client, people, hanzhong, media):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    attachment = Attachment(practice=practice, original_name="说明.pdf", content_type="application/pdf", size=9)
    attachment.file.save("说明.pdf", ContentFile(b"%PDF-1.4\n"))
    reviewer = login(client, people["reviewer"])
    page = reviewer.get(f"/review/practices/{practice.pk}/").content.decode()
    assert f'href="/review/attachments/{attachment.pk}/"' in page
    response = reviewer.get(f"/review/attachments/{attachment.pk}/")
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4\n"
    assert response["Content-Type"] == "application/pdf" and "attachment;" in response["Content-Disposition"]
    assert reviewer.get(f"/city/attachments/{attachment.pk}/").status_code == 404  # the city's portal is the city's
    reviewer_hz = UserFactory(username="reviewer_hz", role=Role.REVIEWER, city=hanzhong)
    assert login(client, reviewer_hz).get(f"/review/attachments/{attachment.pk}/").status_code == 404


# ---------------------------------------------------------------------------------------------------------------
# The score form says everything at once; an unfinished review has no total; a submitted one is not offered again


def score_page(client, practice):
    return client.get(f"/review/practices/{practice.pk}/score/").content.decode()


def test_submitting_an_incomplete_review_lists_every_missing_score_and_saves_nothing(
    client, people, hanzhong, criteria
):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    client = login(client, people["reviewer"])
    data = {f"score_{criteria[0].pk}": "8", f"score_{criteria[1].pk}": "abc", "submit": "1"}
    response = client.post(f"/review/practices/{practice.pk}/score/", data)
    html = response.content.decode()
    assert response.status_code == 200
    assert "还有 4 处需要修改" in html
    for message in (
        "“实效性”的得分请填数字",
        "提交前请为“可复制性”打分（0 到 10）",
        "提交前请为“示范性”打分（0 到 10）",
        "提交前请选择评审建议",
    ):
        assert message in html
    assert f'href="#id_score_{criteria[2].pk}"' in html  # each error leads to its field
    review = Review.objects.get()
    assert review.submitted_at is None and not review.scores.exists()


def test_a_score_out_of_range_names_its_criterion_even_when_saving_for_later(client, people, hanzhong, criteria):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    client = login(client, people["reviewer"])
    data = {f"score_{criteria[0].pk}": "11", f"score_{criteria[3].pk}": "7.25", "save": "1"}
    html = client.post(f"/review/practices/{practice.pk}/score/", data).content.decode()
    assert "“创新性”的得分应在 0 到 10 之间。" in html and "“示范性”的得分最多保留一位小数" in html
    assert "提交前请" not in html  # saving for later needs no complete form
    assert not Review.objects.get().scores.exists()


def test_the_service_reports_every_problem_at_once(people, hanzhong, criteria):
    in_review(hanzhong, people["reviewer"], people["coordinator"])
    with pytest.raises(services.ReviewError) as refused:
        services.save_review(
            review=Review.objects.get(),
            by=people["reviewer"],
            values={criteria[0].pk: Decimal(12)},
            recommendation="",
            comment_to_city="",
            internal_note="",
            submit=True,
        )
    message = str(refused.value)
    assert "“创新性”的得分应在 0 到 10 之间" in message
    assert "实效性、可复制性、示范性" in message and "请选择评审建议" in message


def test_a_review_saved_with_some_scores_shows_how_far_it_is_not_a_total(client, people, hanzhong, criteria):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    client = login(client, people["reviewer"])
    data = {f"score_{criteria[0].pk}": "9", f"score_{criteria[1].pk}": "8", "save": "1"}
    assert client.post(f"/review/practices/{practice.pk}/score/", data).status_code == 302
    for html in (score_page(client, practice), client.get(f"/review/practices/{practice.pk}/").content.decode()):
        assert "已评 2/4 项" in html and "加权总分（满分100）" not in html
    html = client.get(f"/review/practices/{practice.pk}/").content.decode()
    assert "继续评审" in html
    data |= {f"score_{criteria[2].pk}": "10", f"score_{criteria[3].pk}": "6"}
    client.post(f"/review/practices/{practice.pk}/score/", data)
    # 9/10·30 + 8/10·30 + 10/10·25 + 6/10·15 = 27 + 24 + 25 + 9 = 85
    assert "已暂存评分的加权总分（满分100）：<strong>85.0</strong>" in score_page(client, practice)


def test_a_submitted_review_shows_as_submitted_and_is_not_offered_again(client, people, hanzhong, criteria):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    score_all(Review.objects.get(), criteria, [8, 8, 8, 8])
    client = login(client, people["reviewer"])
    html = client.get(f"/review/practices/{practice.pk}/").content.decode()
    assert f"/review/practices/{practice.pk}/score/" not in html
    assert "继续评审" not in html and "开始评审" not in html
    assert "不能再修改" in html and "<strong>80.0</strong>" in html
    queue = client.get("/review/").content.decode()
    assert "我已提交评审" in queue and "待我评审" not in queue


# ---------------------------------------------------------------------------------------------------------------
# Who sees which sentence about others' reviews


def test_only_a_reviewer_is_told_that_submitting_shows_others_reviews(client, people, hanzhong):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    sentence = "提交自己的评审后可看到他人的评审"
    assert sentence in login(client, people["reviewer"]).get(f"/review/practices/{practice.pk}/").content.decode()
    html = login(client, people["coordinator"]).get(f"/review/practices/{practice.pk}/").content.decode()
    assert sentence not in html and "评审中" in html  # the coordinator sees the unfinished review itself
    unreviewed = PracticeFactory(city=hanzhong, status=Status.SUBMITTED)
    html = client.get(f"/review/practices/{unreviewed.pk}/").content.decode()
    assert sentence not in html and "本轮尚未分配评审员" in html


# ---------------------------------------------------------------------------------------------------------------
# Decisions ask first, naming the practice and what follows; never when they would be refused


def test_each_decision_asks_naming_the_practice_and_its_consequence(client, people, hanzhong, criteria):
    practice = reviewed(in_review(hanzhong, people["reviewer"], people["coordinator"]), criteria)
    html = login(client, people["coordinator"]).get(f"/review/practices/{practice.pk}/").content.decode()
    buttons = dict(re.findall(r'<button type="submit" name="outcome" value="(\w+)"([^>]*)>', html))
    assert set(buttons) == {"approve", "revise", "reject"}
    for outcome, consequence in [("approve", "待发布库"), ("revise", "第 2 轮评审"), ("reject", "不能撤销")]:
        assert 'data-confirm="确定' in buttons[outcome] and f"《{practice.title}》" in buttons[outcome]
        assert consequence in buttons[outcome] and "disabled" not in buttons[outcome]
    # Sending back or rejecting without words is refused: no question until the message is written.
    assert 'data-confirm-requires="#id_message"' in buttons["revise"] and "data-confirm-requires" in buttons["reject"]
    assert "data-confirm-requires" not in buttons["approve"]


def test_no_decision_is_offered_before_a_review_is_submitted(client, people, hanzhong):
    practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
    html = login(client, people["coordinator"]).get(f"/review/practices/{practice.pk}/").content.decode()
    buttons = re.findall(r'<button type="submit" name="outcome" value="\w+"([^>]*)>', html)
    assert len(buttons) == 3 and all("disabled" in b and "data-confirm" not in b for b in buttons)
    assert "本轮还没有提交的评审" in html


def test_a_decision_is_the_button_pressed(client, people, hanzhong, criteria):
    practice = reviewed(in_review(hanzhong, people["reviewer"], people["coordinator"]), criteria)
    client = login(client, people["coordinator"])
    response = client.post(f"/review/practices/{practice.pk}/decide/", {"outcome": "revise"}, follow=True)
    assert "退回修改须写明修改意见" in response.content.decode()
    client.post(f"/review/practices/{practice.pk}/decide/", {"outcome": "revise", "message": "请补充数据。"})
    assert Practice.objects.get(pk=practice.pk).status == Status.REVISION_REQUESTED


# ---------------------------------------------------------------------------------------------------------------
# The queue: reviewers by name and city, Chinese sorts, how long each has waited


def submitted_days_ago(city, days, **fields):
    """A practice the city submitted `days` days ago, through the workflow."""
    from practices.services import practice_submit

    official = UserFactory(role=Role.CITY_OFFICIAL, city=city)
    practice = PracticeFactory(city=city, contact_name="李", contact_phone="0916-1234567", **fields)
    practice_submit(practice=practice, by=official)
    when = timezone.now() - datetime.timedelta(days=days)
    PracticeEvent.objects.filter(practice=practice, to_status=Status.SUBMITTED).update(created_at=when)
    return practice


def test_the_reviewer_filter_names_people_and_their_cities(client, people, xian):
    UserFactory(username="wang", first_name="王审核", role=Role.REVIEWER, city=xian)
    html = login(client, people["coordinator"]).get("/review/").content.decode()
    options = re.findall(r"<option value=\"\d+\"[^>]*>([^<]*)</option>", html.split('name="reviewer"')[1])
    assert "王审核（西安市）" in options and "reviewer" in options  # no name: the username; no city: none shown
    assert "reviewer_xian（西安市）" in options and "wang" not in options


def test_every_sort_is_labelled_in_chinese(client, people):
    html = login(client, people["coordinator"]).get("/review/").content.decode()
    sorts = html.split('name="sort"')[1].split("</select>")[0]
    assert "descending" not in sorts and "(" not in sorts
    for label in ("变动时间（最新在前）", "等待时间（最长在前）", "等待时间（最短在前）", "城市（倒序）"):
        assert label in sorts


def test_the_queue_shows_and_sorts_by_waiting_time(client, people, hanzhong):
    five = submitted_days_ago(hanzhong, 5, title="等了五天的做法")
    twelve = submitted_days_ago(hanzhong, 12, title="等了十二天的做法")
    today = submitted_days_ago(hanzhong, 0, title="今天提交的做法")
    client = login(client, people["coordinator"])
    html = client.get("/review/").content.decode()
    assert "等待 5 天" in html and "等待 12 天" in html and "等待 0 天" in html
    longest = client.get("/review/", {"sort": "waiting"}).content.decode()
    assert longest.index(twelve.title) < longest.index(five.title) < longest.index(today.title)
    shortest = client.get("/review/", {"sort": "-waiting"}).content.decode()
    assert shortest.index(today.title) < shortest.index(five.title) < shortest.index(twelve.title)


def test_a_decided_practice_waits_for_no_one(client, people, hanzhong, criteria):
    practice = reviewed(in_review(hanzhong, people["reviewer"], people["coordinator"]), criteria)
    services.decide(practice=practice, outcome="approve", by=people["coordinator"])
    html = login(client, people["coordinator"]).get("/review/", {"status": "approved"}).content.decode()
    row = html.split(practice.title)[1].split("</tr>")[0]
    waiting = re.search(r'data-label="等待时间">(.*?)</td>', row).group(1)
    assert waiting == "—"


# ---------------------------------------------------------------------------------------------------------------
# The queue in Excel


def export(client, **params):
    response = client.get("/review/export.xlsx", params)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    header = [cell.value for cell in sheet[2]]  # under the title row
    return [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=3)]


def test_the_coordinator_exports_the_queue_as_filtered_with_reviewers_and_scores(
    client, people, xian, hanzhong, criteria
):
    second = UserFactory(username="second", first_name="李评审", role=Role.REVIEWER)
    third = UserFactory(username="third", first_name="赵评审", role=Role.REVIEWER)
    practice = submitted_days_ago(hanzhong, 7, title='=HYPERLINK("http://x.example","点我")')
    for reviewer in (people["reviewer"], second, third):
        services.assign(practice=practice, reviewer=reviewer, by=people["coordinator"])
    score_all(Review.objects.get(reviewer=second), criteria, [8, 8, 8, 8], "approve")  # 80.0
    score_all(Review.objects.get(reviewer=third), criteria, [6, 7, 8, 9], "revise")  # 18 + 21 + 20 + 13.5 = 72.5
    submitted_days_ago(xian, 2, title="西安的做法")
    rows = export(login(client, people["coordinator"]), city=hanzhong.pk)
    assert len(rows) == 1
    row = rows[0]
    assert row["标题"] == practice.title  # as typed, a string: never a formula
    assert (row["城市"], row["指标"], row["状态"], row["轮次"]) == ("汉中市", practice.indicator.name, "评审中", 1)
    submitted = PracticeEvent.objects.get(practice=practice, to_status=Status.SUBMITTED).created_at
    assert abs(row["提交时间"] - timezone.localtime(submitted).replace(tzinfo=None)) < datetime.timedelta(seconds=1)
    assert row["等待天数"] == 7
    assert row["评审员及加权总分"] == "reviewer 评审中；李评审 80.0；赵评审 72.5"
    assert row["加权总分均值"] == 76.3  # (80 + 72.5) / 2 = 76.25, rounded half up
    assert (row["建议通过"], row["建议修改"], row["建议不通过"]) == (1, 1, 0)


def test_a_reviewer_exports_only_their_assignments_and_what_they_may_see(client, people, xian, hanzhong, criteria):
    second = UserFactory(username="second", first_name="李评审", role=Role.REVIEWER)
    mine = in_review(hanzhong, people["reviewer_xian"], people["coordinator"])
    services.assign(practice=mine, reviewer=second, by=people["coordinator"])
    score_all(Review.objects.get(practice=mine, reviewer=second), criteria, [8, 8, 8, 8], note="李的内部意见")
    not_mine = in_review(hanzhong, second, people["coordinator"])
    own_city = in_review(xian, people["reviewer"], people["coordinator"])
    client = login(client, people["reviewer_xian"])
    assert not_mine.title in client.get("/review/").content.decode()  # in the queue, but not assigned to her
    rows = export(client)
    assert [row["标题"] for row in rows] == [mine.title]
    assert own_city.title not in str(rows)
    assert rows[0]["评审员及加权总分"] == "reviewer_xian 评审中" and rows[0]["加权总分均值"] is None
    score_all(Review.objects.get(practice=mine, reviewer=people["reviewer_xian"]), criteria, [6, 6, 6, 6])
    assert export(client)[0]["评审员及加权总分"] == "reviewer_xian 60.0；李评审 80.0"


def test_the_export_follows_the_queues_filters_and_search(client, people, hanzhong):
    submitted_days_ago(hanzhong, 1, title="企业开办一窗通办")
    submitted_days_ago(hanzhong, 3, title="不动产登记一小时办结")
    client = login(client, people["coordinator"])
    assert [row["标题"] for row in export(client, q="不动产")] == ["不动产登记一小时办结"]
    assert [row["标题"] for row in export(client, sort="waiting")] == ["不动产登记一小时办结", "企业开办一窗通办"]
    assert export(client, status="approved") == []
    assert export(client, sort="no-such-sort") == []  # a wrong filter narrows to nothing, as on the page


@pytest.mark.parametrize("rows", [1, 3, 30])
@pytest.mark.parametrize("who", ["coordinator", "reviewer"])
def test_the_export_costs_the_same_queries_whatever_its_rows(
    client, people, hanzhong, criteria, django_assert_num_queries, rows, who
):
    for _ in range(rows):
        practice = in_review(hanzhong, people["reviewer"], people["coordinator"])
        score_all(Review.objects.get(practice=practice), criteria, [8, 8, 8, 8])
    client = login(client, people[who])
    # session, user, groups, membership, the practices, their reviews, the reviews' scores
    with django_assert_num_queries(7):
        response = client.get("/review/export.xlsx")
    assert len(list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(min_row=3))) == rows


def test_a_decided_practice_waits_for_no_ones_review_and_a_submitted_one_says_so(client, people, hanzhong, criteria):
    """Assigned but never scored, a decided practice is not 待我评审 (nor 我已提交评审); scored, it is the latter."""
    decided = reviewed(in_review(hanzhong, people["reviewer"], people["coordinator"]), criteria)
    services.decide(practice=decided, outcome="approve", by=people["coordinator"])
    scored = in_review(hanzhong, people["reviewer"], people["coordinator"])
    score_all(Review.objects.get(practice=scored, reviewer=people["reviewer"]), criteria, [8, 8, 8, 8])
    login(client, people["reviewer"])
    rows = {
        p.pk: client.get("/review/", {"status": p.status})
        .content.decode()
        .split(f'href="/review/practices/{p.pk}/"')[1]
        .split("</tr>")[0]
        for p in (decided, Practice.objects.get(pk=scored.pk))
    }
    assert "待我评审" not in rows[decided.pk] and "我已提交评审" not in rows[decided.pk]
    assert "待我评审" not in rows[scored.pk] and "我已提交评审" in rows[scored.pk]
