from django.urls import path

from . import views

urlpatterns = [
    path("city/adoptions/", views.ledger, name="city_adoptions"),
    path("city/adoptions/<id:pk>/", views.report, name="city_adoption"),
]
