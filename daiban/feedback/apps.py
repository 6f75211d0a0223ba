from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "daiban.feedback"
    label = "feedback"
    verbose_name = _("Evaluation and call-backs")
