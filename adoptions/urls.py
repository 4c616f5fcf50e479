from django.urls import path

from . import views

urlpatterns = [
    path("city/adoptions/", views.ledger, name="city_adoptions"),
    path("city/adoptions/export.xlsx", views.ledger_export, name="city_adoptions_export"),
    path("city/adoptions/import/", views.ledger_import, name="city_adoptions_import"),
    path("city/adoptions/practices/<id:pk>/", views.declare, name="city_adoption_declare"),
    path("city/adoptions/<id:pk>/", views.report, name="city_adoption"),
    path("city/adoptions/<id:pk>/evidence/", views.city_evidence, name="city_adoption_evidence"),
    path("review/adoptions/", views.province, name="review_adoptions"),
    path("review/adoptions/export.xlsx", views.province_export, name="review_adoptions_export"),
    path("review/adoptions/rows/<id:pk>/", views.province_detail, name="review_adoption"),
    path("review/adoptions/rows/<id:pk>/evidence/", views.province_evidence, name="review_adoption_evidence"),
]
