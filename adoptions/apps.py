from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AdoptionsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "adoptions"
    verbose_name = _("复制推广")

    def ready(self):
        from . import receivers  # noqa: F401 (connects them)
