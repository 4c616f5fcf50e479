"""The root URLconf: each app's URLs hold their whole paths (/city/…, /review/…), so this only lists the apps."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.i18n import set_language

from bizenv.web.accounts import LoginView, LogoutView, PasswordResetView
from bizenv.web.converters import IdConverter

register_converter(IdConverter, "id")  # before the apps' URLs, which use it

urlpatterns = [
    path("accounts/login/", LoginView.as_view(), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    # Changing a password ends the user's other sessions; setting one from a link signs nobody in.
    path("accounts/password_change/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password_change/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("accounts/password_reset/", PasswordResetView.as_view(), name="password_reset"),
    path("accounts/password_reset/done/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path("accounts/reset/done/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path("", include("public.urls")),
    path("", include("practices.urls")),
    path("", include("reviews.urls")),
    path("", include("batches.urls")),
    path("", include("adoptions.urls")),
    # The language is a preference that changes nothing else, so switching it needs no CSRF token: the form on
    # every page then sets no cookie, and a public page is the same for every visitor (public/pagecache.py).
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("admin/", admin.site.urls),
]

handler500 = "bizenv.web.errors.server_error"  # a 503 when the database is out of reach

admin.site.site_header = _("bizenv 管理后台")
admin.site.site_title = _("bizenv 管理后台")
admin.site.index_title = _("数据管理")
