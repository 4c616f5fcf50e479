"""Signing in and out: Django's own views, with a sign-out that a typed URL cannot trigger."""

from django.contrib.auth import views as auth_views
from django.shortcuts import render


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST; a GET (a typed or bookmarked URL) asks for confirmation instead of a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")
