"""What reviews adds to what the apps below it do (connected in ReviewsConfig.ready()): the city's page of a
practice shows the reviewers' comments meant for the city; a submission reaches the coordinators' inbox."""

from django.dispatch import receiver
from django.urls import reverse
from django.utils.translation import gettext as _

from practices.models import Practice
from practices.notifications import coordinators, notify
from practices.signals import city_practice_shown, practice_submitted

from .selectors import comments_to_city


@receiver(city_practice_shown, sender=Practice, dispatch_uid="reviews.city_comments")
def city_comments(sender, practice, user, **kwargs):
    """The city's page of a practice shows what the reviewers wrote for the city (never who, never their notes)."""
    return {"city_comments": comments_to_city(practice)}


@receiver(practice_submitted, sender=Practice, dispatch_uid="reviews.tell_coordinators")
def tell_coordinators(sender, practice, by, **kwargs):
    """A submitted practice waits for the coordinators to assign reviewers: their inbox says so."""
    notify(
        coordinators(),
        subject=lambda: _("%(city)s提交了经验做法：%(title)s") % {"city": practice.city.name, "title": practice.title},
        message=lambda: _("第%(round)d轮，等待分配评审。") % {"round": practice.round},
        link=reverse("review_practice", args=[practice.pk]),
    )
