from django.urls import path

from . import views

urlpatterns = [
    path("review/batches/", views.batches, name="review_batches"),
    path("review/batches/pool.xlsx", views.pool_export, name="review_pool_export"),
    path("review/batches/import/", views.batch_import, name="review_batch_import"),
    path("review/batches/<id:pk>/", views.batch_compose, name="review_batch"),
    path("review/batches/<id:pk>/preview/", views.batch_preview, name="review_batch_preview"),
]
