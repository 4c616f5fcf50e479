"""The project's URLs, plus a bare view: what Django itself costs per request, the benchmark's baseline."""

from django.http import HttpResponse
from django.urls import path

from bizenv.urls import urlpatterns as project


def bare(request):
    return HttpResponse("ok")


urlpatterns = [path("bench/bare/", bare), *project]
