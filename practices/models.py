"""Cities, indicators and the practices cities submit."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from simple_history import register

from bizenv.web.history import HistoricalRecords

from .enums import CityKind, IndicatorKind, Role, Source, Status


def user_ref(verbose_name):
    """Who did something (created, changed, published …): kept as history if the account is later deleted."""
    return models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=verbose_name,
    )


class NaturalKeyManager(models.Manager):
    """Lets fixtures name rows by a stable key, so loading them twice updates, never duplicates."""

    def __init__(self, key: str):
        super().__init__()
        self.key = key

    def get_by_natural_key(self, value):
        return self.get(**{self.key: value})

    def deconstruct(self):
        # Managers with arguments must say how to rebuild themselves in migrations.
        return (False, f"{__name__}.{type(self).__name__}", None, (self.key,), {})


class City(models.Model):
    """A submitting unit: a prefecture city, a county-level city or a special zone."""

    history = HistoricalRecords()

    name = models.CharField(_("名称"), max_length=50, unique=True)
    short_name = models.CharField(_("简称"), max_length=20)
    code = models.CharField(
        _("行政区划代码"),
        max_length=6,
        unique=True,
        validators=[RegexValidator(r"^\d{6}$", _("行政区划代码应为6位数字。"))],
        help_text=_("GB/T 2260 六位代码"),
    )
    kind = models.CharField(_("类别"), max_length=20, choices=CityKind.choices, default=CityKind.PREFECTURE)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    aliases = models.JSONField(_("别名"), default=list, blank=True, help_text=_("全称、旧称等，用于识别公告中的城市"))
    active = models.BooleanField(
        _("参与复制推广"), default=True, help_text=_("停用后不再承担新的复制推广任务，已填报的记录保留")
    )

    objects = NaturalKeyManager("code")

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("城市")
        verbose_name_plural = _("城市")
        constraints = [
            models.CheckConstraint(condition=Q(code__regex=r"^[0-9]{6}$"), name="city_code_six_digits"),
            models.CheckConstraint(condition=~Q(name=""), name="city_name_not_empty"),
            models.CheckConstraint(condition=~Q(short_name=""), name="city_short_name_not_empty"),
            models.CheckConstraint(condition=Q(kind__in=CityKind.values), name="city_kind_valid"),
            models.CheckConstraint(
                condition=~Q(kind=CityKind.OUTSIDE) | Q(active=False),
                name="city_outside_inactive",
                violation_error_message=_("其他地区不参与复制推广，不能启用。"),
            ),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.code,)

    @property
    def is_outside(self) -> bool:
        """A region of another province, not one of the province's own cities: see CityKind.OUTSIDE."""
        return self.kind == CityKind.OUTSIDE


class Indicator(models.Model):
    """An evaluation indicator (开办企业 …) or a province's own heading; practices are grouped by it."""

    history = HistoricalRecords()

    name = models.CharField(_("名称"), max_length=100, unique=True)
    slug = models.SlugField(_("英文标识"), max_length=60, unique=True)
    kind = models.CharField(_("类别"), max_length=20, choices=IndicatorKind.choices, default=IndicatorKind.NATIONAL)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    aliases = models.JSONField(_("别名"), default=list, blank=True, help_text=_("公告中可能出现的其他写法"))

    objects = NaturalKeyManager("slug")

    class Meta:
        ordering = ["order", "slug"]
        verbose_name = _("指标")
        verbose_name_plural = _("指标")
        constraints = [
            models.CheckConstraint(condition=~Q(name=""), name="indicator_name_not_empty"),
            models.CheckConstraint(condition=Q(slug__regex=r"^[a-z0-9]+(-[a-z0-9]+)*$"), name="indicator_slug_ascii"),
            models.CheckConstraint(condition=Q(kind__in=IndicatorKind.values), name="indicator_kind_valid"),
        ]

    def __str__(self):
        return self.name

    def natural_key(self):
        return (self.slug,)


