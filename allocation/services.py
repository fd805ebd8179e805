"""Every write in allocation: offers (make, answer, expire), unit status, meeting choices.

The database is the last word on "never twice": partial unique indexes allow one open offer per
unit and per case, and the services lock the unit row before they check and write.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from cases.models import Application, CaseEvent, JournalNote, case_history_note, system_note

from . import letters, rules
from .models import EXCLUSION_LABELS, AllocationMeeting, MeetingChoice, Offer, ReassessmentFlag, Unit
from .querysets import occupying_lease_ref
from .shortlist_sql import coming_leases, rank_of, shortlist_sql

# Higher layers (tenancies) register what happens when an offer is accepted (a lease draft).
_on_accept: list[Callable] = []


def register_on_accept(callback: Callable) -> None:
    if callback not in _on_accept:
        _on_accept.append(callback)


class OfferError(ValidationError):
    pass


def _next_offer_ref() -> str:
    from cases.services import ref_next

    return ref_next(Offer, "O-", width=5)


@transaction.atomic
def offer_make(*, application: Application, unit: Unit, offered: dt.date, by, language: str | None = None) -> Offer:
    """Offer a free unit to an eligible waiting case; one open offer per unit and per case, enforced by the database."""
    locked_unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if locked_unit.status != Unit.Status.FREE:
        raise OfferError(_("The unit is not free (status: %(status)s).") % {"status": locked_unit.get_status_display()})
    if not (
        locked_unit.in_stock_from <= offered
        and (locked_unit.in_stock_until is None or offered <= locked_unit.in_stock_until)
    ):
        raise OfferError(_("The unit is not in the housing stock on the offer date."))
    occupant = occupying_lease_ref(locked_unit, offered)
    if occupant is not None:
        raise OfferError(
            _("The unit is still lived in: lease %(lease)s has no move-out recorded. Record the move-out first.")
            % {"lease": occupant}
        )
    if (
        Offer.objects.filter(application=application, status=Offer.Status.ACCEPTED)
        .filter(Q(application__leases__isnull=True) | Q(application__leases__start__gt=offered))
        .exists()
    ):
        raise OfferError(
            _("%(ref)s has already accepted a home that is not yet moved into.") % {"ref": application.ref}
        )
    coming = coming_leases(offered).filter(application=application).values_list("ref", "start").first()
    if coming is not None:
        raise OfferError(
            _("%(ref)s already has a home coming: lease %(lease)s from %(start)s.")
            % {"ref": application.ref, "lease": coming[0], "start": coming[1].strftime("%d.%m.%Y")}
        )
    rank, codes = rank_of(locked_unit, offered, application.ref)
    if rank is None:
        reasons = (
            ", ".join(str(EXCLUSION_LABELS.get(code, code)) for code in codes)
            if codes != ["not_waiting"]
            else _("not waiting for a home")
        )
        raise OfferError(
            _("%(ref)s is not eligible for this unit: %(reasons)s.") % {"ref": application.ref, "reasons": reasons}
        )
    try:
        with transaction.atomic():
            offer = Offer.objects.create(
                ref=_next_offer_ref(), application=application, unit=locked_unit, offered=offered, made_by=by
            )
    except IntegrityError as exc:
        raise OfferError(_("There is already an open offer on this unit or to this case.")) from exc
    locked_unit.status = Unit.Status.OFFERED
    locked_unit.save(update_fields=["status"])
    case_history_note(
        application,
        by=by,
        message=gettext_noop("Offer %(offer)s of %(unit)s, answer by %(deadline)s."),
        offer=offer.ref,
        unit=locked_unit.address,
        deadline=offer.deadline.strftime("%d.%m.%Y"),
    )
    letters.offer_letter_create(offer=offer, language=language, by=by)
    return offer


@transaction.atomic
def offer_answer(
    *, offer: Offer, answer: str, answered: dt.date, reason: str = "", reason_accepted: bool = False, by
) -> Offer:
    """Record acceptance or refusal of an open offer, within its deadline."""
    locked = Offer.objects.select_for_update().select_related("unit", "application").get(pk=offer.pk)
    if locked.status != Offer.Status.OPEN:
        raise OfferError(_("This offer is already %(status)s.") % {"status": locked.get_status_display().lower()})
    if answered < locked.offered or answered > rules.offer_deadline(locked.offered):
        raise OfferError(
            _("The answer date must be between the offer date and the deadline %(deadline)s.")
            % {"deadline": rules.offer_deadline(locked.offered).strftime("%d.%m.%Y")}
        )
    if answered > timezone.localdate():
        raise OfferError(_("The answer date cannot be in the future."))
    if answer == Offer.Status.ACCEPTED and locked.application.status == "closed":
        raise OfferError(_("The case is closed: reopen it before an acceptance can be recorded."))
    unit = Unit.objects.select_for_update().get(pk=locked.unit_id)
    locked.answered = answered
    locked.reason = reason.strip() or None
    if answer == Offer.Status.ACCEPTED:
        locked.status = Offer.Status.ACCEPTED
        unit.status = Unit.Status.LET
    elif answer == Offer.Status.REFUSED:
        locked.status = Offer.Status.REFUSED
        locked.reason_accepted = reason_accepted
        unit.status = Unit.Status.FREE
    else:
        raise OfferError(_("Unknown answer."))
    locked.save(update_fields=["status", "answered", "reason", "reason_accepted"])
    unit.save(update_fields=["status"])
    accepted = locked.status == Offer.Status.ACCEPTED
    if locked.reason:  # the household's reason, as the caseworker wrote it
        message = (
            gettext_noop("Offer %(offer)s accepted. %(reason)s")
            if accepted
            else gettext_noop("Offer %(offer)s refused. %(reason)s")
        )
        params = {"offer": locked.ref, "reason": locked.reason}
    else:
        message = gettext_noop("Offer %(offer)s accepted.") if accepted else gettext_noop("Offer %(offer)s refused.")
        params = {"offer": locked.ref}
    case_history_note(locked.application, by=by, message=message, **params)
    if locked.status == Offer.Status.ACCEPTED:
        for callback in _on_accept:
            callback(offer=locked, by=by)
    else:
        _flag_after_refusals(locked.application, by=by)
    return locked


def open_offer_refuses_closing(application: Application) -> str | None:
    """Why a case may not close yet: an offer to it is still open (cases.services checks this on closing)."""
    offer = Offer.objects.open().filter(application=application).values_list("ref", flat=True).first()
    if offer is None:
        return None
    return _(
        "Offer %(offer)s to this case is still open: record the household's answer first (a refusal if they "
        "have moved away), then close the case."
    ) % {"offer": offer}


def _flag_after_refusals(application: Application, *, by) -> None:
    """Two refusals (or expiries) without an accepted reason flag the case for reassessment."""
    count = (
        Offer.objects.filter(application=application)
        .filter(Q(status=Offer.Status.EXPIRED) | Q(status=Offer.Status.REFUSED, reason_accepted=False))
        .count()
    )
    if count >= 2 and not ReassessmentFlag.objects.filter(application=application, cleared_at__isnull=True).exists():
        ReassessmentFlag.objects.update_or_create(
            application=application,
            defaults={
                "reason": _("%(n)d offers refused without an accepted reason") % {"n": count},
                "cleared_at": None,
            },
        )
        JournalNote.objects.create(
            application=application,
            by=by,
            text=_("Flagged for reassessment after %(n)d refused offers.") % {"n": count},
        )


def offer_expire_sweep(today: dt.date) -> int:
    """Expire every open offer past its last day; safe to run any number of times, concurrently."""
    expired = 0
    candidates = Offer.objects.open().filter(offered__lt=today - dt.timedelta(days=rules.OFFER_RESPONSE_DAYS))
    for offer_id in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            offer = (
                Offer.objects.select_for_update(skip_locked=True).filter(pk=offer_id, status=Offer.Status.OPEN).first()
            )
            if offer is None:
                continue
            offer.status = Offer.Status.EXPIRED
            offer.save(update_fields=["status"])
            Unit.objects.filter(pk=offer.unit_id, status=Unit.Status.OFFERED).update(status=Unit.Status.FREE)
            CaseEvent.objects.create(
                application_id=offer.application_id,
                from_status="",
                to_status=Application.objects.values_list("status", flat=True).get(pk=offer.application_id),
                **system_note(gettext_noop("Offer %(offer)s expired without an answer."), offer=offer.ref),
            )
            _flag_after_refusals(offer.application, by=None)
            expired += 1
    return expired


@transaction.atomic
def unit_status_set(*, unit: Unit, status: str, by) -> Unit:
    locked = Unit.objects.select_for_update().get(pk=unit.pk)
    if locked.status in (Unit.Status.OFFERED, Unit.Status.LET) and status == Unit.Status.MAINTENANCE:
        raise ValidationError(_("A unit that is offered or let cannot be put under maintenance."))
    locked.status = status
    locked.save(update_fields=["status"])
    return locked


@transaction.atomic
def offer_first_ranked(*, application: Application, unit: Unit, offered: dt.date, by) -> Offer:
    """The shortlist's own offer: to the household ranked first only. Passing over it is the allocation meeting's
    decision (meeting_choose), where the reason is recorded and the override is reported."""
    rank, _codes = rank_of(unit, offered, application.ref)
    if rank is not None and rank != 1:
        raise OfferError(
            _(
                "%(ref)s is number %(rank)d on the shortlist. Passing over number 1 is decided in an allocation "
                "meeting, where the reason is recorded."
            )
            % {"ref": application.ref, "rank": rank}
        )
    # not on the shortlist at all: offer_make refuses with the reason
    return offer_make(application=application, unit=unit, offered=offered, by=by)


@transaction.atomic
def meeting_choose(
    *,
    meeting: AllocationMeeting,
    unit: Unit,
    application: Application,
    override_reason: str,
    by,
    make_offer: bool = True,
) -> MeetingChoice:
    """Record the meeting's pick for a unit; anyone but rank 1 needs a reason, which is kept and reported."""
    rank, _codes = rank_of(unit, meeting.held_on, application.ref)
    if rank is None:
        raise ValidationError(_("%(ref)s is not on the shortlist for this unit.") % {"ref": application.ref})
    entry = {"rank": rank}
    if rank != 1 and not override_reason.strip():
        raise ValidationError(
            {"override_reason": _("Say why the meeting chose rank %(rank)d and not rank 1.") % {"rank": rank}}
        )
    top = shortlist_sql(unit, meeting.held_on, limit=1, excluded_limit=1)["shortlist"]
    first = Application.objects.get(ref=top[0]["application"])
    choice = MeetingChoice.objects.create(
        meeting=meeting,
        unit=unit,
        application=application,
        rank=entry["rank"],
        first_ranked=first,
        override_reason=override_reason.strip() if entry["rank"] != 1 else "",
        chosen_by=by,
    )
    if make_offer:
        choice.offer = offer_make(application=application, unit=unit, offered=meeting.held_on, by=by)
        choice.save(update_fields=["offer"])
    return choice
