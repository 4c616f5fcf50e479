from django.urls import path

from . import views

urlpatterns = [
    path("city/", views.city_home, name="city_home"),
    path("city/practices/new/", views.practice_create, name="city_practice_new"),
    path("city/practices/<id:pk>/", views.practice_detail, name="city_practice"),
    path("city/practices/<id:pk>/edit/", views.practice_edit, name="city_practice_edit"),
    path("city/practices/<id:pk>/submit/", views.practice_submit, name="city_practice_submit"),
    path("city/practices/<id:pk>/withdraw/", views.practice_withdraw, name="city_practice_withdraw"),
    path("city/practices/<id:pk>/attachments/", views.attachment_upload, name="city_attachment_upload"),
    path("city/attachments/<id:pk>/", views.attachment_download, name="city_attachment"),
    path("city/attachments/<id:pk>/delete/", views.attachment_remove, name="city_attachment_delete"),
    path("city/import/", views.import_practices, name="city_import"),
    path("city/import/template.xlsx", views.import_template, name="city_import_template"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/settings/", views.inbox_settings, name="inbox_settings"),
    path("accounts/invite/", views.invite, name="invite"),
]
