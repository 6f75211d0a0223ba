from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from daiban.common.access import public, signed_in
from daiban.common.forms import add_service_errors
from daiban.organizations.auth import AuthenticatedRequest
from daiban.organizations.permissions import staff_only

from .forms import ApplicantForm, ProjectForm, SignUpForm
from .permissions import applicant_only
from .selectors import projects_visible_to, represented_applicants
from .services import create_project, sign_up_applicant, update_applicant, update_project

PAGE_SIZE = 25


@public
def sign_up(request: HttpRequest) -> HttpResponse:
    """An enterprise registers itself for online applications (渠道一)."""
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            user, applicant = sign_up_applicant(
                jurisdiction=d["jurisdiction"],
                data=form.applicant_data(),
                username=d["username"],
                password=d["password1"],
                full_name=d["full_name"],
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Your enterprise %(name)s is registered.") % {"name": applicant.name})
            return redirect("projects:my_enterprises")
    return render(request, "projects/sign_up.html", {"form": form})


@applicant_only
def my_enterprises(request: AuthenticatedRequest) -> HttpResponse:
    applicants = represented_applicants(request.user).prefetch_related("projects__location")
    return render(request, "projects/my_enterprises.html", {"applicants": applicants})


@applicant_only
def applicant_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    applicant = get_object_or_404(represented_applicants(request.user), pk=pk)
    initial = {
        f: getattr(applicant, f) for f in ("name", "uscc", "contact_name", "contact_mobile", "address")
    }
    form = ApplicantForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            update_applicant(applicant=applicant, data=form.applicant_data(), by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Enterprise details saved."))
            return redirect("projects:my_enterprises")
    return render(request, "projects/applicant_form.html", {"form": form, "applicant": applicant})


@applicant_only
def project_create(request: AuthenticatedRequest) -> HttpResponse:
    form = ProjectForm(request.POST or None, applicants=represented_applicants(request.user))
    if request.method == "POST" and form.is_valid():
        try:
            project = create_project(
                applicant=form.cleaned_data["applicant"],
                data=form.project_data(),
                by=request.user,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Project %(name)s registered.") % {"name": project.name})
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": None})


@applicant_only
def project_edit(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    applicants = represented_applicants(request.user)
    project = get_object_or_404(projects_visible_to(request.user).filter(applicant__in=applicants), pk=pk)
    initial = {
        f: getattr(project, f)
        for f in (
            "applicant",
            "name",
            "project_code",
            "kind",
            "location",
            "address",
            "investment_amount",
            "land_area",
            "floor_area",
        )
    }
    form = ProjectForm(
        request.POST or None, applicants=applicants.filter(pk=project.applicant_id), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            update_project(project=project, data=form.project_data(), by=request.user)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Project saved."))
            return redirect("projects:project_detail", pk=project.pk)
    return render(request, "projects/project_form.html", {"form": form, "project": project})


@signed_in
def project_detail(request: AuthenticatedRequest, pk: int) -> HttpResponse:
    project = get_object_or_404(projects_visible_to(request.user), pk=pk)
    can_edit = represented_applicants(request.user).filter(pk=project.applicant_id).exists()
    return render(request, "projects/project_detail.html", {"project": project, "can_edit": can_edit})


@staff_only
def project_list(request: AuthenticatedRequest) -> HttpResponse:
    """Staff list of projects in their jurisdictions; the search box refreshes the table through htmx."""
    q = request.GET.get("q", "").strip()[:100]
    projects = projects_visible_to(request.user).order_by("-created_at", "-id")
    if q:
        projects = projects.filter(
            Q(name__icontains=q) | Q(project_code__icontains=q) | Q(applicant__name__icontains=q)
        )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    template = (
        "projects/_project_rows.html" if request.headers.get("HX-Request") else "projects/project_list.html"
    )
    counts = projects_visible_to(request.user).aggregate(total=Count("id"))
    return render(request, template, {"page": page, "q": q, "total": counts["total"]})
