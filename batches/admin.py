from django.contrib import admin

from .enums import BatchStatus
from .models import Batch, BatchEntry, Erratum


class PublishedIsFrozen:
    """A published batch and its entries change only through errata: read-only here too."""

    def _published(self, obj):
        batch = getattr(obj, "batch", obj)
        return batch is not None and getattr(batch, "status", None) == BatchStatus.PUBLISHED

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and not self._published(obj)

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and not self._published(obj)


class BatchEntryInline(PublishedIsFrozen, admin.TabularInline):
    model = BatchEntry
    extra = 0
    fields = ["number", "practice", "scope", "title", "city_name", "indicator_name"]
    raw_id_fields = ["practice"]

    def has_add_permission(self, request, obj=None):
        return super().has_add_permission(request, obj) and not self._published(obj)


@admin.register(Batch)
class BatchAdmin(PublishedIsFrozen, admin.ModelAdmin):
    list_display = ["title", "year", "sequence", "status", "published_at", "announced_on"]
    list_filter = ["status", "year"]
    search_fields = ["title", "lead"]
    inlines = [BatchEntryInline]


@admin.register(BatchEntry)
class BatchEntryAdmin(PublishedIsFrozen, admin.ModelAdmin):
    list_display = ["number", "title", "city_name", "indicator_name", "batch", "scope"]
    list_filter = ["batch", "scope", "indicator_name"]
    search_fields = ["title", "city_name", "body"]
    list_select_related = ["batch"]
    raw_id_fields = ["practice"]


@admin.register(Erratum)
class ErratumAdmin(admin.ModelAdmin):
    list_display = ["batch", "text", "created_at", "created_by"]
    list_filter = ["batch"]
    search_fields = ["text", "batch__title"]