class Membership(models.Model):
    """Links a user to the city they act for: required for city officials, optional for reviewers."""

    history = HistoricalRecords()

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="membership", verbose_name=_("用户")
    )
    city = models.ForeignKey(
        City, on_delete=models.PROTECT, null=True, blank=True, related_name="members", verbose_name=_("所属城市")
    )
    phone = models.CharField(_("联系电话"), max_length=30, blank=True)

    class Meta:
        verbose_name = _("所属单位")
        verbose_name_plural = _("所属单位")

    def __str__(self):
        return f"{self.user} · {self.city or '—'}"

    def clean(self):
        if self.city_id is None and self.user_id and self.user.groups.filter(name=Role.CITY_OFFICIAL).exists():
            raise ValidationError({"city": ValidationError(_("填报员必须属于一个城市。"), code="city_required")})
        if self.city_id is not None and self.city.is_outside:
            raise ValidationError(
                {
                    "city": ValidationError(
                        _("“%(name)s”不是本省参与填报的城市，不能作为用户的所属城市。"),
                        code="outside_city",
                        params={"name": self.city.name},
                    )
                }
            )


# Limits a city's text must keep, whichever way it arrives (form or spreadsheet).
SUMMARY_MAX = 500
BODY_MAX = 20000
OUTCOMES_MAX = 5000
phone_validator = RegexValidator(
    r"^[0-9+\-() ]{7,30}$", _("请填写有效的电话号码，如 029-86781234 或 13800000000。"), code="phone"
)


class Practice(models.Model):
    """One typical practice a city writes up, from draft to publication."""

    history = HistoricalRecords()

    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="practices", verbose_name=_("城市"))
    # Null only for practices imported from announcements that have no indicator headings.
    indicator = models.ForeignKey(
        Indicator, on_delete=models.PROTECT, null=True, blank=True, related_name="practices", verbose_name=_("指标")
    )
    title = models.CharField(_("标题"), max_length=200)
    summary = models.TextField(_("摘要"), blank=True, validators=[MaxLengthValidator(SUMMARY_MAX)])
    body = models.TextField(
        _("正文"), blank=True, help_text=_("纯文本，空行分段"), validators=[MaxLengthValidator(BODY_MAX)]
    )
    outcomes = models.TextField(_("成效"), blank=True, validators=[MaxLengthValidator(OUTCOMES_MAX)])
    status = models.CharField(_("状态"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    source = models.CharField(_("来源"), max_length=10, choices=Source.choices, default=Source.PORTAL)
    version = models.PositiveIntegerField(_("版本"), default=1, help_text=_("每次保存加一，防止覆盖他人的修改"))
    contact_name = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=30, blank=True, validators=[phone_validator])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    created_by = user_ref(_("创建人"))
    updated_by = user_ref(_("最后修改人"))

    class Meta:
        ordering = ["-updated_at", "-pk"]
        verbose_name = _("经验做法")
        verbose_name_plural = _("经验做法")
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="practice_title_not_empty"),
            models.CheckConstraint(condition=Q(status__in=Status.values), name="practice_status_valid"),
            models.CheckConstraint(condition=Q(round__gte=1), name="practice_round_positive"),
            models.CheckConstraint(condition=Q(version__gte=1), name="practice_version_positive"),
            models.CheckConstraint(condition=Q(source__in=Source.values), name="practice_source_valid"),
        ]
        # A city's portal lists its practices newest first, all of them or those in one status.
        indexes = [
            models.Index(fields=["city", "status", "updated_at", "id"], name="practice_city_status"),
            models.Index(fields=["city", "updated_at", "id"], name="practice_city_updated"),
        ]

    def __str__(self):
        return self.title


class MeasuredResult(models.Model):
    """A measured result, e.g. 企业开办时间 5 → 2 个工作日: of a practice, or of a city's copy of one (adoptions)."""

    measure = models.CharField(_("指标项"), max_length=100)
    before = models.CharField(_("实施前"), max_length=50, blank=True)
    after = models.CharField(_("实施后"), max_length=50)
    unit = models.CharField(_("单位"), max_length=20, blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        abstract = True

    def __str__(self):
        return f"{self.measure}: {self.before} → {self.after} {self.unit}".strip()


class PracticeResult(MeasuredResult):
    """A measured result of a practice."""

    history = HistoricalRecords()

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="results", verbose_name=_("经验做法"))

    class Meta:
        ordering = ["practice", "order", "pk"]
        verbose_name = _("量化成效")
        verbose_name_plural = _("量化成效")
        constraints = [
            models.CheckConstraint(condition=~Q(measure=""), name="result_measure_not_empty"),
            models.CheckConstraint(condition=~Q(after=""), name="result_after_not_empty"),
        ]


