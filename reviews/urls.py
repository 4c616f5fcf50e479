from django.urls import path

from . import views

urlpatterns = [
    path("review/", views.review_queue, name="review_queue"),
    path("review/export.xlsx", views.review_queue_export, name="review_queue_export"),
    path("review/assign/auto/", views.auto_assign, name="review_auto_assign"),
    path("review/criteria/", views.criteria, name="review_criteria"),
    path("review/practices/<id:pk>/", views.review_practice, name="review_practice"),
    path("review/practices/<id:pk>/assign/", views.assign, name="review_assign"),
    path("review/practices/<id:pk>/score/", views.score, name="review_score"),
    path("review/practices/<id:pk>/decide/", views.decide, name="review_decide"),
    path("review/attachments/<id:pk>/", views.attachment_download, name="review_attachment"),
    path("review/reviews/<id:pk>/decline/", views.decline, name="review_decline"),
    path("review/audit/", views.audit, name="review_audit"),
]
