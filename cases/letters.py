"""Which template and context each case letter gets; rendering is the platform's (stord_bolig.letters).

Letters are written per language (nynorsk, bokmål) as whole templates: legal prose reads better
written than translated string by string. The context is a snapshot of plain values, so a letter
can be re-rendered identically later. No national id ever appears in a letter's address block.
"""

from __future__ import annotations

import datetime as dt

from django.utils import formats, timezone, translation

from stord_bolig.letters import letter_create

from . import rules
from .models import Application, Decision

LETTER_LANGUAGES = ("nn", "nb")


# A no-break space between the day and the month: "26." never ends a line with "november" on the next.
LETTER_DATE_FORMAT = "j.\u00a0F Y"


def _date_text(day: dt.date | None, language: str) -> str:
    """A date as letters write it, "26. november 2026", with the day and the month kept on one line."""
    if day is None:
        return ""
    with translation.override(language):
        return formats.date_format(day, LETTER_DATE_FORMAT)


def recipient_lines(person) -> list[str]:
    """The address block for a person, or for their representative (fullmektig) when they have one."""
    if person is None:
        return []
    if person.representative_name:
        return [person.representative_name] + [
            part.strip() for part in person.representative_address.split(",") if part.strip()
        ]
    lines = [person.full_name]
    if person.address:
        lines.append(person.address)
    if person.postcode or person.city:
        lines.append(f"{person.postcode} {person.city}".strip())
    return lines


def _recipient_lines(application: Application) -> list[str]:
    return recipient_lines(application.household.applicant)


def _base_context(application: Application, language: str, by, letter_date: dt.date | None = None) -> dict:
    applicant = application.household.applicant
    return {
        "case_ref": application.ref,
        "letter_date_text": _date_text(letter_date or timezone.localdate(), language),
        "recipient_lines": _recipient_lines(application),
        "applicant_name": applicant.full_name if applicant else "",
        "caseworker": str(application.assigned_to or by or ""),
        "kind": application.kind,
        "received_text": _date_text(application.received, language),
    }


def _letter_language(application: Application) -> str:
    applicant = application.household.applicant
    return applicant.preferred_language if applicant else "nn"


def _language(language: str) -> str:
    return language if language in LETTER_LANGUAGES else "nn"


def decision_letter_context(decision: Decision, language: str, by=None, letter_date: dt.date | None = None) -> dict:
    application = decision.application
    deadline = rules.appeal_deadline(decision.notified)
    return {
        **_base_context(application, language, by, letter_date),
        "title_key": "decision",
        "granted": decision.outcome == Decision.Outcome.GRANTED,
        # a renewal is the office's own case about a lease the household already has: no application, no offer
        "renewal": application.kind == "renewal",
        # a renewal refused: the lease it is about ends, and the letter says when
        "lease_end_text": _renewal_lease_end(application, language),
        "lease_end_paragraph": rules.legal_reference(rules.LEGAL_BASIS["lease_end"], language),
        "decided_text": _date_text(decision.decided, language),
        # a decision imported or bulk-loaded without its legal basis still cites the act its kind rests on
        "legal_basis": rules.legal_reference(
            rules.decision_legal_basis(decision.legal_basis, application.kind), language
        ),
        "legal_basis_reasons": rules.legal_reference(rules.LEGAL_BASIS["reasons"], language),
        "facts": decision.facts,
        "assessment": decision.assessment,
        "conditions": decision.conditions,
        "home_description": decision.home_description,
        "lease_years": decision.lease_years,
        "appeal_deadline_text": _date_text(deadline, language),
        "appeal_deadline": deadline.isoformat(),
        "appeal_body": application.appeal_body,
        "appeal_paragraph": rules.legal_reference(rules.LEGAL_BASIS["appeal_deadline"], language),
        "documents_paragraph": rules.legal_reference(rules.LEGAL_BASIS["access_to_documents"], language),
        "letter_content_paragraph": rules.legal_reference(rules.LEGAL_BASIS["letter_content"], language),
        "disadvantaged_lease_paragraph": rules.legal_reference(rules.LEGAL_BASIS["disadvantaged_lease"], language),
    }


def _renewal_lease_end(application: Application, language: str) -> str:
    """The end of the lease a renewal case is about, as the letter writes it ("" for other cases)."""
    lease = getattr(application, "renewed_lease", None) if application.kind == "renewal" else None
    return _date_text(lease.end, language) if lease is not None and lease.end else ""


DECISION_TITLES = {"nn": "Vedtak om {kind}", "nb": "Vedtak om {kind}"}
KIND_TEXT = {
    "nn": {
        "municipal_housing": "kommunal utleigebustad",
        "housing_assistance": "bustadsosial bistand",
        "renewal": "fornying av leigekontrakt",
        "swap": "bytte av kommunal bustad",
    },
    "nb": {
        "municipal_housing": "kommunal utleiebolig",
        "housing_assistance": "boligsosial bistand",
        "renewal": "fornyelse av leiekontrakt",
        "swap": "bytte av kommunal bolig",
    },
}


