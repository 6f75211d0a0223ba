"""API clients in the admin, scoped by jurisdiction; a key's secret is shown once, when it is issued."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daiban.common.admin import JurisdictionScopedAdmin, ScopedInline

from .models import ApiClient, ApiKey, Scope
from .services import IssuedKey, issue_key, revoke_key, rotate_key


class ApiClientForm(forms.ModelForm[ApiClient]):
    scopes = forms.MultipleChoiceField(
        label=gettext_lazy("scopes"),
        choices=Scope.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    class Meta:
        model = ApiClient
        fields = ["name", "jurisdiction", "scopes", "rate_limit_per_minute", "is_active"]


class ApiKeyInline(ScopedInline):
    model = ApiKey
    fields = ("key_id", "created_at", "expires_at", "revoked_at")
    readonly_fields = ("key_id", "created_at", "expires_at", "revoked_at")
    extra = 0
    can_delete = False


def _show_once(request: HttpRequest, issued: IssuedKey) -> None:
    messages.warning(
        request,
        _("New key %(id)s — secret (shown only now, store it safely): %(secret)s")
        % {"id": issued.key.key_id, "secret": issued.secret},
    )


@admin.register(ApiClient)
class ApiClientAdmin(JurisdictionScopedAdmin):
    form = ApiClientForm
    list_display = ["name", "jurisdiction", "is_active", "created_at"]
    list_filter = ["jurisdiction", "is_active"]
    inlines = [ApiKeyInline]
    actions = ["rotate", "revoke_all"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)
        if not change:
            _show_once(request, issue_key(client=obj, by=request.user))  # type: ignore[arg-type]

    @admin.action(description=gettext_lazy("Rotate key (old key valid 7 more days)"))
    def rotate(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for client in queryset:
            _show_once(request, rotate_key(client=client, by=request.user))  # type: ignore[arg-type]

    @admin.action(description=gettext_lazy("Revoke every key"))
    def revoke_all(self, request: HttpRequest, queryset: QuerySet[ApiClient]) -> None:
        for key in ApiKey.objects.filter(client__in=queryset, revoked_at__isnull=True).select_related(
            "client"
        ):
            revoke_key(key=key, by=request.user)  # type: ignore[arg-type]
