"""/feeds/batches.atom: the published batches as an Atom feed."""

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from batches.enums import BatchStatus
from batches.models import Batch


class TextAtomFeed(Atom1Feed):
    """Atom whose entries' summaries are text (type="text"), not HTML: a lead is what a city or an imported web
    page wrote, and a feed reader must show "<img onerror=…>" as those characters, never run it."""

    def add_item_elements(self, handler, item):
        summary = item["description"]
        super().add_item_elements(handler, {**item, "description": None})
        if summary:
            handler.addQuickElement("summary", summary, {"type": "text"})


class BatchFeed(Feed):
    """/feeds/batches.atom: one entry per published batch."""

    feed_type = TextAtomFeed
    title = _("优化营商环境典型经验做法")
    subtitle = _("已发布的批次")
    link = "/batches/"

    def items(self):
        # Not the text each was imported from: fifty announcements read whole for their titles and leads.
        published = Batch.objects.filter(status=BatchStatus.PUBLISHED).defer("source_text", "import_warnings")
        return published.order_by("-published_at")[:50]

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
