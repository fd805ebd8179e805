"""Reads and visibility of case data. Every view that takes an id loads through `visible_to(user)`.

Caseworkers at the housing office see every case (they share the waiting list and the
allocation meeting); the Housing First team sees Housing First cases; other roles see a case
only through a grant that a higher layer registers (a referral to the financial advisor, a
NAV consent) with `register_case_grant`. Nobody else sees anything: a miss is a 404.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import models
from django.db.models import Q

from stord_bolig.roles import Role

# Callables user -> Q over Application (or None); registered by finance_advice etc.
_case_grants: list[Callable] = []


def register_case_grant(grant: Callable) -> None:
    if grant not in _case_grants:
        _case_grants.append(grant)


def case_visibility_q(user) -> Q | None:
    """A Q over Application for what the user may see; None means nothing."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    if user.is_superuser or user.has_role(Role.CASEWORKER):
        return Q()
    condition = None
    if user.has_role(Role.HOUSING_FIRST):
        condition = Q(target_group="housing_first")
    for grant in _case_grants:
        extra = grant(user)
        if extra is not None:
            condition = extra if condition is None else condition | extra
    return condition


def visible_case_ids(user, ids) -> set[int]:
    """Which of the cases `ids` the user may open (no query when the user sees all cases or none)."""
    condition = case_visibility_q(user)
    if condition is None:
        return set()
    if condition == Q():
        return set(ids)
    from .models import Application

    return set(Application.objects.filter(condition, pk__in=list(ids)).values_list("pk", flat=True))


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = case_visibility_q(user)
        if condition is None:
            return self.none()
        return self.filter(condition)

    def open(self):
        from .models import Status

        return self.exclude(status=Status.CLOSED)

    def undecided(self):
        return self.filter(decision__isnull=True)

    def assigned_to(self, user):
        return self.filter(assigned_to=user)

    def with_list_data(self):
        """Everything a case list row shows, in a constant number of queries."""
        return self.select_related("household", "assigned_to", "decision").prefetch_related(
            "household__members__person"
        )

    def preliminary_reply_pending(self):
        """Cases still owed a preliminary reply: of a kind that needs one, undecided, open, none sent
        (the set-wise form of Application.preliminary_reply_pending)."""
        from .rules import PRELIMINARY_REPLY_KINDS

        return self.filter(
            kind__in=PRELIMINARY_REPLY_KINDS, decision__isnull=True, preliminary_reply_sent__isnull=True
        ).exclude(status="closed")

    def preliminary_reply_overdue_on(self, day: dt.date):
        from .rules import preliminary_reply_overdue_received_before

        return self.preliminary_reply_pending().filter(received__lt=preliminary_reply_overdue_received_before(day))


def health_visible_to(user, application) -> bool:
    """The health section is need-to-know: the assigned caseworker (not any caseworker, not on unassigned cases),
    or the Housing First team on its cases."""
    if not getattr(user, "is_authenticated", False):
        return False
    if not user.has_perm("cases.view_health"):
        return False
    if user.is_superuser:
        return True
    if user.has_role(Role.CASEWORKER) and application.assigned_to_id == user.pk:
        return True
    return user.has_role(Role.HOUSING_FIRST) and application.target_group == "housing_first"


class PersonQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = case_visibility_q(user)
        if condition is None:
            return self.none()
        if condition == Q():
            return self.all()
        from .models import Application

        households = Application.objects.filter(condition).values("household_id")
        return self.filter(membership__household_id__in=households)


class HouseholdQuerySet(models.QuerySet):
    def visible_to(self, user):
        condition = case_visibility_q(user)
        if condition is None:
            return self.none()
        if condition == Q():
            return self.all()
        from .models import Application

        return self.filter(pk__in=Application.objects.filter(condition).values("household_id"))
