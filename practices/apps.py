from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "practices"
    verbose_name = _("经验做法")

    def ready(self):
        from bizenv.web.fast import share

        from .models import City, Indicator
        from .search import receivers  # noqa: F401 (connects them)

        share(City, Indicator)  # the lists' filters offer them on every page
