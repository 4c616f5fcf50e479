"""The province's matrix filter."""

import pytest

from adoptions.forms import MatrixFilter
from practices import regions
from practices.services import outside_city

pytestmark = pytest.mark.django_db


def test_the_matrix_offers_the_provinces_own_cities_only(xian):
    rizhao = outside_city(regions.get("371100"))
    choices = [label for _value, label in MatrixFilter().fields["city"].choices]
    assert choices == ["全部城市", "西安市"]
    form = MatrixFilter({"city": rizhao.code})
    assert not form.is_valid() and "city" in form.errors
