"""Notifications: an inbox row for every active recipient, an email to those who want one (the user's choice at
/inbox/settings/), every message of a change in one write."""

import pytest

from bizenv.models import OutboxMail
from practices import services
from practices.enums import Role, Status
from practices.models import Notification, NotificationPreference
from practices.notifications import Notice, notify, notify_all, without_email
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def inbox_only(user):
    return NotificationPreference.objects.create(user=user, email=False)


def addressed(user) -> list[OutboxMail]:
    return [row for row in OutboxMail.objects.all() if user.email in row.to]


def test_everyone_active_gets_the_inbox_row_and_only_those_who_want_it_the_email(outbox):
    wants = UserFactory(email="wants@example.gov.cn")
    declined = UserFactory(email="inbox@example.gov.cn")
    inbox_only(declined)
    asked_again = UserFactory(email="again@example.gov.cn")
    NotificationPreference.objects.create(user=asked_again, email=True)
    no_address = UserFactory(email="")
    gone = UserFactory(email="gone@example.gov.cn", is_active=False)

    notify([wants, declined, asked_again, no_address, gone, None], subject="主题", message="内容", link="/inbox/")

    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {
        wants.username,
        declined.username,
        asked_again.username,
        no_address.username,
    }
    (row,) = OutboxMail.objects.all()
    assert sorted(row.to) == sorted([wants.email, asked_again.email])
    assert row.subject == "主题" and row.body.startswith("内容") and row.body.endswith("/inbox/")


def test_a_user_who_wants_only_the_inbox_gets_no_email_at_all(outbox):
    user = UserFactory(email="inbox@example.gov.cn")
    inbox_only(user)
    notify([user], subject="主题")
    assert Notification.objects.filter(recipient=user).count() == 1
    assert not OutboxMail.objects.exists()


def test_several_messages_are_one_write_of_rows_one_of_preferences_one_of_emails(outbox, django_assert_num_queries):
    people = [UserFactory(email=f"u{n}@example.gov.cn") for n in range(6)]
    inbox_only(people[0])
    notices = [Notice(people[n : n + 2], subject=f"第{n}条") for n in range(0, 6, 2)]
    with django_assert_num_queries(3):
        notify_all(notices)
    assert Notification.objects.count() == 6
    assert sorted(tuple(row.to) for row in OutboxMail.objects.all()) == sorted(
        [(people[1].email,), (people[2].email, people[3].email), (people[4].email, people[5].email)]
    )


def test_a_subject_too_long_for_the_inbox_is_cut_short(outbox):
    user = UserFactory(email="a@example.gov.cn")
    notify([user], subject="很" * 300)
    subject = Notification.objects.get(recipient=user).subject
    assert len(subject) == Notification._meta.get_field("subject").max_length and subject.endswith("…")


def test_without_email_writes_the_inbox_only(outbox):
    user = UserFactory(email="a@example.gov.cn")
    with without_email():
        notify([user], subject="演示")
    assert Notification.objects.filter(recipient=user).exists() and not OutboxMail.objects.exists()


# ---------------------------------------------------------------------------------------------------------------
# /inbox/settings/


def test_the_inbox_links_to_the_settings_which_offer_email_by_default(client):
    user = UserFactory(role=Role.CITY_OFFICIAL, email="a@example.gov.cn")
    client.force_login(user)
    assert 'href="/inbox/settings/"' in client.get("/inbox/").content.decode()
    response = client.get("/inbox/settings/")
    assert response.status_code == 200 and response.context["form"]["email"].value() is True
    assert "a@example.gov.cn" in response.content.decode()


def test_turning_email_off_and_on_again_is_kept_with_its_history(client, outbox):
    user = UserFactory(email="a@example.gov.cn")
    client.force_login(user)
    response = client.post("/inbox/settings/", {})  # the box unticked
    assert response.status_code == 302 and response["Location"] == "/inbox/settings/"
    preference = NotificationPreference.objects.get(user=user)
    assert preference.email is False
    assert preference.history.latest("history_id").history_user == user
    assert client.get("/inbox/settings/").context["form"]["email"].value() is False

    notify([user], subject="只在站内")
    assert not OutboxMail.objects.exists()

    client.post("/inbox/settings/", {"email": "on"})
    assert NotificationPreference.objects.get(user=user).email is True
    assert [h.email for h in preference.history.order_by("history_id")] == [False, True]
    notify([user], subject="也发邮件")
    assert [row.to for row in OutboxMail.objects.all()] == [[user.email]]


def test_asking_for_email_without_an_address_is_told_there_is_none(client):
    user = UserFactory(email="")
    client.force_login(user)
    html = client.get("/inbox/settings/").content.decode()
    assert "尚未登记电子邮箱" in html
    response = client.post("/inbox/settings/", {"email": "on"}, follow=True)
    assert "尚未登记电子邮箱，暂时只能在站内查看通知" in response.content.decode()


def test_saving_the_same_choice_again_writes_no_history(db):
    user = UserFactory()
    services.set_notification_preference(user=user, email=False)
    services.set_notification_preference(user=user, email=False)
    assert NotificationPreference.history.filter(user_id=user.pk).count() == 1


def test_a_user_changes_only_their_own_setting(client):
    user, other = UserFactory(), UserFactory()
    client.force_login(user)
    client.post("/inbox/settings/", {"user": other.pk})
    assert not NotificationPreference.objects.filter(user=other).exists()
    assert NotificationPreference.objects.get(user=user).email is False


def test_a_message_is_emailed_in_the_sites_language_and_read_in_the_readers(client, outbox, xian):
    """A coordinator reading in English assigns a review: the reviewer's email is in Chinese, the site's language,
    and the inbox shows the message in whichever language its reader reads."""
    from django.utils import translation
    from django.utils.translation import gettext

    from reviews import services as reviews
    from tests.factories import PracticeFactory

    reviewer = UserFactory(role=Role.REVIEWER, email="r@example.gov.cn")
    practice = PracticeFactory(city=xian, status=Status.SUBMITTED, title="一网通办")
    with translation.override("en"):
        reviews.assign(practice=practice, reviewer=reviewer, by=UserFactory(role=Role.COORDINATOR))
    subjects = {}
    for language in ("zh-hans", "en"):
        with translation.override(language):
            subjects[language] = gettext("新的评审任务：%(title)s") % {"title": "一网通办"}
    assert subjects["en"] != subjects["zh-hans"]  # the English catalogue has it

    (email,) = OutboxMail.objects.all()
    assert email.subject == subjects["zh-hans"] and "评审" in email.body
    client.force_login(reviewer)
    chinese = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    english = client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert subjects["zh-hans"] in chinese and subjects["en"] not in chinese
    assert subjects["en"] in english and subjects["zh-hans"] not in english


def test_text_given_as_it_is_is_kept_as_it_is_in_every_language(client, outbox):
    user = UserFactory()
    notify([user], subject="只有中文", message="原文")
    client.force_login(user)
    assert "只有中文" in client.get("/inbox/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert Notification.objects.get().translations == {}
