"""The bedroom-need cache behind the SQL shortlist: computed by cases.rules, stored per case with its validity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db.models import Q

from cases.models import HouseholdMember
from cases.rules import MemberAge, bedroom_need, bedroom_need_valid_until

from .models import BedroomNeed


def stale_q(on: dt.date) -> Q:
    """A case whose cached need does not hold on `on` (none yet, computed later, or an age changed it)."""
    return (
        Q(bedroom_need_cache__isnull=True)
        | Q(bedroom_need_cache__computed_on__gt=on)
        | Q(bedroom_need_cache__valid_until__lte=on)
    )


def stale_for(queryset, on: dt.date):
    """Cases of `queryset` whose cached need does not hold on `on`."""
    return queryset.filter(stale_q(on))


def bedroom_needs_refresh(queryset, on: dt.date) -> int:
    """Recompute the cached need of every case in `queryset` that is stale on `on`; returns how many."""
    stale = list(stale_for(queryset, on).values_list("pk", "household_id"))
    if not stale:
        return 0
    members = defaultdict(list)
    for household_id, role, birth_date in HouseholdMember.objects.filter(
        household_id__in={household for _pk, household in stale}
    ).values_list("household_id", "role", "person__birth_date"):
        members[household_id].append(MemberAge(role, birth_date))
    rows = [
        BedroomNeed(
            application_id=pk,
            need=bedroom_need(members[household], on),
            computed_on=on,
            valid_until=bedroom_need_valid_until(members[household], on),
        )
        for pk, household in stale
    ]
    BedroomNeed.objects.bulk_create(
        rows,
        update_conflicts=True,
        unique_fields=["application"],
        update_fields=["need", "computed_on", "valid_until"],
        batch_size=5000,
    )
    return len(rows)


def bedroom_needs_forget(household_ids) -> None:
    """A household's members changed: its cases' cached needs no longer hold."""
    BedroomNeed.objects.filter(application__household_id__in=household_ids).delete()
