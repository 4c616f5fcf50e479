"""Review criteria, reviews with their scores, and the batches practices are published in."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from practices.models import NaturalKeyManager, Practice, user_ref


class Criterion(models.Model):
    """A weighted review criterion (创新性, 实效性 …); deactivated, never deleted once used."""

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
    """A reviewer's assignment to one round of a practice; submitted once scored."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("经验做法"))
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("评审员")
    )
    assigned_by = user_ref(_("分配人"))
    assigned_at = models.DateTimeField(_("分配时间"), auto_now_add=True)
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


class Score(models.Model):
    """One criterion's score in a review, with the weight and maximum in force when it was given."""

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


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("编排中")
    PUBLISHED = "published", _("已发布")


class Batch(models.Model):
    """A numbered batch of practices (2022年第二批), composed, then published and frozen."""

    year = models.PositiveSmallIntegerField(_("年份"))
    sequence = models.PositiveSmallIntegerField(_("批次"), help_text=_("第N批"))
    title = models.CharField(_("标题"), max_length=200)
    lead = models.TextField(_("导语"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.DRAFT)
    published_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    published_by = user_ref(_("发布人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # Batches imported from an announcement keep the document as it was, and what the importer noticed.
    source_name = models.CharField(_("来源文件"), max_length=200, blank=True)
    source_encoding = models.CharField(_("来源编码"), max_length=20, blank=True)
    source_text = models.TextField(_("来源原文"), blank=True)
    import_warnings = models.JSONField(_("导入提示"), default=list, blank=True)

    class Meta:
        ordering = ["-year", "-sequence"]
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        constraints = [
            models.UniqueConstraint(fields=["year", "sequence"], name="batch_unique_year_sequence"),
            models.CheckConstraint(condition=Q(year__gte=2000, year__lte=2100), name="batch_year_plausible"),
            models.CheckConstraint(condition=Q(sequence__gte=1), name="batch_sequence_positive"),
            models.CheckConstraint(condition=~Q(title=""), name="batch_title_not_empty"),
            models.CheckConstraint(condition=Q(status__in=BatchStatus.values), name="batch_status_valid"),
            # Published exactly when it has a publication time.
            models.CheckConstraint(
                condition=Q(status=BatchStatus.PUBLISHED, published_at__isnull=False)
                | (~Q(status=BatchStatus.PUBLISHED) & Q(published_at__isnull=True)),
                name="batch_published_has_time",
            ),
        ]
        indexes = [
            # A page of entries joins each to its published batch for the batch's year and sequence. With this
            # index PostgreSQL looks the page's batches up in it alone; without, it read every batch to hash them:
            # at the benchmark's 2,000 batches, a search's page of 20 took 1.3 ms to execute instead of 0.2 (a
            # province's few dozen batches cost little either way).
            models.Index(
                fields=["id", "year", "sequence"], condition=Q(status=BatchStatus.PUBLISHED), name="batch_published"
            ),
        ]

    def __str__(self):
        return self.title


class EntryScope(models.TextChoices):
    REPLICATE = "replicate", _("全省复制推广")
    REFERENCE = "reference", _("参考借鉴")


class BatchEntry(models.Model):
    """A practice's place in a batch, with a frozen copy of the text as published."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="entries", verbose_name=_("批次"))
    practice = models.OneToOneField(
        Practice, on_delete=models.PROTECT, related_name="batch_entry", verbose_name=_("经验做法")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    scope = models.CharField(_("推广范围"), max_length=20, choices=EntryScope.choices, default=EntryScope.REPLICATE)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    city_name = models.CharField(_("城市"), max_length=50, blank=True)
    indicator_name = models.CharField(_("指标"), max_length=100, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    outcomes = models.TextField(_("成效"), blank=True)
    results = models.JSONField(_("量化成效"), default=list, blank=True)
    original_title = models.CharField(
        _("原文标题"), max_length=200, blank=True, help_text=_("导入时的原文（可能为繁体）")
    )
    original_text = models.TextField(_("原文"), blank=True)
    warnings = models.JSONField(_("导入提示"), default=list, blank=True)

    class Meta:
        ordering = ["batch", "number"]
        verbose_name = _("批次条目")
        verbose_name_plural = _("批次条目")
        constraints = [
            models.UniqueConstraint(fields=["batch", "number"], name="entry_unique_number_in_batch"),
            models.CheckConstraint(condition=Q(number__gte=1), name="entry_number_positive"),
            models.CheckConstraint(condition=Q(scope__in=EntryScope.values), name="entry_scope_valid"),
        ]

    def __str__(self):
        return f"{self.batch} · {self.number}、{self.title or self.practice}"


class Erratum(models.Model):
    """A correction to a published batch: shown with its date; the published text itself never changes."""

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="errata", verbose_name=_("批次"))
    text = models.TextField(_("勘误内容"))
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    created_by = user_ref(_("发布人"))

    class Meta:
        ordering = ["batch", "created_at", "pk"]
        verbose_name = _("勘误")
        verbose_name_plural = _("勘误")
        constraints = [models.CheckConstraint(condition=~Q(text=""), name="erratum_text_not_empty")]

    def __str__(self):
        return self.text[:40]
