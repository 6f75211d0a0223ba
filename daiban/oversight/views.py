from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from daiban.cases.models import CaseItem
from daiban.cases.permissions import agents_only
from daiban.cases.selectors import requests_visible_to
from daiban.organizations.permissions import staff_only

from .selectors import issues_visible_to
from .services import raise_issue_from_item


class IssueForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("problem"), max_length=200)
    description = forms.CharField(label=gettext_lazy("details"), widget=forms.Textarea(attrs={"rows": 3}))


@agents_only
@require_POST
def raise_from_item(request: HttpRequest, item_pk: int) -> HttpResponse:
    item = get_object_or_404(
        CaseItem.objects.filter(request__in=requests_visible_to(request.user)).select_related(
            "request__jurisdiction", "request__project", "approval_item"
        ),
        pk=item_pk,
    )
    form = IssueForm(request.POST)
    if form.is_valid():
        try:
            raise_issue_from_item(
                item=item, title=form.cleaned_data["title"], description=form.cleaned_data["description"],
                by=request.user,  # type: ignore[arg-type]
            )  # fmt: skip
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("The problem is on the reform office's issue list."))
    else:
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("cases:item_detail", pk=item.request_id, item_pk=item.pk)


@staff_only
def issue_list(request: HttpRequest) -> HttpResponse:
    issues = issues_visible_to(request.user).select_related(
        "jurisdiction", "raised_by", "case_item__approval_item", "case_item__request__project"
    )
    page = Paginator(issues, 30).get_page(request.GET.get("page"))
    return render(request, "oversight/issue_list.html", {"page": page})
