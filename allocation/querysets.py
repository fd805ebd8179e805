"""Reads for allocation: waiting cases, bedroom needs, waiting-time estimates and vacancy.

The shortlist itself is computed in the database (allocation/shortlist_sql.py); the `shortlist`
command runs the pure rules over the exported register.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from statistics import median

from django.db.models import Prefetch, Q

from cases.models import Application, HouseholdMember
from cases.rules import add_months

from . import rules
from .models import Unit


def waiting_applications(on: dt.date, kinds=rules.WAITING_KINDS):
    """Granted, not lapsed, decided by `on`, no lease for the case started by `on` (one query, prefetches)."""
    # Leases belong to the layer above; the reverse relation reads them without importing it.
    return (
        Application.objects.filter(
            kind__in=kinds,
            decision__outcome="granted",
            decision__decided__lte=on,
        )
        .filter(Q(decision__lapsed__isnull=True) | Q(decision__lapsed__gt=on))
        .exclude(leases__start__lte=on)
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
    """Median days from decision to lease start per (band, bedrooms of the home) over the last 24 months."""
    since = add_months(today, -24)
    leases = Application.objects.filter(
        leases__start__gte=since, leases__start__lte=today, decision__isnull=False, kind__in=rules.WAITING_KINDS
    ).values_list("urgency", "leases__unit__bedrooms", "leases__start", "decision__decided")
    waits: dict[tuple[str, int], list[int]] = defaultdict(list)
    for band, bedrooms, start, decided in leases:
        waits[(band, min(bedrooms, 4))].append(max((start - decided).days, 0))
    return {key: {"median_days": int(median(values)), "housed": len(values)} for key, values in waits.items()}


def vacancy_days(unit: Unit, first: dt.date, last: dt.date) -> int:
    """Days in [first, last] the unit stood free while in stock, from its status history (database triggers)."""
    from django.utils import timezone

    events = list(
        Unit.pgh_event_model.objects.filter(pgh_obj_id=unit.pk)
        .order_by("pgh_created_at", "pgh_id")
        .values_list("pgh_created_at", "status")
    )
    if not events:
        return 0
    # Status per day: the last change on or before that day applies.
    changes = [(timezone.localtime(at).date(), status) for at, status in events]
    stock_from = max(first, unit.in_stock_from)
    stock_until = min(last, unit.in_stock_until or last)
    days = 0
    current = None
    index = 0
    day = min(stock_from, changes[0][0])
    while day <= stock_until:
        while index < len(changes) and changes[index][0] <= day:
            current = changes[index][1]
            index += 1
        if day >= stock_from and current == Unit.Status.FREE:
            days += 1
        day += dt.timedelta(days=1)
    return days
