from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from daiban.common.forms import DateField, limit_choices
from daiban.organizations.forms import PersonChoiceField
from daiban.organizations.models import User

from .models import Callback, Level
from .services import COMMENT_MAX, TEXT_MAX, CallbackData, RawLevel

LEVEL_CHOICES: list[tuple[str, Any]] = [(str(v), label) for v, label in Level.choices]


def _level_field(label: Any, *, required: bool = True) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label,
        choices=LEVEL_CHOICES if required else [("", "—"), *LEVEL_CHOICES],
        coerce=int,
        widget=forms.RadioSelect if required else forms.Select,
        required=required,
        empty_value=None,
        error_messages={
            "required": _("Choose one of the five levels, from very satisfied to very dissatisfied.")
        },
    )


class EvaluationForm(forms.Form):
    attitude = _level_field(_("attitude"))
    efficiency = _level_field(_("efficiency"))
    integrity = _level_field(_("integrity"))
    comment = forms.CharField(
        label=_("comment"),
        required=False,
        max_length=COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_MAX}),
        help_text=_("Required when you are dissatisfied: tell us what went wrong."),
    )


class ComplaintForm(forms.Form):
    agent = PersonChoiceField(label=_("agent concerned"), queryset=User.objects.none(), required=False)
    text = forms.CharField(
        label=_("what happened"),
        min_length=10,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": TEXT_MAX}),
    )

    def __init__(self, *args: Any, agents: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "agent", User.objects.filter(pk__in=[a.pk for a in agents]))


YES_NO = [("", _("not asked")), ("no", _("No")), ("yes", _("Yes"))]


class CallbackForm(forms.Form):
    called_on = DateField(label=_("date of the call"))
    method = forms.ChoiceField(label=_("call-back method"), choices=Callback.Method.choices)
    reached = forms.TypedChoiceField(
        label=_("reached the applicant"),
        choices=[("yes", _("Yes")), ("no", _("No"))],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    contact_person = forms.CharField(label=_("person spoken to"), max_length=64, required=False)
    overall = _level_field(_("overall satisfaction"), required=False)
    asked_for_money = forms.TypedChoiceField(
        label=_("was asked for fees or favours beyond the statutory fees"),
        choices=YES_NO,
        required=False,
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    remarks = forms.CharField(
        label=_("answers and remarks"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
    )
    complaint = forms.CharField(
        label=_("complaint"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": TEXT_MAX}),
        help_text=_("A complaint opens a rectification."),
    )

    def __init__(self, *args: Any, agents: list[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.agents = agents
        for agent in agents:
            self.fields[f"rating_{agent.pk}"] = _level_field(
                _("your rating of %(agent)s") % {"agent": agent.display_name}, required=False
            )

    def callback_data(self) -> CallbackData:
        c = self.cleaned_data
        return CallbackData(
            called_on=c["called_on"],
            reached=c["reached"],
            method=c["method"],
            contact_person=c["contact_person"],
            overall=c["overall"],
            asked_for_money=c["asked_for_money"],
            remarks=c["remarks"],
            complaint=c["complaint"],
        )

    def ratings(self) -> dict[int, RawLevel]:
        return {a.pk: self.cleaned_data.get(f"rating_{a.pk}") for a in self.agents}


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("note"),
        required=False,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": TEXT_MAX}),
    )


class OwnerForm(forms.Form):
    owner = PersonChoiceField(label=_("owner"), queryset=User.objects.none())

    def __init__(self, *args: Any, people: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "owner", people)
