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

from . import rules
from .models import Lease, Reminder
from .querysets import reminder_document

logger = logging.getLogger(__name__)

STANDARD_TERM_MONTHS = 36


def lease_draft_from_offer(*, offer: Offer, by) -> Lease:
    """An accepted offer becomes a lease draft: 3-year term from the first free day, rent from the unit."""
    unit = offer.unit
    previous_end = Lease.objects.filter(unit=unit).order_by("-start").values_list("moved_out", "end").first()
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
    open_now = list(rules.open_reminders(reminder_document(today), today))
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
        for pk, kind, ref, due in Reminder.objects.filter(
            closed_at__isnull=False, due__in={d for _k, _r, d in keep}
        ).values_list("pk", "kind", "subject_ref", "due")
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

    # A unit already let to the next tenant (a later lease exists) stays let.
    if not Lease.objects.filter(unit_id=locked.unit_id, start__gt=locked.start).exists():
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
    doc = reminder_document(today)
    keep = {(r.kind, r.subject_ref, r.due) for r in rules.open_reminders(doc, today) if r.subject_ref == ref}
    for reminder in Reminder.objects.filter(subject_ref=ref, closed_at__isnull=True):
        if (reminder.kind, reminder.subject_ref, reminder.due) not in keep:
            reminder.closed_at = timezone.now()
            reminder.save(update_fields=["closed_at"])


def renewal_cases_open(today: dt.date) -> int:
    """Open the renewal case of every lease with an open renewal reminder and no case yet."""
    refs = Reminder.objects.filter(kind=Reminder.Kind.RENEWAL_ASSESSMENT, closed_at__isnull=True).values("subject_ref")
    opened = 0
    for ref in Lease.objects.filter(ref__in=refs, renewal_case__isnull=True, renewal_decided__isnull=True).values_list(
        "ref", flat=True
    ):
        renewal_case_open(lease_ref=ref, today=today)
        opened += 1
    return opened


@transaction.atomic
def renewal_case_open(*, lease_ref: str, today: dt.date, by=None) -> Application | None:
    """Open the renewal case of a lease once (kind "renewal"), reusing the needs assessment of its case."""
    from cases.models import Assessment, CaseEvent, Status
    from cases.services import case_number_next

    lease = Lease.objects.select_for_update(of=("self",)).select_related("application", "household").get(ref=lease_ref)
    if lease.renewal_case_id is not None or lease.renewal_decided is not None:
        return lease.renewal_case
    previous = lease.application
    case = Application.objects.create(
        ref=case_number_next(today.year),
        household=lease.household,
        kind=Application.Kind.RENEWAL,
        received=today,
        status=Status.ASSESSMENT,
        assigned_to=previous.assigned_to if previous else None,
        housing_situation=Application.HousingSituation.OWN_RENTED,
        main_reason=previous.main_reason if previous else Application.MainReason.OTHER,
        urgency=previous.urgency if previous else Application.Urgency.C,
        target_group=previous.target_group if previous else Application.TargetGroup.ORDINARY,
        wheelchair_need=previous.wheelchair_need if previous else False,
    )
    CaseEvent.objects.create(
        application=case,
        by=by,
        from_status="",
        to_status=Status.ASSESSMENT,
        note=_("Renewal of lease %(lease)s opened before it ends %(end)s.")
        % {"lease": lease.ref, "end": lease.end.strftime("%d.%m.%Y") if lease.end else ""},
    )
    old = Assessment.objects.filter(application=previous).first() if previous else None
    if old is not None:
        old.pk = None
        old.id = None
        old.application = case
        old.completed_at = None
        old.recommendation = ""
        old.save()
    lease.renewal_case = case
    lease.save(update_fields=["renewal_case"])
    return case


def renewal_decided(*, decision, by) -> None:
    """A granted renewal decision marks the lease renewed; its renewal reminder closes."""
    lease = Lease.objects.filter(renewal_case=decision.application).first()
    if lease is None:
        return
    if decision.outcome == "granted":
        Lease.objects.filter(pk=lease.pk).update(renewal_decided=decision.decided)
        transaction.on_commit(lambda: reminder_sweep_for_lease(lease.ref))
