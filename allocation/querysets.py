"""Reads for allocation: waiting cases, bedroom needs, waiting-time estimates and vacancy.

The shortlist itself is computed in the database (allocation/shortlist_sql.py); the `shortlist`
command runs the pure rules over the exported register.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Aggregate, Count, F, FloatField, Func, IntegerField, Prefetch, Q, Value
from django.db.models.functions import Least

from cases.models import Application, HouseholdMember
from cases.rules import add_months

from . import rules
from .models import Unit


def waiting_cases(on: dt.date, kinds=rules.WAITING_KINDS):
    """The waiting list on `on`: granted, not lapsed, decided by `on`, no lease for the case started by `on`.

    Reads the case's waiting_from/waiting_until, which database triggers keep equal to exactly that
    (tenancies/waiting_sql.py), through a partial index of the cases not yet housed.
    """
    return Application.objects.filter(kind__in=list(kinds), waiting_from__lte=on).filter(
        Q(waiting_until__isnull=True) | Q(waiting_until__gt=on)
    )


def waiting_households(on: dt.date, kinds=rules.WAITING_KINDS, *, band: str | None = None) -> int:
    """How many households are on the waiting list on `on` (a household with two waiting cases counts once):
    the number the waiting list page and the action plan's "households on the waiting list" both show."""
    cases = waiting_cases(on, kinds)
    if band:
        cases = cases.filter(urgency=band)
    return cases.order_by().values("household_id").distinct().count()


def waiting_counts(on: dt.date, kinds=rules.WAITING_KINDS, *, band: str | None = None) -> tuple[int, int]:
    """(cases, households) on the waiting list on `on`, in one query: the page's count and waiting_households.

    The list's two parts are read apart and counted together: the cases no lease has ended yet (nearly all of
    them) from the covering partial index alone, and those housed from a later day through their own index.
    One condition with an OR between the parts makes PostgreSQL visit every waiting case's row (21 ms against
    7 ms over 16 000 waiting cases).
    """
    parts = [
        Application.objects.filter(kind__in=list(kinds), waiting_until__isnull=True, waiting_from__lte=on),
        Application.objects.filter(kind__in=list(kinds), waiting_from__lte=on, waiting_until__gt=on),
    ]
    if band:
        parts = [part.filter(urgency=band) for part in parts]
    sql, params = [], []
    for part in parts:
        part_sql, part_params = part.order_by().values("pk", "household_id").query.sql_with_params()
        sql.append(part_sql)
        params.extend(part_params)
    counting = "SELECT COUNT(*), COUNT(DISTINCT household_id) FROM ({} UNION ALL {}) AS waiting"
    with connection.cursor() as cursor:
        cursor.execute(counting.format(*sql), params)  # the parts are the ORM's own, values bound  # nosec B608
        cases, households = cursor.fetchone()
    return cases, households


def waiting_applications(on: dt.date, kinds=rules.WAITING_KINDS):
    """The waiting list's cases with what a page shows of them (one query, prefetches)."""
    return (
        waiting_cases(on, kinds)
        .select_related("decision", "household", "assigned_to")
        .prefetch_related(
            Prefetch(
                "household__members", queryset=HouseholdMember.objects.select_related("person").order_by("position")
            )
        )
    )


def bedroom_needs(applications, on: dt.date) -> dict[str, int]:
    from cases.rules import MemberAge, bedroom_need

    needs = {}
    for app in applications:
        if app.min_bedrooms_override is not None:
            needs[app.ref] = app.min_bedrooms_override
            continue
        members = [MemberAge(m.role, m.person.birth_date) for m in app.household.members.all()]
        needs[app.ref] = bedroom_need(members, on)
    return needs


def waiting_time_estimates(today: dt.date) -> dict[tuple[str, int], dict]:
    """The day's estimates (waiting_time_estimates_compute), computed once a day and kept.

    Beat computes them just after midnight; a day without them (a fresh register, beat not running) gets them
    from its first request. Two requests at once both compute, and the first row stored stands.
    """
    from .models import WaitingTimeEstimates

    stored = WaitingTimeEstimates.objects.filter(day=today).values_list("figures", flat=True).first()
    if stored is None:
        estimates = waiting_time_estimates_compute(today)
        waiting_time_estimates_store(today, estimates)
        return estimates
    return {(band, size): {"median_days": days, "housed": housed} for band, size, days, housed in stored}


def waiting_time_estimates_store(today: dt.date, estimates: dict[tuple[str, int], dict]) -> None:
    from .models import WaitingTimeEstimates

    figures = [[band, size, row["median_days"], row["housed"]] for (band, size), row in sorted(estimates.items())]
    WaitingTimeEstimates.objects.bulk_create([WaitingTimeEstimates(day=today, figures=figures)], ignore_conflicts=True)


