from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TenanciesConfig(AppConfig):
    name = "tenancies"
    verbose_name = _("Tenancies")

    def ready(self):
        from stord_bolig.interchange.registry import Section, register_section

        from . import interchange

        register_section(Section("tenancies", interchange.import_section, interchange.export_section))

        from stord_bolig.retention import RetentionPart, register_part

        from . import retention

        register_part(RetentionPart("tenancies", retention.households_erase, keep=retention.households_kept))

        from allocation.services import register_on_accept
        from cases.links import register_case_links
        from cases.querysets import register_case_grant
        from cases.services import register_on_decided
        from stord_bolig.context_processors import NavEntry, register_nav
        from stord_bolig.worklist import register

        from .querysets import housing_first_case_grant, lease_links
        from .services import lease_draft_from_offer, renewal_decided
        from .worklist import followup_items, reminder_items

        register_case_grant(housing_first_case_grant)
        register_on_accept(lease_draft_from_offer)
        register_on_decided(renewal_decided)
        register(reminder_items)
        register(followup_items)
        register_case_links(lease_links)
        register_nav(NavEntry(_("Leases"), "tenancies:lease-list", "tenancies.view_lease", order=30))
        register_nav(NavEntry(_("Housing First"), "tenancies:caseload", "tenancies.view_caseload", order=31))
