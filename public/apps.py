from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicConfig(AppConfig):
    name = "public"
    verbose_name = _("公开发布")

    def ready(self):
        from . import receivers  # noqa: F401 (connects them)
