from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ProjectsConfig(AppConfig):
    name = "daiban.projects"
    label = "projects"
    verbose_name = _("Applicants and projects")
