"""Review criteria, and reviews with their scores."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from bizenv.web.history import HistoricalRecords
from practices.enums import Status
from practices.models import NaturalKeyManager, Practice, user_ref


class Criterion(models.Model):
    """A weighted review criterion (创新性, 实效性 …); deactivated, never deleted once used."""

    history = HistoricalRecords()

    name = models.CharField(_("名称"), max_length=50, unique=True)
    description = models.TextField(_("说明"), blank=True)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2, help_text=_("各项权重之和通常为100"))
    max_score = models.PositiveSmallIntegerField(_("满分"), default=10)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = NaturalKeyManager("name")

    class Meta:
        ordering = ["order", "pk"]
        verbose_name = _("评审标准")
        verbose_name_plural = _("评审标准")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="criterion_name_not_empty"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="criterion_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="criterion_max_score_positive"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.name,)


class Recommendation(models.TextChoices):
    APPROVE = "approve", _("建议通过")
    REVISE = "revise", _("建议修改")
    REJECT = "reject", _("建议不通过")


class Review(models.Model):
    """A reviewer's assignment to one round of a practice, due by a date; submitted once scored."""

    # When the reviewer was last reminded is the reminder's own bookkeeping, not a change anyone made.
    history = HistoricalRecords(excluded_fields=["reminded_at"])

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("经验做法"))
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("评审员")
    )
    assigned_by = user_ref(_("分配人"))
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
    due_on = models.DateField(_("评审期限"), null=True, blank=True, help_text=_("应在此日期（含）之前提交评审"))
    reminded_at = models.DateTimeField(_("上次逾期提醒"), null=True, blank=True)
    recommendation = models.CharField(_("评审建议"), max_length=10, choices=Recommendation.choices, blank=True)
    comment_to_city = models.TextField(_("给城市的意见"), blank=True)
    internal_note = models.TextField(_("内部备注"), blank=True, help_text=_("仅省级可见，城市永远看不到"))
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    # A reviewer who declares a conflict of interest is released; the row stays as the record of it.
    declined_at = models.DateTimeField(_("回避时间"), null=True, blank=True)
    decline_reason = models.TextField(_("回避原因"), blank=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["practice", "round", "assigned_at", "pk"]
        verbose_name = _("评审")
        verbose_name_plural = _("评审")
        constraints = [
            models.UniqueConstraint(fields=["practice", "round", "reviewer"], name="review_once_per_round"),
            models.CheckConstraint(condition=Q(round__gte=1), name="review_round_positive"),
            models.CheckConstraint(
                condition=Q(recommendation="") | Q(recommendation__in=Recommendation.values),
                name="review_recommendation_valid",
            ),
            # A submitted review always carries a recommendation.
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | ~Q(recommendation=""),
                name="review_submitted_has_recommendation",
            ),
            models.CheckConstraint(
                condition=Q(submitted_at__isnull=True) | Q(declined_at__isnull=True),
                name="review_submitted_or_declined",
            ),
        ]

    def __str__(self):
        return _("%(practice)s · %(reviewer)s · 第%(round)d轮") % {
            "practice": self.practice,
            "reviewer": self.reviewer,
            "round": self.round,
        }

    @property
    def is_open(self) -> bool:
        return self.submitted_at is None and self.declined_at is None

    @property
    def is_overdue(self) -> bool:
        """Still owed after its due date (an unfinished review of a round already decided is no longer owed)."""
        in_round = self.practice.status == Status.IN_REVIEW and self.round == self.practice.round
        return self.is_open and in_round and self.due_on is not None and self.due_on < timezone.localdate()


class Score(models.Model):
    """One criterion's score in a review, with the weight and maximum in force when it was given."""

    history = HistoricalRecords()

    review = models.ForeignKey(Review, on_delete=models.CASCADE, related_name="scores", verbose_name=_("评审"))
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+", verbose_name=_("评审标准"))
    value = models.DecimalField(_("得分"), max_digits=5, decimal_places=1)
    weight = models.DecimalField(_("权重"), max_digits=5, decimal_places=2)
    max_score = models.PositiveSmallIntegerField(_("满分"))

    class Meta:
        ordering = ["review", "criterion__order"]
        verbose_name = _("得分")
        verbose_name_plural = _("得分")
        constraints = [
            models.UniqueConstraint(fields=["review", "criterion"], name="score_once_per_criterion"),
            models.CheckConstraint(condition=Q(value__gte=0, value__lte=F("max_score")), name="score_within_bounds"),
            models.CheckConstraint(condition=Q(weight__gt=0), name="score_weight_positive"),
            models.CheckConstraint(condition=Q(max_score__gt=0), name="score_max_positive"),
        ]

    def __str__(self):
        return f"{self.criterion}: {self.value}/{self.max_score}"
