"""复制推广: what each city owes and reports for a published practice, every change an event, and each batch's
deadline."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from batches.models import Batch
from bizenv.web.history import HistoricalRecords
from practices.models import City, MeasuredResult, Practice, user_ref

from .enums import AdoptionStatus

RESULT_MAX = 5000


def ledger_order(year: int, sequence: int, number: int) -> int:
    """A row's place in a 台账, as one number to sort on descending: newest batch first, then the entry's number
    ascending. A published entry's batch and number never change, so it is written once, when the row is."""
    return (year * 1000 + sequence) * 10000 + (9999 - number)


class AdoptionPlan(models.Model):
    """A published batch's 复制推广: the date by which every city is to have reported."""

    history = HistoricalRecords()

    batch = models.OneToOneField(Batch, on_delete=models.CASCADE, related_name="adoption_plan", verbose_name=_("批次"))
    deadline = models.DateField(_("填报截止日期"))
    reminded_at = models.DateTimeField(_("上次催报时间"), null=True, blank=True)  # each row has its event too
    updated_by = user_ref(_("最后修改人"))
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("复制推广安排")
        verbose_name_plural = _("复制推广安排")

    def __str__(self):
        return f"{self.batch} · {self.deadline}"


class Adoption(models.Model):
    """One city's row of the 台账 for one published practice: owed (全省复制推广) or reported of its own accord
    (参考借鉴); versioned like a practice, every status change an event."""

    history = HistoricalRecords()

    # A row nobody has touched goes with its practice; a report protects it (receivers.py).
    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("经验做法")
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("复制城市"))
    status = models.CharField(
        _("状态"), max_length=20, choices=AdoptionStatus.choices, default=AdoptionStatus.NOT_STARTED
    )
    owed = models.BooleanField(_("须填报"), default=True, help_text=_("全省复制推广的条目由各市填报；参考借鉴为自愿"))
    adopted_on = models.DateField(_("落地日期"), null=True, blank=True)
    result = models.TextField(_("本地成效"), blank=True, max_length=RESULT_MAX)
    reason = models.TextField(_("暂不适用的原因"), blank=True)
    excused_at = models.DateTimeField(_("免于填报时间"), null=True, blank=True)
    excuse = models.TextField(_("免于填报的原因"), blank=True)
    # One evidence file (a notice, a photo of the window), for the province only; stored under a generated name
    # (adoptions/<row id>/<random>), the uploader's name kept as data, its type checked from its content.
    evidence = models.FileField(_("佐证材料"), upload_to="adoptions/", max_length=200, blank=True)
    evidence_name = models.CharField(_("佐证材料文件名"), max_length=200, blank=True)
    evidence_type = models.CharField(_("佐证材料类型"), max_length=100, blank=True)
    evidence_size = models.PositiveBigIntegerField(_("佐证材料大小（字节）"), default=0)
    version = models.PositiveIntegerField(_("版本"), default=1)
    # ledger_order() of the practice's entry: a city's 台账 is read in this order from an index, instead of
    # sorting all of the city's rows through two joins on every page (11 ms at 5,000 rows on SQLite).
    order = models.BigIntegerField(_("台账排序"), default=0, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    updated_by = user_ref(_("最后填报人"))

    class Meta:
        ordering = ["practice", "city__order", "pk"]
        verbose_name = _("复制推广")
        verbose_name_plural = _("复制推广")
        constraints = [
            models.UniqueConstraint(fields=["practice", "city"], name="adoption_once_per_city"),
            models.CheckConstraint(condition=Q(status__in=AdoptionStatus.values), name="adoption_status_valid"),
            # 已落地 says when and what came of it; 暂不适用 says why.
            models.CheckConstraint(
                condition=~Q(status=AdoptionStatus.ADOPTED) | (Q(adopted_on__isnull=False) & ~Q(result="")),
                name="adoption_adopted_has_date_and_result",
            ),
            models.CheckConstraint(
                condition=~Q(status=AdoptionStatus.NOT_APPLICABLE) | ~Q(reason=""),
                name="adoption_not_applicable_has_reason",
            ),
            models.CheckConstraint(
                condition=Q(excused_at__isnull=True) | ~Q(excuse=""), name="adoption_excuse_has_reason"
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="adoption_version_positive"),
        ]
        indexes = [
            models.Index(fields=["city", "status"], name="adoption_city_status"),
            models.Index(fields=["city", "-order", "id"], name="adoption_ledger_order"),
            # The public's rows (已落地), newest first: without it SQLite walked every published practice and
            # sorted their rows, 670 ms a page of /api/v1/adoptions/ at 100,000 practices; with it, 0.2 ms.
            models.Index(fields=["status", "id"], name="adoption_status_id"),
        ]

    def __str__(self):
        return f"{self.city} · {self.practice}"

    def clean(self):
        if self.practice_id and self.city_id and self.practice.city_id == self.city_id:
            raise ValidationError({"city": ValidationError(_("不能声明复制本市自己的经验做法。"), code="own_practice")})


class Generation(models.Model):
    """One counter, raised in the same transaction as every write that changes what the public statistics count
    (a report, an excuse, obligations created or dropped, a batch published): the statistics are cached under it,
    and rebuilt by the first request after a change (public/statistics.py cached())."""

    value = models.PositiveBigIntegerField(default=0)

    class Meta:
        verbose_name = _("统计版本")
        verbose_name_plural = _("统计版本")

    def __str__(self):
        return str(self.value)


class AdoptionResult(MeasuredResult):
    """A measured local result of an adoption."""

    history = HistoricalRecords()

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="results", verbose_name=_("复制推广"))

    class Meta:
        ordering = ["adoption", "order", "pk"]
        verbose_name = _("复制推广量化成效")
        verbose_name_plural = _("复制推广量化成效")
        constraints = [
            models.CheckConstraint(condition=~Q(measure=""), name="adoption_result_measure_not_empty"),
            models.CheckConstraint(condition=~Q(after=""), name="adoption_result_after_not_empty"),
        ]


class AdoptionEvent(models.Model):
    """One change of a row of the 台账: a report (from → to status), an excuse, a reminder; who, when, a note."""

    class Kind(models.TextChoices):
        CREATED = "created", _("生成")
        REPORTED = "reported", _("填报")
        EXCUSED = "excused", _("免于填报")
        REMINDED = "reminded", _("催报")

    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="events", verbose_name=_("复制推广"))
    kind = models.CharField(_("类型"), max_length=20, choices=Kind.choices)
    from_status = models.CharField(_("原状态"), max_length=20, choices=AdoptionStatus.choices, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, choices=AdoptionStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("复制推广记录")
        verbose_name_plural = _("复制推广记录")
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=["created", "reported", "excused", "reminded"]), name="adoption_event_kind"
            ),
            models.CheckConstraint(
                condition=Q(to_status__in=AdoptionStatus.values), name="adoption_event_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.adoption}: {self.get_kind_display()}"
