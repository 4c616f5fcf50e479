"""A batch's status and an entry's scope."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("编排中")
    PUBLISHED = "published", _("已发布")


class EntryScope(models.TextChoices):
    REPLICATE = "replicate", _("全省复制推广")
    REFERENCE = "reference", _("参考借鉴")
