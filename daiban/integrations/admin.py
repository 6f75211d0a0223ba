"""Subscriptions and their deliveries in the admin, scoped to the jurisdictions a person administers.

Deliveries are read-only (the system writes them); a failed or lost one is sent again with the replay
action. The signing secret is shown to the administrators who hand it to the subscriber, and kept out of
the audit trail's snapshots."""

from typing import Any

from django import forms
from django.contrib import admin
from django.db import models, transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from daiban.common.admin import JurisdictionScopedAdmin, refuse_outside_scope
from daiban.common.audit import admin_verb, record, snapshot

from .models import EventType, WebhookDelivery, WebhookSubscription
from .services import replay_delivery

AUDITED_FIELDS = ["jurisdiction", "name", "url", "event_types", "format", "active"]


class SubscriptionForm(forms.ModelForm[WebhookSubscription]):
    url = forms.URLField(label=gettext_lazy("URL"), max_length=500, assume_scheme="https")
    event_types = forms.MultipleChoiceField(
        label=gettext_lazy("event types"),
        choices=EventType.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = WebhookSubscription
        fields = ["jurisdiction", "name", "url", "event_types", "format", "secret", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("format") == WebhookSubscription.Format.PROVINCIAL_RATING and data.get("event_types") != [
            EventType.EVALUATION_RECEIVED
        ]:
            self.add_error(
                "event_types", _("The provincial 好差评 system receives evaluations only: choose just that.")
            )
        return data


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(JurisdictionScopedAdmin):
    form = SubscriptionForm
    list_display = ["name", "jurisdiction", "url", "format", "active", "failing_in_a_row", "alerted_at"]
    list_filter = ["jurisdiction", "format", "active"]
    search_fields = ["name", "url"]
    readonly_fields = ["failing_in_a_row", "alerted_at", "created_at"]

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        refuse_outside_scope(request, obj)
        with transaction.atomic():
            before = snapshot(type(obj).objects.get(pk=obj.pk), AUDITED_FIELDS) if change and obj.pk else None
            obj.save()
            after = snapshot(obj, AUDITED_FIELDS)
            if change and before is not None:
                after["secret_changed"] = form is not None and "secret" in form.changed_data
            record(
                actor=request.user,
                verb=admin_verb(obj, "changed" if change else "added"),
                target=obj,
                before=before,
                after=after,
            )

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        refuse_outside_scope(request, obj)
        with transaction.atomic():
            record(
                actor=request.user,
                verb=admin_verb(obj, "deleted"),
                target=obj,
                before=snapshot(obj, AUDITED_FIELDS),
            )
            obj.delete()


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(JurisdictionScopedAdmin):
    list_display = [
        "created_at",
        "event_type",
        "subscription",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error",
    ]
    list_filter = ["status", "event_type", "subscription"]
    search_fields = ["delivery_key", "last_error"]
    actions = ["replay_action"]
    formfield_overrides = {models.JSONField: {"widget": forms.Textarea(attrs={"rows": 8})}}

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [f.name for f in WebhookDelivery._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        """Read-only as a record, but its administrators may send it again."""
        actions = super().get_actions(request)
        if not self._may_write(request):
            actions.pop("replay_action", None)
        return actions

    @admin.action(description=gettext_lazy("Send the selected deliveries again"))
    def replay_action(self, request: HttpRequest, queryset: QuerySet[WebhookDelivery]) -> None:
        count = 0
        for delivery in queryset.select_related("subscription__jurisdiction"):
            refuse_outside_scope(request, delivery)
            replay_delivery(delivery=delivery, by=request.user)  # type: ignore[arg-type]
            count += 1
        self.message_user(request, _("%(n)s deliveries will be sent again.") % {"n": count})
