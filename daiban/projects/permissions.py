from django.http import HttpRequest

from daiban.common.access import Rule, permission_rule

from .selectors import is_applicant_user


def _is_applicant(request: HttpRequest) -> bool:
    return is_applicant_user(request.user)


APPLICANT = Rule("signed in and representing at least one enterprise", _is_applicant)
applicant_only = permission_rule(APPLICANT)
