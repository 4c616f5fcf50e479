"""Telling people what happened: an inbox row each, and an email in the outbox (bizenv/mail.py), both written in
the transaction of the change: committed with it, or rolled back with it."""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail

from .enums import Role
from .models import Membership, Notification

_email_enabled: ContextVar[bool] = ContextVar("bizenv_email_enabled", default=True)


@contextmanager
def without_email():
    """Inbox rows only, no email: for loading demo data, whose accounts have no real addresses."""
    token = _email_enabled.set(False)
    try:
        yield
    finally:
        _email_enabled.reset(token)


def notify(recipients, *, subject: str, message: str = "", link: str = "") -> list[Notification]:
    """One inbox message per recipient, and one email to those with an address (the outbox sends it)."""
    users = list({u.pk: u for u in recipients if u is not None and u.is_active}.values())
    rows = Notification.objects.bulk_create(
        Notification(recipient=user, subject=subject, message=message, link=link) for user in users
    )
    addresses = [user.email for user in users if user.email]
    if addresses and _email_enabled.get():
        body = f"{message}\n\n{settings.SITE_URL}{link}" if link else message
        send_mail(subject, body, None, addresses)
    return rows


def coordinators():
    return get_user_model().objects.filter(groups__name=Role.COORDINATOR, is_active=True)


def city_officials(city):
    ids = Membership.objects.filter(city=city, user__groups__name=Role.CITY_OFFICIAL).values("user_id")
    return get_user_model().objects.filter(pk__in=ids, is_active=True)
