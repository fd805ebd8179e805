from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StordBoligConfig(AppConfig):
    name = "stord_bolig"
    verbose_name = _("Platform")

    def ready(self):
        from . import signals  # noqa: F401 - connects the audit receivers
