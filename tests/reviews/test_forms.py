"""The review queue's filters."""

import pytest

from practices import regions
from practices.services import outside_city
from reviews.forms import QueueFilter

pytestmark = pytest.mark.django_db


def test_the_queues_city_filter_offers_the_provinces_own_cities_only(xian):
    outside_city(regions.get("371100"))
    choices = [label for _value, label in QueueFilter(request=None).form.fields["city"].choices]
    assert choices == ["全部城市", "西安市"]
