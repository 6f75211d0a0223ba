from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    """The site shell: landing, sign-in and each person's home page. It composes the domain apps."""

    name = "daiban.portal"
    label = "portal"
    verbose_name = _("Portal")
