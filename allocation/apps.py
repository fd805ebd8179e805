from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "allocation"
    verbose_name = _("Allocation")

    def ready(self):
        from stord_bolig.interchange.registry import Section, register_section

        from . import interchange

        register_section(Section("allocation", interchange.import_section, interchange.export_section))
