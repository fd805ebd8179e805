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


def reminder_items(user, today: dt.date) -> list[WorkItem]:
    reminders = Reminder.objects.filter(assigned_to=user, closed_at__isnull=True, remind_from__lte=today).order_by(
        "due", "kind", "subject_ref"
    )[:500]
    return [
        WorkItem(
            kind=r.kind,
            label=str(Reminder.Kind(r.kind).label),
            subject=r.subject_ref,
            url=_URLS[r.subject_kind](r.subject_ref),
            due=r.due,
            remind_from=r.remind_from,
        )
        for r in reminders
    ]
