"""Signing in and out: Django's own views, landing each user on their own work after signing in, with a sign-out
that a typed URL cannot trigger; the page a locked-out sign-in gets (django-axes, configured in settings.py); the
invitation that lets a new user set their password."""

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth import views as auth_views
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .permissions import can

# Where each user's own work is, by the permission its page asks, the first the user holds: names, not imports
# (bizenv knows no app above it), like the URLs'. The administrator's is /admin/; anyone else's the home page.
LANDINGS = [("practices.add_practice", "city_home"), ("reviews.view_queue", "review_queue")]


def landing(user) -> str:
    """The page a user lands on after signing in: city officials their city's practices (/city/), reviewers and
    the coordinator the review workbench (/review/), the administrator /admin/, anyone else the home page."""
    for perm, url_name in LANDINGS:
        if can(user, perm):
            return reverse(url_name)
    if user.is_active and user.is_staff:
        return reverse("admin:index")
    return reverse("home")


class LoginView(auth_views.LoginView):
    """Django's, landing each user on their own work (landing()), unless a `next` of our own site says where:
    Django refuses one on another host or scheme, and the user lands as if there were none."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self):
        return landing(self.request.user)


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST; a GET (a typed or bookmarked URL) asks for confirmation instead of a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")


def client_address(request) -> str | None:
    """The address a sign-in came from: behind a trusted proxy (TRUSTED_PROXY=1) the last address of
    X-Forwarded-For, the one our proxy added; otherwise the connection's, since anyone can send that header."""
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if settings.TRUSTED_PROXY and forwarded.strip():
        return forwarded.split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR")


def locked_out(request, original_response=None, credentials=None):
    """429 with the sign-in page's look, saying until when: each attempt during a lockout starts its 15 minutes
    again (django-axes' AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT), so it ends 15 minutes from now."""
    until = timezone.localtime() + settings.AXES_COOLOFF_TIME
    context = {"until": until, "failures": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=429)


def set_password_link(user) -> str:
    """A one-time link to set the user's password: Django's password-reset token, spent once a password is set
    (or the user signs in) and otherwise valid for PASSWORD_RESET_TIMEOUT."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return settings.SITE_URL + reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


def send_invitation(user, *, by=None):
    """An email inviting a new user to set their password at a one-time link: no password is ever sent."""
    context = {"user": user, "by": by, "link": set_password_link(user), "site_url": settings.SITE_URL}
    context["days"] = settings.PASSWORD_RESET_TIMEOUT // 86400
    subject = render_to_string("registration/invitation_subject.txt", context).strip()
    send_mail(subject, render_to_string("registration/invitation_email.txt", context), None, [user.email])


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's, saying it in Chinese: Django's own Chinese catalogue lacks this message's plural form."""

    def get_error_message(self):
        return _("密码太短，至少要有 %(min_length)d 个字符。") % {"min_length": self.min_length}

    def get_help_text(self):
        return _("密码至少要有 %(min_length)d 个字符。") % {"min_length": self.min_length}


class PasswordResetView(auth_views.PasswordResetView):
    """Django's, with the link in the email made from SITE_URL (as every email's links are), not from the Host
    header of whoever asked."""

    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"

    def form_valid(self, form):
        self.extra_email_context = {"site_url": settings.SITE_URL}
        return super().form_valid(form)
