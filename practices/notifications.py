"""Telling people what happened: an inbox row each, and an email in the outbox (bizenv/mail.py), both written in
the transaction of the change: committed with it, or rolled back with it. The inbox always has the message; the
email goes only to those with an address who have not asked for the inbox alone (NotificationPreference)."""

from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mass_mail
from django.db.models import F
from django.utils.text import Truncator
from django.utils.translation import override

from .enums import Role
from .models import Membership, Notification, NotificationPreference

T = TypeVar("T")
_email_enabled: ContextVar[bool] = ContextVar("bizenv_email_enabled", default=True)
SUBJECT_LENGTH = Notification._meta.get_field("subject").max_length


@contextmanager
def without_email():
    """Inbox rows only, no email: for loading demo data, whose accounts have no real addresses."""
    token = _email_enabled.set(False)
    try:
        yield
    finally:
        _email_enabled.reset(token)


@dataclass(frozen=True)
class Notice:
    """One message to some people: an inbox row each, and one email to those who want it."""

    recipients: Iterable
    subject: str
    message: str = ""
    link: str = ""


def in_each_language(build: Callable[[], T]) -> dict[str, T]:
    """What build() returns in each of the site's languages, its own (LANGUAGE_CODE) first."""
    languages = dict.fromkeys([settings.LANGUAGE_CODE, *(code for code, _name in settings.LANGUAGES)])
    written = {}
    for language in languages:
        with override(language):
            written[language] = build()
    return written


def notify(recipients, *, subject, message="", link: str = "") -> list[Notification]:
    """One inbox message per recipient, and one email to those with an address who want email. `subject` and
    `message` are text, or functions that write it (in each language: see notify_all())."""
    text = lambda part: part() if callable(part) else part  # noqa: E731
    return notify_all(lambda: [Notice(recipients, text(subject), text(message), link)])


def notify_all(notices: Iterable[Notice] | Callable[[], list[Notice]]) -> list[Notification]:
    """Several messages at once (a publication tells every city its own): the inbox rows in one write, the
    preferences in one read, the emails in one write, however many messages and people.

    Given as a function that writes the notices, it is called in each of the site's languages: the inbox shows a
    reader the message in theirs, and the email goes in the site's own, whoever's action sent it (a coordinator
    reading in English does not write to the cities in English). Given as notices, their text is kept as it is."""
    if callable(notices):
        written = in_each_language(notices)
        notices = written.pop(settings.LANGUAGE_CODE)
    else:
        notices, written = list(notices), {}
    prepared = []
    for n, notice in enumerate(notices):
        users = list({u.pk: u for u in notice.recipients if u is not None and u.is_active}.values())
        others = {
            language: [_subject(translated[n].subject), translated[n].message]
            for language, translated in written.items()
            if (translated[n].subject, translated[n].message) != (notice.subject, notice.message)
        }
        prepared.append((notice, _subject(notice.subject), others, users))
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, subject=subject, message=notice.message, link=notice.link, translations=others)
        for notice, subject, others, users in prepared
        for user in users
    )
    if not _email_enabled.get():
        return rows
    addressed = {user.pk for *_rest, users in prepared for user in users if user.email}
    inbox_only = inbox_only_among(addressed)
    emails = []
    for notice, subject, _others, users in prepared:
        addresses = [user.email for user in users if user.email and user.pk not in inbox_only]
        if addresses:
            body = f"{notice.message}\n\n{settings.SITE_URL}{notice.link}" if notice.link else notice.message
            emails.append((subject, body, None, addresses))
    if emails:
        send_mass_mail(emails)  # one connection: the outbox writes them all at once
    return rows


def _subject(text: str) -> str:
    return Truncator(text).chars(SUBJECT_LENGTH, truncate="…")


def inbox_only_among(user_ids) -> set[int]:
    """Which of these users want no email (the inbox alone)."""
    if not user_ids:
        return set()
    refused = NotificationPreference.objects.filter(user_id__in=user_ids, email=False)
    return set(refused.values_list("user_id", flat=True))


def wants_email(user) -> bool:
    """Whether this user's notifications also come by email (they do unless the user said otherwise)."""
    return not inbox_only_among([user.pk])


def coordinators():
    return get_user_model().objects.filter(groups__name=Role.COORDINATOR, is_active=True)


def city_officials(city):
    ids = Membership.objects.filter(city=city, user__groups__name=Role.CITY_OFFICIAL).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True)


def officials_by_city(cities) -> dict[int, list]:
    """The active city officials of each of these cities, in one query: {city id: [users]}."""
    users = (
        get_user_model()
        .objects.filter(membership__city__in=cities, groups__name=Role.CITY_OFFICIAL, is_active=True)
        .annotate(official_of=F("membership__city_id"))
        .order_by("pk")
    )
    found: dict[int, list] = {}
    for user in users:
        found.setdefault(user.official_of, []).append(user)
    return found
