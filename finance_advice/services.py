"""Writes in financial advice: referrals and their status loop, budgets, startlån decisions, consents."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases.models import Application, Household, HouseholdMember, Person
from cases.rules import age_on
from cases.services import ref_next
from stord_bolig.formats import kr
from stord_bolig.params import param
from tenancies.models import Lease

from . import letters, rules
from .models import Budget, Consent, Referral, ReferralStatus, ReferralStatusEvent, SifoRate, StartlanApplication


class ReferralTransitionNotAllowed(ValidationError):
    pass


@transaction.atomic
def referral_create(
    *,
    household: Household,
    source: str,
    reason: str,
    by,
    application: Application | None = None,
    lease: Lease | None = None,
) -> Referral:
    """A referral to the financial advisor; from a lease it also records the referral date on the lease."""
    if not reason.strip():
        raise ValidationError({"reason": _("Say what the household needs help with.")})
    try:
        with transaction.atomic():
            referral = Referral.objects.create(
                ref=ref_next(Referral, "F-", width=5),
                household=household,
                application=application,
                lease=lease,
                source=source,
                reason=reason.strip(),
                created_by=by,
            )
    except IntegrityError as exc:
        if lease is not None:
            raise ValidationError(_("This lease already has an open referral to financial advice.")) from exc
        raise ValidationError(_("This case already has an open referral to financial advice.")) from exc
    ReferralStatusEvent.objects.create(referral=referral, by=by, to_status=ReferralStatus.NEW)
    if lease is not None:
        # The arrears reminder closes when a referral is made on or after the start of the arrears run.
        Lease.objects.filter(pk=lease.pk).update(financial_advice_referral=timezone.localdate())
        from tenancies.services import reminder_sweep_for_lease

        transaction.on_commit(lambda: reminder_sweep_for_lease(lease.ref))
    letters.referral_confirmation_create(referral=referral, by=by)
    return referral


@transaction.atomic
def referral_intake(*, person: dict, reason: str, by) -> Referral:
    """The advisor's own intake: someone who came to the advisor directly. A person already registered is taken
    with their household; a new one is registered as the applicant of a household of their own. One open referral
    per household: a second is refused with the one to continue."""
    from django.db import connection

    from cases.services import person_create

    if not reason.strip():
        raise ValidationError({"reason": _("Say what the household needs help with.")})
    national_id = person["national_id"].replace(" ", "")
    with connection.cursor() as cursor:  # two intakes of one person at once are taken one after the other
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [f"person:{national_id}"])
    existing = Person.objects.filter(national_id=national_id).select_related("membership").first()
    if existing is not None and hasattr(existing, "membership"):
        household = existing.membership.household
        open_referral = Referral.objects.open().filter(household=household).values_list("ref", flat=True).first()
        if open_referral:
            raise ValidationError(
                _("The household already has an open referral (%(ref)s): continue that one.") % {"ref": open_referral}
            )
    else:
        registered = existing or person_create(**{**person, "national_id": national_id})
        household = Household.objects.create(ref=ref_next(Household, "H-", width=4))
        HouseholdMember.objects.create(household=household, person=registered, role="applicant", position=0)
    return referral_create(household=household, source=Referral.Source.INTAKE, reason=reason, by=by)


def referral_from_arrears(*, lease: Lease, by) -> Referral:
    """One click from the arrears reminder: the referral carries the latest arrears figure as its reason."""
    latest = lease.arrears.order_by("-as_of").first()
    reason = _("Rent arrears of %(amount)s as of %(day)s on lease %(lease)s.") % {
        "amount": kr(latest.amount if latest else 0),
        "day": latest.as_of.strftime("%d.%m.%Y") if latest else "",
        "lease": lease.ref,
    }
    return referral_create(
        household=lease.household,
        source=Referral.Source.ARREARS,
        reason=reason,
        by=by,
        application=lease.application,
        lease=lease,
    )


@transaction.atomic
def referral_transition(*, referral: Referral, to_status: str, by, note: str = "") -> Referral:
    """Move a referral along its loop: lock, check the move, write an event the referring caseworker sees."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if to_status not in ReferralStatus.values:
        raise ReferralTransitionNotAllowed(_("Unknown status."))
    if to_status not in ReferralStatus.transitions()[locked.status]:
        raise ReferralTransitionNotAllowed(
            _("A referral cannot go from “%(from)s” to “%(to)s”.")
            % {"from": ReferralStatus(locked.status).label, "to": ReferralStatus(to_status).label}
        )
    if to_status == ReferralStatus.BUDGET_MADE and not locked.budgets.exists():
        raise ReferralTransitionNotAllowed(_("Make the budget with the budget form; the status follows from it."))
    if to_status == ReferralStatus.DECLINED and not note.strip():
        raise ValidationError({"note": _("Say why the referral is declined.")})
    if to_status == ReferralStatus.OUTCOME and not note.strip():
        raise ValidationError({"note": _("Describe the outcome.")})
    ReferralStatusEvent.objects.create(
        referral=locked, by=by, from_status=locked.status, to_status=to_status, note=note.strip()
    )
    locked.status = to_status
    if to_status == ReferralStatus.ACCEPTED:
        locked.advisor = by
    if to_status == ReferralStatus.DECLINED:
        locked.decline_reason = note.strip()
    if to_status == ReferralStatus.OUTCOME:
        locked.outcome = note.strip()
    locked.save()
    referral.status = to_status
    return locked


