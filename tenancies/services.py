"""Writes for tenancies: lease drafts from accepted offers, the reminder sweep, move-in/out, renewal."""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
import logging

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from allocation.models import Offer
from cases.letters import _letter_language
from cases.models import Application, case_history_note, system_note
from cases.rules import add_months
from cases.services import ref_next
from stord_bolig.formats import kr

from . import letters, rules
from .models import ArrearsFigure, FollowUpContact, FollowUpPlan, Lease, Milestone, MoveOnPlan, Reminder, RentChange
from .querysets import continued_lease, reminder_document

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


# The sweep's writes, set-wise against the open reminders the rules found (copied into a temporary table):
# insert the new ones with their caseworker, close the open ones no rule keeps, re-open closed ones a rule
# keeps again (e.g. a referral date corrected). (kind, subject_ref, due) identifies a reminder throughout,
# as in the unique constraint; rows already there keep their caseworker and remind-from date.
_SWEEP_OPEN = """
CREATE TEMPORARY TABLE reminder_sweep_open (
    seq integer NOT NULL,
    kind varchar(30) NOT NULL,
    subject_kind varchar(20) NOT NULL,
    subject_ref varchar(40) NOT NULL,
    due date NOT NULL,
    remind_from date NOT NULL
) ON COMMIT DROP
"""

# The new ones get a table of their own, analysed, so that finding their caseworkers is planned for how
# many they are (a few on an ordinary night, every one on the first) and not from stale table statistics.
_SWEEP_NEW = """
CREATE TEMPORARY TABLE reminder_sweep_new ON COMMIT DROP AS
SELECT o.* FROM reminder_sweep_open o
WHERE NOT EXISTS (
    SELECT FROM tenancies_reminder r WHERE r.kind = o.kind AND r.subject_ref = o.subject_ref AND r.due = o.due
)
"""

_SWEEP_INSERT = """
INSERT INTO tenancies_reminder (kind, subject_kind, subject_ref, due, remind_from, assigned_to_id, created_at)
SELECT n.kind, n.subject_kind, n.subject_ref, n.due, n.remind_from,
       CASE n.subject_kind
           WHEN 'application' THEN a.assigned_to_id
           WHEN 'offer' THEN offer_case.assigned_to_id
           WHEN 'lease' THEN lease_case.assigned_to_id
       END,
       %(now)s
FROM reminder_sweep_new n
LEFT JOIN cases_application a ON n.subject_kind = 'application' AND a.ref = n.subject_ref
LEFT JOIN allocation_offer offer ON n.subject_kind = 'offer' AND offer.ref = n.subject_ref
LEFT JOIN cases_application offer_case ON offer_case.id = offer.application_id
LEFT JOIN tenancies_lease lease ON n.subject_kind = 'lease' AND lease.ref = n.subject_ref
LEFT JOIN cases_application lease_case ON lease_case.id = lease.application_id
ORDER BY n.seq
"""

_SWEEP_CLOSE = """
UPDATE tenancies_reminder r SET closed_at = %(now)s
WHERE r.closed_at IS NULL AND NOT EXISTS (
    SELECT FROM reminder_sweep_open o WHERE o.kind = r.kind AND o.subject_ref = r.subject_ref AND o.due = r.due
)
"""

_SWEEP_REOPEN = """
UPDATE tenancies_reminder r SET closed_at = NULL
FROM reminder_sweep_open o
WHERE r.closed_at IS NOT NULL AND o.kind = r.kind AND o.subject_ref = r.subject_ref AND o.due = r.due
"""


