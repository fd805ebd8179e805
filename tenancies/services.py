"""Writes for tenancies: lease drafts from accepted offers, the reminder sweep, move-in/out, renewal."""

from __future__ import annotations

import datetime as dt
import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from allocation.models import Offer
from cases.models import Application
from cases.rules import add_months
from cases.services import ref_next
from stord_bolig.interchange.service import document_export

from . import rules
from .models import Lease, Reminder

logger = logging.getLogger(__name__)

STANDARD_TERM_MONTHS = 36


def lease_draft_from_offer(*, offer: Offer, by) -> Lease:
    """An accepted offer becomes a lease draft: 3-year term from the first free day, rent from the unit."""
    unit = offer.unit
    previous_end = (
        Lease.objects.filter(unit=unit)
        .order_by("-start")
        .values_list("moved_out", "end")
        .first()
    )
    start = max(offer.answered or timezone.localdate(), timezone.localdate()) + dt.timedelta(days=1)
    if previous_end is not None:
        moved_out, end = previous_end
        free_from = moved_out or (end + dt.timedelta(days=1) if end else None)
        if free_from is not None:
            start = max(start, free_from)
    return Lease.objects.create(
        ref=ref_next(Lease, "L-", width=5),
        unit=unit,
        household=offer.application.household,
        application=offer.application,
        start=start,
        end=add_months(start, STANDARD_TERM_MONTHS) - dt.timedelta(days=1),
        monthly_rent=unit.monthly_rent,
    )


def _responsible_users() -> tuple[dict[str, int | None], dict[str, int | None], dict[str, int | None]]:
    applications = dict(Application.objects.values_list("ref", "assigned_to_id"))
    offers = dict(Offer.objects.values_list("ref", "application__assigned_to_id"))
    leases = dict(Lease.objects.values_list("ref", "application__assigned_to_id"))
    return applications, offers, leases


def reminder_sweep(today: dt.date) -> dict[str, int]:
    """Create every reminder due on `today` exactly once, and close those whose rule no longer applies.

    Exactly once holds however often and however concurrently it runs: rows are inserted with
    ON CONFLICT DO NOTHING against the unique (kind, subject, due) constraint.
    """
    doc = document_export()
    open_now = list(rules.open_reminders(doc, today))
    owners = dict(zip(("application", "offer", "lease"), _responsible_users(), strict=True))
    rows = [
        Reminder(
            kind=item.kind,
            subject_kind=item.subject_kind,
            subject_ref=item.subject_ref,
            due=item.due,
            remind_from=item.remind_from,
            assigned_to_id=owners[item.subject_kind].get(item.subject_ref),
        )
        for item in open_now
    ]
    before = Reminder.objects.count()
    Reminder.objects.bulk_create(rows, ignore_conflicts=True, batch_size=2000)
    inserted = Reminder.objects.count() - before
    keep = {(item.kind, item.subject_ref, item.due) for item in open_now}
    stale = [
        pk
        for pk, kind, ref, due in Reminder.objects.filter(closed_at__isnull=True).values_list(
            "pk", "kind", "subject_ref", "due"
        )
        if (kind, ref, due) not in keep
    ]
    closed = Reminder.objects.filter(pk__in=stale, closed_at__isnull=True).update(closed_at=timezone.now())
    # Re-open a reminder closed earlier whose rule applies again (e.g. a referral date corrected).
    again = [
        pk
        for pk, kind, ref, due in Reminder.objects.filter(closed_at__isnull=False, due__in={d for _k, _r, d in keep})
        .values_list("pk", "kind", "subject_ref", "due")
        if (kind, ref, due) in keep
    ]
    reopened = Reminder.objects.filter(pk__in=again).update(closed_at=None)
    logger.info("reminder sweep %s: %d open, %d closed", today, len(open_now), closed)
    return {"open": len(open_now), "inserted": inserted, "closed": closed, "reopened": reopened}


@transaction.atomic
def lease_move_out(*, lease: Lease, moved_out: dt.date, outcome: str, by) -> Lease:
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if locked.moved_out:
        raise ValidationError(_("The tenant has already moved out."))
    if moved_out < (locked.moved_in or locked.start):
        raise ValidationError({"moved_out": _("Moving out cannot be before moving in.")})
    locked.moved_out = moved_out
    locked.outcome = outcome
    locked.save(update_fields=["moved_out", "outcome"])
    from allocation.models import Unit

    Unit.objects.filter(pk=locked.unit_id).update(status=Unit.Status.FREE)
    return locked


@transaction.atomic
def lease_move_in(*, lease: Lease, moved_in: dt.date, by) -> Lease:
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if moved_in < locked.start:
        raise ValidationError({"moved_in": _("Moving in cannot be before the lease starts.")})
    locked.moved_in = moved_in
    locked.save(update_fields=["moved_in"])
    return locked


@transaction.atomic
def lease_record_date(*, lease: Lease, field: str, day: dt.date, by) -> Lease:
    """Record a dated act on a lease: renewal granted, move-out demand sent, circulation review, referral."""
    allowed = {"renewal_decided", "move_out_demand_sent", "last_circulation_review", "financial_advice_referral"}
    if field not in allowed:
        raise ValidationError(_("Unknown action."))
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    setattr(locked, field, day)
    locked.save(update_fields=[field])
    return locked


def reminder_sweep_for_lease(ref: str) -> None:
    """Close the lease's reminders at once when a recorded act ends them (the nightly sweep would too)."""
    today = timezone.localdate()
    doc = document_export()
    keep = {(r.kind, r.subject_ref, r.due) for r in rules.open_reminders(doc, today) if r.subject_ref == ref}
    for reminder in Reminder.objects.filter(subject_ref=ref, closed_at__isnull=True):
        if (reminder.kind, reminder.subject_ref, reminder.due) not in keep:
            reminder.closed_at = timezone.now()
            reminder.save(update_fields=["closed_at"])
