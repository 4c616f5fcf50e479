"""What the 复制推广 tests share: a published batch, a signed-in client."""

from batches import services as batches
from batches.enums import EntryScope
from practices.enums import Status
from tests.factories import IndicatorFactory, PracticeFactory


def publish(city, coordinator, n=1, year=2024, scope=EntryScope.REPLICATE):
    practices = [PracticeFactory(city=city, indicator=IndicatorFactory(), status=Status.APPROVED) for _ in range(n)]
    batch = batches.batch_create(year=year)
    batches.batch_add(batch=batch, practices=practices, scope=scope)
    return batches.batch_publish(batch=batch, by=coordinator)


def login(client, user):
    if user is not None:
        client.force_login(user)
    return client
