"""The roles of the product as Django groups, and which permissions each carries.

Groups are created and kept in step by a data migration (and `manage.py sync_roles`); admins
assign people to them in Django admin. A view never asks "is this user a caseworker?" directly:
it asks for a permission, or loads through a `visible_to(user)` queryset.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    CASEWORKER = "caseworker", _("Caseworker")
    FINANCIAL_ADVISOR = "financial_advisor", _("Financial advisor")
    NAV_ADVISOR = "nav_advisor", _("NAV advisor")
    HOUSING_FIRST = "housing_first", _("Housing First team")
    MANAGEMENT = "management", _("Management")
    ADMIN = "admin", _("Administrator")


# Permissions per role: "app_label.codename". tests/stord_bolig/test_roles.py checks each exists.
ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.CASEWORKER: [
        "stord_bolig.view_worklist",
        "stord_bolig.view_letter",
        "cases.view_application",
        "cases.change_application",
        "cases.add_application",
        "cases.view_health",
        "cases.decide_case",
        "allocation.view_unit",
        "allocation.change_unit",
        "allocation.make_offer",
        "tenancies.view_lease",
        "tenancies.change_lease",
        "tenancies.view_followupplan",
        "tenancies.change_followupplan",
        "tenancies.view_caseload",
        "finance_advice.add_referral",
        "finance_advice.view_referral",
        "reports.view_dashboard",
    ],
    Role.FINANCIAL_ADVISOR: [
        "stord_bolig.view_worklist",
        "stord_bolig.view_letter",
        "cases.view_application",
        "finance_advice.add_referral",
        "finance_advice.view_referral",
        "finance_advice.change_referral",
        "finance_advice.view_budget",
        "finance_advice.add_budget",
        "finance_advice.view_startlanapplication",
        "finance_advice.change_startlanapplication",
    ],
    Role.NAV_ADVISOR: [
        "stord_bolig.view_worklist",
        "finance_advice.view_shared_case",
    ],
    Role.HOUSING_FIRST: [
        "stord_bolig.view_worklist",
        "tenancies.view_lease",
        "tenancies.view_followupplan",
        "tenancies.change_followupplan",
        "tenancies.view_caseload",
        "cases.view_application",
        "cases.view_health",
    ],
    Role.MANAGEMENT: [
        "stord_bolig.view_worklist",
        "reports.view_dashboard",
        "reports.view_kostra",
        "reports.view_actiongoal",
        "reports.change_actiongoal",
        "reports.add_measure",
        "reports.change_measure",
        "reports.add_planactivity",
        "tenancies.view_caseload",
        "allocation.view_unit",
    ],
    Role.ADMIN: [],  # admins are superusers/staff; their group grants nothing extra by itself
}

STAFF_ROLES = {role.value for role in Role}


def user_roles(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    from .authz_cache import authz_for

    return authz_for(user)["roles"]


def sync_roles() -> None:
    """Create the role groups and give each exactly its permissions."""
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        group, _created = Group.objects.get_or_create(name=role.value)
        perms = []
        for dotted in ROLE_PERMISSIONS[role]:
            app_label, codename = dotted.split(".")
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perms.append(perm)
        group.permissions.set(perms)
