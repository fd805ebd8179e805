from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AllocationConfig(AppConfig):
    name = "allocation"
    verbose_name = _("Allocation")

    def ready(self):
        from stord_bolig.interchange.registry import Section, register_section

        from . import interchange

        register_section(Section("allocation", interchange.import_section, interchange.export_section))

        from stord_bolig.retention import RetentionPart, register_part

        from . import retention

        register_part(RetentionPart("allocation", retention.households_erase, keep=retention.households_kept))

        from cases.services import register_on_household_changed
        from stord_bolig.context_processors import NavEntry, register_nav

        from .needs import bedroom_needs_forget

        register_on_household_changed(bedroom_needs_forget)

        from cases.services import register_close_check

        from .services import open_offer_refuses_closing

        register_close_check(open_offer_refuses_closing)

        from cases.links import register_case_links

        from .querysets import offer_links

        register_case_links(offer_links)

        register_nav(NavEntry(_("Waiting list"), "allocation:waiting-list", "allocation.view_unit", order=20))
        register_nav(NavEntry(_("Housing stock"), "allocation:unit-list", "allocation.view_unit", order=21))
        register_nav(NavEntry(_("Allocation meetings"), "allocation:meeting-list", "allocation.make_offer", order=22))
