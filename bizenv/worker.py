"""The worker process beside the web servers (`manage.py send_mail_queue`: bizenv-mail.service, `make run`). Each of
its passes sends the mail that is due, then runs what the apps above connect to `background`, so that slow work
such as writing a newly published batch's exports is done there and not in a web worker (which would otherwise
do it on the first request)."""

import logging

from django.dispatch import Signal

logger = logging.getLogger(__name__)

# Sent once a pass (sender=None); a receiver does a bounded amount of work and returns.
background = Signal()


def run_background():
    """One pass of the background work; a receiver that fails is logged, and the others still run."""
    for receiver, result in background.send_robust(sender=None):
        if isinstance(result, Exception):
            logger.error("background work %s failed", receiver, exc_info=result)
