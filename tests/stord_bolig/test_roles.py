import pytest
from django.contrib.auth.models import Group, Permission

from stord_bolig.roles import ROLE_PERMISSIONS, Role

pytestmark = pytest.mark.django_db


def test_roles__every_group_exists_with_its_permissions():
    for role in Role:
        group = Group.objects.get(name=role.value)
        names = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.select_related("content_type")}
        assert names == set(ROLE_PERMISSIONS[role]), role


def test_roles__every_listed_permission_exists():
    for role, perms in ROLE_PERMISSIONS.items():
        for dotted in perms:
            app_label, codename = dotted.split(".")
            assert Permission.objects.filter(content_type__app_label=app_label, codename=codename).exists(), (
                role,
                dotted,
            )


def test_roles__nav_advisor_cannot_see_cases_by_permission():
    group = Group.objects.get(name="nav_advisor")
    assert not group.permissions.filter(codename="view_application").exists()
