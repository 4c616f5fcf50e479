from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, register_converter
from django.utils.translation import gettext_lazy as _

from bizenv.converters import IdConverter
from practices import views as practice_views

register_converter(IdConverter, "id")

urlpatterns = [
    path("", practice_views.home, name="home"),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", practice_views.LogoutView.as_view(), name="logout"),
    path("", include("reviews.urls_public")),
    path("city/", include("practices.urls")),
    path("review/", include("reviews.urls")),
    path("inbox/", practice_views.inbox, name="inbox"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

admin.site.site_header = _("bizenv 管理后台")
admin.site.site_title = _("bizenv 管理后台")
admin.site.index_title = _("数据管理")
