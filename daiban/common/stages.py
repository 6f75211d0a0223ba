"""The four stages of the approval-system reform (国办发〔2019〕11号): shared vocabulary of every app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Stage(models.TextChoices):
    INITIATION_LAND_PLANNING = (
        "initiation_land_planning",
        _("Project initiation and land-use planning permit"),
    )
    CONSTRUCTION_PLANNING = "construction_planning", _("Construction project planning permit")
    CONSTRUCTION_PERMIT = "construction_permit", _("Construction permit")
    COMPLETION_ACCEPTANCE = "completion_acceptance", _("Completion acceptance")


STAGE_ORDER: dict[str, int] = {value: index for index, value in enumerate(Stage.values, start=1)}
