"""Tenancy letters: the lease contract, the move-out demand, the § 9-11 notice and the rent adjustment notice."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.conf import settings
from django.utils import timezone

from cases.letters import _date_text, _language, recipient_lines
from cases.rules import LEGAL_BASIS, legal_reference
from stord_bolig.letters import letter_create

from .models import Lease, RentChange
from .querysets import continued_lease

TITLES = {
    "contract": {"nn": "Leigekontrakt for kommunal bustad", "nb": "Leiekontrakt for kommunal bolig"},
    "move_out_demand": {"nn": "Oppfordring om å flytte (flytteoppfordring)", "nb": "Oppfordring om å flytte"},
    "social_services_notice": {
        "nn": "Varsel til sosialtenesta om husleigerestanse",
        "nb": "Varsel til sosialtjenesten om husleierestanse",
    },
    "rent_adjustment": {"nn": "Varsel om endra husleige", "nb": "Varsel om endret husleie"},
}


def _tenant_lines(lease: Lease) -> list[str]:
    """A tenant who has moved in gets the landlord's letters at the home let (unless someone acts for them);
    before moving in, and after moving out, at their own postal address."""
    applicant = lease.household.applicant
    # A renewed lease's tenant lives in the home from its first day (moved in under the lease it continues).
    lived_in = lease.moved_out is None and (
        lease.moved_in is not None or getattr(continued_lease(lease), "moved_in", None) is not None
    )
    if applicant is None or applicant.representative_name or not lived_in:
        return recipient_lines(applicant) if applicant is not None else []
    return [applicant.full_name, *(part.strip() for part in lease.unit.address.split(",") if part.strip())]


def _context(lease: Lease, language: str, by, kind: str) -> dict:
    application = lease.application
    case_ref = application.ref if application else lease.ref
    return {
        "title": TITLES[kind][language],
        "case_ref": case_ref,
        "reference": f"{lease.ref} ({case_ref})" if application else lease.ref,
        "lease_ref": lease.ref,
        "letter_date_text": _date_text(timezone.localdate(), language),
        "recipient_lines": _tenant_lines(lease),
        # signed by whoever sends it; a letter the system sends by itself by the case's caseworker
        "caseworker": str(by or (application.assigned_to if application else None) or ""),
        "address": lease.unit.address,
        "start_text": _date_text(lease.start, language),
        "end_text": _date_text(lease.end, language) if lease.end else "",
        "monthly_rent": lease.monthly_rent,
        "deposit": lease.deposit,
        "guarantee": lease.guarantee,
        "short_term_reason": lease.short_term_reason or "",
        "special_rules": legal_reference(LEGAL_BASIS["disadvantaged_lease"], language),
        "lease_end_paragraph": legal_reference(LEGAL_BASIS["lease_end"], language),
        "social_paragraph": legal_reference(LEGAL_BASIS["social_services_notice"], language),
        "rent_paragraph": legal_reference(LEGAL_BASIS["rent_indexation"], language),
    }


def _create(lease: Lease, kind: str, language: str, by, dedupe: str, extra: dict | None = None):
    language = _language(language)
    subject = lease.application or lease.renewal_case
    context = {**_context(lease, language, by, kind), **(extra or {})}
    return letter_create(
        subject=subject if subject is not None else lease,
        kind=kind,
        title=context["title"],
        template_name=f"tenancies/letters/{kind}.html",
        context=context,
        case_ref=context["case_ref"],
        dedupe_key=dedupe,
        language=language,
        by=by,
    )


def contract_letter_create(*, lease: Lease, language: str, by):
    # One contract per set of terms: saving changed terms writes a new contract, saving the same ones does not.
    terms = [lease.start, lease.end, lease.monthly_rent, lease.deposit, lease.guarantee, lease.short_term_reason]
    digest = hashlib.sha256(repr(terms).encode()).hexdigest()[:16]
    # A renewal's contract names the lease it continues (the day before it starts, same home and household).
    continues = continued_lease(lease)
    extra = {"continues_ref": continues.ref if continues is not None else ""}
    return _create(lease, "contract", language, by, f"contract:{lease.pk}:{digest}", extra)


def move_out_demand_letter_create(*, lease: Lease, language: str, by):
    return _create(
        lease,
        "move_out_demand",
        language,
        by,
        f"move_out_demand:{lease.pk}:{lease.end}",
        {"office": settings.HOUSING_OFFICE_NAME},
    )


def social_services_notice_create(*, lease: Lease, arrears: int, as_of: dt.date, language: str, by):
    return _create(
        lease,
        "social_services_notice",
        language,
        by,
        f"social_services:{lease.pk}:{as_of}",
        {
            "arrears": arrears,
            "as_of_text": _date_text(as_of, language),
            "recipient_lines": ["NAV Stord", "Sosialtenesta" if language == "nn" else "Sosialtjenesten"],
        },
    )


def rent_adjustment_letter_create(*, change: RentChange, language: str, by):
    return _create(
        change.lease,
        "rent_adjustment",
        language,
        by,
        f"rent:{change.pk}",
        {
            "old_rent": change.old_rent,
            "new_rent": change.new_rent,
            "effective_text": _date_text(change.effective, language),
        },
    )
