"""Retention for tenancies: a lease, a wait for a home or a stay keeps a household until it has ended.

A lease has ended on its moved-out date; without one, on its end date only when an outcome is recorded
(a tenant who stays on may have an open-ended lease, husleigelova § 9-2). A granted decision that has not
lapsed, on a case that is not closed and has no lease, is a household still waiting.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.db.models import Exists, OuterRef, Q

from allocation.models import Offer
from cases.models import Application, Status
from stord_bolig.retention import traces_erase

from .models import (
    ArrearsFigure,
    FollowUpContact,
    FollowUpPlan,
    Lease,
    Milestone,
    MoveOnPlan,
    Reminder,
    RentChange,
    TemporaryStay,
)


def households_kept(cutoff: dt.date) -> set[int]:
    """Households with a lease, stay, follow-up or wait that has not ended, or ended on or after the cutoff."""
    not_ended = Q(moved_out__isnull=True) & (Q(outcome__isnull=True) | Q(end__isnull=True))
    leases = Lease.objects.filter(
        not_ended
        | Q(moved_out__gte=cutoff)
        | Q(moved_out__isnull=True, end__gte=cutoff)
        | Q(start__gte=cutoff)
        | Exists(ArrearsFigure.objects.filter(lease=OuterRef("pk"), as_of__gte=cutoff))
        | Exists(RentChange.objects.filter(lease=OuterRef("pk"), effective__gte=cutoff))
        | Exists(
            FollowUpPlan.objects.filter(lease=OuterRef("pk")).filter(
                Q(closed__isnull=True) | Q(closed__gte=cutoff) | Q(next_contact__gte=cutoff)
            )
        )
    ).values_list("household_id", flat=True)
    waiting = (
        Application.objects.filter(decision__outcome="granted", decision__lapsed__isnull=True)
        .exclude(status=Status.CLOSED)
        .exclude(Exists(Lease.objects.filter(application=OuterRef("pk"))))
        .values_list("household_id", flat=True)
    )
    stays = TemporaryStay.objects.filter(Q(end__isnull=True) | Q(end__gte=cutoff) | Q(start__gte=cutoff)).values_list(
        "household_id", flat=True
    )
    return set(leases) | set(waiting) | set(stays)


def _ids(queryset) -> list[int]:
    return list(queryset.values_list("id", flat=True))


def households_erase(household_ids: list[int], cutoff: dt.date) -> Counter:
    """Delete arrears, rent changes, contacts and milestones; blank the reasons, goals and notes; keep the dates."""
    counts: Counter = Counter()
    leases = Lease.objects.filter(household_id__in=household_ids)
    lease_ids = _ids(leases)

    for model, key in (
        (ArrearsFigure, "arrears_figures"),
        (RentChange, "rent_changes"),
        (FollowUpContact, "followup_contacts"),
        (Milestone, "milestones"),
    ):
        lookup = (
            {"plan__lease_id__in": lease_ids} if model in (FollowUpContact, Milestone) else {"lease_id__in": lease_ids}
        )
        rows = model.objects.filter(**lookup)
        counts.update(traces_erase(model, _ids(rows)))
        counts[key] += rows.delete()[0]

    plans = FollowUpPlan.objects.filter(lease_id__in=lease_ids)
    counts["followup_plans"] += plans.update(goals="", support="")
    counts.update(traces_erase(FollowUpPlan, _ids(plans)))
    move_on = MoveOnPlan.objects.filter(lease_id__in=lease_ids)
    move_on.update(notes="")
    counts.update(traces_erase(MoveOnPlan, _ids(move_on)))

    counts["leases"] += leases.update(short_term_reason=None, repeat_short_term_reason=None)
    counts.update(traces_erase(Lease, lease_ids))
    counts.update(traces_erase(TemporaryStay, _ids(TemporaryStay.objects.filter(household_id__in=household_ids))))

    applications = Application.objects.filter(household_id__in=household_ids)
    subjects = {
        *leases.values_list("ref", flat=True),
        *applications.values_list("ref", flat=True),
        *Offer.objects.filter(application__in=applications).values_list("ref", flat=True),
    }
    counts["reminders"] += Reminder.objects.filter(subject_ref__in=subjects).delete()[0]
    return counts
