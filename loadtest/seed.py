"""What a load run needs in its database besides the generated world: caseworker accounts and their cases.

Runs inside the runner's Django process, on the load database only (`load_<scale>`, never the register).
Accounts `load01`, `load02`, ... are caseworkers with a password and fresh single-use backup codes (a
static OTP device, as a caseworker without a phone would have), so every simulated user logs in through
the real login and two-factor forms. Each account gets a caseload from the world (so its work list has
the reminders a caseworker's has) and enough new cases, just registered, to take from needs assessment to
decision during the run. Calling it again tops up; nothing is duplicated.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.hashers import MD5PasswordHasher, PBKDF2PasswordHasher
from django.db import transaction
from django.utils import timezone

USERNAME = "load{:02d}"
JOURNEY_REF = "S-{year}-L{user:02d}-{n:04d}"
HOUSING_SITUATIONS = ["homeless_2", "homeless_5", "own_rented", "with_family", "homeless_1"]


def accounts_ensure(numbers: range, *, password: str, hasher: str, tokens: int) -> list:
    """Caseworker accounts `load<number>` with `password` and `tokens` fresh backup codes each (old codes dropped)."""
    from django.contrib.auth.models import Group
    from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

    from stord_bolig.models import User

    group = Group.objects.get(name="caseworker")
    # One hash for all: hashing is deliberately slow (PBKDF2 in production settings). The hasher is the one the
    # server will check with, whatever this process's own settings allow.
    algorithm = {"pbkdf2_sha256": PBKDF2PasswordHasher, "md5": MD5PasswordHasher}[hasher]()
    encoded = algorithm.encode(password, algorithm.salt())
    users = []
    with transaction.atomic():
        for index in numbers:
            username = USERNAME.format(index)
            user, _created = User.objects.update_or_create(
                username=username,
                defaults={
                    "first_name": "Last",
                    "last_name": f"Test {index:02d}",
                    "email": f"{username}@load.example",
                    "password": encoded,
                    "is_active": True,
                },
            )
            user.groups.add(group)
            device, _created = StaticDevice.objects.get_or_create(user=user, name="load backup codes")
            device.token_set.all().delete()
            codes = [f"{secrets.randbelow(10**8):08d}" for _ in range(tokens)]
            StaticToken.objects.bulk_create([StaticToken(device=device, token=code) for code in codes])
            user.load_codes = codes
            users.append(user)
    _axes_reset([u.username for u in users])
    return users


def _axes_reset(usernames: list[str]) -> None:
    # A previous run's failed logins (e.g. during the fault test) must not lock this run out.
    from axes.utils import reset

    reset(ip="127.0.0.1")
    for username in usernames:
        reset(username=username)


def caseload_ensure(users: list, per_user: int) -> int:
    """Give each account `per_user` cases of the world (once), so its work list is a caseworker's; returns how many."""
    from cases.models import Application

    missing = [u for u in users if not Application.objects.filter(assigned_to=u).exclude(ref__contains="-L").exists()]
    if not missing or per_user <= 0:
        return 0
    free = list(
        Application.objects.filter(assigned_to__isnull=True)
        .exclude(ref__contains="-L")
        .order_by("pk")
        .values_list("pk", flat=True)[: per_user * len(missing)]
    )
    assigned = 0
    for index, user in enumerate(missing):
        chunk = free[index * per_user : (index + 1) * per_user]
        assigned += Application.objects.filter(pk__in=chunk).update(assigned_to=user)
    return assigned


def journey_cases_ensure(users: list, per_user: int, *, today: dt.date | None = None) -> dict[str, list[str]]:
    """Each account holds at least `per_user` undecided cases of its own to assess and decide; returns their refs.

    New cases are registered for households of the world (each household's applicant gets the letters), as
    bulk rows with their registration event, the way an import would bring them in.
    """
    from cases.models import Application, CaseEvent, HouseholdMember, Status

    today = today or timezone.localdate()
    undecided = [Status.REGISTERED, Status.ASSESSMENT, Status.READY]
    households = list(
        HouseholdMember.objects.filter(role=HouseholdMember.Role.APPLICANT)
        .order_by("household_id")
        .values_list("household_id", flat=True)[: max(len(users) * per_user * 4, 1)]
    )
    refs: dict[str, list[str]] = {}
    with transaction.atomic():
        for user in users:
            index = int(user.username.removeprefix("load"))
            prefix = f"S-{today.year}-L{index:02d}-"
            mine = Application.objects.filter(ref__startswith=prefix)
            mine.exclude(assigned_to=user).update(assigned_to=user)
            have = list(mine.filter(status__in=undecided).order_by("ref").values_list("ref", flat=True))
            taken = {int(ref.removeprefix(prefix)) for ref in mine.values_list("ref", flat=True)}
            number = max(taken, default=0)
            new = []
            while len(have) + len(new) < per_user:
                number += 1
                household = households[(index * 7919 + number * 31) % len(households)]
                new.append(
                    Application(
                        ref=JOURNEY_REF.format(year=today.year, user=index, n=number),
                        household_id=household,
                        kind=Application.Kind.MUNICIPAL_HOUSING,
                        received=today - dt.timedelta(days=3 + number % 20),
                        status=Status.REGISTERED,
                        housing_situation=HOUSING_SITUATIONS[number % len(HOUSING_SITUATIONS)],
                        assigned_to=user,
                    )
                )
            created = Application.objects.bulk_create(new)
            CaseEvent.objects.bulk_create(
                [CaseEvent(application=a, by=user, from_status="", to_status=Status.REGISTERED) for a in created]
            )
            refs[user.username] = have + [a.ref for a in created]
    return refs
