"""Django admin: API tokens are listed and revoked, never shown; users can be unlocked and their tokens ended."""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from knox.models import AuthToken

from accounts import lockout, tokens

# knox's own admin lists token digests and can mint a token for any user, shown to the admin.
admin.site.unregister(AuthToken)


@admin.register(AuthToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Every user's live and expired tokens: who, when, until when; ADMIN deletes one to revoke it."""

    list_display = ["user", "starts_with", "created", "expiry"]
    list_filter = ["created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["user__username"]
    fields = readonly_fields = ["user", "starts_with", "created", "expiry"]

    @admin.display(description="Starts with")
    def starts_with(self, token):
        return tokens.starts_with(token) + "…"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    """Django's user admin, with unlocking a login and ending a user's API tokens."""

    actions = ["unlock_login", "end_api_tokens"]

    @admin.action(description="Unlock login of selected users (forget their failed logins)", permissions=["change"])
    def unlock_login(self, request, queryset):
        cleared = sum(lockout.unlock(user.get_username()) for user in queryset)
        self.message_user(request, f"{queryset.count()} user(s) unlocked ({cleared} failed-login record(s) cleared).")

    @admin.action(description="End all API tokens of selected users", permissions=["change"])
    def end_api_tokens(self, request, queryset):
        ended = sum(tokens.revoke_all(user) for user in queryset)
        self.message_user(request, f"{ended} API token(s) ended.", messages.SUCCESS)
