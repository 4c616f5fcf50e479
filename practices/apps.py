from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class PracticesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "practices"
    verbose_name = _("经验做法")

    def ready(self):
        from django.contrib.auth.models import update_last_login

        from bizenv.web.fast import share

        from .models import City, Indicator
        from .search import receivers  # noqa: F401 (connects them)

        share(City, Indicator)  # the lists' filters offer them on every page
        # A sign-in sets last_login without save(), so that it is not taken for a change to the account.
        user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")
        user_logged_in.connect(note_sign_in, dispatch_uid="bizenv_note_sign_in")


def note_sign_in(sender, user, **kwargs):
    user.last_login = timezone.now()
    type(user).objects.filter(pk=user.pk).update(last_login=user.last_login)
