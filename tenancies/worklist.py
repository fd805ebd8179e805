"""The work list entries of tenancies: open reminders assigned to the user."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse

from stord_bolig.worklist import WorkItem

from .models import Reminder

_URLS = {
    "application": lambda ref: reverse("cases:case-detail", args=[ref]),
    "lease": lambda ref: reverse("tenancies:lease-detail", args=[ref]),
    "offer": lambda ref: reverse("allocation:offer-answer", args=[ref]),
}


def _renewal_cases(refs) -> dict[str, str]:
    from .models import Lease

    return dict(Lease.objects.filter(ref__in=refs, renewal_case__isnull=False).values_list("ref", "renewal_case__ref"))


def reminder_items(user, today: dt.date) -> list[WorkItem]:
    from django.db.models import Exists, OuterRef, Q

    from cases.models import Application

    settled = Application.objects.filter(ref=OuterRef("subject_ref")).filter(
        Q(decision__isnull=False) | Q(preliminary_reply_sent__isnull=False)
    )
    # The nightly sweep closes reminders; a reply or decision made today removes its task at once.
    reminders = (
        Reminder.objects.filter(assigned_to=user, closed_at__isnull=True, remind_from__lte=today)
        .exclude(Q(kind=Reminder.Kind.PRELIMINARY_REPLY) & Exists(settled))
        .order_by("due", "kind", "subject_ref")[:500]
    )
    reminders = list(reminders)
    renewals = _renewal_cases([r.subject_ref for r in reminders if r.kind == Reminder.Kind.RENEWAL_ASSESSMENT])
    return [
        WorkItem(
            kind=r.kind,
            label=str(Reminder.Kind(r.kind).label),
            subject=r.subject_ref,
            # A renewal reminder leads straight to the renewal case, where the assessment is done.
            url=_URLS["application"](renewals[r.subject_ref])
            if r.subject_ref in renewals
            else _URLS[r.subject_kind](r.subject_ref),
            due=r.due,
            remind_from=r.remind_from,
        )
        for r in reminders
    ]
