from django.contrib.auth import views as auth_views
from django.shortcuts import render
from django.utils.translation import gettext as _

from .models import Practice, Status
from .rules import is_city_official, is_coordinator, is_reviewer
from .selectors import published_batches, status_counts, user_city

HOME_BATCHES = 10


def home(request):
    """The front page: what bizenv is, the latest published batches, and for staff where their work stands."""
    user = request.user
    shown, counts, caption, open_reviews = [], {}, "", None
    if is_city_official(user) and user_city(user):
        shown = list(Status)
        counts = status_counts(Practice.objects.filter(city=user_city(user)))
        caption = _("%(city)s的经验做法") % {"city": user_city(user).name}
    elif is_coordinator(user):
        # Drafts belong to the cities until they submit them.
        shown = [status for status in Status if status != Status.DRAFT]
        counts = status_counts(Practice.objects.filter(status__in=shown))
        caption = _("各市提交的经验做法")
    if is_reviewer(user):
        open_reviews = user.reviews.filter(submitted_at__isnull=True).count()
    rows = [(status.label, counts.get(status.value, 0)) for status in shown]
    context = {
        "status_rows": rows,
        "status_caption": caption,
        "open_reviews": open_reviews,
        "batches": published_batches()[:HOME_BATCHES],
    }
    return render(request, "home.html", context)


class LogoutView(auth_views.LogoutView):
    """Signing out is a POST; a GET (a typed or bookmarked URL) asks for confirmation instead of a bare 405."""

    http_method_names = ["get", "post", "options"]

    def get(self, request, *args, **kwargs):
        return render(request, "registration/logout_confirm.html")
