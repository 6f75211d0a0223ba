from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "daiban.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from daiban.cases.panels import register_item_panel

        from .panels import CONFLICTS_PANEL

        register_item_panel(CONFLICTS_PANEL)
