"""Demo users, one per role, with a password and fresh one-time backup codes printed at start."""

from __future__ import annotations

import secrets

from django.contrib.auth.models import Group
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

DEMO_PASSWORD = "Stord-demo-2026"  # noqa: S105 - synthetic demo accounts only, documented in README  # nosec B105

DEMO_USERS = [
    # username, first, last, role, title
    ("kari", "Kari", "Sakshandsamar", "caseworker", "Sakshandsamar, bustadkontoret"),
    ("ola", "Ola", "Bustadkontor", "caseworker", "Sakshandsamar, bustadkontoret"),
    ("frida", "Frida", "Økonom", "financial_advisor", "Økonomirådgjevar"),
    ("nils", "Nils", "Navesen", "nav_advisor", "Rettleiar, NAV Stord"),
    ("hanne", "Hanne", "Førstehjelp", "housing_first", "Bustadsosialt team (Housing First)"),
    ("leiv", "Leiv", "Leiar", "management", "Einingsleiar"),
    ("admin", "Anne", "Admin", "admin", "Systemansvarleg"),
]


def demo_users_ensure():
    from stord_bolig.models import User

    users = {}
    for username, first, last, role, title in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={"first_name": first, "last_name": last, "title": title, "email": f"{username}@stord.example"},
        )
        if created:
            user.set_password(DEMO_PASSWORD)
        if role == "admin":
            user.is_staff = True
            user.is_superuser = True
        user.save()
        user.groups.add(Group.objects.get(name=role))
        users[username] = user
    return users


def demo_backup_codes(user, count: int = 3) -> list[str]:
    """Replace the user's demo backup codes with `count` new single-use codes."""
    device, _created = StaticDevice.objects.get_or_create(user=user, name="demo backup codes")
    device.token_set.all().delete()
    codes = []
    for _ in range(count):
        code = f"{secrets.randbelow(10**8):08d}"
        StaticToken.objects.create(device=device, token=code)
        codes.append(code)
    return codes
