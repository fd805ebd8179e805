"""Letters of financial advice: referral confirmation, budget summary, startlån decision."""

from __future__ import annotations

from django.utils import timezone

from cases.letters import _date_text, _language, recipient_lines
from cases.rules import APPEAL_BODIES, LEGAL_BASIS, appeal_deadline, legal_reference
from stord_bolig.letters import letter_create

from .models import Budget, Referral, StartlanApplication

TITLES = {
    "referral": {
        "nn": "Stadfesting av tilvising til økonomisk rådgjeving",
        "nb": "Bekreftelse på henvisning til økonomisk rådgivning",
    },
    "budget": {"nn": "Budsjettet ditt", "nb": "Budsjettet ditt"},
    "startlan": {"nn": "Vedtak om startlån", "nb": "Vedtak om startlån"},
}


def _recipient(household) -> tuple[list[str], str]:
    applicant = household.applicant
    return recipient_lines(applicant), applicant.preferred_language if applicant else "nn"


def _create(subject, kind, ref, household, by, dedupe, extra, language=None):
    lines, preferred = _recipient(household)
    language = _language(language or preferred)
    context = {
        "title": TITLES[kind][language],
        "case_ref": ref,
        "recipient_lines": lines,
        "letter_date_text": _date_text(timezone.localdate(), language),
        "caseworker": str(by or ""),
        **extra,
    }
    return letter_create(
        subject=subject,
        kind=kind,
        title=context["title"],
        template_name=f"finance_advice/letters/{kind}.html",
        context=context,
        case_ref=ref,
        dedupe_key=dedupe,
        language=language,
        by=by,
    )


def referral_confirmation_create(*, referral: Referral, by):
    return _create(
        referral,
        "referral",
        referral.ref,
        referral.household,
        by,
        f"referral:{referral.pk}",
        {"reason": referral.reason},
    )


def budget_summary_create(*, budget: Budget, by):
    referral = budget.referral
    return _create(
        referral,
        "budget",
        referral.ref,
        referral.household,
        by,
        f"budget:{budget.pk}",
        {
            "net_income": budget.net_income,
            "living": budget.living_applied,
            "fixed": budget.fixed_costs,
            "other_housing": budget.other_housing,
            "room": budget.monthly_room,
            "loan": budget.carryable_loan,
            "term": budget.term_years,
            "rate": str(budget.policy_rate),
        },
    )


def startlan_decision_create(*, application: StartlanApplication, language: str, by):
    language = _language(language)
    deadline = appeal_deadline(application.notified or application.decided)
    return _create(
        application,
        "startlan",
        application.ref,
        application.household,
        by,
        f"startlan:{application.pk}",
        {
            "granted": application.outcome == "granted",
            "purpose": application.purpose,
            "price": application.price,
            "loan_applied": application.loan_applied,
            "grant_applied": application.grant_applied,
            "received_text": _date_text(application.received, language),
            "legal_basis": legal_reference(LEGAL_BASIS["startlan"], language),
            "grant_basis": legal_reference(LEGAL_BASIS["startlan_grant"], language),
            # granted less than applied for: a partial refusal, which the letter names (its reasons follow)
            "reduced": application.outcome == "granted"
            and (
                (application.loan_granted or 0) < application.loan_applied
                or (application.grant_granted or 0) < application.grant_applied
            ),
            "loan": application.loan_granted,
            "grant": application.grant_granted,
            "term": application.term_years,
            "free_years": application.instalment_free_years,
            "reasons": application.reasons,
            "appeal_deadline_text": _date_text(deadline, language),
            "appeal_body": APPEAL_BODIES["municipal_housing"],
            "appeal_paragraph": legal_reference(LEGAL_BASIS["appeal_deadline"], language),
            "documents_paragraph": legal_reference(LEGAL_BASIS["access_to_documents"], language),
        },
        language=language,
    )
