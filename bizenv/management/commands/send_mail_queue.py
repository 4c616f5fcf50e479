"""Send the outbox's due emails: once (cron, tests), or `--loop` as a service (systemd, `make run`); and after each
pass, the other background work (bizenv/worker.py)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils.translation import gettext as _

from bizenv import mail, worker


class Command(BaseCommand):
    help = _("发送邮件队列中到期的邮件；--loop 持续运行。")

    def add_arguments(self, parser):
        parser.add_argument("--loop", action="store_true", help=_("持续运行，每隔 --interval 秒查看一次队列"))
        parser.add_argument("--interval", type=float, default=2.0, help=_("--loop 时两次查看之间的秒数"))
        parser.add_argument("--limit", type=int, default=100, help=_("每次最多发送的邮件数"))

    def handle(self, *args, loop, interval, limit, **options):
        if not loop:
            sent, failed = mail.send_due(limit)
            worker.run_background()
            self.stdout.write(_("已发送 %(sent)d 封，失败 %(failed)d 封。") % {"sent": sent, "failed": failed})
            return
        while True:
            close_old_connections()  # a database that went away is reconnected on the next pass
            try:
                sent, failed = mail.send_due(limit)
            except Exception:  # the database is down, say: wait and try again, as a service should
                mail.logger.exception("mail queue pass failed")
                sent = 0
            worker.run_background()
            if sent < limit:
                time.sleep(interval)
