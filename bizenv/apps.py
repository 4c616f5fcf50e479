from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BizenvConfig(AppConfig):
    name = "bizenv"
    verbose_name = _("系统运行")

    def ready(self):
        from .web import after

        after.connect()
