"""The root URLconf: each app's URLs hold their whole paths (/city/…, /review/…), so this only lists the apps."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from bizenv.web.accounts import LogoutView
from bizenv.web.converters import IdConverter

register_converter(IdConverter, "id")  # before the apps' URLs, which use it

urlpatterns = [
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", LogoutView.as_view(), name="logout"),
    path("", include("public.urls")),
    path("", include("practices.urls")),
    path("", include("reviews.urls")),
    path("", include("batches.urls")),
    path("", include("adoptions.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("bizenv 管理后台")
admin.site.site_title = _("bizenv 管理后台")
admin.site.index_title = _("数据管理")
