"""Batches of published practices: a batch, its entries (each a frozen copy of the text as published), errata."""

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bizenv.web.history import HistoricalRecords
from practices.models import Practice, user_ref

from .announcement import batch_label
from .enums import BatchStatus, EntryScope


class Batch(models.Model):
    """A numbered batch of practices (2022年第二批), composed, then published and frozen."""

    history = HistoricalRecords()

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
    # What the public is told of the announcement itself: its own date, and how many items it announced.
    announced_on = models.DateField(
        _("发布日期"),
        null=True,
        blank=True,
        help_text=_("公告本身的日期。导入的公告未注明日期、导入时也未指定的，为空，页面显示“发布日期不详”。"),
    )
    announced_total = models.PositiveSmallIntegerField(
        _("原文项数"),
        null=True,
        blank=True,
        help_text=_("导入的公告原文所称的项数（如“推出…36项”）；多于收录的项数时，页面注明原文不完整。"),
    )
    # What an imported document says of itself, shown with the announcement; and the file's fingerprint, so that the
    # same file is not imported twice.
    issuer = models.CharField(_("发文机关"), max_length=200, blank=True)
    document_number = models.CharField(_("文号"), max_length=100, blank=True)
    date_signed = models.DateField(_("成文日期"), null=True, blank=True)
    date_published = models.DateField(_("发布日期（原文所载）"), null=True, blank=True)
    attachment_title = models.CharField(_("附件标题"), max_length=200, blank=True)
    source_sha256 = models.CharField(
        _("来源文件指纹"), max_length=64, blank=True, help_text=_("导入文件内容的 SHA-256，用于识别重复导入。")
    )

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
            # One file, one batch: importing it again replaces that batch or is refused.
            models.UniqueConstraint(
                fields=["source_sha256"], condition=~Q(source_sha256=""), name="batch_unique_source_file"
            ),
            # Published exactly when it has a publication time.
            models.CheckConstraint(
                condition=Q(status=BatchStatus.PUBLISHED, published_at__isnull=False)
                | (~Q(status=BatchStatus.PUBLISHED) & Q(published_at__isnull=True)),
                name="batch_published_has_time",
            ),
        ]
        indexes = [
            # A page of entries joins each to its published batch for the batch's year and sequence. With this
            # index PostgreSQL looks the page's batches up in it alone; without, it read every batch to hash them
            # (bench/RESULTS.md, e7f5967).
            models.Index(
                fields=["id", "year", "sequence"], condition=Q(status=BatchStatus.PUBLISHED), name="batch_published"
            ),
        ]

    def __str__(self):
        return self.title

    @property
    def label(self) -> str:
        """2022年第二批, whatever the batch's title says."""
        return batch_label(self.year, self.sequence)


class BatchEntry(models.Model):
    """A practice's place in a batch, with a frozen copy of the text as published."""

    history = HistoricalRecords()

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="entries", verbose_name=_("批次"))
    practice = models.OneToOneField(
        Practice, on_delete=models.PROTECT, related_name="batch_entry", verbose_name=_("经验做法")
    )
    number = models.PositiveSmallIntegerField(_("序号"))
    scope = models.CharField(_("推广范围"), max_length=20, choices=EntryScope.choices, default=EntryScope.REPLICATE)
    # As an imported announcement words them (指导部门, 推广范围); `scope` is what its 推广范围 means here.
    department = models.CharField(_("指导部门"), max_length=500, blank=True)
    scope_text = models.CharField(_("推广范围（原文）"), max_length=200, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    city_name = models.CharField(_("城市"), max_length=50, blank=True)
    indicator_name = models.CharField(_("指标"), max_length=100, blank=True)
    indicator_suggested = models.BooleanField(
        _("指标待确认"), default=False, help_text=_("原文未注明指标，导入时按文字建议归入，尚待确认。")
    )
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    outcomes = models.TextField(_("成效"), blank=True)
    results = models.JSONField(_("量化成效"), default=list, blank=True)
    original_title = models.CharField(
        _("原文标题"), max_length=200, blank=True, help_text=_("导入时的原文（可能为繁体）")
    )
    original_text = models.TextField(_("原文"), blank=True)
    warnings = models.JSONField(_("导入提示"), default=list, blank=True)
    garbled = models.BooleanField(
        _("原文有乱码"), default=False, help_text=_("导入时发现无法可靠修复的乱码：公开页面注明内容照录原文。")
    )

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

    history = HistoricalRecords()

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
