import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from batches.models import Batch, BatchEntry
from practices.models import City, Indicator, Membership, Practice
from reviews.models import Criterion, Review


class CityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = City
        django_get_or_create = ["code"]

    code = factory.Sequence(lambda n: f"{620100 + n * 100:06d}")
    name = factory.Sequence(lambda n: f"测试{n}市")
    short_name = factory.Sequence(lambda n: f"测试{n}")


class IndicatorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Indicator
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"测试指标{n}")
    slug = factory.Sequence(lambda n: f"test-indicator-{n}")


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("demo")

    @factory.post_generation
    def role(user, create, extracted, **kwargs):
        if extracted:
            # get_or_create: a transactional test before this one may have flushed the migration's groups.
            user.groups.add(Group.objects.get_or_create(name=extracted)[0])

    @factory.post_generation
    def city(user, create, extracted, **kwargs):
        if extracted:
            Membership.objects.update_or_create(user=user, defaults={"city": extracted})


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    city = factory.SubFactory(CityFactory)
    indicator = factory.SubFactory(IndicatorFactory)
    title = factory.Sequence(lambda n: f"测试经验做法{n}")
    summary = "摘要"
    body = "正文第一段。\n\n正文第二段。"


class CriterionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Criterion
        django_get_or_create = ["name"]

    name = factory.Sequence(lambda n: f"标准{n}")
    weight = 25
    max_score = 10


class ReviewFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Review

    practice = factory.SubFactory(PracticeFactory)
    reviewer = factory.SubFactory(UserFactory, role="reviewer")


class BatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Batch

    year = 2022
    sequence = factory.Sequence(lambda n: n + 1)
    title = factory.LazyAttribute(lambda b: f"{b.year}年第{b.sequence}批优化营商环境典型经验做法")
    published_at = None
    # Published here, a batch is announced the day it is published (batch_publish() dates it so).
    announced_on = factory.LazyAttribute(lambda b: timezone.localdate(b.published_at) if b.published_at else None)


class BatchEntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BatchEntry

    batch = factory.SubFactory(BatchFactory)
    practice = factory.SubFactory(PracticeFactory)
    number = factory.Sequence(lambda n: n + 1)


def published_batches_in_bulk(count: int, years: range = range(2000, 2100)) -> list[Batch]:
    """`count` published batches spread over `years`, the latest years first, inserted together (no history, no
    entries); each with the longest row the batch list shows: a date, and a note that it holds less than announced."""
    now = timezone.now()
    batches = []
    for i in range(count):
        year, sequence = years[-1 - i % len(years)], i // len(years) + 1
        title = f"{year}年第{sequence}批优化营商环境典型经验做法"
        fields = {"status": "published", "published_at": now, "announced_on": now.date(), "announced_total": 36}
        batches.append(Batch(year=year, sequence=sequence, title=title, **fields))
    return Batch.objects.bulk_create(batches)
