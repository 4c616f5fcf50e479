from django.urls import path

from . import api, feeds, views

urlpatterns = [
    path("", views.home, name="home"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/<int:year>/<int:sequence>/", views.batch_detail, name="batch_detail"),
    path("batches/<int:year>/<int:sequence>/export.<str:fmt>", views.batch_export, name="batch_export"),
    path("practices/", views.practice_list, name="practice_list"),
    path("practices/<id:pk>/", views.practice_detail, name="practice_detail"),
    path("practices/<id:pk>/export.docx", views.practice_export, name="practice_export"),
    path("practices/<id:pk>/print/", views.practice_print, name="practice_print"),
    path("practices/<id:pk>/attachments/<id:attachment_pk>/", views.attachment_download, name="public_attachment"),
    path("api/", views.api_docs, name="api_docs"),
    path("api/v1/openapi.json", api.api_openapi, name="api_openapi"),
    path("api/v1/practices/", api.api_practices, name="api_practices"),
    path("api/v1/practices/<id:id>/", api.api_practice, name="api_practice"),
    path("api/v1/batches/", api.api_batches, name="api_batches"),
    path("api/v1/adoptions/", api.api_adoptions, name="api_adoptions"),
    path("feeds/batches.atom", feeds.BatchFeed(), name="batch_feed"),
    path("stats/", views.stats, name="stats"),
    path("stats/<slug:slug>.csv", views.stats_csv, name="stats_csv"),
]