def household_ages(household: Household, on: dt.date) -> list[int]:
    return [
        age_on(m.person.birth_date, on)
        for m in HouseholdMember.objects.filter(household=household).select_related("person")
        if m.person.birth_date <= on
    ]


def sifo_tables(on: dt.date) -> tuple[dict[str, float], dict[int, float]]:
    """The SIFO lines in force on `on`; a line the admin has not recorded falls back to the shipped seed."""
    from .sifo_seed import ROWS

    lines = {item: float(monthly) for item, monthly in ROWS.items()}
    recorded = {}
    for row in SifoRate.objects.filter(valid_from__lte=on).order_by("item", "-valid_from"):
        recorded.setdefault(row.item, float(row.monthly))
    lines.update(recorded)
    per_person = {item: value for item, value in lines.items() if not item.startswith("household_")}
    per_household = {
        int(item.removeprefix("household_")): value for item, value in lines.items() if item.startswith("household_")
    }
    return per_person, per_household


@transaction.atomic
def budget_make(*, referral: Referral, data: dict, term_years: int = 30, by) -> Budget:
    """Make a budget: living costs from SIFO (never below the guideline), capacity and carryable startlån."""
    locked = Referral.objects.select_for_update().get(pk=referral.pk)
    if locked.status not in (ReferralStatus.ACCEPTED, ReferralStatus.BUDGET_MADE, ReferralStatus.NEGOTIATING):
        raise ReferralTransitionNotAllowed(_("Accept the referral before making a budget."))
    if not 1 <= term_years <= rules.MAX_TERM_YEARS_SPECIAL:
        raise ValidationError({"term_years": _("The term is 1 to 50 years.")})
    today = timezone.localdate()
    per_person, per_household = sifo_tables(today)
    costs = rules.living_costs(
        household_ages(locked.household, today),
        per_person,
        per_household,
        float(param("guideline_adult_monthly", today)),
        float(param("guideline_child_monthly", today)),
    )
    policy_rate = param("policy_rate_pct", today)
    budget = Budget(
        referral=locked,
        made_on=today,
        policy_rate=policy_rate,
        term_years=term_years,
        made_by=by,
        living_sifo=round(costs.sifo),
        living_guideline=round(costs.guideline),
        **data,
    )
    room = budget.net_income - budget.living_applied - budget.fixed_costs - budget.other_housing
    budget.monthly_room = round(room)
    budget.carryable_loan = round(
        rules.carryable_loan(
            net_income=budget.net_income,
            living=budget.living_applied,
            fixed_costs=budget.fixed_costs,
            policy_rate_pct=float(policy_rate),
            years=term_years,
            other_housing_costs=budget.other_housing,
        )
    )
    budget.save()
    if locked.status == ReferralStatus.ACCEPTED:
        referral_transition(referral=locked, to_status=ReferralStatus.BUDGET_MADE, by=by)
    letters.budget_summary_create(budget=budget, by=by)
    return budget


