"""The national investment project code (项目代码) of the online approval-supervision platform.

Format: YYYY-AAAAAA-BB-CC-NNNNNN — year the code was issued, 6-digit administrative division, 2-digit
industry (国民经济行业分类 division), 2-digit management type (01 审批, 02 核准, 03 备案), 6-digit serial.
A social-investment project is approved (核准) or filed (备案), never 审批 (government-funded).
"""

import re

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PROJECT_CODE_RE = re.compile(r"^(\d{4})-(\d{6})-(\d{2})-(\d{2})-(\d{6})$")
FIRST_CODE_YEAR = 2014  # the national online platform issued its first codes in 2014–2015
SOCIAL_INVESTMENT_TYPES = {"02", "03"}
# The catalogue items whose result issues the project code (备案, 核准): a request whose first item is one of
# them may start without a code; approving it fills the code in (cases.services.approve).
CODE_ISSUING_ITEMS = frozenset({"project-filing", "project-approval"})


def normalize_project_code(value: str) -> str:
    return (value or "").strip().replace("—", "-").replace("－", "-").replace(" ", "")


def validate_project_code(value: str) -> None:
    match = PROJECT_CODE_RE.match(value or "")
    if not match:
        raise ValidationError(
            _(
                "The project code must look like 2025-500242-47-03-000123 "
                "(year-division-industry-type-serial)."
            ),
            code="project_code_format",
        )
    year, division, industry, kind, serial = match.groups()
    if not FIRST_CODE_YEAR <= int(year) <= timezone.localdate().year:
        raise ValidationError(_("The year in the project code is not possible."), code="project_code_year")
    if not division.startswith("50"):
        raise ValidationError(
            _("The division code in the project code is not a Chongqing division (50xxxx)."),
            code="project_code_division",
        )
    if not 1 <= int(industry) <= 97:
        raise ValidationError(
            _("The industry code in the project code must be 01–97."), code="project_code_industry"
        )
    if kind not in SOCIAL_INVESTMENT_TYPES:
        raise ValidationError(
            _("A social-investment project code has type 02 (approval) or 03 (filing)."),
            code="project_code_type",
        )
    if serial == "000000":
        raise ValidationError(
            _("The serial number in the project code cannot be 000000."), code="project_code_serial"
        )
