"""Synthetic worlds for benchmarks and load tests: deterministic (seeded), valid national ids, bulk inserts.

`generate_world(scale)` fills an empty database with units, people, households, applications with
decisions, offers, leases, arrears and access-log rows at the sizes of Stord, Oslo or a national
shared deployment. History triggers are skipped while generating (the rows are synthetic inserts).
"""

from __future__ import annotations

import datetime as dt
import random
import time
from dataclasses import dataclass

import pgtrigger
from django.db import connection, transaction
from django.db.models import F

from allocation.models import Offer, Unit
from cases.models import Application, Decision, Household, HouseholdMember, Person
from cases.rules import add_months
from stord_bolig.demo.identity import synthetic_national_id
from stord_bolig.models import AccessLog
from tenancies.models import ArrearsFigure, Lease
from tenancies.waiting_sql import waiting_triggers_paused


@dataclass(frozen=True)
class Scale:
    units: int
    households: int
    applications: int
    leases: int
    access_log: int


SCALES = {
    "tiny": Scale(units=120, households=150, applications=200, leases=100, access_log=1_000),
    "stord": Scale(units=800, households=1_000, applications=1_300, leases=700, access_log=20_000),
    "oslo": Scale(units=12_000, households=15_000, applications=20_000, leases=12_000, access_log=100_000),
    "national": Scale(units=120_000, households=150_000, applications=200_000, leases=120_000, access_log=1_000_000),
}

STREETS = [
    "Hamnegata",
    "Borggata",
    "Kyrkjevegen",
    "Ådlandsvegen",
    "Rommetveitvegen",
    "Heiane",
    "Vabakkjen",
    "Leirvikvegen",
    "Sæslandsvegen",
    "Tjødnavegen",
]
GIVEN = ["Kari", "Ola", "Ingrid", "Per", "Liv", "Nils", "Amina", "Tor", "Sigrid", "Jonas", "Hodan", "Emma"]
FAMILY = ["Hansen", "Vik", "Sæbø", "Leirvåg", "Nordmann", "Olsen", "Yusuf", "Berg", "Strand", "Dahl"]
TRACKED = [
    "cases.Person",
    "cases.Household",
    "cases.HouseholdMember",
    "cases.Application",
    "cases.Decision",
    "allocation.Unit",
    "allocation.Offer",
    "tenancies.Lease",
]
BATCH = 5_000


