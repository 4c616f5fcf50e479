"""Remind reviewers of their overdue reviews, and the coordinators of all of them: daily, by bizenv-remind.timer."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from reviews import services


class Command(BaseCommand):
    help = _(
        "提醒评审员提交已过评审期限的评审，并向省级统筹汇总。每项逾期评审提醒一次，仍未提交的每 %(days)d 天再提醒一次；"
        "重复运行不会重复提醒。"
    ) % {"days": services.REMIND_EVERY.days}

    def handle(self, *args, **options):
        reviews = services.remind_overdue()
        if not reviews:
            self.stdout.write(_("没有需要提醒的逾期评审。"))
            return
        reviewers = len({review.reviewer_id for review in reviews})
        self.stdout.write(
            _("已提醒 %(reviewers)d 位评审员的 %(n)d 项逾期评审，并告知省级统筹。")
            % {"reviewers": reviewers, "n": len(reviews)}
        )
