from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CasesConfig(AppConfig):
    name = "cases"
    verbose_name = _("Cases")

    def ready(self):
        from stord_bolig.interchange.registry import Section, register_section

        from . import interchange

        register_section(Section("cases", interchange.import_section, interchange.export_section))

        from stord_bolig.retention import RetentionPart, register_part

        from . import retention

        register_part(RetentionPart("cases", retention.households_erase, due=retention.households_due))

        from stord_bolig.context_processors import NavEntry, register_nav

        register_nav(NavEntry(_("My cases"), "cases:my-cases", "cases.view_application", order=10))
        register_nav(NavEntry(_("All cases"), "cases:case-list", "cases.view_application", order=11))

        from stord_bolig.worklist import register

        from .worklist import appeal_items

        register(appeal_items)
