from django.urls import path

from . import views

urlpatterns = [
    path("", views.review_queue, name="review_queue"),
    path("assign/auto/", views.auto_assign, name="review_auto_assign"),
    path("criteria/", views.criteria, name="review_criteria"),
    path("batches/", views.batches, name="review_batches"),
    path("batches/<id:pk>/", views.batch_compose, name="review_batch"),
    path("batches/<id:pk>/preview/", views.batch_preview, name="review_batch_preview"),
    path("practices/<id:pk>/", views.review_practice, name="review_practice"),
    path("practices/<id:pk>/assign/", views.assign, name="review_assign"),
    path("practices/<id:pk>/score/", views.score, name="review_score"),
    path("practices/<id:pk>/decide/", views.decide, name="review_decide"),
    path("reviews/<id:pk>/decline/", views.decline, name="review_decline"),
]