def waiting_time_estimates_compute(today: dt.date) -> dict[tuple[str, int], dict]:
    """Median days from the grant to the first lease's start, per (band, bedrooms of that home: 4 = 4+),
    over the cases housed in the last 24 months: the actual flow, not a static table."""
    since = add_months(today, -24)
    rows = (
        Application.objects.filter(
            kind__in=list(rules.WAITING_KINDS),
            waiting_from__isnull=False,  # always so when waiting_until is set; lets the partial index serve
            waiting_until__gte=since,
            waiting_until__lte=today,
            # the lease that ended the wait (a lapsed grant has none starting that day)
            leases__start=F("waiting_until"),
        )
        .values("urgency", size=Least("leases__unit__bedrooms", Value(4)))
        .annotate(median_days=Median(DaysBetween("waiting_until", "waiting_from")), housed=Count("pk"))
        .order_by()
        .values_list("urgency", "size", "median_days", "housed")
    )
    # whole days, rounded down, as the page shows them
    return {(band, size): {"median_days": int(days), "housed": housed} for band, size, days, housed in rows}


class Median(Aggregate):
    """PostgreSQL's continuous median (the mean of the two middle values for an even count)."""

    template = "percentile_cont(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = FloatField()


class DaysBetween(Func):
    """Whole days from the second date to the first (PostgreSQL date subtraction)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def vacancy_days(unit: Unit, first: dt.date, last: dt.date) -> int:
    """Days in [first, last] the unit stood empty while in stock: free by its status history (database
    triggers) and let to nobody. Before its first recorded status (a home registered or imported with a
    past in-stock date) a day in stock without a tenancy counts as empty."""
    from django.utils import timezone

    from tenancies.models import Lease

    stock_from = max(first, unit.in_stock_from)
    stock_until = min(last, unit.in_stock_until or last)
    if stock_from > stock_until:
        return 0
    events = list(
        Unit.pgh_event_model.objects.filter(pgh_obj_id=unit.pk)
        .order_by("pgh_created_at", "pgh_id")
        .values_list("pgh_created_at", "status")
    )
    # Status per day: the last change on or before that day applies.
    changes = [(timezone.localtime(at).date(), status) for at, status in events]
    leases = list(
        Lease.objects.filter(unit_id=unit.pk, start__lte=stock_until)
        .order_by("start")
        .values_list("start", "moved_out", "end")
    )
    # A lease is lived in to its move-out; without one, to its end, except the latest: its tenant staying on after
    # the end is still there (occupying_lease_ref).
    let = [
        (start, moved_out or (dt.date.max if index == len(leases) - 1 else end or dt.date.max))
        for index, (start, moved_out, end) in enumerate(leases)
    ]
    days = 0
    current = None
    index = 0
    day = stock_from
    while day <= stock_until:
        while index < len(changes) and changes[index][0] <= day:
            current = changes[index][1]
            index += 1
        known = index > 0
        if (current == Unit.Status.FREE or not known) and not any(s <= day <= e for s, e in let):
            days += 1
        day += dt.timedelta(days=1)
    return days


def occupying_lease_ref(unit: Unit, on: dt.date) -> str | None:
    """The unit's latest lease started by `on` when its tenant has no move-out recorded, whether or not its term
    has run out (a tenant staying on after the end is still there). A recorded move-out, even a coming one, is a
    known handover day: the next tenancy may start on it. Only the latest lease counts: a renewed lease's tenant
    moves out of the lease that continued it."""
    from tenancies.models import Lease

    latest = Lease.objects.filter(unit_id=unit.pk, start__lte=on).order_by("-start").values("ref", "moved_out").first()
    return latest["ref"] if latest is not None and latest["moved_out"] is None else None


def offer_links(application, user) -> list[dict]:
    """The case's offers for its page: an open one links to where its answer is recorded."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from .models import Offer

    links = []
    for offer in Offer.objects.filter(application=application).select_related("unit").order_by("-offered")[:20]:
        url = None
        if offer.status == Offer.Status.OPEN and user.has_perm("allocation.make_offer"):
            url = reverse("allocation:offer-answer", args=[offer.ref])
        elif user.has_perm("allocation.view_unit"):
            url = offer.unit.get_absolute_url()
        label = _("Offer %(ref)s: %(address)s, %(day)s (%(status)s)") % {
            "ref": offer.ref,
            "address": offer.unit.address,
            "day": offer.offered.strftime("%d.%m.%Y"),
            "status": offer.get_status_display().lower(),
        }
        links.append({"label": label, "url": url})
    return links
