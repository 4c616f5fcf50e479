"""The admin of batches: a published batch and its entries are read-only there."""

import pytest
from django.contrib.auth import get_user_model

from tests.factories import BatchFactory
from tests.public.test_views import entry, published_batch

pytestmark = pytest.mark.django_db


def test_published_batches_are_read_only_in_the_admin(client, db):
    batch = published_batch()
    entry(batch, 1)
    client.force_login(get_user_model().objects.create_superuser("it", password="x"))
    html = client.get(f"/admin/batches/batch/{batch.pk}/change/").content.decode()
    assert 'name="_save"' not in html
    draft = BatchFactory(year=2030, sequence=1)
    assert 'name="_save"' in client.get(f"/admin/batches/batch/{draft.pk}/change/").content.decode()
