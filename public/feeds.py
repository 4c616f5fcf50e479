"""/feeds/batches.atom: the published batches as an Atom feed."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from batches.enums import BatchStatus
from batches.models import Batch


class BatchFeed(Feed):
    """/feeds/batches.atom: one entry per published batch."""

    feed_type = Atom1Feed
    title = "优化营商环境典型经验做法"
    subtitle = "已发布的批次"
    link = "/batches/"

    def items(self):
        return Batch.objects.filter(status=BatchStatus.PUBLISHED).order_by("-published_at")[:50]

    def item_title(self, item):
        return item.title

    def item_description(self, item):
        return item.lead

    def item_link(self, item):
        return reverse("batch_detail", args=[item.year, item.sequence])

    def item_pubdate(self, item):
        return item.published_at

    def item_updateddate(self, item):
        return item.published_at
