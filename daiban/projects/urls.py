from django.urls import path

from . import views

app_name = "projects"
urlpatterns = [
    path("enterprise/", views.my_enterprises, name="my_enterprises"),
    path("enterprise/<int:pk>/edit/", views.applicant_edit, name="applicant_edit"),
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.project_create, name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.project_edit, name="project_edit"),
]