@transaction.atomic
def startlan_register(*, household: Household, referral: Referral | None, data: dict, by) -> StartlanApplication:
    errors = {}
    if data["received"] > timezone.localdate():
        errors["received"] = _("The date received cannot be in the future.")
    if data["loan_applied"] > data["price"]:
        errors["loan_applied"] = _("The loan cannot be larger than the price of the home.")
    elif data["loan_applied"] + data.get("grant_applied", 0) > data["price"]:
        errors["grant_applied"] = _("Loan and grant together cannot be more than the price of the home.")
    if errors:
        raise ValidationError(errors)
    # one open application per household: a second one for the same purchase is a duplicate (the lock serialises
    # two advisors registering at once)
    Household.objects.select_for_update().filter(pk=household.pk).first()
    pending = StartlanApplication.objects.filter(household=household, outcome="").values_list("ref", flat=True).first()
    if pending:
        raise ValidationError(
            _("The household already has startlån application %(ref)s waiting for a decision.") % {"ref": pending}
        )
    return StartlanApplication.objects.create(
        ref=ref_next(StartlanApplication, "SL-", width=5), household=household, referral=referral, **data
    )


@transaction.atomic
def startlan_decide(
    *,
    application: StartlanApplication,
    outcome: str,
    loan_granted: int | None,
    grant_granted: int | None,
    term_years: int | None,
    instalment_free_years: int,
    reasons: str,
    by,
    language: str = "nn",
) -> StartlanApplication:
    """Decide a startlån application (an enkeltvedtak with a letter); terms within Husbanken's limits."""
    locked = StartlanApplication.objects.select_for_update().get(pk=application.pk)
    if locked.outcome:
        raise ValidationError(_("This application is already decided."))
    if not reasons.strip():
        raise ValidationError({"reasons": _("A decision needs its reasons.")})
    if outcome == StartlanApplication.Outcome.GRANTED:
        if not loan_granted or not term_years:
            raise ValidationError(_("A granted startlån needs an amount and a term."))
        if term_years > rules.MAX_TERM_YEARS_SPECIAL:
            raise ValidationError({"term_years": _("The term is at most 50 years.")})
        if instalment_free_years > 8 or instalment_free_years >= term_years:
            raise ValidationError({"instalment_free_years": _("At most 8 instalment-free years, within the term.")})
        grant = grant_granted or 0
        if loan_granted > locked.price:
            raise ValidationError({"loan_granted": _("The loan cannot be larger than the price of the home.")})
        if grant > locked.grant_applied:
            raise ValidationError(
                {
                    "grant_granted": _("The grant cannot be more than was applied for (%(amount)s).")
                    % {"amount": kr(locked.grant_applied)}
                }
            )
        if loan_granted + grant > locked.price:
            raise ValidationError(
                {"grant_granted": _("Loan and grant together cannot be more than the price of the home.")}
            )
    locked.outcome = outcome
    locked.loan_granted = loan_granted if outcome == "granted" else None
    locked.grant_granted = grant_granted if outcome == "granted" else None
    locked.term_years = term_years if outcome == "granted" else None
    locked.instalment_free_years = instalment_free_years if outcome == "granted" else 0
    locked.reasons = reasons.strip()
    locked.decided = timezone.localdate()
    locked.notified = locked.decided  # the letter date; the appeal deadline runs from when it reaches the person
    locked.decided_by = by
    locked.save()
    letters.startlan_decision_create(application=locked, language=language, by=by)
    return locked


# Consent to share a household's case with NAV is given by an adult of the household (a child cannot give it).
CONSENT_AGE = 18


@transaction.atomic
def consent_record(*, person, purpose: str, given: dt.date, expires: dt.date | None, by) -> Consent:
    from cases.rules import age_on

    if given > timezone.localdate():
        raise ValidationError({"given": _("Consent cannot be given in the future.")})
    if person.birth_date is None or age_on(person.birth_date, given) < CONSENT_AGE:
        raise ValidationError(
            {"person": _("Consent can only be given by an adult (18 or over on the day it is given).")}
        )
    if expires is not None and expires <= given:
        raise ValidationError({"expires": _("The expiry must be after the day the consent was given.")})
    return Consent.objects.create(person=person, purpose=purpose, given=given, expires=expires, recorded_by=by)


@transaction.atomic
def consent_revoke(*, consent: Consent, by) -> Consent:
    """Revocation takes effect at once: NAV's next request is refused."""
    if consent.revoked is None:
        consent.revoked = timezone.localdate()
        consent.save(update_fields=["revoked"])
    return consent
