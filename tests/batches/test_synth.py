import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

from batches.models import Batch, BatchEntry
from practices.enums import Source, Status
from practices.models import Practice

pytestmark = pytest.mark.django_db


def test_synth_practices_publishes_spread_out_volume(client):
    call_command("synth_practices", "120", stdout=io.StringIO())
    practices = Practice.objects.filter(source=Source.SYNTHETIC)
    assert practices.count() == 120 and set(practices.values_list("status", flat=True)) == {Status.PUBLISHED}
    assert Batch.objects.count() == 3  # 50 + 50 + 20
    for batch in Batch.objects.all():
        assert list(batch.entries.order_by("number").values_list("number", flat=True)) == list(
            range(1, batch.entries.count() + 1)
        )
    assert len(Counter(practices.values_list("city", flat=True))) > 5
    assert len(Counter(practices.values_list("indicator", flat=True))) > 5
    assert len(set(Batch.objects.values_list("year", flat=True))) == 3
    assert "陜" not in "".join(BatchEntry.objects.values_list("body", flat=True))
    assert client.get("/practices/").status_code == 200


def test_synth_practices_adds_after_what_exists():
    call_command("synth_practices", "60", stdout=io.StringIO())
    call_command("synth_practices", "60", stdout=io.StringIO())
    assert Practice.objects.count() == 120
    assert Batch.objects.filter(year=2019).count() == 2


def test_synth_practices_needs_a_positive_count():
    with pytest.raises(CommandError):
        call_command("synth_practices", "0", stdout=io.StringIO())
