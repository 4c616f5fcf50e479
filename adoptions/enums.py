"""What a city reports of a published practice it is to copy (复制推广)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AdoptionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未启动")
    IN_PROGRESS = "in_progress", _("推进中")
    ADOPTED = "adopted", _("已落地")
    NOT_APPLICABLE = "not_applicable", _("暂不适用")


# Reported results are public once a city marks a row 已落地; the other statuses, reasons and excuses are not.
PUBLIC_STATUSES = {AdoptionStatus.ADOPTED}
