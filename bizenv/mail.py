"""Mail out of the request: Django's EMAIL_BACKEND is OutboxBackend, which writes each message to the outbox
(OutboxMail) in the transaction of whatever sends it, so a decision and the email saying so are committed or
rolled back together, and a slow or failing mail server never touches the request. send_due(), run by
`manage.py send_mail_queue` (once, or `--loop` as a service; `make run` starts one), sends them through the
backend that really delivers (settings.BIZENV_EMAIL_BACKEND: SMTP in production, the console in development).

A worker claims a few due messages in a short transaction (skipping rows another worker holds) and leases them
for LEASE; it sends outside any transaction, so no database lock waits on the mail server. A message that fails
is tried again after 1, 2, 4 … minutes (at most an hour apart) and given up after MAX_ATTEMPTS; a worker that
dies mid-send leaves its lease to run out, and the message goes again (delivery is at least once).
"""

import datetime
import logging

from django.conf import settings
from django.core.mail import EmailMessage, EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from .models import OutboxMail

logger = logging.getLogger("bizenv.mail")

MAX_ATTEMPTS = 10
LEASE = datetime.timedelta(minutes=5)
FIRST_RETRY = datetime.timedelta(minutes=1)
LONGEST_WAIT = datetime.timedelta(hours=1)


class OutboxBackend(BaseEmailBackend):
    """Django's mail backend that only writes to the outbox (in the caller's transaction)."""

    def send_messages(self, email_messages):
        now = timezone.now()
        rows = [_row(message, now) for message in email_messages if message.recipients()]
        OutboxMail.objects.bulk_create(rows)
        return len(rows)


def _row(message: EmailMessage, now) -> OutboxMail:
    if message.attachments:
        raise ValueError("bizenv's outbox does not keep attachments; link to the file instead")
    return OutboxMail(
        subject=message.subject,
        body=message.body,
        from_email=message.from_email or settings.DEFAULT_FROM_EMAIL,
        to=list(message.to),
        cc=list(message.cc),
        bcc=list(message.bcc),
        reply_to=list(message.reply_to),
        headers=dict(message.extra_headers),
        alternatives=[list(pair) for pair in getattr(message, "alternatives", [])],
        next_attempt_at=now,
    )


def message(row: OutboxMail, connection=None) -> EmailMultiAlternatives:
    """The email a row holds, as Django sends it."""
    return EmailMultiAlternatives(
        subject=row.subject,
        body=row.body,
        from_email=row.from_email,
        to=row.to,
        cc=row.cc,
        bcc=row.bcc,
        reply_to=row.reply_to,
        headers=row.headers,
        alternatives=[tuple(pair) for pair in row.alternatives],
        connection=connection,
    )


def due():
    """The messages still to be sent, whether or not their time has come."""
    return OutboxMail.objects.filter(sent_at=None, failed_at=None)


def retry_wait(attempts: int) -> datetime.timedelta:
    """How long to wait after the attempts-th failure."""
    return min(FIRST_RETRY * 2 ** (attempts - 1), LONGEST_WAIT)


def claim(limit: int) -> list[OutboxMail]:
    """Take up to `limit` due messages for this worker, oldest first, counting the attempt and leasing them."""
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            due()
            .filter(next_attempt_at__lte=now)
            .order_by("next_attempt_at", "pk")
            .select_for_update(skip_locked=True)
            .values_list("pk", flat=True)[:limit]
        )
        OutboxMail.objects.filter(pk__in=ids).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE)
    return list(OutboxMail.objects.filter(pk__in=ids).order_by("pk"))


def send_due(limit: int = 100) -> tuple[int, int]:
    """Send what is due (up to `limit` messages); (sent, failed) counts. A failure is recorded on its row and
    logged, never raised: the next message still goes."""
    rows = claim(limit)
    if not rows:
        return 0, 0
    sent = failed = 0
    connection = get_connection(settings.BIZENV_EMAIL_BACKEND, fail_silently=False)
    try:
        for row in rows:
            try:
                connection.send_messages([message(row, connection)])
            except Exception as error:  # the mail server's problem, whatever it is, is this row's
                failed += 1
                _failed(row, error)
            else:
                sent += 1
                OutboxMail.objects.filter(pk=row.pk).update(sent_at=timezone.now(), last_error="")
                logger.info("mail sent", extra={"mail": row.pk, "attempt": row.attempts, "to": len(row.to)})
    finally:
        try:
            connection.close()
        except Exception:
            logger.exception("closing the mail connection failed")
    return sent, failed


def _failed(row: OutboxMail, error: Exception):
    now = timezone.now()
    text = f"{type(error).__name__}: {error}"[:2000]
    if row.attempts >= MAX_ATTEMPTS:
        OutboxMail.objects.filter(pk=row.pk).update(failed_at=now, last_error=text)
        logger.error("mail given up", extra={"mail": row.pk, "attempt": row.attempts, "error": text})
    else:
        wait = retry_wait(row.attempts)
        OutboxMail.objects.filter(pk=row.pk).update(next_attempt_at=now + wait, last_error=text)
        logger.warning(
            "mail failed, will retry",
            extra={"mail": row.pk, "attempt": row.attempts, "retry_in": int(wait.total_seconds()), "error": text},
        )


def retry_now(rows) -> int:
    """Put given-up or waiting messages back in line at once (the admin's action), with a fresh count."""
    return rows.filter(sent_at=None).update(failed_at=None, attempts=0, next_attempt_at=timezone.now())
