from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlanningConfig(AppConfig):
    name = "daiban.planning"
    label = "planning"
    verbose_name = _("Pre-scheduled timeline")
