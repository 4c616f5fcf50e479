"""What reviews adds to the pages of the apps below it (connected in ReviewsConfig.ready())."""

from django.dispatch import receiver

from practices.models import Practice
from practices.signals import city_practice_shown

from .selectors import comments_to_city


@receiver(city_practice_shown, sender=Practice, dispatch_uid="reviews.city_comments")
def city_comments(sender, practice, user, **kwargs):
    """The city's page of a practice shows what the reviewers wrote for the city (never who, never their notes)."""
    return {"city_comments": comments_to_city(practice)}
