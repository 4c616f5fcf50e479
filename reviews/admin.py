from django.contrib import admin

from .models import Criterion, Review, Score


@admin.register(Criterion)
class CriterionAdmin(admin.ModelAdmin):
    list_display = ["name", "weight", "max_score", "active", "order"]
    list_filter = ["active"]
    search_fields = ["name", "description"]


class ScoreInline(admin.TabularInline):
    model = Score
    extra = 0


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["practice", "round", "reviewer", "recommendation", "assigned_at", "submitted_at"]
    list_filter = ["recommendation", "round", "reviewer", "practice__city"]
    search_fields = ["practice__title", "reviewer__username", "comment_to_city", "internal_note"]
    list_select_related = ["practice", "reviewer"]
    inlines = [ScoreInline]


@admin.register(Score)
class ScoreAdmin(admin.ModelAdmin):
    list_display = ["review", "criterion", "value", "max_score", "weight"]
    list_filter = ["criterion"]
    search_fields = ["review__practice__title", "review__reviewer__username"]
    list_select_related = ["review__practice", "review__reviewer", "criterion"]
