from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from stord_bolig.interchange.registry import Section, register_section

        from . import interchange

        register_section(Section("cases", interchange.import_section, interchange.export_section))
