"""The bedroom need kept on each case for the SQL shortlist: computed by cases.rules, stored with its validity."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import connection
from django.db.models import Q

from cases.models import Application, HouseholdMember
from cases.rules import MemberAge, bedroom_need, bedroom_need_valid_until


def stale_q(on: dt.date) -> Q:
    """A case whose kept need does not hold on `on` (none yet, computed later, or an age changed it)."""
    return Q(bedroom_need__isnull=True) | Q(need_computed_on__gt=on) | Q(need_valid_until__lte=on)


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
    ids, needs, valid = [], [], []
    for pk, household in stale:
        ids.append(pk)
        needs.append(bedroom_need(members[household], on))
        valid.append(bedroom_need_valid_until(members[household], on))
    # One UPDATE from three arrays: the kept need is not history (Application's tracker leaves these columns out).
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE cases_application SET bedroom_need = v.need, need_computed_on = %s, need_valid_until = v.valid "
            "FROM unnest(%s::integer[], %s::smallint[], %s::date[]) AS v(id, need, valid) "
            "WHERE cases_application.id = v.id",
            [on, ids, needs, valid],
        )
    return len(ids)


def bedroom_needs_forget(household_ids) -> None:
    """A household's members changed: its cases' cached needs no longer hold."""
    Application.objects.filter(household_id__in=household_ids, bedroom_need__isnull=False).update(
        bedroom_need=None, need_computed_on=None, need_valid_until=None
    )
