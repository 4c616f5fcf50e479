"""复制推广: a city's declaration that it has replicated a published practice, with its local result."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from practices.models import City, Practice, user_ref


class Adoption(models.Model):
    """A city's declaration that it has replicated a published practice (复制推广), with its local result."""

    practice = models.ForeignKey(
        Practice, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("经验做法")
    )
    city = models.ForeignKey(City, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("复制城市"))
    result = models.TextField(_("本地成效"))
    declared_by = user_ref(_("填报人"))
    declared_at = models.DateTimeField(_("填报时间"), auto_now_add=True)

    class Meta:
        ordering = ["-declared_at", "pk"]
        verbose_name = _("复制推广")
        verbose_name_plural = _("复制推广")
        constraints = [
            models.UniqueConstraint(fields=["practice", "city"], name="adoption_once_per_city"),
            models.CheckConstraint(condition=~Q(result=""), name="adoption_result_not_empty"),
        ]

    def __str__(self):
        return f"{self.city} · {self.practice}"

    def clean(self):
        if self.practice_id and self.city_id and self.practice.city_id == self.city_id:
            raise ValidationError({"city": ValidationError(_("不能声明复制本市自己的经验做法。"), code="own_practice")})