def _case_letter(
    application: Application,
    kind: str,
    title: str,
    context: dict,
    dedupe_key: str,
    language: str,
    by,
    letter_date: dt.date | None = None,
):
    """A case letter from `cases/letters/<kind>_<language>.html`, created once per dedupe key."""
    return letter_create(
        subject=application,
        kind=kind,
        title=title,
        template_name=f"cases/letters/{kind}_{language}.html",
        context={**context, "title": title},
        case_ref=application.ref,
        dedupe_key=dedupe_key,
        language=language,
        letter_date=letter_date,
        by=by,
    )


def decision_letter_create(
    *, decision: Decision, language: str, by, letter_date: dt.date | None = None, reversal=None, reversed_of=None
):
    """The decision letter, dated `letter_date` (today unless a decision is recorded after the fact).

    After the office reverses its decision on an appeal (`reversal`: the appeal; `reversed_of`: the day of the
    decision it replaces) the new decision gets a letter of its own, once per appeal, that says so.
    """
    language = _language(language)
    application = decision.application
    context = decision_letter_context(decision, language, by, letter_date)
    title = DECISION_TITLES[language].format(kind=KIND_TEXT[language][application.kind])
    context["kind_text"] = KIND_TEXT[language][application.kind]
    dedupe_key = f"decision:{decision.pk}"
    if reversal is not None:
        context["reversed_of_text"] = _date_text(reversed_of, language)
        context["appeal_received_text"] = _date_text(reversal.received, language)
        dedupe_key = f"decision:{decision.pk}:reversal:{reversal.pk}"
    return _case_letter(application, "decision", title, context, dedupe_key, language, by, letter_date=letter_date)


def appeal_outcome_letter_create(*, appeal, reversed_of: dt.date, language: str, by):
    """After the appeal body reverses the office's decision, the office tells the party what follows: the new
    outcome, from when the household waits for a home, and that the body's decision is final (fvl. § 28)."""
    language = _language(language)
    application = appeal.application
    application.refresh_from_db(fields=["waiting_from"])
    decision = Decision.objects.get(application=application)  # as reversed, not as the caller last saw it
    title = {"nn": "Klagesaka di er avgjord", "nb": "Klagesaken din er avgjort"}[language]
    context = {
        **_base_context(application, language, by),
        "kind_text": KIND_TEXT[language][application.kind],
        "granted": decision.outcome == Decision.Outcome.GRANTED,
        "appeal_received_text": _date_text(appeal.received, language),
        "reversed_of_text": _date_text(reversed_of, language),
        "body": appeal.forwarded_to,
        "outcome_text": _date_text(appeal.outcome_date, language),
        "waiting_from_text": _date_text(application.waiting_from, language) if application.waiting_from else "",
        "final_paragraph": rules.legal_reference(rules.LEGAL_BASIS["appeal_final"], language),
    }
    return _case_letter(application, "appeal_outcome", title, context, f"appeal_outcome:{appeal.pk}", language, by)


def preliminary_reply_letter_create(*, application: Application, reason: str, expected: dt.date, language: str, by):
    language = _language(language)
    title = {"nn": "Førebels svar på søknaden din", "nb": "Foreløpig svar på søknaden din"}[language]
    context = {
        **_base_context(application, language, by),
        "reason": reason,
        "expected_text": _date_text(expected, language),
        "kind_text": KIND_TEXT[language][application.kind],
        "paragraph": rules.legal_reference(rules.LEGAL_BASIS["preliminary_reply"], language),
    }
    return _case_letter(
        application, "preliminary_reply", title, context, f"preliminary_reply:{application.pk}", language, by
    )


def comment_deadline(letters) -> dt.date | None:
    """The last day to comment that the case's advance notices gave the party (the latest), or None."""
    return max(
        (
            dt.date.fromisoformat(letter.context["reply_by"])
            for letter in letters
            if letter.kind == "advance_notice" and "reply_by" in letter.context
        ),
        default=None,
    )


def advance_notice_letter_create(*, application: Application, planned: str, reply_by: dt.date, language: str, by):
    language = _language(language)
    title = {"nn": "Førehandsvarsel om vedtak", "nb": "Forhåndsvarsel om vedtak"}[language]
    context = {
        **_base_context(application, language, by),
        "planned": planned,
        "reply_by": reply_by.isoformat(),  # the deadline the decision waits for (comment_deadline)
        "reply_by_text": _date_text(reply_by, language),
        "paragraph": rules.legal_reference(rules.LEGAL_BASIS["advance_notice"], language),
    }
    return _case_letter(
        application,
        "advance_notice",
        title,
        context,
        f"advance_notice:{application.pk}:{reply_by.isoformat()}",
        language,
        by,
    )
