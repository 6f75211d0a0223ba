from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from daiban.catalogue.models import ApprovalItem
from daiban.common.forms import DateField, OptionalRowForm, limit_choices
from daiban.common.validators import normalize_uscc
from daiban.organizations.models import Jurisdiction, Unit
from daiban.projects.models import Applicant

from .models import Consultation
from .services import ANSWER_MAX, QUESTION_MAX, FollowUpData, MeetingData, Question


class QuestionFields(forms.Form):
    topic = forms.ChoiceField(label=_("topic"), choices=Consultation.Topic.choices)
    approval_items = forms.ModelMultipleChoiceField(
        label=_("approval items concerned"),
        queryset=ApprovalItem.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    question = forms.CharField(
        label=_("question"),
        min_length=10,
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": QUESTION_MAX}),
    )

    def __init__(self, *args: Any, items: QuerySet[ApprovalItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "approval_items", items)

    def question_data(self) -> Question:
        c = self.cleaned_data
        return Question(topic=c["topic"], question=c["question"], approval_items=list(c["approval_items"]))


class AskForm(QuestionFields):
    applicant = forms.ModelChoiceField(label=_("enterprise"), queryset=Applicant.objects.none())
    field_order = ["applicant", "topic", "approval_items", "question"]

    def __init__(self, *args: Any, applicants: QuerySet[Applicant], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "applicant", applicants)
        if applicants.count() == 1:
            self.fields["applicant"].initial = applicants.first()


class RecordQuestionForm(QuestionFields):
    jurisdiction = forms.ModelChoiceField(label=_("jurisdiction"), queryset=Jurisdiction.objects.none())
    channel = forms.ChoiceField(
        label=_("channel"),
        choices=[(c, label) for c, label in Consultation.Channel.choices if c != Consultation.Channel.ONLINE],
    )
    asker_name = forms.CharField(label=_("asked by"), max_length=64)
    asker_mobile = forms.CharField(label=_("mobile"), max_length=20, required=False)
    uscc = forms.CharField(
        label=_("enterprise's unified social credit code (if known)"), max_length=18, required=False
    )
    field_order = [
        "jurisdiction",
        "channel",
        "asker_name",
        "asker_mobile",
        "uscc",
        "topic",
        "approval_items",
        "question",
    ]

    def __init__(self, *args: Any, jurisdictions: QuerySet[Jurisdiction], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "jurisdiction", jurisdictions)
        if jurisdictions.count() == 1:
            self.fields["jurisdiction"].initial = jurisdictions.first()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        code, jurisdiction = normalize_uscc(cleaned.get("uscc") or ""), cleaned.get("jurisdiction")
        cleaned["applicant"] = None
        if code and jurisdiction is not None:
            cleaned["applicant"] = Applicant.objects.filter(jurisdiction=jurisdiction, uscc=code).first()
            if cleaned["applicant"] is None:
                self.add_error("uscc", _("No enterprise with this code is registered here; leave it empty."))
        return cleaned


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("answer"),
        min_length=5,
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 5, "maxlength": ANSWER_MAX}),
    )


class PublishForm(forms.Form):
    question = forms.CharField(
        label=_("question as published"),
        min_length=10,
        max_length=QUESTION_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Reword it so that no enterprise or person can be recognised."),
    )
    answer = forms.CharField(
        label=_("answer as published"),
        min_length=5,
        max_length=ANSWER_MAX,
        widget=forms.Textarea(attrs={"rows": 5}),
    )


class MeetingForm(forms.Form):
    held_on = DateField(label=_("held on"))
    place = forms.CharField(label=_("place"), max_length=200)
    departments = forms.ModelMultipleChoiceField(
        label=_("units attending"),
        queryset=Unit.objects.none(),
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )
    participants = forms.CharField(
        label=_("participants"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2})
    )
    topics = forms.CharField(label=_("topics"), max_length=2000, widget=forms.Textarea(attrs={"rows": 2}))
    decisions = forms.CharField(
        label=_("decisions"), max_length=4000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "departments", units)


class FollowUpForm(OptionalRowForm):
    together = ("task", "owner_unit", "due_on")
    incomplete = _("A follow-up needs a task, an owning unit and a due date.")
    task = forms.CharField(label=_("task"), max_length=255, required=False)
    owner_unit = forms.ModelChoiceField(label=_("owner"), queryset=Unit.objects.none(), required=False)
    due_on = DateField(label=_("due on"), required=False)

    def __init__(self, *args: Any, units: QuerySet[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limit_choices(self, "owner_unit", units)


FOLLOW_UP_ROWS = 3


def meeting_data(meeting: MeetingForm, follow_ups: list[FollowUpForm]) -> MeetingData:
    c = meeting.cleaned_data
    rows = [f.cleaned_data for f in follow_ups if f.cleaned_data.get("task")]
    return MeetingData(
        held_on=c["held_on"],
        place=c["place"],
        departments=list(c["departments"]),
        participants=c["participants"],
        topics=c["topics"],
        decisions=c["decisions"],
        follow_ups=[
            FollowUpData(task=r["task"], owner_unit=r["owner_unit"], due_on=r["due_on"]) for r in rows
        ],
    )
