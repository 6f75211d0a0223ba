"""Looking a project code up at the 投资项目在线审批监管平台 (the investment project online approval and
supervision platform), which issues the codes.

`GET {DAIBAN_PROJECT_REGISTRY_URL}/projects/{code}` with `Authorization: Bearer
{DAIBAN_PROJECT_REGISTRY_TOKEN}`: 200 with JSON `{"code", "name", "status"}` when the platform knows the
code, 404 when it does not. The whole exchange has one deadline (`DAIBAN_PROJECT_REGISTRY_TIMEOUT_SECONDS`).
With no URL configured the lookup is off and a code is checked for its format only. Every failure comes
back as a `RegistryError` whose message is Chinese and fit to show beside the field."""

import json
import logging
import urllib.parse
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from daiban.common.outbound import ExchangeError, exchange

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class RegisteredProject:
    code: str
    name: str
    status: str


class RegistryError(Exception):
    """The lookup did not confirm the code; `str(exc)` is the message for the person who typed it."""


def lookup_enabled() -> bool:
    return bool(settings.DAIBAN_PROJECT_REGISTRY_URL)


def lookup_project_code(code: str) -> RegisteredProject:
    """The platform's record of `code` (already format-checked), or RegistryError."""
    base = settings.DAIBAN_PROJECT_REGISTRY_URL.rstrip("/")
    url = f"{base}/projects/{urllib.parse.quote(code, safe='')}"
    headers = {
        "Accept": "application/json",
        "Authorization": f"Bearer {settings.DAIBAN_PROJECT_REGISTRY_TOKEN}",
    }
    try:
        status, reply = exchange(
            "GET", url, headers=headers, deadline=float(settings.DAIBAN_PROJECT_REGISTRY_TIMEOUT_SECONDS)
        )
    except ExchangeError as exc:
        logger.warning("project code lookup of %s failed: %s", code, exc)
        raise RegistryError(
            _(
                "The investment project online approval platform cannot be reached now, so the project "
                "code could not be checked. Please try again in a few minutes."
            )
        ) from exc
    if status == 404:
        raise RegistryError(
            _(
                "The investment project online approval platform does not know this project code; check it "
                "against the code the platform issued."
            )
        )
    if status != 200:
        logger.warning("project code lookup of %s: the platform answered HTTP %s", code, status)
        raise RegistryError(
            _(
                "The investment project online approval platform could not check the project code now "
                "(it answered %(status)s). Please try again in a few minutes."
            )
            % {"status": status}
        )
    try:
        data = json.loads(reply)
        record = RegisteredProject(
            code=str(data["code"]), name=str(data.get("name", "")), status=str(data.get("status", ""))
        )
    except (ValueError, KeyError, TypeError) as exc:
        logger.warning("project code lookup of %s: unreadable answer %r", code, reply[:200])
        raise RegistryError(
            _(
                "The investment project online approval platform gave an answer that cannot be read. "
                "Please try again in a few minutes."
            )
        ) from exc
    if record.code != code:
        raise RegistryError(
            _("The investment project online approval platform answered for another project code.")
        )
    return record
