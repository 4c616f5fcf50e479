from django.urls import path

from . import views

urlpatterns = [
    path("", views.city_home, name="city_home"),
    path("practices/new/", views.practice_create, name="city_practice_new"),
    path("practices/<id:pk>/", views.practice_detail, name="city_practice"),
    path("practices/<id:pk>/edit/", views.practice_edit, name="city_practice_edit"),
    path("practices/<id:pk>/submit/", views.practice_submit, name="city_practice_submit"),
    path("practices/<id:pk>/withdraw/", views.practice_withdraw, name="city_practice_withdraw"),
    path("practices/<id:pk>/attachments/", views.attachment_upload, name="city_attachment_upload"),
    path("attachments/<id:pk>/", views.attachment_download, name="city_attachment"),
    path("attachments/<id:pk>/delete/", views.attachment_remove, name="city_attachment_delete"),
    path("import/", views.import_practices, name="city_import"),
    path("import/template.xlsx", views.import_template, name="city_import_template"),
]
