from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from bizenv.web.accounts import send_invitation

from .enums import CityKind, Role
from .models import (
    Attachment,
    City,
    Indicator,
    Membership,
    NotificationPreference,
    Practice,
    PracticeEvent,
    PracticeResult,
)


@admin.register(City)
class CityAdmin(admin.ModelAdmin):
    list_display = ["name", "short_name", "code", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "short_name", "code"]
    ordering = ["order", "code"]


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "kind", "order"]
    list_filter = ["kind"]
    search_fields = ["name", "slug"]


class PracticeResultInline(admin.TabularInline):
    model = PracticeResult
    extra = 0


class AttachmentInline(admin.TabularInline):
    model = Attachment
    extra = 0
    fields = ["file", "original_name", "content_type", "size", "is_public", "uploaded_by", "uploaded_at"]
    # Files arrive only through the portal (services.attachment_add): checked by content, stored under generated names.
    readonly_fields = ["file", "content_type", "size", "uploaded_at"]


class PracticeEventInline(admin.TabularInline):
    model = PracticeEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "from_status", "to_status", "round", "actor", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        # The timeline is written by the workflow only.
        return False


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["title", "city", "indicator", "status", "round", "updated_at"]
    list_filter = ["status", "city", "indicator", "round"]
    search_fields = ["title", "summary", "body"]
    list_select_related = ["city", "indicator"]
    date_hierarchy = "updated_at"
    # Status, round and version change only through the workflow and the optimistic lock.
    readonly_fields = ["status", "round", "version", "created_at", "updated_at", "created_by", "updated_by"]
    inlines = [PracticeResultInline, AttachmentInline, PracticeEventInline]


@admin.register(PracticeEvent)
class PracticeEventAdmin(admin.ModelAdmin):
    list_display = ["practice", "from_status", "to_status", "round", "actor", "created_at"]
    list_filter = ["to_status", "from_status"]
    search_fields = ["practice__title", "note", "actor__username"]
    list_select_related = ["practice", "actor"]

    # The timeline is the record of who did what: written by the workflow only, never changed nor deleted here.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Attachment)
class AttachmentAdmin(admin.ModelAdmin):
    list_display = ["original_name", "practice", "content_type", "size", "is_public", "uploaded_at"]
    list_filter = ["is_public", "content_type"]
    search_fields = ["original_name", "practice__title"]
    list_select_related = ["practice"]
    readonly_fields = ["file", "content_type", "size", "sha256", "uploaded_at"]  # see AttachmentInline


@admin.register(PracticeResult)
class PracticeResultAdmin(admin.ModelAdmin):
    list_display = ["measure", "before", "after", "unit", "practice"]
    list_filter = ["practice__city"]
    search_fields = ["measure", "practice__title"]
    list_select_related = ["practice"]


class OwnCitiesOnly:
    """A user's city is one of the province's own: a region outside it (CityKind.OUTSIDE) is never offered."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "city":
            kwargs["queryset"] = City.objects.exclude(kind=CityKind.OUTSIDE)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


@admin.register(Membership)
class MembershipAdmin(OwnCitiesOnly, admin.ModelAdmin):
    list_display = ["user", "city", "phone"]
    list_filter = [("city", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["user__username", "user__first_name", "user__last_name", "city__name"]
    list_select_related = ["user", "city"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin):
    list_display = ["user", "email", "updated_at"]
    list_filter = ["email"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "user__email"]
    list_select_related = ["user"]


class MembershipInline(OwnCitiesOnly, admin.StackedInline):
    model = Membership
    can_delete = False
    extra = 0
    max_num = 1


class BizenvUserChangeForm(UserChangeForm):
    def clean(self):
        cleaned = super().clean()
        groups = cleaned.get("groups")
        # The membership inline is a formset of its own, validated apart from this form; its city arrives in
        # the same POST, so the rule "a city official belongs to a city" is checked here, across both.
        is_official = groups is not None and groups.filter(name=Role.CITY_OFFICIAL).exists()
        if is_official and not self.data.get(f"{MEMBERSHIP_PREFIX}-0-city"):
            raise ValidationError(_("填报员必须属于一个城市：请在下方“所属单位”中选择城市。"), code="city_required")
        return cleaned


User = get_user_model()
MEMBERSHIP_PREFIX = Membership.user.field.related_query_name()
admin.site.unregister(User)


@admin.register(User)
class BizenvUserAdmin(UserAdmin):
    form = BizenvUserChangeForm
    inlines = [MembershipInline]
    list_display = ["username", "first_name", "last_name", "email", "is_staff", "is_active"]
    list_filter = ["groups", ("membership__city", admin.RelatedOnlyFieldListFilter), "is_staff", "is_active"]
    actions = ["invite"]

    @admin.action(description=_("发送设置密码的邀请邮件"))
    def invite(self, request, queryset):
        """An account made here without a password (Django's "password-based authentication: disabled") gets the
        same one-time link as one the coordinator opens at /accounts/invite/."""
        invited = [user for user in queryset if user.email]
        for user in invited:
            send_invitation(user, by=request.user)
        self.message_user(request, _("已向 %(n)d 个账号发送邀请邮件。") % {"n": len(invited)}, messages.SUCCESS)
        if len(invited) < queryset.count():
            self.message_user(request, _("没有电子邮箱的账号未发送，请先填写邮箱。"), messages.WARNING)
