from django.urls import path

from . import api, feeds, views
from .pagecache import public_page

urlpatterns = [
    path("", public_page(views.home), name="home"),
    path("batches/", public_page(views.batch_list), name="batch_list"),
    path("batches/<int:year>/<int:sequence>/", public_page(views.batch_detail), name="batch_detail"),
    path("batches/<int:year>/<int:sequence>/export.<str:fmt>", views.batch_export, name="batch_export"),
    path("practices/", public_page(views.practice_list), name="practice_list"),
    path("practices/<id:pk>/", public_page(views.practice_detail), name="practice_detail"),
    path("practices/<id:pk>/export.docx", views.practice_export, name="practice_export"),
    path("practices/<id:pk>/print/", public_page(views.practice_print), name="practice_print"),
    path("practices/<id:pk>/attachments/<id:attachment_pk>/", views.attachment_download, name="public_attachment"),
    path("api/", public_page(views.api_docs), name="api_docs"),
    path("api/v1/openapi.json", public_page(api.api_openapi), name="api_openapi"),
    path("api/v1/practices/", public_page(api.api_practices), name="api_practices"),
    path("api/v1/practices/<id:id>/", public_page(api.api_practice), name="api_practice"),
    path("api/v1/batches/", public_page(api.api_batches), name="api_batches"),
    path("api/v1/adoptions/", public_page(api.api_adoptions), name="api_adoptions"),
    path("feeds/batches.atom", public_page(feeds.BatchFeed()), name="batch_feed"),
    path("stats/", public_page(views.stats), name="stats"),
    path("stats/<slug:slug>.csv", public_page(views.stats_csv), name="stats_csv"),
]
