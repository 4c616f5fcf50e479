from django.contrib import admin

from .models import Adoption, AdoptionEvent, AdoptionPlan, AdoptionResult


class AdoptionResultInline(admin.TabularInline):
    """Measured results as the city reported them: changed by a report only."""

    model = AdoptionResult
    extra = 0
    readonly_fields = ["order", "measure", "before", "after", "unit"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class AdoptionEventInline(admin.TabularInline):
    """The row's history: written by the services, never edited here."""

    model = AdoptionEvent
    extra = 0
    readonly_fields = ["kind", "from_status", "to_status", "actor", "note", "created_at"]
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["practice", "city", "status", "owed", "adopted_on", "excused_at", "updated_at"]
    list_filter = ["status", "owed", "city"]
    search_fields = ["practice__title", "city__name", "result", "reason"]
    list_select_related = ["practice", "city"]
    raw_id_fields = ["practice"]
    # A report, an excuse and the evidence go through the services (an event each, the version, the statistics):
    # the admin shows them only.
    readonly_fields = [
        *("status", "adopted_on", "result", "reason", "excused_at", "excuse"),
        *("evidence", "evidence_name", "evidence_type", "evidence_size"),
        *("version", "order", "created_at", "updated_at", "updated_by"),
    ]
    inlines = [AdoptionResultInline, AdoptionEventInline]


@admin.register(AdoptionPlan)
class AdoptionPlanAdmin(admin.ModelAdmin):
    list_display = ["batch", "deadline", "updated_at"]
    search_fields = ["batch__title"]
    list_select_related = ["batch"]
