"""Statuses, roles and the other fixed choices, with the sets of statuses the rules speak of.

Imported by every app and importing nothing of ours, so that naming a status never pulls in models or rules.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    """The groups that carry a user's role; created by practices' first migration."""

    CITY_OFFICIAL = "city_official", _("填报员")
    REVIEWER = "reviewer", _("评审员")
    COORDINATOR = "coordinator", _("省级统筹")


class Status(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    IN_REVIEW = "in_review", _("评审中")
    REVISION_REQUESTED = "revision_requested", _("退回修改")
    APPROVED = "approved", _("已通过")
    REJECTED = "rejected", _("未通过")
    PUBLISHED = "published", _("已发布")
    WITHDRAWN = "withdrawn", _("已撤回")


# What the city may still change, and what it may still take back.
EDITABLE = {Status.DRAFT, Status.REVISION_REQUESTED}
WITHDRAWABLE = {Status.DRAFT, Status.SUBMITTED, Status.REVISION_REQUESTED}


class Source(models.TextChoices):
    PORTAL = "portal", _("城市填报")
    IMPORT = "import", _("公告导入")
    SYNTHETIC = "synthetic", _("合成数据（仅供压测）")


class CityKind(models.TextChoices):
    PREFECTURE = "prefecture", _("地级市")
    COUNTY_LEVEL = "county_level", _("县级市")
    ZONE = "zone", _("示范区、新区")
    # A region a national notice names that is none of the province's submitting cities (another province's, or
    # the province itself): its practices are listed under it, but nobody signs in for it and it owes no 复制推广
    # (practices.services.outside_city()).
    OUTSIDE = "outside", _("其他地区")


class IndicatorKind(models.TextChoices):
    NATIONAL = "national", _("国家评价指标")
    PROVINCIAL = "provincial", _("本省专项")
