"""Admin for the cases app: each jurisdiction's routing policy (ADR 0022), chosen and edited by its
administrator. The parameters are checked by the chosen strategy before anything is saved; the save goes
through `set_routing_policy` (audited with what it was before). Requests already submitted keep their
stored routing."""

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from daiban.common.admin import JurisdictionScopedAdmin, refuse_outside_scope

from .models import RoutingPolicy
from .routing import STRATEGIES, strategy
from .services.routing import set_routing_policy


class RoutingPolicyForm(forms.ModelForm[RoutingPolicy]):
    class Meta:
        model = RoutingPolicy
        fields = ["jurisdiction", "policy", "parameters"]
        help_texts = {
            "parameters": _(
                "JSON. park_committee_or_department: park_kinds, township_role; "
                "working_group_member: working_group, match (department_stage, department, stage), "
                "locality_role. Missing names take their defaults."
            )
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        jurisdiction, policy = data.get("jurisdiction"), data.get("policy")
        if jurisdiction is not None and policy in STRATEGIES:
            try:
                data["parameters"] = strategy(policy).clean(data.get("parameters"), jurisdiction)
            except ValidationError as exc:
                self.add_error("parameters", exc.messages)
        return data


@admin.register(RoutingPolicy)
class RoutingPolicyAdmin(JurisdictionScopedAdmin):
    form = RoutingPolicyForm
    list_display = ["jurisdiction", "policy", "changed_at", "changed_by"]
    readonly_fields = ["changed_at", "changed_by"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        # One policy per jurisdiction: once chosen, the jurisdiction of the row does not move.
        return [*self.readonly_fields, "jurisdiction"] if obj is not None else self.readonly_fields

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        refuse_outside_scope(request, obj)
        saved = set_routing_policy(
            jurisdiction=obj.jurisdiction,
            policy=obj.policy,
            parameters=obj.parameters,
            by=request.user,  # type: ignore[arg-type]
        )
        obj.pk = saved.pk