class PracticeEvent(models.Model):
    """One status change on a practice's timeline: who, when, from, to, why."""

    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="events", verbose_name=_("经验做法"))
    from_status = models.CharField(_("原状态"), max_length=20, choices=Status.choices)
    to_status = models.CharField(_("新状态"), max_length=20, choices=Status.choices)
    round = models.PositiveSmallIntegerField(_("轮次"), default=1)
    actor = user_ref(_("操作人"))
    note = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name = _("状态变更")
        verbose_name_plural = _("状态变更")
        constraints = [
            models.CheckConstraint(condition=~Q(from_status=models.F("to_status")), name="event_changes_status"),
            models.CheckConstraint(
                condition=Q(from_status__in=Status.values, to_status__in=Status.values), name="event_status_valid"
            ),
        ]

    def __str__(self):
        return f"{self.practice}: {self.get_from_status_display()} → {self.get_to_status_display()}"


class Attachment(models.Model):
    """A file attached to a practice; public only once published and marked so."""

    history = HistoricalRecords()

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("经验做法")
    )
    # Stored under a name the service generates (attachments/<practice id>/<random>): the uploader's file name is
    # kept only as data.
    file = models.FileField(_("文件"), upload_to="attachments/", max_length=200)
    original_name = models.CharField(_("原文件名"), max_length=200)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    is_public = models.BooleanField(_("公开"), default=False, help_text=_("发布后是否向公众提供下载"))
    uploaded_by = user_ref(_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        ordering = ["practice", "uploaded_at", "pk"]
        verbose_name = _("附件")
        verbose_name_plural = _("附件")
        constraints = [
            models.CheckConstraint(condition=~Q(original_name=""), name="attachment_name_not_empty"),
        ]

    def __str__(self):
        return self.original_name


class PracticeSnapshot(models.Model):
    """What a practice said when it was submitted for a round: the base for showing changes between rounds."""

    practice = models.ForeignKey(
        Practice, on_delete=models.CASCADE, related_name="snapshots", verbose_name=_("经验做法")
    )
    round = models.PositiveSmallIntegerField(_("轮次"))
    title = models.CharField(_("标题"), max_length=200)
    indicator_name = models.CharField(_("指标"), max_length=100, blank=True)
    summary = models.TextField(_("摘要"), blank=True)
    body = models.TextField(_("正文"), blank=True)
    outcomes = models.TextField(_("成效"), blank=True)
    results = models.JSONField(_("量化成效"), default=list, blank=True)
    attachments = models.JSONField(_("附件"), default=list, blank=True)
    created_at = models.DateTimeField(_("提交时间"), auto_now_add=True)

    class Meta:
        ordering = ["practice", "round"]
        verbose_name = _("提交版本")
        verbose_name_plural = _("提交版本")
        constraints = [
            models.UniqueConstraint(fields=["practice", "round"], name="snapshot_once_per_round"),
            models.CheckConstraint(condition=Q(round__gte=1), name="snapshot_round_positive"),
        ]

    def __str__(self):
        return f"{self.practice} · {self.round}"


class Notification(models.Model):
    """A message in a user's inbox (also sent by email): what happened, and a link to it."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications", verbose_name=_("收件人")
    )
    subject = models.CharField(_("标题"), max_length=200)
    message = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    # The subject and message in the site's other languages ({"en": [subject, message]}): the inbox shows the
    # reader's; subject and message above are in the site's own language, as the email was sent.
    translations = models.JSONField(_("其他语言"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        indexes = [models.Index(fields=["recipient", "read_at"], name="notification_unread")]

    def __str__(self):
        return self.subject

    def _in_language(self) -> list[str]:
        return self.translations.get(get_language() or "", None) or [self.subject, self.message]

    @property
    def shown_subject(self) -> str:
        """The subject in the reader's language, where it was written in it."""
        return self._in_language()[0]

    @property
    def shown_message(self) -> str:
        return self._in_language()[1]


class NotificationPreference(models.Model):
    """How a user wants to be told: every notification is in the inbox; the email copy only if they want it."""

    history = HistoricalRecords()

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("用户"),
    )
    email = models.BooleanField(_("同时发送电子邮件"), default=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        verbose_name = _("通知设置")
        verbose_name_plural = _("通知设置")

    def __str__(self):
        return str(self.user)


class PendingImport(models.Model):
    """An uploaded spreadsheet between its preview and its confirmation; claimed (deleted) exactly once."""

    token = models.CharField(max_length=40, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    # What the upload is for: a user may have one of each waiting (drafts, a 复制推广 台账).
    kind = models.CharField(max_length=20, default="practices")
    name = models.CharField(max_length=200)
    content = models.BinaryField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("待确认的导入")
        verbose_name_plural = _("待确认的导入")

    def __str__(self):
        return self.name


class SearchTable(models.Model):
    """A table of the search index (practices/search/), keyed by practice id. Declared so Django knows the table
    (flushing a database empties it); the engines read and write it with their own SQL, never through these
    models."""

    practice = models.OneToOneField(
        Practice,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )

    class Meta:
        abstract = True
        default_permissions = ()

    def __str__(self):
        return str(self.practice_id)


class SearchIndex(SearchTable):
    """The full-text index's table: FTS5 on SQLite, a tsvector on PostgreSQL (search/sqlite.py, search/postgres.py)."""

    class Meta(SearchTable.Meta):
        db_table = "practices_searchindex"
        verbose_name = _("检索索引")
        verbose_name_plural = _("检索索引")


class SearchPublished(SearchTable):
    """SQLite's table of the published practices, beside the FTS5 table (search/sqlite.py)."""

    class Meta(SearchTable.Meta):
        db_table = "practices_searchpublished"
        verbose_name = _("检索已发布标记")
        verbose_name_plural = _("检索已发布标记")


class SearchFacets(SearchTable):
    """PostgreSQL's table of the published practices' facets (search/postgres.sql, create_facets)."""

    class Meta(SearchTable.Meta):
        db_table = "practices_searchfacets"
        verbose_name = _("检索筛选项")
        verbose_name_plural = _("检索筛选项")


class SearchPending(models.Model):
    """A practice whose index row is written after the response (search/receivers.py, index_later()): noted in the
    transaction that writes the practice, taken off once its row is written, by that request's work after the
    response or else by the worker's next pass. Not a model anyone edits: no history."""

    # No database constraint nor cascade: a practice deleted while pending keeps its id here until the next pass,
    # which removes its index row (index_practices() does so for any id that is gone) and then the id; deleting a
    # practice costs no query on this table.
    practice = models.OneToOneField(
        Practice, primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("待写入检索索引的经验做法")
        verbose_name_plural = _("待写入检索索引的经验做法")

    def __str__(self):
        return str(self.practice_id)


class SimilarPair(models.Model):
    """A published practice, another one like it, and how alike they are (search/similar.py). Stored both ways,
    (a, b) and (b, a) with the one score, so that a pair listed on one practice's page is listed on the other's
    whenever its list has room. Found once, when a practice is published; never edited."""

    # A practice's pairs are read by the unique (practice, other) index: no index of its own.
    practice = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="similar_pairs", db_index=False)
    other = models.ForeignKey(Practice, on_delete=models.CASCADE, related_name="similar_listings")
    score = models.FloatField()

    class Meta:
        default_permissions = ()
        verbose_name = _("相似经验做法")
        verbose_name_plural = _("相似经验做法")
        constraints = [
            models.UniqueConstraint(fields=["practice", "other"], name="similar_pair_once"),
            models.CheckConstraint(condition=~Q(practice=models.F("other")), name="similar_pair_not_itself"),
        ]

    def __str__(self):
        return f"{self.practice_id} ~ {self.other_id}: {self.score:.2f}"


class SimilarSearched(models.Model):
    """A published practice whose similar practices have been looked for, once (its published text is frozen)."""

    practice = models.OneToOneField(
        Practice, primary_key=True, on_delete=models.CASCADE, related_name="similar_searched"
    )

    class Meta:
        default_permissions = ()
        verbose_name = _("已查找相似经验做法")
        verbose_name_plural = _("已查找相似经验做法")

    def __str__(self):
        return str(self.practice_id)


# Accounts: who holds which role (their groups) and every other change to one, but its password and last
# sign-in (practices.apps records a sign-in without saving the account).
register(User, app="practices", m2m_fields=["groups"], excluded_fields=["password", "last_login"])
