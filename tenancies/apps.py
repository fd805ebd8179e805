from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenanciesConfig(AppConfig):
    name = "tenancies"
    verbose_name = _("Tenancies")

    def ready(self):
        from stord_bolig.interchange.registry import Section, register_section

        from . import interchange

        register_section(Section("tenancies", interchange.import_section, interchange.export_section))
