from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReportsConfig(AppConfig):
    name = "reports"
    verbose_name = _("Reports")

    def ready(self):
        from stord_bolig.context_processors import NavEntry, register_nav

        register_nav(NavEntry(_("Steering"), "reports:dashboard", "reports.view_dashboard", order=50))