@contextlib.contextmanager
def _cyclic_gc_paused():
    """No cyclic garbage collection inside: for loading and judging a whole register of records.

    Hundreds of thousands of small records pile up and live until the rules are done (none in a cycle;
    reference counting frees them). The collector would walk the growing heap again and again: a third
    of a steady sweep over 100 000 leases.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def reminder_sweep(today: dt.date) -> dict[str, int]:
    """Create every reminder due on `today` exactly once, and close those whose rule no longer applies.

    Exactly once holds however often and however concurrently it runs: the unique (kind, subject, due)
    constraint refuses a second row, and a sweep that meets another's rows inserts with ON CONFLICT DO NOTHING.
    """
    with _cyclic_gc_paused():
        open_now = list(rules.open_reminders(reminder_document(today), today))
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_SWEEP_OPEN)
        columns = "seq, kind, subject_kind, subject_ref, due, remind_from"
        with cursor.copy(f"COPY reminder_sweep_open ({columns}) FROM STDIN") as copy:
            copy.set_types(["int4", "varchar", "varchar", "varchar", "date", "date"])
            for seq, item in enumerate(open_now):
                copy.write_row((seq, item.kind, item.subject_kind, item.subject_ref, item.due, item.remind_from))
        cursor.execute("ANALYZE reminder_sweep_open")
        cursor.execute(_SWEEP_NEW)
        cursor.execute("ANALYZE reminder_sweep_new")
        # A plain insert of the rows not there yet: ON CONFLICT's speculative insertion made the first run of
        # a national register a third slower. Only a sweep running at the same moment can make it fail (it
        # waits for the other's commit, then meets its rows); then the same insert, skipping them.
        try:
            with transaction.atomic():
                cursor.execute(_SWEEP_INSERT, {"now": now})
        except IntegrityError:
            logger.info("reminder sweep %s: met the rows of a concurrent sweep", today)
            cursor.execute(_SWEEP_INSERT + "ON CONFLICT DO NOTHING", {"now": now})
        inserted = cursor.rowcount
        cursor.execute(_SWEEP_CLOSE, {"now": now})
        closed = cursor.rowcount
        cursor.execute(_SWEEP_REOPEN)
        reopened = cursor.rowcount
        # ON COMMIT DROP does not fire while an outer transaction stays open (a request, a test).
        cursor.execute("DROP TABLE reminder_sweep_open, reminder_sweep_new")
    logger.info("reminder sweep %s: %d open, %d closed", today, len(open_now), closed)
    return {"open": len(open_now), "inserted": inserted, "closed": closed, "reopened": reopened}


@transaction.atomic
def lease_move_out(*, lease: Lease, moved_out: dt.date, outcome: str, by) -> Lease:
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if locked.moved_out:
        raise ValidationError(_("The tenant has already moved out."))
    if locked.outcome == Lease.Outcome.RENEWED:
        # the tenancy goes on under the renewed lease; moving out before it starts withdraws it (below)
        raise ValidationError(_("The lease has been renewed: the tenant moves out of the renewed lease."))
    return _moved_out(locked, moved_out, outcome)


def _moved_out(locked: Lease, moved_out: dt.date, outcome: str) -> Lease:
    """Record a move-out on a locked lease; the unit is free again unless it is already let to the next tenant."""
    if locked.moved_in is not None and moved_out < locked.moved_in:
        raise ValidationError({"moved_out": _("Moving out cannot be before moving in.")})
    if moved_out < locked.start:
        raise ValidationError(
            {
                "moved_out": _("Moving out cannot be before the lease starts (%(day)s).")
                % {"day": locked.start.strftime("%d.%m.%Y")}
            }
        )
    locked.moved_out = moved_out
    locked.outcome = outcome
    locked.save(update_fields=["moved_out", "outcome"])
    from allocation.models import Unit

    # A unit already let to the next tenant (a later lease exists) stays let.
    if not Lease.objects.filter(unit_id=locked.unit_id, start__gt=locked.start).exists():
        Unit.objects.filter(pk=locked.unit_id).update(status=Unit.Status.FREE)
    return locked


def renewal_withdrawable(lease: Lease, following: Lease | None, today: dt.date) -> bool:
    """The lease is renewed and the lease continuing it (`following`, the household's next lease of the home) has not
    started by `today`: the tenant may still move out instead, which withdraws it (renewal_withdraw_move_out)."""
    return (
        lease.outcome == Lease.Outcome.RENEWED
        and not lease.moved_out
        and lease.end is not None
        and following is not None
        and following.start == lease.end + dt.timedelta(days=1)
        and following.start > today
    )


@transaction.atomic
def renewal_withdraw_move_out(*, lease: Lease, moved_out: dt.date, outcome: str, by) -> str:
    """The tenant moves out after all, before the renewed lease has started: the move-out is recorded on the lease
    they live under, and the renewed lease that would have continued it is withdrawn (it never ran: deleted, its
    history kept by pghistory and its contract among the renewal case's letters). Returns the withdrawn lease's ref.

    After the renewed lease has started, a move-out belongs to it; the ordinary move-out does that.
    """
    locked = Lease.objects.select_for_update(of=("self",)).get(pk=lease.pk)
    if locked.outcome != Lease.Outcome.RENEWED or locked.end is None:
        raise ValidationError(_("The lease has not been renewed."))
    if locked.moved_out:
        raise ValidationError(_("The tenant has already moved out."))
    following = (
        Lease.objects.select_for_update(of=("self",))
        .select_related("application")
        .filter(unit_id=locked.unit_id, household_id=locked.household_id, start=locked.end + dt.timedelta(days=1))
        .first()
    )
    if following is None:
        raise ValidationError(_("The lease has not been renewed."))
    if not renewal_withdrawable(locked, following, timezone.localdate()) or following.moved_in or following.moved_out:
        raise ValidationError(
            _("The tenant lives under the renewed lease %(lease)s now: record the move-out there.")
            % {"lease": following.ref}
        )
    if moved_out > locked.end:
        raise ValidationError(
            {
                "moved_out": _(
                    "This lease ends %(day)s. A later move-out is recorded on the renewed lease %(lease)s once it "
                    "has started."
                )
                % {"day": locked.end.strftime("%d.%m.%Y"), "lease": following.ref}
            }
        )
    if following.arrears.exists() or following.referrals.exists():
        raise ValidationError(
            _(
                "The renewed lease %(lease)s has arrears or a referral to financial advice registered, so it is not "
                "withdrawn. Correct those first."
            )
            % {"lease": following.ref}
        )
    # The follow-up the renewal carried over comes back to the lease the tenant lives under.
    FollowUpPlan.objects.filter(lease=following).update(lease=locked)
    MoveOnPlan.objects.filter(lease=following).update(lease=locked)
    withdrawn = following.ref
    if following.application_id is not None:
        case_history_note(
            following.application,
            by=by,
            message=gettext_noop(
                "Lease %(new)s withdrawn before it started: the tenant moves out of lease %(old)s on %(day)s."
            ),
            new=withdrawn,
            old=locked.ref,
            day=moved_out.strftime("%d.%m.%Y"),
        )
    following.delete()
    # The withdrawn lease's reminders close now (it is gone from what the nightly sweep reads).
    transaction.on_commit(lambda: reminder_sweep_for_lease(withdrawn))
    _moved_out(locked, moved_out, outcome)  # the outcome says where the tenant went instead
    return withdrawn


@transaction.atomic
def lease_move_in(*, lease: Lease, moved_in: dt.date, by) -> Lease:
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if moved_in < locked.start:
        raise ValidationError({"moved_in": _("Moving in cannot be before the lease starts.")})
    if moved_in > timezone.localdate():
        raise ValidationError(
            {"moved_in": _("A move-in is recorded when it has happened: the date cannot be in the future.")}
        )
    locked.moved_in = moved_in
    locked.save(update_fields=["moved_in"])
    return locked


@transaction.atomic
def lease_record_date(*, lease: Lease, field: str, day: dt.date, by) -> Lease:
    """Record a dated act on a lease: a move-out demand sent by other means, or a circulation review held.

    A renewal is granted only by a decision on the renewal case, and a referral to financial advice is made as a
    referral the advisor sees (finance_advice); neither is a date typed in here.
    """
    if field == "renewal_decided":
        raise ValidationError(
            _("A renewal is granted by a decision on the lease's renewal case; the date is recorded from it.")
        )
    if field == "financial_advice_referral":
        raise ValidationError(
            _("Refer the household to financial advice from the case or the arrears, so the advisor gets it.")
        )
    if field not in {"move_out_demand_sent", "last_circulation_review"}:
        raise ValidationError(_("Unknown action."))
    if day > timezone.localdate():
        raise ValidationError(_("The date cannot be in the future."))
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if field == "move_out_demand_sent" and locked.outcome == Lease.Outcome.RENEWED:
        raise ValidationError(_("The renewal is granted: the tenant stays, and no move-out demand is sent."))
    if locked.moved_out is not None and day > locked.moved_out and field != "financial_advice_referral":
        # a renewal, a demand or a review after the tenant left is a mistake (old arrears may still be referred)
        raise ValidationError(_("The tenant moved out on %(day)s.") % {"day": locked.moved_out.strftime("%d.%m.%Y")})
    if day < locked.start:
        raise ValidationError(
            {
                "day": _("The date cannot be before the lease starts (%(day)s).")
                % {"day": locked.start.strftime("%d.%m.%Y")}
            }
        )
    recorded = getattr(locked, field)
    if recorded is not None and day < recorded:
        # the latest review is what the next one is counted from; an older one typed in would hide it
        raise ValidationError(
            {
                "day": _("A later date is already recorded (%(day)s); an administrator can correct a mistyped one.")
                % {"day": recorded.strftime("%d.%m.%Y")}
            }
        )
    setattr(locked, field, day)
    locked.save(update_fields=[field])
    return locked


def reminder_sweep_for_lease(ref: str) -> None:
    """Close the lease's reminders at once when a recorded act ends them (the nightly sweep would too)."""
    today = timezone.localdate()
    doc = reminder_document(today, lease_ref=ref)
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
    from cases.rules import urgency_suggest
    from cases.services import case_number_next

    lease = Lease.objects.select_for_update(of=("self",)).select_related("application", "household").get(ref=lease_ref)
    if lease.renewal_case_id is not None or lease.renewal_decided is not None:
        return lease.renewal_case
    previous = lease.application
    old = Assessment.objects.filter(application=previous).first() if previous else None
    # The tenant lives in a home of their own now: the band starts from that, not from how they lived before.
    urgency = urgency_suggest(
        housing_situation=Application.HousingSituation.OWN_RENTED,
        children_in_unsuitable_housing=bool(old and old.children_in_unsuitable_housing),
    )
    case = Application.objects.create(
        ref=case_number_next(today.year),
        household=lease.household,
        kind=Application.Kind.RENEWAL,
        received=today,
        status=Status.ASSESSMENT,
        assigned_to=previous.assigned_to if previous else None,
        housing_situation=Application.HousingSituation.OWN_RENTED,
        main_reason=previous.main_reason if previous else Application.MainReason.OTHER,
        urgency=urgency,
        urgency_suggested=urgency,
        target_group=previous.target_group if previous else Application.TargetGroup.ORDINARY,
        wheelchair_need=previous.wheelchair_need if previous else False,
    )
    CaseEvent.objects.create(
        application=case,
        by=by,
        from_status="",
        to_status=Status.ASSESSMENT,
        **system_note(
            gettext_noop("Renewal of lease %(lease)s opened before it ends %(end)s."),
            lease=lease.ref,
            end=lease.end.strftime("%d.%m.%Y") if lease.end else "",
        ),
    )
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


def renewal_next_term(lease: Lease) -> tuple[dt.date, dt.date | None] | None:
    """The renewed lease's term: from the day after the old end, as long as the renewal decision says (3 years
    unless it says otherwise); None when the lease has no end to renew from."""
    if lease.end is None:
        return None
    start = lease.end + dt.timedelta(days=1)
    decision = getattr(lease.renewal_case, "decision", None) if lease.renewal_case_id else None
    years = (decision.lease_years if decision is not None else None) or STANDARD_TERM_MONTHS // 12
    return start, add_months(start, 12 * years) - dt.timedelta(days=1)


def _renewal_granted(lease: Lease) -> bool:
    """The lease's renewal case has a decision granting the renewal."""
    decision = getattr(lease.renewal_case, "decision", None) if lease.renewal_case_id else None
    return lease.renewal_decided is not None and decision is not None and decision.outcome == "granted"


def renewal_pending(lease: Lease) -> bool:
    """A renewal granted on its renewal case whose new lease is not registered yet (the lease page offers to
    register it)."""
    return (
        _renewal_granted(lease)
        and lease.end is not None
        and lease.moved_out is None
        and lease.outcome != Lease.Outcome.RENEWED
    )


@transaction.atomic
def lease_renew(
    *,
    lease: Lease,
    end: dt.date | None,
    monthly_rent: int,
    short_term_reason: str = "",
    repeat_short_term_reason: str = "",
    language: str | None = None,
    by,
) -> Lease:
    """Carry out a granted renewal: the new lease on the renewal case starts the day after the old one ends, with the
    same home, household and security; the old lease's outcome is "renewed" (the tenant does not move out), and
    its open follow-up and move-on plans go on under the new lease.

    The new lease is checked by the same rules as any other (a short term needs special reasons, a second short
    lease in a row weighty ones) and gets its contract letter.
    """
    locked = Lease.objects.select_for_update(of=("self",)).select_related("renewal_case__decision").get(pk=lease.pk)
    if locked.outcome == Lease.Outcome.RENEWED:
        raise ValidationError(_("The lease has already been renewed."))
    if locked.moved_out is not None:
        raise ValidationError(_("The tenant has moved out."))
    if locked.end is None:
        raise ValidationError(_("An open-ended lease is not renewed."))
    if not _renewal_granted(locked):
        raise ValidationError(_("The renewal case has no decision granting the renewal yet."))
    case = locked.renewal_case
    start = locked.end + dt.timedelta(days=1)
    locked.outcome = Lease.Outcome.RENEWED  # first, so the new contract names the lease it continues
    locked.save(update_fields=["outcome"])
    renewed = lease_register(
        unit=locked.unit,
        household=locked.household,
        application=case,
        start=start,
        end=end,
        monthly_rent=monthly_rent,
        deposit=locked.deposit,
        guarantee=locked.guarantee,
        short_term_reason=short_term_reason,
        repeat_short_term_reason=repeat_short_term_reason,
        language=language or _letter_language(case),  # the renewal case is the tenant household's
        by=by,
    )
    # The follow-up goes on with the tenancy: open follow-up plans (the Housing First caseload among them) and the
    # move-on plan are kept on the lease that continues it.
    FollowUpPlan.objects.filter(lease=locked, closed__isnull=True).update(lease=renewed)
    MoveOnPlan.objects.filter(lease=locked).update(lease=renewed)
    case_history_note(
        case,
        by=by,
        message=gettext_noop("Lease %(new)s registered from %(start)s, continuing lease %(old)s."),
        new=renewed.ref,
        start=start.strftime("%d.%m.%Y"),
        old=locked.ref,
    )
    return renewed


# --- The life of a lease -------------------------------------------------------------------------------------------

LEASE_PROBLEM_MESSAGES = {
    "end_before_start": lambda: _("The lease cannot end before it starts."),
    "short_term_reason_required": lambda: _(
        "A lease shorter than 3 years needs the special reasons (særlege grunnar) written down."
    ),
    "repeat_short_term_reason_required": lambda: _(
        "Only one short lease in a row is allowed for the same household and home unless weighty reasons "
        "(tungtvegande grunnar) are written down."
    ),
    "deposit_over_6_months": lambda: _("The deposit can be at most 6 months' rent."),
    "security_over_6_months": lambda: _("Deposit and guarantee together can be at most 6 months' rent."),
}


def _raise_problems(problems: list[str]) -> None:
    if problems:
        raise ValidationError([LEASE_PROBLEM_MESSAGES[code]() for code in problems])


def _household_overlap_check(household, start: dt.date, end: dt.date | None) -> None:
    """One home at a time: a household's leases do not overlap (moving out on the day the next lease starts is a
    handover, not an overlap), as the interchange format requires of every register it carries."""
    day = dt.timedelta(days=1)
    new_until = end + day if end else None  # exclusive; None: open-ended
    for ref, other_start, other_end, moved_out in Lease.objects.filter(household=household).values_list(
        "ref", "start", "end", "moved_out"
    ):
        other_until = moved_out or (other_end + day if other_end else None)
        if (new_until is None or other_start < new_until) and (other_until is None or start < other_until):
            raise ValidationError(
                _(
                    "The household already has lease %(lease)s in that period (from %(start)s). Record the "
                    "move-out from it first; the new lease may start on the day of the move."
                )
                % {"lease": ref, "start": other_start.strftime("%d.%m.%Y")}
            )


@transaction.atomic
def lease_register(
    *,
    unit,
    household,
    application,
    start: dt.date,
    end: dt.date | None,
    monthly_rent: int,
    deposit: int,
    guarantee: int,
    short_term_reason: str = "",
    repeat_short_term_reason: str = "",
    language: str = "nn",
    by,
) -> Lease:
    """Register a lease directly; the term, security and "one short lease in a row" rules are enforced here.

    A lease on a case needs that case's decision to grant a home, in force on the start day: a case not yet
    decided, refused, lapsed or closed gives no one a home past the waiting list.
    """
    from allocation.models import Unit

    if application is not None:
        decision = getattr(application, "decision", None)
        in_force = (
            decision is not None
            and decision.outcome == "granted"
            and decision.decided <= start
            and (decision.lapsed is None or decision.lapsed > start)
            and application.status != "closed"
        )
        if not in_force:
            raise ValidationError(
                _("Case %(ref)s has no decision granting a home in force on the start day.") % {"ref": application.ref}
            )
    locked_unit = Unit.objects.select_for_update().get(pk=unit.pk)
    _household_overlap_check(household, start, end)
    previous = list(Lease.objects.filter(unit=locked_unit, household=household).values_list("start", "end"))
    _raise_problems(
        rules.lease_term_problems(
            start=start,
            end=end,
            short_term_reason=short_term_reason,
            repeat_short_term_reason=repeat_short_term_reason,
            previous=previous,
            monthly_rent=monthly_rent,
            deposit=deposit,
            guarantee=guarantee,
        )
    )
    try:
        with transaction.atomic():
            lease = Lease.objects.create(
                ref=ref_next(Lease, "L-", width=5),
                unit=locked_unit,
                household=household,
                application=application,
                start=start,
                end=end,
                monthly_rent=monthly_rent,
                deposit=deposit,
                guarantee=guarantee,
                short_term_reason=short_term_reason.strip() or None,
                repeat_short_term_reason=repeat_short_term_reason.strip() or None,
                special_rules_notice=timezone.localdate(),
            )
    except IntegrityError as exc:
        raise ValidationError(_("The home already has a tenancy in that period.")) from exc
    locked_unit.status = Unit.Status.LET
    locked_unit.save(update_fields=["status"])
    letters.contract_letter_create(lease=lease, language=language, by=by)
    return lease


@transaction.atomic
def lease_terms_update(*, lease: Lease, data: dict, language: str = "nn", by) -> Lease:
    """Set the terms of a lease draft (before move-in), checked by the same rules, and write the contract."""
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if locked.moved_in is not None:
        raise ValidationError(_("The terms of a lease cannot change after moving in; register a new lease."))
    continued = continued_lease(locked)
    if continued is not None:
        if locked.start <= timezone.localdate():
            raise ValidationError(_("The terms of a lease cannot change after it has started; register a new lease."))
        if data.get("start") != locked.start:
            raise ValidationError(
                _("A renewed lease starts the day after the lease it continues (%(lease)s): %(day)s.")
                % {"lease": continued.ref, "day": locked.start.strftime("%d.%m.%Y")}
            )
    previous = list(
        Lease.objects.filter(unit=locked.unit_id, household=locked.household_id)
        .exclude(pk=locked.pk)
        .values_list("start", "end")
    )
    _raise_problems(rules.lease_term_problems(previous=previous, **data))
    for name, value in data.items():
        setattr(locked, name, value.strip() or None if isinstance(value, str) else value)
    locked.special_rules_notice = timezone.localdate()
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError as exc:
        raise ValidationError(_("The home already has a tenancy in that period.")) from exc
    letters.contract_letter_create(lease=locked, language=language, by=by)
    return locked


@transaction.atomic
def move_out_demand_send(*, lease: Lease, language: str = "nn", by) -> Lease:
    """Send the flytteoppfordring after the end; without it the lease turns open-ended 3 months after expiry."""
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    today = timezone.localdate()
    if locked.end is None or locked.end >= today:
        raise ValidationError(_("A move-out demand is sent after the lease has ended."))
    if locked.outcome == Lease.Outcome.RENEWED or locked.renewal_decided is not None:
        raise ValidationError(_("The renewal is granted: the tenant stays, and no move-out demand is sent."))
    if locked.moved_out is not None:
        raise ValidationError(_("The tenant has moved out."))
    if locked.move_out_demand_sent is not None:
        raise ValidationError(_("A move-out demand has already been sent."))
    locked.move_out_demand_sent = today
    locked.save(update_fields=["move_out_demand_sent"])
    letters.move_out_demand_letter_create(lease=locked, language=language, by=by)
    return locked


@transaction.atomic
def social_services_notify(*, lease: Lease, by) -> Lease:
    """Husleigelova § 9-11: tell the social services in writing about arrears before any eviction request."""
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if locked.moved_out is not None:
        raise ValidationError(_("The tenant has moved out."))  # no eviction to warn of
    latest = locked.arrears.order_by("-as_of").first()
    if latest is None or latest.amount <= 0:
        raise ValidationError(_("The lease has no registered arrears."))
    locked.social_services_notified = timezone.localdate()
    locked.save(update_fields=["social_services_notified"])
    letters.social_services_notice_create(lease=locked, arrears=latest.amount, as_of=latest.as_of, language="nn", by=by)
    return locked


@transaction.atomic
def rent_adjust(
    *, lease: Lease, new_rent: int, cpi_at_last_change, cpi_now, effective: dt.date, language: str = "nn", by
) -> RentChange:
    """Adjust the rent by the CPI with a written notice today (husleigelova § 4-2)."""
    locked = Lease.objects.select_for_update().get(pk=lease.pk)
    if locked.moved_out is not None:
        raise ValidationError(_("The tenant has moved out."))
    last = locked.rent_changes.order_by("-effective").first()
    last_change = last.effective if last else locked.start
    today = timezone.localdate()
    problems = rules.rent_adjustment_problems(
        current_rent=locked.monthly_rent,
        new_rent=new_rent,
        cpi_at_last_change=float(cpi_at_last_change),
        cpi_now=float(cpi_now),
        last_change=last_change,
        notice_given=today,
        effective=effective,
    )
    messages = {
        "above_cpi": _("The new rent is above what the CPI change allows (at most %(max)s).")
        % {"max": kr(rules.max_rent_after_cpi(locked.monthly_rent, float(cpi_at_last_change), float(cpi_now)))},
        "within_a_year": _(
            "The rent can change at the earliest a year after the last change (%(day)s): from %(earliest)s."
        )
        % {"day": last_change.strftime("%d.%m.%Y"), "earliest": add_months(last_change, 12).strftime("%d.%m.%Y")},
        "notice_under_a_month": _(
            "The tenant must have at least one month's written notice: with notice given today, from %(earliest)s."
        )
        % {"earliest": add_months(today, 1).strftime("%d.%m.%Y")},
    }
    if problems:
        raise ValidationError([messages[code] for code in problems])
    change = RentChange.objects.create(
        lease=locked,
        old_rent=locked.monthly_rent,
        new_rent=new_rent,
        cpi_at_last_change=cpi_at_last_change,
        cpi_now=cpi_now,
        notice_given=today,
        effective=effective,
        created_by=by,
    )
    letters.rent_adjustment_letter_create(change=change, language=language, by=by)
    return change


def rent_changes_apply(today: dt.date) -> int:
    """Make announced rent changes effective on their day (scheduled daily)."""
    applied = 0
    for change in RentChange.objects.filter(effective__lte=today).select_related("lease"):
        if change.lease.monthly_rent != change.new_rent and change.lease.monthly_rent == change.old_rent:
            Lease.objects.filter(pk=change.lease_id).update(monthly_rent=change.new_rent)
            applied += 1
    return applied


ARREARS_CSV_HEADER = ["lease", "as_of", "amount"]


def arrears_import_csv(text: str) -> int:
    """Import arrears figures from the accounting system's CSV (lease;as_of;amount); all or nothing.

    Figures are matched by (lease, date): a figure for a day already registered replaces it.
    Errors name the line: "line 4: unknown lease L-99".
    """
    import csv
    import io
    import re

    sample = text.lstrip("\ufeff")
    dialect = ";" if sample.count(";") >= sample.count(",") else ","
    reader = csv.reader(io.StringIO(sample), delimiter=dialect)
    rows = list(reader)
    if not rows or [cell.strip().lower() for cell in rows[0]] != ARREARS_CSV_HEADER:
        raise ValidationError(_("The first line must be the header: lease;as_of;amount"))
    leases = dict(Lease.objects.values_list("ref", "pk"))
    starts = dict(Lease.objects.values_list("ref", "start"))
    errors, figures = [], []
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != 3:
            errors.append(_("line %(n)d: expected 3 fields") % {"n": number})
            continue
        ref, day, amount = (cell.strip() for cell in row)
        if ref not in leases:
            errors.append(_("line %(n)d: unknown lease %(ref)s") % {"n": number, "ref": ref})
            continue
        try:
            as_of = dt.date.fromisoformat(day)
        except ValueError:
            errors.append(_("line %(n)d: not a date (YYYY-MM-DD): %(value)s") % {"n": number, "value": day})
            continue
        # Kroner as the accounting system writes them: "12345", "12 345,50", "12345.50". Øre are cut off, so a
        # figure is at least a whole month's rent exactly when the amount owed is.
        amount = re.sub(r"[\s\u00a0]", "", amount)
        matched = re.fullmatch(r"(-?[0-9]+)(?:[.,][0-9]{1,2})?", amount)
        if matched is None:
            errors.append(_("line %(n)d: the amount must be in kroner, with at most two decimals") % {"n": number})
            continue
        amount = matched.group(1)
        if as_of < starts[ref]:
            errors.append(_("line %(n)d: the date is before the lease started") % {"n": number})
            continue
        figures.append((leases[ref], as_of, max(int(amount), 0)))
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        for lease_id, as_of, amount in figures:
            ArrearsFigure.objects.update_or_create(lease_id=lease_id, as_of=as_of, defaults={"amount": amount})
    return len(figures)


@transaction.atomic
def followup_plan_create(*, lease: Lease, goals: str, support: str, housing_first: bool, next_contact, by):
    if not goals.strip():
        raise ValidationError({"goals": _("Write the tenant's own goals.")})
    _next_contact_check(next_contact)
    return FollowUpPlan.objects.create(
        lease=lease,
        goals=goals.strip(),
        support=support.strip(),
        housing_first=housing_first,
        started=timezone.localdate(),
        next_contact=next_contact,
        responsible=by,
    )


def _next_contact_errors(next_contact: dt.date | None) -> dict:
    """The next contact is planned: today or later (a date already passed would be overdue at once)."""
    if next_contact is not None and next_contact < timezone.localdate():
        return {"next_contact": _("The next contact is planned ahead: it cannot be in the past.")}
    return {}


def _next_contact_check(next_contact: dt.date | None) -> None:
    if errors := _next_contact_errors(next_contact):
        raise ValidationError(errors)


@transaction.atomic
def followup_contact_add(*, plan: FollowUpPlan, day: dt.date, kind: str, note: str, next_contact, by):
    errors = _next_contact_errors(next_contact)  # every mistake at once, not one per try
    if day > timezone.localdate():
        errors["day"] = _("The date cannot be in the future.")
    if errors:
        raise ValidationError(errors)
    contact = FollowUpContact.objects.create(plan=plan, day=day, kind=kind, note=note.strip(), by=by)
    FollowUpPlan.objects.filter(pk=plan.pk).update(next_contact=next_contact)
    return contact


@transaction.atomic
def move_on_plan_set(*, lease: Lease, goal: str, notes: str, milestone: str = "", due=None, by) -> MoveOnPlan:
    """The yearly circulation review: the tenant's goal for moving on, or why they stay for now."""
    if goal == MoveOnPlan.Goal.STAY and not notes.strip():
        raise ValidationError({"notes": _("Write why the tenant stays for now; the next review reads it.")})
    plan, _created = MoveOnPlan.objects.update_or_create(lease=lease, defaults={"goal": goal, "notes": notes.strip()})
    if milestone.strip():
        Milestone.objects.create(plan=plan, title=milestone.strip(), due=due)
    Lease.objects.filter(pk=lease.pk).update(last_circulation_review=timezone.localdate())
    return plan


@transaction.atomic
def milestone_done(*, milestone: Milestone, by) -> Milestone:
    if milestone.done is None:
        milestone.done = timezone.localdate()
        milestone.save(update_fields=["done"])
    return milestone
