from django.contrib import admin

from .models import Adoption


@admin.register(Adoption)
class AdoptionAdmin(admin.ModelAdmin):
    list_display = ["practice", "city", "declared_by", "declared_at"]
    list_filter = ["city"]
    search_fields = ["practice__title", "city__name", "result"]
    list_select_related = ["practice", "city", "declared_by"]
