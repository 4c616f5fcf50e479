"""The review queue in Excel: one line per practice as the queue's filters narrow it, with how long it has waited
and its current round's reviewers, their weighted totals and recommendations. Written by bizenv.web.sheets: no
cell is a formula, whatever a title says."""

import datetime
from collections.abc import Iterable

from django.utils import timezone
from django.utils.translation import gettext as _

from bizenv.web.sheets import Column, workbook
from practices.models import Practice

from .models import Recommendation, Review
from .selectors import Summary, waiting_days


def reviewer_name(review: Review) -> str:
    return review.reviewer.get_full_name() or review.reviewer.username


def reviewers_text(summary: Summary) -> str:
    """Each reviewer with their weighted total, or 评审中 until they submit: "省级评审专家 82.5；李明 评审中"."""
    return "；".join(
        f"{reviewer_name(review)} {total}" if review.submitted_at else f"{reviewer_name(review)} {_('评审中')}"
        for review, total in summary.rows
    )


def local(moment: datetime.datetime | None) -> datetime.datetime | None:
    """A stored time as the site's clock shows it, without its zone (Excel has none)."""
    return timezone.localtime(moment).replace(tzinfo=None) if moment else None


def queue_columns() -> list[Column]:
    return [
        Column(_("标题"), 40),
        Column(_("城市"), 10),
        Column(_("指标"), 16),
        Column(_("状态"), 10),
        Column(_("轮次"), 6),
        Column(_("提交时间"), 16),
        Column(_("等待天数"), 9),
        Column(_("评审员及加权总分"), 40),
        Column(_("加权总分均值"), 12),
        *(Column(str(label), 10) for label in Recommendation.labels),
    ]


def queue_xlsx(title: str, lines: Iterable[tuple[Practice, list[Review]]], *, today: datetime.date) -> bytes:
    """The queue's practices, each with the reviews given (as the reader may see them); waiting days count to
    `today`, and only for practices still waiting for the province."""

    def line(practice, reviews):
        summary = Summary.of(reviews)
        recommended = summary.recommendations
        return [
            practice.title,
            practice.city.name,
            practice.indicator.name if practice.indicator else "",
            practice.get_status_display(),
            practice.round,
            local(practice.waiting_since),
            waiting_days(practice, today),
            reviewers_text(summary),
            float(summary.mean) if summary.mean is not None else None,
            *(recommended[value] for value in Recommendation.values),
        ]

    return workbook(_("评审工作台"), queue_columns(), (line(*pair) for pair in lines), title=title)