def _national_id(index: int) -> tuple[str, dt.date]:
    born = dt.date(1940, 1, 1) + dt.timedelta(days=index % 27_000)  # 1940 .. 2013
    return synthetic_national_id(born, index // 27_000), born


def generate_world(scale_name: str, *, seed: int = 2026, today: dt.date | None = None, log=print) -> dict:
    """Fill an empty register with a synthetic world; returns counts and seconds per step."""
    scale = SCALES[scale_name]
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data, not security  # nosec B311
    today = today or dt.date(2026, 11, 25)
    timings: dict[str, float] = {}
    if Unit.objects.exists() or Person.objects.exists():
        raise RuntimeError("generate_world needs an empty register")

    def step(name):
        def wrap(fn):
            started = time.perf_counter()
            fn()
            timings[name] = round(time.perf_counter() - started, 2)
            log(f"  {name}: {timings[name]} s")

        return wrap

    ignore = [f"{model}:{op}" for model in TRACKED for op in ("insert_insert", "update_update")]
    with transaction.atomic(), pgtrigger.ignore(*ignore), waiting_triggers_paused():

        @step("units")
        def _units():
            Unit.objects.bulk_create(
                [
                    Unit(
                        ref=f"U-{i:06d}",
                        address=f"{rng.choice(STREETS)} {i % 97 + 1}, 54{i % 3 + 11} Stord",
                        unit_type=rng.choice(["flat", "flat", "flat", "small_house", "terraced", "care_home"]),
                        ownership=rng.choice(["owned", "owned", "leased", "private_allocation_right"]),
                        bedrooms=rng.choice([0, 1, 1, 2, 2, 2, 3, 3, 4]),
                        area_m2=rng.randint(28, 120),
                        floor=rng.randint(0, 5),
                        lift=rng.random() < 0.4,
                        wheelchair_accessible=rng.random() < 0.6,
                        target_group=rng.choice(["ordinary"] * 8 + ["housing_first", "care"]),
                        fire_sprinkler=rng.random() < 0.7,
                        fire_alarm_connected=rng.random() < 0.9,
                        monthly_rent=rng.randrange(6000, 16000, 100),
                        in_stock_from=dt.date(1990, 1, 1) + dt.timedelta(days=rng.randint(0, 12000)),
                        status="let" if i < scale.leases else "free",
                    )
                    for i in range(scale.units)
                ],
                batch_size=BATCH,
            )

        person_index = 0
        member_rows: list[tuple[int, int, str, int]] = []  # household index, person index, role, position

        @step("people_and_households")
        def _people():
            nonlocal person_index
            Household.objects.bulk_create(
                [Household(ref=f"H-{h:06d}") for h in range(scale.households)], batch_size=BATCH
            )
            people = []
            for h in range(scale.households):
                size = rng.choice([1, 1, 1, 2, 2, 3, 4, 5])
                roles = ["applicant"] + (["partner"] if size > 1 and rng.random() < 0.5 else [])
                roles += ["child"] * (size - len(roles))
                for position, role in enumerate(roles):
                    national_id, born = _national_id(person_index)
                    if role == "child":
                        born = today - dt.timedelta(days=rng.randint(200, 17 * 365))
                        national_id = synthetic_national_id(born, 20 + person_index % 17)
                    people.append(
                        Person(
                            ref=f"P-{person_index:07d}",
                            national_id=national_id,
                            given_name=rng.choice(GIVEN),
                            family_name=rng.choice(FAMILY),
                            birth_date=born,
                            city="Stord",
                        )
                    )
                    member_rows.append((h, person_index, role, position))
                    person_index += 1
            Person.objects.bulk_create(people, batch_size=BATCH, ignore_conflicts=True)
            household_ids = dict(Household.objects.values_list("ref", "pk"))
            person_ids = dict(Person.objects.values_list("ref", "pk"))
            HouseholdMember.objects.bulk_create(
                [
                    HouseholdMember(
                        household_id=household_ids[f"H-{h:06d}"],
                        person_id=person_ids[f"P-{p:07d}"],
                        role=role,
                        position=position,
                    )
                    for h, p, role, position in member_rows
                    if f"P-{p:07d}" in person_ids
                ],
                batch_size=BATCH,
                ignore_conflicts=True,
            )

        @step("applications_and_decisions")
        def _applications():
            household_ids = list(Household.objects.order_by("pk").values_list("pk", flat=True))
            apps = []
            for a in range(scale.applications):
                received = today - dt.timedelta(days=rng.randint(1, 2400))
                kind = rng.choice(["municipal_housing"] * 6 + ["housing_assistance", "renewal", "swap"])
                decided = a % 10 != 0
                apps.append(
                    Application(
                        ref=f"S-{received.year}-{a:06d}",
                        household_id=household_ids[a % len(household_ids)],
                        kind=kind,
                        received=received,
                        status="decided" if decided else rng.choice(["registered", "assessment", "ready"]),
                        housing_situation=rng.choice(
                            ["homeless_2", "homeless_5", "own_rented", "own_rented", "with_family"]
                        ),
                        main_reason=rng.choice(
                            ["adapted_housing", "refugee", "mental_illness", "substance_use", "other", "other"]
                        ),
                        urgency=rng.choice("ABCCC"),
                        target_group=rng.choice(["ordinary"] * 9 + ["housing_first"]),
                        wheelchair_need=rng.random() < 0.1,
                    )
                )
            Application.objects.bulk_create(apps, batch_size=BATCH)
            rows = Application.objects.filter(status="decided").values_list("pk", "received")
            Decision.objects.bulk_create(
                [
                    Decision(
                        application_id=pk,
                        outcome="granted" if rng.random() < 0.8 else "refused",
                        decided=min(received + dt.timedelta(days=rng.randint(5, 60)), today),
                        notified=min(received + dt.timedelta(days=rng.randint(60, 63)), today),
                    )
                    for pk, received in rows
                ],
                batch_size=BATCH,
            )
            Decision.objects.filter(notified__lt=F("decided")).update(notified=F("decided"))

        @step("leases")
        def _leases():
            units = list(Unit.objects.order_by("pk").values_list("pk", "monthly_rent")[: scale.leases])
            granted = list(
                Application.objects.filter(decision__outcome="granted", kind="municipal_housing")
                .order_by("pk")
                .values_list("pk", "household_id")[: scale.leases]
            )
            # One lease per household: first the households granted a home (with their case), then households
            # without one (tenants from before the register), so no household has two homes at once.
            tenants, housed = [], set()
            for app_id, household_id in granted:
                if household_id not in housed:
                    housed.add(household_id)
                    tenants.append((app_id, household_id))
            for household_id in Household.objects.order_by("pk").values_list("pk", flat=True):
                if len(tenants) >= len(units):
                    break
                if household_id not in housed:
                    housed.add(household_id)
                    tenants.append((None, household_id))
            leases = []
            for i, ((unit_id, rent), (app_id, household_id)) in enumerate(
                zip(units, tenants, strict=False)
            ):  # fewer households than homes: the rest stand empty
                start = today - dt.timedelta(days=rng.randint(30, 1800))
                end = add_months(start, 36) - dt.timedelta(days=1)
                leases.append(
                    Lease(
                        ref=f"L-{i:07d}",
                        unit_id=unit_id,
                        household_id=household_id,
                        application_id=app_id,
                        start=start,
                        end=end,
                        monthly_rent=rent,
                        deposit=0,
                        guarantee=rent * 3,
                        moved_in=start,
                    )
                )
            Lease.objects.bulk_create(leases, batch_size=BATCH)
            lease_rows = list(Lease.objects.values_list("pk", "monthly_rent", "start"))
            arrears = []
            for pk, rent, start in lease_rows[: len(lease_rows) // 10]:
                for month in range(3):
                    as_of = max(start, today - dt.timedelta(days=30 * (3 - month)))
                    arrears.append(
                        ArrearsFigure(
                            lease_id=pk,
                            as_of=as_of + dt.timedelta(days=month),
                            amount=rent * rng.choice([0, 1, 2]) // 2,
                        )
                    )
            ArrearsFigure.objects.bulk_create(arrears, batch_size=BATCH, ignore_conflicts=True)

        @step("offers")
        def _offers():
            waiting = list(
                Application.objects.filter(decision__outcome="granted")
                .exclude(leases__isnull=False)
                .values_list("pk", flat=True)[: max(scale.units // 50, 1)]
            )
            free = list(Unit.objects.filter(status="free").values_list("pk", flat=True)[: len(waiting)])
            Offer.objects.bulk_create(
                [
                    Offer(ref=f"O-{i:06d}", application_id=a, unit_id=u, offered=today - dt.timedelta(days=3))
                    for i, (a, u) in enumerate(zip(waiting, free, strict=False))
                ],
                batch_size=BATCH,
            )
            Unit.objects.filter(pk__in=free[: len(waiting)]).update(status="offered")

        @step("access_log")
        def _access_log():
            refs = list(Application.objects.values_list("ref", flat=True)[:5000]) or ["S-0000-0000"]
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO stord_bolig_accesslog (at, user_id, username, role, action, person_ref, case_ref,
                                                       section, purpose, ip, path)
                    SELECT now() - (g || ' minutes')::interval, 1 + g %% 40, 'user' || (g %% 40), 'caseworker',
                           'read', '', (%s::text[])[1 + g %% %s], 'case', 'case work', '10.0.0.1', '/cases/'
                    FROM generate_series(1, %s) AS g
                    """,
                    [refs, len(refs), scale.access_log],
                )

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    counts = {
        "units": Unit.objects.count(),
        "people": Person.objects.count(),
        "households": Household.objects.count(),
        "applications": Application.objects.count(),
        "leases": Lease.objects.count(),
        "access_log": AccessLog.objects.count(),
    }
    return {"scale": scale_name, "counts": counts, "seconds": timings}


def add_bare_leases(total: int, *, seed: int = 7, today: dt.date | None = None) -> None:
    """Make the register hold exactly `total` synthetic leases (own units and households), for sweep timing."""
    rng = random.Random(seed)  # noqa: S311 - reproducible synthetic data  # nosec B311
    today = today or dt.date(2026, 11, 25)
    existing = Lease.objects.filter(ref__startswith="L-B").count()
    other = Lease.objects.exclude(ref__startswith="L-B").count()
    wanted = max(total - other, 0)
    if existing >= wanted:
        return
    ignore = [f"{model}:{op}" for model in TRACKED for op in ("insert_insert", "update_update")]
    with transaction.atomic(), pgtrigger.ignore(*ignore), waiting_triggers_paused():
        start_index = existing
        Unit.objects.bulk_create(
            [
                Unit(
                    ref=f"U-B{i:07d}",
                    address=f"Benkvegen {i}",
                    unit_type="flat",
                    ownership="owned",
                    bedrooms=1,
                    area_m2=40,
                    floor=1,
                    monthly_rent=8000,
                    in_stock_from=dt.date(2000, 1, 1),
                    status="let",
                )
                for i in range(start_index, wanted)
            ],
            batch_size=BATCH,
        )
        Household.objects.bulk_create(
            [Household(ref=f"H-B{i:07d}") for i in range(start_index, wanted)], batch_size=BATCH
        )
        units = dict(Unit.objects.filter(ref__startswith="U-B").values_list("ref", "pk"))
        households = dict(Household.objects.filter(ref__startswith="H-B").values_list("ref", "pk"))
        leases = []
        for i in range(start_index, wanted):
            start = today - dt.timedelta(days=rng.randint(30, 1800))
            leases.append(
                Lease(
                    ref=f"L-B{i:07d}",
                    unit_id=units[f"U-B{i:07d}"],
                    household_id=households[f"H-B{i:07d}"],
                    start=start,
                    end=add_months(start, 36) - dt.timedelta(days=1),
                    monthly_rent=8000,
                    moved_in=start,
                )
            )
        Lease.objects.bulk_create(leases, batch_size=BATCH)
        lease_ids = list(Lease.objects.filter(ref__startswith="L-B").order_by("pk").values_list("pk", flat=True))
        ArrearsFigure.objects.bulk_create(
            [
                ArrearsFigure(lease_id=pk, as_of=today - dt.timedelta(days=20), amount=8000)
                for pk in lease_ids[start_index // 10 : wanted // 10]
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
