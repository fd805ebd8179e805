"""The work list entries of tenancies: open reminders assigned to the user."""

from __future__ import annotations

import datetime as dt
from functools import partial

from django.urls import reverse

from stord_bolig.worklist import WorkItem

from .models import Reminder

_URLS = {
    "application": lambda ref: reverse("cases:case-detail", args=[ref]),
    "lease": lambda ref: reverse("tenancies:lease-detail", args=[ref]),
    "offer": lambda ref: reverse("allocation:offer-answer", args=[ref]),
}
# Tasks done on a page of their own rather than on their subject's page.
_ACTIONS = {
    Reminder.Kind.PRELIMINARY_REPLY: lambda ref: reverse("cases:preliminary-reply", args=[ref]),
    Reminder.Kind.OFFER_RESPONSE: lambda ref: reverse("allocation:offer-answer", args=[ref]),
}


def _offer_cases(refs) -> dict[str, str]:
    from allocation.models import Offer

    return dict(Offer.objects.filter(ref__in=refs).values_list("ref", "application__ref"))


def _renewal_cases(refs) -> tuple[dict[str, str], set[str]]:
    """For renewal reminders' leases: the renewal case of each (by lease ref), and the leases whose renewal case
    is decided. A renewal assessed and decided: a refused one keeps its reminder to the lease's end (the rules'
    contract), but the task is done; the move-out demand is the next one, from the day after the end.

    Asked here for the listed leases only: as a condition in the reminders' query, PostgreSQL hashed every lease
    with a decided renewal first (17 ms of the work list's 20 at national scale, docs/PERFORMANCE.md)."""
    from .models import Lease

    rows = Lease.objects.filter(ref__in=refs, renewal_case__isnull=False).values_list(
        "ref", "renewal_case__ref", "renewal_case__decision__id"
    )
    return {ref: case for ref, case, _d in rows}, {ref for ref, _c, decision in rows if decision is not None}


def reminder_items(user, today: dt.date) -> list[WorkItem]:
    from django.db.models import Exists, OuterRef, Q

    from cases.models import Application

    settled = Application.objects.filter(ref=OuterRef("subject_ref")).filter(
        Q(decision__isnull=False) | Q(preliminary_reply_sent__isnull=False) | Q(status="closed")
    )
    # The nightly sweep closes reminders; a reply, a decision or closing the case today removes its task at once.
    reminders = (
        Reminder.objects.filter(assigned_to=user, closed_at__isnull=True, remind_from__lte=today)
        .exclude(Q(kind=Reminder.Kind.PRELIMINARY_REPLY) & Exists(settled))
        .order_by("due", "kind", "subject_ref")[:500]
    )
    rows = list(reminders.values_list("kind", "subject_kind", "subject_ref", "due", "remind_from"))
    renewals, renewal_decided = _renewal_cases(
        [ref for kind, _sk, ref, _d, _r in rows if kind == Reminder.Kind.RENEWAL_ASSESSMENT]
    )
    rows = [row for row in rows if not (row[0] == Reminder.Kind.RENEWAL_ASSESSMENT and row[2] in renewal_decided)]
    offer_cases = _offer_cases([ref for _k, subject_kind, ref, _d, _r in rows if subject_kind == "offer"])
    labels = {kind: str(label) for kind, label in Reminder.Kind.choices}
    return [
        WorkItem(
            kind=kind,
            label=labels[kind],
            # An offer is named with its case, whose page its link opens; the rest have pages of their own.
            subject=f"{ref} ({offer_cases[ref]})" if ref in offer_cases else ref,
            link=partial(_URLS["application"], offer_cases[ref])
            if ref in offer_cases
            else partial(_URLS[subject_kind], ref),
            # A renewal reminder leads straight to the renewal case, where the assessment is done.
            action=partial(_URLS["application"], renewals[ref])
            if ref in renewals
            else (partial(_ACTIONS[kind], ref) if kind in _ACTIONS else None),
            due=due,
            remind_from=remind_from,
        )
        for kind, subject_kind, ref, due, remind_from in rows
    ]


# A follow-up contact shows on the work list from a week before it is due.
FOLLOWUP_NOTICE = dt.timedelta(days=7)


def followup_items(user, today: dt.date) -> list[WorkItem]:
    """Follow-up contacts due for the plans the user is responsible for (open plans only)."""
    from django.utils.translation import gettext as _

    from .models import FollowUpPlan

    plans = (
        FollowUpPlan.objects.active()
        .filter(responsible=user, next_contact__isnull=False, next_contact__lte=today + FOLLOWUP_NOTICE)
        .select_related("lease")
        .order_by("next_contact")[:200]
    )
    return [
        WorkItem(
            kind="followup_contact",
            label=_("Follow-up contact with the tenant"),
            subject=plan.lease.ref,
            link=partial(_URLS["lease"], plan.lease.ref),
            due=plan.next_contact,
            remind_from=plan.next_contact - FOLLOWUP_NOTICE,
        )
        for plan in plans
    ]
