from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FinanceAdviceConfig(AppConfig):
    name = "finance_advice"
    verbose_name = _("Financial advice")

    def ready(self):
        from stord_bolig.retention import RetentionPart, register_part

        from . import retention

        register_part(RetentionPart("finance_advice", retention.households_erase, keep=retention.households_kept))

        from cases.querysets import register_case_grant
        from stord_bolig.context_processors import NavEntry, register_nav
        from stord_bolig.worklist import register

        from .querysets import advisor_case_grant
        from .worklist import referral_items

        register_case_grant(advisor_case_grant)
        register(referral_items)
        register_nav(NavEntry(_("Referrals"), "finance_advice:referral-list", "finance_advice.view_referral", order=40))
        register_nav(
            NavEntry(
                _("Startlån"), "finance_advice:startlan-list", "finance_advice.change_startlanapplication", order=41
            )
        )
        register_nav(
            NavEntry(_("Shared with NAV"), "finance_advice:nav-list", "finance_advice.view_shared_case", order=42)
        )
