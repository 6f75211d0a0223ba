"""Form pieces for choosing people."""

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from daiban.common.forms import DateField, limit_choices

from .models import User, WorkingGroupMember


class PersonChoiceField(forms.ModelChoiceField[User]):
    """A choice of people, each shown by name (`User.display_name`) rather than by login."""

    def label_from_instance(self, obj: User) -> str:
        return obj.display_name


class SeatChoiceField(forms.ModelChoiceField[WorkingGroupMember]):
    def label_from_instance(self, obj: WorkingGroupMember) -> str:
        return (
            f"{obj.unit.short_name or obj.unit.name} · {obj.get_position_display()} · {obj.user.display_name}"
        )


class ReplacementForm(forms.Form):
    """替补: the seat being handed over, the unit's replacement, the 备案 date and why."""

    leaving = SeatChoiceField(label=_("member being replaced"), queryset=WorkingGroupMember.objects.none())
    replacement = PersonChoiceField(label=_("replacement"), queryset=User.objects.none())
    filed_on = DateField(label=_("filed on"))
    reason = forms.CharField(label=_("reason"), max_length=255)

    def __init__(
        self,
        *args: Any,
        seats: QuerySet[WorkingGroupMember],
        people: QuerySet[User],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "leaving", seats)
        limit_choices(self, "replacement", people)
